// SPDX-License-Identifier: MIT
/*
 * mm/kmemleak_scan.c - kmemleak's scan, its reports and its debugfs file
 * (v4.19's mm/kmemleak.c semantics; the records are mm/kmemleak.c's).
 *
 * The scan runs under stop_machine(), with kmemleak_lock held as well
 * (against a thread that is no CPU and records something meanwhile).
 * v4.19 scans concurrently, object by object under each object's lock,
 * and then rescans what changed meanwhile (its checksums).  Here the
 * owners of the memory scanned are simulated CPUs, which a scan may stop
 * for a while; stopped, they leave a consistent picture: the stacks and
 * registers of every CPU (each stopped at a safe point, multi_cpu_stop()
 * spills its registers to the stack), no object half-built, no pointer in
 * flight between two lists.  So one pass is enough, no checksum is
 * needed, and what the CPUs wrote before they stopped is ordered before
 * the scan's reads (stop_machine()'s arrival counter), which TSan checks.
 * The cost: the machine stands still while it runs (the figures are in
 * bench/README.md).
 *
 * What is scanned (the roots, then grey objects until none is left):
 *   the program's writable data segments (found with dl_iterate_phdr():
 *	the executable's, and libmmsim's if it is a shared object), like the
 *	kernel's data and bss.  Threads that are no CPU (the watchdog, the
 *	harness's own) may write their variables there while the scan reads:
 *	those reads race by design, as the kernel's do (v4.19 reads with
 *	KASAN off; later kernels mark them data_race()), so scan_data() alone
 *	is built without the sanitizers' instrumentation.
 *   the stack of every attached CPU, from where it stopped (the scanning
 *	CPU's own from the frame that called the scan: the scanner's frames
 *	do not count) to its top (numa's cpu_stacks[]).
 *   every rcu_head queued for a grace period (numa/rcu.c's lists).
 *   every object with min_count 0 (KMEMLEAK_GREY: registered roots, and
 *	kmemleak_not_leak()), and every object found referenced min_count
 *	times, whole or its scan areas, unless OBJECT_NO_SCAN.
 * Thread-local storage and unregistered host memory are not scanned.
 *
 * Who touches what: scan_mutex (a struct mutex: a CPU waiting for it
 * answers IPIs) serialises scans, show and the commands; under it the
 * scan writes every object's count, gray_next and OBJECT_REPORTED, and
 * jiffies_last_scan.  scan_thread and its period under thread_lock (a
 * host mutex, never taken by a CPU).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "kmemleak_internal.h"
#include "../numa/ipi.h"
#include "../numa/rcu.h"
#include "../numa/vmspace.h"
#include <mmsim/mutex.h>
#include <mmsim/sched.h>

#define MSECS_MIN_AGE		5000	/* an object younger is never reported */
#define SECS_FIRST_SCAN		60	/* the thread's first scan after boot */
#define SECS_SCAN_WAIT		600	/* and then every */
#define HEX_ROW_SIZE		16
#define HEX_MAX_LINES		2

static DEFINE_MUTEX(scan_mutex);
static unsigned long jiffies_last_scan;
static int scan_stacks = 1;		/* "stack=on|off" (scan_mutex) */

/* The writable data segments, found at kmemleak_init() (boot_mutex). */
#define MAX_DATA_SEGMENTS	16
static struct { unsigned long start, end; } data_seg[MAX_DATA_SEGMENTS];
static unsigned int nr_data_seg;

/* ------------------------------------------------------------------ */
/* The scan (every CPU stopped, kmemleak_lock held)                    */

struct scan_state {
	struct kmemleak_object *gray_head, *gray_tail;
	void *self_low;			/* the scanning CPU's stack, or NULL */
	int self_cpu;
	int new_leaks;
};

static inline int color_white(const struct kmemleak_object *o)
{
	return o->count != KMEMLEAK_BLACK && o->count < o->min_count;
}

static inline int color_gray(const struct kmemleak_object *o)
{
	return o->min_count != KMEMLEAK_BLACK && o->count >= o->min_count;
}

static void gray_push(struct scan_state *st, struct kmemleak_object *o)
{
	o->gray_next = NULL;
	if (st->gray_tail)
		st->gray_tail->gray_next = o;
	else
		st->gray_head = o;
	st->gray_tail = o;
}

