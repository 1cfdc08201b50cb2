// SPDX-License-Identifier: MIT
/*
 * mm/page_alloc_slow.c - the page allocator's slow path (v4.19's
 * __alloc_pages_slowpath() and its helpers in mm/page_alloc.c), entered
 * when the fast path found no zone above LOW.
 *
 * Map:
 *   wake_all_kswapds()		__GFP_KSWAPD_RECLAIM: each node's kswapd once
 *   __alloc_pages_slowpath()	MIN, the reserves (__gfp_pfmemalloc_flags()),
 *				direct reclaim, __GFP_NORETRY and costly orders
 *				give up, should_reclaim_retry(), the OOM killer,
 *				__GFP_NOFAIL's loop, warn_alloc()
 *   __perform_reclaim()	the caller as a reclaimer (PF_MEMALLOC)
 *   __alloc_pages_direct_reclaim()  reclaim, retry, drain, retry
 *   should_reclaim_retry()	16 rounds without progress at most; on while
 *				some zone could meet MIN with its reclaimable pages
 *   __alloc_pages_may_oom()	under oom_lock (trylock), where Linux OOMs
 *
 * Nothing here is shared state of its own: it runs on the allocating CPU
 * in process context (a caller that cannot sleep never gets past the
 * reserves) and uses page_alloc.c's get_page_from_freelist(), vmscan.c,
 * kswapd.c and oom_kill.c.
 */
#include "internal.h"
#include "reclaim.h"

/* v4.19 __perform_reclaim(): the caller becomes a reclaimer (PF_MEMALLOC). */
static unsigned long __perform_reclaim(gfp_t gfp_mask, unsigned int order,
				       const struct alloc_context *ac)
{
	unsigned int noreclaim_flag = current->flags & PF_MEMALLOC;
	unsigned long progress;

	cond_resched();
	current->flags |= PF_MEMALLOC;
	progress = try_to_free_pages(ac->zonelist, (int)order, gfp_mask, ac->nodemask);
	current->flags = (current->flags & ~PF_MEMALLOC) | noreclaim_flag;
	cond_resched();
	return progress;
}

/*
 * __alloc_pages_direct_reclaim(): reclaim, then try again; if that fails,
 * the pages may sit on other CPUs' lists: drain them all once and try
 * again.  v4.19 returns at once when reclaim freed nothing, without the
 * drain; the model drains then too (REFERENCE.md's "on failure one
 * drain_all_pages"), because its small machines with CPUs parked on full
 * lists and nothing reclaimable would otherwise fail, or loop forever
 * with __GFP_NOFAIL, while hundreds of pages sit on those lists.
 */
static struct page *__alloc_pages_direct_reclaim(gfp_t gfp_mask, unsigned int order,
						 unsigned int alloc_flags,
						 const struct alloc_context *ac,
						 unsigned long *did_some_progress)
{
	struct page *page;
	int drained = 0;

	*did_some_progress = __perform_reclaim(gfp_mask, order, ac);
retry:
	page = get_page_from_freelist(gfp_mask, order, alloc_flags, ac);
	if (!page && !drained) {
		drain_all_pages(NULL);
		drained = 1;
		goto retry;
	}
	return page;
}

/* The node of each zone the allocation may use wakes its kswapd once. */
static void wake_all_kswapds(unsigned int order, gfp_t gfp_mask, const struct alloc_context *ac)
{
	int woken[MAX_NUMNODES] = { 0 };
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->high_zoneidx, ac->nodemask) {
		if (woken[zone->node])
			continue;
		woken[zone->node] = 1;
		wakeup_kswapd(zone, gfp_mask, (int)order, ac->high_zoneidx);
	}
}

/*
 * v4.19 should_reclaim_retry(): after MAX_RECLAIM_RETRIES reclaims without
 * progress, give up; else retry while some zone could meet MIN with its
 * free and reclaimable pages.
 */
static int should_reclaim_retry(gfp_t gfp_mask, unsigned int order,
				const struct alloc_context *ac, unsigned int alloc_flags,
				int did_some_progress, int *no_progress_loops)
{
	struct zoneref *z;
	struct zone *zone;

	(void)gfp_mask;
	if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return 0;
	for_each_zone_zonelist_nodemask(zone, z, ac->zonelist, ac->high_zoneidx, ac->nodemask) {
		unsigned long reclaimable = zone_reclaimable_pages(zone);
		long available = (long)(reclaimable + zone_page_state_snapshot(zone, NR_FREE_PAGES));

		if (__zone_watermark_ok(zone, order, min_wmark_pages(zone),
					ac->preferred_zoneref->zone_idx, alloc_flags, available)) {
			/* mostly dirty or under write-back: wait for it a bit */
			if (!did_some_progress &&
			    2 * zone_page_state_snapshot(zone, NR_ZONE_WRITE_PENDING) > reclaimable)
				schedule_timeout_uninterruptible(HZ / 10);
			else
				cond_resched();
			return 1;
		}
	}
	return 0;
}

