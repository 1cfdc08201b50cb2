// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_rcu_uaf.c - use-after-free of RCU-protected objects and
 * the jitter that widens race windows (mmsim/jitter.h):
 *   - an object freed (and reused) while a reader holds it: the reader's
 *     re-check reports "BUG: KASAN: use-after-free in <reader>" with the
 *     object, its cache and the reader's CPU (kasan_report_rcu());
 *   - a kfree_rcu()'d object is untouched until its grace period ends, and
 *     poisoned (slab_debug; ASan: poisoned for ASan) after it;
 *   - a typesafe-by-RCU object reused at once stays an object of its
 *     cache, and its free slab stays a slab of the cache until a grace
 *     period has passed;
 *   - jitter: the same (level, seed, CPU) decide the same delays; level 0
 *     passes no point at all.
 */
#include "../testutil.h"

#include <errno.h>
#include <string.h>

#include "../../mm/slab.h"

#if ASAN_BUILD
#include <sanitizer/asan_interface.h>
#endif

#define MAGIC	0x5eedc0de0b1ec7edULL

struct obj {
	uint64_t key;
	uint64_t word[6];
	struct rcu_head rh;
};

/* The test's reader: what it found must still be there before it unlocks. */
static int reader_recheck(const struct obj *p, uint64_t key)
{
	uint64_t got = READ_ONCE(p->key);

	if (got == key)
		return 0;
	kasan_report_rcu(__func__, p, &p->key, 8,
			 "CPU %d: object %p has key %016llx, expected %016llx", current->cpu,
			 (const void *)p, (unsigned long long)got, (unsigned long long)key);
	return 1;
}

/* The bug, made on purpose: kfree() instead of kfree_rcu() while a reader
 * holds the object, and the memory reused at once (LIFO per-CPU array). */
static void test_freed_early_is_reported(void **state)
{
	unsigned long bugs;
	struct obj *p, *q;
	const char *out;

	(void)state;
	boot_attach("mem=64M cpus=1");
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	assert_non_null(p);
	p->key = 42;
	rcu_read_lock();
	assert_int_equal(reader_recheck(p, 42), 0);
	kfree(p);				/* the bug */
	q = kmalloc(sizeof(*q), GFP_ATOMIC);	/* reused: same class, same CPU */
	assert_ptr_equal(q, p);
	q->key = 7;
	bugs = report_count(REPORT_BUG);
	capture_begin();
	assert_int_equal(reader_recheck(p, 42), 1);
	out = capture_end();
	rcu_read_unlock();
	assert_int_equal(report_count(REPORT_BUG), bugs + 1);
	assert_contains(out, "BUG: KASAN: use-after-free in reader_recheck");
	assert_contains(out, "Read of size 8 at addr");
	assert_contains(out, "on CPU 0");
	assert_contains(out, "has key 0000000000000007, expected 000000000000002a");
	/* 72 bytes: kmalloc-96 under SLAB and SLUB.  SLOB has no caches,
	 * and its kfree() gave the page back at once (v4.19 frees a heap
	 * page that becomes empty), so the report has neither */
	if (!TEST_SLOB) {
		assert_contains(out, "which belongs to the cache kmalloc-96 of size 96");
		assert_contains(out, "kfree_rcu()/call_rcu()");
	}
	kfree(q);
	check_shutdown();
}

/* With slab_debug (SLUB: slub_debug, whose P poisons the same way):
 * untouched until the grace period, poisoned after.  SLOB has no
 * debugging: only the ASan half. */
static void test_kfree_rcu_poisoned_after_grace_period(void **state)
{
	unsigned char *b;
	struct obj *p;
#if ASAN_BUILD
	void *keeper;
#endif

	(void)state;
	if (TEST_SLOB)
		goto asan;
	boot_attach(TEST_SLUB ? "mem=64M cpus=1 slub_debug" : "mem=64M cpus=1 slab_debug");
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	assert_non_null(p);
	memset(p, 0x11, offsetof(struct obj, rh));
	b = (unsigned char *)p;
	rcu_read_lock();
	kfree_rcu(p, rh);
	for (size_t i = 0; i < offsetof(struct obj, rh); i++)
		assert_int_equal(b[i], 0x11);		/* a reader may still read it */
#if ASAN_BUILD
	assert_false(__asan_address_is_poisoned(b));
#endif
	rcu_read_unlock();
	rcu_barrier();					/* the grace period, the callback */
	for (size_t i = 0; i < offsetof(struct obj, rh); i++)
		assert_int_equal(b[i], 0x6b);		/* POISON_FREE */
	check_shutdown();
asan:;
#if ASAN_BUILD
	/* without slab_debug (whose checks read the poison pattern, so it
	 * keeps ASan's hands off), ASan poisons the object once freed */
	boot_attach("mem=64M cpus=1");
	/* SLOB gives a heap page back once it is empty: another block keeps
	 * it (the page allocator's free pages are not ASan's to poison) */
	keeper = TEST_SLOB ? kmalloc(sizeof(*p), GFP_KERNEL) : NULL;
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	assert_non_null(p);
	b = (unsigned char *)p;
	rcu_read_lock();
	kfree_rcu(p, rh);
	assert_false(__asan_address_is_poisoned(b));	/* a reader may still read it */
	rcu_read_unlock();
	rcu_barrier();
	/* any read now faults, but of SLUB's free pointer: the object's first
	 * word (v4.19 s->offset 0 without debugging, RCU or a ctor) */
	assert_true(__asan_address_is_poisoned(b + (TEST_SLUB ? sizeof(void *) : 0)));
	kfree(keeper);
	check_shutdown();
#endif
}

