// SPDX-License-Identifier: MIT
/*
 * mm/slub_create.c - SLUB caches and slabs (Linux v4.19 mm/slub.c):
 * the object layout (calculate_sizes), the slab order (calculate_order,
 * slab_order), kmem_cache_open (min_partial, cpu_partial, the per-CPU and
 * per-node parts), slabs from the page allocator (allocate_slab) and back
 * (discard_slab, __free_slab, the RCU-deferred free), boot and CPU hotplug.
 *
 * Owned by the SLUB core.  Locking:
 *   s->cpu_slab[cpu]	its CPU only (see mm/slub.h); CPU offline flushes
 *			it on that CPU with interrupts off.
 *   s->node[n]		lists under n->list_lock (irq-safe); nr_slabs and
 *			total_objects are relaxed atomics, changed in the
 *			same interrupts-off window as NR_SLAB_* and
 *			s->nr_pages (and s->rcu_slabs), so that mm_check()
 *			(every CPU at a safe point) sees all or none.
 *   a new slab		the allocating CPU's until it is c->page; it gets
 *			PG_slab and its accounting with interrupts off, so
 *			no stopped CPU holds a half-made slab.
 *   slab in RCU limbo	(SLAB_TYPESAFE_BY_RCU) off every list and out of
 *			nr_slabs, still PG_slab and in nr_pages, counted in
 *			s->rcu_slabs until the grace period frees it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include "slub_core.h"
#include "../numa/ipi.h"

unsigned long slub_tid_step = 1;
static unsigned int slub_min_order;
static unsigned int slub_max_order = SLUB_MAX_ORDER;
static unsigned int slub_min_objects;

static inline int slub_fls(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

static unsigned int slub_get_order(unsigned long size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* ------------------------------------------------------------------ */
/* Order                                                               */

/* v4.19 slab_order(): the first order from the one holding min_objects
 * whose leftover is at most 1/fract_leftover of the slab; max_order + 1
 * if none. */
static unsigned int slab_order(unsigned int size, unsigned int min_objects,
			       unsigned int max_order, unsigned int fract_leftover)
{
	unsigned int order;

	if (order_objects(slub_min_order, size) > MAX_OBJS_PER_PAGE)
		return slub_get_order((unsigned long)size * MAX_OBJS_PER_PAGE) - 1;
	for (order = max(slub_min_order, slub_get_order((unsigned long)min_objects * size));
	     order <= max_order; order++) {
		unsigned long slab_size = PAGE_SIZE << order;

		if (slab_size % size <= slab_size / fract_leftover)
			break;
	}
	return order;
}

int slub_calculate_order(unsigned int size)
{
	unsigned int min_objects, max_objects, order, fraction;

	min_objects = slub_min_objects;
	if (!min_objects)
		min_objects = 4 * (slub_fls(nr_cpu_ids) + 1);
	max_objects = order_objects(slub_max_order, size);
	min_objects = min(min_objects, max_objects);
	while (min_objects > 1) {
		for (fraction = 16; fraction >= 4; fraction /= 2) {
			order = slab_order(size, min_objects, slub_max_order, fraction);
			if (order <= slub_max_order)
				return (int)order;
		}
		min_objects--;
	}
	order = slab_order(size, 1, slub_max_order, 1);
	if (order <= slub_max_order)
		return (int)order;
	order = slab_order(size, 1, MAX_ORDER, 1);
	if (order < MAX_ORDER)
		return (int)order;
	return -ENOSYS;
}

/* ------------------------------------------------------------------ */
/* Layout                                                              */

