// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_swap.c - the swap area (mm/swapfile.c) and tasks'
 * anonymous memory (mm/memory.c) on small machines (mem=64M swap=64M):
 * next-fit slots, references, the kernel's reports of bad entries (refused,
 * mm_check() clean), a full area, a page's round trip through the device
 * (lowmem and highmem), /proc/swaps and meminfo; a task's page faulted in
 * zeroed, swapped out by try_to_unmap_anon() (refused while pinned) and
 * read back intact; an OOM victim's -EINTR and reaping; mm_task_exit()
 * giving back every page and slot; mm_check() finding a leaked slot.
 */
#include "../testutil.h"

#include <errno.h>

#include "../../mm/reclaim.h"

#define SWAP_BOOT	"cpus=2 mem=64M swap=64M io_latency_us=0"

static swp_entry_t entry_of(unsigned long val)
{
	swp_entry_t e = { val };

	return e;
}

static unsigned long event(enum vm_event_item item)
{
	unsigned long ev[NR_VM_EVENT_ITEMS];

	all_vm_events(ev);
	return ev[item];
}

static void test_slots_next_fit_and_references(void **state)
{
	swp_entry_t a, b, c, d;
	char *text;
	(void)state;

	boot_attach(SWAP_BOOT);
	assert_int_equal(total_swap_pages, 16384);
	assert_int_equal(get_nr_swap_pages(), 16384);
	a = get_swap_page();
	b = get_swap_page();
	c = get_swap_page();
	assert_int_equal(a.val, 1);
	assert_int_equal(b.val, 2);
	assert_int_equal(c.val, 3);
	swap_free(b);
	d = get_swap_page();
	assert_int_equal(d.val, 4);		/* next fit: not the hole behind */
	assert_int_equal(get_nr_swap_pages(), 16384 - 3);
	swap_duplicate(a);
	assert_int_equal(swap_entry_count(a), 2);
	swap_free(a);
	assert_int_equal(swap_entry_count(a), 1);
	assert_int_equal(get_nr_swap_pages(), 16384 - 3);
	swap_free(a);
	assert_int_equal(swap_entry_count(a), 0);
	assert_int_equal(get_nr_swap_pages(), 16384 - 2);

	text = proc_text("swaps");
	assert_string_equal(text, "Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n"
			    "/dev/mmsim-swap                         partition\t65536\t8\t-2\n");
	free(text);
	text = proc_text("meminfo");
	assert_contains(text, "SwapTotal:         65536 kB\n");
	assert_contains(text, "SwapFree:          65528 kB\n");
	free(text);
	swap_free(c);
	swap_free(d);
	assert_int_equal(get_nr_swap_pages(), 16384);
	check_shutdown();
}

static void test_bad_entries_reported_and_refused(void **state)
{
	unsigned long bugs;
	const char *out;
	swp_entry_t a;
	(void)state;

	boot_attach(SWAP_BOOT);
	a = get_swap_page();
	bugs = report_count(REPORT_BUG);
	capture_begin();
	swap_free(entry_of(0));			/* no entry: silently nothing */
	out = capture_end();
	assert_string_equal(out, "");
	assert_int_equal(report_count(REPORT_BUG), bugs);

	capture_begin();
	swap_free(entry_of(100000));
	out = capture_end();
	assert_contains(out, "swap_info_get: Bad swap offset entry 000186a0\n");
	capture_begin();
	swap_free(entry_of(a.val + 1));		/* never handed out */
	out = capture_end();
	assert_contains(out, "swap_info_get: Unused swap offset entry 00000002\n");
	capture_begin();
	swap_duplicate(entry_of(7));
	out = capture_end();
	assert_contains(out, "swap_dup: Unused swap offset entry 00000007\n");
	assert_int_equal(report_count(REPORT_BUG), bugs + 3);
	assert_int_equal(swap_entry_count(entry_of(7)), 0);
	assert_int_equal(swap_entry_count(a), 1);
	assert_int_equal(get_nr_swap_pages(), 16383);
	swap_free(a);
	capture_begin();
	swap_free(a);				/* twice: a double free */
	out = capture_end();
	assert_contains(out, "swap_info_get: Unused swap offset entry 00000001\n");
	assert_int_equal(get_nr_swap_pages(), 16384);
	check_shutdown();
}

