// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_vmalloc.c - vmalloc against v4.19's mm/vmalloc.c: pages
 * mapped for real at consecutive addresses (checked through the mapping
 * and through vmalloc_to_page()), the guard page (an access past the end
 * kills a child with the oops), alignment, the size limits (0 and more
 * than RAM: NULL and the warning), purge-and-retry when the area is full,
 * vfree() deferred from atomic and interrupt context, the misuses
 * (nonexistent area, double vfree, kfree() of a vmalloc address, vfree()
 * of a kmalloc one) refused with the state intact, vmallocinfo and
 * meminfo, vmap()/vunmap(), highmem pages on x86_32, and many CPUs at
 * once.
 */
#include "../testutil.h"
#include <signal.h>
#include <sys/wait.h>
#include <mmsim/vmalloc.h>

static void fill(unsigned char *p, size_t len, unsigned char seed)
{
	for (size_t i = 0; i < len; i += 64)
		p[i] = (unsigned char)(seed + i / 64);
}

static int filled(const unsigned char *p, size_t len, unsigned char seed)
{
	for (size_t i = 0; i < len; i += 64)
		if (p[i] != (unsigned char)(seed + i / 64))
			return 0;
	return 1;
}

static void test_pages_and_lookups(void **state)
{
	unsigned char *p;
	(void)state;

	boot_attach("nodes=2 cpus=4 mem=256M");
	p = vmalloc(3 * PAGE_SIZE + 1);
	assert_non_null(p);
	assert_true(is_vmalloc_addr(p));
	assert_false(is_vmalloc_addr(&p));
	EXPECT_EQ("vmalloc pages", vmalloc_nr_pages(), 4);
	fill(p, 4 * PAGE_SIZE, 7);
	for (unsigned int i = 0; i < 4; i++) {
		struct page *page = vmalloc_to_page(p + i * PAGE_SIZE + 100);

		assert_non_null(page);
		assert_int_equal(vmalloc_to_pfn(p + i * PAGE_SIZE), page_to_pfn(page));
		/* the same frame through the direct map */
		assert_true(filled(page_address(page), PAGE_SIZE, (unsigned char)(7 + i * 64)));
	}
	assert_null(vmalloc_to_page(p + 4 * PAGE_SIZE));	/* the guard page */
	assert_mm_check_ok();
	vfree(p);
	vfree(NULL);
	EXPECT_EQ("vmalloc pages", vmalloc_nr_pages(), 0);
	assert_null(vmalloc_to_page(p));
	/* zeroed kinds, on a node */
	p = vzalloc_node(5 * PAGE_SIZE, 1);
	assert_non_null(p);
	for (size_t i = 0; i < 5 * PAGE_SIZE; i += 8)
		assert_int_equal(*(uint64_t *)(p + i), 0);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(page_to_nid(vmalloc_to_page(p + i * PAGE_SIZE)), 1);
	vfree(p);
	p = vmalloc_user(PAGE_SIZE);
	assert_non_null(p);
	assert_int_equal(*(uint64_t *)p, 0);
	vfree(p);
	check_shutdown();
}

/* A write one byte past an area faults on its guard page: the child dies
 * of SIGSEGV after the oops. */
static void test_guard_page(void **state)
{
	int fds[2], status;
	char buf[65536];
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	(void)state;

	if (TSAN_BUILD)
		skip();		/* the oops is printed from the signal handler */
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		volatile char *p;

		dup2(fds[1], 2);
		close(fds[0]);
		signal(SIGSEGV, SIG_DFL);	/* not cmocka's: the machine's, then death */
		if (mm_boot("nodes=1 cpus=1 mem=64M") || mm_cpu_attach(0))
			_exit(3);
		p = vmalloc(2 * PAGE_SIZE);
		if (!p)
			_exit(4);
		p[2 * PAGE_SIZE - 1] = 1;		/* the last byte: fine */
		fprintf(stderr, "guard at %016lx\n", (unsigned long)(p + 2 * PAGE_SIZE));
		p[2 * PAGE_SIZE] = 1;			/* one past: the guard */
		_exit(0);
	}
	assert_true(pid > 0);
	close(fds[1]);
	while (len < sizeof(buf) - 1 && (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!ASAN_BUILD) {	/* ASan's own SEGV report ends it with exit 1 */
		if (!WIFSIGNALED(status))
			fail_msg("child status %#x:\n%s", status, buf);
		assert_int_equal(WTERMSIG(status), SIGSEGV);
	}
	{
		const char *g = strstr(buf, "guard at ");
		char want[128];

		assert_non_null(g);
		snprintf(want, sizeof(want), "BUG: unable to handle page fault for address: %.16s\n",
			 g + 9);
		assert_contains(buf, want);
		assert_contains(buf, "#PF: supervisor write access in kernel mode");
	}
}

