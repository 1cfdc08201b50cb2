// SPDX-License-Identifier: MIT
/*
 * stress/engine.c - the torture loop every job runs in, and the life of
 * the jobs' tables in a run.
 *
 *   setup	the families a run needs (those of its selected jobs, and one
 *		a --test-inject names), each CPU's context with its stream,
 *		inbox and zeroed family states; then on CPU 0 (the main
 *		thread attached) the families' setups and the jobs'.
 *   the loop	on every CPU (engine_cpu_main(), from mm_on_each_cpu()):
 *		draw a job by weight and three words, log them into the
 *		op-log hash (FNV-1a over the job and the words) and for the
 *		watchdog, empty the inbox, run the operation and time it;
 *		then the test hooks and cond_resched().  It ends after --ops
 *		operations or when the monitor sets run->stop; then the CPU
 *		closes its inbox and its jobs and families release what it
 *		holds.
 *   the end	on CPU 0 once every CPU has stopped (engine_finish()): the
 *		items still in inboxes are received, the families check what
 *		must hold, then the jobs' teardowns and the families'.
 *
 * Who touches what: run->families, job_family and each CPU's context are
 * set up by the main thread before the CPUs start and read-only after,
 * except what struct cpu_ctx says; a family state is its CPU's while the
 * run lasts, the main thread's before and after (and the report's, for a
 * CPU that has stopped: run_cpu_settled()).
 */
#define _GNU_SOURCE
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmstress.h"

/* The run in progress, for this_cpu_ctx(): set by engine_setup() before
 * the CPUs start, cleared by engine_free() after they stop. */
static struct run *engine_run;

unsigned int run_nr_cpus(const struct run *run)
{
	return run->nr_cpus;
}

struct cpu_ctx *run_cpu(const struct run *run, unsigned int k)
{
	return &run->cpus[k];
}

int run_cpu_settled(const struct run *run, unsigned int k)
{
	/* Acquire: pairs with the release store of done in engine_cpu_main(). */
	return !run->hung || __atomic_load_n(&run->cpus[k].done, __ATOMIC_ACQUIRE);
}

int job_selected(const struct run *run, const struct stress_job *job)
{
	for (unsigned int j = 0; j < nr_jobs; j++)
		if (jobs[j] == job)
			return run->opt.weight[j] != 0;
	return 0;
}

static int family_index(const struct run *run, const struct stress_family *f)
{
	for (unsigned int i = 0; i < run->nr_families; i++)
		if (run->families[i] == f)
			return (int)i;
	return -1;
}

void *family_state(const struct cpu_ctx *c, const struct stress_family *f)
{
	int i = family_index(c->run, f);

	return i < 0 ? NULL : c->state[i];
}

struct cpu_ctx *this_cpu_ctx(void)
{
	return &engine_run->cpus[smp_processor_id()];
}

void family_sum(const struct run *run, const struct stress_family *f, size_t offset,
		unsigned int n, uint64_t *sum)
{
	int i = family_index(run, f);

	memset(sum, 0, n * sizeof(*sum));
	for (unsigned int k = 0; i >= 0 && k < run->nr_cpus; k++) {
		const uint64_t *v = (const uint64_t *)((const char *)run->cpus[k].state[i] + offset);

		if (run_cpu_settled(run, k))
			for (unsigned int x = 0; x < n; x++)
				sum[x] += v[x];
	}
}

void family_sum_json(const struct run *run, const struct stress_family *f, size_t offset,
		     const char *const *names, unsigned int n, json_t *root, const char *key)
{
	json_t *o = json_object();
	uint64_t sum[64];

	n = min(n, (unsigned int)ARRAY_SIZE(sum));
	family_sum(run, f, offset, n, sum);
	for (unsigned int i = 0; i < n; i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)sum[i]));
	json_object_set_new(root, key, o);
}

/* ------------------------------------------------------------------ */
/* Setting a run up                                                    */

/* Does a --test-inject of this run name family f? */
static int injected(const struct run *run, const struct stress_family *f)
{
	return f->inject && ((run->opt.inject_corrupt && !strcmp(f->inject, "corrupt-byte")) ||
			     (run->opt.inject_corrupt_obj && !strcmp(f->inject, "corrupt-object")));
}

static void add_family(struct run *run, const struct stress_family *f)
{
	if (f && family_index(run, f) < 0 && run->nr_families < MAX_FAMILIES)
		run->families[run->nr_families++] = f;
}

