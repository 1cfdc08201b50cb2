// SPDX-License-Identifier: MIT
/*
 * stress/jobs/fragment.c - fragment: fill a node with 64 to 511 order-0
 * pages, give every other one back so that the node is full of holes of
 * one page, then ask it for four blocks of order 3 to 10
 * (__GFP_NORETRY); every page and block carries a pattern, verified
 * before it is freed.
 */
#include "pages.h"

#define FRAG_MAX 512

static int fragment_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	int nid = (int)(r[0] % num_online_nodes());
	unsigned int n = 64 + (unsigned int)((r[0] >> 8) % (FRAG_MAX - 64));
	unsigned int order = 3 + (unsigned int)((r[0] >> 20) % (MAX_ORDER - 3));
	struct page *pages[FRAG_MAX], *big[4];
	uint64_t tag = stress_tags(c, n + 4);

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		fail_mark(c);
		pages[i] = alloc_pages_node(nid, GFP_KERNEL | __GFP_NOWARN, 0);
		if (!pages[i])
			count_failure(c, GK_KERNEL, 0);
		else
			block_fill(pages[i], 0, TAG_NEXT(tag, i));
	}
	/* every other page back: the node is full of holes of one page */
	for (unsigned int i = 1; i < n; i += 2)
		if (pages[i]) {
			block_verify(c, pages[i], 0, TAG_NEXT(tag, i), "before freeing it");
			__free_page(pages[i]);
		}
	for (unsigned int k = 0; k < 4; k++) {
		fail_mark(c);
		big[k] = alloc_pages_node(nid, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, order);
		if (!big[k])
			count_failure(c, GK_KERNEL, order);
		else
			block_fill(big[k], order, TAG_NEXT(tag, n + k));
	}
	for (unsigned int k = 0; k < 4; k++)
		if (big[k]) {
			block_verify(c, big[k], order, TAG_NEXT(tag, n + k), "before freeing it");
			__free_pages(big[k], order);
		}
	for (unsigned int i = 0; i < n; i += 2)
		if (pages[i]) {
			block_verify(c, pages[i], 0, TAG_NEXT(tag, i), "before freeing it");
			__free_page(pages[i]);
		}
	return 0;
}

const struct stress_job fragment_job = {
	.name = "fragment", .default_weight = 2, .op = fragment_op,
	.what = "fragment a node with order-0 pages, then ask it for high orders",
};
