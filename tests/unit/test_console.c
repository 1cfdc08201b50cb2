// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_console.c - nothing is printed while a spinlock is held, and
 * the console lock never nests a spinlock: a report made under a
 * spinlock is deferred to the last spin_unlock(); warn_alloc()'s memory
 * summary takes no zone->lock under the console; /proc/zoneinfo writes to
 * its FILE with no zone->lock held.
 *
 * The console's stream is a fopencookie() FILE without buffering, so the
 * test sees every write as it happens and looks at the zone locks then
 * (one CPU runs: a lock word that is not 0 is held by the writer).
 */
#include "../testutil.h"
#include "../../mm/slab.h"

/* What the writer saw (the tests run one CPU: no other thread writes). */
static struct {
	char text[65536];
	size_t len;
	int writes;
	int writes_under_zone_lock;	/* a zone->lock was held at a write */
	unsigned long acq_first, acq_last;	/* zone->lock acquisitions */
	int under_lock;			/* test_lock held at a write */
	int under_slab_lock;		/* slab_caches_lock or a list_lock held */
} seen;

static struct kmem_cache *watched;	/* its node 0 list_lock is looked at */

static spinlock_t test_lock;

static unsigned long zone_lock_acquisitions(void)
{
	struct zone *zone;
	unsigned long n = 0;

	for_each_populated_zone(zone) {
		struct lock_stats st;

		spin_lock_stats_read(&zone->lock, &st);
		n += st.acquisitions;
	}
	return n;
}

static int any_zone_locked(void)
{
	struct zone *zone;

	for_each_populated_zone(zone)
		if (__atomic_load_n(&zone->lock.val, __ATOMIC_RELAXED))
			return 1;
	return 0;
}

static ssize_t spy_write(void *cookie, const char *buf, size_t len)
{
	size_t room = sizeof(seen.text) - 1 - seen.len;

	(void)cookie;
	if (len < room)
		room = len;
	memcpy(seen.text + seen.len, buf, room);
	seen.len += room;
	seen.text[seen.len] = '\0';
	if (!seen.writes++)
		seen.acq_first = zone_lock_acquisitions();
	seen.acq_last = zone_lock_acquisitions();
	seen.writes_under_zone_lock += any_zone_locked();
	seen.under_lock |= __atomic_load_n(&test_lock.val, __ATOMIC_RELAXED) != 0;
	seen.under_slab_lock |= spin_is_locked(&slab_caches_lock) ||
				(watched && spin_is_locked(&watched->node[0]->list_lock));
	return (ssize_t)len;
}

static FILE *spy_open(void)
{
	cookie_io_functions_t io = { .write = spy_write };
	FILE *f;

	memset(&seen, 0, sizeof(seen));
	f = fopencookie(NULL, "w", io);
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}

/*
 * warn_alloc() holds the console for the whole report; its memory summary
 * used to take every zone->lock inside it (while a bad page found under
 * zone->lock takes the console: AB-BA).  No zone->lock may be taken
 * between the report's first and last line.
 */
static void test_alloc_failure_takes_no_zone_lock(void **state)
{
	struct held h = { 0 };
	FILE *spy;
	(void)state;

	boot_attach("mem=16M nodes=1 cpus=1");
	drain_with(&h, GFP_KERNEL);
	spy = spy_open();
	printk_set_output(spy);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	printk_set_output(NULL);
	fclose(spy);
	assert_non_null(strstr(seen.text, "page allocation failure: order:0"));
	assert_non_null(strstr(seen.text, "Node 0 DMA: "));
	assert_true(seen.writes > 10);
	assert_int_equal(seen.acq_last, seen.acq_first);
	assert_int_equal(seen.writes_under_zone_lock, 0);
	held_free_all(&h);
	check_shutdown();
}

/* The head page of the smallest free block: the next order-0 refill's. */
static struct page *next_free_page(struct zone *zone)
{
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		if (!cds_list_empty(&zone->free_area[o].free_list))
			return cds_list_first_entry(&zone->free_area[o].free_list,
						    struct page, lru);
	return NULL;
}

/*
 * A corrupt free page found by a refill (rmqueue_bulk(), under zone->lock):
 * "BUG: Bad page state" is counted at once but printed only once the lock
 * is released, with its dump and call trace.
 */