static int cpu_ctx_init(struct run *run, unsigned int k)
{
	struct cpu_ctx *c = &run->cpus[k];

	c->run = run;
	c->cpu = k;
	c->node = cpu_to_node(k);
	c->cur_job = -1;
	c->last_job = -1;
	prng_seed(&c->rng, run->opt.seed, k);
	inbox_init(c);
	for (unsigned int i = 0; i < run->nr_families; i++) {
		size_t size = ALIGN(max(run->families[i]->state_size, (size_t)1), (size_t)64);

		/* a root: what the CPU holds is in there (kmemleak.c) */
		c->state[i] = root_zalloc(64, size);
		if (!c->state[i])
			return -ENOMEM;
	}
	return 0;
}

/* Test-only: a spinlock taken and never given back, then taken again: the
 * set-up hangs unless the lockup detectors end the run. */
static noinline void inject_lost_unlock(void)
{
	static DEFINE_SPINLOCK(inject_lock);
	unsigned long flags;

	spin_lock_irqsave(&inject_lock, flags);
	local_irq_restore(flags);		/* the spin_unlock() is lost */
	spin_lock_irqsave(&inject_lock, flags);
	spin_unlock_irqrestore(&inject_lock, flags);
}

/* The jobs' shared state (caches, pools, tables), made on CPU 0. */
static void setup_on_cpu0(struct run *run)
{
	int ret = mm_cpu_attach(0);

	if (ret) {
		add_violation(run, "harness", -1, "cannot attach CPU 0 to set the jobs up: %s",
			      strerror(-ret));
		return;
	}
	for (unsigned int i = 0; i < run->nr_families; i++) {
		if (!run->families[i]->setup)
			continue;
		ret = run->families[i]->setup(run);
		if (ret)
			add_violation(run, "harness", -1, "the %s jobs could not be set up: %s",
				      run->families[i]->name, strerror(-ret));
	}
	for (unsigned int j = 0; j < nr_jobs; j++) {
		if (!run->opt.weight[j] || !jobs[j]->setup)
			continue;
		ret = jobs[j]->setup(run);
		if (ret)
			add_violation(run, "harness", -1, "job %s could not be set up: %s",
				      jobs[j]->name, strerror(-ret));
	}
	if (run->opt.inject_lost_unlock)
		inject_lost_unlock();
	/* Test-only: blocked in the host for good, as on a host mutex nobody
	 * releases; neither spinning nor in a wait of the machine, so only
	 * the sentinel's bound on set-up ends the run. */
	while (run->opt.inject_setup_hang)
		pause();
	mm_cpu_detach();
}

int engine_setup(struct run *run)
{
	run->nr_families = 0;
	run->total_weight = 0;
	for (unsigned int j = 0; j < nr_jobs; j++) {
		run->total_weight += run->opt.weight[j];
		if (run->opt.weight[j])
			add_family(run, jobs[j]->family);
	}
	for (unsigned int j = 0; j < nr_jobs; j++)
		if (jobs[j]->family && injected(run, jobs[j]->family))
			add_family(run, jobs[j]->family);
	for (unsigned int j = 0; j < nr_jobs; j++)
		run->job_family[j] = jobs[j]->family ? family_index(run, jobs[j]->family) : -1;

	run->nr_cpus = num_online_cpus();
	/* a root: the inboxes' heads point to the items in transit */
	run->cpus = root_zalloc(64, run->nr_cpus * sizeof(*run->cpus));
	if (!run->cpus)
		return -ENOMEM;
	for (unsigned int k = 0; k < run->nr_cpus; k++)
		if (cpu_ctx_init(run, k))
			return -ENOMEM;
	engine_run = run;
	setup_on_cpu0(run);
	return 0;
}

