// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_slab_debug.c - slab_debug: poisoning (0x5a handed out, 0x6b
 * free), red zones and double-free detection, reported in the kernel's
 * SLUB shape ("BUG <cache> (...): <what>", INFO lines, a hex dump,
 * "FIX <cache>: Restoring ...") and refused: after every report mm_check()
 * passes, the owner of the object still owns it or it is free, and the
 * allocator keeps working.  Also the misuses that do not need debugging
 * (interior pointers, foreign memory, the wrong cache, destroying a cache
 * with live objects) on a slab_debug machine, and objects freed on
 * another CPU than their allocator's.  (slab_debug on every CPU at once:
 * tests/stress/stress_slab.c.)
 */
#include "../testutil.h"
#include "../../mm/slab.h"

#include <pthread.h>
#include <stdatomic.h>

#if ASAN_BUILD
#include <sanitizer/asan_interface.h>
#endif

#define BOOT_DEBUG	"mem=64M nodes=1 cpus=1 slab_debug"

/* A stray store, as a buggy caller would make it (past the sanitizer's
 * own poisoning, which would otherwise stop the test before slab_debug
 * gets to see it). */
static void stray_write(void *addr, unsigned char v)
{
#if ASAN_BUILD
	__asan_unpoison_memory_region(addr, 1);
#endif
	*(volatile unsigned char *)addr = v;
}

static int in_array(struct array_cache *ac, const void *obj, const void *buf)
{
	if (!ac)
		return 0;
	for (unsigned int i = 0; i < ac->avail; i++)
		if (ac->entry[i] == obj || ac->entry[i] == buf)
			return 1;
	return 0;
}

/* Is obj free (in an array or on its slab's freelist)?  One node only. */
static int obj_is_free(struct kmem_cache *c, const void *obj)
{
	const char *buf = (const char *)obj - c->obj_offset;
	struct page *page = virt_to_slab(obj);
	unsigned int idx;

	for (unsigned int cpu = 0; cpu < num_online_cpus(); cpu++)
		if (in_array(c->cpu_cache[cpu], obj, buf))
			return 1;
	if (in_array(get_node(c, 0)->shared, obj, buf))
		return 1;
	assert_non_null(page);
	idx = obj_to_index(c, page, buf);
	assert_true(idx < c->num);
	for (unsigned int i = page->active; i < c->num; i++)
		if (get_free_obj(page, i) == idx)
			return 1;
	return 0;
}

/* After a refused free: the object is either free or still ours (then we
 * free it now, which must be silent); then the cache works quietly. */
static void settle_and_exercise(struct kmem_cache *c, void *victim, size_t size)
{
	unsigned long before = report_violations();
	void *objs[40];
	const char *out;

	capture_begin();
	if (!obj_is_free(c, victim))
		kmem_cache_free(c, victim);
	assert_true(obj_is_free(c, victim));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 40; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			assert_non_null(objs[i]);
			memset(objs[i], i, size);
		}
		for (int i = 0; i < 40; i++)
			kmem_cache_free(c, objs[i]);
	}
	out = capture_end();
	if (report_violations() != before)
		fail_msg("reports after the first one was handled:\n%s", out);
	assert_mm_check_ok();
}

static void expect_bytes(const unsigned char *p, size_t len, unsigned char v, const char *what)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			fail_msg("%s: byte %zu is 0x%02x, expected 0x%02x", what, i, p[i], v);
}

#define CTOR_MAGIC 0x1234abcdu

static void magic_ctor(void *p)
{
	*(unsigned int *)p = CTOR_MAGIC;
}

