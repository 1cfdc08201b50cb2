// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_cli.c - mmstress as a user runs it: exit codes, the JSON
 * report, replay by seed with --ops (all jobs, and each job family
 * alone: page, slab, mempool), bad input, each slab job alone, each
 * mempool job alone (with jiffies 50 times faster, so that the 5*HZ wait
 * times out within the run), and the self-checks (a corrupted byte of a
 * page or of a slab object, a leaked page and a hung CPU must be found),
 * and the default job list.  (All the jobs at once on 16 CPUs, the race
 * hunt: tests/stress/stress_mmstress.c.)
 *
 * No expectation counts on how much a loaded machine gets done in a given
 * time: a timed run is checked against what it reports (its elapsed time,
 * the checks it says were due, done and skipped), and what must happen a
 * number of times runs with --ops, where the seed decides each CPU's
 * operations.  The temporary files are removed whether a test passes or
 * fails (the child's output is unlinked at once, the JSON reports by the
 * teardown).
 */
#include "../cliutil.h"

/* The jobs run by default: those of `mmstress list` but the opt-in oom. */
#define NR_JOBS	21


static void test_help_list_topo(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("--help", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "run");
	result_free(&r);
	r = run_mmstress("run", "--help", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "--ops N");
	result_free(&r);
	r = run_mmstress("list", NULL);
	assert_clean_exit(&r, 0);
	for (const char *const *j = (const char *const[]){ "page-churn", "pcp-pingpong", "fragment",
							  "atomic", "drain", "sysctl", "page-ref",
							  "slab-churn", "kmalloc-mix", "slab-shrink",
							  "rcu-free", "mempool-starve", "mempool-resize",
							  "vmalloc-churn", "leak", NULL }; *j; j++)
		assert_contains(r.out, *j);
	result_free(&r);
	r = run_mmstress("topo", "--boot", "nodes=2 cpus=4 mem=64M", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "node 1: RAM");
	assert_contains(r.out, "cpu 3: node 1, host PU");
	assert_contains(r.out, "zone DMA32");
	assert_contains(r.out, "node distances:");
	result_free(&r);
	r = run_mmstress("topo", "--help", NULL);
	assert_clean_exit(&r, 0);
	result_free(&r);
}

