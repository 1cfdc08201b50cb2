// SPDX-License-Identifier: MIT
/*
 * numa/printk.c - console output and kernel-style reports.
 *
 * console_lock (recursive pthread mutex, held with interrupts off; a lock
 * class of its own for lockdep, "console_lock")
 * serialises every line written, and whole reports between report_begin()
 * and report_end().  The counters and
 * the taint mask are atomics read by anyone (relaxed: they are statistics,
 * nothing is published through them).
 *
 * The console lock is never taken under a spinlock_t: a thread that holds
 * one (current->spin_depth > 0) writes into its own deferred buffer
 * (struct printk_deferred, the thread's only), and the spin_unlock() of
 * its last spinlock prints it (printk_flush_deferred()).  A report's call
 * trace is taken when the report is made, symbolized when it is printed.
 * The buffer is mmap()ed, never malloc()ed: a CPU holding a spinlock may
 * have interrupts off, and a CPU stopped by stop_machine() may hold the C
 * library's allocator lock.
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <mmsim/machine.h>
#include <mmsim/spinlock.h>
#include "lockdep.h"
#include "printk.h"

static pthread_mutex_t console_lock_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/*
 * lockdep sees console_lock as one lock (console_lock_map), taken at the
 * thread's outermost take (console_depth, the thread's own).  It must
 * never be taken under a spinlock (output is deferred there), and no
 * spinlock may be taken under it that a printing thread could hold.
 */
struct lockdep_map console_lock_map =
	STATIC_LOCKDEP_MAP_INIT("console_lock", &console_lock_map);
static __thread int console_depth;

/*
 * console_lock is held with interrupts off: a CPU is never stopped by
 * stop_machine() (an IPI) in the middle of a report, so no CPU ever waits
 * for a stopped one here.  (Nested takes nest the irq count as well.)
 */
static void console_lock_irq(void)
{
	local_irq_disable();
	if (!console_depth++ && lockdep_enabled())
		lock_acquire(&console_lock_map, 0, 0, 0,
			     (unsigned long)__builtin_return_address(0));
	pthread_mutex_lock(&console_lock_mutex);
}

static void console_unlock_irq(void)
{
	pthread_mutex_unlock(&console_lock_mutex);
	if (!--console_depth && lockdep_enabled())
		lock_release(&console_lock_map, (unsigned long)__builtin_return_address(0));
	local_irq_enable();
}

void console_lock(void)
{
	console_lock_irq();
}

void console_unlock(void)
{
	console_unlock_irq();
}
/* Protected by console_lock. */
static FILE *console_out;
static report_hook_fn report_hook;
static char headline[256];
static size_t headline_len;
static int in_report;
static unsigned long long oops_id;

/* ------------------------------------------------------------------ */
/* Output deferred under a spinlock                                    */

#define DEFERRED_TEXT		(48 * 1024)
#define DEFERRED_REPORTS	8
#define DEFERRED_FRAMES		48

/* What a report (or dump_stack()) adds at its end: its trace and footer. */
struct deferred_trailer {
	size_t off;			/* where it goes in text[] */
	enum report_type type;
	int is_report;			/* 0: dump_stack()'s trace only */
	int nframes;
	void *frames[DEFERRED_FRAMES];
	char headline[256];
};

struct printk_deferred {
	size_t len;			/* text[0..len) waits to be printed */
	unsigned long lost;		/* bytes or reports that did not fit */
	int nr;				/* trailers[0..nr) */
	int open;			/* report_begin() without its report_end() */
	struct deferred_trailer trailer[DEFERRED_REPORTS];
	char text[DEFERRED_TEXT];
};

__thread int __printk_deferred_pending;
static __thread struct printk_deferred *deferred;	/* mmap()ed on first use */

/* The thread's own: inside a report that must not be deferred. */
static __thread int printk_urgent;

static int deferring(void)
{
	return current->spin_depth > 0 && !printk_urgent;
}

