// SPDX-License-Identifier: MIT
/*
 * numa/symbolize.c - code addresses as the kernel prints them in a call
 * trace, "name+0xoff/0xsize", static functions included.
 *
 * backtrace_symbols() only knows the dynamic symbol table, so a static
 * function came out as "? 0x55..".  elfutils' libdwfl reads the full
 * symbol table of every module mapped into the process (the program, and
 * the shared libraries), PIE relocation included.
 *
 *   dwfl		made on first use, kept for the life of the process (the
 *			process maps no new code: nothing is dlopen()ed); under
 *			sym_lock, as is every lookup (libdwfl is not thread-safe).
 *
 * Callers: the console (printk.c) when it prints a call trace, and the
 * lockup reports.  Never from a signal handler: it allocates.
 */
#define _GNU_SOURCE
#include <elfutils/libdwfl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "printk.h"

static pthread_mutex_t sym_lock = PTHREAD_MUTEX_INITIALIZER;
static Dwfl *dwfl;		/* under sym_lock */
static int dwfl_failed;		/* under sym_lock: do not try again */

static char *debuginfo_path;	/* libdwfl's: the default search path */

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

static Dwfl *__sym_dwfl(void)
{
	if (dwfl || dwfl_failed)
		return dwfl;
	dwfl = dwfl_begin(&callbacks);
	if (dwfl && (dwfl_linux_proc_report(dwfl, getpid()) != 0 ||
		     dwfl_report_end(dwfl, NULL, NULL) != 0)) {
		dwfl_end(dwfl);
		dwfl = NULL;
	}
	dwfl_failed = !dwfl;
	return dwfl;
}

int symbolize(const void *addr, char *buf, size_t len)
{
	GElf_Addr a = (GElf_Addr)(uintptr_t)addr, off = 0;
	const char *name = NULL;
	GElf_Sym sym;
	Dwfl_Module *mod;
	Dwfl *d;

	pthread_mutex_lock(&sym_lock);
	d = __sym_dwfl();
	mod = d ? dwfl_addrmodule(d, a) : NULL;
	if (mod)
		name = dwfl_module_addrinfo(mod, a, &off, &sym, NULL, NULL, NULL);
	if (name)
		snprintf(buf, len, "%s+0x%llx/0x%llx", name, (unsigned long long)off,
			 (unsigned long long)sym.st_size);
	pthread_mutex_unlock(&sym_lock);
	return name ? 0 : -1;
}
