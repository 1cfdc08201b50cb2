/* SPDX-License-Identifier: MIT */
/*
 * mm/slab.h - the structures of the SLAB allocator (mm/slab.c), shared
 * with its debugging (mm/slab_debug.c), kmalloc and /proc/slabinfo
 * (mm/slab_common.c) and the invariant walker (mm/slab_check.c).
 *
 *   struct kmem_cache		one object type.  Read-only after creation
 *				except the tunables (slab_mutex) and the
 *				statistics (their own comments).
 *   struct array_cache		a LIFO of free objects.  A CPU's array is
 *				touched by that CPU only, with interrupts off
 *				(other CPUs reach it with an IPI that runs on
 *				its owner); a node's shared array is under the
 *				node's list_lock; an alien array under its own
 *				lock (its avail also read without it by the
 *				reaper, so written with WRITE_ONCE()).
 *   struct kmem_cache_node	a node's slabs: lists, counts, colour_next,
 *				shared and alien arrays.  list_lock (taken
 *				with interrupts off) protects all of it, and
 *				the freelist and `active` of every slab on
 *				its lists.
 *   a slab			the head struct page of 2^gfporder pages with
 *				PG_slab: slab_cache, s_mem (first object),
 *				freelist (an array of num indices: those from
 *				`active` on are free) and active (objects in
 *				use, including those resting in arrays).
 *
 * Objects in a CPU, shared or alien array are free as far as their owner
 * is concerned but "active" for their slab: a slab's objects are either
 * on its freelist or out (handed out, or in some array).
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <string.h>
#include <mmsim/slab.h>
#include <mmsim/sched.h>
#include "internal.h"
#include "../numa/fault_inject.h"
#include <mmsim/mutex.h>
#include "../numa/spinlock.h"
#include "slab_alloc.h"
#include "kmemleak.h"

/* Internal cache flags (v4.19 values). */
#define CFLGS_OBJFREELIST_SLAB	((slab_flags_t)0x40000000U)
#define CFLGS_OFF_SLAB		((slab_flags_t)0x80000000U)
#define SLAB_KMALLOC		((slab_flags_t)0x00001000U)	/* a kmalloc cache */
#define SLAB_DEBUG_FLAGS	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | \
				 SLAB_CONSISTENCY_CHECKS)
#define CACHE_CREATE_MASK	(SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | \
				 SLAB_RECLAIM_ACCOUNT | SLAB_TYPESAFE_BY_RCU | \
				 SLAB_PANIC | SLAB_DEBUG_FLAGS | SLAB_KMALLOC | SLAB_FAILSLAB)

/* gfp bits a slab allocation must not carry (v4.19's GFP_SLAB_BUG_MASK) */
#define GFP_SLAB_BUG_MASK	(__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

#define OFF_SLAB(c)		((c)->flags & CFLGS_OFF_SLAB)
#define OBJFREELIST_SLAB(c)	((c)->flags & CFLGS_OBJFREELIST_SLAB)

/*
 * Freelist indices as small as the smallest object allows (v4.19): objects
 * are at least SLAB_OBJ_MIN_SIZE bytes (16: KMALLOC_MIN_SIZE is 32), so a
 * page holds at most 256 of them when PAGE_SIZE >> 8 <= 16 and one byte
 * per index does, with at most 255 objects a slab.
 */
#define SLAB_OBJ_MIN_SIZE	(KMALLOC_MIN_SIZE < 16 ? KMALLOC_MIN_SIZE : 16)
#define FREELIST_BYTE_INDEX	((PAGE_SIZE >> 8) <= SLAB_OBJ_MIN_SIZE)
#if FREELIST_BYTE_INDEX
typedef unsigned char freelist_idx_t;
#else
typedef unsigned short freelist_idx_t;
#endif
#define SLAB_OBJ_MAX_NUM	((1 << sizeof(freelist_idx_t) * 8) - 1)
#define BYTES_PER_WORD		sizeof(void *)
#define REDZONE_ALIGN		8

#define BATCHREFILL_LIMIT	16
#define REAPTIMEOUT_AC		(2 * HZ)
#define REAPTIMEOUT_NODE	(4 * HZ)
#define SLAB_SHARED_FACTOR	8

