// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_wmark.c - min_free_kbytes, watermarks, lowmem_reserve, the
 * watermark check's gfp adjustments, and the sysctls that rewrite them.
 * Expected numbers come from REFERENCE.md's formulas, worked by hand.
 */
#include "../testutil.h"

#include <errno.h>

static void assert_wmarks(struct zone *z, unsigned long min, unsigned long low,
			  unsigned long high)
{
	assert_int_equal(min_wmark_pages(z), min);
	assert_int_equal(low_wmark_pages(z), low);
	assert_int_equal(high_wmark_pages(z), high);
}

static long sysctl_long(const char *name)
{
	char buf[64];

	assert_int_equal(mm_sysctl_read(name, buf, sizeof(buf)), 0);
	return strtol(buf, NULL, 10);
}

/* REFERENCE.md: one 1 GiB NORMAL zone -> MIN 1024, LOW 1286, HIGH 1548. */
static void test_reference_1g_normal_zone(void **state)
{
	char *zi;
	(void)state;

	boot_attach("mem=1G memstart=4G nodes=1 cpus=1");
	assert_int_equal(sysctl_long("vm.min_free_kbytes"), 4096);
	assert_wmarks(zone_of(0, ZONE_NORMAL), 1024, 1286, 1548);
	zi = proc_text("zoneinfo");
	assert_contains(zi, "Node 0, zone   Normal\n  per-node stats");
	assert_contains(zi, "\n  pages free     262144\n        min      1024\n"
			    "        low      1286\n        high     1548\n"
			    "        spanned  262144\n        present  262144\n"
			    "        managed  262144\n        protection: (0, 0, 0, 0)");
	free(zi);
	check_shutdown();
}

static void test_min_free_kbytes_table(void **state)
{
	static const struct { const char *boot; long kbytes; } t[] = {
		{ "mem=16M nodes=1 cpus=1", 512 },
		{ "mem=64M nodes=1 cpus=1", 1024 },
		{ "mem=1G nodes=1 cpus=1", 4096 },
		{ "mem=16G nodes=2 cpus=2", 16384 },
		{ "mem=4M nodes=1 cpus=1", 256 },
		/* highmem does not count: x86_32 lowmem is 896M */
		{ "mem=2G arch=x86_32 nodes=1 cpus=1", 3831 },
		/* a user value is preferred */
		{ "mem=1G min_free_kbytes=1234 nodes=1 cpus=1", 1234 },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		boot_attach(t[i].boot);
		if (sysctl_long("vm.min_free_kbytes") != t[i].kbytes)
			fail_msg("%s: min_free_kbytes %ld, expected %ld", t[i].boot,
				 sysctl_long("vm.min_free_kbytes"), t[i].kbytes);
		check_shutdown();
	}
}

/* mem=1G from 0: DMA 4096 pages, DMA32 258048; pages_min 1024. */
static void test_1g_two_zones_and_lowmem_reserve(void **state)
{
	struct zone *dma, *dma32;
	char *zi;
	(void)state;

	boot_attach("mem=1G nodes=1 cpus=2");
	dma = zone_of(0, ZONE_DMA);
	dma32 = zone_of(0, ZONE_DMA32);
	assert_wmarks(dma, 16, 20, 24);
	assert_wmarks(dma32, 1008, 1266, 1524);
	/* lowmem_reserve[j] of zone i = sum(managed(i+1..j)) / ratio[i] */
	assert_int_equal(dma->lowmem_reserve[ZONE_DMA], 0);
	assert_int_equal(dma->lowmem_reserve[ZONE_DMA32], 258048 / 256);
	assert_int_equal(dma->lowmem_reserve[ZONE_NORMAL], 258048 / 256);
	assert_int_equal(dma->lowmem_reserve[ZONE_MOVABLE], 258048 / 256);
	assert_int_equal(dma32->lowmem_reserve[ZONE_NORMAL], 0);
	zi = proc_text("zoneinfo");
	assert_contains(zi, "Node 0, zone      DMA\n  per-node stats");
	assert_contains(zi, "        min      16\n        low      20\n        high     24\n");
	assert_contains(zi, "        protection: (0, 1008, 1008, 1008)\n");
	assert_contains(zi, "Node 0, zone    DMA32\n  pages free     258048\n        min      1008\n"
			    "        low      1266\n        high     1524\n");
	/* unpopulated zones stop after their protection line */
	assert_contains(zi, "Node 0, zone   Normal\n  pages free     0\n        min      0\n"
			    "        low      0\n        high     0\n        spanned  0\n"
			    "        present  0\n        managed  0\n"
			    "        protection: (0, 0, 0, 0)\nNode 0, zone  Movable\n");
	free(zi);
	check_shutdown();
}

