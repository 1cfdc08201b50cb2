// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_kmemleak.c - kmemleak (kmemleak=on): an object nobody
 * points to is reported with its size and allocation site, and so is
 * what only a leaked object points to; a pointer in a global, in a grey
 * (registered) block, on a stopped CPU's stack or into an object's middle
 * keeps it; min_count 0 and -1, kmemleak_no_scan(), scan areas, clear,
 * the minimum age, vmalloc's two references, mempool's reserve slot,
 * misuse reported and refused, and the debugfs file's -EBUSY when off.
 *
 * A test keeps what it must not reference as an address xor'ed with a
 * mask: a value no scan takes for a pointer; and it scrubs the stack below
 * it before a scan (scrub_stack()).
 */
#include "../testutil.h"
#include <errno.h>
#include <mmsim/kmemleak.h>

/* hz_scale: 5 s of jiffies (the minimum age) pass in 5 ms */
#define BOOT	"mem=64M nodes=1 cpus=2 kmemleak=on hz_scale=1000"
#define MASK	0x5a5a5a5a5a5a5a5aUL

static unsigned long hide(const void *p)
{
	return (unsigned long)p ^ MASK;
}

static void *unhide(unsigned long h)
{
	return (void *)(h ^ MASK);
}

/* Booted, with the periodic scan thread idle: the tests' scans only. */
static void boot_kmemleak(const char *cmdline)
{
	boot_attach(cmdline);
	assert_int_equal(mm_debugfs_write("kmemleak", "scan=0"), 0);
}

/* Until the objects allocated so far are old enough to be reported. */
static void age_past_minimum(void)
{
	unsigned long start = jiffies;

	while (time_before(jiffies, start + msecs_to_jiffies(5000) + 1))
		nap_us(1000);
}

/* The listing; valid until the next call. */
static const char *leaks_text(void)
{
	static char *buf;

	free(buf);
	buf = debugfs_text("kmemleak");
	return buf;
}

/*
 * Zero the stack below the caller: the dead frames of the helpers that
 * allocated are gone, so no stale copy in the padding of the frames the
 * scan is called through (which it reads: they are the caller's stack,
 * as the kernel's) hides a leak.
 */
static noinline void scrub_stack(void)
{
	volatile char buf[32768];

	memset((char *)buf, 0, sizeof(buf));
}

/*
 * A scan (its console line captured), then the debugfs listing.  The scan
 * runs from this thread detached (no CPU: its stack is not scanned), so
 * that nothing the test's own frames once held counts; a scan from an
 * attached CPU is test_scanning_cpu_stack()'s.
 */
static noinline const char *scan_and_show(void)
{
	int cpu = current->cpu;

	scrub_stack();
	if (cpu >= 0)
		mm_cpu_detach();
	capture_begin();
	assert_int_equal(mm_debugfs_write("kmemleak", "scan"), 0);
	capture_end();
	if (cpu >= 0)
		assert_int_equal(mm_cpu_attach((unsigned int)cpu), 0);
	return leaks_text();
}

/*
 * Run fn on CPU 1, a thread that is gone when this returns: what it
 * allocated is referenced from nowhere but where fn put it (no stale copy
 * on a stack that a scan reads).
 */
struct on_cpu1 {
	void (*fn)(unsigned long *h);
	unsigned long h[8];		/* hidden results */
};

static void on_cpu1_main(struct cpu_job *job)
{
	struct on_cpu1 *w = job->arg;

	w->fn(w->h);
}

static void run_on_cpu1(void (*fn)(unsigned long *h), unsigned long *h)
{
	struct on_cpu1 w = { .fn = fn };
	struct cpu_job job;

	cpu_job_start(&job, 1, on_cpu1_main, &w);
	cpu_job_join(&job);
	memcpy(h, w.h, sizeof(w.h));
}

/* Whether the text lists the object whose hidden address is h. */
static noinline int reported_h(const char *text, unsigned long h)
{
	char line[64];

	snprintf(line, sizeof(line), "unreferenced object 0x%08lx ", h ^ MASK);
	return strstr(text, line) != NULL;
}

