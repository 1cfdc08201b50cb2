// SPDX-License-Identifier: MIT
/*
 * numa/physmem.c - simulated RAM.
 *
 * All RAM is one memfd: file offset (phys - mem_start).  It is touched
 * lazily, so a simulated 64 GiB machine costs only the frames it uses.
 *
 * The direct map is one reservation of [0, lowmem_end) of virtual space,
 * PROT_NONE, with the RAM part [mem_start, lowmem_end) mapped shared from the
 * memfd on top: virtual = direct_map + phys, so page_address() is arithmetic
 * and a stray access below RAM faults.  Highmem (x86_32, above 896 MiB) is
 * not in the direct map; physmem_map() maps frames on demand, as the
 * kernel's kmap does.
 *
 * Node n's part of the memfd is bound to host node (n mod host nodes) with
 * hwloc, strictly, when the host has more than one node.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine.h"
#include "printk.h"
#include "vmspace.h"

static void bind_nodes(void)
{
	machine.membind_ok = 0;
	for (unsigned int n = 0; n < machine.nr_nodes; n++)
		machine.node[n].host_node = -1;
	if (machine.host_nodes < 2)
		return;

	machine.membind_ok = 1;
	for (unsigned int n = 0; n < machine.nr_nodes; n++) {
		struct machine_node *node = &machine.node[n];
		int host = (int)(n % machine.host_nodes);
		size_t len = node->size;
		void *addr = physmem_map(node->start, len);
		int ret;

		/* A shared mapping's policy lives in the memfd itself, so it
		 * outlasts this temporary mapping. */
		ret = addr ? topology_bind_memory(addr, len, host) : -ENOMEM;
		if (addr)
			physmem_unmap(addr, len);
		if (ret) {
			if (machine.membind_ok)
				pr_warn("mmsim: cannot bind node %u's memory to host node %d (%s); memory is not bound\n",
					n, host, strerror(-ret));
			machine.membind_ok = 0;
			continue;
		}
		node->host_node = host;
	}
}

int physmem_init(void)
{
	uint64_t ram = machine.mem_end - machine.mem_start;
	uint64_t low = machine.lowmem_end > machine.mem_start ?
		       machine.lowmem_end - machine.mem_start : 0;
	void *p;

	machine.memfd = memfd_create("mmsim-ram", MFD_CLOEXEC);
	if (machine.memfd < 0) {
		pr_err("mm_boot: memfd_create: %s\n", strerror(errno));
		return -errno;
	}
	if (ftruncate(machine.memfd, (off_t)ram)) {
		int err = errno;

		pr_err("mm_boot: cannot size simulated RAM to %llu bytes: %s\n",
		       (unsigned long long)ram, strerror(err));
		close(machine.memfd);
		return -err;
	}

	/* x86_32: the 128 MiB window above lowmem follows at once (vmspace.c) */
	machine.direct_map_len = machine.lowmem_end + vmspace_window_len();
	p = mmap(NULL, machine.direct_map_len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		goto err_fd;
	machine.direct_map = p;
	if (low) {
		p = mmap(machine.direct_map + machine.mem_start, low,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 machine.memfd, 0);
		if (p == MAP_FAILED)
			goto err_map;
	}
	bind_nodes();
	return 0;

err_map:
	munmap(machine.direct_map, machine.direct_map_len);
	machine.direct_map = NULL;
err_fd:
	pr_err("mm_boot: cannot map simulated RAM: %s\n", strerror(errno));
	close(machine.memfd);
	return -ENOMEM;
}

void physmem_exit(void)
{
	if (machine.direct_map)
		munmap(machine.direct_map, machine.direct_map_len);
	machine.direct_map = NULL;
	if (machine.memfd >= 0)
		close(machine.memfd);
	machine.memfd = -1;
}

void *physmem_map(uint64_t phys, size_t len)
{
	void *p;

	if (phys < machine.mem_start || phys + len > machine.mem_end)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, machine.memfd,
		 (off_t)(phys - machine.mem_start));
	return p == MAP_FAILED ? NULL : p;
}

void physmem_unmap(void *addr, size_t len)
{
	munmap(addr, len);
}
