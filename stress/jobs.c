// SPDX-License-Identifier: MIT
/*
 * stress/jobs.c - the stress jobs.  Each operation draws all its parameters
 * first (the same number of draws whatever then happens, so that a seed
 * replays the same sequence on each CPU), logs them, then acts.
 *
 *   page-churn	random orders and gfp types, random lifetimes, patterns
 *		verified before every free and at random moments
 *   pcp-pingpong	order-0 pages handed to another CPU, which checks and frees
 *		them (the remote-free path of the per-CPU lists)
 *   fragment	fragment a node with order-0 pages, then ask for high orders
 *   atomic	bursts of GFP_ATOMIC/GFP_NOWAIT with interrupts or preemption
 *		off, or in interrupt context (sleeping there is a reported bug)
 *   drain	drain_all_pages() of one zone or all, against everything else
 *   sysctl	vm.min_free_kbytes, vm.watermark_scale_factor and
 *		vm.percpu_pagelist_fraction rewritten while everything runs
 *
 * The slab jobs (slab-churn, kmalloc-mix, slab-shrink, rcu-free) are in
 * jobs_slab.c, the mempool jobs (mempool-starve, mempool-resize) in
 * jobs_mempool.c; jobs[] below names them all.
 */
#include <stdlib.h>
#include <string.h>

#include "mmstress.h"

void op_begin(struct cpu_ctx *c, unsigned int job, uint64_t args[3])
{
	op_log(c, job, args);
	for (int i = 0; i < 3; i++)
		WRITE_ONCE(c->last_args[i], args[i]);
}

/* 70% order 0, 20% orders 1-3, 10% orders 4-10 */
static unsigned int draw_order(uint64_t r)
{
	unsigned int p = r % 10;

	if (p < 7)
		return 0;
	if (p < 9)
		return 1 + (unsigned int)(r >> 8) % 3;
	return 4 + (unsigned int)(r >> 12) % (MAX_ORDER - 4);
}

static const enum gfp_kind churn_kinds[] = {
	GK_KERNEL, GK_KERNEL, GK_USER, GK_NOIO, GK_NOFS, GK_DMA32, GK_DMA,
	GK_ZERO, GK_COMP, GK_COLD, GK_NOWAIT,
};

static int zero_check(struct cpu_ctx *c, struct page *page, unsigned int order)
{
	const unsigned char *p = page_address(page);
	size_t len = PAGE_SIZE << order;

	for (size_t off = 0; off < len; off += 512)
		if (*(const uint64_t *)(p + off)) {
			add_violation(c->run, "data-corruption", (int)c->cpu,
				      "__GFP_ZERO block at %p pfn %#lx order %u is not zero at +%#zx: %016llx",
				      (const void *)p, page_to_pfn(page), order, off,
				      (unsigned long long)*(const uint64_t *)(p + off));
			return 1;
		}
	return 0;
}

static int churn_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng), r2 = prng_next(&c->rng);
	unsigned int action = r % 8, order = draw_order(r >> 8);
	enum gfp_kind kind = churn_kinds[(r >> 24) % ARRAY_SIZE(churn_kinds)];
	uint64_t lifetime = 1 + (r >> 32) % 2000;
	struct page *page;
	uint64_t tag;

	a[0] = r;
	a[1] = r2;
	op_begin(c, J_CHURN, a);

	/* blocks past their lifetime go first */
	for (int i = 0; i < c->nheld; i++)
		if (c->held[i].job == J_CHURN && c->held[i].expiry <= c->nr_ops) {
			held_free(c, i, 1);
			break;
		}
	if (action < 4 || !c->nheld) {
		if (kind == GK_COLD)
			order = 0;	/* the cold list is order 0 */
		page = alloc_pages(gfp_kind_mask[kind] | __GFP_NOWARN, order);
		if (!page) {
			count_failure(c, J_CHURN, kind, order);
			return 0;
		}
		if (kind == GK_ZERO)
			zero_check(c, page, order);
		tag = block_tag(c, J_CHURN);
		block_fill(page, order, tag);
		if (held_add(c, page, order, J_CHURN, tag, lifetime))
			__free_pages(page, order);	/* full: give it straight back */
	} else if (action < 6) {
		held_free(c, (int)(r2 % (unsigned int)c->nheld), 1);
	} else {
		struct held_block *b = &c->held[r2 % (unsigned int)c->nheld];

		block_verify(c, b->page, b->order, b->tag, "at a random check");
	}
	return 0;
}

