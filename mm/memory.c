// SPDX-License-Identifier: MIT
/*
 * mm/memory.c - tasks' anonymous memory (Linux v4.19 mm/memory.c's
 * do_anonymous_page() and do_swap_page(), kernel/fork.c's mm life,
 * mm/rmap.c's try_to_unmap_one() for anon pages, mm/oom_kill.c's
 * __oom_reap_task_mm()).  The contracts: mmsim/swap.h (the mm_task_*
 * calls a harness drives) and mm/reclaim.h ("Tasks' anonymous memory").
 *
 *   struct mm_struct	kmalloc()ed, on mm_list from mm_task_create() to
 *			mm_task_exit(); its ptes[] vzalloc()ed (page tables
 *			are memory: one 4 KiB table per 512 ptes).  Freed when
 *			its last user (mmget()/mmput(): the owner's, the OOM
 *			killer's) is gone, after an RCU grace period: reclaim
 *			reaches a task through page->mapping under
 *			rcu_read_lock(), then its page_table_lock.
 *   a pte		0 (none), a struct page * holding one reference (the
 *			"mapping" reference: page->mapping = mm | ANON,
 *			page->index = idx, PG_swapbacked, on the LRU), or a
 *			swap entry (val << 1 | 1) holding one reference to
 *			its slot.
 *   a pin		mm_task_access() returns the page with a reference of
 *			its own (and kmapped) until mm_task_release().
 *
 * Who touches what:
 *   mm->ptes[], mm->rss[]	mm->page_table_lock (irq-safe: mm_check()
 *			takes it under stop_machine()); rss read with READ_ONCE
 *   mm->flags		atomic bits (relaxed): MMF_OOM_VICTIM set by the OOM
 *			killer, tested again under the page_table_lock before a
 *			page is installed; MMF_OOM_SKIP set by oom_reap_mm()
 *   mm->users		atomic (acq_rel): the last mmput() frees
 *   mm_list, mm->list	mm_list_lock (irq-safe), readers too
 *   swapin_inflight	atomic (relaxed): swap references swap-ins hold while
 *			they read (mm_check()'s count of the slots' references)
 *
 * Lock order: mm_list_lock, then a task's page_table_lock, then swap_lock
 * (swapfile.c).  Pages are put (put_page(), which takes the LRU lock) only
 * once the page_table_lock is dropped.
 *
 * Why reclaim's read of page->mapping is safe (try_to_unmap_anon()):
 * inside rcu_read_lock() it first sees the page's count at 2 (its
 * isolation's and one more).  Besides the isolation, only the pte and pins
 * (taken from the pte, under the page_table_lock) hold an anon page, so the
 * other reference was the pte's, or a pin of the live owner: the task had
 * not finished mm_task_exit(), whose grace period (before the mm is
 * freed) then waits for this reader.
 */
#include <errno.h>
#include <string.h>

#include <mmsim/highmem.h>
#include <mmsim/rcupdate.h>
#include <mmsim/slab.h>
#include <mmsim/vmalloc.h>
#include <mmsim/sched.h>
#include "reclaim.h"
#include "../numa/blockdev.h"

CDS_LIST_HEAD(mm_list);
DEFINE_SPINLOCK(mm_list_lock);

static int mm_next_pid = 1;		/* atomic (relaxed) */
static long swapin_inflight;		/* atomic (relaxed), see above */

#define PTE_SWAP		1UL
#define PTES_PER_TABLE		512UL	/* x86_64: a 4 KiB table of 8-byte ptes */
#define ZAP_BATCH		32

static inline int pte_none(unsigned long pte) { return pte == 0; }
static inline int pte_present(unsigned long pte) { return pte && !(pte & PTE_SWAP); }
static inline struct page *pte_page(unsigned long pte) { return (struct page *)pte; }
static inline swp_entry_t pte_to_swp_entry(unsigned long pte)
{
	swp_entry_t e = { pte >> 1 };

	return e;
}
static inline unsigned long swp_entry_to_pte(swp_entry_t e) { return e.val << 1 | PTE_SWAP; }

static inline int mm_flag(const struct mm_struct *mm, int bit)
{
	return (__atomic_load_n(&mm->flags, __ATOMIC_RELAXED) >> bit) & 1;
}

