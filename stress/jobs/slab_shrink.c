// SPDX-License-Identifier: MIT
/*
 * stress/jobs/slab_shrink.c - slab-shrink: bursts of allocations and
 * frees on three caches every CPU shares, against kmem_cache_shrink() of
 * them, of the caches this CPU's slab-churn owns, of kmalloc caches in
 * use by kmalloc-mix and of rcu-free's cache, and the periodic reap run
 * by cond_resched(); shrinking a cache this CPU holds objects of must
 * return 1 and leave them intact.  A fourth cache (reap-idle) gets one
 * burst per REAP_IDLE of jiffies and is otherwise left alone, so that the
 * reap finds idle arrays and free slabs to give back.
 *
 * Who touches what: the caches are made by the setup (CPU 0, before the
 * CPUs start) and destroyed by the teardown, read-only between; see
 * struct scache for `live`.  reap_epoch: below.
 */
#include <errno.h>
#include <string.h>

#include "slab.h"

#define REAP_IDLE	(6 * HZ)	/* > 4 s (REAPTIMEOUT_NODE): one reap sees it idle */

static struct scache *shrink_caches[3];
static struct scache *reap_cache;	/* touched in rare bursts: left to the reap */
static unsigned long reap_epoch;	/* atomic: jiffies / REAP_IDLE of the last burst */

static int slab_shrink_setup(struct run *run)
{
	static const struct {
		const char *name;
		unsigned int size;
		slab_flags_t flags;
	} spec[ARRAY_SIZE(shrink_caches)] = {
		{ "shrink-64", 64, 0 },
		{ "shrink-700", 700, SLAB_HWCACHE_ALIGN },
		{ "shrink-5000", 5000, SLAB_RECLAIM_ACCOUNT },
	};
	struct cpu_ctx *c0 = run_cpu(run, 0);

	for (unsigned int k = 0; k < ARRAY_SIZE(shrink_caches); k++) {
		shrink_caches[k] = scache_create(c0, spec[k].name, spec[k].size, 0, spec[k].flags);
		if (!shrink_caches[k])
			return -ENOMEM;
	}
	/* over a page: no shared array, a small CPU array (Linux's tunables) */
	reap_cache = scache_create(c0, "reap-idle", 5000, 0, 0);
	return reap_cache ? 0 : -ENOMEM;
}

static void slab_shrink_teardown(struct run *run)
{
	for (unsigned int k = 0; k < ARRAY_SIZE(shrink_caches); k++)
		scache_teardown(run, -1, &shrink_caches[k]);
	scache_teardown(run, -1, &reap_cache);
}

/*
 * A burst on the idle cache, all freed at once, at most once per REAP_IDLE
 * on the whole machine: its objects sit in this CPU's array and on free
 * slabs, untouched until the periodic reap gives them back (a reap skips a
 * node whose free slabs were used since the last one).
 */
