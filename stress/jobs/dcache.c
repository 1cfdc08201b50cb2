// SPDX-License-Identifier: MIT
/*
 * stress/jobs/dcache.c - dcache: a simulated dentry cache, the shape of
 * Linux's fs/dcache.c, whose unused entries reclaim takes back through a
 * shrinker.
 *
 *   dentries	objects of the kmem_cache "dentry" (SLAB_RECLAIM_ACCOUNT:
 *		SReclaimable), one per name "d<n>", n < DC_NAMES, found
 *		through a hash table of DC_BUCKETS chains; each carries the
 *		engine's pattern of its creator's tag after its header,
 *		checked on every lookup that finds it and before it is freed.
 *   references	d_count: a CPU that looks a name up holds a reference for
 *		a few operations, then dput()s it.
 *   the LRU	unused dentries, oldest first, as v4.19's dentry LRU:
 *		dput() of the last reference puts a dentry at the young end
 *		if it is not on the list, else marks it referenced; lookups
 *		leave a dentry where it is (a used one on the LRU is taken
 *		off by the shrinker).
 *   the shrinker	count_objects: the LRU's length; scan_objects: walk up
 *		to nr_to_scan from the old end, taking off used dentries,
 *		giving referenced ones a second chance (the bit cleared, to
 *		the young end), freeing the others; SHRINK_STOP without
 *		__GFP_FS (as super_cache_scan()), and current->io.fs_shrink
 *		counted when it does scan.
 *
 * The operation: look a random name up (creating it with d_alloc(),
 * GFP_KERNEL, on a miss) and hold it; dput() what is due; sometimes create
 * with GFP_NOFS and check that no FS shrinker ran for it (fs_shrink of
 * mm_io_stats_current() unchanged); rarely vm.drop_caches=2, which empties the LRU and lets the
 * probe shrinker (dcache_probe.c) check shrink_slab()'s arithmetic.
 *
 * Locks.  A bucket's lock: its chain, and d_count of its dentries.  The
 * LRU's lock (dc.lru_lock): the list, dc.nr_lru (written with
 * WRITE_ONCE: count_objects() reads it unlocked).  A dentry's on_lru and
 * referenced are written holding both, so either one is enough to read
 * them.  Order: bucket, then LRU; the shrinker, which holds the LRU's,
 * only tries a bucket's lock (a busy dentry is skipped), as
 * dentry_lru_isolate() tries d_lock.  No lock is held while allocating,
 * freeing or printing.
 *
 * Who touches what: dc (the cache, the table, the shrinker) is made by the
 * family's setup (CPU 0, before the CPUs start) and unmade by its
 * teardown (after they stop); between, under the locks above.  dc.stats:
 * relaxed atomics (counts).  struct dc_cpu: its CPU's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dcache.h"

#define DC_NAMES	(1U << 15)
#define DC_BUCKETS	1024
#define DC_HOLD		16		/* references a CPU holds */
#define DENTRY_SIZE	192		/* v4.19's struct dentry on x86_64 */
#define DROP_EVERY	(10 * HZ)
#define DENTRY_MAGIC	0xde47a1e5ca7cbe11ULL

/* A dentry: its header, then its pattern up to DENTRY_SIZE. */
struct dentry {
	uint64_t magic;			/* DENTRY_MAGIC ^ tag while it lives */
	uint64_t tag;			/* its creator's: the pattern's */
	unsigned int name;		/* n of "d<n>" */
	int d_count;			/* its bucket's lock */
	int on_lru, referenced;		/* both locks to write (see the map) */
	struct cds_list_head d_hash;	/* on its bucket's chain: bucket lock */
	struct cds_list_head d_lru;	/* on the LRU: LRU lock */
	char d_iname[16];		/* "d<n>" */
};
#define DENTRY_HDR	sizeof(struct dentry)
BUILD_BUG_ON(DENTRY_HDR > DENTRY_SIZE / 2);

struct dc_bucket {
	spinlock_t lock;
	struct cds_list_head chain;
};

