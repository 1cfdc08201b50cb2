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

/* The flags slab_debug adds to every cache (v4.19's forced debugging):
 * SLAB's cache_flags hook. */
static slab_flags_t slab_debug_flags(unsigned int size, slab_flags_t flags, const char *name)
{
	(void)name;
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
 * The cache's layout (slab_mutex held, or boot): the common layer set
 * name, object_size, align (as asked), flags (with slab_debug's), ctor.
 * 0, or -EINVAL with a message naming what was wrong.
 */
static int slab_cache_create(struct kmem_cache *cachep)
{
	unsigned int size = cachep->object_size, align = cachep->align;
	slab_flags_t flags = cachep->flags;
	unsigned int ralign = BYTES_PER_WORD;
	size_t bytes;

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
		return -ENOMEM;
	}
	return 0;

too_big:
	pr_err("kmem_cache_create(%s): object size %u does not fit in a slab of order %d\n",
	       cachep->name, size, KMALLOC_MAX_ORDER);
	return -EINVAL;
}

/* Objects still out and the slabs holding them (slab_mutex held). */
static unsigned long slab_live_objects(struct kmem_cache *cachep, unsigned long *slabs)
{
	unsigned long live = 0;

	*slabs = 0;
	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = get_node(cachep, (int)node);
		unsigned long irqflags;
		struct page *page;

		spin_lock_irqsave(&n->list_lock, irqflags);
		cds_list_for_each_entry(page, &n->slabs_partial, lru) {
			live += page->active;
			(*slabs)++;
		}
		cds_list_for_each_entry(page, &n->slabs_full, lru) {
			live += page->active;
			(*slabs)++;
		}
		spin_unlock_irqrestore(&n->list_lock, irqflags);
	}
	return live;
}

/* ------------------------------------------------------------------ */
/* CPUs coming and going, boot and shutdown                           */

/* On cpu (v4.19 start_cpu_timer()): the first reap about a second later,
 * on a whole second skewed by 3 jiffies per CPU. */
static struct slab_cpu *slab_cpus;	/* [nr_cpu_ids]: read-only while booted */

static void slab_cpu_online(unsigned int cpu)
{
	/* kmemleak records every object: its CPUs take the general paths */
	current->slab_percpu = kmemleak_active() ? NULL : &slab_cpus[cpu];
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

/* A boot that fails in slab_init(), or the end of slab_exit(). */
static void slab_init_undo(void)
{
	free(reap_work);
	reap_work = NULL;
	free(slab_cpus);
	slab_cpus = NULL;
}

/* Boot, no CPU running: SLAB's per-CPU tables, its kmalloc caches, its
 * CPU hotplug state (which starts each CPU's reap). */
static int slab_init(void)
{
	int ret;

	slab_max_order = totalram_pages > (32UL << 20) >> PAGE_SHIFT ? 1 : 0;
	reap_work = calloc(nr_cpu_ids, sizeof(*reap_work));
	if (!reap_work)
		return -ENOMEM;
	slab_cpus = aligned_alloc(SMP_CACHE_BYTES, nr_cpu_ids * sizeof(*slab_cpus));
	if (!slab_cpus) {
		slab_init_undo();
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
	/*
	 * ARCH_KMALLOC_FLAGS, SLAB_HWCACHE_ALIGN on x86 -- not under
	 * slab_debug: v4.19 takes red zones and owner tracking from any cache
	 * aligned to more than 8 bytes, which would leave kmalloc without
	 * them.  The kernel's own note on ARCH_KMALLOC_MINALIGN says what is
	 * meant: "the kmalloc caches are cache_line_size() aligned, except
	 * when DEBUG and FORCED_DEBUG are enabled, then they are
	 * BYTES_PER_WORD aligned"; slab_debug is the model's FORCED_DEBUG.
	 */
	ret = create_kmalloc_caches(slab_debug ? 0 : SLAB_HWCACHE_ALIGN);
	if (!ret)
		ret = cpuhp_setup_state(&slab_cpuhp);
	if (ret)
		slab_init_undo();
	return ret;
}

/* mm_shutdown(), every cache gone or kept for its leaks: the reaping
 * stops, the per-CPU tables go. */
static void slab_exit(void)
{
	/* the shutting-down CPU's thread leaves the fast paths: it may boot
	 * another allocator next */
	current->slab_percpu = NULL;
	cpuhp_remove_state(&slab_cpuhp);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		cancel_delayed_work_sync(&reap_work[cpu]);
	slab_init_undo();
}

static void slab_get_slabinfo(struct kmem_cache *cachep, struct slabinfo *info)
{
	unsigned long total_slabs = 0, free_slabs = 0, free_objs = 0, shared_avail = 0;

	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = get_node(cachep, (int)node);
		unsigned long irqflags;

		spin_lock_irqsave(&n->list_lock, irqflags);
		total_slabs += n->total_slabs;
		free_slabs += n->free_slabs;
		free_objs += n->free_objects;
		if (n->shared)
			shared_avail += n->shared->avail;
		spin_unlock_irqrestore(&n->list_lock, irqflags);
	}
	info->num_objs = total_slabs * cachep->num;
	info->active_slabs = total_slabs - free_slabs;
	info->num_slabs = total_slabs;
	info->active_objs = info->num_objs - free_objs;
	info->shared_avail = shared_avail;
	info->limit = cachep->limit;
	info->batchcount = cachep->batchcount;
	info->shared = cachep->shared;
	info->objects_per_slab = cachep->num;
	info->cache_order = cachep->gfporder;
}

static void slab_stats(struct kmem_cache *cachep, struct kmem_cache_stats *st)
{
	st->num = cachep->num;
	st->gfporder = cachep->gfporder;
	st->reaped = __atomic_load_n(&cachep->reaped, __ATOMIC_RELAXED);
	st->rcu_slabs = __atomic_load_n(&cachep->rcu_slabs, __ATOMIC_RELAXED);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		st->alien_frees += READ_ONCE(cachep->stats[cpu].alien_frees);
}

static void *slab_kmalloc(size_t size, gfp_t flags, int node, const void *caller)
{
	struct kmem_cache *cachep = kmalloc_slab(size, flags);

	return cachep ? __kmem_cache_alloc_node(cachep, flags, node, caller) : NULL;
}

static void slab_kfree(const void *objp, const void *caller)
{
	__kmem_cache_free(NULL, (void *)objp, caller);
}

static size_t slab_ksize(const void *objp)
{
	struct kmem_cache *cachep = virt_to_cache(objp);

	if (unlikely(!cachep)) {
		WARN(1, "ksize(%p): not an object of any slab cache\n", objp);
		return 0;
	}
	return cachep->object_size;
}

const struct slab_allocator_ops slab_ops_slab = {
	.name = "slab",
	.init = slab_init,
	.exit = slab_exit,
	.cache_flags = slab_debug_flags,
	.cache_create = slab_cache_create,
	.cache_shrink = __kmem_cache_shrink,
	.live_objects = slab_live_objects,
	.cache_release = free_cache_arrays,
	.alloc = __kmem_cache_alloc_node,
	.free = __kmem_cache_free,
	.kmalloc = slab_kmalloc,
	.kfree = slab_kfree,
	.ksize = slab_ksize,
	.get_slabinfo = slab_get_slabinfo,
	.stats = slab_stats,
	.check = slab_check_all_caches,
};
