// SPDX-License-Identifier: MIT
/*
 * stress/run.c - one `mmstress run`: the machine, the CPUs, the monitor.
 *
 *   the CPUs	one pinned thread per simulated CPU (mm_on_each_cpu(), from
 *		a runner thread), each in the engine's loop (engine.c) until
 *		the duration is up (run->stop) or it has done --ops
 *		operations; then it releases everything it holds.
 *   the monitor	the main thread: the live progress line, the watchdog
 *		(a CPU whose progress stands still is reported as a soft
 *		lockup with its last operation), the periodic mm_check() under
 *		stop_machine(), the end of the run, and a hard deadline: a run
 *		whose CPUs cannot stop is reported and the process exits, at
 *		most GRACE_SECONDS and twice the watchdog time after its end (a
 *		check that could not stop a CPU, then a last attempt to stop
 *		the machine, which names the CPUs it cannot reach).  The run
 *		ends at --duration, or with --ops once every CPU has done its
 *		operations or been reported as a soft lockup.
 *   the checks	periodic ones are due at start + k * --check-every (k >= 1)
 *		before the end, whatever the previous ones took: a check
 *		still running when the next falls due makes that one skipped,
 *		so the run reports how many were due, done and skipped.
 *   kmemleak	with --kmemleak, the scan thread (kmemleak.c) runs from when
 *		every CPU runs the jobs until they have all stopped (before
 *		the leak job's teardown frees its deliberate leaks); the
 *		watchdog does not count the time its scans stop the machine.
 *   the jobs' shared state	set up on CPU 0 (the main thread attached)
 *		before the CPUs start; each CPU releases what it holds when
 *		it stops; torn down on CPU 0 after they have all stopped
 *		(engine.c).
 *   the end	every item handed between CPUs is checked and freed, the
 *		jobs' checks run and their caches and pools go (engine.c),
 *		RCU callbacks run (rcu_barrier()) and every cache is shrunk
 *		(slab_shrink_all()), all on CPU 0; then mm_check() runs again,
 *		and the conservation law must show no page allocated: anything
 *		left (a page, or a slab object keeping its slab) is a leak.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmstress.h"

static struct run *the_run;	/* for the report hook */

/*
 * The kind of a report, from its first line, as syzkaller sorts kernel
 * reports by their titles.  A lockup ends the run (sentinel.c): the CPU
 * that is stuck would keep it from ending.
 */
static const struct {
	const char *title;		/* how the headline starts */
	const char *kind;
	int fatal;
} titles[] = {
	{ "BUG: spinlock lockup suspected", "lockup", 1 },
	{ "watchdog: BUG: soft lockup", "lockup", 1 },
	{ "INFO: task ", "lockup", 1 },			/* a hung task */
	{ "BUG: spinlock recursion", "lockup", 0 },	/* a lockup follows */
	{ "BUG: CPU ", "lockup", 0 },			/* does not answer IPIs */
	{ "BUG: spinlock already unlocked", "misuse", 0 },
	{ "BUG: spinlock wrong owner", "misuse", 0 },
	{ "BUG: sleeping function called from invalid context", "misuse", 0 },
	{ "BUG: scheduling while atomic", "misuse", 0 },
	{ "BUG: lost wake-up", "lost-wakeup", 0 },
	{ "WARNING: possible circular locking dependency", "lockdep", 0 },
	{ "WARNING: possible recursive locking", "lockdep", 0 },
	{ "WARNING: inconsistent lock state", "lockdep", 0 },
	{ "WARNING: possible irq lock inversion", "lockdep", 0 },
	{ "WARNING: suspicious RCU usage", "lockdep", 0 },
	{ "WARNING: bad unlock balance", "lockdep", 0 },
	{ "WARNING: lock held", "lockdep", 0 },
	{ "WARNING: held lock", "lockdep", 0 },
	{ "BUG: slab layout", "layout", 0 },		/* slab_debug */
	{ "BUG: KASAN: use-after-free", "use-after-free", 0 },
	{ "BUG: unable to handle page fault", "use-after-free", 0 },	/* debug_pagealloc */
	{ "pagealloc: memory corruption", "corruption", 0 },		/* page_poison */
	{ "pagealloc: single bit error", "corruption", 0 },
	{ "BUG: kunmap() of page", "misuse", 0 },			/* highmem */
	{ "Oops: ", "crash", 0 },			/* fatal: the sentinel reports */
	{ "general protection fault", "crash", 0 },
	/*
	 * The OOM killer's (kind NULL: expected, not a violation).  They are
	 * REPORT_INFO, which never reaches this hook nor report_violations();
	 * the rows keep them out of the violations should one come another
	 * way (a headline kept by a report that nests them).
	 */
	{ "Out of memory", NULL, 0 },
	{ "Killed process ", NULL, 0 },
	{ "oom_reaper: ", NULL, 0 },
};

