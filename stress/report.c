// SPDX-License-Identifier: MIT
/*
 * stress/report.c - the end of a run: the human summary (per job, the job
 * families' sections -- the slab jobs' counters, the mempool jobs' and
 * their pools' statistics --, failures by gfp type and order, per CPU,
 * per zone with its lock contention, checks, violations and the replay
 * command) and the JSON report (jansson).  The families write their own
 * sections (engine_report()).  Failures are counted by the page order of
 * what was asked: a slab job's size, a mempool's elements.
 *
 * Who touches what: the main thread reads every CPU's statistics once the
 * CPUs have stopped, or only those of the CPUs that did (run->hung).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mmstress.h"

static void shell_quote(char *dst, size_t len, const char *s)
{
	size_t o = 0;

	if (o + 1 < len)
		dst[o++] = '\'';
	for (; *s && o + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(dst + o, "'\\''", 4);
			o += 4;
		} else {
			dst[o++] = *s;
		}
	}
	if (o + 1 < len)
		dst[o++] = '\'';
	dst[o] = '\0';
}

void replay_command(const struct run *run, char *buf, size_t len)
{
	char boot[600], jobs_q[300], jitter[48] = "", extra[640], fail[300] = "";
	size_t l;

	if (run->opt.jitter)
		snprintf(jitter, sizeof(jitter), " --jitter %u", run->opt.jitter);
	l = strlen(jitter);
	if (run->opt.kmemleak)
		snprintf(jitter + l, sizeof(jitter) - l, " --kmemleak=%u", run->opt.kmemleak);
	if (run->opt.fail[0]) {
		char q[290];

		shell_quote(q, sizeof(q), run->opt.fail);
		snprintf(fail, sizeof(fail), " --fail %s", q);
	}
	snprintf(extra, sizeof(extra), "%s%s%s%s%s%s%s%s%s%s%s%s", jitter, fail,
		 run->opt.inject_corrupt ? " --test-inject corrupt-byte" : "",
		 run->opt.inject_leak ? " --test-inject leak-page" : "",
		 run->opt.inject_hang ? " --test-inject hang-cpu" : "",
		 run->opt.inject_corrupt_obj ? " --test-inject corrupt-object" : "",
		 run->opt.inject_lost_unlock ? " --test-inject lost-unlock" : "",
		 run->opt.inject_uaf ? " --test-inject write-after-free" : "",
		 run->opt.inject_wild ? " --test-inject wild-write" : "",
		 run->opt.inject_fail_leak ? " --test-inject fail-leak" : "",
		 run->opt.inject_setup_hang ? " --test-inject setup-hang" : "",
		 run->opt.inject_lost_object ? " --test-inject lost-object" : "");
	shell_quote(boot, sizeof(boot), run->opt.boot);
	shell_quote(jobs_q, sizeof(jobs_q), run->opt.jobs_spec);
	if (run->opt.ops)
		snprintf(buf, len, "%s run --boot %s --jobs %s --seed %llu --ops %llu%s",
			 run->opt.prog, boot, jobs_q, (unsigned long long)run->opt.seed,
			 (unsigned long long)run->opt.ops, extra);
	else
		snprintf(buf, len, "%s run --boot %s --jobs %s --seed %llu --duration %g%s",
			 run->opt.prog, boot, jobs_q, (unsigned long long)run->opt.seed,
			 run->opt.duration, extra);
}

static void print_violations(const struct run *run, FILE *out)
{
	fprintf(out, "violations: %d%s\n", run->nr_v + run->nr_v_dropped,
		run->nr_v_dropped ? " (the first ones below)" : "");
	for (int i = 0; i < run->nr_v; i++) {
		if (run->v[i].cpu >= 0)
			fprintf(out, "  [%s] cpu %d: %s\n", run->v[i].kind, run->v[i].cpu, run->v[i].message);
		else
			fprintf(out, "  [%s] %s\n", run->v[i].kind, run->v[i].message);
	}
}

void print_replay(const struct run *run, FILE *out)
{
	char cmd[1600];

	replay_command(run, cmd, sizeof(cmd));
	fprintf(out, "replay: %s\n", cmd);
}

/* A job's statistics summed over the CPUs. */
static void job_totals(const struct run *run, unsigned int j, struct job_stats *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int k = 0; k < run->nr_cpus; k++) {
		const struct job_stats *s = &run->cpus[k].stats[j];

		if (!run_cpu_settled(run, k))
			continue;
		t->ops += s->ops;
		t->failures += s->failures;
		t->injected += s->injected;
		for (int g = 0; g < NR_GFP_KINDS; g++)
			for (int o = 0; o < MAX_ORDER; o++)
				t->fail[g][o] += s->fail[g][o];
		lat_merge(&t->lat, &s->lat);
	}
}