static void test_bad_input(void **state)
{
	static const struct { const char *args[4]; const char *says; } bad[] = {
		{ { "run", "--jobs", "nosuchjob" }, "unknown job 'nosuchjob'" },
		{ { "run", "--jobs", "page-churn:0" }, "bad weight '0'" },
		{ { "run", "--jobs", "page-churn:-2" }, "bad weight '-2'" },
		{ { "run", "--jobs", "page-churn:abc" }, "bad weight 'abc'" },
		{ { "run", "--jobs", "drain,drain" }, "given twice" },
		{ { "run", "--duration", "0" }, "--duration '0'" },
		{ { "run", "--duration", "-5" }, "--duration '-5'" },
		{ { "run", "--duration", "soon" }, "--duration 'soon'" },
		{ { "run", "--ops", "0" }, "--ops '0'" },
		{ { "run", "--boot", "nodes=3 cpus=4" }, "does not spread evenly" },
		{ { "run", "--boot", "frobnicate=1" }, "unknown parameter 'frobnicate=1'" },
		{ { "run", "--seed", "x1" }, "--seed 'x1'" },
		{ { "run", "--jitter", "4" }, "--jitter '4': expected a level from 0 (off) to 3" },
		{ { "run", "--jitter", "-1" }, "--jitter '-1'" },
		{ { "run", "--jitter", "lots" }, "--jitter 'lots'" },
		{ { "run", "--what" }, "unknown option '--what'" },
		{ { "run", "--duration" }, "--duration needs a value" },
		{ { "topo", "--boot", "mem=1Q" }, "bad value '1Q' for 'mem'" },
		{ { "topo", "--what" }, "unknown option '--what' (see mmstress topo --help)" },
		{ { "list", "extra" }, "unexpected argument 'extra' (see mmstress list --help)" },
		{ { "fly" }, "unknown command 'fly'" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct result r = run_mmstress(bad[i].args[0], bad[i].args[1], bad[i].args[2],
					       bad[i].args[3], NULL);

		assert_clean_exit(&r, 2);
		assert_contains(r.err, bad[i].says);
		result_free(&r);
	}
	{
		struct result r = run_mmstress("run", "--duration", "1", "--ops", "5", NULL);

		assert_clean_exit(&r, 2);
		result_free(&r);
	}
}

/* An unknown job: one line that names the jobs, one pointer for more. */
static void test_unknown_job_message(void **state)
{
	static const char start[] = "mmstress: --jobs: unknown job 'nosuchjob'; the jobs are page-churn, ";
	struct result r = run_mmstress("run", "--jobs", "page-churn,nosuchjob", NULL);
	const char *nl;
	(void)state;

	assert_clean_exit(&r, 2);
	assert_string_equal(r.out, "");
	nl = strchr(r.err, '\n');
	if (!nl || nl[1])
		fail_msg("expected one line on stderr, got:\n%s", r.err);
	if (strncmp(r.err, start, strlen(start)))
		fail_msg("expected \"%s...\", got: %s", start, r.err);
	assert_contains(r.err, ", dcache, oom, leak (mmstress list describes them)\n");
	if (strchr(r.err, '(') != strrchr(r.err, '('))
		fail_msg("more than one parenthetical: %s", r.err);
	result_free(&r);
}

/* One node, one CPU, one page: no "1 nodes", "1 CPUs" anywhere. */
static void assert_no_false_plural(const char *text)
{
	static const char *const wrong[] = { " 1 nodes", " 1 CPUs", " 1 PUs", " 1 pages",
					     " 1 violations", "(1 frames)" };

	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		if (strstr(text, wrong[i]))
			fail_msg("\"%s\" in:\n%s", wrong[i], text);
}

static void test_singular_counts(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("topo", "--boot", "nodes=1 cpus=1 mem=64M", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "machine: x86_64, 1 node, 1 CPU, topology ");
	assert_no_false_plural(r.out);
	result_free(&r);
	r = run_mmstress("run", "--boot", "nodes=1 cpus=1 mem=64M", "--jobs", "page-churn",
			 "--ops", "100", "--seed", "3", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "mmstress: 1 CPU, 1 node, boot ");
	assert_contains(r.out, "== mmstress PASS: ");
	assert_contains(r.out, " s, 1 CPU, 1 node, seed 3 ==");
	assert_no_false_plural(r.out);
	result_free(&r);
}

static json_int_t get_int(json_t *o, const char *key)
{
	return json_integer_value(member(o, key));
}

/*
 * What a run says of its checks must add up: every one passed or failed,
 * the periodic ones and the final one; the periodic ones were due at
 * start + k * every before the end, so their number follows from the
 * options alone (due), and each was either done or skipped.
 */
static void assert_checks_add_up(json_t *j, json_int_t due)
{
	json_t *c = member(j, "checks");
	json_int_t periodic = get_int(c, "periodic");

	assert_int_equal(get_int(c, "failed"), 0);
	assert_true(json_is_true(member(c, "final")));
	assert_int_equal(get_int(c, "passed"), periodic + 1);
	assert_int_equal(get_int(c, "periodic_due"), due);
	assert_int_equal(periodic + get_int(c, "periodic_skipped"), due);
}

/*
 * A short run's JSON report, checked against what the run itself says it
 * did: nothing here counts on how many operations or checks a loaded
 * machine manages in 2 s.
 */
static void test_short_run_json(void **state)
{
	const char *json_path;
	const char *keys[] = { "result", "seed", "boot", "violations", "jobs", "cpus", "zones",
			       "vmstat", "checks", "replay" };
	json_t *j, *jobs, *job, *cpus, *c;
	json_int_t job_ops = 0, cpu_ops = 0;
	const char *name;
	struct result r;
	double elapsed;
	size_t k;
	(void)state;

	json_path = tmp_json();
	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=128M", "--duration", "2",
			 "--check-every", "0.5", "--seed", "42", "--json", json_path, NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "mmstress PASS");
	assert_contains(r.out, "violations: none");
	assert_contains(r.out, "every 0.5 s from the start: 3 due, ");
	result_free(&r);

	j = load_json(json_path);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		member(j, keys[i]);
	assert_string_equal(json_string_value(json_object_get(j, "result")), "pass");
	assert_int_equal(json_integer_value(json_object_get(j, "seed")), 42);
	assert_int_equal(json_array_size(json_object_get(j, "violations")), 0);
	/* the run ends once the duration has passed, never before */
	elapsed = json_real_value(member(j, "elapsed_s"));
	assert_true(elapsed >= 2.0);
	/* checks at 0.5, 1 and 1.5 s, the final one at the end */
	assert_checks_add_up(j, 3);
	jobs = json_object_get(j, "jobs");
	assert_int_equal(json_object_size(jobs), NR_JOBS);
	json_object_foreach(jobs, name, job) {
		json_t *lat = json_object_get(job, "latency_ns");
		json_int_t ops = get_int(job, "ops");
		double rate = json_real_value(member(job, "ops_per_sec"));

		assert_true(ops >= 0);
		if (rate < 0.999 * (double)ops / elapsed || rate > 1.001 * (double)ops / elapsed)
			fail_msg("job %s: %lld ops in %.3f s, but %.1f ops/s", name, (long long)ops,
				 elapsed, rate);
		assert_non_null(json_object_get(job, "failures"));
		assert_true(json_integer_value(json_object_get(lat, "p50")) <=
			    json_integer_value(json_object_get(lat, "p99")));
		assert_true(json_integer_value(json_object_get(lat, "p99")) <=
			    json_integer_value(json_object_get(lat, "max")));
		job_ops += ops;
	}
	cpus = json_object_get(j, "cpus");
	assert_int_equal(json_array_size(cpus), 4);
	json_array_foreach(cpus, k, c) {
		assert_int_equal(strlen(json_string_value(member(c, "op_log_hash"))), 16);
		cpu_ops += get_int(c, "ops");
	}
	/* every operation is some job's */
	assert_int_equal(job_ops, cpu_ops);
	assert_int_equal(json_array_size(json_object_get(j, "mempools")), 8);
	member(j, "slab");
	json_decref(j);
}

