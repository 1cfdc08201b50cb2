// SPDX-License-Identifier: MIT
/*
 * numa/spinlock.c - the out-of-line side of spinlock_t (mmsim/spinlock.h):
 * the contended path (spin, then sleep on the lock word with futex(2)),
 * the statistics readers, and the lock's own bug reports, in every build:
 *
 *   recursion		a thread waits for a lock it holds itself;
 *   lockup		a thread has waited spin_lockup_ms for one (about a
 *			second; longer in the sanitizer builds): the report
 *			names the lock, the holder's CPU and thread, where it
 *			took the lock, and the holder's call trace (an NMI
 *			backtrace); the waiter goes on waiting;
 *   already unlocked / wrong owner
 *			an unlock by a thread that does not hold the lock:
 *			refused, so that the holder keeps it.
 *
 * The waiter may hold other spinlocks, and its report is the evidence of
 * a hang: it is printed at once (report_begin_urgent()), not deferred to
 * a last spin_unlock() that may never come.  That is safe because nothing
 * takes a spinlock while it holds the console lock.
 *
 *   spin_lockup_ns	set by machine_boot() from the boot line, back to its
 *			default at shutdown; read by any waiter (relaxed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "machine.h"
#include "spinlock.h"

#define SPIN_TRIES	64
/* A contended waiter sleeps on the lock word in slices this long, so that
 * it notices when it has waited too long. */
#define SPIN_SLICE_NS	(50ULL * 1000 * 1000)

static unsigned long long spin_lockup_ns = SPIN_LOCKUP_MS_DEFAULT * 1000000ULL;

