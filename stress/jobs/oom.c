// SPDX-License-Identifier: MIT
/*
 * stress/jobs/oom.c - oom: drive the machine out of RAM and swap with
 * tasks' anonymous memory, and check the OOM killer.
 *
 * Each CPU runs up to OOM_SLOTS tasks (mm_task_create()): slot 0 is its
 * OOM_SCORE_ADJ_MIN task, small, which must never be chosen; the others
 * have sizes and oom_score_adj drawn from the operation's words, sized
 * from mm_oom_totalpages() so that the machine's tasks together want
 * about three times its RAM + swap.  An operation creates the task of an
 * empty slot, or touches a batch of its pages (GFP_HIGHUSER_MOVABLE):
 * the first touch of a page writes its pattern (pattern_word() of the
 * task's tag for that page, every word), every later one verifies it --
 * so a task that was not killed never loses data, across swap-out and
 * swap-in.  An access that fails with -EINTR means the OOM killer chose
 * the task: it must say so (mm_task_oom_killed()), it must not be the
 * OOM_SCORE_ADJ_MIN one, and the owner restarts it (mm_task_exit(), a new
 * task at the next operation on that slot: a kill counted).
 *
 * The kill records (mm_oom_kills()): every kill's victim must be the task
 * that v4.19's badness picks from the record's raw numbers, recomputed
 * here with this file's own arithmetic (a mismatch is a violation); one
 * CPU at a time checks the records it has not seen (the claim below), and
 * the family's end check reads the last ones.  Kills that fell off the
 * ring before anyone read them, or whose candidates did not fit, are
 * counted as unchecked.
 *
 * Who touches what: struct oom_cpu is its CPU's (the engine's rule).
 * oom_checking: an atomic claim (acquire on taking, release on giving
 * back) that makes oom_recs and oom_checked the claimant's; the end check
 * runs alone (every CPU stopped).  oom_pages_* are written by the setup
 * (CPU 0, before the CPUs start) and read-only after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../engine.h"

#define OOM_SLOTS	4		/* slot 0: the OOM_SCORE_ADJ_MIN task */
#define OOM_BATCH_MAX	64

enum oom_counter {
	OOM_CREATED, OOM_KILLED, OOM_CREATE_FAILED, OOM_ENOMEM, OOM_WRITTEN, OOM_VERIFIED,
	OOM_RECORDS_CHECKED, OOM_RECORDS_UNCHECKED, NR_OOM_COUNTERS
};

static const char *const oom_counter_name[NR_OOM_COUNTERS] = {
	"tasks_created", "tasks_killed", "create_failed", "access_enomem", "pages_written",
	"pages_verified", "kill_records_checked", "kill_records_unchecked",
};

struct oom_slot {
	struct mm_struct *mm;		/* NULL: empty */
	unsigned long nr_pages;
	unsigned long cursor;		/* pages below it are written */
	uint64_t tag;			/* page i: TAG_NEXT(tag, i) */
	int pid;
	int adj;
};

struct oom_cpu {
	struct oom_slot slot[OOM_SLOTS];
	uint64_t cnt[NR_OOM_COUNTERS];
};

static unsigned long oom_pages_min, oom_pages_span;	/* a killable task's size */
static unsigned long oom_pages_protected;		/* the -1000 task's */

static int oom_checking;			/* atomic: the claim */
static unsigned long oom_checked;		/* the claimant's: seqs read */
static struct mm_oom_kill oom_recs[MM_OOM_RECORDS];	/* the claimant's */

static const struct stress_family oom_family;

static int oom_setup(struct run *run)
{
	unsigned long total = mm_oom_totalpages(), per_cpu = total / run_nr_cpus(run);

	/* OOM_SLOTS - 1 killable tasks per CPU of 1/2 to 3/2 of a CPU's
	 * share: the machine's tasks want about three times RAM + swap */
	oom_pages_min = max(per_cpu / 2, 16UL);
	oom_pages_span = max(per_cpu, 1UL);
	oom_pages_protected = max(per_cpu / 32, 8UL);
	WRITE_ONCE(oom_checked, 0);
	__atomic_store_n(&oom_checking, 0, __ATOMIC_RELAXED);
	return 0;
}

/* v4.19's badness, recomputed from a record's numbers. */
static unsigned long oom_expected_badness(const struct mm_oom_candidate *cd,
					  unsigned long totalpages)
{
	long points;

	if (cd->oom_score_adj == OOM_SCORE_ADJ_MIN || cd->skip)
		return 0;
	points = cd->anon_rss + cd->file_rss + cd->shmem_rss + cd->swapents +
		 (long)(cd->pgtables_bytes / PAGE_SIZE);
	points += (long)cd->oom_score_adj * (long)(totalpages / 1000);
	return points > 0 ? (unsigned long)points : 1;
}

