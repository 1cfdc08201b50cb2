// SPDX-License-Identifier: MIT
/*
 * mm/kswapd.c - kswapd, one per node (v4.19's kswapd(), balance_pgdat(),
 * kswapd_try_to_sleep(), wakeup_kswapd()).
 *
 * The model's kswapd borrows a CPU.  The simulated machine's CPUs are the
 * harness's threads, and everything reclaim touches that is per CPU (the
 * page lists pages are freed to, vmstat diffs, SLAB's arrays that a
 * shrinker frees objects into) must be touched from a CPU.  So a node's
 * kswapd is a pair of delayed work items that run on a CPU of the node at
 * its safe point (cond_resched()), in process context, as the kernel's
 * kthread would be scheduled there:
 *   run work	one slice of balance_pgdat(): priority levels of
 *		shrink_node() over the node for at most 5 ms of the CPU;
 *		queued again (on the same CPU, workqueue.c keeps it there)
 *		until the node is balanced or the priorities are spent;
 *   nap work	the short sleep (HZ/10) of kswapd_try_to_sleep(): when it
 *		ends, a still balanced node lets kswapd sleep until a
 *		wake-up, an unbalanced one runs it again.
 * While a slice runs, the CPU's task is kswapd: its flags
 * (PF_MEMALLOC | PF_KSWAPD), comm, footprint, I/O counters and mm are
 * saved and restored around it, so nothing kswapd does is counted to the
 * task it borrowed the CPU from.  stop_machine() never meets kswapd in
 * the middle of a slice: work runs only at safe points, and IPIs only
 * between them or while the slice waits (with nothing half-done).
 *
 * Who touches what (struct kswapd, per node):
 *   state	atomic (acq_rel CAS): SLEEPING (nothing queued that will
 *		reclaim), RUNNING (run work queued or running), NAPPING
 *		(nap work queued).  Only the CAS winner queues the run work.
 *   order, classzone_idx  atomic (relaxed max): what wake-ups asked for,
 *		taken (exchanged) by a slice that starts a new balance.
 *   failures	atomic (relaxed): balance_pgdat() runs that freed nothing;
 *		at MAX_RECLAIM_RETRIES wake-ups stop until reclaim frees
 *		something (kswapd_reset_failures()).
 *   dirty	atomic (relaxed): PGDAT_DIRTY.
 *   the balance in progress (priority, nr_reclaimed, its order and
 *		classzone)  the run work's own: one item never runs on two
 *		CPUs at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reclaim.h"

enum { KSWAPD_SLEEPING, KSWAPD_RUNNING, KSWAPD_NAPPING };

struct kswapd {
	struct delayed_work run, nap;
	pg_data_t *pgdat;
	int state;
	int order, classzone_idx;
	int failures;
	int dirty;
	unsigned int next_cpu;		/* atomic (relaxed): round robin */
	/* the run work's */
	int priority;			/* 0: no balance in progress */
	int bal_order, bal_classzone;	/* atomic (relaxed): the nap reads them */
	unsigned long nr_reclaimed;	/* by this balance so far */
};

static struct kswapd *kswapds;		/* [nr_nodes], boot to shutdown */

static struct kswapd *node_kswapd(const pg_data_t *pgdat)
{
	return &kswapds[pgdat->node_id];
}

void kswapd_reset_failures(pg_data_t *pgdat)
{
	if (kswapds)
		__atomic_store_n(&node_kswapd(pgdat)->failures, 0, __ATOMIC_RELAXED);
}

int pgdat_dirty(pg_data_t *pgdat)
{
	return __atomic_load_n(&node_kswapd(pgdat)->dirty, __ATOMIC_RELAXED);
}

void set_pgdat_dirty(pg_data_t *pgdat, int on)
{
	__atomic_store_n(&node_kswapd(pgdat)->dirty, on, __ATOMIC_RELAXED);
}

/* v4.19 pgdat_balanced(): some eligible zone is at HIGH for this order;
 * a node with no eligible zone needs no balancing. */
int pgdat_balanced(pg_data_t *pgdat, int order, int classzone_idx)
{
	int eligible = 0;

	for (int i = 0; i <= classzone_idx && i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		if (!populated_zone(zone))
			continue;
		eligible = 1;
		if (zone_watermark_ok(zone, (unsigned int)order, high_wmark_pages(zone),
				      classzone_idx, 0))
			return 1;
	}
	return !eligible;
}