/* One more reference found to o: grey at min_count. */
static void update_refs(struct scan_state *st, struct kmemleak_object *o)
{
	if (!color_white(o))
		return;
	o->count++;
	if (color_gray(o))
		gray_push(st, o);
}

/* What one word found: the object it points into gets a reference. */
static inline void scan_word(struct scan_state *st, unsigned long v,
			     const struct kmemleak_object *scanned)
{
	struct kmemleak_object *o;
	unsigned long excess;

	if (v <= below_min_addr || v >= max_addr)
		return;
	o = __lookup_object(v, 1);
	if (!o || o == scanned)
		return;
	if (color_gray(o)) {
		/* a second reference to a vm_struct: its area's too */
		excess = o->excess_ref;
	} else {
		excess = 0;
		update_refs(st, o);
	}
	if (excess) {
		o = __lookup_object(excess, 0);
		if (o && o != scanned)
			update_refs(st, o);
	}
}

/* Objects and stacks: every writer stopped, so TSan checks these reads;
 * ASan's red zones (between a stack's variables) are read too. */
__no_sanitize_address
static void scan_block(struct scan_state *st, unsigned long start, unsigned long end,
		       const struct kmemleak_object *scanned)
{
	unsigned long p = ALIGN(start, sizeof(unsigned long));

	for (; p + sizeof(unsigned long) <= end; p += sizeof(unsigned long))
		scan_word(st, *(const unsigned long *)p, scanned);
}

/*
 * The data segments: see the map (threads that are no CPU write there).
 * A variable registered black is not scanned here either: the layout of
 * the address space (the direct map's base, the vmalloc area's bounds)
 * is no reference to the object that happens to start there.
 */
__attribute__((no_sanitize("address", "thread")))
static void scan_data(struct scan_state *st, unsigned long start, unsigned long end)
{
	unsigned long p = ALIGN(start, sizeof(unsigned long));

	for (; p + sizeof(unsigned long) <= end; p += sizeof(unsigned long)) {
		unsigned long v = *(const unsigned long *)p;
		struct kmemleak_object *var;

		if (v <= below_min_addr || v >= max_addr)
			continue;
		var = __lookup_object(p, 1);
		if (var && var->min_count == KMEMLEAK_BLACK)
			continue;
		scan_word(st, v, NULL);
	}
}

static void scan_object(struct scan_state *st, struct kmemleak_object *o)
{
	if (o->flags & OBJECT_NO_SCAN)
		return;
	if (!o->areas) {
		scan_block(st, o->pointer, o->pointer + o->scan_size, o);
		return;
	}
	for (struct kmemleak_area *a = o->areas; a; a = a->next)
		scan_block(st, a->start, a->start + a->size, o);
}

/* An rcu_head queued for a grace period: a reference to its object. */
static void scan_rcu_head(struct rcu_head *head, void *arg)
{
	scan_word(arg, (unsigned long)head, NULL);
}

static int unreferenced_object(const struct kmemleak_object *o)
{
	return color_white(o) && (o->flags & OBJECT_ALLOCATED) &&
	       time_before_eq(o->when + msecs_to_jiffies(MSECS_MIN_AGE),
			      jiffies_last_scan);
}

static int scan_stopped(void *data)
{
	struct scan_state *st = data;
	struct kmemleak_object *o;
	unsigned long flags;

	spin_lock_irqsave(&kmemleak_lock, flags);
	jiffies_last_scan = jiffies;
	/* white all, but for the grey ones: the first to be scanned */
	for (o = object_list_head; o; o = o->next) {
		o->count = 0;
		if (color_gray(o))
			gray_push(st, o);
	}
	for (unsigned int i = 0; i < nr_data_seg; i++)
		scan_data(st, data_seg[i].start, data_seg[i].end);
	/* RCU's queues: v4.19 finds them through its per-CPU data and the
	 * struct pages it scans; here a queue may pass through an rcu_head
	 * in no object (a SLAB_TYPESAFE_BY_RCU slab's struct page, a SLOB
	 * block already forgotten), so every queued head is a root */
	rcu_for_each_queued(scan_rcu_head, st);
	if (scan_stacks) {
		for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
			unsigned long low, high = (unsigned long)cpu_stacks[cpu].high;

			if (!cpu_attached(cpu) || !high)
				continue;
			low = (int)cpu == st->self_cpu ? (unsigned long)st->self_low
						       : (unsigned long)cpu_stacks[cpu].low;
			if (low && low < high)
				scan_block(st, low, high, NULL);
		}
	}
	/* grey objects, including those found grey meanwhile */
	for (o = st->gray_head; o; o = o->gray_next)
		scan_object(st, o);
	for (o = object_list_head; o; o = o->next) {
		if (unreferenced_object(o) && !(o->flags & OBJECT_REPORTED)) {
			o->flags |= OBJECT_REPORTED;
			st->new_leaks++;
		}
	}
	spin_unlock_irqrestore(&kmemleak_lock, flags);
	return 0;
}

