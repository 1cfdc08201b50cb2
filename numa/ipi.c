// SPDX-License-Identifier: MIT
/*
 * numa/ipi.c - inter-processor interrupts between simulated CPUs:
 * smp_call_function_single() and smp_call_function_many().
 *
 * An IPI is a real-time signal (SIGIPI) sent with tgkill() to the thread
 * that is the target CPU; its handler runs the queued calls on that thread,
 * so the function sees the target's per-CPU data as its own.  "Interrupts
 * disabled" is the thread-local current->irqs_disabled: a signal arriving
 * then only sets current->ipi_pending, and the calls run at the next
 * local_irq_enable()/local_irq_restore() that re-enables them, as a
 * pending interrupt would.  So per-CPU data touched only with interrupts
 * disabled needs no lock and no atomic on its owner's side.
 *
 * Who touches what:
 *   cpu_ipi[c].queue	lock-free stack of call_single_data: senders push
 *			with a CAS (release), CPU c takes the whole stack with
 *			one exchange (acquire), so a csd's func/info are seen.
 *   cpu_ipi[c].tid	the thread that is CPU c, 0 when none; written by
 *			attach/detach and read by senders under cpu_ipi[c].lock
 *			(irq-safe), which orders "queued" against "detached": a
 *			detaching CPU takes every csd queued before it went away.
 *   csd->done		CSD_QUEUED -> CSD_DONE by the target (an exchange,
 *			release: func's effects are seen by the sender's
 *			acquire load), or CSD_QUEUED -> CSD_ABANDONED by a
 *			sender that stopped waiting (a CAS).  The target that
 *			finds CSD_ABANDONED there owns the csd: it drops the
 *			block's reference the sender took for it.
 *   block->refs	atomic: the sender's, and one per abandoned csd; the
 *			last put frees the block (and what came with it, the
 *			stop data of stop_machine()).
 *   current->irqs_disabled, ipi_pending
 *			the thread's own; the signal handler runs on that same
 *			thread, so compiler barriers order them, not fences.
 *
 * A sender that is itself a CPU runs its own queue while it waits, so two
 * CPUs calling each other at once cannot deadlock.  Calls to a CPU that no
 * thread is attached to are not made: an offline CPU has nothing to do.
 *
 * stop_machine() is built on them: every online CPU gets an IPI whose
 * function announces its arrival (release) and spins until released
 * (acquire).  A CPU runs an IPI only where its interrupts are on, which is
 * never inside an allocator critical section, and a sleeping CPU's thread
 * is woken by the signal: so all of them meet at safe points, and what
 * they wrote before is visible to fn through the arrival counter.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ipi.h"
#include "machine.h"
#include <mmsim/mutex.h>
#include "printk.h"
#include "spinlock.h"
#include <mmsim/jitter.h>

struct cpu_ipi {
	spinlock_t lock;		/* irq-safe: a holder is never stopped */
	int tid;
	struct call_single_data *queue;
	unsigned long long last_ns;	/* atomic, relaxed: when the CPU last
					   ran its queue (for reports) */
} ____cacheline_aligned;

static struct cpu_ipi cpu_ipi[NR_CPUS];
static struct cpu_signal ipi_signal;	/* ipi_init()/ipi_exit() */

enum { CSD_QUEUED, CSD_DONE, CSD_ABANDONED };

/* The calls of one smp_call_function_*() or stop_machine(), with room for
 * the data they share (extra). */
struct csd_block {
	int refs;
	void *extra;
	struct call_single_data csd[];
};

static struct csd_block *csd_block_alloc(unsigned int n, size_t extra)
{
	struct csd_block *b = calloc(1, sizeof(*b) + n * sizeof(b->csd[0]) + extra);

	if (!b)
		return NULL;
	__atomic_store_n(&b->refs, 1, __ATOMIC_RELAXED);
	b->extra = extra ? (void *)&b->csd[n] : NULL;
	for (unsigned int i = 0; i < n; i++) {
		b->csd[i].block = b;
		b->csd[i].done = CSD_DONE;
	}
	return b;
}

