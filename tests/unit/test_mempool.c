// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_mempool.c - memory pools against Linux v4.19 mm/mempool.c:
 * creation (alloc called min_nr times with the creation mask, a failure
 * undoes everything), the LIFO reserve, the masks of mempool_alloc()'s
 * rounds (first without direct reclaim and IO, then the full mask when the
 * reserve is empty), NULL for callers that cannot sleep, a GFP_KERNEL
 * waiter woken by mempool_free() on another CPU or retrying after its 5*HZ
 * timeout, mempool_free() (NULL, refill and wake, or pool->free), resize
 * both ways (and -ENOMEM), min_nr 0, the pool placed on its node, the slab /
 * kmalloc / page pools, slab_debug poisoning of the reserve (also of highmem
 * pages), destroy with elements still out, sleeping from atomic context,
 * and the pool's stats.  (Many CPUs hammering one pool whose backing
 * allocator fails most of the time: tests/stress/stress_mempool.c.)
 *
 * Most tests drive a fake backing allocator: static tokens, a log of every
 * call (gfp mask, jiffies, CPU) and of every free, and failures on demand.
 *
 * The expected behaviour is Linux's (v4.19 mm/mempool.c):
 *   mempool_init_node(): pool->alloc(gfp_mask) until curr_nr == min_nr;
 *     a NULL -> mempool_exit() (remove_element() + pool->free, LIFO).
 *   mempool_alloc(): gfp |= NOMEMALLOC|NORETRY|NOWARN;
 *     gfp_temp = gfp & ~(DIRECT_RECLAIM|IO); repeat: alloc(gfp_temp), then
 *     elements[--curr_nr], then (gfp_temp != gfp) gfp_temp = gfp, repeat;
 *     !DIRECT_RECLAIM -> NULL; else prepare_to_wait, io_schedule_timeout(5*HZ),
 *     repeat (with the full mask).
 *   mempool_free(): NULL -> nothing; curr_nr < min_nr -> add_element() and
 *     wake_up(); else pool->free.
 * Timing is only asserted as "not before" and "well within".
 */
#include "../testutil.h"
#include "../../mm/slab.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#define BOOT_UP		"mem=64M nodes=1 cpus=1"
#define BOOT_NUMA	"mem=128M nodes=2 cpus=4"
#define BOOT_DEBUG	"mem=64M nodes=1 cpus=1 slab_debug"

/* What mempool_alloc() adds, and the masks of its two rounds. */
#define MP_ADDED	(__GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN)
#define FULL_MASK(g)	((gfp_t)((g) | MP_ADDED))
#define FIRST_MASK(g)	((gfp_t)(FULL_MASK(g) & ~(__GFP_DIRECT_RECLAIM | __GFP_IO)))

#define ASSERT_GFP(got, exp) do {						\
	gfp_t __g = (got), __e = (exp);						\
	if (__g != __e)								\
		fail_msg("%s: gfp %#x, expected %#x (%s)", #got,		\
			 (unsigned int)__g, (unsigned int)__e, #exp);		\
} while (0)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

#define STAT(pool, f)	(mempool_stats_of(pool).f)

/* Counters moved by exactly these amounts since `s0`. */
static void expect_stats(const char *what, mempool_t *pool, const struct mempool_stats *s0,
			 long backing, long from_pool, long failed, long to_pool, long out)
{
	struct mempool_stats s = mempool_stats_of(pool);

	EXPECT_EQ(what, (long)(s.alloc_backing - s0->alloc_backing), backing);
	EXPECT_EQ(what, (long)(s.alloc_pool - s0->alloc_pool), from_pool);
	EXPECT_EQ(what, (long)(s.alloc_failed - s0->alloc_failed), failed);
	EXPECT_EQ(what, (long)(s.frees_to_pool - s0->frees_to_pool), to_pool);
	EXPECT_EQ(what, s.outstanding - s0->outstanding, out);
}

/* ------------------------------------------------------------------ */
/* The fake backing allocator                                          */

#define NTOK		64
#define NLOG		512
#define TOK_MAGIC	0x70c0ffeeu

struct tok {
	unsigned int magic;
	int id;
	int live;		/* handed out by fake_alloc(), not yet freed */
};

static pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake {			/* fk_lock */
	struct tok tok[NTOK];
	int calls;			/* every call, numbered from 1 */
	gfp_t gfp[NLOG + 1];		/* [call number] */
	unsigned long jif[NLOG + 1];
	int cpu[NLOG + 1];
	int fail_all;			/* every call fails ... */
	int fail_next;			/* ... or the next fail_next calls ... */
	int fail_from;			/* ... or every call numbered >= this (0: none) */
	int rescue_at;			/* calls numbered >= this succeed (0: never) */
	int nfreed;
	int freed[NLOG + 1];		/* [free number, from 1]: token id */
	int bad_free;			/* not a live token */
} fk;

#define TOK(i)	((void *)&fk.tok[(i)])

static void fake_reset(void)
{
	pthread_mutex_lock(&fk_lock);
	memset(&fk, 0, sizeof(fk));
	for (int i = 0; i < NTOK; i++) {
		fk.tok[i].magic = TOK_MAGIC;
		fk.tok[i].id = i;
	}
	pthread_mutex_unlock(&fk_lock);
}

/* Called on any CPU's thread: everything under fk_lock. */
static void *fake_alloc(gfp_t gfp_mask, void *pool_data)
{
	struct tok *t = NULL;
	int n, fail;

	(void)pool_data;
	pthread_mutex_lock(&fk_lock);
	n = ++fk.calls;
	if (n <= NLOG) {
		fk.gfp[n] = gfp_mask;
		fk.jif[n] = jiffies;
		fk.cpu[n] = raw_smp_processor_id();
	}
	fail = fk.fail_all || fk.fail_next > 0 || (fk.fail_from && n >= fk.fail_from);
	if (fk.fail_next > 0)
		fk.fail_next--;
	if (fk.rescue_at && n >= fk.rescue_at)
		fail = 0;
	if (!fail) {
		for (int i = 0; i < NTOK && !t; i++)
			if (!fk.tok[i].live)
				t = &fk.tok[i];
		if (t)
			t->live = 1;
	}
	pthread_mutex_unlock(&fk_lock);
	return t;
}

static void fake_free(void *element, void *pool_data)
{
	struct tok *t = element;

	(void)pool_data;
	pthread_mutex_lock(&fk_lock);
	if (t < &fk.tok[0] || t >= &fk.tok[NTOK] || t->magic != TOK_MAGIC || !t->live) {
		fk.bad_free++;
	} else {
		t->live = 0;
		if (++fk.nfreed <= NLOG)
			fk.freed[fk.nfreed] = t->id;
	}
	pthread_mutex_unlock(&fk_lock);
}

static int fk_read(const int *field)
{
	int v;

	pthread_mutex_lock(&fk_lock);
	v = *field;
	pthread_mutex_unlock(&fk_lock);
	return v;
}

static void fk_write(int *field, int v)
{
	pthread_mutex_lock(&fk_lock);
	*field = v;
	pthread_mutex_unlock(&fk_lock);
}

static gfp_t fk_gfp(int call)
{
	gfp_t g;

	assert_true(call >= 1 && call <= NLOG);
	pthread_mutex_lock(&fk_lock);
	g = fk.gfp[call];
	pthread_mutex_unlock(&fk_lock);
	return g;
}

static int fk_live(void)
{
	int n = 0;

	pthread_mutex_lock(&fk_lock);
	for (int i = 0; i < NTOK; i++)
		n += fk.tok[i].live;
	pthread_mutex_unlock(&fk_lock);
	return n;
}

#define CALLS()		fk_read(&fk.calls)
#define NFREED()	fk_read(&fk.nfreed)

