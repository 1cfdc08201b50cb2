// SPDX-License-Identifier: MIT
/*
 * numa/printk.c - console output and kernel-style reports.
 *
 * console_lock (recursive pthread mutex, held with interrupts off)
 * serialises every line written, and whole reports between report_begin()
 * and report_end().  The counters and
 * the taint mask are atomics read by anyone (relaxed: they are statistics,
 * nothing is published through them).
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mmsim/machine.h>
#include "printk.h"

static pthread_mutex_t console_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/*
 * console_lock is held with interrupts off: a CPU is never stopped by
 * stop_machine() (an IPI) in the middle of a report, so no CPU ever waits
 * for a stopped one here.  (Nested takes nest the irq count as well.)
 */
static void console_lock_irq(void)
{
	local_irq_disable();
	pthread_mutex_lock(&console_lock);
}

static void console_unlock_irq(void)
{
	pthread_mutex_unlock(&console_lock);
	local_irq_enable();
}
/* Protected by console_lock. */
static FILE *console_out;
static report_hook_fn report_hook;
static char headline[256];
static size_t headline_len;
static int in_report;
static unsigned long long oops_id;

static int quiet;			/* READ_ONCE/WRITE_ONCE */
static int panic_on_warn;		/* READ_ONCE/WRITE_ONCE */
static unsigned long tainted_mask;	/* atomic, relaxed */
static unsigned long counts[NR_REPORT_TYPES];	/* atomic, relaxed */

static FILE *out(void)
{
	return console_out ? console_out : stderr;
}

FILE *printk_set_output(FILE *f)
{
	FILE *old;

	console_lock_irq();
	old = out();
	console_out = f;
	console_unlock_irq();
	return old;
}

void printk_set_quiet(int q)
{
	WRITE_ONCE(quiet, q);
}

int printk_quiet(void)
{
	return READ_ONCE(quiet);
}