void report_counters(FILE *out, const uint64_t *v, const char *fmt)
{
	for (const char *p = fmt; *p; p++) {
		if (!strncmp(p, "%llu", 4)) {
			fprintf(out, "%llu", (unsigned long long)*v++);
			p += 3;
		} else {
			fputc(*p, out);
		}
	}
}

void fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 10000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
}

struct cpu_pcp {
	unsigned long allocs, refills, drains, remote_frees;
};

static void cpu_pcp_totals(unsigned int cpu, struct cpu_pcp *p)
{
	struct pcp_stats st;

	memset(p, 0, sizeof(*p));
	if (pcp_stats_read(cpu, &st))
		return;
	p->allocs = st.fast_allocs + st.hits;
	p->refills = st.refills;
	p->drains = st.drains;
	p->remote_frees = st.remote_frees;
}

/* Order-0 allocations that found a page on the list (no refill needed). */
static double hit_rate(const struct cpu_pcp *p)
{
	return p->allocs ? 100.0 * (double)(p->allocs - min(p->refills, p->allocs)) /
			   (double)p->allocs : 100.0;
}

/* /proc/vmstat's counters by name (0 for a name it does not have). */
struct vmstat_pick {
	const char *name;
	unsigned long long v;
};

static void vmstat_pick(struct vmstat_pick *p, unsigned int n)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	mm_proc_show("vmstat", f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned long long v;

		if (sscanf(line, "%63s %llu", name, &v) != 2)
			continue;
		for (unsigned int i = 0; i < n; i++)
			if (!strcmp(name, p[i].name))
				p[i].v = v;
			else if (!strcmp(p[i].name, "allocstall") && !strncmp(name, "allocstall_", 11))
				p[i].v += v;
	}
	free(buf);
}

enum { R_SCAN_K, R_STEAL_K, R_SCAN_D, R_STEAL_D, R_STALL, R_PSWPOUT, R_PSWPIN, R_OOM,
       R_DIRTY, R_WB, R_SLABS, NR_R };

static void reclaim_pick(struct vmstat_pick *p)
{
	static const char *const names[NR_R] = {
		"pgscan_kswapd", "pgsteal_kswapd", "pgscan_direct", "pgsteal_direct",
		"allocstall", "pswpout", "pswpin", "oom_kill", "nr_dirty", "nr_writeback",
		"slabs_scanned",
	};

	for (unsigned int i = 0; i < NR_R; i++) {
		p[i].name = names[i];
		p[i].v = 0;
	}
	vmstat_pick(p, NR_R);
}

