// SPDX-License-Identifier: MIT
/*
 * mm/vmalloc_info.c - what is read of vmalloc's areas from outside:
 * mm_check()'s walker of the area tree (vmalloc_check()) and
 * /proc/vmallocinfo in v4.19's format.  Both only read, under
 * vmap_area_lock; both print only after dropping it (the check keeps its
 * violations in the mmap()ed check_log, the proc file copies the areas to
 * a buffer it allocated before taking the lock).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "vmalloc.h"
#include "../numa/vmspace.h"

struct va_checker {
	struct check_log log;
	unsigned long prev_end, pages, lazy, areas;
};

static void __printf(2, 3) va_violation(struct va_checker *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(&c->log, "mm_check: vmalloc: ", fmt, ap);
	va_end(ap);
}

static void check_area(struct va_checker *c, struct vmap_area *va)
{
	struct vm_struct *vm = va->vm;
	struct vmap_area copy = *va;

	c->areas++;
	if (va->va_start < c->prev_end || va->va_end <= va->va_start ||
	    va->va_start < (unsigned long)vmspace.vmalloc_start ||
	    va->va_end > (unsigned long)vmspace.vmalloc_end || (va->va_start | va->va_end) % PAGE_SIZE)
		va_violation(c, "area %#lx-%#lx: overlaps the one before (ending at %#lx) or lies outside [%p, %p)",
			     va->va_start, va->va_end, c->prev_end, (void *)vmspace.vmalloc_start,
			     (void *)vmspace.vmalloc_end);
	c->prev_end = va->va_end;
	va_update(&copy);
	if (copy.sub_start != va->sub_start || copy.sub_end != va->sub_end ||
	    copy.sub_gap != va->sub_gap)
		va_violation(c, "area %#lx-%#lx: subtree summary %#lx-%#lx gap %#lx, its children say %#lx-%#lx gap %#lx",
			     va->va_start, va->va_end, va->sub_start, va->sub_end, va->sub_gap,
			     copy.sub_start, copy.sub_end, copy.sub_gap);
	if ((va->left && va->left->prio > va->prio) || (va->right && va->right->prio > va->prio))
		va_violation(c, "area %#lx-%#lx: a child of higher priority (the treap's heap order)",
			     va->va_start, va->va_end);
	if (!(va->flags & VM_VM_AREA)) {
		if (va->flags & VM_LAZY_FREE)
			c->lazy += (va->va_end - va->va_start) >> PAGE_SHIFT;
		return;
	}
	if (vm->addr != (void *)va->va_start || vm->size != va->va_end - va->va_start ||
	    ((unsigned long)vm->nr_pages << PAGE_SHIFT) + PAGE_SIZE > vm->size)
		va_violation(c, "area %#lx-%#lx: vm_struct %p size %lu with %u pages (want its range and a guard page)",
			     va->va_start, va->va_end, vm->addr, vm->size, vm->nr_pages);
	for (unsigned int i = 0; i < vm->nr_pages; i++) {
		struct page *page = vm->pages[i];

		if (!pfn_valid(page_to_pfn(page)) || PageBuddy(page) || page_ref_count(page) < 1)
			va_violation(c, "area %#lx-%#lx: page %u (pfn %#lx) is not allocated (refcount %d%s)",
				     va->va_start, va->va_end, i, page_to_pfn(page),
				     page_ref_count(page), PageBuddy(page) ? ", PG_buddy" : "");
	}
	if (vm->flags & VM_ALLOC)
		c->pages += vm->nr_pages;
}

static void walk(struct va_checker *c, struct vmap_area *va)
{
	if (!va)
		return;
	walk(c, va->left);
	check_area(c, va);
	walk(c, va->right);
}

int vmalloc_check(FILE *report)
{
	struct va_checker c = { .log = { .report = report } };
	unsigned long flags;

	spin_lock_irqsave(&vmap_area_lock, flags);
	walk(&c, vmap_root);
	if (c.pages != nr_vmalloc_pages)
		va_violation(&c, "%lu pages in live vmalloc areas, nr_vmalloc_pages says %lu",
			     c.pages, nr_vmalloc_pages);
	if (c.lazy != vmap_lazy_nr)
		va_violation(&c, "%lu pages in lazily freed areas, vmap_lazy_nr says %lu",
			     c.lazy, vmap_lazy_nr);
	if (c.areas != nr_areas)
		va_violation(&c, "%lu areas in the tree, nr_areas says %lu", c.areas, nr_areas);
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	check_log_flush(&c.log);
	return c.log.violations;
}

/* Appended to the pass line when there are areas (the line stays Linux-
 * less otherwise: programs match it). */