/* Every BUG, WARNING and bad page the allocator reports is a violation. */
static void report_hook(enum report_type type, const char *headline)
{
	static const char *const kinds[] = { "BUG", "WARNING", "bad-page", "info" };
	const char *kind = kinds[type];
	int fatal = 0;

	for (size_t i = 0; headline && i < sizeof(titles) / sizeof(titles[0]); i++) {
		if (!strncmp(headline, titles[i].title, strlen(titles[i].title))) {
			kind = titles[i].kind;
			fatal = titles[i].fatal;
			break;
		}
	}
	if (headline && strstr(headline, " invoked oom-killer: "))
		kind = NULL;
	if (!kind || !the_run)
		return;
	add_violation(the_run, kind, current->cpu, "%s", headline ? headline : "(no headline)");
	if (fatal)
		sentinel_fatal();
}

/*
 * A CPU asleep in one wait for longer than twice --watchdog is a hung task
 * (the kernel's 120 s would outlast most runs; twice, because a mutex may
 * be held by a CPU that waits for a slow IPI storm itself), unless the
 * boot line set the timeout itself.
 */
static void set_hung_task_timeout(const struct run *run)
{
	char secs[32];

	if (strstr(run->opt.boot, "hung_task_timeout_secs="))
		return;
	snprintf(secs, sizeof(secs), "%.0f", ceil(2 * run->opt.watchdog));
	if (mm_sysctl_write("kernel.hung_task_timeout_secs", secs))
		fprintf(stderr, "mmstress: cannot set kernel.hung_task_timeout_secs\n");
}

struct runner {
	struct run *run;
	int ret;
	int finished;		/* atomic */
};

