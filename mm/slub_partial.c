// SPDX-License-Identifier: MIT
/*
 * mm/slub_partial.c - SLUB's slab state and lists (Linux v4.19 mm/slub.c):
 * the (freelist, counters) exchange of a slab, node partial (and full)
 * lists, taking slabs from them (get_partial_node, acquire_slab,
 * get_any_partial), deactivate_slab, the per-CPU partial lists
 * (put_cpu_partial, unfreeze_partials), flush_slab/flush_all, and
 * __kmem_cache_shrink.
 *
 * Owned by the SLUB core.  Locking:
 *   page->(freelist, counters)	cmpxchg_double_slab() (see slub_core.h);
 *				frozen: only the owning CPU takes objects,
 *				anyone pushes;
 *   page->lru, n->partial, n->full, n->nr_partial
 *				n->list_lock (irq-safe); nr_partial also read
 *				without it (READ_ONCE: a hint, as in v4.19);
 *   c->partial, page->next/pages/pobjects of a CPU partial slab
 *				that CPU, with interrupts off (an IPI flushing
 *				them runs on the same CPU, so it waits).
 * Lock order: n->list_lock, then slab_lock() of a page (debug caches).
 */
#define _GNU_SOURCE
#include <stddef.h>

#include "slub_core.h"
#include "../numa/ipi.h"

_Static_assert(offsetof(struct page, freelist) % 16 == 0,
	       "page->freelist starts a double word");
_Static_assert(offsetof(struct page, counters) == offsetof(struct page, freelist) + 8,
	       "page->counters follows freelist");
_Static_assert(offsetof(struct kmem_cache_cpu, tid) == sizeof(void *),
	       "c->tid follows c->freelist");

/* ------------------------------------------------------------------ */
/* A slab's state                                                      */

/* PG_locked as a bit spinlock (acquire / release): held with interrupts
 * off, for a few instructions. */
void slab_lock(struct page *page)
{
	while (__atomic_fetch_or(&page->flags, 1UL << PG_locked, __ATOMIC_ACQUIRE) &
	       (1UL << PG_locked))
		__builtin_ia32_pause();
}

void slab_unlock(struct page *page)
{
	__atomic_fetch_and(&page->flags, ~(1UL << PG_locked), __ATOMIC_RELEASE);
}

/* Interrupts off (or a lockless cache's exchange, safe anywhere). */
bool __cmpxchg_double_slab(struct kmem_cache *s, struct page *page, void *fo,
			   unsigned long co, void *fn, unsigned long cn)
{
	if (likely(!(s->flags & SLAB_NO_CMPXCHG))) {
		if (slub_cas16(&page->freelist, slub_pack(fo, co), slub_pack(fn, cn), 0))
			return true;
	} else {
		slab_lock(page);
		if (page_freelist(page) == fo && page_counters(page) == co) {
			__atomic_store_n(&page->freelist, fn, __ATOMIC_RELAXED);
			__atomic_store_n(&page->counters, cn, __ATOMIC_RELAXED);
			slab_unlock(page);
			return true;
		}
		slab_unlock(page);
	}
	stat_this(s, CMPXCHG_DOUBLE_FAIL);
	return false;
}