/* A page in transit: its first words carry the link and its tag. */
struct transit {
	struct transit *next;
	uint64_t tag;
};

static void inbox_push(struct cpu_ctx *to, struct transit *t)
{
	struct transit *head = __atomic_load_n((struct transit **)&to->inbox, __ATOMIC_RELAXED);

	do {
		t->next = head;
		/* Release: the page's pattern and header before it is seen. */
	} while (!__atomic_compare_exchange_n((struct transit **)&to->inbox, &head, t, 1,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* Check and free every page handed to this CPU; also used at the end. */
void inbox_drain(struct cpu_ctx *c)
{
	/* Acquire: pairs with the release CAS of inbox_push(). */
	struct transit *t = __atomic_exchange_n((struct transit **)&c->inbox, NULL,
						__ATOMIC_ACQUIRE);

	while (t) {
		struct transit *next = t->next;
		struct page *page = virt_to_page(t);

		block_verify(c, page, 0, t->tag, "on receiving it from another CPU");
		__free_page(page);
		t = next;
	}
}

static int pingpong_op(struct cpu_ctx *c, uint64_t a[3])
{
	struct run *run = c->run;
	uint64_t r = prng_next(&c->rng);
	unsigned int to = (unsigned int)(r % run->nr_cpus);
	struct transit *t;
	struct page *page;

	if (to == c->cpu)
		to = (to + 1) % run->nr_cpus;
	a[0] = to;
	op_begin(c, J_PINGPONG, a);
	inbox_drain(c);
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!page) {
		count_failure(c, J_PINGPONG, GK_KERNEL, 0);
		return 0;
	}
	t = page_address(page);
	t->tag = block_tag(c, J_PINGPONG);
	block_fill(page, 0, t->tag);
	inbox_push(&run->cpus[to], t);
	return 0;
}

#define FRAG_MAX 512

static int fragment_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng);
	int nid = (int)(r % num_online_nodes());
	unsigned int n = 64 + (unsigned int)((r >> 8) % (FRAG_MAX - 64));
	unsigned int order = 3 + (unsigned int)((r >> 20) % (MAX_ORDER - 3));
	struct page *pages[FRAG_MAX], *big[4];
	uint64_t tag = block_tag(c, J_FRAGMENT);

	a[0] = (uint64_t)nid;
	a[1] = n;
	a[2] = order;
	op_begin(c, J_FRAGMENT, a);
	for (unsigned int i = 0; i < n; i++) {
		pages[i] = alloc_pages_node(nid, GFP_KERNEL | __GFP_NOWARN, 0);
		if (!pages[i])
			count_failure(c, J_FRAGMENT, GK_KERNEL, 0);
		else
			block_fill(pages[i], 0, tag + i);
	}
	/* every other page back: the node is full of holes of one page */
	for (unsigned int i = 1; i < n; i += 2)
		if (pages[i]) {
			block_verify(c, pages[i], 0, tag + i, "before freeing it");
			__free_page(pages[i]);
		}
	for (int k = 0; k < 4; k++) {
		big[k] = alloc_pages_node(nid, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, order);
		if (!big[k])
			count_failure(c, J_FRAGMENT, GK_KERNEL, order);
		else
			block_fill(big[k], order, tag ^ (0xb16ULL << 32) ^ (uint64_t)k);
	}
	for (int k = 0; k < 4; k++)
		if (big[k]) {
			block_verify(c, big[k], order, tag ^ (0xb16ULL << 32) ^ (uint64_t)k,
				     "before freeing it");
			__free_pages(big[k], order);
		}
	for (unsigned int i = 0; i < n; i += 2)
		if (pages[i]) {
			block_verify(c, pages[i], 0, tag + i, "before freeing it");
			__free_page(pages[i]);
		}
	return 0;
}

