/* SPDX-License-Identifier: MIT */
/*
 * mmsim/spinlock_types.h - spinlock_t, as the kernel's spinlock_types.h:
 * the type only, for structures that embed a lock (struct mempool_s).
 * The operations are in mmsim/spinlock.h.
 */
#ifndef MMSIM_SPINLOCK_TYPES_H
#define MMSIM_SPINLOCK_TYPES_H

#include <mmsim/lockdep.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lock_stats {
	unsigned long acquisitions;
	unsigned long contended;
	unsigned long long wait_ns;
	unsigned long long wait_max_ns;
};

/*
 * owner, owner_cpu and owner_ip are written by the holder (relaxed atomic
 * stores) once it has the lock, cleared by it before it gives it back;
 * anyone may read them (relaxed) for a report: a lockup, a recursion, an
 * unlock by a thread that does not hold the lock.
 */
typedef struct spinlock {
	int val;			/* atomic: 0, 1 or 2 */
	int owner;			/* holder's pid, 0 when free */
	int owner_cpu;			/* holder's CPU (-1: not a CPU) */
	const void *owner_ip;		/* where the holder took it */
	int irqsafe;			/* taken only with interrupts disabled
					   (an IPI handler may take it) */
	const char *name;		/* read-only after spin_lock_init() */
	struct lock_stats stats;	/* written by the holder */
	struct lockdep_map dep_map;	/* its class: read-only after init */
} spinlock_t;

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_SPINLOCK_TYPES_H */
