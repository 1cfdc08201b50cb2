// SPDX-License-Identifier: MIT
/*
 * numa/cpu.c - simulated CPUs as host threads.
 *
 *   __mm_current	thread-local task state: which CPU the thread is, its
 *			preempt count and irq state.  Only its thread touches it.
 *   cpu_owner[k]	pid of the thread attached as CPU k, 0 if none.  Won
 *			with a CAS (acquire), given back with a release store,
 *			so everything CPU k's previous thread wrote to per-CPU
 *			data happens before its next thread reads it.
 *   hp_states[]	CPU hotplug callbacks; hp_lock guards the array (a CPU
 *			holds it only with interrupts off).
 *   cpu_hotplug_lock	a struct mutex (its waiters answer IPIs): held across
 *			a whole attach or detach, and by stop_machine()
 *			(cpus_read_lock(), exclusive here), so that no CPU
 *			comes or goes while the machine is stopped.  It also
 *			guards machine_dying/dying_pid.
 *   machine_dying	set by cpus_shutdown_begin() once mm_shutdown() has
 *			found no other CPU attached: from then on only the
 *			shutting-down thread (dying_pid) may attach.
 *
 * Attaching makes the thread an RCU reader (registered with liburcu)
 * before it takes IPIs; detaching first runs the CPU's RCU callbacks
 * (rcu_cpu_flush(), still fully a CPU), then the offline callbacks, and
 * unregisters once no IPI can reach it (numa/rcu.c).
 */
#define _GNU_SOURCE
#include <hwloc.h>	/* before mmsim headers: see machine.h */
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault_inject.h"
#include "ipi.h"
#include "lockdep.h"
#include "machine.h"
#include <mmsim/mutex.h>
#include "printk.h"

__thread struct task_struct __mm_current = { .cpu = -1 };
static __thread hwloc_cpuset_t saved_cpuset;

static int cpu_owner[NR_CPUS];
unsigned int nr_cpu_ids;		/* the machine's CPUs: read-only while booted */

static DEFINE_MUTEX(cpu_hotplug_lock);
static int machine_dying;	/* cpu_hotplug_lock */
static int dying_pid;		/* cpu_hotplug_lock */

#define MAX_CPUHP_STATES 8
static pthread_mutex_t hp_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct cpuhp_state *hp_states[MAX_CPUHP_STATES];

void task_init_current(void)
{
	if (!current->pid) {
		current->pid = (int)syscall(SYS_gettid);
		snprintf(current->comm, sizeof(current->comm), "%s",
			 program_invocation_short_name);
	}
}

void cpus_init(void)
{
	nr_cpu_ids = machine.nr_cpus;
	for (unsigned int k = 0; k < NR_CPUS; k++)
		__atomic_store_n(&cpu_owner[k], 0, __ATOMIC_RELAXED);
	mutex_lock(&cpu_hotplug_lock);
	machine_dying = 0;
	dying_pid = 0;
	mutex_unlock(&cpu_hotplug_lock);
}

/* stop_machine(): the set of online CPUs stays as it is until the unlock. */
void cpus_read_lock(void)
{
	mutex_lock(&cpu_hotplug_lock);
}

void cpus_read_unlock(void)
{
	mutex_unlock(&cpu_hotplug_lock);
}

unsigned int cpus_attached(void)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < machine.nr_cpus; k++)
		n += __atomic_load_n(&cpu_owner[k], __ATOMIC_RELAXED) != 0;
	return n;
}

int cpu_attached(unsigned int cpu)
{
	return cpu < machine.nr_cpus && __atomic_load_n(&cpu_owner[cpu], __ATOMIC_RELAXED) != 0;
}

/*
 * mm_shutdown(): the number of CPUs attached by other threads.  If there
 * are none, no other thread can attach from now on; the caller keeps
 * its own CPU either way (it detaches itself once the machine is torn
 * down, or stays attached when the shutdown is refused).
 */
