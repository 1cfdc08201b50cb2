// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_fail_cli.c - fault injection as a user drives it:
 * `mmstress run --fail SPEC` (bad specs refused; a run with every CPU's
 * fail-nth armed passes and counts its injected failures apart from real
 * ones, in the report, the JSON and the replay line; a leak after an
 * injected failure, made by test-only code, is found and named), and
 * `mmstress walk` (every fault site of its scenario failed in turn, each
 * handled: nothing left behind, mm_check() clean).
 */
#include "../cliutil.h"

static void test_bad_specs(void **state)
{
	static const char *const bad[] = {
		"", "page:101", "page:x", "nth", "nth:0", "slab:-1", "disk:5", "page,,slab",
		"fail_page_alloc/probability", "=5", "proc/x=1",
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct result r = run_mmstress("run", "--ops", "1", "--fail", bad[i], NULL);

		if (r.status != 2 || !strstr(r.err, "--fail"))
			fail_msg("--fail '%s': exit %d, stderr:\n%s", bad[i], r.status, r.err);
		result_free(&r);
	}
	/* well-formed but refused by the debugfs file: bad usage too */
	{
		struct result r = run_mmstress("run", "--boot", "nodes=1 cpus=1 mem=32M", "--ops", "1",
					       "--quiet", "--fail", "fail_page_alloc/verbose=7", NULL);

		assert_int_equal(r.status, 2);
		assert_contains(r.err, "mmstress: --fail: cannot write 7 to fail_page_alloc/verbose");
		result_free(&r);
	}
}

/* Every CPU fails every 7th fault site it reaches: a run of every job
 * handles each failure (no violation), and counts them as injected. */
static void test_nth_run(void **state)
{
	const char *json_path = tmp_json();
	json_int_t injected = 0;
	struct result r;
	json_t *j, *fi, *jobs, *job;
	const char *name;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=2 cpus=4 mem=128M", "--ops", "400", "--quiet",
			 "--fail", "nth:7", "--json", json_path, NULL);
	if (r.status != 0)
		fail_msg("exit %d:\n%s\n%s", r.status, r.out, r.err);
	assert_contains(r.out, "fault injection (--fail nth:7; fail-nth re-armed)");
	assert_contains(r.out, "--fail nth:7");	/* the replay line */
	result_free(&r);
	j = load_json(json_path);
	fi = member(j, "fault_injection");
	assert_string_equal(json_string_value(member(fi, "spec")), "nth:7");
	jobs = member(j, "jobs");
	json_object_foreach(jobs, name, job)
		injected += json_integer_value(member(job, "injected"));
	/* the jobs saw some of them as NULLs (others were absorbed: a
	 * mempool's reserve, another node), the allocator counted them all */
	assert_true(injected > 0);
	assert_true(json_integer_value(member(fi, "fail_page_alloc_injected")) +
		    json_integer_value(member(fi, "failslab_injected")) >= injected);
	json_decref(j);
}

/* Test-only code keeps a page when its second allocation is failed by
 * fail-nth: the footprint check names the leak at once. */
static void test_finds_leak_after_injected_failure(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=1 cpus=2 mem=64M", "--ops", "100", "--quiet",
			 "--test-inject", "fail-leak", NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.out, "[leak] cpu 0: ");
	assert_contains(r.out, ": an allocation failed by fault injection kept 1 page and 0 slab objects more than it handed out");
	assert_contains(r.out, "--test-inject fail-leak");
	result_free(&r);
}

static void test_walk(void **state)
{
	const char *json_path = tmp_json();
	json_int_t sites, distinct, fired = 0, pages = 0, slab = 0;
	struct result r;
	json_t *j, *runs;
	(void)state;

	r = run_mmstress("walk", "--json", json_path, NULL);
	if (r.status != 0)
		fail_msg("exit %d:\n%s\n%s", r.status, r.out, r.err);
	assert_contains(r.out, "mmstress walk: ");
	assert_contains(r.out, "with a leak or a BUG");
	result_free(&r);
	j = load_json(json_path);
	assert_true(json_is_true(member(j, "completed")));
	assert_int_equal(json_integer_value(member(j, "failed")), 0);
	sites = json_integer_value(member(j, "sites"));
	distinct = json_integer_value(member(j, "distinct_sites"));
	runs = member(j, "runs");
	/* one run per site, then the one that completed */
	assert_int_equal(json_array_size(runs), sites + 1);
	for (size_t i = 0; i < json_array_size(runs); i++) {
		json_t *run = json_array_get(runs, i);
		const char *cap = json_string_value(member(run, "capability"));

		fired += json_is_true(member(run, "fired"));
		pages += !strcmp(cap, "fail_page_alloc");
		slab += !strcmp(cap, "failslab");
		assert_int_equal(json_integer_value(member(run, "pages_left")), 0);
		assert_int_equal(json_integer_value(member(run, "objects_left")), 0);
		assert_int_equal(json_integer_value(member(run, "check_violations")), 0);
	}
	assert_int_equal(fired, sites);
	/* the scenario's own calls alone are more than 20 sites, of both kinds */
	assert_true(sites >= 20);
	assert_true(distinct >= 10 && distinct <= sites);
	assert_true(pages > 0 && slab > 0);
	assert_int_equal(pages + slab, sites);
	json_decref(j);

	r = run_mmstress("walk", "--max", "0", NULL);
	assert_int_equal(r.status, 2);
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CLI_TEST(test_bad_specs),
		CLI_TEST(test_nth_run),
		CLI_TEST(test_finds_leak_after_injected_failure),
		CLI_TEST(test_walk),
	};

	if (find_mmstress()) {
		fprintf(stderr, "test_fail_cli: no mmstress at %s\n", mmstress_path);
		return 1;
	}
	return cmocka_run_group_tests_name("fail_cli", tests, NULL, NULL);
}
