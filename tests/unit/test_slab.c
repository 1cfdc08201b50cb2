// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_slab.c - the SLAB allocator against Linux v4.19 mm/slab.c:
 * slab layout (objects per slab, order, on-slab / off-slab / OBJFREELIST),
 * colouring, constructors, the per-CPU arrays (refill, flush, LIFO,
 * tunables), free_limit, shrink and reap, destroy, creation errors,
 * SLAB_TYPESAFE_BY_RCU and kfree_rcu, frees through the alien caches, and
 * /proc/slabinfo.  (Cross-node traffic on 16 CPUs:
 * tests/stress/stress_slab.c.)
 *
 * Every expected number below was computed by hand from the v4.19 formulas
 * (cache_estimate(), calculate_slab_order(), set_objfreelist_slab_cache(),
 * set_off_slab_cache(), enable_cpucache(), cache_alloc_refill(),
 * cache_flusharray(), free_block(), drain_array()); the comments show the
 * arithmetic.  freelist_idx_t is 1 byte (FREELIST_BYTE_INDEX: PAGE_SIZE >> 8 <=
 * SLAB_OBJ_MIN_SIZE 16), slab_max_order is 1 (RAM > 32 MiB).
 */
#include "../testutil.h"
#include "../../mm/slab.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#define BOOT_UP		"mem=64M nodes=1 cpus=1"
#define BOOT_SMP	"mem=64M nodes=1 cpus=2"
#define BOOT_NUMA	"mem=128M nodes=2 cpus=4"

static struct kmem_cache_node *node_of(struct kmem_cache *c, int nid)
{
	struct kmem_cache_node *n = get_node(c, nid);

	assert_non_null(n);
	return n;
}

static struct array_cache *ac_of(struct kmem_cache *c, unsigned int cpu)
{
	struct array_cache *ac = c->cpu_cache[cpu];

	assert_non_null(ac);
	return ac;
}

/* The slab of obj (SLOB: the heap page, order 0, PG_slab as in v4.19) */
static struct page *slab_page(const void *obj)
{
	struct page *page = TEST_SLOB ? virt_to_page(obj) : virt_to_slab(obj);

	assert_non_null(page);
	assert_true(PageSlab(page));
	return page;
}

static atomic_ulong ctor_calls;

static void count_ctor(void *obj)
{
	(void)obj;
	atomic_fetch_add_explicit(&ctor_calls, 1, memory_order_relaxed);
}

static unsigned long ctors(void)
{
	return atomic_load_explicit(&ctor_calls, memory_order_relaxed);
}

/* ---------------------------------------------------------------- layout */

enum layout_kind { ON_SLAB, OFF_SLAB_K, OBJFREELIST };

struct layout {
	const char *name;
	unsigned int size, align;
	slab_flags_t flags;
	int ctor;
	/* expected */
	unsigned int e_size, e_align, e_num, e_order, e_left;
	enum layout_kind kind;
	const char *freelist_cache;	/* OFF_SLAB: kmalloc_slab(num * 2) */
};

#define HW	SLAB_HWCACHE_ALIGN
static const struct layout layouts[] = {
	/* no ctor: OBJFREELIST when num <= object_size.  104: 4096/104 = 39 r 40 */
	{ "lay-100", 100, 0, 0, 0, 104, 8, 39, 0, 40, OBJFREELIST, NULL },
	/* ctor: an off-slab freelist of 39, 78, 157 bytes would be kmalloc-64,
	 * -96 (128), -192, all > 100/2, and 315 > 255 objects: none.  On-slab:
	 * 4096/(104+1) = 39 r 1 */
	{ "lay-100c", 100, 0, 0, 1, 104, 8, 39, 0, 1, ON_SLAB, NULL },
	/* HWCACHE_ALIGN 64 (200 > 32), size 256: off-slab 16 r 0, freelist 16
	 * bytes in kmalloc-32 (<= 200/2), left 0 < 16 -> stays off-slab */
	{ "lay-200hc", 200, 0, HW, 1, 256, 64, 16, 0, 0, OFF_SLAB_K, "kmalloc-32" },
	/* size 320: off-slab 12 r 256 >= 12 -> on-slab 4096/321 = 12 r 244 */
	{ "lay-300hc", 300, 0, HW, 1, 320, 64, 12, 0, 244, ON_SLAB, NULL },
	/* order 0: 5 r 576, 576*8 > 4096 -> order 1 (slab_max_order): 11 r 448 */
	{ "lay-700", 700, 0, 0, 0, 704, 8, 11, 1, 448, OBJFREELIST, NULL },
	/* order 0: 1 r 1096 too wasteful -> order 1: 2 r 2192 */
	{ "lay-3000", 3000, 0, 0, 0, 3000, 8, 2, 1, 2192, OBJFREELIST, NULL },
	/* SLAB_RECLAIM_ACCOUNT takes the first fit: order 0, 1 r 1096 */
	{ "lay-3000r", 3000, 0, SLAB_RECLAIM_ACCOUNT, 0, 3000, 8, 1, 0, 1096, OBJFREELIST, NULL },
	/* tiny: objects of SLAB_OBJ_MIN_SIZE (16); 256 > 255 objects per page
	 * for OBJFREELIST and off-slab: on-slab 4096/17 = 240 r 16 */
	{ "lay-8", 8, 0, 0, 0, 16, 8, 240, 0, 16, ON_SLAB, NULL },
	/* HWCACHE_ALIGN halves 64 -> 32 (24 <= 32, 24 > 16): OBJFREELIST needs
	 * 128 <= 24, off-slab kmalloc-128 > 24/2: on-slab 4096/33 = 124 r 4 */
	{ "lay-24h", 24, 0, HW, 0, 32, 32, 124, 0, 4, ON_SLAB, NULL },
	/* 64 -> 32 -> 16 (10 <= 16, 10 > 8): 4096/17 = 240 r 16 */
	{ "lay-10h", 10, 0, HW, 0, 16, 16, 240, 0, 16, ON_SLAB, NULL },
	/* caller's align 32: size ALIGN(40, 32) = 64, 4096/65 = 63 r 1 */
	{ "lay-40a32", 40, 32, 0, 0, 64, 32, 63, 0, 1, ON_SLAB, NULL },
	/* one object per page, freelist of 1 byte in kmalloc-32: off-slab */
	{ "lay-4096c", 4096, 0, 0, 1, 4096, 8, 1, 0, 0, OFF_SLAB_K, "kmalloc-32" },
	/* order 1: off-slab leaves 3192 >= 1 -> on-slab 8192/5001 = 1 r 3191 */
	{ "lay-5000c", 5000, 0, 0, 1, 5000, 8, 1, 1, 3191, ON_SLAB, NULL },
	/* size 1024, 4 r 0, freelist 4 bytes in kmalloc-32: off-slab */
	{ "lay-1000hc", 1000, 0, HW, 1, 1024, 64, 4, 0, 0, OFF_SLAB_K, "kmalloc-32" },
	/* TYPESAFE_BY_RCU never uses OBJFREELIST: off-slab leaves 96 >= 20 ->
	 * on-slab 4096/201 = 20 r 76 */
	{ "lay-200rcu", 200, 0, SLAB_TYPESAFE_BY_RCU, 0, 200, 8, 20, 0, 76, ON_SLAB, NULL },
};

