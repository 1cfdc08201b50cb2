/* SPDX-License-Identifier: MIT */
/*
 * mmsim/mm_types.h - struct page and the page flags.
 *
 * One struct page (64 bytes, as in Linux) describes each 4 KiB frame.  The
 * memmap is one virtually contiguous array indexed by pfn whose per-node
 * slices are each node's node_mem_map; it is touched lazily, so a frame that
 * was never used costs no host memory: a zeroed struct page is a valid
 * "inside a free block, not a block head" frame.
 *
 * Who may touch what:
 *   flags	atomic bit operations (set_bit/clear_bit style), any thread;
 *		PG_buddy only under zone->lock of the frame's zone.  The
 *		non-atomic __SetPage*()/__ClearPage*() only on a frame nobody
 *		else holds: on one with a count above 1 they are a BUG (see
 *		__set_page_flag()).
 *   lru	the list the frame sits on: a free_area list (zone->lock), a
 *		per-CPU list (its CPU), or the owner's own lists when allocated.
 *   private	PG_buddy: the order of the free block (zone->lock); else the
 *		owner's.
 *   _refcount	atomic; 0 for a free block, 1 when handed out.
 *   alloc_order, alloc_cpu
 *		the order the block was handed out with and the CPU that did
 *		it, written by that CPU before the page is returned; read when
 *		it is freed (happens-before through the owner's hand-off).
 */
#ifndef MMSIM_MM_TYPES_H
#define MMSIM_MM_TYPES_H

#include <urcu/list.h>
#include <mmsim/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmem_cache;

struct page {
	unsigned long flags;
	union {
		struct cds_list_head lru;
		struct {			/* SLUB: a slab on a CPU's partial list */
			struct page *next;	/* the next one (NULL: last) */
			int pages;		/* slabs from this one to the end */
			int pobjects;		/* their free objects, roughly */
		};
	};
	union {
		void *mapping;
		struct kmem_cache *slab_cache;	/* PG_slab */
	};
	union {
		unsigned long index;
		void *freelist;			/* PG_slab */
	};
	union {
#ifndef __cplusplus
		unsigned long private;
#else
		unsigned long private_;		/* C++: "private" is a keyword */
#endif
		void *s_mem;			/* PG_slab (SLAB): first object */
		unsigned long counters;		/* PG_slab (SLUB): the word below,
						   exchanged with freelist as one
						   double word */
		struct {			/* PG_slab (SLUB) */
			unsigned inuse:16;	/* objects not on page->freelist */
			unsigned objects:15;	/* objects in the slab */
			unsigned frozen:1;	/* a CPU's slab (c->page or partial) */
		};
	};
	union {
		int _mapcount;			/* no user mappings: 0 */
		unsigned int active;		/* PG_slab (SLAB): objects in use */
		int units;			/* PG_slab (SLOB): free units */
	};
	int _refcount;
	int alloc_order;
	int alloc_cpu;
};

/* Page flag bits in the order of Linux v4.19 (x86_64, no uncached/hwpoison/
 * idle tracking); PG_buddy is the 2.6 flag (v4.19 keeps it in page_type). */
enum pageflags {
	PG_locked,
	PG_error,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_waiters,
	PG_slab,
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_writeback,
	PG_head,
	PG_mappedtodisk,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	PG_buddy,
	__NR_PAGEFLAGS,
};

/* Flags that must be clear when a page is freed or handed out. */
#define PAGE_FLAGS_CHECK_AT_FREE \
	(1UL << PG_lru | 1UL << PG_locked | 1UL << PG_private | \
	 1UL << PG_private_2 | 1UL << PG_writeback | 1UL << PG_reserved | \
	 1UL << PG_slab | 1UL << PG_active | 1UL << PG_unevictable | \
	 1UL << PG_mlocked | 1UL << PG_buddy)
#define PAGE_FLAGS_CHECK_AT_PREP	((1UL << __NR_PAGEFLAGS) - 1)

static inline int test_page_flag(const struct page *page, int nr)
{
	return (__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >> nr) & 1;
}

static inline void set_page_flag(struct page *page, int nr)
{
	__atomic_fetch_or(&page->flags, 1UL << nr, __ATOMIC_RELAXED);
}

static inline void clear_page_flag(struct page *page, int nr)
{
	__atomic_fetch_and(&page->flags, ~(1UL << nr), __ATOMIC_RELAXED);
}

/*
 * Non-atomic forms (a load, then a store of the whole word) for a frame
 * nobody else can write: not yet visible, free or being freed (count 0),
 * or one whose every flag writer holds the lock the caller holds.  A lock
 * that owns one bit is not enough on a live page whose other bits others
 * change atomically (PG_locked, PG_dirty, PG_waiters): the store puts
 * their old values back.  Still relaxed atomic accesses, so concurrent
 * readers of the word are race-free (and TSan sees no race either way,
 * which is why the contract is checked here): a page with a count above 1
 * is held by someone else too, and a non-atomic write to it is reported
 * (page_flag_nonatomic_bug(), mm/debug.c: a VM_BUG_ON_PAGE), then done
 * atomically.
 */
void page_flag_nonatomic_bug(struct page *page, int nr, int set);

static inline int __page_flags_shared(const struct page *page)
{
	return __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED) > 1;
}

static inline void __set_page_flag(struct page *page, int nr)
{
	if (unlikely(__page_flags_shared(page)))
		page_flag_nonatomic_bug(page, nr, 1);
	else
		WRITE_ONCE(page->flags, READ_ONCE(page->flags) | 1UL << nr);
}

static inline void __clear_page_flag(struct page *page, int nr)
{
	if (unlikely(__page_flags_shared(page)))
		page_flag_nonatomic_bug(page, nr, 0);
	else
		WRITE_ONCE(page->flags, READ_ONCE(page->flags) & ~(1UL << nr));
}

#define PAGEFLAG(uname, lname)						\
static inline int Page##uname(const struct page *page)			\
{ return test_page_flag(page, PG_##lname); }				\
static inline void SetPage##uname(struct page *page)			\
{ set_page_flag(page, PG_##lname); }					\
static inline void ClearPage##uname(struct page *page)			\
{ clear_page_flag(page, PG_##lname); }					\
static inline void __SetPage##uname(struct page *page)			\
{ __set_page_flag(page, PG_##lname); }					\
static inline void __ClearPage##uname(struct page *page)		\
{ __clear_page_flag(page, PG_##lname); }

PAGEFLAG(Locked, locked)
PAGEFLAG(Referenced, referenced)
PAGEFLAG(Dirty, dirty)
PAGEFLAG(LRU, lru)
PAGEFLAG(Active, active)
PAGEFLAG(Slab, slab)
PAGEFLAG(Reserved, reserved)
PAGEFLAG(Private, private)
PAGEFLAG(Head, head)
PAGEFLAG(Buddy, buddy)

#undef PAGEFLAG

static inline int page_ref_count(const struct page *page)
{
	return __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
}

static inline void set_page_count(struct page *page, int v)
{
	__atomic_store_n(&page->_refcount, v, __ATOMIC_RELAXED);
}

static inline void page_ref_inc(struct page *page)
{
	__atomic_fetch_add(&page->_refcount, 1, __ATOMIC_RELAXED);
}

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_MM_TYPES_H */
