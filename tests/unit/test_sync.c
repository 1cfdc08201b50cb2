// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_sync.c - the synchronisation primitives a program uses on
 * simulated CPUs (mmsim/spinlock.h, mmsim/mutex.h, mmsim/completion.h):
 * they work across CPUs and a CPU waiting in them still answers IPIs
 * (drain_all_pages(), stop_machine() reach it); and misuse that would hang
 * is reported and does not: mutex_lock() in atomic context,
 * drain_all_pages() with interrupts off, an unlock by a non-owner,
 * resetting an irq-safe lock's statistics with interrupts on.
 */
#include "../testutil.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include <mmsim/completion.h>
#include <mmsim/mutex.h>
#include <mmsim/spinlock.h>
#include "../../numa/ipi.h"

/* ------------------------------------------------------------------ */
/* The primitives across CPUs                                          */

static DEFINE_SPINLOCK(counter_lock);
static DEFINE_MUTEX(counter_mutex);
static unsigned long spin_counter;	/* counter_lock */
static unsigned long mutex_counter;	/* counter_mutex */

#define ROUNDS 2000

static void count_fn(void *info)
{
	unsigned long flags;

	(void)info;
	for (int i = 0; i < ROUNDS; i++) {
		switch (i % 3) {
		case 0:
			spin_lock_irqsave(&counter_lock, flags);
			spin_counter++;
			spin_unlock_irqrestore(&counter_lock, flags);
			break;
		case 1:
			spin_lock_irq(&counter_lock);
			spin_counter++;
			spin_unlock_irq(&counter_lock);
			break;
		default:
			spin_lock_bh(&counter_lock);
			spin_counter++;
			spin_unlock_bh(&counter_lock);
			break;
		}
		mutex_lock(&counter_mutex);
		mutex_counter++;
		mutex_unlock(&counter_mutex);
	}
}

static void test_spinlock_and_mutex_across_cpus(void **state)
{
	(void)state;
	printk_set_quiet(1);
	assert_int_equal(mm_boot("mem=64M nodes=2 cpus=8"), 0);
	spin_counter = mutex_counter = 0;
	assert_int_equal(mm_on_each_cpu(count_fn, NULL), 0);
	assert_int_equal(spin_counter, 8UL * ROUNDS);
	assert_int_equal(mutex_counter, 8UL * ROUNDS);
	assert_false(spin_is_locked(&counter_lock));
	assert_false(mutex_is_locked(&counter_mutex));
	assert_int_equal(mm_cpu_attach(0), 0);
	check_shutdown();
}

static void test_completion(void **state)
{
	DECLARE_COMPLETION(done);
	struct completion c;
	(void)state;

	boot_attach("mem=16M nodes=1 cpus=1");
	init_completion(&c);
	assert_false(completion_done(&c));
	assert_false(try_wait_for_completion(&c));
	assert_int_equal(wait_for_completion_timeout(&c, 1), 0);	/* times out */
	complete(&c);
	complete(&c);
	assert_true(completion_done(&c));
	wait_for_completion(&c);			/* one of two */
	assert_true(wait_for_completion_timeout(&c, 10) >= 1);	/* the other */
	assert_false(try_wait_for_completion(&c));
	complete_all(&done);
	for (int i = 0; i < 3; i++)
		wait_for_completion(&done);		/* for everyone, for ever */
	reinit_completion(&done);
	assert_false(completion_done(&done));
	check_shutdown();
}

/*
 * CPU 1 sleeps in wait_for_completion(), CPU 2 in mutex_lock(); CPU 0
 * drains every CPU's page lists and stops the machine meanwhile: both
 * answer, then complete() and mutex_unlock() let them go.
 */
static struct completion go;
static DEFINE_MUTEX(held_mutex);
static int waiters_in;			/* atomic */

static void completion_waiter(struct cpu_job *job)
{
	(void)job;
	__free_page(alloc_page(GFP_KERNEL));	/* a page on its hot list */
	__atomic_fetch_add(&waiters_in, 1, __ATOMIC_ACQ_REL);
	wait_for_completion(&go);
}

