// SPDX-License-Identifier: MIT
/*
 * mm/vmstat.c - per-CPU counters and their folding, and the /proc files
 * built from them: vmstat, zoneinfo, buddyinfo (meminfo is in meminfo.c).
 *
 * Readers of the /proc files add every CPU's diffs to the folded counters
 * (the snapshot readers): the model has no periodic vmstat_update worker to
 * fold them, so this is what the kernel would show once its worker ran.
 * See vmstat.h for who writes what.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "reclaim.h"

struct vm_event_state *vm_event_states;

const char *const vmstat_text[] = {
	/* enum zone_stat_item */
	"nr_free_pages",
	"nr_zone_inactive_anon",
	"nr_zone_active_anon",
	"nr_zone_inactive_file",
	"nr_zone_active_file",
	"nr_zone_unevictable",
	"nr_zone_write_pending",
	"nr_mlock",
	"nr_page_table_pages",
	"nr_kernel_stack",
	"nr_bounce",
	"nr_free_cma",

	/* enum numa_stat_item */
	"numa_hit",
	"numa_miss",
	"numa_foreign",
	"numa_interleave",
	"numa_local",
	"numa_other",

	/* enum node_stat_item */
	"nr_inactive_anon",
	"nr_active_anon",
	"nr_inactive_file",
	"nr_active_file",
	"nr_unevictable",
	"nr_slab_reclaimable",
	"nr_slab_unreclaimable",
	"nr_isolated_anon",
	"nr_isolated_file",
	"workingset_refault",
	"workingset_activate",
	"workingset_nodereclaim",
	"nr_anon_pages",
	"nr_mapped",
	"nr_file_pages",
	"nr_dirty",
	"nr_writeback",
	"nr_writeback_temp",
	"nr_shmem",
	"nr_shmem_hugepages",
	"nr_shmem_pmdmapped",
	"nr_anon_transparent_hugepages",
	"nr_unstable",
	"nr_vmscan_write",
	"nr_vmscan_immediate_reclaim",
	"nr_dirtied",
	"nr_written",
	"",			/* NR_INDIRECTLY_RECLAIMABLE_BYTES */

	/* enum writeback_stat_item */
	"nr_dirty_threshold",
	"nr_dirty_background_threshold",

	/* enum vm_event_item */
	"pgpgin",
	"pgpgout",
	"pswpin",
	"pswpout",
	"pgalloc_dma", "pgalloc_dma32", "pgalloc_normal", "pgalloc_high", "pgalloc_movable",
	"allocstall_dma", "allocstall_dma32", "allocstall_normal", "allocstall_high",
	"allocstall_movable",
	"pgskip_dma", "pgskip_dma32", "pgskip_normal", "pgskip_high", "pgskip_movable",
	"pgfree",
	"pgactivate",
	"pgdeactivate",
	"pglazyfree",
	"pgfault",
	"pgmajfault",
	"pglazyfreed",
	"pgrefill",
	"pgsteal_kswapd",
	"pgsteal_direct",
	"pgscan_kswapd",
	"pgscan_direct",
	"pgscan_direct_throttle",
	"zone_reclaim_failed",
	"pginodesteal",
	"slabs_scanned",
	"kswapd_inodesteal",
	"kswapd_low_wmark_hit_quickly",
	"kswapd_high_wmark_hit_quickly",
	"pageoutrun",
	"pgrotated",
	"drop_pagecache",
	"drop_slab",
	"oom_kill",
	"pgmigrate_success",
	"pgmigrate_fail",
	"compact_migrate_scanned",
	"compact_free_scanned",
	"compact_isolated",
	"compact_stall",
	"compact_fail",
	"compact_success",
	"compact_daemon_wake",
	"compact_daemon_migrate_scanned",
	"compact_daemon_free_scanned",
	"unevictable_pgs_culled",
	"unevictable_pgs_scanned",
	"unevictable_pgs_rescued",
	"unevictable_pgs_mlocked",
	"unevictable_pgs_munlocked",
	"unevictable_pgs_cleared",
	"unevictable_pgs_stranded",
	"swap_ra",
	"swap_ra_hit",
};

#define NR_VMSTAT_ITEMS (NR_VM_ZONE_STAT_ITEMS + NR_VM_NUMA_STAT_ITEMS + \
			 NR_VM_NODE_STAT_ITEMS + 2 + NR_VM_EVENT_ITEMS)
BUILD_BUG_ON(ARRAY_SIZE(vmstat_text) != NR_VMSTAT_ITEMS);

