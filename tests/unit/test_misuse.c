// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_misuse.c - every misuse is reported in the kernel's words,
 * counted, and refused: the allocator's state stays exact (mm_check() is
 * clean, the free count unchanged) and the owner still owns its page.
 */
#include "../testutil.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run fn with the console captured; assert one more report of `type`,
 * the free count unchanged and mm_check() clean.  Returns the text. */
static const char *misuse(void (*fn)(void *), void *arg, enum report_type type)
{
	unsigned long before = report_count(type), free = nr_free_pages();
	const char *out;

	capture_begin();
	fn(arg);
	out = capture_end();
	if (report_count(type) != before + 1)
		fail_msg("expected one report of type %d, got %lu:\n%s", type,
			 report_count(type) - before, out);
	assert_int_equal(nr_free_pages(), free);
	assert_mm_check_ok();
	return out;
}

static void do_free0(void *p) { __free_pages(p, 0); }
static void do_free1(void *p) { __free_pages(p, 1); }
static void do_free3(void *p) { __free_pages(p, 3); }
static void do_free2(void *p) { __free_pages(p, 2); }
static void do_free11(void *p) { __free_pages(p, 11); }
static void do_put(void *p) { put_page(p); }
static void do_get(void *p) { get_page(p); }
static void do_free_addr(void *p) { free_pages((unsigned long)p, 0); }

static void test_double_free(void **state)
{
	struct page *page, *big;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 0);
	big = alloc_pages(GFP_KERNEL, 3);
	__free_pages(page, 0);
	out = misuse(do_free0, page, REPORT_BAD_PAGE);
	assert_contains(out, "BUG: Bad page state in process ");
	assert_contains(out, "  pfn:");
	assert_contains(out, "page:");
	assert_contains(out, " count:0 mapcount:0 mapping:0000000000000000 index:0x0\n");
	assert_contains(out, "flags: 0x");
	assert_contains(out, "raw: ");
	assert_contains(out, "page dumped because: ");
	assert_contains(out, "Modules linked in:\n");
	assert_contains(out, "Call Trace:\n");
	assert_contains(out, "__free_pages");
	/* as in the kernel, the taint comes after the report that set it */
	assert_contains(print_tainted(), "Tainted: G    B");

	__free_pages(big, 3);
	out = misuse(do_free3, big, REPORT_BAD_PAGE);
	assert_contains(out, "double free");
	assert_contains(out, "Tainted: G    B");
	/* put_page of a free page too */
	misuse(do_put, big, REPORT_BAD_PAGE);
	check_shutdown();
}

static void test_wrong_order(void **state)
{
	struct page *page;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 2);
	out = misuse(do_free1, page, REPORT_BAD_PAGE);
	assert_contains(out, "page dumped because: freed with order 1, allocated with order 2");
	assert_int_equal(page_count(page), 1);		/* still the owner's */
	out = misuse(do_free0, page, REPORT_BAD_PAGE);
	assert_contains(out, "freed with order 0, allocated with order 2");
	/* put_page of a non-compound order-2 block would free one page */
	out = misuse(do_put, page, REPORT_BAD_PAGE);
	assert_contains(out, "freed with order 0, allocated with order 2");
	out = misuse(do_free3, page, REPORT_BAD_PAGE);
	assert_contains(out, "freed with order 3, allocated with order 2");
	__free_pages(page, 2);				/* the right free works */
	assert_int_equal(allocated_pages(), 0);
	check_shutdown();
}

static void test_free_inside_a_block(void **state)
{
	struct page *page;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 2);
	out = misuse(do_free0, page + 1, REPORT_BAD_PAGE);
	assert_contains(out, "not the first page of its block");
	__free_pages(page, 2);
	check_shutdown();
}

