/* SPDX-License-Identifier: MIT */
/*
 * mmsim/swap.h - reclaimable memory: tasks' anonymous memory (swapped to
 * the swap area), files (cached in the page cache, written back to the
 * simulated disk), and what a harness reads of reclaim.
 *
 * The kernel reaches these through page faults and read()/write(); the
 * model has no processes, so a harness drives them with the calls below
 * (non-kernel names, like the machine's life cycle):
 *
 *   tasks	mm_task_create() makes a task's address space of nr_pages
 *		anonymous pages; mm_task_access() faults one in (allocating,
 *		or reading it back from swap) and pins it while the caller
 *		reads or writes it; mm_task_exit() frees everything.  The OOM
 *		killer picks among live tasks by the kernel's badness
 *		(oom_score_adj included) and kills one: its memory is reaped,
 *		its accesses fail with -EINTR, and its owner calls
 *		mm_task_exit().
 *   files	file_create() makes a file of size bytes on the simulated
 *		disk (blocks of zeros); kernel_read()/kernel_write() go through
 *		the page cache (GFP_HIGHUSER_MOVABLE pages, highmem included),
 *		dirty pages are written back by reclaim, by writers over
 *		vm.dirty_ratio, and by vfs_fsync().
 *
 * Boot parameters: swap=SIZE (the swap area, none by default),
 * disk=SIZE (the disk files live on, 1G by default), io_latency_us=N (each
 * page's I/O waits N us after its copy, 50 by default).  Every call needs
 * an attached CPU and process context (it may sleep and reclaim).
 */
#ifndef MMSIM_SWAP_H
#define MMSIM_SWAP_H

#include <stddef.h>
#include <sys/types.h>
#include <mmsim/compiler.h>
#include <mmsim/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OOM_SCORE_ADJ_MIN	(-1000)
#define OOM_SCORE_ADJ_MAX	1000

struct mm_struct;
struct file;

/* A task of nr_pages anonymous pages (its page tables are vmalloc()ed
 * with GFP_KERNEL): NULL on failure.  comm names it in reports. */
struct mm_struct *mm_task_create(const char *comm, unsigned long nr_pages, int oom_score_adj);
/* Give everything back (pages, swap slots, tables); mm is gone after. */
void mm_task_exit(struct mm_struct *mm);
/*
 * Page idx of mm, present and pinned: its kernel address (kmap()ed if
 * it is a highmem page) in *addr; the caller reads or writes it, then
 * calls mm_task_release() with the same idx and addr.  A write marks it
 * dirty.  0, -ENOMEM (no memory, gfp allowing failure), -EINTR (the task
 * was killed by the OOM killer), -EINVAL (idx out of range).
 * gfp: the allocation's (GFP_HIGHUSER_MOVABLE for a user fault).
 */
int mm_task_access(struct mm_struct *mm, unsigned long idx, int write, gfp_t gfp, void **addr);
void mm_task_release(struct mm_struct *mm, unsigned long idx, void *addr);
/* Whether the OOM killer chose this task. */
int mm_task_oom_killed(const struct mm_struct *mm);
/* The kernel's /proc/PID/oom_score: badness scaled to 0..1000. */
unsigned long mm_task_oom_score(struct mm_struct *mm);
/* What the task holds: pages present (rss), entries in swap. */
struct mm_task_info {
	int pid;
	long anon_rss, swapents;
	unsigned long pgtables_bytes;
	int oom_score_adj;
	int oom_killed;
};
void mm_task_info(const struct mm_struct *mm, struct mm_task_info *info);

/* A file of size bytes (rounded up to pages) on the disk: NULL if the
 * disk is full or the tables cannot be allocated. */
struct file *file_create(const char *name, size_t size);
/* Drops its page cache pages (waiting for their I/O) and its blocks. */
void file_destroy(struct file *file);
/* v4.19's signatures: bytes done, or -errno (-ENOMEM, -EINTR). */
ssize_t kernel_read(struct file *file, void *buf, size_t count, loff_t *pos);
ssize_t kernel_write(struct file *file, const void *buf, size_t count, loff_t *pos);
int vfs_fsync(struct file *file, int datasync);

/*
 * I/O the calling task started since its thread began (each CPU's own;
 * a task borrowed by kswapd is not counted to it): swap writes and file
 * write-backs.  How a harness checks that a GFP_NOIO or GFP_NOFS caller
 * started no I/O its flags forbid.
 */
struct mm_io_stats {
	unsigned long swap_out;		/* pages written to swap */
	unsigned long swap_in;
	unsigned long fs_write;		/* file pages written back */
	unsigned long fs_read;
	unsigned long fs_shrink;	/* FS shrinkers' scans (__GFP_FS only) */
};
void mm_io_stats_current(struct mm_io_stats *st);

/*
 * The OOM killer's record of its recent kills (mm/oom_kill.c): for each,
 * the victim and, for every task on the list at the selection (in list
 * order, the order ties are broken in: the first of equal scores wins),
 * the raw numbers its badness was computed from, so that a harness can
 * recompute the choice with code of its own.  v4.19's badness:
 *   0 if oom_score_adj is OOM_SCORE_ADJ_MIN or the task was reaped (skip);
 *   else rss (anon + file + shmem) + swapents + pgtables_bytes / PAGE_SIZE
 *   + oom_score_adj * (totalpages / 1000), and at least 1;
 * the victim has the largest.  Any thread; copies are taken under a lock.
 */
#define MM_OOM_MAX_CANDIDATES	64
#define MM_OOM_RECORDS		16	/* kills kept */

struct mm_oom_candidate {
	int pid;
	int oom_score_adj;
	int skip;			/* reaped (MMF_OOM_SKIP): scores 0 */
	long anon_rss, file_rss, shmem_rss, swapents;
	unsigned long pgtables_bytes;
};

struct mm_oom_kill {
	unsigned long seq;		/* 1 for the first kill since the boot */
	int victim_pid;
	char victim_comm[16];
	unsigned long points;		/* the victim's badness */
	unsigned long totalpages;	/* totalram_pages + total_swap_pages */
	int nr_tasks;			/* tasks seen; the first
					   min(nr_tasks, MM_OOM_MAX_CANDIDATES)
					   are in cand[] */
	struct mm_oom_candidate cand[MM_OOM_MAX_CANDIDATES];
};

/* The last min(n, MM_OOM_RECORDS, kills) kills, oldest first: how many. */
int mm_oom_kills(struct mm_oom_kill *buf, int n);
/* Kills since the boot (the seq of the last one). */
unsigned long mm_oom_kill_count(void);
/* The OOM killer's totalpages: RAM plus swap, in pages. */
unsigned long mm_oom_totalpages(void);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_SWAP_H */
