// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_proc.c - the /proc files in Linux v4.19's exact formats:
 * buddyinfo, zoneinfo, meminfo, vmstat; and the counters behind them.
 */
#include "../testutil.h"

#include <errno.h>

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_buddyinfo(void **state)
{
	char *bi, expect[512];
	struct page *page;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	bi = proc_text("buddyinfo");
	assert_string_equal(bi,
		"Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      0      4 \n"
		"Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0     12 \n");
	free(bi);
	/* DMA32: 12288 pages, batch 3: the refill takes pfns P, P+1, P+2 of
	 * one split 4M block, leaving P+3 and one block of orders 2..9 */
	page = alloc_pages(GFP_KERNEL, 0);
	bi = proc_text("buddyinfo");
	snprintf(expect, sizeof(expect), "Node 0, zone    DMA32 %6d %6d %6d %6d %6d %6d %6d %6d %6d %6d %6d \n",
		 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 11);
	assert_contains(bi, expect);
	free(bi);
	__free_pages(page, 0);
	drain_local_pages(NULL);	/* the lists give everything back: merged again */
	bi = proc_text("buddyinfo");
	assert_contains(bi, "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0     12 \n");
	free(bi);
	check_shutdown();
}

static void test_zoneinfo(void **state)
{
	char *zi;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=4");
	{
	zi = proc_text("zoneinfo");
	/* node 0: DMA (first populated: per-node stats), DMA32, Normal, Movable */
	static const char head[] = "Node 0, zone      DMA\n  per-node stats\n"
				   "      nr_inactive_anon 0\n      nr_active_anon 0\n";

	assert_memory_equal(zi, head, sizeof(head) - 1);
	/* v4.19 prints its hidden node item with a blank name */
	assert_contains(zi, "      nr_written   0\n                   0\n  pages free     4096\n");
	assert_contains(zi, "        protection: (0, 16, 16, 16)\n      nr_free_pages 4096\n"
			    "      nr_zone_inactive_anon 0\n");
	assert_contains(zi, "      nr_free_cma  0\n      numa_hit     0\n      numa_miss    0\n"
			    "      numa_foreign 0\n      numa_interleave 0\n      numa_local   0\n"
			    "      numa_other   0\n  pagesets\n    cpu: 0 pcp: 0\n              count: 0\n"
			    "              high:  0\n              batch: 1\n    cpu: 0 pcp: 1\n"
			    "              count: 0\n              high:  0\n              batch: 1\n"
			    "  vm stats threshold: 6\n    cpu: 1 pcp: 0\n");
	assert_contains(zi, "    cpu: 3 pcp: 1\n              count: 0\n              high:  0\n"
			    "              batch: 1\n  vm stats threshold: 6\n  node_unreclaimable:  0\n"
			    "  start_pfn:           0\n");
	/* node 1's DMA32 (8192 pages): batch 1, hot high 6, cold high 2 */
	assert_contains(zi, "    cpu: 2 pcp: 0\n              count: 0\n              high:  6\n"
			    "              batch: 1\n    cpu: 2 pcp: 1\n              count: 0\n"
			    "              high:  2\n              batch: 1\n");
	assert_contains(zi, "Node 1, zone    DMA32\n  per-node stats\n");
	assert_contains(zi, "  start_pfn:           8192\n");
	/* unpopulated zones are listed up to their protection line */
	assert_int_equal(count_of(zi, "Node 0, zone"), 4);
	assert_int_equal(count_of(zi, "Node 1, zone      DMA\n  pages free     0\n"), 1);
	assert_int_equal(count_of(zi, "  pagesets\n"), 3);
	assert_int_equal(count_of(zi, "    cpu: "), 3 * 4 * 2);
	assert_int_equal(count_of(zi, "per-node stats"), 2);
	}
	free(zi);
	check_shutdown();
}

static const char *const meminfo_x86_64[] = {
	"MemTotal:", "MemFree:", "MemAvailable:", "Buffers:", "Cached:", "SwapCached:",
	"Active:", "Inactive:", "Active(anon):", "Inactive(anon):", "Active(file):",
	"Inactive(file):", "Unevictable:", "Mlocked:", "SwapTotal:", "SwapFree:",
	"Dirty:", "Writeback:", "AnonPages:", "Mapped:", "Shmem:", "Slab:",
	"SReclaimable:", "SUnreclaim:", "KernelStack:", "PageTables:", "NFS_Unstable:",
	"Bounce:", "WritebackTmp:", "CommitLimit:", "Committed_AS:", "VmallocTotal:",
	"VmallocUsed:", "VmallocChunk:", "Percpu:", "HardwareCorrupted:",
	"DirectMap4k:", "DirectMap2M:",
};

