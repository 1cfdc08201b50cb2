// SPDX-License-Identifier: MIT
/*
 * mm/highmem.c - kmap(), kmap_atomic() and the hashed page_address() of
 * highmem pages (Linux v4.19 mm/highmem.c, arch/x86/mm/highmem_32.c);
 * mmsim/highmem.h is the contract.  Frames are mapped for real into the
 * pkmap window and the fixmap slots of numa/vmspace.c.
 *
 *   pkmap		LAST_PKMAP slots at vmspace.pkmap_base.  pkmap_count[nr]
 *			is 0 (free: unmapped), 1 (stale: still mapped, no
 *			user; unmapped by the next flush) or n (n - 1 users);
 *			pkmap_page[nr] is the page slot nr maps (the kernel
 *			reads it from the pte).  A new mapping takes the next
 *			free slot after last_pkmap_nr; the scan's wrap to slot
 *			0 flushes every stale slot at once
 *			(__flush_all_zero_pkmaps()).  With no free slot the
 *			caller sleeps on pkmap_map_wait until a kunmap()
 *			makes one stale, then scans again.
 *   page_address_htable
 *			page -> pkmap address of every mapped slot (count >=
 *			1): page_address_maps[nr] is slot nr's entry, on the
 *			list of its page's bucket.
 *   kmap_atomic_cpus[c]
 *			CPU c's fixmap slots as a stack: idx in use (the
 *			kernel's __kmap_atomic_idx), page[d] what depth d maps.
 *
 * Who touches what:
 *   pkmap_count, pkmap_page, last_pkmap_nr, pkmap_stats
 *			kmap_lock (pkmap_page and the statistics also read
 *			without it, READ_ONCE: kmap_to_page(), the counters).
 *   page_address_htable[b].lh and the entries on it
 *			the bucket's lock; entries are added and removed only
 *			with kmap_lock held too (set_page_address()).
 *   kmap_atomic_cpus[c]
 *			CPU c, with interrupts off (so an IPI on c, which may
 *			kmap_atomic() too, sees the stack whole, and so does
 *			mm_check() under stop_machine()); read by mm_check().
 *			WRITE_ONCE/READ_ONCE (relaxed): stop_machine()'s
 *			arrival counter (release/acquire) orders them for the
 *			check.
 *   __mm_pagefault_disabled
 *			the task's own (thread-local; an IPI on its thread
 *			undoes what it does).
 *
 * Locks: kmap_lock -> a bucket's lock -> pkmap_map_wait's.  kmap_lock is
 * taken with interrupts off (the kernel's lock_kmap() is a plain
 * spin_lock() where no interrupt kmaps): a CPU is never stopped by
 * stop_machine() inside it, so mm_check() may take it.  Nothing is
 * printed under it: a misuse is reported after the unlock.
 *
 * No wake-up is lost: a sleeper queues itself (prepare_to_wait()) with
 * kmap_lock held, after a scan under that lock found no free slot; a
 * kunmap() that makes a slot stale tests waitqueue_active() under
 * kmap_lock, so it either sees the sleeper or ran before its scan.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "../numa/ipi.h"
#include "../numa/vmspace.h"
#include <mmsim/highmem.h>
#include <mmsim/spinlock.h>
#include <mmsim/wait.h>

#define PA_HASH_ORDER	7
#define PA_HASH_SIZE	(1U << PA_HASH_ORDER)

__thread int __mm_pagefault_disabled;

static DEFINE_SPINLOCK(kmap_lock);
static int pkmap_count[LAST_PKMAP];
static struct page *pkmap_page[LAST_PKMAP];
static unsigned int last_pkmap_nr;
static struct pkmap_stats pkmap_stats;
static DECLARE_WAIT_QUEUE_HEAD(pkmap_map_wait);

struct page_address_map {
	struct page *page;
	void *virtual;
	struct cds_list_head list;
};
static struct page_address_map page_address_maps[LAST_PKMAP];

static struct page_address_slot {
	struct cds_list_head lh;
	spinlock_t lock;
} ____cacheline_aligned page_address_htable[PA_HASH_SIZE];

struct kmap_atomic_cpu {
	int idx;
	struct page *page[KM_TYPE_NR];
} ____cacheline_aligned;
static struct kmap_atomic_cpu kmap_atomic_cpus[NR_CPUS];

static inline int highmem_machine(void)
{
	return vmspace.pkmap_base != NULL;
}

static inline char *pkmap_addr(unsigned int nr)
{
	return vmspace.pkmap_base + ((unsigned long)nr << PAGE_SHIFT);
}

static inline int in_pkmap(const void *addr)
{
	return highmem_machine() && (const char *)addr >= vmspace.pkmap_base &&
	       (const char *)addr < pkmap_addr(LAST_PKMAP);
}

static inline unsigned int pkmap_nr(const void *addr)
{
	return (unsigned int)(((const char *)addr - vmspace.pkmap_base) >> PAGE_SHIFT);
}

static inline char *fixmap_addr(unsigned int cpu, int depth)
{
	return vmspace.fixmap_base +
	       (((unsigned long)cpu * KM_TYPE_NR + (unsigned long)depth) << PAGE_SHIFT);
}

static inline uint64_t page_phys(const struct page *page)
{
	return (uint64_t)page_to_pfn(page) << PAGE_SHIFT;
}

/* ------------------------------------------------------------------ */
/* The hashed page_address()                                           */

