// SPDX-License-Identifier: MIT
/*
 * mm/slab_merge.c - cache merging (v4.19 mm/slab_common.c find_mergeable(),
 * slab_unmergeable() and the alias half of __kmem_cache_alias()), written
 * for SLAB and SLUB alike (v4.19 merges under both); the common layer
 * calls it under SLUB only (the model's SLAB keeps its caches apart), and
 * SLOB never merges.
 *
 * A new cache whose objects an existing cache can serve as they are
 * becomes an alias: kmem_cache_create() hands out the existing struct,
 * whose refcount counts its creator and its aliases.  The rules
 * (find_mergeable()):
 *   - never with slab_nomerge, a constructor, or a SLAB_NEVER_MERGE flag
 *     on either side (the allocator's debugging flags for the new name
 *     included: ops->cache_flags());
 *   - the SLAB_MERGE_SAME flags equal;
 *   - the existing slot (size) at least the new size padded to a word
 *     and the alignment, and less than a word more;
 *   - the existing size a multiple of the new alignment (SLAB: its
 *     alignment too);
 *   - never into a kmalloc cache (refcount -1; v4.19: their usersize).
 *
 * The alias names are kept here (struct slab_alias, on slab_aliases) so
 * that mm_proc_show("slab/<name>/...") finds a cache by any of its names
 * and the sysfs view can list them.  As v4.19's sysfs links, a name stays
 * until its cache is released, even if its kmem_cache_destroy() came
 * first (that only drops a reference).
 *
 * Locking: everything here runs with slab_mutex held (kmem_cache_create,
 * kmem_cache_destroy, the /proc and sysfs readers); slab_aliases and
 * each cache's refcount are under it.
 */
#include <stdlib.h>
#include <string.h>

#include "slab.h"

/* v4.19's SLAB_NEVER_MERGE, without the flags the model has not (TRACE,
 * NOLEAKTRACE, KASAN), and SLAB_MERGE_SAME without SLAB_ACCOUNT. */
#define SLAB_NEVER_MERGE	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | \
				 SLAB_TYPESAFE_BY_RCU | SLAB_FAILSLAB)
#define SLAB_MERGE_SAME		(SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA)

/* One name under which a cache was created as an alias. */
struct slab_alias {
	struct cds_list_head list;	/* slab_aliases, oldest first */
	struct kmem_cache *s;
	char name[];
};

static CDS_LIST_HEAD(slab_aliases);	/* slab_mutex */

int slab_unmergeable(struct kmem_cache *s)
{
	if (slab_nomerge || (s->flags & SLAB_NEVER_MERGE))
		return 1;
	if (s->ctor)
		return 1;
	/* kmalloc caches: refcount -1 (v4.19: usersize = size) */
	if (s->refcount < 0 || (s->flags & SLAB_KMALLOC))
		return 1;
	return 0;
}

struct kmem_cache *find_mergeable(unsigned int size, unsigned int align,
				  slab_flags_t flags, const char *name,
				  void (*ctor)(void *))
{
	struct kmem_cache *s;

	if (slab_nomerge || ctor)
		return NULL;
	size = ALIGN(size, sizeof(void *));
	align = calculate_alignment(flags, align, size);
	size = ALIGN(size, align);
	if (slab_ops && slab_ops->cache_flags)
		flags = slab_ops->cache_flags(size, flags, name);
	if (flags & SLAB_NEVER_MERGE)
		return NULL;

	/* slab_caches has the newest first: the oldest candidate wins */
	cds_list_for_each_entry_reverse(s, &slab_caches, list) {
		if (slab_unmergeable(s))
			continue;
		if (size > s->size)
			continue;
		if ((flags & SLAB_MERGE_SAME) != (s->flags & SLAB_MERGE_SAME))
			continue;
		if (s->size % align)
			continue;
		if (s->size - size >= sizeof(void *))
			continue;
		/* SLAB (v4.19 IS_ENABLED(CONFIG_SLAB)): the object's own
		 * alignment must be a multiple of the one asked */
		if (slab_allocator == SLAB_ALLOCATOR_SLAB &&
		    (align > s->align || s->align % align))
			continue;
		return s;
	}
	return NULL;
}

struct kmem_cache *__kmem_cache_alias(const char *name, unsigned int size,
				      unsigned int align, slab_flags_t flags,
				      void (*ctor)(void *))
{
	struct slab_alias *a;
	struct kmem_cache *s;
	size_t len;

	s = find_mergeable(size, align, flags, name, ctor);
	if (!s)
		return NULL;
	len = strlen(name);
	a = malloc(sizeof(*a) + len + 1);
	if (!a)
		return NULL;		/* v4.19: no sysfs link, no merge */
	memcpy(a->name, name, len + 1);
	a->s = s;
	cds_list_add_tail(&a->list, &slab_aliases);
	s->refcount++;
	if (slab_ops && slab_ops->cache_alias)
		slab_ops->cache_alias(s, size);
	return s;
}

struct kmem_cache *slab_alias_find(const char *name)
{
	struct slab_alias *a;

	cds_list_for_each_entry(a, &slab_aliases, list)
		if (!strcmp(a->name, name))
			return a->s;
	return NULL;
}

void slab_aliases_forget(struct kmem_cache *s)
{
	struct slab_alias *a, *tmp;

	cds_list_for_each_entry_safe(a, tmp, &slab_aliases, list) {
		if (s && a->s != s)
			continue;
		cds_list_del(&a->list);
		free(a);
	}
}

unsigned int slab_alias_names(struct kmem_cache *s, const char **names, unsigned int n)
{
	struct slab_alias *a;
	unsigned int nr = 0;

	cds_list_for_each_entry(a, &slab_aliases, list) {
		if (a->s != s)
			continue;
		if (nr < n)
			names[nr] = a->name;
		nr++;
	}
	return nr;
}
