/* SPDX-License-Identifier: MIT */
/*
 * mmsim/mm.h - the page allocator API, with the names, signatures and
 * semantics of Linux v4.19 (plus free_cold_page() from the 2.6 design).
 */
#ifndef MMSIM_MM_H
#define MMSIM_MM_H

#include <stdio.h>
#include <mmsim/compiler.h>
#include <mmsim/gfp.h>
#include <mmsim/mm_types.h>
#include <mmsim/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The machine's life cycle and what it shows: the only non-kernel names of
 * the allocator API (with mm_cpu_attach()/mm_cpu_detach(), mmsim/machine.h).
 */
int  mm_boot(const char *cmdline);
void mm_shutdown(void);
int  mm_check(FILE *report);
int  mm_proc_show(const char *name, FILE *out);
int  mm_sysctl_write(const char *name, const char *value);
int  mm_sysctl_read(const char *name, char *buf, size_t len);
/* The model's /sys/kernel/debug (mm/debugfs.c lists the files): a file's
 * text, or a value written to it.  -ENOENT for no such file, -EINVAL for a
 * bad value. */
int  mm_debugfs_show(const char *name, FILE *out);
int  mm_debugfs_write(const char *name, const char *value);

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)	ALIGN((unsigned long)(x), PAGE_SIZE)
#define MAX_ORDER	11
#define MAX_ORDER_NR_PAGES (1UL << (MAX_ORDER - 1))

/* Zone indices are fixed; which zones exist depends on arch= (x86_64: DMA,
 * DMA32, Normal, Movable; x86_32: DMA, Normal, HighMem, Movable). */
enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_HIGHMEM,
	ZONE_MOVABLE,
	MAX_NR_ZONES
};

typedef struct { unsigned long bits[(MAX_NUMNODES + 63) / 64]; } nodemask_t;

struct zone;

/*
 * The layout of simulated physical memory: set by mm_boot(), read-only while
 * the machine is booted, so every thread may read it without a lock.
 */
struct mm_layout {
	struct page *mem_map;		/* indexed by pfn */
	char *page_offset;		/* direct map: the address of pfn 0 */
	unsigned long min_pfn;		/* first pfn of RAM */
	unsigned long max_pfn;		/* one past the last pfn of RAM */
	unsigned long max_low_pfn;	/* one past the last direct-mapped pfn */
};
extern struct mm_layout __mm_layout;

/* Read-only while booted, as in v4.19 (a variable, not yet a function). */
extern unsigned long totalram_pages;

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - __mm_layout.mem_map);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return __mm_layout.mem_map + pfn;
}

static inline int pfn_valid(unsigned long pfn)
{
	return pfn >= __mm_layout.min_pfn && pfn < __mm_layout.max_pfn;
}

static inline int PageHighMem(const struct page *page)
{
	return page_to_pfn(page) >= __mm_layout.max_low_pfn;
}

/* The direct-map address of a lowmem page (arithmetic only). */
static inline void *lowmem_page_address(const struct page *page)
{
	return __mm_layout.page_offset + (page_to_pfn(page) << PAGE_SHIFT);
}

/* The pkmap address of a highmem page while it has one, else NULL
 * (mm/highmem.c: v4.19's hashed page_address(); see mmsim/highmem.h). */
void *page_address_hashed(const struct page *page);

/* A lowmem page's direct-map address; a highmem page's while it is kmapped,
 * NULL otherwise (it has no direct-map address: use kmap). */
static inline void *page_address(const struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	if (unlikely(pfn >= __mm_layout.max_low_pfn))
		return page_address_hashed(page);
	return lowmem_page_address(page);
}

/* True for an address inside the direct map of RAM. */
static inline int virt_addr_valid(const void *addr)
{
	unsigned long off = (unsigned long)((const char *)addr - __mm_layout.page_offset);

	return __mm_layout.page_offset && (const char *)addr >= __mm_layout.page_offset &&
	       (off >> PAGE_SHIFT) >= __mm_layout.min_pfn &&
	       (off >> PAGE_SHIFT) < __mm_layout.max_low_pfn;
}

/* Arithmetic only, as in the kernel: check virt_addr_valid() first. */
static inline struct page *virt_to_page(const void *addr)
{
	return pfn_to_page((unsigned long)((const char *)addr - __mm_layout.page_offset) >> PAGE_SHIFT);
}

static inline int page_count(const struct page *page)
{
	return page_ref_count(page);
}

struct zone *page_zone(const struct page *page);
int page_to_nid(const struct page *page);
enum zone_type page_zonenum(const struct page *page);

struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order,
				    int preferred_nid, nodemask_t *nodemask);
struct page *alloc_pages(gfp_t gfp_mask, unsigned int order);
struct page *alloc_pages_node(int nid, gfp_t gfp_mask, unsigned int order);
#define alloc_page(gfp_mask) alloc_pages(gfp_mask, 0)

unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp_mask);
#define __get_free_page(gfp_mask) __get_free_pages((gfp_mask), 0)

void __free_pages(struct page *page, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);
void free_cold_page(struct page *page);	/* an order-0 free onto the cold list */
#define __free_page(page) __free_pages((page), 0)
#define free_page(addr) free_pages((addr), 0)

void get_page(struct page *page);
void put_page(struct page *page);

unsigned long nr_free_pages(void);
/* Per-CPU lists back to the buddy lists: this CPU's, or every CPU's (any
 * thread may call drain_all_pages(); it returns when all have drained). */
void drain_local_pages(struct zone *zone);
void drain_all_pages(struct zone *zone);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_MM_H */
