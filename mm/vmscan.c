// SPDX-License-Identifier: MIT
/*
 * mm/vmscan.c - page reclaim, v4.19's mm/vmscan.c: what kswapd (kswapd.c)
 * and direct reclaim (try_to_free_pages(), from the allocator's slow
 * path) share.
 *
 * Map:
 *   get_scan_count()		how many pages of each list this priority
 *				scans: size >> priority, anon against file by
 *				vm.swappiness and the lists' recent rotations;
 *				file only without swap space (anon pages that
 *				a GFP_NOIO reclaim meets stay: shrink_page_list())
 *   isolate_lru_pages()	up to nr_to_scan pages off a list's old end,
 *				each with a reference and PG_lru cleared
 *				atomically (NR_ISOLATED_*); pages of
 *				zones above reclaim_idx are skipped (PGSCAN_SKIP)
 *   shrink_active_list()	active to inactive (a referenced executable
 *				page would stay; the model maps none)
 *   shrink_inactive_list()	isolate, shrink_page_list(), put back what
 *				stays: PGSCAN_* and PGSTEAL_*, kswapd or direct
 *   shrink_page_list()		per page: locked (trylock), not under
 *				write-back, not referenced (page_check_references),
 *				then anon: swapped out (needs __GFP_IO) and freed;
 *				file: written back if dirty (kswapd only, and
 *				only with __GFP_FS), taken out of its file, freed
 *   shrink_node()		the lists, then the shrinkers (shrink_slab())
 *   try_to_free_pages()	direct reclaim: SWAP_CLUSTER_MAX pages, priority
 *				12 down to 0 over the zonelist (ALLOCSTALL)
 *
 * Every path runs on an attached CPU in process context (kswapd borrows
 * one, kswapd.c); isolated pages are the reclaimer's own (see reclaim.h).
 * The I/O a reclaimer starts is counted to its task (current->io) by the
 * swap and file code that starts it, so a GFP_NOIO or GFP_NOFS caller can
 * check what it started.  PF_MEMALLOC marks the reclaimer: its own
 * allocations take no watermark and never recurse into reclaim.
 */
#include <errno.h>

#include "reclaim.h"
#include "../numa/blockdev.h"

int vm_swappiness = 60;		/* vm.swappiness: READ_ONCE */

int swappiness_sysctl_read(const char *name, char *buf, size_t len)
{
	(void)name;
	snprintf(buf, len, "%d\n", READ_ONCE(vm_swappiness));
	return 0;
}

/* proc_dointvec_minmax, 0 to 100 as v4.19 */
int swappiness_sysctl_write(const char *name, const char *value)
{
	unsigned long long v;

	(void)name;
	if (parse_uint(value, 0, 100, &v))
		return -EINVAL;
	WRITE_ONCE(vm_swappiness, (int)v);
	return 0;
}

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

/* v4.19's current_gfp_context(): PF_MEMALLOC_NO{IO,FS} narrow the mask. */
gfp_t current_gfp_context(gfp_t flags)
{
	if (unlikely(current->flags & PF_MEMALLOC_NOIO))
		flags &= ~(__GFP_IO | __GFP_FS);
	else if (unlikely(current->flags & PF_MEMALLOC_NOFS))
		flags &= ~__GFP_FS;
	return flags;
}

unsigned long zone_reclaimable_pages(struct zone *zone)
{
	unsigned long nr = zone_page_state(zone, NR_ZONE_INACTIVE_FILE) +
			   zone_page_state(zone, NR_ZONE_ACTIVE_FILE);

	if (get_nr_swap_pages() > 0)
		nr += zone_page_state(zone, NR_ZONE_INACTIVE_ANON) +
		      zone_page_state(zone, NR_ZONE_ACTIVE_ANON);
	return nr;
}

