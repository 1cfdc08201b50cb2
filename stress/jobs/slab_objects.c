// SPDX-License-Identifier: MIT
/*
 * stress/jobs/slab_objects.c - the slab family: the caches of the slab
 * jobs, the objects a CPU holds and hands to other CPUs, and the slab:
 * line of the report.
 *
 * Objects.  Every object a CPU holds is in its objs[] with a tag naming
 * its identity (CPU, serial, job) and carries the engine's pattern of it
 * (every word of the first PATTERN_DENSE bytes, then one word per
 * PATTERN_STRIDE, and the last bytes), checked before it is freed and at
 * random moments.  An object of one of our caches (struct scache) starts
 * with struct obj_hdr: the constructor writes CTOR_MAGIC and the object's
 * address there, every allocation must find them, and whoever frees the
 * object writes them back first (the constructed state is the user's to
 * restore).  An object in transit to another CPU carries its struct
 * stress_item and its description in the same header (a kmalloc object
 * too, when it has room for it).
 *
 * Who touches what: struct scache and struct slab_cpu, see slab.h; an
 * object belongs to the CPU whose objs[] holds it, to the inbox while in
 * transit (inbox.c), then to its receiver.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "slab.h"

#define HELD_MAGIC	0x4e1dbea4e1dbea40ULL	/* ^ tag: held by a CPU */
#define HDR_SALT	0x7a45e7d0b1ec7d5cULL

/* In the order of enum slab_counter. */
static const char *const slab_counter_name[] = {
	"caches_created", "caches_destroyed", "objects_sent_cross_node",
	"objects_sent_same_node", "alloc_node_remote", "krealloc", "krealloc_moved",
	"shrinks", "slabs_reaped", "rcu_lookups", "rcu_validated", "rcu_raced",
	"rcu_replaced", "kfree_rcu", "call_rcu", "synchronize_rcu",
};
BUILD_BUG_ON(ARRAY_SIZE(slab_counter_name) != NR_SLAB_COUNTERS);

/*
 * The first bytes of every object of a struct scache, and of every object
 * in transit.  Constructed: w0 = CTOR_MAGIC, w1 = its address.  Held:
 * w0 = HELD_MAGIC ^ tag, w1 = tag, the rest describing it.  In transit:
 * item (its link in w0, its tag in w1) and the rest.
 */
struct obj_hdr {
	union {
		struct stress_item item;
		struct {
			uint64_t w0;
			uint64_t w1;
		};
	};
	struct scache *sc;		/* NULL: kmalloc */
	uint32_t size;
	uint32_t job;
	uint64_t check;			/* hdr_check() of the fields above */
};
BUILD_BUG_ON(sizeof(struct obj_hdr) != OBJ_HDR);

static uint64_t hdr_check(const struct obj_hdr *h)
{
	uint64_t x = h->w1 ^ HDR_SALT ^ (uint64_t)(uintptr_t)h->sc * 31 ^
		     ((uint64_t)h->size << 32 | h->job);

	return splitmix64(&x);
}

static void hdr_set(struct obj_hdr *h, uint64_t tag, struct scache *sc, size_t size,
		    unsigned int job)
{
	h->w0 = HELD_MAGIC ^ tag;
	h->w1 = tag;
	h->sc = sc;
	h->size = (uint32_t)size;
	h->job = job;
	h->check = hdr_check(h);
}

static const char *cache_name(const struct scache *sc)
{
	return sc ? sc->name : "kmalloc";
}

/* An object's pattern: after its header (our caches, objects in transit). */
static void obj_range(struct pattern_range *pr, size_t start, size_t size)
{
	pr->start = start;
	pr->end = size;
	pr->dense = PATTERN_DENSE;
}

/* The first len bytes of an object filled with size bytes of tag's
 * pattern from start: 0, or 1 (reported). */
static int obj_verify(struct cpu_ctx *c, const void *p, const struct scache *sc, size_t start,
		      size_t size, size_t len, uint64_t tag, const char *when)
{
	struct pattern_range pr;
	char what[96];
	size_t off;

	obj_range(&pr, start, size);
	off = pattern_check(p, &pr, len, tag);
	if (likely(off == PATTERN_OK))
		return 0;
	snprintf(what, sizeof(what), "object %p (%zu bytes, %s)", p, size, cache_name(sc));
	pattern_report(c, p, &pr, off, tag, "object", what, when);
	return 1;
}