/* GFP_KERNEL stops at MIN; the reserves below it are for others. */
static void test_watermark_floors(void **state)
{
	struct held h = { 0 };
	struct zone *z;
	(void)state;

	boot_attach("mem=1G memstart=4G nodes=1 cpus=1");
	z = zone_of(0, ZONE_NORMAL);
	zone_pcp_disable(z);	/* exact: no page waits on a per-CPU list */
	drain_with(&h, GFP_KERNEL);
	assert_int_equal(zone_free(0, ZONE_NORMAL), 1024);		/* MIN */
	assert_int_equal(drain_with(&h, GFP_NOWAIT), 0);		/* never below MIN */
	assert_int_equal(drain_with(&h, GFP_KERNEL | __GFP_HIGH), 1024 - 512);	/* 1/2 */
	assert_int_equal(zone_free(0, ZONE_NORMAL), 512);
	/* GFP_ATOMIC without ALLOC_HARDER is just __GFP_HIGH */
	assert_int_equal(drain_with(&h, GFP_ATOMIC | __GFP_NOMEMALLOC), 0);
	assert_int_equal(drain_with(&h, GFP_ATOMIC), 512 - 384);	/* 3/8 of MIN */
	assert_int_equal(zone_free(0, ZONE_NORMAL), 384);
	/* an order-3 request needs free - 7 > min */
	assert_null(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 3));
	/* __GFP_MEMALLOC and PF_MEMALLOC ignore the watermarks */
	assert_int_equal(drain_with(&h, GFP_KERNEL | __GFP_MEMALLOC), 384);
	assert_int_equal(zone_free(0, ZONE_NORMAL), 0);
	for (int i = 0; i < 128; i++) {
		h.nr--;
		__free_pages(h.page[h.nr], 0);
	}
	assert_int_equal(drain_with(&h, GFP_KERNEL), 0);
	current->flags |= PF_MEMALLOC;
	assert_int_equal(drain_with(&h, GFP_KERNEL), 128);
	current->flags &= ~PF_MEMALLOC;
	assert_int_equal(zone_free(0, ZONE_NORMAL), 0);
	assert_int_equal(zone_alloc_pages(z), (long)z->managed_pages);
	assert_mm_check_ok();
	held_free_all(&h);
	assert_int_equal(zone_free(0, ZONE_NORMAL), z->managed_pages);
	zone_pcp_enable(z);
	assert_int_equal(z->pageset[0].pcp[0].high, 6 * 63);
	check_shutdown();
}

/*
 * With the per-CPU lists on, the check still runs before every page leaves
 * a list, but a refill takes a whole batch: NR_FREE_PAGES may end up to
 * batch - 1 pages below MIN, and what the lists then hold waits there.
 */
static void test_watermark_with_pcp_lists(void **state)
{
	struct held h = { 0 };
	struct zone *z;
	unsigned long free, pcp;
	(void)state;

	boot_attach("mem=1G memstart=4G nodes=1 cpus=1");
	z = zone_of(0, ZONE_NORMAL);
	assert_int_equal(z->pageset[0].pcp[0].batch, 63);
	drain_with(&h, GFP_KERNEL);
	free = zone_free(0, ZONE_NORMAL);
	pcp = zone_pcp_pages(z);
	assert_true(free <= 1024);
	assert_true(free > 1024 - 63);
	/* the stranded pages are back for the taking after a drain */
	drain_local_pages(z);
	assert_int_equal(zone_free(0, ZONE_NORMAL), free + pcp);
	assert_int_equal(zone_alloc_pages(z) + (long)(free + pcp), (long)z->managed_pages);
	held_free_all(&h);
	check_shutdown();
}

static void test_memalloc_respects_nomemalloc(void **state)
{
	struct held h = { 0 };
	(void)state;

	boot_attach("mem=64M memstart=4G nodes=1 cpus=1");
	zone_pcp_disable(zone_of(0, ZONE_NORMAL));
	drain_with(&h, GFP_KERNEL);
	assert_int_equal(drain_with(&h, GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOMEMALLOC), 0);
	current->flags |= PF_MEMALLOC;
	irq_enter();		/* PF_MEMALLOC does not apply in interrupts */
	assert_int_equal(drain_with(&h, GFP_NOWAIT), 0);
	irq_exit();
	current->flags &= ~PF_MEMALLOC;
	held_free_all(&h);
	check_shutdown();
}

