/* SPDX-License-Identifier: MIT */
/*
 * numa/spinlock.h - spinlock_t (mmsim/spinlock.h, where the operations and
 * their ordering are described) and what the library adds for its own
 * locks: lockdep_assert_held().
 */
#ifndef NUMA_SPINLOCK_H
#define NUMA_SPINLOCK_H

#include <mmsim/spinlock.h>
#include "printk.h"

/* How long a waiter waits for a spinlock before it reports a lockup
 * (boot parameter spin_lockup_ms; 0: never).  A sanitizer build runs
 * 5-20 times slower. */
#ifdef MMSIM_DEBUG
#define SPIN_LOCKUP_MS_DEFAULT	10000
#else
#define SPIN_LOCKUP_MS_DEFAULT	1000
#endif
void spin_lockup_set_ms(unsigned int ms);
/* For the library's other lock words (a wait queue's): the bound, and the
 * lockup report ("BUG: spinlock lockup suspected"), printed at once. */
unsigned long long lock_word_lockup_ns(void);
void lock_word_lockup(const char *name, int owner, int owner_cpu, const void *ip,
		      unsigned long long waited);

/* Debug builds: WARN if the calling CPU does not hold the lock. */
#ifdef MMSIM_DEBUG
#define lockdep_assert_held(lock) \
	WARN(READ_ONCE((lock)->owner) != current->pid, \
	     "lock %s not held by this CPU\n", (lock)->name)
#else
#define lockdep_assert_held(lock) do { (void)(lock); } while (0)
#endif

#endif /* NUMA_SPINLOCK_H */
