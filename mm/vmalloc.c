// SPDX-License-Identifier: MIT
/*
 * mm/vmalloc.c - vmalloc(), vmap() and vfree() over the vmalloc area of
 * numa/vmspace.c, after v4.19's mm/vmalloc.c.
 *
 * Structures:
 *   struct vmap_area	a range [va_start, va_end) of the vmalloc area, the
 *			guard page included; a node of the area tree.
 *   struct vm_struct	what a live area holds: its caller, flags (VM_ALLOC
 *			or VM_MAP), pages[] and nr_pages.  Only a VM_VM_AREA
 *			vmap_area has one.
 *   the area tree	every vmap_area, live or lazily freed, keyed by
 *			va_start: a treap (a binary search tree with random
 *			priorities kept in heap order: expected depth
 *			O(log n)) augmented, per subtree, with its lowest
 *			start, highest end and largest gap between two of its
 *			areas, so that the lowest hole that fits is found on
 *			one root-to-leaf path.  A treap because its rotations
 *			make the augmentation a pure function of the children;
 *			liburcu's RCU red-black tree never reached a release
 *			and the kernel's rbtree is not a library here
 *			(mm/vmalloc_tree.c).
 *   purge list		lazily freed areas: still in the tree (their
 *			addresses are not reused) and still mapped (the
 *			kernel's stale TLB entries), until a purge unmaps
 *			them and takes them out (vmap_lazy_nr pages).
 *   deferred lists	per CPU: areas vfree()d in interrupt or atomic
 *			context, freed by the CPU's work item.
 *
 * Who touches what: vmap_area_lock (irq-safe: vfree() from interrupt
 * context looks its area up) protects the tree and every vmap_area field,
 * the purge and deferred lists, vmap_lazy_nr, nr_vmalloc_pages and
 * nr_areas (READ_ONCE for the statistics).  A vm_struct is written by the
 * thread that builds the area before it is published (VM_UNINITIALIZED
 * cleared under the lock) and read-only after, until the one remove_vm_area()
 * that takes it out of its vmap_area hands it to its freer.  The mapping of
 * [va_start, va_end) belongs to whoever owns the area: its builder, then
 * its user, then the purge that unmaps it.  vmap_purge_lock (a mutex)
 * serialises purges, as v4.19's.
 *
 * The invariants (vmalloc_check(), in mm_check(): mm/vmalloc_info.c):
 * areas ordered, disjoint and inside the vmalloc area; each subtree's
 * summary right; a live area's pages allocated and counted in
 * nr_vmalloc_pages; vmap_lazy_nr the pages of the purge list.  Nothing is
 * printed under vmap_area_lock.
 *
 * Where the model parts from v4.19: vfree() of an address inside an area
 * (not its start) is refused, where v4.19 frees the area; vfree() with
 * preemption or interrupts off is deferred as in interrupt context; a
 * vmalloc() that fails gives its range back at once, not lazily (nothing
 * of a failed call outlives it: the --fail footprint check); a vmap()
 * area keeps a copy of its pages[] (the model's page table, for
 * vmalloc_to_page()); __GFP_ZERO is applied through the new mapping.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mmsim.h>
#include <mmsim/vmalloc.h>
#include "internal.h"
#include "vmalloc.h"
#include "kmemleak.h"
#include "../numa/vmspace.h"

/*
 * Lazily freed areas stay mapped until a purge, and each mapped page may
 * be a host VMA (vm.max_map_count, 65530): v4.19's bound, 32 MiB per
 * fls(CPUs), is capped at 32 MiB so the host is never the limit.
 */
#define LAZY_HOST_MAX	(32UL << 20 >> PAGE_SHIFT)

DEFINE_SPINLOCK(vmap_area_lock);
static DEFINE_MUTEX(vmap_purge_lock);
struct vmap_area *vmap_root;
static struct vmap_area *vmap_purge_list;	/* vmap_area_lock */
unsigned long vmap_lazy_nr, nr_vmalloc_pages, nr_areas;