static struct page_address_slot *page_slot(const struct page *page)
{
	/* a multiplicative hash of the pfn, as hash_ptr() of the page */
	return &page_address_htable[(uint32_t)(page_to_pfn(page) * 0x61c88647U) >>
				    (32 - PA_HASH_ORDER)];
}

void *page_address_hashed(const struct page *page)
{
	struct page_address_slot *pas;
	struct page_address_map *pam;
	unsigned long flags;
	void *ret = NULL;

	if (!highmem_machine())
		return NULL;
	pas = page_slot(page);
	spin_lock_irqsave(&pas->lock, flags);
	cds_list_for_each_entry(pam, &pas->lh, list) {
		if (pam->page == page) {
			ret = pam->virtual;
			break;
		}
	}
	spin_unlock_irqrestore(&pas->lock, flags);
	return ret;
}

/* kmap_lock held: slot nr's entry joins (virtual) or leaves (NULL) the table. */
static void set_page_address(struct page *page, unsigned int nr, void *virtual)
{
	struct page_address_slot *pas = page_slot(page);
	struct page_address_map *pam = &page_address_maps[nr];
	unsigned long flags;

	spin_lock_irqsave(&pas->lock, flags);
	if (virtual) {
		pam->page = page;
		pam->virtual = virtual;
		cds_list_add_tail(&pam->list, &pas->lh);
	} else {
		cds_list_del(&pam->list);
		pam->page = NULL;
		pam->virtual = NULL;
	}
	spin_unlock_irqrestore(&pas->lock, flags);
}

/* ------------------------------------------------------------------ */
/* kmap() and kunmap(): the pkmap window                               */

/* Every stale slot unmapped at once (runs of them in one call). */
static void __flush_all_zero_pkmaps(void)
{
	unsigned long flushed = 0;
	unsigned int run = 0;

	for (unsigned int i = 0; i <= LAST_PKMAP; i++) {
		if (i < LAST_PKMAP && pkmap_count[i] == 1) {
			struct page *page = pkmap_page[i];

			pkmap_count[i] = 0;
			WRITE_ONCE(pkmap_page[i], NULL);
			set_page_address(page, i, NULL);
			run++;
			flushed++;
			continue;
		}
		/* (a failure leaves the frames mapped: harmless, the slots
		 * are free all the same, and the next map replaces them) */
		if (run)
			vmspace_unmap(pkmap_addr(i - run), (size_t)run << PAGE_SHIFT);
		run = 0;
	}
	if (flushed) {
		WRITE_ONCE(pkmap_stats.flushes, pkmap_stats.flushes + 1);
		WRITE_ONCE(pkmap_stats.flushed, pkmap_stats.flushed + flushed);
	}
}

/*
 * kmap_lock held (with interrupts off: *flags restores them): a slot for
 * page, mapped, count 1; NULL if the host refused the mapping.  May drop
 * the lock and sleep until a kunmap(), and then finds the page mapped by
 * someone else meanwhile, or scans again.
 */
