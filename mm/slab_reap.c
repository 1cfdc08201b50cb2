// SPDX-License-Identifier: MIT
/*
 * mm/slab_reap.c - giving SLAB's memory back: draining the arrays (by IPI
 * on each CPU), kmem_cache_shrink(), and the periodic cache_reap() every
 * REAPTIMEOUT_AC on each CPU, rounded to a whole second (per-CPU deferred
 * work, see mmsim/sched.h).
 * Locking as in mm/slab.c.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <mmsim/rcupdate.h>
#include <mmsim/sched.h>
#include "slab.h"
#include "../numa/ipi.h"


/* ------------------------------------------------------------------ */
/* Draining, shrinking, reaping                                        */

/* Give back tofree objects of an array (or all) to node's slabs. */
static void drain_array_locked(struct kmem_cache *cachep, struct array_cache *ac,
			       int node, int free_all, struct cds_list_head *list)
{
	unsigned int tofree;

	if (!ac || !ac->avail)
		return;
	tofree = free_all ? ac->avail : (ac->limit + 4) / 5;
	if (tofree > ac->avail)
		tofree = (ac->avail + 1) / 2;
	free_block(cachep, ac->entry, tofree, node, list);
	ac->avail -= tofree;
	memmove(ac->entry, &ac->entry[tofree], sizeof(void *) * ac->avail);
}

/* This CPU's array of cachep back to the slabs (interrupts off). */
void __drain_cpu_array(struct kmem_cache *cachep, unsigned int cpu)
{
	struct array_cache *ac = cachep->cpu_cache[cpu];
	int node = cpu_to_node(cpu);
	struct kmem_cache_node *n = get_node(cachep, node);
	CDS_LIST_HEAD(list);

	if (!ac->avail)
		return;
	spin_lock(&n->list_lock);
	free_block(cachep, ac->entry, ac->avail, node, &list);
	spin_unlock(&n->list_lock);
	ac->avail = 0;
	slabs_destroy(cachep, &list);
}

/* IPI: on each CPU, its own array. */
static void do_drain(void *arg)
{
	unsigned long irqflags;

	local_irq_save(irqflags);
	__drain_cpu_array(arg, (unsigned int)current->cpu);
	local_irq_restore(irqflags);
}

static void drain_alien_caches(struct kmem_cache *cachep, struct kmem_cache_node *n)
{
	if (!n->alien)
		return;
	for (unsigned int r = 0; r < num_online_nodes(); r++) {
		struct alien_cache *alien = n->alien[r];
		unsigned long irqflags;
		CDS_LIST_HEAD(list);

		if (!alien)
			continue;
		spin_lock_irqsave(&alien->lock, irqflags);
		__drain_alien_cache(cachep, &alien->ac, (int)r, &list);
		spin_unlock_irqrestore(&alien->lock, irqflags);
		slabs_destroy(cachep, &list);
	}
}

static void drain_cpu_caches(struct kmem_cache *cachep)
{
	struct cpumask all;

	cpumask_clear(&all);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		cpumask_set_cpu(cpu, &all);
	smp_call_function_many(&all, do_drain, cachep);
	do_drain(cachep);
	/* aliens first: they pass objects on to their node's shared array */
	for (unsigned int node = 0; node < num_online_nodes(); node++)
		drain_alien_caches(cachep, get_node(cachep, (int)node));
	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = get_node(cachep, (int)node);
		unsigned long irqflags;
		CDS_LIST_HEAD(list);

		spin_lock_irqsave(&n->list_lock, irqflags);
		drain_array_locked(cachep, n->shared, (int)node, 1, &list);
		spin_unlock_irqrestore(&n->list_lock, irqflags);
		slabs_destroy(cachep, &list);
	}
}

/* Free up to tofree free slabs of node n; returns how many went. */
static unsigned long drain_freelist(struct kmem_cache *cachep,
				    struct kmem_cache_node *n, unsigned long tofree)
{
	unsigned long nr_freed = 0;

	while (nr_freed < tofree) {
		unsigned long irqflags;
		struct page *page;

		spin_lock_irqsave(&n->list_lock, irqflags);
		if (cds_list_empty(&n->slabs_free)) {
			spin_unlock_irqrestore(&n->list_lock, irqflags);
			break;
		}
		page = cds_list_entry(n->slabs_free.prev, struct page, lru);
		cds_list_del(&page->lru);
		n->free_slabs--;
		n->total_slabs--;
		n->free_objects -= cachep->num;
		spin_unlock_irqrestore(&n->list_lock, irqflags);
		local_irq_save(irqflags);
		slab_destroy(cachep, page);
		local_irq_restore(irqflags);
		nr_freed++;
	}
	return nr_freed;
}

/* 1 if objects are still out (partial or full slabs remain), else 0. */
int __kmem_cache_shrink(struct kmem_cache *cachep)
{
	int ret = 0;

	drain_cpu_caches(cachep);
	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = get_node(cachep, (int)node);
		unsigned long irqflags;

		drain_freelist(cachep, n, ULONG_MAX);
		spin_lock_irqsave(&n->list_lock, irqflags);
		ret += !cds_list_empty(&n->slabs_full) || !cds_list_empty(&n->slabs_partial);
		spin_unlock_irqrestore(&n->list_lock, irqflags);
	}
	return ret ? 1 : 0;
}

/*
 * Each CPU's reap node (v4.19's per-CPU slab_reap_node): the node whose
 * alien arrays its next cache_reap() drains.  Set when the CPU comes online
 * (the node after its own) and moved to the next online node by each of
 * its cache_reap() runs that got slab_mutex; both run on that CPU, which
 * is the only one to touch it.
 */
