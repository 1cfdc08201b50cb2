// SPDX-License-Identifier: MIT
/*
 * mm/filemap.c - the page cache: files on the simulated disk, their pages
 * cached in memory (v4.19 mm/filemap.c, mm/truncate.c), read and written
 * through kernel_read()/kernel_write(), written back by filemap_writepage()
 * and dropped by reclaim (remove_mapping_file()) or vm.drop_caches.
 * Dirty accounting, the dirty limits and vfs_fsync() are page_writeback.c's.
 *
 *   disk	one struct block_device of disk= bytes (numa/blockdev.c);
 *		a file owns one extent of it, [disk_off, disk_off + its
 *		pages), chosen first fit among the gaps between the files
 *		(files, sorted by disk_off).
 *   file	its name and size, read-only; its struct address_space;
 *		written[], a bit per block written back since file_create():
 *		the others are holes, read as zeros without I/O (the
 *		kernel's unmapped blocks), so a new file reads as zeros
 *		whatever an old one left on its extent.
 *   mapping	pages[idx]: the cached page of the file's idx-th block or
 *		NULL; a cached page holds one reference for its slot (the
 *		cache's), page->mapping = the mapping, page->index = idx,
 *		and is on its node's LRU (lru_cache_add()).
 *
 * Who touches what:
 *   files, each file's list	filemap_files_lock (a mutex: file_create(),
 *		file_destroy(), drop_pagecache(); never from reclaim;
 *		mm_check() only tries it)
 *   written[]	atomic bits (relaxed): set by filemap_writepage() under the
 *		page lock, read by the page's reader under the page lock
 *   mapping->pages[], nrpages, page->mapping/index
 *		i_pages_lock (irq-safe, as the kernel's xa_lock_irq, so that
 *		the node counters can be updated inside it); page->mapping
 *		and ->index are written only while the page is locked (or not
 *		yet in the cache), so a holder of the page lock reads them
 *		without i_pages_lock (READ_ONCE).
 *   a page's contents	written under its page lock (a read from the disk
 *		before PG_uptodate, a write before set_page_dirty()); read
 *		under it by write-back, and by kernel_read() with a reference
 *		only, once PG_uptodate is seen with acquire (paired with the
 *		release in SetPageUptodate_release()).
 *
 * A page leaves the cache only with every holder known: reclaim and
 * drop_pagecache() freeze its count at exactly the cache's reference plus
 * their own (page_ref_freeze()) under i_pages_lock, and truncation
 * (file_destroy()) holds the page lock.  So kernel_read()/kernel_write()
 * holding a reference see their page stay in the file; after lock_page()
 * they still check page->mapping, as the kernel does, for a truncation.
 */
#include <errno.h>
#include <string.h>

#include <mmsim/highmem.h>
#include <mmsim/slab.h>
#include <mmsim/vmalloc.h>
#include "reclaim.h"
#include "filemap.h"
#include "../numa/blockdev.h"

struct block_device filemap_disk;		/* filemap_init() to filemap_exit() */
DEFINE_MUTEX(filemap_files_lock);
CDS_LIST_HEAD(filemap_files);		/* filemap_files_lock: by disk_off */

/* ------------------------------------------------------------------ */
/* The disk and files                                                  */

static void destroy_file(struct file *file, int at_exit);

int filemap_init(unsigned long long disk_bytes)
{
	return bdev_create(&filemap_disk, "disk", disk_bytes);
}

void filemap_exit(void)
{
	struct file *f;

	/* files still open at shutdown go with the machine, pages and all */
	for (;;) {
		mutex_lock(&filemap_files_lock);
		f = cds_list_empty(&filemap_files) ? NULL :
		    cds_list_entry(filemap_files.next, struct file, list);
		mutex_unlock(&filemap_files_lock);
		if (!f)
			break;
		pr_warn("filemap: file '%s' never destroyed: dropped at shutdown\n", f->name);
		destroy_file(f, 1);
	}
	bdev_destroy(&filemap_disk);
}

/* First fit among the gaps between the files: the file goes on the list
 * before the first file after its extent.  -ENOSPC if no gap fits. */
static int __disk_alloc(struct file *file, unsigned long long bytes)
{
	unsigned long long off = 0;
	struct file *f;

	mutex_lock(&filemap_files_lock);
	cds_list_for_each_entry(f, &filemap_files, list) {
		if (f->mapping.disk_off - off >= bytes)
			break;
		off = f->mapping.disk_off + (unsigned long long)f->mapping.nr_slots * PAGE_SIZE;
	}
	if (&f->list == &filemap_files && filemap_disk.size - off < bytes) {
		mutex_unlock(&filemap_files_lock);
		return -ENOSPC;
	}
	file->mapping.disk_off = off;
	cds_list_add_tail(&file->list, &f->list);	/* before f */
	mutex_unlock(&filemap_files_lock);
	return 0;
}

