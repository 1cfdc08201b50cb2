// SPDX-License-Identifier: MIT
/*
 * stress/jobs/dcache_probe.c - a probe shrinker for the dcache job: during
 * a vm.drop_caches=2 of the job, it checks every call reclaim makes to it
 * against v4.19's do_shrink_slab() as stated here independently: the
 * nr_to_scan of each scan_objects() call, their number, and what is left
 * deferred (nr_deferred) for the next call.
 *
 * The probe has PROBE_OBJECTS objects, seeks PROBE_SEEKS and frees nothing.
 * drop_slab() calls shrink_slab() at priority 0, so a call starting with
 * nr deferred scans
 *	total = nr + (PROBE_OBJECTS >> 0) * 4 / PROBE_SEEKS
 * (clamped as the kernel clamps) in batches of 128, and leaves total minus
 * what it scanned deferred: the number of batches moves with the debt
 * (7 or 8 here), and a lost debt shows at the next call.
 *
 * It answers (count_objects() nonzero) only to the CPU that armed it
 * (probe.owner), outside kswapd and direct reclaim (PF_KSWAPD,
 * PF_MEMALLOC: reclaim that runs nested at a safe point of the drop): so
 * exactly one caller at a time reads and writes its nr_deferred, and the
 * numbers are exact.  A call is checked when the next one starts (its
 * count_objects()) or when the drop returns.
 *
 * Who touches what: probe.s is registered by probe_setup() and unregistered
 * by probe_teardown() (CPU 0, CPUs stopped).  owner: atomic, taken with
 * acquire and given back with release; everything in probe.call belongs
 * to the owner while it holds it.  checked, wrong: relaxed atomics.
 */
#include "dcache.h"

#define PROBE_OBJECTS	1000
#define PROBE_SEEKS	4
#define PROBE_BATCH	128		/* SHRINK_BATCH: the probe's batch is 0 */
#define PROBE_MAX_SCANS	64

static struct {
	struct shrinker s;
	int registered;
	int owner;			/* atomic: the arming CPU, -1 none */
	struct {			/* the owner's */
		struct cpu_ctx *c;
		int open;		/* a call counted, not yet checked */
		long nr;		/* deferred when it started */
		long next;		/* deferred it must leave */
		unsigned int want, got;	/* scan_objects() calls */
		unsigned long size[PROBE_MAX_SCANS];	/* nr_to_scan each must ask */
		int bad;		/* already reported */
	} call;
	uint64_t checked, wrong;	/* atomic, relaxed */
} probe = { .owner = -1 };

static int probe_answers(void)
{
	return __atomic_load_n(&probe.owner, __ATOMIC_RELAXED) == (int)smp_processor_id() &&
	       !(current->flags & (PF_KSWAPD | PF_MEMALLOC));
}

static long probe_deferred(void)
{
	return __atomic_load_n(&probe.s.nr_deferred[0], __ATOMIC_RELAXED);
}

static void probe_wrong(const char *fmt, unsigned long a, unsigned long b)
{
	struct cpu_ctx *c = probe.call.c;

	__atomic_fetch_add(&probe.wrong, 1, __ATOMIC_RELAXED);
	if (probe.call.bad++)
		return;
	add_violation(c->run, "shrinker", (int)c->cpu,
		      "shrink_slab() of the probe shrinker (%d objects, seeks %d, priority 0, "
		      "%ld deferred at the start): %s %lu, expected %lu",
		      PROBE_OBJECTS, PROBE_SEEKS, probe.call.nr, fmt, a, b);
}

/* The call that ended: as many scans as expected, and the debt left. */
static void probe_close(void)
{
	if (!probe.call.open)
		return;
	probe.call.open = 0;
	__atomic_fetch_add(&probe.checked, 1, __ATOMIC_RELAXED);
	if (probe.call.got != probe.call.want)
		probe_wrong("scan_objects() calls", probe.call.got, probe.call.want);
	else if (probe_deferred() != probe.call.next)
		probe_wrong("left deferred", (unsigned long)probe_deferred(),
			    (unsigned long)probe.call.next);
}

/* v4.19's arithmetic for a call starting with nr deferred, at priority 0. */
static void probe_expect(long nr)
{
	long freeable = PROBE_OBJECTS, scanned = 0, total, next;
	long delta = (freeable >> 0) * 4 / PROBE_SEEKS;

	total = nr + delta;
	next = total;
	if (delta < freeable / 4 && total > freeable / 2)
		total = freeable / 2;
	if (total > 2 * freeable)
		total = 2 * freeable;
	probe.call.want = 0;
	while ((total >= PROBE_BATCH || total >= freeable) && probe.call.want < PROBE_MAX_SCANS) {
		long n = total < PROBE_BATCH ? total : PROBE_BATCH;

		probe.call.size[probe.call.want++] = (unsigned long)n;
		total -= n;
		scanned += n;
	}
	probe.call.nr = nr;
	probe.call.next = next > scanned ? next - scanned : 0;
	probe.call.got = 0;
}

static unsigned long probe_count(struct shrinker *s, struct shrink_control *sc)
{
	(void)s;
	(void)sc;
	if (!probe_answers())
		return 0;
	probe_close();
	probe_expect(probe_deferred());
	probe.call.open = 1;
	return PROBE_OBJECTS;
}

static unsigned long probe_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned int i;

	(void)s;
	if (!probe_answers() || !probe.call.open)
		return 0;
	i = probe.call.got++;
	if (i >= probe.call.want)
		probe_wrong("scan_objects() calls at least", i + 1, probe.call.want);
	else if (sc->nr_to_scan != probe.call.size[i])
		probe_wrong("nr_to_scan of a scan_objects() call", sc->nr_to_scan,
			    probe.call.size[i]);
	return 0;
}

int probe_drop_caches(struct cpu_ctx *c)
{
	int none = -1, ret;

	if (!probe.registered ||
	    !__atomic_compare_exchange_n(&probe.owner, &none, (int)c->cpu, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return mm_sysctl_write("vm.drop_caches", "2");
	probe.call.c = c;
	probe.call.open = 0;
	probe.call.bad = 0;
	ret = mm_sysctl_write("vm.drop_caches", "2");
	probe_close();
	__atomic_store_n(&probe.owner, -1, __ATOMIC_RELEASE);
	return ret;
}

int probe_setup(void)
{
	int ret;

	probe.s = (struct shrinker){
		.count_objects = probe_count, .scan_objects = probe_scan, .seeks = PROBE_SEEKS,
	};
	probe.owner = -1;
	probe.checked = probe.wrong = 0;
	ret = register_shrinker(&probe.s);
	probe.registered = !ret;
	return ret;
}

void probe_teardown(void)
{
	if (probe.registered)
		unregister_shrinker(&probe.s);
	probe.registered = 0;
}

void probe_counts(uint64_t *checked, uint64_t *wrong)
{
	*checked = __atomic_load_n(&probe.checked, __ATOMIC_RELAXED);
	*wrong = __atomic_load_n(&probe.wrong, __ATOMIC_RELAXED);
}
