// SPDX-License-Identifier: MIT
/*
 * mm/page_alloc.c - the zoned buddy allocator (Linux v4.19 semantics).
 *
 * Map:
 *   gfp_zone()			gfp zone bits -> highest usable zone (a table)
 *   build_all_zonelists()	per node: FALLBACK (nodes by distance, each
 *				node's zones high to low) and NOFALLBACK
 *   __free_one_page()		merge with free buddies (pfn ^ 1 << order),
 *				tail placement if the next-higher buddy is free
 *   __rmqueue_smallest()/expand() smallest block that fits; the caller
 *				keeps the lowest piece, upper halves go back
 *   __zone_watermark_ok()	free - (2^order - 1) > min + lowmem_reserve,
 *				min lowered by __GFP_HIGH (1/2), ALLOC_HARDER (1/4)
 *   __alloc_pages_nodemask()	fast path at LOW, then the slow path
 *				(page_alloc_slow.c: kswapd, MIN, the reserves,
 *				reclaim, the OOM killer)
 *   __free_pages() / put_page()	refcount, checks, back to the buddy lists
 *
 * Locking: zone->lock protects free_area[] and the PG_buddy/private state of
 * every free block of the zone.  Watermarks and reserves are read unlocked
 * (READ_ONCE) as in Linux, so concurrent allocations may overshoot a
 * watermark by what is in flight; the check itself is exact.  A frame not
 * on a free list belongs to whoever allocated it.
 *
 * Misuse is reported (bad_page(), WARN) and refused: a refused free leaves
 * the page allocated to its owner, so every list and counter stays exact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "pcp.h"
#include "reclaim.h"
#include "../numa/fault_inject.h"
#include <mmsim/highmem.h>
#include <mmsim/jitter.h>

/* gfp zone bits (DMA, HIGHMEM, DMA32, MOVABLE) -> zone index, -1 invalid. */
static signed char gfp_zone_table[16];

void build_gfp_zone_table(void)
{
	int dma32 = machine.arch == ARCH_X86_64 ? ZONE_DMA32 : ZONE_NORMAL;
	int high = machine.arch == ARCH_X86_32 ? ZONE_HIGHMEM : ZONE_NORMAL;

	for (unsigned int bits = 0; bits < 16; bits++) {
		int dma = !!(bits & ___GFP_DMA), hi = !!(bits & ___GFP_HIGHMEM);
		int d32 = !!(bits & ___GFP_DMA32), mov = !!(bits & ___GFP_MOVABLE);
		int z;

		if (dma + hi + d32 > 1)
			z = -1;
		else if (dma)
			z = ZONE_DMA;
		else if (d32)
			z = dma32;
		else if (hi)
			z = mov ? ZONE_MOVABLE : high;
		else
			z = ZONE_NORMAL;
		gfp_zone_table[bits] = (signed char)z;
	}
}

int gfp_zone(gfp_t flags)
{
	return gfp_zone_table[flags & GFP_ZONEMASK];
}

struct zone *page_zone(const struct page *page)
{
	return __page_zone(page);
}

int page_to_nid(const struct page *page)
{
	return __page_zone(page)->node;
}

enum zone_type page_zonenum(const struct page *page)
{
	return zone_idx(__page_zone(page));
}

/* ------------------------------------------------------------------ */
/* The buddy lists                                                     */

static inline unsigned long __find_buddy_pfn(unsigned long pfn, unsigned int order)
{
	return pfn ^ (1UL << order);
}

/* A buddy can merge if it heads a free block of the same order and zone. */
static inline int page_is_buddy(struct page *buddy, unsigned int order,
				struct zone *zone)
{
	return PageBuddy(buddy) && page_order(buddy) == order &&
	       __page_zone(buddy) == zone;
}

static inline void add_to_free_area(struct page *page, struct zone *zone,
				    unsigned int order, int tail)
{
	struct free_area *area = &zone->free_area[order];

	if (tail)
		cds_list_add_tail(&page->lru, &area->free_list);
	else
		cds_list_add(&page->lru, &area->free_list);
	WRITE_ONCE(area->nr_free, area->nr_free + 1);
}

