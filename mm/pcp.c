// SPDX-License-Identifier: MIT
/*
 * mm/pcp.c - per-CPU hot/cold page lists (the 2.6.24 design).
 *
 * Map:
 *   zone->pageset[cpu].pcp[0]	hot list: freed pages likely still in this
 *				CPU's cache; high = 6 * batch
 *   zone->pageset[cpu].pcp[1]	cold list (__GFP_COLD, free_cold_page());
 *				high = 2 * batch, batch = max(1, batch / 2)
 *   pcp_alloc(), rmqueue_pcplist()
 *				order-0 allocation: pop the list head; an
 *				empty list is first refilled with `batch` pages
 *				in one zone->lock hold (rmqueue_bulk)
 *   pcp_free(), free_hot_cold_page()
 *				order-0 free: push on the head; at count >=
 *				high, `batch` pages from the tail go back to
 *				the buddy lists in one lock hold
 *   pcp_alloc_fast(), pcp_free_fast() (pcp.h, inline in page_alloc.c)
 *				the order-0 fast paths: pop and push with
 *				interrupts off, refills and drains left to these
 *   drain_local_pages(), drain_all_pages(), the CPU online/offline callbacks
 *   current->pcp_percpu		this CPU's fast table: per gfp zone combination
 *				the preferred zone and this CPU's pageset of it
 *   zone_pcp_pages(), pcp_stats_read()
 *				what readers on any thread see of the lists:
 *				their counts and counters, read with READ_ONCE()
 *
 * Correctness argument.
 *
 * Ownership: a CPU's lists, their counts and the per-CPU counters beside
 * them are touched only by the thread that is that CPU, and only with its
 * interrupts disabled (local_irq_save(), or in the fast paths a plain store
 * of current->irqs_disabled, which they require to be 0).  The fast path
 * therefore takes no lock and issues no atomic read-modify-write on list
 * state: it writes only its own pageset line (the page's own refcount is
 * the one atomic, as in Linux).  Others read count with READ_ONCE().
 *
 * Remote drains are IPIs (numa/ipi.c): drain_all_pages() queues a call on
 * every CPU whose lists hold pages and waits for each to have run it on
 * that CPU's own thread.  The call runs with interrupts disabled, so it
 * never interleaves with the owner's own list operations: an IPI that
 * arrives inside one is deferred to its local_irq_restore().  Queueing is
 * a release CAS and taking the queue an acquire exchange; "done" is a
 * release store read with an acquire load, so the drainer sees every page
 * back in the buddy lists (whose state zone->lock orders in any case).
 *
 * Pages are never lost or duplicated: a page moves between a pcp list and
 * the buddy lists only under zone->lock, with NR_FREE_PAGES adjusted in
 * the same hold, and between a pcp list and its user only on the owner's
 * thread.  A page that sat on CPU c's list when drain_all_pages() began is,
 * when it returns, either back in the buddy lists (c ran the drain) or was
 * handed out by c before the drain ran.  A CPU with no thread has empty
 * lists: going offline drains them (and runs calls queued until then).
 *
 * high and batch are rewritten by vm.percpu_pagelist_fraction while the
 * owners run (WRITE_ONCE: batch 1, then high, then batch, as v4.19 does);
 * the owner reads each once per operation and never frees more than the
 * list holds, so any mix of old and new values is safe.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include <mmsim/mutex.h>
#include "pcp.h"
#include "../numa/ipi.h"
#include <mmsim/jitter.h>

static int percpu_pagelist_fraction;	/* pcp_sysctl_mutex; READ_ONCE */
static DEFINE_MUTEX(pcp_sysctl_mutex);

/* REFERENCE.md's zone_batchsize(): about 1/4 of a MiB of pages, 2^n - 1. */
int zone_batchsize(const struct zone *zone)
{
	unsigned long batch = min(zone->managed_pages / 1024, 256UL);

	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = (1UL << (63 - __builtin_clzl(batch + batch / 2))) - 1;
	return (int)batch;
}

static void pcp_set(struct per_cpu_pages *pcp, int high, int batch)
{
	/* batch 1 first, so that batch never exceeds high on the way */
	WRITE_ONCE(pcp->batch, 1);
	WRITE_ONCE(pcp->high, high);
	WRITE_ONCE(pcp->batch, batch);
}

