// SPDX-License-Identifier: MIT
/*
 * stress/jobs/mempool_pools.c - the mempool family: eight pools shared by
 * every CPU, four per job (mempool-starve's: kmalloc, slab, page and
 * custom, all wrapped; mempool-resize's: made with
 * mempool_create_kmalloc_pool(), _slab_pool(), _page_pool() and _node()
 * with a custom backing), their creation and end, and the mempool:
 * section of the report.
 *
 * At creation a pool must hold min_nr elements, a wrapped pool's backing
 * exactly those, and mempool_create_node() must put the pool where
 * kmalloc_node() puts such an object.  At the end (every CPU stopped,
 * every element back) each pool's statistics must add up with what its
 * users saw: outstanding 0, alloc_failed = the NULLs, alloc_backing +
 * alloc_pool = the elements returned, waits = wakeups + timeouts, no
 * timeout while elements went back to the reserve unwoken (lost_wakeups
 * 0: each was reported as it happened, this is the backstop); a
 * wrapped pool's backing must hold exactly its reserve, and nothing after
 * mempool_destroy(); the harness's final zero-allocated-pages check
 * covers the other pools.
 *
 * Who touches what: see mempool.h.
 */
#include <errno.h>
#include <string.h>

#include "mempool.h"

/* In the order of enum mp_counter. */
static const char *const mp_counter_name[] = {
	"pressure_changes", "backing_failures_injected", "sleeping_allocs", "atomic_allocs",
	"atomic_context_allocs", "allocs_over_timeout", "sent", "received", "taken_back",
	"in_flight", "in_flight_completed", "full_mask_retries", "resize_up", "resize_down",
	"resize_same", "resize_enomem", "invariant_checks", "free_null",
};
BUILD_BUG_ON(ARRAY_SIZE(mp_counter_name) != NR_MP_COUNTERS);

#define POOL(n, j, k, sz, o, min, w, ser, nid)					\
	{ .name = n, .job = &mempool_##j##_job, .kind = k, .size = sz, .order = o,	\
	  .min_nr = min, .wrapped = w, .serialize = ser, .node = nid }

struct mp_pool mp_pools[MP_POOLS] = {
	/*   name              job     kind         size order min wr. ser. node */
	POOL("starve-kmalloc", starve, MPK_KMALLOC, 200, 0,    4,  1,  0,  0),
	POOL("starve-slab",    starve, MPK_SLAB,    96,  0,    3,  1,  0,  0),
	POOL("starve-page",    starve, MPK_PAGE,    0,   0,    2,  1,  0,  0),
	POOL("starve-custom",  starve, MPK_CUSTOM,  120, 0,    8,  1,  0,  -1),
	POOL("resize-kmalloc", resize, MPK_KMALLOC, 512, 0,    8,  0,  0,  0),
	POOL("resize-slab",    resize, MPK_SLAB,    160, 0,    6,  0,  1,  0),
	POOL("resize-page",    resize, MPK_PAGE,    0,   1,    4,  0,  0,  0),
	POOL("resize-custom",  resize, MPK_CUSTOM,  120, 0,    4,  1,  1,  0),
};
#undef POOL

struct mp_timing mp_timing;

/* How a pool is made, and that it is what was asked. */
static int mp_create(struct run *run, unsigned int pi)
{
	struct mp_pool *mp = &mp_pools[pi];
	struct mp_cpu *m = family_state(run_cpu(run, 0), &mempool_family);
	int nid = mp->node < 0 ? (int)num_online_nodes() - 1 : mp->node, min_nr, curr_nr;
	unsigned long flags;
	long live;

	mp->pool = NULL;
	mp->cache = NULL;
	mp->torn_down = 0;
	mp->live = 0;
	mp->resizing = 0;
	if (mp->kind == MPK_KMALLOC) {
		snprintf(mp->backing, sizeof(mp->backing), "kmalloc %u B", mp->size);
	} else if (mp->kind == MPK_SLAB) {
		snprintf(mp->cache_name, sizeof(mp->cache_name), "mempool-%u", mp->size);
		snprintf(mp->backing, sizeof(mp->backing), "slab mempool-%u", mp->size);
		mp->cache = kmem_cache_create(mp->cache_name, mp->size, 0, SLAB_HWCACHE_ALIGN, NULL);
		if (!mp->cache)
			return -ENOMEM;
	} else if (mp->kind == MPK_PAGE) {
		mp->size = PAGE_SIZE << mp->order;
		snprintf(mp->backing, sizeof(mp->backing), "pages of order %u", mp->order);
	} else {
		snprintf(mp->backing, sizeof(mp->backing), "custom %u B, node %d", mp->size, nid);
	}
	mp_call_begin(m, MPC_CREATE, pi, GFP_KERNEL);
	mp->pool = mp_create_pool(mp, nid);
	mp_call_end(m);
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
	live = __atomic_load_n(&mp->live, __ATOMIC_RELAXED);
	if (mp->wrapped && live != curr_nr)
		add_violation(run, "mempool-create", -1, "%s: pool->alloc gave %ld element%s, the "
			      "reserve holds %d", mp->name, live, str_plural(live), curr_nr);
	return 0;
}

