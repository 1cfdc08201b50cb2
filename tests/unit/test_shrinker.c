// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_shrinker.c - shrinkers (mm/shrinker.c): v4.19's
 * do_shrink_slab() arithmetic against numbers computed by hand (the
 * nr_to_scan of every scan_objects() call, what is deferred to the next
 * call, the clamps, SHRINK_STOP, SHRINK_EMPTY, the batch), NUMA-aware
 * deferral, register/unregister and their misuse, drop_slab(),
 * vm.drop_caches, and slabs_scanned in /proc/vmstat; the dcache job alone.
 */
#include "../testutil.h"

#include <errno.h>
#include "../../mm/reclaim.h"

#define MAX_CALLS	256

/* A shrinker whose objects are a number: it records every call.  Static
 * in each test, so that a failed test's, still registered, outlives it
 * (the teardown's mm_shutdown() reports and unlists it). */
struct test_shrinker {
	struct shrinker s;
	unsigned long objects;		/* what count_objects() says */
	int fixed;			/* scans do not lower objects */
	int stop;			/* scan_objects() returns SHRINK_STOP */
	int empty;			/* count_objects() returns SHRINK_EMPTY */
	unsigned long scans[MAX_CALLS];	/* nr_to_scan of each call */
	unsigned int nr_scans;
	int count_nid;			/* sc->nid of the last count */
	gfp_t scan_gfp;
};

static unsigned long ts_count(struct shrinker *s, struct shrink_control *sc)
{
	struct test_shrinker *t = container_of(s, struct test_shrinker, s);

	t->count_nid = sc->nid;
	return t->empty ? SHRINK_EMPTY : t->objects;
}

static unsigned long ts_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct test_shrinker *t = container_of(s, struct test_shrinker, s);
	unsigned long n = min(sc->nr_to_scan, t->objects);

	if (t->nr_scans < MAX_CALLS)
		t->scans[t->nr_scans++] = sc->nr_to_scan;
	t->scan_gfp = sc->gfp_mask;
	if (t->stop)
		return SHRINK_STOP;
	if (!t->fixed)
		t->objects -= n;
	return n;
}

static void ts_init(struct test_shrinker *t, unsigned long objects, int seeks, long batch,
		    unsigned int flags)
{
	memset(t, 0, sizeof(*t));
	t->s.count_objects = ts_count;
	t->s.scan_objects = ts_scan;
	t->s.seeks = seeks;
	t->s.batch = batch;
	t->s.flags = flags;
	t->objects = objects;
	t->fixed = 1;
	assert_int_equal(register_shrinker(&t->s), 0);
}

static long deferred(const struct test_shrinker *t, int nid)
{
	return __atomic_load_n(&t->s.nr_deferred[nid], __ATOMIC_RELAXED);
}

/* The scans of the last shrink_slab(): n of them, each `each` but the
 * last, which is `last`. */
static void expect_scans(struct test_shrinker *t, const char *what, unsigned int n,
			 unsigned long each, unsigned long last)
{
	EXPECT_EQ(what, t->nr_scans, n);
	for (unsigned int i = 0; i < n; i++)
		EXPECT_EQ(what, t->scans[i], i + 1 == n ? last : each);
	t->nr_scans = 0;
}

static unsigned long vmstat_item(const char *name)
{
	FILE *f = tmpfile();
	char key[64];
	unsigned long v;

	assert_non_null(f);
	assert_int_equal(mm_proc_show("vmstat", f), 0);
	rewind(f);
	while (fscanf(f, "%63s %lu", key, &v) == 2) {
		if (!strcmp(key, name)) {
			fclose(f);
			return v;
		}
	}
	fclose(f);
	fail_msg("no %s in /proc/vmstat", name);
	return 0;
}

/*
 * freeable 10000, seeks 2, priority 4: delta = (10000 >> 4) * 4 / 2 = 1250,
 * under freeable / 4 so at most freeable / 2 (5000): 1250.  Nine batches of
 * 128 (1152), 98 left over: deferred.  The next call adds them: 1348, ten
 * batches (1280), 68 deferred.
 */
