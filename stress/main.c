// SPDX-License-Identifier: MIT
/*
 * stress/main.c - mmstress: until the harness lands, `mmstress run` is a
 * demo that boots a machine, prints buddyinfo, drives the page allocator
 * on every simulated CPU at once (random orders and gfp types, a pattern
 * written into every block and checked before it is freed), prints
 * buddyinfo again and runs mm_check().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mmsim.h>
#include "../numa/printk.h"

#define HELD_MAX 64

struct demo {
	double seconds;
	unsigned long long seed;
	unsigned long ops;		/* atomic: summed by the CPUs */
	unsigned long corrupt;		/* atomic */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned long long xorshift(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned long pattern_of(struct page *page)
{
	return (unsigned long)page_to_pfn(page) * 0x9e3779b97f4a7c15UL;
}

static void fill(struct page *page, unsigned int order)
{
	unsigned long *p = page_address(page), v = pattern_of(page);

	for (size_t i = 0; i < (PAGE_SIZE << order) / sizeof(long); i += 64)
		p[i] = v + i;
}

static int verify(struct page *page, unsigned int order)
{
	unsigned long *p = page_address(page), v = pattern_of(page);

	for (size_t i = 0; i < (PAGE_SIZE << order) / sizeof(long); i += 64)
		if (p[i] != v + i) {
			fprintf(stderr, "mmstress: pattern mismatch in pfn %#lx (order %u) at +%#zx: expected %#lx, found %#lx\n",
				page_to_pfn(page), order, i * sizeof(long), v + i, p[i]);
			return 1;
		}
	return 0;
}

static void demo_cpu(void *info)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, GFP_USER,
				      GFP_KERNEL | __GFP_ZERO, GFP_DMA32 };
	struct demo *d = info;
	struct { struct page *page; unsigned int order; } held[HELD_MAX];
	unsigned long long rng = d->seed * 0x2545f4914f6cdd1dULL + (unsigned)smp_processor_id() + 1;
	double end = now() + d->seconds;
	unsigned long ops = 0;
	int nheld = 0;

	while (now() < end) {
		for (int i = 0; i < 256; i++, ops++) {
			unsigned long long r = xorshift(&rng);

			if (nheld < HELD_MAX && (r & 1)) {
				unsigned int order = (r >> 8) % 4 ? 0 : (unsigned int)(r >> 12) % 6;
				gfp_t gfp = gfps[(r >> 20) % ARRAY_SIZE(gfps)] | __GFP_NOWARN;
				struct page *page = alloc_pages(gfp, order);

				if (!page)
					continue;
				fill(page, order);
				held[nheld].page = page;
				held[nheld++].order = order;
			} else if (nheld) {
				int k = (int)((r >> 32) % (unsigned)nheld);

				if (verify(held[k].page, held[k].order))
					__atomic_fetch_add(&d->corrupt, 1, __ATOMIC_RELAXED);
				__free_pages(held[k].page, held[k].order);
				held[k] = held[--nheld];
			}
		}
	}
	while (nheld--)
		__free_pages(held[nheld].page, held[nheld].order);
	__atomic_fetch_add(&d->ops, ops, __ATOMIC_RELAXED);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mmstress run [--boot CMDLINE] [--duration SECONDS] [--seed N]\n"
		"  Boots a simulated machine (default \"nodes=2 cpus=<2 x host PUs> mem=512M\"),\n"
		"  allocates and frees random orders on every CPU, checks every block's\n"
		"  pattern before freeing it, then runs mm_check().  Exit 0 clean, 1 a\n"
		"  violation was found, 2 bad usage.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "boot", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct demo d = { .seconds = 5, .seed = (unsigned long long)time(NULL) };
	char boot[512];
	const char *cmdline = NULL;
	int c, ret, violations;
	char *end;

	if (argc < 2 || strcmp(argv[1], "run")) {
		usage(argc < 2 || !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc < 2 || !strcmp(argv[1], "--help") ? 0 : 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "b:d:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			cmdline = optarg;
			break;
		case 'd':
			d.seconds = strtod(optarg, &end);
			if (*end || !(d.seconds > 0)) {
				fprintf(stderr, "mmstress: --duration '%s': expected a positive number of seconds\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			errno = 0;
			d.seed = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "mmstress: --seed '%s': expected an integer\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!cmdline) {
		snprintf(boot, sizeof(boot), "nodes=2 cpus=%ld mem=512M",
			 2 * max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
		cmdline = boot;
	}
	ret = mm_boot(cmdline);
	if (ret) {
		fprintf(stderr, "mmstress: cannot boot \"%s\": %s\n", cmdline, strerror(-ret));
		return 2;
	}
	printf("mmstress demo: boot \"%s\", seed %llu, %.1f s\n\nbuddyinfo before:\n",
	       cmdline, d.seed, d.seconds);
	mm_proc_show("buddyinfo", stdout);
	ret = mm_on_each_cpu(demo_cpu, &d);
	if (ret)
		fprintf(stderr, "mmstress: cannot start the CPUs: %s\n", strerror(-ret));
	printf("\nbuddyinfo after:\n");
	mm_proc_show("buddyinfo", stdout);
	violations = mm_check(stdout);
	printf("\n%lu operations on %u CPUs (%.0f ops/s), %lu corrupted blocks, "
	       "%d mm_check violations, %lu BUG/WARNING reports\n",
	       d.ops, num_online_cpus(), (double)d.ops / d.seconds, d.corrupt, violations,
	       report_violations());
	mm_shutdown();
	if (ret || violations || d.corrupt || report_violations()) {
		printf("FAIL: replay with: mmstress run --boot \"%s\" --seed %llu\n", cmdline, d.seed);
		return 1;
	}
	printf("PASS\n");
	return 0;
}
