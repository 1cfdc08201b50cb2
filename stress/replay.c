// SPDX-License-Identifier: MIT
/*
 * stress/replay.c - mmstress replay DIR: run again the run a soak failure
 * recorded (ci/soak writes DIR).  DIR/command is the run's argv, one
 * argument a line (the first the binary as ci/soak called it); DIR/build
 * names the build (release, tsan or asan) on its first line and the
 * binary's path from the top of the checkout on its second.  The binary is
 * looked for in the checkout this mmstress belongs to (the directory above
 * its build directory, through /proc/self/exe; --root DIR: another), so a
 * folder downloaded from a CI run replays in any checkout of that commit
 * whose build was made.  The recorded --json is replaced by
 * DIR/replay.json; the run is exec'ed, so its exit status is the replay's.
 * A bad DIR or a missing build: a message, exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay.h"

#define MAX_ARGS	128
#define MAX_LINE	4096

void usage_replay(FILE *out)
{
	fprintf(out,
		"usage: mmstress replay [--print] [--root CHECKOUT] DIR\n"
		"  run again the failed run a soak recorded in DIR (ci/soak's artifacts\n"
		"  folder, e.g. soak-artifacts/tsan-12-4711/): the same binary (DIR/build:\n"
		"  build/, build-tsan/ or build-asan/ of this checkout, which must be\n"
		"  built: make, make SAN=thread, make SAN=address) with the same arguments\n"
		"  (DIR/command), the JSON report into DIR/replay.json.  Exit: the run's\n"
		"  (0 clean, 1 something found), 2 a bad DIR or a build not made.\n"
		"  --print          print the command instead of running it\n"
		"  --root CHECKOUT  the checkout whose builds to use (default: the one this\n"
		"                   mmstress is in, the directory above its build directory)\n");
}

static int __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmstress replay: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return 2;
}

/*
 * The lines of DIR/name (without their newlines) into lines[], at most max:
 * their number, or -1 (a message printed) if the file cannot be read, has a
 * line too long or too many lines.
 */
static int read_lines(const char *dir, const char *name, char **lines, int max)
{
	char path[PATH_MAX], buf[MAX_LINE];
	FILE *f;
	int n = 0, bad = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f) {
		fail("cannot read %s: %s (is %s a soak artifacts folder?)", path, strerror(errno),
		     dir);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t l = strlen(buf);

		if (l && buf[l - 1] != '\n' && !feof(f)) {
			fail("%s: line %d is too long", path, n + 1);
			bad = 1;
			break;
		}
		while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
			buf[--l] = '\0';
		if (n == max) {
			fail("%s: more than %d lines", path, max);
			bad = 1;
			break;
		}
		lines[n] = strdup(buf);
		if (!lines[n]) {
			fail("out of memory");
			bad = 1;
			break;
		}
		n++;
	}
	fclose(f);
	if (bad) {
		while (n > 0)
			free(lines[--n]);
		return -1;
	}
	return n;
}

static const char *make_command(const char *build)
{
	if (!strcmp(build, "tsan"))
		return "make SAN=thread";
	if (!strcmp(build, "asan"))
		return "make SAN=address";
	return "make";
}

/* The checkout this binary is in: the directory above its build directory. */
static int self_root(char *root, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(root, len, "%s", dirname(dirname(self)));
	return 0;
}

static void print_word(const char *w, FILE *out)
{
	if (*w && !strpbrk(w, " \t\"'\\$`!*?;&|<>()[]{}#~")) {
		fputs(w, out);
		return;
	}
	fputc('\'', out);
	for (; *w; w++) {
		if (*w == '\'')
			fputs("'\\''", out);
		else
			fputc(*w, out);
	}
	fputc('\'', out);
}