static void check_layout(const struct layout *l)
{
	slab_flags_t kind_flag = l->kind == OBJFREELIST ? CFLGS_OBJFREELIST_SLAB :
				 l->kind == OFF_SLAB_K ? CFLGS_OFF_SLAB : 0;
	unsigned long calls0 = ctors();
	struct kmem_cache *c;
	struct page *page;
	size_t left = 999999;
	char *obj, *base;
	long pages0;

	c = kmem_cache_create(l->name, l->size, l->align, l->flags,
			      l->ctor ? count_ctor : NULL);
	if (!c)
		fail_msg("%s: kmem_cache_create failed", l->name);
	EXPECT_EQ(l->name, c->object_size, l->size);
	EXPECT_EQ(l->name, kmem_cache_size(c), l->size);
	EXPECT_EQ(l->name, c->size, l->e_size);
	EXPECT_EQ(l->name, c->align, l->e_align);
	EXPECT_EQ(l->name, c->num, l->e_num);
	EXPECT_EQ(l->name, c->gfporder, l->e_order);
	EXPECT_EQ(l->name, c->flags & (CFLGS_OBJFREELIST_SLAB | CFLGS_OFF_SLAB), kind_flag);
	EXPECT_EQ(l->name, c->colour_off, l->e_align > 64 ? l->e_align : 64);
	EXPECT_EQ(l->name, c->colour, l->e_left / (l->e_align > 64 ? l->e_align : 64));
	EXPECT_EQ(l->name, c->freelist_size, l->e_num * sizeof(freelist_idx_t));
	EXPECT_EQ(l->name, cache_estimate(l->e_order, l->e_size, kind_flag, &left), l->e_num);
	EXPECT_EQ(l->name, left, l->e_left);
	if (l->kind == OFF_SLAB_K) {
		assert_non_null(c->freelist_cache);
		assert_string_equal(kmem_cache_name(c->freelist_cache), l->freelist_cache);
	}
	assert_string_equal(kmem_cache_name(c), l->name);
	/* no slab until the first allocation */
	EXPECT_EQ(l->name, node_of(c, 0)->total_slabs, 0);
	EXPECT_EQ(l->name, ctors(), calls0);

	pages0 = allocated_pages();
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(obj);
	page = slab_page(obj);
	assert_ptr_equal(page->slab_cache, c);
	base = page_address(page);
	/* the first slab of a node has colour 1, or 0 with fewer than 2 colours
	 * (cache_grow_begin() advances colour_next before it uses it) */
	assert_ptr_equal(page->s_mem, base + (c->colour > 1 ? c->colour_off : 0));
	assert_true(obj >= base && obj < base + (PAGE_SIZE << l->e_order));
	EXPECT_EQ(l->name, (unsigned long)(obj - (char *)page->s_mem) % l->e_size, 0);
	assert_true((unsigned long)(obj - (char *)page->s_mem) < l->e_num * l->e_size);
	EXPECT_EQ(l->name, (unsigned long)obj % l->e_align, 0);
	EXPECT_EQ(l->name, node_of(c, 0)->total_slabs, 1);
	if (l->kind == ON_SLAB)
		/* the index array ends the slab */
		assert_ptr_equal(page->freelist, base + (PAGE_SIZE << l->e_order) -
				 l->e_num * sizeof(freelist_idx_t));
	if (l->kind == OFF_SLAB_K) {
		assert_true((char *)page->freelist < base ||
			    (char *)page->freelist >= base + (PAGE_SIZE << l->e_order));
		assert_ptr_equal(virt_to_cache(page->freelist), c->freelist_cache);
	} else {
		EXPECT_EQ(l->name, allocated_pages() - pages0, 1UL << l->e_order);
	}
	/* the constructor ran once for every object of the new slab */
	if (l->ctor)
		EXPECT_EQ(l->name, ctors() - calls0, l->e_num);
	kmem_cache_free(c, obj);
	assert_int_equal(kmem_cache_shrink(c), 0);
	EXPECT_EQ(l->name, node_of(c, 0)->total_slabs, 0);
	kmem_cache_destroy(c);
}

static void test_layout(void **state)
{
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab layout (cache_estimate, on-/off-slab and OBJFREELIST "
			 "freelists)");
	boot_attach(BOOT_UP);
	assert_int_equal(slab_max_order, 1);
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		check_layout(&layouts[i]);
	check_shutdown();
}

/*
 * v4.19 FREELIST_BYTE_INDEX: PAGE_SIZE >> 8 (16) <= SLAB_OBJ_MIN_SIZE (16,
 * as KMALLOC_MIN_SIZE is 32), so a freelist index is one byte, a slab holds
 * at most 255 objects, and __kmem_cache_create() makes objects at least 16
 * bytes: an 8-byte cache gets 16-byte objects, 4096/17 = 240 per page.
 */