/* The timing of the pressure and the timeouts, then the pools of the
 * selected jobs, made without pressure. */
static int mp_family_setup(struct run *run)
{
	int ret = 0;

	mp_timing.timeout_ns = jiffies_to_host_ns(5 * HZ);
	/* hz_scale >= 5: the timeout is short enough to be met on purpose */
	mp_timing.timeout_mode = mp_timing.timeout_ns <= 1000000000ULL;
	if (mp_timing.timeout_mode) {
		mp_timing.phase_len = 2 * HZ;		/* 100%: 8*HZ, 1.6 timeouts */
		mp_timing.dev_delay = 6 * HZ;		/* a sleeper meets a timeout */
	} else {
		/* phases of 100 ms: the sleepers are woken by frees */
		mp_timing.phase_len = max(1UL, (unsigned long)(HZ * 100000000ULL /
							      max(jiffies_to_host_ns(HZ), 1ULL)));
		mp_timing.dev_delay = 0;
	}
	mp_phase_init();
	mp_timing.pressure_on = 0;
	for (unsigned int pi = 0; pi < MP_POOLS && !ret; pi++)
		if (job_selected(run, mp_pools[pi].job))
			ret = mp_create(run, pi);
	mp_timing.pressure_on = 1;
	return ret;
}

/* What the settled CPUs saw of pool pi. */
static void mp_pool_sums(const struct run *run, unsigned int pi, uint64_t cnt[NR_MPP])
{
	memset(cnt, 0, NR_MPP * sizeof(*cnt));
	for (unsigned int k = 0; k < run_nr_cpus(run); k++) {
		const struct mp_cpu *m = family_state(run_cpu(run, k), &mempool_family);

		if (!run_cpu_settled(run, k))
			continue;
		for (int j = 0; j < NR_MPP; j++)
			cnt[j] = j == MPP_MAX_NS ? max(cnt[j], m->pool_cnt[pi][j]) :
						   cnt[j] + m->pool_cnt[pi][j];
	}
}

/* Every CPU has stopped and every element is back: the numbers must add
 * up (see the map); they are kept for the report. */
static void mp_pool_check(struct run *run, unsigned int pi)
{
	struct mp_pool *mp = &mp_pools[pi];
	struct mempool_stats st;
	uint64_t cnt[NR_MPP];
	unsigned long flags;
	int min_nr, curr_nr;
	long live;

	mp_pool_sums(run, pi, cnt);
	spin_lock_irqsave(&mp->pool->lock, flags);
	min_nr = mp->pool->min_nr;
	curr_nr = mp->pool->curr_nr;
	spin_unlock_irqrestore(&mp->pool->lock, flags);
	mempool_stats_read(mp->pool, &st);

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
	if (st.lost_wakeups)
		add_violation(run, "lost-wakeup", -1,
			      "%s: %lu of %lu sleep%s timed out while elements went back to the "
			      "reserve and no wake-up reached them (stats.lost_wakeups)", mp->name,
			      st.lost_wakeups, st.waits, st.waits == 1 ? "" : "s");
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
}

/* Every CPU has stopped: what is in flight comes back, then the checks. */
static void mp_family_check(struct run *run)
{
	struct cpu_ctx *c = run_cpu(run, 0);

	mp_dev_poll(c, family_state(c, &mempool_family), 1);
	for (unsigned int pi = 0; pi < MP_POOLS; pi++)
		if (mp_pools[pi].pool)
			mp_pool_check(run, pi);
}

