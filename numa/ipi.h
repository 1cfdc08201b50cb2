/* SPDX-License-Identifier: MIT */
/*
 * numa/ipi.h - cross-CPU function calls (the kernel's smp_call_function_*)
 * and CPU masks.  See ipi.c for the protocol.
 */
#ifndef NUMA_IPI_H
#define NUMA_IPI_H

#include <signal.h>
#include <mmsim/machine.h>
#include <mmsim/cpumask.h>

typedef void (*smp_call_func_t)(void *info);

struct csd_block;

struct call_single_data {
	struct call_single_data *next;
	smp_call_func_t func;
	void *info;
	int done;			/* atomic: CSD_QUEUED, CSD_DONE, CSD_ABANDONED */
	struct csd_block *block;	/* the allocation it belongs to */
};

/*
 * Run func(info) on every online CPU of mask except the caller's, in
 * interrupt context on that CPU (an IPI: never inside one of its
 * interrupts-off sections), and wait until all have returned.
 * (Only the waiting form exists: the call data live on the caller's side.)
 * A CPU that has not run it after 2 * watchdog_thresh seconds is reported
 * ("BUG: CPU k does not answer IPIs", with its NMI backtrace) and no
 * longer waited for: the call stays queued (its data are left allocated)
 * and runs whenever that CPU takes its IPIs again.  Refused (reported as
 * a sleeping call) with interrupts off or in atomic context, where the
 * wait could never end: two such callers would wait for each other.
 */
void smp_call_function_many(const struct cpumask *mask, smp_call_func_t func,
			    void *info);
/* The same for one CPU (the caller's own runs directly); -ENXIO if offline,
 * -ETIMEDOUT if it does not answer, -EINVAL if refused. */
int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info);

/*
 * Bring every online CPU to a safe point (an IPI, run where its interrupts
 * are on), run fn(data) on the caller, then let them go.  Returns fn's
 * value, or -ETIMEDOUT if some CPU did not arrive within timeout_ms: fn is
 * not run then, and the CPUs missing are set in *missing (if given).
 */
int stop_machine(int (*fn)(void *data), void *data, unsigned int timeout_ms,
		 struct cpumask *missing);

/* The thread that is CPU cpu, 0 if none (a snapshot). */
int ipi_cpu_tid(unsigned int cpu);

int ipi_init(void);
void ipi_exit(void);

/*
 * The signal a CPU's thread takes an IPI (ipi.c) or an NMI (nmi.c) on:
 * installed at boot (SA_RESTART, nothing masked), the previous handler
 * put back at shutdown.  Under the boot mutex.
 */
struct cpu_signal {
	int sig;
	int installed;
	struct sigaction old;
};
int cpu_signal_install(struct cpu_signal *cs, int sig, void (*handler)(int));
void cpu_signal_restore(struct cpu_signal *cs);
void ipi_cpu_online(unsigned int cpu);
void ipi_cpu_offline(unsigned int cpu);

#endif /* NUMA_IPI_H */
