// SPDX-License-Identifier: MIT
/*
 * mm/init.c - mm_boot() and mm_shutdown(): the machine, the memmap, the
 * nodes and their zones, and every free page into the buddy lists.
 *
 *   __mm_layout, node_data[], zone_of_block[], nr_cpu_ids, totalram_pages
 *	written here while nothing else runs (boot_mutex held, mm_booted 0),
 *	read-only until mm_shutdown().  mm_booted is set last with a release
 *	store and tested with an acquire load, so whoever sees the machine up
 *	sees it whole.
 *
 * The memmap is one PROT_NONE reservation of max_pfn struct pages of which
 * [min_pfn, max_pfn) is made accessible; each node's slice is its
 * node_mem_map, bound to the node's host node where the host has several.
 * It is written lazily: boot only writes the head of every 4 MiB block.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "internal.h"
#include "slab.h"

struct mm_layout __mm_layout;
unsigned long totalram_pages;
pg_data_t *node_data[MAX_NUMNODES];
struct zone **zone_of_block;
unsigned int nr_cpu_ids;
int mm_booted;
int zone_configured[MAX_NR_ZONES];
enum zone_type movable_zone;
const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "HighMem", "Movable",
};

static pthread_mutex_t boot_mutex = PTHREAD_MUTEX_INITIALIZER;
/* Readers of a booted machine from any thread against its teardown;
 * writer first, or a stream of readers would starve mm_shutdown(). */
static pthread_rwlock_t mm_life_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static size_t memmap_bytes;
static double boot_seconds;

struct boot_ctx {
	struct machine_config mc;
	struct mm_config mm;
};

static int mm_parse_param(const char *param, const char *val, void *arg)
{
	struct boot_ctx *ctx = arg;
	unsigned long long v;
	int ret;

	ret = machine_parse_param(&ctx->mc, param, val);
	if (ret <= 0)
		return ret;
	if (!strcmp(param, "min_free_kbytes")) {
		/* an int, as vm.min_free_kbytes (proc_dointvec_minmax, >= 0) */
		if (!val || parse_uint(val, 0, 0x7fffffff, &v))
			return boot_param_bad(param, val, "expected kilobytes, 0 to 2147483647");
		ctx->mm.min_free_kbytes = (long)v;
		return 0;
	}
	if (!strcmp(param, "watermark_scale_factor")) {
		if (!val || parse_uint(val, 1, 1000, &v))
			return boot_param_bad(param, val, "expected 1 to 1000");
		ctx->mm.watermark_scale_factor = (int)v;
		return 0;
	}
	if (!strcmp(param, "slab_debug")) {
		if (val)
			return boot_param_bad(param, val, "slab_debug takes no value");
		ctx->mm.slab_debug = 1;
		return 0;
	}
	if (!strcmp(param, "movablecore")) {
		if (!val || memparse_strict(val, &v))
			return boot_param_bad(param, val, "expected a size");
		ctx->mm.movablecore = v;
		return 0;
	}
	pr_err("mm_boot: unknown parameter '%s%s%s'\n", param, val ? "=" : "",
	       val ? val : "");
	return -EINVAL;
}

int mm_cpu_ok(const char *func)
{
	if (likely(current->cpu >= 0))
		return 1;
	report_begin(REPORT_BUG);
	printk("BUG: %s() called from a thread that is not a simulated CPU: %s/%d\n",
	       func, current->comm[0] ? current->comm : "?", current->pid);
	report_end(REPORT_BUG, -1);
	return 0;
}

