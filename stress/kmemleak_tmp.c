// SPDX-License-Identifier: MIT
/*
 * stress/kmemleak_tmp.c - TEMPORARY, this branch only: stand-ins for the
 * kmemleak calls of mmsim/kmemleak.h until the detector lands on main
 * (deleted by the merge that brings it).  kmemleak is never on here.
 */
#include <mmsim.h>

void kmemleak_alloc(const void *ptr, size_t size, int min_count, gfp_t gfp)
{
	(void)ptr, (void)size, (void)min_count, (void)gfp;
}

void kmemleak_free(const void *ptr)
{
	(void)ptr;
}

int kmemleak_enabled(void)
{
	return 0;
}