static inline void del_from_free_area(struct page *page, struct zone *zone,
				      unsigned int order)
{
	struct free_area *area = &zone->free_area[order];

	cds_list_del(&page->lru);
	rmv_page_order(page);
	WRITE_ONCE(area->nr_free, area->nr_free - 1);
}

void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order)
{
	unsigned long buddy_pfn, combined_pfn;
	struct page *buddy;
	int tail = 0;

	lockdep_assert_held(&zone->lock);
	while (order < MAX_ORDER - 1) {
		buddy_pfn = __find_buddy_pfn(pfn, order);
		buddy = pfn_to_page(buddy_pfn);
		if (!page_is_buddy(buddy, order, zone))
			break;
		del_from_free_area(buddy, zone, order);
		combined_pfn = buddy_pfn & pfn;
		page = pfn_to_page(combined_pfn);
		pfn = combined_pfn;
		order++;
	}
	set_page_order(page, order);

	/*
	 * If the next-higher buddy is free, this block may soon merge with
	 * it: put it at the tail so that allocations take other blocks first.
	 * At MAX_ORDER-2 and above the merged block could not merge further.
	 */
	if (order < MAX_ORDER - 2) {
		/* the order+1 block holding this one, and that block's buddy */
		combined_pfn = pfn & ~(1UL << order);
		buddy_pfn = __find_buddy_pfn(combined_pfn, order + 1);
		tail = page_is_buddy(pfn_to_page(buddy_pfn), order + 1, zone);
	}
	add_to_free_area(page, zone, order, tail);
}

/* Split a block of order high down to order low; keep the lowest piece. */
static inline void expand(struct zone *zone, struct page *page,
			  unsigned int low, unsigned int high)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		set_page_order(&page[size], high);
		add_to_free_area(&page[size], zone, high, 0);
	}
}

struct page *__rmqueue_smallest(struct zone *zone, unsigned int order)
{
	lockdep_assert_held(&zone->lock);
	for (unsigned int o = order; o < MAX_ORDER; o++) {
		struct free_area *area = &zone->free_area[o];
		struct page *page;

		if (cds_list_empty(&area->free_list))
			continue;
		page = cds_list_first_entry(&area->free_list, struct page, lru);
		del_from_free_area(page, zone, o);
		expand(zone, page, order, o);
		return page;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Watermarks                                                          */

int __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			int classzone_idx, unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	free_pages -= (1L << order) - 1;
	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & (ALLOC_HARDER | ALLOC_OOM)) {
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
		else
			min -= min / 4;
	}
	if (free_pages <= min + READ_ONCE(z->lowmem_reserve[classzone_idx]))
		return 0;
	if (!order)
		return 1;
	/* A high-order request also needs a free block at least that big. */
	for (unsigned int o = order; o < MAX_ORDER; o++)
		if (READ_ONCE(z->free_area[o].nr_free))
			return 1;
	return 0;
}

int zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		      int classzone_idx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, classzone_idx, alloc_flags,
				   (long)zone_page_state(z, NR_FREE_PAGES));
}

unsigned int gfp_to_alloc_flags(gfp_t gfp_mask)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	BUILD_BUG_ON(__GFP_HIGH != ALLOC_HIGH);
	alloc_flags |= gfp_mask & __GFP_HIGH;
	if (gfp_mask & __GFP_ATOMIC) {
		if (!(gfp_mask & __GFP_NOMEMALLOC))
			alloc_flags |= ALLOC_HARDER;
		alloc_flags &= ~ALLOC_CPUSET;
	}
	return alloc_flags;
}