static void test_meminfo(void **state)
{
	char *mi, *line, *save = NULL, label[32], expect[64];
	size_t i = 0;
	unsigned long avail;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	mi = proc_text("meminfo");
	assert_true(strncmp(mi, "MemTotal:          65536 kB\nMemFree:           65536 kB\n", 56) == 0);
	/* MemAvailable = free - totalreserve_pages (no page cache, no slab) */
	avail = nr_free_pages() - totalreserve_pages_get();
	snprintf(expect, sizeof(expect), "MemAvailable:   %8lu kB\n", avail * 4);
	assert_contains(mi, expect);
	assert_contains(mi, "HardwareCorrupted:     0 kB\n");
	assert_contains(mi, "VmallocTotal:   34359738367 kB\n");
	for (line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		assert_true(i < ARRAY_SIZE(meminfo_x86_64));
		sscanf(line, "%31s", label);
		assert_string_equal(label, meminfo_x86_64[i]);
		/* 16-character labels, 8-column values */
		if (strcmp(label, "HardwareCorrupted:") && strcmp(label, "VmallocTotal:"))
			assert_int_equal(strlen(line), 16 + 8 + 3);
	}
	assert_int_equal(i, ARRAY_SIZE(meminfo_x86_64));
	free(mi);
	check_shutdown();

	boot_attach("arch=x86_32 mem=1G nodes=1 cpus=1");
	mi = proc_text("meminfo");
	assert_contains(mi, "Mlocked:               0 kB\nHighTotal:        131072 kB\n"
			    "HighFree:         131072 kB\nLowTotal:         917504 kB\n"
			    "LowFree:          917504 kB\nSwapTotal:");
	free(mi);
	check_shutdown();
}

/* x86_64: v4.19's /proc/vmstat for NUMA, DMA, DMA32, SWAP, COMPACTION and
 * MIGRATION, without THP, CMA, hugetlb or NUMA balancing: 107 lines. */
static const char *const vmstat_x86_64[] = {
	"nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon",
	"nr_zone_inactive_file", "nr_zone_active_file", "nr_zone_unevictable",
	"nr_zone_write_pending", "nr_mlock", "nr_page_table_pages", "nr_kernel_stack",
	"nr_bounce", "nr_free_cma", "numa_hit", "numa_miss", "numa_foreign",
	"numa_interleave", "numa_local", "numa_other", "nr_inactive_anon",
	"nr_active_anon", "nr_inactive_file", "nr_active_file", "nr_unevictable",
	"nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_isolated_anon",
	"nr_isolated_file", "workingset_refault", "workingset_activate",
	"workingset_nodereclaim", "nr_anon_pages", "nr_mapped", "nr_file_pages",
	"nr_dirty", "nr_writeback", "nr_writeback_temp", "nr_shmem",
	"nr_shmem_hugepages", "nr_shmem_pmdmapped", "nr_anon_transparent_hugepages",
	"nr_unstable", "nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_dirtied",
	"nr_written", "nr_dirty_threshold", "nr_dirty_background_threshold", "pgpgin",
	"pgpgout", "pswpin", "pswpout", "pgalloc_dma", "pgalloc_dma32",
	"pgalloc_normal", "pgalloc_movable", "allocstall_dma", "allocstall_dma32",
	"allocstall_normal", "allocstall_movable", "pgskip_dma", "pgskip_dma32",
	"pgskip_normal", "pgskip_movable", "pgfree", "pgactivate", "pgdeactivate",
	"pglazyfree", "pgfault", "pgmajfault", "pglazyfreed", "pgrefill",
	"pgsteal_kswapd", "pgsteal_direct", "pgscan_kswapd", "pgscan_direct",
	"pgscan_direct_throttle", "zone_reclaim_failed", "pginodesteal",
	"slabs_scanned", "kswapd_inodesteal", "kswapd_low_wmark_hit_quickly",
	"kswapd_high_wmark_hit_quickly", "pageoutrun", "pgrotated", "drop_pagecache",
	"drop_slab", "oom_kill", "pgmigrate_success", "pgmigrate_fail",
	"compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
	"compact_stall", "compact_fail", "compact_success", "compact_daemon_wake",
	"compact_daemon_migrate_scanned", "compact_daemon_free_scanned",
	"unevictable_pgs_culled", "unevictable_pgs_scanned", "unevictable_pgs_rescued",
	"unevictable_pgs_mlocked", "unevictable_pgs_munlocked",
	"unevictable_pgs_cleared", "unevictable_pgs_stranded", "swap_ra", "swap_ra_hit",
};

static unsigned long vmstat_value(const char *text, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(text, key);
	if (!p && !strncmp(text, key + 1, strlen(key + 1)))
		p = text - 1;
	if (!p)
		fail_msg("%s not in /proc/vmstat", name);
	return strtoul(p + strlen(key), NULL, 10);
}