/*
 * Periodic checks are due at start + k * --check-every, whatever the last
 * one took: with checks every millisecond, each far longer than that, the
 * harness that scheduled the next check from the end of the last one did
 * a few dozen in a second and said nothing of the rest.  Now the 999 due
 * in 1 s (the one at 1 s is the final check) are each done or skipped.
 */
static void test_checks_scheduled_from_start(void **state)
{
	const char *json_path;
	struct result r;
	json_t *j;
	(void)state;

	json_path = tmp_json();
	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=128M", "--jobs", "page-churn,slab-churn",
			 "--duration", "1", "--check-every", "0.001", "--quiet", "--seed", "5",
			 "--json", json_path, NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "every 0.001 s from the start: 999 due, ");
	result_free(&r);
	j = load_json(json_path);
	assert_checks_add_up(j, 999);
	json_decref(j);

	/* --check-every 0: the final check only */
	json_path = tmp_json();
	r = run_mmstress("run", "--boot", "nodes=1 cpus=2 mem=64M", "--jobs", "page-churn",
			 "--duration", "0.5", "--check-every", "0", "--quiet", "--json", json_path,
			 NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "checks: 1 passed, 0 failed (the final one; --check-every 0");
	result_free(&r);
	j = load_json(json_path);
	assert_checks_add_up(j, 0);
	assert_int_equal(get_int(member(j, "checks"), "periodic"), 0);
	json_decref(j);
}

/*
 * The per-CPU operation sequence of --ops is a function of the seed: the
 * op-log hashes, and so how many operations each job did.  What the jobs
 * did is checked here, where it does not depend on the machine's speed.
 */
/* room for every job of the table (stress/engine.h: MAX_JOBS) */
#define MAX_JOBS_TESTED 24

struct ops_run {
	char hash[4][20];
	json_int_t job_ops[MAX_JOBS_TESTED];
};

/* --ops 2000 on 4 CPUs of the jobs given (NULL: all of them, njobs). */
static json_t *ops_run(const char *jobs_list, const char *boot, const char *seed, size_t njobs,
		       struct ops_run *o)
{
	const char *json_path, *name;
	json_int_t total = 0;
	struct result r;
	json_t *j, *cpus, *job;
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	json_path = tmp_json();
	if (jobs_list)
		r = run_mmstress("run", "--boot", boot, "--jobs", jobs_list, "--ops", "2000",
				 "--seed", seed, "--quiet", "--json", json_path, NULL);
	else
		r = run_mmstress("run", "--boot", boot, "--ops", "2000", "--seed", seed, "--quiet",
				 "--json", json_path, NULL);
	assert_clean_exit(&r, 0);
	result_free(&r);
	j = load_json(json_path);
	cpus = json_object_get(j, "cpus");
	assert_int_equal(json_array_size(cpus), 4);
	for (size_t k = 0; k < 4; k++) {
		json_t *c = json_array_get(cpus, k);

		assert_int_equal(json_integer_value(json_object_get(c, "ops")), 2000);
		snprintf(o->hash[k], 20, "%s", json_string_value(json_object_get(c, "op_log_hash")));
	}
	assert_int_equal(json_object_size(json_object_get(j, "jobs")), njobs);
	json_object_foreach(json_object_get(j, "jobs"), name, job) {
		assert_true(n < MAX_JOBS_TESTED);
		o->job_ops[n] = get_int(job, "ops");
		if (o->job_ops[n] <= 0)
			fail_msg("job %s did no operation in 4 x 2000", name);
		total += o->job_ops[n++];
	}
	assert_int_equal(total, 4 * 2000);
	assert_true(get_int(member(j, "vmstat"), "pgfree") > 0);
	return j;
}