static void test_alignment(void **state)
{
	static const unsigned long aligns[] = { 2 * PAGE_SIZE, 16 * PAGE_SIZE, 1UL << 20, 4UL << 20 };
	void *small[8], *big[4];
	(void)state;

	boot_attach("nodes=1 cpus=2 mem=128M");
	for (unsigned int round = 0; round < 2; round++) {
		for (unsigned int i = 0; i < 4; i++) {
			small[2 * i] = vmalloc(PAGE_SIZE * (i + 1));
			assert_non_null(small[2 * i]);
			big[i] = __vmalloc_node(3 * PAGE_SIZE, aligns[i], GFP_KERNEL | __GFP_HIGHMEM,
						PAGE_KERNEL, NUMA_NO_NODE, NULL);
			assert_non_null(big[i]);
			if ((unsigned long)big[i] % aligns[i])
				fail_msg("%p is not aligned to %#lx", big[i], aligns[i]);
			small[2 * i + 1] = vmalloc(PAGE_SIZE);
			assert_non_null(small[2 * i + 1]);
		}
		for (unsigned int i = 0; i < 4; i++)
			vfree(big[i]);
		for (unsigned int i = 0; i < 8; i++)
			vfree(small[i]);
		assert_mm_check_ok();
	}
	check_shutdown();
}

static void test_size_limits(void **state)
{
	const char *out;
	char want[96];
	unsigned long huge;
	(void)state;

	boot_attach("nodes=1 cpus=2 mem=64M");
	huge = (totalram_pages + 1) * PAGE_SIZE;
	capture_begin();
	assert_null(vmalloc(0));
	assert_null(vmalloc(huge));
	assert_null(__vmalloc_node(huge, 1, GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL,
				   NUMA_NO_NODE, NULL));
	out = capture_end();
	assert_contains(out, "vmalloc: allocation failure: 0 bytes, mode:0x");
	snprintf(want, sizeof(want), "vmalloc: allocation failure: %lu bytes, mode:0x", huge);
	assert_contains(out, want);
	if (strstr(strstr(out, want) + strlen(want), "allocation failure"))	/* NOWARN */
		fail_msg("a third warning:\n%s", out);
	check_shutdown();
}

/* The area full: freed areas wait lazily (still in the tree), a vmalloc
 * that finds no hole purges them and succeeds on its retry. */
static void test_purge_and_retry(void **state)
{
	enum { CHUNK = 8UL << 20, MAX = 32 };
	void *chunk[MAX];
	unsigned int n = 0;
	const char *out;
	(void)state;

	boot_attach("arch=x86_32 nodes=1 cpus=2 mem=1G");
	capture_begin();
	while (n < MAX && (chunk[n] = vmalloc(CHUNK - PAGE_SIZE)))
		n++;
	out = capture_end();
	assert_true(n > 4 && n < MAX);
	assert_contains(out, "vmap allocation for size 8388608 failed: use vmalloc=<size> to increase size");
	EXPECT_EQ("nothing lazy", vmap_lazy_pages(), 0);
	vfree(chunk[1]);
	vfree(chunk[3]);
	/* 16 MiB: below lazy_max_pages(), so nothing purged yet */
	assert_true(lazy_max_pages() > 4096);
	EXPECT_EQ("lazy pages", vmap_lazy_pages(), 2 * (CHUNK >> PAGE_SHIFT));
	assert_mm_check_ok();
	capture_begin();
	chunk[1] = vmalloc(CHUNK - PAGE_SIZE);
	out = capture_end();
	assert_non_null(chunk[1]);
	EXPECT_EQ("purged", vmap_lazy_pages(), 0);
	assert_null(strstr(out, "vmap allocation"));
	for (unsigned int i = 0; i < n; i++)
		if (i != 3)
			vfree(chunk[i]);
	vm_unmap_aliases();
	EXPECT_EQ("purged", vmap_lazy_pages(), 0);
	check_shutdown();
}

/* vfree() in atomic or interrupt context: the area stays until the CPU's
 * work runs (its next cond_resched()). */
static void test_deferred_vfree(void **state)
{
	unsigned long before;
	void *p, *q;
	(void)state;

	boot_attach("nodes=1 cpus=2 mem=64M");
	p = vmalloc(3 * PAGE_SIZE);
	q = vmalloc(2 * PAGE_SIZE);
	assert_non_null(p);
	assert_non_null(q);
	before = report_violations();
	local_irq_disable();
	vfree(p);
	local_irq_enable();
	irq_enter();
	vfree(q);
	irq_exit();
	EXPECT_EQ("no report", report_violations(), before);
	EXPECT_EQ("still live", vmalloc_nr_pages(), 5);
	assert_mm_check_ok();
	cond_resched();
	EXPECT_EQ("freed by the work", vmalloc_nr_pages(), 0);
	check_shutdown();
}