static void test_no_swap(void **state)
{
	const char *out;
	char *text;
	(void)state;

	boot_attach("cpus=2 mem=64M");
	assert_int_equal(total_swap_pages, 0);
	assert_int_equal(get_swap_page().val, 0);
	capture_begin();
	swap_free(entry_of(1));
	out = capture_end();
	assert_contains(out, "swap_info_get: Bad swap file entry 00000001\n");
	text = proc_text("swaps");
	assert_string_equal(text, "Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n");
	free(text);
	check_shutdown();
}

static void test_full_area(void **state)
{
	unsigned long n = 0;
	swp_entry_t e;
	(void)state;

	boot_attach("cpus=2 mem=64M swap=1M");
	assert_int_equal(total_swap_pages, 256);
	while ((e = get_swap_page()).val) {
		assert_int_equal(e.val, n + 1);
		n++;
	}
	assert_int_equal(n, 256);
	assert_int_equal(get_nr_swap_pages(), 0);
	assert_int_equal(get_swap_page().val, 0);
	swap_free(entry_of(100));
	assert_int_equal(get_swap_page().val, 100);	/* the only free one */
	for (unsigned long v = 1; v <= 256; v++)
		swap_free(entry_of(v));
	assert_int_equal(get_nr_swap_pages(), 256);
	check_shutdown();
}

static void round_trip(struct page *page)
{
	struct mm_io_stats before, after;
	unsigned long out0 = event(PSWPOUT), in0 = event(PSWPIN);
	unsigned long pgout0 = event(PGPGOUT), pgin0 = event(PGPGIN);
	swp_entry_t e = get_swap_page();
	unsigned long *p;

	assert_int_not_equal(e.val, 0);
	mm_io_stats_current(&before);
	p = kmap(page);
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = block_pattern(page, 0, i);
	assert_int_equal(swap_writepage(page, e), 0);
	memset(p, 0, PAGE_SIZE);
	assert_int_equal(swap_readpage(page, e), 0);
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		if (p[i] != block_pattern(page, 0, i))
			fail_msg("word %zu: %#lx, expected %#lx", i, p[i], block_pattern(page, 0, i));
	kunmap(page);
	mm_io_stats_current(&after);
	assert_int_equal(after.swap_out - before.swap_out, 1);
	assert_int_equal(after.swap_in - before.swap_in, 1);
	assert_int_equal(event(PSWPOUT) - out0, 1);
	assert_int_equal(event(PSWPIN) - in0, 1);
	assert_int_equal(event(PGPGOUT) - pgout0, 8);	/* sectors: 4 kB in vmstat */
	assert_int_equal(event(PGPGIN) - pgin0, 8);
	swap_free(e);
}

static void test_writepage_readpage_round_trip(void **state)
{
	struct page *page;
	char *text;
	(void)state;

	boot_attach(SWAP_BOOT);
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	round_trip(page);
	__free_page(page);
	text = proc_text("vmstat");
	assert_contains(text, "pswpin 1\npswpout 1\n");
	free(text);
	check_shutdown();

	/* a highmem page: through kmap_atomic() */
	boot_attach("arch=x86_32 cpus=2 mem=1G swap=64M io_latency_us=0");
	page = alloc_pages_node((int)num_online_nodes() - 1, GFP_HIGHUSER, 0);
	assert_non_null(page);
	assert_true(PageHighMem(page));
	round_trip(page);
	__free_page(page);
	check_shutdown();
}

/* Reclaim's side, as shrink_page_list() does it: isolate, lock, unmap,
 * free; the result of try_to_unmap_anon(). */
static int reclaim_one(struct page *page)
{
	int ret;

	assert_int_equal(isolate_lru_page(page), 0);
	assert_true(trylock_page(page));
	ret = try_to_unmap_anon(page);
	unlock_page(page);
	if (ret) {
		putback_lru_page(page);
		return ret;
	}
	assert_int_equal(page_ref_count(page), 1);
	mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_ISOLATED_ANON, -1);
	put_page(page);
	return 0;
}

static uint64_t word_of(unsigned long idx, unsigned int version)
{
	return (idx + 1) * 0x9e3779b97f4a7c15ULL ^ version;
}

static void write_page(struct mm_struct *mm, unsigned long idx, unsigned int version)
{
	uint64_t *p;

	assert_int_equal(mm_task_access(mm, idx, 1, GFP_HIGHUSER_MOVABLE, (void **)&p), 0);
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = word_of(idx, version) + i;
	mm_task_release(mm, idx, p);
}

