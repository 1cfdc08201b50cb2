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

/* A page's node and zone counters (interrupts off inside: vmstat.h). */
static inline void filemap_mod_node(struct page *page, enum node_stat_item item, long delta)
{
	mod_node_page_state(NODE_DATA(page_to_nid(page)), item, delta);
}

static inline void filemap_mod_zone(struct page *page, enum zone_stat_item item, long delta)
{
	mod_zone_page_state(__page_zone(page), item, delta);
}

#endif /* MM_FILEMAP_H */