/* A DMA32 allocation may not eat into the DMA zone's lowmem_reserve. */
static void test_lowmem_reserve_protects_dma(void **state)
{
	struct held h = { 0 };
	size_t n;
	(void)state;

	boot_attach("mem=1G nodes=1 cpus=1");
	zone_pcp_disable(zone_of(0, ZONE_DMA));
	zone_pcp_disable(zone_of(0, ZONE_DMA32));
	n = drain_with(&h, GFP_KERNEL);
	assert_int_equal(zone_free(0, ZONE_DMA32), 1008);		/* its MIN */
	assert_int_equal(zone_free(0, ZONE_DMA), 16 + 1008);		/* MIN + reserve */
	assert_int_equal(n, (258048 - 1008) + (4096 - 1024));
	/* GFP_DMA's class zone is DMA itself: no reserve applies */
	assert_int_equal(drain_with(&h, GFP_KERNEL | GFP_DMA), 1024 - 16);
	assert_int_equal(zone_free(0, ZONE_DMA), 16);
	held_free_all(&h);
	check_shutdown();
}

static void test_x86_32_highmem_min_clamp(void **state)
{
	static const struct { const char *boot; unsigned long min; } t[] = {
		{ "arch=x86_32 mem=1G nodes=1 cpus=1", 32 },	/* 32768/1024 */
		{ "arch=x86_32 mem=1100M nodes=1 cpus=1", 51 },	/* 52224/1024 */
		{ "arch=x86_32 mem=2G nodes=1 cpus=1", 128 },	/* 288, capped */
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct zone *high;
		unsigned long lowmem;
		unsigned long long share;

		boot_attach(t[i].boot);
		high = zone_of(0, ZONE_HIGHMEM);
		lowmem = zone_of(0, ZONE_DMA)->managed_pages + zone_of(0, ZONE_NORMAL)->managed_pages;
		assert_int_equal(lowmem, 229376);
		assert_int_equal(min_wmark_pages(high), t[i].min);
		/* LOW/HIGH still use the proportional share */
		share = (unsigned long long)(sysctl_long("vm.min_free_kbytes") / 4) *
			high->managed_pages / lowmem;
		assert_int_equal(low_wmark_pages(high) - t[i].min,
				 max(share / 4, (unsigned long long)high->managed_pages * 10 / 10000));
		check_shutdown();
	}
}

/*
 * ZONE_MOVABLE is highmem only when it was taken from HighMem (v4.19's
 * is_highmem_idx() with movable_zone).  On x86_32 with 512M there is no
 * HighMem: Movable comes out of Normal, is lowmem, counts in the lowmem
 * total and gets the proportional MIN, not the highmem clamp.
 */
static void test_movable_from_normal_is_lowmem(void **state)
{
	struct zone *dma, *normal, *movable;
	unsigned long lowmem, pages_min;
	char *meminfo;
	(void)state;

	boot_attach("arch=x86_32 mem=512M movablecore=128M nodes=1 cpus=1");
	dma = zone_of(0, ZONE_DMA);
	normal = zone_of(0, ZONE_NORMAL);
	movable = zone_of(0, ZONE_MOVABLE);
	assert_int_equal(zone_of(0, ZONE_HIGHMEM)->present_pages, 0);
	assert_int_equal(movable->managed_pages, 32768);
	assert_false(is_highmem(movable));
	/* min_free_kbytes = sqrt(16 * 393216 kB of DMA + Normal) = 2508 */
	assert_int_equal(sysctl_long("vm.min_free_kbytes"), 2508);
	pages_min = 2508 / 4;
	lowmem = dma->managed_pages + normal->managed_pages + movable->managed_pages;
	assert_int_equal(lowmem, 131072);
	assert_int_equal(min_wmark_pages(movable), pages_min * 32768 / lowmem);	/* 156 */
	assert_int_equal(min_wmark_pages(movable), 156);
	assert_int_equal(min_wmark_pages(dma), pages_min * dma->managed_pages / lowmem);	/* 19 */
	assert_int_equal(min_wmark_pages(normal), pages_min * normal->managed_pages / lowmem);
	meminfo = proc_text("meminfo");
	assert_contains(meminfo, "HighTotal:             0 kB\n");
	assert_contains(meminfo, "LowTotal:         524288 kB\n");
	free(meminfo);
	check_shutdown();

	/* with HighMem, Movable is taken from it and is highmem */
	boot_attach("arch=x86_32 mem=2G movablecore=512M nodes=1 cpus=1");
	movable = zone_of(0, ZONE_MOVABLE);
	assert_true(is_highmem(movable));
	assert_int_equal(min_wmark_pages(movable), 128);	/* clamp(131072/1024, 32, 128) */
	check_shutdown();
}