/* Red zones and poison (the byte values SLUB uses, as slab_debug expects). */
#define SLUB_RED_INACTIVE	0xbb	/* the object is free */
#define SLUB_RED_ACTIVE		0xcc	/* the object is handed out */
#define POISON_INUSE		0x5a	/* allocated, not initialised */
#define POISON_FREE		0x6b	/* freed */
#define POISON_END		0xa5	/* the last byte of a poisoned object */

struct array_cache {
	unsigned int avail;
	unsigned int limit;
	unsigned int batchcount;
	unsigned int touched;
	void *guard;			/* NULL: entry[-1], so that the free fast
					   path reads "the top" of an empty
					   array without a test */
	void *entry[];
};

struct alien_cache {
	spinlock_t lock;		/* irq-safe */
	struct array_cache ac;		/* entry[] follows */
};

struct kmem_cache_node {
	spinlock_t list_lock;		/* irq-safe: protects the lists and
					   counters below and the shared
					   array's contents */
	struct cds_list_head slabs_partial;
	struct cds_list_head slabs_full;
	struct cds_list_head slabs_free;
	unsigned long total_slabs;	/* every slab of the node */
	unsigned long free_slabs;	/* those on slabs_free */
	unsigned long free_objects;	/* on the slabs' freelists */
	unsigned int free_limit;	/* read-only after creation */
	unsigned int colour_next;	/* the last new slab's colour; the next
					   one gets the one after (mod colour) */
	struct array_cache *shared;	/* the pointer read-only after creation;
					   NULL if the cache has none */
	struct alien_cache **alien;	/* [remote node], read-only after
					   creation; NULL on one node */
	unsigned long next_reap;	/* jiffies; cache_reap() only (slab_mutex),
					   READ_ONCE/WRITE_ONCE */
	int free_touched;		/* a free slab was used since the reap */

	/* SLUB (mm/slub.c): list_lock protects these and, for the slabs on
	 * them, page->lru; nr_slabs and total_objects are atomics (relaxed). */
	unsigned long nr_partial;	/* slabs on partial */
	struct cds_list_head partial;	/* unfrozen slabs with free objects */
	unsigned long nr_slabs;		/* every slab of the node */
	unsigned long total_objects;	/* their objects */
	struct cds_list_head full;	/* SLAB_STORE_USER: full unfrozen slabs */
} ____cacheline_aligned;

struct reciprocal_value {
	unsigned int m;
	unsigned char sh1, sh2;
};

/* slab_debug's record of an object's last owners (after its red zone). */
struct slab_track {
	const void *alloc_caller;
	const void *free_caller;
	int alloc_cpu;
	int free_cpu;
	int alloc_pid;
	int free_pid;
	unsigned long alloc_jiffies;
	unsigned long free_jiffies;
};

/* What one CPU's frees of a cache did (written by that CPU, WRITE_ONCE;
 * read by anyone, READ_ONCE; a cache line each). */
struct slab_stats {
	unsigned long alien_frees;	/* to an alien array */
} ____cacheline_aligned;

/* SLUB: the order of a slab and its objects in one word (oo_make()) */
struct kmem_cache_order_objects {
	unsigned int x;
};

struct kmem_cache_cpu;		/* SLUB's per-CPU part (mm/slub.h) */

/*
 * One cache, whichever allocator serves it (mm/slab_alloc.h).  The common
 * fields (name, list, object_size, size, align, flags, ctor, allocflags,
 * refcount, nr_pages, failslab, node[]) mean the same under all three;
 * SLAB's and SLUB's own fields are left zero by the others.
 */
struct kmem_cache {
	/* SLAB: the fast paths' fields first, on one cache line. */
	struct array_cache **cpu_cache;	/* [cpu]: its own array; read-only */
	unsigned int size;		/* bytes per object incl. debug areas */
	struct reciprocal_value reciprocal_buffer_size;
	slab_flags_t flags;
	unsigned int num;		/* objects per slab */
	unsigned int gfporder;
	unsigned int obj_offset;	/* the object inside its buffer (red zone) */
	unsigned int fast_num;		/* num, or 0 to keep debugged caches off
					   the free fast path */
	unsigned long inv_size;		/* inverse of size's odd part mod 2^64 */
	unsigned int size_shift;	/* size's power-of-two part */

