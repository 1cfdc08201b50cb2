/* SPDX-License-Identifier: MIT */
/*
 * mmsim/cpumask.h - a set of simulated CPUs (the kernel's struct cpumask):
 * the CPUs an IPI goes to, or those stop_machine() could not stop.  A
 * plain bitmap, its user's to protect.
 */
#ifndef MMSIM_CPUMASK_H
#define MMSIM_CPUMASK_H

#include <mmsim/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cpumask {
	unsigned long bits[NR_CPUS / 64];
};

static inline void cpumask_clear(struct cpumask *m)
{
	for (unsigned int i = 0; i < NR_CPUS / 64; i++)
		m->bits[i] = 0;
}

static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *m)
{
	m->bits[cpu / 64] |= 1UL << (cpu % 64);
}

static inline int cpumask_test_cpu(unsigned int cpu, const struct cpumask *m)
{
	return (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_CPUMASK_H */
