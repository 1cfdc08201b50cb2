// SPDX-License-Identifier: MIT
/*
 * stress/jobs/kmalloc_mix.c - kmalloc-mix: kmalloc, kzalloc, kcalloc,
 * kmalloc_array, kmalloc_node and kzalloc_node with a realistic size mix
 * (70% 8-256 B, most of the rest up to 4 KiB, 6% up to 64 KiB, 1% up to
 * 1 MiB), GFP_KERNEL and GFP_ATOMIC (sometimes with interrupts off).
 * ksize() must be at least the size asked for, __GFP_ZERO memory zero;
 * krealloc() growing, shrinking and within ksize() (in place) must keep
 * the content; objects are held, freed, handed to another CPU; and the
 * edges: kmalloc(0) is ZERO_SIZE_PTR, kfree(NULL), too large fails
 * quietly, krealloc(NULL, n) allocates, krealloc(p, 0) frees.
 */
#include "slab.h"

#define KMIX_MAX	(1U << 20)

/* Many small, some up to a page, rare large. */
size_t kmalloc_mix_size(uint64_t x)
{
	unsigned int p = (unsigned int)(x % 100);

	x >>= 8;
	if (p < 70)
		return 8 + x % 249;				/* 8..256 */
	if (p < 76)
		return 257 + x % 255;				/* 257..511 */
	if (p < 93)
		return 512 + x % 3585;				/* 512..4096 */
	if (p < 99)
		return 4097 + x % (65536 - 4096);		/* ..64 KiB */
	return 65537 + x % (KMIX_MAX - 65536);			/* ..1 MiB */
}

static int zero_bad(struct cpu_ctx *c, const unsigned char *p, size_t size, const char *how)
{
	size_t step = size <= 4096 ? 1 : 64;

	for (size_t off = 0; off < size; off += step)
		if (p[off]) {
			cpu_violation(c, "kzalloc", "%s(%zu) returned %p, not zeroed at +%#zx: %02x",
				      how, size, (const void *)p, off, p[off]);
			return 1;
		}
	return 0;
}

/* A new object's first check: ksize(). */
static int ksize_bad(struct cpu_ctx *c, void *p, size_t size, const char *how)
{
	size_t ks = ksize(p);

	if (ks < size) {
		cpu_violation(c, "ksize", "%s(%zu) returned %p with ksize() %zu", how, size, p, ks);
		return 1;
	}
	return 0;
}

/* The ways of kmalloc-mix (how): 0-3 kmalloc, 4-5 kzalloc, 6 kcalloc,
 * 7 kmalloc_array, 8 kmalloc_node, 9 kzalloc_node; n elements of elem bytes. */
static const char *const kmix_name[10] = {
	"kmalloc", "kmalloc", "kmalloc", "kmalloc", "kzalloc", "kzalloc", "kcalloc",
	"kmalloc_array", "kmalloc_node", "kzalloc_node",
};

static void *kmix_call(unsigned int how, size_t n, size_t elem, gfp_t gfp, int node)
{
	if (how < 4)
		return kmalloc(n * elem, gfp);
	if (how < 6)
		return kzalloc(n * elem, gfp);
	if (how == 6)
		return kcalloc(n, elem, gfp);
	if (how == 7)
		return kmalloc_array(n, elem, gfp);
	if (how == 8)
		return kmalloc_node(n * elem, gfp, node);
	return kzalloc_node(n * elem, gfp, node);
}

