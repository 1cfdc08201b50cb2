// SPDX-License-Identifier: MIT
/*
 * stress/kmemleak.c - the harness's side of kmemleak (mmsim/kmemleak.h):
 * its roots, the leak job's deliberate leaks, `mmstress run --kmemleak`'s
 * scan thread and its verdict, and the report's "kmemleak" sections.
 *
 *   roots	host memory in which the harness keeps allocator objects (the
 *		CPUs' contexts and family states, the jobs' own tables) is
 *		registered grey (KMEMLEAK_GREY: scanned, never reported) for
 *		as long as it lives: root_zalloc()/root_free().  An item in
 *		memory kmemleak does not know (a page's first bytes) is
 *		registered while it waits in an inbox, so that what is linked
 *		after it stays referenced: item_root_add()/item_root_del().
 *   drops	the leak job's deliberate leaks (jobs/leak.c): each recorded
 *		with kl_drop_add() in kl.drops, host memory that is NOT
 *		registered (else it would reference them), after every copy
 *		of the pointer the job had was erased.  At most
 *		KL_DROPS_PER_SCAN between two scans (so that every scan has
 *		a few to find, and "show" stays short), KL_DROPS_MAX and
 *		KL_DROP_BYTES_MAX in a run.
 *   the scan thread	a host thread (never attached: it may block) that
 *		every opt.kmemleak seconds reads jiffies, then writes "scan"
 *		(synchronous: stop_machine()), reads "show", sorting each
 *		"unreferenced object" block as it comes (kl_show_sorted()),
 *		and writes "clear" so that the next "show" lists only new
 *		ones.  It starts when the CPUs do and is stopped and joined
 *		once they have all stopped, before the jobs' teardowns free
 *		the drops.  The monitor's watchdog does not count the time
 *		a scan keeps the machine stopped (kl_stopped()).
 *   the verdict	a reported object that is one of the drops is found
 *		(counted, not a violation); any other is a "kmemleak"
 *		violation with its block.  A drop is eligible for a scan when
 *		it was published before the scan began (its ready flag seen)
 *		and its jiffies (read right after its allocation) + 5 * HZ
 *		are at most the jiffies read right before the scan: kmemleak
 *		must then report it (the object's own jiffies are earlier,
 *		the scan's start later).  One not found after two eligible
 *		scans is missed (one scan is allowed for a stale copy on a
 *		CPU's stack); more than KL_MISS_SLACK misses that are more
 *		than one in KL_MISS_RATIO of the eligible drops is "kmemleak
 *		missed N of M leaks": the detector failed (kl_judge_misses()).
 *
 * Who touches what: kl.period and kl.drops (the pointer) are set by the
 * main thread before the CPUs start, read-only until the scan thread is
 * joined.  kl.nr_drops: slots claimed (relaxed fetch_add, capped); a drop's
 * fields are its CPU's until it stores ready (release), read-only after;
 * its found/eligible/misses are the scan thread's.  kl.bytes: dropped
 * bytes, kl.budget: drops left before the next scan (relaxed: bounds, no
 * order).  kl.scanning, kl.stopped_ns: written by the scan thread, read by
 * the monitor (kl_stopped()).  kl.stop: atomic (release/acquire).
 * Everything else in kl is the scan thread's while it runs and the main
 * thread's after it is joined (the report).  kl itself is in a root (a
 * global): it never holds an object's address as it is (kl.seen).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmstress.h"

#define KL_DROPS_MAX		2048		/* deliberate leaks a run keeps */
#define KL_DROPS_PER_SCAN	32		/* and makes between two scans */
#define KL_DROP_BYTES_MAX	(8UL << 20)	/* and their bytes */
#define KL_SEEN_MAX		1024		/* unexpected objects remembered */
#define KL_BLOCKS		8		/* of them, with their whole block */
#define KL_BLOCK_LEN		1024
#define KL_MIN_AGE		(5 * HZ)	/* mm/kmemleak.c's */
#define KL_MISSES		2		/* eligible scans a drop may miss - 1 */

