// SPDX-License-Identifier: MIT
/*
 * mm/slab_check.c - slab_is_valid(): every cache against the truth of its
 * slabs, for mm_check().
 *
 * Per node, under list_lock: each slab is a PG_slab head of this cache and
 * node, on the list its `active` says; its free indices are distinct and
 * in range; the node's counters equal what the lists hold.  Then every
 * object resting in an array (CPU, shared, alien) is an object of this
 * cache, out of its slab (not on a freelist), and in one array only.
 * Layout ("mm_check: slab layout: ..."): a cache's geometry fits its slab
 * (the last colour, num objects and an on-slab freelist in PAGE_SIZE <<
 * gfporder, a kmalloc class's objects as big as the class); each slab's
 * first object is at a whole colour below colour * colour_off, its objects
 * end inside the slab, before an on-slab freelist that itself ends at the
 * slab's end; an off-slab freelist is an object of freelist_cache; an
 * OBJFREELIST slab's freelist is the free object handed out last.  A slab
 * whose layout is wrong is not walked further (its freelist may be wild).
 * Over all caches: the pages each cache holds (nr_pages, counted with
 * NR_SLAB_* in one interrupts-off window) add up to NR_SLAB_RECLAIMABLE +
 * NR_SLAB_UNRECLAIMABLE, and each cache's lists and RCU-pending slabs
 * account for no more than it holds (a CPU stopped mid-grow or mid-free
 * has one slab in transit).
 *
 * Like mm_check() it needs a quiescent machine (stop_machine() or stopped
 * CPUs): CPU arrays are read without their owners, slab_mutex is not
 * taken (a stopped CPU may hold it), and it allocates only with mmap().
 */
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>

#include "slab.h"

struct slab_checker {
	struct check_log *log;		/* flushed once no lock is held */
	void **objs;		/* the objects found in arrays */
	int layout_ok;		/* the cache's geometry fits its slabs */
	int freelists_ok;	/* and so does every slab walked so far: the
				   arrays' objects may be looked up in them */
	size_t nr_objs, max_objs;
};

static void __printf(2, 3) violation(struct slab_checker *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(c->log, "mm_check: slab: ", fmt, ap);
	va_end(ap);
}

static void __printf(2, 3) layout_violation(struct slab_checker *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(c->log, "mm_check: slab layout: ", fmt, ap);
	va_end(ap);
}

/* The bytes a slab's freelist takes at its end (on-slab caches only). */
static size_t onslab_freelist_bytes(const struct kmem_cache *cachep)
{
	if (OFF_SLAB(cachep) || OBJFREELIST_SLAB(cachep))
		return 0;
	return cachep->freelist_size;
}

/*
 * The cache's geometry: the last colour, num objects and an on-slab
 * freelist fit in a slab.  Returns 0 if it does not (its slabs are then
 * not walked).
 */
static int check_cache_layout(struct slab_checker *c, struct kmem_cache *cachep)
{
	size_t slab_bytes = PAGE_SIZE << cachep->gfporder;
	size_t colours = cachep->colour ? cachep->colour : 1;
	size_t need = (colours - 1) * cachep->colour_off + (size_t)cachep->num * cachep->size +
		      onslab_freelist_bytes(cachep);
	int ok = 1;

	if (!cachep->num || cachep->num > SLAB_OBJ_MAX_NUM || !cachep->colour_off ||
	    cachep->size < cachep->object_size || cachep->obj_offset >= cachep->size) {
		layout_violation(c, "%s: num %u (max %u), size %u, object_size %u, obj_offset %u, colour_off %u",
				 cachep->name, cachep->num, SLAB_OBJ_MAX_NUM, cachep->size,
				 cachep->object_size, cachep->obj_offset, cachep->colour_off);
		return 0;
	}
	if (need > slab_bytes) {
		layout_violation(c, "%s: colour %zu x %u + %u objects x %u + freelist %zu = %zu bytes, but a slab of order %u has %zu",
				 cachep->name, cachep->colour, cachep->colour_off, cachep->num,
				 cachep->size, onslab_freelist_bytes(cachep), need, cachep->gfporder,
				 slab_bytes);
		ok = 0;
	}
	if (cachep->freelist_size != cachep->num * sizeof(freelist_idx_t)) {
		layout_violation(c, "%s: freelist_size %u for %u objects of %zu-byte indices",
				 cachep->name, cachep->freelist_size, cachep->num,
				 sizeof(freelist_idx_t));
		ok = 0;
	}
	if (OBJFREELIST_SLAB(cachep) && cachep->freelist_size > cachep->size) {
		layout_violation(c, "%s: an OBJFREELIST freelist of %u bytes in a %u-byte object",
				 cachep->name, cachep->freelist_size, cachep->size);
		ok = 0;
	}
	if (OFF_SLAB(cachep) && (!cachep->freelist_cache ||
				 cachep->freelist_cache->object_size < cachep->freelist_size)) {
		layout_violation(c, "%s: off-slab freelists of %u bytes in %s (objects of %u)",
				 cachep->name, cachep->freelist_size,
				 cachep->freelist_cache ? cachep->freelist_cache->name : "no cache",
				 cachep->freelist_cache ? cachep->freelist_cache->object_size : 0);
		ok = 0;
	}
	return ok;
}

