/* SPDX-License-Identifier: MIT */
/*
 * mm/slab_alloc.h - the contract between the common slab layer
 * (mm/slab_common.c, mm/kmalloc.c: Linux's mm/slab_common.c and the shared
 * half of mm/slab.h) and the three allocators behind it: SLAB (mm/slab*.c),
 * SLUB (mm/slub*.c) and SLOB (mm/slob*.c), chosen per boot with slab=.
 *
 * Linux picks one at build time; the model picks one at mm_boot(), because
 * tests boot many machines.  The public entry points (kmem_cache_alloc(),
 * kfree(), ...) test slab_allocator, read-only while booted: SLAB's fast
 * paths stay inline, the others go through slab_ops.
 *
 * What lives once, in the common layer:
 *   - the cache list (slab_caches, slab_mutex, slab_caches_lock),
 *     kmem_cache_create() (argument checks, merging into an alias,
 *     allocating and naming the struct) and kmem_cache_destroy() (aliases,
 *     kmalloc caches refused, "Slab cache still has objects", the RCU
 *     barrier), kmem_cache_size()/_name();
 *   - kmalloc's size-to-class lookup and the kmalloc caches (SLAB: 32 B to
 *     4 MiB; SLUB: 8 B to 8 KiB, then kmalloc_large()), kfree()'s
 *     dispatch, ksize(), krealloc(), kfree_rcu();
 *   - /proc/slabinfo's frame (header, one line per root cache from
 *     get_slabinfo()), the sysfs view (slab/<cache>/<attr>), failslab;
 *   - the misuse checks every allocator makes: a caller that is no CPU, a
 *     sleeping allocation in atomic context, a node that does not exist,
 *     __GFP_ZERO with a constructor, GFP_SLAB_BUG_MASK, failslab (the
 *     pre-alloc hook); a pointer that is no slab object's, a free to the
 *     wrong cache (the free hook);
 *   - the report primitives of slab debugging ("BUG <cache> (<taint>):",
 *     "INFO:", hex dumps, "FIX <cache>:"), which SLAB's slab_debug and
 *     SLUB's slub_debug print in the same shapes.
 *
 * Who may touch what: slab_allocator, slab_ops, slab_nomerge and
 * slub_debug_string are written by mm_boot() before any CPU runs and
 * read-only until mm_shutdown() ends.
 */
#ifndef MM_SLAB_ALLOC_H
#define MM_SLAB_ALLOC_H

#include <stdarg.h>
#include <stdio.h>
#include <mmsim/slab.h>
#include <mmsim/inspect.h>
#include <mmsim/machine.h>
#include "../numa/fault_inject.h"

struct check_log;
struct page;

enum slab_allocator_id {
	SLAB_ALLOCATOR_SLAB,	/* mm/slab.c: per-CPU arrays, colouring */
	SLAB_ALLOCATOR_SLUB,	/* mm/slub.c: per-CPU slabs, lockless freelists */
	SLAB_ALLOCATOR_SLOB,	/* mm/slob.c: one first-fit heap, one lock */
};

/* slab=: which allocator serves kmem_cache_* and kmalloc this boot */
extern int slab_allocator;
/* slab_nomerge (or slub_nomerge): no cache becomes an alias */
extern int slab_nomerge;
/* slub_debug[=...] as written on the boot line (NULL: absent, "" for a bare
 * slub_debug); parsed by setup_slub_debug() at kmem_cache_init() */
extern const char *slub_debug_string;

/* /proc/slabinfo's numbers of one cache (v4.19 struct slabinfo) */
struct slabinfo {
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned long active_slabs;
	unsigned long num_slabs;
	unsigned long shared_avail;
	unsigned int limit;
	unsigned int batchcount;
	unsigned int shared;
	unsigned int objects_per_slab;
	unsigned int cache_order;
};

/*
 * One allocator.  Every hook runs on an attached CPU unless it says
 * otherwise; "boot" means inside mm_boot() before any CPU runs.
 */
struct slab_allocator_ops {
	const char *name;		/* "slab", "slub", "slob" */

	/*
	 * Boot, after the common layer set up the cache list and the kmalloc
	 * index table: the allocator's own state and CPU hotplug state, then
	 * create_kmalloc_caches() if it has kmalloc caches.  0, or -errno
	 * with its own part undone (the common layer frees caches made so far).
	 */
	int (*init)(void);
	/*
	 * mm_shutdown(), on the last CPU, after every cache was shrunk and the
	 * common layer took them off the list (freeing the empty ones): the
	 * allocator's own work (CPU hotplug state, periodic work) and state.
	 */
	void (*exit)(void);

