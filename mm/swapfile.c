// SPDX-License-Identifier: MIT
/*
 * mm/swapfile.c - the swap area (Linux v4.19 mm/swapfile.c, mm/page_io.c
 * for the I/O): one area of swap= bytes on a simulated block device
 * (numa/blockdev.h), /dev/mmsim-swap in /proc/swaps.  mm/reclaim.h ("The
 * swap area") is the contract.
 *
 *   slots	slot s is the device's bytes [s * PAGE_SIZE, (s + 1) * PAGE_SIZE);
 *		its entry is s + 1 (0 is no entry).  swap_map[s] counts the
 *		references to it (the ptes holding it, and a swap-in's own
 *		while it reads: memory.c): 0 is a free slot, at most
 *		SWAP_MAP_MAX.  Unlike the kernel's, every slot is usable (the
 *		model writes no swap header), and the map is host memory,
 *		as the device is: the simulated RAM holds only pages.
 *   next-fit	get_swap_page() takes the first free slot from swap_next on,
 *		wrapping once, and leaves swap_next after it.
 *
 * Who touches what:
 *   swap_map[], swap_next, swap_inuse	swap_lock (irq-safe: mm_check() takes
 *			it under stop_machine(), which must find it free)
 *   nr_swap_pages	written under swap_lock, read with READ_ONCE anywhere
 *   total_swap_pages, swap_max, swap_bdev
 *			set by swap_init() at the boot, read-only until
 *			swap_exit() at the shutdown
 *
 * Invariant (swap_check()): swap_inuse = the slots whose count is not 0,
 * nr_swap_pages = swap_max - swap_inuse.
 *
 * Lock order: a task's page_table_lock, then swap_lock (memory.c takes
 * and frees slots under its page table lock); nothing is taken inside
 * swap_lock.  The copies never sleep (swap_write_copy() runs under the
 * page table lock); the device's latency (bdev_wait_io()) is waited by
 * swap_writepage()/swap_readpage() after the copy, or by the caller of
 * swap_write_copy() once it holds no spinlock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <mmsim/highmem.h>
#include "reclaim.h"
#include "../numa/blockdev.h"

#define SWAP_MAP_MAX	0x3e		/* the kernel's largest count in a map byte */

static struct block_device swap_bdev;
static DEFINE_SPINLOCK(swap_lock);
static unsigned char *swap_map;		/* [swap_max], swap_lock */
static size_t swap_map_bytes;		/* the mmap()'s length */
static unsigned long swap_max;		/* slots, read-only while booted */
static unsigned long swap_next;		/* next-fit cursor, swap_lock */
static unsigned long swap_inuse;	/* slots with a count, swap_lock */
static long nr_swap_pages;		/* free slots: swap_lock; READ_ONCE */
unsigned long total_swap_pages;

/* The kernel's words (swap_info_get()'s and __swap_duplicate()'s). */
static const char Bad_file[] = "Bad swap file entry ";
static const char Bad_offset[] = "Bad swap offset entry ";
static const char Unused_offset[] = "Unused swap offset entry ";

