/* SPDX-License-Identifier: MIT */
/*
 * stress/jobs/dcache.h - what the dcache family's files share:
 *
 *   dcache.c		the family, the job, the simulated dentry cache and
 *			its shrinker
 *   dcache_probe.c	a probe shrinker that checks shrink_slab()'s v4.19
 *			arithmetic during the job's own vm.drop_caches=2
 */
#ifndef STRESS_JOBS_DCACHE_H
#define STRESS_JOBS_DCACHE_H

#include "../engine.h"

/* On CPU 0 before the CPUs start / after they stop: 0 or -errno. */
int probe_setup(void);
void probe_teardown(void);
/* vm.drop_caches=2 from CPU c, the probe checking each of its calls if
 * no other CPU has it armed: 0, or what mm_sysctl_write() returned. */
int probe_drop_caches(struct cpu_ctx *c);
/* Calls of the probe checked so far, and those found wrong. */
void probe_counts(uint64_t *checked, uint64_t *wrong);

#endif /* STRESS_JOBS_DCACHE_H */
