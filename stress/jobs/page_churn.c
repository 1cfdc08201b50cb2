// SPDX-License-Identifier: MIT
/*
 * stress/jobs/page_churn.c - page-churn: blocks of random orders and gfp
 * types held for random lifetimes (up to 2000 of the CPU's operations),
 * their patterns verified before every free and at random moments;
 * __GFP_ZERO blocks must come zeroed.  GFP_USER and __GFP_ZERO blocks are
 * half the time __GFP_HIGHMEM ones (highmem on arch=x86_32: seen only
 * through kmap() and kmap_atomic()).
 */
#include "pages.h"

/* 70% order 0, 20% orders 1-3, 10% orders 4-10 */
static unsigned int draw_order(uint64_t r)
{
	unsigned int p = r % 10;

	if (p < 7)
		return 0;
	if (p < 9)
		return 1 + (unsigned int)(r >> 8) % 3;
	return 4 + (unsigned int)(r >> 12) % (MAX_ORDER - 4);
}

static const enum gfp_kind churn_kinds[] = {
	GK_KERNEL, GK_KERNEL, GK_USER, GK_NOIO, GK_NOFS, GK_DMA32, GK_DMA,
	GK_ZERO, GK_COMP, GK_COLD, GK_NOWAIT,
};

/* The first nonzero word (every 512 bytes) of a page's mapping, or -1. */
static long nonzero_at(const unsigned char *p)
{
	for (size_t off = 0; off < PAGE_SIZE; off += 512)
		if (*(const uint64_t *)(p + off))
			return (long)off;
	return -1;
}

/* A highmem block page by page through kmap_atomic(). */
static int zero_check(struct cpu_ctx *c, struct page *page, unsigned int order)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		const unsigned char *p = kmap_atomic(page + i);
		long off;

		if (!p)
			continue;
		off = nonzero_at(p);
		if (off >= 0) {
			uint64_t v = *(const uint64_t *)(p + off);

			kunmap_atomic((void *)p);
			cpu_violation(c, "data-corruption",
				      "__GFP_ZERO block pfn %#lx order %u is not zero at +%#lx: %016llx",
				      page_to_pfn(page), order, (long)(i << PAGE_SHIFT) + off,
				      (unsigned long long)v);
			return 1;
		}
		kunmap_atomic((void *)p);
	}
	return 0;
}

static int page_churn_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct page_cpu *pc = state;
	unsigned int action = r[0] % 8, order = draw_order(r[0] >> 8);
	enum gfp_kind kind = churn_kinds[(r[0] >> 24) % ARRAY_SIZE(churn_kinds)];
	uint64_t lifetime = 1 + (r[0] >> 32) % 2000, tag;
	struct page *page;
	gfp_t gfp;

	/* a block past its lifetime goes first */
	for (int i = 0; i < pc->nheld; i++)
		if (pc->held[i].expiry <= c->nr_ops) {
			block_free_held(c, pc, i);
			break;
		}
	if (action < 4 || !pc->nheld) {
		if (kind == GK_COLD)
			order = 0;	/* the cold list is order 0 */
		/* user and zeroed blocks from highmem too (arch=x86_32) */
		gfp = gfp_kind_mask[kind];
		if ((kind == GK_USER || kind == GK_ZERO) && (r[1] >> 40) % 2)
			gfp |= __GFP_HIGHMEM;
		fail_mark(c);
		page = alloc_pages(gfp | __GFP_NOWARN, order);
		if (!page) {
			count_failure(c, kind, order);
			return 0;
		}
		fail_check(c, 1L << order, 0);
		if (kind == GK_ZERO)
			zero_check(c, page, order);
		tag = stress_tag(c);
		block_fill(page, order, tag);
		if (block_hold(pc, page, order, tag, c->nr_ops + lifetime))
			__free_pages(page, order);	/* full: give it straight back */
	} else if (action < 6) {
		block_free_held(c, pc, (int)(r[1] % (unsigned int)pc->nheld));
	} else {
		struct held_block *b = &pc->held[r[1] % (unsigned int)pc->nheld];

		block_verify(c, b->page, b->order, b->tag, "at a random check");
	}
	return 0;
}

const struct stress_job page_churn_job = {
	.name = "page-churn", .default_weight = 10, .family = &page_family, .op = page_churn_op,
	.what = "random orders and gfp types with random lifetimes, patterns checked",
};
