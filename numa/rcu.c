// SPDX-License-Identifier: MIT
/*
 * numa/rcu.c - RCU for the simulated machine (mmsim/rcupdate.h), on
 * liburcu's urcu-memb flavour (through rcu_urcu.c: urcu's names clash
 * with the kernel's).
 *
 * Readers are urcu readers: every attached CPU thread is registered with
 * urcu from mm_cpu_attach() to mm_cpu_detach().  rcu_read_lock() also
 * disables preemption, as the kernel's non-preemptible RCU does, so that
 * might_sleep() reports a sleeping call inside a reader.
 *
 * Callbacks run on simulated CPUs, so that they may use the allocator:
 *
 *   call_rcu()	appends to the calling CPU's pending list.
 *   safe point	(cond_resched(); rcu_barrier(); detach; call_rcu() when
 *		pending reaches RCU_BATCH_MAX): the pending list becomes the
 *		CPU's batch, and the CPU's carrier goes to urcu's call_rcu().
 *		One batch per CPU is out at a time.
 *   grace period  urcu's call_rcu thread runs the carrier, which only
 *		marks the batch READY and raises SOFTIRQ_RCU on the CPU.
 *   safe point	the CPU takes the ready batch and, its lock dropped,
 *		invokes the callbacks in softirq context (RCU_SOFTIRQ's).
 *
 * Any CPU may take over another's pending list or ready batch under that
 * CPU's lock and invoke it (callbacks need a CPU, not a given one): that
 * is how rcu_barrier() reaches the callbacks of CPUs that are busy or
 * offline.  A CPU going offline first runs its own (rcu_cpu_flush()), but
 * what its CPU-offline callbacks queue waits for its next thread or the
 * next rcu_barrier().
 *
 * Who touches what:
 *   rc->lock	irq-safe spinlock_t: protects pend_*, batch, batch_nr,
 *		handed, completed, and the CPUs' transitions of state.
 *   rc->state	atomic, the batch's life cycle:
 *		  IDLE -> IN_FLIGHT	a CPU hands it to urcu (lock held;
 *					urcu gets it after the unlock)
 *		  IN_FLIGHT -> READY	the carrier (no lock: while IN_FLIGHT
 *					it is the only writer); release,
 *					paired with the acquire of the taker
 *		  READY -> INVOKING	a CPU takes the callbacks (lock)
 *		  INVOKING -> IDLE	that CPU, once all have run (lock);
 *					completed++
 *		Also the futex word that rcu_barrier()/flush sleep on.
 *   gp_requested, gp_done  atomic tickets of synchronize_rcu(): see
 *		rcu_gp_thread().
 *   rcu_depth	per thread: read-side nesting, the thread's own.
 *
 * TSan does not see liburcu (not instrumented), so it is told what a grace
 * period orders: rcu_read_unlock() releases on rcu_gp_sync; whatever
 * follows a grace period (synchronize_rcu()'s return, invoking callbacks)
 * acquires it.  Every read-side section is thus ordered before every later
 * grace period's end, which is more than RCU promises (it cannot hide a
 * race on data no reader touches) and never less.
 *
 * Grace periods: a batch waits for urcu's call_rcu thread, which gathers
 * callbacks for about 10 ms before each grace period.  synchronize_rcu()
 * on a CPU asks the grace-period thread here (rcu_gp_thread()), which runs
 * urcu's synchronize_rcu() for every request taken before it started: a
 * grace period's latency (tens of microseconds), shared.  A CPU never
 * blocks inside liburcu: it waits in 1 ms slices and answers IPIs in
 * between, so stop_machine() reaches a CPU in synchronize_rcu() or
 * rcu_barrier() (an unattached thread's synchronize_rcu() is urcu's own,
 * blocking).  A CPU that stop_machine() stops inside a reader holds every
 * grace period until it is released, so never wait for one inside a
 * stop_machine() function.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mmsim/rcupdate.h>
#include <mmsim/sched.h>

#include "lockdep.h"
#include "machine.h"
#include <mmsim/mutex.h>
#include "printk.h"
#include "rcu.h"
#include "rcu_urcu.h"
#include "spinlock.h"

/* TSan's sync object for "a grace period has passed". */
static char rcu_gp_sync;

