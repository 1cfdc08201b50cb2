// SPDX-License-Identifier: MIT
/*
 * mm/slab_common.c - kmalloc on SLAB's general caches, kfree_rcu, and
 * what a cache shows: /proc/slabinfo, and kmem_cache_stats() for programs
 * outside the library (read-only fields as they are, the counters with
 * relaxed loads: nr_pages, reaped and rcu_slabs are atomics, each CPU's
 * alien_frees its own, read with READ_ONCE()).
 *
 *   kmalloc_caches[type][index]	index = log2 of the class (5..22), with
 *				1 = kmalloc-96 and 2 = kmalloc-192; type normal
 *				or DMA.  Made at boot, read-only after.
 *   size_index[]		sizes 1..192 by 8-byte step -> index: the
 *				size-to-class lookup is a table, not a loop.
 *
 * SLAB's classes start at KMALLOC_MIN_SIZE (32): sizes 1 to 32 share
 * kmalloc-32, as v4.19's setup_kmalloc_cache_index_table() makes them.
 * The caches are made as v4.19's kmem_cache_init() and
 * create_kmalloc_caches() make them, with ARCH_KMALLOC_FLAGS
 * (SLAB_HWCACHE_ALIGN on x86: kmalloc-32 is aligned to 32, kmalloc-96 to
 * 64, so its objects take 128 bytes) -- except under slab_debug (below).
 *
 * kmalloc() and kfree() inline SLAB's fast paths (mm/slab.c): the class
 * from the table, the object from the CPU's array; kfree() finds the cache
 * from the object's slab page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include "slab.h"

enum kmalloc_cache_type { KMALLOC_NORMAL, KMALLOC_DMA, NR_KMALLOC_TYPES };

static struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];

/* v4.19's names and sizes, by index (SLAB makes none below 5). */
static const struct {
	const char *name;
	unsigned int size;
} kmalloc_info[KMALLOC_SHIFT_HIGH + 1] = {
	{ NULL, 0 },			{ "kmalloc-96", 96 },
	{ "kmalloc-192", 192 },		{ NULL, 0 },
	{ NULL, 0 },			{ "kmalloc-32", 32 },
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

/* (size - 1) / 8 for sizes 1..192 -> index (v4.19's table, with the
 * entries below KMALLOC_MIN_SIZE set to KMALLOC_SHIFT_LOW as
 * setup_kmalloc_cache_index_table() sets them). */
static const unsigned char size_index[24] = {
	5,	/* 8 */
	5,	/* 16 */
	5,	/* 24 */
	5,	/* 32 */
	6,	/* 40 */
	6,	/* 48 */
	6,	/* 56 */
	6,	/* 64 */
	1,	/* 72 */
	1,	/* 80 */
	1,	/* 88 */
	1,	/* 96 */
	7,	/* 104 */
	7,	/* 112 */
	7,	/* 120 */
	7,	/* 128 */
	2,	/* 136 */
	2,	/* 144 */
	2,	/* 152 */
	2,	/* 160 */
	2,	/* 168 */
	2,	/* 176 */
	2,	/* 184 */
	2,	/* 192 */
};

static __always_inline unsigned int kmalloc_index(size_t size)
{
	if (size <= 192)
		return size_index[(size - 1) / 8];
	return (unsigned int)fls_long(size - 1);
}

/* The cache for size bytes with flags; NULL above KMALLOC_MAX_SIZE. */
struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags)
{
	if (unlikely(size > KMALLOC_MAX_SIZE)) {
		WARN_ON_ONCE(!(flags & __GFP_NOWARN));
		return NULL;
	}
	if (!size)
		return NULL;
	return kmalloc_caches[(flags & GFP_DMA) ? KMALLOC_DMA : KMALLOC_NORMAL]
			     [kmalloc_index(size)];
}

/* v4.19's ARCH_KMALLOC_MINALIGN on x86: a 64-bit integer's alignment. */
#define ARCH_KMALLOC_MINALIGN	__alignof__(unsigned long long)

/*
 * v4.19's kmem_cache_init() makes the kmalloc cache of struct
 * kmem_cache_node (120 bytes on x86_64: kmalloc-128) before the others.
 * The model keeps its nodes elsewhere, but the order shows in slabinfo.
 */
