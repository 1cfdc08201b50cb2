// SPDX-License-Identifier: MIT
/*
 * mm/slub_debug_report.c - slub_debug's reports (v4.19 mm/slub.c's
 * print_trailer(), object_err(), slab_err(), list_slab_objects()), made
 * of mm/slab_report.c's primitives, and the findings that carry a report
 * out of a locked section (mm/slub_debug.h).
 *
 * A finding made with a spinlock held (struct slub_ctx.defer) keeps its
 * message, the slab's fields and a copy of the bytes its report dumps,
 * taken before the check restores them, in the thread's snapshot room
 * (mmap()ed once, outside any lock; never malloc()ed: interrupts may be
 * off).  report_findings() prints them after the unlock.  Without defer a
 * finding is printed when it is made (the caller holds no spinlock).
 *
 * Who touches what: snap_room is the thread's own; the bytes printed
 * from memory (not deferred) are the caller's (an object it owns, or
 * every CPU stopped).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "slub_debug.h"

/* The thread's snapshot room: mmap()ed outside any lock, kept. */
static __thread unsigned char *snap_room;

unsigned char *snap_room_get(void)
{
	if (!snap_room) {
		void *p = mmap(NULL, MAX_FINDINGS * SNAP_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			snap_room = p;
	}
	return snap_room;
}

void page_info_take(struct page_info *pi, struct page *page)
{
	struct page tmp;

	pi->page = page;
	if (!page)
		return;
	/* freelist and counters may change under the CPU that froze it */
	tmp = slab_counters_get(page);
	pi->objects = tmp.objects;
	pi->inuse = tmp.inuse;
	pi->fp = slab_freelist_get(page);
	pi->flags = READ_ONCE(page->flags);
}

struct slub_finding *finding_new(struct slub_ctx *ctx, struct slub_finding *tmp,
				 enum finding_kind kind, struct page *page)
{
	struct slub_finding *f = tmp;

	if (ctx && ctx->defer) {
		if (ctx->nr == MAX_FINDINGS) {
			ctx->lost++;
			f = tmp;	/* still filled (repairs go on), not kept */
		} else {
			f = &ctx->f[ctx->nr++];
		}
	}
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->deferred = ctx && ctx->defer;
	page_info_take(&f->pi, page);
	return f;
}

/* Copy [start, start + len) for a deferred finding (before any repair). */
void finding_copy(struct slub_ctx *ctx, struct slub_finding *f,
		  unsigned char *start, size_t len)
{
	f->shown = start;
	f->len = min(len, (size_t)SNAP_BYTES);
	if (f->deferred && ctx->snap && f >= ctx->f && f < ctx->f + MAX_FINDINGS) {
		f->copy = ctx->snap + (size_t)(f - ctx->f) * SNAP_BYTES;
		memcpy(f->copy, start, f->len);
	}
}

/* The slot of object p from lead bytes before it (not before its slab). */
void finding_copy_slot(struct kmem_cache *s, struct slub_ctx *ctx,
		       struct slub_finding *f, struct page *page, unsigned char *p,
		       unsigned int lead)
{
	unsigned char *start = p - lead;

	if (page && start < (unsigned char *)slab_address(page))
		start = slab_address(page);
	finding_copy(ctx, f, start, (size_t)(p - start) + size_from_object(s));
}

/* The bytes to print for [addr, addr + len): a copy's, memory's, or NULL
 * (a deferred finding whose copy does not cover them). */
static const void *finding_bytes(const struct slub_finding *f, const void *addr, size_t len)
{
	const unsigned char *a = addr;

	if (!f->deferred)
		return addr;
	if (!f->copy)
		return NULL;
	if (a < f->shown || a + len > f->shown + f->len)
		return NULL;
	return f->copy + (a - f->shown);
}

static void section(const struct slub_finding *f, const char *text, const void *addr,
		    size_t len)
{
	const unsigned char *a = addr;
	const void *bytes;

	/* a deferred copy may end first (an object over SNAP_BYTES) */
	if (f->deferred && f->copy && a >= f->shown && a < f->shown + f->len)
		len = min(len, (size_t)(f->shown + f->len - a));
	bytes = finding_bytes(f, addr, len);

	if (bytes && len)
		print_section_at(text, addr, bytes, len);
}

static void print_page_info(const struct page_info *pi)
{
	if (!pi->page)
		return;
	printk("INFO: Slab %p objects=%u used=%u fp=%p flags=0x%04lx\n", pi->page,
	       pi->objects, pi->inuse, pi->fp, pi->flags);
}

static void print_tracking(struct kmem_cache *s, const struct slub_finding *f,
			   void *object)
{
	const struct track *t;

	if (!(s->flags & SLAB_STORE_USER))
		return;
	t = finding_bytes(f, get_track(s, object, TRACK_ALLOC), 2 * sizeof(*t));
	if (!t)
		return;
	print_track("Allocated", t[0].addr, t[0].when, t[0].cpu, t[0].pid);
	print_track("Freed", t[1].addr, t[1].when, t[1].cpu, t[1].pid);
}

/* v4.19 print_trailer(): owners, slab, the object's bytes. */
static void print_trailer(struct kmem_cache *s, const struct slub_finding *f,
			  unsigned char *p)
{
	unsigned char *addr = f->pi.page ? slab_address(f->pi.page) : p;
	void *const *fpp = finding_bytes(f, p + s->offset, sizeof(void *));
	unsigned int off = metadata_end(s);

	print_tracking(s, f, p);
	print_page_info(&f->pi);
	printk("INFO: Object %p @offset=%tu fp=%p\n\n", p, p - addr, fpp ? *fpp : NULL);
	if (s->flags & SLAB_RED_ZONE)
		section(f, "Redzone", p - s->red_left_pad, s->red_left_pad);
	else if (p > addr + 16)
		section(f, "Bytes b4", p - 16, 16);
	section(f, "Object", p, min_t(size_t, s->object_size, PAGE_SIZE));
	if (s->flags & SLAB_RED_ZONE)
		section(f, "Redzone", p + s->object_size, s->inuse - s->object_size);
	if (off != size_from_object(s))
		section(f, "Padding", p + off, size_from_object(s) - off);
}

/* One finding's report, with an extra FIX line (or NULL) at its end. */
static void report_finding(struct kmem_cache *s, const struct slub_finding *f,
			   const char *extra_fix)
{
	if (f->kind == FIND_NO_SLAB) {
		report_begin(REPORT_BUG);
		report_headline("SLUB <none>: no slab for object %p.", f->object);
		printk("SLUB <none>: no slab for object %p.\n", f->object);
	} else {
		slab_bug(s, "%s", f->msg);
	}
	switch (f->kind) {
	case FIND_SLAB:
		print_page_info(&f->pi);
		break;
	case FIND_PADDING:
		print_page_info(&f->pi);
		section(f, "Padding", f->shown, f->len);
		break;
	case FIND_BYTES:
		printk("INFO: %p-%p. First byte 0x%x instead of 0x%x\n", f->fault,
		       f->end - 1, f->first, f->value);
		print_trailer(s, f, f->object);
		break;
	case FIND_OBJECT:
		print_trailer(s, f, f->object);
		break;
	case FIND_NO_SLAB:
		break;
	}
	if (f->fix[0])
		slab_fix(s, "%s", f->fix);
	if (extra_fix)
		slab_fix(s, "%s", extra_fix);
	slab_report_end();
}

/* A finding is made: reported at once, or kept in ctx. */
void finding_done(struct kmem_cache *s, struct slub_ctx *ctx, struct slub_finding *f)
{
	if (!ctx || !ctx->defer)
		report_finding(s, f, NULL);
}

/* The kept findings, after the unlock; extra_fix ends the last one. */
void report_findings(struct kmem_cache *s, struct slub_ctx *ctx, const char *extra_fix)
{
	for (int i = 0; i < ctx->nr; i++)
		report_finding(s, &ctx->f[i], i == ctx->nr - 1 ? extra_fix : NULL);
	if (!ctx->nr && extra_fix) {
		report_begin(REPORT_BUG);
		slab_fix(s, "%s", extra_fix);
		slab_report_end();
	}
	if (ctx->lost)
		printk("SLUB %s: %lu more findings not reported\n", s->name, ctx->lost);
}

void slab_err_ctx(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page,
		  const char *fmt, ...)
{
	struct slub_finding tmp, *f = finding_new(ctx, &tmp, FIND_SLAB, page);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	finding_done(s, ctx, f);
}

/* object_err() with a FIX line; the object's slot is copied if deferred. */
void object_err_ctx(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page,
			   void *object, const char *reason, const char *fix)
{
	struct slub_finding tmp, *f = finding_new(ctx, &tmp, FIND_OBJECT, page);
	unsigned char *p = object;
	unsigned int lead = s->flags & SLAB_RED_ZONE ? s->red_left_pad : 16;

	snprintf(f->msg, sizeof(f->msg), "%s", reason);
	if (fix)
		snprintf(f->fix, sizeof(f->fix), "%s", fix);
	f->object = p;
	if (f->deferred)
		finding_copy_slot(s, ctx, f, page, p, lead);
	finding_done(s, ctx, f);
}

/* ------------------------------------------------------------------ */
/* Reports for the core and the walker                                 */

void slub_err(struct kmem_cache *s, struct page *page, const char *fmt, ...)
{
	struct slub_finding f;
	va_list ap;

	memset(&f, 0, sizeof(f));
	f.kind = FIND_SLAB;
	page_info_take(&f.pi, page);
	va_start(ap, fmt);
	vsnprintf(f.msg, sizeof(f.msg), fmt, ap);
	va_end(ap);
	report_finding(s, &f, NULL);
}

void object_err(struct kmem_cache *s, struct page *page, void *object, const char *reason)
{
	object_err_ctx(s, NULL, page, object, reason, NULL);
}

/*
 * The objects of page that are out (not on its freelist), for a destroy
 * that found them: "Objects remaining in <cache> on
 * __kmem_cache_shutdown()" (text, with %s for the name), then each one's
 * offset and owners.  The caller holds no spinlock.
 */
void list_slab_objects(struct kmem_cache *s, struct page *page, const char *text)
{
	unsigned char *addr = slab_address(page), *map;
	struct slub_finding f;
	unsigned int objects;
	void *fp;

	/* the most it can have: no allocation under slab_lock */
	map = calloc(order_objects(slab_order_of(page), s->size) + 1, 1);
	if (!map)
		return;
	slab_lock(page);
	objects = min_t(unsigned int, slab_counters_get(page).objects,
			order_objects(slab_order_of(page), s->size));
	fp = slab_freelist_get(page);
	for (unsigned int nr = 0; fp && nr <= objects && check_valid_pointer(s, page, fp); nr++) {
		map[((unsigned char *)fp - s->red_left_pad - addr) / s->size] = 1;
		fp = get_freepointer(s, fp);
	}
	slab_unlock(page);
	memset(&f, 0, sizeof(f));
	f.kind = FIND_SLAB;
	page_info_take(&f.pi, page);
	snprintf(f.msg, sizeof(f.msg), text, s->name);
	slab_bug(s, "%s", f.msg);
	print_page_info(&f.pi);
	for (unsigned int i = 0; i < objects; i++) {
		unsigned char *p = addr + (size_t)i * s->size + s->red_left_pad;

		if (map[i])
			continue;
		printk("INFO: Object %p @offset=%tu\n", p, p - addr);
		print_tracking(s, &f, p);
	}
	slab_report_end();
	free(map);
}

