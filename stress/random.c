// SPDX-License-Identifier: MIT
/*
 * stress/random.c - randomness and identities.
 *
 *   the stream	one xoshiro256** per CPU, seeded with splitmix64 from
 *		(seed, cpu): the only source of randomness of a run.  The
 *		engine alone draws from it (the job and three words per
 *		operation), so the sequence of operations a CPU runs is a
 *		function of the seed, whatever happens inside them.
 *   op_random()	more words for an operation that needs them, derived
 *		from its three by splitmix64: deterministic too, and never a
 *		draw from the stream.
 *   stress_tag()	a new identity: CPU, a per-CPU serial and the job.
 *		Patterns are derived from it, and reports decode it.
 *
 * Who touches what: a CPU's stream, words and serial are its own
 * (struct cpu_ctx).
 */
#include <time.h>

#include "mmstress.h"

uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void prng_seed(struct prng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t prng_next(struct prng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t op_random(struct cpu_ctx *c)
{
	uint64_t x = c->op_r[0] ^ rotl(c->op_r[1], 21) ^ rotl(c->op_r[2], 42) ^
		     ++c->op_draws * 0xd1342543de82ef95ULL;

	return splitmix64(&x);
}

uint64_t stress_tags(struct cpu_ctx *c, unsigned int n)
{
	uint64_t tag = (uint64_t)c->cpu << 48 | (c->serial & 0xffffffffffULL) << 8 |
		       (uint8_t)c->cur_job;

	c->serial += n;
	return tag;
}

uint64_t stress_tag(struct cpu_ctx *c)
{
	return stress_tags(c, 1);
}

const char *tag_job_name(uint64_t tag)
{
	return tag_job(tag) < nr_jobs ? jobs[tag_job(tag)]->name : "?";
}

uint64_t stress_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