struct vfree_deferred {
	struct vmap_area *list;		/* vmap_area_lock */
	struct delayed_work wq;
} __attribute__((aligned(64)));
static struct vfree_deferred *vfree_deferred;	/* boot: nr_cpu_ids of them */

/* ------------------------------------------------------------------ */
/* Lazy freeing and purging                                            */

unsigned long lazy_max_pages(void)
{
	unsigned int cpus = num_online_cpus(), log = 0;

	while (cpus >> log)
		log++;				/* fls() */
	return min(log * (32UL << 20 >> PAGE_SHIFT), LAZY_HOST_MAX);
}

/*
 * Unmap every lazily freed area, then give its addresses back.  Their
 * mappings are the purge's alone: the areas stay in the tree (nobody else
 * maps there) until the unmapping is done.  The caller holds
 * vmap_purge_lock.
 */
static void __purge_vmap_area_lazy(void)
{
	struct vmap_area *list, *va, *next;
	unsigned long flags;

	spin_lock_irqsave(&vmap_area_lock, flags);
	list = vmap_purge_list;
	vmap_purge_list = NULL;
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	if (!list)
		return;
	for (va = list; va; va = va->next)
		vmspace_unmap((void *)va->va_start, va->va_end - va->va_start);
	spin_lock_irqsave(&vmap_area_lock, flags);
	for (va = list; va; va = va->next) {
		vmap_root = treap_erase(vmap_root, va);
		vmap_lazy_nr -= (va->va_end - va->va_start) >> PAGE_SHIFT;
		nr_areas--;
	}
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	for (va = list; va; va = next) {
		next = va->next;
		kfree(va);
	}
}

static void purge_vmap_area_lazy(void)
{
	mutex_lock(&vmap_purge_lock);
	__purge_vmap_area_lazy();
	mutex_unlock(&vmap_purge_lock);
}

/* A purge unless one is running (vfree() never waits for it). */
static void try_purge_vmap_area_lazy(void)
{
	if (mutex_trylock(&vmap_purge_lock)) {
		__purge_vmap_area_lazy();
		mutex_unlock(&vmap_purge_lock);
	}
}

void vm_unmap_aliases(void)
{
	if (!caller_is_cpu(__func__) || might_sleep())
		return;
	purge_vmap_area_lazy();
}

/* ------------------------------------------------------------------ */
/* Areas                                                               */

/*
 * A range of size bytes (the guard included) at align, in the tree: the
 * area, or NULL (reported unless __GFP_NOWARN).  No hole: the lazily freed
 * areas are purged and the search tried once more, as v4.19 does.
 */
static struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align,
					 int node, gfp_t gfp_mask)
{
	static struct ratelimit_state rs =
		RATELIMIT_STATE_INIT(DEFAULT_RATELIMIT_INTERVAL_MS, DEFAULT_RATELIMIT_BURST);
	struct vmap_area *va;
	unsigned long addr, flags;
	int purged = 0;

	va = kmalloc_node(sizeof(*va), gfp_mask & GFP_RECLAIM_MASK, node);
	if (unlikely(!va))
		return NULL;
	memset(va, 0, sizeof(*va));
	/* only its links reference objects: its addresses (va_start, the
	 * subtree's) are no reference to the area (v4.19 likewise) */
	BUILD_BUG_ON(offsetof(struct vmap_area, right) !=
		     offsetof(struct vmap_area, vm) + 2 * sizeof(void *));
	if (kmemleak_active()) {
		kmemleak_scan_area(&va->vm, 3 * sizeof(void *), gfp_mask & GFP_RECLAIM_MASK);
		kmemleak_scan_area(&va->next, sizeof(va->next), gfp_mask & GFP_RECLAIM_MASK);
	}
retry:
	spin_lock_irqsave(&vmap_area_lock, flags);
	if (!__find_hole(size, align, &addr)) {
		spin_unlock_irqrestore(&vmap_area_lock, flags);
		if (!purged) {
			purge_vmap_area_lazy();
			purged = 1;
			goto retry;
		}
		if (!(gfp_mask & __GFP_NOWARN) && __ratelimit(&rs))
			pr_warn("vmap allocation for size %lu failed: use vmalloc=<size> to increase size\n",
				size);
		kfree(va);
		return NULL;
	}
	va->va_start = addr;
	va->va_end = addr + size;
	va->prio = __treap_prio();
	vmap_root = treap_insert(vmap_root, va);
	nr_areas++;
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	return va;
}

