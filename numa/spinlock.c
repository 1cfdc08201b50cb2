// SPDX-License-Identifier: MIT
/*
 * numa/spinlock.c - the out-of-line side of spinlock_t (mmsim/spinlock.h):
 * the contended path (spin, then sleep on the lock word with futex(2)),
 * the statistics readers, and the debug builds' checks.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sys/syscall.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spinlock.h"

#define SPIN_TRIES	64

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void __spin_lock_init(spinlock_t *lock, const char *name, const char *class_name,
		      struct lock_class_key *key)
{
	memset(lock, 0, sizeof(*lock));
	lock->name = name;
	lockdep_init_map(&lock->dep_map, class_name, key, 0);
}

void __spin_lock_contended(spinlock_t *lock)
{
	unsigned long long t0 = now_ns(), waited;
	int old;

	for (int i = 0; i < SPIN_TRIES; i++) {
		old = 0;
		/* Acquire: pairs with the release in spin_unlock(). */
		if (READ_ONCE(lock->val) == 0 &&
		    __atomic_compare_exchange_n(&lock->val, &old, 1, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			goto locked;
		cpu_relax();
	}
	/*
	 * Mark the lock "held, maybe sleepers" and sleep until it is free.
	 * Winning with the exchange leaves the word at 2, so the next unlock
	 * makes one spurious wake-up call: harmless, and it cannot lose one.
	 * Acquire: pairs with the release in spin_unlock().
	 */
	while (__atomic_exchange_n(&lock->val, 2, __ATOMIC_ACQUIRE) != 0)
		syscall(SYS_futex, &lock->val, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
locked:
	__spin_acquired(lock);
	waited = now_ns() - t0;
	WRITE_ONCE(lock->stats.contended, lock->stats.contended + 1);
	WRITE_ONCE(lock->stats.wait_ns, lock->stats.wait_ns + waited);
	if (waited > lock->stats.wait_max_ns)
		WRITE_ONCE(lock->stats.wait_max_ns, waited);
}

void __spin_unlock_wake(spinlock_t *lock)
{
	syscall(SYS_futex, &lock->val, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void spin_lock_stats_read(spinlock_t *lock, struct lock_stats *out)
{
	out->acquisitions = READ_ONCE(lock->stats.acquisitions);
	out->contended = READ_ONCE(lock->stats.contended);
	out->wait_ns = READ_ONCE(lock->stats.wait_ns);
	out->wait_max_ns = READ_ONCE(lock->stats.wait_max_ns);
}

/*
 * With interrupts off: the lock may be irq-safe (an IPI on this CPU may
 * take it), and the caller need not know.
 */
void spin_lock_stats_reset(spinlock_t *lock)
{
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	WRITE_ONCE(lock->stats.acquisitions, 0);
	WRITE_ONCE(lock->stats.contended, 0);
	WRITE_ONCE(lock->stats.wait_ns, 0);
	WRITE_ONCE(lock->stats.wait_max_ns, 0);
	spin_unlock_irqrestore(lock, flags);
}

/* Debug builds: the owner, and an irq-safe lock taken with interrupts on. */
void __spin_debug_acquired(spinlock_t *lock)
{
	WRITE_ONCE(lock->owner, current->pid);
	/* An IPI on this CPU could take it too: interrupts must be off. */
	WARN(lock->irqsafe && current->cpu >= 0 && !irqs_disabled(),
	     "%s taken with interrupts enabled\n", lock->name);
}
