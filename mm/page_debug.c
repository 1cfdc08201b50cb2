// SPDX-License-Identifier: MIT
/*
 * mm/page_debug.c - debug_pagealloc and page_poison (boot parameters, off
 * by default, as in the kernel).
 *
 *   debug_pagealloc=on	a freed block is unmapped from the direct map
 *			(mprotect(PROT_NONE) of its range) when it leaves
 *			its owner (free_pages_prepare()), and mapped again
 *			(PROT_READ|PROT_WRITE) when it is allocated
 *			(prep_new_page(), the kernel's post_alloc_hook()):
 *			any access to a free page faults at once.  The fault
 *			(numa/fault.c) is claimed here: reported as the
 *			kernel's oops with the page's state and its last
 *			free site, the page mapped back, and the CPU goes on.
 *   page_poison=on	a freed page that stays mapped is filled with
 *			PAGE_POISON (0xaa) and checked when it is allocated
 *			again: "pagealloc: memory corruption" (or "single bit
 *			error") with a hex dump of the changed range; then
 *			the page is handed out all the same.
 *
 * Either turns the order-0 fast paths off (pcp.c gives no CPU its fast
 * table), so that every free and allocation passes here.  Highmem pages
 * (x86_32) have no direct-map address: neither applies to them.  At boot
 * the whole free lowmem RAM is unmapped in one call; it is not poisoned
 * (poisoning would touch every frame of a lazily backed machine): a page
 * is checked only if it was poisoned at its last free.
 *
 * vm.max_map_count: each unmapped run of pages is a VMA of the host's.  If
 * the host refuses to split one more (ENOMEM), debug_pagealloc gives up
 * with a warning: the whole direct map goes back to read/write, nothing is
 * unmapped from then on (a page being unmapped concurrently is mapped
 * again when allocated, as every allocation maps its block).
 *
 * Who touches what:
 *   debug_pagealloc, page_poison, page_debug_on
 *			set by page_debug_init() at boot, cleared by
 *			page_debug_exit(): read-only while CPUs run.
 *   dpa_active		1 while debug_pagealloc unmaps pages; cleared once by
 *			dpa_give_up() (relaxed: a late reader unmaps a page
 *			that its allocation maps again).
 *   pd[pfn - min_pfn]	the page's debug state: written by the page's owner
 *			(the thread freeing or allocating it: the free lists
 *			and zone->lock order owners one after another), and
 *			by the fault handler of a thread that faulted on it
 *			(state only).  All accesses are relaxed atomics: the
 *			handler's reads may be stale, and only the report's
 *			text depends on them.  The state's UNMAPPED bit is
 *			set before the mprotect(PROT_NONE) and cleared after
 *			the mprotect(PROT_READ|PROT_WRITE), so a page that
 *			faults has it set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define PAGE_POISON	0xaa

enum {
	PD_UNMAPPED = 0x1,	/* debug_pagealloc unmapped it at its free */
	PD_POISONED = 0x2,	/* page_poison filled it at its free */
	PD_FREED = 0x4,		/* free_site is its last free */
};

struct page_debug {
	const void *free_site;	/* who freed it last */
	unsigned int order;	/* of the block it was freed in */
	unsigned int head;	/* its pfn - the block's first */
	unsigned char state;
};

int debug_pagealloc;
int page_poison;
int page_debug_on;
static int dpa_active;
static struct page_debug *pd;
static unsigned long pd_pfns;
static unsigned long nr_uaf_reports;

static inline struct page_debug *pd_of(unsigned long pfn)
{
	return &pd[pfn - __mm_layout.min_pfn];
}

static inline char *pfn_address(unsigned long pfn)
{
	return __mm_layout.page_offset + (pfn << PAGE_SHIFT);
}

/* Lowmem: [pfn, pfn + nr) clipped to the direct map; 0 if none of it. */
static unsigned long lowmem_pages(unsigned long pfn, unsigned long nr)
{
	if (pfn >= __mm_layout.max_low_pfn)
		return 0;
	return min(nr, __mm_layout.max_low_pfn - pfn);
}

static void dpa_give_up(int err)
{
	unsigned long lo = __mm_layout.min_pfn;
	unsigned long hi = __mm_layout.max_low_pfn;

	if (!__atomic_exchange_n(&dpa_active, 0, __ATOMIC_RELAXED))
		return;
	pr_warn("debug_pagealloc: cannot change the direct map (%s: vm.max_map_count?); freed pages stay mapped from now on\n",
		strerror(err));
	if (hi > lo)
		mprotect(pfn_address(lo), (hi - lo) << PAGE_SHIFT, PROT_READ | PROT_WRITE);
}

/* ------------------------------------------------------------------ */
/* Freeing                                                             */