/* The thread's buffer, or NULL if it cannot have one (counted as lost). */
static struct printk_deferred *deferred_buf(void)
{
	if (!deferred) {
		void *p = mmap(NULL, sizeof(*deferred), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return NULL;
		deferred = p;
	}
	return deferred;
}

static void deferred_vappend(const char *fmt, va_list ap)
{
	struct printk_deferred *d = deferred_buf();
	size_t room;
	int n;

	if (!d)
		return;
	room = sizeof(d->text) - d->len;
	n = vsnprintf(d->text + d->len, room, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		d->lost += (size_t)n - (room ? room - 1 : 0);
		d->len = sizeof(d->text) - 1;
	} else {
		d->len += (size_t)n;
	}
	__printk_deferred_pending = 1;
}

static void __printf(1, 2) deferred_append(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	deferred_vappend(fmt, ap);
	va_end(ap);
}

/* The trailer a report_end() or dump_stack() leaves here, or NULL.  Its
 * frames start with this function and its caller (print them from 2). */
static noinline struct deferred_trailer *deferred_trailer_add(int is_report)
{
	struct printk_deferred *d = deferred_buf();
	struct deferred_trailer *t;

	if (!d)
		return NULL;
	if (d->nr == DEFERRED_REPORTS) {
		d->lost++;
		return NULL;
	}
	t = &d->trailer[d->nr++];
	t->off = d->len;
	t->is_report = is_report;
	t->nframes = backtrace(t->frames, DEFERRED_FRAMES);
	__printk_deferred_pending = 1;
	return t;
}

/* backtrace() loads its unwinder (and mallocs) on its first call: do that
 * at start-up, not in a report made under a spinlock. */
__attribute__((constructor)) static void printk_warm_backtrace(void)
{
	void *frames[2];

	backtrace(frames, ARRAY_SIZE(frames));
}

static int quiet;			/* READ_ONCE/WRITE_ONCE */
static int panic_on_warn;		/* READ_ONCE/WRITE_ONCE */
static unsigned long tainted_mask;	/* atomic, relaxed */
static unsigned long counts[NR_REPORT_TYPES];	/* atomic, relaxed */

static FILE *out(void)
{
	return console_out ? console_out : stderr;
}

FILE *printk_set_output(FILE *f)
{
	FILE *old;

	console_lock_irq();
	old = out();
	console_out = f;
	console_unlock_irq();
	return old;
}

void printk_set_quiet(int q)
{
	WRITE_ONCE(quiet, q);
}

int printk_quiet(void)
{
	return READ_ONCE(quiet);
}

void vprintk(const char *fmt, va_list ap)
{
	if (deferring()) {
		struct printk_deferred *d = deferred_buf();

		/* the first line of an open report is its headline */
		if (d && d->open && d->nr < DEFERRED_REPORTS &&
		    !d->trailer[d->nr].headline[0]) {
			va_list cp;
			char *nl;

			va_copy(cp, ap);
			vsnprintf(d->trailer[d->nr].headline,
				  sizeof(d->trailer[d->nr].headline), fmt, cp);
			va_end(cp);
			nl = strchr(d->trailer[d->nr].headline, '\n');
			if (nl)
				*nl = '\0';
		}
		deferred_vappend(fmt, ap);
		return;
	}
	console_lock_irq();
	if (in_report && headline_len == 0) {
		va_list cp;
		char *nl;

		va_copy(cp, ap);
		vsnprintf(headline, sizeof(headline), fmt, cp);
		va_end(cp);
		nl = strchr(headline, '\n');
		if (nl)
			*nl = '\0';
		headline_len = strlen(headline);
	}
	vfprintf(out(), fmt, ap);
	fflush(out());
	console_unlock_irq();
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void add_taint(int flag)
{
	__atomic_fetch_or(&tainted_mask, 1UL << flag, __ATOMIC_RELAXED);
}

const char *print_tainted(void)
{
	static const char letters[TAINT_FLAGS_COUNT][2] = {
		{ 'P', 'G' }, { 'F', ' ' }, { 'S', ' ' }, { 'R', ' ' },
		{ 'M', ' ' }, { 'B', ' ' }, { 'U', ' ' }, { 'D', ' ' },
		{ 'A', ' ' }, { 'W', ' ' }, { 'C', ' ' }, { 'I', ' ' },
		{ 'O', ' ' }, { 'E', ' ' }, { 'L', ' ' }, { 'K', ' ' },
		{ 'X', ' ' }, { 'T', ' ' },
	};
	static __thread char buf[32 + TAINT_FLAGS_COUNT];
	unsigned long mask = __atomic_load_n(&tainted_mask, __ATOMIC_RELAXED);
	char *s = buf;

	if (!mask)
		return "Not tainted";
	s += sprintf(s, "Tainted: ");
	for (int i = 0; i < TAINT_FLAGS_COUNT; i++)
		*s++ = letters[i][(mask >> i) & 1 ? 0 : 1];
	*s = '\0';
	return buf;
}

/* The reporting machinery a trace starts after (its frames are dropped):
 * names as symbolize() gives them, "name+0x..". */
static int is_report_frame(const char *sym)
{
	static const char *const names[] = {
		"report_end+", "report_end_urgent+", "dump_stack+", "__warn_printf+",
		"__bug_report+",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strncmp(sym, names[i], strlen(names[i])))
			return 1;
	return 0;
}

#define TRACE_SYM_LEN	128

/*
 * Print a call trace (console lock held): from the frame after the last
 * reporting function among the first few (the code that reported), or
 * from frames[skip] if none is found (the number of frames a sanitizer's
 * interceptor adds varies between builds).  Frames are "name+0xoff/0xsize"
 * (static functions too, symbolize.c); one no symbol covers is "? addr".
 */
static void print_frames(void *const *frames, int n, int skip)
{
	char sym[TRACE_SYM_LEN];

	for (int i = 0; i < n && i < 8; i++)
		if (!symbolize(frames[i], sym, sizeof(sym)) && is_report_frame(sym))
			skip = i + 1;
	printk("Call Trace:\n");
	for (int i = skip; i < n; i++) {
		if (symbolize(frames[i], sym, sizeof(sym))) {
			printk(" ? %p\n", frames[i]);
			continue;
		}
		printk(" %s\n", sym);
		if (!strncmp(sym, "main+", 5) || !strncmp(sym, "start_thread+", 13))
			break;
	}
}

void print_call_trace(void *const *frames, int n, int skip)
{
	console_lock_irq();
	print_frames(frames, n, skip);
	console_unlock_irq();
}

/* Print the call trace of the caller, skipping `skip` innermost frames
 * (this function's own is the first). */
static noinline void show_trace(int skip)
{
	void *frames[DEFERRED_FRAMES];
	int n = backtrace(frames, ARRAY_SIZE(frames));

	print_frames(frames, n, skip);
}

static void dump_header(void)
{
	printk("CPU: %d PID: %d Comm: %.20s %s 4.19.0-mmsim #1\n",
	       current->cpu, current->pid, current->comm[0] ? current->comm : "?",
	       print_tainted());
}

void dump_stack_frames(void *const *frames, int n, int skip)
{
	console_lock_irq();
	dump_header();
	print_frames(frames, n, skip);
	console_unlock_irq();
}

void dump_stack(void)
{
	if (deferring()) {
		deferred_trailer_add(0);
		return;
	}
	console_lock_irq();
	dump_header();
	show_trace(2);
	console_unlock_irq();
}

void report_headline(const char *fmt, ...)
{
	va_list ap;

	if (deferring()) {
		struct printk_deferred *d = deferred_buf();

		if (d && d->open && d->nr < DEFERRED_REPORTS) {
			va_start(ap, fmt);
			vsnprintf(d->trailer[d->nr].headline,
				  sizeof(d->trailer[d->nr].headline), fmt, ap);
			va_end(ap);
		}
		return;
	}
	console_lock_irq();
	va_start(ap, fmt);
	vsnprintf(headline, sizeof(headline), fmt, ap);
	va_end(ap);
	headline_len = strlen(headline);
	console_unlock_irq();
}

void report_begin(enum report_type type)
{
	if (deferring()) {
		struct printk_deferred *d = deferred_buf();

		if (d) {
			d->open++;
			if (d->nr < DEFERRED_REPORTS)
				d->trailer[d->nr].headline[0] = '\0';
		}
		if (type == REPORT_WARNING)
			deferred_append("------------[ cut here ]------------\n");
		return;
	}
	console_lock_irq();
	if (type == REPORT_WARNING)
		printk("------------[ cut here ]------------\n");
	in_report++;
	headline_len = 0;
}

void report_begin_urgent(enum report_type type)
{
	printk_urgent++;
	report_begin(type);
}

void report_end_urgent(enum report_type type, int taint)
{
	report_end(type, taint);
	printk_urgent--;
}

static void __report_end(enum report_type type, int taint, int own_trace)
{
	char line[sizeof(headline)];
	report_hook_fn hook;

	if (deferring()) {
		struct deferred_trailer *t;

		if (deferred && deferred->open)
			deferred->open--;
		t = deferred_trailer_add(1);
		if (t)
			t->type = type;
		if (taint >= 0)
			add_taint(taint);
		__atomic_fetch_add(&counts[type], 1, __ATOMIC_RELAXED);
		return;
	}

	if (type != REPORT_INFO && own_trace) {
		dump_header();
		show_trace(2);
	}
	if (type == REPORT_WARNING || type == REPORT_BUG)
		printk("---[ end trace %016llx ]---\n", ++oops_id);
	if (taint >= 0)
		add_taint(taint);
	memcpy(line, headline, sizeof(line));
	hook = report_hook;
	in_report--;
	__atomic_fetch_add(&counts[type], 1, __ATOMIC_RELAXED);
	console_unlock_irq();

	if (type != REPORT_INFO && hook)
		hook(type, line);
	if (type != REPORT_INFO && READ_ONCE(panic_on_warn))
		panic("panic_on_warn set ...");
}

void report_end(enum report_type type, int taint)
{
	__report_end(type, taint, 1);
}

void report_end_no_trace(enum report_type type, int taint)
{
	__report_end(type, taint, 0);
}

void report_end_urgent_no_trace(enum report_type type, int taint)
{
	__report_end(type, taint, 0);
	printk_urgent--;
}

void report_silent(enum report_type type, int taint, const char *line)
{
	report_hook_fn hook;

	if (taint >= 0)
		add_taint(taint);
	__atomic_fetch_add(&counts[type], 1, __ATOMIC_RELAXED);
	if (deferring()) {
		/* the hook runs at the flush, with a trailer that prints nothing */
		struct deferred_trailer *t = deferred_trailer_add(1);

		if (t) {
			t->type = type;
			t->nframes = -1;
			snprintf(t->headline, sizeof(t->headline), "%s", line);
		}
		return;
	}
	console_lock_irq();
	hook = report_hook;
	console_unlock_irq();
	if (type != REPORT_INFO && hook)
		hook(type, line);
	if (type != REPORT_INFO && READ_ONCE(panic_on_warn))
		panic("panic_on_warn set ...");
}

/*
 * The thread's last spinlock is released: print what it deferred, in
 * order, each report's trace and footer where it ended; then the report
 * hook and panic_on_warn, as report_end() does, with no lock held.
 */
void printk_flush_deferred(void)
{
	struct printk_deferred *d = deferred;
	struct {
		enum report_type type;
		char headline[256];
	} done[DEFERRED_REPORTS];
	int nr_done = 0, nr;
	size_t pos = 0;
	report_hook_fn hook;

	__printk_deferred_pending = 0;
	if (!d || deferring())
		return;
	console_lock_irq();
	nr = d->nr;
	for (int i = 0; i < nr; i++) {
		struct deferred_trailer *t = &d->trailer[i];

		if (t->off > pos)
			fprintf(out(), "%.*s", (int)(t->off - pos), d->text + pos);
		pos = t->off;
		if (t->nframes < 0) {			/* report_silent() */
			done[nr_done].type = t->type;
			memcpy(done[nr_done++].headline, t->headline, sizeof(t->headline));
			continue;
		}
		if (!t->is_report || t->type != REPORT_INFO) {
			dump_header();
			print_frames(t->frames, t->nframes, 2);
		}
		if (!t->is_report)
			continue;
		if (t->type == REPORT_WARNING || t->type == REPORT_BUG)
			printk("---[ end trace %016llx ]---\n", ++oops_id);
		done[nr_done].type = t->type;
		memcpy(done[nr_done++].headline, t->headline, sizeof(t->headline));
	}
	if (d->len > pos)
		fprintf(out(), "%.*s", (int)(d->len - pos), d->text + pos);
	if (d->lost)
		fprintf(out(), "printk: %lu bytes of deferred output lost\n", d->lost);
	fflush(out());
	d->len = 0;
	d->nr = 0;
	d->lost = 0;
	hook = report_hook;
	console_unlock_irq();

	for (int i = 0; i < nr_done; i++) {
		if (done[i].type == REPORT_INFO)
			continue;
		if (hook)
			hook(done[i].type, done[i].headline);
		if (READ_ONCE(panic_on_warn))
			panic("panic_on_warn set ...");
	}
}

void panic(const char *fmt, ...)
{
	va_list ap;

	console_lock_irq();
	fprintf(out(), "Kernel panic - not syncing: ");
	va_start(ap, fmt);
	vfprintf(out(), fmt, ap);
	va_end(ap);
	fprintf(out(), "\n");
	fflush(out());
	abort();
}

unsigned long report_count(enum report_type type)
{
	return __atomic_load_n(&counts[type], __ATOMIC_RELAXED);
}

unsigned long report_violations(void)
{
	return report_count(REPORT_BUG) + report_count(REPORT_WARNING) +
	       report_count(REPORT_BAD_PAGE);
}

void report_set_panic_on_warn(int on)
{
	WRITE_ONCE(panic_on_warn, on);
}

void report_set_hook(report_hook_fn fn)
{
	console_lock_irq();
	report_hook = fn;
	console_unlock_irq();
}

/*
 * v4.19 on x86: WARN(cond, fmt) prints the cut-here line and its message
 * before the WARNING line (WARN_ON's cut-here line is the 4.19.y stable
 * form).  The harness's headline joins the WARNING line and the message.
 */
void __warn_printf(const char *file, int line, const char *func,
		   const char *fmt, ...)
{
	char msg[160] = "";
	va_list ap;

	va_start(ap, fmt);
	if (fmt && fmt[0])
		vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	report_begin(REPORT_WARNING);
	if (msg[0])
		printk("%s%s", msg, msg[strlen(msg) - 1] == '\n' ? "" : "\n");
	printk("WARNING: CPU: %d PID: %d at %s:%d %s\n",
	       current->cpu, current->pid, file, line, func);
	report_headline("WARNING: at %s:%d %s: %.*s", file, line, func,
			(int)strcspn(msg, "\n"), msg);
	printk("Modules linked in:\n");
	report_end(REPORT_WARNING, TAINT_WARN);
}

void __bug_report(const char *file, int line, const char *func)
{
	report_begin(REPORT_BUG);
	printk("kernel BUG at %s:%d!\n", file, line);
	printk("invalid opcode: 0000 [#%llu] SMP (refused, %s continues)\n",
	       oops_id + 1, func);
	report_end(REPORT_BUG, TAINT_DIE);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int __ratelimit(struct ratelimit_state *rs)
{
	long long now = now_ms();
	int ok;

	console_lock_irq();
	if (!rs->begin_ms || now - rs->begin_ms >= rs->interval_ms) {
		if (rs->missed)
			fprintf(out(), "%d callbacks suppressed\n", rs->missed);
		rs->begin_ms = now;
		rs->printed = 0;
		rs->missed = 0;
	}
	ok = rs->printed < rs->burst;
	if (ok)
		rs->printed++;
	else
		rs->missed++;
	console_unlock_irq();
	return ok;
}
