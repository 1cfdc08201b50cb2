/* SPDX-License-Identifier: MIT */
/*
 * numa/rcu.h - what the RCU core (numa/rcu.c) offers the layers above it
 * beyond mmsim/rcupdate.h.
 *
 * kfree_rcu() queues its rcu_head with the head's offset in the object as
 * the callback (v4.19's kfree_call_rcu()): a "function" below
 * RCU_KFREE_OFFSET_MAX is such an offset, and the core hands the head to
 * the function mm registered here, which frees the object.  The pointer
 * is written at boot before any CPU runs, read-only after.
 */
#ifndef NUMA_RCU_H
#define NUMA_RCU_H

#include <mmsim/rcupdate.h>

#define RCU_KFREE_OFFSET_MAX	4096

typedef void (*rcu_kfree_offset_t)(struct rcu_head *head, unsigned long offset);
void rcu_set_kfree_offset(rcu_kfree_offset_t fn);

/* Every callback queued and not yet invoked, with every CPU stopped
 * (a scanner of memory: kmemleak's objects waiting for a grace period are
 * referenced by RCU, even through rcu_heads in no object). */
void rcu_for_each_queued(void (*fn)(struct rcu_head *head, void *arg), void *arg);

#endif /* NUMA_RCU_H */
