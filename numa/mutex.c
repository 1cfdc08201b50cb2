// SPDX-License-Identifier: MIT
/*
 * numa/mutex.c - struct mutex (mmsim/mutex.h, where the protocol and the
 * handling of misuse are described).
 *
 *   refused[]	per thread: the mutexes whose mutex_lock() this thread made
 *		in interrupt context and that were refused; their
 *		mutex_unlock() is ignored (the thread's own).
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <mmsim/mutex.h>
#include "machine.h"
#include "printk.h"

#define MAX_REFUSED	8
static __thread struct mutex *refused[MAX_REFUSED];

void __mutex_init(struct mutex *m, const char *name, const char *class_name,
		  struct lock_class_key *key)
{
	__atomic_store_n(&m->val, 0, __ATOMIC_RELAXED);
	m->owner = 0;
	m->name = name;
	lockdep_init_map(&m->dep_map, class_name, key, 0);
}

static int self(void)
{
	task_init_current();
	return current->pid;
}

static int __mutex_trylock(struct mutex *m)
{
	int old = 0;

	/* Acquire: pairs with the release in mutex_unlock(). */
	if (!__atomic_compare_exchange_n(&m->val, &old, 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return 0;
	WRITE_ONCE(m->owner, self());
	return 1;
}

int mutex_trylock(struct mutex *m)
{
	if (!__mutex_trylock(m))
		return 0;
	if (lockdep_enabled())
		lock_acquire(&m->dep_map, 0, 1, 0,
			     (unsigned long)__builtin_return_address(0));
	return 1;
}

/*
 * Wait for the lock.  A CPU runs its IPIs between sleeps: with interrupts
 * on, or when it sleeps in atomic context (as the kernel's schedule()
 * lets interrupts in).
 */
static void __mutex_wait(struct mutex *m, int atomic)
{
	struct timespec nap = { 0, 1000 * 1000 };

	hung_sleep_begin();
	/* Acquire: pairs with the release in mutex_unlock(). */
	while (__atomic_exchange_n(&m->val, 2, __ATOMIC_ACQUIRE) != 0) {
		syscall(SYS_futex, &m->val, FUTEX_WAIT_PRIVATE, 2, &nap, NULL, 0);
		watchdog_touch();	/* asleep, not stuck: the hung task's case */
		if (current->cpu >= 0 && (atomic || !irqs_disabled()))
			generic_smp_call_function_interrupt();
	}
	hung_sleep_end();
	WRITE_ONCE(m->owner, self());
}

/* 1: the mutex is the caller's, 0: refused. */
static noinline int mutex_lock_atomic(struct mutex *m)
{
	int holder;

	might_sleep();			/* reports the call */
	if (__mutex_trylock(m))
		return 1;		/* free: nothing had to sleep */
	holder = READ_ONCE(m->owner);
	report_begin(REPORT_BUG);
	printk("BUG: scheduling while atomic: %s/%d/0x%08x\n", current->comm,
	       current->pid, READ_ONCE(current->preempt_count));
	if (in_interrupt()) {
		printk("mutex_lock(%s): held by thread %d, and nothing sleeps in "
		       "interrupt context: refused; the caller goes on without it\n",
		       m->name, holder);
	} else {
		printk("mutex_lock(%s): held by thread %d: sleeping for it with "
		       "interrupts let in, as schedule() would\n", m->name, holder);
	}
	report_end(REPORT_BUG, -1);
	if (!in_interrupt()) {
		__mutex_wait(m, 1);
		return 1;
	}
	for (int i = 0; i < MAX_REFUSED; i++) {
		if (!refused[i]) {
			refused[i] = m;
			break;
		}
	}
	return 0;
}

static void __mutex_lock(struct mutex *m, unsigned int subclass, unsigned long ip)
{
	/*
	 * Atomic context: mutex_lock_atomic() reports the misuse; lockdep
	 * is told only once the mutex is the caller's, as of a trylock, so
	 * that a refused lock is never on its stack and the misuse is
	 * reported once.
	 */
	if (unlikely(in_atomic() || irqs_disabled())) {
		if (mutex_lock_atomic(m) && lockdep_enabled())
			lock_acquire(&m->dep_map, subclass, 1, 0, ip);
		return;
	}
	/* lockdep checks the acquire before the lock is taken */
	if (lockdep_enabled()) {
		lock_acquire(&m->dep_map, subclass, 0, 0, ip);
		if (current->spin_depth > 0)
			might_sleep();	/* reports the spinlocks held */
	}
	if (likely(__mutex_trylock(m)))
		return;
	__mutex_wait(m, 0);
}

void mutex_lock(struct mutex *m)
{
	__mutex_lock(m, 0, (unsigned long)__builtin_return_address(0));
}

void mutex_lock_nested(struct mutex *m, unsigned int subclass)
{
	__mutex_lock(m, subclass, (unsigned long)__builtin_return_address(0));
}

void mutex_unlock(struct mutex *m)
{
	int me = self();

	if (unlikely(READ_ONCE(m->owner) != me)) {
		for (int i = 0; i < MAX_REFUSED; i++) {
			if (refused[i] == m) {
				refused[i] = NULL;	/* its lock was refused */
				return;
			}
		}
		WARN(1, "DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current): "
		     "mutex %s is held by thread %d, not %s/%d: unlock refused\n",
		     m->name, READ_ONCE(m->owner), current->comm, me);
		return;
	}
	if (lockdep_enabled())
		lock_release(&m->dep_map, (unsigned long)__builtin_return_address(0));
	WRITE_ONCE(m->owner, 0);
	/* Release: the critical section before the next holder's. */
	if (__atomic_exchange_n(&m->val, 0, __ATOMIC_RELEASE) == 2)
		syscall(SYS_futex, &m->val, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