#define BURST_MAX 16

static int atomic_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng);
	unsigned int burst = 1 + (unsigned int)(r % BURST_MAX);
	unsigned int how = (unsigned int)((r >> 8) % 3);
	enum gfp_kind kind = (r >> 12) & 1 ? GK_ATOMIC : GK_NOWAIT;
	unsigned int order = (r >> 16) % 4 ? 0 : 1 + (unsigned int)((r >> 20) % 3);
	struct page *pages[BURST_MAX];
	uint64_t tag = block_tag(c, J_ATOMIC);
	unsigned long flags = 0;

	a[0] = burst;
	a[1] = how;
	a[2] = (uint64_t)kind << 8 | order;
	op_begin(c, J_ATOMIC, a);
	/* an atomic context: interrupts off, preemption off, or an interrupt */
	if (how == 0)
		local_irq_save(flags);
	else if (how == 1)
		preempt_disable();
	else
		irq_enter();
	for (unsigned int i = 0; i < burst; i++) {
		pages[i] = alloc_pages(gfp_kind_mask[kind] | __GFP_NOWARN, order);
		if (!pages[i])
			count_failure(c, J_ATOMIC, kind, order);
		else
			block_fill(pages[i], order, tag + i);
	}
	/* half are freed right there, in atomic context */
	for (unsigned int i = 0; i < burst; i += 2)
		if (pages[i]) {
			block_verify(c, pages[i], order, tag + i, "before freeing it");
			__free_pages(pages[i], order);
		}
	if (how == 0)
		local_irq_restore(flags);
	else if (how == 1)
		preempt_enable();
	else
		irq_exit();
	for (unsigned int i = 1; i < burst; i += 2)
		if (pages[i]) {
			block_verify(c, pages[i], order, tag + i, "before freeing it");
			__free_pages(pages[i], order);
		}
	return 0;
}

static int drain_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng);
	unsigned int nzones = num_online_nodes() * MAX_NR_ZONES;
	unsigned int which = (unsigned int)(r % (nzones + 1));
	struct zone *zone = NULL;

	a[0] = which;
	op_begin(c, J_DRAIN, a);
	if (which < nzones)
		zone = node_zone((int)(which / MAX_NR_ZONES), (enum zone_type)(which % MAX_NR_ZONES));
	drain_all_pages(zone);
	return 0;
}

static int sysctl_op(struct cpu_ctx *c, uint64_t a[3])
{
	static const unsigned int fractions[] = { 0, 8, 16, 64, 512, 4096, 0, 0 };
	struct run *run = c->run;
	uint64_t r = prng_next(&c->rng);
	unsigned int which = (unsigned int)(r % 3);
	unsigned long long v;
	const char *name;
	char val[32];

	switch (which) {
	case 0:	/* min_free_kbytes: from half to twice the boot value */
		name = "vm.min_free_kbytes";
		v = run->sysctl_defaults[0] / 2 + (r >> 8) % (run->sysctl_defaults[0] * 3 / 2 + 1);
		break;
	case 1:
		name = "vm.watermark_scale_factor";
		v = 1 + (r >> 8) % 300;
		break;
	default:
		name = "vm.percpu_pagelist_fraction";
		v = fractions[(r >> 8) % ARRAY_SIZE(fractions)];
		break;
	}
	a[0] = which;
	a[1] = v;
	op_begin(c, J_SYSCTL, a);
	snprintf(val, sizeof(val), "%llu", v);
	if (mm_sysctl_write(name, val)) {
		add_violation(run, "harness", (int)c->cpu, "sysctl %s=%s refused", name, val);
		return -1;
	}
	return 0;
}

