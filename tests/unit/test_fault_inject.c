// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_fault_inject.c - fault injection (numa/fault_inject.c,
 * mm/fail_alloc.c, mm/debugfs.c): each attribute of fail_page_alloc and
 * failslab does what the kernel's does, with exact counts where its
 * semantics give them (probability 100, interval, times, space, min-order,
 * ignore-gfp-wait, ignore-gfp-highmem, cache-filter, __GFP_NOFAIL); the
 * per-task fail-nth; the boot form; the debugfs files and their defaults;
 * verbose's FAULT_INJECTION lines; an injected failure is silent and no
 * violation; the task's footprint counters.
 */
#include "../testutil.h"
#include <errno.h>

#define BOOT		"mem=64M nodes=1 cpus=1"

static void dw(const char *name, const char *value)
{
	int ret = mm_debugfs_write(name, value);

	if (ret)
		fail_msg("mm_debugfs_write(%s, %s) = %d", name, value, ret);
}

/* A debugfs file's text, without its newline. */
static const char *ds(const char *name)
{
	static char buf[128];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	assert_int_equal(mm_debugfs_show(name, f), 0);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* A counter of fault_stats. */
static unsigned long stat(const char *name)
{
	char buf[256], *p;
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	assert_int_equal(mm_debugfs_show("fault_stats", f), 0);
	fclose(f);
	p = strstr(buf, name);
	assert_non_null(p);
	return strtoul(p + strlen(name) + 1, NULL, 10);
}

/* n allocations of order; how many failed (each success freed at once). */
static int fails_of(int n, gfp_t gfp, unsigned int order)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		struct page *page = alloc_pages(gfp | __GFP_NOWARN, order);

		if (!page)
			failed++;
		else
			__free_pages(page, order);
	}
	return failed;
}

/* fail_page_alloc on, quiet, no limit. */
static void page_on(const char *probability)
{
	dw("fail_page_alloc/verbose", "0");
	dw("fail_page_alloc/times", "-1");
	dw("fail_page_alloc/probability", probability);
}

static void test_defaults(void **state)
{
	static const char *const files[][2] = {
		{ "fail_page_alloc/probability", "0" }, { "fail_page_alloc/interval", "1" },
		{ "fail_page_alloc/times", "1" }, { "fail_page_alloc/space", "0" },
		{ "fail_page_alloc/verbose", "2" }, { "fail_page_alloc/ignore-gfp-wait", "Y" },
		{ "fail_page_alloc/ignore-gfp-highmem", "Y" }, { "fail_page_alloc/min-order", "1" },
		{ "failslab/probability", "0" }, { "failslab/times", "1" },
		{ "failslab/ignore-gfp-wait", "Y" }, { "failslab/cache-filter", "N" },
		{ "failslab/verbose_ratelimit_interval_ms", "0" },
		{ "failslab/verbose_ratelimit_burst", "10" }, { "fail-nth", "0" },
	};
	(void)state;
	boot_attach(BOOT);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (strcmp(ds(files[i][0]), files[i][1]))
			fail_msg("%s is \"%s\", expected \"%s\"", files[i][0], ds(files[i][0]),
				 files[i][1]);
	assert_int_equal(mm_debugfs_show("fail_page_alloc/cache-filter", stdout), -ENOENT);
	assert_int_equal(mm_debugfs_show("nothing", stdout), -ENOENT);
	assert_int_equal(mm_debugfs_write("fail_page_alloc/probability", "101"), -EINVAL);
	assert_int_equal(mm_debugfs_write("fail_page_alloc/probability", "-1"), -EINVAL);
	assert_int_equal(mm_debugfs_write("fail_page_alloc/times", "-2"), -EINVAL);
	assert_int_equal(mm_debugfs_write("failslab/cache-filter", "maybe"), -EINVAL);
	assert_int_equal(mm_debugfs_write("fail_page_alloc/min-order", "12"), -EINVAL);
	assert_int_equal(mm_debugfs_write("fault_stats", "0"), -EPERM);
	assert_int_equal(mm_debugfs_write("fail-nth", "x"), -EINVAL);
	/* probability 0: nothing fails, nothing is a site */
	assert_int_equal(fails_of(20, GFP_ATOMIC, 1), 0);
	check_shutdown();
	assert_int_equal(mm_debugfs_show("fault_stats", stdout), -ENODEV);
}

