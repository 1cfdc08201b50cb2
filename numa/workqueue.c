// SPDX-License-Identifier: MIT
/*
 * numa/workqueue.c - per-CPU delayed work, and cond_resched(): the safe
 * point where a CPU runs its deferred work.
 *
 * Each CPU has a timer base: the delayed work queued to run on it, sorted
 * by expiry.  The CPU's thread runs the due items at its safe points, in
 * process context (interrupts on, preempt count 0) as the kernel's
 * per-CPU kworker would, then its RCU callbacks (rcu.c).  The list of a
 * CPU that no thread is attached to waits for the CPU's next thread.
 *
 * Who touches what:
 *   base->lock		irq-safe spinlock_t (a holder is never stopped by
 *			stop_machine()).  Protects list, running, nr_queued,
 *			next_expiry's writes, and a queued item's entry and
 *			expires.
 *   base->softirq	atomic mask of SOFTIRQ_*: what the CPU has to do at
 *			its next safe point.  SOFTIRQ_TIMER means "list not
 *			empty, earliest at next_expiry" (both written under
 *			the lock); cond_resched() reads both with READ_ONCE,
 *			no lock: nothing queued costs it one relaxed load.
 *			SOFTIRQ_RCU belongs to rcu.c.
 *   base->next_expiry_ns  host time before which next_expiry cannot be
 *			due (rounded down; 0: maybe due now).  Written under
 *			the lock, read by cond_resched() with READ_ONCE and
 *			compared with the coarse clock: a queued item that is
 *			not due (SLAB's reap, every 2 s) costs it no precise
 *			clock read.
 *   base->run_seq	bumped (release) under the lock when an item's run
 *			ends; the futex word cancel_delayed_work_sync() sleeps on.
 *   work->pending	atomic, the item's life cycle:
 *			  IDLE -> QUEUEING	schedule_delayed_work_on(), CAS:
 *						makes it dw->cpu's only writer
 *			  QUEUEING -> QUEUED	linked, under the base's lock
 *			  QUEUED -> IDLE	dequeued to run, under the lock
 *			  QUEUED -> CANCELLING	dequeued by a cancel, lock
 *			  IDLE -> CANCELLING	cancel, CAS
 *			  CANCELLING -> IDLE	the cancel is over (release)
 *			The claimer of QUEUEING keeps interrupts off until the
 *			item is linked, so no stop_machine() can freeze a CPU
 *			between the claim and the link.
 *   dw->cpu		atomic; written only by the QUEUEING owner under the
 *			new base's lock.  While QUEUED it names the base whose
 *			list holds the item.
 *
 * Non-reentrancy: an item queued while its function runs goes to the base
 * that runs it (as Linux's workqueues queue it on the pool where it runs),
 * so it never runs on two CPUs at once.
 */
#define _GNU_SOURCE
#include <sched.h>

#include <mmsim/sched.h>
#include "machine.h"
#include "printk.h"
#include "spinlock.h"

struct timer_base {
	spinlock_t lock;
	struct cds_list_head list;	/* queued items, by expires */
	struct work_struct *running;	/* the item whose function runs */
	unsigned int nr_queued;
	unsigned long next_expiry;	/* expires of the list's first item */
	unsigned long long next_expiry_ns; /* not due before this host time */
	unsigned int softirq;		/* atomic: SOFTIRQ_* */
	int run_seq;			/* atomic: runs ended (futex word) */
} ____cacheline_aligned;

static struct timer_base timer_bases[NR_CPUS];

/* The item this thread's cond_resched() is running, and whether it is in one. */
static __thread struct work_struct *current_work;
static __thread int in_safe_point;

static inline struct delayed_work *entry_to_dw(struct cds_list_head *e)
{
	return to_delayed_work(container_of(e, struct work_struct, entry));
}

void raise_softirq_on(unsigned int cpu, unsigned int bits)
{
	/* Release: what the raiser did before is seen by the CPU's clear. */
	__atomic_fetch_or(&timer_bases[cpu].softirq, bits, __ATOMIC_RELEASE);
}

unsigned int clear_softirq_on(unsigned int cpu, unsigned int bits)
{
	/* Acquire: pairs with the release in raise_softirq_on(). */
	return __atomic_fetch_and(&timer_bases[cpu].softirq, ~bits, __ATOMIC_ACQUIRE) & bits;
}

/* Under base->lock: SOFTIRQ_TIMER and next_expiry follow the list. */
static void __update_next_expiry(struct timer_base *base)
{
	unsigned long long now_ns;
	unsigned long expires;
	long delta;

	if (cds_list_empty(&base->list)) {
		__atomic_fetch_and(&base->softirq, ~SOFTIRQ_TIMER, __ATOMIC_RELAXED);
		return;
	}
	expires = entry_to_dw(base->list.next)->expires;
	/* The clock before jiffies, so that the deadline errs early: expires
	 * is at least delta - 1 whole jiffies after now_ns. */
	now_ns = mm_clock_ns();
	delta = (long)(expires - jiffies);
	WRITE_ONCE(base->next_expiry, expires);
	WRITE_ONCE(base->next_expiry_ns,
		   delta > 1 ? now_ns + jiffies_to_host_ns((unsigned long)delta - 1) : 0);
	if (!(READ_ONCE(base->softirq) & SOFTIRQ_TIMER))
		__atomic_fetch_or(&base->softirq, SOFTIRQ_TIMER, __ATOMIC_RELAXED);
}

