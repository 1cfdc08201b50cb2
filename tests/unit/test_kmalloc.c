// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_kmalloc.c - kmalloc and friends against Linux v4.19
 * (mm/slab_common.c, include/linux/slab.h): size classes and ksize(),
 * ZERO_SIZE_PTR, kmalloc_array/kcalloc, krealloc, the dma-kmalloc caches,
 * kmalloc_node, the kmalloc caches' geometry in /proc/slabinfo, and kfree()
 * misuse refused with the state intact, with and without slab_debug.
 */
#include "../testutil.h"
#include "../../mm/slab.h"

#include <stdint.h>

/*
 * Under slab=slub and slab=slob (MMSIM_TEST_SLAB, tests/testutil.h) the
 * expectations that differ in v4.19 are per allocator: ksize() and the
 * classes, the caches' geometry and order in /proc/slabinfo (absent under
 * SLOB), the debugging boot option.
 */

#define BOOT_UP		"mem=64M nodes=1 cpus=1"

static const char *cache_name_of(const void *p)
{
	struct kmem_cache *c = virt_to_cache(p);

	assert_non_null(c);
	return kmem_cache_name(c);
}

/*
 * What ksize(kmalloc(size)) is, per allocator (v4.19):
 *   SLAB: the class, 32 B to 4 MiB (KMALLOC_SHIFT_LOW 5), 96 and 192 too;
 *   SLUB: the class, 8 B to 8 KiB (KMALLOC_SHIFT_LOW 3); above 8 KiB
 *	   kmalloc_large(): PAGE_SIZE << get_order(size);
 *   SLOB: the request rounded up to its 2-byte units below PAGE_SIZE - 8
 *	   (the 8-byte size header not counted); from there whole pages,
 *	   PAGE_SIZE << get_order(size).
 * class_name is the kmalloc cache that serves it, NULL for page-allocator
 * blocks (SLUB's kmalloc_large, SLOB's big blocks) and for SLOB's heap.
 */
static size_t pages_for(size_t size)
{
	size_t bytes = PAGE_SIZE;

	while (bytes < size)
		bytes <<= 1;
	return bytes;
}

static size_t class_of(size_t size, const char **class_name)
{
	static char name[32];
	size_t c;

	*class_name = NULL;
	if (TEST_SLOB) {
		if (size < PAGE_SIZE - 8)
			return (size + 1) & ~(size_t)1;
		return pages_for(size);
	}
	if (TEST_SLUB && size > 8192)
		return pages_for(size);
	c = TEST_SLUB ? 8 : 32;
	while (c < size)
		c <<= 1;
	if (size > 64 && size <= 96)
		c = 96;
	if (size > 128 && size <= 192)
		c = 192;
	snprintf(name, sizeof(name), "kmalloc-%zu", c);
	*class_name = name;
	return c;
}

static void test_size_classes(void **state)
{
	static const size_t t[] = {
		1, 8, 9, 16, 17, 32, 33, 64, 65, 96, 97, 128, 129, 130, 192, 193, 256,
		257, 1024, 1025, 4087, 4088, 4096, 4097, 8192, 8193, 100000, 4 << 20,
	};
	const char *out;
	(void)state;

	boot_attach(BOOT_UP);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *name;
		size_t class = class_of(t[i], &name);
		char *p = kmalloc(t[i], GFP_KERNEL);

		if (!p)
			fail_msg("kmalloc(%zu) failed", t[i]);
		if (ksize(p) != class)
			fail_msg("ksize(kmalloc(%zu)) = %zu under slab=%s, expected %zu", t[i],
				 ksize(p), test_slab_name(), class);
		if (name)
			assert_string_equal(cache_name_of(p), name);
		assert_int_equal((unsigned long)p % 8, 0);
		assert_int_equal(page_zonenum(virt_to_page(p)) == ZONE_DMA, 0);
		memset(p, 0x77, class);			/* all of ksize() is usable */
		kfree(p);
	}
	/* more than KMALLOC_MAX_SIZE fails; quietly with __GFP_NOWARN */
	capture_begin();
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	assert_null(kmalloc(SIZE_MAX, GFP_KERNEL | __GFP_NOWARN));
	out = capture_end();
	assert_string_equal(out, "");
	capture_begin();
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	capture_end();
	assert_mm_check_ok();
	check_shutdown();
}