/* The shrinker's counts and the table's, over the whole machine. */
enum dc_stat {
	DCS_SCANS, DCS_SCANNED, DCS_FREED, DCS_SECOND_CHANCE, DCS_BUSY, DCS_IN_USE,
	DCS_STOP, DCS_LIVE, NR_DC_STATS
};
static const char *const dc_stat_name[] = {
	"shrinker_scans", "shrinker_scanned", "shrinker_freed", "second_chances",
	"busy_skipped", "in_use_removed", "shrink_stop", "dentries_at_end",
};
BUILD_BUG_ON(ARRAY_SIZE(dc_stat_name) != NR_DC_STATS);

static struct {
	struct kmem_cache *cache;
	struct dc_bucket *table;		/* [DC_BUCKETS], host memory */
	spinlock_t lru_lock;
	struct cds_list_head lru;		/* head: oldest */
	long nr_lru;				/* LRU lock; READ_ONCE */
	struct shrinker shrinker;
	int registered;
	long stats[NR_DC_STATS];		/* atomic, relaxed */
	unsigned long drop_epoch;		/* atomic: jiffies / DROP_EVERY of
						   the last vm.drop_caches=2 */
	uint64_t end_live;			/* what the check found, for the
						   report (after the teardown) */
} dc;

/* What a CPU counts: the report sums them, in this order. */
enum dc_counter {
	DC_LOOKUPS, DC_HITS, DC_CREATED, DC_RACED, DC_ALLOC_FAILED, DC_DPUTS, DC_NOFS,
	DC_NOFS_FAILED, DC_DROP_CACHES, NR_DC_COUNTERS
};
static const char *const dc_counter_name[] = {
	"lookups", "hits", "created", "create_races", "d_alloc_failures", "dputs",
	"nofs_creates", "nofs_failures", "drop_caches",
};
BUILD_BUG_ON(ARRAY_SIZE(dc_counter_name) != NR_DC_COUNTERS);

struct dc_held {
	struct dentry *d;
	uint64_t expiry;		/* op count after which it is dput() */
};

struct dc_cpu {
	uint64_t cnt[NR_DC_COUNTERS];	/* first: the report sums them */
	struct dc_held held[DC_HOLD];
	int nheld;
};

extern const struct stress_family dcache_family;

static void stat_add(enum dc_stat s, long n)
{
	__atomic_fetch_add(&dc.stats[s], n, __ATOMIC_RELAXED);
}

static long stat_read(enum dc_stat s)
{
	return __atomic_load_n(&dc.stats[s], __ATOMIC_RELAXED);
}

static uint64_t name_hash(unsigned int name)
{
	uint64_t x = name;

	return splitmix64(&x);
}

static struct dc_bucket *d_bucket(unsigned int name)
{
	return &dc.table[name_hash(name) % DC_BUCKETS];
}

static void dentry_range(struct pattern_range *pr)
{
	pr->start = DENTRY_HDR;
	pr->end = DENTRY_SIZE;
	pr->dense = PATTERN_DENSE;
}

/* Its header and pattern: 0, or 1 (reported).  c: the CPU reporting. */
static int dentry_verify(struct cpu_ctx *c, const struct dentry *d, const char *when)
{
	struct pattern_range pr;
	char what[64];
	size_t off;

	snprintf(what, sizeof(what), "dentry %p (\"d%u\")", (const void *)d, d->name);
	if (d->magic != (DENTRY_MAGIC ^ d->tag)) {
		report_corruption(c, d, 0, DENTRY_MAGIC ^ d->tag, d->magic, d->tag, "dentry",
				  what, when);
		return 1;
	}
	dentry_range(&pr);
	off = pattern_check(d, &pr, DENTRY_SIZE, d->tag);
	if (likely(off == PATTERN_OK))
		return 0;
	pattern_report(c, d, &pr, off, d->tag, "dentry", what, when);
	return 1;
}

/* Verified, then back to the cache.  c may be NULL (the shrinker on a
 * CPU outside the run): the report then names no CPU's context. */
static void d_free(struct cpu_ctx *c, struct dentry *d, const char *when)
{
	if (c)
		dentry_verify(c, d, when);
	d->magic = 0;
	kmem_cache_free(dc.cache, d);
	stat_add(DCS_LIVE, -1);
}

/* ------------------------------------------------------------------ */
/* The shrinker                                                        */

static unsigned long dcache_count(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	(void)sc;
	return (unsigned long)READ_ONCE(dc.nr_lru);
}

