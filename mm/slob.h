/* SPDX-License-Identifier: MIT */
/*
 * mm/slob.h - SLOB's heap, shared by the allocator (mm/slob.c) and its
 * mm_check() walker (mm/slob_check.c).  Owned by the SLOB part; nothing
 * else includes it.
 *
 * The heap (Linux v4.19 mm/slob.c): order-0 pages with PG_slab, cut into
 * blocks counted in 2-byte units (slob_t).  A page's free blocks form a
 * chain in address order from page->freelist; each free block says its
 * size and the offset (in units from the page's start) of the next free
 * block:
 *	more than 1 unit:  s[0].units = size, s[1].units = next offset
 *	exactly 1 unit:    s[0].units = -(next offset)
 * The last free block's next offset is SLOB_PAGE_UNITS (the next page's
 * start).  Allocated blocks carry nothing (kmalloc puts its own size
 * header in the first 8 bytes of its block).
 *
 * Per heap page, all under slob_lock:
 *	page->units	free units in the page (0: full)
 *	page->freelist	its first free block (stale while the page is full)
 *	page->lru	its place on free_slob_small/medium/large
 *	PG_slob_free	the page is on one of those lists (v4.19's
 *			PG_slob_free, which is PG_private: no heap page is
 *			ever in the page cache, and the page allocator's
 *			free-time check catches a page freed with it set)
 * Invariants (slob_check()): PG_slob_free <=> 0 < units <=> on exactly one
 * list; 0 < units < SLOB_PAGE_UNITS for a listed page (a page that frees
 * up completely goes back to the page allocator at once); the free chain
 * runs in address order inside the page, no two free blocks touch (they
 * are merged on free), and its units add up to page->units.
 *
 * Which list a page is on says nothing about its free space: v4.19 puts a
 * new page on the list of the request that made it, and a full page that
 * gets a block back on the list of that block's size.
 *
 * Full pages are on no list (as in v4.19); the walker finds every heap page
 * by PG_slab in the memmap (under SLOB only heap pages have it).
 */
#ifndef MM_SLOB_H
#define MM_SLOB_H

#include <stdint.h>
#include "slab.h"

/* Units: a page of 4 KiB has 2048, so a signed 16-bit offset holds them. */
typedef int16_t slobidx_t;
typedef struct slob_block {
	slobidx_t units;
} slob_t;

#define SLOB_UNIT		sizeof(slob_t)
#define SLOB_UNITS(size)	DIV_ROUND_UP((size_t)(size), SLOB_UNIT)
#define SLOB_PAGE_UNITS		((int)SLOB_UNITS(PAGE_SIZE))

/* The lists: requests (kmalloc's with its header) below 256 bytes, below
 * 1024, and the rest. */
#define SLOB_BREAK1		256
#define SLOB_BREAK2		1024

/* max(ARCH_KMALLOC_MINALIGN, ARCH_SLAB_MINALIGN): 8 on x86.  kmalloc's size
 * header takes this much before the object; requests from PAGE_SIZE - 8
 * bytes up go to the page allocator. */
#define SLOB_ALIGN		((unsigned int)__alignof__(unsigned long long))

/* v4.19: PG_slob_free = PG_private */
#define PG_slob_free		PG_private
/*
 * The model's own mark (v4.19 has none) on the first page of a kmalloc()
 * block SLOB took from the page allocator, so that kfree() and ksize() of
 * any other non-slab page is refused instead of freeing someone's pages.
 * PG_owner_priv_1 is unused by the model; SLOB clears it before the block
 * goes back.
 */
#define PG_slob_large		PG_owner_priv_1

/*
 * slob_lock (irq-safe, spin_lock_irqsave) protects the three lists, every
 * heap page's units/freelist/lru/PG_slob_free, the free blocks' contents,
 * and slob_heap_pages.  PG_slab of a heap page is set and cleared under it
 * too (atomic flag operations: kfree() tests it without the lock).
 */
extern spinlock_t slob_lock;
extern struct cds_list_head free_slob_small;
extern struct cds_list_head free_slob_medium;
extern struct cds_list_head free_slob_large;
/* Heap pages (PG_slab), full or not: slob_lock. */
extern unsigned long slob_heap_pages;
/* Pages of kmalloc() blocks from the page allocator (PG_slob_large on
 * their first page): an atomic, relaxed; changed with the mark, with no
 * safe point between, so a stop_machine() check sees both or neither. */
extern unsigned long slob_large_pages;

static inline slob_t *slob_page_base(const slob_t *s)
{
	return (slob_t *)((unsigned long)s & ~(PAGE_SIZE - 1));
}

/* Write a free block of size units at s whose next free block is next. */
static inline void set_slob(slob_t *s, slobidx_t size, slob_t *next)
{
	slobidx_t offset = (slobidx_t)(next - slob_page_base(s));

	if (size > 1) {
		s[0].units = size;
		s[1].units = offset;
	} else {
		s[0].units = (slobidx_t)-offset;
	}
}

