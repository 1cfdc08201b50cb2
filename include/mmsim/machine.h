/* SPDX-License-Identifier: MIT */
/*
 * mmsim/machine.h - the simulated machine: life cycle, CPUs, nodes and the
 * execution context (preemption, interrupts) of the calling thread.
 *
 * A host thread becomes simulated CPU k with mm_cpu_attach(k); from then on
 * smp_processor_id() is a thread-local read, and the thread runs pinned to
 * host PU (k mod host PUs).  Only an attached thread may call the allocator.
 */
#ifndef MMSIM_MACHINE_H
#define MMSIM_MACHINE_H

#include <stdio.h>
#include <stddef.h>
#include <mmsim/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NR_CPUS		512
#define MAX_NUMNODES	64
#define NUMA_NO_NODE	(-1)

/* A thread becomes a CPU of the booted machine (mm_boot(), mmsim/mm.h)
 * and stops being one: non-kernel names, as the machine's life cycle. */
int  mm_cpu_attach(unsigned int cpu);
void mm_cpu_detach(void);

/*
 * Run fn(info) once on every simulated CPU: one pinned host thread per CPU,
 * each attached to its CPU for the call, started together behind a gate.
 * Returns when every call has returned (the kernel's on_each_cpu() with
 * wait=1): 0, or -errno if a thread could not be started or attached.
 */
int mm_on_each_cpu(void (*fn)(void *info), void *info);

/*
 * Print cpu's call trace ("NMI backtrace for cpu N", as the kernel's
 * sysrq-l), taken by a signal it cannot defer: 1 if it answered, 0 if not
 * (offline, or blocked in the host kernel).  Any thread, no lock held.
 */
int trigger_single_cpu_backtrace(unsigned int cpu);

/*
 * 1 while cpu's task sleeps in an uninterruptible wait (a mutex, a
 * completion, synchronize_rcu()...), as the hung task detector sees it:
 * a CPU that makes no progress then is waiting, not stuck.  Any thread.
 */
int cpu_task_sleeping(unsigned int cpu);

/* Per-thread state of the simulated task running on a CPU. */
struct mm_struct;

struct task_struct {
	int cpu;			/* attached CPU, or -1 */
	int pid;			/* host thread id */
	unsigned int flags;		/* PF_* */
	int preempt_count;		/* see *_OFFSET below */
	int irqs_disabled;		/* local_irq_disable() depth */
	int ipi_pending;		/* an IPI arrived with irqs disabled */
	int spin_depth;			/* spinlock_t's held: while > 0 the
					   console defers this thread's output
					   to the last spin_unlock() */
	void *pcp_percpu;		/* the page lists' fast table of this
					   CPU (mm/pcp.c) and */
	void *slab_percpu;		/* SLAB's table of it (mm/slab_create.c):
					   set and cleared by their CPU-online/
					   offline callbacks */
	char comm[16];
	/*
	 * Fault injection and footprint: the task's own, read and written
	 * only by its thread (an interrupt on it saves and restores the
	 * footprint: it is not the task's).
	 */
	unsigned int fail_nth;		/* fail-nth: fail the N-th fault site
					   from now; 0 off (mm_debugfs_write()) */
	unsigned long fail_injected;	/* failures injected into this task */
	unsigned long fail_site;	/* the call chain (a hash) of the last
					   failure its fail-nth injected */
	long fp_pages;			/* pages it allocated minus pages it
					   freed (a slab's own not counted) */
	long fp_objects;		/* slab objects likewise (kmalloc too) */
	/*
	 * Reclaim: the task's own, read and written only by its thread
	 * (kswapd, running on a borrowed CPU, saves and restores them).
	 */
	struct mm_struct *mm;		/* the task whose memory it touches
					   (mm_task_access()), NULL if none */
	struct {			/* I/O it started (mm_io_stats_current()) */
		unsigned long swap_out, swap_in, fs_write, fs_read, fs_shrink;
	} io;
};

#define PF_MEMALLOC	0x00000800	/* allocating for reclaim: no watermarks */
#define PF_KSWAPD	0x00020000	/* I am kswapd */
#define PF_MEMALLOC_NOFS 0x00040000	/* allocations act as GFP_NOFS */
#define PF_MEMALLOC_NOIO 0x00080000	/* allocations act as GFP_NOIO */

/* v4.19's scopes (linux/sched/mm.h): allocations inside act as GFP_NOIO
 * or GFP_NOFS, whatever their mask; save returns what restore puts back. */
#define memalloc_noio_save()	__memalloc_flags_save(PF_MEMALLOC_NOIO)
#define memalloc_noio_restore(f) __memalloc_flags_restore(PF_MEMALLOC_NOIO, (f))
#define memalloc_nofs_save()	__memalloc_flags_save(PF_MEMALLOC_NOFS)
#define memalloc_nofs_restore(f) __memalloc_flags_restore(PF_MEMALLOC_NOFS, (f))

extern __thread struct task_struct __mm_current;
#define current (&__mm_current)

