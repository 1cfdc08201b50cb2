// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_slub_race.c - the SLUB core (slab=slub): misuse refused
 * without debugging (an object pointer that is no object start, double
 * frees at the head of the freelist they go to) with mm_check() clean
 * after, and 16 CPUs passing objects to each other for remote frees while
 * one of them shrinks the cache (flush_all() IPIs into the others' fast
 * paths), ending with mm_check() clean.
 */
#include "../testutil.h"
#include "../../mm/slub_core.h"

#include <stdatomic.h>

#define BOOT2	"slab=slub slab_nomerge mem=64M nodes=1 cpus=2"
#define BOOT16	"slab=slub slab_nomerge mem=128M nodes=2 cpus=16"

/* ------------------------------------------------------------ misuse */

static struct kmem_cache *mis_cache;

static void free_it(const void *p)
{
	kmem_cache_free(mis_cache, (void *)p);
}

static void test_misuse_refused(void **state)
{
	struct kmem_cache *s;
	const char *out;
	char *x, *y, *objs[40];

	(void)state;
	boot_attach(BOOT2);
	s = mis_cache = kmem_cache_create("mis-128", 128, 0, 0, NULL);
	x = kmem_cache_alloc(s, GFP_KERNEL);
	y = kmem_cache_alloc(s, GFP_KERNEL);
	out = refused(free_it, x + 8);
	assert_contains(out, "BUG mis-128");
	assert_contains(out, "Invalid object pointer");
	/* the fast path's head: y just freed onto c->freelist */
	kmem_cache_free(s, y);
	out = refused(free_it, y);
	assert_contains(out, "Object already free");
	assert_contains(out, "FIX mis-128: Object at");
	/* the slow path's head: a slab on the node list */
	for (int i = 0; i < 40; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_shrink(s);			/* all slabs unfrozen */
	kmem_cache_free(s, objs[5]);
	out = refused(free_it, objs[5]);
	assert_contains(out, "Object already free");
	/* still works */
	for (int i = 0; i < 40; i++)
		if (i != 5)
			kmem_cache_free(s, objs[i]);
	kmem_cache_free(s, x);
	assert_mm_check_ok();
	kmem_cache_destroy(s);
	check_shutdown();
}

/* ------------------------------------------------------------- race */

#define RACE_CPUS	16
#define RACE_SLOTS	256
#define RACE_OPS	3000

static struct kmem_cache *race_cache;
static void *race_slot[RACE_SLOTS];
static atomic_int race_failed;

static void race_job(struct cpu_job *job)
{
	unsigned long long seed = 0x9e3779b97f4a7c15ULL * (job->cpu + 1);

	for (int i = 0; i < RACE_OPS; i++) {
		unsigned int k = (unsigned int)(next_rand(&seed) % RACE_SLOTS);
		void *obj = __atomic_exchange_n(&race_slot[k], NULL, __ATOMIC_ACQ_REL);

		if (obj) {
			if (*(unsigned int *)obj != k)
				atomic_store(&race_failed, 1);
			kmem_cache_free(race_cache, obj);	/* mostly remote */
			continue;
		}
		obj = kmem_cache_alloc(race_cache, GFP_KERNEL);
		if (!obj) {
			atomic_store(&race_failed, 2);
			continue;
		}
		*(unsigned int *)obj = k;
		obj = __atomic_exchange_n(&race_slot[k], obj, __ATOMIC_ACQ_REL);
		if (obj)
			kmem_cache_free(race_cache, obj);
		if (job->cpu == 3 && i % 500 == 0)
			kmem_cache_shrink(race_cache);	/* flush_all IPIs */
	}
}

static void test_race_remote_frees(void **state)
{
	struct cpu_job jobs[RACE_CPUS];

	(void)state;
	boot_attach(BOOT16);
	race_cache = kmem_cache_create("race-96", 96, 0, 0, NULL);
	assert_non_null(race_cache);
	mm_cpu_detach();
	for (unsigned int cpu = 0; cpu < RACE_CPUS; cpu++)
		cpu_job_start(&jobs[cpu], cpu, race_job, NULL);
	for (unsigned int cpu = 0; cpu < RACE_CPUS; cpu++)
		cpu_job_join(&jobs[cpu]);
	assert_int_equal(atomic_load(&race_failed), 0);
	assert_int_equal(mm_cpu_attach(0), 0);
	assert_mm_check_ok();
	for (int k = 0; k < RACE_SLOTS; k++)
		if (race_slot[k])
			kmem_cache_free(race_cache, race_slot[k]);
	memset(race_slot, 0, sizeof(race_slot));
	assert_int_equal(kmem_cache_shrink(race_cache), 0);
	assert_mm_check_ok();
	kmem_cache_destroy(race_cache);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_misuse_refused),
		TEST(test_race_remote_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
