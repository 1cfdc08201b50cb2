// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_slub_check.c - SLUB's side of mm_check() (mm/slub_check.c)
 * and what SLUB shows (mm/slub_sysfs.c): /proc/slabinfo's line and the
 * sysfs attributes of a cache, kmem_cache_stats().
 *
 * Each corruption slub_check() claims to find is made here, in test-only
 * code, with no CPU but the test's own running (it is CPU 0; CPU 1 has no
 * thread): a cycle and an out-of-range pointer in a slab's freelist, inuse
 * off by one, nr_partial and nr_slabs wrong, a partial slab taken off its
 * list, a frozen slab on two CPUs and on a node list, a CPU partial list's
 * page count, NR_SLAB_* off by a page, a SLAB_STORE_USER full slab off the
 * full list.  Each is reported with its message, then repaired, so that
 * mm_check() passes again and shutdown is clean.
 *
 * The states are v4.19's (see the notes of issue 17): 2 CPUs give
 * min_objects 4 * (fls(2) + 1) = 12, so a 64-byte cache has order-0 slabs
 * of 64 objects, a 1024-byte one order-2 slabs of 16 (slab_order(): 12 x
 * 1024 needs order 2, which leaves nothing over); cpu_partial is 30 below
 * 256 bytes and 6 from 1024; min_partial is 5 below 4096.  A free to a
 * full slab that is no CPU's freezes it onto the freeing CPU's partial
 * list; kmem_cache_shrink() flushes the CPU slab and the CPU partials to
 * the node partial list.
 */
#include "../testutil.h"
#include "../../mm/slub.h"

#include <errno.h>

#define BOOT		"slab=slub slab_nomerge mem=64M nodes=1 cpus=2"

/* Boot with SLUB, or skip where this tree has no SLUB yet. */
static void boot_slub(void)
{
	if (slab_allocator_by_name("slub") == -ENOSYS)
		skip();
	boot_attach(BOOT);
}

static struct page *slab_of(const void *obj)
{
	struct page *page = slab_head_page(virt_to_page(obj));

	assert_non_null(page);
	return page;
}

/* A free object's free pointer, which the core may keep ASan-poisoned
 * (as it reads it: unchecked). */
__attribute__((no_sanitize_address))
static void *fp_get(struct kmem_cache *s, void *object)
{
	return *(void **)((char *)object + s->offset);
}

__attribute__((no_sanitize_address))
static void fp_set(struct kmem_cache *s, void *object, void *fp)
{
	*(void **)((char *)object + s->offset) = fp;
}

/* mm_check() must fail with want (and every line of also) in its report. */
static void expect_violation(const char *want, const char *also)
{
	const char *why = mm_check_failed();

	if (!why)
		fail_msg("mm_check() found nothing; expected \"%s\"", want);
	assert_contains(why, want);
	if (also)
		assert_contains(why, also);
}

static char msg[256], msg2[256];

/*
 * A 64-byte cache with two slabs: A full but for 5 objects freed, B with
 * 10 of 64 out.  Before the shrink, A is on CPU 0's partial list (frozen)
 * and B is CPU 0's slab; after it (shrink = 1) both are on node 0's
 * partial list.
 */
struct scene {
	struct kmem_cache *s;
	void *obj[74];
	struct page *a, *b;
};

static void scene_setup(struct scene *sc, int shrink)
{
	sc->s = kmem_cache_create("chk64", 64, 0, 0, NULL);
	assert_non_null(sc->s);
	EXPECT_EQ("64-byte slab", oo_objects(sc->s->oo), 64);
	EXPECT_EQ("64-byte slab", oo_order(sc->s->oo), 0);
	for (int i = 0; i < 74; i++) {
		sc->obj[i] = kmem_cache_alloc(sc->s, GFP_KERNEL);
		assert_non_null(sc->obj[i]);
	}
	sc->a = slab_of(sc->obj[0]);
	sc->b = slab_of(sc->obj[73]);
	assert_ptr_not_equal(sc->a, sc->b);
	for (int i = 0; i < 5; i++)
		kmem_cache_free(sc->s, sc->obj[i]);
	assert_ptr_equal(sc->s->cpu_slab[0].page, sc->b);
	assert_ptr_equal(sc->s->cpu_slab[0].partial, sc->a);
	assert_true(sc->a->frozen);
	assert_mm_check_ok();
	if (shrink) {
		kmem_cache_shrink(sc->s);
		assert_null(sc->s->cpu_slab[0].page);
		assert_null(sc->s->cpu_slab[0].partial);
		EXPECT_EQ("after shrink", sc->s->node[0]->nr_partial, 2);
		assert_false(sc->a->frozen);
		assert_mm_check_ok();
	}
}

