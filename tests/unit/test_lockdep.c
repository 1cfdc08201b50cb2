// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_lockdep.c - the lock validator provoked on purpose, in
 * the spirit of the kernel's lib/locking-selftest.c: each test makes
 * exactly its bug in test-only code, then checks the report's text, its
 * headline (what the harness classifies) and the report counts.
 *
 * A deadlock that would really hang (AA on one spinlock) is told to
 * lockdep with lock_acquire() on the lock's map, as spin_lock() does,
 * without taking the lock word a second time.  Nothing depends on timing:
 * an IPI's target is parked and answers it while it waits.
 */
#include "../testutil.h"

#include <errno.h>
#include <mmsim/lockdep.h>
#include "../../numa/ipi.h"
#include "../../numa/printk.h"

#define BOOT	"lockdep mem=64M nodes=1 cpus=2"

static char headline[256];	/* the last WARNING's (the hook's) */

static void hook(enum report_type type, const char *line)
{
	if (type == REPORT_WARNING)
		snprintf(headline, sizeof(headline), "%s", line ? line : "");
}

static void boot_ld(const char *cmdline)
{
	headline[0] = '\0';
	report_set_hook(hook);
	boot_attach(cmdline);
}

static void done(void)
{
	report_set_hook(NULL);
	check_shutdown();
}

#define CIRCULAR	"WARNING: possible circular locking dependency detected"
#define RECURSIVE	"WARNING: possible recursive locking detected"
#define INCONSISTENT	"WARNING: inconsistent lock state"

/* ------------------------------------------------------------------ */

static void test_aa(void **state)
{
	static spinlock_t a;
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&a);
	w = report_count(REPORT_WARNING);
	capture_begin();
	spin_lock(&a);
	/* what a second spin_lock(&a) tells lockdep before it would hang */
	lock_acquire(&a.dep_map, 0, 0, 0, 0);
	lock_release(&a.dep_map, 0);
	spin_unlock(&a);
	out = capture_end();
	EXPECT_EQ("AA", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, RECURSIVE);
	assert_contains(out, "====\n" RECURSIVE "\n");
	assert_contains(out, "is trying to acquire lock:");
	assert_contains(out, "(&a){+.+.}");
	assert_contains(out, "but task is already holding lock:");
	assert_contains(out, "  lock(&a);\n  lock(&a);\n");
	assert_contains(out, "*** DEADLOCK ***");
	assert_contains(out, "May be due to missing lock nesting notation");
	assert_contains(out, "1 lock held by ");
	assert_contains(out, "stack backtrace:");
	EXPECT_EQ("AA", lockdep_depth(), 0);
	done();
}

/* Two locks of one class (one init site): nesting them must be declared. */
static void test_nested_same_class(void **state)
{
	static spinlock_t x[2];
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	for (int i = 0; i < 2; i++)
		spin_lock_init(&x[i]);
	w = report_count(REPORT_WARNING);
	capture_begin();
	spin_lock(&x[0]);
	spin_lock_nested(&x[1], SINGLE_DEPTH_NESTING);	/* declared: silent */
	spin_unlock(&x[1]);
	spin_unlock(&x[0]);
	out = capture_end();
	EXPECT_EQ("declared", report_count(REPORT_WARNING), w);
	assert_string_equal(out, "");

	capture_begin();
	spin_lock(&x[1]);
	spin_lock(&x[0]);				/* not declared */
	spin_unlock(&x[0]);
	spin_unlock(&x[1]);
	out = capture_end();
	EXPECT_EQ("undeclared", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, RECURSIVE);
	assert_contains(out, "(&x[i]){+.+.}");
	done();
}

/* A recursive read of a read/write lock is allowed; a second write is not. */
static void test_recursive_read(void **state)
{
	static struct lock_class_key key;
	static struct lockdep_map rw = STATIC_LOCKDEP_MAP_INIT("test_rwlock", &key);
	unsigned long w;

	(void)state;
	boot_ld(BOOT);
	w = report_count(REPORT_WARNING);
	capture_begin();
	lock_acquire(&rw, 0, 0, 2, 0);
	lock_acquire(&rw, 0, 0, 2, 0);
	lock_release(&rw, 0);
	lock_release(&rw, 0);
	capture_end();
	EXPECT_EQ("read-recursion", report_count(REPORT_WARNING), w);
	done();
}

