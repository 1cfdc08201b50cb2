/* SPDX-License-Identifier: MIT */
/*
 * mm/filemap.h - what filemap.c (files, the page cache) and
 * page_writeback.c (dirty pages, write-back, the dirty limits) share.
 * Nothing else includes it: the rest of mm/ sees reclaim.h.
 */
#ifndef MM_FILEMAP_H
#define MM_FILEMAP_H

#include "reclaim.h"

struct block_device;

struct file {
	char name[32];			/* read-only */
	unsigned long long size;	/* bytes, read-only */
	struct address_space mapping;	/* see reclaim.h; disk_off is
					   written under filemap_files_lock before
					   the file is returned */
	unsigned long *written;		/* a bit per block written back since
					   file_create() (atomic bits, set
					   under the page's lock); the others
					   are holes: they read as zeros
					   without I/O.  After pages[] in its
					   vzalloc() */
	unsigned long wb_index;		/* balance_dirty_pages()'s cursor: a
					   hint (READ_ONCE/WRITE_ONCE) */
	struct cds_list_head list;	/* on files (filemap.c's filemap_files_lock) */
};

extern struct block_device filemap_disk;	/* filemap_init() to filemap_exit() */
/* Every file, sorted by disk_off, under filemap_files_lock (filemap.c's map). */
extern struct mutex filemap_files_lock;
extern struct cds_list_head filemap_files;

#define BITS_PER_LONG	(8 * sizeof(unsigned long))

static inline int block_written(const struct file *f, unsigned long idx)
{
	return (__atomic_load_n(&f->written[idx / BITS_PER_LONG], __ATOMIC_RELAXED) >>
		(idx % BITS_PER_LONG)) & 1;
}

/* Relaxed: the page lock orders the block's data for its next reader. */
static inline void set_block_written(struct file *f, unsigned long idx)
{
	__atomic_fetch_or(&f->written[idx / BITS_PER_LONG], 1UL << (idx % BITS_PER_LONG),
			  __ATOMIC_RELAXED);
}

/* The page at idx with a reference of the caller's, or NULL. */
struct page *find_get_page(struct address_space *m, unsigned long idx);

#endif /* MM_FILEMAP_H */
