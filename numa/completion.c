// SPDX-License-Identifier: MIT
/*
 * numa/completion.c - struct completion (mmsim/completion.h) on a wait
 * queue.  No wake-up is lost for the wait queue's reason (numa/wait.c):
 * the completer makes done non-zero, then takes the queue's lock to wake;
 * a waiter queues itself and sets its state under that lock, then tests
 * done.
 */
#include <limits.h>

#include <mmsim/completion.h>

void init_completion(struct completion *x)
{
	__atomic_store_n(&x->done, 0, __ATOMIC_RELAXED);
	init_waitqueue_head(&x->wait);
}

void reinit_completion(struct completion *x)
{
	__atomic_store_n(&x->done, 0, __ATOMIC_RELAXED);
}

void complete(struct completion *x)
{
	unsigned int old = __atomic_load_n(&x->done, __ATOMIC_RELAXED);

	/* Release: what the completer did before is seen by the waiter. */
	do {
		if (old == UINT_MAX || old == UINT_MAX - 1)
			break;		/* completed for all, or saturated */
	} while (!__atomic_compare_exchange_n(&x->done, &old, old + 1, 0,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	__wake_up(&x->wait, TASK_NORMAL, 1, NULL);
}

void complete_all(struct completion *x)
{
	/* Release: as complete(). */
	__atomic_store_n(&x->done, UINT_MAX, __ATOMIC_RELEASE);
	__wake_up(&x->wait, TASK_NORMAL, 0, NULL);
}

int try_wait_for_completion(struct completion *x)
{
	/* Acquire: pairs with the release in complete()/complete_all(). */
	unsigned int old = __atomic_load_n(&x->done, __ATOMIC_ACQUIRE);

	do {
		if (!old)
			return 0;
		if (old == UINT_MAX)
			return 1;	/* complete_all(): nothing to consume */
	} while (!__atomic_compare_exchange_n(&x->done, &old, old - 1, 0,
					      __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE));
	return 1;
}

int completion_done(struct completion *x)
{
	return __atomic_load_n(&x->done, __ATOMIC_ACQUIRE) != 0;
}

static long do_wait_for_common(struct completion *x, long timeout)
{
	DEFINE_WAIT(wait);

	if (try_wait_for_completion(x))
		return timeout ? timeout : 1;
	if (might_sleep())
		return 0;		/* reported: atomic context */
	for (;;) {
		prepare_to_wait_exclusive(&x->wait, &wait, TASK_UNINTERRUPTIBLE);
		if (try_wait_for_completion(x)) {
			if (!timeout)
				timeout = 1;
			break;
		}
		if (!timeout)
			break;
		timeout = schedule_timeout(timeout);
	}
	finish_wait(&x->wait, &wait);
	return timeout;
}

void wait_for_completion(struct completion *x)
{
	do_wait_for_common(x, MAX_SCHEDULE_TIMEOUT);
}

unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
{
	if (timeout > MAX_SCHEDULE_TIMEOUT)
		timeout = MAX_SCHEDULE_TIMEOUT;
	return (unsigned long)do_wait_for_common(x, (long)timeout);
}