int kmalloc_obj_verify(struct cpu_ctx *c, const void *p, size_t size, size_t len, uint64_t tag,
		       const char *when)
{
	return obj_verify(c, p, NULL, 0, size, len, tag, when);
}

void kmalloc_obj_fill(void *p, size_t size, uint64_t tag)
{
	struct pattern_range pr;

	obj_range(&pr, 0, size);
	pattern_fill(p, &pr, tag);
}

/* ------------------------------------------------------------------ */
/* Held objects                                                        */

/* What a held object must show: its header (our caches) and pattern. */
int held_obj_verify(struct cpu_ctx *c, const struct held_obj *o, const char *when)
{
	if (o->sc) {
		const uint64_t *h = o->p;
		struct obj_hdr want;
		char what[96];

		hdr_set(&want, o->tag, o->sc, o->size, o->job);
		for (size_t w = 0; w < OBJ_HDR / 8; w++) {
			uint64_t want_w, got_w;

			memcpy(&want_w, (const uint64_t *)&want + w, 8);
			memcpy(&got_w, h + w, 8);
			if (want_w == got_w)
				continue;
			snprintf(what, sizeof(what), "object %p (%u bytes, %s)", o->p, o->size,
				 o->sc->name);
			report_corruption(c, o->p, w * 8, want_w, got_w, o->tag, "object", what, when);
			return 1;
		}
	}
	return obj_verify(c, o->p, o->sc, o->sc ? OBJ_HDR : 0, o->size, o->size, o->tag, when);
}

/* Give an object back: the constructed state first (our caches). */
static void obj_put_back(void *p, struct scache *sc)
{
	struct obj_hdr *h = p;

	if (!sc) {
		kfree(p);
		return;
	}
	h->w0 = CTOR_MAGIC;
	h->w1 = (uint64_t)(uintptr_t)p;
	kmem_cache_free(sc->cache, p);
	/* Release: this free happens before the owner's destroy (acquire). */
	__atomic_fetch_sub(&sc->live, 1, __ATOMIC_RELEASE);
}

int obj_take(struct cpu_ctx *c, void *p, struct scache *sc, size_t size, uint64_t lifetime,
	     struct held_obj *o)
{
	uintptr_t align = sc ? max(sc->align, 8U) : 8;
	struct pattern_range pr;

	if (unlikely((uintptr_t)p % align)) {
		cpu_violation(c, "slab-align", "%s returned %p for a %zu-byte object: not aligned to %lu bytes",
			      cache_name(sc), p, size, (unsigned long)align);
		if (sc)
			__atomic_fetch_sub(&sc->live, 1, __ATOMIC_RELAXED);
		return -1;	/* not touched: leaked, the final check says so too */
	}
	if (sc) {
		struct obj_hdr *h = p;

		if (unlikely(h->w0 != CTOR_MAGIC || h->w1 != (uint64_t)(uintptr_t)p))
			cpu_violation(c, "slab-ctor",
				      "kmem_cache_alloc(%s) returned %p without its constructed state: "
				      "%016llx %016llx, expected %016llx %016llx",
				      sc->name, p, (unsigned long long)h->w0,
				      (unsigned long long)h->w1, CTOR_MAGIC,
				      (unsigned long long)(uintptr_t)p);
	}
	o->p = p;
	o->sc = sc;
	o->tag = stress_tag(c);
	o->size = (uint32_t)size;
	o->job = (uint8_t)c->cur_job;
	o->expiry = c->nr_ops + lifetime;
	if (sc)
		hdr_set(p, o->tag, sc, size, o->job);
	obj_range(&pr, sc ? OBJ_HDR : 0, size);
	pattern_fill(p, &pr, o->tag);
	return 0;
}

int obj_hold(struct slab_cpu *s, const struct held_obj *o)
{
	if (s->nobjs == OBJS_MAX)
		return -1;
	s->objs[s->nobjs++] = *o;
	return 0;
}

void obj_release(struct cpu_ctx *c, const struct held_obj *o, const char *when)
{
	held_obj_verify(c, o, when);
	obj_put_back(o->p, o->sc);
}

struct held_obj obj_unhold(struct slab_cpu *s, int i)
{
	struct held_obj o = s->objs[i];

	s->objs[i] = s->objs[--s->nobjs];
	/* no stale copy in a root: it would hide the object's leak */
	kmemleak_erase(&s->objs[s->nobjs].p);
	return o;
}