static void test_arithmetic(void **state)
{
	static struct test_shrinker t;
	unsigned long before;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	before = vmstat_item("slabs_scanned");
	ts_init(&t, 10000, DEFAULT_SEEKS, 0, 0);
	EXPECT_EQ("first call", shrink_slab(GFP_KERNEL, 0, 4), 9 * 128);
	expect_scans(&t, "first call", 9, 128, 128);
	EXPECT_EQ("first call", deferred(&t, 0), 98);
	EXPECT_EQ("first call's gfp", t.scan_gfp, GFP_KERNEL);
	EXPECT_EQ("slabs_scanned", vmstat_item("slabs_scanned") - before, 9 * 128);

	EXPECT_EQ("second call", shrink_slab(GFP_KERNEL, 0, 4), 10 * 128);
	expect_scans(&t, "second call (98 deferred)", 10, 128, 128);
	EXPECT_EQ("second call", deferred(&t, 0), 68);
	EXPECT_EQ("slabs_scanned", vmstat_item("slabs_scanned") - before, 19 * 128);

	/* batch 32, priority 3: delta (10000 >> 3) * 4 / 2 = 2500, not under
	 * 2500: 2500 + 68 = 2568, 80 batches (2560), 8 deferred */
	t.s.batch = 32;
	shrink_slab(GFP_KERNEL, 0, 3);
	expect_scans(&t, "batch 32", 80, 32, 32);
	EXPECT_EQ("batch 32", deferred(&t, 0), 8);
	unregister_shrinker(&t.s);
	check_shutdown();
}

/*
 * Fewer objects than a batch: freeable 50, seeks 2.  Priority 0: delta 100,
 * at most 2 * 50: one call of 100, nothing deferred.  Priority 2: delta
 * (50 >> 2) * 4 / 2 = 24, not a batch and under freeable: deferred, 24,
 * then 48; the third call has 72 >= freeable: one call of 72.
 */
static void test_small_cache(void **state)
{
	static struct test_shrinker t;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	ts_init(&t, 50, DEFAULT_SEEKS, 0, 0);
	shrink_slab(GFP_KERNEL, 0, 0);
	expect_scans(&t, "priority 0", 1, 100, 100);
	EXPECT_EQ("priority 0", deferred(&t, 0), 0);
	shrink_slab(GFP_KERNEL, 0, 2);
	expect_scans(&t, "priority 2, first", 0, 0, 0);
	EXPECT_EQ("priority 2, first", deferred(&t, 0), 24);
	shrink_slab(GFP_KERNEL, 0, 2);
	expect_scans(&t, "priority 2, second", 0, 0, 0);
	EXPECT_EQ("priority 2, second", deferred(&t, 0), 48);
	shrink_slab(GFP_KERNEL, 0, 2);
	expect_scans(&t, "priority 2, third", 1, 72, 72);
	EXPECT_EQ("priority 2, third", deferred(&t, 0), 0);
	unregister_shrinker(&t.s);
	check_shutdown();
}

/*
 * The 2 * freeable clamp: freeable 100, seeks 1, priority 0: delta 400,
 * scanned at most 200: one batch of 128 (72 left < 100), and 400 - 128 =
 * 272 deferred (the clamp limits the scan, not the debt).  Next: 672,
 * clamped to 200 again, 544 deferred.
 */
static void test_clamp(void **state)
{
	static struct test_shrinker t;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	ts_init(&t, 100, 1, 0, 0);
	shrink_slab(GFP_KERNEL, 0, 0);
	expect_scans(&t, "first", 1, 128, 128);
	EXPECT_EQ("first", deferred(&t, 0), 272);
	shrink_slab(GFP_KERNEL, 0, 0);
	expect_scans(&t, "second", 1, 128, 128);
	EXPECT_EQ("second", deferred(&t, 0), 544);
	unregister_shrinker(&t.s);
	check_shutdown();
}

/*
 * SHRINK_STOP ends the loop, counts nothing and defers all: freeable 1000,
 * seeks 2, priority 2: delta 500, deferred 500, 1000, 1500.  Then a call
 * that works, at priority 6: delta (1000 >> 6) * 4 / 2 = 30, under 250, so
 * the 1530 owed is cut to 500: three batches, 1530 - 384 = 1146 deferred.
 * SHRINK_EMPTY: nothing scanned, nothing deferred or taken.
 */