/* The stack pointer of the caller as it called: below the caller's frame
 * (and the registers __builtin_unwind_init() spilled there). */
static noinline void *caller_stack_low(void)
{
	return (char *)__builtin_frame_address(0) + 2 * sizeof(void *);
}

/* A scan: 0 when done; -EBUSY off; -ETIMEDOUT if a CPU did not stop. */
static noinline int kmemleak_scan(void)
{
	struct scan_state st = { .self_cpu = -1 };
	int ret;

	/* the caller's registers, for its own stack's scan */
	__builtin_unwind_init();
	if (current->cpu >= 0) {
		st.self_cpu = current->cpu;
		st.self_low = caller_stack_low();
	}
	mutex_lock(&scan_mutex);
	if (!kmemleak_active()) {
		mutex_unlock(&scan_mutex);
		return -EBUSY;
	}
	/* a CPU that does not stop within 2 * watchdog_thresh is reported
	 * (stop_machine(): "does not answer IPIs") and the scan not made */
	ret = stop_machine(scan_stopped, &st, 2000U * machine.watchdog_thresh, NULL);
	mutex_unlock(&scan_mutex);
	if (st.new_leaks)
		pr_info("kmemleak: %d new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n",
			st.new_leaks);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reports                                                             */

/* What show prints of an object: copied under kmemleak_lock, printed
 * after it.  The hex dump reads memory whose owner may still write it
 * (a reported object may be in use after all): a racy read by design. */
struct leak_copy {
	struct kmemleak_object o;
	size_t dump_len;
	unsigned char dump[HEX_ROW_SIZE * HEX_MAX_LINES];
};

__attribute__((no_sanitize("address", "thread")))
static void copy_head(unsigned char *to, unsigned long from, size_t len)
{
	for (size_t i = 0; i < len; i++)
		to[i] = ((const volatile unsigned char *)from)[i];
}

/*
 * The names of one listing's return addresses: a listing of thousands of
 * leaks from a few call sites symbolizes each site once (libdw is slow).
 * Open addressing, the show's own (malloc'ed per call).
 */
#define SYM_CACHE	4096
struct sym_entry {
	const void *addr;
	char name[120];
};

static const char *sym_name(struct sym_entry *cache, const void *addr, char *one, size_t len)
{
	unsigned long i = ((unsigned long)addr >> 2) * 0x9e3779b97f4a7c15UL >> 52;
	struct sym_entry *e = NULL;

	for (unsigned int probe = 0; cache && probe < 8; probe++) {
		e = &cache[(i + probe) % SYM_CACHE];
		if (e->addr == addr)
			return e->name;
		if (!e->addr)
			break;
		e = NULL;
	}
	if (!e) {			/* no cache, or a full run: uncached */
		if (symbolize(addr, one, len))
			snprintf(one, len, "0x%lx", (unsigned long)addr);
		return one;
	}
	if (symbolize(addr, e->name, sizeof(e->name)))
		snprintf(e->name, sizeof(e->name), "0x%lx", (unsigned long)addr);
	e->addr = addr;
	return e->name;
}

static void print_trace(FILE *out, struct sym_entry *cache, void *const *trace, unsigned int n)
{
	char one[120];

	for (unsigned int i = 0; i < n; i++)
		fprintf(out, "    [<%016lx>] %s\n", (unsigned long)trace[i],
			sym_name(cache, trace[i], one, sizeof(one)));
}

/* v4.19's hex_dump_to_buffer() row: 16 bytes in groups of 1, ASCII. */
static void hex_row(FILE *out, const unsigned char *b, size_t n)
{
	char line[HEX_ROW_SIZE * 4 + 8];
	size_t pos = 0;

	for (size_t i = 0; i < n; i++)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, i ? " %02x" : "%02x", b[i]);
	while (pos < HEX_ROW_SIZE * 3 + 1)
		line[pos++] = ' ';
	for (size_t i = 0; i < n; i++)
		line[pos++] = isascii(b[i]) && isprint(b[i]) ? (char)b[i] : '.';
	line[pos] = '\0';
	fprintf(out, "    %s\n", line);
}

