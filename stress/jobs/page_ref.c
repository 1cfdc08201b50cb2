// SPDX-License-Identifier: MIT
/*
 * stress/jobs/page_ref.c - page-ref: references on an order-0 page, taken
 * with get_page() and dropped with put_page(), whose last one frees it:
 * page_count() must follow, and the page's pattern must survive.
 */
#include "pages.h"

static int page_ref_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	unsigned int refs = 1 + (unsigned int)(r[0] % 8);
	uint64_t tag = stress_tag(c);
	struct page *page;

	(void)state;
	fail_mark(c);
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!page) {
		count_failure(c, GK_KERNEL, 0);
		return 0;
	}
	block_fill(page, 0, tag);
	for (unsigned int i = 0; i < refs; i++)
		get_page(page);
	if (page_count(page) != (int)refs + 1)
		cpu_violation(c, "page-ref", "pfn %#lx: %u get_page() on a new page, page_count() %d",
			      page_to_pfn(page), refs, page_count(page));
	for (unsigned int i = 0; i < refs; i++)
		put_page(page);
	if (page_count(page) != 1)
		cpu_violation(c, "page-ref", "pfn %#lx: %u get_page() then put_page(), page_count() %d",
			      page_to_pfn(page), refs, page_count(page));
	block_verify(c, page, 0, tag, "before its last put_page()");
	put_page(page);				/* the last reference: freed */
	return 0;
}

const struct stress_job page_ref_job = {
	.name = "page-ref", .default_weight = 1, .op = page_ref_op,
	.what = "get_page()/put_page() references on a page; the last put_page() frees it",
};
