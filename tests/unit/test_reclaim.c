// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_reclaim.c - the slow path's reclaim: kswapd wakes below
 * LOW and sleeps at HIGH, direct reclaim honours __GFP_IO, __GFP_NORETRY
 * and costly orders give up where v4.19 does, __GFP_NOFAIL never returns
 * NULL, a page whose lock a writer holds goes through reclaim with its
 * lock left to the writer, and a whole stress run with reclaim on a
 * machine larger than the host (16 CPUs) passes, which under TSan is the
 * race check.
 *
 * No test counts what happens per unit of time: each waits for a state
 * (kswapd asleep, a flag) with the model's primitives, or counts events of
 * a single CPU whose order is fixed.
 */
#include "../cliutil.h"
#include "../../mm/reclaim.h"
#include "../../mm/filemap.h"

static unsigned long vmstat_event(const char *name)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	unsigned long v = 0, sum = 0;
	FILE *f = open_memstream(&buf, &len);
	size_t n = strlen(name);

	assert_non_null(f);
	assert_int_equal(mm_proc_show("vmstat", f), 0);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* a name ending in '_' sums a family (allocstall_) */
		if (!strncmp(line, name, n) && (line[n] == ' ' || name[n - 1] == '_') &&
		    sscanf(strchr(line, ' '), "%lu", &v) == 1)
			sum += v;
	}
	free(buf);
	return sum;
}

/* Run CPU 0's safe points until kswapd of node 0 is no longer running. */
static void wait_kswapd_idle(void)
{
	double end = now_s() + LONG_WAIT_S;

	while (kswapd_state(0, NULL) == 1) {
		cond_resched();
		if (now_s() > end)
			fail_msg("kswapd still running after %.0f s", LONG_WAIT_S);
		nap_us(100);
	}
}

/* Read the whole file once: clean page cache pages. */
static void read_file(struct file *file, size_t size)
{
	char buf[PAGE_SIZE];
	loff_t pos = 0;

	while ((size_t)pos < size)
		assert_int_equal(kernel_read(file, buf, sizeof(buf), &pos), (ssize_t)sizeof(buf));
}

/*
 * kswapd sleeps while the zone is above LOW (nothing reaches the slow
 * path), is woken by the first allocation the fast path refuses at LOW,
 * and, with clean page cache to reclaim, brings the zone back to HIGH and
 * goes to sleep again, all without direct reclaim.
 */
static void test_kswapd_low_to_high(void **state)
{
	struct zone *zone;
	struct held h = { 0 };
	struct file *file;
	size_t size = 24 << 20;
	(void)state;

	boot_attach("mem=64M cpus=2 disk=64M io_latency_us=0");
	zone = zone_of(0, ZONE_DMA32);
	file = file_create("cache", size);
	assert_non_null(file);
	read_file(file, size);
	wait_kswapd_idle();

	/* take pages without a safe point: kswapd, once woken, stays queued */
	while (kswapd_state(0, NULL) != 1) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_NOWARN);

		assert_non_null(page);
		held_push(&h, page, 0);
		assert_true(h.nr < totalram_pages);
	}
	/* woken by the slow path: the fast path had found DMA32 at LOW */
	assert_true(zone_page_state(zone, NR_FREE_PAGES) <= low_wmark_pages(zone) + 1);
	assert_int_equal(vmstat_event("pgscan_direct"), 0);

	wait_kswapd_idle();
	assert_true(vmstat_event("pgsteal_kswapd") > 0);
	assert_true(zone_page_state(zone, NR_FREE_PAGES) >= high_wmark_pages(zone));
	assert_int_equal(vmstat_event("pgscan_direct"), 0);
	assert_int_equal(vmstat_event("allocstall_"), 0);

	held_free_all(&h);
	file_destroy(file);
	check_shutdown();
}

