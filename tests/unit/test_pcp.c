// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_pcp.c - the per-CPU hot/cold page lists: LIFO reuse, refill
 * and drain by batch in one lock hold, the cold list, the fraction sysctl,
 * and draining other CPUs (blocked, busy, going offline; every zone or
 * one) through IPIs.  (Draining while every CPU hammers the lists:
 * tests/stress/stress_pcp.c.)
 */
#include "../testutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#ifdef MMSIM_DEBUG		/* the sanitizer builds run slower */
#define PINGPONG_PAGES	20000
#else
#define PINGPONG_PAGES	200000
#endif

/* 1 GiB Normal zone: batch 63; hot high 378, cold high 126 batch 31 */
#define BOOT_1G "mem=1G memstart=4G nodes=1 cpus=4"

static struct zone *normal(void)
{
	return zone_of(0, ZONE_NORMAL);
}

static struct per_cpu_pages *pcp_of(unsigned int cpu, int cold)
{
	return &normal()->pageset[cpu].pcp[cold];
}

static unsigned long lock_acquisitions(struct zone *z)
{
	struct lock_stats st;

	spin_lock_stats_read(&z->lock, &st);
	return st.acquisitions;
}

static void test_sizes(void **state)
{
	(void)state;
	boot_attach(BOOT_1G);
	assert_int_equal(zone_batchsize(normal()), 63);
	assert_int_equal(pcp_of(0, 0)->high, 378);
	assert_int_equal(pcp_of(0, 0)->batch, 63);
	assert_int_equal(pcp_of(0, 1)->high, 126);
	assert_int_equal(pcp_of(0, 1)->batch, 31);
	check_shutdown();

	/* a 16 MiB DMA zone: batch 0, so high 0 and batch 1 (pass-through) */
	boot_attach("mem=64M nodes=1 cpus=1");
	assert_int_equal(zone_batchsize(zone_of(0, ZONE_DMA)), 0);
	assert_int_equal(zone_of(0, ZONE_DMA)->pageset[0].pcp[0].high, 0);
	assert_int_equal(zone_of(0, ZONE_DMA)->pageset[0].pcp[0].batch, 1);
	check_shutdown();
}

static void test_lifo_and_refill(void **state)
{
	struct page *a, *b;
	unsigned long acq, free;
	(void)state;

	boot_attach(BOOT_1G);
	free = zone_free(0, ZONE_NORMAL);
	acq = lock_acquisitions(normal());
	a = alloc_page(GFP_KERNEL);		/* empty list: one refill */
	assert_int_equal(lock_acquisitions(normal()), acq + 1);
	assert_int_equal(zone_free(0, ZONE_NORMAL), free - 63);
	assert_int_equal(pcp_of(0, 0)->count, 62);
	assert_int_equal(normal()->pageset[0].stat.refills, 1);
	assert_int_equal(normal()->pageset[0].stat.refill_pages, 63);
	/* LIFO: a page freed is the next one handed out */
	__free_page(a);
	assert_int_equal(pcp_of(0, 0)->count, 63);
	b = alloc_page(GFP_KERNEL);
	assert_ptr_equal(a, b);
	/* the fast path takes no lock */
	acq = lock_acquisitions(normal());
	for (int i = 0; i < 10000; i++) {
		struct page *p = alloc_page(GFP_KERNEL);

		__free_page(p);
	}
	assert_int_equal(lock_acquisitions(normal()), acq);
	assert_true(normal()->pageset[0].stat.fast_allocs >= 10001);
	/* orders above 0 never touch the lists */
	a = alloc_pages(GFP_KERNEL, 1);
	__free_pages(a, 1);
	assert_int_equal(pcp_of(0, 0)->count, 62);
	__free_page(b);
	check_shutdown();
}

static void test_drain_at_high(void **state)
{
	struct held h = { 0 };
	unsigned long acq, free;
	(void)state;

	boot_attach(BOOT_1G);
	for (int i = 0; i < 7 * 63; i++)	/* seven whole refills */
		held_push(&h, alloc_page(GFP_KERNEL), 0);
	assert_int_equal(pcp_of(0, 0)->count, 0);
	free = zone_free(0, ZONE_NORMAL);
	/* free until the hot list reaches high (378): then 63 go back */
	for (int i = 0; i < 377; i++) {
		h.nr--;
		__free_page(h.page[h.nr]);
	}
	assert_int_equal(pcp_of(0, 0)->count, 377);
	acq = lock_acquisitions(normal());
	h.nr--;
	__free_page(h.page[h.nr]);
	assert_int_equal(pcp_of(0, 0)->count, 378 - 63);
	assert_int_equal(lock_acquisitions(normal()), acq + 1);
	assert_int_equal(zone_free(0, ZONE_NORMAL), free + 63);
	assert_int_equal(normal()->pageset[0].stat.drains, 1);
	assert_int_equal(normal()->pageset[0].stat.drain_pages, 63);
	assert_mm_check_ok();
	held_free_all(&h);
	check_shutdown();
}

