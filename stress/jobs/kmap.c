// SPDX-License-Identifier: MIT
/*
 * stress/jobs/kmap.c - kmap: every CPU keeps a set of pages (highmem on
 * arch=x86_32, from the node that has it, else lowmem) with their
 * patterns, and in one operation kmaps a batch of them at once, checks
 * each through its pkmap address (page_address() and kmap_to_page() must
 * agree with it), rewrites it and kunmaps the batch in another order; or
 * nests kmap_atomic() up to KM_TYPE_NR deep, each depth always at the
 * same address, checked and released in LIFO order.
 *
 * Progress argument: a CPU holds kmaps only inside one operation, where
 * it waits for nothing but pkmap slots.  One CPU at a time (kmap_hog)
 * batches up to H = LAST_PKMAP - (nr_cpus - 1) * (B - 1) kmaps; the others
 * batch at most B (the other jobs hold at most one, and none while they
 * wait).  So the CPUs asleep in kmap() hold at most (H - 1) + (nr_cpus -
 * 1) * (B - 1) = LAST_PKMAP - 1 slots: when the window is full, a CPU
 * that holds a slot is awake and will kunmap it.  B is 1 on a machine of
 * more than one CPU (so H is the whole window: while the hog holds it,
 * every other kmap() of a highmem page sleeps, and the hog's last ones
 * sleep whenever another CPU holds a slot; with B = 2 the window was
 * seldom full), LAST_PKMAP on one.  Before a batch the CPU closes its
 * inbox (it may sleep until others kunmap).
 *
 * Who touches what: highmem.h.
 */
#include "highmem.h"

/* The CPU batching the most kmaps, or -1 (atomic: acquire to take it,
 * release to give it back). */
static int kmap_hog = -1;

/* B: what a CPU that is not the hog may batch (see the top). */
static unsigned int kmap_bound(const struct cpu_ctx *c)
{
	return run_nr_cpus(c->run) > 1 ? 1 : LAST_PKMAP;
}

/* H: what the hog may batch (the pages a CPU keeps, too). */
static unsigned int kmap_hog_bound(const struct cpu_ctx *c)
{
	unsigned int h = LAST_PKMAP - (run_nr_cpus(c->run) - 1) * (kmap_bound(c) - 1);

	return h < KMAP_PAGES_MAX ? h : KMAP_PAGES_MAX;
}

/* A few more pages, up to the bound. */
static void kmap_grow(struct cpu_ctx *c, struct highmem_cpu *hc, uint64_t r)
{
	unsigned int n = 1 + (unsigned int)(r % 64), bound = kmap_hog_bound(c);

	while (n-- && hc->npages < bound) {
		/* from the node with highmem (r odd) */
		struct page *page = hm_alloc(c, op_random(c) | 1);
		uint64_t tag;
		char *p;

		if (!page)
			return;
		p = kmap_atomic(page);
		if (!p) {
			__free_page(page);
			return;
		}
		tag = stress_tag(c);
		hm_fill(p, tag);
		kunmap_atomic(p);
		hc->page[hc->npages] = page;
		hc->tag[hc->npages++] = tag;
	}
}

/* One page fewer: verified through kmap(), freed. */
static void kmap_shrink(struct cpu_ctx *c, struct highmem_cpu *hc, uint64_t r)
{
	unsigned int i = (unsigned int)(r % hc->npages);
	struct page *page = hc->page[i];
	char *p = kmap(page);

	if (p) {
		hm_verify(c, page, p, hc->tag[i], "kmapped", "before freeing it");
		kunmap(page);
	}
	__free_page(page);
	hc->page[i] = hc->page[--hc->npages];
	hc->tag[i] = hc->tag[hc->npages];
}

/* Is p where page is mapped, as page_address() and kmap_to_page() say? */
static void kmap_agree(struct cpu_ctx *c, struct page *page, char *p)
{
	if (page_address(page) != p || kmap_to_page(p) != page)
		cpu_violation(c, "corruption",
			      "kmap() of pfn %#lx returned %p, but page_address() is %p and kmap_to_page() pfn %#lx",
			      page_to_pfn(page), (void *)p, page_address(page),
			      page_to_pfn(kmap_to_page(p)));
}

