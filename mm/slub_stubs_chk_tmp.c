// SPDX-License-Identifier: MIT
/*
 * mm/slub_stubs_chk_tmp.c - TEMPORARY weak stand-ins for the symbols of
 * other parts (slub_debug) that mm/slub_check.c calls, so that the SLUB
 * inspection branch links before they are on main.  The lead deletes this
 * file when mm/slub_debug.c lands; nothing else may use it.
 */
#include "slub.h"

__attribute__((weak)) int check_object(struct kmem_cache *s, struct page *page, void *object,
				       unsigned char val)
{
	(void)s;
	(void)page;
	(void)object;
	(void)val;
	return 1;
}

__attribute__((weak)) int slab_pad_check(struct kmem_cache *s, struct page *page)
{
	(void)s;
	(void)page;
	return 1;
}
