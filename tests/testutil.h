/* SPDX-License-Identifier: MIT */
/*
 * tests/testutil.h - what the cmocka suites share: booting quietly,
 * capturing the console to assert on reports, and zone lookups.
 */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmsim.h>
#include "../mm/internal.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_BUILD 1
#endif
#endif
#ifndef TSAN_BUILD
#define TSAN_BUILD 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif
#ifndef ASAN_BUILD
#define ASAN_BUILD 0
#endif

/* Console capture: everything printk()s between begin and end. */
static char *cap_buf;
static size_t cap_len;
static FILE *cap_file;

static inline void capture_begin(void)
{
	cap_file = open_memstream(&cap_buf, &cap_len);
	assert_non_null(cap_file);
	printk_set_output(cap_file);
}

/* Returns the captured text; valid until the next capture_begin(). */
static inline const char *capture_end(void)
{
	static char *last;

	printk_set_output(NULL);
	fclose(cap_file);
	free(last);
	last = cap_buf;
	cap_buf = NULL;
	return last;
}

#define assert_contains(hay, needle) do {					\
	const char *__h = (hay), *__n = (needle);				\
	if (!strstr(__h, __n))							\
		fail_msg("expected \"%s\" in:\n%s", __n, __h);			\
} while (0)

/* Boot quietly (reports still reach the console) and attach CPU 0. */
static inline void boot_attach(const char *cmdline)
{
	int ret;

	printk_set_quiet(1);
	ret = mm_boot(cmdline);
	if (ret)
		fail_msg("mm_boot(\"%s\") = %d", cmdline, ret);
	assert_int_equal(mm_cpu_attach(0), 0);
}

/* Check the invariants, detach, shut down; fails on a violation or leak. */
static inline void check_shutdown(void)
{
	unsigned long before;

	assert_int_equal(mm_check(stderr), 0);
	if (current->cpu >= 0)
		mm_cpu_detach();
	before = report_violations();
	mm_shutdown();
	assert_int_equal(report_violations(), before);	/* no leak report */
}

/* cmocka teardown: a failed test must not leave its machine booted. */
static inline int teardown_machine(void **state)
{
	(void)state;
	if (current->cpu >= 0)
		mm_cpu_detach();
	if (smp_load_acquire(&mm_booted)) {
		FILE *devnull = fopen("/dev/null", "w");

		printk_set_output(devnull);
		mm_shutdown();
		printk_set_output(NULL);
		fclose(devnull);
	}
	return 0;
}
#define TEST(fn) cmocka_unit_test_teardown(fn, teardown_machine)

static inline struct zone *zone_of(int nid, enum zone_type t)
{
	return &NODE_DATA(nid)->node_zones[t];
}

/* Pages handed out and not yet freed, over every zone (the conservation
 * law's "allocated"; exact while no other CPU runs). */
static inline long allocated_pages(void)
{
	struct zone *zone;
	long n = 0;

	for_each_populated_zone(zone)
		n += zone_alloc_pages(zone);
	return n;
}

static inline unsigned long zone_free(int nid, enum zone_type t)
{
	return zone_page_state(zone_of(nid, t), NR_FREE_PAGES);
}

/* Render a /proc file into a malloc'ed string. */
static inline char *proc_text(const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mm_proc_show(name, f), 0);
	fclose(f);
	return buf;
}

/* Hold many pages: a growable stack of (page, order). */
struct held {
	struct page **page;
	unsigned int *order;
	size_t nr, cap;
};

static inline void held_push(struct held *h, struct page *page, unsigned int order)
{
	if (h->nr == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 1024;
		h->page = realloc(h->page, h->cap * sizeof(*h->page));
		h->order = realloc(h->order, h->cap * sizeof(*h->order));
		assert_non_null(h->page);
		assert_non_null(h->order);
	}
	h->page[h->nr] = page;
	h->order[h->nr++] = order;
}

static inline void held_free_all(struct held *h)
{
	while (h->nr) {
		h->nr--;
		__free_pages(h->page[h->nr], h->order[h->nr]);
	}
	free(h->page);
	free(h->order);
	memset(h, 0, sizeof(*h));
}

/* Allocate order-0 pages with gfp until it fails; returns how many. */
static inline size_t drain_with(struct held *h, gfp_t gfp)
{
	size_t n = 0;
	struct page *page;

	while ((page = alloc_pages(gfp | __GFP_NOWARN, 0))) {
		held_push(h, page, 0);
		n++;
	}
	return n;
}

#endif /* TESTS_TESTUTIL_H */