static void test_abba_spin(void **state)
{
	static spinlock_t a, b;
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&a);
	spin_lock_init(&b);
	w = report_count(REPORT_WARNING);
	capture_begin();
	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	EXPECT_EQ("AB", report_count(REPORT_WARNING), w);
	/* one thread, so nothing hangs: the check comes before the lock */
	spin_lock(&b);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	out = capture_end();
	EXPECT_EQ("ABBA", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, CIRCULAR);
	assert_contains(out, CIRCULAR "\n");
	assert_contains(out, "(&a){+.+.}, at: ");
	assert_contains(out, "but task is already holding lock:\n");
	assert_contains(out, "which lock already depends on the new lock.");
	assert_contains(out, "the existing dependency chain (in reverse order) is:");
	assert_contains(out, "-> #1 (&b){+.+.}:");
	assert_contains(out, "-> #0 (&a){+.+.}:");
	assert_contains(out, " Possible unsafe locking scenario:\n\n"
			     "       CPU0                    CPU1\n"
			     "       ----                    ----\n"
			     "  lock(&b);\n"
			     "                               lock(&a);\n"
			     "                               lock(&b);\n"
			     "  lock(&a);\n"
			     "\n *** DEADLOCK ***\n");
	assert_contains(out, "1 lock held by ");
	assert_contains(out, " #0: ");
	done();
}

static void test_abbcca(void **state)
{
	static spinlock_t a, b, c;
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&a);
	spin_lock_init(&b);
	spin_lock_init(&c);
	w = report_count(REPORT_WARNING);
	capture_begin();
	spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a);
	spin_lock(&b); spin_lock(&c); spin_unlock(&c); spin_unlock(&b);
	EXPECT_EQ("AB BC", report_count(REPORT_WARNING), w);
	spin_lock(&c); spin_lock(&a); spin_unlock(&a); spin_unlock(&c);
	out = capture_end();
	EXPECT_EQ("ABBCCA", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, CIRCULAR);
	assert_contains(out, "-> #2 (&c){+.+.}:");
	assert_contains(out, "-> #1 (&b){+.+.}:");
	assert_contains(out, "-> #0 (&a){+.+.}:");
	assert_contains(out, "Chain exists of:\n  &a --> &b --> &c\n");
	assert_contains(out, "  lock(&c);\n"
			     "                               lock(&b);\n"
			     "                               lock(&c);\n"
			     "  lock(&a);\n");
	done();
}

static void test_abba_mutex(void **state)
{
	static struct mutex a, b;
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	mutex_init(&a);
	mutex_init(&b);
	w = report_count(REPORT_WARNING);
	capture_begin();
	mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a);
	mutex_lock(&b); mutex_lock(&a); mutex_unlock(&a); mutex_unlock(&b);
	out = capture_end();
	EXPECT_EQ("ABBA mutex", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, CIRCULAR);
	assert_contains(out, "-> #1 (&b){+.+.}:");
	assert_contains(out, "  lock(&b);\n");
	done();
}

/*
 * Mixed: a mutex, then a spinlock under it (legal); then the mutex under
 * the spinlock, which is also a sleeping call with a spinlock held (the
 * BUG report lists it).  The mutex is free: nothing waits.
 */
static void test_abba_mixed(void **state)
{
	static struct mutex m;
	static spinlock_t s;
	unsigned long w, b;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	mutex_init(&m);
	spin_lock_init(&s);
	w = report_count(REPORT_WARNING);
	b = report_count(REPORT_BUG);
	capture_begin();
	mutex_lock(&m); spin_lock(&s); spin_unlock(&s); mutex_unlock(&m);
	spin_lock(&s); mutex_lock(&m); mutex_unlock(&m); spin_unlock(&s);
	out = capture_end();
	EXPECT_EQ("mixed", report_count(REPORT_WARNING), w + 1);
	EXPECT_EQ("mixed: sleeping under a spinlock", report_count(REPORT_BUG), b + 1);
	assert_contains(out, CIRCULAR);
	assert_contains(out, "(&m){+.+.}");
	assert_contains(out, "-> #1 (&s){+.+.}:");
	assert_contains(out, "BUG: sleeping function called from invalid context");
	assert_contains(out, "1 lock held by ");
	done();
}