/* After the checks: every pool goes, then its backing must hold nothing. */
static void mp_family_teardown(struct run *run)
{
	struct mp_cpu *m = family_state(run_cpu(run, 0), &mempool_family);

	for (unsigned int pi = 0; pi < MP_POOLS; pi++) {
		struct mp_pool *mp = &mp_pools[pi];
		long live;

		if (!mp->pool)
			continue;
		mp_call_begin(m, MPC_DESTROY, pi, 0);
		mempool_destroy(mp->pool);
		mp_call_end(m);
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
}

/* ------------------------------------------------------------------ */
/* The report                                                          */

/* One pool for the report: live, or as it was when it was torn down. */
struct mp_pool_info {
	int min_nr, curr_nr;		/* -1: could not be read */
	struct mempool_stats st;
	uint64_t cnt[NR_MPP];		/* summed over the settled CPUs */
};

/*
 * Pool i as the report shows it: 0 if it was never set up.  A pool still
 * alive (a run that could not stop) is read as it runs: its counters
 * atomically, min_nr and curr_nr under its lock if it is free.
 */
static int mp_pool_info(const struct run *run, unsigned int i, struct mp_pool_info *info)
{
	struct mp_pool *mp = &mp_pools[i];

	if (!job_selected(run, mp->job) || (!mp->pool && !mp->torn_down))
		return 0;
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

/* The jobs' counters, then each pool: what mempool_stats says, and what
 * its users saw (elements, NULLs, the longest mempool_alloc()). */
static void mp_report(struct run *run, FILE *out)
{
	uint64_t m[NR_MP_COUNTERS];
	struct mp_pool_info pi;

	/* each counter in its place of enum mp_counter */
	family_sum(run, &mempool_family, offsetof(struct mp_cpu, cnt), NR_MP_COUNTERS, m);
	report_counters(out, m, "mempool: pressure changes %llu (backing failures injected %llu); "
			"allocations that may sleep %llu, atomic %llu (%llu in atomic context),\n"
			"         %llu longer than the 5*HZ timeout; elements sent %llu (received %llu, "
			"taken back from a CPU that may sleep %llu),\n"
			"         in flight %llu (completed %llu); full-mask retries %llu; resizes up "
			"%llu, down %llu, same %llu (-ENOMEM %llu);\n"
			"         invariant checks %llu; mempool_free(NULL) %llu\n");
	fprintf(out, "  %-15s %4s %4s %10s %9s %8s %9s %7s %7s %8s %4s %9s %4s %10s %8s %9s\n",
		"pool", "min", "curr", "backing", "reserve", "failed", "to-pool", "waits", "wakeups",
		"timeouts", "lost", "longest", "out", "elements", "NULLs", "slowest");
	for (unsigned int i = 0; i < MP_POOLS; i++) {
		char longest[16], slowest[16], min_nr[12] = "?", curr_nr[12] = "?";

		if (!mp_pool_info(run, i, &pi))
			continue;
		fmt_ns(longest, sizeof(longest), pi.st.longest_wait_ns);
		fmt_ns(slowest, sizeof(slowest), pi.cnt[MPP_MAX_NS]);
		if (pi.min_nr >= 0)
			snprintf(min_nr, sizeof(min_nr), "%d", pi.min_nr);
		if (pi.curr_nr >= 0)
			snprintf(curr_nr, sizeof(curr_nr), "%d", pi.curr_nr);
		fprintf(out, "  %-15s %4s %4s %10lu %9lu %8lu %9lu %7lu %7lu %8lu %4lu %9s %4ld %10llu %8llu %9s\n",
			mp_pools[i].name, min_nr, curr_nr, pi.st.alloc_backing, pi.st.alloc_pool,
			pi.st.alloc_failed, pi.st.frees_to_pool, pi.st.waits, pi.st.wakeups,
			pi.st.timeouts, pi.st.lost_wakeups, longest, pi.st.outstanding,
			(unsigned long long)pi.cnt[MPP_ALLOCS], (unsigned long long)pi.cnt[MPP_NULLS],
			slowest);
	}
	fprintf(out, "\n");
}

static void mp_report_json(struct run *run, json_t *root)
{
	json_t *pools = json_array();
	struct mp_pool_info pi;

	family_sum_json(run, &mempool_family, offsetof(struct mp_cpu, cnt), mp_counter_name,
			NR_MP_COUNTERS, root, "mempool");
	for (unsigned int i = 0; i < MP_POOLS; i++) {
		if (!mp_pool_info(run, i, &pi))
			continue;
		json_array_append_new(pools, json_pack(
			"{s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			"s:I, s:I, s:I, s:I, s:I, s:I}",
			"name", mp_pools[i].name, "job", mp_pools[i].job->name,
			"backing", mp_pools[i].backing, "min_nr", pi.min_nr, "curr_nr", pi.curr_nr,
			"alloc_backing", (json_int_t)pi.st.alloc_backing,
			"alloc_pool", (json_int_t)pi.st.alloc_pool,
			"alloc_failed", (json_int_t)pi.st.alloc_failed,
			"frees_to_pool", (json_int_t)pi.st.frees_to_pool,
			"waits", (json_int_t)pi.st.waits,
			"wakeups", (json_int_t)pi.st.wakeups,
			"timeouts", (json_int_t)pi.st.timeouts,
			"lost_wakeups", (json_int_t)pi.st.lost_wakeups,
			"longest_wait_ns", (json_int_t)pi.st.longest_wait_ns,
			"outstanding", (json_int_t)pi.st.outstanding,
			"user_allocs", (json_int_t)pi.cnt[MPP_ALLOCS],
			"user_nulls", (json_int_t)pi.cnt[MPP_NULLS],
			"user_frees", (json_int_t)pi.cnt[MPP_FREES],
			"allocs_over_timeout", (json_int_t)pi.cnt[MPP_SLOW],
			"longest_alloc_ns", (json_int_t)pi.cnt[MPP_MAX_NS]));
	}
	json_object_set_new(root, "mempools", pools);
}

const struct stress_family mempool_family = {
	.name = "mempool", .state_size = sizeof(struct mp_cpu), .setup = mp_family_setup,
	.receive = mp_receive, .release = mp_release, .check = mp_family_check,
	.teardown = mp_family_teardown, .report = mp_report, .report_json = mp_report_json,
};
