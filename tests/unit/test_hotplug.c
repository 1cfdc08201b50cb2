// SPDX-License-Identifier: MIT
/*
 * tests/unit/test_hotplug.c - CPUs coming and going against the machine's
 * other life events: no CPU comes online while stop_machine() runs,
 * mm_shutdown() refuses cleanly (and keeps its caller's CPU) while other
 * threads are CPUs, an attach sees the whole booted machine, and
 * /proc and sysctl readers on any thread never race a shutdown.
 */
#include "../testutil.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "../../numa/ipi.h"

/* ------------------------------------------------------------------ */

static int attach_done;		/* atomic: 1 attached, -1 refused */

static void *attacher(void *arg)
{
	int ret = mm_cpu_attach(1);

	(void)arg;
	set(&attach_done, ret ? -1 : 1);
	if (!ret)
		mm_cpu_detach();
	return NULL;
}

/* With every CPU stopped: CPU 1's thread tries to come online. */
static int stopped_fn(void *data)
{
	pthread_t *t = data;

	if (pthread_create(t, NULL, attacher, NULL))
		return -1;
	for (int i = 0; i < 100 && !get(&attach_done); i++)
		nap_us(2000);
	return get(&attach_done);	/* 0: it is waiting, as it must */
}

static void test_no_attach_while_stopped(void **state)
{
	pthread_t t;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	attach_done = 0;
	assert_int_equal(stop_machine(stopped_fn, &t, 20000, NULL), 0);
	pthread_join(t, NULL);
	assert_int_equal(get(&attach_done), 1);	/* it came online after */
	check_shutdown();
}

/* ------------------------------------------------------------------ */

static void test_shutdown_refused_keeps_caller(void **state)
{
	unsigned long bugs;
	const char *out;
	(void)state;

	boot_attach("mem=64M nodes=1 cpus=2");
	park_cpu(1, (struct park){ 0 });
	assert_int_equal(cpus_attached(), 2);
	bugs = report_count(REPORT_BUG);
	capture_begin();
	mm_shutdown();
	out = capture_end();
	assert_contains(out, "BUG: mm_shutdown() refused: 1 CPU is still attached by other threads");
	assert_int_equal(report_count(REPORT_BUG), bugs + 1);
	/* nothing changed: still booted, and this thread still CPU 0 */
	assert_true(smp_load_acquire(&mm_booted));
	assert_int_equal(current->cpu, 0);
	__free_page(alloc_page(GFP_KERNEL));
	unpark_cpu(1);
	check_shutdown();
}

/* ------------------------------------------------------------------ */

/*
 * A thread that attaches as soon as another has booted the machine, with
 * no other synchronisation: what attach reads of the machine (its CPUs,
 * nodes, the per-CPU tables) must be what boot wrote.  TSan reports it
 * if "booted" is not a release/acquire pair.
 */
static int first_try_failed;	/* atomic */

static void *eager_attacher(void *arg)
{
	int *done = arg;
	int ret;

	while ((ret = mm_cpu_attach(1)) != 0) {
		set(&first_try_failed, 1);
		nap_us(50);
	}
	__free_page(alloc_page(GFP_KERNEL));
	mm_cpu_detach();
	set(done, 1);
	return NULL;
}

static void test_attach_sees_whole_machine(void **state)
{
	FILE *devnull = fopen("/dev/null", "w");
	int done = 0;
	pthread_t t;
	(void)state;

	first_try_failed = 0;
	printk_set_output(devnull);	/* "no machine is booted", many times */
	pthread_create(&t, NULL, eager_attacher, &done);
	while (!get(&first_try_failed))
		nap_us(50);
	printk_set_quiet(1);
	assert_int_equal(mm_boot("mem=64M nodes=2 cpus=2"), 0);
	pthread_join(t, NULL);
	printk_set_output(NULL);
	fclose(devnull);
	assert_int_equal(done, 1);
	assert_int_equal(mm_cpu_attach(0), 0);
	check_shutdown();
}

/* ------------------------------------------------------------------ */

static int readers_stop;	/* atomic */

static void *proc_reader(void *arg)
{
	unsigned long *reads = arg;
	FILE *devnull = fopen("/dev/null", "w");
	char buf[64];

	while (!get(&readers_stop)) {
		static const char *const files[] = { "zoneinfo", "buddyinfo", "slabinfo",
						     "meminfo", "vmstat" };

		for (size_t i = 0; i < ARRAY_SIZE(files); i++)
			if (!mm_proc_show(files[i], devnull))
				(*reads)++;
		if (!mm_sysctl_read("vm.lowmem_reserve_ratio", buf, sizeof(buf)))
			(*reads)++;
		if (!mm_sysctl_write("vm.percpu_pagelist_fraction", "0"))
			(*reads)++;
	}
	fclose(devnull);
	return NULL;
}

static void test_readers_against_shutdown(void **state)
{
	unsigned long reads[2] = { 0, 0 };
	pthread_t t[2];
	(void)state;

	readers_stop = 0;
	printk_set_quiet(1);
	for (int k = 0; k < 2; k++)
		pthread_create(&t[k], NULL, proc_reader, &reads[k]);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(mm_boot(i & 1 ? "mem=64M nodes=2 cpus=2" : "mem=32M"), 0);
		nap_us(2000);
		mm_shutdown();
	}
	set(&readers_stop, 1);
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	/* (the readers may have found a machine up or not: no count asserted) */
	assert_false(smp_load_acquire(&mm_booted));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_no_attach_while_stopped),
		TEST(test_shutdown_refused_keeps_caller),
		TEST(test_attach_sees_whole_machine),
		TEST(test_readers_against_shutdown),
	};

	return cmocka_run_group_tests_name("hotplug", tests, NULL, NULL);
}
