// SPDX-License-Identifier: MIT
/*
 * mm/slub_debug.c - slub_debug (Linux v4.19 mm/slub.c, CONFIG_SLUB_DEBUG):
 * the boot option, the flags it gives caches, the red zones, poison and
 * owner records of debugged objects, and the checks of the debug alloc and
 * free paths.  Their reports are mm/slub_debug_report.c's (the shapes of
 * mm/slab_report.c); what both share is mm/slub_debug.h.
 *
 * The slot of a debugged object (calculate_sizes(), mm/slub.h):
 *   [left red zone: red_left_pad (Z)]
 *   object: [0, object_size)
 *   [object_size, inuse): right red zone (Z) or alignment padding (P)
 *   [inuse, inuse + 8): the free pointer when offset != 0
 *   2 struct track (U): alloc, free (get_track())
 *   the rest up to size (minus red_left_pad): padding, 0x5a (P)
 * A slab's tail (PAGE_SIZE << order) % size is padding too (P).
 * Red zones hold 0xbb free and 0xcc out; a free poisoned object holds
 * 0x6b with 0xa5 last (only "__OBJECT_POISON" caches: P without ctor or
 * TYPESAFE_BY_RCU, whose free pointer is moved out of the object).
 *
 * Who touches what:
 *   slub_debug, slub_debug_slabs, disable_higher_order_debug: written by
 *   setup_slub_debug() at boot (before any CPU runs), read-only after.
 *   An object's debug bytes and tracks: its owner's (the allocator while
 *   it is free, under the locks that own its slab; the caller while out).
 *   A slab's tail padding: nobody's; checked and restored under the slab's
 *   list_lock and slab_lock (free) or by the CPU that froze it (alloc).
 *
 * Reports and locks: free_debug_processing() checks under n->list_lock
 * and slab_lock(), as v4.19, but prints nothing there: what it finds is
 * recorded (a struct slub_finding, with a copy of the bytes its report
 * dumps, taken before they are restored) and reported after the unlock.
 * The other entry points print as they find (their callers hold no
 * spinlock): alloc_debug_processing() runs on the CPU that froze the slab,
 * check_object() for the walker with every CPU stopped.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <mmsim/sched.h>
#include "slub_debug.h"

#define SLUB_DEBUG_PREFIX_MAX	64

static slab_flags_t slub_debug;
static char slub_debug_slabs_buf[SLUB_DEBUG_PREFIX_MAX];
static const char *slub_debug_slabs;	/* NULL: every cache */
static int disable_higher_order_debug;

/* ------------------------------------------------------------------ */
/* The boot option                                                     */

int setup_slub_debug(const char *str)
{
	const char *prefix = NULL;

	slub_debug = 0;
	slub_debug_slabs = NULL;
	disable_higher_order_debug = 0;
	if (!str)
		return 0;
	for (const char *c = str; *c; c++) {
		if (!isprint((unsigned char)*c)) {
			pr_err("slub_debug: unprintable character %#x in \"slub_debug=%s\"\n",
			       (unsigned char)*c, str);
			return -EINVAL;
		}
	}
	slub_debug = DEBUG_DEFAULT_FLAGS;
	if (!*str)
		return 0;		/* bare slub_debug: full debugging */
	if (*str == ',') {
		prefix = str + 1;	/* full debugging for these caches */
	} else {
		slub_debug = 0;
		if (*str == '-')
			return 0;	/* everything off */
		for (; *str && *str != ','; str++) {
			switch (tolower((unsigned char)*str)) {
			case 'f':
				slub_debug |= SLAB_CONSISTENCY_CHECKS;
				break;
			case 'z':
				slub_debug |= SLAB_RED_ZONE;
				break;
			case 'p':
				slub_debug |= SLAB_POISON;
				break;
			case 'u':
				slub_debug |= SLAB_STORE_USER;
				break;
			case 't':
				slub_debug |= SLAB_TRACE;
				break;
			case 'a':
				slub_debug |= SLAB_FAILSLAB;
				break;
			case 'o':
				disable_higher_order_debug = 1;
				break;
			default:
				pr_err("slub_debug option '%c' unknown. skipped\n", *str);
			}
		}
		if (*str == ',')
			prefix = str + 1;
	}
	if (prefix) {
		if (strlen(prefix) >= sizeof(slub_debug_slabs_buf)) {
			pr_err("slub_debug: cache name prefix \"%s\" too long (at most %zu characters)\n",
			       prefix, sizeof(slub_debug_slabs_buf) - 1);
			slub_debug = 0;
			return -EINVAL;
		}
		strcpy(slub_debug_slabs_buf, prefix);
		slub_debug_slabs = slub_debug_slabs_buf;
	}
	return 0;
}

