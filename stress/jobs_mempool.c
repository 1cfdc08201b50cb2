// SPDX-License-Identifier: MIT
/*
 * stress/jobs_mempool.c - the mempool jobs: mempool-starve and
 * mempool-resize.  Like jobs.c, each operation draws its parameters first
 * (three draws, whatever happens), logs them, then acts.
 *
 *   mempool-starve	four small pools shared by every CPU -- kmalloc,
 *		slab (a cache without constructor), page, and a custom one
 *		whose elements carry a header of their own -- whose backing
 *		allocator fails with a probability that follows a pressure
 *		knob going up and down (to 100% for a while).  CPUs allocate
 *		with GFP_KERNEL/GFP_NOIO/GFP_NOFS (never NULL: a violation
 *		otherwise) or GFP_ATOMIC/GFP_NOWAIT (NULL allowed), the
 *		latter also with interrupts or preemption off and in an
 *		interrupt; they hold elements a short while with a pattern,
 *		hand some to another CPU, which frees them (that is what wakes
 *		the sleepers), and free some in an interrupt.  When the 5*HZ
 *		timeout is short (hz_scale >= 5) some elements go "in flight"
 *		for 6*HZ, as slow I/O, completed (freed in an interrupt) by
 *		whichever CPU finds them due: sleepers then also time out.
 *   mempool-resize	four more pools (made with mempool_create_kmalloc_pool,
 *		_slab_pool, _page_pool, and _node with a custom backing under
 *		the pressure) resized up and down, one resize of a pool at a
 *		time (min_nr must then be what was asked), against
 *		mempool_alloc() and mempool_free() on every other CPU.  The
 *		kernel's callers serialize the resizes of a pool; two of ours
 *		do (.serialize: min_nr must then be what was asked), two let
 *		their resizes race each other (mm/mempool.c's shrink path
 *		drops pool->lock around each free: a concurrent shrink and
 *		grow once left min_nr above the array's room, which
 *		mp_check_pool() and slab_debug's red zones both caught).
 *
 * Both jobs check under pool->lock that 0 <= curr_nr <= min_nr <= the room
 * of elements[], that the reserve holds distinct elements none of which
 * the checking CPU holds, and what the
 * reserve's elements must be (a custom element's header, a page's count).
 * The wrapped pools' callbacks check the calls mempool makes to them: only
 * from mempool_alloc/create/resize (alloc) or mempool_free/destroy/resize
 * (free) of their own pool, never with interrupts off when the caller had
 * them on (under pool->lock), mempool_alloc's first try without
 * __GFP_DIRECT_RECLAIM and __GFP_IO, always with __GFP_NOMEMALLOC,
 * __GFP_NORETRY and __GFP_NOWARN, never with a bit the caller did not give.
 * At the end every pool's statistics must add up with what its users saw
 * (outstanding 0, failures = NULLs, backing + reserve = elements returned,
 * waits = wakeups + timeouts), a wrapped pool's backing must hold exactly
 * its reserve, and after mempool_destroy() nothing; the harness's final
 * zero-allocated-pages check covers the other pools.
 *
 * Progress.  A GFP_KERNEL caller sleeps until an element comes back, so
 * every element must be on its way back while someone sleeps for it:
 *   - pools are ordered by index; before a sleeping mempool_alloc() on pool
 *     i a CPU frees every element it holds of pools >= i (it keeps lower
 *     ones, as a layered driver does), so a sleeper on i waits only for
 *     CPUs that run, or that sleep on a higher pool: the chain ends;
 *   - a CPU holds at most MP_HOLD_PER_POOL elements of a pool (it frees one
 *     before allocating when it has them all) and frees them after a few
 *     of its operations, or when it stops;
 *   - an element handed to a CPU is freed by that CPU's next mempool
 *     operation, unless the CPU may be sleeping in mempool_alloc() (or has
 *     stopped): it says so in nosend before it empties its inbox, and a
 *     sender that sees nosend after its push takes the inbox back and
 *     frees what is in it (sequentially consistent on both sides: either
 *     the receiver's exchange sees the element or the sender sees nosend);
 *   - elements in flight (only when 5*HZ is short) are freed by any CPU
 *     that finds them due; if every CPU sleeps meanwhile, the 5*HZ timeout
 *     and the pressure, which stays at 100% for 8*HZ at most, end the
 *     sleeps: the backing allocator serves the retry.
 * The watchdog reports a CPU that never returns from mempool_alloc().
 *
 * Who touches what:
 *   mp_pools[]		the spec is read-only; pool and cache are made by
 *			the main thread (attached as CPU 0) before the CPUs
 *			start and destroyed after they stop; so is what the
 *			report reads of a torn-down pool (last*).  live
 *			(atomic, relaxed) counts a wrapped pool's elements out
 *			of its backing allocator; resizing (acquire/release)
 *			serializes the resizes of a pool that wants them so.
 *   the pressure	a function of jiffies (phases of mp_phase_len, the
 *			values of mp_wave[]); mp_phase (atomic, relaxed) only
 *			counts the changes, by the first CPU to see one.
 *   mp_pressure_on	written by the main thread before the CPUs start:
 *			no pressure while it creates the pools.
 *   mp_dev		the elements in flight: a slot is claimed with a
 *			release CAS (the element's pattern and header before
 *			it is seen) and emptied with an acquire CAS by the one
 *			CPU that completes it; due and count are hints.
 *   the rest		read-only after the first setup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmstress.h"

#define MP_HDR			32	/* an element's first bytes: struct mp_hdr */
#define MP_HOLD_PER_POOL	3
#define MP_DEV_SLOTS		64
#define MP_CHECK_MAX		64	/* reserve elements a check looks at */
#define MP_RESIZE_MAX		24
#define MP_STARVE_FIRST		0
#define MP_RESIZE_FIRST		4
#define MP_PER_JOB		4

#define MP_SALT			0x3e7a9f1c55d2b6e1ULL
#define MP_BACKING_LIVE		0xb0c1a11ce1e3e475ULL
#define MP_BACKING_DEAD		0xdeadb0c1a11cdeadULL

const char *const mp_counter_name[NR_MP_COUNTERS] = {
	[MP_SLEEPING_ALLOCS] = "sleeping_allocs",
	[MP_ATOMIC_ALLOCS] = "atomic_allocs",
	[MP_ATOMIC_CONTEXT] = "atomic_context_allocs",
	[MP_SLOW_ALLOCS] = "allocs_over_timeout",
	[MP_SENT] = "sent",
	[MP_RECEIVED] = "received",
	[MP_STOLEN_BACK] = "taken_back",
	[MP_SUBMITTED] = "in_flight",
	[MP_COMPLETED] = "in_flight_completed",
	[MP_PRESSURE_CHANGES] = "pressure_changes",
	[MP_INJECTED] = "backing_failures_injected",
	[MP_FULL_MASK_RETRIES] = "full_mask_retries",
	[MP_RESIZE_UP] = "resize_up",
	[MP_RESIZE_DOWN] = "resize_down",
	[MP_RESIZE_SAME] = "resize_same",
	[MP_RESIZE_ENOMEM] = "resize_enomem",
	[MP_CHECKS] = "invariant_checks",
	[MP_FREE_NULL] = "free_null",
};

/* The mempool call a CPU is in (struct mp_call.what). */
enum { MPC_NONE, MPC_ALLOC, MPC_FREE, MPC_CREATE, MPC_RESIZE, MPC_DESTROY };
static const char *const mpc_name[] = {
	"no mempool call", "mempool_alloc()", "mempool_free()", "mempool_create()",
	"mempool_resize()", "mempool_destroy()",
};

/* The context of a call: process, interrupts off, preemption off, an interrupt. */
enum { MP_CTX_PROCESS, MP_CTX_IRQS_OFF, MP_CTX_PREEMPT_OFF, MP_CTX_IRQ };

enum mp_kind { MPK_KMALLOC, MPK_SLAB, MPK_PAGE, MPK_CUSTOM };

