// SPDX-License-Identifier: MIT
/*
 * mm/slub_sysfs.c - what SLUB shows of a cache: its /proc/slabinfo line
 * (slub_get_slabinfo()), its /sys/kernel/slab/<cache>/<attr> files
 * (slub_sysfs_show(), reached through mm_proc_show("slab/<cache>/<attr>")),
 * kmem_cache_stats() (slub_stats()), and the live objects the common
 * layer's kmem_cache_destroy() reports (slub_live_objects()).
 *
 * Owned by the SLUB inspection part; reads what mm/slub.c owns, writes
 * nothing.  Locks, as v4.19 takes them: a node's list_lock (irq-safe)
 * while its partial list is walked (count_partial()); nr_slabs and
 * total_objects are atomics (relaxed loads); nr_partial is read under
 * list_lock where v4.19 reads it without, for a race-free count.  The
 * per-CPU parts (c->page, c->partial, and the counters of those slabs) are
 * read without their owners, as v4.19's show_slab_objects() and
 * slabs_cpu_partial_show() do: each word once (READ_ONCE, relaxed loads),
 * so a reader while CPUs allocate gets a snapshot of each field, not of
 * all at once (a slab may be counted under a CPU it has just left).  The
 * callers hold slab_mutex (so the cache stays).
 */
#include <errno.h>
#include <string.h>

#include "slub.h"
#include "../numa/printk.h"

unsigned int slub_count_free(struct kmem_cache *s, struct page *page, void *freelist)
{
	unsigned int n = 0, limit = slub_read_counters(page).objects + 1;

	for (void *p = freelist; p && n < limit; p = slub_read_freepointer(s, p))
		n++;
	return n;
}

/* v4.19 count_partial(): over n's partial list, under list_lock. */
enum { COUNT_FREE, COUNT_INUSE, COUNT_TOTAL, COUNT_EMPTY };

static unsigned long count_partial(struct kmem_cache_node *n, int what)
{
	unsigned long x = 0, irqflags;
	struct page *page;

	spin_lock_irqsave(&n->list_lock, irqflags);
	cds_list_for_each_entry(page, &n->partial, lru) {
		union slub_counters sc = slub_read_counters(page);

		switch (what) {
		case COUNT_FREE:
			x += sc.objects - sc.inuse;
			break;
		case COUNT_INUSE:
			x += sc.inuse;
			break;
		case COUNT_TOTAL:
			x += sc.objects;
			break;
		default:
			x += !sc.inuse;
			break;
		}
	}
	spin_unlock_irqrestore(&n->list_lock, irqflags);
	return x;
}

static unsigned long nr_partial_of(struct kmem_cache_node *n)
{
	unsigned long x, irqflags;

	spin_lock_irqsave(&n->list_lock, irqflags);
	x = n->nr_partial;
	spin_unlock_irqrestore(&n->list_lock, irqflags);
	return x;
}

#define for_each_slub_node(s, node, n) \
	for (unsigned int node = 0; node < num_online_nodes(); node++) \
		if (!((n) = (s)->node[node])) \
			; /* no such node */ \
		else

void slub_get_slabinfo(struct kmem_cache *s, struct slabinfo *info)
{
	unsigned long nr_slabs = 0, nr_objs = 0, nr_free = 0;
	struct kmem_cache_node *n;

	for_each_slub_node(s, node, n) {
		nr_slabs += __atomic_load_n(&n->nr_slabs, __ATOMIC_RELAXED);
		nr_objs += __atomic_load_n(&n->total_objects, __ATOMIC_RELAXED);
		nr_free += count_partial(n, COUNT_FREE);
	}
	memset(info, 0, sizeof(*info));
	/* free objects of CPU slabs and CPU partials count as active (v4.19) */
	info->active_objs = nr_objs - nr_free;
	info->num_objs = nr_objs;
	info->active_slabs = nr_slabs;
	info->num_slabs = nr_slabs;
	info->objects_per_slab = oo_objects(s->oo);
	info->cache_order = oo_order(s->oo);
}

