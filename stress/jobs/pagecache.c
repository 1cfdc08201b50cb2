// SPDX-License-Identifier: MIT
/*
 * stress/jobs/pagecache.c - the pagecache family and job: files four
 * times the size of RAM, read and written a page at a time through the
 * page cache (kernel_read()/kernel_write()), so that reclaim must write
 * dirty pages back and drop clean ones while the CPUs use them, and every
 * page read back must show what was last written to it.
 *
 *   file set	4 x RAM (totalram_pages), split evenly among the CPUs,
 *		PC_FILES files each, created by the family's setup (on
 *		CPU 0) and destroyed by each CPU's release as it stops.  A
 *		file the disk (disk=) has no room for is halved until it fits
 *		(down to a page): the report says how much of 4 x RAM the set
 *		is.
 *   versions	each CPU owns its files, so it alone knows what each page
 *		holds: version[f][idx], 0 for a page never written (it reads
 *		as zeros), PC_UNKNOWN for one whose write half failed (not
 *		checked until it is written whole again).
 *   pattern	page idx of file f at version v carries the engine's pattern
 *		of the tag (CPU, serial = (v mod 4096, f, idx), pagecache):
 *		every word, so a page from another file, another index or an
 *		older version (a write-back that was lost, a page dropped
 *		while dirty, a read of the wrong block) is a data-corruption
 *		violation.
 *   an op	on a page of the file's first quarter half the time (so
 *		that what was written is read back, 1 x RAM over the set),
 *		of the whole file the other half (4 x RAM: reclaim);
 *		a read (two in three): PAGE_SIZE bytes at a random
 *		word-aligned offset, so the tail of one page and the head
 *		of the next, each checked against its version; or a write:
 *		a whole page at the next version, either in one call or in
 *		two split at a random byte (the first a partial write of a
 *		page that may have to be read in first).
 *		Now and then (one op in PC_RECREATE_EVERY) a file is
 *		destroyed (vfs_fsync()ed first half the time, else its dirty
 *		pages are dropped) and created again, empty: truncation
 *		against reclaim, and the counters mm_check() compares.
 *   failures	-ENOMEM from a read or write (the cache could not get a
 *		page) is counted as a GFP_HIGHUSER_MOVABLE failure.
 *
 * Who touches what: a struct pc_cpu is its CPU's (its thread's) during the
 * run; the main thread's before (setup) and after (report).  pc_set is
 * written by the setup and read-only after.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../mmstress.h"

#define PC_FILES	4
#define PC_UNKNOWN	UINT32_MAX
#define PC_WRITE_RETRIES 16
#define PC_RECREATE_EVERY 20000		/* ops, on average */

enum {
	PC_READS, PC_WRITES, PC_SPLIT_WRITES, PC_PAGES_CHECKED, PC_ZERO_PAGES, PC_ENOMEM,
	PC_UNKNOWN_PAGES, PC_RECREATED, NR_PC_COUNTERS
};

struct pc_cpu {
	uint64_t buf[3 * PAGE_SIZE / 8];	/* two pages read, one written */
	struct file *file[PC_FILES];
	unsigned long pages[PC_FILES];
	uint32_t *version[PC_FILES];		/* host memory: the harness's */
	uint64_t cnt[NR_PC_COUNTERS];
};

static struct {
	unsigned long wanted, created;		/* pages */
	unsigned int job;			/* the job's index: tags' low byte */
} pc_set;

extern const struct stress_family pagecache_family;

/* The name file_create() was given: "pc-cpuK-F". */
static const char *pc_name(const struct cpu_ctx *c, unsigned int f, char *buf, size_t len)
{
	snprintf(buf, len, "pc-cpu%u-%u", c->cpu, f);
	return buf;
}

static uint64_t pc_tag(const struct cpu_ctx *c, unsigned int f, unsigned long idx, uint32_t v)
{
	uint64_t serial = (uint64_t)(v & 0xfff) << 28 | (uint64_t)f << 24 | (idx & 0xffffff);

	return (uint64_t)c->cpu << 48 | serial << 8 | pc_set.job;
}

static int pagecache_setup(struct run *run)
{
	unsigned int n = run_nr_cpus(run);
	unsigned long per_file = 4 * totalram_pages / n / PC_FILES;

	pc_set.job = (unsigned int)job_index("pagecache");
	pc_set.wanted = per_file * PC_FILES * n;
	pc_set.created = 0;
	if (!per_file)
		per_file = 1;
	for (unsigned int k = 0; k < n; k++) {
		struct pc_cpu *pc = family_state(run_cpu(run, k), &pagecache_family);

		for (unsigned int f = 0; f < PC_FILES; f++) {
			unsigned long pages = per_file;
			char name[32];

			pc_name(run_cpu(run, k), f, name, sizeof(name));
			while (!(pc->file[f] = file_create(name, pages * PAGE_SIZE)) && pages > 1)
				pages /= 2;		/* the disk is smaller than the set */
			if (!pc->file[f])
				continue;
			pc->version[f] = calloc(pages, sizeof(uint32_t));
			if (!pc->version[f]) {
				file_destroy(pc->file[f]);
				pc->file[f] = NULL;
				return -ENOMEM;
			}
			pc->pages[f] = pages;
			pc_set.created += pages;
		}
	}
	return 0;
}

