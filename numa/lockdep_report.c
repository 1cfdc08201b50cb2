// SPDX-License-Identifier: MIT
/*
 * numa/lockdep_report.c - lockdep's reports, in the kernel's shapes:
 *
 *   WARNING: possible circular locking dependency detected
 *   WARNING: possible recursive locking detected
 *   WARNING: inconsistent lock state
 *   WARNING: bad unlock balance detected!
 *   WARNING: lock held when returning to user space!   (mm_cpu_detach())
 *   WARNING: suspicious RCU usage
 *   BUG: MAX_LOCK_DEPTH too low! / BUG: MAX_LOCKDEP_KEYS too low!
 *
 * Called by lockdep.c with no lock of lockdep's held, interrupts off and
 * the thread inside lockdep (the console's lock is not seen).  Everything
 * printed was copied into the struct lockdep_report beforehand, except the
 * thread's own held-lock stack.  A would-be deadlock (circular, recursive)
 * is printed at once even under a spinlock: the thread may be about to
 * hang on the lock it asked for, so its report must not wait for the
 * spin_unlock() that flushes deferred output.
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <string.h>

#include <mmsim/machine.h>
#include "lockdep.h"
#include "printk.h"

static const char *const usage_names[LOCK_USAGE_STATES] = {
	"IN-HARDIRQ-W", "IN-HARDIRQ-R", "HARDIRQ-ON-W", "HARDIRQ-ON-R",
	"IN-SOFTIRQ-W", "IN-SOFTIRQ-R", "SOFTIRQ-ON-W", "SOFTIRQ-ON-R",
};

/* "func+0x1c/0x80", static functions too (or the address if no symbol
 * covers it). */
static void sym(char *buf, size_t len, unsigned long ip)
{
	if (!ip || symbolize((const void *)ip, buf, len))
		snprintf(buf, len, "0x%lx", ip);
}

/* One char per state and direction, as lockdep's {+.+.}: '.' unused,
 * '-' taken in that irq context, '+' taken with it enabled, '?' both. */
static void usage_chars(unsigned int usage, char out[5])
{
	for (int s = 0; s < 4; s++) {
		int state = s / 2, read = s % 2;
		int in = usage >> (state * 4 + read) & 1;
		int on = usage >> (state * 4 + 2 + read) & 1;

		out[s] = in && on ? '?' : in ? '-' : on ? '+' : '.';
	}
	out[4] = '\0';
}

static void print_name(const struct lockdep_class_info *c)
{
	if (c->subclass)
		printk("%s/%u", c->name, c->subclass);
	else
		printk("%s", c->name);
}

/* "0000... (&zone->lock){-.-.}, at: free_pcppages_bulk+0x3c" */
static void print_lock(const struct held_lock *hl, const struct lockdep_class_info *c)
{
	char usage[5], at[160];

	usage_chars(c->usage, usage);
	sym(at, sizeof(at), hl->ip);
	printk("%016lx (", (unsigned long)hl->map);
	print_name(c);
	printk("){%s}, at: %s\n", usage, at);
}

/* A saved trace, from lockdep's entry point (lock_acquire) outwards. */
static void print_trace(void *const *frames, int n)
{
	int from = 0;
	char at[160];

	static const char *const own[] = {
		"trace_save+", "__lock_acquire+", "lock_acquire+", "lock_acquire_nocheck+",
		"print_current_trace+", "lockdep_print_report+",
	};

	/* from the frame after lockdep's own */
	for (int i = 0; i < n && i < 8; i++) {
		sym(at, sizeof(at), (unsigned long)frames[i]);
		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
			if (!strncmp(at, own[k], strlen(own[k])))
				from = i + 1;
	}
	for (int i = from; i < n; i++) {
		sym(at, sizeof(at), (unsigned long)frames[i]);
		printk("       %s\n", at);
	}
}

