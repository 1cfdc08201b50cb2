/* SPDX-License-Identifier: MIT */
/*
 * stress/engine.h - what a job sees of the mmstress engine.
 *
 * The engine (engine.c) owns the torture loop, as rcutorture and
 * locktorture do: on every simulated CPU it draws a job by weight and three
 * random words from that CPU's stream (the only one), logs them into the
 * CPU's op-log hash, times the operation, counts it, and between
 * operations hands the CPU its deferred work (cond_resched()).  A job only
 * fills a table:
 *
 *   struct stress_job	one kind of operation: op(c, state, r) acts on the
 *			three words r it is given, and derives anything else
 *			it needs from them (op_random()); setup, release and
 *			teardown if it keeps something of its own.
 *   struct stress_family	what several jobs share: its per-CPU state
 *			(state, allocated zeroed by the engine), the items
 *			its jobs hand to other CPUs (receive), its end-of-run
 *			check and its sections of the report.
 *
 * and calls the engine's services: identities and patterns for what it
 * holds (stress_tag(), pattern.c), the inbox for handing an item to
 * another CPU and the choice of that CPU (inbox.c), failures counted by gfp
 * type and order, violations (stats.c).  Adding a job is a file with its
 * table and a line in jobs.c; README.md's "Writing a job" shows one.
 *
 * Who touches what: a struct cpu_ctx and every family state behind it
 * belong to that CPU's thread while the run lasts, except where a field
 * says otherwise; the main thread owns them before the CPUs start and
 * after they stop (attached as CPU 0 for the setups and teardowns).
 */
#ifndef STRESS_ENGINE_H
#define STRESS_ENGINE_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include <urcu/lfstack.h>
#include <mmsim.h>

#define MAX_JOBS	24
#define MAX_FAMILIES	12		/* families one run sets up (10 with every job) */
#define LAT_BUCKETS	(64 * 4)

struct run;
struct cpu_ctx;

/* ------------------------------------------------------------------ */
/* The tables                                                          */

/* How an item handed to a CPU reached the one that frees it. */
enum receipt {
	RECEIVED,		/* by the CPU it was sent to */
	TAKEN_BACK,		/* by its sender: that CPU may sleep, or stopped */
	AT_END,			/* by CPU 0, once every CPU has stopped */
};

/* The first bytes of anything handed to another CPU (see inbox.c). */
struct stress_item {
	struct cds_lfs_node node;	/* the inbox's link: liburcu's */
	uint64_t tag;			/* stress_tag() of the sender: its job
					   (hence family) is the low byte */
};

struct stress_family {
	const char *name;
	size_t state_size;		/* bytes of per-CPU state, 0: none */
	/* On CPU 0 (the main thread, attached) before its jobs' setups:
	 * 0 or -errno. */
	int (*setup)(struct run *run);
	/*
	 * An item one of its jobs sent, on the CPU c that frees it (state:
	 * c's): check and free it.  0, or -1 if its header is damaged: the
	 * engine then stops walking that list (its link cannot be trusted).
	 */
	int (*receive)(struct cpu_ctx *c, void *state, struct stress_item *it,
		       enum receipt how);
	/* On each CPU as it stops, after its jobs' releases: give back
	 * everything it holds. */
	void (*release)(struct cpu_ctx *c, void *state);
	/* On CPU 0 once every CPU has stopped and every inbox is empty,
	 * before the teardowns: what must hold at the end. */
	void (*check)(struct run *run);
	/* On CPU 0 after its jobs' teardowns: the shared state goes. */
	void (*teardown)(struct run *run);
	/* Its sections of the report (main thread, CPUs stopped or hung:
	 * read the CPUs' state only where run_cpu_settled()). */
	void (*report)(struct run *run, FILE *out);
	void (*report_json)(struct run *run, json_t *root);
	/* --test-inject inject: damage one byte of what CPU 0 holds (c is
	 * CPU 0, on its thread); 1 once done.  The family is set up for it
	 * even if none of its jobs is selected. */
	const char *inject;
	int (*corrupt)(struct cpu_ctx *c, void *state);
};

