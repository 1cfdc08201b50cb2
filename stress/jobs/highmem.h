/* SPDX-License-Identifier: MIT */
/*
 * stress/jobs/highmem.h - what the highmem jobs share: the family
 * (highmem_user.c: the per-CPU state, pages handed to other CPUs, the
 * report) and the pattern of a page seen only through kmap().
 *
 *   kmap.c		kmap: many kmaps held at once on every CPU (the pkmap
 *			window exhausted, sleepers), nested kmap_atomic()
 *   highmem_user.c	highmem-user: GFP_HIGHUSER pages written and verified
 *			through kmap()/kmap_atomic() only, handed to other
 *			CPUs that verify them the other way
 *
 * Who touches what: a struct highmem_cpu is its CPU's (engine.h); a page
 * in transit is its carrier's, whose owner is the inbox's, then its
 * receiver's.
 */
#ifndef STRESS_JOBS_HIGHMEM_H
#define STRESS_JOBS_HIGHMEM_H

#include "../engine.h"

/* The pages a CPU's kmap job keeps: at most the bound of kmap.c. */
#define KMAP_PAGES_MAX	LAST_PKMAP

enum highmem_counter {
	HM_KMAPS,		/* kmap() calls that mapped */
	HM_HIGH_KMAPS,		/* of them, of a highmem page */
	HM_HELD,		/* kmaps held together (summed over batches) */
	HM_KMAP_ATOMICS,	/* kmap_atomic() calls */
	HM_NESTS,		/* kmap_atomic() nestings (2 or more deep) */
	HM_HIGH_PAGES,		/* highmem pages allocated */
	HM_SENT,		/* pages handed to another CPU */
	HM_RECEIVED,		/* pages verified by another CPU */
	NR_HM_COUNTERS
};

struct highmem_cpu {
	/* kmap's pages, each with the pattern of its tag */
	struct page *page[KMAP_PAGES_MAX];
	uint64_t tag[KMAP_PAGES_MAX];
	unsigned int npages;
	char *addr[KMAP_PAGES_MAX];		/* one operation's kmaps */
	char *atomic_addr[KM_TYPE_NR];		/* depth d's address, once seen */
	uint64_t cnt[NR_HM_COUNTERS];
};

extern const struct stress_family highmem_family;

/* The pattern of a page (after its first HM_PATTERN_START bytes). */
#define HM_PATTERN_START	64
void hm_fill(char *p, uint64_t tag);
/* 0, or 1 after reporting a mismatch of the page mapped at p. */
int hm_verify(struct cpu_ctx *c, struct page *page, const char *p, uint64_t tag,
	      const char *how, const char *when);
/* A page for the highmem jobs: from the node with highmem half the time
 * (pick from r), GFP_HIGHUSER; NULL counted as a failure. */
struct page *hm_alloc(struct cpu_ctx *c, uint64_t r);

#endif /* STRESS_JOBS_HIGHMEM_H */