/* Bytes [start, end) of page idx of file f, at base (its first byte): 0,
 * or 1 if they do not show the page's version (reported). */
static int pc_check(struct cpu_ctx *c, struct pc_cpu *pc, unsigned int f, unsigned long idx,
		    const void *base, size_t start, size_t end)
{
	uint32_t v = pc->version[f][idx];
	struct pattern_range pr = { start, end, PATTERN_ALL };
	uint64_t tag = pc_tag(c, f, idx, v);
	char what[96], name[32];
	size_t off;

	if (v == PC_UNKNOWN || start >= end)
		return 0;
	pc->cnt[PC_PAGES_CHECKED]++;
	snprintf(what, sizeof(what), "file %s page %lu at version %u",
		 pc_name(c, f, name, sizeof(name)), idx, v);
	if (!v) {
		const uint64_t *w = base;

		pc->cnt[PC_ZERO_PAGES]++;
		for (off = start; off < end; off += 8)
			if (unlikely(w[off / 8])) {
				report_corruption(c, base, off, 0, w[off / 8], tag, "page", what,
						  "reading a page never written");
				return 1;
			}
		return 0;
	}
	off = pattern_check(base, &pr, end, tag);
	if (likely(off == PATTERN_OK))
		return 0;
	pattern_report(c, base, &pr, off, tag, "page", what, "reading it back");
	return 1;
}

static void pc_read(struct cpu_ctx *c, struct pc_cpu *pc, unsigned int f, unsigned long idx,
		    uint64_t r)
{
	size_t off = idx + 1 < pc->pages[f] ? (size_t)(r % (PAGE_SIZE / 8)) * 8 : 0;
	loff_t pos = (loff_t)idx * PAGE_SIZE + (loff_t)off;
	char *base = (char *)pc->buf, name[32];
	ssize_t got;

	pc->cnt[PC_READS]++;
	fail_mark(c);
	got = kernel_read(pc->file[f], base + off, PAGE_SIZE, &pos);
	if (got < 0) {
		if (got == -ENOMEM) {
			pc->cnt[PC_ENOMEM]++;
			count_failure(c, GK_USER, 0);
		} else {
			cpu_violation(c, "pagecache", "kernel_read(%s, page %lu) = %zd",
				      pc_name(c, f, name, sizeof(name)), idx, got);
		}
		return;
	}
	/* a short read (-ENOMEM on the second page) checks what came */
	if (pc_check(c, pc, f, idx, base, off, min(off + (size_t)got, PAGE_SIZE)))
		return;
	if (off + (size_t)got > PAGE_SIZE)
		pc_check(c, pc, f, idx + 1, base + PAGE_SIZE, 0, off + (size_t)got - PAGE_SIZE);
}

/* kernel_write() of len bytes at pos: 0, or the error (-ENOMEM counted). */
static int pc_write_range(struct cpu_ctx *c, struct pc_cpu *pc, unsigned int f, const char *buf,
			  size_t len, loff_t pos)
{
	char name[32];
	ssize_t done;

	fail_mark(c);
	done = kernel_write(pc->file[f], buf, len, &pos);
	if (done == (ssize_t)len)
		return 0;
	if (done == -ENOMEM) {
		pc->cnt[PC_ENOMEM]++;
		count_failure(c, GK_USER, 0);
		return -ENOMEM;
	}
	cpu_violation(c, "pagecache", "kernel_write(%s, %zu bytes at %lld) = %zd",
		      pc_name(c, f, name, sizeof(name)), len, (long long)pos, done);
	return -EIO;
}

static void pc_write(struct cpu_ctx *c, struct pc_cpu *pc, unsigned int f, unsigned long idx,
		     uint64_t r)
{
	uint32_t v = pc->version[f][idx];
	uint32_t next = v == PC_UNKNOWN || v + 1 == PC_UNKNOWN ? 1 : v + 1;
	struct pattern_range pr = { 0, PAGE_SIZE, PATTERN_ALL };
	char *page = (char *)(pc->buf + 2 * PAGE_SIZE / 8);
	loff_t pos = (loff_t)idx * PAGE_SIZE;
	size_t split = r % 2 ? 0 : (size_t)((r >> 1) % PAGE_SIZE);
	int err = -ENOMEM;

	pattern_fill(page, &pr, pc_tag(c, f, idx, next));
	pc->cnt[PC_WRITES]++;
	if (!split) {
		if (!pc_write_range(c, pc, f, page, PAGE_SIZE, pos))
			pc->version[f][idx] = next;
		return;
	}
	pc->cnt[PC_SPLIT_WRITES]++;
	if (pc_write_range(c, pc, f, page + split, PAGE_SIZE - split, pos + (loff_t)split))
		return;				/* nothing written */
	/* the page is half new now: its head must follow */
	for (int i = 0; i < PC_WRITE_RETRIES && err == -ENOMEM; i++)
		err = pc_write_range(c, pc, f, page, split, pos);
	if (err) {
		pc->cnt[PC_UNKNOWN_PAGES]++;
		pc->version[f][idx] = PC_UNKNOWN;
		return;
	}
	pc->version[f][idx] = next;
}