static void test_bad_page_under_zone_lock_deferred(void **state)
{
	struct zone *zone;
	struct page *bad, *page;
	unsigned long before = report_count(REPORT_BAD_PAGE);
	FILE *spy;
	(void)state;

	boot_attach("mem=16M nodes=1 cpus=1");
	zone = zone_of(0, ZONE_DMA);
	drain_local_pages(NULL);
	bad = next_free_page(zone);
	assert_non_null(bad);
	bad->mapping = (void *)0x1234;		/* a free page must have none */
	spy = spy_open();
	printk_set_output(spy);
	page = alloc_page(GFP_KERNEL);
	printk_set_output(NULL);
	fclose(spy);
	assert_non_null(page);
	assert_true(page != bad);
	assert_int_equal(report_count(REPORT_BAD_PAGE), before + 1);
	assert_non_null(strstr(seen.text, "BUG: Bad page state in process"));
	assert_non_null(strstr(seen.text, "page dumped because: non-NULL mapping"));
	assert_non_null(strstr(seen.text, "Call Trace:"));
	/* the trace is the refill's, taken under the lock */
	assert_non_null(strstr(seen.text, "Call Trace:\n bad_page+"));
	assert_non_null(strstr(seen.text, "pcp_alloc"));
	assert_null(strstr(seen.text, "printk_flush_deferred"));
	assert_int_equal(seen.writes_under_zone_lock, 0);

	/* the bad page was kept out of circulation: repair it and give it back */
	bad->mapping = NULL;
	bad->alloc_order = 0;
	set_page_count(bad, 1);
	__free_page(bad);
	__free_page(page);
	check_shutdown();
}

/* /proc/zoneinfo writes to the caller's FILE with no zone->lock held. */
static void test_zoneinfo_prints_without_zone_lock(void **state)
{
	FILE *spy;
	(void)state;

	boot_attach("mem=64M nodes=2 cpus=2");
	spy = spy_open();
	assert_int_equal(mm_proc_show("zoneinfo", spy), 0);
	fclose(spy);
	assert_non_null(strstr(seen.text, "Node 1, zone    DMA32"));
	assert_true(seen.writes > 10);
	assert_int_equal(seen.writes_under_zone_lock, 0);
	check_shutdown();
}

/* Any report made under a spinlock: counted at once, printed at unlock. */
static const char *hook_headline;
static int hook_calls;

static void hook(enum report_type type, const char *headline)
{
	(void)type;
	hook_calls++;
	hook_headline = strdup(headline);
}

static void warn_under_lock(void)
{
	WARN(1, "a warning made under test_lock\n");
}

static void test_report_under_spinlock_deferred(void **state)
{
	unsigned long before = report_count(REPORT_WARNING);
	unsigned long flags;
	FILE *spy;
	(void)state;

	boot_attach("mem=16M nodes=1 cpus=1");
	spin_lock_init(&test_lock);
	hook_calls = 0;
	spy = spy_open();
	printk_set_output(spy);
	report_set_hook(hook);
	spin_lock_irqsave(&test_lock, flags);
	warn_under_lock();
	printk("a line under test_lock\n");
	assert_int_equal(report_count(REPORT_WARNING), before + 1);
	assert_int_equal(seen.writes, 0);
	assert_int_equal(hook_calls, 0);
	spin_unlock_irqrestore(&test_lock, flags);
	report_set_hook(NULL);
	printk_set_output(NULL);
	fclose(spy);

	assert_int_equal(seen.under_lock, 0);
	assert_int_equal(hook_calls, 1);
	assert_non_null(strstr(hook_headline, "a warning made under test_lock"));
	free((void *)hook_headline);
	/* the kernel's shape, in order, with the trace taken at the WARN */
	assert_non_null(strstr(seen.text, "------------[ cut here ]------------\n"
				"a warning made under test_lock\nWARNING: CPU: 0 PID: "));
	/* taken at the WARN, as an immediate report's would be */
	assert_non_null(strstr(seen.text, "Call Trace:\n"));
	assert_null(strstr(seen.text, " __warn_printf+"));
	assert_null(strstr(seen.text, "printk_flush_deferred"));
	assert_true(strstr(seen.text, "---[ end trace ") <
		    strstr(seen.text, "a line under test_lock"));
	check_shutdown();
}

/*
 * mm_check() walks zones under zone->lock and caches under their locks
 * (slab_caches_lock, list_lock): what it finds is written to its report
 * only once they are released.
 */
static void test_mm_check_reports_without_locks(void **state)
{
	struct kmem_cache *cache;
	struct page *page;
	void *obj;
	FILE *spy;
	int v;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_page(GFP_KERNEL);
	cache = kmem_cache_create("watched", 100, 0, 0, NULL);
	obj = kmem_cache_alloc(cache, GFP_KERNEL);
	watched = cache;
	__SetPageBuddy(page);			/* an allocated frame marked free */
	cache->node[0]->free_objects++;		/* a count the slabs do not hold */
	spy = spy_open();
	v = mm_check(spy);
	fclose(spy);
	watched = NULL;
	assert_int_equal(v, 2);
	assert_non_null(strstr(seen.text, "has PG_buddy but is on no free list"));
	assert_non_null(strstr(seen.text, "mm_check: slab: watched node 0: free_objects is"));
	assert_int_equal(seen.writes_under_zone_lock, 0);
	assert_int_equal(seen.under_slab_lock, 0);
	__ClearPageBuddy(page);
	cache->node[0]->free_objects--;
	kmem_cache_free(cache, obj);
	kmem_cache_destroy(cache);
	__free_page(page);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_alloc_failure_takes_no_zone_lock),
		TEST(test_bad_page_under_zone_lock_deferred),
		TEST(test_zoneinfo_prints_without_zone_lock),
		TEST(test_report_under_spinlock_deferred),
		TEST(test_mm_check_reports_without_locks),
	};

	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
