// SPDX-License-Identifier: MIT
/*
 * numa/rcu_urcu.c - liburcu (urcu-memb flavour) behind rcu_urcu.h.
 *
 * The only file that includes <urcu/urcu-memb.h>: its names (rcu_read_lock,
 * call_rcu, struct rcu_head, ...) are macros for urcu_memb_* and clash
 * with the kernel API of mmsim/rcupdate.h.  liburcu is linked as a shared
 * library, never inlined (no _LGPL_SOURCE): TSan does not instrument it,
 * so rcu.c tells TSan what a grace period orders (see there).
 *
 *   batch_carrier[cpu]	urcu callback heads, one per CPU.  Handed to urcu by
 *			rcu.c (which keeps at most one per CPU in flight),
 *			owned by urcu until their function runs on urcu's
 *			call_rcu thread.  Our code never reads or writes
 *			them: urcu does, so TSan sees no access.
 *			(urcu's callback loop reads a head's successor before
 *			calling its function, so a carrier can be handed
 *			again as soon as its function has been called.)
 */
#include <urcu/urcu-memb.h>

#include <mmsim/machine.h>
#include "rcu_urcu.h"

static struct rcu_head batch_carrier[NR_CPUS];

/* urcu starts its call_rcu thread at the first call_rcu(), not here: a
 * process that never queues a callback starts no thread (see rcu.c). */
void mm_urcu_init(void)
{
}

void mm_urcu_register_thread(void)
{
	urcu_memb_register_thread();
}

void mm_urcu_unregister_thread(void)
{
	urcu_memb_unregister_thread();
}

void mm_urcu_read_lock(void)
{
	urcu_memb_read_lock();
}

void mm_urcu_read_unlock(void)
{
	urcu_memb_read_unlock();
}

void mm_urcu_synchronize(void)
{
	urcu_memb_synchronize_rcu();
}

void mm_urcu_barrier(void)
{
	urcu_memb_barrier();
}

static void batch_carrier_func(struct rcu_head *head)
{
	rcu_batch_gp_done((unsigned int)(head - batch_carrier));
}

void mm_urcu_call_batch(unsigned int cpu)
{
	urcu_memb_call_rcu(&batch_carrier[cpu], batch_carrier_func);
}
