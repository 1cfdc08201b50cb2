// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_oom.c - the OOM killer (mm/oom_kill.c): v4.19's badness
 * with oom_score_adj (-1000 never chosen, +1000 preferred, the division
 * by 1000 before the product), the victim among hand-built tasks (ties
 * to the first on mm_list), a victim not yet reaped stopping a second
 * kill, !__GFP_FS killing nobody, the reports' lines, the kill record,
 * a real task killed and reaped with its pages returned, and the oom job.
 *
 * Hand-built tasks: a kzalloc()ed mm_struct with zeroed ptes (never
 * touched: the reaper finds nothing to free), rss[] filled by the test,
 * on mm_list under mm_list_lock, taken off and freed before the test ends.
 * The test holds their users reference, so the OOM killer's mmput()
 * never frees them.
 */
#include "../cliutil.h"
#include "../../mm/reclaim.h"

#include <errno.h>

#define BOOT	"mem=64M nodes=1 cpus=1"

/* The hand-built tasks on mm_list: a failed test's are taken off by the
 * teardown. */
static struct mm_struct *fakes[16];

static struct mm_struct *fake_mm(int pid, const char *comm, long anon, long file, long swap,
				 int adj)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm), GFP_KERNEL);
	unsigned long flags;

	assert_non_null(mm);
	spin_lock_init(&mm->page_table_lock);
	mm->nr_ptes = 1024;
	mm->ptes = vzalloc(mm->nr_ptes * sizeof(unsigned long));
	assert_non_null(mm->ptes);
	mm->rss[MM_ANONPAGES] = anon;
	mm->rss[MM_FILEPAGES] = file;
	mm->rss[MM_SWAPENTS] = swap;
	mm->oom_score_adj = adj;
	mm->pid = pid;
	snprintf(mm->comm, sizeof(mm->comm), "%s", comm);
	mm->users = 1;
	spin_lock_irqsave(&mm_list_lock, flags);
	cds_list_add_tail(&mm->list, &mm_list);
	spin_unlock_irqrestore(&mm_list_lock, flags);
	for (unsigned int i = 0; i < ARRAY_SIZE(fakes); i++) {
		if (!fakes[i]) {
			fakes[i] = mm;
			return mm;
		}
	}
	fail_msg("more than %zu hand-built tasks", ARRAY_SIZE(fakes));
	return mm;
}

static void fake_mm_remove(struct mm_struct *mm)
{
	unsigned long flags;

	for (unsigned int i = 0; i < ARRAY_SIZE(fakes); i++)
		if (fakes[i] == mm)
			fakes[i] = NULL;
	spin_lock_irqsave(&mm_list_lock, flags);
	cds_list_del(&mm->list);
	spin_unlock_irqrestore(&mm_list_lock, flags);
	vfree(mm->ptes);
	kfree(mm);
}

/* The OOM killer gave its reference back: only the test's is left. */
static void fake_mm_free(struct mm_struct *mm)
{
	int users = __atomic_load_n(&mm->users, __ATOMIC_RELAXED);

	fake_mm_remove(mm);
	assert_int_equal(users, 1);
}

static int teardown_fakes(void **state)
{
	current->mm = NULL;
	if (current->cpu >= 0) {
		for (unsigned int i = 0; i < ARRAY_SIZE(fakes); i++)
			if (fakes[i])
				fake_mm_remove(fakes[i]);
	}
	return teardown_machine(state);
}

/* v4.19's badness, by hand: what the tests expect. */
static unsigned long expect_badness(struct mm_struct *mm, unsigned long totalpages)
{
	long p = mm->rss[MM_ANONPAGES] + mm->rss[MM_FILEPAGES] + mm->rss[MM_SHMEMPAGES] +
		 mm->rss[MM_SWAPENTS] + (long)(mm_pgtables_bytes(mm) / PAGE_SIZE);

	if (mm->oom_score_adj == OOM_SCORE_ADJ_MIN)
		return 0;
	p += mm->oom_score_adj * (long)(totalpages / 1000);
	return p > 0 ? (unsigned long)p : 1;
}

/* One OOM as the slow path calls it: out_of_memory()'s answer. */
static int oom(gfp_t gfp)
{
	struct oom_control oc = { .gfp_mask = gfp, .order = 0 };
	int ret;

	assert_true(mutex_trylock(&oom_lock));
	ret = out_of_memory(&oc);
	mutex_unlock(&oom_lock);
	return ret;
}