int cmd_replay(int argc, char **argv)
{
	char *cmd[MAX_ARGS], *build[4], root[PATH_MAX] = "", bin[PATH_MAX], json[PATH_MAX];
	char *args[MAX_ARGS + 3];
	const char *dir = NULL;
	int print = 0, nc = 0, nb, na = 0, ret;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage_replay(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--print")) {
			print = 1;
		} else if (!strcmp(argv[i], "--root")) {
			if (++i == argc)
				return fail("--root needs a value (see mmstress replay --help)");
			snprintf(root, sizeof(root), "%s", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return fail("unknown option '%s' (see mmstress replay --help)", argv[i]);
		} else if (dir) {
			return fail("unexpected argument '%s' (see mmstress replay --help)", argv[i]);
		} else {
			dir = argv[i];
		}
	}
	if (!dir)
		return fail("which folder? usage: mmstress replay DIR (see mmstress replay --help)");
	if (stat(dir, &st))
		return fail("%s: %s (expected a soak artifacts folder)", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail("%s: not a directory (expected a soak artifacts folder)", dir);

	nb = read_lines(dir, "build", build, 4);
	if (nb < 0)
		return 2;
	if (nb < 2 || (strcmp(build[0], "release") && strcmp(build[0], "tsan") &&
		       strcmp(build[0], "asan"))) {
		ret = fail("%s/build: expected the build (release, tsan or asan) on its first line "
			   "and the binary's path from the top of the checkout on its second", dir);
		goto out;
	}
	if (!build[1][0] || build[1][0] == '/' || strstr(build[1], "..")) {
		ret = fail("%s/build: the binary's path '%s' is not a path inside the checkout",
			   dir, build[1]);
		goto out;
	}
	nc = read_lines(dir, "command", cmd, MAX_ARGS);
	if (nc < 0) {
		ret = 2;
		goto out;
	}
	if (nc < 2 || strcmp(cmd[1], "run")) {
		ret = fail("%s/command: expected an mmstress run's arguments, one a line "
			   "(the binary, then run, then its options)", dir);
		goto out;
	}

	if (!root[0] && self_root(root, sizeof(root))) {
		ret = fail("cannot find this binary (/proc/self/exe): give --root CHECKOUT");
		goto out;
	}
	snprintf(bin, sizeof(bin), "%s/%s", root, build[1]);
	if (access(bin, X_OK)) {
		ret = fail("the %s build's %s is not in %s: build it first: %s", build[0], build[1],
			   root, make_command(build[0]));
		goto out;
	}

	/* the recorded arguments, its --json report replaced by DIR/replay.json */
	snprintf(json, sizeof(json), "%s/replay.json", dir);
	args[na++] = bin;
	for (int i = 1; i < nc; i++) {
		if (!strcmp(cmd[i], "--json")) {
			i++;
			continue;
		}
		if (!strncmp(cmd[i], "--json=", 7))
			continue;
		args[na++] = cmd[i];
	}
	args[na++] = "--json";
	args[na++] = json;
	args[na] = NULL;

	fprintf(print ? stdout : stderr, "%s", print ? "" : "mmstress replay: ");
	for (int i = 0; i < na; i++) {
		if (i)
			fputc(' ', print ? stdout : stderr);
		print_word(args[i], print ? stdout : stderr);
	}
	fputc('\n', print ? stdout : stderr);
	if (print) {
		ret = 0;
		goto out;
	}
	fflush(NULL);
	/* the sanitizer settings of the Makefile and ci/soak, unless given */
	setenv("TSAN_OPTIONS", "halt_on_error=1 second_deadlock_stack=1", 0);
	setenv("ASAN_OPTIONS", "detect_leaks=1 abort_on_error=0 halt_on_error=1", 0);
	setenv("UBSAN_OPTIONS", "print_stacktrace=1 halt_on_error=1", 0);
	execv(bin, args);
	ret = fail("cannot run %s: %s", bin, strerror(errno));
out:
	for (int i = 0; i < nb; i++)
		free(build[i]);
	for (int i = 0; i < nc; i++)
		free(cmd[i]);
	return ret;
}
