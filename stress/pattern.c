// SPDX-License-Identifier: MIT
/*
 * stress/pattern.c - the one pattern every job writes into what it holds.
 *
 * A block, object or pool element carries the pattern of its tag (its
 * identity: CPU, serial, job) over a range of its bytes, laid out as
 * engine.h says: the word at offset off is pattern_word(tag, off), a
 * splitmix64 of both, so that every word differs from its neighbours, from
 * the same offset of every other block, and from a shifted copy.  The
 * range leaves the first bytes to the owner (a header, the inbox's link).
 * A mismatch is reported with the block's description from its owner and
 * the identity decoded from the tag.
 *
 * Who touches what: the memory is its owner's; nothing here is shared.
 * Words are plain loads and stores, so that ThreadSanitizer sees two
 * owners of one byte as the race it is.
 */
#include <string.h>

#include "mmstress.h"

uint64_t pattern_word(uint64_t tag, size_t off)
{
	uint64_t x = tag ^ (off * 0x9e3779b97f4a7c15ULL);

	return splitmix64(&x);
}

static inline uint64_t ld64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void st64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline size_t next_word(const struct pattern_range *pr, size_t off)
{
	return off < pr->dense ? off + 8 : off + PATTERN_STRIDE;
}

/* The byte at off of the trailing word (the range's end is not a multiple of 8). */
static inline unsigned char tail_byte(uint64_t tag, size_t end8, size_t off)
{
	return (unsigned char)(pattern_word(tag, end8) >> (8 * (off & 7)));
}

void pattern_fill(void *base, const struct pattern_range *pr, uint64_t tag)
{
	unsigned char *b = base;
	size_t end8 = pr->end & ~(size_t)7, off;

	for (off = pr->start; off + 8 <= pr->end; off = next_word(pr, off))
		st64(b + off, pattern_word(tag, off));
	if (end8 >= pr->start + 8)
		st64(b + end8 - 8, pattern_word(tag, end8 - 8));
	for (off = max(end8, pr->start); off < pr->end; off++)
		b[off] = tail_byte(tag, end8, off);
}

size_t pattern_check(const void *base, const struct pattern_range *pr, size_t len, uint64_t tag)
{
	const unsigned char *b = base;
	size_t end8 = pr->end & ~(size_t)7, off;

	for (off = pr->start; off + 8 <= pr->end && off + 8 <= len; off = next_word(pr, off))
		if (unlikely(ld64(b + off) != pattern_word(tag, off)))
			return off;
	if (end8 >= pr->start + 8 && end8 <= len &&
	    unlikely(ld64(b + end8 - 8) != pattern_word(tag, end8 - 8)))
		return end8 - 8;
	for (off = max(end8, pr->start); off < pr->end && off < len; off++)
		if (unlikely(b[off] != tail_byte(tag, end8, off)))
			return off;
	return PATTERN_OK;
}

void report_corruption(struct cpu_ctx *c, const void *base, size_t off, uint64_t want,
		       uint64_t got, uint64_t tag, const char *noun, const char *what,
		       const char *when)
{
	cpu_violation(c, "data-corruption",
		      "DATA CORRUPTION on CPU %u %s: %s, CPU %u's %s %llu (job %s): at +%#zx (%p) "
		      "expected %016llx, found %016llx", c->cpu, when, what, tag_cpu(tag), noun,
		      (unsigned long long)tag_serial(tag), tag_job_name(tag), off,
		      (const void *)((const char *)base + off), (unsigned long long)want,
		      (unsigned long long)got);
}

void pattern_report(struct cpu_ctx *c, const void *base, const struct pattern_range *pr,
		    size_t off, uint64_t tag, const char *noun, const char *what, const char *when)
{
	const unsigned char *b = base;
	size_t end8 = pr->end & ~(size_t)7;
	uint64_t want, got;

	if (off < end8) {		/* a word: ranges start at a multiple of 8 */
		want = pattern_word(tag, off);
		got = ld64(b + off);
	} else {
		want = tail_byte(tag, end8, off);
		got = b[off];
	}
	report_corruption(c, base, off, want, got, tag, noun, what, when);
}
