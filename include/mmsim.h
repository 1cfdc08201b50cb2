/* SPDX-License-Identifier: MIT */
/*
 * mmsim.h - the public API of the mmsim library: a user-space model of the
 * Linux memory allocator on a simulated SMP/NUMA machine.  Kernel names and
 * v4.19 signatures; the design card is DESIGN.md.
 *
 *   mmsim/machine.h	machine life cycle, CPUs, execution context
 *   mmsim/gfp.h	gfp flags
 *   mmsim/mm_types.h	struct page and page flags
 *   mmsim/mm.h		the page allocator
 *   mmsim/slab.h	the slab allocator and kmalloc
 *   mmsim/sched.h	jiffies, cond_resched() and per-CPU delayed work
 *   mmsim/rcupdate.h	RCU (liburcu underneath)
 *   mmsim/wait.h	wait queues
 *   mmsim/spinlock.h	spinlock_t (for code running on simulated CPUs)
 *   mmsim/mutex.h	struct mutex
 *   mmsim/completion.h	struct completion
 *   mmsim/mempool.h	memory pools
 *   mmsim/vmalloc.h	vmalloc, vmap and vfree
 *   mmsim/highmem.h	kmap(), kmap_atomic(): mappings of highmem pages
 *   mmsim/kmemleak.h	the kernel memory leak detector's annotations
 *   mmsim/swap.h	tasks' anonymous memory, files and the page cache, reclaim
 *   mmsim/shrinker.h	shrinkers: caches that reclaim asks to give memory back
 *   mmsim/cpumask.h	sets of CPUs
 *   mmsim/printk.h	the console: quiet, report counters and hook
 *   mmsim/inspect.h	what harnesses read of the allocator: zones, per-CPU
 *			lists, caches, pools, the machine; checks under
 *			stop_machine()
 *
 * The headers compile as C (gnu11) and as C++ (extern "C"; struct page's
 * and wait_queue_entry's field `private` is `private_` there).
 */
#ifndef MMSIM_H
#define MMSIM_H

#include <mmsim/compiler.h>
#include <mmsim/machine.h>
#include <mmsim/gfp.h>
#include <mmsim/mm_types.h>
#include <mmsim/mm.h>
#include <mmsim/slab.h>
#include <mmsim/sched.h>
#include <mmsim/rcupdate.h>
#include <mmsim/jitter.h>
#include <mmsim/wait.h>
#include <mmsim/spinlock.h>
#include <mmsim/mutex.h>
#include <mmsim/lockdep.h>
#include <mmsim/completion.h>
#include <mmsim/mempool.h>
#include <mmsim/vmalloc.h>
#include <mmsim/highmem.h>
#include <mmsim/kmemleak.h>
#include <mmsim/swap.h>
#include <mmsim/shrinker.h>
#include <mmsim/cpumask.h>
#include <mmsim/printk.h>
#include <mmsim/inspect.h>

#endif /* MMSIM_H */
