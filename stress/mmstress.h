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
 *   struct job		a kind of operation, with its weight, and for the
 *			jobs with state shared by every CPU (slab caches, the
 *			RCU table) its setup, per-CPU release and teardown.
 *   struct held_obj	a slab or kmalloc object a CPU holds (jobs_slab.c):
 *			its pattern is derived from tag, as for pages.
 *   struct mp_cpu	what a CPU holds and counts for the mempool jobs
 *			(jobs_mempool.c): its elements, its inbox of elements
 *			other CPUs handed it, the mempool call it is in (for
 *			the backing callbacks' checks), per-pool counters.
 *   struct mp_pool_info	one pool as the report shows it.
 *
 * Who touches what: a cpu_ctx belongs to its CPU's thread, except inbox
 * and obj_inbox (lock-free stacks: anyone pushes with a release CAS, the
 * owner takes it all with an acquire exchange) and the watchdog fields (the
 * owner stores them relaxed, the monitor reads them relaxed: they are only
 * reported).  In struct mp_cpu, inbox and nosend are shared (sequentially
 * consistent: see jobs_mempool.c), the rest is the owner's.  The caches a
 * CPU owns (caches[]) are its own, but their struct scache is shared with
 * whoever holds one of their objects (see jobs_slab.c).  Before the CPUs
 * start and after they are joined, the main thread owns everything
 * (attached as CPU 0 to set up and tear down).
 */
#ifndef STRESS_MMSTRESS_H
#define STRESS_MMSTRESS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <mmsim.h>

#define MAX_JOBS	16
#define HELD_MAX	128
#define OBJS_MAX	256		/* slab/kmalloc objects a CPU holds */
#define CPU_CACHES	4		/* slab-churn caches a CPU owns at once */
#define MAX_VIOLATIONS	64
#define LAT_BUCKETS	(64 * 4)

/* The jobs, by index into jobs[] (jobs.c). */
enum job_id {
	J_CHURN, J_PINGPONG, J_FRAGMENT, J_ATOMIC, J_DRAIN, J_SYSCTL,
	J_SLAB_CHURN, J_KMALLOC_MIX, J_SLAB_SHRINK, J_RCU_FREE, J_MEMPOOL_STARVE,
	J_MEMPOOL_RESIZE, NR_JOB_IDS
};

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

/* A slab or kmalloc object a CPU holds (jobs_slab.c). */
struct scache;
struct held_obj {
	void *p;
	struct scache *sc;		/* its cache, NULL: kmalloc */
	uint64_t tag;
	uint64_t expiry;		/* op count after which it is freed */
	uint32_t size;			/* bytes asked for (and filled) */
	uint8_t job;
};

/* What the slab jobs count, per CPU (the report sums them). */
enum slab_counter {
	SC_CACHES_CREATED, SC_CACHES_DESTROYED, SC_SENT_CROSS_NODE, SC_SENT_SAME_NODE,
	SC_ALLOC_NODE_REMOTE, SC_KREALLOC, SC_KREALLOC_MOVED, SC_SHRINKS, SC_SLABS_REAPED,
	SC_RCU_LOOKUPS, SC_RCU_VALIDATED, SC_RCU_RACED, SC_RCU_REPLACED, SC_KFREE_RCU,
	SC_CALL_RCU, SC_SYNCHRONIZE_RCU, NR_SLAB_COUNTERS
};
extern const char *const slab_counter_name[NR_SLAB_COUNTERS];

/* The mempool jobs' pools (jobs_mempool.c), and what a CPU may hold of them. */
#define MP_POOLS	8
#define MP_HELD_MAX	32

/* An element of a pool a CPU holds: its pattern is derived from tag. */
struct mp_held {
	void *el;			/* what mempool_alloc() returned */
	uint64_t tag;
	uint64_t expiry;		/* op count after which it is freed */
	uint8_t pool;
};

/* What the mempool jobs count, per CPU (the report sums them). */
enum mp_counter {
	MP_SLEEPING_ALLOCS, MP_ATOMIC_ALLOCS, MP_ATOMIC_CONTEXT, MP_SLOW_ALLOCS, MP_SENT,
	MP_RECEIVED, MP_STOLEN_BACK, MP_SUBMITTED, MP_COMPLETED, MP_PRESSURE_CHANGES,
	MP_INJECTED, MP_FULL_MASK_RETRIES, MP_RESIZE_UP, MP_RESIZE_DOWN, MP_RESIZE_SAME,
	MP_RESIZE_ENOMEM, MP_CHECKS, MP_FREE_NULL, NR_MP_COUNTERS
};
extern const char *const mp_counter_name[NR_MP_COUNTERS];

/* Per CPU and pool: what its users saw. */
enum mp_pool_counter {
	MPP_ALLOCS,			/* mempool_alloc() returned an element */
	MPP_NULLS,			/* ... returned NULL */
	MPP_FREES,			/* mempool_free() of an element */
	MPP_SLOW,			/* mempool_alloc() took longer than 5*HZ */
	MPP_MAX_NS,			/* the longest mempool_alloc(), ns */
	NR_MPP
};

/* The mempool call a CPU is in, for the backing callbacks' checks. */
struct mp_call {
	int what;			/* MPC_* (jobs_mempool.c), 0: none */
	int pool;
	gfp_t gfp;			/* the caller's mask (mempool_alloc()) */
	int irqs_off;			/* the caller had interrupts off */
	int backing_calls;		/* pool->alloc() calls in this one */
};

struct mp_cpu {
	struct prng rng;		/* the backing callbacks' draws (not the
					   op log's: they depend on the pressure) */
	struct mp_held held[MP_HELD_MAX];
	int nheld;
	uint64_t serial;		/* elements tagged so far */
	void *inbox;			/* atomic (seq_cst): elements handed to
					   this CPU, which frees them */
	int nosend;			/* atomic (seq_cst): 1 while it may sleep
					   in mempool_alloc(), 2 once it stopped:
					   senders take their elements back */
	struct mp_call call;
	uint64_t cnt[NR_MP_COUNTERS];
	uint64_t pool_cnt[MP_POOLS][NR_MPP];
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
	void *obj_inbox;		/* atomic: objects handed to this CPU */
	struct held_obj objs[OBJS_MAX];
	int nobjs;
	uint64_t obj_serial;		/* objects tagged so far */
	struct scache *caches[CPU_CACHES];	/* slab-churn's, created and
						   destroyed by this CPU */
	uint64_t slab_cnt[NR_SLAB_COUNTERS];
	struct mp_cpu mp;		/* the mempool jobs' (see the map) */
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
	/* Optional, called only if the job is selected.  setup: on CPU 0
	 * (the main thread, attached) before the CPUs start, 0 or -errno;
	 * release: on each CPU when it stops, after its pages are freed;
	 * teardown: on CPU 0 after every CPU has stopped, before the final
	 * checks. */
	int (*setup)(struct run *run);
	void (*release)(struct cpu_ctx *c);
	void (*teardown)(struct run *run);
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
	int inject_corrupt_obj;
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
	/* The main thread's: the periodic checks, due at start + k * interval
	 * for k >= 1 while the run lasts (before its end, where the final
	 * check is); one due while a check still runs is skipped. */
	unsigned long checks_due;	/* known at the end of the run */
	unsigned long checks_periodic;	/* done (passed or failed) */
	int check_final;		/* the final check was made */
	int stop;			/* atomic (release/acquire): CPUs finish their
					   operation and release everything */
	int corrupted;			/* atomic (relaxed): the corrupt hook fired */
	unsigned int started;		/* atomic (release/acquire): CPUs that
					   entered the run; it starts with all */
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
void op_begin(struct cpu_ctx *c, unsigned int job, uint64_t args[3]);
void inbox_drain(struct cpu_ctx *c);

/* jobs_slab.c: slab-churn, kmalloc-mix, slab-shrink, rcu-free */
unsigned int pick_target(const struct cpu_ctx *c, uint64_t r);
int slab_churn_op(struct cpu_ctx *c, uint64_t args[3]);
int kmalloc_mix_op(struct cpu_ctx *c, uint64_t args[3]);
int slab_shrink_op(struct cpu_ctx *c, uint64_t args[3]);
int rcu_free_op(struct cpu_ctx *c, uint64_t args[3]);
int slab_shrink_setup(struct run *run);
int rcu_free_setup(struct run *run);
void slab_jobs_release(struct cpu_ctx *c);
void slab_churn_release(struct cpu_ctx *c);
void slab_jobs_teardown(struct run *run);
void slab_shrink_teardown(struct run *run);
void rcu_free_teardown(struct run *run);
int obj_corrupt_one(struct cpu_ctx *c);	/* test hook: 1 if it damaged an object */

/* jobs_mempool.c: mempool-starve, mempool-resize */
int mempool_starve_op(struct cpu_ctx *c, uint64_t args[3]);
int mempool_resize_op(struct cpu_ctx *c, uint64_t args[3]);
int mempool_starve_setup(struct run *run);
int mempool_resize_setup(struct run *run);
void mempool_jobs_release(struct cpu_ctx *c);
void mempool_starve_teardown(struct run *run);
void mempool_resize_teardown(struct run *run);

/* One pool for the report: live, or as it was when it was torn down. */
struct mp_pool_info {
	const char *name;
	const char *job;
	const char *backing;		/* e.g. "kmalloc 200 B" */
	int torn_down;			/* the numbers are from its teardown */
	int min_nr, curr_nr;		/* -1: could not be read */
	struct mempool_stats st;
	uint64_t cnt[NR_MPP];		/* summed over the settled CPUs */
};
int mempool_jobs_ran(const struct run *run);
void mempool_totals(const struct run *run, uint64_t t[NR_MP_COUNTERS]);
int mempool_pool_info(const struct run *run, unsigned int i, struct mp_pool_info *info);

/* report.c */
void report_human(struct run *run, FILE *out);
int report_json(struct run *run, const char *path);
void print_replay(const struct run *run, FILE *out);
void replay_command(const struct run *run, char *buf, size_t len);

/* harness.c */
int harness_run(struct run *run);

#endif /* STRESS_MMSTRESS_H */
