// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_buddy.c - the buddy system exactly as REFERENCE.md: splitting
 * (the caller keeps the lowest piece), merging (pfn ^ 1 << order), tail
 * placement, nr_free, mm_check() catching a broken invariant and the line
 * it prints when every invariant holds.
 *
 * The machines are one 4 MiB block (mem=4M: 1024 frames, one order-10
 * block) with min_free_kbytes=0, so the watermarks stay out of the way.
 */
#include "../testutil.h"

static void boot_one_block(void)
{
	boot_attach("mem=4M nodes=1 cpus=1 min_free_kbytes=0");
	/* MIN 0; LOW = 1024 * 10 / 10000 = 1: the slow path reaches 0 */
	assert_int_equal(min_wmark_pages(zone_of(0, ZONE_DMA)), 0);
	assert_int_equal(low_wmark_pages(zone_of(0, ZONE_DMA)), 1);
}

static unsigned long nr_free(unsigned int order)
{
	return zone_of(0, ZONE_DMA)->free_area[order].nr_free;
}

/* pfn of the n-th block on the order's free list (from the head) */
static unsigned long list_pfn(unsigned int order, int n)
{
	struct cds_list_head *head = &zone_of(0, ZONE_DMA)->free_area[order].free_list;
	struct cds_list_head *pos = head->next;

	while (n--) {
		assert_ptr_not_equal(pos, head);
		pos = pos->next;
	}
	assert_ptr_not_equal(pos, head);
	return page_to_pfn(cds_list_entry(pos, struct page, lru));
}

static void test_boot_state(void **state)
{
	(void)state;
	boot_one_block();
	for (unsigned int o = 0; o < MAX_ORDER - 1; o++)
		assert_int_equal(nr_free(o), 0);
	assert_int_equal(nr_free(MAX_ORDER - 1), 1);
	assert_true(PageBuddy(pfn_to_page(0)));
	assert_int_equal(page_order(pfn_to_page(0)), MAX_ORDER - 1);
	assert_int_equal(page_count(pfn_to_page(0)), 0);
	check_shutdown();
}

/* REFERENCE: order 0 from a lone order-3 block at P returns P and leaves
 * P+4 (order 2), P+2 (order 1), P+1 (order 0). */
static void test_split_lone_order3(void **state)
{
	struct page *big, *small;
	unsigned long p;
	(void)state;

	boot_one_block();
	/* leave exactly one free order-3 block: take all, give back 8 at P */
	big = alloc_pages(GFP_KERNEL, 3);		/* splits 10 -> 3, keeps [0,8) */
	assert_int_equal(page_to_pfn(big), 0);
	for (unsigned int o = 3; o < MAX_ORDER - 1; o++)
		assert_int_equal(nr_free(o), 1);	/* the upper halves */
	for (unsigned int o = MAX_ORDER - 2; o >= 3; o--) {
		struct page *pg = alloc_pages(GFP_KERNEL, o);

		assert_int_equal(page_to_pfn(pg), 1UL << o);	/* each upper half */
		if (o == 3)
			break;
	}
	/* now everything is allocated; free [8,16) back: a lone order-3 block */
	__free_pages(pfn_to_page(8), 3);
	assert_int_equal(nr_free(3), 1);
	assert_int_equal(zone_free(0, ZONE_DMA), 8);

	p = 8;
	small = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(small), p);
	assert_int_equal(nr_free(3), 0);
	assert_int_equal(nr_free(2), 1);
	assert_int_equal(list_pfn(2, 0), p + 4);
	assert_int_equal(nr_free(1), 1);
	assert_int_equal(list_pfn(1, 0), p + 2);
	assert_int_equal(nr_free(0), 1);
	assert_int_equal(list_pfn(0, 0), p + 1);
	assert_int_equal(page_order(pfn_to_page(p + 4)), 2);
	assert_true(PageBuddy(pfn_to_page(p + 2)));
	assert_false(PageBuddy(small));
	assert_int_equal(page_count(small), 1);
	assert_mm_check_ok();

	/* freeing P merges everything back into the order-3 block */
	__free_pages(small, 0);
	assert_int_equal(nr_free(0), 0);
	assert_int_equal(nr_free(1), 0);
	assert_int_equal(nr_free(2), 0);
	assert_int_equal(nr_free(3), 1);
	assert_int_equal(list_pfn(3, 0), 8);

	/* and freeing the rest rebuilds the order-10 block */
	__free_pages(big, 3);
	for (unsigned int o = 4; o < MAX_ORDER - 1; o++)
		__free_pages(pfn_to_page(1UL << o), o);
	for (unsigned int o = 0; o < MAX_ORDER - 1; o++)
		assert_int_equal(nr_free(o), 0);
	assert_int_equal(nr_free(MAX_ORDER - 1), 1);
	check_shutdown();
}

/* Successive order-0 allocations from a fresh block walk upwards. */
static void take_all_order0(struct page **pages)
{
	for (int i = 0; i < 1024; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		assert_non_null(pages[i]);
		assert_int_equal(page_to_pfn(pages[i]), (unsigned long)i);
	}
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	assert_int_equal(zone_free(0, ZONE_DMA), 0);
}