struct kl_drop {
	/* The dropping CPU's until ready, read-only after. */
	uintptr_t addr;
	size_t size;
	unsigned long j_alloc;		/* jiffies read right after the allocation */
	int cpu;
	int kind;			/* the job's: how to free it */
	int ready;			/* atomic (release/acquire) */
	/* The scan thread's. */
	int found;
	int eligible;			/* eligible for the scan being sorted */
	int ever_eligible;
	int misses;			/* eligible scans that did not report it */
};

static struct {
	struct run *run;
	unsigned int period;		/* seconds, 0: off */
	struct kl_drop *drops;		/* [KL_DROPS_MAX], unregistered */
	unsigned int nr_drops;		/* atomic (relaxed): slots claimed */
	unsigned long bytes;		/* atomic (relaxed): dropped bytes */
	int budget;			/* atomic (relaxed): drops left until the
					   next scan (the scan thread refills it) */
	pthread_t thread;
	int started;
	int stop;			/* atomic (release/acquire) */
	int off;			/* kmemleak refused a scan: no more */
	int scanning;			/* atomic (release/acquire): a scan stops
					   the machine now */
	uint64_t stopped_ns;		/* atomic (relaxed): host time the scans
					   kept the machine stopped, so far */
	/* the scan thread's, then the report's */
	unsigned long scans, scan_errors, listed, unexpected, found, missed;
	int miss_reported;		/* the "missed" violation was made */
	char first_miss[192];		/* the first drop missed, described */
	uint64_t scan_ns_total, scan_ns_max, scan_ns_min;
	uint64_t show_ns_total, show_ns_max;	/* "show" and sorting its blocks */
	uintptr_t seen[KL_SEEN_MAX];	/* ~address: kl is in a root, and an
					   address here would reference what
					   is allocated there next */
	unsigned int nr_seen;
	char block[KL_BLOCKS][KL_BLOCK_LEN];
	unsigned int nr_blocks;
} kl;

/* ------------------------------------------------------------------ */
/* Roots                                                               */

void *root_zalloc(size_t align, size_t size)
{
	size_t bytes = ALIGN(max(size, (size_t)1), align);
	void *p = aligned_alloc(align, bytes);

	if (!p)
		return NULL;
	memset(p, 0, bytes);
	if (kmemleak_enabled())
		kmemleak_alloc(p, bytes, KMEMLEAK_GREY, GFP_KERNEL);
	return p;
}

void root_free(void *p)
{
	if (!p)
		return;
	if (kmemleak_enabled())
		kmemleak_free(p);
	free(p);
}

void item_root_add(struct stress_item *it)
{
	if (kmemleak_enabled())
		kmemleak_alloc(it, sizeof(*it), KMEMLEAK_GREY, GFP_ATOMIC);
}

void item_root_del(struct stress_item *it)
{
	if (kmemleak_enabled())
		kmemleak_free(it);
}

/* ------------------------------------------------------------------ */
/* Deliberate leaks                                                    */

int kl_dropping(void)
{
	return kl.drops && kmemleak_enabled() &&
	       __atomic_load_n(&kl.budget, __ATOMIC_RELAXED) > 0 &&
	       __atomic_load_n(&kl.nr_drops, __ATOMIC_RELAXED) < KL_DROPS_MAX &&
	       __atomic_load_n(&kl.bytes, __ATOMIC_RELAXED) < KL_DROP_BYTES_MAX;
}

int kl_drop_add(int cpu, uintptr_t addr, size_t size, unsigned long j, int kind)
{
	unsigned int i;

	if (!kl_dropping() || __atomic_fetch_sub(&kl.budget, 1, __ATOMIC_RELAXED) <= 0)
		return -1;
	i = __atomic_fetch_add(&kl.nr_drops, 1, __ATOMIC_RELAXED);
	if (i >= KL_DROPS_MAX)
		return -1;	/* claimed past the end: the slot does not exist */
	__atomic_fetch_add(&kl.bytes, size, __ATOMIC_RELAXED);
	kl.drops[i].addr = addr;
	kl.drops[i].size = size;
	kl.drops[i].j_alloc = j;
	kl.drops[i].cpu = cpu;
	kl.drops[i].kind = kind;
	/* Release: the fields, and the erasure of every copy, before it is seen. */
	__atomic_store_n(&kl.drops[i].ready, 1, __ATOMIC_RELEASE);
	return 0;
}

