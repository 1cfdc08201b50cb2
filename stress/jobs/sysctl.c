// SPDX-License-Identifier: MIT
/*
 * stress/jobs/sysctl.c - sysctl: vm.min_free_kbytes (half to twice its
 * boot value), vm.watermark_scale_factor and vm.percpu_pagelist_fraction
 * rewritten while everything runs; each must be accepted.  The boot values
 * are read before the run and written back at its end.
 *
 * Who touches what: boot_value[] is written by the setup (CPU 0, before
 * the CPUs start) and read-only after.
 */
#include <stdlib.h>

#include "../engine.h"

static const char *const sysctls[] = {
	"vm.min_free_kbytes", "vm.watermark_scale_factor", "vm.percpu_pagelist_fraction",
};
static unsigned long long boot_value[ARRAY_SIZE(sysctls)];

static int sysctl_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	static const unsigned int fractions[] = { 0, 8, 16, 64, 512, 4096, 0, 0 };
	unsigned int which = (unsigned int)(r[0] % 3);
	unsigned long long v;
	char val[32];

	(void)state;
	if (which == 0)	/* min_free_kbytes: from half to twice the boot value */
		v = boot_value[0] / 2 + (r[0] >> 8) % (boot_value[0] * 3 / 2 + 1);
	else if (which == 1)
		v = 1 + (r[0] >> 8) % 300;
	else
		v = fractions[(r[0] >> 8) % ARRAY_SIZE(fractions)];
	snprintf(val, sizeof(val), "%llu", v);
	if (mm_sysctl_write(sysctls[which], val)) {
		cpu_violation(c, "harness", "sysctl %s=%s refused", sysctls[which], val);
		return -1;
	}
	return 0;
}

static int sysctl_setup(struct run *run)
{
	char buf[32];

	(void)run;
	for (unsigned int i = 0; i < ARRAY_SIZE(sysctls); i++)
		boot_value[i] = mm_sysctl_read(sysctls[i], buf, sizeof(buf)) ? 0 :
				strtoull(buf, NULL, 10);
	return 0;
}

static void sysctl_teardown(struct run *run)
{
	char v[32];

	(void)run;
	for (unsigned int i = 0; i < ARRAY_SIZE(sysctls); i++) {
		snprintf(v, sizeof(v), "%llu", boot_value[i]);
		mm_sysctl_write(sysctls[i], v);
	}
}

const struct stress_job sysctl_job = {
	.name = "sysctl", .default_weight = 1, .op = sysctl_op,
	.setup = sysctl_setup, .teardown = sysctl_teardown,
	.what = "rewrite min_free_kbytes, watermark_scale_factor, percpu_pagelist_fraction",
};