static void test_fresh_objects_poisoned(void **state)
{
	struct kmem_cache *c, *cc;
	unsigned char *p, *q, *z;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach(BOOT_DEBUG);
	assert_true(slab_debug);
	p = kmalloc(128, GFP_KERNEL);
	assert_non_null(p);
	expect_bytes(p, 128, POISON_INUSE, "kmalloc(128)");
	q = kmalloc(100, GFP_KERNEL);
	expect_bytes(q, 100, POISON_INUSE, "kmalloc(100)");
	/* recycled objects too */
	memset(p, 'A', 128);
	kfree(p);
	p = kmalloc(128, GFP_KERNEL);
	expect_bytes(p, 128, POISON_INUSE, "recycled kmalloc(128)");
	/* __GFP_ZERO wins */
	z = kzalloc(128, GFP_KERNEL);
	expect_bytes(z, 128, 0, "kzalloc(128)");
	memset(z, 'B', 128);
	kfree(z);
	z = kzalloc(128, GFP_KERNEL);
	expect_bytes(z, 128, 0, "recycled kzalloc(128)");
	c = kmem_cache_create("dbg-100", 100, 0, 0, NULL);
	assert_non_null(c);
	assert_true(c->size > 104);		/* room for red zones */
	for (int i = 0; i < 3; i++) {
		unsigned char *o = kmem_cache_alloc(c, GFP_KERNEL);

		expect_bytes(o, 100, POISON_INUSE, "dbg-100 object");
		kmem_cache_free(c, o);
	}
	/* a constructed object is handed out constructed */
	cc = kmem_cache_create("dbg-ctor", 64, 0, 0, magic_ctor);
	assert_non_null(cc);
	for (int i = 0; i < 3; i++) {
		unsigned int *o = kmem_cache_alloc(cc, GFP_KERNEL);

		assert_int_equal(*o, CTOR_MAGIC);
		kmem_cache_free(cc, o);
	}
	kfree(p);
	kfree(q);
	kfree(z);
	kmem_cache_destroy(c);
	kmem_cache_destroy(cc);
	assert_mm_check_ok();
	check_shutdown();
}

