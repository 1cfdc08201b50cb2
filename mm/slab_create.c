// SPDX-License-Identifier: MIT
/*
 * mm/slab_create.c - making and unmaking SLAB caches: the layout of a slab
 * (cache_estimate(), calculate_slab_order(), OBJFREELIST / OFF_SLAB /
 * on-slab freelists, colours), the tunables, the per-CPU, shared and alien
 * arrays, kmem_cache_create()/kmem_cache_destroy(), CPU hotplug, boot and
 * shutdown.  Locking as in mm/slab.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include <mmsim/sched.h>
#include "slab.h"

static struct reciprocal_value reciprocal_value(unsigned int d)
{
	struct reciprocal_value R;
	unsigned long long m;
	int l;

	l = 32 - __builtin_clz(d - 1 ? d - 1 : 1);
	if (d == 1)
		l = 0;
	m = ((1ULL << 32) * ((1ULL << l) - d));
	m /= d;
	++m;
	R.m = (unsigned int)m;
	R.sh1 = (unsigned char)min(l, 1);
	R.sh2 = (unsigned char)max(l - 1, 0);
	return R;
}

static struct array_cache *alloc_arraycache(unsigned int entries,
					    unsigned int batchcount)
{
	struct array_cache *ac;
	size_t bytes = sizeof(*ac) + sizeof(void *) * entries;

	ac = aligned_alloc(SMP_CACHE_BYTES, ALIGN(bytes, SMP_CACHE_BYTES));
	if (!ac)
		return NULL;
	memset(ac, 0, bytes);
	ac->limit = entries;
	ac->batchcount = batchcount;
	return ac;
}

/* ------------------------------------------------------------------ */
/* Creating a cache                                                    */

/* Objects per slab of 2^gfporder pages, and the bytes left over. */
unsigned int cache_estimate(unsigned long gfporder, size_t buffer_size,
			    slab_flags_t flags, size_t *left_over)
{
	size_t slab_size = PAGE_SIZE << gfporder;
	unsigned int num;

	if (flags & (CFLGS_OBJFREELIST_SLAB | CFLGS_OFF_SLAB)) {
		/* the freelist is elsewhere: objects fill the slab */
		num = (unsigned int)(slab_size / buffer_size);
		*left_over = slab_size % buffer_size;
	} else {
		/* an index per object at the slab's end */
		num = (unsigned int)(slab_size / (buffer_size + sizeof(freelist_idx_t)));
		*left_over = slab_size % (buffer_size + sizeof(freelist_idx_t));
	}
	return num;
}

/* The smallest order with acceptable waste; sets num and gfporder. */
static size_t calculate_slab_order(struct kmem_cache *cachep, size_t size,
				   slab_flags_t flags)
{
	size_t left_over = 0;

	for (unsigned int gfporder = 0; gfporder <= KMALLOC_MAX_ORDER; gfporder++) {
		size_t remainder;
		unsigned int num = cache_estimate(gfporder, size, flags, &remainder);

		if (!num)
			continue;
		if (num > SLAB_OBJ_MAX_NUM)
			break;
		if (flags & CFLGS_OFF_SLAB) {
			size_t freelist_size = num * sizeof(freelist_idx_t);
			struct kmem_cache *freelist_cache = kmalloc_slab(freelist_size, 0);

			/* no cache for it yet (kmalloc's own bootstrap) */
			if (!freelist_cache)
				continue;
			/* its slabs would need freelists off-slab in turn */
			if (OFF_SLAB(freelist_cache))
				continue;
			/* not worth it if the freelist is large: against the
			 * object's size, which v4.19 still has in cachep->size
			 * while it chooses the layout */
			if (freelist_cache->size > cachep->object_size / 2)
				continue;
		}
		cachep->num = num;
		cachep->gfporder = gfporder;
		left_over = remainder;
		/* reclaimable caches stay at low orders */
		if (flags & SLAB_RECLAIM_ACCOUNT)
			break;
		if (gfporder >= slab_max_order)
			break;
		/* an eighth wasted at most */
		if (left_over * 8 <= (PAGE_SIZE << gfporder))
			break;
	}
	return left_over;
}