int cpus_shutdown_begin(void)
{
	int others;

	mutex_lock(&cpu_hotplug_lock);
	others = (int)cpus_attached() - (current->cpu >= 0);
	if (!others) {
		machine_dying = 1;
		dying_pid = current->pid;
	}
	mutex_unlock(&cpu_hotplug_lock);
	return others;
}

int cpuhp_setup_state(const struct cpuhp_state *state)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&hp_lock);
	for (int i = 0; i < MAX_CPUHP_STATES; i++) {
		if (!hp_states[i]) {
			hp_states[i] = state;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&hp_lock);
	return ret;
}

void cpuhp_remove_state(const struct cpuhp_state *state)
{
	pthread_mutex_lock(&hp_lock);
	for (int i = 0; i < MAX_CPUHP_STATES; i++)
		if (hp_states[i] == state)
			hp_states[i] = NULL;
	pthread_mutex_unlock(&hp_lock);
}

static int __mm_cpu_attach(unsigned int cpu)
{
	int zero = 0;

	/* Acquire: pairs with the release store in mm_boot(): whoever sees
	 * the machine up sees it whole. */
	if (!smp_load_acquire(&machine.booted)) {
		pr_err("mm_cpu_attach: CPU %u: no machine is booted\n", cpu);
		return -EINVAL;
	}
	if (machine_dying && dying_pid != current->pid) {
		pr_err("mm_cpu_attach: CPU %u: the machine is shutting down\n", cpu);
		return -EINVAL;
	}
	if (cpu >= machine.nr_cpus) {
		pr_err("mm_cpu_attach: CPU %u does not exist (the machine has %u)\n",
		       cpu, machine.nr_cpus);
		return -EINVAL;
	}
	/* Acquire: pairs with the release in mm_cpu_detach(). */
	if (!__atomic_compare_exchange_n(&cpu_owner[cpu], &zero, current->pid, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		pr_err("mm_cpu_attach: CPU %u is already attached by thread %d\n",
		       cpu, zero);
		return -EBUSY;
	}

	cpu_stacks[cpu].high = thread_stack_end();
	current->cpu = (int)cpu;
	current->preempt_count = 0;
	current->irqs_disabled = 0;
	current->ipi_pending = 0;
	watchdog_cpu_attach(cpu);
	/* an RCU reader before it takes IPIs: never stopped while it
	 * registers with urcu (a mutex of liburcu) */
	rcu_cpu_attach(cpu);
	ipi_cpu_online(cpu);
	if (!saved_cpuset)
		saved_cpuset = hwloc_bitmap_alloc();
	topology_bind_thread(cpu, saved_cpuset);

	/* Interrupts off while hp_lock is held (here and in detach): a
	 * holder is never stopped by stop_machine(), so no CPU waits on it. */
	local_irq_disable();
	pthread_mutex_lock(&hp_lock);
	for (int i = 0; i < MAX_CPUHP_STATES; i++)
		if (hp_states[i] && hp_states[i]->online)
			hp_states[i]->online(cpu);
	pthread_mutex_unlock(&hp_lock);
	local_irq_enable();
	return 0;
}

struct cpu_stack cpu_stacks[NR_CPUS];

struct tls_low {
	char *lo, *hi;			/* the stack block */
	char *low;			/* the lowest TLS block inside it */
};

static int find_tls_low(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct tls_low *t = arg;
	char *tls = info->dlpi_tls_data;

	(void)size;
	if (tls && tls >= t->lo && tls < t->hi && tls < t->low)
		t->low = tls;
	return 0;
}

/*
 * One past the top of the calling thread's frames: the end of its stack
 * (pthread_getattr_np(): the main thread's comes from /proc/self/maps, so
 * not in a signal), or, for a thread glibc made, the lowest of its
 * thread-local blocks, which glibc keeps at the top of the stack block
 * (current among them: a signal handler writes it while the thread is
 * stopped, and it is no stack).
 */
void *thread_stack_end(void)
{
	pthread_attr_t attr;
	void *addr = NULL;
	size_t size = 0;
	struct tls_low t;

	if (pthread_getattr_np(pthread_self(), &attr))
		return NULL;
	if (pthread_attr_getstack(&attr, &addr, &size))
		addr = NULL;
	pthread_attr_destroy(&attr);
	if (!addr)
		return NULL;
	t.lo = addr;
	t.hi = (char *)addr + size;
	t.low = t.hi;
	dl_iterate_phdr(find_tls_low, &t);
	return t.low;
}

int mm_cpu_attach(unsigned int cpu)
{
	int ret;

	task_init_current();
	if (current->cpu >= 0) {
		pr_err("mm_cpu_attach: this thread is already CPU %d\n", current->cpu);
		return -EBUSY;
	}
	/* not a CPU yet: it may block here (on a stop_machine() in progress) */
	mutex_lock(&cpu_hotplug_lock);
	ret = __mm_cpu_attach(cpu);
	mutex_unlock(&cpu_hotplug_lock);
	return ret;
}

void mm_cpu_detach(void)
{
	int cpu = current->cpu;

	if (cpu < 0) {
		pr_err("mm_cpu_detach: this thread is not a simulated CPU\n");
		return;
	}
	/* a CPU leaves holding no lock (lockdep reports, then forgets them),
	 * and with no fail-nth armed: the next thread's is its own */
	if (lockdep_enabled())
		lockdep_cpu_detach(cpu);
	fail_nth_clear();
	/* Its RCU callbacks run while it is still fully a CPU (and before
	 * the hotplug lock: other CPUs detach meanwhile). */
	rcu_cpu_flush((unsigned int)cpu);
	/* still a CPU: it answers IPIs (stop_machine()'s) while it waits */
	mutex_lock(&cpu_hotplug_lock);
	/* Interrupts off: what the offline callbacks tear down (per-CPU page
	 * lists) cannot be touched by an IPI meanwhile; calls queued until the
	 * CPU is marked offline run here, on it. */
	local_irq_disable();
	pthread_mutex_lock(&hp_lock);
	for (int i = MAX_CPUHP_STATES - 1; i >= 0; i--)
		if (hp_states[i] && hp_states[i]->offline)
			hp_states[i]->offline((unsigned int)cpu);
	pthread_mutex_unlock(&hp_lock);
	ipi_cpu_offline((unsigned int)cpu);
	local_irq_enable();
	rcu_cpu_detach((unsigned int)cpu);

	topology_unbind_thread(saved_cpuset);
	if (saved_cpuset) {
		hwloc_bitmap_free(saved_cpuset);
		saved_cpuset = NULL;
	}
	watchdog_cpu_detach((unsigned int)cpu);
	current->cpu = -1;
	/* Release: this CPU's per-CPU data is handed to its next thread. */
	__atomic_store_n(&cpu_owner[cpu], 0, __ATOMIC_RELEASE);
	mutex_unlock(&cpu_hotplug_lock);
}

int caller_is_cpu(const char *func)
{
	if (likely(current->cpu >= 0))
		return 1;
	task_init_current();
	report_begin(REPORT_BUG);
	printk("BUG: %s() called from a thread that is not a simulated CPU: %s/%d\n",
	       func, current->comm[0] ? current->comm : "?", current->pid);
	report_end(REPORT_BUG, -1);
	return 0;
}

unsigned int smp_processor_id(void)
{
	if (unlikely(!caller_is_cpu("smp_processor_id")))
		return 0;
	return (unsigned int)current->cpu;
}

int numa_node_id(void)
{
	if (unlikely(!caller_is_cpu("numa_node_id")))
		return 0;
	return machine.cpu_node[current->cpu];
}

int cpu_to_node(unsigned int cpu)
{
	if (cpu >= machine.nr_cpus) {
		WARN(1, "cpu_to_node: CPU %u does not exist\n", cpu);
		return NUMA_NO_NODE;
	}
	return machine.cpu_node[cpu];
}

unsigned int num_online_cpus(void)
{
	return machine.nr_cpus;
}

unsigned int num_online_nodes(void)
{
	return machine.nr_nodes;
}

/*
 * With lockdep on, a spinlock held (current->spin_depth, which the
 * kernel's preempt count would show) makes the call atomic too: it is
 * reported with the locks held, and the caller sleeps as before (0).
 */
int ___might_sleep(const char *file, int line)
{
	int atomic = in_atomic(), irqs_off = irqs_disabled(), spin = 0;

	if (likely(!atomic && !irqs_off)) {
		if (likely(!lockdep_enabled() || current->spin_depth <= 0))
			return 0;
		spin = 1;
	}
	if (lockdep_enabled())
		lockdep_rcu_sleep_check(file, line);
	task_init_current();
	/* (the console lock turns interrupts off: the state is taken before) */
	report_begin(REPORT_BUG);
	printk("BUG: sleeping function called from invalid context at %s:%d\n",
	       file, line);
	printk("in_atomic(): %d, irqs_disabled(): %d, pid: %d, name: %s\n",
	       atomic || spin ? 1 : 0, irqs_off ? 1 : 0, current->pid, current->comm);
	if (lockdep_enabled())
		lockdep_print_held_locks();
	report_end(REPORT_BUG, -1);
	return !spin;
}

/*
 * mm_on_each_cpu(): one pinned thread per CPU.  Each thread attaches, then
 * waits at the gate; the caller opens it (go = 1) once every thread has
 * attached, or turns everyone back (go = -1) if a thread could not be
 * started or attached.  gate_lock/gate_cond guard `attached` and `go`.
 */
struct each_cpu {
	void (*fn)(void *info);
	void *info;
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	unsigned int attached;
	int failed;
	int go;
};

struct each_cpu_arg {
	struct each_cpu *ec;
	unsigned int cpu;
};

static void *each_cpu_thread(void *p)
{
	struct each_cpu_arg *arg = p;
	struct each_cpu *ec = arg->ec;
	int ret = mm_cpu_attach(arg->cpu);
	int go;

	pthread_mutex_lock(&ec->gate_lock);
	if (ret)
		ec->failed = ret;
	ec->attached++;
	pthread_cond_broadcast(&ec->gate_cond);
	while (!ec->go)
		pthread_cond_wait(&ec->gate_cond, &ec->gate_lock);
	go = ec->go;
	pthread_mutex_unlock(&ec->gate_lock);

	if (!ret) {
		if (go > 0)
			ec->fn(ec->info);
		mm_cpu_detach();
	}
	return NULL;
}

int mm_on_each_cpu(void (*fn)(void *info), void *info)
{
	unsigned int n = machine.nr_cpus, started = 0;
	struct each_cpu ec = { .fn = fn, .info = info };
	struct each_cpu_arg *args;
	pthread_t *tids;
	int ret = 0;

	if (!smp_load_acquire(&machine.booted))
		return -EINVAL;
	args = calloc(n, sizeof(*args));
	tids = calloc(n, sizeof(*tids));
	if (!args || !tids) {
		free(args);
		free(tids);
		return -ENOMEM;
	}
	pthread_mutex_init(&ec.gate_lock, NULL);
	pthread_cond_init(&ec.gate_cond, NULL);
	for (unsigned int k = 0; k < n; k++) {
		args[k].ec = &ec;
		args[k].cpu = k;
		if (pthread_create(&tids[k], NULL, each_cpu_thread, &args[k])) {
			ret = -EAGAIN;
			break;
		}
		started++;
	}

	pthread_mutex_lock(&ec.gate_lock);
	while (ec.attached < started)
		pthread_cond_wait(&ec.gate_cond, &ec.gate_lock);
	if (!ret)
		ret = ec.failed;
	ec.go = ret ? -1 : 1;
	pthread_cond_broadcast(&ec.gate_cond);
	pthread_mutex_unlock(&ec.gate_lock);

	for (unsigned int k = 0; k < started; k++)
		pthread_join(tids[k], NULL);
	pthread_cond_destroy(&ec.gate_cond);
	pthread_mutex_destroy(&ec.gate_lock);
	free(args);
	free(tids);
	return ret;
}
