/* SPDX-License-Identifier: MIT */
/*
 * mmsim/rcupdate.h - RCU for the simulated machine, on liburcu (urcu-memb).
 *
 * Readers: rcu_read_lock()/rcu_read_unlock() on an attached CPU, nestable,
 * never sleeping inside.  As with the kernel's non-preemptible RCU, a
 * reader has preemption disabled, so a sleeping call inside one is
 * reported by might_sleep().  Updaters: synchronize_rcu() waits for every
 * reader that was inside when it started; call_rcu(head, func) runs
 * func(head) after such a grace period, on a simulated CPU (the one that
 * queued it, at one of its safe points: cond_resched(); or, in
 * rcu_barrier() or when that CPU goes offline, the CPU running those), in
 * softirq context as in the kernel: the callback may use the allocator
 * (GFP_ATOMIC), not sleep.  rcu_barrier() waits until every callback
 * queued before it, on any CPU, has run.
 *
 * Never call synchronize_rcu() or rcu_barrier() from a stop_machine()
 * function: the stopped CPUs may be inside readers.
 */
#ifndef MMSIM_RCUPDATE_H
#define MMSIM_RCUPDATE_H

#include <mmsim/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

/* As the kernel's callback_head: fits in struct page's lru. */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};
typedef void (*rcu_callback_t)(struct rcu_head *head);

void rcu_read_lock(void);
void rcu_read_unlock(void);
/* 1 inside a read-side section of this thread (debug checks). */
int rcu_read_lock_held(void);
void synchronize_rcu(void);
void call_rcu(struct rcu_head *head, rcu_callback_t func);
void rcu_barrier(void);

/* Publish with release, read with acquire (TSan understands both). */
#define rcu_assign_pointer(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define rcu_dereference(p)		__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define RCU_INIT_POINTER(p, v)		__atomic_store_n(&(p), (v), __ATOMIC_RELAXED)
/* The pointer's value only, never dereferenced (comparisons, NULL tests). */
#define rcu_access_pointer(p)		__atomic_load_n(&(p), __ATOMIC_RELAXED)
/* The updater's read, under the lock that excludes other updaters. */
#define rcu_dereference_protected(p, c)	((void)(c), __atomic_load_n(&(p), __ATOMIC_RELAXED))

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_RCUPDATE_H */
