// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_filemap.c - the page cache and files (mm/filemap.c,
 * mm/page_writeback.c): reads see writes through the cache, data survives
 * write-back and the page's eviction (drop_pagecache(), then a read from
 * the disk), vfs_fsync() leaves nothing dirty, remove_mapping_file()
 * refuses a pinned or dirty page and frees a clean one, the dirty limit
 * makes writers write back, two CPUs missing on one page insert it once,
 * a file bigger than RAM reads back what was written (reclaim), and
 * file_destroy() gives every page back.  The misuses (write-back and
 * removal of an unlocked page) are reported and refused.
 */
#include "../testutil.h"
#include <errno.h>
#include "../../mm/filemap.h"

/* A node counter summed with every CPU's diff: exact while nothing runs. */
static unsigned long node_stat(enum node_stat_item item)
{
	long x = 0;

	for (unsigned int nid = 0; nid < num_online_nodes(); nid++)
		x += node_page_state_snapshot(NODE_DATA(nid), item);
	return x < 0 ? 0 : (unsigned long)x;
}

/* Word i of page idx of a file at version v: never 0. */
static uint64_t word_of(unsigned int file, unsigned long idx, unsigned int v, size_t i)
{
	return ((uint64_t)file << 48 | (uint64_t)idx << 16 | v) * 0x9e3779b97f4a7c15ULL + i + 1;
}

static void fill_page(uint64_t *buf, unsigned int file, unsigned long idx, unsigned int v)
{
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		buf[i] = word_of(file, idx, v, i);
}

/* The first bad word of a page read back, or -1. */
static long bad_word(const uint64_t *buf, unsigned int file, unsigned long idx, unsigned int v)
{
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		if (buf[i] != (v ? word_of(file, idx, v, i) : 0))
			return (long)i;
	return -1;
}

static void write_page(struct file *f, unsigned int file, unsigned long idx, unsigned int v)
{
	static uint64_t buf[PAGE_SIZE / 8];
	loff_t pos = (loff_t)idx * PAGE_SIZE;

	fill_page(buf, file, idx, v);
	EXPECT_EQ("kernel_write of a page", kernel_write(f, buf, PAGE_SIZE, &pos), PAGE_SIZE);
	EXPECT_EQ("the position after it", pos, (loff_t)(idx + 1) * PAGE_SIZE);
}

static void check_page(struct file *f, unsigned int file, unsigned long idx, unsigned int v)
{
	static uint64_t buf[PAGE_SIZE / 8];
	loff_t pos = (loff_t)idx * PAGE_SIZE;
	long bad;

	EXPECT_EQ("kernel_read of a page", kernel_read(f, buf, PAGE_SIZE, &pos), PAGE_SIZE);
	bad = bad_word(buf, file, idx, v);
	if (bad >= 0)
		fail_msg("file %u page %lu version %u: word %ld is %#llx", file, idx, v, bad,
			 (unsigned long long)buf[bad]);
}

/* Dirty pages of a file, by walking its slots. */
static unsigned long file_dirty(struct file *f)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < f->mapping.nr_slots; i++) {
		struct page *page = find_get_page(&f->mapping, i);

		if (page) {
			n += PageDirty(page);
			put_page(page);
		}
	}
	return n;
}

