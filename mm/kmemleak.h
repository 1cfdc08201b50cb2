/* SPDX-License-Identifier: MIT */
/*
 * mm/kmemleak.h - kmemleak's share of mm: the hooks the allocators call
 * (mm/kmemleak.c records, mm/kmemleak_scan.c scans and reports) and its
 * boot and debugfs entry points.
 */
#ifndef MM_KMEMLEAK_H
#define MM_KMEMLEAK_H

#include <stdio.h>
#include <mmsim/kmemleak.h>
#include <mmsim/slab.h>
#include <mmsim/compiler.h>

/*
 * kmemleak=on and not switched off: read (relaxed) on every allocation and
 * free, set by kmemleak_init() before any CPU attaches, cleared by "off"
 * or a failure.  Only ever goes from 1 to 0 while the machine runs.
 */
extern int kmemleak_on;

static __always_inline int kmemleak_active(void)
{
	return unlikely(__atomic_load_n(&kmemleak_on, __ATOMIC_RELAXED));
}

/* v4.19's slab flag: the objects of such a cache are not recorded. */
#define SLAB_NOLEAKTRACE	((slab_flags_t)0x00800000U)

/* The slab allocators' hooks: an object of a cache (its object_size) just
 * allocated, and one about to be freed. */
static __always_inline void kmemleak_alloc_recursive(const void *ptr, size_t size,
						     int min_count, slab_flags_t flags,
						     gfp_t gfp)
{
	if (kmemleak_active() && !(flags & SLAB_NOLEAKTRACE))
		kmemleak_alloc(ptr, size, min_count, gfp);
}

static __always_inline void kmemleak_free_recursive(const void *ptr, slab_flags_t flags)
{
	if (kmemleak_active() && !(flags & SLAB_NOLEAKTRACE))
		kmemleak_free(ptr);
}

/* kmalloc(size) gave ptr (a slab object the hook recorded with the
 * cache's object_size): record the size asked for instead, so that the
 * report gives it and the scan reads no further. */
void kmemleak_kmalloc_size(const void *ptr, size_t size);

/* vmalloc: the area's pages at addr, referenced once by its own vm_struct
 * (vm, a kmalloc'd vmap_area: a reference to it counts for addr too). */
void kmemleak_vmalloc(const void *vm, const void *addr, size_t size, gfp_t gfp);

/* Boot (mm/boot.c): "kmemleak=on|off" */
int kmemleak_parse_param(const char *val, int *on);
/* Before the allocators start: on (1) or not. */
int kmemleak_init(int on);
/* The machine is up: the periodic scan thread starts. */
void kmemleak_late_init(void);
/* mm_shutdown(), before it holds the machine: the thread stops. */
void kmemleak_stop_thread(void);
/* mm_shutdown(), after the leak report: kmemleak forgets everything. */
void kmemleak_exit(void);
/* ksize() told the caller it may use size bytes: they are scanned. */
void kmemleak_ksize(const void *ptr, size_t size);

/* debugfs (mm/debugfs.c): "kmemleak" */
int kmemleak_show(FILE *out);
int kmemleak_write(const char *cmd);

#endif /* MM_KMEMLEAK_H */