static void csd_block_put(struct csd_block *b)
{
	/* Acq_rel: every user's accesses happen before the free. */
	if (__atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(b);
}

/* The target has run csd's function: tell its sender, or free it for a
 * sender that gave up waiting. */
static void csd_finish(struct call_single_data *csd)
{
	struct csd_block *b = csd->block;

	/* Acq_rel: release for the waiting sender; acquire of an abandoning
	 * sender's CAS, whose reference this then drops. */
	if (__atomic_exchange_n(&csd->done, CSD_DONE, __ATOMIC_ACQ_REL) == CSD_ABANDONED)
		csd_block_put(b);
}

static inline int sigipi(void)
{
	return SIGRTMIN + 4;
}

/*
 * Run every call queued for this CPU.  Interrupts must be enabled.  In
 * interrupt or softirq context (an IPI's own function, an RCU callback)
 * the calls stay pending: they run when that context ends, at irq_exit()
 * or local_bh_enable(), never at a local_irq_restore() inside it, so that
 * stop_machine() never stops a CPU in the middle of a callback.
 */
void generic_smp_call_function_interrupt(void)
{
	int cpu = current->cpu;
	long fp_pages, fp_objects;
	unsigned long injected;

	if (cpu < 0)
		return;
	if (in_interrupt()) {
		WRITE_ONCE(current->ipi_pending, 1);
		return;
	}
	/* What the calls allocate or inject is not the interrupted task's:
	 * its footprint and injection count come back as they were. */
	fp_pages = current->fp_pages;
	fp_objects = current->fp_objects;
	injected = current->fail_injected;
	irq_enter();
	WRITE_ONCE(current->ipi_pending, 0);
	barrier();
	for (;;) {
		/* Acquire: pairs with the release CAS in csd_queue(). */
		struct call_single_data *csd =
			__atomic_exchange_n(&cpu_ipi[cpu].queue, NULL, __ATOMIC_ACQUIRE);

		if (!csd)
			break;
		while (csd) {
			struct call_single_data *next = csd->next;

			csd->func(csd->info);
			csd_finish(csd);	/* csd may be gone after this */
			csd = next;
		}
	}
	__atomic_store_n(&cpu_ipi[cpu].last_ns, mm_clock_ns(), __ATOMIC_RELAXED);
	irq_exit();
	current->fp_pages = fp_pages;
	current->fp_objects = fp_objects;
	current->fail_injected = injected;
}

void *ipi_run_pending(void *ret)
{
	generic_smp_call_function_interrupt();
	return ret;
}

int ipi_cpu_tid(unsigned int cpu)
{
	unsigned long flags;
	int tid;

	spin_lock_irqsave(&cpu_ipi[cpu].lock, flags);
	tid = cpu_ipi[cpu].tid;
	spin_unlock_irqrestore(&cpu_ipi[cpu].lock, flags);
	return tid;
}

static void ipi_handler(int sig)
{
	int saved_errno = errno;

	(void)sig;
	if (current->cpu >= 0) {
		if (READ_ONCE(current->irqs_disabled) || in_interrupt())
			WRITE_ONCE(current->ipi_pending, 1);
		else
			generic_smp_call_function_interrupt();
	}
	errno = saved_errno;
}

int cpu_signal_install(struct cpu_signal *cs, int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &cs->old))
		return -errno;
	cs->sig = sig;
	cs->installed = 1;
	return 0;
}

void cpu_signal_restore(struct cpu_signal *cs)
{
	if (cs->installed)
		sigaction(cs->sig, &cs->old, NULL);
	cs->installed = 0;
}

int ipi_init(void)
{
	for (int c = 0; c < NR_CPUS; c++) {
		spin_lock_init_name(&cpu_ipi[c].lock, "cpu_ipi->lock");
		cpu_ipi[c].tid = 0;
		__atomic_store_n(&cpu_ipi[c].queue, NULL, __ATOMIC_RELAXED);
	}
	return cpu_signal_install(&ipi_signal, sigipi(), ipi_handler);
}

void ipi_exit(void)
{
	cpu_signal_restore(&ipi_signal);
}

