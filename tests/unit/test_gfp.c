// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_gfp.c - gfp flags: gfp_zone() on both arches, invalid
 * combinations, zonelists and node fallback, __GFP_THISNODE, __GFP_ZERO,
 * __GFP_COMP, highmem, Movable, and the NUMA counters.
 */
#include "../testutil.h"

static void test_gfp_values(void **state)
{
	(void)state;
	/* v4.19 bit values */
	assert_int_equal(GFP_ATOMIC, 0x480020);
	assert_int_equal(GFP_KERNEL, 0x6000c0);
	assert_int_equal(GFP_NOWAIT, 0x400000);
	assert_int_equal(GFP_NOIO, 0x600000);
	assert_int_equal(GFP_NOFS, 0x600040);
	assert_int_equal(GFP_USER, 0x6200c0);
	assert_int_equal(GFP_HIGHUSER, 0x6200c2);
	assert_int_equal(GFP_HIGHUSER_MOVABLE, 0x6200ca);
	assert_int_equal(GFP_DMA, 0x01);
	assert_int_equal(GFP_DMA32, 0x04);
	/* __GFP_COLD takes the first bit above v4.19's flags */
	assert_int_equal(__GFP_COLD, 0x1000000);
	assert_int_equal(__GFP_COLD & (__GFP_NOLOCKDEP * 2 - 1), 0);
}

static void test_gfp_zone_x86_64(void **state)
{
	(void)state;
	boot_attach("mem=64M nodes=1 cpus=1");
	assert_int_equal(gfp_zone(GFP_KERNEL), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_DMA), ZONE_DMA);
	assert_int_equal(gfp_zone(GFP_DMA32), ZONE_DMA32);
	assert_int_equal(gfp_zone(GFP_HIGHUSER), ZONE_NORMAL);	/* no highmem */
	assert_int_equal(gfp_zone(__GFP_MOVABLE), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
	assert_int_equal(gfp_zone(__GFP_MOVABLE | __GFP_DMA), ZONE_DMA);
	assert_int_equal(gfp_zone(__GFP_MOVABLE | __GFP_DMA32), ZONE_DMA32);
	assert_int_equal(gfp_zone(__GFP_DMA | __GFP_DMA32), -1);
	assert_int_equal(gfp_zone(__GFP_DMA | __GFP_HIGHMEM), -1);
	assert_int_equal(gfp_zone(__GFP_DMA32 | __GFP_HIGHMEM | __GFP_MOVABLE), -1);
	check_shutdown();
}

static void test_gfp_zone_x86_32(void **state)
{
	struct page *page;
	(void)state;

	boot_attach("arch=x86_32 mem=1G nodes=1 cpus=1");
	assert_int_equal(gfp_zone(GFP_HIGHUSER), ZONE_HIGHMEM);
	assert_int_equal(gfp_zone(GFP_DMA32), ZONE_NORMAL);	/* no DMA32 */
	assert_int_equal(gfp_zone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
	/* no Movable zone: the highest populated zone below it serves */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(page_zonenum(page), ZONE_HIGHMEM);
	__free_pages(page, 0);
	page = alloc_pages(GFP_DMA32, 0);
	assert_int_equal(page_zonenum(page), ZONE_NORMAL);
	__free_pages(page, 0);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_zonenum(page), ZONE_NORMAL);
	assert_non_null(page_address(page));
	__free_pages(page, 0);
	check_shutdown();
}

static void test_invalid_gfp_refused(void **state)
{
	unsigned long warns;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	warns = report_count(REPORT_WARNING);
	capture_begin();
	assert_null(alloc_pages(__GFP_DMA | __GFP_DMA32, 0));
	assert_null(alloc_pages(GFP_KERNEL | __GFP_HIGHMEM | __GFP_DMA, 0));
	assert_null(alloc_pages(GFP_KERNEL | (1u << 30), 0));
	out = capture_end();
	assert_contains(out, "------------[ cut here ]------------");
	assert_contains(out, "gfp_zone: invalid zone modifiers, mode:0x5(GFP_DMA|GFP_DMA32)");
	assert_contains(out, "mode:0x6000c3(GFP_KERNEL|GFP_DMA|__GFP_HIGHMEM)");
	assert_contains(out, "unknown gfp bits 0x40000000");
	assert_contains(out, "WARNING: CPU: 0 PID:");
	assert_contains(out, "---[ end trace");
	assert_int_equal(report_count(REPORT_WARNING), warns + 3);
	assert_int_equal(nr_free_pages(), totalram_pages);
	check_shutdown();
}

