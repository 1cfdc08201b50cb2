/* SPDX-License-Identifier: MIT */
/*
 * mmsim/kmemleak.h - the kernel memory leak detector (mm/kmemleak.c,
 * v4.19's annotations), on with the boot parameter kmemleak=on.
 *
 * Every slab object, kmalloc block and vmalloc area is recorded with its
 * size, a min_count, the allocation's call trace, CPU, task and jiffies.
 * A scan (mm_debugfs_write("kmemleak", "scan"), the periodic scan, or
 * `mmstress run --kmemleak`) stops the machine and colours the objects:
 * grey when a word-aligned value in a root or in a grey object points
 * inside them at least min_count times, white otherwise.  White objects
 * older than 5 s of jiffies are reported ("unreferenced object 0x...")
 * through mm_debugfs_show("kmemleak", out).
 *
 * The roots: the program's writable data segments (its globals and
 * statics), the stack of every attached CPU as it stopped, and memory
 * registered with min_count KMEMLEAK_GREY.  Host memory (malloc()) that
 * nobody registered is not scanned: a program that keeps the objects it
 * allocated in host tables registers the tables,
 *
 *	kmemleak_alloc(table, bytes, KMEMLEAK_GREY, GFP_KERNEL);
 *	...
 *	kmemleak_free(table);	(before free(table))
 *
 * and erases its copy of a pointer it gives up (kmemleak_erase()).
 *
 * All of these may be called from any thread, in any context; with
 * kmemleak off they do nothing.  A pointer kmemleak does not know (freeing
 * it, annotating it) and a registration that overlaps a known object are
 * reported (a WARNING with the call trace) and ignored.
 */
#ifndef MMSIM_KMEMLEAK_H
#define MMSIM_KMEMLEAK_H

#include <stddef.h>
#include <mmsim/gfp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* min_count: 0 (grey) is never reported and always scanned, -1 (black)
 * neither reported nor scanned; n > 0 is reported when fewer than n
 * references to it are found. */
#define KMEMLEAK_GREY	0
#define KMEMLEAK_BLACK	(-1)

/* Record [ptr, ptr + size), allocated by a custom allocator or a root. */
void kmemleak_alloc(const void *ptr, size_t size, int min_count, gfp_t gfp);
/* Forget the object that starts at ptr (before its memory goes away). */
void kmemleak_free(const void *ptr);
/* Forget [ptr, ptr + size) of an object: what remains of it stays known
 * (the part before, and the part after, each become an object). */
void kmemleak_free_part(const void *ptr, size_t size);
/* Record the caller's call trace as the allocation's (mempool_alloc()). */
void kmemleak_update_trace(const void *ptr);
/* Never report it (grey: it is still scanned). */
void kmemleak_not_leak(const void *ptr);
/* Never report it and never scan it (black). */
void kmemleak_ignore(const void *ptr);
/* Scan only [ptr, ptr + size) (and any other area given) of the object
 * that contains ptr. */
void kmemleak_scan_area(const void *ptr, size_t size, gfp_t gfp);
/* Never scan it (it may still be reported). */
void kmemleak_no_scan(const void *ptr);

/* A stale copy of a pointer that was handed out goes away, so that it
 * does not hide a leak of what it pointed to. */
static inline void kmemleak_erase(void **ptr)
{
	*ptr = NULL;
}

/* 1 if kmemleak is on (booted with kmemleak=on and not switched off). */
int kmemleak_enabled(void);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_KMEMLEAK_H */
