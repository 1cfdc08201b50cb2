/* SPDX-License-Identifier: MIT */
/*
 * numa/vmspace.h - the simulated kernel's virtual address space beyond the
 * direct map: the vmalloc area, the pkmap window and the per-CPU fixmap
 * slots of kmap_atomic(), laid out as the kernel does (numa/vmspace.c).
 */
#ifndef NUMA_VMSPACE_H
#define NUMA_VMSPACE_H

#include <stddef.h>
#include <stdint.h>

/* x86_32's: the pkmap window's pages, and kmap_atomic()'s slots per CPU. */
#define LAST_PKMAP	1024
#define KM_TYPE_NR	20
/* x86_32: the gap between the end of lowmem and the vmalloc area (8 MiB),
 * and the window above the direct map (128 MiB: vmalloc, pkmap, fixmap) */
#define VMALLOC_OFFSET	(8UL << 20)
#define X86_32_VMWINDOW	(128UL << 20)
/* x86_64: the vmalloc area the model reserves (virtual only; valgrind,
 * which bench/callgrind.sh runs, refuses a 64 GiB reservation) */
#define X86_64_VMALLOC_SIZE	(16UL << 30)

/*
 * Set by vmspace_init() at boot, read-only after (any thread may read it
 * without a lock); NULL pkmap_base and fixmap_base without highmem
 * (x86_64), where kmap() needs no window.
 */
struct vmspace {
	char *vmalloc_start, *vmalloc_end;	/* [start, end): page aligned */
	char *pkmap_base;			/* LAST_PKMAP pages */
	char *fixmap_base;			/* nr_cpus * KM_TYPE_NR pages:
						   CPU c's slot i at
						   fixmap_base + (c * KM_TYPE_NR + i)
						   pages */
	char *window_start, *window_end;	/* all of it, reserved PROT_NONE */
	void *own_area;				/* x86_64's own reservation */
};
extern struct vmspace vmspace;

/* The x86_32 window's bytes, for the direct map's reservation (0 on x86_64). */
size_t vmspace_window_len(void);
/* After physmem_init(): 0, or -errno (a message printed). */
int vmspace_init(void);
void vmspace_exit(void);

/*
 * Map [phys, phys + len) of RAM at va, read-write and shared with every
 * other mapping of those frames (the direct map's), replacing the
 * reservation there.  va and len page aligned, inside one area.  0, or
 * -errno (-EINVAL outside the areas, -ENOMEM when the host refuses: its
 * vm.max_map_count, say).  Any thread; the caller owns [va, va + len).
 */
int vmspace_map(void *va, uint64_t phys, size_t len);
/* Back to the reservation: an access faults.  0 or -errno. */
int vmspace_unmap(void *va, size_t len);
/* Is addr inside the vmalloc area? */
static inline int vmspace_is_vmalloc(const void *addr)
{
	return (const char *)addr >= vmspace.vmalloc_start &&
	       (const char *)addr < vmspace.vmalloc_end;
}

#endif /* NUMA_VMSPACE_H */
