/* SPDX-License-Identifier: MIT */
/*
 * mmsim/printk.h - the console as a program outside the allocator sees it:
 * where it writes, whether it is quiet, and the count of every report of
 * a violation (BUG, WARNING, bad page state), with a hook called after
 * each one.  A harness counts them as failures; the text is the kernel's
 * (numa/printk.c).
 *
 * Who may call what: any thread, booted or not.  The hook runs on the
 * reporting thread once its report is written (never under a spinlock:
 * a report made under one is written when the last is released), so it
 * may take locks of its own but must not report.
 */
#ifndef MMSIM_PRINTK_H
#define MMSIM_PRINTK_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum report_type {
	REPORT_BUG,		/* "BUG: ..." / "kernel BUG at ..." */
	REPORT_WARNING,		/* "WARNING: CPU: ..." */
	REPORT_BAD_PAGE,	/* "BUG: Bad page state ..." */
	REPORT_INFO,		/* not a violation (allocation failures, notes) */
	NR_REPORT_TYPES
};

/* "s" unless n is 1: printk("%u CPU%s", n, str_plural(n)), as Linux's
 * <linux/string_choices.h>.  The kernel's own messages keep their text
 * ("Built 1 zonelists", "1 callbacks suppressed"). */
#define str_plural(n)	((n) == 1 ? "" : "s")

/* Where console output goes (stderr by default); returns the old stream. */
FILE *printk_set_output(FILE *out);
/* Quiet informational messages (boot banner, notes); reports still print. */
void printk_set_quiet(int quiet);
int printk_quiet(void);

/* Reports of a type, and of every violation type, since the process
 * started (relaxed reads of atomic counters). */
unsigned long report_count(enum report_type type);
unsigned long report_violations(void);

/* Called after every violation report with its first line (NULL: none). */
typedef void (*report_hook_fn)(enum report_type type, const char *headline);
void report_set_hook(report_hook_fn fn);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_PRINTK_H */