unsigned int __gfp_pfmemalloc_flags(gfp_t gfp_mask)
{
	if (unlikely(gfp_mask & __GFP_NOMEMALLOC))
		return 0;
	if (gfp_mask & __GFP_MEMALLOC)
		return ALLOC_NO_WATERMARKS;
	if (!in_interrupt()) {
		if (current->flags & PF_MEMALLOC)
			return ALLOC_NO_WATERMARKS;
		/* an OOM victim exits faster with some of the reserves */
		if (unlikely(current->mm) && tsk_is_oom_victim())
			return ALLOC_OOM;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Handing pages out                                                   */

static struct page *rmqueue(struct zone *preferred_zone, struct zone *zone,
			    unsigned int order, gfp_t gfp_flags)
{
	struct page *page;
	unsigned long flags;

	if (likely(order == 0))
		return rmqueue_pcplist(preferred_zone, zone, gfp_flags);

	/* Both sides of the conservation law change with interrupts off, so
	 * that stop_machine() (an IPI) never sees a page in neither; and the
	 * per-CPU event counters too, so that no IPI loses an update. */
	local_irq_save(flags);
	spin_lock(&zone->lock);
	page = __rmqueue_smallest(zone, order);
	jitter_point();		/* inside zone->lock: a few us at most */
	if (page) {
		__mod_zone_freepage_state(zone, -(1L << order));
		__mod_zone_alloc_pages(zone, 1L << order);
	}
	spin_unlock(&zone->lock);
	if (page) {
		__count_zid_vm_events(PGALLOC, zone_idx(zone), 1L << order);
		zone_statistics(preferred_zone, zone);
	}
	local_irq_restore(flags);
	return page;
}

/* A frame leaving the free lists must be clean; a dirty one is corruption. */
int check_new_page(struct page *page)
{
	const char *reason = NULL;

	if (unlikely(page->_mapcount))
		reason = "nonzero mapcount";
	if (unlikely(page->mapping))
		reason = "non-NULL mapping";
	if (unlikely(page_ref_count(page)))
		reason = "nonzero _count";
	if (unlikely(READ_ONCE(page->flags) & PAGE_FLAGS_CHECK_AT_PREP))
		reason = "PAGE_FLAGS_CHECK_AT_PREP flag set";
	if (likely(!reason))
		return 0;
	bad_page(page, reason);
	return 1;
}

static int check_new_pages(struct page *page, unsigned int order)
{
#ifdef MMSIM_DEBUG
	for (unsigned long i = 0; i < (1UL << order); i++)
		if (check_new_page(page + i))
			return 1;
	return 0;
#else
	(void)order;
	return check_new_page(page);
#endif
}

/* 0, or -ENOMEM if a highmem block could not be mapped to be cleared. */
static int clear_pages(struct page *page, unsigned int order)
{
	size_t len = PAGE_SIZE << order;
	void *addr;

	/* (not page_address(): a kmapped highmem page has one, one page long) */
	if (!PageHighMem(page)) {
		memset(lowmem_page_address(page), 0, len);
		return 0;
	}
	/* Highmem: no direct-map address; each page through a kmap_atomic()
	 * slot, as the kernel's clear_highpage() */
	for (unsigned long i = 0; i < (1UL << order); i++) {
		addr = kmap_atomic(page + i);
		if (!addr)
			return -ENOMEM;
		memset(addr, 0, PAGE_SIZE);
		kunmap_atomic(addr);
	}
	return 0;
}

static void prep_compound_page(struct page *page, unsigned int order)
{
	__SetPageHead(page);
	for (unsigned long i = 1; i < (1UL << order); i++)
		WRITE_ONCE(page[i].lru.next, (struct cds_list_head *)((unsigned long)page | 1));
}

/*
 * The block is the caller's: 0.  -ENOMEM: __GFP_ZERO asked for and the
 * (highmem) block could not be cleared; it is then freed again, never
 * handed out with another user's data.
 */
static int prep_new_page(struct page *page, unsigned int order, gfp_t gfp_flags)
{
	page_debug_alloc(page, order);
	page->private = 0;
	page->alloc_order = (int)order;
	page->alloc_cpu = raw_smp_processor_id();
	set_page_count(page, 1);
	if (unlikely(gfp_flags & __GFP_ZERO) && unlikely(clear_pages(page, order))) {
		__free_pages(page, order);
		return -ENOMEM;
	}
	if (order && (gfp_flags & __GFP_COMP))
		prep_compound_page(page, order);
	return 0;
}

struct page *get_page_from_freelist(gfp_t gfp_mask, unsigned int order,
					   unsigned int alloc_flags,
					   const struct alloc_context *ac)
{
	int classzone_idx = ac->preferred_zoneref->zone_idx;
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->high_zoneidx,
					ac->nodemask) {
		struct page *page;

		if (!(alloc_flags & ALLOC_NO_WATERMARKS)) {
			unsigned long mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);

			if (!zone_watermark_ok(zone, order, mark, classzone_idx, alloc_flags))
				continue;
		}
		do {
			page = rmqueue(ac->preferred_zoneref->zone, zone, order, gfp_mask);
		} while (page && order && check_new_pages(page, order));
		/* (a block that could not be cleared: the next zone) */
		if (page && !prep_new_page(page, order, gfp_mask))
			return page;
	}
	return NULL;
}

