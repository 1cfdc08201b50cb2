// SPDX-License-Identifier: MIT
/*
 * mm/memmap.c - the bottom of mm: the memmap, the nodes and their zones,
 * and the layout every allocation reads.
 *
 *   __mm_layout, node_data[], zone_of_block[], zone_configured[],
 *   movable_zone, totalram_pages
 *	written by mm_boot() while nothing else runs, read-only until
 *	mm_shutdown() (see mm/boot.c for how the machine is published).
 *   mm_booted	whether the machine is up: mm_boot() sets it last (release),
 *		mm_shutdown() clears it under mm_life_lock (write); read
 *		with acquire.
 *   mm_life_lock	held for reading by mm_proc_show(), mm_sysctl_*(),
 *		mm_check() and the inspect functions, from any thread, for
 *		writing by the teardown (writer first, or a stream of
 *		readers would starve mm_shutdown()).
 *
 * The memmap is one PROT_NONE reservation of max_pfn struct pages of which
 * [min_pfn, max_pfn) is made accessible; each node's slice is its
 * node_mem_map, bound to the node's host node where the host has several.
 * It is written lazily: boot only writes the head of every 4 MiB block.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mmsim/lockdep.h>

#include "internal.h"

struct mm_layout __mm_layout;
unsigned long totalram_pages;
pg_data_t *node_data[MAX_NUMNODES];
struct zone **zone_of_block;
int zone_configured[MAX_NR_ZONES];
enum zone_type movable_zone;
const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "HighMem", "Movable",
};
size_t memmap_bytes;			/* the accessible part, for the banner */
int mm_booted;
static pthread_rwlock_t mm_life_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
/* lockdep's view of it: a read/write lock whose readers do not recurse
 * (a waiting writer blocks new readers), and a lock of the host: the
 * teardown detaches the last CPU under it. */
static struct lockdep_map mm_life_lock_map =
	STATIC_LOCKDEP_HOST_MAP_INIT("mm_life_lock", &mm_life_lock_map);

