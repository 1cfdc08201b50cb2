// SPDX-License-Identifier: MIT
/*
 * stress/jobs/noio_nofs.c - noio-nofs: allocations that may reclaim but
 * must not start the I/O their flags forbid, made while reclaim is needed
 * (the pagecache, anon and dcache jobs fill memory).
 *
 * Each operation allocates 1 to 8 blocks (order 0, an eighth of them
 * order 1) as GFP_NOIO or GFP_NOFS, either in the mask or as GFP_KERNEL
 * inside a memalloc_noio_save()/memalloc_nofs_save() scope (a third of
 * the operations are plain GFP_KERNEL, the control), and compares
 * the I/O this task started before and after (mm_io_stats_current(),
 * counted where the swap and file code start I/O, and where an FS
 * shrinker scans):
 *   GFP_NOIO	no swap write, no swap read, no file write-back, no FS
 *		shrinker;
 *   GFP_NOFS	no file write-back and no FS shrinker (swap is allowed).
 * Anything else is a "misuse" violation naming the flags and the I/O.
 * kswapd, which borrows this CPU at its safe points (one between each
 * two allocations of the window), is not this task: its I/O must not be
 * counted here.  Blocks carry the engine's pattern.  Each
 * allocation's latency goes into a histogram of its class (GFP_KERNEL,
 * GFP_NOIO, GFP_NOFS): the report's p99 of a GFP_KERNEL allocation under
 * the run's memory pressure.
 */
#include <string.h>

#include "pages.h"

#define BURST_MAX 8

enum { CLASS_KERNEL, CLASS_NOIO, CLASS_NOFS, NR_CLASSES };
static const char *const class_names[NR_CLASSES] = { "GFP_KERNEL", "GFP_NOIO", "GFP_NOFS" };

struct noio_stats {
	uint64_t checked;		/* allocations whose I/O was compared */
	uint64_t scoped;		/* of them, made in a memalloc_*_save() scope */
	uint64_t swap_allowed;		/* GFP_NOFS ones that swapped (allowed) */
	struct lat_hist lat[NR_CLASSES];	/* per allocation */
};

static const char *const noio_names[] = { "checked", "scoped", "swap_allowed" };

static int io_forbidden(int noio, const struct mm_io_stats *a, const struct mm_io_stats *b,
			char *what, size_t len)
{
	if (b->fs_write != a->fs_write) {
		snprintf(what, len, "%lu file write-back(s)", b->fs_write - a->fs_write);
		return 1;
	}
	if (b->fs_shrink != a->fs_shrink) {
		snprintf(what, len, "%lu FS shrinker scan(s)", b->fs_shrink - a->fs_shrink);
		return 1;
	}
	if (noio && b->swap_out != a->swap_out) {
		snprintf(what, len, "%lu swap write(s)", b->swap_out - a->swap_out);
		return 1;
	}
	if (noio && b->swap_in != a->swap_in) {
		snprintf(what, len, "%lu swap read(s)", b->swap_in - a->swap_in);
		return 1;
	}
	return 0;
}

