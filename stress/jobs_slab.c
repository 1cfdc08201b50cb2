// SPDX-License-Identifier: MIT
/*
 * stress/jobs_slab.c - the slab jobs: slab-churn, kmalloc-mix, slab-shrink
 * and rcu-free.  Like jobs.c, each operation draws its parameters first
 * (three draws, whatever happens), logs them, then acts.
 *
 *   slab-churn	each CPU owns up to CPU_CACHES caches of random size,
 *		alignment and flags, all with a constructor; it allocates
 *		from them (sometimes on a remote node), holds objects with
 *		random lifetimes, hands some to another CPU (mostly on
 *		another node: the alien-cache path), and now and then
 *		retires a cache and destroys it once every object is back
 *   kmalloc-mix	kmalloc/kzalloc/kcalloc/kmalloc_array/kmalloc_node with
 *		a realistic size mix, GFP_KERNEL and GFP_ATOMIC, krealloc
 *		growing and shrinking (the content must survive), ksize()
 *   slab-shrink	bursts on three caches shared by every CPU, against
 *		kmem_cache_shrink() of those, of kmalloc caches and of the
 *		RCU cache, and the periodic reap run by cond_resched(); rare
 *		bursts on a fourth cache (reap-idle) that nothing else
 *		touches, so that the reap finds idle arrays and free slabs
 *   rcu-free	a table of RCU-published objects of a SLAB_TYPESAFE_BY_RCU
 *		cache with refcounts, looked up under rcu_read_lock() while
 *		writers replace and free them; a second table of kmalloc'ed
 *		objects freed with kfree_rcu()/call_rcu()/synchronize_rcu()
 *
 * Objects.  Every object a CPU holds is in its objs[] with a tag naming
 * its identity (CPU, serial, job) and carries a pattern derived from it
 * (every word of the first 256 bytes, then one word per 256, and the last
 * bytes), checked before it is freed and at random moments.  An object of
 * one of our caches (struct scache) starts with struct obj_hdr: the
 * constructor writes CTOR_MAGIC and the object's address there, every
 * allocation must find them, and whoever frees the object writes them back
 * first (the constructed state is the user's to restore).  An object in
 * transit to another CPU (obj_inbox, a lock-free stack like the page
 * inbox) carries the link and its description in the same header.
 *
 * Who touches what:
 *   struct scache	created and destroyed by one CPU (slab-churn: its
 *			owner, which alone reads and writes `retiring` and
 *			the slot) or by the main thread (slab-shrink's, set up
 *			before the CPUs start and torn down after).  `live`
 *			counts its objects out of the cache, wherever they
 *			are: incremented by the allocator (relaxed: only the
 *			owner acts on it), decremented by whoever frees one,
 *			after kmem_cache_free() (release); the owner destroys
 *			the cache when it reads 0 (acquire), so no free of
 *			its objects can still be running.
 *   rt			rcu-free's cache (read-only between setup and
 *			teardown) and two slot tables: writers exchange a
 *			slot (acq_rel: publishes the new object, and orders
 *			the old one's last reads before its release), readers
 *			rcu_dereference() it (acquire).  A typesafe object's
 *			magic and self are written by its constructor only;
 *			key and payload by the CPU that allocated it, before
 *			its refcount goes from 0 to 1 (release); everything a
 *			reader may see of a freed or reused object is read
 *			with READ_ONCE(), since the writer of the next life
 *			may be storing meanwhile.
 *   slab_run		the run, for RCU callbacks (set by the setups).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmstress.h"

#define CTOR_MAGIC	0xc0257ac7ed0b1ec7ULL	/* constructed, free object */
#define HELD_MAGIC	0x4e1dbea4e1dbea40ULL	/* ^ tag: held by a CPU */
#define HDR_SALT	0x7a45e7d0b1ec7d5cULL
#define RCU_MAGIC	0x7c0ffee5afe0b1ecULL	/* rcu-typesafe object */

#define DENSE_BYTES	256	/* every word of these is a pattern word, */
#define SPARSE_STRIDE	256	/* then one word per stride */

#define KMIX_MAX	(1U << 20)
#define RCU_SLOTS	256
#define ROBJ_WORDS	6
#define KOBJ_MAX_WORDS	1024

const char *const slab_counter_name[NR_SLAB_COUNTERS] = {
	[SC_CACHES_CREATED] = "caches_created",
	[SC_CACHES_DESTROYED] = "caches_destroyed",
	[SC_SENT_CROSS_NODE] = "objects_sent_cross_node",
	[SC_SENT_SAME_NODE] = "objects_sent_same_node",
	[SC_ALLOC_NODE_REMOTE] = "alloc_node_remote",
	[SC_KREALLOC] = "krealloc",
	[SC_KREALLOC_MOVED] = "krealloc_moved",
	[SC_SHRINKS] = "shrinks",
	[SC_SLABS_REAPED] = "slabs_reaped",
	[SC_RCU_LOOKUPS] = "rcu_lookups",
	[SC_RCU_VALIDATED] = "rcu_validated",
	[SC_RCU_RACED] = "rcu_raced",
	[SC_RCU_REPLACED] = "rcu_replaced",
	[SC_KFREE_RCU] = "kfree_rcu",
	[SC_CALL_RCU] = "call_rcu",
	[SC_SYNCHRONIZE_RCU] = "synchronize_rcu",
};

/* One of our caches; see the map above for who touches what. */
struct scache {
	struct kmem_cache *cache;
	unsigned int size;		/* object size asked for */
	unsigned int align;		/* alignment every object must have */
	slab_flags_t flags;
	int retiring;			/* owner only: no more allocations */
	long live;			/* atomic: objects out of the cache */
	char name[32];
};

/*
 * The first bytes of every object of a struct scache, and of every object
 * in transit.  Constructed: w0 = CTOR_MAGIC, w1 = its address.  Held:
 * w0 = HELD_MAGIC ^ tag, w1 = tag, the rest describing it.  In transit:
 * w0 links the inbox, w1 = tag.
 */
struct obj_hdr {
	uint64_t w0;
	uint64_t w1;
	struct scache *sc;		/* NULL: kmalloc */
	uint32_t size;
	uint32_t job;
	uint64_t check;			/* hdr_check() of the fields above */
};
#define OBJ_HDR		sizeof(struct obj_hdr)

static struct run *slab_run;

static struct scache *shrink_caches[3];
static struct scache *reap_cache;	/* touched in rare bursts: left to the reap */
static unsigned long reap_epoch;	/* atomic: jiffies / REAP_IDLE of the last burst */
#define REAP_IDLE	(6 * HZ)	/* > 4 s (REAPTIMEOUT_NODE): one reap sees it idle */

static struct {
	struct kmem_cache *cache;
	struct robj *slot[RCU_SLOTS];
	struct kobj *kslot[RCU_SLOTS];
} rt;

/* ------------------------------------------------------------------ */
/* Patterns                                                            */

static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t obj_word(uint64_t tag, size_t off)
{
	return mix64(tag + 0x9e3779b97f4a7c15ULL * (off + 1));
}

