// SPDX-License-Identifier: MIT
/*
 * stress/jobs/mempool_starve.c - mempool-starve: four small pools shared
 * by every CPU (kmalloc, slab, page and custom) whose backing allocator
 * fails with a probability that follows the pressure going up and down
 * (to 100% for a while).  CPUs allocate with GFP_KERNEL/GFP_NOIO/GFP_NOFS
 * (never NULL) or GFP_ATOMIC/GFP_NOWAIT (NULL allowed), the latter also
 * with interrupts or preemption off and in an interrupt; they hold
 * elements a short while, hand some to another CPU, which frees them
 * (that is what wakes the sleepers), free some in an interrupt, put bursts
 * in flight, and check the pools under their lock.
 */
#include "mempool.h"

/* A burst of GFP_NOWAIT allocations: in flight, or freed at once. */
static void mp_burst(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, uint64_t r)
{
	struct mp_held e[8];
	unsigned int n = 1 + (unsigned int)(r % ARRAY_SIZE(e)), got = 0;

	for (unsigned int k = 0; k < n; k++) {
		e[got].el = mp_alloc(c, m, pi, GK_NOWAIT, MP_CTX_PROCESS);
		if (!e[got].el)
			break;
		e[got].pool = (uint8_t)pi;
		e[got].tag = stress_tag(c);
		e[got].expiry = 0;
		mp_fill(&mp_pools[pi], e[got].el, e[got].tag);
		got++;
	}
	for (unsigned int k = 0; k < got; k++) {
		if (mp_timing.timeout_mode)
			mp_submit(c, m, &e[k], r >> 8);
		else
			mp_free(c, m, pi, e[k].el, e[k].tag, MP_CTX_PROCESS, "before freeing it");
	}
}

/* In an interrupt: a few GFP_ATOMIC elements, freed there. */
static void mp_irq_burst(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, uint64_t r)
{
	struct mp_held e[4];
	unsigned int n = 1 + (unsigned int)(r % ARRAY_SIZE(e)), got = 0;

	irq_enter();
	for (unsigned int k = 0; k < n; k++) {
		e[got].el = mp_alloc(c, m, pi, GK_ATOMIC, MP_CTX_PROCESS);
		if (!e[got].el)
			continue;
		e[got].pool = (uint8_t)pi;
		e[got].tag = stress_tag(c);
		mp_fill(&mp_pools[pi], e[got].el, e[got].tag);
		got++;
	}
	while (got--)
		mp_free(c, m, pi, e[got].el, e[got].tag, MP_CTX_PROCESS, "before freeing it");
	irq_exit();
}

static int mempool_starve_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct mp_cpu *m = state;
	unsigned int action = r[0] % 16, pi = MP_STARVE_FIRST + (unsigned int)((r[0] >> 4) % MP_PER_JOB);

	if (!mp_pools[pi].pool)
		return -1;
	mp_op_start(c, m);
	if (action < 7)
		mp_alloc_use(c, m, pi, r[0], r[1]);
	else if (action < 9)
		mp_send_one(c, m, r[1]);
	else if (action < 12)
		mp_free_one(c, m, pi, r[1]);
	else if (action < 13)
		mp_verify_one(c, m, r[1]);
	else if (action < 14)
		mp_check_pool(c, m, pi);
	else if (action < 15)
		mp_burst(c, m, pi, r[2]);
	else
		mp_irq_burst(c, m, pi, r[2]);
	return 0;
}

static int mempool_starve_setup(struct run *run)
{
	return mp_setup(run, MP_STARVE_FIRST);
}

static void mempool_starve_teardown(struct run *run)
{
	mp_teardown(run, MP_STARVE_FIRST);
}

const struct stress_job mempool_starve_job = {
	.name = "mempool-starve",
	.what = "kmalloc/slab/page/custom pools whose backing fails under a rising and falling pressure: GFP_KERNEL sleeps until a free on another CPU (never NULL), GFP_ATOMIC/GFP_NOWAIT in atomic contexts, 5*HZ timeouts",
	.default_weight = 3,
	.family = &mempool_family,
	.op = mempool_starve_op,
	.setup = mempool_starve_setup,
	.teardown = mempool_starve_teardown,
};