static int set_objfreelist_slab_cache(struct kmem_cache *cachep, size_t size,
				      slab_flags_t flags)
{
	size_t left;

	/* the freelist overlays a free object: not if its content matters */
	if (cachep->ctor || (flags & (SLAB_TYPESAFE_BY_RCU | SLAB_DEBUG_FLAGS)))
		return 0;
	cachep->num = 0;
	left = calculate_slab_order(cachep, size, flags | CFLGS_OBJFREELIST_SLAB);
	if (!cachep->num)
		return 0;
	if (cachep->num * sizeof(freelist_idx_t) > cachep->object_size)
		return 0;
	cachep->colour = left / cachep->colour_off;
	return 1;
}

static int set_off_slab_cache(struct kmem_cache *cachep, size_t size,
			      slab_flags_t flags)
{
	size_t left;

	cachep->num = 0;
	left = calculate_slab_order(cachep, size, flags | CFLGS_OFF_SLAB);
	if (!cachep->num)
		return 0;
	/* room for the freelist in the slab after all: keep it there */
	if (left >= cachep->num * sizeof(freelist_idx_t))
		return 0;
	cachep->colour = left / cachep->colour_off;
	return 1;
}

static int set_on_slab_cache(struct kmem_cache *cachep, size_t size,
			     slab_flags_t flags)
{
	size_t left;

	cachep->num = 0;
	left = calculate_slab_order(cachep, size, flags);
	if (!cachep->num)
		return 0;
	cachep->colour = left / cachep->colour_off;
	return 1;
}

/* SLAB_HWCACHE_ALIGN: the cache line, halved while objects fit twice. */
static unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
					unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = L1_CACHE_BYTES;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	if (align < sizeof(unsigned long long))
		align = sizeof(unsigned long long);
	return ALIGN(align, sizeof(void *));
}

/* The free fast path's exact-division test for the object size. */
static void set_size_inverse(struct kmem_cache *cachep)
{
	unsigned long odd = cachep->size;
	unsigned long inv;
	unsigned int shift = 0;

	while (!(odd & 1)) {
		odd >>= 1;
		shift++;
	}
	inv = odd;			/* Newton: correct to 3, 6, 12, ... bits */
	for (int i = 0; i < 5; i++)
		inv *= 2 - odd * inv;
	cachep->inv_size = inv;
	cachep->size_shift = shift;
}

/* The tunables of v4.19's enable_cpucache(). */
static void cache_tunables(struct kmem_cache *cachep)
{
	unsigned int limit;

	if (cachep->size > 131072)
		limit = 1;
	else if (cachep->size > PAGE_SIZE)
		limit = 8;
	else if (cachep->size > 1024)
		limit = 24;
	else if (cachep->size > 256)
		limit = 54;
	else
		limit = 120;
	/* debugging keeps interrupt-off periods short */
	if ((cachep->flags & SLAB_DEBUG_FLAGS) && limit > 32)
		limit = 32;
	cachep->limit = limit;
	cachep->batchcount = (limit + 1) / 2;
	cachep->shared = cachep->size <= PAGE_SIZE && nr_cpu_ids > 1 ? SLAB_SHARED_FACTOR : 0;
}

static unsigned int nr_cpus_node(int node)
{
	unsigned int n = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += cpu_to_node(cpu) == node;
	return n;
}

static void free_cache_arrays(struct kmem_cache *cachep)
{
	if (cachep->cpu_cache)
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
			free(cachep->cpu_cache[cpu]);
	free(cachep->cpu_cache);
	for (unsigned int node = 0; node < MAX_NUMNODES; node++) {
		struct kmem_cache_node *n = cachep->node[node];

		if (!n)
			continue;
		free(n->shared);
		if (n->alien)
			for (unsigned int r = 0; r < num_online_nodes(); r++)
				free(n->alien[r]);
		free(n->alien);
		free(n);
	}
	free(cachep->stats);
}

