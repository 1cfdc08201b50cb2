/* SPDX-License-Identifier: MIT */
/*
 * mmsim/highmem.h - temporary kernel mappings of pages (Linux v4.19
 * include/linux/highmem.h, arch/x86/include/asm/highmem.h), mm/highmem.c.
 *
 * A highmem page (arch=x86_32, above 896 MiB) has no direct-map address:
 *
 *   kmap(page)		maps it in the pkmap window (LAST_PKMAP = 1024
 *			slots shared by every CPU) until kunmap(page); the
 *			same page kmapped twice shares its slot.  May sleep
 *			(until another task's kunmap() frees a slot): never
 *			from atomic context.
 *   kmap_atomic(page)	maps it in one of this CPU's KM_TYPE_NR = 20 fixmap
 *			slots, used as a stack (depth d always at the same
 *			address), until kunmap_atomic(addr), in LIFO order;
 *			preemption and page faults are disabled meanwhile, so
 *			nothing in between may sleep.  Never sleeps itself.
 *
 * A lowmem page (every page on x86_64) needs neither: both return
 * page_address() and use no slot (kmap_atomic() still disables preemption
 * and page faults, as the kernel's does).
 *
 * NULL: kmap() and kmap_atomic() of a highmem page fail only when the host
 * refuses the mapping (its vm.max_map_count: an allocation failure), or
 * for a refused misuse (a 21st nested kmap_atomic(), no CPU attached),
 * which is reported.  Misuse reported and refused (nothing changes):
 * kunmap() of a page that is not kmapped or from interrupt context,
 * kunmap_atomic() of an address that is not this CPU's last
 * kmap_atomic(), or with none held.
 *
 * page_address() of a highmem page (mmsim/mm.h) is its pkmap address
 * while it has one (kmapped, or kunmapped but not yet flushed: the slot
 * is reused only after a wrap of the slot scan), NULL otherwise, as
 * v4.19's hashed page_address().
 */
#ifndef MMSIM_HIGHMEM_H
#define MMSIM_HIGHMEM_H

#include <mmsim/compiler.h>
#include <mmsim/machine.h>
#include <mmsim/mm_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* x86_32's: the pkmap window's slots, kmap_atomic()'s slots per CPU. */
#ifndef LAST_PKMAP
#define LAST_PKMAP	1024
#endif
#ifndef KM_TYPE_NR
#define KM_TYPE_NR	20
#endif

void *kmap(struct page *page);
void kunmap(struct page *page);
void *kmap_atomic(struct page *page);
/* addr: what kmap_atomic() returned (or an address inside that page). */
void kunmap_atomic(void *addr);
/* The page mapped at a kmap() (or direct-map) address. */
struct page *kmap_to_page(void *addr);

/*
 * pagefault_disable(): the calling task's count (its own; an interrupt on
 * its thread undoes what it does before it returns).
 */
extern __thread int __mm_pagefault_disabled;
static inline void pagefault_disable(void)
{
	__mm_pagefault_disabled++;
	barrier();
}
static inline void pagefault_enable(void)
{
	barrier();
	__mm_pagefault_disabled--;
}
static inline int pagefault_disabled(void)
{
	return __mm_pagefault_disabled != 0;
}

/*
 * The model's own, for tests and harnesses: the pkmap window's state.
 * pkmap_slot_count(nr) is pkmap_count[nr] (0 free, 1 stale, n: n - 1
 * users), -1 on a machine without highmem or nr out of range;
 * kmap_atomic_depth() the calling CPU's slots in use.  Counters are
 * cumulative since boot.
 */
struct pkmap_stats {
	unsigned long maps;		/* a page given a slot */
	unsigned long flushes;		/* wraps that unmapped stale slots */
	unsigned long flushed;		/* stale slots they unmapped */
	unsigned long sleeps;		/* kmap() calls that slept for a slot */
	unsigned int mapped;		/* slots with pkmap_count >= 1 now */
	unsigned int in_use;		/* of them, with users (>= 2) */
};
int pkmap_slot_count(unsigned int nr);
int kmap_atomic_depth(void);
void pkmap_stats_read(struct pkmap_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_HIGHMEM_H */