static noinline void print_current_trace(void)
{
	void *frames[LOCKDEP_TRACE_FRAMES];

	print_trace(frames, backtrace(frames, LOCKDEP_TRACE_FRAMES));
}

void lockdep_print_held(const struct held_lock *held, int depth)
{
	int n = 0, k = 0;

	task_init_current();
	for (int i = 0; i < depth; i++)
		n += held[i].map != &console_lock_map;
	if (!n) {
		printk("no locks held by %s/%d.\n", current->comm, current->pid);
		return;
	}
	printk("%d lock%s held by %s/%d:\n", n, n == 1 ? "" : "s",
	       current->comm, current->pid);
	for (int i = 0; i < depth; i++) {
		struct lockdep_class_info c;

		if (held[i].map == &console_lock_map)
			continue;
		lockdep_class_info(held[i].class, &c);
		printk(" #%d: ", k++);
		print_lock(&held[i], &c);
	}
}

static void print_held_now(void)
{
	const struct held_lock *held;
	int depth = lockdep_held(&held);

	lockdep_print_held(held, depth);
}

static void rule(char c, size_t n)
{
	char buf[80];

	n = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
	memset(buf, c, n);
	buf[n] = '\0';
	printk("%s\n", buf);
}

static void header(const char *title)
{
	size_t n = strlen(title);

	task_init_current();
	rule('=', n);
	printk("%s\n", title);
	report_headline("%s", title);
	printk("4.19.0-mmsim #1 %s\n", print_tainted());
	rule('-', n);
}

static void deadlock_footer(void)
{
	printk("\n *** DEADLOCK ***\n\n");
}

static void report_circular(struct lockdep_report *r)
{
	const struct lockdep_class_info *target = &r->chain[0];
	const struct lockdep_class_info *source = &r->next_class;
	const struct lockdep_class_info *parent =
		r->nchain > 1 ? &r->chain[1] : source;

	header("WARNING: possible circular locking dependency detected");
	printk("%s/%d is trying to acquire lock:\n", current->comm, current->pid);
	print_lock(&r->next, &r->next_class);
	printk("\nbut task is already holding lock:\n");
	print_lock(&r->prev, &r->prev_class);
	printk("\nwhich lock already depends on the new lock.\n\n");
	printk("\nthe existing dependency chain (in reverse order) is:\n");
	if (r->chain_cut)
		printk("\n(%d more links of the chain are not shown)\n", r->chain_cut);
	for (int k = 0; k < r->nchain; k++) {
		char usage[5];

		usage_chars(r->chain[k].usage, usage);
		printk("\n-> #%d (", r->nchain - 1 - k);
		print_name(&r->chain[k]);
		printk("){%s}:\n", usage);
		if (k == r->nchain - 1)
			print_current_trace();
		else
			print_trace(r->chain_trace[k].frames, r->chain_trace[k].nframes);
	}
	printk("\nother info that might help us debug this:\n\n");
	if (parent != source && r->nchain > 2) {
		printk("Chain exists of:\n  ");
		print_name(source);
		printk(" --> ");
		print_name(parent);
		printk(" --> ");
		print_name(target);
		printk("\n\n");
	}
	printk(" Possible unsafe locking scenario:\n\n");
	printk("       CPU0                    CPU1\n");
	printk("       ----                    ----\n");
	printk("  lock(");
	print_name(target);
	printk(");\n                               lock(");
	print_name(parent);
	printk(");\n                               lock(");
	print_name(target);
	printk(");\n  lock(");
	print_name(source);
	printk(");\n");
	deadlock_footer();
}

static void report_recursive(struct lockdep_report *r)
{
	header("WARNING: possible recursive locking detected");
	printk("%s/%d is trying to acquire lock:\n", current->comm, current->pid);
	print_lock(&r->next, &r->next_class);
	printk("\nbut task is already holding lock:\n");
	print_lock(&r->prev, &r->prev_class);
	printk("\nother info that might help us debug this:\n");
	printk(" Possible unsafe locking scenario:\n\n");
	printk("       CPU0\n       ----\n  lock(");
	print_name(&r->prev_class);
	printk(");\n  lock(");
	print_name(&r->next_class);
	printk(");\n");
	deadlock_footer();
	printk(" May be due to missing lock nesting notation\n\n");
}