/* v4.19 calculate_sizes(): 1 if a slab holds at least one object. */
static int calculate_sizes(struct kmem_cache *s, int forced_order)
{
	slab_flags_t flags = s->flags;
	unsigned int size = ALIGN(s->object_size, (unsigned int)sizeof(void *));
	int order;

	/* a right red zone needs a word of slack */
	if ((flags & SLAB_RED_ZONE) && size == s->object_size)
		size += sizeof(void *);
	s->inuse = size;
	s->offset = 0;
	/* the free pointer leaves the object when its bytes must stay */
	if ((flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) || s->ctor) {
		s->offset = size;
		size += sizeof(void *);
	}
	if (flags & SLAB_STORE_USER)
		size += 2 * sizeof(struct track);
	s->red_left_pad = 0;
	if (flags & SLAB_RED_ZONE) {
		size += sizeof(void *);
		s->red_left_pad = ALIGN((unsigned int)sizeof(void *), s->align);
		size += s->red_left_pad;
	}
	size = ALIGN(size, s->align);
	s->size = size;
	order = forced_order >= 0 ? forced_order : slub_calculate_order(size);
	if (order < 0)
		return 0;
	s->allocflags = 0;
	if (order)
		s->allocflags |= __GFP_COMP;
	if (flags & SLAB_CACHE_DMA)
		s->allocflags |= GFP_DMA;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;
	s->oo = oo_make((unsigned int)order, size);
	s->min = oo_make(slub_get_order(size), size);
	if (oo_objects(s->oo) > oo_objects(s->max))
		s->max = s->oo;
	return !!oo_objects(s->oo);
}

static void set_min_partial(struct kmem_cache *s, unsigned long min)
{
	if (min < MIN_PARTIAL)
		min = MIN_PARTIAL;
	else if (min > MAX_PARTIAL)
		min = MAX_PARTIAL;
	s->min_partial = min;
}

/* v4.19 set_cpu_partial(): free objects kept on a CPU's partial slabs,
 * by the slot size; none for debugged caches. */
static void set_cpu_partial(struct kmem_cache *s)
{
	if (!kmem_cache_has_cpu_partial(s))
		s->cpu_partial = 0;
	else if (s->size >= PAGE_SIZE)
		s->cpu_partial = 2;
	else if (s->size >= 1024)
		s->cpu_partial = 6;
	else if (s->size >= 256)
		s->cpu_partial = 13;
	else
		s->cpu_partial = 30;
}

void slub_cache_release(struct kmem_cache *s)
{
	for (unsigned int node = 0; node < MAX_NUMNODES; node++) {
		free(s->node[node]);
		s->node[node] = NULL;
	}
	free(s->cpu_slab);
	s->cpu_slab = NULL;
}

/* ops->cache_create: v4.19 kmem_cache_open(). */
int slub_cache_create(struct kmem_cache *s)
{
	size_t bytes;

	s->align = calculate_alignment(s->flags, s->align, s->object_size);
	if (!calculate_sizes(s, -1))
		return -EINVAL;
	set_min_partial(s, (unsigned long)(slub_fls(s->size) - 1) / 2);
	set_cpu_partial(s);

	bytes = ALIGN(nr_cpu_ids * sizeof(struct kmem_cache_cpu), SMP_CACHE_BYTES);
	s->cpu_slab = aligned_alloc(SMP_CACHE_BYTES, bytes);
	if (!s->cpu_slab)
		return -ENOMEM;
	memset(s->cpu_slab, 0, bytes);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		s->cpu_slab[cpu].tid = cpu;	/* init_tid() */
	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = aligned_alloc(SMP_CACHE_BYTES, sizeof(*n));

		if (!n) {
			slub_cache_release(s);
			return -ENOMEM;
		}
		memset(n, 0, sizeof(*n));
		spin_lock_init_name(&n->list_lock, "kmem_cache_node->list_lock");
		n->list_lock.irqsafe = 1;
		CDS_INIT_LIST_HEAD(&n->partial);
		CDS_INIT_LIST_HEAD(&n->full);
		s->node[node] = n;
	}
	return 0;
}

/* v4.19 __kmem_cache_alias()'s SLUB part: the slot already holds it. */
void slub_cache_alias(struct kmem_cache *s, unsigned int object_size)
{
	s->object_size = max(s->object_size, object_size);
	s->inuse = max(s->inuse, ALIGN(object_size, (unsigned int)sizeof(void *)));
}

/* ------------------------------------------------------------------ */
/* Slabs                                                               */

#ifdef SLAB_ASAN
/* Free objects are out of bounds for ASan but for their free pointer;
 * not in debugged caches (their bytes are checked) nor RCU ones (read). */
