// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_numa_sched.c - time, per-CPU delayed work, RCU and wait
 * queues on the simulated machine: jiffies run at HZ * hz_scale and wrap;
 * delayed work runs on its CPU's thread at cond_resched() only, re-queues
 * itself, and is cancelled (also while running, and from a CPU-offline
 * callback); call_rcu() callbacks wait for readers and run on a CPU;
 * rcu_barrier() reaches every CPU's callbacks; wait queues wake across
 * CPUs (all non-exclusive + one exclusive), time out, refuse to sleep in
 * atomic context, and stop_machine() reaches CPUs sleeping in them.
 *
 * Timing is never asserted tightly (a noisy 2-core box runs this): only
 * "not before", and "within many seconds".
 */
#include "../testutil.h"

#include <pthread.h>
#include <time.h>

#include <mmsim/wait.h>
#include "../../numa/ipi.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void inc(int *p)
{
	__atomic_fetch_add(p, 1, __ATOMIC_ACQ_REL);
}

/* ------------------------------------------------------------------ */
/* Time                                                                */

static void test_jiffies_rate(void **state)
{
	double ta, tb, tc, td;
	unsigned long j0, j1, rate = HZ * 100;
	(void)state;

	assert_int_equal(msecs_to_jiffies(0), 0);
	assert_int_equal(msecs_to_jiffies(1), 1);
	assert_int_equal(msecs_to_jiffies(4), 1);
	assert_int_equal(msecs_to_jiffies(5), 2);
	assert_int_equal(msecs_to_jiffies(1000), HZ);
	assert_int_equal(msecs_to_jiffies((unsigned int)-1), MAX_JIFFY_OFFSET);
	assert_int_equal(jiffies_to_msecs(HZ), 1000);
	assert_int_equal(jiffies_to_msecs(3), 12);

	/* hz_scale=1: jiffies start at INITIAL_JIFFIES, 5 minutes before the wrap */
	boot_attach("mem=64M nodes=1 cpus=1");
	j0 = jiffies;
	assert_true(time_after_eq(j0, INITIAL_JIFFIES));
	assert_true(j0 - INITIAL_JIFFIES < 60 * HZ);
	check_shutdown();

	/* hz_scale=100: 25000 jiffies a second, bounded by the clock reads
	 * around them (1 jiffy of slack for the rounding of each read) */
	boot_attach("mem=64M nodes=1 cpus=1 hz_scale=100");
	ta = now_s();
	j0 = jiffies;
	tb = now_s();
	nap_us(200000);
	tc = now_s();
	j1 = jiffies;
	td = now_s();
	print_message("hz_scale=100: %lu jiffies in %.3f s\n", j1 - j0, tc - tb);
	assert_true((double)(j1 - j0) >= (tc - tb) * (double)rate - 2);
	assert_true((double)(j1 - j0) <= (td - ta) * (double)rate + 2);
	assert_true(time_after(j1, j0));
	check_shutdown();
}