static int prepare_alloc_pages(gfp_t gfp_mask, unsigned int order,
			       int preferred_nid, nodemask_t *nodemask,
			       struct alloc_context *ac)
{
	int zidx;

	if (unlikely(gfp_mask & ~__GFP_BITS_MASK)) {
		WARN(1, "page allocation with unknown gfp bits %#x\n",
		     gfp_mask & ~__GFP_BITS_MASK);
		return 0;
	}
	zidx = gfp_zone(gfp_mask);
	if (unlikely(zidx < 0)) {
		char buf[256];

		format_gfp(buf, sizeof(buf), gfp_mask);
		WARN(1, "gfp_zone: invalid zone modifiers, mode:%#x(%s), order:%u\n",
		     gfp_mask, buf, order);
		return 0;
	}
	if (unlikely(preferred_nid < 0 || preferred_nid >= (int)machine.nr_nodes)) {
		WARN(1, "page allocation on node %d: the machine has %u node%s\n",
		     preferred_nid, machine.nr_nodes, str_plural(machine.nr_nodes));
		return 0;
	}
	if (unlikely(gfpflags_allow_blocking(gfp_mask) && might_sleep()))
		return 0;	/* reported: a sleeping allocation in atomic context */

	ac->high_zoneidx = (enum zone_type)zidx;
	ac->nodemask = nodemask;
	ac->preferred_nid = preferred_nid;
	ac->zonelist = &NODE_DATA(preferred_nid)->node_zonelists[
		(gfp_mask & __GFP_THISNODE) ? ZONELIST_NOFALLBACK : ZONELIST_FALLBACK];
	ac->preferred_zoneref = next_zones_zonelist(ac->zonelist->_zonerefs,
						    ac->high_zoneidx, nodemask);
	/* the fault site: an injected failure is silent (no warn_alloc()) */
	if (unlikely(fault_inject_active()) && should_fail_alloc_page(gfp_mask, order))
		return 0;
	return 1;
}

struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order,
				    int preferred_nid, nodemask_t *nodemask)
{
	struct alloc_context ac;
	struct page *page;

	if (unlikely(!caller_is_cpu(__func__)))
		return NULL;
	if (unlikely(order >= MAX_ORDER)) {
		WARN(!(gfp_mask & __GFP_NOWARN),
		     "page allocation of order %u: MAX_ORDER is %d\n", order, MAX_ORDER);
		return NULL;
	}
	if (unlikely(!prepare_alloc_pages(gfp_mask, order, preferred_nid, nodemask, &ac)))
		return NULL;
	if (unlikely(!ac.preferred_zoneref->zone)) {
		/* no zone of this type on the allowed nodes (e.g. GFP_DMA above 16M) */
		warn_alloc(gfp_mask, nodemask, "page allocation failure: order:%u", order);
		return NULL;
	}

	/* Fast path: the LOW watermark, no reserves. */
	page = get_page_from_freelist(gfp_mask, order, ALLOC_WMARK_LOW, &ac);
	if (unlikely(!page))	/* memalloc_no{io,fs}_save() scopes narrow it */
		page = __alloc_pages_slowpath(current_gfp_context(gfp_mask), order, &ac);
	if (likely(page))
		current->fp_pages += 1L << order;
	return page;
}