/* Two runs of one seed replay each other, a third with another does not;
 * the first one's report. */
static json_t *assert_replays(const char *jobs_list, const char *boot, size_t njobs)
{
	struct ops_run a, b, c;
	json_t *j = ops_run(jobs_list, boot, "1234", njobs, &a);

	json_decref(ops_run(jobs_list, boot, "1234", njobs, &b));
	json_decref(ops_run(jobs_list, boot, "1235", njobs, &c));
	for (int k = 0; k < 4; k++) {
		assert_string_equal(a.hash[k], b.hash[k]);
		assert_string_not_equal(a.hash[k], c.hash[k]);
		if (k)
			assert_string_not_equal(a.hash[k], a.hash[0]);
	}
	assert_memory_equal(a.job_ops, b.job_ops, sizeof(a.job_ops));
	return j;
}

static void test_ops_replay(void **state)
{
	json_t *j;
	(void)state;

	j = assert_replays(NULL, "nodes=2 cpus=4 mem=128M", NR_JOBS);
	assert_true(get_int(member(j, "slab"), "caches_created") > 0);
	json_decref(j);
}

/*
 * The engine draws and logs every operation's words, whatever its job, so
 * --ops replays each family alone as it replays them all: the page jobs,
 * the slab jobs and the mempool jobs (whose backing allocators draw their
 * failures from the operation's words, not from a stream of their own,
 * with the pressure following jiffies 50 times faster), each twice.
 */
static void test_ops_replay_per_family(void **state)
{
	(void)state;

	json_decref(assert_replays("page-churn,pcp-pingpong,fragment,atomic,drain,sysctl,page-ref",
				   "nodes=2 cpus=4 mem=128M", 7));
	json_decref(assert_replays("slab-churn,kmalloc-mix,slab-shrink,rcu-free",
				   "nodes=2 cpus=4 mem=128M", 4));
	json_decref(assert_replays("mempool-starve,mempool-resize",
				   "nodes=2 cpus=4 mem=128M hz_scale=50", 2));
}

/*
 * The self-checks inject their fault at a CPU's n-th operation: with --ops
 * every CPU gets there, however slow the machine (with --duration 1, a CPU
 * had to do 50 operations in that second).
 */
static void test_finds_corruption(void **state)
{
	const char *json_path;
	struct result r;
	json_t *j, *v;
	(void)state;

	json_path = tmp_json();
	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=128M", "--ops", "300",
			 "--quiet", "--seed", "9", "--test-inject", "corrupt-byte",
			 "--json", json_path, NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.out, "mmstress FAIL");
	assert_contains(r.out, "DATA CORRUPTION on CPU 0");
	assert_contains(r.out, "expected ");
	assert_contains(r.out, ", found ");
	assert_contains(r.out, "pfn 0x");
	assert_contains(r.out, "replay: ");
	assert_contains(r.out, "--seed 9");
	result_free(&r);
	j = load_json(json_path);
	assert_string_equal(json_string_value(json_object_get(j, "result")), "fail");
	v = json_array_get(json_object_get(j, "violations"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "kind")), "data-corruption");
	json_decref(j);
}

/* --fail-fast: the run ends at the first violation, long before its
 * duration, and each violation says when it was found (t_s). */
static void test_fail_fast(void **state)
{
	const char *json_path;
	struct result r;
	json_t *j, *v;
	double elapsed, t;
	(void)state;

	json_path = tmp_json();
	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=128M", "--duration", "60",
			 "--quiet", "--seed", "9", "--test-inject", "corrupt-byte", "--fail-fast",
			 "--json", json_path, NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.out, "DATA CORRUPTION on CPU 0");
	result_free(&r);
	j = load_json(json_path);
	elapsed = json_real_value(json_object_get(j, "elapsed_s"));
	assert_true(elapsed < 60);
	v = json_array_get(json_object_get(j, "violations"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "kind")), "data-corruption");
	assert_true(json_is_real(json_object_get(v, "t_s")));
	t = json_real_value(json_object_get(v, "t_s"));
	assert_true(t >= 0 && t <= elapsed);
	json_decref(j);
}