static void print_unreferenced(FILE *out, struct sym_entry *cache, const struct leak_copy *c)
{
	unsigned long age = jiffies_to_msecs(jiffies - c->o.when);

	fprintf(out, "unreferenced object 0x%08lx (size %zu):\n", c->o.pointer, c->o.size);
	fprintf(out, "  comm \"%s\", pid %d, jiffies %lu (age %lu.%03lus)\n", c->o.comm,
		c->o.pid, c->o.when, age / 1000, age % 1000);
	fprintf(out, "  hex dump (first %zu bytes):\n", c->dump_len);
	for (size_t i = 0; i < c->dump_len; i += HEX_ROW_SIZE)
		hex_row(out, c->dump + i, min(c->dump_len - i, (size_t)HEX_ROW_SIZE));
	fprintf(out, "  backtrace:\n");
	print_trace(out, cache, c->o.trace, c->o.trace_len);
}

/* The objects that the last scan found leaked and still are, copied. */
static struct leak_copy *collect_leaks(size_t *nr)
{
	struct leak_copy *c = NULL;
	struct kmemleak_object *o;
	unsigned long flags;
	size_t n = 0, cap = 0;

	for (;;) {
		spin_lock_irqsave(&kmemleak_lock, flags);
		n = 0;
		for (o = object_list_head; o; o = o->next) {
			if (!(o->flags & OBJECT_REPORTED) || !unreferenced_object(o))
				continue;
			if (n < cap) {
				c[n].o = *o;
				c[n].dump_len = min(o->size, sizeof(c[n].dump));
				copy_head(c[n].dump, o->pointer, c[n].dump_len);
			}
			n++;
		}
		spin_unlock_irqrestore(&kmemleak_lock, flags);
		if (n <= cap)
			break;
		/* more than room for: again, with room (scan_mutex held: the
		 * set only shrinks as objects are freed) */
		free(c);
		cap = n;
		c = calloc(cap, sizeof(*c));
		if (!c) {
			n = 0;
			break;
		}
	}
	*nr = n;
	return c;
}

int kmemleak_show(FILE *out)
{
	struct sym_entry *cache;
	struct leak_copy *c;
	size_t n;

	mutex_lock(&scan_mutex);
	if (!kmemleak_active()) {
		mutex_unlock(&scan_mutex);
		return -EBUSY;
	}
	c = collect_leaks(&n);
	mutex_unlock(&scan_mutex);
	cache = n ? calloc(SYM_CACHE, sizeof(*cache)) : NULL;
	for (size_t i = 0; i < n; i++)
		print_unreferenced(out, cache, &c[i]);
	free(cache);
	free(c);
	return 0;
}

/* v4.19's dump_object_info(): a misuse report's object, or dump=<addr>. */
void kmemleak_dump_object(const struct kmemleak_object *o)
{
	printk("kmemleak: Object 0x%08lx (size %zu):\n", o->pointer, o->size);
	printk("kmemleak:   comm \"%s\", pid %d, jiffies %lu\n", o->comm, o->pid, o->when);
	printk("kmemleak:   min_count = %d\n", o->min_count);
	printk("kmemleak:   count = %d\n", o->count);
	printk("kmemleak:   flags = 0x%x\n", o->flags);
	printk("kmemleak:   backtrace:\n");
	for (unsigned int i = 0; i < o->trace_len; i++) {
		char sym[160];

		if (symbolize(o->trace[i], sym, sizeof(sym)))
			snprintf(sym, sizeof(sym), "0x%lx", (unsigned long)o->trace[i]);
		printk("     %s\n", sym);
	}
}

static int dump_str_object_info(const char *str)
{
	struct kmemleak_object *o, copy;
	unsigned long flags, addr;
	char *end;

	errno = 0;
	addr = strtoul(str, &end, 0);
	if (errno || end == str || *end)
		return -EINVAL;
	spin_lock_irqsave(&kmemleak_lock, flags);
	o = __lookup_object(addr, 0);
	if (o)
		copy = *o;
	spin_unlock_irqrestore(&kmemleak_lock, flags);
	if (!o) {
		pr_info("kmemleak: Unknown object at 0x%08lx\n", addr);
		return -EINVAL;
	}
	console_lock();
	kmemleak_dump_object(&copy);
	console_unlock();
	return 0;
}

