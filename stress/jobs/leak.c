// SPDX-License-Identifier: MIT
/*
 * stress/jobs/leak.c - leak: kmalloc objects of random sizes, objects of
 * a cache of its own and now and then a vmalloc area, held in the CPU's
 * table for a while and freed; and with `--kmemleak`, about one operation
 * in LEAK_DROP_EVERY drops one on purpose, which kmemleak must report.
 *
 *   held	struct leak_cpu, the family's per-CPU state (a root of the
 *		scan, as every family state: engine.c), holds up to LEAK_HELD
 *		objects, each with the engine's pattern of its tag in every
 *		word, verified before it is freed and at random moments.
 *		Every word: a word the job left as the memory's last user
 *		wrote it could be a stale pointer, which kmemleak would follow
 *		from this grey object to a drop it points into, and miss it.
 *   a drop	a new object, or one taken out of held[] (its slot erased),
 *		is recorded with kl_drop_add() (kmemleak.c), in host memory
 *		nobody registers, with the jiffies read right after its
 *		allocation, and forgotten: no root, no object points to it
 *		any more.  The operation works in a frame below its entry's,
 *		and the stack below the entry's frame is scrubbed after it,
 *		so that no dead frame keeps a pointer where a later call
 *		could leave it unwritten (a scan reads a stopped CPU's stack
 *		from where it stopped: a dead copy of a dropped object's
 *		pointer would hide its leak).
 *		kmemleak must report the object once it is 5 s of jiffies old
 *		(kmemleak.c's verdict); drops are only made while the
 *		harness's scan thread runs (kl_dropping()): with kmemleak off
 *		the job only allocates, holds and frees.
 *   the end	each CPU frees what it holds when it stops; the drops are
 *		freed by the family's teardown, on CPU 0 once every CPU and
 *		the scan thread have stopped, before its cache is destroyed.
 *
 * Who touches what: leak_cache is made by the family's setup (CPU 0, before
 * the CPUs start) and destroyed by its teardown (after they stop),
 * read-only between; struct leak_cpu is its CPU's.
 */
#include <errno.h>
#include <string.h>

#include "../engine.h"

#define LEAK_HELD		64
#define LEAK_OBJ_SIZE		120		/* the cache's object_size */
#define LEAK_KMALLOC_MAX	8192
#define LEAK_VMALLOC_PAGES	4
#define LEAK_DROP_EVERY		64
#define LEAK_SCRUB		(16 * 1024)	/* stack bytes scrubbed after a drop */

enum leak_kind { LK_KMALLOC, LK_CACHE, LK_VMALLOC };

enum leak_counter {
	LC_ALLOCS, LC_FREES, LC_VMALLOCS, LC_CACHE_ALLOCS, LC_DROPS, LC_DROPS_HELD,
	NR_LEAK_COUNTERS
};
static const char *const leak_counter_name[NR_LEAK_COUNTERS] = {
	"allocated", "freed", "vmalloc_areas", "cache_objects", "deliberate_leaks",
	"deliberate_leaks_held",
};

struct leak_held {
	void *p;
	uint64_t tag;
	uint64_t expiry;		/* op count after which it is freed */
	unsigned long j;		/* jiffies right after its allocation */
	uint32_t size;
	uint8_t kind;
};

struct leak_cpu {
	uint64_t cnt[NR_LEAK_COUNTERS];	/* first: the report sums them */
	struct leak_held held[LEAK_HELD];
	int nheld;
};

static struct kmem_cache *leak_cache;
static const struct stress_family leak_family;

static struct pattern_range leak_range(const struct leak_held *h)
{
	return (struct pattern_range){ 0, h->size,
				       PATTERN_ALL };
}

static void leak_give_back(void *p, int kind)
{
	if (kind == LK_VMALLOC)
		vfree(p);
	else if (kind == LK_CACHE)
		kmem_cache_free(leak_cache, p);
	else
		kfree(p);
}

