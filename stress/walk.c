// SPDX-License-Identifier: MIT
/*
 * stress/walk.c - `mmstress walk`: the fail-nth walker.  A small scenario
 * (pages of several orders and nodes, slab objects, kmalloc, krealloc,
 * three kinds of mempool with a resize) runs once per fault site: run n
 * boots a fresh machine, fails the n-th fault site the scenario reaches
 * (the calling CPU's fail-nth, with fail_page_alloc's and failslab's
 * filters open: every order and gfp), and checks that the failure was
 * handled: the scenario unwinds, the CPU's footprint (pages and slab
 * objects it holds) is back where it was, mm_check() passes (the
 * conservation law and every structure), and mm_shutdown() reports no
 * leak.  The walk ends with the first run whose fail-nth did not fire:
 * the scenario then reached fewer than n sites and completed.
 *
 * A fresh machine per run makes the n-th site the same code path in every
 * run (the caches start empty each time); the site's identity is the call
 * chain of the injection (current->fail_site).  Everything here runs on
 * the main thread, attached as CPU 0.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mmstress.h"

#define WALK_MAX_DEFAULT	10000
#define WALK_OBJS		6
#define WALK_ELEMS		6

/* The scenario's steps, for the report: the first one that saw a NULL. */
static const char *const step_name[] = {
	"(absorbed: none)", "alloc_pages order 2", "alloc_pages_node other node", "get_zeroed_page",
	"__get_free_pages atomic order 1", "kmem_cache_alloc", "kmalloc", "kzalloc_node",
	"kcalloc", "krealloc", "mempool_create_kmalloc_pool", "mempool_alloc (kmalloc)",
	"mempool_resize", "mempool_create_page_pool", "mempool_alloc (pages)",
	"mempool_create_slab_pool", "mempool_alloc (slab)", "vmalloc", "vzalloc_node other node",
	"vmap",
};
enum { NR_STEPS = sizeof(step_name) / sizeof(step_name[0]) };

/* Everything one run of the scenario holds. */
struct walk_hold {
	struct page *pages[3];
	unsigned long addr[2];
	void *objs[WALK_OBJS];
	void *k[4];
	mempool_t *pool[3];
	void *elems[3][WALK_ELEMS];
	void *v[3];			/* vmalloc, vzalloc_node, vmap */
};

/* A NULL at step s: remembered (the first), and the scenario unwinds. */
#define CHECK(ptr, s)					\
	do {						\
		if (!(ptr)) {				\
			if (!failed)			\
				failed = (s);		\
			goto unwind;			\
		}					\
	} while (0)

/*
 * Allocate, use and free: 0 if every step got what it asked for, else the
 * first step that got NULL.  It gives back everything in any case.
 */