static void test_bad_page_state_at_free(void **state)
{
	struct page *page, *comp;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 0);
	SetPageSlab(page);
	if (TEST_SLAB) {
		out = misuse(do_free0, page, REPORT_BAD_PAGE);
	} else {
		/* SLUB's and SLOB's walkers count every PG_slab page as theirs:
		 * the flag goes before mm_check() runs */
		unsigned long bad = report_count(REPORT_BAD_PAGE), free = nr_free_pages();

		capture_begin();
		do_free0(page);
		out = capture_end();
		assert_int_equal(report_count(REPORT_BAD_PAGE), bad + 1);
		assert_int_equal(nr_free_pages(), free);
		ClearPageSlab(page);
		assert_mm_check_ok();
	}
	assert_contains(out, "flags: 0x100(slab)\n");
	assert_contains(out, "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
	ClearPageSlab(page);
	__free_pages(page, 0);

	/* a compound page whose tail lost its head pointer */
	comp = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	WRITE_ONCE(comp[2].lru.next, NULL);
	out = misuse(do_free2, comp, REPORT_BAD_PAGE);
	assert_contains(out, "page dumped because: PageTail not set");
	assert_int_equal(page_count(comp), 1);
	WRITE_ONCE(comp[2].lru.next, (struct cds_list_head *)((unsigned long)comp | 1));
	__free_pages(comp, 2);
	assert_int_equal(allocated_pages(), 0);
	check_shutdown();
}

static void test_bad_pointers_and_addresses(void **state)
{
	struct page *page;
	int on_stack;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 0);
	out = misuse(do_free0, (char *)page + 8, REPORT_BUG);
	assert_contains(out, "bad page pointer");
	misuse(do_free0, pfn_to_page(__mm_layout.max_pfn + 10), REPORT_BUG);
	misuse(do_free0, (void *)&on_stack, REPORT_BUG);
	misuse(do_put, NULL, REPORT_BUG);
	out = misuse(do_free_addr, &on_stack, REPORT_BUG);
	assert_contains(out, "not a page-aligned direct-map address");
	out = misuse(do_free_addr, (char *)page_address(page) + 16, REPORT_BUG);
	assert_contains(out, "not a page-aligned direct-map address");
	free_pages(0, 0);			/* NULL is a no-op */
	free_pages((unsigned long)page_address(page), 0);
	assert_int_equal(allocated_pages(), 0);
	check_shutdown();
}

static void do_alloc11(void *p) { *(struct page **)p = alloc_pages(GFP_KERNEL, MAX_ORDER); }

static void test_max_order(void **state)
{
	struct page *page = (void *)1;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	out = misuse(do_alloc11, &page, REPORT_WARNING);
	assert_null(page);
	assert_contains(out, "page allocation of order 11: MAX_ORDER is 11");
	assert_contains(out, "WARNING: CPU: 0 PID: ");
	assert_contains(out, "mm/page_alloc.c:");
	capture_begin();
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER));
	assert_string_equal(capture_end(), "");
	page = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	out = misuse(do_free11, page, REPORT_WARNING);
	assert_contains(out, "MAX_ORDER is 11");
	__free_pages(page, MAX_ORDER - 1);
	check_shutdown();
}

static void do_alloc_kernel(void *p) { *(struct page **)p = alloc_pages(GFP_KERNEL, 0); }

static void test_sleeping_alloc_in_atomic_context(void **state)
{
	struct page *page = (void *)1;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	preempt_disable();
	out = misuse(do_alloc_kernel, &page, REPORT_BUG);
	assert_null(page);
	assert_contains(out, "BUG: sleeping function called from invalid context at mm/page_alloc.c:");
	assert_contains(out, "in_atomic(): 1, irqs_disabled(): 0, pid: ");
	/* atomic allocations are what atomic context is for */
	page = alloc_pages(GFP_ATOMIC, 0);
	assert_non_null(page);
	__free_pages(page, 0);
	page = alloc_pages(GFP_NOWAIT, 0);
	assert_non_null(page);
	__free_pages(page, 0);
	preempt_enable();

	local_irq_disable();
	out = misuse(do_alloc_kernel, &page, REPORT_BUG);
	assert_contains(out, "in_atomic(): 0, irqs_disabled(): 1");
	local_irq_enable();
	irq_enter();
	assert_true(in_interrupt());
	misuse(do_alloc_kernel, &page, REPORT_BUG);
	irq_exit();
	assert_false(in_interrupt());
	page = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(page);
	__free_pages(page, 0);
	check_shutdown();
}

