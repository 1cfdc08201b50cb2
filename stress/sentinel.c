// SPDX-License-Identifier: MIT
/*
 * stress/sentinel.c - the run's last resort: a host thread, from before
 * the machine boots until the report is written, that ends a run which
 * cannot end by itself.
 *
 * The monitor (run.c) bounds the run proper: its watchdog and its hard
 * deadline.  But the main thread is itself the one at work while the
 * machine boots and the jobs are set up (on CPU 0), and again when the
 * run is finished (the items in transit, the jobs' teardown, the final
 * check): a lost spin_unlock() there used to hang the process silently.
 * So the sentinel ends the run, with exit status 1, a short report (the
 * violations, what each CPU did last, the replay line) and the JSON:
 *
 *   - at once when the machine reports a lockup (a spinlock waited for too
 *     long, a soft lockup, a hung task, a CPU that does not answer IPIs):
 *     the kernel's softlockup_panic / hung_task_panic.  A CPU stuck on a
 *     lock would keep the run from ever ending, and the report that names
 *     the lock and its holder is already printed.
 *   - when set-up or the end of the run has lasted longer than its bound,
 *     GRACE_SECONDS + 2 * --watchdog, whoever is stuck.
 *   - when the process is about to die of a fatal signal (SIGSEGV, SIGBUS,
 *     SIGILL, SIGFPE, SIGABRT): a release run that crashes on corrupt
 *     lists would otherwise lose its report.  The handler is installed
 *     before the machine boots, so the machine's own (numa/fault.c: the
 *     oops) runs first and chains to it; it writes the short report, gives
 *     the signal its former disposition (the default action, or a
 *     sanitizer's) and returns: the faulting access is made again and the
 *     process dies of it (a sent signal is raised again).  It runs on the
 *     crashing thread, in its signal handler: it reads the run's records
 *     (the lock of the violations only with a trylock) and stdio, which
 *     the crashing code does not hold (see numa/fault.c).
 *
 * The short report reads nothing that needs a lock of the machine (the
 * stuck thread may hold it): only the run's own records.
 *
 * Who touches what:
 *   sentinel.phase, .phase_start_ns	written by the main thread, the start
 *			first (relaxed), then the phase (release); the sentinel
 *			reads the phase (acquire), then its start.  A late read
 *			only delays the end.
 *   sentinel.fatal	set by the report hook on any thread (release), read
 *			by the sentinel (acquire): the violation it recorded
 *			is seen with it.
 *   sentinel.owner	who writes the final report: the main thread or the
 *			sentinel (or a crashing thread) claims it with one
 *			exchange; the loser writes nothing.
 *   crash_old[], crash_armed	sentinel_start()/sentinel_stop() on the main
 *			thread; the crash handler reads them (armed: relaxed;
 *			a handler left installed when disarmed only passes
 *			the signal on).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmstress.h"

enum { OWNER_NONE, OWNER_MAIN, OWNER_SENTINEL };

static struct {
	struct run *run;
	pthread_t thread;
	int running;			/* main thread's */
	int stop;			/* atomic, relaxed */
	int phase;			/* enum run_phase */
	uint64_t phase_start_ns;
	int fatal;			/* atomic */
	int owner;			/* atomic */
} sentinel;

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
#define NR_CRASH_SIGNALS	(int)(sizeof(crash_signals) / sizeof(crash_signals[0]))
static struct sigaction crash_old[NR_CRASH_SIGNALS];
static int crash_armed;

static const char *const phase_name[] = {
	[PHASE_SETUP] = "set-up", [PHASE_RUN] = "run", [PHASE_END] = "end",
};

void sentinel_phase(enum run_phase phase)
{
	WRITE_ONCE(sentinel.phase_start_ns, stress_clock_ns());
	/* Release: pairs with the sentinel's acquire; its start is seen. */
	__atomic_store_n(&sentinel.phase, (int)phase, __ATOMIC_RELEASE);
}

void sentinel_fatal(void)
{
	/* Release: the violation recorded before is seen by the sentinel. */
	__atomic_store_n(&sentinel.fatal, 1, __ATOMIC_RELEASE);
}

int sentinel_claim_report(void)
{
	return __atomic_exchange_n(&sentinel.owner, OWNER_MAIN, __ATOMIC_ACQ_REL) == OWNER_NONE;
}

/* The short report and its JSON (the report is the caller's to own). */
static void write_brief(struct run *run, const char *why)
{
	run->elapsed = (double)(stress_clock_ns() -
				__atomic_load_n(&run->start_ns, __ATOMIC_RELAXED)) * 1e-9;
	fflush(stdout);
	printf("\nmmstress: %s: the run ends here\n", why);
	report_brief(run, stdout);
	if (run->opt.json[0] && report_json_brief(run, run->opt.json, why))
		fprintf(stderr, "mmstress: cannot write %s\n", run->opt.json);
	fflush(NULL);
}

