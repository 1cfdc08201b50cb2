// SPDX-License-Identifier: MIT
/*
 * tests/stress/stress_mmstress.c - mmstress with every job at once on a
 * machine eight times the host, for a few seconds: it passes (no report,
 * no leak, no soft lockup), and in the TSan build no race is reported.
 * The nightly soak (ci/soak) runs longer ones on more machines.
 */
#include "../testutil.h"

/* All jobs at once on a machine eight times the host: no report, no race. */
static void test_all_jobs_16_cpus(void **state)
{
	struct result r;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=4 cpus=16 mem=256M hz_scale=20", "--duration", "3",
			 "--check-every", "1", "--quiet", NULL);
	assert_clean_exit(&r, 0);
	assert_contains(r.out, "mmstress PASS");
	/* the default job list is every job, the slab and mempool ones included */
	assert_contains(r.out, "slab-churn:6");
	assert_contains(r.out, "kmalloc-mix:6");
	assert_contains(r.out, "slab-shrink:2");
	assert_contains(r.out, "rcu-free:3");
	assert_contains(r.out, "mempool-starve:3");
	assert_contains(r.out, "mempool-resize:2");
	assert_contains(r.out, "mempool: pressure changes");
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_jobs_16_cpus),
	};

	if (find_mmstress()) {
		fprintf(stderr, "stress_mmstress: no mmstress at %s\n", mmstress_path);
		return 1;
	}
	return cmocka_run_group_tests_name("stress_mmstress", tests, NULL, NULL);
}