/* Reclaim's line of the report, if the run reclaimed anything. */
static void reclaim_report(struct run *run, FILE *out)
{
	struct vmstat_pick p[NR_R];
	double t = run->elapsed > 0 ? run->elapsed : 1;

	reclaim_pick(p);
	if (!p[R_SCAN_K].v && !p[R_SCAN_D].v && !p[R_OOM].v && !p[R_SLABS].v)
		return;
	fprintf(out, "\nreclaim: kswapd scanned %llu, reclaimed %llu (%.0f pages/s); direct "
		"scanned %llu, reclaimed %llu (%.0f pages/s) in %llu allocstall%s\n"
		"         pswpout %llu, pswpin %llu, oom_kill %llu, slabs_scanned %llu, "
		"nr_dirty %llu, nr_writeback %llu at the end\n",
		p[R_SCAN_K].v, p[R_STEAL_K].v, (double)p[R_STEAL_K].v / t, p[R_SCAN_D].v,
		p[R_STEAL_D].v, (double)p[R_STEAL_D].v / t, p[R_STALL].v,
		p[R_STALL].v == 1 ? "" : "s", p[R_PSWPOUT].v, p[R_PSWPIN].v, p[R_OOM].v,
		p[R_SLABS].v, p[R_DIRTY].v, p[R_WB].v);
}

static json_t *reclaim_json(struct run *run)
{
	struct vmstat_pick p[NR_R];
	double t = run->elapsed > 0 ? run->elapsed : 1;
	json_t *o = json_object();

	reclaim_pick(p);
	for (unsigned int i = 0; i < NR_R; i++)
		json_object_set_new(o, p[i].name, json_integer((json_int_t)p[i].v));
	json_object_set_new(o, "kswapd_reclaimed_per_s", json_real((double)p[R_STEAL_K].v / t));
	json_object_set_new(o, "direct_reclaimed_per_s", json_real((double)p[R_STEAL_D].v / t));
	return o;
}

