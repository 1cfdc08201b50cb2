/* SPDX-License-Identifier: MIT */
/*
 * stress/mmstress.h - the harness's shared types.
 *
 *   struct run		one `mmstress run`: the options, every CPU's context,
 *			the violations found (run->lock), the stop flag.
 *   struct cpu_ctx	one simulated CPU: its PRNG and operation-log hash,
 *			the blocks it holds (each with a pattern), per-job
 *			statistics, its inbox of pages other CPUs handed it,
 *			and what the watchdog reads (progress, last operation).
 *   struct job		a kind of operation, with its weight.
 *
 * Who touches what: a cpu_ctx belongs to its CPU's thread, except inbox
 * (a lock-free stack: anyone pushes with a release CAS, the owner takes it
 * all with an acquire exchange) and the watchdog fields (the owner stores
 * them relaxed, the monitor reads them relaxed: they are only reported).
 * After the CPU threads are joined, the main thread owns everything.
 */
#ifndef STRESS_MMSTRESS_H
#define STRESS_MMSTRESS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <mmsim.h>
#include "../numa/spinlock.h"

#define MAX_JOBS	8
#define HELD_MAX	128
#define MAX_VIOLATIONS	64
#define LAT_BUCKETS	(64 * 4)

/* The gfp types the jobs draw from, by name (failures are counted by it). */
enum gfp_kind {
	GK_KERNEL, GK_USER, GK_NOIO, GK_NOFS, GK_ATOMIC, GK_NOWAIT, GK_DMA32,
	GK_DMA, GK_ZERO, GK_COMP, GK_COLD, NR_GFP_KINDS
};
extern const char *const gfp_kind_name[NR_GFP_KINDS];
extern const gfp_t gfp_kind_mask[NR_GFP_KINDS];

/* xoshiro256**, seeded with splitmix64 from (seed, cpu). */
struct prng {
	uint64_t s[4];
};
void prng_seed(struct prng *r, uint64_t seed, uint64_t stream);
uint64_t prng_next(struct prng *r);
static inline uint64_t prng_below(struct prng *r, uint64_t n)
{
	return n ? prng_next(r) % n : 0;
}

/* Latency histogram: 4 sub-buckets per power of two of nanoseconds. */
struct lat_hist {
	uint64_t bucket[LAT_BUCKETS];
	uint64_t count;
	uint64_t max_ns;
};
void lat_record(struct lat_hist *h, uint64_t ns);
void lat_merge(struct lat_hist *dst, const struct lat_hist *src);
uint64_t lat_percentile(const struct lat_hist *h, double p);

struct job_stats {
	uint64_t ops;
	uint64_t failures;
	uint64_t fail[NR_GFP_KINDS][MAX_ORDER];
	struct lat_hist lat;
};

/* A block a CPU holds: its pattern is derived from tag. */
struct held_block {
	struct page *page;
	uint64_t tag;
	uint64_t expiry;		/* op count after which it is freed */
	uint8_t order;
	uint8_t job;
};

struct run;

struct cpu_ctx {
	struct run *run;
	unsigned int cpu;
	struct prng rng;
	uint64_t op_hash;		/* FNV-1a over the drawn operations */
	uint64_t nr_ops;		/* this CPU's operations so far */
	struct held_block held[HELD_MAX];
	int nheld;
	struct job_stats stats[MAX_JOBS];
	void *inbox;			/* atomic: pages handed to this CPU */
	/* watchdog: written by the owner, read by the monitor (relaxed) */
	uint64_t progress;
	int last_job;
	uint64_t last_args[3];
	int done;			/* atomic: the CPU has released everything */
} __attribute__((aligned(64)));

struct job {
	const char *name;
	const char *what;
	unsigned int default_weight;
	/* One operation, its parameters drawn from c->rng (the same number of
	 * draws whatever happens, so that a seed replays the same sequence)
	 * and fed to op_log(); returns 0, or -1 if it could not do its work
	 * (an allocation failure is counted by the job, not returned). */
	int (*op)(struct cpu_ctx *c, uint64_t args[3]);
};
extern const struct job jobs[];
extern const unsigned int nr_jobs;
int job_index(const char *name);

struct violation {
	char kind[24];
	int cpu;
	char message[400];
};

struct options {
	char prog[256];			/* how we were called, for the replay line */
	char boot[512];
	char jobs_spec[256];
	unsigned int weight[MAX_JOBS];	/* 0: not selected */
	double duration;		/* seconds; 0 with --ops */
	uint64_t ops;			/* per CPU; 0: by duration */
	uint64_t seed;
	char json[256];
	double check_every;
	double watchdog;
	int quiet;
	int inject_corrupt;		/* test-only hooks */
	int inject_leak;
	int inject_hang;
};

struct run {
	/* Set by the main thread before the CPUs start, read-only after. */
	struct options opt;
	unsigned int nr_cpus;
	struct cpu_ctx *cpus;
	unsigned int total_weight;
	unsigned long long sysctl_defaults[3];
	/* The main thread's, after the CPUs stop (or give up on them). */
	double elapsed;
	int hung;			/* the report is made with CPUs still stuck:
					   only finished CPUs' statistics are read */
	int stop;			/* atomic (release/acquire): CPUs finish their
					   operation and release everything */
	int corrupted;			/* atomic (relaxed): the corrupt hook fired */
	spinlock_t lock;		/* irq-safe; guards what follows */
	struct violation v[MAX_VIOLATIONS];
	int nr_v;
	int nr_v_dropped;
	unsigned long checks_passed;
	unsigned long checks_failed;
};

/* May the report read this CPU's own statistics?  Not while it may run. */
static inline int cpu_settled(const struct run *run, unsigned int k)
{
	/* Acquire: pairs with the release store of done in cpu_main(). */
	return !run->hung || __atomic_load_n(&run->cpus[k].done, __ATOMIC_ACQUIRE);
}

void add_violation(struct run *run, const char *kind, int cpu, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* held.c: blocks with patterns */
void block_fill(struct page *page, unsigned int order, uint64_t tag);
int block_verify(struct cpu_ctx *c, struct page *page, unsigned int order, uint64_t tag,
		 const char *when);
uint64_t block_tag(const struct cpu_ctx *c, unsigned int job);
int held_add(struct cpu_ctx *c, struct page *page, unsigned int order, unsigned int job,
	     uint64_t tag, uint64_t lifetime);
void held_free(struct cpu_ctx *c, int i, int verify);
void held_release_all(struct cpu_ctx *c);
void op_log(struct cpu_ctx *c, unsigned int job, const uint64_t args[3]);
void count_failure(struct cpu_ctx *c, unsigned int job, enum gfp_kind kind, unsigned int order);

/* jobs.c */
void inbox_drain(struct cpu_ctx *c);

/* report.c */
void report_human(struct run *run, FILE *out);
int report_json(struct run *run, const char *path);
void print_replay(const struct run *run, FILE *out);
void replay_command(const struct run *run, char *buf, size_t len);

/* harness.c */
int harness_run(struct run *run);

#endif /* STRESS_MMSTRESS_H */
