/* SPDX-License-Identifier: MIT */
/*
 * mm/reclaim.h - what the files of reclaimable memory share: the LRU lists
 * (swap.c), the page lock (filemap.c), the page cache (filemap.c), tasks'
 * anonymous memory and its reverse map (memory.c), the swap area
 * (swapfile.c), page reclaim and kswapd (vmscan.c, kswapd.c), shrinkers
 * (shrinker.c) and the OOM killer (oom_kill.c).
 *
 * The life of a reclaimable page, as in Linux:
 *   - allocated by a fault (anon) or a page cache miss (file), it holds one
 *     reference for its mapping (the pte, or the page cache slot) and is
 *     put on its node's LRU (lru_cache_add()): PG_lru, on one of four lists
 *     under the node's lru_lock;
 *   - users pin it (a reference) while they copy to or from it;
 *   - reclaim isolates it (takes it off its list with a reference of its
 *     own, NR_ISOLATED_*), locks it (PG_locked, trylock), and frees it if
 *     its only other reference is its mapping's and it is clean: the pte
 *     becomes a swap entry once the page's copy is in its swap slot, or the
 *     page cache slot is emptied once the file's copy is on disk;
 *   - whoever drops the last reference (put_page()) frees it, off the LRU.
 *
 * page->mapping: a file page's struct address_space; an anon page's
 * struct mm_struct with PAGE_MAPPING_ANON (bit 0) set.  page->index: the
 * page's offset in its file, or its page number in the task's memory.
 * Both are written under the mapping's lock (i_pages_lock or the task's
 * page_table_lock) while the page is locked or not yet visible.
 */
#ifndef MM_RECLAIM_H
#define MM_RECLAIM_H

#include <mmsim/swap.h>
#include <mmsim/wait.h>
#include <mmsim/mutex.h>
#include "internal.h"

/* ------------------------------------------------------------------ */
/* Boot (reclaim_boot.c)                                               */

struct reclaim_config {
	unsigned long long swap_bytes;	/* swap=, 0: no swap area */
	unsigned long long disk_bytes;	/* disk= */
};
extern struct reclaim_config reclaim_cfg;	/* read-only after the boot */
void reclaim_config_init(void);
/* 0, -EINVAL (reported), or 1: not one of ours. */
int reclaim_parse_param(const char *param, const char *val);
/* After kmem_cache_init() and vmalloc_init(): every part, in order. */
int reclaim_init(void);
/* mm_shutdown(), on a CPU, before the slab caches go. */
void reclaim_exit(void);

/* ------------------------------------------------------------------ */
/* Page flags of reclaimable pages                                     */

/* The model's mark of a page whose reference is its mapping's (page
 * cache or task), not a task footprint's: see swap.c. */
#define PG_lru_owned	PG_arch_1

static inline void ClearPageReclaim(struct page *p) { clear_page_flag(p, PG_reclaim); }
static inline void SetPageReclaim(struct page *p) { set_page_flag(p, PG_reclaim); }
static inline int PageWriteback(const struct page *p) { return test_page_flag(p, PG_writeback); }
static inline int PageReclaim(const struct page *p) { return test_page_flag(p, PG_reclaim); }
static inline int PageSwapBacked(const struct page *p) { return test_page_flag(p, PG_swapbacked); }
static inline int PageUptodate(const struct page *p) { return test_page_flag(p, PG_uptodate); }
static inline int PageUnevictable(const struct page *p) { return test_page_flag(p, PG_unevictable); }

#define PAGE_MAPPING_ANON	0x1UL

static inline int PageAnon(const struct page *page)
{
	return ((unsigned long)READ_ONCE(page->mapping) & PAGE_MAPPING_ANON) != 0;
}

static inline struct mm_struct *page_anon_mm(const struct page *page)
{
	return (struct mm_struct *)((unsigned long)READ_ONCE(page->mapping) & ~PAGE_MAPPING_ANON);
}

/* A file page (page cache) rather than a swap-backed one. */
static inline int page_is_file_cache(const struct page *page)
{
	return !PageSwapBacked(page);
}

/* Take a reference unless the count is 0 (the page is being freed):
 * 1 if taken.  Acquire, as the kernel's page_ref_add_unless(). */