/* One pool; see the map for who touches what. */
struct mp_pool {
	const char *name;
	unsigned int job;
	enum mp_kind kind;
	unsigned int size;		/* element bytes (a page pool's: set up) */
	unsigned int order;		/* page pools */
	int min_nr;			/* at creation */
	int wrapped;			/* our callbacks around mempool's helpers */
	int serialize;			/* one resize at a time: min_nr checked */
	int node;			/* mempool_create_node(): -1 the last one */
	char backing[40];
	char cache_name[32];
	mempool_t *pool;
	struct kmem_cache *cache;
	int torn_down;
	int last_min_nr, last_curr_nr;
	struct mempool_stats last;
	long live;			/* atomic (relaxed) */
	int resizing;			/* atomic (acquire/release) */
};

static struct mp_pool mp_pools[MP_POOLS] = {
	{ .name = "starve-kmalloc", .job = J_MEMPOOL_STARVE, .kind = MPK_KMALLOC, .size = 200,
	  .min_nr = 4, .wrapped = 1 },
	{ .name = "starve-slab", .job = J_MEMPOOL_STARVE, .kind = MPK_SLAB, .size = 96,
	  .min_nr = 3, .wrapped = 1 },
	{ .name = "starve-page", .job = J_MEMPOOL_STARVE, .kind = MPK_PAGE, .order = 0,
	  .min_nr = 2, .wrapped = 1 },
	{ .name = "starve-custom", .job = J_MEMPOOL_STARVE, .kind = MPK_CUSTOM, .size = 120,
	  .min_nr = 8, .wrapped = 1, .node = -1 },
	{ .name = "resize-kmalloc", .job = J_MEMPOOL_RESIZE, .kind = MPK_KMALLOC, .size = 512,
	  .min_nr = 8, .serialize = 0 },
	{ .name = "resize-slab", .job = J_MEMPOOL_RESIZE, .kind = MPK_SLAB, .size = 160,
	  .min_nr = 6, .serialize = 1 },
	{ .name = "resize-page", .job = J_MEMPOOL_RESIZE, .kind = MPK_PAGE, .order = 1,
	  .min_nr = 4, .serialize = 0 },
	{ .name = "resize-custom", .job = J_MEMPOOL_RESIZE, .kind = MPK_CUSTOM, .size = 120,
	  .min_nr = 4, .wrapped = 1, .serialize = 1, .node = 0 },
};

/* The pressure, per mille of backing allocations that fail, phase by phase. */
static const short mp_wave[] = { 0, 200, 500, 800, 1000, 1000, 1000, 1000, 700, 400, 100, 0 };

static struct run *mp_run;		/* for the callbacks */
static int mp_pressure_on;		/* off while pools are created */
static unsigned long mp_phase;		/* atomic (relaxed): the phase last counted */
static unsigned long mp_phase_len;	/* jiffies */
static unsigned long mp_dev_delay;	/* jiffies an element stays in flight */
static unsigned long long mp_timeout_ns;	/* what 5*HZ lasts on the host */
static int mp_timeout_mode;		/* 5*HZ is short: elements go in flight */

static struct {
	struct mp_hdr *el[MP_DEV_SLOTS];	/* atomic: see the map */
	unsigned long due[MP_DEV_SLOTS];	/* atomic (relaxed): a hint */
	int count;				/* atomic (relaxed): a hint */
} mp_dev;

/*
 * The first bytes of an element a CPU holds or hands on (pages: of its
 * memory; the pattern starts at 64 there, at MP_HDR elsewhere).
 */
struct mp_hdr {
	struct mp_hdr *next;		/* in an inbox */
	uint64_t tag;
	uint32_t pool;
	uint32_t check;			/* mp_hdr_check(tag, pool) */
	uint64_t pad;
};
BUILD_BUG_ON(sizeof(struct mp_hdr) != MP_HDR);

/* A custom pool's element is the payload after this, from kmalloc(). */
struct mp_backing {
	uint64_t magic;			/* MP_BACKING_LIVE, then _DEAD */
	uint64_t self;			/* the payload's address */
	uint32_t pool;
	uint32_t pad;
	uint64_t check;
};

/* ------------------------------------------------------------------ */
/* Elements and their patterns                                         */

static inline uint64_t mp_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t mp_word(uint64_t tag, size_t off)
{
	return mp_mix(tag + 0x9e3779b97f4a7c15ULL * (off + 1));
}

static inline uint32_t mp_hdr_check(uint64_t tag, unsigned int pool)
{
	return (uint32_t)mp_mix(tag ^ (uint64_t)pool << 56 ^ MP_SALT);
}

static inline size_t mp_next(size_t off)
{
	return off < 256 ? off + 8 : off + 256;
}

static uint64_t mp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline unsigned int mp_index(const struct mp_pool *mp)
{
	return (unsigned int)(mp - mp_pools);
}

