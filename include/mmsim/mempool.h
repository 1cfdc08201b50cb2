/* SPDX-License-Identifier: MIT */
/*
 * mmsim/mempool.h - memory pools (Linux v4.19 include/linux/mempool.h).
 *
 * A pool keeps min_nr elements in reserve so that its owner's allocations
 * on a path that must make progress always end up with one: mempool_alloc()
 * tries the backing allocator first, takes a reserved element when that
 * fails, and with a sleeping gfp mask waits for mempool_free() to bring one
 * back (so a GFP_KERNEL mempool_alloc() never returns NULL).
 *
 * The public fields are the kernel's.  Who touches what: lock (irq-safe)
 * protects curr_nr, min_nr and elements[]; curr_nr and min_nr are also read
 * without it (READ_ONCE) by mempool_free()'s first check; pool_data, alloc and free are
 * read-only after creation; wait is the wait queue of callers that sleep
 * for an element.  stats are the model's own counters (atomic, relaxed);
 * refills numbers the elements mempool_free() puts back in the reserve,
 * for the lost wake-up check of the sleepers (mm/mempool.c).
 */
#ifndef MMSIM_MEMPOOL_H
#define MMSIM_MEMPOOL_H

#include <stddef.h>
#include <mmsim/gfp.h>
#include <mmsim/spinlock_types.h>
#include <mmsim/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmem_cache;

typedef void *(mempool_alloc_t)(gfp_t gfp_mask, void *pool_data);
typedef void (mempool_free_t)(void *element, void *pool_data);

/* What a pool did (not in the kernel): all atomic, relaxed. */
struct mempool_stats {
	unsigned long alloc_backing;	/* mempool_alloc() returns from the backing
					   allocator (not create/resize fills) */
	unsigned long alloc_pool;	/* elements from the reserve */
	unsigned long alloc_failed;	/* NULL returned (callers that cannot sleep) */
	unsigned long frees_to_pool;	/* mempool_free() refilling the reserve */
	unsigned long waits;		/* sleeps on pool->wait */
	unsigned long wakeups;		/* sleeps ended by a wake_up() */
	unsigned long timeouts;		/* sleeps ended by the 5*HZ timeout */
	unsigned long long longest_wait_ns;
	long outstanding;		/* handed out and not yet freed */
	unsigned long lost_wakeups;	/* sleeps that timed out while elements
					   went back to the reserve, with no
					   wake-up reaching them (reported) */
};

typedef struct mempool_s {
	spinlock_t lock;
	int min_nr;			/* nr of elements at *elements */
	int curr_nr;			/* Current nr of elements at *elements */
	void **elements;

	void *pool_data;
	mempool_alloc_t *alloc;
	mempool_free_t *free;
	wait_queue_head_t wait;

	struct mempool_stats stats;
	struct wake_seq refills;	/* (not in the kernel) mempool_free()'s
					   refills of the reserve: tickets under
					   lock, done after their wake_up() */
} mempool_t;

mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn,
			  mempool_free_t *free_fn, void *pool_data);
mempool_t *mempool_create_node(int min_nr, mempool_alloc_t *alloc_fn,
			       mempool_free_t *free_fn, void *pool_data,
			       gfp_t gfp_mask, int nid);
int mempool_resize(mempool_t *pool, int new_min_nr);
void mempool_destroy(mempool_t *pool);
void *mempool_alloc(mempool_t *pool, gfp_t gfp_mask);
void mempool_free(void *element, mempool_t *pool);

/* A pool of slab objects (the cache must have no constructor). */
void *mempool_alloc_slab(gfp_t gfp_mask, void *pool_data);
void mempool_free_slab(void *element, void *pool_data);
mempool_t *mempool_create_slab_pool(int min_nr, struct kmem_cache *kc);

/* A pool of kmalloc'ed elements of one size. */
void *mempool_kmalloc(gfp_t gfp_mask, void *pool_data);
void mempool_kfree(void *element, void *pool_data);
static inline mempool_t *mempool_create_kmalloc_pool(int min_nr, size_t size)
{
	return mempool_create(min_nr, mempool_kmalloc, mempool_kfree, (void *)size);
}

/* A pool of pages of one order (elements are struct page pointers). */
void *mempool_alloc_pages(gfp_t gfp_mask, void *pool_data);
void mempool_free_pages(void *element, void *pool_data);
static inline mempool_t *mempool_create_page_pool(int min_nr, int order)
{
	return mempool_create(min_nr, mempool_alloc_pages, mempool_free_pages,
			      (void *)(long)order);
}

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_MEMPOOL_H */