void vprintk(const char *fmt, va_list ap)
{
	console_lock_irq();
	if (in_report && headline_len == 0) {
		va_list cp;
		char *nl;

		va_copy(cp, ap);
		vsnprintf(headline, sizeof(headline), fmt, cp);
		va_end(cp);
		nl = strchr(headline, '\n');
		if (nl)
			*nl = '\0';
		headline_len = strlen(headline);
	}
	vfprintf(out(), fmt, ap);
	fflush(out());
	console_unlock_irq();
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void add_taint(int flag)
{
	__atomic_fetch_or(&tainted_mask, 1UL << flag, __ATOMIC_RELAXED);
}

const char *print_tainted(void)
{
	static const char letters[TAINT_FLAGS_COUNT][2] = {
		{ 'P', 'G' }, { 'F', ' ' }, { 'S', ' ' }, { 'R', ' ' },
		{ 'M', ' ' }, { 'B', ' ' }, { 'U', ' ' }, { 'D', ' ' },
		{ 'A', ' ' }, { 'W', ' ' }, { 'C', ' ' }, { 'I', ' ' },
		{ 'O', ' ' }, { 'E', ' ' }, { 'L', ' ' }, { 'K', ' ' },
		{ 'X', ' ' }, { 'T', ' ' },
	};
	static __thread char buf[32 + TAINT_FLAGS_COUNT];
	unsigned long mask = __atomic_load_n(&tainted_mask, __ATOMIC_RELAXED);
	char *s = buf;

	if (!mask)
		return "Not tainted";
	s += sprintf(s, "Tainted: ");
	for (int i = 0; i < TAINT_FLAGS_COUNT; i++)
		*s++ = letters[i][(mask >> i) & 1 ? 0 : 1];
	*s = '\0';
	return buf;
}

/* Print the call trace of the caller, skipping `skip` innermost frames. */
static void show_trace(int skip)
{
	void *frames[48];
	char **syms;
	int n;

	n = backtrace(frames, ARRAY_SIZE(frames));
	syms = backtrace_symbols(frames, n);
	printk("Call Trace:\n");
	for (int i = skip; i < n; i++) {
		const char *s = syms ? syms[i] : NULL;
		const char *lp = s ? strchr(s, '(') : NULL;
		const char *rp = lp ? strchr(lp, ')') : NULL;

		if (lp && rp && rp > lp + 1 && lp[1] != '+') {
			printk(" %.*s\n", (int)(rp - lp - 1), lp + 1);
		} else {
			printk(" ? %p\n", frames[i]);
		}
		if (s && (strstr(s, "(main+") || strstr(s, "(start_thread+")))
			break;
	}
	free(syms);
}

static void dump_header(void)
{
	printk("CPU: %d PID: %d Comm: %.20s %s 4.19.0-mmsim #1\n",
	       current->cpu, current->pid, current->comm[0] ? current->comm : "?",
	       print_tainted());
}

void dump_stack(void)
{
	console_lock_irq();
	dump_header();
	show_trace(2);
	console_unlock_irq();
}

void report_headline(const char *fmt, ...)
{
	va_list ap;

	console_lock_irq();
	va_start(ap, fmt);
	vsnprintf(headline, sizeof(headline), fmt, ap);
	va_end(ap);
	headline_len = strlen(headline);
	console_unlock_irq();
}

void report_begin(enum report_type type)
{
	console_lock_irq();
	if (type == REPORT_WARNING)
		printk("------------[ cut here ]------------\n");
	in_report++;
	headline_len = 0;
}

void report_end(enum report_type type, int taint)
{
	char line[sizeof(headline)];
	report_hook_fn hook;

	if (type != REPORT_INFO) {
		dump_header();
		show_trace(2);
	}
	if (type == REPORT_WARNING || type == REPORT_BUG)
		printk("---[ end trace %016llx ]---\n", ++oops_id);
	if (taint >= 0)
		add_taint(taint);
	memcpy(line, headline, sizeof(line));
	hook = report_hook;
	in_report--;
	__atomic_fetch_add(&counts[type], 1, __ATOMIC_RELAXED);
	console_unlock_irq();

	if (type != REPORT_INFO && hook)
		hook(type, line);
	if (type != REPORT_INFO && READ_ONCE(panic_on_warn))
		panic("panic_on_warn set ...");
}

void report_silent(enum report_type type, int taint, const char *line)
{
	report_hook_fn hook;

	if (taint >= 0)
		add_taint(taint);
	__atomic_fetch_add(&counts[type], 1, __ATOMIC_RELAXED);
	console_lock_irq();
	hook = report_hook;
	console_unlock_irq();
	if (type != REPORT_INFO && hook)
		hook(type, line);
	if (type != REPORT_INFO && READ_ONCE(panic_on_warn))
		panic("panic_on_warn set ...");
}

void panic(const char *fmt, ...)
{
	va_list ap;

	console_lock_irq();
	fprintf(out(), "Kernel panic - not syncing: ");
	va_start(ap, fmt);
	vfprintf(out(), fmt, ap);
	va_end(ap);
	fprintf(out(), "\n");
	fflush(out());
	abort();
}

unsigned long report_count(enum report_type type)
{
	return __atomic_load_n(&counts[type], __ATOMIC_RELAXED);
}

unsigned long report_violations(void)
{
	return report_count(REPORT_BUG) + report_count(REPORT_WARNING) +
	       report_count(REPORT_BAD_PAGE);
}

void report_set_panic_on_warn(int on)
{
	WRITE_ONCE(panic_on_warn, on);
}

void report_set_hook(report_hook_fn fn)
{
	console_lock_irq();
	report_hook = fn;
	console_unlock_irq();
}

/*
 * v4.19 on x86: WARN(cond, fmt) prints the cut-here line and its message
 * before the WARNING line (WARN_ON's cut-here line is the 4.19.y stable
 * form).  The harness's headline joins the WARNING line and the message.
 */
void __warn_printf(const char *file, int line, const char *func,
		   const char *fmt, ...)
{
	char msg[160] = "";
	va_list ap;

	va_start(ap, fmt);
	if (fmt && fmt[0])
		vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	report_begin(REPORT_WARNING);
	if (msg[0])
		printk("%s%s", msg, msg[strlen(msg) - 1] == '\n' ? "" : "\n");
	printk("WARNING: CPU: %d PID: %d at %s:%d %s\n",
	       current->cpu, current->pid, file, line, func);
	report_headline("WARNING: at %s:%d %s: %.*s", file, line, func,
			(int)strcspn(msg, "\n"), msg);
	printk("Modules linked in:\n");
	report_end(REPORT_WARNING, TAINT_WARN);
}

void __bug_report(const char *file, int line, const char *func)
{
	report_begin(REPORT_BUG);
	printk("kernel BUG at %s:%d!\n", file, line);
	printk("invalid opcode: 0000 [#%llu] SMP (refused, %s continues)\n",
	       oops_id + 1, func);
	report_end(REPORT_BUG, TAINT_DIE);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int __ratelimit(struct ratelimit_state *rs)
{
	long long now = now_ms();
	int ok;

	console_lock_irq();
	if (!rs->begin_ms || now - rs->begin_ms >= rs->interval_ms) {
		if (rs->missed)
			fprintf(out(), "%d callbacks suppressed\n", rs->missed);
		rs->begin_ms = now;
		rs->printed = 0;
		rs->missed = 0;
	}
	ok = rs->printed < rs->burst;
	if (ok)
		rs->printed++;
	else
		rs->missed++;
	console_unlock_irq();
	return ok;
}