/* show_slab_objects()'s flags (v4.19) */
#define SO_ALL		(1 << 0)	/* every slab of the node (counters) */
#define SO_PARTIAL	(1 << 1)	/* the node partial lists */
#define SO_CPU		(1 << 2)	/* the CPU slabs and CPU partials */
#define SO_OBJECTS	(1 << 3)	/* objects in use, not slabs */
#define SO_TOTAL	(1 << 4)	/* capacity in objects */

/* The total, then " N<node>=<count>" for each node with some (v4.19). */
static void show_slab_objects(struct kmem_cache *s, FILE *out, unsigned int flags)
{
	unsigned long total = 0, nodes[MAX_NUMNODES] = { 0 };
	struct kmem_cache_node *n;

	if (flags & SO_CPU)
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
			struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
			struct page *page = READ_ONCE(c->page);
			union slub_counters sc;
			unsigned long x;
			int node;

			/* as v4.19: a CPU without a CPU slab is skipped, its
			 * partial list too */
			if (!page)
				continue;
			sc = slub_read_counters(page);
			node = page_to_nid(page);
			x = flags & SO_TOTAL ? sc.objects : flags & SO_OBJECTS ? sc.inuse : 1;
			total += x;
			nodes[node] += x;
			page = READ_ONCE(c->partial);
			/* objects of CPU partials: v4.19 warns; slabs: the
			 * head's count of its chain */
			if (page && !(flags & (SO_TOTAL | SO_OBJECTS))) {
				node = page_to_nid(page);
				x = (unsigned long)READ_ONCE(page->pages);
				total += x;
				nodes[node] += x;
			}
		}
	if (flags & SO_ALL) {
		for_each_slub_node(s, node, n) {
			unsigned long x;

			if (flags & SO_TOTAL)
				x = __atomic_load_n(&n->total_objects, __ATOMIC_RELAXED);
			else if (flags & SO_OBJECTS)
				x = __atomic_load_n(&n->total_objects, __ATOMIC_RELAXED) -
				    count_partial(n, COUNT_FREE);
			else
				x = __atomic_load_n(&n->nr_slabs, __ATOMIC_RELAXED);
			total += x;
			nodes[node] += x;
		}
	} else if (flags & SO_PARTIAL) {
		for_each_slub_node(s, node, n) {
			unsigned long x;

			if (flags & SO_TOTAL)
				x = count_partial(n, COUNT_TOTAL);
			else if (flags & SO_OBJECTS)
				x = count_partial(n, COUNT_INUSE);
			else
				x = nr_partial_of(n);
			total += x;
			nodes[node] += x;
		}
	}
	fprintf(out, "%lu", total);
	for (unsigned int node = 0; node < num_online_nodes(); node++)
		if (nodes[node])
			fprintf(out, " N%u=%lu", node, nodes[node]);
	fputc('\n', out);
}

/* slabs_cpu_partial: "objects(pages)" then " C<cpu>=objects(pages)" */
static void show_slabs_cpu_partial(struct kmem_cache *s, FILE *out)
{
	int objects = 0, pages = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct page *page = READ_ONCE(s->cpu_slab[cpu].partial);

		if (page) {
			pages += READ_ONCE(page->pages);
			objects += READ_ONCE(page->pobjects);
		}
	}
	fprintf(out, "%d(%d)", objects, pages);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct page *page = READ_ONCE(s->cpu_slab[cpu].partial);

		if (page)
			fprintf(out, " C%u=%d(%d)", cpu, READ_ONCE(page->pobjects),
				READ_ONCE(page->pages));
	}
	fputc('\n', out);
}

/* The attributes that are one flag of the cache: "%d\n" of 0 or 1. */
static const struct {
	const char *name;
	slab_flags_t flag;
} flag_attrs[] = {
	{ "reclaim_account", SLAB_RECLAIM_ACCOUNT },
	{ "hwcache_align", SLAB_HWCACHE_ALIGN },
	{ "cache_dma", SLAB_CACHE_DMA },
	{ "destroy_by_rcu", SLAB_TYPESAFE_BY_RCU },
	{ "sanity_checks", SLAB_CONSISTENCY_CHECKS },
	{ "red_zone", SLAB_RED_ZONE },
	{ "poison", SLAB_POISON },
	{ "store_user", SLAB_STORE_USER },
};

