// SPDX-License-Identifier: MIT
/*
 * mm/proc.c - mm_proc_show() and mm_sysctl_read()/mm_sysctl_write(): the
 * model's /proc and /proc/sys/vm, dispatched by name.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "slab.h"
#include "vmalloc.h"
#include "reclaim.h"

struct proc_file {
	const char *name;
	void (*show)(FILE *out);
};

static const struct proc_file proc_files[] = {
	{ "buddyinfo", buddyinfo_show },
	{ "zoneinfo", zoneinfo_show },
	{ "meminfo", meminfo_show },
	{ "vmstat", vmstat_show },
	{ "vmallocinfo", vmallocinfo_show },
	{ "swaps", swaps_show },
};

/*
 * slab/<cache>/<attr>: /sys/kernel/slab/<cache>/<attr> of SLUB (the model
 * keeps sysfs under mm_proc_show()); -ENOENT for a cache or attribute
 * that does not exist, and under SLAB and SLOB, which have no such files.
 */
static int slab_sysfs_show(const char *path, FILE *out)
{
	const char *slash = strrchr(path, '/');
	char cache[80];

	if (!slash || slash == path || !slash[1] || (size_t)(slash - path) >= sizeof(cache) ||
	    !strcmp(slash + 1, "failslab"))
		return -ENOENT;
	memcpy(cache, path, (size_t)(slash - path));
	cache[slash - path] = 0;
	return slab_attr(cache, slash + 1, NULL, out);
}

int mm_proc_show(const char *name, FILE *out)
{
	int ret = -ENOENT;

	if (!name || !out)
		return -EINVAL;
	if (mm_life_read_lock())
		return -ENODEV;
	if (!strcmp(name, "slabinfo") || !strncmp(name, "slab/", 5)) {
		/* the slab allocator decides which of these exist */
		ret = name[4] == '/' ? slab_sysfs_show(name + 5, out) : slabinfo_show(out);
		fflush(out);
		mm_life_read_unlock();
		return ret;
	}
	for (size_t i = 0; i < ARRAY_SIZE(proc_files); i++) {
		if (!strcmp(name, proc_files[i].name)) {
			proc_files[i].show(out);
			fflush(out);
			ret = 0;
			break;
		}
	}
	mm_life_read_unlock();
	return ret;
}

struct sysctl_entry {
	const char *name;
	int (*read)(const char *name, char *buf, size_t len);
	int (*write)(const char *name, const char *value);
};

/* kernel.hung_task_timeout_secs and kernel.watchdog_thresh: the lockup
 * detectors' (numa/watchdog.c), as /proc/sys/kernel has them. */
static int kernel_sysctl_write(const char *name, const char *value)
{
	unsigned long long v;

	if (!strcmp(name, "kernel.hung_task_timeout_secs")) {
		if (parse_uint(value, 0, 86400, &v))
			return -EINVAL;
		hung_task_set_timeout((unsigned int)v);
	} else {
		if (parse_uint(value, 1, 3600, &v))
			return -EINVAL;
		WRITE_ONCE(machine.watchdog_thresh, (unsigned int)v);
	}
	return 0;
}

static int kernel_sysctl_read(const char *name, char *buf, size_t len)
{
	unsigned int v = !strcmp(name, "kernel.hung_task_timeout_secs") ?
			 hung_task_get_timeout() : READ_ONCE(machine.watchdog_thresh);

	snprintf(buf, len, "%u\n", v);
	return 0;
}

/* vm.drop_caches: mm/drop_caches.c */
static int drop_caches_sysctl_write(const char *name, const char *value)
{
	(void)name;
	return drop_caches_write(value);
}

static int drop_caches_sysctl_read(const char *name, char *buf, size_t len)
{
	(void)name;
	return drop_caches_read(buf, len);
}

static const struct sysctl_entry sysctls[] = {
	{ "kernel.hung_task_timeout_secs", kernel_sysctl_read, kernel_sysctl_write },
	{ "kernel.watchdog_thresh", kernel_sysctl_read, kernel_sysctl_write },
	{ "vm.min_free_kbytes", wmark_sysctl_read, wmark_sysctl_write },
	{ "vm.watermark_scale_factor", wmark_sysctl_read, wmark_sysctl_write },
	{ "vm.lowmem_reserve_ratio", wmark_sysctl_read, wmark_sysctl_write },
	{ "vm.percpu_pagelist_fraction", pcp_sysctl_read, pcp_sysctl_write },
	{ "vm.swappiness", swappiness_sysctl_read, swappiness_sysctl_write },
	{ "vm.dirty_ratio", dirty_sysctl_read, dirty_sysctl_write },
	{ "vm.dirty_background_ratio", dirty_sysctl_read, dirty_sysctl_write },
	{ "vm.drop_caches", drop_caches_sysctl_read, drop_caches_sysctl_write },
};

/* A sysctl's read (buf) or write (value) handler, with the machine held. */
static int sysctl_call(const char *name, const char *value, char *buf, size_t len)
{
	const struct sysctl_entry *e = NULL;
	int ret;

	if (mm_life_read_lock())
		return -ENODEV;
	for (size_t i = 0; i < ARRAY_SIZE(sysctls) && !e; i++)
		if (!strcmp(name, sysctls[i].name))
			e = &sysctls[i];
	if (!e)
		ret = -ENOENT;
	else
		ret = value ? e->write(name, value) : e->read(name, buf, len);
	mm_life_read_unlock();
	return ret;
}

int mm_sysctl_write(const char *name, const char *value)
{
	int ret;

	if (!name || !value)
		return -EINVAL;
	ret = sysctl_call(name, value, NULL, 0);
	if (ret == -ENOENT)
		pr_err("mm_sysctl_write: unknown sysctl '%s'\n", name);
	else if (ret == -EINVAL)
		pr_err("mm_sysctl_write: %s: invalid value '%s'\n", name, value);
	return ret;
}

int mm_sysctl_read(const char *name, char *buf, size_t len)
{
	if (!name || !buf)
		return -EINVAL;
	return sysctl_call(name, NULL, buf, len);
}
