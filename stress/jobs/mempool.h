/* SPDX-License-Identifier: MIT */
/*
 * stress/jobs/mempool.h - what the mempool jobs share.
 *
 *   mempool_pools.c	the family: the eight pools, their creation, their
 *			end-of-run checks and teardown, the report
 *   mempool_backing.c	the pressure, the calls into mempool and what the
 *			wrapped pools' backing callbacks check of them
 *   mempool_elements.c	the elements a CPU holds, allocates, frees, hands
 *			to another CPU or puts in flight; a pool's check
 *   mempool_starve.c, mempool_resize.c	the two jobs
 *
 * Progress.  A GFP_KERNEL caller sleeps until an element comes back, so
 * every element must be on its way back while someone sleeps for it:
 *   - pools are ordered by index; before a sleeping mempool_alloc() on pool
 *     i a CPU frees every element it holds of pools >= i (it keeps lower
 *     ones, as a layered driver does), so a sleeper on i waits only for
 *     CPUs that run, or that sleep on a higher pool: the chain ends;
 *   - a CPU holds at most MP_HOLD_PER_POOL elements of a pool (it frees one
 *     before allocating when it has them all) and frees them after a few
 *     of its operations, or when it stops;
 *   - an element handed to a CPU is freed by that CPU before its next
 *     operation, unless the CPU may be sleeping in mempool_alloc() (or has
 *     stopped): it closes its inbox first, and a sender then takes the
 *     element back and frees it (inbox.c says why none is left behind);
 *   - elements in flight (only when 5*HZ is short) are freed by any CPU
 *     that finds them due; if every CPU sleeps meanwhile, the 5*HZ timeout
 *     and the pressure, which stays at 100% for 8*HZ at most, end the
 *     sleeps: the backing allocator serves the retry.
 * The watchdog reports a CPU that never returns from mempool_alloc().
 *
 * Who touches what:
 *   mp_pools[]		the spec is read-only; pool and cache are made by
 *			the main thread (attached as CPU 0) before the CPUs
 *			start and destroyed after they stop; so is what the
 *			report reads of a torn-down pool (last*).  live
 *			(atomic, relaxed) counts a wrapped pool's elements out
 *			of its backing allocator; resizing (acquire/release)
 *			serializes the resizes of a pool that wants them so.
 *   mp_timing		written by the family's setup before the CPUs start,
 *			read-only after, but pressure_on: off while the main
 *			thread creates the pools.
 *   struct mp_cpu	its CPU's.
 */
#ifndef STRESS_JOBS_MEMPOOL_H
#define STRESS_JOBS_MEMPOOL_H

#include "../engine.h"

#define MP_POOLS		8
#define MP_PER_JOB		4
#define MP_STARVE_FIRST		0
#define MP_RESIZE_FIRST		4
#define MP_HELD_MAX		32
#define MP_HOLD_PER_POOL	3
#define MP_HDR			32	/* an element's first bytes: struct mp_hdr */

/* What the mempool jobs count, per CPU (the report sums them, in this order). */
enum mp_counter {
	MP_PRESSURE_CHANGES, MP_INJECTED, MP_SLEEPING_ALLOCS, MP_ATOMIC_ALLOCS,
	MP_ATOMIC_CONTEXT, MP_SLOW_ALLOCS, MP_SENT, MP_RECEIVED, MP_STOLEN_BACK, MP_SUBMITTED,
	MP_COMPLETED, MP_FULL_MASK_RETRIES, MP_RESIZE_UP, MP_RESIZE_DOWN, MP_RESIZE_SAME,
	MP_RESIZE_ENOMEM, MP_CHECKS, MP_FREE_NULL, NR_MP_COUNTERS
};

/* Per CPU and pool: what its users saw. */
enum mp_pool_counter {
	MPP_ALLOCS,			/* mempool_alloc() returned an element */
	MPP_NULLS,			/* ... returned NULL */
	MPP_FREES,			/* mempool_free() of an element */
	MPP_SLOW,			/* mempool_alloc() took longer than 5*HZ */
	MPP_MAX_NS,			/* the longest mempool_alloc(), ns */
	NR_MPP
};

/* The mempool call a CPU is in (struct mp_call.what). */
enum { MPC_NONE, MPC_ALLOC, MPC_FREE, MPC_CREATE, MPC_RESIZE, MPC_DESTROY };

/* The context of a call: process, interrupts off, preemption off, an interrupt. */
enum { MP_CTX_PROCESS, MP_CTX_IRQS_OFF, MP_CTX_PREEMPT_OFF, MP_CTX_IRQ };

/* The mempool call a CPU is in, for the backing callbacks' checks. */
struct mp_call {
	int what;			/* MPC_*, 0: none */
	int pool;
	gfp_t gfp;			/* the caller's mask (mempool_alloc()) */
	int irqs_off;			/* the caller had interrupts off */
	int backing_calls;		/* pool->alloc() calls in this one */
};