/* The most a slot can grow by slub_debug's metadata (calculate_sizes()
 * with the smallest alignment): red zones, free pointer, tracks. */
static unsigned int debug_metadata_bytes(slab_flags_t flags)
{
	unsigned int extra = sizeof(void *);			/* moved free pointer */

	if (flags & SLAB_RED_ZONE)
		extra += 3 * sizeof(void *);			/* right, pad, left */
	if (flags & SLAB_STORE_USER)
		extra += 2 * sizeof(struct track);
	return extra;
}

static unsigned int order_of(unsigned long bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

slab_flags_t kmem_cache_flags(unsigned int object_size, slab_flags_t flags,
			      const char *name)
{
	slab_flags_t add = slub_debug;

	if (!add)
		return flags;
	if (slub_debug_slabs &&
	    (!name || strncmp(slub_debug_slabs, name, strlen(slub_debug_slabs))))
		return flags;
	/* O: no metadata where it would raise the slab order (v4.19 does
	 * this on the laid-out size in kmem_cache_open()) */
	if (disable_higher_order_debug &&
	    order_of(object_size + debug_metadata_bytes(add)) > order_of(object_size))
		add &= ~DEBUG_METADATA_FLAGS;
	return flags | add;
}

void init_object(struct kmem_cache *s, void *object, unsigned char val)
{
	unsigned char *p = object;

	if (s->flags & SLAB_RED_ZONE)
		memset(p - s->red_left_pad, val, s->red_left_pad);
	if (object_poison(s)) {
		memset(p, POISON_FREE, s->object_size - 1);
		p[s->object_size - 1] = POISON_END;
	}
	if (s->flags & SLAB_RED_ZONE)
		memset(p + s->object_size, val, s->inuse - s->object_size);
}

static void set_track(struct kmem_cache *s, void *object, enum track_item alloc,
		      const void *addr)
{
	struct track *t = get_track(s, object, alloc);

	t->addr = addr;
	t->cpu = current->cpu;
	t->pid = current->pid;
	t->when = jiffies;
}

void setup_page_debug(struct kmem_cache *s, struct page *page, void *addr)
{
	if (s->flags & SLAB_POISON)
		memset(addr, POISON_INUSE, PAGE_SIZE << slab_order_of(page));
}

void setup_object_debug(struct kmem_cache *s, struct page *page, void *object)
{
	(void)page;
	if (!(s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE | SLAB_POISON)))
		return;
	init_object(s, object, SLUB_RED_INACTIVE);
	if (s->flags & SLAB_STORE_USER)
		memset(get_track(s, object, TRACK_ALLOC), 0, 2 * sizeof(struct track));
}

/* ------------------------------------------------------------------ */
/* Checks (v4.19 order and text)                                       */

