// SPDX-License-Identifier: MIT
/*
 * tests/stress/stress_slab.c - SLAB and kmalloc under load: 16 CPUs on 4
 * nodes freeing each other's objects through the alien caches against
 * kmem_cache_shrink() and the reaper, and slab_debug (poison, red zones,
 * owners) on every CPU at once with objects changing hands.  No
 * corruption, no report, no failed allocation, every slab back.
 * (tests/unit/test_slab.c and test_slab_debug.c have the rules one by
 * one, the alien caches and a free on another CPU under slab_debug
 * included.)
 */
#include "../testutil.h"
#include "../../mm/slab.h"

#include <stdatomic.h>

/* ---------------------------------------------------- cross-node traffic */

/*
 * 16 CPUs on 4 nodes allocate cache objects (some on a chosen node) and
 * kmalloc objects of every size class, then each frees what a CPU of
 * another node made (the alien caches), while CPU 0 shrinks the cache and
 * the reap and RCU work run at the safe points.
 */
#define XCPUS		16
#define XOBJS		48
#define XROUNDS		(TSAN_BUILD ? 25 : 120)

struct xfer {
	struct kmem_cache *cache;
	struct cpu_barrier bar;
	void *obj[XCPUS][XOBJS];
	unsigned int len[XCPUS][XOBJS];		/* 0: from the cache */
	atomic_ulong corrupt, failed, shrinks;
};

static const unsigned int xsizes[] = { 8, 24, 64, 96, 100, 192, 500, 1000, 2048, 4096, 8192 };

static unsigned char xpat(unsigned int cpu, int round, int i)
{
	return (unsigned char)(cpu * 31 + (unsigned int)round * 7 + (unsigned int)i * 3 + 1);
}

static void xfer_cpu(void *info)
{
	struct xfer *x = info;
	unsigned int cpu = smp_processor_id();
	unsigned long long rng = 0x9e3779b97f4a7c15ULL * (cpu + 1);

	for (int r = 0; r < XROUNDS; r++) {
		for (int i = 0; i < XOBJS; i++) {
			unsigned int len;
			void *p;

			next_rand(&rng);
			if (i & 1) {
				len = 0;
				p = rng & 0x100 ?
				    kmem_cache_alloc_node(x->cache, GFP_KERNEL,
							  (int)((rng >> 20) % 4)) :
				    kmem_cache_alloc(x->cache, GFP_KERNEL);
			} else {
				len = xsizes[(rng >> 8) % (sizeof(xsizes) / sizeof(xsizes[0]))];
				p = kmalloc(len, GFP_KERNEL);
			}
			if (!p) {
				atomic_fetch_add_explicit(&x->failed, 1, memory_order_relaxed);
				x->obj[cpu][i] = NULL;
				continue;
			}
			memset(p, xpat(cpu, r, i), len ? len : 160);
			x->obj[cpu][i] = p;
			x->len[cpu][i] = len;
		}
		if (cpu == 0 && r % 10 == 5) {
			kmem_cache_shrink(x->cache);
			atomic_fetch_add_explicit(&x->shrinks, 1, memory_order_relaxed);
		}
		cpu_barrier_wait(&x->bar);
		/* free what a CPU of another node allocated (a permutation) */
		{
			unsigned int src = (cpu + 4 * (1 + (unsigned int)r % 3)) % XCPUS;

			for (int i = 0; i < XOBJS; i++) {
				unsigned char *p = x->obj[src][i];
				unsigned int len = x->len[src][i];

				if (!p)
					continue;
				for (unsigned int k = 0; k < (len ? len : 160); k += 8)
					if (p[k] != xpat(src, r, i)) {
						atomic_fetch_add_explicit(&x->corrupt, 1,
									  memory_order_relaxed);
						break;
					}
				if (len)
					kfree(p);
				else
					kmem_cache_free(x->cache, p);
			}
		}
		if (r % 4 == 3)
			cond_resched();		/* reap and RCU work run here */
		cpu_barrier_wait(&x->bar);
	}
}

