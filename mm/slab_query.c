// SPDX-License-Identifier: MIT
/*
 * mm/slab_query.c - mm_slab_allocator() (mmsim/inspect.h): the name of the
 * slab allocator this boot chose, for harnesses (stress/, bench/) whose
 * expectations differ by allocator.
 *
 * Who may touch what: it only reads slab_ops, which mm_boot() writes
 * before any CPU runs and which stays read-only until mm_shutdown()
 * (mm/slab_alloc.h); mm_booted (acquire) orders that read after the
 * boot.  The SUITES part owns this file.
 */
#include "internal.h"
#include "slab_alloc.h"

const char *mm_slab_allocator(void)
{
	/* Acquire: pairs with mm_boot()'s release store of mm_booted, after
	 * slab_ops was set. */
	if (!smp_load_acquire(&mm_booted) || !slab_ops)
		return NULL;
	return slab_ops->name;
}
