// SPDX-License-Identifier: MIT
/*
 * mm/slub_check.c - slub_check(): SLUB's structures against the truth of
 * its slabs, for mm_check() (the allocator's ops->check).
 *
 * Owned by the SLUB inspection part; reads what mm/slub.c owns and writes
 * nothing (but the console, through slub_debug's check_object(), see
 * below).  Locks: slab_caches_lock while the cache list is copied, each
 * node's list_lock while its lists are walked; the per-CPU parts are read
 * without their owners: the machine is quiescent (stop_machine(), or no
 * CPU but the caller has a thread).  It allocates only with mmap() (a
 * stopped CPU may hold malloc's lock) and prints only into the check_log.
 *
 * As v4.19 keeps them: a node's partial list is nr_partial long, of
 * unfrozen slabs of its cache and node with a free object (empty ones may
 * stay); its full list (SLAB_STORE_USER) of unfrozen full slabs; a CPU's
 * c->page is frozen (c->freelist only with one), its c->partial chain
 * (page->next) of frozen slabs whose pages is the chain's length from
 * each and whose pobjects grow towards the head by at most a slab's
 * objects a step; every freelist (c->freelist, page->freelist) is made of
 * slot starts ((obj - base - red_left_pad) % size == 0, inside objects *
 * size), ends within objects steps, repeats no object (the CPU slab's two
 * lists together); inuse == objects - (objects on page->freelist) for
 * every slab (those on a c->freelist count as in use); objects is
 * oo_objects() of the slab's order (s->oo or s->min); no slab has two
 * holders (two CPUs, a CPU and a node list, two lists).
 *
 * Full slabs that are on no list cannot be found from the lists, so the
 * walker also scans the memmap (lowmem: slabs are never highmem) for
 * PG_slab heads of each SLUB cache: every such slab is either held (a list
 * or a CPU) or "unlisted".  An unlisted slab must be full and unfrozen
 * (SLAB_STORE_USER caches: on no list at all is wrong, they have `full`).
 * With that census, each node's nr_slabs and total_objects must equal what
 * was found, and each cache's nr_pages the pages of its slabs.
 *
 * Slabs in transit: when CPUs other than the caller have threads, the
 * check runs under stop_machine(), which stops a CPU wherever its
 * interrupts are on, and v4.19 leaves some windows open there (a new slab
 * set up with interrupts on, a slab on its way to a CPU partial list, an
 * empty slab between its list and discard_slab()).  Then an unlisted slab
 * that is not full is counted as in transit, not reported, and the
 * counters may differ from the census by the slabs in transit and one per
 * CPU.  With no other CPU running every such difference is reported.
 * TYPESAFE_BY_RCU caches: an unlisted empty slab may wait for its grace
 * period (s->rcu_slabs of them, as the core counts them: taken off
 * nr_slabs, still in nr_pages and NR_SLAB_*).
 *
 * Over all SLUB caches: the sum of nr_pages equals NR_SLAB_RECLAIMABLE +
 * NR_SLAB_UNRECLAIMABLE (kmalloc_large() pages are no slab pages, as in
 * v4.19).  Caches with debug flags get v4.19's `validate` on top, when the
 * machine is quiescent: check_object() on every object of an unfrozen
 * slab (reports on the console, restores the bytes; a failure is also a
 * violation here) and slab_pad_check() with SLAB_POISON.
 */
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>

#include "slub.h"
#include "../numa/ipi.h"

enum slub_owner_kind { OWN_PARTIAL, OWN_FULL, OWN_CPU, OWN_CPU_PARTIAL };

static const char *const owner_name[] = {
	[OWN_PARTIAL] = "node %u partial list",
	[OWN_FULL] = "node %u full list",
	[OWN_CPU] = "cpu %u slab",
	[OWN_CPU_PARTIAL] = "cpu %u partial list",
};

/* Who holds a slab (one entry per sighting: two for one slab is a bug). */
struct slub_owner {
	struct page *page;
	unsigned int kind;		/* enum slub_owner_kind */
	unsigned int id;		/* node or cpu */
};

/* The census of one cache on one node: the slabs the memmap holds. */
struct slub_tally {
	unsigned long slabs, objects;
	unsigned long transit;		/* unlisted and not full */
	unsigned long rcu;		/* unlisted, empty, TYPESAFE_BY_RCU */
	unsigned long transit_objects, rcu_objects;	/* their objects */
};