const struct job jobs[] = {
	[J_CHURN] = { .name = "page-churn", .default_weight = 10, .op = churn_op,
		.what = "random orders and gfp types with random lifetimes, patterns checked" },
	[J_PINGPONG] = { .name = "pcp-pingpong", .default_weight = 5, .op = pingpong_op,
		.what = "order-0 pages handed to another CPU to check and free (remote frees)" },
	[J_FRAGMENT] = { .name = "fragment", .default_weight = 2, .op = fragment_op,
		.what = "fragment a node with order-0 pages, then ask it for high orders" },
	[J_ATOMIC] = { .name = "atomic", .default_weight = 3, .op = atomic_op,
		.what = "GFP_ATOMIC/GFP_NOWAIT bursts with irqs or preemption off, or in an interrupt" },
	[J_DRAIN] = { .name = "drain", .default_weight = 1, .op = drain_op,
		.what = "drain_all_pages() of one zone or all, IPIs to every CPU" },
	[J_SYSCTL] = { .name = "sysctl", .default_weight = 1, .op = sysctl_op,
		.what = "rewrite min_free_kbytes, watermark_scale_factor, percpu_pagelist_fraction" },
	[J_SLAB_CHURN] = { .name = "slab-churn", .default_weight = 6, .op = slab_churn_op,
		.release = slab_churn_release, .teardown = slab_jobs_teardown,
		.what = "caches of random size/alignment with constructors, created and destroyed; objects freed on other CPUs and nodes" },
	[J_KMALLOC_MIX] = { .name = "kmalloc-mix", .default_weight = 6, .op = kmalloc_mix_op,
		.release = slab_jobs_release, .teardown = slab_jobs_teardown,
		.what = "kmalloc/kzalloc/kcalloc/kmalloc_node of 8 B to 1 MiB, GFP_KERNEL/GFP_ATOMIC; krealloc keeps content; ksize" },
	[J_SLAB_SHRINK] = { .name = "slab-shrink", .default_weight = 2, .op = slab_shrink_op,
		.setup = slab_shrink_setup, .release = slab_jobs_release, .teardown = slab_shrink_teardown,
		.what = "kmem_cache_shrink() and the periodic reap racing with allocations on other CPUs" },
	[J_RCU_FREE] = { .name = "rcu-free", .default_weight = 3, .op = rcu_free_op,
		.setup = rcu_free_setup, .teardown = rcu_free_teardown,
		.what = "SLAB_TYPESAFE_BY_RCU lookups racing with frees and reuse; kfree_rcu()/call_rcu() under readers" },
	[J_MEMPOOL_STARVE] = { .name = "mempool-starve", .default_weight = 3, .op = mempool_starve_op,
		.setup = mempool_starve_setup, .release = mempool_jobs_release,
		.teardown = mempool_starve_teardown,
		.what = "kmalloc/slab/page/custom pools whose backing fails under a rising and falling pressure: GFP_KERNEL sleeps until a free on another CPU (never NULL), GFP_ATOMIC/GFP_NOWAIT in atomic contexts, 5*HZ timeouts" },
	[J_MEMPOOL_RESIZE] = { .name = "mempool-resize", .default_weight = 2, .op = mempool_resize_op,
		.setup = mempool_resize_setup, .release = mempool_jobs_release,
		.teardown = mempool_resize_teardown,
		.what = "mempool_resize() up and down racing with mempool_alloc()/mempool_free() on other CPUs; min_nr/curr_nr invariants, no element lost" },
};
const unsigned int nr_jobs = ARRAY_SIZE(jobs);
BUILD_BUG_ON(ARRAY_SIZE(jobs) != NR_JOB_IDS || NR_JOB_IDS > MAX_JOBS);

int job_index(const char *name)
{
	for (unsigned int j = 0; j < nr_jobs; j++)
		if (!strcmp(jobs[j].name, name))
			return (int)j;
	return -1;
}
