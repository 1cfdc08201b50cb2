// SPDX-License-Identifier: MIT
/*
 * mm/check.c - mm_check(): walk every zone and test the invariants of
 * mmzone.h against the truth (the lists and the memmap), not against the
 * counters that the allocator keeps for itself.
 *
 * Each zone is checked under its zone->lock.  The conservation law adds the
 * per-CPU allocated counters, which are exact only while no CPU is inside
 * the allocator: call mm_check() with the machine quiescent (the harness
 * does it under stop_machine(), the tests after their CPUs have stopped).
 * It allocates with mmap(), never malloc(): a CPU stopped by stop_machine()
 * may hold the C library's allocator lock.
 *
 * Each violation is one line on the report; a check that finds none says
 * so in one line with the conservation law it verified, summed over the
 * zones ("... 32768 pages = 31000 free + 120 on per-CPU lists + 1648
 * allocated (52 slab pages in 31 caches)").
 *
 * mm_check_stopped() (mmsim/inspect.h) is mm_check() under stop_machine(),
 * for a program whose CPUs keep running: a harness's periodic check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "internal.h"
#include "reclaim.h"
#include "slab.h"
#include "vmalloc.h"
#include "reclaim.h"
#include "../numa/ipi.h"

struct checker {
	struct check_log log;
};

#define CHECK_LOG_BYTES	(256 * 1024)

void check_log_violation(struct check_log *log, const char *prefix, const char *fmt,
			 va_list ap)
{
	size_t room;
	int n;

	log->violations++;
	if (!log->report)
		return;
	if (!log->buf) {
		void *p = mmap(NULL, CHECK_LOG_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			log->dropped++;
			return;
		}
		log->buf = p;
		log->cap = CHECK_LOG_BYTES;
	}
	room = log->cap - log->len;
	n = snprintf(log->buf + log->len, room, "%s", prefix);
	if (n >= 0 && (size_t)n < room)
		n += vsnprintf(log->buf + log->len + (size_t)n, room - (size_t)n, fmt, ap);
	if (n < 0 || (size_t)n + 1 >= room) {
		log->dropped++;
		log->buf[log->len] = '\0';	/* the partial line goes */
		return;
	}
	log->len += (size_t)n;
	log->buf[log->len++] = '\n';
}

/* Write what was found (no lock may be held) and start again. */
void check_log_flush(struct check_log *log)
{
	if (log->report && log->len)
		fwrite(log->buf, 1, log->len, log->report);
	if (log->report && log->dropped)
		fprintf(log->report, "mm_check: ... and %lu more violation%s\n", log->dropped,
			str_plural(log->dropped));
	if (log->buf)
		munmap(log->buf, log->cap);
	log->buf = NULL;
	log->len = log->cap = 0;
	log->dropped = 0;
}

/* What the zones hold, as the walk found it (for the line of a pass). */
struct check_totals {
	unsigned int zones;
	unsigned long managed, free, pcp;
	long allocated;
};

static void __printf(2, 3) violation(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(&c->log, "mm_check: ", fmt, ap);
	va_end(ap);
}

static inline int test_and_set(unsigned long *map, unsigned long bit)
{
	unsigned long mask = 1UL << (bit % 64);
	int old = (map[bit / 64] & mask) != 0;

	map[bit / 64] |= mask;
	return old;
}

static inline int test_bit_map(const unsigned long *map, unsigned long bit)
{
	return (map[bit / 64] >> (bit % 64)) & 1;
}

