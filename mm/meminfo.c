// SPDX-License-Identifier: MIT
/*
 * mm/meminfo.c - /proc/meminfo in the v4.19 layout (16-character labels,
 * values in kB right-aligned in 8 columns).  The model's kernel config:
 * MMU, SWAP (no swap device), MEMORY_FAILURE, HIGHMEM on x86_32; no THP,
 * CMA or hugetlb.  Memory the model has no notion of (page cache, anon,
 * swap) is truthfully 0.
 */
#include "../numa/vmspace.h"
#include "internal.h"
#include "reclaim.h"

static void show_val_kb(FILE *out, const char *label, unsigned long pages)
{
	fprintf(out, "%s%8lu kB\n", label, pages << (PAGE_SHIFT - 10));
}

static unsigned long si_mem_available(void)
{
	unsigned long wmark_low = 0, pagecache, reclaimable;
	struct zone *zone;
	long available;

	for_each_zone(zone)
		wmark_low += low_wmark_pages(zone);
	available = (long)global_zone_page_state(NR_FREE_PAGES) -
		    (long)totalreserve_pages_get();
	pagecache = global_node_page_state(NR_ACTIVE_FILE) +
		    global_node_page_state(NR_INACTIVE_FILE);
	pagecache -= min(pagecache / 2, wmark_low);
	available += (long)pagecache;
	reclaimable = global_node_page_state(NR_SLAB_RECLAIMABLE);
	available += (long)(reclaimable - min(reclaimable / 2, wmark_low));
	available += (long)(global_node_page_state(NR_INDIRECTLY_RECLAIMABLE_BYTES) >> PAGE_SHIFT);
	return available < 0 ? 0 : (unsigned long)available;
}

void meminfo_show(FILE *out)
{
	unsigned long freeram = global_zone_page_state(NR_FREE_PAGES);
	unsigned long totalhigh = 0, freehigh = 0;
	unsigned long lru[5];
	struct zone *zone;

	for (int i = 0; i < 5; i++)
		lru[i] = global_node_page_state((enum node_stat_item)(NR_LRU_BASE + i));
	for_each_populated_zone(zone) {
		if (!is_highmem(zone))
			continue;
		totalhigh += zone->managed_pages;
		freehigh += zone_page_state_snapshot(zone, NR_FREE_PAGES);
	}

	show_val_kb(out, "MemTotal:       ", totalram_pages);
	show_val_kb(out, "MemFree:        ", freeram);
	show_val_kb(out, "MemAvailable:   ", si_mem_available());
	show_val_kb(out, "Buffers:        ", 0);
	show_val_kb(out, "Cached:         ", global_node_page_state(NR_FILE_PAGES));
	show_val_kb(out, "SwapCached:     ", 0);
	show_val_kb(out, "Active:         ", lru[NR_ACTIVE_ANON] + lru[NR_ACTIVE_FILE]);
	show_val_kb(out, "Inactive:       ", lru[NR_INACTIVE_ANON] + lru[NR_INACTIVE_FILE]);
	show_val_kb(out, "Active(anon):   ", lru[NR_ACTIVE_ANON]);
	show_val_kb(out, "Inactive(anon): ", lru[NR_INACTIVE_ANON]);
	show_val_kb(out, "Active(file):   ", lru[NR_ACTIVE_FILE]);
	show_val_kb(out, "Inactive(file): ", lru[NR_INACTIVE_FILE]);
	show_val_kb(out, "Unevictable:    ", lru[NR_UNEVICTABLE]);
	show_val_kb(out, "Mlocked:        ", global_zone_page_state(NR_MLOCK));
	if (zone_configured[ZONE_HIGHMEM]) {
		show_val_kb(out, "HighTotal:      ", totalhigh);
		show_val_kb(out, "HighFree:       ", freehigh);
		show_val_kb(out, "LowTotal:       ", totalram_pages - totalhigh);
		show_val_kb(out, "LowFree:        ", freeram - freehigh);
	}
	show_val_kb(out, "SwapTotal:      ", total_swap_pages);
	show_val_kb(out, "SwapFree:       ", (unsigned long)get_nr_swap_pages());
	show_val_kb(out, "Dirty:          ", global_node_page_state(NR_FILE_DIRTY));
	show_val_kb(out, "Writeback:      ", global_node_page_state(NR_WRITEBACK));
	show_val_kb(out, "AnonPages:      ", global_node_page_state(NR_ANON_MAPPED));
	show_val_kb(out, "Mapped:         ", global_node_page_state(NR_FILE_MAPPED));
	show_val_kb(out, "Shmem:          ", global_node_page_state(NR_SHMEM));
	show_val_kb(out, "Slab:           ", global_node_page_state(NR_SLAB_RECLAIMABLE) +
					      global_node_page_state(NR_SLAB_UNRECLAIMABLE));
	show_val_kb(out, "SReclaimable:   ", global_node_page_state(NR_SLAB_RECLAIMABLE));
	show_val_kb(out, "SUnreclaim:     ", global_node_page_state(NR_SLAB_UNRECLAIMABLE));
	fprintf(out, "KernelStack:    %8lu kB\n", global_zone_page_state(NR_KERNEL_STACK_KB));
	show_val_kb(out, "PageTables:     ", global_zone_page_state(NR_PAGETABLE));
	show_val_kb(out, "NFS_Unstable:   ", global_node_page_state(NR_UNSTABLE_NFS));
	show_val_kb(out, "Bounce:         ", global_zone_page_state(NR_BOUNCE));
	show_val_kb(out, "WritebackTmp:   ", global_node_page_state(NR_WRITEBACK_TEMP));
	/* vm_commit_limit(): overcommit_ratio 50, plus the swap area */
	show_val_kb(out, "CommitLimit:    ", totalram_pages * 50 / 100 + total_swap_pages);
	show_val_kb(out, "Committed_AS:   ", 0);
	/* x86_64: the architectural 32 TiB (the model reserves less); x86_32:
	 * VMALLOC_END - VMALLOC_START of this machine's window (vmspace.c) */
	fprintf(out, "VmallocTotal:   %8lu kB\n", machine.arch == ARCH_X86_64 ? 34359738367UL :
		(unsigned long)(vmspace.vmalloc_end - vmspace.vmalloc_start) >> 10);
	show_val_kb(out, "VmallocUsed:    ", 0);
	show_val_kb(out, "VmallocChunk:   ", 0);
	show_val_kb(out, "Percpu:         ", 0);
	fprintf(out, "HardwareCorrupted: %5lu kB\n", 0UL);
	/* the direct map is built from 4 KiB host pages */
	show_val_kb(out, "DirectMap4k:    ",
		    (unsigned long)((machine.lowmem_end - machine.mem_start) >> PAGE_SHIFT));
	show_val_kb(out, "DirectMap2M:    ", 0);
}
