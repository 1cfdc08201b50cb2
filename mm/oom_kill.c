// SPDX-License-Identifier: MIT
/*
 * mm/oom_kill.c - the OOM killer, v4.19 semantics.
 *
 *   out_of_memory()	the allocator's slow path calls it with oom_lock
 *			held (mutex_trylock(): one OOM kill at a time) once
 *			reclaim has given up.  Like v4.19: a caller whose
 *			own task is a victim still dying just retries; a
 *			!__GFP_FS caller kills nothing (it reports progress,
 *			the kernel's "the OOM killer does not compensate for
 *			IO-less reclaim"); otherwise select_bad_process()
 *			picks the task with the largest oom_badness() among
 *			mm_list and oom_kill_process() kills it.  A victim
 *			not yet reaped anywhere on the list aborts the
 *			selection (one is still dying: 1, nobody killed), as
 *			oom_evaluate_task().  Nothing killable: the report,
 *			"Out of memory and no killable processes...", and 0
 *			-- v4.19 panics there; the model reports and lets
 *			the allocation fail.
 *   oom_badness()	rss (anon + file + shmem) + swap entries + page
 *			tables in pages, plus oom_score_adj * (totalpages /
 *			1000) -- v4.19 divides first --, at least 1; 0 for
 *			OOM_SCORE_ADJ_MIN or a reaped task (MMF_OOM_SKIP):
 *			never chosen.  totalpages = totalram_pages +
 *			total_swap_pages.  Ties: the first on the list wins
 *			(every model task leads its thread group).
 *   the kill		MMF_OOM_VICTIM (its accesses fail with -EINTR,
 *			memory.c), the vm event oom_kill, then the model's
 *			oom_reaper at once: oom_reap_mm() frees what it can
 *			and MMF_OOM_SKIP is set, so the next OOM looks
 *			further.  The kernel's reaper is a thread woken
 *			here; the model reaps in the killer, still under
 *			oom_lock.
 *   reports		printed with no spinlock held: the tasks are copied
 *			under mm_list_lock into oom_snap, printed after.
 *			dump_header() ("<comm> invoked oom-killer: ...", the
 *			stack, show_free_areas(), dump_tasks()'s table) is
 *			rate limited as v4.19's oom_rs; "Out of memory: Kill
 *			process", "Killed process" and "oom_reaper: reaped
 *			process" are printed at every kill.  All REPORT_INFO:
 *			an OOM kill is the machine working, not a violation.
 *   the kill record	each kill's victim and candidates' raw numbers, in
 *			a ring of MM_OOM_RECORDS (mm_oom_kills(), public) so
 *			that a harness recomputes the choice by itself.
 *
 * Who touches what:
 *   oom_snap		the holder of oom_lock (out_of_memory()'s callers).
 *   oom_records[], oom_nr_kills	oom_record_lock (irq-safe, never
 *			held while printing); any thread reads a copy.
 *   an mm's flags	atomic bits (relaxed): VICTIM and SKIP set here,
 *			read by memory.c and by the next selection (under
 *			mm_list_lock, which orders them with the list).
 *   the chosen mm	kept alive across the unlock by a reference (users,
 *			taken under mm_list_lock while it is on the list,
 *			dropped with mmput()); its owner may mm_task_exit()
 *			meanwhile: memory.c orders oom_reap_mm() with it.
 */
#include <errno.h>
#include <string.h>

#include "reclaim.h"

DEFINE_MUTEX(oom_lock);

#define K(x) ((x) << (PAGE_SHIFT - 10))
#define OOM_SNAP_MAX	512	/* tasks dump_tasks() shows */

/* One task as the selection saw it. */
struct oom_task {
	struct mm_struct *mm;	/* identity: dereferenced only under mm_list_lock */
	int pid;
	int adj;
	int skip;
	char comm[16];
	long rss[NR_MM_COUNTERS];
	unsigned long pgtables_bytes;
	unsigned long total_vm;
	unsigned long points;
};

static struct {
	int nr;			/* stored in t[] */
	int seen;		/* on the list */
	struct oom_task t[OOM_SNAP_MAX];
	struct oom_task victim;	/* the chosen one's copy */
} oom_snap;			/* oom_lock */