static void test_zonelist_order(void **state)
{
	/* v4.19 find_next_best_node: equal distances rotate by node_load */
	static const int expect[4][4] = {
		{ 0, 1, 2, 3 }, { 1, 2, 3, 0 }, { 2, 3, 0, 1 }, { 3, 0, 1, 2 },
	};
	(void)state;

	boot_attach("mem=256M nodes=4 cpus=4");
	for (int nid = 0; nid < 4; nid++) {
		struct zoneref *z = NODE_DATA(nid)->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
		int n = 0;

		for (; z->zone; z++) {
			/* each node's zones from the highest down */
			if (z[1].zone && z[1].zone->node == z->zone->node)
				assert_true(z[1].zone_idx < z->zone_idx);
			if (!z[1].zone || z[1].zone->node != z->zone->node) {
				assert_int_equal(z->zone->node, expect[nid][n]);
				n++;
			}
		}
		assert_int_equal(n, 4);
		z = NODE_DATA(nid)->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
		for (; z->zone; z++)
			assert_int_equal(z->zone->node, nid);
	}
	check_shutdown();
}

static void test_node_fallback_and_thisnode(void **state)
{
	struct held h = { 0 };
	struct page *page;
	(void)state;

	boot_attach("mem=128M nodes=2 cpus=2");
	assert_int_equal(numa_node_id(), 0);
	page = alloc_pages_node(1, GFP_KERNEL, 0);
	assert_int_equal(page_to_nid(page), 1);
	held_push(&h, page, 0);
	page = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL, 0);
	assert_int_equal(page_to_nid(page), 0);
	held_push(&h, page, 0);

	/* exhaust node 1 for __GFP_THISNODE: it never falls back */
	while ((page = alloc_pages_node(1, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, 0)))
		assert_int_equal(page_to_nid(page), 1), held_push(&h, page, 0);
	/* without it, node 1's requests are served by node 0 */
	page = alloc_pages_node(1, GFP_KERNEL, 0);
	assert_non_null(page);
	assert_int_equal(page_to_nid(page), 0);
	held_push(&h, page, 0);
	held_free_all(&h);
	check_shutdown();
}

/*
 * __GFP_THISNODE never returns another node's page, on any path.  Node 1
 * of this machine has no DMA32 zone (it is all above 4G), so CPU 1's
 * GFP_DMA32 allocations fall back to node 0, and its per-CPU list of node
 * 0's DMA32 zone fills up; the order-0 fast path must not serve a
 * GFP_DMA32 | __GFP_THISNODE request from that list.
 */
static void test_thisnode_fast_path(void **state)
{
	struct page *page, *other;
	(void)state;

	printk_set_quiet(1);
	assert_int_equal(mm_boot("mem=8G nodes=2 cpus=2"), 0);
	assert_int_equal(mm_cpu_attach(1), 0);
	assert_int_equal(numa_node_id(), 1);
	assert_int_equal(zone_of(1, ZONE_DMA32)->present_pages, 0);

	page = alloc_page(GFP_DMA32);
	assert_non_null(page);
	assert_int_equal(page_to_nid(page), 0);
	assert_true(zone_of(0, ZONE_DMA32)->pageset[1].pcp[0].count > 0);

	assert_null(alloc_pages(GFP_DMA32 | __GFP_THISNODE | __GFP_NOWARN, 0));
	assert_null(alloc_pages_node(1, GFP_DMA32 | __GFP_THISNODE | __GFP_NOWARN, 0));
	assert_null(alloc_pages_node(NUMA_NO_NODE, GFP_DMA32 | __GFP_THISNODE | __GFP_NOWARN, 0));
	/* node 1's own zones still serve __GFP_THISNODE, node 0's when asked */
	other = alloc_pages(GFP_KERNEL | __GFP_THISNODE, 0);
	assert_non_null(other);
	assert_int_equal(page_to_nid(other), 1);
	__free_page(other);
	other = alloc_pages_node(0, GFP_DMA32 | __GFP_THISNODE, 0);
	assert_non_null(other);
	assert_int_equal(page_to_nid(other), 0);
	__free_page(other);
	__free_page(page);
	check_shutdown();
}

