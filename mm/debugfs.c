// SPDX-License-Identifier: MIT
/*
 * mm/debugfs.c - mm_debugfs_show() and mm_debugfs_write(): the model's
 * /sys/kernel/debug, dispatched by path, with the machine held up
 * (mm_life_lock) as mm_proc_show() does.
 *
 *   fail_page_alloc/<file>, failslab/<file>
 *			the fault-injection capabilities (mm/fail_alloc.c):
 *			probability, interval, times, space, verbose,
 *			verbose_ratelimit_interval_ms, verbose_ratelimit_burst,
 *			ignore-gfp-wait, and ignore-gfp-highmem and min-order
 *			(fail_page_alloc) or cache-filter (failslab)
 *   fault_stats	read-only: each capability's fault sites and
 *			injected failures, "name value" lines as /proc/vmstat
 *   fail-nth		the calling thread's /proc/thread-self/fail-nth
 *   kmemleak	the kernel memory leak detector (mm/kmemleak_scan.c):
 *			show lists what the last scan found unreferenced;
 *			write "scan", "clear", "scan=<secs>", "scan=on|off",
 *			"stack=on|off", "dump=<addr>" or "off".  -EBUSY
 *			while kmemleak is off.
 *   slab/<cache>/failslab
 *			the cache's /sys/kernel/slab/<cache>/failslab (0/1):
 *			which caches failslab's cache-filter lets fail
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "slab.h"
#include "kmemleak.h"
#include "../numa/fault_inject.h"

/* "dir/file" into its two halves: 0, or -ENOENT if there is no '/'. */
static int split_path(const char *name, char *dir, size_t len, const char **file)
{
	const char *slash = strrchr(name, '/');

	if (!slash || (size_t)(slash - name) >= len)
		return -ENOENT;
	memcpy(dir, name, (size_t)(slash - name));
	dir[slash - name] = '\0';
	*file = slash + 1;
	return 0;
}

static int debugfs_call(const char *name, const char *value, FILE *out)
{
	const char *file;
	char dir[96];

	if (!strcmp(name, "kmemleak"))
		return value ? kmemleak_write(value) : kmemleak_show(out);
	if (!strcmp(name, "fail-nth"))
		return value ? fail_nth_write(value) : fail_nth_show(out);
	if (!strcmp(name, "fault_stats")) {
		if (value)
			return -EPERM;
		fail_alloc_stats_show(out);
		return 0;
	}
	if (split_path(name, dir, sizeof(dir), &file))
		return -ENOENT;
	if (!strncmp(dir, "slab/", 5) && !strcmp(file, "failslab"))
		return slab_failslab_attr(dir + 5, value, out);
	return value ? fail_alloc_debugfs_write(dir, file, value)
		     : fail_alloc_debugfs_show(dir, file, out);
}

int mm_debugfs_show(const char *name, FILE *out)
{
	int ret;

	if (!name || !out)
		return -EINVAL;
	if (mm_life_read_lock())
		return -ENODEV;
	ret = debugfs_call(name, NULL, out);
	fflush(out);
	mm_life_read_unlock();
	return ret;
}

int mm_debugfs_write(const char *name, const char *value)
{
	int ret;

	if (!name || !value)
		return -EINVAL;
	if (mm_life_read_lock())
		return -ENODEV;
	ret = debugfs_call(name, value, NULL);
	mm_life_read_unlock();
	return ret;
}
