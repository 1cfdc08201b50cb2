// SPDX-License-Identifier: MIT
/*
 * tests/stress/stress_pcp.c - the per-CPU lists under load: drain_all_pages()
 * of every zone and of one, 50 times, while every other CPU of machines
 * larger than the host allocates and frees as fast as it can, on 8 and 32
 * CPUs.  (tests/unit/test_pcp.c has the lists' rules one by one, and
 * drain_all_pages() of blocked, busy and offline CPUs.)
 */
#include "../testutil.h"

#include <stdatomic.h>

#ifdef MMSIM_DEBUG		/* the sanitizer builds run slower */
#define HAMMER_OPS	4000
#else
#define HAMMER_OPS	40000
#endif

/*
 * drain_all_pages() while every other CPU hammers alloc/free.  Each worker
 * parks a set of pages on its cold list (and never touches that list
 * again), then publishes the count; once the drainer has seen them all and
 * drain_all_pages() has returned, every cold list must be empty.
 */
struct hammer {
	unsigned long long seed;
	atomic_int parked;		/* workers whose cold pages are in place */
	atomic_int stop;
	atomic_ulong corrupt;
	atomic_ulong drains;
};

static void hammer_cpu(void *info)
{
	struct hammer *hm = info;
	unsigned int cpu = smp_processor_id();
	unsigned long long rng = hm->seed + cpu * 7919 + 1;
	struct page *held[32], *cold[20];
	int nheld = 0;

	if (cpu == 0) {
		/* the drainer: wait for the parked pages, drain, then keep at it */
		/* acquire: pairs with the release of parked, the cold counts */
		while (atomic_load_explicit(&hm->parked, memory_order_acquire) <
		       (int)num_online_cpus() - 1)
			sched_yield();
		drain_all_pages(NULL);
		for (unsigned int c = 1; c < num_online_cpus(); c++)
			for (int nid = 0; nid < (int)num_online_nodes(); nid++)
				for (int t = 0; t < MAX_NR_ZONES; t++)
					if (READ_ONCE(zone_of(nid, t)->pageset[c].pcp[1].count))
						atomic_fetch_add_explicit(&hm->corrupt, 1, memory_order_relaxed);
		for (int i = 0; i < 50; i++) {
			drain_all_pages(i & 1 ? NULL : zone_of(i % num_online_nodes(), ZONE_DMA32));
			atomic_fetch_add_explicit(&hm->drains, 1, memory_order_relaxed);
		}
		atomic_store_explicit(&hm->stop, 1, memory_order_relaxed);
		return;
	}
	for (int i = 0; i < 20; i++)
		cold[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 20; i++)
		free_cold_page(cold[i]);
	/* release: the cold-list counts before the drainer reads them */
	atomic_fetch_add_explicit(&hm->parked, 1, memory_order_release);

	for (int op = 0; op < HAMMER_OPS || !atomic_load_explicit(&hm->stop, memory_order_relaxed); op++) {
		unsigned long long x = next_rand(&rng);

		if (nheld < 32 && (x & 1)) {
			unsigned int order = (x >> 8) % 8 ? 0 : (unsigned int)(x >> 12) % 4;
			struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
			unsigned long *v;

			if (!p)
				continue;
			v = page_address(p);
			v[0] = block_pattern(p, order, 0);
			v[511] = order;
			held[nheld++] = p;
		} else if (nheld) {
			int k = (int)((x >> 20) % (unsigned)nheld);
			struct page *p = held[k];
			unsigned long *v = page_address(p);

			if (v[0] != block_pattern(p, (unsigned int)v[511], 0))
				atomic_fetch_add_explicit(&hm->corrupt, 1, memory_order_relaxed);
			__free_pages(p, (unsigned int)v[511]);
			held[k] = held[--nheld];
		}
	}
	while (nheld--) {
		unsigned long *v = page_address(held[nheld]);

		__free_pages(held[nheld], (unsigned int)v[511]);
	}
}

static void hammer(const char *boot)
{
	struct hammer hm = { .seed = 42 };
	unsigned long viol = report_violations();

	printk_set_quiet(1);
	assert_int_equal(mm_boot(boot), 0);
	assert_int_equal(mm_on_each_cpu(hammer_cpu, &hm), 0);
	assert_int_equal(atomic_load_explicit(&hm.corrupt, memory_order_relaxed), 0);
	assert_int_equal(atomic_load_explicit(&hm.drains, memory_order_relaxed), 50);
	assert_int_equal(report_violations(), viol);
	assert_int_equal(mm_cpu_attach(0), 0);
	assert_int_equal(allocated_pages(), 0);
	/* every CPU went offline: the lists are empty, everything is free */
	assert_int_equal(nr_free_pages(), totalram_pages);
	check_shutdown();
}

static void test_drain_while_hammering_8(void **state)
{
	(void)state;
	hammer("mem=256M nodes=2 cpus=8");
}

static void test_drain_while_hammering_32(void **state)
{
	(void)state;
	hammer("mem=512M nodes=4 cpus=32");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_drain_while_hammering_8),
		TEST(test_drain_while_hammering_32),
	};

	return cmocka_run_group_tests_name("stress_pcp", tests, NULL, NULL);
}