static void test_numa_counters(void **state)
{
	struct zone *z0, *z1;
	struct page *a, *b;
	(void)state;

	boot_attach("mem=128M nodes=2 cpus=2");
	z0 = zone_of(0, ZONE_DMA32);
	z1 = zone_of(1, ZONE_DMA32);
	a = alloc_pages_node(0, GFP_KERNEL, 0);		/* local hit */
	b = alloc_pages_node(1, GFP_KERNEL, 0);		/* hit on node 1, from CPU 0 */
	assert_int_equal(zone_numa_state_snapshot(z0, NUMA_HIT), 1);
	assert_int_equal(zone_numa_state_snapshot(z0, NUMA_LOCAL), 1);
	assert_int_equal(zone_numa_state_snapshot(z1, NUMA_HIT), 1);
	assert_int_equal(zone_numa_state_snapshot(z1, NUMA_OTHER), 1);
	assert_int_equal(zone_numa_state_snapshot(z1, NUMA_LOCAL), 0);
	__free_pages(a, 0);
	__free_pages(b, 0);
	check_shutdown();
}

static void test_gfp_zero_and_comp(void **state)
{
	struct page *page;
	unsigned char *p;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 2);
	memset(page_address(page), 0xab, 4 * PAGE_SIZE);
	__free_pages(page, 2);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	p = page_address(page);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		if (p[i])
			fail_msg("byte %zu of a __GFP_ZERO block is %#x", i, p[i]);
	__free_pages(page, 2);
	/* get_zeroed_page() too, after the page was dirtied and freed */
	p = (unsigned char *)__get_free_page(GFP_KERNEL);
	memset(p, 0xcd, PAGE_SIZE);
	free_page((unsigned long)p);
	p = (unsigned char *)get_zeroed_page(GFP_KERNEL);
	assert_non_null(p);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			fail_msg("byte %zu of get_zeroed_page() is %#x", i, p[i]);
	free_page((unsigned long)p);

	/* a compound page: tails point at the head; put_page frees it all */
	page = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	assert_true(PageHead(page));
	for (int i = 1; i < 8; i++) {
		assert_true(PageTail(page + i));
		assert_ptr_equal(compound_head(page + i), page);
	}
	get_page(page + 5);		/* references go to the head */
	assert_int_equal(page_count(page), 2);
	put_page(page + 3);
	assert_int_equal(page_count(page), 1);
	put_page(page);
	for (int i = 1; i < 8; i++)
		assert_false(PageTail(page + i));
	assert_int_equal(allocated_pages(), 0);
	check_shutdown();
}

static void test_get_put_page(void **state)
{
	struct page *page;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_page(GFP_KERNEL);
	get_page(page);
	__free_page(page);		/* drops one reference: still held */
	assert_int_equal(page_count(page), 1);
	assert_int_equal(allocated_pages(), 1);
	put_page(page);
	assert_int_equal(allocated_pages(), 0);
	page = alloc_page(GFP_KERNEL);
	free_cold_page(page);
	assert_int_equal(allocated_pages(), 0);
	check_shutdown();
}

static void test_highmem_zeroing(void **state)
{
	struct page *page;
	(void)state;

	boot_attach("arch=x86_32 mem=1G nodes=1 cpus=1");
	page = alloc_pages(GFP_HIGHUSER | __GFP_ZERO, 1);
	assert_true(PageHighMem(page));
	assert_null(page_address(page));
	__free_pages(page, 1);
	/* __get_free_pages() needs an address: highmem is refused */
	capture_begin();
	assert_int_equal(__get_free_pages(GFP_HIGHUSER, 0), 0);
	assert_contains(capture_end(), "__GFP_HIGHMEM");
	check_shutdown();
}