	/* Tunables: read-only after creation (there is no tuning interface). */
	unsigned int batchcount;
	unsigned int limit;
	unsigned int shared;

	gfp_t allocflags;		/* __GFP_COMP, __GFP_DMA, __GFP_RECLAIMABLE */
	size_t colour;			/* number of colours */
	unsigned int colour_off;	/* bytes per colour */
	struct kmem_cache *freelist_cache;	/* OFF_SLAB: where freelists live */
	unsigned int freelist_size;
	void (*ctor)(void *obj);

	const char *name;		/* owned copy */
	struct cds_list_head list;	/* slab_caches, slab_mutex */
	unsigned int object_size;	/* what the creator asked for */
	unsigned int align;

	/* Statistics, kept per CPU so that only its CPU writes them. */
	struct slab_stats *stats;	/* [cpu] */
	unsigned long reaped;		/* slabs given back by reaping: atomic */
	unsigned long rcu_slabs;	/* slabs waiting for a grace period: atomic */
	unsigned long nr_pages;		/* pages held, listed or in transit: atomic,
					   changed with NR_SLAB_* in one
					   interrupts-off window */

	struct kmem_cache_node *node[MAX_NUMNODES];	/* read-only; SLAB, SLUB */
	int refcount;			/* the cache and its aliases (slab_mutex);
					   -1: a kmalloc cache, never merged */

	/* SLUB (mm/slub.c); read-only after creation unless said */
	struct kmem_cache_cpu *cpu_slab;	/* [cpu], each its CPU's */
	unsigned int offset;		/* free pointer in a free object */
	unsigned int inuse;		/* object_size rounded, + a word (see
					   calculate_sizes()): metadata starts */
	unsigned int red_left_pad;	/* red zone before the object */
	struct kmem_cache_order_objects oo;	/* preferred order, objects */
	struct kmem_cache_order_objects min;	/* the fallback order */
	struct kmem_cache_order_objects max;	/* the largest of both */
	unsigned int cpu_partial;	/* free objects kept on CPU partials */
	unsigned long min_partial;	/* node partial slabs kept (see slub.c) */

	/* SLOB (mm/slob.c): objects out (v4.19 keeps no count; the model's,
	 * for "Slab cache still has objects"): atomic, relaxed */
	unsigned long slob_live;

	int failslab;			/* SLAB_FAILSLAB, rewritable: its sysfs
					   file writes it (slab_mutex), failslab
					   reads it (READ_ONCE) */
};

/* slab.c */
extern struct mutex slab_mutex;		/* slab_caches, the tunables */
extern struct cds_list_head slab_caches;
extern spinlock_t slab_caches_lock;	/* irq-safe: slab_caches for readers
					   that cannot sleep (CPU offline) */
extern int slab_debug;			/* boot parameter: read-only */
extern unsigned int slab_max_order;	/* read-only after boot */

/*
 * What the free fast path needs to turn an object into its slab: the
 * direct map's first byte and frame, and each CPU's node's lowmem frames.
 * Written by kmem_cache_init() before any CPU runs, read-only after.
 */
struct slab_layout {
	char *base;			/* virtual address of min_pfn */
	struct page *map;		/* struct page of min_pfn */
	unsigned long nr_low;		/* lowmem frames from min_pfn */
};
extern struct slab_layout slab_layout;

/*
 * SLAB's table of a CPU (current->slab_percpu while it is online), for the
 * free fast path: the lowmem of the CPU's node, as the direct-map address
 * and struct page of its first frame and its number of frames.  Written
 * by kmem_cache_init() before any CPU runs, read-only after.
 */
struct slab_cpu {
	char *node_base;
	struct page *node_map;
	unsigned long node_nr;
} ____cacheline_aligned;
extern struct delayed_work *reap_work;		/* [cpu]: cache_reap() */

