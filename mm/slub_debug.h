/* SPDX-License-Identifier: MIT */
/*
 * mm/slub_debug.h - what slub_debug's two files share (mm/slub_debug.c:
 * the option, the checks, the debug alloc and free; mm/slub_debug_report.c:
 * the findings and their reports): the debug layout of a SLUB slot and
 * the record of one finding.  Nobody else includes it.
 */
#ifndef MM_SLUB_DEBUG_H
#define MM_SLUB_DEBUG_H

#include "slub.h"

/* v4.19's SLAB_TRACE bit (the model's other flags leave it free). */
#ifndef SLAB_TRACE
#define SLAB_TRACE		((slab_flags_t)0x00200000U)
#endif
#define DEBUG_DEFAULT_FLAGS	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | \
				 SLAB_POISON | SLAB_STORE_USER)
#define DEBUG_METADATA_FLAGS	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

/* ------------------------------------------------------------------ */
/* Layout                                                              */

static inline int object_poison(struct kmem_cache *s)
{
	return (s->flags & SLAB_POISON) && !(s->flags & SLAB_TYPESAFE_BY_RCU) && !s->ctor;
}

static inline unsigned int size_from_object(struct kmem_cache *s)
{
	return s->flags & SLAB_RED_ZONE ? s->size - s->red_left_pad : s->size;
}

/* Where the metadata after the object ends (free pointer, tracks). */
static inline unsigned int metadata_end(struct kmem_cache *s)
{
	unsigned int off = s->offset ? s->offset + sizeof(void *) : s->inuse;

	if (s->flags & SLAB_STORE_USER)
		off += 2 * sizeof(struct track);
	return off;
}

static inline unsigned int slab_order_of(struct page *page)
{
	return page->alloc_order > 0 ? (unsigned int)page->alloc_order : 0;
}

static inline unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (unsigned int)((PAGE_SIZE << order) / size);
}

static inline unsigned char *memchr_inv(unsigned char *p, int val, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)val)
			return p + i;
	return NULL;
}

/*
 * A slab's (freelist, counters) as the core keeps them: relaxed atomics,
 * changed by its double-word exchange or, for F and U caches, under
 * slab_lock() (which every write of ours here holds).
 */
static inline void *slab_freelist_get(struct page *page)
{
	return __atomic_load_n(&page->freelist, __ATOMIC_RELAXED);
}

static inline struct page slab_counters_get(struct page *page)
{
	struct page tmp;

	tmp.counters = __atomic_load_n(&page->counters, __ATOMIC_RELAXED);
	return tmp;
}

/* slab_lock() held */
static inline void slab_state_set(struct page *page, void *freelist, struct page cnt)
{
	__atomic_store_n(&page->freelist, freelist, __ATOMIC_RELAXED);
	__atomic_store_n(&page->counters, cnt.counters, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Findings: what a check found, reported now or after the unlock     */

#define SNAP_BYTES	(3 * PAGE_SIZE)	/* a slot's dumps: an object's is at
					   most PAGE_SIZE bytes */
#define MAX_FINDINGS	4

enum finding_kind {
	FIND_SLAB,		/* slab_err(): message, page info */
	FIND_PADDING,		/* slab_pad_check(): + "Padding" dump, FIX */
	FIND_OBJECT,		/* object_err(): message, the object's trailer */
	FIND_BYTES,		/* check_bytes_and_report(): + "INFO: a-b. First
				   byte", trailer, FIX Restoring */
	FIND_NO_SLAB,		/* "SLUB <none>: no slab for object" */
};

/* A page's fields as they were when the finding was made. */
struct page_info {
	struct page *page;
	unsigned int objects, inuse;
	void *fp;
	unsigned long flags;
};

struct slub_finding {
	enum finding_kind kind;
	char msg[100];
	char fix[100];			/* "" or the FIX line's text */
	struct page_info pi;
	unsigned char *object;		/* FIND_OBJECT, FIND_BYTES */
	unsigned char *fault, *end;	/* FIND_BYTES, FIND_PADDING */
	unsigned int first, value;
	int deferred;			/* reported after the unlock: print
					   from copy only */
	unsigned char *shown;		/* the copied range: its real address */
	size_t len;
	unsigned char *copy;		/* NULL: nothing copied */
};

/*
 * Where the findings go: printed at once (!defer), or kept with copies
 * of their bytes (defer: a spinlock is held) for report_findings().
 */
struct slub_ctx {
	int defer;
	int nr;
	unsigned long lost;
	struct slub_finding f[MAX_FINDINGS];
	unsigned char *snap;		/* MAX_FINDINGS * SNAP_BYTES, defer */
};

/* mm/slub_debug_report.c */
unsigned char *snap_room_get(void);
void page_info_take(struct page_info *pi, struct page *page);
struct slub_finding *finding_new(struct slub_ctx *ctx, struct slub_finding *tmp,
				 enum finding_kind kind, struct page *page);
void finding_copy(struct slub_ctx *ctx, struct slub_finding *f, unsigned char *start,
		  size_t len);
void finding_copy_slot(struct kmem_cache *s, struct slub_ctx *ctx, struct slub_finding *f,
		       struct page *page, unsigned char *p, unsigned int lead);
void finding_done(struct kmem_cache *s, struct slub_ctx *ctx, struct slub_finding *f);
void report_findings(struct kmem_cache *s, struct slub_ctx *ctx, const char *extra_fix);
void slab_err_ctx(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page,
		  const char *fmt, ...) __printf(4, 5);
void object_err_ctx(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page,
		    void *object, const char *reason, const char *fix);

#endif /* MM_SLUB_DEBUG_H */
