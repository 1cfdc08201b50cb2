// SPDX-License-Identifier: MIT
/*
 * tests/stress/stress_page_alloc.c - every CPU of machines larger than the
 * host allocates and frees random orders at once, writing a pattern into
 * each block and checking it before the free; blocks also travel to
 * another CPU to be freed there; one CPU may rewrite the watermark sysctls
 * or read /proc meanwhile.  At the end: no corruption, no report,
 * mm_check() clean and every page back.  Run under TSan by
 * `make SAN=thread stress-test`.
 */
#include "../testutil.h"

#include <stdatomic.h>

#ifdef MMSIM_DEBUG		/* the sanitizer builds run slower */
#define OPS_PER_CPU	3000
#else
#define OPS_PER_CPU	30000
#endif
#define HELD_PER_CPU	48

struct block {
	struct page *page;
	unsigned int order;
};

struct run {
	unsigned int nr_cpus;
	unsigned long long seed;
	int sysctl_cpu;			/* this CPU rewrites the watermarks, -1 none */
	int proc_cpu;			/* this CPU reads /proc files, -1 none */
	_Atomic(struct block *) *mailbox;	/* [cpu]: a block for that CPU to free */
	atomic_ulong corrupt;
	atomic_ulong allocated;
	atomic_ulong failed;
	atomic_ulong handed;
};

/* The block's pattern at every 512 bytes. */
static void fill(struct page *page, unsigned int order)
{
	unsigned long *p = page_address(page);

	for (size_t i = 0; i < (PAGE_SIZE << order) / sizeof(long); i += 64)
		p[i] = block_pattern(page, order, i);
}

static int check(struct page *page, unsigned int order)
{
	unsigned long *p = page_address(page);

	for (size_t i = 0; i < (PAGE_SIZE << order) / sizeof(long); i += 64)
		if (p[i] != block_pattern(page, order, i))
			return 1;
	return 0;
}

static void release(struct run *r, struct block *b)
{
	if (check(b->page, b->order))
		atomic_fetch_add_explicit(&r->corrupt, 1, memory_order_relaxed);
	__free_pages(b->page, b->order);
}

static void worker(void *info)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, GFP_USER,
				      GFP_KERNEL | __GFP_ZERO, GFP_DMA32, GFP_NOIO,
				      GFP_KERNEL | __GFP_COMP };
	struct run *r = info;
	unsigned int cpu = smp_processor_id(), next = (cpu + 1) % r->nr_cpus;
	unsigned long long rng = r->seed * 0x2545f4914f6cdd1dULL + cpu + 1;
	struct block held[HELD_PER_CPU];
	int nheld = 0;
	char sysctl_val[16];

	for (int op = 0; op < OPS_PER_CPU; op++) {
		unsigned long long x = next_rand(&rng);
		struct block *in;

		/* a block another CPU handed over: check it and free it here */
		in = atomic_exchange_explicit(&r->mailbox[cpu], NULL, memory_order_acquire);
		if (in) {
			release(r, in);
			free(in);
		}
		if ((int)cpu == r->sysctl_cpu && op % 500 == 0) {
			snprintf(sysctl_val, sizeof(sysctl_val), "%llu", 64 + x % 4096);
			mm_sysctl_write("vm.min_free_kbytes", sysctl_val);
			snprintf(sysctl_val, sizeof(sysctl_val), "%llu", 1 + (x >> 16) % 200);
			mm_sysctl_write("vm.watermark_scale_factor", sysctl_val);
		}
		if ((int)cpu == r->proc_cpu && op % 1000 == 0) {
			FILE *devnull = fopen("/dev/null", "w");

			mm_proc_show("zoneinfo", devnull);
			mm_proc_show("vmstat", devnull);
			mm_proc_show("buddyinfo", devnull);
			fclose(devnull);
		}
		if (nheld < HELD_PER_CPU && (x & 3) != 0) {
			unsigned int order = (x >> 8) % 8 ? (unsigned int)(x >> 12) % 3 :
				(unsigned int)(x >> 16) % MAX_ORDER;
			gfp_t gfp = gfps[(x >> 24) % ARRAY_SIZE(gfps)] | __GFP_NOWARN;
			int nid = (x >> 32) % 4 ? NUMA_NO_NODE : (int)((x >> 34) % num_online_nodes());
			struct page *page = alloc_pages_node(nid, gfp, order);

			if (!page) {
				atomic_fetch_add_explicit(&r->failed, 1, memory_order_relaxed);
				continue;
			}
			atomic_fetch_add_explicit(&r->allocated, 1, memory_order_relaxed);
			fill(page, order);
			held[nheld].page = page;
			held[nheld++].order = order;
		} else if (nheld) {
			int k = (int)((x >> 40) % (unsigned)nheld);
			struct block b = held[k];

			held[k] = held[--nheld];
			if ((x >> 48) & 1) {
				/* hand it to the next CPU; release pairs with its acquire */
				struct block *out = malloc(sizeof(*out));

				*out = b;
				out = atomic_exchange_explicit(&r->mailbox[next], out,
							       memory_order_acq_rel);
				atomic_fetch_add_explicit(&r->handed, 1, memory_order_relaxed);
				if (out) {
					/* displaced an unread one: free it ourselves */
					release(r, out);
					free(out);
				}
			} else {
				release(r, &b);
			}
		}
	}
	while (nheld--)
		release(r, &held[nheld]);
}