/* failslab (mm/fail_alloc.c): should this allocation from s fail? */
int should_failslab(struct kmem_cache *s, gfp_t gfp_mask);
/* slab/<cache>/failslab (mm/debugfs.c): write value (0/1), or show */
int slab_failslab_attr(const char *cache, const char *value, FILE *out);
void *__kmem_cache_alloc_node(struct kmem_cache *cachep, gfp_t flags, int nodeid,
			      const void *caller);
void __kmem_cache_free(struct kmem_cache *cachep, void *objp, const void *caller);
int __kmem_cache_shrink(struct kmem_cache *cachep);
unsigned int cache_estimate(unsigned long gfporder, size_t buffer_size,
			    slab_flags_t flags, size_t *left_over);
struct kmem_cache *virt_to_cache(const void *obj);
/* The slab (head page) whose memory holds addr, or NULL. */
struct page *virt_to_slab(const void *addr);
unsigned int obj_to_index(const struct kmem_cache *cache, const struct page *page,
			  const void *obj);
void *index_to_obj(const struct kmem_cache *cache, const struct page *page,
		   unsigned int idx);
void free_block(struct kmem_cache *cachep, void **objpp, unsigned int nr_objects,
		int node, struct cds_list_head *list);
void slabs_destroy(struct kmem_cache *cachep, struct cds_list_head *list);
void slab_destroy(struct kmem_cache *cachep, struct page *page);
void __drain_alien_cache(struct kmem_cache *cachep, struct array_cache *ac,
			 int node, struct cds_list_head *list);

/* slab_reap.c */
void __drain_cpu_array(struct kmem_cache *cachep, unsigned int cpu);
void cache_reap(struct work_struct *w);
void init_reap_node(unsigned int cpu);
/* (slab_shrink_all(), for mm_shutdown() and harnesses: mmsim/inspect.h) */
unsigned long cache_total_slabs(struct kmem_cache *cachep);

static inline struct array_cache *cpu_cache_get(struct kmem_cache *cachep)
{
	return cachep->cpu_cache[current->cpu];
}

static inline struct kmem_cache_node *get_node(struct kmem_cache *cachep, int node)
{
	return cachep->node[node];
}

static inline freelist_idx_t get_free_obj(const struct page *page, unsigned int idx)
{
	return ((freelist_idx_t *)page->freelist)[idx];
}

static inline void set_free_obj(struct page *page, unsigned int idx, freelist_idx_t val)
{
	((freelist_idx_t *)page->freelist)[idx] = val;
}


/* slab_debug.c: slab_debug's checks and reports */
void slab_debug_init_obj(struct kmem_cache *cachep, void *objp);
void slab_debug_alloc(struct kmem_cache *cachep, void *objp, gfp_t flags,
		      const void *caller);
int slab_debug_free(struct kmem_cache *cachep, struct page *page, void *objp,
		    const void *caller);
void slab_err(struct kmem_cache *cachep, struct page *page, const char *fmt, ...)
	__printf(3, 4);

/* ASan builds: free objects and free slab space are poisoned, so that a
 * use after free is caught at the access.  Nothing in other builds. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#endif
#ifdef SLAB_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
static inline void slab_asan_poison(const void *addr, size_t len)
{
	__asan_poison_memory_region(addr, len);
}
/* A free object: not for typesafe-by-RCU caches, whose readers may
 * still look at it. */
static inline void slab_asan_poison_obj(const struct kmem_cache *cachep, const void *obj)
{
	if (!(cachep->flags & SLAB_TYPESAFE_BY_RCU))
		__asan_poison_memory_region(obj, cachep->size);
}
static inline void slab_asan_unpoison(const void *addr, size_t len)
{
	__asan_unpoison_memory_region(addr, len);
}
#else
static inline void slab_asan_poison(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
}
static inline void slab_asan_poison_obj(const struct kmem_cache *cachep, const void *obj)
{
	(void)cachep;
	(void)obj;
}
static inline void slab_asan_unpoison(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
}
#endif

/* kmemleak records the object (slab_common.c: out of the fast path). */
void slab_kmemleak_alloc(struct kmem_cache *s, void *objp, gfp_t flags);

