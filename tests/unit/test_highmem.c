// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_highmem.c - kmap() and kmap_atomic() (mm/highmem.c) on
 * an x86_32 machine with highmem, larger than the host (16 CPUs): slot
 * sharing, the 1025th kmap() sleeping until a kunmap(), the flush of stale
 * slots on a wrap, kmap_atomic() nesting and order, the hashed
 * page_address(), lowmem pages, and each misuse reported and refused.
 */
#include "../testutil.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../numa/vmspace.h"

#define HIGHMEM_BOOT	"arch=x86_32 nodes=2 cpus=16 mem=1G"

static struct page *high_page(void)
{
	/* the last node holds the highmem zone (above 896 MiB) */
	struct page *page = alloc_pages_node((int)num_online_nodes() - 1, GFP_HIGHUSER, 0);

	assert_non_null(page);
	assert_true(PageHighMem(page));
	return page;
}

static int in_pkmap_window(const void *p)
{
	return (const char *)p >= vmspace.pkmap_base &&
	       (const char *)p < vmspace.pkmap_base + LAST_PKMAP * PAGE_SIZE;
}

static unsigned int slot_of(const void *p)
{
	return (unsigned int)(((const char *)p - vmspace.pkmap_base) / PAGE_SIZE);
}

/* Does reading addr fault?  In a child process, which dies of it. */
static int faults(const volatile char *addr)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		signal(SIGSEGV, SIG_DFL);
		(void)*addr;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
}

static void test_kmap_shares_a_slot(void **state)
{
	struct page *h, *l;
	struct pkmap_stats st;
	char *a, *b;
	(void)state;

	boot_attach(HIGHMEM_BOOT);
	h = high_page();
	assert_null(page_address(h));
	a = kmap(h);
	assert_non_null(a);
	assert_true(in_pkmap_window(a));
	assert_ptr_equal(page_address(h), a);
	assert_ptr_equal(kmap_to_page(a), h);
	b = kmap(h);
	assert_ptr_equal(b, a);			/* one slot, two users */
	assert_int_equal(pkmap_slot_count(slot_of(a)), 3);
	pkmap_stats_read(&st);
	assert_int_equal(st.maps, 1);
	assert_int_equal(st.mapped, 1);
	memset(a, 0x5a, PAGE_SIZE);
	kunmap(h);
	assert_int_equal(pkmap_slot_count(slot_of(a)), 2);
	assert_int_equal((unsigned char)b[PAGE_SIZE - 1], 0x5a);
	kunmap(h);
	/* stale: no user, still mapped until the next wrap */
	assert_int_equal(pkmap_slot_count(slot_of(a)), 1);
	assert_ptr_equal(page_address(h), a);
	assert_ptr_equal(kmap(h), a);		/* taken again as it is */
	kunmap(h);
	pkmap_stats_read(&st);
	assert_int_equal(st.maps, 1);

	/* lowmem: the direct map, no slot */
	l = alloc_page(GFP_KERNEL);
	assert_non_null(l);
	assert_false(PageHighMem(l));
	assert_ptr_equal(kmap(l), page_address(l));
	kunmap(l);
	a = kmap_atomic(l);
	assert_ptr_equal(a, page_address(l));
	assert_int_equal(kmap_atomic_depth(), 0);
	assert_true(in_atomic());		/* preemption off all the same */
	assert_true(pagefault_disabled());
	kunmap_atomic(a);
	assert_false(in_atomic());
	assert_false(pagefault_disabled());
	pkmap_stats_read(&st);
	assert_int_equal(st.maps, 1);
	__free_page(l);
	__free_page(h);
	check_shutdown();
}

static void test_x86_64_is_all_lowmem(void **state)
{
	struct page *page;
	void *p;
	(void)state;

	boot_attach("nodes=1 cpus=2 mem=256M");
	page = alloc_page(GFP_HIGHUSER);
	assert_non_null(page);
	assert_false(PageHighMem(page));
	assert_ptr_equal(kmap(page), page_address(page));
	kunmap(page);
	p = kmap_atomic(page);
	assert_ptr_equal(p, page_address(page));
	kunmap_atomic(p);
	assert_int_equal(pkmap_slot_count(0), -1);
	__free_page(page);
	check_shutdown();
}

/* The 1025th concurrent kmap(): CPU 1 sleeps until CPU 0 kunmaps one. */
struct waiter {
	struct page *page;
	int started, done;
	void *addr;
};

static void *kmap_waiter(void *arg)
{
	struct waiter *w = arg;
	void *addr;

	assert_int_equal(mm_cpu_attach(1), 0);
	set(&w->started, 1);
	addr = kmap(w->page);
	w->addr = addr;
	set(&w->done, 1);
	mm_cpu_detach();
	return NULL;
}

