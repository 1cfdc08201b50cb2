// SPDX-License-Identifier: MIT
/*
 * numa/time.c - jiffies.
 *
 * jiffies = INITIAL_JIFFIES + (CLOCK_MONOTONIC - boot) * HZ * hz_scale,
 * computed on each read: no tick thread, and any hz_scale works (a jiffy
 * is 4 ms at hz_scale=1, 4 ns at hz_scale=1000000).
 *
 *   jiffies_base_ns	CLOCK_MONOTONIC at machine boot (time_init()), or
 *			at the first read if no machine ever booted.
 *   jiffies_rate	ticks per second, HZ * hz_scale.
 *   jiffies_mult	ticks per nanosecond, 0.64 fixed point: a jiffies
 *			read is a clock read and a multiplication.
 *			All written by time_init() while no CPU runs (boot),
 *			read by anyone with READ_ONCE.
 *   coarse_res_ns	CLOCK_MONOTONIC_COARSE's resolution: that clock lags
 *			CLOCK_MONOTONIC by about that much, and costs a few
 *			ns, so cond_resched() looks at it first.
 */
#include <time.h>

#include <mmsim/sched.h>
#include "machine.h"

#define NSEC_PER_SEC	1000000000ULL
#define MSEC_PER_SEC	1000U

static unsigned long long jiffies_base_ns;
static unsigned long long jiffies_rate = HZ;
static unsigned long long jiffies_mult = (unsigned long long)
	(((unsigned __int128)HZ << 64) / NSEC_PER_SEC);
static unsigned long long coarse_res_ns = 4000000;

unsigned long long mm_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * NSEC_PER_SEC + (unsigned long long)ts.tv_nsec;
}

unsigned long long mm_clock_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (unsigned long long)ts.tv_sec * NSEC_PER_SEC + (unsigned long long)ts.tv_nsec;
}

unsigned long long mm_clock_coarse_res_ns(void)
{
	return READ_ONCE(coarse_res_ns);
}

void time_init(unsigned int hz_scale)
{
	unsigned long long rate = (unsigned long long)HZ * (hz_scale ? hz_scale : 1);
	struct timespec res;

	BUILD_BUG_ON(HZ * 1000000ULL >= NSEC_PER_SEC);	/* mult < 2^64 */
	if (!clock_getres(CLOCK_MONOTONIC_COARSE, &res))
		WRITE_ONCE(coarse_res_ns, (unsigned long long)res.tv_sec * NSEC_PER_SEC +
					  (unsigned long long)res.tv_nsec);
	WRITE_ONCE(jiffies_rate, rate);
	WRITE_ONCE(jiffies_mult, (unsigned long long)(((unsigned __int128)rate << 64) /
						      NSEC_PER_SEC));
	WRITE_ONCE(jiffies_base_ns, mm_clock_ns());
}

unsigned long get_jiffies(void)
{
	unsigned long long base = READ_ONCE(jiffies_base_ns);
	unsigned long long mult = READ_ONCE(jiffies_mult);
	unsigned long long now = mm_clock_ns(), ns;

	if (unlikely(!base)) {
		/* No machine booted yet: the clock starts now.  Relaxed: the
		 * value is all there is to agree on. */
		__atomic_compare_exchange_n(&jiffies_base_ns, &base, now, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		base = READ_ONCE(jiffies_base_ns);
	}
	ns = now > base ? now - base : 0;
	/* (rounded down: a tick never comes early) */
	return INITIAL_JIFFIES + (unsigned long)(((unsigned __int128)ns * mult) >> 64);
}

unsigned long long jiffies_to_host_ns(unsigned long j)
{
	unsigned long long rate = READ_ONCE(jiffies_rate);

	if (j >= rate * 3600)			/* an hour or more: "long" */
		return 3600 * NSEC_PER_SEC;
	return (unsigned long long)j / rate * NSEC_PER_SEC +
	       (unsigned long long)j % rate * NSEC_PER_SEC / rate;
}

/* Linux's, for HZ dividing 1000: a negative int is "forever". */
unsigned long msecs_to_jiffies(unsigned int m)
{
	BUILD_BUG_ON(MSEC_PER_SEC % HZ);
	if ((int)m < 0)
		return MAX_JIFFY_OFFSET;
	return (m + (MSEC_PER_SEC / HZ) - 1) / (MSEC_PER_SEC / HZ);
}

unsigned int jiffies_to_msecs(unsigned long j)
{
	return (MSEC_PER_SEC / HZ) * (unsigned int)j;
}

/* kernel/time/timer.c: round_jiffies_common() */
static unsigned long round_jiffies_common(unsigned long j, int cpu)
{
	unsigned long original = j;
	unsigned long rem;

	/* skew each CPU by 3 jiffies, so that they do not all fire at once */
	j += (unsigned long)cpu * 3;
	rem = j % HZ;
	/* just after a whole second (a late timer): round down, else up */
	if (rem < HZ / 4)
		j = j - rem;
	else
		j = j - rem + HZ;
	j -= (unsigned long)cpu * 3;
	/* still in the future, or the value unchanged */
	return time_is_after_jiffies(j) ? j : original;
}

unsigned long __round_jiffies_relative(unsigned long j, int cpu)
{
	unsigned long j0 = jiffies;

	return round_jiffies_common(j + j0, cpu) - j0;
}

unsigned long round_jiffies_relative(unsigned long j)
{
	int cpu = raw_smp_processor_id();

	return __round_jiffies_relative(j, cpu >= 0 ? cpu : 0);
}