static void test_read_your_writes(void **state)
{
	char buf[3 * PAGE_SIZE], back[3 * PAGE_SIZE], *meminfo;
	__typeof__(current->io) io;
	struct file *f;
	loff_t pos;
	(void)state;

	boot_attach("cpus=1 mem=64M disk=8M");
	io = current->io;
	assert_null(file_create("huge", 9 << 20));		/* more than the disk */
	f = file_create("a", 40 * PAGE_SIZE + 100);
	assert_non_null(f);
	EXPECT_EQ("slots", f->mapping.nr_slots, 41);
	/* never written: zeros */
	pos = 5 * PAGE_SIZE;
	memset(back, 0x5a, sizeof(back));
	EXPECT_EQ("read", kernel_read(f, back, sizeof(back), &pos), sizeof(back));
	for (size_t i = 0; i < sizeof(back); i++)
		if (back[i])
			fail_msg("byte %zu of a file never written is %#x", i, back[i]);
	EXPECT_EQ("pages cached", f->mapping.nrpages, 3);
	EXPECT_EQ("NR_FILE_PAGES", node_stat(NR_FILE_PAGES), 3);
	/* holes: zeros without I/O */
	EXPECT_EQ("reads from the disk", current->io.fs_read - io.fs_read, 0);
	/* unaligned, across three pages; a read of the same range sees it */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	pos = 2 * PAGE_SIZE + 123;
	EXPECT_EQ("write", kernel_write(f, buf, 2 * PAGE_SIZE + 10, &pos), 2 * PAGE_SIZE + 10);
	pos = 2 * PAGE_SIZE + 123;
	EXPECT_EQ("read", kernel_read(f, back, 2 * PAGE_SIZE + 10, &pos), 2 * PAGE_SIZE + 10);
	assert_memory_equal(buf, back, 2 * PAGE_SIZE + 10);
	EXPECT_EQ("dirty pages", file_dirty(f), 3);
	EXPECT_EQ("NR_FILE_DIRTY", node_stat(NR_FILE_DIRTY), 3);
	EXPECT_EQ("NR_DIRTIED", node_stat(NR_DIRTIED), 3);
	/* the end of the file: reads stop there, writes do not grow it */
	pos = 40 * PAGE_SIZE;
	EXPECT_EQ("read past the last byte", kernel_read(f, back, PAGE_SIZE, &pos), 100);
	EXPECT_EQ("read at the end", kernel_read(f, back, PAGE_SIZE, &pos), 0);
	EXPECT_EQ("write at the end", kernel_write(f, buf, 1, &pos), -EFBIG);
	pos = -1;
	EXPECT_EQ("negative position", kernel_read(f, back, 1, &pos), -EINVAL);
	meminfo = proc_text("meminfo");
	assert_contains(meminfo, "Dirty:                12 kB");
	free(meminfo);
	assert_mm_check_ok();
	file_destroy(f);
	EXPECT_EQ("NR_FILE_PAGES after file_destroy", node_stat(NR_FILE_PAGES), 0);
	EXPECT_EQ("NR_FILE_DIRTY after file_destroy", node_stat(NR_FILE_DIRTY), 0);
	check_shutdown();
}

static void test_writeback_then_eviction(void **state)
{
	unsigned long nr = 64, written;
	__typeof__(current->io) io;
	struct file *f;
	char *vmstat;
	(void)state;

	boot_attach("cpus=1 mem=64M disk=8M io_latency_us=0");
	io = current->io;
	f = file_create("b", nr * PAGE_SIZE);
	assert_non_null(f);
	for (unsigned long i = 0; i < nr; i++)
		write_page(f, 1, i, 1);
	EXPECT_EQ("dirty after the writes", file_dirty(f), nr);
	/* dirty pages are not dropped */
	EXPECT_EQ("drop_pagecache of dirty pages", drop_pagecache(), 0);
	written = node_stat(NR_WRITTEN);
	assert_int_equal(vfs_fsync(f, 0), 0);
	EXPECT_EQ("dirty after vfs_fsync", file_dirty(f), 0);
	EXPECT_EQ("NR_FILE_DIRTY", node_stat(NR_FILE_DIRTY), 0);
	EXPECT_EQ("NR_WRITEBACK", node_stat(NR_WRITEBACK), 0);
	EXPECT_EQ("NR_WRITTEN", node_stat(NR_WRITTEN) - written, nr);
	EXPECT_EQ("fs writes of this task", current->io.fs_write - io.fs_write, nr);
	assert_int_equal(vfs_fsync(f, 1), 0);			/* nothing more */
	EXPECT_EQ("NR_WRITTEN after a second fsync", node_stat(NR_WRITTEN) - written, nr);
	vmstat = proc_text("vmstat");
	assert_contains(vmstat, "\nnr_written 64\n");
	assert_contains(vmstat, "\nnr_dirtied 64\n");
	assert_contains(vmstat, "\nnr_file_pages 64\n");
	assert_contains(vmstat, "\npgpgout 256\n");		/* kB */
	free(vmstat);
	/* evicted, then read back from the disk */
	EXPECT_EQ("drop_pagecache", drop_pagecache(), nr);
	EXPECT_EQ("pages cached after it", f->mapping.nrpages, 0);
	EXPECT_EQ("NR_FILE_PAGES", node_stat(NR_FILE_PAGES), 0);
	for (unsigned long i = 0; i < nr; i++)
		check_page(f, 1, i, 1);
	EXPECT_EQ("reads from the disk", current->io.fs_read - io.fs_read, nr);
	/* a second version over the first, evicted again */
	for (unsigned long i = 0; i < nr; i += 2)
		write_page(f, 1, i, 2);
	assert_int_equal(vfs_fsync(f, 0), 0);
	EXPECT_EQ("drop_pagecache", drop_pagecache(), nr);
	for (unsigned long i = 0; i < nr; i++)
		check_page(f, 1, i, i % 2 ? 1 : 2);
	assert_mm_check_ok();
	file_destroy(f);
	check_shutdown();
}

