// SPDX-License-Identifier: MIT
/*
 * numa/wait.c - sleeping: task state, schedule_timeout() and wait queues.
 *
 *   __mm_task_state	per thread, atomic: the task's state.  The thread
 *			sets it (set_current_state(), prepare_to_wait()); a
 *			waker sets it back to TASK_RUNNING with a release
 *			store, under the wait queue's lock, and futex-wakes
 *			the thread.  The sleeper reads it with acquire.
 *   wq->lock		a three-state futex lock word (0 free, 1 held, 2
 *			held with sleepers), taken with interrupts off: a
 *			holder is never stopped by stop_machine(), and no IPI
 *			on the holder's CPU can find it taken.  Acquire on
 *			taking it, release on giving it back.
 *   wq->dep_map	lockdep's view of wq->lock (a class per init site).
 *   wq->head, entries	under wq->lock.  The list is written with
 *			WRITE_ONCE, so that waitqueue_active() may read
 *			head.next without the lock.
 *
 * No lost wake-up: the sleeper queues itself and sets its state under the
 * lock, then tests its condition; the waker makes the condition true,
 * then takes the lock to wake.  Either the waker's lock comes after the
 * sleeper's (it finds the entry and sets TASK_RUNNING, so the sleep ends
 * at once: the futex wait fails if the word changed), or before it (the
 * sleeper's lock then makes the condition visible to its test).  A waker
 * touches an entry and its task's state only under the lock, and
 * finish_wait() always takes the lock: once it returns, no waker is
 * still using the sleeper's stack or state.
 *
 * Lost wake-ups (struct wake_seq, wait.h): a waker W takes a ticket t
 * when it makes the condition true, calls wake_up() (its section WL under
 * the queue's lock), then publishes t in ws->done (release).  A sleeper S
 * queues its entry (section SQ under the lock), then reads since from
 * ws->made, sleeps, and in finish_wait_missed() (section SF under the
 * lock) reads ws->done (acquire) and whether a waker marked its entry
 * WQ_FLAG_WOKEN.  If S reads done >= t > since:
 *  - W's increment of made is not ordered before S's read of it (S would
 *    then read t or more), so SQ came before WL in the lock's order (WL
 *    before SQ would order the increment, which precedes WL, before the
 *    read, which follows SQ);
 *  - W's store of done is ordered after WL and S read it in SF, so WL
 *    came before SF (had SF come first, the read would be ordered before
 *    the store it read).
 * So WL ran with S's entry queued: a wake_up() there marks it
 * WQ_FLAG_WOKEN (woken_wake_function() marks it whatever the task's
 * state, so a sleeper that timed out just as it was woken counts as
 * woken), and an entry unmarked means W's wake-up never came.  A waker
 * whose WL falls after SF has not published t when SF reads done: the
 * legitimate race is never reported.
 *
 * A sleeping CPU blocks in slices of at most 1 ms and runs the IPIs queued
 * to it between slices (sched_sleep_slice()), as struct mutex does.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <mmsim/wait.h>
#include "machine.h"
#include "printk.h"
#include "spinlock.h"

#define SLEEP_SLICE_NS	1000000ULL

__thread int __mm_task_state = TASK_RUNNING;

void sched_sleep_slice(int *uaddr, int val, unsigned long long ns)
{
	struct timespec ts;

	if (ns > SLEEP_SLICE_NS)
		ns = SLEEP_SLICE_NS;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)ns;
	syscall(SYS_futex, uaddr, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
	watchdog_touch();
	if (current->cpu >= 0 && !irqs_disabled())
		generic_smp_call_function_interrupt();
}

void sched_wake_all(int *uaddr)
{
	syscall(SYS_futex, uaddr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

long schedule_timeout(long timeout)
{
	unsigned long expire = 0;
	int forever = timeout == MAX_SCHEDULE_TIMEOUT, hung;

	if (unlikely(might_sleep())) {
		__set_current_state(TASK_RUNNING);
		return 0;
	}
	if (!forever) {
		if (WARN(timeout < 0, "schedule_timeout: wrong timeout value %lx\n",
			 (unsigned long)timeout)) {
			__set_current_state(TASK_RUNNING);
			return 0;
		}
		expire = jiffies + (unsigned long)timeout;
	}
	/* the hung task detector watches a wait that only a waker can end */
	hung = forever && READ_ONCE(__mm_task_state) == TASK_UNINTERRUPTIBLE;
	if (hung)
		hung_sleep_begin();
	for (;;) {
		/* Acquire: pairs with the release in default_wake_function(). */
		int state = __atomic_load_n(&__mm_task_state, __ATOMIC_ACQUIRE);
		unsigned long long ns = SLEEP_SLICE_NS;

		if (state == TASK_RUNNING)
			break;
		if (!forever) {
			unsigned long now = jiffies;

			if (time_after_eq(now, expire))
				break;
			ns = jiffies_to_host_ns(expire - now);
		}
		sched_sleep_slice(&__mm_task_state, state, ns);
	}
	if (hung)
		hung_sleep_end();
	__set_current_state(TASK_RUNNING);
	if (forever)
		return MAX_SCHEDULE_TIMEOUT;
	timeout = (long)(expire - jiffies);
	return timeout < 0 ? 0 : timeout;
}