/* The attributes that are show_slab_objects() of some flags. */
static const struct {
	const char *name;
	unsigned int flags;
} object_attrs[] = {
	{ "objects", SO_ALL | SO_OBJECTS },
	{ "slabs", SO_ALL },
	{ "partial", SO_PARTIAL },
	{ "cpu_slabs", SO_CPU },
	{ "objects_partial", SO_PARTIAL | SO_OBJECTS },
	{ "total_objects", SO_ALL | SO_TOTAL },
};

int slub_sysfs_show(struct kmem_cache *s, const char *attr, FILE *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(object_attrs); i++)
		if (!strcmp(attr, object_attrs[i].name)) {
			show_slab_objects(s, out, object_attrs[i].flags);
			return 0;
		}
	for (i = 0; i < ARRAY_SIZE(flag_attrs); i++)
		if (!strcmp(attr, flag_attrs[i].name)) {
			fprintf(out, "%d\n", !!(s->flags & flag_attrs[i].flag));
			return 0;
		}
	if (!strcmp(attr, "order"))
		fprintf(out, "%u\n", oo_order(s->oo));
	else if (!strcmp(attr, "objs_per_slab"))
		fprintf(out, "%u\n", oo_objects(s->oo));
	else if (!strcmp(attr, "object_size"))
		fprintf(out, "%u\n", s->object_size);
	else if (!strcmp(attr, "slab_size"))
		fprintf(out, "%u\n", s->size);
	else if (!strcmp(attr, "align"))
		fprintf(out, "%u\n", s->align);
	else if (!strcmp(attr, "min_partial"))
		fprintf(out, "%lu\n", s->min_partial);
	else if (!strcmp(attr, "cpu_partial"))
		fprintf(out, "%u\n", s->cpu_partial);
	else if (!strcmp(attr, "aliases"))
		fprintf(out, "%d\n", s->refcount < 0 ? 0 : s->refcount - 1);
	else if (!strcmp(attr, "usersize"))
		fprintf(out, "0\n");	/* the model has no usercopy regions */
	else if (!strcmp(attr, "slabs_cpu_partial"))
		show_slabs_cpu_partial(s, out);
	else if (!strcmp(attr, "ctor")) {
		char sym[128];

		/* "%pS\n" of the constructor, nothing without one */
		if (s->ctor) {
			if (symbolize((const void *)(uintptr_t)s->ctor, sym, sizeof(sym)))
				snprintf(sym, sizeof(sym), "0x%lx", (unsigned long)(uintptr_t)s->ctor);
			fprintf(out, "%s\n", sym);
		}
	} else
		return -ENOENT;
	return 0;
}

void slub_stats(struct kmem_cache *s, struct kmem_cache_stats *st)
{
	st->num = oo_objects(s->oo);
	st->gfporder = oo_order(s->oo);
	st->reaped = 0;			/* no periodic reap under SLUB */
	st->rcu_slabs = __atomic_load_n(&s->rcu_slabs, __ATOMIC_RELAXED);
	st->alien_frees = 0;		/* no alien arrays */
}

/*
 * After cache_shrink() (which flushed the CPU slabs and gave back the
 * empty slabs): the objects of every slab less the free ones on the node
 * partial lists; the slabs less the empty partial ones.  Objects still
 * free on a CPU slab (an allocation since the flush) count as out.
 */
unsigned long slub_live_objects(struct kmem_cache *s, unsigned long *slabs)
{
	unsigned long objects = 0, nr = 0;
	struct kmem_cache_node *n;

	for_each_slub_node(s, node, n) {
		objects += __atomic_load_n(&n->total_objects, __ATOMIC_RELAXED) -
			   count_partial(n, COUNT_FREE);
		nr += __atomic_load_n(&n->nr_slabs, __ATOMIC_RELAXED) -
		      count_partial(n, COUNT_EMPTY);
	}
	if (slabs)
		*slabs = nr;
	return objects;
}
