// SPDX-License-Identifier: MIT
/*
 * stress/jobs/mempool_resize.c - mempool-resize: four more pools resized
 * up and down (1 to MP_RESIZE_MAX) against mempool_alloc() and
 * mempool_free() on every other CPU.  The kernel's callers serialize the
 * resizes of a pool; two of ours do (.serialize: min_nr must then be what
 * was asked), two let their resizes race each other (mm/mempool.c's shrink
 * path drops pool->lock around each free: a concurrent shrink and grow
 * once left min_nr above the array's room, which mempool_is_valid() and
 * slab_debug's red zones both caught).  After any resize 0 <= curr_nr <=
 * min_nr must hold, and mempool_resize() returns 0 or -ENOMEM.
 */
#include <errno.h>

#include "mempool.h"

#define MP_RESIZE_MAX	24

/* min_nr and curr_nr of a pool, under its lock. */
static void mp_nr(mempool_t *pool, int *min_nr, int *curr_nr)
{
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	*min_nr = pool->min_nr;
	if (curr_nr)
		*curr_nr = pool->curr_nr;
	spin_unlock_irqrestore(&pool->lock, flags);
}

static void mp_resize(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, const uint64_t r[3])
{
	struct mp_pool *mp = &mp_pools[pi];
	int new_min = 1 + (int)(r[2] % MP_RESIZE_MAX), excl = 0, old, ret, min_nr, curr_nr;

	if (mp->serialize) {
		int idle = 0;

		/* Acquire: after the previous resize of this pool (release). */
		if (!__atomic_compare_exchange_n(&mp->resizing, &idle, 1, 0, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			return;
		excl = 1;
	}
	mp_nr(mp->pool, &old, NULL);
	mp_call_begin(m, MPC_RESIZE, pi, GFP_KERNEL);
	fail_mark(c);
	ret = mempool_resize(mp->pool, new_min);
	mp_call_end(m);
	mp_nr(mp->pool, &min_nr, &curr_nr);
	if (excl)
		/* Release: this resize before the next one. */
		__atomic_store_n(&mp->resizing, 0, __ATOMIC_RELEASE);

	if (ret == -ENOMEM) {
		m->cnt[MP_RESIZE_ENOMEM]++;
		count_failure(c, GK_KERNEL, 0);
	} else if (ret) {
		cpu_violation(c, "mempool-resize", "mempool_resize(%s, %d) returned %d (0 or -ENOMEM expected)",
			      mp->name, new_min, ret);
	} else {
		m->cnt[new_min > old ? MP_RESIZE_UP : new_min < old ? MP_RESIZE_DOWN :
		       MP_RESIZE_SAME]++;
		if (excl && min_nr != new_min)
			cpu_violation(c, "mempool-resize",
				      "mempool_resize(%s, %d) from %d returned 0 and no other resize ran, "
				      "but min_nr is %d", mp->name, new_min, old, min_nr);
	}
	if (curr_nr < 0 || curr_nr > min_nr)
		cpu_violation(c, "mempool-invariant", "%s after mempool_resize(%d) from %d: curr_nr %d, min_nr %d",
			      mp->name, new_min, old, curr_nr, min_nr);
}

/* Shares of 16: resize, allocate, free, verify, check, hand on. */
static const struct mp_share resize_plan[] = {
	{ 3, mp_resize }, { 7, mp_alloc_use }, { 2, mp_free_one }, { 1, mp_verify_one },
	{ 2, mp_check_pool }, { 1, mp_send_one },
};

static int mempool_resize_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	return mp_op(c, state, MP_RESIZE_FIRST, resize_plan, r);
}

const struct stress_job mempool_resize_job = {
	.name = "mempool-resize", .default_weight = 2, .family = &mempool_family, .op = mempool_resize_op,
	.what = "mempool_resize() up and down racing with mempool_alloc()/mempool_free() on other CPUs; min_nr/curr_nr invariants, no element lost",
};
