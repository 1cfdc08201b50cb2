// SPDX-License-Identifier: MIT
/*
 * stress/main.c - the mmstress command line: run, list, topo.
 * Exit codes: 0 nothing found, 1 a violation, corruption, BUG or leak,
 * 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "mmstress.h"
#include "replay.h"

static void usage_main(FILE *out)
{
	fprintf(out,
		"usage: mmstress <command> [options]\n"
		"  run     stress the allocator on every simulated CPU and report\n"
		"  list    the jobs, one line each\n"
		"  topo    the simulated topology and its binding to the host\n"
		"  walk    the fail-nth walker: a scenario failed at each fault site in turn\n"
		"  replay  run again a failure a soak recorded: mmstress replay DIR\n"
		"Each command takes --help.  Exit: 0 clean, 1 something found, 2 bad usage.\n");
}

static void usage_run(FILE *out)
{
	fprintf(out,
		"usage: mmstress run [--boot CMDLINE] [--jobs NAME[:WEIGHT],...]\n"
		"                    [--duration SECONDS | --ops N] [--seed N] [--json FILE]\n"
		"                    [--check-every SECONDS] [--watchdog SECONDS] [--fail-fast]\n"
		"                    [--jitter LEVEL] [--fail SPEC] [--kmemleak[=SECONDS]] [--quiet]\n"
		"  --boot CMDLINE       the machine (default \"nodes=2 cpus=<2 x host PUs> mem=512M\")\n"
		"  --jobs LIST          jobs and weights (default: all, with `mmstress list`'s weights)\n"
		"  --duration SECONDS   how long to run (default 30)\n"
		"  --ops N              instead: exactly N operations per CPU; the same seed, boot\n"
		"                       line and jobs give the same per-CPU sequence (op-log hash)\n"
		"  --seed N             the seed (default: random, printed)\n"
		"  --json FILE          also write the report as JSON\n"
		"  --check-every S      mm_check() under stop_machine() at S, 2S, 3S... seconds from\n"
		"                       the start (default 5, 0: only at the end); one due while\n"
		"                       a check still runs is skipped (the report counts them)\n"
		"  --watchdog S         report a CPU with no progress for S seconds (default 10);\n"
		"                       an --ops run ends once only such CPUs are left; 2 S is\n"
		"                       the hung task timeout, and set-up and the end of the run\n"
		"                       may each last 5 s + 2 S at most\n"
		"  --fail-fast          end the run at the first violation (then release, check\n"
		"                       and report as at the end; each violation's time since\n"
		"                       the start is in the JSON, t_s)\n"
		"  --jitter LEVEL       widen race windows: seeded delays and yields at marked\n"
		"                       points of the allocator and the jobs, each CPU's from\n"
		"                       (seed, CPU); 0 off (default), 1..3 more and longer\n"
		"  --fail SPEC          fault injection (fail_page_alloc, failslab, fail-nth) once\n"
		"                       the jobs are set up: comma-separated page[:P] (P%% of\n"
		"                       page allocations, every order and gfp; default 1),\n"
		"                       slab[:P] (of slab/kmalloc allocations), nth:N (each CPU\n"
		"                       fails every N-th fault site it reaches), DIR/FILE=VALUE\n"
		"                       (a debugfs file: fail_page_alloc/interval=3); injected\n"
		"                       failures are counted apart, and one that leaves the\n"
		"                       CPU holding more than before the call is a leak\n"
		"  --kmemleak[=S]       boot with kmemleak=on (unless the boot line sets kmemleak=)\n"
		"                       and scan for unreferenced objects every S seconds (a whole\n"
		"                       number, default 1) from a host thread: any object kmemleak\n"
		"                       reports is a violation (kind kmemleak), but the leak job's\n"
		"                       deliberate leaks, which it must report (a leak eligible for\n"
		"                       2 scans and not reported: \"kmemleak missed a leak\"); objects\n"
		"                       count as old enough once 5 s of jiffies passed (hz_scale=)\n"
		"  --quiet              no banner, no progress line\n"
		"  --test-inject WHAT   for the harness's own tests: corrupt-byte | leak-page |\n"
		"                       hang-cpu (the last CPU spins with interrupts off) |\n"
		"                       corrupt-object (a byte of a slab object CPU 0 holds) |\n"
		"                       lost-unlock (set-up takes a spinlock it never releases,\n"
		"                       then takes it again) | write-after-free (CPU 0 writes a\n"
		"                       page it freed: boot debug_pagealloc=on) | wild-write\n"
		"                       (CPU 0 writes through a NULL pointer: the run crashes,\n"
		"                       with its report) | setup-hang (set-up blocks in the host\n"
		"                       for good, where no lockup detector sees it) | fail-leak\n"
		"                       (CPU 0 fails its 2nd page allocation by fail-nth and\n"
		"                       keeps the 1st: a leak after an injected failure) |\n"
		"                       lost-object (CPU 0 kmallocs 200 bytes and forgets them:\n"
		"                       --kmemleak reports them)\n"
		"Detectors (each reports in the kernel's shape and fails the run; a lockup\n"
		"ends it at once):\n"
		"  every build  spinlock lockup/recursion/bad unlock (spin_lockup_ms=, default\n"
		"               1000 ms, 10000 in TSan/ASan), soft lockup (watchdog_thresh=,\n"
		"               nosoftlockup), hung task, unanswered IPIs, mm_check() under\n"
		"               stop_machine() (a slab laid out wrong: kind layout), data\n"
		"               patterns, bad page state, misuse reports, lost wake-ups (a\n"
		"               mempool sleeper timed out while elements came back to its\n"
		"               reserve and nobody woke it: kind lost-wakeup), RCU\n"
		"               use-after-free (the rcu-free job's readers: BUG: KASAN)\n"
		"  TSan, ASan   ThreadSanitizer / AddressSanitizer+UBSan (make SAN=thread|address),\n"
		"               and lockdep (the lock validator: circular and recursive locking,\n"
		"               irq-unsafe use, bad unlock, locks held at detach, RCU misuse)\n"
		"  on request   lockdep in release (--boot \"... lockdep\"), slab_debug (red zones,\n"
		"               poison, owner tracking, each object's place in its slab),\n"
		"               debug_pagealloc=on (a freed page is unmapped: a use after free\n"
		"               faults and is reported, the run goes on; 2 mprotect()s per page\n"
		"               freed and allocated, no fast paths), page_poison=on (0xaa in\n"
		"               free pages, checked at allocation)\n"
		"  a crash      SIGSEGV/SIGBUS print an oops with the trace; the run's report\n"
		"               and replay line are still written before the process dies\n");
}

/* Bad usage of command cmd: one line, with where to read more; exit 2. */
int __printf(2, 3) bad_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmstress: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see mmstress %s --help)\n", cmd);
	return 2;
}