static int scenario(struct kmem_cache *cache)
{
	struct walk_hold h;
	int failed = 0, other = (int)num_online_nodes() - 1;

	memset(&h, 0, sizeof(h));
	CHECK(h.pages[0] = alloc_pages(GFP_KERNEL, 2), 1);
	CHECK(h.pages[1] = alloc_pages_node(other, GFP_KERNEL | __GFP_NOWARN, 0), 2);
	CHECK(h.addr[0] = get_zeroed_page(GFP_KERNEL), 3);
	CHECK(h.addr[1] = __get_free_pages(GFP_ATOMIC | __GFP_NOWARN, 1), 4);
	for (int i = 0; i < WALK_OBJS; i++)
		CHECK(h.objs[i] = kmem_cache_alloc(cache, GFP_KERNEL), 5);
	CHECK(h.k[0] = kmalloc(100, GFP_KERNEL), 6);
	CHECK(h.k[1] = kzalloc_node(3000, GFP_KERNEL, other), 7);
	CHECK(h.k[2] = kcalloc(40, 16, GFP_NOWAIT | __GFP_NOWARN), 8);
	{
		void *p = krealloc(h.k[0], 900, GFP_KERNEL);

		CHECK(p, 9);		/* on failure k[0] is still ours */
		h.k[0] = p;
	}
	CHECK(h.pool[0] = mempool_create_kmalloc_pool(3, 256), 10);
	for (int i = 0; i < WALK_ELEMS; i++) {
		/* the reserve covers the first three whatever the backing does */
		h.elems[0][i] = mempool_alloc(h.pool[0], i < 3 ? GFP_KERNEL : GFP_NOWAIT);
		if (i < 3)
			CHECK(h.elems[0][i], 11);
	}
	if (mempool_resize(h.pool[0], 5)) {
		failed = failed ? failed : 12;
		goto unwind;
	}
	CHECK(h.pool[1] = mempool_create_page_pool(2, 1), 13);
	for (int i = 0; i < 3; i++)
		h.elems[1][i] = mempool_alloc(h.pool[1], i < 2 ? GFP_KERNEL : GFP_NOWAIT);
	CHECK(h.elems[1][0] && h.elems[1][1], 14);
	CHECK(h.pool[2] = mempool_create_slab_pool(2, cache), 15);
	for (int i = 0; i < 4; i++)
		h.elems[2][i] = mempool_alloc(h.pool[2], i < 2 ? GFP_KERNEL : GFP_ATOMIC);
	CHECK(h.elems[2][0] && h.elems[2][1], 16);
	CHECK(h.v[0] = vmalloc(3 * PAGE_SIZE), 17);
	CHECK(h.v[1] = vzalloc_node(2 * PAGE_SIZE, other), 18);
	CHECK(h.v[2] = vmap(h.pages, 1, VM_MAP, PAGE_KERNEL), 19);

unwind:
	if (h.v[2])
		vunmap(h.v[2]);
	vfree(h.v[1]);
	vfree(h.v[0]);
	/* the freed areas' addresses back now: nothing outlives the run */
	vm_unmap_aliases();
	for (int p = 2; p >= 0; p--) {
		if (!h.pool[p])
			continue;
		for (int i = 0; i < WALK_ELEMS; i++)
			if (h.elems[p][i])
				mempool_free(h.elems[p][i], h.pool[p]);
		mempool_destroy(h.pool[p]);
	}
	for (int i = 0; i < 4; i++)
		kfree(h.k[i]);
	for (int i = 0; i < WALK_OBJS; i++)
		if (h.objs[i])
			kmem_cache_free(cache, h.objs[i]);
	for (int i = 0; i < 2; i++)
		if (h.addr[i])
			free_pages(h.addr[i], (unsigned int)i);
	if (h.pages[0])
		__free_pages(h.pages[0], 2);
	if (h.pages[1])
		__free_pages(h.pages[1], 0);
	return failed;
}

/* The filters open (every order and gfp fails), quiet unless asked. */
static int open_filters(int verbose)
{
	static const char *const w[][2] = {
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "failslab/ignore-gfp-wait", "N" },
	};
	char v[4];

	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		if (mm_debugfs_write(w[i][0], w[i][1]))
			return -1;
	snprintf(v, sizeof(v), "%d", verbose ? 2 : 0);
	if (mm_debugfs_write("fail_page_alloc/verbose", v) ||
	    mm_debugfs_write("failslab/verbose", v))
		return -1;
	return 0;
}

/* fault_stats' counter name, after the run. */
static unsigned long stat_value(const char *stats, const char *name)
{
	const char *p = strstr(stats, name);

	return p ? strtoul(p + strlen(name), NULL, 10) : 0;
}

struct walk_result {
	int fired;		/* the n-th site was reached and failed */
	int step;		/* the scenario's first failed step, 0 none */
	const char *cap;	/* which capability injected it */
	unsigned long site;	/* its call chain (hash) */
	long pages, objects;	/* footprint left behind (0: none) */
	int check;		/* mm_check()'s violations */
	unsigned long reports;	/* reports (BUG, WARNING, leak) during the run */
};

/* One run: boot, fail the n-th site, check.  0, or -1 if the machine
 * would not boot or attach (a message printed). */
