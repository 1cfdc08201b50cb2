// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_ipi.c - IPIs and execution contexts: a call deferred while a
 * CPU is in interrupt or softirq context runs when that context ends,
 * never at a local_irq_restore() inside it (an RCU callback, an IPI's own
 * function).
 */
#include "../testutil.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include <mmsim/rcupdate.h>
#include "../../numa/ipi.h"

/* ------------------------------------------------------------------ */
/* Deferred IPIs in interrupt and softirq context                      */

static int ipi_ran;		/* atomic: the call ran on CPU 0 */
static int send_now;		/* atomic: CPU 1, send it */

static void mark_ran(void *info)
{
	(void)info;
	set(&ipi_ran, 1);
}

/* CPU 1: when told, an IPI to CPU 0, waiting until it has run. */
static void ipi_sender_fn(struct cpu_job *job)
{
	(void)job;
	while (!get(&send_now))
		nap_us(100);
	smp_call_function_single(0, mark_ran, NULL);
}

static struct cpu_job sender;
static int spin_release;	/* atomic: test_unanswered_ipi_is_reported */

/*
 * Teardown: a failed assertion leaves CPU 0 in whatever context the test
 * had entered; reset it, detach (which runs the queued call, releasing the
 * sender) and reap the sender, so that the next test starts clean.
 */
static int ipi_teardown(void **state)
{
	current->preempt_count = 0;
	current->irqs_disabled = 0;
	set(&spin_release, 1);		/* a CPU spinning with interrupts off */
	if (current->cpu >= 0)
		mm_cpu_detach();
	if (sender.tid) {
		pthread_join(sender.tid, NULL);
		sender.tid = 0;
	}
	return teardown_machine(state);
}

static void start_sender(void)
{
	ipi_ran = send_now = 0;
	cpu_job_start(&sender, 1, ipi_sender_fn, NULL);
}

static void join_sender(void)
{
	cpu_job_join(&sender);
	sender.tid = 0;
}

/* On CPU 0, in some context: let CPU 1 send, and wait for the signal. */
static void wait_for_deferred_ipi(void)
{
	set(&send_now, 1);
	for (double end = now_s() + LONG_WAIT_S;
	     !READ_ONCE(current->ipi_pending) && now_s() < end;)
		nap_us(100);
	assert_true(READ_ONCE(current->ipi_pending));
}

/* Interrupts off and on again inside the context: nothing may run. */
static void irq_window_inside(void)
{
	unsigned long flags;

	local_irq_save(flags);
	local_irq_restore(flags);
	local_irq_disable();
	local_irq_enable();
}

static void test_ipi_deferred_in_softirq(void **state)
{
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	start_sender();
	local_bh_disable();
	wait_for_deferred_ipi();
	irq_window_inside();
	assert_int_equal(get(&ipi_ran), 0);
	local_bh_enable();		/* the end of softirq context runs it */
	assert_int_equal(get(&ipi_ran), 1);
	join_sender();
	check_shutdown();
}

static void test_ipi_deferred_in_hardirq(void **state)
{
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	start_sender();
	irq_enter();
	wait_for_deferred_ipi();
	irq_window_inside();
	local_bh_disable();		/* nested: softirq inside hardirq */
	local_bh_enable();
	assert_int_equal(get(&ipi_ran), 0);
	irq_exit();
	assert_int_equal(get(&ipi_ran), 1);
	join_sender();
	check_shutdown();
}

/*
 * The case the review found: an IPI that arrives while CPU 0 runs an RCU
 * callback (softirq context) must not run at the callback's own
 * local_irq_restore() (kmem_rcu_free() has one), only once the batch is
 * done.  Otherwise stop_machine() stops a CPU half-way through a callback.
 */
static int cb_saw_ran = -1;	/* CPU 0's own */

