// SPDX-License-Identifier: MIT
/*
 * mm/vmalloc_tree.c - vmalloc's area tree: every vmap_area, live or lazily
 * freed, keyed by va_start in a treap (a binary search tree whose random
 * priorities are kept in heap order, so its expected depth is O(log n))
 * augmented with each subtree's lowest start, highest end and largest gap
 * between two of its areas.  Rotations keep the summary a function of the
 * children alone, so the lowest hole that fits is found on one
 * root-to-leaf path (__find_hole()).  Everything here runs under
 * vmap_area_lock (mm/vmalloc.c owns the tree); nothing allocates.
 */
#include "internal.h"
#include "vmalloc.h"
#include "../numa/vmspace.h"

void va_update(struct vmap_area *va)
{
	struct vmap_area *l = va->left, *r = va->right;
	unsigned long gap = 0;

	va->sub_start = l ? l->sub_start : va->va_start;
	va->sub_end = r ? r->sub_end : va->va_end;
	if (l)
		gap = max(l->sub_gap, va->va_start - l->sub_end);
	if (r)
		gap = max(gap, max(r->sub_gap, r->sub_start - va->va_end));
	va->sub_gap = gap;
}

static struct vmap_area *rotate_right(struct vmap_area *t)
{
	struct vmap_area *l = t->left;

	t->left = l->right;
	l->right = t;
	va_update(t);
	va_update(l);
	return l;
}

static struct vmap_area *rotate_left(struct vmap_area *t)
{
	struct vmap_area *r = t->right;

	t->right = r->left;
	r->left = t;
	va_update(t);
	va_update(r);
	return r;
}

struct vmap_area *treap_insert(struct vmap_area *t, struct vmap_area *va)
{
	if (!t) {
		va->left = va->right = NULL;
		va_update(va);
		return va;
	}
	if (va->va_start < t->va_start) {
		t->left = treap_insert(t->left, va);
		if (t->left->prio > t->prio)
			return rotate_right(t);
	} else {
		t->right = treap_insert(t->right, va);
		if (t->right->prio > t->prio)
			return rotate_left(t);
	}
	va_update(t);
	return t;
}

/* Every key of a below every key of b. */
static struct vmap_area *treap_join(struct vmap_area *a, struct vmap_area *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (a->prio > b->prio) {
		a->right = treap_join(a->right, b);
		va_update(a);
		return a;
	}
	b->left = treap_join(a, b->left);
	va_update(b);
	return b;
}

struct vmap_area *treap_erase(struct vmap_area *t, struct vmap_area *va)
{
	if (t == va)
		return treap_join(va->left, va->right);
	if (va->va_start < t->va_start)
		t->left = treap_erase(t->left, va);
	else
		t->right = treap_erase(t->right, va);
	va_update(t);
	return t;
}

/* The area holding addr, live or not. */
struct vmap_area *__find_vmap_area(unsigned long addr)
{
	struct vmap_area *t = vmap_root;

	while (t) {
		if (addr < t->va_start)
			t = t->left;
		else if (addr >= t->va_end)
			t = t->right;
		else
			return t;
	}
	return NULL;
}

/* [lo, hi) holds size bytes at an align boundary: the address in *addr. */
static int hole_fits(unsigned long lo, unsigned long hi, unsigned long size,
		     unsigned long align, unsigned long *addr)
{
	unsigned long a = (lo + align - 1) & ~(align - 1);

	if (a < lo || a > hi || hi - a < size)
		return 0;
	*addr = a;
	return 1;
}

/*
 * The lowest hole of the vmalloc area for size bytes at align: one path
 * down the tree.  A subtree is entered only if its leading gap fits or its
 * largest gap is at least size + align - PAGE_SIZE (then some gap of it
 * fits whatever its alignment); otherwise it is stepped over whole.
 */
int __find_hole(unsigned long size, unsigned long align, unsigned long *addr)
{
	unsigned long lo = (unsigned long)vmspace.vmalloc_start;
	unsigned long need = size + align - PAGE_SIZE;
	struct vmap_area *t = vmap_root;

	while (t) {
		struct vmap_area *l = t->left;

		if (l) {
			if (hole_fits(lo, l->sub_start, size, align, addr))
				return 1;
			if (l->sub_gap >= need) {
				t = l;
				continue;
			}
			lo = l->sub_end;
		}
		if (hole_fits(lo, t->va_start, size, align, addr))
			return 1;
		lo = t->va_end;
		t = t->right;
	}
	return hole_fits(lo, (unsigned long)vmspace.vmalloc_end, size, align, addr);
}

/* xorshift64: the treap's priorities (vmap_area_lock) */
uint64_t treap_seed;

uint32_t __treap_prio(void)
{
	treap_seed ^= treap_seed << 13;
	treap_seed ^= treap_seed >> 7;
	treap_seed ^= treap_seed << 17;
	return (uint32_t)(treap_seed >> 32);
}