/* A range no page of which was ever mapped: back at once, not lazily. */
static void free_vmap_area(struct vmap_area *va)
{
	unsigned long flags;

	spin_lock_irqsave(&vmap_area_lock, flags);
	vmap_root = treap_erase(vmap_root, va);
	nr_areas--;
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	kfree(va);
}

static struct vm_struct *__get_vm_area_node(unsigned long size, unsigned long align,
					    unsigned long flags, int node, gfp_t gfp_mask,
					    const void *caller)
{
	struct vm_struct *area;
	struct vmap_area *va;

	size = PAGE_ALIGN(size);
	if (unlikely(!size))
		return NULL;
	if (!(flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	area = kzalloc_node(sizeof(*area), gfp_mask & GFP_RECLAIM_MASK, node);
	if (unlikely(!area))
		return NULL;
	va = alloc_vmap_area(size, align, node, gfp_mask);
	if (!va) {
		kfree(area);
		return NULL;
	}
	area->addr = (void *)va->va_start;
	area->size = size;
	area->flags = flags;
	area->caller = caller;
	va->vm = area;		/* not VM_VM_AREA yet: nobody finds it */
	return area;
}

static unsigned long get_vm_area_size(const struct vm_struct *area)
{
	return area->flags & VM_NO_GUARD ? area->size : area->size - PAGE_SIZE;
}

/* The area goes live: vfree() and vmalloc_to_page() find it. */
static void publish_vm_area(struct vm_struct *area)
{
	struct vmap_area *va;
	unsigned long flags;

	spin_lock_irqsave(&vmap_area_lock, flags);
	va = __find_vmap_area((unsigned long)area->addr);
	va->flags |= VM_VM_AREA;
	area->flags &= ~VM_UNINITIALIZED;
	if (area->flags & VM_ALLOC)
		nr_vmalloc_pages += area->nr_pages;
	spin_unlock_irqrestore(&vmap_area_lock, flags);
}

/* Map area->pages[] at area->addr, runs of consecutive frames at once. */
static int map_vm_area(struct vm_struct *area)
{
	char *addr = area->addr;
	unsigned int i = 0;

	while (i < area->nr_pages) {
		unsigned long pfn = page_to_pfn(area->pages[i]);
		unsigned int n = 1;
		int ret;

		while (i + n < area->nr_pages && page_to_pfn(area->pages[i + n]) == pfn + n)
			n++;
		ret = vmspace_map(addr + ((size_t)i << PAGE_SHIFT), (uint64_t)pfn << PAGE_SHIFT,
				  (size_t)n << PAGE_SHIFT);
		if (ret) {
			if (i)
				vmspace_unmap(addr, (size_t)i << PAGE_SHIFT);
			return ret;
		}
		i += n;
	}
	return 0;
}

/* An area that never went live, back whole and at once. */
static void unbuild_vm_area(struct vm_struct *area, int deallocate)
{
	struct vmap_area *va;
	unsigned long flags;

	spin_lock_irqsave(&vmap_area_lock, flags);
	va = __find_vmap_area((unsigned long)area->addr);
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	free_vmap_area(va);
	if (deallocate)
		for (unsigned int i = 0; i < area->nr_pages; i++)
			__free_pages(area->pages[i], 0);
	kfree(area->pages);
	kfree(area);
}

/*
 * Take the live area starting at addr out of use: its vm_struct, or NULL
 * if there is none (deferred: the area vfree() deferred, which nobody
 * else may free meanwhile).  The range goes to the purge list.
 */
static struct vm_struct *remove_vm_area(unsigned long addr, int deferred)
{
	struct vm_struct *vm = NULL;
	struct vmap_area *va;
	unsigned long flags, lazy;

	spin_lock_irqsave(&vmap_area_lock, flags);
	va = __find_vmap_area(addr);
	if (va && va->va_start == addr && (va->flags & VM_VM_AREA) &&
	    !(va->flags & VM_DEFERRED) == !deferred) {
		vm = va->vm;
		va->vm = NULL;
		va->flags = VM_LAZY_FREE;
		if (vm->flags & VM_ALLOC)
			nr_vmalloc_pages -= vm->nr_pages;
		va->next = vmap_purge_list;
		vmap_purge_list = va;
		vmap_lazy_nr += (va->va_end - va->va_start) >> PAGE_SHIFT;
	}
	lazy = vmap_lazy_nr;
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	if (!vm)
		return NULL;
	/* v4.19 flushes the TLB at once with debug_pagealloc */
	if (debug_pagealloc)
		vmspace_unmap(vm->addr, vm->size);
	if (lazy > lazy_max_pages())
		try_purge_vmap_area_lazy();
	return vm;
}

static void __vunmap(const void *addr, int deallocate, int deferred)
{
	struct vm_struct *area;

	if (WARN(addr != (const void *)PAGE_ALIGN((unsigned long)addr),
		 "Trying to vfree() bad address (%p)\n", addr))
		return;
	area = remove_vm_area((unsigned long)addr, deferred);
	if (unlikely(!area)) {
		WARN(1, "Trying to vfree() nonexistent vm area (%p)\n", addr);
		return;
	}
	if (deallocate)
		for (unsigned int i = 0; i < area->nr_pages; i++)
			__free_pages(area->pages[i], 0);
	kfree(area->pages);
	kfree(area);
}

/* ------------------------------------------------------------------ */
/* Deferred vfree()                                                    */

static void free_work(struct work_struct *work)
{
	struct vfree_deferred *p = container_of(to_delayed_work(work), struct vfree_deferred, wq);
	struct vmap_area *list, *va, *next;
	unsigned long flags;

	spin_lock_irqsave(&vmap_area_lock, flags);
	list = p->list;
	p->list = NULL;
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	for (va = list; va; va = next) {
		/* va is still live and marked ours: read before it goes */
		const void *addr = (const void *)va->va_start;

		next = va->next;
		__vunmap(addr, 1, 1);
	}
}

/*
 * vfree() where it may not sleep: the area is marked and queued for the
 * CPU's work item.  An address that is no live area is reported here,
 * where the caller is.
 */
static void __vfree_deferred(const void *addr)
{
	struct vfree_deferred *p;
	struct vmap_area *va;
	unsigned long flags;
	int found = 0;

	if (WARN(addr != (const void *)PAGE_ALIGN((unsigned long)addr),
		 "Trying to vfree() bad address (%p)\n", addr))
		return;
	p = &vfree_deferred[smp_processor_id()];
	spin_lock_irqsave(&vmap_area_lock, flags);
	va = __find_vmap_area((unsigned long)addr);
	if (va && va->va_start == (unsigned long)addr && (va->flags & VM_VM_AREA) &&
	    !(va->flags & VM_DEFERRED)) {
		va->flags |= VM_DEFERRED;
		va->next = p->list;
		p->list = va;
		found = 1;
	}
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	if (!found) {
		WARN(1, "Trying to vfree() nonexistent vm area (%p)\n", addr);
		return;
	}
	schedule_delayed_work(&p->wq, 0);
}

void vfree(const void *addr)
{
	if (!addr)
		return;
	if (!caller_is_cpu(__func__))
		return;
	/* first, as v4.19: the area may be unmapped before the work runs */
	if (kmemleak_active())
		kmemleak_free(addr);
	if (unlikely(in_interrupt() || in_atomic() || irqs_disabled()))
		__vfree_deferred(addr);
	else
		__vunmap(addr, 1, 0);
}

void vunmap(const void *addr)
{
	if (!addr || !caller_is_cpu(__func__) || might_sleep())
		return;
	__vunmap(addr, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

static void *__vmalloc_area_node(struct vm_struct *area, gfp_t gfp_mask, int node)
{
	const gfp_t alloc_mask = (gfp_mask | __GFP_NOWARN) & ~__GFP_ZERO;
	const gfp_t highmem_mask = (gfp_mask & (GFP_DMA | GFP_DMA32)) ? 0 : __GFP_HIGHMEM;
	unsigned int nr_pages = (unsigned int)(get_vm_area_size(area) >> PAGE_SHIFT), i;
	struct page **pages;

	pages = kmalloc_node((size_t)nr_pages * sizeof(*pages),
			     (gfp_mask & GFP_RECLAIM_MASK) | __GFP_ZERO, node);
	if (!pages) {
		unbuild_vm_area(area, 1);
		goto fail_warned;
	}
	area->pages = pages;
	for (i = 0; i < nr_pages; i++) {
		struct page *page;

		if (node == NUMA_NO_NODE)
			page = alloc_page(alloc_mask | highmem_mask);
		else
			page = alloc_pages_node(node, alloc_mask | highmem_mask, 0);
		if (unlikely(!page))
			goto fail;
		pages[i] = page;
		area->nr_pages = i + 1;
		if (gfpflags_allow_blocking(gfp_mask))
			cond_resched();
	}
	if (map_vm_area(area))
		goto fail;
	/* __GFP_ZERO through the mapping: highmem frames have no other */
	if (gfp_mask & __GFP_ZERO)
		memset(area->addr, 0, (size_t)nr_pages << PAGE_SHIFT);
	publish_vm_area(area);
	return area->addr;

fail:
	warn_alloc(gfp_mask, NULL, "vmalloc: allocation failure, allocated %ld of %ld bytes",
		   (long)area->nr_pages * (long)PAGE_SIZE, (long)area->size);
	/* never live: all of it goes back now, nothing outlives the call */
	unbuild_vm_area(area, 1);
fail_warned:
	return NULL;
}

void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask,
		     pgprot_t prot, int node, const void *caller)
{
	unsigned long real_size = size;
	struct vm_struct *area;
	void *addr;

	(void)prot;
	if (!caller_is_cpu(__func__))
		return NULL;
	if (gfpflags_allow_blocking(gfp_mask) && might_sleep())
		return NULL;
	if (align < PAGE_SIZE || (align & (align - 1)))
		align = PAGE_SIZE;
	size = PAGE_ALIGN(size);
	if (!size || size < real_size || (size >> PAGE_SHIFT) > totalram_pages)
		goto fail;
	area = __get_vm_area_node(size, align, VM_ALLOC | VM_UNINITIALIZED, node, gfp_mask,
				  caller);
	if (!area)
		goto fail;
	addr = __vmalloc_area_node(area, gfp_mask, node);
	/* referenced by its vm_struct, found through the vmalloc tree, and by
	 * whoever asked for it (v4.19's kmemleak_vmalloc(): min_count 2) */
	if (addr && kmemleak_active())
		kmemleak_vmalloc(area, addr, real_size, gfp_mask);
	return addr;
fail:
	warn_alloc(gfp_mask, NULL, "vmalloc: allocation failure: %lu bytes", real_size);
	return NULL;
}

#define VMALLOC_GFP	(GFP_KERNEL | __GFP_HIGHMEM)
#define CALLER		__builtin_return_address(0)

void *vmalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, VMALLOC_GFP, PAGE_KERNEL, NUMA_NO_NODE, CALLER);
}

void *vzalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, VMALLOC_GFP | __GFP_ZERO, PAGE_KERNEL, NUMA_NO_NODE,
			      CALLER);
}