/* Verified, then freed. */
static void leak_free(struct cpu_ctx *c, struct leak_cpu *lc, const struct leak_held *h,
		      const char *when)
{
	struct pattern_range pr = leak_range(h);
	size_t off = pattern_check(h->p, &pr, h->size, h->tag);

	if (off != PATTERN_OK)
		pattern_report(c, h->p, &pr, off, h->tag, "object", "leak", when);
	leak_give_back(h->p, h->kind);
	lc->cnt[LC_FREES]++;
}

/* Held object i out of held[], its slot erased: no stale copy in a root. */
static struct leak_held leak_unhold(struct leak_cpu *lc, int i)
{
	struct leak_held h = lc->held[i];

	lc->held[i] = lc->held[--lc->nheld];
	kmemleak_erase(&lc->held[lc->nheld].p);
	return h;
}

/* A new object drawn from r: 0, or -1 (the allocation failed, counted). */
static int leak_alloc(struct cpu_ctx *c, struct leak_cpu *lc, uint64_t r, struct leak_held *h)
{
	unsigned int pick = (unsigned int)(r % 32);
	struct pattern_range pr;

	memset(h, 0, sizeof(*h));
	fail_mark(c);
	if (pick == 0) {
		h->kind = LK_VMALLOC;
		h->size = (uint32_t)((1 + (r >> 8) % LEAK_VMALLOC_PAGES) << PAGE_SHIFT);
		h->p = vmalloc(h->size);
	} else if (pick < 12) {
		h->kind = LK_CACHE;
		h->size = LEAK_OBJ_SIZE;
		h->p = kmem_cache_alloc(leak_cache, GFP_KERNEL | __GFP_NOWARN);
	} else {
		h->kind = LK_KMALLOC;
		h->size = (uint32_t)(8 + (r >> 8) % (LEAK_KMALLOC_MAX - 7));
		h->p = kmalloc(h->size, GFP_KERNEL | __GFP_NOWARN);
	}
	h->j = jiffies;
	if (!h->p) {
		count_failure(c, GK_KERNEL, size_order(h->size));
		return -1;
	}
	if (h->kind == LK_VMALLOC)
		fail_check(c, (long)(h->size >> PAGE_SHIFT), 3);	/* vmap_area, vm_struct, pages[] */
	else
		fail_check(c, 0, 1);
	h->tag = stress_tag(c);
	h->expiry = c->nr_ops + 1 + (r >> 24) % 2000;
	pr = leak_range(h);
	pattern_fill(h->p, &pr, h->tag);
	lc->cnt[LC_ALLOCS]++;
	lc->cnt[h->kind == LK_VMALLOC ? LC_VMALLOCS : LC_CACHE_ALLOCS] += h->kind != LK_KMALLOC;
	return 0;
}

static void leak_hold(struct cpu_ctx *c, struct leak_cpu *lc, const struct leak_held *h)
{
	if (lc->nheld == LEAK_HELD) {
		struct leak_held old = leak_unhold(lc, 0);

		leak_free(c, lc, &old, "before freeing it");
	}
	lc->held[lc->nheld++] = *h;
}

/*
 * Drop one on purpose: a held one (r odd, if any) or a new one.  Its
 * pointer lives only in this frame and those it calls: the caller scrubs
 * them once it returns.
 */
static noinline void leak_drop(struct cpu_ctx *c, struct leak_cpu *lc, uint64_t r)
{
	struct leak_held h;
	int held = (r & 1) && lc->nheld;

	if (held)
		h = leak_unhold(lc, (int)((r >> 1) % (unsigned int)lc->nheld));
	else if (leak_alloc(c, lc, r >> 8, &h))
		return;
	if (kl_drop_add((int)c->cpu, (uintptr_t)h.p, h.size, h.j, h.kind)) {
		leak_free(c, lc, &h, "before freeing it");	/* not recorded */
	} else {
		lc->cnt[LC_DROPS]++;
		lc->cnt[LC_DROPS_HELD] += held;
	}
	memset(&h, 0, sizeof(h));
	__asm__ __volatile__("" : : "r"(&h) : "memory");
}

/* The dead frames below the caller's: no copy of a dropped pointer left. */
static noinline void leak_scrub_stack(void)
{
	char buf[LEAK_SCRUB];

	memset(buf, 0, sizeof(buf));
	__asm__ __volatile__("" : : "r"(buf) : "memory");
}

