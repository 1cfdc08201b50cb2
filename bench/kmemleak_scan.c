// SPDX-License-Identifier: MIT
/*
 * bench/kmemleak_scan.c - mmbench --kmemleak-scan[=N,...]: how long one
 * kmemleak scan takes with N live objects.
 *
 * For each N it boots a machine with kmemleak=on (one node, two CPUs,
 * RAM enough for the objects), and on CPU 0 allocates N kmalloc blocks
 * of a seeded mix of sizes (16..512 bytes), each filled with a pattern
 * (no pointers), held by a host table registered grey: the scan reads
 * the table, finds every object through it and reads every object once.
 * It then times REPS scans (mm_debugfs_write("kmemleak", "scan"), from a
 * thread that is no CPU, as the harness's scan thread) and prints the
 * fastest, the median and the slowest, with the objects' bytes.  Nothing
 * is reported: every object is referenced.
 *
 * Who touches what: each run is a thread of its own, attached as CPU 0 of
 * the machine it booted and detached while it times the scans; the main
 * thread waits for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mmsim.h>
#include <mmsim/kmemleak.h>
#include "mmbench.h"

#define REPS	5

struct scan_job {
	long n;
	int ret;
	double ms[REPS];
	unsigned long long bytes;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void *scan_job_main(void *arg)
{
	struct scan_job *j = arg;
	unsigned long long seed = 0x9e3779b97f4a7c15ULL;
	void **table;
	char boot[128];
	long i;

	/* the objects and the kernel's own with room to spare */
	snprintf(boot, sizeof(boot), "mem=%ldM nodes=1 cpus=2 kmemleak=on",
		 256 + j->n * 640 / (1 << 20));
	table = calloc((size_t)j->n, sizeof(*table));
	if (!table) {
		j->ret = -ENOMEM;
		return NULL;
	}
	printk_set_quiet(1);
	j->ret = mm_boot(boot);
	if (j->ret)
		goto out_free;
	j->ret = mm_cpu_attach(0);
	if (j->ret)
		goto out_shutdown;
	mm_debugfs_write("kmemleak", "scan=0");
	kmemleak_alloc(table, (size_t)j->n * sizeof(*table), KMEMLEAK_GREY, GFP_KERNEL);
	for (i = 0; i < j->n; i++) {
		size_t size;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		size = 16 + (size_t)(seed % 497);
		table[i] = kmalloc(size, GFP_KERNEL);
		if (!table[i]) {
			j->ret = -ENOMEM;
			break;
		}
		memset(table[i], 0x5a, size);
		j->bytes += size;
	}
	/* timed from no CPU, as a scan thread would */
	mm_cpu_detach();
	for (int r = 0; !j->ret && r < REPS; r++) {
		double t0 = now_ms();

		j->ret = mm_debugfs_write("kmemleak", "scan");
		j->ms[r] = now_ms() - t0;
	}
	if (mm_cpu_attach(0)) {
		j->ret = -EBUSY;
		goto out_shutdown;
	}
	for (long k = 0; k < i; k++)
		kfree(table[k]);
	kmemleak_free(table);
	mm_cpu_detach();
out_shutdown:
	mm_shutdown();
out_free:
	free(table);
	return NULL;
}

int kmemleak_scan_report(const char *list)
{
	const char *p = list;
	int failed = 0;

	printf("%-10s %12s %10s %10s %10s\n", "objects", "bytes", "min ms", "median ms",
	       "max ms");
	while (*p) {
		struct scan_job j = { 0 };
		pthread_t tid;
		char *end;

		j.n = strtol(p, &end, 10);
		if (end == p || j.n <= 0 || (*end && *end != ',')) {
			fprintf(stderr, "mmbench: --kmemleak-scan: bad count in \"%s\"\n", list);
			return 2;
		}
		p = *end ? end + 1 : end;
		if (pthread_create(&tid, NULL, scan_job_main, &j))
			return 1;
		pthread_join(tid, NULL);
		if (j.ret) {
			fprintf(stderr, "mmbench: --kmemleak-scan: %ld objects: %s\n", j.n,
				strerror(-j.ret));
			failed = 1;
			continue;
		}
		qsort(j.ms, REPS, sizeof(j.ms[0]), cmp_double);
		printf("%-10ld %12llu %10.1f %10.1f %10.1f\n", j.n, j.bytes, j.ms[0],
		       j.ms[REPS / 2], j.ms[REPS - 1]);
		fflush(stdout);
	}
	return failed;
}