/*
 * Memory full of a task's anon pages: a GFP_NOIO allocation may not swap
 * (its own task starts no swap I/O) and still succeeds once kswapd, which
 * may, has freed pages; a GFP_KERNEL one swaps itself if it must.
 */
static void test_direct_reclaim_honours_io(void **state)
{
	struct mm_io_stats before, after;
	struct mm_struct *mm;
	struct held h = { 0 };
	unsigned long n;
	(void)state;

	boot_attach("mem=64M cpus=2 swap=64M io_latency_us=0");
	n = totalram_pages;
	mm = mm_task_create("filler", n, 0);
	assert_non_null(mm);
	for (unsigned long i = 0; i < n; i++) {
		void *addr;

		assert_int_equal(mm_task_access(mm, i, 1, GFP_HIGHUSER_MOVABLE, &addr), 0);
		*(unsigned long *)addr = i;
		mm_task_release(mm, i, addr);
	}
	assert_true(vmstat_event("pswpout") > 0);

	/* until some of them reclaimed directly */
	for (unsigned long stalls = vmstat_event("allocstall_");
	     vmstat_event("allocstall_") < stalls + 3;) {
		struct page *page;

		mm_io_stats_current(&before);
		page = alloc_page(GFP_NOIO);
		mm_io_stats_current(&after);
		assert_non_null(page);
		held_push(&h, page, 0);
		assert_true(h.nr < totalram_pages);
		EXPECT_EQ("swap writes a GFP_NOIO allocation started", after.swap_out,
			  before.swap_out);
		EXPECT_EQ("swap reads a GFP_NOIO allocation started", after.swap_in,
			  before.swap_in);
	}
	/* kswapd, running at this CPU's safe points, swaps; none of it is
	 * this task's I/O */
	wait_kswapd_idle();
	while (kswapd_state(0, NULL) != 1) {
		struct page *page = alloc_page(GFP_NOWAIT | __GFP_NOWARN);

		assert_non_null(page);
		held_push(&h, page, 0);
		assert_true(h.nr < totalram_pages);
	}
	{
		unsigned long pswpout = vmstat_event("pswpout");

		mm_io_stats_current(&before);
		wait_kswapd_idle();
		mm_io_stats_current(&after);
		assert_true(vmstat_event("pswpout") > pswpout);
		EXPECT_EQ("kswapd's swap writes counted to the task it borrowed the CPU from",
			  after.swap_out, before.swap_out);
	}
	/* every page the task wrote is still its own */
	for (unsigned long i = 0; i < n; i += 7) {
		void *addr;

		assert_int_equal(mm_task_access(mm, i, 0, GFP_HIGHUSER_MOVABLE, &addr), 0);
		EXPECT_EQ("word 0 of the task's page", *(unsigned long *)addr, i);
		mm_task_release(mm, i, addr);
	}
	held_free_all(&h);
	mm_task_exit(mm);
	wait_kswapd_idle();
	check_shutdown();
}

/* Every free page taken (the reserves too): nothing to reclaim. */
static void exhaust(struct held *h)
{
	struct page *page;

	while ((page = alloc_page(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN)))
		held_push(h, page, 0);
	drain_all_pages(NULL);
	while ((page = alloc_page(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN)))
		held_push(h, page, 0);
}

/*
 * Nothing reclaimable: __GFP_NORETRY gives up after one reclaim, a costly
 * order without __GFP_RETRY_MAYFAIL too, neither calls the OOM killer;
 * GFP_KERNEL order 0 goes on to the OOM killer (which finds no task).
 */
