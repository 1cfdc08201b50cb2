/* SPDX-License-Identifier: MIT */
/*
 * mm/pcp.h - the per-CPU lists' fast paths, inline for page_alloc.c's
 * alloc_pages() and __free_pages(): pcp_alloc_fast() and pcp_free_fast()
 * on this CPU's fast table and its list push and pop.  With mm/pcp.c
 * (the correctness argument, refill and drain, the sysctl) this is every
 * place a per-CPU list is touched.
 */
#ifndef MM_PCP_H
#define MM_PCP_H

#include "internal.h"
#include "../numa/fault_inject.h"

/*
 * This CPU's table for the order-0 fast paths (current->pcp_percpu): for
 * each gfp zone combination, the first zone of the CPU's node's FALLBACK
 * zonelist that it may use and this CPU's pageset of that zone.  Written
 * at boot, read-only after; NULL zone: an invalid combination.
 */
struct pcp_fast {
	struct {
		struct zone *zone;
		struct per_cpu_pageset *pset;
	} fast[GFP_ZONEMASK + 1];
} ____cacheline_aligned;

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

/*
 * The order-0 fast path: what get_page_from_freelist() does for the first
 * zone of the local zonelist (the LOW watermark, no reserves; that zone is
 * its own class zone, so no lowmem_reserve applies) when this CPU's hot
 * list has a page, without the layers and without a call.  Everything
 * else goes to the general path, which decides by the same rules: a zone
 * below LOW, an empty list to refill, __GFP_COLD or __GFP_ZERO, an invalid
 * or unknown bit, a sleeping allocation in atomic context, interrupts off,
 * and __GFP_THISNODE (the first zone of the FALLBACK zonelist may be
 * another node's when the local node lacks the zone type: the general
 * path walks the NOFALLBACK zonelist instead).
 * The list is this CPU's: interrupts go off (a plain store) around the pop.
 */
#define GFP_FAST_EXCLUDE	(__GFP_ZERO | __GFP_COLD | __GFP_THISNODE | ~__GFP_BITS_MASK)

static __always_inline struct page *pcp_alloc_fast(gfp_t gfp_mask)
{
	struct task_struct *tsk = current;
	struct pcp_fast *mc = tsk->pcp_percpu;
	struct per_cpu_pageset *pset;
	struct zone *zone;
	struct page *page;

	if (unlikely(!mc || (gfp_mask & GFP_FAST_EXCLUDE) || tsk->irqs_disabled) ||
	    unlikely(fault_inject_active()))
		return NULL;
	if ((gfp_mask & __GFP_DIRECT_RECLAIM) && unlikely(tsk->preempt_count))
		return NULL;
	zone = mc->fast[gfp_mask & GFP_ZONEMASK].zone;
	if (unlikely(!zone) ||
	    unlikely(READ_ONCE(zone->vm_stat[NR_FREE_PAGES]) <= (long)low_wmark_pages(zone)))
		return NULL;
	pset = mc->fast[gfp_mask & GFP_ZONEMASK].pset;

	WRITE_ONCE(tsk->irqs_disabled, 1);
	barrier();
	page = __pcp_pop(&pset->pcp[0]);
	if (likely(page))
		WRITE_ONCE(pset->stat.fast_allocs, pset->stat.fast_allocs + 1);
	barrier();
	WRITE_ONCE(tsk->irqs_disabled, 0);
	barrier();
	if (unlikely(!page))
		return NULL;
#ifdef MMSIM_DEBUG
	if (check_new_page(page)) {
		/* reported; kept out of circulation (counted allocated) */
		if (READ_ONCE(tsk->ipi_pending))
			ipi_run_pending(NULL);
		return NULL;
	}
#endif
	page->private = 0;
	page->alloc_order = 0;
	page->alloc_cpu = tsk->cpu;
	set_page_count(page, 1);
	tsk->fp_pages++;
	if (unlikely(READ_ONCE(tsk->ipi_pending)))
		return ipi_run_pending(page);
	return page;
}

/*
 * The order-0 fast path of a free: the last reference of a clean page goes
 * onto this CPU's hot list, without a call, unless the list reaches high.
 * Anything else (a bad pointer, another reference, a page in a bad state,
 * a drain due, interrupts off) is left to the general path, which checks,
 * reports and refuses; the fast path undoes what it did before leaving.
 */
static __always_inline int pcp_free_fast(struct page *page)
{
	unsigned long off = (unsigned long)((char *)page - (char *)__mm_layout.mem_map);
	unsigned long pfn = off / sizeof(struct page);
	struct task_struct *tsk = current;
	struct per_cpu_pageset *pset;
	struct per_cpu_pages *pcp;
	int one = 1, cpu = tsk->cpu;
	struct zone *zone;

	/* a frame of the memmap: below min_pfn the block table has no zone */
	if (unlikely(!tsk->pcp_percpu || tsk->irqs_disabled || off % sizeof(struct page) ||
		     pfn >= __mm_layout.max_pfn))
		return 0;
	zone = zone_of_block[pfn >> BLOCK_SHIFT];
	if (unlikely(!zone))
		return 0;
	/* Release/acquire: as put_page_testzero_checked() */
	if (unlikely(!__atomic_compare_exchange_n(&page->_refcount, &one, 0, 0,
						  __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)))
		return 0;
	pset = &zone->pageset[cpu];
	pcp = &pset->pcp[0];
	if (unlikely(page->alloc_order | page->_mapcount || page->mapping ||
		     READ_ONCE(page->flags) ||
		     READ_ONCE(pcp->count) + 1 >= READ_ONCE(pcp->high))) {
		set_page_count(page, 1);	/* the general path takes it from here */
		return 0;
	}
	WRITE_ONCE(tsk->irqs_disabled, 1);
	barrier();
	__pcp_push(pcp, page);
	WRITE_ONCE(pset->stat.frees, pset->stat.frees + 1);
	if (unlikely(page->alloc_cpu != cpu))
		WRITE_ONCE(pset->stat.remote_frees, pset->stat.remote_frees + 1);
	barrier();
	WRITE_ONCE(tsk->irqs_disabled, 0);
	barrier();
	tsk->fp_pages--;
	if (unlikely(READ_ONCE(tsk->ipi_pending)))
		ipi_run_pending(NULL);
	return 1;
}

/* The general path's halves (pcp.c): they refill and drain as needed. */
struct page *pcp_alloc(struct zone *preferred_zone, struct zone *zone, int cold,
		       unsigned int cpu);
void pcp_free(struct page *page, struct zone *zone, int cold, unsigned int cpu);

#endif /* MM_PCP_H */