static void scene_teardown(struct scene *sc)
{
	assert_mm_check_ok();
	for (int i = 5; i < 74; i++)
		kmem_cache_free(sc->s, sc->obj[i]);
	kmem_cache_destroy(sc->s);
	check_shutdown();
}

/* -------------------------------------------------------------- clean */

static void test_clean_states(void **state)
{
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 1);
	/* an allocation takes A from the node list (B onto the CPU partial
	 * list: 5 free objects are not more than cpu_partial / 2) */
	sc.obj[0] = kmem_cache_alloc(sc.s, GFP_KERNEL);
	assert_non_null(sc.obj[0]);
	assert_mm_check_ok();
	kmem_cache_free(sc.s, sc.obj[0]);
	scene_teardown(&sc);
}

/* ---------------------------------------------------------- freelists */

static void test_freelist_cycle(void **state)
{
	struct scene sc;
	void *f0, *f1, *f2;

	(void)state;
	boot_slub();
	scene_setup(&sc, 1);
	f0 = sc.a->freelist;
	f1 = fp_get(sc.s, f0);
	f2 = fp_get(sc.s, f1);
	assert_non_null(f2);
	fp_set(sc.s, f1, f0);		/* f0 -> f1 -> f0 -> ... */
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chk64 node 0 partial list: slab pfn %#lx freelist entry 2 is %p, already free (a cycle or a double free)",
		 page_to_pfn(sc.a), f0);
	expect_violation(msg, NULL);
	fp_set(sc.s, f1, f2);
	scene_teardown(&sc);
}

static void test_freelist_out_of_range(void **state)
{
	struct scene sc;
	char *base, *bad;
	void *f0, *f1;

	(void)state;
	boot_slub();
	scene_setup(&sc, 1);
	base = page_address(sc.a);
	f0 = sc.a->freelist;
	f1 = fp_get(sc.s, f0);
	/* inside the slab but not at a slot start */
	bad = base + 64 + 8;
	fp_set(sc.s, f0, bad);
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chk64 node 0 partial list: slab pfn %#lx freelist entry 1 is %p, not an object of the slab (%p-%p, size 64)",
		 page_to_pfn(sc.a), (void *)bad, (void *)base, (void *)(base + 4096));
	expect_violation(msg, NULL);
	/* past the slab: B's first object */
	fp_set(sc.s, f0, page_address(sc.b));
	snprintf(msg, sizeof(msg), "freelist entry 1 is %p, not an object of the slab",
		 page_address(sc.b));
	expect_violation(msg, NULL);
	fp_set(sc.s, f0, f1);
	scene_teardown(&sc);
}

/* ------------------------------------------------------------- counts */

static void test_inuse_off_by_one(void **state)
{
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 1);
	sc.a->inuse++;
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chk64 node 0 partial list: slab pfn %#lx inuse 60, but 64 objects less 5 on its freelist is 59",
		 page_to_pfn(sc.a));
	expect_violation(msg, NULL);
	sc.a->inuse--;
	scene_teardown(&sc);
}

static void test_nr_partial_wrong(void **state)
{
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 1);
	sc.s->node[0]->nr_partial++;
	expect_violation("mm_check: slab: chk64 node 0: nr_partial is 3 but the partial list holds 2",
			 NULL);
	sc.s->node[0]->nr_partial--;
	scene_teardown(&sc);
}

/* A partial slab off its list: unlisted but not full. */
static void test_partial_slab_lost(void **state)
{
	struct kmem_cache_node *n;
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 1);
	n = sc.s->node[0];
	cds_list_del(&sc.a->lru);
	n->nr_partial--;
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chk64: slab pfn %#lx is on no list and no cpu but not full: not frozen, inuse 59 of 64, freelist %p",
		 page_to_pfn(sc.a), sc.a->freelist);
	expect_violation(msg, NULL);
	cds_list_add(&sc.a->lru, &n->partial);
	n->nr_partial++;
	scene_teardown(&sc);
}

