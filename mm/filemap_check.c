// SPDX-License-Identifier: MIT
/*
 * mm/filemap_check.c - mm_check()'s walk of the page cache: every file's
 * cached pages against their slots, the files' extents on the disk, and
 * the node counters of the page cache against the pages that are so.
 * Who touches what: it reads filemap.c's state under filemap.c's locks
 * (filemap_files_lock tried, never waited for; each i_pages_lock).
 */
#include <stdarg.h>

#include "filemap.h"
#include "../numa/blockdev.h"

/* A violation's line, if there is a report to print it on. */
static __printf(2, 3) void check_print(FILE *report, const char *fmt, ...)
{
	va_list ap;

	if (!report)
		return;
	va_start(ap, fmt);
	vfprintf(report, fmt, ap);
	va_end(ap);
}

/* A node counter with every CPU's diff: exact with the CPUs stopped. */
static long node_stat_exact(enum node_stat_item item)
{
	long x = 0;

	for (unsigned int nid = 0; nid < num_online_nodes(); nid++)
		x += node_page_state_snapshot(NODE_DATA(nid), item);
	return x;
}

/* One file's slots against its pages: the violations (reported). */
static int check_mapping(FILE *report, struct file *f, unsigned long *nr)
{
	struct address_space *m = &f->mapping;
	unsigned long n = 0, nrpages;
	char bad[200] = "";
	int violations = 0;

	spin_lock_irq(&m->i_pages_lock);
	for (unsigned long idx = 0; idx < m->nr_slots; idx++) {
		struct page *page = m->pages[idx];

		if (!page)
			continue;
		n++;
		nr[0] += PageDirty(page);
		nr[1] += PageWriteback(page);
		if (!bad[0] && (READ_ONCE(page->mapping) != m || READ_ONCE(page->index) != idx ||
				page_ref_count(page) <= 0 || PageBuddy(page) || PageSlab(page) ||
				PageSwapBacked(page)))
			snprintf(bad, sizeof(bad), "slot %lu holds pfn %05lx: mapping %p, index %lu, "
				 "flags %#lx, _refcount %d", idx, page_to_pfn(page),
				 READ_ONCE(page->mapping), READ_ONCE(page->index),
				 READ_ONCE(page->flags), page_ref_count(page));
	}
	nrpages = m->nrpages;
	spin_unlock_irq(&m->i_pages_lock);
	/* printed with the lock dropped */
	if (bad[0]) {
		check_print(report, "mm_check: page cache: file '%s': %s\n", f->name, bad);
		violations++;
	}
	if (n != nrpages) {
		check_print(report, "mm_check: page cache: file '%s' has %lu pages in its slots, "
			"nrpages says %lu\n", f->name, n, nrpages);
		violations++;
	}
	nr[2] += n;
	return violations;
}

/*
 * Every file's pages (in their slots, at their index, referenced, page
 * cache pages), the extents (in order, inside the disk, apart), and
 * NR_FILE_PAGES, NR_FILE_DIRTY and NR_WRITEBACK against the pages that
 * are so.  A CPU stopped holding filemap_files_lock (creating or destroying a
 * file, dropping the cache) leaves the check for the next time.
 */
int filemap_check(FILE *report)
{
	unsigned long nr[3] = { 0 };		/* dirty, writeback, cached */
	unsigned long long end = 0;
	static const struct {
		enum node_stat_item item;
		const char *name;
	} counters[3] = {
		{ NR_FILE_DIRTY, "NR_FILE_DIRTY" }, { NR_WRITEBACK, "NR_WRITEBACK" },
		{ NR_FILE_PAGES, "NR_FILE_PAGES" },
	};
	int violations = 0;
	struct file *f;

	if (!mutex_trylock(&filemap_files_lock))
		return 0;
	cds_list_for_each_entry(f, &filemap_files, list) {
		unsigned long long bytes = (unsigned long long)f->mapping.nr_slots << PAGE_SHIFT;

		if (f->mapping.disk_off < end || f->mapping.disk_off + bytes > filemap_disk.size) {
			check_print(report, "mm_check: page cache: file '%s' at [%#llx, %#llx) of the disk "
				"(%#llx bytes): overlaps the previous file (which ends at %#llx) or "
				"the end\n", f->name, f->mapping.disk_off, f->mapping.disk_off + bytes,
				filemap_disk.size, end);
			violations++;
		}
		end = f->mapping.disk_off + bytes;
		violations += check_mapping(report, f, nr);
	}
	mutex_unlock(&filemap_files_lock);
	for (int i = 0; i < 3; i++) {
		long c = node_stat_exact(counters[i].item);

		if (c != (long)nr[i]) {
			check_print(report, "mm_check: page cache: %s is %ld, the files hold %lu such "
				"pages\n", counters[i].name, c, nr[i]);
			violations++;
		}
	}
	return violations;
}