static int walk_one(const char *boot, unsigned int n, int verbose, struct walk_result *res)
{
	unsigned long before = report_violations();
	struct kmem_cache *cache;
	char stats[256] = "", nth[16];
	long pages, objects;
	FILE *f;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = mm_boot(boot);
	if (ret) {
		fprintf(stderr, "mmstress walk: bad boot line \"%s\": %s\n", boot, strerror(-ret));
		return -1;
	}
	ret = mm_cpu_attach(0);
	if (ret || open_filters(verbose)) {
		fprintf(stderr, "mmstress walk: cannot set the machine up: %s\n", strerror(-ret));
		if (!ret)
			mm_cpu_detach();
		mm_shutdown();
		return -1;
	}
	/* not a fault site (its tables are the host's): made before arming */
	cache = kmem_cache_create("walk-obj", 200, 0, SLAB_HWCACHE_ALIGN, NULL);
	pages = current->fp_pages;
	objects = current->fp_objects;
	snprintf(nth, sizeof(nth), "%u", n);
	mm_debugfs_write("fail-nth", nth);
	res->step = cache ? scenario(cache) : NR_STEPS;
	res->fired = current->fail_nth == 0;
	mm_debugfs_write("fail-nth", "0");
	res->site = res->fired ? current->fail_site : 0;
	res->pages = current->fp_pages - pages;
	res->objects = current->fp_objects - objects;
	f = fmemopen(stats, sizeof(stats), "w");
	if (f) {
		mm_debugfs_show("fault_stats", f);
		fclose(f);
	}
	res->cap = stat_value(stats, "failslab_injected ") ? "failslab" :
		   stat_value(stats, "fail_page_alloc_injected ") ? "fail_page_alloc" : "-";
	if (cache)
		kmem_cache_destroy(cache);
	{
		/* the check's text only when it finds something */
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);

		res->check = mm_check(m);
		if (m)
			fclose(m);
		if (res->check && text)
			fputs(text, stderr);
		free(text);
	}
	mm_cpu_detach();
	mm_shutdown();
	res->reports = report_violations() - before;
	return 0;
}

static int site_seen(const unsigned long *sites, unsigned int n, unsigned long s)
{
	for (unsigned int i = 0; i < n; i++)
		if (sites[i] == s)
			return 1;
	return 0;
}