/*
 * One slab's layout (its list's lock held).  Returns 0 if it is wrong:
 * its freelist is then not read.
 */
static int check_slab_layout(struct slab_checker *c, struct kmem_cache *cachep,
			     struct page *page)
{
	char *base = page_address(page), *s_mem = page->s_mem;
	size_t slab_bytes = PAGE_SIZE << cachep->gfporder;
	size_t colours = cachep->colour ? cachep->colour : 1;
	size_t objs = (size_t)cachep->num * cachep->size;
	char *freelist = page->freelist;
	unsigned long pfn = page_to_pfn(page);
	ptrdiff_t off = s_mem - base;

	if (off < 0 || (size_t)off >= colours * cachep->colour_off ||
	    (size_t)off % cachep->colour_off) {
		layout_violation(c, "%s: slab pfn %#lx (%p): first object at offset %td, not a colour below %zu x %u",
				 cachep->name, pfn, (void *)base, off, colours, cachep->colour_off);
		return 0;
	}
	if ((size_t)off + objs > slab_bytes) {
		layout_violation(c, "%s: slab pfn %#lx (%p): %u objects x %u from offset %td end at %zu, past the slab's end %zu",
				 cachep->name, pfn, (void *)base, cachep->num, cachep->size, off,
				 (size_t)off + objs, slab_bytes);
		return 0;
	}
	if (OFF_SLAB(cachep)) {
		struct page *fpage = freelist ? virt_to_slab(freelist) : NULL;
		struct kmem_cache *fc = cachep->freelist_cache;
		/* its buffer: before its red zone, if any (fc is set: the
		 * cache's layout was checked) */
		char *fbuf = freelist - fc->obj_offset;
		unsigned int idx;

		if (!fpage || fpage->slab_cache != fc ||
		    (idx = obj_to_index(fc, fpage, fbuf)) >= fc->num ||
		    index_to_obj(fc, fpage, idx) != fbuf) {
			layout_violation(c, "%s: slab pfn %#lx (%p): off-slab freelist %p is not an object of %s",
					 cachep->name, pfn, (void *)base, (void *)freelist,
					 fc ? fc->name : "no cache");
			return 0;
		}
	} else if (OBJFREELIST_SLAB(cachep)) {
		/* a full slab has none; else the free object handed out last */
		if (page->active < cachep->num &&
		    (freelist < s_mem || freelist >= s_mem + objs ||
		     (size_t)(freelist - s_mem) % cachep->size ||
		     (size_t)(freelist - s_mem) / cachep->size != get_free_obj(page, cachep->num - 1))) {
			layout_violation(c, "%s: slab pfn %#lx (%p): freelist %p is not the last free object (objects %p-%p)",
					 cachep->name, pfn, (void *)base, (void *)freelist,
					 (void *)s_mem, (void *)(s_mem + objs));
			return 0;
		}
	} else if (freelist != base + slab_bytes - cachep->freelist_size ||
		   s_mem + objs > freelist) {
		layout_violation(c, "%s: slab pfn %#lx (%p): on-slab freelist at offset %td (want %zu), objects end at offset %zu",
				 cachep->name, pfn, (void *)base, freelist - base,
				 slab_bytes - cachep->freelist_size, (size_t)off + objs);
		return 0;
	}
	return 1;
}

/* 1 if idx is on page's freelist (free in its slab). */
static int obj_is_free(struct kmem_cache *cachep, struct page *page, unsigned int idx)
{
	for (unsigned int i = page->active; i < cachep->num; i++)
		if (get_free_obj(page, i) == idx)
			return 1;
	return 0;
}

