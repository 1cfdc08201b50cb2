// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_slob.c - SLOB (slab=slob) against Linux v4.19 mm/slob.c:
 * first fit, the list a request searches by its size (kmalloc's with its
 * 8-byte header), the list head moved to the page that served, header and
 * alignment, the page-allocator fallback from PAGE_SIZE - 8 bytes, a
 * page's fragmentation and coalescing, typesafe-by-RCU frees after a grace
 * period, the constructor on every allocation, what the common layer
 * shows.  Misuse, the walker and eight CPUs at once: test_slob_check.c.
 *
 * The heap's state is read directly (mm/slob.h): with one CPU attached and
 * no other running, nothing changes it behind the test's back.
 */
#include "../testutil.h"
#include "../../mm/slob.h"

#include <errno.h>

#define BOOT		"slab=slob mem=64M nodes=1 cpus=1"

/* The position of page on list (0: first), or -1. */
static int list_pos(struct cds_list_head *list, struct page *page)
{
	struct cds_list_head *pos;
	int i = 0;

	for (pos = list->next; pos != list; pos = pos->next, i++)
		if (cds_list_entry(pos, struct page, lru) == page)
			return i;
	return -1;
}

/* The free blocks of a heap page (0 if it is full). */
static int free_blocks(struct page *sp)
{
	slob_t *f;
	int n = 0;

	if (!PageSlobFree(sp))
		return 0;
	for (f = sp->freelist;; f = slob_next(f)) {
		n++;
		if (slob_last(f))
			return n;
	}
}

#if ASAN_BUILD
int __asan_address_is_poisoned(void const volatile *addr);
static int asan_poisoned(const void *p)
{
	return __asan_address_is_poisoned(p);
}
#else
static int asan_poisoned(const void *p)
{
	(void)p;
	return 0;
}
#endif

static struct page *page_of(const void *p)
{
	return virt_to_page(p);
}

/* The tests that watch a list start from an empty heap. */
static void assert_heap_empty(void)
{
	if (test_list_len(&free_slob_small) || test_list_len(&free_slob_medium) ||
	    test_list_len(&free_slob_large))
		fail_msg("the heap is not empty after boot: %d/%d/%d pages listed",
			 test_list_len(&free_slob_small), test_list_len(&free_slob_medium),
			 test_list_len(&free_slob_large));
}

/* kmalloc: an 8-byte header with the size, 8-aligned objects, ksize() the
 * size rounded up to 2 bytes; from PAGE_SIZE - 8 up, whole pages. */
static void test_kmalloc_header(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 7, 8, 13, 100, 255, 1000, 2047, 4087 };
	unsigned long large;
	char *p, *q;
	(void)state;

	boot_attach(BOOT);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = kmalloc(sizes[i], GFP_KERNEL);
		assert_non_null(p);
		assert_int_equal((unsigned long)p % 8, 0);
		assert_true(PageSlab(page_of(p)));
		EXPECT_EQ("header", *(unsigned int *)(p - 8), sizes[i]);
		EXPECT_EQ("ksize", ksize(p), (sizes[i] + 1) & ~1UL);
		memset(p, 0x5c, ksize(p));
		kfree(p);
	}
	/* PAGE_SIZE - 8 and up: the page allocator, no PG_slab */
	large = slob_large_pages;
	p = kmalloc(PAGE_SIZE - 8, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal((unsigned long)p % PAGE_SIZE, 0);
	assert_false(PageSlab(page_of(p)));
	assert_false(PageHead(page_of(p)));	/* order 0: no __GFP_COMP */
	EXPECT_EQ("ksize(4088)", ksize(p), PAGE_SIZE);
	EXPECT_EQ("large pages", slob_large_pages, large + 1);
	assert_mm_check_ok();
	kfree(p);
	EXPECT_EQ("large pages back", slob_large_pages, large);
	p = kmalloc(PAGE_SIZE + 1, GFP_KERNEL);
	assert_non_null(p);
	assert_true(PageHead(page_of(p)));	/* order 1: compound */
	EXPECT_EQ("ksize(4097)", ksize(p), 2 * PAGE_SIZE);
	memset(p, 0x11, 2 * PAGE_SIZE);
	kfree(p);
	p = kmalloc(100000, GFP_KERNEL);
	EXPECT_EQ("ksize(100000)", ksize(p), 32 * PAGE_SIZE);
	kfree(p);
	/* ASan: a freed block is poisoned but for its free-block header */
	q = kmalloc(100, GFP_KERNEL);		/* keeps the page */
	p = kmalloc(100, GFP_KERNEL);
	kfree(p);
	if (ASAN_BUILD) {
		assert_true(asan_poisoned(p + 16));
		assert_false(asan_poisoned(p - 8));	/* the header */
	}
	kfree(q);
	/* kzalloc zeroes a recycled block */
	p = kmalloc(200, GFP_KERNEL);
	memset(p, 0xff, 200);
	kfree(p);
	p = kzalloc(200, GFP_KERNEL);
	for (int i = 0; i < 200; i++)
		assert_int_equal(p[i], 0);
	kfree(p);
	check_shutdown();
}