static inline void add_rss(struct mm_struct *mm, int member, long v)
{
	lockdep_assert_held(&mm->page_table_lock);
	WRITE_ONCE(mm->rss[member], mm->rss[member] + v);
}

static void mod_anon_mapped(struct page *page, long v)
{
	unsigned long flags;

	local_irq_save(flags);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_ANON_MAPPED, v);
	local_irq_restore(flags);
}

static void count_fault(int major)
{
	unsigned long flags;

	local_irq_save(flags);
	__count_vm_events(PGFAULT, 1);
	if (major)
		__count_vm_events(PGMAJFAULT, 1);
	local_irq_restore(flags);
}

unsigned long mm_pgtables_bytes(const struct mm_struct *mm)
{
	return (mm->nr_ptes + PTES_PER_TABLE - 1) / PTES_PER_TABLE * PAGE_SIZE;
}

struct mm_struct *mm_task_create(const char *comm, unsigned long nr_pages, int oom_score_adj)
{
	struct mm_struct *mm;
	unsigned long flags;

	if (!nr_pages || nr_pages > (1UL << 40) / sizeof(unsigned long) ||
	    oom_score_adj < OOM_SCORE_ADJ_MIN || oom_score_adj > OOM_SCORE_ADJ_MAX)
		return NULL;
	mm = kmalloc(sizeof(*mm), GFP_KERNEL);
	if (!mm)
		return NULL;
	memset(mm, 0, sizeof(*mm));
	mm->ptes = vzalloc(nr_pages * sizeof(unsigned long));
	if (!mm->ptes) {
		kfree(mm);
		return NULL;
	}
	spin_lock_init(&mm->page_table_lock);
	mm->nr_ptes = nr_pages;
	mm->oom_score_adj = oom_score_adj;
	mm->pid = __atomic_fetch_add(&mm_next_pid, 1, __ATOMIC_RELAXED);
	snprintf(mm->comm, sizeof(mm->comm), "%s", comm ? comm : "task");
	__atomic_store_n(&mm->users, 1, __ATOMIC_RELAXED);
	spin_lock_irqsave(&mm_list_lock, flags);
	cds_list_add_tail(&mm->list, &mm_list);
	spin_unlock_irqrestore(&mm_list_lock, flags);
	return mm;
}

void mmget(struct mm_struct *mm)
{
	__atomic_fetch_add(&mm->users, 1, __ATOMIC_RELAXED);
}

/* The last user frees the tables and the struct, once reclaim's readers
 * of page->mapping (rcu_read_lock()) are gone.  May sleep. */
void mmput(struct mm_struct *mm)
{
	/* acq_rel: the other users' accesses happen before the free */
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL))
		return;
	synchronize_rcu();
	vfree(mm->ptes);
	kfree(mm);
}

/*
 * Unmap every pte, ZAP_BATCH pages per hold of the lock: present pages
 * lose their mapping reference (put after the lock), swap entries are
 * freed.  Returns the pages unmapped.
 */
static unsigned long zap_ptes(struct mm_struct *mm)
{
	unsigned long idx = 0, unmapped = 0, flags;

	while (idx < mm->nr_ptes) {
		struct page *batch[ZAP_BATCH];
		int n = 0;

		spin_lock_irqsave(&mm->page_table_lock, flags);
		for (; idx < mm->nr_ptes && n < ZAP_BATCH; idx++) {
			unsigned long pte = mm->ptes[idx];

			if (pte_none(pte))
				continue;
			mm->ptes[idx] = 0;
			if (pte_present(pte)) {
				batch[n++] = pte_page(pte);
				add_rss(mm, MM_ANONPAGES, -1);
			} else {
				swap_free(pte_to_swp_entry(pte));
				add_rss(mm, MM_SWAPENTS, -1);
			}
		}
		spin_unlock_irqrestore(&mm->page_table_lock, flags);
		for (int i = 0; i < n; i++) {
			mod_anon_mapped(batch[i], -1);
			put_page(batch[i]);
		}
		unmapped += (unsigned long)n;
		cond_resched();
	}
	return unmapped;
}

void mm_task_exit(struct mm_struct *mm)
{
	unsigned long flags;

	if (!mm)
		return;
	/* unmapped while still listed: mm_check() counts its swap entries
	 * until they are gone */
	zap_ptes(mm);
	spin_lock_irqsave(&mm_list_lock, flags);
	cds_list_del(&mm->list);
	spin_unlock_irqrestore(&mm_list_lock, flags);
	mmput(mm);
}