static mempool_t *fake_pool(int min_nr)
{
	mempool_t *pool = mempool_create(min_nr, fake_alloc, fake_free, &fk);

	assert_non_null(pool);
	return pool;
}

/* ------------------------------------------------------------------ */
/* Creation and destruction                                            */

static void test_create_and_destroy(void **state)
{
	unsigned long viol;
	struct mempool_stats s;
	mempool_t *pool;
	(void)state;

	boot_attach(BOOT_UP);
	viol = report_violations();
	fake_reset();
	pool = fake_pool(5);
	/* exactly min_nr calls, each with GFP_KERNEL (mempool_create's mask) */
	assert_int_equal(CALLS(), 5);
	for (int n = 1; n <= 5; n++)
		ASSERT_GFP(fk_gfp(n), GFP_KERNEL);
	assert_int_equal(pool->min_nr, 5);
	assert_int_equal(pool->curr_nr, 5);
	for (int i = 0; i < 5; i++)
		assert_ptr_equal(pool->elements[i], TOK(i));	/* in creation order */
	assert_ptr_equal(pool->pool_data, &fk);
	assert_true(pool->alloc == fake_alloc);
	assert_true(pool->free == fake_free);
	assert_false(waitqueue_active(&pool->wait));
	assert_int_equal(NFREED(), 0);
	s = mempool_stats_of(pool);
	assert_int_equal(s.alloc_pool, 0);
	assert_int_equal(s.alloc_failed, 0);
	assert_int_equal(s.frees_to_pool, 0);
	assert_int_equal(s.waits, 0);
	assert_int_equal(s.wakeups, 0);
	assert_int_equal(s.timeouts, 0);
	assert_int_equal(s.longest_wait_ns, 0);
	assert_int_equal(s.outstanding, 0);

	/* destroy hands the reserve to pool->free, top first */
	mempool_destroy(pool);
	assert_int_equal(CALLS(), 5);
	assert_int_equal(NFREED(), 5);
	for (int k = 1; k <= 5; k++)
		EXPECT_EQ("destroy order", fk.freed[k], 5 - k);
	assert_int_equal(fk_live(), 0);
	assert_int_equal(fk.bad_free, 0);
	mempool_destroy(NULL);			/* a no-op */

	/* mempool_create_node() passes its own mask to every call */
	fake_reset();
	pool = mempool_create_node(3, fake_alloc, fake_free, &fk, GFP_NOIO, 0);
	assert_non_null(pool);
	assert_int_equal(CALLS(), 3);
	for (int n = 1; n <= 3; n++)
		ASSERT_GFP(fk_gfp(n), GFP_NOIO);
	mempool_destroy(pool);
	fake_reset();
	pool = mempool_create_node(2, fake_alloc, fake_free, &fk, GFP_ATOMIC, NUMA_NO_NODE);
	assert_non_null(pool);
	assert_int_equal(CALLS(), 2);
	for (int n = 1; n <= 2; n++)
		ASSERT_GFP(fk_gfp(n), GFP_ATOMIC);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	assert_int_equal(report_violations(), viol);
	check_shutdown();
}

static void test_create_failure_frees_everything(void **state)
{
	static const int fail_at[] = { 1, 2, 4, 6 };
	unsigned long viol;
	(void)state;

	boot_attach(BOOT_UP);
	viol = report_violations();
	for (size_t k = 0; k < ARRAY_SIZE(fail_at); k++) {
		int f = fail_at[k];
		char what[32];

		snprintf(what, sizeof(what), "fail at call %d", f);
		fake_reset();
		fk.fail_from = f;
		assert_null(mempool_create(6, fake_alloc, fake_free, &fk));
		/* no call after the failure; every element made so far freed,
		 * the last made first */
		EXPECT_EQ(what, CALLS(), f);
		EXPECT_EQ(what, NFREED(), f - 1);
		for (int i = 1; i <= f - 1; i++)
			EXPECT_EQ(what, fk.freed[i], f - 1 - i);
		EXPECT_EQ(what, fk_live(), 0);
		EXPECT_EQ(what, fk.bad_free, 0);
		assert_mm_check_ok();
	}
	assert_int_equal(report_violations(), viol);
	check_shutdown();	/* the pools' memory is not leaked */
}

/*
 * min_nr 0 is legal in v4.19: mempool_init_node() gets ZERO_SIZE_PTR from
 * kmalloc_array_node(0, ...) (not NULL) and its fill loop does nothing, so
 * the pool exists, empty; mempool_free() never keeps anything (0 < 0 is
 * false); mempool_resize() can grow it later.
 */
static void test_create_min_nr_zero(void **state)
{
	unsigned long viol;
	const char *out;
	mempool_t *pool;
	void *e;
	(void)state;

	boot_attach(BOOT_UP);
	fake_reset();
	viol = report_violations();
	capture_begin();
	pool = mempool_create(0, fake_alloc, fake_free, &fk);
	out = capture_end();
	if (!pool)
		fail_msg("mempool_create(0, ...) returned NULL; v4.19 creates an empty "
			 "pool (kmalloc_array_node(0) is ZERO_SIZE_PTR). Console:\n%s", out);
	assert_int_equal(report_violations(), viol);
	assert_int_equal(CALLS(), 0);
	assert_int_equal(pool->min_nr, 0);
	assert_int_equal(pool->curr_nr, 0);
	fk_write(&fk.fail_all, 1);
	assert_null(mempool_alloc(pool, GFP_ATOMIC));
	fk_write(&fk.fail_all, 0);
	e = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(e, TOK(0));
	mempool_free(e, pool);			/* 0 < 0 is false: pool->free */
	assert_int_equal(NFREED(), 1);
	assert_int_equal(pool->curr_nr, 0);
	assert_int_equal(mempool_resize(pool, 2), 0);
	assert_int_equal(pool->min_nr, 2);
	assert_int_equal(pool->curr_nr, 2);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	check_shutdown();
}

/* The pool struct and its array come from the node asked for
 * (kzalloc_node() and kmalloc_array_node() in v4.19). */