static void test_nr_slabs_wrong(void **state)
{
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 1);
	__atomic_fetch_add(&sc.s->node[0]->nr_slabs, 1, __ATOMIC_RELAXED);
	expect_violation("mm_check: slab: chk64 node 0: nr_slabs is 3 but the memmap holds 2 slabs (0 waiting for RCU)",
			 NULL);
	__atomic_fetch_sub(&sc.s->node[0]->nr_slabs, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sc.s->node[0]->total_objects, 1, __ATOMIC_RELAXED);
	expect_violation("mm_check: slab: chk64 node 0: total_objects is 129 but its 2 slabs have 128 (0 waiting for RCU)",
			 NULL);
	__atomic_fetch_sub(&sc.s->node[0]->total_objects, 1, __ATOMIC_RELAXED);
	scene_teardown(&sc);
}

static void test_nr_slab_pages_off(void **state)
{
	unsigned long irqflags, counted;
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 1);
	counted = global_node_page_state(NR_SLAB_RECLAIMABLE) +
		  global_node_page_state(NR_SLAB_UNRECLAIMABLE);
	local_irq_save(irqflags);
	__mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, 1);
	local_irq_restore(irqflags);
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: the caches hold %lu slab pages but NR_SLAB_* count %lu", counted,
		 counted + 1);
	expect_violation(msg, NULL);
	local_irq_save(irqflags);
	__mod_node_page_state(NODE_DATA(0), NR_SLAB_UNRECLAIMABLE, -1);
	local_irq_restore(irqflags);
	/* and a cache's own count */
	__atomic_fetch_add(&sc.s->nr_pages, 1, __ATOMIC_RELAXED);
	expect_violation("mm_check: slab: chk64: nr_pages is 3 but its slabs hold 2 pages (0 waiting for RCU)",
			 "NR_SLAB_* count");
	__atomic_fetch_sub(&sc.s->nr_pages, 1, __ATOMIC_RELAXED);
	scene_teardown(&sc);
}

/* ------------------------------------------------------------ owners */

static void test_frozen_on_two_cpus(void **state)
{
	struct kmem_cache_cpu *c0, *c1;
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 0);
	c0 = &sc.s->cpu_slab[0];
	c1 = &sc.s->cpu_slab[1];
	assert_null(c1->page);
	c1->page = c0->page;
	snprintf(msg, sizeof(msg), "mm_check: slab: chk64: slab pfn %#lx is held twice: on the cpu ",
		 page_to_pfn(sc.b));
	expect_violation(msg, "cpu 1 slab");
	c1->page = NULL;
	/* a CPU slab on another CPU's partial list */
	c1->partial = sc.b;
	sc.b->next = NULL;
	sc.b->pages = 1;
	sc.b->pobjects = 0;
	expect_violation(msg, "cpu 1 partial list");
	c1->partial = NULL;
	scene_teardown(&sc);
}

static void test_frozen_on_node_list(void **state)
{
	struct kmem_cache_node *n;
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 0);
	n = sc.s->node[0];
	assert_int_equal(n->nr_partial, 0);
	/* B, CPU 0's slab, also on the node's partial list */
	cds_list_add(&sc.b->lru, &n->partial);
	n->nr_partial++;
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chk64 node 0 partial list: slab pfn %#lx is frozen",
		 page_to_pfn(sc.b));
	snprintf(msg2, sizeof(msg2), "mm_check: slab: chk64: slab pfn %#lx is held twice",
		 page_to_pfn(sc.b));
	expect_violation(msg, msg2);
	cds_list_del(&sc.b->lru);
	n->nr_partial--;
	scene_teardown(&sc);
}

static void test_cpu_partial_pages_wrong(void **state)
{
	struct scene sc;

	(void)state;
	boot_slub();
	scene_setup(&sc, 0);
	/* A joined CPU 0's partial list alone: pages 1; its pobjects is the
	 * snapshot taken then (1 free object) */
	EXPECT_EQ("cpu partial", sc.a->pages, 1);
	EXPECT_EQ("cpu partial", sc.a->pobjects, 1);
	sc.a->pages = 2;
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chk64 cpu 0: partial slab pfn %#lx (#1 of 1) says pages 2, not 1",
		 page_to_pfn(sc.a));
	expect_violation(msg, NULL);
	sc.a->pages = 1;
	sc.a->pobjects = 65;
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chk64 cpu 0: partial slab pfn %#lx (#1 of 1) says pobjects 65, the next 0 (at most 64 more)",
		 page_to_pfn(sc.a));
	expect_violation(msg, NULL);
	sc.a->pobjects = 1;
	/* the CPU slab unfrozen */
	sc.b->frozen = 0;
	snprintf(msg, sizeof(msg), "mm_check: slab: chk64 cpu 0 slab: slab pfn %#lx is not frozen",
		 page_to_pfn(sc.b));
	expect_violation(msg, NULL);
	sc.b->frozen = 1;
	scene_teardown(&sc);
}