unsigned long oom_reap_mm(struct mm_struct *mm)
{
	unsigned long freed = zap_ptes(mm);

	__atomic_fetch_or(&mm->flags, 1UL << MMF_OOM_SKIP, __ATOMIC_RELAXED);
	return freed;
}

int mm_task_oom_killed(const struct mm_struct *mm)
{
	return mm_flag(mm, MMF_OOM_VICTIM);
}

void mm_task_info(const struct mm_struct *mm, struct mm_task_info *info)
{
	memset(info, 0, sizeof(*info));
	info->pid = mm->pid;
	info->anon_rss = READ_ONCE(mm->rss[MM_ANONPAGES]);
	info->swapents = READ_ONCE(mm->rss[MM_SWAPENTS]);
	info->pgtables_bytes = mm_pgtables_bytes(mm);
	info->oom_score_adj = READ_ONCE(mm->oom_score_adj);
	info->oom_killed = mm_task_oom_killed(mm);
}

void mm_io_stats_current(struct mm_io_stats *st)
{
	st->swap_out = current->io.swap_out;
	st->swap_in = current->io.swap_in;
	st->fs_write = current->io.fs_write;
	st->fs_read = current->io.fs_read;
	st->fs_shrink = current->io.fs_shrink;
}

/* A new page for idx of mm, not yet visible: one reference (the pte's). */
static struct page *anon_page_alloc(struct mm_struct *mm, unsigned long idx, gfp_t gfp)
{
	struct page *page = alloc_page(gfp);

	if (!page)
		return NULL;
	__set_page_flag(page, PG_swapbacked);
	WRITE_ONCE(page->mapping, (void *)((unsigned long)mm | PAGE_MAPPING_ANON));
	page->index = idx;
	return page;
}

/* Drop a page that never became visible. */
static void anon_page_drop(struct page *page)
{
	WRITE_ONCE(page->mapping, NULL);
	__clear_page_flag(page, PG_swapbacked);
	__clear_page_flag(page, PG_locked);
	put_page(page);
}

/* A new page just installed in a pte (pinned by the caller too). */
static void anon_page_added(struct page *page)
{
	mod_anon_mapped(page, 1);
	lru_cache_add_active_or_unevictable(page);
}

/*
 * do_anonymous_page(): a zeroed page in the none pte of idx, pinned.
 * 0, -EAGAIN (the pte changed meanwhile: look again), -ENOMEM, -EINTR.
 */
static int fault_none(struct mm_struct *mm, unsigned long idx, gfp_t gfp, struct page **pagep)
{
	struct page *page = anon_page_alloc(mm, idx, gfp);
	unsigned long flags;
	void *p;
	int ret = 0;

	if (!page)
		return -ENOMEM;
	p = kmap(page);
	if (!p) {
		anon_page_drop(page);
		return -ENOMEM;
	}
	memset(p, 0, PAGE_SIZE);
	kunmap(page);
	spin_lock_irqsave(&mm->page_table_lock, flags);
	if (mm_flag(mm, MMF_OOM_VICTIM)) {
		ret = -EINTR;
	} else if (!pte_none(mm->ptes[idx])) {
		ret = -EAGAIN;
	} else {
		page_ref_inc(page);		/* the caller's pin */
		mm->ptes[idx] = (unsigned long)page;
		add_rss(mm, MM_ANONPAGES, 1);
	}
	spin_unlock_irqrestore(&mm->page_table_lock, flags);
	if (ret) {
		anon_page_drop(page);
		return ret;
	}
	count_fault(0);
	anon_page_added(page);
	*pagep = page;
	return 0;
}

/*
 * do_swap_page(): read entry (the pte of idx, seen under the lock, which
 * took a reference of its own: swapin_inflight) into a new page and install
 * it if the pte still holds that entry.  Holding the reference keeps the
 * slot from being freed and reused while it reads, so the pte holding the
 * same entry later still means the same contents.
 */
static int fault_swap(struct mm_struct *mm, unsigned long idx, swp_entry_t entry, gfp_t gfp,
		      struct page **pagep)
{
	struct page *page = anon_page_alloc(mm, idx, gfp);
	unsigned long flags;
	int ret = 0;