int memmap_init(void)
{
	unsigned long min_pfn = machine.mem_start >> PAGE_SHIFT;
	unsigned long max_pfn = machine.mem_end >> PAGE_SHIFT;
	size_t total = max_pfn * sizeof(struct page);
	char *p;

	p = mmap(NULL, total, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	memmap_bytes = (max_pfn - min_pfn) * sizeof(struct page);
	if (mprotect(p + min_pfn * sizeof(struct page), memmap_bytes,
		     PROT_READ | PROT_WRITE)) {
		munmap(p, total);
		return -ENOMEM;
	}
	__mm_layout.mem_map = (struct page *)p;
	__mm_layout.page_offset = machine.direct_map;
	__mm_layout.min_pfn = min_pfn;
	__mm_layout.max_pfn = max_pfn;
	__mm_layout.max_low_pfn = machine.lowmem_end >> PAGE_SHIFT;

	zone_of_block = calloc((max_pfn >> BLOCK_SHIFT) + 1, sizeof(*zone_of_block));
	if (!zone_of_block) {
		munmap(p, total);
		return -ENOMEM;
	}
	if (machine.membind_ok) {
		for (unsigned int n = 0; n < machine.nr_nodes; n++) {
			struct machine_node *node = &machine.node[n];

			topology_bind_memory(p + (node->start >> PAGE_SHIFT) * sizeof(struct page),
					     (node->size >> PAGE_SHIFT) * sizeof(struct page),
					     node->host_node);
		}
	}
	return 0;
}

void memmap_exit(void)
{
	if (__mm_layout.mem_map)
		munmap(__mm_layout.mem_map, __mm_layout.max_pfn * sizeof(struct page));
	free(zone_of_block);
	zone_of_block = NULL;
	memset(&__mm_layout, 0, sizeof(__mm_layout));
}

/* Physical zone boundaries of the arch, in pfns: [zone_lo, zone_hi). */
static void arch_zone_range(enum zone_type t, unsigned long *lo, unsigned long *hi)
{
	unsigned long dma = SZ_16M >> PAGE_SHIFT, dma32 = SZ_4G >> PAGE_SHIFT;
	unsigned long low = X86_32_LOWMEM_END >> PAGE_SHIFT, top = ~0UL;

	*lo = *hi = 0;
	if (machine.arch == ARCH_X86_64) {
		switch (t) {
		case ZONE_DMA:		*lo = 0; *hi = dma; break;
		case ZONE_DMA32:	*lo = dma; *hi = dma32; break;
		case ZONE_NORMAL:	*lo = dma32; *hi = top; break;
		default: break;
		}
	} else {
		switch (t) {
		case ZONE_DMA:		*lo = 0; *hi = dma; break;
		case ZONE_NORMAL:	*lo = dma; *hi = low; break;
		case ZONE_HIGHMEM:	*lo = low; *hi = top; break;
		default: break;
		}
	}
}

static void init_zone(pg_data_t *pgdat, enum zone_type t, unsigned long start,
		      unsigned long end)
{
	struct zone *zone = &pgdat->node_zones[t];

	zone->node = pgdat->node_id;
	zone->zone_pgdat = pgdat;
	zone->name = zone_names[t];
	spin_lock_init_name(&zone->lock, "zone->lock");
	zone->lock.irqsafe = 1;		/* taken with interrupts disabled */
	for (int o = 0; o < MAX_ORDER; o++)
		CDS_INIT_LIST_HEAD(&zone->free_area[o].free_list);
	zone->zone_start_pfn = start;
	zone->spanned_pages = end > start ? end - start : 0;
	zone->present_pages = zone->spanned_pages;
	zone->managed_pages = zone->present_pages;
	for (unsigned long pfn = start; pfn < end; pfn += MAX_ORDER_NR_PAGES)
		zone_of_block[pfn >> BLOCK_SHIFT] = zone;
}

/* Every frame of the zone goes to the buddy lists as MAX_ORDER-1 blocks. */
static void free_zone_memory(struct zone *zone)
{
	unsigned long end = zone->zone_start_pfn + zone->spanned_pages, irqflags;

	spin_lock_irqsave(&zone->lock, irqflags);
	for (unsigned long pfn = zone->zone_start_pfn; pfn < end; pfn += MAX_ORDER_NR_PAGES)
		__free_one_page(pfn_to_page(pfn), pfn, zone, MAX_ORDER - 1);
	__mod_zone_freepage_state(zone, (long)zone->spanned_pages);
	spin_unlock_irqrestore(&zone->lock, irqflags);
}

/*
 * v4.19's find_usable_zone_for_movable(): the highest zone type (Movable
 * aside) whose physical range holds memory of this machine.
 */
static enum zone_type find_usable_zone_for_movable(void)
{
	for (int t = ZONE_MOVABLE - 1; t > ZONE_DMA; t--) {
		unsigned long lo, hi;

		if (!zone_configured[t])
			continue;
		arch_zone_range((enum zone_type)t, &lo, &hi);
		if (__mm_layout.max_pfn > lo)
			return (enum zone_type)t;
	}
	return ZONE_DMA;
}

int nodes_init(const struct mm_config *cfg)
{
	enum zone_type movable_from;
	unsigned long movable_per_node = 0;

	for (int t = 0; t < MAX_NR_ZONES; t++)
		zone_configured[t] = t == ZONE_MOVABLE || t == ZONE_DMA || t == ZONE_NORMAL ||
				     (t == ZONE_DMA32 && machine.arch == ARCH_X86_64) ||
				     (t == ZONE_HIGHMEM && machine.arch == ARCH_X86_32);
	movable_from = movable_zone = find_usable_zone_for_movable();
	/*
	 * movablecore: ZONE_MOVABLE takes the top of that zone type, spread
	 * evenly over the nodes that have memory of it.
	 */
	if (cfg->movablecore) {
		unsigned long lo, hi, nodes_with = 0;

		arch_zone_range(movable_from, &lo, &hi);
		for (unsigned int nid = 0; nid < machine.nr_nodes; nid++) {
			unsigned long nstart = machine.node[nid].start >> PAGE_SHIFT;
			unsigned long nend = nstart + (machine.node[nid].size >> PAGE_SHIFT);

			nodes_with += nend > lo && nstart < hi;
		}
		if (nodes_with)
			movable_per_node = (unsigned long)(cfg->movablecore / nodes_with /
							   NODE_ALIGN * NODE_ALIGN) >> PAGE_SHIFT;
	}

	for (unsigned int nid = 0; nid < machine.nr_nodes; nid++) {
		unsigned long nstart = machine.node[nid].start >> PAGE_SHIFT;
		unsigned long nend = nstart + (machine.node[nid].size >> PAGE_SHIFT);
		unsigned long movable_start = nend;
		pg_data_t *pgdat = calloc(1, sizeof(*pgdat));

		if (!pgdat)
			return -ENOMEM;
		node_data[nid] = pgdat;
		pgdat->node_id = (int)nid;
		pgdat->node_start_pfn = nstart;
		pgdat->node_spanned_pages = nend - nstart;
		pgdat->node_present_pages = nend - nstart;
		pgdat->node_mem_map = pfn_to_page(nstart);

		if (movable_per_node) {
			unsigned long lo, hi;

			arch_zone_range(movable_from, &lo, &hi);
			lo = max(lo, nstart);
			if (lo < nend)
				movable_start = max(lo, nend - min(movable_per_node, nend - lo));
		}
		for (int t = 0; t < ZONE_MOVABLE; t++) {
			unsigned long lo, hi;

			arch_zone_range((enum zone_type)t, &lo, &hi);
			lo = max(lo, nstart);
			hi = min(min(hi, nend), movable_start);
			init_zone(pgdat, (enum zone_type)t, lo, max(lo, hi));
		}
		init_zone(pgdat, ZONE_MOVABLE, movable_start, nend);
		for (int t = 0; t < MAX_NR_ZONES; t++)
			if (populated_zone(&pgdat->node_zones[t]))
				pgdat->nr_zones = t + 1;
		if (!pgdat->node_zones[ZONE_MOVABLE].present_pages)
			pgdat->node_zones[ZONE_MOVABLE].zone_start_pfn = 0;
	}
	return 0;
}

void nodes_exit(void)
{
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		free(node_data[nid]);
		node_data[nid] = NULL;
	}
}

