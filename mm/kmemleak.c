// SPDX-License-Identifier: MIT
/*
 * mm/kmemleak.c - kmemleak's records: one struct kmemleak_object per
 * tracked block (slab object, kmalloc block, vmalloc area, or memory a
 * caller registered), the search tree over them, the annotations of
 * mmsim/kmemleak.h and the misuse reports.  The scan, the report and the
 * debugfs file are mm/kmemleak_scan.c's.
 *
 *   object_tree	libbsd's red-black tree (sys/tree.h) of the objects
 *			by address; objects never overlap, so "the object
 *			that contains p" is one descent: O(log n).
 *   object_list	every object, in the order they were recorded.
 *   below_min_addr, max_addr  one below the lowest and one past the highest
 *			address ever recorded: the scan's first filter.  (Not
 *			the lowest itself: this variable is in a data segment
 *			the scan reads, and would reference that object.)
 *   the pool		objects and scan areas come from mmap()ed chunks,
 *			never from malloc(): a CPU that stop_machine() or an
 *			IPI interrupts may be inside malloc(), and the hooks
 *			may run in an IPI's handler.
 *
 * kmemleak_lock (an irq-safe spinlock_t) protects all of the above and
 * every field of every object except count and gray_next, which only the
 * scan touches (mm/kmemleak_scan.c: under scan_mutex, with every CPU
 * stopped and kmemleak_lock held).  Holders never print: a misuse is
 * described after the unlock.  A CPU holds kmemleak_lock with interrupts
 * off, so stop_machine() never stops one inside it.
 *
 * The order of the hooks keeps the scan off memory that is gone: an
 * object is recorded after its allocator handed it out, and forgotten
 * before its allocator takes it back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "kmemleak_internal.h"
#include "../numa/spinlock.h"

int kmemleak_on;
DEFINE_SPINLOCK(kmemleak_lock);
struct kmemleak_tree object_tree = RB_INITIALIZER(&object_tree);
struct kmemleak_object *object_list_head, *object_list_tail;
unsigned long below_min_addr = ULONG_MAX, max_addr;

static int object_cmp(const struct kmemleak_object *a, const struct kmemleak_object *b)
{
	if (a->pointer + a->tree_size <= b->pointer)
		return -1;
	if (b->pointer + b->tree_size <= a->pointer)
		return 1;
	return 0;			/* they overlap */
}

RB_GENERATE_STATIC(kmemleak_tree, kmemleak_object, rb, object_cmp)

/* ------------------------------------------------------------------ */
/* The pool                                                            */

#define POOL_CHUNK	(2UL << 20)

struct pool_chunk {
	struct pool_chunk *next;
};

struct pool {
	size_t size;			/* of an entry */
	void *free;			/* entries given back, linked by their
					   first word */
	char *next, *end;		/* the newest chunk's unused part */
	struct pool_chunk *chunks;
};

static struct pool object_pool = { .size = sizeof(struct kmemleak_object) };
static struct pool area_pool = { .size = sizeof(struct kmemleak_area) };