/* The list is chosen by the request's size, kmalloc's including its
 * header: < 256 small, < 1024 medium, else large. */
static void test_list_choice(void **state)
{
	static const struct {
		size_t size;
		int cache;		/* a kmem_cache object, no header */
		int list;		/* 0 small, 1 medium, 2 large */
	} t[] = {
		{ 247, 0, 0 }, { 248, 0, 1 }, { 1015, 0, 1 }, { 1016, 0, 2 }, { 3000, 0, 2 },
		{ 255, 1, 0 }, { 256, 1, 1 }, { 1023, 1, 1 }, { 1024, 1, 2 },
	};
	struct cds_list_head *lists[] = { &free_slob_small, &free_slob_medium, &free_slob_large };
	(void)state;

	boot_attach(BOOT);
	assert_heap_empty();
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct kmem_cache *c = NULL;
		void *p;

		if (t[i].cache) {
			c = kmem_cache_create("slob_test", (unsigned int)t[i].size, 0, 0, NULL);
			assert_non_null(c);
			p = kmem_cache_alloc(c, GFP_KERNEL);
		} else {
			p = kmalloc(t[i].size, GFP_KERNEL);
		}
		assert_non_null(p);
		for (int l = 0; l < 3; l++)
			if ((list_pos(lists[l], page_of(p)) >= 0) != (l == t[i].list))
				fail_msg("%s(%zu): its page is%s on list %d", c ? "cache" : "kmalloc",
					 t[i].size, l == t[i].list ? " not" : "", l);
		if (c) {
			kmem_cache_free(c, p);
			kmem_cache_destroy(c);
		} else {
			kfree(p);
		}
		assert_heap_empty();	/* the page went back */
	}
	check_shutdown();
}

/* First fit: a hole is reused before the free space after it, by any
 * request it holds. */
static void test_first_fit(void **state)
{
	char *a, *b, *c, *d, *e;
	(void)state;

	boot_attach(BOOT);
	assert_heap_empty();
	a = kmalloc(296, GFP_KERNEL);		/* 304 bytes, 152 units */
	b = kmalloc(296, GFP_KERNEL);
	c = kmalloc(296, GFP_KERNEL);
	assert_ptr_equal(b, a + 304);
	assert_ptr_equal(c, b + 304);
	kfree(b);
	EXPECT_EQ("blocks after the hole", free_blocks(page_of(a)), 2);
	d = kmalloc(280, GFP_KERNEL);		/* 288 bytes: fits the hole */
	assert_ptr_equal(d, b);
	EXPECT_EQ("the hole's rest", free_blocks(page_of(a)), 2);
	e = kmalloc(296, GFP_KERNEL);		/* does not fit the rest: after c */
	assert_ptr_equal(e, c + 304);
	kfree(d);
	d = kmalloc(296, GFP_KERNEL);
	assert_ptr_equal(d, b);			/* the merged hole again */
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(e);
	assert_heap_empty();
	check_shutdown();
}

/* After a page serves, the list head moves so that it is searched first
 * (v4.19's list_move_tail(slob_list, prev->next)). */
