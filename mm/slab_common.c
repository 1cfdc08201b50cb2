// SPDX-License-Identifier: MIT
/*
 * mm/slab_common.c - what SLAB, SLUB and SLOB share (v4.19's
 * mm/slab_common.c): the allocator chosen at boot (slab=), the cache list,
 * kmem_cache_create()/destroy()/shrink(), the entry points that dispatch
 * to the allocator, the misuse checks every allocation and free makes,
 * /proc/slabinfo's frame, the sysfs view (slab/<cache>/<attr>),
 * kmem_cache_stats() and the slab part of mm_check().  kmalloc is in
 * mm/kmalloc.c; the contract with the allocators is mm/slab_alloc.h.
 *
 *   slab_allocator, slab_ops	written by mm_boot() before any CPU runs,
 *				read-only while booted
 *   slab_caches		every cache, newest first (v4.19's order);
 *				changed under slab_mutex and, inside it,
 *				slab_caches_lock (irq-safe), so that walkers
 *				that cannot sleep (CPU offline, mm_check())
 *				may take either
 *   s->refcount		the cache and its aliases, slab_mutex
 *
 * Counters of a cache (nr_pages, ...) are the allocator's; this file reads
 * them with relaxed loads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include "slab.h"
#include "../numa/vmspace.h"

int slab_allocator;
struct slab_layout slab_layout;
const struct slab_allocator_ops *slab_ops = &slab_ops_slab;
int slab_nomerge;
const char *slub_debug_string;

DEFINE_MUTEX(slab_mutex);
CDS_LIST_HEAD(slab_caches);
/* Taken with interrupts off, inside slab_mutex when both are. */
spinlock_t slab_caches_lock;

/* ------------------------------------------------------------------ */
/* The checks every allocation and free makes                         */

gfp_t slab_fix_gfp(gfp_t flags)
{
	if (unlikely(flags & GFP_SLAB_BUG_MASK)) {
		gfp_t invalid_mask = flags & GFP_SLAB_BUG_MASK;
		char bad[128], fixed[128];

		flags &= ~GFP_SLAB_BUG_MASK;
		format_gfp(bad, sizeof(bad), invalid_mask);
		format_gfp(fixed, sizeof(fixed), flags);
		report_begin(REPORT_WARNING);
		printk("Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). Fix your code!\n",
		       invalid_mask, bad, flags, fixed);
		report_end(REPORT_WARNING, TAINT_WARN);
	}
	return flags;
}

/* v4.19's calculate_alignment(), which kmem_cache_create() applies */
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = L1_CACHE_BYTES;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	if (align < sizeof(unsigned long long))
		align = sizeof(unsigned long long);
	return ALIGN(align, (unsigned int)sizeof(void *));
}

int slab_pre_alloc_hook(struct kmem_cache *s, gfp_t flags, int node, const char *func)
{
	if (unlikely(!caller_is_cpu(func)))
		return -1;
	if (!irqs_disabled() && unlikely(READ_ONCE(current->ipi_pending)))
		generic_smp_call_function_interrupt();
	if (gfpflags_allow_blocking(flags) && unlikely(might_sleep()))
		return -1;
	if (unlikely(node != NUMA_NO_NODE &&
		     (node < 0 || (unsigned int)node >= num_online_nodes()))) {
		WARN(1, "%s(%s): node %d does not exist\n", func, s->name, node);
		return -1;
	}
	if (unlikely(s->ctor && (flags & __GFP_ZERO)))
		WARN(1, "%s: __GFP_ZERO on cache %s, which has a constructor\n", func, s->name);
	/* the fault site (v4.19 slab_pre_alloc_hook()): silent, no warn_alloc() */
	if (unlikely(fault_inject_active()) && should_failslab(s, flags))
		return -1;
	return 0;
}

static inline struct page *slab_virt_to_page(const void *addr);

