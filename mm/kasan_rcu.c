// SPDX-License-Identifier: MIT
/*
 * mm/kasan_rcu.c - the report of a reader that found an RCU-protected
 * object changed under it (kasan_report_rcu(), mmsim/slab.h), in KASAN's
 * shape: "BUG: KASAN: use-after-free in <reader>", the access, what the
 * reader expected and found, the object and the cache it belongs to (or
 * that its memory is no slab's any more), the reader's CPU and trace.
 *
 * The report only reads: the slab page's cache pointer with READ_ONCE()
 * (another CPU may be freeing the slab meanwhile), the cache's name and
 * sizes, which are fixed while any of its objects can be reached (the
 * cache is destroyed only after its users stopped and, for a typesafe
 * cache, after a grace period).
 */
#include <stdarg.h>

#include "slab.h"

void kasan_report_rcu(const char *reader, const void *object, const void *addr, size_t size,
		      const char *fmt, ...)
{
	struct page *page = virt_to_slab(object);
	struct kmem_cache *cachep = page ? READ_ONCE(page->slab_cache) : NULL;
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	report_begin(REPORT_BUG);
	report_headline("BUG: KASAN: use-after-free in %s", reader);
	printk("==================================================================\n");
	printk("BUG: KASAN: use-after-free in %s\n", reader);
	printk("Read of size %zu at addr %p by task %s/%d on CPU %d\n", size, addr, current->comm,
	       current->pid, current->cpu);
	printk("%s\n", what);
	if (cachep) {
		printk("The buggy address belongs to the object at %p\n"
		       " which belongs to the cache %s of size %u\n", object, cachep->name,
		       cachep->object_size);
		printk("The buggy address is located %td bytes inside of\n"
		       " %u-byte region [%p, %p)\n", (const char *)addr - (const char *)object,
		       cachep->object_size, object, (const char *)object + cachep->object_size);
		printk("The object is RCU-protected (%s): it changed before a grace period ended\n",
		       cachep->flags & SLAB_TYPESAFE_BY_RCU ? "SLAB_TYPESAFE_BY_RCU" :
							      "kfree_rcu()/call_rcu()");
	} else {
		printk("The buggy address belongs to the object at %p\n"
		       " whose memory is no slab's any more: it went back to the page allocator "
		       "before a grace period ended\n", object);
	}
	printk("==================================================================\n");
	report_end(REPORT_BUG, TAINT_BAD_PAGE);
}