static void test_byte_freelist_index(void **state)
{
	struct kmem_cache *c;
	char *p, *q, *base;
	struct page *page;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's one-byte freelist indices");

	if (sizeof(freelist_idx_t) != 1 || SLAB_OBJ_MAX_NUM != 255)
		fail_msg("freelist_idx_t is %zu bytes, SLAB_OBJ_MAX_NUM %d: v4.19 uses one byte "
			 "(FREELIST_BYTE_INDEX) and 255", sizeof(freelist_idx_t),
			 (int)SLAB_OBJ_MAX_NUM);
	boot_attach(BOOT_UP);
	c = kmem_cache_create("byte-idx-8", 8, 0, 0, NULL);
	assert_non_null(c);
	EXPECT_EQ("byte-idx-8", c->object_size, 8);
	EXPECT_EQ("byte-idx-8", kmem_cache_size(c), 8);
	EXPECT_EQ("byte-idx-8", c->size, 16);
	EXPECT_EQ("byte-idx-8", c->num, 240);
	EXPECT_EQ("byte-idx-8", c->gfporder, 0);
	EXPECT_EQ("byte-idx-8", c->freelist_size, 240);
	EXPECT_EQ("byte-idx-8", c->flags & (CFLGS_OBJFREELIST_SLAB | CFLGS_OFF_SLAB), 0);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	assert_non_null(q);
	page = slab_page(p);
	base = page_address(page);
	assert_ptr_equal(slab_page(q), page);
	/* 16 bytes apart, the 240-byte index array ends the page */
	EXPECT_EQ("byte-idx-8", (unsigned long)(p > q ? p - q : q - p) % 16, 0);
	assert_ptr_equal(page->freelist, base + PAGE_SIZE - 240);
	kmem_cache_free(c, p);
	kmem_cache_free(c, q);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * calculate_slab_order()'s "check if off slab has enough benefit" compares
 * the freelist's kmalloc cache with half of cachep->size, which in v4.19 is
 * still the object size then (create_cache() sets size = object_size;
 * __kmem_cache_create() stores the aligned size only once the layout is
 * chosen).  33 bytes aligned to 512 with a constructor: the off-slab
 * freelist (8 bytes, kmalloc-32) is more than 33/2 at every order, so the
 * freelist stays on the slab: 4096/513 = 7 r 505.
 */
static void test_off_slab_benefit_uses_object_size(void **state)
{
	static const struct layout l = {
		"lay-33a512c", 33, 512, 0, 1, 512, 512, 7, 0, 505, ON_SLAB, NULL
	};
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's off-slab freelist choice");

	boot_attach(BOOT_UP);
	check_layout(&l);
	check_shutdown();
}

/* RAM of 32 MiB or less: slab_max_order 0, every cache takes order 0 if it can. */
static void test_layout_small_machine(void **state)
{
	static const struct layout small[] = {
		/* 4096/704 = 5 r 576: no higher order allowed */
		{ "small-700", 700, 0, 0, 0, 704, 8, 5, 0, 576, OBJFREELIST, NULL },
		{ "small-3000", 3000, 0, 0, 0, 3000, 8, 1, 0, 1096, OBJFREELIST, NULL },
		/* order 0 cannot hold one: order 1, 8192/5001 = 1 r 3191 */
		{ "small-5000c", 5000, 0, 0, 1, 5000, 8, 1, 1, 3191, ON_SLAB, NULL },
	};
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab layout (cache_estimate, on-/off-slab and OBJFREELIST "
			 "freelists)");

	boot_attach("mem=32M nodes=1 cpus=1");
	assert_int_equal(slab_max_order, 0);
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		check_layout(&small[i]);
	check_shutdown();
}

/* ------------------------------------------------------------- colouring */

static void colour_run(const char *name, unsigned int size, slab_flags_t flags,
		       void (*ctor)(void *), unsigned int e_size, unsigned int e_num,
		       unsigned int e_order, unsigned int e_colour)
{
	unsigned int nslabs = e_colour + 2, nobj = nslabs * e_num, npages = 0;
	struct kmem_cache *c = kmem_cache_create(name, size, 0, flags, ctor);
	struct page **pages = calloc(nslabs + 1, sizeof(*pages));
	void **objs = calloc(nobj, sizeof(*objs));

	assert_non_null(c);
	EXPECT_EQ(name, c->size, e_size);
	EXPECT_EQ(name, c->num, e_num);
	EXPECT_EQ(name, c->gfporder, e_order);
	EXPECT_EQ(name, c->colour, e_colour);
	EXPECT_EQ(name, c->colour_off, 64);
	for (unsigned int i = 0; i < nobj; i++) {
		struct page *page;
		unsigned int k;

		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(objs[i]);
		page = slab_page(objs[i]);
		for (k = 0; k < npages && pages[k] != page; k++)
			;
		if (k == npages) {
			assert_true(npages < nslabs);
			pages[npages++] = page;
		}
	}
	EXPECT_EQ(name, npages, nslabs);
	EXPECT_EQ(name, node_of(c, 0)->total_slabs, nslabs);
	/* slab k starts its objects at ((k + 1) mod colour) cache lines:
	 * colour_next is advanced before it is used */
	for (unsigned int k = 0; k < nslabs; k++) {
		char *base = page_address(pages[k]);

		if ((unsigned long)((char *)pages[k]->s_mem - base) != ((k + 1) % e_colour) * 64UL)
			fail_msg("%s: slab %u has its first object at +%ld, expected +%u",
				 name, k, (long)((char *)pages[k]->s_mem - base),
				 ((k + 1) % e_colour) * 64);
	}
	EXPECT_EQ(name, node_of(c, 0)->colour_next, nslabs % e_colour);
	for (unsigned int i = 0; i < nobj; i++) {
		struct page *page = slab_page(objs[i]);
		unsigned long off = (unsigned long)((char *)objs[i] - (char *)page->s_mem);

		EXPECT_EQ(name, off % e_size, 0);
		assert_true(off < e_num * e_size);
		assert_true((char *)objs[i] + e_size <=
			    (char *)page_address(page) + (PAGE_SIZE << e_order));
	}
	for (unsigned int i = 0; i < nobj; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	free(objs);
	free(pages);
}

static void test_colouring(void **state)
{
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab colouring");
	boot_attach(BOOT_UP);
	/* on-slab, ctor, HWCACHE_ALIGN: 12 objects of 320 (+1) leave 244 -> 3 colours */
	colour_run("colour-300hc", 300, SLAB_HWCACHE_ALIGN, count_ctor, 320, 12, 0, 3);
	/* OBJFREELIST, order 1: 5 objects of 1504 leave 672 -> 10 colours */
	colour_run("colour-1500", 1500, 0, NULL, 1504, 5, 1, 10);
	/* on-slab order 1 with ctor: 7 of 1104 (+1) leave 457 -> 7 colours */
	colour_run("colour-1100c", 1100, 0, count_ctor, 1104, 7, 1, 7);
	check_shutdown();
}

/*
 * v4.19 cache_grow_begin() advances the node's colour_next first, wraps it
 * at colour, then uses it: a fresh cache's slabs on a node start at colours
 * 1, 2, ..., colour - 1, 0, 1, ...  With one colour (or none) every slab
 * starts at 0.
 */
static void test_colour_next_advances_first(void **state)
{
	static const unsigned int want[] = { 1, 2, 0, 1, 2 };
	struct kmem_cache *c, *one;
	struct kmem_cache_node *n;
	void *objs[12 * 5];
	unsigned int nobj = 0, nslabs = 0;
	struct page *page;
	void *p;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab colouring");

	boot_attach(BOOT_UP);
	/* 12 objects of 320 (+1) per page leave 244: 3 colours of 64 */
	c = kmem_cache_create("colour-first", 300, 0, SLAB_HWCACHE_ALIGN, count_ctor);
	assert_non_null(c);
	assert_int_equal(c->colour, 3);
	assert_int_equal(c->colour_off, 64);
	n = node_of(c, 0);
	assert_int_equal(n->colour_next, 0);
	while (nslabs < 5) {
		unsigned long before = n->total_slabs;
		unsigned long off;

		assert_true(nobj < sizeof(objs) / sizeof(objs[0]));
		objs[nobj] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(objs[nobj]);
		if (n->total_slabs == before) {
			nobj++;
			continue;
		}
		/* the object a grow hands out is from the new slab */
		page = slab_page(objs[nobj++]);
		off = (unsigned long)((char *)page->s_mem - (char *)page_address(page));
		if (off != want[nslabs] * 64UL)
			fail_msg("slab %u of a fresh cache starts at +%lu, expected +%u (colour %u)",
				 nslabs, off, want[nslabs] * 64, want[nslabs]);
		EXPECT_EQ("colour_next", n->colour_next, want[nslabs]);
		nslabs++;
	}
	while (nobj)
		kmem_cache_free(c, objs[--nobj]);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);

	/* one colour: 20 objects of 200 (+1) leave 76; the first slab at 0 */
	one = kmem_cache_create("colour-one", 200, 0, 0, count_ctor);
	assert_non_null(one);
	assert_int_equal(one->colour, 1);
	p = kmem_cache_alloc(one, GFP_KERNEL);
	assert_non_null(p);
	page = slab_page(p);
	assert_ptr_equal(page->s_mem, page_address(page));
	assert_int_equal(node_of(one, 0)->colour_next, 0);
	kmem_cache_free(one, p);
	assert_int_equal(kmem_cache_shrink(one), 0);
	kmem_cache_destroy(one);
	check_shutdown();
}

/* ----------------------------------------------------------- constructor */

#define CTOR_MAGIC	0xc0ffee11u

struct ctobj {
	unsigned int magic;
	unsigned int state;
	char pad[192];
};

static void init_ctobj(void *p)
{
	struct ctobj *o = p;

	o->magic = CTOR_MAGIC;
	o->state = 1;
	atomic_fetch_add_explicit(&ctor_calls, 1, memory_order_relaxed);
}

static void test_constructor(void **state)
{
	struct kmem_cache *c;
	struct ctobj *p, *q, *objs[30];
	unsigned long calls0;
	(void)state;

	/*
	 * Objects per slab (SLAB and SLUB run the constructor over a whole new
	 * slab): SLAB 20 (on-slab); SLUB 19: the free pointer moves past the
	 * object when there is a ctor (208-byte slots), and calculate_order()
	 * with 1 CPU (min_objects 8) keeps order 0, 4096 / 208 = 19.  SLOB
	 * (v4.19 slob_alloc_node()) runs it on every allocation.
	 */
	unsigned int per_slab = TEST_SLAB ? 20 : 19;

	boot_attach(BOOT_UP);
	calls0 = ctors();
	c = kmem_cache_create("ctor-200", sizeof(struct ctobj), 0, 0, init_ctobj);
	assert_non_null(c);
	if (TEST_SLAB)
		assert_int_equal(c->num, 20);
	assert_int_equal(ctors(), calls0);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	EXPECT_EQ("one allocation", ctors() - calls0, TEST_SLOB ? 1 : per_slab);
	assert_int_equal(p->magic, CTOR_MAGIC);
	assert_int_equal(p->state, 1);
	p->state = 7;
	kmem_cache_free(c, p);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(q, p);				/* LIFO (SLOB: first fit) */
	/* not constructed again, except under SLOB */
	assert_int_equal(q->state, TEST_SLOB ? 1 : 7);
	EXPECT_EQ("the same object again", ctors() - calls0, TEST_SLOB ? 2 : per_slab);
	objs[0] = q;
	for (int i = 1; i < 30; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(objs[i]);
		assert_int_equal(objs[i]->magic, CTOR_MAGIC);
	}
	/* 30 objects: two slabs (SLOB: 31 allocations) */
	if (TEST_SLAB)
		assert_int_equal(node_of(c, 0)->total_slabs, 2);
	EXPECT_EQ("30 objects", ctors() - calls0, TEST_SLOB ? 31 : 2 * per_slab);
	for (int i = 0; i < 30; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(kmem_cache_shrink(c), 0);
	EXPECT_EQ("after shrink", ctors() - calls0, TEST_SLOB ? 31 : 2 * per_slab);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_gfp_zero_with_ctor_warns(void **state)
{
	struct kmem_cache *c;
	unsigned long warns;
	const char *out;
	void *p;
	(void)state;

	boot_attach(BOOT_UP);
	c = kmem_cache_create("ctor-zero", sizeof(struct ctobj), 0, 0, init_ctobj);
	assert_non_null(c);
	warns = report_count(REPORT_WARNING);
	capture_begin();
	p = kmem_cache_alloc(c, GFP_KERNEL | __GFP_ZERO);
	out = capture_end();
	assert_contains(out, "WARNING");
	assert_int_equal(report_count(REPORT_WARNING), warns + 1);
	if (p)
		kmem_cache_free(c, p);
	assert_mm_check_ok();
	kmem_cache_destroy(c);
	check_shutdown();
}

/* --------------------------------------------------------- per-CPU array */

static void test_tunables(void **state)
{
	static const struct {
		unsigned int size, limit, batch, shared_smp;
	} t[] = {
		{ 100, 120, 60, 8 },		/* size 104 */
		{ 256, 120, 60, 8 },
		{ 257, 54, 27, 8 },		/* size 264 > 256 */
		{ 1024, 54, 27, 8 },
		{ 1025, 24, 12, 8 },		/* size 1032 > 1024 */
		{ 4096, 24, 12, 8 },
		{ 4097, 8, 4, 0 },		/* size 4104 > PAGE_SIZE: no shared */
		{ 131072, 8, 4, 0 },
		{ 131073, 1, 1, 0 },		/* size 131080 > 128 KiB */
	};
	static const char *boots[] = { BOOT_UP, BOOT_SMP };
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's per-CPU array tunables (limit, batchcount, shared)");

	for (int b = 0; b < 2; b++) {
		unsigned int ncpus = b ? 2 : 1;

		boot_attach(boots[b]);
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			struct kmem_cache *c;
			unsigned int shared = b ? t[i].shared_smp : 0;
			char name[32];

			snprintf(name, sizeof(name), "tune-%u", t[i].size);
			c = kmem_cache_create(name, t[i].size, 0, 0, NULL);
			assert_non_null(c);
			EXPECT_EQ(name, c->limit, t[i].limit);
			EXPECT_EQ(name, c->batchcount, t[i].batch);
			EXPECT_EQ(name, c->shared, shared);
			for (unsigned int cpu = 0; cpu < ncpus; cpu++) {
				EXPECT_EQ(name, ac_of(c, cpu)->limit, t[i].limit);
				EXPECT_EQ(name, ac_of(c, cpu)->batchcount, t[i].batch);
				EXPECT_EQ(name, ac_of(c, cpu)->avail, 0);
			}
			if (shared) {
				assert_non_null(node_of(c, 0)->shared);
				EXPECT_EQ(name, node_of(c, 0)->shared->limit, shared * t[i].batch);
			} else {
				assert_null(node_of(c, 0)->shared);
			}
			/* free_limit = (1 + CPUs of the node) * batchcount + num */
			EXPECT_EQ(name, node_of(c, 0)->free_limit,
				  (1 + ncpus) * t[i].batch + c->num);
			kmem_cache_destroy(c);
		}
		check_shutdown();
	}
}

/* 104-byte objects: OBJFREELIST, 39 per slab; limit 120, batch 60,
 * shared array 8 * 60 = 480 (2 CPUs) */
static struct kmem_cache *array_cache_100(void)
{
	struct kmem_cache *c = kmem_cache_create("array-100", 100, 0, 0, NULL);

	assert_non_null(c);
	assert_int_equal(c->num, 39);
	assert_int_equal(c->limit, 120);
	assert_int_equal(c->batchcount, 60);
	assert_non_null(node_of(c, 0)->shared);
	assert_int_equal(node_of(c, 0)->shared->limit, 480);
	return c;
}

static void test_array_first_refill_and_lifo(void **state)
{
	struct kmem_cache *c;
	struct array_cache *ac;
	void *p, *q, *objs[17];
	unsigned int n = 0;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's per-CPU array caches");

	boot_attach(BOOT_SMP);
	c = array_cache_100();
	ac = ac_of(c, 0);
	assert_int_equal(ac->touched, 0);

	/* an untouched empty array refills BATCHREFILL_LIMIT (16), not 60 */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ac->touched, 1);
	assert_int_equal(node_of(c, 0)->total_slabs, 1);
	if (ac->avail != 15)
		fail_msg("the first allocation on a fresh CPU left %u objects in its "
			 "array, expected BATCHREFILL_LIMIT - 1 = 15", ac->avail);
	assert_int_equal(node_of(c, 0)->free_objects, 39 - 16);

	/* LIFO */
	kmem_cache_free(c, p);
	assert_int_equal(ac->avail, 16);
	assert_ptr_equal(ac->entry[15], p);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_int_equal(ac->avail, 15);

	/* the array is empty after 16; a touched refill (batch 60) takes the
	 * 23 left on the slab and does not grow a new one */
	objs[n++] = q;
	while (n < 16)
		objs[n++] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(ac->avail, 0);
	objs[n++] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(ac->avail, 22);
	assert_int_equal(node_of(c, 0)->total_slabs, 1);
	assert_int_equal(node_of(c, 0)->free_objects, 0);
	while (n)
		kmem_cache_free(c, objs[--n]);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_array_flush_and_shared_refill(void **state)
{
	struct kmem_cache *c;
	struct array_cache *ac, *shared;
	void *p, *oldest[60];
	void **objs, **drained;
	unsigned int n = 0, nd = 0, s0;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's per-CPU and shared array caches");

	boot_attach(BOOT_SMP);
	c = array_cache_100();
	ac = ac_of(c, 0);
	shared = node_of(c, 0)->shared;
	objs = calloc(300, sizeof(*objs));
	while (n < 300) {
		objs[n] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(objs[n]);
		n++;
	}

	/* free until the array is at its limit, then one more flushes the
	 * 60 oldest entries to the shared array */
	while (ac->avail < ac->limit) {
		assert_true(n > 0);
		kmem_cache_free(c, objs[--n]);
	}
	assert_int_equal(ac->avail, 120);
	s0 = shared->avail;
	memcpy(oldest, ac->entry, sizeof(oldest));
	kmem_cache_free(c, objs[--n]);
	assert_int_equal(ac->avail, 120 - 60 + 1);
	assert_int_equal(shared->avail, s0 + 60);
	assert_memory_equal(&shared->entry[s0], oldest, sizeof(oldest));
	assert_ptr_equal(ac->entry[ac->avail - 1], objs[n]);

	/* empty the array; a touched refill takes a whole batch from the
	 * shared array (its newest 60 entries) */
	drained = calloc(ac->avail, sizeof(*drained));
	while (ac->avail)
		drained[nd++] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(nd, 61);
	assert_int_equal(ac->touched, 1);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_ptr_equal(p, oldest[59]);
	assert_int_equal(ac->avail, 59);
	assert_int_equal(shared->avail, s0);
	assert_int_equal(shared->touched, 1);
	kmem_cache_free(c, p);
	while (nd)
		kmem_cache_free(c, drained[--nd]);
	while (n)
		kmem_cache_free(c, objs[--n]);
	free(drained);
	free(objs);
	assert_mm_check_ok();
	assert_int_equal(kmem_cache_shrink(c), 0);
	assert_int_equal(node_of(c, 0)->total_slabs, 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * free_limit on one CPU (no shared array): 1000-byte objects, 4 per page,
 * limit 54, batch 27, free_limit (1+1)*27 + 4 = 58.
 * 200 allocations make 50 full slabs, the array empty.  Freeing all 200 in
 * order: frees 54, 81, 108, 135, 162, 189 each flush the 27 oldest
 * (objects 0..161 go back, 38 stay in the array).  After the flushes the
 * node holds 27, 54, 81 -> 57 (6 slabs released), 84 -> 56 (7),
 * 83 -> 55 (7), 82 -> 58 (6) free objects: 26 slabs released, 24 remain
 * (14 free, slab 40 partial with 2 free, 9 full).
 */
static void test_free_limit(void **state)
{
	struct kmem_cache *c;
	struct kmem_cache_node *n;
	void *objs[200];
	long pages0;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's node free_limit");

	boot_attach(BOOT_UP);
	c = kmem_cache_create("limit-1000", 1000, 0, 0, NULL);
	assert_non_null(c);
	assert_int_equal(c->num, 4);
	assert_int_equal(c->gfporder, 0);
	assert_int_equal(c->limit, 54);
	assert_int_equal(c->batchcount, 27);
	n = node_of(c, 0);
	assert_int_equal(n->free_limit, 58);
	assert_null(n->shared);
	pages0 = allocated_pages();
	for (int i = 0; i < 200; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	assert_int_equal(n->total_slabs, 50);
	assert_int_equal(n->free_objects, 0);
	assert_int_equal(ac_of(c, 0)->avail, 0);
	assert_int_equal(allocated_pages() - pages0, 50);
	for (int i = 0; i < 200; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(ac_of(c, 0)->avail, 38);
	assert_int_equal(n->total_slabs, 24);
	assert_int_equal(n->free_slabs, 14);
	assert_int_equal(n->free_objects, 58);
	assert_int_equal(allocated_pages() - pages0, 24);
	assert_mm_check_ok();
	assert_int_equal(kmem_cache_shrink(c), 0);
	assert_int_equal(ac_of(c, 0)->avail, 0);
	assert_int_equal(n->total_slabs, 0);
	assert_int_equal(n->free_objects, 0);
	assert_int_equal(allocated_pages() - pages0, 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/* ---------------------------------------------- shrink across CPUs, reap */

/* What a parked CPU does first: objects through its array, and gifts
 * (allocated elsewhere) freed here. */
struct slab_park {
	struct kmem_cache *cache;
	int nobj;
	void **gift;
	int ngift;
};

static void fill_array(void *arg)
{
	struct slab_park *sp = arg;
	void *objs[64];

	for (int i = 0; i < sp->nobj; i++)
		objs[i] = kmem_cache_alloc(sp->cache, GFP_KERNEL);
	for (int i = 0; i < sp->nobj; i++)
		kmem_cache_free(sp->cache, objs[i]);
	for (int i = 0; i < sp->ngift; i++)
		kmem_cache_free(sp->cache, sp->gift[i]);
}

static void test_shrink_drains_every_cpu(void **state)
{
	struct slab_park sp[4];
	struct kmem_cache *c;
	void *gift[5], *objs[10], *p;
	long pages0;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's per-CPU, shared and alien arrays");

	boot_attach(BOOT_NUMA);		/* CPUs 0-1 node 0, 2-3 node 1 */
	c = kmem_cache_create("shrink-100", 100, 0, 0, NULL);
	assert_non_null(c);
	pages0 = allocated_pages();
	for (int i = 0; i < 5; i++)
		gift[i] = kmem_cache_alloc(c, GFP_KERNEL);	/* node 0 objects */
	for (unsigned int k = 1; k < 4; k++) {
		sp[k] = (struct slab_park){ .cache = c, .nobj = 50 };
		if (k == 2) {
			sp[k].gift = gift;	/* freed on node 1: alien cache */
			sp[k].ngift = 5;
		}
		park_cpu(k, (struct park){ .park = fill_array, .arg = &sp[k] });
	}
	for (int i = 0; i < 10; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 10; i++)
		kmem_cache_free(c, objs[i]);
	for (unsigned int k = 0; k < 4; k++)
		assert_true(ac_of(c, k)->avail > 0);
	assert_non_null(node_of(c, 1)->alien);
	assert_non_null(node_of(c, 1)->alien[0]);
	assert_int_equal(node_of(c, 1)->alien[0]->ac.avail, 5);
	/* each counted as an alien free by the CPU that made it */
	for (unsigned int k = 0; k < 4; k++)
		EXPECT_EQ("alien frees", c->stats[k].alien_frees, k == 2 ? 5 : 0);
	assert_true(node_of(c, 0)->total_slabs > 0);
	assert_true(node_of(c, 1)->total_slabs > 0);

	/* every CPU's array, the shared and alien arrays: all slabs go */
	assert_int_equal(kmem_cache_shrink(c), 0);
	for (unsigned int k = 0; k < 4; k++)
		if (ac_of(c, k)->avail)
			fail_msg("CPU %u still has %u objects in its array", k,
				 ac_of(c, k)->avail);
	for (int nid = 0; nid < 2; nid++) {
		struct kmem_cache_node *n = node_of(c, nid);

		assert_int_equal(n->total_slabs, 0);
		assert_int_equal(n->free_slabs, 0);
		assert_int_equal(n->free_objects, 0);
		assert_int_equal(n->shared->avail, 0);
		assert_int_equal(n->alien[!nid]->ac.avail, 0);
	}
	assert_int_equal(allocated_pages(), pages0);
	assert_mm_check_ok();

	/* a live object keeps its slab: shrink says 1 */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(kmem_cache_shrink(c), 1);
	assert_int_equal(node_of(c, 0)->total_slabs, 1);
	assert_int_equal(node_of(c, 0)->free_objects, c->num - 1);
	assert_int_equal(node_of(c, 1)->total_slabs, 0);
	kmem_cache_free(c, p);
	assert_int_equal(kmem_cache_shrink(c), 0);
	assert_int_equal(node_of(c, 0)->total_slabs, 0);

	for (unsigned int k = 1; k < 4; k++)
		unpark_cpu(k);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_alloc_node(void **state)
{
	struct kmem_cache *c;
	void *p[2][50];
	(void)state;

	boot_attach(BOOT_NUMA);
	c = kmem_cache_create("node-100", 100, 0, 0, NULL);
	assert_non_null(c);
	for (int nid = 0; nid < 2; nid++)
		for (int i = 0; i < 50; i++) {
			p[nid][i] = kmem_cache_alloc_node(c, GFP_KERNEL, nid);
			assert_non_null(p[nid][i]);
			assert_int_equal(page_to_nid(slab_page(p[nid][i])), nid);
		}
	/* the default node is the CPU's */
	assert_int_equal(page_to_nid(slab_page(p[0][0])), numa_node_id());
	if (TEST_SLAB)
		assert_true(node_of(c, 1)->total_slabs >= 2);
	for (int nid = 0; nid < 2; nid++)
		for (int i = 0; i < 50; i++)
			kmem_cache_free(c, p[nid][i]);
	assert_mm_check_ok();
	assert_int_equal(kmem_cache_shrink(c), 0);
	if (TEST_SLAB)
		assert_int_equal(node_of(c, 0)->total_slabs + node_of(c, 1)->total_slabs, 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * Every page node nid will give through its own zones, down to the
 * watermark, so that a slab can no longer grow there (gfp_exact_node()).
 */
static void exhaust_node(struct held *h, int nid)
{
	struct page *page;

	while ((page = alloc_pages_node(nid, GFP_KERNEL | __GFP_THISNODE | __GFP_NORETRY |
					__GFP_NOWARN, 0))) {
		assert_int_equal(page_to_nid(page), nid);
		held_push(h, page, 0);
	}
	assert_true(h->nr > 0);
}

/*
 * v4.19 fallback_alloc() walks the zonelist of the local node, which starts
 * with the local node itself: kmem_cache_alloc_node() for a node that can
 * neither give an object nor grow a slab takes a free object of the local
 * node before it grows anything.  When no node has one, it grows a slab with
 * the caller's flags on the local node, adds it to the node's lists and
 * takes its object from there (so the node's free_touched is set).
 */
static void test_fallback_local_node_first(void **state)
{
	struct held h = { 0 };
	struct kmem_cache *c;
	struct kmem_cache_node *n0, *n1;
	struct page *slab0, *page;
	void *first, *p, *q[23];
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's fallback_alloc() and node free_objects");

	boot_attach("mem=128M nodes=2 cpus=2");	/* CPU 0 on node 0 */
	c = kmem_cache_create("fallback-100", 100, 0, 0, NULL);	/* 39 per slab */
	assert_non_null(c);
	n0 = node_of(c, 0);
	n1 = node_of(c, 1);
	/* a first refill takes 16 of a new node-0 slab: 23 stay on it */
	first = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(first);
	slab0 = slab_page(first);
	assert_int_equal(page_to_nid(slab0), 0);
	assert_int_equal(n0->total_slabs, 1);
	assert_int_equal(n0->free_objects, 23);
	exhaust_node(&h, 1);

	q[0] = kmem_cache_alloc_node(c, GFP_KERNEL, 1);
	assert_non_null(q[0]);
	if (slab_page(q[0]) != slab0)
		fail_msg("kmem_cache_alloc_node(node 1) with node 1 full grew a slab on node %d "
			 "instead of taking one of the 23 free objects of node 0, the first "
			 "node of the local zonelist", page_to_nid(slab_page(q[0])));
	assert_int_equal(n0->total_slabs, 1);
	assert_int_equal(n0->free_objects, 22);
	assert_int_equal(n1->total_slabs, 0);

	/* the other 22 the same way; then no node has a free object */
	for (int i = 1; i < 23; i++) {
		q[i] = kmem_cache_alloc_node(c, GFP_KERNEL, 1);
		assert_ptr_equal(slab_page(q[i]), slab0);
	}
	assert_int_equal(n0->free_objects, 0);
	assert_int_equal(n0->free_touched, 0);
	p = kmem_cache_alloc_node(c, GFP_KERNEL, 1);
	assert_non_null(p);
	page = slab_page(p);
	assert_ptr_not_equal(page, slab0);
	assert_int_equal(page_to_nid(page), 0);
	assert_int_equal(n0->total_slabs, 2);
	assert_int_equal(n0->free_objects, 38);
	/* taken from the node's free list, as ____cache_alloc_node() does */
	assert_int_equal(n0->free_touched, 1);
	assert_int_equal(n1->total_slabs, 0);
	assert_int_equal(mm_check(stderr), 0);

	kmem_cache_free(c, first);
	kmem_cache_free(c, p);
	for (int i = 0; i < 23; i++)
		kmem_cache_free(c, q[i]);
	held_free_all(&h);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * The walk is the zonelist's order (build_all_zonelists(): by distance),
 * not the node ids'.  Every bootable machine has distances 10/20 (a
 * synthetic hwloc topology carries no distance matrix and every node has a
 * CPU), where the two orders agree; a host whose firmware reports other
 * distances (topology=host) gets them from hwloc.  Here node 0's zonelist
 * is rebuilt from such a matrix: 0, 2, 1, 3.  With node 0 full, an object
 * comes from node 2, the nearest node with free objects, not from node 1.
 */
static void test_fallback_follows_zonelist(void **state)
{
	static const unsigned char dist[4][4] = {
		{ 10, 30, 20, 30 },
		{ 30, 10, 30, 20 },
		{ 20, 30, 10, 30 },
		{ 30, 20, 30, 10 },
	};
	static const int want_order[4] = { 0, 2, 1, 3 };
	struct held h = { 0 };
	struct kmem_cache *c;
	struct zoneref *z;
	void *a, *b, *p;
	int order[4], nr = 0;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's fallback_alloc() and node free_objects");

	boot_attach("mem=128M nodes=4 cpus=4");	/* CPU 0 on node 0 */
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			machine.distance[i][j] = dist[i][j];
	build_all_zonelists();
	for (z = NODE_DATA(0)->node_zonelists[ZONELIST_FALLBACK]._zonerefs; z->zone; z++)
		if (!nr || order[nr - 1] != z->zone->node)
			order[nr++] = z->zone->node;
	assert_int_equal(nr, 4);
	assert_memory_equal(order, want_order, sizeof(order));

	c = kmem_cache_create("fallback-zl", 100, 0, 0, NULL);
	assert_non_null(c);
	/* one object each of nodes 1 and 2: 38 free objects stay on each */
	a = kmem_cache_alloc_node(c, GFP_KERNEL, 1);
	b = kmem_cache_alloc_node(c, GFP_KERNEL, 2);
	assert_int_equal(page_to_nid(slab_page(a)), 1);
	assert_int_equal(page_to_nid(slab_page(b)), 2);
	assert_int_equal(node_of(c, 1)->free_objects, 38);
	assert_int_equal(node_of(c, 2)->free_objects, 38);
	exhaust_node(&h, 0);

	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	if (page_to_nid(slab_page(p)) != 2)
		fail_msg("with node 0 full the object came from node %d; node 0's zonelist is "
			 "0, 2, 1, 3, so node 2", page_to_nid(slab_page(p)));
	assert_int_equal(node_of(c, 2)->free_objects, 37);
	assert_int_equal(node_of(c, 1)->free_objects, 38);
	assert_int_equal(node_of(c, 0)->total_slabs, 0);
	assert_int_equal(mm_check(stderr), 0);

	kmem_cache_free(c, p);
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	held_free_all(&h);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			machine.distance[i][j] = i == j ? 10 : 20;
	build_all_zonelists();
	check_shutdown();
}

/* cond_resched() until cond holds; fails after 10 s of real time. */
#define RESCHED_UNTIL(cond, what) do {						\
	double __t0 = now_s();							\
	while (!(cond)) {							\
		if (now_s() - __t0 > 10.0)					\
			fail_msg("timed out waiting for %s", what);		\
		cond_resched();							\
		usleep(500);							\
	}									\
} while (0)

static void test_reap(void **state)
{
	struct kmem_cache *c;
	struct array_cache *ac;
	void *objs[100], *head[24], *p;
	unsigned int a;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's periodic cache_reap()");

	/* 2*HZ between reaps become 40 ms */
	boot_attach("mem=64M nodes=1 cpus=1 hz_scale=50");
	c = kmem_cache_create("reap-100", 100, 0, 0, NULL);	/* limit 120 */
	assert_non_null(c);
	ac = ac_of(c, 0);
	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(c, objs[i]);
	p = kmem_cache_alloc(c, GFP_KERNEL);	/* touches the array */
	kmem_cache_free(c, p);
	a = ac->avail;
	assert_true(a >= 100);
	assert_int_equal(ac->touched, 1);

	/* a touched array only loses its flag */
	RESCHED_UNTIL(!READ_ONCE(ac->touched), "the reaper to clear touched");
	assert_int_equal(ac->avail, a);
	memcpy(head, ac->entry, sizeof(head));
	/* an untouched one gives back (limit + 4) / 5 = 24, the oldest */
	RESCHED_UNTIL(READ_ONCE(ac->avail) != a, "the reaper to drain the array");
	assert_int_equal(ac->avail, a - 24);
	assert_int_equal(ac->touched, 0);
	for (unsigned int i = 0; i < ac->avail; i++)
		for (int j = 0; j < 24; j++)
			assert_ptr_not_equal(ac->entry[i], head[j]);
	RESCHED_UNTIL(READ_ONCE(ac->avail) != a - 24, "a second reap");
	assert_int_equal(ac->avail, a - 48);
	assert_mm_check_ok();
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * cache_reap() called on this CPU now, as its delayed work would: the work
 * is cancelled first, so that no other reap runs meanwhile (the test never
 * reaches a safe point), and cache_reap() queues it again.
 */
static void reap_now(void)
{
	unsigned int cpu = smp_processor_id();

	cancel_delayed_work_sync(&reap_work[cpu]);
	cache_reap(&reap_work[cpu].work);
}

/*
 * v4.19 drain_array(): an array with nothing in it is left alone, its
 * touched flag included; only a non-empty touched array just loses the
 * flag.  So an array emptied by allocations refills a whole batch after a
 * reap, not BATCHREFILL_LIMIT.
 */
static void test_reap_empty_array_keeps_touched(void **state)
{
	struct kmem_cache *c;
	struct array_cache *ac;
	void *objs[17];
	unsigned int n = 0;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's periodic cache_reap()");

	boot_attach(BOOT_UP);
	c = kmem_cache_create("reap-empty", 100, 0, 0, NULL);	/* 39 per slab, batch 60 */
	assert_non_null(c);
	ac = ac_of(c, 0);
	while (n < 16)
		objs[n++] = kmem_cache_alloc(c, GFP_KERNEL);	/* the first refill: 16 */
	assert_int_equal(ac->avail, 0);
	assert_int_equal(ac->touched, 1);
	reap_now();
	if (ac->touched != 1)
		fail_msg("a reap cleared the touched flag of an empty array (v4.19 drain_array() "
			 "returns before it looks at it)");
	/* touched: a batch of 60, of which the slab still has 23 */
	objs[n++] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(ac->avail, 22);
	assert_int_equal(node_of(c, 0)->free_objects, 0);
	/* non-empty and touched: only the flag goes; then (22 + 1) / 2 go back */
	reap_now();
	assert_int_equal(ac->touched, 0);
	assert_int_equal(ac->avail, 22);
	reap_now();
	assert_int_equal(ac->avail, 11);
	assert_int_equal(node_of(c, 0)->free_objects, 11);
	while (n)
		kmem_cache_free(c, objs[--n]);
	assert_int_equal(mm_check(stderr), 0);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * v4.19 reap_alien(): each cache_reap() drains one alien array per cache,
 * that of the CPU's reap node (the node after its own when it came online,
 * then the next online node at every reap), and only if it holds objects
 * and its lock is free: an empty one is not even locked.
 */
static void test_reap_alien_round_robin(void **state)
{
	struct kmem_cache *c;
	struct alien_cache *al1, *al2;
	unsigned long acq1, acq2;
	void *p[3][3];
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's periodic cache_reap() of alien arrays");

	boot_attach("mem=96M nodes=3 cpus=3");	/* CPU 0 on node 0 */
	c = kmem_cache_create("reap-alien", 100, 0, 0, NULL);
	assert_non_null(c);
	for (int r = 1; r < 3; r++)
		for (int i = 0; i < 3; i++) {
			p[r][i] = kmem_cache_alloc_node(c, GFP_KERNEL, r);
			assert_non_null(p[r][i]);
		}
	/* freed on node 0: into node 0's alien arrays for nodes 1 and 2 */
	for (int r = 1; r < 3; r++)
		for (int i = 0; i < 3; i++)
			kmem_cache_free(c, p[r][i]);
	al1 = node_of(c, 0)->alien[1];
	al2 = node_of(c, 0)->alien[2];
	assert_int_equal(al1->ac.avail, 3);
	assert_int_equal(al2->ac.avail, 3);

	reap_now();		/* reap node 1 */
	if (al1->ac.avail != 0 || al2->ac.avail != 3)
		fail_msg("the first reap left %u and %u objects in the alien arrays for nodes 1 "
			 "and 2, expected 0 and 3 (one node per reap, starting after the CPU's)",
			 al1->ac.avail, al2->ac.avail);
	reap_now();		/* reap node 2 */
	assert_int_equal(al2->ac.avail, 0);

	acq1 = READ_ONCE(al1->lock.stats.acquisitions);
	acq2 = READ_ONCE(al2->lock.stats.acquisitions);
	reap_now();		/* node 0: the CPU's own, no alien array */
	reap_now();		/* node 1, empty */
	reap_now();		/* node 2, empty */
	assert_int_equal(READ_ONCE(al1->lock.stats.acquisitions), acq1);
	assert_int_equal(READ_ONCE(al2->lock.stats.acquisitions), acq2);

	/* round again: node 0, then node 1 only */
	p[1][0] = kmem_cache_alloc_node(c, GFP_KERNEL, 1);
	p[2][0] = kmem_cache_alloc_node(c, GFP_KERNEL, 2);
	kmem_cache_free(c, p[1][0]);
	kmem_cache_free(c, p[2][0]);
	reap_now();		/* node 0 */
	assert_int_equal(al1->ac.avail, 1);
	assert_int_equal(al2->ac.avail, 1);
	reap_now();		/* node 1 */
	assert_int_equal(al1->ac.avail, 0);
	assert_int_equal(al2->ac.avail, 1);
	assert_int_equal(mm_check(stderr), 0);
	assert_int_equal(kmem_cache_shrink(c), 0);
	kmem_cache_destroy(c);
	check_shutdown();
}

/*
 * v4.19 start_cpu_timer() queues a CPU's first reap __round_jiffies_relative(HZ,
 * cpu) after it comes online, and cache_reap() its next one
 * round_jiffies_relative(REAPTIMEOUT_AC) later: a whole second, skewed by 3
 * jiffies per CPU (round_jiffies_common()).  The rounding sees jiffies a
 * moment before the work is queued, so the expiry is on the boundary plus
 * at most the jiffies that passed around the call.
 */
static void check_rounded(const char *what, unsigned long expires, unsigned long j0,
			  unsigned long j1, unsigned long delay, unsigned int cpu)
{
	unsigned long off = (expires + 3 * cpu) % HZ;

	if (off > j1 - j0)
		fail_msg("%s: CPU %u's reap expires at %lu, %lu jiffies past a rounded second "
			 "(+3 per CPU); %lu jiffies passed around the call", what, cpu,
			 expires, off, j1 - j0);
	/* round_jiffies_common(): up to HZ/4 down, else up to the next second */
	if (time_before(expires, j0 + delay - HZ / 4) ||
	    time_after(expires, j1 + delay + HZ - HZ / 4))
		fail_msg("%s: CPU %u's reap expires %ld jiffies after the call, expected "
			 "%lu rounded to a second", what, cpu, (long)(expires - j0), delay);
}

static void test_reap_reschedule_rounded(void **state)
{
	unsigned long j0, j1;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's periodic cache_reap()");

	boot_attach("mem=64M nodes=1 cpus=2");
	mm_cpu_detach();
	/* coming online queues the first reap */
	j0 = jiffies;
	assert_int_equal(mm_cpu_attach(1), 0);
	j1 = jiffies;
	check_rounded("online", reap_work[1].expires, j0, j1, HZ, 1);
	/* each reap queues the next; a few times, at different jiffies */
	for (int round = 0; round < 3; round++) {
		cancel_delayed_work_sync(&reap_work[1]);
		j0 = jiffies;
		cache_reap(&reap_work[1].work);
		j1 = jiffies;
		check_rounded("cache_reap", reap_work[1].expires, j0, j1, REAPTIMEOUT_AC, 1);
		usleep(5000);	/* at least one jiffy later */
	}
	mm_cpu_detach();
	assert_int_equal(mm_cpu_attach(0), 0);
	check_shutdown();
}

/* ------------------------------------------------- destroy and creation */

static void test_destroy_with_live_objects(void **state)
{
	struct kmem_cache *c;
	unsigned long before;
	const char *out;
	char *report;
	char *p, *q, *r;
	(void)state;

	SKIP_IF_SLOB("v4.19 SLOB counts no objects per cache: its __kmem_cache_shutdown() "
		     "returns 0, so the destroy is silent and the cache goes");
	boot_attach(BOOT_UP);
	c = kmem_cache_create("live-64", 64, 0, 0, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	memset(p, 'p', 64);
	memset(q, 'q', 64);
	before = report_violations();
	capture_begin();
	kmem_cache_destroy(c);
	report = strdup(capture_end());
	assert_contains(report, "live-64");
	assert_int_equal(report_violations(), before + 1);
	assert_mm_check_ok();
	/* the cache is still there and works */
	r = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(r);
	assert_ptr_not_equal(r, p);
	assert_ptr_not_equal(r, q);
	assert_int_equal(p[63], 'p');
	assert_int_equal(q[0], 'q');
	kmem_cache_free(c, p);
	kmem_cache_free(c, q);
	kmem_cache_free(c, r);
	before = report_violations();
	capture_begin();
	kmem_cache_destroy(c);
	out = capture_end();
	assert_string_equal(out, "");
	assert_int_equal(report_violations(), before);
	check_shutdown();
	/* v4.19 slab_common.c: pr_err("kmem_cache_destroy %s: Slab cache
	 * still has objects\n") whatever the allocator */
	if (!strstr(report, "kmem_cache_destroy live-64: Slab cache still has objects"))
		fail_msg("expected v4.19's \"kmem_cache_destroy live-64: Slab cache still "
			 "has objects\" in:\n%s", report);
	free(report);
}

static void test_create_errors(void **state)
{
	static const struct {
		const char *name;
		unsigned int size, align;
	} bad[] = {
		{ "bad-size0", 0, 0 },
		{ "bad-huge", KMALLOC_MAX_SIZE + 1, 0 },
		{ "bad-align24", 64, 24 },
		{ "bad-align3", 64, 3 },
	};
	struct kmem_cache *c;
	const char *out;
	void *p;
	(void)state;

	boot_attach(BOOT_UP);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		capture_begin();
		c = kmem_cache_create(bad[i].name, bad[i].size, bad[i].align, 0, NULL);
		out = capture_end();
		if (c)
			fail_msg("kmem_cache_create(%s, %u, %u) succeeded", bad[i].name,
				 bad[i].size, bad[i].align);
		assert_contains(out, bad[i].name);
		assert_mm_check_ok();
	}
	/* the limits themselves are fine */
	c = kmem_cache_create("max-size", KMALLOC_MAX_SIZE, 0, 0, NULL);
	assert_non_null(c);
	if (TEST_SLAB) {
		assert_int_equal(c->gfporder, 10);
		assert_int_equal(c->num, 1);
	}
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	c = kmem_cache_create("align-4096", 64, 4096, 0, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal((unsigned long)p % 4096, 0);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_cache_dma_and_gfp_fixup(void **state)
{
	struct kmem_cache *c;
	int printed;
	const char *out;
	void *p;
	(void)state;

	boot_attach(BOOT_UP);
	c = kmem_cache_create("dma-cache", 64, 0, SLAB_CACHE_DMA, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	/* v4.19 SLOB drops SLAB_CACHE_DMA (CACHE_CREATE_MASK) and serves any
	 * page of its heap */
	if (!TEST_SLOB)
		assert_int_equal(page_zonenum(slab_page(p)), ZONE_DMA);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	check_shutdown();

	/* __GFP_HIGHMEM on a slab allocation: warned about, stripped */
	boot_attach("mem=1G arch=x86_32 nodes=1 cpus=1");
	c = kmem_cache_create("hm-cache", 64, 0, 0, NULL);
	assert_non_null(c);
	capture_begin();
	p = kmem_cache_alloc(c, GFP_KERNEL | __GFP_HIGHMEM);
	out = capture_end();
	printed = out[0] != '\0';
	assert_non_null(p);
	assert_false(PageHighMem(slab_page(p)));
	memset(p, 1, 64);
	kmem_cache_free(c, p);
	assert_mm_check_ok();
	kmem_cache_destroy(c);
	check_shutdown();
	/* v4.19 cache_grow_begin() (SLAB), new_slab() (SLUB):
	 * GFP_SLAB_BUG_MASK -> pr_warn("Unexpected gfp: ... Fix your code!")
	 * and dump_stack(), then the bits go; SLOB has no such check */
	if (!printed && !TEST_SLOB)
		fail_msg("kmem_cache_alloc(GFP_KERNEL | __GFP_HIGHMEM) growing a slab "
			 "printed nothing (v4.19 warns \"Unexpected gfp\")");
}

/* ------------------------------------------------------------------ misuse */

static void test_free_to_wrong_cache(void **state)
{
	struct kmem_cache *a, *b;
	unsigned long before, free;
	unsigned int aa, ab;
	const char *out;
	void *p;
	(void)state;

	SKIP_IF_SLOB("SLOB's pages record no cache: v4.19 cache_from_obj() cannot tell");
	/* apart: slab_nomerge, and b bigger than a */
	boot_attach(BOOT_UP " slab_nomerge");
	a = kmem_cache_create("wrong-a", 64, 0, 0, NULL);
	b = kmem_cache_create("wrong-b", 128, 0, 0, NULL);
	assert_non_null(a);
	assert_non_null(b);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(b, kmem_cache_alloc(b, GFP_KERNEL));
	aa = TEST_SLAB ? ac_of(a, 0)->avail : 0;
	ab = TEST_SLAB ? ac_of(b, 0)->avail : 0;
	before = report_violations();
	free = nr_free_pages();
	capture_begin();
	kmem_cache_free(b, p);
	out = capture_end();
	assert_contains(out, "WARNING");
	assert_contains(out, "Wrong slab cache");
	assert_contains(out, "wrong-a");
	assert_contains(out, "wrong-b");
	assert_int_equal(report_violations(), before + 1);
	assert_int_equal(nr_free_pages(), free);
	assert_mm_check_ok();
	/* freed to the cache it belongs to */
	if (TEST_SLAB) {
		assert_int_equal(ac_of(a, 0)->avail, aa + 1);
		assert_int_equal(ac_of(b, 0)->avail, ab);
	}
	assert_ptr_equal(kmem_cache_alloc(a, GFP_KERNEL), p);
	kmem_cache_free(a, p);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	check_shutdown();
}

/* --------------------------------------------------------------------- RCU */

static void test_typesafe_by_rcu(void **state)
{
	struct kmem_cache *c;
	long pages0;
	void *p;
	(void)state;

	boot_attach(BOOT_UP);
	c = kmem_cache_create("rcu-200", 200, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_non_null(c);
	if (TEST_SLAB)
		assert_int_equal(c->flags & CFLGS_OBJFREELIST_SLAB, 0);
	pages0 = allocated_pages();
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	/* SLOB: a block of its shared heap, maybe of a page it had; it
	 * frees the object itself after a grace period (v4.19 kmem_rcu_free) */
	if (!TEST_SLOB)
		assert_int_equal(allocated_pages(), pages0 + 1);
	kmem_cache_free(c, p);
	assert_int_equal(kmem_cache_shrink(c), 0);
	if (TEST_SLAB)
		assert_int_equal(node_of(c, 0)->total_slabs, 0);
	/* the slab left the cache but its page waits for a grace period */
	if (!TEST_SLOB)
		assert_int_equal(allocated_pages(), pages0 + 1);
	rcu_barrier();
	assert_int_equal(allocated_pages(), pages0);
	assert_mm_check_ok();

	/* destroy waits for the slabs in flight */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, p);
	kmem_cache_shrink(c);
	kmem_cache_destroy(c);
	rcu_barrier();
	assert_int_equal(allocated_pages(), pages0);
	check_shutdown();
}

struct rfoo {
	long payload[6];
	struct rcu_head rcu;
};

static void test_kfree_rcu(void **state)
{
	struct rfoo *p, *q, *r;
	(void)state;

	boot_attach(BOOT_UP);
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	assert_non_null(p);
	p->payload[0] = 42;
	kfree_rcu(p, rcu);
	/* not freed yet: the next allocation of its class is another object */
	q = kmalloc(sizeof(*p), GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	rcu_barrier();
	/* freed on this CPU: LIFO gives it back */
	r = kmalloc(sizeof(*p), GFP_KERNEL);
	assert_ptr_equal(r, p);
	kfree(q);
	kfree(r);
	assert_mm_check_ok();
	check_shutdown();
}

/* ---------------------------------------------------------- /proc/slabinfo */

struct slabinfo_line {
	char name[64];
	unsigned long active_objs, num_objs;
	unsigned int objsize, objperslab;
	int pagesperslab;
	unsigned int limit, batchcount, shared;
	unsigned long active_slabs, num_slabs, sharedavail;
};

/* The line of cache `name` in /proc/slabinfo; fails if absent. */
static void slabinfo_find(const char *name, struct slabinfo_line *l, char *line, size_t len)
{
	char *text = proc_text("slabinfo"), *save = NULL;

	for (char *s = strtok_r(text, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		if (sscanf(s, "%63s", l->name) != 1 || strcmp(l->name, name))
			continue;
		if (sscanf(s, "%63s %lu %lu %u %u %d : tunables %u %u %u : slabdata %lu %lu %lu",
			   l->name, &l->active_objs, &l->num_objs, &l->objsize,
			   &l->objperslab, &l->pagesperslab, &l->limit, &l->batchcount,
			   &l->shared, &l->active_slabs, &l->num_slabs, &l->sharedavail) != 12)
			fail_msg("unparsable slabinfo line: %s", s);
		snprintf(line, len, "%s", s);
		free(text);
		return;
	}
	fail_msg("no line for %s in:\n%s", name, text);
}

static int slabinfo_has(const char *name)
{
	char *text = proc_text("slabinfo"), *save = NULL;
	int found = 0;

	for (char *s = strtok_r(text, "\n", &save); s && !found; s = strtok_r(NULL, "\n", &save)) {
		char n[64];

		found = sscanf(s, "%63s", n) == 1 && !strcmp(n, name);
	}
	free(text);
	return found;
}

static void expect_slabinfo(const char *name, unsigned long active_objs, unsigned long num_objs,
			    unsigned int objsize, unsigned int perslab, int pages,
			    unsigned int limit, unsigned int batch, unsigned int shared,
			    unsigned long active_slabs, unsigned long num_slabs,
			    unsigned long sharedavail)
{
	struct slabinfo_line l;
	char line[256], want[256];

	slabinfo_find(name, &l, line, sizeof(line));
	snprintf(want, sizeof(want),
		 "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
		 name, active_objs, num_objs, objsize, perslab, pages, limit, batch, shared,
		 active_slabs, num_slabs, sharedavail);
	assert_string_equal(line, want);
	assert_int_equal(l.num_objs, l.num_slabs * l.objperslab);
	assert_true(l.active_objs <= l.num_objs);
	assert_true(l.active_slabs <= l.num_slabs);
}

/*
 * The same under SLUB (v4.19 get_slabinfo(): no tunables; a slab's
 * objects count as active unless they are free on a node's partial list,
 * so the free objects of the CPU's slab are active): 1000 bytes with
 * 2 CPUs (min_objects 12) is order 2, 16 per slab (16384 % 1000 = 384,
 * within 1/16).
 */
static void slabinfo_slub(void)
{
	struct kmem_cache *c = kmem_cache_create("slabinfo-test", 1000, 0, 0, NULL);
	void *objs[100];

	assert_non_null(c);
	expect_slabinfo("slabinfo-test", 0, 0, 1000, 16, 4, 0, 0, 0, 0, 0, 0);
	/* 10 objects: one slab, the CPU's */
	for (int i = 0; i < 10; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	expect_slabinfo("slabinfo-test", 16, 16, 1000, 16, 4, 0, 0, 0, 1, 1, 0);
	/* back onto the CPU slab's freelist: still the CPU's, still active */
	for (int i = 0; i < 10; i++)
		kmem_cache_free(c, objs[i]);
	expect_slabinfo("slabinfo-test", 16, 16, 1000, 16, 4, 0, 0, 0, 1, 1, 0);
	assert_int_equal(kmem_cache_shrink(c), 0);
	expect_slabinfo("slabinfo-test", 0, 0, 1000, 16, 4, 0, 0, 0, 0, 0, 0);
	/* 100 objects: 6 full slabs on no list, the 7th the CPU's */
	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	expect_slabinfo("slabinfo-test", 112, 112, 1000, 16, 4, 0, 0, 0, 7, 7, 0);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(kmem_cache_shrink(c), 0);
	expect_slabinfo("slabinfo-test", 0, 0, 1000, 16, 4, 0, 0, 0, 0, 0, 0);
	kmem_cache_destroy(c);
	assert_false(slabinfo_has("slabinfo-test"));
}

static void test_slabinfo(void **state)
{
	static const char hdr[] =
		"slabinfo - version: 2.1\n"
		"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		" : tunables <limit> <batchcount> <sharedfactor>"
		" : slabdata <active_slabs> <num_slabs> <sharedavail>\n";
	struct kmem_cache *c;
	char *text;
	void *objs[100];
	(void)state;

	SKIP_IF_SLOB("no /proc/slabinfo under SLOB");

	boot_attach(BOOT_SMP);
	text = proc_text("slabinfo");
	if (strncmp(text, hdr, strlen(hdr)))
		fail_msg("slabinfo header:\n%s\nexpected:\n%s", text, hdr);
	free(text);
	if (TEST_SLUB) {
		slabinfo_slub();
		check_shutdown();
		return;
	}

	/* 1000 bytes: 4 per slab, order 0, limit 54, batch 27, shared 8 */
	c = kmem_cache_create("slabinfo-test", 1000, 0, 0, NULL);
	assert_non_null(c);
	expect_slabinfo("slabinfo-test", 0, 0, 1000, 4, 1, 54, 27, 8, 0, 0, 0);
	/* 10 objects: three refills of one new slab each; the 2 left in the
	 * array count as active */
	for (int i = 0; i < 10; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	expect_slabinfo("slabinfo-test", 12, 12, 1000, 4, 1, 54, 27, 8, 3, 3, 0);
	for (int i = 0; i < 10; i++)
		kmem_cache_free(c, objs[i]);
	expect_slabinfo("slabinfo-test", 12, 12, 1000, 4, 1, 54, 27, 8, 3, 3, 0);
	assert_int_equal(kmem_cache_shrink(c), 0);
	expect_slabinfo("slabinfo-test", 0, 0, 1000, 4, 1, 54, 27, 8, 0, 0, 0);

	/* 100 objects: 25 full slabs.  Freeing them: frees 54 and 81 flush 27
	 * each to the shared array (limit 216); 46 stay in the CPU's array */
	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	expect_slabinfo("slabinfo-test", 100, 100, 1000, 4, 1, 54, 27, 8, 25, 25, 0);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(ac_of(c, 0)->avail, 46);
	expect_slabinfo("slabinfo-test", 100, 100, 1000, 4, 1, 54, 27, 8, 25, 25, 54);
	assert_int_equal(kmem_cache_shrink(c), 0);
	expect_slabinfo("slabinfo-test", 0, 0, 1000, 4, 1, 54, 27, 8, 0, 0, 0);
	kmem_cache_destroy(c);
	assert_false(slabinfo_has("slabinfo-test"));
	check_shutdown();
}

/* v4.19 create_cache() adds a new cache at the head of slab_caches, and
 * /proc/slabinfo walks it from there: the newest cache first. */
static void test_slabinfo_newest_first(void **state)
{
	struct kmem_cache *a, *b;
	char *text, *save = NULL, *s;
	char names[3][64];
	int n = 0;
	(void)state;

	SKIP_IF_SLOB("no /proc/slabinfo under SLOB");
	/* each cache its own line: slab_nomerge, and sizes that would not
	 * merge anyway */
	boot_attach(BOOT_UP " slab_nomerge");
	a = kmem_cache_create("order-a", 64, 0, 0, NULL);
	b = kmem_cache_create("order-b", 128, 0, 0, NULL);
	assert_non_null(a);
	assert_non_null(b);
	text = proc_text("slabinfo");
	s = strtok_r(text, "\n", &save);	/* the version */
	s = strtok_r(NULL, "\n", &save);	/* the column names */
	while (n < 3 && (s = strtok_r(NULL, "\n", &save)))
		assert_int_equal(sscanf(s, "%63s", names[n++]), 1);
	assert_int_equal(n, 3);
	if (strcmp(names[0], "order-b") || strcmp(names[1], "order-a"))
		fail_msg("slabinfo lists %s, %s, %s first; expected order-b, order-a (newest "
			 "first)", names[0], names[1], names[2]);
	/* then the kmalloc caches, the last made first (SLUB's last class
	 * is 8 KiB) */
	assert_string_equal(names[2], TEST_SLUB ? "dma-kmalloc-8192" : "dma-kmalloc-4194304");
	free(text);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_layout),
		TEST(test_layout_small_machine),
		TEST(test_byte_freelist_index),
		TEST(test_off_slab_benefit_uses_object_size),
		TEST(test_colouring),
		TEST(test_colour_next_advances_first),
		TEST(test_constructor),
		TEST(test_gfp_zero_with_ctor_warns),
		TEST(test_tunables),
		TEST(test_array_first_refill_and_lifo),
		TEST(test_array_flush_and_shared_refill),
		TEST(test_free_limit),
		TEST(test_shrink_drains_every_cpu),
		TEST(test_alloc_node),
		TEST(test_fallback_local_node_first),
		TEST(test_fallback_follows_zonelist),
		TEST(test_reap),
		TEST(test_reap_empty_array_keeps_touched),
		TEST(test_reap_alien_round_robin),
		TEST(test_reap_reschedule_rounded),
		TEST(test_destroy_with_live_objects),
		TEST(test_create_errors),
		TEST(test_cache_dma_and_gfp_fixup),
		TEST(test_free_to_wrong_cache),
		TEST(test_typesafe_by_rcu),
		TEST(test_kfree_rcu),
		TEST(test_slabinfo),
		TEST(test_slabinfo_newest_first),
	};

	return cmocka_run_group_tests_name("slab", tests, NULL, NULL);
}