#define RCU_BATCH_MAX	1000		/* pending callbacks that start a batch */
#define RCU_WAIT_NS	1000000ULL	/* a waiting CPU's sleep slice */

enum { RCU_IDLE, RCU_IN_FLIGHT, RCU_READY, RCU_INVOKING };

struct rcu_cpu {
	spinlock_t lock;
	struct rcu_head *pend_head;	/* FIFO of callbacks with no batch yet */
	struct rcu_head **pend_tail;
	unsigned long pend_nr;
	struct rcu_head *batch;		/* the batch out (IN_FLIGHT, READY) */
	unsigned long batch_nr;
	struct rcu_head *invoking;	/* the batch taken (INVOKING) until its
					   invocation starts (rcu_for_each_queued()):
					   set under lock, cleared by the taker */
	int state;			/* atomic: RCU_* */
	unsigned long handed;		/* batches handed to urcu */
	unsigned long completed;	/* batches whose callbacks have all run */
} ____cacheline_aligned;

static struct rcu_cpu rcu_cpus[NR_CPUS];
static DEFINE_MUTEX(rcu_barrier_mutex);
static unsigned long barrier_target[NR_CPUS];	/* rcu_barrier_mutex */
/* the callbacks rcu_barrier() took, until their invocation starts */
static struct rcu_head *barrier_taken;		/* rcu_barrier_mutex */
static __thread int rcu_depth;
static __thread int rcu_registered;		/* with urcu, as a reader */
static pthread_key_t rcu_exit_key;
static pthread_once_t rcu_exit_key_once = PTHREAD_ONCE_INIT;

static unsigned int gp_requested;	/* atomic: synchronize_rcu() tickets */
static unsigned int gp_done;		/* atomic: tickets served */
static pid_t gp_thread_pid;		/* the process it runs in: gp_start_lock */
static pthread_mutex_t gp_start_lock = PTHREAD_MUTEX_INITIALIZER;

static inline int rcu_state(struct rcu_cpu *rc)
{
	return __atomic_load_n(&rc->state, __ATOMIC_RELAXED);
}

/*
 * The grace-period thread, a host thread (not a CPU) for the life of the
 * process: synchronize_rcu() for the CPUs.  A CPU takes a ticket
 * (gp_requested, release: its updates happen before what serves it) and
 * sleeps until gp_done reaches it.  The thread reads gp_requested
 * (acquire) before it starts urcu's synchronize_rcu(), so that grace
 * period began after every ticket it read, and publishes gp_done
 * (release) when it ends.  gp_requested is its futex word, gp_done the
 * waiters'.
 */
static void *rcu_gp_thread(void *arg)
{
	(void)arg;
	for (;;) {
		/* Acquire: pairs with the release in synchronize_rcu(). */
		unsigned int want = __atomic_load_n(&gp_requested, __ATOMIC_ACQUIRE);

		if (want == __atomic_load_n(&gp_done, __ATOMIC_RELAXED)) {
			syscall(SYS_futex, &gp_requested, FUTEX_WAIT_PRIVATE, want, NULL, NULL, 0);
			continue;
		}
		mm_urcu_synchronize();
		/* Release: pairs with the acquire in synchronize_rcu(). */
		__atomic_store_n(&gp_done, want, __ATOMIC_RELEASE);
		sched_wake_all((int *)&gp_done);
	}
	return NULL;
}

/*
 * The first synchronize_rcu() of a process starts it (a child of fork()
 * has none).  Lazily, so that a process that never waits for a grace
 * period starts no thread: TSan does not let the child of a multi-threaded
 * process start threads, and the tests fork to check panic_on_warn.
 */