static void run_machine(const char *boot, int sysctl_cpu, int proc_cpu)
{
	struct run r = { .seed = 0x5eed, .sysctl_cpu = sysctl_cpu, .proc_cpu = proc_cpu };
	unsigned long viol = report_violations();

	printk_set_quiet(1);
	assert_int_equal(mm_boot(boot), 0);
	r.nr_cpus = num_online_cpus();
	r.mailbox = calloc(r.nr_cpus, sizeof(*r.mailbox));
	assert_int_equal(mm_on_each_cpu(worker, &r), 0);

	/* blocks still in a mailbox are freed by CPU 0 */
	assert_int_equal(mm_cpu_attach(0), 0);
	for (unsigned int k = 0; k < r.nr_cpus; k++) {
		struct block *b = atomic_load_explicit(&r.mailbox[k], memory_order_acquire);

		if (b) {
			release(&r, b);
			free(b);
		}
	}
	free(r.mailbox);
	/* the CPUs were joined: their counts are all visible */
	print_message("%s: %lu blocks allocated, %lu handed to another CPU, %lu failures\n",
		      boot, atomic_load_explicit(&r.allocated, memory_order_relaxed), atomic_load_explicit(&r.handed, memory_order_relaxed),
		      atomic_load_explicit(&r.failed, memory_order_relaxed));
	assert_int_equal(atomic_load_explicit(&r.corrupt, memory_order_relaxed), 0);
	assert_true(atomic_load_explicit(&r.allocated, memory_order_relaxed) > 0);
	assert_true(atomic_load_explicit(&r.handed, memory_order_relaxed) > 0);
	assert_int_equal(report_violations(), viol);
	assert_int_equal(allocated_pages(), 0);
	drain_all_pages(NULL);
	assert_int_equal(nr_free_pages(), totalram_pages);
	check_shutdown();
}

static void test_16_cpus_4_nodes(void **state)
{
	(void)state;
	run_machine("mem=512M nodes=4 cpus=16", -1, -1);
}

static void test_32_cpus_4_nodes(void **state)
{
	(void)state;
	run_machine("mem=256M nodes=4 cpus=32", -1, -1);
}

static void test_sysctl_and_proc_while_running(void **state)
{
	(void)state;
	run_machine("mem=128M nodes=2 cpus=8 arch=x86_32", 3, 6);
}

static void test_tight_memory(void **state)
{
	/* small zones: watermarks, failures and fallback all get exercised */
	(void)state;
	run_machine("mem=32M nodes=2 cpus=16", 0, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_16_cpus_4_nodes),
		TEST(test_32_cpus_4_nodes),
		TEST(test_sysctl_and_proc_while_running),
		TEST(test_tight_memory),
	};

	return cmocka_run_group_tests_name("stress_page_alloc", tests, NULL, NULL);
}
