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
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* Time, naps and the flags tests pass between threads. */
static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* nanosleep: an interceptor, where TSan delivers a pending IPI signal */
static inline void nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Acquire/release: what the setter did before is seen by the getter. */
static inline int get(int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void set(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

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

/*
 * mm_check() into a buffer: NULL if it found nothing, else its report (the
 * violations), valid until the next call.  The line of a pass is dropped,
 * so that test output stays quiet.
 */
static inline const char *mm_check_failed(void)
{
	static char *last;
	size_t len = 0;
	FILE *f;
	int v;

	free(last);
	last = NULL;
	f = open_memstream(&last, &len);
	assert_non_null(f);
	v = mm_check(f);
	fclose(f);
	if (!v) {
		free(last);
		last = NULL;
	}
	return last;
}

/* mm_check() must find nothing; its report is shown only if it does. */
#define assert_mm_check_ok() do {						\
	const char *__why = mm_check_failed();					\
	if (__why)								\
		fail_msg("mm_check() found:\n%s", __why);			\
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

	assert_mm_check_ok();
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

/*
 * A misuse that must be refused: run fn(arg) with the console captured and
 * require one more violation report, no page allocated or freed, and
 * mm_check() clean.  Returns the text.
 */
static inline const char *refused(void (*fn)(const void *), const void *arg)
{
	unsigned long before = report_violations(), free = nr_free_pages();
	long pages = allocated_pages();
	const char *out;

	capture_begin();
	fn(arg);
	out = capture_end();
	if (report_violations() != before + 1)
		fail_msg("expected one report, got %lu:\n%s", report_violations() - before, out);
	assert_int_equal(nr_free_pages(), free);
	assert_int_equal(allocated_pages(), pages);
	assert_mm_check_ok();
	return out;
}

/*
 * A host thread that is simulated CPU `cpu` while fn runs.  cmocka's
 * assertions stay in the main thread: fn records, the test checks.
 * done is set (release) once fn returned and the CPU is detached.
 */
struct cpu_job {
	unsigned int cpu;
	void (*fn)(struct cpu_job *job);
	void *arg;
	pthread_t tid;
	int attach_ret;
	int done;		/* atomic */
};

static inline void *cpu_job_main(void *p)
{
	struct cpu_job *job = p;

	job->attach_ret = mm_cpu_attach(job->cpu);
	if (!job->attach_ret) {
		job->fn(job);
		mm_cpu_detach();
	}
	__atomic_store_n(&job->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static inline void cpu_job_start(struct cpu_job *job, unsigned int cpu,
				 void (*fn)(struct cpu_job *), void *arg)
{
	*job = (struct cpu_job){ .cpu = cpu, .fn = fn, .arg = arg };
	assert_int_equal(pthread_create(&job->tid, NULL, cpu_job_main, job), 0);
}

static inline void cpu_job_join(struct cpu_job *job)
{
	assert_int_equal(pthread_join(job->tid, NULL), 0);
	assert_int_equal(job->attach_ret, 0);
}

/*
 * A barrier on a mutex and a condition variable: a CPU waiting here still
 * takes IPIs (under TSan, pthread_barrier_wait() holds signals back, so a
 * CPU calling smp_call_function_many() would wait forever).
 */
struct cpu_barrier {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int n, count, gen;	/* lock */
};

static inline void cpu_barrier_init(struct cpu_barrier *b, unsigned int n)
{
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->n = n;
	b->count = 0;
	b->gen = 0;
}

static inline void cpu_barrier_destroy(struct cpu_barrier *b)
{
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
}

static inline void cpu_barrier_wait(struct cpu_barrier *b)
{
	unsigned int gen;

	pthread_mutex_lock(&b->lock);
	gen = b->gen;
	if (++b->count == b->n) {
		b->count = 0;
		b->gen++;
		pthread_cond_broadcast(&b->cond);
	} else {
		while (gen == b->gen)
			pthread_cond_wait(&b->cond, &b->lock);
	}
	pthread_mutex_unlock(&b->lock);
}

#endif /* TESTS_TESTUTIL_H */