int swap_init(unsigned long long bytes)
{
	unsigned long slots = (unsigned long)(bytes >> PAGE_SHIFT);
	int ret;

	swap_max = swap_next = swap_inuse = 0;
	total_swap_pages = 0;
	WRITE_ONCE(nr_swap_pages, 0L);
	if (!slots)
		return 0;
	swap_map_bytes = (slots + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	swap_map = mmap(NULL, swap_map_bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (swap_map == MAP_FAILED) {
		swap_map = NULL;
		pr_err("mm_boot: swap=%llu: cannot map the swap map of %lu slots\n", bytes, slots);
		return -ENOMEM;
	}
	ret = bdev_create(&swap_bdev, "mmsim-swap", (unsigned long long)slots << PAGE_SHIFT);
	if (ret) {
		munmap(swap_map, swap_map_bytes);
		swap_map = NULL;
		return ret;
	}
	swap_max = slots;
	total_swap_pages = slots;
	WRITE_ONCE(nr_swap_pages, (long)slots);
	return 0;
}

void swap_exit(void)
{
	if (!swap_max)
		return;
	bdev_destroy(&swap_bdev);
	munmap(swap_map, swap_map_bytes);
	swap_map = NULL;
	swap_max = swap_next = swap_inuse = 0;
	total_swap_pages = 0;
	WRITE_ONCE(nr_swap_pages, 0L);
}

long get_nr_swap_pages(void)
{
	return READ_ONCE(nr_swap_pages);
}

swp_entry_t get_swap_page(void)
{
	swp_entry_t entry = { 0 };
	unsigned long flags, i, s;

	if (!READ_ONCE(nr_swap_pages))
		return entry;
	spin_lock_irqsave(&swap_lock, flags);
	for (i = 0, s = swap_next; nr_swap_pages && i < swap_max; i++, s++) {
		if (s == swap_max)
			s = 0;
		if (swap_map[s])
			continue;
		swap_map[s] = 1;
		swap_inuse++;
		WRITE_ONCE(nr_swap_pages, nr_swap_pages - 1);
		swap_next = s + 1 == swap_max ? 0 : s + 1;
		entry.val = s + 1;
		break;
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	return entry;
}

/* A refused entry, once swap_lock is dropped: the kernel's line. */
static void swap_bad_entry(const char *who, const char *what, swp_entry_t entry)
{
	report_begin(REPORT_BUG);
	printk("%s: %s%08lx\n", who, what, entry.val);
	report_end(REPORT_BUG, -1);
}

/* Why entry is no used slot (NULL: it is one); swap_lock held. */
static const char *__swap_entry_bad(swp_entry_t entry)
{
	lockdep_assert_held(&swap_lock);
	if (!swap_max)
		return Bad_file;
	if (entry.val - 1 >= swap_max)
		return Bad_offset;
	if (!swap_map[entry.val - 1])
		return Unused_offset;
	return NULL;
}

void swap_duplicate(swp_entry_t entry)
{
	const char *bad;
	unsigned long flags;

	spin_lock_irqsave(&swap_lock, flags);
	bad = __swap_entry_bad(entry);
	if (!bad && swap_map[entry.val - 1] >= SWAP_MAP_MAX)
		bad = "swap count overflow: ";
	if (!bad)
		swap_map[entry.val - 1]++;
	spin_unlock_irqrestore(&swap_lock, flags);
	if (bad)
		swap_bad_entry("swap_dup", bad, entry);
}

void swap_free(swp_entry_t entry)
{
	const char *bad;
	unsigned long flags;

	if (!entry.val)		/* no entry: nothing to do, as the kernel's */
		return;
	spin_lock_irqsave(&swap_lock, flags);
	bad = __swap_entry_bad(entry);
	if (!bad && --swap_map[entry.val - 1] == 0) {
		swap_inuse--;
		WRITE_ONCE(nr_swap_pages, nr_swap_pages + 1);
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	if (bad)
		swap_bad_entry("swap_info_get", bad, entry);
}

/* The references to a slot (0 for a bad entry): mm_check()'s. */
unsigned int swap_entry_count(swp_entry_t entry)
{
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&swap_lock, flags);
	if (entry.val && entry.val - 1 < swap_max)
		n = swap_map[entry.val - 1];
	spin_unlock_irqrestore(&swap_lock, flags);
	return n;
}

/* Count an I/O as submit_bio() and swap_readpage()/__swap_writepage()
 * do: one PSWP* event, the page's 8 sectors of PGPG* (/proc/vmstat halves
 * them into KiB), and the calling task's own count. */
static void count_swap_io(int write)
{
	unsigned long flags;

	local_irq_save(flags);
	__count_vm_events(write ? PSWPOUT : PSWPIN, 1);
	__count_vm_events(write ? PGPGOUT : PGPGIN, PAGE_SIZE >> 9);
	local_irq_restore(flags);
	if (write)
		current->io.swap_out++;
	else
		current->io.swap_in++;
}

static int swap_copy(struct page *page, swp_entry_t entry, int write)
{
	unsigned long long off;
	void *addr;
	int ret;

	if (!entry.val || entry.val - 1 >= swap_max)
		return -EIO;
	off = (unsigned long long)(entry.val - 1) << PAGE_SHIFT;
	addr = kmap_atomic(page);
	if (!addr)
		return -EIO;
	ret = write ? bdev_write(&swap_bdev, off, addr, PAGE_SIZE)
		    : bdev_read(&swap_bdev, off, addr, PAGE_SIZE);
	kunmap_atomic(addr);
	if (!ret)
		count_swap_io(write);
	return ret;
}

int swap_write_copy(struct page *page, swp_entry_t entry)
{
	return swap_copy(page, entry, 1);
}

int swap_writepage(struct page *page, swp_entry_t entry)
{
	int ret = swap_copy(page, entry, 1);

	if (!ret)
		bdev_wait_io();
	return ret;
}

int swap_readpage(struct page *page, swp_entry_t entry)
{
	int ret = swap_copy(page, entry, 0);

	if (!ret)
		bdev_wait_io();
	return ret;
}

static void __printf(2, 3) swap_violation(struct check_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_log_violation(log, "mm_check: swap: ", fmt, ap);
	va_end(ap);
}

/* The slots in use against the counts in the map (swap_lock taken). */
int swap_check(FILE *report)
{
	struct check_log log = { .report = report };
	unsigned long flags, used = 0;

	if (!swap_max)
		return 0;
	spin_lock_irqsave(&swap_lock, flags);
	for (unsigned long s = 0; s < swap_max; s++) {
		if (!swap_map[s])
			continue;
		used++;
		if (swap_map[s] > SWAP_MAP_MAX)
			swap_violation(&log, "slot %lu has count %u, over SWAP_MAP_MAX %u",
				       s, swap_map[s], SWAP_MAP_MAX);
	}
	if (used != swap_inuse)
		swap_violation(&log, "%lu slot%s with references, %lu counted in use",
			       used, str_plural(used), swap_inuse);
	if (nr_swap_pages != (long)(swap_max - used))
		swap_violation(&log, "free slots: %ld counted, %lu found (of %lu)",
			       nr_swap_pages, swap_max - used, swap_max);
	spin_unlock_irqrestore(&swap_lock, flags);
	check_log_flush(&log);
	return log.violations;
}

/* The references held in the map, all slots (mm_check()'s cross-check
 * against the tasks' swap entries). */
unsigned long swap_refs_total(void)
{
	unsigned long flags, refs = 0;

	spin_lock_irqsave(&swap_lock, flags);
	for (unsigned long s = 0; s < swap_max; s++)
		refs += swap_map[s];
	spin_unlock_irqrestore(&swap_lock, flags);
	return refs;
}

/* /proc/swaps, v4.19's swap_show(): one partition (the first swapon
 * without a priority gets -2). */
void swaps_show(FILE *out)
{
	static const char name[] = "/dev/mmsim-swap";
	int len = (int)sizeof(name) - 1;
	unsigned long flags, inuse;

	fprintf(out, "Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n");
	if (!swap_max)
		return;
	spin_lock_irqsave(&swap_lock, flags);
	inuse = swap_inuse;
	spin_unlock_irqrestore(&swap_lock, flags);
	fprintf(out, "%s%*s%s\t%lu\t%lu\t%d\n", name, len < 40 ? 40 - len : 1, " ", "partition",
		swap_max << (PAGE_SHIFT - 10), inuse << (PAGE_SHIFT - 10), -2);
}