	/*
	 * The flags the allocator's debugging adds to a cache of this size and
	 * name (SLAB: slab_debug; SLUB: slub_debug=, kmem_cache_flags()).
	 * Called before merging is tried and before cache_create().
	 */
	slab_flags_t (*cache_flags)(unsigned int object_size, slab_flags_t flags,
				    const char *name);
	/*
	 * Lay out s: the common layer has set name, object_size, align (as
	 * asked), flags (with cache_flags() applied), ctor, refcount 1
	 * (-1 for kmalloc caches: never merged or destroyed).  Sets size and
	 * the allocator's fields, allocates its per-CPU and per-node parts.
	 * slab_mutex held (or boot).  0, or -EINVAL/-ENOMEM with nothing
	 * left allocated (the caller prints the warning).
	 */
	int (*cache_create)(struct kmem_cache *s);
	/* An alias of s was created for object_size bytes (SLUB: object_size
	 * and inuse grow to cover it).  slab_mutex held.  May be NULL. */
	void (*cache_alias)(struct kmem_cache *s, unsigned int object_size);
	/*
	 * Give back every slab with no object out, and empty the per-CPU
	 * caches (kmem_cache_shrink(), and destroy's first step).  0 if the
	 * cache now holds no slab, 1 if some remain.  slab_mutex held.
	 */
	int (*cache_shrink)(struct kmem_cache *s);
	/* Objects out and the slabs holding them, for "Slab cache still has
	 * objects" (slab_mutex held). */
	unsigned long (*live_objects)(struct kmem_cache *s, unsigned long *slabs);
	/* Free what cache_create() allocated; the cache holds no slab. */
	void (*cache_release)(struct kmem_cache *s);

	/*
	 * An object of s (node NUMA_NO_NODE or a node that exists: checked).
	 * The pre-alloc hook has passed; the hook after it is the
	 * allocator's to call (slab_post_alloc_hook()).  NULL on failure,
	 * having called warn_alloc() unless __GFP_NOWARN.
	 */
	void *(*alloc)(struct kmem_cache *s, gfp_t flags, int node, const void *caller);
	/* Free objp (not NULL) to s; the allocator calls slab_free_hook() first. */
	void (*free)(struct kmem_cache *s, void *objp, const void *caller);
	/* kmalloc of 1..KMALLOC_MAX_SIZE bytes (0 and bigger are handled). */
	void *(*kmalloc)(size_t size, gfp_t flags, int node, const void *caller);
	/* kfree of anything but NULL and ZERO_SIZE_PTR. */
	void (*kfree)(const void *objp, const void *caller);
	/* ksize of anything but NULL and ZERO_SIZE_PTR: 0, with a WARN, if
	 * objp is not a kmalloc'd block of this allocator. */
	size_t (*ksize)(const void *objp);

	/* /proc/slabinfo's line of s (slab_mutex held); NULL: no
	 * /proc/slabinfo (SLOB). */
	void (*get_slabinfo)(struct kmem_cache *s, struct slabinfo *info);
	/* /sys/kernel/slab/<cache>/<attr> (slab_mutex held): 0, -ENOENT for
	 * an attribute it does not have.  NULL: no such directory. */
	int (*sysfs_show)(struct kmem_cache *s, const char *attr, FILE *out);
	/* The allocator's fields of kmem_cache_stats() (num, gfporder,
	 * reaped, ...); the common layer fills object_size, size, align,
	 * nr_pages. */
	void (*stats)(struct kmem_cache *s, struct kmem_cache_stats *st);
	/*
	 * mm_check(), every CPU stopped: the allocator's structures (lists,
	 * freelists, counts, who owns what) and its pages against
	 * NR_SLAB_RECLAIMABLE + NR_SLAB_UNRECLAIMABLE (the conservation law's
	 * slab part).  Violations into log, prefixed "mm_check: slab: ".
	 */
	void (*check)(struct check_log *log);
};

extern const struct slab_allocator_ops slab_ops_slab;	/* mm/slab_create.c */
extern const struct slab_allocator_ops slub_ops;	/* mm/slub.c */
extern const struct slab_allocator_ops slob_ops;	/* mm/slob.c */
extern const struct slab_allocator_ops *slab_ops;	/* this boot's */

/* ------------------------------------------------------------------ */
/* What the common layer gives the allocators                          */

/*
 * kmalloc classes (create_kmalloc_caches(), boot): index i serves sizes
 * up to 1 << i, with 1 = kmalloc-96 and 2 = kmalloc-192, from
 * kmalloc_shift_low (SLAB 5, SLUB 3) to kmalloc_shift_high (SLAB 22,
 * SLUB 13, PAGE_SHIFT + 1).  kmalloc_slab() is the cache for size bytes
 * (1..1 << kmalloc_shift_high) with flags (GFP_DMA: dma-kmalloc-N).
 */
