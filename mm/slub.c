// SPDX-License-Identifier: MIT
/*
 * mm/slub.c - the SLUB allocator (Linux v4.19 mm/slub.c semantics), its
 * allocation and free paths and kmalloc, behind `slub_ops`.
 *
 * Map:
 *   slab_alloc_node()	the lockless fast path: (tid, c) read, then the
 *			CPU's freelist head swapped for its next object with
 *			one double-word exchange of (c->freelist, c->tid);
 *			a failed exchange (an IPI flushed the CPU slab, or an
 *			interrupt-like hook allocated meanwhile) goes round
 *   ___slab_alloc()	interrupts off: the CPU slab's page->freelist
 *			(get_freelist), the CPU partials, the node partials
 *			(slub_partial.c), a new slab (slub_create.c); debugged
 *			caches deactivate the slab after every object
 *   do_slab_free()	the object of the CPU slab: pushed onto c->freelist
 *			with the same exchange; anything else: __slab_free()
 *   __slab_free()	the (page->freelist, counters) exchange: to a frozen
 *			slab just a push; a full slab gets frozen onto this
 *			CPU's partials; an emptied or (without CPU partials)
 *			formerly full one takes list_lock for the node list
 *   kmalloc/kfree/ksize	classes 8..8192 (kmalloc_slab()), kmalloc_large()
 *			beyond: compound pages, no PG_slab
 *
 * Who touches what: s->cpu_slab[cpu] is its CPU's (fast paths without
 * interrupts off, slow paths with); see mm/slub.h and slub_core.h for the
 * slab state and list locking.  Misuse refused without debugging (cheap
 * checks): a pointer that is not an object start of its slab ("Invalid
 * object pointer"), the object at the head of the freelist it is freed
 * to, and a free to a slab with no object out ("Object already free").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "slub_core.h"
#include "../numa/vmspace.h"

void (*slub_fastpath_hook)(struct kmem_cache *s, int alloc);


void *slab_address(struct page *page)
{
	return page_address(page);
}

int check_valid_pointer(struct kmem_cache *s, struct page *page, void *object)
{
	union slub_counters cnt = { .counters = page_counters(page) };
	char *base, *p = object;

	if (!object)
		return 1;
	base = page_address(page);
	p -= s->red_left_pad;
	if (p < base || p >= base + (size_t)cnt.objects * s->size ||
	    (size_t)(p - base) % s->size)
		return 0;
	return 1;
}

/*
 * The next free object after object, read where the object may already
 * belong to someone else (an IPI flushed the CPU slab between the fast
 * path's reads): v4.19 reads it with probe_kernel_read(); the exchange
 * then fails and the value is dropped.  So the read is not instrumented.
 */
__attribute__((no_sanitize("thread", "address")))
static void *get_freepointer_safe(struct kmem_cache *s, void *object)
{
	return *(void *volatile *)((char *)object + s->offset);
}

