/* SPDX-License-Identifier: MIT */
/*
 * numa/printk.h - the kernel's console: printk, WARN, BUG reports with a
 * backtrace and the taint flags, rate limits.  What programs outside the
 * library use of it (report types and counters, the report hook, quiet,
 * str_plural()) is public: mmsim/printk.h.
 *
 * Every report of a violation (BUG, WARNING, bad page state, a misuse the
 * allocator refused) is counted; the harness and the tests read the counts.
 * Reports are written whole under one lock so that CPUs never interleave.
 * panic_on_warn (boot parameter) turns a report into abort() for CI.
 */
#ifndef NUMA_PRINTK_H
#define NUMA_PRINTK_H

#include <stdio.h>
#include <stdarg.h>
#include <mmsim/compiler.h>
#include <mmsim/printk.h>

/* Taint flags, v4.19 order (print_tainted()). */
enum {
	TAINT_PROPRIETARY_MODULE, TAINT_FORCED_MODULE, TAINT_CPU_OUT_OF_SPEC,
	TAINT_FORCED_RMMOD, TAINT_MACHINE_CHECK, TAINT_BAD_PAGE, TAINT_USER,
	TAINT_DIE, TAINT_OVERRIDDEN_ACPI_TABLE, TAINT_WARN, TAINT_CRAP,
	TAINT_FIRMWARE_WORKAROUND, TAINT_OOT_MODULE, TAINT_UNSIGNED_MODULE,
	TAINT_SOFTLOCKUP, TAINT_LIVEPATCH, TAINT_AUX, TAINT_RANDSTRUCT,
	TAINT_FLAGS_COUNT
};

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);
#define pr_emerg(fmt, ...)	printk(fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)	printk(fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(fmt, ##__VA_ARGS__)

/*
 * Output of a thread that holds a spinlock_t (current->spin_depth > 0) is
 * deferred: printk() text and whole reports (with their call traces, taken
 * at the report) go to a per-thread buffer, which spin_unlock() of the
 * last spinlock prints with printk_flush_deferred().  Counts and taints
 * are taken at the report; the report hook and panic_on_warn run at the
 * flush.  So the console lock never nests inside a spinlock.
 */
/* (__printk_deferred_pending and printk_flush_deferred() are declared in
 * mmsim/spinlock.h, whose spin_unlock() uses them) */

/*
 * A report: report_begin() takes the console lock (recursive, so printk
 * works inside), the caller prints its lines, report_end() prints the CPU
 * line and the call trace, taints, counts, unlocks and honours panic_on_warn.
 */
void report_begin(enum report_type type);
/* The console lock alone (recursive, interrupts off while held): the
 * kernel's names, for tests and code that writes several lines at once. */
void console_lock(void);
void console_unlock(void);
void report_end(enum report_type type, int taint);
/*
 * The same, printed at once even under a spinlock: for the reports of a
 * thread that may never release its spinlocks (a lockup).  Nothing takes a
 * spinlock while it holds the console lock, so this cannot deadlock.
 */
void report_begin_urgent(enum report_type type);
void report_end_urgent(enum report_type type, int taint);
/* report_end() without the reporter's own CPU line and trace: for a report
 * about another CPU (a watchdog's), which printed that CPU's. */
void report_end_no_trace(enum report_type type, int taint);
/* Both: an urgent report about a context whose trace the caller printed
 * with dump_stack_frames() (a fault's, from its signal handler). */
void report_end_urgent_no_trace(enum report_type type, int taint);
/* The line the report hook gets (default: the first line printed). */
void report_headline(const char *fmt, ...) __printf(1, 2);
/* A report that a rate limit kept off the console: counted all the same. */
void report_silent(enum report_type type, int taint, const char *line);
void dump_stack(void);
/* The CPU line and "Call Trace:" of frames[skip..n): the caller's own
 * thread, another context than the caller's stack (a signal's). */
void dump_stack_frames(void *const *frames, int n, int skip);
/* symbolize.c: "name+0xoff/0xsize" of a code address (static functions
 * too), 0; -1 if no symbol covers it.  Not in a signal handler. */
int symbolize(const void *addr, char *buf, size_t len);
/* "Call Trace:" and frames[skip..n) (as a report's): another thread's. */
void print_call_trace(void *const *frames, int n, int skip);
void add_taint(int flag);
const char *print_tainted(void);
void panic(const char *fmt, ...) __printf(1, 2) __attribute__((noreturn));

void report_set_panic_on_warn(int on);

void __warn_printf(const char *file, int line, const char *func,
		   const char *fmt, ...) __printf(4, 5) __cold;
void __bug_report(const char *file, int line, const char *func) __cold;

#define WARN(condition, fmt, ...) ({					\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		__warn_printf(__FILE__, __LINE__, __func__, fmt, ##__VA_ARGS__); \
	unlikely(__ret_warn_on);					\
})
#define WARN_ON(condition) WARN(condition, "%s", "")
#define WARN_ON_ONCE(condition) ({					\
	static int __warned;						\
	int __ret_warn_once = !!(condition);				\
	if (unlikely(__ret_warn_once) &&				\
	    !__atomic_exchange_n(&__warned, 1, __ATOMIC_RELAXED))	\
		__warn_printf(__FILE__, __LINE__, __func__, "%s", "");	\
	unlikely(__ret_warn_once);					\
})
/* A refused misuse that the kernel would BUG() on: report, don't crash. */
#define BUG_REPORT() __bug_report(__FILE__, __LINE__, __func__)

/* The kernel's ratelimit: at most burst messages per interval_ms. */
struct ratelimit_state {
	int interval_ms;
	int burst;
	/* Protected by the console lock. */
	long long begin_ms;
	int printed;
	int missed;
};
#define RATELIMIT_STATE_INIT(interval, burst) { (interval), (burst), 0, 0, 0 }
#define DEFAULT_RATELIMIT_INTERVAL_MS	5000
#define DEFAULT_RATELIMIT_BURST		10
int __ratelimit(struct ratelimit_state *rs);

#endif /* NUMA_PRINTK_H */