static void test_finds_leak(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=128M", "--ops", "300",
			 "--quiet", "--test-inject", "leak-page", NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.out, "[leak] conservation: 1 page still allocated");
	assert_contains(r.out, "replay: ");
	result_free(&r);
}

/*
 * A spinlock taken in set-up and never released, then taken again (on the
 * main thread, before the CPUs start and before the monitor runs): the
 * lockup detector names the lock, its holder and where it was taken, and
 * the run ends with the replay line, instead of hanging.
 */
static void test_finds_lost_unlock(void **state)
{
	const char *json_path;
	struct result r;
	json_t *j, *v;
	int lockups;
	(void)state;

	json_path = tmp_json();
	r = run_mmstress("run", "--boot", "nodes=1 cpus=2 mem=64M", "--jobs", "page-churn",
			 "--duration", "5", "--quiet", "--test-inject", "lost-unlock",
			 "--json", json_path, NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.err, "BUG: spinlock recursion on CPU#0");
	assert_contains(r.err, "BUG: spinlock lockup suspected on CPU#0");
	assert_contains(r.err, " lock: inject_lock, .owner: ");
	assert_contains(r.err, ".owner took it at inject_lost_unlock+0x");
	assert_contains(r.out, "mmstress: a lockup was reported: the run ends here");
	assert_contains(r.out, "the CPUs had not started the jobs yet");
	assert_contains(r.out, "[lockup] cpu 0: BUG: spinlock lockup suspected on CPU#0");
	assert_contains(r.out, "replay: ");
	assert_contains(r.out, "--test-inject lost-unlock");
	result_free(&r);
	j = load_json(json_path);
	assert_string_equal(json_string_value(member(j, "result")), "fail");
	assert_string_equal(json_string_value(member(j, "ended")), "a lockup was reported");
	/* lockups (recursion, then the lockup), after lockdep's "possible
	 * recursive locking" where lockdep is on (the sanitizer builds) */
	v = member(j, "violations");
	lockups = 0;
	for (size_t i = 0; i < json_array_size(v); i++) {
		const char *kind = json_string_value(member(json_array_get(v, i), "kind"));

		if (strcmp(kind, "lockdep"))
			assert_string_equal(kind, "lockup");
		lockups += !strcmp(kind, "lockup");
	}
	assert_int_equal(lockups, 2);
	member(j, "replay");
	json_decref(j);
}

/*
 * Set-up blocked in the host for good (no spinning, no wait of the
 * machine: no lockup detector sees it): the sentinel ends the run at set-up's
 * bound, 5 s + 2 * --watchdog, with the replay line.
 */
static void test_setup_hang_is_bounded(void **state)
{
	const char *json_path;
	struct result r;
	json_t *j, *v;
	(void)state;

	json_path = tmp_json();
	r = run_mmstress("run", "--boot", "nodes=1 cpus=2 mem=64M", "--jobs", "page-churn",
			 "--duration", "5", "--watchdog", "1", "--quiet", "--test-inject",
			 "setup-hang", "--json", json_path, NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.out, "mmstress: the set-up of the run has lasted more than 7 s: "
			       "the run ends here");
	assert_contains(r.out, "the CPUs had not started the jobs yet");
	assert_contains(r.out, "[hang] the set-up of the run has lasted more than 7 s");
	assert_contains(r.out, "--test-inject setup-hang");
	result_free(&r);
	j = load_json(json_path);
	assert_string_equal(json_string_value(member(j, "result")), "fail");
	v = json_array_get(member(j, "violations"), 0);
	assert_non_null(v);
	assert_string_equal(json_string_value(member(v, "kind")), "hang");
	json_decref(j);
}

/*
 * A CPU stuck with interrupts off at its 20th operation: the watchdog names
 * it, the run ends (an --ops run once only stuck CPUs are left), and its
 * last attempt to stop the machine names the CPU it cannot reach.  With
 * --duration 1 the CPU had to reach its 20th operation before the end and
 * a periodic check had to come after that; now each step waits for the
 * one before.  page-churn never sleeps: no other CPU looks stuck.
 */
