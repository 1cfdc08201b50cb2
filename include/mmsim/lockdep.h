/* SPDX-License-Identifier: MIT */
/*
 * mmsim/lockdep.h - the lock validator, in the spirit of the kernel's
 * lockdep (v4.19): lock classes, the held-lock stack of each thread, the
 * graph of classes taken while others are held, and the reports.
 *
 * A lock class is an initialization site: spin_lock_init(), mutex_init()
 * and init_waitqueue_head() are macros that pass a static lock_class_key
 * of their call site; a lock defined with DEFINE_SPINLOCK()/DEFINE_MUTEX()
 * is keyed by its own address.  A map whose key is NULL is keyed by its
 * name (a string literal), one that has neither by its own address.  The
 * class is named by the init expression, as lockdep prints it
 * ("&zone->lock", "cpu_hotplug_lock").
 *
 * Nesting two locks of one class is declared, never suppressed:
 * spin_lock_nested(lock, SINGLE_DEPTH_NESTING), mutex_lock_nested(),
 * lockdep_set_class() (another key for a kind of lock),
 * lockdep_set_subclass().
 *
 * On or off for the life of a booted machine (boot parameter `lockdep`,
 * `lockdep=on|off`; on by default in the MMSIM_DEBUG builds).  Off, a lock
 * operation pays one relaxed load and a predictable branch.  Each mm_boot()
 * starts with an empty graph: each boot is a new kernel.
 *
 * Each report is made once per class pair; lockdep then stays on (the
 * kernel turns itself off after its first report).
 */
#ifndef MMSIM_LOCKDEP_H
#define MMSIM_LOCKDEP_H

#include <mmsim/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAX_LOCKDEP_SUBCLASSES	8U
#define SINGLE_DEPTH_NESTING	1

/* Only its address matters (one byte, so that C and C++ agree on it). */
struct lock_class_key {
	char __one;
};

struct lockdep_map {
	struct lock_class_key *key;	/* set at init (or lockdep_set_class())
					   before the lock is shared: read-only */
	const char *name;		/* the same */
	unsigned int subclass;		/* default subclass: the same */
	unsigned int host;		/* 1: a lock of the host process, not of
					   a CPU (may be held across
					   mm_cpu_detach()): read-only */
};

#define STATIC_LOCKDEP_MAP_INIT(_name, _key) \
	{ (struct lock_class_key *)(_key), (_name), 0, 0 }
#define STATIC_LOCKDEP_HOST_MAP_INIT(_name, _key) \
	{ (struct lock_class_key *)(_key), (_name), 0, 1 }

/* 1 while the booted machine validates locks.  Relaxed: it changes only at
 * mm_boot(), when no lock of the machine is in use. */
extern int __lockdep_on;

static __always_inline int lockdep_enabled(void)
{
	return unlikely(__atomic_load_n(&__lockdep_on, __ATOMIC_RELAXED));
}

void lockdep_init_map(struct lockdep_map *map, const char *name,
		      struct lock_class_key *key, unsigned int subclass);

/*
 * Tell lockdep that the calling thread takes (before it does) or releases
 * (before it does) the lock of map.  read: 0 exclusive, 1 shared, 2
 * recursive shared (makes no dependencies); trylock: taken without
 * waiting (checked for irq safety, not for deadlocks); ip: where, 0 for
 * the caller of lock_acquire()/lock_release().
 */
void lock_acquire(struct lockdep_map *map, unsigned int subclass, int trylock,
		  int read, unsigned long ip);
void lock_release(struct lockdep_map *map, unsigned long ip);
/* 1 if the calling thread holds the lock of map (0 when lockdep is off). */
int lock_is_held(const struct lockdep_map *map);

#define lock_map_acquire(m)	lock_acquire((m), 0, 0, 0, 0)
#define lock_map_acquire_read(m) lock_acquire((m), 0, 0, 2, 0)
#define lock_map_release(m)	lock_release((m), 0)

#define lockdep_set_class(lock, key) \
	lockdep_init_map(&(lock)->dep_map, #key, (key), 0)
#define lockdep_set_class_and_name(lock, key, name) \
	lockdep_init_map(&(lock)->dep_map, (name), (key), 0)
#define lockdep_set_subclass(lock, sub) \
	lockdep_init_map(&(lock)->dep_map, (lock)->dep_map.name, \
			 (lock)->dep_map.key, (sub))

/* "N locks held by comm/pid:" and the list, for the calling thread. */
void lockdep_print_held_locks(void);
/* Locks the calling thread holds, as lockdep sees them. */
int lockdep_depth(void);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_LOCKDEP_H */