static void check_page(struct mm_struct *mm, unsigned long idx, unsigned int version)
{
	uint64_t *p;

	assert_int_equal(mm_task_access(mm, idx, 0, GFP_HIGHUSER_MOVABLE, (void **)&p), 0);
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		if (p[i] != word_of(idx, version) + i)
			fail_msg("page %lu word %zu: %#llx, expected %#llx", idx, i,
				 (unsigned long long)p[i],
				 (unsigned long long)(word_of(idx, version) + i));
	mm_task_release(mm, idx, p);
}

static struct page *pte_page_of(struct mm_struct *mm, unsigned long idx)
{
	unsigned long pte = mm->ptes[idx];

	assert_true(pte && !(pte & 1));
	return (struct page *)pte;
}

static void test_task_page_swapped_out_and_back(void **state)
{
	struct mm_task_info info;
	struct mm_struct *mm;
	struct page *page;
	uint64_t *p;
	(void)state;

	boot_attach(SWAP_BOOT);
	mm = mm_task_create("swapper", 64, 0);
	assert_non_null(mm);
	/* a first touch: a zeroed page */
	assert_int_equal(mm_task_access(mm, 5, 0, GFP_HIGHUSER_MOVABLE, (void **)&p), 0);
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		assert_int_equal(p[i], 0);
	mm_task_release(mm, 5, p);
	write_page(mm, 5, 1);
	page = pte_page_of(mm, 5);
	assert_true(PageLRU(page));
	assert_true(PageActive(page));
	assert_true(PageSwapBacked(page));
	assert_true(PageAnon(page));
	assert_true(PageDirty(page));
	assert_ptr_equal(page_anon_mm(page), mm);
	assert_int_equal(page->index, 5);
	assert_int_equal(page_ref_count(page), 1);
	mm_task_info(mm, &info);
	assert_int_equal(info.anon_rss, 1);
	assert_int_equal(info.swapents, 0);
	assert_int_equal(info.pgtables_bytes, 4096);

	/* pinned: refused */
	assert_int_equal(mm_task_access(mm, 5, 0, GFP_HIGHUSER_MOVABLE, (void **)&p), 0);
	assert_int_equal(reclaim_one(page), -EAGAIN);
	assert_ptr_equal(pte_page_of(mm, 5), page);
	mm_task_release(mm, 5, p);

	/* unpinned: out to its slot, the pte an entry, the page freed */
	assert_int_equal(reclaim_one(page), 0);
	assert_int_equal(mm->ptes[5] & 1, 1);
	assert_int_equal(get_nr_swap_pages(), 16383);
	mm_task_info(mm, &info);
	assert_int_equal(info.anon_rss, 0);
	assert_int_equal(info.swapents, 1);
	assert_mm_check_ok();

	/* and back, intact, its slot freed */
	check_page(mm, 5, 1);
	mm_task_info(mm, &info);
	assert_int_equal(info.anon_rss, 1);
	assert_int_equal(info.swapents, 0);
	assert_int_equal(get_nr_swap_pages(), 16384);
	assert_int_equal(event(PSWPOUT), 1);
	assert_int_equal(event(PSWPIN), 1);
	assert_int_equal(event(PGMAJFAULT), 1);
	assert_mm_check_ok();
	mm_task_exit(mm);
	check_shutdown();
}

static void test_task_exit_gives_everything_back(void **state)
{
	struct mm_struct *mm;
	long before;
	(void)state;

	boot_attach(SWAP_BOOT);
	/* warm the caches the struct and its tables come from */
	mm = mm_task_create("warm", 600, 0);
	assert_non_null(mm);
	mm_task_exit(mm);
	drain_local_pages(NULL);
	before = allocated_pages();

	mm = mm_task_create("exiting", 600, 0);
	assert_non_null(mm);
	assert_int_equal(mm_pgtables_bytes(mm), 8192);
	for (unsigned long idx = 0; idx < 600; idx++)
		write_page(mm, idx, 2);
	for (unsigned long idx = 0; idx < 600; idx += 2)
		assert_int_equal(reclaim_one(pte_page_of(mm, idx)), 0);
	assert_int_equal(get_nr_swap_pages(), 16384 - 300);
	assert_true(allocated_pages() >= before + 300);
	for (unsigned long idx = 0; idx < 600; idx += 3)
		check_page(mm, idx, 2);
	assert_mm_check_ok();
	mm_task_exit(mm);
	drain_local_pages(NULL);
	assert_int_equal(allocated_pages(), before);
	assert_int_equal(get_nr_swap_pages(), 16384);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), 0);
	check_shutdown();
}

