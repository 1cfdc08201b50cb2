// SPDX-License-Identifier: MIT
/*
 * mm/reclaim_boot.c - the boot parameters of reclaimable memory and the
 * order its parts come up and go down in.
 *
 *   swap=SIZE		the swap area (none by default, as a kernel with
 *			no swapon)
 *   disk=SIZE		the disk files live on (1G by default)
 *   io_latency_us=N	each page's I/O waits N us after its copy (50)
 *
 * reclaim_cfg is written by mm_boot()'s parser and read-only after the
 * boot (under boot_mutex, before any CPU runs).
 */
#include <errno.h>
#include <string.h>

#include "reclaim.h"
#include "../numa/blockdev.h"

struct reclaim_config reclaim_cfg;

void reclaim_config_init(void)
{
	reclaim_cfg.swap_bytes = 0;
	vm_swappiness = 60;
	reclaim_cfg.disk_bytes = 1ULL << 30;
	io_latency_ns = 50000;
}

int reclaim_parse_param(const char *param, const char *val)
{
	unsigned long long v;

	if (!strcmp(param, "swap") || !strcmp(param, "disk")) {
		if (!val || memparse_strict(val, &v))
			return boot_param_bad(param, val, "expected a size (K, M, G)");
		if (v > (1ULL << 40))
			return boot_param_bad(param, val, "at most 1T");
		if (param[0] == 's')
			reclaim_cfg.swap_bytes = v & ~(unsigned long long)(PAGE_SIZE - 1);
		else
			reclaim_cfg.disk_bytes = v & ~(unsigned long long)(PAGE_SIZE - 1);
		return 0;
	}
	if (!strcmp(param, "io_latency_us")) {
		if (!val || parse_uint(val, 0, 1000000, &v))
			return boot_param_bad(param, val, "expected microseconds, 0 to 1000000");
		io_latency_ns = v * 1000;
		return 0;
	}
	return 1;
}

/*
 * Up in this order, down in the reverse: the devices and the swap area,
 * the LRU lists, the page cache, then the threads that use them (kswapd).
 * A part that fails undoes itself; reclaim_exit() undoes what came up.
 */
int reclaim_init(void)
{
	int ret;

	ret = swap_init(reclaim_cfg.swap_bytes);
	if (ret)
		return ret;
	page_lock_init();
	ret = lru_init();
	if (ret)
		goto err_swap;
	ret = filemap_init(reclaim_cfg.disk_bytes);
	if (ret)
		goto err_lru;
	ret = kswapd_init();
	if (ret)
		goto err_filemap;
	oom_init();
	return 0;

err_filemap:
	filemap_exit();
err_lru:
	lru_exit();
err_swap:
	swap_exit();
	return ret;
}

void reclaim_exit(void)
{
	kswapd_exit();
	filemap_exit();
	lru_exit();
	swap_exit();
	shrinker_exit();
}