/* Probability 100 fails every eligible call, and only those: with the
 * defaults, order >= 1 and no __GFP_DIRECT_RECLAIM (ignore-gfp-wait). */
static void test_probability_and_filters(void **state)
{
	(void)state;
	boot_attach(BOOT);
	page_on("100");
	EXPECT_EQ("atomic order 1", fails_of(10, GFP_ATOMIC, 1), 10);
	EXPECT_EQ("atomic order 0 (min-order 1)", fails_of(10, GFP_ATOMIC, 0), 0);
	EXPECT_EQ("GFP_KERNEL (ignore-gfp-wait)", fails_of(10, GFP_KERNEL, 2), 0);
	EXPECT_EQ("__GFP_NOFAIL", fails_of(5, GFP_ATOMIC | __GFP_NOFAIL, 1), 0);
	EXPECT_EQ("sites", stat("fail_page_alloc_sites"), 10);
	EXPECT_EQ("injected", stat("fail_page_alloc_injected"), 10);
	dw("fail_page_alloc/ignore-gfp-wait", "N");
	EXPECT_EQ("GFP_KERNEL, ignore-gfp-wait N", fails_of(10, GFP_KERNEL, 2), 10);
	dw("fail_page_alloc/min-order", "3");
	EXPECT_EQ("order 2 < min-order 3", fails_of(10, GFP_KERNEL, 2), 0);
	EXPECT_EQ("order 3", fails_of(10, GFP_KERNEL, 3), 10);
	dw("fail_page_alloc/min-order", "0");
	EXPECT_EQ("order 0, min-order 0", fails_of(10, GFP_KERNEL, 0), 10);
	EXPECT_EQ("sites", stat("fail_page_alloc_sites"), 40);
	/* an injected failure is silent and is no violation */
	{
		unsigned long before = report_violations();
		const char *out;

		capture_begin();
		assert_null(alloc_pages(GFP_KERNEL, 1));	/* no __GFP_NOWARN */
		out = capture_end();
		assert_string_equal(out, "");
		assert_int_equal(report_violations(), before);
	}
	dw("fail_page_alloc/probability", "0");
	EXPECT_EQ("off again", fails_of(10, GFP_KERNEL, 0), 0);
	check_shutdown();
}

static void test_interval_times_space(void **state)
{
	(void)state;
	boot_attach(BOOT);
	/* interval 3: the 3rd, 6th and 9th eligible calls */
	dw("fail_page_alloc/interval", "3");
	page_on("100");
	EXPECT_EQ("interval 3 of 9", fails_of(9, GFP_ATOMIC, 1), 3);
	{
		int pattern = 0;

		for (int i = 0; i < 6; i++)
			pattern = pattern * 2 + !fails_of(1, GFP_ATOMIC, 1);
		EXPECT_EQ("pass pass fail pass pass fail", pattern, 0x36);
	}
	dw("fail_page_alloc/interval", "1");
	/* times 2: two failures, then none; times reads 0 */
	dw("fail_page_alloc/times", "2");
	EXPECT_EQ("times 2", fails_of(10, GFP_ATOMIC, 1), 2);
	assert_string_equal(ds("fail_page_alloc/times"), "0");
	/* space, in pages for fail_page_alloc (the kernel's 1 << order): 5,
	 * order 1 costs 2: two calls pass (5 > 2, 3 > 2), the third does not
	 * (1 > 2 is false) and fails, as every one after it */
	dw("fail_page_alloc/times", "-1");
	dw("fail_page_alloc/space", "5");
	EXPECT_EQ("space: first", fails_of(1, GFP_ATOMIC, 1), 0);
	EXPECT_EQ("space: second", fails_of(1, GFP_ATOMIC, 1), 0);
	EXPECT_EQ("space: then every one", fails_of(5, GFP_ATOMIC, 1), 5);
	assert_string_equal(ds("fail_page_alloc/space"), "1");
	dw("fail_page_alloc/probability", "0");
	check_shutdown();
}

static void test_highmem(void **state)
{
	(void)state;
	boot_attach("arch=x86_32 mem=1G nodes=1 cpus=1");
	page_on("100");
	EXPECT_EQ("highmem ignored", fails_of(5, GFP_HIGHUSER & ~__GFP_DIRECT_RECLAIM, 1), 0);
	dw("fail_page_alloc/ignore-gfp-highmem", "N");
	EXPECT_EQ("highmem, N", fails_of(5, GFP_HIGHUSER & ~__GFP_DIRECT_RECLAIM, 1), 5);
	dw("fail_page_alloc/probability", "0");
	check_shutdown();
}

