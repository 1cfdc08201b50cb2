// SPDX-License-Identifier: MIT
/*
 * stress/jobs/anon.c - the anon family and job: anonymous memory bigger
 * than RAM, swapping (mmsim/swap.h's tasks).
 *
 *   a task	each CPU owns one task (mm_task_create()) of anon_task_pages
 *		pages, sized by the setup from /proc/meminfo so that all the
 *		CPUs' tasks together are 2x RAM when 7/8 of the swap area holds
 *		the excess, else RAM/2 + 7/8 of the swap area (at least
 *		ANON_MIN_PAGES each): beside the kernel and the other jobs.
 *   an access	a random page of the task, faulted in (GFP_HIGHUSER_MOVABLE:
 *		zeroed, or read back from swap), checked whole against what
 *		was last written to it, and half the time written again.  A
 *		page's words are the engine's pattern of a tag derived from
 *		(task, page, version); version 0 is a page never written,
 *		which must read as zeros.
 *   held pages	one operation in 8 pins a page and keeps it pinned (up to
 *		ANON_HELD, as get_user_pages() would for I/O), or writes the
 *		oldest one's next version through the address it kept and
 *		releases it: reclaim, which may take it off its active list
 *		meanwhile, must leave a pinned page alone.  The other
 *		accesses skip held pages.  Lowmem pages only: a highmem
 *		page's address is one of the pkmap window's slots, which
 *		the kmap job's progress argument wants back between
 *		operations.
 *   the OOM killer
 *		a killed task's accesses fail with -EINTR: the CPU counts the
 *		kill, gives the task back (mm_task_exit()) and starts a new
 *		one at its next operation.  -ENOMEM is an allocation failure.
 *
 * Who touches what: a struct anon_cpu is its CPU's (engine.h), its task
 * and versions included; anon_task_pages is written by the setup (CPU 0,
 * before the CPUs start) and read-only after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../engine.h"

#define ANON_MIN_PAGES		8
#define ANON_MAX_ACCESSES	16	/* per operation */
#define ANON_HELD		4	/* pages a CPU keeps pinned */

enum anon_counter {
	ANON_TASKS,		/* tasks started */
	ANON_ACCESSES,		/* pages accessed and checked */
	ANON_WRITES,		/* of them, written */
	ANON_ZERO_PAGES,	/* first touches (read as zeros) */
	ANON_HELD_PAGES,	/* pages kept pinned across operations */
	ANON_OOM_KILLS,		/* tasks the OOM killer took */
	ANON_ENOMEM,		/* accesses that found no memory */
	NR_ANON_COUNTERS
};

static const char *const anon_counter_name[NR_ANON_COUNTERS] = {
	"tasks", "accesses", "writes", "zero_pages", "held_pages", "oom_kills", "enomem",
};

struct anon_cpu {
	struct mm_struct *mm;		/* NULL: none yet, or given back */
	uint64_t task_tag;		/* the task's identity (stress_tag()) */
	uint32_t *version;		/* [anon_task_pages], host memory */
	unsigned long held_idx[ANON_HELD];	/* pinned pages, oldest first */
	void *held_addr[ANON_HELD];
	unsigned int nheld;
	uint64_t cnt[NR_ANON_COUNTERS];
};

static unsigned long anon_task_pages;
static const struct stress_family anon_family;

/* MemTotal and SwapTotal of /proc/meminfo, in pages. */
static void meminfo_pages(unsigned long *ram, unsigned long *swap)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned long kb;

	*ram = *swap = 0;
	if (!f)
		return;
	mm_proc_show("meminfo", f);
	fclose(f);
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (sscanf(line, "MemTotal: %lu kB", &kb) == 1)
			*ram = kb / (PAGE_SIZE / 1024);
		else if (sscanf(line, "SwapTotal: %lu kB", &kb) == 1)
			*swap = kb / (PAGE_SIZE / 1024);
	}
	free(buf);
}

