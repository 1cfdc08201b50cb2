// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_layout.c - the structural checks: each test breaks one
 * structure the allocator owns, in test-only code, on a machine whose CPU
 * is not running anything else, and checks that mm_check() (or
 * mempool_is_valid(), or slab_debug at the allocation and the free) names
 * it; then it puts the structure back and the check passes again.
 *
 *   a slab's first object past its colour range	slab layout
 *   a cache whose num objects overrun the slab	slab layout
 *   a kmalloc class smaller than its size		slab layout
 *   an array entry mid-object / of another cache	slab
 *   a per-CPU list's count, its high and batch	zone
 *   a free block not aligned to its order		zone
 *   a mempool's reserve: count, NULL, twice	mempool_is_valid()
 *   slab_debug: an object outside its slab's room	"BUG: slab layout"
 */
#include "../testutil.h"
#include "../../mm/slab.h"

#include <mmsim/mempool.h>

#define BOOT		"mem=64M nodes=1 cpus=1"
#define BOOT_DEBUG	"mem=64M nodes=1 cpus=1 slab_debug"

/* mm_check() must fail and say `needle`; its report is returned. */
static const char *check_says(const char *needle)
{
	const char *why = mm_check_failed();

	if (!why)
		fail_msg("mm_check() passed; expected \"%s\"", needle);
	assert_contains(why, needle);
	if (strstr(why, "all invariants hold"))
		fail_msg("a failed check says that all invariants hold:\n%s", why);
	return why;
}

static void nop_ctor(void *obj)
{
	(void)obj;
}

static struct kmem_cache *make_cache(const char *name, unsigned int size)
{
	struct kmem_cache *c = kmem_cache_create(name, size, 0, 0, NULL);

	assert_non_null(c);
	return c;
}

