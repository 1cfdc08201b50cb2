// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_boot.c - the simulated machine: boot parameters, topology,
 * CPUs, physical memory, spinlock statistics.
 */
#include "../testutil.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

static void test_boot_defaults(void **state)
{
	(void)state;
	boot_attach("");
	assert_int_equal(num_online_nodes(), 1);
	assert_true(num_online_cpus() >= 1);
	assert_int_equal(totalram_pages, (1UL << 30) >> PAGE_SHIFT);
	assert_int_equal(nr_free_pages(), totalram_pages);
	assert_int_equal(sizeof(struct page), 64);
	check_shutdown();
}

static void test_cpus_grouped_by_node(void **state)
{
	(void)state;
	boot_attach("mem=512M nodes=2 cpus=8");
	assert_int_equal(num_online_cpus(), 8);
	assert_int_equal(num_online_nodes(), 2);
	for (unsigned int k = 0; k < 8; k++)
		assert_int_equal(cpu_to_node(k), k < 4 ? 0 : 1);
	assert_int_equal(smp_processor_id(), 0);
	assert_int_equal(numa_node_id(), 0);
	/* node spans: node 0 [0, 256M), node 1 [256M, 512M) */
	assert_int_equal(NODE_DATA(0)->node_start_pfn, 0);
	assert_int_equal(NODE_DATA(1)->node_start_pfn, (256UL << 20) >> PAGE_SHIFT);
	assert_int_equal(zone_of(0, ZONE_DMA)->present_pages, 4096);
	assert_int_equal(zone_of(0, ZONE_DMA32)->present_pages, 65536 - 4096);
	assert_int_equal(zone_of(1, ZONE_DMA32)->present_pages, 65536);
	assert_int_equal(zone_of(1, ZONE_DMA)->present_pages, 0);
	check_shutdown();
}

static void test_topology_quoted(void **state)
{
	(void)state;
	boot_attach("mem=256M topology=\"numa:2 core:4 pu:1\"");
	assert_int_equal(num_online_cpus(), 8);
	assert_int_equal(num_online_nodes(), 2);
	assert_int_equal(cpu_to_node(5), 1);
	check_shutdown();

	/* the whole parameter quoted, and consistent nodes=/cpus= */
	boot_attach("\"topology=numa:4 pu:2\" nodes=4 cpus=8 mem=64M");
	assert_int_equal(num_online_cpus(), 8);
	assert_int_equal(cpu_to_node(7), 3);
	check_shutdown();
}

static void test_topology_host(void **state)
{
	(void)state;
	boot_attach("topology=host mem=64M");
	assert_int_equal(num_online_cpus(), (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));
	check_shutdown();
}

