// SPDX-License-Identifier: MIT
/*
 * bench/peers.c - other allocators running mmbench's loops, for comparison.
 *
 *   peer_glibc_4k		malloc(4096) + free (page_pair's peer)
 *   peer_<lib>_random		kmalloc_random's loop: the same size table,
 *				walked the same way, through
 *     glibc			malloc / free
 *     jemalloc			malloc / free of libjemalloc
 *     tcmalloc			tc_malloc / tc_free
 *     mimalloc			mi_malloc / mi_free
 *
 * jemalloc, tcmalloc and mimalloc are dlopen()ed with RTLD_LOCAL, so that
 * glibc's malloc stays the program's malloc; each symbol is looked up in
 * its library's handle and refused unless dladdr() places it in that very
 * library (jemalloc's malloc cannot be glibc's).  jemalloc's own malloc and
 * free, not mallocx/dallocx: those skip jemalloc's fast paths (about 215
 * instructions a pair instead of 101 here).  Frees are unsized, as kfree()
 * is.  A library that is not installed is skipped with a message (`make
 * deps-bench` installs them).
 *
 * jemalloc's thread-local data is initial-exec TLS, which dlopen() can
 * only place in glibc's small surplus of static TLS ("cannot allocate
 * memory in static TLS block").  peers_load() then runs the program again
 * with that surplus raised by the tunable glibc.rtld.optional_static_tls,
 * once; under valgrind it does not (the exec would escape valgrind), and
 * bench/callgrind.sh sets the tunable itself.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "mmbench.h"

#define TLS_TUNABLE_NAME	"glibc.rtld.optional_static_tls"
#define TLS_TUNABLE		TLS_TUNABLE_NAME "=16384"

/* A dlopen()ed peer.  Written by peers_load() before any loop runs. */
struct peer_lib {
	const char *soname;
	const char *package;		/* the Debian package that has it */
	const char *sym_alloc, *sym_free;
	size_t workload;		/* its index in peer_workloads[] */
	void *alloc, *free;		/* the symbols, NULL if not loaded */
	char why[192];			/* why not, for the skip message */
};

enum { PEER_GLIBC_4K, PEER_GLIBC, PEER_JEMALLOC, PEER_TCMALLOC, PEER_MIMALLOC };

static struct peer_lib libs[] = {
	{ .soname = "libjemalloc.so.2", .package = "libjemalloc2",
	  .sym_alloc = "malloc", .sym_free = "free", .workload = PEER_JEMALLOC },
	{ .soname = "libtcmalloc_minimal.so.4", .package = "libtcmalloc-minimal4",
	  .sym_alloc = "tc_malloc", .sym_free = "tc_free", .workload = PEER_TCMALLOC },
	{ .soname = "libmimalloc.so.2", .package = "libmimalloc2.0",
	  .sym_alloc = "mi_malloc", .sym_free = "mi_free", .workload = PEER_MIMALLOC },
};
#define JE (&libs[0])
#define TC (&libs[1])
#define MI (&libs[2])

static noinline void glibc_4k_loop(long n)
{
	for (long i = 0; i < n; i++) {
		void *volatile p = malloc(4096);

		free(p);
	}
}

/* The loops below are kmalloc_random_loop() (mmbench.c) with another
 * allocator: keep them the same. */

static noinline void glibc_random_loop(long n)
{
	unsigned int k = rand_cursor;

	for (long i = 0; i < n; i++, k++) {
		void *p = malloc(rand_size(k));

		free(opaque(p));
	}
	rand_cursor = k;
}

/* The same through a dlopen()ed library's malloc and free. */
static __always_inline void lib_random_loop(const struct peer_lib *lib, long n)
{
	void *(*lib_malloc)(size_t) = (void *(*)(size_t))lib->alloc;
	void (*lib_free)(void *) = (void (*)(void *))lib->free;
	unsigned int k = rand_cursor;

	for (long i = 0; i < n; i++, k++) {
		void *p = lib_malloc(rand_size(k));

		lib_free(opaque(p));
	}
	rand_cursor = k;
}