static void test_stop_and_empty(void **state)
{
	static struct test_shrinker t;
	unsigned long before;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	before = vmstat_item("slabs_scanned");
	ts_init(&t, 1000, DEFAULT_SEEKS, 0, 0);
	t.stop = 1;
	for (long i = 1; i <= 3; i++) {
		EXPECT_EQ("SHRINK_STOP", shrink_slab(GFP_NOFS, 0, 2), 0);
		expect_scans(&t, "SHRINK_STOP", 1, 128, 128);
		EXPECT_EQ("SHRINK_STOP", deferred(&t, 0), 500 * i);
	}
	EXPECT_EQ("SHRINK_STOP", vmstat_item("slabs_scanned") - before, 0);
	t.stop = 0;
	EXPECT_EQ("after SHRINK_STOP", shrink_slab(GFP_KERNEL, 0, 6), 384);
	expect_scans(&t, "after SHRINK_STOP", 3, 128, 128);
	EXPECT_EQ("after SHRINK_STOP", deferred(&t, 0), 1146);

	t.empty = 1;
	EXPECT_EQ("SHRINK_EMPTY", shrink_slab(GFP_KERNEL, 0, 0), 0);
	expect_scans(&t, "SHRINK_EMPTY", 0, 0, 0);
	EXPECT_EQ("SHRINK_EMPTY", deferred(&t, 0), 1146);
	t.empty = 0;
	t.objects = 0;
	EXPECT_EQ("count 0", shrink_slab(GFP_KERNEL, 0, 0), 0);
	expect_scans(&t, "count 0", 0, 0, 0);
	EXPECT_EQ("count 0", deferred(&t, 0), 1146);
	unregister_shrinker(&t.s);
	check_shutdown();
}

/* Node 1: a NUMA-aware shrinker owes per node, another owes on node 0;
 * both are called with sc->nid 1. */
static void test_numa_aware(void **state)
{
	static struct test_shrinker aware, plain;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=2");
	ts_init(&aware, 50, DEFAULT_SEEKS, 0, SHRINKER_NUMA_AWARE);
	ts_init(&plain, 50, DEFAULT_SEEKS, 0, 0);
	shrink_slab(GFP_KERNEL, 1, 2);
	EXPECT_EQ("aware: nid", aware.count_nid, 1);
	EXPECT_EQ("plain: nid", plain.count_nid, 1);
	EXPECT_EQ("aware: node 1", deferred(&aware, 1), 24);
	EXPECT_EQ("aware: node 0", deferred(&aware, 0), 0);
	EXPECT_EQ("plain: node 0", deferred(&plain, 0), 24);
	shrink_slab(GFP_KERNEL, 0, 2);
	EXPECT_EQ("aware: node 0", deferred(&aware, 0), 24);
	EXPECT_EQ("aware: node 1", deferred(&aware, 1), 24);
	EXPECT_EQ("plain: node 0", deferred(&plain, 0), 48);
	unregister_shrinker(&aware.s);
	unregister_shrinker(&plain.s);
	check_shutdown();
}

static void test_register_unregister(void **state)
{
	static struct test_shrinker t, bad;
	unsigned long before;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	ts_init(&t, 1000, DEFAULT_SEEKS, 0, 0);
	assert_non_null(t.s.nr_deferred);

	before = report_violations();
	capture_begin();
	assert_int_equal(register_shrinker(&t.s), -EBUSY);
	memset(&bad, 0, sizeof(bad));
	bad.s.count_objects = ts_count;
	bad.s.scan_objects = ts_scan;
	assert_int_equal(register_shrinker(&bad.s), -EINVAL);	/* seeks 0 */
	out = capture_end();
	assert_contains(out, "is already registered");
	assert_contains(out, "seeks 0");
	EXPECT_EQ("reports", report_violations() - before, 2);
	assert_null(bad.s.nr_deferred);

	shrink_slab(GFP_KERNEL, 0, 0);
	EXPECT_EQ("registered once: called once", t.nr_scans, 15);
	t.nr_scans = 0;
	unregister_shrinker(&t.s);
	assert_null(t.s.nr_deferred);
	EXPECT_EQ("unregistered", shrink_slab(GFP_KERNEL, 0, 0), 0);
	EXPECT_EQ("unregistered", t.nr_scans, 0);
	unregister_shrinker(&t.s);		/* ignored, as in Linux */
	unregister_shrinker(&bad.s);
	EXPECT_EQ("reports", report_violations() - before, 2);
	/* one that looks registered (nr_deferred set) but is not listed */
	{
		static long fake[1];

		bad.s.nr_deferred = fake;
		capture_begin();
		unregister_shrinker(&bad.s);
		assert_contains(capture_end(), "is not registered");
		EXPECT_EQ("reports", report_violations() - before, 3);
		assert_ptr_equal(bad.s.nr_deferred, fake);
		bad.s.nr_deferred = NULL;
	}
	/* again, as a new one */
	assert_int_equal(register_shrinker(&t.s), 0);
	EXPECT_EQ("registered again: nothing owed", deferred(&t, 0), 0);
	unregister_shrinker(&t.s);
	check_shutdown();
}

