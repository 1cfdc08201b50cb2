// SPDX-License-Identifier: MIT
/*
 * stress/inbox.c - handing items to other CPUs: each CPU's inbox, and the
 * choice of the CPU to hand an item to.
 *
 * An inbox is liburcu's lock-free stack (<urcu/lfstack.h>): any CPU pushes
 * (cds_lfs_push()), and whoever empties it takes everything at once
 * (__cds_lfs_pop_all(), which needs no lock against pushes or against
 * another pop_all).  An item starts with struct stress_item: the stack's
 * link, and the tag whose job byte names the family that frees it.  The
 * engine empties a CPU's inbox before each of its operations (RECEIVED),
 * when it stops, and on CPU 0 at the end of the run (AT_END).
 *
 * Progress.  A CPU about to wait for something only another CPU can free
 * (a sleeping mempool_alloc()) must not leave items in its inbox: it
 * closes the inbox (a seq_cst store of closed), then empties it.  A
 * sender pushes, then reads closed (seq_cst); if the inbox is closed it
 * takes back all the inbox holds and frees it itself (TAKEN_BACK).  Both
 * liburcu calls are full barriers (uatomic_cmpxchg(), uatomic_xchg()), so
 * either the receiver's pop sees the item or the sender sees closed:
 * nothing stays behind a CPU that sleeps, or that has stopped.
 *
 * Who touches what: the stack's head and links are liburcu's, reached only
 * through its calls (the library is linked, not inlined: TSan does not
 * see its atomics, so the sender releases the inbox's address for TSan
 * before its push and whoever pops acquires it after: every item popped
 * was pushed after its sender's release).  closed is written by the owner
 * and read by senders.  An item belongs to its sender until the push and
 * to whoever pops it after.
 */
#include "mmstress.h"

static const char *const receipt_when[] = {
	[RECEIVED] = "on receiving it from another CPU",
	[TAKEN_BACK] = "on taking it back from a CPU that may sleep or has stopped",
	[AT_END] = "on receiving it at the end",
};

const char *receipt_text(enum receipt how)
{
	return receipt_when[how];
}

void inbox_init(struct cpu_ctx *c)
{
	__cds_lfs_init(&c->inbox.stack);
	c->inbox.closed = INBOX_OPEN;
}

/* Free a list popped from inbox in, on CPU by, each item by its family. */
static void receive_list(struct cpu_ctx *by, struct inbox *in, struct cds_lfs_head *head,
			 enum receipt how)
{
	struct cds_lfs_node *node, *next;

	if (!head)
		return;
	/* Acquire, for TSan: pairs with the release of stress_send(). */
	tsan_acquire(in);
	for (node = &head->node; node; node = next) {
		struct stress_item *it = caa_container_of(node, struct stress_item, node);
		const struct stress_family *f = NULL;

		if (tag_job(it->tag) < nr_jobs)
			f = jobs[tag_job(it->tag)]->family;
		next = node->next;
		if (unlikely(!f || !f->receive)) {
			cpu_violation(by, "data-corruption",
				      "DATA CORRUPTION on CPU %u %s: item at %p has a damaged header "
				      "(tag %016llx): it and the rest of its list are not freed",
				      by->cpu, receipt_text(how), (void *)it,
				      (unsigned long long)it->tag);
			return;
		}
		/* a damaged header: its link cannot be trusted either */
		if (f->receive(by, family_state(by, f), it, how))
			return;
	}
}

void inbox_drain(struct cpu_ctx *c, struct cpu_ctx *by, enum receipt how)
{
	/* No barrier: an item pushed meanwhile is taken next time. */
	if (cds_lfs_empty(&c->inbox.stack))
		return;
	receive_list(by, &c->inbox, __cds_lfs_pop_all(&c->inbox.stack), how);
}

int stress_send(struct cpu_ctx *c, unsigned int to, struct stress_item *it)
{
	struct inbox *in = &run_cpu(c->run, to)->inbox;

	/* Relaxed: a hint (the seq_cst load below decides). */
	if (to == c->cpu || __atomic_load_n(&in->closed, __ATOMIC_RELAXED))
		return -1;
	/* Release, for TSan: the item before the push (see the map). */
	tsan_release(in);
	cds_lfs_push(&in->stack, &it->node);
	/* Seq_cst: pairs with the store of inbox_close() and inbox_stop()
	 * (see the map); the inbox then comes back to us to free. */
	if (__atomic_load_n(&in->closed, __ATOMIC_SEQ_CST))
		receive_list(c, in, __cds_lfs_pop_all(&in->stack), TAKEN_BACK);
	return 0;
}

/* Seq_cst store, then the pop (a full barrier): see the map. */
static void __inbox_close(struct cpu_ctx *c, int how)
{
	__atomic_store_n(&c->inbox.closed, how, __ATOMIC_SEQ_CST);
	receive_list(c, &c->inbox, __cds_lfs_pop_all(&c->inbox.stack), RECEIVED);
}

void inbox_close(struct cpu_ctx *c)
{
	__inbox_close(c, INBOX_MAY_SLEEP);
}

void inbox_stop(struct cpu_ctx *c)
{
	__inbox_close(c, INBOX_STOPPED);
}

void inbox_open(struct cpu_ctx *c)
{
	/* Relaxed: a sender that still sees it closed frees its item itself. */
	__atomic_store_n(&c->inbox.closed, INBOX_OPEN, __ATOMIC_RELAXED);
}

unsigned int pick_cpu(const struct cpu_ctx *c, uint64_t r, enum target where)
{
	unsigned int n = run_nr_cpus(c->run), to = (unsigned int)(r % n);

	if (n < 2)
		return c->cpu;
	for (unsigned int k = 0; k < n; k++, to = (to + 1) % n) {
		if (to == c->cpu)
			continue;
		if (where == TARGET_ANY ||
		    (where == TARGET_SAME_NODE) == (cpu_to_node(to) == c->node))
			return to;
	}
	return to == c->cpu ? (to + 1) % n : to;	/* none there: any other */
}
