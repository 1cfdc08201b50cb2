// SPDX-License-Identifier: MIT
/*
 * stress/jobs/mempool_elements.c - the elements of the mempool jobs: what
 * a CPU allocates, holds, frees, hands to another CPU or puts in flight,
 * and the check of a pool's reserve.
 *
 *   elements	an element a CPU holds or hands on starts with struct
 *		mp_hdr (its struct stress_item, its pool and a check of
 *		both) and carries the engine's pattern of its tag after it
 *		(in its memory: a page pool's element is its struct page).
 *		It is verified before it is freed, handed on, and at random.
 *   allocating	GFP_KERNEL/GFP_NOIO/GFP_NOFS callers (never NULL: a
 *		violation otherwise) first give back what the progress
 *		argument of mempool.h asks and close their inbox;
 *		GFP_ATOMIC/GFP_NOWAIT ones (NULL allowed) may run with
 *		interrupts or preemption off, or in an interrupt.
 *   in flight	when the 5*HZ timeout is short, an element may be put "in
 *		flight" for mp_timing.dev_delay, as slow I/O, and freed in an
 *		interrupt by whichever CPU finds it due: sleepers then also
 *		meet the timeout.
 *   the check	under pool->lock, mempool_is_valid() and then what only the
 *		job knows: a custom element's header, a page's count, and
 *		that the checking CPU holds none of the reserve.
 *
 * Who touches what: a CPU's held[] (struct mp_cpu) is its own; mp_dev
 * slots are claimed with a release CAS (the element's header and pattern
 * before it is seen) and emptied with an acquire CAS by the one CPU that
 * completes it; due[] and count are hints (relaxed).
 */
#include <string.h>

#include "mempool.h"

#define MP_DEV_SLOTS		64
#define MP_CHECK_MAX		64	/* reserve elements a check looks at */
#define MP_SALT			0x3e7a9f1c55d2b6e1ULL

/*
 * The first bytes of an element a CPU holds or hands on (pages: of its
 * memory); the pattern follows.
 */
struct mp_hdr {
	struct stress_item item;	/* in an inbox: its link; the tag */
	uint32_t pool;
	uint32_t check;			/* mp_hdr_check(tag, pool) */
	uint64_t pad;
};
BUILD_BUG_ON(sizeof(struct mp_hdr) != MP_HDR);

static struct {
	struct mp_hdr *el[MP_DEV_SLOTS];	/* atomic: see the map */
	unsigned long due[MP_DEV_SLOTS];	/* atomic (relaxed): a hint */
	int count;				/* atomic (relaxed): a hint */
} mp_dev;

static const enum gfp_kind mp_kinds[] = {
	GK_KERNEL, GK_KERNEL, GK_KERNEL, GK_KERNEL, GK_KERNEL, GK_NOIO, GK_NOFS,
	GK_ATOMIC, GK_ATOMIC, GK_ATOMIC, GK_NOWAIT, GK_NOWAIT,
};

static inline uint32_t mp_hdr_check(uint64_t tag, unsigned int pool)
{
	uint64_t x = tag ^ (uint64_t)pool << 56 ^ MP_SALT;

	return (uint32_t)splitmix64(&x);
}

/* A header one of the pools wrote (else its link is not to be trusted). */
static int mp_hdr_ok(const struct mp_hdr *h)
{
	return h->pool < MP_POOLS && mp_pools[h->pool].pool &&
	       h->check == mp_hdr_check(h->item.tag, h->pool);
}

/* An element's memory, and the element whose memory starts at h. */
static void *mp_mem(const struct mp_pool *mp, void *el)
{
	return mp->kind == MPK_PAGE ? page_address(el) : el;
}

static void *mp_el(const struct mp_pool *mp, struct mp_hdr *h)
{
	return mp->kind == MPK_PAGE ? (void *)virt_to_page(h) : (void *)h;
}

static void mp_range(struct pattern_range *pr, const struct mp_pool *mp)
{
	pr->start = MP_HDR;
	pr->end = mp->size;
	pr->dense = PATTERN_DENSE;
}

void mp_fill(const struct mp_pool *mp, void *el, uint64_t tag)
{
	struct mp_hdr *h = mp_mem(mp, el);
	struct pattern_range pr;

	mp_range(&pr, mp);
	pattern_fill(h, &pr, tag);
	h->item.tag = tag;
	h->pool = mp_index(mp);
	h->check = mp_hdr_check(tag, mp_index(mp));
	h->pad = 0;
}

