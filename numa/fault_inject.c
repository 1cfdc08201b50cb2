// SPDX-License-Identifier: MIT
/*
 * numa/fault_inject.c - the fault-injection framework of lib/fault-inject.c:
 * should_fail() and its settings, and the per-task fail-nth.
 *
 *   struct fault_attr	settings: fault_attr_mutex for writers, READ_ONCE
 *			for should_fail() on any CPU; budgets (times, space,
 *			count) and counters: relaxed atomics.
 *   fault_inject_armed	how many capabilities have a probability and how
 *			many tasks have a fail-nth armed (relaxed atomic):
 *			while 0 the allocator's fast paths skip the fault
 *			sites (the kernel's static keys play this part).
 *   current->fail_nth	the task's own: only it reads and writes it.
 *   fault_rnd		the task's own random stream (thread-local).
 */
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fault_inject.h"
#include "machine.h"

int fault_inject_armed;
static pthread_mutex_t fault_attr_mutex = PTHREAD_MUTEX_INITIALIZER;
static __thread uint64_t fault_rnd;

void fault_attr_lock(void)
{
	pthread_mutex_lock(&fault_attr_mutex);
}

void fault_attr_unlock(void)
{
	pthread_mutex_unlock(&fault_attr_mutex);
}

static void armed_add(int v)
{
	__atomic_fetch_add(&fault_inject_armed, v, __ATOMIC_RELAXED);
}

/* The attribute's probability moves between 0 and not 0: fault_attr_mutex. */
static void set_probability(struct fault_attr *attr, unsigned long p)
{
	unsigned long old = attr->probability;

	WRITE_ONCE(attr->probability, p);
	if (!old != !p)
		armed_add(p ? 1 : -1);
}

void fault_attr_init(struct fault_attr *attr, const char *name)
{
	memset(attr, 0, sizeof(*attr));
	attr->name = name;
	fault_attr_reset(attr);
}

void fault_attr_reset(struct fault_attr *attr)
{
	fault_attr_lock();
	set_probability(attr, 0);
	WRITE_ONCE(attr->interval, 1UL);
	__atomic_store_n(&attr->times, 1L, __ATOMIC_RELAXED);
	__atomic_store_n(&attr->space, 0L, __ATOMIC_RELAXED);
	WRITE_ONCE(attr->verbose, 2UL);
	__atomic_store_n(&attr->count, 0UL, __ATOMIC_RELAXED);
	/* console lock: __ratelimit()'s; nothing prints while we reset */
	console_lock();
	attr->ratelimit = (struct ratelimit_state)RATELIMIT_STATE_INIT(0, 10);
	console_unlock();
	__atomic_store_n(&attr->sites, 0UL, __ATOMIC_RELAXED);
	__atomic_store_n(&attr->injected, 0UL, __ATOMIC_RELAXED);
	fault_attr_unlock();
}

/* xorshift64*, seeded per task from its CPU and pid: percent 0..99. */
static unsigned int fault_random_percent(void)
{
	uint64_t x = fault_rnd;

	if (unlikely(!x))
		x = 0x9e3779b97f4a7c15ULL * (uint64_t)(current->cpu + 2) ^ (uint64_t)current->pid;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	fault_rnd = x;
	return (unsigned int)(((x * 0x2545f4914f6cdd1dULL) >> 32) % 100);
}

/* FNV-1a over the return addresses above should_fail(): which fault site. */
static noinline unsigned long call_chain_hash(void)
{
	void *frames[24];
	int n = backtrace(frames, 24);
	unsigned long h = 0xcbf29ce484222325UL;

	for (int i = 2; i < n; i++) {
		h ^= (unsigned long)frames[i];
		h *= 0x100000001b3UL;
	}
	return h;
}

/* Not rate-limited by default (the kernel's RATELIMIT_STATE_INIT_DISABLED):
 * an interval of 0 lets every line through. */