static void test_finds_hang(void **state)
{
	const char *json_path;
	struct result r;
	json_t *j, *c;
	(void)state;

	json_path = tmp_json();
	r = run_mmstress("run", "--boot", "nodes=1 cpus=2 mem=64M", "--jobs", "page-churn",
			 "--ops", "2000", "--watchdog", "2", "--check-every", "0.5", "--quiet",
			 "--test-inject", "hang-cpu", "--json", json_path, NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.out, "watchdog: BUG: soft lockup - CPU#1 stuck for");
	assert_contains(r.out, "last: page-churn operation 20 (args ");
	assert_contains(r.out, "stop_machine: CPU#1 did not reach a safe point");
	assert_contains(r.out, "the run could not stop 9 s after its end");	/* 5 + 2 * watchdog */
	assert_contains(r.out, "replay: ");
	result_free(&r);
	j = load_json(json_path);
	c = member(j, "checks");
	/* the last attempt counts as the final check, and failed */
	assert_true(json_is_true(member(c, "final")));
	assert_int_equal(get_int(c, "passed") + get_int(c, "failed"), get_int(c, "periodic") + 1);
	assert_true(get_int(c, "failed") >= 1);
	json_decref(j);
}

static json_int_t slab_counter(json_t *j, const char *name)
{
	json_t *v = json_object_get(json_object_get(j, "slab"), name);

	if (!v)
		fail_msg("JSON report lacks slab.%s", name);
	return json_integer_value(v);
}

/*
 * Each slab job alone on two nodes: it passes and does what it says.  With
 * --ops what the jobs draw (caches, sends, remote allocations, shrinks,
 * krealloc, RCU replacements) is the seed's, not the machine's; only the
 * reap follows the clock, and a slower machine gives it more time.
 */
static void test_slab_jobs(void **state)
{
	static const char *const names[] = { "slab-churn", "kmalloc-mix", "slab-shrink", "rcu-free" };
	/* slab-shrink: jiffies 1000 times faster, so that the 2 s periodic
	 * reap runs often within the run and finds its idle cache */
	static const char *const boots[] = { "nodes=2 cpus=8 mem=256M", "nodes=2 cpus=8 mem=256M",
					     "nodes=2 cpus=8 mem=256M hz_scale=1000",
					     "nodes=2 cpus=8 mem=256M" };
	(void)state;

	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		const char *json_path;
		struct result r;
		json_t *j, *job;

		json_path = tmp_json();
		r = run_mmstress("run", "--boot", boots[n], "--jobs", names[n],
				 "--ops", "2000", "--check-every", "0.5", "--quiet", "--seed", "7",
				 "--json", json_path, NULL);
		assert_clean_exit(&r, 0);
		assert_contains(r.out, "mmstress PASS");
		assert_contains(r.out, "slab: caches created");
		result_free(&r);
		j = load_json(json_path);
		job = json_object_get(json_object_get(j, "jobs"), names[n]);
		if (json_integer_value(json_object_get(job, "ops")) <= 0)
			fail_msg("job %s did no operation", names[n]);
		/* every cache made was destroyed: the run passed its leak check */
		assert_int_equal(slab_counter(j, "caches_created"), slab_counter(j, "caches_destroyed"));
		switch (n) {
		case 0:
			assert_true(slab_counter(j, "caches_created") > 8);
			assert_true(slab_counter(j, "objects_sent_cross_node") > 0);
			assert_true(slab_counter(j, "alloc_node_remote") > 0);
			break;
		case 1:
			assert_true(slab_counter(j, "krealloc") > 0);
			assert_true(slab_counter(j, "objects_sent_cross_node") > 0);
			break;
		case 2:
			assert_true(slab_counter(j, "shrinks") > 0);
			assert_true(slab_counter(j, "slabs_reaped") > 0);
			break;
		default:
			assert_true(slab_counter(j, "rcu_validated") > 0);
			assert_true(slab_counter(j, "rcu_replaced") > 0);
			assert_true(slab_counter(j, "kfree_rcu") + slab_counter(j, "call_rcu") > 0);
			break;
		}
		json_decref(j);
	}
}

/* The slab jobs together under slab_debug (poison, red zones, owners). */
static void test_slab_jobs_debug(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=2 cpus=8 mem=256M slab_debug", "--duration", "2",
			 "--jobs", "slab-churn,kmalloc-mix,slab-shrink,rcu-free", "--check-every", "0.5",
			 "--quiet", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "mmstress PASS");
	result_free(&r);
}