void __page_debug_free(struct page *page, unsigned int order, const void *site)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned long nr = lowmem_pages(pfn, 1UL << order);
	int unmap = debug_pagealloc && __atomic_load_n(&dpa_active, __ATOMIC_RELAXED);
	unsigned char state = PD_FREED;

	if (!nr)
		return;			/* highmem: not in the direct map */
	if (unmap)
		state |= PD_UNMAPPED;
	else if (page_poison) {
		memset(pfn_address(pfn), PAGE_POISON, nr << PAGE_SHIFT);
		state |= PD_POISONED;
	}
	for (unsigned long i = 0; i < nr; i++) {
		struct page_debug *d = pd_of(pfn + i);

		__atomic_store_n(&d->free_site, site, __ATOMIC_RELAXED);
		__atomic_store_n(&d->order, order, __ATOMIC_RELAXED);
		__atomic_store_n(&d->head, (unsigned int)i, __ATOMIC_RELAXED);
		__atomic_store_n(&d->state, state, __ATOMIC_RELAXED);
	}
	if (unmap && mprotect(pfn_address(pfn), nr << PAGE_SHIFT, PROT_NONE)) {
		int err = errno;

		for (unsigned long i = 0; i < nr; i++)
			__atomic_store_n(&pd_of(pfn + i)->state, PD_FREED, __ATOMIC_RELAXED);
		dpa_give_up(err);
	}
}

/* ------------------------------------------------------------------ */
/* Allocating                                                          */

static void print_poison_dump(const unsigned char *start, size_t len)
{
	for (size_t i = 0; i < len; i += 16) {
		char hex[16 * 3 + 1] = "";
		size_t n = min(len - i, (size_t)16);

		for (size_t j = 0; j < n; j++)
			snprintf(hex + j * 3, 4, "%02x ", start[i + j]);
		printk("%p: %s\n", start + i, hex);
	}
}

/* What a poisoned page holds (page_debug_init()): one memcmp() per page. */
static unsigned char poison_page[PAGE_SIZE];