static void test_oom_victim_and_reaper(void **state)
{
	struct mm_task_info info;
	struct mm_struct *mm;
	void *p, *pin;
	(void)state;

	boot_attach(SWAP_BOOT);
	mm = mm_task_create("victim", 32, 500);
	assert_non_null(mm);
	for (unsigned long idx = 0; idx < 8; idx++)
		write_page(mm, idx, 3);
	assert_int_equal(reclaim_one(pte_page_of(mm, 0)), 0);
	assert_int_equal(mm_task_access(mm, 1, 0, GFP_HIGHUSER_MOVABLE, &pin), 0);
	__atomic_fetch_or(&mm->flags, 1UL << MMF_OOM_VICTIM, __ATOMIC_RELAXED);
	assert_true(mm_task_oom_killed(mm));
	assert_int_equal(mm_task_access(mm, 2, 0, GFP_HIGHUSER_MOVABLE, &p), -EINTR);
	assert_int_equal(mm_task_access(mm, 0, 0, GFP_HIGHUSER_MOVABLE, &p), -EINTR);
	assert_int_equal(mm_task_access(mm, 20, 0, GFP_HIGHUSER_MOVABLE, &p), -EINTR);
	assert_int_equal(oom_reap_mm(mm), 7);
	assert_true(mm->flags & (1UL << MMF_OOM_SKIP));
	mm_task_info(mm, &info);
	assert_int_equal(info.anon_rss, 0);
	assert_int_equal(info.swapents, 0);
	assert_int_equal(info.oom_score_adj, 500);
	assert_true(info.oom_killed);
	assert_int_equal(get_nr_swap_pages(), 16384);
	assert_mm_check_ok();
	/* the pinned page went with its pte, and goes with its pin */
	mm_task_release(mm, 1, pin);
	mm_task_exit(mm);
	check_shutdown();
}

/* The race reclaim has with a task's own accesses: CPU 1 writes and
 * checks its pages while CPU 0 swaps random ones out; a page swapped out
 * while pinned (written after its copy) would come back stale. */
struct race {
	struct mm_struct *mm;
	unsigned long mismatches, accesses;
	int stop;			/* atomic */
};

#define RACE_PAGES	32

static void race_accessor(struct cpu_job *job)
{
	struct race *rc = job->arg;
	unsigned int version[RACE_PAGES] = { 0 };
	unsigned long long seed = 42;

	/* until CPU 0 has swapped enough pages out under it */
	while (!__atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE)) {
		unsigned long idx = next_rand(&seed) % RACE_PAGES;
		uint64_t *p;

		if (mm_task_access(rc->mm, idx, 1, GFP_HIGHUSER_MOVABLE, (void **)&p))
			continue;
		for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i += 64)
			if (p[i] != (version[idx] ? word_of(idx, version[idx]) + i : 0))
				rc->mismatches++;
		version[idx]++;
		for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i++)
			p[i] = word_of(idx, version[idx]) + i;
		mm_task_release(rc->mm, idx, p);
		__atomic_fetch_add(&rc->accesses, 1, __ATOMIC_RELAXED);
		cond_resched();
	}
}

static void test_reclaim_races_the_task(void **state)
{
	unsigned long long seed = 7;
	unsigned long swapped = 0, busy = 0;
	struct race rc = { 0 };
	struct cpu_job job;
	(void)state;

	boot_attach(SWAP_BOOT);
	rc.mm = mm_task_create("raced", RACE_PAGES, 0);
	assert_non_null(rc.mm);
	cpu_job_start(&job, 1, race_accessor, &rc);
	/* a count of swap-outs and of accesses, not a time: see the map */
	double end = now_s() + LONG_WAIT_S;

	while (swapped < 200 || __atomic_load_n(&rc.accesses, __ATOMIC_RELAXED) < 2000) {
		unsigned long idx = next_rand(&seed) % RACE_PAGES, flags, pte;

		if (now_s() > end)
			fail_msg("%lu swapped, %lu accesses after %.0f s", swapped,
				 __atomic_load_n(&rc.accesses, __ATOMIC_RELAXED), LONG_WAIT_S);
		struct page *page = NULL;
		int ret;

		spin_lock_irqsave(&rc.mm->page_table_lock, flags);
		pte = rc.mm->ptes[idx];
		if (pte && !(pte & 1)) {
			page = (struct page *)pte;
			get_page(page);
		}
		spin_unlock_irqrestore(&rc.mm->page_table_lock, flags);
		if (!page) {
			cond_resched();
			continue;
		}
		if (isolate_lru_page(page)) {
			put_page(page);
			continue;
		}
		put_page(page);			/* the isolation's is enough */
		if (!trylock_page(page)) {
			putback_lru_page(page);
			continue;
		}
		ret = try_to_unmap_anon(page);
		unlock_page(page);
		if (ret) {
			busy++;
			putback_lru_page(page);
		} else {
			swapped++;
			mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_ISOLATED_ANON, -1);
			put_page(page);
		}
		cond_resched();
	}
	__atomic_store_n(&rc.stop, 1, __ATOMIC_RELEASE);
	cpu_job_join(&job);
	EXPECT_EQ("pages read back stale or torn", rc.mismatches, 0);
	assert_true(swapped > 0);
	assert_mm_check_ok();
	mm_task_exit(rc.mm);
	assert_int_equal(get_nr_swap_pages(), 16384);
	check_shutdown();
	(void)busy;
}

