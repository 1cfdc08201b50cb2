// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_kmemleak_cli.c - `mmstress run --kmemleak` as a user
 * drives it: bad values refused; full runs of every job whose only
 * unreferenced objects are the leak job's deliberate leaks, which the scans
 * find (exit 0); the leak job without kmemleak drops nothing; an object
 * test-only code forgets is reported with its block and fails the run.
 * Nothing here depends on timing: what a run must show is derived from
 * what its JSON report says it did (how many drops were old enough when a
 * scan began, for one).  hz_scale=50 on the boot lines makes kmemleak's
 * 5 s minimum age pass in a tenth of a second.
 */
#include "../cliutil.h"

static void test_bad_values(void **state)
{
	static const char *const bad[] = {
		"--kmemleak=0", "--kmemleak=x", "--kmemleak=-1", "--kmemleak=1.5",
		"--kmemleak=3601", "--kmemleak=", "--kmemleak=2s",
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct result r = run_mmstress("run", "--ops", "1", bad[i], NULL);

		if (r.status != 2 || !strstr(r.err, "--kmemleak"))
			fail_msg("%s: exit %d, stderr:\n%s", bad[i], r.status, r.err);
		result_free(&r);
	}
	/* the boot line switches it off: no scan possible, bad usage */
	{
		struct result r = run_mmstress("run", "--boot", "nodes=1 cpus=1 mem=64M kmemleak=off",
					       "--ops", "1", "--quiet", "--kmemleak", NULL);

		assert_int_equal(r.status, 2);
		assert_contains(r.err, "--kmemleak: kmemleak is off");
		result_free(&r);
	}
}

/* Every job's name, from `mmstress list` ("all" of --jobs, oom included). */
static void every_job(char *buf, size_t len)
{
	struct result r = run_mmstress("list", NULL);
	char *line, *save = NULL;
	size_t o = 0;

	assert_int_equal(r.status, 0);
	buf[0] = '\0';
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];

		if (sscanf(line, "%31s", name) == 1)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "", name);
		assert_true(o < len);
	}
	result_free(&r);
}

static json_int_t jint(json_t *o, const char *key)
{
	return json_integer_value(member(o, key));
}

/*
 * A run of every job with --kmemleak=1 on machine box: exit 0, no
 * unexpected object, and the misses within what conservative scanning
 * allows (a stale word in another job's object may hide a drop: at most
 * 2, or one in 10 of the eligible drops); if any drop was old enough when
 * a scan began, the scans found drops.
 */
static void full_run(const char *box, const char *duration)
{
	const char *json_path = tmp_json();
	char jobs[1024], boot[256];
	json_t *j, *kl, *leak;
	struct result r;

	every_job(jobs, sizeof(jobs));
	snprintf(boot, sizeof(boot), "%s hz_scale=50", box);
	r = run_mmstress("run", "--boot", boot, "--jobs", jobs, "--duration", duration,
			 "--quiet", "--kmemleak=1", "--json", json_path, NULL);
	if (r.status != 0) {
		/* the report's kmemleak section (every unexpected block), then
		 * the violations: the whole report is too long for a message */
		const char *k = strstr(r.out, "\nkmemleak: "), *v = strstr(r.out, "\nviolations:");
		const char *end = k ? strstr(k, "\nallocation failures") : NULL;

		if (k && end)
			fprintf(stderr, "%.*s\n", (int)(end - k), k);
		fprintf(stderr, "%s\n%s", v ? v : r.out, r.err);
		fail_msg("exit %d (above: its kmemleak section and violations)", r.status);
	}
	assert_contains(r.out, "kmemleak: ");
	result_free(&r);
	j = load_json(json_path);
	assert_string_equal(json_string_value(member(j, "result")), "pass");
	assert_true(strstr(json_string_value(member(j, "boot")), "kmemleak=on") != NULL);
	kl = member(j, "kmemleak");
	leak = member(j, "leak");
	print_message("kmemleak: %lld scans, %lld deliberate leaks (%lld eligible), found %lld, "
		      "reported %lld, scan mean %lld ns\n", (long long)jint(kl, "scans"),
		      (long long)jint(kl, "deliberate_leaks"), (long long)jint(kl, "eligible"),
		      (long long)jint(kl, "found"), (long long)jint(kl, "reported"),
		      (long long)jint(member(kl, "scan_ns"), "mean"));
	assert_int_equal(jint(kl, "unexpected"), 0);
	assert_true(jint(kl, "missed") <= 2 || jint(kl, "missed") * 10 <= jint(kl, "eligible"));
	assert_int_equal(jint(kl, "scan_errors"), 0);
	assert_int_equal(json_array_size(member(kl, "unexpected_blocks")), 0);
	/* the job's count and the scan thread's agree */
	assert_int_equal(jint(kl, "deliberate_leaks"), jint(leak, "deliberate_leaks"));
	assert_true(jint(kl, "found") <= jint(kl, "deliberate_leaks"));
	assert_true(jint(kl, "eligible") <= jint(kl, "deliberate_leaks"));
	assert_true(jint(kl, "reported") >= jint(kl, "found"));
	if (jint(kl, "eligible"))
		assert_true(jint(kl, "found") > 0);
	/* whatever was dropped was freed at the end: no leak, no violation */
	assert_int_equal(json_array_size(member(j, "violations")), 0);
	json_decref(j);
}