/* The operation, in a frame below leak_op()'s: see leak_op(). */
static noinline void leak_do(struct cpu_ctx *c, struct leak_cpu *lc, const uint64_t r[3])
{
	unsigned int action = (unsigned int)(r[0] % 16);
	struct leak_held h;

	for (int i = lc->nheld - 1, n = 2; i >= 0 && n > 0; i--)
		if (lc->held[i].expiry <= c->nr_ops) {
			h = leak_unhold(lc, i);
			leak_free(c, lc, &h, "before freeing it");
			n--;
		}
	if (r[2] % LEAK_DROP_EVERY == 0 && kl_dropping()) {
		leak_drop(c, lc, r[1]);
	} else if (action < 8 || !lc->nheld) {
		if (!leak_alloc(c, lc, r[1], &h))
			leak_hold(c, lc, &h);
	} else if (action < 13) {
		h = leak_unhold(lc, (int)(r[1] % (unsigned int)lc->nheld));
		leak_free(c, lc, &h, "before freeing it");
	} else {
		const struct leak_held *v = &lc->held[r[1] % (unsigned int)lc->nheld];
		struct pattern_range pr = leak_range(v);
		size_t off = pattern_check(v->p, &pr, v->size, v->tag);

		if (off != PATTERN_OK)
			pattern_report(c, v->p, &pr, off, v->tag, "object", "leak",
				       "at a random check");
	}
}

/*
 * Every pointer the job handles lives in leak_do()'s frame and below
 * (never in this one): the stack under this frame is scrubbed after each
 * operation, so that no dead frame keeps a copy of an object the job
 * later drops (a held one, too, once copied into a local).
 */
static int leak_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	leak_do(c, state, r);
	if (kl_dropping())
		leak_scrub_stack();
	return 0;
}

/* A CPU stops: everything it holds goes back. */
static void leak_release(struct cpu_ctx *c, void *state)
{
	struct leak_cpu *lc = state;

	while (lc->nheld) {
		struct leak_held h = leak_unhold(lc, lc->nheld - 1);

		leak_free(c, lc, &h, "before freeing it at the end");
	}
}

static int leak_setup(struct run *run)
{
	(void)run;
	leak_cache = kmem_cache_create("leak", LEAK_OBJ_SIZE, 8, 0, NULL);
	return leak_cache ? 0 : -ENOMEM;
}

static void leak_drop_free(uintptr_t addr, size_t size, int kind)
{
	(void)size;
	leak_give_back((void *)addr, kind);
}

static void leak_teardown(struct run *run)
{
	(void)run;
	/* the drops, now that the CPUs and the scan thread have stopped */
	kl_drops_release(leak_drop_free);
	if (leak_cache)
		kmem_cache_destroy(leak_cache);
	leak_cache = NULL;
}

static void leak_report(struct run *run, FILE *out)
{
	uint64_t v[NR_LEAK_COUNTERS];

	family_sum(run, &leak_family, offsetof(struct leak_cpu, cnt), NR_LEAK_COUNTERS, v);
	report_counters(out, v, "leak: %llu objects allocated, %llu freed (%llu vmalloc areas, "
			"%llu of its cache); deliberate leaks %llu (%llu taken from the table)\n\n");
}

static void leak_report_json(struct run *run, json_t *root)
{
	family_sum_json(run, &leak_family, offsetof(struct leak_cpu, cnt), leak_counter_name,
			NR_LEAK_COUNTERS, root, "leak");
}

static const struct stress_family leak_family = {
	.name = "leak", .state_size = sizeof(struct leak_cpu),
	.setup = leak_setup, .release = leak_release, .teardown = leak_teardown,
	.report = leak_report, .report_json = leak_report_json,
};

const struct stress_job leak_job = {
	.name = "leak", .default_weight = 2, .family = &leak_family, .op = leak_op,
	.what = "kmalloc/own-cache/vmalloc objects held and freed; with --kmemleak, 1 op in 64 drops one on purpose that kmemleak must report",
};
