/* SPDX-License-Identifier: MIT */
/*
 * numa/lockdep.h - the lock validator's insides (mmsim/lockdep.h is its
 * API): shared by lockdep.c (classes, the graph, the checks) and
 * lockdep_report.c (the reports), and the hooks other numa/ files call.
 */
#ifndef NUMA_LOCKDEP_H
#define NUMA_LOCKDEP_H

#include <mmsim/lockdep.h>

#define LOCKDEP_MAX_CLASSES	4096		/* power of 2 */
#define LOCKDEP_MAX_EDGES	32768
#define LOCKDEP_EDGE_HASH	65536		/* power of 2, > 2 * edges */
#define LOCKDEP_MAX_TRACES	(LOCKDEP_MAX_EDGES + 4096)
#define LOCKDEP_TRACE_FRAMES	12
#define LOCKDEP_MAX_DEPTH	48		/* MAX_LOCK_DEPTH */
#define LOCKDEP_MAX_CHAIN	16		/* chain entries a report prints */

/* Usage bits of a class, the kernel's order: state * 4 + dir * 2 + read. */
enum {
	LOCK_USED_IN_HARDIRQ, LOCK_USED_IN_HARDIRQ_READ,
	LOCK_ENABLED_HARDIRQ, LOCK_ENABLED_HARDIRQ_READ,
	LOCK_USED_IN_SOFTIRQ, LOCK_USED_IN_SOFTIRQ_READ,
	LOCK_ENABLED_SOFTIRQ, LOCK_ENABLED_SOFTIRQ_READ,
	LOCK_USAGE_STATES
};
/* The usage a bit cannot live with: the other direction, write. */
#define LOCK_USAGE_EXCL(bit)	(((bit) & ~1) ^ 2)

/* Irq context of a held lock: edges join locks of one context only. */
#define LOCKDEP_CTX_SOFTIRQ	1
#define LOCKDEP_CTX_HARDIRQ	2

/* One lock the thread holds (its own stack: lockdep.c). */
struct held_lock {
	struct lockdep_map *map;
	int class;			/* index, -1 if the table was full */
	unsigned long ip;
	unsigned char irq_context;
	unsigned char read;
	unsigned char trylock;
	unsigned char check;		/* 0: rcu_read_lock: held, not checked */
};

struct lockdep_trace {
	int nframes;
	void *frames[LOCKDEP_TRACE_FRAMES];
};

/* What a report prints of a lock class, copied under the graph lock. */
struct lockdep_class_info {
	const char *name;
	unsigned int subclass;
	unsigned int usage;
};

enum lockdep_report_kind {
	LR_CIRCULAR, LR_RECURSIVE, LR_USAGE, LR_BAD_UNLOCK, LR_DETACH,
	LR_RCU, LR_OVERFLOW,
};

/* Everything a report needs, gathered before it prints. */
struct lockdep_report {
	enum lockdep_report_kind kind;
	struct held_lock next;		/* the lock being taken (released) */
	struct held_lock prev;		/* the one held that closes the cycle */
	struct lockdep_class_info next_class, prev_class;
	/* circular: the existing path next -> ... -> prev, each entry with
	 * the trace where that class was taken holding the one before */
	int nchain;
	int chain_cut;			/* entries left out of a long chain */
	struct lockdep_class_info chain[LOCKDEP_MAX_CHAIN];
	struct lockdep_trace chain_trace[LOCKDEP_MAX_CHAIN];
	/* usage: the bit set before and the new one, and where it was set */
	int old_bit, new_bit;
	struct lockdep_trace old_trace;
	const char *file;		/* rcu: where, and what */
	int line;
	const char *msg;
};

/* lockdep.c: the calling thread's held locks (for the reports). */
int lockdep_held(const struct held_lock **held);
void lockdep_class_info(int class, struct lockdep_class_info *info);

/* lockdep_report.c: print one (no lockdep lock held; the caller is
 * inside lockdep, with interrupts off). */
void lockdep_print_report(struct lockdep_report *r);
void lockdep_print_held(const struct held_lock *held, int depth);

/* Hooks of the machine (machine.c, cpu.c, rcu.c, printk.c). */
void lockdep_reset(int on);			/* mm_boot(): a new kernel */
int lockdep_default_on(void);
void lockdep_cpu_detach(int cpu);		/* mm_cpu_detach(), first */
/* Held, not validated (the read side of RCU: read = 2). */
void lock_acquire_nocheck(struct lockdep_map *map, int read, unsigned long ip);
/* "WARNING: suspicious RCU usage", once per message and boot. */
void lockdep_rcu_suspicious(const char *file, int line, const char *msg);
extern struct lockdep_map rcu_lock_map;
/* A sleeping call inside an RCU reader: reported ("Illegal context switch"). */
void lockdep_rcu_sleep_check(const char *file, int line);
/* The console's lock: its held-lock lines are left out of the list. */
extern struct lockdep_map console_lock_map;

#endif /* NUMA_LOCKDEP_H */
