// SPDX-License-Identifier: MIT
/*
 * mm/shrinker.c - the shrinkers (include/mmsim/shrinker.h): their list,
 * register_shrinker()/unregister_shrinker(), and reclaim's side,
 * shrink_slab() and drop_slab(), with v4.19's arithmetic (do_shrink_slab()
 * in mm/vmscan.c).
 *
 * What it owns:
 *   shrinker_list	every registered shrinker, under shrinker_rwsem.
 *   shrinker_rwsem	a reader/writer semaphore of the model's own
 *			(v4.19 has a struct rw_semaphore): `count` is
 *			readers (> 0), a writer (-1) or free (0);
 *			`writers` counts writers waiting.  Readers
 *			(shrink_slab()) only try: a reader that cannot
 *			have it, or finds a writer waiting, gives up, as
 *			v4.19's down_read_trylock() does on a contended
 *			rwsem.  Writers (register, unregister) sleep one
 *			jiffy at a time (schedule_timeout_uninterruptible(),
 *			which answers IPIs) until the readers are gone;
 *			shrink_slab() stops between shrinkers when a
 *			writer waits, so they wait at most one shrinker's
 *			scan.  count: acquire on taking, release on
 *			dropping, so the list as the last holder left it is
 *			seen.  writers: relaxed (a hint to readers).
 *   nr_deferred	each shrinker's owed scans, per node: atomic,
 *			relaxed (an estimate; the exchange and the add are
 *			each atomic, as the kernel's atomic_long_t).
 *
 * Who may touch what: only this file touches the list and the semaphore;
 * a shrinker's callbacks run under the read side and may sleep, but must
 * not register or unregister a shrinker (a self-deadlock in Linux: here
 * reported and refused, shrinker_reading counting the read sides a
 * thread holds).
 * The __GFP_FS rule lives in the shrinkers (a filesystem cache's
 * scan_objects() returns SHRINK_STOP without it), not here.
 */
#include <errno.h>

#include "reclaim.h"
#include <mmsim/shrinker.h>
#include <mmsim/slab.h>

#define SHRINK_BATCH	128

static CDS_LIST_HEAD(shrinker_list);

static struct {
	int count;			/* atomic: > 0 readers, -1 writer, 0 free */
	int writers;			/* atomic (relaxed): writers waiting */
} shrinker_rwsem;

/* The read sides this thread holds (its own): a writer that holds one
 * would wait for itself forever. */
static __thread int shrinker_reading;