void obj_free(struct cpu_ctx *c, struct slab_cpu *s, int i, const char *when)
{
	struct held_obj o = obj_unhold(s, i);

	obj_release(c, &o, when);
}

int obj_pick(const struct cpu_ctx *c, const struct slab_cpu *s, uint64_t r,
	     const struct scache *sc, size_t min_size)
{
	if (!s->nobjs)
		return -1;
	for (int k = 0, i = (int)(r % (unsigned int)s->nobjs); k < s->nobjs;
	     k++, i = (i + 1) % s->nobjs) {
		const struct held_obj *o = &s->objs[i];

		if (o->job == c->cur_job && (!sc || o->sc == sc) && o->size >= min_size)
			return i;
	}
	return -1;
}

void obj_expire(struct cpu_ctx *c, struct slab_cpu *s, int n)
{
	for (int i = s->nobjs - 1; i >= 0 && n > 0; i--)
		if (s->objs[i].job == c->cur_job && s->objs[i].expiry <= c->nr_ops) {
			obj_free(c, s, i, "before freeing it");
			n--;
		}
}

/* Test hook: damage one pattern byte of an object CPU 0 holds. */
static int slab_corrupt(struct cpu_ctx *c, void *state)
{
	struct slab_cpu *s = state;

	(void)c;
	for (int i = 0; i < s->nobjs; i++) {
		struct held_obj *o = &s->objs[i];
		size_t off = o->sc ? OBJ_HDR : 0;

		if (o->size >= off + 8) {
			((unsigned char *)o->p)[off + 3] ^= 0x5a;
			return 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Objects handed to other CPUs                                        */

void obj_send(struct cpu_ctx *c, struct slab_cpu *s, const struct held_obj *o, uint64_t r)
{
	/* on another node three times out of four */
	unsigned int to = pick_cpu(c, r, (r >> 32) % 4 ? TARGET_OTHER_NODE : TARGET_ANY);
	struct obj_hdr *h = o->p;
	int cross;

	if (to == c->cpu || o->size < OBJ_HDR) {
		obj_release(c, o, "before freeing it");
		return;
	}
	if (held_obj_verify(c, o, "before handing it to another CPU")) {
		obj_put_back(o->p, o->sc);
		return;
	}
	cross = page_to_nid(virt_to_page(o->p)) != cpu_to_node(to);
	hdr_set(h, o->tag, o->sc, o->size, o->job);
	if (stress_send(c, to, &h->item)) {
		/* not sent: its first bytes are a header now, as in transit */
		obj_verify(c, h, o->sc, OBJ_HDR, o->size, o->size, o->tag, "before freeing it");
		obj_put_back(h, o->sc);
		return;
	}
	s->cnt[cross ? SC_SENT_CROSS_NODE : SC_SENT_SAME_NODE]++;
}

static int slab_receive(struct cpu_ctx *c, void *state, struct stress_item *it, enum receipt how)
{
	struct obj_hdr *h = container_of(it, struct obj_hdr, item);

	(void)state;
	if (h->check != hdr_check(h) || h->size < OBJ_HDR) {
		cpu_violation(c, "data-corruption",
			      "DATA CORRUPTION on CPU %u %s: object %p has a damaged header "
			      "(tag %016llx cache %p size %u job %u check %016llx): not freed",
			      c->cpu, receipt_text(how), (void *)h, (unsigned long long)h->w1,
			      (void *)h->sc, h->size, h->job, (unsigned long long)h->check);
		return -1;
	}
	obj_verify(c, h, h->sc, OBJ_HDR, h->size, h->size, h->w1, receipt_text(how));
	obj_put_back(h, h->sc);
	return 0;
}

/* A CPU stops: everything it holds goes back. */
static void slab_release(struct cpu_ctx *c, void *state)
{
	struct slab_cpu *s = state;

	while (s->nobjs)
		obj_free(c, s, s->nobjs - 1, "before freeing it at the end");
}

/* ------------------------------------------------------------------ */
/* Caches                                                              */

static void obj_ctor(void *p)
{
	struct obj_hdr *h = p;

	h->w0 = CTOR_MAGIC;
	h->w1 = (uint64_t)(uintptr_t)p;
}

/* The alignment the contract promises for (size, align, flags). */
static unsigned int promised_align(unsigned int size, unsigned int align, slab_flags_t flags)
{
	unsigned int a = max(align, 8U);

	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int hw = L1_CACHE_BYTES;

		while (size <= hw / 2)
			hw /= 2;
		a = max(a, hw);
	}
	return a;
}

struct scache *scache_create(struct cpu_ctx *c, const char *name, unsigned int size,
			     unsigned int align, slab_flags_t flags)
{
	struct slab_cpu *s = family_state(c, &slab_family);
	/* a root: it holds the cache */
	struct scache *sc = root_zalloc(8, sizeof(*sc));

	if (!sc)
		return NULL;
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->cache = kmem_cache_create(sc->name, size, align, flags, obj_ctor);
	if (!sc->cache) {
		root_free(sc);
		return NULL;
	}
	sc->size = size;
	sc->flags = flags;
	sc->align = promised_align(size, align, flags);
	s->cnt[SC_CACHES_CREATED]++;
	return sc;
}

void scache_destroy(struct cpu_ctx *c, struct scache *sc)
{
	struct slab_cpu *s = family_state(c, &slab_family);
	struct kmem_cache_stats st;

	/* what the periodic reap gave back of it */
	kmem_cache_stats(sc->cache, &st);
	s->cnt[SC_SLABS_REAPED] += st.reaped;
	kmem_cache_destroy(sc->cache);
	s->cnt[SC_CACHES_DESTROYED]++;
	root_free(sc);
}

void scache_teardown(struct run *run, int cpu, struct scache **scp)
{
	struct scache *sc = *scp;
	long live;

	if (!sc)
		return;
	/* Acquire: pairs with the release decrement of obj_put_back(). */
	live = __atomic_load_n(&sc->live, __ATOMIC_ACQUIRE);
	if (live) {
		add_violation(run, "leak", cpu, "cache %s: %ld object%s never came back", sc->name,
			      live, str_plural(live));
		return;
	}
	scache_destroy(run_cpu(run, cpu < 0 ? 0 : (unsigned int)cpu), sc);
	*scp = NULL;
}

void shrink_one(struct cpu_ctx *c, struct scache *sc)
{
	struct slab_cpu *s = family_state(c, &slab_family);
	int held = 0, ret;

	for (int i = 0; i < s->nobjs && !held; i++)
		held = s->objs[i].sc == sc;
	ret = kmem_cache_shrink(sc->cache);
	s->cnt[SC_SHRINKS]++;
	/* v4.19 SLOB keeps no slabs per cache: its shrink always returns 0 */
	if (held && ret != 1 && strcmp(mm_slab_allocator(), "slob"))
		cpu_violation(c, "slab-shrink",
			      "kmem_cache_shrink(%s) returned %d while CPU %u holds objects of it "
			      "(expected 1: slabs with live objects remain)", sc->name, ret, c->cpu);
	for (int i = 0; i < s->nobjs; i++)
		if (s->objs[i].sc == sc)
			held_obj_verify(c, &s->objs[i], "after kmem_cache_shrink() of its cache");
}

/* ------------------------------------------------------------------ */
/* The report                                                          */

static void slab_report(struct run *run, FILE *out)
{
	uint64_t s[NR_SLAB_COUNTERS];

	/* each counter in its place of enum slab_counter */
	family_sum(run, &slab_family, offsetof(struct slab_cpu, cnt), NR_SLAB_COUNTERS, s);
	report_counters(out, s, "slab: caches created %llu, destroyed %llu; objects freed by another "
			"CPU: %llu on another node, %llu on the same; remote-node allocations %llu;\n"
			"      krealloc %llu (moved %llu); shrinks %llu; slabs reaped %llu; RCU lookups %llu "
			"(validated %llu, raced %llu),\n      replaced %llu, kfree_rcu %llu, call_rcu %llu, "
			"synchronize_rcu %llu\n\n");
}

static void slab_report_json(struct run *run, json_t *root)
{
	family_sum_json(run, &slab_family, offsetof(struct slab_cpu, cnt), slab_counter_name,
			NR_SLAB_COUNTERS, root, "slab");
}

const struct stress_family slab_family = {
	.name = "slab", .state_size = sizeof(struct slab_cpu),
	.receive = slab_receive, .release = slab_release,
	.report = slab_report, .report_json = slab_report_json,
	.inject = "corrupt-object", .corrupt = slab_corrupt,
};