static int reported(const char *text, const void *p)
{
	char line[64];

	snprintf(line, sizeof(line), "unreferenced object 0x%08lx ", (unsigned long)p);
	return strstr(text, line) != NULL;
}

/* Free what h hides (after the checks: the raw pointer appears here). */
static noinline void kfree_h(unsigned long h)
{
	kfree(unhide(h));
}

static void leak_kmalloc100(unsigned long *h)
{
	void *p = kmalloc(100, GFP_KERNEL);

	assert_non_null(p);
	memset(p, 0x11, 100);
	h[0] = hide(p);
}

static void test_dropped_object_reported(void **state)
{
	unsigned long h[8];
	const char *text;
	char want[96];

	(void)state;
	boot_kmemleak(BOOT);
	run_on_cpu1(leak_kmalloc100, h);
	age_past_minimum();
	text = scan_and_show();
	snprintf(want, sizeof(want), "unreferenced object 0x%08lx (size 100):", h[0] ^ MASK);
	assert_contains(text, want);
	assert_contains(text, "  comm \"");
	assert_contains(text, "  hex dump (first 32 bytes):\n    11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11  ................\n");
	assert_contains(text, "  backtrace:\n");
	assert_contains(text, "leak_kmalloc100+0x");
	kfree_h(h[0]);
	/* freed: no longer listed */
	assert_false(reported_h(leaks_text(), h[0]));
	check_shutdown();
}

/* A chain: a -> b, a dropped; then both are leaks. */
static void leak_chain(unsigned long *h)
{
	void **a = kmalloc(64, GFP_KERNEL | __GFP_ZERO);
	void *b = kmalloc(48, GFP_KERNEL | __GFP_ZERO);

	assert_non_null(a);
	assert_non_null(b);
	a[3] = b;
	h[0] = hide(a);
	h[1] = hide(b);
}

static void test_referenced_only_by_a_leak(void **state)
{
	unsigned long h[8];
	const char *text;

	(void)state;
	boot_kmemleak(BOOT);
	run_on_cpu1(leak_chain, h);
	age_past_minimum();
	text = scan_and_show();
	assert_true(reported_h(text, h[0]));
	assert_true(reported_h(text, h[1]));
	kfree_h(h[0]);
	kfree_h(h[1]);
	check_shutdown();
}

/* Roots: a global, a registered (grey) host block, an interior pointer. */
static void *kmemleak_test_global;
static char *kmemleak_test_interior;
static void **kmemleak_test_table;

static void hold_in_roots(unsigned long *h)
{
	kmemleak_test_global = kmalloc(32, GFP_KERNEL);
	kmemleak_test_table[5] = kmalloc(200, GFP_KERNEL);
	kmemleak_test_interior = (char *)kmalloc(128, GFP_KERNEL) + 77;
	h[0] = hide(kmemleak_test_global);
	h[1] = hide(kmemleak_test_table[5]);
	h[2] = hide(kmemleak_test_interior - 77);
	leak_kmalloc100(h + 3);		/* the control */
}

static void test_roots_keep_objects(void **state)
{
	unsigned long h[8];
	const char *text;

	(void)state;
	kmemleak_test_table = calloc(8, sizeof(void *));
	assert_non_null(kmemleak_test_table);
	boot_kmemleak(BOOT);
	kmemleak_alloc(kmemleak_test_table, 8 * sizeof(void *), KMEMLEAK_GREY, GFP_KERNEL);
	run_on_cpu1(hold_in_roots, h);
	age_past_minimum();
	text = scan_and_show();
	assert_false(reported_h(text, h[0]));
	assert_false(reported_h(text, h[1]));
	assert_false(reported_h(text, h[2]));
	assert_true(reported_h(text, h[3]));
	/* the grey block itself is never reported */
	assert_false(reported(text, kmemleak_test_table));

	/* the table no longer registered, what it holds is a leak */
	kmemleak_free(kmemleak_test_table);
	text = scan_and_show();
	assert_true(reported_h(text, h[1]));

	kfree(kmemleak_test_global);
	kmemleak_test_global = NULL;
	kfree(kmemleak_test_table[5]);
	kfree(kmemleak_test_interior - 77);
	kmemleak_test_interior = NULL;
	kfree_h(h[3]);
	free(kmemleak_test_table);
	kmemleak_test_table = NULL;
	check_shutdown();
}