/* Hot and cold lists of one pageset, from the zone and the fraction. */
static void pageset_set_high_and_batch(struct zone *zone, struct per_cpu_pageset *p,
				       int fraction)
{
	int batch = zone_batchsize(zone);

	pcp_set(&p->pcp[0], 6 * batch, max(1, batch));
	pcp_set(&p->pcp[1], 2 * batch, max(1, batch / 2));
	if (fraction) {
		/* 2.6.24 setup_pagelist_highmark(): the hot list only */
		int high = (int)(zone->managed_pages / (unsigned long)fraction);

		batch = max(1, high / 4);
		if (high / 4 > PAGE_SHIFT * 8)
			batch = PAGE_SHIFT * 8;
		pcp_set(&p->pcp[0], high, batch);
	}
}

static void setup_zone_pagesets(void)
{
	percpu_pagelist_fraction = 0;
	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
				struct per_cpu_pageset *p = &zone->pageset[cpu];

				for (int j = 0; j < 2; j++) {
					p->pcp[j].count = 0;
					CDS_INIT_LIST_HEAD(&p->pcp[j].list);
				}
				if (populated_zone(zone))
					pageset_set_high_and_batch(zone, p, 0);
			}
		}
	}
}

/*
 * Refill: up to `count` order-0 pages from the buddy lists onto the list's
 * tail, in one zone->lock hold.  Interrupts are already disabled.
 */
static int rmqueue_bulk(struct zone *zone, int count, struct cds_list_head *list)
{
	int i, taken = 0;

	spin_lock(&zone->lock);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue_smallest(zone, 0);

		if (unlikely(!page))
			break;
		if (unlikely(check_new_page(page)))
			continue;	/* corrupt: reported, kept out of circulation */
		cds_list_add_tail(&page->lru, list);
		taken++;
	}
	jitter_point();		/* inside zone->lock, between the lists and the counter */
	__mod_zone_freepage_state(zone, -(long)i);
	spin_unlock(&zone->lock);
	/* a corrupt page counts as allocated: it never comes back */
	if (unlikely(i != taken))
		__mod_zone_alloc_pages(zone, i - taken);
	return taken;
}

/* Up to `count` pages from the list's tail back to the buddy lists. */
static int free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp)
{
	int n = 0;

	spin_lock(&zone->lock);
	while (n < count && !cds_list_empty(&pcp->list)) {
		struct page *page = cds_list_entry(pcp->list.prev, struct page, lru);

		cds_list_del(&page->lru);
		__free_one_page(page, page_to_pfn(page), zone, 0);
		n++;
	}
	jitter_point();		/* inside zone->lock, between the lists and the counter */
	__mod_zone_freepage_state(zone, n);
	spin_unlock(&zone->lock);
	WRITE_ONCE(pcp->count, pcp->count - n);
	return n;
}

/*
 * The general path: pop from this CPU's list, refilling it with `batch`
 * pages in one zone->lock hold when it is empty; NULL when the buddy lists
 * are empty too.  Counts the hit, the allocation, PGALLOC and the NUMA
 * statistics (against preferred_zone, or none if it is NULL), all in the
 * interrupts-off window of the list operation.
 */
struct page *pcp_alloc(struct zone *preferred_zone, struct zone *zone, int cold,
		       unsigned int cpu)
{
	struct per_cpu_pageset *pset = &zone->pageset[cpu];
	struct per_cpu_pages *pcp = &pset->pcp[cold];
	struct page *page;
	unsigned long flags;

	local_irq_save(flags);
	page = __pcp_pop(pcp);
	if (unlikely(!page)) {
		int n = rmqueue_bulk(zone, READ_ONCE(pcp->batch), &pcp->list);

		WRITE_ONCE(pcp->count, pcp->count + n);
		WRITE_ONCE(pset->stat.refills, pset->stat.refills + 1);
		WRITE_ONCE(pset->stat.refill_pages, pset->stat.refill_pages + (unsigned long)n);
		page = __pcp_pop(pcp);
	}
	if (page) {
		WRITE_ONCE(pset->stat.hits, pset->stat.hits + 1);
		WRITE_ONCE(pset->alloc_pages, pset->alloc_pages + 1);
		if (preferred_zone) {
			__count_zid_vm_events(PGALLOC, zone_idx(zone), 1);
			zone_statistics(preferred_zone, zone);
		}
	}
	local_irq_restore(flags);
	return page;
}

/*
 * Push a checked order-0 page (refcount 0) on this CPU's list; at high,
 * `batch` pages from the tail go back to the buddy lists in one lock hold.
 */