struct slab_reap_node {
	int node;
} ____cacheline_aligned;

static struct slab_reap_node slab_reap_node[NR_CPUS];

static int next_node_in(int node)
{
	return node + 1 < (int)num_online_nodes() ? node + 1 : 0;
}

/* On cpu, coming online (v4.19 init_reap_node()). */
void init_reap_node(unsigned int cpu)
{
	slab_reap_node[cpu].node = next_node_in(cpu_to_node(cpu));
}

static void next_reap_node(void)
{
	struct slab_reap_node *r = &slab_reap_node[current->cpu];

	r->node = next_node_in(r->node);
}

/*
 * The alien array of this node for the CPU's reap node, one node per reap
 * (round robin), and only if it holds objects and its lock is free.  Its
 * avail is read without the lock first, as in the kernel: its writers
 * store it with WRITE_ONCE().
 */
static void reap_alien(struct kmem_cache *cachep, struct kmem_cache_node *n)
{
	int node = slab_reap_node[current->cpu].node;
	struct alien_cache *alien;
	unsigned long irqflags;
	CDS_LIST_HEAD(list);

	if (!n->alien)
		return;
	alien = n->alien[node];
	if (!alien || !READ_ONCE(alien->ac.avail))
		return;
	local_irq_save(irqflags);
	if (spin_trylock(&alien->lock)) {
		__drain_alien_cache(cachep, &alien->ac, node, &list);
		spin_unlock(&alien->lock);
	}
	local_irq_restore(irqflags);
	slabs_destroy(cachep, &list);
}

/*
 * v4.19 drain_array()'s decision for an array at a reap: 1 if part of it
 * goes back now.  An empty array is left alone, touched flag and all; a
 * touched one, used since the last reap, only loses the flag.
 */
static int reap_array_due(struct array_cache *ac)
{
	if (!ac->avail)
		return 0;
	if (ac->touched) {
		ac->touched = 0;
		return 0;
	}
	return 1;
}

/* The CPU's own array: its owner's, used with interrupts off. */
static void reap_cpu_array(struct kmem_cache *cachep, struct kmem_cache_node *n,
			   struct array_cache *ac, int node)
{
	unsigned long irqflags;
	CDS_LIST_HEAD(list);

	local_irq_save(irqflags);
	if (reap_array_due(ac)) {
		spin_lock(&n->list_lock);
		drain_array_locked(cachep, ac, node, 0, &list);
		spin_unlock(&n->list_lock);
	}
	local_irq_restore(irqflags);
	slabs_destroy(cachep, &list);
}

/* The node's shared array: its avail and touched are under list_lock
 * (v4.19 looks at them without it first; the model does not race). */
static void reap_shared_array(struct kmem_cache *cachep, struct kmem_cache_node *n,
			      int node)
{
	unsigned long irqflags;
	CDS_LIST_HEAD(list);

	if (!n->shared)
		return;
	spin_lock_irqsave(&n->list_lock, irqflags);
	if (reap_array_due(n->shared))
		drain_array_locked(cachep, n->shared, node, 0, &list);
	spin_unlock_irqrestore(&n->list_lock, irqflags);
	slabs_destroy(cachep, &list);
}

/* Test and clear free_touched (list_lock). */
static int node_free_touched(struct kmem_cache_node *n)
{
	unsigned long irqflags;
	int touched;

	spin_lock_irqsave(&n->list_lock, irqflags);
	touched = n->free_touched;
	n->free_touched = 0;
	spin_unlock_irqrestore(&n->list_lock, irqflags);
	return touched;
}

/* Every slab of the cache, on all nodes (list_lock). */
unsigned long cache_total_slabs(struct kmem_cache *cachep)
{
	unsigned long total = 0;

	for (unsigned int node = 0; node < num_online_nodes(); node++) {
		struct kmem_cache_node *n = get_node(cachep, (int)node);
		unsigned long irqflags;

		spin_lock_irqsave(&n->list_lock, irqflags);
		total += n->total_slabs;
		spin_unlock_irqrestore(&n->list_lock, irqflags);
	}
	return total;
}

/* The periodic reap of one CPU's arrays and its node's free slabs. */
void cache_reap(struct work_struct *w)
{
	struct delayed_work *work = to_delayed_work(w);
	int node = numa_node_id();
	struct kmem_cache *searchp;

	if (!mutex_trylock(&slab_mutex))
		goto out;
	cds_list_for_each_entry(searchp, &slab_caches, list) {
		struct kmem_cache_node *n = get_node(searchp, node);
		unsigned long freed;

		reap_alien(searchp, n);
		/* the CPU's own array: interrupts off, like every use of it */
		reap_cpu_array(searchp, n, cpu_cache_get(searchp), node);
		if (time_after(READ_ONCE(n->next_reap), jiffies))
			continue;
		WRITE_ONCE(n->next_reap, jiffies + REAPTIMEOUT_NODE);
		reap_shared_array(searchp, n, node);
		if (node_free_touched(n)) {
			/* a free slab was used since the last reap: keep them */
		} else {
			freed = drain_freelist(searchp, n, (n->free_limit + 5 * searchp->num - 1) /
						(5 * searchp->num));
			__atomic_fetch_add(&searchp->reaped, freed, __ATOMIC_RELAXED);
		}
	}
	mutex_unlock(&slab_mutex);
	next_reap_node();
out:
	/* on a whole second, skewed by 3 jiffies per CPU (v4.19) */
	schedule_delayed_work_on((unsigned int)current->cpu, work,
				 round_jiffies_relative(REAPTIMEOUT_AC));
}

