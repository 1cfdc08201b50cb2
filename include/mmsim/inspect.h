/* SPDX-License-Identifier: MIT */
/*
 * mmsim/inspect.h - what a harness or a benchmark reads of the allocator's
 * state, without its internal structures: copies of the counters and
 * figures it keeps, and the checks it can run on itself.
 *
 *   the machine	mm_machine_info(), mm_node_info(), cpu_host_pu(),
 *			node_distance()				(numa/machine.c)
 *   zones		zone_info_read(), node_zone()		(mm/zone_info.c)
 *   per-CPU lists	pcp_stats_read()			(mm/pcp.c)
 *   slab		kmem_cache_stats(), kmalloc_slab(),
 *			slab_shrink_all()			(mm/slab_*.c)
 *			mm_slab_allocator()			(mm/slab_query.c)
 *   mempools		mempool_stats_read(), mempool_is_valid() (mm/mempool.c)
 *   checks		mm_check_stopped()			(mm/check.c)
 *   gfp masks		format_gfp()				(mm/debug.c)
 *   reports		mmsim/printk.h				(numa/printk.c)
 *
 * Who may call what: every function here may be called from any thread
 * (a simulated CPU or not) while the machine is booted, unless its
 * comment says otherwise; counters are read with relaxed loads, so a copy
 * taken while CPUs run is a snapshot of each counter, not of all at once.
 */
#ifndef MMSIM_INSPECT_H
#define MMSIM_INSPECT_H

#include <stdio.h>
#include <mmsim/compiler.h>
#include <mmsim/cpumask.h>
#include <mmsim/gfp.h>
#include <mmsim/mempool.h>
#include <mmsim/mm.h>
#include <mmsim/printk.h>
#include <mmsim/spinlock_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* The machine                                                         */

struct mm_machine_info {
	const char *arch;		/* "x86_64" or "x86_32" */
	const char *topology;		/* what the simulated topology came from */
	unsigned int nr_cpus;
	unsigned int nr_nodes;
	unsigned int host_pus;		/* the host's processing units */
	unsigned int host_nodes;	/* the host's NUMA nodes */
	int membind_ok;			/* node memory bound strictly to host nodes */
};

struct mm_node_info {
	unsigned long long start;	/* physical address of its first byte */
	unsigned long long size;	/* bytes of RAM */
	int host_node;			/* the host node its memory is bound to,
					   -1: not bound */
};

/* 0, or -ENODEV if no machine is booted (nid: -EINVAL if no such node). */
int mm_machine_info(struct mm_machine_info *info);
int mm_node_info(int nid, struct mm_node_info *info);
/* The host PU (its OS index) that CPU cpu runs on, -1 if no such CPU. */
int cpu_host_pu(unsigned int cpu);
/* The kernel's node_distance(): 10 local, 20 remote unless hwloc says. */
int node_distance(int from, int to);

/* ------------------------------------------------------------------ */
/* Zones                                                               */

/* One populated zone as /proc/zoneinfo and the harness's report show it. */
struct zone_info {
	struct zone *zone;		/* for drain_all_pages() */
	int node;
	enum zone_type idx;
	const char *name;		/* "DMA", "DMA32", "Normal", "HighMem", "Movable" */
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;
	unsigned long managed_pages;
	unsigned long free_pages;	/* NR_FREE_PAGES */
	unsigned long pcp_pages;	/* on the CPUs' per-CPU lists */
	long allocated_pages;		/* handed out: managed = free + pcp +
					   allocated while no CPU allocates */
	unsigned long min_wmark, low_wmark, high_wmark;
	int batch;			/* the per-CPU lists' batch */
	struct lock_stats lock;		/* zone->lock's statistics */
};

/* Zone idx of node nid: 0, -ENOENT if it has no pages (or no such node),
 * -ENODEV if no machine is booted. */
int zone_info_read(int nid, enum zone_type idx, struct zone_info *info);
/* info (a struct zone_info) for every populated zone, by node then index. */
#define for_each_zone_info(info)						\
	for (int __zi_nid = 0; __zi_nid < (int)num_online_nodes(); __zi_nid++)	\
		for (int __zi_idx = 0; __zi_idx < MAX_NR_ZONES; __zi_idx++)	\
			if (zone_info_read(__zi_nid, (enum zone_type)__zi_idx, &(info))) \
				; /* none */					\
			else