/* Under base->lock: link dw in expiry order (after its equals). */
static void __enqueue(struct timer_base *base, struct delayed_work *dw)
{
	struct cds_list_head *pos;

	cds_list_for_each(pos, &base->list)
		if (time_after(entry_to_dw(pos)->expires, dw->expires))
			break;
	cds_list_add_tail(&dw->work.entry, pos);
	base->nr_queued++;
	__update_next_expiry(base);
}

static void __dequeue(struct timer_base *base, struct delayed_work *dw)
{
	cds_list_del_init(&dw->work.entry);
	base->nr_queued--;
	__update_next_expiry(base);
}

void workqueue_init(void)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct timer_base *base = &timer_bases[cpu];

		spin_lock_init_name(&base->lock, "timer_base->lock");
		base->lock.irqsafe = 1;
		CDS_INIT_LIST_HEAD(&base->list);
		base->running = NULL;
		base->nr_queued = 0;
		base->next_expiry = 0;
		base->next_expiry_ns = 0;
		__atomic_store_n(&base->softirq, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&base->run_seq, 0, __ATOMIC_RELAXED);
	}
}

/*
 * Machine shutdown, no CPU attached: work still queued is a bug of its
 * owner (its CPU-offline callback should have cancelled it).  The items
 * are dequeued and made idle, so that a live one can be queued again.
 */
void workqueue_exit(void)
{
	unsigned int left = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct timer_base *base = &timer_bases[cpu];
		unsigned long flags;

		spin_lock_irqsave(&base->lock, flags);
		while (!cds_list_empty(&base->list)) {
			struct delayed_work *dw = entry_to_dw(base->list.next);

			__dequeue(base, dw);
			__atomic_store_n(&dw->work.pending, __WORK_IDLE, __ATOMIC_RELEASE);
			left++;
		}
		spin_unlock_irqrestore(&base->lock, flags);
	}
	WARN(left, "workqueue: %u delayed work item%s still queued at shutdown\n",
	     left, left == 1 ? "" : "s");
}