/* Reclaim's side, done by hand: the test's reference is the isolation's. */
static void test_remove_mapping_file(void **state)
{
	__typeof__(current->io) io;
	unsigned long bugs;
	struct file *f;
	struct page *page;
	const char *out;
	(void)state;

	boot_attach("cpus=1 mem=64M disk=8M io_latency_us=0");
	io = current->io;
	f = file_create("c", 4 * PAGE_SIZE);
	assert_non_null(f);
	write_page(f, 2, 1, 1);
	page = find_get_page(&f->mapping, 1);
	assert_non_null(page);
	EXPECT_EQ("the cache's and ours", page_count(page), 2);

	/* unlocked: a kernel BUG, refused */
	bugs = report_count(REPORT_BUG);
	capture_begin();
	EXPECT_EQ("remove_mapping_file of an unlocked page", remove_mapping_file(page), 0);
	EXPECT_EQ("filemap_writepage of an unlocked page", filemap_writepage(page), -EINVAL);
	out = capture_end();
	EXPECT_EQ("BUG reports", report_count(REPORT_BUG), bugs + 2);
	assert_contains(out, "VM_BUG_ON_PAGE(!PageLocked(page))");
	assert_true(PageDirty(page));

	assert_true(trylock_page(page));
	EXPECT_EQ("remove_mapping_file of a dirty page", remove_mapping_file(page), 0);
	EXPECT_EQ("still cached", f->mapping.nrpages, 1);
	assert_int_equal(filemap_writepage(page), 0);
	assert_false(PageDirty(page));
	assert_false(PageWriteback(page));
	EXPECT_EQ("filemap_writepage of a clean page", filemap_writepage(page), 0);
	EXPECT_EQ("one write", current->io.fs_write - io.fs_write, 1);
	get_page(page);					/* someone pins it */
	EXPECT_EQ("remove_mapping_file of a pinned page", remove_mapping_file(page), 0);
	EXPECT_EQ("its count", page_count(page), 3);
	put_page(page);
	EXPECT_EQ("remove_mapping_file of a clean page", remove_mapping_file(page), 1);
	EXPECT_EQ("its count", page_count(page), 0);
	assert_null(page->mapping);
	EXPECT_EQ("pages cached", f->mapping.nrpages, 0);
	EXPECT_EQ("NR_FILE_PAGES", node_stat(NR_FILE_PAGES), 0);
	/* the caller frees it: here, the last reference dropped by hand */
	unlock_page(page);
	set_page_count(page, 1);
	put_page(page);
	check_page(f, 2, 1, 1);				/* from the disk */
	check_page(f, 2, 2, 0);
	file_destroy(f);
	check_shutdown();
}

/* A writer over vm.dirty_ratio writes back its own file's pages. */
static void test_dirty_limit(void **state)
{
	unsigned long nr = 3000, bg, thresh, max_dirty = 0;
	char val[16];
	struct file *f;
	(void)state;

	boot_attach("cpus=1 mem=64M disk=32M io_latency_us=0");
	assert_int_equal(mm_sysctl_read("vm.dirty_ratio", val, sizeof(val)), 0);
	assert_string_equal(val, "20\n");
	assert_int_equal(mm_sysctl_read("vm.dirty_background_ratio", val, sizeof(val)), 0);
	assert_string_equal(val, "10\n");
	capture_begin();
	EXPECT_EQ("dirty_ratio 101", mm_sysctl_write("vm.dirty_ratio", "101"), -EINVAL);
	capture_end();
	assert_int_equal(mm_sysctl_write("vm.dirty_ratio", "2"), 0);
	global_dirty_limits(&bg, &thresh);
	/* 2% of about 64M, the background half of it (10% is not below 2%) */
	assert_true(thresh > 250 && thresh < 350);
	EXPECT_EQ("background", bg, thresh / 2);
	f = file_create("d", nr * PAGE_SIZE);
	assert_non_null(f);
	for (unsigned long i = 0; i < nr; i++) {
		unsigned long d;

		write_page(f, 3, i, 1);
		d = node_stat(NR_FILE_DIRTY);
		if (d > max_dirty)
			max_dirty = d;
	}
	global_dirty_limits(&bg, &thresh);
	/* the folded counter the writer reads lags by the CPUs' diffs */
	if (max_dirty > thresh + 2 * 125)
		fail_msg("%lu dirty pages with a limit of %lu", max_dirty, thresh);
	assert_true(node_stat(NR_WRITTEN) > nr / 2);
	assert_int_equal(vfs_fsync(f, 0), 0);
	EXPECT_EQ("drop_pagecache", drop_pagecache(), nr);
	for (unsigned long i = 0; i < nr; i += 7)
		check_page(f, 3, i, 1);
	file_destroy(f);
	check_shutdown();
}

