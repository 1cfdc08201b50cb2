// SPDX-License-Identifier: MIT
/*
 * stress/jobs/rcu_free.c - rcu-free: a table of RCU-published objects of
 * a SLAB_TYPESAFE_BY_RCU cache with refcounts: readers on every CPU look
 * slots up under rcu_read_lock(), check the object is one of the cache
 * (its constructor's magic, never written again), take a reference
 * unless it is zero and re-check the key, as kernel code does; writers
 * replace and free objects meanwhile.  A second table of kmalloc'ed
 * objects is freed with kfree_rcu(), call_rcu() or synchronize_rcu() +
 * kfree(); readers must never see them change.
 *
 * Use after free: a reader remembers every object it found in its section
 * (up to RCU_HELD), passes a jitter point, and re-checks them all before
 * rcu_read_unlock(): a kfree_rcu'd object must still hold its key and
 * pattern (its grace period cannot have ended), a typesafe one must still
 * be an object of rcu-typesafe (magic and self), whatever life it is in.
 * A mismatch is "BUG: KASAN: use-after-free in <reader>"
 * (kasan_report_rcu()).  With slab_debug the library's free poisons an
 * object, so an object kfree()d at once is caught at its first re-check;
 * without it, once the memory is reused.  Now and then a CPU empties the
 * typesafe table and shrinks the cache, so that its free slabs go back to
 * the page allocator (after a grace period) while readers hold objects of
 * them.  That purge meets a reader on purpose: it announces itself
 * (rt.purge_wanted) and waits a little for a CPU in a read section to
 * answer (rt.purge_reader); that reader keeps its section open, with the
 * objects it found, until the purge has emptied the table, shrunk the
 * cache and scribbled over a few fresh pages, as the next user of freed
 * memory would (rt.purge_done).  A slab given back before its grace period
 * is then rewritten under the reader, whose re-check reports it.
 *
 * Who touches what: rt.cache is made by the setup and destroyed by the
 * teardown (read-only between); writers exchange a slot (acq_rel:
 * publishes the new object, and orders the old one's last reads before
 * its release), readers rcu_dereference() it (acquire).  A typesafe
 * object's magic and self are written by its constructor only; key and
 * payload by the CPU that allocated it, before its refcount goes from 0
 * to 1 (release); everything a reader may see of a freed or reused object
 * is read with READ_ONCE(), since the writer of the next life may be
 * storing meanwhile.  rt.purge_wanted, purge_reader, purge_done: the
 * purge's rendezvous, atomics (release/acquire pairs where they are used,
 * below); each wait is bounded, so a purge with no reader, or a reader
 * with no purge, goes on alone.
 */
#include <sched.h>
#include <errno.h>
#include <string.h>

#include "slab.h"

#define RCU_MAGIC	0x7c0ffee5afe0b1ecULL	/* rcu-typesafe object */
#define RCU_SLOTS	256
#define ROBJ_WORDS	6
#define KOBJ_MAX_WORDS	1024
#define RCU_HELD	32	/* objects a section re-checks (its lookups: <= 32) */

/* An object of the SLAB_TYPESAFE_BY_RCU cache; see the map. */
struct robj {
	uint64_t magic;
	uint64_t self;
	int refcnt;			/* 0: free; the table's, readers' */
	int pad;
	uint64_t key;			/* CPU << 48 | serial << 16 | slot */
	uint64_t payload[ROBJ_WORDS];	/* pattern_word(key, 8 * j) */
};

/* What a read-side section found: a kobj and its key, or a robj. */
struct rcu_seen {
	const void *p;
	uint64_t key;
	int is_kobj;
};
struct rcu_held {
	unsigned int n;
	struct rcu_seen obj[RCU_HELD];
};

/* A kmalloc'ed object freed after a grace period. */
struct kobj {
	uint64_t key;
	uint32_t nwords;
	uint32_t pad;
	struct rcu_head rh;		/* inside, not first: kfree_rcu() finds the object */
	uint64_t payload[];		/* the pattern of key, every word */
};

/* How long a purge waits for a reader, and a reader for the purge: short,
 * so that a reader whose grace period someone waits for (a cache being
 * destroyed) never holds that up for long. */
#define PURGE_WAIT_READER_NS	(2ULL * 1000 * 1000)
#define PURGE_WAIT_PURGE_NS	(20ULL * 1000 * 1000)
#define PURGE_SCRIBBLE_PAGES	8