static void test_noretry_costly_oom(void **state)
{
	struct held h = { 0 };
	unsigned long stalls;
	const char *out;
	(void)state;

	boot_attach("mem=64M cpus=2");
	exhaust(&h);

	stalls = vmstat_event("allocstall_");
	capture_begin();
	assert_null(alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN));
	out = capture_end();
	EXPECT_EQ("direct reclaims of a __GFP_NORETRY allocation",
		  vmstat_event("allocstall_") - stalls, 1);
	assert_null(strstr(out, "invoked oom-killer"));

	stalls = vmstat_event("allocstall_");
	capture_begin();
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 4));
	out = capture_end();
	EXPECT_EQ("direct reclaims of a costly order", vmstat_event("allocstall_") - stalls, 1);
	assert_null(strstr(out, "invoked oom-killer"));

	capture_begin();
	assert_null(alloc_pages(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN, 4));
	out = capture_end();
	assert_null(strstr(out, "invoked oom-killer"));

	capture_begin();
	assert_null(alloc_page(GFP_KERNEL | __GFP_NOWARN));
	out = capture_end();
	assert_non_null(strstr(out, "invoked oom-killer"));

	/* GFP_ATOMIC and GFP_NOWAIT never reclaim */
	stalls = vmstat_event("allocstall_");
	assert_null(alloc_page(GFP_ATOMIC | __GFP_NOWARN));
	assert_null(alloc_page(GFP_NOWAIT | __GFP_NOWARN));
	EXPECT_EQ("direct reclaims of GFP_ATOMIC/GFP_NOWAIT", vmstat_event("allocstall_"), stalls);

	held_free_all(&h);
	check_shutdown();
}

struct nofail_ctx {
	struct held h;
	int waiting;		/* CPU 0 is about to allocate */
};

static void nofail_cpu(void *info)
{
	struct nofail_ctx *ctx = info;

	if (smp_processor_id() == 0) {
		struct page *page;

		set(&ctx->waiting, 1);
		page = alloc_page(GFP_KERNEL | __GFP_NOFAIL);
		assert_non_null(page);
		__free_page(page);
	} else {
		/* once CPU 0 is in, give one page back */
		assert_true(wait_ge(&ctx->waiting, 1, LONG_WAIT_S, 1));
		nap_us(20000);
		__free_page(ctx->h.page[--ctx->h.nr]);
	}
}

/* __GFP_NOFAIL with nothing free and nothing to reclaim: it waits for a
 * page instead of failing. */
static void test_nofail_waits(void **state)
{
	struct nofail_ctx ctx = { { 0 }, 0 };
	(void)state;

	boot_attach("mem=64M cpus=2");
	exhaust(&ctx.h);
	mm_cpu_detach();
	printk_set_quiet(1);
	assert_int_equal(mm_on_each_cpu(nofail_cpu, &ctx), 0);
	assert_int_equal(mm_cpu_attach(0), 0);
	held_free_all(&ctx.h);
	check_shutdown();
}

/* vm.drop_caches=1 drops every clean page cache page and keeps dirty ones. */
static void test_drop_caches_pagecache(void **state)
{
	char buf[PAGE_SIZE];
	struct file *file;
	size_t size = 8 << 20;
	loff_t pos = 0;
	(void)state;

	boot_attach("mem=64M cpus=2 disk=64M io_latency_us=0");
	file = file_create("cache", size);
	assert_non_null(file);
	read_file(file, size);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(kernel_write(file, buf, sizeof(buf), &pos), (ssize_t)sizeof(buf));
	assert_true(vmstat_event("nr_file_pages") >= size / PAGE_SIZE);
	EXPECT_EQ("nr_dirty", vmstat_event("nr_dirty"), 1);

	capture_begin();
	assert_int_equal(mm_sysctl_write("vm.drop_caches", "1"), 0);
	assert_contains(capture_end(), "drop_caches: 1");
	EXPECT_EQ("page cache pages left (the dirty one)", vmstat_event("nr_file_pages"), 1);
	EXPECT_EQ("drop_pagecache", vmstat_event("drop_pagecache"), 1);
	/* the dirty page still reads back */
	pos = 0;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(kernel_read(file, buf, sizeof(buf), &pos), (ssize_t)sizeof(buf));
	EXPECT_EQ("a byte of the dirty page", (unsigned char)buf[100], 0x5a);
	file_destroy(file);
	check_shutdown();
}