static void test_create_node_places_pool(void **state)
{
	mempool_t *pool;
	(void)state;

	boot_attach(BOOT_NUMA);		/* CPU 0 is on node 0 */
	fake_reset();
	pool = mempool_create_node(4, fake_alloc, fake_free, &fk, GFP_KERNEL, 1);
	assert_non_null(pool);
	assert_int_equal(page_to_nid(virt_to_page(pool)), 1);
	assert_int_equal(page_to_nid(virt_to_page(pool->elements)), 1);
	assert_int_equal(pool->curr_nr, 4);
	mempool_destroy(pool);
	pool = mempool_create_node(4, fake_alloc, fake_free, &fk, GFP_KERNEL, 0);
	assert_non_null(pool);
	assert_int_equal(page_to_nid(virt_to_page(pool)), 0);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* mempool_alloc(): the reserve, the masks, NULL                       */

static void test_lifo_reserve(void **state)
{
	struct mempool_stats s0;
	mempool_t *pool;
	void *e[5], *x, *y;
	int calls;
	(void)state;

	boot_attach(BOOT_UP);
	fake_reset();
	pool = fake_pool(4);
	s0 = mempool_stats_of(pool);
	fk_write(&fk.fail_all, 1);
	/* elements[--curr_nr]: the last created comes out first */
	for (int k = 3; k >= 0; k--) {
		calls = CALLS();
		e[k] = mempool_alloc(pool, GFP_KERNEL);
		assert_ptr_equal(e[k], TOK(k));
		assert_int_equal(pool->curr_nr, k);
		/* the backing allocator was tried once, the reserve was not empty */
		assert_int_equal(CALLS(), calls + 1);
		ASSERT_GFP(fk_gfp(calls + 1), FIRST_MASK(GFP_KERNEL));
	}
	expect_stats("4 from the reserve", pool, &s0, 0, 4, 0, 0, 4);

	/* empty pool, failing allocator: a caller that cannot sleep gets NULL */
	calls = CALLS();
	assert_null(mempool_alloc(pool, GFP_ATOMIC));
	assert_int_equal(CALLS(), calls + 1);
	ASSERT_GFP(fk_gfp(calls + 1), FULL_MASK(GFP_ATOMIC));
	expect_stats("GFP_ATOMIC NULL", pool, &s0, 0, 4, 1, 0, 4);

	/* frees refill it in order; the last freed comes out first */
	mempool_free(e[1], pool);
	assert_int_equal(pool->curr_nr, 1);
	assert_ptr_equal(pool->elements[0], TOK(1));
	mempool_free(e[3], pool);
	assert_int_equal(pool->curr_nr, 2);
	assert_ptr_equal(pool->elements[1], TOK(3));
	assert_int_equal(NFREED(), 0);
	x = mempool_alloc(pool, GFP_NOIO);
	y = mempool_alloc(pool, GFP_NOIO);
	assert_ptr_equal(x, TOK(3));
	assert_ptr_equal(y, TOK(1));
	assert_int_equal(pool->curr_nr, 0);
	expect_stats("refill and take", pool, &s0, 0, 6, 1, 2, 4);

	/* the backing allocator recovers: an empty pool still serves GFP_ATOMIC */
	fk_write(&fk.fail_all, 0);
	e[4] = mempool_alloc(pool, GFP_ATOMIC);
	assert_ptr_equal(e[4], TOK(4));
	assert_int_equal(pool->curr_nr, 0);
	expect_stats("backing", pool, &s0, 1, 6, 1, 2, 5);

	for (int k = 0; k < 4; k++)
		mempool_free(e[k], pool);
	assert_int_equal(pool->curr_nr, 4);
	assert_int_equal(NFREED(), 0);
	mempool_free(e[4], pool);		/* the reserve is full: pool->free */
	assert_int_equal(NFREED(), 1);
	assert_int_equal(fk.freed[1], 4);
	expect_stats("all back", pool, &s0, 1, 6, 1, 6, 0);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	assert_int_equal(fk.bad_free, 0);
	check_shutdown();
}

static void test_alloc_masks(void **state)
{
	struct mempool_stats s0;
	mempool_t *pool;
	void *e[8];
	int c;
	(void)state;

	/* the masks written out once, from include/linux/gfp.h */
	BUILD_BUG_ON(FIRST_MASK(GFP_KERNEL) !=
		     (__GFP_KSWAPD_RECLAIM | __GFP_FS | __GFP_NOMEMALLOC |
		      __GFP_NORETRY | __GFP_NOWARN));
	BUILD_BUG_ON(FULL_MASK(GFP_KERNEL) !=
		     (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_IO | __GFP_FS |
		      __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN));

	boot_attach(BOOT_UP);
	fake_reset();
	pool = fake_pool(2);
	s0 = mempool_stats_of(pool);
	fk_write(&fk.fail_all, 1);

	/* reserve not empty: one round, reduced mask */
	c = CALLS();
	e[0] = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(e[0], TOK(1));
	assert_int_equal(CALLS(), c + 1);
	ASSERT_GFP(fk_gfp(c + 1), __GFP_KSWAPD_RECLAIM | __GFP_FS | MP_ADDED);
	c = CALLS();
	e[1] = mempool_alloc(pool, GFP_NOFS);
	assert_ptr_equal(e[1], TOK(0));
	assert_int_equal(CALLS(), c + 1);
	ASSERT_GFP(fk_gfp(c + 1), __GFP_KSWAPD_RECLAIM | MP_ADDED);
	assert_int_equal(pool->curr_nr, 0);

	/* reserve empty: the first round fails, the second has the full mask */
	fk_write(&fk.fail_all, 0);
	fk_write(&fk.fail_next, 1);
	c = CALLS();
	e[2] = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(e[2], TOK(2));
	assert_int_equal(CALLS(), c + 2);
	ASSERT_GFP(fk_gfp(c + 1), FIRST_MASK(GFP_KERNEL));
	ASSERT_GFP(fk_gfp(c + 2), FULL_MASK(GFP_KERNEL));

	fk_write(&fk.fail_next, 1);
	c = CALLS();
	e[3] = mempool_alloc(pool, GFP_NOIO);
	assert_ptr_equal(e[3], TOK(3));
	assert_int_equal(CALLS(), c + 2);
	ASSERT_GFP(fk_gfp(c + 1), __GFP_KSWAPD_RECLAIM | MP_ADDED);
	ASSERT_GFP(fk_gfp(c + 2), __GFP_RECLAIM | MP_ADDED);

	/* zone modifiers and other bits go through untouched */
	fk_write(&fk.fail_next, 1);
	c = CALLS();
	e[4] = mempool_alloc(pool, GFP_KERNEL | __GFP_DMA | __GFP_HIGH);
	assert_ptr_equal(e[4], TOK(4));
	assert_int_equal(CALLS(), c + 2);
	ASSERT_GFP(fk_gfp(c + 1), FIRST_MASK(GFP_KERNEL | __GFP_DMA | __GFP_HIGH));
	ASSERT_GFP(fk_gfp(c + 2), FULL_MASK(GFP_KERNEL | __GFP_DMA | __GFP_HIGH));

	/* no direct reclaim and no IO to strip: one call only, then NULL */
	fk_write(&fk.fail_next, 2);
	c = CALLS();
	assert_null(mempool_alloc(pool, GFP_ATOMIC));
	assert_int_equal(CALLS(), c + 1);
	ASSERT_GFP(fk_gfp(c + 1), GFP_ATOMIC | MP_ADDED);
	c = CALLS();
	assert_null(mempool_alloc(pool, GFP_NOWAIT));
	assert_int_equal(CALLS(), c + 1);
	ASSERT_GFP(fk_gfp(c + 1), GFP_NOWAIT | MP_ADDED);

	/* the first round succeeds: the empty reserve is not involved */
	c = CALLS();
	e[5] = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(e[5], TOK(5));
	assert_int_equal(CALLS(), c + 1);
	ASSERT_GFP(fk_gfp(c + 1), FIRST_MASK(GFP_KERNEL));
	assert_int_equal(pool->curr_nr, 0);
	expect_stats("masks", pool, &s0, 4, 2, 2, 0, 6);

	for (int k = 0; k < 6; k++)
		mempool_free(e[k], pool);
	assert_int_equal(pool->curr_nr, 2);
	assert_int_equal(NFREED(), 4);
	expect_stats("masks, freed", pool, &s0, 4, 2, 2, 2, 0);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* mempool_free()                                                      */

static void test_free_paths(void **state)
{
	struct mempool_stats s0, s1;
	mempool_t *pool;
	void *a, *b, *c;
	(void)state;

	boot_attach(BOOT_UP);
	fake_reset();
	pool = fake_pool(2);
	fk_write(&fk.fail_all, 1);
	a = mempool_alloc(pool, GFP_KERNEL);
	b = mempool_alloc(pool, GFP_KERNEL);
	assert_int_equal(pool->curr_nr, 0);
	s0 = mempool_stats_of(pool);

	/* NULL: nothing at all, even with the reserve below min_nr */
	mempool_free(NULL, pool);
	s1 = mempool_stats_of(pool);
	assert_int_equal(pool->curr_nr, 0);
	assert_int_equal(NFREED(), 0);
	assert_memory_equal(&s0, &s1, sizeof(s0));

	/* below min_nr: back to the reserve, pool->free not called */
	mempool_free(a, pool);
	assert_int_equal(pool->curr_nr, 1);
	assert_ptr_equal(pool->elements[0], a);
	assert_int_equal(NFREED(), 0);
	expect_stats("refill", pool, &s0, 0, 0, 0, 1, -1);

	fk_write(&fk.fail_all, 0);
	c = mempool_alloc(pool, GFP_KERNEL);		/* from the backing allocator */
	assert_ptr_equal(c, TOK(2));
	assert_int_equal(pool->curr_nr, 1);
	mempool_free(b, pool);
	assert_int_equal(pool->curr_nr, 2);
	assert_ptr_equal(pool->elements[1], b);
	assert_int_equal(NFREED(), 0);

	/* full: pool->free, whichever allocator the element came from */
	mempool_free(c, pool);
	assert_int_equal(pool->curr_nr, 2);
	assert_int_equal(NFREED(), 1);
	assert_int_equal(fk.freed[1], 2);
	expect_stats("full", pool, &s0, 1, 0, 0, 2, -2);
	mempool_free(NULL, pool);
	assert_int_equal(NFREED(), 1);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	assert_int_equal(fk.bad_free, 0);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* Waiting for an element                                              */

struct waiter {
	mempool_t *pool;
	void *element;
	double secs;
	int cpu;
	int first_call;		/* fk.calls when it started (before its calls) */
};

static void waiter_fn(struct cpu_job *job)
{
	struct waiter *w = job->arg;
	double t0 = now_s();

	w->element = mempool_alloc(w->pool, GFP_KERNEL);
	w->secs = now_s() - t0;
	w->cpu = (int)smp_processor_id();
}

/* Wait (napping) until the pool counts `n` sleeps; 1, or 0 after `secs`. */
static int wait_for_waits(mempool_t *pool, unsigned long n, double secs)
{
	double end = now_s() + secs;

	while (STAT(pool, waits) < n || !waitqueue_active(&pool->wait)) {
		if (now_s() > end)
			return 0;
		nap_us(200);
	}
	return 1;
}

/* Before failing with sleepers still about: let the backing allocator
 * succeed and wake them, so that they return and the machine can go. */
static void rescue_waiters(mempool_t *pool, struct cpu_job *jobs, int n)
{
	fk_write(&fk.fail_all, 0);
	fk_write(&fk.fail_next, 0);
	fk_write(&fk.fail_from, 0);
	wake_up_all(&pool->wait);
	for (int k = 0; k < n; k++)
		pthread_join(jobs[k].tid, NULL);
}

/* hz_scale=1: the timeout is 5 real seconds; the wake-up comes long before. */
static void test_waiter_woken_by_free(void **state)
{
	struct mempool_stats s0, s;
	struct cpu_job job;
	struct waiter w;
	mempool_t *pool;
	void *e0;
	int c0, calls_asleep;
	(void)state;

	boot_attach(BOOT_NUMA);			/* CPU 3 is on node 1 */
	fake_reset();
	pool = mempool_create(1, fake_alloc, fake_free, &fk);
	assert_non_null(pool);
	fk_write(&fk.fail_all, 1);
	e0 = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(e0, TOK(0));
	s0 = mempool_stats_of(pool);
	c0 = CALLS();

	w = (struct waiter){ .pool = pool, .cpu = -1 };
	cpu_job_start(&job, 3, waiter_fn, &w);
	if (!wait_for_waits(pool, 1, LONG_WAIT_S)) {
		rescue_waiters(pool, &job, 1);
		fail_msg("the GFP_KERNEL caller never slept on pool->wait");
	}
	nap_us(20000);
	if (get(&job.done)) {
		rescue_waiters(pool, &job, 1);
		fail_msg("the GFP_KERNEL caller returned %p without an element freed",
			 w.element);
	}
	/* (what it did before it slept, checked once it is back) */
	calls_asleep = CALLS();

	/* CPU 0 gives the element back: into the reserve, and the waiter wakes */
	mempool_free(e0, pool);
	cpu_job_join(&job);
	/* before it slept it tried the reduced mask, then the full mask */
	assert_int_equal(calls_asleep, c0 + 2);
	ASSERT_GFP(fk_gfp(c0 + 1), FIRST_MASK(GFP_KERNEL));
	ASSERT_GFP(fk_gfp(c0 + 2), FULL_MASK(GFP_KERNEL));
	assert_int_equal(fk_read(&fk.cpu[c0 + 1]), 3);
	assert_ptr_equal(w.element, e0);
	assert_int_equal(w.cpu, 3);
	if (w.secs > 4.0)
		fail_msg("the waiter took %.2f s: it was not woken by mempool_free() "
			 "(5*HZ timeout is 5 s)", w.secs);
	/* after the wake-up: one more round (full mask), then the reserve */
	assert_int_equal(CALLS(), c0 + 3);
	ASSERT_GFP(fk_gfp(c0 + 3), FULL_MASK(GFP_KERNEL));
	assert_int_equal(NFREED(), 0);
	assert_int_equal(pool->curr_nr, 0);
	assert_false(waitqueue_active(&pool->wait));

	s = mempool_stats_of(pool);
	expect_stats("woken waiter", pool, &s0, 0, 1, 0, 1, 0);
	assert_int_equal(s.waits - s0.waits, 1);
	assert_int_equal(s.wakeups - s0.wakeups, 1);
	assert_int_equal(s.timeouts - s0.timeouts, 0);
	assert_true(s.longest_wait_ns >= 15000000ULL);		/* >= the 20 ms nap */
	assert_true(s.longest_wait_ns <= (unsigned long long)(w.secs * 1e9) + 1000000ULL);

	mempool_free(w.element, pool);
	assert_int_equal(pool->curr_nr, 1);
	assert_int_equal(STAT(pool, outstanding), 0);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	check_shutdown();
}

/* Two sleepers, two frees from CPU 0: each free brings one of them an element. */
static void test_free_wakes_each_waiter(void **state)
{
	struct cpu_job job[2];
	struct waiter w[2];
	struct mempool_stats s;
	mempool_t *pool;
	void *e[2];
	int done;
	(void)state;

	boot_attach(BOOT_NUMA);
	fake_reset();
	pool = mempool_create(2, fake_alloc, fake_free, &fk);
	assert_non_null(pool);
	fk_write(&fk.fail_all, 1);
	e[0] = mempool_alloc(pool, GFP_KERNEL);
	e[1] = mempool_alloc(pool, GFP_KERNEL);
	assert_int_equal(pool->curr_nr, 0);
	for (int k = 0; k < 2; k++) {
		w[k] = (struct waiter){ .pool = pool, .cpu = -1 };
		cpu_job_start(&job[k], (unsigned int)(1 + 2 * k), waiter_fn, &w[k]);
	}
	if (!wait_for_waits(pool, 2, LONG_WAIT_S)) {
		rescue_waiters(pool, job, 2);
		fail_msg("the two GFP_KERNEL callers never both slept");
	}
	nap_us(10000);
	mempool_free(e[0], pool);
	/* one of them got it, the other sleeps on */
	for (double end = now_s() + LONG_WAIT_S;
	     !get(&job[0].done) && !get(&job[1].done) && now_s() < end;)
		nap_us(200);
	nap_us(20000);
	done = get(&job[0].done) + get(&job[1].done);
	mempool_free(e[1], pool);
	if (done != 1) {
		rescue_waiters(pool, job, 2);
		fail_msg("%d of 2 waiters returned after one mempool_free()", done);
	}
	cpu_job_join(&job[0]);
	cpu_job_join(&job[1]);
	assert_true((w[0].element == e[0] && w[1].element == e[1]) ||
		    (w[0].element == e[1] && w[1].element == e[0]));
	for (int k = 0; k < 2; k++)
		if (w[k].secs > 4.0)
			fail_msg("waiter on CPU %d took %.2f s: not woken by mempool_free()",
				 w[k].cpu, w[k].secs);
	s = mempool_stats_of(pool);
	assert_int_equal(s.timeouts, 0);
	assert_true(s.waits >= 2);
	assert_int_equal(s.waits, s.wakeups);
	assert_int_equal(s.alloc_pool, 4);
	assert_int_equal(s.frees_to_pool, 2);
	assert_int_equal(s.outstanding, 2);
	assert_int_equal(NFREED(), 0);
	mempool_free(w[0].element, pool);
	mempool_free(w[1].element, pool);
	assert_int_equal(pool->curr_nr, 2);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	check_shutdown();
}

/*
 * Nobody frees: the waiter sleeps 5*HZ (0.1 s at hz_scale=50), tries the
 * backing allocator again with the full mask, and gets an element as soon
 * as the allocator recovers.  Calls: reduced, full, [5*HZ], full, [5*HZ],
 * full, [5*HZ], full (succeeds).
 */
static void test_waiter_times_out_and_retries(void **state)
{
	unsigned long long min_wait_ns = 5ULL * 1000000000ULL / 50 * 9 / 10;
	struct mempool_stats s0, s;
	mempool_t *pool;
	double t0, secs;
	void *e0, *e;
	int c0;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1 hz_scale=50");
	fake_reset();
	pool = fake_pool(1);
	fk_write(&fk.fail_all, 1);
	e0 = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(e0, TOK(0));
	fk_write(&fk.fail_all, 0);
	s0 = mempool_stats_of(pool);
	c0 = CALLS();
	fk_write(&fk.fail_next, 4);

	t0 = now_s();
	e = mempool_alloc(pool, GFP_KERNEL);
	secs = now_s() - t0;
	assert_ptr_equal(e, TOK(1));		/* from the recovered allocator */
	assert_int_equal(CALLS(), c0 + 5);
	ASSERT_GFP(fk_gfp(c0 + 1), FIRST_MASK(GFP_KERNEL));
	for (int n = 2; n <= 5; n++)
		ASSERT_GFP(fk_gfp(c0 + n), FULL_MASK(GFP_KERNEL));
	/* the second try is immediate; each later one follows a full 5*HZ */
	for (int n = 3; n <= 5; n++) {
		unsigned long d = fk.jif[c0 + n] - fk.jif[c0 + n - 1];

		if (d < 5 * HZ - 1)
			fail_msg("call %d came %lu jiffies after call %d: before the "
				 "5*HZ timeout", n, d, n - 1);
	}
	assert_true(secs >= 3 * (double)min_wait_ns * 1e-9);
	if (secs > 10.0)
		fail_msg("3 timeouts of 5*HZ at hz_scale=50 took %.2f s", secs);

	s = mempool_stats_of(pool);
	expect_stats("timeouts", pool, &s0, 1, 0, 0, 0, 1);
	assert_int_equal(s.waits - s0.waits, 3);
	assert_int_equal(s.timeouts - s0.timeouts, 3);
	assert_int_equal(s.wakeups - s0.wakeups, 0);
	assert_true(s.longest_wait_ns >= min_wait_ns);
	assert_true(s.longest_wait_ns < 2000000000ULL);		/* scaled, not 5 s */
	assert_false(waitqueue_active(&pool->wait));

	mempool_free(e0, pool);			/* refills */
	mempool_free(e, pool);			/* pool->free */
	assert_int_equal(NFREED(), 1);
	assert_int_equal(fk.freed[1], 1);
	assert_int_equal(STAT(pool, outstanding), 0);
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* mempool_resize()                                                    */

static void test_resize(void **state)
{
	mempool_t *pool;
	void *e, *a, *b;
	int c, ret;
	(void)state;

	boot_attach(BOOT_UP);
	fake_reset();
	pool = fake_pool(2);

	/* grow: min_nr first, then filled with GFP_KERNEL calls */
	c = CALLS();
	assert_int_equal(mempool_resize(pool, 5), 0);
	assert_int_equal(pool->min_nr, 5);
	assert_int_equal(pool->curr_nr, 5);
	assert_int_equal(CALLS(), c + 3);
	for (int n = c + 1; n <= c + 3; n++)
		ASSERT_GFP(fk_gfp(n), GFP_KERNEL);
	for (int i = 0; i < 5; i++)
		assert_ptr_equal(pool->elements[i], TOK(i));	/* kept, then added */

	/* grow best effort: the allocator fails after one element */
	c = CALLS();
	fk_write(&fk.fail_from, c + 2);
	assert_int_equal(mempool_resize(pool, 8), 0);
	assert_int_equal(pool->min_nr, 8);
	assert_int_equal(pool->curr_nr, 6);
	assert_int_equal(CALLS(), c + 2);
	assert_ptr_equal(pool->elements[5], TOK(5));
	/* the hole is filled by the next frees */
	fk_write(&fk.fail_all, 1);
	e = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(e, TOK(5));
	assert_int_equal(pool->curr_nr, 5);
	mempool_free(e, pool);
	assert_int_equal(pool->curr_nr, 6);
	assert_int_equal(NFREED(), 0);

	/* same size: nothing */
	c = CALLS();
	assert_int_equal(mempool_resize(pool, 8), 0);
	assert_int_equal(pool->min_nr, 8);
	assert_int_equal(pool->curr_nr, 6);
	assert_int_equal(CALLS(), c);
	assert_int_equal(NFREED(), 0);

	/* shrink: the surplus goes to pool->free, from the top */
	assert_int_equal(mempool_resize(pool, 3), 0);
	assert_int_equal(pool->min_nr, 3);
	assert_int_equal(pool->curr_nr, 3);
	assert_int_equal(CALLS(), c);
	assert_int_equal(NFREED(), 3);
	assert_int_equal(fk.freed[1], 5);
	assert_int_equal(fk.freed[2], 4);
	assert_int_equal(fk.freed[3], 3);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(pool->elements[i], TOK(i));

	/* shrink below min_nr but above curr_nr: nothing to free */
	a = mempool_alloc(pool, GFP_KERNEL);
	b = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(a, TOK(2));
	assert_ptr_equal(b, TOK(1));
	assert_int_equal(mempool_resize(pool, 2), 0);
	assert_int_equal(pool->min_nr, 2);
	assert_int_equal(pool->curr_nr, 1);
	assert_int_equal(NFREED(), 3);
	mempool_free(a, pool);			/* 1 < 2: refill */
	assert_int_equal(pool->curr_nr, 2);
	mempool_free(b, pool);			/* full: pool->free */
	assert_int_equal(pool->curr_nr, 2);
	assert_int_equal(NFREED(), 4);
	assert_int_equal(fk.freed[4], 1);
	assert_int_equal(STAT(pool, outstanding), 0);

	/* grow, but the new array cannot be had (more than KMALLOC_MAX_SIZE):
	 * -ENOMEM and the pool as it was */
	c = CALLS();
	capture_begin();
	ret = mempool_resize(pool, (int)(KMALLOC_MAX_SIZE / sizeof(void *)) + 1);
	capture_end();
	assert_int_equal(ret, -ENOMEM);
	assert_int_equal(pool->min_nr, 2);
	assert_int_equal(pool->curr_nr, 2);
	assert_int_equal(CALLS(), c);
	assert_int_equal(NFREED(), 4);

	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	assert_int_equal(fk.bad_free, 0);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* The slab, kmalloc and page pools                                    */

static int ctor_runs;

static void a_ctor(void *obj)
{
	(void)obj;
	__atomic_fetch_add(&ctor_runs, 1, __ATOMIC_RELAXED);
}

static void test_slab_pool(void **state)
{
	struct kmem_cache *c, *cc;
	unsigned long warns, viol;
	const char *out;
	mempool_t *pool;
	char *e;
	(void)state;

	boot_attach(BOOT_UP);
	c = kmem_cache_create("mp-200", 200, 0, 0, NULL);
	assert_non_null(c);
	pool = mempool_create_slab_pool(3, c);
	assert_non_null(pool);
	assert_true(pool->alloc == mempool_alloc_slab);
	assert_true(pool->free == mempool_free_slab);
	assert_ptr_equal(pool->pool_data, c);
	assert_int_equal(pool->curr_nr, 3);
	/* (SLOB's pages record no cache) */
	for (int i = 0; i < 3 && !TEST_SLOB; i++)
		assert_ptr_equal(virt_to_cache(pool->elements[i]), c);
	e = mempool_alloc(pool, GFP_KERNEL);
	assert_non_null(e);
	if (!TEST_SLOB)
		assert_ptr_equal(virt_to_cache(e), c);
	memset(e, 0x42, 200);
	assert_int_equal(pool->curr_nr, 3);
	mempool_free(e, pool);			/* full reserve: kmem_cache_free */
	assert_int_equal(pool->curr_nr, 3);
	mempool_destroy(pool);
	/* every object went back: the cache empties and goes quietly */
	assert_int_equal(kmem_cache_shrink(c), 0);
	viol = report_violations();
	capture_begin();
	kmem_cache_destroy(c);
	out = capture_end();
	assert_string_equal(out, "");
	assert_int_equal(report_violations(), viol);

	/* a cache with a constructor is refused with a warning */
	cc = kmem_cache_create("mp-ctor", 200, 0, 0, a_ctor);
	assert_non_null(cc);
	warns = report_count(REPORT_WARNING);
	capture_begin();
	pool = mempool_create_slab_pool(2, cc);
	out = capture_end();
	assert_null(pool);
	assert_contains(out, "WARNING");
	assert_true(report_count(REPORT_WARNING) >= warns + 1);
	assert_mm_check_ok();
	assert_int_equal(kmem_cache_shrink(cc), 0);	/* no object left behind */
	viol = report_violations();
	capture_begin();
	kmem_cache_destroy(cc);
	out = capture_end();
	assert_string_equal(out, "");
	assert_int_equal(report_violations(), viol);
	check_shutdown();
}

static void test_kmalloc_pool(void **state)
{
	static const size_t sizes[] = { 1, 100, 200, 4097 };
	(void)state;

	boot_attach(BOOT_UP);
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		size_t size = sizes[k];
		mempool_t *pool = mempool_create_kmalloc_pool(2, size);
		void *e[3];

		assert_non_null(pool);
		assert_true(pool->alloc == mempool_kmalloc);
		assert_true(pool->free == mempool_kfree);
		assert_int_equal((size_t)pool->pool_data, size);
		for (int i = 0; i < 2; i++) {
			assert_non_null(pool->elements[i]);
			if (ksize(pool->elements[i]) < size)
				fail_msg("reserve element of a %zu-byte pool: ksize %zu",
					 size, ksize(pool->elements[i]));
		}
		for (int i = 0; i < 3; i++) {
			e[i] = mempool_alloc(pool, GFP_KERNEL);
			assert_non_null(e[i]);
			if (ksize(e[i]) < size)
				fail_msg("element of a %zu-byte pool: ksize %zu", size,
					 ksize(e[i]));
			memset(e[i], 0x5c, size);
		}
		assert_int_equal(pool->curr_nr, 2);
		for (int i = 0; i < 3; i++)
			mempool_free(e[i], pool);
		assert_int_equal(pool->curr_nr, 2);
		assert_int_equal(STAT(pool, outstanding), 0);
		assert_int_equal(STAT(pool, alloc_backing), 3);
		mempool_destroy(pool);
	}
	assert_mm_check_ok();
	check_shutdown();
}

static void test_page_pool(void **state)
{
	(void)state;

	boot_attach(BOOT_UP);
	for (int order = 0; order <= 3; order += 3) {
		mempool_t *pool = mempool_create_page_pool(2, order);
		struct page *e[2];
		long pages0;

		assert_non_null(pool);
		assert_true(pool->alloc == mempool_alloc_pages);
		assert_true(pool->free == mempool_free_pages);
		assert_int_equal((long)pool->pool_data, order);
		for (int i = 0; i < 2; i++) {
			struct page *page = pool->elements[i];

			assert_int_equal(page_count(page), 1);
			assert_int_equal(page_to_pfn(page) % (1UL << order), 0);
		}
		pages0 = allocated_pages();
		for (int i = 0; i < 2; i++) {
			e[i] = mempool_alloc(pool, GFP_KERNEL);
			assert_non_null(e[i]);
			assert_int_equal(page_count(e[i]), 1);
			assert_int_equal(page_to_pfn(e[i]) % (1UL << order), 0);
			memset(page_address(e[i]), 0x3c, PAGE_SIZE << order);
		}
		if (order > 0)		/* no per-CPU list in between */
			assert_int_equal(allocated_pages() - pages0, 2L << order);
		assert_int_equal(pool->curr_nr, 2);
		for (int i = 0; i < 2; i++)
			mempool_free(e[i], pool);
		if (order > 0)
			assert_int_equal(allocated_pages(), pages0);
		assert_int_equal(pool->curr_nr, 2);
		mempool_destroy(pool);
		assert_mm_check_ok();
	}
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* slab_debug: the reserve is poisoned                                 */

/* Index of the first byte that is not POISON_FREE (POISON_END last), or size. */
static size_t poison_bad(const void *p, size_t size)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i] != (i < size - 1 ? POISON_FREE : POISON_END))
			return i;
	return size;
}

static void expect_poisoned(const char *what, const void *p, size_t size)
{
	size_t i = poison_bad(p, size);

	if (i != size)
		fail_msg("%s: reserve element %p (%zu bytes) not poisoned at byte %zu: %#x",
			 what, p, size, i, ((const unsigned char *)p)[i]);
}

static void expect_filled(const char *what, const void *p, unsigned char c, size_t size)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i] != c)
			fail_msg("%s: byte %zu of %zu is %#x, expected %#x", what, i, size,
				 b[i], c);
}