static void test_slab_first_object_past_colours(void **state)
{
	struct kmem_cache *c;
	struct page *page;
	size_t colours;
	char want[128];
	void *obj, *s_mem;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab layout and colouring (SLUB's checks: test_slub_check; "
			 "SLOB's: test_slob)");

	boot_attach(BOOT);
	c = make_cache("layout-colour", 100);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(obj);
	page = virt_to_slab(obj);
	assert_non_null(page);
	assert_mm_check_ok();

	colours = c->colour ? c->colour : 1;
	s_mem = page->s_mem;
	page->s_mem = (char *)page_address(page) + colours * c->colour_off;
	snprintf(want, sizeof(want), "mm_check: slab layout: layout-colour: slab pfn %#lx",
		 page_to_pfn(page));
	assert_contains(check_says(want), "not a colour below");
	page->s_mem = s_mem;
	assert_mm_check_ok();

	kmem_cache_free(c, obj);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_cache_num_too_large(void **state)
{
	struct kmem_cache *c;
	unsigned int num;
	void *obj;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab layout (SLUB's checks: test_slub_check; SLOB's: test_slob)");

	boot_attach(BOOT);
	c = make_cache("layout-num", 200);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(obj);
	num = c->num;
	/* one object more than the slab holds, its freelist to match */
	c->num = (unsigned int)((PAGE_SIZE << c->gfporder) / c->size) + 1;
	c->freelist_size = c->num * sizeof(freelist_idx_t);
	assert_contains(check_says("mm_check: slab layout: layout-num: colour "),
			"bytes, but a slab of order");
	c->num = num;
	c->freelist_size = num * sizeof(freelist_idx_t);
	assert_mm_check_ok();
	kmem_cache_free(c, obj);
	kmem_cache_destroy(c);
	check_shutdown();
}

/* An on-slab freelist moved into the objects: the objects overrun it. */
static void test_onslab_freelist_overlaps_objects(void **state)
{
	struct kmem_cache *c;
	struct page *page;
	void *obj, *freelist;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's on-slab freelist");

	boot_attach(BOOT);
	/* a constructor keeps the freelist out of the objects; 40-byte
	 * objects keep it on the slab (the left-over holds it) */
	c = kmem_cache_create("layout-onslab", 40, 0, 0, nop_ctor);
	assert_non_null(c);
	assert_false(OFF_SLAB(c) || OBJFREELIST_SLAB(c));
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(obj);
	page = virt_to_slab(obj);
	assert_mm_check_ok();
	freelist = page->freelist;
	page->freelist = (char *)freelist - c->size;
	assert_contains(check_says("mm_check: slab layout: layout-onslab: slab pfn"),
			"on-slab freelist at offset");
	page->freelist = freelist;
	assert_mm_check_ok();
	kmem_cache_free(c, obj);
	kmem_cache_destroy(c);
	check_shutdown();
}

static void test_kmalloc_class_too_small(void **state)
{
	struct kmem_cache *c;
	unsigned int size;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's kmalloc classes and slab layout check");

	boot_attach(BOOT);
	c = kmalloc_slab(100, GFP_KERNEL);	/* kmalloc-128 */
	assert_non_null(c);
	size = c->object_size;
	c->object_size = 96;
	assert_contains(check_says("mm_check: slab layout: kmalloc"),
			"kmalloc(104): class 7, kmalloc-128, has objects of 96 bytes");
	c->object_size = size;
	assert_mm_check_ok();
	check_shutdown();
}

static void test_array_entry_mid_object(void **state)
{
	struct kmem_cache *c, *other;
	struct array_cache *ac;
	void *obj, *stranger, *saved;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's per-CPU array caches");

	boot_attach(BOOT " slab_nomerge");	/* two caches of one size, apart */
	c = make_cache("layout-array", 64);
	other = make_cache("layout-other", 64);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	stranger = kmem_cache_alloc(other, GFP_KERNEL);
	assert_non_null(obj);
	assert_non_null(stranger);
	ac = c->cpu_cache[0];
	assert_true(ac->avail > 0);	/* the refill's batch rests there */
	assert_mm_check_ok();

	saved = ac->entry[0];
	ac->entry[0] = (char *)saved + 8;
	assert_contains(check_says("mm_check: slab: layout-array: cpu 0 array holds"),
			"not at an object boundary");
	ac->entry[0] = stranger;
	assert_contains(check_says("mm_check: slab: layout-array: cpu 0 array holds"),
			"not an object of this cache");
	ac->entry[0] = saved;
	assert_mm_check_ok();

	kmem_cache_free(c, obj);
	kmem_cache_free(other, stranger);
	kmem_cache_destroy(c);
	kmem_cache_destroy(other);
	check_shutdown();
}

static void test_pcp_count_and_limits(void **state)
{
	struct per_cpu_pages *pcp;
	struct page *page;
	int high, batch;
	(void)state;

	boot_attach(BOOT);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(page);
	__free_pages(page, 0);		/* onto CPU 0's hot list */
	pcp = &page_zone(page)->pageset[0].pcp[0];
	assert_true(pcp->count > 0);
	assert_mm_check_ok();

	pcp->count++;
	assert_contains(check_says("cpu 0 hot list count is"), "but it holds");
	pcp->count--;
	high = pcp->high;
	batch = pcp->batch;
	pcp->batch = high + 1;
	assert_contains(check_says("cpu 0 hot list high"), "(want 1 <= batch <= high)");
	pcp->batch = 0;
	check_says("cpu 0 hot list high");
	pcp->batch = batch;
	assert_mm_check_ok();
	check_shutdown();
}

static void test_free_block_misaligned(void **state)
{
	unsigned int order = MAX_ORDER - 1;
	struct page *page = NULL, *moved;
	struct zone *zone;
	unsigned long flags, end;
	char want[128];
	(void)state;

	boot_attach(BOOT);
	zone = zone_of(0, ZONE_DMA32);
	end = zone->zone_start_pfn + zone->spanned_pages;
	spin_lock_irqsave(&zone->lock, flags);
	cds_list_for_each_entry(page, &zone->free_area[order].free_list, lru)
		if (page_to_pfn(page) + (2UL << order) <= end)
			break;
	assert_true(&page->lru != &zone->free_area[order].free_list);
	/* the block's head moved one frame up: same list, same count */
	moved = page + 1;
	cds_list_add(&moved->lru, &page->lru);
	cds_list_del(&page->lru);
	rmv_page_order(page);
	set_page_order(moved, order);
	spin_unlock_irqrestore(&zone->lock, flags);

	snprintf(want, sizeof(want), "free block pfn %#lx is not aligned to its order %u",
		 page_to_pfn(moved), order);
	check_says(want);

	spin_lock_irqsave(&zone->lock, flags);
	cds_list_add(&page->lru, &moved->lru);
	cds_list_del(&moved->lru);
	rmv_page_order(moved);
	set_page_order(page, order);
	spin_unlock_irqrestore(&zone->lock, flags);
	assert_mm_check_ok();
	check_shutdown();
}

static const char *pool_check(mempool_t *pool)
{
	static char *buf;
	size_t len = 0;
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_true(mempool_is_valid(pool, f) > 0);
	fclose(f);
	return buf;
}

static void test_mempool_reserve(void **state)
{
	mempool_t *pool;
	void *saved;
	(void)state;

	boot_attach(BOOT);
	pool = mempool_create_kmalloc_pool(4, 64);
	assert_non_null(pool);
	assert_int_equal(mempool_is_valid(pool, NULL), 0);

	pool->curr_nr = 5;
	assert_contains(pool_check(pool), "curr_nr 5, min_nr 4");
	pool->curr_nr = 4;
	saved = pool->elements[2];
	pool->elements[2] = NULL;
	assert_contains(pool_check(pool), "elements[2] is NULL with curr_nr 4");
	pool->elements[2] = pool->elements[0];
	assert_contains(pool_check(pool), "is twice in the reserve (elements[0] and [2])");
	pool->elements[2] = saved;
	assert_int_equal(mempool_is_valid(pool, NULL), 0);

	mempool_destroy(pool);
	check_shutdown();
}

/* slab_debug: an object's place is checked when it is handed out and
 * when it comes back. */
static void test_debug_object_outside_its_room(void **state)
{
	unsigned long before;
	struct kmem_cache *c;
	struct page *page;
	const char *out;
	void *a, *b, *s_mem, *freelist;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's slab_debug and slab layout");

	boot_attach(BOOT_DEBUG);
	c = make_cache("layout-debug", 40);
	assert_true(c->flags & SLAB_RED_ZONE);
	assert_false(OFF_SLAB(c) || OBJFREELIST_SLAB(c));
	a = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(a);
	page = virt_to_slab(a);

	/* the slab's objects shifted by half an object: the next one handed
	 * out (from the CPU's array) is not a whole object */
	s_mem = page->s_mem;
	page->s_mem = (char *)s_mem + c->size / 2;
	before = report_violations();
	capture_begin();
	b = kmem_cache_alloc(c, GFP_KERNEL);
	out = capture_end();
	page->s_mem = s_mem;
	assert_non_null(b);
	EXPECT_EQ("reports", report_violations() - before, 1);
	assert_contains(out, "BUG: slab layout: layout-debug: allocation of");
	assert_contains(out, "not a whole object of slab");
	/* its red zones were not made active: put them right for the free */
	memset((char *)b - c->obj_offset, SLUB_RED_ACTIVE, 8);
	memset((char *)b + ALIGN(c->object_size, 8), SLUB_RED_ACTIVE, 8);

	/* an on-slab freelist moved down over a's buffer: a would end past
	 * its room, and its free is refused */
	freelist = page->freelist;
	page->freelist = (char *)a - c->obj_offset;
	before = report_violations();
	capture_begin();
	kmem_cache_free(c, a);
	out = capture_end();
	page->freelist = freelist;
	EXPECT_EQ("reports", report_violations() - before, 1);
	assert_contains(out, "BUG: slab layout: layout-debug: free of");
	/* refused: a is still out, and is freed now */
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	assert_mm_check_ok();
	kmem_cache_destroy(c);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_slab_first_object_past_colours),
		TEST(test_cache_num_too_large),
		TEST(test_onslab_freelist_overlaps_objects),
		TEST(test_kmalloc_class_too_small),
		TEST(test_array_entry_mid_object),
		TEST(test_pcp_count_and_limits),
		TEST(test_free_block_misaligned),
		TEST(test_mempool_reserve),
		TEST(test_debug_object_outside_its_room),
	};

	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