/* Two CPUs miss on the same pages at once: each page is read in once. */
struct miss_arg {
	struct file *f;
	unsigned long nr;
	struct cpu_barrier *barrier;
	unsigned long bad;
};

static void miss_fn(struct cpu_job *job)
{
	struct miss_arg *a = job->arg;
	uint64_t buf[PAGE_SIZE / 8];

	cpu_barrier_wait(a->barrier);
	for (unsigned long i = 0; i < a->nr; i++) {
		loff_t pos = (loff_t)i * PAGE_SIZE;

		if (kernel_read(a->f, buf, PAGE_SIZE, &pos) != PAGE_SIZE ||
		    bad_word(buf, 4, i, 1) >= 0)
			a->bad++;
	}
}

static void test_racing_misses(void **state)
{
	struct miss_arg a[2];
	struct cpu_job jobs[2];
	struct cpu_barrier barrier;
	unsigned long nr = 256;
	struct file *f;
	(void)state;

	boot_attach("cpus=3 mem=64M disk=8M io_latency_us=20");
	f = file_create("e", nr * PAGE_SIZE);
	assert_non_null(f);
	for (unsigned long i = 0; i < nr; i++)
		write_page(f, 4, i, 1);
	assert_int_equal(vfs_fsync(f, 0), 0);
	EXPECT_EQ("drop_pagecache", drop_pagecache(), nr);
	cpu_barrier_init(&barrier, 2);
	for (int k = 0; k < 2; k++) {
		a[k] = (struct miss_arg){ f, nr, &barrier, 0 };
		cpu_job_start(&jobs[k], (unsigned int)k + 1, miss_fn, &a[k]);
	}
	for (int k = 0; k < 2; k++)
		cpu_job_join(&jobs[k]);
	cpu_barrier_destroy(&barrier);
	EXPECT_EQ("bad reads on CPU 1", a[0].bad, 0);
	EXPECT_EQ("bad reads on CPU 2", a[1].bad, 0);
	EXPECT_EQ("pages cached", f->mapping.nrpages, nr);
	EXPECT_EQ("NR_FILE_PAGES", node_stat(NR_FILE_PAGES), nr);
	file_destroy(f);
	check_shutdown();
}

/* x86_32 with highmem: GFP_HIGHUSER_MOVABLE cache pages come from
 * HighMem, copied through kmap_atomic(), written back and read again. */
static void test_highmem_pages(void **state)
{
	unsigned long nr = 256, high = 0;
	struct file *f;
	(void)state;

	boot_attach("arch=x86_32 memstart=768M mem=256M cpus=1 disk=8M io_latency_us=0");
	f = file_create("hi", nr * PAGE_SIZE);
	assert_non_null(f);
	for (unsigned long i = 0; i < nr; i++)
		write_page(f, 8, i, 1);
	for (unsigned long i = 0; i < nr; i++) {
		struct page *page = find_get_page(&f->mapping, i);

		assert_non_null(page);
		high += PageHighMem(page);
		put_page(page);
	}
	assert_true(high > 0);
	assert_int_equal(vfs_fsync(f, 0), 0);
	EXPECT_EQ("drop_pagecache", drop_pagecache(), nr);
	for (unsigned long i = 0; i < nr; i++)
		check_page(f, 8, i, 1);
	assert_mm_check_ok();
	file_destroy(f);
	check_shutdown();
}

/* mm_check() walks the files: a page in the wrong slot, a counter that
 * does not match the pages, each found and named. */
static void test_check_finds_damage(void **state)
{
	struct file *f;
	struct page *page;
	const char *why;
	(void)state;

	boot_attach("cpus=1 mem=64M disk=8M io_latency_us=0");
	f = file_create("h", 8 * PAGE_SIZE);
	assert_non_null(f);
	write_page(f, 7, 3, 1);
	write_page(f, 7, 4, 1);
	assert_mm_check_ok();
	/* a page that says it is another index */
	page = find_get_page(&f->mapping, 3);
	assert_non_null(page);
	WRITE_ONCE(page->index, 5);
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "mm_check: page cache: file 'h': slot 3 holds pfn");
	WRITE_ONCE(page->index, 3);
	assert_mm_check_ok();
	/* a dirty page the counter forgot */
	mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_FILE_DIRTY, -1);
	why = mm_check_failed();
	assert_non_null(why);
	assert_contains(why, "mm_check: page cache: NR_FILE_DIRTY is 1, the files hold 2 such pages");
	mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_FILE_DIRTY, 1);
	assert_mm_check_ok();
	put_page(page);
	file_destroy(f);
	check_shutdown();
}