static struct {
	struct kmem_cache *cache;
	struct robj *slot[RCU_SLOTS];
	struct kobj *kslot[RCU_SLOTS];
	int purging;			/* a purge meets a reader (one at a time) */
	int purge_wanted;		/* a purge waits for a reader */
	int purge_reader;		/* a reader answered (one at a time) */
	int purge_slot;			/* its kmalloc'ed object's slot, or -1:
					   written before its answer (release) */
	int purge_done;			/* the purge is over: re-check now */
} rt;

struct kmem_cache *rcu_free_cache(void)
{
	return rt.cache;
}

static inline unsigned int key_slot(uint64_t key)
{
	return (unsigned int)(key & 0xffff);
}

/* A new key for slot i: the CPU's next identity, with the slot in it. */
static uint64_t new_key(struct cpu_ctx *c, unsigned int i)
{
	return (uint64_t)c->cpu << 48 | (tag_serial(stress_tag(c)) & 0xffffffffULL) << 16 | i;
}

static void robj_ctor(void *p)
{
	struct robj *o = p;

	WRITE_ONCE(o->magic, RCU_MAGIC);
	WRITE_ONCE(o->self, (uint64_t)(uintptr_t)p);
	WRITE_ONCE(o->refcnt, 0);
	WRITE_ONCE(o->key, 0);
}

static int rcu_free_setup(struct run *run)
{
	(void)run;
	rt.cache = kmem_cache_create("rcu-typesafe", sizeof(struct robj), 0,
				     SLAB_TYPESAFE_BY_RCU, robj_ctor);
	return rt.cache ? 0 : -ENOMEM;
}

static int robj_is_ours(struct cpu_ctx *c, const struct robj *p, const char *reader,
			const char *when)
{
	uint64_t magic = READ_ONCE(p->magic), self = READ_ONCE(p->self);

	if (likely(magic == RCU_MAGIC && self == (uint64_t)(uintptr_t)p))
		return 1;
	kasan_report_rcu(reader, p, p, 16,
			 "CPU %u %s: %p is not an object of rcu-typesafe any more: magic %016llx "
			 "self %016llx, expected %016llx %016llx (its memory left the "
			 "SLAB_TYPESAFE_BY_RCU cache before a grace period)", c->cpu, when,
			 (const void *)p, (unsigned long long)magic, (unsigned long long)self,
			 (unsigned long long)RCU_MAGIC, (unsigned long long)(uintptr_t)p);
	return 0;
}

/* An object we hold a reference on: its payload must match its key
 * (READ_ONCE: see the map). */
