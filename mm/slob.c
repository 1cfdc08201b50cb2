// SPDX-License-Identifier: MIT
/*
 * mm/slob.c - the SLOB allocator behind slab=slob (Linux v4.19 mm/slob.c
 * semantics): one first-fit heap of 2-byte units for every cache and for
 * kmalloc, one global lock.  The heap's layout is in mm/slob.h, kmalloc in
 * mm/slob_kmalloc.c, the mm_check() walker in mm/slob_check.c.  Owned by
 * the SLOB part.
 *
 * Map:
 *   slob_alloc()	the list for the request's size (< 256, < 1024,
 *			else); the first page with enough free units whose
 *			blocks fit it (first fit, with a free fragment split
 *			off before an aligned block); the list's head then
 *			moves so that the page which served is searched first
 *			next time; nothing fits: a new order-0 page at the
 *			list's head
 *   slob_free()	the block back into its page's chain in address
 *			order, merged with free neighbours; a page that frees
 *			up completely goes back to the page allocator, a full
 *			page that gets a block back joins the list of that
 *			block's size
 *   kmalloc		(mm/slob_kmalloc.c) an 8-byte header holding the
 *			size before the object
 *			(size + 8 from the heap, 8-aligned); from PAGE_SIZE - 8
 *			bytes up, pages of get_order(size) (compound above
 *			order 0) without PG_slab; kfree() tells them apart by
 *			PG_slab; ksize() is the size rounded up to units, or
 *			PAGE_SIZE << order
 *   kmem_cache		c->size from the heap with c->align when below
 *			PAGE_SIZE, else pages of get_order(c->size); the
 *			constructor runs on every allocation;
 *			SLAB_TYPESAFE_BY_RCU caches free each object after a
 *			grace period through a struct slob_rcu at its end
 *
 * Locking: slob_lock (irq-safe) for everything in the heap (mm/slob.h);
 * never held across the page allocator or a report.
 *
 * Where the model differs from v4.19, and why:
 *   - v4.19 accounts no SLOB page in NR_SLAB_RECLAIMABLE/UNRECLAIMABLE
 *     (that came in 5.4), so /proc/meminfo's Slab is 0 under SLOB, here
 *     too; the heap pages are counted in slob_heap_pages instead, which
 *     the walker checks against the memmap.
 *   - PG_slab is set and cleared under slob_lock (v4.19: just outside
 *     it), so that a check under stop_machine() never finds a heap page
 *     half made or half given back.
 *   - Misuse is refused: kfree()/kmem_cache_free() of a pointer whose
 *     block is not inside a heap page, or overlaps one of its page's free
 *     blocks (a double free), or of a page SLOB did not hand out; v4.19
 *     corrupts its heap.  kmem_cache_free() of a typesafe-by-RCU object
 *     whose grace period is pending is a double free too (its struct
 *     slob_rcu is cleared when the object is handed out).
 *   - Each cache counts its objects out (slob_live, an atomic), which v4.19
 *     does not: kmem_cache_destroy() of a cache with objects out is then
 *     reported and refused as under SLAB and SLUB ("Slab cache still has
 *     objects"), instead of freeing a struct kmem_cache whose objects
 *     will still be freed to it.
 *   - struct slob_rcu starts 8-aligned (c->size = ALIGN(object_size, 8) +
 *     its size; v4.19 adds its size to object_size unrounded, which leaves
 *     the rcu_head misaligned for odd sizes: harmless on x86, not in C).
 *   - GFP_SLAB_BUG_MASK bits are warned about and dropped, as SLAB's grow
 *     path does (v4.19's SLOB passes them on; a highmem page has no
 *     address to cut blocks from).
 *   - ASan builds poison free heap space but for each free block's first
 *     4 bytes (mm/slob.h), which the free-block encoding needs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include "slob.h"

DEFINE_SPINLOCK(slob_lock);
CDS_LIST_HEAD(free_slob_small);
CDS_LIST_HEAD(free_slob_medium);
CDS_LIST_HEAD(free_slob_large);
unsigned long slob_heap_pages;
unsigned long slob_large_pages;

/*
 * At the end of every object of a SLAB_TYPESAFE_BY_RCU cache (v4.19's
 * struct slob_rcu): the head queued by kmem_cache_free(), and the size to
 * give back.  head.func is NULL while the object is out (cleared when it
 * is handed out): a second kmem_cache_free() before the grace period
 * finds it set.
 */
