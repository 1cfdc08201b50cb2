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

/* Up to n new elements of pool pi with gfp kind, filled: how many (all
 * the allocations are made, unless the first NULL stops them). */
static unsigned int mp_alloc_some(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi,
				  enum gfp_kind kind, struct mp_held *e, unsigned int n, int stop)
{
	unsigned int got = 0;

	for (unsigned int k = 0; k < n; k++) {
		e[got].el = mp_alloc(c, m, pi, kind, MP_CTX_PROCESS);
		if (!e[got].el) {
			if (stop)
				break;
			continue;
		}
		e[got].pool = (uint8_t)pi;
		e[got].tag = stress_tag(c);
		e[got].expiry = 0;
		mp_fill(&mp_pools[pi], e[got].el, e[got].tag);
		got++;
	}
	return got;
}

/* A burst of GFP_NOWAIT allocations: in flight, or freed at once. */
static void mp_burst(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, const uint64_t r[3])
{
	struct mp_held e[8];
	unsigned int got = mp_alloc_some(c, m, pi, GK_NOWAIT, e, 1 + (unsigned int)(r[2] % 8), 1);

	for (unsigned int k = 0; k < got; k++) {
		if (mp_timing.timeout_mode)
			mp_submit(c, m, &e[k], r[2] >> 8);
		else
			mp_free(c, m, pi, e[k].el, e[k].tag, MP_CTX_PROCESS, "before freeing it");
	}
}

/* In an interrupt: a few GFP_ATOMIC elements, freed there. */
static void mp_irq_burst(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, const uint64_t r[3])
{
	struct mp_held e[4];
	unsigned int got;

	irq_enter();
	got = mp_alloc_some(c, m, pi, GK_ATOMIC, e, 1 + (unsigned int)(r[2] % 4), 0);
	while (got--)
		mp_free(c, m, pi, e[got].el, e[got].tag, MP_CTX_PROCESS, "before freeing it");
	irq_exit();
}

/* Shares of 16: allocate, hand on, free, verify, check, burst, in an irq. */
static const struct mp_share starve_plan[] = {
	{ 7, mp_alloc_use }, { 2, mp_send_one }, { 3, mp_free_one }, { 1, mp_verify_one },
	{ 1, mp_check_pool }, { 1, mp_burst }, { 1, mp_irq_burst },
};

static int mempool_starve_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	return mp_op(c, state, MP_STARVE_FIRST, starve_plan, r);
}

const struct stress_job mempool_starve_job = {
	.name = "mempool-starve", .default_weight = 3, .family = &mempool_family, .op = mempool_starve_op,
	.what = "kmalloc/slab/page/custom pools whose backing fails under a rising and falling pressure: GFP_KERNEL sleeps until a free on another CPU (never NULL), GFP_ATOMIC/GFP_NOWAIT in atomic contexts, 5*HZ timeouts",
};
