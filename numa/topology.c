// SPDX-License-Identifier: MIT
/*
 * numa/topology.c - the simulated topology and its binding to the host,
 * both through hwloc.
 *
 *   sim_topo	the simulated machine: hwloc's synthetic backend built from
 *		`nodes=N cpus=M` ("numa:N pu:M/N"), from `topology="..."`
 *		(any hwloc synthetic description), or the host itself for
 *		`topology=host`.  Simulated CPU k is its k-th PU in logical
 *		order; its node is the NUMA node whose cpuset holds that PU.
 *   host_topo	the real host.  The synthetic backend binds nothing, so all
 *		binding goes through this one: CPU k runs on host PU
 *		(k mod host PUs); node n's memory is bound to host node
 *		(n mod host nodes) when the host has more than one.
 *
 * Both are built by topology_init() at boot and read-only until shutdown.
 */
#include <hwloc.h>	/* before mmsim headers: see machine.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "printk.h"

static hwloc_obj_t host_pu(unsigned int cpu)
{
	return hwloc_get_obj_by_type(machine.host_topo, HWLOC_OBJ_PU,
				     cpu % machine.host_pus);
}

static int load_host(hwloc_topology_t *topo)
{
	if (hwloc_topology_init(topo))
		return -ENOMEM;
	if (hwloc_topology_load(*topo)) {
		hwloc_topology_destroy(*topo);
		return -ENODEV;
	}
	return 0;
}

static int load_synthetic(hwloc_topology_t *topo, const char *desc)
{
	if (hwloc_topology_init(topo))
		return -ENOMEM;
	if (hwloc_topology_set_synthetic(*topo, desc) ||
	    hwloc_topology_load(*topo)) {
		hwloc_topology_destroy(*topo);
		return -EINVAL;
	}
	return 0;
}

static int node_of_pu(hwloc_topology_t topo, hwloc_obj_t pu)
{
	hwloc_obj_t node = NULL;

	while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node)))
		if (hwloc_bitmap_isset(node->cpuset, pu->os_index))
			return (int)node->logical_index;
	return 0;
}

static void init_distances(void)
{
	struct hwloc_distances_s *dist = NULL;
	unsigned int nr = 1, n = machine.nr_nodes;

	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++)
			machine.distance[i][j] = i == j ? 10 : 20;
	if (hwloc_distances_get_by_type(machine.sim_topo, HWLOC_OBJ_NUMANODE,
					&nr, &dist, HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) ||
	    nr == 0)
		return;
	if (dist->nbobjs == n) {
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int j = 0; j < n; j++) {
				hwloc_uint64_t v = dist->values[i * n + j];

				if (v >= 10 && v <= 255)
					machine.distance[dist->objs[i]->logical_index]
						[dist->objs[j]->logical_index] = (unsigned char)v;
			}
	}
	hwloc_distances_release(machine.sim_topo, dist);
}