	if (page) {
		__set_page_flag(page, PG_locked);	/* nobody else sees it */
		if (swap_readpage(page, entry))
			ret = -EIO;
		__clear_page_flag(page, PG_locked);
	} else {
		ret = -ENOMEM;
	}
	spin_lock_irqsave(&mm->page_table_lock, flags);
	if (!ret && mm_flag(mm, MMF_OOM_VICTIM)) {
		ret = -EINTR;
	} else if (!ret && mm->ptes[idx] != swp_entry_to_pte(entry)) {
		ret = -EAGAIN;
	} else if (!ret) {
		page_ref_inc(page);		/* the caller's pin */
		mm->ptes[idx] = (unsigned long)page;
		add_rss(mm, MM_SWAPENTS, -1);
		add_rss(mm, MM_ANONPAGES, 1);
		swap_free(entry);		/* the pte's */
	}
	swap_free(entry);			/* ours */
	__atomic_fetch_sub(&swapin_inflight, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&mm->page_table_lock, flags);
	if (ret) {
		if (page)
			anon_page_drop(page);
		return ret;
	}
	count_fault(1);
	anon_page_added(page);
	*pagep = page;
	return 0;
}

int mm_task_access(struct mm_struct *mm, unsigned long idx, int write, gfp_t gfp, void **addr)
{
	struct mm_struct *saved = current->mm;
	struct page *page = NULL;
	unsigned long flags;
	int ret;

	if (!mm || !addr || idx >= mm->nr_ptes)
		return -EINVAL;
	current->mm = mm;
	do {
		unsigned long pte;

		spin_lock_irqsave(&mm->page_table_lock, flags);
		pte = mm->ptes[idx];
		if (mm_flag(mm, MMF_OOM_VICTIM)) {
			ret = -EINTR;
		} else if (pte_present(pte)) {
			page = pte_page(pte);
			page_ref_inc(page);	/* the pin: the pte holds one */
			SetPageReferenced(page);	/* the pte's young bit */
			ret = 0;
		} else if (!pte_none(pte)) {
			swap_duplicate(pte_to_swp_entry(pte));
			__atomic_fetch_add(&swapin_inflight, 1, __ATOMIC_RELAXED);
			ret = 1;
		} else {
			ret = 2;
		}
		spin_unlock_irqrestore(&mm->page_table_lock, flags);
		if (ret == 1)
			ret = fault_swap(mm, idx, pte_to_swp_entry(pte), gfp, &page);
		else if (ret == 2)
			ret = fault_none(mm, idx, gfp, &page);
	} while (ret == -EAGAIN);
	if (!ret) {
		*addr = kmap(page);
		if (!*addr) {
			put_page(page);
			ret = -ENOMEM;
		} else if (write) {
			SetPageDirty(page);
		}
	}
	current->mm = saved;
	return ret;
}

void mm_task_release(struct mm_struct *mm, unsigned long idx, void *addr)
{
	struct page *page = addr ? kmap_to_page(addr) : NULL;
	unsigned long pfn = page ? page_to_pfn(page) : 0;

	if (!mm || !page || !pfn_valid(pfn) || page_anon_mm(page) != mm ||
	    page->index != idx || page_ref_count(page) < 1) {
		report_begin(REPORT_BUG);
		printk("BUG: mm_task_release(%s, %lu, %p): not a page mm_task_access() pinned\n",
		       mm ? mm->comm : "(null)", idx, addr);
		report_end(REPORT_BUG, -1);
		return;
	}
	kunmap(page);
	put_page(page);
}

/*
 * Reclaim's try_to_unmap_one() for an anon page, with the swap-out that
 * shrink_page_list() would start: see the map for why page->mapping may
 * be read.
 */