void ipi_cpu_online(unsigned int cpu)
{
	unsigned long flags;

	spin_lock_irqsave(&cpu_ipi[cpu].lock, flags);
	cpu_ipi[cpu].tid = current->pid;
	spin_unlock_irqrestore(&cpu_ipi[cpu].lock, flags);
	__atomic_store_n(&cpu_ipi[cpu].last_ns, mm_clock_ns(), __ATOMIC_RELAXED);
}

/*
 * The detaching CPU, interrupts disabled: no more calls will be queued to
 * it, and it runs those already queued before it goes.
 */
void ipi_cpu_offline(unsigned int cpu)
{
	struct call_single_data *csd;
	unsigned long flags;

	spin_lock_irqsave(&cpu_ipi[cpu].lock, flags);
	cpu_ipi[cpu].tid = 0;
	spin_unlock_irqrestore(&cpu_ipi[cpu].lock, flags);
	/* Acquire: pairs with the release CAS in csd_queue(). */
	csd = __atomic_exchange_n(&cpu_ipi[cpu].queue, NULL, __ATOMIC_ACQUIRE);
	while (csd) {
		struct call_single_data *next = csd->next;

		csd->func(csd->info);
		csd_finish(csd);
		csd = next;
	}
	WRITE_ONCE(current->ipi_pending, 0);
}