static void test_merge_with_buddy(void **state)
{
	struct page *pages[1024];
	(void)state;

	boot_one_block();
	take_all_order0(pages);
	/* 6 and 7 are buddies at order 0; {4,5} and {6,7} at order 1 */
	__free_pages(pages[6], 0);
	assert_int_equal(nr_free(0), 1);
	__free_pages(pages[7], 0);
	assert_int_equal(nr_free(0), 0);
	assert_int_equal(nr_free(1), 1);
	assert_int_equal(list_pfn(1, 0), 6);
	__free_pages(pages[5], 0);		/* buddy 4 is allocated: stays */
	assert_int_equal(nr_free(0), 1);
	__free_pages(pages[4], 0);		/* 4+5 -> order 1, + {6,7} -> order 2 */
	assert_int_equal(nr_free(0), 0);
	assert_int_equal(nr_free(1), 0);
	assert_int_equal(nr_free(2), 1);
	assert_int_equal(list_pfn(2, 0), 4);
	assert_int_equal(page_order(pfn_to_page(4)), 2);
	assert_false(PageBuddy(pfn_to_page(6)));	/* absorbed */
	assert_mm_check_ok();
	for (int i = 0; i < 1024; i++)
		if (i < 4 || i > 7)
			__free_pages(pages[i], 0);
	assert_int_equal(nr_free(MAX_ORDER - 1), 1);
	check_shutdown();
}

/* A freed block whose next-higher buddy is free goes to the list's tail. */
static void test_tail_placement(void **state)
{
	struct page *pages[1024], *again;
	(void)state;

	boot_one_block();
	take_all_order0(pages);
	__free_pages(pages[2], 0);
	__free_pages(pages[3], 0);		/* {2,3}: a free order-1 block */
	__free_pages(pages[9], 0);		/* 8 and {10,11} held: head */
	assert_int_equal(list_pfn(0, 0), 9);
	/* 1: its buddy 0 is held, but the order-1 buddy of {0,1} is {2,3},
	 * free: 1 may merge soon, so it goes to the tail */
	__free_pages(pages[1], 0);
	assert_int_equal(nr_free(0), 2);
	assert_int_equal(list_pfn(0, 0), 9);
	assert_int_equal(list_pfn(0, 1), 1);
	/* 13: buddy 12 held, {14,15} held: head */
	__free_pages(pages[13], 0);
	assert_int_equal(list_pfn(0, 0), 13);
	assert_int_equal(list_pfn(0, 2), 1);
	/* allocation takes from the head: 13, then 9, and only then 1 */
	again = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(again), 13);
	pages[13] = again;
	again = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(again), 9);
	pages[9] = again;
	again = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(again), 1);
	pages[1] = again;
	again = alloc_pages(GFP_KERNEL, 0);	/* then the order-1 block splits */
	assert_int_equal(page_to_pfn(again), 2);
	pages[2] = again;
	again = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(again), 3);
	pages[3] = again;
	for (int i = 0; i < 1024; i++)
		__free_pages(pages[i], 0);
	assert_int_equal(nr_free(MAX_ORDER - 1), 1);
	check_shutdown();
}

/* Merging stops at MAX_ORDER - 1: two neighbouring 4 MiB blocks stay apart. */
static void test_merge_stops_at_max_order(void **state)
{
	struct page *a, *b;
	(void)state;

	boot_attach("mem=8M nodes=1 cpus=1 min_free_kbytes=0");
	a = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	b = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	assert_non_null(a);
	assert_non_null(b);
	__free_pages(a, MAX_ORDER - 1);
	__free_pages(b, MAX_ORDER - 1);
	assert_int_equal(zone_of(0, ZONE_DMA)->free_area[MAX_ORDER - 1].nr_free, 2);
	check_shutdown();
}

static void test_every_order(void **state)
{
	struct page *pages[MAX_ORDER];
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		pages[o] = alloc_pages(GFP_KERNEL, o);
		assert_non_null(pages[o]);
		assert_int_equal(page_to_pfn(pages[o]) & ((1UL << o) - 1), 0);
		assert_int_equal(page_count(pages[o]), 1);
	}
	assert_int_equal(zone_alloc_pages(zone_of(0, ZONE_DMA)) +
			 zone_alloc_pages(zone_of(0, ZONE_DMA32)), (1L << MAX_ORDER) - 1);
	assert_mm_check_ok();
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		__free_pages(pages[o], o);
	assert_int_equal(allocated_pages(), 0);
	drain_local_pages(NULL);	/* the order-0 page sits on CPU 0's list */
	assert_int_equal(nr_free_pages(), totalram_pages);
	check_shutdown();
}

