// SPDX-License-Identifier: MIT
/*
 * tests/outside/zoneinfo.c - an outside program, built only from the
 * installed interface (mmsim.h and mmsim.pc): boot a machine, print its
 * zoneinfo, allocate and free a page, check it (mm_check() says what it
 * verified on stdout), shut down.
 *   cc zoneinfo.c $(PKG_CONFIG_PATH=build pkg-config --cflags --libs mmsim)
 */
#include <stdio.h>
#include <string.h>
#include <mmsim.h>

int main(int argc, char **argv)
{
	const char *boot = argc > 1 ? argv[1] : "mem=1G nodes=1 cpus=2";
	struct page *page;
	int ret;

	ret = mm_boot(boot);
	if (ret) {
		fprintf(stderr, "mm_boot: %s\n", strerror(-ret));
		return 1;
	}
	if (mm_cpu_attach(0))
		return 1;
	page = alloc_pages(GFP_KERNEL, 0);
	if (!page || !page_address(page))
		return 1;
	__free_pages(page, 0);
	mm_proc_show("zoneinfo", stdout);
	mm_cpu_detach();
	ret = mm_check(stdout);
	mm_shutdown();
	return ret ? 1 : 0;
}
