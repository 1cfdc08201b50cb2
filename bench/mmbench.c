// SPDX-License-Identifier: MIT
/*
 * bench/mmbench.c - Google Benchmark suite of the allocator (through
 * gbench_c.h).  Every gbench thread attaches as its own simulated CPU.
 *
 *   mmbench [--boot=CMDLINE] [--benchmark_* flags]
 *   mmbench --slab=slab|slub|slob [--boot=...] [--benchmark_* flags]
 *	boots with that allocator (slab= appended to the boot line) and runs
 *	only the slab and kmalloc workloads, named <workload>/<allocator>
 *	(slab_pair/slub, kmalloc_random/slob); bench/scaling.sh and
 *	bench/callgrind.sh run them for each allocator
 *   mmbench --slab-memory[=N]   boots each allocator in turn and prints the
 *	pages the same N live objects need (bench/slab_memory.c)
 *   mmbench --kmemleak-scan[=N,...]   the time of one kmemleak scan with
 *	N live objects (bench/kmemleak_scan.c; 100000,1000000 by default)
 *   mmbench --count-instructions[=N]   under `valgrind --tool=callgrind
 *	--collect-atstart=no`: N iterations of each workload with collection
 *	on, for bench/callgrind.sh to divide (instruction counts are stable
 *	on noisy machines, times are not).
 *
 * Workloads (each but page_pingpong with 1 and 2 threads; the 2-thread
 * rate over the 1-thread one is bench/scaling.sh's ratio):
 *   page_pair		alloc_page(GFP_KERNEL) + __free_page, order 0
 *   page_pair_order3	alloc_pages(GFP_KERNEL, 3) + __free_pages
 *   page_pingpong	2 threads: CPU 0 allocates, CPU 1 frees (an SPSC ring),
 *			the remote-free pattern; reports the zone->lock
 *			acquisitions per page and the share contended
 *   slab_pair		kmem_cache_alloc(GFP_KERNEL) + kmem_cache_free of a
 *			64-byte cache without constructor: the CPU's array
 *   kmalloc_random	kmalloc(size, GFP_KERNEL) + kfree, sizes 8..4096 from
 *			a fixed table (rand_sizes[], uniform, fixed seed)
 *   vmalloc_N		vmalloc(N pages) + vfree, N = 1, 16, 256 (lazy purges
 *			included, as they come: every lazy_max_pages())
 *   vmalloc_live10, vmalloc_live10000	vmalloc_1 while the thread holds 10
 *			or 10,000 other one-page areas: the hole search's cost
 *   kmap_pair		kmap + kunmap of one highmem page: after the first,
 *			its stale slot is found in the page_address table
 *   kmap_pair_new	kmap + kunmap of 2048 highmem pages in turn: each
 *			kmap maps a new slot (an mmap), each wrap of the
 *			scan flushes the stale ones (munmap)
 *   kmap_atomic_pair	kmap_atomic + kunmap_atomic of a highmem page: a map
 *			and an unmap of this CPU's fixmap slot each time
 *			(the kmap workloads need highmem: --boot="arch=x86_32
 *			mem=1G"; skipped otherwise)
 *   peer_*		other allocators on the same loops (peers.c)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <mmsim.h>
#include "gbench_c.h"
#include "mmbench.h"

/* Pairs run before a workload is measured: the arrays and lists warm,
 * and every kmalloc class of the size table touched. */
#define WARMUP NR_RAND_SIZES

unsigned short rand_sizes[NR_RAND_SIZES];
__thread unsigned int rand_cursor;

/* slab_pair's cache: made by main() before the benchmarks, read-only. */
static struct kmem_cache *bench_cache;

/* The kmap workloads' highmem pages: made by main(), read-only. */
#define NR_HIGH_PAGES	(2 * LAST_PKMAP)
static struct page *high_pages[NR_HIGH_PAGES];

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

static noinline void slab_pair_loop(long n)
{
	struct kmem_cache *s = bench_cache;

	for (long i = 0; i < n; i++)
		kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
}

/* The peers' *_random_loop() (peers.c) are this loop: keep them the same. */
static noinline void kmalloc_random_loop(long n)
{
	unsigned int k = rand_cursor;

	for (long i = 0; i < n; i++, k++) {
		void *p = kmalloc(rand_size(k), GFP_KERNEL);

		kfree(opaque(p));
	}
	rand_cursor = k;
}