/* Write the short report and exit; returns only if the main thread has
 * claimed the report (it is not stuck: it writes it). */
static void sentinel_end(struct run *run, const char *why)
{
	if (__atomic_exchange_n(&sentinel.owner, OWNER_SENTINEL, __ATOMIC_ACQ_REL) != OWNER_NONE)
		return;
	write_brief(run, why);
	_exit(1);
}

static void sentinel_crash(int sig, siginfo_t *info, void *uc)
{
	static __thread int crashing;	/* this thread is in here already */
	struct run *run = sentinel.run;
	char why[64];
	int i, owner;

	(void)uc;
	for (i = 0; i < NR_CRASH_SIGNALS - 1 && crash_signals[i] != sig; i++)
		;
	if (READ_ONCE(crash_armed) && run && !crashing) {
		crashing = 1;
		owner = __atomic_exchange_n(&sentinel.owner, OWNER_SENTINEL, __ATOMIC_ACQ_REL);
		if (owner == OWNER_SENTINEL) {
			/* another crashing thread (or the sentinel) writes the
			 * report and ends the process: wait for it, and do not
			 * let this crash end it first */
			for (;;)
				pause();
		}
		if (owner == OWNER_NONE) {
			snprintf(why, sizeof(why), "crashed (signal %d)", sig);
			add_violation_nowait(run, "crash", current->cpu, "the process %s", why);
			write_brief(run, why);
		}
	}
	/* the former disposition, only now: until the report is out, another
	 * thread's crash waits above instead of ending the process */
	sigaction(sig, &crash_old[i], NULL);
	/* a fault happens again when retried; a sent signal is sent again
	 * (blocked until this returns) */
	if (info->si_code <= 0)
		raise(sig);
}

static void crash_arm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sentinel_crash;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NR_CRASH_SIGNALS; i++)
		sigaction(crash_signals[i], &sa, &crash_old[i]);
	WRITE_ONCE(crash_armed, 1);
}

/* Back to the former dispositions, where the handler is still this one. */
static void crash_disarm(void)
{
	WRITE_ONCE(crash_armed, 0);
	for (int i = 0; i < NR_CRASH_SIGNALS; i++) {
		struct sigaction cur;

		if (!sigaction(crash_signals[i], NULL, &cur) &&
		    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == sentinel_crash)
			sigaction(crash_signals[i], &crash_old[i], NULL);
	}
}

static void *sentinel_main(void *arg)
{
	struct run *run = arg;
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	uint64_t bound = (uint64_t)((GRACE_SECONDS + 2 * run->opt.watchdog) * 1e9);

	while (!READ_ONCE(sentinel.stop)) {
		/* Acquire: pairs with sentinel_phase(). */
		int phase = __atomic_load_n(&sentinel.phase, __ATOMIC_ACQUIRE);
		uint64_t since = READ_ONCE(sentinel.phase_start_ns);
		int claimed = __atomic_load_n(&sentinel.owner, __ATOMIC_ACQUIRE) != OWNER_NONE;
		char why[160];

		/* Acquire: pairs with sentinel_fatal().  Once the main thread
		 * writes the report, the lockup is in it. */
		if (!claimed && __atomic_load_n(&sentinel.fatal, __ATOMIC_ACQUIRE))
			sentinel_end(run, "a lockup was reported");
		if (phase != PHASE_RUN && stress_clock_ns() - since > bound) {
			snprintf(why, sizeof(why), "the %s of the run has lasted more than %.0f s",
				 phase_name[phase], (double)bound * 1e-9);
			if (claimed) {
				/* the report is out, the machine does not shut down */
				printf("mmstress: %s: the machine did not shut down\n", why);
				fflush(NULL);
				_exit(1);
			}
			add_violation(run, "hang", -1, "%s (GRACE_SECONDS + 2 * --watchdog)", why);
			sentinel_end(run, why);
		}
		nanosleep(&nap, NULL);
	}
	return NULL;
}

int sentinel_start(struct run *run)
{
	memset(&sentinel, 0, sizeof(sentinel));
	sentinel.run = run;
	sentinel_phase(PHASE_SETUP);
	if (pthread_create(&sentinel.thread, NULL, sentinel_main, run))
		return -1;
	crash_arm();
	sentinel.running = 1;
	return 0;
}

void sentinel_stop(void)
{
	if (!sentinel.running)
		return;
	crash_disarm();
	WRITE_ONCE(sentinel.stop, 1);
	pthread_join(sentinel.thread, NULL);
	sentinel.running = 0;
}