struct slob_rcu {
	struct rcu_head head;
	int size;
};

/* ------------------------------------------------------------------ */
/* Pages                                                               */

unsigned int slob_get_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/*
 * v4.19's slob_new_pages(): a block of the page allocator on node (the
 * local one for NUMA_NO_NODE).  The pages are SLOB's, not the task's: the
 * task's footprint gets them back (the caller's object is counted as an
 * object instead).
 */
struct page *slob_new_pages(gfp_t gfp, unsigned int order, int node)
{
	struct page *page = alloc_pages_node(node, gfp, order);

	if (page)
		current->fp_pages -= 1L << order;
	return page;
}

/* v4.19's slob_free_pages(): the block back to the page allocator. */
void slob_free_pages(struct page *page, unsigned int order)
{
	current->fp_pages += 1L << order;	/* __free_pages() takes them off */
	__free_pages(page, order);
}

/* ------------------------------------------------------------------ */
/* The heap                                                            */

static void set_slob_page_free(struct page *sp, struct cds_list_head *list)
{
	cds_list_add(&sp->lru, list);
	__set_page_flag(sp, PG_slob_free);
}

static void clear_slob_page_free(struct page *sp)
{
	cds_list_del(&sp->lru);
	__clear_page_flag(sp, PG_slob_free);
}

/*
 * A block of size bytes at an align-byte boundary (0: any) from the heap
 * page sp, first fit; NULL if no free block of sp holds it.  slob_lock.
 */
static slob_t *__slob_page_alloc(struct page *sp, size_t size, unsigned int align)
{
	int units = (int)SLOB_UNITS(size);
	slob_t *prev = NULL, *cur;

	for (cur = sp->freelist;; prev = cur, cur = slob_next(cur)) {
		int avail = slob_units(cur), delta = 0;
		slob_t *aligned = cur, *next;

		if (align) {
			aligned = (slob_t *)ALIGN((unsigned long)cur, (unsigned long)align);
			delta = (int)(aligned - cur);
		}
		if (avail < units + delta) {
			if (slob_last(cur))
				return NULL;
			continue;
		}
		if (delta) {
			/* the units before the boundary stay a free block */
			next = slob_next(cur);
			slob_unpoison_hdr(aligned);
			set_slob(aligned, (slobidx_t)(avail - delta), next);
			set_slob(cur, (slobidx_t)delta, aligned);
			prev = cur;
			cur = aligned;
			avail = slob_units(cur);
		}
		next = slob_next(cur);
		if (avail == units) {
			/* taken whole: its successor takes its place */
			if (prev)
				set_slob(prev, slob_units(prev), next);
			else
				sp->freelist = next;
		} else {
			/* its tail stays free */
			if (prev)
				set_slob(prev, slob_units(prev), cur + units);
			else
				sp->freelist = cur + units;
			slob_unpoison_hdr(cur + units);
			set_slob(cur + units, (slobidx_t)(avail - units), next);
		}
		sp->units -= units;
		if (!sp->units)
			clear_slob_page_free(sp);
		return cur;
	}
}

/*
 * v4.19's list_move_tail(slob_list, prev->next): the list head moves in
 * front of the entry after prev, which becomes the first one searched.
 */
static void slob_rotate(struct cds_list_head *slob_list, struct cds_list_head *prev)
{
	struct cds_list_head *first = prev->next;

	if (prev == slob_list->prev || slob_list->next == first)
		return;
	cds_list_del(slob_list);
	cds_list_add_tail(slob_list, first);
}

