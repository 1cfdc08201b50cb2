/* SPDX-License-Identifier: MIT */
/*
 * mmsim/wait.h - wait queues, as the kernel's include/linux/wait.h.
 *
 * A sleeper puts an entry on the queue and sets its task state under the
 * queue's lock (prepare_to_wait()), tests its condition, and sleeps
 * (schedule_timeout()); a waker makes the condition true, then wake_up()
 * sets, under the same lock, the state of the queued tasks back to
 * TASK_RUNNING.  The lock orders the two, so no wake-up is lost:
 *
 *	DEFINE_WAIT(wait);
 *	for (;;) {
 *		prepare_to_wait(&wq, &wait, TASK_UNINTERRUPTIBLE);
 *		if (condition)
 *			break;
 *		timeout = schedule_timeout(timeout);
 *	}
 *	finish_wait(&wq, &wait);
 *
 * wake_up() wakes every non-exclusive waiter and one exclusive waiter
 * (prepare_to_wait_exclusive()); wake_up_all() wakes them all.
 *
 * The queue's lock is a lock word of its own (wait.c), taken with
 * interrupts off like every lock a CPU may block on; no caller takes it.
 */
#ifndef MMSIM_WAIT_H
#define MMSIM_WAIT_H

#include <mmsim/compiler.h>
#include <mmsim/lockdep.h>
#include <mmsim/machine.h>
#include <mmsim/sched.h>
#include <urcu/list.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WQ_FLAG_EXCLUSIVE	0x01
#define WQ_FLAG_WOKEN		0x02

struct wait_queue_entry;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry,
				 unsigned int mode, int flags, void *key);

/* C++: "private" is a keyword; the field is private_ there. */
#ifndef __cplusplus
#define __WQ_PRIVATE	private
#else
#define __WQ_PRIVATE	private_
#endif

struct wait_queue_entry {
	unsigned int flags;		/* WQ_FLAG_*: the queue's lock */
	void *__WQ_PRIVATE;		/* the sleeper's task state word */
	wait_queue_func_t func;		/* called by wakers, under the lock */
	struct cds_list_head entry;	/* on the queue: the queue's lock */
};
typedef struct wait_queue_entry wait_queue_entry_t;

struct wait_queue_head {
	int lock;			/* atomic: 0 free, 1 held, 2 contended */
	int owner, owner_cpu;		/* the holder's pid (0: free) and CPU:
					   written by it, read for a lockup
					   report (relaxed) */
	struct cds_list_head head;	/* entries: under lock; waitqueue_active()
					   reads head.next with READ_ONCE */
	struct lockdep_map dep_map;	/* lock's class: read-only after init */
};
typedef struct wait_queue_head wait_queue_head_t;

