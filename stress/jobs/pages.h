/* SPDX-License-Identifier: MIT */
/*
 * stress/jobs/pages.h - what the page jobs share (pages.c): blocks of pages
 * with the engine's pattern, the blocks a CPU holds, and pages handed to
 * another CPU.
 */
#ifndef STRESS_JOBS_PAGES_H
#define STRESS_JOBS_PAGES_H

#include "../engine.h"

#define HELD_MAX	128
/* A block's pattern starts here: a page in transit carries its struct
 * stress_item in the first bytes. */
#define BLOCK_PATTERN_START	64

/* A block a CPU holds (page-churn's, and the corrupt-byte hook's). */
struct held_block {
	struct page *page;
	uint64_t tag;
	uint64_t expiry;		/* op count after which it is freed */
	unsigned int order;
};

/* The page family's per-CPU state: its CPU's only. */
struct page_cpu {
	struct held_block held[HELD_MAX];
	int nheld;
};

extern const struct stress_family page_family;

void block_fill(struct page *page, unsigned int order, uint64_t tag);
/* 0: the block shows tag's pattern; 1: a mismatch (reported). */
int block_verify(struct cpu_ctx *c, struct page *page, unsigned int order, uint64_t tag,
		 const char *when);
/* Hold a filled block until op count expiry: 0, or -1 if full. */
int block_hold(struct page_cpu *pc, struct page *page, unsigned int order, uint64_t tag,
	       uint64_t expiry);
/* Verify and free held block i. */
void block_free_held(struct cpu_ctx *c, struct page_cpu *pc, int i);
/* Hand an order-0 page (filled with tag's pattern after its first bytes)
 * to CPU to, which checks and frees it: 0, or -1 if it is still c's. */
int page_send(struct cpu_ctx *c, struct page *page, uint64_t tag, unsigned int to);

#endif /* STRESS_JOBS_PAGES_H */