/* v4.19 inactive_list_is_low(): inactive * int_sqrt(10 * GB) < active. */
static int inactive_list_is_low(struct lruvec *lruvec, int file)
{
	enum lru_list base = file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
	unsigned long inactive = lruvec_lru_size(lruvec, base);
	unsigned long active = lruvec_lru_size(lruvec, (enum lru_list)(base + LRU_ACTIVE));
	unsigned long gb, ratio;

	/* without swap there is no point aging anon pages */
	if (!file && !total_swap_pages)
		return 0;
	gb = (inactive + active) >> (30 - PAGE_SHIFT);
	ratio = gb ? int_sqrt(10 * gb) : 1;
	return inactive * ratio < active;
}

static void count_scan(unsigned long nr)
{
	count_vm_events(current_is_kswapd() ? PGSCAN_KSWAPD : PGSCAN_DIRECT, (long)nr);
}

static void count_steal(unsigned long nr)
{
	count_vm_events(current_is_kswapd() ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, (long)nr);
}

/*
 * Take up to nr_to_scan pages off lru's old end into dst (lru_lock held,
 * interrupts off).  A page being freed (count 0) goes back to the head;
 * a page of a zone above reclaim_idx is skipped and does not count.
 */
static unsigned long isolate_lru_pages(unsigned long nr_to_scan, struct lruvec *lruvec,
				       struct cds_list_head *dst, unsigned long *nr_scanned,
				       struct scan_control *sc, enum lru_list lru)
{
	struct cds_list_head *src = &lruvec->lists[lru];
	unsigned long nr_taken = 0, scan = 0, skipped = 0, total_scan = 0;
	CDS_LIST_HEAD(pages_skipped);

	while (scan < nr_to_scan && !cds_list_empty(src) && total_scan < 4 * nr_to_scan + 64) {
		struct page *page = cds_list_entry(src->prev, struct page, lru);

		total_scan++;
		if (page_zonenum(page) > sc->reclaim_idx) {
			lru_list_move(&page->lru, &pages_skipped);
			skipped++;
			continue;
		}
		scan++;
		if (!get_page_unless_zero(page)) {
			/* its last reference is being dropped: leave it */
			lru_list_move(&page->lru, src);
			continue;
		}
		/*
		 * Atomic, as v4.19's __isolate_lru_page(): lru_lock guards
		 * PG_lru, not the rest of the word, and the page is live
		 * (a page lock holder, a writer, a waiter change their bits
		 * meanwhile).  A plain load and store would put back a
		 * PG_locked just cleared by unlock_page(): a lock nobody holds.
		 */
		ClearPageLRU(page);
		lru_list_move(&page->lru, dst);
		nr_taken++;
	}
	/* the skipped pages go back where they were, at the old end */
	if (!cds_list_empty(&pages_skipped)) {
		lru_list_splice_init(&pages_skipped, src->prev);
		__count_vm_events(PGSCAN_SKIP_NORMAL, (long)skipped);
	}
	/* the list's own count; account_isolated() does the node's and zones' */
	WRITE_ONCE(lruvec->nr[lru], lruvec->nr[lru] - nr_taken);
	*nr_scanned = scan;
	return nr_taken;
}

/*
 * The node and zone counters of pages that left lru for list (lru_lock
 * held): isolate_lru_pages() only fixed the list's own count.
 */
static void account_isolated(struct cds_list_head *list, enum lru_list lru, int file)
{
	struct page *page;

	cds_list_for_each_entry(page, list, lru) {
		pg_data_t *pgdat = NODE_DATA(page_to_nid(page));

		__mod_node_page_state(pgdat, (enum node_stat_item)(NR_LRU_BASE + lru), -1);
		__mod_zone_page_state(page_zone(page),
				      (enum zone_stat_item)(NR_ZONE_LRU_BASE + lru), -1);
		__mod_node_page_state(pgdat, file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON, 1);
	}
}

/* Isolated pages back on their lists (lru_lock held); the caller drops
 * their isolation references after the unlock (put_isolation_refs()). */