static int shrinker_read_trylock(void)
{
	int c = __atomic_load_n(&shrinker_rwsem.count, __ATOMIC_RELAXED);

	do {
		if (c < 0 || __atomic_load_n(&shrinker_rwsem.writers, __ATOMIC_RELAXED))
			return 0;
	} while (!__atomic_compare_exchange_n(&shrinker_rwsem.count, &c, c + 1, 0,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	shrinker_reading++;
	return 1;
}

static void shrinker_read_unlock(void)
{
	shrinker_reading--;
	__atomic_fetch_sub(&shrinker_rwsem.count, 1, __ATOMIC_RELEASE);
}

/* register/unregister from a shrinker's callback: the kernel deadlocks
 * on shrinker_rwsem; reported and refused. */
static int shrinker_self_deadlock(const char *func, const struct shrinker *shrinker)
{
	return WARN(shrinker_reading, "%s: shrinker %p from a shrinker's callback "
		    "(shrinker_rwsem held for reading): refused\n", func, (const void *)shrinker);
}

/* rwsem_is_contended(): a writer waits. */
static int shrinker_rwsem_contended(void)
{
	return __atomic_load_n(&shrinker_rwsem.writers, __ATOMIC_RELAXED) != 0;
}

static void shrinker_write_lock(void)
{
	__atomic_fetch_add(&shrinker_rwsem.writers, 1, __ATOMIC_RELAXED);
	for (;;) {
		int free = 0;

		if (__atomic_compare_exchange_n(&shrinker_rwsem.count, &free, -1, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		schedule_timeout_uninterruptible(1);
	}
	__atomic_fetch_sub(&shrinker_rwsem.writers, 1, __ATOMIC_RELAXED);
}

static void shrinker_write_unlock(void)
{
	__atomic_store_n(&shrinker_rwsem.count, 0, __ATOMIC_RELEASE);
}

/* Under the write side: is it on the list? */
static int __shrinker_listed(const struct shrinker *shrinker)
{
	struct shrinker *s;

	cds_list_for_each_entry(s, &shrinker_list, list)
		if (s == shrinker)
			return 1;
	return 0;
}

/* v4.19: prealloc_shrinker() (nr_deferred) then register_shrinker_prepared(). */
int register_shrinker(struct shrinker *shrinker)
{
	size_t size = sizeof(*shrinker->nr_deferred);
	long *deferred;

	if (might_sleep())
		return -EINVAL;
	if (!shrinker || !shrinker->count_objects || !shrinker->scan_objects ||
	    shrinker->seeks <= 0 || shrinker->batch < 0) {
		WARN(1, "register_shrinker: shrinker %p: no count_objects/scan_objects, or seeks %d, batch %ld\n",
		     (void *)shrinker, shrinker ? shrinker->seeks : 0,
		     shrinker ? shrinker->batch : 0L);
		return -EINVAL;
	}
	if (shrinker_self_deadlock("register_shrinker", shrinker))
		return -EDEADLK;
	if (shrinker->flags & SHRINKER_NUMA_AWARE)
		size *= num_online_nodes();
	deferred = kzalloc(size, GFP_KERNEL);
	if (!deferred)
		return -ENOMEM;

	shrinker_write_lock();
	if (__shrinker_listed(shrinker)) {
		shrinker_write_unlock();
		kfree(deferred);
		WARN(1, "register_shrinker: shrinker %p is already registered\n", (void *)shrinker);
		return -EBUSY;
	}
	shrinker->nr_deferred = deferred;
	cds_list_add_tail(&shrinker->list, &shrinker_list);
	shrinker_write_unlock();
	return 0;
}

void unregister_shrinker(struct shrinker *shrinker)
{
	long *deferred;

	if (!shrinker || !shrinker->nr_deferred)
		return;
	if (might_sleep() || shrinker_self_deadlock("unregister_shrinker", shrinker))
		return;
	shrinker_write_lock();
	if (!__shrinker_listed(shrinker)) {
		shrinker_write_unlock();
		WARN(1, "unregister_shrinker: shrinker %p is not registered\n", (void *)shrinker);
		return;
	}
	cds_list_del(&shrinker->list);
	deferred = shrinker->nr_deferred;
	shrinker->nr_deferred = NULL;
	shrinker_write_unlock();
	kfree(deferred);
}

/*
 * v4.19's do_shrink_slab(): ask for (freeable >> priority) * 4 / seeks plus
 * what earlier calls owe, clamped, in batches; owe what was not scanned.
 */
static unsigned long do_shrink_slab(struct shrink_control *sc, struct shrinker *shrinker,
				    int priority)
{
	long batch_size = shrinker->batch ? shrinker->batch : SHRINK_BATCH;
	int nid = shrinker->flags & SHRINKER_NUMA_AWARE ? sc->nid : 0;
	unsigned long freed = 0, count;
	unsigned long long delta;
	long freeable, nr, total_scan, next_deferred, scanned = 0;

	count = shrinker->count_objects(shrinker, sc);
	if (count == 0 || count == SHRINK_EMPTY)
		return count;
	freeable = (long)count;

	/* Take what is owed, so that concurrent callers do not scan it too. */
	nr = __atomic_exchange_n(&shrinker->nr_deferred[nid], 0, __ATOMIC_RELAXED);

	total_scan = nr;
	delta = (unsigned long long)freeable >> priority;
	delta *= 4;
	delta /= (unsigned int)shrinker->seeks;
	total_scan += (long)delta;
	if (total_scan < 0) {
		pr_err("shrink_slab: %p negative objects to delete nr=%ld\n",
		       (void *)shrinker->scan_objects, total_scan);
		total_scan = freeable;
		next_deferred = nr;
	} else {
		next_deferred = total_scan;
	}

	/* A debt run up by callers that could do nothing (GFP_NOFS) empties
	 * at most half the cache unless this call's own share is large. */
	if (delta < (unsigned long long)(freeable / 4))
		total_scan = min(total_scan, freeable / 2);
	/* Never more than twice what there is. */
	if (total_scan > freeable * 2)
		total_scan = freeable * 2;

	/* Whole batches, or everything when there is less than one batch
	 * and reclaim asks for all of it. */
	while (total_scan >= batch_size || total_scan >= freeable) {
		unsigned long ret, nr_to_scan = (unsigned long)min(batch_size, total_scan);

		sc->nr_to_scan = nr_to_scan;
		sc->nr_scanned = nr_to_scan;
		ret = shrinker->scan_objects(shrinker, sc);
		if (ret == SHRINK_STOP)
			break;
		freed += ret;

		count_vm_events(SLABS_SCANNED, (long)sc->nr_scanned);
		total_scan -= (long)sc->nr_scanned;
		scanned += (long)sc->nr_scanned;

		cond_resched();
	}

	if (next_deferred >= scanned)
		next_deferred -= scanned;
	else
		next_deferred = 0;
	if (next_deferred > 0)
		__atomic_fetch_add(&shrinker->nr_deferred[nid], next_deferred, __ATOMIC_RELAXED);
	return freed;
}

unsigned long shrink_slab(gfp_t gfp_mask, int nid, int priority)
{
	struct shrinker *shrinker;
	unsigned long freed = 0, ret;

	if (nid < 0 || nid >= (int)num_online_nodes() || priority < 0 ||
	    priority >= (int)(8 * sizeof(long))) {
		WARN(1, "shrink_slab: node %d, priority %d\n", nid, priority);
		return 0;
	}
	if (!shrinker_read_trylock())
		goto out;

	cds_list_for_each_entry(shrinker, &shrinker_list, list) {
		struct shrink_control sc = {
			.gfp_mask = gfp_mask,
			.nid = nid,
		};

		ret = do_shrink_slab(&sc, shrinker, priority);
		if (ret == SHRINK_EMPTY)
			ret = 0;
		freed += ret;
		/* Someone registers or unregisters: let them, reporting
		 * progress so that the caller comes back. */
		if (shrinker_rwsem_contended()) {
			freed = freed ? freed : 1;
			break;
		}
	}
	shrinker_read_unlock();
out:
	cond_resched();
	return freed;
}

/* v4.19's drop_slab_node(), for each node: until a pass frees <= 10. */
void drop_slab(void)
{
	for_each_online_node(nid) {
		unsigned long freed;

		do {
			freed = shrink_slab(GFP_KERNEL, nid, 0);
		} while (freed > 10);
	}
}

/* mm_shutdown(): a shrinker still registered is its owner's leak: report
 * it and take it off, so that the next boot starts with an empty list. */
void shrinker_exit(void)
{
	struct shrinker *s, *tmp;

	shrinker_write_lock();
	cds_list_for_each_entry_safe(s, tmp, &shrinker_list, list) {
		WARN(1, "shrinker %p (scan_objects %p) still registered at shutdown\n",
		     (void *)s, (void *)s->scan_objects);
		cds_list_del(&s->list);
		kfree(s->nr_deferred);
		s->nr_deferred = NULL;
	}
	shrinker_write_unlock();
}