/* The kernel's check_poison_mem(): one report per corrupted page. */
static void check_poison_mem(unsigned long pfn)
{
	static struct ratelimit_state rs = RATELIMIT_STATE_INIT(DEFAULT_RATELIMIT_INTERVAL_MS,
								DEFAULT_RATELIMIT_BURST);
	const unsigned char *mem = (const unsigned char *)pfn_address(pfn);
	const unsigned char *first = NULL, *last = NULL;
	struct page_debug *d = pd_of(pfn);
	const char *what;
	char site[128];

	if (likely(!memcmp(mem, poison_page, PAGE_SIZE)))
		return;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (mem[i] != PAGE_POISON) {
			if (!first)
				first = mem + i;
			last = mem + i;
		}
	if (likely(!first))
		return;
	what = first == last && __builtin_popcount((unsigned)(*first ^ PAGE_POISON)) == 1 ?
	       "pagealloc: single bit error" : "pagealloc: memory corruption";
	if (!__ratelimit(&rs)) {
		report_silent(REPORT_BUG, TAINT_BAD_PAGE, what);
		return;
	}
	report_begin(REPORT_BUG);
	printk("%s\n", what);
	report_headline("%s: pfn:%05lx, bytes %#lx-%#lx of the free page changed", what, pfn,
			(unsigned long)(first - mem), (unsigned long)(last - mem));
	print_poison_dump(first, (size_t)(last - first) + 1);
	if (symbolize(__atomic_load_n(&d->free_site, __ATOMIC_RELAXED), site, sizeof(site)))
		snprintf(site, sizeof(site), "%p", __atomic_load_n(&d->free_site, __ATOMIC_RELAXED));
	printk("pfn:%05lx was poisoned when freed from %s, written while free\n", pfn, site);
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

void __page_debug_alloc(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned long nr = lowmem_pages(pfn, 1UL << order);

	if (!nr)
		return;
	if (debug_pagealloc &&
	    mprotect(pfn_address(pfn), nr << PAGE_SHIFT, PROT_READ | PROT_WRITE))
		dpa_give_up(errno);	/* maps the whole direct map back */
	for (unsigned long i = 0; i < nr; i++) {
		struct page_debug *d = pd_of(pfn + i);
		unsigned char state = __atomic_load_n(&d->state, __ATOMIC_RELAXED);

		if (state & PD_POISONED)
			check_poison_mem(pfn + i);
		if (state & (PD_UNMAPPED | PD_POISONED))
			__atomic_store_n(&d->state, (unsigned char)(state & PD_FREED),
					 __ATOMIC_RELAXED);
	}
}

/* ------------------------------------------------------------------ */
/* The fault (numa/fault.c; in the faulting thread's signal handler)   */

/* The pfn of a direct-map address of RAM, or 0 with *ok = 0. */
static unsigned long fault_pfn(void *addr, int *ok)
{
	unsigned long off = (unsigned long)((char *)addr - __mm_layout.page_offset);

	*ok = pd && (char *)addr >= __mm_layout.page_offset &&
	      (off >> PAGE_SHIFT) >= __mm_layout.min_pfn &&
	      (off >> PAGE_SHIFT) < __mm_layout.max_low_pfn;
	return *ok ? off >> PAGE_SHIFT : 0;
}

static int page_debug_claim(void *addr)
{
	int ok;
	unsigned long pfn = fault_pfn(addr, &ok);

	return ok && (__atomic_load_n(&pd_of(pfn)->state, __ATOMIC_RELAXED) & PD_UNMAPPED);
}

static void page_debug_describe(void *addr)
{
	int ok;
	unsigned long pfn = fault_pfn(addr, &ok);
	struct page_debug *d = pd_of(pfn);
	const void *site = __atomic_load_n(&d->free_site, __ATOMIC_RELAXED);
	unsigned int head = __atomic_load_n(&d->head, __ATOMIC_RELAXED);
	struct page *page = pfn_to_page(pfn);
	char sym[128];

	printk("pagealloc: use after free: pfn:%05lx (offset %#lx), page was freed (debug_pagealloc unmapped it)%s\n",
	       pfn, (unsigned long)((char *)addr - pfn_address(pfn)),
	       page_ref_count(page) ? "; it has references again" : "");
	printk("page:%p count:%d mapcount:%d flags:%#lx, freed in an order-%u block at pfn %05lx\n",
	       (void *)page, page_ref_count(page), page->_mapcount, READ_ONCE(page->flags),
	       __atomic_load_n(&d->order, __ATOMIC_RELAXED), pfn - head);
	if (!site)
		printk("page last free site: none (free since boot)\n");
	else if (!symbolize(site, sym, sizeof(sym)))
		printk("page last free site: %s\n", sym);
	else
		printk("page last free site: %p\n", site);
	__atomic_fetch_add(&nr_uaf_reports, 1, __ATOMIC_RELAXED);
}

/* Map the page back: the access is made again and completes.  The page
 * stays mapped until it is allocated and freed again (reported once). */
static void page_debug_fixup(void *addr)
{
	int ok;
	unsigned long pfn = fault_pfn(addr, &ok);

	if (!ok)
		return;
	if (mprotect(pfn_address(pfn), PAGE_SIZE, PROT_READ | PROT_WRITE))
		dpa_give_up(errno);
	__atomic_fetch_and(&pd_of(pfn)->state, (unsigned char)~PD_UNMAPPED, __ATOMIC_RELAXED);
}

static const struct fault_ops page_debug_fault_ops = {
	.claim = page_debug_claim,
	.describe = page_debug_describe,
	.fixup = page_debug_fixup,
};

/* ------------------------------------------------------------------ */
/* Boot and shutdown                                                   */

int page_debug_init(int dpa, int poison)
{
	debug_pagealloc = dpa;
	page_poison = poison;
	page_debug_on = dpa || poison;
	if (!page_debug_on)
		return 0;
	pd_pfns = __mm_layout.max_pfn - __mm_layout.min_pfn;
	pd = calloc(pd_pfns, sizeof(*pd));
	if (!pd) {
		page_debug_on = debug_pagealloc = page_poison = 0;
		return -ENOMEM;
	}
	dpa_active = dpa;
	memset(poison_page, PAGE_POISON, sizeof(poison_page));
	__atomic_store_n(&nr_uaf_reports, 0, __ATOMIC_RELAXED);
	if (dpa)
		fault_set_ops(&page_debug_fault_ops);
	return 0;
}

/* After free_all_memory(): every frame is free; the lowmem ones go. */
void page_debug_boot(void)
{
	unsigned long lo = __mm_layout.min_pfn, hi = __mm_layout.max_low_pfn;

	if (!debug_pagealloc || hi <= lo)
		return;
	for (unsigned long pfn = lo; pfn < hi; pfn++)
		pd_of(pfn)->state = PD_UNMAPPED;
	if (mprotect(pfn_address(lo), (hi - lo) << PAGE_SHIFT, PROT_NONE)) {
		for (unsigned long pfn = lo; pfn < hi; pfn++)
			pd_of(pfn)->state = 0;
		dpa_give_up(errno);
	}
}

void page_debug_exit(void)
{
	unsigned long lo = __mm_layout.min_pfn, hi = __mm_layout.max_low_pfn;

	if (!page_debug_on)
		return;
	fault_set_ops(NULL);
	if (debug_pagealloc && hi > lo)
		mprotect(pfn_address(lo), (hi - lo) << PAGE_SHIFT, PROT_READ | PROT_WRITE);
	free(pd);
	pd = NULL;
	page_debug_on = debug_pagealloc = page_poison = dpa_active = 0;
}

unsigned long page_debug_uaf_reports(void)
{
	return __atomic_load_n(&nr_uaf_reports, __ATOMIC_RELAXED);
}

int page_debug_mapped(const struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	if (!debug_pagealloc || !lowmem_pages(pfn, 1))
		return 1;
	return !(__atomic_load_n(&pd_of(pfn)->state, __ATOMIC_RELAXED) & PD_UNMAPPED);
}