static struct mm_oom_kill last_kill;

/* out_of_memory() killed one task: its record. */
static const struct mm_oom_kill *oom_kill_one(void)
{
	unsigned long before = mm_oom_kill_count();

	capture_begin();
	assert_int_equal(oom(GFP_KERNEL), 1);
	capture_end();
	assert_int_equal(mm_oom_kill_count(), before + 1);
	assert_int_equal(mm_oom_kills(&last_kill, 1), 1);
	assert_int_equal(last_kill.seq, before + 1);
	return &last_kill;
}

static void test_badness_formula(void **state)
{
	struct mm_struct *a;
	const struct mm_oom_kill *k;
	unsigned long total;
	(void)state;

	boot_attach(BOOT);
	total = mm_oom_totalpages();
	assert_int_equal(total, totalram_pages + total_swap_pages);
	a = fake_mm(101, "plain", 3000, 500, 250, 0);
	a->rss[MM_SHMEMPAGES] = 7;
	assert_int_equal(mm_task_oom_score(a), expect_badness(a, total) * 1000 / total);
	k = oom_kill_one();
	assert_int_equal(k->victim_pid, 101);
	assert_string_equal(k->victim_comm, "plain");
	assert_int_equal(k->points, 3000 + 500 + 7 + 250 + mm_pgtables_bytes(a) / PAGE_SIZE);
	assert_int_equal(k->totalpages, total);
	assert_int_equal(k->nr_tasks, 1);
	assert_int_equal(k->cand[0].anon_rss, 3000);
	assert_int_equal(k->cand[0].file_rss, 500);
	assert_int_equal(k->cand[0].shmem_rss, 7);
	assert_int_equal(k->cand[0].swapents, 250);
	assert_int_equal(k->cand[0].pgtables_bytes, mm_pgtables_bytes(a));
	assert_true(mm_task_oom_killed(a));
	/* reaped: scores 0 now, as /proc/PID/oom_score of a reaped task */
	assert_int_equal(mm_task_oom_score(a), 0);
	fake_mm_free(a);
	check_shutdown();
}

/* +1000 adds totalpages / 1000 * 1000 (v4.19 divides first); a large
 * negative adj leaves 1, still killable. */
static void test_badness_adj(void **state)
{
	struct mm_struct *a;
	unsigned long total;
	(void)state;

	boot_attach(BOOT);
	total = mm_oom_totalpages();
	assert_true(total % 1000 != 0);		/* the order of the arithmetic shows */

	a = fake_mm(201, "max", 100, 0, 0, OOM_SCORE_ADJ_MAX);
	assert_int_equal(oom_kill_one()->points,
			 100 + mm_pgtables_bytes(a) / PAGE_SIZE + 1000 * (total / 1000));
	fake_mm_free(a);

	a = fake_mm(202, "low", 100, 0, 0, -999);
	assert_int_equal(expect_badness(a, total), 1);
	assert_int_equal(oom_kill_one()->points, 1);
	assert_int_equal(last_kill.victim_pid, 202);
	fake_mm_free(a);

	a = fake_mm(203, "half", 100, 0, 0, -500);
	a->rss[MM_ANONPAGES] = (long)(total / 1000) * 500 + 40;
	assert_int_equal(oom_kill_one()->points, 40 + mm_pgtables_bytes(a) / PAGE_SIZE);
	fake_mm_free(a);
	check_shutdown();
}

/* OOM_SCORE_ADJ_MIN is never chosen, however large; alone it leaves
 * nothing to kill: the report and 0. */