static inline int get_page_unless_zero(struct page *page)
{
	int old = page_ref_count(page);

	do {
		if (old == 0)
			return 0;
	} while (!__atomic_compare_exchange_n(&page->_refcount, &old, old + 1, 0,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return 1;
}

/* count -> 0 if it is exactly count (the kernel's page_ref_freeze()):
 * 1 if frozen.  Acquire: the holders' writes are seen. */
static inline int page_ref_freeze(struct page *page, int count)
{
	int old = count;

	return __atomic_compare_exchange_n(&page->_refcount, &old, 0, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void page_ref_unfreeze(struct page *page, int count)
{
	/* Release: what the freezer wrote is seen by the next holder. */
	__atomic_store_n(&page->_refcount, count, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------ */
/* The page lock (page_lock.c)                                         */

void page_lock_init(void);		/* boot */
/* PG_locked: the page's contents and identity are being changed (I/O, a
 * mapping change).  trylock_page() is 1 if it got it (acquire). */
int trylock_page(struct page *page);
/* Sleeps (answering IPIs) on the page's hashed wait queue until it gets it. */
void lock_page(struct page *page);
/* Clear PG_locked (release) and wake whoever waits on the page. */
void unlock_page(struct page *page);
/* Sleep until PG_writeback is clear (wakes come from end_page_writeback()). */
void wait_on_page_writeback(struct page *page);
void end_page_writeback(struct page *page);
/* Set PG_dirty on a page cache page, with NR_FILE_DIRTY: 1 if it was clean. */
int set_page_dirty(struct page *page);
/* Clear PG_dirty for write-back (the page is locked): 1 if it was dirty. */
int clear_page_dirty_for_io(struct page *page);

/* ------------------------------------------------------------------ */
/* The LRU lists (swap.c)                                              */

enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	NR_LRU_LISTS
};

#define LRU_ACTIVE	1
#define LRU_FILE	2

static inline int is_file_lru(enum lru_list lru) { return lru >= LRU_INACTIVE_FILE; }
static inline int is_active_lru(enum lru_list lru) { return lru & LRU_ACTIVE; }

/* One node's lists (v4.19's lruvec in pglist_data). */
struct lruvec {
	spinlock_t lru_lock;		/* irq-safe: the lists, PG_lru, PG_active
					   of pages on them, nr[] */
	struct cds_list_head lists[NR_LRU_LISTS];	/* head: newest */
	unsigned long nr[NR_LRU_LISTS];	/* pages on each (lru_lock) */
	/* get_scan_count()'s recent rotation ratios: written under lru_lock
	 * (WRITE_ONCE), read without it (READ_ONCE), as v4.19 reads them */
	unsigned long recent_rotated[2], recent_scanned[2];
};

extern struct lruvec *node_lruvec;	/* [nr_node_ids], boot to shutdown */

static inline struct lruvec *page_lruvec(const struct page *page)
{
	return &node_lruvec[page_to_nid(page)];
}

static inline enum lru_list page_lru_base_type(const struct page *page)
{
	return page_is_file_cache(page) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
}

static inline enum lru_list page_lru(const struct page *page)
{
	return (enum lru_list)(page_lru_base_type(page) + (PageActive(page) ? LRU_ACTIVE : 0));
}

/*
 * List operations on page->lru for pages that may be on an LRU list: the
 * link words are written with relaxed atomic stores, because get_page()
 * and put_page() read page->lru.next without the lock (compound_head(),
 * the kernel's READ_ONCE(page->compound_head)); liburcu's cds_list_*()
 * store plainly.  The caller holds the lock of the list (or owns it).
 */
static inline void __lru_link(struct cds_list_head *e, struct cds_list_head *prev,
			      struct cds_list_head *next)
{
	WRITE_ONCE(next->prev, e);
	WRITE_ONCE(e->next, next);
	WRITE_ONCE(e->prev, prev);
	WRITE_ONCE(prev->next, e);
}

static inline void lru_list_add(struct cds_list_head *e, struct cds_list_head *head)
{
	__lru_link(e, head, head->next);
}

static inline void lru_list_add_tail(struct cds_list_head *e, struct cds_list_head *head)
{
	__lru_link(e, head->prev, head);
}

static inline void lru_list_del(struct cds_list_head *e)
{
	WRITE_ONCE(e->next->prev, e->prev);
	WRITE_ONCE(e->prev->next, e->next);
}

static inline void lru_list_move(struct cds_list_head *e, struct cds_list_head *head)
{
	lru_list_del(e);
	lru_list_add(e, head);
}

/* Every entry of list, in order, after at; list is left empty. */
static inline void lru_list_splice_init(struct cds_list_head *list, struct cds_list_head *at)
{
	while (!cds_list_empty(list)) {
		struct cds_list_head *e = list->prev;

		lru_list_del(e);
		lru_list_add(e, at);
	}
}

int lru_init(void);
void lru_exit(void);
/* A new page (its mapping's reference held, PG_swapbacked set for anon)
 * joins the inactive list of its kind: the kernel's lru_cache_add(). */
void lru_cache_add(struct page *page);
/* An anon page that was just faulted in joins the active list. */
void lru_cache_add_active_or_unevictable(struct page *page);
/* The second access to an inactive page activates it; the first sets
 * PG_referenced (the kernel's mark_page_accessed()). */
void mark_page_accessed(struct page *page);
/* Off the LRU, by whoever drops the last reference: the kernel's
 * __page_cache_release() (put_page() calls it for a PG_lru page). */
void __page_cache_release(struct page *page);
/* Take one page off its list (a reference taken, NR_ISOLATED_*): 0, or
 * -EBUSY if it is not on one (or is being freed). */
int isolate_lru_page(struct page *page);
/* The list primitives: lru_lock held, interrupts off. */
void __add_page_to_lru_list(struct lruvec *lruvec, struct page *page, enum lru_list lru);
void __add_page_to_lru_list_tail(struct lruvec *lruvec, struct page *page, enum lru_list lru);
void __del_page_from_lru_list(struct lruvec *lruvec, struct page *page, enum lru_list lru);
/* An isolated page back on its list (the isolation's reference dropped). */
void putback_lru_page(struct page *page);
/* Written back with PG_reclaim set: to the tail of the inactive list, so
 * that the next scan frees it (rotate_reclaimable_page()). */
void rotate_reclaimable_page(struct page *page);
/* Total pages on a node's lists of one kind (lru_lock not needed: READ_ONCE). */
unsigned long lruvec_lru_size(struct lruvec *lruvec, enum lru_list lru);
/* mm_check(): every list against its counters and flags, under lru_lock. */
int lru_check(FILE *report);

/* ------------------------------------------------------------------ */
/* The swap area (swapfile.c)                                          */

/* A swap entry: the slot number + 1 (0 is no entry), one area. */
typedef struct { unsigned long val; } swp_entry_t;

int swap_init(unsigned long long bytes);	/* boot: swap=SIZE, 0: none */
void swap_exit(void);
/* A free slot with one reference, or val 0 if the area is full (or absent). */
swp_entry_t get_swap_page(void);
/* Another reference to a used slot (fork would: the model's reaper). */
void swap_duplicate(swp_entry_t entry);
/* Drop a reference; the slot is free again at 0.  A bad entry is reported
 * ("swap_free: Bad swap offset entry") and refused. */
void swap_free(swp_entry_t entry);
/* Copy a locked page's contents to its slot / from it (the device's latency
 * is waited after the copy, the page still locked): 0 or -EIO.  Count
 * PSWPOUT/PSWPIN and the calling task's swap I/O. */
int swap_writepage(struct page *page, swp_entry_t entry);
int swap_readpage(struct page *page, swp_entry_t entry);
extern unsigned long total_swap_pages;		/* read-only while booted */
long get_nr_swap_pages(void);			/* free slots (READ_ONCE) */
/* mm_check(): the slots in use against their references. */
int swap_check(FILE *report);
/* swap_writepage()'s copy alone (never sleeps: memory.c calls it under a
 * page table lock, then bdev_wait_io() once it holds no spinlock). */
int swap_write_copy(struct page *page, swp_entry_t entry);
/* mm_check()'s: a slot's references (0 if bad), all slots' together. */
unsigned int swap_entry_count(swp_entry_t entry);
unsigned long swap_refs_total(void);
void swaps_show(FILE *out);			/* /proc/swaps */

/* ------------------------------------------------------------------ */
/* Tasks' anonymous memory (memory.c)                                  */

enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

/* The mm's flags (atomic bits, relaxed: tested again under the lock). */
#define MMF_OOM_VICTIM	25	/* chosen by the OOM killer */
#define MMF_OOM_SKIP	21	/* reaped: the OOM killer looks further */

/*
 * A task's address space: nr_ptes anonymous pages, each a pte.
 *   pte == 0			never touched
 *   pte & 1 == 0		present: the struct page * (one reference)
 *   pte & 1 == 1		swapped out: swp_entry_t val << 1 | 1
 */
struct mm_struct {
	spinlock_t page_table_lock;	/* ptes[], rss[] */
	unsigned long nr_ptes;		/* read-only */
	unsigned long *ptes;		/* vzalloc()ed: page tables are memory */
	long rss[NR_MM_COUNTERS];	/* page_table_lock; READ_ONCE */
	unsigned long flags;		/* atomic bits MMF_* */
	int oom_score_adj;		/* READ_ONCE/WRITE_ONCE, -1000..1000 */
	int pid;			/* read-only: an id for the reports */
	char comm[16];			/* read-only */
	int users;			/* atomic: mmget/mmput, freed at 0 */
	struct cds_list_head list;	/* on mm_list (mm_list_lock) */
};

extern struct cds_list_head mm_list;	/* every live task's mm */
extern spinlock_t mm_list_lock;

/* Reclaim's side of an anon page (locked, isolated: refcount 2 when only
 * its pte holds it): copy it to a new swap slot and make its pte the
 * entry.  0 if the page may be freed now (its pte's reference dropped),
 * -EAGAIN if it is in use (pinned, or its pte changed), -ENOMEM if no
 * slot is free.  Starts swap I/O: call only with __GFP_IO. */
int try_to_unmap_anon(struct page *page);
/* The OOM killer's: free the victim's memory now (every pte not pinned;
 * pinned pages go when their pin is dropped). */
unsigned long oom_reap_mm(struct mm_struct *mm);
/* The harness's tables: pages present, entries swapped, per mm. */
unsigned long mm_pgtables_bytes(const struct mm_struct *mm);
/* mm_check(): every task's ptes against its rss, its pages and the swap
 * area's references. */
int mm_anon_check(FILE *report);
/* Hold an mm's struct and tables past mm_task_exit() (the OOM killer's
 * reaper); the last mmput() frees them after an RCU grace period (sleeps). */
void mmget(struct mm_struct *mm);
void mmput(struct mm_struct *mm);

/* ------------------------------------------------------------------ */
/* The page cache (filemap.c)                                          */

struct address_space {
	spinlock_t i_pages_lock;	/* pages[], nrpages, page->mapping/index */
	struct page **pages;		/* [nr_slots], vzalloc()ed */
	unsigned long nr_slots;		/* read-only */
	unsigned long nrpages;		/* i_pages_lock; READ_ONCE */
	unsigned long long disk_off;	/* the file's bytes on the disk */
	struct file *host;
	gfp_t gfp_mask;			/* read-only: page cache pages' gfp */
};

/* Write one locked, dirty page cache page to the disk: 0 or -EIO.
 * Clears PG_dirty, sets and ends PG_writeback around the copy, counts
 * NR_WRITTEN/PGPGOUT and the calling task's FS I/O.  Call only with
 * __GFP_FS. */
int filemap_writepage(struct page *page);
/* Reclaim's side of a clean page cache page (locked, isolated): take it
 * out of its file if only the file holds it.  1 if it did (the page's
 * refcount is then 0: the caller frees it), 0 if it is in use. */
int remove_mapping_file(struct page *page);
/* vm.drop_caches 1: every clean, unused page cache page dropped. */
unsigned long drop_pagecache(void);
/* Dirty pages exceed vm.dirty_ratio: the writer writes some back. */
void balance_dirty_pages(struct address_space *mapping);
int filemap_init(unsigned long long disk_bytes);	/* boot */
void filemap_exit(void);
/* v4.19's: the background and the hard dirty limits now, in pages. */
void global_dirty_limits(unsigned long *pbackground, unsigned long *pdirty);
/* vm.dirty_ratio, vm.dirty_background_ratio (percent, 0 to 100) */
int dirty_sysctl_read(const char *name, char *buf, size_t len);
int dirty_sysctl_write(const char *name, const char *value);
/* mm_check(): every file's cached pages against its slots and the counters. */
int filemap_check(FILE *report);

/* ------------------------------------------------------------------ */
/* Shrinkers (shrinker.c)                                              */

/* Call every registered shrinker for node nid with the kernel's scan
 * arithmetic (do_shrink_slab()); returns the objects freed.  Without
 * __GFP_FS, shrinkers flagged as FS-dependent return SHRINK_STOP. */
unsigned long shrink_slab(gfp_t gfp_mask, int nid, int priority);
/* vm.drop_caches 2: shrink until nothing more is freed. */
void drop_slab(void);
/* mm_shutdown(): shrinkers still registered are reported and taken off. */
void shrinker_exit(void);

/* ------------------------------------------------------------------ */
/* Reclaim (vmscan.c, kswapd.c)                                        */

#define SWAP_CLUSTER_MAX	32UL
#define DEF_PRIORITY		12
#define MAX_RECLAIM_RETRIES	16

struct scan_control {
	unsigned long nr_to_reclaim;
	gfp_t gfp_mask;
	int order;
	int priority;
	enum zone_type reclaim_idx;	/* the highest zone reclaim may free from */
	unsigned int may_writepage:1;
	unsigned int may_unmap:1;
	unsigned int may_swap:1;
	unsigned long nr_scanned;
	unsigned long nr_reclaimed;
};

static inline int current_is_kswapd(void)
{
	return (current->flags & PF_KSWAPD) != 0;
}

/* Direct reclaim: 0 if it freed nothing (v4.19 try_to_free_pages()). */
unsigned long try_to_free_pages(struct zonelist *zonelist, int order, gfp_t gfp_mask,
				nodemask_t *nodemask);
/* One node, one priority: what shrink_node() freed. */
unsigned long shrink_node(pg_data_t *pgdat, struct scan_control *sc);
/* The reclaimable pages of a zone (v4.19 zone_reclaimable_pages()). */
unsigned long zone_reclaimable_pages(struct zone *zone);
/* The allocator's slow path: wake the node's kswapd unless it is balanced. */
void wakeup_kswapd(struct zone *zone, gfp_t gfp_mask, int order, enum zone_type classzone_idx);
/* kswapd.c's per-node state that reclaim reads and writes */
void kswapd_reset_failures(pg_data_t *pgdat);	/* reclaim made progress */
int pgdat_dirty(pg_data_t *pgdat);		/* v4.19's PGDAT_DIRTY */
void set_pgdat_dirty(pg_data_t *pgdat, int on);
int pgdat_balanced(pg_data_t *pgdat, int order, int classzone_idx);
gfp_t current_gfp_context(gfp_t flags);
extern int vm_swappiness;			/* vm.swappiness */
int swappiness_sysctl_read(const char *name, char *buf, size_t len);
int swappiness_sysctl_write(const char *name, const char *value);
int kswapd_init(void);
/* kswapd's state on node nid (0 sleeping, 1 running, 2 napping) and its
 * failure count: for tests and reports; -EINVAL for no such node. */
int kswapd_state(int nid, int *failures);
void kswapd_exit(void);
/* vm.drop_caches (drop_caches.c): 0 or -EINVAL (not 1..4); the read
 * gives the last value written. */
int drop_caches_write(const char *value);
int drop_caches_read(char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* OOM (oom_kill.c)                                                    */

struct oom_control {
	struct zonelist *zonelist;
	nodemask_t *nodemask;
	gfp_t gfp_mask;
	int order;
	unsigned long totalpages;
	struct mm_struct *chosen;
	long chosen_points;
};

/* 1 if it killed a task or one is still dying (the caller retries), 0 if
 * nothing could be killed. */
int out_of_memory(struct oom_control *oc);
/* The calling task is an OOM victim (its mm is marked) and may dip into
 * the reserves (ALLOC_OOM) while it exits. */
int tsk_is_oom_victim(void);
extern struct mutex oom_lock;
/* Boot (reclaim_init()): no kills recorded yet. */
void oom_init(void);

#endif /* MM_RECLAIM_H */
