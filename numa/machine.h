/* SPDX-License-Identifier: MIT */
/*
 * numa/machine.h - the simulated machine, as the layers above see it.
 *
 *   struct machine	topology (CPUs, nodes, distances), the host binding
 *			and physical memory (one memfd, the direct map).
 *			Written by machine_boot()/machine_shutdown() only,
 *			read-only in between: any thread reads it unlocked.
 *   cpu_attached[]	which host thread is simulated CPU k (atomic).
 *   booted		set last by mm_boot() with a release store, cleared
 *			first by mm_shutdown(); read with an acquire load.
 *
 * numa/ knows bytes and CPUs, not pages: the allocator above turns physical
 * addresses into page frames.
 */
#ifndef NUMA_MACHINE_H
#define NUMA_MACHINE_H

#include <stdint.h>
#include <stdio.h>
#include <mmsim/machine.h>

/* hwloc stays out of this header: its helpers use the name `current`. */
struct hwloc_topology;
struct hwloc_bitmap_s;

enum mm_arch { ARCH_X86_64, ARCH_X86_32 };

#define SZ_1M	(1ULL << 20)
#define SZ_4M	(4ULL << 20)
#define SZ_16M	(16ULL << 20)
#define SZ_1G	(1ULL << 30)
#define SZ_4G	(4ULL << 30)
/* x86_32: the direct map ends at 896 MiB, the rest of RAM is highmem */
#define X86_32_LOWMEM_END	(896ULL << 20)
/* Node spans and RAM base are multiples of a MAX_ORDER block (4 MiB). */
#define NODE_ALIGN		SZ_4M
#define MEM_MAX_X86_64		(256ULL << 30)
#define MEM_MAX_X86_32		(64ULL << 30)

/* What the boot command line asked for (numa's share of it). */
struct machine_config {
	unsigned long long mem;		/* bytes of RAM; 0: default */
	unsigned long long memstart;	/* physical address of the first byte */
	unsigned int nodes;		/* 0: from topology or 1 */
	unsigned int cpus;		/* 0: from topology or default */
	char topology[256];		/* "" synthetic, "host", or hwloc synthetic */
	enum mm_arch arch;
	unsigned int hz_scale;
	unsigned int watchdog_thresh;	/* seconds; IPI waits report at twice it */
	unsigned int spin_lockup_ms;	/* spinlock waits report after it */
	unsigned int hung_task_timeout;	/* seconds; 0: never */
	int nosoftlockup;
	int panic_on_warn;
	int quiet;			/* -1: as it is; else for this machine only */
	int lockdep;			/* -1: the build's default; 0 off, 1 on */
};

struct machine_node {
	uint64_t start;			/* physical address */
	uint64_t size;			/* bytes */
	int host_node;			/* host NUMA node bound to, or -1 */
	unsigned int nr_cpus;
};

struct machine {
	int booted;
	enum mm_arch arch;
	unsigned int nr_cpus;
	unsigned int nr_nodes;
	int cpu_node[NR_CPUS];
	int cpu_host_pu[NR_CPUS];	/* host PU (os index) each CPU runs on */
	struct machine_node node[MAX_NUMNODES];
	unsigned char distance[MAX_NUMNODES][MAX_NUMNODES];
	char topology_desc[256];	/* what the simulated topology came from */

	/* host */
	struct hwloc_topology *sim_topo;
	struct hwloc_topology *host_topo;
	unsigned int host_pus;
	unsigned int host_nodes;
	int membind_ok;			/* node memory strictly bound to host nodes */

	/* physical memory */
	uint64_t mem_start;		/* physical address of RAM's first byte */
	uint64_t mem_end;		/* one past its last byte */
	uint64_t lowmem_end;		/* one past the direct map's last byte */
	int memfd;
	char *direct_map;		/* virtual address of physical address 0 */
	size_t direct_map_len;		/* bytes reserved from direct_map */
	unsigned int hz_scale;
	unsigned int watchdog_thresh;	/* seconds (boot parameter) */
	int saved_quiet;		/* printk_quiet() before this machine */
};