static void reap_burst(struct cpu_ctx *c, unsigned int n, uint64_t r)
{
	unsigned long epoch = jiffies / REAP_IDLE, last = READ_ONCE(reap_epoch);
	struct held_obj o[64];
	unsigned int got = 0;

	/* Relaxed: the epoch only picks which CPU bursts; the cache is shared. */
	if (epoch == last || !__atomic_compare_exchange_n(&reap_epoch, &last, epoch, 0,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	n = min(n, (unsigned int)ARRAY_SIZE(o));
	for (unsigned int k = 0; k < n; k++) {
		fail_mark(c);
		void *p = kmem_cache_alloc(reap_cache->cache, GFP_KERNEL | __GFP_NOWARN);

		if (!p) {
			count_failure(c, GK_KERNEL, size_order(reap_cache->size));
			break;
		}
		__atomic_fetch_add(&reap_cache->live, 1, __ATOMIC_RELAXED);
		if (!obj_take(c, p, reap_cache, reap_cache->size, 1 + (r >> 20), &o[got]))
			got++;
	}
	while (got)
		obj_release(c, &o[--got], "before freeing it");
}

/* A burst of n objects of sc, held (or freed at once when objs[] is full). */
static void shrink_burst(struct cpu_ctx *c, struct slab_cpu *s, struct scache *sc,
			 unsigned int n, uint64_t r)
{
	int node = (r >> 8) & 1 ? (int)((r >> 10) % num_online_nodes()) : NUMA_NO_NODE;
	struct held_obj o;

	for (unsigned int k = 0; k < n; k++) {
		fail_mark(c);
		void *p = node == NUMA_NO_NODE ? kmem_cache_alloc(sc->cache, GFP_KERNEL | __GFP_NOWARN) :
			  kmem_cache_alloc_node(sc->cache, GFP_KERNEL | __GFP_NOWARN, node);

		if (!p) {
			count_failure(c, GK_KERNEL, size_order(sc->size));
			return;
		}
		__atomic_fetch_add(&sc->live, 1, __ATOMIC_RELAXED);
		if (obj_take(c, p, sc, sc->size, 1 + (r >> 20) % 300, &o))
			continue;
		if (obj_hold(s, &o))
			obj_release(c, &o, "before freeing it");
	}
}

/* kmem_cache_shrink() of a cache another job uses meanwhile. */
/*
 * Is there a kmalloc cache for size bytes?  Per allocator (v4.19): SLAB's
 * classes go up to KMALLOC_MAX_SIZE, SLUB's to 8 KiB (kmalloc_large()
 * beyond), SLOB has none.
 */
static int kmalloc_has_cache(size_t size)
{
	const char *a = mm_slab_allocator();

	if (!strcmp(a, "slob"))
		return 0;
	return strcmp(a, "slub") || size <= 8192;
}

static void shrink_other(struct slab_cpu *s, struct kmem_cache *cache)
{
	if (cache) {
		kmem_cache_shrink(cache);
		s->cnt[SC_SHRINKS]++;
	}
}

static int slab_shrink_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct slab_cpu *s = state;
	unsigned int action = r[0] % 16;
	struct scache *sc = shrink_caches[(r[0] >> 4) % ARRAY_SIZE(shrink_caches)];

	if (!sc)
		return -1;
	obj_expire(c, s, OBJS_MAX);
	if (action < 7) {
		shrink_burst(c, s, sc, 1 + (unsigned int)(r[1] % 24), r[2]);
	} else if (action < 10) {
		/* all of ours of sc back: their slabs may become free */
		for (int i = s->nobjs - 1; i >= 0; i--)
			if (s->objs[i].job == c->cur_job && s->objs[i].sc == sc)
				obj_free(c, s, i, "before freeing it");
	} else if (action < 12) {
		shrink_one(c, sc);
	} else if (action < 13) {
		/* a kmalloc cache, which kmalloc-mix is using meanwhile */
		size_t size = kmalloc_mix_size(r[1]);

		if (kmalloc_has_cache(size))
			shrink_other(s, kmalloc_slab(size, GFP_KERNEL));
	} else if (action < 14) {
		/* the typesafe cache: its free slabs go after a grace period */
		shrink_other(s, rcu_free_cache());
	} else if (action < 15) {
		for (int i = 0; i < CPU_CACHES; i++)
			if (s->caches[i])
				shrink_one(c, s->caches[i]);
	} else if (r[1] % 4 == 0) {
		reap_burst(c, 16 + (unsigned int)((r[1] >> 8) % 49), r[2]);
	} else {
		/* reuse at once, with the deferred work (the reap) in between */
		for (unsigned int n = 0; n < 8; n++) {
			shrink_burst(c, s, sc, 1, r[2] >> n);
			cond_resched();
		}
	}
	return 0;
}

const struct stress_job slab_shrink_job = {
	.name = "slab-shrink", .default_weight = 2, .family = &slab_family, .op = slab_shrink_op,
	.setup = slab_shrink_setup, .teardown = slab_shrink_teardown,
	.what = "kmem_cache_shrink() and the periodic reap racing with allocations on other CPUs",
};
