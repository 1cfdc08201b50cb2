// SPDX-License-Identifier: MIT
/*
 * mm/kmalloc.c - kmalloc for all three allocators (the shared half of
 * v4.19's mm/slab_common.c): the size-to-class lookup and the general
 * caches of SLAB and SLUB, kmalloc()/kfree()'s dispatch, ksize(),
 * krealloc(), kfree_rcu().
 *
 *   kmalloc_caches[type][index]	index = log2 of the class, with 1 =
 *				kmalloc-96 and 2 = kmalloc-192, from
 *				kmalloc_shift_low to kmalloc_shift_high; type
 *				normal or DMA.  Made at boot, read-only after.
 *   size_index[]		sizes 1..192 by 8-byte step -> index: the
 *				lookup is a table, not a loop.  Written at
 *				boot (setup_kmalloc_cache_index_table()),
 *				read-only after.
 *   kmalloc_shift_low/high	SLAB 5..22 (32 B to 4 MiB: sizes 1 to 32
 *				share kmalloc-32), SLUB 3..13 (8 B to 8 KiB,
 *				then whole pages: kmalloc_large()).  SLOB has
 *				no classes: its hooks serve kmalloc.
 *
 * SLAB's kmalloc()/kfree() inline its fast paths (mm/slab.h): the class
 * from the table, the object from the CPU's array; the other allocators
 * are one predictable branch away, through slab_ops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include "slab.h"
#include "../numa/rcu.h"

enum kmalloc_cache_type { KMALLOC_NORMAL, KMALLOC_DMA, NR_KMALLOC_TYPES };

static struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
unsigned int kmalloc_shift_low = KMALLOC_SHIFT_LOW;
unsigned int kmalloc_shift_high = KMALLOC_SHIFT_HIGH;

/* v4.19's names and sizes, by index. */
static const struct {
	const char *name;
	unsigned int size;
} kmalloc_info[KMALLOC_SHIFT_HIGH + 1] = {
	{ NULL, 0 },			{ "kmalloc-96", 96 },
	{ "kmalloc-192", 192 },		{ "kmalloc-8", 8 },
	{ "kmalloc-16", 16 },		{ "kmalloc-32", 32 },
	{ "kmalloc-64", 64 },		{ "kmalloc-128", 128 },
	{ "kmalloc-256", 256 },		{ "kmalloc-512", 512 },
	{ "kmalloc-1024", 1024 },	{ "kmalloc-2048", 2048 },
	{ "kmalloc-4096", 4096 },	{ "kmalloc-8192", 8192 },
	{ "kmalloc-16384", 16384 },	{ "kmalloc-32768", 32768 },
	{ "kmalloc-65536", 65536 },	{ "kmalloc-131072", 131072 },
	{ "kmalloc-262144", 262144 },	{ "kmalloc-524288", 524288 },
	{ "kmalloc-1048576", 1048576 },	{ "kmalloc-2097152", 2097152 },
	{ "kmalloc-4194304", 4194304 },
};

/*
 * (size - 1) / 8 for sizes 1..192 -> index, v4.19's table; entries below
 * the smallest class are raised to kmalloc_shift_low at boot, as
 * setup_kmalloc_cache_index_table() does (SLAB: sizes 1 to 32 -> 5).
 */
static const unsigned char size_index_v419[24] = {
	3, 4, 5, 5, 6, 6, 6, 6,		/* 8 16 24 32 40 48 56 64 */
	1, 1, 1, 1, 7, 7, 7, 7,		/* 72 80 88 96 104 112 120 128 */
	2, 2, 2, 2, 2, 2, 2, 2,		/* 136 .. 192 */
};
static unsigned char size_index[24];

static void setup_kmalloc_cache_index_table(void)
{
	for (unsigned int i = 0; i < 24; i++) {
		size_index[i] = size_index_v419[i];
		if (size_index[i] > 2 && size_index[i] < kmalloc_shift_low)
			size_index[i] = (unsigned char)kmalloc_shift_low;
	}
}

static __always_inline unsigned int kmalloc_index(size_t size)
{
	if (size <= 192)
		return size_index[(size - 1) / 8];
	return (unsigned int)fls_long(size - 1);
}

/* The cache for size bytes with flags; NULL above the largest class. */
struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags)
{
	if (unlikely(size > KMALLOC_MAX_SIZE)) {
		WARN_ON_ONCE(!(flags & __GFP_NOWARN));
		return NULL;
	}
	if (!size || size > 1UL << kmalloc_shift_high)
		return NULL;
	return kmalloc_caches[(flags & GFP_DMA) ? KMALLOC_DMA : KMALLOC_NORMAL]
			     [kmalloc_index(size)];
}