static void rcu_gp_thread_start(void)
{
	pthread_attr_t attr;
	unsigned long flags;
	pthread_t tid;

	if (__atomic_load_n(&gp_thread_pid, __ATOMIC_ACQUIRE) == getpid())
		return;
	/* interrupts off: a holder is never stopped by stop_machine() */
	local_irq_save(flags);
	pthread_mutex_lock(&gp_start_lock);
	if (gp_thread_pid != getpid()) {
		/* Release: the thread exists for whoever sees the pid. */
		__atomic_store_n(&gp_thread_pid, getpid(), __ATOMIC_RELEASE);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&tid, &attr, rcu_gp_thread, NULL))
			panic("rcu: cannot start the grace-period thread\n");
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_unlock(&gp_start_lock);
	local_irq_restore(flags);
}

void rcu_init(void)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct rcu_cpu *rc = &rcu_cpus[cpu];

		spin_lock_init_name(&rc->lock, "rcu_cpu->lock");
		rc->lock.irqsafe = 1;
		rc->pend_head = NULL;
		rc->pend_tail = &rc->pend_head;
		rc->pend_nr = 0;
		rc->batch = NULL;
		rc->batch_nr = 0;
		__atomic_store_n(&rc->state, RCU_IDLE, __ATOMIC_RELAXED);
		rc->handed = 0;
		rc->completed = 0;
	}
	mm_urcu_init();
}

/*
 * Machine shutdown, every CPU detached: wait for the carriers still out,
 * then warn about callbacks that never ran (the mm layer runs
 * rcu_barrier() before it shuts down, so there should be none).  Their
 * rcu_heads are not touched: their memory may be gone.
 */
void rcu_exit(void)
{
	unsigned long left = 0;
	int out = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		out |= rcu_state(&rcu_cpus[cpu]) == RCU_IN_FLIGHT;
	if (out)
		mm_urcu_barrier();
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct rcu_cpu *rc = &rcu_cpus[cpu];
		unsigned long flags;

		spin_lock_irqsave(&rc->lock, flags);
		left += rc->pend_nr;
		if (rcu_state(rc) != RCU_IDLE)
			left += rc->batch_nr;
		spin_unlock_irqrestore(&rc->lock, flags);
	}
	WARN(left, "rcu: %lu callback%s never invoked at shutdown (no rcu_barrier()?)\n",
	     left, left == 1 ? "" : "s");
}

/* ------------------------------------------------------------------ */
/* Readers                                                             */

void rcu_read_lock(void)
{
	if (unlikely(!caller_is_cpu("rcu_read_lock")))
		return;
	preempt_disable();
	rcu_depth++;
	mm_urcu_read_lock();
	/* lockdep: held (for the checks of sleeping), never ordered */
	if (lockdep_enabled())
		lock_acquire_nocheck(&rcu_lock_map, 2,
				     (unsigned long)__builtin_return_address(0));
}

void rcu_read_unlock(void)
{
	if (unlikely(current->cpu < 0))
		return;		/* its rcu_read_lock() was refused */
	if (WARN(rcu_depth <= 0, "rcu_read_unlock() without rcu_read_lock()\n"))
		return;
	if (lockdep_enabled())
		lock_release(&rcu_lock_map, (unsigned long)__builtin_return_address(0));
	/* What this reader did happens before the end of any grace period
	 * that had to wait for it. */
	tsan_release(&rcu_gp_sync);
	mm_urcu_read_unlock();
	rcu_depth--;
	preempt_enable();
}

