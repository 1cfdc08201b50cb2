// SPDX-License-Identifier: MIT
/*
 * mm/swap.c - the LRU lists of reclaimable pages (the kernel's mm/swap.c
 * and the list helpers of mm_inline.h).
 *
 * Each node has a struct lruvec: four lists (inactive and active, anon and
 * file), newest at the head, and their counts, under its lru_lock
 * (irq-safe).  A page on a list has PG_lru; PG_active says which of its
 * two lists.  The node's NR_*_ANON/FILE and the zone's NR_ZONE_* counters
 * follow the lists, updated under the lock.  Unlike v4.19 there are no
 * per-CPU pagevecs in front of the lists: every add takes the lock.
 *
 * Who touches what:
 *   page->lru, PG_lru, PG_active of a page on a list	its lru_lock; the
 *			flags with atomic bit operations while the page is
 *			live, since the lock owns those bits, not the word
 *			(PG_locked, PG_dirty, PG_waiters... change meanwhile);
 *			the plain __ClearPage*() only at count 0
 *			(__page_cache_release())
 *   an isolated page (off the lists, PG_lru clear, a reference held)
 *			the isolator's, until putback_lru_page()
 *   PG_referenced	atomic bit, any holder of a reference
 *   PG_lru_owned	set by lru_cache_add*() before the page is on a list:
 *			its reference is its mapping's, no task's footprint
 *			(free_the_page() leaves current->fp_pages alone)
 * A page's last reference (put_page()) takes it off its list
 * (__page_cache_release()): isolation takes a page only with
 * get_page_unless_zero(), so a page whose count reached 0 is nobody's.
 */
#include <errno.h>
#include <stdlib.h>

#include "reclaim.h"

struct lruvec *node_lruvec;

static const char *const lru_names[NR_LRU_LISTS] = {
	"inactive_anon", "active_anon", "inactive_file", "active_file",
};

int lru_init(void)
{
	node_lruvec = calloc(machine.nr_nodes, sizeof(*node_lruvec));
	if (!node_lruvec)
		return -ENOMEM;
	for (unsigned int nid = 0; nid < machine.nr_nodes; nid++) {
		struct lruvec *lruvec = &node_lruvec[nid];

		spin_lock_init(&lruvec->lru_lock);
		for (int lru = 0; lru < NR_LRU_LISTS; lru++)
			CDS_INIT_LIST_HEAD(&lruvec->lists[lru]);
	}
	return 0;
}

void lru_exit(void)
{
	free(node_lruvec);
	node_lruvec = NULL;
}

static void update_lru_size(struct lruvec *lruvec, struct page *page, enum lru_list lru,
			    long nr)
{
	WRITE_ONCE(lruvec->nr[lru], lruvec->nr[lru] + (unsigned long)nr);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)),
			      (enum node_stat_item)(NR_LRU_BASE + lru), nr);
	__mod_zone_page_state(page_zone(page), (enum zone_stat_item)(NR_ZONE_LRU_BASE + lru), nr);
}

/* Under lru_lock, interrupts off. */
void __add_page_to_lru_list(struct lruvec *lruvec, struct page *page, enum lru_list lru)
{
	lru_list_add(&page->lru, &lruvec->lists[lru]);
	update_lru_size(lruvec, page, lru, 1);
}

void __add_page_to_lru_list_tail(struct lruvec *lruvec, struct page *page, enum lru_list lru)
{
	lru_list_add_tail(&page->lru, &lruvec->lists[lru]);
	update_lru_size(lruvec, page, lru, 1);
}

void __del_page_from_lru_list(struct lruvec *lruvec, struct page *page, enum lru_list lru)
{
	lru_list_del(&page->lru);
	update_lru_size(lruvec, page, lru, -1);
}

static void __lru_cache_add(struct page *page, int active)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long flags;

	if (WARN(PageLRU(page), "lru_cache_add(pfn:%05lx): the page is on an LRU list already\n",
		 page_to_pfn(page)))
		return;
	/* from now on its reference is its mapping's (see the map) */
	if (!test_page_flag(page, PG_lru_owned)) {
		set_page_flag(page, PG_lru_owned);
		current->fp_pages--;
	}
	if (active)
		SetPageActive(page);
	spin_lock_irqsave(&lruvec->lru_lock, flags);
	SetPageLRU(page);
	__add_page_to_lru_list(lruvec, page, page_lru(page));
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
}

void lru_cache_add(struct page *page)
{
	__lru_cache_add(page, 0);
}

void lru_cache_add_active_or_unevictable(struct page *page)
{
	__lru_cache_add(page, 1);
}

