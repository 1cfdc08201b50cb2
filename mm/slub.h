/* SPDX-License-Identifier: MIT */
/*
 * mm/slub.h - SLUB's internals (Linux v4.19 mm/slub.c,
 * include/linux/slub_def.h), shared by its core (mm/slub.c and the files
 * it splits into), its debugging (mm/slub_debug.c) and its invariant
 * walker.
 *
 *   struct kmem_cache_cpu	a CPU's state of one cache: touched by that CPU
 *				only (others reach it with an IPI that runs on
 *				its owner; mm_check() reads it with every CPU
 *				stopped).  freelist and tid change together with
 *				one double-word compare-and-exchange.
 *   a slab			head struct page with PG_slab: slab_cache,
 *				freelist and counters (inuse, objects, frozen)
 *				change together with one double-word
 *				compare-and-exchange (cmpxchg_double_slab());
 *				lru links it on its node's partial (or full)
 *				list under list_lock; next/pages/pobjects link a
 *				frozen slab on a CPU's partial list (that CPU).
 *
 * The object layout is v4.19's calculate_sizes(): [left red zone:
 * red_left_pad (Z)] [object: object_size] [word padding / right red zone
 * up to inuse] [free pointer at offset when moved out of the object
 * (ctor, RCU, poison)] [2 struct slab_track-sized records alloc, free (U)]
 * [padding to size].  Object pointers are slot + red_left_pad.
 */
#ifndef MM_SLUB_H
#define MM_SLUB_H

#include "slab.h"

/* SLUB's event counters (v4.19 CONFIG_SLUB_STATS enum stat_item, the
 * ones the model counts), per CPU in kmem_cache_cpu.stat[] */
enum stat_item {
	ALLOC_FASTPATH,		/* the lockless freelist served */
	ALLOC_SLOWPATH,		/* ___slab_alloc() served */
	FREE_FASTPATH,		/* pushed onto the CPU's lockless freelist */
	FREE_SLOWPATH,		/* __slab_free() */
	FREE_FROZEN,		/* to a frozen slab (a CPU's) */
	FREE_ADD_PARTIAL,	/* a slab joined a node partial list */
	FREE_REMOVE_PARTIAL,	/* a slab left it (emptied, discarded) */
	ALLOC_FROM_PARTIAL,	/* the CPU slab came from a node list */
	ALLOC_SLAB,		/* ... from the page allocator */
	ALLOC_REFILL,		/* ... refilled from its page->freelist */
	ALLOC_NODE_MISMATCH,	/* the CPU slab was of another node */
	FREE_SLAB,		/* a slab went back to the page allocator */
	CPUSLAB_FLUSH,		/* flush_slab() */
	DEACTIVATE_FULL,	/* deactivated full: on no list */
	DEACTIVATE_EMPTY,	/* deactivated empty: discarded */
	DEACTIVATE_TO_HEAD,	/* to the head of the node partial list */
	DEACTIVATE_TO_TAIL,	/* ... its tail (remote frees had come in) */
	DEACTIVATE_REMOTE_FREES,
	DEACTIVATE_BYPASS,	/* the CPU slab ran out: dropped, full */
	ORDER_FALLBACK,		/* a slab of the min order */
	CMPXCHG_DOUBLE_CPU_FAIL,	/* the (freelist, tid) exchange failed */
	CMPXCHG_DOUBLE_FAIL,	/* a (freelist, counters) exchange failed */
	CPU_PARTIAL_ALLOC,	/* the CPU slab came from the CPU partials */
	CPU_PARTIAL_FREE,	/* a free froze a slab onto the CPU partials */
	CPU_PARTIAL_NODE,	/* a node partial slab moved to the CPU's */
	CPU_PARTIAL_DRAIN,	/* the CPU partials went to the node */
	NR_SLUB_STAT_ITEMS
};