static void test_bad_parameters(void **state)
{
	static const struct { const char *cmdline, *named; } bad[] = {
		{ "foo=1", "'foo=1'" },
		{ "slab_debugg", "'slab_debugg'" },
		{ "mem=", "'mem'" },
		{ "mem", "'mem'" },
		{ "mem=abc", "'mem'" },
		{ "mem=12Q", "'mem'" },
		{ "mem=0", "'mem'" },
		{ "mem=-1G", "'mem'" },
		{ "nodes=0", "'nodes'" },
		{ "nodes=65", "'nodes'" },
		{ "cpus=0", "'cpus'" },
		{ "cpus=600", "'cpus'" },
		{ "nodes=2 cpus=7", "cpus=7" },
		{ "nodes=4 cpus=2", "cpus=2" },
		{ "arch=arm64", "'arch'" },
		{ "topology=\"bogus:3\"", "bogus:3" },
		{ "topology=\"numa:2 pu:2", "unterminated quote" },
		{ "topology=\"numa:2 pu:2\" cpus=3", "not nodes=2 cpus=3" },
		{ "min_free_kbytes=-5", "'min_free_kbytes'" },
		/* an int, as the sysctl: nothing bigger reaches the watermarks */
		{ "min_free_kbytes=2147483648", "'min_free_kbytes'" },
		{ "min_free_kbytes=1099511627776", "'min_free_kbytes'" },
		{ "watchdog_thresh=0", "'watchdog_thresh'" },
		{ "min_free_kbytes=lots", "'min_free_kbytes'" },
		{ "watermark_scale_factor=0", "'watermark_scale_factor'" },
		{ "watermark_scale_factor=1001", "'watermark_scale_factor'" },
		{ "memstart=3M", "'memstart'" },
		{ "mem=1G memstart=300G", "exceeds" },
		{ "mem=4M nodes=2", "too small" },
		{ "hz_scale=0", "'hz_scale'" },
		{ "quiet=2", "'quiet'" },
		{ "panic_on_warn=yes", "'panic_on_warn'" },
		{ "arch=x86_32 mem=1G memstart=1G", "below 896M" },
		{ "arch=x86_32 mem=65G", "exceeds" },
		{ "movablecore=x", "'movablecore'" },
		{ "swap", "'swap'" },
		{ "swap=lots", "'swap'" },
		{ "disk=2T", "'disk'" },
		{ "io_latency_us=-1", "'io_latency_us'" },
		{ "io_latency_us=2000000", "'io_latency_us'" },
		{ "slab", "'slab'" },
		{ "slab=slab2", "expected slab, slub or slob" },
		{ "slub_debug=FZ", "needs slab=slub" },
		{ "slab=slob slub_debug", "needs slab=slub" },
		{ "slab_nomerge=1", "'slab_nomerge'" },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *out;
		int ret;

		capture_begin();
		ret = mm_boot(bad[i].cmdline);
		/* nothing is left booted */
		assert_int_equal(mm_cpu_attach(0), -EINVAL);
		out = capture_end();
		if (ret != -EINVAL)
			fail_msg("mm_boot(\"%s\") = %d, expected -EINVAL", bad[i].cmdline, ret);
		assert_contains(out, bad[i].named);
	}
}

/*
 * min_free_kbytes at its largest (INT_MAX): every watermark is the exact
 * REFERENCE.md formula, computed here in 128 bits (on 16G: the sanitizers'
 * shadow of a much bigger direct map does not fit a 24 GiB host).
 */
static void test_min_free_kbytes_largest(void **state)
{
	unsigned __int128 pages_min = 2147483647 / 4, lowmem = 0;
	struct zone *zone;
	(void)state;

	boot_attach("mem=16G nodes=4 cpus=4 min_free_kbytes=2147483647");
	for_each_populated_zone(zone)
		lowmem += zone->managed_pages;
	for_each_populated_zone(zone) {
		unsigned __int128 min = pages_min * zone->managed_pages / lowmem;
		unsigned __int128 tmp = min / 4 > (unsigned __int128)zone->managed_pages * 10 / 10000 ?
					min / 4 : (unsigned __int128)zone->managed_pages * 10 / 10000;

		assert_true(min_wmark_pages(zone) == min);
		assert_true(low_wmark_pages(zone) == min + tmp);
		assert_true(high_wmark_pages(zone) == min + 2 * tmp);
	}
	check_shutdown();
}

/* A boot that fails leaves nothing behind: no setting, no memory. */
static void dummy_online(unsigned int cpu)
{
	(void)cpu;
}

static const struct cpuhp_state dummy_hp[8] = {
	{ "test:0", dummy_online, NULL }, { "test:1", dummy_online, NULL },
	{ "test:2", dummy_online, NULL }, { "test:3", dummy_online, NULL },
	{ "test:4", dummy_online, NULL }, { "test:5", dummy_online, NULL },
	{ "test:6", dummy_online, NULL }, { "test:7", dummy_online, NULL },
};

