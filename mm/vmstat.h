/* SPDX-License-Identifier: MIT */
/*
 * mm/vmstat.h - counters, kept per CPU and folded as Linux's vmstat does.
 *
 *   vm events	per CPU only (vm_event_states[cpu]); /proc/vmstat sums them.
 *   zone, NUMA and node items
 *		a per-CPU signed diff in the zone's (node's) pageset; when it
 *		passes the CPU's stat_threshold it is folded into the zone's
 *		atomic counter with one atomic add.  So no allocation writes a
 *		shared cache line for its statistics.  Readers take the zone
 *		counter (approximate, as zone_page_state()) or add the diffs
 *		(exact when the CPUs are quiescent, as zone_page_state_snapshot()).
 *
 * Only the owning CPU writes its diffs (relaxed load + store); readers use
 * READ_ONCE().  Nobody folds another CPU's diffs.
 */
#ifndef MM_VMSTAT_H
#define MM_VMSTAT_H

#include "mmzone.h"
#include "../numa/machine.h"

#define FOR_ALL_ZONES(x) x##_DMA, x##_DMA32, x##_NORMAL, x##_HIGH, x##_MOVABLE

enum vm_event_item {
	PGPGIN, PGPGOUT, PSWPIN, PSWPOUT,
	FOR_ALL_ZONES(PGALLOC),
	FOR_ALL_ZONES(ALLOCSTALL),
	FOR_ALL_ZONES(PGSCAN_SKIP),
	PGFREE, PGACTIVATE, PGDEACTIVATE, PGLAZYFREE,
	PGFAULT, PGMAJFAULT,
	PGLAZYFREED,
	PGREFILL,
	PGSTEAL_KSWAPD,
	PGSTEAL_DIRECT,
	PGSCAN_KSWAPD,
	PGSCAN_DIRECT,
	PGSCAN_DIRECT_THROTTLE,
	PGSCAN_ZONE_RECLAIM_FAILED,
	PGINODESTEAL, SLABS_SCANNED, KSWAPD_INODESTEAL,
	KSWAPD_LOW_WMARK_HIT_QUICKLY, KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	PAGEOUTRUN, PGROTATED,
	DROP_PAGECACHE, DROP_SLAB,
	OOM_KILL,
	PGMIGRATE_SUCCESS, PGMIGRATE_FAIL,
	COMPACTMIGRATE_SCANNED, COMPACTFREE_SCANNED,
	COMPACTISOLATED,
	COMPACTSTALL, COMPACTFAIL, COMPACTSUCCESS,
	KCOMPACTD_WAKE,
	KCOMPACTD_MIGRATE_SCANNED, KCOMPACTD_FREE_SCANNED,
	UNEVICTABLE_PGCULLED,
	UNEVICTABLE_PGSCANNED,
	UNEVICTABLE_PGRESCUED,
	UNEVICTABLE_PGMLOCKED,
	UNEVICTABLE_PGMUNLOCKED,
	UNEVICTABLE_PGCLEARED,
	UNEVICTABLE_PGSTRANDED,
	SWAP_RA,
	SWAP_RA_HIT,
	NR_VM_EVENT_ITEMS
};

struct vm_event_state {
	unsigned long event[NR_VM_EVENT_ITEMS];
} ____cacheline_aligned;

extern struct vm_event_state *vm_event_states;	/* [nr_cpu_ids] */

/*
 * The __ updaters of per-CPU counters below are a load and a store: an IPI
 * in between that updates the same counter (a drain, a shrink freeing
 * pages on this CPU) would be lost.  So, as the kernel's __this_cpu_*
 * operations need preemption off, they need interrupts off; debug builds
 * check it (the kernel's CONFIG_DEBUG_PREEMPT check), and report once.
 */
#ifdef MMSIM_DEBUG
void __percpu_counter_irqs_on(const char *func);
#define vmstat_assert_irqs_off()					\
	do {								\
		if (unlikely(!irqs_disabled()))				\
			__percpu_counter_irqs_on(__func__);		\
	} while (0)
#else
#define vmstat_assert_irqs_off() do { } while (0)
#endif

