// SPDX-License-Identifier: MIT
/*
 * tests/stress/stress_mempool.c - many CPUs, one pool, a backing allocator
 * that fails most of the time: GFP_KERNEL and GFP_NOIO callers keep running
 * the reserve dry and sleeping on it, GFP_ATOMIC ones get NULL, elements
 * are held across naps and (on 16 CPUs) freed by another CPU than their
 * allocator's.  No element is handed to two CPUs or damaged, GFP_KERNEL
 * never gets NULL, wake-ups are not lost (few sleeps end by the 5*HZ
 * timeout), and the pool's statistics add up with what the CPUs saw.
 * (tests/unit/test_mempool.c has mempool's rules one by one.)
 */
#include "../testutil.h"

#include <stdatomic.h>

#define HMAX_CPUS	16

struct helem {
	int owner;		/* atomic: CPU + 1 while a CPU uses it */
	unsigned int cpu;	/* who allocated it (pattern seed) */
	unsigned long seq;
	unsigned char pat[40];
};

struct hammer {
	mempool_t *pool;
	unsigned int nr_cpus;
	unsigned long ops;
	int fail_pct;			/* read-only while the CPUs run */
	int handoff;			/* every other element is freed by another CPU */
	unsigned int nap_every;		/* hold an element across a nap every n ops */
	void *mailbox[HMAX_CPUS];	/* atomic exchange */
	atomic_long backing_ok, backing_fail, backing_free;
	atomic_long got, null_kernel, null_atomic;
	atomic_long corrupt, double_owner, handed;
};

static __thread unsigned long long hrng;

static void *hammer_alloc(gfp_t gfp, void *data)
{
	struct hammer *h = data;
	struct helem *e;

	if (!hrng)
		hrng = 0x9e3779b97f4a7c15ULL * (unsigned long long)(raw_smp_processor_id() + 2);
	if ((int)((next_rand(&hrng) >> 11) % 100) < h->fail_pct) {
		atomic_fetch_add_explicit(&h->backing_fail, 1, memory_order_relaxed);
		return NULL;
	}
	e = kmalloc(sizeof(*e), gfp);
	if (e) {
		__atomic_store_n(&e->owner, 0, __ATOMIC_RELAXED);
		atomic_fetch_add_explicit(&h->backing_ok, 1, memory_order_relaxed);
	}
	return e;
}

static void hammer_free(void *element, void *data)
{
	struct hammer *h = data;

	atomic_fetch_add_explicit(&h->backing_free, 1, memory_order_relaxed);
	kfree(element);
}

static unsigned char hpat(unsigned int cpu, unsigned long seq)
{
	return (unsigned char)(cpu * 37 + seq * 11 + 1);
}

static int helem_ok(const struct helem *e)
{
	unsigned char c = hpat(e->cpu, e->seq);

	for (size_t i = 0; i < sizeof(e->pat); i++)
		if (e->pat[i] != c)
			return 0;
	return 1;
}

/* Free what another CPU left in our mailbox. */
static void hammer_take_mail(struct hammer *h, unsigned int cpu)
{
	struct helem *e = __atomic_exchange_n(&h->mailbox[cpu], NULL, __ATOMIC_ACQ_REL);

	if (!e)
		return;
	if (!helem_ok(e))
		atomic_fetch_add_explicit(&h->corrupt, 1, memory_order_relaxed);
	mempool_free(e, h->pool);
}

static void hammer_cpu(void *info)
{
	struct hammer *h = info;
	unsigned int cpu = smp_processor_id();

	for (unsigned long i = 0; i < h->ops; i++) {
		int atomic_op = i % 5 == 4;
		gfp_t gfp = atomic_op ? GFP_ATOMIC : i % 3 ? GFP_KERNEL : GFP_NOIO;
		struct helem *e;

		if (h->handoff)
			hammer_take_mail(h, cpu);
		e = mempool_alloc(h->pool, gfp);
		if (!e) {
			atomic_fetch_add_explicit(atomic_op ? &h->null_atomic : &h->null_kernel,
						  1, memory_order_relaxed);
			continue;
		}
		atomic_fetch_add_explicit(&h->got, 1, memory_order_relaxed);
		if (__atomic_exchange_n(&e->owner, (int)cpu + 1, __ATOMIC_ACQ_REL))
			atomic_fetch_add_explicit(&h->double_owner, 1, memory_order_relaxed);
		e->cpu = cpu;
		e->seq = i;
		memset(e->pat, hpat(cpu, i), sizeof(e->pat));
		if (i % h->nap_every == 0)
			nap_us(100);
		if (!helem_ok(e) || e->cpu != cpu || e->seq != i)
			atomic_fetch_add_explicit(&h->corrupt, 1, memory_order_relaxed);
		if (__atomic_exchange_n(&e->owner, 0, __ATOMIC_ACQ_REL) != (int)cpu + 1)
			atomic_fetch_add_explicit(&h->double_owner, 1, memory_order_relaxed);
		if (h->handoff && (i & 1)) {
			unsigned int to = (cpu + 1 + (unsigned int)(i / 2) % (h->nr_cpus - 1)) %
					  h->nr_cpus;
			struct helem *old = __atomic_exchange_n(&h->mailbox[to], e,
								__ATOMIC_ACQ_REL);

			atomic_fetch_add_explicit(&h->handed, 1, memory_order_relaxed);
			if (old) {		/* the mailbox was full: free that one */
				if (!helem_ok(old))
					atomic_fetch_add_explicit(&h->corrupt, 1,
								  memory_order_relaxed);
				mempool_free(old, h->pool);
			}
		} else {
			mempool_free(e, h->pool);
		}
		if (i % 64 == 0)
			cond_resched();
	}
	if (h->handoff)
		hammer_take_mail(h, cpu);
}