struct slub_cache_info {
	struct kmem_cache *s;
	unsigned long pages;		/* slab pages found */
	unsigned long rcu_pages;	/* of them, in slabs that may wait for RCU */
	struct slub_tally node[MAX_NUMNODES];
};

/* The caches sorted by address, for the memmap scan. */
struct slub_cache_ref {
	struct kmem_cache *s;
	size_t idx;
};

struct slub_checker {
	struct check_log *log;
	int quiescent;			/* no CPU but the caller runs */
	unsigned int running;		/* CPUs with a thread, the caller's not */
	struct slub_cache_info *caches;
	struct slub_cache_ref *refs;
	size_t nr_caches;
	struct slub_owner *owners;
	size_t nr_owners, max_owners;
	int overflow;
	void *map;
	size_t map_bytes;
};

static void __printf(2, 3) violation(struct slub_checker *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(c->log, "mm_check: slab: ", fmt, ap);
	va_end(ap);
}

/* The slab's order: its block's, as the page allocator handed it out. */
static unsigned int slab_order_of(struct page *page)
{
	return (unsigned int)page->alloc_order;
}

/*
 * objects against the slab's order (s->oo or the s->min fallback): 0 if
 * it does not fit, and the freelists are then not walked.
 */
static int check_objects(struct slub_checker *c, struct kmem_cache *s, struct page *page,
			 union slub_counters sc, const char *where)
{
	unsigned int order = slab_order_of(page);

	if ((order == oo_order(s->oo) && sc.objects == oo_objects(s->oo)) ||
	    (order == oo_order(s->min) && sc.objects == oo_objects(s->min)))
		return 1;
	violation(c, "%s %s: slab pfn %#lx of order %u has %u objects (oo %u/%u, min %u/%u)",
		  s->name, where, page_to_pfn(page), order, sc.objects, oo_order(s->oo),
		  oo_objects(s->oo), oo_order(s->min), oo_objects(s->min));
	return sc.objects && order < MAX_ORDER &&
	       (size_t)sc.objects * s->size + s->red_left_pad <= PAGE_SIZE << order;
}

/*
 * Walk one freelist of page (objects slots): each entry a slot start, no
 * slot twice (seen, shared by the CPU slab's two lists), at most objects
 * steps.  Returns the number of objects, or -1 once reported.
 */
static long walk_freelist(struct slub_checker *c, struct kmem_cache *s, struct page *page,
			  unsigned int objects, void *head, unsigned long *seen,
			  const char *where, const char *which)
{
	char *base = page_address(page);
	size_t end = (size_t)objects * s->size;
	long n = 0;

	for (void *p = head; p; p = slub_read_freepointer(s, p)) {
		size_t off = (size_t)((char *)p - base), slot;

		if ((char *)p < base + s->red_left_pad || off - s->red_left_pad >= end ||
		    (off - s->red_left_pad) % s->size) {
			violation(c, "%s %s: slab pfn %#lx %s entry %ld is %p, not an object of the slab (%p-%p, size %u)",
				  s->name, where, page_to_pfn(page), which, n, p, (void *)base,
				  (void *)(base + end), s->size);
			return -1;
		}
		slot = (off - s->red_left_pad) / s->size;
		if (seen[slot / 64] >> (slot % 64) & 1) {
			violation(c, "%s %s: slab pfn %#lx %s entry %ld is %p, already free (a cycle or a double free)",
				  s->name, where, page_to_pfn(page), which, n, p);
			return -1;
		}
		seen[slot / 64] |= 1UL << (slot % 64);
		n++;
	}
	return n;
}

/* A struct page pointer into lowmem's memmap (a corrupted link is not
 * followed). */
static int page_ptr_ok(const struct page *page)
{
	uintptr_t first = (uintptr_t)pfn_to_page(__mm_layout.min_pfn);
	uintptr_t end = (uintptr_t)pfn_to_page(__mm_layout.max_low_pfn);

	return (uintptr_t)page >= first && (uintptr_t)page < end &&
	       ((uintptr_t)page - first) % sizeof(struct page) == 0;
}