/* dump_header()'s rate limit, v4.19's oom_rs (the console lock; a new
 * machine starts afresh) */
static struct ratelimit_state oom_rs =
	RATELIMIT_STATE_INIT(DEFAULT_RATELIMIT_INTERVAL_MS, DEFAULT_RATELIMIT_BURST);

static struct mm_oom_kill oom_records[MM_OOM_RECORDS];	/* oom_record_lock */
static unsigned long oom_nr_kills;			/* oom_record_lock */
static DEFINE_SPINLOCK(oom_record_lock);

static inline int mm_flag_test(const struct mm_struct *mm, int bit)
{
	return (__atomic_load_n(&mm->flags, __ATOMIC_RELAXED) >> bit) & 1;
}

static inline void mm_flag_set(struct mm_struct *mm, int bit)
{
	__atomic_fetch_or(&mm->flags, 1UL << bit, __ATOMIC_RELAXED);
}

void oom_init(void)
{
	unsigned long flags;

	spin_lock_irqsave(&oom_record_lock, flags);
	oom_nr_kills = 0;
	memset(oom_records, 0, sizeof(oom_records));
	spin_unlock_irqrestore(&oom_record_lock, flags);
	console_lock();
	oom_rs = (struct ratelimit_state)RATELIMIT_STATE_INIT(DEFAULT_RATELIMIT_INTERVAL_MS,
							       DEFAULT_RATELIMIT_BURST);
	console_unlock();
}

static unsigned long oom_totalpages(void)
{
	return READ_ONCE(totalram_pages) + READ_ONCE(total_swap_pages);
}

unsigned long mm_oom_totalpages(void)
{
	return oom_totalpages();
}

/* A copy of what the badness and the reports need (mm_list_lock held, or
 * the mm pinned by its caller). */
