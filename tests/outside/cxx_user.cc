// SPDX-License-Identifier: MIT
/*
 * tests/outside/cxx_user.cc - a C++ program built only from the installed
 * interface (mmsim.h and mmsim.pc): every CPU takes a spinlock and a mutex
 * and allocates pages and objects; a host thread attached as CPU 1 waits
 * on a completion that CPU 0 completes after a drain_all_pages() that CPU
 * 1 must answer while it waits; then mm_check() and shutdown.
 *   c++ cxx_user.cc $(PKG_CONFIG_PATH=build pkg-config --cflags --libs mmsim)
 */
#include <cstdio>
#include <cstring>
#include <thread>

#include <mmsim.h>

static DEFINE_SPINLOCK(counter_lock);
static DEFINE_MUTEX(counter_mutex);
static unsigned long spin_counter;	// counter_lock
static unsigned long mutex_counter;	// counter_mutex
static unsigned long private_sum;	// counter_lock

static void work(void *)
{
	for (int i = 0; i < 500; i++) {
		unsigned long flags;
		struct page *page = alloc_page(GFP_KERNEL);
		void *obj = kmalloc(100 + i, GFP_KERNEL);

		if (!page || !obj)
			return;
		spin_lock_irqsave(&counter_lock, flags);
		spin_counter++;
		private_sum += page->private_;		// C++'s name for private
		spin_unlock_irqrestore(&counter_lock, flags);
		mutex_lock(&counter_mutex);
		mutex_counter++;
		mutex_unlock(&counter_mutex);
		kfree(obj);
		__free_page(page);
	}
}

int main()
{
	struct completion done;
	int ret = mm_boot("quiet mem=64M nodes=2 cpus=4");

	if (ret) {
		std::fprintf(stderr, "mm_boot: %s\n", std::strerror(-ret));
		return 1;
	}
	if (mm_on_each_cpu(work, nullptr) || spin_counter != 4 * 500 ||
	    mutex_counter != 4 * 500 || private_sum != 0) {
		std::fprintf(stderr, "cxx_user: counters %lu %lu %lu\n", spin_counter,
			     mutex_counter, private_sum);
		return 1;
	}
	if (mm_cpu_attach(0))
		return 1;
	init_completion(&done);
	std::thread waiter([&done] {
		if (mm_cpu_attach(1))
			return;
		__free_page(alloc_page(GFP_KERNEL));	// a page on its list
		wait_for_completion(&done);		// answers IPIs meanwhile
		mm_cpu_detach();
	});
	drain_all_pages(nullptr);		// CPU 1 answers, waiting or not
	complete(&done);
	waiter.join();
	ret = mm_check(stdout);
	mm_cpu_detach();
	mm_shutdown();
	std::printf("cxx_user: %s\n", ret ? "FAILED" : "ok");
	return ret != 0;
}
