// SPDX-License-Identifier: MIT
/*
 * mm/mempool.c - memory pools (Linux v4.19 mm/mempool.c semantics).
 *
 * Map:
 *   elements[0..curr_nr)	the reserve, a LIFO stack: add_element() pushes,
 *				remove_element() pops elements[--curr_nr].
 *				Invariant: 0 <= curr_nr <= min_nr, under lock.
 *   mempool_alloc()		the backing allocator first (without direct
 *				reclaim or IO), then the reserve, then the
 *				backing allocator with the caller's full mask,
 *				then (if the caller may sleep) a 5*HZ
 *				uninterruptible wait on pool->wait, and again.
 *   mempool_free()		back to the reserve while it is below min_nr
 *				(waking the waiters: they wait non-exclusively,
 *				as in the kernel), else to the backing
 *				allocator.
 *   pool->refills		(not in the kernel) a struct wake_seq: each
 *				refill by mempool_free() takes a ticket under
 *				pool->lock and publishes it once its wake_up()
 *				has returned; a sleeper notes the last ticket
 *				when it queues itself, under pool->lock.
 *   mempool_resize()		shrink frees the surplus; grow swaps in a bigger
 *				array, then fills it best effort.
 *
 * Locking: pool->lock (a spinlock_t taken with interrupts off, so that a
 * holder is never stopped by stop_machine()) protects min_nr, curr_nr and
 * elements[].  curr_nr and min_nr are written with WRITE_ONCE() under the
 * lock and read once without it by mempool_free()'s first check.  The backing
 * allocator and pool->free always run with the lock dropped.  pool->stats
 * are relaxed atomics.
 *
 * Lost wake-ups: a sleeper that was queued on pool->wait under pool->lock
 * before a refill's add_element() (its ticket is then above the one the
 * sleeper noted: pool->lock orders the two), is on the queue when that
 * refill's wake_up() runs, and is marked woken by it (woken_wake_function()),
 * even if its 5*HZ have just run out.  When a sleep ends unmarked while a
 * refill after the sleeper's note has published its ticket, read under the
 * queue's lock in finish_wait_missed() (which orders it against every
 * wake_up(), numa/wait.c), that refill's wake-up never came: reported as
 * "BUG: lost wake-up: mempool ..." and counted in stats.lost_wakeups.  A
 * refill whose wake_up() comes after the sleeper left the queue has not
 * published its ticket yet: the race of a timeout with a wake-up is not
 * reported.  The cost is two atomics on the refill path and none on the
 * others.  (Refills by mempool_resize() wake nobody, as in the kernel, and
 * take no ticket.)
 *
 * slab_debug: elements resting in the reserve of a slab, kmalloc or page
 * pool are poisoned (0x6b, 0xa5 last) and checked when handed out, as the
 * kernel does with slab debugging ("BUG: mempool element poison mismatch").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include <mmsim/highmem.h>
#include <mmsim/mempool.h>
#include <mmsim/sched.h>
#include "slab.h"
#include <mmsim/jitter.h>

static inline void stat_inc(unsigned long *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Poisoning (slab_debug)                                              */

/* bytes: byte's neighbourhood, len bytes of it mapped; size: the element's */
static noinline void poison_error(mempool_t *pool, const void *bytes, size_t len,
				  size_t byte, size_t size)
{
	const unsigned char *p = bytes;
	size_t start = byte > 8 ? byte - 8 : 0, end = min(byte + 8, len);
	char hex[16 * 3 + 1] = "";

	for (size_t i = start; i < end; i++)
		snprintf(hex + (i - start) * 3, 4, "%x ", p[i]);
	report_begin(REPORT_BUG);
	printk("BUG: mempool element poison mismatch\n");
	printk("Mempool %p size %zu\n", (void *)pool, size);
	printk(" nr=%d @ %p: %s0x%s%s\n", READ_ONCE(pool->curr_nr), bytes,
	       start > 0 ? "... " : "", hex, end < len ? "..." : "");
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}

/*
 * Bytes [off, off + len) of an element of size bytes, mapped at p: 0 if
 * they show the free poison (and now show POISON_INUSE), else 1 (reported;
 * the element is handed out as it is).
 */