static void test_jiffies_wrap(void **state)
{
	unsigned long j;
	(void)state;

	/* hz_scale=1000000: the 75000 jiffies to the wrap pass in 0.3 ms */
	boot_attach("mem=64M nodes=1 cpus=1 hz_scale=1000000");
	nap_us(20000);
	j = jiffies;
	assert_true(j < INITIAL_JIFFIES);		/* it wrapped ... */
	assert_true(time_after(j, INITIAL_JIFFIES));	/* ... and is later */
	assert_true(time_before(INITIAL_JIFFIES, j));
	assert_false(time_after(INITIAL_JIFFIES + 1, j));
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* Delayed work                                                        */

struct work_probe {
	struct delayed_work dw;
	int runs;		/* atomic */
	int max_runs;		/* re-queues itself until it ran this often */
	int cpu[8];		/* where each run was (its thread writes) */
	pthread_t thread[8];
	unsigned long when[8];
	int preempt[8], irqs_off[8];
	int requeue_ret;
	/* for "cancel while running" */
	int hold;		/* atomic: the function waits while set */
	int started, finished;	/* atomic */
};

static void probe_fn(struct work_struct *w)
{
	struct work_probe *wp = container_of(to_delayed_work(w), struct work_probe, dw);
	int n = __atomic_load_n(&wp->runs, __ATOMIC_RELAXED);

	if (n < 8) {
		wp->cpu[n] = (int)smp_processor_id();
		wp->thread[n] = pthread_self();
		wp->when[n] = jiffies;
		wp->preempt[n] = current->preempt_count;
		wp->irqs_off[n] = irqs_disabled();
	}
	set(&wp->started, 1);
	while (get(&wp->hold))
		nap_us(100);
	if (n + 1 < wp->max_runs)
		wp->requeue_ret = schedule_delayed_work_on(smp_processor_id(), &wp->dw, 1);
	inc(&wp->runs);
	set(&wp->finished, 1);
}

static struct work_probe probe;

/* CPU 5: it attaches, lets the delay pass without a safe point (the work
 * must not run), then calls cond_resched() until the work has run 3 times. */
static int cpu5_ran_before_resched = -1;
static int cpu5_go;

static void cpu5_fn(struct cpu_job *job)
{
	(void)job;
	wait_ge(&cpu5_go, 1, LONG_WAIT_S, 0);
	nap_us(50000);		/* 50 ms: 125 jiffies at hz_scale=10, delay is 10 */
	cpu5_ran_before_resched = get(&probe.runs);
	wait_ge(&probe.runs, 3, LONG_WAIT_S, 1);
}

static void test_delayed_work_on_its_cpu(void **state)
{
	struct cpu_job job;
	unsigned long queued;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8 hz_scale=10");
	memset(&probe, 0, sizeof(probe));
	probe.max_runs = 3;
	INIT_DELAYED_WORK(&probe.dw, probe_fn);
	assert_false(delayed_work_pending(&probe.dw));
	cpu_job_start(&job, 5, cpu5_fn, NULL);
	queued = jiffies;
	assert_int_equal(schedule_delayed_work_on(5, &probe.dw, 10), 1);
	assert_int_equal(schedule_delayed_work_on(5, &probe.dw, 10), 0);	/* already */
	assert_int_equal(schedule_delayed_work_on(2, &probe.dw, 10), 0);
	assert_true(delayed_work_pending(&probe.dw));
	/* CPU 0's safe points do not run CPU 5's work */
	for (int i = 0; i < 200; i++) {
		cond_resched();
		nap_us(250);
	}
	assert_int_equal(get(&probe.runs), 0);
	set(&cpu5_go, 1);
	cpu_job_join(&job);

	assert_int_equal(cpu5_ran_before_resched, 0);
	assert_int_equal(get(&probe.runs), 3);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(probe.cpu[k], 5);
		assert_true(pthread_equal(probe.thread[k], job.tid));
		assert_int_equal(probe.preempt[k], 0);
		assert_int_equal(probe.irqs_off[k], 0);
	}
	assert_true(time_after_eq(probe.when[0], queued + 10));	/* not early */
	assert_true(time_after(probe.when[1], probe.when[0]));	/* re-queued, delay 1 */
	assert_int_equal(probe.requeue_ret, 1);
	assert_false(delayed_work_pending(&probe.dw));		/* the third stopped */
	assert_int_equal(cancel_delayed_work_sync(&probe.dw), 0);
	check_shutdown();
}

/* Work left on an offline CPU waits for the CPU's next thread. */
static void resched_until_run(struct cpu_job *job)
{
	struct work_probe *wp = job->arg;

	wait_ge(&wp->runs, 1, LONG_WAIT_S, 1);
}

static void no_safe_point(struct cpu_job *job)
{
	(void)job;
	nap_us(20000);
}

static void test_work_waits_for_next_thread(void **state)
{
	struct cpu_job job;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8 hz_scale=100");
	memset(&probe, 0, sizeof(probe));
	probe.max_runs = 1;
	INIT_DELAYED_WORK(&probe.dw, probe_fn);
	assert_int_equal(schedule_delayed_work_on(7, &probe.dw, 1), 1);
	cpu_job_start(&job, 7, no_safe_point, &probe);
	cpu_job_join(&job);
	assert_int_equal(get(&probe.runs), 0);
	assert_true(delayed_work_pending(&probe.dw));
	cpu_job_start(&job, 7, resched_until_run, &probe);
	cpu_job_join(&job);
	assert_int_equal(get(&probe.runs), 1);
	assert_int_equal(probe.cpu[0], 7);
	assert_true(pthread_equal(probe.thread[0], job.tid));
	check_shutdown();
}