static inline int slub_asan_poisons(struct kmem_cache *s)
{
	return !(s->flags & (SLAB_DEBUG_FLAGS_SLUB | SLAB_TYPESAFE_BY_RCU));
}

void slub_asan_poison_free(struct kmem_cache *s, void *object)
{
	char *slot = (char *)object - s->red_left_pad;

	if (!slub_asan_poisons(s))
		return;
	slab_asan_poison(slot, s->size);
	slab_asan_unpoison((char *)object + s->offset, sizeof(void *));
}
#endif

static struct page *alloc_slab_page(gfp_t flags, int node, unsigned int order)
{
	if (node == NUMA_NO_NODE)
		return alloc_pages(flags, order);
	return alloc_pages_node(node, flags, order);
}

/* The slab's pages leave or join the counters in one interrupts-off
 * window (see the map). */
static void account_slab(struct kmem_cache *s, struct page *page, unsigned int order,
			 unsigned int objects, int sign, int rcu)
{
	struct kmem_cache_node *n = slab_node(s, page);
	long nr = (long)(1L << order) * sign;
	unsigned long irqflags;

	local_irq_save(irqflags);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)),
			      s->flags & SLAB_RECLAIM_ACCOUNT ?
			      NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, nr);
	__atomic_fetch_add(&s->nr_pages, (unsigned long)nr, __ATOMIC_RELAXED);
	if (sign > 0) {
		__atomic_fetch_add(&n->nr_slabs, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&n->total_objects, objects, __ATOMIC_RELAXED);
	}
	if (rcu)
		__atomic_fetch_sub(&s->rcu_slabs, 1, __ATOMIC_RELAXED);
	local_irq_restore(irqflags);
}

/*
 * v4.19 allocate_slab(), interrupts off (on around the page allocator
 * when the caller may block): the preferred order without reclaim, then
 * the minimal one with the caller's flags.  The slab comes back frozen,
 * every object on page->freelist, inuse == objects (the CPU takes them).
 */
struct page *new_slab(struct kmem_cache *s, gfp_t flags, int node)
{
	struct kmem_cache_order_objects oo = s->oo;
	union slub_counters cnt = { 0 };
	gfp_t alloc_gfp;
	struct page *page;
	char *start, *p;
	unsigned int order, objects;
	int blocking;