static int setup_cpu_cache(struct kmem_cache *cachep)
{
	unsigned int nodes = num_online_nodes();

	cache_tunables(cachep);
	cachep->stats = aligned_alloc(SMP_CACHE_BYTES, nr_cpu_ids * sizeof(*cachep->stats));
	if (cachep->stats)
		memset(cachep->stats, 0, nr_cpu_ids * sizeof(*cachep->stats));
	cachep->cpu_cache = calloc(nr_cpu_ids, sizeof(*cachep->cpu_cache));
	if (!cachep->stats || !cachep->cpu_cache)
		return -ENOMEM;
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		cachep->cpu_cache[cpu] = alloc_arraycache(cachep->limit, cachep->batchcount);
		if (!cachep->cpu_cache[cpu])
			return -ENOMEM;
	}
	for (unsigned int node = 0; node < nodes; node++) {
		struct kmem_cache_node *n = aligned_alloc(SMP_CACHE_BYTES, sizeof(*n));

		if (!n)
			return -ENOMEM;
		memset(n, 0, sizeof(*n));
		cachep->node[node] = n;
		spin_lock_init_name(&n->list_lock, "kmem_cache_node->list_lock");
		n->list_lock.irqsafe = 1;
		CDS_INIT_LIST_HEAD(&n->slabs_partial);
		CDS_INIT_LIST_HEAD(&n->slabs_full);
		CDS_INIT_LIST_HEAD(&n->slabs_free);
		n->free_limit = (1 + nr_cpus_node((int)node)) * cachep->batchcount + cachep->num;
		n->next_reap = jiffies + REAPTIMEOUT_NODE +
			       ((unsigned long)cachep / 64) % REAPTIMEOUT_NODE;
		if (cachep->shared) {
			n->shared = alloc_arraycache(cachep->shared * cachep->batchcount,
						     0xbaadf00d);
			if (!n->shared)
				return -ENOMEM;
		}
		if (nodes > 1) {
			unsigned int limit = cachep->limit > 1 ? 12 : cachep->limit;

			n->alien = calloc(nodes, sizeof(*n->alien));
			if (!n->alien)
				return -ENOMEM;
			for (unsigned int r = 0; r < nodes; r++) {
				struct alien_cache *alc;

				if (r == node)
					continue;
				alc = aligned_alloc(SMP_CACHE_BYTES,
						    ALIGN(sizeof(*alc) + limit * sizeof(void *),
							  SMP_CACHE_BYTES));
				if (!alc)
					return -ENOMEM;
				memset(alc, 0, sizeof(*alc));
				spin_lock_init_name(&alc->lock, "alien_cache->lock");
				alc->lock.irqsafe = 1;
				alc->ac.limit = limit;
				alc->ac.batchcount = 0xbaadf00d;
				n->alien[r] = alc;
			}
		}
	}
	return 0;
}

/* The flags slab_debug adds to every cache (v4.19's forced debugging). */
static slab_flags_t slab_debug_flags(unsigned int size, slab_flags_t flags)
{
	if (!slab_debug)
		return flags;
	flags |= SLAB_CONSISTENCY_CHECKS;
	if (size < 4096 || fls_long(size - 1) == fls_long(size - 1 + REDZONE_ALIGN +
						      2 * sizeof(unsigned long long)))
		flags |= SLAB_RED_ZONE | SLAB_STORE_USER;
	if (!(flags & SLAB_TYPESAFE_BY_RCU))
		flags |= SLAB_POISON;
	return flags;
}

/*
 * The cache itself (slab_mutex held, or boot).  Returns NULL with a
 * message naming what was wrong.
 */
