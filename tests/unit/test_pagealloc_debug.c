// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_pagealloc_debug.c - debug_pagealloc and page_poison
 * (mm/page_debug.c, numa/fault.c): a write or a read of a freed page
 * faults at once and is reported once, in the kernel's oops shape with the
 * page's last free site, and the CPU goes on (the page is mapped back);
 * page_poison finds a byte written into a free page when the page is
 * allocated again; a SLAB_TYPESAFE_BY_RCU slab's page stays mapped until
 * its grace period, and no longer; the boot parameters.
 */
#include "../testutil.h"
#include <errno.h>
#include <signal.h>
#include "../../mm/internal.h"
#include "../../mm/slab.h"

#define BOOT_DPA	"mem=16M nodes=1 cpus=1 debug_pagealloc=on"
#define BOOT_POISON	"mem=16M nodes=1 cpus=1 page_poison=on"

/* A use after free, as a buggy caller makes it: test-only code. */
static noinline void stray_write(void *addr, unsigned char v)
{
	*(volatile unsigned char *)addr = v;
}

static noinline unsigned char stray_read(const void *addr)
{
	return *(const volatile unsigned char *)addr;
}

static void test_boot_params(void **state)
{
	static const char *const good[] = {
		"debug_pagealloc=on", "debug_pagealloc=off", "debug_pagealloc=1",
		"debug_pagealloc=0", "page_poison=on", "page_poison=off",
		"debug_pagealloc=on page_poison=on",
	};
	static const char *const bad[] = {
		"debug_pagealloc", "debug_pagealloc=yes please", "page_poison=2", "page_poison",
	};
	char line[128];
	(void)state;

	printk_set_quiet(1);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "mem=16M nodes=1 cpus=1 %s", good[i]);
		if (mm_boot(line))
			fail_msg("mm_boot(\"%s\") refused", line);
		EXPECT_EQ(good[i], debug_pagealloc, strstr(good[i], "debug_pagealloc=o") ?
			  !strstr(good[i], "=off") : !!strstr(good[i], "debug_pagealloc=1"));
		EXPECT_EQ(good[i], page_poison, !!strstr(good[i], "page_poison=on"));
		mm_shutdown();
	}
	capture_begin();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "mem=16M nodes=1 cpus=1 \"%s\"", bad[i]);
		EXPECT_EQ(bad[i], mm_boot(line), -EINVAL);
	}
	assert_contains(capture_end(), "expected on or off");
	/* off by default */
	boot_attach("mem=16M nodes=1 cpus=1");
	assert_int_equal(debug_pagealloc, 0);
	assert_int_equal(page_poison, 0);
	check_shutdown();
}

static void test_write_after_free(void **state)
{
	unsigned long bugs, uafs;
	struct page *page;
	char expect[128];
	const char *out;
	char *addr;
	(void)state;

	boot_attach(BOOT_DPA);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(page);
	addr = page_address(page);
	assert_true(page_debug_mapped(page));
	memset(addr, 0x5a, PAGE_SIZE);		/* mapped while allocated */
	__free_pages(page, 0);
	assert_false(page_debug_mapped(page));

	bugs = report_count(REPORT_BUG);
	uafs = page_debug_uaf_reports();
	capture_begin();
	stray_write(addr + 100, 0x11);
	out = capture_end();
	snprintf(expect, sizeof(expect), "BUG: unable to handle page fault for address: %016lx\n",
		 (unsigned long)(addr + 100));
	assert_contains(out, expect);
	assert_contains(out, "#PF: supervisor write access in kernel mode\n");
	assert_contains(out, "#PF: error_code(0x0002) - not-present page\n");
	snprintf(expect, sizeof(expect), "pagealloc: use after free: pfn:%05lx (offset 0x64), page was freed",
		 page_to_pfn(page));
	assert_contains(out, expect);
	assert_contains(out, "page last free site: test_write_after_free+");
	assert_contains(out, "RIP: 0010:stray_write+");
	assert_contains(out, "Call Trace:\n stray_write+");
	EXPECT_EQ("one report", report_count(REPORT_BUG), bugs + 1);
	EXPECT_EQ("one use after free", page_debug_uaf_reports(), uafs + 1);

	/* the access completed, the page stays mapped: reported once */
	assert_int_equal(stray_read(addr + 100), 0x11);
	stray_write(addr + 200, 0x22);
	EXPECT_EQ("still one report", report_count(REPORT_BUG), bugs + 1);
	assert_mm_check_ok();

	/* allocated again (this CPU's list is LIFO) and freed: unmapped again */
	assert_ptr_equal(alloc_pages(GFP_KERNEL, 0), page);
	assert_true(page_debug_mapped(page));
	__free_pages(page, 0);
	assert_false(page_debug_mapped(page));
	check_shutdown();
	/* no report beyond the first */
	EXPECT_EQ("after shutdown", report_count(REPORT_BUG), bugs + 1);
}

static void test_read_after_free(void **state)
{
	unsigned long bugs;
	struct page *page;
	char expect[128];
	const char *out;
	char *addr;
	(void)state;

	boot_attach(BOOT_DPA);
	page = alloc_pages(GFP_KERNEL, 2);
	assert_non_null(page);
	addr = page_address(page);
	memset(addr, 0x5a, 4 * PAGE_SIZE);
	free_pages((unsigned long)addr, 2);
	bugs = report_count(REPORT_BUG);
	capture_begin();
	assert_int_equal(stray_read(addr + 2 * PAGE_SIZE + 8), 0x5a);
	out = capture_end();
	assert_contains(out, "#PF: supervisor read access in kernel mode\n");
	snprintf(expect, sizeof(expect), "freed in an order-2 block at pfn %05lx", page_to_pfn(page));
	assert_contains(out, expect);
	assert_contains(out, "page last free site: test_read_after_free+");
	EXPECT_EQ("one report", report_count(REPORT_BUG), bugs + 1);
	/* the other pages of the block are still unmapped */
	assert_false(page_debug_mapped(page));
	assert_true(page_debug_mapped(page + 2));
	assert_mm_check_ok();
	check_shutdown();
}