long schedule_timeout_uninterruptible(long timeout)
{
	__set_current_state(TASK_UNINTERRUPTIBLE);
	return schedule_timeout(timeout);
}

long io_schedule_timeout(long timeout)
{
	return schedule_timeout(timeout);
}

/* ------------------------------------------------------------------ */
/* The queue's lock                                                    */

/*
 * Wait for the queue's lock in slices, so that a lock never given back is
 * reported as a spinlock's is ("BUG: spinlock lockup suspected", with the
 * holder), after the same spin_lockup_ms.
 */
static noinline void wq_lock_contended(wait_queue_head_t *wq)
{
	struct timespec slice = { 0, 50 * 1000 * 1000 };
	unsigned long long bound = lock_word_lockup_ns(), waited;
	struct lockup_clock clock;
	int reported = 0;

	lockup_clock_start(&clock);
	/* Acquire: pairs with the release in wq_unlock(). */
	while (__atomic_exchange_n(&wq->lock, 2, __ATOMIC_ACQUIRE) != 0) {
		syscall(SYS_futex, &wq->lock, FUTEX_WAIT_PRIVATE, 2, &slice, NULL, 0);
		if (!reported && bound && (waited = lockup_clock_waited(&clock)) >= bound) {
			lock_word_lockup(wq->dep_map.name ? wq->dep_map.name : "wait queue",
					 READ_ONCE(wq->owner), READ_ONCE(wq->owner_cpu), NULL,
					 waited);
			reported = 1;
		}
	}
}

static void wq_lock(wait_queue_head_t *wq)
{
	int old = 0;

	if (lockdep_enabled())
		lock_acquire(&wq->dep_map, 0, 0, 0,
			     (unsigned long)__builtin_return_address(0));

	/* Acquire: pairs with the release in wq_unlock(). */
	if (unlikely(!__atomic_compare_exchange_n(&wq->lock, &old, 1, 0, __ATOMIC_ACQUIRE,
						  __ATOMIC_RELAXED)))
		wq_lock_contended(wq);
	task_init_current();
	WRITE_ONCE(wq->owner, current->pid);
	WRITE_ONCE(wq->owner_cpu, current->cpu);
}

