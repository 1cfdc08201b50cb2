// SPDX-License-Identifier: MIT
/*
 * mm/slab.c - the SLAB allocator (Linux v4.19 mm/slab.c semantics).
 *
 * Map (the structures are in mm/slab.h):
 *   kmem_cache_create()	layout: calculate_slab_order() over
 *				cache_estimate(), freelist in an object
 *				(OBJFREELIST), off the slab (OFF_SLAB, in a
 *				kmalloc cache) or at its end; colour_off and
 *				colour; the tunables of enable_cpucache()
 *   kmem_cache_alloc()		the CPU's array (LIFO); cache_alloc_refill()
 *				takes batchcount from the node's shared array,
 *				then its partial and free slabs, then grows one
 *   kmem_cache_free()		the CPU's array; a full one flushes its oldest
 *				batchcount to the shared array or their slabs
 *				(cache_flusharray, free_block); an object of
 *				another node goes to this node's alien array
 *				for that node
 *   cache_grow_begin/end()	a new slab from alloc_pages_node(), coloured
 *				by the node's colour_next (advanced, then
 *				used), its constructor run on every object
 *   free_block()		objects back to their slabs; free slabs past
 *				free_limit go back to the page allocator
 *   cache_reap()		every REAPTIMEOUT_AC per CPU (deferred work,
 *				rounded to a second): untouched non-empty
 *				arrays give back (limit+4)/5, one node's alien
 *				arrays are drained (round robin), free slabs
 *				are trimmed
 *   __kmem_cache_shrink()	every array drained (IPIs), every free slab freed
 *
 * Locking: a CPU's array is its own, used with interrupts off; other CPUs
 * reach it only by IPI (do_drain), which runs on the owner.  A node's
 * list_lock (irq-safe) protects its lists, counters, shared array and the
 * freelist/active of its slabs.  An alien array has its own lock, taken
 * before the remote node's list_lock.  slab_mutex serialises creation,
 * destruction, tuning and reaping; slab_caches_lock (irq-safe) lets the
 * CPU-offline callback walk slab_caches without sleeping.
 *
 * Invariants (slab_is_valid() checks them):
 *   for each slab: active + (objects on its freelist) == num; a slab is on
 *   slabs_full iff active == num, slabs_free iff active == 0;
 *   n->free_objects == sum over the node's slabs of (num - active);
 *   n->total_slabs == slabs on the three lists, n->free_slabs == |slabs_free|;
 *   each object out of its slab is either handed out or in exactly one array.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include <mmsim/sched.h>
#include "slab.h"
#include "../numa/ipi.h"
#include "../numa/vmspace.h"

int slab_debug;
unsigned int slab_max_order;
struct delayed_work *reap_work;

/* ------------------------------------------------------------------ */
/* Object <-> index                                                    */

static inline unsigned int reciprocal_divide(unsigned int a, struct reciprocal_value R)
{
	unsigned int t = (unsigned int)(((unsigned long long)a * R.m) >> 32);

	return (t + ((a - t) >> R.sh1)) >> R.sh2;
}

void *index_to_obj(const struct kmem_cache *cache, const struct page *page,
		   unsigned int idx)
{
	return (char *)page->s_mem + cache->size * idx;
}

/* The index of the buffer that obj (a buffer's first byte) starts. */
unsigned int obj_to_index(const struct kmem_cache *cache, const struct page *page,
			  const void *obj)
{
	unsigned int offset = (unsigned int)((const char *)obj - (const char *)page->s_mem);

	return reciprocal_divide(offset, cache->reciprocal_buffer_size);
}

/* ------------------------------------------------------------------ */
/* Arrays                                                              */

/* Move up to max objects from the top of from to to (both locked). */
static unsigned int transfer_objects(struct array_cache *to,
				     struct array_cache *from, unsigned int max)
{
	unsigned int nr = min(min(from->avail, max), to->limit - to->avail);

	if (!nr)
		return 0;
	memcpy(to->entry + to->avail, from->entry + from->avail - nr,
	       sizeof(void *) * nr);
	/* (an alien array's avail is read by the reaper without its lock) */
	WRITE_ONCE(from->avail, from->avail - nr);
	to->avail += nr;
	return nr;
}

/* ------------------------------------------------------------------ */
/* Slab pages                                                          */