static void poison_case(size_t off, const unsigned char *bytes, size_t n, const char *headline,
			const char *dump)
{
	unsigned long bugs;
	struct page *page;
	const char *out;
	char *addr;

	boot_attach(BOOT_POISON);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(page);
	addr = page_address(page);
	__free_pages(page, 0);
	assert_int_equal((unsigned char)addr[0], 0xaa);
	assert_int_equal((unsigned char)addr[PAGE_SIZE - 1], 0xaa);
	for (size_t i = 0; i < n; i++)
		stray_write(addr + off + i, bytes[i]);	/* mapped: no fault */
	bugs = report_count(REPORT_BUG);
	capture_begin();
	assert_ptr_equal(alloc_pages(GFP_KERNEL, 0), page);
	out = capture_end();
	assert_contains(out, headline);
	assert_contains(out, dump);
	assert_contains(out, "was poisoned when freed from poison_case+");
	EXPECT_EQ("one report", report_count(REPORT_BUG), bugs + 1);
	/* handed out all the same; freed again, poisoned again, clean */
	__free_pages(page, 0);
	capture_begin();
	assert_ptr_equal(alloc_pages(GFP_KERNEL, 0), page);
	assert_string_equal(capture_end(), "");
	__free_pages(page, 0);
	assert_mm_check_ok();
	check_shutdown();
}

static void test_page_poison(void **state)
{
	static const unsigned char two[] = { 0x55, 0x00, 0x55 };
	static const unsigned char one[] = { 0xab };
	(void)state;

	poison_case(100, two, sizeof(two), "pagealloc: memory corruption\n", ": 55 00 55 \n");
	poison_case(7, one, sizeof(one), "pagealloc: single bit error\n", ": ab \n");
}

static void test_typesafe_by_rcu_slab(void **state)
{
	struct kmem_cache *c;
	unsigned long bugs;
	struct page *page;
	const char *out;
	char *p;
	(void)state;

	boot_attach(BOOT_DPA);
	c = kmem_cache_create("pd-rcu", 128, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	page = virt_to_page(p);
	memset(p, 0x33, 128);
	kmem_cache_free(c, p);
	assert_int_equal(kmem_cache_shrink(c), 0);
	/* the slab left the cache; a reader may still look: mapped */
	bugs = report_count(REPORT_BUG);
	assert_true(page_debug_mapped(page));
	assert_int_equal(stray_read(p), 0x33);
	EXPECT_EQ("no report before the grace period", report_count(REPORT_BUG), bugs);
	rcu_barrier();
	/* after it, the page is free and unmapped: a read is reported */
	assert_false(page_debug_mapped(page));
	capture_begin();
	stray_read(p);
	out = capture_end();
	/* kmem_freepages() ends in a tail call of __free_pages(): the site
	 * is kmem_freepages()'s caller, or its caller's when inlined */
	if (!strstr(out, "page last free site: kmem_") && !strstr(out, "page last free site: rcu_"))
		fail_msg("expected the RCU callback as the free site in:\n%s", out);
	EXPECT_EQ("one report after it", report_count(REPORT_BUG), bugs + 1);
	kmem_cache_destroy(c);
	assert_mm_check_ok();
	check_shutdown();
}

/* mmstress: a write after free is reported as its kind and the run ends
 * with exit 1, its report and its replay line. */
static void test_harness_write_after_free(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("run", "--quiet", "--ops", "40", "--seed", "1", "--jobs", "page-churn",
			 "--boot", "nodes=1 cpus=2 mem=64M debug_pagealloc=on",
			 "--test-inject", "write-after-free", NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.out, "[use-after-free] cpu 0: BUG: unable to handle page fault for address: ");
	assert_contains(r.out, "replay: ");
	result_free(&r);
}

/* A crash (a wild pointer) still ends with the report and the replay
 * line, then the process dies of the signal.  (TSan: the harness's
 * report is written from a signal handler, which it reports itself.) */
static void test_harness_crash(void **state)
{
	struct result r;
	(void)state;

	if (TSAN_BUILD)
		skip();
	r = run_mmstress("run", "--quiet", "--ops", "40", "--seed", "1", "--jobs", "page-churn",
			 "--boot", "nodes=1 cpus=2 mem=64M", "--test-inject", "wild-write", NULL);
	if (!ASAN_BUILD)	/* ASan's own SEGV report ends it with exit 1 */
		assert_int_equal(r.status, 128 + SIGSEGV);
	/* the console: stderr */
	assert_contains(r.err, "BUG: unable to handle page fault for address: 0000000000000010\n");
	assert_contains(r.err, "Call Trace:\n");
	assert_contains(r.err, " engine_cpu_main+");
	assert_contains(r.out, "mmstress: crashed (signal 11): the run ends here\n");
	assert_contains(r.out, "[crash] cpu 0: Oops: unable to handle page fault for address: 0000000000000010 (fatal signal 11)");
	assert_contains(r.out, "replay: ");
	assert_contains(r.out, "--test-inject wild-write");
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_boot_params),
		TEST(test_write_after_free),
		TEST(test_read_after_free),
		TEST(test_page_poison),
		TEST(test_typesafe_by_rcu_slab),
		TEST(test_harness_write_after_free),
		TEST(test_harness_crash),
	};

	if (find_mmstress()) {
		fprintf(stderr, "no mmstress next to the tests: %s\n", mmstress_path);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