static int noio_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct noio_stats *st = state;
	unsigned int burst = 1 + (unsigned int)(r[0] % BURST_MAX);
	int control = (r[1] % 3) == 0;
	int noio = !control && ((r[0] >> 8) & 1);
	int scoped = !control && ((r[0] >> 9) & 3) == 0;
	unsigned int order = (r[0] >> 12) % 8 ? 0 : 1;
	enum gfp_kind kind = control ? GK_KERNEL : noio ? GK_NOIO : GK_NOFS;
	int cls = control ? CLASS_KERNEL : noio ? CLASS_NOIO : CLASS_NOFS;
	gfp_t gfp = scoped ? GFP_KERNEL : gfp_kind_mask[kind];
	struct page *pages[BURST_MAX];
	uint64_t tag = stress_tags(c, burst);
	struct mm_io_stats before, after;
	unsigned int flags = 0;
	char what[64];

	mm_io_stats_current(&before);
	if (scoped)
		flags = noio ? memalloc_noio_save() : memalloc_nofs_save();
	for (unsigned int i = 0; i < burst; i++) {
		uint64_t t0;

		fail_mark(c);
		t0 = stress_clock_ns();
		pages[i] = alloc_pages(gfp | __GFP_NOWARN, order);
		lat_record(&st->lat[cls], stress_clock_ns() - t0);
		if (!pages[i])
			count_failure(c, kind, order);
		else
			block_fill(pages[i], order, TAG_NEXT(tag, i));
		/* a safe point inside the window: work it runs (kswapd, on
		 * this CPU) is not this task's I/O */
		cond_resched();
	}
	if (scoped) {
		if (noio)
			memalloc_noio_restore(flags);
		else
			memalloc_nofs_restore(flags);
	}
	mm_io_stats_current(&after);
	if (!control && io_forbidden(noio, &before, &after, what, sizeof(what)))
		cpu_violation(c, "misuse", "%s allocation (order %u%s) started %s",
			      noio ? "GFP_NOIO" : "GFP_NOFS", order,
			      scoped ? ", GFP_KERNEL in a memalloc scope" : "", what);
	st->checked += control ? 0 : burst;
	st->scoped += scoped ? burst : 0;
	if (!noio && after.swap_out != before.swap_out)
		st->swap_allowed++;
	for (unsigned int i = 0; i < burst; i++)
		if (pages[i]) {
			block_verify(c, pages[i], order, TAG_NEXT(tag, i), "before freeing it");
			__free_pages(pages[i], order);
		}
	return 0;
}

static void noio_report(struct run *run, FILE *out);
static void noio_report_json(struct run *run, json_t *root);

static const struct stress_family noio_family = {
	.name = "noio-nofs",
	.state_size = sizeof(struct noio_stats),
	.report = noio_report,
	.report_json = noio_report_json,
};

/* Each class's latencies over the CPUs whose statistics are settled. */
static void noio_lat(struct run *run, struct lat_hist *lat)
{
	memset(lat, 0, NR_CLASSES * sizeof(*lat));
	for (unsigned int k = 0; k < run_nr_cpus(run); k++) {
		const struct noio_stats *st = family_state(run_cpu(run, k), &noio_family);

		if (st && run_cpu_settled(run, k))
			for (int i = 0; i < NR_CLASSES; i++)
				lat_merge(&lat[i], &st->lat[i]);
	}
}

static void noio_report(struct run *run, FILE *out)
{
	struct lat_hist lat[NR_CLASSES];
	uint64_t v[3];

	family_sum(run, &noio_family, 0, 3, v);
	noio_lat(run, lat);
	if (!v[0] && !lat[CLASS_KERNEL].count)
		return;
	report_counters(out, v, "  noio-nofs: %llu allocations checked for forbidden I/O "
			"(%llu in memalloc scopes), %llu GFP_NOFS ones swapped (allowed)\n");
	for (int i = 0; i < NR_CLASSES; i++) {
		char p50[16], p99[16], mx[16];

		if (!lat[i].count)
			continue;
		fmt_ns(p50, sizeof(p50), lat_percentile(&lat[i], 0.50));
		fmt_ns(p99, sizeof(p99), lat_percentile(&lat[i], 0.99));
		fmt_ns(mx, sizeof(mx), lat[i].max_ns);
		fprintf(out, "  noio-nofs: %-10s allocation latency p50 %s, p99 %s, max %s "
			"(%llu allocations)\n", class_names[i], p50, p99, mx,
			(unsigned long long)lat[i].count);
	}
}

static void noio_report_json(struct run *run, json_t *root)
{
	struct lat_hist lat[NR_CLASSES];
	json_t *o;

	family_sum_json(run, &noio_family, 0, noio_names, 3, root, "noio_nofs");
	o = json_object_get(root, "noio_nofs");
	noio_lat(run, lat);
	for (int i = 0; o && i < NR_CLASSES; i++)
		json_object_set_new(o, class_names[i],
				    json_pack("{sI,sI,sI,sI}", "count", (json_int_t)lat[i].count,
					      "p50_ns", (json_int_t)lat_percentile(&lat[i], 0.50),
					      "p99_ns", (json_int_t)lat_percentile(&lat[i], 0.99),
					      "max_ns", (json_int_t)lat[i].max_ns));
}

const struct stress_job noio_nofs_job = {
	.name = "noio-nofs", .default_weight = 2, .op = noio_op, .family = &noio_family,
	.what = "GFP_NOIO/GFP_NOFS allocations under pressure: no I/O their flags forbid; latencies",
};
