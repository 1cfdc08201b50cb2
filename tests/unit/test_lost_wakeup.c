// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_lost_wakeup.c - the lost wake-up detector: struct
 * wake_seq, woken_wake_function() and finish_wait_missed() on a bare wait
 * queue (numa/wait.c), and mempool_alloc()'s check on top of them
 * (mm/mempool.c).
 *
 * The queue-level cases run on one CPU, each order of the race written out
 * by hand: a refill that never wakes (missed), one whose wake_up() reaches
 * a sleeper that has just timed out (woken: silent), one whose wake_up()
 * comes after the sleeper left (silent), one made before the sleeper
 * queued itself (silent).
 *
 * The pool cases: CPU 1 sleeps in mempool_alloc(GFP_KERNEL) on an empty
 * pool whose backing allocator fails; CPU 0 gives an element back.
 *   - through the pool's internals, as a mempool_free() without its
 *     wake_up() would (test-only code: the element added under pool->lock,
 *     its ticket published): the sleep times out, one "BUG: lost wake-up"
 *     with the numbers, stats.lost_wakeups 1;
 *   - with mempool_free(): woken, silent;
 *   - through the internals, with the wake-up published only once the
 *     sleeper has left the queue (its timeout won the race): silent.
 * 5*HZ is 0.5 s (hz_scale=10).  Nothing is asserted on timing: if CPU 0's
 * element lands between two sleeps (the sleeper then takes it without
 * sleeping on it), the first case tries again.
 */
#include "../testutil.h"

#define BOOT_2CPUS	"mem=64M nodes=1 cpus=2 hz_scale=10"
#define TRIES		5

/* ------------------------------------------------------------------ */
/* The queue-level protocol, on one CPU                                */

static DECLARE_WAIT_QUEUE_HEAD(lw_wq);

/* Queued, task state set, since noted: as a sleeper before it sleeps. */
static unsigned long lw_queue(struct wait_queue_entry *w, struct wake_seq *ws)
{
	init_wait(w);
	w->func = woken_wake_function;
	prepare_to_wait(&lw_wq, w, TASK_UNINTERRUPTIBLE);
	return wake_seq_read(ws);
}

