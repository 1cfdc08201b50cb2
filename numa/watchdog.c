// SPDX-License-Identifier: MIT
/*
 * numa/watchdog.c - the soft lockup and hung task detectors.
 *
 * A host thread, "watchdog" (not a simulated CPU: it never attaches, takes
 * no lock of the machine and answers no IPI), runs from machine_boot() to
 * machine_shutdown() and looks at every CPU WATCHDOG_PERIOD_MS:
 *
 *   soft lockup	a CPU that has not passed a scheduling point (cond_resched(),
 *			a sleep, stop_machine()'s rendezvous, an IPI wait) for
 *			2 * watchdog_thresh seconds: "watchdog: BUG: soft lockup -
 *			CPU#c stuck for Ns! [comm:pid]" with its NMI backtrace, once
 *			per stuck stretch.  A CPU spinning for a spinlock passes no
 *			such point: it is a soft lockup too (after its own
 *			"spinlock lockup suspected").  Only a CPU whose thread
 *			is running (state R in /proc) is stuck: one blocked in
 *			the host kernel is asleep, as a kernel task in
 *			schedule() is not a soft lockup.
 *   hung task	a CPU that has slept in one uninterruptible wait with no
 *			timeout (a mutex, wait_for_completion(), synchronize_rcu(),
 *			an uninterruptible schedule()) for hung_task_timeout_secs:
 *			"INFO: task comm:pid blocked for more than N seconds." with
 *			its trace, once per sleep.  0 turns it off, as in the kernel.
 *
 * Who touches what:
 *   wd_cpu[c].touch	incremented by CPU c at each scheduling point; read
 *			by the watchdog.  A heuristic counter: nothing is
 *			published through it (relaxed).
 *   wd_cpu[c].sleep	incremented by CPU c when it starts an uninterruptible
 *			wait and again when it ends it: odd while it sleeps
 *			(relaxed, as touch).
 *   wd_cpu[c].pid	CPU c's thread, written at attach and detach (relaxed).
 *   wd_seen[c]		the watchdog thread's own: the counters as it last saw
 *			them, since when, and what it already reported.
 *   hung_timeout_s, soft_on, wd_stop
 *			any thread writes, the watchdog reads (relaxed).
 *
 * The reports carry the stuck CPU's trace (nmi.c); the watchdog's own
 * thread has no trace worth printing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "machine.h"
#include "printk.h"

#define WATCHDOG_PERIOD_MS	100

struct wd_cpu {
	unsigned long touch;
	unsigned long sleep;
	int pid;
} __attribute__((aligned(64)));

struct wd_seen {
	unsigned long touch, sleep;
	unsigned long long touch_since, sleep_since;	/* ns */
	int soft_reported, hung_reported;
};

static struct wd_cpu wd_cpu[NR_CPUS];
static struct wd_seen wd_seen[NR_CPUS];		/* the watchdog thread's */
static unsigned int hung_timeout_s = HUNG_TASK_TIMEOUT_DEFAULT;
static int soft_on = 1;			/* nosoftlockup: 0 */
static int wd_stop;
static pthread_t wd_thread;
static int wd_running;				/* boot and shutdown only */

void watchdog_touch(void)
{
	int cpu = current->cpu;

	if (cpu >= 0)
		WRITE_ONCE(wd_cpu[cpu].touch, wd_cpu[cpu].touch + 1);
}

void hung_sleep_begin(void)
{
	int cpu = current->cpu;

	if (cpu >= 0) {
		WRITE_ONCE(wd_cpu[cpu].touch, wd_cpu[cpu].touch + 1);
		WRITE_ONCE(wd_cpu[cpu].sleep, wd_cpu[cpu].sleep + 1);
	}
}

int cpu_task_sleeping(unsigned int cpu)
{
	return cpu < NR_CPUS && (READ_ONCE(wd_cpu[cpu].sleep) & 1);
}

void hung_sleep_end(void)
{
	int cpu = current->cpu;

	if (cpu >= 0) {
		WRITE_ONCE(wd_cpu[cpu].touch, wd_cpu[cpu].touch + 1);
		WRITE_ONCE(wd_cpu[cpu].sleep, wd_cpu[cpu].sleep + 1);
	}
}

void watchdog_cpu_attach(unsigned int cpu)
{
	WRITE_ONCE(wd_cpu[cpu].pid, current->pid);
	WRITE_ONCE(wd_cpu[cpu].touch, wd_cpu[cpu].touch + 1);
	/* a detach in the middle of a wait cannot happen; keep it even */
	if (READ_ONCE(wd_cpu[cpu].sleep) & 1)
		WRITE_ONCE(wd_cpu[cpu].sleep, wd_cpu[cpu].sleep + 1);
}