static int slab_fails(struct kmem_cache *c, int n, gfp_t gfp)
{
	int failed = 0;

	for (int i = 0; i < n; i++) {
		void *p = kmem_cache_alloc(c, gfp | __GFP_NOWARN);

		if (!p)
			failed++;
		else
			kmem_cache_free(c, p);
	}
	return failed;
}

static void test_failslab(void **state)
{
	struct kmem_cache *a, *b;
	(void)state;
	boot_attach(BOOT);
	a = kmem_cache_create("fi-a", 64, 0, 0, NULL);
	b = kmem_cache_create("fi-b", 64, 0, SLAB_FAILSLAB, NULL);
	assert_non_null(a);
	assert_non_null(b);
	dw("failslab/verbose", "0");
	dw("failslab/times", "-1");
	dw("failslab/probability", "100");
	EXPECT_EQ("GFP_ATOMIC", slab_fails(a, 8, GFP_ATOMIC), 8);
	EXPECT_EQ("GFP_KERNEL (ignore-gfp-wait)", slab_fails(a, 8, GFP_KERNEL), 0);
	EXPECT_EQ("kmalloc atomic", !kmalloc(100, GFP_ATOMIC | __GFP_NOWARN), 1);
	EXPECT_EQ("__GFP_NOFAIL", slab_fails(a, 3, GFP_ATOMIC | __GFP_NOFAIL), 0);
	dw("failslab/cache-filter", "Y");
	EXPECT_EQ("filtered out", slab_fails(a, 8, GFP_ATOMIC), 0);
	EXPECT_EQ("SLAB_FAILSLAB", slab_fails(b, 8, GFP_ATOMIC), 8);
	assert_string_equal(ds("slab/fi-a/failslab"), "0");
	dw("slab/fi-a/failslab", "1");
	EXPECT_EQ("sysfs failslab 1", slab_fails(a, 8, GFP_ATOMIC), 8);
	assert_int_equal(mm_debugfs_write("slab/no-such-cache/failslab", "1"), -ENOENT);
	assert_int_equal(mm_debugfs_write("slab/fi-a/failslab", "2"), -EINVAL);
	EXPECT_EQ("failslab sites", stat("failslab_sites"), 8 + 1 + 8 + 8);
	EXPECT_EQ("failslab injected", stat("failslab_injected"), 8 + 1 + 8 + 8);
	dw("failslab/probability", "0");
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	check_shutdown();
}

/* fail-nth: the N-th fault site fails, whatever the probability (0), and
 * only in task context; reading gives the sites left, 0 once it fired. */
static void test_fail_nth(void **state)
{
	unsigned long injected;
	(void)state;
	boot_attach(BOOT);
	dw("fail_page_alloc/verbose", "0");
	injected = current->fail_injected;
	dw("fail-nth", "3");
	EXPECT_EQ("not a site (order 0 < min-order)", fails_of(4, GFP_ATOMIC, 0), 0);
	assert_string_equal(ds("fail-nth"), "3");
	EXPECT_EQ("site 1", fails_of(1, GFP_ATOMIC, 1), 0);
	assert_string_equal(ds("fail-nth"), "2");
	EXPECT_EQ("site 2", fails_of(1, GFP_ATOMIC, 1), 0);
	EXPECT_EQ("site 3", fails_of(1, GFP_ATOMIC, 1), 1);
	assert_string_equal(ds("fail-nth"), "0");
	EXPECT_EQ("and no more", fails_of(5, GFP_ATOMIC, 1), 0);
	EXPECT_EQ("counted for the task", current->fail_injected - injected, 1);
	/* times is consumed by a fail-nth failure too (as the kernel's) */
	assert_string_equal(ds("fail_page_alloc/times"), "0");
	/* disarmed by writing 0 */
	dw("fail-nth", "1");
	dw("fail-nth", "0");
	EXPECT_EQ("disarmed", fails_of(3, GFP_ATOMIC, 1), 0);
	/* slab sites count in the same sequence */
	dw("failslab/verbose", "0");
	dw("fail-nth", "2");
	{
		void *p = kmalloc(64, GFP_ATOMIC | __GFP_NOWARN);	/* site 1 */
		void *q = kmalloc(64, GFP_ATOMIC | __GFP_NOWARN);	/* site 2 */

		assert_non_null(p);
		assert_null(q);
		kfree(p);
	}
	check_shutdown();
}