void slab_bad_pointer(const char *func, const void *objp)
{
	report_begin(REPORT_BUG);
	printk("BUG: %s(%p): not an object of any slab cache (%s)\n", func, objp,
	       slab_virt_to_page(objp) ? "a page that is not a slab" :
	       vmspace_is_vmalloc(objp) ? "a vmalloc address: vfree() it" :
	       "not in the direct map: vmalloc, stack, user or a wild pointer");
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

int slab_free_context(const char *func)
{
	if (unlikely(!caller_is_cpu(func)))
		return -1;
	/* interrupts on and no IPI waiting: a fast path's window may have
	 * deferred one */
	if (!irqs_disabled() && unlikely(READ_ONCE(current->ipi_pending)))
		generic_smp_call_function_interrupt();
	return 0;
}

void slab_kmemleak_alloc(struct kmem_cache *s, void *objp, gfp_t flags)
{
	if (s->flags & SLAB_NOLEAKTRACE)
		return;
	/* SLUB: the free pointer a handed-out object still holds is no
	 * reference to the next free object, which may be handed out and
	 * leaked: erased (v4.19 leaves it; a stale word hides a leak) */
	if (slab_allocator == SLAB_ALLOCATOR_SLUB && s->offset < s->object_size)
		*(void **)((char *)objp + s->offset) = NULL;
	kmemleak_alloc(objp, s->object_size, 1, flags);
}

struct kmem_cache *slab_free_hook(struct kmem_cache *s, const void *objp, const char *func)
{
	struct kmem_cache *owner;
	struct page *page;

	if (unlikely(slab_free_context(func)))
		return NULL;
	page = virt_to_slab(objp);
	if (unlikely(!page)) {
		slab_bad_pointer(func, objp);
		return NULL;
	}
	owner = READ_ONCE(page->slab_cache);
	if (unlikely(s && owner != s))
		WARN(1, "cache_from_obj: Wrong slab cache. %s but object is from %s\n",
		     s->name, owner->name);
	return owner;
}

/* A lowmem direct-map address's frame, or NULL outside the direct map. */
static inline struct page *slab_virt_to_page(const void *addr)
{
	unsigned long off = (unsigned long)((const char *)addr - slab_layout.base);

	if (unlikely((off >> PAGE_SHIFT) >= slab_layout.nr_low))
		return NULL;
	return slab_layout.map + (off >> PAGE_SHIFT);
}

/* The slab (head page) whose memory holds addr and names its cache, or
 * NULL (SLOB's heap pages name none). */
struct page *virt_to_slab(const void *addr)
{
	struct page *page = slab_virt_to_page(addr);

	if (!page)
		return NULL;
	page = slab_head_page(page);
	return page && READ_ONCE(page->slab_cache) ? page : NULL;
}

struct kmem_cache *virt_to_cache(const void *obj)
{
	struct page *page = virt_to_slab(obj);

	return page ? READ_ONCE(page->slab_cache) : NULL;
}

/* ------------------------------------------------------------------ */
/* The entry points                                                    */

/* SLAB's fast paths inline; their way out is slab_ops (see slab_alloc()). */
__slab_fastpath
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	return slab_alloc(s, flags, NUMA_NO_NODE, __builtin_return_address(0));
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t flags, int node)
{
	return slab_ops->alloc(s, flags, node, __builtin_return_address(0));
}

__slab_fastpath
void kmem_cache_free(struct kmem_cache *s, void *objp)
{
	slab_free(s, objp, __builtin_return_address(0), 0);
}

/* ------------------------------------------------------------------ */
/* Creating and destroying caches                                      */

/* At the head, as v4.19's create_cache(): /proc/slabinfo lists the newest
 * first, and a cache is drained before the older kmalloc caches that may
 * hold its off-slab freelists. */
static void slab_caches_add(struct kmem_cache *s)
{
	unsigned long irqflags;

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_add(&s->list, &slab_caches);
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
}

static void slab_caches_del(struct kmem_cache *s)
{
	unsigned long irqflags;

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_del(&s->list);
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
}

static void cache_free_struct(struct kmem_cache *s)
{
	slab_aliases_forget(s);
	slab_ops->cache_release(s);
	free((void *)s->name);
	free(s);
}

/*
 * A new cache of this allocator (slab_mutex held, or boot), listed;
 * NULL if the allocator cannot lay it out (its reason printed by it or
 * by the caller).
 */
static struct kmem_cache *create_cache(const char *name, unsigned int size, unsigned int align,
				       slab_flags_t flags, void (*ctor)(void *), int refcount)
{
	struct kmem_cache *s;

	s = aligned_alloc(SMP_CACHE_BYTES, ALIGN(sizeof(*s), SMP_CACHE_BYTES));
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name) {
		free(s);
		return NULL;
	}
	s->object_size = size;
	s->size = size;
	s->align = align;
	s->ctor = ctor;
	s->refcount = refcount;
	s->failslab = !!(flags & SLAB_FAILSLAB);
	s->flags = slab_ops->cache_flags(size, flags, name);
	if (slab_ops->cache_create(s)) {
		free((void *)s->name);
		free(s);
		return NULL;
	}
	slab_caches_add(s);
	return s;
}

