/* SPDX-License-Identifier: MIT */
/*
 * mm/internal.h - what the files of mm/ share and nothing outside needs
 * (the harness and the tests may still read it: higher layers include
 * lower ones).
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include "mmzone.h"
#include "vmstat.h"
#include "../numa/machine.h"
#include "../numa/printk.h"

/* The alloc_flags of get_page_from_freelist(), v4.19 values. */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM		0x08
#define ALLOC_HARDER		0x10
#define ALLOC_HIGH		0x20
#define ALLOC_CPUSET		0x40
#define ALLOC_CMA		0x80

#define PAGE_ALLOC_COSTLY_ORDER	3

/* The gfp bits that reach the page allocator from slab and friends. */
#define GFP_RECLAIM_MASK (__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | \
			  __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | \
			  __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | \
			  __GFP_ATOMIC)
#define GFP_CONSTRAINT_MASK (__GFP_HARDWALL | __GFP_THISNODE)

/* Allocation context, as v4.19's struct alloc_context. */
struct alloc_context {
	struct zonelist *zonelist;
	nodemask_t *nodemask;
	struct zoneref *preferred_zoneref;
	enum zone_type high_zoneidx;
	int preferred_nid;
};

/* Boot-time tunables of mm (the rest of the command line). */
struct mm_config {
	long min_free_kbytes;		/* -1: computed */
	int watermark_scale_factor;
	unsigned long long movablecore;	/* bytes of ZONE_MOVABLE per machine */
	int slab_debug;			/* slab_debug: red zones, poison, checks */
	int slab_allocator;		/* slab=: enum slab_allocator_id */
	int slab_nomerge;		/* slab_nomerge, slub_nomerge */
	int slub_debug;			/* slub_debug given: slub_debug_buf */
	int debug_pagealloc;		/* debug_pagealloc=on: unmap free pages */
	int page_poison;		/* page_poison=on: 0xaa in free pages */
	int kmemleak;			/* kmemleak=on */
};

/* memmap.c: whether the machine is up, and what holds it up */
extern int mm_booted;			/* READ_ONCE: set last by mm_boot() */
/* 0 with the machine held up against mm_shutdown() until the unlock, or
 * -ENODEV (nothing held) if no machine is booted.  Any thread. */
int mm_life_read_lock(void);
void mm_life_read_unlock(void);
/* mm_shutdown()'s teardown. */
void mm_life_write_lock(void);
void mm_life_write_unlock(void);

/* memmap.c: the memmap, nodes and zones (boot and shutdown only) */
extern size_t memmap_bytes;
int memmap_init(void);
void memmap_exit(void);
int nodes_init(const struct mm_config *cfg);
void nodes_exit(void);
void free_all_memory(void);

/* page_debug.c: debug_pagealloc and page_poison (boot parameters) */
extern int debug_pagealloc, page_poison;
extern int page_debug_on;		/* either: read-only while CPUs run */
int page_debug_init(int debug_pagealloc, int page_poison);	/* after memmap_init() */
void page_debug_boot(void);		/* after free_all_memory() */
void page_debug_exit(void);
/* free_pages_prepare(): site is the freeing caller's address */
void __page_debug_free(struct page *page, unsigned int order, const void *site);
/* prep_new_page(): map back, check the poison */
void __page_debug_alloc(struct page *page, unsigned int order);
static inline void page_debug_free(struct page *page, unsigned int order, const void *site)
{
	if (unlikely(page_debug_on))
		__page_debug_free(page, order, site);
}
static inline void page_debug_alloc(struct page *page, unsigned int order)
{
	if (unlikely(page_debug_on))
		__page_debug_alloc(page, order);
}
/* For tests: use-after-free reports so far; whether a page is mapped. */
unsigned long page_debug_uaf_reports(void);
int page_debug_mapped(const struct page *page);

/* pcp.c: the per-CPU hot/cold lists */
int pcp_init(void);