static void test_min_adj_never_chosen(void **state)
{
	struct mm_struct *big, *small;
	const char *out;
	(void)state;

	boot_attach(BOOT);
	big = fake_mm(301, "unkillable", 12000, 0, 4000, OOM_SCORE_ADJ_MIN);
	assert_int_equal(mm_task_oom_score(big), 0);
	capture_begin();
	assert_int_equal(oom(GFP_KERNEL), 0);
	out = capture_end();
	assert_contains(out, "Out of memory and no killable processes...\n");
	assert_int_equal(mm_oom_kill_count(), 0);
	assert_false(mm_task_oom_killed(big));

	small = fake_mm(302, "small", 10, 0, 0, 0);
	assert_int_equal(oom_kill_one()->victim_pid, 302);
	assert_int_equal(last_kill.nr_tasks, 2);
	assert_int_equal(last_kill.cand[0].oom_score_adj, OOM_SCORE_ADJ_MIN);
	assert_false(mm_task_oom_killed(big));
	/* the reaped one is skipped and -1000 stays: nothing killable again */
	capture_begin();
	assert_int_equal(oom(GFP_KERNEL), 0);
	capture_end();
	fake_mm_free(small);
	fake_mm_free(big);
	check_shutdown();
}

/* The largest badness wins, oom_score_adj included; equal scores go to
 * the first on the list. */
static void test_victim_choice(void **state)
{
	struct mm_struct *m[5];
	unsigned long total, want;
	(void)state;

	boot_attach(BOOT);
	total = mm_oom_totalpages();
	m[0] = fake_mm(401, "a", 2000, 0, 0, 0);
	m[1] = fake_mm(402, "b", 1000, 0, 500, 100);	/* 1500 + 100 * total/1000 */
	m[2] = fake_mm(403, "c", 5000, 0, 0, -300);	/* 5000 - 300 * total/1000 */
	m[3] = fake_mm(404, "d", 0, 1000, 0, 0);
	m[4] = fake_mm(405, "e", 4000, 0, 0, OOM_SCORE_ADJ_MIN);
	want = expect_badness(m[1], total);
	assert_true(want > expect_badness(m[0], total));
	assert_true(want > expect_badness(m[2], total));

	assert_int_equal(oom_kill_one()->victim_pid, 402);
	assert_int_equal(last_kill.points, want);
	assert_int_equal(last_kill.nr_tasks, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(last_kill.cand[i].pid, 401 + i);
	/* b is reaped (skip, 0): next a, at 2000 + tables, over c and d */
	assert_int_equal(oom_kill_one()->victim_pid, 401);
	assert_int_equal(last_kill.cand[1].skip, 1);
	/* d and c tie: the first on the list */
	m[3]->rss[MM_FILEPAGES] = (long)expect_badness(m[2], total) -
				  (long)(mm_pgtables_bytes(m[3]) / PAGE_SIZE);
	assert_int_equal(expect_badness(m[3], total), expect_badness(m[2], total));
	assert_int_equal(oom_kill_one()->victim_pid, 403);
	assert_int_equal(oom_kill_one()->victim_pid, 404);
	assert_false(mm_task_oom_killed(m[4]));
	/* the ring keeps them in order */
	{
		struct mm_oom_kill k[MM_OOM_RECORDS];

		assert_int_equal(mm_oom_kills(k, MM_OOM_RECORDS), 4);
		assert_int_equal(k[0].victim_pid, 402);
		assert_int_equal(k[3].victim_pid, 404);
		assert_int_equal(k[3].seq, 4);
	}
	for (int i = 0; i < 5; i++)
		fake_mm_free(m[i]);
	check_shutdown();
}

/* A victim marked but not yet reaped: "one is still dying", no second
 * kill; once reaped the next OOM looks further. */
static void test_dying_victim_stops_another_kill(void **state)
{
	struct mm_struct *dying, *other;
	(void)state;

	boot_attach(BOOT);
	other = fake_mm(501, "other", 100, 0, 0, 0);
	dying = fake_mm(502, "dying", 50, 0, 0, 0);
	__atomic_fetch_or(&dying->flags, 1UL << MMF_OOM_VICTIM, __ATOMIC_RELAXED);
	capture_begin();
	assert_int_equal(oom(GFP_KERNEL), 1);
	assert_string_equal(capture_end(), "");
	assert_int_equal(mm_oom_kill_count(), 0);
	assert_false(mm_task_oom_killed(other));

	__atomic_fetch_or(&dying->flags, 1UL << MMF_OOM_SKIP, __ATOMIC_RELAXED);
	assert_int_equal(oom_kill_one()->victim_pid, 501);
	fake_mm_free(dying);
	fake_mm_free(other);
	check_shutdown();
}

/* The OOM killer does not compensate for IO-less reclaim. */
static void test_nofs_kills_nobody(void **state)
{
	struct mm_struct *a;
	(void)state;

	boot_attach(BOOT);
	a = fake_mm(601, "a", 100, 0, 0, 0);
	assert_int_equal(oom(GFP_NOFS), 1);
	assert_int_equal(oom(GFP_NOIO), 1);
	assert_int_equal(mm_oom_kill_count(), 0);
	assert_false(mm_task_oom_killed(a));
	fake_mm_free(a);
	check_shutdown();
}

static unsigned long vmstat_oom_kill(void)
{
	char line[128];
	unsigned long n = ~0UL;
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(mm_proc_show("vmstat", f), 0);
	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "oom_kill %lu", &n) == 1)
			break;
	fclose(f);
	assert_true(n != ~0UL);
	return n;
}