struct stress_job {
	const char *name;
	const char *what;		/* one line for `mmstress list` */
	unsigned int default_weight;
	const struct stress_family *family;	/* NULL: none */
	/*
	 * One operation on CPU c (state: c's state of the job's family, NULL
	 * without one), from the three words r the engine drew and logged:
	 * 0, or -1 if it could not do its work (an allocation failure is
	 * counted with count_failure(), not returned).
	 */
	int (*op)(struct cpu_ctx *c, void *state, const uint64_t r[3]);
	/* Optional, called only if the job is selected, in the family's
	 * order: setup after the family's, release and teardown before. */
	int (*setup)(struct run *run);
	void (*release)(struct cpu_ctx *c, void *state);
	void (*teardown)(struct run *run);
};

extern const struct stress_job *const jobs[];
extern const unsigned int nr_jobs;

/* ------------------------------------------------------------------ */
/* A CPU                                                               */

/* xoshiro256**, seeded with splitmix64 from (seed, cpu): random.c. */
struct prng {
	uint64_t s[4];
};

/* Latency histogram: 4 sub-buckets per power of two of nanoseconds. */
struct lat_hist {
	uint64_t bucket[LAT_BUCKETS];
	uint64_t count;
	uint64_t max_ns;
};

/* The gfp types the jobs draw from, by name (failures are counted by it). */
enum gfp_kind {
	GK_KERNEL, GK_USER, GK_NOIO, GK_NOFS, GK_ATOMIC, GK_NOWAIT, GK_DMA32,
	GK_DMA, GK_ZERO, GK_COMP, GK_COLD, NR_GFP_KINDS
};
extern const char *const gfp_kind_name[NR_GFP_KINDS];
extern const gfp_t gfp_kind_mask[NR_GFP_KINDS];

struct job_stats {
	uint64_t ops;
	uint64_t failures;		/* real ones (not injected) */
	uint64_t injected;		/* failures fault injection caused */
	uint64_t fail[NR_GFP_KINDS][MAX_ORDER];
	struct lat_hist lat;
};

/* A CPU's inbox: a liburcu lock-free stack (see inbox.c). */
struct inbox {
	struct __cds_lfs_stack stack;	/* anyone pushes; anyone pops all */
	int closed;			/* atomic (seq_cst): INBOX_* */
};
enum { INBOX_OPEN, INBOX_MAY_SLEEP, INBOX_STOPPED };

struct cpu_ctx {
	/* Read-only while the run lasts. */
	struct run *run;
	unsigned int cpu;
	int node;
	/* The owner's; others read nr_ops only through progress. */
	uint64_t nr_ops;		/* operations done (not the current one) */
	struct prng rng;		/* the CPU's stream: the engine draws */
	uint64_t op_r[3];		/* the current operation's words */
	uint64_t op_draws;		/* op_random() calls in it */
	uint64_t serial;		/* identities handed out (stress_tag()) */
	uint64_t op_hash;		/* FNV-1a over the drawn operations */
	int cur_job;			/* the job running, -1 between runs */
	struct {			/* fail_mark(): current's, at the mark */
		unsigned long injected;
		long pages, objects;
		int exact;		/* set just before a call (fail_mark()),
					   not at the operation's start */
	} mark;
	struct job_stats stats[MAX_JOBS];
	void *state[MAX_FAMILIES];	/* run's families, in its order */
	struct inbox inbox;		/* see struct inbox */
	/* The watchdog's: written by the owner, read by the monitor
	 * (relaxed: they are only reported). */
	uint64_t progress;
	int last_job;
	uint64_t last_args[3];
	int done;			/* atomic (release/acquire): the CPU has
					   released everything */
} __attribute__((aligned(64)));

/* The run as jobs see it (the run itself is the harness's: mmstress.h). */
unsigned int run_nr_cpus(const struct run *run);
struct cpu_ctx *run_cpu(const struct run *run, unsigned int k);
/* May the report read CPU k's own statistics?  Not while it may run. */
int run_cpu_settled(const struct run *run, unsigned int k);
int job_selected(const struct run *run, const struct stress_job *job);
/* Family f's state of CPU c (NULL if the run does not set f up). */
void *family_state(const struct cpu_ctx *c, const struct stress_family *f);
/* The calling simulated CPU's context (a callback inside the allocator). */
struct cpu_ctx *this_cpu_ctx(void);
/* Sum n uint64_t counters at offset in f's state over the settled CPUs. */
void family_sum(const struct run *run, const struct stress_family *f, size_t offset,
		unsigned int n, uint64_t *sum);