struct kmem_cache *__kmem_cache_create(const char *name, unsigned int size,
				       unsigned int align, slab_flags_t flags,
				       void (*ctor)(void *))
{
	struct kmem_cache *cachep;
	unsigned int ralign = BYTES_PER_WORD;
	size_t bytes;

	cachep = aligned_alloc(SMP_CACHE_BYTES, ALIGN(sizeof(*cachep), SMP_CACHE_BYTES));
	if (!cachep)
		return NULL;
	memset(cachep, 0, sizeof(*cachep));
	cachep->name = strdup(name);
	cachep->object_size = size;
	cachep->ctor = ctor;
	cachep->failslab = !!(flags & SLAB_FAILSLAB);
	flags = slab_debug_flags(size, flags);

	bytes = ALIGN(size, BYTES_PER_WORD);
	if (flags & SLAB_RED_ZONE) {
		ralign = REDZONE_ALIGN;
		bytes = ALIGN(bytes, REDZONE_ALIGN);
	}
	align = calculate_alignment(flags, align, size);
	if (ralign < align)
		ralign = align;
	/* a red zone before the object would misalign it */
	if (ralign > sizeof(unsigned long long))
		flags &= ~(SLAB_RED_ZONE | SLAB_STORE_USER);
	cachep->align = ralign;
	cachep->colour_off = max_t(unsigned int, L1_CACHE_BYTES, cachep->align);

	if (flags & SLAB_RED_ZONE) {
		cachep->obj_offset = sizeof(unsigned long long);
		bytes += 2 * sizeof(unsigned long long);
	}
	if (flags & SLAB_STORE_USER)
		bytes += ALIGN(sizeof(struct slab_track), BYTES_PER_WORD);
	bytes = ALIGN(bytes, cachep->align);
	/* objects of at least SLAB_OBJ_MIN_SIZE: never more in a slab than a
	 * freelist index can count */
	if (FREELIST_BYTE_INDEX && bytes < SLAB_OBJ_MIN_SIZE)
		bytes = ALIGN(SLAB_OBJ_MIN_SIZE, cachep->align);
	cachep->size = (unsigned int)bytes;
	cachep->flags = flags;

	if (set_objfreelist_slab_cache(cachep, bytes, flags))
		flags |= CFLGS_OBJFREELIST_SLAB;
	else if (set_off_slab_cache(cachep, bytes, flags))
		flags |= CFLGS_OFF_SLAB;
	else if (!set_on_slab_cache(cachep, bytes, flags))
		goto too_big;

	cachep->freelist_size = cachep->num * sizeof(freelist_idx_t);
	cachep->flags = flags;
	cachep->fast_num = flags & SLAB_DEBUG_FLAGS ? 0 : cachep->num;
	cachep->allocflags = __GFP_COMP;
	if (flags & SLAB_CACHE_DMA)
		cachep->allocflags |= GFP_DMA;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		cachep->allocflags |= __GFP_RECLAIMABLE;
	cachep->reciprocal_buffer_size = reciprocal_value(cachep->size);
	set_size_inverse(cachep);
	if (OFF_SLAB(cachep))
		cachep->freelist_cache = kmalloc_slab(cachep->freelist_size, 0);
	if (setup_cpu_cache(cachep)) {
		free_cache_arrays(cachep);
		goto fail;
	}
	return cachep;

too_big:
	pr_err("kmem_cache_create(%s): object size %u does not fit in a slab of order %d\n",
	       name, size, KMALLOC_MAX_ORDER);
fail:
	free((void *)cachep->name);
	free(cachep);
	return NULL;
}

/* At the head, as v4.19's create_cache(): /proc/slabinfo lists the newest
 * first, and a cache is drained before the older kmalloc caches that may
 * hold its off-slab freelists. */
static void slab_caches_add(struct kmem_cache *cachep)
{
	unsigned long irqflags;

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_add(&cachep->list, &slab_caches);
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
}

static void slab_caches_del(struct kmem_cache *cachep)
{
	unsigned long irqflags;

	spin_lock_irqsave(&slab_caches_lock, irqflags);
	cds_list_del(&cachep->list);
	spin_unlock_irqrestore(&slab_caches_lock, irqflags);
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
	struct kmem_cache *cachep = NULL;
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
		mutex_lock(&slab_mutex);
		cachep = __kmem_cache_create(name, size, align, flags & ~SLAB_KMALLOC, ctor);
		if (cachep)
			slab_caches_add(cachep);
		mutex_unlock(&slab_mutex);
		if (!cachep)
			why = "no room for a slab of this size";
	}
	if (unlikely(!cachep)) {
		if (flags & SLAB_PANIC)
			panic("kmem_cache_create: Failed to create slab '%s'. Error %d\n",
			      name ? name : "(null)", -EINVAL);
		report_begin(REPORT_WARNING);
		printk("kmem_cache_create(%s) integrity check failed: %s (size %u, align %u, flags %#x)\n",
		       name ? name : "(null)", why, size, align, flags);
		report_end(REPORT_WARNING, TAINT_WARN);
	}
	return cachep;
}

/*
 * /sys/kernel/slab/<cache>/failslab: whether failslab's cache-filter lets
 * the cache fail (SLAB_FAILSLAB at creation, or written here).
 */