static void test_head_rotation(void **state)
{
	struct page *p1, *p2, *p3;
	char *x[12], *y;
	(void)state;

	boot_attach(BOOT);
	assert_heap_empty();
	/* kmalloc(1000): 1008 bytes, 504 units, the medium list; four fill a
	 * page but for 32 units */
	for (int i = 0; i < 12; i++)
		x[i] = kmalloc(1000, GFP_KERNEL);
	p1 = page_of(x[0]);
	p2 = page_of(x[4]);
	p3 = page_of(x[8]);
	assert_true(p1 != p2 && p2 != p3 && page_of(x[3]) == p1 && page_of(x[11]) == p3);
	/* new pages go to the head: p3, p2, p1 */
	EXPECT_EQ("p3", list_pos(&free_slob_medium, p3), 0);
	EXPECT_EQ("p2", list_pos(&free_slob_medium, p2), 1);
	EXPECT_EQ("p1", list_pos(&free_slob_medium, p1), 2);
	/* a hole in p2 only; p3, first, is too full for the next request */
	kfree(x[5]);
	y = kmalloc(1000, GFP_KERNEL);
	assert_ptr_equal(y, x[5]);
	/* p2 served: the list now starts at it, the rest in ring order */
	EXPECT_EQ("p2 first", list_pos(&free_slob_medium, p2), 0);
	EXPECT_EQ("p1 next", list_pos(&free_slob_medium, p1), 1);
	EXPECT_EQ("p3 last", list_pos(&free_slob_medium, p3), 2);
	/* p2 serves again while first: nothing moves */
	kfree(y);
	y = kmalloc(1000, GFP_KERNEL);
	EXPECT_EQ("p2 still first", list_pos(&free_slob_medium, p2), 0);
	EXPECT_EQ("p3 still last", list_pos(&free_slob_medium, p3), 2);
	assert_mm_check_ok();
	for (int i = 0; i < 12; i++)
		if (i != 5)
			kfree(x[i]);
	kfree(y);
	assert_heap_empty();
	check_shutdown();
}

/* A cache's alignment: a free fragment is split off in front. */
static void test_cache_align(void **state)
{
	struct kmem_cache *c64, *hw;
	char *k, *o[8];
	(void)state;

	boot_attach(BOOT);
	assert_heap_empty();
	c64 = kmem_cache_create("slob_a64", 40, 64, 0, NULL);
	hw = kmem_cache_create("slob_hw", 20, 0, SLAB_HWCACHE_ALIGN, NULL);
	assert_non_null(c64);
	assert_non_null(hw);
	EXPECT_EQ("size", kmem_cache_size(c64), 40);
	k = kmalloc(10, GFP_KERNEL);		/* 18 bytes at the page's start */
	for (int i = 0; i < 4; i++) {
		o[i] = kmem_cache_alloc(c64, GFP_KERNEL);
		assert_int_equal((unsigned long)o[i] % 64, 0);
		assert_true(page_of(o[i]) == page_of(k));
	}
	assert_ptr_equal(o[0], (char *)((unsigned long)k & ~(PAGE_SIZE - 1)) + 64);
	/* the fragments in front of each aligned object stay free */
	EXPECT_EQ("fragments", free_blocks(page_of(k)), 5);
	for (int i = 4; i < 8; i++) {
		o[i] = kmem_cache_alloc(hw, GFP_KERNEL);	/* 20 bytes: 32-aligned */
		assert_int_equal((unsigned long)o[i] % 32, 0);
	}
	assert_mm_check_ok();
	for (int i = 0; i < 4; i++)
		kmem_cache_free(c64, o[i]);
	for (int i = 4; i < 8; i++)
		kmem_cache_free(hw, o[i]);
	kfree(k);
	assert_heap_empty();
	kmem_cache_destroy(c64);
	kmem_cache_destroy(hw);
	check_shutdown();
}

/* Caches of PAGE_SIZE and more: whole blocks of the page allocator,
 * without __GFP_COMP or PG_slab; below, the heap. */
