// SPDX-License-Identifier: MIT
/*
 * stress/jobs/pages.c - the page family: what page-churn and pcp-pingpong
 * share, and the page helpers of every page job.
 *
 *   blocks	a block of 2^order pages carries the engine's pattern of its
 *		tag from byte BLOCK_PATTERN_START on: a word every
 *		PATTERN_STRIDE bytes and its last word (a highmem block's:
 *		page by page through kmap_atomic()/kmap(), each page's last
 *		word too).  It is verified before it is freed and at random
 *		moments.
 *   held	the blocks a CPU holds (struct page_cpu), each until its
 *		expiry; released, verified, when the CPU stops.
 *   in transit	an order-0 page handed to another CPU starts with its
 *		struct stress_item, a root of kmemleak's while it is in an
 *		inbox (item_root_add()); the receiver verifies and frees it.
 *   corrupt-byte	the test hook: a byte of a block CPU 0 holds.
 *
 * Who touches what: a struct page_cpu is its CPU's; a page in transit is
 * the inbox's (see inbox.c), then its receiver's.
 */
#include "pages.h"

static void block_range(struct pattern_range *pr, unsigned int order)
{
	pr->start = BLOCK_PATTERN_START;
	pr->end = PAGE_SIZE << order;
	pr->dense = 0;
}

/*
 * A highmem block has no address: its pattern goes page by page through
 * kmap_atomic() (fill) and kmap() (verify), each page's range being bytes
 * [i * PAGE_SIZE + BLOCK_PATTERN_START, (i + 1) * PAGE_SIZE) of the block
 * (its last word included), at base = the page's mapping - i * PAGE_SIZE
 * so that offsets stay the block's.
 */
static void page_range(struct pattern_range *pr, unsigned long i)
{
	pr->start = (i << PAGE_SHIFT) + BLOCK_PATTERN_START;
	pr->end = (i + 1) << PAGE_SHIFT;
	pr->dense = 0;
}

void block_fill(struct page *page, unsigned int order, uint64_t tag)
{
	struct pattern_range pr;

	if (!PageHighMem(page)) {
		block_range(&pr, order);
		pattern_fill(page_address(page), &pr, tag);
		return;
	}
	for (unsigned long i = 0; i < (1UL << order); i++) {
		char *p = kmap_atomic(page + i);

		if (!p)
			continue;	/* the host refused: verify skips it too */
		page_range(&pr, i);
		pattern_fill(p - (i << PAGE_SHIFT), &pr, tag);
		kunmap_atomic(p);
	}
}

static int block_verify_high(struct cpu_ctx *c, struct page *page, unsigned int order,
			     uint64_t tag, const char *when)
{
	struct pattern_range pr;
	char what[96];
	size_t off = PATTERN_OK;
	char *p = NULL;
	unsigned long i;

	for (i = 0; i < (1UL << order) && off == PATTERN_OK; i++) {
		p = kmap(page + i);
		if (!p)
			continue;
		page_range(&pr, i);
		off = pattern_check(p - (i << PAGE_SHIFT), &pr, pr.end, tag);
		if (off == PATTERN_OK)
			kunmap(page + i);
	}
	if (likely(off == PATTERN_OK))
		return 0;
	i--;
	snprintf(what, sizeof(what), "highmem block pfn %#lx order %u (page %lu kmapped at %p)",
		 page_to_pfn(page), order, i, (void *)p);
	pattern_report(c, p - (i << PAGE_SHIFT), &pr, off, tag, "block", what, when);
	kunmap(page + i);
	return 1;
}

int block_verify(struct cpu_ctx *c, struct page *page, unsigned int order, uint64_t tag,
		 const char *when)
{
	const void *p = page_address(page);
	struct pattern_range pr;
	char what[96];
	size_t off;

	if (PageHighMem(page))
		return block_verify_high(c, page, order, tag, when);
	block_range(&pr, order);
	off = pattern_check(p, &pr, pr.end, tag);
	if (likely(off == PATTERN_OK))
		return 0;
	snprintf(what, sizeof(what), "block at %p pfn %#lx order %u", p, page_to_pfn(page), order);
	pattern_report(c, p, &pr, off, tag, "block", what, when);
	return 1;
}

int block_hold(struct page_cpu *pc, struct page *page, unsigned int order, uint64_t tag,
	       uint64_t expiry)
{
	struct held_block *b;

	if (pc->nheld == HELD_MAX)
		return -1;
	b = &pc->held[pc->nheld++];
	b->page = page;
	b->order = order;
	b->tag = tag;
	b->expiry = expiry;
	return 0;
}

void block_free_held(struct cpu_ctx *c, struct page_cpu *pc, int i)
{
	struct held_block b = pc->held[i];

	pc->held[i] = pc->held[--pc->nheld];
	block_verify(c, b.page, b.order, b.tag, "before freeing it");
	__free_pages(b.page, b.order);
}

int page_send(struct cpu_ctx *c, struct page *page, uint64_t tag, unsigned int to)
{
	struct stress_item *it = page_address(page);

	it->tag = tag;
	/* a page is no object of kmemleak's: its link is a root in transit */
	item_root_add(it);
	if (stress_send(c, to, it)) {
		item_root_del(it);
		return -1;
	}
	return 0;
}

static int page_receive(struct cpu_ctx *c, void *state, struct stress_item *it, enum receipt how)
{
	struct page *page = virt_to_page(it);

	(void)state;
	item_root_del(it);
	block_verify(c, page, 0, it->tag, receipt_text(how));
	__free_page(page);
	return 0;
}

static void page_release(struct cpu_ctx *c, void *state)
{
	struct page_cpu *pc = state;

	while (pc->nheld)
		block_free_held(c, pc, pc->nheld - 1);
}

/* Test hook: one byte of the first pattern word of a block CPU 0 holds. */
static int page_corrupt(struct cpu_ctx *c, void *state)
{
	struct page_cpu *pc = state;
	unsigned char *p;

	if (!pc->nheld) {
		struct page *page = alloc_page(GFP_KERNEL);
		uint64_t tag = stress_tag(c);

		if (!page)
			return 0;
		block_fill(page, 0, tag);
		block_hold(pc, page, 0, tag, c->nr_ops + (1ULL << 40));
	}
	p = kmap(pc->held[0].page);	/* (a highmem block's too) */
	if (!p)
		return 0;
	p[BLOCK_PATTERN_START + 3] ^= 0x5a;
	kunmap(pc->held[0].page);
	return 1;
}

const struct stress_family page_family = {
	.name = "page", .state_size = sizeof(struct page_cpu),
	.receive = page_receive, .release = page_release,
	.inject = "corrupt-byte", .corrupt = page_corrupt,
};