static void test_zero_size_and_null(void **state)
{
	unsigned long before;
	const char *out;
	(void)state;

	boot_attach(BOOT_UP);
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kcalloc(0, 8, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_true(ZERO_OR_NULL_PTR(ZERO_SIZE_PTR));
	assert_true(ZERO_OR_NULL_PTR(NULL));
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
	before = report_violations();
	capture_begin();
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	kfree(kmalloc(0, GFP_KERNEL));
	out = capture_end();
	assert_string_equal(out, "");
	assert_int_equal(report_violations(), before);
	check_shutdown();
}

static void test_array_and_calloc(void **state)
{
	unsigned char *p, *q;
	(void)state;

	boot_attach(BOOT_UP);
	/* n * size overflows: NULL, no allocation attempted */
	assert_null(kmalloc_array(SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	assert_null(kmalloc_array((size_t)1 << 40, (size_t)1 << 30, GFP_KERNEL));
	assert_null(kcalloc(SIZE_MAX, SIZE_MAX, GFP_KERNEL));
	p = kmalloc_array(10, 10, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), TEST_SLOB ? 100 : 128);
	/* kcalloc zeroes even a recycled object (the same block: LIFO under
	 * SLAB and SLUB, the same first fit under SLOB) */
	memset(p, 0xff, ksize(p));
	kfree(p);
	q = kcalloc(25, 4, GFP_KERNEL);
	assert_ptr_equal(q, p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i], 0);
	memset(q, 0xee, ksize(q));
	kfree(q);
	p = kzalloc(100, GFP_KERNEL);
	assert_ptr_equal(p, q);
	for (size_t i = 0; i < ksize(p); i++)
		assert_int_equal(p[i], 0);
	kfree(p);
	/* big ones too (SLUB and SLOB: pages of the page allocator, which
	 * need not give the same block back) */
	p = kmalloc(10000, GFP_KERNEL);
	memset(p, 0xaa, 10000);
	kfree(p);
	q = kzalloc(10000, GFP_KERNEL);
	if (TEST_SLAB)
		assert_ptr_equal(q, p);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
	check_shutdown();
}

static void test_krealloc(void **state)
{
	unsigned char *p, *q, *r;
	const char *out;
	(void)state;

	boot_attach(BOOT_UP);
	/* krealloc(NULL, n) is kmalloc(n) */
	p = krealloc(NULL, 20, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), TEST_SLOB ? 20 : 32);
	for (int i = 0; i < 20; i++)
		p[i] = (unsigned char)i;
	/* within ksize() the object stays where it is */
	q = krealloc(p, ksize(p), GFP_KERNEL);
	assert_ptr_equal(q, p);
	q = krealloc(p, 5, GFP_KERNEL);
	assert_ptr_equal(q, p);
	/* growing moves it, keeps the content, frees the old one */
	q = krealloc(p, 1000, GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_int_equal(ksize(q), TEST_SLOB ? 1000 : 1024);
	for (int i = 0; i < 20; i++)
		assert_int_equal(q[i], i);
	r = kmalloc(20, GFP_KERNEL);
	assert_ptr_equal(r, p);				/* p was freed (LIFO, first fit) */
	kfree(r);
	/* a failed krealloc leaves the object alone */
	capture_begin();
	r = krealloc(q, KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN);
	out = capture_end();
	assert_null(r);
	assert_string_equal(out, "");
	for (int i = 0; i < 20; i++)
		assert_int_equal(q[i], i);
	/* krealloc(p, 0) frees p and returns ZERO_SIZE_PTR */
	r = krealloc(q, 0, GFP_KERNEL);
	assert_ptr_equal(r, ZERO_SIZE_PTR);
	r = kmalloc(1000, GFP_KERNEL);
	assert_ptr_equal(r, q);				/* q was freed (LIFO) */
	kfree(r);
	/* krealloc(ZERO_SIZE_PTR, n) allocates */
	r = krealloc(ZERO_SIZE_PTR, 64, GFP_KERNEL);
	assert_non_null(r);
	assert_false(ZERO_OR_NULL_PTR(r));
	assert_int_equal(ksize(r), 64);
	kfree(r);
	assert_mm_check_ok();
	check_shutdown();
}

/*
 * GFP_DMA: the dma-kmalloc caches under SLAB and SLUB (CONFIG_ZONE_DMA).
 * SLOB has no caches: its big blocks come from ZONE_DMA, but v4.19's
 * slob_alloc() takes a small one from any partly free page of its list,
 * whatever zone the mask asks for, so only the big one is checked there.
 */
static void test_dma(void **state)
{
	void *p, *q, *r;
	(void)state;

	boot_attach(BOOT_UP);
	if (TEST_SLOB) {
		p = kmalloc(100, GFP_KERNEL | GFP_DMA);
		assert_non_null(p);
		q = kmalloc(5000, GFP_KERNEL | GFP_DMA);
		assert_non_null(q);
		assert_int_equal(page_zonenum(virt_to_page(q)), ZONE_DMA);
		kfree(p);
		kfree(q);
		check_shutdown();
		return;
	}
	p = kmalloc(100, GFP_KERNEL | GFP_DMA);
	assert_non_null(p);
	assert_int_equal(ksize(p), 128);
	assert_string_equal(cache_name_of(p), "dma-kmalloc-128");
	assert_int_equal(page_zonenum(virt_to_slab(p)), ZONE_DMA);
	q = kmalloc(5000, GFP_KERNEL | GFP_DMA);
	assert_non_null(q);
	assert_string_equal(cache_name_of(q), "dma-kmalloc-8192");
	assert_int_equal(page_zonenum(virt_to_slab(q)), ZONE_DMA);
	r = kmalloc(100, GFP_KERNEL);
	assert_string_equal(cache_name_of(r), "kmalloc-128");
	assert_int_not_equal(page_zonenum(virt_to_slab(r)), ZONE_DMA);
	kfree(p);
	kfree(q);
	kfree(r);
	assert_mm_check_ok();
	check_shutdown();
}

static void test_kmalloc_node(void **state)
{
	static const size_t sizes[] = { 8, 64, 1000, 8192, 100000 };
	void *p[2][5][20];
	unsigned char *z;
	(void)state;

	boot_attach("mem=128M nodes=2 cpus=2");
	for (int nid = 0; nid < 2; nid++)
		for (int s = 0; s < 5; s++)
			for (int i = 0; i < 20; i++) {
				p[nid][s][i] = kmalloc_node(sizes[s], GFP_KERNEL, nid);
				assert_non_null(p[nid][s][i]);
				if (page_to_nid(virt_to_page(p[nid][s][i])) != nid)
					fail_msg("kmalloc_node(%zu, node %d) gave memory of node %d",
						 sizes[s], nid,
						 page_to_nid(virt_to_page(p[nid][s][i])));
				memset(p[nid][s][i], nid + 1, sizes[s]);
			}
	z = kzalloc_node(3000, GFP_KERNEL, 1);
	assert_int_equal(page_to_nid(virt_to_page(z)), 1);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(z[i], 0);
	kfree(z);
	/*
	 * NUMA_NO_NODE: the local node under SLAB.  v4.19 SLUB takes the
	 * CPU's slab whatever its node (node_match()), here node 1's, which
	 * the last kmalloc_node(64, node 1) left there; SLOB any page of its
	 * list, the one that served last first: node 1's too.
	 */
	z = kmalloc_node(64, GFP_KERNEL, NUMA_NO_NODE);
	if (TEST_SLAB)
		assert_int_equal(page_to_nid(virt_to_page(z)), 0);
	kfree(z);
	for (int nid = 0; nid < 2; nid++)
		for (int s = 0; s < 5; s++)
			for (int i = 0; i < 20; i++)
				kfree(p[nid][s][i]);
	assert_mm_check_ok();
	check_shutdown();
}

/* The kmalloc caches' geometry, as /proc/slabinfo shows it. */
struct kmalloc_geometry {
	const char *name;
	unsigned int objsize, perslab;
	int pages;
	unsigned int limit, batch, shared;
};

/* SLAB (v4.19 layout, SLAB_HWCACHE_ALIGN, one-byte freelist indices:
 * kmalloc-32 on-slab, 64 and up OBJFREELIST, 96 in 128-byte objects; 2 CPUs
 * so shared 8). */
static const struct kmalloc_geometry slab_geometry[] = {
	{ "kmalloc-32", 32, 124, 1, 120, 60, 8 },	/* 4096/33 */
	{ "kmalloc-64", 64, 64, 1, 120, 60, 8 },	/* 64 indices fit in 64 */
	{ "kmalloc-96", 128, 32, 1, 120, 60, 8 },	/* aligned to 64 */
	{ "kmalloc-128", 128, 32, 1, 120, 60, 8 },
	{ "kmalloc-192", 192, 21, 1, 120, 60, 8 },
	{ "kmalloc-256", 256, 16, 1, 120, 60, 8 },
	{ "kmalloc-512", 512, 8, 1, 54, 27, 8 },
	{ "kmalloc-1024", 1024, 4, 1, 54, 27, 8 },
	{ "kmalloc-2048", 2048, 2, 1, 24, 12, 8 },
	{ "kmalloc-4096", 4096, 1, 1, 24, 12, 8 },
	{ "kmalloc-8192", 8192, 1, 2, 8, 4, 0 },
	{ "kmalloc-131072", 131072, 1, 32, 8, 4, 0 },
	{ "kmalloc-262144", 262144, 1, 64, 1, 1, 0 },
	{ "kmalloc-4194304", 4194304, 1, 1024, 1, 1, 0 },
	{ "dma-kmalloc-32", 32, 124, 1, 120, 60, 8 },
	{ "dma-kmalloc-96", 128, 32, 1, 120, 60, 8 },
	{ "dma-kmalloc-8192", 8192, 1, 2, 8, 4, 0 },
	{ NULL, 0, 0, 0, 0, 0, 0 },
};

/*
 * SLUB (v4.19 calculate_order() with nr_cpu_ids 2: min_objects 12, slub_max_order
 * 3, leftover at most 1/16; kmalloc caches made with flags 0, so the slot
 * is the class; no tunables): 8..256 order 0, 512 1/16, 1024 2/16,
 * 2048 3/16, 4096 3/8 (12 objects would need order 4), 8192 3/4.
 */
static const struct kmalloc_geometry slub_geometry[] = {
	{ "kmalloc-8", 8, 512, 1, 0, 0, 0 },
	{ "kmalloc-16", 16, 256, 1, 0, 0, 0 },
	{ "kmalloc-32", 32, 128, 1, 0, 0, 0 },
	{ "kmalloc-64", 64, 64, 1, 0, 0, 0 },
	{ "kmalloc-96", 96, 42, 1, 0, 0, 0 },
	{ "kmalloc-128", 128, 32, 1, 0, 0, 0 },
	{ "kmalloc-192", 192, 21, 1, 0, 0, 0 },
	{ "kmalloc-256", 256, 16, 1, 0, 0, 0 },
	{ "kmalloc-512", 512, 16, 2, 0, 0, 0 },
	{ "kmalloc-1024", 1024, 16, 4, 0, 0, 0 },
	{ "kmalloc-2048", 2048, 16, 8, 0, 0, 0 },
	{ "kmalloc-4096", 4096, 8, 8, 0, 0, 0 },
	{ "kmalloc-8192", 8192, 4, 8, 0, 0, 0 },
	{ "dma-kmalloc-8", 8, 512, 1, 0, 0, 0 },
	{ "dma-kmalloc-96", 96, 42, 1, 0, 0, 0 },
	{ "dma-kmalloc-8192", 8192, 4, 8, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0, 0, 0 },
};

/* SLOB has no /proc/slabinfo at all (v4.19: only CONFIG_SLAB or
 * CONFIG_SLUB_DEBUG make it). */
static void test_kmalloc_slabinfo(void **state)
{
	const struct kmalloc_geometry *t = TEST_SLUB ? slub_geometry : slab_geometry;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	char *text;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	if (TEST_SLOB) {
		f = open_memstream(&buf, &len);
		assert_non_null(f);
		assert_int_not_equal(mm_proc_show("slabinfo", f), 0);
		fclose(f);
		free(buf);
		check_shutdown();
		return;
	}
	text = proc_text("slabinfo");
	for (size_t i = 0; t[i].name; i++) {
		char *save = NULL, *copy = strdup(text);
		int found = 0;

		for (char *s = strtok_r(copy, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
			char name[64];
			unsigned long aobj, nobj, aslab, nslab, savail;
			unsigned int objsize, perslab, limit, batch, shared;
			int pages;

			if (sscanf(s, "%63s", name) != 1 || strcmp(name, t[i].name))
				continue;
			found = 1;
			if (sscanf(s, "%63s %lu %lu %u %u %d : tunables %u %u %u : slabdata %lu %lu %lu",
				   name, &aobj, &nobj, &objsize, &perslab, &pages, &limit, &batch,
				   &shared, &aslab, &nslab, &savail) != 12)
				fail_msg("unparsable: %s", s);
			if (objsize != t[i].objsize || perslab != t[i].perslab ||
			    pages != t[i].pages || limit != t[i].limit || batch != t[i].batch ||
			    shared != t[i].shared)
				fail_msg("%s: got objsize %u perslab %u pages %d tunables %u %u %u, "
					 "expected %u %u %d tunables %u %u %u", name, objsize, perslab,
					 pages, limit, batch, shared, t[i].objsize, t[i].perslab,
					 t[i].pages, t[i].limit, t[i].batch, t[i].shared);
			assert_int_equal(nobj, nslab * perslab);
			assert_true(aobj <= nobj);
		}
		free(copy);
		if (!found)
			fail_msg("no %s in /proc/slabinfo:\n%s", t[i].name, text);
	}
	free(text);
	check_shutdown();
}

/*
 * SLAB's KMALLOC_SHIFT_LOW is 5 in v4.19: no kmalloc-8 or kmalloc-16 (nor
 * their dma- twins); setup_kmalloc_cache_index_table() sends every size
 * below KMALLOC_MIN_SIZE (32) to kmalloc-32.
 */
static void test_no_class_below_32(void **state)
{
	static const char *const gone[] = {
		"kmalloc-8", "kmalloc-16", "dma-kmalloc-8", "dma-kmalloc-16",
	};
	char *text;
	(void)state;

	SKIP_UNLESS_SLAB("SLAB's smallest class is 32 (test_smallest_slub_classes: SLUB's is 8; "
			 "SLOB has no classes)");
	boot_attach(BOOT_UP);
	for (size_t size = 1; size <= 32; size++) {
		void *p = kmalloc(size, GFP_KERNEL);
		void *d = kmalloc(size, GFP_KERNEL | GFP_DMA);

		assert_non_null(p);
		assert_non_null(d);
		if (strcmp(cache_name_of(p), "kmalloc-32"))
			fail_msg("kmalloc(%zu) came from %s, expected kmalloc-32", size,
				 cache_name_of(p));
		assert_string_equal(cache_name_of(d), "dma-kmalloc-32");
		assert_int_equal(ksize(p), 32);
		kfree(p);
		kfree(d);
	}
	assert_int_equal(KMALLOC_MIN_SIZE, 32);
	assert_int_equal(KMALLOC_SHIFT_LOW, 5);
	text = proc_text("slabinfo");
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		char *save = NULL, *copy = strdup(text);

		for (char *s = strtok_r(copy, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
			char name[64];

			if (sscanf(s, "%63s", name) == 1 && !strcmp(name, gone[i]))
				fail_msg("/proc/slabinfo has %s, which a v4.19 SLAB kernel does not "
					 "make:\n%s", gone[i], s);
		}
		free(copy);
	}
	free(text);
	check_shutdown();
}

/*
 * SLUB's KMALLOC_SHIFT_LOW is 3 in v4.19: kmalloc-8 and kmalloc-16 exist
 * (and their dma- twins), and size_index[] sends 1..8 to kmalloc-8, 9..16
 * to kmalloc-16, 17..32 to kmalloc-32.
 */
static void test_smallest_slub_classes(void **state)
{
	(void)state;

	if (!TEST_SLUB) {
		print_message("[ SKIP     ] %s under slab=%s: SLUB's classes (SLAB: "
			      "test_no_class_below_32; SLOB has none)\n", __func__,
			      test_slab_name());
		skip();
	}
	boot_attach(BOOT_UP);
	assert_string_equal(kmem_cache_name(kmalloc_slab(1, GFP_KERNEL)), "kmalloc-8");
	assert_string_equal(kmem_cache_name(kmalloc_slab(8192, GFP_KERNEL)), "kmalloc-8192");
	for (size_t size = 1; size <= 32; size++) {
		size_t class = size <= 8 ? 8 : size <= 16 ? 16 : 32;
		void *p = kmalloc(size, GFP_KERNEL);
		void *d = kmalloc(size, GFP_KERNEL | GFP_DMA);
		char name[32];

		assert_non_null(p);
		assert_non_null(d);
		snprintf(name, sizeof(name), "kmalloc-%zu", class);
		assert_string_equal(cache_name_of(p), name);
		snprintf(name, sizeof(name), "dma-kmalloc-%zu", class);
		assert_string_equal(cache_name_of(d), name);
		assert_int_equal(ksize(p), class);
		kfree(p);
		kfree(d);
	}
	check_shutdown();
}

/*
 * What a v4.19 SLAB kernel's /proc/slabinfo shows for kmalloc-32, -96 and
 * -192 on x86_64 with more than one CPU, on a machine that has not used
 * them yet.  ARCH_KMALLOC_FLAGS is SLAB_HWCACHE_ALIGN: kmalloc-32 is
 * aligned to 32 (64 halved once), kmalloc-96 and -192 to 64, so kmalloc-96
 * holds 128-byte objects.  Freelist indices are one byte.
 *   kmalloc-32: OBJFREELIST needs 128 indices <= 32 bytes, no; off-slab
 *     needs kmalloc-128 <= 32/2, no (and 256 objects at order 1 > 255);
 *     on-slab 4096/(32+1) = 124, 4 bytes left, no colour.
 *   kmalloc-96: OBJFREELIST 4096/128 = 32 (32 <= 96), nothing left.
 *   kmalloc-192: OBJFREELIST 4096/192 = 21 (21 <= 192), 64 left: 1 colour.
 *   enable_cpucache(): size <= 256, limit 120, batchcount 60, shared 8.
 */
static void test_kmalloc_slabinfo_lines(void **state)
{
	static const char *const want[] = {
		"kmalloc-32             0      0     32  124    1 : tunables  120   60    8 : slabdata      0      0      0",
		"kmalloc-64             0      0     64   64    1 : tunables  120   60    8 : slabdata      0      0      0",
		"kmalloc-96             0      0    128   32    1 : tunables  120   60    8 : slabdata      0      0      0",
		"kmalloc-128            0      0    128   32    1 : tunables  120   60    8 : slabdata      0      0      0",
		"kmalloc-192            0      0    192   21    1 : tunables  120   60    8 : slabdata      0      0      0",
	};
	/* SLUB (v4.19, 2 CPUs): the class is the slot; order 0 for all five;
	 * no tunables */
	static const unsigned int slub_want[][2] = {
		{ 32, 128 }, { 64, 64 }, { 96, 42 }, { 128, 32 }, { 192, 21 },
	};
	char *text;
	(void)state;

	SKIP_IF_SLOB("no /proc/slabinfo under SLOB (test_kmalloc_slabinfo checks that)");
	boot_attach("mem=64M nodes=1 cpus=2");
	text = proc_text("slabinfo");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char line[160], name[32];

		if (TEST_SLUB) {
			snprintf(name, sizeof(name), "kmalloc-%u", slub_want[i][0]);
			snprintf(line, sizeof(line), "\n%-17s %6lu %6lu %6u %4u %4d : tunables "
				 "%4u %4u %4u : slabdata %6lu %6lu %6lu\n", name, 0UL, 0UL,
				 slub_want[i][0], slub_want[i][1], 1, 0U, 0U, 0U, 0UL, 0UL, 0UL);
		} else {
			snprintf(line, sizeof(line), "\n%s\n", want[i]);
		}
		if (!strstr(text, line))
			fail_msg("no line\n%s\nin /proc/slabinfo:\n%s", line + 1, text);
	}
	free(text);
	check_shutdown();
}

/*
 * The order v4.19 makes the kmalloc caches in: kmem_cache_init() first the
 * one that holds struct kmem_cache_node (120 bytes on x86_64: kmalloc-128),
 * then create_kmalloc_caches() in index order with kmalloc-96 right after
 * kmalloc-64 and kmalloc-192 right after kmalloc-128's turn, then the
 * dma-kmalloc caches in index order (96 and 192 have indices 1 and 2).
 * Each goes to the head of slab_caches; slabinfo lists the newest first.
 */
static void test_kmalloc_cache_order(void **state)
{
	char made[2 * (KMALLOC_SHIFT_HIGH + 1)][32], name[64], *text, *save = NULL, *s;
	unsigned int nmade = 0, nseen = 0, low = TEST_SLUB ? 3 : 5, high = TEST_SLUB ? 13 : 22;
	(void)state;

	/*
	 * SLUB (v4.19 create_kmalloc_caches(0) from kmem_cache_init()): no
	 * kmalloc-128 first, the loop from kmalloc-8; its own boot caches
	 * ("kmem_cache", "kmem_cache_node"), if the model lists them, are
	 * not kmalloc caches and are passed over.
	 */
	SKIP_IF_SLOB("SLOB has no kmalloc caches and no /proc/slabinfo");
#define MADE(...) snprintf(made[nmade++], sizeof(made[0]), __VA_ARGS__)
	if (!TEST_SLUB)
		MADE("kmalloc-128");
	for (unsigned int i = low; i <= high; i++) {
		if (i != 7 || TEST_SLUB)
			MADE("kmalloc-%u", 1u << i);
		if (i == 6)
			MADE("kmalloc-96");
		if (i == 7)
			MADE("kmalloc-192");
	}
	MADE("dma-kmalloc-96");
	MADE("dma-kmalloc-192");
	for (unsigned int i = low; i <= high; i++)
		MADE("dma-kmalloc-%u", 1u << i);
#undef MADE

	boot_attach(BOOT_UP);
	text = proc_text("slabinfo");
	strtok_r(text, "\n", &save);
	strtok_r(NULL, "\n", &save);
	while ((s = strtok_r(NULL, "\n", &save))) {
		assert_int_equal(sscanf(s, "%63s", name), 1);
		if (TEST_SLUB && strncmp(name, "kmalloc-", 8) && strncmp(name, "dma-kmalloc-", 12))
			continue;
		if (nseen >= nmade)
			fail_msg("more caches in /proc/slabinfo than kmalloc made: %s", name);
		if (strcmp(name, made[nmade - 1 - nseen]))
			fail_msg("line %u of /proc/slabinfo is %s, expected %s (newest first)",
				 nseen + 1, name, made[nmade - 1 - nseen]);
		nseen++;
	}
	assert_int_equal(nseen, nmade);
	free(text);
	check_shutdown();
}

/* ------------------------------------------------------------------ misuse */

static void do_kfree(const void *p)
{
	kfree(p);
}

static void kfree_misuse(const char *boot)
{
	struct page *page;
	char *p, *q, *heap;
	long on_stack[4];
	(void)on_stack;

	boot_attach(boot);
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	memset(p, 'p', 64);
	/* a pointer inside an object */
	refused(do_kfree, p + 8);
	refused(do_kfree, p + 63);
	/* not slab memory: a page of the page allocator, the stack, the heap */
	page = alloc_page(GFP_KERNEL);
	refused(do_kfree, page_address(page));
	refused(do_kfree, (char *)page_address(page) + 128);
	assert_int_equal(page_count(page), 1);
	__free_page(page);
	refused(do_kfree, on_stack);
	heap = malloc(64);
	refused(do_kfree, heap);
	free(heap);
	/* the owner still owns p, untouched */
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], 'p');
	kfree(p);
	/* the next allocation is p itself, never the interior pointer */
	assert_ptr_equal(kmalloc(64, GFP_KERNEL), p);
	kfree(p);
	kfree(q);
	check_shutdown();
}