void watchdog_cpu_detach(unsigned int cpu)
{
	WRITE_ONCE(wd_cpu[cpu].pid, 0);
	WRITE_ONCE(wd_cpu[cpu].touch, wd_cpu[cpu].touch + 1);
}

void softlockup_set_enabled(int on)
{
	WRITE_ONCE(soft_on, on);
}

void hung_task_set_timeout(unsigned int secs)
{
	WRITE_ONCE(hung_timeout_s, secs);
}

unsigned int hung_task_get_timeout(void)
{
	return READ_ONCE(hung_timeout_s);
}

static void soft_lockup(unsigned int cpu, int pid, unsigned long long stuck_ns)
{
	struct nmi_trace t;

	nmi_cpu_backtrace(cpu, &t);		/* before the console is taken */
	report_begin(REPORT_BUG);
	printk("watchdog: BUG: soft lockup - CPU#%u stuck for %llus! [%s:%d]\n", cpu,
	       stuck_ns / 1000000000ULL, program_invocation_short_name, pid);
	printk("CPU#%u passed no scheduling point (cond_resched(), a sleep) for "
	       "2 * watchdog_thresh (%u s)\n", cpu, READ_ONCE(machine.watchdog_thresh));
	nmi_show(cpu, &t);
	report_end_no_trace(REPORT_BUG, TAINT_SOFTLOCKUP);
}

static void hung_task(unsigned int cpu, int pid, unsigned long long blocked_ns)
{
	struct nmi_trace t;

	nmi_cpu_backtrace(cpu, &t);
	report_begin(REPORT_BUG);
	printk("INFO: task %s:%d blocked for more than %u seconds.\n",
	       program_invocation_short_name, pid, READ_ONCE(hung_timeout_s));
	printk("      %s 4.19.0-mmsim #1\n", print_tainted());
	printk("\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n");
	printk("%-15.15s D    0 %5d on CPU#%u, asleep for %llu s\n",
	       program_invocation_short_name, pid, cpu, blocked_ns / 1000000000ULL);
	nmi_show(cpu, &t);
	report_end_no_trace(REPORT_BUG, -1);
}

static void watchdog_check(unsigned long long now)
{
	unsigned long long soft_ns = 2ULL * READ_ONCE(machine.watchdog_thresh) * 1000000000ULL;
	unsigned long long hung_ns = (unsigned long long)READ_ONCE(hung_timeout_s) * 1000000000ULL;

	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		struct wd_seen *s = &wd_seen[c];
		unsigned long touch = READ_ONCE(wd_cpu[c].touch);
		unsigned long sleep = READ_ONCE(wd_cpu[c].sleep);
		int pid = READ_ONCE(wd_cpu[c].pid);

		if (touch != s->touch || !pid) {
			s->touch = touch;
			s->touch_since = now;
			s->soft_reported = 0;
		} else if (READ_ONCE(soft_on) && !s->soft_reported &&
			   now - s->touch_since >= soft_ns &&
			   host_thread_running(pid)) {
			soft_lockup(c, pid, now - s->touch_since);
			s->soft_reported = 1;
		}
		if (sleep != s->sleep || !(sleep & 1) || !pid) {
			s->sleep = sleep;
			s->sleep_since = now;
			s->hung_reported = 0;
		} else if (hung_ns && !s->hung_reported && now - s->sleep_since >= hung_ns) {
			hung_task(c, pid, now - s->sleep_since);
			s->hung_reported = 1;
		}
	}
}

static void *watchdog_main(void *arg)
{
	struct timespec nap = { 0, WATCHDOG_PERIOD_MS * 1000000L };

	(void)arg;
	task_init_current();
	snprintf(current->comm, sizeof(current->comm), "watchdog");
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		memset(&wd_seen[c], 0, sizeof(wd_seen[c]));
		wd_seen[c].touch = READ_ONCE(wd_cpu[c].touch) - 1;	/* "moved" */
	}
	while (!READ_ONCE(wd_stop)) {
		nanosleep(&nap, NULL);
		watchdog_check(mm_clock_ns());
	}
	return NULL;
}

int watchdog_init(void)
{
	WRITE_ONCE(wd_stop, 0);
	if (pthread_create(&wd_thread, NULL, watchdog_main, NULL))
		return -EAGAIN;
	wd_running = 1;
	return 0;
}

void watchdog_exit(void)
{
	if (!wd_running)
		return;
	WRITE_ONCE(wd_stop, 1);
	pthread_join(wd_thread, NULL);
	wd_running = 0;
	WRITE_ONCE(hung_timeout_s, HUNG_TASK_TIMEOUT_DEFAULT);
	WRITE_ONCE(soft_on, 1);
}