static void test_kmap_sleeps_until_kunmap(void **state)
{
	static struct page *pages[LAST_PKMAP];
	struct waiter w = { 0 };
	struct pkmap_stats st;
	pthread_t tid;
	char *addr0;
	(void)state;

	boot_attach(HIGHMEM_BOOT);
	for (unsigned int i = 0; i < LAST_PKMAP; i++) {
		char *p;

		pages[i] = high_page();
		p = kmap(pages[i]);
		assert_non_null(p);
		p[0] = (char)i;
	}
	pkmap_stats_read(&st);
	assert_int_equal(st.in_use, LAST_PKMAP);
	addr0 = page_address(pages[0]);
	w.page = high_page();
	assert_int_equal(pthread_create(&tid, NULL, kmap_waiter, &w), 0);
	assert_true(wait_ge(&w.started, 1, LONG_WAIT_S, 1));
	/* asleep on pkmap_map_wait, not done */
	for (double end = now_s() + LONG_WAIT_S; !cpu_task_sleeping(1) && now_s() < end;)
		nap_us(100);
	assert_true(cpu_task_sleeping(1));
	assert_int_equal(get(&w.done), 0);
	pkmap_stats_read(&st);
	assert_int_equal(st.sleeps, 1);

	kunmap(pages[0]);			/* a stale slot: the waiter's */
	assert_true(wait_ge(&w.done, 1, LONG_WAIT_S, 1));
	pthread_join(tid, NULL);
	assert_ptr_equal(w.addr, addr0);	/* the flushed slot, reused */
	assert_ptr_equal(page_address(w.page), w.addr);
	assert_null(page_address(pages[0]));
	assert_int_equal(pkmap_slot_count(slot_of(w.addr)), 2);
	pkmap_stats_read(&st);
	assert_int_equal(st.flushed, 1);
	assert_mm_check_ok();

	kunmap(w.page);
	__free_page(w.page);
	for (unsigned int i = 1; i < LAST_PKMAP; i++) {
		assert_int_equal(((char *)page_address(pages[i]))[0], (char)i);
		kunmap(pages[i]);
	}
	for (unsigned int i = 0; i < LAST_PKMAP; i++)
		__free_page(pages[i]);
	check_shutdown();
}

static void test_wrap_flushes_stale_slots(void **state)
{
	static struct page *pages[LAST_PKMAP - 1];
	struct pkmap_stats st;
	struct page *extra;
	char *old, *p;
	(void)state;

	boot_attach(HIGHMEM_BOOT);
	/* slots 1..1023: the scan starts after slot 0, and wraps to it */
	for (unsigned int i = 0; i < LAST_PKMAP - 1; i++) {
		pages[i] = high_page();
		p = kmap(pages[i]);
		assert_non_null(p);
		kunmap(pages[i]);
	}
	pkmap_stats_read(&st);
	assert_int_equal(st.mapped, LAST_PKMAP - 1);	/* all stale */
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.flushes, 0);
	old = page_address(pages[5]);
	assert_non_null(old);
	assert_false(faults(old));

	extra = high_page();
	p = kmap(extra);			/* the scan wraps: one flush */
	assert_non_null(p);
	pkmap_stats_read(&st);
	assert_int_equal(st.flushes, 1);
	assert_int_equal(st.flushed, LAST_PKMAP - 1);
	assert_int_equal(st.mapped, 1);
	assert_ptr_equal(p, vmspace.pkmap_base);	/* slot 0 */
	for (unsigned int i = 0; i < LAST_PKMAP - 1; i++)
		assert_null(page_address(pages[i]));
	assert_true(faults(old));		/* unmapped for real */
	assert_mm_check_ok();
	kunmap(extra);
	__free_page(extra);
	for (unsigned int i = 0; i < LAST_PKMAP - 1; i++)
		__free_page(pages[i]);
	check_shutdown();
}

static void test_kmap_atomic_nesting(void **state)
{
	struct page *pages[KM_TYPE_NR + 1];
	char *addr[KM_TYPE_NR];
	unsigned long bugs;
	const char *out;
	(void)state;

	boot_attach(HIGHMEM_BOOT);
	for (int i = 0; i <= KM_TYPE_NR; i++)
		pages[i] = high_page();
	for (int round = 0; round < 2; round++) {
		for (int d = 0; d < KM_TYPE_NR; d++) {
			addr[d] = kmap_atomic(pages[d]);
			assert_non_null(addr[d]);
			/* depth d of CPU 0: always the same slot */
			assert_ptr_equal(addr[d], vmspace.fixmap_base + (size_t)d * PAGE_SIZE);
			assert_int_equal(kmap_atomic_depth(), d + 1);
			if (!round)
				memset(addr[d], 0x10 + d, PAGE_SIZE);
			else
				assert_int_equal(addr[d][PAGE_SIZE / 2], 0x10 + d);
		}
		if (!round) {
			/* the 21st: reported, refused, nothing changes */
			bugs = report_count(REPORT_BUG);
			capture_begin();
			assert_null(kmap_atomic(pages[KM_TYPE_NR]));
			out = capture_end();
			assert_int_equal(report_count(REPORT_BUG), bugs + 1);
			assert_contains(out, "kernel BUG at mm/highmem.c:");
			assert_int_equal(kmap_atomic_depth(), KM_TYPE_NR);
		}
		for (int d = KM_TYPE_NR - 1; d >= 0; d--)
			kunmap_atomic(addr[d]);
		assert_int_equal(kmap_atomic_depth(), 0);
		assert_false(in_atomic());
		assert_true(faults(addr[0]));
	}
	assert_mm_check_ok();
	for (int i = 0; i <= KM_TYPE_NR; i++)
		__free_page(pages[i]);
	check_shutdown();
}