/* An element of a pool a CPU holds: its pattern is derived from tag. */
struct mp_held {
	void *el;			/* what mempool_alloc() returned */
	uint64_t tag;
	uint64_t expiry;		/* op count after which it is freed */
	uint8_t pool;
};

/* The mempool family's per-CPU state: its CPU's. */
struct mp_cpu {
	uint64_t cnt[NR_MP_COUNTERS];	/* first: the report sums them */
	uint64_t pool_cnt[MP_POOLS][NR_MPP];
	struct mp_held held[MP_HELD_MAX];
	int nheld;
	struct mp_call call;
};

enum mp_kind { MPK_KMALLOC, MPK_SLAB, MPK_PAGE, MPK_CUSTOM };

/* One pool; see the map for who touches what. */
struct mp_pool {
	const char *name;
	const struct stress_job *job;
	enum mp_kind kind;
	unsigned int size;		/* element bytes (a page pool's: set up) */
	unsigned int order;		/* page pools */
	int min_nr;			/* at creation */
	int wrapped;			/* our callbacks around mempool's helpers */
	int serialize;			/* one resize at a time: min_nr checked */
	int node;			/* mempool_create_node(): -1 the last one */
	char backing[40];
	char cache_name[32];
	mempool_t *pool;
	struct kmem_cache *cache;
	int torn_down;
	int last_min_nr, last_curr_nr;
	struct mempool_stats last;
	long live;			/* atomic (relaxed) */
	int resizing;			/* atomic (acquire/release) */
};

struct mp_timing {
	unsigned long phase_len;	/* jiffies a pressure phase lasts */
	unsigned long dev_delay;	/* jiffies an element stays in flight */
	unsigned long long timeout_ns;	/* what 5*HZ lasts on the host */
	int timeout_mode;		/* 5*HZ is short: elements go in flight */
	int pressure_on;		/* off while pools are created */
};

extern struct mp_pool mp_pools[MP_POOLS];
extern struct mp_timing mp_timing;
extern const struct stress_family mempool_family;
extern const struct stress_job mempool_starve_job, mempool_resize_job;

static inline unsigned int mp_index(const struct mp_pool *mp)
{
	return (unsigned int)(mp - mp_pools);
}


/* mempool_backing.c */
void mp_ctx_enter(unsigned int ctx, unsigned long *flags);
void mp_ctx_exit(unsigned int ctx, unsigned long flags);
void mp_call_begin(struct mp_cpu *m, int what, unsigned int pi, gfp_t gfp);
void mp_call_end(struct mp_cpu *m);
/* Count the pressure's phases as they change, from the setup's on. */
void mp_phase_init(void);
void mp_knob(struct mp_cpu *m);
/* mempool_create() of pool mp (with our callbacks if it is wrapped). */
mempool_t *mp_create_pool(struct mp_pool *mp, int nid);
/* Did el come from mp's pool->alloc, and is it not freed yet (custom)? */
int mp_backing_ok(const struct mp_pool *mp, const void *el);

/*
 * mempool_elements.c: an operation is one action on one of the job's
 * pools, as the job's plan shares out the 16 values of its first word's
 * low bits; every action takes the operation's words.
 */
typedef void mp_action_fn(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi,
			  const uint64_t r[3]);
struct mp_share {
	unsigned int share;		/* of 16 */
	mp_action_fn *act;
};
/* The job's operation on its pools [first, first + MP_PER_JOB): 0, -1 if
 * its pools are not there.  Before the action: the pressure's phase,
 * elements in flight that are due, two of c's past their lifetime. */
int mp_op(struct cpu_ctx *c, struct mp_cpu *m, unsigned int first, const struct mp_share *plan,
	  const uint64_t r[3]);
/* A new element, held or handed on; one handed on, freed (or
 * mempool_free(NULL)), verified; the pool checked under its lock. */
mp_action_fn mp_alloc_use, mp_send_one, mp_free_one, mp_verify_one, mp_check_pool;
void *mp_alloc(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, enum gfp_kind kind,
	       unsigned int ctx);
void mp_fill(const struct mp_pool *mp, void *el, uint64_t tag);
void mp_free(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, void *el, uint64_t tag,
	     unsigned int ctx, const char *when);
void mp_submit(struct cpu_ctx *c, struct mp_cpu *m, const struct mp_held *e, uint64_t r);
/* Complete the elements in flight that are due (all: every one). */
void mp_dev_poll(struct cpu_ctx *c, struct mp_cpu *m, int all);
/* The family's hooks: an element received, what a stopping CPU holds. */
int mp_receive(struct cpu_ctx *c, void *state, struct stress_item *it, enum receipt how);
void mp_release(struct cpu_ctx *c, void *state);

#endif /* STRESS_JOBS_MEMPOOL_H */