/*
 * v4.19's kmem_cache_init() (SLAB) makes the kmalloc cache of struct
 * kmem_cache_node (120 bytes on x86_64: kmalloc-128) before the others.
 * The model keeps its nodes elsewhere, but the order shows in slabinfo.
 */
#define INDEX_NODE		7

static int new_kmalloc_cache(int type, unsigned int idx, slab_flags_t flags)
{
	struct kmem_cache *s;
	char name[32];

	flags |= SLAB_KMALLOC;
	if (type == KMALLOC_DMA)
		flags |= SLAB_CACHE_DMA;
	snprintf(name, sizeof(name), "%s%s", type == KMALLOC_DMA ? "dma-" : "",
		 kmalloc_info[idx].name);
	s = create_kmalloc_cache(name, kmalloc_info[idx].size, flags);
	if (!s) {
		pr_err("kmem_cache_init: cannot create %s\n", name);
		return -ENOMEM;
	}
	kmalloc_caches[type][idx] = s;
	return 0;
}

/*
 * Boot, no CPU running (the allocator's init hook): the caches in v4.19's
 * order -- SLAB first makes kmalloc-128 for its nodes; then by size,
 * smaller first (a bigger one may keep its freelists in them), kmalloc-96
 * right after kmalloc-64 and kmalloc-192 right after kmalloc-128; then a
 * dma- twin of each, by index (96 and 192 first).
 */
int create_kmalloc_caches(slab_flags_t flags)
{
	struct kmem_cache **normal = kmalloc_caches[KMALLOC_NORMAL];
	unsigned int low = kmalloc_shift_low;
	int ret = 0;

	if (slab_allocator == SLAB_ALLOCATOR_SLAB)
		ret = new_kmalloc_cache(KMALLOC_NORMAL, INDEX_NODE, flags);
	for (unsigned int i = low; !ret && i <= kmalloc_shift_high; i++) {
		if (!normal[i])
			ret = new_kmalloc_cache(KMALLOC_NORMAL, i, flags);
		if (!ret && low <= 5 && i == 6 && !normal[1])
			ret = new_kmalloc_cache(KMALLOC_NORMAL, 1, flags);
		if (!ret && low <= 6 && i == 7 && !normal[2])
			ret = new_kmalloc_cache(KMALLOC_NORMAL, 2, flags);
	}
	for (unsigned int i = 0; !ret && i <= kmalloc_shift_high; i++)
		if (normal[i])
			ret = new_kmalloc_cache(KMALLOC_DMA, i, flags);
	return ret;
}

/* The RCU core's end of kfree_rcu() (see __kfree_rcu()). */
static void kfree_rcu_offset(struct rcu_head *head, unsigned long offset)
{
	kfree((char *)head - offset);
}

/* Boot, before the allocator's init: the classes of this allocator. */
void kmalloc_init_classes(void)
{
	rcu_set_kfree_offset(kfree_rcu_offset);
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	if (slab_allocator == SLAB_ALLOCATOR_SLUB) {
		kmalloc_shift_low = 3;
		kmalloc_shift_high = PAGE_SHIFT + 1;
	} else {
		kmalloc_shift_low = KMALLOC_SHIFT_LOW;
		kmalloc_shift_high = KMALLOC_SHIFT_HIGH;
	}
	setup_kmalloc_cache_index_table();
}

static void __printf(2, 3) kmalloc_violation(struct check_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(log, "mm_check: slab layout: ", fmt, ap);
	va_end(ap);
}

/*
 * The size-to-class map against the classes (read-only after boot, so no
 * lock): every size of the table (8 to 192 by 8) and every power of two
 * from 256 and one byte more, up to the largest class, lands in a cache
 * whose objects are at least that big and at least its class's size.
 * Nothing to check under SLOB.
 */
void kmalloc_check_classes(struct check_log *log)
{
	size_t max = 1UL << kmalloc_shift_high;

	if (slab_allocator == SLAB_ALLOCATOR_SLOB)
		return;
	for (int type = 0; type < NR_KMALLOC_TYPES; type++) {
		for (unsigned int idx = 0; idx <= kmalloc_shift_high; idx++) {
			struct kmem_cache *s = kmalloc_caches[type][idx];

			if (s && s->object_size < kmalloc_info[idx].size)
				kmalloc_violation(log, "kmalloc class %u (%s): %s has objects of %u bytes",
						  idx, kmalloc_info[idx].name, s->name,
						  s->object_size);
		}
		for (size_t size = 8; size <= max;
		     size = size < 192 ? size + 8 : size < 256 ? 256 :
			    size & (size - 1) ? (size - 1) * 2 : size + 1) {
			unsigned int idx = kmalloc_index(size);
			struct kmem_cache *s = idx <= kmalloc_shift_high ?
					       kmalloc_caches[type][idx] : NULL;

			if (type == KMALLOC_NORMAL && !s)
				kmalloc_violation(log, "kmalloc(%zu): class %u has no cache", size,
						  idx);
			else if (s && s->object_size < size)
				kmalloc_violation(log, "kmalloc(%zu): class %u, %s, has objects of %u bytes",
						  size, idx, s->name, s->object_size);
		}
	}
}