int schedule_delayed_work_on(unsigned int cpu, struct delayed_work *dw,
			     unsigned long delay)
{
	struct work_struct *work = &dw->work;
	struct timer_base *base;
	unsigned long flags;
	int idle = __WORK_IDLE, old;

	if (WARN(cpu >= NR_CPUS || cpu >= READ_ONCE(machine.nr_cpus),
		 "schedule_delayed_work_on: CPU %u does not exist\n", cpu))
		return 0;
	local_irq_save(flags);
	/* Acquire: pairs with the release that made it idle (a cancel). */
	if (!__atomic_compare_exchange_n(&work->pending, &idle, __WORK_QUEUEING, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		local_irq_restore(flags);
		return 0;
	}
	old = READ_ONCE(dw->cpu);
	if (old >= 0 && (unsigned int)old != cpu) {
		base = &timer_bases[old];
		spin_lock(&base->lock);
		if (base->running == work)
			cpu = (unsigned int)old;	/* non-reentrant: stay */
		spin_unlock(&base->lock);
	}
	base = &timer_bases[cpu];
	spin_lock(&base->lock);
	WRITE_ONCE(dw->cpu, (int)cpu);
	dw->expires = jiffies + delay;
	__enqueue(base, dw);
	/* (under the lock: a cancel that sees QUEUED finds it linked) */
	__atomic_store_n(&work->pending, __WORK_QUEUED, __ATOMIC_RELAXED);
	spin_unlock(&base->lock);
	local_irq_restore(flags);
	return 1;
}

int schedule_delayed_work(struct delayed_work *dw, unsigned long delay)
{
	return schedule_delayed_work_on(smp_processor_id(), dw, delay);
}

/*
 * Make dw CANCELLING: dequeue it if queued.  Returns 1 if it was queued,
 * 0 if it was idle; waits out another claimer (QUEUEING is brief and
 * runs with interrupts off; CANCELLING is another cancel).
 */
static int grab_work(struct delayed_work *dw)
{
	struct work_struct *work = &dw->work;

	for (;;) {
		int st = __atomic_load_n(&work->pending, __ATOMIC_ACQUIRE);
		struct timer_base *base;
		unsigned long flags;
		int cpu, queued = 0;

		if (st == __WORK_IDLE) {
			/* Acquire: pairs with the release that made it idle. */
			if (__atomic_compare_exchange_n(&work->pending, &st, __WORK_CANCELLING,
							0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return 0;
			continue;
		}
		if (st == __WORK_QUEUED) {
			cpu = READ_ONCE(dw->cpu);
			base = &timer_bases[cpu];
			spin_lock_irqsave(&base->lock, flags);
			/* Still queued on that base (dw->cpu cannot change while
			 * QUEUED, and became cpu under this lock)? */
			if (__atomic_load_n(&work->pending, __ATOMIC_RELAXED) == __WORK_QUEUED &&
			    READ_ONCE(dw->cpu) == cpu) {
				__dequeue(base, dw);
				__atomic_store_n(&work->pending, __WORK_CANCELLING,
						 __ATOMIC_RELAXED);
				queued = 1;
			}
			spin_unlock_irqrestore(&base->lock, flags);
			if (queued)
				return 1;
			continue;
		}
		/* QUEUEING or CANCELLING: someone else's, for a moment */
		cpu_relax();
		sched_yield();
	}
}

/* dw is CANCELLING: wait until its function is not running. */
static void wait_work_idle(struct delayed_work *dw)
{
	struct work_struct *work = &dw->work;
	int cpu = READ_ONCE(dw->cpu);

	if (cpu < 0)
		return;		/* never queued, never ran */
	for (;;) {
		struct timer_base *base = &timer_bases[cpu];
		unsigned long flags;
		int running, seq;

		spin_lock_irqsave(&base->lock, flags);
		running = base->running == work;
		seq = __atomic_load_n(&base->run_seq, __ATOMIC_RELAXED);
		spin_unlock_irqrestore(&base->lock, flags);
		if (!running)
			return;
		if (WARN(current_work == work,
			 "cancel_delayed_work_sync() from the work's own function %p\n",
			 (void *)work->func))
			return;
		sched_sleep_slice(&base->run_seq, seq, 1000000);
	}
}

static int __cancel_delayed_work(struct delayed_work *dw, int sync)
{
	int ret = grab_work(dw);

	if (sync)
		wait_work_idle(dw);
	/* Release: the cancel happens before the next schedule's claim. */
	__atomic_store_n(&dw->work.pending, __WORK_IDLE, __ATOMIC_RELEASE);
	return ret;
}

int cancel_delayed_work_sync(struct delayed_work *dw)
{
	return __cancel_delayed_work(dw, 1);
}

int cancel_delayed_work(struct delayed_work *dw)
{
	return __cancel_delayed_work(dw, 0);
}

/*
 * Run the items of this CPU that are due.  Only as many as were due when
 * it started: an item that queues itself with no delay waits for the next
 * safe point instead of looping here.
 */
static void run_timers(unsigned int cpu)
{
	struct timer_base *base = &timer_bases[cpu];
	unsigned long now = jiffies, flags;
	struct cds_list_head *pos;
	unsigned int due = 0;

	spin_lock_irqsave(&base->lock, flags);
	cds_list_for_each(pos, &base->list) {
		if (time_after(entry_to_dw(pos)->expires, now))
			break;
		due++;
	}
	while (due-- && !cds_list_empty(&base->list)) {
		struct delayed_work *dw = entry_to_dw(base->list.next);
		struct work_struct *work = &dw->work;

		if (time_after(dw->expires, now))
			break;
		__dequeue(base, dw);
		/* it may queue itself again from its function */
		__atomic_store_n(&work->pending, __WORK_IDLE, __ATOMIC_RELEASE);
		base->running = work;
		spin_unlock_irqrestore(&base->lock, flags);

		current_work = work;
		work->func(work);
		current_work = NULL;

		spin_lock_irqsave(&base->lock, flags);
		base->running = NULL;
		/* Release: the run happens before a waiting cancel returns. */
		__atomic_store_n(&base->run_seq,
				 __atomic_load_n(&base->run_seq, __ATOMIC_RELAXED) + 1,
				 __ATOMIC_RELEASE);
		sched_wake_all(&base->run_seq);
	}
	spin_unlock_irqrestore(&base->lock, flags);
}

void cond_resched(void)
{
	int cpu = current->cpu;
	struct timer_base *base;
	unsigned int pending;

	if (cpu < 0)
		return;
	if (unlikely(in_atomic() || irqs_disabled())) {
		might_sleep();
		return;
	}
	watchdog_touch();
	base = &timer_bases[cpu];
	pending = READ_ONCE(base->softirq);
	if (likely(!pending) || in_safe_point)
		return;
	/* A timer not due yet (the coarse clock is never ahead) */
	if (pending == SOFTIRQ_TIMER &&
	    mm_clock_coarse_ns() + mm_clock_coarse_res_ns() < READ_ONCE(base->next_expiry_ns))
		return;
	in_safe_point = 1;
	if ((pending & SOFTIRQ_TIMER) &&
	    time_after_eq(jiffies, READ_ONCE(base->next_expiry)))
		run_timers((unsigned int)cpu);
	if (pending & SOFTIRQ_RCU)
		rcu_softirq((unsigned int)cpu);
	in_safe_point = 0;
}