/* The CPU slab's two freelists share no object. */
static void test_cpu_freelist_overlap(void **state)
{
	struct kmem_cache_cpu *c;
	struct scene sc;
	void *head;

	(void)state;
	boot_slub();
	scene_setup(&sc, 0);
	c = &sc.s->cpu_slab[0];
	assert_null(sc.b->freelist);
	head = c->freelist;
	assert_non_null(head);
	/* the CPU's next free object also on the slab's freelist */
	sc.b->freelist = fp_get(sc.s, head);
	sc.b->inuse--;
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chk64 cpu 0 slab: slab pfn %#lx cpu freelist entry 1 is %p, already free",
		 page_to_pfn(sc.b), fp_get(sc.s, head));
	/* (the object's own free pointer is the rest of the CPU's list) */
	expect_violation(msg, NULL);
	sc.b->freelist = NULL;
	sc.b->inuse++;
	scene_teardown(&sc);
}

/* SLAB_STORE_USER: full slabs are on the node's full list. */
static void test_store_user_full_list(void **state)
{
	struct kmem_cache_node *n;
	struct kmem_cache *s;
	const char *why, *out;
	unsigned char was;
	struct page *full;
	void *obj[40];
	unsigned int per;

	(void)state;
	boot_slub();
	/* slub_debug=FZPU's flags, asked for by the creator */
	s = kmem_cache_create("chkdbg", 64, 0, SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE |
			      SLAB_POISON | SLAB_STORE_USER, NULL);
	assert_non_null(s);
	assert_true(s->flags & SLAB_STORE_USER);
	per = oo_objects(s->oo);
	assert_true(per < 40);
	for (unsigned int i = 0; i < 40; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(obj[i]);
	}
	assert_mm_check_ok();
	n = s->node[0];
	full = slab_of(obj[0]);
	assert_ptr_equal(n->full.next, &full->lru);
	cds_list_del(&full->lru);
	snprintf(msg, sizeof(msg),
		 "mm_check: slab: chkdbg: full slab pfn %#lx is on no list (SLAB_STORE_USER: the full list)",
		 page_to_pfn(full));
	expect_violation(msg, NULL);
	cds_list_add(&full->lru, &n->full);

	/* v4.19's validate: a live object's right red zone overwritten is
	 * reported by slub_debug's check_object() and restored, and counted
	 * here (where check_object() is still a stand-in that sees nothing,
	 * nothing is reported: the byte is put back by hand) */
	was = ((unsigned char *)obj[5])[64];
	((unsigned char *)obj[5])[64] = 0x42;
	capture_begin();
	why = mm_check_failed();
	out = capture_end();
	if (strstr(out, "Redzone overwritten")) {
		snprintf(msg, sizeof(msg),
			 "mm_check: slab: chkdbg: slab pfn %#lx: allocated object %p fails check_object() (slub_debug reported it)",
			 page_to_pfn(full), obj[5]);
		if (!why)
			fail_msg("mm_check() found nothing; expected \"%s\"", msg);
		assert_contains(why, msg);
	} else {
		assert_null(why);
		((unsigned char *)obj[5])[64] = was;
	}
	assert_mm_check_ok();
	for (unsigned int i = 0; i < 40; i++)
		kmem_cache_free(s, obj[i]);
	assert_mm_check_ok();
	kmem_cache_destroy(s);
	check_shutdown();
}

/* A TYPESAFE_BY_RCU slab waiting for its grace period is no violation
 * (off the lists and nr_slabs, in rcu_slabs); one more empty unlisted
 * slab than rcu_slabs counts is. */