static void oom_task_read(struct oom_task *t, struct mm_struct *mm)
{
	t->mm = mm;
	t->pid = mm->pid;
	t->adj = READ_ONCE(mm->oom_score_adj);
	t->skip = mm_flag_test(mm, MMF_OOM_SKIP);
	memcpy(t->comm, mm->comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = '\0';
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		t->rss[i] = READ_ONCE(mm->rss[i]);
	t->pgtables_bytes = mm_pgtables_bytes(mm);
	t->total_vm = mm->nr_ptes;
	t->points = 0;
}

static inline long oom_rss(const struct oom_task *t)
{
	return t->rss[MM_FILEPAGES] + t->rss[MM_ANONPAGES] + t->rss[MM_SHMEMPAGES];
}

/* v4.19 oom_badness() on a copy. */
static unsigned long oom_badness(const struct oom_task *t, unsigned long totalpages)
{
	long points, adj = t->adj;

	if (adj == OOM_SCORE_ADJ_MIN || t->skip)
		return 0;
	points = oom_rss(t) + t->rss[MM_SWAPENTS] + (long)(t->pgtables_bytes / PAGE_SIZE);
	adj *= (long)(totalpages / 1000);
	points += adj;
	return points > 0 ? (unsigned long)points : 1;
}

unsigned long mm_task_oom_score(struct mm_struct *mm)
{
	unsigned long totalpages = oom_totalpages();
	struct oom_task t;

	if (!mm || !totalpages)
		return 0;
	oom_task_read(&t, mm);
	return oom_badness(&t, totalpages) * 1000 / totalpages;
}

int tsk_is_oom_victim(void)
{
	struct mm_struct *mm = current->mm;

	return mm && mm_flag_test(mm, MMF_OOM_VICTIM);
}

#define OOM_ABORT	((struct mm_struct *)-1L)

/*
 * v4.19 select_bad_process() and oom_evaluate_task(): oc->chosen is the
 * task with the largest badness (a reference taken), NULL if none is
 * killable, OOM_ABORT if a victim is still dying.  Every task is copied
 * into oom_snap for the reports and the record.
 */
static void select_bad_process(struct oom_control *oc)
{
	struct mm_struct *mm;
	unsigned long flags;

	oc->chosen = NULL;
	oc->chosen_points = 0;
	oom_snap.nr = 0;
	oom_snap.seen = 0;

	spin_lock_irqsave(&mm_list_lock, flags);
	cds_list_for_each_entry(mm, &mm_list, list) {
		struct oom_task spare, *t = &spare;

		if (oom_snap.nr < OOM_SNAP_MAX)
			t = &oom_snap.t[oom_snap.nr++];
		oom_snap.seen++;
		oom_task_read(t, mm);
		if (mm_flag_test(mm, MMF_OOM_VICTIM)) {
			if (t->skip)
				continue;
			/* it has the reserves and will free its memory:
			 * no second victim meanwhile */
			oc->chosen = OOM_ABORT;
			break;
		}
		t->points = oom_badness(t, oc->totalpages);
		if (!t->points || t->points <= (unsigned long)oc->chosen_points)
			continue;
		oc->chosen = mm;
		oc->chosen_points = (long)t->points;
		oom_snap.victim = *t;
	}
	if (oc->chosen && oc->chosen != OOM_ABORT)
		mmget(oc->chosen);
	spin_unlock_irqrestore(&mm_list_lock, flags);
}

static void dump_tasks(void)
{
	printk("Tasks state (memory values in pages):\n");
	printk("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n");
	for (int i = 0; i < oom_snap.nr; i++) {
		const struct oom_task *t = &oom_snap.t[i];

		printk("[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s\n", t->pid, 0, t->pid,
		       t->total_vm, (unsigned long)oom_rss(t), (long)t->pgtables_bytes,
		       (unsigned long)t->rss[MM_SWAPENTS], (short)t->adj, t->comm);
	}
	if (oom_snap.seen > oom_snap.nr)
		printk("(%d more tasks not shown)\n", oom_snap.seen - oom_snap.nr);
}

static void dump_header(struct oom_control *oc)
{
	struct mm_struct *mm = current->mm;
	char gfp[256];

	format_gfp(gfp, sizeof(gfp), oc->gfp_mask);
	printk("%s invoked oom-killer: gfp_mask=%#x(%s), nodemask=(null), order=%d, oom_score_adj=%hd\n",
	       current->comm, oc->gfp_mask, gfp, oc->order,
	       (short)(mm ? READ_ONCE(mm->oom_score_adj) : 0));
	dump_stack();
	show_free_areas();
	dump_tasks();
}

/* The kill, for mm_oom_kills(): the victim and the candidates' numbers. */
static void oom_record_kill(const struct oom_control *oc)
{
	const struct oom_task *v = &oom_snap.victim;
	struct mm_oom_kill *r;
	unsigned long flags;
	int n = min(oom_snap.nr, MM_OOM_MAX_CANDIDATES);

	spin_lock_irqsave(&oom_record_lock, flags);
	r = &oom_records[oom_nr_kills % MM_OOM_RECORDS];
	memset(r, 0, sizeof(*r));
	r->seq = ++oom_nr_kills;
	r->victim_pid = v->pid;
	memcpy(r->victim_comm, v->comm, sizeof(r->victim_comm));
	r->points = (unsigned long)oc->chosen_points;
	r->totalpages = oc->totalpages;
	r->nr_tasks = oom_snap.seen;
	for (int i = 0; i < n; i++) {
		const struct oom_task *t = &oom_snap.t[i];
		struct mm_oom_candidate *cd = &r->cand[i];

		cd->pid = t->pid;
		cd->oom_score_adj = t->adj;
		cd->skip = t->skip;
		cd->anon_rss = t->rss[MM_ANONPAGES];
		cd->file_rss = t->rss[MM_FILEPAGES];
		cd->shmem_rss = t->rss[MM_SHMEMPAGES];
		cd->swapents = t->rss[MM_SWAPENTS];
		cd->pgtables_bytes = t->pgtables_bytes;
	}
	spin_unlock_irqrestore(&oom_record_lock, flags);
}

int mm_oom_kills(struct mm_oom_kill *buf, int n)
{
	unsigned long flags, first;
	int got = 0;

	if (n <= 0 || !buf)
		return 0;
	spin_lock_irqsave(&oom_record_lock, flags);
	first = oom_nr_kills > (unsigned long)n ? oom_nr_kills - (unsigned long)n : 0;
	if (oom_nr_kills - first > MM_OOM_RECORDS)
		first = oom_nr_kills - MM_OOM_RECORDS;
	for (unsigned long s = first; s < oom_nr_kills; s++)
		buf[got++] = oom_records[s % MM_OOM_RECORDS];
	spin_unlock_irqrestore(&oom_record_lock, flags);
	return got;
}

unsigned long mm_oom_kill_count(void)
{
	unsigned long flags, n;

	spin_lock_irqsave(&oom_record_lock, flags);
	n = oom_nr_kills;
	spin_unlock_irqrestore(&oom_record_lock, flags);
	return n;
}

/* v4.19 oom_kill_process() and __oom_kill_process(), then the reaper. */
static void oom_kill_process(struct oom_control *oc, const char *message)
{
	struct mm_struct *mm = oc->chosen;
	const struct oom_task *v = &oom_snap.victim;
	unsigned long flags;

	if (__ratelimit(&oom_rs)) {
		report_begin(REPORT_INFO);
		dump_header(oc);
		printk("%s: Kill process %d (%s) score %u or sacrifice child\n", message,
		       v->pid, v->comm, (unsigned int)oc->chosen_points);
		report_end(REPORT_INFO, -1);
	} else {
		printk("%s: Kill process %d (%s) score %u or sacrifice child\n", message,
		       v->pid, v->comm, (unsigned int)oc->chosen_points);
	}

	/* the event before the mark, as v4.19: the reaper must see it */
	local_irq_save(flags);
	__count_vm_event(OOM_KILL);
	local_irq_restore(flags);
	mm_flag_set(mm, MMF_OOM_VICTIM);
	oom_record_kill(oc);
	printk("Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB\n",
	       v->pid, v->comm, K(mm->nr_ptes), K((unsigned long)READ_ONCE(mm->rss[MM_ANONPAGES])),
	       K((unsigned long)READ_ONCE(mm->rss[MM_FILEPAGES])),
	       K((unsigned long)READ_ONCE(mm->rss[MM_SHMEMPAGES])));

	oom_reap_mm(mm);
	mm_flag_set(mm, MMF_OOM_SKIP);
	printk("oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB\n",
	       v->pid, v->comm, K((unsigned long)READ_ONCE(mm->rss[MM_ANONPAGES])),
	       K((unsigned long)READ_ONCE(mm->rss[MM_FILEPAGES])),
	       K((unsigned long)READ_ONCE(mm->rss[MM_SHMEMPAGES])));
	mmput(mm);
}

int out_of_memory(struct oom_control *oc)
{
	struct mm_struct *self = current->mm;

	lockdep_assert_held(&oom_lock);
	if (WARN(!mutex_is_locked(&oom_lock), "out_of_memory() without oom_lock\n"))
		return 0;

	/* v4.19 task_will_free_mem(current): a victim still dying retries */
	if (self && mm_flag_test(self, MMF_OOM_VICTIM) && !mm_flag_test(self, MMF_OOM_SKIP))
		return 1;
	if (oc->gfp_mask && !(oc->gfp_mask & __GFP_FS))
		return 1;

	/* constrained_alloc(): no cpusets or mempolicies in the model */
	oc->nodemask = NULL;
	oc->totalpages = oom_totalpages();
	if (!oc->totalpages)
		oc->totalpages = 1;

	select_bad_process(oc);
	if (oc->chosen == OOM_ABORT)
		return 1;
	if (!oc->chosen) {
		/* v4.19 panics here, once; the model goes on (a __GFP_NOFAIL
		 * caller comes back every jiffy), so the whole report is rate
		 * limited as a kill's header */
		if (__ratelimit(&oom_rs)) {
			report_begin(REPORT_INFO);
			dump_header(oc);
			printk("Out of memory and no killable processes...\n");
			report_end(REPORT_INFO, -1);
		}
		return 0;
	}
	oom_kill_process(oc, "Out of memory");
	return 1;
}