#define INDEX_NODE		7

/*
 * The flags of every kmalloc cache: ARCH_KMALLOC_FLAGS, SLAB_HWCACHE_ALIGN
 * on x86.  Not under slab_debug: v4.19 takes red zones and owner tracking
 * from any cache aligned to more than 8 bytes, which would leave kmalloc
 * without them.  The kernel's own note on ARCH_KMALLOC_MINALIGN says what
 * is meant: "the kmalloc caches are cache_line_size() aligned, except when
 * DEBUG and FORCED_DEBUG are enabled, then they are BYTES_PER_WORD
 * aligned"; slab_debug is the model's FORCED_DEBUG.
 */
static slab_flags_t kmalloc_cache_flags(void)
{
	return slab_debug ? 0 : SLAB_HWCACHE_ALIGN;
}

static int new_kmalloc_cache(int type, unsigned int idx)
{
	slab_flags_t flags = SLAB_KMALLOC | kmalloc_cache_flags();
	struct kmem_cache *s;
	char name[32];

	if (type == KMALLOC_DMA)
		flags |= SLAB_CACHE_DMA;
	snprintf(name, sizeof(name), "%s%s", type == KMALLOC_DMA ? "dma-" : "",
		 kmalloc_info[idx].name);
	s = __kmem_cache_create(name, kmalloc_info[idx].size, ARCH_KMALLOC_MINALIGN,
				flags, NULL);
	if (!s) {
		pr_err("kmem_cache_init: cannot create %s\n", name);
		return -ENOMEM;
	}
	/* at the head of slab_caches: /proc/slabinfo lists the newest first */
	cds_list_add(&s->list, &slab_caches);
	kmalloc_caches[type][idx] = s;
	return 0;
}