/* (keyed by its name: the head may be on a stack, as a completion's) */
#define __WAIT_QUEUE_HEAD_INITIALIZER(name)	\
	{ 0, 0, 0, CDS_LIST_HEAD_INIT((name).head), STATIC_LOCKDEP_MAP_INIT(#name, 0) }
#define DECLARE_WAIT_QUEUE_HEAD(name)		\
	wait_queue_head_t name = { 0, 0, 0, CDS_LIST_HEAD_INIT((name).head), \
				   STATIC_LOCKDEP_MAP_INIT(#name, &(name)) }

/* The lock's class is the call site, named by the expression (lockdep.h). */
void __init_waitqueue_head(wait_queue_head_t *wq_head, const char *name,
			   struct lock_class_key *key);
#define init_waitqueue_head(wq_head) do {				\
	static struct lock_class_key __key;				\
	__init_waitqueue_head((wq_head), #wq_head, &__key);		\
} while (0)

int default_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			  int flags, void *key);
int autoremove_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			     int flags, void *key);

/* An entry for the calling task, removed from the queue when it is woken. */
#define DEFINE_WAIT_FUNC(name, function)				\
	struct wait_queue_entry name = {				\
		0, &__mm_task_state, (function),			\
		CDS_LIST_HEAD_INIT((name).entry)			\
	}
#define DEFINE_WAIT(name)	DEFINE_WAIT_FUNC(name, autoremove_wake_function)

static inline void init_wait_entry(struct wait_queue_entry *wq_entry, int flags)
{
	wq_entry->flags = (unsigned int)flags;
	wq_entry->__WQ_PRIVATE = &__mm_task_state;
	wq_entry->func = autoremove_wake_function;
	CDS_INIT_LIST_HEAD(&wq_entry->entry);
}
#define init_wait(wait)		init_wait_entry((wait), 0)

/*
 * Someone waits: a racy hint, as in the kernel (a waker that tests it
 * without the queue's lock must order its condition store itself).
 */
static inline int waitqueue_active(wait_queue_head_t *wq_head)
{
	return __atomic_load_n(&wq_head->head.next, __ATOMIC_RELAXED) != &wq_head->head;
}

void add_wait_queue(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry);
void add_wait_queue_exclusive(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry);
void remove_wait_queue(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry);

/* Queue the entry (if it is not) and set the task state, under the lock. */
void prepare_to_wait(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry,
		     int state);
void prepare_to_wait_exclusive(wait_queue_head_t *wq_head,
			       struct wait_queue_entry *wq_entry, int state);
/* TASK_RUNNING again, and the entry off the queue (takes the lock). */
void finish_wait(wait_queue_head_t *wq_head, struct wait_queue_entry *wq_entry);

/*
 * Lost wake-up detection (the model's own; wait.c explains why it is
 * sound).  The wakers of a queue number each time they make its sleepers'
 * condition true, with a ticket from wake_seq_made() (under the lock that
 * guards the condition, or none), and once their wake_up() has returned
 * say so with wake_seq_done(ticket).  A sleeper queues an entry whose
 * function is woken_wake_function() (it marks the entry WQ_FLAG_WOKEN
 * under the queue's lock, even if the task already runs, then acts as
 * autoremove_wake_function()), reads since = wake_seq_read() after
 * prepare_to_wait(), and ends its sleep with finish_wait_missed(): 0 if a
 * waker reached its entry or no condition made true after `since` has had
 * its wake-up yet, else how many such tickets were done without reaching
 * it: wake-ups lost.  A waker whose wake_up() comes after the sleeper's
 * finish_wait_missed() (the sleeper timed out just before) is never
 * counted.
 */
struct wake_seq {
	unsigned long made;		/* tickets handed out: atomic, relaxed */
	unsigned long done;		/* the highest ticket whose wake_up()
					   returned: atomic max, release; read
					   with acquire under the queue's lock */
};

/* A ticket for a condition just made true (relaxed: see wait.c). */
static inline unsigned long wake_seq_made(struct wake_seq *ws)
{
	return __atomic_add_fetch(&ws->made, 1, __ATOMIC_RELAXED);
}

/* The last ticket handed out, for a sleeper after prepare_to_wait(). */
static inline unsigned long wake_seq_read(const struct wake_seq *ws)
{
	return __atomic_load_n(&ws->made, __ATOMIC_RELAXED);
}

void wake_seq_done(struct wake_seq *ws, unsigned long ticket);
int woken_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode,
			int flags, void *key);
/* finish_wait(), and the wake-ups that missed the entry (see above). */
unsigned long finish_wait_missed(wait_queue_head_t *wq_head,
				 struct wait_queue_entry *wq_entry,
				 const struct wake_seq *ws, unsigned long since);

/* Wake the non-exclusive waiters and nr_exclusive exclusive ones (0: all). */
void __wake_up(wait_queue_head_t *wq_head, unsigned int mode, int nr_exclusive,
	       void *key);
#define wake_up(x)		__wake_up(x, TASK_NORMAL, 1, NULL)
#define wake_up_nr(x, nr)	__wake_up(x, TASK_NORMAL, nr, NULL)
#define wake_up_all(x)		__wake_up(x, TASK_NORMAL, 0, NULL)

/* cond, or (true) the time is up: ___wait_cond_timeout() of the kernel. */
#define __wait_cond_timeout(condition, ret)				\
({									\
	int __wcond = !!(condition);					\
	if (__wcond && !(ret))						\
		(ret) = 1;						\
	__wcond || !(ret);						\
})

/*
 * Sleep until condition is true or timeout jiffies pass: 0 if it timed
 * out with the condition false, else the jiffies left (at least 1).  From
 * atomic context: reported by might_sleep() and, unless the condition is
 * already true, returns 0 without sleeping.
 */
#define wait_event_timeout(wq_head, condition, timeout)			\
({									\
	long __wq_ret = (timeout);					\
	int __wq_atomic = might_sleep();				\
	if (!__wait_cond_timeout(condition, __wq_ret)) {		\
		if (__wq_atomic) {					\
			__wq_ret = 0;					\
		} else {						\
			DEFINE_WAIT(__wq_entry);			\
			for (;;) {					\
				prepare_to_wait(&(wq_head), &__wq_entry,\
						TASK_UNINTERRUPTIBLE);	\
				if (__wait_cond_timeout(condition, __wq_ret)) \
					break;				\
				__wq_ret = schedule_timeout(__wq_ret);	\
			}						\
			finish_wait(&(wq_head), &__wq_entry);		\
		}							\
	}								\
	__wq_ret;							\
})

/* Sleep until condition is true (from atomic context: reported, no sleep). */
#define wait_event(wq_head, condition)					\
do {									\
	int __wq_atomic = might_sleep();				\
	if (!(condition) && !__wq_atomic) {				\
		DEFINE_WAIT(__wq_entry);				\
		for (;;) {						\
			prepare_to_wait(&(wq_head), &__wq_entry,	\
					TASK_UNINTERRUPTIBLE);		\
			if (condition)					\
				break;					\
			schedule_timeout(MAX_SCHEDULE_TIMEOUT);		\
		}							\
		finish_wait(&(wq_head), &__wq_entry);			\
	}								\
} while (0)

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_WAIT_H */