/* mm_check() is only worth something if it fails on a broken invariant. */
static void test_mm_check_catches_corruption(void **state)
{
	struct zone *zone;
	struct page *pages[1024], *p;
	unsigned long flags;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;

	boot_one_block();
	zone = zone_of(0, ZONE_DMA);
	take_all_order0(pages);
	__free_pages(pages[100], 0);
	__free_pages(pages[200], 0);

	f = open_memstream(&buf, &len);
	/* nr_free out of step with the list */
	zone->free_area[0].nr_free++;
	assert_true(mm_check(f) > 0);
	zone->free_area[0].nr_free--;
	/* a free block without PG_buddy */
	__ClearPageBuddy(pfn_to_page(100));
	assert_true(mm_check(f) > 0);
	__SetPageBuddy(pfn_to_page(100));
	/* a stray PG_buddy on an allocated frame */
	__SetPageBuddy(pfn_to_page(300));
	pfn_to_page(300)->private = 0;
	assert_true(mm_check(f) > 0);
	__ClearPageBuddy(pfn_to_page(300));
	/* two free buddies left unmerged */
	p = pages[101];
	spin_lock_irqsave(&zone->lock, flags);
	set_page_order(p, 0);
	cds_list_add(&p->lru, &zone->free_area[0].free_list);
	zone->free_area[0].nr_free++;
	spin_unlock_irqrestore(&zone->lock, flags);
	set_page_count(p, 0);
	assert_true(mm_check(f) > 0);
	fclose(f);
	assert_contains(buf, "nr_free is");
	assert_contains(buf, "has no PG_buddy");
	assert_contains(buf, "has PG_buddy but is on no free list");
	assert_contains(buf, "are not merged");
	assert_contains(buf, "conservation");
	if (strstr(buf, "all invariants hold"))
		fail_msg("a failed check says that all invariants hold:\n%s", buf);
	free(buf);
	/* undo the fake free block, then everything is consistent again */
	spin_lock_irqsave(&zone->lock, flags);
	cds_list_del(&p->lru);
	rmv_page_order(p);
	zone->free_area[0].nr_free--;
	spin_unlock_irqrestore(&zone->lock, flags);
	set_page_count(p, 1);
	assert_mm_check_ok();
	for (int i = 0; i < 1024; i++)
		if (i != 100 && i != 200)
			__free_pages(pages[i], 0);
	check_shutdown();
}

/* mm_check(f) into a string; its return value in *ret. */
static char *check_text(int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*ret = mm_check(f);
	fclose(f);
	return buf;
}

/* The caches /proc/slabinfo lists (after its two header lines). */
static unsigned long nr_caches(void)
{
	char *text = proc_text("slabinfo");
	unsigned long lines = 0;

	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	free(text);
	assert_true(lines >= 2);
	return lines - 2;
}

/* The line mm_check() must print for the machine as it is now. */
static void expected_line(char *buf, size_t len)
{
	unsigned long zones = 0, managed = 0, pcp = 0, slab;
	struct zone *zone;

	for_each_populated_zone(zone) {
		zones++;
		managed += zone->managed_pages;
		pcp += zone_pcp_pages(zone);
	}
	slab = global_node_page_state(NR_SLAB_RECLAIMABLE) +
	       global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	snprintf(buf, len, "mm_check: all invariants hold: %u node%s, %lu zone%s, %lu pages = "
		 "%lu free + %lu on per-CPU lists + %ld allocated (%lu slab page%s in %lu caches)\n",
		 num_online_nodes(), num_online_nodes() == 1 ? "" : "s", zones,
		 zones == 1 ? "" : "s", managed, nr_free_pages(), pcp, allocated_pages(), slab,
		 slab == 1 ? "" : "s", nr_caches());
}

/* When every invariant holds, mm_check(f) says so in one line on f: the
 * conservation law it verified, summed over the zones, and the slabs. */
static void test_mm_check_line(void **state)
{
	struct page *page0, *page3;
	char want[512], *got;
	void *obj;
	int ret;
	(void)state;

	boot_attach("mem=256M nodes=2 cpus=2");
	page0 = alloc_page(GFP_KERNEL);		/* refills CPU 0's hot list */
	page3 = alloc_pages(GFP_KERNEL, 3);
	obj = kmalloc(100, GFP_KERNEL);		/* a slab page */
	assert_non_null(page0);
	assert_non_null(page3);
	assert_non_null(obj);
	assert_true(allocated_pages() >= 1 + 8 + 1);
	assert_true(zone_pcp_pages(page_zone(page0)) > 0);
	expected_line(want, sizeof(want));
	got = check_text(&ret);
	assert_int_equal(ret, 0);
	assert_string_equal(got, want);
	free(got);
	assert_int_equal(mm_check(NULL), 0);	/* no report, nothing printed */
	kfree(obj);
	__free_pages(page3, 3);
	__free_page(page0);
	check_shutdown();

	/* one node, one zone: singular */
	boot_one_block();
	expected_line(want, sizeof(want));
	assert_non_null(strstr(want, ": 1 node, 1 zone, 1024 pages = "));
	got = check_text(&ret);
	assert_int_equal(ret, 0);
	assert_string_equal(got, want);
	free(got);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_boot_state),
		TEST(test_split_lone_order3),
		TEST(test_merge_with_buddy),
		TEST(test_tail_placement),
		TEST(test_merge_stops_at_max_order),
		TEST(test_every_order),
		TEST(test_mm_check_catches_corruption),
		TEST(test_mm_check_line),
	};

	return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