static noinline void jemalloc_random_loop(long n)
{
	lib_random_loop(JE, n);
}

static noinline void tcmalloc_random_loop(long n)
{
	lib_random_loop(TC, n);
}

static noinline void mimalloc_random_loop(long n)
{
	lib_random_loop(MI, n);
}

struct workload peer_workloads[] = {
	[PEER_GLIBC_4K] = { "peer_glibc_4k", glibc_4k_loop, 0, NULL, NULL, NULL },
	[PEER_GLIBC] = { "peer_glibc_random", glibc_random_loop, 0, NULL, NULL, NULL },
	[PEER_JEMALLOC] = { "peer_jemalloc_random", jemalloc_random_loop, 0, NULL, NULL, NULL },
	[PEER_TCMALLOC] = { "peer_tcmalloc_random", tcmalloc_random_loop, 0, NULL, NULL, NULL },
	[PEER_MIMALLOC] = { "peer_mimalloc_random", mimalloc_random_loop, 0, NULL, NULL, NULL },
};
const size_t nr_peer_workloads = ARRAY_SIZE(peer_workloads);

/* sym is defined by the library of handle h itself, not one it uses. */
static int defined_in(void *h, void *sym)
{
	struct link_map *map;
	Dl_info info;

	return sym && !dlinfo(h, RTLD_DI_LINKMAP, &map) && dladdr(sym, &info) &&
	       info.dli_fname && !strcmp(info.dli_fname, map->l_name);
}

/* 0, or -1 with lib->why set; 1: it needs more static TLS. */
static int peer_open(struct peer_lib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	const char *err;

	if (!h) {
		err = dlerror();
		if (err && strstr(err, "static TLS"))
			snprintf(lib->why, sizeof(lib->why), "%s (run with GLIBC_TUNABLES=%s)",
				 err, TLS_TUNABLE);
		else
			snprintf(lib->why, sizeof(lib->why), "%s (Debian package %s: make deps-bench)",
				 err ? err : lib->soname, lib->package);
		return err && strstr(err, "static TLS") ? 1 : -1;
	}
	lib->alloc = dlsym(h, lib->sym_alloc);
	lib->free = dlsym(h, lib->sym_free);
	if (!defined_in(h, lib->alloc) || !defined_in(h, lib->free)) {
		snprintf(lib->why, sizeof(lib->why), "%s does not define %s and %s",
			 lib->soname, lib->sym_alloc, lib->sym_free);
		lib->alloc = lib->free = NULL;
		return -1;
	}
	return 0;		/* kept open until exit */
}

/* Run the program again with more static TLS; returns if it cannot. */
static void reexec_with_static_tls(char **argv)
{
	const char *old = getenv("GLIBC_TUNABLES");
	char *val, *saved, self[4096];
	ssize_t len;

	if (RUNNING_ON_VALGRIND || (old && strstr(old, TLS_TUNABLE_NAME)))
		return;
	/* the program's own path, not /proc/self/exe: its name stays */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0 || len >= (ssize_t)sizeof(self) - 1)
		return;
	self[len] = '\0';
	if (asprintf(&val, "%s%s%s", old ? old : "", old && *old ? ":" : "", TLS_TUNABLE) < 0)
		return;
	saved = old ? strdup(old) : NULL;
	setenv("GLIBC_TUNABLES", val, 1);
	execv(self, argv);
	if (saved)
		setenv("GLIBC_TUNABLES", saved, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	free(saved);
	free(val);
}

void peers_load(char **argv)
{
	int need_tls = 0;

	for (size_t i = 0; i < ARRAY_SIZE(libs); i++)
		if (peer_open(&libs[i]) == 1)
			need_tls = 1;
	if (need_tls)
		reexec_with_static_tls(argv);
	for (size_t i = 0; i < ARRAY_SIZE(libs); i++)
		if (!libs[i].alloc)
			peer_workloads[libs[i].workload].skip = libs[i].why;
}
