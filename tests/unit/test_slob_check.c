// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_slob_check.c - SLOB (slab=slob) under misuse and load:
 * double frees and foreign pointers reported and refused with mm_check()
 * clean, the mm_check() walker catching heap corruption made here on
 * purpose (units lost, a merge missed, a page off its list), and eight
 * CPUs on one heap keeping every block's pattern.
 */
#include "../testutil.h"
#include "../../mm/slob.h"

#define BOOT		"slab=slob mem=64M nodes=1 cpus=1"

static struct page *page_of(const void *p)
{
	return virt_to_page(p);
}

static void assert_heap_empty(void)
{
	if (test_list_len(&free_slob_small) || test_list_len(&free_slob_medium) ||
	    test_list_len(&free_slob_large))
		fail_msg("the heap is not empty: %d/%d/%d pages listed",
			 test_list_len(&free_slob_small), test_list_len(&free_slob_medium),
			 test_list_len(&free_slob_large));
}

static void *misuse_arg[2];

static void do_kfree(const void *p)
{
	kfree(p);
}

static void do_cache_free(const void *p)
{
	kmem_cache_free((struct kmem_cache *)misuse_arg[0], (void *)p);
}

static void do_ksize(const void *p)
{
	(void)ksize(p);
}

/* Misuse is reported and refused; the heap stays whole. */
static void test_misuse(void **state)
{
	struct kmem_cache *c, *r;
	struct page *page;
	const char *out;
	char *a, *b, *o, *q;
	(void)state;

	boot_attach(BOOT);
	a = kmalloc(100, GFP_KERNEL);
	b = kmalloc(100, GFP_KERNEL);
	/* a double free in a page with free space */
	kfree(a);
	out = refused(do_kfree, a);
	assert_contains(out, "BUG: kfree(");
	assert_contains(out, "double free");
	/* a pointer inside an object: its "header" is the object's data */
	memset(b, 0, 100);
	out = refused(do_kfree, b + 16);
	assert_contains(out, "not a block SLOB handed out");
	out = refused(do_kfree, b + 3);
	assert_contains(out, "not where a kmalloc() object starts");
	/* a page nobody got from kmalloc() */
	page = alloc_page(GFP_KERNEL);
	out = refused(do_kfree, page_address(page));
	assert_contains(out, "a page that is not a kmalloc() block");
	out = refused(do_ksize, page_address(page));
	assert_contains(out, "ksize(");
	__free_page(page);
	/* a big kmalloc() freed twice */
	q = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	kfree(q);
	out = refused(do_kfree, q);
	assert_contains(out, "not a block SLOB handed out");
	/* a double free into a page that was full */
	c = kmem_cache_create("slob_full", PAGE_SIZE / 2, 0, 0, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	assert_true(page_of(o) == page_of(q));
	assert_false(PageSlobFree(page_of(o)));
	misuse_arg[0] = c;
	kmem_cache_free(c, o);
	out = refused(do_cache_free, o);
	assert_contains(out, "BUG: kmem_cache_free(");
	assert_contains(out, "double free");
	kmem_cache_free(c, q);
	kmem_cache_destroy(c);
	/* typesafe-by-RCU: a second free while the first waits */
	r = kmem_cache_create("slob_rcu2", 64, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	o = kmem_cache_alloc(r, GFP_KERNEL);
	misuse_arg[0] = r;
	kmem_cache_free(r, o);
	out = refused(do_cache_free, o);
	assert_contains(out, "waits for a grace period already");
	rcu_barrier();
	kfree(b);
	kmem_cache_destroy(r);
	check_shutdown();
}

/* The walker catches what the heap's code must never do (made here). */
static void test_walker_catches(void **state)
{
	unsigned long irqflags;
	struct page *sp;
	const char *why;
	char *a, *b, *c;
	slob_t *f;
	int fu;
	(void)state;

	boot_attach(BOOT);
	a = kmalloc(96, GFP_KERNEL);		/* 104 bytes, 52 units */
	b = kmalloc(96, GFP_KERNEL);
	c = kmalloc(96, GFP_KERNEL);
	kfree(b);
	sp = page_of(a);
	/* the units forgotten on a free */
	spin_lock_irqsave(&slob_lock, irqflags);
	sp->units -= 52;
	spin_unlock_irqrestore(&slob_lock, irqflags);
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "mm_check: slab: slob page pfn");
	assert_contains(why, "but its 2 free blocks hold");
	spin_lock_irqsave(&slob_lock, irqflags);
	sp->units += 52;
	spin_unlock_irqrestore(&slob_lock, irqflags);
	assert_mm_check_ok();
	/* a free block split in two that touch (a merge missed) */
	spin_lock_irqsave(&slob_lock, irqflags);
	f = sp->freelist;
	fu = slob_units(f);
	slab_asan_unpoison(f + 10, 4);		/* (free space, poisoned by ASan) */
	set_slob(f + 10, (slobidx_t)(fu - 10), slob_next(f));
	set_slob(f, 10, f + 10);
	spin_unlock_irqrestore(&slob_lock, irqflags);
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "touch: not merged");
	spin_lock_irqsave(&slob_lock, irqflags);
	set_slob(f, (slobidx_t)fu, slob_next(f + 10));
	spin_unlock_irqrestore(&slob_lock, irqflags);
	assert_mm_check_ok();
	/* a page with free units taken off its list */
	spin_lock_irqsave(&slob_lock, irqflags);
	cds_list_del(&sp->lru);
	spin_unlock_irqrestore(&slob_lock, irqflags);
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "with PG_slob_free but the lists hold");
	spin_lock_irqsave(&slob_lock, irqflags);
	cds_list_add(&sp->lru, &free_slob_small);
	spin_unlock_irqrestore(&slob_lock, irqflags);
	assert_mm_check_ok();
	kfree(a);
	kfree(c);
	check_shutdown();
}