static struct page *kmem_getpages(struct kmem_cache *cachep, gfp_t flags, int nodeid)
{
	unsigned long irqflags;
	struct page *page;
	long nr = 1L << cachep->gfporder;

	flags |= cachep->allocflags;
	page = alloc_pages_node(nodeid, flags, cachep->gfporder);
	if (!page)
		return NULL;
	local_irq_save(irqflags);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)),
			      cachep->flags & SLAB_RECLAIM_ACCOUNT ?
			      NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, nr);
	__atomic_fetch_add(&cachep->nr_pages, nr, __ATOMIC_RELAXED);
	local_irq_restore(irqflags);
	__SetPageSlab(page);
	return page;
}

/*
 * rcu: the slab comes back from a grace period, so it leaves rcu_slabs in
 * the same interrupts-off window as nr_pages and NR_SLAB_*: mm_check()
 * compares them, and stop_machine() must see all or none of the change.
 */
static void kmem_freepages(struct kmem_cache *cachep, struct page *page, int rcu)
{
	unsigned long irqflags;
	long nr = 1L << cachep->gfporder;

	local_irq_save(irqflags);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)),
			      cachep->flags & SLAB_RECLAIM_ACCOUNT ?
			      NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE, -nr);
	__atomic_fetch_sub(&cachep->nr_pages, nr, __ATOMIC_RELAXED);
	if (rcu)
		__atomic_fetch_sub(&cachep->rcu_slabs, 1, __ATOMIC_RELAXED);
	local_irq_restore(irqflags);
	slab_asan_unpoison(page_address(page), PAGE_SIZE << cachep->gfporder);
	__ClearPageSlab(page);
	WRITE_ONCE(page->slab_cache, NULL);
	page->freelist = NULL;
	page->s_mem = NULL;
	page->active = 0;
	current->fp_pages += nr;	/* back from the cache (cache_grow_begin()) */
	__free_pages(page, cachep->gfporder);
}

/* A page that never became a slab (still the task's): back to the buddy. */
static void kmem_freepages_unused(struct kmem_cache *cachep, struct page *page)
{
	current->fp_pages -= 1L << cachep->gfporder;	/* kmem_freepages() adds it */
	kmem_freepages(cachep, page, 0);
}

/* A SLAB_TYPESAFE_BY_RCU slab goes back after a grace period: its lru is
 * the rcu_head (both are two pointers, as in the kernel). */
static void kmem_rcu_free(struct rcu_head *head)
{
	struct page *page = container_of((void *)head, struct page, lru);
	struct kmem_cache *cachep = page->slab_cache;

	kmem_freepages(cachep, page, 1);
}

void slab_destroy(struct kmem_cache *cachep, struct page *page)
{
	void *freelist = page->freelist;

	if (unlikely(cachep->flags & SLAB_TYPESAFE_BY_RCU)) {
		__atomic_fetch_add(&cachep->rcu_slabs, 1, __ATOMIC_RELAXED);
		call_rcu((struct rcu_head *)(void *)&page->lru, kmem_rcu_free);
	} else {
		kmem_freepages(cachep, page, 0);
	}
	/* The off-slab freelist is not needed by a grace period's readers. */
	if (OFF_SLAB(cachep)) {
		current->fp_objects++;	/* (see cache_grow_begin()) */
		kmem_cache_free(cachep->freelist_cache, freelist);
	}
}

/* Free the slabs a caller collected under list_lock, after dropping it. */
void slabs_destroy(struct kmem_cache *cachep, struct cds_list_head *list)
{
	struct page *page, *n;

	cds_list_for_each_entry_safe(page, n, list, lru) {
		cds_list_del(&page->lru);
		slab_destroy(cachep, page);
	}
}

/* ------------------------------------------------------------------ */
/* Slab objects                                                        */

static void *slab_get_obj(struct kmem_cache *cachep, struct page *page)
{
	void *objp = index_to_obj(cachep, page, get_free_obj(page, page->active));

	page->active++;
	return objp;
}

