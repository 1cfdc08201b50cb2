// SPDX-License-Identifier: MIT
/*
 * stress/fail.c - fault injection for a run: `mmstress run --fail SPEC`.
 *
 * SPEC is a comma-separated list, applied in order with mm_debugfs_write()
 * once the jobs are set up and before the CPUs start (so the set-up never
 * meets an injected failure), and switched off once every CPU has stopped:
 *
 *   page[:P]	fail_page_alloc: P percent (default 1) of every page
 *		allocation, whatever its order and gfp (min-order 0,
 *		ignore-gfp-wait and ignore-gfp-highmem N), no limit on times
 *   slab[:P]	failslab likewise (ignore-gfp-wait N)
 *   nth:N	every CPU fails the N-th fault site it reaches, then the N-th
 *		after that, and so on (its fail-nth, re-armed between
 *		operations); both capabilities' filters are opened as above
 *   DIR/FILE=VALUE
 *		any debugfs file of fail_page_alloc/, failslab/ or
 *		slab/<cache>/failslab, written as given (after the shorthands
 *		before it: `page:5,fail_page_alloc/min-order=1`)
 *
 * The shorthands set verbose to 0: the injected failures are counted (the
 * report's "injected" column and its fault_injection section), not
 * printed.  The main thread owns everything here but fail_cpu_rearm(),
 * which touches only its CPU's own fail-nth.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmstress.h"

#define FAIL_DEFAULT_PERCENT	1

/* One item of the spec: a shorthand (what its name says) or a write. */
struct fail_item {
	char path[96];
	char value[64];
	int shorthand;		/* 'p', 's', 'n', or 0: path=value */
	unsigned long n;	/* the shorthand's P or N */
};

/* A decimal number in [lo, hi]: 0, or -1. */
static int number(const char *s, unsigned long long lo, unsigned long long hi,
		  unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out < lo || *out > hi ? -1 : 0;
}

/* The next item of *spec: 1, 0 at its end, -1 with why. */
static int is_probability(const char *path);

static int next_item(const char **spec, struct fail_item *it, char *why, size_t len)
{
	const char *s = *spec, *end, *eq, *colon;
	unsigned long long v;
	char tok[192];
	size_t n;

	if (!*s)
		return 0;
	end = strchr(s, ',');
	n = end ? (size_t)(end - s) : strlen(s);
	*spec = end ? end + 1 : s + n;
	if (!n || n >= sizeof(tok)) {
		snprintf(why, len, "an empty or over-long item");
		return -1;
	}
	memcpy(tok, s, n);
	tok[n] = '\0';
	memset(it, 0, sizeof(*it));
	eq = strchr(tok, '=');
	if (eq) {
		if (eq == tok || !eq[1] || (size_t)(eq - tok) >= sizeof(it->path) ||
		    strlen(eq + 1) >= sizeof(it->value)) {
			snprintf(why, len, "'%s': expected DIR/FILE=VALUE", tok);
			return -1;
		}
		memcpy(it->path, tok, (size_t)(eq - tok));
		snprintf(it->value, sizeof(it->value), "%s", eq + 1);
		if (strncmp(it->path, "fail_page_alloc/", 16) && strncmp(it->path, "failslab/", 9) &&
		    strncmp(it->path, "slab/", 5)) {
			snprintf(why, len, "'%s': not a file of fail_page_alloc/, failslab/ or slab/<cache>/",
				 it->path);
			return -1;
		}
		if (is_probability(it->path) && number(it->value, 0, 100, &v)) {
			snprintf(why, len, "'%s': expected a percentage from 0 to 100", tok);
			return -1;
		}
		return 1;
	}
	colon = strchr(tok, ':');
	if (colon)
		tok[colon - tok] = '\0';
	if (!strcmp(tok, "page") || !strcmp(tok, "slab") || !strcmp(tok, "nth")) {
		v = FAIL_DEFAULT_PERCENT;
		it->shorthand = tok[0];
		if (tok[0] == 'n' && !colon) {
			snprintf(why, len, "'nth' needs a count: nth:N");
			return -1;
		}
		if (colon && (tok[0] == 'n' ? number(colon + 1, 1, 1000000000, &v)
					    : number(colon + 1, 0, 100, &v))) {
			snprintf(why, len, "'%s:%s': expected %s", tok, colon + 1,
				 tok[0] == 'n' ? "a count from 1" : "a percentage from 0 to 100");
			return -1;
		}
		it->n = (unsigned long)v;
		return 1;
	}
	snprintf(why, len, "'%s': expected page[:P], slab[:P], nth:N or DIR/FILE=VALUE", tok);
	return -1;
}