/* [start, start + bytes) should all be value: else report and restore. */
static int check_bytes_and_report(struct kmem_cache *s, struct slub_ctx *ctx,
				  struct page *page, unsigned char *object, const char *what,
				  unsigned char *start, unsigned int value, size_t bytes)
{
	unsigned char *fault = memchr_inv(start, (int)value, bytes), *end;
	struct slub_finding tmp, *f;

	if (!fault)
		return 1;
	end = start + bytes;
	while (end > fault && end[-1] == value)
		end--;
	f = finding_new(ctx, &tmp, FIND_BYTES, page);
	snprintf(f->msg, sizeof(f->msg), "%s overwritten", what);
	snprintf(f->fix, sizeof(f->fix), "Restoring %p-%p=0x%x\n", fault, end - 1, value);
	f->object = object;
	f->fault = fault;
	f->end = end;
	f->first = *fault;
	f->value = value;
	if (f->deferred)
		finding_copy_slot(s, ctx, f, page, object,
				  s->flags & SLAB_RED_ZONE ? s->red_left_pad : 16);
	finding_done(s, ctx, f);
	memset(fault, (int)value, (size_t)(end - fault));
	return 0;
}

static int check_pad_bytes(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page,
			   unsigned char *p)
{
	unsigned int off = metadata_end(s);

	if (size_from_object(s) == off)
		return 1;
	return check_bytes_and_report(s, ctx, page, p, "Object padding", p + off,
				      POISON_INUSE, size_from_object(s) - off);
}

static int __check_object(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page,
			  void *object, unsigned char val)
{
	unsigned char *p = object, *endobject = p + s->object_size;

	if (s->flags & SLAB_RED_ZONE) {
		if (!check_bytes_and_report(s, ctx, page, p, "Redzone", p - s->red_left_pad,
					    val, s->red_left_pad))
			return 0;
		if (!check_bytes_and_report(s, ctx, page, p, "Redzone", endobject, val,
					    s->inuse - s->object_size))
			return 0;
	} else if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
		check_bytes_and_report(s, ctx, page, p, "Alignment padding", endobject,
				       POISON_INUSE, s->inuse - s->object_size);
	}
	if (s->flags & SLAB_POISON) {
		if (val != SLUB_RED_ACTIVE && object_poison(s) &&
		    (!check_bytes_and_report(s, ctx, page, p, "Poison", p, POISON_FREE,
					     s->object_size - 1) ||
		     !check_bytes_and_report(s, ctx, page, p, "Poison", endobject - 1,
					     POISON_END, 1)))
			return 0;
		check_pad_bytes(s, ctx, page, p);	/* restores what it reports */
	}
	/* the free pointer of an object out overlays its first word */
	if (!s->offset && val == SLUB_RED_ACTIVE)
		return 1;
	if (!check_valid_pointer(s, page, get_freepointer(s, p))) {
		object_err_ctx(s, ctx, page, p, "Freepointer corrupt", NULL);
		set_freepointer(s, p, NULL);	/* the rest of the list is lost */
		return 0;
	}
	return 1;
}

int check_object(struct kmem_cache *s, struct page *page, void *object, unsigned char val)
{
	return __check_object(s, NULL, page, object, val);
}

static int __slab_pad_check(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page)
{
	unsigned char *start, *end, *pad, *fault;
	struct slub_finding tmp, *f;
	size_t length, remainder;

	if (!(s->flags & SLAB_POISON))
		return 1;
	start = slab_address(page);
	length = PAGE_SIZE << slab_order_of(page);
	end = start + length;
	remainder = length % s->size;
	if (!remainder)
		return 1;
	pad = end - remainder;
	fault = memchr_inv(pad, POISON_INUSE, remainder);
	if (!fault)
		return 1;
	while (end > fault && end[-1] == POISON_INUSE)
		end--;
	f = finding_new(ctx, &tmp, FIND_PADDING, page);
	snprintf(f->msg, sizeof(f->msg), "Padding overwritten. %p-%p", fault, end - 1);
	snprintf(f->fix, sizeof(f->fix), "Restoring %p-%p=0x%x\n", fault, end - 1,
		 POISON_INUSE);
	finding_copy(ctx, f, pad, remainder);
	finding_done(s, ctx, f);
	memset(fault, POISON_INUSE, (size_t)(end - fault));
	return 0;
}

int slab_pad_check(struct kmem_cache *s, struct page *page)
{
	return __slab_pad_check(s, NULL, page);
}