struct file *file_create(const char *name, size_t size)
{
	unsigned long nr = (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	struct file *file;

	if (might_sleep() || size > filemap_disk.size)
		return NULL;
	file = kzalloc(sizeof(*file), GFP_KERNEL);
	if (!file)
		return NULL;
	snprintf(file->name, sizeof(file->name), "%s", name ? name : "");
	file->size = size;
	spin_lock_init(&file->mapping.i_pages_lock);
	file->mapping.nr_slots = nr;
	file->mapping.host = file;
	file->mapping.gfp_mask = GFP_HIGHUSER_MOVABLE;
	if (nr) {
		unsigned long longs = (nr + BITS_PER_LONG - 1) / BITS_PER_LONG;

		file->mapping.pages = vzalloc(nr * sizeof(struct page *) +
					      longs * sizeof(unsigned long));
		if (!file->mapping.pages) {
			kfree(file);
			return NULL;
		}
		file->written = (unsigned long *)(file->mapping.pages + nr);
	}
	if (__disk_alloc(file, (unsigned long long)nr * PAGE_SIZE)) {
		vfree(file->mapping.pages);
		kfree(file);
		return NULL;
	}
	return file;
}

/* A locked page out of its file (truncation): its slot emptied, its
 * dirtiness forgotten, the cache's reference dropped by the caller. */
static void delete_from_page_cache(struct address_space *m, struct page *page)
{
	spin_lock_irq(&m->i_pages_lock);
	m->pages[page->index] = NULL;
	WRITE_ONCE(m->nrpages, m->nrpages - 1);
	WRITE_ONCE(page->mapping, NULL);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_FILE_PAGES, -1);
	/* the kernel's account_page_cleaned(): the data goes with the file */
	if (PageDirty(page)) {
		ClearPageDirty(page);
		__mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_FILE_DIRTY, -1);
		__mod_zone_page_state(__page_zone(page), NR_ZONE_WRITE_PENDING, -1);
	}
	spin_unlock_irq(&m->i_pages_lock);
}

/* The page at idx with a reference of the caller's, or NULL. */
struct page *find_get_page(struct address_space *m, unsigned long idx)
{
	struct page *page;

	spin_lock_irq(&m->i_pages_lock);
	page = m->pages[idx];
	if (page && !get_page_unless_zero(page))
		page = NULL;
	spin_unlock_irq(&m->i_pages_lock);
	return page;
}

/*
 * truncate_inode_pages(): every page out, waiting for its lock and I/O.
 * At shutdown (at_exit) a page still locked has an owner that will never
 * unlock it (a test that failed holding it): it is left, and reported.
 */
static void truncate_pages(struct address_space *m, int at_exit)
{
	for (unsigned long idx = 0; idx < m->nr_slots; idx++) {
		struct page *page = find_get_page(m, idx);

		if (!page)
			continue;
		if (at_exit && !trylock_page(page)) {
			pr_warn("filemap: page %lu of a file locked at shutdown: left\n", idx);
			put_page(page);
			continue;
		}
		if (!at_exit)
			lock_page(page);
		wait_on_page_writeback(page);
		if (READ_ONCE(page->mapping) == m) {
			delete_from_page_cache(m, page);
			put_page(page);		/* the cache's */
		}
		unlock_page(page);
		put_page(page);
		cond_resched();
	}
}

/* Its pages out first, then off the list: a file on it holds every page
 * NR_FILE_PAGES counts (filemap_check()). */
static void destroy_file(struct file *file, int at_exit)
{
	truncate_pages(&file->mapping, at_exit);
	mutex_lock(&filemap_files_lock);
	cds_list_del(&file->list);		/* no drop_pagecache() walks it now */
	mutex_unlock(&filemap_files_lock);
	WARN(READ_ONCE(file->mapping.nrpages), "file '%s': %lu pages left after truncation\n",
	     file->name, READ_ONCE(file->mapping.nrpages));
	vfree(file->mapping.pages);
	kfree(file);
}

void file_destroy(struct file *file)
{
	if (!file || might_sleep())
		return;		/* refused from atomic context: the file stays */
	destroy_file(file, 0);
}

/* ------------------------------------------------------------------ */
/* Reading a page in                                                   */

/* PG_uptodate, release: the page's contents are seen by whoever sees it
 * set with acquire (page_uptodate_acquire()). */
static void SetPageUptodate_release(struct page *page)
{
	__atomic_fetch_or(&page->flags, 1UL << PG_uptodate, __ATOMIC_RELEASE);
}

static int page_uptodate_acquire(struct page *page)
{
	return (__atomic_load_n(&page->flags, __ATOMIC_ACQUIRE) >> PG_uptodate) & 1;
}