/* Everything the page allocator and the slab caches could give. */
struct stash {
	struct held pages;
	void **obj;
	struct kmem_cache **cache;	/* NULL: kmalloc'ed */
	size_t nr, cap;
};

static void stash_push(struct stash *s, void *obj, struct kmem_cache *c)
{
	if (s->nr == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->obj = realloc(s->obj, s->cap * sizeof(*s->obj));
		s->cache = realloc(s->cache, s->cap * sizeof(*s->cache));
		assert_non_null(s->obj);
		assert_non_null(s->cache);
	}
	s->obj[s->nr] = obj;
	s->cache[s->nr++] = c;
}

static void exhaust(struct stash *s, struct kmem_cache *c, const size_t *sizes, size_t n)
{
	void *p;

	for (int round = 0; round < 2; round++) {
		drain_with(&s->pages, GFP_ATOMIC | __GFP_MEMALLOC);
		for (size_t k = 0; k < n; k++)
			while ((p = kmalloc(sizes[k], GFP_ATOMIC | __GFP_MEMALLOC | __GFP_NOWARN)))
				stash_push(s, p, NULL);
		while ((p = kmem_cache_alloc(c, GFP_ATOMIC | __GFP_MEMALLOC | __GFP_NOWARN)))
			stash_push(s, p, c);
	}
	assert_null(alloc_pages(GFP_ATOMIC | __GFP_MEMALLOC | __GFP_NOWARN, 0));
}