/*
 * A slab's objects and page->freelist (into seen, cleared here) against
 * its inuse: the number on the freelist, or -1 if it was not walked.
 */
static long check_page_freelist(struct slub_checker *c, struct kmem_cache *s,
				struct page *page, union slub_counters sc, unsigned long *seen,
				const char *where)
{
	long nfree;

	if (!check_objects(c, s, page, sc, where))
		return -1;
	memset(seen, 0, (sc.objects / 64 + 1) * sizeof(seen[0]));
	nfree = walk_freelist(c, s, page, sc.objects, page->freelist, seen, where, "freelist");
	if (nfree >= 0 && sc.inuse != sc.objects - nfree)
		violation(c, "%s %s: slab pfn %#lx inuse %u, but %u objects less %ld on its freelist is %ld",
			  s->name, where, page_to_pfn(page), sc.inuse, sc.objects, nfree,
			  (long)sc.objects - nfree);
	return nfree;
}

static void add_owner(struct slub_checker *c, struct page *page, unsigned int kind,
		      unsigned int id)
{
	if (c->nr_owners == c->max_owners) {
		c->overflow = 1;
		return;
	}
	c->owners[c->nr_owners++] = (struct slub_owner){ page, kind, id };
}

/*
 * One held slab: of this cache (else 0: not walked), its objects, its
 * freelist, inuse, frozen as its holder requires.  cpu_free: the CPU
 * slab's c->freelist, walked with page->freelist.
 */
static int check_held_slab(struct slub_checker *c, struct kmem_cache *s, struct page *page,
			   unsigned int kind, unsigned int id, void *cpu_free)
{
	unsigned long seen[(MAX_OBJS_PER_PAGE + 1) / 64 + 1];
	union slub_counters sc;
	char where[48];
	long nfree;

	snprintf(where, sizeof(where), owner_name[kind], id);
	if (!page_ptr_ok(page)) {
		violation(c, "%s %s: %p is no struct page of lowmem", s->name, where,
			  (void *)page);
		return 0;
	}
	if (!PageSlab(page) || READ_ONCE(page->slab_cache) != s) {
		violation(c, "%s %s: pfn %#lx is not a slab of this cache (%s)", s->name, where,
			  page_to_pfn(page), PageSlab(page) ? "another cache's" : "no PG_slab");
		return 0;
	}
	add_owner(c, page, kind, id);
	sc = slub_read_counters(page);
	if ((kind == OWN_PARTIAL || kind == OWN_FULL) && page_to_nid(page) != (int)id)
		violation(c, "%s %s: slab pfn %#lx is of node %d", s->name, where,
			  page_to_pfn(page), page_to_nid(page));
	if (sc.frozen != (kind == OWN_CPU || kind == OWN_CPU_PARTIAL))
		violation(c, "%s %s: slab pfn %#lx is %sfrozen", s->name, where, page_to_pfn(page),
			  sc.frozen ? "" : "not ");
	nfree = check_page_freelist(c, s, page, sc, seen, where);
	if (nfree < 0)
		return 1;
	if (kind == OWN_PARTIAL && !nfree)
		violation(c, "%s %s: slab pfn %#lx has no free object", s->name, where,
			  page_to_pfn(page));
	if (kind == OWN_FULL && nfree)
		violation(c, "%s %s: slab pfn %#lx has %ld free object%s", s->name, where,
			  page_to_pfn(page), nfree, str_plural(nfree));
	if (cpu_free)
		walk_freelist(c, s, page, sc.objects, cpu_free, seen, where, "cpu freelist");
	return 1;
}

/* A node list under its list_lock: returns its length. */
static unsigned long check_node_list(struct slub_checker *c, struct kmem_cache *s,
				     unsigned int node, struct cds_list_head *head,
				     unsigned int kind)
{
	unsigned long n = 0, limit = __mm_layout.max_low_pfn;
	struct cds_list_head *pos;

	for (pos = head->next; pos != head; pos = pos->next) {
		if (++n > limit) {
			violation(c, "%s node %u: %s list does not end", s->name, node,
				  kind == OWN_PARTIAL ? "partial" : "full");
			break;
		}
		check_held_slab(c, s, cds_list_entry(pos, struct page, lru), kind, node, NULL);
	}
	return n;
}