/* watchdog_thresh's default: a sanitizer build runs 5-20 times slower. */
#ifdef MMSIM_DEBUG
#define WATCHDOG_THRESH_DEFAULT	30
#else
#define WATCHDOG_THRESH_DEFAULT	10
#endif

extern struct machine machine;

/* machine.c */
int machine_boot(const struct machine_config *cfg);
void machine_shutdown(void);
int machine_parse_param(struct machine_config *cfg, const char *param,
			const char *val);
void machine_config_init(struct machine_config *cfg);

/* topology.c */
int topology_init(const struct machine_config *cfg);
void topology_exit(void);
int topology_bind_thread(unsigned int cpu, struct hwloc_bitmap_s *saved);
void topology_unbind_thread(struct hwloc_bitmap_s *saved);
int topology_bind_memory(void *addr, size_t len, int host_node);

/* physmem.c */
int physmem_init(void);
void physmem_exit(void);
/* Map frames [phys, phys+len) outside the direct map (highmem) */
void *physmem_map(uint64_t phys, size_t len);
void physmem_unmap(void *addr, size_t len);

/*
 * fault.c: SIGSEGV and SIGBUS while the machine is up, reported as the
 * kernel's page faults.  mm claims the faults that are its own (a page
 * debug_pagealloc unmapped): the ops run in the signal handler of the
 * faulting thread, on any thread.
 */
struct fault_info {
	void *addr;			/* si_addr */
	void *ip;			/* the faulting instruction, or NULL */
	long error_code;		/* x86-64's #PF error code, -1 if unknown */
	int write;			/* from error_code (0 if unknown) */
};
struct fault_ops {
	int (*claim)(void *addr);	/* 1: a use after free of a page */
	void (*describe)(void *addr);	/* its lines in the report */
	void (*fixup)(void *addr);	/* map it back: the access is retried */
};
int fault_init(void);			/* machine_boot() */
void fault_exit(void);			/* machine_shutdown() */
void fault_set_ops(const struct fault_ops *ops);	/* NULL: none */

/* cpu.c */
extern unsigned int nr_cpu_ids;		/* machine.nr_cpus: read-only while booted */
/* 1 if the calling thread is a simulated CPU; else a BUG report and 0
 * (func: the entry point called). */
int caller_is_cpu(const char *func);
void cpus_init(void);
int cpus_shutdown_begin(void);
unsigned int cpus_attached(void);
/* Whether a thread is attached to cpu now (relaxed: a hint). */
int cpu_attached(unsigned int cpu);
/*
 * The stack of the thread that is CPU c, for a scanner of memory
 * (kmemleak): high (one past its top) is written by that thread as it
 * attaches, low by multi_cpu_stop() as the CPU stops (the lowest address
 * still in use above the stop's own frames, its registers saved there),
 * both before the release that announces the CPU (attach, arrival), so
 * a stop_machine() function reads them with no lock.
 */
struct cpu_stack {
	void *low;
	void *high;
};
extern struct cpu_stack cpu_stacks[NR_CPUS];
void *thread_stack_end(void);
/* No CPU attaches or detaches between these (stop_machine()). */
void cpus_read_lock(void);
void cpus_read_unlock(void);

/*
 * CPU hotplug callbacks (the kernel's cpuhp states): online() runs on a
 * thread right after it attached to cpu, offline() right before it detaches,
 * on that thread, so that per-CPU data is still its own.
 */
struct cpuhp_state {
	const char *name;
	void (*online)(unsigned int cpu);
	void (*offline)(unsigned int cpu);
};
int cpuhp_setup_state(const struct cpuhp_state *state);
void cpuhp_remove_state(const struct cpuhp_state *state);

/* time.c: jiffies from CLOCK_MONOTONIC, HZ * hz_scale ticks a second */
void time_init(unsigned int hz_scale);
unsigned long long mm_clock_ns(void);
/* CLOCK_MONOTONIC_COARSE: cheap, never ahead of mm_clock_ns(), behind it
 * by about mm_clock_coarse_res_ns(). */
unsigned long long mm_clock_coarse_ns(void);
unsigned long long mm_clock_coarse_res_ns(void);
/* (jiffies_to_host_ns(): mmsim/sched.h) */