void spin_lockup_set_ms(unsigned int ms)
{
	WRITE_ONCE(spin_lockup_ns, (unsigned long long)ms * 1000000ULL);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void __spin_lock_init(spinlock_t *lock, const char *name, const char *class_name,
		      struct lock_class_key *key)
{
	memset(lock, 0, sizeof(*lock));
	lock->name = name;
	lockdep_init_map(&lock->dep_map, class_name, key, 0);
}

int __spin_owner_pid(void)
{
	task_init_current();
	return current->pid;
}

/* " lock: NAME, .owner: COMM/PID, .owner_cpu: C" and where it was taken. */
static void spin_dump(const char *name, int owner, int owner_cpu, const void *ip)
{
	char where[128];

	printk(" lock: %s, .owner: %s/%d, .owner_cpu: %d\n", name,
	       owner ? program_invocation_short_name : "<none>", owner, owner_cpu);
	if (owner && ip && !symbolize(ip, where, sizeof(where)))
		printk(" .owner took it at %s\n", where);
	else if (owner && ip)
		printk(" .owner took it at %p\n", ip);
}

static noinline void spin_bug(spinlock_t *lock, const char *msg)
{
	int owner = READ_ONCE(lock->owner);
	int owner_cpu = READ_ONCE(lock->owner_cpu);
	const void *ip = READ_ONCE(lock->owner_ip);

	task_init_current();
	report_begin_urgent(REPORT_BUG);
	printk("BUG: spinlock %s on CPU#%d, %s/%d\n", msg, current->cpu,
	       current->comm, current->pid);
	spin_dump(lock->name, owner, owner_cpu, ip);
	report_end_urgent(REPORT_BUG, -1);
}

/*
 * The lockup report of a lock word (a spinlock_t's, or a wait queue's):
 * its name, its holder (pid, CPU, and where it took the lock if known),
 * how long the caller waited, and the holder's trace.
 */
noinline void lock_word_lockup(const char *name, int owner, int owner_cpu,
			       const void *ip, unsigned long long waited)
{
	struct nmi_trace trace;
	int other = owner && owner != current->pid && owner_cpu >= 0 &&
		    (unsigned int)owner_cpu < nr_cpu_ids;

	task_init_current();
	/* the holder's trace, if it is another CPU that still runs */
	if (other)
		nmi_cpu_backtrace((unsigned int)owner_cpu, &trace);
	if (other && trace.tid != owner)
		other = 0;		/* that CPU is another thread now */
	report_begin_urgent(REPORT_BUG);
	printk("BUG: spinlock lockup suspected on CPU#%d, %s/%d\n", current->cpu,
	       current->comm, current->pid);
	spin_dump(name, owner, owner_cpu, ip);
	printk(" waited %llu ms (spin_lockup_ms=%llu)\n", waited / 1000000ULL,
	       READ_ONCE(spin_lockup_ns) / 1000000ULL);
	if (owner == current->pid)
		printk(" the holder is this thread: it never released the lock\n");
	else if (other)
		nmi_show((unsigned int)owner_cpu, &trace);
	else if (owner)
		printk(" the holder is no longer a CPU: it left without releasing the lock\n");
	report_end_urgent(REPORT_BUG, TAINT_SOFTLOCKUP);
}

unsigned long long lock_word_lockup_ns(void)
{
	return READ_ONCE(spin_lockup_ns);
}

void lockup_clock_start(struct lockup_clock *c)
{
	c->start = c->last = now_ns();
}

unsigned long long lockup_clock_waited(struct lockup_clock *c)
{
	unsigned long long now = now_ns();

	if (now - c->last > LOCKUP_STALL_NS)
		c->start += now - c->last;	/* not run meanwhile: not counted */
	c->last = now;
	return now - c->start;
}

void __spin_lock_contended(spinlock_t *lock, const void *ip)
{
	unsigned long long t0 = now_ns(), waited, bound = READ_ONCE(spin_lockup_ns);
	struct timespec slice = { 0, (long)SPIN_SLICE_NS };
	struct lockup_clock clock;
	int old, reported = 0;

	task_init_current();
	if (unlikely(READ_ONCE(lock->owner) == current->pid))
		spin_bug(lock, "recursion");
	for (int i = 0; i < SPIN_TRIES; i++) {
		old = 0;
		/* Acquire: pairs with the release in spin_unlock(). */
		if (READ_ONCE(lock->val) == 0 &&
		    __atomic_compare_exchange_n(&lock->val, &old, 1, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			goto locked;
		cpu_relax();
	}
	/*
	 * Mark the lock "held, maybe sleepers" and sleep until it is free.
	 * Winning with the exchange leaves the word at 2, so the next unlock
	 * makes one spurious wake-up call: harmless, and it cannot lose one.
	 * Acquire: pairs with the release in spin_unlock().
	 */
	lockup_clock_start(&clock);
	while (__atomic_exchange_n(&lock->val, 2, __ATOMIC_ACQUIRE) != 0) {
		syscall(SYS_futex, &lock->val, FUTEX_WAIT_PRIVATE, 2, &slice, NULL, 0);
		if (!reported && bound && (waited = lockup_clock_waited(&clock)) >= bound) {
			lock_word_lockup(lock->name, READ_ONCE(lock->owner),
					 READ_ONCE(lock->owner_cpu), READ_ONCE(lock->owner_ip),
					 waited);
			reported = 1;
		}
	}
locked:
	__spin_acquired(lock, ip);
	waited = now_ns() - t0;
	WRITE_ONCE(lock->stats.contended, lock->stats.contended + 1);
	WRITE_ONCE(lock->stats.wait_ns, lock->stats.wait_ns + waited);
	if (waited > lock->stats.wait_max_ns)
		WRITE_ONCE(lock->stats.wait_max_ns, waited);
}

/*
 * An unlock the caller had no right to make.  was: what the unlock found
 * in the lock word, or -1 if it stopped at the owner check.  A free lock
 * stays free; another thread's stays its own.
 */
void __spin_bad_unlock(spinlock_t *lock, int was)
{
	if (was == 0) {
		/* the caller's unlock has written 0 over 0: nothing to undo
		 * but the count of locks it holds, which it did not */
		current->spin_depth++;
		spin_bug(lock, "already unlocked");
		return;
	}
	spin_bug(lock, READ_ONCE(lock->val) ? "wrong owner" : "already unlocked");
}

void __spin_unlock_wake(spinlock_t *lock)
{
	syscall(SYS_futex, &lock->val, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void spin_lock_stats_read(spinlock_t *lock, struct lock_stats *out)
{
	out->acquisitions = READ_ONCE(lock->stats.acquisitions);
	out->contended = READ_ONCE(lock->stats.contended);
	out->wait_ns = READ_ONCE(lock->stats.wait_ns);
	out->wait_max_ns = READ_ONCE(lock->stats.wait_max_ns);
}

/*
 * With interrupts off: the lock may be irq-safe (an IPI on this CPU may
 * take it), and the caller need not know.
 */
void spin_lock_stats_reset(spinlock_t *lock)
{
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	WRITE_ONCE(lock->stats.acquisitions, 0);
	WRITE_ONCE(lock->stats.contended, 0);
	WRITE_ONCE(lock->stats.wait_ns, 0);
	WRITE_ONCE(lock->stats.wait_max_ns, 0);
	spin_unlock_irqrestore(lock, flags);
}

/* Debug builds: an irq-safe lock taken with interrupts on. */
void __spin_debug_acquired(spinlock_t *lock)
{
	/* An IPI on this CPU could take it too: interrupts must be off. */
	WARN(lock->irqsafe && current->cpu >= 0 && !irqs_disabled(),
	     "%s taken with interrupts enabled\n", lock->name);
}