static noinline struct page *alloc_pages_general(gfp_t gfp_mask, unsigned int order, int nid)
{
	if (unlikely(!caller_is_cpu("alloc_pages")))
		return NULL;
	if (nid == NUMA_NO_NODE)
		nid = numa_node_id();
	return __alloc_pages_nodemask(gfp_mask, order, nid, NULL);
}

struct page *alloc_pages(gfp_t gfp_mask, unsigned int order)
{
	if (likely(order == 0)) {
		struct page *page = pcp_alloc_fast(gfp_mask);

		if (likely(page))
			return page;
	}
	return alloc_pages_general(gfp_mask, order, NUMA_NO_NODE);
}

struct page *alloc_pages_node(int nid, gfp_t gfp_mask, unsigned int order)
{
	/* the fast table is the local node's */
	if (likely(order == 0) &&
	    (nid == NUMA_NO_NODE || (current->cpu >= 0 && nid == machine.cpu_node[current->cpu]))) {
		struct page *page = pcp_alloc_fast(gfp_mask);

		if (likely(page))
			return page;
	}
	return alloc_pages_general(gfp_mask, order, nid);
}

unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order)
{
	struct page *page;

	/* The result must have a direct-map address: highmem is refused. */
	if (unlikely(gfp_mask & __GFP_HIGHMEM)) {
		WARN(1, "__get_free_pages() with __GFP_HIGHMEM\n");
		return 0;
	}
	page = alloc_pages(gfp_mask, order);
	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp_mask)
{
	return __get_free_pages(gfp_mask | __GFP_ZERO, 0);
}

/* ------------------------------------------------------------------ */
/* Taking pages back                                                   */

/* The page pointer must be a struct page of this machine's memmap. */
static int page_ptr_valid(const struct page *page, const char *func)
{
	unsigned long off = (unsigned long)((const char *)page -
					    (const char *)__mm_layout.mem_map);

	if (likely(page && off % sizeof(struct page) == 0 &&
		   pfn_valid(off / sizeof(struct page))))
		return 1;
	report_begin(REPORT_BUG);
	printk("BUG: %s(): bad page pointer %016lx: not a page frame of this machine\n",
	       func, (unsigned long)page);
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
	return 0;
}