static void test_rcu_pending_slab(void **state)
{
	struct kmem_cache *s;
	void *obj[64] = { NULL };
	struct page *page;
	unsigned int per;

	(void)state;
	boot_slub();
	s = kmem_cache_create("chkrcu", 64, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_non_null(s);
	/* the free pointer after the object: 72-byte slots, 56 a slab */
	per = oo_objects(s->oo);
	EXPECT_EQ("rcu slots", s->size, 72);
	EXPECT_EQ("rcu slab", per, 56);
	for (unsigned int i = 0; i < per; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(obj[i]);
	}
	page = slab_of(obj[0]);
	for (unsigned int i = 0; i < per; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_shrink(s);
	/* nothing may run the callbacks meanwhile: the test is the only CPU
	 * and comes to no safe point */
	assert_true(PageSlab(page));
	EXPECT_EQ("rcu_slabs", __atomic_load_n(&s->rcu_slabs, __ATOMIC_RELAXED), 1);
	assert_mm_check_ok();
	__atomic_fetch_sub(&s->rcu_slabs, 1, __ATOMIC_RELAXED);
	expect_violation("mm_check: slab: chkrcu: 1 empty slab on no list, but only 0 wait for RCU",
			 NULL);
	__atomic_fetch_add(&s->rcu_slabs, 1, __ATOMIC_RELAXED);
	rcu_barrier();
	assert_false(PageSlab(page) && page->slab_cache == s);
	EXPECT_EQ("rcu_slabs", __atomic_load_n(&s->rcu_slabs, __ATOMIC_RELAXED), 0);
	kmem_cache_destroy(s);
	check_shutdown();
}

/* ------------------------------------------------- slabinfo and sysfs */

static void expect_attr(const char *cache, const char *attr, const char *want)
{
	char name[128], *text;

	snprintf(name, sizeof(name), "slab/%s/%s", cache, attr);
	text = proc_text(name);
	if (strcmp(text, want))
		fail_msg("%s is \"%s\", expected \"%s\"", name, text, want);
	free(text);
}

/* The line of cache name in /proc/slabinfo (its text up to the newline). */
static void expect_slabinfo(const char *name, const char *want)
{
	char *text = proc_text("slabinfo"), *line = text;
	size_t len = strlen(name);

	assert_true(!strncmp(text, "slabinfo - version: 2.1\n", 24));
	while (line && (strncmp(line, name, len) || line[len] != ' '))
		line = (line = strchr(line, '\n')) ? line + 1 : NULL;
	if (!line)
		fail_msg("no line of %s in:\n%s", name, text);
	*strchrnul(line, '\n') = '\0';
	if (strcmp(line, want))
		fail_msg("slabinfo line\n\"%s\", expected\n\"%s\"", line, want);
	free(text);
}

static void test_slabinfo_and_sysfs(void **state)
{
	struct kmem_cache_stats st;
	struct kmem_cache *s;
	unsigned long slabs;
	void *obj[20];

	(void)state;
	boot_slub();
	s = kmem_cache_create("chk1024", 1024, 0, 0, NULL);
	assert_non_null(s);
	for (int i = 0; i < 20; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(obj[i]);
	}
	/* 20 objects: a full slab on no list and the CPU slab with 4 out;
	 * the CPU slab's 12 free objects count as active */
	expect_slabinfo("chk1024", "chk1024               32     32   1024   16    4 : tunables    0    0    0 : slabdata      2      2      0");
	expect_attr("chk1024", "order", "2\n");
	expect_attr("chk1024", "objs_per_slab", "16\n");
	expect_attr("chk1024", "slabs", "2 N0=2\n");
	expect_attr("chk1024", "objects", "32 N0=32\n");
	expect_attr("chk1024", "total_objects", "32 N0=32\n");
	expect_attr("chk1024", "partial", "0\n");
	expect_attr("chk1024", "cpu_slabs", "1 N0=1\n");
	expect_attr("chk1024", "object_size", "1024\n");
	expect_attr("chk1024", "slab_size", "1024\n");
	expect_attr("chk1024", "align", "8\n");
	expect_attr("chk1024", "min_partial", "5\n");
	expect_attr("chk1024", "cpu_partial", "6\n");
	expect_attr("chk1024", "aliases", "0\n");
	expect_attr("chk1024", "ctor", "");
	expect_attr("chk1024", "poison", "0\n");
	expect_attr("chk1024", "red_zone", "0\n");
	expect_attr("chk1024", "store_user", "0\n");
	expect_attr("chk1024", "sanity_checks", "0\n");
	expect_attr("chk1024", "reclaim_account", "0\n");
	expect_attr("chk1024", "slabs_cpu_partial", "0(0)\n");
	assert_int_equal(slub_sysfs_show(s, "no_such_attribute", stdout), -ENOENT);

	/* freed into the full slab: it goes to CPU 0's partial list */
	kmem_cache_free(s, obj[0]);
	expect_attr("chk1024", "cpu_slabs", "2 N0=2\n");
	expect_attr("chk1024", "slabs_cpu_partial", "1(1) C0=1(1)\n");
	kmem_cache_free(s, obj[1]);

	/* the shrink sends both to the node: the free objects there are
	 * no longer active */
	kmem_cache_shrink(s);
	expect_slabinfo("chk1024", "chk1024               18     32   1024   16    4 : tunables    0    0    0 : slabdata      2      2      0");
	expect_attr("chk1024", "partial", "2 N0=2\n");
	expect_attr("chk1024", "objects", "18 N0=18\n");
	expect_attr("chk1024", "objects_partial", "18 N0=18\n");
	expect_attr("chk1024", "cpu_slabs", "0\n");
	assert_int_equal(slub_live_objects(s, &slabs), 18);
	EXPECT_EQ("slabs with objects", slabs, 2);

	kmem_cache_stats(s, &st);
	EXPECT_EQ("stats", st.num, 16);
	EXPECT_EQ("stats", st.gfporder, 2);
	EXPECT_EQ("stats", st.nr_pages, 8);
	EXPECT_EQ("stats", st.object_size, 1024);

	/* v4.19's order table for 2 CPUs: the kmalloc caches */
	expect_attr("kmalloc-8", "order", "0\n");
	expect_attr("kmalloc-8", "objs_per_slab", "512\n");
	expect_attr("kmalloc-96", "objs_per_slab", "42\n");
	expect_attr("kmalloc-192", "objs_per_slab", "21\n");
	expect_attr("kmalloc-512", "order", "1\n");
	expect_attr("kmalloc-512", "objs_per_slab", "16\n");
	expect_attr("kmalloc-2048", "order", "3\n");
	expect_attr("kmalloc-4096", "objs_per_slab", "8\n");
	expect_attr("kmalloc-8192", "order", "3\n");
	expect_attr("kmalloc-8192", "objs_per_slab", "4\n");
	expect_attr("kmalloc-8192", "aliases", "0\n");

	for (int i = 2; i < 20; i++)
		kmem_cache_free(s, obj[i]);
	assert_mm_check_ok();
	kmem_cache_destroy(s);
	check_shutdown();
}

/* Per node: " N<node>=<count>" for each node with some (v4.19). */
static void test_sysfs_per_node(void **state)
{
	struct kmem_cache *s;
	void *obj[6];

	(void)state;
	if (slab_allocator_by_name("slub") == -ENOSYS)
		skip();
	boot_attach("slab=slub slab_nomerge mem=128M nodes=2 cpus=2");
	s = kmem_cache_create("chknuma", 1024, 0, 0, NULL);
	assert_non_null(s);
	for (int i = 0; i < 6; i++) {
		obj[i] = kmem_cache_alloc_node(s, GFP_KERNEL, i < 3 ? 0 : 1);
		assert_non_null(obj[i]);
		EXPECT_EQ("node of the object", page_to_nid(slab_of(obj[i])), i < 3 ? 0 : 1);
	}
	/* the node-0 slab was deactivated to its node's partial list (3 of
	 * 16 out) when node 1 was asked for; the node-1 slab is the CPU's */
	expect_attr("chknuma", "slabs", "2 N0=1 N1=1\n");
	expect_attr("chknuma", "partial", "1 N0=1\n");
	expect_attr("chknuma", "cpu_slabs", "1 N1=1\n");
	expect_attr("chknuma", "objects", "19 N0=3 N1=16\n");
	expect_attr("chknuma", "total_objects", "32 N0=16 N1=16\n");
	expect_slabinfo("chknuma", "chknuma               19     32   1024   16    4 : tunables    0    0    0 : slabdata      2      2      0");
	assert_mm_check_ok();
	for (int i = 0; i < 6; i++)
		kmem_cache_free(s, obj[i]);
	kmem_cache_destroy(s);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_clean_states),
		TEST(test_freelist_cycle),
		TEST(test_freelist_out_of_range),
		TEST(test_inuse_off_by_one),
		TEST(test_nr_partial_wrong),
		TEST(test_partial_slab_lost),
		TEST(test_nr_slabs_wrong),
		TEST(test_nr_slab_pages_off),
		TEST(test_frozen_on_two_cpus),
		TEST(test_frozen_on_node_list),
		TEST(test_cpu_partial_pages_wrong),
		TEST(test_cpu_freelist_overlap),
		TEST(test_store_user_full_list),
		TEST(test_rcu_pending_slab),
		TEST(test_slabinfo_and_sysfs),
		TEST(test_sysfs_per_node),
	};

	return cmocka_run_group_tests_name("slub_check", tests, NULL, NULL);
}
