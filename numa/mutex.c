// SPDX-License-Identifier: MIT
/*
 * numa/mutex.c - struct mutex (see mutex.h).
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mutex.h"

int mutex_trylock(struct mutex *m)
{
	int old = 0;

	/* Acquire: pairs with the release in mutex_unlock(). */
	return __atomic_compare_exchange_n(&m->val, &old, 1, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex *m)
{
	struct timespec nap = { 0, 1000 * 1000 };

	might_sleep();
	if (likely(mutex_trylock(m)))
		return;
	/* Acquire: pairs with the release in mutex_unlock(). */
	while (__atomic_exchange_n(&m->val, 2, __ATOMIC_ACQUIRE) != 0) {
		syscall(SYS_futex, &m->val, FUTEX_WAIT_PRIVATE, 2, &nap, NULL, 0);
		if (current->cpu >= 0 && !irqs_disabled())
			generic_smp_call_function_interrupt();
	}
}

void mutex_unlock(struct mutex *m)
{
	/* Release: the critical section before the next holder's. */
	if (__atomic_exchange_n(&m->val, 0, __ATOMIC_RELEASE) == 2)
		syscall(SYS_futex, &m->val, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
