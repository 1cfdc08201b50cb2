// SPDX-License-Identifier: MIT
/*
 * stress/jobs/atomic.c - atomic: bursts of 1 to 16 GFP_ATOMIC or
 * GFP_NOWAIT blocks (order 0, a quarter of them order 1 to 3) with
 * interrupts or preemption off, or in an interrupt, where sleeping is a
 * reported bug; half are freed there, half after.
 */
#include "pages.h"

#define BURST_MAX 16

/* An atomic context: interrupts off, preemption off, or an interrupt. */
static void atomic_enter(unsigned int how, unsigned long *flags)
{
	if (how == 0)
		local_irq_save(*flags);
	else if (how == 1)
		preempt_disable();
	else
		irq_enter();
}

static void atomic_exit(unsigned int how, unsigned long flags)
{
	if (how == 0)
		local_irq_restore(flags);
	else if (how == 1)
		preempt_enable();
	else
		irq_exit();
}

/* Verify and free the blocks from first on, every other one. */
static void burst_free(struct cpu_ctx *c, struct page **pages, unsigned int n, unsigned int first,
		       unsigned int order, uint64_t tag)
{
	for (unsigned int i = first; i < n; i += 2)
		if (pages[i]) {
			block_verify(c, pages[i], order, TAG_NEXT(tag, i), "before freeing it");
			__free_pages(pages[i], order);
		}
}

static int atomic_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	unsigned int burst = 1 + (unsigned int)(r[0] % BURST_MAX);
	unsigned int how = (unsigned int)((r[0] >> 8) % 3);
	enum gfp_kind kind = (r[0] >> 12) & 1 ? GK_ATOMIC : GK_NOWAIT;
	unsigned int order = (r[0] >> 16) % 4 ? 0 : 1 + (unsigned int)((r[0] >> 20) % 3);
	struct page *pages[BURST_MAX];
	uint64_t tag = stress_tags(c, burst);
	unsigned long flags = 0;

	(void)state;
	atomic_enter(how, &flags);
	for (unsigned int i = 0; i < burst; i++) {
		fail_mark(c);
		pages[i] = alloc_pages(gfp_kind_mask[kind] | __GFP_NOWARN, order);
		if (!pages[i])
			count_failure(c, kind, order);
		else
			block_fill(pages[i], order, TAG_NEXT(tag, i));
	}
	/* half are freed right there, in atomic context */
	burst_free(c, pages, burst, 0, order, tag);
	atomic_exit(how, flags);
	burst_free(c, pages, burst, 1, order, tag);
	return 0;
}

const struct stress_job atomic_job = {
	.name = "atomic", .default_weight = 3, .op = atomic_op,
	.what = "GFP_ATOMIC/GFP_NOWAIT bursts with irqs or preemption off, or in an interrupt",
};