/* Reading a file with preemption off: might_sleep()'s report, refused. */
static void read_atomic(const void *arg)
{
	struct file *f = (struct file *)arg;
	char buf[64];
	loff_t pos = 0;

	preempt_disable();
	EXPECT_EQ("kernel_read in atomic context", kernel_read(f, buf, sizeof(buf), &pos), -EINVAL);
	EXPECT_EQ("kernel_write in atomic context", kernel_write(f, buf, 0, &pos), 0);
	preempt_enable();
	EXPECT_EQ("the position", pos, 0);
}

static void test_atomic_context_refused(void **state)
{
	const char *out;
	struct file *f;
	(void)state;

	boot_attach("cpus=1 mem=64M disk=8M io_latency_us=0");
	f = file_create("atomic", 4 * PAGE_SIZE);
	assert_non_null(f);
	out = refused(read_atomic, f);
	assert_contains(out, "sleeping function called from invalid context");
	EXPECT_EQ("pages cached", f->mapping.nrpages, 0);
	file_destroy(f);
	check_shutdown();
}

/* A file twice the size of RAM: every page written, then read back, which
 * needs reclaim to drop clean pages and kswapd or the writer's own
 * write-back to clean dirty ones. */
static void test_file_bigger_than_ram(void **state)
{
	unsigned long nr = (128UL << 20) / PAGE_SIZE, free_before;
	struct file *f;
	(void)state;

	boot_attach("cpus=2 mem=64M disk=160M io_latency_us=0");
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	f = file_create("big", nr * PAGE_SIZE);
	assert_non_null(f);
	for (unsigned long i = 0; i < nr; i++)
		write_page(f, 6, i, 1);
	assert_true(f->mapping.nrpages < nr / 2);
	for (unsigned long i = 0; i < nr; i++)
		check_page(f, 6, i, 1);
	/* and a second pass over a part of it, rewritten */
	for (unsigned long i = 0; i < nr; i += 5)
		write_page(f, 6, i, 2);
	for (unsigned long i = 0; i < nr; i++)
		check_page(f, 6, i, i % 5 ? 1 : 2);
	assert_true(node_stat(NR_WRITTEN) >= nr);
	assert_mm_check_ok();
	file_destroy(f);
	drain_all_pages(NULL);
	assert_true(nr_free_pages() + 64 >= free_before);	/* slab and tables aside */
	check_shutdown();
}

/* file_destroy() gives back every page, dirty or clean. */
static void test_destroy_frees_everything(void **state)
{
	unsigned long free_before;
	struct file *f;
	(void)state;

	boot_attach("cpus=1 mem=64M disk=8M io_latency_us=0");
	/* once without pages: the file's own tables warm the slab caches */
	file_destroy(file_create("f", 200 * PAGE_SIZE));
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	f = file_create("f", 200 * PAGE_SIZE);
	assert_non_null(f);
	for (unsigned long i = 0; i < 200; i++)
		write_page(f, 5, i, 1);
	assert_int_equal(vfs_fsync(f, 0), 0);
	for (unsigned long i = 0; i < 200; i += 3)
		write_page(f, 5, i, 2);			/* some dirty again */
	assert_true(nr_free_pages() < free_before - 200);
	file_destroy(f);
	drain_all_pages(NULL);
	EXPECT_EQ("free pages after file_destroy", nr_free_pages(), free_before);
	EXPECT_EQ("NR_FILE_PAGES", node_stat(NR_FILE_PAGES), 0);
	EXPECT_EQ("NR_FILE_DIRTY", node_stat(NR_FILE_DIRTY), 0);
	/* its blocks are free again: a file of the whole disk fits */
	f = file_create("g", 8 << 20);
	assert_non_null(f);
	file_destroy(f);
	check_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_read_your_writes),
		TEST(test_writeback_then_eviction),
		TEST(test_remove_mapping_file),
		TEST(test_dirty_limit),
		TEST(test_racing_misses),
		TEST(test_destroy_frees_everything),
		TEST(test_file_bigger_than_ram),
		TEST(test_check_finds_damage),
		TEST(test_highmem_pages),
		TEST(test_atomic_context_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