static void check_nodes(struct slub_checker *c, struct kmem_cache *s)
{
	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = s->node[node];
		unsigned long irqflags, len;

		if (!n)
			continue;
		spin_lock_irqsave(&n->list_lock, irqflags);
		len = check_node_list(c, s, node, &n->partial, OWN_PARTIAL);
		if (len != n->nr_partial)
			violation(c, "%s node %u: nr_partial is %lu but the partial list holds %lu",
				  s->name, node, n->nr_partial, len);
		len = check_node_list(c, s, node, &n->full, OWN_FULL);
		if (len && !(s->flags & SLAB_STORE_USER))
			violation(c, "%s node %u: %lu slab%s on the full list without SLAB_STORE_USER",
				  s->name, node, len, str_plural(len));
		spin_unlock_irqrestore(&n->list_lock, irqflags);
	}
}

/* A CPU's partial list: frozen slabs, pages and pobjects as v4.19 keeps
 * them at each step (the head's are the list's). */
static void check_cpu_partial(struct slub_checker *c, struct kmem_cache *s, unsigned int cpu,
			      struct page *head, unsigned long limit)
{
	unsigned long len = 0, i = 0;
	struct page *page;

	for (page = head; page && page_ptr_ok(page); page = READ_ONCE(page->next))
		if (++len > limit) {
			violation(c, "%s cpu %u: partial list does not end (over %lu slabs)",
				  s->name, cpu, limit);
			return;
		}
	if (!s->cpu_partial && c->quiescent)
		violation(c, "%s cpu %u: %lu slab%s on the partial list, but cpu_partial is 0",
			  s->name, cpu, len, str_plural(len));
	for (page = head; page; page = READ_ONCE(page->next), i++) {
		struct page *next = READ_ONCE(page->next);
		union slub_counters sc = slub_read_counters(page);
		int pages = READ_ONCE(page->pages), pobjects = READ_ONCE(page->pobjects);
		int below = next && page_ptr_ok(next) ? READ_ONCE(next->pobjects) : 0;

		if (!check_held_slab(c, s, page, OWN_CPU_PARTIAL, cpu, NULL))
			return;
		if (pages != (long)(len - i))
			violation(c, "%s cpu %u: partial slab pfn %#lx (#%lu of %lu) says pages %d, not %lu",
				  s->name, cpu, page_to_pfn(page), i + 1, len, pages, len - i);
		if (pobjects < below || pobjects - below > (int)sc.objects)
			violation(c, "%s cpu %u: partial slab pfn %#lx (#%lu of %lu) says pobjects %d, the next %d (at most %u more)",
				  s->name, cpu, page_to_pfn(page), i + 1, len, pobjects, below,
				  sc.objects);
	}
}

static void check_cpus(struct slub_checker *c, struct kmem_cache *s)
{
	/* a chain longer than lowmem has frames is a cycle */
	unsigned long limit = __mm_layout.max_low_pfn;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct kmem_cache_cpu *cc = &s->cpu_slab[cpu];
		struct page *page = READ_ONCE(cc->page);
		void **freelist = READ_ONCE(cc->freelist);

		if (page)
			check_held_slab(c, s, page, OWN_CPU, cpu, freelist);
		else if (freelist)
			violation(c, "%s cpu %u: freelist %p without a cpu slab", s->name, cpu,
				  (void *)freelist);
		if (READ_ONCE(cc->partial))
			check_cpu_partial(c, s, cpu, READ_ONCE(cc->partial), limit);
	}
}

/*
 * Shell sort by the pointer each element starts with (no qsort(): it may
 * malloc, and a stopped CPU may hold malloc's lock).
 */
static void sort_by_ptr(void *v, size_t n, size_t size)
{
	union {
		uintptr_t key;
		char bytes[32];	/* the largest element */
	} x;
	char *base = v;

	for (size_t gap = n / 2; gap; gap /= 2)
		for (size_t i = gap; i < n; i++) {
			size_t j = i;

			memcpy(x.bytes, base + i * size, size);
			for (; j >= gap && *(uintptr_t *)(void *)(base + (j - gap) * size) > x.key;
			     j -= gap)
				memcpy(base + j * size, base + (j - gap) * size, size);
			memcpy(base + j * size, x.bytes, size);
		}
}

