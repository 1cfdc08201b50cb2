// SPDX-License-Identifier: MIT
/*
 * mm/debug.c - the allocator's reports in the kernel's shape:
 *   bad_page()		"BUG: Bad page state in process ..." (rate limited
 *			to 60 a minute, as v4.19)
 *   dump_page()	a VM_BUG_ON_PAGE report
 *   page_flag_nonatomic_bug()	one of them: a __SetPage*()/__ClearPage*()
 *			on a page others hold (mm_types.h)
 *   warn_alloc()	"...: page allocation failure: order:N, mode:..."
 *			with the stack and show_mem(), rate limited
 *   format_gfp(), format_page_flags()	the %pGg / %pGp renderings
 */
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "reclaim.h"

struct flag_name {
	unsigned long mask;
	const char *name;
};

/* %pGg: composite names first, in v4.19's table order, then __GFP_COLD. */
static const struct flag_name gfp_names[] = {
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ GFP_DMA, "GFP_DMA" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ GFP_DMA32, "GFP_DMA32" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_ATOMIC, "__GFP_ATOMIC" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_COLD, "__GFP_COLD" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_ACCOUNT, "__GFP_ACCOUNT" },
	{ __GFP_WRITE, "__GFP_WRITE" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_NOLOCKDEP, "__GFP_NOLOCKDEP" },
};

#define PF(x) { 1UL << PG_##x, #x }
static const struct flag_name pageflag_names[] = {
	PF(locked), PF(waiters), PF(error), PF(referenced), PF(uptodate),
	PF(dirty), PF(lru), PF(active), PF(slab), PF(owner_priv_1), PF(arch_1),
	PF(reserved), PF(private), PF(private_2), PF(writeback), PF(head),
	PF(mappedtodisk), PF(reclaim), PF(swapbacked), PF(unevictable),
	PF(mlocked), PF(buddy),
};
#undef PF

/* The kernel's format_flags(): names joined by '|', leftover bits in hex. */
static int format_flags(char *buf, size_t len, unsigned long flags,
			const struct flag_name *names, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && flags; i++) {
		if ((flags & names[i].mask) != names[i].mask)
			continue;
		flags &= ~names[i].mask;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					names[i].name, flags ? "|" : "");
	}
	if (flags)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%#lx", flags);
	return (int)off;
}

int format_gfp(char *buf, size_t len, gfp_t gfp)
{
	return format_flags(buf, len, gfp, gfp_names, ARRAY_SIZE(gfp_names));
}

int format_page_flags(char *buf, size_t len, unsigned long flags)
{
	return format_flags(buf, len, flags & ((1UL << __NR_PAGEFLAGS) - 1),
			    pageflag_names, ARRAY_SIZE(pageflag_names));
}

static void __dump_page(struct page *page, const char *reason)
{
	const unsigned long *raw = (const unsigned long *)page;
	unsigned long flags = READ_ONCE(page->flags);
	char names[256];

	printk("page:%016lx count:%d mapcount:%d mapping:%016lx index:0x%lx%s\n",
	       (unsigned long)page, page_ref_count(page), READ_ONCE(page->_mapcount),
	       (unsigned long)READ_ONCE(page->mapping), READ_ONCE(page->index),
	       PageHead(page) ? " compound_mapcount: 0" : "");
	format_page_flags(names, sizeof(names), flags);
	printk("flags: 0x%lx(%s)\n", flags, names);
	for (size_t i = 0; i < sizeof(struct page) / sizeof(long); i += 4)
		printk("raw: %016lx %016lx %016lx %016lx\n",
		       READ_ONCE(raw[i]), READ_ONCE(raw[i + 1]),
		       READ_ONCE(raw[i + 2]), READ_ONCE(raw[i + 3]));
	if (reason)
		printk("page dumped because: %s\n", reason);
}