static void stash_free(struct stash *s)
{
	while (s->nr) {
		s->nr--;
		if (s->cache[s->nr])
			kmem_cache_free(s->cache[s->nr], s->obj[s->nr]);
		else
			kfree(s->obj[s->nr]);
	}
	free(s->obj);
	free(s->cache);
	held_free_all(&s->pages);
	memset(s, 0, sizeof(*s));
}

/* A pool the kernel does not poison: its own kmalloc'ed 64-byte elements. */
static void *plain_alloc(gfp_t gfp, void *data)
{
	void *p = kmalloc(64, gfp);

	(void)data;
	if (p)
		memset(p, 0x11, 64);
	return p;
}

static void plain_free(void *element, void *data)
{
	(void)data;
	kfree(element);
}

/* Hand out the reserve's top element with GFP_ATOMIC (the backing allocator
 * is exhausted); returns the captured console output. */
static const char *take_top(mempool_t *pool, void **out_elem, unsigned long *bugs)
{
	void *top = pool->elements[pool->curr_nr - 1];
	unsigned long b0 = report_count(REPORT_BUG);
	const char *out;

	capture_begin();
	*out_elem = mempool_alloc(pool, GFP_ATOMIC);
	out = capture_end();
	if (*out_elem != top)
		fail_msg("mempool_alloc() gave %p, not the reserve's top %p (the backing "
			 "allocator was supposed to be exhausted)", *out_elem, top);
	*bugs = report_count(REPORT_BUG) - b0;
	return out;
}