static int memmap_init(void)
{
	unsigned long min_pfn = machine.mem_start >> PAGE_SHIFT;
	unsigned long max_pfn = machine.mem_end >> PAGE_SHIFT;
	size_t total = max_pfn * sizeof(struct page);
	char *p;

	p = mmap(NULL, total, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	memmap_bytes = (max_pfn - min_pfn) * sizeof(struct page);
	if (mprotect(p + min_pfn * sizeof(struct page), memmap_bytes,
		     PROT_READ | PROT_WRITE)) {
		munmap(p, total);
		return -ENOMEM;
	}
	__mm_layout.mem_map = (struct page *)p;
	__mm_layout.page_offset = machine.direct_map;
	__mm_layout.min_pfn = min_pfn;
	__mm_layout.max_pfn = max_pfn;
	__mm_layout.max_low_pfn = machine.lowmem_end >> PAGE_SHIFT;

	zone_of_block = calloc((max_pfn >> BLOCK_SHIFT) + 1, sizeof(*zone_of_block));
	if (!zone_of_block) {
		munmap(p, total);
		return -ENOMEM;
	}
	if (machine.membind_ok) {
		for (unsigned int n = 0; n < machine.nr_nodes; n++) {
			struct machine_node *node = &machine.node[n];

			topology_bind_memory(p + (node->start >> PAGE_SHIFT) * sizeof(struct page),
					     (node->size >> PAGE_SHIFT) * sizeof(struct page),
					     node->host_node);
		}
	}
	return 0;
}

static void memmap_exit(void)
{
	if (__mm_layout.mem_map)
		munmap(__mm_layout.mem_map, __mm_layout.max_pfn * sizeof(struct page));
	free(zone_of_block);
	zone_of_block = NULL;
	memset(&__mm_layout, 0, sizeof(__mm_layout));
}

/* Physical zone boundaries of the arch, in pfns: [zone_lo, zone_hi). */
static void arch_zone_range(enum zone_type t, unsigned long *lo, unsigned long *hi)
{
	unsigned long dma = SZ_16M >> PAGE_SHIFT, dma32 = SZ_4G >> PAGE_SHIFT;
	unsigned long low = X86_32_LOWMEM_END >> PAGE_SHIFT, top = ~0UL;

	*lo = *hi = 0;
	if (machine.arch == ARCH_X86_64) {
		switch (t) {
		case ZONE_DMA:		*lo = 0; *hi = dma; break;
		case ZONE_DMA32:	*lo = dma; *hi = dma32; break;
		case ZONE_NORMAL:	*lo = dma32; *hi = top; break;
		default: break;
		}
	} else {
		switch (t) {
		case ZONE_DMA:		*lo = 0; *hi = dma; break;
		case ZONE_NORMAL:	*lo = dma; *hi = low; break;
		case ZONE_HIGHMEM:	*lo = low; *hi = top; break;
		default: break;
		}
	}
}

static void init_zone(pg_data_t *pgdat, enum zone_type t, unsigned long start,
		      unsigned long end)
{
	struct zone *zone = &pgdat->node_zones[t];

	zone->node = pgdat->node_id;
	zone->zone_pgdat = pgdat;
	zone->name = zone_names[t];
	spin_lock_init_name(&zone->lock, "zone->lock");
	zone->lock.irqsafe = 1;		/* taken with interrupts disabled */
	for (int o = 0; o < MAX_ORDER; o++)
		CDS_INIT_LIST_HEAD(&zone->free_area[o].free_list);
	zone->zone_start_pfn = start;
	zone->spanned_pages = end > start ? end - start : 0;
	zone->present_pages = zone->spanned_pages;
	zone->managed_pages = zone->present_pages;
	for (unsigned long pfn = start; pfn < end; pfn += MAX_ORDER_NR_PAGES)
		zone_of_block[pfn >> BLOCK_SHIFT] = zone;
}

/* Every frame of the zone goes to the buddy lists as MAX_ORDER-1 blocks. */
static void free_zone_memory(struct zone *zone)
{
	unsigned long end = zone->zone_start_pfn + zone->spanned_pages, irqflags;

	spin_lock_irqsave(&zone->lock, irqflags);
	for (unsigned long pfn = zone->zone_start_pfn; pfn < end; pfn += MAX_ORDER_NR_PAGES)
		__free_one_page(pfn_to_page(pfn), pfn, zone, MAX_ORDER - 1);
	__mod_zone_freepage_state(zone, (long)zone->spanned_pages);
	spin_unlock_irqrestore(&zone->lock, irqflags);
}

/*
 * v4.19's find_usable_zone_for_movable(): the highest zone type (Movable
 * aside) whose physical range holds memory of this machine.
 */
static enum zone_type find_usable_zone_for_movable(void)
{
	for (int t = ZONE_MOVABLE - 1; t > ZONE_DMA; t--) {
		unsigned long lo, hi;

		if (!zone_configured[t])
			continue;
		arch_zone_range((enum zone_type)t, &lo, &hi);
		if (__mm_layout.max_pfn > lo)
			return (enum zone_type)t;
	}
	return ZONE_DMA;
}

static int nodes_init(const struct mm_config *cfg)
{
	enum zone_type movable_from;
	unsigned long movable_per_node = 0;

	for (int t = 0; t < MAX_NR_ZONES; t++)
		zone_configured[t] = t == ZONE_MOVABLE || t == ZONE_DMA || t == ZONE_NORMAL ||
				     (t == ZONE_DMA32 && machine.arch == ARCH_X86_64) ||
				     (t == ZONE_HIGHMEM && machine.arch == ARCH_X86_32);
	movable_from = movable_zone = find_usable_zone_for_movable();
	/*
	 * movablecore: ZONE_MOVABLE takes the top of that zone type, spread
	 * evenly over the nodes that have memory of it.
	 */
	if (cfg->movablecore) {
		unsigned long lo, hi, nodes_with = 0;

		arch_zone_range(movable_from, &lo, &hi);
		for (unsigned int nid = 0; nid < machine.nr_nodes; nid++) {
			unsigned long nstart = machine.node[nid].start >> PAGE_SHIFT;
			unsigned long nend = nstart + (machine.node[nid].size >> PAGE_SHIFT);

			nodes_with += nend > lo && nstart < hi;
		}
		if (nodes_with)
			movable_per_node = (unsigned long)(cfg->movablecore / nodes_with /
							   NODE_ALIGN * NODE_ALIGN) >> PAGE_SHIFT;
	}

	for (unsigned int nid = 0; nid < machine.nr_nodes; nid++) {
		unsigned long nstart = machine.node[nid].start >> PAGE_SHIFT;
		unsigned long nend = nstart + (machine.node[nid].size >> PAGE_SHIFT);
		unsigned long movable_start = nend;
		pg_data_t *pgdat = calloc(1, sizeof(*pgdat));

		if (!pgdat)
			return -ENOMEM;
		node_data[nid] = pgdat;
		pgdat->node_id = (int)nid;
		pgdat->node_start_pfn = nstart;
		pgdat->node_spanned_pages = nend - nstart;
		pgdat->node_present_pages = nend - nstart;
		pgdat->node_mem_map = pfn_to_page(nstart);

		if (movable_per_node) {
			unsigned long lo, hi;

			arch_zone_range(movable_from, &lo, &hi);
			lo = max(lo, nstart);
			if (lo < nend)
				movable_start = max(lo, nend - min(movable_per_node, nend - lo));
		}
		for (int t = 0; t < ZONE_MOVABLE; t++) {
			unsigned long lo, hi;

			arch_zone_range((enum zone_type)t, &lo, &hi);
			lo = max(lo, nstart);
			hi = min(min(hi, nend), movable_start);
			init_zone(pgdat, (enum zone_type)t, lo, max(lo, hi));
		}
		init_zone(pgdat, ZONE_MOVABLE, movable_start, nend);
		for (int t = 0; t < MAX_NR_ZONES; t++)
			if (populated_zone(&pgdat->node_zones[t]))
				pgdat->nr_zones = t + 1;
		if (!pgdat->node_zones[ZONE_MOVABLE].present_pages)
			pgdat->node_zones[ZONE_MOVABLE].zone_start_pfn = 0;
	}
	return 0;
}

static void nodes_exit(void)
{
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		free(node_data[nid]);
		node_data[nid] = NULL;
	}
}