/* Queue csd for cpu and kick it; 0, or -ENXIO if no thread is that CPU. */
static int csd_queue(unsigned int cpu, struct call_single_data *csd)
{
	struct cpu_ipi *ci = &cpu_ipi[cpu];
	struct call_single_data *head;
	unsigned long flags;
	int tid;

	spin_lock_irqsave(&ci->lock, flags);
	tid = ci->tid;
	if (!tid) {
		spin_unlock_irqrestore(&ci->lock, flags);
		return -ENXIO;
	}
	head = __atomic_load_n(&ci->queue, __ATOMIC_RELAXED);
	do {
		csd->next = head;
		/* Release: publishes csd->func/info/next to the target. */
	} while (!__atomic_compare_exchange_n(&ci->queue, &head, csd, 1,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	spin_unlock_irqrestore(&ci->lock, flags);
	jitter_point();		/* queued, not signalled: the target may run it first */
	/* The thread may detach meanwhile: it then runs the queue itself, and
	 * a signal to it (or to a thread that reused its id) is harmless. */
	syscall(SYS_tgkill, getpid(), tid, sigipi());
	return 0;
}

static unsigned long long ipi_timeout_ns(void)
{
	return 2ULL * READ_ONCE(machine.watchdog_thresh) * 1000000000ULL;
}

/* A CPU that does not run its IPIs: what the waiter knows, and its NMI
 * backtrace. */
static noinline void ipi_unanswered(unsigned int cpu, const char *what,
				    smp_call_func_t func, unsigned long long waited_ns)
{
	unsigned long long last = __atomic_load_n(&cpu_ipi[cpu].last_ns, __ATOMIC_RELAXED);
	struct nmi_trace trace;
	Dl_info info;

	nmi_cpu_backtrace(cpu, &trace);		/* before the console is taken */
	report_begin(REPORT_BUG);
	if (func && dladdr((void *)func, &info) && info.dli_sname)
		printk("BUG: CPU %u does not answer IPIs: %s from CPU %d waited %llu s for %s\n",
		       cpu, what, current->cpu, waited_ns / 1000000000ULL, info.dli_sname);
	else
		printk("BUG: CPU %u does not answer IPIs: %s from CPU %d waited %llu s for %p\n",
		       cpu, what, current->cpu, waited_ns / 1000000000ULL, (void *)func);
	printk("CPU %u last ran its IPIs %.1f s ago; the call stays queued and runs when it does\n",
	       cpu, (double)(mm_clock_ns() - last) * 1e-9);
	nmi_show(cpu, &trace);
	report_end(REPORT_BUG, TAINT_SOFTLOCKUP);
}

/*
 * Give csd up: 1 if the target now owns it (it drops the block reference
 * taken here when it finally runs it), 0 if it ran meanwhile.
 */
static int csd_abandon(struct call_single_data *csd)
{
	int queued = CSD_QUEUED;

	__atomic_fetch_add(&csd->block->refs, 1, __ATOMIC_RELAXED);
	/* Acq_rel: pairs with the target's exchange in csd_finish(). */
	if (__atomic_compare_exchange_n(&csd->done, &queued, CSD_ABANDONED, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 1;
	__atomic_fetch_sub(&csd->block->refs, 1, __ATOMIC_RELAXED);	/* ran after all */
	return 0;
}

/*
 * Wait for the target to run csd: 0, or -ETIMEDOUT (reported) after the
 * watchdog time; the csd is then the target's to finish.
 */
static int csd_wait(struct call_single_data *csd, unsigned int cpu, const char *what)
{
	unsigned long long t0 = mm_clock_ns(), limit = ipi_timeout_ns(), waited;

	/* Acquire: pairs with the target's exchange in csd_finish(). */
	while (__atomic_load_n(&csd->done, __ATOMIC_ACQUIRE) != CSD_DONE) {
		if (current->cpu >= 0 && !irqs_disabled())
			generic_smp_call_function_interrupt();
		/* a wait that is too long has its own report, below */
		watchdog_touch();
		sched_yield();
		waited = mm_clock_ns() - t0;
		if (unlikely(waited > limit) && csd_abandon(csd)) {
			ipi_unanswered(cpu, what, csd->func, waited);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

/* The wait for a call could never end here: refuse (and report). */
static int ipi_wait_refused(const char *what)
{
	if (likely(!irqs_disabled() && !in_interrupt()))
		return 0;
	WARN(1, "%s() with interrupts off or in interrupt context: the wait could "
	     "never end (refused)\n", what);
	return 1;
}

void smp_call_function_many(const struct cpumask *mask, smp_call_func_t func,
			    void *info)
{
	unsigned int n = num_online_cpus();
	struct csd_block *b;

	if (ipi_wait_refused(__func__))
		return;
	b = csd_block_alloc(n, 0);
	if (!b) {
		/* No memory for the batch: one call at a time. */
		for (unsigned int cpu = 0; cpu < n; cpu++)
			if (cpumask_test_cpu(cpu, mask))
				smp_call_function_single(cpu, func, info);
		return;
	}
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		struct call_single_data *csd = &b->csd[cpu];

		csd->func = func;
		csd->info = info;
		if (!cpumask_test_cpu(cpu, mask) || (int)cpu == current->cpu)
			continue;
		csd->done = CSD_QUEUED;
		if (csd_queue(cpu, csd))
			csd->done = CSD_DONE;	/* offline: nothing to call */
	}
	for (unsigned int cpu = 0; cpu < n; cpu++)
		csd_wait(&b->csd[cpu], cpu, __func__);
	csd_block_put(b);	/* a CPU that never answered keeps it */
}

struct stop_data {
	int arrived;			/* atomic: CPUs at the rendezvous */
	int release;			/* atomic: the stopper is done */
	struct cpumask in;		/* set by each arriving CPU (under arrived) */
};

/* The stack pointer of its caller as it called (past this frame's saved
 * frame pointer and return address, which the caller's next calls
 * overwrite): the lowest word of the caller's frame, where
 * multi_cpu_stop() spilled its callee-saved registers. */
static noinline void *stop_stack_low(void)
{
	return (char *)__builtin_frame_address(0) + 2 * sizeof(void *);
}

static void multi_cpu_stop(void *info)
{
	struct stop_data *sd = info;
	unsigned int cpu = (unsigned int)current->cpu;

	/* The interrupted code's registers go to this frame, where a scan of
	 * the stack (kmemleak) finds what they point to. */
	__builtin_unwind_init();
	cpu_stacks[cpu].low = stop_stack_low();

	__atomic_fetch_or(&sd->in.bits[cpu / 64], 1UL << (cpu % 64), __ATOMIC_RELAXED);
	/* Release: everything this CPU wrote happens before fn reads it. */
	__atomic_fetch_add(&sd->arrived, 1, __ATOMIC_RELEASE);
	/* Acquire: pairs with the release of `release`; fn's writes are seen. */
	while (!__atomic_load_n(&sd->release, __ATOMIC_ACQUIRE)) {
		watchdog_touch();	/* stopped, not stuck */
		sched_yield();
	}
}

static DEFINE_MUTEX(stop_mutex);

int stop_machine(int (*fn)(void *data), void *data, unsigned int timeout_ms,
		 struct cpumask *missing)
{
	unsigned int n = num_online_cpus(), queued = 0;
	struct cpumask sent;
	struct csd_block *b;
	struct stop_data *sd;
	struct timespec t0, now;
	int ret = 0, timed_out = 0;

	b = csd_block_alloc(n, sizeof(*sd));
	if (!b)
		return -ENOMEM;
	sd = b->extra;
	cpumask_clear(&sent);
	/* no CPU comes online (or goes) while the machine is stopped */
	cpus_read_lock();
	mutex_lock(&stop_mutex);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		struct call_single_data *csd = &b->csd[cpu];

		csd->func = multi_cpu_stop;
		csd->info = sd;
		if ((int)cpu == current->cpu)
			continue;
		csd->done = CSD_QUEUED;
		if (csd_queue(cpu, csd)) {
			csd->done = CSD_DONE;	/* offline: stopped already */
		} else {
			cpumask_set_cpu(cpu, &sent);
			queued++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Acquire: pairs with each arrival's release. */
	while ((unsigned int)__atomic_load_n(&sd->arrived, __ATOMIC_ACQUIRE) < queued) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >=
		    (long)timeout_ms) {
			timed_out = 1;
			break;
		}
		if (current->cpu >= 0 && !irqs_disabled())
			generic_smp_call_function_interrupt();
		sched_yield();
	}
	if (timed_out) {
		ret = -ETIMEDOUT;
		if (missing) {
			cpumask_clear(missing);
			for (unsigned int cpu = 0; cpu < n; cpu++)
				if (cpumask_test_cpu(cpu, &sent) &&
				    !((__atomic_load_n(&sd->in.bits[cpu / 64], __ATOMIC_RELAXED) >>
				       (cpu % 64)) & 1))
					cpumask_set_cpu(cpu, missing);
		}
	} else {
		ret = fn(data);
	}
	/* Release: fn's writes before anyone runs again. */
	__atomic_store_n(&sd->release, 1, __ATOMIC_RELEASE);
	if (!timed_out) {
		for (unsigned int cpu = 0; cpu < n; cpu++)
			csd_wait(&b->csd[cpu], cpu, __func__);
	} else {
		/* the CPUs that never came own their calls (and sd with them) */
		for (unsigned int cpu = 0; cpu < n; cpu++)
			if (__atomic_load_n(&b->csd[cpu].done, __ATOMIC_ACQUIRE) != CSD_DONE)
				csd_abandon(&b->csd[cpu]);
	}
	if (timed_out && !missing) {
		/* nobody asked which CPUs did not come: report them here */
		for (unsigned int cpu = 0; cpu < n; cpu++)
			if (cpumask_test_cpu(cpu, &sent) &&
			    !((__atomic_load_n(&sd->in.bits[cpu / 64], __ATOMIC_RELAXED) >>
			       (cpu % 64)) & 1))
				ipi_unanswered(cpu, __func__, multi_cpu_stop,
					       (unsigned long long)timeout_ms * 1000000ULL);
	}
	csd_block_put(b);
	mutex_unlock(&stop_mutex);
	cpus_read_unlock();
	return ret;
}

int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info)
{
	struct csd_block *b;
	unsigned long flags;
	int ret;

	if (cpu >= num_online_cpus())
		return -ENXIO;
	if ((int)cpu == current->cpu) {
		local_irq_save(flags);
		func(info);
		local_irq_restore(flags);
		return 0;
	}
	if (ipi_wait_refused(__func__))
		return -EINVAL;
	/* on the heap: a call that is never answered keeps it */
	b = csd_block_alloc(1, 0);
	if (!b)
		return -ENOMEM;
	b->csd[0].func = func;
	b->csd[0].info = info;
	b->csd[0].done = CSD_QUEUED;
	ret = csd_queue(cpu, &b->csd[0]);
	if (!ret)
		ret = csd_wait(&b->csd[0], cpu, __func__);
	csd_block_put(b);
	return ret;
}
