// SPDX-License-Identifier: MIT
/*
 * numa/fault.c - the machine's page-fault handler: SIGSEGV and SIGBUS.
 *
 * While a machine is up, a fault is reported as the kernel's page fault
 * handler would report it (show_fault_oops(), v5 wording):
 *
 *   BUG: unable to handle page fault for address: ffff...
 *   #PF: supervisor write access in kernel mode
 *   #PF: error_code(0x0002) - not-present page
 *
 * then the CPU line, the RIP and the interrupted code's call trace.  Two
 * cases:
 *
 *   - a fault in the direct map that mm claims (debug_pagealloc unmapped
 *     the page when it was freed: fault_ops.claim()): a use after free.
 *     mm describes the page (its state, its last free site), the report is
 *     counted, mm maps the page back (fault_ops.fixup()) and the handler
 *     returns: the access is made again and completes, the run goes on.
 *   - anything else is a crash (a wild pointer, a corrupt list): an oops
 *     ("Oops: ..." is the headline the report hook gets), the console
 *     flushed, then the handler that was installed before this one runs
 *     (a harness's, which writes its report; a sanitizer's), and the
 *     signal gets that disposition back: the default action kills the
 *     process as before, when the access is made again (a signal that
 *     was sent, not a fault, is raised again).
 *
 * Printing from a signal handler.  The report machinery is not
 * async-signal-safe (stdio, the console mutex, libdw's symbolizer, which
 * allocates).  It is used here all the same, for a synchronous fault only:
 * the interrupted code was the allocator's or a job's, reading or writing
 * simulated RAM, never inside malloc, stdio or the symbolizer (they do not
 * touch simulated RAM), so no lock they take is held by the faulting
 * thread; the console mutex is recursive for the case where the fault
 * happened in a report.  And the faulting thread is either recovered at
 * once (the access completes) or about to die.  Signals that are sent
 * (kill) are passed on without a report.
 *
 * Who touches what:
 *   fault_installed, old[]	fault_init()/fault_exit() (machine boot and
 *				shutdown, no CPU running); the handler reads
 *				them.  Between the two, the handler is this
 *				file's, and old[] is what it replaced.
 *   ops			fault_set_ops() at mm boot/shutdown, before and
 *				after any CPU runs; read by the handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "machine.h"
#include "printk.h"
#include <mmsim/sched.h>

static const int fault_signals[] = { SIGSEGV, SIGBUS };
#define NR_FAULT_SIGNALS	(int)(sizeof(fault_signals) / sizeof(fault_signals[0]))

static int fault_installed;
static struct sigaction old[NR_FAULT_SIGNALS];
static const struct fault_ops *ops;

void fault_set_ops(const struct fault_ops *o)
{
	__atomic_store_n(&ops, o, __ATOMIC_RELEASE);
}

static int sig_index(int sig)
{
	for (int i = 0; i < NR_FAULT_SIGNALS; i++)
		if (fault_signals[i] == sig)
			return i;
	return 0;
}

/* x86-64's page fault error code, from the signal frame; -1 if unknown. */
static long fault_error_code(const void *ucp)
{
#if defined(__x86_64__)
	const ucontext_t *uc = ucp;

	return (long)uc->uc_mcontext.gregs[REG_ERR];
#else
	(void)ucp;
	return -1;
#endif
}

static void *fault_ip(const void *ucp)
{
#if defined(__x86_64__)
	const ucontext_t *uc = ucp;

	return (void *)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	const ucontext_t *uc = ucp;

	return (void *)uc->uc_mcontext.pc;
#else
	(void)ucp;
	return NULL;
#endif
}

/* The "#PF:" lines.  The simulated kernel is the faulting code: the user
 * bit is dropped (supervisor, kernel mode), as for a kernel access. */
static void print_pf_lines(const struct fault_info *f)
{
	if (f->error_code < 0) {
		printk("#PF: supervisor access in kernel mode\n");
		return;
	}
	printk("#PF: supervisor %s in kernel mode\n",
	       f->error_code & 0x10 ? "instruction fetch" :
	       f->write ? "write access" : "read access");
	printk("#PF: error_code(0x%04lx) - %s\n", (unsigned long)f->error_code & ~0x4UL,
	       f->error_code & 0x1 ? "permissions violation" : "not-present page");
}

