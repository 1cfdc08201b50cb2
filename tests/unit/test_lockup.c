// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_lockup.c - the lockup detectors, each on exactly its bug,
 * made here in test-only code: a spinlock held too long, a spinlock taken
 * twice by its holder, unlocked when free or by another thread, a CPU that
 * spins without a scheduling point (soft lockup), one asleep for good
 * (hung task); their boot parameters and sysctls.  Nothing here depends on
 * timing: each test waits for its report (however long it takes), then
 * checks what it says and that it came once.
 */
#include <errno.h>

#include "../testutil.h"
#include "../../numa/spinlock.h"

static spinlock_t test_lock;

/* Reports of type BUG since `before`, waited for with safe points (the
 * waiting CPU must not look stuck itself). */
static void wait_bug_reports(unsigned long before, unsigned long n)
{
	double end = now_s() + LONG_WAIT_S;

	while (report_count(REPORT_BUG) < before + n) {
		if (now_s() > end)
			fail_msg("%lu BUG report(s) expected, %lu came", n,
				 report_count(REPORT_BUG) - before);
		if (current->cpu >= 0 && current->spin_depth == 0)
			cond_resched();
		nap_us(1000);
	}
}

/*
 * Run fn on CPU 1 until it has made n BUG reports, then release() it (on
 * this thread) and join it: the console's text meanwhile.  *before: the
 * count of BUG reports before.
 */
static const char *provoke(void (*fn)(struct cpu_job *), unsigned long n,
			   void (*release)(void), unsigned long *before)
{
	struct cpu_job job;

	*before = report_count(REPORT_BUG);
	capture_begin();
	cpu_job_start(&job, 1, fn, NULL);
	wait_bug_reports(*before, n);
	release();
	cpu_job_join(&job);
	return capture_end();
}

static noinline void holder_takes_the_lock(void)
{
	spin_lock(&test_lock);
}

static void holder_releases_the_lock(void)
{
	spin_unlock(&test_lock);
}

static void lock_waiter(struct cpu_job *job)
{
	(void)job;
	spin_lock(&test_lock);
	spin_unlock(&test_lock);
}

/* A lock held past spin_lockup_ms: the waiter names it, its holder, where
 * the holder took it, and shows the holder's trace; once per wait. */
static void test_spinlock_lockup(void **state)
{
	unsigned long before;
	const char *text;
	(void)state;

	boot_attach("cpus=2 spin_lockup_ms=100");
	spin_lock_init(&test_lock);
	holder_takes_the_lock();
	text = provoke(lock_waiter, 1, holder_releases_the_lock, &before);
	assert_contains(text, "BUG: spinlock lockup suspected on CPU#1, ");
	assert_contains(text, " lock: &test_lock, .owner: ");
	assert_contains(text, ".owner_cpu: 0");
	assert_contains(text, ".owner took it at holder_takes_the_lock+0x");
	assert_contains(text, "NMI backtrace for cpu 0");
	assert_contains(text, "lock_waiter+0x");		/* the waiter's own trace */
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 1);
	check_shutdown();
}

static int rescued;

static noinline void takes_it_twice(struct cpu_job *job)
{
	(void)job;
	spin_lock(&test_lock);
	spin_lock(&test_lock);		/* deadlocks: the test frees the word */
	set(&rescued, 1);
	spin_unlock(&test_lock);
	/* test-only: the two acquisitions hold one lock, released above */
	current->spin_depth--;
}

/* test-only rescue: free the lock word under the stuck waiter */
static void free_the_lock_word(void)
{
	__atomic_store_n(&test_lock.val, 0, __ATOMIC_RELEASE);
}

/* A CPU waiting for a lock it holds: "recursion" at once, then the lockup
 * that follows (this thread never released it). */
static void test_spinlock_recursion(void **state)
{
	unsigned long before;
	const char *text;
	(void)state;

	boot_attach("cpus=2 spin_lockup_ms=100");
	spin_lock_init(&test_lock);
	set(&rescued, 0);
	text = provoke(takes_it_twice, 2, free_the_lock_word, &before);
	assert_true(get(&rescued));
	assert_contains(text, "BUG: spinlock recursion on CPU#1, ");
	assert_contains(text, ".owner_cpu: 1");
	assert_contains(text, ".owner took it at takes_it_twice+0x");
	assert_contains(text, "BUG: spinlock lockup suspected on CPU#1, ");
	assert_contains(text, "the holder is this thread: it never released the lock");
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 2);
	assert_false(spin_is_locked(&test_lock));
	check_shutdown();
}

