// SPDX-License-Identifier: MIT
/*
 * mm/slab_debug.c - slab_debug: red zones, poisoning, owner tracking and
 * the reports, in the shape of the kernel's slab debugging output.
 *
 * A debugged cache's buffer (struct kmem_cache's size bytes) is
 *   [red zone 1: 8][object: object_size, rounded to 8][red zone 2: 8]
 *   [struct slab_track, SLAB_STORE_USER][padding to the alignment]
 * Red zones hold 0xcc while the object is out and 0xbb while it is free,
 * so a free of a free object (red zone already 0xbb) is a double free and
 * any other value is an overrun.  A free object holds 0x6b with 0xa5 in
 * its last byte (SLAB_POISON); a write to it is found when it is next
 * handed out.  A new object is filled with 0x5a unless a constructor
 * (which then runs at every allocation, since poison erases its work) or
 * __GFP_ZERO fills it.
 *
 * These bytes are the object owner's: they are written by whoever holds
 * the object (allocator on alloc/free, the owner in between), with the
 * hand-off of the object ordering them.  At both ends the object's place
 * is checked first ("BUG: slab layout: ..."): inside a slab of its cache,
 * a whole object, before the slab's end and an on-slab freelist.
 * Reports are refusals: the
 * allocator repairs what it can ("FIX ...: Restoring") and goes on.
 */
#include <string.h>

#include <mmsim/sched.h>
#include "slab.h"

static inline unsigned char *dbg_redzone1(struct kmem_cache *cachep, void *buf)
{
	(void)cachep;
	return buf;
}

static inline unsigned char *dbg_redzone2(struct kmem_cache *cachep, void *buf)
{
	return (unsigned char *)buf + cachep->obj_offset + ALIGN(cachep->object_size, 8);
}

static inline struct slab_track *dbg_track(struct kmem_cache *cachep, void *buf)
{
	size_t off = cachep->obj_offset + ALIGN(cachep->object_size, 8);

	if (cachep->flags & SLAB_RED_ZONE)
		off += 8;
	return (struct slab_track *)((char *)buf + off);
}

static inline unsigned char *dbg_object(struct kmem_cache *cachep, void *buf)
{
	return (unsigned char *)buf + cachep->obj_offset;
}

/* The first byte of [p, p+len) that is not val, or NULL. */
static unsigned char *check_bytes(unsigned char *p, int val, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)val)
			return p + i;
	return NULL;
}

/* What slab_debug knows of one object: owners, its slab, its bytes. */
static void print_trailer(struct kmem_cache *cachep, struct page *page, void *buf)
{
	unsigned char *obj = dbg_object(cachep, buf);

	if (cachep->flags & SLAB_STORE_USER) {
		struct slab_track *t = dbg_track(cachep, buf);

		print_track("Allocated", t->alloc_caller, t->alloc_jiffies, t->alloc_cpu,
			     t->alloc_pid);
		print_track("Freed", t->free_caller, t->free_jiffies, t->free_cpu, t->free_pid);
	}
	if (page)
		printk("INFO: Slab %p objects=%u flags=%#lx\n", page, cachep->num,
		       READ_ONCE(page->flags));
	printk("INFO: Object %p @offset=%lu\n\n", obj,
	       page ? (unsigned long)((char *)obj - (char *)page_address(page)) : 0UL);
	if (cachep->flags & SLAB_RED_ZONE)
		print_section("Redzone", dbg_redzone1(cachep, buf), 8);
	print_section("Object", obj, min_t(size_t, cachep->object_size, 128));
	if (cachep->flags & SLAB_RED_ZONE)
		print_section("Redzone", dbg_redzone2(cachep, buf), 8);
}

void slab_err(struct kmem_cache *cachep, struct page *page, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	slab_vbug(cachep, fmt, ap);
	va_end(ap);
	if (page)
		printk("INFO: Slab %p objects=%u flags=%#lx\n", page, cachep->num,
		       READ_ONCE(page->flags));
	slab_report_end();
}

/*
 * One corrupted area [start, start+len) that should hold val: report it
 * with the object's trailer and restore it.
 */
static void __printf(7, 8) object_err(struct kmem_cache *cachep, struct page *page, void *buf,
				      unsigned char *start, size_t len, int val,
				      const char *fmt, ...)
{
	unsigned char *fault = check_bytes(start, val, len), *end = start + len;
	va_list ap;

	if (!fault)
		return;
	while (end > fault && end[-1] == (unsigned char)val)
		end--;
	va_start(ap, fmt);
	slab_vbug(cachep, fmt, ap);
	va_end(ap);
	printk("INFO: %p-%p @offset=%lu. First byte %#x instead of %#x\n", fault, end - 1,
	       (unsigned long)(fault - (unsigned char *)page_address(page)), *fault, val);
	print_trailer(cachep, page, buf);
	slab_fix(cachep, "Restoring %p-%p=%#x\n", fault, end - 1, val);
	memset(fault, val, (size_t)(end - fault));
	slab_report_end();
}

static void poison_obj(struct kmem_cache *cachep, void *buf, int val)
{
	unsigned char *obj = dbg_object(cachep, buf);

	memset(obj, val, cachep->object_size);
	if (val == POISON_FREE)
		obj[cachep->object_size - 1] = POISON_END;
}

static void check_poison_obj(struct kmem_cache *cachep, struct page *page, void *buf)
{
	unsigned char *obj = dbg_object(cachep, buf);
	size_t len = cachep->object_size;

	object_err(cachep, page, buf, obj, len - 1, POISON_FREE,
		   "Poison overwritten (use after free)");
	object_err(cachep, page, buf, obj + len - 1, 1, POISON_END,
		   "Poison overwritten (use after free)");
}