/* The drops' count (claims past the end are no slots). */
static unsigned int kl_nr_drops(void)
{
	return min(__atomic_load_n(&kl.nr_drops, __ATOMIC_RELAXED), (unsigned int)KL_DROPS_MAX);
}

void kl_drops_release(void (*release)(uintptr_t addr, size_t size, int kind))
{
	unsigned int n = kl_nr_drops();

	for (unsigned int i = 0; kl.drops && i < n; i++) {
		/* Acquire: pairs with kl_drop_add(); all CPUs stopped anyway. */
		if (!__atomic_load_n(&kl.drops[i].ready, __ATOMIC_ACQUIRE))
			continue;
		release(kl.drops[i].addr, kl.drops[i].size, kl.drops[i].kind);
		__atomic_store_n(&kl.drops[i].ready, 0, __ATOMIC_RELAXED);
	}
}

/*
 * The drop at addr, among all those published so far: one published after
 * the scan's snapshot of them but before the machine stopped may be
 * reported too (a held object, allocated long before its drop).
 */
static struct kl_drop *kl_find_drop(uintptr_t addr)
{
	unsigned int n = kl_nr_drops();

	for (unsigned int i = 0; i < n; i++)
		if (__atomic_load_n(&kl.drops[i].ready, __ATOMIC_ACQUIRE) &&
		    kl.drops[i].addr == addr)
			return &kl.drops[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The scan thread                                                     */

/* kmemleak's own frames say nothing of the allocation. */
static int kl_own_frame(const char *sym)
{
	return !strncmp(sym, "create_object", 13) || !strncmp(sym, "kmemleak_", 9);
}

/* "comm "x", pid 1, ... | a+0x1/0x2 < b+0x3/0x4 ...": a block in one line. */
static void kl_summary(const char *block, char *buf, size_t len)
{
	const char *line = block;
	size_t o = 0;
	int frames = 0, in_trace = 0;

	buf[0] = '\0';
	while (*line && o + 1 < len) {
		const char *end = strchrnul(line, '\n');
		const char *s = line;

		while (*s == ' ')
			s++;
		if (!strncmp(s, "backtrace:", 10)) {
			in_trace = 1;
			o += (size_t)snprintf(buf + o, len - o, "; allocated at");
		} else if (in_trace && *s == '[') {
			const char *sym = strchr(s, ']');

			sym = sym ? sym + 1 : s;
			while (*sym == ' ')
				sym++;
			if (!kl_own_frame(sym) && frames++ < 10)
				o += (size_t)snprintf(buf + o, len - o, "%s%.*s", frames > 1 ? " <" : " ",
						      (int)(end - sym), sym);
		} else if (!strncmp(s, "unreferenced object", 19) || !strncmp(s, "comm ", 5)) {
			int n = (int)(end - s);

			if (n && s[n - 1] == ':')
				n--;	/* the header's */
			o += (size_t)snprintf(buf + o, len - o, "%s%.*s", o ? "; " : "", n, s);
		}
		if (o >= len)
			break;
		line = *end ? end + 1 : end;
	}
}

/* An unexpected object (once per address): a violation with its block. */
static void kl_unexpected(uintptr_t addr, const char *block)
{
	char sum[560];

	for (unsigned int i = 0; i < kl.nr_seen; i++)
		if (kl.seen[i] == ~addr)
			return;
	if (kl.nr_seen < KL_SEEN_MAX)
		kl.seen[kl.nr_seen++] = ~addr;
	kl.unexpected++;
	if (kl.nr_blocks < KL_BLOCKS)
		snprintf(kl.block[kl.nr_blocks++], KL_BLOCK_LEN, "%s", block);
	kl_summary(block, sum, sizeof(sum));
	add_violation(kl.run, "kmemleak", -1, "%s", sum);
}

/* One block of "show": a drop found, or a violation. */
static void kl_sort(const char *block)
{
	unsigned long long addr;
	struct kl_drop *d;

	kl.listed++;
	if (sscanf(block, "unreferenced object 0x%llx", &addr) != 1) {
		add_violation(kl.run, "kmemleak", -1, "kmemleak: a block of show that names no object: %.200s",
			      block);
		return;
	}
	d = kl_find_drop((uintptr_t)addr);
	if (!d) {
		kl_unexpected((uintptr_t)addr, block);
		return;
	}
	if (!d->found)
		kl.found++;
	d->found = 1;
}

/*
 * "show" is sorted as it is written, block by block (a block is complete
 * once the next one starts, or the stream closes): a leak is a violation
 * as soon as its block is out, however many follow it.
 */
struct kl_stream {
	char *buf;
	size_t len, cap;
};

static const char kl_head[] = "unreferenced object ";

/* The complete blocks at the start of s->buf (all at the end: last). */
static void kl_stream_sort(struct kl_stream *s, int last)
{
	for (;;) {
		char *next = s->len > 1 ? memmem(s->buf + 1, s->len - 1, "\nunreferenced object ",
						 sizeof(kl_head)) : NULL;
		size_t rest;

		if (!next && !last)
			return;
		if (next)
			*next = '\0';
		else
			s->buf[s->len] = '\0';
		if (!strncmp(s->buf, kl_head, sizeof(kl_head) - 1))
			kl_sort(s->buf);
		if (!next) {
			s->len = 0;
			return;
		}
		rest = s->len - (size_t)(next + 1 - s->buf);
		memmove(s->buf, next + 1, rest);
		s->len = rest;
	}
}

static ssize_t kl_stream_write(void *cookie, const char *data, size_t size)
{
	struct kl_stream *s = cookie;

	if (s->len + size + 1 > s->cap) {
		size_t cap = max(2 * s->cap, s->len + size + 1);
		char *buf = realloc(s->buf, cap);

		if (!buf)
			return -1;
		s->buf = buf;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, size);
	s->len += size;
	kl_stream_sort(s, 0);
	return (ssize_t)size;
}

/* mm_debugfs_show("kmemleak") sorted: its return. */
static int kl_show_sorted(void)
{
	static const cookie_io_functions_t io = { .write = kl_stream_write };
	struct kl_stream s = { 0 };
	FILE *f = fopencookie(&s, "w", io);
	int ret;

	if (!f)
		return -ENOMEM;
	ret = mm_debugfs_show("kmemleak", f);
	fclose(f);
	if (s.buf)
		kl_stream_sort(&s, 1);
	free(s.buf);
	return ret;
}

/*
 * A scan reads conservatively: a stale word that happens to hold a drop's
 * address (in an object another job filled only in part, in a live
 * frame's padding) hides it, in the kernel as here.  So a miss is counted
 * and shown, and the detector is judged to have failed when it misses
 * more than KL_MISS_SLACK drops and more than one in KL_MISS_RATIO of
 * those that were eligible: a kmemleak that stopped finding leaks misses
 * nearly all of them.
 */
#define KL_MISS_SLACK		2
#define KL_MISS_RATIO		10

static unsigned long kl_eligible(void);

static void kl_judge_misses(void)
{
	unsigned long eligible;

	if (kl.miss_reported || kl.missed <= KL_MISS_SLACK)
		return;
	eligible = kl_eligible();
	if (kl.missed * KL_MISS_RATIO <= eligible)
		return;
	kl.miss_reported = 1;
	add_violation(kl.run, "kmemleak", -1,
		      "kmemleak missed %lu of %lu leaks made on purpose (the first: %s)",
		      kl.missed, eligible, kl.first_miss);
}

static void kl_scan_once(void)
{
	unsigned int n = kl_nr_drops();
	unsigned long before;
	uint64_t t0, dt;
	int ret;

	/* the drops published so far, and which of them kmemleak must report */
	before = jiffies;
	for (unsigned int i = 0; i < n; i++) {
		struct kl_drop *d = &kl.drops[i];

		/* Acquire: pairs with kl_drop_add(): dropped before the scan. */
		d->eligible = __atomic_load_n(&d->ready, __ATOMIC_ACQUIRE) && !d->found &&
			      time_after_eq(before, d->j_alloc + KL_MIN_AGE);
	}
	/* Relaxed: the monitor only skips its watchdog while it is set. */
	__atomic_store_n(&kl.scanning, 1, __ATOMIC_RELAXED);
	t0 = stress_clock_ns();
	ret = mm_debugfs_write("kmemleak", "scan");
	dt = stress_clock_ns() - t0;
	__atomic_fetch_add(&kl.stopped_ns, dt, __ATOMIC_RELAXED);
	/* Release: the time added before the scan is seen as over. */
	__atomic_store_n(&kl.scanning, 0, __ATOMIC_RELEASE);
	if (ret) {
		kl.scan_errors++;
		kl.off = 1;
		add_violation(kl.run, "kmemleak", -1, "kmemleak: \"scan\" failed: %s (%d)",
			      strerror(-ret), ret);
		return;
	}
	kl.scans++;
	kl.scan_ns_total += dt;
	kl.scan_ns_max = max(kl.scan_ns_max, dt);
	kl.scan_ns_min = kl.scans == 1 ? dt : min(kl.scan_ns_min, dt);
	t0 = stress_clock_ns();
	ret = kl_show_sorted();
	if (ret < 0)
		add_violation(kl.run, "kmemleak", -1, "kmemleak: \"show\" failed: %s (%d)",
			      strerror(-ret), ret);
	dt = stress_clock_ns() - t0;
	kl.show_ns_total += dt;
	kl.show_ns_max = max(kl.show_ns_max, dt);
	/* what was listed is sorted: the next show lists only new objects */
	mm_debugfs_write("kmemleak", "clear");
	/* Relaxed: a bound on the drops (and on the next show), not an order. */
	__atomic_store_n(&kl.budget, KL_DROPS_PER_SCAN, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < n; i++) {
		struct kl_drop *d = &kl.drops[i];

		if (!d->eligible)
			continue;
		d->ever_eligible = 1;
		if (!d->found && ++d->misses == KL_MISSES) {
			kl.missed++;
			if (kl.missed == 1)
				snprintf(kl.first_miss, sizeof(kl.first_miss),
					 "object 0x%" PRIxPTR " (%zu bytes), dropped on purpose by "
					 "CPU %d at jiffies %lu, not reported by %d scans after "
					 "jiffies %lu", d->addr, d->size, d->cpu, d->j_alloc,
					 KL_MISSES, d->j_alloc + KL_MIN_AGE);
		}
	}
	kl_judge_misses();
}

int kl_stopped(double *seconds)
{
	/* Acquire: pairs with the release in kl_scan_once(). */
	if (__atomic_load_n(&kl.scanning, __ATOMIC_ACQUIRE))
		return 1;
	*seconds = (double)__atomic_load_n(&kl.stopped_ns, __ATOMIC_RELAXED) * 1e-9;
	return 0;
}

/* Sleep s seconds, waking for the stop: 1 if stopped. */
static int kl_nap(unsigned int s)
{
	for (unsigned long ms = 0; ms < s * 1000UL; ms += 20) {
		struct timespec nap = { 0, 20 * 1000 * 1000 };

		/* Acquire: pairs with kl_stop(). */
		if (__atomic_load_n(&kl.stop, __ATOMIC_ACQUIRE))
			return 1;
		nanosleep(&nap, NULL);
	}
	return __atomic_load_n(&kl.stop, __ATOMIC_ACQUIRE);
}

static void *kl_main(void *arg)
{
	(void)arg;
	while (!kl_nap(kl.period) && !kl.off)
		kl_scan_once();
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The run's                                                           */

int kl_setup(struct run *run)
{
	memset(&kl, 0, sizeof(kl));
	kl.run = run;
	kl.period = run->opt.kmemleak;
	if (!kl.period)
		return 0;
	if (!kmemleak_enabled()) {
		fprintf(stderr, "mmstress: --kmemleak: kmemleak is off (the boot line \"%s\" "
			"switches it off)\n", run->opt.boot);
		return -1;
	}
	/* the mm-level periodic scan would clear and list on its own */
	if (mm_debugfs_write("kmemleak", "scan=0")) {
		fprintf(stderr, "mmstress: --kmemleak: cannot stop kmemleak's own scan thread\n");
		return -1;
	}
	kl.drops = calloc(KL_DROPS_MAX, sizeof(*kl.drops));	/* not a root: see the map */
	kl.budget = KL_DROPS_PER_SCAN;
	if (!kl.drops) {
		fprintf(stderr, "mmstress: out of memory\n");
		return -1;
	}
	return 0;
}

int kl_start(void)
{
	if (!kl.period)
		return 0;
	if (pthread_create(&kl.thread, NULL, kl_main, NULL))
		return -1;
	kl.started = 1;
	return 0;
}

void kl_stop(void)
{
	if (!kl.started)
		return;
	/* Release: pairs with kl_nap(). */
	__atomic_store_n(&kl.stop, 1, __ATOMIC_RELEASE);
	pthread_join(kl.thread, NULL);
	kl.started = 0;
}

void kl_free(void)
{
	free(kl.drops);
	kl.drops = NULL;
}

/* ------------------------------------------------------------------ */
/* The report                                                          */

static unsigned long kl_eligible(void)
{
	unsigned long e = 0;

	for (unsigned int i = 0; kl.drops && i < kl_nr_drops(); i++)
		e += kl.drops[i].ever_eligible;
	return e;
}

void kl_report(const struct run *run, FILE *out)
{
	char mean[16], mn[16], mx[16], show[16], show_max[16];

	if (!run->opt.kmemleak)
		return;
	fmt_ns(mean, sizeof(mean), kl.scans ? kl.scan_ns_total / kl.scans : 0);
	fmt_ns(mn, sizeof(mn), kl.scan_ns_min);
	fmt_ns(mx, sizeof(mx), kl.scan_ns_max);
	fmt_ns(show, sizeof(show), kl.scans ? kl.show_ns_total / kl.scans : 0);
	fmt_ns(show_max, sizeof(show_max), kl.show_ns_max);
	fprintf(out, "kmemleak: %lu scans every %u s (%s mean, %s min, %s max; show and sort %s mean,"
		" %s max);\n          %lu objects listed:"
		" deliberate leaks %u (%lu old enough before a scan), found %lu,\n"
		"          missed %lu; unexpected %lu\n", kl.scans, kl.period, mean, mn, mx, show,
		show_max, kl.listed, kl_nr_drops(), kl_eligible(), kl.found, kl.missed, kl.unexpected);
	for (unsigned int i = 0; i < kl.nr_blocks; i++)
		fprintf(out, "%s%s", kl.block[i],
			kl.block[i][strlen(kl.block[i]) - 1] == '\n' ? "" : "\n");
	if (kl.unexpected > kl.nr_blocks)
		fprintf(out, "          (and %lu more unexpected objects)\n",
			kl.unexpected - kl.nr_blocks);
	fprintf(out, "\n");
}

void kl_report_json(const struct run *run, json_t *root)
{
	json_t *blocks;

	if (!run->opt.kmemleak)
		return;
	blocks = json_array();
	for (unsigned int i = 0; i < kl.nr_blocks; i++)
		json_array_append_new(blocks, json_string(kl.block[i]));
	json_object_set_new(root, "kmemleak", json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:{s:I, s:I}, s:o}",
		"period_s", (json_int_t)kl.period,
		"scans", (json_int_t)kl.scans,
		"scan_errors", (json_int_t)kl.scan_errors,
		"reported", (json_int_t)kl.listed,
		"deliberate_leaks", (json_int_t)kl_nr_drops(),
		"eligible", (json_int_t)kl_eligible(),
		"found", (json_int_t)kl.found,
		"missed", (json_int_t)kl.missed,
		"unexpected", (json_int_t)kl.unexpected,
		"scan_ns", "min", (json_int_t)kl.scan_ns_min,
		"mean", (json_int_t)(kl.scans ? kl.scan_ns_total / kl.scans : 0),
		"max", (json_int_t)kl.scan_ns_max,
		"show_ns", "mean", (json_int_t)(kl.scans ? kl.show_ns_total / kl.scans : 0),
		"max", (json_int_t)kl.show_ns_max,
		"unexpected_blocks", blocks));
}