/* An unlock of a free lock: reported, and the lock still works. */
static void test_spinlock_already_unlocked(void **state)
{
	unsigned long before;
	const char *text;
	(void)state;

	boot_attach("cpus=1");
	spin_lock_init(&test_lock);
	before = report_count(REPORT_BUG);
	capture_begin();
	spin_unlock(&test_lock);
	text = capture_end();
	assert_contains(text, "BUG: spinlock already unlocked on CPU#0, ");
	assert_contains(text, "test_spinlock_already_unlocked+0x");
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 1);
	EXPECT_EQ("spin_depth", current->spin_depth, 0);
	spin_lock(&test_lock);
	assert_true(spin_is_locked(&test_lock));
	spin_unlock(&test_lock);
	assert_false(spin_is_locked(&test_lock));
	EXPECT_EQ("spin_depth", current->spin_depth, 0);
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 1);
	check_shutdown();
}

static void unlocks_the_others(struct cpu_job *job)
{
	(void)job;
	spin_unlock(&test_lock);
}

/* An unlock of another CPU's lock: reported and refused, the holder keeps
 * it and releases it as usual. */
static void test_spinlock_wrong_owner(void **state)
{
	struct cpu_job job;
	unsigned long before;
	const char *text;
	(void)state;

	boot_attach("cpus=2");
	spin_lock_init(&test_lock);
	spin_lock(&test_lock);
	before = report_count(REPORT_BUG);
	capture_begin();
	cpu_job_start(&job, 1, unlocks_the_others, NULL);
	cpu_job_join(&job);
	text = capture_end();
	assert_contains(text, "BUG: spinlock wrong owner on CPU#1, ");
	assert_contains(text, ".owner_cpu: 0");
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 1);
	assert_true(spin_is_locked(&test_lock));
	EXPECT_EQ("owner", READ_ONCE(test_lock.owner), current->pid);
	spin_unlock(&test_lock);
	assert_false(spin_is_locked(&test_lock));
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 1);
	check_shutdown();
}

static int release_spinner;

static noinline void spins_in_place(struct cpu_job *job)
{
	(void)job;
	while (!get(&release_spinner))
		cpu_relax();		/* interrupts on, no scheduling point */
}

static void release_the_spinner(void)
{
	set(&release_spinner, 1);
}

/* A CPU that passes no scheduling point for 2 * watchdog_thresh: one soft
 * lockup report, with its trace (a static function, by name). */
static void test_soft_lockup(void **state)
{
	unsigned long before;
	const char *text;
	(void)state;

	boot_attach("cpus=2 watchdog_thresh=1");
	set(&release_spinner, 0);
	text = provoke(spins_in_place, 1, release_the_spinner, &before);
	assert_contains(text, "watchdog: BUG: soft lockup - CPU#1 stuck for ");
	assert_contains(text, "NMI backtrace for cpu 1");
	assert_contains(text, "spins_in_place+0x");
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 1);
	check_shutdown();
}

static struct completion never_done;
static int woke;

static noinline void sleeps_for_good(struct cpu_job *job)
{
	(void)job;
	wait_for_completion(&never_done);	/* until the test completes it */
	set(&woke, 1);
}

static void wake_the_sleeper(void)
{
	complete(&never_done);
}

/* A CPU asleep in one uninterruptible wait for hung_task_timeout_secs:
 * reported once, with its trace. */
static void test_hung_task(void **state)
{
	unsigned long before;
	const char *text;
	(void)state;

	boot_attach("cpus=2 hung_task_timeout_secs=1");
	init_completion(&never_done);
	set(&woke, 0);
	text = provoke(sleeps_for_good, 1, wake_the_sleeper, &before);
	assert_contains(text, "INFO: task ");
	assert_contains(text, " blocked for more than 1 seconds.");
	assert_contains(text, "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.");
	assert_contains(text, "schedule_timeout+0x");
	assert_contains(text, "sleeps_for_good+0x");
	assert_true(get(&woke));
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 1);
	check_shutdown();
}

