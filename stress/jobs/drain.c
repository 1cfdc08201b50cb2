// SPDX-License-Identifier: MIT
/*
 * stress/jobs/drain.c - drain: drain_all_pages() of one zone or of all,
 * IPIs to every CPU while the others allocate and free.
 */
#include "../engine.h"

static int drain_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	unsigned int nzones = num_online_nodes() * MAX_NR_ZONES;
	unsigned int which = (unsigned int)(r[0] % (nzones + 1));
	struct zone *zone = NULL;

	(void)c;
	(void)state;
	if (which < nzones)
		zone = node_zone((int)(which / MAX_NR_ZONES), (enum zone_type)(which % MAX_NR_ZONES));
	drain_all_pages(zone);
	return 0;
}

const struct stress_job drain_job = {
	.name = "drain", .default_weight = 1, .op = drain_op,
	.what = "drain_all_pages() of one zone or all, IPIs to every CPU",
};