static void test_double_free(void **state)
{
	struct kmem_cache *kc, *c;
	unsigned long before, free;
	const char *out;
	void *p, *a, *b;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach(BOOT_DEBUG);
	p = kmalloc(128, GFP_KERNEL);
	kc = virt_to_cache(p);
	kfree(p);
	before = report_violations();
	free = nr_free_pages();
	capture_begin();
	kfree(p);
	out = capture_end();
	assert_contains(out, "double free");
	assert_contains(out, "kmalloc-128");
	assert_int_equal(report_violations(), before + 1);
	assert_int_equal(nr_free_pages(), free);
	assert_mm_check_ok();
	/* p is free exactly once */
	a = kmalloc(128, GFP_KERNEL);
	b = kmalloc(128, GFP_KERNEL);
	assert_ptr_not_equal(a, b);
	kfree(a);
	kfree(b);
	settle_and_exercise(kc, p, 128);

	/* the same through kmem_cache_free */
	c = kmem_cache_create("dbg-df", 200, 0, 0, NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, p);
	before = report_violations();
	capture_begin();
	kmem_cache_free(c, p);
	out = capture_end();
	assert_contains(out, "double free");
	assert_contains(out, "dbg-df");
	assert_int_equal(report_violations(), before + 1);
	assert_mm_check_ok();
	settle_and_exercise(c, p, 200);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/* side: the overwritten byte 0x78 starts (right) or ends (left) its zone */
static void check_redzone_report(const char *out, const char *cache, int right)
{
	char want[80];

	snprintf(want, sizeof(want), "BUG %s", cache);
	assert_contains(out, want);
	assert_contains(out, "Redzone overwritten");
	assert_contains(out, "INFO: ");
	assert_contains(out, "First byte 0x78 instead of 0xcc");
	assert_contains(out, right ? "78 cc" : "cc 78");	/* the hex dump */
	snprintf(want, sizeof(want), "FIX %s: Restoring", cache);
	assert_contains(out, want);
}

static void test_redzone_right(void **state)
{
	struct kmem_cache *kc;
	unsigned long before, free;
	const char *out;
	unsigned char *p;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach(BOOT_DEBUG);
	p = kmalloc(128, GFP_KERNEL);
	kc = virt_to_cache(p);
	memset(p, 1, 128);
	stray_write(p + 128, 0x78);		/* one byte past the object */
	before = report_violations();
	free = nr_free_pages();
	capture_begin();
	kfree(p);
	out = capture_end();
	check_redzone_report(out, "kmalloc-128", 1);
	assert_int_equal(report_violations(), before + 1);
	assert_int_equal(nr_free_pages(), free);
	assert_mm_check_ok();
	settle_and_exercise(kc, p, 128);
	check_shutdown();
}

static void test_redzone_left(void **state)
{
	struct kmem_cache *c;
	unsigned long before;
	const char *out;
	unsigned char *p;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach(BOOT_DEBUG);
	c = kmem_cache_create("dbg-rz", 64, 0, 0, NULL);
	assert_non_null(c);
	assert_true(c->obj_offset > 0);		/* a red zone before the object */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	stray_write(p - 1, 0x78);
	before = report_violations();
	capture_begin();
	kmem_cache_free(c, p);
	out = capture_end();
	check_redzone_report(out, "dbg-rz", 0);
	assert_int_equal(report_violations(), before + 1);
	assert_mm_check_ok();
	settle_and_exercise(c, p, 64);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * The kmalloc caches keep their red zones under slab_debug.  A SLAB kernel
 * makes them SLAB_HWCACHE_ALIGN, and v4.19's __kmem_cache_create() drops
 * red zones (and owner tracking) for any alignment above 8; the kernel's
 * stated intent for DEBUG with FORCED_DEBUG is kmalloc caches aligned to a
 * word only, so slab_debug makes them without SLAB_HWCACHE_ALIGN.
 */
static void test_kmalloc_keeps_red_zones(void **state)
{
	static const size_t sizes[] = { 1, 32, 64, 96, 128, 192, 256, 1024 };
	struct kmem_cache *kc;
	unsigned long before;
	const char *out;
	unsigned char *p;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach(BOOT_DEBUG);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = kmalloc(sizes[i], GFP_KERNEL);
		assert_non_null(p);
		kc = virt_to_cache(p);
		if (!(kc->flags & SLAB_RED_ZONE) || !(kc->flags & SLAB_STORE_USER) ||
		    kc->align != 8 || kc->obj_offset != 8)
			fail_msg("kmalloc(%zu) under slab_debug: %s has flags %#x, align %u, "
				 "obj_offset %u; expected red zones, owner tracking, align 8",
				 sizes[i], kmem_cache_name(kc), kc->flags, kc->align,
				 kc->obj_offset);
		kfree(p);
	}
	p = kmalloc(64, GFP_KERNEL);
	kc = virt_to_cache(p);
	assert_string_equal(kmem_cache_name(kc), "kmalloc-64");
	memset(p, 1, 64);
	stray_write(p + 64, 0x78);		/* one byte past the object */
	before = report_violations();
	capture_begin();
	kfree(p);
	out = capture_end();
	check_redzone_report(out, "kmalloc-64", 1);
	assert_int_equal(report_violations(), before + 1);
	assert_int_equal(mm_check(stderr), 0);
	settle_and_exercise(kc, p, 64);
	check_shutdown();
}

static void test_use_after_free(void **state)
{
	unsigned long before;
	const char *out;
	unsigned char *p, *objs[64];
	int n = 0;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach(BOOT_DEBUG);
	p = kmalloc(128, GFP_KERNEL);
	kfree(p);
	stray_write(p + 10, 0x42);		/* a write after the free */
	before = report_violations();
	capture_begin();
	/* caught when the object is next handed out */
	while (n < 64 && report_violations() == before) {
		objs[n] = kmalloc(128, GFP_KERNEL);
		assert_non_null(objs[n]);
		n++;
	}
	out = capture_end();
	assert_int_equal(report_violations(), before + 1);
	assert_contains(out, "BUG kmalloc-128");
	assert_contains(out, "Poison overwritten");
	assert_contains(out, "INFO: ");
	assert_contains(out, "FIX kmalloc-128: Restoring");
	assert_mm_check_ok();
	/* whatever was handed out is a whole, usable object */
	for (int i = 0; i < n; i++)
		memset(objs[i], 0x11, 128);
	capture_begin();
	for (int i = 0; i < n; i++)
		kfree(objs[i]);
	out = capture_end();
	assert_string_equal(out, "");
	assert_int_equal(report_violations(), before + 1);
	settle_and_exercise(virt_to_cache(objs[0]), objs[0], 128);
	check_shutdown();
}

/* ------------------------------------------------------------------ misuse */

static struct kmem_cache *misuse_cache, *other_cache;

static void do_cache_free(const void *p)
{
	kmem_cache_free(misuse_cache, (void *)p);
}

static void do_wrong_cache_free(const void *p)
{
	kmem_cache_free(other_cache, (void *)p);
}

static void do_destroy(const void *c)
{
	kmem_cache_destroy((struct kmem_cache *)c);
}

static void test_misuse(void **state)
{
	struct page *page;
	unsigned char *p, *q;
	const char *out;
	long on_stack[4];
	void *heap;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach(BOOT_DEBUG);
	misuse_cache = kmem_cache_create("dbg-misuse", 96, 0, 0, NULL);
	other_cache = kmem_cache_create("dbg-other", 96, 0, 0, NULL);
	assert_non_null(misuse_cache);
	assert_non_null(other_cache);
	p = kmem_cache_alloc(misuse_cache, GFP_KERNEL);
	memset(p, 'p', 96);

	/* an interior pointer */
	refused(do_cache_free, p + 16);
	/* memory that is no slab's */
	page = alloc_page(GFP_KERNEL);
	refused(do_cache_free, page_address(page));
	__free_page(page);
	refused(do_cache_free, on_stack);
	heap = malloc(96);
	refused(do_cache_free, heap);
	free(heap);
	expect_bytes(p, 96, 'p', "the owner's object");
	assert_false(obj_is_free(misuse_cache, p));

	/* the wrong cache: a WARNING, and the object goes where it belongs */
	out = refused(do_wrong_cache_free, p);
	assert_contains(out, "WARNING");
	assert_contains(out, "dbg-misuse");
	assert_contains(out, "dbg-other");
	assert_contains(out, "Wrong slab cache");
	assert_true(obj_is_free(misuse_cache, p));
	q = kmem_cache_alloc(misuse_cache, GFP_KERNEL);
	expect_bytes(q, 96, POISON_INUSE, "the next object");

	kmem_cache_free(misuse_cache, q);
	settle_and_exercise(misuse_cache, q, 96);
	capture_begin();
	kmem_cache_destroy(misuse_cache);
	kmem_cache_destroy(other_cache);
	out = capture_end();
	assert_string_equal(out, "");
	check_shutdown();
}

static void test_destroy_with_live_object(void **state)
{
	struct kmem_cache *c;
	const char *out;
	char *report;
	void *p, *q;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach(BOOT_DEBUG);
	c = kmem_cache_create("dbg-live", 96, 0, 0, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	report = strdup(refused(do_destroy, c));
	assert_contains(report, "dbg-live");
	/* the cache is kept and works */
	q = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	expect_bytes(q, 96, POISON_INUSE, "the next object");
	kmem_cache_free(c, p);
	kmem_cache_free(c, q);
	settle_and_exercise(c, q, 96);
	capture_begin();
	kmem_cache_destroy(c);
	out = capture_end();
	assert_string_equal(out, "");
	check_shutdown();
	/* v4.19 mm/slab_common.c, whatever the allocator */
	if (!strstr(report, "kmem_cache_destroy dbg-live: Slab cache still has objects"))
		fail_msg("expected v4.19's \"kmem_cache_destroy dbg-live: Slab cache still "
			 "has objects\" in:\n%s", report);
	free(report);
}

/* The debug flags on one cache of a machine booted without slab_debug. */
static void test_per_cache_debug_flags(void **state)
{
	struct kmem_cache *c;
	unsigned long before;
	const char *out;
	unsigned char *p;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach("mem=64M nodes=1 cpus=1");
	assert_false(slab_debug);
	c = kmem_cache_create("flagged", 64, 0, SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER,
			      NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	expect_bytes(p, 64, POISON_INUSE, "flagged object");
	stray_write(p + 64, 0x78);
	before = report_violations();
	capture_begin();
	kmem_cache_free(c, p);
	out = capture_end();
	check_redzone_report(out, "flagged", 1);
	assert_int_equal(report_violations(), before + 1);
	assert_mm_check_ok();
	settle_and_exercise(c, p, 64);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * Objects allocated on one CPU and freed on another of another node (the
 * alien cache), both ways: no report, every object handed out filled with
 * POISON_INUSE, and what the first CPU wrote is what the second finds.
 */
#define XOBJS	8

struct xcpu {
	struct kmem_cache *cache;
	unsigned char *obj[XOBJS];
	int bad;		/* read once the CPU that wrote it is joined */
};

static void alloc_objs(struct xcpu *x)
{
	for (int i = 0; i < XOBJS; i++) {
		unsigned char *p = i & 1 ? kmem_cache_alloc(x->cache, GFP_KERNEL) :
				   kmalloc(64 + (size_t)i * 8, GFP_KERNEL);

		if (!p) {
			x->bad++;
			x->obj[i] = NULL;
			continue;
		}
		for (int k = 0; k < 64; k++)
			if (p[k] != POISON_INUSE) {
				x->bad++;
				break;
			}
		memset(p, 0xa0 + i, 64);
		x->obj[i] = p;
	}
}

static void free_objs(struct xcpu *x)
{
	for (int i = 0; i < XOBJS; i++) {
		unsigned char *p = x->obj[i];

		if (!p)
			continue;
		if (p[0] != 0xa0 + i || p[63] != 0xa0 + i)
			x->bad++;
		if (i & 1)
			kmem_cache_free(x->cache, p);
		else
			kfree(p);
	}
}

static void alloc_objs_job(struct cpu_job *job)
{
	alloc_objs(job->arg);
}

static void free_objs_job(struct cpu_job *job)
{
	free_objs(job->arg);
}

static void test_free_on_another_cpu(void **state)
{
	struct xcpu x = { 0 };
	struct cpu_job job;
	unsigned long viol;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and its arrays (SLUB: slub_debug in test_slub_debug; "
			 "SLOB has no debugging)");

	boot_attach("mem=128M nodes=2 cpus=4 slab_debug");	/* CPU 2: node 1 */
	x.cache = kmem_cache_create("dbg-xcpu", 120, 0, SLAB_HWCACHE_ALIGN, NULL);
	assert_non_null(x.cache);
	viol = report_violations();
	cpu_job_start(&job, 2, alloc_objs_job, &x);
	cpu_job_join(&job);
	free_objs(&x);
	alloc_objs(&x);
	cpu_job_start(&job, 2, free_objs_job, &x);
	cpu_job_join(&job);
	assert_int_equal(x.bad, 0);
	assert_int_equal(report_violations(), viol);
	/* the cache's objects went through the alien caches */
	EXPECT_EQ("CPU 0's alien frees", x.cache->stats[0].alien_frees, XOBJS / 2);
	EXPECT_EQ("CPU 2's alien frees", x.cache->stats[2].alien_frees, XOBJS / 2);
	assert_mm_check_ok();
	assert_int_equal(kmem_cache_shrink(x.cache), 0);
	kmem_cache_destroy(x.cache);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_fresh_objects_poisoned),
		TEST(test_double_free),
		TEST(test_redzone_right),
		TEST(test_redzone_left),
		TEST(test_kmalloc_keeps_red_zones),
		TEST(test_use_after_free),
		TEST(test_misuse),
		TEST(test_destroy_with_live_object),
		TEST(test_per_cache_debug_flags),
		TEST(test_free_on_another_cpu),
	};

	return cmocka_run_group_tests_name("slab_debug", tests, NULL, NULL);
}