void report_human(struct run *run, FILE *out)
{
	unsigned long long total_ops = 0;
	struct zone_info zi;
	struct job_stats t;

	fprintf(out, "\n== mmstress %s: %.1f s, %u CPU%s, %u node%s, seed %llu ==\n",
		run->nr_v ? "FAIL" : "PASS", run->elapsed, run->nr_cpus, str_plural(run->nr_cpus),
		num_online_nodes(), str_plural(num_online_nodes()), (unsigned long long)run->opt.seed);
	fprintf(out, "boot: %s\njobs: %s\njitter: %u%s\n\n", run->opt.boot, run->opt.jobs_spec,
		run->opt.jitter, run->opt.jitter ? "" : " (off)");

	fprintf(out, "%-14s %12s %12s %9s%s %9s %9s %9s %9s\n", "job", "ops", "ops/s",
		"failures", run->opt.fail[0] ? "  injected" : "", "p50", "p90", "p99", "max");
	for (unsigned int j = 0; j < nr_jobs; j++) {
		char p50[16], p90[16], p99[16], mx[16], inj[16] = "";

		if (!run->opt.weight[j])
			continue;
		job_totals(run, j, &t);
		total_ops += t.ops;
		fmt_ns(p50, sizeof(p50), lat_percentile(&t.lat, 0.50));
		fmt_ns(p90, sizeof(p90), lat_percentile(&t.lat, 0.90));
		fmt_ns(p99, sizeof(p99), lat_percentile(&t.lat, 0.99));
		fmt_ns(mx, sizeof(mx), t.lat.max_ns);
		if (run->opt.fail[0])
			snprintf(inj, sizeof(inj), " %9llu", (unsigned long long)t.injected);
		fprintf(out, "%-14s %12llu %12.0f %9llu%s %9s %9s %9s %9s\n", jobs[j]->name,
			(unsigned long long)t.ops, (double)t.ops / run->elapsed,
			(unsigned long long)t.failures, inj, p50, p90, p99, mx);
	}
	fprintf(out, "%-14s %12llu %12.0f\n\n", "all", total_ops, (double)total_ops / run->elapsed);

	engine_report(run, out);
	fail_report(run, out);
	kl_report(run, out);

	fprintf(out, "allocation failures by gfp type and order (not violations, not injected):\n");
	for (int g = 0; g < NR_GFP_KINDS; g++) {
		unsigned long long sum[MAX_ORDER] = { 0 }, any = 0;

		for (unsigned int j = 0; j < nr_jobs; j++) {
			job_totals(run, j, &t);
			for (int o = 0; o < MAX_ORDER; o++) {
				sum[o] += t.fail[g][o];
				any += t.fail[g][o];
			}
		}
		if (!any)
			continue;
		fprintf(out, "  %-24s", gfp_kind_name[g]);
		for (int o = 0; o < MAX_ORDER; o++)
			if (sum[o])
				fprintf(out, " order-%d:%llu", o, sum[o]);
		fprintf(out, "\n");
	}

	fprintf(out, "\n%4s %4s %7s %12s %8s %9s %8s %8s  %s\n", "cpu", "node", "host-pu",
		"ops", "pcp-hit", "refills", "drains", "remote", "op-log-hash");
	for (unsigned int k = 0; k < run->nr_cpus; k++) {
		struct cpu_pcp p;
		char hash[24] = "(still running)";

		cpu_pcp_totals(k, &p);
		if (run_cpu_settled(run, k))
			snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)run->cpus[k].op_hash);
		fprintf(out, "%4u %4d %7d %12llu %7.1f%% %9lu %8lu %8lu  %s\n", k,
			cpu_to_node(k), cpu_host_pu(k),
			(unsigned long long)READ_ONCE(run->cpus[k].progress), hit_rate(&p), p.refills,
			p.drains, p.remote_frees, hash);
	}

	fprintf(out, "\n%-14s %10s %10s %7s %7s %7s %12s %10s %11s\n", "zone", "managed", "free",
		"min", "low", "high", "lock-acq", "contended", "wait");
	for_each_zone_info(zi) {
		const struct lock_stats *st = &zi.lock;
		char name[24], wait[16];

		snprintf(name, sizeof(name), "%d/%s", zi.node, zi.name);
		fmt_ns(wait, sizeof(wait), st->wait_ns);
		fprintf(out, "%-14s %10lu %10lu %7lu %7lu %7lu %12lu %9.2f%% %11s\n", name,
			zi.managed_pages, zi.free_pages, zi.min_wmark, zi.low_wmark, zi.high_wmark,
			st->acquisitions,
			st->acquisitions ? 100.0 * (double)st->contended / (double)st->acquisitions : 0.0,
			wait);
	}

	reclaim_report(run, out);
	fprintf(out, "\nchecks: %lu passed, %lu failed", run->checks_passed, run->checks_failed);
	if (run->opt.check_every > 0)
		fprintf(out, " (%lu periodic under stop_machine(), every %g s from the start: "
			"%lu due, %lu skipped while a check ran%s)\n", run->checks_periodic,
			run->opt.check_every, run->checks_due, run->checks_due - run->checks_periodic,
			run->check_final ? "; and the final one" : "");
	else
		fprintf(out, " (%s; --check-every 0: no periodic check)\n",
			run->check_final ? "the final one" : "none");
	if (!run->nr_v) {
		fprintf(out, "violations: none\n");
		return;
	}
	print_violations(run, out);
	print_replay(run, out);
}

/* The violations, what the CPUs still at work did last, the replay line. */
void report_brief(struct run *run, FILE *out)
{
	/* Acquire: pairs with engine_cpu_main()'s count of its start. */
	unsigned int started = __atomic_load_n(&run->started, __ATOMIC_ACQUIRE);

	if (!started)
		fprintf(out, "the CPUs had not started the jobs yet\n");
	for (unsigned int k = 0; started && run->cpus && k < run->nr_cpus; k++) {
		char op[160];

		if (__atomic_load_n(&run->cpus[k].done, __ATOMIC_ACQUIRE))
			continue;
		describe_last_op(&run->cpus[k], op, sizeof(op));
		fprintf(out, "CPU#%u still at work, %llu operations done; last: %s\n", k,
			(unsigned long long)READ_ONCE(run->cpus[k].progress), op);
	}
	print_violations(run, out);
	print_replay(run, out);
}

static json_t *violations_json(const struct run *run)
{
	json_t *viol = json_array();

	for (int i = 0; i < run->nr_v; i++)
		json_array_append_new(viol, json_pack("{s:s, s:i, s:f, s:s}", "kind", run->v[i].kind,
						      "cpu", run->v[i].cpu, "t_s", run->v[i].t,
						      "message", run->v[i].message));
	return viol;
}

