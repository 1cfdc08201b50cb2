/* SPDX-License-Identifier: MIT */
/*
 * mmsim/mutex.h - the kernel's struct mutex: a sleeping lock for process
 * context, for the allocator and for programs that coordinate CPUs.
 *
 * A waiter sleeps on the lock word with a short futex timeout and, being a
 * CPU, runs the IPIs queued to it in between: so a CPU waiting for a
 * mutex whose holder stop_machine() has stopped still reaches the
 * rendezvous itself (it does not rely on a signal interrupting its wait).
 * Lock word: 0 free, 1 held, 2 held with waiters; acquire on taking it,
 * release on giving it back.  owner is the holder's thread id, written by
 * the holder (READ_ONCE for anyone else).
 *
 * Misuse is reported as the kernel does and never hangs:
 *   - mutex_lock() in atomic context: "BUG: sleeping function called from
 *     invalid context"; if the mutex is free it is taken, else "BUG:
 *     scheduling while atomic" and, in process context, the caller sleeps
 *     for it as the kernel's schedule() would, interrupts let in (IPIs
 *     answered); in interrupt or softirq context, where nothing may sleep,
 *     the lock is refused: the caller goes on without it, and its
 *     mutex_unlock() of that mutex is then ignored;
 *   - mutex_unlock() of a mutex the caller does not hold: a WARNING, and
 *     the unlock is refused.
 */
#ifndef MMSIM_MUTEX_H
#define MMSIM_MUTEX_H

#include <mmsim/compiler.h>
#include <mmsim/lockdep.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mutex {
	int val;		/* atomic: 0 free, 1 held, 2 held with waiters */
	int owner;		/* the holder's thread id: see above */
	const char *name;	/* read-only */
	struct lockdep_map dep_map;	/* its class: read-only after init */
};

#define __MUTEX_INITIALIZER(name) \
	{ 0, 0, #name, STATIC_LOCKDEP_MAP_INIT(#name, &(name)) }
#define DEFINE_MUTEX(m)			struct mutex m = __MUTEX_INITIALIZER(m)

/* The lock class is the call site, named by the expression (lockdep.h). */
void __mutex_init(struct mutex *m, const char *name, const char *class_name,
		  struct lock_class_key *key);
#define __mutex_init_site(m, name, class_name) do {			\
	static struct lock_class_key __key;				\
	__mutex_init((m), (name), (class_name), &__key);		\
} while (0)
#define mutex_init_name(m, name)	__mutex_init_site(m, name, #m)
#define mutex_init(m)			__mutex_init_site(m, #m, #m)
void mutex_lock(struct mutex *m);
/* Two mutexes of one class, the inner one declared (lockdep.h). */
void mutex_lock_nested(struct mutex *m, unsigned int subclass);
/* 1 if taken, 0 if held by someone; never sleeps. */
int mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

/* Held by someone (a racy answer, as the kernel's). */
static inline int mutex_is_locked(struct mutex *m)
{
	return __atomic_load_n(&m->val, __ATOMIC_RELAXED) != 0;
}

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_MUTEX_H */