/* A new kmalloc-mix object held (or sent) by c, drawn from r and r2. */
static int kmix_alloc(struct cpu_ctx *c, struct slab_cpu *s, uint64_t r, uint64_t r2,
		      size_t min_size, struct held_obj *o)
{
	static const size_t elems[] = { 8, 16, 24, 40, 64, 96, 128, 4 };
	unsigned int how = (unsigned int)((r >> 8) % 10), nodes = num_online_nodes();
	enum gfp_kind kind = (r >> 12) % 5 == 0 ? GK_ATOMIC : GK_KERNEL;
	int irqoff = kind == GK_ATOMIC && ((r >> 15) & 1);
	int zeroed = how == 4 || how == 5 || how == 6 || how == 9;
	size_t size = max(kmalloc_mix_size(r2), min_size), elem = 1;
	int node = (int)((c->node + 1 + (r >> 20) % max(nodes - 1, 1U)) % nodes);
	unsigned long flags = 0;
	void *p;

	if (how == 6 || how == 7) {	/* arrays: a whole number of elements */
		elem = elems[(r >> 16) % ARRAY_SIZE(elems)];
		size = DIV_ROUND_UP(size, elem) * elem;
	}
	if (irqoff)
		local_irq_save(flags);
	fail_mark(c);
	p = kmix_call(how, size / elem, elem, gfp_kind_mask[kind] | __GFP_NOWARN, node);
	if (irqoff)
		local_irq_restore(flags);
	if (!p) {
		count_failure(c, kind, size_order(size));
		return -1;
	}
	fail_check(c, 0, 1);
	if (how >= 8 && node != c->node)
		s->cnt[SC_ALLOC_NODE_REMOTE]++;
	if (ksize_bad(c, p, size, kmix_name[how]) ||
	    (zeroed && zero_bad(c, p, size, kmix_name[how]))) {
		kfree(p);
		return -1;
	}
	return obj_take(c, p, NULL, size, 1 + (r2 >> 40) % 1000, o);
}

static void kmix_krealloc(struct cpu_ctx *c, struct slab_cpu *s, int i, uint64_t r)
{
	struct held_obj *o = &s->objs[i];
	size_t old = o->size, ks = ksize(o->p), want, ks2;
	enum gfp_kind kind = (r >> 2) % 4 == 0 ? GK_ATOMIC : GK_KERNEL;
	char when[96];
	void *p;

	switch (r % 4) {
	case 0:		/* shrink */
		want = 8 + (r >> 8) % (old - 7);
		break;
	case 1:		/* grow */
		want = min(old + 1 + (r >> 8) % (3 * old), (size_t)KMIX_MAX);
		break;
	case 2:		/* within what ksize() says is there: in place */
		want = ks > old ? old + 1 + (r >> 8) % (ks - old) : old;
		break;
	default:
		want = kmalloc_mix_size(r >> 8);
		break;
	}
	if (held_obj_verify(c, o, "before krealloc()"))
		return;
	fail_mark(c);
	p = krealloc(o->p, want, gfp_kind_mask[kind] | __GFP_NOWARN);
	if (!p) {
		count_failure(c, kind, size_order(want));
		held_obj_verify(c, o, "after a failed krealloc()");
		return;
	}
	s->cnt[SC_KREALLOC]++;
	if (p != o->p)
		s->cnt[SC_KREALLOC_MOVED]++;
	if (want <= ks && p != o->p)
		cpu_violation(c, "krealloc", "krealloc(%p, %zu) moved the object to %p although its ksize() is %zu",
			      o->p, want, p, ks);
	ks2 = ksize(p);
	if (ks2 < want)
		cpu_violation(c, "ksize", "krealloc(%p, %zu) returned %p with ksize() %zu", o->p, want,
			      p, ks2);
	snprintf(when, sizeof(when), "after krealloc() from %zu to %zu bytes", old, want);
	kmalloc_obj_verify(c, p, old, min(old, want), o->tag, when);
	o->p = p;
	o->size = (uint32_t)want;
	kmalloc_obj_fill(p, want, o->tag);
}

/* kmalloc(size) must fail quietly. */
static void kmix_too_large(struct cpu_ctx *c, void *p, const char *what)
{
	if (p) {
		cpu_violation(c, "kmalloc", "%s did not fail: %p", what, p);
		kfree(p);
	}
}