static void oom_check_record(struct cpu_ctx *c, struct run *run, struct oom_cpu *oc,
			     const struct mm_oom_kill *k)
{
	unsigned long best = 0, v_points = 0;
	int best_i = -1, v_i = -1;

	if (k->nr_tasks > MM_OOM_MAX_CANDIDATES) {
		oc->cnt[OOM_RECORDS_UNCHECKED]++;
		return;
	}
	for (int i = 0; i < k->nr_tasks; i++) {
		unsigned long p = oom_expected_badness(&k->cand[i], k->totalpages);

		/* the first of equal scores stays */
		if (p > best) {
			best = p;
			best_i = i;
		}
		if (k->cand[i].pid == k->victim_pid) {
			v_i = i;
			v_points = p;
		}
	}
	oc->cnt[OOM_RECORDS_CHECKED]++;
	if (v_i >= 0 && k->cand[v_i].oom_score_adj == OOM_SCORE_ADJ_MIN)
		add_violation(run, "oom", c ? (int)c->cpu : -1,
			      "OOM kill #%lu chose pid %d (%s), whose oom_score_adj is %d",
			      k->seq, k->victim_pid, k->victim_comm, OOM_SCORE_ADJ_MIN);
	else if (best_i < 0 || v_i != best_i || k->points != best)
		add_violation(run, "oom", c ? (int)c->cpu : -1,
			      "OOM kill #%lu chose pid %d (%s) with score %lu (recomputed %lu), but "
			      "the badness of its %d tasks picks pid %d with %lu (totalpages %lu)",
			      k->seq, k->victim_pid, k->victim_comm, k->points, v_points,
			      k->nr_tasks, best_i >= 0 ? k->cand[best_i].pid : -1, best,
			      k->totalpages);
}

/* The records not yet checked, by whoever holds the claim. */
static void oom_check_records(struct cpu_ctx *c, struct run *run, struct oom_cpu *oc)
{
	int n;

	n = mm_oom_kills(oom_recs, MM_OOM_RECORDS);
	for (int i = 0; i < n; i++) {
		if (oom_recs[i].seq <= oom_checked)
			continue;
		/* kills that left the ring before anyone read them */
		oc->cnt[OOM_RECORDS_UNCHECKED] += oom_recs[i].seq - oom_checked - 1;
		oom_check_record(c, run, oc, &oom_recs[i]);
		WRITE_ONCE(oom_checked, oom_recs[i].seq);
	}
}

