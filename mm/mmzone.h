/* SPDX-License-Identifier: MIT */
/*
 * mm/mmzone.h - nodes, zones, free areas, zonelists and the per-CPU
 * pagesets: the allocator's central types (Linux's mmzone.h).
 *
 *   pg_data_t (one per node)
 *     node_zones[MAX_NR_ZONES]	 DMA | DMA32 | Normal | HighMem | Movable
 *       free_area[MAX_ORDER]	 buddy lists, one per order   (zone->lock)
 *       pageset[cpu]		 per-CPU hot/cold lists and counters
 *				 (that CPU; mm/pcp.c)
 *       vm_stat[], vm_numa_stat[] folded counters		(atomic)
 *     node_zonelists[]		 FALLBACK: every node's zones by distance;
 *				 NOFALLBACK: this node's (__GFP_THISNODE)
 *
 * Invariants (checked by mm_check()):
 *   - a free block of order o starts at a pfn aligned to 2^o, its first
 *     frame has PG_buddy, private == o and refcount 0, it lies in one zone
 *     and sits on free_area[o].free_list of that zone; no two free blocks
 *     overlap; nr_free == list length;
 *   - two free buddies of one order below MAX_ORDER-1 never coexist (they
 *     would have merged);
 *   - NR_FREE_PAGES == sum(nr_free[o] << o);
 *   - per zone: free + on per-CPU lists + allocated == managed.
 */
#ifndef MM_MMZONE_H
#define MM_MMZONE_H

#include <mmsim/inspect.h>
#include <mmsim/mm.h>
#include "../numa/spinlock.h"

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

enum zone_stat_item {
	NR_FREE_PAGES,
	NR_ZONE_LRU_BASE,
	NR_ZONE_INACTIVE_ANON = NR_ZONE_LRU_BASE,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_PAGETABLE,
	NR_KERNEL_STACK_KB,
	NR_BOUNCE,
	NR_FREE_CMA_PAGES,
	NR_VM_ZONE_STAT_ITEMS
};

enum numa_stat_item {
	NUMA_HIT,
	NUMA_MISS,
	NUMA_FOREIGN,
	NUMA_INTERLEAVE_HIT,
	NUMA_LOCAL,
	NUMA_OTHER,
	NR_VM_NUMA_STAT_ITEMS
};

enum node_stat_item {
	NR_LRU_BASE,
	NR_INACTIVE_ANON = NR_LRU_BASE,
	NR_ACTIVE_ANON,
	NR_INACTIVE_FILE,
	NR_ACTIVE_FILE,
	NR_UNEVICTABLE,
	NR_SLAB_RECLAIMABLE,
	NR_SLAB_UNRECLAIMABLE,
	NR_ISOLATED_ANON,
	NR_ISOLATED_FILE,
	WORKINGSET_REFAULT,
	WORKINGSET_ACTIVATE,
	WORKINGSET_NODERECLAIM,
	NR_ANON_MAPPED,
	NR_FILE_MAPPED,
	NR_FILE_PAGES,
	NR_FILE_DIRTY,
	NR_WRITEBACK,
	NR_WRITEBACK_TEMP,
	NR_SHMEM,
	NR_SHMEM_THPS,
	NR_SHMEM_PMDMAPPED,
	NR_ANON_THPS,
	NR_UNSTABLE_NFS,
	NR_VMSCAN_WRITE,
	NR_VMSCAN_IMMEDIATE,
	NR_DIRTIED,
	NR_WRITTEN,
	NR_INDIRECTLY_RECLAIMABLE_BYTES,	/* hidden in /proc/vmstat */
	NR_VM_NODE_STAT_ITEMS
};

/* v4.19 keeps per-CPU NUMA diffs in u16 and folds them near the top. */
#define NUMA_STATS_THRESHOLD	(65535 - 2)

struct free_area {
	struct cds_list_head free_list;	/* zone->lock */
	unsigned long nr_free;		/* written under zone->lock; READ_ONCE */
};

/*
 * A per-CPU page list (mm/pcp.c).  list and count: its CPU only, with
 * interrupts disabled (others read count with READ_ONCE); high and batch:
 * written by the vm.percpu_pagelist_fraction sysctl (WRITE_ONCE), read by
 * its CPU.
 */
struct per_cpu_pages {
	int count;
	int high;
	int batch;
	struct cds_list_head list;
};

/* struct pcp_stats, per-CPU list activity (its CPU's; READ_ONCE for
 * reports): mmsim/inspect.h, where pcp_stats_read() sums it. */

/*
 * Per zone and CPU.  Only its CPU writes it (relaxed stores); anyone may
 * read it with READ_ONCE() for statistics.
 */
struct per_cpu_pageset {
	struct per_cpu_pages pcp[2];	/* 0 hot, 1 cold */
	long alloc_pages;		/* pages of this zone the general paths
					   handed out minus those the buddy
					   path took back; with fast_allocs
					   and frees, the zone's allocated
					   pages (the conservation law) */
	unsigned short vm_numa_stat_diff[NR_VM_NUMA_STAT_ITEMS];
	signed char stat_threshold;	/* written at boot (READ_ONCE) */
	signed char vm_stat_diff[NR_VM_ZONE_STAT_ITEMS];
	struct pcp_stats stat;
} ____cacheline_aligned;

struct per_cpu_nodestat {
	signed char stat_threshold;
	signed char vm_node_stat_diff[NR_VM_NODE_STAT_ITEMS];
} ____cacheline_aligned;

struct pglist_data;

