// SPDX-License-Identifier: MIT
/*
 * bench/mmbench.c - Google Benchmark suite of the allocator (through
 * gbench_c.h).  Every gbench thread attaches as its own simulated CPU.
 *
 *   mmbench [--boot=CMDLINE] [--benchmark_* flags]
 *   mmbench --count-instructions[=N]   under `valgrind --tool=callgrind
 *	--collect-atstart=no`: N iterations of each workload with collection
 *	on, for bench/callgrind.sh to divide (instruction counts are stable
 *	on noisy machines, times are not).
 *
 * Workloads:
 *   page_pair		alloc_page(GFP_KERNEL) + __free_page, order 0
 *   page_pair_order3	alloc_pages(GFP_KERNEL, 3) + __free_pages
 *   page_pingpong	2 threads: CPU 0 allocates, CPU 1 frees (an SPSC ring),
 *			the remote-free pattern; reports the zone->lock
 *			acquisitions per page and the share contended
 *   peer_glibc_4k	malloc(4096) + free, the same loop through glibc
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <mmsim.h>
#include "../mm/internal.h"
#include "gbench_c.h"

#define BATCH 256

/* page_pingpong's ring: head written by CPU 0, tail by CPU 1. */
#define RING 1024
static struct page *ring[RING];
static unsigned long ring_head ____cacheline_aligned;	/* atomic */
static unsigned long ring_tail ____cacheline_aligned;	/* atomic */

static noinline void page_pair_loop(long n)
{
	for (long i = 0; i < n; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		__free_page(page);
	}
}

static noinline void page_pair_order3_loop(long n)
{
	for (long i = 0; i < n; i++)
		__free_pages(alloc_pages(GFP_KERNEL, 3), 3);
}

static noinline void glibc_4k_loop(long n)
{
	for (long i = 0; i < n; i++) {
		void *volatile p = malloc(4096);

		free(p);
	}
}

struct workload {
	const char *name;
	void (*loop)(long n);
	int needs_cpu;
};

static const struct workload workloads[] = {
	{ "page_pair", page_pair_loop, 1 },
	{ "page_pair_order3", page_pair_order3_loop, 1 },
	{ "peer_glibc_4k", glibc_4k_loop, 0 },
};

/* Sum of every populated zone's lock statistics. */
static void zone_lock_totals(unsigned long *acq, unsigned long *cont)
{
	struct zone *zone;

	*acq = *cont = 0;
	for_each_populated_zone(zone) {
		struct lock_stats st;

		spin_lock_stats_read(&zone->lock, &st);
		*acq += st.acquisitions;
		*cont += st.contended;
	}
}

static void run_workload(struct gbench_state *st, const struct workload *w)
{
	unsigned long acq0 = 0, cont0 = 0, acq1, cont1;
	int cpu = gbench_thread_index(st);

	if (w->needs_cpu) {
		if ((unsigned int)cpu >= num_online_cpus() || mm_cpu_attach((unsigned int)cpu)) {
			gbench_skip_with_error(st, "not enough simulated CPUs (see --boot)");
			while (gbench_keep_running_batch(st, 1))
				;
			return;
		}
		w->loop(BATCH);		/* warm the caches and the lists */
		if (cpu == 0)
			zone_lock_totals(&acq0, &cont0);
	}
	while (gbench_keep_running_batch(st, BATCH))
		w->loop(BATCH);
	gbench_set_items_processed(st, gbench_iterations(st));
	if (w->needs_cpu) {
		if (cpu == 0) {
			zone_lock_totals(&acq1, &cont1);
			gbench_counter(st, "zone_lock_acq_per_op",
				       (double)(acq1 - acq0) / (double)gbench_iterations(st), 0);
			gbench_counter(st, "zone_lock_contended",
				       acq1 > acq0 ? (double)(cont1 - cont0) / (double)(acq1 - acq0) : 0, 0);
		}
		mm_cpu_detach();
	}
}

static void pingpong_produce(long n)
{
	for (long i = 0; i < n; i++) {
		unsigned long h = __atomic_load_n(&ring_head, __ATOMIC_RELAXED);

		while (h - __atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE) == RING)
			cpu_relax();
		ring[h % RING] = alloc_page(GFP_KERNEL);
		/* Release: the slot before the index (pairs with the consumer) */
		__atomic_store_n(&ring_head, h + 1, __ATOMIC_RELEASE);
	}
}

