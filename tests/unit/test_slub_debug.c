// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_slub_debug.c - slub_debug and cache merging under SLUB
 * (mm/slub_debug.c, mm/slub_debug_report.c, mm/slab_merge.c).
 *
 *   the option		setup_slub_debug() and kmem_cache_flags() as v4.19
 *			parses them: bare = FZPU, letters in any case, '-',
 *			",prefix" (one prefix, compared over its length),
 *			unknown letters skipped with v4.19's message
 *   the reports	F+Z: red zones (left, right) "Redzone overwritten";
 *			F+P: "Poison overwritten" (a write after free);
 *			F: "Object already free" (double free), "Invalid
 *			object pointer"; U: "INFO: Allocated in ..." and
 *			"INFO: Freed in ..." with age, cpu, pid; each ends
 *			with its FIX line, and mm_check() passes after it;
 *			frees on another CPU beside this one's allocations
 *   per cache		slub_debug=FZ,prefix debugs only those caches;
 *			slub_debug=- none
 *   merging		compatible caches share one struct (aliases 1);
 *			a ctor, RCU, a debug flag or a different
 *			SLAB_RECLAIM_ACCOUNT keep them apart; kmalloc caches
 *			never take a user cache; slab_nomerge stops it all;
 *			destroying an alias keeps the cache
 */
#include "../testutil.h"
#include "../../mm/slub_debug.h"

#include <errno.h>

#if ASAN_BUILD
#include <sanitizer/asan_interface.h>
#endif

#define BOOT_SLUB	"mem=64M nodes=1 cpus=1 slab=slub"
#define BOOT_FZPU	BOOT_SLUB " slub_debug=FZPU"

/* A stray store, as a buggy caller makes it (past ASan's own poison). */
static void stray_write(void *addr, unsigned char v)
{
#if ASAN_BUILD
	__asan_unpoison_memory_region(addr, 1);
#endif
	*(volatile unsigned char *)addr = v;
}

/* The console text of one free. */
static const char *free_text(struct kmem_cache *c, void *p)
{
	capture_begin();
	kmem_cache_free(c, p);
	return capture_end();
}

static void expect_fix_not_freed(const char *out, const char *cache, const void *obj)
{
	char want[128];

	snprintf(want, sizeof(want), "FIX %s: Object at %p not freed", cache, obj);
	assert_contains(out, want);
}

/* ------------------------------------------------------------------ */
/* The option                                                          */

