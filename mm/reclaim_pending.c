// SPDX-License-Identifier: MIT
/*
 * mm/reclaim_pending.c - TEMPORARY, removed before issue 16 closes: weak
 * definitions of the parts of reclaim that land separately (swap area,
 * tasks, page cache, shrinkers, OOM), so that main builds while they are
 * merged one by one.  Each behaves as "nothing of that kind exists" (no
 * swap, no file pages, no shrinkers, nothing killable); a part's real
 * definitions replace these at link time.
 */
#include <errno.h>

#include "reclaim.h"

__attribute__((weak)) int filemap_writepage(struct page *page) { (void)page; return -EIO; }
__attribute__((weak)) int remove_mapping_file(struct page *page) { (void)page; return 0; }
__attribute__((weak)) unsigned long shrink_slab(gfp_t gfp_mask, int nid, int priority)
{
	(void)gfp_mask; (void)nid; (void)priority;
	return 0;
}
__attribute__((weak)) int out_of_memory(struct oom_control *oc) { (void)oc; return 0; }
__attribute__((weak)) int tsk_is_oom_victim(void) { return 0; }
__attribute__((weak)) DEFINE_MUTEX(oom_lock);
__attribute__((weak)) unsigned long drop_pagecache(void) { return 0; }