bool cmpxchg_double_slab(struct kmem_cache *s, struct page *page, void *fo,
			 unsigned long co, void *fn, unsigned long cn)
{
	unsigned long irqflags;
	bool ret;

	if (likely(!(s->flags & SLAB_NO_CMPXCHG)))
		return __cmpxchg_double_slab(s, page, fo, co, fn, cn);
	local_irq_save(irqflags);
	ret = __cmpxchg_double_slab(s, page, fo, co, fn, cn);
	local_irq_restore(irqflags);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Node lists (list_lock held)                                          */

void __add_partial(struct kmem_cache_node *n, struct page *page, int tail)
{
	WRITE_ONCE(n->nr_partial, n->nr_partial + 1);
	if (tail == DEACTIVATE_TO_TAIL_POS)
		cds_list_add_tail(&page->lru, &n->partial);
	else
		cds_list_add(&page->lru, &n->partial);
}

void __remove_partial(struct kmem_cache_node *n, struct page *page)
{
	cds_list_del(&page->lru);
	WRITE_ONCE(n->nr_partial, n->nr_partial - 1);
}

/* Full slabs are listed only with SLAB_STORE_USER (v4.19 add_full()). */
void __add_full(struct kmem_cache *s, struct kmem_cache_node *n, struct page *page)
{
	if (s->flags & SLAB_STORE_USER)
		cds_list_add(&page->lru, &n->full);
}

void __remove_full(struct kmem_cache *s, struct kmem_cache_node *n, struct page *page)
{
	(void)n;
	if (s->flags & SLAB_STORE_USER)
		cds_list_del(&page->lru);
}

/*
 * Freeze a slab of the node list for this CPU and take it off the list
 * (list_lock held).  mode: the CPU slab-to-be, which takes its whole
 * freelist; else it keeps it (a CPU partial).  NULL if the exchange lost.
 */
static void *acquire_slab(struct kmem_cache *s, struct kmem_cache_node *n,
			  struct page *page, int mode, int *objects)
{
	union slub_counters old, new;
	void *freelist;

	freelist = page_freelist(page);
	old.counters = page_counters(page);
	new.counters = old.counters;
	*objects = (int)new.objects - (int)new.inuse;
	if (mode)
		new.inuse = new.objects;
	new.frozen = 1;
	if (!__cmpxchg_double_slab(s, page, freelist, old.counters,
				   mode ? NULL : freelist, new.counters))
		return NULL;
	__remove_partial(n, page);
	return freelist;
}

/* Interrupts off: the first slab of n becomes c->page, more go to the
 * CPU partials until half of cpu_partial objects are there. */
static void *get_partial_node(struct kmem_cache *s, struct kmem_cache_node *n,
			      struct kmem_cache_cpu *c)
{
	struct page *page, *page2;
	void *object = NULL;
	int available = 0, objects;

	if (!n || !nr_partial_read(n))
		return NULL;
	spin_lock(&n->list_lock);
	cds_list_for_each_entry_safe(page, page2, &n->partial, lru) {
		void *t = acquire_slab(s, n, page, object == NULL, &objects);

		if (!t)
			break;
		available += objects;
		if (!object) {
			c->page = page;
			stat(c, ALLOC_FROM_PARTIAL);
			object = t;
		} else {
			put_cpu_partial(s, page, 0);
			stat(c, CPU_PARTIAL_NODE);
		}
		if (!kmem_cache_has_cpu_partial(s) || available > (int)s->cpu_partial / 2)
			break;
	}
	spin_unlock(&n->list_lock);
	return object;
}

/* Other nodes, nearest first, whose partial lists are longer than
 * min_partial (v4.19 get_any_partial(), without the random defrag skip). */
static void *get_any_partial(struct kmem_cache *s, gfp_t flags, struct kmem_cache_cpu *c)
{
	struct zonelist *zonelist = &NODE_DATA(numa_node_id())->node_zonelists[ZONELIST_FALLBACK];
	int high = gfp_zone(flags);
	struct zoneref *z;
	struct zone *zone;

	if (high < 0 || num_online_nodes() < 2)
		return NULL;
	for_each_zone_zonelist_nodemask(zone, z, zonelist, (enum zone_type)high, NULL) {
		struct kmem_cache_node *n = s->node[zone->node];
		void *object;

		if (n && nr_partial_read(n) > s->min_partial) {
			object = get_partial_node(s, n, c);
			if (object)
				return object;
		}
	}
	return NULL;
}

void *get_partial(struct kmem_cache *s, gfp_t flags, int node, struct kmem_cache_cpu *c)
{
	int searchnode = node == NUMA_NO_NODE ? numa_node_id() : node;
	void *object = get_partial_node(s, s->node[searchnode], c);

	if (object || node != NUMA_NO_NODE || (flags & __GFP_THISNODE))
		return object;
	return get_any_partial(s, flags, c);
}

/* ------------------------------------------------------------------ */
/* Deactivation                                                        */

enum slab_modes { M_NONE, M_PARTIAL, M_FULL, M_FREE };

/*
 * v4.19 deactivate_slab(), interrupts off: the CPU's lockless objects
 * (freelist) go back to page, which is unfrozen and goes to its node's
 * partial list (head, or tail when remote frees came in), to no list
 * (full), or back to the page allocator (empty and the node list at
 * least min_partial long).
 */
void deactivate_slab(struct kmem_cache *s, struct page *page, void *freelist,
		     struct kmem_cache_cpu *c)
{
	struct kmem_cache_node *n = slab_node(s, page);
	enum slab_modes l = M_NONE, m = M_NONE;
	int tail = DEACTIVATE_TO_HEAD_POS, lock = 0;
	union slub_counters old, new;
	void *nextfree, *prior, *new_freelist;

	if (page_freelist(page)) {
		stat(c, DEACTIVATE_REMOTE_FREES);
		tail = DEACTIVATE_TO_TAIL_POS;
	}
	/* Stage 1: all but the last object, one exchange each (frozen: no
	 * lock, others may still push) */
	while (freelist && (nextfree = get_freepointer(s, freelist))) {
		do {
			prior = page_freelist(page);
			old.counters = page_counters(page);
			set_freepointer(s, freelist, prior);
			new.counters = old.counters;
			new.inuse--;
		} while (!__cmpxchg_double_slab(s, page, prior, old.counters, freelist,
						new.counters));
		freelist = nextfree;
	}
	/* Stage 2: the last one, unfrozen, and the list it goes to */
redo:
	prior = page_freelist(page);
	old.counters = page_counters(page);
	new.counters = old.counters;
	if (freelist) {
		new.inuse--;
		set_freepointer(s, freelist, prior);
		new_freelist = freelist;
	} else {
		new_freelist = prior;
	}
	new.frozen = 0;
	if (!new.inuse && nr_partial_read(n) >= s->min_partial) {
		m = M_FREE;
	} else if (new_freelist) {
		m = M_PARTIAL;
		if (!lock) {
			lock = 1;
			spin_lock(&n->list_lock);
		}
	} else {
		m = M_FULL;
		if (kmem_cache_debug(s) && !lock) {
			lock = 1;
			spin_lock(&n->list_lock);
		}
	}
	if (l != m) {
		if (l == M_PARTIAL)
			__remove_partial(n, page);
		else if (l == M_FULL)
			__remove_full(s, n, page);
		if (m == M_PARTIAL)
			__add_partial(n, page, tail);
		else if (m == M_FULL)
			__add_full(s, n, page);
	}
	l = m;
	if (!__cmpxchg_double_slab(s, page, prior, old.counters, new_freelist, new.counters))
		goto redo;
	if (lock)
		spin_unlock(&n->list_lock);
	if (m == M_PARTIAL)
		stat(c, tail ? DEACTIVATE_TO_TAIL : DEACTIVATE_TO_HEAD);
	else if (m == M_FULL)
		stat(c, DEACTIVATE_FULL);
	else if (m == M_FREE) {
		stat(c, DEACTIVATE_EMPTY);
		discard_slab(s, page);
	}
	c->page = NULL;
	c->freelist = NULL;
}

/* ------------------------------------------------------------------ */
/* CPU partial lists                                                   */

/*
 * Interrupts off, on the CPU of c: every slab of c->partial unfrozen onto
 * its node's partial list, or freed when empty and that list is at least
 * min_partial long (v4.19 unfreeze_partials()).
 */
void unfreeze_partials(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	struct kmem_cache_node *n = NULL, *n2;
	struct page *page, *discard = NULL;

	while ((page = c->partial)) {
		union slub_counters old, new;
		void *freelist;

		c->partial = page->next;
		n2 = slab_node(s, page);
		if (n != n2) {
			if (n)
				spin_unlock(&n->list_lock);
			n = n2;
			spin_lock(&n->list_lock);
		}
		do {
			freelist = page_freelist(page);
			old.counters = page_counters(page);
			new.counters = old.counters;
			new.frozen = 0;
		} while (!__cmpxchg_double_slab(s, page, freelist, old.counters, freelist,
						new.counters));
		if (unlikely(!new.inuse && n->nr_partial >= s->min_partial)) {
			page->next = discard;
			discard = page;
		} else {
			__add_partial(n, page, DEACTIVATE_TO_TAIL_POS);
			stat(c, FREE_ADD_PARTIAL);
		}
	}
	if (n)
		spin_unlock(&n->list_lock);
	while (discard) {
		page = discard;
		discard = page->next;
		stat(c, DEACTIVATE_EMPTY);
		discard_slab(s, page);
	}
}

/*
 * A frozen slab joins this CPU's partial list (at its head).  drain: if
 * the list already holds more than cpu_partial free objects, it goes to
 * the nodes first (so the list may exceed it by one slab, as in v4.19).
 * v4.19 swaps c->partial with this_cpu_cmpxchg(); here an interrupts-off
 * window does what that exchange protects against: an IPI of this CPU.
 */
void put_cpu_partial(struct kmem_cache *s, struct page *page, int drain)
{
	union slub_counters cnt = { .counters = page_counters(page) };
	struct kmem_cache_cpu *c;
	struct page *oldpage;
	unsigned long irqflags;
	int pages = 0, pobjects = 0;

	local_irq_save(irqflags);
	c = this_cpu_slab(s);
	oldpage = c->partial;
	if (oldpage) {
		pobjects = oldpage->pobjects;
		pages = oldpage->pages;
		if (drain && pobjects > (int)s->cpu_partial) {
			unfreeze_partials(s, c);
			oldpage = NULL;
			pobjects = 0;
			pages = 0;
			stat(c, CPU_PARTIAL_DRAIN);
		}
	}
	pages++;
	pobjects += (int)cnt.objects - (int)cnt.inuse;
	page->pages = pages;
	page->pobjects = pobjects;
	page->next = oldpage;
	c->partial = page;
	if (unlikely(!s->cpu_partial))
		unfreeze_partials(s, c);
	local_irq_restore(irqflags);
}

/* ------------------------------------------------------------------ */
/* Flushing                                                            */

/* Interrupts off, on c's CPU. */
void flush_slab(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	stat(c, CPUSLAB_FLUSH);
	deactivate_slab(s, c->page, c->freelist, c);
	c->tid = next_tid(c->tid);
}

/* Interrupts off, on cpu (an IPI, or the CPU going offline). */
void __flush_cpu_slab(struct kmem_cache *s, unsigned int cpu)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

	if (c->page)
		flush_slab(s, c);
	unfreeze_partials(s, c);
}