static void vfree_fn(const void *p) { vfree(p); }
static void kfree_fn(const void *p) { kfree(p); }
static void vfree_irq_fn(const void *p) { irq_enter(); vfree(p); irq_exit(); }

static void test_misuse(void **state)
{
	const char *out;
	char *p, *k, *k4;
	char want[96];
	(void)state;

	boot_attach("nodes=1 cpus=2 mem=64M");
	p = vmalloc(2 * PAGE_SIZE);
	k = kmalloc(64, GFP_KERNEL);
	k4 = kmalloc(PAGE_SIZE, GFP_KERNEL);
	assert_non_null(p);
	fill((unsigned char *)p, 2 * PAGE_SIZE, 3);
	memset(k, 0x5a, 64);
	memset(k4, 0x5b, PAGE_SIZE);

	/* no area there: after p's guard page, and inside p */
	out = refused(vfree_fn, p + 8 * PAGE_SIZE);
	snprintf(want, sizeof(want), "Trying to vfree() nonexistent vm area (%p)", p + 8 * PAGE_SIZE);
	assert_contains(out, want);
	assert_contains(out, "WARNING: CPU: 0");
	out = refused(vfree_fn, p + PAGE_SIZE);
	assert_contains(out, "Trying to vfree() nonexistent vm area");
	/* kmalloc addresses: not page aligned, then page aligned */
	out = refused(vfree_fn, k);
	snprintf(want, sizeof(want), "Trying to vfree() bad address (%p)", (void *)k);
	assert_contains(out, want);
	out = refused(vfree_fn, k4);
	assert_contains(out, "Trying to vfree() nonexistent vm area");
	/* kfree() of a vmalloc address */
	out = refused(kfree_fn, p);
	assert_contains(out, "BUG: kfree(");
	assert_contains(out, "a vmalloc address");
	/* all of it intact */
	assert_true(filled((unsigned char *)p, 2 * PAGE_SIZE, 3));
	for (int i = 0; i < 64; i++)
		assert_int_equal((unsigned char)k[i], 0x5a);
	assert_int_equal((unsigned char)k4[PAGE_SIZE - 1], 0x5b);
	EXPECT_EQ("p live", vmalloc_nr_pages(), 2);
	/* double vfree: the second finds nothing (lazily freed) */
	vfree(p);
	out = refused(vfree_fn, p);
	assert_contains(out, "Trying to vfree() nonexistent vm area");
	/* the same from interrupt context, reported where it is made */
	out = refused(vfree_irq_fn, p);
	assert_contains(out, "Trying to vfree() nonexistent vm area");
	kfree(k);
	kfree(k4);
	check_shutdown();
}

static void test_vmallocinfo_and_meminfo(void **state)
{
	char want[256], *info, *mem;
	struct page *pages[3];
	void *p, *m;
	(void)state;

	boot_attach("nodes=2 cpus=4 mem=256M");
	p = vmalloc_node(3 * PAGE_SIZE, 1);
	assert_non_null(p);
	for (int i = 0; i < 3; i++)
		assert_non_null(pages[i] = alloc_page(GFP_KERNEL));
	m = vmap(pages, 3, VM_MAP, PAGE_KERNEL);
	assert_non_null(m);
	info = proc_text("vmallocinfo");
	snprintf(want, sizeof(want), "0x%016lx-0x%016lx   16384 test_vmallocinfo_and_meminfo+0x",
		 (unsigned long)p, (unsigned long)p + 4 * PAGE_SIZE);
	assert_contains(info, want);
	assert_contains(info, " pages=3 vmalloc N1=3\n");
	snprintf(want, sizeof(want), "0x%016lx-0x%016lx   16384 test_vmallocinfo_and_meminfo+0x",
		 (unsigned long)m, (unsigned long)m + 4 * PAGE_SIZE);
	assert_contains(info, want);
	assert_contains(info, " vmap\n");
	free(info);
	vfree(p);
	info = proc_text("vmallocinfo");
	snprintf(want, sizeof(want), "0x%016lx-0x%016lx   16384 unpurged vm_area\n",
		 (unsigned long)p, (unsigned long)p + 4 * PAGE_SIZE);
	assert_contains(info, want);
	free(info);
	mem = proc_text("meminfo");
	assert_contains(mem, "VmallocTotal:   34359738367 kB\n");
	assert_contains(mem, "VmallocUsed:           0 kB\n");
	assert_contains(mem, "VmallocChunk:          0 kB\n");
	free(mem);
	vunmap(m);
	for (int i = 0; i < 3; i++)
		__free_page(pages[i]);
	check_shutdown();
}

