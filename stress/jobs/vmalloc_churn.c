// SPDX-License-Identifier: MIT
/*
 * stress/jobs/vmalloc_churn.c - vmalloc-churn: virtually contiguous areas
 * of random sizes (1 to 64 pages, now and then up to 256) made by
 * vmalloc(), vzalloc(), vmalloc_node() on a random node, __vmalloc_node()
 * at a random alignment, and vmap() of pages the job allocated; each
 * carries the engine's pattern, checked through the vmalloc address and,
 * page by page, through vmalloc_to_page() + kmap_atomic() (page_address()
 * for lowmem, a fixmap slot for a highmem page).  Areas are freed at random, one in eight from atomic
 * context (a deferred vfree()), or handed to another CPU that checks and
 * frees them (a remote vfree()).
 *
 * Who touches what: struct vm_cpu is its CPU's (the family state); an
 * area in transit carries its struct vm_item in its first bytes and is
 * the receiver's from stress_send() on.  Each CPU holds at most LIVE_MAX
 * pages, so a run maps at most LIVE_MAX pages per CPU (plus vmalloc's
 * lazy ones), far below the host's vm.max_map_count.
 */
#include <string.h>

#include "../engine.h"

#define VM_HELD_MAX	16
#define LIVE_MAX	256		/* pages a CPU holds at once */
#define VM_PATTERN_START	64	/* room for struct vm_item */

enum vm_kind { VK_VMALLOC, VK_VZALLOC, VK_NODE, VK_ALIGNED, VK_VMAP, NR_VK };

struct vm_held {
	void *addr;
	struct page **pages;		/* VK_VMAP: the job's own pages */
	unsigned int nr_pages;
	enum vm_kind kind;
	uint64_t tag;
};

struct vm_cpu {
	struct vm_held held[VM_HELD_MAX];
	int nheld;
	unsigned int live;		/* pages held */
};

/* An area handed to another CPU: in its first bytes. */
struct vm_item {
	struct stress_item hdr;
	unsigned int nr_pages;
};

static const struct stress_family vmalloc_family;

static struct pattern_range vm_range(unsigned int nr_pages)
{
	return (struct pattern_range){ VM_PATTERN_START, (size_t)nr_pages << PAGE_SHIFT,
				       PATTERN_DENSE };
}

/* The pattern through the area, then page by page through the frames. */
static int vm_verify(struct cpu_ctx *c, const void *addr, unsigned int nr_pages, uint64_t tag,
		     const char *when)
{
	struct pattern_range pr = vm_range(nr_pages);
	size_t off = pattern_check(addr, &pr, pr.end, tag);

	if (off != PATTERN_OK) {
		pattern_report(c, addr, &pr, off, tag, "vmalloc area", "vmalloc-churn", when);
		return 1;
	}
	for (unsigned int i = 0; i < nr_pages; i++) {
		const char *va = (const char *)addr + ((size_t)i << PAGE_SHIFT);
		struct page *page = vmalloc_to_page(va);
		uint64_t want = 0, got = 0;
		const char *base;
		size_t at = 0;

		if (!page) {
			cpu_violation(c, "corruption",
				      "vmalloc-churn: page %u of area %p (tag %#llx) has no page (vmalloc_to_page() NULL) %s",
				      i, addr, (unsigned long long)tag, when);
			return 1;
		}
		/* the words fill wrote in this frame, read through another
		 * mapping of it: the direct map's, or a fixmap slot (highmem) */
		base = kmap_atomic(page);
		for (size_t o = i ? 0 : pr.start; o < PAGE_SIZE;
		     o += ((size_t)i << PAGE_SHIFT) + o < pr.dense ? 8 : PATTERN_STRIDE) {
			at = ((size_t)i << PAGE_SHIFT) + o;
			want = pattern_word(tag, at);
			memcpy(&got, base + o, sizeof(got));
			if (got != want)
				break;
		}
		kunmap_atomic((void *)base);
		if (got != want) {
			report_corruption(c, addr, at, want, got, tag,
					  "vmalloc area (through its page)", "vmalloc-churn", when);
			return 1;
		}
	}
	return 0;
}

static void vm_free(struct cpu_ctx *c, struct vm_held *h, int atomic)
{
	vm_verify(c, h->addr, h->nr_pages, h->tag, "before freeing it");
	if (h->kind == VK_VMAP) {
		vunmap(h->addr);
		for (unsigned int i = 0; i < h->nr_pages; i++)
			__free_page(h->pages[i]);
		kfree(h->pages);
		return;
	}
	if (atomic) {
		local_irq_disable();
		vfree(h->addr);		/* deferred to this CPU's work */
		local_irq_enable();
	} else {
		vfree(h->addr);
	}
}

/* Held area i out of held[] (its slot erased: no stale copy in a root). */
static struct vm_held vm_unhold(struct vm_cpu *vc, int i)
{
	struct vm_held h = vc->held[i];

	vc->held[i] = vc->held[--vc->nheld];
	kmemleak_erase(&vc->held[vc->nheld].addr);
	vc->held[vc->nheld].pages = NULL;
	vc->live -= h.nr_pages;
	return h;
}

static void vm_free_held(struct cpu_ctx *c, struct vm_cpu *vc, int i, int atomic)
{
	struct vm_held h = vm_unhold(vc, i);

	vm_free(c, &h, atomic);
}