static void test_cancel(void **state)
{
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	memset(&probe, 0, sizeof(probe));
	INIT_DELAYED_WORK(&probe.dw, probe_fn);
	assert_int_equal(cancel_delayed_work_sync(&probe.dw), 0);	/* never queued */
	assert_int_equal(schedule_delayed_work_on(1, &probe.dw, 100 * HZ), 1);
	assert_int_equal(cancel_delayed_work_sync(&probe.dw), 1);
	assert_false(delayed_work_pending(&probe.dw));
	assert_int_equal(cancel_delayed_work_sync(&probe.dw), 0);
	/* idle again: it can be queued, elsewhere too */
	assert_int_equal(schedule_delayed_work_on(3, &probe.dw, 100 * HZ), 1);
	assert_int_equal(cancel_delayed_work(&probe.dw), 1);
	assert_int_equal(schedule_delayed_work_on(0, &probe.dw, 0), 1);
	assert_int_equal(cancel_delayed_work_sync(&probe.dw), 1);
	cond_resched();
	assert_int_equal(get(&probe.runs), 0);			/* it never ran */
	check_shutdown();
}

/* Cancel while the function runs on CPU 2: waits for it, and the
 * function's attempt to queue itself again meanwhile is refused. */
static void cpu2_run_work(struct cpu_job *job)
{
	(void)job;
	wait_ge(&probe.finished, 1, LONG_WAIT_S, 1);
}

static void *release_later(void *p)
{
	nap_us(50000);
	set(p, 0);
	return NULL;
}

static void test_cancel_while_running(void **state)
{
	struct cpu_job job;
	pthread_t rel;
	int ret;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	memset(&probe, 0, sizeof(probe));
	probe.max_runs = 2;		/* it tries to queue itself once */
	set(&probe.hold, 1);
	INIT_DELAYED_WORK(&probe.dw, probe_fn);
	assert_int_equal(schedule_delayed_work_on(2, &probe.dw, 0), 1);
	cpu_job_start(&job, 2, cpu2_run_work, NULL);
	assert_true(wait_ge(&probe.started, 1, LONG_WAIT_S, 0));
	assert_false(delayed_work_pending(&probe.dw));		/* dequeued to run */
	assert_int_equal(pthread_create(&rel, NULL, release_later, &probe.hold), 0);
	ret = cancel_delayed_work_sync(&probe.dw);		/* waits ~50 ms */
	assert_int_equal(get(&probe.finished), 1);		/* ... for the run */
	assert_int_equal(ret, 0);				/* it was running, not queued */
	assert_int_equal(probe.requeue_ret, 0);			/* refused meanwhile */
	assert_false(delayed_work_pending(&probe.dw));
	pthread_join(rel, NULL);
	cpu_job_join(&job);
	assert_int_equal(get(&probe.runs), 1);
	check_shutdown();
}

/* cancel_delayed_work_sync() from the work itself: WARN, no deadlock. */
static struct delayed_work self_dw;
static int self_cancel_ret = -1;

static void self_cancel_fn(struct work_struct *w)
{
	(void)w;
	self_cancel_ret = cancel_delayed_work_sync(&self_dw);
}

static void test_cancel_from_own_function(void **state)
{
	unsigned long warns = report_count(REPORT_WARNING);
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2 hz_scale=100");
	INIT_DELAYED_WORK(&self_dw, self_cancel_fn);
	assert_int_equal(schedule_delayed_work_on(0, &self_dw, 0), 1);
	capture_begin();
	cond_resched();
	out = capture_end();
	assert_int_equal(self_cancel_ret, 0);
	assert_int_equal(report_count(REPORT_WARNING), warns + 1);
	assert_contains(out, "cancel_delayed_work_sync() from the work's own function");
	assert_false(delayed_work_pending(&self_dw));
	/* (the warning is the expected report: no check_shutdown()) */
	mm_cpu_detach();
	mm_shutdown();
}

/* Work still queued at shutdown: a warning, and the item is idle again. */
static void test_shutdown_warns_about_queued_work(void **state)
{
	unsigned long warns = report_count(REPORT_WARNING);
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	memset(&probe, 0, sizeof(probe));
	INIT_DELAYED_WORK(&probe.dw, probe_fn);
	assert_int_equal(schedule_delayed_work_on(3, &probe.dw, 100 * HZ), 1);
	mm_cpu_detach();
	capture_begin();
	mm_shutdown();
	out = capture_end();
	assert_int_equal(report_count(REPORT_WARNING), warns + 1);
	assert_contains(out, "workqueue: 1 delayed work item still queued at shutdown");
	assert_false(delayed_work_pending(&probe.dw));
	assert_int_equal(get(&probe.runs), 0);
}

