// SPDX-License-Identifier: MIT
/*
 * mm/slub_stubs_tmp.c - TEMPORARY weak stand-ins so that the SLUB core's
 * branch links before the common layer (lead), slub_debug (debug part)
 * and SLUB inspection are merged.  Every definition is weak and minimal;
 * the real ones replace them.  The lead deletes this file at merge.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "slub.h"

#define WEAK __attribute__((weak))

/* (the common layer is merged: its hooks and kmalloc classes are real) */

/* (slab_report.c and slub_debug are merged: theirs are real) */

/* SLUB inspection */
WEAK void slub_check(struct check_log *log)
{
	(void)log;
}
WEAK void slub_get_slabinfo(struct kmem_cache *s, struct slabinfo *info)
{
	(void)s;
	memset(info, 0, sizeof(*info));
}
WEAK int slub_sysfs_show(struct kmem_cache *s, const char *attr, FILE *out)
{
	(void)s; (void)attr; (void)out;
	return -ENOENT;
}
WEAK void slub_stats(struct kmem_cache *s, struct kmem_cache_stats *st)
{
	(void)s; (void)st;
}
WEAK unsigned long slub_live_objects(struct kmem_cache *s, unsigned long *slabs)
{
	(void)s;
	*slabs = 0;
	return 0;
}
WEAK unsigned int slub_count_free(struct kmem_cache *s, struct page *page, void *freelist)
{
	(void)s; (void)page; (void)freelist;
	return 0;
}