int rcu_read_lock_held(void)
{
	return rcu_depth > 0;
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */

/* Under rc->lock: hand the pending list to urcu if no batch is out.
 * 1: the caller calls mm_urcu_call_batch() once it has dropped the lock. */
static int __rcu_start_batch(struct rcu_cpu *rc)
{
	if (!rc->pend_head || rcu_state(rc) != RCU_IDLE)
		return 0;
	rc->batch = rc->pend_head;
	rc->batch_nr = rc->pend_nr;
	rc->pend_head = NULL;
	rc->pend_tail = &rc->pend_head;
	rc->pend_nr = 0;
	rc->handed++;
	__atomic_store_n(&rc->state, RCU_IN_FLIGHT, __ATOMIC_RELAXED);
	return 1;
}

/* Under rc->lock: take the batch whose grace period is over, if any. */
static struct rcu_head *__rcu_take_ready(struct rcu_cpu *rc)
{
	struct rcu_head *list;

	/* Acquire: pairs with the carrier's release in rcu_batch_gp_done(). */
	if (__atomic_load_n(&rc->state, __ATOMIC_ACQUIRE) != RCU_READY)
		return NULL;
	list = rc->batch;
	rc->batch = NULL;
	rc->batch_nr = 0;
	rc->invoking = list;
	__atomic_store_n(&rc->state, RCU_INVOKING, __ATOMIC_RELAXED);
	return list;
}

/* kfree_rcu()'s end (numa/rcu.h): set at boot, read-only after. */
static rcu_kfree_offset_t rcu_kfree_offset;

void rcu_set_kfree_offset(rcu_kfree_offset_t fn)
{
	rcu_kfree_offset = fn;
}

/* Run callbacks whose grace period is over: softirq context, as the
 * kernel's RCU_SOFTIRQ (they may allocate GFP_ATOMIC, never sleep).  A
 * "callback" below RCU_KFREE_OFFSET_MAX is kfree_rcu()'s offset. */
/*
 * Invoke a list; *owner, where it stayed findable until now, is cleared
 * once nothing can stop this CPU before the list is consumed (softirq
 * context: stop_machine() waits for local_bh_enable()).
 */
static void rcu_invoke_list(struct rcu_head *list, struct rcu_head **owner)
{
	tsan_acquire(&rcu_gp_sync);
	local_bh_disable();
	WRITE_ONCE(*owner, NULL);
	while (list) {
		struct rcu_head *next = list->next;
		unsigned long offset = (unsigned long)(uintptr_t)list->func;

		if (offset < RCU_KFREE_OFFSET_MAX)
			rcu_kfree_offset(list, offset);
		else
			list->func(list);
		list = next;
	}
	local_bh_enable();	/* runs the IPIs that came meanwhile */
}

/* Invoke CPU cpu's batch taken with __rcu_take_ready(), then let the
 * CPU's pending callbacks go out as its next batch. */
static void rcu_invoke_batch(struct rcu_cpu *rc, unsigned int cpu, struct rcu_head *list)
{
	unsigned long flags;
	int start;

	rcu_invoke_list(list, &rc->invoking);
	spin_lock_irqsave(&rc->lock, flags);
	rc->completed++;
	__atomic_store_n(&rc->state, RCU_IDLE, __ATOMIC_RELAXED);
	start = __rcu_start_batch(rc);
	spin_unlock_irqrestore(&rc->lock, flags);
	if (start)
		mm_urcu_call_batch(cpu);
	sched_wake_all(&rc->state);
}

/* urcu's call_rcu thread, after the grace period of CPU cpu's batch. */
void rcu_batch_gp_done(unsigned int cpu)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu];

	/* Release: pairs with the acquire in __rcu_take_ready(). */
	__atomic_store_n(&rc->state, RCU_READY, __ATOMIC_RELEASE);
	raise_softirq_on(cpu, SOFTIRQ_RCU);
	sched_wake_all(&rc->state);
}

/*
 * Every callback queued and not invoked yet, fn(head, arg) each: the
 * pending lists, the batches out, a batch taken whose invocation has not
 * started, what rcu_barrier() took.  Only with every CPU stopped
 * (stop_machine(): no list is half-linked, its holders run with
 * interrupts off, and invocation runs in softirq context).
 */
