// SPDX-License-Identifier: MIT
/*
 * numa/machine.c - boot and shutdown of the simulated machine, and its share
 * of the boot command line:
 *
 *   mem=SIZE		RAM (default 1G), split evenly over the nodes; node
 *			spans are multiples of 4 MiB (a MAX_ORDER block)
 *   memstart=ADDR	physical address where RAM starts (default 0)
 *   nodes=N cpus=M	synthetic machine, CPUs grouped by node
 *   topology=host|"hwloc synthetic description"
 *   arch=x86_64|x86_32	zone layout; x86_32 has highmem above 896 MiB
 *   hz_scale=N		jiffies run N times faster than real time
 *   watchdog_thresh=N	seconds (the kernel's): an IPI or stop_machine()
 *			waiting 2*N s for a CPU reports it (default 10, 30
 *			in the sanitizer builds)
 *   spin_lockup_ms=N	a CPU waiting N ms for a spinlock reports a lockup
 *			(default 1000, 10000 in the sanitizer builds; 0: never)
 *   hung_task_timeout_secs=N	a CPU asleep in one uninterruptible wait
 *			for N s is reported (default 120, as the kernel's; 0:
 *			never; also the sysctl kernel.hung_task_timeout_secs)
 *   nosoftlockup	no soft lockup detector (the kernel's parameter)
 *   panic_on_warn	abort() after any BUG or WARNING report
 *   quiet		no boot banner
 *   lockdep[=on|off]	the lock validator (numa/lockdep.c): on by default in
 *			the MMSIM_DEBUG (sanitizer) builds, off in release
 *
 * And what programs outside the library read of the machine
 * (mmsim/inspect.h): mm_machine_info(), mm_node_info(), cpu_host_pu(),
 * node_distance(), copies of `machine`, which is read-only while booted.
 */
#include <errno.h>
#include <string.h>

#include <mmsim/inspect.h>

#include "ipi.h"
#include "lockdep.h"
#include "machine.h"
#include "vmspace.h"
#include "printk.h"
#include "spinlock.h"

struct machine machine = { .memfd = -1 };

void machine_config_init(struct machine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->arch = ARCH_X86_64;
	cfg->hz_scale = 1;
	cfg->watchdog_thresh = WATCHDOG_THRESH_DEFAULT;
	cfg->spin_lockup_ms = SPIN_LOCKUP_MS_DEFAULT;
	cfg->hung_task_timeout = HUNG_TASK_TIMEOUT_DEFAULT;
	cfg->quiet = -1;
	cfg->lockdep = -1;
}

