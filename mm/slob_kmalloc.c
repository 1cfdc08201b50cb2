// SPDX-License-Identifier: MIT
/*
 * mm/slob_kmalloc.c - kmalloc(), kfree() and ksize() under SLOB (Linux
 * v4.19 mm/slob.c's __do_kmalloc_node(), kfree(), ksize()), owned by the
 * SLOB part; the heap they use is mm/slob.c's (map in mm/slob.h).
 *
 *   kmalloc(size)	size < PAGE_SIZE - 8: size + 8 bytes from the heap,
 *			8-aligned, the size in the first 4 bytes, the object
 *			8 bytes in; else a block of the page allocator of
 *			get_order(size) (__GFP_COMP above order 0), marked
 *			PG_slob_large (the model's) and counted in
 *			slob_large_pages
 *   kfree(p)		PG_slab: the heap, size from the header; else the
 *			pages of a PG_slob_large block
 *   ksize(p)		the header's size rounded up to units, or
 *			PAGE_SIZE << order
 *
 * No lock of its own: the heap's is slob_lock (taken inside slob_alloc()
 * and slob_free(), and here to look for a double free when a header is
 * no kmalloc() size); the mark and slob_large_pages change together, with
 * no safe point between.
 */
#define _GNU_SOURCE
#include <string.h>

#include "slob.h"

/*
 * slab_pre_alloc_hook() for kmalloc, which has no cache under SLOB: the
 * context checks, and failslab as if for a cache of size bytes (no cache
 * can be marked for failslab's cache filter: kmalloc is then spared).
 */
static int slob_kmalloc_pre(size_t size, gfp_t flags, int node)
{
	struct kmem_cache pseudo = { .name = "kmalloc", .object_size = (unsigned int)size };

	return slab_pre_alloc_hook(&pseudo, flags, node,
				   node == NUMA_NO_NODE ? "kmalloc" : "kmalloc_node");
}

void *slob_kmalloc(size_t size, gfp_t gfp, int node, const void *caller)
{
	void *ret;

	(void)caller;
	if (unlikely(slob_kmalloc_pre(size, gfp, node)))
		return NULL;
	gfp = slab_fix_gfp(gfp);
	if (size < PAGE_SIZE - SLOB_ALIGN) {
		unsigned int *m = slob_alloc(size + SLOB_ALIGN, gfp, SLOB_ALIGN, node);

		if (!m)
			return NULL;
		*m = (unsigned int)size;
		ret = (char *)m + SLOB_ALIGN;
	} else {
		unsigned int order = slob_get_order(size);
		struct page *page;

		if (order)
			gfp |= __GFP_COMP;
		page = slob_new_pages(gfp, order, node);
		if (!page)
			return NULL;
		set_page_flag(page, PG_slob_large);
		__atomic_fetch_add(&slob_large_pages, 1UL << order, __ATOMIC_RELAXED);
		ret = page_address(page);
	}
	/* (__GFP_ZERO: slob_alloc() or the page allocator cleared it) */
	current->fp_objects++;
	if (kmemleak_active())
		kmemleak_alloc(ret, size, 1, gfp);
	return ret;
}

/*
 * The header of a kmalloc() block of the heap: objp 8-aligned, at least
 * 8 bytes into its page, the recorded size a heap request's; NULL (why
 * set) if not.
 */
static unsigned int *slob_kmalloc_header(const void *objp, const char **why)
{
	unsigned long off = (unsigned long)objp & (PAGE_SIZE - 1);
	unsigned int *m = (unsigned int *)((char *)objp - SLOB_ALIGN);

	if (off % SLOB_ALIGN || off < SLOB_ALIGN) {
		*why = "not where a kmalloc() object starts";
		return NULL;
	}
	if (!slob_readable(m, sizeof(*m)) || !*m || *m >= PAGE_SIZE - SLOB_ALIGN || off + *m > PAGE_SIZE) {
		*why = "its header holds no kmalloc() size";
		return NULL;
	}
	return m;
}

/* A kmalloc() block from the page allocator: its first page, or NULL. */
static struct page *slob_large_page(const void *objp, const char **why)
{
	struct page *page = virt_to_page(objp);

	if ((unsigned long)objp & (PAGE_SIZE - 1) || !PageSlobLarge(page) ||
	    page_ref_count(page) != 1) {
		*why = "a page that is not a kmalloc() block";
		return NULL;
	}
	return page;
}

/*
 * kfree() of a pointer into a heap page whose header is no kmalloc()
 * size: a double free if the header lies in a free block (freeing wrote
 * the free-block encoding over it), else a pointer kmalloc() never gave.
 */
static noinline void slob_kfree_bad_header(const void *objp, const char *why)
{
	unsigned int *m = (unsigned int *)((char *)objp - SLOB_ALIGN);
	struct slob_bad bad = { NULL, NULL, 0, 0 };
	unsigned long irqflags;
	int ok;

	spin_lock_irqsave(&slob_lock, irqflags);
	ok = __slob_block_ok(virt_to_page(objp), (slob_t *)m,
			     (int)SLOB_UNITS(SLOB_ALIGN), &bad);
	spin_unlock_irqrestore(&slob_lock, irqflags);
	if (!ok && bad.free_block)
		slob_report_bad("kfree", objp, m, SLOB_ALIGN, &bad);
	else
		slob_report_pointer("kfree", objp, why);
}

void slob_kfree(const void *objp, const void *caller)
{
	const char *why = NULL;
	struct page *sp;

	(void)caller;
	if (unlikely(slab_free_context("kfree")))
		return;
	if (unlikely(!virt_addr_valid(objp))) {
		slab_bad_pointer("kfree", objp);
		return;
	}
	sp = virt_to_page(objp);
	if (PageSlab(sp)) {
		unsigned int *m = slob_kmalloc_header(objp, &why);

		if (unlikely(!m)) {
			unsigned long off = (unsigned long)objp & (PAGE_SIZE - 1);

			if (off % SLOB_ALIGN || off < SLOB_ALIGN)
				slob_report_pointer("kfree", objp, why);
			else
				slob_kfree_bad_header(objp, why);
			return;
		}
		if (kmemleak_active())
			kmemleak_free(objp);
		if (slob_free(m, *m + SLOB_ALIGN, "kfree", objp))
			return;
	} else {
		unsigned int order;

		sp = slob_large_page(objp, &why);
		if (unlikely(!sp)) {
			slob_report_pointer("kfree", objp, why);
			return;
		}
		order = slob_compound_order(sp);
		if (kmemleak_active())
			kmemleak_free(objp);
		clear_page_flag(sp, PG_slob_large);
		__atomic_fetch_sub(&slob_large_pages, 1UL << order, __ATOMIC_RELAXED);
		slob_free_pages(sp, order);
	}
	current->fp_objects--;
}

size_t slob_ksize(const void *objp)
{
	const char *why = NULL;
	struct page *sp;

	if (unlikely(!virt_addr_valid(objp))) {
		WARN(1, "ksize(%p): not a block SLOB handed out (not in the direct map)\n", objp);
		return 0;
	}
	sp = virt_to_page(objp);
	if (PageSlab(sp)) {
		unsigned int *m = slob_kmalloc_header(objp, &why);

		if (m)
			return SLOB_UNITS(*m) * SLOB_UNIT;
	} else if (slob_large_page(objp, &why)) {
		return PAGE_SIZE << slob_compound_order(sp);
	}
	WARN(1, "ksize(%p): not a block SLOB handed out (%s)\n", objp, why);
	return 0;
}