/* Every populated zone's frames into its buddy lists; totalram_pages. */
void free_all_memory(void)
{
	totalram_pages = 0;
	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			if (!populated_zone(zone))
				continue;
			free_zone_memory(zone);
			totalram_pages += zone->managed_pages;
		}
	}
}

int mm_life_read_lock(void)
{
	if (lockdep_enabled())
		lock_acquire(&mm_life_lock_map, 0, 0, 1, 0);
	pthread_rwlock_rdlock(&mm_life_lock);
	/* Acquire: pairs with the release store of mm_booted in mm_boot(). */
	if (smp_load_acquire(&mm_booted))
		return 0;
	pthread_rwlock_unlock(&mm_life_lock);
	if (lockdep_enabled())
		lock_release(&mm_life_lock_map, 0);
	return -ENODEV;
}

void mm_life_read_unlock(void)
{
	if (lockdep_enabled())
		lock_release(&mm_life_lock_map, 0);
	pthread_rwlock_unlock(&mm_life_lock);
}

void mm_life_write_lock(void)
{
	if (lockdep_enabled())
		lock_acquire(&mm_life_lock_map, 0, 0, 0, 0);
	pthread_rwlock_wrlock(&mm_life_lock);
}

void mm_life_write_unlock(void)
{
	if (lockdep_enabled())
		lock_release(&mm_life_lock_map, 0);
	pthread_rwlock_unlock(&mm_life_lock);
}