/* 0: taken, 1: not a machine parameter, -EINVAL: bad value. */
int machine_parse_param(struct machine_config *cfg, const char *param,
			const char *val)
{
	unsigned long long v;

	if (!strcmp(param, "nosoftlockup")) {
		if (val)
			return boot_param_bad(param, val, "takes no value");
		cfg->nosoftlockup = 1;
		return 0;
	}
	if (!strcmp(param, "panic_on_warn") || !strcmp(param, "quiet")) {
		int on = 1;

		if (val) {
			if (parse_uint(val, 0, 1, &v))
				return boot_param_bad(param, val, "expected 0 or 1");
			on = (int)v;
		}
		if (param[0] == 'p')
			cfg->panic_on_warn = on;
		else
			cfg->quiet = on;	/* applied by machine_boot() */
		return 0;
	}
	if (!strcmp(param, "lockdep")) {
		if (!val || !strcmp(val, "on"))
			cfg->lockdep = 1;
		else if (!strcmp(val, "off"))
			cfg->lockdep = 0;
		else
			return boot_param_bad(param, val, "expected on or off");
		return 0;
	}
	if (strcmp(param, "mem") && strcmp(param, "memstart") &&
	    strcmp(param, "nodes") && strcmp(param, "cpus") &&
	    strcmp(param, "topology") && strcmp(param, "arch") &&
	    strcmp(param, "hz_scale") && strcmp(param, "watchdog_thresh") &&
	    strcmp(param, "spin_lockup_ms") && strcmp(param, "hung_task_timeout_secs"))
		return 1;
	if (!val || !*val)
		return boot_param_bad(param, val, "a value is required");

	if (!strcmp(param, "mem")) {
		if (memparse_strict(val, &v) || v == 0)
			return boot_param_bad(param, val, "expected a size such as 512M or 4G");
		cfg->mem = v;
	} else if (!strcmp(param, "memstart")) {
		if (memparse_strict(val, &v))
			return boot_param_bad(param, val, "expected an address such as 0 or 4G");
		if (v % NODE_ALIGN)
			return boot_param_bad(param, val, "must be a multiple of 4M");
		cfg->memstart = v;
	} else if (!strcmp(param, "nodes")) {
		if (parse_uint(val, 1, MAX_NUMNODES, &v))
			return boot_param_bad(param, val, "expected 1 to 64");
		cfg->nodes = (unsigned int)v;
	} else if (!strcmp(param, "cpus")) {
		if (parse_uint(val, 1, NR_CPUS, &v))
			return boot_param_bad(param, val, "expected 1 to 512");
		cfg->cpus = (unsigned int)v;
	} else if (!strcmp(param, "topology")) {
		if (strlen(val) >= sizeof(cfg->topology))
			return boot_param_bad(param, val, "too long");
		strcpy(cfg->topology, val);
	} else if (!strcmp(param, "arch")) {
		if (!strcmp(val, "x86_64"))
			cfg->arch = ARCH_X86_64;
		else if (!strcmp(val, "x86_32"))
			cfg->arch = ARCH_X86_32;
		else
			return boot_param_bad(param, val, "expected x86_64 or x86_32");
	} else if (!strcmp(param, "watchdog_thresh")) {
		if (parse_uint(val, 1, 3600, &v))
			return boot_param_bad(param, val, "expected 1 to 3600 seconds");
		cfg->watchdog_thresh = (unsigned int)v;
	} else if (!strcmp(param, "spin_lockup_ms")) {
		if (parse_uint(val, 0, 3600000, &v))
			return boot_param_bad(param, val, "expected 0 (never) to 3600000 ms");
		cfg->spin_lockup_ms = (unsigned int)v;
	} else if (!strcmp(param, "hung_task_timeout_secs")) {
		if (parse_uint(val, 0, 86400, &v))
			return boot_param_bad(param, val, "expected 0 (never) to 86400 seconds");
		cfg->hung_task_timeout = (unsigned int)v;
	} else {
		if (parse_uint(val, 1, 1000000, &v))
			return boot_param_bad(param, val, "expected 1 to 1000000");
		cfg->hz_scale = (unsigned int)v;
	}
	return 0;
}

static int layout_memory(const struct machine_config *cfg)
{
	uint64_t mem = cfg->mem ? cfg->mem : SZ_1G;
	uint64_t limit = cfg->arch == ARCH_X86_32 ? MEM_MAX_X86_32 : MEM_MAX_X86_64;
	uint64_t per_node;
	unsigned int n = machine.nr_nodes;

	if (cfg->memstart + mem > limit || cfg->memstart + mem < mem) {
		pr_err("mm_boot: mem=%lluM at memstart=%lluM exceeds %s's %lluG of physical memory\n",
		       (unsigned long long)(mem >> 20), (unsigned long long)(cfg->memstart >> 20),
		       cfg->arch == ARCH_X86_32 ? "x86_32" : "the model",
		       (unsigned long long)(limit >> 30));
		return -EINVAL;
	}
	per_node = mem / n / NODE_ALIGN * NODE_ALIGN;
	if (per_node == 0) {
		pr_err("mm_boot: mem=%lluK is too small for %u node%s: each needs at least 4M\n",
		       (unsigned long long)(mem >> 10), n, str_plural(n));
		return -EINVAL;
	}
	if (per_node * n != mem && !printk_quiet())
		pr_info("mmsim: %lluK of mem= unused: node spans are multiples of 4M\n",
			(unsigned long long)((mem - per_node * n) >> 10));

	machine.mem_start = cfg->memstart;
	machine.mem_end = cfg->memstart + per_node * n;
	for (unsigned int i = 0; i < n; i++) {
		machine.node[i].start = cfg->memstart + i * per_node;
		machine.node[i].size = per_node;
	}
	machine.lowmem_end = machine.mem_end;
	if (cfg->arch == ARCH_X86_32) {
		if (machine.mem_start >= X86_32_LOWMEM_END) {
			pr_err("mm_boot: arch=x86_32 needs RAM below 896M for the direct map (memstart=%lluM)\n",
			       (unsigned long long)(cfg->memstart >> 20));
			return -EINVAL;
		}
		machine.lowmem_end = min(machine.mem_end, X86_32_LOWMEM_END);
	}
	return 0;
}

