// SPDX-License-Identifier: MIT
/*
 * mm/slob_check.c - slob_check(): SLOB's part of mm_check() (ops->check),
 * owned by the SLOB part.  The heap's layout and invariants are in
 * mm/slob.h.
 *
 * Under slob_lock (taken with interrupts off; every other CPU is stopped
 * or out of the heap), and printing nothing (the log is flushed by the
 * caller):
 *   - every frame of the memmap: a PG_slab frame is a heap page (under
 *     SLOB nothing else has PG_slab), and its state is checked: units in
 *     range; PG_slob_free iff it has free units; its free chain starts and
 *     stays inside the page, runs in address order, no two free blocks
 *     touch (slob_free() merges both neighbours, and a block split off
 *     for alignment is followed by the block that was aligned), and its
 *     units add up to page->units.  PG_slob_free without PG_slab is an
 *     error.  A PG_slob_large frame heads a kmalloc() block SLOB took
 *     from the page allocator: not a heap page, handed out (refcount 1);
 *   - the heap pages found add up to slob_heap_pages, the kmalloc()
 *     blocks' pages to slob_large_pages;
 *   - the three lists: each ends (no more entries than heap pages), holds
 *     only heap pages with PG_slob_free and free units, and together they
 *     hold every page with PG_slob_free, so each such page is on exactly
 *     one list;
 *   - the conservation law's slab part: v4.19's SLOB accounts nothing in
 *     NR_SLAB_RECLAIMABLE/NR_SLAB_UNRECLAIMABLE (that came in 5.4), so
 *     under SLOB both are 0; SLOB's pages are the heap pages and the
 *     page-allocator blocks, which the zones' conservation (free + per-CPU
 *     + allocated == managed) already covers as allocated.
 *
 * A walk over a corrupt chain stops at the first step out of order or out
 * of the page, so it never leaves the page and always ends.
 */
#include <stdarg.h>

#include "slob.h"

struct slob_checker {
	struct check_log *log;
	unsigned long heap_pages;	/* PG_slab frames */
	unsigned long free_pages;	/* of them with PG_slob_free */
	unsigned long large_pages;	/* pages of PG_slob_large blocks */
};

static void __printf(2, 3) violation(struct slob_checker *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(c->log, "mm_check: slab: ", fmt, ap);
	va_end(ap);
}

/* The free chain of the heap page sp (PG_slob_free) against sp->units. */
static void check_free_chain(struct slob_checker *c, struct page *sp, unsigned long pfn)
{
	slob_t *base = page_address(sp), *end = base + SLOB_PAGE_UNITS;
	slob_t *f = sp->freelist;
	int sum = 0, blocks = 0;

	if (f < base || f >= end || ((unsigned long)f & (SLOB_UNIT - 1))) {
		violation(c, "slob page pfn %#lx: freelist %p is not in the page", pfn, (void *)f);
		return;
	}
	for (;;) {
		int fu = slob_units(f);
		slob_t *next = slob_next(f);

		blocks++;
		sum += fu;
		if (f + fu > end) {
			violation(c, "slob page pfn %#lx: free block at offset %td (%d units) runs past the page",
				  pfn, f - base, fu);
			return;
		}
		if (next == end)
			break;
		if (next < f + fu || next > end) {
			violation(c, "slob page pfn %#lx: free block at offset %td (%d units) is followed by offset %td: the chain is out of order",
				  pfn, f - base, fu, next - base);
			return;
		}
		if (next == f + fu) {
			violation(c, "slob page pfn %#lx: free blocks at offsets %td (%d units) and %td touch: not merged",
				  pfn, f - base, fu, next - base);
			return;
		}
		f = next;
	}
	if (sum != sp->units)
		violation(c, "slob page pfn %#lx: page->units is %d but its %d free block%s hold %d unit%s",
			  pfn, sp->units, blocks, str_plural(blocks), sum, str_plural(sum));
}