static int __check_element(mempool_t *pool, unsigned char *p, size_t off, size_t len,
			   size_t size)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char exp = off + i < size - 1 ? POISON_FREE : POISON_END;

		if (p[i] != exp) {
			poison_error(pool, p, len, i, size);
			return 1;
		}
	}
	memset(p, POISON_INUSE, len);
	return 0;
}

static void __poison_element(unsigned char *p, size_t off, size_t len, size_t size)
{
	memset(p, POISON_FREE, len);
	if (off + len == size)
		p[len - 1] = POISON_END;
}

/*
 * The pools the kernel poisons: slab and kmalloc elements through their
 * address, page elements one page at a time through kmap_atomic() (a
 * highmem page has no other address; no mmap() under pool->lock).  A page
 * the host refused to map is left unchecked.
 */
static void check_element(mempool_t *pool, void *element)
{
	if (!slab_debug)
		return;
	if (pool->free == mempool_free_slab || pool->free == mempool_kfree) {
		size_t size = ksize(element);

		if (size)
			__check_element(pool, element, 0, size, size);
	} else if (pool->free == mempool_free_pages) {
		unsigned int order = (unsigned int)(long)pool->pool_data;
		struct page *page = element;

		for (unsigned long i = 0; i < (1UL << order); i++) {
			unsigned char *p = kmap_atomic(page + i);
			int bad;

			if (!p)
				continue;
			bad = __check_element(pool, p, i << PAGE_SHIFT, PAGE_SIZE,
					      PAGE_SIZE << order);
			kunmap_atomic(p);
			if (bad)
				return;
		}
	}
}

static void poison_element(mempool_t *pool, void *element)
{
	if (!slab_debug)
		return;
	if (pool->free == mempool_free_slab || pool->free == mempool_kfree) {
		size_t size = ksize(element);

		if (size)
			__poison_element(element, 0, size, size);
	} else if (pool->free == mempool_free_pages) {
		unsigned int order = (unsigned int)(long)pool->pool_data;
		struct page *page = element;

		for (unsigned long i = 0; i < (1UL << order); i++) {
			unsigned char *p = kmap_atomic(page + i);

			if (!p)
				continue;
			__poison_element(p, i << PAGE_SHIFT, PAGE_SIZE, PAGE_SIZE << order);
			kunmap_atomic(p);
		}
	}
}

/* ------------------------------------------------------------------ */
/* The reserve (pool->lock held)                                       */

static void add_element(mempool_t *pool, void *element)
{
	lockdep_assert_held(&pool->lock);
	if (WARN_ON_ONCE(pool->curr_nr >= pool->min_nr))
		return;
	poison_element(pool, element);
	pool->elements[pool->curr_nr] = element;
	WRITE_ONCE(pool->curr_nr, pool->curr_nr + 1);
}

static void *remove_element(mempool_t *pool)
{
	void *element;

	lockdep_assert_held(&pool->lock);
	WRITE_ONCE(pool->curr_nr, pool->curr_nr - 1);
	element = pool->elements[pool->curr_nr];
	/* the slot (in a scanned kmalloc block) is no reference any more */
	if (kmemleak_active())
		kmemleak_erase(&pool->elements[pool->curr_nr]);
	check_element(pool, element);
	return element;
}

/* ------------------------------------------------------------------ */
/* Creating and destroying                                             */

void mempool_destroy(mempool_t *pool)
{
	long out;

	if (unlikely(!pool))
		return;
	out = __atomic_load_n(&pool->stats.outstanding, __ATOMIC_RELAXED);
	if (unlikely(out)) {
		report_begin(REPORT_BUG);
		printk("BUG: mempool_destroy(%p): %ld element%s still out (handed out by mempool_alloc() and never given back)\n",
		       (void *)pool, out, out == 1 ? " is" : "s are");
		report_end(REPORT_BUG, TAINT_BAD_PAGE);
	}
	while (READ_ONCE(pool->curr_nr)) {
		unsigned long flags;
		void *element;

		spin_lock_irqsave(&pool->lock, flags);
		element = remove_element(pool);
		spin_unlock_irqrestore(&pool->lock, flags);
		pool->free(element, pool->pool_data);
	}
	kfree(pool->elements);
	kfree(pool);
}