	flags = slab_fix_gfp(flags);
	flags &= GFP_CONSTRAINT_MASK | GFP_RECLAIM_MASK;
	blocking = gfpflags_allow_blocking(flags);
	if (blocking)
		local_irq_enable();
	flags |= s->allocflags;
	alloc_gfp = (flags | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
	if ((alloc_gfp & __GFP_DIRECT_RECLAIM) && oo_order(oo) > oo_order(s->min))
		alloc_gfp = (alloc_gfp | __GFP_NOMEMALLOC) & ~__GFP_RECLAIM;
	page = alloc_slab_page(alloc_gfp, node, oo_order(oo));
	if (unlikely(!page)) {
		oo = s->min;
		page = alloc_slab_page(flags, node, oo_order(oo));
		if (page)
			stat_this(s, ORDER_FALLBACK);
	}
	if (blocking)
		local_irq_disable();
	if (unlikely(!page))
		return NULL;

	order = oo_order(oo);
	objects = oo_objects(oo);
	start = page_address(page);
	slab_asan_unpoison(start, PAGE_SIZE << order);
	page->slab_cache = s;
	__SetPageSlab(page);
	if (kmem_cache_debug(s))
		setup_page_debug(s, page, start);
	for (unsigned int i = 0; i < objects; i++) {
		p = start + (size_t)i * s->size + s->red_left_pad;
		if (kmem_cache_debug(s))
			setup_object_debug(s, page, p);
		if (unlikely(s->ctor))
			s->ctor(p);
		set_freepointer(s, p, i + 1 < objects ? p + s->size : NULL);
		slub_asan_poison_free(s, p);
	}
	cnt.inuse = objects;
	cnt.objects = objects;
	cnt.frozen = 1;
	__atomic_store_n(&page->freelist, start + s->red_left_pad, __ATOMIC_RELAXED);
	__atomic_store_n(&page->counters, cnt.counters, __ATOMIC_RELAXED);
	account_slab(s, page, order, objects, 1, 0);
	/* the slab is the cache's now, not the task's that grew it */
	current->fp_pages -= 1L << order;
	stat_this(s, ALLOC_SLAB);
	return page;
}

static void __free_slab(struct kmem_cache *s, struct page *page, int rcu)
{
	unsigned int order = (unsigned int)page->alloc_order;

	if (s->flags & SLAB_CONSISTENCY_CHECKS) {
		union slub_counters cnt = { .counters = page_counters(page) };
		char *start = slab_address(page);

		slab_pad_check(s, page);
		for (unsigned int i = 0; i < cnt.objects; i++)
			check_object(s, page, start + (size_t)i * s->size + s->red_left_pad,
				     SLUB_RED_INACTIVE);
	}
	account_slab(s, page, order, 0, -1, rcu);
	slab_asan_unpoison(page_address(page), PAGE_SIZE << order);
	__ClearPageSlab(page);
	WRITE_ONCE(page->slab_cache, NULL);
	__atomic_store_n(&page->freelist, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&page->counters, 0UL, __ATOMIC_RELAXED);
	current->fp_pages += 1L << order;	/* back from the cache (new_slab()) */
	__free_pages(page, order);
}

/* A SLAB_TYPESAFE_BY_RCU slab after its grace period: lru is the
 * rcu_head (two pointers, as in the kernel). */
static void rcu_free_slab(struct rcu_head *head)
{
	struct page *page = container_of((void *)head, struct page, lru);

	__free_slab(page->slab_cache, page, 1);
}

/* v4.19 discard_slab(): dec_slabs_node() + free_slab().  The slab is on
 * no list and no CPU's. */
void discard_slab(struct kmem_cache *s, struct page *page)
{
	struct kmem_cache_node *n = slab_node(s, page);
	union slub_counters cnt = { .counters = page_counters(page) };
	unsigned long irqflags;
	int rcu = !!(s->flags & SLAB_TYPESAFE_BY_RCU);

	local_irq_save(irqflags);
	__atomic_fetch_sub(&n->nr_slabs, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&n->total_objects, cnt.objects, __ATOMIC_RELAXED);
	if (rcu)
		__atomic_fetch_add(&s->rcu_slabs, 1, __ATOMIC_RELAXED);
	local_irq_restore(irqflags);
	stat_this(s, FREE_SLAB);
	if (rcu)
		call_rcu((struct rcu_head *)(void *)&page->lru, rcu_free_slab);
	else
		__free_slab(s, page, 0);
}

/* ------------------------------------------------------------------ */
/* Boot, CPUs                                                          */

/* On the CPU going away, interrupts off: its slabs back to the nodes
 * (v4.19 slub_cpu_dead(), run here by the CPU itself). */
static void slub_cpu_offline(unsigned int cpu)
{
	struct kmem_cache *s;
	unsigned long irqflags;

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_for_each_entry(s, &slab_caches, list)
		if (s->cpu_slab)
			__flush_cpu_slab(s, cpu);
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
}

static void slub_cpu_online(unsigned int cpu)
{
	(void)cpu;
}

static const struct cpuhp_state slub_cpuhp = {
	.name = "mm/slub:online",
	.online = slub_cpu_online,
	.offline = slub_cpu_offline,
};

int slub_init(void)
{
	int ret;

	slub_tid_step = 1;
	while (slub_tid_step < nr_cpu_ids)
		slub_tid_step <<= 1;
	/* slub_debug= of this boot (validated when parsed; NULL resets) */
	ret = setup_slub_debug(slub_debug_string);
	if (ret)
		return ret;
	ret = cpuhp_setup_state(&slub_cpuhp);
	if (ret)
		return ret;
	ret = create_kmalloc_caches(0);
	if (ret)
		cpuhp_remove_state(&slub_cpuhp);
	return ret;
}

void slub_exit(void)
{
	cpuhp_remove_state(&slub_cpuhp);
}