static void test_slab_debug_poison(void **state)
{
	static const size_t sizes[] = { 64, 100 };
	mempool_t *kp, *pp, *sp, *cp;
	struct kmem_cache *c;
	struct stash st = { 0 };
	unsigned long bugs, viol;
	const char *out;
	void *k1, *k2, *s1, *c1;
	struct page *p1, *p2;
	unsigned char k2_byte0, k2_byte10;
	size_t ks;
	(void)state;

	SKIP_UNLESS_SLAB("the reserve's poisoning follows SLAB's slab_debug (mm/mempool.c); "
			 "slub_debug does not turn it on in the model");

	boot_attach(BOOT_DEBUG);
	assert_true(slab_debug);
	c = kmem_cache_create("mp-dbg-200", 200, 0, 0, NULL);
	assert_non_null(c);
	kp = mempool_create_kmalloc_pool(2, 100);
	pp = mempool_create_page_pool(2, 1);
	sp = mempool_create_slab_pool(2, c);
	cp = mempool_create(1, plain_alloc, plain_free, NULL);
	assert_non_null(kp);
	assert_non_null(pp);
	assert_non_null(sp);
	assert_non_null(cp);

	/* resting in the reserve: poisoned over ksize() / the whole block */
	for (int i = 0; i < 2; i++) {
		expect_poisoned("kmalloc pool", kp->elements[i], ksize(kp->elements[i]));
		expect_poisoned("page pool", page_address(pp->elements[i]), PAGE_SIZE << 1);
		expect_poisoned("slab pool", sp->elements[i], ksize(sp->elements[i]));
	}
	/* a pool of its own functions: the kernel cannot know the size */
	expect_filled("own pool", cp->elements[0], 0x11, 64);

	viol = report_violations();
	exhaust(&st, c, sizes, ARRAY_SIZE(sizes));

	/* an intact element is handed out without a word, filled with POISON_INUSE */
	out = take_top(kp, &k1, &bugs);
	assert_int_equal(bugs, 0);
	assert_string_equal(out, "");
	ks = ksize(k1);
	expect_filled("kmalloc element handed out", k1, POISON_INUSE, ks);

	/* a write while it rested is reported when it is handed out */
	((unsigned char *)kp->elements[0])[10] = 0;
	out = take_top(kp, &k2, &bugs);
	assert_int_equal(bugs, 1);
	assert_contains(out, "BUG: mempool element poison mismatch");
	/* (v4.19 __check_element() returns after poison_error(): checked last) */
	k2_byte0 = ((unsigned char *)k2)[0];
	k2_byte10 = ((unsigned char *)k2)[10];
	assert_null(mempool_alloc(kp, GFP_ATOMIC));	/* empty, and no backing */

	((unsigned char *)page_address(pp->elements[1]))[5000] = 0x77;
	out = take_top(pp, (void **)&p1, &bugs);
	assert_int_equal(bugs, 1);
	assert_contains(out, "BUG: mempool element poison mismatch");
	out = take_top(pp, (void **)&p2, &bugs);
	assert_int_equal(bugs, 0);
	assert_string_equal(out, "");

	/* POISON_END is checked too */
	((unsigned char *)sp->elements[1])[ksize(sp->elements[1]) - 1] = POISON_FREE;
	out = take_top(sp, &s1, &bugs);
	assert_int_equal(bugs, 1);
	assert_contains(out, "BUG: mempool element poison mismatch");

	/* not a kernel-poisoned pool: a write is not checked, the data stays */
	((unsigned char *)cp->elements[0])[3] = 0;
	out = take_top(cp, &c1, &bugs);
	assert_int_equal(bugs, 0);
	assert_string_equal(out, "");
	assert_int_equal(((unsigned char *)c1)[3], 0);
	assert_int_equal(((unsigned char *)c1)[4], 0x11);
	assert_int_equal(report_violations(), viol + 3);

	/* back into the reserve: poisoned again */
	mempool_free(k1, kp);
	mempool_free(k2, kp);
	assert_int_equal(kp->curr_nr, 2);
	assert_ptr_equal(kp->elements[0], k1);
	expect_poisoned("refilled kmalloc element", k1, ksize(k1));
	expect_poisoned("refilled kmalloc element", k2, ksize(k2));
	mempool_free(p1, pp);
	mempool_free(p2, pp);
	expect_poisoned("refilled page", page_address(p1), PAGE_SIZE << 1);
	expect_poisoned("refilled page", page_address(p2), PAGE_SIZE << 1);
	mempool_free(s1, sp);
	expect_poisoned("refilled slab object", s1, ksize(s1));
	mempool_free(c1, cp);
	assert_ptr_equal(cp->elements[0], c1);
	assert_int_equal(((unsigned char *)c1)[3], 0);	/* untouched */

	/* tearing down checks the reserve again: all intact now */
	viol = report_violations();
	stash_free(&st);
	mempool_destroy(kp);
	mempool_destroy(pp);
	mempool_destroy(sp);
	mempool_destroy(cp);
	assert_int_equal(report_violations(), viol);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	assert_int_equal(report_violations(), viol);
	check_shutdown();
	/* a mismatching element is handed out as it was found, for whoever
	 * debugs it: the kernel does not fill it with POISON_INUSE */
	if (k2_byte0 != POISON_FREE || k2_byte10 != 0)
		fail_msg("element handed out after a poison mismatch: bytes 0 and 10 are "
			 "%#x %#x, expected %#x 0 as written (v4.19 __check_element() "
			 "returns after poison_error() without the POISON_INUSE memset)",
			 k2_byte0, k2_byte10, POISON_FREE);
}