int topology_init(const struct machine_config *cfg)
{
	unsigned int nodes, cpus;
	int ret;

	ret = load_host(&machine.host_topo);
	if (ret) {
		pr_err("mm_boot: hwloc cannot read the host topology\n");
		return ret;
	}
	machine.host_pus = hwloc_get_nbobjs_by_type(machine.host_topo, HWLOC_OBJ_PU);
	machine.host_nodes = hwloc_get_nbobjs_by_type(machine.host_topo, HWLOC_OBJ_NUMANODE);
	if (machine.host_pus == 0)
		machine.host_pus = 1;
	if (machine.host_nodes == 0)
		machine.host_nodes = 1;

	if (!strcmp(cfg->topology, "host")) {
		ret = load_host(&machine.sim_topo);
		snprintf(machine.topology_desc, sizeof(machine.topology_desc), "host");
	} else if (cfg->topology[0]) {
		ret = load_synthetic(&machine.sim_topo, cfg->topology);
		if (ret)
			pr_err("mm_boot: topology=\"%s\": not an hwloc synthetic description\n",
			       cfg->topology);
		snprintf(machine.topology_desc, sizeof(machine.topology_desc),
			 "%s", cfg->topology);
	} else {
		char desc[64];

		nodes = cfg->nodes ? cfg->nodes : 1;
		cpus = cfg->cpus ? cfg->cpus : max(nodes, machine.host_pus);
		if (!cfg->cpus && cpus % nodes)
			cpus += nodes - cpus % nodes;
		if (!cfg->cpus && cpus > NR_CPUS) {
			cpus = NR_CPUS / nodes * nodes;
			pr_info("mmsim: the host has %u PUs, the model at most %u CPUs: "
				"%u CPUs (cpus= sets the number)\n", machine.host_pus, NR_CPUS, cpus);
		}
		if (cpus < nodes) {
			pr_err("mm_boot: cpus=%u is fewer than nodes=%u: every node needs a CPU\n",
			       cpus, nodes);
			goto err_host;
		}
		if (cpus % nodes) {
			pr_err("mm_boot: cpus=%u does not spread evenly over nodes=%u\n",
			       cpus, nodes);
			goto err_host;
		}
		snprintf(desc, sizeof(desc), "numa:%u pu:%u", nodes, cpus / nodes);
		ret = load_synthetic(&machine.sim_topo, desc);
		snprintf(machine.topology_desc, sizeof(machine.topology_desc), "%s", desc);
	}
	if (ret)
		goto err_host;

	cpus = hwloc_get_nbobjs_by_type(machine.sim_topo, HWLOC_OBJ_PU);
	nodes = hwloc_get_nbobjs_by_type(machine.sim_topo, HWLOC_OBJ_NUMANODE);
	if (nodes == 0)
		nodes = 1;
	if (cfg->topology[0] && ((cfg->cpus && cfg->cpus != cpus) ||
				 (cfg->nodes && cfg->nodes != nodes))) {
		pr_err("mm_boot: topology=\"%s\" has %u node%s and %u CPU%s, not nodes=%u cpus=%u\n",
		       cfg->topology, nodes, str_plural(nodes), cpus, str_plural(cpus),
		       cfg->nodes ? cfg->nodes : nodes, cfg->cpus ? cfg->cpus : cpus);
		goto err_sim;
	}
	if (cpus > NR_CPUS || nodes > MAX_NUMNODES) {
		pr_err("mm_boot: %u CPUs and %u nodes: the model has at most %u CPUs and %u nodes\n",
		       cpus, nodes, NR_CPUS, MAX_NUMNODES);
		goto err_sim;
	}
	machine.nr_cpus = cpus;
	machine.nr_nodes = nodes;
	for (unsigned int k = 0; k < cpus; k++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(machine.sim_topo, HWLOC_OBJ_PU, k);
		int nid = node_of_pu(machine.sim_topo, pu);

		machine.cpu_node[k] = nid;
		machine.node[nid].nr_cpus++;
		machine.cpu_host_pu[k] = (int)host_pu(k)->os_index;
	}
	for (unsigned int n = 0; n < nodes; n++) {
		if (!machine.node[n].nr_cpus) {
			pr_err("mm_boot: topology=\"%s\": node %u has no CPU\n",
			       machine.topology_desc, n);
			goto err_sim;
		}
	}
	init_distances();
	return 0;

err_sim:
	hwloc_topology_destroy(machine.sim_topo);
	machine.sim_topo = NULL;
err_host:
	hwloc_topology_destroy(machine.host_topo);
	machine.host_topo = NULL;
	return -EINVAL;
}

void topology_exit(void)
{
	if (machine.sim_topo)
		hwloc_topology_destroy(machine.sim_topo);
	if (machine.host_topo)
		hwloc_topology_destroy(machine.host_topo);
	machine.sim_topo = machine.host_topo = NULL;
}

static int bind_warned;		/* atomic: say it once per process */

int topology_bind_thread(unsigned int cpu, hwloc_cpuset_t saved)
{
	hwloc_obj_t pu = host_pu(cpu);

	if (saved)
		hwloc_get_cpubind(machine.host_topo, saved, HWLOC_CPUBIND_THREAD);
	if (hwloc_set_cpubind(machine.host_topo, pu->cpuset, HWLOC_CPUBIND_THREAD)) {
		if (!__atomic_exchange_n(&bind_warned, 1, __ATOMIC_RELAXED))
			pr_warn("mmsim: cannot pin CPU %u to host PU %u (%s); CPUs run unpinned\n",
				cpu, pu->os_index, strerror(errno));
		return -errno;
	}
	return 0;
}

void topology_unbind_thread(hwloc_cpuset_t saved)
{
	if (saved && !hwloc_bitmap_iszero(saved))
		hwloc_set_cpubind(machine.host_topo, saved, HWLOC_CPUBIND_THREAD);
}

int topology_bind_memory(void *addr, size_t len, int host_node)
{
	hwloc_obj_t node;
	int ret;

	node = hwloc_get_obj_by_type(machine.host_topo, HWLOC_OBJ_NUMANODE,
				     (unsigned int)host_node);
	if (!node)
		return -EINVAL;
	ret = hwloc_set_area_membind(machine.host_topo, addr, len, node->nodeset,
				     HWLOC_MEMBIND_BIND,
				     HWLOC_MEMBIND_STRICT | HWLOC_MEMBIND_BYNODESET);
	return ret ? -errno : 0;
}