static void test_cache_pages(void **state)
{
	struct kmem_cache *c4k, *c5k, *c4095;
	struct kmem_cache_stats st;
	long pages0;
	char *a, *b, *d;
	(void)state;

	boot_attach(BOOT);
	c4k = kmem_cache_create("slob_4k", PAGE_SIZE, 0, 0, NULL);
	c5k = kmem_cache_create("slob_5k", 5000, 0, 0, NULL);
	c4095 = kmem_cache_create("slob_4095", PAGE_SIZE - 1, 0, 0, NULL);
	pages0 = allocated_pages();
	a = kmem_cache_alloc(c4k, GFP_KERNEL);
	b = kmem_cache_alloc(c5k, GFP_KERNEL);
	d = kmem_cache_alloc(c4095, GFP_KERNEL);
	assert_int_equal((unsigned long)a % PAGE_SIZE, 0);
	assert_int_equal((unsigned long)b % PAGE_SIZE, 0);
	assert_false(PageSlab(page_of(a)));
	assert_false(PageSlab(page_of(b)));
	assert_false(PageHead(page_of(b)));
	assert_true(PageSlab(page_of(d)));	/* the heap: a whole page */
	kmem_cache_stats(c5k, &st);
	EXPECT_EQ("5k order", st.gfporder, 1);
	EXPECT_EQ("5k pages", st.nr_pages, 2);
	EXPECT_EQ("5k size", st.size, 5000);
	kmem_cache_stats(c4095, &st);
	EXPECT_EQ("heap cache pages (shared: none of its own)", st.nr_pages, 0);
	EXPECT_EQ("pages taken", allocated_pages() - pages0, 1 + 2 + 1);
	memset(a, 1, PAGE_SIZE);
	memset(b, 2, 5000);
	memset(d, 3, PAGE_SIZE - 1);
	assert_mm_check_ok();
	kmem_cache_free(c4k, a);
	kmem_cache_free(c5k, b);
	kmem_cache_free(c4095, d);
	EXPECT_EQ("pages back", allocated_pages(), pages0);
	kmem_cache_destroy(c4k);
	kmem_cache_destroy(c5k);
	kmem_cache_destroy(c4095);
	check_shutdown();
}

/* A page cut into 64 blocks: full, off the lists; alternate frees leave
 * 32 single holes; the rest merge them; the last free gives the page back. */
static void test_fragmentation(void **state)
{
	struct page *sp;
	long pages0;
	char *p[64];
	(void)state;

	boot_attach(BOOT);
	assert_heap_empty();
	pages0 = allocated_pages();
	for (int i = 0; i < 64; i++) {
		p[i] = kmalloc(56, GFP_KERNEL);		/* 64 bytes, 32 units */
		assert_true(i == 0 || p[i] == p[i - 1] + 64);
	}
	sp = page_of(p[0]);
	assert_true(page_of(p[63]) == sp);
	EXPECT_EQ("full", sp->units, 0);
	assert_false(PageSlobFree(sp));
	EXPECT_EQ("off the lists", list_pos(&free_slob_small, sp), -1);
	for (int i = 0; i < 64; i += 2)
		kfree(p[i]);
	EXPECT_EQ("units", sp->units, 32 * 32);
	EXPECT_EQ("holes", free_blocks(sp), 32);
	/* the page that was full joined the list of the first block freed */
	assert_true(list_pos(&free_slob_small, sp) >= 0);
	assert_mm_check_ok();
	for (int i = 1; i < 63; i += 2) {
		kfree(p[i]);		/* merges the holes on both sides */
		EXPECT_EQ("holes left", free_blocks(sp), 32 - (i + 1) / 2);
	}
	assert_true(PageSlab(sp));
	kfree(p[63]);
	assert_false(PageSlab(sp));
	assert_heap_empty();
	EXPECT_EQ("the page went back", allocated_pages(), pages0);
	check_shutdown();
}

static int ctor_calls;

static void count_ctor(void *obj)
{
	ctor_calls++;
	memset(obj, 0x3c, 24);
}

/* The constructor runs on every allocation, not once per object. */
static void test_ctor_every_alloc(void **state)
{
	struct kmem_cache *c;
	unsigned char *o;
	(void)state;

	boot_attach(BOOT);
	ctor_calls = 0;
	c = kmem_cache_create("slob_ctor", 24, 0, 0, count_ctor);
	for (int i = 1; i <= 3; i++) {
		o = kmem_cache_alloc(c, GFP_KERNEL);
		EXPECT_EQ("ctor calls", ctor_calls, i);
		assert_int_equal(o[0], 0x3c);
		memset(o, 0, 24);
		kmem_cache_free(c, o);
	}
	kmem_cache_destroy(c);
	check_shutdown();
}

/* SLAB_TYPESAFE_BY_RCU: each object goes back after a grace period,
 * through the struct slob_rcu at its end. */
