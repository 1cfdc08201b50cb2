// SPDX-License-Identifier: MIT
/*
 * mm/wmark.c - min_free_kbytes, the per-zone MIN/LOW/HIGH watermarks,
 * lowmem_reserve, totalreserve_pages, and their sysctls (v4.19 formulas).
 *
 *   min_free_kbytes, watermark_scale_factor, sysctl_lowmem_reserve_ratio[]
 *	written under wmark_mutex (boot and sysctl writes), read with
 *	READ_ONCE.
 *   zone->_watermark[], zone->lowmem_reserve[]
 *	written under wmark_mutex and zone->lock, read unlocked by every
 *	allocation (READ_ONCE): a rewrite racing with allocations is seen
 *	field by field, as in Linux.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include <mmsim/mutex.h>

#define SWAP_CLUSTER_MAX 32UL

long min_free_kbytes;
int watermark_scale_factor = 10;
static const int default_lowmem_reserve_ratio[MAX_NR_ZONES] = {
	[ZONE_DMA] = 256,
	[ZONE_DMA32] = 256,
	[ZONE_NORMAL] = 32,
	[ZONE_HIGHMEM] = 0,
	[ZONE_MOVABLE] = 0,
};
int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES];
static void __setup_per_zone_wmarks(void);
static void __setup_per_zone_lowmem_reserve(void);
static unsigned long totalreserve_pages;	/* wmark_mutex; READ_ONCE */
static DEFINE_MUTEX(wmark_mutex);

/* Every boot starts from the kernel's defaults. */
void wmark_init(long user_min_free_kbytes, int scale_factor)
{
	mutex_lock(&wmark_mutex);
	memcpy(sysctl_lowmem_reserve_ratio, default_lowmem_reserve_ratio,
	       sizeof(sysctl_lowmem_reserve_ratio));
	watermark_scale_factor = scale_factor;
	min_free_kbytes = user_min_free_kbytes >= 0 ? user_min_free_kbytes :
			  init_per_zone_wmark_min();
	__setup_per_zone_wmarks();
	__setup_per_zone_lowmem_reserve();
	mutex_unlock(&wmark_mutex);
}

unsigned long int_sqrt(unsigned long long x)
{
	unsigned long long r = 0, bit = 1ULL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return (unsigned long)r;
}

/*
 * min_free_kbytes = clamp(sqrt(lowmem_kbytes * 16), 128, 65536), where
 * lowmem is what GFP_USER can reach from node 0: every node's zones up to
 * Normal, less their high watermarks (0 at boot).
 */
long init_per_zone_wmark_min(void)
{
	unsigned long long lowmem_pages = 0;
	long v;

	for_each_online_node(nid) {
		for (int t = 0; t <= ZONE_NORMAL; t++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[t];
			unsigned long high = high_wmark_pages(zone);

			if (zone->managed_pages > high)
				lowmem_pages += zone->managed_pages - high;
		}
	}
	v = (long)int_sqrt(lowmem_pages * (PAGE_SIZE >> 10) * 16);
	return clamp(v, 128L, 65536L);
}

static void calculate_totalreserve_pages(void)
{
	unsigned long reserve_pages = 0;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		unsigned long node_reserve = 0;

		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			long max = 0;

			for (int j = i; j < MAX_NR_ZONES; j++)
				if (zone->lowmem_reserve[j] > max)
					max = zone->lowmem_reserve[j];
			max += (long)high_wmark_pages(zone);
			if (max > (long)zone->managed_pages)
				max = (long)zone->managed_pages;
			node_reserve += (unsigned long)max;
		}
		WRITE_ONCE(pgdat->totalreserve_pages, node_reserve);
		reserve_pages += node_reserve;
	}
	WRITE_ONCE(totalreserve_pages, reserve_pages);
}

unsigned long totalreserve_pages_get(void)
{
	return READ_ONCE(totalreserve_pages);
}

static void __setup_per_zone_wmarks(void)
{
	unsigned long pages_min = (unsigned long)min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;

	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid))
			if (!is_highmem(zone))
				lowmem_pages += zone->managed_pages;
	}
	if (!lowmem_pages)
		lowmem_pages = 1;

	for_each_online_node(nid) {
		struct zone *zone;

		for_each_zone_of_node(zone, NODE_DATA(nid)) {
			unsigned long long tmp;
			unsigned long wmin, irqflags;

			if (!zone_configured[zone_idx(zone)])
				continue;
			tmp = (unsigned long long)pages_min * zone->managed_pages / lowmem_pages;
			if (is_highmem(zone)) {
				/* Highmem is not needed for atomic allocations:
				 * keep a small, bounded reserve. */
				wmin = clamp(zone->managed_pages / 1024, SWAP_CLUSTER_MAX, 128UL);
			} else {
				wmin = (unsigned long)tmp;
			}
			tmp = max(tmp >> 2, (unsigned long long)zone->managed_pages *
					     (unsigned long)watermark_scale_factor / 10000);
			spin_lock_irqsave(&zone->lock, irqflags);
			WRITE_ONCE(zone->_watermark[WMARK_MIN], wmin);
			WRITE_ONCE(zone->_watermark[WMARK_LOW], wmin + (unsigned long)tmp);
			WRITE_ONCE(zone->_watermark[WMARK_HIGH], wmin + 2 * (unsigned long)tmp);
			spin_unlock_irqrestore(&zone->lock, irqflags);
		}
	}
	calculate_totalreserve_pages();
}

