// SPDX-License-Identifier: MIT
/*
 * stress/jobs/highmem_user.c - the highmem family, and highmem-user:
 * GFP_HIGHUSER pages (highmem on arch=x86_32) written and verified only
 * through kmap() or kmap_atomic() (one way to write, the other to read
 * back), then handed to another CPU, which verifies them through a
 * mapping of its own (a pkmap slot or its own fixmap slot: another
 * address for the same frame) and frees them.
 *
 *   carrier	a page has no address to carry the inbox's link: a small
 *		kmalloc()ed struct hm_carrier does, with the page and its
 *		tag; the receiver frees both.
 *
 * Who touches what: highmem.h.
 */
#include <stddef.h>

#include "highmem.h"

struct hm_carrier {
	struct stress_item item;	/* first: the inbox's */
	struct page *page;
	int by_atomic;			/* written through kmap_atomic() */
};

void hm_fill(char *p, uint64_t tag)
{
	struct pattern_range pr = { HM_PATTERN_START, PAGE_SIZE, 0 };

	pattern_fill(p, &pr, tag);
}

int hm_verify(struct cpu_ctx *c, struct page *page, const char *p, uint64_t tag,
	      const char *how, const char *when)
{
	struct pattern_range pr = { HM_PATTERN_START, PAGE_SIZE, 0 };
	size_t off = pattern_check(p, &pr, PAGE_SIZE, tag);
	char what[96];

	if (likely(off == PATTERN_OK))
		return 0;
	snprintf(what, sizeof(what), "%s page pfn %#lx %s at %p",
		 PageHighMem(page) ? "highmem" : "lowmem", page_to_pfn(page), how, (const void *)p);
	pattern_report(c, p, &pr, off, tag, "page", what, when);
	return 1;
}

struct page *hm_alloc(struct cpu_ctx *c, uint64_t r)
{
	int nid = r % 2 ? (int)num_online_nodes() - 1 : numa_node_id();
	gfp_t gfp = (r >> 1) % 4 ? GFP_HIGHUSER : GFP_HIGHUSER_MOVABLE;
	struct highmem_cpu *hc = family_state(c, &highmem_family);
	struct page *page;

	fail_mark(c);
	page = alloc_pages_node(nid, gfp | __GFP_NOWARN, 0);
	if (!page) {
		count_failure(c, GK_USER, 0);
		return NULL;
	}
	fail_check(c, 1, 0);
	if (PageHighMem(page))
		hc->cnt[HM_HIGH_PAGES]++;
	return page;
}

/* Verify a page through kmap() or kmap_atomic() and free it. */
static void hm_check_free(struct cpu_ctx *c, struct page *page, uint64_t tag, int atomic,
			  const char *when)
{
	char *p = atomic ? kmap_atomic(page) : kmap(page);

	if (p) {
		hm_verify(c, page, p, tag, atomic ? "kmap_atomic()ed" : "kmapped", when);
		if (atomic)
			kunmap_atomic(p);
		else
			kunmap(page);
	}
	__free_page(page);
}

static int highmem_user_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct highmem_cpu *hc = state;
	int by_atomic = r[0] % 2;
	struct hm_carrier *cr;
	struct page *page = hm_alloc(c, r[1]);
	uint64_t tag;
	char *p;

	if (!page)
		return 0;
	tag = stress_tag(c);
	p = by_atomic ? kmap_atomic(page) : kmap(page);
	if (!p) {
		__free_page(page);
		return 0;
	}
	hm_fill(p, tag);
	if (by_atomic) {
		hc->cnt[HM_KMAP_ATOMICS]++;
		kunmap_atomic(p);
	} else {
		hc->cnt[HM_KMAPS]++;
		hc->cnt[HM_HIGH_KMAPS] += PageHighMem(page);
		kunmap(page);
	}
	/* read back the other way, here, then on another CPU */
	if ((r[0] >> 1) % 4 == 0) {
		hm_check_free(c, page, tag, !by_atomic, "written and read back");
		return 0;
	}
	fail_mark(c);
	cr = kmalloc(sizeof(*cr), GFP_KERNEL | __GFP_NOWARN);
	if (!cr) {
		count_failure(c, GK_KERNEL, 0);
		hm_check_free(c, page, tag, !by_atomic, "before freeing it");
		return 0;
	}
	fail_check(c, 0, 1);
	cr->item.tag = tag;
	cr->page = page;
	cr->by_atomic = by_atomic;
	if (stress_send(c, pick_cpu(c, r[2], (enum target)((r[2] >> 32) % 3)), &cr->item)) {
		hm_check_free(c, page, tag, !by_atomic, "before freeing it");
		kfree(cr);
		return 0;
	}
	hc->cnt[HM_SENT]++;
	return 0;
}

static int highmem_receive(struct cpu_ctx *c, void *state, struct stress_item *it,
			   enum receipt how)
{
	struct hm_carrier *cr = (struct hm_carrier *)it;
	struct highmem_cpu *hc = state;

	hm_check_free(c, cr->page, cr->item.tag, !cr->by_atomic, receipt_text(how));
	kfree(cr);
	hc->cnt[HM_RECEIVED]++;
	return 0;
}

/* Give back kmap's pages (verified through kmap_atomic()). */
static void highmem_release(struct cpu_ctx *c, void *state)
{
	struct highmem_cpu *hc = state;

	while (hc->npages) {
		unsigned int i = --hc->npages;

		hm_check_free(c, hc->page[i], hc->tag[i], 1, "before freeing it");
	}
}

static const char *const hm_counter_name[NR_HM_COUNTERS] = {
	"kmaps", "highmem_kmaps", "held_in_batches", "kmap_atomics", "nestings", "highmem_pages",
	"sent", "received",
};

static void highmem_report(struct run *run, FILE *out)
{
	uint64_t s[NR_HM_COUNTERS];
	struct pkmap_stats st;

	family_sum(run, &highmem_family, offsetof(struct highmem_cpu, cnt), NR_HM_COUNTERS, s);
	pkmap_stats_read(&st);
	fprintf(out, "highmem: kmaps %llu (of highmem %llu; %llu held in batches), kmap_atomic %llu "
		"(%llu nestings),\n         highmem pages %llu, handed to another CPU %llu "
		"(verified there %llu);\n         pkmap: %lu mappings, %lu flushes (%lu slots), "
		"%lu kmap sleeps, %u slots mapped now\n\n",
		(unsigned long long)s[HM_KMAPS], (unsigned long long)s[HM_HIGH_KMAPS],
		(unsigned long long)s[HM_HELD], (unsigned long long)s[HM_KMAP_ATOMICS],
		(unsigned long long)s[HM_NESTS], (unsigned long long)s[HM_HIGH_PAGES],
		(unsigned long long)s[HM_SENT], (unsigned long long)s[HM_RECEIVED], st.maps,
		st.flushes, st.flushed, st.sleeps, st.mapped);
}

static void highmem_report_json(struct run *run, json_t *root)
{
	family_sum_json(run, &highmem_family, offsetof(struct highmem_cpu, cnt), hm_counter_name,
			NR_HM_COUNTERS, root, "highmem");
}

const struct stress_family highmem_family = {
	.name = "highmem", .state_size = sizeof(struct highmem_cpu),
	.receive = highmem_receive, .release = highmem_release,
	.report = highmem_report, .report_json = highmem_report_json,
};

const struct stress_job highmem_user_job = {
	.name = "highmem-user", .default_weight = 3, .family = &highmem_family,
	.op = highmem_user_op,
	.what = "GFP_HIGHUSER pages seen only through kmap/kmap_atomic, verified on other CPUs",
};