void *vmalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, VMALLOC_GFP, PAGE_KERNEL, node, CALLER);
}

void *vzalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, VMALLOC_GFP | __GFP_ZERO, PAGE_KERNEL, node, CALLER);
}

void *vmalloc_32(unsigned long size)
{
	/* x86_32's GFP_VMALLOC32 is GFP_KERNEL: its ZONE_NORMAL is lowmem */
	gfp_t gfp = machine.arch == ARCH_X86_32 ? GFP_KERNEL : GFP_KERNEL | GFP_DMA32;

	return __vmalloc_node(size, 1, gfp, PAGE_KERNEL, NUMA_NO_NODE, CALLER);
}

void *vmalloc_user(unsigned long size)
{
	void *ret = __vmalloc_node(size, PAGE_SIZE, VMALLOC_GFP | __GFP_ZERO, PAGE_KERNEL,
				   NUMA_NO_NODE, CALLER);
	struct vmap_area *va;
	unsigned long flags;

	if (ret) {
		spin_lock_irqsave(&vmap_area_lock, flags);
		va = __find_vmap_area((unsigned long)ret);
		va->vm->flags |= VM_USERMAP;
		spin_unlock_irqrestore(&vmap_area_lock, flags);
	}
	return ret;
}

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	struct vm_struct *area;

	(void)prot;
	if (!caller_is_cpu(__func__) || might_sleep())
		return NULL;
	if (!count || count > totalram_pages)
		return NULL;
	area = __get_vm_area_node((unsigned long)count << PAGE_SHIFT, PAGE_SIZE,
				  flags | VM_UNINITIALIZED, NUMA_NO_NODE, GFP_KERNEL, CALLER);
	if (!area)
		return NULL;
	/* the model's page table: vmalloc_to_page() reads it */
	area->pages = kmalloc_array(count, sizeof(*pages), GFP_KERNEL);
	if (!area->pages) {
		unbuild_vm_area(area, 0);
		return NULL;
	}
	memcpy(area->pages, pages, count * sizeof(*pages));
	area->nr_pages = count;
	if (map_vm_area(area)) {
		unbuild_vm_area(area, 0);
		return NULL;
	}
	publish_vm_area(area);
	return area->addr;
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