/* min_count -1 (black): never reported, never scanned; no_scan alike
 * for scanning; a scan area limits what is scanned.  The holders are
 * kept by a grey global table. */
static void *kmemleak_test_keep[4];

static unsigned long holder(unsigned long *hheld, size_t at)
{
	void **o = kmalloc(64, GFP_KERNEL | __GFP_ZERO);
	void *held = kmalloc(24, GFP_KERNEL);

	o[at] = held;
	*hheld = hide(held);
	return hide(o);
}

static void make_holders(unsigned long *h)
{
	h[0] = holder(&h[1], 1);
	h[2] = holder(&h[3], 1);
	h[4] = holder(&h[5], 6);	/* outside the scan area */
	h[6] = holder(&h[7], 1);	/* inside it */
	kmemleak_ignore(unhide(h[0]));
	kmemleak_no_scan(unhide(h[2]));
	kmemleak_scan_area((char *)unhide(h[4]) + 8, 16, GFP_KERNEL);
	kmemleak_scan_area((char *)unhide(h[6]) + 8, 16, GFP_KERNEL);
	kmemleak_test_keep[0] = unhide(h[2]);
	kmemleak_test_keep[1] = unhide(h[4]);
	kmemleak_test_keep[2] = unhide(h[6]);
}

static void test_black_and_no_scan(void **state)
{
	unsigned long h[8];
	const char *text;

	(void)state;
	boot_kmemleak(BOOT);
	kmemleak_alloc(kmemleak_test_keep, sizeof(kmemleak_test_keep), KMEMLEAK_GREY, GFP_KERNEL);
	run_on_cpu1(make_holders, h);
	age_past_minimum();
	text = scan_and_show();
	assert_false(reported_h(text, h[0]));	/* black */
	assert_true(reported_h(text, h[1]));	/* not scanned */
	assert_false(reported_h(text, h[2]));
	assert_true(reported_h(text, h[3]));	/* no_scan */
	assert_true(reported_h(text, h[5]));	/* outside the area */
	assert_false(reported_h(text, h[7]));	/* inside */
	kmemleak_free(kmemleak_test_keep);
	memset(kmemleak_test_keep, 0, sizeof(kmemleak_test_keep));
	for (int i = 0; i < 8; i++)
		kfree_h(h[i]);
	check_shutdown();
}

/* not_leak and clear: grey from then on, listed no more. */
static void leak_two(unsigned long *h)
{
	leak_kmalloc100(h);
	leak_kmalloc100(h + 1);
	kmemleak_not_leak(unhide(h[0]));
}

static void test_not_leak_and_clear(void **state)
{
	unsigned long h[8];
	const char *text;

	(void)state;
	boot_kmemleak(BOOT);
	run_on_cpu1(leak_two, h);
	age_past_minimum();
	text = scan_and_show();
	assert_false(reported_h(text, h[0]));
	assert_true(reported_h(text, h[1]));
	assert_int_equal(mm_debugfs_write("kmemleak", "clear"), 0);
	assert_false(reported_h(leaks_text(), h[1]));
	text = scan_and_show();
	assert_false(reported_h(text, h[1]));
	kfree_h(h[0]);
	kfree_h(h[1]);
	check_shutdown();
}