static void test_kunmap_atomic_out_of_order(void **state)
{
	struct page *p1, *p2;
	unsigned long warns;
	const char *out;
	char *a, *b;
	(void)state;

	boot_attach(HIGHMEM_BOOT);
	p1 = high_page();
	p2 = high_page();
	a = kmap_atomic(p1);
	b = kmap_atomic(p2);
	warns = report_count(REPORT_WARNING);
	capture_begin();
	kunmap_atomic(a);			/* not the last one */
	out = capture_end();
	assert_int_equal(report_count(REPORT_WARNING), warns + 1);
	assert_contains(out, "WARNING: CPU: 0 ");
	assert_contains(out, "not CPU#0's last kmap_atomic()");
	assert_int_equal(kmap_atomic_depth(), 2);	/* refused */
	assert_int_equal(a[0], a[0]);		/* both still mapped */
	b[1] = 1;
	kunmap_atomic(b);
	kunmap_atomic(a);
	assert_int_equal(kmap_atomic_depth(), 0);
	/* and one with nothing held */
	capture_begin();
	kunmap_atomic(a);
	out = capture_end();
	assert_int_equal(report_count(REPORT_WARNING), warns + 2);
	assert_contains(out, "with no kmap_atomic() held");
	assert_false(in_atomic());
	__free_page(p1);
	__free_page(p2);
	check_shutdown();
}

static void test_sleep_under_kmap_atomic(void **state)
{
	struct page *h, *other;
	unsigned long bugs;
	const char *out;
	char *a;
	(void)state;

	boot_attach(HIGHMEM_BOOT);
	h = high_page();
	other = high_page();
	a = kmap_atomic(h);
	bugs = report_count(REPORT_BUG);
	capture_begin();
	assert_null(kmap(other));		/* may sleep: refused */
	out = capture_end();
	assert_int_equal(report_count(REPORT_BUG), bugs + 1);
	assert_contains(out, "BUG: sleeping function called from invalid context at mm/highmem.c:");
	assert_contains(out, "in_atomic(): 1");
	assert_null(page_address(other));
	kunmap_atomic(a);
	assert_mm_check_ok();
	__free_page(h);
	__free_page(other);
	check_shutdown();
}

static void test_kunmap_misuse(void **state)
{
	unsigned long bugs;
	struct page *h;
	const char *out;
	char *a;
	(void)state;

	boot_attach(HIGHMEM_BOOT);
	h = high_page();
	bugs = report_count(REPORT_BUG);
	capture_begin();
	kunmap(h);				/* never kmapped */
	out = capture_end();
	assert_int_equal(report_count(REPORT_BUG), bugs + 1);
	assert_contains(out, "BUG: kunmap() of page ");
	assert_contains(out, "that is not kmapped");

	a = kmap(h);
	kunmap(h);
	capture_begin();
	kunmap(h);				/* once too often */
	out = capture_end();
	assert_int_equal(report_count(REPORT_BUG), bugs + 2);
	assert_contains(out, "that no one holds kmapped");
	assert_int_equal(pkmap_slot_count(slot_of(a)), 1);	/* unchanged */

	a = kmap(h);
	irq_enter();
	capture_begin();
	kunmap(h);				/* from interrupt context */
	out = capture_end();
	irq_exit();
	assert_int_equal(report_count(REPORT_BUG), bugs + 3);
	assert_contains(out, "kernel BUG at mm/highmem.c:");
	assert_int_equal(pkmap_slot_count(slot_of(a)), 2);	/* still held */
	assert_mm_check_ok();
	kunmap(h);
	__free_page(h);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmap_shares_a_slot),
		cmocka_unit_test(test_x86_64_is_all_lowmem),
		cmocka_unit_test(test_kmap_sleeps_until_kunmap),
		cmocka_unit_test(test_wrap_flushes_stale_slots),
		cmocka_unit_test(test_kmap_atomic_nesting),
		cmocka_unit_test(test_kunmap_atomic_out_of_order),
		cmocka_unit_test(test_sleep_under_kmap_atomic),
		cmocka_unit_test(test_kunmap_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