/* A shrinker that registers or unregisters one from its callback would
 * deadlock on shrinker_rwsem in Linux: reported and refused. */
static struct test_shrinker other;
static int nested_ret;

static unsigned long nesting_scan(struct shrinker *s, struct shrink_control *sc)
{
	nested_ret = register_shrinker(&other.s);
	unregister_shrinker(s);
	return sc->nr_to_scan;
}

static void test_from_a_callback(void **state)
{
	static struct test_shrinker t;
	unsigned long before;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	ts_init(&t, 100, DEFAULT_SEEKS, 0, 0);
	t.s.scan_objects = nesting_scan;
	memset(&other, 0, sizeof(other));
	other.s.count_objects = ts_count;
	other.s.scan_objects = ts_scan;
	other.s.seeks = DEFAULT_SEEKS;
	before = report_violations();
	capture_begin();
	shrink_slab(GFP_KERNEL, 0, 0);
	out = capture_end();
	EXPECT_EQ("register_shrinker() from a callback", nested_ret, -EDEADLK);
	assert_contains(out, "register_shrinker: shrinker");
	assert_contains(out, "unregister_shrinker: shrinker");
	assert_contains(out, "from a shrinker's callback");
	EXPECT_EQ("reports", report_violations() - before, 2);
	assert_null(other.s.nr_deferred);
	assert_non_null(t.s.nr_deferred);		/* still registered */
	unregister_shrinker(&t.s);
	assert_null(t.s.nr_deferred);
	check_shutdown();
}

/* drop_slab(): priority 0 until a pass frees <= 10, on every node. */
static void test_drop_slab(void **state)
{
	static struct test_shrinker t, u;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=2");
	ts_init(&t, 5000, DEFAULT_SEEKS, 0, 0);
	ts_init(&u, 700, DEFAULT_SEEKS, 0, SHRINKER_NUMA_AWARE);
	t.fixed = u.fixed = 0;
	drop_slab();
	EXPECT_EQ("drop_slab", t.objects, 0);
	EXPECT_EQ("drop_slab", u.objects, 0);
	unregister_shrinker(&t.s);
	unregister_shrinker(&u.s);
	check_shutdown();
}