/* Boot, no CPU running: the caches in v4.19's order. */
int kmalloc_init(void)
{
	struct kmem_cache **normal = kmalloc_caches[KMALLOC_NORMAL];
	int ret;

	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	ret = new_kmalloc_cache(KMALLOC_NORMAL, INDEX_NODE);
	/* create_kmalloc_caches(): by size, smaller first (a bigger one may
	 * keep its freelists in them), kmalloc-96 right after kmalloc-64 and
	 * kmalloc-192 right after kmalloc-128 */
	for (unsigned int i = KMALLOC_SHIFT_LOW; !ret && i <= KMALLOC_SHIFT_HIGH; i++) {
		if (!normal[i])
			ret = new_kmalloc_cache(KMALLOC_NORMAL, i);
		if (!ret && KMALLOC_MIN_SIZE <= 32 && i == 6 && !normal[1])
			ret = new_kmalloc_cache(KMALLOC_NORMAL, 1);
		if (!ret && KMALLOC_MIN_SIZE <= 64 && i == 7 && !normal[2])
			ret = new_kmalloc_cache(KMALLOC_NORMAL, 2);
	}
	/* then a dma- twin of each, by index: 96 and 192 (1 and 2) first */
	for (unsigned int i = 0; !ret && i <= KMALLOC_SHIFT_HIGH; i++)
		if (normal[i])
			ret = new_kmalloc_cache(KMALLOC_DMA, i);
	return ret;
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
 * from 256 and one byte more lands in a cache whose objects are at least
 * that big and at least its class's size.
 */
void kmalloc_check_classes(struct check_log *log)
{
	for (int type = 0; type < NR_KMALLOC_TYPES; type++) {
		for (unsigned int idx = 0; idx <= KMALLOC_SHIFT_HIGH; idx++) {
			struct kmem_cache *s = kmalloc_caches[type][idx];

			if (s && s->object_size < kmalloc_info[idx].size)
				kmalloc_violation(log, "kmalloc class %u (%s): %s has objects of %u bytes",
						  idx, kmalloc_info[idx].name, s->name,
						  s->object_size);
		}
		for (size_t size = 8; size <= KMALLOC_MAX_SIZE;
		     size = size < 192 ? size + 8 : size < 256 ? 256 :
			    size & (size - 1) ? (size - 1) * 2 : size + 1) {
			unsigned int idx = kmalloc_index(size);
			struct kmem_cache *s = idx <= KMALLOC_SHIFT_HIGH ?
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

static __always_inline void *__do_kmalloc(size_t size, gfp_t flags, const void *caller)
{
	struct kmem_cache *cachep;

	/* one compare for both 0 and > KMALLOC_MAX_SIZE */
	if (unlikely(size - 1 >= KMALLOC_MAX_SIZE))
		return kmalloc_odd_size(size, flags);
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

	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	cachep = kmalloc_slab(size, flags);
	if (unlikely(!cachep))
		return NULL;
	return __kmem_cache_alloc_node(cachep, flags, node, __builtin_return_address(0));
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
	struct kmem_cache *cachep;

	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return 0;
	cachep = virt_to_cache(objp);
	if (unlikely(!cachep)) {
		WARN(1, "ksize(%p): not an object of any slab cache\n", objp);
		return 0;
	}
	return cachep->object_size;
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
	if (ks >= new_size)
		return (void *)p;
	ret = __do_kmalloc(new_size, flags, __builtin_return_address(0));
	if (ret && !ZERO_OR_NULL_PTR(p)) {
		memcpy(ret, p, ks);
		kfree(p);
	}
	return ret;
}

/* kfree_rcu(): the callback finds the object that holds the rcu_head. */
static void kfree_rcu_callback(struct rcu_head *head)
{
	struct page *page = virt_to_slab(head);
	struct kmem_cache *cachep;
	unsigned int idx;

	if (WARN(!page, "kfree_rcu: rcu_head %p is not inside a slab object\n", head))
		return;
	cachep = page->slab_cache;
	idx = obj_to_index(cachep, page, head);
	kfree((char *)index_to_obj(cachep, page, idx) + cachep->obj_offset);
}

void __kfree_rcu(struct rcu_head *head)
{
	call_rcu(head, kfree_rcu_callback);
}

/* ------------------------------------------------------------------ */
/* /proc/slabinfo                                                      */

int slabinfo_show(FILE *out)
{
	struct kmem_cache *cachep;

	if (might_sleep())
		return -EINVAL;
	fprintf(out, "slabinfo - version: 2.1\n");
	fprintf(out, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		" : tunables <limit> <batchcount> <sharedfactor>"
		" : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	mutex_lock(&slab_mutex);
	cds_list_for_each_entry(cachep, &slab_caches, list) {
		unsigned long total_slabs = 0, free_slabs = 0, free_objs = 0, shared_avail = 0;
		unsigned long num_objs, active_objs, active_slabs;

		for (unsigned int node = 0; node < num_online_nodes(); node++) {
			struct kmem_cache_node *n = get_node(cachep, (int)node);
			unsigned long irqflags;

			spin_lock_irqsave(&n->list_lock, irqflags);
			total_slabs += n->total_slabs;
			free_slabs += n->free_slabs;
			free_objs += n->free_objects;
			if (n->shared)
				shared_avail += n->shared->avail;
			spin_unlock_irqrestore(&n->list_lock, irqflags);
		}
		num_objs = total_slabs * cachep->num;
		active_slabs = total_slabs - free_slabs;
		active_objs = num_objs - free_objs;
		fprintf(out, "%-17s %6lu %6lu %6u %4u %4d", cachep->name, active_objs,
			num_objs, cachep->size, cachep->num, 1 << cachep->gfporder);
		fprintf(out, " : tunables %4u %4u %4u", cachep->limit, cachep->batchcount,
			cachep->shared);
		fprintf(out, " : slabdata %6lu %6lu %6lu", active_slabs, total_slabs,
			shared_avail);
		fputc('\n', out);
	}
	mutex_unlock(&slab_mutex);
	return 0;
}

void kmem_cache_stats(struct kmem_cache *cachep, struct kmem_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->object_size = cachep->object_size;
	st->size = cachep->size;
	st->align = cachep->align;
	st->num = cachep->num;
	st->gfporder = cachep->gfporder;
	st->nr_pages = __atomic_load_n(&cachep->nr_pages, __ATOMIC_RELAXED);
	st->reaped = __atomic_load_n(&cachep->reaped, __ATOMIC_RELAXED);
	st->rcu_slabs = __atomic_load_n(&cachep->rcu_slabs, __ATOMIC_RELAXED);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		st->alien_frees += READ_ONCE(cachep->stats[cpu].alien_frees);
}