/* The same sums as the JSON object key of root, each under its name. */
void family_sum_json(const struct run *run, const struct stress_family *f, size_t offset,
		     const char *const *names, unsigned int n, json_t *root, const char *key);

/* ------------------------------------------------------------------ */
/* Randomness and identities                                           */

void prng_seed(struct prng *r, uint64_t seed, uint64_t stream);
uint64_t prng_next(struct prng *r);
uint64_t splitmix64(uint64_t *x);
/*
 * Another random word for the current operation, derived from its three
 * (splitmix64 over them and a count): an operation that needs more than
 * three gets the same ones whatever the timing, and never moves the
 * CPU's stream, so that --ops replays every job the same way.
 */
uint64_t op_random(struct cpu_ctx *c);

/* A new identity: CPU << 48 | serial << 8 | job.  stress_tags(): n of
 * them, the first returned, the i-th being it + ((uint64_t)i << 8). */
uint64_t stress_tag(struct cpu_ctx *c);
uint64_t stress_tags(struct cpu_ctx *c, unsigned int n);
#define TAG_NEXT(tag, i)	((tag) + ((uint64_t)(i) << 8))
static inline unsigned int tag_cpu(uint64_t tag) { return (unsigned int)(tag >> 48); }
static inline uint64_t tag_serial(uint64_t tag) { return (tag >> 8) & 0xffffffffffULL; }
static inline unsigned int tag_job(uint64_t tag) { return (unsigned int)(tag & 0xff); }
/* The name of the job in a tag's low byte ("?" if there is none). */
const char *tag_job_name(uint64_t tag);

uint64_t stress_clock_ns(void);

/* ------------------------------------------------------------------ */
/* Patterns (pattern.c)                                                */

/*
 * The pattern of a tag over bytes [start, end) of a block: the word at
 * offset off (from the block's first byte) is pattern_word(tag, off).
 * Every word below offset dense carries it, then one word every
 * PATTERN_STRIDE bytes, the last whole word of the range, and any bytes
 * after it (those of the word at end & ~7).  So a prefix of a range can be
 * checked after krealloc(), and two owners of one byte write two different
 * patterns.
 */
#define PATTERN_STRIDE	256
#define PATTERN_DENSE	256		/* objects and pool elements */
#define PATTERN_ALL	SIZE_MAX	/* every word */
#define PATTERN_OK	SIZE_MAX	/* pattern_check(): no mismatch */

struct pattern_range {
	size_t start, end, dense;
};

uint64_t pattern_word(uint64_t tag, size_t off);
void pattern_fill(void *base, const struct pattern_range *pr, uint64_t tag);
/* The first offset below min(len, end) that does not show the pattern. */
size_t pattern_check(const void *base, const struct pattern_range *pr, size_t len, uint64_t tag);
/*
 * "DATA CORRUPTION on CPU c when: what, CPU x's noun n (job j): at +off
 * (address) expected w, found g", a violation; want and got are the
 * pattern's and the memory's at off (pattern_report()) or, for a header
 * word, the caller's (report_corruption()).
 */
void pattern_report(struct cpu_ctx *c, const void *base, const struct pattern_range *pr,
		    size_t off, uint64_t tag, const char *noun, const char *what, const char *when);
void report_corruption(struct cpu_ctx *c, const void *base, size_t off, uint64_t want,
		       uint64_t got, uint64_t tag, const char *noun, const char *what,
		       const char *when);

/* ------------------------------------------------------------------ */
/* Handing items to other CPUs (inbox.c)                               */

enum target {
	TARGET_ANY,		/* any other CPU */
	TARGET_SAME_NODE,	/* another CPU of c's node, else any other */
	TARGET_OTHER_NODE,	/* a CPU of another node, else any other */
};
/* A CPU other than c (c itself on a 1-CPU machine), chosen from r. */
unsigned int pick_cpu(const struct cpu_ctx *c, uint64_t r, enum target where);

/*
 * Hand it (an item of the calling job's family, whose header is filled)
 * to CPU to, whose family receive() frees it: 0.  -1 if it was not sent
 * (to is c, or to's inbox is closed): it is still c's.  If to closed its
 * inbox meanwhile, c takes back all that inbox holds (receive() with
 * TAKEN_BACK, on c), so nothing waits for a CPU that may sleep.
 */