static void test_failed_boot_leaves_nothing(void **state)
{
	size_t before, after;
	int registered = 0, ret;
	char *slabinfo = NULL, *first;
	size_t len = 0;
	FILE *f;
	(void)state;

	/* quiet holds for a machine that boots, and only for it */
	printk_set_quiet(0);
	capture_begin();
	assert_int_equal(mm_boot("quiet mem=0"), -EINVAL);
	assert_int_equal(printk_quiet(), 0);
	assert_int_equal(mm_boot("quiet mem=64M"), 0);
	assert_int_equal(printk_quiet(), 1);
	mm_shutdown();
	assert_int_equal(printk_quiet(), 0);
	capture_end();

	/* a boot that fails in the slab allocator's set-up (no room for its
	 * CPU hotplug state: all but one taken here; the page lists take
	 * that one) gives back the caches it made: the heap is as it was */
	while (registered < 7 && !cpuhp_setup_state(&dummy_hp[registered]))
		registered++;
	assert_int_equal(registered, 7);
	capture_begin();
	before = mallinfo2().uordblks;
	ret = mm_boot("quiet mem=64M nodes=2 cpus=4");
	after = mallinfo2().uordblks;
	capture_end();
	for (int i = 0; i < registered; i++)
		cpuhp_remove_state(&dummy_hp[i]);
	assert_int_equal(ret, -ENOSPC);
	assert_int_equal(printk_quiet(), 0);
	if (after > before + 4096)
		fail_msg("a failed boot kept %zu bytes of the heap", after - before);
	/* and the next boot is whole */
	boot_attach("mem=64M nodes=2 cpus=4");
	f = open_memstream(&slabinfo, &len);
	assert_non_null(f);
	assert_int_equal(mm_proc_show("slabinfo", f), 0);
	fclose(f);
	first = strstr(slabinfo, "\nkmalloc-32 ");
	assert_non_null(first);
	assert_null(strstr(first + 1, "\nkmalloc-32 "));	/* once */
	free(slabinfo);
	check_shutdown();
}

/*
 * A __GFP_ZERO highmem page is cleared through a kmap_atomic() slot
 * (mm/highmem.c): dirtied, freed to the head of CPU 0's hot list, it
 * comes back zeroed.
 */
static void test_gfp_zero_highmem(void **state)
{
	struct page *dirty, *page;
	unsigned char *p;
	(void)state;

	boot_attach("arch=x86_32 mem=1G nodes=1 cpus=1");
	dirty = alloc_page(GFP_HIGHUSER);
	assert_true(PageHighMem(dirty));
	p = physmem_map((uint64_t)page_to_pfn(dirty) << PAGE_SHIFT, PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0xab, PAGE_SIZE);
	physmem_unmap(p, PAGE_SIZE);
	__free_page(dirty);			/* the head of CPU 0's hot list */

	page = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
	assert_ptr_equal(page, dirty);
	p = kmap_atomic(page);
	assert_non_null(p);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			fail_msg("byte %zu of the page is %#x", i, p[i]);
	kunmap_atomic(p);
	__free_page(page);
	check_shutdown();
}

/* More host PUs than the model has CPUs: the default is capped, and said. */
static void test_default_cpus_capped(void **state)
{
	const char *out;
	(void)state;

	setenv("HWLOC_SYNTHETIC", "pu:600", 1);	/* hwloc's "host" */
	printk_set_quiet(0);
	capture_begin();
	assert_int_equal(mm_boot("mem=64M nodes=3"), 0);
	out = capture_end();
	unsetenv("HWLOC_SYNTHETIC");
	assert_int_equal(num_online_cpus(), 510);	/* 512 / 3 * 3 */
	assert_contains(out, "the host has 600 PUs, the model at most 512 CPUs: 510 CPUs");
	printk_set_quiet(1);
	assert_int_equal(mm_cpu_attach(0), 0);
	check_shutdown();
}