static void test_kfree_misuse(void **state)
{
	(void)state;
	kfree_misuse(BOOT_UP);
}

/* with the allocator's debugging: slab_debug (SLAB), slub_debug (SLUB) */
static void test_kfree_misuse_slab_debug(void **state)
{
	(void)state;
	SKIP_IF_SLOB("SLOB has no debugging options");
	kfree_misuse(TEST_SLUB ? BOOT_UP " slub_debug" : BOOT_UP " slab_debug");
}

/*
 * Without slab_debug Linux does not detect kfree(p); kfree(p) (SLAB puts p
 * in the CPU's array twice).  The model must at least stay consistent: the
 * checker passes and the object is not handed out twice.
 */
static void test_double_free_without_debug(void **state)
{
	void *p, *a, *b;
	const char *out;
	(void)state;

	boot_attach(BOOT_UP);
	p = kmalloc(64, GFP_KERNEL);
	kfree(p);
	capture_begin();
	kfree(p);
	out = capture_end();
	if (out[0])
		print_message("double kfree without slab_debug reported:\n%s", out);
	assert_mm_check_ok();
	a = kmalloc(64, GFP_KERNEL);
	b = kmalloc(64, GFP_KERNEL);
	assert_ptr_not_equal(a, b);
	kfree(a);
	kfree(b);
	assert_mm_check_ok();
	check_shutdown();
}