/* After an allocation that succeeded (see mm/slab_alloc.h). */
static __always_inline void slab_post_alloc_hook(struct kmem_cache *s, gfp_t flags, void *objp)
{
	slab_asan_unpoison(objp, s->object_size);
	if (unlikely(flags & __GFP_ZERO))
		memset(objp, 0, s->object_size);
	current->fp_objects++;
	if (kmemleak_active())
		slab_kmemleak_alloc(s, objp, flags);
}

static inline int fls_long(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

/* slab_check.c */
int slab_is_valid(struct kmem_cache *cachep, FILE *report);
/* SLAB's check hook (ops->check) */
void slab_check_all_caches(struct check_log *log);

/*
 * The head of the slab holding a frame, or NULL: PG_slab is set on heads
 * only (an atomic flag: the head's lru is its node's list, under
 * list_lock); a tail's lru.next is its head with bit 0 set, written when
 * the block is handed out and freed, so it is stable meanwhile.
 */
static __always_inline struct page *slab_head_page(struct page *page)
{
	unsigned long head;

	if (likely(PageSlab(page)))
		return page;
	head = (unsigned long)READ_ONCE(page->lru.next);
	if (!(head & 1) || !PageSlab((struct page *)(head - 1)))
		return NULL;
	return (struct page *)(head - 1);
}

/* Whether objp is in a slab page that names its cache (a look only). */
static __always_inline int slab_free_hook_fast_ok(const void *objp)
{
	unsigned long pfn = (unsigned long)((const char *)objp - slab_layout.base) >> PAGE_SHIFT;
	struct page *page;

	if (unlikely(pfn >= slab_layout.nr_low))
		return 0;
	page = slab_head_page(slab_layout.map + pfn);
	return page && READ_ONCE(page->slab_cache);
}

/*
 * slab_free_hook() inline where it passes at a glance: an attached CPU
 * with no IPI waiting, objp in a slab that names its cache, s or any
 * cache if s is NULL.  Anything else takes the whole hook, which reports.
 * The slab page comes back in *pagep (NULL when refused).
 */
static __always_inline struct kmem_cache *slab_free_hook_fast(struct kmem_cache *s,
							    const void *objp,
							    struct page **pagep,
							    const char *func)
{
	struct task_struct *tsk = current;
	unsigned long pfn = (unsigned long)((const char *)objp - slab_layout.base) >> PAGE_SHIFT;
	struct kmem_cache *owner;
	struct page *page;

	if (likely(tsk->cpu >= 0 && !READ_ONCE(tsk->ipi_pending) && pfn < slab_layout.nr_low)) {
		page = slab_head_page(slab_layout.map + pfn);
		owner = page ? READ_ONCE(page->slab_cache) : NULL;
		if (likely(owner && (!s || owner == s))) {
			*pagep = page;
			return owner;
		}
	}
	owner = slab_free_hook(s, objp, func);
	*pagep = owner ? virt_to_slab(objp) : NULL;
	return owner;
}

/*
 * The entry points around the fast paths need no frame of their own (their
 * slow paths are tail calls): gcc can leave it out; clang has no per-function
 * switch for it.
 */
#if defined(__clang__)
#define __slab_fastpath
#else
#define __slab_fastpath	__attribute__((optimize("omit-frame-pointer")))
#endif



/*
 * The allocation: on the fast path, a process-context caller, a cache
 * without debugging, no __GFP_ZERO and an object in the CPU's array: pop
 * it with interrupts "off" (an IPI draining the array waits).  Anything
 * else goes to the general path, a tail call.  Only SLAB sets a CPU's
 * slab_percpu: under SLUB and SLOB every call takes the "general path",
 * their hook, so the entry points need no test of their own.
 */
static __always_inline void *slab_alloc(struct kmem_cache *cachep, gfp_t flags,
					int node, const void *caller)
{
	struct task_struct *tsk = current;
	struct array_cache *ac;
	void *objp;

	if (unlikely(!tsk->slab_percpu || (tsk->preempt_count | tsk->irqs_disabled) ||
		     ((flags & __GFP_ZERO) | (cachep->flags & SLAB_DEBUG_FLAGS))) ||
	    unlikely(fault_inject_active()))
		goto slow;
	ac = cachep->cpu_cache[tsk->cpu];
	WRITE_ONCE(tsk->irqs_disabled, 1);
	barrier();
	if (unlikely(!ac->avail)) {
		barrier();
		WRITE_ONCE(tsk->irqs_disabled, 0);
		goto slow;	/* the general path runs a pending IPI */
	}
	ac->touched = 1;
	objp = ac->entry[--ac->avail];
	barrier();
	WRITE_ONCE(tsk->irqs_disabled, 0);
	barrier();
	tsk->fp_objects++;
	slab_asan_unpoison(objp, cachep->object_size);
	if (unlikely(READ_ONCE(tsk->ipi_pending)))
		return ipi_run_pending(objp);
	return objp;
slow:
	/* SLAB's general path; the other allocators' (no slab_percpu) */
	return slab_ops->alloc(cachep, flags, node, caller);
}

/*
 * The free: on the fast path, an object of a slab on this CPU's node, of
 * cachep (of any cache for kfree: any_cache), without debugging, the
 * CPU's array not full, process context.  The checks cost what they must:
 * the object's frame within the node, its slab's cache, and that its
 * offset in the slab is a whole number of objects (a multiply by the
 * inverse of the size's odd part and a rotate: exact multiples map to
 * their index, anything else to a huge number); an object just freed
 * (the array's top) is a double free.  Anything else goes to the general
 * path, which reports and refuses what is wrong.
 */
static __always_inline void slab_free(struct kmem_cache *cachep, void *objp,
				      const void *caller, const int any_cache)
{
	struct task_struct *tsk = current;
	struct slab_cpu *mc = tsk->slab_percpu;
	struct kmem_cache *owner;
	struct array_cache *ac;
	struct page *page;
	unsigned long pfn, idx;
	unsigned int avail;

	if (unlikely(!mc || (tsk->preempt_count | tsk->irqs_disabled)))
		goto slow;
	pfn = (unsigned long)((char *)objp - mc->node_base) >> PAGE_SHIFT;
	if (unlikely(pfn >= mc->node_nr))
		goto slow;
	page = mc->node_map + pfn;
	if (unlikely(!PageSlab(page))) {
		/* a tail page of a bigger slab: lru.next is its head | 1 */
		unsigned long head = (unsigned long)READ_ONCE(page->lru.next);

		if (!(head & 1))
			goto slow;
		page = (struct page *)(head - 1);
	}
	owner = READ_ONCE(page->slab_cache);
	if (any_cache ? !owner : owner != cachep)
		goto slow;
	idx = (unsigned long)((char *)objp - (char *)page->s_mem) * owner->inv_size;
	idx = (idx >> owner->size_shift) | (idx << ((64 - owner->size_shift) & 63));
	if (unlikely(idx >= owner->fast_num))
		goto slow;
	/* ASan: poisoned before it is in the array, where an IPI (a drain
	 * once interrupts are back on) may hand it to someone else */
	slab_asan_poison_obj(owner, objp);
	ac = owner->cpu_cache[tsk->cpu];
	WRITE_ONCE(tsk->irqs_disabled, 1);
	barrier();
	avail = ac->avail;
	if (unlikely(avail >= ac->limit || ac->entry[(long)avail - 1] == objp)) {
		barrier();
		WRITE_ONCE(tsk->irqs_disabled, 0);
		goto slow;
	}
	ac->entry[avail] = objp;
	ac->avail = avail + 1;
	barrier();
	WRITE_ONCE(tsk->irqs_disabled, 0);
	barrier();
	tsk->fp_objects--;
	if (unlikely(READ_ONCE(tsk->ipi_pending)))
		ipi_run_pending(NULL);
	return;
slow:
	/* SLAB's general path; the other allocators' (no slab_percpu) */
	if (any_cache)
		slab_ops->kfree(objp, caller);
	else if (objp)
		slab_ops->free(cachep, objp, caller);
}

#endif /* MM_SLAB_H */