int is_vmalloc_addr(const void *addr)
{
	return vmspace.vmalloc_start && vmspace_is_vmalloc(addr);
}

struct page *vmalloc_to_page(const void *addr)
{
	unsigned long a = (unsigned long)addr, flags;
	struct page *page = NULL;
	struct vmap_area *va;

	if (!is_vmalloc_addr(addr))
		return NULL;
	spin_lock_irqsave(&vmap_area_lock, flags);
	va = __find_vmap_area(a);
	if (va && (va->flags & VM_VM_AREA) &&
	    ((a - va->va_start) >> PAGE_SHIFT) < va->vm->nr_pages)
		page = va->vm->pages[(a - va->va_start) >> PAGE_SHIFT];
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	return page;
}

unsigned long vmalloc_to_pfn(const void *addr)
{
	struct page *page = vmalloc_to_page(addr);

	return page ? page_to_pfn(page) : 0;
}

unsigned long vmalloc_nr_pages(void)
{
	return READ_ONCE(nr_vmalloc_pages);
}

unsigned long vmap_lazy_pages(void)
{
	return READ_ONCE(vmap_lazy_nr);
}

/* ------------------------------------------------------------------ */
/* Boot and shutdown                                                   */

int vmalloc_init(void)
{
	vmap_root = NULL;
	vmap_purge_list = NULL;
	vmap_lazy_nr = nr_vmalloc_pages = nr_areas = 0;
	treap_seed = 0x9e3779b97f4a7c15ULL;
	/* a line each: the CPUs queue on their own */
	vfree_deferred = aligned_alloc(64, nr_cpu_ids * sizeof(*vfree_deferred));
	if (!vfree_deferred)
		return -ENOMEM;
	memset(vfree_deferred, 0, nr_cpu_ids * sizeof(*vfree_deferred));
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		INIT_DELAYED_WORK(&vfree_deferred[cpu].wq, free_work);
	return 0;
}

/*
 * On a CPU, every other stopped: the deferred frees done, the lazy areas
 * purged.  Live areas are the leaks report_leaks() counts in pages; their
 * metadata goes with them.
 */
void vmalloc_quiesce(void)
{
	if (!vfree_deferred || !caller_is_cpu(__func__) || might_sleep())
		return;
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		cancel_delayed_work_sync(&vfree_deferred[cpu].wq);
		free_work(&vfree_deferred[cpu].wq.work);
	}
	purge_vmap_area_lazy();
}

void vmalloc_exit(void)
{
	if (!vfree_deferred)
		return;
	vmalloc_quiesce();
	free(vfree_deferred);
	vfree_deferred = NULL;
}