static void test_task_misuse_refused(void **state)
{
	struct mm_struct *mm;
	unsigned long bugs;
	const char *out;
	char local[64];
	void *p;
	(void)state;

	boot_attach(SWAP_BOOT);
	assert_null(mm_task_create("none", 0, 0));
	assert_null(mm_task_create("adj", 4, 1001));
	mm = mm_task_create("misused", 4, 0);
	assert_non_null(mm);
	assert_int_equal(mm_task_access(mm, 4, 0, GFP_HIGHUSER_MOVABLE, &p), -EINVAL);
	assert_int_equal(mm_task_access(mm, 1, 1, GFP_HIGHUSER_MOVABLE, &p), 0);
	bugs = report_count(REPORT_BUG);
	capture_begin();
	mm_task_release(mm, 2, p);		/* not page 2's */
	mm_task_release(mm, 1, local);		/* not a page of the machine */
	out = capture_end();
	assert_int_equal(report_count(REPORT_BUG), bugs + 2);
	assert_contains(out, "BUG: mm_task_release(misused, 2, ");
	assert_int_equal(page_ref_count(pte_page_of(mm, 1)), 2);	/* still pinned */
	mm_task_release(mm, 1, p);
	assert_int_equal(page_ref_count(pte_page_of(mm, 1)), 1);
	assert_mm_check_ok();
	mm_task_exit(mm);
	check_shutdown();
}

/* What mm_anon_check() finds in a task: its counts against its ptes, an
 * entry whose slot is free, a page that names another task. */
static void test_mm_check_finds_task_damage(void **state)
{
	struct mm_struct *mm;
	struct page *page;
	const char *why;
	void *saved;
	(void)state;

	boot_attach(SWAP_BOOT);
	mm = mm_task_create("damaged", 8, 0);
	assert_non_null(mm);
	write_page(mm, 0, 1);
	assert_mm_check_ok();

	mm->rss[MM_ANONPAGES]++;
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "(damaged): 1 page present, 0 in swap, counted 2 and 0");
	mm->rss[MM_ANONPAGES]--;

	mm->ptes[3] = 5UL << 1 | 1;		/* slot 4 (entry 5): free */
	mm->rss[MM_SWAPENTS]++;
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "page 3: swap entry 00000005 is not in use");
	assert_contains(why, "the swap area holds 0 references, the tasks 1 swap entry");
	mm->ptes[3] = 0;
	mm->rss[MM_SWAPENTS]--;

	page = pte_page_of(mm, 0);
	saved = page->mapping;
	page->index = 1;
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "(damaged) page 0: pfn ");
	page->index = 0;
	assert_ptr_equal(page->mapping, saved);
	assert_mm_check_ok();
	mm_task_exit(mm);
	check_shutdown();
}

/* A leaked slot (a reference no task holds) is what mm_check() finds. */
static void test_mm_check_finds_a_leaked_slot(void **state)
{
	const char *why;
	swp_entry_t e;
	(void)state;

	boot_attach(SWAP_BOOT);
	e = get_swap_page();
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "mm_check: anon: the swap area holds 1 reference, the tasks 0 swap "
			"entries and swap-ins 0");
	swap_free(e);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_slots_next_fit_and_references),
		TEST(test_bad_entries_reported_and_refused),
		TEST(test_no_swap),
		TEST(test_full_area),
		TEST(test_writepage_readpage_round_trip),
		TEST(test_mm_check_finds_a_leaked_slot),
		TEST(test_task_page_swapped_out_and_back),
		TEST(test_task_exit_gives_everything_back),
		TEST(test_oom_victim_and_reaper),
		TEST(test_reclaim_races_the_task),
		TEST(test_task_misuse_refused),
		TEST(test_mm_check_finds_task_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
