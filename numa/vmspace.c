// SPDX-License-Identifier: MIT
/*
 * numa/vmspace.c - the simulated kernel's virtual address space beyond the
 * direct map, reserved PROT_NONE at boot so that a stray access faults as
 * in the kernel, with frames mapped into it for real from the RAM memfd.
 *
 *   arch=x86_32	a 128 MiB window right above lowmem (the direct map's
 *			reservation is extended by it, so the window starts at
 *			direct_map + lowmem_end, the kernel's high_memory):
 *			8 MiB gap (VMALLOC_OFFSET), the vmalloc area, two
 *			guard pages, the pkmap window (LAST_PKMAP pages, on a
 *			4 MiB boundary) and the fixmap slots of kmap_atomic()
 *			(KM_TYPE_NR per CPU) at the top, one page below the end.
 *   arch=x86_64	a 16 GiB vmalloc area of its own (virtual only: nothing
 *			is backed until mapped); no pkmap, no fixmap.
 *
 * vmspace is written by vmspace_init() before any CPU runs and read-only
 * after.  vmspace_map()/vmspace_unmap() are mmap(MAP_FIXED) calls on
 * ranges their callers own (vmalloc's areas, a pkmap slot, a CPU's fixmap
 * slot): the host kernel serialises them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "machine.h"
#include "printk.h"
#include "vmspace.h"

#define VM_PAGE		4096UL
#define PKMAP_ALIGN	(4UL << 20)

struct vmspace vmspace;

size_t vmspace_window_len(void)
{
	return machine.arch == ARCH_X86_32 ? X86_32_VMWINDOW : 0;
}

int vmspace_init(void)
{
	memset(&vmspace, 0, sizeof(vmspace));
	if (machine.arch == ARCH_X86_32) {
		char *start = machine.direct_map + machine.lowmem_end;
		char *end = start + X86_32_VMWINDOW;
		size_t fixmap = (size_t)machine.nr_cpus * KM_TYPE_NR * VM_PAGE;

		vmspace.window_start = start;
		vmspace.window_end = end;
		vmspace.fixmap_base = end - VM_PAGE - fixmap;
		vmspace.pkmap_base = (char *)(((uintptr_t)vmspace.fixmap_base -
					       (LAST_PKMAP + 1) * VM_PAGE) & ~(PKMAP_ALIGN - 1));
		vmspace.vmalloc_start = start + VMALLOC_OFFSET;
		vmspace.vmalloc_end = vmspace.pkmap_base - 2 * VM_PAGE;
		if (vmspace.vmalloc_end <= vmspace.vmalloc_start) {
			pr_err("mm_boot: no room for vmalloc below the fixmap of %u CPUs\n",
			       machine.nr_cpus);
			return -EINVAL;
		}
		return 0;
	}
	vmspace.own_area = mmap(NULL, X86_64_VMALLOC_SIZE, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vmspace.own_area == MAP_FAILED) {
		vmspace.own_area = NULL;
		pr_err("mm_boot: cannot reserve the vmalloc area: %s\n", strerror(errno));
		return -ENOMEM;
	}
	vmspace.window_start = vmspace.vmalloc_start = vmspace.own_area;
	vmspace.window_end = vmspace.vmalloc_end = vmspace.vmalloc_start + X86_64_VMALLOC_SIZE;
	return 0;
}

void vmspace_exit(void)
{
	if (vmspace.own_area)
		munmap(vmspace.own_area, X86_64_VMALLOC_SIZE);
	vmspace.own_area = NULL;
	/* x86_32's window goes with the direct map's reservation */
	memset(&vmspace, 0, sizeof(vmspace));
}

static int in_window(const void *va, size_t len)
{
	const char *p = va;

	return p >= vmspace.window_start && len <= (size_t)(vmspace.window_end - p) &&
	       !((uintptr_t)p % VM_PAGE) && len && !(len % VM_PAGE);
}

int vmspace_map(void *va, uint64_t phys, size_t len)
{
	void *p;

	if (!in_window(va, len) || phys < machine.mem_start || phys % VM_PAGE ||
	    phys + len > machine.mem_end)
		return -EINVAL;
	p = mmap(va, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, machine.memfd,
		 (off_t)(phys - machine.mem_start));
	return p == MAP_FAILED ? -errno : 0;
}

int vmspace_unmap(void *va, size_t len)
{
	void *p;

	if (!in_window(va, len))
		return -EINVAL;
	p = mmap(va, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		 -1, 0);
	return p == MAP_FAILED ? -errno : 0;
}