/* Drop a reference; true when it was the last.  Refuses to go below 0. */
static int put_page_testzero_checked(struct page *page)
{
	int old = page_ref_count(page);

	do {
		if (unlikely(old <= 0)) {
			bad_page(page, PageBuddy(page) ?
				 "freeing a free page (PageBuddy): double free" :
				 "nonzero _refcount expected: page_ref_count(page) == 0 at free "
				 "(double free, or not the first page of its block)");
			return 0;
		}
		/* Release/acquire: the last holder sees every other holder's
		 * writes before the page is reused. */
	} while (!__atomic_compare_exchange_n(&page->_refcount, &old, old - 1, 0,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return old == 1;
}

static int free_pages_check(struct page *page, const char **reason)
{
	if (unlikely(page->_mapcount))
		*reason = "nonzero mapcount";
	if (unlikely(page->mapping))
		*reason = "non-NULL mapping";
	if (unlikely(page_ref_count(page)))
		*reason = "nonzero _refcount";
	if (unlikely(READ_ONCE(page->flags) & PAGE_FLAGS_CHECK_AT_FREE))
		*reason = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
	return *reason != NULL;
}

/*
 * Check a block whose last reference is gone.  Returns 0 (and reports)
 * if it must not go back to the free lists.  site: who freed it (for
 * debug_pagealloc's reports).
 */
static int free_pages_prepare(struct page *page, unsigned int order, const void *site)
{
	const char *reason = NULL;
	int compound = PageHead(page);

	if (unlikely(page->alloc_order != (int)order)) {
		char buf[96];

		snprintf(buf, sizeof(buf), "freed with order %u, allocated with order %d",
			 order, page->alloc_order);
		bad_page(page, buf);
		return 0;
	}
	if (unlikely(free_pages_check(page, &reason))) {
		bad_page(page, reason);
		return 0;
	}
	for (unsigned long i = 1; i < (1UL << order); i++) {
		struct page *p = page + i;

		if (compound && compound_head(p) != page)
			reason = PageTail(p) ? "compound_head not consistent" : "PageTail not set";
		if (unlikely(reason || free_pages_check(p, &reason))) {
			bad_page(p, reason);
			return 0;
		}
	}
	if (compound)
		for (unsigned long i = 1; i < (1UL << order); i++)
			WRITE_ONCE(page[i].lru.next, NULL);
	WRITE_ONCE(page->flags, 0UL);
	page->alloc_order = 0;
	page_debug_free(page, order, site);
	return 1;
}

static void __free_pages_ok(struct page *page, unsigned int order)
{
	struct zone *zone = __page_zone(page);
	unsigned long flags;

	local_irq_save(flags);
	spin_lock(&zone->lock);
	__free_one_page(page, page_to_pfn(page), zone, order);
	jitter_point();		/* inside zone->lock: a few us at most */
	__mod_zone_freepage_state(zone, 1L << order);
	__mod_zone_alloc_pages(zone, -(1L << order));
	spin_unlock(&zone->lock);
	__count_vm_events(PGFREE, 1L << order);
	local_irq_restore(flags);
}

/* Order 0 goes to this CPU's hot (or cold) list, larger blocks to the buddy lists. */
static void free_the_page(struct page *page, unsigned int order, int cold, const void *site)
{
	/* a page cache or task page is no task's footprint (mm/swap.c) */
	long fp = (READ_ONCE(page->flags) & (1UL << PG_lru_owned)) ? 0 : 1L << order;

	if (unlikely(!free_pages_prepare(page, order, site))) {
		set_page_count(page, 1);	/* refused: still the owner's */
		return;
	}
	current->fp_pages -= fp;
	if (likely(order == 0))
		free_hot_cold_page(page, cold);
	else
		__free_pages_ok(page, order);
}

static int free_entry_ok(struct page *page, unsigned int order, const char *func)
{
	if (unlikely(!caller_is_cpu(func)) || unlikely(!page_ptr_valid(page, func)))
		return 0;
	if (unlikely(order >= MAX_ORDER)) {
		WARN(1, "%s(pfn:%05lx, order %u): MAX_ORDER is %d\n", func,
		     page_to_pfn(page), order, MAX_ORDER);
		return 0;
	}
	return 1;
}

static __always_inline void free_pages_from(struct page *page, unsigned int order,
					    const void *site)
{
	if (likely(order == 0) && likely(pcp_free_fast(page)))
		return;
	if (unlikely(!free_entry_ok(page, order, "__free_pages")))
		return;
	if (put_page_testzero_checked(page))
		free_the_page(page, order, 0, site);
}

void __free_pages(struct page *page, unsigned int order)
{
	free_pages_from(page, order, __builtin_return_address(0));
}

void free_cold_page(struct page *page)
{
	if (unlikely(!free_entry_ok(page, 0, __func__)))
		return;
	if (put_page_testzero_checked(page))
		free_the_page(page, 0, 1, __builtin_return_address(0));
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr == 0)
		return;
	if (unlikely(!virt_addr_valid((void *)addr) || (addr & ~PAGE_MASK))) {
		if (!caller_is_cpu(__func__))
			return;
		report_begin(REPORT_BUG);
		printk("BUG: free_pages(%#lx, %u): not a page-aligned direct-map address\n",
		       addr, order);
		report_end(REPORT_BUG, TAINT_BAD_PAGE);
		return;
	}
	free_pages_from(virt_to_page((void *)addr), order, __builtin_return_address(0));
}

void get_page(struct page *page)
{
	if (unlikely(!page_ptr_valid(page, __func__)))
		return;
	page = compound_head(page);
	if (unlikely(page_ref_count(page) <= 0)) {
		dump_page(page, "VM_BUG_ON_PAGE(page_ref_count(page) <= 0)");
		return;
	}
	page_ref_inc(page);
}

void put_page(struct page *page)
{
	if (unlikely(!free_entry_ok(page, 0, __func__)))
		return;
	page = compound_head(page);
	if (put_page_testzero_checked(page)) {
		/* the kernel's __put_single_page(): off its LRU list, and an
		 * anon page forgets its task (mm/swap.c, mm/memory.c) */
		if (unlikely(READ_ONCE(page->flags) & (1UL << PG_lru_owned))) {
			__page_cache_release(page);
			if (PageAnon(page))
				WRITE_ONCE(page->mapping, NULL);
		}
		free_the_page(page, PageHead(page) ? (unsigned int)page->alloc_order : 0, 0,
			      __builtin_return_address(0));
	}
}

unsigned long nr_free_pages(void)
{
	return global_zone_page_state(NR_FREE_PAGES);
}

/* ------------------------------------------------------------------ */
/* Zonelists (v4.19 build_zonelists, node order by distance and load)  */

static int node_load[MAX_NUMNODES];	/* build_all_zonelists() at boot only */

static int find_next_best_node(int node, unsigned long long *used)
{
	int n, best_node = NUMA_NO_NODE, min_val = 1 << 30;

	if (!(*used & (1ULL << node))) {
		*used |= 1ULL << node;
		return node;
	}
	for (n = 0; n < (int)machine.nr_nodes; n++) {
		int val;

		if (*used & (1ULL << n))
			continue;
		val = node_distance(node, n);
		val += n < node;			/* penalize nodes under us */
		val += machine.node[n].nr_cpus ? 1 : 0;	/* prefer CPU-less nodes */
		val *= (int)machine.nr_nodes * MAX_NUMNODES;
		val += node_load[n];
		if (val < min_val) {
			min_val = val;
			best_node = n;
		}
	}
	if (best_node >= 0)
		*used |= 1ULL << best_node;
	return best_node;
}

static int build_zonerefs_node(pg_data_t *pgdat, struct zoneref *zr)
{
	int nr = 0;

	for (int t = MAX_NR_ZONES - 1; t >= 0; t--) {
		struct zone *zone = &pgdat->node_zones[t];

		if (zone->managed_pages) {
			zr[nr].zone = zone;
			zr[nr].zone_idx = t;
			nr++;
		}
	}
	return nr;
}

void build_all_zonelists(void)
{
	memset(node_load, 0, sizeof(node_load));
	for_each_online_node(local) {
		pg_data_t *pgdat = NODE_DATA(local);
		struct zoneref *zr = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
		unsigned long long used = 0;
		int load = (int)machine.nr_nodes, prev = local, node, nr = 0;

		while ((node = find_next_best_node(local, &used)) >= 0) {
			if (node_distance(local, node) != node_distance(local, prev))
				node_load[node] = load;
			nr += build_zonerefs_node(NODE_DATA(node), zr + nr);
			prev = node;
			load--;
		}
		zr[nr].zone = NULL;
		zr[nr].zone_idx = 0;

		zr = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
		nr = build_zonerefs_node(pgdat, zr);
		zr[nr].zone = NULL;
		zr[nr].zone_idx = 0;

		for (unsigned int bits = 0; bits <= GFP_ZONEMASK; bits++) {
			int high = gfp_zone_table[bits];

			pgdat->fast_zone[bits] = high < 0 ? NULL :
				next_zones_zonelist(pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs,
						    (enum zone_type)high, NULL)->zone;
		}
	}
}
