// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_replay.c - `mmstress replay DIR` as a user of the soak
 * drives it: a failure's folder (ci/soak's) runs again with the recorded
 * build and arguments, and a bad folder or a build not made is a clear
 * message and exit 2.
 */
#include "../cliutil.h"
#include <libgen.h>

/* Write text into dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * mmstress replay DIR: a folder as ci/soak leaves it (command: the argv one
 * a line; build: the build and its binary) runs the same binary with the
 * same arguments, its JSON into DIR/replay.json, and exits as the run does;
 * a bad folder or a build not made is a clear message and exit 2.
 */
static void test_replay(void **state)
{
	char dir[] = "/tmp/mmstress-test-replay-XXXXXX", self[PATH_MAX], build[PATH_MAX + 32];
	char json[PATH_MAX], path[PATH_MAX], *bdir;
	const char *name;
	struct result r;
	json_t *j, *v;
	(void)state;

	assert_non_null(mkdtemp(dir));
	/* the build under test: BUILD/mmstress of this checkout */
	assert_non_null(realpath(mmstress_path, self));
	bdir = basename(dirname(self));
	name = !strcmp(bdir, "build-tsan") ? "tsan" : !strcmp(bdir, "build-asan") ? "asan" : "release";
	snprintf(build, sizeof(build), "%s\n%s/mmstress\n", name, bdir);
	write_file(dir, "build", build);
	write_file(dir, "command", "build/mmstress\nrun\n--quiet\n--boot\nnodes=2 cpus=4 mem=128M\n"
		   "--ops\n300\n--seed\n9\n--test-inject\ncorrupt-byte\n--json\n/nonexistent/report.json\n");

	r = run_mmstress("replay", "--print", dir, NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, " run --quiet --boot 'nodes=2 cpus=4 mem=128M' --ops 300 --seed 9 "
			"--test-inject corrupt-byte --json ");
	assert_contains(r.out, "/replay.json\n");
	assert_null(strstr(r.out, "nonexistent"));
	result_free(&r);

	r = run_mmstress("replay", dir, NULL);
	assert_clean_exit(&r, 1);
	assert_contains(r.err, "mmstress replay: ");
	assert_contains(r.out, "DATA CORRUPTION on CPU 0");
	result_free(&r);
	snprintf(json, sizeof(json), "%s/replay.json", dir);
	j = load_json(json);
	v = json_array_get(json_object_get(j, "violations"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "kind")), "data-corruption");
	json_decref(j);

	/* a build that is not made: what to make */
	write_file(dir, "build", "asan\nbuild-not-made/mmstress\n");
	r = run_mmstress("replay", dir, NULL);
	assert_clean_exit(&r, 2);
	assert_contains(r.err, "build-not-made/mmstress is not in ");
	assert_contains(r.err, ": build it first: make SAN=address\n");
	result_free(&r);

	/* not a soak folder */
	write_file(dir, "build", "debug\nbuild/mmstress\n");
	r = run_mmstress("replay", dir, NULL);
	assert_clean_exit(&r, 2);
	assert_contains(r.err, "/build: expected the build (release, tsan or asan)");
	result_free(&r);
	r = run_mmstress("replay", "/nonexistent/soak-dir", NULL);
	assert_clean_exit(&r, 2);
	assert_contains(r.err, "mmstress replay: /nonexistent/soak-dir: No such file or directory");
	result_free(&r);
	r = run_mmstress("replay", NULL);
	assert_clean_exit(&r, 2);
	result_free(&r);

	for (const char *const *f = (const char *const[]){ "build", "command", "replay.json", NULL };
	     *f; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CLI_TEST(test_replay),
	};

	if (find_mmstress()) {
		fprintf(stderr, "test_replay: no mmstress at %s\n", mmstress_path);
		return 1;
	}
	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