static void *zalloc_aligned(size_t n)
{
	void *p = aligned_alloc(SMP_CACHE_BYTES, ALIGN(n, SMP_CACHE_BYTES));

	if (p)
		memset(p, 0, n);
	return p;
}

int vmstat_init(void)
{
	vm_event_states = zalloc_aligned(nr_cpu_ids * sizeof(*vm_event_states));
	if (!vm_event_states)
		return -ENOMEM;
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		struct zone *zone;

		pgdat->per_cpu_nodestats =
			zalloc_aligned(nr_cpu_ids * sizeof(*pgdat->per_cpu_nodestats));
		if (!pgdat->per_cpu_nodestats)
			return -ENOMEM;
		for_each_zone_of_node(zone, pgdat) {
			zone->pageset = zalloc_aligned(nr_cpu_ids * sizeof(*zone->pageset));
			if (!zone->pageset)
				return -ENOMEM;
		}
	}
	return 0;
}

void vmstat_exit(void)
{
	free(vm_event_states);
	vm_event_states = NULL;
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		pg_data_t *pgdat = NODE_DATA(nid);
		struct zone *zone;

		if (!pgdat)
			continue;
		free(pgdat->per_cpu_nodestats);
		pgdat->per_cpu_nodestats = NULL;
		for_each_zone_of_node(zone, pgdat) {
			free(zone->pageset);
			zone->pageset = NULL;
		}
	}
}

static int fls_ul(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

/* v4.19 calculate_normal_threshold(): grows with CPUs and zone size. */
static int calculate_normal_threshold(const struct zone *zone)
{
	unsigned long mem = zone->managed_pages >> (27 - PAGE_SHIFT);
	int threshold = 2 * fls_ul(num_online_cpus()) * (1 + fls_ul(mem));

	return min(125, threshold);
}

void refresh_zone_stat_thresholds(void)
{
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		struct zone *zone;

		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
			WRITE_ONCE(pgdat->per_cpu_nodestats[cpu].stat_threshold, 0);
		for_each_zone_of_node(zone, pgdat) {
			int threshold;

			if (!populated_zone(zone))
				continue;
			threshold = calculate_normal_threshold(zone);
			for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
				struct per_cpu_nodestat *ns = &pgdat->per_cpu_nodestats[cpu];

				WRITE_ONCE(zone->pageset[cpu].stat_threshold, (signed char)threshold);
				if (threshold > ns->stat_threshold)
					WRITE_ONCE(ns->stat_threshold, (signed char)threshold);
			}
		}
	}
}

void __fold_zone_stat(struct zone *zone, int item, long v)
{
	__atomic_fetch_add(&zone->vm_stat[item], v, __ATOMIC_RELAXED);
}

#ifdef MMSIM_DEBUG
void __percpu_counter_irqs_on(const char *func)
{
	static int reported;		/* atomic: once per process */

	if (current->cpu < 0 || __atomic_exchange_n(&reported, 1, __ATOMIC_RELAXED))
		return;
	report_begin(REPORT_BUG);
	printk("BUG: using %s() with interrupts on [%08x] code: %s/%d\n", func,
	       READ_ONCE(current->preempt_count), current->comm, current->pid);
	printk("an IPI between its load and its store would lose an update of CPU %d's counter\n",
	       current->cpu);
	report_end(REPORT_BUG, -1);
}
#endif

void __mod_node_page_state(pg_data_t *pgdat, enum node_stat_item item, long delta)
{
	struct per_cpu_nodestat *ns = &pgdat->per_cpu_nodestats[raw_smp_processor_id()];
	signed char *p = &ns->vm_node_stat_diff[item];
	long x = *p + delta;

	vmstat_assert_irqs_off();
	if (unlikely(x > ns->stat_threshold || x < -ns->stat_threshold)) {
		__atomic_fetch_add(&pgdat->vm_stat[item], x, __ATOMIC_RELAXED);
		x = 0;
	}
	WRITE_ONCE(*p, (signed char)x);
}

unsigned long zone_page_state_snapshot(const struct zone *zone, enum zone_stat_item item)
{
	long x = __atomic_load_n(&zone->vm_stat[item], __ATOMIC_RELAXED);

	if (zone->pageset)
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
			x += READ_ONCE(zone->pageset[cpu].vm_stat_diff[item]);
	return x < 0 ? 0 : (unsigned long)x;
}

/* A node counter with every CPU's diff: exact while the CPUs are quiet. */
long node_page_state_snapshot(const pg_data_t *pgdat, enum node_stat_item item)
{
	long x = __atomic_load_n(&pgdat->vm_stat[item], __ATOMIC_RELAXED);

	if (pgdat->per_cpu_nodestats)
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
			x += READ_ONCE(pgdat->per_cpu_nodestats[cpu].vm_node_stat_diff[item]);
	return x;
}