/* The free lists of one order: well-formed, in the zone, no overlap. */
static unsigned long check_free_area(struct checker *c, struct zone *zone,
				     unsigned int order, unsigned long *covered)
{
	struct free_area *area = &zone->free_area[order];
	unsigned long start = zone->zone_start_pfn, end = start + zone->spanned_pages;
	unsigned long n = 0, limit = zone->spanned_pages + 1;
	struct cds_list_head *pos;

	for (pos = area->free_list.next; pos != &area->free_list; pos = pos->next) {
		struct page *page = cds_list_entry(pos, struct page, lru);
		unsigned long pfn = page_to_pfn(page), overlap = 0;

		if (++n > limit) {
			violation(c, "node %d zone %s order %u: free list does not end (corrupt)",
				  zone->node, zone->name, order);
			break;
		}
		if (pfn < start || pfn + (1UL << order) > end) {
			violation(c, "node %d zone %s order %u: free block pfn %#lx lies outside the zone [%#lx, %#lx)",
				  zone->node, zone->name, order, pfn, start, end);
			continue;
		}
		if (pfn & ((1UL << order) - 1))
			violation(c, "node %d zone %s: free block pfn %#lx is not aligned to its order %u",
				  zone->node, zone->name, pfn, order);
		if (!PageBuddy(page))
			violation(c, "node %d zone %s order %u: free block pfn %#lx has no PG_buddy",
				  zone->node, zone->name, order, pfn);
		if (page_order(page) != order)
			violation(c, "node %d zone %s: free block pfn %#lx on the order-%u list says order %u",
				  zone->node, zone->name, pfn, order, page_order(page));
		if (page_ref_count(page))
			violation(c, "node %d zone %s order %u: free block pfn %#lx has refcount %d",
				  zone->node, zone->name, order, pfn, page_ref_count(page));
		if (__page_zone(page) != zone)
			violation(c, "node %d zone %s order %u: free block pfn %#lx belongs to another zone",
				  zone->node, zone->name, order, pfn);
		for (unsigned long i = 0; i < (1UL << order); i++)
			overlap += test_and_set(covered, pfn - start + i);
		if (overlap)
			violation(c, "node %d zone %s order %u: free block pfn %#lx overlaps another free block (%lu frame%s)",
				  zone->node, zone->name, order, pfn, overlap, str_plural(overlap));
		/* Two free buddies of one order would have merged. */
		if (order < MAX_ORDER - 1 && PageBuddy(page) && page_order(page) == order) {
			unsigned long bpfn = pfn ^ (1UL << order);
			struct page *buddy = pfn_to_page(bpfn);

			if (bpfn >= start && bpfn < end && PageBuddy(buddy) &&
			    page_order(buddy) == order && bpfn > pfn)
				violation(c, "node %d zone %s: free buddies pfn %#lx and %#lx of order %u are not merged",
					  zone->node, zone->name, pfn, bpfn, order);
		}
	}
	if (n != READ_ONCE(area->nr_free))
		violation(c, "node %d zone %s order %u: nr_free is %lu but the list holds %lu block%s",
			  zone->node, zone->name, order, READ_ONCE(area->nr_free), n, str_plural(n));
	return n << order;
}

/* One CPU's hot or cold list: in the zone, not free, on no other list. */
static unsigned long check_pcp_list(struct checker *c, struct zone *zone,
				    unsigned int cpu, int j, unsigned long *covered)
{
	struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp[j];
	unsigned long start = zone->zone_start_pfn, end = start + zone->spanned_pages;
	unsigned long n = 0, limit = zone->spanned_pages + 1;
	const char *which = j ? "cold" : "hot";
	struct cds_list_head *pos;

	for (pos = pcp->list.next; pos != &pcp->list; pos = pos->next) {
		struct page *page = cds_list_entry(pos, struct page, lru);
		unsigned long pfn = page_to_pfn(page);

		if (++n > limit) {
			violation(c, "node %d zone %s: cpu %u %s list does not end (corrupt)",
				  zone->node, zone->name, cpu, which);
			break;
		}
		if (pfn < start || pfn >= end || __page_zone(page) != zone) {
			violation(c, "node %d zone %s: cpu %u %s list holds pfn %#lx of another zone",
				  zone->node, zone->name, cpu, which, pfn);
			continue;
		}
		if (PageBuddy(page))
			violation(c, "node %d zone %s: cpu %u %s list holds pfn %#lx with PG_buddy",
				  zone->node, zone->name, cpu, which, pfn);
		if (page_ref_count(page))
			violation(c, "node %d zone %s: cpu %u %s list holds pfn %#lx with refcount %d",
				  zone->node, zone->name, cpu, which, pfn, page_ref_count(page));
		if (test_and_set(covered, pfn - start))
			violation(c, "node %d zone %s: pfn %#lx on cpu %u's %s list is also on another list",
				  zone->node, zone->name, pfn, cpu, which);
	}
	if (n != (unsigned long)READ_ONCE(pcp->count))
		violation(c, "node %d zone %s: cpu %u %s list count is %d but it holds %lu page%s",
			  zone->node, zone->name, cpu, which, READ_ONCE(pcp->count), n, str_plural(n));
	/* pcp_set() keeps 1 <= batch <= high on the way (high 0: disabled) */
	if (READ_ONCE(pcp->batch) < 1 || READ_ONCE(pcp->high) < 0 ||
	    (READ_ONCE(pcp->high) && READ_ONCE(pcp->batch) > READ_ONCE(pcp->high)))
		violation(c, "node %d zone %s: cpu %u %s list high %d, batch %d (want 1 <= batch <= high)",
			  zone->node, zone->name, cpu, which, READ_ONCE(pcp->high),
			  READ_ONCE(pcp->batch));
	return n;
}