static void test_sleeping_kmalloc_in_atomic(void **state)
{
	const char *out;
	void *p;
	(void)state;

	boot_attach(BOOT_UP);
	preempt_disable();
	capture_begin();
	p = kmalloc(64, GFP_KERNEL);
	out = capture_end();
	assert_contains(out, "BUG: sleeping function called from invalid context");
	kfree(p);
	p = kmalloc(64, GFP_ATOMIC);			/* what atomic context uses */
	assert_non_null(p);
	kfree(p);
	preempt_enable();
	assert_mm_check_ok();
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_size_classes),
		TEST(test_zero_size_and_null),
		TEST(test_array_and_calloc),
		TEST(test_krealloc),
		TEST(test_dma),
		TEST(test_kmalloc_node),
		TEST(test_kmalloc_slabinfo),
		TEST(test_no_class_below_32),
		TEST(test_smallest_slub_classes),
		TEST(test_kmalloc_slabinfo_lines),
		TEST(test_kmalloc_cache_order),
		TEST(test_kfree_misuse),
		TEST(test_kfree_misuse_slab_debug),
		TEST(test_double_free_without_debug),
		TEST(test_sleeping_kmalloc_in_atomic),
	};

	return cmocka_run_group_tests_name("kmalloc", tests, NULL, NULL);
}
