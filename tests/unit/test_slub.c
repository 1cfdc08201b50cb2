// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_slub.c - the SLUB core against Linux v4.19 mm/slub.c
 * (slab=slub): the order and layout tables, the lockless fast paths and
 * their tid retry, remote frees to frozen and non-frozen slabs, the
 * per-CPU and node partial limits (cpu_partial, min_partial), kmalloc and
 * kmalloc_large, ksize, shrink, SLAB_TYPESAFE_BY_RCU, CPU offline.  (Misuse
 * and the 16-CPU race: test_slub_race.c.)
 *
 * The expected numbers come from the v4.19 formulas (calculate_order(),
 * slab_order(), set_min_partial(), set_cpu_partial(), put_cpu_partial(),
 * __slab_free()); the comments show the arithmetic.
 */
#include "../testutil.h"
#include "../../mm/slub_core.h"

#include <stdatomic.h>

#define BOOT2	"slab=slub slab_nomerge mem=64M nodes=1 cpus=2"
#define BOOT4	"slab=slub slab_nomerge mem=64M nodes=1 cpus=4"

static struct kmem_cache_cpu *cpu_of(struct kmem_cache *s, unsigned int cpu)
{
	return &s->cpu_slab[cpu];
}

static struct page *page_of(const void *obj)
{
	struct page *page = slab_head_page(virt_to_page(obj));

	assert_non_null(page);
	return page;
}

static union slub_counters cnt_of(struct page *page)
{
	union slub_counters c = { .counters = page_counters(page) };

	return c;
}

static unsigned long stat_sum(struct kmem_cache *s, enum stat_item si)
{
	unsigned long sum = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		sum += READ_ONCE(s->cpu_slab[cpu].stat[si]);
	return sum;
}