/* File f goes (fsync()ed first, or with its dirty pages dropped) and
 * comes back empty, its extent and size the same: truncation against
 * reclaim, and the counters it must leave right. */
static void pc_recreate(struct cpu_ctx *c, struct pc_cpu *pc, unsigned int f, uint64_t r)
{
	char name[32];

	pc->cnt[PC_RECREATED]++;
	if (pc->file[f]) {
		if (r % 2) {
			int err = vfs_fsync(pc->file[f], 0);

			if (err)
				cpu_violation(c, "pagecache", "vfs_fsync(%s) = %d",
					      pc_name(c, f, name, sizeof(name)), err);
		}
		file_destroy(pc->file[f]);
	}
	memset(pc->version[f], 0, pc->pages[f] * sizeof(uint32_t));
	pc->file[f] = file_create(pc_name(c, f, name, sizeof(name)), pc->pages[f] * PAGE_SIZE);
	if (!pc->file[f])
		pc->cnt[PC_ENOMEM]++;		/* its tables: tried again next time */
}

static int pagecache_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct pc_cpu *pc = state;
	unsigned int f = (unsigned int)(r[1] % PC_FILES);
	unsigned long idx;

	if (!pc->pages[f])
		return 0;			/* the disk had no room for it */
	if (r[0] % PC_RECREATE_EVERY == 0 || !pc->file[f]) {
		pc_recreate(c, pc, f, r[2]);
		return 0;
	}
	/* half the ops in the first quarter of the file (1 x RAM over the
	 * set: read back often), half anywhere (4 x RAM: reclaim) */
	idx = (unsigned long)((r[1] >> 9) % (r[1] & 0x100 ? pc->pages[f] : pc->pages[f] / 4 + 1));
	if (idx >= pc->pages[f])
		idx = pc->pages[f] - 1;
	if (r[0] % 3)
		pc_read(c, pc, f, idx, r[2]);
	else
		pc_write(c, pc, f, idx, r[2]);
	return 0;
}

/* Each CPU's files go on that CPU as it stops: their pages, dirty or
 * not, back to the allocator. */
static void pagecache_release(struct cpu_ctx *c, void *state)
{
	struct pc_cpu *pc = state;

	(void)c;
	for (unsigned int f = 0; f < PC_FILES; f++) {
		file_destroy(pc->file[f]);
		pc->file[f] = NULL;
		free(pc->version[f]);
		pc->version[f] = NULL;
	}
}

static const char *const pc_counter_name[NR_PC_COUNTERS] = {
	"reads", "writes", "split_writes", "pages_checked", "zero_pages_checked", "enomem",
	"half_written_pages", "files_recreated",
};

static void pagecache_report(struct run *run, FILE *out)
{
	uint64_t s[NR_PC_COUNTERS];

	family_sum(run, &pagecache_family, offsetof(struct pc_cpu, cnt), NR_PC_COUNTERS, s);
	fprintf(out, "pagecache: file set %lu MiB", pc_set.created >> (20 - PAGE_SHIFT));
	if (pc_set.created < pc_set.wanted)
		fprintf(out, " (4 x RAM is %lu MiB: the disk holds less)",
			pc_set.wanted >> (20 - PAGE_SHIFT));
	report_counters(out, s, ", reads %llu, writes %llu (%llu in two pieces),\n"
			"           pages checked %llu (%llu never written), -ENOMEM %llu, "
			"half-written pages %llu, files recreated %llu\n\n");
}

static void pagecache_report_json(struct run *run, json_t *root)
{
	json_t *o;

	family_sum_json(run, &pagecache_family, offsetof(struct pc_cpu, cnt), pc_counter_name,
			NR_PC_COUNTERS, root, "pagecache");
	o = json_object_get(root, "pagecache");
	if (o) {
		json_object_set_new(o, "file_set_pages", json_integer((json_int_t)pc_set.created));
		json_object_set_new(o, "wanted_pages", json_integer((json_int_t)pc_set.wanted));
	}
}

const struct stress_family pagecache_family = {
	.name = "pagecache", .state_size = sizeof(struct pc_cpu),
	.setup = pagecache_setup, .release = pagecache_release,
	.report = pagecache_report, .report_json = pagecache_report_json,
};

const struct stress_job pagecache_job = {
	.name = "pagecache", .default_weight = 3, .family = &pagecache_family,
	.op = pagecache_op,
	.what = "files of 4x RAM read and written through the page cache, every page checked",
};