/* v4.19's prune_dcache_sb() through dentry_lru_isolate(). */
static unsigned long dcache_scan(struct shrinker *s, struct shrink_control *sc)
{
	CDS_LIST_HEAD(dispose);
	struct dentry *d, *tmp;
	unsigned long walked = 0, removed = 0, freed = 0;
	long second = 0, busy = 0, in_use = 0;
	unsigned long nr_lru;

	(void)s;
	if (!(sc->gfp_mask & __GFP_FS)) {
		stat_add(DCS_STOP, 1);
		return SHRINK_STOP;
	}
	current->io.fs_shrink++;
	spin_lock(&dc.lru_lock);
	nr_lru = (unsigned long)dc.nr_lru;
	cds_list_for_each_entry_safe(d, tmp, &dc.lru, d_lru) {
		struct dc_bucket *b;

		/* every entry once at most: rotated ones come back at the end */
		if (walked >= sc->nr_to_scan || walked >= nr_lru)
			break;
		walked++;
		b = d_bucket(d->name);
		if (!spin_trylock(&b->lock)) {
			busy++;
			continue;
		}
		if (d->d_count) {
			/* used again since its dput(): off the LRU until the next */
			cds_list_del(&d->d_lru);
			d->on_lru = 0;
			WRITE_ONCE(dc.nr_lru, dc.nr_lru - 1);
			in_use++;
			removed++;
		} else if (d->referenced) {
			d->referenced = 0;
			cds_list_del(&d->d_lru);
			cds_list_add_tail(&d->d_lru, &dc.lru);
			second++;
		} else {
			cds_list_del(&d->d_lru);
			d->on_lru = 0;
			WRITE_ONCE(dc.nr_lru, dc.nr_lru - 1);
			cds_list_del(&d->d_hash);
			cds_list_add(&d->d_lru, &dispose);
			removed++;
		}
		spin_unlock(&b->lock);
	}
	spin_unlock(&dc.lru_lock);

	cds_list_for_each_entry_safe(d, tmp, &dispose, d_lru) {
		cds_list_del(&d->d_lru);
		d_free(this_cpu_ctx(), d, "before the shrinker frees it");
		freed++;
	}
	stat_add(DCS_SCANS, 1);
	stat_add(DCS_SCANNED, (long)walked);
	stat_add(DCS_FREED, (long)freed);
	stat_add(DCS_SECOND_CHANCE, second);
	stat_add(DCS_BUSY, busy);
	stat_add(DCS_IN_USE, in_use);
	return removed;
}

/* ------------------------------------------------------------------ */
/* Lookups and references                                              */

static struct dentry *__d_lookup(struct dc_bucket *b, unsigned int name)
{
	struct dentry *d;

	cds_list_for_each_entry(d, &b->chain, d_hash)
		if (d->name == name)
			return d;
	return NULL;
}

/* A new dentry, not yet visible: NULL if the cache has no memory. */
static struct dentry *d_alloc(struct cpu_ctx *c, unsigned int name, gfp_t gfp,
			      enum gfp_kind kind)
{
	struct pattern_range pr;
	struct dentry *d;

	fail_mark(c);
	d = kmem_cache_alloc(dc.cache, gfp | __GFP_NOWARN);
	if (!d) {
		count_failure(c, kind, size_order(DENTRY_SIZE));
		return NULL;
	}
	stat_add(DCS_LIVE, 1);
	d->tag = stress_tag(c);
	d->magic = DENTRY_MAGIC ^ d->tag;
	d->name = name;
	d->d_count = 1;
	d->on_lru = d->referenced = 0;
	snprintf(d->d_iname, sizeof(d->d_iname), "d%u", name);
	dentry_range(&pr);
	pattern_fill(d, &pr, d->tag);
	return d;
}

/* The dentry of name with a reference, created if need be: NULL if it
 * could not be allocated. */
