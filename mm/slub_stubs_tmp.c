// SPDX-License-Identifier: MIT
/*
 * mm/slub_stubs_tmp.c - TEMPORARY weak stand-ins so that the SLUB core's
 * branch links before the common layer (lead), slub_debug (debug part)
 * and SLUB inspection are merged.  Every definition is weak and minimal;
 * the real ones replace them.  The lead deletes this file at merge.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "slub.h"

#define WEAK __attribute__((weak))

/* (the common layer is merged: its hooks and kmalloc classes are real) */

/* slab_report.c (SLUB debug part) */
WEAK void slab_bug(struct kmem_cache *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	report_begin(REPORT_BUG);
	printk("BUG %s (Not tainted): %s\n", s->name, line);
}
WEAK void slab_fix(struct kmem_cache *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk("FIX %s: %s\n", s->name, line);
}
WEAK void slab_report_end(void)
{
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

/* slub_debug */
WEAK int setup_slub_debug(const char *str)
{
	(void)str;
	return 0;
}
WEAK slab_flags_t kmem_cache_flags(unsigned int object_size, slab_flags_t flags,
				   const char *name)
{
	(void)object_size;
	(void)name;
	return flags;
}
WEAK void init_object(struct kmem_cache *s, void *object, unsigned char val)
{
	(void)s; (void)object; (void)val;
}
WEAK void setup_page_debug(struct kmem_cache *s, struct page *page, void *addr)
{
	(void)s; (void)page; (void)addr;
}
WEAK void setup_object_debug(struct kmem_cache *s, struct page *page, void *object)
{
	(void)s; (void)page; (void)object;
}
WEAK int alloc_debug_processing(struct kmem_cache *s, struct page *page, void *object,
				const void *addr)
{
	(void)s; (void)page; (void)object; (void)addr;
	return 1;
}
WEAK int free_debug_processing(struct kmem_cache *s, struct page *page, void *head,
			       void *tail, int bulk_cnt, const void *addr)
{
	(void)s; (void)page; (void)head; (void)tail; (void)bulk_cnt; (void)addr;
	return 1;
}
WEAK int check_object(struct kmem_cache *s, struct page *page, void *object, unsigned char val)
{
	(void)s; (void)page; (void)object; (void)val;
	return 1;
}
WEAK int slab_pad_check(struct kmem_cache *s, struct page *page)
{
	(void)s; (void)page;
	return 1;
}
WEAK void list_slab_objects(struct kmem_cache *s, struct page *page, const char *text)
{
	(void)s; (void)page; (void)text;
}
WEAK void slub_err(struct kmem_cache *s, struct page *page, const char *fmt, ...)
{
	(void)page;
	slab_bug(s, "%s", fmt);
}
WEAK void object_err(struct kmem_cache *s, struct page *page, void *object, const char *reason)
{
	(void)page; (void)object;
	slab_bug(s, "%s", reason);
}
