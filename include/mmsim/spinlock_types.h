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

typedef struct spinlock {
	int val;			/* atomic: 0, 1 or 2 */
	int owner;			/* debug builds: holder's pid, else 0 */
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
