/* SPDX-License-Identifier: MIT */
/*
 * bench/mmbench.h - what mmbench.c (the allocator's workloads, main) and
 * peers.c (the same loops through other allocators) share.
 *
 * A workload is a loop of n alloc+free pairs; the benchmark and the
 * --count-instructions mode both call it, so gbench's times and callgrind's
 * instruction counts measure the same code.
 */
#ifndef BENCH_MMBENCH_H
#define BENCH_MMBENCH_H

#include <stddef.h>
#include <mmsim/compiler.h>

#define BATCH 256			/* pairs per call of a loop in gbench */

struct workload {
	const char *name;
	void (*loop)(long n);
	int needs_cpu;			/* runs on a simulated CPU */
	const char *skip;		/* peers: why it cannot run, or NULL */
	/* optional, on the thread's CPU around its loops (not measured) */
	void (*setup)(void);
	void (*teardown)(void);
};

/*
 * kmalloc_random's sizes: uniform 8..4096 bytes, a fixed seed, made once
 * by rand_sizes_init() before any loop runs (read-only after).  Each loop
 * walks the table from where the thread's previous loop stopped
 * (rand_cursor, per thread), so that drawing a size costs a load.
 */
#define NR_RAND_SIZES	4096		/* a power of 2 */
#define RAND_SIZE_MIN	8
#define RAND_SIZE_MAX	4096
extern unsigned short rand_sizes[NR_RAND_SIZES];
extern __thread unsigned int rand_cursor;
void rand_sizes_init(void);

static __always_inline size_t rand_size(unsigned int k)
{
	return rand_sizes[k % NR_RAND_SIZES];
}

/* p, as far as the compiler knows, is any pointer: an alloc+free pair
 * whose result is unused cannot be removed (GCC does so for malloc). */
static __always_inline void *opaque(void *p)
{
	__asm__ volatile("" : "+r"(p));
	return p;
}

/*
 * peers.c: glibc, jemalloc, tcmalloc and mimalloc running kmalloc_random's
 * loop.  peers_load() dlopens the libraries (before mm_boot: it may re-exec
 * the program, see peers.c) and sets the skip reason of those it cannot.
 */
extern struct workload peer_workloads[];
extern const size_t nr_peer_workloads;
void peers_load(char **argv);

/*
 * slab_memory.c: mmbench --slab-memory[=N]: each allocator booted in turn,
 * the same N live objects, the pages they need; 0, or 1 if some allocator
 * could not run (said in the table).
 */
int slab_memory_report(long n);

/*
 * kmemleak_scan.c: mmbench --kmemleak-scan[=N,...]: for each N a machine
 * with kmemleak=on and N live kmalloc blocks, the time of one scan; 0, 1
 * if a run failed, 2 for a bad list.
 */
int kmemleak_scan_report(const char *list);

#endif /* BENCH_MMBENCH_H */
