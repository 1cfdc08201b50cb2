/* SPDX-License-Identifier: MIT */
/*
 * numa/fault_inject.h - the kernel's fault-injection framework
 * (lib/fault-inject.c): a struct fault_attr per capability, should_fail(),
 * the boot form <interval>,<probability>,<space>,<times>, the attributes
 * as debugfs files, and the per-task fail-nth.  The capabilities
 * themselves (fail_page_alloc, failslab) are mm's (mm/fail_alloc.c).
 */
#ifndef NUMA_FAULT_INJECT_H
#define NUMA_FAULT_INJECT_H

#include <stdio.h>
#include <mmsim/compiler.h>
#include "printk.h"

/*
 * One capability.  Its settings are written by mm_debugfs_write() and at
 * boot, under fault_attr_mutex (numa/fault_inject.c), and read without
 * it by should_fail() on every CPU (READ_ONCE: a write that races a fault
 * site may or may not count for it, as in the kernel).  The budgets and
 * the counters are atomics, relaxed: they order nothing.
 */
struct fault_attr {
	const char *name;		/* its debugfs directory */
	unsigned long probability;	/* percent, 0..100 */
	unsigned long interval;		/* fail one eligible call in interval */
	long times;			/* atomic: failures left, -1 no limit */
	long space;			/* atomic: bytes to let pass first */
	unsigned long verbose;		/* 0 quiet, 1 a line, 2 and a trace */
	unsigned long count;		/* atomic: calls seen, for interval */
	struct ratelimit_state ratelimit;	/* of the verbose lines */
	/* atomic counters, shown by mm_debugfs_show("fault_stats") */
	unsigned long sites;		/* calls that reached should_fail() */
	unsigned long injected;		/* failures it injected */
};

/* The kernel's FAULT_ATTR_INITIALIZER: interval 1, times 1, verbose 2,
 * probability 0 (off), the verbose lines not rate-limited. */
void fault_attr_init(struct fault_attr *attr, const char *name);

/*
 * Should this call of size bytes fail?  The calling task's fail-nth first
 * (in task context), then probability, times, space, interval, as
 * v4.19's should_fail().  A failure is counted, printed as verbose says,
 * and counted in current->fail_injected.
 */
int should_fail(struct fault_attr *attr, long size);

/* Any capability on, or any task's fail-nth armed: the fast paths of the
 * allocator take their general path, where the fault sites are. */
extern int fault_inject_armed;	/* atomic, relaxed */
static __always_inline int fault_inject_active(void)
{
	return __atomic_load_n(&fault_inject_armed, __ATOMIC_RELAXED) != 0;
}

/* "<interval>,<probability>,<space>,<times>": 0, or -EINVAL (reported). */
int setup_fault_attr(struct fault_attr *attr, const char *param, const char *str);
/* The debugfs files of a fault_attr: "probability", "interval", "times",
 * "space", "verbose", "verbose_ratelimit_interval_ms",
 * "verbose_ratelimit_burst".  -ENOENT for another name, -EINVAL for a bad
 * value. */
int fault_attr_write(struct fault_attr *attr, const char *file, const char *value);
int fault_attr_show(struct fault_attr *attr, const char *file, FILE *out);
/* Back to the defaults (mm_boot(), mm_shutdown()). */
void fault_attr_reset(struct fault_attr *attr);
/* Serialises the writers of every fault_attr (and of mm's own switches). */
void fault_attr_lock(void);
void fault_attr_unlock(void);

/* The calling task's fail-nth (/proc/thread-self/fail-nth): write N to
 * fail its N-th fault site from now, 0 to disarm; read the sites left
 * (0 once it fired). */
int fail_nth_write(const char *value);
int fail_nth_show(FILE *out);
/* Disarm the calling task's fail-nth (a CPU detaching, the machine going). */
void fail_nth_clear(void);

/* The debugfs-style bool files: Y/N, 1/0, y/n, on/off. */
int parse_debugfs_bool(const char *value, int *out);

#endif /* NUMA_FAULT_INJECT_H */