static void test_drop_caches_sysctl(void **state)
{
	static struct test_shrinker t;
	unsigned long drops, pc;
	char buf[16];
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	ts_init(&t, 3000, DEFAULT_SEEKS, 0, 0);
	t.fixed = 0;
	drops = vmstat_item("drop_slab");
	pc = vmstat_item("drop_pagecache");
	capture_begin();
	assert_int_equal(mm_sysctl_write("vm.drop_caches", "2"), 0);
	assert_contains(capture_end(), "drop_caches: 2");
	EXPECT_EQ("vm.drop_caches=2", t.objects, 0);
	EXPECT_EQ("drop_slab", vmstat_item("drop_slab") - drops, 1);
	EXPECT_EQ("drop_pagecache", vmstat_item("drop_pagecache") - pc, 0);
	assert_int_equal(mm_sysctl_read("vm.drop_caches", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2\n");

	t.objects = 3000;
	capture_begin();
	assert_int_equal(mm_sysctl_write("vm.drop_caches", "1"), 0);
	EXPECT_EQ("vm.drop_caches=1 leaves the slab", t.objects, 3000);
	EXPECT_EQ("drop_pagecache", vmstat_item("drop_pagecache") - pc, 1);
	assert_int_equal(mm_sysctl_write("vm.drop_caches", "3"), 0);
	EXPECT_EQ("vm.drop_caches=3", t.objects, 0);
	EXPECT_EQ("drop_slab", vmstat_item("drop_slab") - drops, 2);
	EXPECT_EQ("drop_pagecache", vmstat_item("drop_pagecache") - pc, 2);

	/* 4 silences the message from then on */
	assert_int_equal(mm_sysctl_write("vm.drop_caches", "4"), 0);
	assert_contains(capture_end(), "drop_caches: 4");
	capture_begin();
	assert_int_equal(mm_sysctl_write("vm.drop_caches", "2"), 0);
	assert_null(strstr(capture_end(), "drop_caches"));

	static const char *const bad[] = { "0", "5", "-1", "two", "", "2x" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		capture_begin();
		EXPECT_EQ(bad[i], mm_sysctl_write("vm.drop_caches", bad[i]), -EINVAL);
		capture_end();
	}
	assert_int_equal(mm_sysctl_read("vm.drop_caches", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2\n");
	EXPECT_EQ("drop_slab", vmstat_item("drop_slab") - drops, 3);
	unregister_shrinker(&t.s);
	check_shutdown();
}

/*
 * unregister_shrinker() waits for a scan in progress: CPU 1's scan holds
 * the read side until told to go; CPU 2's unregister cannot return before.
 */
static int scan_in, scan_go, scan_out, unreg_done;

static unsigned long slow_scan(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	set(&scan_in, 1);
	while (!get(&scan_go)) {
		cond_resched();
		nap_us(200);
	}
	set(&scan_out, 1);
	return sc->nr_to_scan;
}

static void shrink_job(struct cpu_job *job)
{
	(void)job;
	shrink_slab(GFP_KERNEL, 0, 0);
}

static void unregister_job(struct cpu_job *job)
{
	unregister_shrinker(job->arg);
	set(&unreg_done, get(&scan_out) ? 1 : 2);
}

static void test_unregister_waits(void **state)
{
	static struct test_shrinker t;
	struct cpu_job shrinker_cpu, unreg_cpu;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=3");
	scan_in = scan_go = scan_out = unreg_done = 0;
	ts_init(&t, 100, DEFAULT_SEEKS, 0, 0);
	t.s.scan_objects = slow_scan;
	cpu_job_start(&shrinker_cpu, 1, shrink_job, NULL);
	assert_true(wait_ge(&scan_in, 1, LONG_WAIT_S, 1));
	cpu_job_start(&unreg_cpu, 2, unregister_job, &t.s);
	nap_us(20000);
	EXPECT_EQ("unregister during a scan", get(&unreg_done), 0);
	set(&scan_go, 1);
	assert_true(wait_ge(&unreg_done, 1, LONG_WAIT_S, 1));
	EXPECT_EQ("unregister returned after the scan", get(&unreg_done), 1);
	cpu_job_join(&shrinker_cpu);
	cpu_job_join(&unreg_cpu);
	assert_null(t.s.nr_deferred);
	check_shutdown();
}

/* A shrinker left registered at shutdown is reported and taken off. */
static void test_left_registered(void **state)
{
	static struct test_shrinker t;
	unsigned long before;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	ts_init(&t, 10, DEFAULT_SEEKS, 0, 0);
	mm_cpu_detach();
	before = report_violations();
	capture_begin();
	mm_shutdown();
	out = capture_end();
	assert_contains(out, "still registered at shutdown");
	assert_true(report_violations() > before);
	assert_null(t.s.nr_deferred);
	/* the next machine starts with an empty list */
	boot_attach("mem=64M nodes=1 cpus=1");
	EXPECT_EQ("next boot", shrink_slab(GFP_KERNEL, 0, 0), 0);
	check_shutdown();
}

/* The dcache job alone: it passes, its shrinker ran, and its probe found
 * shrink_slab()'s arithmetic right during its vm.drop_caches=2 (the
 * first comes at once). */
static void test_dcache_job(void **state)
{
	unsigned long long checked = 0, wrong = 1;
	struct result r;
	const char *p;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=64M", "--jobs", "dcache",
			 "--ops", "3000", "--quiet", "--seed", "7", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "mmstress PASS");
	assert_contains(r.out, "dcache: lookups");
	p = strstr(r.out, "calls checked against v4.19's arithmetic ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "calls checked against v4.19's arithmetic %llu, wrong %llu",
				&checked, &wrong), 2);
	assert_true(checked >= 1);
	EXPECT_EQ("probe calls wrong", wrong, 0);
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_arithmetic),
		TEST(test_small_cache),
		TEST(test_clamp),
		TEST(test_stop_and_empty),
		TEST(test_numa_aware),
		TEST(test_register_unregister),
		TEST(test_from_a_callback),
		TEST(test_drop_slab),
		TEST(test_drop_caches_sysctl),
		TEST(test_unregister_waits),
		TEST(test_left_registered),
		TEST(test_dcache_job),
	};

	if (find_mmstress()) {
		fprintf(stderr, "test_shrinker: no mmstress at %s\n", mmstress_path);
		return 1;
	}
	return cmocka_run_group_tests_name("shrinker", tests, NULL, NULL);
}
