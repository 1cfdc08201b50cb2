/* SPDX-License-Identifier: MIT */
/*
 * numa/mutex.h - the kernel's struct mutex: a sleeping lock for process
 * context (might_sleep(): never in atomic context).
 *
 * A waiter sleeps on the lock word with a short futex timeout and, being a
 * CPU, runs the IPIs queued to it in between: so a CPU waiting for a
 * mutex whose holder stop_machine() has stopped still reaches the
 * rendezvous itself (it does not rely on a signal interrupting its wait).
 * Lock word: 0 free, 1 held, 2 held with waiters; acquire on taking it,
 * release on giving it back.
 */
#ifndef NUMA_MUTEX_H
#define NUMA_MUTEX_H

#include <mmsim/machine.h>

struct mutex {
	int val;		/* atomic */
	const char *name;	/* read-only */
};

#define DEFINE_MUTEX(m) struct mutex m = { 0, #m }

void mutex_lock(struct mutex *m);
int mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

#endif /* NUMA_MUTEX_H */