/* What kmalloc must do at its edges (and print nothing). */
static void kmix_edges(struct cpu_ctx *c, struct slab_cpu *s, uint64_t r, uint64_t r2)
{
	struct held_obj o;
	size_t size;
	void *p;
	int i;

	switch (r2 % 6) {
	case 0:
		p = kmalloc(0, GFP_KERNEL);
		if (p != ZERO_SIZE_PTR)
			cpu_violation(c, "kmalloc", "kmalloc(0) returned %p, not ZERO_SIZE_PTR", p);
		kfree(p);
		break;
	case 1:
		kfree(NULL);
		kfree(ZERO_SIZE_PTR);
		break;
	case 2:
		kmix_too_large(c, kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL | __GFP_NOWARN),
			       "kmalloc_array(SIZE_MAX / 2, 4)");
		break;
	case 3:
		kmix_too_large(c, kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN),
			       "kmalloc(KMALLOC_MAX_SIZE + 1)");
		break;
	case 4:		/* krealloc(NULL, n) is kmalloc(n) */
		size = kmalloc_mix_size(r >> 16);
		fail_mark(c);
		p = krealloc(NULL, size, GFP_KERNEL | __GFP_NOWARN);
		if (!p) {
			count_failure(c, GK_KERNEL, size_order(size));
			break;
		}
		if (ksize_bad(c, p, size, "krealloc(NULL, ...)") ||
		    obj_take(c, p, NULL, size, 1 + (r >> 40) % 1000, &o)) {
			kfree(p);
			break;
		}
		if (obj_hold(s, &o))
			obj_release(c, &o, "before freeing it");
		break;
	default:	/* krealloc(p, 0) frees p */
		i = obj_pick(c, s, r, NULL, 0);
		if (i < 0)
			break;
		o = obj_unhold(s, i);
		held_obj_verify(c, &o, "before krealloc() to 0 bytes");
		p = krealloc(o.p, 0, GFP_KERNEL);
		if (p != ZERO_SIZE_PTR)
			cpu_violation(c, "krealloc", "krealloc(%p, 0) returned %p, not ZERO_SIZE_PTR",
				      o.p, p);
		break;
	}
}

static int kmalloc_mix_op(struct cpu_ctx *c, void *state, const uint64_t r[3])
{
	struct slab_cpu *s = state;
	unsigned int action = r[0] % 20;
	struct held_obj o;
	int i;

	obj_expire(c, s, 2);
	if (action < 9) {
		if (!kmix_alloc(c, s, r[0], r[1], 8, &o) && obj_hold(s, &o))
			obj_release(c, &o, "before freeing it");
	} else if (action < 12) {
		i = obj_pick(c, s, r[1], NULL, 0);
		if (i >= 0)
			obj_free(c, s, i, "before freeing it");
	} else if (action < 15) {
		i = obj_pick(c, s, r[1], NULL, 0);
		if (i >= 0)
			kmix_krealloc(c, s, i, r[2]);
	} else if (action < 17) {
		/* one held (or a new one) to another CPU, which kfree()s it */
		i = obj_pick(c, s, r[1], NULL, OBJ_HDR);
		if (i >= 0) {
			o = obj_unhold(s, i);
		} else if (kmix_alloc(c, s, r[0], r[1], OBJ_HDR, &o)) {
			return 0;
		}
		obj_send(c, s, &o, r[2]);
	} else if (action < 19) {
		if (s->nobjs)
			held_obj_verify(c, &s->objs[r[1] % (unsigned int)s->nobjs], "at a random check");
	} else {
		kmix_edges(c, s, r[2], r[1]);
	}
	return 0;
}

const struct stress_job kmalloc_mix_job = {
	.name = "kmalloc-mix", .default_weight = 6, .family = &slab_family, .op = kmalloc_mix_op,
	.what = "kmalloc/kzalloc/kcalloc/kmalloc_node of 8 B to 1 MiB, GFP_KERNEL/GFP_ATOMIC; krealloc keeps content; ksize",
};