void dump_page(struct page *page, const char *reason)
{
	report_begin(REPORT_BUG);
	report_headline("BUG: VM_BUG_ON_PAGE: pfn:%05lx: %s", page_to_pfn(page), reason);
	__dump_page(page, reason);
	printk("kernel BUG (refused, the page is left as it was)\n");
	report_end(REPORT_BUG, TAINT_DIE);
}

/* mm_types.h's __set_page_flag()/__clear_page_flag() on a page with a
 * count above 1: its other holders may be changing other bits of the word
 * meanwhile (a page lock, PG_dirty, PG_waiters), which the plain store
 * would undo.  Reported, then the bit written atomically. */
void page_flag_nonatomic_bug(struct page *page, int nr, int set)
{
	char name[64], reason[160];

	format_page_flags(name, sizeof(name), 1UL << nr);
	snprintf(reason, sizeof(reason),
		 "a non-atomic %s of %s on a page others hold (count %d)",
		 set ? "set" : "clear", name, page_ref_count(page));
	report_begin(REPORT_BUG);
	report_headline("BUG: VM_BUG_ON_PAGE: pfn:%05lx: %s", page_to_pfn(page), reason);
	__dump_page(page, reason);
	printk("kernel BUG (the bit is written atomically instead)\n");
	report_end(REPORT_BUG, TAINT_DIE);
	if (set)
		set_page_flag(page, nr);
	else
		clear_page_flag(page, nr);
}

static spinlock_t bad_page_lock = { .name = "bad_page_lock" };	/* irq-safe */
/* bad_page_lock guards the rate limit */
static time_t bad_page_resume;
static unsigned long bad_page_nr_shown, bad_page_nr_unshown;
static int lock_debugging_off;		/* atomic */

void bad_page(struct page *page, const char *reason)
{
	time_t now = time(NULL);
	int show = 1;
	unsigned long unshown = 0, flags;

	spin_lock_irqsave(&bad_page_lock, flags);
	if (bad_page_nr_shown == 60) {
		if (now < bad_page_resume) {
			bad_page_nr_unshown++;
			show = 0;
		} else {
			unshown = bad_page_nr_unshown;
			bad_page_nr_unshown = 0;
			bad_page_nr_shown = 0;
		}
	}
	if (show && bad_page_nr_shown++ == 0)
		bad_page_resume = now + 60;
	spin_unlock_irqrestore(&bad_page_lock, flags);

	if (!show) {
		char line[256];

		snprintf(line, sizeof(line), "BUG: Bad page state in process %s  pfn:%05lx: %s",
			 current->comm, page_to_pfn(page), reason);
		report_silent(REPORT_BAD_PAGE, TAINT_BAD_PAGE, line);
		return;
	}
	report_begin(REPORT_BAD_PAGE);
	if (unshown)
		printk("BUG: Bad page state: %lu messages suppressed\n", unshown);
	printk("BUG: Bad page state in process %s  pfn:%05lx\n", current->comm,
	       page_to_pfn(page));
	report_headline("BUG: Bad page state in process %s  pfn:%05lx: %s",
			current->comm, page_to_pfn(page), reason);
	__dump_page(page, reason);
	printk("Modules linked in:\n");
	report_end(REPORT_BAD_PAGE, TAINT_BAD_PAGE);
	if (!__atomic_exchange_n(&lock_debugging_off, 1, __ATOMIC_RELAXED))
		printk("Disabling lock debugging due to kernel taint\n");
}

/* ------------------------------------------------------------------ */
/* show_mem(): the Mem-Info block of an allocation failure             */

#define K(x) ((x) << (PAGE_SHIFT - 10))

static unsigned long global_pcp_pages(void)
{
	unsigned long n = 0;
	struct zone *zone;

	for_each_populated_zone(zone)
		n += zone_pcp_pages(zone);
	return n;
}