/* size bytes (at an align boundary) from the heap, NULL on failure. */
void *slob_alloc(size_t size, gfp_t gfp, unsigned int align, int node)
{
	struct cds_list_head *slob_list = slob_list_for(size), *prev;
	unsigned long irqflags;
	struct page *sp;
	slob_t *b = NULL;

	spin_lock_irqsave(&slob_lock, irqflags);
	cds_list_for_each_entry(sp, slob_list, lru) {
		/* a node asked for: only its pages */
		if (node != NUMA_NO_NODE && page_to_nid(sp) != node)
			continue;
		/* (alignment is not counted: the page may still fail) */
		if (sp->units < (int)SLOB_UNITS(size))
			continue;
		prev = sp->lru.prev;
		b = __slob_page_alloc(sp, size, align);
		if (!b)
			continue;
		/* next time start from the page that served (or, if it is
		 * full now and off the list, from the one after it) */
		slob_rotate(slob_list, prev);
		break;
	}
	spin_unlock_irqrestore(&slob_lock, irqflags);

	if (!b) {
		sp = slob_new_pages(gfp & ~__GFP_ZERO, 0, node);
		if (!sp)
			return NULL;
		b = page_address(sp);
		spin_lock_irqsave(&slob_lock, irqflags);
		__SetPageSlab(sp);
		slob_heap_pages++;
		sp->units = SLOB_PAGE_UNITS;
		sp->freelist = b;
		set_slob(b, SLOB_PAGE_UNITS, b + SLOB_PAGE_UNITS);
		slob_poison_free(b, SLOB_PAGE_UNITS);
		set_slob_page_free(sp, slob_list);
		b = __slob_page_alloc(sp, size, align);
		spin_unlock_irqrestore(&slob_lock, irqflags);
		/* a whole page holds any request below PAGE_SIZE at any
		 * alignment up to PAGE_SIZE (cache_create() refuses more) */
		if (WARN_ON_ONCE(!b))
			return NULL;
	}
	slab_asan_unpoison(b, SLOB_UNITS(size) * SLOB_UNIT);	/* all of ksize() */
	if (unlikely(gfp & __GFP_ZERO))
		memset(b, 0, size);
	return b;
}

/*
 * Is [b, b + units) a block in use of the heap page sp?  It must lie in
 * the page and overlap none of its free blocks (a double free, or a
 * pointer into free space).  The walk stops at the first free block past
 * the block: the chain is in address order.  slob_lock.
 */
int __slob_block_ok(struct page *sp, slob_t *b, int units, struct slob_bad *bad)
{
	slob_t *base = slob_page_base(b), *f;
	int n = 0;

	bad->page_units = sp->units;
	if (!PageSlab(sp)) {
		bad->what = "not in a page of the SLOB heap";
		return 0;
	}
	if (units <= 0 || b + units > base + SLOB_PAGE_UNITS) {
		bad->what = "the block runs past the end of its page";
		return 0;
	}
	if (!PageSlobFree(sp))
		return 1;	/* a full page: nothing of it is free */
	if (sp->units + units > SLOB_PAGE_UNITS) {
		bad->what = "more units than the page has in use";
		return 0;
	}
	for (f = sp->freelist; n < SLOB_PAGE_UNITS; f = slob_next(f), n++) {
		int fu = slob_units(f);

		if (b < f + fu && f < b + units) {
			bad->what = "double free: the block is free already";
			bad->free_block = f;
			bad->free_units = fu;
			return 0;
		}
		if (f >= b + units || slob_last(f))
			break;
	}
	return 1;
}