static void boot_banner(void)
{
	unsigned long ram_mb = (unsigned long)((machine.mem_end - machine.mem_start) >> 20);

	if (printk_quiet())
		return;
	pr_info("mmsim: %s, %u node%s, %u CPU%s, %luM RAM at %#llx; memmap %zuK "
		"(%.2f%% of RAM, %zu-byte struct page); booted in %.3f ms\n",
		machine.arch == ARCH_X86_32 ? "x86_32" : "x86_64",
		machine.nr_nodes, machine.nr_nodes == 1 ? "" : "s",
		machine.nr_cpus, machine.nr_cpus == 1 ? "" : "s", ram_mb,
		(unsigned long long)machine.mem_start, memmap_bytes >> 10,
		100.0 * (double)sizeof(struct page) / PAGE_SIZE, sizeof(struct page),
		boot_seconds * 1e3);
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		pr_info("On node %d totalpages: %lu\n", nid, pgdat->node_present_pages);
		for (int t = 0; t < MAX_NR_ZONES; t++)
			if (populated_zone(&pgdat->node_zones[t]))
				pr_info("  %s zone: %lu pages\n", zone_names[t],
					pgdat->node_zones[t].present_pages);
	}
	pr_info("Built %u zonelists, mobility grouping off.  Total pages: %lu\n",
		machine.nr_nodes, totalram_pages);
	pr_info("Memory: %luK/%luK available\n", nr_free_pages() << (PAGE_SHIFT - 10),
		totalram_pages << (PAGE_SHIFT - 10));
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int mm_boot(const char *cmdline)
{
	struct boot_ctx ctx;
	double t0 = now_seconds();
	int ret;

	pthread_mutex_lock(&boot_mutex);
	if (READ_ONCE(mm_booted)) {
		pr_err("mm_boot: a machine is already booted\n");
		ret = -EBUSY;
		goto out;
	}
	machine_config_init(&ctx.mc);
	ctx.mm.min_free_kbytes = -1;
	ctx.mm.watermark_scale_factor = 10;
	ctx.mm.movablecore = 0;
	ctx.mm.slab_debug = 0;
	ret = parse_cmdline(cmdline, mm_parse_param, &ctx);
	if (ret)
		goto out;

	ret = machine_boot(&ctx.mc);
	if (ret)
		goto out;
	nr_cpu_ids = machine.nr_cpus;
	ret = memmap_init();
	if (ret)
		goto err_machine;
	ret = nodes_init(&ctx.mm);
	if (ret)
		goto err_nodes;
	ret = vmstat_init();
	if (ret)
		goto err_nodes;
	build_gfp_zone_table();
	build_all_zonelists();
	ret = pcp_init();
	if (ret)
		goto err_nodes;

	totalram_pages = 0;
	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			if (!populated_zone(zone))
				continue;
			free_zone_memory(zone);
			totalram_pages += zone->managed_pages;
		}
	}
	wmark_init(ctx.mm.min_free_kbytes, ctx.mm.watermark_scale_factor);
	refresh_zone_stat_thresholds();
	slab_debug = ctx.mm.slab_debug;
	ret = kmem_cache_init(NULL);
	if (ret)
		goto err_nodes;

	boot_seconds = now_seconds() - t0;
	/* Release: pairs with the acquire loads of mm_booted (mm_check(),
	 * mm_proc_show(), mm_sysctl_*(), drain_all_pages()). */
	smp_store_release(&mm_booted, 1);
	/* Release: pairs with the acquire in mm_cpu_attach(). */
	smp_store_release(&machine.booted, 1);
	boot_banner();
	pthread_mutex_unlock(&boot_mutex);
	return 0;

