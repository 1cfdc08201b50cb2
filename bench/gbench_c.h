/* SPDX-License-Identifier: MIT */
/*
 * bench/gbench_c.h - a thin C interface to Google Benchmark.
 *
 *	static void bm_pair(struct gbench_state *st)
 *	{
 *		while (gbench_keep_running_batch(st, 256))
 *			for (int i = 0; i < 256; i++)
 *				work();
 *		gbench_set_items_processed(st, gbench_iterations(st));
 *	}
 *	gbench_register("page_pair", bm_pair, &(struct gbench_opts){ .threads_max = 2 });
 *	return gbench_main(argc, argv);
 *
 * Every --benchmark_* flag of Google Benchmark works.  Multi-threaded
 * benchmarks run with UseRealTime so that their scaling is visible.
 */
#ifndef BENCH_GBENCH_C_H
#define BENCH_GBENCH_C_H

#ifdef __cplusplus
extern "C" {
#endif

struct gbench_state;
typedef void (*gbench_fn)(struct gbench_state *st);

struct gbench_opts {
	int threads_min;	/* 0: 1 */
	int threads_max;	/* 0: single-threaded; else every power of 2 up to it */
	long range_lo;		/* with range_hi: Arg() values lo, lo*8, ... hi */
	long range_hi;
	void *arg;		/* what gbench_arg() returns in the body */
};

void gbench_register(const char *name, gbench_fn fn, const struct gbench_opts *opts);
int gbench_main(int argc, char **argv);

int gbench_keep_running_batch(struct gbench_state *st, long n);
long gbench_iterations(const struct gbench_state *st);
long gbench_range(const struct gbench_state *st);
void *gbench_arg(const struct gbench_state *st);
int gbench_thread_index(const struct gbench_state *st);
int gbench_threads(const struct gbench_state *st);
void gbench_set_items_processed(struct gbench_state *st, long items);
/* A counter shown per second (rate) or as is; summed over the threads
 * (so a counter that one thread sets is shown as that thread set it). */
void gbench_counter(struct gbench_state *st, const char *name, double value, int rate);
void gbench_skip_with_error(struct gbench_state *st, const char *msg);
void gbench_pause_timing(struct gbench_state *st);
void gbench_resume_timing(struct gbench_state *st);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_GBENCH_C_H */