/* The zone itself (for drain_all_pages()), NULL if it has no pages; from a
 * simulated CPU, or a thread that keeps the machine booted meanwhile. */
struct zone *node_zone(int nid, enum zone_type idx);

/* ------------------------------------------------------------------ */
/* Per-CPU page lists                                                  */

/*
 * What a CPU's per-CPU lists did (mm/pcp.c counts it, each CPU its own).
 * The order-0 fast paths count only fast_allocs and frees: the readers
 * derive PGALLOC, PGFREE, NUMA_HIT/LOCAL/OTHER and the allocated pages
 * from them.
 */
struct pcp_stats {
	unsigned long fast_allocs;	/* pages the fast path took from a list */
	unsigned long frees;		/* pages freed onto a list */
	unsigned long hits;		/* pages the general path took from a list */
	unsigned long refills;		/* refills from the buddy lists */
	unsigned long refill_pages;
	unsigned long drains;		/* returns of a batch at high */
	unsigned long drain_pages;
	unsigned long remote_frees;	/* frees of pages another CPU allocated */
};

/* CPU cpu's figures summed over every populated zone: 0, -EINVAL (no such
 * CPU) or -ENODEV. */
int pcp_stats_read(unsigned int cpu, struct pcp_stats *st);

/* ------------------------------------------------------------------ */
/* Slab                                                                */

struct kmem_cache_stats {
	unsigned int object_size;	/* what its creator asked for */
	unsigned int size;		/* bytes per object with its debug areas */
	unsigned int align;
	unsigned int num;		/* objects per slab */
	unsigned int gfporder;		/* pages per slab: 1 << gfporder */
	unsigned long nr_pages;		/* pages its slabs hold */
	unsigned long reaped;		/* slabs the periodic reap gave back */
	unsigned long rcu_slabs;	/* slabs waiting for a grace period */
	unsigned long alien_frees;	/* frees to another node's alien array */
};

void kmem_cache_stats(struct kmem_cache *cachep, struct kmem_cache_stats *st);
/* The kmalloc cache that serves size bytes with flags (GFP_DMA: the
 * dma-kmalloc one), NULL above KMALLOC_MAX_SIZE: the kernel's
 * kmalloc_slab(). */
struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags);
/* Shrink every cache until nothing more comes back, RCU callbacks run
 * first: what stays allocated after it is held by a live object.  On a
 * simulated CPU that may sleep. */
void slab_shrink_all(void);
/*
 * Which allocator serves kmem_cache_* and kmalloc this boot (slab=):
 * "slab", "slub" or "slob"; NULL if no machine is booted.  For a harness
 * whose expectations differ by allocator (v4.19 SLOB's kmem_cache_shrink()
 * always returns 0; SLUB's kmalloc caches end at 8 KiB, SLOB has none).
 */
const char *mm_slab_allocator(void);

/* ------------------------------------------------------------------ */
/* Mempools                                                            */

/* A copy of pool->stats (each counter read once, relaxed). */
void mempool_stats_read(const mempool_t *pool, struct mempool_stats *st);
/*
 * The pool's invariants, under pool->lock: 1 <= min_nr, 0 <= curr_nr <=
 * min_nr, min_nr within the room of elements[], the reserve's elements
 * non-NULL and distinct, those of a page pool with a page count of 1.
 * Returns the number of violations, each described in a line on report
 * (NULL: counted only).  On a simulated CPU.
 */
int mempool_is_valid(mempool_t *pool, FILE *report);

/* ------------------------------------------------------------------ */
/* Checks                                                              */

/*
 * mm_check() with every CPU at a safe point (stop_machine()): the number
 * of violations (each a line on report), or -ETIMEDOUT if some CPU did not
 * get there within timeout_ms (those are set in *missing if given; the
 * check is not run).  Any thread; a simulated CPU calls it with interrupts
 * on, and counts as stopped itself.
 */
int mm_check_stopped(FILE *report, unsigned int timeout_ms, struct cpumask *missing);

/* ------------------------------------------------------------------ */
/* gfp masks                                                           */

/* "GFP_KERNEL|__GFP_ZERO" and the like, as the kernel's %pGg. */
int format_gfp(char *buf, size_t len, gfp_t gfp);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_INSPECT_H */