int slab_failslab_attr(const char *cache, const char *value, FILE *out)
{
	struct kmem_cache *cachep;
	unsigned long long v = 0;
	int ret = -ENOENT;

	if (value && parse_uint(value, 0, 1, &v))
		return -EINVAL;
	mutex_lock(&slab_mutex);
	cds_list_for_each_entry(cachep, &slab_caches, list) {
		if (strcmp(cachep->name, cache))
			continue;
		if (value)
			WRITE_ONCE(cachep->failslab, (int)v);
		else
			fprintf(out, "%d\n", READ_ONCE(cachep->failslab));
		ret = 0;
		break;
	}
	mutex_unlock(&slab_mutex);
	return ret;
}

/* Objects still out: reported as the kernel does, one line per slab. */
static unsigned long report_live_objects(struct kmem_cache *cachep)
{
	unsigned long live = 0, slabs = 0;

	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = get_node(cachep, (int)node);
		unsigned long irqflags;
		struct page *page;

		spin_lock_irqsave(&n->list_lock, irqflags);
		cds_list_for_each_entry(page, &n->slabs_partial, lru) {
			live += page->active;
			slabs++;
		}
		cds_list_for_each_entry(page, &n->slabs_full, lru) {
			live += page->active;
			slabs++;
		}
		spin_unlock_irqrestore(&n->list_lock, irqflags);
	}
	report_begin(REPORT_BUG);
	printk("kmem_cache_destroy %s: Slab cache still has objects\n", cachep->name);
	printk("INFO: %lu object%s in %lu slab%s %s still allocated; the cache is kept\n",
	       live, str_plural(live), slabs, str_plural(slabs), live == 1 ? "is" : "are");
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
	return live;
}

static void cache_free_struct(struct kmem_cache *cachep)
{
	free_cache_arrays(cachep);
	free((void *)cachep->name);
	free(cachep);
}