static void test_vmstat(void **state)
{
	char *vs, *line, *save = NULL, name[64];
	struct page *page;
	size_t i = 0;
	(void)state;

	assert_int_equal(ARRAY_SIZE(vmstat_x86_64), 107);
	boot_attach("mem=64M nodes=1 cpus=1");
	vs = proc_text("vmstat");
	for (line = strtok_r(vs, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		unsigned long v;

		assert_true(i < ARRAY_SIZE(vmstat_x86_64));
		assert_int_equal(sscanf(line, "%63s %lu", name, &v), 2);
		assert_string_equal(name, vmstat_x86_64[i]);
	}
	assert_int_equal(i, ARRAY_SIZE(vmstat_x86_64));
	free(vs);

	page = alloc_pages(GFP_KERNEL, 2);
	vs = proc_text("vmstat");
	assert_int_equal(vmstat_value(vs, "pgalloc_dma32"), 4);
	assert_int_equal(vmstat_value(vs, "pgalloc_dma"), 0);
	assert_int_equal(vmstat_value(vs, "numa_hit"), 1);
	assert_int_equal(vmstat_value(vs, "numa_local"), 1);
	assert_int_equal(vmstat_value(vs, "nr_free_pages"), totalram_pages - 4);
	assert_int_equal(vmstat_value(vs, "pgfree"), 0);
	free(vs);
	__free_pages(page, 2);
	vs = proc_text("vmstat");
	assert_int_equal(vmstat_value(vs, "pgfree"), 4);
	assert_int_equal(vmstat_value(vs, "nr_free_pages"), totalram_pages);
	free(vs);
	check_shutdown();

	boot_attach("arch=x86_32 mem=1G nodes=1 cpus=1");
	page = alloc_pages(GFP_HIGHUSER, 0);
	vs = proc_text("vmstat");
	assert_contains(vs, "\npgalloc_dma 0\npgalloc_normal 0\npgalloc_high 1\npgalloc_movable 0\n");
	assert_contains(vs, "\npgskip_dma 0\npgskip_normal 0\npgskip_high 0\npgskip_movable 0\n");
	assert_null(strstr(vs, "dma32"));
	free(vs);
	__free_pages(page, 0);
	check_shutdown();
}

/* Per-CPU diffs fold into the zone counter past the threshold. */
static void test_counter_folding(void **state)
{
	struct zone *z;
	struct held h = { 0 };
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	z = zone_of(0, ZONE_DMA32);
	for (int i = 0; i < 100; i++)
		held_push(&h, alloc_pages(GFP_KERNEL, 0), 0);
	/* NUMA diffs fold only near 65535: the snapshot adds them */
	assert_int_equal(z->vm_numa_stat[NUMA_HIT], 0);
	assert_int_equal(zone_numa_state_snapshot(z, NUMA_HIT), 100);
	/* zone items fold past stat_threshold (2 * fls(1) * (1 + 0) = 2) */
	assert_int_equal(z->pageset[0].stat_threshold, 2);
	__mod_zone_page_state(z, NR_MLOCK, 2);
	assert_int_equal(zone_page_state(z, NR_MLOCK), 0);
	assert_int_equal(zone_page_state_snapshot(z, NR_MLOCK), 2);
	__mod_zone_page_state(z, NR_MLOCK, 1);
	assert_int_equal(zone_page_state(z, NR_MLOCK), 3);
	assert_int_equal(z->pageset[0].vm_stat_diff[NR_MLOCK], 0);
	__mod_zone_page_state(z, NR_MLOCK, -3);
	/* node items the same way, with the node's largest zone threshold */
	assert_int_equal(NODE_DATA(0)->per_cpu_nodestats[0].stat_threshold, 2);
	__mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, 2);
	assert_int_equal(NODE_DATA(0)->vm_stat[NR_SLAB_UNRECLAIMABLE], 0);
	assert_int_equal(node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE), 2);
	__mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, 5);
	assert_int_equal(NODE_DATA(0)->vm_stat[NR_SLAB_UNRECLAIMABLE], 7);
	__mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, -7);
	held_free_all(&h);
	check_shutdown();
}

static void test_proc_errors(void **state)
{
	(void)state;
	assert_int_equal(mm_proc_show("zoneinfo", stdout), -ENODEV);
	assert_int_equal(mm_check(NULL), -ENODEV);
	assert_int_equal(mm_sysctl_write("vm.min_free_kbytes", "1"), -ENODEV);
	boot_attach("mem=16M");
	assert_int_equal(mm_proc_show("slabinfoo", stdout), -ENOENT);
	assert_int_equal(mm_proc_show(NULL, stdout), -EINVAL);
	assert_int_equal(mm_proc_show("vmstat", NULL), -EINVAL);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_buddyinfo),
		TEST(test_zoneinfo),
		TEST(test_meminfo),
		TEST(test_vmstat),
		TEST(test_counter_folding),
		TEST(test_proc_errors),
	};

	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}
