// SPDX-License-Identifier: MIT
/*
 * mm/fail_alloc.c - the allocator's two fault-injection capabilities, as
 * v4.19 has them: fail_page_alloc (mm/page_alloc.c there) and failslab
 * (mm/failslab.c), on numa/fault_inject.c's should_fail().
 *
 *   fail_page_alloc	a fault site in every page allocation that reaches
 *			the general path (the order-0 fast path steps aside
 *			while any fault injection is armed): order >=
 *			min-order, not __GFP_NOFAIL, not __GFP_HIGHMEM when
 *			ignore-gfp-highmem, not __GFP_DIRECT_RECLAIM when
 *			ignore-gfp-wait.  Defaults: min-order 1, both Y.
 *   failslab		a fault site at the top of every slab and kmalloc
 *			allocation but the caches' own cache: not
 *			__GFP_NOFAIL, not __GFP_DIRECT_RECLAIM when
 *			ignore-gfp-wait (Y), only SLAB_FAILSLAB caches when
 *			cache-filter (N).
 *
 * Their switches are written under fault_attr_lock() and read with
 * READ_ONCE() at the sites.  Boot: fail_page_alloc= and failslab=
 * (<interval>,<probability>,<space>,<times>); at run time the debugfs files
 * of mm/debugfs.c.  An injected failure returns NULL at once, with no
 * "page allocation failure" warning (the kernel's fault sites come before
 * it); verbose prints FAULT_INJECTION lines instead.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "slab.h"
#include "../numa/fault_inject.h"

static struct {
	struct fault_attr attr;
	int ignore_gfp_highmem;
	int ignore_gfp_reclaim;
	unsigned int min_order;
} fail_page_alloc;

static struct {
	struct fault_attr attr;
	int ignore_gfp_reclaim;
	int cache_filter;
} failslab;

static int fail_alloc_ready;	/* the attrs are initialised: boot_mutex */

/* Defaults: mm_boot() before the boot parameters, and mm_shutdown(). */
void fail_alloc_reset(void)
{
	if (!fail_alloc_ready) {
		fault_attr_init(&fail_page_alloc.attr, "fail_page_alloc");
		fault_attr_init(&failslab.attr, "failslab");
		fail_alloc_ready = 1;
	}
	fault_attr_reset(&fail_page_alloc.attr);
	fault_attr_reset(&failslab.attr);
	fault_attr_lock();
	WRITE_ONCE(fail_page_alloc.ignore_gfp_highmem, 1);
	WRITE_ONCE(fail_page_alloc.ignore_gfp_reclaim, 1);
	WRITE_ONCE(fail_page_alloc.min_order, 1U);
	WRITE_ONCE(failslab.ignore_gfp_reclaim, 1);
	WRITE_ONCE(failslab.cache_filter, 0);
	fault_attr_unlock();
	fail_nth_clear();
}

/* fail_page_alloc= and failslab=: 1 if param is not theirs. */
int fail_alloc_parse_param(const char *param, const char *val)
{
	if (!strcmp(param, "fail_page_alloc"))
		return setup_fault_attr(&fail_page_alloc.attr, param, val);
	if (!strcmp(param, "failslab"))
		return setup_fault_attr(&failslab.attr, param, val);
	return 1;
}

int should_fail_alloc_page(gfp_t gfp_mask, unsigned int order)
{
	if (order < READ_ONCE(fail_page_alloc.min_order))
		return 0;
	if (gfp_mask & __GFP_NOFAIL)
		return 0;
	if (READ_ONCE(fail_page_alloc.ignore_gfp_highmem) && (gfp_mask & __GFP_HIGHMEM))
		return 0;
	if (READ_ONCE(fail_page_alloc.ignore_gfp_reclaim) && (gfp_mask & __GFP_DIRECT_RECLAIM))
		return 0;
	/* the size is in pages here (1 << order), in bytes for failslab */
	return should_fail(&fail_page_alloc.attr, 1L << order);
}