struct kmem_cache_cpu {
	void **freelist;		/* the next free object of page */
	unsigned long tid;		/* changes on every operation */
	struct page *page;		/* the CPU slab (frozen), or NULL */
	struct page *partial;		/* frozen partial slabs, via page->next */
	/* counted by this CPU (relaxed load + store: an IPI on the same
	 * thread may lose one), read by anyone (relaxed) */
	unsigned long stat[NR_SLUB_STAT_ITEMS];
} __attribute__((aligned(2 * sizeof(void *))));

/*
 * Tests only: when set, the fast paths call it between reading (tid,
 * freelist) and the exchange, on the allocating or freeing CPU, as an
 * interrupt there would run (alloc: 1 for kmem_cache_alloc, 0 for free).
 * Written by a test with no allocation running, read on every fast path.
 */
extern void (*slub_fastpath_hook)(struct kmem_cache *s, int alloc);

#define OO_SHIFT	16
#define OO_MASK		((1U << OO_SHIFT) - 1)
#define MAX_OBJS_PER_PAGE	32767	/* page->objects is 15 bits */

static inline unsigned int oo_order(struct kmem_cache_order_objects x)
{
	return x.x >> OO_SHIFT;
}

static inline unsigned int oo_objects(struct kmem_cache_order_objects x)
{
	return x.x & OO_MASK;
}

/* The free pointer inside a free object (v4.19 get_freepointer()). */
static inline void *get_freepointer(struct kmem_cache *s, void *object)
{
	return *(void **)((char *)object + s->offset);
}

static inline void set_freepointer(struct kmem_cache *s, void *object, void *fp)
{
	*(void **)((char *)object + s->offset) = fp;
}

/* page->counters as its fields (v4.19's struct page bitfields) */
union slub_counters {
	unsigned long counters;
	struct {
		unsigned inuse:16;
		unsigned objects:15;
		unsigned frozen:1;
	};
};

/*
 * For the walker and the sysfs view, which read slabs they do not own:
 * page->counters with one relaxed load (written by cmpxchg_double_slab();
 * racy as v4.19's readers, or exact with every CPU stopped), and a free
 * object's free pointer without ASan's check (the core poisons free
 * objects but for that word, and may poison it meanwhile).
 */
static inline union slub_counters slub_read_counters(struct page *page)
{
	union slub_counters sc;

	sc.counters = __atomic_load_n(&page->counters, __ATOMIC_RELAXED);
	return sc;
}

__attribute__((no_sanitize_address))
static inline void *slub_read_freepointer(struct kmem_cache *s, void *object)
{
	return *(void **)((char *)object + s->offset);
}

/* The track records (SLAB_STORE_USER) of an object: [0] alloc, [1] free,
 * after the free pointer if it was moved out, else at inuse. */
enum track_item { TRACK_ALLOC, TRACK_FREE };

/* SLUB's record of one owner (v4.19 struct track, without the stack). */
struct track {
	const void *addr;		/* the caller */
	int cpu;
	int pid;
	unsigned long when;		/* jiffies */
};

static inline struct track *get_track(struct kmem_cache *s, void *object,
				      enum track_item alloc)
{
	struct track *p;

	if (s->offset)
		p = (struct track *)((char *)object + s->offset + sizeof(void *));
	else
		p = (struct track *)((char *)object + s->inuse);
	return p + alloc;
}

/* The caches whose every alloc and free takes the debug slow path. */
#define SLAB_DEBUG_FLAGS_SLUB	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | \
				 SLAB_POISON | SLAB_STORE_USER)

static inline int kmem_cache_debug(struct kmem_cache *s)
{
	return !!(s->flags & SLAB_DEBUG_FLAGS_SLUB);
}

/* ------------------------------------------------------------------ */
/* mm/slub_debug.c: slub_debug                                         */

/*
 * slub_debug[=options] (v4.19 setup_slub_debug()): the flags for all
 * caches or for the caches whose name starts with the one prefix after
 * the comma.  Boot (validation at parse time, and at kmem_cache_init()):
 * 0, or -EINVAL with a message naming what is wrong.  NULL: nothing set.
 */