/* A kmalloc cache (boot, create_kmalloc_caches()): never merged into,
 * never destroyed. */
struct kmem_cache *create_kmalloc_cache(const char *name, unsigned int size, slab_flags_t flags)
{
	return create_cache(name, size, ARCH_KMALLOC_MINALIGN, flags | SLAB_KMALLOC, NULL, -1);
}

static int cache_name_ok(const char *name)
{
	if (!name || !*name || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n')
			return 0;
	return 1;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s = NULL;
	const char *why = NULL;

	if (unlikely(!caller_is_cpu(__func__)))
		return NULL;
	if (!cache_name_ok(name))
		why = "the name must be 1 to 64 characters without blanks";
	else if (in_interrupt() || might_sleep())
		why = "called from atomic context";
	else if (size < sizeof(void *) || size > KMALLOC_MAX_SIZE)
		why = "size out of range (8 bytes to 4 MiB)";
	else if (align & (align - 1))
		why = "alignment is not a power of two";
	else if (align > PAGE_SIZE)
		why = "alignment larger than a page";
	else if (flags & ~CACHE_CREATE_MASK)
		why = "unknown flags";
	if (!why) {
		flags &= ~SLAB_KMALLOC;
		mutex_lock(&slab_mutex);
		/* SLAB and SLUB merge, as v4.19 (SLOB never does) */
		if (slab_allocator != SLAB_ALLOCATOR_SLOB)
			s = __kmem_cache_alias(name, size, align, flags, ctor);
		if (!s)
			s = create_cache(name, size, align, flags, ctor, 1);
		mutex_unlock(&slab_mutex);
		if (!s)
			why = "no room for a slab of this size";
	}
	if (unlikely(!s)) {
		if (flags & SLAB_PANIC)
			panic("kmem_cache_create: Failed to create slab '%s'. Error %d\n",
			      name ? name : "(null)", -EINVAL);
		report_begin(REPORT_WARNING);
		printk("kmem_cache_create(%s) integrity check failed: %s (size %u, align %u, flags %#x)\n",
		       name ? name : "(null)", why, size, align, flags);
		report_end(REPORT_WARNING, TAINT_WARN);
	}
	return s;
}

/* Objects still out: reported as the kernel does. */
static void report_live_objects(struct kmem_cache *s, unsigned long live, unsigned long slabs)
{
	report_begin(REPORT_BUG);
	printk("kmem_cache_destroy %s: Slab cache still has objects\n", s->name);
	printk("INFO: %lu object%s in %lu slab%s %s still allocated; the cache is kept\n",
	       live, str_plural(live), slabs, str_plural(slabs), live == 1 ? "is" : "are");
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

/* slab_mutex held: 0 if s holds nothing any more, else its live objects
 * (reported after the mutex is dropped: *live, *slabs). */
static int shutdown_cache(struct kmem_cache *s, unsigned long *live, unsigned long *slabs)
{
	int busy = slab_ops->cache_shrink(s);

	*slabs = 0;
	*live = slab_ops->live_objects(s, slabs);
	return busy || *live;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned long live, slabs;

	if (!s)
		return;
	if (unlikely(!caller_is_cpu(__func__)) || might_sleep())
		return;
	if (s->flags & SLAB_KMALLOC || s->refcount < 0) {
		WARN(1, "kmem_cache_destroy(%s): a kmalloc cache cannot be destroyed\n", s->name);
		return;
	}
	mutex_lock(&slab_mutex);
	/* an alias goes with one of its names (v4.19: refcount only) */
	if (--s->refcount > 0) {
		mutex_unlock(&slab_mutex);
		return;
	}
	if (shutdown_cache(s, &live, &slabs)) {
		s->refcount++;
		mutex_unlock(&slab_mutex);
		report_live_objects(s, live, slabs);
		return;
	}
	mutex_unlock(&slab_mutex);
	/*
	 * Typesafe-by-RCU slabs go back after a grace period: wait for them
	 * (and for kfree_rcu() of objects that were in it) with the cache
	 * still listed, so that mm_check() keeps counting their pages.
	 */
	if (s->flags & SLAB_TYPESAFE_BY_RCU)
		rcu_barrier();
	mutex_lock(&slab_mutex);
	if (__atomic_load_n(&s->nr_pages, __ATOMIC_RELAXED) || shutdown_cache(s, &live, &slabs)) {
		/* objects came back meanwhile: a use after destroy */
		shutdown_cache(s, &live, &slabs);
		s->refcount++;
		mutex_unlock(&slab_mutex);
		report_live_objects(s, live, slabs);
		return;
	}
	slab_caches_del(s);
	mutex_unlock(&slab_mutex);
	cache_free_struct(s);
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	int ret;

	if (unlikely(!caller_is_cpu(__func__)) || might_sleep())
		return -EINVAL;
	mutex_lock(&slab_mutex);
	ret = slab_ops->cache_shrink(s);
	mutex_unlock(&slab_mutex);
	return ret;
}

static unsigned long slab_pages_held(void)
{
	unsigned long pages = 0;
	struct kmem_cache *s;

	cds_list_for_each_entry(s, &slab_caches, list)
		pages += __atomic_load_n(&s->nr_pages, __ATOMIC_RELAXED);
	return pages;
}

void slab_shrink_all(void)
{
	struct kmem_cache *s;
	unsigned long before, after = 0;
	int rounds = 0;

	if (unlikely(!caller_is_cpu(__func__)) || might_sleep())
		return;
	rcu_barrier();
	do {
		before = after;
		mutex_lock(&slab_mutex);
		cds_list_for_each_entry(s, &slab_caches, list)
			slab_ops->cache_shrink(s);
		after = slab_pages_held();
		mutex_unlock(&slab_mutex);
		/* freeing a slab may have freed into another cache (SLAB's
		 * off-slab freelists), and RCU may hold more */
		rcu_barrier();
	} while ((after != before || rounds == 0) && ++rounds < 8);
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s->object_size;
}

const char *kmem_cache_name(struct kmem_cache *s)
{
	return s->name;
}

/* ------------------------------------------------------------------ */
/* What a cache shows                                                  */

int slabinfo_show(FILE *out)
{
	struct kmem_cache *s;

	if (!slab_ops->get_slabinfo)
		return -ENOENT;		/* SLOB: no /proc/slabinfo */
	if (might_sleep())
		return -EINVAL;
	fprintf(out, "slabinfo - version: 2.1\n");
	fprintf(out, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		" : tunables <limit> <batchcount> <sharedfactor>"
		" : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	mutex_lock(&slab_mutex);
	cds_list_for_each_entry(s, &slab_caches, list) {
		struct slabinfo info;

		memset(&info, 0, sizeof(info));
		slab_ops->get_slabinfo(s, &info);
		fprintf(out, "%-17s %6lu %6lu %6u %4u %4d", s->name, info.active_objs,
			info.num_objs, s->size, info.objects_per_slab, 1 << info.cache_order);
		fprintf(out, " : tunables %4u %4u %4u", info.limit, info.batchcount, info.shared);
		fprintf(out, " : slabdata %6lu %6lu %6lu", info.active_slabs, info.num_slabs,
			info.shared_avail);
		fputc('\n', out);
	}
	mutex_unlock(&slab_mutex);
	return 0;
}

/* The cache named name (an alias's name finds its cache): slab_mutex held. */
static struct kmem_cache *__find_cache(const char *name)
{
	struct kmem_cache *s;

	cds_list_for_each_entry(s, &slab_caches, list)
		if (!strcmp(s->name, name))
			return s;
	return slab_alias_find(name);
}

/*
 * slab/<cache>/<attr>: failslab (every allocator: the model's debugfs
 * file of fault injection), the rest the allocator's sysfs view (SLUB's
 * /sys/kernel/slab/<cache>/).  value: a write (failslab only), else show.
 */
int slab_attr(const char *cache, const char *attr, const char *value, FILE *out)
{
	unsigned long long v = 0;
	struct kmem_cache *s;
	int ret = 0;

	if (might_sleep())
		return -EINVAL;
	if (value && (strcmp(attr, "failslab") || parse_uint(value, 0, 1, &v)))
		return -EINVAL;
	mutex_lock(&slab_mutex);
	s = __find_cache(cache);
	if (!s)
		ret = -ENOENT;
	else if (!strcmp(attr, "failslab") && value)
		WRITE_ONCE(s->failslab, (int)v);
	else if (!strcmp(attr, "failslab"))
		fprintf(out, "%d\n", READ_ONCE(s->failslab));
	else if (slab_ops->sysfs_show)
		ret = slab_ops->sysfs_show(s, attr, out);
	else
		ret = -ENOENT;
	mutex_unlock(&slab_mutex);
	return ret;
}

int slab_failslab_attr(const char *cache, const char *value, FILE *out)
{
	return slab_attr(cache, "failslab", value, out);
}

void kmem_cache_stats(struct kmem_cache *s, struct kmem_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->object_size = s->object_size;
	st->size = s->size;
	st->align = s->align;
	st->nr_pages = __atomic_load_n(&s->nr_pages, __ATOMIC_RELAXED);
	if (slab_ops->stats)
		slab_ops->stats(s, st);
}

/* mm_check(), every CPU stopped: the allocator's walker, kmalloc's classes. */
int slab_check_all(FILE *report)
{
	struct check_log log = { .report = report };

	slab_ops->check(&log);
	kmalloc_check_classes(&log);
	check_log_flush(&log);
	return log.violations;
}

/* ------------------------------------------------------------------ */
/* Boot and shutdown                                                   */

static const struct slab_allocator_ops *const slab_allocators[] = {
	[SLAB_ALLOCATOR_SLAB] = &slab_ops_slab,
	[SLAB_ALLOCATOR_SLUB] = &slub_ops,
	[SLAB_ALLOCATOR_SLOB] = &slob_ops,
};

/* slab=NAME: the allocator's id, or -EINVAL. */
int slab_allocator_by_name(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(slab_allocators); i++)
		if (!strcmp(name, slab_allocators[i]->name))
			return slab_allocators[i]->init ? (int)i : -ENOSYS;
	return -EINVAL;
}

/* A boot that fails after kmem_cache_init() began: its caches (all empty:
 * no CPU has run) go. */
static void kmem_cache_init_undo(void)
{
	struct kmem_cache *s, *tmp;

	cds_list_for_each_entry_safe(s, tmp, &slab_caches, list) {
		slab_caches_del(s);
		cache_free_struct(s);
	}
}

/* Boot, no CPU running: slab_allocator was set by the boot line. */
int kmem_cache_init(void)
{
	int ret;

	unsigned long min_pfn = __mm_layout.min_pfn;

	slab_ops = slab_allocators[slab_allocator];
	/* only SLAB's CPUs take its inline fast paths (set when they attach) */
	current->slab_percpu = NULL;
	slab_layout.base = __mm_layout.page_offset + (min_pfn << PAGE_SHIFT);
	slab_layout.map = pfn_to_page(min_pfn);
	slab_layout.nr_low = __mm_layout.max_low_pfn > min_pfn ?
			     __mm_layout.max_low_pfn - min_pfn : 0;
	spin_lock_init(&slab_caches_lock);
	slab_caches_lock.irqsafe = 1;
	CDS_INIT_LIST_HEAD(&slab_caches);
	kmalloc_init_classes();
	ret = slab_ops->init();
	if (ret)
		kmem_cache_init_undo();
	return ret;
}

/*
 * mm_shutdown(), on an attached CPU with every other CPU gone: the
 * allocator's own work stops, RCU callbacks run, every cache is emptied;
 * caches with objects still out are reported (their pages then show up
 * as a leak) and kept.
 */
void kmem_cache_exit(void)
{
	struct kmem_cache *s, *tmp;

	slab_shrink_all();
	cds_list_for_each_entry_safe(s, tmp, &slab_caches, list) {
		unsigned long live, slabs;
		int busy;

		mutex_lock(&slab_mutex);
		busy = shutdown_cache(s, &live, &slabs);
		mutex_unlock(&slab_mutex);
		if (busy && !(s->flags & SLAB_KMALLOC))
			report_live_objects(s, live, slabs);
		else if (busy)
			pr_err("BUG: memory leak at mm_shutdown: kmalloc cache %s has objects still allocated\n",
			       s->name);
		slab_caches_del(s);
		if (!busy)
			cache_free_struct(s);
	}
	slab_ops->exit();
	/* ASan: the shadow outlives the direct map; a slab still poisoned
	 * (a cache kept for its leaked objects) must not trip the next boot */
	slab_asan_unpoison(slab_layout.base, slab_layout.nr_low << PAGE_SHIFT);
}
