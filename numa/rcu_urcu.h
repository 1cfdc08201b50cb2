/* SPDX-License-Identifier: MIT */
/*
 * numa/rcu_urcu.h - the narrow interface between rcu.c and liburcu.
 *
 * liburcu's headers map rcu_read_lock, call_rcu, synchronize_rcu,
 * rcu_barrier, rcu_init, struct rcu_head... onto urcu_memb_* names that
 * clash with the kernel names the simulated machine implements, so they
 * are included by rcu_urcu.c alone, which exports these wrappers.
 */
#ifndef NUMA_RCU_URCU_H
#define NUMA_RCU_URCU_H

/* Creates urcu's call_rcu thread now (from the booting thread, unpinned),
 * not at the first call_rcu() of some pinned CPU. */
void mm_urcu_init(void);
void mm_urcu_register_thread(void);
void mm_urcu_unregister_thread(void);
void mm_urcu_read_lock(void);
void mm_urcu_read_unlock(void);
/* urcu's synchronize_rcu(): blocks without answering IPIs (rcu.c calls
 * it from its grace-period thread and from unattached threads only). */
void mm_urcu_synchronize(void);
/* urcu's rcu_barrier(): every carrier handed to urcu has run. */
void mm_urcu_barrier(void);

/*
 * Hand CPU cpu's batch carrier to urcu's call_rcu().  At most one per CPU
 * is in flight: rcu.c's state machine guarantees it.  The caller must be
 * a registered urcu reader (an attached CPU).  After the grace period
 * urcu's callback thread calls rcu_batch_gp_done(cpu), defined in rcu.c.
 */
void mm_urcu_call_batch(unsigned int cpu);
void rcu_batch_gp_done(unsigned int cpu);

#endif /* NUMA_RCU_URCU_H */