static void test_parse_slub_debug(void **state)
{
	const char *out;
	(void)state;

	boot_attach(BOOT_SLUB);
	assert_int_equal(setup_slub_debug(NULL), 0);
	EXPECT_EQ("absent", kmem_cache_flags(64, 0, "a"), 0);
	assert_int_equal(setup_slub_debug(""), 0);
	EXPECT_EQ("bare", kmem_cache_flags(64, 0, "a"), DEBUG_DEFAULT_FLAGS);
	assert_int_equal(setup_slub_debug("fZ"), 0);
	EXPECT_EQ("fZ", kmem_cache_flags(64, SLAB_HWCACHE_ALIGN, "a"),
		  SLAB_HWCACHE_ALIGN | SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	assert_int_equal(setup_slub_debug("pUtA"), 0);
	EXPECT_EQ("pUtA", kmem_cache_flags(64, 0, "a"),
		  SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_FAILSLAB);
	assert_int_equal(setup_slub_debug("-"), 0);
	EXPECT_EQ("-", kmem_cache_flags(64, 0, "a"), 0);
	assert_int_equal(setup_slub_debug("-,a"), 0);
	EXPECT_EQ("-,a", kmem_cache_flags(64, 0, "a"), 0);

	/* one prefix, compared over its own length */
	assert_int_equal(setup_slub_debug(",dent"), 0);
	EXPECT_EQ(",dent dentry", kmem_cache_flags(64, 0, "dentry"), DEBUG_DEFAULT_FLAGS);
	EXPECT_EQ(",dent den", kmem_cache_flags(64, 0, "den"), 0);
	EXPECT_EQ(",dent NULL", kmem_cache_flags(64, 0, NULL), 0);
	assert_int_equal(setup_slub_debug("U,kmalloc-"), 0);
	EXPECT_EQ("U kmalloc-64", kmem_cache_flags(64, 0, "kmalloc-64"), SLAB_STORE_USER);
	EXPECT_EQ("U dma-kmalloc-64", kmem_cache_flags(64, 0, "dma-kmalloc-64"), 0);
	/* "a,b": the prefix is "b" only, not a list */
	assert_int_equal(setup_slub_debug("Z,a,b"), 0);
	EXPECT_EQ("Z,a,b a", kmem_cache_flags(64, 0, "a"), 0);
	EXPECT_EQ("Z,a,b a,b", kmem_cache_flags(64, 0, "a,bc"), SLAB_RED_ZONE);
	/* an empty prefix matches every name (v4.19 accepts it) */
	assert_int_equal(setup_slub_debug("F,"), 0);
	EXPECT_EQ("F,", kmem_cache_flags(64, 0, "x"), SLAB_CONSISTENCY_CHECKS);

	/* an unknown letter is skipped with v4.19's message */
	capture_begin();
	assert_int_equal(setup_slub_debug("FxZ"), 0);
	out = capture_end();
	assert_contains(out, "slub_debug option 'x' unknown. skipped");
	EXPECT_EQ("FxZ", kmem_cache_flags(64, 0, "a"), SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);

	/* O: no metadata where it would raise the order */
	assert_int_equal(setup_slub_debug("FZPUO"), 0);
	EXPECT_EQ("O 64", kmem_cache_flags(64, 0, "a"), DEBUG_DEFAULT_FLAGS);
	EXPECT_EQ("O 4096", kmem_cache_flags(4096, 0, "a"), SLAB_CONSISTENCY_CHECKS);

	/* what cannot be parsed at all */
	capture_begin();
	assert_int_equal(setup_slub_debug("F,an-awfully-long-cache-name-prefix-that-no-cache-of-this-model-could-ever-have"),
			 -EINVAL);
	assert_int_equal(setup_slub_debug("F\001"), -EINVAL);
	out = capture_end();
	assert_contains(out, "slub_debug: cache name prefix");
	assert_contains(out, "slub_debug: unprintable character");
	EXPECT_EQ("refused", kmem_cache_flags(64, 0, "a"), 0);
	assert_int_equal(setup_slub_debug(NULL), 0);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* The reports                                                         */

static void test_redzone_right(void **state)
{
	unsigned long before;
	struct kmem_cache *c;
	const char *out;
	unsigned char *p;
	char want[128];
	(void)state;

	boot_attach(BOOT_FZPU);
	c = kmem_cache_create("sdbg-rz", 64, 0, 0, NULL);
	assert_non_null(c);
	EXPECT_EQ("flags", c->flags & DEBUG_DEFAULT_FLAGS, DEBUG_DEFAULT_FLAGS);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	memset(p, 0x11, 64);
	before = report_violations();
	stray_write(p + 64, 0x41);		/* one byte too far */
	out = free_text(c, p);
	EXPECT_EQ("reports", report_violations(), before + 1);
	assert_contains(out, "=============================================================================\n"
			     "BUG sdbg-rz (");
	assert_contains(out, "): Redzone overwritten\n"
			     "-----------------------------------------------------------------------------\n");
	snprintf(want, sizeof(want), "INFO: %p-%p. First byte 0x41 instead of 0xcc", p + 64, p + 64);
	assert_contains(out, want);
	assert_contains(out, "INFO: Allocated in ");
	assert_contains(out, " cpu=0 pid=");
	assert_contains(out, "INFO: Slab ");
	snprintf(want, sizeof(want), "INFO: Object %p @offset=", (void *)p);
	assert_contains(out, want);
	assert_contains(out, "Redzone ");
	assert_contains(out, "Object   ");
	snprintf(want, sizeof(want), "FIX sdbg-rz: Restoring %p-%p=0xcc", p + 64, p + 64);
	assert_contains(out, want);
	expect_fix_not_freed(out, "sdbg-rz", p);
	assert_mm_check_ok();
	/* refused: still ours, and its red zone was restored */
	before = report_violations();
	out = free_text(c, p);
	EXPECT_EQ("a clean free after the repair", report_violations(), before);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_redzone_left(void **state)
{
	struct kmem_cache *c;
	const char *out;
	unsigned char *p;
	char want[128];
	(void)state;

	boot_attach(BOOT_SLUB " slub_debug=FZ");
	c = kmem_cache_create("sdbg-left", 100, 0, 0, NULL);
	assert_non_null(c);
	assert_true(c->red_left_pad >= sizeof(void *));
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	stray_write(p - 1, 0x42);
	out = free_text(c, p);
	assert_contains(out, "BUG sdbg-left (");
	assert_contains(out, "Redzone overwritten");
	snprintf(want, sizeof(want), "First byte 0x42 instead of 0xcc");
	assert_contains(out, want);
	expect_fix_not_freed(out, "sdbg-left", p);
	assert_mm_check_ok();
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_double_free(void **state)
{
	unsigned long before;
	struct kmem_cache *c;
	const char *out;
	void *p, *q;
	(void)state;

	boot_attach(BOOT_FZPU);
	c = kmem_cache_create("sdbg-df", 48, 0, 0, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	q = kmem_cache_alloc(c, GFP_KERNEL);	/* the slab keeps an object out */
	assert_non_null(p);
	assert_non_null(q);
	kmem_cache_free(c, p);
	before = report_violations();
	out = free_text(c, p);
	EXPECT_EQ("reports", report_violations(), before + 1);
	assert_contains(out, "BUG sdbg-df (");
	assert_contains(out, "): Object already free\n");
	assert_contains(out, "INFO: Allocated in ");
	assert_contains(out, "INFO: Freed in ");
	assert_contains(out, " age=");
	expect_fix_not_freed(out, "sdbg-df", p);
	assert_mm_check_ok();
	/* the allocator goes on: p comes back once */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_free(c, p);
	kmem_cache_free(c, q);
	EXPECT_EQ("no more reports", report_violations(), before + 1);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * A write after free is found where v4.19 checks a free object: when its
 * empty slab is given back (F: every object checked, __free_slab()).
 * (The debug alloc checks too, but then marks the slab full for good, as
 * v4.19: its objects are lost, which the shutdown's leak check reports.)
 */
static void test_poison_overwritten(void **state)
{
	unsigned long before;
	struct kmem_cache *c;
	unsigned char *p;
	const char *out;
	char want[128];
	(void)state;

	boot_attach(BOOT_SLUB " slub_debug=FP");
	c = kmem_cache_create("sdbg-poison", 64, 0, 0, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_free(c, p);
	for (int i = 0; i < 63; i++)
		assert_int_equal(p[i], POISON_FREE);
	assert_int_equal(p[63], POISON_END);
	stray_write(p + 10, 0x00);		/* a write after free */
	before = report_violations();
	capture_begin();
	assert_int_equal(kmem_cache_shrink(c), 0);
	out = capture_end();
	EXPECT_EQ("reports", report_violations(), before + 1);
	assert_contains(out, "BUG sdbg-poison (");
	assert_contains(out, "): Poison overwritten\n");
	snprintf(want, sizeof(want), "INFO: %p-%p. First byte 0x0 instead of 0x6b", p + 10, p + 10);
	assert_contains(out, want);
	assert_contains(out, "kkkkkkkkkk.kkkkk");	/* the dump shows the write */
	snprintf(want, sizeof(want), "FIX sdbg-poison: Restoring %p-%p=0x6b", p + 10, p + 10);
	assert_contains(out, want);
	assert_mm_check_ok();
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_invalid_pointer(void **state)
{
	struct kmem_cache *c;
	const char *out;
	char *p;
	(void)state;

	boot_attach(BOOT_FZPU);
	c = kmem_cache_create("sdbg-ptr", 64, 0, 0, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	out = free_text(c, p + 8);
	assert_contains(out, "sdbg-ptr");
	assert_contains(out, "nvalid");
	assert_mm_check_ok();
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * Frees on another CPU (of another node) while this one allocates and
 * frees on the same slabs: the debug free's locks (list_lock, slab_lock)
 * against the debug alloc; one double free among them is reported once,
 * the rest is quiet.  (TSan: the debug paths' accesses to the slabs.)
 */
#define RF_OBJS	200

struct rf_ctx {
	struct kmem_cache *c;
	void *objs[RF_OBJS];
	int victim;			/* freed twice; victim + 1 (same slab)
					   stays out, so the slab stays */
	struct cpu_barrier go;
};

static void rf_free_job(struct cpu_job *job)
{
	struct rf_ctx *x = job->arg;

	cpu_barrier_wait(&x->go);
	for (int i = 0; i < RF_OBJS; i++)
		if (i != x->victim + 1)
			kmem_cache_free(x->c, x->objs[i]);
	/* once CPU 0's churn is over, whatever of it took the victim back
	 * has freed it again: the double free is one, not a free of an
	 * object CPU 0 holds (which races with CPU 0's own checks) */
	cpu_barrier_wait(&x->go);
	kmem_cache_free(x->c, x->objs[x->victim]);	/* the double free */
}

static void test_remote_frees(void **state)
{
	unsigned long before;
	struct cpu_job job;
	struct rf_ctx x;
	const char *out;
	void *mine[16];
	char want[128];
	(void)state;

	boot_attach("mem=128M nodes=2 cpus=2 slab=slub slub_debug=FZPU");
	x.c = kmem_cache_create("sdbg-remote", 72, 0, 0, NULL);
	assert_non_null(x.c);
	for (int i = 0; i < RF_OBJS; i++) {
		x.objs[i] = kmem_cache_alloc(x.c, GFP_KERNEL);
		assert_non_null(x.objs[i]);
	}
	x.victim = RF_OBJS / 2;
	while (virt_to_slab(x.objs[x.victim]) != virt_to_slab(x.objs[x.victim + 1]))
		x.victim++;
	cpu_barrier_init(&x.go, 2);
	before = report_violations();
	capture_begin();
	cpu_job_start(&job, 1, rf_free_job, &x);
	cpu_barrier_wait(&x.go);
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 16; i++) {
			mine[i] = kmem_cache_alloc(x.c, GFP_KERNEL);
			assert_non_null(mine[i]);
		}
		for (int i = 0; i < 16; i++)
			kmem_cache_free(x.c, mine[i]);
	}
	cpu_barrier_wait(&x.go);
	cpu_job_join(&job);
	out = capture_end();
	cpu_barrier_destroy(&x.go);
	EXPECT_EQ("reports", report_violations(), before + 1);
	assert_contains(out, "BUG sdbg-remote (");
	assert_contains(out, "): Object already free\n");
	/* (the last free before the report may be CPU 0's: CPU 0 can take
	 * the victim back between CPU 1's two frees) */
	assert_contains(out, "INFO: Freed in ");
	snprintf(want, sizeof(want), "FIX sdbg-remote: Object at %p not freed", x.objs[x.victim]);
	assert_contains(out, want);
	assert_mm_check_ok();
	kmem_cache_free(x.c, x.objs[x.victim + 1]);
	EXPECT_EQ("quiet after the report", report_violations(), before + 1);
	kmem_cache_destroy(x.c);
	check_shutdown();
}

static void test_per_cache_selection(void **state)
{
	struct kmem_cache *a, *b;
	void *p, *q;
	(void)state;

	boot_attach(BOOT_SLUB " slub_debug=FZ,sdbg-sel");
	a = kmem_cache_create("sdbg-sel-1", 64, 0, 0, NULL);
	b = kmem_cache_create("other-sel", 64, 0, 0, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	EXPECT_EQ("selected", a->flags & DEBUG_DEFAULT_FLAGS, SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	EXPECT_EQ("not selected", b->flags & DEBUG_DEFAULT_FLAGS, 0);
	EXPECT_EQ("kmalloc-64", kmalloc_slab(64, GFP_KERNEL)->flags & DEBUG_DEFAULT_FLAGS, 0);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	q = kmem_cache_alloc(b, GFP_KERNEL);
	kmem_cache_free(a, p);
	kmem_cache_free(b, q);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	check_shutdown();

	boot_attach(BOOT_SLUB " slub_debug=-");
	a = kmem_cache_create("sdbg-off", 64, 0, 0, NULL);
	assert_non_null(a);
	EXPECT_EQ("slub_debug=-", a->flags & DEBUG_DEFAULT_FLAGS, 0);
	kmem_cache_destroy(a);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* Merging                                                             */

static void ctor_nop(void *p)
{
	(void)p;
}

static struct kmem_cache *alias_of(const char *name)
{
	struct kmem_cache *s;

	mutex_lock(&slab_mutex);
	s = slab_alias_find(name);
	mutex_unlock(&slab_mutex);
	return s;
}

static void test_merge(void **state)
{
	struct kmem_cache *a, *b, *c, *d, *e, *f, *g, *h;
	const char *names[4];
	void *p;
	(void)state;

	boot_attach(BOOT_SLUB);
	a = kmem_cache_create("mrg-a", 100, 0, 0, NULL);
	b = kmem_cache_create("mrg-b", 100, 0, 0, NULL);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	EXPECT_EQ("aliases", a->refcount - 1, 1);
	assert_ptr_equal(alias_of("mrg-b"), a);
	assert_null(alias_of("mrg-a"));		/* its own name */
	mutex_lock(&slab_mutex);
	EXPECT_EQ("alias names", slab_alias_names(a, names, 4), 1);
	mutex_unlock(&slab_mutex);
	assert_string_equal(names[0], "mrg-b");
	/* a slot that is a word or more bigger is not taken */
	c = kmem_cache_create("mrg-c", 96, 0, 0, NULL);
	assert_ptr_not_equal(c, a);
	/* a smaller object in the same slot is */
	d = kmem_cache_create("mrg-d", 97, 0, 0, NULL);
	assert_ptr_equal(d, a);
	EXPECT_EQ("aliases", a->refcount - 1, 2);
	/* what keeps caches apart */
	e = kmem_cache_create("mrg-ctor", 100, 0, 0, ctor_nop);
	f = kmem_cache_create("mrg-rcu", 100, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	g = kmem_cache_create("mrg-poison", 100, 0, SLAB_POISON, NULL);
	h = kmem_cache_create("mrg-reclaim", 100, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	assert_ptr_not_equal(e, a);
	assert_ptr_not_equal(f, a);
	assert_ptr_not_equal(g, a);
	assert_ptr_not_equal(h, a);
	EXPECT_EQ("aliases", a->refcount - 1, 2);
	/* destroying an alias keeps the cache */
	p = kmem_cache_alloc(a, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_destroy(b);
	kmem_cache_destroy(d);
	EXPECT_EQ("aliases", a->refcount - 1, 0);
	kmem_cache_free(a, p);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_free(a, p);
	assert_mm_check_ok();
	kmem_cache_destroy(a);
	assert_null(alias_of("mrg-b"));
	kmem_cache_destroy(c);
	kmem_cache_destroy(e);
	kmem_cache_destroy(f);
	kmem_cache_destroy(g);
	kmem_cache_destroy(h);
	check_shutdown();
}

static void test_merge_never_into_kmalloc(void **state)
{
	struct kmem_cache *k = NULL, *c;
	(void)state;

	boot_attach(BOOT_SLUB);
	k = kmalloc_slab(64, GFP_KERNEL);
	assert_non_null(k);
	assert_true(slab_unmergeable(k));
	c = kmem_cache_create("mrg-k64", 64, 0, 0, NULL);
	assert_non_null(c);
	assert_ptr_not_equal(c, k);
	EXPECT_EQ("kmalloc-64 aliases", k->refcount, -1);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_merge_debug_flags(void **state)
{
	struct kmem_cache *a, *b, *c;
	(void)state;

	/* the flags slub_debug gives a name keep it apart */
	boot_attach(BOOT_SLUB " slub_debug=Z,mrgz");
	a = kmem_cache_create("mrg-plain", 100, 0, 0, NULL);
	b = kmem_cache_create("mrgz-1", 100, 0, 0, NULL);
	c = kmem_cache_create("mrg-plain2", 100, 0, 0, NULL);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(a, c);
	kmem_cache_destroy(c);
	kmem_cache_destroy(b);
	kmem_cache_destroy(a);
	check_shutdown();
}

static void test_slab_nomerge(void **state)
{
	struct kmem_cache *a, *b;
	(void)state;

	boot_attach(BOOT_SLUB " slab_nomerge");
	a = kmem_cache_create("nomrg-a", 100, 0, 0, NULL);
	b = kmem_cache_create("nomrg-b", 100, 0, 0, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	EXPECT_EQ("aliases", a->refcount - 1, 0);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_parse_slub_debug),
		TEST(test_redzone_right),
		TEST(test_redzone_left),
		TEST(test_double_free),
		TEST(test_poison_overwritten),
		TEST(test_invalid_pointer),
		TEST(test_remote_frees),
		TEST(test_per_cache_selection),
		TEST(test_merge),
		TEST(test_merge_never_into_kmalloc),
		TEST(test_merge_debug_flags),
		TEST(test_slab_nomerge),
	};

	return cmocka_run_group_tests_name("slub_debug", tests, NULL, NULL);
}
