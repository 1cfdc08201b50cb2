/* SPDX-License-Identifier: MIT */
/*
 * mmsim/jitter.h - race-window widening, in the spirit of KCSAN's delays:
 * at marked points of the allocator and of its users (jitter_point()), a
 * CPU sometimes spins a few hundred ns to tens of us, or yields the host
 * CPU, so that a window of a few instructions between two steps of a
 * racy sequence lasts long enough for another CPU to run into it.
 *
 *   mm_jitter_set(level, seed)	0: off (the default); 1..3: more and
 *				longer delays.  Any thread, any time; each
 *				CPU restarts its stream at its next point.
 *   jitter_point()		a marked point: one relaxed load and a
 *				branch when off.  Nothing happens on a
 *				thread with no CPU attached, in hardirq
 *				context (an IPI's signal handler), or while
 *				a CPU is in a hardirq's interrupts-off
 *				window; with interrupts off or a spinlock
 *				held a delay is a short spin only (a few us).
 *   mm_jitter_stats(cpu, &st)	how many points CPU cpu passed, how many
 *				delayed, and a hash of the delays decided:
 *				the same (seed, level, CPU) and the same
 *				number of points give the same hash.
 *
 * Each CPU's stream is derived from (seed, cpu) alone, so the delays a CPU
 * decides at its n-th point are a function of the seed, whatever the host
 * scheduling does: a run's replay line (which names the level) gives the
 * same decisions for the same sequence of points.
 */
#ifndef MMSIM_JITTER_H
#define MMSIM_JITTER_H

#include <stdint.h>

#include <mmsim/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JITTER_MAX_LEVEL	3

/* The level (relaxed atomic: mm_jitter_set() writes it, points read it). */
extern unsigned int __mm_jitter_level;

void mm_jitter_set(unsigned int level, uint64_t seed);
unsigned int mm_jitter_level(void);
void __jitter_delay(void);

static inline void jitter_point(void)
{
	if (unlikely(__atomic_load_n(&__mm_jitter_level, __ATOMIC_RELAXED)))
		__jitter_delay();
}

struct jitter_stats {
	unsigned long points;	/* points passed with jitter on */
	unsigned long delays;	/* of which delayed: a spin or a yield */
	unsigned long yields;	/* of which a sched_yield() */
	uint64_t hash;		/* of every delay decided, in order */
};
/* CPU cpu's counters since its stream last (re)started; -EINVAL: no such CPU. */
int mm_jitter_stats(unsigned int cpu, struct jitter_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_JITTER_H */