void vmalloc_pass_line(FILE *report)
{
	unsigned long pages = READ_ONCE(nr_vmalloc_pages), areas = READ_ONCE(nr_areas);

	if (areas)
		fprintf(report, "mm_check: vmalloc: %lu page%s in live areas, %lu area%s in the tree (%lu lazily freed page%s)\n",
			pages, str_plural(pages), areas, str_plural(areas),
			READ_ONCE(vmap_lazy_nr), str_plural(READ_ONCE(vmap_lazy_nr)));
}

/* ------------------------------------------------------------------ */
/* /proc/vmallocinfo                                                   */

struct info_line {
	unsigned long start, end, flags, va_flags;
	unsigned long size;
	const void *caller;
	unsigned int nr_pages;
	unsigned int *nodes;		/* pages per node (VM_ALLOC) */
};

struct info_copy {
	struct info_line *lines;
	unsigned int *counts;
	unsigned long n, cap;
};

static void copy_walk(struct info_copy *ic, struct vmap_area *va)
{
	struct info_line *l;

	if (!va || ic->n >= ic->cap)
		return;
	copy_walk(ic, va->left);
	if (ic->n >= ic->cap)
		return;
	l = &ic->lines[ic->n];
	memset(l, 0, sizeof(*l));
	l->start = va->va_start;
	l->end = va->va_end;
	l->va_flags = va->flags;
	l->nodes = ic->counts + ic->n * MAX_NUMNODES;
	memset(l->nodes, 0, MAX_NUMNODES * sizeof(*l->nodes));
	if (va->flags & VM_VM_AREA) {
		l->flags = va->vm->flags;
		l->size = va->vm->size;
		l->caller = va->vm->caller;
		if (va->vm->flags & VM_ALLOC) {
			l->nr_pages = va->vm->nr_pages;
			for (unsigned int i = 0; i < va->vm->nr_pages; i++)
				l->nodes[page_to_nid(va->vm->pages[i])]++;
		}
	}
	ic->n++;
	copy_walk(ic, va->right);
}

void vmallocinfo_show(FILE *out)
{
	struct info_copy ic = { 0 };
	unsigned long flags;
	char sym[256];

	ic.cap = READ_ONCE(nr_areas) + 64;	/* areas made meanwhile: cut */
	ic.lines = calloc(ic.cap, sizeof(*ic.lines));
	ic.counts = calloc(ic.cap * MAX_NUMNODES, sizeof(*ic.counts));
	if (!ic.lines || !ic.counts)
		goto out;
	spin_lock_irqsave(&vmap_area_lock, flags);
	copy_walk(&ic, vmap_root);
	spin_unlock_irqrestore(&vmap_area_lock, flags);
	for (unsigned long i = 0; i < ic.n; i++) {
		const struct info_line *l = &ic.lines[i];

		if (!(l->va_flags & VM_VM_AREA)) {
			fprintf(out, "0x%016lx-0x%016lx %7ld %s\n", l->start, l->end,
				(long)(l->end - l->start),
				l->va_flags & VM_LAZY_FREE ? "unpurged vm_area" : "vm_map_ram");
			continue;
		}
		fprintf(out, "0x%016lx-0x%016lx %7ld", l->start, l->start + l->size, (long)l->size);
		if (l->caller) {
			if (symbolize(l->caller, sym, sizeof(sym)))
				snprintf(sym, sizeof(sym), "0x%lx", (unsigned long)l->caller);
			fprintf(out, " %s", sym);
		}
		if (l->nr_pages)
			fprintf(out, " pages=%u", l->nr_pages);
		if (l->flags & VM_IOREMAP)
			fputs(" ioremap", out);
		if (l->flags & VM_ALLOC)
			fputs(" vmalloc", out);
		if (l->flags & VM_MAP)
			fputs(" vmap", out);
		if (l->flags & VM_USERMAP)
			fputs(" user", out);
		for (int nid = 0; nid < MAX_NUMNODES; nid++)
			if (l->nodes[nid])
				fprintf(out, " N%d=%u", nid, l->nodes[nid]);
		fputc('\n', out);
	}
out:
	free(ic.lines);
	free(ic.counts);
}