static void *runner_main(void *p)
{
	struct runner *r = p;

	r->ret = mm_on_each_cpu(engine_cpu_main, r->run);
	__atomic_store_n(&r->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A check made (what: "periodic", "final"): counted, and its violations. */
static void check_done(struct run *run, const char *what, int violations, const char *report)
{
	/* a structure laid out wrong (objects past their slab's end, a class
	 * too small) is kind "layout", whatever else it broke meanwhile: the
	 * message then starts at its first layout line */
	const char *layout = strstr(report, "mm_check: slab layout: ");
	unsigned long lockflags;

	spin_lock_irqsave(&run->lock, lockflags);
	if (violations)
		run->checks_failed++;
	else
		run->checks_passed++;
	spin_unlock_irqrestore(&run->lock, lockflags);
	if (violations)
		add_violation(run, layout ? "layout" : "mm_check", -1,
			      "%s mm_check(): %d violation%s: %.300s", what, violations,
			      str_plural(violations), layout ? layout : report);
}

/* One mm_check() under stop_machine(), as a periodic or the last check. */
static void periodic_check(struct run *run)
{
	static char buf[16384];
	struct cpumask missing;
	unsigned long lockflags;
	unsigned int timeout_ms;
	FILE *out;
	int ret;

	memset(buf, 0, sizeof(buf));
	out = fmemopen(buf, sizeof(buf) - 1, "w");
	if (!out)
		return;
	setvbuf(out, NULL, _IONBF, 0);
	/* a CPU that cannot reach a safe point within the watchdog time hangs */
	timeout_ms = (unsigned int)(run->opt.watchdog * 1000);
	ret = mm_check_stopped(out, timeout_ms, &missing);
	fclose(out);
	if (ret == -ETIMEDOUT) {
		for (unsigned int k = 0; k < run->nr_cpus; k++) {
			char op[160];

			if (!cpumask_test_cpu(k, &missing))
				continue;
			describe_last_op(&run->cpus[k], op, sizeof(op));
			add_violation(run, "hang", (int)k,
				      "stop_machine: CPU#%u did not reach a safe point in %u ms; last: %s",
				      k, timeout_ms, op);
		}
		spin_lock_irqsave(&run->lock, lockflags);
		run->checks_failed++;
		spin_unlock_irqrestore(&run->lock, lockflags);
		return;
	}
	check_done(run, "periodic", ret, buf);
}

static void progress_line(struct run *run, double elapsed, uint64_t ops, double rate)
{
	unsigned long lockflags;
	char when[32];

	if (run->opt.ops)
		snprintf(when, sizeof(when), "%.1fs", elapsed);
	else
		snprintf(when, sizeof(when), "%.1fs/%.0fs", elapsed, run->opt.duration);
	unsigned long passed, failed;
	int nr_v;

	spin_lock_irqsave(&run->lock, lockflags);
	passed = run->checks_passed;
	failed = run->checks_failed;
	nr_v = run->nr_v;
	spin_unlock_irqrestore(&run->lock, lockflags);
	printf("\r[%s] %llu ops, %.2f Mops/s | free %lu pages | checks %lu passed, %lu failed | %d violation%s  ",
	       when, (unsigned long long)ops, rate / 1e6, nr_free_pages(), passed, failed, nr_v,
	       str_plural(nr_v));
	fflush(stdout);
}

/*
 * The watchdog: a CPU whose progress has not moved for opt.watchdog s, not
 * counting the time kmemleak's scans kept the machine stopped meanwhile
 * (none is reported while a scan runs).
 */
static void watchdog(struct run *run, uint64_t *last, double *since, int *reported, double now)
{
	static double stopped_seen;	/* the monitor's */
	double stopped;

	if (kl_stopped(&stopped))
		return;
	for (unsigned int k = 0; k < run->nr_cpus; k++)
		since[k] += stopped - stopped_seen;
	stopped_seen = stopped;
	for (unsigned int k = 0; k < run->nr_cpus; k++) {
		struct cpu_ctx *c = &run->cpus[k];
		uint64_t p = READ_ONCE(c->progress);

		/* asleep in a wait (a mutex...): not stuck, the hung task
		 * detector's (at twice --watchdog) if it never wakes */
		if (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) || p != last[k] ||
		    cpu_task_sleeping(k)) {
			last[k] = p;
			since[k] = now;
			continue;
		}
		if (!reported[k] && now - since[k] >= run->opt.watchdog) {
			char op[160];

			describe_last_op(c, op, sizeof(op));
			add_violation(run, "lockup", (int)k,
				      "watchdog: BUG: soft lockup - CPU#%u stuck for %.0fs! [mmstress]; last: %s",
				      k, now - since[k], op);
			printf("\nwatchdog: BUG: soft lockup - CPU#%u stuck for %.0fs! [mmstress]\n",
			       k, now - since[k]);
			fflush(stdout);
			if (!trigger_single_cpu_backtrace(k))
				printf("CPU#%u did not answer the NMI: no call trace\n", k);
			reported[k] = 1;
		}
	}
}

/* Any violation yet (--fail-fast)? */
static int violations_found(struct run *run)
{
	unsigned long lockflags;
	int n;

	spin_lock_irqsave(&run->lock, lockflags);
	n = run->nr_v;
	spin_unlock_irqrestore(&run->lock, lockflags);
	return n != 0;
}

static long allocated_everywhere(void)
{
	struct zone_info zi;
	long n = 0;

	for_each_zone_info(zi)
		n += zi.allocated_pages;
	return n;
}

/* After the CPUs: items still in transit, the jobs' ends, the final checks. */
static void finish(struct run *run)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	long left;
	int v;

	if (mm_cpu_attach(0) == 0) {
		engine_finish(run);
		/* kfree_rcu() and typesafe slabs still waiting for a grace
		 * period, then every cache's arrays and free slabs: what stays
		 * allocated after this is held by a live object */
		rcu_barrier();
		vmalloc_quiesce();	/* deferred vfree()s, lazy areas */
		slab_shrink_all();
		mm_cpu_detach();
	} else {
		add_violation(run, "harness", -1, "cannot attach CPU 0 to end the run");
	}
	f = open_memstream(&buf, &len);
	v = mm_check(f);
	fclose(f);
	run->check_final = 1;
	check_done(run, "final", v, buf);
	free(buf);
	left = allocated_everywhere();
	if (left)
		add_violation(run, "leak", -1,
			      "conservation: %ld page%s still allocated after every job released its blocks",
			      left, str_plural(left));
}

/* Seconds as nanoseconds (options are at most 1e7 s). */
static uint64_t to_ns(double seconds)
{
	return (uint64_t)llround(seconds * 1e9);
}

/* The periodic checks due in a run whose checks ended end_ns after its
 * start: start + k * every for k >= 1, before the end. */
static unsigned long checks_due(const struct run *run, uint64_t end_ns)
{
	uint64_t every = to_ns(run->opt.check_every);

	return every && end_ns ? (unsigned long)((end_ns - 1) / every) : 0;
}