#define bad(fmt, ...)	bad_usage("run", fmt, ##__VA_ARGS__)

/* getopt's ':' (a value missing) or '?' (an unknown option) */
int bad_option(const char *cmd, int c, char **argv)
{
	return bad_usage(cmd, c == ':' ? "%s needs a value" : "unknown option '%s'",
			 argv[optind - 1]);
}

/* A --jobs name that is no job: name them all (mmstress list says more). */
static int bad_job(const char *name)
{
	fprintf(stderr, "mmstress: --jobs: unknown job '%s'; the jobs are", name);
	for (unsigned int j = 0; j < nr_jobs; j++)
		fprintf(stderr, "%s %s", j ? "," : "", jobs[j]->name);
	fprintf(stderr, " (mmstress list describes them)\n");
	return 2;
}

static int parse_jobs(struct options *o, const char *spec)
{
	char buf[256], *tok, *save = NULL;

	if (strlen(spec) >= sizeof(buf) || !*spec)
		return bad("--jobs '%s': expected NAME[:WEIGHT],...", spec);
	memset(o->weight, 0, sizeof(o->weight));
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		unsigned long w;
		int j;

		if (colon)
			*colon = '\0';
		j = job_index(tok);
		if (j < 0)
			return bad_job(tok);
		if (o->weight[j])
			return bad("job '%s' given twice", tok);
		if (colon) {
			char *end;

			errno = 0;
			w = strtoul(colon + 1, &end, 10);
			if (errno || end == colon + 1 || *end || colon[1] == '-' || w < 1 || w > 1000)
				return bad("bad weight '%s': expected an integer from 1 to 1000",
					   colon + 1);
		} else {
			/* an opt-in job (default weight 0) runs when named */
			w = jobs[j]->default_weight ? jobs[j]->default_weight : 1;
		}
		o->weight[j] = (unsigned int)w;
	}
	return 0;
}