static void test_sysctl_rewrites(void **state)
{
	struct zone *z;
	struct held h = { 0 };
	char buf[64];
	(void)state;

	boot_attach("mem=1G memstart=4G nodes=1 cpus=1");
	z = zone_of(0, ZONE_NORMAL);
	assert_int_equal(mm_sysctl_write("vm.min_free_kbytes", "8192"), 0);
	assert_wmarks(z, 2048, 2560, 3072);
	assert_int_equal(mm_sysctl_write("vm.watermark_scale_factor", "100"), 0);
	assert_wmarks(z, 2048, 2048 + 2621, 2048 + 2 * 2621);
	assert_int_equal(sysctl_long("vm.watermark_scale_factor"), 100);
	assert_int_equal(mm_sysctl_write("vm.watermark_scale_factor", "10"), 0);
	assert_int_equal(mm_sysctl_write("vm.min_free_kbytes", "4096\n"), 0);
	assert_wmarks(z, 1024, 1286, 1548);

	/* the allocator follows the rewritten marks */
	zone_pcp_disable(z);
	assert_int_equal(mm_sysctl_write("vm.min_free_kbytes", "0"), 0);
	drain_with(&h, GFP_KERNEL);
	assert_int_equal(zone_free(0, ZONE_NORMAL), 0);
	held_free_all(&h);

	capture_begin();
	assert_int_equal(mm_sysctl_write("vm.min_free_kbytes", "-1"), -EINVAL);
	assert_int_equal(mm_sysctl_write("vm.min_free_kbytes", "12abc"), -EINVAL);
	assert_int_equal(mm_sysctl_write("vm.watermark_scale_factor", "0"), -EINVAL);
	assert_int_equal(mm_sysctl_write("vm.watermark_scale_factor", "1001"), -EINVAL);
	assert_int_equal(mm_sysctl_write("vm.lowmem_reserve_ratio", "1 2 3 4 5"), -EINVAL);
	assert_int_equal(mm_sysctl_write("vm.no_such_thing", "1"), -ENOENT);
	assert_contains(capture_end(), "vm.min_free_kbytes: invalid value '-1'");
	assert_int_equal(sysctl_long("vm.min_free_kbytes"), 0);
	assert_int_equal(mm_sysctl_read("vm.no_such_thing", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(mm_sysctl_read("vm.min_free_kbytes", buf, 1), -ENOSPC);
	check_shutdown();
}

static void test_lowmem_reserve_ratio_sysctl(void **state)
{
	char buf[64];
	struct zone *dma;
	(void)state;

	boot_attach("mem=1G nodes=1 cpus=1");
	dma = zone_of(0, ZONE_DMA);
	assert_int_equal(mm_sysctl_read("vm.lowmem_reserve_ratio", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "256\t256\t32\t0");
	assert_int_equal(mm_sysctl_write("vm.lowmem_reserve_ratio", "128 128 16 0"), 0);
	assert_int_equal(dma->lowmem_reserve[ZONE_DMA32], 258048 / 128);
	assert_int_equal(mm_sysctl_write("vm.lowmem_reserve_ratio", "0\t256\t32\t0"), 0);
	assert_int_equal(dma->lowmem_reserve[ZONE_DMA32], 0);	/* ratio 0: no reserve */
	assert_int_equal(mm_sysctl_read("vm.lowmem_reserve_ratio", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0\t256\t32\t0");
	check_shutdown();

	boot_attach("mem=1G arch=x86_32 nodes=1 cpus=1");
	assert_int_equal(mm_sysctl_read("vm.lowmem_reserve_ratio", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "256\t32\t0\t0");
	assert_int_equal(mm_sysctl_write("vm.lowmem_reserve_ratio", "256 32 0 0"), 0);
	/* DMA's reserve against HighMem counts Normal and HighMem */
	assert_int_equal(zone_of(0, ZONE_DMA)->lowmem_reserve[ZONE_HIGHMEM],
			 (long)((zone_of(0, ZONE_NORMAL)->managed_pages +
				 zone_of(0, ZONE_HIGHMEM)->managed_pages) / 256));
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_reference_1g_normal_zone),
		TEST(test_min_free_kbytes_table),
		TEST(test_1g_two_zones_and_lowmem_reserve),
		TEST(test_watermark_floors),
		TEST(test_watermark_with_pcp_lists),
		TEST(test_memalloc_respects_nomemalloc),
		TEST(test_lowmem_reserve_protects_dma),
		TEST(test_x86_32_highmem_min_clamp),
		TEST(test_movable_from_normal_is_lowmem),
		TEST(test_sysctl_rewrites),
		TEST(test_lowmem_reserve_ratio_sysctl),
	};

	return cmocka_run_group_tests_name("wmark", tests, NULL, NULL);
}