static int robj_check(struct cpu_ctx *c, const struct robj *p, uint64_t key, const char *when)
{
	for (unsigned int j = 0; j < ROBJ_WORDS; j++) {
		uint64_t got = READ_ONCE(p->payload[j]);

		if (unlikely(got != pattern_word(key, 8 * j))) {
			cpu_violation(c, "rcu-typesafe",
				      "CPU %u %s: object %p key %016llx payload[%u] is %016llx, expected "
				      "%016llx (changed while referenced)", c->cpu, when, (const void *)p,
				      (unsigned long long)key, j, (unsigned long long)got,
				      (unsigned long long)pattern_word(key, 8 * j));
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
		cpu_violation(c, "rcu-refcount", "object %p of rcu-typesafe: refcount went to %d",
			      (void *)p, v);
		return;
	}
	robj_check(c, p, READ_ONCE(p->key), "when its last reference was dropped");
	kmem_cache_free(rt.cache, p);
}

/* Under rcu_read_lock(): slot i, whatever state its object is in. */
static void robj_lookup(struct cpu_ctx *c, struct slab_cpu *s, unsigned int i, struct rcu_held *h)
{
	struct robj *p = rcu_dereference(rt.slot[i]);
	uint64_t key;
	int ref;

	s->cnt[SC_RCU_LOOKUPS]++;
	if (!p)
		return;
	jitter_point();		/* between reading the pointer and using it */
	if (!robj_is_ours(c, p, __func__, "reading a slot under rcu_read_lock()"))
		return;
	if (h->n < RCU_HELD)
		h->obj[h->n++] = (struct rcu_seen){ p, 0, 0 };
	/* A reference unless it is free (or being freed): inc_not_zero. */
	ref = READ_ONCE(p->refcnt);
	do {
		if (ref <= 0) {
			s->cnt[SC_RCU_RACED]++;
			return;
		}
		/* Acquire: pairs with the release store of refcnt = 1. */
	} while (!__atomic_compare_exchange_n(&p->refcnt, &ref, ref + 1, 1, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	jitter_point();		/* between taking the reference and re-checking */
	/* It may have been freed and reused meanwhile: re-check what it is
	 * (a typesafe object stays one of its cache, even free) and its key. */
	key = READ_ONCE(p->key);
	if (!robj_is_ours(c, p, __func__, "holding a reference taken under rcu_read_lock()")) {
		__atomic_sub_fetch(&p->refcnt, 1, __ATOMIC_RELEASE);	/* never free it */
		return;
	}
	if (key_slot(key) != i) {
		s->cnt[SC_RCU_RACED]++;
	} else {
		robj_check(c, p, key, "after a lookup under rcu_read_lock()");
		s->cnt[SC_RCU_VALIDATED]++;
	}
	robj_put(c, p);
}

static void robj_replace(struct cpu_ctx *c, struct slab_cpu *s, unsigned int i, int del, uint64_t r)
{
	enum gfp_kind kind = r % 8 == 0 ? GK_ATOMIC : GK_KERNEL;
	struct robj *n = NULL, *old;
	int ref;

	if (!del) {
		uint64_t key = new_key(c, i);

		fail_mark(c);
		n = kmem_cache_alloc(rt.cache, gfp_kind_mask[kind] | __GFP_NOWARN);
		if (!n) {
			count_failure(c, kind, 0);
			return;
		}
		if (!robj_is_ours(c, n, __func__, "allocating from rcu-typesafe")) {
			kmem_cache_free(rt.cache, n);
			return;
		}
		ref = READ_ONCE(n->refcnt);
		if (ref != 0)
			cpu_violation(c, "rcu-refcount",
				      "kmem_cache_alloc(rcu-typesafe) returned %p with refcount %d: "
				      "a reference outlived its free", (void *)n, ref);
		WRITE_ONCE(n->key, key);
		for (unsigned int j = 0; j < ROBJ_WORDS; j++)
			WRITE_ONCE(n->payload[j], pattern_word(key, 8 * j));
		/* Release: key and payload before anyone can take a reference. */
		__atomic_store_n(&n->refcnt, 1, __ATOMIC_RELEASE);
	}
	/* Acq_rel: publishes n (rcu_assign_pointer) and takes the old one. */
	old = __atomic_exchange_n(&rt.slot[i], n, __ATOMIC_ACQ_REL);
	jitter_point();		/* the hand-off: readers may hold old */
	s->cnt[SC_RCU_REPLACED]++;
	if (old)
		robj_put(c, old);
}

/*
 * A kobj read or about to be freed: its payload must match its key, and
 * its key be want (0: any key of a slot).  Read with plain loads: a
 * correct run never writes an object its readers can reach.
 */
static int kobj_check(struct cpu_ctx *c, const struct kobj *p, uint64_t want, const char *reader,
		      const char *when)
{
	uint64_t key = p->key;
	uint32_t n = p->nwords;
	struct pattern_range pr = { 0, 8 * (size_t)n, PATTERN_ALL };
	size_t off;

	if (unlikely((want && key != want) || key_slot(key) >= RCU_SLOTS || !n ||
		     n > KOBJ_MAX_WORDS)) {
		kasan_report_rcu(reader, p, &p->key, 8,
				 "CPU %u %s: kmalloc'ed object %p has key %016llx and %u words, "
				 "expected key %016llx: freed before a grace period", c->cpu, when,
				 (const void *)p, (unsigned long long)key, n,
				 (unsigned long long)want);
		return 1;
	}
	off = pattern_check(p->payload, &pr, pr.end, key);
	if (likely(off == PATTERN_OK))
		return 0;
	kasan_report_rcu(reader, p, &p->payload[off / 8], 8,
			 "CPU %u %s: kmalloc'ed object %p key %016llx payload[%zu] is %016llx, "
			 "expected %016llx: freed before a grace period", c->cpu, when,
			 (const void *)p, (unsigned long long)key, off / 8,
			 (unsigned long long)p->payload[off / 8],
			 (unsigned long long)pattern_word(key, off));
	return 1;
}

/* Under rcu_read_lock(): slot i's object, remembered in h for the
 * section's re-check. */
static void kobj_lookup(struct cpu_ctx *c, struct slab_cpu *s, unsigned int i, struct rcu_held *h)
{
	struct kobj *p = rcu_dereference(rt.kslot[i]);
	uint64_t key;

	s->cnt[SC_RCU_LOOKUPS]++;
	if (!p)
		return;
	key = p->key;
	jitter_point();		/* between reading the pointer and checking it */
	if (key_slot(key) != i) {
		kasan_report_rcu(__func__, p, &p->key, 8,
				 "CPU %u reading slot %u under rcu_read_lock(): kmalloc'ed object %p "
				 "has key %016llx, of slot %u: freed before a grace period", c->cpu, i,
				 (const void *)p, (unsigned long long)key, key_slot(key));
		return;
	}
	if (kobj_check(c, p, key, __func__, "reading a slot under rcu_read_lock()"))
		return;
	s->cnt[SC_RCU_VALIDATED]++;
	if (h->n < RCU_HELD)
		h->obj[h->n++] = (struct rcu_seen){ p, key, 1 };
}

/*
 * Before rcu_read_unlock(): every object the section found is still what
 * it was.  A kobj cannot have been freed (its grace period needs this
 * section to end); a robj may have been freed and reused, but its memory
 * is still an object of rcu-typesafe.
 */
static void rcu_free_recheck(struct cpu_ctx *c, struct rcu_held *h)
{
	jitter_point();
	for (unsigned int k = 0; k < h->n; k++) {
		if (h->obj[k].is_kobj)
			kobj_check(c, h->obj[k].p, h->obj[k].key, __func__,
				   "re-checking, before rcu_read_unlock(), an object it found");
		else
			robj_is_ours(c, h->obj[k].p, __func__,
				     "re-checking, before rcu_read_unlock(), an object it found");
	}
}

/* call_rcu()'s callback, on the CPU that queued it. */
static void kobj_rcu_free(struct rcu_head *head)
{
	struct kobj *o = container_of(head, struct kobj, rh);

	kobj_check(this_cpu_ctx(), o, 0, __func__, "in its call_rcu() callback");
	kfree(o);
}

static void kobj_retire(struct cpu_ctx *c, struct slab_cpu *s, struct kobj *old, unsigned int how)
{
	if (how == 0) {
		synchronize_rcu();
		kobj_check(c, old, 0, __func__, "after synchronize_rcu()");
		kfree(old);
		s->cnt[SC_SYNCHRONIZE_RCU]++;
	} else if (how < 32) {
		kfree_rcu(old, rh);
		s->cnt[SC_KFREE_RCU]++;
	} else {
		call_rcu(&old->rh, kobj_rcu_free);
		s->cnt[SC_CALL_RCU]++;
	}
}

/* nwords 0: a size drawn from r. */
static void kobj_replace(struct cpu_ctx *c, struct slab_cpu *s, unsigned int i, int del, uint64_t r,
			 uint32_t nwords)
{
	enum gfp_kind kind = r % 8 == 0 ? GK_ATOMIC : GK_KERNEL;
	struct kobj *n = NULL, *old;

	if (!nwords)
		nwords = (r >> 3) % 16 ? 1 + (uint32_t)((r >> 8) % 60) :
					 1 + (uint32_t)((r >> 8) % KOBJ_MAX_WORDS);

	if (!del) {
		size_t size = sizeof(*n) + nwords * sizeof(uint64_t);
		struct pattern_range pr = { 0, 8 * (size_t)nwords, PATTERN_ALL };

		fail_mark(c);
		n = kmalloc(size, gfp_kind_mask[kind] | __GFP_NOWARN);
		if (!n) {
			count_failure(c, kind, size_order(size));
			return;
		}
		n->key = new_key(c, i);
		n->nwords = nwords;
		n->pad = 0;
		pattern_fill(n->payload, &pr, n->key);
	}
	/* Acq_rel: publishes n (rcu_assign_pointer) and takes the old one. */
	old = __atomic_exchange_n(&rt.kslot[i], n, __ATOMIC_ACQ_REL);
	jitter_point();		/* the hand-off: readers may hold old */
	s->cnt[SC_RCU_REPLACED]++;
	if (old)
		kobj_retire(c, s, old, (unsigned int)((r >> 24) % 64));
}

/*
 * Empty the typesafe table, then give the cache's free slabs back to the
 * page allocator (after a grace period): readers still inside sections that
 * found objects of those slabs must go on seeing rcu-typesafe objects.
 * Objects are spread over every slab, so only a purge frees whole slabs.
 */
/* After the shrink: the next users of the freed pages write them. */
static void purge_scribble(void)
{
	struct page *pages[PURGE_SCRIBBLE_PAGES];

	for (unsigned int k = 0; k < PURGE_SCRIBBLE_PAGES; k++) {
		pages[k] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (pages[k])
			memset(page_address(pages[k]), 0x5c, PAGE_SIZE);
	}
	for (unsigned int k = 0; k < PURGE_SCRIBBLE_PAGES; k++)
		if (pages[k])
			__free_page(pages[k]);
}

/*
 * A reader's side of the purge's rendezvous, before its re-check: if a
 * purge is waiting, answer it (one reader at a time) and keep the section
 * open until the purge is over.
 */
static void purge_meet(const struct rcu_held *h)
{
	uint64_t t0;
	int zero = 0, slot = -1;

	/* Acquire: pairs with the purge's release of purge_wanted (its
	 * purge_done = 0 is seen). */
	if (likely(!__atomic_load_n(&rt.purge_wanted, __ATOMIC_ACQUIRE)))
		return;
	for (unsigned int k = 0; k < h->n && slot < 0; k++)
		if (h->obj[k].is_kobj)
			slot = (int)key_slot(h->obj[k].key);
	WRITE_ONCE(rt.purge_slot, slot);
	/* Acq_rel: the slot before the answer (the purge's acquire). */
	if (!__atomic_compare_exchange_n(&rt.purge_reader, &zero, 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return;
	t0 = stress_clock_ns();
	/* Acquire: the purge's writes (the scribbles) before purge_done. */
	while (!__atomic_load_n(&rt.purge_done, __ATOMIC_ACQUIRE) &&
	       stress_clock_ns() - t0 < PURGE_WAIT_PURGE_NS)
		sched_yield();
	__atomic_store_n(&rt.purge_reader, 0, __ATOMIC_RELEASE);
}

/*
 * The writer's side of the rendezvous: 1 if this writer owns it (then
 * meet_end() must follow); *met: a reader answered, *slot: the slot of a
 * kmalloc'ed object it holds (-1: none).
 */
static int meet_begin(int *met, int *slot)
{
	int zero = 0;
	uint64_t t0;

	*met = 0;
	*slot = -1;
	/* one writer at a time meets a reader; the others go on alone */
	if (!__atomic_compare_exchange_n(&rt.purging, &zero, 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return 0;
	t0 = stress_clock_ns();
	__atomic_store_n(&rt.purge_done, 0, __ATOMIC_RELAXED);
	/* Release: purge_done = 0 first, for the reader's acquire. */
	__atomic_store_n(&rt.purge_wanted, 1, __ATOMIC_RELEASE);
	while (!*met && stress_clock_ns() - t0 < PURGE_WAIT_READER_NS) {
		/* Acquire: pairs with the reader's answer (and its slot). */
		*met = __atomic_load_n(&rt.purge_reader, __ATOMIC_ACQUIRE);
		if (!*met)
			sched_yield();
	}
	if (*met)
		*slot = READ_ONCE(rt.purge_slot);
	__atomic_store_n(&rt.purge_wanted, 0, __ATOMIC_RELEASE);
	return 1;
}

static void meet_end(void)
{
	/* Release: what the writer did, before the reader re-checks. */
	__atomic_store_n(&rt.purge_done, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&rt.purging, 0, __ATOMIC_RELEASE);
}

static void robj_purge(struct cpu_ctx *c, struct slab_cpu *s)
{
	int met, slot, mine = meet_begin(&met, &slot);

	for (unsigned int i = 0; i < RCU_SLOTS; i++) {
		/* Acq_rel: as in robj_replace(). */
		struct robj *old = __atomic_exchange_n(&rt.slot[i], NULL, __ATOMIC_ACQ_REL);

		if (old) {
			s->cnt[SC_RCU_REPLACED]++;
			robj_put(c, old);
		}
	}
	jitter_point();
	kmem_cache_shrink(rt.cache);
	if (met)
		purge_scribble();
	if (mine)
		meet_end();
}

/*
 * Delete, then insert an object of the same size, as an update that frees
 * before it allocates: should the free not wait for the readers, the new
 * object is very likely the old one's memory, rewritten under them.
 */
static void kobj_renew(struct cpu_ctx *c, struct slab_cpu *s, unsigned int i, uint64_t r)
{
	/* Acq_rel: as in kobj_replace(). */
	struct kobj *old = __atomic_exchange_n(&rt.kslot[i], NULL, __ATOMIC_ACQ_REL);
	uint32_t nwords;

	if (!old) {
		kobj_replace(c, s, i, 0, r, 0);
		return;
	}
	nwords = old->nwords;
	jitter_point();		/* the hand-off: readers may hold old */
	s->cnt[SC_RCU_REPLACED]++;
	kobj_retire(c, s, old, (unsigned int)((r >> 24) % 64));
	kobj_replace(c, s, i, 0, r, nwords);
}

/*
 * One renewal in four meets a reader and renews an object that reader
 * holds, while it keeps its section open: an object freed before its
 * grace period comes back to this renewal (same size, same CPU) and is
 * rewritten under the reader, whose re-check reports it.
 */
static void kobj_renew_meeting(struct cpu_ctx *c, struct slab_cpu *s, unsigned int i, uint64_t r)
{
	int met, slot, mine;

	if ((r >> 40) % 4) {
		kobj_renew(c, s, i, r);
		return;
	}
	mine = meet_begin(&met, &slot);
	kobj_renew(c, s, met && slot >= 0 ? (unsigned int)slot % RCU_SLOTS : i, r);
	if (mine)
		meet_end();
}

static int rcu_free_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct slab_cpu *s = state;
	unsigned int action = r[0] % 10, i = (unsigned int)(r[1] % RCU_SLOTS);

	if (!rt.cache)
		return -1;
	if (action < 6) {
		/* 8 to 32 lookups of random slots of both tables in one section */
		unsigned int n = 8 + (unsigned int)(r[2] % 25);
		uint64_t x = r[1];
		struct rcu_held h;

		h.n = 0;
		rcu_read_lock();
		for (unsigned int k = 0; k < n; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((x >> 62) & 1)
				robj_lookup(c, s, (unsigned int)(x >> 33) % RCU_SLOTS, &h);
			else
				kobj_lookup(c, s, (unsigned int)(x >> 33) % RCU_SLOTS, &h);
		}
		/*
		 * One section in eight outlasts a time slice of the host
		 * before its re-check, whatever --jitter says: an object
		 * freed before its grace period is then reused under it, even
		 * in a default run.
		 */
		if ((r[2] >> 8) % 8 == 0)
			sched_yield();
		purge_meet(&h);
		rcu_free_recheck(c, &h);
		rcu_read_unlock();
	} else if (action < 8) {
		robj_replace(c, s, i, 0, r[2]);
	} else if (action < 9) {
		if (r[2] & 2)
			kobj_renew_meeting(c, s, i, r[2]);
		else
			kobj_replace(c, s, i, 0, r[2], 0);
	} else if ((r[2] >> 1) % 64 == 0) {
		robj_purge(c, s);
	} else if (r[2] & 1) {
		robj_replace(c, s, i, 1, r[2]);
	} else {
		kobj_replace(c, s, i, 1, r[2], 0);
	}
	return 0;
}

/* Every CPU has stopped: empty both tables, then the cache goes. */
static void rcu_free_teardown(struct run *run)
{
	struct cpu_ctx *c = run_cpu(run, 0);
	struct slab_cpu *s = family_state(c, &slab_family);

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
			kobj_retire(c, s, k, 1);
	}
	rcu_barrier();
	kmem_cache_destroy(rt.cache);
	rt.cache = NULL;
}

const struct stress_job rcu_free_job = {
	.name = "rcu-free", .default_weight = 3, .family = &slab_family, .op = rcu_free_op,
	.setup = rcu_free_setup, .teardown = rcu_free_teardown,
	.what = "SLAB_TYPESAFE_BY_RCU lookups racing with frees and reuse; kfree_rcu()/call_rcu() under readers",
};
