/* SPDX-License-Identifier: MIT */
/*
 * mmsim/spinlock.h - spinlock_t for code running on simulated CPUs: the
 * allocator's own locks, and the locks of programs that coordinate CPUs.
 *
 * The lock word is a three-state futex lock (0 free, 1 held, 2 held with
 * possible sleepers): a simulated CPU spins briefly, then sleeps in the
 * host kernel, because on a host with fewer cores than simulated CPUs the
 * holder may be descheduled and pure spinning would burn its time slice.
 *
 * Ordering: taking the lock is an acquire on `val` (the CAS or exchange that
 * wins it), releasing it a release on `val` (the exchange to 0).  TSan sees
 * both, so the data a lock protects needs no annotation.
 *
 * The rules of the kernel hold: a lock that an IPI may take (an "irq-safe"
 * lock) is taken with interrupts off (spin_lock_irqsave()), no sleeping
 * while one is held, and a CPU that waits for something other CPUs do must
 * wait with these primitives, a struct mutex, a wait queue or a completion
 * (they answer IPIs), never with a host mutex or condition variable.
 *
 * Statistics are written only by the holder (so the lock itself protects
 * them) and read by anyone with READ_ONCE(): acquisitions, contended
 * acquisitions (the first attempt failed), and the time spent waiting.
 *
 * current->spin_depth counts the spinlocks the thread holds (its own
 * field).  While it is not zero the console defers the thread's output: a
 * report made under a spinlock is printed when the last one is released,
 * so that no console lock nests inside a spinlock.
 */
#ifndef MMSIM_SPINLOCK_H
#define MMSIM_SPINLOCK_H

#include <mmsim/compiler.h>
#include <mmsim/machine.h>
#include <mmsim/spinlock_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define __SPIN_LOCK_UNLOCKED(name)	{ 0, 0, 0, 0, 0, #name, { 0, 0, 0, 0 }, \
					  STATIC_LOCKDEP_MAP_INIT(#name, &(name)) }
#define DEFINE_SPINLOCK(x)		spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

/* The lock class is the call site (a static key each), named by the
 * expression; spin_lock_init_name() gives the lock another name for the
 * reports that are not lockdep's. */
void __spin_lock_init(spinlock_t *lock, const char *name, const char *class_name,
		      struct lock_class_key *key);
#define __spin_lock_init_site(lock, name, class_name) do {		\
	static struct lock_class_key __key;				\
	__spin_lock_init((lock), (name), (class_name), &__key);	\
} while (0)
#define spin_lock_init_name(lock, name)	__spin_lock_init_site(lock, name, #lock)
#define spin_lock_init(lock)		__spin_lock_init_site(lock, #lock, #lock)

/* The address of the code that expands it, as the kernel's _THIS_IP_. */
#define _THIS_IP_	({ __label__ __here; __here: (const void *)&&__here; })

/* The library's side of the inline operations below. */
void __spin_lock_contended(spinlock_t *lock, const void *ip);
void __spin_unlock_wake(spinlock_t *lock);
void __spin_bad_unlock(spinlock_t *lock, int was);
int __spin_owner_pid(void);
void __spin_debug_acquired(spinlock_t *lock);
extern __thread int __printk_deferred_pending;	/* the thread's own */
void printk_flush_deferred(void);

static __always_inline void __spin_acquired(spinlock_t *lock, const void *ip)
{
	int pid = current->pid;

	current->spin_depth++;
	WRITE_ONCE(lock->owner, likely(pid) ? pid : __spin_owner_pid());
	WRITE_ONCE(lock->owner_cpu, current->cpu);
	WRITE_ONCE(lock->owner_ip, ip);
	WRITE_ONCE(lock->stats.acquisitions, lock->stats.acquisitions + 1);
#ifdef MMSIM_DEBUG
	__spin_debug_acquired(lock);
#endif
}

/*
 * A CPU that waits for a lock longer than spin_lockup_ms (boot parameter)
 * reports "BUG: spinlock lockup suspected", naming the holder and where it
 * took the lock, and goes on waiting; one that waits for a lock it holds
 * itself reports "BUG: spinlock recursion" first (numa/spinlock.c).
 */
