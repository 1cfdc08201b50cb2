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

#define BOOT_UP		"mem=64M nodes=1 cpus=1"

static const char *cache_name_of(const void *p)
{
	struct kmem_cache *c = virt_to_cache(p);

	assert_non_null(c);
	return kmem_cache_name(c);
}

static void test_size_classes(void **state)
{
	static const struct {
		size_t size, class;
	} t[] = {
		{ 1, 32 }, { 8, 32 }, { 9, 32 }, { 16, 32 }, { 17, 32 }, { 32, 32 }, { 33, 64 },
		{ 64, 64 }, { 65, 96 }, { 96, 96 }, { 97, 128 }, { 128, 128 },
		{ 129, 192 }, { 130, 192 }, { 192, 192 }, { 193, 256 }, { 256, 256 },
		{ 257, 512 }, { 1024, 1024 }, { 1025, 2048 }, { 4096, 4096 },
		{ 4097, 8192 }, { 100000, 131072 }, { 4 << 20, 4 << 20 },
	};
	const char *out;
	(void)state;

	boot_attach(BOOT_UP);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char name[32];
		char *p = kmalloc(t[i].size, GFP_KERNEL);

		if (!p)
			fail_msg("kmalloc(%zu) failed", t[i].size);
		if (ksize(p) != t[i].class)
			fail_msg("ksize(kmalloc(%zu)) = %zu, expected %zu", t[i].size,
				 ksize(p), t[i].class);
		snprintf(name, sizeof(name), "kmalloc-%zu", t[i].class);
		assert_string_equal(cache_name_of(p), name);
		assert_int_equal((unsigned long)p % 8, 0);
		assert_int_equal(page_zonenum(virt_to_slab(p)) == ZONE_DMA, 0);
		memset(p, 0x77, t[i].class);		/* all of ksize() is usable */
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
	assert_int_equal(ksize(p), 128);
	/* kcalloc zeroes even a recycled object */
	memset(p, 0xff, 128);
	kfree(p);
	q = kcalloc(25, 4, GFP_KERNEL);
	assert_ptr_equal(q, p);				/* LIFO */
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i], 0);
	memset(q, 0xee, 128);
	kfree(q);
	p = kzalloc(128, GFP_KERNEL);
	assert_ptr_equal(p, q);
	for (int i = 0; i < 128; i++)
		assert_int_equal(p[i], 0);
	kfree(p);
	/* big ones too */
	p = kmalloc(10000, GFP_KERNEL);
	memset(p, 0xaa, 10000);
	kfree(p);
	q = kzalloc(10000, GFP_KERNEL);
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
	assert_int_equal(ksize(p), 32);
	for (int i = 0; i < 20; i++)
		p[i] = (unsigned char)i;
	/* within ksize() the object stays where it is */
	q = krealloc(p, 32, GFP_KERNEL);
	assert_ptr_equal(q, p);
	q = krealloc(p, 5, GFP_KERNEL);
	assert_ptr_equal(q, p);
	/* growing moves it, keeps the content, frees the old one */
	q = krealloc(p, 1000, GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_int_equal(ksize(q), 1024);
	for (int i = 0; i < 20; i++)
		assert_int_equal(q[i], i);
	r = kmalloc(32, GFP_KERNEL);
	assert_ptr_equal(r, p);				/* p was freed (LIFO) */
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

static void test_dma(void **state)
{
	void *p, *q, *r;
	(void)state;

	boot_attach(BOOT_UP);
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
	/* NUMA_NO_NODE: the local node */
	z = kmalloc_node(64, GFP_KERNEL, NUMA_NO_NODE);
	assert_int_equal(page_to_nid(virt_to_page(z)), 0);
	kfree(z);
	for (int nid = 0; nid < 2; nid++)
		for (int s = 0; s < 5; s++)
			for (int i = 0; i < 20; i++)
				kfree(p[nid][s][i]);
	assert_mm_check_ok();
	check_shutdown();
}

/* The kmalloc caches' geometry, as /proc/slabinfo shows it (v4.19 layout,
 * SLAB_HWCACHE_ALIGN, one-byte freelist indices: kmalloc-32 on-slab, 64 and
 * up OBJFREELIST, 96 in 128-byte objects; 2 CPUs so shared 8). */
static void test_kmalloc_slabinfo(void **state)
{
	static const struct {
		const char *name;
		unsigned int objsize, perslab;
		int pages;
		unsigned int limit, batch, shared;
	} t[] = {
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
	};
	char *text;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	text = proc_text("slabinfo");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
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
	char *text;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	text = proc_text("slabinfo");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char line[160];

		snprintf(line, sizeof(line), "\n%s\n", want[i]);
		if (!strstr(text, line))
			fail_msg("no line\n%s\nin /proc/slabinfo:\n%s", want[i], text);
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
	unsigned int nmade = 0, nseen = 0;
	(void)state;

#define MADE(...) snprintf(made[nmade++], sizeof(made[0]), __VA_ARGS__)
	MADE("kmalloc-128");
	for (unsigned int i = 5; i <= KMALLOC_SHIFT_HIGH; i++) {
		if (i != 7)
			MADE("kmalloc-%u", 1u << i);
		if (i == 6)
			MADE("kmalloc-96");
		if (i == 7)
			MADE("kmalloc-192");
	}
	MADE("dma-kmalloc-96");
	MADE("dma-kmalloc-192");
	for (unsigned int i = 5; i <= KMALLOC_SHIFT_HIGH; i++)
		MADE("dma-kmalloc-%u", 1u << i);
#undef MADE

	boot_attach(BOOT_UP);
	text = proc_text("slabinfo");
	strtok_r(text, "\n", &save);
	strtok_r(NULL, "\n", &save);
	while ((s = strtok_r(NULL, "\n", &save))) {
		assert_int_equal(sscanf(s, "%63s", name), 1);
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

static void test_kfree_misuse_slab_debug(void **state)
{
	(void)state;
	kfree_misuse(BOOT_UP " slab_debug");
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
		TEST(test_kmalloc_slabinfo_lines),
		TEST(test_kmalloc_cache_order),
		TEST(test_kfree_misuse),
		TEST(test_kfree_misuse_slab_debug),
		TEST(test_double_free_without_debug),
		TEST(test_sleeping_kmalloc_in_atomic),
	};

	return cmocka_run_group_tests_name("kmalloc", tests, NULL, NULL);
}