static void __putback_pages(struct lruvec *lruvec, struct cds_list_head *list, int file)
{
	while (!cds_list_empty(list)) {
		struct page *page = cds_list_entry(list->next, struct page, lru);
		enum lru_list lru;

		lru_list_del(&page->lru);
		__mod_node_page_state(NODE_DATA(page_to_nid(page)),
				      file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON, -1);
		SetPageLRU(page);
		lru = page_lru(page);
		__add_page_to_lru_list(lruvec, page, lru);
		if (is_active_lru(lru))
			WRITE_ONCE(lruvec->recent_rotated[file], lruvec->recent_rotated[file] + 1);
	}
}

/* Drop the isolation references of pages just put back: after the unlock,
 * since a last reference takes lru_lock (put_page()). */
static void put_isolation_refs(struct page **pages, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		put_page(pages[i]);
}

#define PAGEREF_RECLAIM		0
#define PAGEREF_RECLAIM_CLEAN	1
#define PAGEREF_ACTIVATE	2	/* (v4.19's PAGEREF_KEEP needs mapped file pages) */

/*
 * v4.19 page_check_references().  The model's pages are mapped only by
 * tasks (anon): an access sets PG_referenced, which stands for the pte's
 * young bit (page_referenced() clears it).  A page cache page is accessed
 * through read()/write() only: PG_referenced is mark_page_accessed()'s.
 */
static int page_check_references(struct page *page)
{
	int referenced = test_page_flag(page, PG_referenced);

	ClearPageReferenced(page);
	if (PageAnon(page))
		return referenced ? PAGEREF_ACTIVATE : PAGEREF_RECLAIM;
	return referenced ? PAGEREF_RECLAIM_CLEAN : PAGEREF_RECLAIM;
}

/* A page whose only reference is the caller's (count 1, or frozen 0),
 * locked: freed.  Its flags go with it. */
static void free_reclaimed_page(struct page *page, int frozen)
{
	clear_page_flag(page, PG_locked);
	if (frozen)
		page_ref_unfreeze(page, 1);
	put_page(page);
}

/* What shrink_page_list() tells its caller (v4.19 keeps more, for
 * throttling and tracepoints the model does not have). */
struct reclaim_stat {
	unsigned long nr_unqueued_dirty;	/* dirty, not under write-back */
};

static unsigned long shrink_page_list(struct cds_list_head *page_list, pg_data_t *pgdat,
				      struct scan_control *sc, struct reclaim_stat *stat)
{
	CDS_LIST_HEAD(ret_pages);
	unsigned long nr_reclaimed = 0;

	while (!cds_list_empty(page_list)) {
		struct page *page = cds_list_entry(page_list->next, struct page, lru);
		int references;

		lru_list_del(&page->lru);
		cond_resched();
		if (!trylock_page(page))
			goto keep;
		if (PageWriteback(page)) {
			/* its end rotates it to the tail (PG_reclaim) */
			SetPageReclaim(page);
			goto keep_locked;
		}
		references = page_check_references(page);
		if (references == PAGEREF_ACTIVATE)
			goto activate_locked;

		if (PageAnon(page)) {
			int err;

			/* swapping out is I/O: GFP_NOIO reclaim leaves anon pages */
			if (!(sc->gfp_mask & __GFP_IO) || !sc->may_swap)
				goto keep_locked;
			err = try_to_unmap_anon(page);
			if (err == -ENOMEM)
				goto activate_locked;	/* no swap slot */
			if (err)
				goto keep_locked;	/* pinned, or its pte changed */
			mod_node_page_state(pgdat, NR_VMSCAN_WRITE, 1);
			free_reclaimed_page(page, 0);
			nr_reclaimed++;
			continue;
		}

		if (PageDirty(page)) {
			stat->nr_unqueued_dirty++;	/* write-back went to keep */
			/*
			 * As v4.19: only kswapd writes file pages back, and
			 * only a page it met dirty before (PG_reclaim) on a
			 * node whose isolated file pages were all dirty.
			 */
			if (!current_is_kswapd() || !PageReclaim(page) ||
			    !pgdat_dirty(pgdat)) {
				mod_node_page_state(pgdat, NR_VMSCAN_IMMEDIATE, 1);
				SetPageReclaim(page);
				goto activate_locked;
			}
			if (references == PAGEREF_RECLAIM_CLEAN || !(sc->gfp_mask & __GFP_FS) ||
			    !sc->may_writepage)
				goto keep_locked;
			if (filemap_writepage(page))
				goto activate_locked;
			mod_node_page_state(pgdat, NR_VMSCAN_WRITE, 1);
			if (PageDirty(page) || PageWriteback(page))
				goto keep_locked;	/* dirtied again meanwhile */
		}
		if (!remove_mapping_file(page))
			goto keep_locked;
		free_reclaimed_page(page, 1);
		nr_reclaimed++;
		continue;

activate_locked:
		if (!PageActive(page)) {
			SetPageActive(page);
			count_vm_event(PGACTIVATE);
		}
keep_locked:
		unlock_page(page);
keep:
		lru_list_add(&page->lru, &ret_pages);
	}
	lru_list_splice_init(&ret_pages, page_list);
	return nr_reclaimed;
}