mempool_t *mempool_create_node(int min_nr, mempool_alloc_t *alloc_fn,
			       mempool_free_t *free_fn, void *pool_data,
			       gfp_t gfp_mask, int node_id)
{
	mempool_t *pool;

	if (WARN(min_nr < 0 || !alloc_fn || !free_fn,
		 "mempool_create: min_nr %d, alloc %p, free %p\n", min_nr,
		 (void *)(unsigned long)alloc_fn, (void *)(unsigned long)free_fn))
		return NULL;
	pool = kmalloc_node(sizeof(*pool), gfp_mask | __GFP_ZERO, node_id);
	if (!pool)
		return NULL;
	/* min_nr 0: ZERO_SIZE_PTR, an empty reserve */
	pool->elements = kmalloc_node(min_nr * sizeof(void *), gfp_mask, node_id);
	if (!pool->elements) {
		kfree(pool);
		return NULL;
	}
	spin_lock_init_name(&pool->lock, "mempool->lock");
	pool->lock.irqsafe = 1;
	pool->min_nr = min_nr;
	pool->pool_data = pool_data;
	init_waitqueue_head(&pool->wait);
	pool->alloc = alloc_fn;
	pool->free = free_fn;

	/* First pre-allocate the guaranteed number of buffers. */
	while (pool->curr_nr < pool->min_nr) {
		unsigned long flags;
		void *element = pool->alloc(gfp_mask, pool->pool_data);

		if (unlikely(!element)) {
			mempool_destroy(pool);
			return NULL;
		}
		spin_lock_irqsave(&pool->lock, flags);
		add_element(pool, element);
		spin_unlock_irqrestore(&pool->lock, flags);
	}
	return pool;
}

mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn,
			  mempool_free_t *free_fn, void *pool_data)
{
	return mempool_create_node(min_nr, alloc_fn, free_fn, pool_data, GFP_KERNEL,
				   NUMA_NO_NODE);
}

/* ------------------------------------------------------------------ */
/* Resizing                                                            */