static void obj_ctor(void *p)
{
	WRITE_ONCE(((struct obj *)p)->key, MAGIC);
}

/* A typesafe object freed and reused at once is still one of the cache;
 * its empty slab leaves the cache only after a grace period. */
static void test_typesafe_reuse_is_type_stable(void **state)
{
	struct kmem_cache *c;
	struct obj *p, *q;

	(void)state;
	boot_attach("mem=64M cpus=1");
	c = kmem_cache_create("test-typesafe", sizeof(struct obj), 0, SLAB_TYPESAFE_BY_RCU,
			      obj_ctor);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	assert_true(p->key == MAGIC);
	rcu_read_lock();
	kmem_cache_free(c, p);
	q = kmem_cache_alloc(c, GFP_ATOMIC);	/* reused under the reader */
	if (TEST_SLOB) {
		/* v4.19 SLOB defers the free of each object itself by a grace
		 * period (struct slob_rcu at its end): no reuse under a reader */
		assert_ptr_not_equal(q, p);
		assert_true(READ_ONCE(p->key) == MAGIC);
		kmem_cache_free(c, q);
		rcu_read_unlock();
		rcu_barrier();
		kmem_cache_destroy(c);
		check_shutdown();
		return;
	}
	assert_ptr_equal(q, p);
	assert_true(READ_ONCE(p->key) == MAGIC);	/* the type-stable invariant */
	kmem_cache_free(c, q);
	rcu_read_unlock();
	kmem_cache_shrink(c);			/* the slab goes after a grace period */
	assert_ptr_equal(virt_to_cache(p), c);
	assert_true(READ_ONCE(p->key) == MAGIC);
	rcu_barrier();
	assert_null(virt_to_cache(p));		/* now back to the page allocator */
	kmem_cache_destroy(c);
	check_shutdown();
}

static void points(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		jitter_point();
}

/* The same (level, seed, CPU): the same delays; another seed: others. */
static void test_jitter_is_deterministic(void **state)
{
	struct jitter_stats a, b, d, off;

	(void)state;
	boot_attach("mem=64M cpus=2");
	mm_jitter_set(2, 42);
	points(4000);
	assert_int_equal(mm_jitter_stats(0, &a), 0);
	assert_int_equal(a.points, 4000);
	assert_true(a.delays > 0 && a.delays < 4000);
	mm_jitter_set(2, 42);
	points(4000);
	assert_int_equal(mm_jitter_stats(0, &b), 0);
	assert_int_equal(b.points, 4000);
	assert_int_equal(b.delays, a.delays);
	assert_int_equal(b.yields, a.yields);
	assert_true(b.hash == a.hash);
	mm_jitter_set(2, 43);
	points(4000);
	assert_int_equal(mm_jitter_stats(0, &d), 0);
	assert_true(d.hash != a.hash);
	/* level 0: the points are a load and a branch, nothing is counted */
	mm_jitter_set(0, 42);
	assert_int_equal(mm_jitter_level(), 0);
	points(100000);
	assert_int_equal(mm_jitter_stats(0, &off), 0);
	assert_int_equal(off.points, d.points);
	assert_int_equal(off.delays, d.delays);
	assert_int_equal(mm_jitter_stats(NR_CPUS, &off), -EINVAL);
	/* a level past the top is the top */
	mm_jitter_set(9, 1);
	assert_int_equal(mm_jitter_level(), JITTER_MAX_LEVEL);
	mm_jitter_set(0, 0);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_freed_early_is_reported),
		TEST(test_kfree_rcu_poisoned_after_grace_period),
		TEST(test_typesafe_reuse_is_type_stable),
		TEST(test_jitter_is_deterministic),
	};

	return cmocka_run_group_tests_name("rcu_uaf", tests, NULL, NULL);
}