static void deferring_callback(struct rcu_head *head)
{
	wait_for_deferred_ipi();
	irq_window_inside();
	cb_saw_ran = get(&ipi_ran);
	free(head);
}

static void test_ipi_deferred_in_rcu_callback(void **state)
{
	struct rcu_head *head = malloc(sizeof(*head));
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	cb_saw_ran = -1;
	start_sender();
	call_rcu(head, deferring_callback);
	rcu_barrier();			/* runs the callback here, on CPU 0 */
	assert_int_equal(cb_saw_ran, 0);
	assert_int_equal(get(&ipi_ran), 1);	/* ran once the batch was done */
	join_sender();
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* Per-CPU counters against IPIs                                       */

/*
 * The __ updaters of per-CPU counters (vm events, zone and NUMA diffs,
 * node diffs, the allocated-pages counter) need interrupts off: debug
 * builds report a use with interrupts on.  Every path of the page and
 * slab allocators is run once; no report may come.
 */
static void test_percpu_counters_irqs_off(void **state)
{
	unsigned long bugs = report_count(REPORT_BUG);
	struct kmem_cache *cache;
	struct page *page;
	void *obj;
	(void)state;

	boot_attach("mem=128M nodes=2 cpus=2");
	for (unsigned int order = 0; order < 4; order++) {
		page = alloc_pages(GFP_KERNEL, order);		/* local */
		assert_non_null(page);
		__free_pages(page, order);
		page = alloc_pages_node(1, GFP_KERNEL, order);	/* remote */
		assert_non_null(page);
		__free_pages(page, order);
		page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_COMP, order);
		assert_non_null(page);
		put_page(page);
	}
	page = alloc_pages(GFP_KERNEL | __GFP_COLD, 0);
	free_cold_page(page);
	drain_all_pages(NULL);
	cache = kmem_cache_create("irqs_off", 200, 0, 0, NULL);
	obj = kmem_cache_alloc_node(cache, GFP_KERNEL, 1);
	kmem_cache_free(cache, obj);
	obj = kmalloc(5000, GFP_KERNEL);
	kfree(obj);
	assert_int_equal(kmem_cache_shrink(cache), 0);
	kmem_cache_destroy(cache);
	assert_int_equal(report_count(REPORT_BUG), bugs);
	check_shutdown();
}

/*
 * And what it protects: CPU 0 allocates and frees order-1 pages in a loop
 * while CPU 1 sends it IPIs that do the same.  Every update of PGALLOC
 * and PGFREE must count: a counter updated outside the interrupts-off
 * window loses the ones an IPI makes between its load and its store.
 */
#ifdef MMSIM_DEBUG
#define COUNTER_IPIS	2000
#else
#define COUNTER_IPIS	20000
#endif

static int counter_stop;		/* atomic */
static unsigned long ipi_pairs;		/* CPU 0's own (IPIs run there) */

static void ipi_alloc_free(void *info)
{
	struct page *page = alloc_pages(GFP_ATOMIC, 1);	/* interrupt context */

	(void)info;
	if (page) {
		__free_pages(page, 1);
		ipi_pairs++;
	}
}

static void counter_sender_fn(struct cpu_job *job)
{
	(void)job;
	for (int i = 0; i < COUNTER_IPIS; i++)
		smp_call_function_single(0, ipi_alloc_free, NULL);
	set(&counter_stop, 1);
}

static unsigned long events(enum vm_event_item first, int n)
{
	unsigned long ev[NR_VM_EVENT_ITEMS], sum = 0;

	all_vm_events(ev);
	for (int i = 0; i < n; i++)
		sum += ev[first + i];
	return sum;
}