static void *__map_new_virtual(struct page *page, unsigned long *flags)
{
	unsigned int count, nr;
	void *vaddr;

start:
	count = LAST_PKMAP;
	for (;;) {
		last_pkmap_nr = (last_pkmap_nr + 1) & (LAST_PKMAP - 1);
		if (!last_pkmap_nr) {
			__flush_all_zero_pkmaps();
			count = LAST_PKMAP;
		}
		if (!pkmap_count[last_pkmap_nr])
			break;
		if (--count)
			continue;
		/* every slot has users: sleep until a kunmap() */
		{
			DEFINE_WAIT(wait);

			WRITE_ONCE(pkmap_stats.sleeps, pkmap_stats.sleeps + 1);
			prepare_to_wait(&pkmap_map_wait, &wait, TASK_UNINTERRUPTIBLE);
			spin_unlock_irqrestore(&kmap_lock, *flags);
			schedule_timeout(MAX_SCHEDULE_TIMEOUT);
			finish_wait(&pkmap_map_wait, &wait);
			spin_lock_irqsave(&kmap_lock, *flags);
			/* somebody else may have mapped it meanwhile */
			vaddr = page_address_hashed(page);
			if (vaddr)
				return vaddr;
			goto start;
		}
	}
	nr = last_pkmap_nr;
	vaddr = pkmap_addr(nr);
	if (vmspace_map(vaddr, page_phys(page), PAGE_SIZE))
		return NULL;
	pkmap_count[nr] = 1;
	WRITE_ONCE(pkmap_page[nr], page);
	set_page_address(page, nr, vaddr);
	WRITE_ONCE(pkmap_stats.maps, pkmap_stats.maps + 1);
	return vaddr;
}

static void *kmap_high(struct page *page)
{
	unsigned long flags;
	void *vaddr;

	spin_lock_irqsave(&kmap_lock, flags);
	vaddr = page_address_hashed(page);
	if (!vaddr)
		vaddr = __map_new_virtual(page, &flags);
	if (vaddr)
		pkmap_count[pkmap_nr(vaddr)]++;
	spin_unlock_irqrestore(&kmap_lock, flags);
	return vaddr;
}

void *kmap(struct page *page)
{
	if (unlikely(might_sleep()))
		return NULL;		/* reported: refused */
	if (!PageHighMem(page))
		return page_address(page);
	return kmap_high(page);
}

static noinline void kunmap_bad(struct page *page, const char *why)
{
	report_begin(REPORT_BUG);
	printk("BUG: kunmap() of page %p (pfn %#lx) %s\n", (void *)page, page_to_pfn(page),
	       why);
	dump_stack();
	report_end(REPORT_BUG, -1);
}

static void kunmap_high(struct page *page)
{
	unsigned long flags;
	int need_wakeup = 0, count = -1;
	unsigned int nr;
	void *vaddr;

	spin_lock_irqsave(&kmap_lock, flags);
	vaddr = page_address_hashed(page);
	if (vaddr) {
		nr = pkmap_nr(vaddr);
		count = --pkmap_count[nr];
		if (!count)
			pkmap_count[nr] = 1;	/* refused: it had no user */
		else if (count == 1)
			/* the slot is stale: someone waits for one? */
			need_wakeup = waitqueue_active(&pkmap_map_wait);
	}
	spin_unlock_irqrestore(&kmap_lock, flags);
	if (count <= 0)
		kunmap_bad(page, count ? "that is not kmapped" : "that no one holds kmapped");
	else if (need_wakeup)
		wake_up(&pkmap_map_wait);
}

void kunmap(struct page *page)
{
	if (unlikely(in_interrupt())) {
		BUG_REPORT();		/* refused: the mapping stays */
		return;
	}
	if (!PageHighMem(page))
		return;
	kunmap_high(page);
}

struct page *kmap_to_page(void *addr)
{
	if (in_pkmap(addr))
		return READ_ONCE(pkmap_page[pkmap_nr(addr)]);
	return virt_to_page(addr);
}

/* ------------------------------------------------------------------ */
/* kmap_atomic(): this CPU's fixmap slots                              */