static noinline void vmalloc_pair(long n, unsigned long size)
{
	for (long i = 0; i < n; i++)
		vfree(opaque(vmalloc(size)));
}

static noinline void vmalloc_1_loop(long n) { vmalloc_pair(n, PAGE_SIZE); }
static noinline void vmalloc_16_loop(long n) { vmalloc_pair(n, 16 * PAGE_SIZE); }
static noinline void vmalloc_256_loop(long n) { vmalloc_pair(n, 256 * PAGE_SIZE); }

/* The live areas of vmalloc_live*: the thread's own. */
#define LIVE_AREAS_MAX 10000
static __thread void **live_areas;
static __thread unsigned int nr_live;

static void hold_areas(unsigned int n)
{
	if (!live_areas)
		live_areas = calloc(LIVE_AREAS_MAX, sizeof(*live_areas));
	while (live_areas && nr_live < n && (live_areas[nr_live] = vmalloc(PAGE_SIZE)))
		nr_live++;
}

static void drop_areas(void)
{
	while (nr_live)
		vfree(live_areas[--nr_live]);
	free(live_areas);
	live_areas = NULL;
}

static void hold_10(void) { hold_areas(10); }
static void hold_10000(void) { hold_areas(LIVE_AREAS_MAX); }

static noinline void kmap_pair_loop(long n)
{
	struct page *page = high_pages[0];

	for (long i = 0; i < n; i++) {
		opaque(kmap(page));
		kunmap(page);
	}
}

static __thread unsigned int high_cursor;

static noinline void kmap_pair_new_loop(long n)
{
	unsigned int k = high_cursor;

	for (long i = 0; i < n; i++, k++) {
		struct page *page = high_pages[k % NR_HIGH_PAGES];

		opaque(kmap(page));
		kunmap(page);
	}
	high_cursor = k;
}

static noinline void kmap_atomic_pair_loop(long n)
{
	struct page *page = high_pages[0];

	for (long i = 0; i < n; i++)
		kunmap_atomic(opaque(kmap_atomic(page)));
}