unsigned long zone_numa_state_snapshot(const struct zone *zone, enum numa_stat_item item)
{
	long x = __atomic_load_n(&zone->vm_numa_stat[item], __ATOMIC_RELAXED);

	if (!zone->pageset)
		return (unsigned long)x;
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct per_cpu_pageset *p = &zone->pageset[cpu];
		long fast = (long)READ_ONCE(p->stat.fast_allocs);
		int local = machine.cpu_node[cpu] == zone->node;

		x += READ_ONCE(p->vm_numa_stat_diff[item]);
		/* every fast-path allocation: a hit, local to its CPU or not */
		if (item == NUMA_HIT || (item == NUMA_LOCAL && local) ||
		    (item == NUMA_OTHER && !local))
			x += fast;
	}
	return (unsigned long)x;
}

unsigned long node_page_state(const pg_data_t *pgdat, enum node_stat_item item)
{
	long x = __atomic_load_n(&pgdat->vm_stat[item], __ATOMIC_RELAXED);

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		x += READ_ONCE(pgdat->per_cpu_nodestats[cpu].vm_node_stat_diff[item]);
	return x < 0 ? 0 : (unsigned long)x;
}

unsigned long global_zone_page_state(enum zone_stat_item item)
{
	unsigned long x = 0;
	struct zone *zone;

	for_each_zone(zone)
		x += zone_page_state_snapshot(zone, item);
	return x;
}

unsigned long global_numa_state(enum numa_stat_item item)
{
	unsigned long x = 0;
	struct zone *zone;

	for_each_zone(zone)
		x += zone_numa_state_snapshot(zone, item);
	return x;
}

unsigned long global_node_page_state(enum node_stat_item item)
{
	unsigned long x = 0;

	for_each_online_node(nid)
		x += node_page_state(NODE_DATA(nid), item);
	return x;
}

long zone_alloc_pages(const struct zone *zone)
{
	long x = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct per_cpu_pageset *p = &zone->pageset[cpu];

		x += READ_ONCE(p->alloc_pages) + (long)READ_ONCE(p->stat.fast_allocs) -
		     (long)READ_ONCE(p->stat.frees);
	}
	return x;
}

void all_vm_events(unsigned long *ret)
{
	struct zone *zone;

	memset(ret, 0, NR_VM_EVENT_ITEMS * sizeof(*ret));
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
			ret[i] += READ_ONCE(vm_event_states[cpu].event[i]);
	/* what the per-CPU list fast paths counted on their own lines */
	for_each_populated_zone(zone) {
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
			const struct pcp_stats *st = &zone->pageset[cpu].stat;

			ret[PGALLOC_DMA + zone_idx(zone)] += READ_ONCE(st->fast_allocs);
			ret[PGFREE] += READ_ONCE(st->frees);
		}
	}
}

/* ------------------------------------------------------------------ */
/* /proc/vmstat                                                        */

/* Per-zone event names exist only for the arch's configured zones. */
static int event_configured(int i)
{
	static const int per_zone[] = { PGALLOC_DMA, ALLOCSTALL_DMA, PGSCAN_SKIP_DMA };

	for (unsigned int k = 0; k < ARRAY_SIZE(per_zone); k++)
		if (i >= per_zone[k] && i < per_zone[k] + ZONE_MOVABLE + 1)
			return zone_configured[i - per_zone[k]];
	return 1;
}

void vmstat_show(FILE *out)
{
	const char *const *text = vmstat_text;
	unsigned long events[NR_VM_EVENT_ITEMS], wb_limits[2];

	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++, text++)
		if (**text)
			fprintf(out, "%s %lu\n", *text,
				global_zone_page_state((enum zone_stat_item)i));
	for (int i = 0; i < NR_VM_NUMA_STAT_ITEMS; i++, text++)
		fprintf(out, "%s %lu\n", *text, global_numa_state((enum numa_stat_item)i));
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++, text++)
		if (**text)
			fprintf(out, "%s %lu\n", *text,
				global_node_page_state((enum node_stat_item)i));
	/* the dirty limits (page_writeback.c), dirty first as in v4.19 */
	global_dirty_limits(&wb_limits[1], &wb_limits[0]);
	fprintf(out, "%s %lu\n", *text++, wb_limits[0]);
	fprintf(out, "%s %lu\n", *text++, wb_limits[1]);
	all_vm_events(events);
	events[PGPGIN] /= 2;	/* sectors -> kbytes */
	events[PGPGOUT] /= 2;
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++, text++)
		if (event_configured(i))
			fprintf(out, "%s %lu\n", *text, events[i]);
}