static void set_track(struct kmem_cache *cachep, void *buf, int alloc, const void *caller)
{
	struct slab_track *t = dbg_track(cachep, buf);

	if (alloc) {
		t->alloc_caller = caller;
		t->alloc_cpu = current->cpu;
		t->alloc_pid = current->pid;
		t->alloc_jiffies = jiffies;
	} else {
		t->free_caller = caller;
		t->free_cpu = current->cpu;
		t->free_pid = current->pid;
		t->free_jiffies = jiffies;
	}
}

/*
 * The object's place (alloc and free): in a slab of this cache, at an
 * object boundary (index and address round-trip), and ending inside its
 * slab, before an on-slab freelist.  Returns 0 if it is wrong, after a
 * "BUG: slab layout" report: the bytes around it are not its own to check.
 */
static int check_obj_layout(struct kmem_cache *cachep, struct page *page, void *buf,
			    const char *when)
{
	size_t slab_bytes = PAGE_SIZE << cachep->gfporder;
	char *obj = buf, *base, *limit;
	unsigned int idx;

	if (unlikely(!page || page->slab_cache != cachep)) {
		report_begin(REPORT_BUG);
		printk("BUG: slab layout: %s: %s of %p, which is in no slab of this cache\n",
		       cachep->name, when, buf);
		report_end(REPORT_BUG, TAINT_BAD_PAGE);
		return 0;
	}
	base = page_address(page);
	limit = base + slab_bytes;
	if (!OFF_SLAB(cachep) && !OBJFREELIST_SLAB(cachep))
		limit = min(limit, (char *)page->freelist);
	idx = obj_to_index(cachep, page, buf);
	if (likely(obj >= (char *)page->s_mem && idx < cachep->num &&
		   index_to_obj(cachep, page, idx) == buf && obj + cachep->size <= limit))
		return 1;
	report_begin(REPORT_BUG);
	printk("BUG: slab layout: %s: %s of %p (index %u of %u, size %u): not a whole object of slab %p (first object at offset %td, the objects' room ends at offset %td)\n",
	       cachep->name, when, buf, idx, cachep->num, cachep->size, base,
	       (char *)page->s_mem - base, limit - base);
	printk("INFO: Slab %p objects=%u flags=%#lx\n", page, cachep->num, READ_ONCE(page->flags));
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
	return 0;
}

/* A new slab's object: free red zones, free poison, no owners yet. */
void slab_debug_init_obj(struct kmem_cache *cachep, void *buf)
{
	if (cachep->flags & SLAB_RED_ZONE) {
		memset(dbg_redzone1(cachep, buf), SLUB_RED_INACTIVE, 8);
		memset(dbg_redzone2(cachep, buf), SLUB_RED_INACTIVE, 8);
	}
	if (cachep->flags & SLAB_STORE_USER)
		memset(dbg_track(cachep, buf), 0, sizeof(struct slab_track));
	if (cachep->flags & SLAB_POISON)
		poison_obj(cachep, buf, POISON_FREE);
}

/* Handing out buf: a free object must look free and untouched. */
void slab_debug_alloc(struct kmem_cache *cachep, void *buf, gfp_t flags, const void *caller)
{
	struct page *page = virt_to_slab(buf);

	if (!check_obj_layout(cachep, page, buf, "allocation"))
		return;
	if (cachep->flags & SLAB_POISON)
		check_poison_obj(cachep, page, buf);
	if (cachep->flags & SLAB_RED_ZONE) {
		object_err(cachep, page, buf, dbg_redzone1(cachep, buf), 8, SLUB_RED_INACTIVE,
			   "Redzone overwritten (free object)");
		object_err(cachep, page, buf, dbg_redzone2(cachep, buf), 8, SLUB_RED_INACTIVE,
			   "Redzone overwritten (free object)");
		memset(dbg_redzone1(cachep, buf), SLUB_RED_ACTIVE, 8);
		memset(dbg_redzone2(cachep, buf), SLUB_RED_ACTIVE, 8);
	}
	if (cachep->flags & SLAB_STORE_USER)
		set_track(cachep, buf, 1, caller);
	if (cachep->flags & SLAB_POISON) {
		if (cachep->ctor)
			cachep->ctor(dbg_object(cachep, buf));
		else if (!(flags & __GFP_ZERO))
			poison_obj(cachep, buf, POISON_INUSE);
	}
}

/* Taking buf back: it must be out (not a double free) with intact zones. */
int slab_debug_free(struct kmem_cache *cachep, struct page *page, void *buf,
		    const void *caller)
{
	/* refused: the free would write outside the slab's objects */
	if (!check_obj_layout(cachep, page, buf, "free"))
		return 1;
	if (cachep->flags & SLAB_RED_ZONE) {
		unsigned char *rz1 = dbg_redzone1(cachep, buf);

		if (!check_bytes(rz1, SLUB_RED_INACTIVE, 8)) {
			slab_bug(cachep, "Object already free (double free)");
			print_trailer(cachep, page, buf);
			slab_fix(cachep, "Object at %p not freed", dbg_object(cachep, buf));
			slab_report_end();
			return 1;
		}
		object_err(cachep, page, buf, rz1, 8, SLUB_RED_ACTIVE,
			   "Redzone overwritten");
		object_err(cachep, page, buf, dbg_redzone2(cachep, buf), 8, SLUB_RED_ACTIVE,
			   "Redzone overwritten");
		memset(rz1, SLUB_RED_INACTIVE, 8);
		memset(dbg_redzone2(cachep, buf), SLUB_RED_INACTIVE, 8);
	}
	if (cachep->flags & SLAB_STORE_USER)
		set_track(cachep, buf, 0, caller);
	if (cachep->flags & SLAB_POISON)
		poison_obj(cachep, buf, POISON_FREE);
	return 0;
}