void rcu_for_each_queued(void (*fn)(struct rcu_head *head, void *arg), void *arg)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct rcu_cpu *rc = &rcu_cpus[cpu];
		int state = rcu_state((struct rcu_cpu *)rc);

		for (struct rcu_head *h = rc->pend_head; h; h = h->next)
			fn(h, arg);
		if (state == RCU_IN_FLIGHT || state == RCU_READY)
			for (struct rcu_head *h = rc->batch; h; h = h->next)
				fn(h, arg);
		for (struct rcu_head *h = READ_ONCE(rc->invoking); h; h = h->next)
			fn(h, arg);
	}
	for (struct rcu_head *h = barrier_taken; h; h = h->next)
		fn(h, arg);
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	int cpu = current->cpu, start = 0;
	struct rcu_cpu *rc;
	unsigned long flags;

	if (unlikely(!caller_is_cpu("call_rcu")))
		return;
	rc = &rcu_cpus[cpu];
	head->func = func;
	head->next = NULL;
	spin_lock_irqsave(&rc->lock, flags);
	*rc->pend_tail = head;
	rc->pend_tail = &head->next;
	rc->pend_nr++;
	if (rcu_state(rc) == RCU_IDLE) {
		/* (else the batch out starts the next one when it is done) */
		if (rc->pend_nr >= RCU_BATCH_MAX)
			start = __rcu_start_batch(rc);
		else
			raise_softirq_on((unsigned int)cpu, SOFTIRQ_RCU);
	}
	spin_unlock_irqrestore(&rc->lock, flags);
	if (start)
		mm_urcu_call_batch((unsigned int)cpu);
}

/* cond_resched() on CPU cpu: invoke its ready batch, send out the next. */
void rcu_softirq(unsigned int cpu)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu];
	struct rcu_head *list;
	unsigned long flags;
	int start;

	clear_softirq_on(cpu, SOFTIRQ_RCU);
	spin_lock_irqsave(&rc->lock, flags);
	list = __rcu_take_ready(rc);
	start = __rcu_start_batch(rc);
	spin_unlock_irqrestore(&rc->lock, flags);
	if (start)
		mm_urcu_call_batch(cpu);
	if (list)
		rcu_invoke_batch(rc, cpu, list);
}

/*
 * Wait until CPU cpu has completed batch number `target`, or has nothing
 * left at all; meanwhile invoke its ready batch here and send out its
 * pending callbacks.  Sleeps in slices, answering IPIs.
 */
static void rcu_wait_cpu(unsigned int cpu, unsigned long target)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu];

	for (;;) {
		struct rcu_head *list = NULL;
		unsigned long flags;
		int state, done, start = 0;

		spin_lock_irqsave(&rc->lock, flags);
		state = rcu_state(rc);
		done = (long)(rc->completed - target) >= 0 ||
		       (state == RCU_IDLE && !rc->pend_head);
		if (!done) {
			list = __rcu_take_ready(rc);
			start = __rcu_start_batch(rc);
		}
		spin_unlock_irqrestore(&rc->lock, flags);
		if (done)
			return;
		if (start)
			mm_urcu_call_batch(cpu);
		if (list)
			rcu_invoke_batch(rc, cpu, list);
		else if (!start)
			sched_sleep_slice(&rc->state, state, RCU_WAIT_NS);
	}
}