static void test_ipis_lose_no_counter_update(void **state)
{
	unsigned long alloc0, free0, pairs = 0;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	counter_stop = 0;
	ipi_pairs = 0;
	alloc0 = events(PGALLOC_DMA, 5);
	free0 = events(PGFREE, 1);
	cpu_job_start(&sender, 1, counter_sender_fn, NULL);
	while (!get(&counter_stop)) {
		struct page *page = alloc_pages(GFP_KERNEL, 1);

		assert_non_null(page);
		__free_pages(page, 1);
		pairs++;
	}
	join_sender();
	assert_int_equal(ipi_pairs, COUNTER_IPIS);
	assert_int_equal(events(PGALLOC_DMA, 5) - alloc0, 2 * (pairs + ipi_pairs));
	assert_int_equal(events(PGFREE, 1) - free0, 2 * (pairs + ipi_pairs));
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* A CPU that does not answer                                          */

/*
 * CPU 1 spins with interrupts off.  An IPI to it, and drain_all_pages(),
 * must not wait for ever: after 2 * watchdog_thresh seconds the waiter
 * reports "CPU 1 does not answer IPIs" with CPU 1's NMI backtrace and
 * goes on; the call runs once CPU 1 turns interrupts on again.
 */
static int spinning;		/* atomic */
static int late_call_ran;	/* atomic */

void spin_with_irqs_off(void);	/* not static: named in the backtrace */

noinline void spin_with_irqs_off(void)
{
	local_irq_disable();
	set(&spinning, 1);
	while (!get(&spin_release))
		;
	local_irq_enable();		/* the calls queued meanwhile run here */
}

static void irqs_off_fn(struct cpu_job *job)
{
	(void)job;
	__free_page(alloc_page(GFP_KERNEL));	/* a page for drain_all_pages() */
	spin_with_irqs_off();
}

void late_call(void *info);	/* not static: named in the report */

void late_call(void *info)
{
	(void)info;
	__atomic_fetch_add(&late_call_ran, 1, __ATOMIC_ACQ_REL);
}

static void test_unanswered_ipi_is_reported(void **state)
{
	unsigned long bugs;
	const char *out;
	(void)state;

	/* CPU 1 is a soft lockup too: that detector is not the one tested */
	boot_attach("mem=64M nodes=1 cpus=2 watchdog_thresh=1 nosoftlockup");
	spin_release = spinning = late_call_ran = 0;
	cpu_job_start(&sender, 1, irqs_off_fn, NULL);
	assert_true(wait_ge(&spinning, 1, LONG_WAIT_S, 0));
	bugs = report_count(REPORT_BUG);
	capture_begin();
	assert_int_equal(smp_call_function_single(1, late_call, NULL), -ETIMEDOUT);
	drain_all_pages(NULL);
	out = capture_end();
	assert_int_equal(report_count(REPORT_BUG), bugs + 2);
	/* (how long it waited is at least the limit, more on a loaded host) */
	assert_contains(out, "BUG: CPU 1 does not answer IPIs: smp_call_function_single from CPU 0 waited ");
	assert_contains(out, " s for late_call\n");
	assert_contains(out, "BUG: CPU 1 does not answer IPIs: smp_call_function_many from CPU 0");
	assert_contains(out, "NMI backtrace for cpu 1 (thread ");
	assert_contains(out, "interrupts off");
	assert_contains(out, " spin_with_irqs_off+");
	assert_int_equal(get(&late_call_ran), 0);
	set(&spin_release, 1);
	join_sender();			/* it ran both calls as it went */
	assert_int_equal(get(&late_call_ran), 1);
	check_shutdown();
}

#define IPI_TEST(fn) cmocka_unit_test_teardown(fn, ipi_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		IPI_TEST(test_ipi_deferred_in_softirq),
		IPI_TEST(test_ipi_deferred_in_hardirq),
		IPI_TEST(test_ipi_deferred_in_rcu_callback),
		IPI_TEST(test_percpu_counters_irqs_off),
		IPI_TEST(test_ipis_lose_no_counter_update),
		IPI_TEST(test_unanswered_ipi_is_reported),
	};

	return cmocka_run_group_tests_name("ipi", tests, NULL, NULL);
}
