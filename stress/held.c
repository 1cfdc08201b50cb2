// SPDX-License-Identifier: MIT
/*
 * stress/held.c - what every job shares: the PRNG and the operation log,
 * latency histograms, failure counts, and blocks with patterns.
 *
 * A block's pattern is derived from its tag, which names its identity:
 * the CPU that allocated it, that CPU's operation number and the job.
 * Pattern words sit at byte 64 of the block and every 512 bytes after,
 * plus its last word; the first 64 bytes are left to the jobs (a block in
 * transit to another CPU carries its link and tag there).  Two owners of
 * one byte write two different patterns, so one of them is caught.
 */
#include <stdarg.h>
#include <string.h>

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

static uint64_t splitmix64(uint64_t *x)
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

/* FNV-1a over the job and its drawn parameters. */
void op_log(struct cpu_ctx *c, unsigned int job, const uint64_t args[3])
{
	uint64_t h = c->op_hash ? c->op_hash : 0xcbf29ce484222325ULL;
	uint64_t words[4] = { job, args[0], args[1], args[2] };

	for (int w = 0; w < 4; w++)
		for (int b = 0; b < 8; b++) {
			h ^= (words[w] >> (8 * b)) & 0xff;
			h *= 0x100000001b3ULL;
		}
	c->op_hash = h;
}

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

void count_failure(struct cpu_ctx *c, unsigned int job, enum gfp_kind kind, unsigned int order)
{
	c->stats[job].failures++;
	c->stats[job].fail[kind][order]++;
}

void add_violation(struct run *run, const char *kind, int cpu, const char *fmt, ...)
{
	unsigned long lockflags;
	va_list ap;

	spin_lock_irqsave(&run->lock, lockflags);
	if (run->nr_v < MAX_VIOLATIONS) {
		struct violation *v = &run->v[run->nr_v++];

		snprintf(v->kind, sizeof(v->kind), "%s", kind);
		v->cpu = cpu;
		va_start(ap, fmt);
		vsnprintf(v->message, sizeof(v->message), fmt, ap);
		va_end(ap);
	} else {
		run->nr_v_dropped++;
	}
	spin_unlock_irqrestore(&run->lock, lockflags);
}

uint64_t block_tag(const struct cpu_ctx *c, unsigned int job)
{
	return (uint64_t)c->cpu << 48 | (c->nr_ops & 0xffffffffffULL) << 8 | job;
}

static inline uint64_t pattern_word(uint64_t tag, size_t i)
{
	uint64_t x = tag ^ (i * 0x9e3779b97f4a7c15ULL);

	return splitmix64(&x);
}

#define PATTERN_START	64
#define PATTERN_STRIDE	512

void block_fill(struct page *page, unsigned int order, uint64_t tag)
{
	unsigned char *p = page_address(page);
	size_t len = PAGE_SIZE << order;

	for (size_t off = PATTERN_START; off < len; off += PATTERN_STRIDE)
		*(uint64_t *)(p + off) = pattern_word(tag, off);
	*(uint64_t *)(p + len - 8) = pattern_word(tag, len - 8);
}

static int check_word(struct cpu_ctx *c, struct page *page, unsigned int order, uint64_t tag,
		      size_t off, const char *when)
{
	unsigned char *p = page_address(page);
	uint64_t want = pattern_word(tag, off), got = *(uint64_t *)(p + off);

	if (likely(got == want))
		return 0;
	add_violation(c->run, "data-corruption", (int)c->cpu,
		      "DATA CORRUPTION on CPU %u %s: block at %p pfn %#lx order %u, "
		      "owned by CPU %llu since its operation %llu (job %s): at +%#zx (%p) "
		      "expected %016llx, found %016llx",
		      c->cpu, when, (void *)p, page_to_pfn(page), order,
		      (unsigned long long)(tag >> 48),
		      (unsigned long long)((tag >> 8) & 0xffffffffffULL),
		      jobs[tag & 0xff].name, off, (void *)(p + off),
		      (unsigned long long)want, (unsigned long long)got);
	return 1;
}

/* 0: the pattern is intact; 1: a mismatch (reported once per block). */
int block_verify(struct cpu_ctx *c, struct page *page, unsigned int order, uint64_t tag,
		 const char *when)
{
	size_t len = PAGE_SIZE << order;

	for (size_t off = PATTERN_START; off < len; off += PATTERN_STRIDE)
		if (check_word(c, page, order, tag, off, when))
			return 1;
	return check_word(c, page, order, tag, len - 8, when);
}

int held_add(struct cpu_ctx *c, struct page *page, unsigned int order, unsigned int job,
	     uint64_t tag, uint64_t lifetime)
{
	struct held_block *b;

	if (c->nheld == HELD_MAX)
		return -1;
	b = &c->held[c->nheld++];
	b->page = page;
	b->order = (uint8_t)order;
	b->job = (uint8_t)job;
	b->tag = tag;
	b->expiry = c->nr_ops + lifetime;
	return 0;
}

void held_free(struct cpu_ctx *c, int i, int verify)
{
	struct held_block b = c->held[i];

	c->held[i] = c->held[--c->nheld];
	if (verify)
		block_verify(c, b.page, b.order, b.tag, "before freeing it");
	__free_pages(b.page, b.order);
}

void held_release_all(struct cpu_ctx *c)
{
	while (c->nheld)
		held_free(c, c->nheld - 1, 1);
}