/*
 * Every slab, kmalloc and mempool job under SLUB and SLOB too (slab=), and
 * under SLUB with slub_debug: a fixed number of operations, so the same
 * work whatever the machine's load; nothing may be found.
 */
static void test_slab_jobs_per_allocator(void **state)
{
	static const char *const boots[] = {
		"nodes=2 cpus=4 mem=128M slab=slub",
		"nodes=2 cpus=4 mem=128M slab=slob",
		"nodes=2 cpus=4 mem=128M slab=slub slub_debug",
	};
	size_t ran = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(boots) / sizeof(boots[0]); i++) {
		struct result t = run_mmstress("topo", "--boot", boots[i], NULL), r;

		/* an allocator this tree does not have yet is passed over */
		if (t.status && strstr(t.err, "not built in")) {
			print_message("[ SKIP     ] --boot \"%s\": not built in\n", boots[i]);
			result_free(&t);
			continue;
		}
		assert_clean_exit(&t, 0);
		result_free(&t);
		ran++;
		r = run_mmstress("run", "--boot", boots[i], "--ops", "1500", "--jobs",
				 "slab-churn,kmalloc-mix,slab-shrink,rcu-free,mempool-starve,"
				 "mempool-resize", "--check-every", "0.5", "--seed", "17",
				 "--quiet", NULL);
		if (r.status != 0)
			fprintf(stderr, "--boot \"%s\":\n", boots[i]);
		assert_clean_exit(&r, 0);
		assert_contains(r.out, "mmstress PASS");
		result_free(&r);
	}
	if (!ran)
		skip();
}

/* A damaged byte of a held slab object is found, with its identity. */
static void test_finds_object_corruption(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=128M", "--ops", "300",
			 "--jobs", "kmalloc-mix,slab-churn", "--quiet", "--seed", "11",
			 "--test-inject", "corrupt-object", NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.out, "mmstress FAIL");
	assert_contains(r.out, "DATA CORRUPTION on CPU 0");
	assert_contains(r.out, "CPU 0's object");
	assert_contains(r.out, "--test-inject corrupt-object");
	result_free(&r);
}

static json_int_t mempool_counter(json_t *j, const char *name)
{
	json_t *v = json_object_get(json_object_get(j, "mempool"), name);

	if (!v)
		fail_msg("JSON report lacks mempool.%s", name);
	return json_integer_value(v);
}

/* The sum of a field over the pools of a job (and every pool's checks). */
static json_int_t pools_sum(json_t *j, const char *job, const char *field)
{
	json_t *pools = json_object_get(j, "mempools"), *p;
	json_int_t sum = 0;
	size_t i;

	if (!json_array_size(pools))
		fail_msg("JSON report lacks mempools");
	json_array_foreach(pools, i, p) {
		json_t *v = json_object_get(p, field);

		if (!v)
			fail_msg("mempools[%zu] lacks %s", i, field);
		/* torn down with nothing out, and every NULL counted */
		assert_int_equal(json_integer_value(json_object_get(p, "outstanding")), 0);
		assert_int_equal(json_integer_value(json_object_get(p, "alloc_failed")),
				 json_integer_value(json_object_get(p, "user_nulls")));
		if (!strcmp(json_string_value(json_object_get(p, "job")), job))
			sum += json_integer_value(v);
	}
	return sum;
}

/* One mempool job alone on two nodes: it passes, its pools add up. */
static json_t *mempool_run(const char *name, const char *boot, const char *opt, const char *val)
{
	const char *json_path = tmp_json();
	struct result r;
	json_t *j;

	r = run_mmstress("run", "--boot", boot, "--jobs", name, opt, val, "--check-every", "0.5",
			 "--quiet", "--seed", "7", "--json", json_path, NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "mmstress PASS");
	assert_contains(r.out, "mempool: pressure changes");
	assert_contains(r.out, strcmp(name, "mempool-starve") ? "resize-custom" : "starve-custom");
	result_free(&r);
	j = load_json(json_path);
	assert_int_equal(json_array_size(json_object_get(j, "mempools")), 4);
	pools_sum(j, name, "alloc_pool");	/* every pool's own checks */
	return j;
}

/*
 * Each mempool job alone: it passes and does what it says.  What the job
 * draws (sleeping and atomic allocations, elements sent or put in flight,
 * resizes) is checked in an --ops run, where the seed decides it.  What
 * follows jiffies (the pressure, hence the failures, the reserve running
 * dry, sleepers woken or timed out) is checked in a 2 s run at
 * hz_scale=50: 25000 jiffies, 50 phases of pressure a third of them at
 * 100%, whatever the machine's load.
 */