static void hammer_run(const char *boot, unsigned int nr_cpus, int min_nr, int handoff,
		       unsigned int nap_every, int fail_pct, unsigned long ops)
{
	struct hammer *h = calloc(1, sizeof(*h));
	struct mempool_stats s;
	unsigned long viol;
	double t0;

	assert_non_null(h);
	assert_true(nr_cpus <= HMAX_CPUS);
	boot_attach(boot);
	assert_int_equal(num_online_cpus(), nr_cpus);
	h->nr_cpus = nr_cpus;
	h->ops = ops;
	h->handoff = handoff;
	h->nap_every = nap_every;
	h->fail_pct = 0;			/* the reserve fills */
	h->pool = mempool_create(min_nr, hammer_alloc, hammer_free, h);
	assert_non_null(h->pool);
	assert_int_equal(atomic_load(&h->backing_ok), min_nr);
	h->fail_pct = fail_pct;
	viol = report_violations();
	mm_cpu_detach();

	t0 = now_s();
	assert_int_equal(mm_on_each_cpu(hammer_cpu, h), 0);
	t0 = now_s() - t0;

	assert_int_equal(mm_cpu_attach(0), 0);
	for (unsigned int k = 0; k < nr_cpus; k++) {	/* parked after its CPU finished */
		struct helem *e = h->mailbox[k];

		if (e) {
			if (!helem_ok(e))
				atomic_fetch_add(&h->corrupt, 1);
			mempool_free(e, h->pool);
			h->mailbox[k] = NULL;
		}
	}
	s = mempool_stats_of(h->pool);
	print_message("%u CPUs, min_nr %d%s: %ld elements in %.2f s, %lu from the reserve, "
		      "%lu backing (%ld backing failures), %lu waits (%lu woken, %lu timed "
		      "out, longest %.1f ms), %ld GFP_ATOMIC NULLs, %ld handed over\n",
		      nr_cpus, min_nr, handoff ? ", hand-offs" : "", atomic_load(&h->got), t0,
		      s.alloc_pool, s.alloc_backing, atomic_load(&h->backing_fail), s.waits,
		      s.wakeups, s.timeouts, (double)s.longest_wait_ns * 1e-6,
		      atomic_load(&h->null_atomic), atomic_load(&h->handed));
	assert_int_equal(report_violations(), viol);
	assert_int_equal(atomic_load(&h->null_kernel), 0);	/* GFP_KERNEL/NOIO never NULL */
	assert_int_equal(atomic_load(&h->corrupt), 0);
	assert_int_equal(atomic_load(&h->double_owner), 0);
	assert_true(atomic_load(&h->got) + atomic_load(&h->null_atomic) ==
		    (long)(nr_cpus * ops));
	/* the stats add up to what the CPUs saw */
	assert_int_equal(s.outstanding, 0);
	assert_int_equal(s.alloc_backing + s.alloc_pool, atomic_load(&h->got));
	assert_int_equal(s.alloc_failed, atomic_load(&h->null_atomic));
	assert_int_equal(s.waits, s.wakeups + s.timeouts);
	/* reserve + outstanding never drops below min_nr: all back, it is full,
	 * so every element taken from it was given back to it */
	assert_int_equal(h->pool->curr_nr, min_nr);
	assert_int_equal(s.frees_to_pool, s.alloc_pool);
	assert_int_equal(atomic_load(&h->backing_ok), (long)s.alloc_backing + min_nr);
	assert_int_equal(atomic_load(&h->backing_free), (long)s.alloc_backing);
	/* wake-ups are not lost: a sleeper times out only if nothing came back
	 * for 5*HZ (0.1 s), which a busy pool never lets happen often */
	if (s.timeouts > s.waits / 10 + 3)
		fail_msg("%lu of %lu sleeps ended by the timeout: lost wake-ups?",
			 s.timeouts, s.waits);
	assert_false(waitqueue_active(&h->pool->wait));
	/* a small reserve held across naps runs dry: the test did make CPUs sleep */
	if (!handoff && !s.waits)
		fail_msg("no CPU ever slept on the pool: the test did not test waiting");

	mempool_destroy(h->pool);
	assert_int_equal(atomic_load(&h->backing_free), atomic_load(&h->backing_ok));
	assert_int_equal(report_violations(), viol);
	free(h);
	check_shutdown();
}

#ifdef MMSIM_DEBUG		/* the sanitizer builds run slower */
#define HAMMER_OPS	400
#else
#define HAMMER_OPS	4000
#endif

/* A tiny reserve: the CPUs keep running it dry and sleeping on it. */
static void test_hammer_8cpus(void **state)
{
	(void)state;
	hammer_run("mem=128M nodes=2 cpus=8 hz_scale=50", 8, 2, 0, 2, 99, HAMMER_OPS / 2);
}

/* Elements freed on other CPUs than their allocators' (min_nr > CPUs, so
 * that the elements parked in mailboxes cannot starve everyone). */
static void test_hammer_16cpus_handoff(void **state)
{
	(void)state;
	hammer_run("mem=256M nodes=4 cpus=16 hz_scale=50", 16, 17, 1, 16, 90, HAMMER_OPS / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_hammer_8cpus),
		TEST(test_hammer_16cpus_handoff),
	};

	return cmocka_run_group_tests_name("stress_mempool", tests, NULL, NULL);
}