/* A report is made once per class pair; another pair has its own. */
static void test_once_per_pair(void **state)
{
	static spinlock_t a, b, c;
	unsigned long w;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&a);
	spin_lock_init(&b);
	spin_lock_init(&c);
	w = report_count(REPORT_WARNING);
	capture_begin();
	spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a);
	spin_lock(&a); spin_lock(&c); spin_unlock(&c); spin_unlock(&a);
	for (int i = 0; i < 3; i++) {
		spin_lock(&b); spin_lock(&a); spin_unlock(&a); spin_unlock(&b);
	}
	EXPECT_EQ("b-a three times", report_count(REPORT_WARNING), w + 1);
	for (int i = 0; i < 3; i++) {
		spin_lock(&c); spin_lock(&a); spin_unlock(&a); spin_unlock(&c);
	}
	capture_end();
	EXPECT_EQ("c-a three times", report_count(REPORT_WARNING), w + 2);
	done();
}

/* ------------------------------------------------------------------ */
/* irq safety                                                          */

static spinlock_t irq_lock;

static void take_irq_lock(void *arg)
{
	(void)arg;
	spin_lock(&irq_lock);
	spin_unlock(&irq_lock);
}

/* In an IPI handler on CPU 1 (from CPU 0), then on CPU 1 with interrupts
 * on: an interrupt there could hang on the lock its CPU holds. */
static void test_hardirq_safety(void **state)
{
	struct park how = { .unpark = take_irq_lock };
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&irq_lock);
	park_cpu(1, how);
	w = report_count(REPORT_WARNING);
	capture_begin();
	assert_int_equal(smp_call_function_single(1, take_irq_lock, NULL), 0);
	EXPECT_EQ("in the IPI", report_count(REPORT_WARNING), w);
	unpark_cpu(1);			/* CPU 1 takes it, interrupts on */
	out = capture_end();
	EXPECT_EQ("IN-HARDIRQ then HARDIRQ-ON", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, INCONSISTENT);
	assert_contains(out, INCONSISTENT "\n");
	assert_contains(out, "inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.\n");
	assert_contains(out, "[HC0[0]:SC0[0]:HE1:SE1] takes:\n");
	assert_contains(out, "(&irq_lock){?.+.}");
	assert_contains(out, "{IN-HARDIRQ-W} state was registered at:\n");
	assert_contains(out, "  lock(&irq_lock);\n  <Interrupt>\n    lock(&irq_lock);\n");
	done();
}

/*
 * The other way round: interrupts on first, then in interrupt context.
 * The interrupt is made with irq_enter()/irq_exit() on this thread (a
 * report from a real IPI handler would print from a signal handler, which
 * TSan refuses: the console symbolizes with malloc()).
 */
static void test_hardirq_safety_reverse(void **state)
{
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&irq_lock);
	w = report_count(REPORT_WARNING);
	capture_begin();
	take_irq_lock(NULL);		/* interrupts on */
	irq_enter();
	take_irq_lock(NULL);		/* in interrupt context */
	irq_exit();
	out = capture_end();
	EXPECT_EQ("HARDIRQ-ON then IN-HARDIRQ", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, INCONSISTENT);
	assert_contains(out, "inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage.\n");
	assert_contains(out, "[HC1[1]:SC0[0]:HE0:SE0] takes:\n");
	done();
}

/* Irq-safe use: only ever with interrupts off outside the IPI: silent. */
static void take_irq_lock_irqsave(void *arg)
{
	unsigned long flags;

	(void)arg;
	spin_lock_irqsave(&irq_lock, flags);
	spin_unlock_irqrestore(&irq_lock, flags);
}

static void test_hardirq_safe_use_is_silent(void **state)
{
	unsigned long w;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&irq_lock);
	park_cpu(1, (struct park){ .park = take_irq_lock_irqsave,
				   .unpark = take_irq_lock_irqsave });
	w = report_count(REPORT_WARNING);
	capture_begin();
	assert_int_equal(smp_call_function_single(1, take_irq_lock, NULL), 0);
	unpark_cpu(1);
	capture_end();
	EXPECT_EQ("irq-safe", report_count(REPORT_WARNING), w);
	done();
}