static unsigned int gcd(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* n of the CPU's pages (from `first`, in a ring) kmapped at once. */
static void kmap_batch(struct cpu_ctx *c, struct highmem_cpu *hc, unsigned int first,
		       unsigned int n, uint64_t r)
{
	unsigned int held = 0, step;

	inbox_close(c);
	for (unsigned int k = 0; k < n; k++) {
		unsigned int i = (first + k) % hc->npages;
		struct page *page = hc->page[i];
		char *p = kmap(page);

		hc->addr[i] = p;
		if (!p)
			continue;	/* the host refused: not held */
		held++;
		hc->cnt[HM_KMAPS]++;
		hc->cnt[HM_HIGH_KMAPS] += PageHighMem(page);
		kmap_agree(c, page, p);
		if (!hm_verify(c, page, p, hc->tag[i], "kmapped", "at a kmap() batch")) {
			hc->tag[i] = stress_tag(c);
			hm_fill(p, hc->tag[i]);
		}
	}
	hc->cnt[HM_HELD] += held;
	/* released in another order: every step-th of the ring (step and n
	 * coprime, so each once) */
	step = 1 + (unsigned int)(r % n);
	while (gcd(step, n) != 1)
		step--;
	for (unsigned int k = 0, at = 0; k < n; k++, at = (at + step) % n) {
		unsigned int i = (first + at) % hc->npages;

		if (hc->addr[i])
			kunmap(hc->page[i]);
		hc->addr[i] = NULL;
	}
	inbox_open(c);
}

/* kmap_atomic() nested depth deep, released in LIFO order. */
static void kmap_nest(struct cpu_ctx *c, struct highmem_cpu *hc, unsigned int first,
		      unsigned int depth)
{
	char *p[KM_TYPE_NR];
	unsigned int d, slot = 0;	/* highmem pages use slots, lowmem none */

	for (d = 0; d < depth; d++) {
		unsigned int i = (first + d) % hc->npages;
		struct page *page = hc->page[i];

		p[d] = kmap_atomic(page);
		if (!p[d])
			break;
		hc->cnt[HM_KMAP_ATOMICS]++;
		if (PageHighMem(page)) {
			/* slot depth `slot` of this CPU: always the same address */
			if (!hc->atomic_addr[slot])
				hc->atomic_addr[slot] = p[d];
			else if (hc->atomic_addr[slot] != p[d])
				cpu_violation(c, "corruption",
					      "kmap_atomic() at slot depth %u returned %p, earlier %p",
					      slot, (void *)p[d], (void *)hc->atomic_addr[slot]);
			slot++;
		}
		hm_verify(c, page, p[d], hc->tag[i], "kmap_atomic()ed", "at a nested kmap_atomic()");
	}
	if (d > 1)
		hc->cnt[HM_NESTS]++;
	while (d--) {
		unsigned int i = (first + d) % hc->npages;

		/* the top one still right after the ones above it went */
		hm_verify(c, hc->page[i], p[d], hc->tag[i], "kmap_atomic()ed",
			  "after the kunmap_atomic() of the ones above it");
		kunmap_atomic(p[d]);
	}
}

static int kmap_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct highmem_cpu *hc = state;
	unsigned int action = r[0] % 8, bound = kmap_bound(c);

	if (action < 2 || !hc->npages) {
		kmap_grow(c, hc, r[1]);
	} else if (action < 3) {
		kmap_shrink(c, hc, r[1]);
	} else if (action < 6) {
		/* mostly big batches: the window runs out */
		unsigned int n = (r[1] >> 8) % 2 ? bound : 1 + (unsigned int)(r[1] >> 16) % bound;
		int none = -1, hog = (r[1] >> 40) % 4 == 0 &&
			__atomic_compare_exchange_n(&kmap_hog, &none, (int)c->cpu, 0,
						    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);

		if (hog)
			n = kmap_hog_bound(c);
		kmap_batch(c, hc, (unsigned int)(r[2] % hc->npages), min(n, hc->npages), r[2] >> 32);
		if (hog)
			__atomic_store_n(&kmap_hog, -1, __ATOMIC_RELEASE);
	} else {
		unsigned int depth = 1 + (unsigned int)(r[1] % KM_TYPE_NR);

		kmap_nest(c, hc, (unsigned int)(r[2] % hc->npages), min(depth, hc->npages));
	}
	return 0;
}

const struct stress_job kmap_job = {
	.name = "kmap", .default_weight = 3, .family = &highmem_family, .op = kmap_op,
	.what = "batches of kmaps exhausting the pkmap window, nested kmap_atomic, patterns checked",
};