void pcp_free(struct page *page, struct zone *zone, int cold, unsigned int cpu)
{
	struct per_cpu_pageset *pset = &zone->pageset[cpu];
	struct per_cpu_pages *pcp = &pset->pcp[cold];
	unsigned long flags;

	local_irq_save(flags);
	WRITE_ONCE(pset->stat.frees, pset->stat.frees + 1);
	if (page->alloc_cpu != (int)cpu)
		WRITE_ONCE(pset->stat.remote_frees, pset->stat.remote_frees + 1);
	if (__pcp_push(pcp, page) >= READ_ONCE(pcp->high)) {
		int n = free_pcppages_bulk(zone, READ_ONCE(pcp->batch), pcp);

		WRITE_ONCE(pset->stat.drains, pset->stat.drains + 1);
		WRITE_ONCE(pset->stat.drain_pages, pset->stat.drain_pages + (unsigned long)n);
	}
	local_irq_restore(flags);
}

struct page *rmqueue_pcplist(struct zone *preferred_zone, struct zone *zone, gfp_t gfp_flags)
{
	struct page *page = pcp_alloc(preferred_zone, zone, !!(gfp_flags & __GFP_COLD),
				      (unsigned int)raw_smp_processor_id());

	if (!page)
		return NULL;
#ifdef MMSIM_DEBUG
	if (check_new_page(page))
		return NULL;	/* reported; kept out of circulation (counted allocated) */
#endif
	return page;
}

/* An order-0 page whose last reference is gone, checked, onto this CPU's list. */
void free_hot_cold_page(struct page *page, int cold)
{
	pcp_free(page, __page_zone(page), cold, (unsigned int)raw_smp_processor_id());
}

/* This CPU's lists of one zone (or every zone) back to the buddy lists. */
static void drain_pages(struct zone *only)
{
	unsigned long flags;

	local_irq_save(flags);
	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			struct per_cpu_pageset *pset;

			if ((only && zone != only) || !populated_zone(zone))
				continue;
			pset = this_cpu_pageset(zone);
			for (int j = 0; j < 2; j++) {
				struct per_cpu_pages *pcp = &pset->pcp[j];

				if (pcp->count)
					free_pcppages_bulk(zone, pcp->count, pcp);
			}
		}
	}
	local_irq_restore(flags);
}

void drain_local_pages(struct zone *zone)
{
	if (unlikely(!caller_is_cpu(__func__)))
		return;
	drain_pages(zone);
}

static void drain_local_pages_ipi(void *zone)
{
	drain_pages(zone);
}

static int cpu_has_pages(unsigned int cpu, struct zone *only)
{
	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			if ((only && zone != only) || !populated_zone(zone))
				continue;
			if (READ_ONCE(zone->pageset[cpu].pcp[0].count) ||
			    READ_ONCE(zone->pageset[cpu].pcp[1].count))
				return 1;
		}
	}
	return 0;
}

/*
 * Every CPU's lists (of one zone, or all) back to the buddy lists; returns
 * when each CPU that held pages has drained.  Any thread may call it, in
 * process context: it waits for the other CPUs (v4.19 waits for their
 * work items), which a caller with interrupts off, or two of them waiting
 * for each other, could never see end: such a call is reported as a
 * sleeping call in atomic context and refused.
 */
void drain_all_pages(struct zone *zone)
{
	struct cpumask mask;

	if (!smp_load_acquire(&mm_booted))
		return;
	if (unlikely(might_sleep()))
		return;
	cpumask_clear(&mask);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_has_pages(cpu, zone))
			cpumask_set_cpu(cpu, &mask);
	if (current->cpu >= 0 && cpumask_test_cpu((unsigned int)current->cpu, &mask))
		drain_pages(zone);
	jitter_point();		/* the hand-off: the other CPUs' lists refill meanwhile */
	smp_call_function_many(&mask, drain_local_pages_ipi, zone);
}

/*
 * Linux 5.13's zone_pcp_disable(): high 0 and batch 1 on every CPU, so that
 * an order-0 page passes straight through the lists, and the lists drained.
 * zone_pcp_enable() restores the sizes.  (Used where exact buddy-level
 * accounting matters: the watermark tests.)
 */
void zone_pcp_disable(struct zone *zone)
{
	mutex_lock(&pcp_sysctl_mutex);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		for (int j = 0; j < 2; j++)
			pcp_set(&zone->pageset[cpu].pcp[j], 0, 1);
	mutex_unlock(&pcp_sysctl_mutex);
	drain_all_pages(zone);
}

void zone_pcp_enable(struct zone *zone)
{
	mutex_lock(&pcp_sysctl_mutex);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		pageset_set_high_and_batch(zone, &zone->pageset[cpu], percpu_pagelist_fraction);
	mutex_unlock(&pcp_sysctl_mutex);
}

