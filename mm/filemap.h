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
					   written under files_lock before
					   the file is returned */
	unsigned long wb_index;		/* balance_dirty_pages()'s cursor: a
					   hint (READ_ONCE/WRITE_ONCE) */
	struct cds_list_head list;	/* on files (filemap.c's files_lock) */
};

extern struct block_device filemap_disk;	/* filemap_init() to filemap_exit() */

/* The page at idx with a reference of the caller's, or NULL. */
struct page *find_get_page(struct address_space *m, unsigned long idx);

/* Node and zone counters and vm events with interrupts off around them
 * (the __ forms' requirement, vmstat.h). */
void filemap_mod_node(struct page *page, enum node_stat_item item, long delta);
void filemap_mod_zone(struct page *page, enum zone_stat_item item, long delta);
void filemap_count_events(enum vm_event_item item, long delta);

#endif /* MM_FILEMAP_H */
