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

void mutex_init_name(struct mutex *m, const char *name)
{
	__atomic_store_n(&m->val, 0, __ATOMIC_RELAXED);
	m->owner = 0;
	m->name = name;
}

static int self(void)
{
	task_init_current();
	return current->pid;
}

int mutex_trylock(struct mutex *m)
{
	int old = 0;

	/* Acquire: pairs with the release in mutex_unlock(). */
	if (!__atomic_compare_exchange_n(&m->val, &old, 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return 0;
	WRITE_ONCE(m->owner, self());
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
		if (current->cpu >= 0 && (atomic || !irqs_disabled()))
			generic_smp_call_function_interrupt();
	}
	hung_sleep_end();
	WRITE_ONCE(m->owner, self());
}

static noinline void mutex_lock_atomic(struct mutex *m)
{
	int holder;

	might_sleep();			/* reports the call */
	if (mutex_trylock(m))
		return;			/* free: nothing had to sleep */
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
		return;
	}
	for (int i = 0; i < MAX_REFUSED; i++) {
		if (!refused[i]) {
			refused[i] = m;
			break;
		}
	}
}

void mutex_lock(struct mutex *m)
{
	if (unlikely(in_atomic() || irqs_disabled())) {
		mutex_lock_atomic(m);
		return;
	}
	if (likely(mutex_trylock(m)))
		return;
	__mutex_wait(m, 0);
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
	WRITE_ONCE(m->owner, 0);
	/* Release: the critical section before the next holder's. */
	if (__atomic_exchange_n(&m->val, 0, __ATOMIC_RELEASE) == 2)
		syscall(SYS_futex, &m->val, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