/* A list of isolated pages (at most SWAP_CLUSTER_MAX) as an array for
 * put_isolation_refs(). */

static unsigned long list_to_array(struct cds_list_head *list, struct page **pages)
{
	struct page *page;
	unsigned long n = 0;

	cds_list_for_each_entry(page, list, lru)
		pages[n++] = page;
	return n;
}

static unsigned long shrink_inactive_list(unsigned long nr_to_scan, struct lruvec *lruvec,
					  pg_data_t *pgdat, struct scan_control *sc,
					  enum lru_list lru)
{
	int file = is_file_lru(lru);
	struct page *pages[SWAP_CLUSTER_MAX];
	struct reclaim_stat stat = { 0 };
	unsigned long nr_taken, nr_scanned, nr_reclaimed, n, flags;
	struct blk_plug plug;
	CDS_LIST_HEAD(page_list);

	if (nr_to_scan > SWAP_CLUSTER_MAX)
		nr_to_scan = SWAP_CLUSTER_MAX;
	spin_lock_irqsave(&lruvec->lru_lock, flags);
	nr_taken = isolate_lru_pages(nr_to_scan, lruvec, &page_list, &nr_scanned, sc, lru);
	account_isolated(&page_list, lru, file);
	WRITE_ONCE(lruvec->recent_scanned[file], lruvec->recent_scanned[file] + nr_taken);
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
	count_scan(nr_scanned);
	sc->nr_scanned += nr_scanned;
	if (!nr_taken)
		return 0;

	blk_start_plug(&plug);	/* the batch's writes are in flight together */
	nr_reclaimed = shrink_page_list(&page_list, pgdat, sc, &stat);
	blk_finish_plug(&plug);
	count_steal(nr_reclaimed);
	n = list_to_array(&page_list, pages);
	spin_lock_irqsave(&lruvec->lru_lock, flags);
	/* the freed pages left NR_ISOLATED too */
	__mod_node_page_state(pgdat, file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON,
			      -(long)nr_reclaimed);
	__putback_pages(lruvec, &page_list, file);
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
	put_isolation_refs(pages, n);

	/* kswapd met only dirty file pages: let it write them (PGDAT_DIRTY) */
	if (file && current_is_kswapd() && stat.nr_unqueued_dirty == nr_taken)
		set_pgdat_dirty(pgdat, 1);
	return nr_reclaimed;
}

static void shrink_active_list(unsigned long nr_to_scan, struct lruvec *lruvec,
			       struct scan_control *sc, enum lru_list lru)
{
	int file = is_file_lru(lru);
	struct page *pages[SWAP_CLUSTER_MAX], *page;
	unsigned long nr_taken, nr_scanned, nr_rotated = 0, n, flags;
	CDS_LIST_HEAD(l_hold);

