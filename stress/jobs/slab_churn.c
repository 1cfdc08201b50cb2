// SPDX-License-Identifier: MIT
/*
 * stress/jobs/slab_churn.c - slab-churn: each CPU owns up to CPU_CACHES
 * caches of random size (40 B to 8 KiB), alignment and flags, all with a
 * constructor; it allocates from them (sometimes on a remote node), holds
 * objects with random lifetimes, hands some to another CPU (mostly on
 * another node: the alien-cache path), and now and then retires a cache
 * and destroys it once every object, wherever it went, is back.
 *
 * Who touches what: a CPU's caches[] (struct slab_cpu) and their
 * `retiring` are its own; see struct scache for `live`.
 */
#include "slab.h"

/* A churn cache from the bits of r: 40 B to 8 KiB, any alignment, flags. */
static struct scache *churn_cache_create(struct cpu_ctx *c, struct slab_cpu *s, uint64_t r)
{
	static const unsigned int aligns[] = { 0, 8, 16, 32, 64, 128, 256, 0 };
	unsigned int size, align = aligns[(r >> 16) % ARRAY_SIZE(aligns)];
	slab_flags_t flags = 0;
	char name[32];

	if (r % 8 == 0)
		size = 2049 + (unsigned int)((r >> 3) % 6144);
	else
		size = OBJ_HDR + (unsigned int)((r >> 3) % (2048 - OBJ_HDR));
	if ((r >> 19) % 3 == 0)
		flags |= SLAB_HWCACHE_ALIGN;
	if ((r >> 21) % 4 == 0)
		flags |= SLAB_RECLAIM_ACCOUNT;
	if ((r >> 23) % 8 == 0)
		flags |= SLAB_TYPESAFE_BY_RCU;
	else if ((r >> 26) % 8 == 0)
		flags |= SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;
	if ((r >> 29) % 32 == 0)
		flags |= SLAB_CACHE_DMA;
	snprintf(name, sizeof(name), "churn-%u-%llu", c->cpu,
		 (unsigned long long)s->cnt[SC_CACHES_CREATED]);
	return scache_create(c, name, size, align, flags);
}

/* Retiring caches of c whose objects are all back are destroyed. */
static void churn_reap(struct cpu_ctx *c, struct slab_cpu *s)
{
	for (int i = 0; i < CPU_CACHES; i++) {
		struct scache *sc = s->caches[i];

		/* Acquire: pairs with the release decrement of obj_put_back(). */
		if (sc && sc->retiring && __atomic_load_n(&sc->live, __ATOMIC_ACQUIRE) == 0) {
			scache_destroy(c, sc);
			s->caches[i] = NULL;
		}
	}
}

static void churn_retire(struct cpu_ctx *c, struct slab_cpu *s, unsigned int slot)
{
	struct scache *sc = s->caches[slot];

	if (!sc || sc->retiring)
		return;
	sc->retiring = 1;
	for (int i = s->nobjs - 1; i >= 0; i--)
		if (s->objs[i].sc == sc)
			obj_free(c, s, i, "before retiring its cache");
	churn_reap(c, s);
}

/* An object from one of c's caches (slot s0 first), or -1. */
static int churn_alloc(struct cpu_ctx *c, struct slab_cpu *s, unsigned int s0, uint64_t r,
		       uint64_t rc, struct held_obj *o)
{
	enum gfp_kind kind = (r >> 8) % 8 == 0 ? GK_ATOMIC : GK_KERNEL;
	int irqoff = kind == GK_ATOMIC && ((r >> 11) & 1);
	int node = (r >> 12) % 4 == 0 ? (int)((r >> 14) % num_online_nodes()) : NUMA_NO_NODE;
	struct scache *sc = NULL;
	unsigned long flags = 0;
	void *p;

	for (unsigned int k = 0; k < CPU_CACHES && !sc; k++) {
		unsigned int i = (s0 + k) % CPU_CACHES;

		if (!s->caches[i]) {
			fail_mark(c);
			s->caches[i] = churn_cache_create(c, s, rc);
			if (!s->caches[i]) {
				count_failure(c, GK_KERNEL, 0);
				return -1;
			}
		}
		if (!s->caches[i]->retiring)
			sc = s->caches[i];
	}
	if (!sc)
		return -1;
	if (irqoff)
		local_irq_save(flags);
	fail_mark(c);
	if (node == NUMA_NO_NODE)
		p = kmem_cache_alloc(sc->cache, gfp_kind_mask[kind] | __GFP_NOWARN);
	else
		p = kmem_cache_alloc_node(sc->cache, gfp_kind_mask[kind] | __GFP_NOWARN, node);
	if (irqoff)
		local_irq_restore(flags);
	if (!p) {
		count_failure(c, sc->flags & SLAB_CACHE_DMA ? GK_DMA : kind, size_order(sc->size));
		return -1;
	}
	fail_check(c, 0, 1);
	__atomic_fetch_add(&sc->live, 1, __ATOMIC_RELAXED);
	if (node != NUMA_NO_NODE && node != c->node)
		s->cnt[SC_ALLOC_NODE_REMOTE]++;
	return obj_take(c, p, sc, sc->size, 1 + (rc >> 40) % 1500, o);
}

static int slab_churn_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct slab_cpu *s = state;
	unsigned int action = r[0] % 16, slot = (unsigned int)((r[0] >> 4) % CPU_CACHES);
	struct held_obj o;
	int i;

	churn_reap(c, s);
	obj_expire(c, s, 2);
	if (action < 7) {
		if (!churn_alloc(c, s, slot, r[0], r[1], &o) && obj_hold(s, &o))
			obj_release(c, &o, "before freeing it");	/* full */
	} else if (action < 10) {
		if (!churn_alloc(c, s, slot, r[0], r[1], &o))
			obj_send(c, s, &o, r[2]);
	} else if (action < 13) {
		i = obj_pick(c, s, r[1], NULL, 0);
		if (i >= 0)
			obj_free(c, s, i, "before freeing it");
	} else if (action < 15) {
		if (s->nobjs)
			held_obj_verify(c, &s->objs[r[1] % (unsigned int)s->nobjs], "at a random check");
	} else if ((r[1] >> 32) % 8 == 0) {
		churn_retire(c, s, slot);
	} else if (s->caches[slot]) {
		shrink_one(c, s->caches[slot]);
	}
	return 0;
}

/* A CPU stops: its caches retire (the family gives its objects back). */
static void slab_churn_release(struct cpu_ctx *c, void *state)
{
	struct slab_cpu *s = state;

	for (int i = s->nobjs - 1; i >= 0; i--)
		if (s->objs[i].sc)
			obj_free(c, s, i, "before freeing it at the end");
	for (int i = 0; i < CPU_CACHES; i++)
		if (s->caches[i])
			s->caches[i]->retiring = 1;
	churn_reap(c, s);
}

/* Every CPU has stopped: the caches still alive go. */
static void slab_churn_teardown(struct run *run)
{
	for (unsigned int k = 0; k < run_nr_cpus(run); k++) {
		struct slab_cpu *s = family_state(run_cpu(run, k), &slab_family);

		for (int i = 0; i < CPU_CACHES; i++)
			scache_teardown(run, (int)k, &s->caches[i]);
	}
}

const struct stress_job slab_churn_job = {
	.name = "slab-churn", .default_weight = 6, .family = &slab_family, .op = slab_churn_op,
	.release = slab_churn_release, .teardown = slab_churn_teardown,
	.what = "caches of random size/alignment with constructors, created and destroyed; objects freed on other CPUs and nodes",
};