/* Before mm_shutdown(): the roots are forgotten while kmemleak is there. */
void engine_free(struct run *run)
{
	for (unsigned int k = 0; run->cpus && k < run->nr_cpus; k++)
		for (unsigned int i = 0; i < run->nr_families; i++)
			root_free(run->cpus[k].state[i]);
	root_free(run->cpus);
	run->cpus = NULL;
	engine_run = NULL;
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */

static unsigned int pick_job(const struct run *run, uint64_t r)
{
	unsigned int x = (unsigned int)(r % run->total_weight);

	for (unsigned int j = 0; j < nr_jobs; j++) {
		if (x < run->opt.weight[j])
			return j;
		x -= run->opt.weight[j];
	}
	return 0;
}

/* FNV-1a over the job and its three words. */
static void op_log(struct cpu_ctx *c, unsigned int job, const uint64_t r[3])
{
	uint64_t h = c->op_hash ? c->op_hash : 0xcbf29ce484222325ULL;
	uint64_t words[4] = { job, r[0], r[1], r[2] };

	for (int w = 0; w < 4; w++)
		for (int b = 0; b < 8; b++) {
			h ^= (words[w] >> (8 * b)) & 0xff;
			h *= 0x100000001b3ULL;
		}
	c->op_hash = h;
}

static void *job_state(const struct cpu_ctx *c, unsigned int j)
{
	int i = c->run->job_family[j];

	return i < 0 ? NULL : c->state[i];
}

/* Test-only: a kmalloc'ed object nothing points to, made in a frame of its
 * own so that the pointer dies with it (--kmemleak must report it; the
 * end of the run finds its slab still allocated). */
static noinline void inject_lost_object(void)
{
	void *p = kmalloc(200, GFP_KERNEL);

	if (p)
		memset(p, 0x5a, 200);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* Test-only hooks: damage one held byte, forget one page or object, or hang. */
static void inject(struct cpu_ctx *c)
{
	struct run *run = c->run;

	if (run->opt.inject_hang && c->cpu == run->nr_cpus - 1 && c->nr_ops == 20) {
		/* stuck with interrupts off: no IPI, no progress, never ends */
		local_irq_disable();
		for (;;)
			cpu_relax();
	}
	if (c->cpu != 0)
		return;
	if (run->opt.inject_uaf && c->nr_ops == 20) {
		/* a page written after its free: debug_pagealloc's fault */
		struct page *page = alloc_page(GFP_KERNEL);

		if (page) {
			volatile char *addr = page_address(page);

			__free_pages(page, 0);
			if (addr)
				addr[8] = 1;
		}
	}
	if (run->opt.inject_wild && c->nr_ops == 20) {
		/* a NULL pointer's member: a crash */
		static volatile uintptr_t wild = 16;

		*(volatile char *)wild = 1;
	}
	if (run->opt.inject_fail_leak && c->nr_ops == 20) {
		/* two pages, the second failed by fail-nth: the first is kept,
		 * as an error path that forgets to undo would */
		static struct page *kept;
		struct page *second;

		mm_debugfs_write("fail_page_alloc/min-order", "0");
		mm_debugfs_write("fail_page_alloc/ignore-gfp-wait", "N");
		mm_debugfs_write("fail_page_alloc/verbose", "0");
		fail_mark(c);
		mm_debugfs_write("fail-nth", "2");
		kept = alloc_page(GFP_KERNEL);
		second = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!second)
			count_failure(c, GK_KERNEL, 0);
		else
			__free_page(second);
		mm_debugfs_write("fail-nth", "0");
		if (kept)
			__free_page(kept);	/* the leak is the check's to see, not the end's */
	}
	if (run->opt.inject_lost_object && c->nr_ops == 1)
		inject_lost_object();
	if (run->opt.inject_leak && c->nr_ops == 1) {
		struct page *leaked = alloc_page(GFP_KERNEL);

		(void)leaked;	/* never freed: the final check must see it */
	}
	if (c->nr_ops < 50 || __atomic_load_n(&run->corrupted, __ATOMIC_RELAXED))
		return;
	for (unsigned int i = 0; i < run->nr_families; i++) {
		const struct stress_family *f = run->families[i];

		if (injected(run, f) && f->corrupt && f->corrupt(c, c->state[i]))
			__atomic_store_n(&run->corrupted, 1, __ATOMIC_RELAXED);
	}
}

/* A CPU stops: its inbox closes, its jobs and families give everything back. */
static void cpu_release(struct cpu_ctx *c)
{
	struct run *run = c->run;

	inbox_stop(c);
	for (unsigned int j = 0; j < nr_jobs; j++)
		if (run->opt.weight[j] && jobs[j]->release)
			jobs[j]->release(c, job_state(c, j));
	for (unsigned int i = 0; i < run->nr_families; i++)
		if (run->families[i]->release)
			run->families[i]->release(c, c->state[i]);
}

void engine_cpu_main(void *info)
{
	struct run *run = info;
	struct cpu_ctx *c = &run->cpus[smp_processor_id()];

	/* Release: this CPU answers IPIs from now on (see harness_run()). */
	__atomic_fetch_add(&run->started, 1, __ATOMIC_RELEASE);
	for (;;) {
		uint64_t r[3], t0;
		unsigned int j;

		/* --ops: this many; stop: the end of --duration, or the run
		 * gave up on a stuck CPU */
		if ((run->opt.ops && c->nr_ops >= run->opt.ops) ||
		    __atomic_load_n(&run->stop, __ATOMIC_ACQUIRE))
			break;
		j = pick_job(run, prng_next(&c->rng));
		for (int i = 0; i < 3; i++) {
			r[i] = prng_next(&c->rng);
			c->op_r[i] = r[i];
			WRITE_ONCE(c->last_args[i], r[i]);
		}
		op_log(c, j, r);
		c->op_draws = 0;
		if (unlikely(run->fail_nth))
			fail_cpu_rearm(c);
		c->mark.injected = current->fail_injected;
		c->mark.exact = 0;
		c->cur_job = (int)j;
		WRITE_ONCE(c->last_job, (int)j);
		t0 = stress_clock_ns();
		inbox_drain(c, c, RECEIVED);
		jobs[j]->op(c, job_state(c, j), r);
		lat_record(&c->stats[j].lat, stress_clock_ns() - t0);
		c->stats[j].ops++;
		c->nr_ops++;
		WRITE_ONCE(c->progress, c->nr_ops);
		if (unlikely(run->opt.inject_corrupt | run->opt.inject_leak | run->opt.inject_hang |
			     run->opt.inject_corrupt_obj | run->opt.inject_uaf | run->opt.inject_wild |
			     run->opt.inject_fail_leak | run->opt.inject_lost_object))
			inject(c);
		/* a safe point: this CPU's deferred work (the slab reap, RCU
		 * callbacks) runs here, between operations, as in a kernel */
		cond_resched();
	}
	c->cur_job = -1;
	WRITE_ONCE(c->last_job, -1);
	if (run->fail_nth)
		mm_debugfs_write("fail-nth", "0");	/* the releases run unfailed */
	cpu_release(c);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
}

void describe_last_op(const struct cpu_ctx *c, char *buf, size_t len)
{
	int j = READ_ONCE(c->last_job);

	if (j < 0) {
		snprintf(buf, len, "(releasing its blocks)");
		return;
	}
	snprintf(buf, len, "%s operation %llu (args %#llx %#llx %#llx)",
		 jobs[j]->name, (unsigned long long)READ_ONCE(c->progress),
		 (unsigned long long)READ_ONCE(c->last_args[0]),
		 (unsigned long long)READ_ONCE(c->last_args[1]),
		 (unsigned long long)READ_ONCE(c->last_args[2]));
}

/* ------------------------------------------------------------------ */
/* The end                                                             */

/* Every CPU has stopped; on CPU 0 (attached by the caller). */
void engine_finish(struct run *run)
{
	struct cpu_ctx *c0 = &run->cpus[0];

	for (unsigned int k = 0; k < run->nr_cpus; k++)
		inbox_drain(&run->cpus[k], c0, AT_END);
	for (unsigned int i = 0; i < run->nr_families; i++)
		if (run->families[i]->check)
			run->families[i]->check(run);
	for (unsigned int j = 0; j < nr_jobs; j++)
		if (run->opt.weight[j] && jobs[j]->teardown)
			jobs[j]->teardown(run);
	for (unsigned int i = 0; i < run->nr_families; i++)
		if (run->families[i]->teardown)
			run->families[i]->teardown(run);
}

/* Does the run select a job of family f (not only set it up for a hook)? */
static int family_ran(const struct run *run, const struct stress_family *f)
{
	for (unsigned int j = 0; j < nr_jobs; j++)
		if (run->opt.weight[j] && jobs[j]->family == f)
			return 1;
	return 0;
}

void engine_report(struct run *run, FILE *out)
{
	for (unsigned int i = 0; i < run->nr_families; i++)
		if (run->families[i]->report && family_ran(run, run->families[i]))
			run->families[i]->report(run, out);
}

void engine_report_json(struct run *run, json_t *root)
{
	for (unsigned int i = 0; i < run->nr_families; i++)
		if (run->families[i]->report_json && family_ran(run, run->families[i]))
			run->families[i]->report_json(run, root);
}