static struct pcp_fast *pcp_fast_tables;	/* [nr_cpu_ids], read-only while booted */

static void build_fast_tables(void)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		pg_data_t *pgdat = NODE_DATA(machine.cpu_node[cpu]);

		for (unsigned int bits = 0; bits <= GFP_ZONEMASK; bits++) {
			struct zone *zone = pgdat->fast_zone[bits];

			pcp_fast_tables[cpu].fast[bits].zone = zone;
			pcp_fast_tables[cpu].fast[bits].pset = zone ? &zone->pageset[cpu] : NULL;
		}
	}
}

/* CPU hotplug: an attaching CPU finds its table through current. */
static void pcp_cpu_online(unsigned int cpu)
{
	/* page debugging sees every page: no fast paths */
	current->pcp_percpu = page_debug_on ? NULL : &pcp_fast_tables[cpu];
}

/* The detaching CPU empties its lists (interrupts are off). */
static void pcp_cpu_offline(unsigned int cpu)
{
	(void)cpu;
	drain_pages(NULL);
	current->pcp_percpu = NULL;
}

static const struct cpuhp_state pcp_hp = {
	.name = "mm/pcp:online",
	.online = pcp_cpu_online,
	.offline = pcp_cpu_offline,
};

int pcp_init(void)
{
	pcp_fast_tables = aligned_alloc(SMP_CACHE_BYTES, nr_cpu_ids * sizeof(*pcp_fast_tables));
	if (!pcp_fast_tables)
		return -ENOMEM;
	setup_zone_pagesets();
	build_fast_tables();
	return cpuhp_setup_state(&pcp_hp);
}

void pcp_exit(void)
{
	cpuhp_remove_state(&pcp_hp);
	free(pcp_fast_tables);
	pcp_fast_tables = NULL;
}

/* Pages on every CPU's lists of a zone (exact when the CPUs are quiet). */
unsigned long zone_pcp_pages(const struct zone *zone)
{
	unsigned long n = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += (unsigned long)(READ_ONCE(zone->pageset[cpu].pcp[0].count) +
				     READ_ONCE(zone->pageset[cpu].pcp[1].count));
	return n;
}

int pcp_stats_read(unsigned int cpu, struct pcp_stats *st)
{
	struct zone *zone;

	if (mm_life_read_lock())
		return -ENODEV;
	if (cpu >= nr_cpu_ids) {
		mm_life_read_unlock();
		return -EINVAL;
	}
	memset(st, 0, sizeof(*st));
	for_each_populated_zone(zone) {
		const struct pcp_stats *p = &zone->pageset[cpu].stat;

		st->fast_allocs += READ_ONCE(p->fast_allocs);
		st->frees += READ_ONCE(p->frees);
		st->hits += READ_ONCE(p->hits);
		st->refills += READ_ONCE(p->refills);
		st->refill_pages += READ_ONCE(p->refill_pages);
		st->drains += READ_ONCE(p->drains);
		st->drain_pages += READ_ONCE(p->drain_pages);
		st->remote_frees += READ_ONCE(p->remote_frees);
	}
	mm_life_read_unlock();
	return 0;
}

/* ------------------------------------------------------------------ */
/* vm.percpu_pagelist_fraction                                         */

int pcp_sysctl_write(const char *name, const char *value)
{
	char *end;
	long v;

	(void)name;
	v = strtol(value, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (end == value || *end || v < 0 || v > 0x7fffffff || (v && v < 8))
		return -EINVAL;	/* 0, or at least MIN_PERCPU_PAGELIST_FRACTION */
	mutex_lock(&pcp_sysctl_mutex);
	if (v != percpu_pagelist_fraction) {
		WRITE_ONCE(percpu_pagelist_fraction, (int)v);
		for_each_online_node(nid) {
			struct zone *zone;

			for_each_zone_of_node(zone, NODE_DATA(nid)) {
				if (!populated_zone(zone))
					continue;
				for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
					pageset_set_high_and_batch(zone, &zone->pageset[cpu], (int)v);
			}
		}
	}
	mutex_unlock(&pcp_sysctl_mutex);
	return 0;
}

int pcp_sysctl_read(const char *name, char *buf, size_t len)
{
	int n;

	(void)name;
	n = snprintf(buf, len, "%d", READ_ONCE(percpu_pagelist_fraction));
	return (size_t)n >= len ? -ENOSPC : 0;
}