int report_json_brief(struct run *run, const char *path, const char *why)
{
	json_t *root = json_object();
	char cmd[1600];
	int ret;

	json_object_set_new(root, "result", json_string("fail"));
	json_object_set_new(root, "ended", json_string(why));
	json_object_set_new(root, "seed", json_integer((json_int_t)run->opt.seed));
	json_object_set_new(root, "boot", json_string(run->opt.boot));
	json_object_set_new(root, "jitter", json_integer((json_int_t)run->opt.jitter));
	json_object_set_new(root, "jobs_spec", json_string(run->opt.jobs_spec));
	json_object_set_new(root, "elapsed_s", json_real(run->elapsed));
	json_object_set_new(root, "violations", violations_json(run));
	json_object_set_new(root, "violations_dropped", json_integer(run->nr_v_dropped));
	replay_command(run, cmd, sizeof(cmd));
	json_object_set_new(root, "replay", json_string(cmd));
	ret = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return ret;
}

static json_t *vmstat_json(void)
{
	json_t *o = json_object();
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return o;
	mm_proc_show("vmstat", f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned long long v;

		if (sscanf(line, "%63s %llu", name, &v) == 2)
			json_object_set_new(o, name, json_integer((json_int_t)v));
	}
	free(buf);
	return o;
}

/* The OOM killer's kills: how many, and the last ones' victims. */
static json_t *oom_kills_json(void)
{
	struct mm_oom_kill *k = calloc(MM_OOM_RECORDS, sizeof(*k));
	json_t *recent = json_array();
	int n = k ? mm_oom_kills(k, MM_OOM_RECORDS) : 0;

	for (int i = 0; i < n; i++)
		json_array_append_new(recent, json_pack("{s:I, s:i, s:s, s:I, s:I, s:i}",
			"seq", (json_int_t)k[i].seq, "pid", k[i].victim_pid,
			"comm", k[i].victim_comm, "points", (json_int_t)k[i].points,
			"totalpages", (json_int_t)k[i].totalpages, "tasks", k[i].nr_tasks));
	free(k);
	return json_pack("{s:I, s:o}", "count", (json_int_t)mm_oom_kill_count(), "recent", recent);
}