/* splitmix64 from a fixed seed: the same sizes on every run and machine. */
void rand_sizes_init(void)
{
	unsigned long long x = 0x6d6d737472657373ULL;	/* "mmstress" */

	for (unsigned int i = 0; i < NR_RAND_SIZES; i++) {
		unsigned long long z = (x += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		rand_sizes[i] = (unsigned short)(RAND_SIZE_MIN +
						 z % (RAND_SIZE_MAX - RAND_SIZE_MIN + 1));
	}
}

enum { W_PAGE_PAIR, W_PAGE_PAIR_ORDER3, W_SLAB_PAIR, W_KMALLOC_RANDOM, W_VMALLOC_1,
       W_VMALLOC_16, W_VMALLOC_256, W_VMALLOC_LIVE10, W_VMALLOC_LIVE10000, W_KMAP_PAIR,
       W_KMAP_PAIR_NEW, W_KMAP_ATOMIC_PAIR, NR_WORKLOADS };

static struct workload workloads[NR_WORKLOADS] = {
	[W_PAGE_PAIR] = { "page_pair", page_pair_loop, 1, NULL, NULL, NULL },
	[W_PAGE_PAIR_ORDER3] = { "page_pair_order3", page_pair_order3_loop, 1, NULL, NULL, NULL },
	[W_SLAB_PAIR] = { "slab_pair", slab_pair_loop, 1, NULL, NULL, NULL },
	[W_KMALLOC_RANDOM] = { "kmalloc_random", kmalloc_random_loop, 1, NULL, NULL, NULL },
	[W_VMALLOC_1] = { "vmalloc_1", vmalloc_1_loop, 1, NULL, NULL, NULL },
	[W_VMALLOC_16] = { "vmalloc_16", vmalloc_16_loop, 1, NULL, NULL, NULL },
	[W_VMALLOC_256] = { "vmalloc_256", vmalloc_256_loop, 1, NULL, NULL, NULL },
	[W_VMALLOC_LIVE10] = { "vmalloc_live10", vmalloc_1_loop, 1, NULL, hold_10, drop_areas },
	[W_VMALLOC_LIVE10000] = { "vmalloc_live10000", vmalloc_1_loop, 1, NULL, hold_10000,
				  drop_areas },
	[W_KMAP_PAIR] = { "kmap_pair", kmap_pair_loop, 1, NULL, NULL, NULL },
	[W_KMAP_PAIR_NEW] = { "kmap_pair_new", kmap_pair_new_loop, 1, NULL, NULL, NULL },
	[W_KMAP_ATOMIC_PAIR] = { "kmap_atomic_pair", kmap_atomic_pair_loop, 1, NULL, NULL, NULL },
};

/* Sum of every populated zone's lock statistics. */
static void zone_lock_totals(unsigned long *acq, unsigned long *cont)
{
	struct zone_info zi;

	*acq = *cont = 0;
	for_each_zone_info(zi) {
		*acq += zi.lock.acquisitions;
		*cont += zi.lock.contended;
	}
}

static void skip(struct gbench_state *st, const char *why)
{
	gbench_skip_with_error(st, why);
	while (gbench_keep_running_batch(st, 1))
		;
}

static void bm_workload(struct gbench_state *st)
{
	const struct workload *w = gbench_arg(st);
	unsigned long acq0 = 0, cont0 = 0, acq1, cont1;
	int cpu = gbench_thread_index(st);

	if (w->skip) {
		skip(st, w->skip);
		return;
	}
	if (w->needs_cpu) {
		if ((unsigned int)cpu >= num_online_cpus() || mm_cpu_attach((unsigned int)cpu)) {
			skip(st, "not enough simulated CPUs (see --boot)");
			return;
		}
		if (w->setup)
			w->setup();
		w->loop(WARMUP);
		if (cpu == 0)
			zone_lock_totals(&acq0, &cont0);
	} else {
		w->loop(WARMUP);
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
		if (w->teardown)
			w->teardown();
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
		skip(st, "page_pingpong needs exactly 2 threads on 2 CPUs");
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

static void count_one(const struct workload *w, long n)
{
	if (w->skip) {
		printf("skipped %s: %s\n", w->name, w->skip);
		return;
	}
	if (w->setup)
		w->setup();
	w->loop(WARMUP);
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	w->loop(n);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(w->name);
	if (w->teardown)
		w->teardown();
	printf("counted %s %ld\n", w->name, n);
}

static int count_instructions(long n, int slab_only)
{
	if (!RUNNING_ON_VALGRIND)
		fprintf(stderr, "mmbench: --count-instructions expects to run under "
			"valgrind --tool=callgrind --collect-atstart=no (see bench/callgrind.sh)\n");
	if (mm_cpu_attach(0))
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(workloads); i++)
		if (!slab_only || i == W_SLAB_PAIR || i == W_KMALLOC_RANDOM)
			count_one(&workloads[i], n);
	for (size_t i = 0; i < nr_peer_workloads && !slab_only; i++)
		count_one(&peer_workloads[i], n);
	mm_cpu_detach();
	return 0;
}

/* slab_pair's cache, made on CPU 0 like any kernel caller's. */
static int bench_cache_create(void)
{
	if (mm_cpu_attach(0))
		return -1;
	bench_cache = kmem_cache_create("mmbench_64", 64, 0, 0, NULL);
	mm_cpu_detach();
	if (!bench_cache)
		workloads[W_SLAB_PAIR].skip = "kmem_cache_create(mmbench_64) failed";
	return 0;
}

/* The kmap workloads' pages, from the last node (where highmem is). */
static void high_pages_alloc(void)
{
	int nid = (int)num_online_nodes() - 1;

	if (mm_cpu_attach(0))
		return;
	for (unsigned int i = 0; i < NR_HIGH_PAGES; i++) {
		high_pages[i] = alloc_pages_node(nid, GFP_HIGHUSER | __GFP_NOWARN, 0);
		if (!high_pages[i] || !PageHighMem(high_pages[i])) {
			workloads[W_KMAP_PAIR].skip = workloads[W_KMAP_PAIR_NEW].skip =
				workloads[W_KMAP_ATOMIC_PAIR].skip =
				"no highmem (--boot=\"arch=x86_32 mem=1G\")";
			break;
		}
	}
	mm_cpu_detach();
}

static void high_pages_free(void)
{
	if (mm_cpu_attach(0))
		return;
	for (unsigned int i = 0; i < NR_HIGH_PAGES && high_pages[i]; i++)
		__free_page(high_pages[i]);
	mm_cpu_detach();
}

static void bench_cache_destroy(void)
{
	if (bench_cache && !mm_cpu_attach(0)) {
		kmem_cache_destroy(bench_cache);
		mm_cpu_detach();
	}
}

/* --slab=NAME: the slab and kmalloc workloads only, their names suffixed */
_Static_assert(W_KMALLOC_RANDOM == W_SLAB_PAIR + 1, "the slab workloads are adjacent");

static void slab_workloads_rename(const char *alloc)
{
	static char names[2][64];

	for (int i = 0; i < 2; i++) {
		struct workload *w = &workloads[W_SLAB_PAIR + i];

		snprintf(names[i], sizeof(names[i]), "%s/%s", w->name, alloc);
		w->name = names[i];
	}
}

static void register_all(const struct workload *ws, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		gbench_register(ws[i].name, bm_workload,
				&(struct gbench_opts){ .threads_min = 1, .threads_max = 2,
						       .arg = (void *)&ws[i] });
}

int main(int argc, char **argv)
{
	const char *slab = NULL;
	char boot[256];
	long count = 0, slab_memory = 0;
	int ret, out = 1;

	peers_load(argv);		/* first: it may run the program again */
	rand_sizes_init();
	snprintf(boot, sizeof(boot), "mem=1G nodes=1 cpus=%ld",
		 max(2L, sysconf(_SC_NPROCESSORS_ONLN)));
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--boot=", 7)) {
			snprintf(boot, sizeof(boot), "%s", argv[i] + 7);
		} else if (!strncmp(argv[i], "--slab=", 7)) {
			slab = argv[i] + 7;
			if (strcmp(slab, "slab") && strcmp(slab, "slub") && strcmp(slab, "slob")) {
				fprintf(stderr, "mmbench: --slab=%s: slab, slub or slob\n", slab);
				return 2;
			}
		} else if (!strncmp(argv[i], "--slab-memory", 13)) {
			slab_memory = argv[i][13] == '=' ? strtol(argv[i] + 14, NULL, 10) : 20000;
			if (slab_memory <= 0) {
				fprintf(stderr, "mmbench: bad count in '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strncmp(argv[i], "--kmemleak-scan", 15)) {
			if (argv[i][15] && argv[i][15] != '=') {
				fprintf(stderr, "mmbench: unknown option '%s'\n", argv[i]);
				return 2;
			}
			return kmemleak_scan_report(argv[i][15] ? argv[i] + 16 : "100000,1000000");
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
	if (slab_memory)
		return slab_memory_report(slab_memory);
	if (slab) {
		size_t len = strlen(boot);

		/* (SLAB is the default: no slab= for it) */
		if (strcmp(slab, "slab"))
			snprintf(boot + len, sizeof(boot) - len, " slab=%s", slab);
		slab_workloads_rename(slab);
	}
	printk_set_quiet(1);
	ret = mm_boot(boot);
	if (ret) {
		fprintf(stderr, "mmbench: cannot boot \"%s\": %s\n", boot, strerror(-ret));
		return 2;
	}
	if (bench_cache_create()) {
		fprintf(stderr, "mmbench: cannot attach CPU 0\n");
		mm_shutdown();
		return 2;
	}
	high_pages_alloc();
	if (count) {
		ret = count_instructions(count, slab != NULL);
	} else if (slab) {
		register_all(workloads + W_SLAB_PAIR, 2);
		ret = gbench_main(argc, argv);
	} else {
		register_all(workloads, W_SLAB_PAIR);	/* the page workloads */
		gbench_register("page_pingpong", bm_page_pingpong,
				&(struct gbench_opts){ .threads_min = 2, .threads_max = 2 });
		register_all(workloads + W_SLAB_PAIR, NR_WORKLOADS - W_SLAB_PAIR);
		register_all(peer_workloads, nr_peer_workloads);
		ret = gbench_main(argc, argv);
	}
	high_pages_free();
	bench_cache_destroy();
	mm_shutdown();
	return ret;
}