/*
 * The slab's counts and tail padding.  The alloc path calls it on a slab
 * its CPU froze, where a remote free may change the counts meanwhile:
 * they are read as one word, once.
 */
static int check_slab(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page)
{
	unsigned int maxobj;
	struct page_info pi;

	if (!PageSlab(page)) {
		slab_err_ctx(s, ctx, page, "Not a valid slab page");
		return 0;
	}
	page_info_take(&pi, page);
	maxobj = order_objects(slab_order_of(page), s->size);
	if (pi.objects > maxobj) {
		slab_err_ctx(s, ctx, page, "objects %u > max %u", pi.objects, maxobj);
		return 0;
	}
	if (pi.inuse > pi.objects) {
		slab_err_ctx(s, ctx, page, "inuse %u > max %u", pi.inuse, pi.objects);
		return 0;
	}
	__slab_pad_check(s, ctx, page);		/* restores what it reports */
	return 1;
}

/*
 * Whether search is on page's freelist (n->list_lock and slab_lock held);
 * repairs a corrupt chain and wrong counts on the way, as v4.19.
 */
static int on_freelist(struct kmem_cache *s, struct slub_ctx *ctx, struct page *page,
		       void *search)
{
	void *fp = slab_freelist_get(page), *object = NULL;
	struct page cnt = slab_counters_get(page);
	unsigned int nr = 0, max_objects;

	while (fp && nr <= cnt.objects) {
		if (fp == search)
			return 1;
		if (!check_valid_pointer(s, page, fp)) {
			if (object) {
				object_err_ctx(s, ctx, page, object, "Freechain corrupt",
					       "Isolate corrupted freechain");
				set_freepointer(s, object, NULL);
			} else {
				struct slub_finding tmp, *f = finding_new(ctx, &tmp, FIND_SLAB, page);

				snprintf(f->msg, sizeof(f->msg), "Freepointer corrupt");
				snprintf(f->fix, sizeof(f->fix), "Freelist cleared");
				cnt.inuse = cnt.objects;
				slab_state_set(page, NULL, cnt);
				finding_done(s, ctx, f);
				return 0;
			}
			break;
		}
		object = fp;
		fp = get_freepointer(s, object);
		nr++;
	}
	max_objects = min(order_objects(slab_order_of(page), s->size),
			  (unsigned int)MAX_OBJS_PER_PAGE);
	if (cnt.objects != max_objects) {
		struct slub_finding tmp, *f = finding_new(ctx, &tmp, FIND_SLAB, page);

		snprintf(f->msg, sizeof(f->msg), "Wrong number of objects. Found %u but should be %u",
			 cnt.objects, max_objects);
		snprintf(f->fix, sizeof(f->fix), "Number of objects adjusted.");
		cnt.objects = max_objects;
		slab_state_set(page, slab_freelist_get(page), cnt);
		finding_done(s, ctx, f);
	}
	if (cnt.inuse != cnt.objects - nr) {
		struct slub_finding tmp, *f = finding_new(ctx, &tmp, FIND_SLAB, page);

		snprintf(f->msg, sizeof(f->msg), "Wrong object count. Counter is %u but counted were %u",
			 cnt.inuse, cnt.objects - nr);
		snprintf(f->fix, sizeof(f->fix), "Object count adjusted.");
		cnt.inuse = cnt.objects - nr;
		slab_state_set(page, slab_freelist_get(page), cnt);
		finding_done(s, ctx, f);
	}
	return search == NULL;
}

/* ------------------------------------------------------------------ */
/* The debug alloc and free                                            */

static void trace(struct kmem_cache *s, void *object, int alloc, unsigned int inuse,
		  void *fp)
{
	printk("TRACE %s %s %p inuse=%u fp=%p\n", s->name, alloc ? "alloc" : "free",
	       object, inuse, fp);
}