struct zone {
	/*
	 * Read-mostly.  Watermarks and reserves are rewritten by sysctl
	 * (under wmark_mutex and zone->lock) and read unlocked by every
	 * allocation: READ_ONCE/WRITE_ONCE.
	 */
	unsigned long _watermark[NR_WMARK];
	long lowmem_reserve[MAX_NR_ZONES];
	/* Read-only while booted. */
	int node;
	struct pglist_data *zone_pgdat;
	struct per_cpu_pageset *pageset;	/* [nr_cpu_ids] */
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;
	unsigned long managed_pages;
	const char *name;

	/* Primarily protects free_area.  On its own cache line. */
	spinlock_t lock ____cacheline_aligned;
	struct free_area free_area[MAX_ORDER];

	/* Folded statistics: atomic adds, relaxed reads.  NR_FREE_PAGES is
	 * exact: it only changes under zone->lock, so it is updated there
	 * directly instead of through the per-CPU diffs. */
	long vm_stat[NR_VM_ZONE_STAT_ITEMS] ____cacheline_aligned;
	long vm_numa_stat[NR_VM_NUMA_STAT_ITEMS];
} ____cacheline_aligned;

struct zoneref {
	struct zone *zone;
	int zone_idx;
};

enum { ZONELIST_FALLBACK, ZONELIST_NOFALLBACK, MAX_ZONELISTS };
#define MAX_ZONES_PER_ZONELIST	(MAX_NUMNODES * MAX_NR_ZONES)

struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_PER_ZONELIST + 1];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelists[MAX_ZONELISTS];
	/* The first zone of FALLBACK that each gfp zone combination may use
	 * (NULL: an invalid combination or no such zone): the order-0 fast
	 * path's preferred zone.  Read-only while booted. */
	struct zone *fast_zone[GFP_ZONEMASK + 1];
	/* Read-only while booted. */
	int nr_zones;			/* highest populated zone index + 1 */
	int node_id;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	struct page *node_mem_map;
	unsigned long totalreserve_pages;	/* wmark_mutex; READ_ONCE */
	struct per_cpu_nodestat *per_cpu_nodestats;	/* [nr_cpu_ids] */
	long vm_stat[NR_VM_NODE_STAT_ITEMS];		/* atomic */
} pg_data_t;

extern pg_data_t *node_data[MAX_NUMNODES];
#define NODE_DATA(nid)	(node_data[(nid)])

/* Which zones exist on this arch (the kernel's config); read-only. */
extern int zone_configured[MAX_NR_ZONES];
extern const char *const zone_names[MAX_NR_ZONES];
/* The zone type ZONE_MOVABLE is taken from (v4.19's movable_zone): the
 * highest one whose physical range holds memory.  Read-only while booted. */
extern enum zone_type movable_zone;

#define for_each_online_node(nid) \
	for (int nid = 0; nid < (int)num_online_nodes(); nid++)
#define for_each_zone_of_node(zone, pgdat) \
	for ((zone) = (pgdat)->node_zones; \
	     (zone) < (pgdat)->node_zones + MAX_NR_ZONES; (zone)++)

static inline int populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

/* Every zone of every node, in order (Linux's next_zone()). */
static inline struct zone *next_zone(struct zone *zone)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	int nid = pgdat->node_id + 1;

	if (zone < pgdat->node_zones + MAX_NR_ZONES - 1)
		return zone + 1;
	return nid < (int)num_online_nodes() ? NODE_DATA(nid)->node_zones : NULL;
}

#define for_each_zone(zone) \
	for ((zone) = NODE_DATA(0)->node_zones; (zone); (zone) = next_zone(zone))
#define for_each_populated_zone(zone) \
	for_each_zone(zone) \
		if (!populated_zone(zone)) \
			; /* skip it */ \
		else

static inline enum zone_type zone_idx(const struct zone *zone)
{
	return (enum zone_type)(zone - zone->zone_pgdat->node_zones);
}

/* Movable is highmem only when it was taken from HighMem (v4.19). */
static inline int is_highmem_idx(enum zone_type idx)
{
	return idx == ZONE_HIGHMEM ||
	       (idx == ZONE_MOVABLE && movable_zone == ZONE_HIGHMEM);
}

static inline int is_highmem(const struct zone *zone)
{
	return is_highmem_idx(zone_idx(zone));
}

static inline unsigned long wmark_pages(const struct zone *z, int i)
{
	return READ_ONCE(z->_watermark[i]);
}
#define min_wmark_pages(z)	wmark_pages((z), WMARK_MIN)
#define low_wmark_pages(z)	wmark_pages((z), WMARK_LOW)
#define high_wmark_pages(z)	wmark_pages((z), WMARK_HIGH)

/* Every 4 MiB block lies in one zone: zone_of_block[pfn >> 10]. */
extern struct zone **zone_of_block;
#define BLOCK_SHIFT	(MAX_ORDER - 1)

static inline struct zone *__page_zone(const struct page *page)
{
	return zone_of_block[page_to_pfn(page) >> BLOCK_SHIFT];
}

/* Iterate a zonelist: zones with index <= highidx, in nodemask if given. */
static inline struct zoneref *next_zones_zonelist(struct zoneref *z,
						  enum zone_type highidx,
						  const nodemask_t *nodes)
{
	while (z->zone && (z->zone_idx > (int)highidx ||
			   (nodes && !(nodes->bits[z->zone->node / 64] >>
				       (z->zone->node % 64) & 1))))
		z++;
	return z;
}

#define for_each_zone_zonelist_nodemask(zone, z, zlist, highidx, nodes)	\
	for (z = next_zones_zonelist((zlist)->_zonerefs, (highidx), (nodes)), \
	     zone = z->zone;							\
	     zone;								\
	     z = next_zones_zonelist(z + 1, (highidx), (nodes)), zone = z->zone)

#endif /* MM_MMZONE_H */
