/* SPDX-License-Identifier: MIT */
/*
 * mmsim/slab.h - the SLAB allocator and kmalloc (Linux v4.19 mm/slab.c,
 * mm/slab_common.c, include/linux/slab.h).
 *
 * A cache hands out objects of one size.  Its objects live in slabs (one or
 * more pages from the page allocator); every CPU keeps a small LIFO array
 * of free objects of each cache, so that most allocations and frees touch
 * nothing shared.  kmalloc() is a set of general caches, 8 bytes to 4 MiB.
 */
#ifndef MMSIM_SLAB_H
#define MMSIM_SLAB_H

#include <stddef.h>
#include <mmsim/compiler.h>
#include <mmsim/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned int slab_flags_t;

/* Cache flags, v4.19 values. */
#define SLAB_CONSISTENCY_CHECKS	((slab_flags_t)0x00000100U) /* sanity checks on free */
#define SLAB_RED_ZONE		((slab_flags_t)0x00000400U) /* guard bytes around objects */
#define SLAB_POISON		((slab_flags_t)0x00000800U) /* 0x6b free, 0xa5 end, 0x5a new */
#define SLAB_HWCACHE_ALIGN	((slab_flags_t)0x00002000U) /* align objects to the cache line */
#define SLAB_CACHE_DMA		((slab_flags_t)0x00004000U) /* pages from ZONE_DMA */
#define SLAB_STORE_USER		((slab_flags_t)0x00010000U) /* record the last owner */
#define SLAB_PANIC		((slab_flags_t)0x00040000U) /* creation failure is fatal */
#define SLAB_TYPESAFE_BY_RCU	((slab_flags_t)0x00080000U) /* pages freed after a grace period */
#define SLAB_RECLAIM_ACCOUNT	((slab_flags_t)0x00020000U) /* counted as SReclaimable */
#define SLAB_FAILSLAB		((slab_flags_t)0x02000000U) /* failslab's cache-filter lets it fail */

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags);
void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t flags, int node);
void kmem_cache_free(struct kmem_cache *s, void *objp);
int kmem_cache_shrink(struct kmem_cache *s);
unsigned int kmem_cache_size(struct kmem_cache *s);
const char *kmem_cache_name(struct kmem_cache *s);

/* kmalloc: SLAB's classes 32, 64, 96, 128, 192, 256, ... 4 MiB (sizes 1 to 32
 * share kmalloc-32). */
#define KMALLOC_SHIFT_LOW	5
#define KMALLOC_SHIFT_HIGH	22
#define KMALLOC_MIN_SIZE	(1UL << KMALLOC_SHIFT_LOW)
#define KMALLOC_MAX_SIZE	(1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_CACHE_SIZE	KMALLOC_MAX_SIZE
#define KMALLOC_MAX_ORDER	(KMALLOC_SHIFT_HIGH - 12)

/* kmalloc(0) returns this: not NULL, and any access to it faults. */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

void *kmalloc(size_t size, gfp_t flags);
void *kmalloc_node(size_t size, gfp_t flags, int node);
void *krealloc(const void *p, size_t new_size, gfp_t flags);
void kfree(const void *objp);
size_t ksize(const void *objp);

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

static inline void *kzalloc_node(size_t size, gfp_t flags, int node)
{
	return kmalloc_node(size, flags | __GFP_ZERO, node);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return NULL;
	return kmalloc(bytes, flags);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/*
 * kfree_rcu(ptr, field): kfree(ptr) after an RCU grace period; field is
 * the struct rcu_head inside *ptr (see mmsim/rcupdate.h).
 */
struct rcu_head;
void __kfree_rcu(struct rcu_head *head, unsigned long offset);
#define kfree_rcu(ptr, field)	\
	__kfree_rcu(&(ptr)->field, __builtin_offsetof(__typeof__(*(ptr)), field))

/*
 * kasan_report_rcu(): a reader under rcu_read_lock() found the object it
 * holds changed before a grace period ended (a kfree_rcu()'d object whose
 * content changed, an object of a SLAB_TYPESAFE_BY_RCU cache that is no
 * longer one of its cache).  Reported as KASAN does: "BUG: KASAN:
 * use-after-free in <reader>", the access (addr, size), what the reader
 * expected and found (fmt), the object and its cache, the reader's CPU.
 * Any attached CPU, any context but hardirq.
 */
void kasan_report_rcu(const char *reader, const void *object, const void *addr, size_t size,
		      const char *fmt, ...) __printf(5, 6);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_SLAB_H */
