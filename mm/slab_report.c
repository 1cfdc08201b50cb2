// SPDX-License-Identifier: MIT
/*
 * mm/slab_report.c - the report primitives of slab debugging, shared by
 * SLAB's slab_debug (mm/slab_debug.c) and SLUB's slub_debug
 * (mm/slub_debug.c), so that both print v4.19 SLUB's shapes:
 *
 *   =============================================================================
 *   BUG <cache> (<taint>): <what>
 *   -----------------------------------------------------------------------------
 *   <empty line>
 *   INFO: ... lines, hex dumps ("Object   <addr>: 6b 6b ...  kkkk"),
 *   FIX <cache>: <what was repaired or refused>
 *   CPU line and call trace (report_end())
 *
 * slab_bug() opens the report (report_begin(): the console lock, or the
 * thread's deferred buffer under a spinlock) and slab_report_end() closes
 * it, with TAINT_BAD_PAGE.  Everything between is printk() lines.
 *
 * Owns no state.  The callers print nothing while they hold a spinlock
 * (they collect what they found, unlock, then report); these functions
 * only read the bytes they are given, which the caller must own (or have
 * copied) while it prints them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>

#include "slab.h"

#define SLAB_BUG_RULE_EQ \
	"=============================================================================\n"
#define SLAB_BUG_RULE_DASH \
	"-----------------------------------------------------------------------------\n"

void slab_vbug(struct kmem_cache *s, const char *fmt, va_list ap)
{
	char line[256];

	vsnprintf(line, sizeof(line), fmt, ap);
	report_begin(REPORT_BUG);
	report_headline("BUG %s: %s", s->name, line);
	printk(SLAB_BUG_RULE_EQ);
	printk("BUG %s (%s): %s\n", s->name, print_tainted(), line);
	printk(SLAB_BUG_RULE_DASH "\n");
}

void slab_bug(struct kmem_cache *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	slab_vbug(s, fmt, ap);
	va_end(ap);
}

void slab_fix(struct kmem_cache *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk("FIX %s: %s\n", s->name, line);
}

void slab_report_end(void)
{
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

void print_section_at(const char *level, const void *shown, const void *bytes, size_t length)
{
	const unsigned char *p = bytes;
	const char *a = shown;

	for (size_t i = 0; i < length; i += 16) {
		char hex[16 * 3 + 1] = "", ascii[17] = "";
		size_t n = min(length - i, (size_t)16);

		for (size_t j = 0; j < n; j++) {
			snprintf(hex + j * 3, 4, "%02x ", p[i + j]);
			ascii[j] = p[i + j] >= 0x20 && p[i + j] < 0x7f ? (char)p[i + j] : '.';
		}
		ascii[n] = 0;
		printk("%-8s %p: %-48s %s\n", level, (const void *)(a + i), hex, ascii);
	}
}

void print_section(const char *level, const void *addr, size_t length)
{
	print_section_at(level, addr, addr, length);
}

void print_track(const char *what, const void *caller, unsigned long when, int cpu, int pid)
{
	Dl_info info;

	if (!caller)
		return;
	if (dladdr(caller, &info) && info.dli_sname)
		printk("INFO: %s in %s+0x%lx age=%lu cpu=%d pid=%d\n", what, info.dli_sname,
		       (unsigned long)((const char *)caller - (const char *)info.dli_saddr),
		       jiffies - when, cpu, pid);
	else
		printk("INFO: %s in %p age=%lu cpu=%d pid=%d\n", what, caller,
		       jiffies - when, cpu, pid);
}