int fail_spec_check(const char *spec, char *why, size_t len)
{
	struct fail_item it;
	int r;

	if (!*spec) {
		snprintf(why, len, "an empty spec");
		return -1;
	}
	while ((r = next_item(&spec, &it, why, len)) > 0)
		;
	return r;
}

struct fail_write {
	const char *path, *value;
};

static int write_all(const struct fail_write *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = mm_debugfs_write(w[i].path, w[i].value);

		if (ret) {
			fprintf(stderr, "mmstress: --fail: cannot write %s to %s: %s\n", w[i].value,
				w[i].path, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

/* Every gfp and order eligible, no limit, quiet. */
static int open_filters(int page, int slab)
{
	static const struct fail_write pw[] = {
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/times", "-1" },
		{ "fail_page_alloc/verbose", "0" },
	}, sw[] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/times", "-1" },
		{ "failslab/verbose", "0" },
	};

	if (page && write_all(pw, ARRAY_SIZE(pw)))
		return -1;
	if (slab && write_all(sw, ARRAY_SIZE(sw)))
		return -1;
	return 0;
}

/* A probability file: the write that arms a capability. */
static int is_probability(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && !strcmp(slash + 1, "probability");
}

/* Written once the jobs are set up: what arms, and the caches' own files
 * (the jobs' caches exist only then). */
static int late_write(const char *path)
{
	return is_probability(path) || !strncmp(path, "slab/", 5);
}

/*
 * The spec's writes in order: the settings (arm 0), or only the writes
 * that arm (arm 1: the probabilities).  0, or -1 with a message.
 */
static int apply(struct run *run, int arm)
{
	const char *spec = run->opt.fail;
	struct fail_item it;
	char why[160], buf[24];
	int r;

	while ((r = next_item(&spec, &it, why, sizeof(why))) > 0) {
		struct fail_write w = { it.path, it.value };

		switch (it.shorthand) {
		case 'p':
		case 's':
			if (!arm && open_filters(it.shorthand == 'p', it.shorthand == 's'))
				return -1;
			snprintf(buf, sizeof(buf), "%lu", it.n);
			w.path = it.shorthand == 'p' ? "fail_page_alloc/probability"
						     : "failslab/probability";
			w.value = buf;
			break;
		case 'n':
			if (!arm && open_filters(1, 1))
				return -1;
			run->fail_nth = (unsigned int)it.n;
			continue;
		}
		if (late_write(w.path) == arm && write_all(&w, 1))
			return -1;
	}
	if (r < 0) {
		fprintf(stderr, "mmstress: --fail: %s\n", why);
		return -1;
	}
	return 0;
}

int fail_setup(struct run *run)
{
	return run->opt.fail[0] ? apply(run, 0) : 0;
}

void fail_arm(struct run *run)
{
	/* the probabilities were checked with the spec; a cache's file that
	 * cannot be written is said on stderr (apply()) and the run goes on */
	if (run->opt.fail[0])
		apply(run, 1);
}

void fail_cpu_rearm(struct cpu_ctx *c)
{
	char n[24];

	if (current->fail_nth)
		return;
	snprintf(n, sizeof(n), "%u", c->run->fail_nth);
	mm_debugfs_write("fail-nth", n);
}

void fail_disarm(struct run *run)
{
	static const struct fail_write off[] = {
		{ "fail_page_alloc/probability", "0" },
		{ "failslab/probability", "0" },
	};
	FILE *f;

	if (!run->opt.fail[0])
		return;
	f = fmemopen(run->fail_stats, sizeof(run->fail_stats), "w");
	if (f) {
		mm_debugfs_show("fault_stats", f);
		fclose(f);
	}
	write_all(off, ARRAY_SIZE(off));
}

/*
 * After a call since fail_mark() into which a failure was injected: the
 * CPU's footprint must have grown by what the call handed out (pages,
 * objects), no more.  The mark is spent either way.
 */
static void footprint_check(struct cpu_ctx *c, long pages, long objects, const char *what)
{
	struct task_struct *tsk = current;
	long dp = tsk->fp_pages - c->mark.pages - pages;
	long dobj = tsk->fp_objects - c->mark.objects - objects;

	if (c->mark.exact && (dp > 0 || dobj > 0))
		add_violation(c->run, "leak", (int)c->cpu,
			      "%s: %s kept %ld page%s and %ld slab object%s more than it handed out",
			      jobs[c->cur_job]->name, what, dp, str_plural(dp), dobj, str_plural(dobj));
	c->mark.injected = tsk->fail_injected;
	c->mark.exact = 0;
}

void count_failure(struct cpu_ctx *c, enum gfp_kind kind, unsigned int order)
{
	struct task_struct *tsk = current;
	struct job_stats *s;

	if (c->cur_job < 0)
		return;
	s = &c->stats[c->cur_job];
	if (tsk->fail_injected == c->mark.injected) {
		s->failures++;
		s->fail[kind][min(order, MAX_ORDER - 1U)]++;
		return;
	}
	s->injected++;
	footprint_check(c, 0, 0, "an allocation failed by fault injection");
}

void fail_check(struct cpu_ctx *c, long pages, long objects)
{
	if (c->cur_job >= 0 && current->fail_injected != c->mark.injected)
		footprint_check(c, pages, objects, "an allocation that absorbed an injected failure");
}

void fail_mark(struct cpu_ctx *c)
{
	struct task_struct *tsk = current;

	c->mark.injected = tsk->fail_injected;
	c->mark.pages = tsk->fp_pages;
	c->mark.objects = tsk->fp_objects;
	c->mark.exact = 1;
}

/* "name value" lines of fault_stats, as numbers: 0 if absent. */
static unsigned long long stat_of(const struct run *run, const char *name)
{
	const char *p = run->fail_stats;
	size_t n = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == run->fail_stats || p[-1] == '\n') && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
		p += n;
	}
	return 0;
}

static const char *const stat_names[] = {
	"fail_page_alloc_sites", "fail_page_alloc_injected", "failslab_sites", "failslab_injected",
};

void fail_report(const struct run *run, FILE *out)
{
	if (!run->opt.fail[0])
		return;
	fprintf(out, "fault injection (--fail %s%s%s): injected failures are counted apart, not as failures:\n ",
		run->opt.fail, run->fail_nth ? "; fail-nth " : "", run->fail_nth ? "re-armed" : "");
	for (size_t i = 0; i < ARRAY_SIZE(stat_names); i++)
		fprintf(out, " %s %llu", stat_names[i], stat_of(run, stat_names[i]));
	fprintf(out, "\n\n");
}

void fail_report_json(const struct run *run, json_t *root)
{
	json_t *o;

	if (!run->opt.fail[0])
		return;
	o = json_pack("{s:s, s:I}", "spec", run->opt.fail, "fail_nth", (json_int_t)run->fail_nth);
	for (size_t i = 0; i < ARRAY_SIZE(stat_names); i++)
		json_object_set_new(o, stat_names[i], json_integer((json_int_t)stat_of(run, stat_names[i])));
	json_object_set_new(root, "fault_injection", o);
}