static void test_softirq_safety(void **state)
{
	static spinlock_t s;
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&s);
	w = report_count(REPORT_WARNING);
	capture_begin();
	local_bh_disable();		/* softirq context, as an RCU callback's */
	spin_lock(&s);
	spin_unlock(&s);
	local_bh_enable();
	spin_lock(&s);			/* softirqs on */
	spin_unlock(&s);
	out = capture_end();
	EXPECT_EQ("softirq", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, INCONSISTENT);
	assert_contains(out, "inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage.\n");
	assert_contains(out, "  lock(&s);\n  <SoftIRQ>\n    lock(&s);\n");
	done();
}

/* ------------------------------------------------------------------ */

static void test_bad_unlock_balance(void **state)
{
	static spinlock_t a;
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&a);
	w = report_count(REPORT_WARNING);
	capture_begin();
	/* what spin_unlock(&a) tells lockdep, with &a not held */
	lock_release(&a.dep_map, 0);
	out = capture_end();
	EXPECT_EQ("bad unlock", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, "WARNING: bad unlock balance detected!");
	assert_contains(out, "is trying to release lock (&a) at:\n");
	assert_contains(out, "but there are no more locks to release!\n");
	assert_contains(out, "no locks held by ");
	done();
}

struct detach_arg {
	struct mutex *lock;
	unsigned long warnings;		/* WARNINGs after the detach */
};

/* Attach, take the lock, detach with it held, release it as a thread
 * (lockdep forgot it at the detach: the release is silent). */
static void *detach_holding(void *p)
{
	struct detach_arg *arg = p;

	if (mm_cpu_attach(1))
		return NULL;
	mutex_lock(arg->lock);
	mm_cpu_detach();
	mutex_unlock(arg->lock);
	arg->warnings = report_count(REPORT_WARNING);
	return NULL;
}

static void test_held_lock_at_detach(void **state)
{
	static struct mutex a;
	struct detach_arg arg = { .lock = &a };
	unsigned long w, b;
	pthread_t tid;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	mutex_init(&a);
	b = report_count(REPORT_BUG);
	w = report_count(REPORT_WARNING);
	capture_begin();
	assert_int_equal(pthread_create(&tid, NULL, detach_holding, &arg), 0);
	assert_int_equal(pthread_join(tid, NULL), 0);
	out = capture_end();
	EXPECT_EQ("detach", arg.warnings, w + 1);
	EXPECT_EQ("detach", report_count(REPORT_WARNING), w + 1);
	EXPECT_EQ("detach", report_count(REPORT_BUG), b);
	assert_string_equal(headline, "WARNING: lock held when returning to user space!");
	assert_contains(out, "is leaving CPU 1 (mm_cpu_detach()) with locks still held!\n");
	assert_contains(out, "1 lock held by ");
	assert_contains(out, "(&a){+.+.}");
	done();
}

static void test_synchronize_rcu_in_reader(void **state)
{
	unsigned long w, b;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	w = report_count(REPORT_WARNING);
	b = report_count(REPORT_BUG);
	capture_begin();
	rcu_read_lock();
	synchronize_rcu();		/* refused: it would never return */
	rcu_read_unlock();
	out = capture_end();
	/* lockdep's two (the call, and the sleep in it) and might_sleep()'s */
	EXPECT_EQ("rcu", report_count(REPORT_WARNING), w + 2);
	EXPECT_EQ("rcu", report_count(REPORT_BUG), b + 1);
	assert_contains(out, "WARNING: suspicious RCU usage\n");
	assert_contains(out, "Illegal synchronize_rcu() in RCU read-side critical section!\n");
	assert_contains(out, "Illegal context switch in RCU read-side critical section!\n");
	assert_contains(out, "(rcu_read_lock){....}");
	assert_contains(out, "BUG: sleeping function called from invalid context");
	EXPECT_EQ("rcu", lockdep_depth(), 0);
	done();
}

