// SPDX-License-Identifier: MIT
/*
 * mm/page_lock.c - the page lock (PG_locked) and the end of write-back
 * (PG_writeback): sleeping waits on a page bit, as the kernel's
 * wait_on_page_bit() over its hashed page_wait_table.
 *
 * Who touches what:
 *   PG_locked	taken with an atomic fetch-or (acquire: the holder sees
 *		what the last holder wrote), dropped with a fetch-and
 *		(seq_cst, release included).
 *   PG_writeback set by the page lock's holder, cleared by
 *		end_page_writeback() (seq_cst).
 *   PG_waiters	set (seq_cst) by a waiter already on the page's queue,
 *		before it looks at the bit it waits for; whoever clears
 *		PG_locked or PG_writeback with PG_waiters in the old value
 *		wakes the queue.  Both are read-modify-writes of page->flags,
 *		so one of them sees the other: no wake-up is lost.  PG_waiters
 *		is never cleared while the page lives (a spurious wake-up
 *		costs a queue lock); freeing the page clears every flag.
 *   page_wait_table[]  PAGE_WAIT_TABLE_SIZE wait queues hashed by page.
 * A waiter holds a reference on the page, so it is not freed meanwhile.
 */
#include "reclaim.h"

#define PAGE_WAIT_TABLE_BITS	8
#define PAGE_WAIT_TABLE_SIZE	(1U << PAGE_WAIT_TABLE_BITS)

static wait_queue_head_t page_wait_table[PAGE_WAIT_TABLE_SIZE];
static int page_wait_ready;	/* once, at the first boot (boot_mutex) */

void page_lock_init(void)
{
	if (page_wait_ready)
		return;
	for (unsigned int i = 0; i < PAGE_WAIT_TABLE_SIZE; i++)
		init_waitqueue_head(&page_wait_table[i]);
	page_wait_ready = 1;
}

static wait_queue_head_t *page_waitqueue(const struct page *page)
{
	unsigned long h = (unsigned long)page / sizeof(struct page);

	h *= 0x9e3779b97f4a7c15UL;
	return &page_wait_table[h >> (64 - PAGE_WAIT_TABLE_BITS)];
}

int trylock_page(struct page *page)
{
	return !(__atomic_fetch_or(&page->flags, 1UL << PG_locked, __ATOMIC_ACQUIRE) &
		 (1UL << PG_locked));
}

/* Sleep until bit is clear in page->flags (the caller holds a reference). */
static void wait_on_page_bit(struct page *page, int bit)
{
	wait_queue_head_t *q = page_waitqueue(page);
	struct wait_queue_entry wait;

	init_wait(&wait);
	for (;;) {
		unsigned long old;

		prepare_to_wait(q, &wait, TASK_UNINTERRUPTIBLE);
		/* on the queue before PG_waiters: see the map */
		old = __atomic_fetch_or(&page->flags, 1UL << PG_waiters, __ATOMIC_SEQ_CST);
		if (!(old & (1UL << bit)))
			break;
		io_schedule_timeout(MAX_SCHEDULE_TIMEOUT);
	}
	finish_wait(q, &wait);
}

void lock_page(struct page *page)
{
	might_sleep();
	while (!trylock_page(page))
		wait_on_page_bit(page, PG_locked);
}

static void wake_up_page(struct page *page, unsigned long old)
{
	if (old & (1UL << PG_waiters))
		wake_up_all(page_waitqueue(page));
}

void unlock_page(struct page *page)
{
	unsigned long old = __atomic_fetch_and(&page->flags, ~(1UL << PG_locked),
					       __ATOMIC_SEQ_CST);

	if (WARN(!(old & (1UL << PG_locked)), "unlock_page(pfn:%05lx): the page is not locked\n",
		 page_to_pfn(page)))
		return;
	wake_up_page(page, old);
}

void wait_on_page_writeback(struct page *page)
{
	while (PageWriteback(page))
		wait_on_page_bit(page, PG_writeback);
}

void end_page_writeback(struct page *page)
{
	unsigned long old = __atomic_fetch_and(&page->flags, ~(1UL << PG_writeback),
					       __ATOMIC_SEQ_CST);

	if (WARN(!(old & (1UL << PG_writeback)),
		 "end_page_writeback(pfn:%05lx): no write-back in flight\n", page_to_pfn(page)))
		return;
	wake_up_page(page, old);
}