void *kmap_atomic(struct page *page)
{
	struct kmap_atomic_cpu *kc;
	unsigned long flags;
	int cpu, idx, ret;
	void *vaddr;

	preempt_disable();
	pagefault_disable();
	if (!PageHighMem(page))
		return page_address(page);
	cpu = raw_smp_processor_id();
	if (unlikely(cpu < 0)) {
		smp_processor_id();	/* reports it */
		goto refuse;
	}
	kc = &kmap_atomic_cpus[cpu];
	local_irq_save(flags);
	idx = kc->idx;
	if (unlikely(idx >= KM_TYPE_NR)) {
		local_irq_restore(flags);
		BUG_REPORT();		/* the kernel's BUG_ON(idx >= KM_TYPE_NR) */
		goto refuse;
	}
	vaddr = fixmap_addr((unsigned int)cpu, idx);
	ret = vmspace_map(vaddr, page_phys(page), PAGE_SIZE);
	if (likely(!ret)) {
		WRITE_ONCE(kc->page[idx], page);
		WRITE_ONCE(kc->idx, idx + 1);
	}
	local_irq_restore(flags);
	if (likely(!ret))
		return vaddr;
refuse:
	pagefault_enable();
	preempt_enable();
	return NULL;
}

void kunmap_atomic(void *addr)
{
	char *vaddr = (char *)((unsigned long)addr & PAGE_MASK);
	int cpu = raw_smp_processor_id();

	if (WARN(!pagefault_disabled(), "kunmap_atomic(%p) with no kmap_atomic() held\n", addr))
		return;
	if (vmspace.fixmap_base && vaddr >= vmspace.fixmap_base &&
	    vaddr < fixmap_addr(num_online_cpus(), 0)) {
		struct kmap_atomic_cpu *kc;
		unsigned long flags;
		int idx;

		if (WARN(cpu < 0, "kunmap_atomic(%p) with no CPU attached\n", addr))
			return;
		kc = &kmap_atomic_cpus[cpu];
		local_irq_save(flags);
		idx = kc->idx - 1;
		if (unlikely(idx < 0 || vaddr != fixmap_addr((unsigned int)cpu, idx))) {
			local_irq_restore(flags);
			WARN(1, "kunmap_atomic(%p): not CPU#%d's last kmap_atomic() (%d held, the last at %p): refused\n",
			     addr, cpu, idx + 1, idx >= 0 ? fixmap_addr((unsigned int)cpu, idx) : NULL);
			return;
		}
		vmspace_unmap(vaddr, PAGE_SIZE);
		WRITE_ONCE(kc->page[idx], NULL);
		WRITE_ONCE(kc->idx, idx);
		local_irq_restore(flags);
	} else if (unlikely(!virt_addr_valid(addr))) {
		BUG_REPORT();		/* neither a fixmap slot nor lowmem */
		return;
	}
	pagefault_enable();
	preempt_enable();
}

/* ------------------------------------------------------------------ */
/* Boot, inspection, mm_check()                                        */

int highmem_init(void)
{
	memset(pkmap_count, 0, sizeof(pkmap_count));
	memset(pkmap_page, 0, sizeof(pkmap_page));
	memset(page_address_maps, 0, sizeof(page_address_maps));
	memset(&pkmap_stats, 0, sizeof(pkmap_stats));
	memset(kmap_atomic_cpus, 0, sizeof(kmap_atomic_cpus));
	last_pkmap_nr = 0;
	for (unsigned int b = 0; b < PA_HASH_SIZE; b++) {
		CDS_INIT_LIST_HEAD(&page_address_htable[b].lh);
		spin_lock_init(&page_address_htable[b].lock);
	}
	return 0;
}

int pkmap_slot_count(unsigned int nr)
{
	unsigned long flags;
	int count;

	if (!highmem_machine() || nr >= LAST_PKMAP)
		return -1;
	spin_lock_irqsave(&kmap_lock, flags);
	count = pkmap_count[nr];
	spin_unlock_irqrestore(&kmap_lock, flags);
	return count;
}

int kmap_atomic_depth(void)
{
	int cpu = raw_smp_processor_id();

	return cpu < 0 ? 0 : READ_ONCE(kmap_atomic_cpus[cpu].idx);
}

