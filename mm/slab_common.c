// SPDX-License-Identifier: MIT
/*
 * mm/slab_common.c - kmalloc on SLAB's general caches, kfree_rcu, and
 * /proc/slabinfo.
 *
 *   kmalloc_caches[type][index]	index = log2 of the class (3..22), with
 *				1 = kmalloc-96 and 2 = kmalloc-192; type normal
 *				or DMA.  Made at boot, read-only after.
 *   size_index[]		sizes 1..192 by 8-byte step -> index: the
 *				size-to-class lookup is a table, not a loop.
 *
 * kmalloc() and kfree() inline SLAB's fast paths (mm/slab.c): the class
 * from the table, the object from the CPU's array; kfree() finds the cache
 * from the object's slab page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include "slab.h"

enum kmalloc_cache_type { KMALLOC_NORMAL, KMALLOC_DMA, NR_KMALLOC_TYPES };

static struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];

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

/* (size - 1) / 8 for sizes 1..192 -> index (v4.19's table). */
static const unsigned char size_index[24] = {
	3,	/* 8 */
	4,	/* 16 */
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

int kmalloc_init(void)
{
	static const char *const prefix[NR_KMALLOC_TYPES] = { "", "dma-" };

	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	for (int type = 0; type < NR_KMALLOC_TYPES; type++) {
		/* small classes first: bigger ones may keep freelists in them */
		for (unsigned int i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++) {
			unsigned int order[] = { i, i == 6 ? 1 : i == 7 ? 2 : 0 };

			for (unsigned int k = 0; k < 2; k++) {
				unsigned int idx = order[k];
				slab_flags_t flags = SLAB_KMALLOC;
				struct kmem_cache *s;
				char name[32];

				if (!idx)
					continue;
				if (type == KMALLOC_DMA)
					flags |= SLAB_CACHE_DMA;
				snprintf(name, sizeof(name), "%s%s", prefix[type],
					 kmalloc_info[idx].name);
				s = __kmem_cache_create(name, kmalloc_info[idx].size,
							sizeof(unsigned long long), flags, NULL);
				if (!s) {
					pr_err("kmem_cache_init: cannot create %s\n", name);
					return -ENOMEM;
				}
				/* newest first, as /proc/slabinfo lists them */
				cds_list_add(&s->list, &slab_caches);
				kmalloc_caches[type][idx] = s;
			}
		}
	}
	return 0;
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