extern unsigned int kmalloc_shift_low, kmalloc_shift_high;
int create_kmalloc_caches(slab_flags_t flags);
/* (kmalloc_slab(): mmsim/inspect.h) */

/*
 * The pre-alloc hook of every allocation (v4.19 slab_pre_alloc_hook()
 * and the checks around it): the caller is an attached CPU, a pending
 * IPI runs, a blocking allocation is not in atomic context, the node
 * exists, no __GFP_ZERO with a constructor, failslab.  GFP_SLAB_BUG_MASK
 * is the grow path's (as v4.19).  0 to go on; -1: refused (reported, or
 * the injected failure).  func names the entry point in reports.
 */
int slab_pre_alloc_hook(struct kmem_cache *s, gfp_t flags, int node, const char *func);
/*
 * The same, inline where every check passes at a glance: an attached CPU
 * in process context (no preempt count, interrupts on, no spinlock held),
 * no IPI waiting, any node, no fault injection armed, no __GFP_ZERO (it
 * may meet a constructor).  Anything else takes the whole hook, which
 * decides and reports.  Reads only the caller's own task.
 */
static __always_inline int slab_pre_alloc_hook_fast(struct kmem_cache *s, gfp_t flags, int node,
						     const char *func)
{
	struct task_struct *tsk = current;

	if (likely(tsk->cpu >= 0 && !(tsk->preempt_count | tsk->irqs_disabled) &&
		   tsk->spin_depth <= 0 && node == NUMA_NO_NODE && !(flags & __GFP_ZERO) &&
		   !READ_ONCE(tsk->ipi_pending) && !fault_inject_active()))
		return 0;
	return slab_pre_alloc_hook(s, flags, node, func);
}
/*
 * After an allocation that succeeded: __GFP_ZERO (object_size bytes),
 * ASan unpoisoning, the task's fault-injection footprint (fp_objects++):
 * slab_post_alloc_hook(), inline in mm/slab.h.
 */
/*
 * Before a free: the caller is an attached CPU, a pending IPI runs, objp
 * is in a slab (else "BUG: kernel NULL pointer"-style report of a bad
 * pointer and NULL), and of s if s is given (else the "cache_from_obj:
 * Wrong slab cache" WARN, and the owner is used, as v4.19).  Returns the
 * cache objp belongs to, or NULL: refused, reported.  The allocator then
 * checks that objp is the start of an object of that slab, and does
 * fp_objects-- when the free is done.
 */
struct kmem_cache *slab_free_hook(struct kmem_cache *s, const void *objp, const char *func);

/*
 * The report primitives of slab debugging (mm/slab_report.c), in SLUB's
 * shapes (which SLAB's slab_debug prints too):
 *   slab_bug()	 report_begin + "=====" + "BUG <cache> (<taint>): <what>" +
 *		 "-----"; the caller prints INFO lines and ends with
 *		 slab_report_end().
 *   slab_fix()	 "FIX <cache>: <what>"
 *   print_section()  the hex dump ("Object ", "Redzone ", "Padding ", ...)
 *   print_track()	 "INFO: <what> in <sym>+0x.. age=.. cpu=.. pid=.."
 *		 (what: "Allocated", "Freed"; nothing if caller is NULL)
 */
void slab_bug(struct kmem_cache *s, const char *fmt, ...) __printf(2, 3);
void slab_fix(struct kmem_cache *s, const char *fmt, ...) __printf(2, 3);
void slab_report_end(void);
void print_section(const char *level, const void *addr, size_t length);
void print_track(const char *what, const void *caller, unsigned long when, int cpu, int pid);

/*
 * A slab's page allocation with flags a slab must not use
 * (GFP_SLAB_BUG_MASK): "Unexpected gfp: ... Fix your code!", and the
 * flags without them (v4.19's grow paths).
 */
gfp_t slab_fix_gfp(gfp_t flags);
/* v4.19's calculate_alignment(): the cache line (halved while the object
 * fits twice) for SLAB_HWCACHE_ALIGN, at least 8, a multiple of a word. */
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size);
/*
 * The context part of slab_free_hook() alone (attached CPU, pending IPI):
 * for SLOB, whose heap pages name no cache and whose big blocks are no
 * slab at all (it checks its pointers itself).  0, or -1: refused.
 */
int slab_free_context(const char *func);
/* "BUG: <func>(<p>): not an object of any slab cache (<why>)" */
void slab_bad_pointer(const char *func, const void *objp);
/* The slab (head page) whose memory holds addr and names its cache
 * (SLAB, SLUB), or NULL; and that cache. */
