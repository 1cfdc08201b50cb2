/* SPDX-License-Identifier: MIT */
/*
 * mm/pcp.h - what the order-0 fast paths of page_alloc.c share with
 * mm/pcp.c (which holds the argument, refill and drain, the sysctl): the
 * per-CPU fast table and the list push and pop, so that there is one
 * implementation of each.
 */
#ifndef MM_PCP_H
#define MM_PCP_H

#include "internal.h"

/*
 * This CPU's table for the order-0 fast paths (current->mm_percpu): for
 * each gfp zone combination, the first zone of the CPU's node's FALLBACK
 * zonelist that it may use and this CPU's pageset of that zone.  Written
 * at boot, read-only after; NULL zone: an invalid combination.
 */
struct mm_cpu {
	struct {
		struct zone *zone;
		struct per_cpu_pageset *pset;
	} fast[GFP_ZONEMASK + 1];
	/* SLAB's free fast path (kmem_cache_init()): the lowmem of the CPU's
	 * node, as the direct-map address and struct page of its first frame
	 * and its number of frames. */
	char *slab_node_base;
	struct page *slab_node_map;
	unsigned long slab_node_nr;
} ____cacheline_aligned;

/* CPU cpu's table (read-only while booted). */
struct mm_cpu *mm_cpu_table(unsigned int cpu);

/* The list primitives: the list's CPU, interrupts disabled. */
static __always_inline struct page *__pcp_pop(struct per_cpu_pages *pcp)
{
	struct cds_list_head *first = pcp->list.next;

	if (unlikely(first == &pcp->list))
		return NULL;
	cds_list_del(first);
	WRITE_ONCE(pcp->count, pcp->count - 1);
	return container_of(first, struct page, lru);
}

static __always_inline int __pcp_push(struct per_cpu_pages *pcp, struct page *page)
{
	int count = pcp->count + 1;

	cds_list_add(&page->lru, &pcp->list);
	WRITE_ONCE(pcp->count, count);
	return count;
}

/* The general path's halves (pcp.c): they refill and drain as needed. */
struct page *pcp_alloc(struct zone *preferred_zone, struct zone *zone, int cold,
		       unsigned int cpu);
void pcp_free(struct page *page, struct zone *zone, int cold, unsigned int cpu);

#endif /* MM_PCP_H */