int should_failslab(struct kmem_cache *s, gfp_t gfp_mask)
{
	if (gfp_mask & __GFP_NOFAIL)
		return 0;
	if (READ_ONCE(failslab.ignore_gfp_reclaim) && (gfp_mask & __GFP_DIRECT_RECLAIM))
		return 0;
	if (READ_ONCE(failslab.cache_filter) && !READ_ONCE(s->failslab))
		return 0;
	return should_fail(&failslab.attr, (long)s->object_size);
}

/* ------------------------------------------------------------------ */
/* The debugfs files                                                   */

static int bool_write(int *field, const char *value)
{
	int v;

	if (parse_debugfs_bool(value, &v))
		return -EINVAL;
	fault_attr_lock();
	WRITE_ONCE(*field, v);
	fault_attr_unlock();
	return 0;
}

/* "fail_page_alloc/<file>" or "failslab/<file>": -ENOENT if neither. */
int fail_alloc_debugfs_write(const char *dir, const char *file, const char *value)
{
	if (!strcmp(dir, "fail_page_alloc")) {
		if (!strcmp(file, "ignore-gfp-highmem"))
			return bool_write(&fail_page_alloc.ignore_gfp_highmem, value);
		if (!strcmp(file, "ignore-gfp-wait"))
			return bool_write(&fail_page_alloc.ignore_gfp_reclaim, value);
		if (!strcmp(file, "min-order")) {
			unsigned long long v;

			if (parse_uint(value, 0, MAX_ORDER, &v))
				return -EINVAL;
			fault_attr_lock();
			WRITE_ONCE(fail_page_alloc.min_order, (unsigned int)v);
			fault_attr_unlock();
			return 0;
		}
		return fault_attr_write(&fail_page_alloc.attr, file, value);
	}
	if (!strcmp(dir, "failslab")) {
		if (!strcmp(file, "ignore-gfp-wait"))
			return bool_write(&failslab.ignore_gfp_reclaim, value);
		if (!strcmp(file, "cache-filter"))
			return bool_write(&failslab.cache_filter, value);
		return fault_attr_write(&failslab.attr, file, value);
	}
	return -ENOENT;
}

int fail_alloc_debugfs_show(const char *dir, const char *file, FILE *out)
{
	if (!strcmp(dir, "fail_page_alloc")) {
		if (!strcmp(file, "ignore-gfp-highmem"))
			fprintf(out, "%c\n", READ_ONCE(fail_page_alloc.ignore_gfp_highmem) ? 'Y' : 'N');
		else if (!strcmp(file, "ignore-gfp-wait"))
			fprintf(out, "%c\n", READ_ONCE(fail_page_alloc.ignore_gfp_reclaim) ? 'Y' : 'N');
		else if (!strcmp(file, "min-order"))
			fprintf(out, "%u\n", READ_ONCE(fail_page_alloc.min_order));
		else
			return fault_attr_show(&fail_page_alloc.attr, file, out);
		return 0;
	}
	if (!strcmp(dir, "failslab")) {
		if (!strcmp(file, "ignore-gfp-wait"))
			fprintf(out, "%c\n", READ_ONCE(failslab.ignore_gfp_reclaim) ? 'Y' : 'N');
		else if (!strcmp(file, "cache-filter"))
			fprintf(out, "%c\n", READ_ONCE(failslab.cache_filter) ? 'Y' : 'N');
		else
			return fault_attr_show(&failslab.attr, file, out);
		return 0;
	}
	return -ENOENT;
}

/* "fault_stats": the sites each capability saw and the failures it
 * injected, as /proc/vmstat prints its counters. */
void fail_alloc_stats_show(FILE *out)
{
	static const struct { const char *name; struct fault_attr *attr; } caps[] = {
		{ "fail_page_alloc", &fail_page_alloc.attr },
		{ "failslab", &failslab.attr },
	};

	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		fprintf(out, "%s_sites %lu\n", caps[i].name,
			__atomic_load_n(&caps[i].attr->sites, __ATOMIC_RELAXED));
		fprintf(out, "%s_injected %lu\n", caps[i].name,
			__atomic_load_n(&caps[i].attr->injected, __ATOMIC_RELAXED));
	}
}
