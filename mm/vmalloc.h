/* SPDX-License-Identifier: MIT */
/*
 * mm/vmalloc.h - what vmalloc.c (the areas, allocation, freeing) shares
 * with vmalloc_info.c (mm_check()'s walker and /proc/vmallocinfo).  The
 * ownership of each field is vmalloc.c's map comment.
 */
#ifndef MM_VMALLOC_H
#define MM_VMALLOC_H

#include <stdint.h>
#include <stdio.h>
#include <mmsim/spinlock.h>
#include <mmsim/vmalloc.h>

/* vmap_area flags, v4.19's, and the model's deferred mark */
#define VM_LAZY_FREE	0x02
#define VM_VM_AREA	0x04
#define VM_DEFERRED	0x100

struct vm_struct {
	void *addr;
	unsigned long size;		/* with the guard page */
	unsigned long flags;		/* VM_ALLOC or VM_MAP, VM_USERMAP */
	struct page **pages;		/* vmap(): a copy of the caller's */
	unsigned int nr_pages;		/* pages mapped at addr */
	const void *caller;
};

struct vmap_area {			/* all of it: vmap_area_lock */
	unsigned long va_start, va_end;
	unsigned long flags;		/* VM_VM_AREA, VM_LAZY_FREE, VM_DEFERRED */
	struct vm_struct *vm;		/* VM_VM_AREA only */
	struct vmap_area *left, *right;	/* the treap */
	uint32_t prio;
	unsigned long sub_start, sub_end, sub_gap;	/* its subtree's */
	struct vmap_area *next;		/* on the purge or a deferred list */
};

extern spinlock_t vmap_area_lock;
extern struct vmap_area *vmap_root;		/* vmap_area_lock */
/* vmap_area_lock; READ_ONCE without it: the purge list's pages, live
 * VM_ALLOC areas' pages, areas in the tree */
extern unsigned long vmap_lazy_nr, nr_vmalloc_pages, nr_areas;

/* vmalloc_tree.c, all under vmap_area_lock: a subtree's summary from its
 * children's; insert and erase (the new root returned); the area holding
 * addr; the lowest hole of the vmalloc area for size bytes at align (1,
 * the address in *addr); a new priority */
extern uint64_t treap_seed;
void va_update(struct vmap_area *va);
struct vmap_area *treap_insert(struct vmap_area *t, struct vmap_area *va);
struct vmap_area *treap_erase(struct vmap_area *t, struct vmap_area *va);
struct vmap_area *__find_vmap_area(unsigned long addr);
int __find_hole(unsigned long size, unsigned long align, unsigned long *addr);
uint32_t __treap_prio(void);

/* boot.c: after kmem_cache_init(); on a CPU before kmem_cache_exit() */
int vmalloc_init(void);
void vmalloc_exit(void);
/* vmalloc_info.c: mm_check()'s walker (violations counted) and the pass
 * line's part; /proc/vmallocinfo */
int vmalloc_check(FILE *report);
void vmalloc_pass_line(FILE *report);
void vmallocinfo_show(FILE *out);

#endif /* MM_VMALLOC_H */
