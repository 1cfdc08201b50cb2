/* SPDX-License-Identifier: MIT */
/*
 * mm/kmemleak_internal.h - what mm/kmemleak.c (the records) and
 * mm/kmemleak_scan.c (the scan, the reports, debugfs) share.  Locking:
 * mm/kmemleak.c's map.
 */
#ifndef MM_KMEMLEAK_INTERNAL_H
#define MM_KMEMLEAK_INTERNAL_H

#include <limits.h>
/* libbsd's cdefs leave __unused to the system's; RB_GENERATE_STATIC's
 * functions are static and not all of them used */
#ifndef __unused
#define __unused	__attribute__((unused))
#endif
#include <bsd/sys/tree.h>
#include "kmemleak.h"
#include "../numa/spinlock.h"

#define KMEMLEAK_MAX_TRACE	16

/* flags */
#define OBJECT_ALLOCATED	0x1	/* recorded and not freed */
#define OBJECT_REPORTED		0x2	/* a scan found it a leak */
#define OBJECT_NO_SCAN		0x4	/* kmemleak_no_scan() */

struct kmemleak_area {			/* kmemleak_scan_area() */
	struct kmemleak_area *next;
	unsigned long start;
	size_t size;
};

struct kmemleak_object {
	RB_ENTRY(kmemleak_object) rb;	/* object_tree */
	struct kmemleak_object *prev, *next;	/* object_list */
	unsigned long pointer;
	size_t size;			/* reported: what was asked for */
	size_t scan_size;		/* scanned (ksize() may widen it) */
	size_t tree_size;		/* in the tree: size, at least 1 */
	unsigned long excess_ref;	/* a reference to this one also counts
					   for the object at this address */
	int min_count;
	unsigned int flags;
	struct kmemleak_area *areas;	/* NULL: scan it whole */
	unsigned long when;		/* jiffies when it was recorded */
	int pid, cpu;
	char comm[16];
	/* the scan's own (scan_mutex, machine stopped) */
	int count;
	struct kmemleak_object *gray_next;
	unsigned int trace_len;
	/* (fill_object() clears everything above) */
	void *trace[KMEMLEAK_MAX_TRACE];
};

RB_HEAD(kmemleak_tree, kmemleak_object);

extern spinlock_t kmemleak_lock;
extern struct kmemleak_tree object_tree;
extern struct kmemleak_object *object_list_head, *object_list_tail;
extern unsigned long below_min_addr, max_addr;

struct kmemleak_object *__lookup_object(unsigned long ptr, int alias);
void kmemleak_forget_all(void);
void kmemleak_disable(void);
/* The object's lines of a report (no lock held: o is a copy). */
void kmemleak_dump_object(const struct kmemleak_object *o);

#ifndef __no_sanitize_address
#define __no_sanitize_address	__attribute__((no_sanitize_address))
#endif

#endif /* MM_KMEMLEAK_INTERNAL_H */