/*
 * workqueue.c: per-CPU delayed work, and what cond_resched() runs.  Each
 * CPU has a mask of "softirqs" raised for its next safe point.
 */
#define SOFTIRQ_TIMER	0x1		/* its timer list is not empty */
#define SOFTIRQ_RCU	0x2		/* RCU has something to do (rcu.c) */
void workqueue_init(void);
void workqueue_exit(void);
void raise_softirq_on(unsigned int cpu, unsigned int bits);
/* Returns the bits that were set (acquire: what raised them is seen). */
unsigned int clear_softirq_on(unsigned int cpu, unsigned int bits);

/* rcu.c: RCU on liburcu, callbacks on the CPUs (rcupdate.h) */
void rcu_init(void);
void rcu_exit(void);			/* warns about callbacks never run */
void rcu_cpu_attach(unsigned int cpu);	/* a reader from now on (urcu) */
void rcu_cpu_flush(unsigned int cpu);	/* run this CPU's callbacks (detach) */
void rcu_cpu_detach(unsigned int cpu);	/* no longer a reader */
void rcu_softirq(unsigned int cpu);	/* cond_resched(): ready callbacks */

/*
 * wait.c: one slice of a CPU's sleep.  Block while *uaddr == val, for at
 * most ns and at most a millisecond, then run the IPIs queued to this CPU
 * (if its interrupts are on): TSan defers signals during a blocking
 * syscall, so a sleeping CPU answers stop_machine() between slices.
 */
void sched_sleep_slice(int *uaddr, int val, unsigned long long ns);
void sched_wake_all(int *uaddr);

/* nmi.c: what a CPU that does not answer IPIs is doing */
#define NMI_FRAMES	32
struct nmi_trace {
	int tid;			/* the CPU's thread, 0 if offline */
	int answered;			/* 0: no trace (blocked, or busy) */
	int busy;			/* another requester had the CPU's slot */
	int nframes;
	int preempt_count;
	int irqs_disabled;
	int ipi_pending;
	void *frames[NMI_FRAMES];
};
int nmi_init(void);
void nmi_exit(void);
/* cpu's call trace and context, taken by a signal it cannot defer: any
 * thread, no lock held (it waits up to 200 ms for the answer). */
void nmi_cpu_backtrace(unsigned int cpu, struct nmi_trace *t);
/* Is host thread tid running or runnable (state R), not blocked in the
 * host kernel?  (Read from /proc: for reports, not for fast paths.) */
int host_thread_running(int tid);
/* Print it ("NMI backtrace for cpu N"), e.g. inside a report. */
void nmi_show(unsigned int cpu, const struct nmi_trace *t);

/*
 * watchdog.c: the soft lockup and hung task detectors (a host thread from
 * boot to shutdown).  A CPU calls watchdog_touch() at its scheduling
 * points and brackets each uninterruptible wait with no timeout with
 * hung_sleep_begin()/hung_sleep_end(); attach and detach tell it who the
 * CPU is.  All of them: the calling CPU's own counters, no lock.
 */
#define HUNG_TASK_TIMEOUT_DEFAULT	120
int watchdog_init(void);
void watchdog_exit(void);
void watchdog_touch(void);
void hung_sleep_begin(void);
void hung_sleep_end(void);
void watchdog_cpu_attach(unsigned int cpu);
void watchdog_cpu_detach(unsigned int cpu);
void hung_task_set_timeout(unsigned int secs);
void softlockup_set_enabled(int on);
unsigned int hung_task_get_timeout(void);

/* bootparam.c: the kernel command-line grammar */
typedef int (*boot_param_fn)(const char *param, const char *val, void *arg);
int parse_cmdline(const char *cmdline, boot_param_fn fn, void *arg);
/* -EINVAL, with "mm_boot: bad value 'val' for 'param': why" */
int boot_param_bad(const char *param, const char *val, const char *why);
int memparse_strict(const char *s, unsigned long long *out);
int parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
	       unsigned long long *out);

#endif /* NUMA_MACHINE_H */