void synchronize_rcu(void)
{
	unsigned int ticket, done;

	if (lockdep_enabled() && lock_is_held(&rcu_lock_map))
		lockdep_rcu_suspicious(__FILE__, __LINE__,
			"Illegal synchronize_rcu() in RCU read-side critical section");
	if (unlikely(might_sleep()))
		return;
	if (current->cpu < 0) {
		mm_urcu_synchronize();
		tsan_acquire(&rcu_gp_sync);
		return;
	}
	rcu_gp_thread_start();
	/* Release: pairs with the grace-period thread's acquire. */
	ticket = __atomic_add_fetch(&gp_requested, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &gp_requested, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	hung_sleep_begin();
	for (;;) {
		/* Acquire: pairs with the release in rcu_gp_thread(). */
		done = __atomic_load_n(&gp_done, __ATOMIC_ACQUIRE);
		if ((int)(done - ticket) >= 0)
			break;
		sched_sleep_slice((int *)&gp_done, (int)done, RCU_WAIT_NS);
	}
	hung_sleep_end();
	tsan_acquire(&rcu_gp_sync);
}

/*
 * Every callback queued before, on any CPU, has run when it returns.  It
 * takes every pending list (their callbacks wait for one grace period
 * here), waits for each CPU's batch out to complete (invoking it here if
 * it is ready), then invokes what it took.  One at a time: a second
 * barrier must not return while the first still holds callbacks.
 */
void rcu_barrier(void)
{
	struct rcu_head *taken = NULL, **tail = &taken;
	unsigned int n = READ_ONCE(machine.nr_cpus);

	if (unlikely(!caller_is_cpu("rcu_barrier")))
		return;
	if (unlikely(might_sleep()))
		return;
	mutex_lock(&rcu_barrier_mutex);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		struct rcu_cpu *rc = &rcu_cpus[cpu];
		unsigned long flags;

		spin_lock_irqsave(&rc->lock, flags);
		if (rc->pend_head) {
			*tail = rc->pend_head;
			tail = rc->pend_tail;
			rc->pend_head = NULL;
			rc->pend_tail = &rc->pend_head;
			rc->pend_nr = 0;
		}
		barrier_target[cpu] = rc->handed;
		spin_unlock_irqrestore(&rc->lock, flags);
	}
	barrier_taken = taken;
	if (taken)
		synchronize_rcu();
	for (unsigned int cpu = 0; cpu < n; cpu++)
		rcu_wait_cpu(cpu, barrier_target[cpu]);
	if (taken)
		rcu_invoke_list(taken, &barrier_taken);
	mutex_unlock(&rcu_barrier_mutex);
}

/* ------------------------------------------------------------------ */
/* CPUs coming and going                                               */

/*
 * A thread that ends while attached (a bug of its own) must still leave
 * urcu's registry, or every later grace period would look at its dead
 * reader state.
 */
static void rcu_thread_exit(void *arg)
{
	(void)arg;
	if (rcu_registered) {
		while (rcu_depth--)
			mm_urcu_read_unlock();
		mm_urcu_unregister_thread();
		rcu_registered = 0;
	}
}

static void rcu_exit_key_init(void)
{
	pthread_key_create(&rcu_exit_key, rcu_thread_exit);
}

/* mm_cpu_attach(), before the CPU takes IPIs: a reader from now on; what
 * its previous thread left is done at its first safe point. */
void rcu_cpu_attach(unsigned int cpu)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu];
	unsigned long flags;
	int work;

	pthread_once(&rcu_exit_key_once, rcu_exit_key_init);
	if (!rcu_registered) {
		mm_urcu_register_thread();
		rcu_registered = 1;
		pthread_setspecific(rcu_exit_key, &rcu_registered);
	}
	rcu_depth = 0;
	spin_lock_irqsave(&rc->lock, flags);
	work = rc->pend_head || rcu_state(rc) == RCU_READY;
	spin_unlock_irqrestore(&rc->lock, flags);
	if (work)
		raise_softirq_on(cpu, SOFTIRQ_RCU);
}

/* mm_cpu_detach(), still fully a CPU: run this CPU's callbacks (the batch
 * out and the pending ones), since an offline CPU runs nothing. */
void rcu_cpu_flush(unsigned int cpu)
{
	struct rcu_cpu *rc = &rcu_cpus[cpu];
	unsigned long flags, target;
	int start;

	if (in_atomic() || irqs_disabled())
		return;		/* cannot wait: rcu_barrier() will find them */
	spin_lock_irqsave(&rc->lock, flags);
	target = rc->handed + (rc->pend_head ? 1 : 0);
	start = __rcu_start_batch(rc);
	spin_unlock_irqrestore(&rc->lock, flags);
	if (start)
		mm_urcu_call_batch(cpu);
	rcu_wait_cpu(cpu, target);
}

/* mm_cpu_detach(), no IPIs any more: no longer a reader. */
void rcu_cpu_detach(unsigned int cpu)
{
	(void)cpu;
	if (WARN(rcu_depth, "CPU %u detached inside an RCU read-side section\n", cpu)) {
		while (rcu_depth) {
			mm_urcu_read_unlock();
			rcu_depth--;
			preempt_enable();
		}
	}
	if (rcu_registered) {
		mm_urcu_unregister_thread();
		rcu_registered = 0;
	}
}
