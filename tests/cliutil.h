/* SPDX-License-Identifier: MIT */
/*
 * tests/cliutil.h - what the suites that run mmstress as a user share
 * (testutil.h's run_mmstress() does the running): temporary JSON report
 * paths removed after each test, and reading the reports.
 */
#ifndef TESTS_CLIUTIL_H
#define TESTS_CLIUTIL_H

#include "testutil.h"
#include <jansson.h>

/*
 * The JSON reports of the running test: tmp_json() makes one, the test's
 * teardown removes them all, whether the test passed or failed.
 */
#define MAX_TMP 12
static char tmp_paths[MAX_TMP][40];
static int nr_tmp;

static inline const char *tmp_json(void)
{
	char *path;
	int fd;

	assert_true(nr_tmp < MAX_TMP);
	path = tmp_paths[nr_tmp];
	snprintf(path, sizeof(tmp_paths[0]), "/tmp/mmstress-test-XXXXXX.json");
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	close(fd);
	nr_tmp++;
	return path;
}

static inline int remove_tmp(void **state)
{
	(void)state;
	while (nr_tmp)
		unlink(tmp_paths[--nr_tmp]);
	return 0;
}
#define CLI_TEST(fn) cmocka_unit_test_teardown(fn, remove_tmp)

static inline json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (!j)
		fail_msg("%s: %s", path, err.text);
	return j;
}

/* A member of a JSON object that must be there. */
static inline json_t *member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		fail_msg("JSON report lacks \"%s\"", key);
	return v;
}

#endif /* TESTS_CLIUTIL_H */
