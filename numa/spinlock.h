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
/*
 * A waiter's clock against that bound (the waiter's own, on its stack):
 * the time since lockup_clock_start(), less every gap longer than
 * LOCKUP_STALL_NS between two of its looks (lockup_clock_waited()) --
 * time the host did not run it (a stalled process, a loaded host), in
 * which a holder may not have run either.  A lock never given back is
 * still reported; a host stall of a few seconds is no lockup.
 */
#define LOCKUP_STALL_NS	(250ULL * 1000 * 1000)
struct lockup_clock {
	unsigned long long start, last;
};
void lockup_clock_start(struct lockup_clock *c);
unsigned long long lockup_clock_waited(struct lockup_clock *c);

/* Debug builds: WARN if the calling CPU does not hold the lock. */
#ifdef MMSIM_DEBUG
#define lockdep_assert_held(lock) \
	WARN(READ_ONCE((lock)->owner) != current->pid, \
	     "lock %s not held by this CPU\n", (lock)->name)
#else
#define lockdep_assert_held(lock) do { (void)(lock); } while (0)
#endif

#endif /* NUMA_SPINLOCK_H */
