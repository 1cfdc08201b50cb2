// SPDX-License-Identifier: MIT
/*
 * mm/boot.c - the top of mm: mm_boot() and mm_shutdown(), the boot
 * parameters of mm, the banner, the leak report at shutdown, and the
 * lock that holds a booted machine up for readers on other threads.
 *
 *   mm_booted		(mm/memmap.c) set last by mm_boot() with a release
 *			store, cleared by mm_shutdown() under mm_life_lock
 *			(write): whoever sees the machine up sees it whole.
 *			Everything mm_boot() builds is written while nothing
 *			else runs (boot_mutex held, mm_booted 0).
 *   boot_mutex		one boot or shutdown at a time.
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
#include "vmalloc.h"
#include "reclaim.h"
#include "kmemleak.h"


static pthread_mutex_t boot_mutex = PTHREAD_MUTEX_INITIALIZER;
static double boot_seconds;
/* slub_debug=...: the boot line's text, kept for SLUB's init (boot_mutex) */
static char slub_debug_buf[256];

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
	if (!strcmp(param, "slab")) {
		int id = val ? slab_allocator_by_name(val) : -EINVAL;

		if (id == -ENOSYS)
			return boot_param_bad(param, val, "this allocator is not built in");
		if (id < 0)
			return boot_param_bad(param, val, "expected slab, slub or slob");
		ctx->mm.slab_allocator = id;
		return 0;
	}
	if (!strcmp(param, "slab_nomerge") || !strcmp(param, "slub_nomerge")) {
		if (val)
			return boot_param_bad(param, val, "takes no value");
		ctx->mm.slab_nomerge = 1;
		return 0;
	}
	if (!strcmp(param, "slub_debug")) {
		/* bare, or =options[,prefix]: parsed by SLUB at its init */
		if (val && strlen(val) >= sizeof(slub_debug_buf))
			return boot_param_bad(param, val, "too long");
		snprintf(slub_debug_buf, sizeof(slub_debug_buf), "%s", val ? val : "");
		ctx->mm.slub_debug = 1;
		return 0;
	}
	if (!strcmp(param, "debug_pagealloc") || !strcmp(param, "page_poison")) {
		int on;

		/* the kernel's kstrtobool(): on/off, y/n, 1/0 */
		if (val && (!strcmp(val, "on") || !strcmp(val, "1") || !strcmp(val, "y")))
			on = 1;
		else if (val && (!strcmp(val, "off") || !strcmp(val, "0") || !strcmp(val, "n")))
			on = 0;
		else
			return boot_param_bad(param, val, "expected on or off");
		if (param[0] == 'd')
			ctx->mm.debug_pagealloc = on;
		else
			ctx->mm.page_poison = on;
		return 0;
	}
	if (!strcmp(param, "kmemleak"))
		return kmemleak_parse_param(val, &ctx->mm.kmemleak);
	ret = fail_alloc_parse_param(param, val);
	if (ret <= 0)
		return ret;
	ret = reclaim_parse_param(param, val);
	if (ret <= 0)
		return ret;
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
	ctx.mm.slab_allocator = SLAB_ALLOCATOR_SLAB;
	ctx.mm.slab_nomerge = 0;
	ctx.mm.slub_debug = 0;
	slub_debug_buf[0] = 0;
	ctx.mm.debug_pagealloc = 0;
	ctx.mm.page_poison = 0;
	ctx.mm.kmemleak = 0;
	fail_alloc_reset();
	reclaim_config_init();
	ret = parse_cmdline(cmdline, mm_parse_param, &ctx);
	if (!ret && ctx.mm.slub_debug && ctx.mm.slab_allocator != SLAB_ALLOCATOR_SLUB)
		ret = boot_param_bad("slub_debug", slub_debug_buf,
				     "SLUB's debugging: it needs slab=slub");
	if (ret)
		goto out;

	ret = machine_boot(&ctx.mc);
	if (ret)
		goto out;
	highmem_init();
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
	ret = page_debug_init(ctx.mm.debug_pagealloc, ctx.mm.page_poison);
	if (ret)
		goto err_nodes;
	ret = pcp_init();
	if (ret)
		goto err_nodes;

	free_all_memory();
	page_debug_boot();
	wmark_init(ctx.mm.min_free_kbytes, ctx.mm.watermark_scale_factor);
	refresh_zone_stat_thresholds();
	slab_debug = ctx.mm.slab_debug;
	slab_allocator = ctx.mm.slab_allocator;
	slab_nomerge = ctx.mm.slab_nomerge;
	/* slab_debug under SLUB: slub_debug's full set, for every cache */
	slub_debug_string = ctx.mm.slub_debug || (slab_debug && slab_allocator ==
						  SLAB_ALLOCATOR_SLUB) ? slub_debug_buf : NULL;
	/* before the first allocation: every object is recorded */
	ret = kmemleak_init(ctx.mm.kmemleak);
	if (ret)
		goto err_nodes;
	ret = kmem_cache_init();
	if (ret)
		goto err_kmemleak;
	ret = vmalloc_init();
	if (ret)
		goto err_kmemleak;
	ret = reclaim_init();
	if (ret)
		goto err_kmemleak;

	boot_seconds = now_seconds() - t0;
	/* Release: pairs with the acquire loads of mm_booted (mm_check(),
	 * mm_proc_show(), mm_sysctl_*(), drain_all_pages()). */
	smp_store_release(&mm_booted, 1);
	/* Release: pairs with the acquire in mm_cpu_attach(). */
	smp_store_release(&machine.booted, 1);
	boot_banner();
	kmemleak_late_init();
	pthread_mutex_unlock(&boot_mutex);
	return 0;

err_kmemleak:
	kmemleak_exit();
err_nodes:
	pcp_exit();
	page_debug_exit();
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
	reclaim_exit();
	vmalloc_exit();
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
	/* its scan thread reads the machine up (mm_life_lock) */
	kmemleak_stop_thread();
	/* no CPU but the caller's is left, and none can come: the readers
	 * on other threads are all this waits for */
	mm_life_write_lock();
	slab_exit_on_cpu();
	if (current->cpu >= 0)
		mm_cpu_detach();
	report_leaks();
	kmemleak_exit();
	WRITE_ONCE(machine.booted, 0);
	WRITE_ONCE(mm_booted, 0);
	pcp_exit();
	page_debug_exit();
	vmstat_exit();
	nodes_exit();
	memmap_exit();
	machine_shutdown();
	totalram_pages = 0;
	mm_life_write_unlock();
	pthread_mutex_unlock(&boot_mutex);
}