/* The reports, in v4.19's words, the event counted, the victim marked. */
static void test_reports(void **state)
{
	struct mm_struct *a, *b;
	unsigned long score;
	char want[256];
	const char *out;
	(void)state;

	boot_attach(BOOT);
	a = fake_mm(701, "hog", 3000, 1000, 0, 0);
	b = fake_mm(702, "quiet", 10, 0, 0, -17);
	snprintf(current->comm, sizeof(current->comm), "oomtest");
	current->mm = b;
	assert_false(tsk_is_oom_victim());
	score = expect_badness(a, mm_oom_totalpages());
	capture_begin();
	assert_int_equal(oom(GFP_KERNEL), 1);
	out = capture_end();
	snprintf(want, sizeof(want), "oomtest invoked oom-killer: gfp_mask=%#x(GFP_KERNEL), "
		 "nodemask=(null), order=0, oom_score_adj=-17\n", GFP_KERNEL);
	if (strncmp(out, want, strlen(want)))
		fail_msg("expected the report to start with \"%s\":\n%s", want, out);
	assert_contains(out, "\nMem-Info:\n");
	assert_contains(out, "\nTasks state (memory values in pages):\n"
			"[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n");
	/* v4.19 dump_tasks(): "[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s\n" */
	snprintf(want, sizeof(want), "\n[    701]     0   701     1024     4000 %8ld        0"
		 "             0 hog\n", (long)mm_pgtables_bytes(a));
	assert_contains(out, want);
	snprintf(want, sizeof(want), "\nOut of memory: Kill process 701 (hog) score %lu or sacrifice child\n",
		 score);
	assert_contains(out, want);
	assert_contains(out, "\nKilled process 701 (hog) total-vm:4096kB, anon-rss:12000kB, "
			"file-rss:4000kB, shmem-rss:0kB\n");
	assert_contains(out, "\noom_reaper: reaped process 701 (hog), now anon-rss:");
	assert_int_equal(vmstat_oom_kill(), 1);
	assert_true(mm_task_oom_killed(a));
	assert_false(tsk_is_oom_victim());
	current->mm = a;
	assert_true(tsk_is_oom_victim());
	current->mm = NULL;
	fake_mm_free(a);
	fake_mm_free(b);
	check_shutdown();
}

/* out_of_memory() wants oom_lock: a caller without it is warned, refused. */
static void test_needs_oom_lock(void **state)
{
	struct oom_control oc = { .gfp_mask = GFP_KERNEL };
	unsigned long before;
	const char *out;
	(void)state;

	boot_attach(BOOT);
	before = report_count(REPORT_WARNING);
	capture_begin();
	assert_int_equal(out_of_memory(&oc), 0);
	out = capture_end();
	assert_contains(out, "out_of_memory() without oom_lock");
	assert_true(report_count(REPORT_WARNING) > before);
	assert_int_equal(mm_oom_kill_count(), 0);
	check_shutdown();
}

/* Write (or check) page idx of a real task: its own word in every slot. */
static void task_page(struct mm_struct *mm, unsigned long idx, int write)
{
	unsigned long *p;
	void *addr;

	assert_int_equal(mm_task_access(mm, idx, write, GFP_HIGHUSER_MOVABLE, &addr), 0);
	p = addr;
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i++) {
		unsigned long want = (unsigned long)mm->pid << 32 | idx << 9 | i;

		if (write)
			p[i] = want;
		else if (p[i] != want)
			fail_msg("task %d page %lu word %zu: %#lx, expected %#lx", mm->pid, idx, i,
				 p[i], want);
	}
	mm_task_release(mm, idx, addr);
}