/* Returns 0 if objp is already free in its slab (a double free). */
static int slab_put_obj(struct kmem_cache *cachep, struct page *page, void *objp)
{
	unsigned int objnr = obj_to_index(cachep, page, objp);

	if (unlikely(!page->active))
		goto double_free;
	if (unlikely(cachep->flags & SLAB_CONSISTENCY_CHECKS))
		for (unsigned int i = page->active; i < cachep->num; i++)
			if (get_free_obj(page, i) == objnr)
				goto double_free;
	page->active--;
	if (!page->freelist) {	/* OBJFREELIST: the freed object holds it */
		page->freelist = objp;
		slab_asan_unpoison(objp, cachep->freelist_size);
	}
	set_free_obj(page, page->active, (freelist_idx_t)objnr);
	return 1;

double_free:
	slab_err(cachep, page, "double free detected: object %p already free in its slab", objp);
	return 0;
}

static void fixup_slab_list(struct kmem_cache *cachep, struct kmem_cache_node *n,
			    struct page *page)
{
	cds_list_del(&page->lru);
	if (page->active == cachep->num) {
		cds_list_add(&page->lru, &n->slabs_full);
		/* OBJFREELIST: the freelist was the last object handed out */
		if (OBJFREELIST_SLAB(cachep))
			page->freelist = NULL;
	} else {
		cds_list_add(&page->lru, &n->slabs_partial);
	}
}

/* Fill ac from one slab, up to batchcount; returns what is left to take. */
static unsigned int alloc_block(struct kmem_cache *cachep, struct array_cache *ac,
				struct page *page, unsigned int batchcount)
{
	while (page->active < cachep->num && batchcount) {
		ac->entry[ac->avail++] = slab_get_obj(cachep, page);
		batchcount--;
	}
	return batchcount;
}

static struct page *get_first_slab(struct kmem_cache_node *n)
{
	struct page *page;

	if (!cds_list_empty(&n->slabs_partial))
		return cds_list_first_entry(&n->slabs_partial, struct page, lru);
	if (cds_list_empty(&n->slabs_free))
		return NULL;
	page = cds_list_first_entry(&n->slabs_free, struct page, lru);
	n->free_touched = 1;
	n->free_slabs--;
	return page;
}

/*
 * Objects back to their slabs (n->list_lock held).  Slabs that become
 * free past free_limit are moved to list, for slabs_destroy() once the
 * lock is dropped.
 */
void free_block(struct kmem_cache *cachep, void **objpp, unsigned int nr_objects,
		int node, struct cds_list_head *list)
{
	struct kmem_cache_node *n = get_node(cachep, node);
	unsigned int freed = 0;

	lockdep_assert_held(&n->list_lock);
	for (unsigned int i = 0; i < nr_objects; i++) {
		void *objp = objpp[i];
		struct page *page = virt_to_slab(objp);

		if (!slab_put_obj(cachep, page, objp))
			continue;
		freed++;
		cds_list_del(&page->lru);
		if (page->active == 0) {
			cds_list_add(&page->lru, &n->slabs_free);
			n->free_slabs++;
		} else {
			cds_list_add_tail(&page->lru, &n->slabs_partial);
		}
	}
	n->free_objects += freed;
	while (n->free_objects > n->free_limit && !cds_list_empty(&n->slabs_free)) {
		struct page *page = cds_list_entry(n->slabs_free.prev, struct page, lru);

		n->free_objects -= cachep->num;
		cds_list_move(&page->lru, list);
		n->free_slabs--;
		n->total_slabs--;
	}
}

/* ------------------------------------------------------------------ */
/* Growing                                                             */

static void cache_init_objs(struct kmem_cache *cachep, struct page *page)
{
	for (unsigned int i = 0; i < cachep->num; i++) {
		void *objp = index_to_obj(cachep, page, i);

		if (cachep->flags & SLAB_DEBUG_FLAGS)
			slab_debug_init_obj(cachep, objp);
		/* with poisoning the constructor runs at each allocation */
		if (cachep->ctor && !(cachep->flags & SLAB_POISON))
			cachep->ctor((char *)objp + cachep->obj_offset);
		set_free_obj(page, i, (freelist_idx_t)i);
	}
	/* ASan: the whole slab is out of bounds but for the freelist (and the
	 * objects of caches whose free objects are read: debug, typesafe) */
	if (cachep->flags & SLAB_DEBUG_FLAGS)
		return;
	slab_asan_poison(page_address(page), PAGE_SIZE << cachep->gfporder);
	if (!OFF_SLAB(cachep))
		slab_asan_unpoison(page->freelist, cachep->freelist_size);
	if (cachep->flags & SLAB_TYPESAFE_BY_RCU)
		slab_asan_unpoison(page->s_mem, (size_t)cachep->size * cachep->num);
}