static void pingpong_consume(long n)
{
	for (long i = 0; i < n; i++) {
		unsigned long t = __atomic_load_n(&ring_tail, __ATOMIC_RELAXED);
		struct page *page;

		while (__atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) == t)
			cpu_relax();
		page = ring[t % RING];
		__atomic_store_n(&ring_tail, t + 1, __ATOMIC_RELEASE);
		__free_page(page);
	}
}

static void bm_page_pingpong(struct gbench_state *st)
{
	unsigned long acq0 = 0, cont0 = 0, acq1, cont1, pages = 0;
	int cpu = gbench_thread_index(st);

	if (gbench_threads(st) != 2 || mm_cpu_attach((unsigned int)cpu)) {
		gbench_skip_with_error(st, "page_pingpong needs exactly 2 threads on 2 CPUs");
		while (gbench_keep_running_batch(st, 1))
			;
		return;
	}
	if (cpu == 0)
		zone_lock_totals(&acq0, &cont0);
	while (gbench_keep_running_batch(st, BATCH)) {
		(cpu == 0 ? pingpong_produce : pingpong_consume)(BATCH);
		pages += BATCH;
	}
	/* each page is one item, counted once (by its producer) */
	gbench_set_items_processed(st, cpu == 0 ? (long)pages : 0);
	if (cpu == 0) {
		zone_lock_totals(&acq1, &cont1);
		gbench_counter(st, "zone_lock_acq_per_page", (double)(acq1 - acq0) / (double)pages, 0);
		gbench_counter(st, "zone_lock_contended",
			       acq1 > acq0 ? (double)(cont1 - cont0) / (double)(acq1 - acq0) : 0, 0);
	}
	mm_cpu_detach();
}

static void bm_page_pair(struct gbench_state *st) { run_workload(st, &workloads[0]); }
static void bm_page_pair_order3(struct gbench_state *st) { run_workload(st, &workloads[1]); }
static void bm_glibc_4k(struct gbench_state *st) { run_workload(st, &workloads[2]); }

static int count_instructions(long n)
{
	if (!RUNNING_ON_VALGRIND)
		fprintf(stderr, "mmbench: --count-instructions expects to run under "
			"valgrind --tool=callgrind --collect-atstart=no (see bench/callgrind.sh)\n");
	if (mm_cpu_attach(0))
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(workloads); i++) {
		const struct workload *w = &workloads[i];

		w->loop(1000);				/* warm up */
		CALLGRIND_ZERO_STATS;
		CALLGRIND_TOGGLE_COLLECT;
		w->loop(n);
		CALLGRIND_TOGGLE_COLLECT;
		CALLGRIND_DUMP_STATS_AT(w->name);
		printf("counted %s %ld\n", w->name, n);
	}
	mm_cpu_detach();
	return 0;
}

int main(int argc, char **argv)
{
	char boot[256];
	long count = 0;
	int ret, out = 1;

	snprintf(boot, sizeof(boot), "mem=1G nodes=1 cpus=%ld",
		 max(2L, sysconf(_SC_NPROCESSORS_ONLN)));
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--boot=", 7)) {
			snprintf(boot, sizeof(boot), "%s", argv[i] + 7);
		} else if (!strncmp(argv[i], "--count-instructions", 20)) {
			count = argv[i][20] == '=' ? strtol(argv[i] + 21, NULL, 10) : 100000;
			if (count <= 0) {
				fprintf(stderr, "mmbench: bad count in '%s'\n", argv[i]);
				return 2;
			}
		} else {
			argv[out++] = argv[i];
			continue;
		}
	}
	argc = out;
	printk_set_quiet(1);
	ret = mm_boot(boot);
	if (ret) {
		fprintf(stderr, "mmbench: cannot boot \"%s\": %s\n", boot, strerror(-ret));
		return 2;
	}
	if (count) {
		ret = count_instructions(count);
	} else {
		const struct gbench_opts threads = { .threads_min = 1, .threads_max = 2 };

		gbench_register("page_pair", bm_page_pair, &threads);
		gbench_register("page_pair_order3", bm_page_pair_order3, &threads);
		gbench_register("peer_glibc_4k", bm_glibc_4k, &threads);
		gbench_register("page_pingpong", bm_page_pingpong,
				&(struct gbench_opts){ .threads_min = 2, .threads_max = 2 });
		ret = gbench_main(argc, argv);
	}
	mm_shutdown();
	return ret;
}