	if (nr_to_scan > SWAP_CLUSTER_MAX)
		nr_to_scan = SWAP_CLUSTER_MAX;
	spin_lock_irqsave(&lruvec->lru_lock, flags);
	nr_taken = isolate_lru_pages(nr_to_scan, lruvec, &l_hold, &nr_scanned, sc, lru);
	account_isolated(&l_hold, lru, file);
	WRITE_ONCE(lruvec->recent_scanned[file], lruvec->recent_scanned[file] + nr_taken);
	__count_vm_events(PGREFILL, (long)nr_scanned);
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);

	/* v4.19 deactivates referenced pages too (only VM_EXEC file pages
	 * stay), clearing their young bit: they count as rotated */
	cds_list_for_each_entry(page, &l_hold, lru) {
		if (PageAnon(page) && test_page_flag(page, PG_referenced)) {
			ClearPageReferenced(page);
			nr_rotated++;
		}
		ClearPageActive(page);
	}
	n = list_to_array(&l_hold, pages);
	spin_lock_irqsave(&lruvec->lru_lock, flags);
	WRITE_ONCE(lruvec->recent_rotated[file], lruvec->recent_rotated[file] + nr_rotated);
	__count_vm_events(PGDEACTIVATE, (long)nr_taken);
	__putback_pages(lruvec, &l_hold, file);
	spin_unlock_irqrestore(&lruvec->lru_lock, flags);
	put_isolation_refs(pages, n);
}

/* v4.19 get_scan_count(): nr[] pages of each evictable list to scan. */
static void get_scan_count(struct lruvec *lruvec, pg_data_t *pgdat, struct scan_control *sc,
			   unsigned long nr[NR_LRU_LISTS])
{
	int swappiness = READ_ONCE(vm_swappiness);
	enum scan_balance scan_balance;
	unsigned long anon_prio, file_prio, ap, fp, denominator = 1, fraction[2] = { 1, 1 };

	if (!sc->may_swap || get_nr_swap_pages() <= 0) {
		scan_balance = SCAN_FILE;
	} else if (!sc->priority && swappiness) {
		scan_balance = SCAN_EQUAL;
	} else {
		unsigned long pgdatfile = lruvec_lru_size(lruvec, LRU_ACTIVE_FILE) +
					  lruvec_lru_size(lruvec, LRU_INACTIVE_FILE);
		unsigned long pgdatfree = 0, total_high_wmark = 0;

		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			pgdatfree += zone_page_state(zone, NR_FREE_PAGES);
			total_high_wmark += high_wmark_pages(zone);
		}
		if (pgdatfile + pgdatfree <= total_high_wmark) {
			scan_balance = SCAN_ANON;	/* the file cache is nearly gone */
		} else if (!inactive_list_is_low(lruvec, 1) &&
			   lruvec_lru_size(lruvec, LRU_INACTIVE_FILE) >> sc->priority) {
			scan_balance = SCAN_FILE;	/* enough inactive file pages */
		} else {
			scan_balance = SCAN_FRACT;
			anon_prio = (unsigned long)swappiness;
			file_prio = 200 - anon_prio;
			/* read without lru_lock, as v4.19 */
			ap = anon_prio * (READ_ONCE(lruvec->recent_scanned[0]) + 1) /
			     (READ_ONCE(lruvec->recent_rotated[0]) + 1);
			fp = file_prio * (READ_ONCE(lruvec->recent_scanned[1]) + 1) /
			     (READ_ONCE(lruvec->recent_rotated[1]) + 1);
			fraction[0] = ap;
			fraction[1] = fp;
			denominator = ap + fp + 1;
		}
	}
	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		int file = is_file_lru((enum lru_list)lru);
		unsigned long size = lruvec_lru_size(lruvec, (enum lru_list)lru);
		unsigned long scan = size >> sc->priority;

		switch (scan_balance) {
		case SCAN_EQUAL:
			break;
		case SCAN_FRACT:
			scan = scan * fraction[file] / denominator;
			break;
		case SCAN_FILE:
		case SCAN_ANON:
			if ((scan_balance == SCAN_FILE) != file)
				scan = 0;
			break;
		}
		nr[lru] = scan;
	}
}