static void test_cold_list(void **state)
{
	struct page *a, *b, *c;
	struct held h = { 0 };
	(void)state;

	boot_attach(BOOT_1G);
	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL);
	free_cold_page(a);
	assert_int_equal(pcp_of(0, 1)->count, 1);
	/* a hot allocation does not see the cold page ... */
	c = alloc_page(GFP_KERNEL);
	assert_ptr_not_equal(c, a);
	/* ... a __GFP_COLD one takes it */
	assert_ptr_equal(alloc_page(GFP_KERNEL | __GFP_COLD), a);
	assert_int_equal(pcp_of(0, 1)->count, 0);
	/* an empty cold list refills by its own batch (31) */
	held_push(&h, alloc_page(GFP_KERNEL | __GFP_COLD), 0);
	assert_int_equal(pcp_of(0, 1)->count, 30);
	/* and drains by 31 at its high (126) */
	for (int i = 0; i < 200; i++)
		held_push(&h, alloc_page(GFP_KERNEL | __GFP_COLD), 0);
	while (pcp_of(0, 1)->count < 125) {
		h.nr--;
		free_cold_page(h.page[h.nr]);
	}
	h.nr--;
	free_cold_page(h.page[h.nr]);
	assert_int_equal(pcp_of(0, 1)->count, 126 - 31);
	__free_page(a);
	__free_page(b);
	__free_page(c);
	held_free_all(&h);
	check_shutdown();
}