int alloc_debug_processing(struct kmem_cache *s, struct page *page, void *object,
			   const void *addr)
{
	if (s->flags & SLAB_CONSISTENCY_CHECKS) {
		if (!check_slab(s, NULL, page))
			goto bad;
		if (!check_valid_pointer(s, page, object)) {
			object_err(s, page, object, "Freelist Pointer check fails");
			goto bad;
		}
		if (!__check_object(s, NULL, page, object, SLUB_RED_INACTIVE))
			goto bad;
	}
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, TRACK_ALLOC, addr);
	if (s->flags & SLAB_TRACE) {
		struct page_info pi;

		page_info_take(&pi, page);
		trace(s, object, 1, pi.inuse, pi.fp);
	}
	init_object(s, object, SLUB_RED_ACTIVE);
	return 1;

bad:
	if (PageSlab(page)) {
		struct page tmp;

		/* touch none of its other objects again */
		console_lock();
		slab_fix(s, "Marking all objects used");
		console_unlock();
		slab_lock(page);
		tmp = slab_counters_get(page);
		tmp.inuse = tmp.objects;
		slab_state_set(page, NULL, tmp);
		slab_unlock(page);
	}
	return 0;
}

static int free_consistency_checks(struct kmem_cache *s, struct slub_ctx *ctx,
				   struct page *page, void *object)
{
	if (!check_valid_pointer(s, page, object)) {
		slab_err_ctx(s, ctx, page, "Invalid object pointer %p", object);
		return 0;
	}
	if (on_freelist(s, ctx, page, object)) {
		object_err_ctx(s, ctx, page, object, "Object already free", NULL);
		return 0;
	}
	if (!__check_object(s, ctx, page, object, SLUB_RED_ACTIVE))
		return 0;
	if (unlikely(s != page->slab_cache)) {
		if (!PageSlab(page)) {
			slab_err_ctx(s, ctx, page, "Attempt to free object(%p) outside of slab",
				     object);
		} else if (!page->slab_cache) {
			struct slub_finding tmp, *f = finding_new(ctx, &tmp, FIND_NO_SLAB, page);

			f->object = object;
			finding_done(s, ctx, f);
		} else {
			object_err_ctx(s, ctx, page, object, "page slab pointer corrupt.", NULL);
		}
		return 0;
	}
	return 1;
}

int free_debug_processing(struct kmem_cache *s, struct page *page, void *head,
			  void *tail, int bulk_cnt, const void *addr)
{
	struct kmem_cache_node *n = get_node(s, page_to_nid(page));
	struct slub_ctx ctx = { .defer = 1 };
	unsigned int trace_inuse = 0;
	void *object = head, *trace_fp = NULL;
	unsigned long irqflags;
	char fix[64];
	int cnt = 0, ret = 0;

	ctx.snap = snap_room_get();		/* outside the lock: may mmap */
	spin_lock_irqsave(&n->list_lock, irqflags);
	slab_lock(page);
	if ((s->flags & SLAB_CONSISTENCY_CHECKS) && !check_slab(s, &ctx, page))
		goto out;
next_object:
	cnt++;
	if ((s->flags & SLAB_CONSISTENCY_CHECKS) &&
	    !free_consistency_checks(s, &ctx, page, object))
		goto out;
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, TRACK_FREE, addr);
	if (s->flags & SLAB_TRACE) {
		trace_inuse = slab_counters_get(page).inuse;
		trace_fp = slab_freelist_get(page);
	}
	/* the free pointer is out of init_object()'s reach (P moved it) */
	init_object(s, object, SLUB_RED_INACTIVE);
	if (object != tail) {
		object = get_freepointer(s, object);
		goto next_object;
	}
	ret = 1;
out:
	if (cnt != bulk_cnt)
		slab_err_ctx(s, &ctx, page, "Bulk freelist count(%d) invalid(%d)", bulk_cnt, cnt);
	slab_unlock(page);
	spin_unlock_irqrestore(&n->list_lock, irqflags);

	if (ret && (s->flags & SLAB_TRACE))
		trace(s, head, 0, trace_inuse, trace_fp);
	snprintf(fix, sizeof(fix), "Object at %p not freed", object);
	report_findings(s, &ctx, ret ? NULL : fix);
	return ret;
}