/* Copy len bytes at off of a page from or to buf, through kmap_atomic()
 * for a highmem page: 0, or -EIO if the host could not map it. */
static int page_copy(struct page *page, size_t off, void *buf, size_t len, int to_page)
{
	char *addr = kmap_atomic(page);

	if (!addr)
		return -EIO;
	if (to_page)
		memcpy(addr + off, buf, len);
	else
		memcpy(buf, addr + off, len);
	kunmap_atomic(addr);
	return 0;
}

/* A locked page that is not uptodate, read from its block: 0 or -EIO.
 * A block never written is a hole: zeros, no I/O (the kernel's
 * mpage_readpage() of an unmapped block). */
static int filemap_readpage(struct address_space *m, struct page *page)
{
	unsigned long long off = m->disk_off + ((unsigned long long)page->index << PAGE_SHIFT);
	int hole = !block_written(m->host, page->index);
	char *addr = kmap_atomic(page);
	int err = -EIO;

	if (addr) {
		if (hole) {
			memset(addr, 0, PAGE_SIZE);
			err = 0;
		} else {
			err = bdev_read(&filemap_disk, off, addr, PAGE_SIZE);
		}
		kunmap_atomic(addr);
	}
	if (hole) {
		if (err)
			return err;
		SetPageUptodate_release(page);
		return 0;
	}
	bdev_wait_io();
	if (err)
		return err;
	current->io.fs_read++;
	count_vm_events(PGPGIN, PAGE_SIZE >> 9);	/* sectors, as submit_bio() */
	SetPageUptodate_release(page);
	return 0;
}

/*
 * The page at idx, with a reference, uptodate (unless whole: the caller
 * overwrites all of it, and a new page is not read), locked if lock
 * (whole implies lock).  NULL with -ENOMEM (no memory for a new page) or
 * -EIO in *err.  The kernel's pagecache_get_page() with FGP_CREAT, then
 * its read (generic_file_buffered_read()) or write_begin.
 */
static struct page *pagecache_get_page(struct address_space *m, unsigned long idx, int lock,
				       int whole, int *err)
{
	struct page *page, *new;

repeat:
	page = find_get_page(m, idx);
	if (page) {
		mark_page_accessed(page);
		if (!lock && page_uptodate_acquire(page))
			return page;
		/* a reader in flight, a write, or a read that failed */
		lock_page(page);
		if (unlikely(READ_ONCE(page->mapping) != m)) {
			unlock_page(page);		/* truncated meanwhile */
			put_page(page);
			goto repeat;
		}
		if (!PageUptodate(page) && !whole) {
			*err = filemap_readpage(m, page);
			if (*err) {
				unlock_page(page);
				put_page(page);
				return NULL;
			}
		}
		if (!lock)
			unlock_page(page);
		return page;
	}

	/* a miss: a new page, locked before anyone can see it */
	new = alloc_page(m->gfp_mask);
	if (!new) {
		*err = -ENOMEM;
		return NULL;
	}
	__SetPageLocked(new);
	spin_lock_irq(&m->i_pages_lock);
	if (unlikely(m->pages[idx])) {
		/* another inserter won: use theirs */
		spin_unlock_irq(&m->i_pages_lock);
		__ClearPageLocked(new);
		put_page(new);
		goto repeat;
	}
	page_ref_inc(new);			/* the cache's; ours is the allocation's */
	WRITE_ONCE(new->mapping, m);
	WRITE_ONCE(new->index, idx);
	m->pages[idx] = new;
	WRITE_ONCE(m->nrpages, m->nrpages + 1);
	__mod_node_page_state(NODE_DATA(page_to_nid(new)), NR_FILE_PAGES, 1);
	spin_unlock_irq(&m->i_pages_lock);
	lru_cache_add(new);
	if (!whole) {
		*err = filemap_readpage(m, new);
		if (*err) {
			/* left in the cache, not uptodate: the next user reads again */
			unlock_page(new);
			put_page(new);
			return NULL;
		}
	}
	if (!lock)
		unlock_page(new);
	return new;
}

/* The bytes of [*pos, *pos + count) inside the file, or -EINVAL. */
static ssize_t file_range(struct file *file, size_t count, loff_t *pos)
{
	if (!file || !pos || *pos < 0)
		return -EINVAL;
	if ((unsigned long long)*pos >= file->size)
		return 0;
	return (ssize_t)min((unsigned long long)count, file->size - (unsigned long long)*pos);
}