static int __zone_is_valid(struct zone *zone, FILE *report, struct check_totals *t)
{
	struct checker c = { .log = { .report = report } };
	unsigned long start = zone->zone_start_pfn, nfree = 0, npcp = 0, counted;
	size_t map_len = (zone->spanned_pages / 64 + 1) * sizeof(long);
	unsigned long *covered = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long irqflags;
	long allocated;

	if (covered == MAP_FAILED) {
		violation(&c, "node %d zone %s: out of memory for the check", zone->node, zone->name);
		check_log_flush(&c.log);
		return c.log.violations;
	}
	spin_lock_irqsave(&zone->lock, irqflags);
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		nfree += check_free_area(&c, zone, o, covered);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		for (int j = 0; j < 2; j++)
			npcp += check_pcp_list(&c, zone, cpu, j, covered);

	/* Every frame flagged PG_buddy must head a block on a free list (a
	 * frame on a per-CPU list without it was checked above). */
	for (unsigned long i = 0; i < zone->spanned_pages; i++) {
		struct page *page = pfn_to_page(start + i);

		if (!PageBuddy(page))
			continue;
		if (!test_bit_map(covered, i))
			violation(&c, "node %d zone %s: pfn %#lx has PG_buddy but is on no free list",
				  zone->node, zone->name, start + i);
	}
	counted = zone_page_state(zone, NR_FREE_PAGES);
	if (counted != nfree)
		violation(&c, "node %d zone %s: NR_FREE_PAGES is %lu but the free lists hold %lu page%s",
			  zone->node, zone->name, counted, nfree, str_plural(nfree));
	if (min_wmark_pages(zone) > low_wmark_pages(zone) ||
	    low_wmark_pages(zone) > high_wmark_pages(zone))
		violation(&c, "node %d zone %s: watermarks out of order: min %lu low %lu high %lu",
			  zone->node, zone->name, min_wmark_pages(zone),
			  low_wmark_pages(zone), high_wmark_pages(zone));
	spin_unlock_irqrestore(&zone->lock, irqflags);

	allocated = zone_alloc_pages(zone);
	if (allocated < 0 || nfree + npcp + (unsigned long)allocated != zone->managed_pages)
		violation(&c, "node %d zone %s: conservation: free %lu + per-CPU lists %lu + allocated %ld != managed %lu",
			  zone->node, zone->name, nfree, npcp, allocated, zone->managed_pages);
	munmap(covered, map_len);
	check_log_flush(&c.log);
	t->zones++;
	t->managed += zone->managed_pages;
	t->free += nfree;
	t->pcp += npcp;
	t->allocated += allocated;
	return c.log.violations;
}

int zone_is_valid(struct zone *zone, FILE *report)
{
	struct check_totals t = { 0 };

	return __zone_is_valid(zone, report, &t);
}

/* The line of a check that found nothing wrong. */
static void report_pass(FILE *report, const struct check_totals *t)
{
	unsigned long slab_pages, caches = 0, irqflags;
	struct kmem_cache *cachep;

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_for_each_entry(cachep, &slab_caches, list)
		caches++;
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
	/* equal to the caches' own pages: slab_check_all() checked it */
	slab_pages = global_node_page_state(NR_SLAB_RECLAIMABLE) +
		     global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	fprintf(report, "mm_check: all invariants hold: %u node%s, %u zone%s, %lu page%s = "
		"%lu free + %lu on per-CPU lists + %ld allocated (%lu slab page%s in %lu cache%s)\n",
		num_online_nodes(), str_plural(num_online_nodes()), t->zones, str_plural(t->zones),
		t->managed, str_plural(t->managed), t->free, t->pcp, t->allocated, slab_pages,
		str_plural(slab_pages), caches, str_plural(caches));
}

/* The check itself: the caller holds mm_life_lock for reading. */
static int __mm_check(FILE *report)
{
	struct check_totals t = { 0 };
	struct zone *zone;
	int violations = 0;

	for_each_populated_zone(zone)
		violations += __zone_is_valid(zone, report, &t);
	violations += slab_check_all(report);
	violations += lru_check(report);
	violations += vmalloc_check(report);
	violations += highmem_check(report);
	violations += swap_check(report);
	violations += mm_anon_check(report);
	if (!violations && report) {
		report_pass(report, &t);
		vmalloc_pass_line(report);
	}
	return violations;
}

int mm_check(FILE *report)
{
	int violations;

	/* no mm_shutdown() meanwhile */
	if (mm_life_read_lock()) {
		if (report)
			fprintf(report, "mm_check: no machine is booted\n");
		return -ENODEV;
	}
	violations = __mm_check(report);
	mm_life_read_unlock();
	return violations;
}

struct check_stopped {
	FILE *report;
	int violations;
};

static int check_stopped_fn(void *data)
{
	struct check_stopped *cs = data;

	cs->violations = __mm_check(cs->report);
	return 0;
}

/*
 * mm_life_lock is taken before stop_machine() (and so before
 * cpu_hotplug_lock), as mm_shutdown() takes them: taken inside, it made
 * an AB-BA with a shutdown whose slab teardown attaches a CPU under the
 * write lock (lockdep: mm_life_lock -> cpu_hotplug_lock -> stop_mutex ->
 * mm_life_lock).
 */
int mm_check_stopped(FILE *report, unsigned int timeout_ms, struct cpumask *missing)
{
	struct check_stopped cs = { report, 0 };
	int ret;

	if (mm_life_read_lock()) {
		if (report)
			fprintf(report, "mm_check: no machine is booted\n");
		return -ENODEV;
	}
	ret = stop_machine(check_stopped_fn, &cs, timeout_ms, missing);
	mm_life_read_unlock();
	return ret ? ret : cs.violations;
}
