/* SPDX-License-Identifier: MIT */
/*
 * mmsim/shrinker.h - shrinkers: caches of reclaimable objects that reclaim
 * asks to give memory back, as Linux v4.19's include/linux/shrinker.h.
 *
 * A cache fills a struct shrinker and registers it.  Reclaim (kswapd,
 * direct reclaim, vm.drop_caches 2) then calls, per node:
 *
 *   count_objects(shrinker, sc)	how many objects could be freed now:
 *				0 or SHRINK_EMPTY if none;
 *   scan_objects(shrinker, sc)	free up to sc->nr_to_scan of them (setting
 *				sc->nr_scanned if it looked at another number):
 *				the number freed, or SHRINK_STOP if it cannot
 *				make progress (a filesystem cache called without
 *				__GFP_FS in sc->gfp_mask, a lock it cannot take).
 *
 * How many reclaim asks for is v4.19's do_shrink_slab(): freeable >>
 * priority, times 4 / seeks (the cost of recreating an object: DEFAULT_SEEKS
 * for most caches), plus what earlier calls left undone (nr_deferred, per
 * node for SHRINKER_NUMA_AWARE shrinkers), asked in batches of `batch`
 * (SHRINK_BATCH, 128, if 0).  Both callbacks run in process context on an
 * attached CPU and may sleep; they are never called with a lock held.
 *
 * Who touches what: the owner fills count_objects, scan_objects, seeks,
 * batch and flags before register_shrinker() and leaves them alone until
 * unregister_shrinker() returns.  list and nr_deferred are mm/shrinker.c's
 * (nr_deferred: allocated by register_shrinker(), freed by
 * unregister_shrinker(), each element atomic).
 */
#ifndef MMSIM_SHRINKER_H
#define MMSIM_SHRINKER_H

#include <mmsim/compiler.h>
#include <mmsim/gfp.h>
#include <urcu/list.h>

#ifdef __cplusplus
extern "C" {
#endif

struct shrink_control {
	gfp_t gfp_mask;			/* the allocation reclaim works for */
	int nid;			/* the node being shrunk */
	unsigned long nr_to_scan;	/* objects to look at this call */
	unsigned long nr_scanned;	/* set to nr_to_scan before the call;
					   the shrinker may lower or raise it */
};

#define SHRINK_STOP	(~0UL)		/* scan_objects(): no progress possible */
#define SHRINK_EMPTY	(~0UL - 1)	/* count_objects(): nothing at all */

#define DEFAULT_SEEKS	2		/* a lookup costs a seek and a read */

#define SHRINKER_NUMA_AWARE	(1U << 0)	/* per-node objects and nr_deferred */

struct shrinker {
	unsigned long (*count_objects)(struct shrinker *shrinker, struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *shrinker, struct shrink_control *sc);
	int seeks;			/* > 0 */
	long batch;			/* objects per scan_objects() call, 0: 128 */
	unsigned int flags;		/* SHRINKER_* */
	struct cds_list_head list;	/* on the shrinker list: shrinker.c's */
	long *nr_deferred;		/* [node] (node 0 only unless NUMA aware):
					   scans owed from earlier calls;
					   atomic, relaxed (an estimate) */
};

/* 0, -ENOMEM (nr_deferred could not be allocated), -EINVAL (no callbacks
 * or seeks <= 0: reported), -EBUSY (already registered: reported),
 * -EDEADLK (called from a shrinker's callback: reported).  Sleeps (takes
 * the shrinker list for writing). */
int register_shrinker(struct shrinker *shrinker);
/* Off the list; once it returns no callback of it runs or will run.  A
 * shrinker that was never registered (nr_deferred NULL) is ignored; one
 * not on the list, or a call from a shrinker's callback, is reported and
 * refused. */
void unregister_shrinker(struct shrinker *shrinker);

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_SHRINKER_H */