/*
 * Reclaim meets a page cache page whose lock a writer holds: isolation
 * takes it off its list, shrink_page_list() cannot lock it and puts it
 * back, and the lock stays the writer's until its unlock_page(); then the
 * file goes (truncation locks every page).  Isolation once cleared PG_lru
 * with a plain load and store of page->flags, which put back a PG_locked
 * that an unlock_page() cleared in between: a lock nobody held, and the
 * pagecache job's file_destroy() asleep in lock_page() for ever.  That
 * interleaving is a matter of timing; the write that allowed it is not:
 * a non-atomic flag write on a page others hold is a BUG report at once.
 */
static void test_reclaim_meets_a_locked_page(void **state)
{
	static char buf[PAGE_SIZE];
	unsigned long bugs, scanned;
	struct file *file;
	struct page *page;
	loff_t pos = 0;
	(void)state;

	boot_attach("cpus=1 mem=64M disk=8M io_latency_us=0");
	file = file_create("locked", PAGE_SIZE);
	assert_non_null(file);
	memset(buf, 0x6b, sizeof(buf));
	assert_int_equal(kernel_write(file, buf, sizeof(buf), &pos), (ssize_t)sizeof(buf));
	assert_int_equal(vfs_fsync(file, 0), 0);	/* clean: reclaim would free it */
	page = find_get_page(&file->mapping, 0);
	assert_non_null(page);
	lock_page(page);				/* the writer's */
	assert_true(PageLRU(page));
	bugs = report_count(REPORT_BUG);

	/* the single-page isolation */
	assert_int_equal(isolate_lru_page(page), 0);
	assert_false(PageLRU(page));
	assert_true(PageLocked(page));
	putback_lru_page(page);
	/* vmscan's: the page is scanned, kept, put back */
	scanned = vmstat_event("pgscan_direct");
	EXPECT_EQ("pages reclaimed",
		  try_to_free_pages(&NODE_DATA(0)->node_zonelists[ZONELIST_FALLBACK], 0,
				    GFP_HIGHUSER_MOVABLE, NULL), 0);
	assert_true(vmstat_event("pgscan_direct") > scanned);
	EXPECT_EQ("BUG reports", report_count(REPORT_BUG), bugs);
	assert_true(PageLocked(page));
	assert_true(PageLRU(page));
	EXPECT_EQ("pages cached", file->mapping.nrpages, 1);

	unlock_page(page);
	assert_false(PageLocked(page));
	put_page(page);
	file_destroy(file);				/* locks the page */
	check_shutdown();
}

/* The jobs of reclaim on 16 CPUs over the host's few: it passes, with
 * kswapd and direct reclaim both at work (under TSan: no race). */
static void test_reclaim_run(void **state)
{
	const char *json = tmp_json();
	struct result r;
	json_t *j, *rec;
	(void)state;

	r = run_mmstress("run", "--boot", "mem=32M nodes=2 cpus=16 swap=64M disk=256M",
			 "--jobs", "pagecache,anon,noio-nofs,page-churn", "--ops", "800",
			 "--seed", "16", "--json", json, NULL);
	assert_clean_exit(&r, 0);
	j = load_json(json);
	assert_string_equal(json_string_value(member(j, "result")), "pass");
	rec = member(j, "reclaim");
	assert_true(json_integer_value(member(rec, "pgscan_kswapd")) +
		    json_integer_value(member(rec, "pgscan_direct")) > 0);
	json_decref(j);
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kswapd_low_to_high),
		cmocka_unit_test(test_direct_reclaim_honours_io),
		cmocka_unit_test(test_noretry_costly_oom),
		cmocka_unit_test(test_nofail_waits),
		cmocka_unit_test(test_drop_caches_pagecache),
		cmocka_unit_test(test_reclaim_meets_a_locked_page),
		CLI_TEST(test_reclaim_run),
	};

	if (find_mmstress())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
