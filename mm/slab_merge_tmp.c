// SPDX-License-Identifier: MIT
/*
 * mm/slab_merge_tmp.c - TEMPORARY: placeholders for mm/slab_merge.c (no
 * cache is merged, no alias exists) until it is merged.  The branch that
 * adds mm/slab_merge.c deletes this file (git rm mm/slab_merge_tmp.c).
 */
#include "slab.h"

struct kmem_cache *__kmem_cache_alias(const char *name, unsigned int size,
				      unsigned int align, slab_flags_t flags,
				      void (*ctor)(void *))
{
	(void)name;
	(void)size;
	(void)align;
	(void)flags;
	(void)ctor;
	return NULL;
}

struct kmem_cache *slab_alias_find(const char *name)
{
	(void)name;
	return NULL;
}

int slab_unmergeable(struct kmem_cache *s)
{
	(void)s;
	return 1;
}