static wait_queue_head_t test_queue;

/* test-only: CPU 1 keeps the queue's lock word, as a wake-up that never
 * gave it back would */
static noinline void keeps_the_queue_lock(struct cpu_job *job)
{
	(void)job;
	__atomic_store_n(&test_queue.lock, 1, __ATOMIC_RELAXED);
	WRITE_ONCE(test_queue.owner, current->pid);
	WRITE_ONCE(test_queue.owner_cpu, current->cpu);
}

static void wakes_the_queue(struct cpu_job *job)
{
	(void)job;
	wake_up(&test_queue);
}

static void frees_the_queue_lock(void)
{
	WRITE_ONCE(test_queue.owner, 0);
	__atomic_store_n(&test_queue.lock, 0, __ATOMIC_RELEASE);
}

/* A wait queue's lock never given back: the waker reports it as a
 * spinlock's lockup, naming the queue and the CPU that kept it. */
static void test_wait_queue_lockup(void **state)
{
	struct cpu_job keeper;
	unsigned long before;
	const char *text;
	(void)state;

	boot_attach("cpus=3 spin_lockup_ms=100");
	init_waitqueue_head(&test_queue);
	cpu_job_start(&keeper, 2, keeps_the_queue_lock, NULL);
	cpu_job_join(&keeper);
	text = provoke(wakes_the_queue, 1, frees_the_queue_lock, &before);
	assert_contains(text, "BUG: spinlock lockup suspected on CPU#1, ");
	assert_contains(text, " lock: &test_queue, .owner: ");
	assert_contains(text, ".owner_cpu: 2");
	assert_contains(text, "the holder is no longer a CPU");
	assert_contains(text, "__wake_up+0x");
	EXPECT_EQ("reports", report_count(REPORT_BUG), before + 1);
	check_shutdown();
}

/* The detectors' boot parameters and sysctls: bad values are refused with
 * a message, good ones read back. */
/*
 * A waiter that the host did not run for longer than LOCKUP_STALL_NS (the
 * whole process stalled, as on a loaded CI machine) does not count that
 * gap as waiting: right after it, nothing has been waited for.
 */
static void test_lockup_clock_discounts_stalls(void **state)
{
	struct lockup_clock c;
	struct timespec gap = { 0, (long)(LOCKUP_STALL_NS + 50 * 1000 * 1000) };
	(void)state;
	lockup_clock_start(&c);
	nanosleep(&gap, NULL);
	assert_int_equal(lockup_clock_waited(&c), 0);
}

static void test_lockup_parameters(void **state)
{
	static const char *const bad[] = {
		"spin_lockup_ms=abc", "spin_lockup_ms=3600001", "spin_lockup_ms",
		"hung_task_timeout_secs=-1", "hung_task_timeout_secs=86401",
		"hung_task_timeout_secs=",
	};
	char buf[32];
	(void)state;

	printk_set_quiet(1);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *text;

		capture_begin();
		EXPECT_EQ(bad[i], mm_boot(bad[i]), -EINVAL);
		text = capture_end();
		assert_contains(text, "mm_boot: bad value");
	}
	boot_attach("cpus=1 hung_task_timeout_secs=7 watchdog_thresh=3");
	assert_int_equal(mm_sysctl_read("kernel.hung_task_timeout_secs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7\n");
	assert_int_equal(mm_sysctl_write("kernel.hung_task_timeout_secs", "0"), 0);
	assert_int_equal(mm_sysctl_read("kernel.hung_task_timeout_secs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0\n");
	assert_int_equal(mm_sysctl_read("kernel.watchdog_thresh", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3\n");
	assert_int_equal(mm_sysctl_write("kernel.watchdog_thresh", "0"), -EINVAL);
	assert_int_equal(mm_sysctl_write("kernel.hung_task_timeout_secs", "x"), -EINVAL);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_spinlock_lockup),
		TEST(test_spinlock_recursion),
		TEST(test_spinlock_already_unlocked),
		TEST(test_spinlock_wrong_owner),
		TEST(test_soft_lockup),
		TEST(test_hung_task),
		TEST(test_wait_queue_lockup),
		TEST(test_lockup_parameters),
		TEST(test_lockup_clock_discounts_stalls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
