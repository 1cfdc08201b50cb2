// SPDX-License-Identifier: MIT
/*
 * stress/stats.c - what the engine counts for every job: latency
 * histograms, allocation failures by gfp type and order, and violations.
 *
 * Who touches what: a CPU's struct job_stats are its own while it runs;
 * the report merges them once the CPU has stopped (run_cpu_settled()).
 * Violations go to run->v[] under run->lock (irq-safe, taken by any CPU,
 * the monitor and the allocator's report hook); nothing is printed there.
 */
#include <stdarg.h>

#include "mmstress.h"

const char *const gfp_kind_name[NR_GFP_KINDS] = {
	"GFP_KERNEL", "GFP_USER", "GFP_NOIO", "GFP_NOFS", "GFP_ATOMIC",
	"GFP_NOWAIT", "GFP_DMA32", "GFP_DMA", "GFP_KERNEL|__GFP_ZERO",
	"GFP_KERNEL|__GFP_COMP", "GFP_KERNEL|__GFP_COLD",
};

const gfp_t gfp_kind_mask[NR_GFP_KINDS] = {
	GFP_KERNEL, GFP_USER, GFP_NOIO, GFP_NOFS, GFP_ATOMIC, GFP_NOWAIT,
	GFP_KERNEL | GFP_DMA32, GFP_KERNEL | GFP_DMA, GFP_KERNEL | __GFP_ZERO,
	GFP_KERNEL | __GFP_COMP, GFP_KERNEL | __GFP_COLD,
};

static unsigned int lat_bucket(uint64_t ns)
{
	unsigned int msb, sub;

	if (ns < 4)
		return (unsigned int)ns;
	msb = 63 - (unsigned int)__builtin_clzll(ns);
	sub = (unsigned int)(ns >> (msb - 2)) & 3;
	return msb * 4 + sub;
}

static uint64_t lat_bucket_top(unsigned int b)
{
	unsigned int msb = b / 4, sub = b % 4;

	if (b < 4)
		return b;
	return ((uint64_t)(4 + sub + 1) << (msb - 2)) - 1;
}

void lat_record(struct lat_hist *h, uint64_t ns)
{
	h->bucket[lat_bucket(ns)]++;
	h->count++;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

void lat_merge(struct lat_hist *dst, const struct lat_hist *src)
{
	for (int b = 0; b < LAT_BUCKETS; b++)
		dst->bucket[b] += src->bucket[b];
	dst->count += src->count;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

/* The upper edge of the bucket holding the p-th fraction (<= 25% over). */
uint64_t lat_percentile(const struct lat_hist *h, double p)
{
	uint64_t want = (uint64_t)((double)h->count * p + 0.5), seen = 0;

	if (!h->count)
		return 0;
	if (want < 1)
		want = 1;
	for (unsigned int b = 0; b < LAT_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= want)
			return min(lat_bucket_top(b), h->max_ns);
	}
	return h->max_ns;
}

unsigned int size_order(size_t size)
{
	unsigned int order = 0;

	while (order < MAX_ORDER - 1 && ((size_t)PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* Record a violation, run->lock held. */
static void __add_violation(struct run *run, const char *kind, int cpu, const char *fmt,
			    va_list ap)
{
	uint64_t start = __atomic_load_n(&run->start_ns, __ATOMIC_RELAXED), now = stress_clock_ns();

	if (run->nr_v < MAX_VIOLATIONS) {
		struct violation *v = &run->v[run->nr_v++];

		snprintf(v->kind, sizeof(v->kind), "%s", kind);
		v->cpu = cpu;
		v->t = start && now > start ? (double)(now - start) * 1e-9 : 0;
		vsnprintf(v->message, sizeof(v->message), fmt, ap);
	} else {
		run->nr_v_dropped++;
	}
}

/* add_violation() from a crashing thread's signal handler: it may hold the
 * lock, so it is only tried (the violation is dropped if it is held). */
void add_violation_nowait(struct run *run, const char *kind, int cpu, const char *fmt, ...)
{
	unsigned long lockflags;
	va_list ap;

	if (!spin_trylock_irqsave(&run->lock, lockflags))
		return;
	va_start(ap, fmt);
	__add_violation(run, kind, cpu, fmt, ap);
	va_end(ap);
	spin_unlock_irqrestore(&run->lock, lockflags);
}

void add_violation(struct run *run, const char *kind, int cpu, const char *fmt, ...)
{
	unsigned long lockflags;
	va_list ap;

	spin_lock_irqsave(&run->lock, lockflags);
	va_start(ap, fmt);
	__add_violation(run, kind, cpu, fmt, ap);
	va_end(ap);
	spin_unlock_irqrestore(&run->lock, lockflags);
}
