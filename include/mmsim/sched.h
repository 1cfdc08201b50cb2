/* SPDX-License-Identifier: MIT */
/*
 * mmsim/sched.h - time, sleeping and deferred work on the simulated machine.
 *
 * jiffies advance HZ times a second from the monotonic clock, hz_scale
 * times faster with the boot parameter hz_scale=N.  As in Linux they start
 * 300 s (of simulated time) before they wrap, so time_after() and friends
 * meet the wrap early: after 300/N real seconds.
 *
 * A CPU's deferred work (the kernel's per-CPU kworkers and softirqs:
 * delayed work such as SLAB's cache_reap, RCU callbacks) runs on the CPU's
 * own thread at its safe points: cond_resched(), which long-running CPU
 * code calls regularly.  Nothing runs the work of a CPU that no thread is
 * attached to: it waits for the CPU's next thread.
 *
 * A task sleeps with set_current_state() + schedule_timeout() (see
 * mmsim/wait.h for wait queues).  The sleep is real (the thread blocks),
 * but the thread still answers IPIs, so stop_machine() reaches a sleeping
 * CPU.  Sleeping in atomic context is reported by might_sleep() and refused.
 */
#ifndef MMSIM_SCHED_H
#define MMSIM_SCHED_H

#include <limits.h>
#include <mmsim/compiler.h>
#include <urcu/list.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HZ	250

/* Linux's: jiffies wrap 300 s after boot (64 bits: unsigned long wraps). */
#define INITIAL_JIFFIES		((unsigned long)(-300L * HZ))
#define MAX_JIFFY_OFFSET	((LONG_MAX >> 1) - 1)
#define MAX_SCHEDULE_TIMEOUT	LONG_MAX

unsigned long get_jiffies(void);
#define jiffies	(get_jiffies())

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)	time_after_eq(b, a)
#define time_in_range(a, b, c)	(time_after_eq(a, b) && time_before_eq(a, c))
#define time_is_before_jiffies(a)	time_after(jiffies, a)
#define time_is_after_jiffies(a)	time_before(jiffies, a)

/* Linux's conversions, HZ = 250: round up to whole jiffies. */
unsigned long msecs_to_jiffies(unsigned int m);
unsigned int jiffies_to_msecs(unsigned long j);
/* Host nanoseconds that j jiffies last, hz_scale=N included (saturating):
 * how long a 5*HZ timeout really waits. */
unsigned long long jiffies_to_host_ns(unsigned long j);
/* Round a relative timeout to a whole second, skewed 3 jiffies per CPU. */
unsigned long round_jiffies_relative(unsigned long j);
unsigned long __round_jiffies_relative(unsigned long j, int cpu);

/*
 * A safe point of the calling CPU: runs its due delayed work (process
 * context: interrupts on, preempt count 0), then its RCU callbacks whose
 * grace period is over.  Nothing due costs one relaxed load.  From an
 * unattached thread it does nothing; from atomic context it is reported
 * as a sleeping call and does nothing.
 */
void cond_resched(void);

/*
 * Task state, the kernel's current->state: the calling thread's own to
 * set, a waker's to set back to TASK_RUNNING (mmsim/wait.h).  There are
 * no signals, so TASK_INTERRUPTIBLE sleeps as TASK_UNINTERRUPTIBLE does.
 */
#define TASK_RUNNING		0x0000
#define TASK_INTERRUPTIBLE	0x0001
#define TASK_UNINTERRUPTIBLE	0x0002
#define TASK_NORMAL		(TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)

extern __thread int __mm_task_state;	/* atomic: its thread and wakers */

/* Relaxed: only the task itself looks (no waker can be racing). */
#define __set_current_state(s) \
	__atomic_store_n(&__mm_task_state, (s), __ATOMIC_RELAXED)
/* Sequentially consistent, as the kernel's smp_store_mb(): the state is
 * set before the caller tests its wait condition. */
#define set_current_state(s) \
	__atomic_store_n(&__mm_task_state, (s), __ATOMIC_SEQ_CST)

/*
 * Sleep until woken (state set back to TASK_RUNNING) or timeout jiffies
 * pass; returns the jiffies left (0: timed out), or MAX_SCHEDULE_TIMEOUT
 * for that timeout.  Returns at once if the state is TASK_RUNNING.  From
 * atomic context: reported (might_sleep()) and refused, returning 0.
 */
long schedule_timeout(long timeout);
long schedule_timeout_uninterruptible(long timeout);
long io_schedule_timeout(long timeout);

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

/* work->pending: the life cycle of a work item (numa/workqueue.c). */
enum {
	__WORK_IDLE,		/* not queued */
	__WORK_QUEUED,		/* on its CPU's timer list */
	__WORK_QUEUEING,	/* claimed by schedule_delayed_work_on() */
	__WORK_CANCELLING,	/* owned by cancel_delayed_work_sync() */
};

struct work_struct {
	work_func_t func;		/* read-only after INIT_DELAYED_WORK */
	struct cds_list_head entry;	/* on its CPU's timer list (its lock) */
	int pending;			/* atomic: __WORK_* */
};

struct delayed_work {
	struct work_struct work;
	unsigned long expires;		/* jiffies (its CPU's lock) */
	int cpu;			/* atomic: the CPU it is queued on or
					   last ran on, -1 if never queued */
};

#define INIT_DELAYED_WORK(dw, fn)					\
	do {								\
		(dw)->work.func = (fn);					\
		CDS_INIT_LIST_HEAD(&(dw)->work.entry);			\
		(dw)->work.pending = __WORK_IDLE;			\
		(dw)->expires = 0;					\
		(dw)->cpu = -1;						\
	} while (0)
/* No idle CPUs to spare here: deferrable work is ordinary work. */
#define INIT_DEFERRABLE_WORK(dw, fn)	INIT_DELAYED_WORK(dw, fn)

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

/* Queued (or being queued), as the kernel's delayed_work_pending(). */
static inline int delayed_work_pending(struct delayed_work *dw)
{
	int p = __atomic_load_n(&dw->work.pending, __ATOMIC_RELAXED);

	return p == __WORK_QUEUED || p == __WORK_QUEUEING;
}

/*
 * Queue dw to run on cpu's thread after delay jiffies: 1, or 0 if it was
 * already queued (or is being cancelled).  Any context, any thread.  A
 * work whose function is running is queued on the CPU running it, so that
 * it never runs on two CPUs at once (as Linux's non-reentrant workqueues).
 */
int schedule_delayed_work_on(unsigned int cpu, struct delayed_work *dw,
			     unsigned long delay);
/* The same on the calling CPU. */
int schedule_delayed_work(struct delayed_work *dw, unsigned long delay);
/*
 * Dequeue dw and wait for a run in progress: 1 if it was queued.  While
 * it waits, dw cannot be queued again (a work re-queueing itself is
 * refused), so it is idle on return.  Any thread, any context -- also a
 * CPU-offline callback (interrupts off) -- but not the work's own function
 * (WARN).  With interrupts off the wait cannot answer IPIs: the work must
 * not then wait for the caller's CPU (smp_call_function() to it).
 */
int cancel_delayed_work_sync(struct delayed_work *dw);
/* Dequeue dw without waiting for a run in progress: 1 if it was queued. */
int cancel_delayed_work(struct delayed_work *dw);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_SCHED_H */