/* 0: the element shows its header and tag's pattern; 1: reported. */
static int mp_verify(struct cpu_ctx *c, const struct mp_pool *mp, void *el, uint64_t tag,
		     const char *when)
{
	const struct mp_hdr *h = mp_mem(mp, el);
	struct pattern_range pr;
	uint64_t want, got;
	char what[96];
	size_t off;

	mp_range(&pr, mp);
	if (unlikely(h->item.tag != tag)) {
		off = offsetof(struct mp_hdr, item.tag);
		want = tag;
		got = h->item.tag;
	} else if (unlikely(h->pool != mp_index(mp) || h->check != mp_hdr_check(tag, mp_index(mp)))) {
		off = offsetof(struct mp_hdr, pool);
		want = (uint64_t)mp_hdr_check(tag, mp_index(mp)) << 32 | mp_index(mp);
		got = (uint64_t)h->check << 32 | h->pool;
	} else {
		off = pattern_check(h, &pr, pr.end, tag);
		if (likely(off == PATTERN_OK))
			return 0;
		snprintf(what, sizeof(what), "element %p of mempool %s (%u bytes)", (const void *)h,
			 mp->name, mp->size);
		pattern_report(c, h, &pr, off, tag, "element", what, when);
		return 1;
	}
	snprintf(what, sizeof(what), "element %p of mempool %s (%u bytes)", (const void *)h,
		 mp->name, mp->size);
	report_corruption(c, h, off, want, got, tag, "element", what, when);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Held elements                                                       */

static int mp_held_count(const struct mp_cpu *m, unsigned int pi)
{
	int n = 0;

	for (int i = 0; i < m->nheld; i++)
		n += m->held[i].pool == pi;
	return n;
}

static struct mp_held mp_unhold(struct mp_cpu *m, int i)
{
	struct mp_held e = m->held[i];

	m->held[i] = m->held[--m->nheld];
	kmemleak_erase(&m->held[m->nheld].el);	/* no stale copy in a root */
	return e;
}

/* Give el back to its pool in context ctx, its pattern checked first. */
void mp_free(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, void *el, uint64_t tag,
	     unsigned int ctx, const char *when)
{
	struct mp_pool *mp = &mp_pools[pi];
	unsigned long flags = 0;

	mp_verify(c, mp, el, tag, when);
	mp_ctx_enter(ctx, &flags);
	mp_call_begin(m, MPC_FREE, pi, 0);
	mempool_free(el, mp->pool);
	mp_call_end(m);
	mp_ctx_exit(ctx, flags);
	m->pool_cnt[pi][MPP_FREES]++;
}

static void mp_free_held(struct cpu_ctx *c, struct mp_cpu *m, int i, unsigned int ctx,
			 const char *when)
{
	struct mp_held e = mp_unhold(m, i);

	mp_free(c, m, e.pool, e.el, e.tag, ctx, when);
}

/* ------------------------------------------------------------------ */
/* Elements handed to other CPUs, and in flight                        */

int mp_receive(struct cpu_ctx *c, void *state, struct stress_item *it, enum receipt how)
{
	struct mp_hdr *h = container_of(it, struct mp_hdr, item);
	struct mp_cpu *m = state;

	if (unlikely(!mp_hdr_ok(h))) {
		cpu_violation(c, "data-corruption",
			      "DATA CORRUPTION on CPU %u %s: element at %p has a damaged header "
			      "(tag %016llx pool %u check %08x): it and the rest of its list are "
			      "not freed", c->cpu, receipt_text(how), (void *)h,
			      (unsigned long long)h->item.tag, h->pool, h->check);
		return -1;
	}
	if (mp_pools[h->pool].kind == MPK_PAGE)
		item_root_del(&h->item);
	mp_free(c, m, h->pool, mp_el(&mp_pools[h->pool], h), h->item.tag, MP_CTX_PROCESS,
		receipt_text(how));
	m->cnt[how == TAKEN_BACK ? MP_STOLEN_BACK : MP_RECEIVED]++;
	return 0;
}

/* Hand a held element (out of held[]) to CPU to, which checks and frees it. */
static void mp_send(struct cpu_ctx *c, struct mp_cpu *m, const struct mp_held *e, unsigned int to)
{
	struct mp_pool *mp = &mp_pools[e->pool];
	struct mp_hdr *h = mp_mem(mp, e->el);

	if (mp_verify(c, mp, e->el, e->tag, "before handing it to another CPU")) {
		mp_free(c, m, e->pool, e->el, e->tag, MP_CTX_PROCESS, "before freeing it");
		return;
	}
	/* a page is no object of kmemleak's: its link is a root in transit */
	if (mp->kind == MPK_PAGE)
		item_root_add(&h->item);
	if (stress_send(c, to, &h->item)) {
		if (mp->kind == MPK_PAGE)
			item_root_del(&h->item);
		mp_free(c, m, e->pool, e->el, e->tag, MP_CTX_PROCESS, "before freeing it");
		return;
	}
	m->cnt[MP_SENT]++;
}

void mp_send_one(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, const uint64_t r[3])
{
	struct mp_held e;

	(void)pi;
	if (!m->nheld)
		return;
	e = mp_unhold(m, (int)(r[1] % (unsigned int)m->nheld));
	mp_send(c, m, &e, pick_cpu(c, r[1] >> 16,
				   (r[1] >> 48) % 4 ? TARGET_OTHER_NODE : TARGET_ANY));
}

void mp_submit(struct cpu_ctx *c, struct mp_cpu *m, const struct mp_held *e, uint64_t r)
{
	struct mp_hdr *h = mp_mem(&mp_pools[e->pool], e->el);

	for (unsigned int k = 0, i = (unsigned int)(r % MP_DEV_SLOTS); k < MP_DEV_SLOTS;
	     k++, i = (i + 1) % MP_DEV_SLOTS) {
		struct mp_hdr *none = NULL;

		if (__atomic_load_n(&mp_dev.el[i], __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&mp_dev.due[i], jiffies + mp_timing.dev_delay, __ATOMIC_RELAXED);
		/* Release: the element's header and pattern before it is seen. */
		if (!__atomic_compare_exchange_n(&mp_dev.el[i], &none, h, 0, __ATOMIC_RELEASE,
						 __ATOMIC_RELAXED))
			continue;
		__atomic_fetch_add(&mp_dev.count, 1, __ATOMIC_RELAXED);
		m->cnt[MP_SUBMITTED]++;
		return;
	}
	mp_free(c, m, e->pool, e->el, e->tag, MP_CTX_PROCESS, "before freeing it");
}

/* In an interrupt, as an I/O completion frees its request. */
void mp_dev_poll(struct cpu_ctx *c, struct mp_cpu *m, int all)
{
	unsigned long now;

	if (!__atomic_load_n(&mp_dev.count, __ATOMIC_RELAXED))
		return;
	now = jiffies;
	for (unsigned int i = 0; i < MP_DEV_SLOTS; i++) {
		struct mp_hdr *h = __atomic_load_n(&mp_dev.el[i], __ATOMIC_RELAXED);

		if (!h || (!all && time_before(now, __atomic_load_n(&mp_dev.due[i], __ATOMIC_RELAXED))))
			continue;
		/* Acquire: pairs with the release of mp_submit(); one CPU wins. */
		if (!__atomic_compare_exchange_n(&mp_dev.el[i], &h, NULL, 0, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			continue;
		__atomic_fetch_sub(&mp_dev.count, 1, __ATOMIC_RELAXED);
		if (unlikely(!mp_hdr_ok(h))) {
			cpu_violation(c, "data-corruption",
				      "DATA CORRUPTION on CPU %u on completing it: element in flight at "
				      "%p has a damaged header (tag %016llx pool %u): not freed", c->cpu,
				      (void *)h, (unsigned long long)h->item.tag, h->pool);
			continue;
		}
		mp_free(c, m, h->pool, mp_el(&mp_pools[h->pool], h), h->item.tag, MP_CTX_IRQ,
			"on completing its I/O");
		m->cnt[MP_COMPLETED]++;
	}
}

/* ------------------------------------------------------------------ */
/* Allocating                                                          */

/* Before sleeping on pool pi: nothing held of pools >= pi (mempool.h). */
static void mp_release_from(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi)
{
	for (int i = m->nheld - 1; i >= 0; i--)
		if (m->held[i].pool >= pi)
			mp_free_held(c, m, i, MP_CTX_PROCESS, "before sleeping in mempool_alloc()");
}

/* mempool_alloc() of pool pi with gfp kind, in context ctx (atomic kinds). */
void *mp_alloc(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, enum gfp_kind kind,
	       unsigned int ctx)
{
	struct mp_pool *mp = &mp_pools[pi];
	gfp_t gfp = gfp_kind_mask[kind];
	int sleeping = gfpflags_allow_blocking(gfp);
	uint64_t *pc = m->pool_cnt[pi], t0, ns;
	unsigned long flags = 0;
	void *el;

	if (sleeping) {
		ctx = MP_CTX_PROCESS;
		mp_release_from(c, m, pi);
		inbox_close(c);
		m->cnt[MP_SLEEPING_ALLOCS]++;
	} else {
		m->cnt[MP_ATOMIC_ALLOCS]++;
		if (ctx != MP_CTX_PROCESS || in_interrupt())
			m->cnt[MP_ATOMIC_CONTEXT]++;
	}
	mp_ctx_enter(ctx, &flags);
	mp_call_begin(m, MPC_ALLOC, pi, gfp);
	t0 = stress_clock_ns();
	fail_mark(c);
	el = mempool_alloc(mp->pool, gfp);
	ns = stress_clock_ns() - t0;
	mp_call_end(m);
	mp_ctx_exit(ctx, flags);
	if (sleeping)
		inbox_open(c);
	if (ns > pc[MPP_MAX_NS])
		pc[MPP_MAX_NS] = ns;
	if (ns > mp_timing.timeout_ns) {
		pc[MPP_SLOW]++;
		m->cnt[MP_SLOW_ALLOCS]++;
	}
	if (el) {
		pc[MPP_ALLOCS]++;
		return el;
	}
	pc[MPP_NULLS]++;
	count_failure(c, kind, mp->kind == MPK_PAGE ? mp->order : 0);
	if (sleeping)
		cpu_violation(c, "mempool-null",
			      "mempool_alloc(%s, %s) returned NULL after %.1f ms: a caller that may "
			      "sleep must always get an element", mp->name, gfp_kind_name[kind],
			      (double)ns / 1e6);
	return NULL;
}

void mp_alloc_use(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, const uint64_t r3[3])
{
	uint64_t r = r3[0], r2 = r3[1];
	enum gfp_kind kind = mp_kinds[(r >> 8) % ARRAY_SIZE(mp_kinds)];
	struct mp_held e;

	/* at most MP_HOLD_PER_POOL of a pool: one goes before another comes */
	if (mp_held_count(m, pi) >= MP_HOLD_PER_POOL || m->nheld == MP_HELD_MAX)
		for (int i = 0; i < m->nheld; i++)
			if (m->held[i].pool == pi || m->nheld == MP_HELD_MAX) {
				mp_free_held(c, m, i, MP_CTX_PROCESS, "before freeing it");
				break;
			}
	e.el = mp_alloc(c, m, pi, kind, (unsigned int)((r >> 12) % 4));
	if (!e.el)
		return;
	e.pool = (uint8_t)pi;
	e.tag = stress_tag(c);
	e.expiry = c->nr_ops + 1 + (r2 >> 8) % 48;
	mp_fill(&mp_pools[pi], e.el, e.tag);
	if (r2 % 4 == 0)
		mp_send(c, m, &e, pick_cpu(c, r2 >> 16, (r2 >> 48) % 4 ? TARGET_OTHER_NODE : TARGET_ANY));
	else if (m->nheld < MP_HELD_MAX)
		m->held[m->nheld++] = e;
	else
		mp_free(c, m, pi, e.el, e.tag, MP_CTX_PROCESS, "before freeing it");
}

/* ------------------------------------------------------------------ */
/* An operation, and its small actions                                 */

int mp_op(struct cpu_ctx *c, struct mp_cpu *m, unsigned int first, const struct mp_share *plan,
	  const uint64_t r[3])
{
	unsigned int pi = first + (unsigned int)((r[0] >> 4) % MP_PER_JOB);
	unsigned int x = (unsigned int)(r[0] % 16);

	if (!mp_pools[pi].pool)
		return -1;
	mp_knob(m);
	mp_dev_poll(c, m, 0);
	/* elements past their lifetime go, two at most */
	for (int i = m->nheld - 1, n = 2; i >= 0 && n > 0; i--)
		if (m->held[i].expiry <= c->nr_ops) {
			mp_free_held(c, m, i, MP_CTX_PROCESS, "before freeing it");
			n--;
		}
	while (x >= plan->share)
		x -= plan++->share;
	plan->act(c, m, pi, r);
	return 0;
}

/* Free a held element, in process context, with interrupts off or in an
 * interrupt; with none, now and then mempool_free(NULL) (a no-op). */
void mp_free_one(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, const uint64_t r3[3])
{
	uint64_t r = r3[1];
	static const unsigned int ctxs[] = { MP_CTX_PROCESS, MP_CTX_PROCESS, MP_CTX_IRQS_OFF,
					     MP_CTX_IRQ };

	if (!m->nheld) {
		if ((r >> 8) % 8)
			return;
		mp_call_begin(m, MPC_FREE, pi, 0);
		mempool_free(NULL, mp_pools[pi].pool);
		mp_call_end(m);
		m->cnt[MP_FREE_NULL]++;
		return;
	}
	mp_free_held(c, m, (int)(r % (unsigned int)m->nheld), ctxs[(r >> 16) % ARRAY_SIZE(ctxs)],
		     "before freeing it");
}

void mp_verify_one(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, const uint64_t r[3])
{
	const struct mp_held *e;

	(void)pi;
	if (!m->nheld)
		return;
	e = &m->held[r[1] % (unsigned int)m->nheld];
	mp_verify(c, &mp_pools[e->pool], e->el, e->tag, "at a random check");
}

/* A CPU stops: everything it holds goes back, and what is in flight. */
void mp_release(struct cpu_ctx *c, void *state)
{
	struct mp_cpu *m = state;

	while (m->nheld)
		mp_free_held(c, m, m->nheld - 1, MP_CTX_PROCESS, "before freeing it at the end");
	mp_dev_poll(c, m, 1);
}

/* ------------------------------------------------------------------ */
/* The check                                                           */

void mp_check_pool(struct cpu_ctx *c, struct mp_cpu *m, unsigned int pi, const uint64_t r[3])
{
	struct mp_pool *mp = &mp_pools[pi];
	mempool_t *pool = mp->pool;
	void *seen[MP_CHECK_MAX];
	int n, bad_backing = -1, bad_count = -1, count = 0, bad;
	char report[600] = "";
	unsigned long flags;
	FILE *f;

	(void)r;
	m->cnt[MP_CHECKS]++;
	f = fmemopen(report, sizeof(report) - 1, "w");
	bad = mempool_is_valid(pool, f);
	if (f)
		fclose(f);
	if (bad)
		cpu_violation(c, "mempool-invariant", "%s: %d violation%s: %s", mp->name, bad,
			      str_plural(bad), report);
	spin_lock_irqsave(&pool->lock, flags);
	n = clamp(pool->curr_nr, 0, MP_CHECK_MAX);
	for (int i = 0; i < n; i++) {
		seen[i] = pool->elements[i];
		if (!seen[i])
			continue;
		/* the reserve's elements are the pool's, under its lock */
		if (mp->kind == MPK_CUSTOM && bad_backing < 0 && !mp_backing_ok(mp, seen[i]))
			bad_backing = i;
		if (mp->kind == MPK_PAGE && bad_count < 0 && (count = page_count(seen[i])) != 1)
			bad_count = i;
	}
	spin_unlock_irqrestore(&pool->lock, flags);

	if (bad_backing >= 0)
		cpu_violation(c, "mempool-invariant",
			      "%s: elements[%d] = %p in the reserve is not an element of its "
			      "pool->alloc (or was freed)", mp->name, bad_backing, seen[bad_backing]);
	if (bad_count >= 0)
		cpu_violation(c, "mempool-invariant",
			      "%s: elements[%d] = pfn %#lx in the reserve has page count %d, not 1",
			      mp->name, bad_count, page_to_pfn(seen[bad_count]), count);
	for (int i = 0; i < n; i++)
		for (int h = 0; seen[i] && h < m->nheld; h++)
			if (m->held[h].el == seen[i]) {
				cpu_violation(c, "mempool-invariant",
					      "%s: %p is in the reserve (elements[%d]) while CPU %u "
					      "holds it", mp->name, seen[i], i, c->cpu);
				return;
			}
}
