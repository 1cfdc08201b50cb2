/* SPDX-License-Identifier: MIT */
/*
 * tests/testutil.h - what the cmocka suites (tests/unit/, tests/stress/)
 * share, and the one place for a helper two suites need: time and naps,
 * flags between threads, booting quietly, capturing the console to assert
 * on reports, zone and page lookups, held pages, patterns, mempool
 * statistics, CPU jobs, barriers and parked CPUs, and running mmstress.
 */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <mmsim.h>
#include "../mm/internal.h"
#include "../mm/slab_alloc.h"

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

/*
 * Which slab allocator the suites run under: MMSIM_TEST_SLAB=slab|slub|slob
 * in the environment (make test runs the slab, kmalloc and mempool suites
 * once per allocator), SLAB when it is unset.  test_mm_boot() appends
 * "slab=<it>" to every boot line that names none itself.
 */
static inline const char *test_slab_name(void)
{
	const char *e = getenv("MMSIM_TEST_SLAB");

	return e && *e ? e : "slab";
}

/* SLAB_ALLOCATOR_SLAB, _SLUB or _SLOB (mm/slab_alloc.h): this run's */
static inline int test_slab_allocator(void)
{
	const char *name = test_slab_name();

	if (!strcmp(name, "slub"))
		return SLAB_ALLOCATOR_SLUB;
	if (!strcmp(name, "slob"))
		return SLAB_ALLOCATOR_SLOB;
	return SLAB_ALLOCATOR_SLAB;
}

#define TEST_SLAB	(test_slab_allocator() == SLAB_ALLOCATOR_SLAB)
#define TEST_SLUB	(test_slab_allocator() == SLAB_ALLOCATOR_SLUB)
#define TEST_SLOB	(test_slab_allocator() == SLAB_ALLOCATOR_SLOB)

/*
 * A test of one allocator's internals (SLAB's per-CPU arrays, colouring,
 * off-slab freelists, slabinfo tunables, ...) is skipped under the others,
 * saying why: cmocka counts it as skipped, not passed.
 */
#define SKIP_UNLESS_SLAB(why) do {						\
	if (!TEST_SLAB) {							\
		print_message("[ SKIP     ] %s under slab=%s: %s\n", __func__,	\
			      test_slab_name(), (why));				\
		skip();								\
	}									\
} while (0)

/* The same for a test that needs an allocator other than SLOB. */
#define SKIP_IF_SLOB(why) do {							\
	if (TEST_SLOB) {							\
		print_message("[ SKIP     ] %s under slab=slob: %s\n", __func__,	\
			      (why));						\
		skip();								\
	}									\
} while (0)

/* Does the boot line have a "slab=" parameter of its own (not failslab=)? */
static inline int test_boot_has_slab(const char *cmdline)
{
	for (const char *p = cmdline; (p = strstr(p, "slab=")); p++)
		if (p == cmdline || p[-1] == ' ' || p[-1] == '\t')
			return 1;
	return 0;
}

/*
 * The tests run with lockdep on, in every build: each boot line gets
 * "lockdep" unless it says lockdep=... itself.  (The sanitizer builds have
 * it on by default; a release `mmstress run` has it off unless asked.)
 * With MMSIM_TEST_SLAB set, a line without "slab=" gets "slab=<it>".
 */
static inline int test_mm_boot(const char *cmdline)
{
	const char *env = getenv("MMSIM_TEST_SLAB");
	char line[1024], slab[64] = "";
	const char *rest = cmdline ? cmdline : "";

	if (env && *env && !test_boot_has_slab(rest))
		snprintf(slab, sizeof(slab), " slab=%s", env);
	if (!slab[0] && (!cmdline || strstr(cmdline, "lockdep")))
		return (mm_boot)(cmdline);
	if (strlen(rest) + sizeof("lockdep ") + strlen(slab) > sizeof(line))
		return (mm_boot)(cmdline);
	snprintf(line, sizeof(line), "%s%s%s",
		 !cmdline || strstr(rest, "lockdep") ? "" : "lockdep ", rest, slab);
	return (mm_boot)(line);
}
#define mm_boot(cmdline)	test_mm_boot(cmdline)

/* The entries of a list (the caller keeps it still). */
static inline int test_list_len(struct cds_list_head *list)
{
	struct cds_list_head *pos;
	int n = 0;

	for (pos = list->next; pos != list; pos = pos->next)
		n++;
	return n;
}

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

#define LONG_WAIT_S	30.0	/* "it happens": generous, never reached */

/* Wait (napping; a safe point each round if asked) until *p >= v: 1, or 0
 * after `seconds`. */