/* An entry, or NULL if no chunk can be mapped.  kmemleak_lock held. */
static void *__pool_get(struct pool *p)
{
	void *e = p->free;

	if (e) {
		p->free = *(void **)e;
		return e;
	}
	if (!p->next || p->size > (size_t)(p->end - p->next)) {
		struct pool_chunk *c = mmap(NULL, POOL_CHUNK, PROT_READ | PROT_WRITE,
					    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (c == MAP_FAILED)
			return NULL;
		c->next = p->chunks;
		p->chunks = c;
		p->next = (char *)c + 64;
		p->end = (char *)c + POOL_CHUNK;
	}
	e = p->next;
	p->next += p->size;
	return e;
}

static void __pool_put(struct pool *p, void *e)
{
	*(void **)e = p->free;
	p->free = e;
}

static void pool_release(struct pool *p)
{
	while (p->chunks) {
		struct pool_chunk *c = p->chunks;

		p->chunks = c->next;
		munmap(c, POOL_CHUNK);
	}
	p->free = NULL;
	p->next = p->end = NULL;
}

/* ------------------------------------------------------------------ */
/* Call traces                                                         */

/*
 * The return addresses of the calling thread's frames, by the frame
 * pointers every file of the model keeps, within its stack: cheap enough
 * for every allocation.  A frame without one (libc's) ends the trace.
 */
__no_sanitize_address
static unsigned int save_trace(void **trace, unsigned int max)
{
	static __thread void *stack_end;
	void **fp = __builtin_frame_address(0);
	char *hi;
	unsigned int n = 0;

	if (current->cpu >= 0)
		hi = cpu_stacks[current->cpu].high;
	else {
		if (!stack_end)
			stack_end = thread_stack_end();
		hi = stack_end;
	}
	while (n < max && hi && (char *)fp + 2 * sizeof(void *) <= hi &&
	       !((uintptr_t)fp & (sizeof(void *) - 1))) {
		void **next = fp[0];

		if (!fp[1])
			break;
		trace[n++] = fp[1];
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Misuse                                                              */

/* "kmemleak: <what>" as the kernel's kmemleak_warn(): a WARNING with the
 * caller's trace, and the object concerned if there is one.  No lock. */
static void __printf(2, 3) kmemleak_warn(const struct kmemleak_object *o,
					 const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	report_begin(REPORT_WARNING);
	printk("kmemleak: %s\n", line);
	if (o)
		kmemleak_dump_object(o);
	report_end(REPORT_WARNING, TAINT_WARN);
}


/* ------------------------------------------------------------------ */
/* Recording                                                           */

static void fill_object(struct kmemleak_object *o, const void *ptr, size_t size,
			int min_count)
{
	memset(o, 0, offsetof(struct kmemleak_object, trace));
	o->pointer = (unsigned long)ptr;
	o->size = size;
	o->scan_size = size;
	o->tree_size = size ? size : 1;
	o->min_count = min_count;
	o->flags = OBJECT_ALLOCATED;
	o->when = jiffies;
	o->cpu = current->cpu;
	if (in_irq()) {
		o->pid = 0;
		strcpy(o->comm, "hardirq");
	} else if (in_interrupt()) {
		o->pid = 0;
		strcpy(o->comm, "softirq");
	} else {
		o->pid = current->pid;
		memcpy(o->comm, current->comm, sizeof(o->comm));
		o->comm[sizeof(o->comm) - 1] = '\0';
	}
}

static void __list_add(struct kmemleak_object *o)
{
	o->prev = object_list_tail;
	o->next = NULL;
	if (object_list_tail)
		object_list_tail->next = o;
	else
		object_list_head = o;
	object_list_tail = o;
}

static void __list_del(struct kmemleak_object *o)
{
	if (o->prev)
		o->prev->next = o->next;
	else
		object_list_head = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		object_list_tail = o->prev;
}

/* Insert o: NULL, or the object it overlaps (o is not inserted). */
static struct kmemleak_object *__insert_object(struct kmemleak_object *o)
{
	struct kmemleak_object *old = RB_INSERT(kmemleak_tree, &object_tree, o);

	if (old)
		return old;
	__list_add(o);
	if (o->pointer <= below_min_addr)
		below_min_addr = o->pointer - 1;
	if (o->pointer + o->tree_size > max_addr)
		max_addr = o->pointer + o->tree_size;
	return NULL;
}

static void __free_areas(struct kmemleak_object *o)
{
	while (o->areas) {
		struct kmemleak_area *a = o->areas;

		o->areas = a->next;
		__pool_put(&area_pool, a);
	}
}

static void __delete_object(struct kmemleak_object *o)
{
	RB_REMOVE(kmemleak_tree, &object_tree, o);
	__list_del(o);
	__free_areas(o);
	o->flags &= ~OBJECT_ALLOCATED;
	__pool_put(&object_pool, o);
}

/* The object that contains ptr (alias: anywhere in it; else it must start
 * there), or NULL.  kmemleak_lock held, or every CPU stopped. */
struct kmemleak_object *__lookup_object(unsigned long ptr, int alias)
{
	struct kmemleak_object *o = RB_ROOT(&object_tree);

	while (o) {
		if (ptr < o->pointer)
			o = RB_LEFT(o, rb);
		else if (ptr >= o->pointer + o->tree_size)
			o = RB_RIGHT(o, rb);
		else
			return alias || o->pointer == ptr ? o : NULL;
	}
	return NULL;
}

/* A copy of what the report needs of an object (taken under the lock). */
static void create_object(const void *ptr, size_t size, int min_count)
{
	struct kmemleak_object *o, *old, copy;
	unsigned long flags;
	void *trace[KMEMLEAK_MAX_TRACE];
	unsigned int n = save_trace(trace, KMEMLEAK_MAX_TRACE);

	spin_lock_irqsave(&kmemleak_lock, flags);
	if (!READ_ONCE(kmemleak_on)) {	/* switched off meanwhile */
		spin_unlock_irqrestore(&kmemleak_lock, flags);
		return;
	}
	o = __pool_get(&object_pool);
	if (!o) {
		spin_unlock_irqrestore(&kmemleak_lock, flags);
		kmemleak_warn(NULL, "Cannot allocate a kmemleak_object structure");
		kmemleak_disable();
		return;
	}
	fill_object(o, ptr, size, min_count);
	memcpy(o->trace, trace, n * sizeof(void *));
	o->trace_len = n;
	old = __insert_object(o);
	if (old) {
		copy = *old;
		__pool_put(&object_pool, o);
	}
	spin_unlock_irqrestore(&kmemleak_lock, flags);
	/* v4.19 stops kmemleak here; the model refuses this one and goes on */
	if (old)
		kmemleak_warn(&copy, "Cannot insert 0x%lx into the object search tree (overlaps existing)",
			      (unsigned long)ptr);
}

void kmemleak_alloc(const void *ptr, size_t size, int min_count, gfp_t gfp)
{
	(void)gfp;
	if (!kmemleak_active() || !ptr || ptr == ZERO_SIZE_PTR)
		return;
	if (min_count < KMEMLEAK_BLACK)
		min_count = KMEMLEAK_BLACK;
	create_object(ptr, size, min_count);
}

void kmemleak_free(const void *ptr)
{
	struct kmemleak_object *o;
	unsigned long flags;

	if (!kmemleak_active() || !ptr || ptr == ZERO_SIZE_PTR)
		return;
	spin_lock_irqsave(&kmemleak_lock, flags);
	o = __lookup_object((unsigned long)ptr, 0);
	if (o)
		__delete_object(o);
	spin_unlock_irqrestore(&kmemleak_lock, flags);
	if (!o && READ_ONCE(kmemleak_on))
		kmemleak_warn(NULL, "Freeing unknown object at 0x%08lx", (unsigned long)ptr);
}

void kmemleak_free_part(const void *ptr, size_t size)
{
	struct kmemleak_object *o, *rest;
	unsigned long flags, start, end, p = (unsigned long)ptr;
	int failed = 0;

	if (!kmemleak_active() || !ptr)
		return;
	spin_lock_irqsave(&kmemleak_lock, flags);
	o = __lookup_object(p, 1);
	if (!o) {
		spin_unlock_irqrestore(&kmemleak_lock, flags);
		if (READ_ONCE(kmemleak_on))
			kmemleak_warn(NULL, "Partially freeing unknown object at 0x%08lx (size %zu)",
			      p, size);
		return;
	}
	start = o->pointer;
	end = o->pointer + o->size;
	/* what follows the freed part becomes an object of its own */
	if (p + size < end) {
		rest = __pool_get(&object_pool);
		if (rest) {
			*rest = *o;
			rest->areas = NULL;
			rest->pointer = p + size;
			rest->size = rest->scan_size = rest->tree_size = end - (p + size);
		} else {
			failed = 1;
		}
	} else {
		rest = NULL;
	}
	/* and what precedes it keeps the object, shortened */
	if (p > start) {
		RB_REMOVE(kmemleak_tree, &object_tree, o);
		o->size = o->scan_size = o->tree_size = p - start;
		RB_INSERT(kmemleak_tree, &object_tree, o);
	} else {
		__delete_object(o);
	}
	if (rest)
		__insert_object(rest);
	spin_unlock_irqrestore(&kmemleak_lock, flags);
	if (failed)
		kmemleak_warn(NULL, "Cannot allocate a kmemleak_object structure");
}

/* kmalloc's size (see mm/kmemleak.h); ksize() widens what is scanned. */
void kmemleak_kmalloc_size(const void *ptr, size_t size)
{
	struct kmemleak_object *o;
	unsigned long flags;

	spin_lock_irqsave(&kmemleak_lock, flags);
	o = __lookup_object((unsigned long)ptr, 0);
	if (o && size <= o->tree_size)
		o->size = o->scan_size = size;
	spin_unlock_irqrestore(&kmemleak_lock, flags);
}

void kmemleak_ksize(const void *ptr, size_t size)
{
	struct kmemleak_object *o;
	unsigned long flags;

	spin_lock_irqsave(&kmemleak_lock, flags);
	o = __lookup_object((unsigned long)ptr, 0);
	if (o && size <= o->tree_size && size > o->scan_size)
		o->scan_size = size;
	spin_unlock_irqrestore(&kmemleak_lock, flags);
}

void kmemleak_vmalloc(const void *vm, const void *addr, size_t size, gfp_t gfp)
{
	struct kmemleak_object *o;
	unsigned long flags;

	(void)gfp;
	if (!kmemleak_active())
		return;
	/* one reference is the vm_struct's own (scanned through the
	 * vmalloc tree): the user's pointer is the second */
	create_object(addr, size, 2);
	spin_lock_irqsave(&kmemleak_lock, flags);
	o = __lookup_object((unsigned long)vm, 0);
	if (o)
		o->excess_ref = (unsigned long)addr;
	spin_unlock_irqrestore(&kmemleak_lock, flags);
}

/* ------------------------------------------------------------------ */
/* Annotations                                                         */

enum paint { PAINT_GREY, PAINT_BLACK, NO_SCAN, UPDATE_TRACE };

static const char *const paint_name[] = {
	[PAINT_GREY] = "Grey", [PAINT_BLACK] = "Black",
};

static void annotate(const void *ptr, enum paint what)
{
	struct kmemleak_object *o;
	unsigned long flags;
	void *trace[KMEMLEAK_MAX_TRACE];
	unsigned int n = 0;

	if (!kmemleak_active() || !ptr)
		return;
	if (what == UPDATE_TRACE)
		n = save_trace(trace, KMEMLEAK_MAX_TRACE);
	spin_lock_irqsave(&kmemleak_lock, flags);
	o = __lookup_object((unsigned long)ptr, 0);
	if (o) {
		switch (what) {
		case PAINT_GREY:
			o->min_count = KMEMLEAK_GREY;
			break;
		case PAINT_BLACK:
			o->min_count = KMEMLEAK_BLACK;
			break;
		case NO_SCAN:
			o->flags |= OBJECT_NO_SCAN;
			break;
		case UPDATE_TRACE:
			memcpy(o->trace, trace, n * sizeof(void *));
			o->trace_len = n;
			break;
		}
	}
	spin_unlock_irqrestore(&kmemleak_lock, flags);
	/* (an unknown object's trace: silent, as v4.19 without DEBUG -- a
	 * page mempool's elements are no objects) */
	if (o || !READ_ONCE(kmemleak_on) || what == UPDATE_TRACE)
		return;
	if (what == NO_SCAN)
		kmemleak_warn(NULL, "Not scanning unknown object at 0x%08lx", (unsigned long)ptr);
	else
		kmemleak_warn(NULL, "Trying to color unknown object at 0x%08lx as %s",
			      (unsigned long)ptr, paint_name[what]);
}

void kmemleak_not_leak(const void *ptr)
{
	annotate(ptr, PAINT_GREY);
}

void kmemleak_ignore(const void *ptr)
{
	annotate(ptr, PAINT_BLACK);
}

void kmemleak_no_scan(const void *ptr)
{
	annotate(ptr, NO_SCAN);
}

void kmemleak_update_trace(const void *ptr)
{
	annotate(ptr, UPDATE_TRACE);
}

void kmemleak_scan_area(const void *ptr, size_t size, gfp_t gfp)
{
	struct kmemleak_object *o;
	struct kmemleak_area *a = NULL;
	unsigned long flags, p = (unsigned long)ptr;
	int bad = 0;

	(void)gfp;
	if (!kmemleak_active() || !ptr || !size)
		return;
	spin_lock_irqsave(&kmemleak_lock, flags);
	o = __lookup_object(p, 1);
	if (o && p + size > o->pointer + o->size) {
		bad = 1;
	} else if (o) {
		a = __pool_get(&area_pool);
		if (a) {
			a->start = p;
			a->size = size;
			a->next = o->areas;
			o->areas = a;
		}
	}
	spin_unlock_irqrestore(&kmemleak_lock, flags);
	if (!o && READ_ONCE(kmemleak_on))
		kmemleak_warn(NULL, "Adding scan area to unknown object at 0x%08lx", p);
	else if (bad)
		kmemleak_warn(NULL, "Scan area larger than object 0x%08lx", p);
	else if (!a)
		kmemleak_warn(NULL, "Cannot allocate a scan area");
}

/* ------------------------------------------------------------------ */
/* Life                                                                */

int kmemleak_enabled(void)
{
	return kmemleak_active();
}

int kmemleak_parse_param(const char *val, int *on)
{
	if (!val || !strcmp(val, "on")) {
		*on = 1;
		return 0;
	}
	if (!strcmp(val, "off")) {
		*on = 0;
		return 0;
	}
	return boot_param_bad("kmemleak", val, "expected on or off");
}

/* Forget every object (nothing may record meanwhile). */
void kmemleak_forget_all(void)
{
	unsigned long flags;

	spin_lock_irqsave(&kmemleak_lock, flags);
	RB_INIT(&object_tree);
	object_list_head = object_list_tail = NULL;
	below_min_addr = ULONG_MAX;
	max_addr = 0;
	pool_release(&object_pool);
	pool_release(&area_pool);
	spin_unlock_irqrestore(&kmemleak_lock, flags);
}