static void check_frame(struct slob_checker *c, struct zone *zone, struct page *page,
			unsigned long pfn)
{
	unsigned long flags = READ_ONCE(page->flags);

	if (likely(!(flags & (1UL << PG_slab | 1UL << PG_slob_free | 1UL << PG_slob_large))))
		return;
	/* zones' spans may overlap (ZONE_MOVABLE): each frame once */
	if (page_zone(page) != zone)
		return;

	if (flags & (1UL << PG_slob_large)) {
		if (flags & (1UL << PG_slab))
			violation(c, "pfn %#lx: a kmalloc() page block (PG_slob_large) with PG_slab",
				  pfn);
		if (page_ref_count(page) != 1)
			violation(c, "pfn %#lx: a kmalloc() page block with refcount %d", pfn,
				  page_ref_count(page));
		c->large_pages += 1UL << slob_compound_order(page);
	}
	if (!(flags & (1UL << PG_slab))) {
		if (flags & (1UL << PG_slob_free))
			violation(c, "pfn %#lx: PG_slob_free on a page that is not a slob page", pfn);
		return;
	}
	c->heap_pages++;
	if (page_ref_count(page) != 1)
		violation(c, "slob page pfn %#lx: refcount %d", pfn, page_ref_count(page));
	if (page->units < 0 || page->units >= SLOB_PAGE_UNITS)
		violation(c, "slob page pfn %#lx: page->units is %d (a heap page has 0..%d free)",
			  pfn, page->units, SLOB_PAGE_UNITS - 1);
	else if (!(flags & (1UL << PG_slob_free)) != !page->units)
		violation(c, "slob page pfn %#lx: %d free unit%s but PG_slob_free is %s", pfn,
			  page->units, str_plural(page->units),
			  flags & (1UL << PG_slob_free) ? "set" : "clear");
	if (flags & (1UL << PG_slob_free)) {
		c->free_pages++;
		if (page->units > 0 && page->units < SLOB_PAGE_UNITS)
			check_free_chain(c, page, pfn);
	}
}

/* One of the lists: the pages on it (stops at heap_pages + 1 entries). */
static unsigned long check_list(struct slob_checker *c, struct cds_list_head *list,
				const char *name)
{
	unsigned long n = 0;
	struct cds_list_head *pos;

	for (pos = list->next; pos != list; pos = pos->next) {
		struct page *sp = cds_list_entry(pos, struct page, lru);
		unsigned long pfn = page_to_pfn(sp);

		if (++n > c->heap_pages) {
			violation(c, "%s does not end (more entries than the %lu heap page%s)", name,
				  c->heap_pages, str_plural(c->heap_pages));
			break;
		}
		if (!pfn_valid(pfn)) {
			violation(c, "%s holds %p, which is no page", name, (void *)sp);
			break;
		}
		if (!PageSlab(sp) || !PageSlobFree(sp) || sp->units <= 0)
			violation(c, "%s holds pfn %#lx, which is no slob page with free units (PG_slab %d, PG_slob_free %d, units %d)",
				  name, pfn, PageSlab(sp), PageSlobFree(sp), sp->units);
	}
	return n;
}

void slob_check(struct check_log *log)
{
	struct slob_checker c = { .log = log };
	unsigned long irqflags, listed, large, slab;
	struct zone *zone;

	spin_lock_irqsave(&slob_lock, irqflags);
	for_each_populated_zone(zone) {
		unsigned long start = zone->zone_start_pfn;

		for (unsigned long i = 0; i < zone->spanned_pages; i++)
			check_frame(&c, zone, pfn_to_page(start + i), start + i);
	}
	if (c.heap_pages != slob_heap_pages)
		violation(&c, "%lu slob page%s in the memmap but slob_heap_pages is %lu",
			  c.heap_pages, str_plural(c.heap_pages), slob_heap_pages);
	listed = check_list(&c, &free_slob_small, "free_slob_small");
	listed += check_list(&c, &free_slob_medium, "free_slob_medium");
	listed += check_list(&c, &free_slob_large, "free_slob_large");
	if (listed != c.free_pages)
		violation(&c, "%lu slob page%s with PG_slob_free but the lists hold %lu",
			  c.free_pages, str_plural(c.free_pages), listed);
	spin_unlock_irqrestore(&slob_lock, irqflags);

	large = __atomic_load_n(&slob_large_pages, __ATOMIC_RELAXED);
	if (c.large_pages != large)
		violation(&c, "kmalloc() page blocks hold %lu page%s but slob_large_pages is %lu",
			  c.large_pages, str_plural(c.large_pages), large);
	slab = global_node_page_state(NR_SLAB_RECLAIMABLE) +
	       global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	if (slab)
		violation(&c, "NR_SLAB_RECLAIMABLE + NR_SLAB_UNRECLAIMABLE is %lu under SLOB, which accounts no page there",
			  slab);
}