/*
 * A new slab for node nodeid, not yet on any list (cache_grow_end() adds
 * it).  Called with interrupts off; they are on meanwhile if the caller
 * may sleep, as in the kernel, so the CPU's array may change under it.
 */
/*
 * A new slab's place for its objects, checked before any is handed out
 * (every build: a few additions per slab): the first object at a colour
 * below colour * colour_off, and the last one ending inside the slab,
 * before an on-slab freelist.  A slab laid out wrong is reported
 * ("BUG: slab layout") and refused.
 */
static noinline int slab_new_layout_bad(struct kmem_cache *cachep, struct page *page, char *addr)
{
	size_t slab_len = PAGE_SIZE << cachep->gfporder;
	size_t first = (size_t)((char *)page->s_mem - addr);
	size_t limit = slab_len, end = first + (size_t)cachep->size * cachep->num;

	if (!OFF_SLAB(cachep) && !OBJFREELIST_SLAB(cachep))
		limit -= cachep->freelist_size;
	if (likely(end <= limit && (!cachep->colour_off ||
				    first < (size_t)cachep->colour * cachep->colour_off ||
				    (first == 0 && cachep->colour == 0))))
		return 0;
	report_begin(REPORT_BUG);
	printk("BUG: slab layout: %s: new slab pfn %#lx: %u objects of %u bytes from offset %zu "
	       "end at %zu, past %zu (%s); colour %zu x %u of %zu\n", cachep->name,
	       page_to_pfn(page), cachep->num, cachep->size, first, end, limit,
	       limit < slab_len ? "its on-slab freelist" : "the slab's end",
	       cachep->colour_off ? first / cachep->colour_off : 0, cachep->colour_off,
	       cachep->colour);
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
	return 1;
}

static struct page *cache_grow_begin(struct kmem_cache *cachep, gfp_t flags, int nodeid)
{
	gfp_t local_flags;
	struct kmem_cache_node *n;
	unsigned int colour_idx;
	unsigned long irqflags;
	struct page *page;
	char *addr;
	void *freelist;
	int blocking;

	flags = slab_fix_gfp(flags);
	local_flags = flags & (GFP_CONSTRAINT_MASK | GFP_RECLAIM_MASK);
	blocking = gfpflags_allow_blocking(local_flags);
	if (blocking)
		local_irq_enable();
	page = kmem_getpages(cachep, local_flags, nodeid);
	if (!page)
		goto failed;
	nodeid = page_to_nid(page);
	n = get_node(cachep, nodeid);

	/* The colour of this slab: the node's next, advanced first (v4.19),
	 * so a node's first slab has colour 1 when there are two or more. */
	spin_lock_irqsave(&n->list_lock, irqflags);
	if (++n->colour_next >= cachep->colour)
		n->colour_next = 0;
	colour_idx = n->colour_next;
	spin_unlock_irqrestore(&n->list_lock, irqflags);

	addr = page_address(page);
	slab_asan_unpoison(addr, PAGE_SIZE << cachep->gfporder);
	page->s_mem = addr + colour_idx * cachep->colour_off;
	if (unlikely(slab_new_layout_bad(cachep, page, addr))) {
		kmem_freepages_unused(cachep, page);	/* never used: refused */
		goto failed;
	}
	if (OBJFREELIST_SLAB(cachep)) {
		/* the last object to be handed out holds the freelist */
		freelist = (char *)page->s_mem + (size_t)cachep->size * (cachep->num - 1);
	} else if (OFF_SLAB(cachep)) {
		freelist = kmem_cache_alloc_node(cachep->freelist_cache,
						 local_flags & ~__GFP_ZERO, nodeid);
		if (!freelist) {
			kmem_freepages_unused(cachep, page);
			goto failed;
		}
		current->fp_objects--;	/* the slab's, not the task's */
		/* v4.19 finds it through the struct pages it scans; the model's
		 * memmap is no root (its s_mem would reference every slab's
		 * first object): holding indices only, it is neither scanned
		 * nor reported */
		kmemleak_ignore(freelist);
	} else {
		freelist = addr + (PAGE_SIZE << cachep->gfporder) - cachep->freelist_size;
	}
	page->freelist = freelist;
	page->active = 0;
	WRITE_ONCE(page->slab_cache, cachep);
	cache_init_objs(cachep, page);
	/* the slab is the cache's now, not the task's that grew it */
	current->fp_pages -= 1L << cachep->gfporder;
	if (blocking)
		local_irq_disable();
	return page;

failed:
	if (blocking)
		local_irq_disable();
	return NULL;
}