static void test_wake_seq_orders(void **state)
{
	struct wait_queue_entry w;
	struct wake_seq ws = { 0, 0 };
	unsigned long since, t1, t2;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");

	/* two refills, no wake_up(): the timeout finds both missed */
	since = lw_queue(&w, &ws);
	t1 = wake_seq_made(&ws);
	t2 = wake_seq_made(&ws);
	wake_seq_done(&ws, t2);
	wake_seq_done(&ws, t1);			/* out of order: done stays t2 */
	__set_current_state(TASK_RUNNING);	/* what a timeout does */
	assert_int_equal(finish_wait_missed(&lw_wq, &w, &ws, since), 2);
	assert_false(waitqueue_active(&lw_wq));

	/* the wake-up reaches the entry just after the timeout: woken */
	since = lw_queue(&w, &ws);
	t1 = wake_seq_made(&ws);
	__set_current_state(TASK_RUNNING);
	wake_up(&lw_wq);
	wake_seq_done(&ws, t1);
	assert_true(w.flags & WQ_FLAG_WOKEN);
	assert_true(waitqueue_active(&lw_wq));	/* a running task is not removed */
	assert_int_equal(finish_wait_missed(&lw_wq, &w, &ws, since), 0);
	assert_false(waitqueue_active(&lw_wq));

	/* a sleeping task is woken and taken off the queue */
	since = lw_queue(&w, &ws);
	t1 = wake_seq_made(&ws);
	wake_up(&lw_wq);
	wake_seq_done(&ws, t1);
	assert_int_equal(READ_ONCE(__mm_task_state), TASK_RUNNING);
	assert_false(waitqueue_active(&lw_wq));
	assert_int_equal(finish_wait_missed(&lw_wq, &w, &ws, since), 0);

	/* the wake-up comes after the sleeper left: not counted */
	since = lw_queue(&w, &ws);
	t1 = wake_seq_made(&ws);
	__set_current_state(TASK_RUNNING);
	assert_int_equal(finish_wait_missed(&lw_wq, &w, &ws, since), 0);
	wake_up(&lw_wq);
	wake_seq_done(&ws, t1);

	/* a refill made before the sleeper queued itself, woken after */
	t1 = wake_seq_made(&ws);
	since = lw_queue(&w, &ws);
	wake_seq_done(&ws, t1);
	__set_current_state(TASK_RUNNING);
	assert_int_equal(finish_wait_missed(&lw_wq, &w, &ws, since), 0);

	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* A pool whose backing allocator fails on demand                      */

#define NTOK	8

static struct {
	int fail;			/* atomic */
	int live[NTOK];			/* atomic: handed out */
} bk;

static void *bk_alloc(gfp_t gfp_mask, void *pool_data)
{
	(void)gfp_mask;
	(void)pool_data;
	if (__atomic_load_n(&bk.fail, __ATOMIC_RELAXED))
		return NULL;
	for (int i = 0; i < NTOK; i++)
		if (!__atomic_exchange_n(&bk.live[i], 1, __ATOMIC_RELAXED))
			return &bk.live[i];
	return NULL;
}

static void bk_free(void *element, void *pool_data)
{
	(void)pool_data;
	__atomic_store_n((int *)element, 0, __ATOMIC_RELAXED);
}

/* A pool of one, emptied by CPU 0: e0 is its element. */
static mempool_t *empty_pool(void **e0)
{
	mempool_t *pool;

	memset(&bk, 0, sizeof(bk));
	pool = mempool_create(1, bk_alloc, bk_free, NULL);
	assert_non_null(pool);
	__atomic_store_n(&bk.fail, 1, __ATOMIC_RELAXED);
	*e0 = mempool_alloc(pool, GFP_KERNEL);
	assert_non_null(*e0);
	assert_int_equal(pool->curr_nr, 0);
	return pool;
}

struct sleeper {
	mempool_t *pool;
	void *element;
};

static void sleeper_fn(struct cpu_job *job)
{
	struct sleeper *s = job->arg;

	s->element = mempool_alloc(s->pool, GFP_KERNEL);
}

/* CPU 1 is asleep on the pool (or 0 after LONG_WAIT_S). */
static int sleeping(mempool_t *pool, unsigned long waits)
{
	double end = now_s() + LONG_WAIT_S;

	while (mempool_stats_of(pool).waits <= waits || !waitqueue_active(&pool->wait)) {
		if (now_s() > end)
			return 0;
		nap_us(200);
	}
	return 1;
}

/* mempool_free()'s refill without its wake_up(), in the pool's terms:
 * the ticket and the element under pool->lock; the ticket published by
 * the caller (at once: the bug; late: a wake-up that lost the race). */
static unsigned long refill_unwoken(mempool_t *pool, void *element)
{
	unsigned long flags, ticket;

	__atomic_fetch_sub(&pool->stats.outstanding, 1, __ATOMIC_RELAXED);
	spin_lock_irqsave(&pool->lock, flags);
	ticket = wake_seq_made(&pool->refills);
	pool->elements[pool->curr_nr] = element;
	WRITE_ONCE(pool->curr_nr, pool->curr_nr + 1);
	spin_unlock_irqrestore(&pool->lock, flags);
	__atomic_fetch_add(&pool->stats.frees_to_pool, 1, __ATOMIC_RELAXED);
	return ticket;
}

/* Let a stuck sleeper go before failing. */
static void rescue(mempool_t *pool, struct cpu_job *job)
{
	__atomic_store_n(&bk.fail, 0, __ATOMIC_RELAXED);
	wake_up_all(&pool->wait);
	pthread_join(job->tid, NULL);
}

static void end_pool(mempool_t *pool, void *element)
{
	mempool_free(element, pool);
	assert_int_equal(pool->curr_nr, 1);
	assert_int_equal(mempool_stats_of(pool).outstanding, 0);
	mempool_destroy(pool);
	check_shutdown();
}

/* ------------------------------------------------------------------ */
/* The pool cases                                                      */

static void test_mempool_lost_wakeup_reported(void **state)
{
	char head[160];
	unsigned long bugs0, slept = 0, missed = 0, waits;
	struct mempool_stats s;
	struct sleeper sl;
	struct cpu_job job;
	const char *out = "", *p;
	mempool_t *pool = NULL;
	void *e0 = NULL;
	int try;
	(void)state;

	boot_attach(BOOT_2CPUS);
	for (try = 0; try < TRIES; try++) {
		pool = empty_pool(&e0);
		sl = (struct sleeper){ .pool = pool };
		bugs0 = report_count(REPORT_BUG);
		capture_begin();
		cpu_job_start(&job, 1, sleeper_fn, &sl);
		if (!sleeping(pool, 0)) {
			capture_end();
			rescue(pool, &job);
			fail_msg("the GFP_KERNEL caller never slept on pool->wait");
		}
		wake_seq_done(&pool->refills, refill_unwoken(pool, e0));
		cpu_job_join(&job);
		out = capture_end();
		s = mempool_stats_of(pool);
		assert_ptr_equal(sl.element, e0);	/* taken after the timeout */
		if (s.lost_wakeups)
			break;
		/* the element came between two sleeps: no report, again */
		assert_int_equal(report_count(REPORT_BUG), bugs0);
		assert_string_equal(out, "");
		mempool_free(sl.element, pool);
		mempool_destroy(pool);
	}
	if (try == TRIES)
		fail_msg("in %d tries the element never came during a sleep", TRIES);

	assert_int_equal(s.lost_wakeups, 1);
	assert_int_equal(s.wakeups, 0);
	assert_true(s.timeouts >= 1);
	assert_int_equal(s.waits, s.timeouts);
	assert_int_equal(report_count(REPORT_BUG) - bugs0, 1);
	snprintf(head, sizeof(head), "BUG: lost wake-up: mempool %p (min_nr 1) waiter on CPU#1 slept ",
		 (void *)pool);
	p = strstr(out, head);
	if (!p)
		fail_msg("expected \"%s\" in:\n%s", head, out);
	assert_int_equal(sscanf(p + strlen(head), "%lu jiffies while %lu element", &slept, &missed), 2);
	assert_true(slept >= 5 * HZ);
	assert_int_equal(missed, 1);
	assert_contains(p, "jiffies while 1 element went back to its reserve; nobody woke it\n");
	assert_null(strstr(p + 1, "BUG: lost wake-up"));	/* once */
	waits = s.waits;
	snprintf(head, sizeof(head), "Mempool %p curr_nr ", (void *)pool);
	assert_contains(out, head);
	snprintf(head, sizeof(head), "waits %lu, wake-ups 0, timeouts %lu, lost wake-ups 1\n",
		 waits, waits);
	assert_contains(out, head);
	end_pool(pool, sl.element);
}

static void test_mempool_woken_is_silent(void **state)
{
	struct mempool_stats s;
	struct sleeper sl;
	struct cpu_job job;
	const char *out;
	unsigned long bugs0;
	mempool_t *pool;
	void *e0;
	(void)state;

	boot_attach(BOOT_2CPUS);
	pool = empty_pool(&e0);
	sl = (struct sleeper){ .pool = pool };
	bugs0 = report_count(REPORT_BUG);
	capture_begin();
	cpu_job_start(&job, 1, sleeper_fn, &sl);
	if (!sleeping(pool, 0)) {
		capture_end();
		rescue(pool, &job);
		fail_msg("the GFP_KERNEL caller never slept on pool->wait");
	}
	mempool_free(e0, pool);
	cpu_job_join(&job);
	out = capture_end();
	assert_ptr_equal(sl.element, e0);
	assert_string_equal(out, "");
	assert_int_equal(report_count(REPORT_BUG), bugs0);
	s = mempool_stats_of(pool);
	assert_int_equal(s.lost_wakeups, 0);
	assert_true(s.wakeups >= 1 || s.timeouts >= 1);	/* woken, or it timed out first */
	end_pool(pool, sl.element);
}

/* The refill's wake-up loses the race with the timeout: it is published
 * only once the sleeper has left the queue. */
static void test_mempool_late_wakeup_is_silent(void **state)
{
	unsigned long ticket, bugs0;
	struct mempool_stats s;
	struct sleeper sl;
	struct cpu_job job;
	const char *out;
	mempool_t *pool;
	double end;
	void *e0;
	(void)state;

	boot_attach(BOOT_2CPUS);
	pool = empty_pool(&e0);
	sl = (struct sleeper){ .pool = pool };
	bugs0 = report_count(REPORT_BUG);
	capture_begin();
	cpu_job_start(&job, 1, sleeper_fn, &sl);
	if (!sleeping(pool, 0)) {
		capture_end();
		rescue(pool, &job);
		fail_msg("the GFP_KERNEL caller never slept on pool->wait");
	}
	ticket = refill_unwoken(pool, e0);
	end = now_s() + LONG_WAIT_S;
	while (!get(&job.done) && now_s() < end)
		nap_us(200);
	wake_up(&pool->wait);
	wake_seq_done(&pool->refills, ticket);
	if (!get(&job.done)) {
		capture_end();
		rescue(pool, &job);
		fail_msg("the sleeper never took the element after its timeout");
	}
	cpu_job_join(&job);
	out = capture_end();
	assert_ptr_equal(sl.element, e0);
	assert_string_equal(out, "");
	assert_int_equal(report_count(REPORT_BUG), bugs0);
	s = mempool_stats_of(pool);
	assert_int_equal(s.lost_wakeups, 0);
	assert_int_equal(s.wakeups, 0);
	end_pool(pool, sl.element);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_wake_seq_orders),
		TEST(test_mempool_lost_wakeup_reported),
		TEST(test_mempool_woken_is_silent),
		TEST(test_mempool_late_wakeup_is_silent),
	};

	return cmocka_run_group_tests_name("lost_wakeup", tests, NULL, NULL);
}