static void test_vmap(void **state)
{
	struct page *pages[4];
	unsigned char *m;
	(void)state;

	boot_attach("nodes=1 cpus=2 mem=64M");
	for (int i = 0; i < 4; i++) {
		/* out of order, so the frames are not one run */
		pages[3 - i] = alloc_page(GFP_KERNEL);
		assert_non_null(pages[3 - i]);
		fill(page_address(pages[3 - i]), PAGE_SIZE, (unsigned char)(40 + 3 - i));
	}
	m = vmap(pages, 4, VM_MAP, PAGE_KERNEL);
	assert_non_null(m);
	for (int i = 0; i < 4; i++) {
		assert_true(filled(m + i * PAGE_SIZE, PAGE_SIZE, (unsigned char)(40 + i)));
		assert_ptr_equal(vmalloc_to_page(m + i * PAGE_SIZE), pages[i]);
	}
	m[PAGE_SIZE + 5] = 0xee;
	assert_int_equal(((unsigned char *)page_address(pages[1]))[5], 0xee);
	EXPECT_EQ("vmap's pages are not vmalloc's", vmalloc_nr_pages(), 0);
	assert_mm_check_ok();
	vunmap(m);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ("the pages stay", page_count(pages[i]), 1);
	assert_int_equal(((unsigned char *)page_address(pages[1]))[5], 0xee);
	for (int i = 0; i < 4; i++)
		__free_page(pages[i]);
	check_shutdown();
}

/* x86_32 with highmem: vmalloc's pages come from HighMem first (they have
 * no direct-map address; the vmalloc address reaches them), vmalloc_32's
 * never. */
static void test_highmem_pages(void **state)
{
	unsigned int high = 0;
	unsigned char *p, *q;
	(void)state;

	boot_attach("arch=x86_32 nodes=2 cpus=8 mem=1G");
	p = vmalloc_node(64 * PAGE_SIZE, 1);	/* node 1 holds HighMem */
	q = vmalloc_32(16 * PAGE_SIZE);
	assert_non_null(p);
	assert_non_null(q);
	fill(p, 64 * PAGE_SIZE, 9);
	for (unsigned int i = 0; i < 64; i++) {
		struct page *page = vmalloc_to_page(p + i * PAGE_SIZE);

		if (PageHighMem(page)) {
			high++;
			assert_null(page_address(page));
		}
	}
	assert_true(high > 0);
	for (unsigned int i = 0; i < 16; i++)
		assert_false(PageHighMem(vmalloc_to_page(q + i * PAGE_SIZE)));
	assert_true(filled(p, 64 * PAGE_SIZE, 9));
	assert_mm_check_ok();
	vfree(p);
	vfree(q);
	check_shutdown();
}

/* Many CPUs (more than the host has) vmalloc and vfree at once, some
 * frees deferred: patterns intact, the check clean (TSan: no race). */
static void churn(struct cpu_job *job)
{
	unsigned long long seed = job->cpu * 7919ULL + 1;
	long *bad = job->arg;

	for (int i = 0; i < 150; i++) {
		unsigned long pages = 1 + next_rand(&seed) % 12;
		unsigned char *p = vmalloc(pages * PAGE_SIZE);

		if (!p)
			continue;
		fill(p, pages * PAGE_SIZE, (unsigned char)(job->cpu + i));
		cond_resched();
		if (!filled(p, pages * PAGE_SIZE, (unsigned char)(job->cpu + i)))
			__atomic_add_fetch(bad, 1, __ATOMIC_RELAXED);
		if (next_rand(&seed) % 4 == 0) {
			local_irq_disable();
			vfree(p);
			local_irq_enable();
		} else {
			vfree(p);
		}
	}
	cond_resched();		/* the deferred frees */
}

static void test_many_cpus(void **state)
{
	struct cpu_job jobs[16];
	long bad = 0;
	(void)state;

	boot_attach("nodes=2 cpus=16 mem=512M");
	mm_cpu_detach();
	for (unsigned int c = 0; c < 16; c++)
		cpu_job_start(&jobs[c], c, churn, &bad);
	for (unsigned int c = 0; c < 16; c++)
		cpu_job_join(&jobs[c]);
	assert_int_equal(mm_cpu_attach(0), 0);
	EXPECT_EQ("corrupted areas", bad, 0);
	EXPECT_EQ("vmalloc pages", vmalloc_nr_pages(), 0);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_pages_and_lookups),
		TEST(test_guard_page),
		TEST(test_alignment),
		TEST(test_size_limits),
		TEST(test_purge_and_retry),
		TEST(test_deferred_vfree),
		TEST(test_misuse),
		TEST(test_vmallocinfo_and_meminfo),
		TEST(test_vmap),
		TEST(test_highmem_pages),
		TEST(test_many_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