static void test_percpu_pagelist_fraction(void **state)
{
	char buf[16], *zi;
	(void)state;

	boot_attach(BOOT_1G);
	assert_int_equal(mm_sysctl_read("vm.percpu_pagelist_fraction", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(mm_sysctl_write("vm.percpu_pagelist_fraction", "8"), 0);
	/* hot: high = 262144 / 8, batch = min(high / 4, PAGE_SHIFT * 8) */
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		assert_int_equal(pcp_of(cpu, 0)->high, 32768);
		assert_int_equal(pcp_of(cpu, 0)->batch, 96);
		assert_int_equal(pcp_of(cpu, 1)->high, 126);	/* cold unchanged */
	}
	assert_int_equal(mm_sysctl_write("vm.percpu_pagelist_fraction", "100000"), 0);
	assert_int_equal(pcp_of(2, 0)->high, 2);
	assert_int_equal(pcp_of(2, 0)->batch, 1);
	zi = proc_text("zoneinfo");
	assert_contains(zi, "    cpu: 3 pcp: 0\n              count: 0\n              high:  2\n"
			    "              batch: 1\n    cpu: 3 pcp: 1\n              count: 0\n"
			    "              high:  126\n              batch: 31\n");
	free(zi);
	capture_begin();
	assert_int_equal(mm_sysctl_write("vm.percpu_pagelist_fraction", "5"), -EINVAL);
	assert_int_equal(mm_sysctl_write("vm.percpu_pagelist_fraction", "-8"), -EINVAL);
	assert_int_equal(mm_sysctl_write("vm.percpu_pagelist_fraction", "x"), -EINVAL);
	capture_end();
	assert_int_equal(mm_sysctl_write("vm.percpu_pagelist_fraction", "0"), 0);
	assert_int_equal(pcp_of(1, 0)->high, 378);
	assert_int_equal(pcp_of(1, 0)->batch, 63);
	check_shutdown();
}

static void test_double_free_on_the_list(void **state)
{
	struct page *page;
	const char *out;
	(void)state;

	boot_attach(BOOT_1G);
	page = alloc_page(GFP_KERNEL);
	__free_page(page);
	capture_begin();
	__free_page(page);		/* already on the hot list */
	out = capture_end();
	assert_contains(out, "BUG: Bad page state");
	assert_int_equal(pcp_of(0, 0)->count, 63);
	assert_mm_check_ok();
	check_shutdown();
}

static void test_mm_check_sees_pcp_corruption(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct page *page;
	(void)state;

	boot_attach(BOOT_1G);
	page = alloc_page(GFP_KERNEL);
	__free_page(page);
	f = open_memstream(&buf, &len);
	pcp_of(0, 0)->count++;
	assert_true(mm_check(f) > 0);
	pcp_of(0, 0)->count--;
	__SetPageBuddy(page);
	page->private = 0;
	assert_true(mm_check(f) > 0);
	__ClearPageBuddy(page);
	fclose(f);
	assert_contains(buf, "hot list count is 64 but it holds 63 pages");
	assert_contains(buf, "with PG_buddy");
	free(buf);
	check_shutdown();
}

/* Pages through this CPU's lists: 100 allocated, two thirds freed hot,
 * one third cold. */
static void fill_lists(void *arg)
{
	struct page *pages[100];

	(void)arg;
	for (int i = 0; i < 100; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 100; i++)
		i % 3 ? __free_page(pages[i]) : free_cold_page(pages[i]);
}

static void fill_lists_job(struct cpu_job *job)
{
	fill_lists(job->arg);
}

/* CPUs 1 and 2 park with pages on their lists, CPU 3 filled its lists and
 * went offline (which drains them); CPU 0 drains them all. */
static void test_drain_all_pages_blocked_cpus(void **state)
{
	struct cpu_job offline;
	(void)state;

	boot_attach(BOOT_1G);
	park_cpu(1, (struct park){ .park = fill_lists });
	park_cpu(2, (struct park){ .park = fill_lists });
	cpu_job_start(&offline, 3, fill_lists_job, NULL);
	cpu_job_join(&offline);
	__free_page(alloc_page(GFP_KERNEL));
	assert_true(zone_pcp_pages(normal()) > 0);
	assert_int_equal(pcp_of(3, 0)->count + pcp_of(3, 1)->count, 0);	/* offline */
	assert_true(pcp_of(1, 0)->count > 0);
	assert_true(pcp_of(2, 1)->count > 0);
	drain_all_pages(NULL);
	assert_int_equal(zone_pcp_pages(normal()), 0);
	assert_int_equal(nr_free_pages(), totalram_pages);
	unpark_cpu(1);
	unpark_cpu(2);
	check_shutdown();
}

/*
 * drain_all_pages(zone) drains that zone's lists on every CPU and no
 * other: CPU 1 (node 0) parks pages on its lists of both nodes' DMA32
 * zones, CPU 2 (node 1) on node 1's; draining node 1's zone empties it on
 * both CPUs and leaves CPU 1's pages of node 0 where they were.
 */
static void fill_node_lists(void *arg)
{
	const int *nodes = arg;		/* bit n: node n */
	struct page *pages[40];

	for (int nid = 0; nid < 2; nid++) {
		if (!(*nodes & 1 << nid))
			continue;
		for (int i = 0; i < 40; i++)
			pages[i] = alloc_pages_node(nid, GFP_KERNEL | __GFP_THISNODE, 0);
		for (int i = 0; i < 40; i++)
			if (pages[i])
				__free_page(pages[i]);
	}
}

static void test_drain_all_pages_one_zone(void **state)
{
	static int both = 3, node1 = 2;
	struct zone *z0, *z1;
	unsigned long on_z0;
	(void)state;

	boot_attach("mem=256M nodes=2 cpus=4");	/* CPUs 0-1 node 0, 2-3 node 1 */
	z0 = zone_of(0, ZONE_DMA32);
	z1 = zone_of(1, ZONE_DMA32);
	park_cpu(1, (struct park){ .park = fill_node_lists, .arg = &both });
	park_cpu(2, (struct park){ .park = fill_node_lists, .arg = &node1 });
	on_z0 = z0->pageset[1].pcp[0].count;
	assert_true(on_z0 > 0);
	assert_true(z1->pageset[1].pcp[0].count > 0);
	assert_true(z1->pageset[2].pcp[0].count > 0);
	drain_all_pages(z1);
	assert_int_equal(zone_pcp_pages(z1), 0);
	assert_int_equal(z0->pageset[1].pcp[0].count, on_z0);
	unpark_cpu(1);
	unpark_cpu(2);
	check_shutdown();
}

/*
 * A sleeping allocation drains the per-CPU lists before it fails (v4.19's
 * __alloc_pages_direct_reclaim(): one drain_all_pages() and a retry).  CPU
 * 1 parks 300 pages on its hot list and spins, answering IPIs; CPU 0 takes
 * everything GFP_NOWAIT may (no direct reclaim: no drain), then GFP_KERNEL
 * must still succeed, from CPU 1's list, and so must __GFP_NOFAIL once
 * CPU 1 has parked pages again (it would loop for ever otherwise).
 */
static void fill_hot_list(void *arg)
{
	struct page *pages[300];

	(void)arg;
	for (int i = 0; i < 300; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 300; i++)
		__free_page(pages[i]);
}

static const struct park hot_parker = { .park = fill_hot_list, .busy = 1 };

static void test_slow_path_drains_pcp(void **state)
{
	struct held h = { 0 };
	struct page *page;
	(void)state;

	boot_attach(BOOT_1G);
	park_cpu(1, hot_parker);
	assert_true(pcp_of(1, 0)->count >= 300 - 63);

	drain_with(&h, GFP_NOWAIT);
	assert_true(pcp_of(1, 0)->count >= 300 - 63);	/* GFP_NOWAIT does not drain */
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	assert_non_null(page);
	held_push(&h, page, 0);
	assert_int_equal(pcp_of(1, 0)->count, 0);

	/* 300 pages back for CPU 1 to park again, then the rest taken */
	for (int i = 0; i < 300; i++)
		__free_page(h.page[--h.nr]);
	drain_local_pages(NULL);
	unpark_cpu(1);			/* (its lists are empty) */
	park_cpu(1, hot_parker);
	drain_with(&h, GFP_NOWAIT);
	assert_true(pcp_of(1, 0)->count >= 300 - 63);
	page = alloc_page(GFP_KERNEL | __GFP_NOFAIL);	/* ...and they come back */
	assert_non_null(page);
	held_push(&h, page, 0);
	assert_int_equal(pcp_of(1, 0)->count, 0);

	unpark_cpu(1);
	held_free_all(&h);
	check_shutdown();
}

/* One CPU allocates, another frees: pages cross over an SPSC ring. */
#define RING 256
struct pingpong {
	struct page *ring[RING];
	atomic_ulong head, tail;	/* head: producer's, tail: consumer's */
	atomic_ulong corrupt;
	unsigned long n;
};

static void pingpong_cpu(void *info)
{
	struct pingpong *pp = info;
	unsigned int cpu = smp_processor_id();

	if (cpu == 0) {
		for (unsigned long i = 0; i < pp->n; i++) {
			struct page *p = alloc_page(GFP_KERNEL);
			unsigned long h = atomic_load_explicit(&pp->head, memory_order_relaxed);

			*(unsigned long *)page_address(p) = block_pattern(p, 0, 0);
			while (h - atomic_load_explicit(&pp->tail, memory_order_acquire) == RING)
				sched_yield();
			pp->ring[h % RING] = p;
			/* release: the pattern and the slot before the index */
			atomic_store_explicit(&pp->head, h + 1, memory_order_release);
		}
	} else if (cpu == 1) {
		for (unsigned long i = 0; i < pp->n; i++) {
			unsigned long t = atomic_load_explicit(&pp->tail, memory_order_relaxed);
			struct page *p;

			while (atomic_load_explicit(&pp->head, memory_order_acquire) == t)
				sched_yield();
			p = pp->ring[t % RING];
			atomic_store_explicit(&pp->tail, t + 1, memory_order_release);
			if (*(unsigned long *)page_address(p) != block_pattern(p, 0, 0))
				atomic_fetch_add_explicit(&pp->corrupt, 1, memory_order_relaxed);
			__free_page(p);
		}
	}
}

static void test_pingpong(void **state)
{
	struct pingpong *pp = calloc(1, sizeof(*pp));
	struct lock_stats st;
	struct pcp_stats *s0, *s1;
	(void)state;

	printk_set_quiet(1);
	assert_int_equal(mm_boot("mem=1G memstart=4G nodes=1 cpus=2"), 0);
	pp->n = PINGPONG_PAGES;
	spin_lock_stats_reset(&normal()->lock);
	assert_int_equal(mm_on_each_cpu(pingpong_cpu, pp), 0);
	assert_int_equal(atomic_load_explicit(&pp->corrupt, memory_order_relaxed), 0);
	spin_lock_stats_read(&normal()->lock, &st);
	s0 = &normal()->pageset[0].stat;
	s1 = &normal()->pageset[1].stat;
	print_message("ping-pong %lu pages: zone->lock %lu acquisitions (%.3f per page), "
		      "%lu contended (%.1f%%); CPU 0 refills %lu, CPU 1 drains %lu, "
		      "remote frees %lu\n", pp->n, st.acquisitions,
		      (double)st.acquisitions / (double)pp->n, st.contended,
		      st.acquisitions ? 100.0 * (double)st.contended / (double)st.acquisitions : 0,
		      s0->refills, s1->drains, s1->remote_frees);
	/* every page crossed: each was a remote free for CPU 1 */
	assert_int_equal(s1->remote_frees, pp->n);
	assert_int_equal(s0->remote_frees, 0);
	/* the lock is taken once per batch, not once per page */
	assert_true(st.acquisitions < pp->n / 20);
	free(pp);
	assert_int_equal(mm_cpu_attach(0), 0);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_sizes),
		TEST(test_lifo_and_refill),
		TEST(test_drain_at_high),
		TEST(test_cold_list),
		TEST(test_percpu_pagelist_fraction),
		TEST(test_double_free_on_the_list),
		TEST(test_mm_check_sees_pcp_corruption),
		TEST(test_drain_all_pages_blocked_cpus),
		TEST(test_drain_all_pages_one_zone),
		TEST(test_slow_path_drains_pcp),
		TEST(test_pingpong),
	};

	return cmocka_run_group_tests_name("pcp", tests, NULL, NULL);
}