static unsigned long check_slab_list(struct slab_checker *c, struct kmem_cache *cachep,
				     int node, struct cds_list_head *head, const char *which,
				     unsigned long *free_objs)
{
	unsigned long n = 0, limit = 1UL << 32;
	unsigned long seen[(SLAB_OBJ_MAX_NUM + 1) / 64 + 1];
	struct cds_list_head *pos;

	for (pos = head->next; pos != head; pos = pos->next) {
		struct page *page = cds_list_entry(pos, struct page, lru);
		unsigned int active = page->active;

		if (++n > limit) {
			violation(c, "%s node %d: %s list does not end", cachep->name, node, which);
			break;
		}
		if (!PageSlab(page) || page->slab_cache != cachep) {
			violation(c, "%s node %d: %s list holds pfn %#lx, not a slab of this cache",
				  cachep->name, node, which, page_to_pfn(page));
			continue;
		}
		if (page_to_nid(page) != node)
			violation(c, "%s node %d: slab pfn %#lx of node %d on this node's %s list",
				  cachep->name, node, page_to_pfn(page), page_to_nid(page), which);
		if (active > cachep->num) {
			violation(c, "%s: slab pfn %#lx has %u objects in use of %u",
				  cachep->name, page_to_pfn(page), active, cachep->num);
			continue;
		}
		if ((head == &cachep->node[node]->slabs_full) != (active == cachep->num) ||
		    (head == &cachep->node[node]->slabs_free) != (active == 0))
			violation(c, "%s node %d: slab pfn %#lx with %u of %u in use is on the %s list",
				  cachep->name, node, page_to_pfn(page), active, cachep->num, which);
		*free_objs += cachep->num - active;
		if (!c->layout_ok || !check_slab_layout(c, cachep, page)) {
			c->freelists_ok = 0;
			continue;
		}
		memset(seen, 0, (cachep->num / 64 + 1) * sizeof(seen[0]));
		for (unsigned int i = active; i < cachep->num; i++) {
			unsigned int idx = get_free_obj(page, i);

			if (idx >= cachep->num || (seen[idx / 64] >> (idx % 64) & 1)) {
				violation(c, "%s: slab pfn %#lx freelist entry %u is %u (bad or repeated)",
					  cachep->name, page_to_pfn(page), i, idx);
				break;
			}
			seen[idx / 64] |= 1UL << (idx % 64);
		}
	}
	return n;
}

static void collect_array(struct slab_checker *c, struct kmem_cache *cachep,
			  struct array_cache *ac, const char *what, int id)
{
	if (!ac)
		return;
	if (ac->avail > ac->limit) {
		violation(c, "%s: %s %d array holds %u object%s, limit %u",
			  cachep->name, what, id, ac->avail, str_plural(ac->avail), ac->limit);
		return;
	}
	for (unsigned int i = 0; i < ac->avail; i++) {
		void *objp = ac->entry[i];
		struct page *page = virt_to_slab(objp);
		unsigned int idx;

		if (!page || page->slab_cache != cachep) {
			violation(c, "%s: %s %d array holds %p, not an object of this cache",
				  cachep->name, what, id, objp);
			continue;
		}
		idx = obj_to_index(cachep, page, objp);
		if (idx >= cachep->num || index_to_obj(cachep, page, idx) != objp) {
			violation(c, "%s: %s %d array holds %p, not at an object boundary",
				  cachep->name, what, id, objp);
			continue;
		}
		if (c->freelists_ok && obj_is_free(cachep, page, idx))
			violation(c, "%s: %s %d array holds %p, which is also free in its slab",
				  cachep->name, what, id, objp);
		if (c->nr_objs < c->max_objs)
			c->objs[c->nr_objs++] = objp;
	}
}