static void __setup_per_zone_lowmem_reserve(void)
{
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (int j = 0; j < MAX_NR_ZONES; j++) {
			unsigned long managed = pgdat->node_zones[j].managed_pages;

			WRITE_ONCE(pgdat->node_zones[j].lowmem_reserve[j], 0L);
			for (int idx = j - 1; idx >= 0; idx--) {
				struct zone *lower = &pgdat->node_zones[idx];

				if (sysctl_lowmem_reserve_ratio[idx] < 1) {
					sysctl_lowmem_reserve_ratio[idx] = 0;
					WRITE_ONCE(lower->lowmem_reserve[j], 0L);
				} else {
					WRITE_ONCE(lower->lowmem_reserve[j],
						   (long)(managed / (unsigned long)
							  sysctl_lowmem_reserve_ratio[idx]));
				}
				managed += lower->managed_pages;
			}
		}
	}
	calculate_totalreserve_pages();
}

/* ------------------------------------------------------------------ */
/* sysctl: vm.min_free_kbytes, vm.watermark_scale_factor,              */
/* vm.lowmem_reserve_ratio (one value per configured zone)             */

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int wmark_sysctl_write(const char *name, const char *value)
{
	long v;
	int ret = 0;

	mutex_lock(&wmark_mutex);
	if (!strcmp(name, "vm.min_free_kbytes")) {
		ret = parse_int(value, 0, 0x7fffffff, &v);
		if (!ret) {
			WRITE_ONCE(min_free_kbytes, v);
			__setup_per_zone_wmarks();
		}
	} else if (!strcmp(name, "vm.watermark_scale_factor")) {
		ret = parse_int(value, 1, 1000, &v);
		if (!ret) {
			WRITE_ONCE(watermark_scale_factor, (int)v);
			__setup_per_zone_wmarks();
		}
	} else if (!strcmp(name, "vm.lowmem_reserve_ratio")) {
		int ratio[MAX_NR_ZONES];
		const char *s = value;

		memcpy(ratio, sysctl_lowmem_reserve_ratio, sizeof(ratio));
		for (int t = 0; t < MAX_NR_ZONES && !ret; t++) {
			char *end;

			if (!zone_configured[t])
				continue;
			while (*s == ' ' || *s == '\t')
				s++;
			if (!*s || *s == '\n')
				break;		/* fewer values: the rest stay */
			errno = 0;
			v = strtol(s, &end, 10);
			if (errno || end == s || v < -0x7fffffffL || v > 0x7fffffffL)
				ret = -EINVAL;
			else
				ratio[t] = (int)v;
			s = end;
		}
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s)
			ret = -EINVAL;
		if (!ret) {
			memcpy(sysctl_lowmem_reserve_ratio, ratio, sizeof(ratio));
			__setup_per_zone_lowmem_reserve();
		}
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&wmark_mutex);
	return ret;
}

int wmark_sysctl_read(const char *name, char *buf, size_t len)
{
	int n = -ENOENT;

	mutex_lock(&wmark_mutex);
	if (!strcmp(name, "vm.min_free_kbytes")) {
		n = snprintf(buf, len, "%ld", min_free_kbytes);
	} else if (!strcmp(name, "vm.watermark_scale_factor")) {
		n = snprintf(buf, len, "%d", watermark_scale_factor);
	} else if (!strcmp(name, "vm.lowmem_reserve_ratio")) {
		size_t off = 0;

		n = 0;
		for (int t = 0; t < MAX_NR_ZONES; t++) {
			if (!zone_configured[t])
				continue;
			n = snprintf(buf + off, len > off ? len - off : 0, "%s%d",
				     off ? "\t" : "", sysctl_lowmem_reserve_ratio[t]);
			off += (size_t)n;
		}
		n = (int)off;
	}
	mutex_unlock(&wmark_mutex);
	if (n >= 0 && (size_t)n >= len)
		return -ENOSPC;
	return n < 0 ? n : 0;
}
