/* SPDX-License-Identifier: MIT */
/*
 * stress/jobs/slab.h - what the slab jobs share (slab_objects.c): their
 * caches, the objects a CPU holds and hands to other CPUs, their
 * counters and their section of the report.
 *
 *   slab-churn	jobs/slab_churn.c	kmalloc-mix	jobs/kmalloc_mix.c
 *   slab-shrink	jobs/slab_shrink.c	rcu-free	jobs/rcu_free.c
 *
 * slab-shrink also shrinks the caches of the others: slab-churn's
 * (struct slab_cpu's caches[]), the kmalloc cache of a size kmalloc-mix
 * draws (kmalloc_mix_size()) and rcu-free's (rcu_free_cache()).
 */
#ifndef STRESS_JOBS_SLAB_H
#define STRESS_JOBS_SLAB_H

#include "../engine.h"

#define OBJS_MAX	256		/* objects a CPU holds */
#define CPU_CACHES	4		/* slab-churn caches a CPU owns at once */
#define CTOR_MAGIC	0xc0257ac7ed0b1ec7ULL	/* constructed, free object */
#define OBJ_HDR		40		/* an object's header (slab_objects.c): its
					   pattern starts after it */

/* What the slab jobs count, per CPU (the report sums them). */
enum slab_counter {
	SC_CACHES_CREATED, SC_CACHES_DESTROYED, SC_SENT_CROSS_NODE, SC_SENT_SAME_NODE,
	SC_ALLOC_NODE_REMOTE, SC_KREALLOC, SC_KREALLOC_MOVED, SC_SHRINKS, SC_SLABS_REAPED,
	SC_RCU_LOOKUPS, SC_RCU_VALIDATED, SC_RCU_RACED, SC_RCU_REPLACED, SC_KFREE_RCU,
	SC_CALL_RCU, SC_SYNCHRONIZE_RCU, NR_SLAB_COUNTERS
};

/*
 * One of our caches.  Created and destroyed by one CPU (slab-churn: its
 * owner, which alone reads and writes `retiring` and the slot) or by the
 * main thread (slab-shrink's, set up before the CPUs start and torn down
 * after).  `live` counts its objects out of the cache, wherever they are:
 * incremented by the allocating CPU (relaxed: only the owner acts on it),
 * decremented by whoever frees one, after kmem_cache_free() (release); the
 * owner destroys the cache when it reads 0 (acquire), so no free of its
 * objects can still be running.
 */
struct scache {
	struct kmem_cache *cache;
	unsigned int size;		/* object size asked for */
	unsigned int align;		/* alignment every object must have */
	slab_flags_t flags;
	int retiring;			/* owner only: no more allocations */
	long live;			/* atomic: objects out of the cache */
	char name[32];
};

/* A slab or kmalloc object a CPU holds: its pattern is derived from tag. */
struct held_obj {
	void *p;
	struct scache *sc;		/* its cache, NULL: kmalloc */
	uint64_t tag;
	uint64_t expiry;		/* op count after which it is freed */
	uint32_t size;			/* bytes asked for (and filled) */
	uint8_t job;
};

/* The slab family's per-CPU state: its CPU's (caches[]: see scache). */
struct slab_cpu {
	uint64_t cnt[NR_SLAB_COUNTERS];	/* first: the report sums them */
	struct held_obj objs[OBJS_MAX];
	int nobjs;
	struct scache *caches[CPU_CACHES];	/* slab-churn's, created and
						   destroyed by this CPU */
};

extern const struct stress_family slab_family;

/* Caches */
struct scache *scache_create(struct cpu_ctx *c, const char *name, unsigned int size,
			     unsigned int align, slab_flags_t flags);
/* Only when every object is back: live read 0 (acquire) or all CPUs done. */
void scache_destroy(struct cpu_ctx *c, struct scache *sc);
/* At the end: destroyed if every object came back, else a leak (kept). */
void scache_teardown(struct run *run, int cpu, struct scache **scp);
/* Shrink a cache: 1 expected while c holds objects of it, which must
 * survive intact. */
void shrink_one(struct cpu_ctx *c, struct scache *sc);

/* Objects: taken from the allocator (alignment and constructed state
 * checked, header and pattern written), held, verified, given back. */
int obj_take(struct cpu_ctx *c, void *p, struct scache *sc, size_t size, uint64_t lifetime,
	     struct held_obj *o);
int obj_hold(struct slab_cpu *s, const struct held_obj *o);
int held_obj_verify(struct cpu_ctx *c, const struct held_obj *o, const char *when);
/* Verify and free a held object that is in nobody's objs[]. */
void obj_release(struct cpu_ctx *c, const struct held_obj *o, const char *when);
void obj_free(struct cpu_ctx *c, struct slab_cpu *s, int i, const char *when);
/* Take held object i out of objs[] (its slot erased): now the caller's. */
struct held_obj obj_unhold(struct slab_cpu *s, int i);
/* A random held object of the current job (of sc if given, with at least
 * min_size bytes), or -1. */
int obj_pick(const struct cpu_ctx *c, const struct slab_cpu *s, uint64_t r,
	     const struct scache *sc, size_t min_size);
/* Objects of the current job past their lifetime go, at most n of them. */
void obj_expire(struct cpu_ctx *c, struct slab_cpu *s, int n);
/* Verify the first len bytes of a kmalloc object filled with size bytes
 * of tag's pattern (krealloc()), and fill one. */
int kmalloc_obj_verify(struct cpu_ctx *c, const void *p, size_t size, size_t len, uint64_t tag,
		       const char *when);
void kmalloc_obj_fill(void *p, size_t size, uint64_t tag);
/* Hand a held object (out of objs[]) to another CPU, mostly of another
 * node, which checks and frees it. */
void obj_send(struct cpu_ctx *c, struct slab_cpu *s, const struct held_obj *o, uint64_t r);

/* Shared with slab-shrink */
size_t kmalloc_mix_size(uint64_t x);
struct kmem_cache *rcu_free_cache(void);

#endif /* STRESS_JOBS_SLAB_H */
