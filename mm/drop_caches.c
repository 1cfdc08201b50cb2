// SPDX-License-Identifier: MIT
/*
 * mm/drop_caches.c - vm.drop_caches (v4.19 fs/drop_caches.c): 1 drops the
 * clean, unused page cache, 2 the shrinkers' objects (drop_slab()), 3
 * both; 4 only silences the message each write prints.  Writes outside
 * 1..4 are -EINVAL; a read gives the last value written.
 *
 * Who touches what: sysctl_drop_caches and stfu are written by writers of
 * the sysctl (any CPU, several at once: relaxed atomics, the kernel's
 * plain ints) and read by readers.
 */
#include <errno.h>
#include <stdio.h>

#include "reclaim.h"

static unsigned int sysctl_drop_caches;	/* atomic, relaxed: last written */
static unsigned int stfu;		/* atomic, relaxed: bit 4 once written */

int drop_caches_write(const char *value)
{
	unsigned long long v;

	if (!value || parse_uint(value, 1, 4, &v))
		return -EINVAL;
	if (!caller_is_cpu("drop_caches_write"))
		return -EPERM;
	if (might_sleep())
		return -EINVAL;
	__atomic_store_n(&sysctl_drop_caches, (unsigned int)v, __ATOMIC_RELAXED);
	if (v & 1) {
		drop_pagecache();
		count_vm_event(DROP_PAGECACHE);
	}
	if (v & 2) {
		drop_slab();
		count_vm_event(DROP_SLAB);
	}
	if (!__atomic_load_n(&stfu, __ATOMIC_RELAXED))
		pr_info("%s (%d): drop_caches: %u\n", current->comm[0] ? current->comm : "?",
			current->pid, (unsigned int)v);
	if (v & 4)
		__atomic_store_n(&stfu, 1, __ATOMIC_RELAXED);
	return 0;
}

int drop_caches_read(char *buf, size_t len)
{
	snprintf(buf, len, "%u\n", __atomic_load_n(&sysctl_drop_caches, __ATOMIC_RELAXED));
	return 0;
}
