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
#include <string.h>

#include "reclaim.h"

__attribute__((weak)) unsigned long total_swap_pages;
__attribute__((weak)) long get_nr_swap_pages(void) { return 0; }
__attribute__((weak)) int try_to_unmap_anon(struct page *page) { (void)page; return -EAGAIN; }
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
__attribute__((weak)) void mm_io_stats_current(struct mm_io_stats *st)
{
	st->swap_out = current->io.swap_out;
	st->swap_in = current->io.swap_in;
	st->fs_write = current->io.fs_write;
	st->fs_read = current->io.fs_read;
	st->fs_shrink = current->io.fs_shrink;
}
/* Tasks (memory.c): none can be made; the OOM killer's list is empty. */
__attribute__((weak)) CDS_LIST_HEAD(mm_list);
__attribute__((weak)) DEFINE_SPINLOCK(mm_list_lock);
__attribute__((weak)) unsigned long oom_reap_mm(struct mm_struct *mm) { (void)mm; return 0; }
__attribute__((weak)) unsigned long mm_pgtables_bytes(const struct mm_struct *mm)
{
	return mm->nr_ptes * sizeof(unsigned long);
}
__attribute__((weak)) void mmput(struct mm_struct *mm)
{
	__atomic_fetch_sub(&mm->users, 1, __ATOMIC_RELEASE);
}
__attribute__((weak)) struct mm_struct *mm_task_create(const char *comm, unsigned long nr_pages,
							int oom_score_adj)
{
	(void)comm; (void)nr_pages; (void)oom_score_adj;
	return NULL;
}
__attribute__((weak)) void mm_task_exit(struct mm_struct *mm) { (void)mm; }
__attribute__((weak)) int mm_task_access(struct mm_struct *mm, unsigned long idx, int write,
					 gfp_t gfp, void **addr)
{
	(void)mm; (void)idx; (void)write; (void)gfp; (void)addr;
	return -EINVAL;
}
__attribute__((weak)) void mm_task_release(struct mm_struct *mm, unsigned long idx, void *addr)
{
	(void)mm; (void)idx; (void)addr;
}
__attribute__((weak)) int mm_task_oom_killed(const struct mm_struct *mm)
{
	return (__atomic_load_n(&mm->flags, __ATOMIC_RELAXED) >> MMF_OOM_VICTIM) & 1;
}
__attribute__((weak)) void mm_task_info(const struct mm_struct *mm, struct mm_task_info *info)
{
	(void)mm;
	memset(info, 0, sizeof(*info));
}