static inline unsigned int __memalloc_flags_save(unsigned int pf)
{
	unsigned int old = __mm_current.flags & pf;

	__mm_current.flags |= pf;
	return old;
}

static inline void __memalloc_flags_restore(unsigned int pf, unsigned int old)
{
	__mm_current.flags = (__mm_current.flags & ~pf) | old;
}

/* Fill in current's pid and comm if this thread has never been seen. */
void task_init_current(void);

/* The CPU this thread is attached to; a BUG (and -1) if it is not. */
static inline int raw_smp_processor_id(void)
{
	return __mm_current.cpu;
}

unsigned int smp_processor_id(void);
int numa_node_id(void);
int cpu_to_node(unsigned int cpu);
unsigned int num_online_cpus(void);
unsigned int num_online_nodes(void);

/*
 * Execution context, as the kernel's preempt_count.  A thread's context
 * fields are its own; the only other code that touches them is the IPI
 * signal handler running on the same thread, so compiler barriers (not
 * fences) keep the accesses in order and every change it makes is undone
 * before it returns.  Interrupts "disabled" defers IPIs (see numa/ipi.c):
 * re-enabling runs the ones that arrived meanwhile.
 */
#define PREEMPT_OFFSET	0x00000001
#define SOFTIRQ_OFFSET	0x00000100
#define HARDIRQ_OFFSET	0x00010000
#define PREEMPT_MASK	0x000000ff
#define SOFTIRQ_MASK	0x0000ff00
#define HARDIRQ_MASK	0x00ff0000

#define barrier() __atomic_signal_fence(__ATOMIC_SEQ_CST)

void generic_smp_call_function_interrupt(void);
/* The IPIs a fast path's interrupts-off window deferred, run now; returns
 * ret (so that the fast path's tail is one call). */
void *ipi_run_pending(void *ret);

static inline void __preempt_count_add(int v)
{
	barrier();
	WRITE_ONCE(current->preempt_count, current->preempt_count + v);
	barrier();
}

static inline void preempt_disable(void) { __preempt_count_add(PREEMPT_OFFSET); }
static inline void preempt_enable(void)  { __preempt_count_add(-PREEMPT_OFFSET); }
static inline void irq_enter(void) { __preempt_count_add(HARDIRQ_OFFSET); }
static inline void irq_exit(void)
{
	__preempt_count_add(-HARDIRQ_OFFSET);
	/* IPIs that arrived during the interrupt run when it ends */
	if (!(READ_ONCE(current->preempt_count) & (HARDIRQ_MASK | SOFTIRQ_MASK)) &&
	    !READ_ONCE(current->irqs_disabled) && unlikely(READ_ONCE(current->ipi_pending)))
		generic_smp_call_function_interrupt();
}
static inline void local_bh_disable(void) { __preempt_count_add(SOFTIRQ_OFFSET); }
static inline void local_bh_enable(void)
{
	__preempt_count_add(-SOFTIRQ_OFFSET);
	/* IPIs that arrived in softirq context run when it ends */
	if (!(READ_ONCE(current->preempt_count) & (HARDIRQ_MASK | SOFTIRQ_MASK)) &&
	    !READ_ONCE(current->irqs_disabled) && unlikely(READ_ONCE(current->ipi_pending)))
		generic_smp_call_function_interrupt();
}

static inline void local_irq_disable(void)
{
	WRITE_ONCE(current->irqs_disabled, current->irqs_disabled + 1);
	barrier();
}

static inline void __local_irq_set(int disabled)
{
	barrier();
	WRITE_ONCE(current->irqs_disabled, disabled);
	barrier();
	/* an IPI that arrived while they were off runs now (unless this is
	 * interrupt or softirq context: it then waits for irq_exit() or
	 * local_bh_enable(), see generic_smp_call_function_interrupt()) */
	if (!disabled && unlikely(READ_ONCE(current->ipi_pending)))
		generic_smp_call_function_interrupt();
}

static inline void local_irq_enable(void)
{
	__local_irq_set(current->irqs_disabled - 1);
}

#define local_irq_save(flags) \
	do { (flags) = (unsigned long)current->irqs_disabled; local_irq_disable(); } while (0)
#define local_irq_restore(flags) __local_irq_set((int)(flags))

static inline int in_interrupt(void)
{
	return READ_ONCE(current->preempt_count) & (HARDIRQ_MASK | SOFTIRQ_MASK);
}
static inline int in_irq(void) { return READ_ONCE(current->preempt_count) & HARDIRQ_MASK; }
static inline int in_atomic(void) { return READ_ONCE(current->preempt_count) != 0; }
static inline int irqs_disabled(void) { return READ_ONCE(current->irqs_disabled) != 0; }

/*
 * might_sleep(): a sleeping call from atomic context is reported as the
 * kernel does ("BUG: sleeping function called from invalid context") and
 * the macro yields true so that the caller can refuse the call.
 */
int ___might_sleep(const char *file, int line);
#define might_sleep() ___might_sleep(__FILE__, __LINE__)

#ifdef __cplusplus
}
#endif

#endif /* MMSIM_MACHINE_H */