static struct dentry *d_lookup_or_create(struct cpu_ctx *c, struct dc_cpu *s,
					 unsigned int name, gfp_t gfp, enum gfp_kind kind)
{
	struct dc_bucket *b = d_bucket(name);
	struct dentry *d, *new;

	s->cnt[DC_LOOKUPS]++;
	spin_lock(&b->lock);
	d = __d_lookup(b, name);
	if (d)
		d->d_count++;
	spin_unlock(&b->lock);
	if (d) {
		s->cnt[DC_HITS]++;
		dentry_verify(c, d, "on a lookup that found it");
		return d;
	}
	new = d_alloc(c, name, gfp, kind);
	if (!new) {
		s->cnt[DC_ALLOC_FAILED]++;
		return NULL;
	}
	spin_lock(&b->lock);
	d = __d_lookup(b, name);
	if (d)
		d->d_count++;
	else
		cds_list_add(&new->d_hash, &b->chain);
	spin_unlock(&b->lock);
	if (d) {
		/* another CPU made it meanwhile: ours goes */
		s->cnt[DC_RACED]++;
		d_free(c, new, "before freeing a dentry that lost a race");
		dentry_verify(c, d, "on a lookup that found it");
		return d;
	}
	s->cnt[DC_CREATED]++;
	return new;
}

/* v4.19's dput() of a dentry that stays cached (retain_dentry()). */
static void dput(struct dc_cpu *s, struct dentry *d)
{
	struct dc_bucket *b = d_bucket(d->name);

	spin_lock(&b->lock);
	if (--d->d_count == 0) {
		spin_lock(&dc.lru_lock);
		if (!d->on_lru) {
			d->on_lru = 1;
			cds_list_add_tail(&d->d_lru, &dc.lru);
			WRITE_ONCE(dc.nr_lru, dc.nr_lru + 1);
		} else {
			d->referenced = 1;
		}
		spin_unlock(&dc.lru_lock);
	}
	spin_unlock(&b->lock);
	s->cnt[DC_DPUTS]++;
}

static void held_drop(struct dc_cpu *s, int i)
{
	dput(s, s->held[i].d);
	s->held[i] = s->held[--s->nheld];
	s->held[s->nheld].d = NULL;	/* erased: no stale copy in a root */
}

static void hold(struct cpu_ctx *c, struct dc_cpu *s, struct dentry *d, uint64_t lifetime)
{
	if (s->nheld == DC_HOLD) {
		int oldest = 0;

		for (int i = 1; i < s->nheld; i++)
			if (s->held[i].expiry < s->held[oldest].expiry)
				oldest = i;
		held_drop(s, oldest);
	}
	s->held[s->nheld++] = (struct dc_held){ .d = d, .expiry = c->nr_ops + lifetime };
}

static void expire(struct cpu_ctx *c, struct dc_cpu *s)
{
	for (int i = s->nheld - 1; i >= 0; i--)
		if (s->held[i].expiry <= c->nr_ops)
			held_drop(s, i);
}

/*
 * Create under GFP_NOFS (a filesystem allocating inside a transaction):
 * whatever reclaim that allocation does, no FS shrinker may run for it.
 */
static void nofs_create(struct cpu_ctx *c, struct dc_cpu *s, unsigned int name, uint64_t r)
{
	struct mm_io_stats before, after;
	struct dentry *d;

	s->cnt[DC_NOFS]++;
	mm_io_stats_current(&before);
	d = d_lookup_or_create(c, s, name, GFP_NOFS, GK_NOFS);
	mm_io_stats_current(&after);
	if (after.fs_shrink != before.fs_shrink)
		cpu_violation(c, "nofs", "dcache: a GFP_NOFS d_alloc() ran FS shrinkers %lu times",
			      after.fs_shrink - before.fs_shrink);
	if (!d) {
		s->cnt[DC_NOFS_FAILED]++;
		return;
	}
	hold(c, s, d, 1 + r % 8);
}

/* vm.drop_caches=2 at most once per DROP_EVERY on the whole machine (the
 * epoch only picks which operation drops: relaxed). */