static void test_boot_twice_and_reboot(void **state)
{
	(void)state;
	boot_attach("mem=64M nodes=2 cpus=4");
	capture_begin();
	assert_int_equal(mm_boot("mem=64M"), -EBUSY);
	assert_contains(capture_end(), "already booted");
	check_shutdown();
	/* many boots in one process: ASan's leak check covers the teardown */
	for (int i = 0; i < 20; i++) {
		unsigned long addr;
		struct page *page;

		boot_attach(i & 1 ? "mem=32M nodes=2 cpus=2" : "mem=48M arch=x86_32");
		page = alloc_pages(GFP_KERNEL, (unsigned int)i % 4);
		addr = __get_free_pages(GFP_KERNEL, 0);
		assert_non_null(page);
		assert_true(addr != 0);
		__free_pages(page, (unsigned int)i % 4);
		free_pages(addr, 0);
		check_shutdown();
	}
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void test_big_machine_is_lazy(void **state)
{
	long before = rss_kb(), grown;
	struct page *page;
	(void)state;

	boot_attach("mem=64G nodes=4 cpus=4");
	assert_int_equal(totalram_pages, (64UL << 30) >> PAGE_SHIFT);
	grown = rss_kb() - before;
	/* 64 GiB of RAM and 1 GiB of memmap reserved; boot touches only the
	 * head of each 4 MiB block: one memmap page in 16, 64 MiB.  A
	 * sanitizer's shadow of those pages can double that (one shadow page
	 * per memmap page touched, depending on the host kernel); a memmap
	 * touched whole would be 1 GiB either way. */
	print_message("booting mem=64G grew the RSS by %ld kB\n", grown);
	if (grown > (TSAN_BUILD || ASAN_BUILD ? 200 : 100) * 1024)
		fail_msg("booting 64G grew the RSS by %ld kB", grown);
	page = alloc_pages_node(3, GFP_KERNEL | __GFP_ZERO, MAX_ORDER - 1);
	assert_non_null(page);
	assert_int_equal(page_to_nid(page), 3);
	memset(page_address(page), 0x5a, PAGE_SIZE << (MAX_ORDER - 1));
	__free_pages(page, MAX_ORDER - 1);
	check_shutdown();
}

struct attach_arg {
	unsigned int cpu;
	int ret;
};

static void *attach_thread(void *p)
{
	struct attach_arg *a = p;

	a->ret = mm_cpu_attach(a->cpu);
	if (!a->ret)
		mm_cpu_detach();
	return NULL;
}

static int attach_from_thread(unsigned int cpu)
{
	struct attach_arg a = { cpu, 0 };
	pthread_t t;

	pthread_create(&t, NULL, attach_thread, &a);
	pthread_join(t, NULL);
	return a.ret;
}

static void test_cpu_attach_rules(void **state)
{
	(void)state;
	printk_set_quiet(1);
	assert_int_equal(mm_boot("mem=64M nodes=2 cpus=4"), 0);
	capture_begin();
	assert_int_equal(mm_cpu_attach(4), -EINVAL);
	assert_int_equal(mm_cpu_attach(0), 0);
	assert_int_equal(mm_cpu_attach(1), -EBUSY);	/* this thread is CPU 0 */
	assert_int_equal(attach_from_thread(0), -EBUSY);	/* CPU 0 is taken */
	assert_int_equal(attach_from_thread(3), 0);
	mm_cpu_detach();
	assert_int_equal(attach_from_thread(0), 0);	/* free again */
	assert_int_equal(mm_cpu_attach(2), 0);
	assert_int_equal(smp_processor_id(), 2);
	assert_int_equal(numa_node_id(), 1);
	mm_cpu_detach();
	capture_end();
	check_shutdown();
}

static void test_unattached_thread_is_refused(void **state)
{
	const char *out;
	unsigned long bugs;
	(void)state;

	printk_set_quiet(1);
	assert_int_equal(mm_boot("mem=64M"), 0);
	bugs = report_count(REPORT_BUG);
	capture_begin();
	assert_null(alloc_pages(GFP_KERNEL, 0));
	out = capture_end();
	assert_contains(out, "BUG: alloc_pages() called from a thread that is not a simulated CPU");
	assert_contains(out, "Call Trace:");
	assert_int_equal(report_count(REPORT_BUG), bugs + 1);
	assert_int_equal(nr_free_pages(), totalram_pages);
	check_shutdown();
}

#define EACH_CPUS 16
static int ran_on[EACH_CPUS];		/* atomic */
static int wrong_node;			/* atomic */

/* Runs on the CPU threads: no cmocka asserts here, only counters. */
static void mark_cpu(void *info)
{
	(void)info;
	__atomic_fetch_add(&ran_on[smp_processor_id()], 1, __ATOMIC_RELAXED);
	if (numa_node_id() != (int)smp_processor_id() / 4)
		__atomic_fetch_add(&wrong_node, 1, __ATOMIC_RELAXED);
}

static void test_on_each_cpu(void **state)
{
	(void)state;
	printk_set_quiet(1);
	assert_int_equal(mm_boot("mem=64M nodes=4 cpus=16"), 0);
	memset(ran_on, 0, sizeof(ran_on));
	assert_int_equal(mm_on_each_cpu(mark_cpu, NULL), 0);
	for (int k = 0; k < EACH_CPUS; k++)
		assert_int_equal(ran_on[k], 1);
	assert_int_equal(wrong_node, 0);
	/* a CPU held by this thread makes the helper fail cleanly */
	assert_int_equal(mm_cpu_attach(3), 0);
	capture_begin();
	assert_int_equal(mm_on_each_cpu(mark_cpu, NULL), -EBUSY);
	capture_end();
	for (int k = 0; k < EACH_CPUS; k++)
		assert_int_equal(ran_on[k], 1);
	check_shutdown();
}

static spinlock_t test_lock;
static unsigned long locked_counter;	/* test_lock */

static void hammer_lock(void *info)
{
	(void)info;
	for (int i = 0; i < 20000; i++) {
		spin_lock(&test_lock);
		locked_counter++;
		spin_unlock(&test_lock);
	}
}

static void test_spinlock_stats(void **state)
{
	struct lock_stats st;
	(void)state;

	printk_set_quiet(1);
	assert_int_equal(mm_boot("mem=32M nodes=1 cpus=8"), 0);
	spin_lock_init(&test_lock);
	locked_counter = 0;
	assert_int_equal(mm_on_each_cpu(hammer_lock, NULL), 0);
	spin_lock_stats_read(&test_lock, &st);
	assert_int_equal(locked_counter, 8 * 20000);
	assert_int_equal(st.acquisitions, 8 * 20000);
	assert_true(st.contended > 0);
	assert_true(st.contended <= st.acquisitions);
	assert_true(st.wait_ns > 0);
	assert_true(st.wait_max_ns <= st.wait_ns);
	spin_lock_stats_reset(&test_lock);
	spin_lock_stats_read(&test_lock, &st);
	assert_int_equal(st.acquisitions, 0);
	check_shutdown();
}

static void test_direct_map_and_highmem(void **state)
{
	struct page *low, *high;
	(void)state;

	boot_attach("arch=x86_32 mem=1G");
	assert_int_equal(__mm_layout.max_low_pfn, (896UL << 20) >> PAGE_SHIFT);
	assert_int_equal(zone_of(0, ZONE_HIGHMEM)->present_pages, (128UL << 20) >> PAGE_SHIFT);
	low = alloc_pages(GFP_KERNEL, 0);
	high = alloc_pages(GFP_HIGHUSER | __GFP_ZERO, 0);
	assert_non_null(low);
	assert_non_null(high);
	assert_false(PageHighMem(low));
	assert_true(PageHighMem(high));
	assert_int_equal(page_zonenum(high), ZONE_HIGHMEM);
	assert_null(page_address(high));
	assert_ptr_equal(virt_to_page(page_address(low)), low);
	assert_true(virt_addr_valid(page_address(low)));
	assert_false(virt_addr_valid((char *)page_address(low) + (1UL << 40)));
	__free_pages(low, 0);
	__free_pages(high, 0);
	check_shutdown();
}

static void test_memstart(void **state)
{
	(void)state;
	boot_attach("mem=1G memstart=4G");
	assert_int_equal(__mm_layout.min_pfn, (4UL << 30) >> PAGE_SHIFT);
	assert_int_equal(zone_of(0, ZONE_NORMAL)->present_pages, (1UL << 30) >> PAGE_SHIFT);
	assert_int_equal(zone_of(0, ZONE_DMA)->present_pages, 0);
	assert_int_equal(zone_of(0, ZONE_DMA32)->present_pages, 0);
	assert_true(pfn_valid(__mm_layout.min_pfn));
	assert_false(pfn_valid(__mm_layout.min_pfn - 1));
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_boot_defaults),
		TEST(test_cpus_grouped_by_node),
		TEST(test_topology_quoted),
		TEST(test_topology_host),
		TEST(test_bad_parameters),
		TEST(test_min_free_kbytes_largest),
		TEST(test_failed_boot_leaves_nothing),
		TEST(test_gfp_zero_highmem),
		TEST(test_default_cpus_capped),
		TEST(test_boot_twice_and_reboot),
		TEST(test_big_machine_is_lazy),
		TEST(test_cpu_attach_rules),
		TEST(test_unattached_thread_is_refused),
		TEST(test_on_each_cpu),
		TEST(test_spinlock_stats),
		TEST(test_direct_map_and_highmem),
		TEST(test_memstart),
	};

	return cmocka_run_group_tests_name("boot", tests, NULL, NULL);
}