static void test_full_run(void **state)
{
	(void)state;
	full_run("nodes=2 cpus=4 mem=256M", "8");
}

static void test_full_run_16_cpus(void **state)
{
	(void)state;
	full_run("nodes=2 cpus=16 mem=512M", "6");
}

/* Without --kmemleak the leak job allocates and frees, and drops nothing. */
static void test_leak_job_without_kmemleak(void **state)
{
	const char *json_path = tmp_json();
	struct result r;
	json_t *j, *leak;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=1 cpus=2 mem=64M", "--jobs", "leak", "--ops",
			 "3000", "--quiet", "--json", json_path, NULL);
	if (r.status != 0)
		fail_msg("exit %d:\n%s\n%s", r.status, r.out, r.err);
	assert_true(strstr(r.out, "kmemleak: ") == NULL);
	result_free(&r);
	j = load_json(json_path);
	leak = member(j, "leak");
	assert_true(jint(leak, "allocated") > 0);
	assert_int_equal(jint(leak, "allocated"), jint(leak, "freed"));
	assert_int_equal(jint(leak, "deliberate_leaks"), 0);
	assert_null(json_object_get(j, "kmemleak"));
	json_decref(j);
}

/*
 * Test-only code on CPU 0 kmallocs 200 bytes and forgets them: a scan
 * reports them ("kmemleak" violation with the object's block), and the
 * end of the run finds the slab still allocated.  The CPUs run until the
 * first violation (--fail-fast): the scans go on until one reports it.
 */
static void test_finds_lost_object(void **state)
{
	const char *json_path = tmp_json();
	json_t *j, *v, *kl, *blocks;
	struct result r;
	int kmemleak = 0;
	size_t i;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=1 cpus=2 mem=128M hz_scale=50", "--jobs",
			 "kmalloc-mix,leak", "--duration", "600", "--fail-fast", "--quiet",
			 "--kmemleak=1", "--test-inject", "lost-object", "--json", json_path, NULL);
	assert_int_equal(r.status, 1);
	assert_contains(r.out, "unreferenced object 0x");
	assert_contains(r.out, "(size 200):");
	assert_contains(r.out, "--kmemleak=1 --test-inject lost-object");	/* the replay line */
	result_free(&r);
	j = load_json(json_path);
	json_array_foreach(member(j, "violations"), i, v) {
		const char *msg = json_string_value(member(v, "message"));

		if (strcmp(json_string_value(member(v, "kind")), "kmemleak"))
			continue;
		kmemleak++;
		assert_true(strstr(msg, "unreferenced object 0x") != NULL);
		assert_true(strstr(msg, "(size 200)") != NULL);
	}
	assert_int_equal(kmemleak, 1);
	kl = member(j, "kmemleak");
	assert_int_equal(jint(kl, "unexpected"), 1);
	assert_int_equal(jint(kl, "missed"), 0);
	blocks = member(kl, "unexpected_blocks");
	assert_int_equal(json_array_size(blocks), 1);
	assert_true(strstr(json_string_value(json_array_get(blocks, 0)),
			   "5a 5a 5a 5a 5a 5a 5a 5a") != NULL);
	assert_true(strstr(json_string_value(json_array_get(blocks, 0)), "backtrace:") != NULL);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CLI_TEST(test_bad_values),
		CLI_TEST(test_leak_job_without_kmemleak),
		CLI_TEST(test_finds_lost_object),
		CLI_TEST(test_full_run),
		CLI_TEST(test_full_run_16_cpus),
	};

	if (find_mmstress()) {
		fprintf(stderr, "test_kmemleak_cli: no mmstress at %s\n", mmstress_path);
		return 1;
	}
	return cmocka_run_group_tests_name("kmemleak_cli", tests, NULL, NULL);
}
