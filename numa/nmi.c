// SPDX-License-Identifier: MIT
/*
 * numa/nmi.c - NMI backtraces: what a CPU that does not answer IPIs is
 * doing (the kernel's nmi_cpu_backtrace()).
 *
 * An IPI waits while its target has interrupts off; an NMI does not.
 * SIGNMI is a second real-time signal whose handler, on the target CPU's
 * thread, records its call trace and execution context in the CPU's slot
 * whatever its interrupt state, and publishes it.  The requester waits a
 * short while for it (longer while the target thread is runnable: it
 * answers once the host schedules it).  A thread blocked in the host kernel takes the
 * signal as it returns, and TSan holds signals back for the whole of a
 * blocking call: a CPU blocked in a host primitive (a pthread mutex,
 * barrier or condition variable) gives no trace, and is called so.
 *
 * Who touches what:
 *   nmi_slot[c].busy	atomic: 1 while a requester owns the slot (one at
 *			a time; another requester skips the backtrace).
 *   nmi_slot[c].asked	atomic: requests made (the owner's release store,
 *			read by the handler with acquire).
 *   nmi_slot[c].frames, nframes, preempt_count, irqs_disabled, ipi_pending
 *			written by CPU c's handler, then published by its
 *			release store of answered; the owner reads them after
 *			an acquire load of answered equal to asked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ipi.h"
#include "machine.h"
#include "printk.h"

#define NMI_WAIT_MS	200
/* A thread that is running or runnable takes the signal once it gets a
 * host CPU: on a loaded host that may take longer, so it is given more. */
#define NMI_WAIT_RUNNING_MS	5000

struct nmi_slot {
	int busy;
	unsigned int asked;
	unsigned int answered;
	int nframes;
	int preempt_count;
	int irqs_disabled;
	int ipi_pending;
	void *frames[NMI_FRAMES];
} ____cacheline_aligned;

static struct nmi_slot nmi_slot[NR_CPUS];
static struct cpu_signal nmi_signal;	/* nmi_init()/nmi_exit() */

static inline int signmi(void)
{
	return SIGRTMIN + 5;
}

static void nmi_handler(int sig)
{
	int saved_errno = errno, cpu = current->cpu;
	struct nmi_slot *s;
	unsigned int asked;

	(void)sig;
	if (cpu < 0)
		goto out;
	s = &nmi_slot[cpu];
	/* Acquire: pairs with the requester's release of asked. */
	asked = __atomic_load_n(&s->asked, __ATOMIC_ACQUIRE);
	if (asked == __atomic_load_n(&s->answered, __ATOMIC_RELAXED))
		goto out;
	s->nframes = backtrace(s->frames, NMI_FRAMES);
	s->preempt_count = READ_ONCE(current->preempt_count);
	s->irqs_disabled = READ_ONCE(current->irqs_disabled);
	s->ipi_pending = READ_ONCE(current->ipi_pending);
	/* Release: the slot's contents before the requester reads them. */
	__atomic_store_n(&s->answered, asked, __ATOMIC_RELEASE);
out:
	errno = saved_errno;
}

int nmi_init(void)
{
	return cpu_signal_install(&nmi_signal, signmi(), nmi_handler);
}

void nmi_exit(void)
{
	cpu_signal_restore(&nmi_signal);
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000LL + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

void nmi_cpu_backtrace(unsigned int cpu, struct nmi_trace *t)
{
	struct nmi_slot *s = &nmi_slot[cpu];
	struct timespec t0, nap = { 0, 1000000 };
	unsigned int asked;

	memset(t, 0, sizeof(*t));
	t->tid = ipi_cpu_tid(cpu);
	if (!t->tid)
		return;
	/* Acquire: pairs with the release that frees the slot. */
	if (__atomic_exchange_n(&s->busy, 1, __ATOMIC_ACQUIRE)) {
		t->busy = 1;
		return;
	}
	asked = __atomic_load_n(&s->asked, __ATOMIC_RELAXED) + 1;
	/* Release: the request before the signal that makes it seen. */
	__atomic_store_n(&s->asked, asked, __ATOMIC_RELEASE);
	syscall(SYS_tgkill, getpid(), t->tid, signmi());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < NMI_WAIT_MS ||
	       (ms_since(&t0) < NMI_WAIT_RUNNING_MS && host_thread_running(t->tid))) {
		/* Acquire: pairs with the handler's release of answered. */
		if (__atomic_load_n(&s->answered, __ATOMIC_ACQUIRE) == asked) {
			t->answered = 1;
			t->nframes = s->nframes;
			t->preempt_count = s->preempt_count;
			t->irqs_disabled = s->irqs_disabled;
			t->ipi_pending = s->ipi_pending;
			memcpy(t->frames, s->frames, sizeof(t->frames));
			break;
		}
		nanosleep(&nap, NULL);
	}
	/* Release: the slot is free for the next requester. */
	__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
}

/* Is the host thread tid running or runnable (not blocked in a syscall)? */
int host_thread_running(int tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;			/* gone */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');		/* comm may hold spaces and ')' */
	return p && p[1] == ' ' && p[2] == 'R';
}

void nmi_show(unsigned int cpu, const struct nmi_trace *t)
{
	if (!t->tid) {
		printk("CPU %u is offline (no thread attached)\n", cpu);
	} else if (t->busy) {
		printk("CPU %u: another report is taking its backtrace\n", cpu);
	} else if (t->answered) {
		printk("NMI backtrace for cpu %u (thread %d): interrupts %s, preempt_count %#x%s\n",
		       cpu, t->tid, t->irqs_disabled ? "off" : "on", t->preempt_count,
		       t->ipi_pending ? ", an IPI pending" : "");
		print_call_trace(t->frames, t->nframes, 1);	/* from the interrupted code */
	} else {
		printk("NMI backtrace for cpu %u (thread %d): no answer in %d ms: the thread "
		       "is blocked in the host kernel (a host mutex, condition variable, "
		       "barrier or sleep: wait with mmsim's primitives instead) or stopped\n",
		       cpu, t->tid, NMI_WAIT_MS);
	}
}

int trigger_single_cpu_backtrace(unsigned int cpu)
{
	struct nmi_trace t;

	if (cpu >= nr_cpu_ids)
		return 0;
	nmi_cpu_backtrace(cpu, &t);
	nmi_show(cpu, &t);
	return t.answered;
}