/* A real task (memory.c) killed: its accesses fail with -EINTR, the
 * reaper gives its pages back at once, the other task keeps its data. */
static void test_real_task_killed_and_reaped(void **state)
{
	struct mm_struct *big, *small;
	struct mm_task_info info;
	long allocated;
	void *addr;
	(void)state;

	boot_attach(BOOT);
	big = mm_task_create("big", 512, 0);
	small = mm_task_create("small", 64, 10);
	assert_non_null(big);
	assert_non_null(small);
	for (unsigned long i = 0; i < 512; i++)
		task_page(big, i, 1);
	for (unsigned long i = 0; i < 64; i++)
		task_page(small, i, 1);
	mm_task_info(big, &info);
	assert_int_equal(info.anon_rss, 512);
	/* small's +10 * (totalpages / 1000) is less than big's 448 more pages */
	assert_true(10 * (mm_oom_totalpages() / 1000) < 448);
	allocated = allocated_pages();

	assert_int_equal(oom_kill_one()->victim_pid, big->pid);
	assert_int_equal(last_kill.nr_tasks, 2);
	assert_int_equal(last_kill.cand[0].anon_rss, 512);
	assert_true(mm_task_oom_killed(big));
	assert_false(mm_task_oom_killed(small));
	mm_task_info(big, &info);
	assert_int_equal(info.anon_rss, 0);
	assert_true(info.oom_killed);
	/* the reaper put every page: at least 512 fewer allocated */
	assert_true(allocated_pages() <= allocated - 512);
	assert_int_equal(mm_task_access(big, 3, 0, GFP_HIGHUSER_MOVABLE, &addr), -EINTR);
	for (unsigned long i = 0; i < 64; i++)
		task_page(small, i, 0);
	assert_mm_check_ok();
	mm_task_exit(big);
	mm_task_exit(small);
	check_shutdown();
}

/*
 * The oom job on a machine its tasks overfill: kills happen (a fixed
 * number of operations per CPU, each touching at least 8 pages, is far
 * more than RAM), every record agrees with the job's own badness, and
 * they are no violation: the run passes, the JSON counts them.
 */
static void test_oom_job(void **state)
{
	const char *json_path = tmp_json();
	json_t *j, *kills, *oom;
	struct result r;
	(void)state;

	r = run_mmstress("run", "--boot", "nodes=1 cpus=2 mem=64M", "--jobs", "oom", "--ops", "3000",
			 "--seed", "7", "--json", json_path, NULL);
	assert_clean_exit(&r, 0);
	j = load_json(json_path);
	assert_true(json_integer_value(member(member(j, "oom"), "tasks_created")) > 0);
	json_decref(j);
	assert_contains(r.err, " invoked oom-killer: gfp_mask=");
	assert_contains(r.err, "\nKilled process ");
	result_free(&r);
	j = load_json(json_path);
	assert_string_equal(json_string_value(member(j, "result")), "pass");
	kills = member(j, "oom_kills");
	assert_true(json_integer_value(member(kills, "count")) > 0);
	assert_true(json_array_size(member(kills, "recent")) > 0);
	oom = member(j, "oom");
	assert_true(json_integer_value(member(oom, "tasks_killed")) > 0);
	assert_true(json_integer_value(member(oom, "kill_records_checked")) > 0);
	json_decref(j);
}

int main(void)
{
#undef TEST
#define TEST(fn) cmocka_unit_test_teardown(fn, teardown_fakes)
	const struct CMUnitTest tests[] = {
		TEST(test_badness_formula),
		TEST(test_badness_adj),
		TEST(test_min_adj_never_chosen),
		TEST(test_victim_choice),
		TEST(test_dying_victim_stops_another_kill),
		TEST(test_nofs_kills_nobody),
		TEST(test_reports),
		TEST(test_needs_oom_lock),
		TEST(test_real_task_killed_and_reaped),
		CLI_TEST(test_oom_job),
	};

	if (find_mmstress()) {
		fprintf(stderr, "test_oom: no mmstress at %s\n", mmstress_path);
		return 1;
	}

	return cmocka_run_group_tests_name("oom", tests, NULL, NULL);
}