int report_json(struct run *run, const char *path)
{
	json_t *root = json_object(), *jobs_o = json_object(), *cpus = json_array();
	json_t *zones = json_array();
	struct zone_info zi;
	char cmd[1600];
	int ret;

	json_object_set_new(root, "result", json_string(run->nr_v ? "fail" : "pass"));
	json_object_set_new(root, "seed", json_integer((json_int_t)run->opt.seed));
	json_object_set_new(root, "boot", json_string(run->opt.boot));
	json_object_set_new(root, "jitter", json_integer((json_int_t)run->opt.jitter));
	json_object_set_new(root, "jobs_spec", json_string(run->opt.jobs_spec));
	json_object_set_new(root, "elapsed_s", json_real(run->elapsed));
	if (run->opt.ops)
		json_object_set_new(root, "ops_per_cpu", json_integer((json_int_t)run->opt.ops));
	else
		json_object_set_new(root, "duration_s", json_real(run->opt.duration));

	json_object_set_new(root, "violations", violations_json(run));
	json_object_set_new(root, "violations_dropped", json_integer(run->nr_v_dropped));

	for (unsigned int j = 0; j < nr_jobs; j++) {
		struct job_stats t;
		json_t *fail, *lat;

		if (!run->opt.weight[j])
			continue;
		fail = json_object();
		job_totals(run, j, &t);
		for (int g = 0; g < NR_GFP_KINDS; g++) {
			json_t *by_order = json_object();

			for (int o = 0; o < MAX_ORDER; o++) {
				char key[8];

				if (!t.fail[g][o])
					continue;
				snprintf(key, sizeof(key), "%d", o);
				json_object_set_new(by_order, key, json_integer((json_int_t)t.fail[g][o]));
			}
			if (json_object_size(by_order))
				json_object_set_new(fail, gfp_kind_name[g], by_order);
			else
				json_decref(by_order);
		}
		lat = json_pack("{s:I, s:I, s:I, s:I, s:I}",
				"p50", (json_int_t)lat_percentile(&t.lat, 0.50),
				"p90", (json_int_t)lat_percentile(&t.lat, 0.90),
				"p99", (json_int_t)lat_percentile(&t.lat, 0.99),
				"p999", (json_int_t)lat_percentile(&t.lat, 0.999),
				"max", (json_int_t)t.lat.max_ns);
		json_object_set_new(jobs_o, jobs[j]->name,
				    json_pack("{s:I, s:f, s:I, s:I, s:I, s:o, s:o}",
					      "ops", (json_int_t)t.ops,
					      "ops_per_sec", (double)t.ops / run->elapsed,
					      "weight", (json_int_t)run->opt.weight[j],
					      "failed", (json_int_t)t.failures,
					      "injected", (json_int_t)t.injected,
					      "failures", fail, "latency_ns", lat));
	}
	json_object_set_new(root, "jobs", jobs_o);

	engine_report_json(run, root);
	fail_report_json(run, root);
	kl_report_json(run, root);

	for (unsigned int k = 0; k < run->nr_cpus; k++) {
		struct cpu_pcp p;
		char hash[24];

		cpu_pcp_totals(k, &p);
		if (run_cpu_settled(run, k))
			snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)run->cpus[k].op_hash);
		else
			snprintf(hash, sizeof(hash), "running");
		json_array_append_new(cpus, json_pack("{s:i, s:i, s:i, s:I, s:s, s:f, s:I, s:I, s:I}",
			"cpu", (int)k, "node", cpu_to_node(k), "host_pu", cpu_host_pu(k),
			"ops", (json_int_t)READ_ONCE(run->cpus[k].progress), "op_log_hash", hash,
			"pcp_hit_rate", hit_rate(&p) / 100.0, "pcp_refills", (json_int_t)p.refills,
			"pcp_drains", (json_int_t)p.drains, "remote_frees", (json_int_t)p.remote_frees));
	}
	json_object_set_new(root, "cpus", cpus);

	for_each_zone_info(zi)
		json_array_append_new(zones, json_pack(
			"{s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}}",
			"node", zi.node, "zone", zi.name,
			"managed", (json_int_t)zi.managed_pages,
			"free", (json_int_t)zi.free_pages,
			"pcp", (json_int_t)zi.pcp_pages,
			"min", (json_int_t)zi.min_wmark,
			"low", (json_int_t)zi.low_wmark,
			"high", (json_int_t)zi.high_wmark,
			"lock", "acquisitions", (json_int_t)zi.lock.acquisitions,
			"contended", (json_int_t)zi.lock.contended,
			"wait_ns", (json_int_t)zi.lock.wait_ns,
			"wait_max_ns", (json_int_t)zi.lock.wait_max_ns));
	json_object_set_new(root, "zones", zones);
	json_object_set_new(root, "vmstat", vmstat_json());
	json_object_set_new(root, "reclaim", reclaim_json(run));
	json_object_set_new(root, "oom_kills", oom_kills_json());
	/* passed + failed = periodic + final; periodic + periodic_skipped =
	 * periodic_due: those due at start + k * every_s before the end */
	json_object_set_new(root, "checks", json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:b}",
			    "passed", (json_int_t)run->checks_passed,
			    "failed", (json_int_t)run->checks_failed,
			    "periodic", (json_int_t)run->checks_periodic,
			    "periodic_due", (json_int_t)run->checks_due,
			    "periodic_skipped", (json_int_t)(run->checks_due - run->checks_periodic),
			    "every_s", run->opt.check_every,
			    "final", run->check_final));
	replay_command(run, cmd, sizeof(cmd));
	json_object_set_new(root, "replay", json_string(cmd));

	ret = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return ret;
}