static int parse_seconds(const char *arg, const char *what, double min_incl, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < min_incl || v > 1e7 ||
	    (min_incl == 0 && v < 0) || (min_incl > 0 && v <= 0)) {
		fprintf(stderr, "mmstress: %s '%s': expected %s number of seconds (see mmstress run --help)\n",
			what, arg, min_incl > 0 ? "a positive" : "a non-negative");
		return 2;
	}
	*out = v;
	return 0;
}

/* A string option (opt) copied into dst: 0, or 2 (bad usage) if too long. */
static int set_string(char *dst, size_t size, const char *opt, const char *what, const char *arg)
{
	if (strlen(arg) >= size)
		return bad("%s '%s': %s", opt, arg, what);
	snprintf(dst, size, "%s", arg);
	return 0;
}

/* An unsigned option (opt, >= min): 0, or 2 (bad usage) with want. */
static int set_u64(uint64_t *dst, uint64_t min, const char *opt, const char *want, const char *arg)
{
	char *end;

	errno = 0;
	*dst = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-' || *dst < min)
		return bad("%s '%s': expected %s", opt, arg, want);
	return 0;
}

static uint64_t random_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), 0) != sizeof(s))
		s = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	return s & 0xffffffffffffULL;	/* short enough to type */
}

static void default_boot(char *buf, size_t len)
{
	long pus = sysconf(_SC_NPROCESSORS_ONLN), cpus = 2 * (pus > 0 ? pus : 1);

	if (cpus > NR_CPUS) {
		cpus = NR_CPUS;
		fprintf(stderr, "mmstress: the host has %ld PUs: the default machine is capped "
			"at the model's %d CPUs\n", pus, NR_CPUS);
	}
	snprintf(buf, len, "nodes=2 cpus=%ld mem=512M", cpus);
}