static void wq_unlock(wait_queue_head_t *wq)
{
	if (lockdep_enabled())
		lock_release(&wq->dep_map, (unsigned long)__builtin_return_address(0));
	WRITE_ONCE(wq->owner, 0);
	/* Release: the critical section before the next holder's. */
	if (__atomic_exchange_n(&wq->lock, 0, __ATOMIC_RELEASE) == 2)
		syscall(SYS_futex, &wq->lock, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

#define wq_lock_irqsave(wq, flags) \
	do { local_irq_save(flags); wq_lock(wq); } while (0)
#define wq_unlock_irqrestore(wq, flags) \
	do { wq_unlock(wq); local_irq_restore(flags); } while (0)

/* List operations under the lock; WRITE_ONCE for waitqueue_active(). */
static void __wq_list_add(struct cds_list_head *new, struct cds_list_head *prev,
			  struct cds_list_head *next)
{
	WRITE_ONCE(next->prev, new);
	WRITE_ONCE(new->next, next);
	WRITE_ONCE(new->prev, prev);
	WRITE_ONCE(prev->next, new);
}

static void __wq_list_del_init(struct cds_list_head *e)
{
	WRITE_ONCE(e->next->prev, e->prev);
	WRITE_ONCE(e->prev->next, e->next);
	WRITE_ONCE(e->next, e);
	WRITE_ONCE(e->prev, e);
}

static int __wq_list_empty(struct cds_list_head *e)
{
	return READ_ONCE(e->next) == e;
}

void __init_waitqueue_head(wait_queue_head_t *wq_head, const char *name,
			   struct lock_class_key *key)
{
	__atomic_store_n(&wq_head->lock, 0, __ATOMIC_RELAXED);
	CDS_INIT_LIST_HEAD(&wq_head->head);
	lockdep_init_map(&wq_head->dep_map, name, key, 0);
}

/* Non-exclusive waiters go first, exclusive ones last: wake_up() wakes
 * all of the former before it counts the latter. */
static void __add_wait_queue(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry)
{
	__wq_list_add(&wq_entry->entry, &wq_head->head, wq_head->head.next);
}

static void __add_wait_queue_tail(wait_queue_head_t *wq_head,
				  struct wait_queue_entry *wq_entry)
{
	__wq_list_add(&wq_entry->entry, wq_head->head.prev, &wq_head->head);
}

void add_wait_queue(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry)
{
	unsigned long flags;

	wq_entry->flags &= ~WQ_FLAG_EXCLUSIVE;
	wq_lock_irqsave(wq_head, flags);
	__add_wait_queue(wq_head, wq_entry);
	wq_unlock_irqrestore(wq_head, flags);
}

void add_wait_queue_exclusive(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry)
{
	unsigned long flags;

	wq_entry->flags |= WQ_FLAG_EXCLUSIVE;
	wq_lock_irqsave(wq_head, flags);
	__add_wait_queue_tail(wq_head, wq_entry);
	wq_unlock_irqrestore(wq_head, flags);
}

void remove_wait_queue(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry)
{
	unsigned long flags;

	wq_lock_irqsave(wq_head, flags);
	if (!__wq_list_empty(&wq_entry->entry))
		__wq_list_del_init(&wq_entry->entry);
	wq_unlock_irqrestore(wq_head, flags);
}

void prepare_to_wait(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry,
		     int state)
{
	unsigned long flags;

	wq_lock_irqsave(wq_head, flags);
	wq_entry->flags &= ~WQ_FLAG_EXCLUSIVE;
	if (__wq_list_empty(&wq_entry->entry))
		__add_wait_queue(wq_head, wq_entry);
	set_current_state(state);
	wq_unlock_irqrestore(wq_head, flags);
}

void prepare_to_wait_exclusive(wait_queue_head_t *wq_head,
			       struct wait_queue_entry *wq_entry, int state)
{
	unsigned long flags;

	wq_lock_irqsave(wq_head, flags);
	wq_entry->flags |= WQ_FLAG_EXCLUSIVE;
	if (__wq_list_empty(&wq_entry->entry))
		__add_wait_queue_tail(wq_head, wq_entry);
	set_current_state(state);
	wq_unlock_irqrestore(wq_head, flags);
}

void finish_wait(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry)
{
	unsigned long flags;

	__set_current_state(TASK_RUNNING);
	/* Always under the lock (the kernel peeks with list_empty_careful()):
	 * a waker may be between its state store and its futex wake. */
	wq_lock_irqsave(wq_head, flags);
	if (!__wq_list_empty(&wq_entry->entry))
		__wq_list_del_init(&wq_entry->entry);
	wq_unlock_irqrestore(wq_head, flags);
}

/* try_to_wake_up(), under the queue's lock. */
int default_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			  int flags, void *key)
{
	int *state = wq_entry->private;

	(void)flags;
	(void)key;
	if (!((unsigned int)__atomic_load_n(state, __ATOMIC_RELAXED) & mode))
		return 0;
	/* Release: pairs with the sleeper's acquire in schedule_timeout(). */
	__atomic_store_n(state, TASK_RUNNING, __ATOMIC_RELEASE);
	syscall(SYS_futex, state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return 1;
}

int autoremove_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			     int flags, void *key)
{
	int ret = default_wake_function(wq_entry, mode, flags, key);

	if (ret)
		__wq_list_del_init(&wq_entry->entry);
	return ret;
}

/* Publish ticket: its wake_up() has returned (release, see the map). */
void wake_seq_done(struct wake_seq *ws, unsigned long ticket)
{
	unsigned long old = __atomic_load_n(&ws->done, __ATOMIC_RELAXED);

	while (ticket > old && !__atomic_compare_exchange_n(&ws->done, &old, ticket, 0,
							     __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

/* A waker reached the entry: marked, under the queue's lock, even if the
 * task runs already (its sleep just timed out); then as autoremove. */
int woken_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			int flags, void *key)
{
	wq_entry->flags |= WQ_FLAG_WOKEN;
	return autoremove_wake_function(wq_entry, mode, flags, key);
}

unsigned long finish_wait_missed(wait_queue_head_t *wq_head,
				 struct wait_queue_entry *wq_entry,
				 const struct wake_seq *ws, unsigned long since)
{
	unsigned long flags, done;
	int woken;

	__set_current_state(TASK_RUNNING);
	wq_lock_irqsave(wq_head, flags);
	if (!__wq_list_empty(&wq_entry->entry))
		__wq_list_del_init(&wq_entry->entry);
	woken = !!(wq_entry->flags & WQ_FLAG_WOKEN);
	/* Acquire: pairs with the release in wake_seq_done(); under the
	 * lock, so that a wake_up() after this section is not counted. */
	done = __atomic_load_n(&ws->done, __ATOMIC_ACQUIRE);
	wq_unlock_irqrestore(wq_head, flags);
	return !woken && done > since ? done - since : 0;
}

void __wake_up(wait_queue_head_t *wq_head, unsigned int mode, int nr_exclusive,
	       void *key)
{
	struct cds_list_head *pos, *next;
	unsigned long flags;

	wq_lock_irqsave(wq_head, flags);
	for (pos = wq_head->head.next; pos != &wq_head->head; pos = next) {
		struct wait_queue_entry *curr =
			container_of(pos, struct wait_queue_entry, entry);
		unsigned int wq_flags = curr->flags;
		int ret;

		next = pos->next;	/* the function may remove curr */
		ret = curr->func(curr, mode, 0, key);
		if (ret < 0)
			break;
		if (ret && (wq_flags & WQ_FLAG_EXCLUSIVE) && !--nr_exclusive)
			break;
	}
	wq_unlock_irqrestore(wq_head, flags);
}