/* --ops: is every CPU either done or reported stuck (and one stuck)? */
static int ops_cannot_finish(const struct run *run, const int *reported)
{
	int stuck = 0;

	for (unsigned int k = 0; k < run->nr_cpus; k++) {
		if (__atomic_load_n(&run->cpus[k].done, __ATOMIC_ACQUIRE))
			continue;
		if (!reported[k])
			return 0;
		stuck = 1;
	}
	return stuck;
}

int harness_run(struct run *run)
{
	struct runner r = { .run = run };
	pthread_t tid;
	/* the monitor's clock: seconds (t) and nanoseconds (el) since start */
	double next_progress, next_watchdog, stop_at = 0;
	uint64_t start, every = to_ns(run->opt.check_every), duration = to_ns(run->opt.duration);
	uint64_t next_due = every, checks_end = 0;
	uint64_t *last, last_ops = 0;
	double *since, last_t;
	int *reported, tty = isatty(STDOUT_FILENO) && !run->opt.quiet;
	unsigned int nr_cpus;
	unsigned long viol0;
	int ret;

	printk_set_quiet(1);
	__atomic_store_n(&run->start_ns, stress_clock_ns(), __ATOMIC_RELAXED);
	/* from here on, a lockup or a stuck set-up ends the run (sentinel.c) */
	the_run = run;
	report_set_hook(report_hook);
	viol0 = report_violations();
	if (sentinel_start(run)) {
		fprintf(stderr, "mmstress: cannot start the sentinel thread\n");
		return 2;
	}
	ret = mm_boot(run->opt.boot);
	if (ret) {
		sentinel_stop();
		report_set_hook(NULL);
		the_run = NULL;
		fprintf(stderr, "mmstress: bad boot line \"%s\": %s\n", run->opt.boot, strerror(-ret));
		return 2;
	}
	set_hung_task_timeout(run);
	/* each CPU's delays from (seed, CPU): the replay line gives the level */
	mm_jitter_set(run->opt.jitter, run->opt.seed);
	if (fail_setup(run) || kl_setup(run)) {
		sentinel_stop();
		mm_shutdown();
		kl_free();
		return 2;
	}
	nr_cpus = num_online_cpus();
	last = calloc(nr_cpus, sizeof(*last));
	since = calloc(nr_cpus, sizeof(*since));
	reported = calloc(nr_cpus, sizeof(*reported));
	if (!last || !since || !reported) {
		fprintf(stderr, "mmstress: out of memory\n");
		sentinel_stop();
		mm_shutdown();
		return 2;
	}
	if (!run->opt.quiet)
		printf("mmstress: %u CPU%s, %u node%s, boot \"%s\", seed %llu, %s\n",
		       nr_cpus, str_plural(nr_cpus), num_online_nodes(),
		       str_plural(num_online_nodes()), run->opt.boot,
		       (unsigned long long)run->opt.seed, run->opt.jobs_spec);
	/* the CPUs' contexts and the jobs' shared state, made on CPU 0 */
	if (engine_setup(run)) {
		fprintf(stderr, "mmstress: out of memory\n");
		sentinel_stop();
		mm_shutdown();
		return 2;
	}

	fail_arm(run);
	if (pthread_create(&tid, NULL, runner_main, &r)) {
		fprintf(stderr, "mmstress: cannot start the CPUs\n");
		sentinel_stop();
		mm_shutdown();
		return 2;
	}
	/*
	 * The run starts when every CPU runs it: until then a CPU waits at
	 * mm_on_each_cpu()'s gate, in a host primitive, where it does not
	 * answer the IPIs of stop_machine() (a check due after 1 ms would
	 * wait for the watchdog).  Acquire: pairs with engine_cpu_main().
	 */
	while (__atomic_load_n(&run->started, __ATOMIC_ACQUIRE) < run->nr_cpus &&
	       !__atomic_load_n(&r.finished, __ATOMIC_ACQUIRE)) {
		struct timespec nap = { 0, 1000 * 1000 };

		nanosleep(&nap, NULL);
	}
	/* --kmemleak's scans stop the machine: only once every CPU runs */
	if (kl_start())
		add_violation(run, "harness", -1, "cannot start the kmemleak scan thread");
	start = stress_clock_ns();
	sentinel_phase(PHASE_RUN);
	last_t = 0;
	next_progress = 0.5;
	next_watchdog = 1;
	for (;;) {
		uint64_t el = stress_clock_ns() - start, nap_ns = 50 * 1000 * 1000;
		double t = (double)el * 1e-9;
		struct timespec nap;

		if (__atomic_load_n(&r.finished, __ATOMIC_ACQUIRE)) {
			if (!stop_at)
				checks_end = run->opt.ops ? el : min(el, duration);
			break;
		}
		/* the end: --duration, or with --ops when only stuck CPUs are
		 * left, or with --fail-fast a violation; the checks stop there
		 * (the final one takes its place) */
		if (!stop_at && ((run->opt.ops ? ops_cannot_finish(run, reported) : el >= duration) ||
				 (run->opt.fail_fast && violations_found(run)))) {
			__atomic_store_n(&run->stop, 1, __ATOMIC_RELEASE);
			stop_at = t;
			checks_end = run->opt.ops || el < duration ? el : duration;
		}
		/* the hard deadline: the CPUs may still be releasing what they
		 * hold (IPIs to every CPU), slowly on a loaded host: a CPU that
		 * makes no progress meanwhile is the watchdog's to report */
		if (stop_at && t - stop_at > GRACE_SECONDS + 2 * run->opt.watchdog) {
			/* the CPUs cannot stop: report what we know and leave */
			for (unsigned int k = 0; k < run->nr_cpus; k++) {
				char op[160];

				if (__atomic_load_n(&run->cpus[k].done, __ATOMIC_ACQUIRE) || reported[k])
					continue;
				describe_last_op(&run->cpus[k], op, sizeof(op));
				add_violation(run, "hang", (int)k,
					      "CPU#%u still running %.0f s after the end; last: %s",
					      k, t - stop_at, op);
			}
			add_violation(run, "hang", -1,
				      "the run could not stop %.0f s after its end: CPUs stuck (see the soft lockups)",
				      GRACE_SECONDS + 2 * run->opt.watchdog);
			/* the final check, if stop_machine() reaches every CPU;
			 * else it names the CPUs it cannot stop */
			periodic_check(run);
			run->check_final = 1;
			run->checks_due = checks_due(run, checks_end);
			run->elapsed = t;
			run->hung = 1;
			if (!sentinel_claim_report())
				for (;;)
					pause();	/* the sentinel writes it */
			if (tty)
				printf("\n");
			report_human(run, stdout);
			if (run->opt.json[0])
				report_json(run, run->opt.json);
			fflush(NULL);
			_exit(1);
		}
		if (t >= next_watchdog) {
			watchdog(run, last, since, reported, t);
			next_watchdog = t + 1;
		}
		/* check k falls due at start + k * every, however long the last
		 * one took; those that fell due while it ran are skipped */
		if (every && !stop_at && el >= next_due) {
			periodic_check(run);
			run->checks_periodic++;
			next_due = ((stress_clock_ns() - start) / every + 1) * every;
		}
		if (tty && t >= next_progress) {
			uint64_t ops = 0;

			for (unsigned int k = 0; k < run->nr_cpus; k++)
				ops += READ_ONCE(run->cpus[k].progress);
			progress_line(run, t, ops, (double)(ops - last_ops) / (t - last_t));
			last_ops = ops;
			last_t = t;
			next_progress = t + 0.5;
		}
		el = stress_clock_ns() - start;
		if (every && !stop_at)
			nap_ns = next_due > el ? min(nap_ns, next_due - el) : 0;
		nap.tv_sec = 0;
		nap.tv_nsec = (long)nap_ns;
		nanosleep(&nap, NULL);
	}
	sentinel_phase(PHASE_END);
	pthread_join(tid, NULL);
	/* the last scan is over before the leak job's teardown frees its drops */
	kl_stop();
	fail_disarm(run);
	run->elapsed = (double)(stress_clock_ns() - start) * 1e-9;
	run->checks_due = checks_due(run, checks_end);
	if (tty)
		printf("\n");
	if (r.ret)
		add_violation(run, "harness", -1, "the CPUs could not be started: %s", strerror(-r.ret));
	finish(run);
	report_set_hook(NULL);
	the_run = NULL;
	if (report_violations() != viol0 && !run->nr_v)
		add_violation(run, "BUG", -1, "the allocator reported a problem (see above)");

	if (!sentinel_claim_report())
		for (;;)
			pause();	/* the sentinel writes it, and exits */
	report_human(run, stdout);
	if (run->opt.json[0] && report_json(run, run->opt.json))
		fprintf(stderr, "mmstress: cannot write %s\n", run->opt.json);
	ret = run->nr_v ? 1 : 0;
	free(last);
	free(since);
	free(reported);
	mm_jitter_set(0, 0);
	engine_free(run);	/* its roots go while kmemleak is there */
	mm_shutdown();
	sentinel_stop();
	kl_free();
	return ret;
}