/* A CPU-offline callback (interrupts off, hotplug lock held) cancels the
 * CPU's work, as SLAB does with cache_reap. */
static struct delayed_work hp_dw;
static int hp_queue_ret = -1, hp_cancel_ret = -1, hp_irqs_off = -1;

static void hp_online(unsigned int cpu)
{
	if (cpu == 6)
		hp_queue_ret = schedule_delayed_work_on(cpu, &hp_dw, 100 * HZ);
}

static void hp_offline(unsigned int cpu)
{
	if (cpu == 6) {
		hp_irqs_off = irqs_disabled();
		hp_cancel_ret = cancel_delayed_work_sync(&hp_dw);
	}
}

static const struct cpuhp_state hp_state = {
	.name = "test:sched",
	.online = hp_online,
	.offline = hp_offline,
};

static void just_attach(struct cpu_job *job)
{
	(void)job;
}

static void test_cancel_from_offline_callback(void **state)
{
	struct cpu_job job;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	INIT_DELAYED_WORK(&hp_dw, self_cancel_fn);
	assert_int_equal(cpuhp_setup_state(&hp_state), 0);
	cpu_job_start(&job, 6, just_attach, NULL);
	cpu_job_join(&job);
	cpuhp_remove_state(&hp_state);
	assert_int_equal(hp_queue_ret, 1);
	assert_int_equal(hp_irqs_off, 1);
	assert_int_equal(hp_cancel_ret, 1);
	assert_false(delayed_work_pending(&hp_dw));
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* RCU                                                                 */

struct rcu_obj {
	long value;
	struct rcu_head rcu;
	int *freed;		/* set by the callback */
	int cpu;		/* where the callback ran */
	int softirq;		/* in_interrupt() there */
};

static struct rcu_obj *gp;	/* rcu_assign_pointer / rcu_dereference */
static int reader_in, reader_release, reader_out, reader_sum_ok;

static void free_obj_cb(struct rcu_head *head)
{
	struct rcu_obj *o = container_of(head, struct rcu_obj, rcu);
	int *freed = o->freed;

	o->value = -1;		/* a write TSan orders after the readers */
	*freed = (int)smp_processor_id() + 1;
	free(o);
}

/* CPU 1: inside a reader, reading the object until released. */
static void reader_fn(struct cpu_job *job)
{
	struct rcu_obj *p;
	long sum = 0;

	(void)job;
	rcu_read_lock();
	p = rcu_dereference(gp);
	set(&reader_in, 1);
	while (!get(&reader_release)) {
		sum += p->value;
		nap_us(200);
	}
	reader_sum_ok = p->value == 42 && sum % 42 == 0;
	rcu_read_unlock();
	set(&reader_out, 1);
}

static void test_call_rcu_waits_for_reader(void **state)
{
	struct rcu_obj *o = malloc(sizeof(*o));
	struct cpu_job job;
	int freed = 0;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	reader_in = reader_release = reader_out = reader_sum_ok = 0;
	o->value = 42;
	o->freed = &freed;
	rcu_assign_pointer(gp, o);
	cpu_job_start(&job, 1, reader_fn, NULL);
	assert_true(wait_ge(&reader_in, 1, LONG_WAIT_S, 0));

	rcu_assign_pointer(gp, NULL);
	call_rcu(&o->rcu, free_obj_cb);
	/* 300 ms of safe points (many grace-period attempts): never freed */
	for (int i = 0; i < 300; i++) {
		cond_resched();
		nap_us(1000);
	}
	assert_int_equal(__atomic_load_n(&freed, __ATOMIC_ACQUIRE), 0);
	set(&reader_release, 1);
	assert_true(wait_ge(&freed, 1, LONG_WAIT_S, 1));
	assert_int_equal(get(&reader_out), 1);
	assert_int_equal(freed, 0 + 1);		/* on CPU 0, which queued it */
	cpu_job_join(&job);
	assert_true(reader_sum_ok);
	check_shutdown();
}

/* The callback's context: softirq, on a CPU. */
static int ctx_cpu = -1, ctx_softirq = -1, ctx_preempt = -1;

static void ctx_cb(struct rcu_head *head)
{
	(void)head;
	ctx_cpu = (int)smp_processor_id();
	ctx_softirq = in_interrupt() != 0;
	ctx_preempt = current->preempt_count & PREEMPT_MASK;
	set(&reader_out, 1);
}

static void test_callback_context(void **state)
{
	static struct rcu_head head;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	reader_out = 0;
	call_rcu(&head, ctx_cb);
	assert_true(wait_ge(&reader_out, 1, LONG_WAIT_S, 1));
	assert_int_equal(ctx_cpu, 0);
	assert_int_equal(ctx_softirq, 1);
	assert_int_equal(ctx_preempt, 0);
	assert_int_equal(in_interrupt(), 0);	/* and back to process context */
	check_shutdown();
}

/* synchronize_rcu() on CPU 2 returns only after CPU 1's reader left. */
static int sync_returned;

static void syncer_fn(struct cpu_job *job)
{
	(void)job;
	synchronize_rcu();
	set(&sync_returned, 1);
}

static void *unattached_sync(void *p)
{
	synchronize_rcu();
	set(p, 1);
	return NULL;
}

static void test_synchronize_rcu(void **state)
{
	struct rcu_obj *o = malloc(sizeof(*o));
	struct cpu_job reader, syncer;
	pthread_t t;
	int host_done = 0;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	reader_in = reader_release = reader_out = sync_returned = 0;
	o->value = 42;
	rcu_assign_pointer(gp, o);
	cpu_job_start(&reader, 1, reader_fn, NULL);
	assert_true(wait_ge(&reader_in, 1, LONG_WAIT_S, 0));
	cpu_job_start(&syncer, 2, syncer_fn, NULL);
	assert_int_equal(pthread_create(&t, NULL, unattached_sync, &host_done), 0);
	nap_us(200000);
	assert_int_equal(get(&sync_returned), 0);
	assert_int_equal(get(&host_done), 0);
	set(&reader_release, 1);
	assert_true(wait_ge(&sync_returned, 1, LONG_WAIT_S, 0));
	assert_int_equal(get(&reader_out), 1);
	pthread_join(t, NULL);
	assert_int_equal(host_done, 1);
	cpu_job_join(&syncer);
	cpu_job_join(&reader);
	assert_true(reader_sum_ok);
	rcu_assign_pointer(gp, NULL);
	synchronize_rcu();		/* from CPU 0, no reader */
	o->value = 0;
	free(o);
	check_shutdown();
}

/* rcu_barrier() on CPU 0 runs the callbacks of CPUs that never reach a
 * safe point: pending lists, a batch out, a batch started by the
 * RCU_BATCH_MAX threshold. */
#define NR_BARRIER_CPUS	7
#define CBS_PER_CPU	100
#define CBS_BIG		2500

static struct rcu_head barrier_heads[NR_BARRIER_CPUS + 1][CBS_BIG];
static int barrier_count, barrier_on_cpu0;

static void count_cb(struct rcu_head *head)
{
	(void)head;
	inc(&barrier_count);
	if (smp_processor_id() == 0)
		inc(&barrier_on_cpu0);
}

/* Before CPU k parks (then no safe point, IPIs still run). */
static void queue_callbacks(void *arg)
{
	unsigned int cpu = smp_processor_id();
	int n = cpu == 7 ? CBS_BIG : CBS_PER_CPU;

	(void)arg;
	for (int i = 0; i < n; i++) {
		call_rcu(&barrier_heads[cpu][i], count_cb);
		if (cpu == 1 && i == CBS_PER_CPU / 2)
			cond_resched();		/* CPU 1: a batch goes out */
	}
}

static void test_rcu_barrier_other_cpus(void **state)
{
	int expected = (NR_BARRIER_CPUS - 1) * CBS_PER_CPU + CBS_BIG;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	barrier_count = barrier_on_cpu0 = 0;
	for (unsigned int k = 1; k <= NR_BARRIER_CPUS; k++)
		park_cpu(k, (struct park){ .park = queue_callbacks });
	rcu_barrier();
	assert_int_equal(get(&barrier_count), expected);
	print_message("rcu_barrier: %d callbacks of 7 parked CPUs, %d run on CPU 0\n",
		      expected, get(&barrier_on_cpu0));
	assert_int_equal(get(&barrier_on_cpu0), expected);	/* they never ran */
	for (unsigned int k = 1; k <= NR_BARRIER_CPUS; k++)
		unpark_cpu(k);
	rcu_barrier();		/* nothing left: quick */
	assert_int_equal(get(&barrier_count), expected);
	check_shutdown();
}

/* A CPU going offline runs its own callbacks first. */
static void queue_and_detach(struct cpu_job *job)
{
	for (int i = 0; i < CBS_PER_CPU; i++)
		call_rcu(&barrier_heads[job->cpu][i], count_cb);
}

static void test_detach_runs_callbacks(void **state)
{
	struct cpu_job job;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	barrier_count = barrier_on_cpu0 = 0;
	cpu_job_start(&job, 3, queue_and_detach, NULL);
	cpu_job_join(&job);
	assert_int_equal(get(&barrier_count), CBS_PER_CPU);
	assert_int_equal(get(&barrier_on_cpu0), 0);
	check_shutdown();
}

/* What a CPU-offline callback queues waits for the next rcu_barrier(). */
static struct rcu_head offline_head;

static void rcu_hp_offline(unsigned int cpu)
{
	if (cpu == 4)
		call_rcu(&offline_head, count_cb);
}

static const struct cpuhp_state rcu_hp_state = {
	.name = "test:rcu",
	.offline = rcu_hp_offline,
};

static void test_offline_callback_queues_rcu(void **state)
{
	struct cpu_job job;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	barrier_count = barrier_on_cpu0 = 0;
	assert_int_equal(cpuhp_setup_state(&rcu_hp_state), 0);
	cpu_job_start(&job, 4, just_attach, NULL);
	cpu_job_join(&job);
	cpuhp_remove_state(&rcu_hp_state);
	assert_int_equal(get(&barrier_count), 0);	/* CPU 4 is offline */
	rcu_barrier();
	assert_int_equal(get(&barrier_count), 1);
	assert_int_equal(get(&barrier_on_cpu0), 1);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* Wait queues                                                         */

static DECLARE_WAIT_QUEUE_HEAD(test_wq);
static int wq_cond, wq_prepared, wq_woke, wq_excl_woke;

struct wq_waiter {
	int exclusive;
	long ret;
	int cpu;
};

static void wq_waiter_fn(struct cpu_job *job)
{
	struct wq_waiter *w = job->arg;
	DEFINE_WAIT(wait);

	if (w->exclusive)
		prepare_to_wait_exclusive(&test_wq, &wait, TASK_UNINTERRUPTIBLE);
	else
		prepare_to_wait(&test_wq, &wait, TASK_UNINTERRUPTIBLE);
	inc(&wq_prepared);
	w->ret = schedule_timeout(20 * HZ);
	finish_wait(&test_wq, &wait);
	w->cpu = (int)smp_processor_id();
	if (w->exclusive)
		inc(&wq_excl_woke);
	inc(&wq_woke);
}

static void test_wake_up_exclusive(void **state)
{
	struct cpu_job job[6];
	struct wq_waiter w[6];
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	wq_prepared = wq_woke = wq_excl_woke = 0;
	assert_false(waitqueue_active(&test_wq));
	for (int k = 1; k <= 5; k++) {
		w[k] = (struct wq_waiter){ .exclusive = k > 2 };
		cpu_job_start(&job[k], (unsigned int)k, wq_waiter_fn, &w[k]);
	}
	assert_true(wait_ge(&wq_prepared, 5, LONG_WAIT_S, 0));
	assert_true(waitqueue_active(&test_wq));
	/* two non-exclusive and one exclusive */
	wake_up(&test_wq);
	assert_true(wait_ge(&wq_woke, 3, LONG_WAIT_S, 0));
	nap_us(200000);
	assert_int_equal(get(&wq_woke), 3);
	assert_int_equal(get(&wq_excl_woke), 1);
	wake_up_all(&test_wq);
	for (int k = 1; k <= 5; k++) {
		cpu_job_join(&job[k]);
		assert_true(w[k].ret > 0);		/* woken, not timed out */
		assert_int_equal(w[k].cpu, k);
	}
	assert_int_equal(wq_woke, 5);
	assert_false(waitqueue_active(&test_wq));
	check_shutdown();
}

/* wait_event_timeout() across CPUs: CPU 3 waits, CPU 0 wakes it. */
static void wq_event_fn(struct cpu_job *job)
{
	struct wq_waiter *w = job->arg;

	inc(&wq_prepared);
	w->ret = wait_event_timeout(test_wq, get(&wq_cond), 100 * HZ);
	w->cpu = (int)smp_processor_id();
}

static void test_wait_event_wakeup(void **state)
{
	struct wq_waiter w = { 0 };
	struct cpu_job job;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=8");
	wq_cond = wq_prepared = 0;
	cpu_job_start(&job, 3, wq_event_fn, &w);
	assert_true(wait_ge(&wq_prepared, 1, LONG_WAIT_S, 0));
	nap_us(20000);		/* most likely asleep by now; either way works */
	set(&wq_cond, 1);
	wake_up(&test_wq);
	cpu_job_join(&job);
	assert_true(w.ret >= 1);
	assert_true(w.ret <= 100 * HZ);
	assert_int_equal(w.cpu, 3);
	check_shutdown();
}

static void test_wait_event_timeout(void **state)
{
	unsigned long j0, j1;
	long ret;
	(void)state;

	/* hz_scale=50: HZ/2 jiffies are 10 ms */
	boot_attach("mem=64M nodes=1 cpus=2 hz_scale=50");
	wq_cond = 0;
	j0 = jiffies;
	ret = wait_event_timeout(test_wq, get(&wq_cond), HZ / 2);
	j1 = jiffies;
	assert_int_equal(ret, 0);
	assert_true(j1 - j0 >= HZ / 2);
	assert_false(waitqueue_active(&test_wq));
	/* a true condition returns the time left, at least 1 */
	assert_int_equal(wait_event_timeout(test_wq, 1, 7), 7);
	assert_int_equal(wait_event_timeout(test_wq, 1, 0), 1);
	assert_int_equal(wait_event_timeout(test_wq, 0, 0), 0);
	/* TASK_RUNNING: schedule_timeout() returns at once, the time left */
	__set_current_state(TASK_RUNNING);
	ret = schedule_timeout(100 * HZ);
	assert_true(ret > 90 * HZ);
	/* a plain sleep */
	j0 = jiffies;
	assert_int_equal(schedule_timeout_uninterruptible(5), 0);
	assert_true(jiffies - j0 >= 5);
	check_shutdown();
}

/* Sleeping in atomic context is reported and refused. */
static void test_sleep_in_atomic_refused(void **state)
{
	unsigned long bugs, j0;
	const char *out;
	long ret;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	wq_cond = 0;

	bugs = report_count(REPORT_BUG);
	j0 = jiffies;
	preempt_disable();
	capture_begin();
	ret = wait_event_timeout(test_wq, get(&wq_cond), 10 * HZ);
	out = capture_end();
	preempt_enable();
	assert_int_equal(ret, 0);
	assert_int_equal(report_count(REPORT_BUG), bugs + 1);
	assert_contains(out, "BUG: sleeping function called from invalid context at ");
	assert_contains(out, "in_atomic(): 1, irqs_disabled(): 0");
	assert_true(jiffies - j0 < 10 * HZ);
	assert_false(waitqueue_active(&test_wq));

	bugs = report_count(REPORT_BUG);
	local_irq_disable();
	capture_begin();
	ret = schedule_timeout_uninterruptible(10 * HZ);
	out = capture_end();
	local_irq_enable();
	assert_int_equal(ret, 0);
	assert_int_equal(report_count(REPORT_BUG), bugs + 1);
	assert_contains(out, "irqs_disabled(): 1");
	assert_true(jiffies - j0 < 10 * HZ);

	/* synchronize_rcu() inside a reader, cond_resched() inside one */
	bugs = report_count(REPORT_BUG);
	rcu_read_lock();
	assert_true(rcu_read_lock_held());
	capture_begin();
	synchronize_rcu();
	cond_resched();
	out = capture_end();
	rcu_read_unlock();
	assert_false(rcu_read_lock_held());
	assert_int_equal(report_count(REPORT_BUG), bugs + 2);
	assert_contains(out, "BUG: sleeping function called from invalid context");

	/* process context again: no report */
	bugs = report_count(REPORT_BUG);
	cond_resched();
	synchronize_rcu();
	assert_int_equal(report_count(REPORT_BUG), bugs);
	mm_cpu_detach();
	mm_shutdown();		/* the BUGs were expected: no check_shutdown() */
}

/* RCU from a thread that is not a CPU: reported, refused. */
static void *unattached_rcu(void *p)
{
	static struct rcu_head head;

	(void)p;
	cond_resched();			/* nothing, silently */
	rcu_read_lock();
	rcu_read_unlock();
	call_rcu(&head, count_cb);
	rcu_barrier();
	return NULL;
}

static void test_rcu_from_unattached_thread(void **state)
{
	unsigned long bugs;
	const char *out;
	pthread_t t;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	bugs = report_count(REPORT_BUG);
	capture_begin();
	pthread_create(&t, NULL, unattached_rcu, NULL);
	pthread_join(t, NULL);
	out = capture_end();
	assert_int_equal(report_count(REPORT_BUG), bugs + 3);
	assert_contains(out, "BUG: rcu_read_lock() called from a thread that is not a simulated CPU");
	assert_contains(out, "BUG: call_rcu() called from a thread that is not a simulated CPU");
	assert_contains(out, "BUG: rcu_barrier() called from a thread that is not a simulated CPU");
	mm_cpu_detach();
	mm_shutdown();
}

/* stop_machine() reaches a CPU sleeping in a wait queue, a CPU waiting in
 * synchronize_rcu(), and the reader that synchronize_rcu() waits for. */
static int stop_fn_ran;

static int stop_fn(void *data)
{
	(void)data;
	stop_fn_ran++;
	return 7;
}

static void test_stop_machine_reaches_sleepers(void **state)
{
	struct rcu_obj *o = malloc(sizeof(*o));
	struct cpu_job sleeper, reader, syncer;
	struct wq_waiter w = { 0 };
	struct cpumask missing;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=4");
	wq_cond = wq_prepared = stop_fn_ran = 0;
	reader_in = reader_release = reader_out = sync_returned = 0;
	o->value = 42;
	rcu_assign_pointer(gp, o);
	cpu_job_start(&sleeper, 3, wq_event_fn, &w);
	cpu_job_start(&reader, 1, reader_fn, NULL);
	assert_true(wait_ge(&reader_in, 1, LONG_WAIT_S, 0));
	cpu_job_start(&syncer, 2, syncer_fn, NULL);
	assert_true(wait_ge(&wq_prepared, 1, LONG_WAIT_S, 0));
	for (double end = now_s() + LONG_WAIT_S; !waitqueue_active(&test_wq) && now_s() < end;)
		nap_us(100);
	assert_true(waitqueue_active(&test_wq));	/* CPU 3 is (about to be) asleep */
	assert_int_equal(get(&sync_returned), 0);

	assert_int_equal(stop_machine(stop_fn, NULL, 20000, &missing), 7);
	assert_int_equal(stop_fn_ran, 1);
	assert_int_equal(stop_machine(stop_fn, NULL, 20000, &missing), 7);

	set(&wq_cond, 1);
	wake_up(&test_wq);
	set(&reader_release, 1);
	cpu_job_join(&sleeper);
	cpu_job_join(&reader);
	cpu_job_join(&syncer);
	assert_true(w.ret >= 1);
	assert_int_equal(sync_returned, 1);
	rcu_assign_pointer(gp, NULL);
	synchronize_rcu();
	free(o);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_jiffies_rate),
		TEST(test_jiffies_wrap),
		TEST(test_delayed_work_on_its_cpu),
		TEST(test_work_waits_for_next_thread),
		TEST(test_cancel),
		TEST(test_cancel_while_running),
		TEST(test_cancel_from_own_function),
		TEST(test_cancel_from_offline_callback),
		TEST(test_shutdown_warns_about_queued_work),
		TEST(test_call_rcu_waits_for_reader),
		TEST(test_callback_context),
		TEST(test_synchronize_rcu),
		TEST(test_rcu_barrier_other_cpus),
		TEST(test_detach_runs_callbacks),
		TEST(test_offline_callback_queues_rcu),
		TEST(test_wake_up_exclusive),
		TEST(test_wait_event_wakeup),
		TEST(test_wait_event_timeout),
		TEST(test_sleep_in_atomic_refused),
		TEST(test_rcu_from_unattached_thread),
		TEST(test_stop_machine_reaches_sleepers),
	};

	return cmocka_run_group_tests_name("numa_sched", tests, NULL, NULL);
}