static void report_usage(struct lockdep_report *r)
{
	int pc = READ_ONCE(current->preempt_count);
	int hardirq = r->old_bit < LOCK_USED_IN_SOFTIRQ;

	header("WARNING: inconsistent lock state");
	printk("inconsistent {%s} -> {%s} usage.\n", usage_names[r->old_bit],
	       usage_names[r->new_bit]);
	/* (r->line: hardirqs were enabled at the acquire) */
	printk("%s/%d [HC%d[%d]:SC%d[%d]:HE%d:SE%d] takes:\n", current->comm,
	       current->pid, !!(pc & HARDIRQ_MASK), (pc & HARDIRQ_MASK) >> 16,
	       !!(pc & SOFTIRQ_MASK), (pc & SOFTIRQ_MASK) >> 8, r->line,
	       r->line && !(pc & (SOFTIRQ_MASK | HARDIRQ_MASK)));
	print_lock(&r->next, &r->next_class);
	printk("{%s} state was registered at:\n", usage_names[r->old_bit]);
	print_trace(r->old_trace.frames, r->old_trace.nframes);
	printk("\nother info that might help us debug this:\n");
	printk(" Possible unsafe locking scenario:\n\n");
	printk("       CPU0\n       ----\n  lock(");
	print_name(&r->next_class);
	printk(");\n  <%s>\n    lock(", hardirq ? "Interrupt" : "SoftIRQ");
	print_name(&r->next_class);
	printk(");\n");
	deadlock_footer();
}

static void report_bad_unlock(struct lockdep_report *r)
{
	char at[160];

	header("WARNING: bad unlock balance detected!");
	sym(at, sizeof(at), r->next.ip);
	printk("%s/%d is trying to release lock (", current->comm, current->pid);
	print_name(&r->next_class);
	printk(") at:\n[<%016lx>] %s\n", r->next.ip, at);
	printk("but there are no more locks to release!\n");
	printk("\nother info that might help us debug this:\n");
}

void lockdep_print_report(struct lockdep_report *r)
{
	int immediate = r->kind == LR_CIRCULAR || r->kind == LR_RECURSIVE;

	if (r->kind == LR_OVERFLOW) {
		report_begin(REPORT_BUG);
		printk("BUG: %s\n", r->msg);
		printk("lockdep: a table is full: what it would record is not, "
		       "until the next boot\n");
		report_end(REPORT_BUG, -1);
		return;
	}
	/* see the top of the file */
	if (immediate)
		report_begin_urgent(REPORT_WARNING);
	else
		report_begin(REPORT_WARNING);
	switch (r->kind) {
	case LR_CIRCULAR:
		report_circular(r);
		break;
	case LR_RECURSIVE:
		report_recursive(r);
		break;
	case LR_USAGE:
		report_usage(r);
		break;
	case LR_BAD_UNLOCK:
		report_bad_unlock(r);
		break;
	case LR_DETACH:
		header("WARNING: lock held when returning to user space!");
		printk("%s/%d is leaving CPU %d (mm_cpu_detach()) with locks still held!\n",
		       current->comm, current->pid, r->line);
		break;
	case LR_RCU:
		header("WARNING: suspicious RCU usage");
		printk("%s:%d %s!\n", r->file, r->line, r->msg);
		printk("\nother info that might help us debug this:\n\n");
		printk("rcu_scheduler_active = 2, debug_locks = 1\n");
		break;
	default:
		break;
	}
	print_held_now();
	printk("\nstack backtrace:\n");
	if (immediate)
		report_end_urgent(REPORT_WARNING, TAINT_WARN);
	else
		report_end(REPORT_WARNING, TAINT_WARN);
}
