// SPDX-License-Identifier: MIT
/*
 * stress/jobs/mempool_backing.c - the calls the mempool jobs make into
 * mempool, and the backing allocators of the pools they wrap.
 *
 *   the pressure	per mille of backing allocations that fail, a
 *		function of jiffies (phases of mp_timing.phase_len through
 *		mp_wave[]), so that it falls even when every CPU sleeps (a
 *		knob turned by the CPUs' operations would stay at 100% with
 *		nobody left to turn it).  Whether a given allocation fails is
 *		drawn from the operation's words (op_random()).
 *   the calls	a CPU notes the mempool call it is in (struct mp_call):
 *		which, on which pool, with which mask and interrupt state.
 *   the callbacks	a wrapped pool's pool->alloc and pool->free check the
 *		call mempool makes to them: only from mempool_alloc/create/
 *		resize (alloc) or mempool_free/destroy/resize (free) of their
 *		own pool, never with interrupts off when the caller had them
 *		on (that is, under pool->lock), mempool_alloc()'s first try
 *		without __GFP_DIRECT_RECLAIM and __GFP_IO, always with
 *		__GFP_NOMEMALLOC, __GFP_NORETRY and __GFP_NOWARN, never with a
 *		bit the caller did not give.  A custom pool's element carries
 *		a header of its own (struct mp_backing).
 *
 * Who touches what: mp_phase is atomic (relaxed: it only counts the
 * phases, by the first CPU to see one); the rest, see mempool.h.
 */
#include "mempool.h"

#define MP_BACKING_LIVE		0xb0c1a11ce1e3e475ULL
#define MP_BACKING_DEAD		0xdeadb0c1a11cdeadULL

/* The pressure, per mille of backing allocations that fail, phase by phase. */
static const short mp_wave[] = { 0, 200, 500, 800, 1000, 1000, 1000, 1000, 700, 400, 100, 0 };

static unsigned long mp_phase;		/* atomic (relaxed): the phase last counted */

static const char *const mpc_name[] = {
	"no mempool call", "mempool_alloc()", "mempool_free()", "mempool_create()",
	"mempool_resize()", "mempool_destroy()",
};

/* A custom pool's element is the payload after this, from kmalloc(). */
struct mp_backing {
	uint64_t magic;			/* MP_BACKING_LIVE, then _DEAD */
	uint64_t self;			/* the payload's address */
	uint32_t pool;
	uint32_t pad;
	uint64_t check;
};

void mp_ctx_enter(unsigned int ctx, unsigned long *flags)
{
	if (ctx == MP_CTX_IRQS_OFF)
		local_irq_save(*flags);
	else if (ctx == MP_CTX_PREEMPT_OFF)
		preempt_disable();
	else if (ctx == MP_CTX_IRQ)
		irq_enter();
}

void mp_ctx_exit(unsigned int ctx, unsigned long flags)
{
	if (ctx == MP_CTX_IRQS_OFF)
		local_irq_restore(flags);
	else if (ctx == MP_CTX_PREEMPT_OFF)
		preempt_enable();
	else if (ctx == MP_CTX_IRQ)
		irq_exit();
}

void mp_call_begin(struct mp_cpu *m, int what, unsigned int pi, gfp_t gfp)
{
	m->call.what = what;
	m->call.pool = (int)pi;
	m->call.gfp = gfp;
	m->call.irqs_off = irqs_disabled();
	m->call.backing_calls = 0;
}

void mp_call_end(struct mp_cpu *m)
{
	m->call.what = MPC_NONE;
}

/* The calling CPU, and its state (callbacks run on the calling CPU). */
static struct cpu_ctx *mp_this_cpu(struct mp_cpu **m)
{
	struct cpu_ctx *c = this_cpu_ctx();

	*m = family_state(c, &mempool_family);
	return c;
}

/* ------------------------------------------------------------------ */
/* The pressure                                                        */

static int mp_pressure_now(void)
{
	return mp_wave[(jiffies / mp_timing.phase_len) % ARRAY_SIZE(mp_wave)];
}