static void *vm_vmap(struct cpu_ctx *c, struct vm_held *h)
{
	void *addr;

	h->pages = kmalloc_array(h->nr_pages, sizeof(*h->pages), GFP_KERNEL | __GFP_NOWARN);
	if (!h->pages)
		return NULL;
	for (unsigned int i = 0; i < h->nr_pages; i++) {
		h->pages[i] = alloc_page(GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN);
		if (!h->pages[i]) {
			while (i--)
				__free_page(h->pages[i]);
			kfree(h->pages);
			return NULL;
		}
	}
	addr = vmap(h->pages, h->nr_pages, VM_MAP, PAGE_KERNEL);
	if (!addr) {
		for (unsigned int i = 0; i < h->nr_pages; i++)
			__free_page(h->pages[i]);
		kfree(h->pages);
	}
	(void)c;
	return addr;
}

static int vm_alloc(struct cpu_ctx *c, struct vm_cpu *vc, const uint64_t r[3])
{
	unsigned int nr = 1 + (unsigned int)(r[1] % 64);
	struct vm_held h = { .kind = (enum vm_kind)((r[1] >> 8) % NR_VK) };
	unsigned long align = PAGE_SIZE << ((r[1] >> 16) % 9);	/* to 1 MiB */
	struct pattern_range pr;
	long objects = 3;	/* vmap_area, vm_struct, pages[] */

	if ((r[1] >> 24) % 16 == 0)
		nr = 1 + (unsigned int)((r[1] >> 28) % LIVE_MAX);
	while (vc->nheld && (vc->nheld == VM_HELD_MAX || vc->live + nr > LIVE_MAX))
		vm_free_held(c, vc, (int)(r[2] % (unsigned int)vc->nheld), 0);
	h.nr_pages = nr;
	fail_mark(c);
	switch (h.kind) {
	case VK_VMALLOC:
		h.addr = vmalloc((unsigned long)nr << PAGE_SHIFT);
		break;
	case VK_VZALLOC:
		h.addr = vzalloc((unsigned long)nr << PAGE_SHIFT);
		break;
	case VK_NODE:
		h.addr = vmalloc_node((unsigned long)nr << PAGE_SHIFT,
				      (int)((r[2] >> 8) % num_online_nodes()));
		break;
	case VK_ALIGNED:
		h.addr = __vmalloc_node((unsigned long)nr << PAGE_SHIFT, align,
					GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN, PAGE_KERNEL,
					NUMA_NO_NODE, __builtin_return_address(0));
		if (h.addr && (unsigned long)h.addr % align)
			cpu_violation(c, "corruption", "vmalloc-churn: __vmalloc_node() align %#lx gave %p",
				      align, h.addr);
		break;
	default:
		h.addr = vm_vmap(c, &h);
		objects = 4;	/* and the job's own pages[] */
		break;
	}
	if (!h.addr) {
		count_failure(c, GK_KERNEL, size_order((size_t)nr << PAGE_SHIFT));
		return 0;
	}
	fail_check(c, nr, objects);
	if (h.kind == VK_VZALLOC)
		for (size_t off = 0; off < (size_t)nr << PAGE_SHIFT; off += 512)
			if (*(const uint64_t *)((const char *)h.addr + off)) {
				cpu_violation(c, "corruption", "vmalloc-churn: vzalloc() area %p not zero at +%#zx",
					      h.addr, off);
				break;
			}
	h.tag = stress_tag(c);
	pr = vm_range(nr);
	pattern_fill(h.addr, &pr, h.tag);
	vc->held[vc->nheld++] = h;
	vc->live += nr;
	return 0;
}

static int vmalloc_churn_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct vm_cpu *vc = state;
	unsigned int action = r[0] % 10;
	int i;

	if (action < 4 || !vc->nheld)
		return vm_alloc(c, vc, r);
	i = (int)(r[2] % (unsigned int)vc->nheld);
	if (action < 6) {
		vm_free_held(c, vc, i, (r[0] >> 8) % 8 == 0);
	} else if (action == 6 && vc->held[i].kind != VK_VMAP) {
		struct vm_held h = vc->held[i];
		struct vm_item *it = h.addr;

		if (vm_verify(c, h.addr, h.nr_pages, h.tag, "before handing it to another CPU"))
			return 0;
		it->hdr.tag = h.tag;
		it->nr_pages = h.nr_pages;
		if (stress_send(c, pick_cpu(c, r[0] >> 16, TARGET_ANY), &it->hdr))
			return 0;	/* still ours */
		vm_unhold(vc, i);
	} else {
		vm_verify(c, vc->held[i].addr, vc->held[i].nr_pages, vc->held[i].tag,
			  "at a random check");
	}
	return 0;
}

static int vm_receive(struct cpu_ctx *c, void *state, struct stress_item *it, enum receipt how)
{
	struct vm_item *vi = (struct vm_item *)it;

	(void)state;
	if (!is_vmalloc_addr(vi) || !vi->nr_pages || vi->nr_pages > LIVE_MAX)
		return -1;
	vm_verify(c, vi, vi->nr_pages, it->tag, receipt_text(how));
	vfree(vi);
	return 0;
}

static void vm_release(struct cpu_ctx *c, void *state)
{
	struct vm_cpu *vc = state;

	while (vc->nheld)
		vm_free_held(c, vc, vc->nheld - 1, 0);
}

static const struct stress_family vmalloc_family = {
	.name = "vmalloc", .state_size = sizeof(struct vm_cpu),
	.receive = vm_receive, .release = vm_release,
};

const struct stress_job vmalloc_churn_job = {
	.name = "vmalloc-churn", .default_weight = 2, .family = &vmalloc_family,
	.op = vmalloc_churn_op,
	.what = "vmalloc/vzalloc/vmap areas of random sizes and alignments, checked through both addresses, vfree()d deferred and remotely",
};