static void test_verbose(void **state)
{
	const char *out;
	(void)state;
	boot_attach(BOOT);
	dw("fail_page_alloc/verbose", "1");
	dw("fail_page_alloc/times", "-1");
	dw("fail_page_alloc/probability", "100");
	capture_begin();
	assert_null(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 1));
	out = capture_end();
	assert_contains(out, "FAULT_INJECTION: forcing a failure.\n"
			     "name fail_page_alloc, interval 1, probability 100, space 0, times -1\n");
	assert_null(strstr(out, "Call Trace:"));
	dw("fail_page_alloc/verbose", "2");
	capture_begin();
	assert_null(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 1));
	out = capture_end();
	assert_contains(out, "FAULT_INJECTION: forcing a failure.");
	assert_contains(out, "Call Trace:");
	assert_contains(out, "should_fail");
	dw("fail_page_alloc/verbose", "0");
	capture_begin();
	assert_null(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 1));
	out = capture_end();
	assert_string_equal(out, "");
	dw("fail_page_alloc/probability", "0");
	check_shutdown();
}

static void test_boot_form(void **state)
{
	static const char *const bad[] = {
		"fail_page_alloc", "fail_page_alloc=1,100,0", "fail_page_alloc=1,101,0,1",
		"failslab=a,b,c,d", "failslab=1,10,0,-2", "fail_page_alloc=1,10,0,1,5",
	};
	(void)state;
	printk_set_quiet(1);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret;

		capture_begin();
		ret = mm_boot(bad[i]);
		capture_end();
		if (ret != -EINVAL)
			fail_msg("mm_boot(\"%s\") = %d, expected -EINVAL", bad[i], ret);
	}
	boot_attach(BOOT " fail_page_alloc=2,100,0,3 failslab=1,50,4096,-1");
	assert_string_equal(ds("fail_page_alloc/interval"), "2");
	assert_string_equal(ds("fail_page_alloc/probability"), "100");
	assert_string_equal(ds("fail_page_alloc/times"), "3");
	assert_string_equal(ds("failslab/probability"), "50");
	assert_string_equal(ds("failslab/space"), "4096");
	assert_string_equal(ds("failslab/times"), "-1");
	dw("fail_page_alloc/verbose", "0");
	/* interval 2, times 3: calls 2, 4 and 6 of 10 */
	EXPECT_EQ("boot: interval 2, times 3", fails_of(10, GFP_ATOMIC, 1), 3);
	dw("failslab/probability", "0");
	check_shutdown();
	/* the next boot starts from the defaults */
	boot_attach(BOOT);
	assert_string_equal(ds("fail_page_alloc/probability"), "0");
	assert_string_equal(ds("fail_page_alloc/interval"), "1");
	check_shutdown();
}

/* What the task holds: pages and objects it took minus what it gave back;
 * a slab's own pages are the cache's, not the task's. */
static void test_footprint(void **state)
{
	long pages, objects;
	struct page *p;
	void *o[40];
	(void)state;
	boot_attach(BOOT);
	pages = current->fp_pages;
	objects = current->fp_objects;
	p = alloc_pages(GFP_KERNEL, 3);
	assert_non_null(p);
	EXPECT_EQ("order 3", current->fp_pages - pages, 8);
	for (int i = 0; i < 40; i++) {
		o[i] = kmalloc(1000, GFP_KERNEL);
		assert_non_null(o[i]);
	}
	EXPECT_EQ("slab pages not the task's", current->fp_pages - pages, 8);
	EXPECT_EQ("objects", current->fp_objects - objects, 40);
	__free_pages(p, 3);
	for (int i = 0; i < 40; i++)
		kfree(o[i]);
	EXPECT_EQ("pages back", current->fp_pages - pages, 0);
	EXPECT_EQ("objects back", current->fp_objects - objects, 0);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_defaults),
		TEST(test_probability_and_filters),
		TEST(test_interval_times_space),
		TEST(test_highmem),
		TEST(test_failslab),
		TEST(test_fail_nth),
		TEST(test_verbose),
		TEST(test_boot_form),
		TEST(test_footprint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
