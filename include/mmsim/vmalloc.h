/* SPDX-License-Identifier: MIT */
/*
 * mmsim/vmalloc.h - virtually contiguous memory (mm/vmalloc.c, v4.19): pages
 * of order 0, from anywhere (highmem too), mapped for real at consecutive
 * addresses of the vmalloc area with an unmapped guard page after each
 * area, so that a stray access past the end faults as in the kernel.
 *
 * vmalloc() and friends may sleep (GFP_KERNEL): call them from process
 * context on a simulated CPU.  vfree() may be called from any context: in
 * interrupt or atomic context it is deferred to the CPU's work (run at its
 * next cond_resched()).  A freed area's addresses are reused only after a
 * lazy purge (vmap_lazy_nr pages past lazy_max_pages(), or when no hole is
 * left): until then its pages stay mapped, as the kernel's stale TLB
 * entries (with debug_pagealloc=on they are unmapped at once).
 */
#ifndef MMSIM_VMALLOC_H
#define MMSIM_VMALLOC_H

#include <stddef.h>
#include <mmsim/gfp.h>
#include <mmsim/mm_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's page protections: the model maps read-write, always. */
typedef struct { unsigned long pgprot; } pgprot_t;
#define __pgprot(x)	((pgprot_t) { (x) })
#define pgprot_val(x)	((x).pgprot)
#define PAGE_KERNEL	__pgprot(0x163UL)	/* x86's __PAGE_KERNEL */

/* vm_struct flags, v4.19's values */
#define VM_IOREMAP		0x00000001
#define VM_ALLOC		0x00000002
#define VM_MAP			0x00000004
#define VM_USERMAP		0x00000008
#define VM_UNINITIALIZED	0x00000020
#define VM_NO_GUARD		0x00000040

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void *vmalloc_node(unsigned long size, int node);
void *vzalloc_node(unsigned long size, int node);
/* Pages the 32-bit DMA can reach: ZONE_DMA32 on x86_64, lowmem on x86_32. */
void *vmalloc_32(unsigned long size);
/* Zeroed, for mapping to user space (VM_USERMAP). */
void *vmalloc_user(unsigned long size);
/* The general form: align a power of two >= PAGE_SIZE (smaller: PAGE_SIZE). */
void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask,
		     pgprot_t prot, int node, const void *caller);
void vfree(const void *addr);

/* count caller-owned pages at one address (flags VM_MAP); vunmap() gives
 * the address back, never the pages. */
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
void vunmap(const void *addr);

/* The page mapped at a vmalloc address, NULL if none (a guard page, a
 * freed area, an address outside the vmalloc area). */
struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_to_pfn(const void *addr);
int is_vmalloc_addr(const void *addr);

/* For tests and the harness: pages in live vmalloc areas (not vmap's),
 * vmap_lazy_nr, and a purge of lazily freed areas now (may sleep). */
unsigned long vmalloc_nr_pages(void);
unsigned long vmap_lazy_pages(void);
unsigned long lazy_max_pages(void);
void vm_unmap_aliases(void);
/* For a harness's end, on a CPU while no other runs: every CPU's deferred
 * vfree()s done now, then the lazy areas purged. */
void vmalloc_quiesce(void);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_VMALLOC_H */