int mempool_resize(mempool_t *pool, int new_min_nr)
{
	void **new_elements;
	unsigned long flags;
	void *element;

	if (new_min_nr <= 0) {
		BUG_REPORT();
		return -EINVAL;
	}
	if (might_sleep())
		return -EINVAL;

	spin_lock_irqsave(&pool->lock, flags);
	if (new_min_nr <= pool->min_nr) {
		/* shrink: the surplus goes back, the lock dropped for each */
		while (new_min_nr < pool->curr_nr) {
			element = remove_element(pool);
			spin_unlock_irqrestore(&pool->lock, flags);
			pool->free(element, pool->pool_data);
			spin_lock_irqsave(&pool->lock, flags);
		}
		/*
		 * With the lock dropped, a concurrent resize may have shrunk
		 * the pool and swapped in a smaller array: never raise min_nr
		 * above what the array holds (the kernel's callers serialize
		 * their resizes; ours need not).
		 */
		if (new_min_nr <= pool->min_nr)
			WRITE_ONCE(pool->min_nr, new_min_nr);
		spin_unlock_irqrestore(&pool->lock, flags);
		return 0;
	}
	spin_unlock_irqrestore(&pool->lock, flags);

	/* grow: the new array first */
	new_elements = kmalloc_array(new_min_nr, sizeof(*new_elements), GFP_KERNEL);
	if (!new_elements)
		return -ENOMEM;

	spin_lock_irqsave(&pool->lock, flags);
	if (unlikely(new_min_nr <= pool->min_nr)) {
		/* a concurrent resize got there first and does our work */
		spin_unlock_irqrestore(&pool->lock, flags);
		kfree(new_elements);
		return 0;
	}
	memcpy(new_elements, pool->elements, pool->curr_nr * sizeof(*new_elements));
	kfree(pool->elements);
	pool->elements = new_elements;
	WRITE_ONCE(pool->min_nr, new_min_nr);

	/* then fill it, best effort */
	while (pool->curr_nr < pool->min_nr) {
		spin_unlock_irqrestore(&pool->lock, flags);
		element = pool->alloc(GFP_KERNEL, pool->pool_data);
		if (!element)
			return 0;
		spin_lock_irqsave(&pool->lock, flags);
		if (pool->curr_nr < pool->min_nr) {
			add_element(pool, element);
		} else {
			/* raced with frees that filled it */
			spin_unlock_irqrestore(&pool->lock, flags);
			pool->free(element, pool->pool_data);
			return 0;
		}
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Allocating and freeing                                              */

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void record_wait(mempool_t *pool, long left, unsigned long long ns)
{
	unsigned long long old = __atomic_load_n(&pool->stats.longest_wait_ns, __ATOMIC_RELAXED);

	stat_inc(left ? &pool->stats.wakeups : &pool->stats.timeouts);
	while (ns > old && !__atomic_compare_exchange_n(&pool->stats.longest_wait_ns, &old, ns,
							 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* A sleep that timed out although refills came and woke nobody. */
static noinline void lost_wakeup(mempool_t *pool, unsigned long slept, unsigned long missed)
{
	stat_inc(&pool->stats.lost_wakeups);
	report_begin(REPORT_BUG);
	printk("BUG: lost wake-up: mempool %p (min_nr %d) waiter on CPU#%d slept %lu jiffies while %lu element%s went back to its reserve; nobody woke it\n",
	       (void *)pool, READ_ONCE(pool->min_nr), raw_smp_processor_id(), slept, missed,
	       missed == 1 ? "" : "s");
	printk("Mempool %p curr_nr %d: waits %lu, wake-ups %lu, timeouts %lu, lost wake-ups %lu\n",
	       (void *)pool, READ_ONCE(pool->curr_nr),
	       __atomic_load_n(&pool->stats.waits, __ATOMIC_RELAXED),
	       __atomic_load_n(&pool->stats.wakeups, __ATOMIC_RELAXED),
	       __atomic_load_n(&pool->stats.timeouts, __ATOMIC_RELAXED),
	       __atomic_load_n(&pool->stats.lost_wakeups, __ATOMIC_RELAXED));
	dump_stack();
	report_end(REPORT_BUG, TAINT_WARN);
}

static inline void *got_element(mempool_t *pool, void *element, unsigned long *counter)
{
	stat_inc(counter);
	__atomic_fetch_add(&pool->stats.outstanding, 1, __ATOMIC_RELAXED);
	return element;
}

void *mempool_alloc(mempool_t *pool, gfp_t gfp_mask)
{
	void *element;
	unsigned long flags;
	struct wait_queue_entry wait;
	unsigned long since;
	gfp_t gfp_temp;

	WARN_ON_ONCE(gfp_mask & __GFP_ZERO);
	/* a sleeping allocation from atomic context: reported, and then
	 * served without sleeping (it may get NULL) */
	if ((gfp_mask & __GFP_DIRECT_RECLAIM) && might_sleep())
		gfp_mask &= ~__GFP_DIRECT_RECLAIM;

	gfp_mask |= __GFP_NOMEMALLOC;	/* no emergency reserves: the pool is ours */
	gfp_mask |= __GFP_NORETRY;	/* no looping in the page allocator */
	gfp_mask |= __GFP_NOWARN;	/* failures are expected */

	gfp_temp = gfp_mask & ~(__GFP_DIRECT_RECLAIM | __GFP_IO);

repeat_alloc:
	element = pool->alloc(gfp_temp, pool->pool_data);
	if (likely(element))
		return got_element(pool, element, &pool->stats.alloc_backing);

	spin_lock_irqsave(&pool->lock, flags);
	if (likely(pool->curr_nr)) {
		element = remove_element(pool);
		spin_unlock_irqrestore(&pool->lock, flags);
		/*
		 * Paired with the read barrier in mempool_free(): curr_nr's
		 * decrement is visible before the element is, so a CPU that
		 * gets the element from us, however it does, sees curr_nr as
		 * it is now or later.  (In this model an element handed to
		 * another CPU is ordered by that hand-off already, and curr_nr
		 * is accessed atomically: the fences keep the kernel's pairing
		 * for hand-offs made by other means; TSan does not see them.)
		 */
		smp_wmb();
		/* its allocation is this one, as far as kmemleak is told */
		if (kmemleak_active())
			kmemleak_update_trace(element);
		return got_element(pool, element, &pool->stats.alloc_pool);
	}

	/* The first round went without direct reclaim or IO: with the
	 * reserve empty, retry the backing allocator at once with all of it. */
	if (gfp_temp != gfp_mask) {
		spin_unlock_irqrestore(&pool->lock, flags);
		gfp_temp = gfp_mask;
		goto repeat_alloc;
	}

	/* Not allowed to sleep: the caller gets NULL. */
	if (!(gfp_mask & __GFP_DIRECT_RECLAIM)) {
		spin_unlock_irqrestore(&pool->lock, flags);
		stat_inc(&pool->stats.alloc_failed);
		return NULL;
	}

	/* Wait for someone to give an element back; queued under the lock,
	 * so a mempool_free() that refills after our check wakes us (and its
	 * ticket is above since: see the map). */
	init_wait(&wait);
	wait.func = woken_wake_function;
	prepare_to_wait(&pool->wait, &wait, TASK_UNINTERRUPTIBLE);
	since = wake_seq_read(&pool->refills);
	spin_unlock_irqrestore(&pool->lock, flags);
	jitter_point();		/* queued, not asleep yet: a free and its wake-up may come now */
	stat_inc(&pool->stats.waits);
	{
		unsigned long long t0 = now_ns();
		unsigned long j0 = jiffies, missed;
		long left = io_schedule_timeout(5 * HZ);

		record_wait(pool, left, now_ns() - t0);
		missed = finish_wait_missed(&pool->wait, &wait, &pool->refills, since);
		if (unlikely(missed))
			lost_wakeup(pool, jiffies - j0, missed);
	}
	jitter_point();		/* woken: another waiter may take the element first */
	goto repeat_alloc;
}

void mempool_free(void *element, mempool_t *pool)
{
	unsigned long flags;

	if (unlikely(!element))
		return;
	__atomic_fetch_sub(&pool->stats.outstanding, 1, __ATOMIC_RELAXED);

	/*
	 * Paired with the write barrier in mempool_alloc(): the read of
	 * element (our caller's) comes before the read of curr_nr, so if the
	 * element came from the reserve we see the reserve without it.  Were
	 * curr_nr read first, a stale min_nr-full value could send the
	 * element to pool->free while the reserve stays one short, with a
	 * waiter that nobody wakes until its timeout.
	 */
	smp_rmb();

	/* The unlocked test keeps the common case (a full reserve) off the
	 * lock; it is repeated under the lock before acting on it. */
	if (unlikely(READ_ONCE(pool->curr_nr) < READ_ONCE(pool->min_nr))) {
		jitter_point();		/* another free may fill the reserve meanwhile */
		spin_lock_irqsave(&pool->lock, flags);
		if (likely(pool->curr_nr < pool->min_nr)) {
			/* under the lock, as the sleepers' note: see the map */
			unsigned long ticket = wake_seq_made(&pool->refills);

			add_element(pool, element);
			spin_unlock_irqrestore(&pool->lock, flags);
			stat_inc(&pool->stats.frees_to_pool);
			wake_up(&pool->wait);
			wake_seq_done(&pool->refills, ticket);
			return;
		}
		spin_unlock_irqrestore(&pool->lock, flags);
	}
	pool->free(element, pool->pool_data);
}

/* ------------------------------------------------------------------ */
/* The standard pools                                                  */

void *mempool_alloc_slab(gfp_t gfp_mask, void *pool_data)
{
	struct kmem_cache *mem = pool_data;

	if (WARN(mem->ctor, "mempool_alloc_slab: cache %s has a constructor\n", mem->name))
		return NULL;
	return kmem_cache_alloc(mem, gfp_mask);
}

void mempool_free_slab(void *element, void *pool_data)
{
	kmem_cache_free(pool_data, element);
}

/* A constructed object's state would not survive the reserve's poison,
 * and mempool users expect fresh objects: such a cache is refused. */
mempool_t *mempool_create_slab_pool(int min_nr, struct kmem_cache *kc)
{
	if (WARN(!kc || kc->ctor, "mempool_create_slab_pool: cache %s has a constructor\n",
		 kc ? kc->name : "(null)"))
		return NULL;
	return mempool_create(min_nr, mempool_alloc_slab, mempool_free_slab, kc);
}

void *mempool_kmalloc(gfp_t gfp_mask, void *pool_data)
{
	return kmalloc((size_t)pool_data, gfp_mask);
}

void mempool_kfree(void *element, void *pool_data)
{
	(void)pool_data;
	kfree(element);
}

void *mempool_alloc_pages(gfp_t gfp_mask, void *pool_data)
{
	return alloc_pages(gfp_mask, (unsigned int)(long)pool_data);
}

void mempool_free_pages(void *element, void *pool_data)
{
	__free_pages(element, (unsigned int)(long)pool_data);
}