static void test_get_page_on_free_page(void **state)
{
	struct page *page;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 0);
	__free_pages(page, 0);
	out = misuse(do_get, page, REPORT_BUG);
	assert_contains(out, "page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) <= 0)");
	assert_int_equal(page_count(page), 0);
	check_shutdown();
}

static void do_nonatomic_set(void *arg)
{
	__SetPageReferenced(arg);
}

static void do_nonatomic_clear(void *arg)
{
	__ClearPageReferenced(arg);
}

/* A non-atomic flag write (a load, then a store of the word) on a page
 * someone else holds could undo a bit they changed meanwhile (reclaim's
 * isolation once undid an unlock_page() so): a BUG, and the bit written
 * atomically.  On a page the caller alone holds it is silent. */
static void test_nonatomic_flag_on_a_held_page(void **state)
{
	unsigned long bugs;
	struct page *page;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(page);
	bugs = report_count(REPORT_BUG);
	__SetPageReferenced(page);			/* ours alone */
	__ClearPageReferenced(page);
	EXPECT_EQ("BUG reports", report_count(REPORT_BUG), bugs);
	get_page(page);					/* another holder */
	out = misuse(do_nonatomic_set, page, REPORT_BUG);
	assert_contains(out, "page dumped because: a non-atomic set of referenced on a page "
			     "others hold (count 2)");
	assert_true(PageReferenced(page));
	out = misuse(do_nonatomic_clear, page, REPORT_BUG);
	assert_contains(out, "a non-atomic clear of referenced");
	assert_false(PageReferenced(page));
	put_page(page);
	__free_pages(page, 0);
	check_shutdown();
}

static void test_bad_page_ratelimit(void **state)
{
	unsigned long before;
	struct page *page;
	const char *out;
	int shown = 0;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=1");
	page = alloc_pages(GFP_KERNEL, 0);
	__free_pages(page, 0);
	before = report_count(REPORT_BAD_PAGE);
	capture_begin();
	for (int i = 0; i < 70; i++)
		__free_pages(page, 0);
	out = capture_end();
	/* at most 60 a minute reach the console, every one is counted */
	assert_int_equal(report_count(REPORT_BAD_PAGE), before + 70);
	for (const char *p = out; (p = strstr(p, "BUG: Bad page state in process")); p++)
		shown++;
	assert_true(shown <= 60);
	assert_true(shown < 70);
	check_shutdown();
}

static void test_panic_on_warn(void **state)
{
	int status;
	pid_t pid;
	(void)state;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		FILE *devnull = fopen("/dev/null", "w");

		printk_set_output(devnull);
		printk_set_quiet(1);
		if (mm_boot("mem=16M panic_on_warn") || mm_cpu_attach(0))
			_exit(3);
		alloc_pages(GFP_KERNEL, MAX_ORDER);	/* WARN -> panic */
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_double_free),
		TEST(test_wrong_order),
		TEST(test_free_inside_a_block),
		TEST(test_bad_page_state_at_free),
		TEST(test_bad_pointers_and_addresses),
		TEST(test_max_order),
		TEST(test_sleeping_alloc_in_atomic_context),
		TEST(test_get_page_on_free_page),
		TEST(test_nonatomic_flag_on_a_held_page),
		TEST(test_bad_page_ratelimit),
		TEST(test_panic_on_warn),
	};

	return cmocka_run_group_tests_name("misuse", tests, NULL, NULL);
}