/*
 * Highmem pages rest poisoned too: v4.19 poison_element()/check_element()
 * kmap_atomic() a page pool's element (dm-crypt, for one, allocates from its
 * page pool with GFP_NOWAIT | __GFP_HIGHMEM).
 */
static void test_slab_debug_poison_highmem(void **state)
{
	struct held low = { 0 };
	unsigned long bugs;
	struct page *e0, *e1, *eh, *e2;
	const char *out;
	mempool_t *pp;
	unsigned char *v;
	(void)state;

	SKIP_UNLESS_SLAB("the reserve's poisoning follows SLAB's slab_debug (mm/mempool.c); "
			 "slub_debug does not turn it on in the model");

	boot_attach("mem=1G arch=x86_32 nodes=1 cpus=1 slab_debug");
	pp = mempool_create_page_pool(2, 0);
	assert_non_null(pp);
	assert_false(PageHighMem((struct page *)pp->elements[0]));
	/* lowmem exhausted (no __GFP_HIGHMEM: DMA and Normal only) */
	drain_with(&low, GFP_ATOMIC | __GFP_MEMALLOC);
	out = take_top(pp, (void **)&e1, &bugs);
	assert_int_equal(bugs, 0);
	out = take_top(pp, (void **)&e0, &bugs);
	assert_int_equal(bugs, 0);
	(void)out;
	eh = mempool_alloc(pp, GFP_ATOMIC | __GFP_HIGHMEM);
	assert_non_null(eh);
	assert_true(PageHighMem(eh));
	mempool_free(eh, pp);			/* into the empty reserve */
	assert_int_equal(pp->curr_nr, 1);
	assert_ptr_equal(pp->elements[0], eh);
	v = physmem_map((uint64_t)page_to_pfn(eh) << PAGE_SHIFT, PAGE_SIZE);
	assert_non_null(v);
	if (poison_bad(v, PAGE_SIZE) != PAGE_SIZE) {
		size_t i = poison_bad(v, PAGE_SIZE);

		physmem_unmap(v, PAGE_SIZE);
		mempool_free(e0, pp);
		mempool_free(e1, pp);
		mempool_destroy(pp);
		held_free_all(&low);
		fail_msg("a highmem page resting in a page pool's reserve is not poisoned "
			 "(byte %zu); v4.19 poisons it through kmap_atomic()", i);
	}
	v[100] = 0;
	physmem_unmap(v, PAGE_SIZE);
	out = take_top(pp, (void **)&e2, &bugs);
	assert_ptr_equal(e2, eh);
	assert_int_equal(bugs, 1);
	assert_contains(out, "BUG: mempool element poison mismatch");
	mempool_free(e0, pp);
	mempool_free(e1, pp);
	mempool_free(e2, pp);
	mempool_destroy(pp);
	held_free_all(&low);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* Misuse                                                              */

static void test_destroy_with_elements_out(void **state)
{
	unsigned long viol;
	const char *out;
	mempool_t *pool;
	void *e, *f;
	(void)state;

	boot_attach(BOOT_UP);
	pool = mempool_create_kmalloc_pool(2, 64);
	assert_non_null(pool);
	e = mempool_alloc(pool, GFP_KERNEL);
	f = mempool_alloc(pool, GFP_KERNEL);
	assert_non_null(e);
	assert_non_null(f);
	mempool_free(f, pool);
	assert_int_equal(STAT(pool, outstanding), 1);
	viol = report_violations();
	capture_begin();
	mempool_destroy(pool);
	out = capture_end();
	assert_int_equal(report_violations(), viol + 1);
	assert_contains(out, "mempool");
	kfree(e);		/* the pool is gone: back to its allocator */
	assert_mm_check_ok();

	/* with everything back it goes quietly */
	pool = mempool_create_kmalloc_pool(2, 64);
	assert_non_null(pool);
	e = mempool_alloc(pool, GFP_KERNEL);
	mempool_free(e, pool);
	viol = report_violations();
	capture_begin();
	mempool_destroy(pool);
	out = capture_end();
	assert_string_equal(out, "");
	assert_int_equal(report_violations(), viol);
	check_shutdown();
}

/* GFP_KERNEL from atomic context: reported (might_sleep_if() in v4.19),
 * and the call must come back instead of sleeping. */
struct actx {
	mempool_t *pool;
	gfp_t gfp;
	int how;		/* 0 preempt_disable(), 1 local_irq_disable() */
	void *element;
	int calls;		/* fake_alloc calls made */
};

static void atomic_alloc_fn(struct cpu_job *job)
{
	struct actx *a = job->arg;
	int c0 = fk_read(&fk.calls);

	if (a->how)
		local_irq_disable();
	else
		preempt_disable();
	a->element = mempool_alloc(a->pool, a->gfp);
	if (a->how)
		local_irq_enable();
	else
		preempt_enable();
	a->calls = fk_read(&fk.calls) - c0;
}

static const char *run_atomic_alloc(struct actx *a, unsigned long *bugs)
{
	unsigned long b0 = report_count(REPORT_BUG);
	struct cpu_job job;
	const char *out;

	/* a looping implementation gets its element after 50 more calls */
	fk_write(&fk.rescue_at, fk_read(&fk.calls) + 50);
	capture_begin();
	cpu_job_start(&job, 1, atomic_alloc_fn, a);
	cpu_job_join(&job);
	out = capture_end();
	fk_write(&fk.rescue_at, 0);
	*bugs = report_count(REPORT_BUG) - b0;
	return out;
}

static void test_sleep_in_atomic_context(void **state)
{
	unsigned long bugs;
	struct actx a;
	const char *out;
	mempool_t *pool;
	void *e0;
	double t0;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2 hz_scale=50");
	fake_reset();
	pool = mempool_create(1, fake_alloc, fake_free, &fk);
	assert_non_null(pool);
	fk_write(&fk.fail_all, 1);
	e0 = mempool_alloc(pool, GFP_KERNEL);
	assert_ptr_equal(e0, TOK(0));

	/* empty pool, failing allocator, preemption off */
	a = (struct actx){ .pool = pool, .gfp = GFP_KERNEL, .how = 0 };
	t0 = now_s();
	out = run_atomic_alloc(&a, &bugs);
	if (a.element)
		fail_msg("GFP_KERNEL mempool_alloc() in atomic context kept retrying "
			 "(%d backing calls) until the allocator recovered", a.calls);
	assert_true(bugs >= 1);
	assert_contains(out, "BUG: sleeping function called from invalid context");
	assert_contains(out, "in_atomic(): 1");
	assert_true(a.calls >= 1 && a.calls <= 2);
	assert_true(now_s() - t0 < 5.0);
	assert_false(waitqueue_active(&pool->wait));

	/* interrupts off */
	a = (struct actx){ .pool = pool, .gfp = GFP_KERNEL, .how = 1 };
	out = run_atomic_alloc(&a, &bugs);
	if (a.element)
		fail_msg("GFP_KERNEL mempool_alloc() with interrupts off kept retrying "
			 "(%d backing calls)", a.calls);
	assert_true(bugs >= 1);
	assert_contains(out, "BUG: sleeping function called from invalid context");
	assert_contains(out, "irqs_disabled(): 1");
	assert_true(a.calls >= 1 && a.calls <= 2);
	assert_false(waitqueue_active(&pool->wait));

	/* GFP_ATOMIC is fine there: NULL, no report */
	a = (struct actx){ .pool = pool, .gfp = GFP_ATOMIC, .how = 0 };
	out = run_atomic_alloc(&a, &bugs);
	assert_null(a.element);
	assert_int_equal(bugs, 0);
	assert_string_equal(out, "");
	assert_int_equal(a.calls, 1);

	/* with an element in reserve it is handed out, and still reported:
	 * might_sleep_if() comes first in v4.19 */
	mempool_free(e0, pool);
	assert_int_equal(pool->curr_nr, 1);
	a = (struct actx){ .pool = pool, .gfp = GFP_KERNEL, .how = 0 };
	out = run_atomic_alloc(&a, &bugs);
	assert_ptr_equal(a.element, e0);
	assert_true(bugs >= 1);
	assert_contains(out, "BUG: sleeping function called from invalid context");

	mempool_free(a.element, pool);
	assert_int_equal(pool->curr_nr, 1);
	assert_int_equal(STAT(pool, outstanding), 0);
	assert_mm_check_ok();
	mempool_destroy(pool);
	assert_int_equal(fk_live(), 0);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_create_and_destroy),
		TEST(test_create_failure_frees_everything),
		TEST(test_create_min_nr_zero),
		TEST(test_create_node_places_pool),
		TEST(test_lifo_reserve),
		TEST(test_alloc_masks),
		TEST(test_free_paths),
		TEST(test_waiter_woken_by_free),
		TEST(test_free_wakes_each_waiter),
		TEST(test_waiter_times_out_and_retries),
		TEST(test_resize),
		TEST(test_slab_pool),
		TEST(test_kmalloc_pool),
		TEST(test_page_pool),
		TEST(test_slab_debug_poison),
		TEST(test_slab_debug_poison_highmem),
		TEST(test_destroy_with_elements_out),
		TEST(test_sleep_in_atomic_context),
	};

	return cmocka_run_group_tests_name("mempool", tests, NULL, NULL);
}