/* Younger than 5 s of jiffies: not yet (judged by the jiffies seen). */
static void test_minimum_age(void **state)
{
	unsigned long h[8], t0, t1;
	const char *text;

	(void)state;
	boot_kmemleak("mem=64M nodes=1 cpus=2 kmemleak=on");
	t0 = jiffies;
	run_on_cpu1(leak_kmalloc100, h);
	text = scan_and_show();
	t1 = jiffies;
	if (time_before(t1, t0 + msecs_to_jiffies(5000)))
		assert_false(reported_h(text, h[0]));
	kfree_h(h[0]);
	check_shutdown();
}

/* A pointer on the stack of another CPU, stopped where it waits. */
struct holder {
	unsigned long hidden;
	int phase;		/* atomic: 1 holding, 2 may drop */
};

static noinline void kmemleak_test_hold_on_stack(struct cpu_job *job)
{
	struct holder *hd = job->arg;
	void *volatile p = kmalloc(56, GFP_KERNEL);

	hd->hidden = hide(p);
	set(&hd->phase, 1);
	while (get(&hd->phase) != 2)
		cond_resched();		/* a safe point: stop_machine() stops it here */
	kfree(p);
	p = NULL;
}

static void test_cpu_stack_is_a_root(void **state)
{
	struct holder hd = { 0, 0 };
	struct cpu_job job;
	const char *text;

	(void)state;
	boot_kmemleak(BOOT);
	cpu_job_start(&job, 1, kmemleak_test_hold_on_stack, &hd);
	assert_true(wait_ge(&hd.phase, 1, LONG_WAIT_S, 1));
	age_past_minimum();
	text = scan_and_show();
	assert_false(reported_h(text, hd.hidden));
	/* stack=off: only its stack held it */
	assert_int_equal(mm_debugfs_write("kmemleak", "stack=off"), 0);
	text = scan_and_show();
	assert_true(reported_h(text, hd.hidden));
	assert_int_equal(mm_debugfs_write("kmemleak", "stack=on"), 0);
	set(&hd.phase, 2);
	cpu_job_join(&job);
	check_shutdown();
}

/* The CPU that scans: its callers' frames are scanned, not the scan's. */
static noinline void kmemleak_test_scan_holding(unsigned long *h)
{
	void *volatile p = kmalloc(88, GFP_KERNEL);
	const char *text;

	*h = hide(p);
	age_past_minimum();
	scrub_stack();
	capture_begin();
	assert_int_equal(mm_debugfs_write("kmemleak", "scan"), 0);
	capture_end();
	text = leaks_text();
	assert_false(reported_h(text, *h));
	kfree(p);
}

static void test_scanning_cpu_stack(void **state)
{
	unsigned long h;

	(void)state;
	boot_kmemleak(BOOT);
	kmemleak_test_scan_holding(&h);
	check_shutdown();
}

/* vmalloc: its vm_struct's reference is not enough (and the first area,
 * at the vmalloc region's start, is not referenced by the region's
 * bounds: vmspace is registered black). */
static void *kmemleak_test_vglobal;

static void vmalloc_two(unsigned long *h)
{
	void *v = vmalloc(3 * PAGE_SIZE + 100);

	assert_non_null(v);
	h[0] = hide(v);
	kmemleak_test_vglobal = vmalloc(PAGE_SIZE);
	h[1] = hide(kmemleak_test_vglobal);
}

static void test_vmalloc(void **state)
{
	unsigned long h[8];
	const char *text;
	char want[96];

	(void)state;
	boot_kmemleak(BOOT);
	run_on_cpu1(vmalloc_two, h);
	age_past_minimum();
	text = scan_and_show();
	snprintf(want, sizeof(want), "unreferenced object 0x%08lx (size %lu):", h[0] ^ MASK,
		 3 * PAGE_SIZE + 100);
	assert_contains(text, want);
	assert_false(reported_h(text, h[1]));
	vfree(unhide(h[0]));
	vfree(kmemleak_test_vglobal);
	kmemleak_test_vglobal = NULL;
	check_shutdown();
}

/* An element taken from a mempool's reserve: the slot is erased. */
static mempool_t *kmemleak_test_pool;