static void oom_maybe_check(struct cpu_ctx *c, struct oom_cpu *oc)
{
	int unclaimed = 0;

	if (mm_oom_kill_count() == READ_ONCE(oom_checked))
		return;
	/* Acquire: the previous claimant's oom_checked and oom_recs. */
	if (!__atomic_compare_exchange_n(&oom_checking, &unclaimed, 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return;
	oom_check_records(c, c->run, oc);
	/* Release: pairs with the next claimant's acquire. */
	__atomic_store_n(&oom_checking, 0, __ATOMIC_RELEASE);
}

static void oom_slot_exit(struct oom_slot *s)
{
	mm_task_exit(s->mm);
	memset(s, 0, sizeof(*s));
}

static void oom_create(struct cpu_ctx *c, struct oom_cpu *oc, unsigned int i, uint64_t r)
{
	struct oom_slot *s = &oc->slot[i];
	struct mm_task_info info;
	char comm[16];

	if (i == 0) {
		s->nr_pages = oom_pages_protected;
		s->adj = OOM_SCORE_ADJ_MIN;
	} else {
		s->nr_pages = oom_pages_min + r % oom_pages_span;
		/* a quarter at 0, the rest spread over -999..1000 */
		s->adj = (r >> 40) % 4 ? (int)((r >> 42) % 2000) - 999 : 0;
	}
	snprintf(comm, sizeof(comm), "oom-%u.%u", c->cpu, i);
	fail_mark(c);
	s->mm = mm_task_create(comm, s->nr_pages, s->adj);
	if (!s->mm) {
		count_failure(c, GK_KERNEL, size_order(s->nr_pages * sizeof(unsigned long)));
		oc->cnt[OOM_CREATE_FAILED]++;
		memset(s, 0, sizeof(*s));
		return;
	}
	mm_task_info(s->mm, &info);
	s->pid = info.pid;
	s->cursor = 0;
	s->tag = stress_tags(c, (unsigned int)min(s->nr_pages, 1UL << 30));
	oc->cnt[OOM_CREATED]++;
}

/* The OOM killer chose it: it must know, it must be killable. */
static void oom_killed(struct cpu_ctx *c, struct oom_cpu *oc, struct oom_slot *s,
		       unsigned int i)
{
	if (!mm_task_oom_killed(s->mm))
		cpu_violation(c, "oom", "task %d (oom-%u.%u): an access failed with -EINTR, "
			      "but mm_task_oom_killed() says it was not killed", s->pid, c->cpu, i);
	if (s->adj == OOM_SCORE_ADJ_MIN)
		cpu_violation(c, "oom", "task %d (oom-%u.%u) with oom_score_adj %d was killed",
			      s->pid, c->cpu, i, OOM_SCORE_ADJ_MIN);
	oc->cnt[OOM_KILLED]++;
	oom_slot_exit(s);
}

/* One page: written the first time, verified after.  0, or -errno. */
static int oom_touch(struct cpu_ctx *c, struct oom_cpu *oc, struct oom_slot *s,
		     unsigned int i, unsigned long idx)
{
	struct pattern_range pr = { 0, PAGE_SIZE, PATTERN_ALL };
	uint64_t tag = TAG_NEXT(s->tag, idx);
	int written = idx < s->cursor;
	void *addr;
	int ret;

	fail_mark(c);
	ret = mm_task_access(s->mm, idx, !written, GFP_HIGHUSER_MOVABLE, &addr);
	if (ret)
		return ret;
	if (written) {
		size_t off = pattern_check(addr, &pr, PAGE_SIZE, tag);

		if (off != PATTERN_OK) {
			char what[96];

			snprintf(what, sizeof(what), "task %d (oom-%u.%u) page %lu", s->pid,
				 c->cpu, i, idx);
			pattern_report(c, addr, &pr, off, tag, "task page", what,
				       "on reading it back (the task was not killed)");
		}
		oc->cnt[OOM_VERIFIED]++;
	} else {
		pattern_fill(addr, &pr, tag);
		s->cursor = idx + 1;
		oc->cnt[OOM_WRITTEN]++;
	}
	mm_task_release(s->mm, idx, addr);
	return 0;
}

static int oom_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct oom_cpu *oc = state;
	unsigned int i = (unsigned int)(r[0] % OOM_SLOTS);
	struct oom_slot *s = &oc->slot[i];
	unsigned int n = 8 + (unsigned int)(r[1] % (OOM_BATCH_MAX - 7));

	oom_maybe_check(c, oc);
	if (!s->mm) {
		oom_create(c, oc, i, r[2]);
		return 0;
	}
	for (unsigned int k = 0; k < n; k++) {
		uint64_t x = op_random(c);
		unsigned long idx;
		int ret;

		/* the next new page three times in four, else one written before */
		if (s->cursor < s->nr_pages && (!s->cursor || x % 4))
			idx = s->cursor;
		else
			idx = (x >> 2) % s->cursor;
		ret = oom_touch(c, oc, s, i, idx);
		if (ret == -EINTR) {
			oom_killed(c, oc, s, i);
			break;
		}
		if (ret == -ENOMEM) {
			count_failure(c, GK_USER, 0);
			oc->cnt[OOM_ENOMEM]++;
			break;
		}
		if (ret) {
			cpu_violation(c, "oom", "mm_task_access(task %d, page %lu of %lu) = %d",
				      s->pid, idx, s->nr_pages, ret);
			break;
		}
	}
	oom_maybe_check(c, oc);
	return 0;
}

static void oom_release(struct cpu_ctx *c, void *state)
{
	struct oom_cpu *oc = state;

	(void)c;
	for (unsigned int i = 0; i < OOM_SLOTS; i++)
		if (oc->slot[i].mm)
			oom_slot_exit(&oc->slot[i]);
}

/* Every CPU stopped: the kills no CPU has checked yet. */
static void oom_check(struct run *run)
{
	struct oom_cpu *oc = family_state(run_cpu(run, 0), &oom_family);

	if (oc)
		oom_check_records(NULL, run, oc);
}

static void oom_report(struct run *run, FILE *out)
{
	uint64_t s[NR_OOM_COUNTERS];

	family_sum(run, &oom_family, offsetof(struct oom_cpu, cnt), NR_OOM_COUNTERS, s);
	report_counters(out, s, "oom: tasks created %llu, killed %llu (and restarted); creations "
			"failed %llu, accesses -ENOMEM %llu;\n     pages written %llu, verified "
			"%llu; kill records checked %llu, unchecked %llu\n\n");
}

static void oom_report_json(struct run *run, json_t *root)
{
	family_sum_json(run, &oom_family, offsetof(struct oom_cpu, cnt), oom_counter_name,
			NR_OOM_COUNTERS, root, "oom");
}

static const struct stress_family oom_family = {
	.name = "oom", .state_size = sizeof(struct oom_cpu), .setup = oom_setup,
	.release = oom_release, .check = oom_check,
	.report = oom_report, .report_json = oom_report_json,
};

/* Opt-in (weight 0): it takes the machine's memory from every other job. */
const struct stress_job oom_job = {
	.name = "oom", .default_weight = 0, .family = &oom_family, .op = oom_op,
	.what = "tasks touching more than RAM + swap: OOM kills by v4.19's badness, "
		"-1000 never, no data lost",
};