int setup_slub_debug(const char *str);
/* SLUB's cache_flags hook: flags | slub_debug when the name matches. */
slab_flags_t kmem_cache_flags(unsigned int object_size, slab_flags_t flags,
			      const char *name);
/* The red zones and poison of one object (val SLUB_RED_ACTIVE or
 * SLUB_RED_INACTIVE), as v4.19 init_object(). */
void init_object(struct kmem_cache *s, void *object, unsigned char val);
/* A new slab (allocate_slab): poison its tail padding (P), init each
 * object inactive. */
void setup_page_debug(struct kmem_cache *s, struct page *page, void *addr);
void setup_object_debug(struct kmem_cache *s, struct page *page, void *object);
/*
 * The debug alloc (v4.19 alloc_debug_processing()): checks the slab and
 * the object, records the owner (U), marks it active.  1: hand it out;
 * 0: reported, the slab marked full ("FIX <cache>: Marking all objects
 * used"), try elsewhere.
 */
int alloc_debug_processing(struct kmem_cache *s, struct page *page, void *object,
			   const void *addr);
/*
 * The debug free (v4.19 free_debug_processing()), called by __slab_free()
 * for debugged caches: takes n->list_lock itself (and returns with it
 * dropped), checks the slab, that object is one of its objects, not on its
 * freelist (double free), its red zones and poison; records the free (U)
 * and marks it inactive.  1: free it; 0: reported, refused.
 */
int free_debug_processing(struct kmem_cache *s, struct page *page, void *head,
			  void *tail, int bulk_cnt, const void *addr);
/* mm_check / validate: an object's bytes against val, reporting as
 * check_object() does; 1 if good.  And a slab's padding (P). */
int check_object(struct kmem_cache *s, struct page *page, void *object, unsigned char val);
int slab_pad_check(struct kmem_cache *s, struct page *page);
/* Destroy with objects out: "Objects remaining in <cache> on
 * __kmem_cache_shutdown()" and each live object (list_slab_objects()). */
void list_slab_objects(struct kmem_cache *s, struct page *page, const char *text);
/* slab_err() of SLUB: "BUG <cache> (<taint>): <text>" + page info */
void slub_err(struct kmem_cache *s, struct page *page, const char *fmt, ...) __printf(3, 4);
void object_err(struct kmem_cache *s, struct page *page, void *object, const char *reason);

/* ------------------------------------------------------------------ */
/* mm/slub.c: for debugging and the walker                             */

/* Whether object is a slot start of page (check_valid_pointer()). */
int check_valid_pointer(struct kmem_cache *s, struct page *page, void *object);
/* page_address of a slab and its size in bytes */
void *slab_address(struct page *page);
/* lock a slab's freelist/counters against cmpxchg_double_slab() when the
 * cache cannot use the lockless exchange (v4.19 slab_lock(): PG_locked) */
void slab_lock(struct page *page);
void slab_unlock(struct page *page);

/* ------------------------------------------------------------------ */
/* mm/slub_check.c, mm/slub_sysfs.c: what SLUB shows and mm_check()     */

/* ops->check: per cache, with every CPU stopped (see slab_alloc.h) */
void slub_check(struct check_log *log);
/* ops->get_slabinfo, ops->sysfs_show, ops->stats, ops->live_objects */
void slub_get_slabinfo(struct kmem_cache *s, struct slabinfo *info);
int slub_sysfs_show(struct kmem_cache *s, const char *attr, FILE *out);
void slub_stats(struct kmem_cache *s, struct kmem_cache_stats *st);
unsigned long slub_live_objects(struct kmem_cache *s, unsigned long *slabs);
/* the objects on a slab's freelist (NULL-terminated chain), at most
 * page->objects + 1 steps (more: a cycle or corruption) */
unsigned int slub_count_free(struct kmem_cache *s, struct page *page, void *freelist);

#endif /* MM_SLUB_H */