struct page *virt_to_slab(const void *addr);
struct kmem_cache *virt_to_cache(const void *obj);

/* v4.19's ARCH_KMALLOC_MINALIGN on x86: a 64-bit integer's alignment. */
#define ARCH_KMALLOC_MINALIGN	__alignof__(unsigned long long)

/* ------------------------------------------------------------------ */
/* The common layer's own (boot, mm_check, /proc, debugfs)             */

/* slab=NAME -> its enum slab_allocator_id; -EINVAL unknown, -ENOSYS not
 * built in */
int slab_allocator_by_name(const char *name);
/* boot, no CPU: slab_allocator's caches; mm_shutdown(): all of it */
int kmem_cache_init(void);
void kmem_cache_exit(void);
/* kmalloc.c: the classes of slab_allocator (boot), their check */
void kmalloc_init_classes(void);
/* mm_check(): every kmalloc size lands in a class whose objects hold it;
 * violations into log ("mm_check: slab layout: kmalloc ..."). */
void kmalloc_check_classes(struct check_log *log);
/* A kmalloc cache, refcount -1 (create_kmalloc_caches()). */
struct kmem_cache *create_kmalloc_cache(const char *name, unsigned int size,
					slab_flags_t flags);
/* /proc/slabinfo (-ENOENT under SLOB) */
int slabinfo_show(FILE *out);
/* slab/<cache>/<attr>: failslab (show, or write value), the allocator's
 * sysfs attributes (show); -ENOENT, -EINVAL */
int slab_attr(const char *cache, const char *attr, const char *value, FILE *out);
/* mm_check()'s slab part: ops->check and kmalloc's classes */
int slab_check_all(FILE *report);

/* ------------------------------------------------------------------ */
/* mm/slab_merge.c: merging (SLAB and SLUB, as v4.19)                  */

/*
 * kmem_cache_create() (slab_mutex held) tries this first: an existing
 * cache that can serve (size, align, flags, ctor) under the new name, its
 * refcount raised and the allocator's cache_alias hook called; or NULL.
 * slab_alias_find(name): the cache an alias name stands for, or NULL.
 */
struct kmem_cache *__kmem_cache_alias(const char *name, unsigned int size,
				      unsigned int align, slab_flags_t flags,
				      void (*ctor)(void *));
struct kmem_cache *slab_alias_find(const char *name);
int slab_unmergeable(struct kmem_cache *s);

/* ------------------------------------------------------------------ */
/* mm/slab_report.c: more of the report primitives                     */

/* slab_bug() with a va_list (for callers that take their own "..."). */
void slab_vbug(struct kmem_cache *s, const char *fmt, va_list ap);
/* print_section() of bytes copied from shown (a snapshot taken under a
 * lock): the rows show shown's addresses and bytes' contents. */
void print_section_at(const char *level, const void *shown, const void *bytes,
		      size_t length);

/* ------------------------------------------------------------------ */
/* mm/slab_merge.c: cache merging (v4.19 find_mergeable() and aliases)  */

/*
 * Merging is SLAB's and SLUB's (SLOB never merges: the common layer does
 * not call these under it).  All of it runs with slab_mutex held; the
 * alias names are slab_merge.c's, under slab_mutex.
 *
 * find_mergeable(): an existing cache that can serve objects of size
 * bytes, align, flags (before the allocator's cache_flags(): they are
 * applied here, so slub_debug's flags for name count) and ctor, or NULL:
 * slab_nomerge, a ctor, a SLAB_NEVER_MERGE flag, or no candidate passes
 * (SLAB_MERGE_SAME flags equal, its size at least the padded size and
 * less than a word more, its size a multiple of the alignment, not
 * slab_unmergeable(): kmalloc caches never are targets).  The oldest
 * candidate wins.
 */
struct kmem_cache *find_mergeable(unsigned int size, unsigned int align,
				  slab_flags_t flags, const char *name,
				  void (*ctor)(void *));
/*
 * The alias bookkeeping behind __kmem_cache_alias() (declared above, with
 * slab_alias_find(): the cache an alias name stands for): on a match it
 * raises s->refcount, calls ops->cache_alias(s, size) (if any) and
 * records name.  kmem_cache_destroy() of a name only drops the refcount
 * (v4.19); the names stay with s (as v4.19's sysfs links) until s is
 * freed, when the common layer calls slab_aliases_forget(s).
 */
/* Drop every alias name of s (s is being freed); NULL: of every cache. */
void slab_aliases_forget(struct kmem_cache *s);
/* Up to n alias names of s into names[] (oldest first); how many s has. */
unsigned int slab_alias_names(struct kmem_cache *s, const char **names, unsigned int n);

#endif /* MM_SLAB_ALLOC_H */
