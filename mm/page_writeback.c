// SPDX-License-Identifier: MIT
/*
 * mm/page_writeback.c - dirty page cache pages and their write-back
 * (v4.19 mm/page-writeback.c): set_page_dirty(), clear_page_dirty_for_io(),
 * filemap_writepage(), the dirty limits, balance_dirty_pages(),
 * vfs_fsync(), and the sysctls vm.dirty_ratio and vm.dirty_background_ratio.
 *
 * Counters, as v4.19 keeps them:
 *   NR_FILE_DIRTY (node), NR_ZONE_WRITE_PENDING (zone), NR_DIRTIED (node)
 *		set_page_dirty() of a clean page: +1 each;
 *		clear_page_dirty_for_io(): NR_FILE_DIRTY and write-pending -1.
 *   NR_WRITEBACK (node), NR_ZONE_WRITE_PENDING
 *		+1 when PG_writeback is set, -1 when it ends, with NR_WRITTEN +1.
 *   PGPGOUT	in sectors (PAGE_SIZE / 512 a page), as submit_bio() counts.
 *
 * The model's I/O is synchronous (numa/blockdev.h): filemap_writepage()
 * holds the page lock from the copy to the end of PG_writeback, and
 * returns with the page still locked (the caller unlocks; the kernel's
 * ->writepage unlocks at submission).  So nobody ever sees PG_writeback on
 * a page whose lock they hold.
 *
 * The dirty limits (v4.19 global_dirty_limits(), names kept): the
 * dirtyable memory is the free pages plus the page cache (the kernel also
 * subtracts the reserves and, unless vm_highmem_is_dirtyable, highmem);
 * dirty_thresh = vm.dirty_ratio %, background_thresh =
 * vm.dirty_background_ratio % of it (half of dirty_thresh if not below it).
 * A writer over dirty_thresh (NR_FILE_DIRTY + NR_WRITEBACK) writes back up
 * to 32 dirty pages of its own file itself (among the next 1024 of its
 * pages from where its last round stopped), as 2.6's balance_dirty_pages()
 * did (v4.19 instead sleeps while the flusher threads write back, and the
 * model has no flusher): the background threshold is computed and shown
 * (/proc/vmstat nr_dirty_background_threshold), and reclaim writes back
 * the dirty pages it meets.
 *
 * Who touches what: vm_dirty_ratio and dirty_background_ratio are written
 * by the sysctls (WRITE_ONCE) and read with READ_ONCE; page flags
 * are atomic bits (PG_dirty test-and-set/clear, PG_writeback under the page
 * lock).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <mmsim/highmem.h>
#include "filemap.h"
#include "../numa/blockdev.h"

static int vm_dirty_ratio = 20;			/* READ_ONCE/WRITE_ONCE */
static int dirty_background_ratio = 10;		/* READ_ONCE/WRITE_ONCE */

/* The write-back a writer over the limit does itself (2.6's write_chunk). */
#define DIRTY_WRITE_CHUNK	32UL
/* Slots it looks at for them per call: the dirty pages over the limit
 * may be other files' (reclaim's and their own writers' to clean). */
#define DIRTY_SCAN_MAX		1024UL

/* ------------------------------------------------------------------ */
/* PG_dirty, PG_writeback                                              */

static int TestSetPageDirty(struct page *page)
{
	/* relaxed: the page lock orders the contents */
	return (__atomic_fetch_or(&page->flags, 1UL << PG_dirty, __ATOMIC_RELAXED) >> PG_dirty) & 1;
}

static int TestClearPageDirty(struct page *page)
{
	return (__atomic_fetch_and(&page->flags, ~(1UL << PG_dirty), __ATOMIC_RELAXED) >>
		PG_dirty) & 1;
}

static int TestClearPageReclaim(struct page *page)
{
	return (__atomic_fetch_and(&page->flags, ~(1UL << PG_reclaim), __ATOMIC_RELAXED) >>
		PG_reclaim) & 1;
}

/*
 * A flag and its counters change with interrupts off, so that nothing
 * (stop_machine()'s mm_check(), which stops CPUs wherever interrupts are
 * on) sees one without the other: filemap_check() compares them.
 */
static void __account(struct page *page, enum node_stat_item item, long delta)
{
	__mod_node_page_state(NODE_DATA(page_to_nid(page)), item, delta);
	__mod_zone_page_state(__page_zone(page), NR_ZONE_WRITE_PENDING, delta);
}

/* v4.19 __set_page_dirty_nobuffers() with account_page_dirtied(). */
int set_page_dirty(struct page *page)
{
	unsigned long flags;
	int was_clean;

	local_irq_save(flags);
	was_clean = !TestSetPageDirty(page);
	if (was_clean) {
		__account(page, NR_FILE_DIRTY, 1);
		__mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_DIRTIED, 1);
	}
	local_irq_restore(flags);
	return was_clean;
}

int clear_page_dirty_for_io(struct page *page)
{
	unsigned long flags;
	int was_dirty;

	if (unlikely(!PageLocked(page))) {
		dump_page(page, "VM_BUG_ON_PAGE(!PageLocked(page))");
		return 0;
	}
	local_irq_save(flags);
	was_dirty = TestClearPageDirty(page);
	if (was_dirty)
		__account(page, NR_FILE_DIRTY, -1);
	local_irq_restore(flags);
	return was_dirty;
}