static int anon_setup(struct run *run)
{
	unsigned long ram, swap, total;

	meminfo_pages(&ram, &swap);
	if (swap / 8 * 7 >= ram)
		total = 2 * ram;
	else
		total = ram / 2 + swap / 8 * 7;
	anon_task_pages = total / run_nr_cpus(run);
	if (anon_task_pages < ANON_MIN_PAGES)
		anon_task_pages = ANON_MIN_PAGES;
	return 0;
}

/* A page's tag: the task's CPU and job, the serial mixed with the page
 * and its version (so a stale copy of another page or version differs). */
static uint64_t page_tag(const struct anon_cpu *ac, unsigned long idx, uint32_t version)
{
	uint64_t x = ac->task_tag ^ ((uint64_t)idx << 32 | version);

	return (ac->task_tag & 0xffff0000000000ffULL) |
	       (splitmix64(&x) & 0x0000ffffffffff00ULL);
}

static void anon_task_end(struct anon_cpu *ac)
{
	while (ac->nheld) {
		ac->nheld--;
		mm_task_release(ac->mm, ac->held_idx[ac->nheld], ac->held_addr[ac->nheld]);
	}
	mm_task_exit(ac->mm);
	ac->mm = NULL;
	free(ac->version);
	ac->version = NULL;
}

static int anon_task_start(struct cpu_ctx *c, struct anon_cpu *ac)
{
	char comm[16];

	snprintf(comm, sizeof(comm), "anon/%u", c->cpu);
	ac->version = calloc(anon_task_pages, sizeof(*ac->version));
	if (!ac->version)
		return -1;
	fail_mark(c);
	ac->mm = mm_task_create(comm, anon_task_pages, 0);
	if (!ac->mm) {
		count_failure(c, GK_KERNEL, size_order(anon_task_pages * sizeof(unsigned long)));
		free(ac->version);
		ac->version = NULL;
		return -1;
	}
	ac->task_tag = stress_tag(c);
	ac->cnt[ANON_TASKS]++;
	return 0;
}

/* Check a page against its version; 1 after a report. */
static int anon_verify(struct cpu_ctx *c, struct anon_cpu *ac, unsigned long idx, const void *p)
{
	static const struct pattern_range pr = { 0, PAGE_SIZE, PATTERN_ALL };
	uint32_t v = ac->version[idx];
	char what[96];
	size_t off;

	if (!v) {
		const uint64_t *w = p;

		for (off = 0; off < PAGE_SIZE / 8; off++)
			if (unlikely(w[off]))
				break;
		if (likely(off == PAGE_SIZE / 8))
			return 0;
		snprintf(what, sizeof(what), "task page %lu, never written (zeroed at its fault)",
			 idx);
		report_corruption(c, p, off * 8, 0, w[off], ac->task_tag, "task", what,
				  "on accessing it");
		return 1;
	}
	off = pattern_check(p, &pr, PAGE_SIZE, page_tag(ac, idx, v));
	if (likely(off == PATTERN_OK))
		return 0;
	/* named by the task's tag (the page's is a hash of it) */
	snprintf(what, sizeof(what), "task page %lu, version %u", idx, v);
	report_corruption(c, p, off, pattern_word(page_tag(ac, idx, v), off),
			  *(const uint64_t *)((const char *)p + off), ac->task_tag, "task", what,
			  "on accessing it");
	return 1;
}

static int anon_is_held(const struct anon_cpu *ac, unsigned long idx)
{
	for (unsigned int i = 0; i < ac->nheld; i++)
		if (ac->held_idx[i] == idx)
			return 1;
	return 0;
}

/* The next version of a pinned page, written at p. */
static void anon_write(struct anon_cpu *ac, unsigned long idx, void *p)
{
	static const struct pattern_range pr = { 0, PAGE_SIZE, PATTERN_ALL };
	uint32_t v = ac->version[idx] + 1;

	if (!v)
		v = 1;
	pattern_fill(p, &pr, page_tag(ac, idx, v));
	ac->version[idx] = v;
	ac->cnt[ANON_WRITES]++;
}

/*
 * Access page idx: checked, written if write, and released unless hold.
 * 0, or -1 once the task is gone (killed by the OOM killer).
 */