static struct slub_cache_info *find_cache(struct slub_checker *c, struct kmem_cache *s)
{
	size_t lo = 0, hi = c->nr_caches;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->refs[mid].s == s)
			return &c->caches[c->refs[mid].idx];
		if ((uintptr_t)c->refs[mid].s < (uintptr_t)s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int is_held(struct slub_checker *c, struct page *page)
{
	size_t lo = 0, hi = c->nr_owners;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->owners[mid].page == page)
			return 1;
		if ((uintptr_t)c->owners[mid].page < (uintptr_t)page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* No slab held twice (the owners sorted). */
static void check_owners(struct slub_checker *c)
{
	char a[48], b[48];

	if (c->overflow)
		violation(c, "more slabs held by lists and CPUs than the caches' nr_slabs leave room for (%zu)",
			  c->max_owners);
	for (size_t i = 1; i < c->nr_owners; i++) {
		struct slub_owner *x = &c->owners[i - 1], *y = &c->owners[i];

		if (x->page != y->page)
			continue;
		snprintf(a, sizeof(a), owner_name[x->kind], x->id);
		snprintf(b, sizeof(b), owner_name[y->kind], y->id);
		violation(c, "%s: slab pfn %#lx is held twice: on the %s and the %s",
			  READ_ONCE(x->page->slab_cache)->name, page_to_pfn(x->page), a, b);
	}
}

/* An unlisted slab (held by no list and no CPU). */
static void check_unlisted(struct slub_checker *c, struct slub_cache_info *ci,
			   struct page *page, union slub_counters sc, struct slub_tally *t)
{
	struct kmem_cache *s = ci->s;
	void *freelist = page->freelist;

	if (!sc.frozen && !freelist && sc.inuse == sc.objects) {
		if ((s->flags & SLAB_STORE_USER) && c->quiescent)
			violation(c, "%s: full slab pfn %#lx is on no list (SLAB_STORE_USER: the full list)",
				  s->name, page_to_pfn(page));
		return;
	}
	if (!sc.frozen && !sc.inuse && (s->flags & SLAB_TYPESAFE_BY_RCU)) {
		t->rcu++;		/* (against rcu_slabs, by the caller) */
		t->rcu_objects += sc.objects;
		ci->rcu_pages += slab_order_of(page) < MAX_ORDER ? 1UL << slab_order_of(page) : 1;
		return;
	}
	t->transit++;
	t->transit_objects += sc.objects;
	if (!c->quiescent)
		return;
	violation(c, "%s: slab pfn %#lx is on no list and no cpu but not full: %sfrozen, inuse %u of %u, freelist %p",
		  s->name, page_to_pfn(page), sc.frozen ? "" : "not ", sc.inuse, sc.objects, freelist);
	if (!sc.frozen) {
		unsigned long seen[(MAX_OBJS_PER_PAGE + 1) / 64 + 1];

		check_page_freelist(c, s, page, sc, seen, "unlisted");
	}
}

/*
 * v4.19's validate of one unfrozen slab of a debug cache, the machine
 * quiescent and nothing held (check_object() prints): each object against
 * its state, the padding with SLAB_POISON.  Quietly skipped if its
 * objects or freelist are wrong (reported by the walk of its holder).
 */
static void validate_slab(struct slub_checker *c, struct kmem_cache *s, struct page *page,
			  union slub_counters sc)
{
	unsigned long seen[(MAX_OBJS_PER_PAGE + 1) / 64 + 1];
	char *base = page_address(page);

	if (sc.objects != oo_objects(slab_order_of(page) == oo_order(s->oo) ? s->oo : s->min))
		return;
	memset(seen, 0, (sc.objects / 64 + 1) * sizeof(seen[0]));
	for (void *p = page->freelist; p; p = slub_read_freepointer(s, p)) {
		size_t off = (size_t)((char *)p - base) - s->red_left_pad, slot = off / s->size;

		if ((char *)p < base + s->red_left_pad || off % s->size || slot >= sc.objects ||
		    (seen[slot / 64] >> (slot % 64) & 1))
			return;
		seen[slot / 64] |= 1UL << (slot % 64);
	}
	if ((s->flags & SLAB_POISON) && !slab_pad_check(s, page))
		violation(c, "%s: slab pfn %#lx: padding overwritten (slub_debug reported it)",
			  s->name, page_to_pfn(page));
	for (unsigned int i = 0; i < sc.objects; i++) {
		void *obj = base + s->red_left_pad + (size_t)i * s->size;
		int free = seen[i / 64] >> (i % 64) & 1;

		if (!check_object(s, page, obj, free ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE))
			violation(c, "%s: slab pfn %#lx: %s object %p fails check_object() (slub_debug reported it)",
				  s->name, page_to_pfn(page), free ? "free" : "allocated", obj);
	}
}

/*
 * The census: every PG_slab head of lowmem whose cache is a SLUB cache of
 * the list, counted per cache and node; the unlisted ones checked.
 */
static void scan_memmap(struct slub_checker *c)
{
	unsigned long pfn = __mm_layout.min_pfn, end = __mm_layout.max_low_pfn;

	while (pfn < end) {
		struct page *page = pfn_to_page(pfn);
		unsigned long flags = READ_ONCE(page->flags);
		struct slub_cache_info *ci;
		union slub_counters sc;
		struct slub_tally *t;
		unsigned int order;
		int nid;

		if (flags & (1UL << PG_buddy)) {
			order = page_order(page);
			pfn += order < MAX_ORDER ? 1UL << order : 1;
			continue;
		}
		if (!(flags & (1UL << PG_slab)) ||
		    !(ci = find_cache(c, READ_ONCE(page->slab_cache)))) {
			pfn++;
			continue;
		}
		order = slab_order_of(page);
		pfn += order < MAX_ORDER ? 1UL << order : 1;
		nid = page_to_nid(page);
		if (nid < 0 || nid >= MAX_NUMNODES)
			continue;
		sc = slub_read_counters(page);
		t = &ci->node[nid];
		t->slabs++;
		t->objects += sc.objects;
		ci->pages += 1UL << (order < MAX_ORDER ? order : 0);
		if (!is_held(c, page))
			check_unlisted(c, ci, page, sc, t);
		if (c->quiescent && kmem_cache_debug(ci->s) && !sc.frozen)
			validate_slab(c, ci->s, page, sc);
	}
}

/* A cache's counters against the census. */
static void check_counts(struct slub_checker *c, struct slub_cache_info *ci)
{
	struct kmem_cache *s = ci->s;
	unsigned long rcu = 0, transit = 0, slack = c->quiescent ? 0 : c->running;
	unsigned long rcu_slabs = __atomic_load_n(&s->rcu_slabs, __ATOMIC_RELAXED);
	unsigned long nr_pages = __atomic_load_n(&s->nr_pages, __ATOMIC_RELAXED);
	unsigned long max_pages = 1UL << oo_order(s->max), max_objects = oo_objects(s->max);

	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = s->node[node];
		struct slub_tally *t = &ci->node[node];
		unsigned long nr_slabs, total, lo, hi;

		rcu += t->rcu;
		transit += t->transit;
		if (!n) {
			if (t->slabs)
				violation(c, "%s node %u: %lu slab%s, but the cache has no such node",
					  s->name, node, t->slabs, str_plural(t->slabs));
			continue;
		}
		nr_slabs = __atomic_load_n(&n->nr_slabs, __ATOMIC_RELAXED);
		total = __atomic_load_n(&n->total_objects, __ATOMIC_RELAXED);
		/* RCU-pending slabs left nr_slabs and total_objects at
		 * discard_slab(); slabs in transit may have or not */
		lo = t->slabs - t->rcu - t->transit - slack;
		hi = t->slabs - t->rcu + slack;
		if ((long)nr_slabs < (long)lo || nr_slabs > hi) {
			violation(c, "%s node %u: nr_slabs is %lu but the memmap holds %lu slab%s (%lu waiting for RCU%s)",
				  s->name, node, nr_slabs, t->slabs, str_plural(t->slabs), t->rcu,
				  c->quiescent ? "" : ", some in transit");
			continue;
		}
		lo = t->objects - t->rcu_objects - t->transit_objects - slack * max_objects;
		hi = t->objects - t->rcu_objects + slack * max_objects;
		if ((long)total < (long)lo || total > hi)
			violation(c, "%s node %u: total_objects is %lu but its %lu slab%s have %lu (%lu waiting for RCU%s)",
				  s->name, node, total, t->slabs, str_plural(t->slabs), t->objects,
				  t->rcu_objects, c->quiescent ? "" : ", some in transit");
	}
	/* (an empty slab on its way to discard_slab() looks the same) */
	if (rcu > rcu_slabs + slack)
		violation(c, "%s: %lu empty slab%s on no list, but only %lu wait for RCU",
			  s->name, rcu, str_plural(rcu), rcu_slabs);
	/* RCU-pending slabs may have left PG_slab, nr_pages, or neither
	 * before their grace period */
	if ((long)nr_pages < (long)(ci->pages - ci->rcu_pages) -
			     (long)((transit + slack) * max_pages) ||
	    nr_pages > ci->pages + (rcu_slabs + slack) * max_pages)
		violation(c, "%s: nr_pages is %lu but its slabs hold %lu page%s (%lu waiting for RCU)",
			  s->name, nr_pages, ci->pages, str_plural(ci->pages), rcu_slabs);
}

/* Whether any CPU but the caller's has a thread (else nothing moves). */
static unsigned int running_cpus(void)
{
	unsigned int n = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if ((int)cpu != current->cpu && ipi_cpu_tid(cpu))
			n++;
	return n;
}

/* The SLUB caches of the list, once each, into c (mmap()ed). */
static int collect_caches(struct slub_checker *c)
{
	unsigned long irqflags, slabs = 0;
	size_t nr = 0, caches_bytes, refs_bytes;
	struct kmem_cache *s;

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_for_each_entry(s, &slab_caches, list) {
		nr++;
		for (unsigned int node = 0; node < num_online_nodes(); node++)
			if (s->node[node])
				slabs += __atomic_load_n(&s->node[node]->nr_slabs, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);

	c->max_owners = slabs + nr * (2 * nr_cpu_ids + 4) + 64;
	caches_bytes = (nr + 1) * sizeof(*c->caches);
	refs_bytes = (nr + 1) * sizeof(*c->refs);
	c->map_bytes = caches_bytes + refs_bytes + c->max_owners * sizeof(*c->owners);
	c->map = mmap(NULL, c->map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (c->map == MAP_FAILED)
		return -1;
	c->caches = c->map;
	c->refs = (struct slub_cache_ref *)((char *)c->map + caches_bytes);
	c->owners = (struct slub_owner *)((char *)c->refs + refs_bytes);

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_for_each_entry(s, &slab_caches, list) {
		if (c->nr_caches == nr)
			break;		/* (the machine is quiescent: never) */
		c->refs[c->nr_caches] = (struct slub_cache_ref){ s, c->nr_caches };
		c->caches[c->nr_caches++].s = s;
	}
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
	sort_by_ptr(c->refs, c->nr_caches, sizeof(*c->refs));
	/* an alias is the same struct: listed twice, walked once */
	for (size_t i = 1; i < c->nr_caches; i++)
		if (c->refs[i].s == c->refs[i - 1].s) {
			c->caches[c->refs[i].idx].s = NULL;
			c->refs[i].idx = c->refs[i - 1].idx;
		}
	return 0;
}

void slub_check(struct check_log *log)
{
	struct slub_checker c = { .log = log };
	unsigned long pages = 0, counted;

	c.running = running_cpus();
	c.quiescent = !c.running;
	if (collect_caches(&c)) {
		violation(&c, "out of memory for the check");
		return;
	}
	for (size_t i = 0; i < c.nr_caches; i++) {
		struct kmem_cache *s = c.caches[i].s;

		if (!s)
			continue;
		check_nodes(&c, s);
		check_cpus(&c, s);
	}
	sort_by_ptr(c.owners, c.nr_owners, sizeof(*c.owners));
	check_owners(&c);
	scan_memmap(&c);
	for (size_t i = 0; i < c.nr_caches; i++)
		if (c.caches[i].s) {
			check_counts(&c, &c.caches[i]);
			pages += __atomic_load_n(&c.caches[i].s->nr_pages, __ATOMIC_RELAXED);
		}
	counted = global_node_page_state(NR_SLAB_RECLAIMABLE) +
		  global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	if (pages != counted)
		violation(&c, "the caches hold %lu slab pages but NR_SLAB_* count %lu", pages,
			  counted);
	munmap(c.map, c.map_bytes);
}