/* (a NULL page matches: an IPI emptied the CPU slab, the exchange fails) */
static inline int node_match(struct page *page, int node)
{
	return node == NUMA_NO_NODE || !page || page_to_nid(page) == node;
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

/* Interrupts off: the whole page->freelist for the CPU; the slab stays
 * frozen if there was one, else it is full and on no list. */
static void *get_freelist(struct kmem_cache *s, struct page *page)
{
	union slub_counters old, new;
	void *freelist;

	do {
		freelist = page_freelist(page);
		old.counters = page_counters(page);
		new.counters = old.counters;
		new.inuse = new.objects;
		new.frozen = freelist != NULL;
	} while (!__cmpxchg_double_slab(s, page, freelist, old.counters, NULL, new.counters));
	return freelist;
}

/* Interrupts off: a frozen slab for c with its objects, or NULL. */
static void *new_slab_objects(struct kmem_cache *s, gfp_t flags, int node,
			      struct kmem_cache_cpu **pc)
{
	struct kmem_cache_cpu *c = *pc;
	struct page *page;
	void *freelist;

	freelist = get_partial(s, flags, node, c);
	if (freelist)
		return freelist;
	page = new_slab(s, flags, node);
	if (!page)
		return NULL;
	/* interrupts may have been on: the CPU slab may have changed */
	c = this_cpu_slab(s);
	if (c->page)
		flush_slab(s, c);
	freelist = page_freelist(page);
	__atomic_store_n(&page->freelist, NULL, __ATOMIC_RELAXED);
	c->page = page;
	*pc = c;
	return freelist;
}

/* v4.19 ___slab_alloc(), interrupts off. */
static void *___slab_alloc(struct kmem_cache *s, gfp_t gfpflags, int node,
			   const void *addr, struct kmem_cache_cpu *c)
{
	struct page *page = c->page;
	void *freelist;

	stat(c, ALLOC_SLOWPATH);
	if (!page)
		goto new_slab;
redo:
	if (unlikely(!node_match(page, node))) {
		stat(c, ALLOC_NODE_MISMATCH);
		deactivate_slab(s, page, c->freelist, c);
		goto new_slab;
	}
	/* an interrupt may have refilled the lockless list */
	freelist = c->freelist;
	if (freelist)
		goto load_freelist;
	freelist = get_freelist(s, page);
	if (!freelist) {
		c->page = NULL;
		stat(c, DEACTIVATE_BYPASS);
		goto new_slab;
	}
	stat(c, ALLOC_REFILL);
load_freelist:
	c->freelist = get_freepointer(s, freelist);
	c->tid = next_tid(c->tid);
	return freelist;

new_slab:
	if (c->partial) {
		page = c->page = c->partial;
		c->partial = page->next;
		c->freelist = NULL;
		stat(c, CPU_PARTIAL_ALLOC);
		goto redo;
	}
	freelist = new_slab_objects(s, gfpflags, node, &c);
	if (unlikely(!freelist))
		return NULL;
	page = c->page;
	if (likely(!kmem_cache_debug(s)))
		goto load_freelist;
	/* debugged: one object, and the slab goes back at once */
	if (!alloc_debug_processing(s, page, freelist, addr)) {
		/* marked full by the debug code: deactivate and look again */
		deactivate_slab(s, page, NULL, c);
		goto new_slab;
	}
	deactivate_slab(s, page, get_freepointer(s, freelist), c);
	return freelist;
}

static noinline void *__slab_alloc(struct kmem_cache *s, gfp_t gfpflags, int node,
				   const void *addr)
{
	unsigned long irqflags;
	void *p;

	local_irq_save(irqflags);
	p = ___slab_alloc(s, gfpflags, node, addr, this_cpu_slab(s));
	local_irq_restore(irqflags);
	return p;
}

static noinline void *slab_alloc_failed(struct kmem_cache *s, gfp_t flags, int node)
{
	if (!(flags & __GFP_NOWARN))
		warn_alloc(flags, NULL,
			   "SLUB: Unable to allocate memory on node %d: cache: %s, object size: %u, "
			   "buffer size: %u, default order: %u, min order: %u", node, s->name,
			   s->object_size, s->size, oo_order(s->oo), oo_order(s->min));
	return NULL;
}

/* v4.19 slab_alloc_node() after the pre-alloc hook (ops->alloc). */
static __always_inline void *slab_alloc_node(struct kmem_cache *s, gfp_t gfpflags, int node,
			     const void *addr)
{
	struct kmem_cache_cpu *c;
	unsigned long tid;
	void *object;

redo:
	c = this_cpu_slab(s);
	tid = READ_ONCE(c->tid);
	barrier();	/* the tid before the freelist and page it guards */
	object = READ_ONCE(c->freelist);
	if (unlikely(!object || !node_match(READ_ONCE(c->page), node))) {
		object = __slab_alloc(s, gfpflags, node, addr);
		if (unlikely(!object))
			return slab_alloc_failed(s, gfpflags, node);
	} else {
		void *next_object = get_freepointer_safe(s, object);

		if (unlikely(slub_fastpath_hook))
			slub_fastpath_hook(s, 1);
		if (unlikely(!this_cpu_cmpxchg_double(c, object, tid, next_object,
						      next_tid(tid)))) {
			stat(c, CMPXCHG_DOUBLE_CPU_FAIL);
			goto redo;
		}
		stat(c, ALLOC_FASTPATH);
	}
	slab_post_alloc_hook(s, gfpflags, object);
	return object;
}

/* ops->alloc: kmem_cache_alloc() and _node() (the context checks and
 * failslab first, as SLAB's does). */
static void *slub_alloc(struct kmem_cache *s, gfp_t flags, int node, const void *caller)
{
	if (unlikely(slab_pre_alloc_hook_fast(s, flags, node, "kmem_cache_alloc")))
		return NULL;
	return slab_alloc_node(s, flags, node, caller);
}

/* ------------------------------------------------------------------ */
/* Free                                                                */

/* v4.19 print_page_info()'s line, from one snapshot of the slab */
static void slub_page_info(struct page *page)
{
	union slub_counters cnt = { .counters = page_counters(page) };

	printk("INFO: Slab %p objects=%u used=%u fp=%p flags=0x%04lx\n", (void *)page,
	       cnt.objects, cnt.inuse, page_freelist(page), READ_ONCE(page->flags));
}

/* A free refused without debugging (no lock held): reported in SLUB's
 * shapes, the slab left as it was. */
static noinline void slub_refuse_free(struct kmem_cache *s, struct page *page, void *object,
				      const char *what)
{
	slab_bug(s, "%s %p", what, object);
	slub_page_info(page);
	slab_fix(s, "Object at %p not freed", object);
	slab_report_end();
}

static noinline void slub_double_free(struct kmem_cache *s, struct page *page, void *object)
{
	slub_refuse_free(s, page, object, "Object already free:");
}

/*
 * v4.19 __slab_free() for cnt objects head..tail of page.  Returns 0 if
 * it refused (debug checks, or the object is already the head of the
 * slab's freelist, or the slab has fewer objects out than cnt).
 */
static noinline int __slab_free(struct kmem_cache *s, struct page *page, void *head,
				void *tail, int cnt, const void *addr)
{
	struct kmem_cache_node *n = NULL;
	union slub_counters old, new;
	unsigned long irqflags = 0;
	void *prior;
	int was_frozen;

	stat_this(s, FREE_SLOWPATH);
	if (kmem_cache_debug(s) && !free_debug_processing(s, page, head, tail, cnt, addr))
		return 0;
	do {
		if (unlikely(n)) {
			spin_unlock_irqrestore(&n->list_lock, irqflags);
			n = NULL;
		}
		prior = page_freelist(page);
		old.counters = page_counters(page);
		if (unlikely(prior == head || old.inuse < (unsigned int)cnt)) {
			slub_double_free(s, page, head);
			return 0;
		}
		set_freepointer(s, tail, prior);
		new.counters = old.counters;
		was_frozen = new.frozen;
		new.inuse -= cnt;
		if ((!new.inuse || !prior) && !was_frozen) {
			if (kmem_cache_has_cpu_partial(s) && !prior) {
				/* full before: it becomes this CPU's partial,
				 * no list_lock needed */
				new.frozen = 1;
			} else {
				n = slab_node(s, page);
				spin_lock_irqsave(&n->list_lock, irqflags);
			}
		}
	} while (!cmpxchg_double_slab(s, page, prior, old.counters, head, new.counters));

	if (likely(!n)) {
		if (new.frozen && !was_frozen) {
			put_cpu_partial(s, page, 1);
			stat_this(s, CPU_PARTIAL_FREE);
		}
		if (was_frozen)
			stat_this(s, FREE_FROZEN);
		return 1;
	}
	if (unlikely(!new.inuse && n->nr_partial >= s->min_partial)) {
		if (prior) {
			__remove_partial(n, page);
			stat_this(s, FREE_REMOVE_PARTIAL);
		} else {
			__remove_full(s, n, page);
		}
		spin_unlock_irqrestore(&n->list_lock, irqflags);
		discard_slab(s, page);
		return 1;
	}
	if (!kmem_cache_has_cpu_partial(s) && unlikely(!prior)) {
		__remove_full(s, n, page);
		__add_partial(n, page, DEACTIVATE_TO_TAIL_POS);
		stat_this(s, FREE_ADD_PARTIAL);
	}
	spin_unlock_irqrestore(&n->list_lock, irqflags);
	return 1;
}

static noinline void slub_invalid_pointer(struct kmem_cache *s, struct page *page,
					  void *object)
{
	slub_refuse_free(s, page, object, "Invalid object pointer");
}

/*
 * v4.19 do_slab_free() for one checked object x of slab page: pushed
 * onto the CPU's lockless list if page is the CPU slab, else
 * __slab_free().
 */
static __always_inline void do_slab_free(struct kmem_cache *s, struct page *page, void *x,
					 const void *addr)
{
	struct kmem_cache_cpu *c;
	unsigned long tid;
	void *freelist;

	kmemleak_free_recursive(x, s->flags);
	slub_asan_poison_free(s, x);
redo:
	c = this_cpu_slab(s);
	tid = READ_ONCE(c->tid);
	barrier();	/* the tid before the page and freelist it guards */
	if (likely(page == READ_ONCE(c->page))) {
		freelist = READ_ONCE(c->freelist);
		if (unlikely(freelist == x)) {
			slub_double_free(s, page, x);
			return;
		}
		set_freepointer(s, x, freelist);
		if (unlikely(slub_fastpath_hook))
			slub_fastpath_hook(s, 0);
		if (unlikely(!this_cpu_cmpxchg_double(c, freelist, tid, x, next_tid(tid)))) {
			stat(c, CMPXCHG_DOUBLE_CPU_FAIL);
			goto redo;
		}
		stat(c, FREE_FASTPATH);
	} else if (!__slab_free(s, page, x, x, 1, addr)) {
		return;
	}
	current->fp_objects--;
}

/* The slab of an object the free hook accepted. */
static inline struct page *slub_obj_page(const void *x)
{
	return slab_head_page(virt_to_page(x));
}

/*
 * The slab of x, which the free hook found in a slab of s, if x is the
 * start of one of its objects (check_valid_pointer() for the free path,
 * from the address alone: the slab's start is x's page less its distance
 * from the head), else reported and NULL.
 */
static __always_inline struct page *slub_free_page(struct kmem_cache *s, void *x)
{
	struct page *pg = virt_to_page(x), *page = slab_head_page(pg);
	unsigned long base = ((unsigned long)x & PAGE_MASK) -
			     ((unsigned long)(pg - page) << PAGE_SHIFT);
	unsigned long off = (unsigned long)x - base - s->red_left_pad;
	union slub_counters cnt = { .counters = page_counters(page) };

	/* off < objects * size <= 32767 * size: the 32-bit division holds */
	if (likely(off < (unsigned long)cnt.objects * s->size &&
		   !((unsigned int)off % s->size)))
		return page;
	slub_invalid_pointer(s, page, x);
	return NULL;
}

static void slub_free(struct kmem_cache *s, void *x, const void *caller)
{
	struct page *page;

	s = slab_free_hook_fast(s, x, &page, "kmem_cache_free");
	if (unlikely(!s))
		return;
	page = slub_free_page(s, x);
	if (likely(page))
		do_slab_free(s, page, x, caller);
}

/* ------------------------------------------------------------------ */
/* kmalloc                                                             */

static unsigned int size_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* v4.19 kmalloc_large(): pages of the page allocator, not a slab. */
static void *kmalloc_large_node(size_t size, gfp_t flags, int node)
{
	unsigned int order = size_order(size);
	struct page *page;

	if (order >= MAX_ORDER) {
		if (!(flags & __GFP_NOWARN))
			warn_alloc(flags, NULL, "kmalloc_large: %zu bytes: order %u >= MAX_ORDER",
				   size, order);
		return NULL;
	}
	flags |= __GFP_COMP;
	page = node == NUMA_NO_NODE ? alloc_pages(flags, order) :
				      alloc_pages_node(node, flags, order);
	if (!page)
		return NULL;
	if (kmemleak_active())
		kmemleak_alloc(page_address(page), size, 1, flags);
	return page_address(page);
}

static void *slub_kmalloc(size_t size, gfp_t flags, int node, const void *caller)
{
	struct kmem_cache *s;

	if (unlikely(size > (1UL << kmalloc_shift_high)))
		return kmalloc_large_node(size, flags, node);
	s = kmalloc_slab(size, flags);
	if (unlikely(ZERO_OR_NULL_PTR(s)))
		return s;
	if (unlikely(slab_pre_alloc_hook_fast(s, flags, node, "__kmalloc")))
		return NULL;
	return slab_alloc_node(s, flags, node, caller);
}

/* The head page of a kmalloc_large() block starting at x, or NULL. */
static struct page *kmalloc_large_page(const void *x)
{
	struct page *page;

	if (!virt_addr_valid(x))
		return NULL;
	page = virt_to_page(x);
	if (PageSlab(page) || PageTail(page) || !PageHead(page) || PageBuddy(page))
		return NULL;
	return page_address(page) == x ? page : NULL;
}

static noinline void kfree_bad_large(const void *x, struct page *head)
{
	report_begin(REPORT_BUG);
	printk("BUG: kfree(%p): inside a kmalloc_large() block of order %d at %p, not its start\n",
	       x, head->alloc_order, page_address(head));
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

static void slub_kfree(const void *x, const void *caller)
{
	struct kmem_cache *s;
	struct page *page;

	/* the common case first: an object of a slab that names its cache */
	if (likely(slab_free_hook_fast_ok(x))) {
		s = slab_free_hook_fast(NULL, x, &page, "kfree");
		if (likely(s) && (page = slub_free_page(s, (void *)x)))
			do_slab_free(s, page, (void *)x, caller);
		return;
	}
	page = kmalloc_large_page(x);
	if (page) {
		if (unlikely(slab_free_context("kfree")))
			return;
		if (kmemleak_active())
			kmemleak_free(x);
		__free_pages(page, (unsigned int)page->alloc_order);
		return;
	}
	/* (a slab head's lru is its list link: compound_head() only for
	 * pages that are no slab's) */
	if (virt_addr_valid(x) && !slab_head_page(virt_to_page(x))) {
		struct page *head = compound_head(virt_to_page(x));

		if (PageHead(head) && !PageBuddy(head)) {
			kfree_bad_large(x, head);
			return;
		}
	}
	s = slab_free_hook_fast(NULL, x, &page, "kfree");
	if (unlikely(!s))
		return;
	page = slub_free_page(s, (void *)x);
	if (likely(page))
		do_slab_free(s, page, (void *)x, caller);
}

/* v4.19 slab_ksize() */
static size_t slab_ksize(const struct kmem_cache *s)
{
	if (s->flags & (SLAB_RED_ZONE | SLAB_POISON))
		return s->object_size;
	if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_STORE_USER))
		return s->inuse;
	return s->size;
}

static size_t slub_ksize(const void *x)
{
	struct page *page = kmalloc_large_page(x);

	if (page)
		return PAGE_SIZE << page->alloc_order;
	page = virt_addr_valid(x) ? slub_obj_page(x) : NULL;
	if (!page || !check_valid_pointer(page->slab_cache, page, (void *)x)) {
		WARN(1, "ksize(%p): not the start of a kmalloc'd block\n", x);
		return 0;
	}
	return slab_ksize(page->slab_cache);
}

/* ------------------------------------------------------------------ */

const struct slab_allocator_ops slub_ops = {
	.name = "slub",
	.init = slub_init,
	.exit = slub_exit,
	.cache_flags = kmem_cache_flags,
	.cache_create = slub_cache_create,
	.cache_alias = slub_cache_alias,
	.cache_shrink = slub_cache_shrink,
	.live_objects = slub_live_objects,
	.cache_release = slub_cache_release,
	.alloc = slub_alloc,
	.free = slub_free,
	.kmalloc = slub_kmalloc,
	.kfree = slub_kfree,
	.ksize = slub_ksize,
	.get_slabinfo = slub_get_slabinfo,
	.sysfs_show = slub_sysfs_show,
	.stats = slub_stats,
	.check = slub_check,
};
