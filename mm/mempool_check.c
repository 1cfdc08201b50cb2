// SPDX-License-Identifier: MIT
/*
 * mm/mempool_check.c - a pool as its users may inspect it (mmsim/inspect.h):
 * mempool_stats_read(), a copy of pool->stats, and mempool_is_valid(),
 * the invariant walker of mm/mempool.c's map.
 *
 * Who touches what: nothing here writes a pool.  pool->stats are relaxed
 * atomics (any thread reads them); min_nr, curr_nr and elements[] are
 * read under pool->lock, taken with interrupts off as mempool.c takes it.
 * The reserve is copied under the lock (at most MEMPOOL_CHECK_MAX
 * elements) and judged, and reported, after it is dropped: nothing is
 * printed under a spinlock.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <mmsim/mempool.h>
#include "internal.h"
#include "slab.h"

#define MEMPOOL_CHECK_MAX	256	/* reserve elements a check looks at */

void mempool_stats_read(const mempool_t *pool, struct mempool_stats *st)
{
	st->alloc_backing = __atomic_load_n(&pool->stats.alloc_backing, __ATOMIC_RELAXED);
	st->alloc_pool = __atomic_load_n(&pool->stats.alloc_pool, __ATOMIC_RELAXED);
	st->alloc_failed = __atomic_load_n(&pool->stats.alloc_failed, __ATOMIC_RELAXED);
	st->frees_to_pool = __atomic_load_n(&pool->stats.frees_to_pool, __ATOMIC_RELAXED);
	st->waits = __atomic_load_n(&pool->stats.waits, __ATOMIC_RELAXED);
	st->wakeups = __atomic_load_n(&pool->stats.wakeups, __ATOMIC_RELAXED);
	st->timeouts = __atomic_load_n(&pool->stats.timeouts, __ATOMIC_RELAXED);
	st->longest_wait_ns = __atomic_load_n(&pool->stats.longest_wait_ns, __ATOMIC_RELAXED);
	st->outstanding = __atomic_load_n(&pool->stats.outstanding, __ATOMIC_RELAXED);
	st->lost_wakeups = __atomic_load_n(&pool->stats.lost_wakeups, __ATOMIC_RELAXED);
}

/* What the walker saw under pool->lock. */
struct mempool_snapshot {
	int min_nr, curr_nr, n;
	size_t room;			/* elements[] can hold this many */
	int bad_count, count;		/* a page pool's element whose count is
					   not 1 (its index, -1: none) */
	void *el[MEMPOOL_CHECK_MAX];
};

static void mempool_snapshot(mempool_t *pool, struct mempool_snapshot *s)
{
	int page_pool = pool->alloc == mempool_alloc_pages;
	unsigned long flags;

	s->bad_count = -1;
	s->count = 0;
	spin_lock_irqsave(&pool->lock, flags);
	s->min_nr = pool->min_nr;
	s->curr_nr = pool->curr_nr;
	s->room = ksize(pool->elements) / sizeof(void *);
	/* never past elements[]' end, whatever curr_nr says */
	s->n = clamp(s->curr_nr, 0, (int)min_t(size_t, s->room, MEMPOOL_CHECK_MAX));
	memcpy(s->el, pool->elements, (size_t)s->n * sizeof(void *));
	for (int i = 0; page_pool && i < s->n && s->bad_count < 0; i++)
		if (s->el[i] && (s->count = page_count(s->el[i])) != 1)
			s->bad_count = i;
	spin_unlock_irqrestore(&pool->lock, flags);
}

static void __printf(3, 4) pool_violation(FILE *report, int *nr, const char *fmt, ...)
{
	va_list ap;

	(*nr)++;
	if (!report)
		return;
	va_start(ap, fmt);
	vfprintf(report, fmt, ap);
	va_end(ap);
	fputc('\n', report);
}

int mempool_is_valid(mempool_t *pool, FILE *report)
{
	struct mempool_snapshot s;
	int nr = 0;

	if (unlikely(!caller_is_cpu(__func__)))
		return -EINVAL;
	mempool_snapshot(pool, &s);
	if (s.min_nr < 1 || s.curr_nr < 0 || s.curr_nr > s.min_nr)
		pool_violation(report, &nr, "mempool %p: curr_nr %d, min_nr %d (want 0 <= curr_nr "
			       "<= min_nr, min_nr >= 1)", (void *)pool, s.curr_nr, s.min_nr);
	if ((size_t)s.min_nr > s.room)
		pool_violation(report, &nr, "mempool %p: min_nr %d, but elements[] has room for %zu "
			       "(ksize %zu): a refill writes past its end", (void *)pool, s.min_nr,
			       s.room, s.room * sizeof(void *));
	if (s.bad_count >= 0)
		pool_violation(report, &nr, "mempool %p: elements[%d] = pfn %#lx in the reserve has "
			       "page count %d, not 1", (void *)pool, s.bad_count,
			       page_to_pfn(s.el[s.bad_count]), s.count);
	for (int i = 0; i < s.n; i++) {
		if (!s.el[i]) {
			pool_violation(report, &nr, "mempool %p: elements[%d] is NULL with curr_nr %d",
				       (void *)pool, i, s.curr_nr);
			break;
		}
		for (int j = 0; j < i; j++)
			if (s.el[j] == s.el[i]) {
				pool_violation(report, &nr, "mempool %p: %p is twice in the reserve "
					       "(elements[%d] and [%d])", (void *)pool, s.el[i], j, i);
				i = s.n;
				break;
			}
	}
	return nr;
}
