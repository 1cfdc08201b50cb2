/* SPDX-License-Identifier: MIT */
/*
 * mm/slub_core.h - private to SLUB's core: mm/slub.c (fast paths, slow
 * allocation, __slab_free, kmalloc), mm/slub_partial.c (partial lists,
 * deactivation, flushing, shrinking) and mm/slub_create.c (layout, order,
 * slabs from and back to the page allocator, boot, CPU hotplug).  Owned by
 * the SLUB core; the debug and inspection parts use mm/slub.h only.
 *
 * The two double words (see mm/slub.h for who owns which):
 *   c->(freelist, tid)	  this_cpu_cmpxchg_double(): its CPU only (and
 *			  IPIs on that same thread), so no ordering is
 *			  needed beyond the instruction being one;
 *   page->(freelist, counters)
 *			  cmpxchg_double_slab(): any CPU.  Acq_rel: the
 *			  free pointers a freer wrote into its objects
 *			  before the exchange (release) are seen by whoever
 *			  takes the freelist with a later exchange (acquire).
 *			  Readers load each word relaxed; the exchange
 *			  validates the pair.  Caches with SLAB_NO_CMPXCHG
 *			  (F, U, T) use slab_lock() and relaxed stores, as
 *			  v4.19 does without __CMPXCHG_DOUBLE.
 */
#ifndef MM_SLUB_CORE_H
#define MM_SLUB_CORE_H

#include <stdbool.h>
#include "slub.h"
#include "vmstat.h"

/* v4.19 values */
#define MIN_PARTIAL	5
#define MAX_PARTIAL	10
#define SLUB_MAX_ORDER	PAGE_ALLOC_COSTLY_ORDER	/* slub_max_order */
#define SHRINK_PROMOTE_MAX	32
#define SLAB_NO_CMPXCHG	(SLAB_CONSISTENCY_CHECKS | SLAB_STORE_USER)
#define DEACTIVATE_TO_HEAD_POS	0
#define DEACTIVATE_TO_TAIL_POS	1

typedef unsigned __int128 __attribute__((may_alias, aligned(16))) slub_dword;

static inline slub_dword slub_pack(const void *lo, unsigned long hi)
{
	return (slub_dword)(unsigned long)lo | ((slub_dword)hi << 64);
}

/*
 * One lock cmpxchg16b (built with -mcx16).  clang: the builtin with the
 * order asked for; gcc calls libatomic for 16-byte __atomic builtins, so
 * it gets the __sync form, which is sequentially consistent (stronger).
 */
static __always_inline bool slub_cas16(void *p, slub_dword old, slub_dword new_,
				       const int relaxed)
{
#if defined(__clang__)
	if (relaxed)
		return __atomic_compare_exchange_n((slub_dword *)p, &old, new_, false,
						   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return __atomic_compare_exchange_n((slub_dword *)p, &old, new_, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
#else
	(void)relaxed;
	return __sync_bool_compare_and_swap((slub_dword *)p, old, new_);
#endif
}

/* (c->freelist, c->tid): relaxed (see the map). */
static __always_inline bool this_cpu_cmpxchg_double(struct kmem_cache_cpu *c, void *of,
						    unsigned long ot, void *nf, unsigned long nt)
{
	return slub_cas16(c, slub_pack(of, ot), slub_pack(nf, nt), 1);
}

/* TID_STEP: roundup_pow_of_two(nr_cpu_ids), set at boot (read-only) */
extern unsigned long slub_tid_step;

static __always_inline unsigned long next_tid(unsigned long tid)
{
	return tid + slub_tid_step;
}

static __always_inline struct kmem_cache_cpu *this_cpu_slab(struct kmem_cache *s)
{
	return &s->cpu_slab[current->cpu];
}

/* Counted by the CPU of c only. */
static __always_inline void stat(struct kmem_cache_cpu *c, enum stat_item si)
{
	WRITE_ONCE(c->stat[si], READ_ONCE(c->stat[si]) + 1);
}

static inline void stat_this(struct kmem_cache *s, enum stat_item si)
{
	stat(this_cpu_slab(s), si);
}

static inline void *page_freelist(struct page *page)
{
	return __atomic_load_n(&page->freelist, __ATOMIC_RELAXED);
}

static inline unsigned long page_counters(struct page *page)
{
	return __atomic_load_n(&page->counters, __ATOMIC_RELAXED);
}

static inline int kmem_cache_has_cpu_partial(struct kmem_cache *s)
{
	return !kmem_cache_debug(s);
}

static inline unsigned long nr_partial_read(struct kmem_cache_node *n)
{
	return READ_ONCE(n->nr_partial);
}

static inline unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (unsigned int)((PAGE_SIZE << order) / size);
}

static inline struct kmem_cache_order_objects oo_make(unsigned int order, unsigned int size)
{
	struct kmem_cache_order_objects x = {
		(order << OO_SHIFT) + order_objects(order, size)
	};

	return x;
}

/* A slab's node (its pages never move). */
static inline struct kmem_cache_node *slab_node(struct kmem_cache *s, struct page *page)
{
	return s->node[page_to_nid(page)];
}

/* mm/slub_partial.c (irqs off unless said) */
bool __cmpxchg_double_slab(struct kmem_cache *s, struct page *page, void *fo,
			   unsigned long co, void *fn, unsigned long cn);
bool cmpxchg_double_slab(struct kmem_cache *s, struct page *page, void *fo,
			 unsigned long co, void *fn, unsigned long cn);	/* any */
void __add_partial(struct kmem_cache_node *n, struct page *page, int tail);
void __remove_partial(struct kmem_cache_node *n, struct page *page);
void __add_full(struct kmem_cache *s, struct kmem_cache_node *n, struct page *page);
void __remove_full(struct kmem_cache *s, struct kmem_cache_node *n, struct page *page);
void *get_partial(struct kmem_cache *s, gfp_t flags, int node, struct kmem_cache_cpu *c);
void deactivate_slab(struct kmem_cache *s, struct page *page, void *freelist,
		     struct kmem_cache_cpu *c);
void put_cpu_partial(struct kmem_cache *s, struct page *page, int drain);	/* any */
void unfreeze_partials(struct kmem_cache *s, struct kmem_cache_cpu *c);
void flush_slab(struct kmem_cache *s, struct kmem_cache_cpu *c);
void __flush_cpu_slab(struct kmem_cache *s, unsigned int cpu);
void flush_all(struct kmem_cache *s);		/* irqs on, may wait for IPIs */
int slub_cache_shrink(struct kmem_cache *s);	/* ops->cache_shrink */

/* mm/slub_create.c */
struct page *new_slab(struct kmem_cache *s, gfp_t flags, int node);	/* irqs off */
void discard_slab(struct kmem_cache *s, struct page *page);		/* any */
int slub_cache_create(struct kmem_cache *s);
void slub_cache_alias(struct kmem_cache *s, unsigned int object_size);
void slub_cache_release(struct kmem_cache *s);
int slub_init(void);
void slub_exit(void);
/* calculate_order() for a slot size and the CPUs of this boot */
int slub_calculate_order(unsigned int size);

/* ASan builds: a free object is poisoned but for its free pointer
 * (mm/slub_create.c); nothing in other builds. */
#ifdef SLAB_ASAN
void slub_asan_poison_free(struct kmem_cache *s, void *object);
#else
static inline void slub_asan_poison_free(struct kmem_cache *s, void *object)
{
	(void)s;
	(void)object;
}
#endif

#endif /* MM_SLUB_CORE_H */