/* The calling CPU's context (callbacks: they run on the calling CPU). */
static inline struct cpu_ctx *mp_this_cpu(void)
{
	return &mp_run->cpus[smp_processor_id()];
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

/* A CPU's next element identity: CPU, serial, job (as block_tag()). */
static uint64_t mp_tag(struct cpu_ctx *c, unsigned int job)
{
	return (uint64_t)c->cpu << 48 | (c->mp.serial++ & 0xffffffffffULL) << 8 | job;
}

static void mp_fill(const struct mp_pool *mp, void *el, uint64_t tag)
{
	struct mp_hdr *h = mp_mem(mp, el);

	if (mp->kind == MPK_PAGE) {
		block_fill(el, mp->order, tag);
	} else {
		unsigned char *b = (unsigned char *)h;

		for (size_t off = MP_HDR; off + 8 <= mp->size; off = mp_next(off))
			*(uint64_t *)(b + off) = mp_word(tag, off);
		*(uint64_t *)(b + mp->size - 8) = mp_word(tag, mp->size - 8);
	}
	h->next = NULL;
	h->tag = tag;
	h->pool = mp_index(mp);
	h->check = mp_hdr_check(tag, mp_index(mp));
	h->pad = 0;
}

static int mp_bad_word(struct cpu_ctx *c, const struct mp_pool *mp, const void *mem, uint64_t tag,
		       size_t off, uint64_t want, uint64_t got, const char *when)
{
	add_violation(c->run, "data-corruption", (int)c->cpu,
		      "DATA CORRUPTION on CPU %u %s: element %p of mempool %s (%u bytes), CPU %llu's "
		      "element %llu (job %s): at +%#zx expected %016llx, found %016llx",
		      c->cpu, when, mem, mp->name, mp->size, (unsigned long long)(tag >> 48),
		      (unsigned long long)((tag >> 8) & 0xffffffffffULL),
		      (tag & 0xff) < nr_jobs ? jobs[tag & 0xff].name : "?", off,
		      (unsigned long long)want, (unsigned long long)got);
	return 1;
}

/* 0: the element shows its header and tag's pattern; 1: reported. */
static int mp_verify(struct cpu_ctx *c, const struct mp_pool *mp, void *el, uint64_t tag,
		     const char *when)
{
	const struct mp_hdr *h = mp_mem(mp, el);
	const unsigned char *b = (const unsigned char *)h;

	if (unlikely(h->tag != tag))
		return mp_bad_word(c, mp, h, tag, offsetof(struct mp_hdr, tag), tag, h->tag, when);
	if (unlikely(h->pool != mp_index(mp) || h->check != mp_hdr_check(tag, mp_index(mp))))
		return mp_bad_word(c, mp, h, tag, offsetof(struct mp_hdr, pool),
				   (uint64_t)mp_hdr_check(tag, mp_index(mp)) << 32 | mp_index(mp),
				   (uint64_t)h->check << 32 | h->pool, when);
	if (mp->kind == MPK_PAGE)
		return block_verify(c, el, mp->order, tag, when);
	for (size_t off = MP_HDR; off + 8 <= mp->size; off = mp_next(off))
		if (unlikely(*(const uint64_t *)(b + off) != mp_word(tag, off)))
			return mp_bad_word(c, mp, h, tag, off, mp_word(tag, off),
					   *(const uint64_t *)(b + off), when);
	if (unlikely(*(const uint64_t *)(b + mp->size - 8) != mp_word(tag, mp->size - 8)))
		return mp_bad_word(c, mp, h, tag, mp->size - 8, mp_word(tag, mp->size - 8),
				   *(const uint64_t *)(b + mp->size - 8), when);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Calls into mempool, and what the backing callbacks check of them    */

static void mp_ctx_enter(unsigned int ctx, unsigned long *flags)
{
	switch (ctx) {
	case MP_CTX_IRQS_OFF:
		local_irq_save(*flags);
		break;
	case MP_CTX_PREEMPT_OFF:
		preempt_disable();
		break;
	case MP_CTX_IRQ:
		irq_enter();
		break;
	default:
		break;
	}
}

static void mp_ctx_exit(unsigned int ctx, unsigned long flags)
{
	switch (ctx) {
	case MP_CTX_IRQS_OFF:
		local_irq_restore(flags);
		break;
	case MP_CTX_PREEMPT_OFF:
		preempt_enable();
		break;
	case MP_CTX_IRQ:
		irq_exit();
		break;
	default:
		break;
	}
}

static void mp_call_begin(struct cpu_ctx *c, int what, unsigned int pi, gfp_t gfp)
{
	c->mp.call.what = what;
	c->mp.call.pool = (int)pi;
	c->mp.call.gfp = gfp;
	c->mp.call.irqs_off = irqs_disabled();
	c->mp.call.backing_calls = 0;
}

static void mp_call_end(struct cpu_ctx *c)
{
	c->mp.call.what = MPC_NONE;
}

/* Is this call of pool->alloc (alloc) or pool->free one mempool may make? */
static void mp_check_callback(struct cpu_ctx *c, const struct mp_pool *mp, int alloc, gfp_t gfp)
{
	const gfp_t need = __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;
	struct mp_call *k = &c->mp.call;
	const char *fn = alloc ? "pool->alloc" : "pool->free";
	char got[160], asked[160];

	if (k->what == MPC_NONE || k->pool != (int)mp_index(mp)) {
		add_violation(c->run, "mempool-callback", (int)c->cpu,
			      "%s of %s called outside any mempool call on that pool (CPU %u is in %s%s%s)",
			      fn, mp->name, c->cpu, mpc_name[k->what], k->what ? " of " : "",
			      k->what ? mp_pools[k->pool].name : "");
		return;
	}
	if ((alloc && (k->what == MPC_FREE || k->what == MPC_DESTROY)) ||
	    (!alloc && k->what == MPC_ALLOC))
		add_violation(c->run, "mempool-callback", (int)c->cpu, "%s of %s called from %s",
			      fn, mp->name, mpc_name[k->what]);
	if (irqs_disabled() != k->irqs_off)
		add_violation(c->run, "mempool-callback", (int)c->cpu,
			      "%s of %s called from %s with interrupts %s, the caller had them %s "
			      "(under pool->lock?)", fn, mp->name, mpc_name[k->what],
			      irqs_disabled() ? "off" : "on", k->irqs_off ? "off" : "on");
	if (!alloc)
		return;
	format_gfp(got, sizeof(got), gfp);
	if (k->what != MPC_ALLOC) {
		if ((gfp & GFP_KERNEL) != GFP_KERNEL)
			add_violation(c->run, "mempool-callback", (int)c->cpu,
				      "pool->alloc of %s called from %s with %s, not GFP_KERNEL",
				      mp->name, mpc_name[k->what], got);
		return;
	}
	format_gfp(asked, sizeof(asked), k->gfp);
	if ((gfp & need) != need)
		add_violation(c->run, "mempool-callback", (int)c->cpu,
			      "mempool_alloc(%s, %s) called pool->alloc with %s: __GFP_NOMEMALLOC, "
			      "__GFP_NORETRY and __GFP_NOWARN must all be set", mp->name, asked, got);
	if (gfp & ~(k->gfp | need))
		add_violation(c->run, "mempool-callback", (int)c->cpu,
			      "mempool_alloc(%s, %s) called pool->alloc with %s: bits %#x the caller "
			      "did not give (it may not sleep or do I/O)", mp->name, asked, got,
			      gfp & ~(k->gfp | need));
	if (!k->backing_calls && (gfp & (__GFP_DIRECT_RECLAIM | __GFP_IO)))
		add_violation(c->run, "mempool-callback", (int)c->cpu,
			      "mempool_alloc(%s, %s) first tried pool->alloc with %s: the first try "
			      "must not reclaim or do I/O (the reserve comes first)", mp->name, asked, got);
	else if (k->backing_calls && (gfp & __GFP_DIRECT_RECLAIM))
		c->mp.cnt[MP_FULL_MASK_RETRIES]++;
	k->backing_calls++;
}

static int mp_pressure_now(void);

/* The pressure decides: 1 if this backing allocation must fail. */
static int mp_backing_fails(struct cpu_ctx *c)
{
	int p = mp_pressure_on ? mp_pressure_now() : 0;

	if (!p || (int)prng_below(&c->mp.rng, 1000) >= p)
		return 0;
	c->mp.cnt[MP_INJECTED]++;
	return 1;
}

static void mp_backing_got(struct mp_pool *mp, void *el)
{
	if (el)
		__atomic_fetch_add(&mp->live, 1, __ATOMIC_RELAXED);
}

/* 0 if pool->free may go on with el. */
static int mp_backing_put(struct cpu_ctx *c, struct mp_pool *mp, void *el)
{
	mp_check_callback(c, mp, 0, 0);
	if (unlikely(!el)) {
		add_violation(c->run, "mempool-callback", (int)c->cpu,
			      "pool->free of %s called with NULL from %s", mp->name,
			      mpc_name[c->mp.call.what]);
		return -1;
	}
	__atomic_fetch_sub(&mp->live, 1, __ATOMIC_RELAXED);
	return 0;
}

static void *mp_alloc_kmalloc(gfp_t gfp, void *data)
{
	struct cpu_ctx *c = mp_this_cpu();
	struct mp_pool *mp = data;
	void *el;

	mp_check_callback(c, mp, 1, gfp);
	if (mp_backing_fails(c))
		return NULL;
	el = mempool_kmalloc(gfp, (void *)(uintptr_t)mp->size);
	mp_backing_got(mp, el);
	return el;
}

static void mp_free_kmalloc(void *el, void *data)
{
	struct mp_pool *mp = data;

	if (!mp_backing_put(mp_this_cpu(), mp, el))
		mempool_kfree(el, (void *)(uintptr_t)mp->size);
}

static void *mp_alloc_slab(gfp_t gfp, void *data)
{
	struct cpu_ctx *c = mp_this_cpu();
	struct mp_pool *mp = data;
	void *el;

	mp_check_callback(c, mp, 1, gfp);
	if (mp_backing_fails(c))
		return NULL;
	el = mempool_alloc_slab(gfp, mp->cache);
	mp_backing_got(mp, el);
	return el;
}

static void mp_free_slab(void *el, void *data)
{
	struct mp_pool *mp = data;

	if (!mp_backing_put(mp_this_cpu(), mp, el))
		mempool_free_slab(el, mp->cache);
}

static void *mp_alloc_page(gfp_t gfp, void *data)
{
	struct cpu_ctx *c = mp_this_cpu();
	struct mp_pool *mp = data;
	void *el;

	mp_check_callback(c, mp, 1, gfp);
	if (mp_backing_fails(c))
		return NULL;
	el = mempool_alloc_pages(gfp, (void *)(uintptr_t)mp->order);
	mp_backing_got(mp, el);
	return el;
}

static void mp_free_page(void *el, void *data)
{
	struct mp_pool *mp = data;

	if (!mp_backing_put(mp_this_cpu(), mp, el))
		mempool_free_pages(el, (void *)(uintptr_t)mp->order);
}

static uint64_t mp_backing_check(const struct mp_backing *b)
{
	return mp_mix(b->self ^ MP_BACKING_LIVE ^ (uint64_t)b->pool << 40);
}

static void *mp_alloc_custom(gfp_t gfp, void *data)
{
	struct cpu_ctx *c = mp_this_cpu();
	struct mp_pool *mp = data;
	struct mp_backing *b;

	mp_check_callback(c, mp, 1, gfp);
	if (mp_backing_fails(c))
		return NULL;
	b = kmalloc(sizeof(*b) + mp->size, gfp);
	if (!b)
		return NULL;
	b->magic = MP_BACKING_LIVE;
	b->self = (uint64_t)(uintptr_t)(b + 1);
	b->pool = mp_index(mp);
	b->pad = 0;
	b->check = mp_backing_check(b);
	mp_backing_got(mp, b + 1);
	return b + 1;
}

/* Did el come from mp's pool->alloc, and is it not freed yet? */
static int mp_backing_ok(const struct mp_pool *mp, const void *el)
{
	const struct mp_backing *b = (const struct mp_backing *)el - 1;

	return b->magic == MP_BACKING_LIVE && b->self == (uint64_t)(uintptr_t)el &&
	       b->pool == mp_index(mp) && b->check == mp_backing_check(b);
}

static void mp_free_custom(void *el, void *data)
{
	struct cpu_ctx *c = mp_this_cpu();
	struct mp_pool *mp = data;
	struct mp_backing *b;

	if (!el) {
		mp_backing_put(c, mp, el);
		return;
	}
	b = (struct mp_backing *)el - 1;
	if (!mp_backing_ok(mp, el)) {
		mp_check_callback(c, mp, 0, 0);
		add_violation(c->run, "mempool-callback", (int)c->cpu,
			      "pool->free of %s called from %s with %p, which its pool->alloc did not "
			      "return or which was freed already (magic %016llx): not freed", mp->name,
			      mpc_name[c->mp.call.what], el, (unsigned long long)b->magic);
		return;
	}
	if (mp_backing_put(c, mp, el))
		return;
	b->magic = MP_BACKING_DEAD;
	kfree(b);
}

/* ------------------------------------------------------------------ */
/* Held elements                                                       */

static int mp_held_count(const struct cpu_ctx *c, unsigned int pi)
{
	int n = 0;

	for (int i = 0; i < c->mp.nheld; i++)
		n += c->mp.held[i].pool == pi;
	return n;
}

static struct mp_held mp_unhold(struct cpu_ctx *c, int i)
{
	struct mp_held e = c->mp.held[i];

	c->mp.held[i] = c->mp.held[--c->mp.nheld];
	return e;
}

/* Give el back to its pool in context ctx, its pattern checked first. */
static void mp_free(struct cpu_ctx *c, unsigned int pi, void *el, uint64_t tag, unsigned int ctx,
		    const char *when)
{
	struct mp_pool *mp = &mp_pools[pi];
	unsigned long flags = 0;

	mp_verify(c, mp, el, tag, when);
	mp_ctx_enter(ctx, &flags);
	mp_call_begin(c, MPC_FREE, pi, 0);
	mempool_free(el, mp->pool);
	mp_call_end(c);
	mp_ctx_exit(ctx, flags);
	c->mp.pool_cnt[pi][MPP_FREES]++;
}

static void mp_free_held(struct cpu_ctx *c, int i, unsigned int ctx, const char *when)
{
	struct mp_held e = mp_unhold(c, i);

	mp_free(c, e.pool, e.el, e.tag, ctx, when);
}

/* Free every element on a list taken from an inbox. */
static void mp_free_list(struct cpu_ctx *c, struct mp_hdr *h, enum mp_counter counter,
			 const char *when)
{
	while (h) {
		struct mp_hdr *next = h->next;
		unsigned int pi = h->pool;

		if (unlikely(pi >= MP_POOLS || !mp_pools[pi].pool ||
			     h->check != mp_hdr_check(h->tag, pi))) {
			add_violation(c->run, "data-corruption", (int)c->cpu,
				      "DATA CORRUPTION on CPU %u %s: element at %p has a damaged header "
				      "(tag %016llx pool %u check %08x): it and the rest of its list are "
				      "not freed", c->cpu, when, (void *)h, (unsigned long long)h->tag,
				      pi, h->check);
			return;
		}
		mp_free(c, pi, mp_el(&mp_pools[pi], h), h->tag, MP_CTX_PROCESS, when);
		c->mp.cnt[counter]++;
		h = next;
	}
}

/* ------------------------------------------------------------------ */
/* Elements handed to other CPUs, and in flight                        */

/* Free what other CPUs handed to c (its next mempool operation). */
static void mp_inbox_drain(struct cpu_ctx *c)
{
	struct mp_hdr *h;

	/* Relaxed: a hint; an element missed now is taken next time. */
	if (!__atomic_load_n((struct mp_hdr **)&c->mp.inbox, __ATOMIC_RELAXED))
		return;
	/* Seq_cst: pairs with the push of mp_send() (acquire is enough here). */
	h = __atomic_exchange_n((struct mp_hdr **)&c->mp.inbox, NULL, __ATOMIC_SEQ_CST);
	mp_free_list(c, h, MP_RECEIVED, "on receiving it from another CPU");
}

/*
 * c may sleep in mempool_alloc() (how 1) or has stopped (2): no element
 * may stay in its inbox.  Seq_cst store, then seq_cst exchange: with
 * mp_send()'s seq_cst push and load, either this exchange sees the
 * element or the sender sees nosend and takes it back.
 */
static void mp_close(struct cpu_ctx *c, int how)
{
	struct mp_hdr *h;

	__atomic_store_n(&c->mp.nosend, how, __ATOMIC_SEQ_CST);
	h = __atomic_exchange_n((struct mp_hdr **)&c->mp.inbox, NULL, __ATOMIC_SEQ_CST);
	mp_free_list(c, h, MP_RECEIVED, "on receiving it from another CPU");
}

static void mp_open(struct cpu_ctx *c)
{
	/* Relaxed: a sender that still sees 1 only frees its element itself. */
	__atomic_store_n(&c->mp.nosend, 0, __ATOMIC_RELAXED);
}

/* Hand a held element (out of held[]) to CPU to, which checks and frees it. */
static void mp_send(struct cpu_ctx *c, const struct mp_held *e, unsigned int to)
{
	struct cpu_ctx *dst = &c->run->cpus[to];
	struct mp_pool *mp = &mp_pools[e->pool];
	struct mp_hdr *h = mp_mem(mp, e->el), *head;

	/* Relaxed: a hint (the seq_cst load below decides). */
	if (to == c->cpu || __atomic_load_n(&dst->mp.nosend, __ATOMIC_RELAXED) ||
	    mp_verify(c, mp, e->el, e->tag, "before handing it to another CPU")) {
		mp_free(c, e->pool, e->el, e->tag, MP_CTX_PROCESS, "before freeing it");
		return;
	}
	head = __atomic_load_n((struct mp_hdr **)&dst->mp.inbox, __ATOMIC_RELAXED);
	do {
		h->next = head;
		/* Seq_cst (release at least: the element before it is seen). */
	} while (!__atomic_compare_exchange_n((struct mp_hdr **)&dst->mp.inbox, &head, h, 1,
					      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	c->mp.cnt[MP_SENT]++;
	/* Seq_cst: pairs with mp_close(); the receiver may be asleep in
	 * mempool_alloc(), so its inbox goes back to us to free. */
	if (__atomic_load_n(&dst->mp.nosend, __ATOMIC_SEQ_CST)) {
		h = __atomic_exchange_n((struct mp_hdr **)&dst->mp.inbox, NULL, __ATOMIC_SEQ_CST);
		mp_free_list(c, h, MP_STOLEN_BACK,
			     "on taking it back from a CPU that may sleep in mempool_alloc()");
	}
}

/* Put a held element in flight; freed when due (now if there is no room). */
static void mp_submit(struct cpu_ctx *c, const struct mp_held *e, uint64_t r)
{
	struct mp_hdr *h = mp_mem(&mp_pools[e->pool], e->el);

	for (unsigned int k = 0, i = (unsigned int)(r % MP_DEV_SLOTS); k < MP_DEV_SLOTS;
	     k++, i = (i + 1) % MP_DEV_SLOTS) {
		struct mp_hdr *none = NULL;

		if (__atomic_load_n(&mp_dev.el[i], __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&mp_dev.due[i], jiffies + mp_dev_delay, __ATOMIC_RELAXED);
		/* Release: the element's header and pattern before it is seen. */
		if (!__atomic_compare_exchange_n(&mp_dev.el[i], &none, h, 0, __ATOMIC_RELEASE,
						 __ATOMIC_RELAXED))
			continue;
		__atomic_fetch_add(&mp_dev.count, 1, __ATOMIC_RELAXED);
		c->mp.cnt[MP_SUBMITTED]++;
		return;
	}
	mp_free(c, e->pool, e->el, e->tag, MP_CTX_PROCESS, "before freeing it");
}

/* Complete the elements in flight that are due (all: every one), in an
 * interrupt, as an I/O completion frees its request. */
static void mp_dev_poll(struct cpu_ctx *c, int all)
{
	unsigned long now;

	if (!__atomic_load_n(&mp_dev.count, __ATOMIC_RELAXED))
		return;
	now = jiffies;
	for (unsigned int i = 0; i < MP_DEV_SLOTS; i++) {
		struct mp_hdr *h = __atomic_load_n(&mp_dev.el[i], __ATOMIC_RELAXED);
		unsigned int pi;

		if (!h || (!all && time_before(now, __atomic_load_n(&mp_dev.due[i], __ATOMIC_RELAXED))))
			continue;
		/* Acquire: pairs with the release of mp_submit(); one CPU wins. */
		if (!__atomic_compare_exchange_n(&mp_dev.el[i], &h, NULL, 0, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			continue;
		__atomic_fetch_sub(&mp_dev.count, 1, __ATOMIC_RELAXED);
		pi = h->pool;
		if (unlikely(pi >= MP_POOLS || !mp_pools[pi].pool ||
			     h->check != mp_hdr_check(h->tag, pi))) {
			add_violation(c->run, "data-corruption", (int)c->cpu,
				      "DATA CORRUPTION on CPU %u on completing it: element in flight at "
				      "%p has a damaged header (tag %016llx pool %u): not freed", c->cpu,
				      (void *)h, (unsigned long long)h->tag, pi);
			continue;
		}
		mp_free(c, pi, mp_el(&mp_pools[pi], h), h->tag, MP_CTX_IRQ, "on completing its I/O");
		c->mp.cnt[MP_COMPLETED]++;
	}
}

/* ------------------------------------------------------------------ */
/* Allocating                                                          */

/*
 * The pressure now: a function of jiffies only, so that it falls even when
 * every CPU sleeps (a knob turned by the CPUs' operations would stay at
 * 100% with nobody left to turn it).
 */
static int mp_pressure_now(void)
{
	return mp_wave[(jiffies / mp_phase_len) % ARRAY_SIZE(mp_wave)];
}

/* Count the phases as they change (the first CPU to see a new one). */
static void mp_knob(struct cpu_ctx *c)
{
	unsigned long phase = jiffies / mp_phase_len;
	unsigned long last = __atomic_load_n(&mp_phase, __ATOMIC_RELAXED);

	/* Relaxed: only counted; one CPU counts each phase. */
	if (phase != last && __atomic_compare_exchange_n(&mp_phase, &last, phase, 0,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		c->mp.cnt[MP_PRESSURE_CHANGES]++;
}

/* Before sleeping on pool pi: nothing held of pools >= pi (see the map). */
static void mp_release_from(struct cpu_ctx *c, unsigned int pi)
{
	for (int i = c->mp.nheld - 1; i >= 0; i--)
		if (c->mp.held[i].pool >= pi)
			mp_free_held(c, i, MP_CTX_PROCESS, "before sleeping in mempool_alloc()");
}

/* mempool_alloc() of pool pi with gfp kind, in context ctx (atomic kinds). */
static void *mp_alloc(struct cpu_ctx *c, unsigned int pi, enum gfp_kind kind, unsigned int ctx)
{
	struct mp_pool *mp = &mp_pools[pi];
	gfp_t gfp = gfp_kind_mask[kind];
	int sleeping = gfpflags_allow_blocking(gfp);
	uint64_t *pc = c->mp.pool_cnt[pi], t0, ns;
	unsigned long flags = 0;
	void *el;

	if (sleeping) {
		ctx = MP_CTX_PROCESS;
		mp_release_from(c, pi);
		mp_close(c, 1);
		c->mp.cnt[MP_SLEEPING_ALLOCS]++;
	} else {
		c->mp.cnt[MP_ATOMIC_ALLOCS]++;
		if (ctx != MP_CTX_PROCESS || in_interrupt())
			c->mp.cnt[MP_ATOMIC_CONTEXT]++;
	}
	mp_ctx_enter(ctx, &flags);
	mp_call_begin(c, MPC_ALLOC, pi, gfp);
	t0 = mp_now_ns();
	el = mempool_alloc(mp->pool, gfp);
	ns = mp_now_ns() - t0;
	mp_call_end(c);
	mp_ctx_exit(ctx, flags);
	if (sleeping)
		mp_open(c);
	if (ns > pc[MPP_MAX_NS])
		pc[MPP_MAX_NS] = ns;
	if (ns > mp_timeout_ns) {
		pc[MPP_SLOW]++;
		c->mp.cnt[MP_SLOW_ALLOCS]++;
	}
	if (el) {
		pc[MPP_ALLOCS]++;
		return el;
	}
	pc[MPP_NULLS]++;
	count_failure(c, mp->job, kind, mp->kind == MPK_PAGE ? mp->order : 0);
	if (sleeping)
		add_violation(c->run, "mempool-null", (int)c->cpu,
			      "mempool_alloc(%s, %s) returned NULL after %.1f ms: a caller that may "
			      "sleep must always get an element", mp->name, gfp_kind_name[kind],
			      (double)ns / 1e6);
	return NULL;
}

static const enum gfp_kind mp_kinds[] = {
	GK_KERNEL, GK_KERNEL, GK_KERNEL, GK_KERNEL, GK_KERNEL, GK_NOIO, GK_NOFS,
	GK_ATOMIC, GK_ATOMIC, GK_ATOMIC, GK_NOWAIT, GK_NOWAIT,
};

/* A new element of pool pi, patterned, then held or handed on (from r). */
static void mp_alloc_use(struct cpu_ctx *c, unsigned int job, unsigned int pi, uint64_t r,
			 uint64_t r2)
{
	enum gfp_kind kind = mp_kinds[(r >> 8) % ARRAY_SIZE(mp_kinds)];
	struct mp_held e;

	/* at most MP_HOLD_PER_POOL of a pool: one goes before another comes */
	if (mp_held_count(c, pi) >= MP_HOLD_PER_POOL || c->mp.nheld == MP_HELD_MAX)
		for (int i = 0; i < c->mp.nheld; i++)
			if (c->mp.held[i].pool == pi || c->mp.nheld == MP_HELD_MAX) {
				mp_free_held(c, i, MP_CTX_PROCESS, "before freeing it");
				break;
			}
	e.el = mp_alloc(c, pi, kind, (unsigned int)((r >> 12) % 4));
	if (!e.el)
		return;
	e.pool = (uint8_t)pi;
	e.tag = mp_tag(c, job);
	e.expiry = c->nr_ops + 1 + (r2 >> 8) % 48;
	mp_fill(&mp_pools[pi], e.el, e.tag);
	if (r2 % 4 == 0)
		mp_send(c, &e, pick_target(c, r2 >> 16));
	else if (c->mp.nheld < MP_HELD_MAX)
		c->mp.held[c->mp.nheld++] = e;
	else
		mp_free(c, pi, e.el, e.tag, MP_CTX_PROCESS, "before freeing it");
}

/* A burst of GFP_NOWAIT allocations: in flight, or freed at once. */
static void mp_burst(struct cpu_ctx *c, unsigned int job, unsigned int pi, uint64_t r)
{
	struct mp_held e[8];
	unsigned int n = 1 + (unsigned int)(r % ARRAY_SIZE(e)), got = 0;

	for (unsigned int k = 0; k < n; k++) {
		e[got].el = mp_alloc(c, pi, GK_NOWAIT, MP_CTX_PROCESS);
		if (!e[got].el)
			break;
		e[got].pool = (uint8_t)pi;
		e[got].tag = mp_tag(c, job);
		e[got].expiry = 0;
		mp_fill(&mp_pools[pi], e[got].el, e[got].tag);
		got++;
	}
	for (unsigned int k = 0; k < got; k++) {
		if (mp_timeout_mode)
			mp_submit(c, &e[k], r >> 8);
		else
			mp_free(c, pi, e[k].el, e[k].tag, MP_CTX_PROCESS, "before freeing it");
	}
}

/* In an interrupt: a few GFP_ATOMIC elements, freed there. */
static void mp_irq_burst(struct cpu_ctx *c, unsigned int job, unsigned int pi, uint64_t r)
{
	struct mp_held e[4];
	unsigned int n = 1 + (unsigned int)(r % ARRAY_SIZE(e)), got = 0;

	irq_enter();
	for (unsigned int k = 0; k < n; k++) {
		e[got].el = mp_alloc(c, pi, GK_ATOMIC, MP_CTX_PROCESS);
		if (!e[got].el)
			continue;
		e[got].pool = (uint8_t)pi;
		e[got].tag = mp_tag(c, job);
		mp_fill(&mp_pools[pi], e[got].el, e[got].tag);
		got++;
	}
	while (got--)
		mp_free(c, pi, e[got].el, e[got].tag, MP_CTX_PROCESS, "before freeing it");
	irq_exit();
}

/* ------------------------------------------------------------------ */
/* Checks                                                              */

/* What pool->lock must show: see the map.  mempool_is_valid() checks the
 * pool's own invariants, then the reserve is checked against what only
 * the job knows: its elements' backing, and what this CPU holds. */
static void mp_check_pool(struct cpu_ctx *c, unsigned int pi)
{
	struct mp_pool *mp = &mp_pools[pi];
	mempool_t *pool = mp->pool;
	void *seen[MP_CHECK_MAX];
	int curr_nr, n, bad_backing = -1, bad_count = -1, count = 0, bad;
	char report[600] = "";
	unsigned long flags;
	FILE *f;

	c->mp.cnt[MP_CHECKS]++;
	f = fmemopen(report, sizeof(report) - 1, "w");
	bad = mempool_is_valid(pool, f);
	if (f)
		fclose(f);
	if (bad)
		add_violation(c->run, "mempool-invariant", (int)c->cpu, "%s: %d violation%s: %s",
			      mp->name, bad, str_plural(bad), report);
	spin_lock_irqsave(&pool->lock, flags);
	curr_nr = pool->curr_nr;
	n = clamp(curr_nr, 0, MP_CHECK_MAX);
	for (int i = 0; i < n; i++) {
		seen[i] = pool->elements[i];
		if (!seen[i])
			continue;
		/* the reserve's elements are the pool's, under its lock */
		if (mp->kind == MPK_CUSTOM && bad_backing < 0 && !mp_backing_ok(mp, seen[i]))
			bad_backing = i;
		if (mp->kind == MPK_PAGE && bad_count < 0 &&
		    (count = page_count(seen[i])) != 1)
			bad_count = i;
	}
	spin_unlock_irqrestore(&pool->lock, flags);

	if (bad_backing >= 0)
		add_violation(c->run, "mempool-invariant", (int)c->cpu,
			      "%s: elements[%d] = %p in the reserve is not an element of its "
			      "pool->alloc (or was freed)", mp->name, bad_backing, seen[bad_backing]);
	if (bad_count >= 0)
		add_violation(c->run, "mempool-invariant", (int)c->cpu,
			      "%s: elements[%d] = pfn %#lx in the reserve has page count %d, not 1",
			      mp->name, bad_count, page_to_pfn(seen[bad_count]), count);
	for (int i = 0; i < n; i++)
		for (int h = 0; seen[i] && h < c->mp.nheld; h++)
			if (c->mp.held[h].el == seen[i]) {
				add_violation(c->run, "mempool-invariant", (int)c->cpu,
					      "%s: %p is in the reserve (elements[%d]) while CPU %u holds "
					      "it", mp->name, seen[i], i, c->cpu);
				return;
			}
}

/* ------------------------------------------------------------------ */
/* Resizing                                                            */

static void mp_resize(struct cpu_ctx *c, unsigned int pi, int new_min)
{
	struct mp_pool *mp = &mp_pools[pi];
	int excl = 0, old, ret, min_nr, curr_nr;
	unsigned long flags;

	if (mp->serialize) {
		int idle = 0;

		/* Acquire: after the previous resize of this pool (release). */
		if (!__atomic_compare_exchange_n(&mp->resizing, &idle, 1, 0, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			return;
		excl = 1;
	}
	spin_lock_irqsave(&mp->pool->lock, flags);
	old = mp->pool->min_nr;
	spin_unlock_irqrestore(&mp->pool->lock, flags);

	mp_call_begin(c, MPC_RESIZE, pi, GFP_KERNEL);
	ret = mempool_resize(mp->pool, new_min);
	mp_call_end(c);

	spin_lock_irqsave(&mp->pool->lock, flags);
	min_nr = mp->pool->min_nr;
	curr_nr = mp->pool->curr_nr;
	spin_unlock_irqrestore(&mp->pool->lock, flags);
	if (excl)
		/* Release: this resize before the next one. */
		__atomic_store_n(&mp->resizing, 0, __ATOMIC_RELEASE);

	if (ret == -ENOMEM) {
		c->mp.cnt[MP_RESIZE_ENOMEM]++;
	} else if (ret) {
		add_violation(c->run, "mempool-resize", (int)c->cpu,
			      "mempool_resize(%s, %d) returned %d (0 or -ENOMEM expected)", mp->name,
			      new_min, ret);
	} else {
		c->mp.cnt[new_min > old ? MP_RESIZE_UP : new_min < old ? MP_RESIZE_DOWN :
			  MP_RESIZE_SAME]++;
		if (excl && min_nr != new_min)
			add_violation(c->run, "mempool-resize", (int)c->cpu,
				      "mempool_resize(%s, %d) from %d returned 0 and no other resize ran, "
				      "but min_nr is %d", mp->name, new_min, old, min_nr);
	}
	if (curr_nr < 0 || curr_nr > min_nr)
		add_violation(c->run, "mempool-invariant", (int)c->cpu,
			      "%s after mempool_resize(%d) from %d: curr_nr %d, min_nr %d", mp->name,
			      new_min, old, curr_nr, min_nr);
}

/* ------------------------------------------------------------------ */
/* The operations                                                      */

/* What every mempool operation does first. */
static void mp_op_start(struct cpu_ctx *c)
{
	mp_knob(c);
	mp_inbox_drain(c);
	mp_dev_poll(c, 0);
	/* elements past their lifetime go, two at most */
	for (int i = c->mp.nheld - 1, n = 2; i >= 0 && n > 0; i--)
		if (c->mp.held[i].expiry <= c->nr_ops) {
			mp_free_held(c, i, MP_CTX_PROCESS, "before freeing it");
			n--;
		}
}

/* Free a held element, in process context, with interrupts off or in an
 * interrupt; with none, now and then mempool_free(NULL) (a no-op). */
static void mp_free_one(struct cpu_ctx *c, unsigned int pi, uint64_t r)
{
	static const unsigned int ctxs[] = { MP_CTX_PROCESS, MP_CTX_PROCESS, MP_CTX_IRQS_OFF,
					     MP_CTX_IRQ };

	if (!c->mp.nheld) {
		if ((r >> 8) % 8)
			return;
		mp_call_begin(c, MPC_FREE, pi, 0);
		mempool_free(NULL, mp_pools[pi].pool);
		mp_call_end(c);
		c->mp.cnt[MP_FREE_NULL]++;
		return;
	}
	mp_free_held(c, (int)(r % (unsigned int)c->mp.nheld), ctxs[(r >> 16) % ARRAY_SIZE(ctxs)],
		     "before freeing it");
}

static void mp_send_one(struct cpu_ctx *c, uint64_t r)
{
	struct mp_held e;

	if (!c->mp.nheld)
		return;
	e = mp_unhold(c, (int)(r % (unsigned int)c->mp.nheld));
	mp_send(c, &e, pick_target(c, r >> 16));
}

static void mp_verify_one(struct cpu_ctx *c, uint64_t r)
{
	const struct mp_held *e;

	if (!c->mp.nheld)
		return;
	e = &c->mp.held[r % (unsigned int)c->mp.nheld];
	mp_verify(c, &mp_pools[e->pool], e->el, e->tag, "at a random check");
}

int mempool_starve_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng), r2 = prng_next(&c->rng), r3 = prng_next(&c->rng);
	unsigned int action = r % 16, pi = MP_STARVE_FIRST + (unsigned int)((r >> 4) % MP_PER_JOB);

	a[0] = r;
	a[1] = r2;
	a[2] = r3;
	op_begin(c, J_MEMPOOL_STARVE, a);
	if (!mp_pools[pi].pool)
		return -1;
	mp_op_start(c);
	if (action < 7)
		mp_alloc_use(c, J_MEMPOOL_STARVE, pi, r, r2);
	else if (action < 9)
		mp_send_one(c, r2);
	else if (action < 12)
		mp_free_one(c, pi, r2);
	else if (action < 13)
		mp_verify_one(c, r2);
	else if (action < 14)
		mp_check_pool(c, pi);
	else if (action < 15)
		mp_burst(c, J_MEMPOOL_STARVE, pi, r3);
	else
		mp_irq_burst(c, J_MEMPOOL_STARVE, pi, r3);
	return 0;
}

int mempool_resize_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng), r2 = prng_next(&c->rng), r3 = prng_next(&c->rng);
	unsigned int action = r % 16, pi = MP_RESIZE_FIRST + (unsigned int)((r >> 4) % MP_PER_JOB);

	a[0] = r;
	a[1] = r2;
	a[2] = r3;
	op_begin(c, J_MEMPOOL_RESIZE, a);
	if (!mp_pools[pi].pool)
		return -1;
	mp_op_start(c);
	if (action < 3)
		mp_resize(c, pi, 1 + (int)(r3 % MP_RESIZE_MAX));
	else if (action < 10)
		mp_alloc_use(c, J_MEMPOOL_RESIZE, pi, r, r2);
	else if (action < 12)
		mp_free_one(c, pi, r2);
	else if (action < 13)
		mp_verify_one(c, r2);
	else if (action < 15)
		mp_check_pool(c, pi);
	else
		mp_send_one(c, r2);
	return 0;
}

/* A CPU stops: everything it holds goes back, nothing more comes to it. */
void mempool_jobs_release(struct cpu_ctx *c)
{
	while (c->mp.nheld)
		mp_free_held(c, c->mp.nheld - 1, MP_CTX_PROCESS, "before freeing it at the end");
	mp_close(c, 2);
	mp_dev_poll(c, 1);
}

/* ------------------------------------------------------------------ */
/* Set up and tear down (the main thread, attached as CPU 0)           */

static void mp_common_setup(struct run *run)
{
	if (mp_run == run)
		return;
	mp_run = run;
	for (unsigned int k = 0; k < run->nr_cpus; k++)
		prng_seed(&run->cpus[k].mp.rng, run->opt.seed ^ MP_SALT, k);
	mp_timeout_ns = jiffies_to_host_ns(5 * HZ);
	/* hz_scale >= 5: the timeout is short enough to be met on purpose */
	mp_timeout_mode = mp_timeout_ns <= 1000000000ULL;
	if (mp_timeout_mode) {
		mp_phase_len = 2 * HZ;		/* 100%: 8*HZ, 1.6 timeouts */
		mp_dev_delay = 6 * HZ;		/* a sleeper meets a timeout */
	} else {
		/* phases of 100 ms: the sleepers are woken by frees */
		mp_phase_len = max(1UL, (unsigned long)(HZ * 100000000ULL /
							max(jiffies_to_host_ns(HZ), 1ULL)));
		mp_dev_delay = 0;
	}
	__atomic_store_n(&mp_phase, jiffies / mp_phase_len, __ATOMIC_RELAXED);
}

static int mp_create(struct run *run, unsigned int pi)
{
	struct mp_pool *mp = &mp_pools[pi];
	struct cpu_ctx *c = &run->cpus[0];
	int nid = mp->node < 0 ? (int)num_online_nodes() - 1 : mp->node, min_nr, curr_nr;
	unsigned long flags;

	mp->pool = NULL;
	mp->cache = NULL;
	mp->torn_down = 0;
	mp->live = 0;
	mp->resizing = 0;
	switch (mp->kind) {
	case MPK_KMALLOC:
		snprintf(mp->backing, sizeof(mp->backing), "kmalloc %u B", mp->size);
		break;
	case MPK_SLAB:
		snprintf(mp->cache_name, sizeof(mp->cache_name), "mempool-%u", mp->size);
		snprintf(mp->backing, sizeof(mp->backing), "slab mempool-%u", mp->size);
		mp->cache = kmem_cache_create(mp->cache_name, mp->size, 0, SLAB_HWCACHE_ALIGN, NULL);
		if (!mp->cache)
			return -ENOMEM;
		break;
	case MPK_PAGE:
		mp->size = PAGE_SIZE << mp->order;
		snprintf(mp->backing, sizeof(mp->backing), "pages of order %u", mp->order);
		break;
	default:
		snprintf(mp->backing, sizeof(mp->backing), "custom %u B, node %d", mp->size, nid);
		break;
	}
	mp_call_begin(c, MPC_CREATE, pi, GFP_KERNEL);
	switch (mp->kind) {
	case MPK_KMALLOC:
		mp->pool = mp->wrapped ? mempool_create(mp->min_nr, mp_alloc_kmalloc, mp_free_kmalloc, mp) :
			   mempool_create_kmalloc_pool(mp->min_nr, mp->size);
		break;
	case MPK_SLAB:
		mp->pool = mp->wrapped ? mempool_create(mp->min_nr, mp_alloc_slab, mp_free_slab, mp) :
			   mempool_create_slab_pool(mp->min_nr, mp->cache);
		break;
	case MPK_PAGE:
		mp->pool = mp->wrapped ? mempool_create(mp->min_nr, mp_alloc_page, mp_free_page, mp) :
			   mempool_create_page_pool(mp->min_nr, (int)mp->order);
		break;
	default:
		mp->pool = mempool_create_node(mp->min_nr, mp_alloc_custom, mp_free_custom, mp,
					       GFP_KERNEL, nid);
		break;
	}
	mp_call_end(c);
	if (!mp->pool) {
		if (mp->cache)
			kmem_cache_destroy(mp->cache);
		mp->cache = NULL;
		return -ENOMEM;
	}
	spin_lock_irqsave(&mp->pool->lock, flags);
	min_nr = mp->pool->min_nr;
	curr_nr = mp->pool->curr_nr;
	spin_unlock_irqrestore(&mp->pool->lock, flags);
	if (min_nr != mp->min_nr || curr_nr != mp->min_nr)
		add_violation(run, "mempool-create", -1,
			      "%s: a new pool of %d element%s has min_nr %d and curr_nr %d",
			      mp->name, mp->min_nr, str_plural(mp->min_nr), min_nr, curr_nr);
	if (mp->kind == MPK_CUSTOM) {
		/* where kmalloc_node() puts such an object (a node without
		 * lowmem, as x86_32's highmem-only nodes, falls back) */
		void *probe = kmalloc_node(sizeof(*mp->pool), GFP_KERNEL, nid);
		int want = probe ? page_to_nid(virt_to_page(probe)) : nid;
		int got = page_to_nid(virt_to_page(mp->pool));

		kfree(probe);
		if (got != want)
			add_violation(run, "mempool-create", -1,
				      "mempool_create_node(%s, node %d) put the pool on node %d, where "
				      "kmalloc_node() puts it on node %d", mp->name, nid, got, want);
	}
	if (mp->wrapped && __atomic_load_n(&mp->live, __ATOMIC_RELAXED) != curr_nr)
		add_violation(run, "mempool-create", -1,
			      "%s: pool->alloc gave %ld element%s, the reserve holds %d", mp->name,
			      __atomic_load_n(&mp->live, __ATOMIC_RELAXED),
			      str_plural(__atomic_load_n(&mp->live, __ATOMIC_RELAXED)), curr_nr);
	return 0;
}

static int mp_setup(struct run *run, unsigned int first)
{
	int ret = 0;

	mp_common_setup(run);
	mp_pressure_on = 0;
	for (unsigned int pi = first; pi < first + MP_PER_JOB && !ret; pi++)
		ret = mp_create(run, pi);
	mp_pressure_on = 1;
	return ret;
}

int mempool_starve_setup(struct run *run)
{
	return mp_setup(run, MP_STARVE_FIRST);
}

int mempool_resize_setup(struct run *run)
{
	return mp_setup(run, MP_RESIZE_FIRST);
}

/* What the settled CPUs saw of pool pi. */
static void mp_pool_sums(const struct run *run, unsigned int pi, uint64_t cnt[NR_MPP])
{
	memset(cnt, 0, NR_MPP * sizeof(*cnt));
	for (unsigned int k = 0; k < run->nr_cpus; k++) {
		const uint64_t *pc = run->cpus[k].mp.pool_cnt[pi];

		if (!cpu_settled(run, k))
			continue;
		for (int j = 0; j < NR_MPP; j++)
			cnt[j] = j == MPP_MAX_NS ? max(cnt[j], pc[j]) : cnt[j] + pc[j];
	}
}

/* Every CPU has stopped: the elements handed on or in flight go back. */
static void mp_drain_all(struct run *run)
{
	struct cpu_ctx *c = &run->cpus[0];

	for (unsigned int k = 0; k < run->nr_cpus; k++) {
		struct mp_hdr *h = __atomic_exchange_n((struct mp_hdr **)&run->cpus[k].mp.inbox, NULL,
						       __ATOMIC_SEQ_CST);

		mp_free_list(c, h, MP_RECEIVED, "on receiving it at the end");
	}
	mp_dev_poll(c, 1);
}

/* The pool's numbers must add up; then it goes (see the map). */
static void mp_pool_teardown(struct run *run, unsigned int pi)
{
	struct mp_pool *mp = &mp_pools[pi];
	struct cpu_ctx *c = &run->cpus[0];
	mempool_t *pool = mp->pool;
	struct mempool_stats st;
	uint64_t cnt[NR_MPP];
	unsigned long flags;
	int min_nr, curr_nr;
	long live;

	if (!pool)
		return;
	mp_pool_sums(run, pi, cnt);
	spin_lock_irqsave(&pool->lock, flags);
	min_nr = pool->min_nr;
	curr_nr = pool->curr_nr;
	spin_unlock_irqrestore(&pool->lock, flags);
	mempool_stats_read(pool, &st);

	if (cnt[MPP_ALLOCS] != cnt[MPP_FREES])
		add_violation(run, "harness", -1, "%s: the jobs got %llu element%s and freed %llu",
			      mp->name, (unsigned long long)cnt[MPP_ALLOCS],
			      str_plural(cnt[MPP_ALLOCS]), (unsigned long long)cnt[MPP_FREES]);
	if (st.outstanding)
		add_violation(run, "mempool-stats", -1,
			      "%s: stats.outstanding is %ld after every element was freed", mp->name,
			      st.outstanding);
	if (st.alloc_failed != cnt[MPP_NULLS])
		add_violation(run, "mempool-stats", -1,
			      "%s: stats.alloc_failed is %lu, mempool_alloc() returned NULL %llu times",
			      mp->name, st.alloc_failed, (unsigned long long)cnt[MPP_NULLS]);
	if (st.alloc_backing + st.alloc_pool != cnt[MPP_ALLOCS])
		add_violation(run, "mempool-stats", -1,
			      "%s: stats.alloc_backing %lu + alloc_pool %lu, but mempool_alloc() "
			      "returned %llu element%s", mp->name, st.alloc_backing, st.alloc_pool,
			      (unsigned long long)cnt[MPP_ALLOCS], str_plural(cnt[MPP_ALLOCS]));
	if (st.waits != st.wakeups + st.timeouts)
		add_violation(run, "mempool-stats", -1,
			      "%s: stats.waits %lu, but wakeups %lu + timeouts %lu", mp->name, st.waits,
			      st.wakeups, st.timeouts);
	if (curr_nr < 0 || curr_nr > min_nr)
		add_violation(run, "mempool-invariant", -1, "%s at the end: curr_nr %d, min_nr %d",
			      mp->name, curr_nr, min_nr);
	live = __atomic_load_n(&mp->live, __ATOMIC_RELAXED);
	if (mp->wrapped && live != curr_nr)
		add_violation(run, "leak", -1,
			      "%s: %ld element%s out of pool->alloc after every one was freed, but %d "
			      "in the reserve", mp->name, live, str_plural(live), curr_nr);
	mp->last = st;
	mp->last_min_nr = min_nr;
	mp->last_curr_nr = curr_nr;

	mp_call_begin(c, MPC_DESTROY, pi, 0);
	mempool_destroy(pool);
	mp_call_end(c);
	mp->pool = NULL;
	mp->torn_down = 1;
	live = __atomic_load_n(&mp->live, __ATOMIC_RELAXED);
	if (mp->wrapped && live)
		add_violation(run, "leak", -1,
			      "mempool_destroy(%s) left %ld element%s of pool->alloc unfreed",
			      mp->name, live, str_plural(live));
	if (mp->cache) {
		kmem_cache_destroy(mp->cache);
		mp->cache = NULL;
	}
}

static void mp_teardown(struct run *run, unsigned int first)
{
	if (mp_run != run)
		return;
	mp_drain_all(run);
	for (unsigned int pi = first; pi < first + MP_PER_JOB; pi++)
		mp_pool_teardown(run, pi);
}

void mempool_starve_teardown(struct run *run)
{
	mp_teardown(run, MP_STARVE_FIRST);
}

void mempool_resize_teardown(struct run *run)
{
	mp_teardown(run, MP_RESIZE_FIRST);
}

/* ------------------------------------------------------------------ */
/* For the report                                                      */

int mempool_jobs_ran(const struct run *run)
{
	return run->opt.weight[J_MEMPOOL_STARVE] || run->opt.weight[J_MEMPOOL_RESIZE];
}

void mempool_totals(const struct run *run, uint64_t t[NR_MP_COUNTERS])
{
	memset(t, 0, NR_MP_COUNTERS * sizeof(*t));
	for (unsigned int k = 0; k < run->nr_cpus; k++)
		if (cpu_settled(run, k))
			for (int i = 0; i < NR_MP_COUNTERS; i++)
				t[i] += run->cpus[k].mp.cnt[i];
}

/*
 * Pool i as the report shows it: 0 if it was never set up.  A pool still
 * alive (a run that could not stop) is read as it runs: its counters
 * atomically, min_nr and curr_nr under its lock if it is free.
 */
int mempool_pool_info(const struct run *run, unsigned int i, struct mp_pool_info *info)
{
	struct mp_pool *mp;

	if (i >= MP_POOLS || mp_run != run)
		return 0;
	mp = &mp_pools[i];
	if (!run->opt.weight[mp->job] || (!mp->pool && !mp->torn_down))
		return 0;
	info->name = mp->name;
	info->job = jobs[mp->job].name;
	info->backing = mp->backing;
	info->torn_down = mp->torn_down;
	mp_pool_sums(run, i, info->cnt);
	if (mp->torn_down) {
		info->st = mp->last;
		info->min_nr = mp->last_min_nr;
		info->curr_nr = mp->last_curr_nr;
		return 1;
	}
	mempool_stats_read(mp->pool, &info->st);
	info->min_nr = info->curr_nr = -1;
	if (spin_trylock(&mp->pool->lock)) {
		info->min_nr = mp->pool->min_nr;
		info->curr_nr = mp->pool->curr_nr;
		spin_unlock(&mp->pool->lock);
	}
	return 1;
}