static inline void __count_vm_events(enum vm_event_item item, long delta)
{
	unsigned long *p = &vm_event_states[raw_smp_processor_id()].event[item];

	vmstat_assert_irqs_off();
	WRITE_ONCE(*p, *p + delta);
}
#define __count_vm_event(item) __count_vm_events((item), 1)
#define __count_zid_vm_events(item, zid, delta) \
	__count_vm_events((enum vm_event_item)(item##_DMA + (zid)), (delta))

static inline struct per_cpu_pageset *this_cpu_pageset(struct zone *zone)
{
	return &zone->pageset[raw_smp_processor_id()];
}

void __fold_zone_stat(struct zone *zone, int item, long v);

static inline void __mod_zone_page_state(struct zone *zone,
					 enum zone_stat_item item, long delta)
{
	struct per_cpu_pageset *pcp = this_cpu_pageset(zone);
	signed char *p = &pcp->vm_stat_diff[item];
	long x = *p + delta;

	vmstat_assert_irqs_off();
	if (unlikely(x > pcp->stat_threshold || x < -pcp->stat_threshold)) {
		__fold_zone_stat(zone, item, x);
		x = 0;
	}
	WRITE_ONCE(*p, (signed char)x);
}

static inline void __inc_numa_state(struct zone *zone, enum numa_stat_item item)
{
	unsigned short *p = &this_cpu_pageset(zone)->vm_numa_stat_diff[item];
	unsigned int v = *p + 1u;

	vmstat_assert_irqs_off();
	if (unlikely(v > NUMA_STATS_THRESHOLD)) {
		__atomic_fetch_add(&zone->vm_numa_stat[item], (long)v, __ATOMIC_RELAXED);
		v = 0;
	}
	WRITE_ONCE(*p, (unsigned short)v);
}

void __mod_node_page_state(pg_data_t *pgdat, enum node_stat_item item, long delta);

/* v4.19 zone_statistics(): hit or miss/foreign, and local or other. */
static inline void zone_statistics(struct zone *preferred_zone, struct zone *z)
{
	if (likely(z->node == preferred_zone->node)) {
		__inc_numa_state(z, NUMA_HIT);
	} else {
		__inc_numa_state(z, NUMA_MISS);
		__inc_numa_state(preferred_zone, NUMA_FOREIGN);
	}
	__inc_numa_state(z, likely(z->node == machine.cpu_node[raw_smp_processor_id()]) ?
			 NUMA_LOCAL : NUMA_OTHER);
}

/* NR_FREE_PAGES changes only under zone->lock and is kept exact. */
static inline void __mod_zone_freepage_state(struct zone *zone, long nr_pages)
{
	lockdep_assert_held(&zone->lock);
	__atomic_fetch_add(&zone->vm_stat[NR_FREE_PAGES], nr_pages, __ATOMIC_RELAXED);
}

/* The allocated-pages side of the conservation law, per CPU. */
static inline void __mod_zone_alloc_pages(struct zone *zone, long nr_pages)
{
	struct per_cpu_pageset *pcp = this_cpu_pageset(zone);

	vmstat_assert_irqs_off();
	WRITE_ONCE(pcp->alloc_pages, pcp->alloc_pages + nr_pages);
}

/* The forms for callers with interrupts on (they turn them off around the
 * update, as the kernel's mod_node_page_state()/count_vm_events()). */
static inline void count_vm_events(enum vm_event_item item, long delta)
{
	unsigned long flags;

	local_irq_save(flags);
	__count_vm_events(item, delta);
	local_irq_restore(flags);
}
#define count_vm_event(item) count_vm_events((item), 1)

static inline void mod_node_page_state(pg_data_t *pgdat, enum node_stat_item item, long delta)
{
	unsigned long flags;

	local_irq_save(flags);
	__mod_node_page_state(pgdat, item, delta);
	local_irq_restore(flags);
}

static inline void mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long delta)
{
	unsigned long flags;

	local_irq_save(flags);
	__mod_zone_page_state(zone, item, delta);
	local_irq_restore(flags);
}

static inline unsigned long zone_page_state(const struct zone *zone,
					    enum zone_stat_item item)
{
	long x = __atomic_load_n(&zone->vm_stat[item], __ATOMIC_RELAXED);

	return x < 0 ? 0 : (unsigned long)x;
}

unsigned long zone_page_state_snapshot(const struct zone *zone, enum zone_stat_item item);
long node_page_state_snapshot(const pg_data_t *pgdat, enum node_stat_item item);
unsigned long zone_numa_state_snapshot(const struct zone *zone, enum numa_stat_item item);
unsigned long node_page_state(const pg_data_t *pgdat, enum node_stat_item item);
unsigned long global_zone_page_state(enum zone_stat_item item);
unsigned long global_numa_state(enum numa_stat_item item);
unsigned long global_node_page_state(enum node_stat_item item);
long zone_alloc_pages(const struct zone *zone);
void all_vm_events(unsigned long *ret);

int vmstat_init(void);
void vmstat_exit(void);
void refresh_zone_stat_thresholds(void);

/* /proc */
void vmstat_show(FILE *out);
void zoneinfo_show(FILE *out);
void buddyinfo_show(FILE *out);
void meminfo_show(FILE *out);
extern const char *const vmstat_text[];

#endif /* MM_VMSTAT_H */