static void fail_dump(struct fault_attr *attr)
{
	unsigned long verbose = READ_ONCE(attr->verbose);

	if (!verbose || !__ratelimit(&attr->ratelimit))
		return;
	report_begin(REPORT_INFO);
	printk("FAULT_INJECTION: forcing a failure.\n"
	       "name %s, interval %lu, probability %lu, space %ld, times %ld\n",
	       attr->name, READ_ONCE(attr->interval), READ_ONCE(attr->probability),
	       __atomic_load_n(&attr->space, __ATOMIC_RELAXED),
	       __atomic_load_n(&attr->times, __ATOMIC_RELAXED));
	if (verbose > 1)
		dump_stack();
	report_end(REPORT_INFO, -1);
}

/* times: one less unless unlimited or already 0 (atomic_dec_not_zero()). */
static void consume_times(struct fault_attr *attr)
{
	long t = __atomic_load_n(&attr->times, __ATOMIC_RELAXED);

	while (t != -1 && t != 0 &&
	       !__atomic_compare_exchange_n(&attr->times, &t, t - 1, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

int should_fail(struct fault_attr *attr, long size)
{
	struct task_struct *tsk = current;
	unsigned long interval;
	long space;

	__atomic_fetch_add(&attr->sites, 1UL, __ATOMIC_RELAXED);
	if (!in_interrupt() && tsk->fail_nth) {
		/* armed: this site is counted, and only the N-th fails */
		if (--tsk->fail_nth)
			return 0;
		armed_add(-1);
		tsk->fail_site = call_chain_hash();
		goto fail;
	}
	if (!READ_ONCE(attr->probability))
		return 0;
	if (__atomic_load_n(&attr->times, __ATOMIC_RELAXED) == 0)
		return 0;
	space = __atomic_load_n(&attr->space, __ATOMIC_RELAXED);
	if (space > size) {
		__atomic_fetch_sub(&attr->space, size, __ATOMIC_RELAXED);
		return 0;
	}
	interval = READ_ONCE(attr->interval);
	if (interval > 1 &&
	    (__atomic_add_fetch(&attr->count, 1UL, __ATOMIC_RELAXED) % interval))
		return 0;
	if (READ_ONCE(attr->probability) <= fault_random_percent())
		return 0;
fail:
	fail_dump(attr);
	consume_times(attr);
	__atomic_fetch_add(&attr->injected, 1UL, __ATOMIC_RELAXED);
	tsk->fail_injected++;
	return 1;
}

static int parse_ulong(const char *s, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno || (*end && strcmp(end, "\n")))
		return -EINVAL;
	return 0;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	*out = strtol(s, &end, 0);
	if (errno || (*end && strcmp(end, "\n")) || *out < INT32_MIN || *out > INT32_MAX)
		return -EINVAL;
	return 0;
}

int parse_debugfs_bool(const char *v, int *out)
{
	if (!v)
		return -EINVAL;
	if (!strcmp(v, "Y") || !strcmp(v, "y") || !strcmp(v, "1") || !strcmp(v, "on") ||
	    !strcmp(v, "Y\n") || !strcmp(v, "1\n"))
		*out = 1;
	else if (!strcmp(v, "N") || !strcmp(v, "n") || !strcmp(v, "0") || !strcmp(v, "off") ||
		 !strcmp(v, "N\n") || !strcmp(v, "0\n"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

int setup_fault_attr(struct fault_attr *attr, const char *param, const char *str)
{
	unsigned long interval, probability;
	long space, times;
	char tail;

	if (!str || sscanf(str, "%lu,%lu,%ld,%ld%c", &interval, &probability, &space,
			   &times, &tail) != 4 || probability > 100 || times < -1 ||
	    times > INT32_MAX || space < INT32_MIN || space > INT32_MAX)
		return boot_param_bad(param, str,
				      "expected <interval>,<probability>,<space>,<times> "
				      "(probability 0-100, times -1 or more)");
	fault_attr_lock();
	/* as the kernel: an interval of 0 means 1 */
	WRITE_ONCE(attr->interval, interval ? interval : 1);
	__atomic_store_n(&attr->space, space, __ATOMIC_RELAXED);
	__atomic_store_n(&attr->times, times, __ATOMIC_RELAXED);
	set_probability(attr, probability);
	fault_attr_unlock();
	return 0;
}

int fault_attr_write(struct fault_attr *attr, const char *file, const char *value)
{
	unsigned long u;
	long l;
	int ret = 0;

	fault_attr_lock();
	if (!strcmp(file, "probability")) {
		if (parse_ulong(value, &u) || u > 100)
			ret = -EINVAL;
		else
			set_probability(attr, u);
	} else if (!strcmp(file, "interval")) {
		/* debugfs takes any value; 0 would divide by zero: 1 */
		if (parse_ulong(value, &u))
			ret = -EINVAL;
		else
			WRITE_ONCE(attr->interval, u ? u : 1);
	} else if (!strcmp(file, "times") || !strcmp(file, "space")) {
		if (parse_long(value, &l) || (file[0] == 't' && l < -1))
			ret = -EINVAL;
		else
			__atomic_store_n(file[0] == 't' ? &attr->times : &attr->space, l,
					 __ATOMIC_RELAXED);
	} else if (!strcmp(file, "verbose")) {
		if (parse_ulong(value, &u) || u > 2)
			ret = -EINVAL;
		else
			WRITE_ONCE(attr->verbose, u);
	} else if (!strcmp(file, "verbose_ratelimit_interval_ms") ||
		   !strcmp(file, "verbose_ratelimit_burst")) {
		if (parse_ulong(value, &u) || u > INT32_MAX) {
			ret = -EINVAL;
		} else {
			console_lock();
			if (file[18] == 'i')
				attr->ratelimit.interval_ms = (int)u;
			else
				attr->ratelimit.burst = (int)u;
			console_unlock();
		}
	} else {
		ret = -ENOENT;
	}
	fault_attr_unlock();
	return ret;
}

int fault_attr_show(struct fault_attr *attr, const char *file, FILE *out)
{
	if (!strcmp(file, "probability"))
		fprintf(out, "%lu\n", READ_ONCE(attr->probability));
	else if (!strcmp(file, "interval"))
		fprintf(out, "%lu\n", READ_ONCE(attr->interval));
	else if (!strcmp(file, "times"))
		fprintf(out, "%ld\n", __atomic_load_n(&attr->times, __ATOMIC_RELAXED));
	else if (!strcmp(file, "space"))
		fprintf(out, "%ld\n", __atomic_load_n(&attr->space, __ATOMIC_RELAXED));
	else if (!strcmp(file, "verbose"))
		fprintf(out, "%lu\n", READ_ONCE(attr->verbose));
	else if (!strcmp(file, "verbose_ratelimit_interval_ms") ||
		 !strcmp(file, "verbose_ratelimit_burst")) {
		int v;

		console_lock();
		v = file[18] == 'i' ? attr->ratelimit.interval_ms : attr->ratelimit.burst;
		console_unlock();
		fprintf(out, "%d\n", v);
	} else
		return -ENOENT;
	return 0;
}

int fail_nth_write(const char *value)
{
	struct task_struct *tsk = current;
	unsigned long n;

	if (parse_ulong(value, &n) || n > UINT32_MAX)
		return -EINVAL;
	if (!tsk->fail_nth != !n)
		armed_add(n ? 1 : -1);
	tsk->fail_nth = (unsigned int)n;
	return 0;
}

int fail_nth_show(FILE *out)
{
	fprintf(out, "%u\n", current->fail_nth);
	return 0;
}

void fail_nth_clear(void)
{
	if (current->fail_nth)
		armed_add(-1);
	current->fail_nth = 0;
}