ssize_t kernel_read(struct file *file, void *buf, size_t count, loff_t *pos)
{
	ssize_t len = file_range(file, count, pos), done = 0;
	struct address_space *m;
	int err = 0;

	if (len <= 0)
		return len;
	if (might_sleep())
		return -EINVAL;
	m = &file->mapping;
	while (done < len) {
		unsigned long idx = (unsigned long)(*pos >> PAGE_SHIFT);
		size_t off = (size_t)(*pos & (PAGE_SIZE - 1));
		size_t n = min(PAGE_SIZE - off, (size_t)(len - done));
		struct page *page = pagecache_get_page(m, idx, 0, 0, &err);

		if (!page)
			break;
		err = page_copy(page, off, (char *)buf + done, n, 0);
		put_page(page);
		if (err)
			break;
		done += (ssize_t)n;
		*pos += (loff_t)n;
		cond_resched();
	}
	return done ? done : err;
}

ssize_t kernel_write(struct file *file, const void *buf, size_t count, loff_t *pos)
{
	ssize_t len = file_range(file, count, pos), done = 0;
	struct address_space *m;
	int err = 0;

	if (len <= 0)
		return len < 0 ? len : (count ? -EFBIG : 0);	/* files do not grow */
	if (might_sleep())
		return -EINVAL;
	m = &file->mapping;
	while (done < len) {
		unsigned long idx = (unsigned long)(*pos >> PAGE_SHIFT);
		size_t off = (size_t)(*pos & (PAGE_SIZE - 1));
		size_t n = min(PAGE_SIZE - off, (size_t)(len - done));
		struct page *page = pagecache_get_page(m, idx, 1, n == PAGE_SIZE, &err);

		if (!page)
			break;
		wait_on_page_writeback(page);
		err = page_copy(page, off, (char *)buf + done, n, 1);
		if (!err) {
			if (!PageUptodate(page))
				SetPageUptodate_release(page);	/* a whole page written */
			set_page_dirty(page);
		}
		unlock_page(page);
		put_page(page);
		if (err)
			break;
		done += (ssize_t)n;
		*pos += (loff_t)n;
		balance_dirty_pages(m);
		cond_resched();
	}
	return done ? done : err;
}

/* ------------------------------------------------------------------ */
/* Reclaim's side                                                      */

/* v4.19 __remove_mapping() for a file page, without the shadow entry. */
int remove_mapping_file(struct page *page)
{
	struct address_space *m = READ_ONCE(page->mapping);

	if (unlikely(!PageLocked(page))) {
		dump_page(page, "VM_BUG_ON_PAGE(!PageLocked(page))");
		return 0;
	}
	if (!m || PageAnon(page))
		return 0;
	spin_lock_irq(&m->i_pages_lock);
	/* the cache's reference and the isolation's, nobody else's */
	if (PageDirty(page) || PageWriteback(page) || !page_ref_freeze(page, 2))
		goto cannot_free;
	if (unlikely(PageDirty(page))) {	/* dirtied by a holder that just left */
		page_ref_unfreeze(page, 2);
		goto cannot_free;
	}
	m->pages[page->index] = NULL;
	WRITE_ONCE(m->nrpages, m->nrpages - 1);
	WRITE_ONCE(page->mapping, NULL);
	__mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_FILE_PAGES, -1);
	spin_unlock_irq(&m->i_pages_lock);
	return 1;

cannot_free:
	spin_unlock_irq(&m->i_pages_lock);
	return 0;
}

/*
 * invalidate_mapping_pages() of every file: a page that is clean, not
 * under write-back, unlocked and held by nobody but the cache leaves it;
 * the last put_page() takes it off its LRU list (__page_cache_release())
 * and frees it.  Returns the pages dropped.
 */
static unsigned long invalidate_mapping_pages(struct address_space *m)
{
	unsigned long dropped = 0;

	for (unsigned long idx = 0; idx < m->nr_slots; idx++) {
		struct page *page = find_get_page(m, idx);
		int freed = 0;

		if (!page)
			continue;
		if (trylock_page(page)) {
			spin_lock_irq(&m->i_pages_lock);
			/* ours and the cache's only, the same page still there */
			if (READ_ONCE(page->mapping) == m && !PageDirty(page) &&
			    !PageWriteback(page) && page_ref_freeze(page, 2)) {
				m->pages[idx] = NULL;
				WRITE_ONCE(m->nrpages, m->nrpages - 1);
				WRITE_ONCE(page->mapping, NULL);
				__mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_FILE_PAGES, -1);
				page_ref_unfreeze(page, 1);	/* ours: the cache's is gone */
				freed = 1;
			}
			spin_unlock_irq(&m->i_pages_lock);
			unlock_page(page);
		}
		put_page(page);
		dropped += freed;
		cond_resched();
	}
	return dropped;
}

unsigned long drop_pagecache(void)
{
	unsigned long dropped = 0;
	struct file *f;

	if (might_sleep())
		return 0;
	mutex_lock(&filemap_files_lock);
	cds_list_for_each_entry(f, &filemap_files, list)
		dropped += invalidate_mapping_pages(&f->mapping);
	mutex_unlock(&filemap_files_lock);
	return dropped;
}