/* The size of the free block s. */
static inline slobidx_t slob_units(const slob_t *s)
{
	return s->units > 0 ? s->units : 1;
}

/* The free block after s (the next page's start after the last one). */
static inline slob_t *slob_next(slob_t *s)
{
	slobidx_t next = s[0].units < 0 ? (slobidx_t)-s[0].units : s[1].units;

	return slob_page_base(s) + next;
}

/* s is its page's last free block. */
static inline int slob_last(slob_t *s)
{
	return !((unsigned long)slob_next(s) & (PAGE_SIZE - 1));
}

/* The list a request of size bytes searches (and a page freed back from
 * full by a block of size bytes joins). */
static inline struct cds_list_head *slob_list_for(size_t size)
{
	if (size < SLOB_BREAK1)
		return &free_slob_small;
	if (size < SLOB_BREAK2)
		return &free_slob_medium;
	return &free_slob_large;
}

static inline int PageSlobFree(const struct page *page)
{
	return test_page_flag(page, PG_slob_free);
}

static inline int PageSlobLarge(const struct page *page)
{
	return test_page_flag(page, PG_slob_large);
}

/* The order of a block SLOB took from the page allocator: kmalloc's are
 * compound above order 0 (v4.19's compound_order()). */
static inline unsigned int slob_compound_order(const struct page *page)
{
	return PageHead(page) ? (unsigned int)page->alloc_order : 0;
}

/*
 * ASan builds: the free space of the heap is poisoned but for the first
 * 4 bytes of each free block (its size and next offset), so that a use
 * after free faults at the access.  A header written inside free space
 * (a block split) is unpoisoned first.  ASan's granule is 8 bytes and a
 * block's start 2-byte aligned: unpoisoning rounds a granule's addressable
 * prefix up (never a false report), poisoning never reaches outside its
 * range.
 */
#define SLOB_HDR_BYTES		(2 * SLOB_UNIT)

static inline void slob_poison_free(slob_t *b, int units)
{
	if (units * (int)SLOB_UNIT > (int)SLOB_HDR_BYTES)
		slab_asan_poison((char *)b + SLOB_HDR_BYTES,
				 units * SLOB_UNIT - SLOB_HDR_BYTES);
}

static inline void slob_unpoison_hdr(slob_t *b)
{
	slab_asan_unpoison(b, SLOB_HDR_BYTES);
}

#ifdef SLAB_ASAN
int __asan_region_is_poisoned(void *beg, size_t size);
/* Can len bytes at p be read (kfree()'s look at a header that may lie in
 * free space after a double free)? */
static inline int slob_readable(const void *p, size_t len)
{
	return !__asan_region_is_poisoned((void *)p, len);
}
#else
static inline int slob_readable(const void *p, size_t len)
{
	(void)p;
	(void)len;
	return 1;
}
#endif

/* ------------------------------------------------------------------ */
/* Between mm/slob.c and mm/slob_kmalloc.c                             */

/* The smallest order whose block holds size bytes. */
unsigned int slob_get_order(size_t size);
/* A block of the page allocator for SLOB (out of the task's footprint),
 * and back. */
struct page *slob_new_pages(gfp_t gfp, unsigned int order, int node);
void slob_free_pages(struct page *page, unsigned int order);
/* size bytes from the heap at an align boundary (0: any), or NULL. */
void *slob_alloc(size_t size, gfp_t gfp, unsigned int align, int node);
/* size bytes at block back to the heap: 0, or -1 refused and reported
 * (func and objp: the entry point and the pointer it was given). */
int slob_free(void *block, size_t size, const char *func, const void *objp);

/* What a free found wrong: reported once slob_lock is dropped. */
struct slob_bad {
	const char *what;
	slob_t *free_block;		/* the free block it overlaps */
	int free_units;
	int page_units;			/* the page's free units */
};


/* Is [b, b + units) a block in use of the heap page sp (slob_lock)?  1,
 * or 0 with bad filled in. */
int __slob_block_ok(struct page *sp, slob_t *b, int units, struct slob_bad *bad);
/* "BUG: <func>(<objp>): <bad->what>" and INFO lines (no lock held). */
void slob_report_bad(const char *func, const void *objp, const void *block, size_t size,
		     const struct slob_bad *bad);
/* "BUG: <func>(<objp>): not a block SLOB handed out (<why>)" */
void slob_report_pointer(const char *func, const void *objp, const char *why);

/* mm/slob_kmalloc.c: the ops' kmalloc, kfree and ksize */
void *slob_kmalloc(size_t size, gfp_t gfp, int node, const void *caller);
void slob_kfree(const void *objp, const void *caller);
size_t slob_ksize(const void *objp);

/* mm/slob_check.c: ops->check */
void slob_check(struct check_log *log);

#endif /* MM_SLOB_H */