int stress_send(struct cpu_ctx *c, unsigned int to, struct stress_item *it);
/*
 * c may now sleep until another CPU frees something (a sleeping
 * mempool_alloc()): its inbox is emptied and closed, senders take back
 * what they send meanwhile.  inbox_open() when it is back.
 */
void inbox_close(struct cpu_ctx *c);
void inbox_open(struct cpu_ctx *c);
/* "on receiving it from another CPU" and the like, for reports. */
const char *receipt_text(enum receipt how);

/* ------------------------------------------------------------------ */
/* kmemleak (kmemleak.c)                                               */

/*
 * Host memory that holds allocator objects (a job's table, its per-CPU
 * state) is a root of kmemleak's scan: registered grey while it lives, or
 * the objects only it points to would be reported.  root_zalloc(): zeroed,
 * aligned (a power of two), NULL if the host has no memory; root_free()
 * forgets it first.  Never keep an object only in host memory of your own
 * (malloc()) or in thread-local storage: neither is scanned.
 */
void *root_zalloc(size_t align, size_t size);
void root_free(void *p);
/*
 * An item whose memory kmemleak does not know (a page's first bytes):
 * scanned as a root while it is in an inbox, so that the items linked
 * after it stay referenced.  Add before stress_send(), delete when it is
 * received or was not sent.
 */
void item_root_add(struct stress_item *it);
void item_root_del(struct stress_item *it);
/*
 * The leak job's deliberate leaks (`mmstress run --kmemleak`): may one be
 * dropped now (kmemleak on, the scan thread running, room left)?
 * kl_drop_add(): record one dropped by CPU cpu, allocated just before
 * jiffies j, once every copy of its pointer is erased: 0, or -1 (not
 * recorded: free it).  kl_drops_release(): at the end, once the CPUs and
 * the scan thread have stopped, each drop given back through release.
 */
int kl_dropping(void);
int kl_drop_add(int cpu, uintptr_t addr, size_t size, unsigned long j, int kind);
void kl_drops_release(void (*release)(uintptr_t addr, size_t size, int kind));

/* ------------------------------------------------------------------ */
/* Failures, violations (stats.c)                                      */

/* An allocation of the current job that failed (not a violation). */
/*
 * An allocation failed (returned NULL): counted by gfp type and order, or,
 * when fault injection failed an allocation of this CPU since the last
 * fail_mark() (or the operation's start), as an injected failure.  After
 * an injected failure the CPU's footprint (pages and slab objects it holds,
 * current->fp_*) must not have grown since a fail_mark() made just before
 * the call: a failed call gives back everything it took, or it leaks (a
 * "leak" violation naming the job).
 */
void count_failure(struct cpu_ctx *c, enum gfp_kind kind, unsigned int order);
/* Just before an allocation whose failure count_failure() will count. */
void fail_mark(struct cpu_ctx *c);
/* After such an allocation succeeded, handing out pages pages and objects
 * slab objects: if a failure was injected inside it (and absorbed: another
 * node, the reserve), the footprint must have grown by exactly that. */
void fail_check(struct cpu_ctx *c, long pages, long objects);
/* The page order of an allocation of size bytes (failures are counted by it). */
unsigned int size_order(size_t size);

void add_violation(struct run *run, const char *kind, int cpu, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same from a crashing thread (sentinel.c): dropped if the lock is held. */
void add_violation_nowait(struct run *run, const char *kind, int cpu, const char *fmt, ...)
	__printf(4, 5);
#define cpu_violation(c, kind, fmt, ...) \
	add_violation((c)->run, (kind), (int)(c)->cpu, fmt, ##__VA_ARGS__)

/* Latency histograms (stats.c): a job may keep its own, e.g. per call. */
void lat_record(struct lat_hist *h, uint64_t ns);
void lat_merge(struct lat_hist *dst, const struct lat_hist *src);
uint64_t lat_percentile(const struct lat_hist *h, double p);

/* "123ns", "4.5us", "6.7ms" (report.c) */
void fmt_ns(char *buf, size_t len, uint64_t ns);
/* fmt with each %llu the next counter of v (a family's counters, in order). */
void report_counters(FILE *out, const uint64_t *v, const char *fmt);

#endif /* STRESS_ENGINE_H */