static void flush_cpu_slab(void *info)
{
	unsigned long irqflags;

	local_irq_save(irqflags);
	__flush_cpu_slab(info, (unsigned int)current->cpu);
	local_irq_restore(irqflags);
}

/* Every online CPU's slab and partials back to the nodes (IPIs; the
 * caller's own directly). */
void flush_all(struct kmem_cache *s)
{
	struct cpumask all;

	cpumask_clear(&all);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		cpumask_set_cpu(cpu, &all);
	smp_call_function_many(&all, flush_cpu_slab, s);
	flush_cpu_slab(s);
}

/* ------------------------------------------------------------------ */
/* Shrinking                                                           */

/*
 * v4.19 __kmem_cache_shrink(): flush, then per node free every empty
 * partial slab (below min_partial too) and sort the rest: fewest free
 * objects first, up to SHRINK_PROMOTE_MAX, the others after in their
 * order.  1 if any slab is left.
 */
int slub_cache_shrink(struct kmem_cache *s)
{
	int ret = 0;

	flush_all(s);
	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = s->node[node];
		struct cds_list_head discard, promote[SHRINK_PROMOTE_MAX];
		struct page *page, *t;
		unsigned long irqflags;

		if (!n)
			continue;
		CDS_INIT_LIST_HEAD(&discard);
		for (int i = 0; i < SHRINK_PROMOTE_MAX; i++)
			CDS_INIT_LIST_HEAD(promote + i);
		spin_lock_irqsave(&n->list_lock, irqflags);
		cds_list_for_each_entry_safe(page, t, &n->partial, lru) {
			union slub_counters cnt = { .counters = page_counters(page) };
			int free = (int)cnt.objects - (int)cnt.inuse;

			if (free == (int)cnt.objects) {
				cds_list_move(&page->lru, &discard);
				WRITE_ONCE(n->nr_partial, n->nr_partial - 1);
			} else if (free <= SHRINK_PROMOTE_MAX) {
				cds_list_move(&page->lru, promote + free - 1);
			}
		}
		for (int i = SHRINK_PROMOTE_MAX - 1; i >= 0; i--)
			cds_list_splice(promote + i, &n->partial);
		spin_unlock_irqrestore(&n->list_lock, irqflags);
		cds_list_for_each_entry_safe(page, t, &discard, lru)
			discard_slab(s, page);
		if (__atomic_load_n(&n->nr_slabs, __ATOMIC_RELAXED))
			ret = 1;
	}
	return ret;
}