/* v4.19 shrink_node_memcg(): the lists of one node, in SWAP_CLUSTER_MAX
 * steps, until nr_to_reclaim is reached or the scan targets are spent. */
static unsigned long shrink_lruvec(struct lruvec *lruvec, pg_data_t *pgdat,
				   struct scan_control *sc)
{
	unsigned long nr[NR_LRU_LISTS], nr_reclaimed = 0;

	get_scan_count(lruvec, pgdat, sc, nr);
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
			unsigned long nr_to_scan;

			if (!nr[lru])
				continue;
			nr_to_scan = nr[lru] < SWAP_CLUSTER_MAX ? nr[lru] : SWAP_CLUSTER_MAX;
			nr[lru] -= nr_to_scan;
			if (is_active_lru((enum lru_list)lru)) {
				if (inactive_list_is_low(lruvec, is_file_lru((enum lru_list)lru)))
					shrink_active_list(nr_to_scan, lruvec, sc,
							   (enum lru_list)lru);
			} else {
				nr_reclaimed += shrink_inactive_list(nr_to_scan, lruvec, pgdat, sc,
								     (enum lru_list)lru);
			}
		}
		if (sc->nr_reclaimed + nr_reclaimed >= sc->nr_to_reclaim)
			break;
	}
	/* keep the anon lists aged even when they were not scanned */
	if (total_swap_pages && inactive_list_is_low(lruvec, 0))
		shrink_active_list(SWAP_CLUSTER_MAX, lruvec, sc, LRU_ACTIVE_ANON);
	return nr_reclaimed;
}

unsigned long shrink_node(pg_data_t *pgdat, struct scan_control *sc)
{
	struct lruvec *lruvec = &node_lruvec[pgdat->node_id];
	unsigned long before = sc->nr_reclaimed, slab_before, slab_after, nr;

	nr = shrink_lruvec(lruvec, pgdat, sc);
	sc->nr_reclaimed += nr;
	/* slab pages the shrinkers free count (v4.19's reclaim_state) */
	slab_before = node_page_state(pgdat, NR_SLAB_RECLAIMABLE);
	shrink_slab(sc->gfp_mask, pgdat->node_id, sc->priority);
	slab_after = node_page_state(pgdat, NR_SLAB_RECLAIMABLE);
	if (slab_after < slab_before)
		sc->nr_reclaimed += slab_before - slab_after;
	if (sc->nr_reclaimed > before)
		kswapd_reset_failures(pgdat);
	return sc->nr_reclaimed - before;
}

/* v4.19 shrink_zones(): each node of the zonelist once. */
static void shrink_zones(struct zonelist *zonelist, nodemask_t *nodemask,
			 struct scan_control *sc)
{
	int done[MAX_NUMNODES] = { 0 };
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist_nodemask(zone, z, zonelist, sc->reclaim_idx, nodemask) {
		if (done[zone->node])
			continue;
		done[zone->node] = 1;
		shrink_node(NODE_DATA(zone->node), sc);
	}
}

unsigned long try_to_free_pages(struct zonelist *zonelist, int order, gfp_t gfp_mask,
				nodemask_t *nodemask)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.gfp_mask = current_gfp_context(gfp_mask),
		.order = order,
		.priority = DEF_PRIORITY,
		.reclaim_idx = (enum zone_type)gfp_zone(gfp_mask),
		.may_writepage = 1,
		.may_unmap = 1,
		.may_swap = 1,
	};

	count_vm_events((enum vm_event_item)(ALLOCSTALL_DMA + sc.reclaim_idx), 1);
	do {
		sc.nr_scanned = 0;
		shrink_zones(zonelist, nodemask, &sc);
		if (sc.nr_reclaimed >= sc.nr_to_reclaim)
			break;
	} while (--sc.priority >= 0);
	return sc.nr_reclaimed;
}