/* Shell sort: qsort() may malloc, and a stopped CPU may hold its lock. */
static void sort_ptrs(void **v, size_t n)
{
	for (size_t gap = n / 2; gap; gap /= 2)
		for (size_t i = gap; i < n; i++) {
			void *x = v[i];
			size_t j = i;

			for (; j >= gap && (uintptr_t)v[j - gap] > (uintptr_t)x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
}

/* One cache, its violations into log (the caller flushes it). */
static int __slab_is_valid(struct kmem_cache *cachep, struct check_log *log)
{
	struct slab_checker c = { .log = log };
	int before = log->violations;
	size_t bytes;

	c.max_objs = nr_cpu_ids * cachep->limit + MAX_NUMNODES * 16;
	for (unsigned int node = 0; node < num_online_nodes(); node++)
		if (cachep->node[node]->shared)
			c.max_objs += cachep->node[node]->shared->limit;
	c.max_objs += (size_t)num_online_nodes() * num_online_nodes() * 12;
	bytes = c.max_objs * sizeof(void *);
	c.layout_ok = c.freelists_ok = check_cache_layout(&c, cachep);
	c.objs = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c.objs == MAP_FAILED) {
		violation(&c, "%s: out of memory for the check", cachep->name);
		return log->violations - before;
	}

	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = cachep->node[node];
		unsigned long total, nfree, free_objs = 0, irqflags;

		spin_lock_irqsave(&n->list_lock, irqflags);
		total = check_slab_list(&c, cachep, (int)node, &n->slabs_full, "full", &free_objs);
		total += check_slab_list(&c, cachep, (int)node, &n->slabs_partial, "partial",
					 &free_objs);
		nfree = check_slab_list(&c, cachep, (int)node, &n->slabs_free, "free", &free_objs);
		total += nfree;
		if (total != n->total_slabs)
			violation(&c, "%s node %u: total_slabs is %lu but the lists hold %lu",
				  cachep->name, node, n->total_slabs, total);
		if (nfree != n->free_slabs)
			violation(&c, "%s node %u: free_slabs is %lu but slabs_free holds %lu",
				  cachep->name, node, n->free_slabs, nfree);
		if (free_objs != n->free_objects)
			violation(&c, "%s node %u: free_objects is %lu but the slabs have %lu free",
				  cachep->name, node, n->free_objects, free_objs);
		collect_array(&c, cachep, n->shared, "node shared", (int)node);
		spin_unlock_irqrestore(&n->list_lock, irqflags);

		if (n->alien)
			for (unsigned int r = 0; r < num_online_nodes(); r++) {
				struct alien_cache *alien = n->alien[r];

				if (!alien)
					continue;
				spin_lock_irqsave(&alien->lock, irqflags);
				collect_array(&c, cachep, &alien->ac, "alien", (int)(node * 1000 + r));
				spin_unlock_irqrestore(&alien->lock, irqflags);
			}
	}
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct array_cache *ac = cachep->cpu_cache[cpu];
		int node = cpu_to_node(cpu);

		collect_array(&c, cachep, ac, "cpu", (int)cpu);
		for (unsigned int i = 0; i < ac->avail && i < ac->limit; i++) {
			struct page *page = virt_to_slab(ac->entry[i]);

			if (page && page_to_nid(page) != node)
				violation(&c, "%s: cpu %u array holds %p of node %d (CPU on node %d)",
					  cachep->name, cpu, ac->entry[i], page_to_nid(page), node);
		}
	}
	sort_ptrs(c.objs, c.nr_objs);
	for (size_t i = 1; i < c.nr_objs; i++)
		if (c.objs[i] == c.objs[i - 1])
			violation(&c, "%s: object %p is in two arrays", cachep->name, c.objs[i]);
	munmap(c.objs, bytes);
	return log->violations - before;
}

int slab_is_valid(struct kmem_cache *cachep, FILE *report)
{
	struct check_log log = { .report = report };
	int violations = __slab_is_valid(cachep, &log);

	check_log_flush(&log);
	return violations;
}

/* SLAB's check hook: every cache, and the slab pages against NR_SLAB_*. */
void slab_check_all_caches(struct check_log *log)
{
	struct slab_checker c = { .log = log };
	unsigned long pages = 0, counted = 0, irqflags;
	struct kmem_cache *cachep;

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_for_each_entry(cachep, &slab_caches, list) {
		unsigned long listed = 0, held;

		__slab_is_valid(cachep, log);
		for (unsigned int node = 0; node < num_online_nodes(); node++)
			listed += cachep->node[node]->total_slabs;
		listed += __atomic_load_n(&cachep->rcu_slabs, __ATOMIC_RELAXED);
		listed <<= cachep->gfporder;
		held = __atomic_load_n(&cachep->nr_pages, __ATOMIC_RELAXED);
		/* a CPU may be stopped with a slab between the page allocator
		 * and the lists (growing or being freed): held >= listed */
		if (listed > held)
			violation(&c, "%s: its lists hold %lu slab pages but it has only %lu",
				  cachep->name, listed, held);
		pages += held;
	}
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
	counted = global_node_page_state(NR_SLAB_RECLAIMABLE) +
		  global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	if (pages != counted)
		violation(&c, "the caches hold %lu slab pages but NR_SLAB_* count %lu", pages,
			  counted);
}