/* The interrupted code's trace: the frames after the signal frame. */
static void print_fault_trace(const struct fault_info *f)
{
	char sym[128];
	void *frames[64];
	int n = backtrace(frames, 64), skip = 1;

	for (int i = 0; i < n; i++)
		if (frames[i] == f->ip) {
			skip = i;
			break;
		}
	if (f->ip && !symbolize(f->ip, sym, sizeof(sym)))
		printk("RIP: 0010:%s\n", sym);
	else
		printk("RIP: 0010:%p\n", f->ip);
	dump_stack_frames(frames, n, skip);
}

static unsigned long long oops_nr;	/* console lock */

static void report_crash(int sig, const siginfo_t *info, const struct fault_info *f)
{
	int gpf = sig == SIGSEGV && info->si_code == SI_KERNEL;

	report_begin_urgent(REPORT_BUG);
	if (gpf) {
		/* a non-canonical address: the kernel's #GP, no address known */
		printk("general protection fault: 0000 [#%llu] SMP\n", ++oops_nr);
		report_headline("general protection fault (fatal signal %d)", sig);
	} else {
		printk("BUG: unable to handle page fault for address: %016lx\n",
		       (unsigned long)f->addr);
		print_pf_lines(f);
		if (sig == SIGBUS)
			printk("#PF: SIGBUS: no backing for the page (beyond the memfd)\n");
		printk("Oops: %04lx [#%llu] SMP\n",
		       f->error_code < 0 ? 0UL : (unsigned long)f->error_code & ~0x4UL, ++oops_nr);
		report_headline("Oops: unable to handle page fault for address: %016lx (fatal signal %d)",
				(unsigned long)f->addr, sig);
	}
	print_fault_trace(f);
	printk("Kernel panic - not syncing: Fatal exception (signal %d): the process dies\n", sig);
	report_end_urgent_no_trace(REPORT_BUG, TAINT_DIE);
	fflush(NULL);
}

/* The handler before this one, then its disposition back for good. */
static void chain(int sig, siginfo_t *info, void *uc)
{
	const struct sigaction *prev = &old[sig_index(sig)];

	if (prev->sa_flags & SA_SIGINFO)
		prev->sa_sigaction(sig, info, uc);
	else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN)
		prev->sa_handler(sig);
	sigaction(sig, prev, NULL);
	/* a fault happens again when the access is retried; a sent signal
	 * does not: send it again (blocked until this handler returns) */
	if (info->si_code <= 0)
		raise(sig);
}

static void fault_handler(int sig, siginfo_t *info, void *uc)
{
	/* Acquire: pairs with fault_set_ops(), whose tables it reads. */
	const struct fault_ops *o = __atomic_load_n(&ops, __ATOMIC_ACQUIRE);
	int saved_errno = errno;
	struct fault_info f = {
		.addr = info->si_addr,
		.error_code = fault_error_code(uc),
		.ip = fault_ip(uc),
	};

	f.write = f.error_code >= 0 && (f.error_code & 0x2);
	if (info->si_code <= 0) {		/* sent: not a fault */
		chain(sig, info, uc);
		errno = saved_errno;
		return;
	}
	if (sig == SIGSEGV && o && o->claim(f.addr)) {
		report_begin_urgent(REPORT_BUG);
		printk("BUG: unable to handle page fault for address: %016lx\n",
		       (unsigned long)f.addr);
		print_pf_lines(&f);
		printk("Oops: %04lx [#%llu] SMP DEBUG_PAGEALLOC (recovered: the page is mapped back, the CPU goes on)\n",
		       f.error_code < 0 ? 0UL : (unsigned long)f.error_code & ~0x4UL, ++oops_nr);
		o->describe(f.addr);
		print_fault_trace(&f);
		report_end_urgent_no_trace(REPORT_BUG, TAINT_BAD_PAGE);
		o->fixup(f.addr);
		errno = saved_errno;
		return;
	}
	report_crash(sig, info, &f);
	chain(sig, info, uc);
	errno = saved_errno;
}

int fault_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NR_FAULT_SIGNALS; i++) {
		if (sigaction(fault_signals[i], &sa, &old[i])) {
			while (--i >= 0)
				sigaction(fault_signals[i], &old[i], NULL);
			return -errno;
		}
	}
	fault_installed = 1;
	return 0;
}

void fault_exit(void)
{
	if (!fault_installed)
		return;
	for (int i = 0; i < NR_FAULT_SIGNALS; i++)
		sigaction(fault_signals[i], &old[i], NULL);
	fault_installed = 0;
}