static int cmd_run(int argc, char **argv, const char *prog)
{
	static const struct option opts[] = {
		{ "boot", required_argument, NULL, 'b' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ops", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "json", required_argument, NULL, 'J' },
		{ "check-every", required_argument, NULL, 'c' },
		{ "watchdog", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "fail-fast", no_argument, NULL, 'F' },
		{ "jitter", required_argument, NULL, 'x' },
		{ "fail", required_argument, NULL, 'f' },
		{ "test-inject", required_argument, NULL, 'T' },
		{ "kmemleak", optional_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct run run;
	struct options *o = &run.opt;
	int c, have_duration = 0, ret;

	memset(&run, 0, sizeof(run));
	spin_lock_init_name(&run.lock, "run->lock");
	snprintf(o->prog, sizeof(o->prog), "%s", prog);
	default_boot(o->boot, sizeof(o->boot));
	o->duration = 30;
	o->check_every = 5;
	o->watchdog = 10;
	o->seed = random_seed();
	for (unsigned int j = 0; j < nr_jobs; j++)
		o->weight[j] = jobs[j]->default_weight;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:j:d:n:s:J:c:w:qFx:f:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (set_string(o->boot, sizeof(o->boot), "--boot", "too long", optarg))
				return 2;
			break;
		case 'j':
			if (parse_jobs(o, optarg))
				return 2;
			break;
		case 'd':
			if (parse_seconds(optarg, "--duration", 1e-9, &o->duration))
				return 2;
			have_duration = 1;
			break;
		case 'n':
			if (set_u64(&o->ops, 1, "--ops", "a positive number of operations", optarg))
				return 2;
			break;
		case 's':
			if (set_u64(&o->seed, 0, "--seed", "a non-negative integer", optarg))
				return 2;
			break;
		case 'J':
			if (set_string(o->json, sizeof(o->json), "--json", "path too long", optarg))
				return 2;
			break;
		case 'c':
			if (parse_seconds(optarg, "--check-every", 0, &o->check_every))
				return 2;
			break;
		case 'w':
			if (parse_seconds(optarg, "--watchdog", 1e-9, &o->watchdog))
				return 2;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'F':
			o->fail_fast = 1;
			break;
		case 'f': {
			char why[160];

			if (set_string(o->fail, sizeof(o->fail), "--fail", "too long", optarg))
				return 2;
			if (fail_spec_check(o->fail, why, sizeof(why)))
				return bad("--fail '%s': %s", optarg, why);
			break;
		}
		case 'x': {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v > JITTER_MAX_LEVEL || optarg[0] == '-')
				return bad("--jitter '%s': expected a level from 0 (off) to %d",
					   optarg, JITTER_MAX_LEVEL);
			o->jitter = (unsigned int)v;
			break;
		}
		case 'K': {
			char *end;
			unsigned long v = 1;

			errno = 0;
			if (optarg)
				v = strtoul(optarg, &end, 10);
			if (optarg && (errno || end == optarg || *end || optarg[0] == '-' ||
				       v < 1 || v > 3600))
				return bad("--kmemleak=%s: expected a whole number of seconds from 1 "
					   "to 3600 between scans", optarg);
			o->kmemleak = (unsigned int)v;
			break;
		}
		case 'T':
			if (!strcmp(optarg, "corrupt-byte"))
				o->inject_corrupt = 1;
			else if (!strcmp(optarg, "leak-page"))
				o->inject_leak = 1;
			else if (!strcmp(optarg, "hang-cpu"))
				o->inject_hang = 1;
			else if (!strcmp(optarg, "corrupt-object"))
				o->inject_corrupt_obj = 1;
			else if (!strcmp(optarg, "lost-unlock"))
				o->inject_lost_unlock = 1;
			else if (!strcmp(optarg, "write-after-free"))
				o->inject_uaf = 1;
			else if (!strcmp(optarg, "wild-write"))
				o->inject_wild = 1;
			else if (!strcmp(optarg, "fail-leak"))
				o->inject_fail_leak = 1;
			else if (!strcmp(optarg, "setup-hang"))
				o->inject_setup_hang = 1;
			else if (!strcmp(optarg, "lost-object"))
				o->inject_lost_object = 1;
			else
				return bad("--test-inject '%s': expected corrupt-byte, leak-page, hang-cpu, "
					   "corrupt-object, lost-unlock, write-after-free, wild-write, "
					   "setup-hang, fail-leak or lost-object", optarg);
			break;
		case 'h':
			usage_run(stdout);
			return 0;
		default:
			return bad_option("run", c, argv);
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	if (have_duration && o->ops) {
		fprintf(stderr, "mmstress: give --duration or --ops, not both\n");
		return 2;
	}
	if (o->ops)
		o->duration = 0;
	/* --kmemleak boots with it, unless the line says what it wants */
	if (o->kmemleak && !strstr(o->boot, "kmemleak=")) {
		size_t l = strlen(o->boot);

		if (l + sizeof(" kmemleak=on") > sizeof(o->boot))
			return bad("--boot: too long to add kmemleak=on");
		snprintf(o->boot + l, sizeof(o->boot) - l, "%skmemleak=on", l ? " " : "");
	}
	/* the canonical job list, weights spelled out: the replay line uses it */
	o->jobs_spec[0] = '\0';
	for (unsigned int j = 0; j < nr_jobs; j++) {
		size_t l = strlen(o->jobs_spec);

		if (o->weight[j])
			snprintf(o->jobs_spec + l, sizeof(o->jobs_spec) - l, "%s%s:%u",
				 l ? "," : "", jobs[j]->name, o->weight[j]);
	}
	ret = harness_run(&run);
	if (ret == 2)
		return 2;
	return ret;
}

static int cmd_list(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: mmstress list\n  the jobs, their default weights and what they stress\n");
		return 0;
	}
	if (argc > 1)
		return bad_usage("list", "list: unexpected argument '%s'", argv[1]);
	for (unsigned int j = 0; j < nr_jobs; j++)
		printf("%-14s weight %-3u %s\n", jobs[j]->name, jobs[j]->default_weight, jobs[j]->what);
	return 0;
}

static void print_cpus_of_node(int nid, unsigned int nr_cpus)
{
	int first = -1;

	for (int k = 0; k <= (int)nr_cpus; k++) {
		int in = k < (int)nr_cpus && cpu_to_node((unsigned int)k) == nid;

		if (in && first < 0)
			first = k;
		if (!in && first >= 0) {
			printf(first == k - 1 ? " %d" : " %d-%d", first, k - 1);
			first = -1;
		}
	}
}

static int cmd_topo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "boot", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mm_machine_info mi;
	char boot[512];
	int c, ret;

	default_boot(boot, sizeof(boot));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			snprintf(boot, sizeof(boot), "%s", optarg);
			break;
		case 'h':
			printf("usage: mmstress topo [--boot CMDLINE]\n"
			       "  the simulated machine: nodes, their RAM and zones, CPUs, and the\n"
			       "  host PU and host node each CPU and node is bound to\n");
			return 0;
		default:
			return bad_option("topo", c, argv);
		}
	}
	if (optind < argc)
		return bad_usage("topo", "unexpected argument '%s'", argv[optind]);
	printk_set_quiet(1);
	ret = mm_boot(boot);
	if (ret) {
		fprintf(stderr, "mmstress: bad boot line \"%s\": %s\n", boot, strerror(-ret));
		return 2;
	}
	mm_machine_info(&mi);
	printf("machine: %s, %u node%s, %u CPU%s, topology \"%s\", boot \"%s\"\n", mi.arch,
	       mi.nr_nodes, str_plural(mi.nr_nodes), mi.nr_cpus, str_plural(mi.nr_cpus),
	       mi.topology, boot);
	printf("host: %u PU%s, %u NUMA node%s; node memory %s\n", mi.host_pus,
	       str_plural(mi.host_pus), mi.host_nodes, str_plural(mi.host_nodes),
	       mi.membind_ok ? "bound strictly to host nodes" :
	       mi.host_nodes < 2 ? "not bound (the host has one node)" :
	       "NOT bound: binding failed");
	for (int nid = 0; nid < (int)mi.nr_nodes; nid++) {
		struct mm_node_info ni;

		mm_node_info(nid, &ni);
		printf("node %d: RAM [%#llx-%#llx] %lluM, CPUs", nid, ni.start,
		       ni.start + ni.size - 1, ni.size >> 20);
		print_cpus_of_node(nid, mi.nr_cpus);
		if (ni.host_node >= 0)
			printf(", host node %d\n", ni.host_node);
		else
			printf(", host node %u (not bound)\n", (unsigned int)nid % mi.host_nodes);
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;

			if (zone_info_read(nid, (enum zone_type)z, &zi))
				continue;	/* no pages */
			printf("  zone %-8s pfn [%#lx-%#lx) %lu page%s, %luM, batch %d\n",
			       zi.name, zi.zone_start_pfn, zi.zone_start_pfn + zi.spanned_pages,
			       zi.present_pages, str_plural(zi.present_pages),
			       zi.present_pages >> (20 - PAGE_SHIFT), zi.batch);
		}
	}
	for (unsigned int k = 0; k < mi.nr_cpus; k++)
		printf("cpu %u: node %d, host PU %d\n", k, cpu_to_node(k), cpu_host_pu(k));
	printf("node distances:\n     ");
	for (unsigned int j = 0; j < mi.nr_nodes; j++)
		printf("%4u", j);
	printf("\n");
	for (unsigned int i = 0; i < mi.nr_nodes; i++) {
		printf("%4u:", i);
		for (unsigned int j = 0; j < mi.nr_nodes; j++)
			printf("%4d", node_distance((int)i, (int)j));
		printf("\n");
	}
	mm_shutdown();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage_main(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1, argv[0]);
	if (!strcmp(argv[1], "walk"))
		return cmd_walk(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "topo"))
		return cmd_topo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	fprintf(stderr, "mmstress: unknown command '%s'\n", argv[1]);
	usage_main(stderr);
	return 2;
}