static inline int wait_ge(int *p, int v, double seconds, int resched)
{
	double end = now_s() + seconds;

	while (get(p) < v) {
		if (now_s() > end)
			return 0;
		if (resched)
			cond_resched();
		nap_us(100);
	}
	return 1;
}

/* xorshift64: the hammers' random stream (never seeded with 0). */
static inline unsigned long long next_rand(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
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

/* Two integers equal, named in the failure: `what` says which case. */
#define EXPECT_EQ(what, got, exp) do {						\
	long long __g = (long long)(got), __e = (long long)(exp);		\
	if (__g != __e)								\
		fail_msg("%s: %s is %lld, expected %lld", (what), #got, __g, __e); \
} while (0)

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

/* The pattern of word i of a block: it names the block (pfn and order). */
static inline unsigned long block_pattern(struct page *page, unsigned int order, size_t i)
{
	return (page_to_pfn(page) << 8 | order) * 0x9e3779b97f4a7c15UL + i;
}

/* A pool's counters, read as the header says (relaxed atomics). */
static inline struct mempool_stats mempool_stats_of(mempool_t *pool)
{
	struct mempool_stats s;

#define LD(f) s.f = __atomic_load_n(&pool->stats.f, __ATOMIC_RELAXED)
	LD(alloc_backing);
	LD(alloc_pool);
	LD(alloc_failed);
	LD(frees_to_pool);
	LD(waits);
	LD(wakeups);
	LD(timeouts);
	LD(longest_wait_ns);
	LD(outstanding);
	LD(lost_wakeups);
#undef LD
	return s;
}

/* Render a /proc or debugfs file (show: mm_proc_show, mm_debugfs_show)
 * into a malloc'ed string. */
static inline char *show_text(int (*show)(const char *name, FILE *out), const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(show(name, f), 0);
	fclose(f);
	return buf;
}

static inline char *proc_text(const char *name)
{
	return show_text(mm_proc_show, name);
}

static inline char *debugfs_text(const char *name)
{
	return show_text(mm_debugfs_show, name);
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

/*
 * Parked CPUs.  park_cpu(cpu, how) starts a host thread that attaches as
 * `cpu`, runs how.park(how.arg) (to put pages on its lists, objects in its
 * arrays, take a mutex, queue callbacks...) and then waits, interrupts on,
 * until unpark_cpu(cpu): IPIs reach it there (drain_all_pages(),
 * kmem_cache_shrink(), stop_machine(), rcu_barrier()), but it comes to no
 * safe point.  It waits blocked on a condition variable, or, with
 * how.busy, spinning on sched_yield().  Once released it runs
 * how.unpark(how.arg) and detaches.  park_cpu() returns when the CPU is
 * parked; teardown_machine() releases whatever a failed test left parked.
 * The state is static, not the test's: a failed test's frame is gone when
 * its teardown runs.
 */
struct park {
	void (*park)(void *arg);	/* on the CPU before it waits, or NULL */
	void (*unpark)(void *arg);	/* on the CPU once released, or NULL */
	void *arg;
	int busy;			/* spin on sched_yield(), not blocked */
};

#define MAX_PARKED	64

static struct parked_cpu {
	unsigned int cpu;
	struct park how;
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int attach_ret;		/* written before parked */
	int parked;		/* lock: how.park() done (or the attach failed) */
	int release;		/* lock, and atomic for the busy wait */
	int started;		/* the test's thread only */
} parked_cpus[MAX_PARKED];

static inline void *parked_cpu_main(void *p)
{
	struct parked_cpu *pk = p;

	pk->attach_ret = mm_cpu_attach(pk->cpu);
	if (!pk->attach_ret && pk->how.park)
		pk->how.park(pk->how.arg);
	pthread_mutex_lock(&pk->lock);
	pk->parked = 1;
	pthread_cond_broadcast(&pk->cond);
	if (pk->attach_ret) {
		pthread_mutex_unlock(&pk->lock);
		return NULL;
	}
	if (pk->how.busy) {
		pthread_mutex_unlock(&pk->lock);
		while (!get(&pk->release))
			sched_yield();		/* interrupts on: IPIs run here */
	} else {
		/*
		 * Blocked: IPIs still run.  park_cpu() gets the lock once
		 * this wait has released it, so no IPI is sent before the
		 * CPU blocks (under TSan, a signal that comes just before
		 * may be held until the wait ends).
		 */
		while (!pk->release)
			pthread_cond_wait(&pk->cond, &pk->lock);
		pthread_mutex_unlock(&pk->lock);
	}
	if (pk->how.unpark)
		pk->how.unpark(pk->how.arg);
	mm_cpu_detach();
	return NULL;
}

static inline void park_cpu(unsigned int cpu, struct park how)
{
	struct parked_cpu *pk;

	assert_true(cpu < MAX_PARKED);
	pk = &parked_cpus[cpu];
	assert_false(pk->started);
	*pk = (struct parked_cpu){ .cpu = cpu, .how = how };
	pthread_mutex_init(&pk->lock, NULL);
	pthread_cond_init(&pk->cond, NULL);
	assert_int_equal(pthread_create(&pk->tid, NULL, parked_cpu_main, pk), 0);
	pk->started = 1;
	pthread_mutex_lock(&pk->lock);
	while (!pk->parked)
		pthread_cond_wait(&pk->cond, &pk->lock);
	pthread_mutex_unlock(&pk->lock);
	assert_int_equal(pk->attach_ret, 0);
}

static inline void unpark_cpu(unsigned int cpu)
{
	struct parked_cpu *pk = &parked_cpus[cpu];

	assert_true(pk->started);
	pthread_mutex_lock(&pk->lock);
	set(&pk->release, 1);
	pthread_cond_broadcast(&pk->cond);
	pthread_mutex_unlock(&pk->lock);
	pthread_join(pk->tid, NULL);
	pthread_cond_destroy(&pk->cond);
	pthread_mutex_destroy(&pk->lock);
	pk->started = 0;
}

/* cmocka teardown: a failed test must leave no CPU parked and no machine
 * booted. */
static inline int teardown_machine(void **state)
{
	(void)state;
	for (unsigned int cpu = 0; cpu < MAX_PARKED; cpu++)
		if (parked_cpus[cpu].started)
			unpark_cpu(cpu);
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

/*
 * mmstress as a user runs it: find_mmstress() from main() (the binary is
 * BUILD/tests/<unit|stress>/<suite>, mmstress BUILD/mmstress), then
 * run_mmstress("run", "--ops", "10", NULL): its exit code (128 + signal if
 * killed) and its whole output.
 */
extern char **environ;
static char mmstress_path[PATH_MAX];

static inline int find_mmstress(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(mmstress_path, sizeof(mmstress_path), "%s/../../mmstress", dirname(self));
	return access(mmstress_path, X_OK);
}

struct result {
	int status;		/* exit code, or 128 + signal */
	char *out;
	char *err;
};

/* The whole of an open file. */
static inline char *slurp_fd(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *buf = calloc(1, n > 0 ? (size_t)n + 1 : 1);

	assert_non_null(buf);
	if (n > 0 && pread(fd, buf, (size_t)n, 0) != n)
		buf[0] = '\0';
	return buf;
}

/* A file for the child's output, already unlinked: nothing to clean up. */
static inline int anon_tmp(void)
{
	char path[] = "/tmp/mmstress-test-out-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

/* Run mmstress with the given arguments (NULL-terminated). */
static inline struct result run_mmstress(const char *first, ...)
{
	const char *argv[40] = { mmstress_path };
	posix_spawn_file_actions_t fa;
	struct result r = { 0 };
	int argc = 1, out_fd = anon_tmp(), err_fd = anon_tmp(), status;
	va_list ap;
	pid_t pid;

	va_start(ap, first);
	for (const char *a = first; a && argc < 39; a = va_arg(ap, const char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
	assert_int_equal(posix_spawn(&pid, mmstress_path, &fa, NULL, (char **)argv, environ), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	posix_spawn_file_actions_destroy(&fa);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r.out = slurp_fd(out_fd);
	r.err = slurp_fd(err_fd);
	close(out_fd);
	close(err_fd);
	return r;
}

static inline void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

/* The exit code expected, and no sanitizer report on stderr. */
static inline void assert_clean_exit(struct result *r, int code)
{
	if (r->status != code) {
		/* cmocka cuts long messages: the whole output first, then the
		 * violations (the end of the report) in the failure itself */
		const char *v = strstr(r->out, "\nviolations:");

		fprintf(stderr, "stdout:\n%s\nstderr:\n%.4000s\n", r->out, r->err);
		fail_msg("exit %d, expected %d: %s", r->status, code, v ? v + 1 : r->out);
	}
	if (strstr(r->err, "ThreadSanitizer") || strstr(r->err, "AddressSanitizer") ||
	    strstr(r->err, "runtime error"))
		fail_msg("a sanitizer reported:\n%s", r->err);
}

#endif /* TESTS_TESTUTIL_H */