/* ------------------------------------------------------------------ */
/* /proc/buddyinfo and /proc/zoneinfo                                  */

void buddyinfo_show(FILE *out)
{
	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			unsigned long nr[MAX_ORDER], irqflags;

			if (!populated_zone(zone))
				continue;
			spin_lock_irqsave(&zone->lock, irqflags);
			for (int o = 0; o < MAX_ORDER; o++)
				nr[o] = zone->free_area[o].nr_free;
			spin_unlock_irqrestore(&zone->lock, irqflags);
			fprintf(out, "Node %d, zone %8s ", nid, zone->name);
			for (int o = 0; o < MAX_ORDER; o++)
				fprintf(out, "%6lu ", nr[o]);
			fputc('\n', out);
		}
	}
}

static int is_zone_first_populated(pg_data_t *pgdat, struct zone *zone)
{
	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (populated_zone(&pgdat->node_zones[i]))
			return zone == &pgdat->node_zones[i];
	return 0;
}

static void zoneinfo_show_print(FILE *out, pg_data_t *pgdat, struct zone *zone)
{
	fprintf(out, "Node %d, zone %8s", pgdat->node_id, zone->name);
	if (is_zone_first_populated(pgdat, zone)) {
		fprintf(out, "\n  per-node stats");
		for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
			fprintf(out, "\n      %-12s %lu",
				vmstat_text[i + NR_VM_ZONE_STAT_ITEMS + NR_VM_NUMA_STAT_ITEMS],
				node_page_state(pgdat, (enum node_stat_item)i));
	}
	fprintf(out,
		"\n  pages free     %lu"
		"\n        min      %lu"
		"\n        low      %lu"
		"\n        high     %lu"
		"\n        spanned  %lu"
		"\n        present  %lu"
		"\n        managed  %lu",
		zone_page_state_snapshot(zone, NR_FREE_PAGES),
		min_wmark_pages(zone), low_wmark_pages(zone), high_wmark_pages(zone),
		zone->spanned_pages, zone->present_pages, zone->managed_pages);
	fprintf(out, "\n        protection: (");
	for (int i = 0, first = 1; i < MAX_NR_ZONES; i++) {
		if (!zone_configured[i])
			continue;
		fprintf(out, "%s%ld", first ? "" : ", ", READ_ONCE(zone->lowmem_reserve[i]));
		first = 0;
	}
	fputc(')', out);
	if (!populated_zone(zone)) {
		fputc('\n', out);
		return;
	}
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		if (vmstat_text[i][0])
			fprintf(out, "\n      %-12s %lu", vmstat_text[i],
				zone_page_state_snapshot(zone, (enum zone_stat_item)i));
	for (int i = 0; i < NR_VM_NUMA_STAT_ITEMS; i++)
		fprintf(out, "\n      %-12s %lu", vmstat_text[i + NR_VM_ZONE_STAT_ITEMS],
			zone_numa_state_snapshot(zone, (enum numa_stat_item)i));
	/* v4.19's layout with 2.6.24's two lists per CPU: 0 hot, 1 cold */
	fprintf(out, "\n  pagesets");
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct per_cpu_pageset *p = &zone->pageset[cpu];

		for (int j = 0; j < 2; j++)
			fprintf(out,
				"\n    cpu: %u pcp: %d"
				"\n              count: %d"
				"\n              high:  %d"
				"\n              batch: %d",
				cpu, j, READ_ONCE(p->pcp[j].count),
				READ_ONCE(p->pcp[j].high), READ_ONCE(p->pcp[j].batch));
		fprintf(out, "\n  vm stats threshold: %d", READ_ONCE(p->stat_threshold));
	}
	fprintf(out,
		"\n  node_unreclaimable:  %u"
		"\n  start_pfn:           %lu",
		0u, zone->zone_start_pfn);
	fputc('\n', out);
}

void zoneinfo_show(FILE *out)
{
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		struct zone *zone;

		/*
		 * v4.19 prints under zone->lock, into seq_file's buffer; here
		 * the output is the caller's FILE, which may block (a pipe
		 * nobody reads), so nothing is printed under the lock.  Nothing
		 * zoneinfo shows needs it: every value is an atomic counter or
		 * a READ_ONCE() of a field written with WRITE_ONCE().
		 */
		for_each_zone_of_node(zone, pgdat) {
			if (!zone_configured[zone_idx(zone)])
				continue;
			zoneinfo_show_print(out, pgdat, zone);
		}
	}
}