void show_free_areas(void)
{
	unsigned long ram = 0, highmem = 0;

	printk("Mem-Info:\n");
	printk("active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n"
	       " active_file:%lu inactive_file:%lu isolated_file:%lu\n"
	       " unevictable:%lu dirty:%lu writeback:%lu unstable:%lu\n"
	       " slab_reclaimable:%lu slab_unreclaimable:%lu\n"
	       " mapped:%lu shmem:%lu pagetables:%lu bounce:%lu\n"
	       " free:%lu free_pcp:%lu free_cma:%lu\n",
	       global_node_page_state(NR_ACTIVE_ANON),
	       global_node_page_state(NR_INACTIVE_ANON),
	       global_node_page_state(NR_ISOLATED_ANON),
	       global_node_page_state(NR_ACTIVE_FILE),
	       global_node_page_state(NR_INACTIVE_FILE),
	       global_node_page_state(NR_ISOLATED_FILE),
	       global_node_page_state(NR_UNEVICTABLE),
	       global_node_page_state(NR_FILE_DIRTY),
	       global_node_page_state(NR_WRITEBACK),
	       global_node_page_state(NR_UNSTABLE_NFS),
	       global_node_page_state(NR_SLAB_RECLAIMABLE),
	       global_node_page_state(NR_SLAB_UNRECLAIMABLE),
	       global_node_page_state(NR_FILE_MAPPED),
	       global_node_page_state(NR_SHMEM),
	       global_zone_page_state(NR_PAGETABLE),
	       global_zone_page_state(NR_BOUNCE),
	       global_zone_page_state(NR_FREE_PAGES), global_pcp_pages(), 0UL);

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		printk("Node %d active_anon:%lukB inactive_anon:%lukB active_file:%lukB"
		       " inactive_file:%lukB unevictable:%lukB isolated(anon):%lukB"
		       " isolated(file):%lukB mapped:%lukB dirty:%lukB writeback:%lukB"
		       " shmem:%lukB writeback_tmp:%lukB unstable:%lukB"
		       " all_unreclaimable? %s\n", nid,
		       K(node_page_state(pgdat, NR_ACTIVE_ANON)),
		       K(node_page_state(pgdat, NR_INACTIVE_ANON)),
		       K(node_page_state(pgdat, NR_ACTIVE_FILE)),
		       K(node_page_state(pgdat, NR_INACTIVE_FILE)),
		       K(node_page_state(pgdat, NR_UNEVICTABLE)),
		       K(node_page_state(pgdat, NR_ISOLATED_ANON)),
		       K(node_page_state(pgdat, NR_ISOLATED_FILE)),
		       K(node_page_state(pgdat, NR_FILE_MAPPED)),
		       K(node_page_state(pgdat, NR_FILE_DIRTY)),
		       K(node_page_state(pgdat, NR_WRITEBACK)),
		       K(node_page_state(pgdat, NR_SHMEM)),
		       K(node_page_state(pgdat, NR_WRITEBACK_TEMP)),
		       K(node_page_state(pgdat, NR_UNSTABLE_NFS)), "no");
	}

	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			if (!populated_zone(zone))
				continue;
			ram += zone->present_pages;
			if (is_highmem(zone))
				highmem += zone->present_pages;
			printk("Node %d %s free:%lukB min:%lukB low:%lukB high:%lukB"
			       " active_anon:%lukB inactive_anon:%lukB active_file:%lukB"
			       " inactive_file:%lukB unevictable:%lukB writepending:%lukB"
			       " present:%lukB managed:%lukB mlocked:%lukB kernel_stack:%lukB"
			       " pagetables:%lukB bounce:%lukB free_pcp:%lukB local_pcp:%ukB"
			       " free_cma:%lukB\n", nid, zone->name,
			       K(zone_page_state(zone, NR_FREE_PAGES)),
			       K(min_wmark_pages(zone)), K(low_wmark_pages(zone)),
			       K(high_wmark_pages(zone)),
			       K(zone_page_state(zone, NR_ZONE_ACTIVE_ANON)),
			       K(zone_page_state(zone, NR_ZONE_INACTIVE_ANON)),
			       K(zone_page_state(zone, NR_ZONE_ACTIVE_FILE)),
			       K(zone_page_state(zone, NR_ZONE_INACTIVE_FILE)),
			       K(zone_page_state(zone, NR_ZONE_UNEVICTABLE)),
			       K(zone_page_state(zone, NR_ZONE_WRITE_PENDING)),
			       K(zone->present_pages), K(zone->managed_pages),
			       K(zone_page_state(zone, NR_MLOCK)),
			       zone_page_state(zone, NR_KERNEL_STACK_KB),
			       K(zone_page_state(zone, NR_PAGETABLE)),
			       K(zone_page_state(zone, NR_BOUNCE)), K(zone_pcp_pages(zone)),
			       current->cpu >= 0 ?
			       (unsigned int)K((unsigned long)(READ_ONCE(this_cpu_pageset(zone)->pcp[0].count) +
							       READ_ONCE(this_cpu_pageset(zone)->pcp[1].count))) : 0u,
			       0UL);
			printk("lowmem_reserve[]:");
			for (int i = 0; i < MAX_NR_ZONES; i++)
				if (zone_configured[i])
					printk(" %ld", READ_ONCE(zone->lowmem_reserve[i]));
			printk("\n");
		}
	}

	/*
	 * The free areas are read without zone->lock: warn_alloc() prints
	 * this under the console lock, which must never nest a spinlock (a
	 * bad page found under zone->lock is reported from there).  Each
	 * count is exact (nr_free is written with WRITE_ONCE), the set is not
	 * a snapshot of one instant.
	 */
	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			unsigned long nr[MAX_ORDER], total = 0;

			if (!populated_zone(zone))
				continue;
			for (int o = 0; o < MAX_ORDER; o++) {
				nr[o] = READ_ONCE(zone->free_area[o].nr_free);
				total += nr[o] << o;
			}
			printk("Node %d %s: ", nid, zone->name);
			for (int o = 0; o < MAX_ORDER; o++)
				printk("%lu*%lukB ", nr[o], K(1UL << o));
			printk("= %lukB\n", K(total));
		}
	}
	printk("0 total pagecache pages\n");
	printk("0 pages in swap cache\n");
	printk("Swap cache stats: add 0, delete 0, find 0/0\n");
	printk("Free swap  = %lukB\n", (unsigned long)get_nr_swap_pages() << (PAGE_SHIFT - 10));
	printk("Total swap = %lukB\n", total_swap_pages << (PAGE_SHIFT - 10));
	printk("%lu pages RAM\n", ram);
	printk("%lu pages HighMem/MovableOnly\n", highmem);
	printk("0 pages reserved\n");
}