void kmem_cache_destroy(struct kmem_cache *cachep)
{
	if (!cachep)
		return;
	if (unlikely(!caller_is_cpu(__func__)) || might_sleep())
		return;
	if (cachep->flags & SLAB_KMALLOC) {
		WARN(1, "kmem_cache_destroy(%s): a kmalloc cache cannot be destroyed\n",
		     cachep->name);
		return;
	}
	mutex_lock(&slab_mutex);
	if (__kmem_cache_shrink(cachep)) {
		report_live_objects(cachep);
		mutex_unlock(&slab_mutex);
		return;
	}
	mutex_unlock(&slab_mutex);
	/*
	 * Typesafe-by-RCU slabs go back after a grace period: wait for them
	 * (and for kfree_rcu() of objects that were in it) with the cache
	 * still listed, so that mm_check() keeps counting their pages.
	 */
	if (cachep->flags & SLAB_TYPESAFE_BY_RCU)
		rcu_barrier();
	mutex_lock(&slab_mutex);
	if (__atomic_load_n(&cachep->nr_pages, __ATOMIC_RELAXED)) {
		/* objects came back meanwhile: a use after destroy */
		report_live_objects(cachep);
		mutex_unlock(&slab_mutex);
		return;
	}
	slab_caches_del(cachep);
	mutex_unlock(&slab_mutex);
	cache_free_struct(cachep);
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
/* CPUs coming and going, boot and shutdown                           */

/* On cpu (v4.19 start_cpu_timer()): the first reap about a second later,
 * on a whole second skewed by 3 jiffies per CPU. */
static struct slab_cpu *slab_cpus;	/* [nr_cpu_ids]: read-only while booted */

static void slab_cpu_online(unsigned int cpu)
{
	current->slab_percpu = &slab_cpus[cpu];
	init_reap_node(cpu);
	schedule_delayed_work_on(cpu, &reap_work[cpu], __round_jiffies_relative(HZ, (int)cpu));
}

/*
 * Interrupts off: the CPU's arrays go back to their slabs.  Freeing a slab
 * frees its off-slab freelist into this CPU's kmalloc array, which may have
 * been drained already: go round until every array stays empty.
 */
static void slab_cpu_offline(unsigned int cpu)
{
	struct kmem_cache *cachep;
	int busy = 1;

	current->slab_percpu = NULL;	/* off the fast paths */
	cancel_delayed_work_sync(&reap_work[cpu]);
	spin_lock(&slab_caches_lock);
	for (int pass = 0; busy && pass < 4; pass++) {
		busy = 0;
		cds_list_for_each_entry(cachep, &slab_caches, list) {
			busy |= cachep->cpu_cache[cpu]->avail != 0;
			__drain_cpu_array(cachep, cpu);
		}
	}
	spin_unlock(&slab_caches_lock);
}

static const struct cpuhp_state slab_cpuhp = {
	.name = "mm/slab:online",
	.online = slab_cpu_online,
	.offline = slab_cpu_offline,
};

/* A boot that fails after kmem_cache_init() began: its caches (all empty:
 * no CPU has run) and the reap work go. */
static void kmem_cache_init_undo(void)
{
	struct kmem_cache *cachep, *tmp;

	cds_list_for_each_entry_safe(cachep, tmp, &slab_caches, list) {
		slab_caches_del(cachep);
		cache_free_struct(cachep);
	}
	free(reap_work);
	reap_work = NULL;
	free(slab_cpus);
	slab_cpus = NULL;
}

int kmem_cache_init(const char *debug_opts)
{
	unsigned long min_pfn = __mm_layout.min_pfn;
	int ret;

	(void)debug_opts;
	spin_lock_init(&slab_caches_lock);
	slab_caches_lock.irqsafe = 1;
	CDS_INIT_LIST_HEAD(&slab_caches);
	slab_max_order = totalram_pages > (32UL << 20) >> PAGE_SHIFT ? 1 : 0;

	slab_layout.base = __mm_layout.page_offset + (min_pfn << PAGE_SHIFT);
	slab_layout.map = pfn_to_page(min_pfn);
	slab_layout.nr_low = __mm_layout.max_low_pfn > min_pfn ?
			     __mm_layout.max_low_pfn - min_pfn : 0;
	reap_work = calloc(nr_cpu_ids, sizeof(*reap_work));
	if (!reap_work)
		return -ENOMEM;
	slab_cpus = aligned_alloc(SMP_CACHE_BYTES, nr_cpu_ids * sizeof(*slab_cpus));
	if (!slab_cpus) {
		kmem_cache_init_undo();
		return -ENOMEM;
	}
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		pg_data_t *pgdat = NODE_DATA(cpu_to_node(cpu));
		unsigned long lo = pgdat->node_start_pfn;
		unsigned long hi = min(lo + pgdat->node_spanned_pages,
				       __mm_layout.max_low_pfn);
		struct slab_cpu *sc = &slab_cpus[cpu];

		sc->node_base = __mm_layout.page_offset + (lo << PAGE_SHIFT);
		sc->node_map = pfn_to_page(lo);
		sc->node_nr = hi > lo ? hi - lo : 0;
		INIT_DELAYED_WORK(&reap_work[cpu], cache_reap);
	}
	ret = kmalloc_init();
	if (!ret)
		ret = cpuhp_setup_state(&slab_cpuhp);
	if (ret)
		kmem_cache_init_undo();
	return ret;
}

/*
 * mm_shutdown(), on an attached CPU with every other CPU gone: RCU
 * callbacks run, every cache emptied; caches with objects still out are
 * reported (their pages then show up as a leak).
 */
void kmem_cache_exit(void)
{
	struct kmem_cache *cachep, *tmp;

	cpuhp_remove_state(&slab_cpuhp);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		cancel_delayed_work_sync(&reap_work[cpu]);
	slab_shrink_all();
	cds_list_for_each_entry_safe(cachep, tmp, &slab_caches, list) {
		int busy = cache_total_slabs(cachep) != 0;

		if (busy && !(cachep->flags & SLAB_KMALLOC))
			report_live_objects(cachep);
		else if (busy)
			pr_err("BUG: memory leak at mm_shutdown: kmalloc cache %s has objects still allocated\n",
			       cachep->name);
		slab_caches_del(cachep);
		if (!busy)
			cache_free_struct(cachep);
	}
	free(reap_work);
	reap_work = NULL;
	free(slab_cpus);
	slab_cpus = NULL;
	/* ASan: the shadow outlives the direct map; a slab still poisoned
	 * (a cache kept for its leaked objects) must not trip the next boot */
	slab_asan_unpoison(slab_layout.base, slab_layout.nr_low << PAGE_SHIFT);
}