static void atomic_max(int *p, int v)
{
	int old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (old < v && !__atomic_compare_exchange_n(p, &old, v, 0, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

/*
 * The caller's CPU if it is one of the node's; else a CPU of the node
 * with a thread attached whose task is not asleep; else one with a
 * thread; else the caller's own (the work of a CPU with no thread waits
 * for its next one).
 */
static unsigned int kswapd_cpu(struct kswapd *k)
{
	unsigned int n = num_online_cpus(), start;
	int fallback = -1;

	/* the waker's own CPU if it is on the node: it reaches a safe point
	 * as soon as the allocation that woke kswapd is done */
	if (current->cpu >= 0 && cpu_to_node((unsigned int)current->cpu) == k->pgdat->node_id)
		return (unsigned int)current->cpu;
	start = __atomic_fetch_add(&k->next_cpu, 1, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int cpu = (start + i) % n;

		if (cpu_to_node(cpu) != k->pgdat->node_id || !cpu_attached(cpu))
			continue;
		if (!cpu_task_sleeping(cpu))
			return cpu;
		if (fallback < 0)
			fallback = (int)cpu;
	}
	if (fallback >= 0)
		return (unsigned int)fallback;
	return current->cpu >= 0 ? (unsigned int)current->cpu : 0;
}

/* An item queued on a CPU that lost its thread is moved (cancel_delayed_work()
 * succeeding makes the caller its only queuer). */
static void kswapd_rescue(struct kswapd *k, struct delayed_work *dw, unsigned long delay)
{
	int cpu = __atomic_load_n(&dw->cpu, __ATOMIC_RELAXED);

	if (cpu >= 0 && !cpu_attached((unsigned int)cpu) && cancel_delayed_work(dw))
		schedule_delayed_work_on(kswapd_cpu(k), dw, delay);
}

void wakeup_kswapd(struct zone *zone, gfp_t gfp_mask, int order, enum zone_type classzone_idx)
{
	struct kswapd *k;
	pg_data_t *pgdat;
	int old;

	(void)gfp_mask;
	if (!populated_zone(zone) || !kswapds)
		return;
	pgdat = NODE_DATA(zone->node);
	k = node_kswapd(pgdat);
	atomic_max(&k->classzone_idx, (int)classzone_idx);
	atomic_max(&k->order, order);
	old = __atomic_load_n(&k->state, __ATOMIC_ACQUIRE);
	if (old == KSWAPD_RUNNING) {
		kswapd_rescue(k, &k->run, 0);
		return;		/* awake already: it takes the request */
	}
	if (old == KSWAPD_NAPPING)
		kswapd_rescue(k, &k->nap, 1);
	if (__atomic_load_n(&k->failures, __ATOMIC_RELAXED) >= MAX_RECLAIM_RETRIES ||
	    pgdat_balanced(pgdat, order, (int)classzone_idx))
		return;
	/* Acquire/release: the winner's queueing follows the slice that
	 * set the state (its stores to the balance fields are seen). */
	if (!__atomic_compare_exchange_n(&k->state, &old, KSWAPD_RUNNING, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	if (old == KSWAPD_NAPPING)
		count_vm_event(KSWAPD_LOW_WMARK_HIT_QUICKLY);	/* woken in its nap */
	schedule_delayed_work_on(kswapd_cpu(k), &k->run, 0);
}

/* The task kswapd borrows: what is saved around a slice. */
struct borrowed_task {
	unsigned int flags;
	long fp_pages, fp_objects;
	struct mm_struct *mm;
	char comm[16];
	unsigned long io[5];
};

static void kswapd_enter(struct kswapd *k, struct borrowed_task *t)
{
	t->flags = current->flags;
	t->fp_pages = current->fp_pages;
	t->fp_objects = current->fp_objects;
	t->mm = current->mm;
	memcpy(t->comm, current->comm, sizeof(t->comm));
	memcpy(t->io, &current->io, sizeof(t->io));
	/* kswapd's own flags: not the borrowed task's memalloc scopes */
	current->flags = (t->flags & ~(PF_MEMALLOC_NOIO | PF_MEMALLOC_NOFS)) |
			 PF_MEMALLOC | PF_KSWAPD;
	current->mm = NULL;
	snprintf(current->comm, sizeof(current->comm), "kswapd%d", k->pgdat->node_id);
}

static void kswapd_leave(struct borrowed_task *t)
{
	current->flags = t->flags;
	current->fp_pages = t->fp_pages;
	current->fp_objects = t->fp_objects;
	current->mm = t->mm;
	memcpy(current->comm, t->comm, sizeof(t->comm));
	memcpy(&current->io, t->io, sizeof(t->io));
}

/* v4.19 kswapd_shrink_node(): reclaim at least the eligible zones' HIGH. */
static void kswapd_shrink_node(pg_data_t *pgdat, struct scan_control *sc)
{
	sc->nr_to_reclaim = 0;
	for (int z = 0; z <= (int)sc->reclaim_idx; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (!populated_zone(zone))
			continue;
		sc->nr_to_reclaim += max_t(unsigned long, high_wmark_pages(zone),
					   SWAP_CLUSTER_MAX);
	}
	shrink_node(pgdat, sc);
}

/* Balanced, or out of priorities: nap (see the map). */
static void kswapd_finish(struct kswapd *k)
{
	if (!k->nr_reclaimed)
		__atomic_fetch_add(&k->failures, 1, __ATOMIC_RELAXED);
	k->priority = 0;
	/* Release: pairs with wakeup_kswapd()'s acquire. */
	__atomic_store_n(&k->state, KSWAPD_NAPPING, __ATOMIC_RELEASE);
	schedule_delayed_work_on(kswapd_cpu(k), &k->nap, HZ / 10);
}

/*
 * One slice of balance_pgdat(): priority levels until the node is
 * balanced, the priorities are spent, or KSWAPD_SLICE_NS of the borrowed
 * CPU's time is used (then the run work is queued again: the CPU's task
 * gets its turn at its next operation).
 */
#define KSWAPD_SLICE_NS	(5 * 1000 * 1000ULL)

static void kswapd_run(struct work_struct *work)
{
	struct kswapd *k = container_of(to_delayed_work(work), struct kswapd, run);
	pg_data_t *pgdat = k->pgdat;
	struct borrowed_task saved;
	unsigned long long start;

	if (__atomic_load_n(&k->state, __ATOMIC_ACQUIRE) != KSWAPD_RUNNING)
		return;
	if (!k->priority) {
		/* a new balance: take what the wake-ups asked for */
		WRITE_ONCE(k->bal_order, __atomic_exchange_n(&k->order, 0, __ATOMIC_RELAXED));
		WRITE_ONCE(k->bal_classzone,
			   __atomic_exchange_n(&k->classzone_idx, 0, __ATOMIC_RELAXED));
		k->priority = DEF_PRIORITY;
		k->nr_reclaimed = 0;
		count_vm_event(PAGEOUTRUN);
	}
	start = mm_clock_ns();
	kswapd_enter(k, &saved);
	for (;;) {
		struct scan_control sc = {
			.gfp_mask = GFP_KERNEL,
			.order = k->bal_order,
			.priority = k->priority,
			.reclaim_idx = (enum zone_type)k->bal_classzone,
			.may_writepage = 1,
			.may_unmap = 1,
			.may_swap = 1,
		};

		if (pgdat_balanced(pgdat, k->bal_order, k->bal_classzone)) {
			set_pgdat_dirty(pgdat, 0);
			break;
		}
		kswapd_shrink_node(pgdat, &sc);
		k->nr_reclaimed += sc.nr_reclaimed;
		/* v4.19 scans harder (raises the priority) when a level freed
		 * less than it set out to */
		if (sc.nr_reclaimed < sc.nr_to_reclaim && --k->priority < 1)
			break;
		if (mm_clock_ns() - start >= KSWAPD_SLICE_NS) {
			kswapd_leave(&saved);
			schedule_delayed_work_on(kswapd_cpu(k), &k->run, 0);
			return;
		}
	}
	kswapd_leave(&saved);
	kswapd_finish(k);
}

/* The end of the short nap: sleep for good, or go on reclaiming. */
static void kswapd_nap(struct work_struct *work)
{
	struct kswapd *k = container_of(to_delayed_work(work), struct kswapd, nap);
	int old = KSWAPD_NAPPING;
	int order = max(__atomic_load_n(&k->order, __ATOMIC_RELAXED), READ_ONCE(k->bal_order));
	int classzone = max(__atomic_load_n(&k->classzone_idx, __ATOMIC_RELAXED),
			    READ_ONCE(k->bal_classzone));

	if (pgdat_balanced(k->pgdat, order, classzone)) {
		__atomic_compare_exchange_n(&k->state, &old, KSWAPD_SLEEPING, 0,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
		return;
	}
	if (__atomic_load_n(&k->failures, __ATOMIC_RELAXED) >= MAX_RECLAIM_RETRIES) {
		__atomic_compare_exchange_n(&k->state, &old, KSWAPD_SLEEPING, 0,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
		return;
	}
	if (__atomic_compare_exchange_n(&k->state, &old, KSWAPD_RUNNING, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		count_vm_event(KSWAPD_HIGH_WMARK_HIT_QUICKLY);	/* unbalanced again */
		schedule_delayed_work_on(kswapd_cpu(k), &k->run, 0);
	}
}

int kswapd_init(void)
{
	kswapds = calloc(machine.nr_nodes, sizeof(*kswapds));
	if (!kswapds)
		return -ENOMEM;
	for (unsigned int nid = 0; nid < machine.nr_nodes; nid++) {
		struct kswapd *k = &kswapds[nid];

		k->pgdat = NODE_DATA((int)nid);
		INIT_DELAYED_WORK(&k->run, kswapd_run);
		INIT_DELAYED_WORK(&k->nap, kswapd_nap);
	}
	return 0;
}

/* mm_shutdown(): no CPU runs jobs any more; stop both items for good. */
void kswapd_exit(void)
{
	if (!kswapds)
		return;
	for (unsigned int nid = 0; nid < machine.nr_nodes; nid++) {
		__atomic_store_n(&kswapds[nid].state, KSWAPD_SLEEPING, __ATOMIC_RELEASE);
		cancel_delayed_work_sync(&kswapds[nid].run);
		cancel_delayed_work_sync(&kswapds[nid].nap);
	}
	free(kswapds);
	kswapds = NULL;
}

/* For tests and the report: kswapd's state on a node. */
int kswapd_state(int nid, int *failures)
{
	if (!kswapds || nid < 0 || nid >= (int)machine.nr_nodes)
		return -EINVAL;
	if (failures)
		*failures = __atomic_load_n(&kswapds[nid].failures, __ATOMIC_RELAXED);
	return __atomic_load_n(&kswapds[nid].state, __ATOMIC_ACQUIRE);
}