static int drop_due(void)
{
	unsigned long epoch = jiffies / DROP_EVERY, last = READ_ONCE(dc.drop_epoch);

	return epoch != last && __atomic_compare_exchange_n(&dc.drop_epoch, &last, epoch, 0,
							    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

static int dcache_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct dc_cpu *s = state;
	unsigned int action = r[0] % 16, name = (unsigned int)(r[1] % DC_NAMES);
	struct dentry *d;

	expire(c, s);
	if (action < 10) {
		d = d_lookup_or_create(c, s, name, GFP_KERNEL, GK_KERNEL);
		if (d)
			hold(c, s, d, 1 + r[2] % 64);
	} else if (action < 13) {
		if (s->nheld)
			held_drop(s, (int)(r[2] % (uint64_t)s->nheld));
	} else if (action < 15) {
		nofs_create(c, s, name, r[2]);
	} else if (r[2] % 4 == 0 && drop_due()) {
		/* everything unused goes, the referenced ones at the second pass */
		if (probe_drop_caches(c))
			return -1;
		s->cnt[DC_DROP_CACHES]++;
	} else {
		/* a stat(): looked up and dropped at once */
		d = d_lookup_or_create(c, s, name, GFP_KERNEL, GK_KERNEL);
		if (d)
			dput(s, d);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The family                                                          */

static void dcache_release(struct cpu_ctx *c, void *state)
{
	struct dc_cpu *s = state;

	(void)c;
	while (s->nheld)
		held_drop(s, s->nheld - 1);
}

static int dcache_setup(struct run *run)
{
	(void)run;
	memset(&dc, 0, sizeof(dc));
	dc.drop_epoch = ~0UL;			/* the first drop at once */
	/* a root: the chains' heads point to the dentries */
	dc.table = root_zalloc(64, DC_BUCKETS * sizeof(*dc.table));
	if (!dc.table)
		return -ENOMEM;
	for (unsigned int i = 0; i < DC_BUCKETS; i++) {
		spin_lock_init(&dc.table[i].lock);
		CDS_INIT_LIST_HEAD(&dc.table[i].chain);
	}
	spin_lock_init(&dc.lru_lock);
	CDS_INIT_LIST_HEAD(&dc.lru);
	dc.cache = kmem_cache_create("dentry", DENTRY_SIZE, 8, SLAB_RECLAIM_ACCOUNT, NULL);
	if (!dc.cache)
		goto nomem;
	dc.shrinker.count_objects = dcache_count;
	dc.shrinker.scan_objects = dcache_scan;
	dc.shrinker.seeks = DEFAULT_SEEKS;
	if (register_shrinker(&dc.shrinker))
		goto nomem;
	dc.registered = 1;
	if (probe_setup()) {
		unregister_shrinker(&dc.shrinker);
		dc.registered = 0;
		goto nomem;
	}
	/* vm.drop_caches writes are silent from now on (the op writes it) */
	mm_sysctl_write("vm.drop_caches", "4");
	return 0;
nomem:
	if (dc.cache)
		kmem_cache_destroy(dc.cache);
	dc.cache = NULL;
	root_free(dc.table);
	dc.table = NULL;
	return -ENOMEM;
}

/* SReclaimable of /proc/meminfo, in bytes (0 if unreadable). */
static unsigned long long sreclaimable_bytes(void)
{
	char *buf = NULL, *p;
	size_t len = 0;
	unsigned long long kb = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return 0;
	mm_proc_show("meminfo", f);
	fclose(f);
	p = strstr(buf, "SReclaimable:");
	if (p)
		kb = strtoull(p + strlen("SReclaimable:"), NULL, 10);
	free(buf);
	return kb * 1024;
}

/*
 * Every CPU has dropped its references: every dentry is hashed once,
 * unused, on the LRU (a dput() puts back what the shrinker took off), the
 * LRU's count is its length, the live count is the table's, and the
 * cache's pages are counted as reclaimable (but under SLOB).
 */
static void dcache_check(struct run *run)
{
	struct cpu_ctx *c0 = run_cpu(run, 0);
	unsigned long hashed = 0, used = 0, off_lru = 0, on_list = 0;
	unsigned long long srecl;
	struct dentry *d;

	if (!dc.table)
		return;
	for (unsigned int i = 0; i < DC_BUCKETS; i++) {
		cds_list_for_each_entry(d, &dc.table[i].chain, d_hash) {
			hashed++;
			used += d->d_count != 0;
			off_lru += !d->on_lru;
			dentry_verify(c0, d, "at the end of the run");
		}
	}
	cds_list_for_each_entry(d, &dc.lru, d_lru)
		on_list++;
	if (used || off_lru || on_list != hashed || (long)on_list != dc.nr_lru ||
	    stat_read(DCS_LIVE) != (long)hashed)
		add_violation(run, "dcache", -1,
			      "dcache at the end: %lu dentries hashed, %lu still used, %lu off the LRU; "
			      "LRU %lu long, counted %ld; %ld allocated",
			      hashed, used, off_lru, on_list, dc.nr_lru, stat_read(DCS_LIVE));
	/* v4.19 SLOB counts no NR_SLAB_* (and drops SLAB_RECLAIM_ACCOUNT) */
	srecl = sreclaimable_bytes();
	if (hashed && strcmp(mm_slab_allocator(), "slob") &&
	    srecl < (unsigned long long)hashed * DENTRY_SIZE)
		add_violation(run, "dcache", -1,
			      "%lu dentries of %u bytes, but SReclaimable is %llu kB",
			      hashed, DENTRY_SIZE, srecl / 1024);
	dc.end_live = hashed;
}

static void dcache_teardown(struct run *run)
{
	struct cpu_ctx *c0 = run_cpu(run, 0);
	struct dentry *d, *tmp;

	if (!dc.table)
		return;
	probe_teardown();
	if (dc.registered)
		unregister_shrinker(&dc.shrinker);
	dc.registered = 0;
	for (unsigned int i = 0; i < DC_BUCKETS; i++) {
		cds_list_for_each_entry_safe(d, tmp, &dc.table[i].chain, d_hash) {
			cds_list_del(&d->d_hash);
			d_free(c0, d, "before the teardown frees it");
		}
	}
	CDS_INIT_LIST_HEAD(&dc.lru);
	WRITE_ONCE(dc.nr_lru, 0);
	if (stat_read(DCS_LIVE))
		add_violation(run, "leak", -1, "dcache: %ld dentries allocated and never freed",
			      stat_read(DCS_LIVE));
	kmem_cache_destroy(dc.cache);
	dc.cache = NULL;
	root_free(dc.table);
	dc.table = NULL;
}

static void dcache_report(struct run *run, FILE *out)
{
	uint64_t m[NR_DC_COUNTERS], g[NR_DC_STATS], p[2];

	family_sum(run, &dcache_family, offsetof(struct dc_cpu, cnt), NR_DC_COUNTERS, m);
	for (unsigned int i = 0; i < NR_DC_STATS; i++)
		g[i] = (uint64_t)stat_read((enum dc_stat)i);
	g[DCS_LIVE] = dc.end_live;
	report_counters(out, m, "dcache: lookups %llu (hits %llu), created %llu (lost races %llu), "
			"d_alloc failures %llu; dputs %llu;\n"
			"        GFP_NOFS creates %llu (failed %llu); vm.drop_caches=2 %llu\n");
	report_counters(out, g, "        shrinker: scans %llu (%llu dentries looked at), freed %llu, "
			"second chances %llu,\n"
			"        busy skipped %llu, in use taken off %llu, SHRINK_STOP (no __GFP_FS) %llu; "
			"dentries at the end %llu\n");
	probe_counts(&p[0], &p[1]);
	report_counters(out, p, "        probe shrinker: calls checked against v4.19's arithmetic "
			"%llu, wrong %llu\n");
}

static void dcache_report_json(struct run *run, json_t *root)
{
	json_t *o = json_object();
	uint64_t checked, wrong;

	family_sum_json(run, &dcache_family, offsetof(struct dc_cpu, cnt), dc_counter_name,
			NR_DC_COUNTERS, root, "dcache");
	for (unsigned int i = 0; i < NR_DC_STATS; i++)
		json_object_set_new(o, dc_stat_name[i],
				    json_integer(i == DCS_LIVE ? (json_int_t)dc.end_live :
						 stat_read((enum dc_stat)i)));
	probe_counts(&checked, &wrong);
	json_object_set_new(o, "probe_calls_checked", json_integer((json_int_t)checked));
	json_object_set_new(o, "probe_calls_wrong", json_integer((json_int_t)wrong));
	json_object_set_new(root, "dcache_shrinker", o);
}

const struct stress_family dcache_family = {
	.name = "dcache", .state_size = sizeof(struct dc_cpu), .setup = dcache_setup,
	.release = dcache_release, .check = dcache_check, .teardown = dcache_teardown,
	.report = dcache_report, .report_json = dcache_report_json,
};

const struct stress_job dcache_job = {
	.name = "dcache", .default_weight = 2, .family = &dcache_family, .op = dcache_op,
	.what = "a dentry cache (hash, references, LRU with second chance) that reclaim "
		"shrinks; GFP_NOFS creates run no FS shrinker",
};