/*
 * v4.19 __alloc_pages_may_oom(): under oom_lock (trylock: a holder is
 * killing already, so wait a jiffy and count it as progress), one more try
 * at HIGH, then the cases where Linux never kills, then the OOM killer.
 */
static struct page *__alloc_pages_may_oom(gfp_t gfp_mask, unsigned int order,
					  const struct alloc_context *ac,
					  unsigned long *did_some_progress)
{
	struct oom_control oc = {
		.zonelist = ac->zonelist,
		.nodemask = ac->nodemask,
		.gfp_mask = gfp_mask,
		.order = (int)order,
	};
	struct page *page = NULL;

	*did_some_progress = 0;
	if (!mutex_trylock(&oom_lock)) {
		*did_some_progress = 1;
		schedule_timeout_uninterruptible(1);
		return NULL;
	}
	page = get_page_from_freelist((gfp_mask | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM, order,
				      ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
	if (page)
		goto out;
	/* never for costly orders, callers that may fail, low zones, THISNODE */
	if (order > PAGE_ALLOC_COSTLY_ORDER || (gfp_mask & __GFP_RETRY_MAYFAIL) ||
	    ac->high_zoneidx < ZONE_NORMAL || (gfp_mask & __GFP_THISNODE))
		goto out;
	/* the OOM killer does not make up for reclaim that could not do I/O:
	 * a !__GFP_FS caller retries (v4.19's out_of_memory() returns true) */
	if (!(gfp_mask & __GFP_FS)) {
		*did_some_progress = 1;
		goto out;
	}
	if (out_of_memory(&oc) || WARN_ON_ONCE(gfp_mask & __GFP_NOFAIL)) {
		*did_some_progress = 1;
		if (gfp_mask & __GFP_NOFAIL)
			page = get_page_from_freelist(gfp_mask, order, ALLOC_NO_WATERMARKS, ac);
	}
out:
	mutex_unlock(&oom_lock);
	return page;
}

struct page *__alloc_pages_slowpath(gfp_t gfp_mask, unsigned int order,
					   struct alloc_context *ac)
{
	int can_direct_reclaim = gfpflags_allow_blocking(gfp_mask);
	int costly_order = order > PAGE_ALLOC_COSTLY_ORDER;
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp_mask);
	unsigned long did_some_progress;
	int no_progress_loops = 0;
	unsigned int reserve_flags;
	struct page *page;

	if (gfp_mask & __GFP_KSWAPD_RECLAIM)
		wake_all_kswapds(order, gfp_mask, ac);
	page = get_page_from_freelist(gfp_mask, order, alloc_flags, ac);
	if (page)
		return page;
retry:
	/* kswapd may have gone to sleep meanwhile */
	if (gfp_mask & __GFP_KSWAPD_RECLAIM)
		wake_all_kswapds(order, gfp_mask, ac);
	reserve_flags = __gfp_pfmemalloc_flags(gfp_mask);
	if (reserve_flags)
		alloc_flags = reserve_flags;
	page = get_page_from_freelist(gfp_mask, order, alloc_flags, ac);
	if (page)
		return page;

	/* Atomic callers cannot do anything more: fail. */
	if (!can_direct_reclaim)
		goto nopage;
	/* The reclaimer itself (PF_MEMALLOC) must not recurse into reclaim. */
	if (current->flags & PF_MEMALLOC)
		goto nopage;
	page = __alloc_pages_direct_reclaim(gfp_mask, order, alloc_flags, ac, &did_some_progress);
	if (page)
		return page;
	if (gfp_mask & __GFP_NORETRY)
		goto nopage;
	if (costly_order && !(gfp_mask & __GFP_RETRY_MAYFAIL))
		goto nopage;
	if (should_reclaim_retry(gfp_mask, order, ac, alloc_flags, did_some_progress > 0,
				 &no_progress_loops))
		goto retry;
	page = __alloc_pages_may_oom(gfp_mask, order, ac, &did_some_progress);
	if (page)
		return page;
	/* a victim that may already dip into the reserves does not loop */
	if (tsk_is_oom_victim() &&
	    (alloc_flags == ALLOC_OOM || (gfp_mask & __GFP_NOMEMALLOC)))
		goto nopage;
	if (did_some_progress) {
		no_progress_loops = 0;
		goto retry;
	}

nopage:
	if (gfp_mask & __GFP_NOFAIL) {
		/* Never fail: loop until someone frees, as v4.19 does. */
		if (WARN_ON_ONCE(!can_direct_reclaim))
			goto fail;
		WARN_ON_ONCE(current->flags & PF_MEMALLOC);
		WARN_ON_ONCE(order > PAGE_ALLOC_COSTLY_ORDER);
		page = get_page_from_freelist(gfp_mask, order, ALLOC_HARDER, ac);
		if (page)
			return page;
		cond_resched();
		schedule_timeout_uninterruptible(1);
		goto retry;
	}
fail:
	warn_alloc(gfp_mask, ac->nodemask, "page allocation failure: order:%u", order);
	return NULL;
}
