// SPDX-License-Identifier: MIT
/*
 * stress/jobs/pcp_pingpong.c - pcp-pingpong: order-0 pages handed to
 * another CPU, which checks and frees them (the remote-free path of the
 * per-CPU lists: the page goes onto the receiver's list).
 */
#include "pages.h"

static int pcp_pingpong_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct page *page;
	uint64_t tag;

	(void)state;
	fail_mark(c);
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!page) {
		count_failure(c, GK_KERNEL, 0);
		return 0;
	}
	tag = stress_tag(c);
	block_fill(page, 0, tag);
	if (page_send(c, page, tag, pick_cpu(c, r[0], TARGET_ANY))) {
		/* a machine of one CPU, or one that stopped: freed here */
		block_verify(c, page, 0, tag, "before freeing it");
		__free_page(page);
	}
	return 0;
}

const struct stress_job pcp_pingpong_job = {
	.name = "pcp-pingpong", .default_weight = 5, .family = &page_family, .op = pcp_pingpong_op,
	.what = "order-0 pages handed to another CPU to check and free (remote frees)",
};