int try_to_unmap_anon(struct page *page)
{
	struct mm_struct *mm;
	unsigned long idx, flags;
	swp_entry_t entry;
	int refs, ret = 0;

	rcu_read_lock();
	/* acquire: a pin's writes to the page, released by its put_page(),
	 * are seen by the copy */
	refs = __atomic_load_n(&page->_refcount, __ATOMIC_ACQUIRE);
	if (refs != 2 || !PageAnon(page)) {
		rcu_read_unlock();
		/* 1: its task unmapped it meanwhile (exit, reaping): only the
		 * isolation holds it, nothing is left to unmap */
		return refs == 1 ? 0 : -EAGAIN;
	}
	mm = page_anon_mm(page);
	idx = page->index;
	spin_lock_irqsave(&mm->page_table_lock, flags);
	if (idx >= mm->nr_ptes || mm->ptes[idx] != (unsigned long)page ||
	    __atomic_load_n(&page->_refcount, __ATOMIC_ACQUIRE) != 2) {
		ret = -EAGAIN;		/* pinned (pins come under this lock) or unmapped */
	} else {
		entry = get_swap_page();
		if (!entry.val) {
			ret = -ENOMEM;
		} else if (swap_write_copy(page, entry)) {
			swap_free(entry);
			ret = -EAGAIN;
		} else {
			mm->ptes[idx] = swp_entry_to_pte(entry);
			add_rss(mm, MM_ANONPAGES, -1);
			add_rss(mm, MM_SWAPENTS, 1);
		}
	}
	spin_unlock_irqrestore(&mm->page_table_lock, flags);
	rcu_read_unlock();
	if (ret)
		return ret;
	ClearPageDirty(page);
	mod_anon_mapped(page, -1);
	put_page(page);			/* the pte's: the isolation's is left */
	bdev_wait_io();
	return 0;
}

static void __printf(2, 3) anon_violation(struct check_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(log, "mm_check: anon: ", fmt, ap);
	va_end(ap);
}

/* One task under its page_table_lock: its swap entries counted in *swapped. */
static void __mm_anon_check(struct check_log *log, struct mm_struct *mm,
			    unsigned long *swapped)
{
	unsigned long present = 0, swp = 0;

	for (unsigned long idx = 0; idx < mm->nr_ptes; idx++) {
		unsigned long pte = mm->ptes[idx];
		struct page *page;

		if (pte_none(pte))
			continue;
		if (!pte_present(pte)) {
			swp++;
			if (!swap_entry_count(pte_to_swp_entry(pte)))
				anon_violation(log, "task %d (%s) page %lu: swap entry %08lx is not in use",
					       mm->pid, mm->comm, idx, pte_to_swp_entry(pte).val);
			continue;
		}
		present++;
		page = pte_page(pte);
		if (page_anon_mm(page) != mm || !PageAnon(page) || page->index != idx ||
		    !PageSwapBacked(page) || page_ref_count(page) < 1)
			anon_violation(log, "task %d (%s) page %lu: pfn %#lx has mapping %p index %lu "
				       "refcount %d%s", mm->pid, mm->comm, idx, page_to_pfn(page),
				       READ_ONCE(page->mapping), page->index, page_ref_count(page),
				       PageSwapBacked(page) ? "" : ", not PG_swapbacked");
	}
	if ((long)present != mm->rss[MM_ANONPAGES] || (long)swp != mm->rss[MM_SWAPENTS])
		anon_violation(log, "task %d (%s): %lu page%s present, %lu in swap, counted %ld and %ld",
			       mm->pid, mm->comm, present, str_plural(present), swp,
			       mm->rss[MM_ANONPAGES], mm->rss[MM_SWAPENTS]);
	*swapped += swp;
}

/*
 * Every task's ptes against its rss, its pages' identity and the swap
 * area: the slots' references are exactly the tasks' swap entries and the
 * swap-ins' own (the machine quiescent, as mm_check() wants it).
 */
int mm_anon_check(FILE *report)
{
	struct check_log log = { .report = report };
	unsigned long swapped = 0, refs, flags;
	struct mm_struct *mm;
	long inflight;

	spin_lock_irqsave(&mm_list_lock, flags);
	cds_list_for_each_entry(mm, &mm_list, list) {
		spin_lock(&mm->page_table_lock);
		__mm_anon_check(&log, mm, &swapped);
		spin_unlock(&mm->page_table_lock);
	}
	inflight = __atomic_load_n(&swapin_inflight, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&mm_list_lock, flags);
	refs = swap_refs_total();
	if (refs != swapped + (unsigned long)inflight)
		anon_violation(&log, "the swap area holds %lu reference%s, the tasks %lu swap "
			       "entr%s and swap-ins %ld", refs, str_plural(refs), swapped,
			       swapped == 1 ? "y" : "ies", inflight);
	check_log_flush(&log);
	return log.violations;
}