err_nodes:
	pcp_exit();
	vmstat_exit();
	nodes_exit();
	memmap_exit();
err_machine:
	machine_shutdown();
out:
	pthread_mutex_unlock(&boot_mutex);
	return ret;
}

static void report_leaks(void)
{
	unsigned long leaked = 0;

	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			long n = populated_zone(zone) ? zone_alloc_pages(zone) : 0;

			if (n) {
				if (!leaked)
					report_begin(REPORT_BUG);
				printk("%s: %ld page%s still allocated in node %d zone %s\n",
				       leaked ? "     " : "BUG: memory leak at mm_shutdown",
				       n, str_plural(n), nid, zone->name);
				leaked += (unsigned long)labs(n);
			}
		}
	}
	if (leaked)
		report_end(REPORT_BUG, -1);
}

/*
 * The slab caches go before the leak check: their empty slabs and arrays
 * are not leaks.  Freeing pages needs a CPU: borrow one (all are free).
 */
static void slab_exit_on_cpu(void)
{
	int attached = current->cpu >= 0;

	if (!attached && mm_cpu_attach(0))
		return;
	kmem_cache_exit();
	if (!attached)
		mm_cpu_detach();
}

/*
 * A machine is shut down only when no other thread is a CPU of it; the
 * caller may be one (it is detached at the end).  Refused, the machine and
 * the caller's CPU are left as they were.  The readers of the machine
 * that may run on any thread (mm_proc_show(), mm_sysctl_*(), mm_check())
 * hold mm_life_lock for reading; the teardown holds it for writing.
 */
void mm_shutdown(void)
{
	int busy;

	pthread_mutex_lock(&boot_mutex);
	if (!READ_ONCE(mm_booted)) {
		pr_err("mm_shutdown: no machine is booted\n");
		pthread_mutex_unlock(&boot_mutex);
		return;
	}
	busy = cpus_shutdown_begin();
	if (busy) {
		report_begin(REPORT_BUG);
		printk("BUG: mm_shutdown() refused: %d CPU%s still attached by other threads\n",
		       busy, busy == 1 ? " is" : "s are");
		report_end(REPORT_BUG, -1);
		pthread_mutex_unlock(&boot_mutex);
		return;
	}
	/* no CPU but the caller's is left, and none can come: the readers
	 * on other threads are all this waits for */
	pthread_rwlock_wrlock(&mm_life_lock);
	slab_exit_on_cpu();
	if (current->cpu >= 0)
		mm_cpu_detach();
	report_leaks();
	WRITE_ONCE(machine.booted, 0);
	WRITE_ONCE(mm_booted, 0);
	pcp_exit();
	vmstat_exit();
	nodes_exit();
	memmap_exit();
	machine_shutdown();
	totalram_pages = 0;
	pthread_rwlock_unlock(&mm_life_lock);
	pthread_mutex_unlock(&boot_mutex);
}

int mm_life_read_lock(void)
{
	pthread_rwlock_rdlock(&mm_life_lock);
	/* Acquire: pairs with the release store of mm_booted in mm_boot(). */
	if (smp_load_acquire(&mm_booted))
		return 0;
	pthread_rwlock_unlock(&mm_life_lock);
	return -ENODEV;
}

void mm_life_read_unlock(void)
{
	pthread_rwlock_unlock(&mm_life_lock);
}