static void test_rcu_free(void **state)
{
	struct kmem_cache *c;
	struct page *sp;
	char *o, *k;
	int units;
	(void)state;

	boot_attach(BOOT);
	c = kmem_cache_create("slob_rcu", 100, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_non_null(c);
	k = kmalloc(20, GFP_KERNEL);		/* keeps the page */
	o = kmem_cache_alloc(c, GFP_KERNEL);
	sp = page_of(o);
	assert_true(sp == page_of(k));
	memset(o, 0x44, 100);
	units = sp->units;
	kmem_cache_free(c, o);
	EXPECT_EQ("still in use until the grace period", sp->units, units);
	rcu_barrier();
	assert_true(sp->units > units);
	assert_mm_check_ok();
	kfree(k);
	kmem_cache_destroy(c);
	check_shutdown();
}

struct rcu_obj {
	int key;
	struct rcu_head rcu;
	char pad[40];
};

/* What the common layer shows of SLOB: no /proc/slabinfo, nothing in
 * NR_SLAB_* (v4.19), the task's footprint, kfree_rcu(), and a cache
 * destroyed with objects out (reported and kept: v4.19 destroys it
 * silently). */
static void test_common_layer(void **state)
{
	long pages, objects;
	struct kmem_cache *c;
	struct rcu_obj *r;
	const char *out;
	char *meminfo, *p, *q;
	FILE *f;
	void *o;
	(void)state;

	boot_attach(BOOT);
	f = fopen("/dev/null", "w");
	EXPECT_EQ("slabinfo", mm_proc_show("slabinfo", f), -ENOENT);
	fclose(f);
	/* the footprint: objects +1 each, SLOB's pages not the task's */
	pages = current->fp_pages;
	objects = current->fp_objects;
	p = kmalloc(100, GFP_KERNEL);
	q = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	EXPECT_EQ("objects", current->fp_objects - objects, 2);
	EXPECT_EQ("pages", current->fp_pages - pages, 0);
	meminfo = proc_text("meminfo");
	assert_contains(meminfo, "Slab:                  0 kB");
	free(meminfo);
	kfree(p);
	kfree(q);
	EXPECT_EQ("objects back", current->fp_objects - objects, 0);
	EXPECT_EQ("pages back", current->fp_pages - pages, 0);
	/* kfree_rcu(): the object goes after a grace period */
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	r->key = 7;
	kfree_rcu(r, rcu);
	rcu_barrier();
	assert_heap_empty();
	/* destroy with an object out: reported, the cache kept */
	c = kmem_cache_create("slob_busy", 48, 0, 0, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	capture_begin();
	kmem_cache_destroy(c);
	out = capture_end();
	assert_contains(out, "kmem_cache_destroy slob_busy: Slab cache still has objects");
	assert_contains(out, "1 object in 0 slabs is still allocated");
	kmem_cache_free(c, o);
	kmem_cache_destroy(c);
	check_shutdown();
}

/* slab_debug means nothing under SLOB (v4.19: CONFIG_DEBUG_SLAB needs
 * SLAB): ignored, so that mempool does not poison through ksize() of cache
 * objects, which SLOB cannot give. */
static void test_slab_debug_ignored(void **state)
{
	struct kmem_cache *c;
	mempool_t *pool;
	const char *out;
	void *e[8];
	(void)state;

	boot_attach("slab=slob slab_debug mem=64M nodes=1 cpus=1");
	EXPECT_EQ("slab_debug", slab_debug, 0);
	c = kmem_cache_create("slob_pool", 40, 0, SLAB_RED_ZONE | SLAB_POISON, NULL);
	assert_non_null(c);
	EXPECT_EQ("debug flags dropped", c->flags & (SLAB_RED_ZONE | SLAB_POISON), 0);
	pool = mempool_create_slab_pool(4, c);
	capture_begin();
	for (int i = 0; i < 8; i++)
		e[i] = mempool_alloc(pool, GFP_KERNEL);
	for (int i = 0; i < 8; i++)
		mempool_free(e[i], pool);
	out = capture_end();
	assert_string_equal(out, "");
	mempool_destroy(pool);
	kmem_cache_destroy(c);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmalloc_header),
		cmocka_unit_test(test_list_choice),
		cmocka_unit_test(test_first_fit),
		cmocka_unit_test(test_head_rotation),
		cmocka_unit_test(test_cache_align),
		cmocka_unit_test(test_cache_pages),
		cmocka_unit_test(test_fragmentation),
		cmocka_unit_test(test_ctor_every_alloc),
		cmocka_unit_test(test_rcu_free),
		cmocka_unit_test(test_common_layer),
		cmocka_unit_test(test_slab_debug_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
