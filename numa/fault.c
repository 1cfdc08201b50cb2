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
 * Printing.  The report machinery is not async-signal-safe (stdio, the
 * console mutex, libdw's symbolizer, which allocates).  A use after free
 * is reported out of the handler (fault_trampoline, x86-64: the thread
 * calls the report when the handler returns, then retries the access).
 * A crash's oops is printed from the handler itself, for a synchronous
 * fault only: the interrupted code was the allocator's or a job's, never
 * inside malloc, stdio or the symbolizer (they do not touch simulated RAM),
 * so no lock they take is held by the faulting thread; the console mutex
 * is recursive for a fault inside a report; and the thread is about to
 * die.  (ThreadSanitizer reports those calls as signal-unsafe: a crash in
 * a TSan build ends with that report too.)  The same holds where there
 * is no trampoline.  Signals that are sent (kill) are passed on without a
 * report.
 *
 * Who touches what:
 *   fault_installed, old[]	fault_init()/fault_exit() (machine boot and
 *				shutdown, no CPU running); the handler reads
 *				them.  Between the two, the handler is this
 *				file's, and old[] is what it replaced.
 *   ops			fault_set_ops() at mm boot/shutdown, before and
 *				after any CPU runs; read by the handler.
 *   fault_pending		per thread: its handler fills it, its
 *				trampoline's report reads and releases it.
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

/* The interrupted code's trace, taken in the handler: the frames after
 * the signal frame (backtrace() does not allocate once it has run). */
struct fault_trace {
	void *frames[64];
	int n, skip;
};

static void take_fault_trace(struct fault_trace *t, const void *ip)
{
	t->n = backtrace(t->frames, 64);
	t->skip = 1;
	for (int i = 0; i < t->n; i++)
		if (t->frames[i] == ip) {
			t->skip = i;
			break;
		}
}

static void print_fault_trace(const struct fault_info *f, const struct fault_trace *t)
{
	char sym[128];

	if (f->ip && !symbolize(f->ip, sym, sizeof(sym)))
		printk("RIP: 0010:%s\n", sym);
	else
		printk("RIP: 0010:%p\n", f->ip);
	dump_stack_frames(t->frames, t->n, t->skip);
}

static unsigned long long oops_nr;	/* console lock */

static void report_crash(int sig, const siginfo_t *info, const struct fault_info *f)
{
	int gpf = sig == SIGSEGV && info->si_code == SI_KERNEL;
	struct fault_trace t;

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
	take_fault_trace(&t, f->ip);
	print_fault_trace(f, &t);
	report_end_urgent_no_trace(REPORT_BUG, TAINT_DIE);
	printk("Kernel panic - not syncing: Fatal exception (signal %d): the process dies\n", sig);
	fflush(NULL);
}

/*
 * The use-after-free report, out of the signal handler.  On x86-64 the
 * handler makes the faulting thread call fault_trampoline() when it
 * returns, as if the faulting instruction had been a call: the
 * trampoline saves every register (the flags, the caller-saved ones, the
 * vector state with xsave), calls fault_report_pending() on the thread's
 * own stack, below the red zone, restores them and returns to the
 * faulting instruction, which is made again (the page is mapped back by
 * then).  So the report (stdio, the console lock, the symbolizer, all of
 * which allocate) runs in ordinary context: no async-signal-safety
 * question, and ThreadSanitizer agrees.  Elsewhere (or without xsave or
 * with an xsave area over 4 KiB) the report is printed from the handler.
 */
struct fault_pending {
	int busy;			/* a report is pending or printing */
	struct fault_info f;
	const struct fault_ops *ops;
	struct fault_trace t;
};
static __thread struct fault_pending fault_pending;

static void uaf_report(const struct fault_info *f, const struct fault_ops *o,
		       const struct fault_trace *t)
{
	report_begin_urgent(REPORT_BUG);
	printk("BUG: unable to handle page fault for address: %016lx\n", (unsigned long)f->addr);
	print_pf_lines(f);
	printk("Oops: %04lx [#%llu] SMP DEBUG_PAGEALLOC (recovered: the page is mapped back, the CPU goes on)\n",
	       f->error_code < 0 ? 0UL : (unsigned long)f->error_code & ~0x4UL, ++oops_nr);
	o->describe(f->addr);
	print_fault_trace(f, t);
	report_end_urgent_no_trace(REPORT_BUG, TAINT_BAD_PAGE);
}

/* Called by fault_trampoline, on the faulting thread, out of the handler. */
void fault_report_pending(void);
void fault_report_pending(void)
{
	struct fault_pending *p = &fault_pending;
	int saved_errno = errno;

	uaf_report(&p->f, p->ops, &p->t);
	errno = saved_errno;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	p->busy = 0;
}

#if defined(__x86_64__)
#include <cpuid.h>

#define XSAVE_AREA	4096
/* Entered with the faulting RIP at (%rsp) and the 128-byte red zone above
 * it; CFA (the faulting code's %rsp) = entry %rsp + 136. */
__asm__(
	".text\n"
	".p2align 4\n"
	".globl fault_trampoline\n"
	".hidden fault_trampoline\n"
	".type fault_trampoline, @function\n"
	"fault_trampoline:\n"
	"	.cfi_startproc\n"
	"	.cfi_def_cfa %rsp, 136\n"
	"	.cfi_offset %rip, -136\n"
	"	pushfq\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %rax\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %rcx\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %rdx\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %rsi\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %rdi\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %r8\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %r9\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %r10\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %r11\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	pushq %rbp\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	.cfi_offset %rbp, -224\n"
	"	movq %rsp, %rbp\n"
	"	.cfi_def_cfa_register %rbp\n"
	"	andq $-64, %rsp\n"
	"	subq $4096, %rsp\n"
	"	movq $0, 512(%rsp)\n"
	"	movq $0, 520(%rsp)\n"
	"	movq $0, 528(%rsp)\n"
	"	movq $0, 536(%rsp)\n"
	"	movq $0, 544(%rsp)\n"
	"	movq $0, 552(%rsp)\n"
	"	movq $0, 560(%rsp)\n"
	"	movq $0, 568(%rsp)\n"
	"	movl $-1, %eax\n"
	"	movl $-1, %edx\n"
	"	xsave64 (%rsp)\n"
	"	call fault_report_pending\n"
	"	movl $-1, %eax\n"
	"	movl $-1, %edx\n"
	"	xrstor64 (%rsp)\n"
	"	movq %rbp, %rsp\n"
	"	.cfi_def_cfa_register %rsp\n"
	"	popq %rbp\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	.cfi_restore %rbp\n"
	"	popq %r11\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popq %r10\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popq %r9\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popq %r8\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popq %rdi\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popq %rsi\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popq %rdx\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popq %rcx\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popq %rax\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	popfq\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	ret $128\n"
	"	.cfi_endproc\n"
	".size fault_trampoline, .-fault_trampoline\n");
extern char fault_trampoline[];

static int trampoline_ok;	/* fault_init(): xsave usable, its area fits */

static void trampoline_probe(void)
{
	unsigned int a, b, c, d;

	trampoline_ok = 0;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
		return;
	if (__get_cpuid_max(0, NULL) < 0xd)
		return;
	__cpuid_count(0xd, 0, a, b, c, d);
	trampoline_ok = b && b <= XSAVE_AREA;
}

/* 1 if the thread will call the trampoline on return (uc rewritten). */
static int fault_call_report(void *ucp)
{
	ucontext_t *uc = ucp;
	greg_t rsp = uc->uc_mcontext.gregs[REG_RSP] - 136;

	if (!trampoline_ok)
		return 0;
	/* a plain store: the faulting thread's stack below its red zone */
	__asm__ volatile("movq %1, (%0)" : : "r"(rsp), "r"(uc->uc_mcontext.gregs[REG_RIP]) : "memory");
	uc->uc_mcontext.gregs[REG_RSP] = rsp;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fault_trampoline;
	return 1;
}
#else
static void trampoline_probe(void)
{
}

static int fault_call_report(void *ucp)
{
	(void)ucp;
	return 0;
}
#endif

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
		struct fault_pending *p = &fault_pending;

		if (!p->busy) {
			p->busy = 1;
			p->f = f;
			p->ops = o;
			take_fault_trace(&p->t, f.ip);
			o->fixup(f.addr);
			/* the report runs after the return, in the thread's
			 * own context (see fault_call_report()) */
			if (fault_call_report(uc)) {
				errno = saved_errno;
				return;
			}
			p->busy = 0;
		}
		/* no trampoline: report from the handler */
		take_fault_trace(&p->t, f.ip);
		uaf_report(&f, o, &p->t);
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
	void *warm[2];

	trampoline_probe();
	backtrace(warm, 2);	/* its first call loads libgcc: not in a handler */

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