/* kmalloc(0) and too big, out of the way of the fast path */
static noinline void *kmalloc_odd_size(size_t size, gfp_t flags)
{
	if (!size)
		return ZERO_SIZE_PTR;
	WARN_ON_ONCE(!(flags & __GFP_NOWARN));
	return NULL;
}

/* kmalloc without SLAB's fast path (SLUB, SLOB, or SLAB on a CPU going
 * offline): the allocator's hook, past the size checks. */
static noinline void *kmalloc_recorded(size_t size, gfp_t flags, int node, const void *caller)
{
	void *ret = slab_ops->kmalloc(size, flags, node, caller);

	/* kmemleak's record: the size asked for (its CPUs all come here) */
	if (!ZERO_OR_NULL_PTR(ret))
		kmemleak_kmalloc_size(ret, size);
	return ret;
}

static noinline void *kmalloc_other(size_t size, gfp_t flags, int node, const void *caller)
{
	if (kmemleak_active())
		return kmalloc_recorded(size, flags, node, caller);
	return slab_ops->kmalloc(size, flags, node, caller);
}

static __always_inline void *__do_kmalloc(size_t size, gfp_t flags, const void *caller)
{
	struct kmem_cache *cachep;

	/* one compare for both 0 and > KMALLOC_MAX_SIZE */
	if (unlikely(size - 1 >= KMALLOC_MAX_SIZE))
		return kmalloc_odd_size(size, flags);
	/* (slab_alloc() tests slab_percpu again: the compiler keeps one) */
	if (unlikely(!current->slab_percpu))
		return kmalloc_other(size, flags, NUMA_NO_NODE, caller);
	if (likely(!(flags & GFP_DMA)))
		cachep = kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(size)];
	else
		cachep = kmalloc_caches[KMALLOC_DMA][kmalloc_index(size)];
	return slab_alloc(cachep, flags, NUMA_NO_NODE, caller);
}

__slab_fastpath
void *kmalloc(size_t size, gfp_t flags)
{
	return __do_kmalloc(size, flags, __builtin_return_address(0));
}

void *kmalloc_node(size_t size, gfp_t flags, int node)
{
	struct kmem_cache *cachep;
	void *ret;

	if (unlikely(size - 1 >= KMALLOC_MAX_SIZE))
		return kmalloc_odd_size(size, flags);
	if (slab_allocator != SLAB_ALLOCATOR_SLAB)
		return kmalloc_other(size, flags, node, __builtin_return_address(0));
	cachep = kmalloc_slab(size, flags);
	if (unlikely(!cachep))
		return NULL;
	ret = slab_ops->alloc(cachep, flags, node, __builtin_return_address(0));
	if (kmemleak_active() && ret)
		kmemleak_kmalloc_size(ret, size);
	return ret;
}

__slab_fastpath
void kfree(const void *objp)
{
	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return;
	slab_free(NULL, (void *)objp, __builtin_return_address(0), 1);
}

size_t ksize(const void *objp)
{
	size_t ret;

	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return 0;
	ret = slab_ops->ksize(objp);
	/* the caller may use all of it: kmemleak scans all of it */
	if (kmemleak_active() && ret)
		kmemleak_ksize(objp, ret);
	return ret;
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	size_t ks = 0;
	void *ret;

	if (unlikely(!new_size)) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (!ZERO_OR_NULL_PTR(p)) {
		ks = ksize(p);
		if (!ks)
			return NULL;	/* reported: not ours to resize */
	}
	if (ks >= new_size) {
		if (kmemleak_active())
			kmemleak_kmalloc_size(p, new_size);
		return (void *)p;
	}
	ret = __do_kmalloc(new_size, flags, __builtin_return_address(0));
	if (ret && !ZERO_OR_NULL_PTR(p)) {
		memcpy(ret, p, ks);
		kfree(p);
	}
	return ret;
}

/*
 * kfree_rcu(ptr, field): as v4.19's kfree_call_rcu(), the rcu_head's
 * offset in the object rides in its callback field (a value below 4096
 * is no function); the RCU core hands such a head to rcu_kfree_offset(),
 * which kfree()s the object's start.  No allocator has to find an
 * object from an interior pointer.
 */
void __kfree_rcu(struct rcu_head *head, unsigned long offset)
{
	if (WARN(offset >= RCU_KFREE_OFFSET_MAX,
		 "kfree_rcu: rcu_head at offset %lu, not below %d\n", offset,
		 RCU_KFREE_OFFSET_MAX))
		return;
	call_rcu(head, (rcu_callback_t)(uintptr_t)offset);
}