/* "clear": what was reported is never reported again (grey). */
static void kmemleak_clear(void)
{
	unsigned long flags;

	spin_lock_irqsave(&kmemleak_lock, flags);
	for (struct kmemleak_object *o = object_list_head; o; o = o->next)
		if ((o->flags & OBJECT_REPORTED) && unreferenced_object(o))
			o->min_count = KMEMLEAK_GREY;
	spin_unlock_irqrestore(&kmemleak_lock, flags);
}

/* ------------------------------------------------------------------ */
/* The scan thread (a host thread: no CPU)                             */

/*
 * One thread from boot to shutdown, as v4.19's kmemleak kthread: its
 * first scan SECS_FIRST_SCAN seconds (of jiffies) after boot, then every
 * scan_wait_secs; "scan=<secs>" changes the period (0: no more scans
 * until another "scan=<secs>" or "scan=on").  Nobody but mm_shutdown()
 * waits for it, and that wait answers IPIs: the thread may be inside a
 * stop_machine() that needs the waiting CPU.
 */
static pthread_mutex_t thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_cond = PTHREAD_COND_INITIALIZER;
static pthread_t scan_thread;
static int thread_running, thread_stop;	/* thread_lock */
static unsigned long scan_wait_secs;	/* thread_lock; 0: no scans */
static unsigned long period_gen;	/* thread_lock: bumped by a change */
static int thread_done;			/* atomic: release by the thread
					   as it ends, acquire by the waiter */

/* Wait secs of jiffies (hz_scale-fast; 0: until told) or a change of the
 * period: 1 if told to stop, 0 if the time is up, 2 if the period changed. */
static int thread_sleep(unsigned long secs, unsigned long gen)
{
	unsigned long long ns = jiffies_to_host_ns(secs * HZ);
	struct timespec ts;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ns / 1000000000ULL);
	ts.tv_nsec += (long)(ns % 1000000000ULL);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&thread_lock);
	for (;;) {
		if (thread_stop) {
			ret = 1;
			break;
		}
		if (period_gen != gen) {
			ret = 2;
			break;
		}
		if (secs ? pthread_cond_timedwait(&thread_cond, &thread_lock, &ts) == ETIMEDOUT
			 : pthread_cond_wait(&thread_cond, &thread_lock) != 0)
			break;
	}
	pthread_mutex_unlock(&thread_lock);
	return ret;
}