static void test_cross_node_frees(void **state)
{
	struct xfer *x = calloc(1, sizeof(*x));
	unsigned long viol, alien = 0;
	long pages0;
	(void)state;

	assert_non_null(x);
	boot_attach("mem=256M nodes=4 cpus=16 hz_scale=50");
	slab_shrink_all();
	pages0 = allocated_pages();
	x->cache = kmem_cache_create("xnode-160", 160, 0, SLAB_HWCACHE_ALIGN, NULL);
	assert_non_null(x->cache);
	mm_cpu_detach();
	cpu_barrier_init(&x->bar, XCPUS);
	viol = report_violations();
	assert_int_equal(mm_on_each_cpu(xfer_cpu, x), 0);
	cpu_barrier_destroy(&x->bar);
	assert_int_equal(report_violations(), viol);
	assert_int_equal(atomic_load(&x->corrupt), 0);
	assert_int_equal(atomic_load(&x->failed), 0);
	assert_true(atomic_load(&x->shrinks) > 0);
	assert_int_equal(mm_cpu_attach(0), 0);
	/* SLAB's alien arrays and node counts; SLUB and SLOB have neither */
	for (unsigned int cpu = 0; cpu < XCPUS && TEST_SLAB; cpu++)
		alien += x->cache->stats[cpu].alien_frees;
	assert_true(alien > 0 || !TEST_SLAB);
	assert_mm_check_ok();
	assert_int_equal(kmem_cache_shrink(x->cache), 0);
	for (int nid = 0; nid < 4 && TEST_SLAB; nid++) {
		struct kmem_cache_node *n = get_node(x->cache, nid);

		assert_non_null(n);
		assert_int_equal(n->total_slabs, 0);
	}
	kmem_cache_destroy(x->cache);
	slab_shrink_all();
	assert_mm_check_ok();
	assert_int_equal(allocated_pages(), pages0);
	free(x);
	check_shutdown();
}

/* ------------------------------------------------- slab_debug on every CPU */

/* slab_debug on every CPU at once: objects change hands, nothing is reported. */
#define DCPUS	4
#define DOBJS	32
#define DROUNDS	(TSAN_BUILD ? 20 : 100)

struct dbgrun {
	struct kmem_cache *cache;
	struct cpu_barrier bar;
	unsigned char *obj[DCPUS][DOBJS];
	atomic_ulong corrupt;
};

static void dbg_cpu(void *info)
{
	struct dbgrun *d = info;
	unsigned int cpu = smp_processor_id();

	for (int r = 0; r < DROUNDS; r++) {
		for (int i = 0; i < DOBJS; i++) {
			unsigned char *p = i & 1 ? kmem_cache_alloc(d->cache, GFP_KERNEL) :
					   kmalloc(64 + (size_t)i * 8, GFP_KERNEL);

			/* SLAB hands out 0x5a; SLUB leaves its free poison,
			 * 0x6b up to the 0xa5 of the last byte */
			for (int k = 0; k < (TEST_SLUB ? 63 : 64); k++)
				if (p[k] != (TEST_SLUB ? POISON_FREE : POISON_INUSE)) {
					atomic_fetch_add(&d->corrupt, 1);
					break;
				}
			memset(p, (int)cpu + 1, 64);
			d->obj[cpu][i] = p;
		}
		cpu_barrier_wait(&d->bar);
		for (int i = 0; i < DOBJS; i++) {
			unsigned int src = (cpu + 1 + (unsigned int)r % (DCPUS - 1)) % DCPUS;
			unsigned char *p = d->obj[src][i];

			if (p[63] != src + 1)
				atomic_fetch_add(&d->corrupt, 1);
			if (i & 1)
				kmem_cache_free(d->cache, p);
			else
				kfree(p);
		}
		cpu_barrier_wait(&d->bar);
	}
}

static void test_debug_on_every_cpu(void **state)
{
	struct dbgrun *d;
	unsigned long viol;
	(void)state;

	SKIP_IF_SLOB("SLOB has no debugging");
	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	boot_attach(TEST_SLUB ? "mem=128M nodes=2 cpus=4 slub_debug" :
		    "mem=128M nodes=2 cpus=4 slab_debug");
	d->cache = kmem_cache_create("dbg-smp", 120, 0, SLAB_HWCACHE_ALIGN, NULL);
	assert_non_null(d->cache);
	mm_cpu_detach();
	cpu_barrier_init(&d->bar, DCPUS);
	viol = report_violations();
	assert_int_equal(mm_on_each_cpu(dbg_cpu, d), 0);
	cpu_barrier_destroy(&d->bar);
	assert_int_equal(report_violations(), viol);
	assert_int_equal(atomic_load(&d->corrupt), 0);
	assert_int_equal(mm_cpu_attach(0), 0);
	assert_mm_check_ok();
	assert_int_equal(kmem_cache_shrink(d->cache), 0);
	kmem_cache_destroy(d->cache);
	free(d);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_cross_node_frees),
		TEST(test_debug_on_every_cpu),
	};

	return cmocka_run_group_tests_name("stress_slab", tests, NULL, NULL);
}