static unsigned long nr_slabs_of(struct kmem_cache *s)
{
	return __atomic_load_n(&s->node[0]->nr_slabs, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- layout */

/*
 * cpus=4: min_objects = 4 * (fls(4) + 1) = 16, slub_max_order 3.
 * slab_order() starts at get_order(16 * size) and takes the first order
 * whose leftover is <= 1/16 of the slab.
 */
static void test_order_table(void **state)
{
	static const struct {
		unsigned int size, order, objects, min_partial, cpu_partial;
	} t[] = {
		{ 8, 0, 512, 5, 30 },	/* get_order(128) = 0, 4096 % 8 = 0 */
		{ 96, 0, 42, 5, 30 },	/* get_order(1536) = 0, 4096 % 96 = 64 <= 256 */
		{ 192, 0, 21, 5, 30 },	/* get_order(3072) = 0, 4096 % 192 = 64 */
		{ 256, 0, 16, 5, 13 },	/* get_order(4096) = 0 */
		{ 512, 1, 16, 5, 13 },	/* get_order(8192) = 1 */
		{ 1024, 2, 16, 5, 6 },	/* get_order(16384) = 2 */
		{ 2048, 3, 16, 5, 6 },	/* get_order(32768) = 3 */
		{ 4096, 3, 8, 6, 2 },	/* min_objects capped at 32768/4096 = 8;
					   ilog2(4096) / 2 = 6 */
		{ 8192, 3, 4, 6, 2 },	/* capped at 4; ilog2(8192) / 2 = 6 */
	};
	static const struct { unsigned int size; int order; } odd[] = {
		{ 300, 1 },	/* get_order(4800) = 1: 8192 % 300 = 92 <= 512 */
		{ 700, 2 },	/* get_order(11200) = 2: 16384 % 700 = 284 <= 1024 */
		{ 1500, 3 },	/* 32768 % 1500 = 1268 <= 2048 */
		{ 3000, 3 },	/* min_objects 10: 2768 > 2048, <= 4096 (fract 8) */
		{ 5000, 3 },	/* min_objects 6: 2768 <= 4096 */
	};
	char name[32];

	(void)state;
	boot_attach(BOOT4);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct kmem_cache *s;

		snprintf(name, sizeof(name), "ord-%u", t[i].size);
		s = kmem_cache_create(name, t[i].size, 0, 0, NULL);
		assert_non_null(s);
		EXPECT_EQ(name, s->size, t[i].size);
		EXPECT_EQ(name, oo_order(s->oo), t[i].order);
		EXPECT_EQ(name, oo_objects(s->oo), t[i].objects);
		EXPECT_EQ(name, s->min_partial, t[i].min_partial);
		EXPECT_EQ(name, s->cpu_partial, t[i].cpu_partial);
		EXPECT_EQ(name, s->offset, 0);
		EXPECT_EQ(name, !!(s->allocflags & __GFP_COMP), t[i].order > 0);
		kmem_cache_destroy(s);
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		EXPECT_EQ("odd size", slub_calculate_order(odd[i].size), odd[i].order);
	check_shutdown();
}

/* The free pointer leaves the object for a constructor or RCU (offset =
 * inuse); the tid of each CPU starts at its number. */
static void ctor_nop(void *p)
{
	(void)p;
}

static void test_layout_offset_and_tid(void **state)
{
	struct kmem_cache *s;

	(void)state;
	boot_attach(BOOT4);
	s = kmem_cache_create("lay-ctor", 20, 0, 0, ctor_nop);
	assert_non_null(s);
	assert_int_equal(s->inuse, 24);		/* ALIGN(20, 8) */
	assert_int_equal(s->offset, 24);
	assert_int_equal(s->size, 32);		/* + the pointer */
	for (unsigned int cpu = 0; cpu < 4; cpu++)
		assert_int_equal(cpu_of(s, cpu)->tid, cpu);
	assert_int_equal(slub_tid_step, 4);
	kmem_cache_destroy(s);
	s = kmem_cache_create("lay-rcu", 64, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_non_null(s);
	assert_int_equal(s->offset, 64);
	assert_int_equal(s->size, 72);
	kmem_cache_destroy(s);
	check_shutdown();
}

/* --------------------------------------------------------- fast paths */

static void test_fastpath_hit(void **state)
{
	struct kmem_cache *s;
	struct kmem_cache_cpu *c;
	unsigned long tid;
	char *a, *b;

	(void)state;
	boot_attach(BOOT2);
	s = kmem_cache_create("fast-64", 64, 0, 0, NULL);
	assert_non_null(s);
	c = cpu_of(s, 0);
	a = kmem_cache_alloc(s, GFP_KERNEL);	/* a new slab: slow path */
	assert_non_null(a);
	assert_int_equal(stat_sum(s, ALLOC_SLOWPATH), 1);
	assert_int_equal(stat_sum(s, ALLOC_SLAB), 1);
	assert_ptr_equal(c->page, page_of(a));
	assert_true(cnt_of(c->page).frozen);
	tid = c->tid;
	b = kmem_cache_alloc(s, GFP_KERNEL);	/* the next one, lockless */
	assert_ptr_equal(b, a + 64);		/* freelist in address order */
	assert_int_equal(stat_sum(s, ALLOC_FASTPATH), 1);
	assert_int_equal(c->tid, tid + slub_tid_step);
	kmem_cache_free(s, b);			/* page == c->page: fast */
	assert_int_equal(stat_sum(s, FREE_FASTPATH), 1);
	assert_ptr_equal(c->freelist, b);
	assert_int_equal(c->tid, tid + 2 * slub_tid_step);
	assert_ptr_equal(kmem_cache_alloc(s, GFP_KERNEL), b);	/* LIFO */
	kmem_cache_free(s, b);
	kmem_cache_free(s, a);
	assert_mm_check_ok();
	kmem_cache_destroy(s);
	check_shutdown();
}

/*
 * The tid retry: the hook runs between the fast path's reads and its
 * exchange, as an interrupt would, and allocates (or frees) on the same
 * CPU: the exchange must fail once and the retry succeed.
 */
static struct kmem_cache *hook_cache;
static void *hook_obj;
static int hook_calls, hook_busy, hook_mode;

static void retry_hook(struct kmem_cache *s, int alloc)
{
	(void)alloc;
	if (s != hook_cache || hook_busy)
		return;
	if (hook_calls++)
		return;			/* only the first time: the retry runs clean */
	hook_busy = 1;
	if (hook_mode == 0) {
		hook_obj = kmem_cache_alloc(s, GFP_ATOMIC);
	} else if (hook_mode == 1) {
		kmem_cache_free(s, hook_obj);
	} else {
		/* ABA: the head object goes and comes back, its next is gone */
		void *a = kmem_cache_alloc(s, GFP_ATOMIC);

		hook_obj = kmem_cache_alloc(s, GFP_ATOMIC);
		kmem_cache_free(s, a);
	}
	hook_busy = 0;
}

static void test_tid_retry(void **state)
{
	struct kmem_cache *s;
	struct kmem_cache_cpu *c;
	void *warm, *x, *y, *z;
	unsigned long tid;

	(void)state;
	boot_attach(BOOT2);
	s = kmem_cache_create("retry-32", 32, 0, 0, NULL);
	assert_non_null(s);
	c = cpu_of(s, 0);
	warm = kmem_cache_alloc(s, GFP_KERNEL);
	hook_cache = s;
	hook_mode = 0;
	hook_calls = 0;
	slub_fastpath_hook = retry_hook;
	tid = c->tid;
	x = kmem_cache_alloc(s, GFP_KERNEL);
	slub_fastpath_hook = NULL;
	assert_int_equal(hook_calls, 2);	/* the failed try and the retry */
	assert_int_equal(stat_sum(s, CMPXCHG_DOUBLE_CPU_FAIL), 1);
	assert_non_null(hook_obj);
	assert_ptr_not_equal(x, hook_obj);	/* the "interrupt" took the first */
	assert_ptr_equal(hook_obj, (char *)warm + 32);
	assert_ptr_equal(x, (char *)warm + 64);
	assert_int_equal(c->tid, tid + 2 * slub_tid_step);

	/* the same on the free path: the interrupt frees hook_obj */
	y = kmem_cache_alloc(s, GFP_KERNEL);
	hook_mode = 1;
	hook_calls = 0;
	slub_fastpath_hook = retry_hook;
	kmem_cache_free(s, y);
	slub_fastpath_hook = NULL;
	assert_int_equal(hook_calls, 2);
	assert_int_equal(stat_sum(s, CMPXCHG_DOUBLE_CPU_FAIL), 2);
	assert_ptr_equal(c->freelist, y);			/* y on top */
	assert_ptr_equal(get_freepointer(s, y), hook_obj);	/* then hook's */

	/* ABA on the head: only the tid tells the exchange the freelist
	 * changed under it; without it, z would be hook_obj, handed out twice */
	z = kmem_cache_alloc(s, GFP_KERNEL);	/* y: the head now */
	assert_ptr_equal(z, y);
	hook_mode = 2;
	hook_calls = 0;
	slub_fastpath_hook = retry_hook;
	z = kmem_cache_alloc(s, GFP_KERNEL);
	slub_fastpath_hook = NULL;
	assert_int_equal(hook_calls, 2);
	assert_int_equal(stat_sum(s, CMPXCHG_DOUBLE_CPU_FAIL), 3);
	assert_ptr_not_equal(z, hook_obj);
	assert_ptr_not_equal(z, y);
	kmem_cache_free(s, z);
	kmem_cache_free(s, hook_obj);
	kmem_cache_free(s, y);
	kmem_cache_free(s, x);
	kmem_cache_free(s, warm);
	assert_mm_check_ok();
	kmem_cache_destroy(s);
	check_shutdown();
}

/*
 * kmem_cache_alloc_node(): a CPU slab of another node is deactivated
 * (ALLOC_NODE_MISMATCH) and one of the wanted node taken; NUMA_NO_NODE
 * then keeps using that CPU slab, whatever its node (v4.19 node_match()).
 */
static void test_alloc_node(void **state)
{
	struct kmem_cache *s;
	void *a, *b, *c;

	(void)state;
	boot_attach("slab=slub slab_nomerge mem=128M nodes=2 cpus=2");
	s = kmem_cache_create("node-64", 64, 0, 0, NULL);
	assert_non_null(s);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(page_to_nid(page_of(a)), 0);
	b = kmem_cache_alloc_node(s, GFP_KERNEL, 1);
	assert_non_null(b);
	assert_int_equal(page_to_nid(page_of(b)), 1);
	assert_int_equal(stat_sum(s, ALLOC_NODE_MISMATCH), 1);
	assert_int_equal(s->node[0]->nr_partial, 1);	/* a's slab, unfrozen */
	assert_false(cnt_of(page_of(a)).frozen);
	c = kmem_cache_alloc(s, GFP_KERNEL);		/* the node-1 CPU slab */
	assert_ptr_equal(page_of(c), page_of(b));
	assert_mm_check_ok();
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	kmem_cache_free(s, c);
	kmem_cache_destroy(s);
	check_shutdown();
}

/* ------------------------------------------------------- remote frees */

struct remote_arg {
	struct kmem_cache *s;
	void *objs[8];
	unsigned int n;
};

static void remote_free_job(struct cpu_job *job)
{
	struct remote_arg *a = job->arg;

	for (unsigned int i = 0; i < a->n; i++)
		kmem_cache_free(a->s, a->objs[i]);
}

static void free_on_cpu1(struct kmem_cache *s, void *obj)
{
	struct remote_arg a = { .s = s, .objs = { obj }, .n = 1 };
	struct cpu_job job;

	cpu_job_start(&job, 1, remote_free_job, &a);
	cpu_job_join(&job);
}

/* cpus=2, size 128: min_objects 12, get_order(1536) = 0: 32 a slab. */
static void test_remote_free_frozen(void **state)
{
	struct kmem_cache *s;
	struct page *page;
	void *a, *b;

	(void)state;
	boot_attach(BOOT2);
	s = kmem_cache_create("rf-128", 128, 0, 0, NULL);
	assert_non_null(s);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	page = page_of(a);
	assert_ptr_equal(cpu_of(s, 0)->page, page);
	assert_int_equal(cnt_of(page).inuse, 32);	/* all the CPU's */
	free_on_cpu1(s, a);				/* CPU 0's frozen slab */
	assert_int_equal(stat_sum(s, FREE_FROZEN), 1);
	assert_ptr_equal(page_freelist(page), a);	/* just pushed */
	assert_int_equal(cnt_of(page).inuse, 31);
	assert_true(cnt_of(page).frozen);
	assert_ptr_equal(cpu_of(s, 0)->page, page);	/* still CPU 0's */
	assert_null(cpu_of(s, 1)->page);
	assert_mm_check_ok();
	kmem_cache_free(s, b);
	kmem_cache_destroy(s);
	check_shutdown();
}

/* A full slab on no list gets a remote free: frozen onto the freeing
 * CPU's partial list; later, unfrozen on the node list, a free that
 * neither empties nor fills it takes no lock and changes no list. */
static void test_remote_free_unfrozen(void **state)
{
	struct kmem_cache *s;
	void *objs[33];
	struct page *page;

	(void)state;
	boot_attach(BOOT2);
	s = kmem_cache_create("rf2-128", 128, 0, 0, NULL);
	assert_non_null(s);
	for (int i = 0; i < 33; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	page = page_of(objs[0]);
	assert_ptr_not_equal(cpu_of(s, 0)->page, page);	/* dropped full */
	assert_int_equal(stat_sum(s, DEACTIVATE_BYPASS), 1);
	assert_false(cnt_of(page).frozen);
	assert_int_equal(cnt_of(page).inuse, 32);
	free_on_cpu1(s, objs[0]);
	assert_int_equal(stat_sum(s, CPU_PARTIAL_FREE), 1);
	/* CPU 1 went offline at the end of its job: its partials went to
	 * the node (unfreeze_partials) */
	assert_null(cpu_of(s, 1)->partial);
	assert_false(cnt_of(page).frozen);
	assert_int_equal(s->node[0]->nr_partial, 1);
	kmem_cache_free(s, objs[1]);		/* CPU 0, not its slab: slow */
	assert_int_equal(cnt_of(page).inuse, 30);
	assert_int_equal(s->node[0]->nr_partial, 1);
	assert_ptr_equal(page_freelist(page), objs[1]);
	assert_mm_check_ok();
	for (int i = 2; i < 33; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
	check_shutdown();
}

/* ---------------------------------------------------- partial limits */

/*
 * cpus=2, size 1024: order 2, 16 objects, cpu_partial 6, min_partial 5.
 * Nine slabs: eight full ones dropped by CPU 0, the ninth its CPU slab.
 * One free into each full slab freezes it onto CPU 0's partials with one
 * free object: pobjects 1..7; the eighth add sees 7 > 6 and drains the
 * seven to the node first.  Then emptying node partial slabs: freed while
 * nr_partial >= 5, kept (empty) once it is below.
 */
static void test_partial_limits(void **state)
{
	enum { PER = 16, SLABS = 9 };
	struct kmem_cache *s;
	struct kmem_cache_cpu *c;
	struct kmem_cache_node *n;
	void *objs[SLABS][PER];

	(void)state;
	boot_attach(BOOT2);
	s = kmem_cache_create("pl-1024", 1024, 0, 0, NULL);
	assert_non_null(s);
	assert_int_equal(oo_objects(s->oo), PER);
	assert_int_equal(s->cpu_partial, 6);
	assert_int_equal(s->min_partial, 5);
	c = cpu_of(s, 0);
	n = s->node[0];
	for (int i = 0; i < SLABS; i++)
		for (int j = 0; j < PER; j++) {
			objs[i][j] = kmem_cache_alloc(s, GFP_KERNEL);
			assert_non_null(objs[i][j]);
			assert_ptr_equal(page_of(objs[i][j]), page_of(objs[i][0]));
		}
	for (int i = 0; i < 7; i++) {
		kmem_cache_free(s, objs[i][0]);
		assert_ptr_equal(c->partial, page_of(objs[i][0]));
		assert_int_equal(c->partial->pages, i + 1);
		assert_int_equal(c->partial->pobjects, i + 1);
	}
	assert_int_equal(stat_sum(s, CPU_PARTIAL_DRAIN), 0);
	assert_int_equal(n->nr_partial, 0);
	kmem_cache_free(s, objs[7][0]);		/* 7 > 6: drain, then add */
	assert_int_equal(stat_sum(s, CPU_PARTIAL_DRAIN), 1);
	assert_int_equal(n->nr_partial, 7);
	assert_ptr_equal(c->partial, page_of(objs[7][0]));
	assert_int_equal(c->partial->pages, 1);
	assert_int_equal(c->partial->pobjects, 1);
	assert_mm_check_ok();

	/* empty node partial slabs 0, 1, 2: nr_partial 7, 6, 5 >= 5: freed */
	for (int i = 0; i < 3; i++) {
		for (int j = 1; j < PER; j++)
			kmem_cache_free(s, objs[i][j]);
		assert_int_equal(n->nr_partial, 6 - i);
	}
	assert_int_equal(nr_slabs_of(s), SLABS - 3);
	/* slab 3 empties with nr_partial 4 < 5: kept, empty, on the list */
	for (int j = 1; j < PER; j++)
		kmem_cache_free(s, objs[3][j]);
	assert_int_equal(n->nr_partial, 4);
	assert_int_equal(nr_slabs_of(s), SLABS - 3);
	assert_int_equal(cnt_of(page_of(objs[3][0])).inuse, 0);
	assert_mm_check_ok();

	/* shrink frees the empty one even below min_partial */
	for (int i = 4; i < SLABS; i++)
		for (int j = i == 8 ? 0 : 1; j < PER; j++)
			if (i != 7 || j)
				kmem_cache_free(s, objs[i][j]);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(nr_slabs_of(s), 0);
	assert_int_equal(s->nr_pages, 0);
	kmem_cache_destroy(s);
	check_shutdown();
}

/* ---------------------------------------------------------- kmalloc */

static void test_kmalloc_classes(void **state)
{
	static const struct { size_t size; unsigned int cls; } t[] = {
		{ 1, 8 }, { 8, 8 }, { 9, 16 }, { 17, 32 }, { 33, 64 }, { 65, 96 },
		{ 97, 128 }, { 129, 192 }, { 193, 256 }, { 257, 512 }, { 1000, 1024 },
		{ 2048, 2048 }, { 4097, 8192 }, { 8192, 8192 },
	};
	char name[32];

	(void)state;
	boot_attach(BOOT2);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		void *p = kmalloc(t[i].size, GFP_KERNEL);
		struct kmem_cache *s;

		assert_non_null(p);
		s = page_of(p)->slab_cache;
		snprintf(name, sizeof(name), "kmalloc-%u", t[i].cls);
		assert_string_equal(s->name, name);
		EXPECT_EQ(name, s->size, t[i].cls);
		EXPECT_EQ(name, s->align, 8);
		EXPECT_EQ(name, s->flags & ~SLAB_KMALLOC, 0);
		EXPECT_EQ(name, ksize(p), t[i].cls);
		memset(p, 0x5a, t[i].size);
		kfree(p);
	}
	check_shutdown();
}

static void test_kmalloc_large(void **state)
{
	struct page *page;
	long before;
	char *p;

	(void)state;
	boot_attach(BOOT2);
	before = allocated_pages();
	p = kmalloc(8193, GFP_KERNEL);		/* get_order(8193) = 2 */
	assert_non_null(p);
	page = virt_to_page(p);
	assert_false(PageSlab(page));
	assert_true(PageHead(page));
	assert_int_equal(page->alloc_order, 2);
	assert_int_equal(ksize(p), 16384);
	assert_int_equal(allocated_pages(), before + 4);
	memset(p, 1, 16384);
	kfree(p);
	assert_int_equal(allocated_pages(), before);
	p = kmalloc(100000, GFP_KERNEL);	/* order 5 */
	assert_non_null(p);
	assert_int_equal(ksize(p), 131072);
	kfree(p);
	check_shutdown();
}

/* ----------------------------------------------------- shrink, RCU */

static void test_shrink(void **state)
{
	struct kmem_cache *s;
	void *objs[100];

	(void)state;
	boot_attach(BOOT2);
	s = kmem_cache_create("shr-256", 256, 0, 0, NULL);	/* 16 a slab */
	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(nr_slabs_of(s), 7);
	for (int i = 1; i < 100; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(kmem_cache_shrink(s), 1);	/* objs[0]'s slab stays */
	assert_int_equal(nr_slabs_of(s), 1);
	assert_int_equal(s->node[0]->nr_partial, 1);
	assert_null(cpu_of(s, 0)->page);		/* flushed */
	kmem_cache_free(s, objs[0]);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(nr_slabs_of(s), 0);
	kmem_cache_destroy(s);
	check_shutdown();
}

static void test_typesafe_by_rcu(void **state)
{
	struct kmem_cache *s;
	unsigned long pages;
	char *x, *y;

	(void)state;
	boot_attach(BOOT2);
	s = kmem_cache_create("rcu-64", 64, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_non_null(s);
	x = kmem_cache_alloc(s, GFP_KERNEL);
	memset(x, 0x77, 64);
	kmem_cache_free(s, x);
	for (int i = 0; i < 64; i++)		/* bytes kept for readers */
		assert_int_equal((unsigned char)x[i], 0x77);
	y = kmem_cache_alloc(s, GFP_KERNEL);	/* reused at once */
	assert_ptr_equal(x, y);
	kmem_cache_free(s, y);
	pages = s->nr_pages;
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(nr_slabs_of(s), 0);
	assert_int_equal(s->nr_pages, pages);	/* held for a grace period */
	assert_int_equal(s->rcu_slabs, 1);
	assert_mm_check_ok();
	rcu_barrier();
	assert_int_equal(s->nr_pages, 0);
	assert_int_equal(s->rcu_slabs, 0);
	kmem_cache_destroy(s);
	check_shutdown();
}

/* A CPU going offline gives its slab and partials back. */
static void alloc_job(struct cpu_job *job)
{
	struct remote_arg *a = job->arg;

	for (unsigned int i = 0; i < a->n; i++)
		a->objs[i] = kmem_cache_alloc(a->s, GFP_KERNEL);
}

static void test_cpu_offline_flushes(void **state)
{
	struct remote_arg a = { .n = 3 };
	struct cpu_job job;
	struct page *page;

	(void)state;
	boot_attach(BOOT2);
	a.s = kmem_cache_create("off-64", 64, 0, 0, NULL);
	cpu_job_start(&job, 1, alloc_job, &a);
	cpu_job_join(&job);
	page = page_of(a.objs[0]);
	assert_null(cpu_of(a.s, 1)->page);
	assert_null(cpu_of(a.s, 1)->freelist);
	assert_false(cnt_of(page).frozen);
	assert_int_equal(cnt_of(page).inuse, 3);
	assert_int_equal(a.s->node[0]->nr_partial, 1);
	assert_mm_check_ok();
	for (unsigned int i = 0; i < a.n; i++)
		kmem_cache_free(a.s, a.objs[i]);
	kmem_cache_destroy(a.s);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_order_table),
		TEST(test_layout_offset_and_tid),
		TEST(test_fastpath_hit),
		TEST(test_tid_retry),
		TEST(test_alloc_node),
		TEST(test_remote_free_frozen),
		TEST(test_remote_free_unfrozen),
		TEST(test_partial_limits),
		TEST(test_kmalloc_classes),
		TEST(test_kmalloc_large),
		TEST(test_shrink),
		TEST(test_typesafe_by_rcu),
		TEST(test_cpu_offline_flushes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