static __always_inline void __spin_lock(spinlock_t *lock, unsigned int subclass,
					const void *ip)
{
	int old = 0;

	/* lockdep checks the acquire before the lock is taken */
	if (lockdep_enabled())
		lock_acquire(&lock->dep_map, subclass, 0, 0, (unsigned long)ip);
	/* Acquire: pairs with the release in spin_unlock(). */
	if (likely(__atomic_compare_exchange_n(&lock->val, &old, 1, 0,
					       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)))
		__spin_acquired(lock, ip);
	else
		__spin_lock_contended(lock, ip);
}
#define spin_lock(lock)		__spin_lock((lock), 0, _THIS_IP_)
#define spin_lock_nested(lock, subclass) __spin_lock((lock), (subclass), _THIS_IP_)

/* 1 if taken (acquire, as spin_lock()), 0 if someone holds it. */
static __always_inline int __spin_trylock(spinlock_t *lock, const void *ip)
{
	int old = 0;

	if (__atomic_compare_exchange_n(&lock->val, &old, 1, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		if (lockdep_enabled())
			lock_acquire(&lock->dep_map, 0, 1, 0, (unsigned long)ip);
		__spin_acquired(lock, ip);
		return 1;
	}
	return 0;
}
#define spin_trylock(lock)	__spin_trylock((lock), _THIS_IP_)

/*
 * Only the holder may unlock: an unlock of a free lock ("BUG: spinlock
 * already unlocked") or of another thread's ("wrong owner") is reported
 * and refused, so the holder's critical section stays whole.
 */
static __always_inline void spin_unlock(spinlock_t *lock)
{
	int was;

	if (unlikely(READ_ONCE(lock->owner) != current->pid)) {
		__spin_bad_unlock(lock, -1);
		return;
	}
	if (lockdep_enabled())
		lock_release(&lock->dep_map, 0);
	WRITE_ONCE(lock->owner, 0);
	/* Release: everything written under the lock is published. */
	was = __atomic_exchange_n(&lock->val, 0, __ATOMIC_RELEASE);
	if (unlikely(was != 1)) {
		if (was == 2)
			__spin_unlock_wake(lock);
		else
			__spin_bad_unlock(lock, was);	/* it was free */
	}
	/* the last spinlock: what the console held back is printed now */
	if (--current->spin_depth <= 0 && unlikely(__printk_deferred_pending))
		printk_flush_deferred();
}

/* Held by someone (a racy answer, as the kernel's). */
static inline int spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->val, __ATOMIC_RELAXED) != 0;
}

#define spin_lock_irqsave(lock, flags) \
	do { local_irq_save(flags); spin_lock(lock); } while (0)
#define spin_lock_irqsave_nested(lock, flags, subclass) \
	do { local_irq_save(flags); spin_lock_nested((lock), (subclass)); } while (0)
#define spin_unlock_irqrestore(lock, flags) \
	do { spin_unlock(lock); local_irq_restore(flags); } while (0)
#define spin_trylock_irqsave(lock, flags) \
	({ local_irq_save(flags); spin_trylock(lock) ? 1 : (local_irq_restore(flags), 0); })

/* (macros, not inline functions: spin_lock() records the caller's address) */
#define spin_lock_irq(lock)	do { local_irq_disable(); spin_lock(lock); } while (0)
#define spin_unlock_irq(lock)	do { spin_unlock(lock); local_irq_enable(); } while (0)
#define spin_lock_bh(lock)	do { local_bh_disable(); spin_lock(lock); } while (0)
#define spin_unlock_bh(lock)	do { spin_unlock(lock); local_bh_enable(); } while (0)

/* A consistent-enough copy of the statistics (each field read once). */
void spin_lock_stats_read(spinlock_t *lock, struct lock_stats *out);
/* Zero the statistics (takes the lock, with interrupts off). */
void spin_lock_stats_reset(spinlock_t *lock);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_SPINLOCK_H */