/* Inactive to active, if it is still on its inactive list. */
static void activate_page(struct page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long flags;

	spin_lock_irqsave(&lruvec->lru_lock, flags);
	if (PageLRU(page) && !PageActive(page)) {
		enum lru_list lru = page_lru_base_type(page);

		__del_page_from_lru_list(lruvec, page, lru);
		SetPageActive(page);
		__add_page_to_lru_list(lruvec, page, (enum lru_list)(lru + LRU_ACTIVE));
		__count_vm_events(PGACTIVATE, 1);
		WRITE_ONCE(lruvec->recent_rotated[is_file_lru(lru)],
			   lruvec->recent_rotated[is_file_lru(lru)] + 1);
	}
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
}

void mark_page_accessed(struct page *page)
{
	if (!PageActive(page) && PageReferenced(page) && PageLRU(page)) {
		activate_page(page);
		ClearPageReferenced(page);
	} else if (!PageReferenced(page)) {
		SetPageReferenced(page);
	}
}

void __page_cache_release(struct page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long flags;

	spin_lock_irqsave(&lruvec->lru_lock, flags);
	if (PageLRU(page)) {
		__del_page_from_lru_list(lruvec, page, page_lru(page));
		__ClearPageLRU(page);
	}
	__ClearPageActive(page);
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
}

int isolate_lru_page(struct page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long flags;
	int ret = -EBUSY;

	spin_lock_irqsave(&lruvec->lru_lock, flags);
	if (PageLRU(page) && get_page_unless_zero(page)) {
		__del_page_from_lru_list(lruvec, page, page_lru(page));
		ClearPageLRU(page);	/* atomic: the page is live (see the map) */
		__mod_node_page_state(NODE_DATA(page_to_nid(page)),
				      page_is_file_cache(page) ? NR_ISOLATED_FILE : NR_ISOLATED_ANON, 1);
		ret = 0;
	}
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
	return ret;
}

void putback_lru_page(struct page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long flags;

	spin_lock_irqsave(&lruvec->lru_lock, flags);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)),
			      page_is_file_cache(page) ? NR_ISOLATED_FILE : NR_ISOLATED_ANON, -1);
	SetPageLRU(page);
	__add_page_to_lru_list(lruvec, page, page_lru(page));
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
	put_page(page);		/* the isolation's: maybe the last */
}

void rotate_reclaimable_page(struct page *page)
{
	struct lruvec *lruvec = page_lruvec(page);
	unsigned long flags;

	ClearPageReclaim(page);
	spin_lock_irqsave(&lruvec->lru_lock, flags);
	if (PageLRU(page) && !PageActive(page) && !PageUnevictable(page)) {
		enum lru_list lru = page_lru(page);

		lru_list_del(&page->lru);
		lru_list_add_tail(&page->lru, &lruvec->lists[lru]);
		__count_vm_events(PGROTATED, 1);
	}
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
}

unsigned long lruvec_lru_size(struct lruvec *lruvec, enum lru_list lru)
{
	return READ_ONCE(lruvec->nr[lru]);
}

/* mm_check(): each list against its count and its pages' flags. */
int lru_check(FILE *report)
{
	int violations = 0;

	if (!node_lruvec)
		return 0;
	for (unsigned int nid = 0; nid < machine.nr_nodes; nid++) {
		struct lruvec *lruvec = &node_lruvec[nid];
		unsigned long flags, n[NR_LRU_LISTS] = { 0 };
		char bad[200] = "";

		spin_lock_irqsave(&lruvec->lru_lock, flags);
		for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
			struct page *page;

			cds_list_for_each_entry(page, &lruvec->lists[lru], lru) {
				if (!bad[0] && (!PageLRU(page) || (int)page_lru(page) != lru ||
						page_to_nid(page) != (int)nid ||
						page_ref_count(page) <= 0 || PageBuddy(page)))
					snprintf(bad, sizeof(bad),
						 "pfn %05lx on node %u's %s list: flags %#lx, "
						 "_refcount %d", page_to_pfn(page), nid,
						 lru_names[lru], READ_ONCE(page->flags),
						 page_ref_count(page));
				if (++n[lru] > totalram_pages)
					break;	/* a cycle */
			}
		}
		spin_unlock_irqrestore(&lruvec->lru_lock, flags);
		/* printed with the lock dropped */
		if (bad[0]) {
			fprintf(report, "mm_check: LRU: %s\n", bad);
			violations++;
		}
		for (int lru = 0; lru < NR_LRU_LISTS; lru++)
			if (n[lru] != READ_ONCE(lruvec->nr[lru])) {
				fprintf(report, "mm_check: LRU: node %u's %s list holds %lu pages, "
					"its count says %lu\n", nid, lru_names[lru], n[lru],
					READ_ONCE(lruvec->nr[lru]));
				violations++;
			}
	}
	return violations;
}