void pkmap_stats_read(struct pkmap_stats *st)
{
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	if (!highmem_machine())
		return;
	spin_lock_irqsave(&kmap_lock, flags);
	*st = pkmap_stats;
	for (unsigned int i = 0; i < LAST_PKMAP; i++) {
		st->mapped += pkmap_count[i] >= 1;
		st->in_use += pkmap_count[i] >= 2;
	}
	spin_unlock_irqrestore(&kmap_lock, flags);
}

static void __printf(2, 3) hm_violation(struct check_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(log, "mm_check: highmem: ", fmt, ap);
	va_end(ap);
}

/* kmap_lock held: the slots against the page_address table. */
static void __pkmap_check(struct check_log *log)
{
	unsigned int mapped = 0, entries = 0;

	for (unsigned int i = 0; i < LAST_PKMAP; i++) {
		struct page *page = pkmap_page[i];
		int count = pkmap_count[i];

		if (count < 0) {
			hm_violation(log, "pkmap_count[%u] = %d", i, count);
		} else if (!count) {
			if (page)
				hm_violation(log, "free pkmap slot %u still maps pfn %#lx", i,
					     page_to_pfn(page));
		} else if (!page || !PageHighMem(page)) {
			hm_violation(log, "pkmap slot %u (count %d) maps %s", i, count,
				     page ? "a lowmem page" : "no page");
		} else {
			mapped++;
			if (page_address_hashed(page) != pkmap_addr(i))
				hm_violation(log, "pkmap slot %u maps pfn %#lx, whose page_address() is %p, not %p",
					     i, page_to_pfn(page), page_address_hashed(page),
					     (void *)pkmap_addr(i));
		}
	}
	for (unsigned int b = 0; b < PA_HASH_SIZE; b++) {
		struct page_address_slot *pas = &page_address_htable[b];
		struct page_address_map *pam;
		unsigned long flags;

		spin_lock_irqsave(&pas->lock, flags);
		cds_list_for_each_entry(pam, &pas->lh, list)
			entries++;
		spin_unlock_irqrestore(&pas->lock, flags);
	}
	if (entries != mapped)
		hm_violation(log, "%u page_address entries for %u mapped pkmap slots", entries,
			     mapped);
}

/*
 * Each CPU's kmap_atomic() stack: whole (a page for every depth in use,
 * none above), and empty on a CPU no task is attached to.  (A CPU that
 * stop_machine() stopped may hold some: it stops wherever interrupts are
 * on, unlike the kernel's stopper threads, which never preempt one.)
 */
static void kmap_atomic_check(struct check_log *log)
{
	for (unsigned int cpu = 0; cpu < num_online_cpus(); cpu++) {
		struct kmap_atomic_cpu *kc = &kmap_atomic_cpus[cpu];
		int idx = READ_ONCE(kc->idx);

		if (idx < 0 || idx > KM_TYPE_NR) {
			hm_violation(log, "CPU#%u: __kmap_atomic_idx %d", cpu, idx);
			continue;
		}
		if (idx && !ipi_cpu_tid(cpu))
			hm_violation(log, "CPU#%u: %d kmap_atomic() slot%s held with no task attached",
				     cpu, idx, str_plural(idx));
		for (int d = 0; d < KM_TYPE_NR; d++) {
			struct page *page = READ_ONCE(kc->page[d]);

			if (d < idx && (!page || !PageHighMem(page)))
				hm_violation(log, "CPU#%u: kmap_atomic() depth %d maps %s", cpu, d,
					     page ? "a lowmem page" : "nothing");
			else if (d >= idx && page)
				hm_violation(log, "CPU#%u: kmap_atomic() depth %d above the top (%d) maps pfn %#lx",
					     cpu, d, idx, page_to_pfn(page));
		}
	}
}

int highmem_check(FILE *report)
{
	struct check_log log = { .report = report };
	unsigned long flags;

	if (!highmem_machine())
		return 0;
	spin_lock_irqsave(&kmap_lock, flags);
	__pkmap_check(&log);
	spin_unlock_irqrestore(&kmap_lock, flags);
	kmap_atomic_check(&log);
	check_log_flush(&log);
	return log.violations;
}