static void cache_grow_end(struct kmem_cache *cachep, struct page *page)
{
	struct kmem_cache_node *n;
	unsigned long irqflags;

	if (!page)
		return;
	n = get_node(cachep, page_to_nid(page));
	spin_lock_irqsave(&n->list_lock, irqflags);
	n->total_slabs++;
	if (!page->active) {
		cds_list_add_tail(&page->lru, &n->slabs_free);
		n->free_slabs++;
	} else {
		cds_list_add(&page->lru, &n->slabs_partial);
		fixup_slab_list(cachep, n, page);
	}
	n->free_objects += cachep->num - page->active;
	spin_unlock_irqrestore(&n->list_lock, irqflags);
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

static gfp_t gfp_exact_node(gfp_t flags)
{
	return (flags | __GFP_THISNODE | __GFP_NOWARN) & ~(__GFP_RECLAIM | __GFP_NOFAIL);
}

/* Interrupts off, on the CPU whose array runs dry. */
static void *cache_alloc_refill(struct kmem_cache *cachep, gfp_t flags)
{
	int node = numa_node_id();
	struct kmem_cache_node *n = get_node(cachep, node);
	struct array_cache *ac = cpu_cache_get(cachep), *shared;
	unsigned int batchcount = ac->batchcount;
	struct page *page;

	if (!ac->touched && batchcount > BATCHREFILL_LIMIT)
		batchcount = BATCHREFILL_LIMIT;

	spin_lock(&n->list_lock);
	shared = n->shared;
	if (!n->free_objects && (!shared || !shared->avail))
		goto direct_grow;
	if (shared && transfer_objects(ac, shared, batchcount)) {
		shared->touched = 1;
		goto alloc_done;
	}
	while (batchcount > 0) {
		page = get_first_slab(n);
		if (!page)
			break;
		batchcount = alloc_block(cachep, ac, page, batchcount);
		fixup_slab_list(cachep, n, page);
	}
	n->free_objects -= ac->avail;
alloc_done:
direct_grow:
	spin_unlock(&n->list_lock);

	if (unlikely(!ac->avail)) {
		page = cache_grow_begin(cachep, gfp_exact_node(flags), node);
		/* interrupts may have been on: the array may have been drained */
		ac = cpu_cache_get(cachep);
		if (!ac->avail && page) {
			/* this slab is not on a list yet: no lock needed */
			alloc_block(cachep, ac, page, batchcount);
		}
		cache_grow_end(cachep, page);
		if (!ac->avail)
			return NULL;
	}
	ac->touched = 1;
	return ac->entry[--ac->avail];
}

/* An object from node nodeid's slabs directly (interrupts off). */
static void *____cache_alloc_node(struct kmem_cache *cachep, gfp_t flags, int nodeid)
{
	struct kmem_cache_node *n = get_node(cachep, nodeid);
	struct page *page;
	void *obj = NULL;

	spin_lock(&n->list_lock);
	page = get_first_slab(n);
	if (page) {
		obj = slab_get_obj(cachep, page);
		n->free_objects--;
		fixup_slab_list(cachep, n, page);
	}
	spin_unlock(&n->list_lock);
	if (obj)
		return obj;

	page = cache_grow_begin(cachep, gfp_exact_node(flags), nodeid);
	if (page) {
		obj = slab_get_obj(cachep, page);
		cache_grow_end(cachep, page);
		return obj;
	}
	return NULL;
}

/*
 * Any node (the kernel's fallback_alloc(), interrupts off): the nodes of
 * the local node's zonelist in its order -- the local node first, then the
 * others by distance (build_all_zonelists()) -- whose zones the caller may
 * use, the first with free objects giving one.  Failing that, a new slab
 * with the caller's flags on the local node (the page allocator may place
 * it elsewhere), added to its node's lists and an object taken from that
 * node; if another CPU took them all meanwhile, walk again.
 */
static void *fallback_alloc(struct kmem_cache *cachep, gfp_t flags)
{
	int high = gfp_zone(flags), local = numa_node_id();
	struct zonelist *zonelist;
	struct zoneref *z;
	struct zone *zone;
	struct page *page;
	void *obj = NULL;

	if (flags & __GFP_THISNODE)
		return NULL;
	zonelist = &NODE_DATA(local)->node_zonelists[ZONELIST_FALLBACK];
retry:
	if (high >= 0) {
		for_each_zone_zonelist_nodemask(zone, z, zonelist, (enum zone_type)high, NULL) {
			struct kmem_cache_node *n = get_node(cachep, zone->node);
			unsigned long free_objects;

			spin_lock(&n->list_lock);
			free_objects = n->free_objects;
			spin_unlock(&n->list_lock);
			if (!free_objects)
				continue;
			obj = ____cache_alloc_node(cachep, gfp_exact_node(flags), zone->node);
			if (obj)
				return obj;
		}
	}
	page = cache_grow_begin(cachep, flags, local);
	cache_grow_end(cachep, page);
	if (page) {
		obj = ____cache_alloc_node(cachep, gfp_exact_node(flags), page_to_nid(page));
		if (!obj)
			goto retry;
	}
	return obj;
}

static void *__do_cache_alloc(struct kmem_cache *cachep, gfp_t flags, int nodeid)
{
	int local = numa_node_id();
	void *objp = NULL;

	if (nodeid == NUMA_NO_NODE || nodeid == local) {
		struct array_cache *ac = cpu_cache_get(cachep);

		if (likely(ac->avail)) {
			ac->touched = 1;
			objp = ac->entry[--ac->avail];
		} else {
			objp = cache_alloc_refill(cachep, flags);
			ac = cpu_cache_get(cachep);
		}
		if (objp) {
			/* the slot handed out is no reference to it */
			if (kmemleak_active())
				kmemleak_erase(&ac->entry[ac->avail]);
			return objp;
		}
		nodeid = local;
	}
	objp = ____cache_alloc_node(cachep, flags, nodeid);
	if (!objp && !(flags & __GFP_THISNODE))
		objp = fallback_alloc(cachep, flags);
	return objp;
}

/*
 * Everything but the fast path: context checks, other nodes, debugging,
 * __GFP_ZERO, failures.
 */
void *__kmem_cache_alloc_node(struct kmem_cache *cachep, gfp_t flags, int nodeid,
			      const void *caller)
{
	unsigned long irqflags;
	void *objp;

	if (unlikely(slab_pre_alloc_hook(cachep, flags, nodeid, "kmem_cache_alloc")))
		return NULL;

	local_irq_save(irqflags);
	objp = __do_cache_alloc(cachep, flags, nodeid);
	local_irq_restore(irqflags);
	if (unlikely(!objp)) {
		if (!(flags & __GFP_NOWARN))
			warn_alloc(flags, NULL, "slab allocation failure: cache %s, object size %u",
				   cachep->name, cachep->object_size);
		return NULL;
	}
	if (unlikely(cachep->flags & SLAB_DEBUG_FLAGS)) {
		/* reports and repairs what it finds; the object is handed out */
		slab_debug_alloc(cachep, objp, flags, caller);
		objp = (char *)objp + cachep->obj_offset;
		if (unlikely(flags & __GFP_ZERO))
			memset(objp, 0, cachep->object_size);
		current->fp_objects++;
		kmemleak_alloc_recursive(objp, cachep->object_size, 1, cachep->flags, flags);
		return objp;
	}
	slab_post_alloc_hook(cachep, flags, objp);
	return objp;
}

/* ------------------------------------------------------------------ */
/* Freeing                                                             */

/* A full array: its oldest batchcount go to the shared array or home. */
static void cache_flusharray(struct kmem_cache *cachep, struct array_cache *ac)
{
	int node = numa_node_id();
	struct kmem_cache_node *n = get_node(cachep, node);
	unsigned int batchcount = ac->batchcount;
	CDS_LIST_HEAD(list);

	spin_lock(&n->list_lock);
	if (n->shared) {
		struct array_cache *shared_array = n->shared;
		unsigned int max = shared_array->limit - shared_array->avail;

		if (max) {
			if (batchcount > max)
				batchcount = max;
			memcpy(&shared_array->entry[shared_array->avail], ac->entry,
			       sizeof(void *) * batchcount);
			shared_array->avail += batchcount;
			goto free_done;
		}
	}
	free_block(cachep, ac->entry, batchcount, node, &list);
free_done:
	spin_unlock(&n->list_lock);
	slabs_destroy(cachep, &list);
	ac->avail -= batchcount;
	memmove(ac->entry, &ac->entry[batchcount], sizeof(void *) * ac->avail);
}

/* Empty an alien array into its node (alien lock held). */
void __drain_alien_cache(struct kmem_cache *cachep, struct array_cache *ac,
				int node, struct cds_list_head *list)
{
	struct kmem_cache_node *n = get_node(cachep, node);

	if (ac->avail) {
		spin_lock(&n->list_lock);
		if (n->shared)
			transfer_objects(n->shared, ac, ac->limit);
		free_block(cachep, ac->entry, ac->avail, node, list);
		WRITE_ONCE(ac->avail, 0);
		spin_unlock(&n->list_lock);
	}
}

/* An object of page_node freed on this CPU's node (interrupts off). */
static void cache_free_alien(struct kmem_cache *cachep, void *objp, int node,
			     int page_node)
{
	struct alien_cache *alien = get_node(cachep, node)->alien[page_node];
	CDS_LIST_HEAD(list);

	WRITE_ONCE(cachep->stats[current->cpu].alien_frees,
		   cachep->stats[current->cpu].alien_frees + 1);
	spin_lock(&alien->lock);
	if (unlikely(alien->ac.avail == alien->ac.limit))
		__drain_alien_cache(cachep, &alien->ac, page_node, &list);
	alien->ac.entry[alien->ac.avail] = objp;
	/* (read by the reaper without the lock) */
	WRITE_ONCE(alien->ac.avail, alien->ac.avail + 1);
	spin_unlock(&alien->lock);
	slabs_destroy(cachep, &list);
}

/* Interrupts off: objp is a checked object of cachep, of slab page. */
static void ___cache_free(struct kmem_cache *cachep, struct page *page, void *objp)
{
	int node = numa_node_id(), page_node = page_to_nid(page);
	struct array_cache *ac;

	if (unlikely(page_node != node)) {
		cache_free_alien(cachep, objp, node, page_node);
		return;
	}
	ac = cpu_cache_get(cachep);
	if (unlikely(ac->avail && ac->entry[ac->avail - 1] == objp)) {
		slab_err(cachep, page, "double free detected: object %p was just freed", objp);
		return;
	}
	if (ac->avail >= ac->limit)
		cache_flusharray(cachep, ac);
	ac->entry[ac->avail++] = objp;
}

/*
 * The general free: find the object's slab and cache, check that objp is
 * an object's first byte, report and refuse what is not.
 */
void __kmem_cache_free(struct kmem_cache *cachep, void *objp, const void *caller)
{
	struct kmem_cache *owner;
	struct page *page;
	unsigned long irqflags;
	char *buf;
	unsigned int idx;

	if (unlikely(!objp))
		return;
	owner = slab_free_hook(cachep, objp, cachep ? "kmem_cache_free" : "kfree");
	if (unlikely(!owner))
		return;
	cachep = owner;
	page = virt_to_slab(objp);
	buf = (char *)objp - cachep->obj_offset;
	idx = obj_to_index(cachep, page, buf);
	if (unlikely(buf < (char *)page->s_mem || idx >= cachep->num ||
		     index_to_obj(cachep, page, idx) != buf)) {
		slab_err(cachep, page, "Invalid object pointer %p (not the start of an object)",
			 objp);
		return;
	}
	/* (before the debug checks, as v4.19's __cache_free()) */
	kmemleak_free_recursive(objp, cachep->flags);
	if (unlikely(cachep->flags & SLAB_DEBUG_FLAGS)) {
		if (slab_debug_free(cachep, page, buf, caller))
			return;
	} else {
		slab_asan_poison_obj(cachep, buf);
	}
	local_irq_save(irqflags);
	___cache_free(cachep, page, buf);
	local_irq_restore(irqflags);
	current->fp_objects--;
}