static void take_reserve(unsigned long *h)
{
	void *e;

	/* failslab at every call: the reserve serves */
	assert_int_equal(mm_debugfs_write("failslab/probability", "100"), 0);
	assert_int_equal(mm_debugfs_write("failslab/times", "-1"), 0);
	e = mempool_alloc(kmemleak_test_pool, GFP_NOWAIT);
	assert_int_equal(mm_debugfs_write("failslab/probability", "0"), 0);
	assert_non_null(e);
	h[0] = hide(e);
}

static void test_mempool_reserve(void **state)
{
	unsigned long h[8];
	const char *text;

	(void)state;
	boot_kmemleak(BOOT);
	kmemleak_test_pool = mempool_create_kmalloc_pool(2, 80);
	assert_non_null(kmemleak_test_pool);
	run_on_cpu1(take_reserve, h);
	age_past_minimum();
	text = scan_and_show();
	assert_true(reported_h(text, h[0]));
	mempool_free(unhide(h[0]), kmemleak_test_pool);
	mempool_destroy(kmemleak_test_pool);
	kmemleak_test_pool = NULL;
	check_shutdown();
}

/* Misuse: reported as a WARNING, refused, kmemleak goes on. */
static void do_free_unknown(const void *p)
{
	kmemleak_free(p);
}

static void do_register_twice(const void *p)
{
	kmemleak_alloc(p, 8, 1, GFP_KERNEL);
}

static void test_misuse(void **state)
{
	static char not_an_object[64];
	const char *out;
	void *p;

	(void)state;
	boot_kmemleak(BOOT);
	out = refused(do_free_unknown, not_an_object);
	assert_contains(out, "kmemleak: Freeing unknown object at 0x");
	assert_contains(out, "Call Trace:");
	p = kmalloc(64, GFP_KERNEL);
	out = refused(do_register_twice, (char *)p + 8);
	assert_contains(out, "kmemleak: Cannot insert 0x");
	assert_contains(out, "(overlaps existing)");
	assert_contains(out, "kmemleak: Object 0x");
	kfree(p);
	assert_true(kmemleak_enabled());
	/* a bad command */
	assert_int_equal(mm_debugfs_write("kmemleak", "scan=x"), -EINVAL);
	assert_int_equal(mm_debugfs_write("kmemleak", "nonsense"), -EINVAL);
	check_shutdown();
}

/* Off: the file answers -EBUSY; "off" switches it off for good. */
static void test_off(void **state)
{
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(f);
	boot_attach("mem=64M nodes=1 cpus=1");
	assert_false(kmemleak_enabled());
	assert_int_equal(mm_debugfs_write("kmemleak", "scan"), -EBUSY);
	assert_int_equal(mm_debugfs_show("kmemleak", f), -EBUSY);
	check_shutdown();

	boot_kmemleak(BOOT);
	capture_begin();
	assert_int_equal(mm_debugfs_write("kmemleak", "off"), 0);
	assert_contains(capture_end(), "kmemleak: Kernel memory leak detector disabled");
	assert_false(kmemleak_enabled());
	assert_int_equal(mm_debugfs_write("kmemleak", "scan"), -EBUSY);
	assert_int_equal(mm_debugfs_show("kmemleak", f), -EBUSY);
	kfree(kmalloc(10, GFP_KERNEL));	/* nothing to say */
	check_shutdown();
	assert_int_equal(mm_boot("kmemleak=maybe"), -EINVAL);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dropped_object_reported),
		cmocka_unit_test(test_referenced_only_by_a_leak),
		cmocka_unit_test(test_roots_keep_objects),
		cmocka_unit_test(test_black_and_no_scan),
		cmocka_unit_test(test_not_leak_and_clear),
		cmocka_unit_test(test_minimum_age),
		cmocka_unit_test(test_cpu_stack_is_a_root),
		cmocka_unit_test(test_scanning_cpu_stack),
		cmocka_unit_test(test_vmalloc),
		cmocka_unit_test(test_mempool_reserve),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