static int anon_access(struct cpu_ctx *c, struct anon_cpu *ac, unsigned long idx, int write,
		       int hold)
{
	void *p;
	int ret;

	fail_mark(c);
	ret = mm_task_access(ac->mm, idx, write, GFP_HIGHUSER_MOVABLE, &p);
	if (ret == -EINTR) {
		ac->cnt[ANON_OOM_KILLS]++;
		anon_task_end(ac);
		return -1;
	}
	if (ret == -ENOMEM) {
		ac->cnt[ANON_ENOMEM]++;
		count_failure(c, GK_USER, 0);
		return 0;
	}
	if (ret) {
		cpu_violation(c, "anon", "mm_task_access(page %lu of %lu) = %d", idx,
			      anon_task_pages, ret);
		return 0;
	}
	ac->cnt[ANON_ACCESSES]++;
	ac->cnt[ANON_ZERO_PAGES] += !ac->version[idx];
	anon_verify(c, ac, idx, p);
	/* a highmem page's address is a pkmap slot: kept across operations
	 * it would starve the kmap job's hog (and it us), so it is not held */
	if (hold && !PageHighMem(kmap_to_page(p))) {
		ac->held_idx[ac->nheld] = idx;
		ac->held_addr[ac->nheld++] = p;
		ac->cnt[ANON_HELD_PAGES]++;
		return 0;
	}
	if (write)
		anon_write(ac, idx, p);
	mm_task_release(ac->mm, idx, p);
	return 0;
}

static int anon_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct anon_cpu *ac = state;
	unsigned int n = 1 + (unsigned int)(r[0] % ANON_MAX_ACCESSES);

	if (!ac->mm && anon_task_start(c, ac))
		return 0;
	if (r[2] % 8 == 0) {
		unsigned long idx = (unsigned long)(r[1] % anon_task_pages);

		if (ac->nheld < ANON_HELD && !anon_is_held(ac, idx)) {
			anon_access(c, ac, idx, 1, 1);
		} else if (ac->nheld) {
			/* the oldest: its next version through its kept address */
			idx = ac->held_idx[0];
			anon_write(ac, idx, ac->held_addr[0]);
			mm_task_release(ac->mm, idx, ac->held_addr[0]);
			ac->nheld--;
			memmove(ac->held_idx, ac->held_idx + 1, ac->nheld * sizeof(ac->held_idx[0]));
			memmove(ac->held_addr, ac->held_addr + 1, ac->nheld * sizeof(ac->held_addr[0]));
		}
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t x = i ? op_random(c) : r[1];
		unsigned long idx = (unsigned long)(x % anon_task_pages);

		if (anon_is_held(ac, idx))
			continue;
		if (anon_access(c, ac, idx, (x >> 40) & 1, 0))
			return 0;
	}
	return 0;
}

static void anon_release(struct cpu_ctx *c, void *state)
{
	struct anon_cpu *ac = state;

	(void)c;
	if (ac->mm)
		anon_task_end(ac);
}

static void anon_report(struct run *run, FILE *out)
{
	uint64_t s[NR_ANON_COUNTERS];

	family_sum(run, &anon_family, offsetof(struct anon_cpu, cnt), NR_ANON_COUNTERS, s);
	fprintf(out, "anon: tasks of %lu pages, ", anon_task_pages);
	report_counters(out, s, "%llu started; accesses %llu (writes %llu, first touches %llu, "
			"held pinned %llu); killed by the OOM killer %llu; no memory %llu\n\n");
}

static void anon_report_json(struct run *run, json_t *root)
{
	family_sum_json(run, &anon_family, offsetof(struct anon_cpu, cnt), anon_counter_name,
			NR_ANON_COUNTERS, root, "anon");
}

static const struct stress_family anon_family = {
	.name = "anon", .state_size = sizeof(struct anon_cpu), .setup = anon_setup,
	.release = anon_release, .report = anon_report, .report_json = anon_report_json,
};

const struct stress_job anon_job = {
	.name = "anon", .default_weight = 2, .family = &anon_family, .op = anon_op,
	.what = "tasks' anonymous memory bigger than RAM, swapping; patterns checked on every access",
};