static void *kmemleak_scan_thread(void *arg)
{
	unsigned long wait = SECS_FIRST_SCAN, gen;

	(void)arg;
	if (!printk_quiet())
		pr_info("kmemleak: Automatic memory scanning thread started\n");
	pthread_mutex_lock(&thread_lock);
	gen = period_gen;
	pthread_mutex_unlock(&thread_lock);
	for (;;) {
		int r = thread_sleep(wait, gen);

		if (r == 1)
			break;
		pthread_mutex_lock(&thread_lock);
		gen = period_gen;
		wait = scan_wait_secs;
		pthread_mutex_unlock(&thread_lock);
		if (r == 2)
			continue;	/* a new period: from now */
		if (mm_life_read_lock())
			break;
		kmemleak_scan();
		mm_life_read_unlock();
	}
	if (!printk_quiet())
		pr_info("kmemleak: Automatic memory scanning thread ended\n");
	/* Release: pairs with the acquire in kmemleak_stop_thread(). */
	__atomic_store_n(&thread_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void set_scan_period(unsigned long secs)
{
	pthread_mutex_lock(&thread_lock);
	scan_wait_secs = secs;
	period_gen++;
	pthread_cond_broadcast(&thread_cond);
	pthread_mutex_unlock(&thread_lock);
}

void kmemleak_stop_thread(void)
{
	int running;

	pthread_mutex_lock(&thread_lock);
	running = thread_running;
	thread_running = 0;
	thread_stop = 1;
	pthread_cond_broadcast(&thread_cond);
	pthread_mutex_unlock(&thread_lock);
	if (!running)
		return;
	/* Acquire: pairs with the thread's release as it ends.  A CPU
	 * answers IPIs meanwhile (the thread may be stopping the machine). */
	while (!__atomic_load_n(&thread_done, __ATOMIC_ACQUIRE)) {
		if (current->cpu >= 0 && !irqs_disabled())
			generic_smp_call_function_interrupt();
		sched_yield();
	}
	pthread_join(scan_thread, NULL);
}

/* ------------------------------------------------------------------ */
/* debugfs and life                                                    */

void kmemleak_disable(void)
{
	if (!__atomic_exchange_n(&kmemleak_on, 0, __ATOMIC_RELAXED))
		return;
	pr_info("kmemleak: Kernel memory leak detector disabled\n");
}

int kmemleak_write(const char *cmd)
{
	unsigned long long secs;
	int ret = 0;

	/* the thread's period: it never waits for the thread */
	if (!strncmp(cmd, "scan=", 5)) {
		if (!kmemleak_active())
			return -EBUSY;
		if (!strcmp(cmd, "scan=off"))
			secs = 0;
		else if (!strcmp(cmd, "scan=on"))
			secs = SECS_SCAN_WAIT;
		else if (parse_uint(cmd + 5, 0, 1UL << 31, &secs))
			return -EINVAL;
		set_scan_period((unsigned long)secs);
		return 0;
	}
	if (!strcmp(cmd, "scan"))
		return kmemleak_scan();
	mutex_lock(&scan_mutex);
	if (!kmemleak_active()) {
		mutex_unlock(&scan_mutex);
		return -EBUSY;
	}
	if (!strcmp(cmd, "clear"))
		kmemleak_clear();
	else if (!strcmp(cmd, "off"))
		kmemleak_disable();
	else if (!strcmp(cmd, "stack=on") || !strcmp(cmd, "stack=off"))
		scan_stacks = cmd[7] == 'n';
	else if (!strncmp(cmd, "dump=", 5))
		ret = dump_str_object_info(cmd + 5);
	else
		ret = -EINVAL;
	mutex_unlock(&scan_mutex);
	if (!strcmp(cmd, "off")) {
		/* the thread stays, idle (a CPU never waits for it) */
		set_scan_period(0);
		/* every hook tests kmemleak_on under kmemleak_lock too */
		kmemleak_forget_all();
	}
	return ret;
}

static int find_data_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
	int main_program = info->dlpi_name[0] == '\0';

	(void)size;
	(void)arg;
	if (!main_program && !strstr(info->dlpi_name, "libmmsim"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) ||
		    nr_data_seg >= MAX_DATA_SEGMENTS)
			continue;
		data_seg[nr_data_seg].start = info->dlpi_addr + ph->p_vaddr;
		data_seg[nr_data_seg].end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		nr_data_seg++;
	}
	return 0;
}

int kmemleak_init(int on)
{
	__atomic_store_n(&kmemleak_on, 0, __ATOMIC_RELAXED);
	if (!on)
		return 0;
	nr_data_seg = 0;
	dl_iterate_phdr(find_data_segments, NULL);
	__atomic_store_n(&kmemleak_on, 1, __ATOMIC_RELAXED);
	/* address-space bounds in globals: no references (black) */
	kmemleak_alloc(&machine, sizeof(machine), KMEMLEAK_BLACK, 0);
	kmemleak_alloc(&vmspace, sizeof(vmspace), KMEMLEAK_BLACK, 0);
	jiffies_last_scan = jiffies;
	scan_stacks = 1;
	if (!printk_quiet())
		pr_info("kmemleak: Kernel memory leak detector initialized\n");
	return 0;
}

void kmemleak_late_init(void)
{
	int running;

	if (!kmemleak_active())
		return;
	pthread_mutex_lock(&thread_lock);
	scan_wait_secs = SECS_SCAN_WAIT;
	thread_stop = 0;
	__atomic_store_n(&thread_done, 0, __ATOMIC_RELAXED);
	running = !pthread_create(&scan_thread, NULL, kmemleak_scan_thread, NULL);
	thread_running = running;
	pthread_mutex_unlock(&thread_lock);
	if (!running)
		pr_warn("kmemleak: Failed to create the scan thread\n");
}

void kmemleak_exit(void)
{
	kmemleak_stop_thread();
	__atomic_store_n(&kmemleak_on, 0, __ATOMIC_RELAXED);
	kmemleak_forget_all();
}
