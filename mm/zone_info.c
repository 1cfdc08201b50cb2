// SPDX-License-Identifier: MIT
/*
 * mm/zone_info.c - the zones as programs outside the library read them
 * (mmsim/inspect.h): zone_info_read() copies what /proc/zoneinfo and a
 * harness's report show of one zone, node_zone() names it for
 * drain_all_pages().
 *
 * Who touches what: nothing here writes.  The zone's layout is read-only
 * while booted; its counters are read as their owners allow (NR_FREE_PAGES
 * and the watermarks relaxed, the per-CPU figures with READ_ONCE(), the
 * lock's statistics through spin_lock_stats_read()).  mm_life_read_lock()
 * keeps the machine up while zone_info_read() reads, so any thread may call
 * it; node_zone() reads only the layout, for callers that keep the machine
 * booted (a simulated CPU: mm_shutdown() waits for every CPU to detach).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static struct zone *__node_zone(int nid, enum zone_type idx)
{
	struct zone *zone;

	if (nid < 0 || (unsigned int)nid >= num_online_nodes() || (unsigned int)idx >= MAX_NR_ZONES)
		return NULL;
	zone = &NODE_DATA(nid)->node_zones[idx];
	return populated_zone(zone) ? zone : NULL;
}

/* No lock: its caller keeps the machine booted (a CPU is attached, or it
 * runs between mm_boot() and mm_shutdown()), and the layout is read-only. */
struct zone *node_zone(int nid, enum zone_type idx)
{
	return __node_zone(nid, idx);
}

int zone_info_read(int nid, enum zone_type idx, struct zone_info *info)
{
	struct zone *zone;

	if (mm_life_read_lock())
		return -ENODEV;
	zone = __node_zone(nid, idx);
	if (!zone) {
		mm_life_read_unlock();
		return -ENOENT;
	}
	info->zone = zone;
	info->node = zone->node;
	info->idx = idx;
	info->name = zone->name;
	info->zone_start_pfn = zone->zone_start_pfn;
	info->spanned_pages = zone->spanned_pages;
	info->present_pages = zone->present_pages;
	info->managed_pages = zone->managed_pages;
	info->free_pages = zone_page_state(zone, NR_FREE_PAGES);
	info->pcp_pages = zone_pcp_pages(zone);
	info->allocated_pages = zone_alloc_pages(zone);
	info->min_wmark = min_wmark_pages(zone);
	info->low_wmark = low_wmark_pages(zone);
	info->high_wmark = high_wmark_pages(zone);
	info->batch = zone_batchsize(zone);
	spin_lock_stats_read(&zone->lock, &info->lock);
	mm_life_read_unlock();
	return 0;
}