void mp_knob(struct mp_cpu *m)
{
	unsigned long phase = jiffies / mp_timing.phase_len;
	unsigned long last = __atomic_load_n(&mp_phase, __ATOMIC_RELAXED);

	/* Relaxed: only counted; one CPU counts each phase. */
	if (phase != last && __atomic_compare_exchange_n(&mp_phase, &last, phase, 0,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		m->cnt[MP_PRESSURE_CHANGES]++;
}

/* The pressure decides: 1 if this backing allocation must fail. */
static int mp_backing_fails(struct cpu_ctx *c, struct mp_cpu *m)
{
	int p = mp_timing.pressure_on ? mp_pressure_now() : 0;

	if (!p || (int)(op_random(c) % 1000) >= p)
		return 0;
	m->cnt[MP_INJECTED]++;
	return 1;
}

/* ------------------------------------------------------------------ */
/* What the callbacks check                                            */

/* Is this call of pool->alloc (alloc) or pool->free one mempool may make? */
static void mp_check_callback(struct cpu_ctx *c, struct mp_cpu *m, const struct mp_pool *mp,
			      int alloc, gfp_t gfp)
{
	const gfp_t need = __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
	struct mp_call *k = &m->call;
	const char *fn = alloc ? "pool->alloc" : "pool->free";
	char got[160], asked[160];

	if (k->what == MPC_NONE || k->pool != (int)mp_index(mp)) {
		cpu_violation(c, "mempool-callback",
			      "%s of %s called outside any mempool call on that pool (CPU %u is in %s%s%s)",
			      fn, mp->name, c->cpu, mpc_name[k->what], k->what ? " of " : "",
			      k->what ? mp_pools[k->pool].name : "");
		return;
	}
	if ((alloc && (k->what == MPC_FREE || k->what == MPC_DESTROY)) ||
	    (!alloc && k->what == MPC_ALLOC))
		cpu_violation(c, "mempool-callback", "%s of %s called from %s", fn, mp->name,
			      mpc_name[k->what]);
	if (irqs_disabled() != k->irqs_off)
		cpu_violation(c, "mempool-callback",
			      "%s of %s called from %s with interrupts %s, the caller had them %s "
			      "(under pool->lock?)", fn, mp->name, mpc_name[k->what],
			      irqs_disabled() ? "off" : "on", k->irqs_off ? "off" : "on");
	if (!alloc)
		return;
	format_gfp(got, sizeof(got), gfp);
	if (k->what != MPC_ALLOC) {
		if ((gfp & GFP_KERNEL) != GFP_KERNEL)
			cpu_violation(c, "mempool-callback",
				      "pool->alloc of %s called from %s with %s, not GFP_KERNEL",
				      mp->name, mpc_name[k->what], got);
		return;
	}
	format_gfp(asked, sizeof(asked), k->gfp);
	if ((gfp & need) != need)
		cpu_violation(c, "mempool-callback",
			      "mempool_alloc(%s, %s) called pool->alloc with %s: __GFP_NOMEMALLOC, "
			      "__GFP_NORETRY and __GFP_NOWARN must all be set", mp->name, asked, got);
	if (gfp & ~(k->gfp | need))
		cpu_violation(c, "mempool-callback",
			      "mempool_alloc(%s, %s) called pool->alloc with %s: bits %#x the caller "
			      "did not give (it may not sleep or do I/O)", mp->name, asked, got,
			      gfp & ~(k->gfp | need));
	if (!k->backing_calls && (gfp & (__GFP_DIRECT_RECLAIM | __GFP_IO)))
		cpu_violation(c, "mempool-callback",
			      "mempool_alloc(%s, %s) first tried pool->alloc with %s: the first try "
			      "must not reclaim or do I/O (the reserve comes first)", mp->name, asked,
			      got);
	else if (k->backing_calls && (gfp & __GFP_DIRECT_RECLAIM))
		m->cnt[MP_FULL_MASK_RETRIES]++;
	k->backing_calls++;
}

/* pool->alloc's part: the call checked, then 1 if the pressure fails it. */
static int mp_backing_get(struct mp_pool *mp, gfp_t gfp)
{
	struct mp_cpu *m;
	struct cpu_ctx *c = mp_this_cpu(&m);

	mp_check_callback(c, m, mp, 1, gfp);
	return mp_backing_fails(c, m);
}

static void *mp_backing_got(struct mp_pool *mp, void *el)
{
	if (el)
		__atomic_fetch_add(&mp->live, 1, __ATOMIC_RELAXED);
	return el;
}

/* pool->free's part: 0 if it may go on with el. */
static int mp_backing_put(struct mp_pool *mp, void *el)
{
	struct mp_cpu *m;
	struct cpu_ctx *c = mp_this_cpu(&m);

	mp_check_callback(c, m, mp, 0, 0);
	if (unlikely(!el)) {
		cpu_violation(c, "mempool-callback", "pool->free of %s called with NULL from %s",
			      mp->name, mpc_name[m->call.what]);
		return -1;
	}
	__atomic_fetch_sub(&mp->live, 1, __ATOMIC_RELAXED);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The callbacks                                                       */

static uint64_t mp_backing_check(const struct mp_backing *b)
{
	uint64_t x = b->self ^ MP_BACKING_LIVE ^ (uint64_t)b->pool << 40;

	return splitmix64(&x);
}

static void *mp_custom_alloc(struct mp_pool *mp, gfp_t gfp)
{
	struct mp_backing *b = kmalloc(sizeof(*b) + mp->size, gfp);

	if (!b)
		return NULL;
	b->magic = MP_BACKING_LIVE;
	b->self = (uint64_t)(uintptr_t)(b + 1);
	b->pool = mp_index(mp);
	b->pad = 0;
	b->check = mp_backing_check(b);
	return b + 1;
}

int mp_backing_ok(const struct mp_pool *mp, const void *el)
{
	const struct mp_backing *b = (const struct mp_backing *)el - 1;

	return b->magic == MP_BACKING_LIVE && b->self == (uint64_t)(uintptr_t)el &&
	       b->pool == mp_index(mp) && b->check == mp_backing_check(b);
}

/* A wrapped pool's pool->alloc: mempool's helper for its kind, or ours. */
static void *mp_backing_alloc(gfp_t gfp, void *data)
{
	struct mp_pool *mp = data;
	void *el;

	if (mp_backing_get(mp, gfp))
		return NULL;
	if (mp->kind == MPK_KMALLOC)
		el = mempool_kmalloc(gfp, (void *)(uintptr_t)mp->size);
	else if (mp->kind == MPK_SLAB)
		el = mempool_alloc_slab(gfp, mp->cache);
	else if (mp->kind == MPK_PAGE)
		el = mempool_alloc_pages(gfp, (void *)(uintptr_t)mp->order);
	else
		el = mp_custom_alloc(mp, gfp);
	return mp_backing_got(mp, el);
}

/* A custom element must be one pool->alloc returned and not freed yet. */
static int mp_custom_bad(struct mp_pool *mp, void *el)
{
	struct mp_cpu *m;
	struct cpu_ctx *c;

	if (!el || mp_backing_ok(mp, el))
		return 0;
	c = mp_this_cpu(&m);
	mp_check_callback(c, m, mp, 0, 0);
	cpu_violation(c, "mempool-callback",
		      "pool->free of %s called from %s with %p, which its pool->alloc did not "
		      "return or which was freed already (magic %016llx): not freed", mp->name,
		      mpc_name[m->call.what], el,
		      (unsigned long long)((struct mp_backing *)el - 1)->magic);
	return 1;
}

/* A wrapped pool's pool->free. */
static void mp_backing_free(void *el, void *data)
{
	struct mp_pool *mp = data;

	if ((mp->kind == MPK_CUSTOM && mp_custom_bad(mp, el)) || mp_backing_put(mp, el))
		return;
	if (mp->kind == MPK_KMALLOC) {
		mempool_kfree(el, (void *)(uintptr_t)mp->size);
	} else if (mp->kind == MPK_SLAB) {
		mempool_free_slab(el, mp->cache);
	} else if (mp->kind == MPK_PAGE) {
		mempool_free_pages(el, (void *)(uintptr_t)mp->order);
	} else {
		((struct mp_backing *)el - 1)->magic = MP_BACKING_DEAD;
		kfree((struct mp_backing *)el - 1);
	}
}

mempool_t *mp_create_pool(struct mp_pool *mp, int nid)
{
	if (mp->kind == MPK_CUSTOM)
		return mempool_create_node(mp->min_nr, mp_backing_alloc, mp_backing_free, mp,
					   GFP_KERNEL, nid);
	if (mp->wrapped)
		return mempool_create(mp->min_nr, mp_backing_alloc, mp_backing_free, mp);
	if (mp->kind == MPK_KMALLOC)
		return mempool_create_kmalloc_pool(mp->min_nr, mp->size);
	if (mp->kind == MPK_SLAB)
		return mempool_create_slab_pool(mp->min_nr, mp->cache);
	return mempool_create_page_pool(mp->min_nr, (int)mp->order);
}

void mp_phase_init(void)
{
	__atomic_store_n(&mp_phase, jiffies / mp_timing.phase_len, __ATOMIC_RELAXED);
}