/*
 * The project's old AB-BA: zone->lock then the console (printing under a
 * zone lock), and the console then zone->lock (a report that reads the
 * zones).  Printing defers under a spinlock, so this test takes the
 * console's lock itself to make the first edge.
 */
static void test_console_lock_inversion(void **state)
{
	struct zone *zone;
	unsigned long w, flags;
	const char *out;

	(void)state;
	boot_ld(BOOT);
	zone = zone_of(0, ZONE_DMA);
	w = report_count(REPORT_WARNING);
	capture_begin();
	spin_lock_irqsave(&zone->lock, flags);
	console_lock();
	console_unlock();
	spin_unlock_irqrestore(&zone->lock, flags);
	EXPECT_EQ("zone then console", report_count(REPORT_WARNING), w);
	console_lock();
	spin_lock_irqsave(&zone->lock, flags);
	spin_unlock_irqrestore(&zone->lock, flags);
	console_unlock();
	out = capture_end();
	EXPECT_EQ("console then zone", report_count(REPORT_WARNING), w + 1);
	assert_string_equal(headline, CIRCULAR);
	assert_contains(out, "-> #1 (console_lock){....}:");
	assert_contains(out, "-> #0 (&zone->lock){");
	assert_contains(out, "  lock(console_lock);\n"
			     "                               lock(&zone->lock);\n");
	done();
}

static void test_lockdep_off_is_silent(void **state)
{
	static spinlock_t a, b;
	unsigned long w;
	const char *out;

	(void)state;
	boot_ld("lockdep=off mem=64M nodes=1 cpus=2");
	spin_lock_init(&a);
	spin_lock_init(&b);
	w = report_count(REPORT_WARNING);
	capture_begin();
	spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a);
	spin_lock(&b); spin_lock(&a);
	EXPECT_EQ("off", lockdep_depth(), 0);
	spin_unlock(&a); spin_unlock(&b);
	lock_release(&a.dep_map, 0);	/* a bad unlock, unseen */
	out = capture_end();
	EXPECT_EQ("off", report_count(REPORT_WARNING), w);
	assert_string_equal(out, "");
	done();
}

/* Each boot is a new kernel: an order seen before a reboot is forgotten. */
static void test_graph_reset_at_boot(void **state)
{
	static spinlock_t a, b;
	unsigned long w;

	(void)state;
	boot_ld(BOOT);
	spin_lock_init(&a);
	spin_lock_init(&b);
	spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a);
	done();
	boot_ld(BOOT);
	w = report_count(REPORT_WARNING);
	spin_lock(&b); spin_lock(&a); spin_unlock(&a); spin_unlock(&b);
	EXPECT_EQ("after reboot", report_count(REPORT_WARNING), w);
	done();
}

static void test_boot_param(void **state)
{
	const char *out;

	(void)state;
	printk_set_quiet(1);
	capture_begin();
	assert_int_equal(mm_boot("lockdep=maybe mem=64M nodes=1 cpus=1"), -EINVAL);
	out = capture_end();
	assert_contains(out, "mm_boot: bad value 'maybe' for 'lockdep'");
	assert_int_equal(mm_boot("lockdep=on mem=64M nodes=1 cpus=1"), 0);
	assert_true(lockdep_enabled());
	mm_shutdown();
	assert_int_equal(mm_boot("lockdep=off mem=64M nodes=1 cpus=1"), 0);
	assert_false(lockdep_enabled());
	mm_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_aa),
		TEST(test_nested_same_class),
		TEST(test_recursive_read),
		TEST(test_abba_spin),
		TEST(test_abbcca),
		TEST(test_abba_mutex),
		TEST(test_abba_mixed),
		TEST(test_once_per_pair),
		TEST(test_hardirq_safety),
		TEST(test_hardirq_safety_reverse),
		TEST(test_hardirq_safe_use_is_silent),
		TEST(test_softirq_safety),
		TEST(test_bad_unlock_balance),
		TEST(test_held_lock_at_detach),
		TEST(test_synchronize_rcu_in_reader),
		TEST(test_console_lock_inversion),
		TEST(test_lockdep_off_is_silent),
		TEST(test_graph_reset_at_boot),
		TEST(test_boot_param),
	};

	return cmocka_run_group_tests_name("lockdep", tests, NULL, NULL);
}