static void test_movable_zone(void **state)
{
	struct page *page;
	struct held h = { 0 };
	(void)state;

	/* movablecore: the top of Normal becomes ZONE_MOVABLE, spread over
	 * the nodes that have Normal memory (node 0 is all DMA/DMA32) */
	boot_attach("mem=8G nodes=2 cpus=2 movablecore=2G");
	assert_int_equal(zone_of(0, ZONE_MOVABLE)->present_pages, 0);
	assert_int_equal(zone_of(1, ZONE_MOVABLE)->present_pages, (2UL << 30) >> PAGE_SHIFT);
	assert_int_equal(zone_of(1, ZONE_MOVABLE)->zone_start_pfn, (6UL << 30) >> PAGE_SHIFT);
	assert_int_equal(zone_of(1, ZONE_NORMAL)->present_pages, (2UL << 30) >> PAGE_SHIFT);
	/* node 1's zonelist starts with its Movable zone */
	page = alloc_pages_node(1, GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(page_zonenum(page), ZONE_MOVABLE);
	held_push(&h, page, 0);
	/* from CPU 0 the local node comes first: node 0 has no Movable zone */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(page_to_nid(page), 0);
	assert_int_equal(page_zonenum(page), ZONE_DMA32);
	held_push(&h, page, 0);
	/* kernel allocations never land in ZONE_MOVABLE */
	for (int i = 0; i < 1000; i++) {
		page = alloc_pages_node(1, GFP_KERNEL, 6);
		assert_true(page_zonenum(page) != ZONE_MOVABLE);
		held_push(&h, page, 6);
	}
	held_free_all(&h);
	check_shutdown();
}

static void test_dma_without_dma_zone(void **state)
{
	const char *out;
	(void)state;

	boot_attach("mem=64M memstart=4G nodes=1 cpus=1");
	capture_begin();
	assert_null(alloc_pages(GFP_DMA, 0));
	out = capture_end();
	assert_contains(out, "page allocation failure: order:0, mode:0x1(GFP_DMA), nodemask=(null)");
	/* a failure is not a violation, and __GFP_NOWARN is silent */
	capture_begin();
	assert_null(alloc_pages(GFP_DMA | __GFP_NOWARN, 0));
	assert_string_equal(capture_end(), "");
	check_shutdown();
}

static void test_alloc_failure_report(void **state)
{
	struct held h = { 0 };
	unsigned long viol;
	const char *out;
	(void)state;

	boot_attach("mem=16M nodes=1 cpus=1");
	drain_with(&h, GFP_KERNEL);
	viol = report_violations();
	capture_begin();
	assert_null(alloc_pages(GFP_KERNEL, 0));
	out = capture_end();
	assert_contains(out, ": page allocation failure: order:0, mode:0x6000c0(GFP_KERNEL), nodemask=(null)\n");
	assert_contains(out, "Call Trace:\n");
	assert_contains(out, "Mem-Info:\n");
	assert_contains(out, "Node 0 DMA free:512kB min:512kB low:640kB high:768kB");
	assert_contains(out, "lowmem_reserve[]: 0 0 0 0\n");
	assert_contains(out, "Node 0 DMA: ");
	assert_contains(out, "= 512kB\n");
	assert_contains(out, "4096 pages RAM\n");
	assert_int_equal(report_violations(), viol);
	held_free_all(&h);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_gfp_values),
		TEST(test_gfp_zone_x86_64),
		TEST(test_gfp_zone_x86_32),
		TEST(test_invalid_gfp_refused),
		TEST(test_zonelist_order),
		TEST(test_node_fallback_and_thisnode),
		TEST(test_thisnode_fast_path),
		TEST(test_numa_counters),
		TEST(test_gfp_zero_and_comp),
		TEST(test_get_put_page),
		TEST(test_highmem_zeroing),
		TEST(test_movable_zone),
		TEST(test_dma_without_dma_zone),
		TEST(test_alloc_failure_report),
	};

	return cmocka_run_group_tests_name("gfp", tests, NULL, NULL);
}