int cmd_walk(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "boot", required_argument, NULL, 'b' },
		{ "max", required_argument, NULL, 'm' },
		{ "json", required_argument, NULL, 'J' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *boot = "nodes=2 cpus=2 mem=64M", *json = NULL;
	unsigned long *sites = NULL, bad = 0, max = WALK_MAX_DEFAULT;
	unsigned int n, distinct = 0;
	struct walk_result res;
	json_t *root, *runs;
	int c, verbose = 0, done = 0;
	FILE *devnull = NULL;
	char *end;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:m:J:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			boot = optarg;
			break;
		case 'm':
			errno = 0;
			max = strtoul(optarg, &end, 10);
			if (errno || *end || !max || optarg[0] == '-' || max > 1000000)
				return bad_usage("walk", "--max '%s': expected 1 to 1000000", optarg);
			break;
		case 'J':
			json = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			printf("usage: mmstress walk [--boot CMDLINE] [--max N] [--json FILE] [--verbose]\n"
			       "  the fail-nth walker: run a scenario of page, slab, kmalloc and mempool\n"
			       "  calls once per fault site, failing the 1st, 2nd, ... site it reaches\n"
			       "  (a fresh machine each time), until it completes without reaching the\n"
			       "  next; after each, the CPU must hold nothing more than before, mm_check()\n"
			       "  must pass and mm_shutdown() must find no leak\n"
			       "  --boot CMDLINE  the machine (default \"nodes=2 cpus=2 mem=64M\")\n"
			       "  --max N         give up after N sites (default %d)\n"
			       "  --json FILE     also write each run and the totals as JSON\n"
			       "  --verbose       the kernel's FAULT_INJECTION lines and trace per site\n",
			       WALK_MAX_DEFAULT);
			return 0;
		default:
			return bad_option("walk", c, argv);
		}
	}
	if (optind < argc)
		return bad_usage("walk", "unexpected argument '%s'", argv[optind]);
	sites = calloc(max, sizeof(*sites));
	root = json_object();
	runs = json_array();
	if (!sites || !root || !runs) {
		fprintf(stderr, "mmstress: out of memory\n");
		return 2;
	}
	printk_set_quiet(!verbose);
	/* the kernel's messages of the failures it makes (vmalloc's
	 * allocation failure warnings): only with --verbose; BUGs and leaks
	 * are counted all the same (report_violations()) and summed up here */
	if (!verbose) {
		devnull = fopen("/dev/null", "w");
		if (devnull)
			printk_set_output(devnull);
	}
	printf("mmstress walk: boot \"%s\"\n", boot);
	printf("%6s  %-16s %-16s  %-32s %s\n", "site", "capability", "call chain", "first failed step",
	       "checks");
	for (n = 1; n <= max && !done; n++) {
		int ok;

		if (walk_one(boot, n, verbose, &res)) {
			if (devnull) {
				printk_set_output(NULL);
				fclose(devnull);
			}
			free(sites);
			json_decref(root);
			json_decref(runs);
			return 2;
		}
		ok = !res.pages && !res.objects && !res.check && !res.reports;
		if (!res.fired) {
			done = 1;
			printf("%6u  (not reached: the scenario %s with %u fault site%s)%s\n", n,
			       res.step ? "failed" : "completed", n - 1, str_plural(n - 1),
			       ok ? "" : " LEAK OR BUG");
		} else {
			if (!site_seen(sites, distinct, res.site))
				sites[distinct++] = res.site;
			printf("%6u  %-16s %016lx  %-32s %s\n", n, res.cap, res.site,
			       step_name[res.step < (int)NR_STEPS ? res.step : 0],
			       ok ? "ok" : "FAILED");
		}
		if (!ok) {
			bad++;
			printf("        left %ld page%s and %ld slab object%s; mm_check() %d violation%s; %lu report%s%s\n",
			       res.pages, str_plural(res.pages), res.objects, str_plural(res.objects),
			       res.check, str_plural(res.check), res.reports, str_plural(res.reports),
			       res.reports && !verbose ? " (--verbose prints them)" : "");
		}
		json_array_append_new(runs, json_pack("{s:i, s:b, s:s, s:s, s:s, s:I, s:I, s:i, s:I}",
			"n", (int)n, "fired", res.fired, "capability", res.cap, "site", "",
			"step", step_name[res.step < (int)NR_STEPS ? res.step : 0],
			"pages_left", (json_int_t)res.pages, "objects_left", (json_int_t)res.objects,
			"check_violations", res.check, "reports", (json_int_t)res.reports));
		if (res.fired) {
			char hex[24];

			snprintf(hex, sizeof(hex), "%016lx", res.site);
			json_object_set_new(json_array_get(runs, json_array_size(runs) - 1), "site",
					    json_string(hex));
		}
	}
	printf("mmstress walk: %u fault site%s walked, %u distinct call chain%s, %lu with a leak or a BUG%s\n",
	       n - 1 - done, str_plural(n - 1 - done), distinct, str_plural(distinct), bad,
	       done ? "" : "; stopped at --max before the scenario completed");
	json_object_set_new(root, "boot", json_string(boot));
	json_object_set_new(root, "sites", json_integer((json_int_t)(n - 1 - done)));
	json_object_set_new(root, "distinct_sites", json_integer(distinct));
	json_object_set_new(root, "failed", json_integer((json_int_t)bad));
	json_object_set_new(root, "completed", json_boolean(done));
	json_object_set_new(root, "runs", runs);
	if (json && json_dump_file(root, json, JSON_INDENT(1))) {
		fprintf(stderr, "mmstress walk: cannot write %s\n", json);
		bad++;
	}
	json_decref(root);
	free(sites);
	if (devnull) {
		printk_set_output(NULL);
		fclose(devnull);
	}
	return bad || !done ? 1 : 0;
}