static void set_page_writeback(struct page *page)
{
	unsigned long flags;

	local_irq_save(flags);
	set_page_flag(page, PG_writeback);
	__account(page, NR_WRITEBACK, 1);
	local_irq_restore(flags);
}

/* The kernel's end_page_writeback(): the rotation and the counters here,
 * the flag and the wake-up page_lock.c's end_page_writeback(). */
static void finish_page_writeback(struct page *page)
{
	unsigned long flags;

	if (TestClearPageReclaim(page))
		rotate_reclaimable_page(page);
	local_irq_save(flags);
	__account(page, NR_WRITEBACK, -1);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_WRITTEN, 1);
	end_page_writeback(page);
	local_irq_restore(flags);
}

int filemap_writepage(struct page *page)
{
	struct address_space *m = READ_ONCE(page->mapping);
	unsigned long long off;
	char *addr;
	int err = -EIO;

	if (unlikely(!PageLocked(page))) {
		dump_page(page, "VM_BUG_ON_PAGE(!PageLocked(page))");
		return -EINVAL;
	}
	if (unlikely(!m || PageAnon(page))) {
		dump_page(page, "filemap_writepage: not a page cache page");
		return -EINVAL;
	}
	if (!clear_page_dirty_for_io(page))
		return 0;			/* written back meanwhile */
	set_page_writeback(page);
	off = m->disk_off + ((unsigned long long)page->index << PAGE_SHIFT);
	addr = kmap_atomic(page);
	if (addr) {
		err = bdev_write(&filemap_disk, off, addr, PAGE_SIZE);
		kunmap_atomic(addr);
	}
	if (likely(!err))
		set_block_written(m->host, page->index);
	bdev_wait_io();
	if (unlikely(err))
		set_page_dirty(page);		/* redirty_page_for_writepage() */
	finish_page_writeback(page);
	if (err)
		return err;
	current->io.fs_write++;
	count_vm_events(PGPGOUT, PAGE_SIZE >> 9);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Write-back of a file                                                */

/* The dirty page at idx written back (lock_page(): process context). */
static int writeback_index(struct address_space *m, unsigned long idx, int *written)
{
	struct page *page = find_get_page(m, idx);
	int err = 0;

	if (!page)
		return 0;
	if (PageDirty(page)) {
		lock_page(page);
		if (READ_ONCE(page->mapping) == m && PageDirty(page)) {
			err = filemap_writepage(page);
			*written += !err;
		}
		unlock_page(page);
	}
	put_page(page);
	return err;
}

int vfs_fsync(struct file *file, int datasync)
{
	struct address_space *m;
	int err = 0, written = 0;

	(void)datasync;			/* the model's files have no metadata */
	if (!file)
		return -EINVAL;
	if (might_sleep())
		return -EINVAL;
	m = &file->mapping;
	for (unsigned long idx = 0; idx < m->nr_slots; idx++) {
		int e = writeback_index(m, idx, &written);

		if (e && !err)
			err = e;
		cond_resched();
	}
	return err;
}

/* ------------------------------------------------------------------ */
/* The dirty limits                                                    */

static unsigned long global_dirtyable_memory(void)
{
	return global_zone_page_state(NR_FREE_PAGES) + global_node_page_state(NR_FILE_PAGES);
}

void global_dirty_limits(unsigned long *pbackground, unsigned long *pdirty)
{
	unsigned long available = global_dirtyable_memory();
	unsigned long ratio = (unsigned long)READ_ONCE(vm_dirty_ratio);
	unsigned long bg_ratio = (unsigned long)READ_ONCE(dirty_background_ratio);
	unsigned long dirty = available * ratio / 100;
	unsigned long background = available * bg_ratio / 100;

	if (background >= dirty)
		background = dirty / 2;
	*pbackground = background;
	*pdirty = dirty;
}

void balance_dirty_pages(struct address_space *m)
{
	unsigned long background, thresh, nr_dirty, idx;
	int written = 0;

	global_dirty_limits(&background, &thresh);
	nr_dirty = global_node_page_state(NR_FILE_DIRTY) + global_node_page_state(NR_WRITEBACK);
	if (nr_dirty <= thresh || !m->nr_slots)
		return;
	/* over the limit: this writer cleans up to a chunk of its own file,
	 * from where its last round stopped */
	idx = READ_ONCE(m->host->wb_index) % m->nr_slots;
	for (unsigned long n = 0; n < min(m->nr_slots, DIRTY_SCAN_MAX) &&
	     (unsigned long)written < DIRTY_WRITE_CHUNK; n++, idx = (idx + 1) % m->nr_slots)
		if (writeback_index(m, idx, &written))
			break;
	WRITE_ONCE(m->host->wb_index, idx);
}

/* ------------------------------------------------------------------ */
/* vm.dirty_ratio, vm.dirty_background_ratio                           */

static int *dirty_sysctl_var(const char *name)
{
	return !strcmp(name, "vm.dirty_ratio") ? &vm_dirty_ratio : &dirty_background_ratio;
}

int dirty_sysctl_read(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%d\n", READ_ONCE(*dirty_sysctl_var(name)));
	return 0;
}

int dirty_sysctl_write(const char *name, const char *value)
{
	unsigned long long v;

	if (parse_uint(value, 0, 100, &v))
		return -EINVAL;
	WRITE_ONCE(*dirty_sysctl_var(name), (int)v);
	return 0;
}