void warn_alloc(gfp_t gfp_mask, nodemask_t *nodemask, const char *fmt, ...)
{
	static struct ratelimit_state nopage_rs =
		RATELIMIT_STATE_INIT(DEFAULT_RATELIMIT_INTERVAL_MS, DEFAULT_RATELIMIT_BURST);
	char msg[128], gfp[256], nodes[16 * 4] = "(null)";
	va_list ap;

	if ((gfp_mask & __GFP_NOWARN) || !__ratelimit(&nopage_rs))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	format_gfp(gfp, sizeof(gfp), gfp_mask);
	if (nodemask) {
		size_t off = 0;

		nodes[0] = '\0';
		for (int n = 0; n < MAX_NUMNODES; n++) {
			int m = n;

			if (!(nodemask->bits[n / 64] >> (n % 64) & 1))
				continue;
			while (m + 1 < MAX_NUMNODES && (nodemask->bits[(m + 1) / 64] >> ((m + 1) % 64) & 1))
				m++;
			off += (size_t)snprintf(nodes + off, off < sizeof(nodes) ? sizeof(nodes) - off : 0,
						m > n ? "%s%d-%d" : "%s%d", off ? "," : "", n, m);
			n = m;
		}
	}

	report_begin(REPORT_INFO);
	printk("%s: %s, mode:0x%x(%s), nodemask=%s\n", current->comm, msg, gfp_mask,
	       gfp, nodes);
	dump_stack();
	show_free_areas();
	report_end(REPORT_INFO, -1);
}