/* fail_alloc.c: fail_page_alloc and failslab (numa/fault_inject.c's) */
void fail_alloc_reset(void);
int fail_alloc_parse_param(const char *param, const char *val);	/* 1: not theirs */
int should_fail_alloc_page(gfp_t gfp_mask, unsigned int order);
int fail_alloc_debugfs_write(const char *dir, const char *file, const char *value);
int fail_alloc_debugfs_show(const char *dir, const char *file, FILE *out);
void fail_alloc_stats_show(FILE *out);
void pcp_exit(void);
int zone_batchsize(const struct zone *zone);
struct page *rmqueue_pcplist(struct zone *preferred_zone, struct zone *zone, gfp_t gfp_flags);
void free_hot_cold_page(struct page *page, int cold);
unsigned long zone_pcp_pages(const struct zone *zone);
void zone_pcp_disable(struct zone *zone);
void zone_pcp_enable(struct zone *zone);
int pcp_sysctl_write(const char *name, const char *value);
int pcp_sysctl_read(const char *name, char *buf, size_t len);

/* wmark.c: the kernel's int_sqrt() (floor of the square root) */
unsigned long int_sqrt(unsigned long long x);

/* page_alloc.c */
struct page *get_page_from_freelist(gfp_t gfp_mask, unsigned int order,
				    unsigned int alloc_flags, const struct alloc_context *ac);
unsigned int gfp_to_alloc_flags(gfp_t gfp_mask);
unsigned int __gfp_pfmemalloc_flags(gfp_t gfp_mask);
/* page_alloc_slow.c */
struct page *__alloc_pages_slowpath(gfp_t gfp_mask, unsigned int order,
				    struct alloc_context *ac);
int check_new_page(struct page *page);
void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order);
struct page *__rmqueue_smallest(struct zone *zone, unsigned int order);
int gfp_zone(gfp_t flags);
void build_gfp_zone_table(void);
int __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			int classzone_idx, unsigned int alloc_flags, long free_pages);
int zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		      int classzone_idx, unsigned int alloc_flags);
void build_all_zonelists(void);
void show_free_areas(void);

static inline unsigned int page_order(const struct page *page)
{
	return (unsigned int)page->private;
}

static inline void set_page_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

static inline void rmv_page_order(struct page *page)
{
	__ClearPageBuddy(page);
	page->private = 0;
}

/* Tail pages of a __GFP_COMP block point at the head, low bit set. */
static inline int PageTail(const struct page *page)
{
	return (unsigned long)READ_ONCE(page->lru.next) & 1;
}

static inline struct page *compound_head(struct page *page)
{
	unsigned long head = (unsigned long)READ_ONCE(page->lru.next);

	return head & 1 ? (struct page *)(head - 1) : page;
}

/* wmark.c: watermarks, reserves and their sysctls */
extern long min_free_kbytes;		/* wmark_mutex; READ_ONCE */
extern int watermark_scale_factor;	/* wmark_mutex; READ_ONCE */
extern int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES];	/* wmark_mutex */
void wmark_init(long user_min_free_kbytes, int scale_factor);
long init_per_zone_wmark_min(void);
unsigned long totalreserve_pages_get(void);
int wmark_sysctl_write(const char *name, const char *value);
int wmark_sysctl_read(const char *name, char *buf, size_t len);

/* debug.c: reports */
void bad_page(struct page *page, const char *reason);
void dump_page(struct page *page, const char *reason);
/* (format_gfp(): mmsim/inspect.h) */
int format_page_flags(char *buf, size_t len, unsigned long flags);
void warn_alloc(gfp_t gfp_mask, nodemask_t *nodemask, const char *fmt, ...)
	__printf(3, 4);

/*
 * check.c: the invariant walkers' violations.  Found under a spinlock,
 * they are kept (in mmap()ed memory: a CPU stopped by stop_machine() may
 * hold the C library's allocator lock) and written to the report only
 * once the walker holds no lock (check_log_flush()).
 */
struct check_log {
	FILE *report;			/* where they go; NULL: counted only */
	int violations;
	char *buf;			/* mmap()ed on the first violation */
	size_t len, cap;
	unsigned long dropped;		/* lines that did not fit */
};
void check_log_violation(struct check_log *log, const char *prefix, const char *fmt,
			 va_list ap);
void check_log_flush(struct check_log *log);
int zone_is_valid(struct zone *zone, FILE *report);

/* highmem.c: the pkmap window and kmap_atomic() slots (at boot: reset),
 * and their invariants for mm_check() (the number of violations) */
int highmem_init(void);
int highmem_check(FILE *report);

#endif /* MM_INTERNAL_H */
