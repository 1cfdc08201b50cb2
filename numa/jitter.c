// SPDX-License-Identifier: MIT
/*
 * numa/jitter.c - race-window widening: seeded delays at marked points
 * (mmsim/jitter.h says what the API promises).
 *
 *   __mm_jitter_level	0..3; the only thing a point reads when jitter
 *			is off (relaxed: a point that misses a change by a
 *			few instructions is harmless)
 *   jitter_gen, _seed	mm_jitter_set() stores the seed (relaxed), then
 *			bumps the generation (release); a CPU whose stream
 *			is of an older generation reseeds from (seed, cpu)
 *			after an acquire load of it, so it sees the seed
 *   jitter_cpu[c]	CPU c's stream and counters: written by the thread
 *			attached to c only (one thread at a time: attach
 *			and detach order them); the counters are relaxed
 *			atomics so that mm_jitter_stats() may read them
 *			from anywhere
 *
 * A decision per point, from the CPU's splitmix64 stream: delay with
 * probability 1/64, 1/16, 1/4 at levels 1, 2, 3; then a spin of 200 ns up
 * to 2, 10 or 40 us, or (1 in 8 delays, with interrupts on and no
 * spinlock held) a sched_yield().  With interrupts off or a spinlock held
 * the spin is capped at JITTER_ATOMIC_NS.  Never in hardirq context: IPI
 * functions run there, sometimes inside a signal handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <time.h>

#include <mmsim/jitter.h>
#include <mmsim/machine.h>

#define JITTER_MIN_NS		200
#define JITTER_ATOMIC_NS	3000

unsigned int __mm_jitter_level;
static unsigned long jitter_gen;	/* atomic: release by the setter */
static uint64_t jitter_seed;		/* atomic, relaxed: under jitter_gen */

struct jitter_cpu {
	unsigned long gen;		/* the generation of this stream */
	uint64_t x;			/* splitmix64 state */
	unsigned long points, delays, yields;	/* relaxed atomics */
	uint64_t hash;			/* relaxed atomic */
} ____cacheline_aligned;

static struct jitter_cpu jitter_cpu[NR_CPUS];

static uint64_t jitter_next(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void mm_jitter_set(unsigned int level, uint64_t seed)
{
	if (level > JITTER_MAX_LEVEL)
		level = JITTER_MAX_LEVEL;
	__atomic_store_n(&jitter_seed, seed, __ATOMIC_RELAXED);
	/* Release: a CPU that sees the new generation sees the seed. */
	__atomic_add_fetch(&jitter_gen, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&__mm_jitter_level, level, __ATOMIC_RELAXED);
}

unsigned int mm_jitter_level(void)
{
	return __atomic_load_n(&__mm_jitter_level, __ATOMIC_RELAXED);
}

static void jitter_reseed(struct jitter_cpu *j, unsigned int cpu, unsigned long gen)
{
	j->gen = gen;
	j->x = __atomic_load_n(&jitter_seed, __ATOMIC_RELAXED) ^
	       ((uint64_t)(cpu + 1) * 0xd1342543de82ef95ULL);
	__atomic_store_n(&j->points, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&j->delays, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&j->yields, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&j->hash, 0xcbf29ce484222325ULL, __ATOMIC_RELAXED);
}

static void jitter_spin(uint64_t ns)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		cpu_relax();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((uint64_t)(t.tv_sec - t0.tv_sec) * 1000000000ULL + (uint64_t)t.tv_nsec -
		 (uint64_t)t0.tv_nsec < ns);
}

static void add(unsigned long *v)
{
	__atomic_store_n(v, __atomic_load_n(v, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

void __jitter_delay(void)
{
	static const uint64_t max_ns[JITTER_MAX_LEVEL + 1] = { 0, 2000, 10000, 40000 };
	static const unsigned int shift[JITTER_MAX_LEVEL + 1] = { 0, 6, 4, 2 };
	unsigned int level = __atomic_load_n(&__mm_jitter_level, __ATOMIC_RELAXED);
	int cpu = current->cpu, atomic_ctx;
	struct jitter_cpu *j;
	unsigned long gen;
	uint64_t r, ns, h;

	if (cpu < 0 || !level || in_irq())
		return;
	if (level > JITTER_MAX_LEVEL)
		level = JITTER_MAX_LEVEL;
	j = &jitter_cpu[cpu];
	/* Acquire: pairs with mm_jitter_set()'s release. */
	gen = __atomic_load_n(&jitter_gen, __ATOMIC_ACQUIRE);
	if (unlikely(j->gen != gen))
		jitter_reseed(j, (unsigned int)cpu, gen);
	add(&j->points);
	r = jitter_next(&j->x);
	if (r & ((1ULL << shift[level]) - 1))
		return;
	r >>= 8;
	atomic_ctx = irqs_disabled() || READ_ONCE(current->spin_depth) > 0;
	ns = JITTER_MIN_NS + (r >> 3) % (max_ns[level] - JITTER_MIN_NS);
	if (atomic_ctx && ns > JITTER_ATOMIC_NS)
		ns = JITTER_ATOMIC_NS;
	/* The decision goes in the hash before it is carried out. */
	h = __atomic_load_n(&j->hash, __ATOMIC_RELAXED);
	h = (h ^ (r % 8 == 0 && !atomic_ctx ? ~0ULL : ns)) * 0x100000001b3ULL;
	__atomic_store_n(&j->hash, h, __ATOMIC_RELAXED);
	add(&j->delays);
	if (r % 8 == 0 && !atomic_ctx) {
		add(&j->yields);
		sched_yield();
	} else {
		jitter_spin(ns);
	}
}

int mm_jitter_stats(unsigned int cpu, struct jitter_stats *st)
{
	struct jitter_cpu *j;

	if (cpu >= NR_CPUS)
		return -EINVAL;
	j = &jitter_cpu[cpu];
	st->points = __atomic_load_n(&j->points, __ATOMIC_RELAXED);
	st->delays = __atomic_load_n(&j->delays, __ATOMIC_RELAXED);
	st->yields = __atomic_load_n(&j->yields, __ATOMIC_RELAXED);
	st->hash = __atomic_load_n(&j->hash, __ATOMIC_RELAXED);
	return 0;
}