/* Eight CPUs at once on one heap: every block keeps its pattern. */
struct hammer {
	struct kmem_cache *cache;
	unsigned long bad;		/* written by its own CPU only */
};

#define HAMMER_SLOTS	48
#define HAMMER_ROUNDS	3000

static void hammer(struct cpu_job *job)
{
	struct hammer *h = job->arg;
	unsigned long long rnd = 0x9e3779b97f4a7c15ULL * (job->cpu + 1);
	unsigned char *slot[HAMMER_SLOTS] = { NULL };
	size_t len[HAMMER_SLOTS] = { 0 };
	int cached[HAMMER_SLOTS] = { 0 };

	for (int round = 0; round < HAMMER_ROUNDS; round++) {
		unsigned int i = (unsigned int)(next_rand(&rnd) % HAMMER_SLOTS);
		unsigned char pat = (unsigned char)(job->cpu * HAMMER_SLOTS + i);

		if (slot[i]) {
			for (size_t k = 0; k < len[i]; k++)
				if (slot[i][k] != pat)
					h->bad++;
			if (cached[i])
				kmem_cache_free(h->cache, slot[i]);
			else
				kfree(slot[i]);
			slot[i] = NULL;
			continue;
		}
		cached[i] = next_rand(&rnd) % 4 == 0;
		if (cached[i]) {
			len[i] = 72;
			slot[i] = kmem_cache_alloc(h->cache, GFP_KERNEL);
		} else {
			len[i] = 1 + next_rand(&rnd) % (next_rand(&rnd) % 8 ? 600 : 5000);
			slot[i] = kmalloc(len[i], GFP_KERNEL);
		}
		if (slot[i])
			memset(slot[i], pat, len[i]);
		cond_resched();
	}
	for (int i = 0; i < HAMMER_SLOTS; i++) {
		if (!slot[i])
			continue;
		if (cached[i])
			kmem_cache_free(h->cache, slot[i]);
		else
			kfree(slot[i]);
	}
}

static void test_race(void **state)
{
	struct hammer h[8];
	struct cpu_job job[8];
	struct cpu_job self = { .cpu = 0 };
	struct kmem_cache *c;
	(void)state;

	boot_attach("slab=slob mem=128M nodes=2 cpus=8");
	c = kmem_cache_create("slob_race", 72, 0, SLAB_HWCACHE_ALIGN, NULL);
	for (int i = 0; i < 8; i++)
		h[i] = (struct hammer){ .cache = c };
	for (unsigned int i = 1; i < 8; i++)
		cpu_job_start(&job[i], i, hammer, &h[i]);
	self.arg = &h[0];
	hammer(&self);
	for (unsigned int i = 1; i < 8; i++)
		cpu_job_join(&job[i]);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ("corrupted bytes", h[i].bad, 0);
	assert_mm_check_ok();
	assert_heap_empty();
	kmem_cache_destroy(c);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_walker_catches),
		cmocka_unit_test(test_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