/*
 * quiet holds for the machine it was given to: set here, and put back as
 * it was when the machine goes (or fails to boot).
 */
int machine_boot(const struct machine_config *cfg)
{
	int ret;

	/* a new kernel: an empty lock graph */
	lockdep_reset(cfg->lockdep >= 0 ? cfg->lockdep : lockdep_default_on());
	machine.saved_quiet = printk_quiet();
	if (cfg->quiet >= 0)
		printk_set_quiet(cfg->quiet);
	memset(machine.node, 0, sizeof(machine.node));
	machine.arch = cfg->arch;
	machine.hz_scale = cfg->hz_scale;
	machine.watchdog_thresh = cfg->watchdog_thresh;
	time_init(cfg->hz_scale);
	ret = topology_init(cfg);
	if (ret)
		return ret;
	ret = layout_memory(cfg);
	if (ret)
		goto err_topo;
	ret = physmem_init();
	if (ret)
		goto err_topo;
	ret = vmspace_init();
	if (ret)
		goto err_phys;
	ret = fault_init();
	if (ret)
		goto err_vm;
	ret = ipi_init();
	if (ret)
		goto err_fault;
	ret = nmi_init();
	if (ret)
		goto err_ipi;
	cpus_init();
	workqueue_init();
	rcu_init();
	spin_lockup_set_ms(cfg->spin_lockup_ms);
	hung_task_set_timeout(cfg->hung_task_timeout);
	softlockup_set_enabled(!cfg->nosoftlockup);
	if (watchdog_init())
		printk("watchdog: cannot start the lockup detectors' thread\n");
	report_set_panic_on_warn(cfg->panic_on_warn);
	return 0;

err_ipi:
	ipi_exit();
err_fault:
	fault_exit();
err_vm:
	vmspace_exit();
err_phys:
	physmem_exit();
err_topo:
	topology_exit();
	printk_set_quiet(machine.saved_quiet);
	return ret;
}

void machine_shutdown(void)
{
	watchdog_exit();
	spin_lockup_set_ms(SPIN_LOCKUP_MS_DEFAULT);
	rcu_exit();
	workqueue_exit();
	nmi_exit();
	ipi_exit();
	fault_exit();
	vmspace_exit();
	physmem_exit();
	topology_exit();
	machine.nr_cpus = 0;
	machine.nr_nodes = 0;
	printk_set_quiet(machine.saved_quiet);
}

/* ------------------------------------------------------------------ */
/* For programs outside the library (mmsim/inspect.h)                  */

int mm_machine_info(struct mm_machine_info *info)
{
	/* Acquire: pairs with the release store of mm_boot(). */
	if (!smp_load_acquire(&machine.booted))
		return -ENODEV;
	info->arch = machine.arch == ARCH_X86_32 ? "x86_32" : "x86_64";
	info->topology = machine.topology_desc;
	info->nr_cpus = machine.nr_cpus;
	info->nr_nodes = machine.nr_nodes;
	info->host_pus = machine.host_pus;
	info->host_nodes = machine.host_nodes;
	info->membind_ok = machine.membind_ok;
	return 0;
}

int mm_node_info(int nid, struct mm_node_info *info)
{
	if (!smp_load_acquire(&machine.booted))
		return -ENODEV;
	if (nid < 0 || (unsigned int)nid >= machine.nr_nodes)
		return -EINVAL;
	info->start = machine.node[nid].start;
	info->size = machine.node[nid].size;
	info->host_node = machine.node[nid].host_node;
	return 0;
}

int cpu_host_pu(unsigned int cpu)
{
	return cpu < machine.nr_cpus ? machine.cpu_host_pu[cpu] : -1;
}

int node_distance(int from, int to)
{
	return machine.distance[from][to];
}