void slob_report_bad(const char *func, const void *objp, const void *block,
				     size_t size, const struct slob_bad *bad)
{
	struct page *sp = virt_to_page(block);

	report_begin(REPORT_BUG);
	printk("BUG: %s(%p): %s\n", func, objp, bad->what);
	printk("INFO: block %p (%zu bytes) in page pfn %#lx (%s), %d free units\n", block, size,
	       page_to_pfn(sp), PageSlab(sp) ? "slob heap" : "not slob", bad->page_units);
	if (bad->free_block)
		printk("INFO: free block %p-%p (%d units)\n", (void *)bad->free_block,
		       (void *)(bad->free_block + bad->free_units), bad->free_units);
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

/*
 * Give the block of size bytes at block back to its heap page.  0, or -1:
 * refused and reported (func names the caller's entry point, objp the
 * pointer it was given).
 */
int slob_free(void *block, size_t size, const char *func, const void *objp)
{
	struct page *sp = virt_to_page(block);
	slob_t *prev, *next, *b = block;
	int units = (int)SLOB_UNITS(size);
	struct slob_bad bad = { NULL, NULL, 0, 0 };
	unsigned long irqflags;

	spin_lock_irqsave(&slob_lock, irqflags);
	if (unlikely(!__slob_block_ok(sp, b, units, &bad))) {
		spin_unlock_irqrestore(&slob_lock, irqflags);
		slob_report_bad(func, objp, block, size, &bad);
		return -1;
	}

	if (sp->units + units == SLOB_PAGE_UNITS) {
		/* all free: straight back to the page allocator */
		if (PageSlobFree(sp))
			clear_slob_page_free(sp);
		__ClearPageSlab(sp);
		slob_heap_pages--;
		sp->units = 0;			/* v4.19's page_mapcount_reset() */
		sp->freelist = NULL;
		spin_unlock_irqrestore(&slob_lock, irqflags);
		slab_asan_unpoison(slob_page_base(b), PAGE_SIZE);
		slob_free_pages(sp, 0);
		return 0;
	}

	if (!PageSlobFree(sp)) {
		/* a full page gets its first free block */
		sp->units = units;
		sp->freelist = b;
		set_slob(b, (slobidx_t)units, slob_page_base(b) + SLOB_PAGE_UNITS);
		slob_poison_free(b, units);
		set_slob_page_free(sp, slob_list_for(size));
		goto out;
	}

	/* a page with free blocks: insert in address order, merging */
	slob_poison_free(b, units);
	sp->units += units;
	if (b < (slob_t *)sp->freelist) {
		if (b + units == (slob_t *)sp->freelist) {
			units += slob_units(sp->freelist);
			sp->freelist = slob_next(sp->freelist);
		}
		set_slob(b, (slobidx_t)units, sp->freelist);
		sp->freelist = b;
	} else {
		prev = sp->freelist;
		next = slob_next(prev);
		while (b > next) {
			prev = next;
			next = slob_next(prev);
		}
		if (!slob_last(prev) && b + units == next) {
			units += slob_units(next);
			set_slob(b, (slobidx_t)units, slob_next(next));
		} else {
			set_slob(b, (slobidx_t)units, next);
		}
		if (prev + slob_units(prev) == b) {
			units = slob_units(b) + slob_units(prev);
			set_slob(prev, (slobidx_t)units, slob_next(b));
		} else {
			set_slob(prev, slob_units(prev), b);
		}
	}
out:
	spin_unlock_irqrestore(&slob_lock, irqflags);
	return 0;
}

void slob_report_pointer(const char *func, const void *objp, const char *why)
{
	report_begin(REPORT_BUG);
	printk("BUG: %s(%p): not a block SLOB handed out (%s)\n", func, objp, why);
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

/* ------------------------------------------------------------------ */
/* kmem_cache                                                          */

/* The flags SLOB keeps (v4.19's CACHE_CREATE_MASK without SLAB's and
 * SLUB's debug and cache flags: SLOB has no debugging). */
#define SLOB_CREATE_MASK	(SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_PANIC | \
				 SLAB_TYPESAFE_BY_RCU)

static slab_flags_t slob_cache_flags(unsigned int object_size, slab_flags_t flags,
				     const char *name)
{
	(void)object_size;
	(void)name;
	return flags & SLOB_CREATE_MASK;
}

static int slob_cache_create(struct kmem_cache *s)
{
	s->flags &= SLOB_CREATE_MASK;
	s->align = calculate_alignment(s->flags, s->align, s->object_size);
	s->size = s->object_size;
	if (s->align > PAGE_SIZE)
		return -EINVAL;	/* no heap page could place its objects */
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		s->size = ALIGN(s->object_size, (unsigned int)__alignof__(struct slob_rcu)) +
			  (unsigned int)sizeof(struct slob_rcu);
	__atomic_store_n(&s->slob_live, 0, __ATOMIC_RELAXED);
	return 0;
}

static int slob_cache_shrink(struct kmem_cache *s)
{
	(void)s;
	return 0;	/* nothing is kept per cache */
}

static unsigned long slob_live_objects(struct kmem_cache *s, unsigned long *slabs)
{
	unsigned long live = __atomic_load_n(&s->slob_live, __ATOMIC_RELAXED);

	/* heap objects share pages with everyone's: no slab of their own */
	*slabs = s->size < PAGE_SIZE ? 0 : live;
	return live;
}

static void slob_cache_release(struct kmem_cache *s)
{
	(void)s;
}

static struct slob_rcu *slob_rcu_of(struct kmem_cache *s, void *b)
{
	return (struct slob_rcu *)((char *)b + s->size - sizeof(struct slob_rcu));
}

static void *slob_cache_alloc(struct kmem_cache *s, gfp_t flags, int node, const void *caller)
{
	void *b;

	(void)caller;
	if (unlikely(slab_pre_alloc_hook(s, flags, node,
					 node == NUMA_NO_NODE ? "kmem_cache_alloc" :
								"kmem_cache_alloc_node")))
		return NULL;
	flags = slab_fix_gfp(flags);
	if (s->size < PAGE_SIZE) {
		b = slob_alloc(s->size, flags, s->align, node);
	} else {
		struct page *page = slob_new_pages(flags, slob_get_order(s->size), node);

		b = page ? page_address(page) : NULL;
	}
	if (!b)
		return NULL;
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		slob_rcu_of(s, b)->head.func = NULL;	/* out, not queued */
	__atomic_fetch_add(&s->slob_live, 1, __ATOMIC_RELAXED);
	slab_post_alloc_hook(s, flags, b);
	if (s->ctor)
		s->ctor(b);	/* on every allocation, as v4.19's SLOB */
	return b;
}

/* An object of s of size >= PAGE_SIZE: a block of the page allocator. */
static int slob_cache_page_ok(struct kmem_cache *s, const void *b)
{
	struct page *page = virt_to_page(b);

	return !((unsigned long)b & (PAGE_SIZE - 1)) && !PageSlab(page) &&
	       !PageSlobLarge(page) && !PageHead(page) && page_ref_count(page) == 1 &&
	       page->alloc_order == (int)slob_get_order(s->size);
}

/* v4.19's __kmem_cache_free(): the object's memory back (0), or -1:
 * refused, reported. */
static int __slob_cache_free(void *b, int size, const void *objp)
{
	if (size < (int)PAGE_SIZE)
		return slob_free(b, (size_t)size, "kmem_cache_free", objp);
	slob_free_pages(virt_to_page(b), slob_get_order((size_t)size));
	return 0;
}

/* A grace period after kmem_cache_free() of a typesafe-by-RCU object. */
static void slob_rcu_free(struct rcu_head *head)
{
	struct slob_rcu *slob_rcu = (struct slob_rcu *)head;
	void *b = (char *)slob_rcu - (slob_rcu->size - sizeof(struct slob_rcu));

	(void)__slob_cache_free(b, slob_rcu->size, b);
}

static void slob_cache_free(struct kmem_cache *s, void *b, const void *caller)
{
	struct slob_bad bad = { NULL, NULL, 0, 0 };
	int rcu;

	(void)caller;
	/* (slab_free_hook() less its cache lookup: SLOB's pages name none,
	 * so a free to the wrong cache cannot be told, as in v4.19) */
	if (unlikely(slab_free_context("kmem_cache_free")))
		return;
	if (unlikely(!virt_addr_valid(b))) {
		slab_bad_pointer("kmem_cache_free", b);
		return;
	}
	rcu = !!(s->flags & SLAB_TYPESAFE_BY_RCU);
	if (s->size < PAGE_SIZE) {
		unsigned long irqflags;
		int ok = 1;

		if (unlikely(s->align && ((unsigned long)b & (s->align - 1)))) {
			slob_report_pointer("kmem_cache_free", b, "not at the cache's alignment");
			return;
		}
		if (unlikely(rcu)) {
			/* checked now: the free itself comes after a grace period */
			spin_lock_irqsave(&slob_lock, irqflags);
			ok = __slob_block_ok(virt_to_page(b), b, (int)SLOB_UNITS(s->size), &bad);
			spin_unlock_irqrestore(&slob_lock, irqflags);
		}
		if (unlikely(!ok)) {
			slob_report_bad("kmem_cache_free", b, b, s->size, &bad);
			return;
		}
	} else if (unlikely(!slob_cache_page_ok(s, b))) {
		slob_report_pointer("kmem_cache_free", b,
				    "not the first page of an object of the cache");
		return;
	}
	kmemleak_free_recursive(b, s->flags);
	if (unlikely(rcu)) {
		struct slob_rcu *slob_rcu = slob_rcu_of(s, b);

		if (unlikely(READ_ONCE(slob_rcu->head.func))) {
			bad.what = "double free: the object waits for a grace period already";
			slob_report_bad("kmem_cache_free", b, b, s->size, &bad);
			return;
		}
		slob_rcu->size = (int)s->size;
		call_rcu(&slob_rcu->head, slob_rcu_free);
	} else if (__slob_cache_free(b, (int)s->size, b)) {
		return;		/* refused, reported */
	}
	__atomic_fetch_sub(&s->slob_live, 1, __ATOMIC_RELAXED);
	current->fp_objects--;
}

static void slob_stats(struct kmem_cache *s, struct kmem_cache_stats *st)
{
	unsigned long live = __atomic_load_n(&s->slob_live, __ATOMIC_RELAXED);

	if (s->size >= PAGE_SIZE) {
		/* one object per block of the page allocator */
		st->num = 1;
		st->gfporder = slob_get_order(s->size);
		st->nr_pages = live << st->gfporder;
	}
}

/* ------------------------------------------------------------------ */
/* Boot                                                                */

static int slob_init(void)
{
	/*
	 * v4.19 has no slab debugging under SLOB (CONFIG_DEBUG_SLAB needs
	 * SLAB), nor what hangs on it: mempool's element poisoning would
	 * take ksize() of cache objects, which SLOB cannot give.  Boot, no
	 * CPU running: slab_debug is still mm_boot()'s to write.
	 */
	if (slab_debug) {
		pr_warn("SLOB: slab_debug ignored: SLOB has no debugging\n");
		slab_debug = 0;
	}
	spin_lock_init(&slob_lock);
	slob_lock.irqsafe = 1;		/* taken with interrupts disabled */
	CDS_INIT_LIST_HEAD(&free_slob_small);
	CDS_INIT_LIST_HEAD(&free_slob_medium);
	CDS_INIT_LIST_HEAD(&free_slob_large);
	slob_heap_pages = 0;
	__atomic_store_n(&slob_large_pages, 0, __ATOMIC_RELAXED);
	return 0;
}

/* v4.19 keeps no state to tear down; blocks still out are the common
 * layer's leak report to make. */
static void slob_exit(void)
{
}

const struct slab_allocator_ops slob_ops = {
	.name = "slob",
	.init = slob_init,
	.exit = slob_exit,
	.cache_flags = slob_cache_flags,
	.cache_create = slob_cache_create,
	.cache_alias = NULL,		/* SLOB never merges */
	.cache_shrink = slob_cache_shrink,
	.live_objects = slob_live_objects,
	.cache_release = slob_cache_release,
	.alloc = slob_cache_alloc,
	.free = slob_cache_free,
	.kmalloc = slob_kmalloc,
	.kfree = slob_kfree,
	.ksize = slob_ksize,
	.get_slabinfo = NULL,		/* no /proc/slabinfo under SLOB */
	.sysfs_show = NULL,		/* no /sys/kernel/slab */
	.stats = slob_stats,
	.check = slob_check,
};