static void test_mempool_jobs(void **state)
{
	static const char *const names[] = { "mempool-starve", "mempool-resize" };
	static const char boot[] = "nodes=2 cpus=8 mem=256M hz_scale=50";
	(void)state;

	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		json_t *j = mempool_run(names[n], boot, "--ops", "2000");

		assert_true(mempool_counter(j, "sleeping_allocs") > 0);
		assert_true(mempool_counter(j, "invariant_checks") > 0);
		if (n == 0) {
			assert_true(mempool_counter(j, "sent") > 0);
			assert_true(mempool_counter(j, "in_flight_completed") > 0);
			assert_true(mempool_counter(j, "atomic_context_allocs") > 0);
		} else {
			assert_true(mempool_counter(j, "resize_up") > 0);
			assert_true(mempool_counter(j, "resize_down") > 0);
		}
		json_decref(j);

		j = mempool_run(names[n], boot, "--duration", "2");
		assert_true(mempool_counter(j, "pressure_changes") > 0);
		assert_true(mempool_counter(j, "backing_failures_injected") > 0);
		assert_true(pools_sum(j, names[n], "alloc_pool") > 0);
		if (n == 0) {
			/* the reserve ran dry: callers slept, frees woke them, and
			 * with 5*HZ = 0.1 s some waits timed out */
			assert_true(pools_sum(j, names[n], "waits") > 0);
			assert_true(pools_sum(j, names[n], "wakeups") > 0);
			assert_true(pools_sum(j, names[n], "timeouts") > 0);
			assert_true(pools_sum(j, names[n], "alloc_failed") > 0);
		}
		json_decref(j);
	}
}

/* Both mempool jobs under slab_debug: the reserve of the kmalloc, slab and
 * page pools is poisoned and checked by mempool itself. */
static void test_mempool_jobs_debug(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=2 cpus=8 mem=256M hz_scale=50 slab_debug",
			 "--duration", "2", "--jobs", "mempool-starve,mempool-resize",
			 "--check-every", "0.5", "--quiet", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "mmstress PASS");
	result_free(&r);
}

/*
 * Without --jobs a run has every job, with its weight, and they pass
 * together (a few operations each: the all-jobs race hunt on 16 CPUs is
 * tests/stress/stress_mmstress.c).
 */
static void test_default_jobs(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=256M hz_scale=20", "--ops", "300",
			 "--seed", "5", "--quiet", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "mmstress PASS");
	assert_contains(r.out, "\njobs: page-churn:10,pcp-pingpong:5,fragment:2,atomic:3,drain:1,"
			"sysctl:1,page-ref:1,slab-churn:6,kmalloc-mix:6,slab-shrink:2,rcu-free:3,"
			"mempool-starve:3,mempool-resize:2,vmalloc-churn:2,kmap:3,highmem-user:3,"
			"noio-nofs:2,anon:2,pagecache:3,dcache:2,leak:2\n");
	assert_contains(r.out, "slab: caches created");
	assert_contains(r.out, "mempool: pressure changes");
	assert_contains(r.out, "highmem: kmaps");
	assert_contains(r.out, "leak: ");
	assert_contains(r.out, "deliberate leaks 0");	/* no --kmemleak: none */
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CLI_TEST(test_help_list_topo),
		CLI_TEST(test_bad_input),
		CLI_TEST(test_unknown_job_message),
		CLI_TEST(test_singular_counts),
		CLI_TEST(test_short_run_json),
		CLI_TEST(test_checks_scheduled_from_start),
		CLI_TEST(test_ops_replay),
		CLI_TEST(test_ops_replay_per_family),
		CLI_TEST(test_finds_corruption),
		CLI_TEST(test_fail_fast),
		CLI_TEST(test_finds_leak),
		CLI_TEST(test_finds_hang),
		CLI_TEST(test_finds_lost_unlock),
		CLI_TEST(test_setup_hang_is_bounded),
		CLI_TEST(test_slab_jobs),
		CLI_TEST(test_slab_jobs_debug),
		CLI_TEST(test_slab_jobs_per_allocator),
		CLI_TEST(test_finds_object_corruption),
		CLI_TEST(test_mempool_jobs),
		CLI_TEST(test_mempool_jobs_debug),
		CLI_TEST(test_default_jobs),
	};

	if (find_mmstress()) {
		fprintf(stderr, "test_cli: no mmstress at %s\n", mmstress_path);
		return 1;
	}
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