static void mutex_waiter(struct cpu_job *job)
{
	(void)job;
	__free_page(alloc_page(GFP_KERNEL));
	__atomic_fetch_add(&waiters_in, 1, __ATOMIC_ACQ_REL);
	mutex_lock(&held_mutex);
	mutex_unlock(&held_mutex);
}

static int stopped(void *data)
{
	(void)data;
	return 42;
}

static void test_waiters_answer_ipis(void **state)
{
	struct cpu_job a, b;
	(void)state;

	boot_attach("mem=1G memstart=4G nodes=1 cpus=3");
	init_completion(&go);
	waiters_in = 0;
	mutex_lock(&held_mutex);
	cpu_job_start(&a, 1, completion_waiter, NULL);
	cpu_job_start(&b, 2, mutex_waiter, NULL);
	assert_true(wait_ge(&waiters_in, 2, LONG_WAIT_S, 0));
	nap_us(20000);				/* (most likely asleep by now) */
	drain_all_pages(NULL);
	assert_int_equal(zone_pcp_pages(zone_of(0, ZONE_NORMAL)), 0);
	assert_int_equal(stop_machine(stopped, NULL, 20000, NULL), 42);
	complete(&go);
	mutex_unlock(&held_mutex);
	cpu_job_join(&a);
	cpu_job_join(&b);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* Misuse that would hang                                              */

/*
 * mutex_lock() with interrupts off: reported (sleeping in atomic, then
 * scheduling while atomic) and, the mutex being held, the caller sleeps
 * for it answering IPIs, as the kernel's schedule() lets interrupts in;
 * a drain_all_pages() from a third CPU meanwhile must complete.  It used
 * to wait without answering: the drain waited for ever.
 */
static DEFINE_MUTEX(m_atomic);
static int atomic_state;	/* atomic: 1 calling, 2 got it */
static int drain_done;		/* atomic */

static void lock_mutex(void *m)
{
	mutex_lock(m);
}

static void unlock_mutex(void *m)
{
	mutex_unlock(m);
}

/* A parked CPU that holds m_atomic until it is released. */
static const struct park holder = {
	.park = lock_mutex, .unpark = unlock_mutex, .arg = &m_atomic
};

static void atomic_locker_fn(struct cpu_job *job)
{
	(void)job;
	__free_page(alloc_page(GFP_KERNEL));	/* something for the drain */
	local_irq_disable();
	set(&atomic_state, 1);
	mutex_lock(&m_atomic);
	set(&atomic_state, 2);
	mutex_unlock(&m_atomic);
	local_irq_enable();
}

static void drainer_fn(struct cpu_job *job)
{
	(void)job;
	drain_all_pages(NULL);
	set(&drain_done, 1);
}

static void test_mutex_lock_in_atomic_context(void **state)
{
	struct cpu_job locker, drainer;
	unsigned long bugs;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=4");
	atomic_state = drain_done = 0;
	bugs = report_count(REPORT_BUG);
	park_cpu(1, holder);
	capture_begin();
	cpu_job_start(&locker, 2, atomic_locker_fn, NULL);
	assert_true(wait_ge(&atomic_state, 1, LONG_WAIT_S, 0));
	nap_us(20000);
	cpu_job_start(&drainer, 3, drainer_fn, NULL);
	if (!wait_ge(&drain_done, 1, LONG_WAIT_S, 0))
		fail_msg("drain_all_pages() never returned: CPU 2 did not answer IPIs");
	assert_int_equal(get(&atomic_state), 1);	/* still waiting, not refused */
	unpark_cpu(1);
	assert_true(wait_ge(&atomic_state, 2, LONG_WAIT_S, 0));
	cpu_job_join(&locker);
	cpu_job_join(&drainer);
	out = capture_end();
	assert_contains(out, "BUG: sleeping function called from invalid context");
	assert_contains(out, "BUG: scheduling while atomic: ");
	assert_contains(out, "mutex_lock(m_atomic): held by thread");
	assert_int_equal(report_count(REPORT_BUG), bugs + 2);
	check_shutdown();
}

/* In interrupt context nothing may sleep: refused, and its unlock ignored. */
static void test_mutex_lock_in_interrupt_refused(void **state)
{
	unsigned long bugs, warnings;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	park_cpu(1, holder);
	bugs = report_count(REPORT_BUG);
	warnings = report_count(REPORT_WARNING);
	capture_begin();
	irq_enter();
	mutex_lock(&m_atomic);			/* held by CPU 1: refused */
	mutex_unlock(&m_atomic);		/* ignored, silently */
	irq_exit();
	out = capture_end();
	assert_contains(out, "refused; the caller goes on without it");
	assert_int_equal(report_count(REPORT_BUG), bugs + 2);
	assert_int_equal(report_count(REPORT_WARNING), warnings);
	assert_true(mutex_is_locked(&m_atomic));	/* still CPU 1's */
	unpark_cpu(1);
	assert_false(mutex_is_locked(&m_atomic));
	check_shutdown();
}

static void test_mutex_unlock_by_non_owner_refused(void **state)
{
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	park_cpu(1, holder);
	capture_begin();
	mutex_unlock(&m_atomic);
	out = capture_end();
	assert_contains(out, "DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)");
	assert_contains(out, "unlock refused");
	assert_true(mutex_is_locked(&m_atomic));
	unpark_cpu(1);
	check_shutdown();
}

/*
 * drain_all_pages() with interrupts off cannot wait for the other CPUs'
 * answers (and two such callers would wait for each other for ever):
 * reported as a sleeping call and refused; the lists stay as they were.
 */
static int irqs_off_drainers_in;	/* atomic */

static void irqs_off_drainer(struct cpu_job *job)
{
	(void)job;
	__free_page(alloc_page(GFP_KERNEL));
	__atomic_fetch_add(&irqs_off_drainers_in, 1, __ATOMIC_ACQ_REL);
	while (get(&irqs_off_drainers_in) < 2)
		nap_us(100);
	local_irq_disable();
	drain_all_pages(NULL);
	local_irq_enable();
}

static void test_drain_all_pages_irqs_off_refused(void **state)
{
	struct cpu_job a, b;
	unsigned long bugs;
	const char *out;
	(void)state;

	boot_attach("mem=1G memstart=4G nodes=1 cpus=3");
	irqs_off_drainers_in = 0;
	bugs = report_count(REPORT_BUG);
	capture_begin();
	cpu_job_start(&a, 1, irqs_off_drainer, NULL);
	cpu_job_start(&b, 2, irqs_off_drainer, NULL);
	cpu_job_join(&a);
	cpu_job_join(&b);
	out = capture_end();
	assert_contains(out, "BUG: sleeping function called from invalid context at mm/pcp.c");
	assert_int_equal(report_count(REPORT_BUG), bugs + 2);
	/* refused: their pages are still on their lists (drained at detach) */
	assert_int_equal(nr_free_pages(), totalram_pages);
	check_shutdown();
}

/*
 * The statistics of an irq-safe lock (zone->lock) reset with interrupts
 * on: the reset takes the lock with interrupts off itself (an IPI taking
 * it meanwhile would deadlock); debug builds used to warn "zone->lock
 * taken with interrupts enabled".
 */
static void test_stats_reset_of_irqsafe_lock(void **state)
{
	struct zone *zone;
	struct lock_stats st;
	unsigned long warnings;
	(void)state;

	boot_attach("mem=16M nodes=1 cpus=1");
	zone = zone_of(0, ZONE_DMA);
	__free_page(alloc_page(GFP_KERNEL));
	warnings = report_count(REPORT_WARNING);
	assert_false(irqs_disabled());
	spin_lock_stats_reset(&zone->lock);
	assert_false(irqs_disabled());
	spin_lock_stats_read(&zone->lock, &st);
	assert_int_equal(st.acquisitions, 0);
	assert_int_equal(report_count(REPORT_WARNING), warnings);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_spinlock_and_mutex_across_cpus),
		TEST(test_completion),
		TEST(test_waiters_answer_ipis),
		TEST(test_mutex_lock_in_atomic_context),
		TEST(test_mutex_lock_in_interrupt_refused),
		TEST(test_mutex_unlock_by_non_owner_refused),
		TEST(test_drain_all_pages_irqs_off_refused),
		TEST(test_stats_reset_of_irqsafe_lock),
	};

	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