static inline uint64_t ld64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void st64(void *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline size_t next_word(size_t off)
{
	return off < DENSE_BYTES ? off + 8 : off + SPARSE_STRIDE;
}

/* A CPU's next object identity: CPU, serial, job (as block_tag()). */
static uint64_t obj_tag(struct cpu_ctx *c, unsigned int job)
{
	return (uint64_t)c->cpu << 48 | (c->obj_serial++ & 0xffffffffffULL) << 8 | job;
}

/* The pattern of tag over [start, size) of p: a function of the offset
 * only, so that a prefix of it can be checked after krealloc(). */
static void obj_fill(void *p, size_t size, uint64_t tag, size_t start)
{
	unsigned char *b = p;
	size_t end8 = size & ~(size_t)7, off;

	for (off = start; off + 8 <= size; off = next_word(off))
		st64(b + off, obj_word(tag, off));
	if (end8 >= start + 8)
		st64(b + end8 - 8, obj_word(tag, end8 - 8));
	if (end8 < size) {
		uint64_t w = obj_word(tag, end8);

		for (off = max(end8, start); off < size; off++)
			b[off] = (unsigned char)(w >> (8 * (off & 7)));
	}
}

static int obj_bad(struct cpu_ctx *c, const void *p, size_t size, const char *cache, uint64_t tag,
		   size_t off, uint64_t want, uint64_t got, const char *when)
{
	add_violation(c->run, "data-corruption", (int)c->cpu,
		      "DATA CORRUPTION on CPU %u %s: object %p (%zu bytes, %s), CPU %llu's object "
		      "%llu (job %s): at +%#zx (%p) expected %016llx, found %016llx",
		      c->cpu, when, p, size, cache, (unsigned long long)((tag >> 48) & 0xffff),
		      (unsigned long long)((tag >> 8) & 0xffffffffffULL),
		      (tag & 0xff) < nr_jobs ? jobs[tag & 0xff].name : "?", off,
		      (const void *)((const char *)p + off), (unsigned long long)want,
		      (unsigned long long)got);
	return 1;
}

/* Check the first len bytes of an object filled with size bytes of tag's
 * pattern from start: 0, or 1 (reported). */
static int obj_verify(struct cpu_ctx *c, const void *p, size_t size, size_t len, uint64_t tag,
		      size_t start, const char *cache, const char *when)
{
	const unsigned char *b = p;
	size_t end8 = size & ~(size_t)7, off;

	for (off = start; off + 8 <= size && off + 8 <= len; off = next_word(off))
		if (unlikely(ld64(b + off) != obj_word(tag, off)))
			return obj_bad(c, p, size, cache, tag, off, obj_word(tag, off), ld64(b + off), when);
	if (end8 >= start + 8 && end8 <= len &&
	    unlikely(ld64(b + end8 - 8) != obj_word(tag, end8 - 8)))
		return obj_bad(c, p, size, cache, tag, end8 - 8, obj_word(tag, end8 - 8),
			       ld64(b + end8 - 8), when);
	if (end8 < size) {
		uint64_t w = obj_word(tag, end8);

		for (off = max(end8, start); off < size && off < len; off++)
			if (unlikely(b[off] != (unsigned char)(w >> (8 * (off & 7)))))
				return obj_bad(c, p, size, cache, tag, off,
					       (unsigned char)(w >> (8 * (off & 7))), b[off], when);
	}
	return 0;
}

static uint64_t hdr_check(const struct obj_hdr *h)
{
	return mix64(h->w1 ^ HDR_SALT ^ (uint64_t)(uintptr_t)h->sc * 31 ^
		     ((uint64_t)h->size << 32 | h->job));
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

/* The page order of an allocation of size bytes (failures are counted by
 * it). */
static unsigned int size_order(size_t size)
{
	unsigned int order = 0;

	while (order < MAX_ORDER - 1 && ((size_t)PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* ------------------------------------------------------------------ */
/* Held objects                                                        */

/* What a held object must show: its header (our caches) and pattern. */
static int held_obj_verify(struct cpu_ctx *c, const struct held_obj *o, const char *when)
{
	if (o->sc) {
		const struct obj_hdr *h = o->p;
		struct obj_hdr want;

		hdr_set(&want, o->tag, o->sc, o->size, o->job);
		for (size_t w = 0; w < OBJ_HDR / 8; w++)
			if (ld64((const uint64_t *)h + w) != ld64((const uint64_t *)&want + w))
				return obj_bad(c, o->p, o->size, o->sc->name, o->tag, w * 8,
					       ld64((const uint64_t *)&want + w),
					       ld64((const uint64_t *)h + w), when);
		return obj_verify(c, o->p, o->size, o->size, o->tag, OBJ_HDR, o->sc->name, when);
	}
	return obj_verify(c, o->p, o->size, o->size, o->tag, 0, "kmalloc", when);
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

/* Take a new object: its alignment and constructed state are checked, its
 * header and pattern written.  -1 if it cannot be used (given back). */
static int obj_take(struct cpu_ctx *c, void *p, struct scache *sc, unsigned int job, size_t size,
		    uint64_t lifetime, struct held_obj *o)
{
	uintptr_t align = sc ? max(sc->align, 8U) : 8;

	if (unlikely((uintptr_t)p % align)) {
		add_violation(c->run, "slab-align", (int)c->cpu,
			      "%s returned %p for a %zu-byte object: not aligned to %lu bytes",
			      sc ? sc->name : "kmalloc", p, size, (unsigned long)align);
		if (sc)
			__atomic_fetch_sub(&sc->live, 1, __ATOMIC_RELAXED);
		return -1;	/* not touched: leaked, the final check says so too */
	}
	if (sc) {
		struct obj_hdr *h = p;

		if (unlikely(h->w0 != CTOR_MAGIC || h->w1 != (uint64_t)(uintptr_t)p))
			add_violation(c->run, "slab-ctor", (int)c->cpu,
				      "kmem_cache_alloc(%s) returned %p without its constructed state: "
				      "%016llx %016llx, expected %016llx %016llx",
				      sc->name, p, (unsigned long long)h->w0,
				      (unsigned long long)h->w1, CTOR_MAGIC,
				      (unsigned long long)(uintptr_t)p);
	}
	o->p = p;
	o->sc = sc;
	o->tag = obj_tag(c, job);
	o->size = (uint32_t)size;
	o->job = (uint8_t)job;
	o->expiry = c->nr_ops + lifetime;
	if (sc) {
		hdr_set(p, o->tag, sc, size, job);
		obj_fill(p, size, o->tag, OBJ_HDR);
	} else {
		obj_fill(p, size, o->tag, 0);
	}
	return 0;
}

static int obj_hold(struct cpu_ctx *c, const struct held_obj *o)
{
	if (c->nobjs == OBJS_MAX)
		return -1;
	c->objs[c->nobjs++] = *o;
	return 0;
}

/* Verify and free a held object that is in nobody's objs[]. */
static void obj_release(struct cpu_ctx *c, const struct held_obj *o, const char *when)
{
	held_obj_verify(c, o, when);
	obj_put_back(o->p, o->sc);
}

static void obj_free(struct cpu_ctx *c, int i, const char *when)
{
	struct held_obj o = c->objs[i];

	c->objs[i] = c->objs[--c->nobjs];
	obj_release(c, &o, when);
}

/* A random held object of job (and of sc if given, with at least min_size
 * bytes), or -1. */
static int obj_pick(const struct cpu_ctx *c, uint64_t r, unsigned int job, const struct scache *sc,
		    size_t min_size)
{
	if (!c->nobjs)
		return -1;
	for (int k = 0, i = (int)(r % (unsigned int)c->nobjs); k < c->nobjs;
	     k++, i = (i + 1) % c->nobjs) {
		const struct held_obj *o = &c->objs[i];

		if (o->job == job && (!sc || o->sc == sc) && o->size >= min_size)
			return i;
	}
	return -1;
}

/* Objects of job past their lifetime go, at most n of them. */
static void obj_expire(struct cpu_ctx *c, unsigned int job, int n)
{
	for (int i = c->nobjs - 1; i >= 0 && n > 0; i--)
		if (c->objs[i].job == job && c->objs[i].expiry <= c->nr_ops) {
			obj_free(c, i, "before freeing it");
			n--;
		}
}

/* Test hook: damage one pattern byte of a held object. */
int obj_corrupt_one(struct cpu_ctx *c)
{
	for (int i = 0; i < c->nobjs; i++) {
		struct held_obj *o = &c->objs[i];
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

/* Another CPU, on another node three times out of four (mempool-starve's too). */
unsigned int pick_target(const struct cpu_ctx *c, uint64_t r)
{
	unsigned int n = c->run->nr_cpus, to = (unsigned int)(r % n);
	int mynode = cpu_to_node(c->cpu);

	if (n < 2)
		return c->cpu;
	if (num_online_nodes() > 1 && (r >> 32) % 4)
		for (unsigned int k = 0; k < n && cpu_to_node(to) == mynode; k++)
			to = (to + 1) % n;
	if (to == c->cpu)
		to = (to + 1) % n;
	return to;
}

/* Hand a held object (not in objs[]) to CPU to, which checks and frees it. */
static void obj_send(struct cpu_ctx *c, const struct held_obj *o, unsigned int to)
{
	struct cpu_ctx *dst = &c->run->cpus[to];
	struct obj_hdr *h = o->p, *head;

	if (to == c->cpu || o->size < OBJ_HDR) {
		obj_release(c, o, "before freeing it");
		return;
	}
	if (held_obj_verify(c, o, "before handing it to another CPU")) {
		obj_put_back(o->p, o->sc);
		return;
	}
	if (page_to_nid(virt_to_page(o->p)) != cpu_to_node(to))
		c->slab_cnt[SC_SENT_CROSS_NODE]++;
	else
		c->slab_cnt[SC_SENT_SAME_NODE]++;
	hdr_set(h, o->tag, o->sc, o->size, o->job);
	head = __atomic_load_n((struct obj_hdr **)&dst->obj_inbox, __ATOMIC_RELAXED);
	do {
		h->w0 = (uint64_t)(uintptr_t)head;
		/* Release: the object's header and pattern before it is seen. */
	} while (!__atomic_compare_exchange_n((struct obj_hdr **)&dst->obj_inbox, &head, h, 1,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

static void obj_receive(struct cpu_ctx *c, struct obj_hdr *h)
{
	const char *when = "on receiving it from another CPU";

	if (h->check != hdr_check(h) || h->size < OBJ_HDR) {
		add_violation(c->run, "data-corruption", (int)c->cpu,
			      "DATA CORRUPTION on CPU %u %s: object %p has a damaged header "
			      "(tag %016llx cache %p size %u job %u check %016llx): not freed",
			      c->cpu, when, (void *)h, (unsigned long long)h->w1, (void *)h->sc,
			      h->size, h->job, (unsigned long long)h->check);
		return;
	}
	obj_verify(c, h, h->size, h->size, h->w1, OBJ_HDR, cache_name(h->sc), when);
	obj_put_back(h, h->sc);
}

/* Check and free every object handed to c; also used at the end. */
static void obj_inbox_drain(struct cpu_ctx *c)
{
	/* Acquire: pairs with the release CAS of obj_send(). */
	struct obj_hdr *h = __atomic_exchange_n((struct obj_hdr **)&c->obj_inbox, NULL,
						__ATOMIC_ACQUIRE);

	while (h) {
		struct obj_hdr *next = (struct obj_hdr *)(uintptr_t)h->w0;

		obj_receive(c, h);
		h = next;
	}
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

static struct scache *scache_create(struct cpu_ctx *c, const char *name, unsigned int size,
				    unsigned int align, slab_flags_t flags)
{
	struct scache *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return NULL;
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->cache = kmem_cache_create(sc->name, size, align, flags, obj_ctor);
	if (!sc->cache) {
		free(sc);
		return NULL;
	}
	sc->size = size;
	sc->flags = flags;
	sc->align = promised_align(size, align, flags);
	c->slab_cnt[SC_CACHES_CREATED]++;
	return sc;
}

/* Only when every object is back: live read 0 (acquire) or all CPUs done. */
static void scache_destroy(struct cpu_ctx *c, struct scache *sc)
{
	struct kmem_cache_stats st;

	/* what the periodic reap gave back of it */
	kmem_cache_stats(sc->cache, &st);
	c->slab_cnt[SC_SLABS_REAPED] += st.reaped;
	kmem_cache_destroy(sc->cache);
	c->slab_cnt[SC_CACHES_DESTROYED]++;
	free(sc);
}

/* A churn cache from the bits of r: 40 B to 8 KiB, any alignment, flags. */
static struct scache *churn_cache_create(struct cpu_ctx *c, uint64_t r)
{
	static const unsigned int aligns[] = { 0, 8, 16, 32, 64, 128, 256, 0 };
	unsigned int size, align = aligns[(r >> 16) % ARRAY_SIZE(aligns)];
	slab_flags_t flags = 0;
	char name[32];

	if (r % 8 == 0)
		size = 2049 + (unsigned int)((r >> 3) % 6144);
	else
		size = (unsigned int)OBJ_HDR + (unsigned int)((r >> 3) % (2048 - OBJ_HDR));
	if ((r >> 19) % 3 == 0)
		flags |= SLAB_HWCACHE_ALIGN;
	if ((r >> 21) % 4 == 0)
		flags |= SLAB_RECLAIM_ACCOUNT;
	if ((r >> 23) % 8 == 0)
		flags |= SLAB_TYPESAFE_BY_RCU;
	else if ((r >> 26) % 8 == 0)
		flags |= SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;
	if ((r >> 29) % 32 == 0)
		flags |= SLAB_CACHE_DMA;
	snprintf(name, sizeof(name), "churn-%u-%llu", c->cpu,
		 (unsigned long long)c->slab_cnt[SC_CACHES_CREATED]);
	return scache_create(c, name, size, align, flags);
}

/* Retiring caches of c whose objects are all back are destroyed. */
static void churn_reap(struct cpu_ctx *c)
{
	for (int s = 0; s < CPU_CACHES; s++) {
		struct scache *sc = c->caches[s];

		/* Acquire: pairs with the release decrement of obj_put_back(). */
		if (sc && sc->retiring && __atomic_load_n(&sc->live, __ATOMIC_ACQUIRE) == 0) {
			scache_destroy(c, sc);
			c->caches[s] = NULL;
		}
	}
}

static void churn_retire(struct cpu_ctx *c, unsigned int s)
{
	struct scache *sc = c->caches[s];

	if (!sc || sc->retiring)
		return;
	sc->retiring = 1;
	for (int i = c->nobjs - 1; i >= 0; i--)
		if (c->objs[i].sc == sc)
			obj_free(c, i, "before retiring its cache");
	churn_reap(c);
}

/* Shrink a cache of which this CPU holds objects: it must say some are left. */
static void shrink_one(struct cpu_ctx *c, struct scache *sc)
{
	int held = obj_pick(c, 0, J_SLAB_CHURN, sc, 0) >= 0 || obj_pick(c, 0, J_SLAB_SHRINK, sc, 0) >= 0;
	int ret = kmem_cache_shrink(sc->cache);

	c->slab_cnt[SC_SHRINKS]++;
	if (held && ret != 1)
		add_violation(c->run, "slab-shrink", (int)c->cpu,
			      "kmem_cache_shrink(%s) returned %d while CPU %u holds objects of it "
			      "(expected 1: slabs with live objects remain)", sc->name, ret, c->cpu);
	for (int i = 0; i < c->nobjs; i++)
		if (c->objs[i].sc == sc)
			held_obj_verify(c, &c->objs[i], "after kmem_cache_shrink() of its cache");
}

/* ------------------------------------------------------------------ */
/* slab-churn                                                          */

/* An object from one of c's caches (slot s first), or -1. */
static int churn_alloc(struct cpu_ctx *c, unsigned int s0, uint64_t r, uint64_t rc,
		       struct held_obj *o)
{
	enum gfp_kind kind = (r >> 8) % 8 == 0 ? GK_ATOMIC : GK_KERNEL;
	int irqoff = kind == GK_ATOMIC && ((r >> 11) & 1);
	int node = (r >> 12) % 4 == 0 ? (int)((r >> 14) % num_online_nodes()) : NUMA_NO_NODE;
	struct scache *sc = NULL;
	unsigned long flags = 0;
	void *p;

	for (unsigned int k = 0; k < CPU_CACHES && !sc; k++) {
		unsigned int s = (s0 + k) % CPU_CACHES;

		if (!c->caches[s]) {
			c->caches[s] = churn_cache_create(c, rc);
			if (!c->caches[s]) {
				count_failure(c, J_SLAB_CHURN, GK_KERNEL, 0);
				return -1;
			}
		}
		if (!c->caches[s]->retiring)
			sc = c->caches[s];
	}
	if (!sc)
		return -1;
	if (irqoff)
		local_irq_save(flags);
	if (node == NUMA_NO_NODE)
		p = kmem_cache_alloc(sc->cache, gfp_kind_mask[kind] | __GFP_NOWARN);
	else
		p = kmem_cache_alloc_node(sc->cache, gfp_kind_mask[kind] | __GFP_NOWARN, node);
	if (irqoff)
		local_irq_restore(flags);
	if (!p) {
		count_failure(c, J_SLAB_CHURN, sc->flags & SLAB_CACHE_DMA ? GK_DMA : kind,
			      size_order(sc->size));
		return -1;
	}
	__atomic_fetch_add(&sc->live, 1, __ATOMIC_RELAXED);
	if (node != NUMA_NO_NODE && node != numa_node_id())
		c->slab_cnt[SC_ALLOC_NODE_REMOTE]++;
	return obj_take(c, p, sc, J_SLAB_CHURN, sc->size, 1 + (rc >> 40) % 1500, o);
}

int slab_churn_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng), r2 = prng_next(&c->rng), r3 = prng_next(&c->rng);
	unsigned int action = r % 16, s = (unsigned int)((r >> 4) % CPU_CACHES);
	struct held_obj o;
	int i;

	a[0] = r;
	a[1] = r2;
	a[2] = r3;
	op_begin(c, J_SLAB_CHURN, a);
	obj_inbox_drain(c);
	churn_reap(c);
	obj_expire(c, J_SLAB_CHURN, 2);

	if (action < 7) {
		if (!churn_alloc(c, s, r, r2, &o) && obj_hold(c, &o))
			obj_release(c, &o, "before freeing it");	/* full */
	} else if (action < 10) {
		if (!churn_alloc(c, s, r, r2, &o))
			obj_send(c, &o, pick_target(c, r3));
	} else if (action < 13) {
		i = obj_pick(c, r2, J_SLAB_CHURN, NULL, 0);
		if (i >= 0)
			obj_free(c, i, "before freeing it");
	} else if (action < 15) {
		if (c->nobjs)
			held_obj_verify(c, &c->objs[r2 % (unsigned int)c->nobjs], "at a random check");
	} else if ((r2 >> 32) % 8 == 0) {
		churn_retire(c, s);
	} else if (c->caches[s]) {
		shrink_one(c, c->caches[s]);
	}
	return 0;
}

/* A CPU stops: everything it holds goes back, its caches retire. */
void slab_churn_release(struct cpu_ctx *c)
{
	slab_jobs_release(c);
	for (int s = 0; s < CPU_CACHES; s++)
		if (c->caches[s])
			c->caches[s]->retiring = 1;
	churn_reap(c);
}

void slab_jobs_release(struct cpu_ctx *c)
{
	while (c->nobjs)
		obj_free(c, c->nobjs - 1, "before freeing it at the end");
	obj_inbox_drain(c);
}

/* Every CPU has stopped: objects still in transit, caches still alive. */
void slab_jobs_teardown(struct run *run)
{
	for (unsigned int k = 0; k < run->nr_cpus; k++)
		obj_inbox_drain(&run->cpus[k]);
	for (unsigned int k = 0; k < run->nr_cpus; k++) {
		struct cpu_ctx *c = &run->cpus[k];

		for (int s = 0; s < CPU_CACHES; s++) {
			struct scache *sc = c->caches[s];
			long live;

			if (!sc)
				continue;
			live = __atomic_load_n(&sc->live, __ATOMIC_ACQUIRE);
			if (live) {
				add_violation(run, "leak", (int)k,
					      "cache %s: %ld object%s never came back", sc->name,
					      live, str_plural(live));
				continue;
			}
			scache_destroy(c, sc);
			c->caches[s] = NULL;
		}
	}
}

/* ------------------------------------------------------------------ */
/* kmalloc-mix                                                         */

/* Many small, some up to a page, rare large. */
static size_t kmix_size(uint64_t x)
{
	unsigned int p = (unsigned int)(x % 100);

	x >>= 8;
	if (p < 70)
		return 8 + x % 249;				/* 8..256 */
	if (p < 76)
		return 257 + x % 255;				/* 257..511 */
	if (p < 93)
		return 512 + x % 3585;				/* 512..4096 */
	if (p < 99)
		return 4097 + x % (65536 - 4096);		/* ..64 KiB */
	return 65537 + x % (KMIX_MAX - 65536);			/* ..1 MiB */
}

static int zero_bad(struct cpu_ctx *c, const unsigned char *p, size_t size, const char *how)
{
	size_t step = size <= 4096 ? 1 : 64;

	for (size_t off = 0; off < size; off += step)
		if (p[off]) {
			add_violation(c->run, "kzalloc", (int)c->cpu,
				      "%s(%zu) returned %p, not zeroed at +%#zx: %02x",
				      how, size, (const void *)p, off, p[off]);
			return 1;
		}
	return 0;
}

/* The object's first checks: kmalloc's alignment and ksize(). */
static int kmix_check_new(struct cpu_ctx *c, void *p, size_t size, const char *how)
{
	size_t ks = ksize(p);

	if (ks < size) {
		add_violation(c->run, "ksize", (int)c->cpu, "%s(%zu) returned %p with ksize() %zu",
			      how, size, p, ks);
		return 1;
	}
	return 0;
}

/* A new kmalloc-mix object held (or sent) by c, drawn from r and r2. */
static int kmix_alloc(struct cpu_ctx *c, uint64_t r, uint64_t r2, size_t min_size,
		      struct held_obj *o)
{
	static const size_t elems[] = { 8, 16, 24, 40, 64, 96, 128, 4 };
	unsigned int how = (unsigned int)((r >> 8) % 10), nodes = num_online_nodes();
	enum gfp_kind kind = (r >> 12) % 5 == 0 ? GK_ATOMIC : GK_KERNEL;
	int irqoff = kind == GK_ATOMIC && ((r >> 15) & 1), zeroed = 0;
	size_t size = max(kmix_size(r2), min_size), elem = elems[(r >> 16) % ARRAY_SIZE(elems)];
	int node = (int)((numa_node_id() + 1 + (r >> 20) % max(nodes - 1, 1U)) % nodes);
	gfp_t gfp = gfp_kind_mask[kind] | __GFP_NOWARN;
	const char *name;
	unsigned long flags = 0;
	void *p;

	if (irqoff)
		local_irq_save(flags);
	switch (how) {
	case 0: case 1: case 2: case 3:
		name = "kmalloc";
		p = kmalloc(size, gfp);
		break;
	case 4: case 5:
		name = "kzalloc";
		p = kzalloc(size, gfp);
		zeroed = 1;
		break;
	case 6:
		name = "kcalloc";
		size = DIV_ROUND_UP(size, elem) * elem;
		p = kcalloc(size / elem, elem, gfp);
		zeroed = 1;
		break;
	case 7:
		name = "kmalloc_array";
		size = DIV_ROUND_UP(size, elem) * elem;
		p = kmalloc_array(size / elem, elem, gfp);
		break;
	case 8:
		name = "kmalloc_node";
		p = kmalloc_node(size, gfp, node);
		break;
	default:
		name = "kzalloc_node";
		p = kzalloc_node(size, gfp, node);
		zeroed = 1;
		break;
	}
	if (irqoff)
		local_irq_restore(flags);
	if (!p) {
		count_failure(c, J_KMALLOC_MIX, kind, size_order(size));
		return -1;
	}
	if (how >= 8 && node != numa_node_id())
		c->slab_cnt[SC_ALLOC_NODE_REMOTE]++;
	if (kmix_check_new(c, p, size, name) || (zeroed && zero_bad(c, p, size, name))) {
		kfree(p);
		return -1;
	}
	return obj_take(c, p, NULL, J_KMALLOC_MIX, size, 1 + (r2 >> 40) % 1000, o);
}

static void kmix_krealloc(struct cpu_ctx *c, int i, uint64_t r)
{
	struct held_obj *o = &c->objs[i];
	size_t old = o->size, ks = ksize(o->p), want, ks2;
	enum gfp_kind kind = (r >> 2) % 4 == 0 ? GK_ATOMIC : GK_KERNEL;
	char when[96];
	void *p;

	switch (r % 4) {
	case 0:		/* shrink */
		want = 8 + (r >> 8) % (old - 7);
		break;
	case 1:		/* grow */
		want = min(old + 1 + (r >> 8) % (3 * old), (size_t)KMIX_MAX);
		break;
	case 2:		/* within what ksize() says is there: in place */
		want = ks > old ? old + 1 + (r >> 8) % (ks - old) : old;
		break;
	default:
		want = kmix_size(r >> 8);
		break;
	}
	if (held_obj_verify(c, o, "before krealloc()"))
		return;
	p = krealloc(o->p, want, gfp_kind_mask[kind] | __GFP_NOWARN);
	if (!p) {
		count_failure(c, J_KMALLOC_MIX, kind, size_order(want));
		held_obj_verify(c, o, "after a failed krealloc()");
		return;
	}
	c->slab_cnt[SC_KREALLOC]++;
	if (p != o->p)
		c->slab_cnt[SC_KREALLOC_MOVED]++;
	if (want <= ks && p != o->p)
		add_violation(c->run, "krealloc", (int)c->cpu,
			      "krealloc(%p, %zu) moved the object to %p although its ksize() is %zu",
			      o->p, want, p, ks);
	ks2 = ksize(p);
	if (ks2 < want)
		add_violation(c->run, "ksize", (int)c->cpu,
			      "krealloc(%p, %zu) returned %p with ksize() %zu", o->p, want, p, ks2);
	snprintf(when, sizeof(when), "after krealloc() from %zu to %zu bytes", old, want);
	obj_verify(c, p, old, min(old, want), o->tag, 0, "kmalloc", when);
	o->p = p;
	o->size = (uint32_t)want;
	obj_fill(p, want, o->tag, 0);
}

/* What kmalloc must do at its edges (and print nothing). */
static void kmix_edges(struct cpu_ctx *c, uint64_t r, uint64_t r2)
{
	struct held_obj o;
	void *p;
	int i;

	switch (r2 % 6) {
	case 0:
		p = kmalloc(0, GFP_KERNEL);
		if (p != ZERO_SIZE_PTR)
			add_violation(c->run, "kmalloc", (int)c->cpu,
				      "kmalloc(0) returned %p, not ZERO_SIZE_PTR", p);
		kfree(p);
		break;
	case 1:
		kfree(NULL);
		kfree(ZERO_SIZE_PTR);
		break;
	case 2:
		p = kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL | __GFP_NOWARN);
		if (p) {
			add_violation(c->run, "kmalloc", (int)c->cpu,
				      "kmalloc_array(SIZE_MAX / 2, 4) did not fail: %p", p);
			kfree(p);
		}
		break;
	case 3:
		p = kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN);
		if (p) {
			add_violation(c->run, "kmalloc", (int)c->cpu,
				      "kmalloc(KMALLOC_MAX_SIZE + 1) did not fail: %p", p);
			kfree(p);
		}
		break;
	case 4: {	/* krealloc(NULL, n) is kmalloc(n) */
		size_t size = kmix_size(r >> 16);

		p = krealloc(NULL, size, GFP_KERNEL | __GFP_NOWARN);
		if (!p) {
			count_failure(c, J_KMALLOC_MIX, GK_KERNEL, size_order(size));
			break;
		}
		if (kmix_check_new(c, p, size, "krealloc(NULL, ...)") ||
		    obj_take(c, p, NULL, J_KMALLOC_MIX, size, 1 + (r >> 40) % 1000, &o)) {
			kfree(p);
			break;
		}
		if (obj_hold(c, &o))
			obj_release(c, &o, "before freeing it");
		break;
	}
	default:	/* krealloc(p, 0) frees p */
		i = obj_pick(c, r, J_KMALLOC_MIX, NULL, 0);
		if (i < 0)
			break;
		o = c->objs[i];
		c->objs[i] = c->objs[--c->nobjs];
		held_obj_verify(c, &o, "before krealloc() to 0 bytes");
		p = krealloc(o.p, 0, GFP_KERNEL);
		if (p != ZERO_SIZE_PTR)
			add_violation(c->run, "krealloc", (int)c->cpu,
				      "krealloc(%p, 0) returned %p, not ZERO_SIZE_PTR", o.p, p);
		break;
	}
}

int kmalloc_mix_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng), r2 = prng_next(&c->rng), r3 = prng_next(&c->rng);
	unsigned int action = r % 20;
	struct held_obj o;
	int i;

	a[0] = r;
	a[1] = r2;
	a[2] = r3;
	op_begin(c, J_KMALLOC_MIX, a);
	obj_inbox_drain(c);
	obj_expire(c, J_KMALLOC_MIX, 2);

	if (action < 9) {
		if (!kmix_alloc(c, r, r2, 8, &o) && obj_hold(c, &o))
			obj_release(c, &o, "before freeing it");
	} else if (action < 12) {
		i = obj_pick(c, r2, J_KMALLOC_MIX, NULL, 0);
		if (i >= 0)
			obj_free(c, i, "before freeing it");
	} else if (action < 15) {
		i = obj_pick(c, r2, J_KMALLOC_MIX, NULL, 0);
		if (i >= 0)
			kmix_krealloc(c, i, r3);
	} else if (action < 17) {
		/* one held (or a new one) to another CPU, which kfree()s it */
		i = obj_pick(c, r2, J_KMALLOC_MIX, NULL, OBJ_HDR);
		if (i >= 0) {
			o = c->objs[i];
			c->objs[i] = c->objs[--c->nobjs];
		} else if (kmix_alloc(c, r, r2, OBJ_HDR, &o)) {
			return 0;
		}
		obj_send(c, &o, pick_target(c, r3));
	} else if (action < 19) {
		if (c->nobjs)
			held_obj_verify(c, &c->objs[r2 % (unsigned int)c->nobjs], "at a random check");
	} else {
		kmix_edges(c, r3, r2);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* slab-shrink                                                         */

int slab_shrink_setup(struct run *run)
{
	static const struct {
		const char *name;
		unsigned int size;
		slab_flags_t flags;
	} spec[ARRAY_SIZE(shrink_caches)] = {
		{ "shrink-64", 64, 0 },
		{ "shrink-700", 700, SLAB_HWCACHE_ALIGN },
		{ "shrink-5000", 5000, SLAB_RECLAIM_ACCOUNT },
	};

	slab_run = run;
	for (unsigned int k = 0; k < ARRAY_SIZE(shrink_caches); k++) {
		shrink_caches[k] = scache_create(&run->cpus[0], spec[k].name, spec[k].size, 0,
						 spec[k].flags);
		if (!shrink_caches[k])
			return -ENOMEM;
	}
	/* over a page: no shared array, a small CPU array (Linux's tunables) */
	reap_cache = scache_create(&run->cpus[0], "reap-idle", 5000, 0, 0);
	return reap_cache ? 0 : -ENOMEM;
}

static void shared_cache_teardown(struct run *run, struct scache **scp)
{
	struct scache *sc = *scp;
	long live;

	if (!sc)
		return;
	live = __atomic_load_n(&sc->live, __ATOMIC_ACQUIRE);
	if (live) {
		add_violation(run, "leak", -1, "cache %s: %ld object%s never came back", sc->name,
			      live, str_plural(live));
		return;
	}
	scache_destroy(&run->cpus[0], sc);
	*scp = NULL;
}

void slab_shrink_teardown(struct run *run)
{
	for (unsigned int k = 0; k < ARRAY_SIZE(shrink_caches); k++)
		shared_cache_teardown(run, &shrink_caches[k]);
	shared_cache_teardown(run, &reap_cache);
}

/*
 * A burst on the idle cache, all freed at once, at most once per REAP_IDLE
 * on the whole machine: its objects sit in this CPU's array and on free
 * slabs, untouched until the periodic reap gives them back (a reap skips a
 * node whose free slabs were used since the last one).
 */
static void reap_burst(struct cpu_ctx *c, unsigned int n, uint64_t r)
{
	unsigned long epoch = jiffies / REAP_IDLE, last = READ_ONCE(reap_epoch);
	struct held_obj o[64];
	unsigned int got = 0;

	/* Relaxed: the epoch only picks which CPU bursts; the cache is shared. */
	if (epoch == last || !__atomic_compare_exchange_n(&reap_epoch, &last, epoch, 0,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	n = min(n, (unsigned int)ARRAY_SIZE(o));
	for (unsigned int k = 0; k < n; k++) {
		void *p = kmem_cache_alloc(reap_cache->cache, GFP_KERNEL | __GFP_NOWARN);

		if (!p) {
			count_failure(c, J_SLAB_SHRINK, GK_KERNEL, size_order(reap_cache->size));
			break;
		}
		__atomic_fetch_add(&reap_cache->live, 1, __ATOMIC_RELAXED);
		if (!obj_take(c, p, reap_cache, J_SLAB_SHRINK, reap_cache->size, 1 + (r >> 20), &o[got]))
			got++;
	}
	while (got)
		obj_release(c, &o[--got], "before freeing it");
}

/* A burst of n objects of sc, held (or freed at once when objs[] is full). */
static void shrink_burst(struct cpu_ctx *c, struct scache *sc, unsigned int n, uint64_t r)
{
	int node = (r >> 8) & 1 ? (int)((r >> 10) % num_online_nodes()) : NUMA_NO_NODE;
	struct held_obj o;

	for (unsigned int k = 0; k < n; k++) {
		void *p = node == NUMA_NO_NODE ? kmem_cache_alloc(sc->cache, GFP_KERNEL | __GFP_NOWARN) :
			  kmem_cache_alloc_node(sc->cache, GFP_KERNEL | __GFP_NOWARN, node);

		if (!p) {
			count_failure(c, J_SLAB_SHRINK, GK_KERNEL, size_order(sc->size));
			return;
		}
		__atomic_fetch_add(&sc->live, 1, __ATOMIC_RELAXED);
		if (obj_take(c, p, sc, J_SLAB_SHRINK, sc->size, 1 + (r >> 20) % 300, &o))
			continue;
		if (obj_hold(c, &o))
			obj_release(c, &o, "before freeing it");
	}
}

int slab_shrink_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng), r2 = prng_next(&c->rng), r3 = prng_next(&c->rng);
	unsigned int action = r % 16;
	struct scache *sc = shrink_caches[(r >> 4) % ARRAY_SIZE(shrink_caches)];
	struct kmem_cache *k;

	a[0] = r;
	a[1] = r2;
	a[2] = r3;
	op_begin(c, J_SLAB_SHRINK, a);
	if (!sc)
		return -1;
	obj_expire(c, J_SLAB_SHRINK, OBJS_MAX);

	if (action < 7) {
		shrink_burst(c, sc, 1 + (unsigned int)(r2 % 24), r3);
	} else if (action < 10) {
		/* all of ours of sc back: their slabs may become free */
		for (int i = c->nobjs - 1; i >= 0; i--)
			if (c->objs[i].job == J_SLAB_SHRINK && c->objs[i].sc == sc)
				obj_free(c, i, "before freeing it");
	} else if (action < 12) {
		shrink_one(c, sc);
	} else if (action < 13) {
		/* a kmalloc cache, which kmalloc-mix is using meanwhile */
		k = kmalloc_slab(kmix_size(r2), GFP_KERNEL);
		if (k) {
			kmem_cache_shrink(k);
			c->slab_cnt[SC_SHRINKS]++;
		}
	} else if (action < 14) {
		/* the typesafe cache: its free slabs go after a grace period */
		if (rt.cache) {
			kmem_cache_shrink(rt.cache);
			c->slab_cnt[SC_SHRINKS]++;
		}
	} else if (action < 15) {
		for (int s = 0; s < CPU_CACHES; s++)
			if (c->caches[s])
				shrink_one(c, c->caches[s]);
	} else if (r2 % 4 == 0) {
		reap_burst(c, 16 + (unsigned int)((r2 >> 8) % 49), r3);
	} else {
		/* reuse at once, with the deferred work (the reap) in between */
		for (unsigned int n = 0; n < 8; n++) {
			shrink_burst(c, sc, 1, r3 >> n);
			cond_resched();
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* rcu-free                                                            */

/* An object of the SLAB_TYPESAFE_BY_RCU cache; see the map. */
struct robj {
	uint64_t magic;
	uint64_t self;
	int refcnt;			/* 0: free; the table's, readers' */
	int pad;
	uint64_t key;			/* CPU << 48 | serial << 16 | slot */
	uint64_t payload[ROBJ_WORDS];	/* obj_word(key, 8 * j) */
};

/* A kmalloc'ed object freed after a grace period. */
struct kobj {
	uint64_t key;
	uint32_t nwords;
	uint32_t pad;
	struct rcu_head rh;		/* inside, not first: kfree_rcu() finds the object */
	uint64_t payload[];
};

static inline unsigned int key_slot(uint64_t key)
{
	return (unsigned int)(key & 0xffff);
}

static void robj_ctor(void *p)
{
	struct robj *o = p;

	WRITE_ONCE(o->magic, RCU_MAGIC);
	WRITE_ONCE(o->self, (uint64_t)(uintptr_t)p);
	WRITE_ONCE(o->refcnt, 0);
	WRITE_ONCE(o->key, 0);
}

int rcu_free_setup(struct run *run)
{
	slab_run = run;
	rt.cache = kmem_cache_create("rcu-typesafe", sizeof(struct robj), 0,
				     SLAB_TYPESAFE_BY_RCU, robj_ctor);
	return rt.cache ? 0 : -ENOMEM;
}

static int robj_is_ours(struct cpu_ctx *c, const struct robj *p, const char *when)
{
	uint64_t magic = READ_ONCE(p->magic), self = READ_ONCE(p->self);

	if (likely(magic == RCU_MAGIC && self == (uint64_t)(uintptr_t)p))
		return 1;
	add_violation(c->run, "rcu-typesafe", (int)c->cpu,
		      "CPU %u %s: %p is not an object of rcu-typesafe: magic %016llx self %016llx "
		      "(its memory left the SLAB_TYPESAFE_BY_RCU cache before a grace period?)",
		      c->cpu, when, (const void *)p, (unsigned long long)magic,
		      (unsigned long long)self);
	return 0;
}

/* An object we hold a reference on: its payload must match its key. */
static int robj_check(struct cpu_ctx *c, const struct robj *p, uint64_t key, const char *when)
{
	for (unsigned int j = 0; j < ROBJ_WORDS; j++) {
		uint64_t got = READ_ONCE(p->payload[j]);

		if (unlikely(got != obj_word(key, 8 * j))) {
			add_violation(c->run, "rcu-typesafe", (int)c->cpu,
				      "CPU %u %s: object %p key %016llx payload[%u] is %016llx, expected "
				      "%016llx (changed while referenced)", c->cpu, when, (const void *)p,
				      (unsigned long long)key, j, (unsigned long long)got,
				      (unsigned long long)obj_word(key, 8 * j));
			return 1;
		}
	}
	return 0;
}

static void robj_put(struct cpu_ctx *c, struct robj *p)
{
	/* Acq_rel: the last one sees every reader's reads done before it. */
	int v = __atomic_sub_fetch(&p->refcnt, 1, __ATOMIC_ACQ_REL);

	if (likely(v > 0))
		return;
	if (v < 0) {
		add_violation(c->run, "rcu-refcount", (int)c->cpu,
			      "object %p of rcu-typesafe: refcount went to %d", (void *)p, v);
		return;
	}
	robj_check(c, p, READ_ONCE(p->key), "when its last reference was dropped");
	kmem_cache_free(rt.cache, p);
}

/* Under rcu_read_lock(): slot i, whatever state its object is in. */
static void robj_lookup(struct cpu_ctx *c, unsigned int i)
{
	struct robj *p = rcu_dereference(rt.slot[i]);
	uint64_t key;
	int ref;

	c->slab_cnt[SC_RCU_LOOKUPS]++;
	if (!p || !robj_is_ours(c, p, "reading a slot under rcu_read_lock()"))
		return;
	/* A reference unless it is free (or being freed): inc_not_zero. */
	ref = READ_ONCE(p->refcnt);
	do {
		if (ref <= 0) {
			c->slab_cnt[SC_RCU_RACED]++;
			return;
		}
		/* Acquire: pairs with the release store of refcnt = 1. */
	} while (!__atomic_compare_exchange_n(&p->refcnt, &ref, ref + 1, 1, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	/* It may have been freed and reused meanwhile: re-check what it is
	 * (a typesafe object stays one of its cache, even free) and its key. */
	key = READ_ONCE(p->key);
	if (!robj_is_ours(c, p, "holding a reference taken under rcu_read_lock()")) {
		__atomic_sub_fetch(&p->refcnt, 1, __ATOMIC_RELEASE);	/* never free it */
		return;
	}
	if (key_slot(key) != i) {
		c->slab_cnt[SC_RCU_RACED]++;
	} else {
		robj_check(c, p, key, "after a lookup under rcu_read_lock()");
		c->slab_cnt[SC_RCU_VALIDATED]++;
	}
	robj_put(c, p);
}

static void robj_replace(struct cpu_ctx *c, unsigned int i, int del, uint64_t r)
{
	enum gfp_kind kind = r % 8 == 0 ? GK_ATOMIC : GK_KERNEL;
	struct robj *n = NULL, *old;
	int ref;

	if (!del) {
		uint64_t key = (uint64_t)c->cpu << 48 | (c->obj_serial++ & 0xffffffffULL) << 16 | i;

		n = kmem_cache_alloc(rt.cache, gfp_kind_mask[kind] | __GFP_NOWARN);
		if (!n) {
			count_failure(c, J_RCU_FREE, kind, 0);
			return;
		}
		if (!robj_is_ours(c, n, "allocating from rcu-typesafe")) {
			kmem_cache_free(rt.cache, n);
			return;
		}
		ref = READ_ONCE(n->refcnt);
		if (ref != 0)
			add_violation(c->run, "rcu-refcount", (int)c->cpu,
				      "kmem_cache_alloc(rcu-typesafe) returned %p with refcount %d: "
				      "a reference outlived its free", (void *)n, ref);
		WRITE_ONCE(n->key, key);
		for (unsigned int j = 0; j < ROBJ_WORDS; j++)
			WRITE_ONCE(n->payload[j], obj_word(key, 8 * j));
		/* Release: key and payload before anyone can take a reference. */
		__atomic_store_n(&n->refcnt, 1, __ATOMIC_RELEASE);
	}
	/* Acq_rel: publishes n (rcu_assign_pointer) and takes the old one. */
	old = __atomic_exchange_n(&rt.slot[i], n, __ATOMIC_ACQ_REL);
	c->slab_cnt[SC_RCU_REPLACED]++;
	if (old)
		robj_put(c, old);
}

/* A kobj read or about to be freed: its payload must match its key. */
static int kobj_check(struct cpu_ctx *c, const struct kobj *p, int slot, const char *when)
{
	uint64_t key = p->key;
	uint32_t n = p->nwords;

	if (unlikely((slot >= 0 && key_slot(key) != (unsigned int)slot) || key_slot(key) >= RCU_SLOTS ||
		     !n || n > KOBJ_MAX_WORDS)) {
		add_violation(c->run, "rcu-kfree", (int)c->cpu,
			      "CPU %u %s: kmalloc'ed object %p in slot %d has key %016llx and %u words: "
			      "freed before a grace period?", c->cpu, when, (const void *)p, slot,
			      (unsigned long long)key, n);
		return 1;
	}
	for (uint32_t j = 0; j < n; j++)
		if (unlikely(p->payload[j] != obj_word(key, 8 * j))) {
			add_violation(c->run, "rcu-kfree", (int)c->cpu,
				      "CPU %u %s: kmalloc'ed object %p key %016llx payload[%u] is %016llx, "
				      "expected %016llx: freed before a grace period?", c->cpu, when,
				      (const void *)p, (unsigned long long)key, j,
				      (unsigned long long)p->payload[j],
				      (unsigned long long)obj_word(key, 8 * j));
			return 1;
		}
	return 0;
}

static void kobj_lookup(struct cpu_ctx *c, unsigned int i)
{
	struct kobj *p = rcu_dereference(rt.kslot[i]);

	c->slab_cnt[SC_RCU_LOOKUPS]++;
	if (p && !kobj_check(c, p, (int)i, "reading a slot under rcu_read_lock()"))
		c->slab_cnt[SC_RCU_VALIDATED]++;
}

/* call_rcu()'s callback, on the CPU that queued it. */
static void kobj_rcu_free(struct rcu_head *head)
{
	struct kobj *o = container_of(head, struct kobj, rh);

	kobj_check(&slab_run->cpus[smp_processor_id()], o, -1, "in its call_rcu() callback");
	kfree(o);
}

static void kobj_retire(struct cpu_ctx *c, struct kobj *old, unsigned int how)
{
	if (how == 0) {
		synchronize_rcu();
		kobj_check(c, old, -1, "after synchronize_rcu()");
		kfree(old);
		c->slab_cnt[SC_SYNCHRONIZE_RCU]++;
	} else if (how < 32) {
		kfree_rcu(old, rh);
		c->slab_cnt[SC_KFREE_RCU]++;
	} else {
		call_rcu(&old->rh, kobj_rcu_free);
		c->slab_cnt[SC_CALL_RCU]++;
	}
}

static void kobj_replace(struct cpu_ctx *c, unsigned int i, int del, uint64_t r)
{
	enum gfp_kind kind = r % 8 == 0 ? GK_ATOMIC : GK_KERNEL;
	uint32_t nwords = (r >> 3) % 16 ? 1 + (uint32_t)((r >> 8) % 60) :
					  1 + (uint32_t)((r >> 8) % KOBJ_MAX_WORDS);
	struct kobj *n = NULL, *old;

	if (!del) {
		size_t size = sizeof(*n) + nwords * sizeof(uint64_t);
		uint64_t key = (uint64_t)c->cpu << 48 | (c->obj_serial++ & 0xffffffffULL) << 16 | i;

		n = kmalloc(size, gfp_kind_mask[kind] | __GFP_NOWARN);
		if (!n) {
			count_failure(c, J_RCU_FREE, kind, size_order(size));
			return;
		}
		n->key = key;
		n->nwords = nwords;
		n->pad = 0;
		for (uint32_t j = 0; j < nwords; j++)
			n->payload[j] = obj_word(key, 8 * j);
	}
	/* Acq_rel: publishes n (rcu_assign_pointer) and takes the old one. */
	old = __atomic_exchange_n(&rt.kslot[i], n, __ATOMIC_ACQ_REL);
	c->slab_cnt[SC_RCU_REPLACED]++;
	if (old)
		kobj_retire(c, old, (unsigned int)((r >> 24) % 64));
}

int rcu_free_op(struct cpu_ctx *c, uint64_t a[3])
{
	uint64_t r = prng_next(&c->rng), r2 = prng_next(&c->rng), r3 = prng_next(&c->rng);
	unsigned int action = r % 10, i = (unsigned int)(r2 % RCU_SLOTS);

	a[0] = r;
	a[1] = r2;
	a[2] = r3;
	op_begin(c, J_RCU_FREE, a);
	if (!rt.cache)
		return -1;
	if (action < 6) {
		/* 8 to 32 lookups of random slots of both tables in one section */
		unsigned int n = 8 + (unsigned int)(r3 % 25);
		uint64_t x = r2;

		rcu_read_lock();
		for (unsigned int k = 0; k < n; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((x >> 62) & 1)
				robj_lookup(c, (unsigned int)(x >> 33) % RCU_SLOTS);
			else
				kobj_lookup(c, (unsigned int)(x >> 33) % RCU_SLOTS);
		}
		rcu_read_unlock();
	} else if (action < 8) {
		robj_replace(c, i, 0, r3);
	} else if (action < 9) {
		kobj_replace(c, i, 0, r3);
	} else if (r3 & 1) {
		robj_replace(c, i, 1, r3);
	} else {
		kobj_replace(c, i, 1, r3);
	}
	return 0;
}

/* Every CPU has stopped: empty both tables, then the cache goes. */
void rcu_free_teardown(struct run *run)
{
	struct cpu_ctx *c = &run->cpus[0];

	if (!rt.cache)
		return;
	for (unsigned int i = 0; i < RCU_SLOTS; i++) {
		struct robj *p = __atomic_exchange_n(&rt.slot[i], NULL, __ATOMIC_ACQ_REL);
		struct kobj *k = __atomic_exchange_n(&rt.kslot[i], NULL, __ATOMIC_ACQ_REL);

		if (p) {
			int ref = READ_ONCE(p->refcnt);

			if (ref != 1)
				add_violation(run, "rcu-refcount", -1,
					      "slot %u: object %p has refcount %d after every reader "
					      "stopped (expected 1)", i, (void *)p, ref);
			robj_put(c, p);
		}
		if (k)
			kobj_retire(c, k, 1);
	}
	rcu_barrier();
	kmem_cache_destroy(rt.cache);
	rt.cache = NULL;
}
