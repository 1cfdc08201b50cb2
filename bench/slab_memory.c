// SPDX-License-Identifier: MIT
/*
 * bench/slab_memory.c - mmbench --slab-memory[=N]: the memory each slab
 * allocator (slab=slab, slub, slob) needs for the same live object mix.
 *
 * For each allocator in turn it boots a small machine (mem=256M, one node,
 * one CPU), makes three caches, allocates N objects of a fixed seeded mix
 * (5/8 kmalloc of 8..4096 bytes, skewed to small sizes as kernels ask;
 * 3/8 objects of the caches: 64, 192 and 600 bytes, the last with
 * SLAB_HWCACHE_ALIGN) and keeps them live; then frees every other one.
 * After each step it shrinks every cache (slab_shrink_all(): what remains
 * is what the live objects need) and reads, through public interfaces
 * only, the pages handed out over every zone (zone_info_read(): slab pages,
 * SLUB's kmalloc_large and SLOB's big blocks, everything) and the "Slab:"
 * line of /proc/meminfo (NR_SLAB_RECLAIMABLE + NR_SLAB_UNRECLAIMABLE),
 * both against the machine as it was before the mix.
 *
 * Who touches what: each allocator's run is a thread of its own (a fresh
 * task), attached as CPU 0 of a machine it booted, joined before the next
 * starts; its struct mix_job is read by the caller after the join.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmsim.h>
#include "mmbench.h"

static const struct {
	const char *name;
	unsigned int size;
	slab_flags_t flags;
} mix_caches[] = {
	{ "mix_buf_64", 64, 0 },
	{ "mix_dentry_192", 192, 0 },
	{ "mix_inode_600", 600, SLAB_HWCACHE_ALIGN },
};
#define NR_MIX_CACHES	(sizeof(mix_caches) / sizeof(mix_caches[0]))

struct mix_obj {
	void *p;
	int cache;		/* index in mix_caches[], -1: kmalloc'ed */
	unsigned int size;	/* bytes asked for */
};

/* What one step measured: against the machine before the mix. */
struct mix_step {
	unsigned long long bytes;	/* asked for by the live objects */
	long pages;			/* handed out, every zone */
	long slab_pages;		/* NR_SLAB_* */
};

/* splitmix64: the same mix on every run and machine */
static uint64_t mix_next(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 70% 8..256, 20% 257..1024, 10% 1025..4096 bytes */
static unsigned int mix_kmalloc_size(uint64_t z)
{
	unsigned int p = (unsigned int)(z % 100);

	z >>= 8;
	if (p < 70)
		return 8 + (unsigned int)(z % 249);
	if (p < 90)
		return 257 + (unsigned int)(z % 768);
	return 1025 + (unsigned int)(z % 3072);
}

static long pages_handed_out(void)
{
	struct zone_info zi;
	long n = 0;

	for_each_zone_info(zi)
		n += zi.allocated_pages;
	return n;
}

/* /proc/meminfo's "Slab:" in pages, -1 if it cannot be read */
static long slab_pages(void)
{
	char *buf = NULL, *s;
	size_t len = 0;
	long kb = -1;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -1;
	if (mm_proc_show("meminfo", f)) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	s = strstr(buf, "\nSlab:");
	if (s && sscanf(s + 6, "%ld", &kb) != 1)
		kb = -1;
	free(buf);
	return kb < 0 ? -1 : kb / (long)(PAGE_SIZE / 1024);
}

static void mix_measure(struct mix_step *st, unsigned long long bytes, long pages0, long slab0)
{
	slab_shrink_all();
	st->bytes = bytes;
	st->pages = pages_handed_out() - pages0;
	st->slab_pages = slab_pages() - slab0;
}

/* One allocator: 0, or -errno with why (boot, cache, allocation) in err. */
static int mix_run(const char *alloc, long n, struct mix_step *full, struct mix_step *half,
		   char *err, size_t errlen)
{
	struct kmem_cache *caches[NR_MIX_CACHES] = { NULL };
	unsigned long long bytes = 0;
	struct mix_obj *objs = calloc((size_t)n, sizeof(*objs));
	uint64_t x = 0x736c61626d656d00ULL;	/* "slabmem" */
	long pages0, slab0;
	char boot[128];
	int ret = 0;

	if (!objs) {
		snprintf(err, errlen, "out of host memory");
		return -ENOMEM;
	}
	/* (SLAB is the default: no slab= for it) */
	snprintf(boot, sizeof(boot), "mem=256M nodes=1 cpus=1%s%s",
		 strcmp(alloc, "slab") ? " slab=" : "", strcmp(alloc, "slab") ? alloc : "");
	ret = mm_boot(boot);
	if (ret) {
		snprintf(err, errlen, "cannot boot \"%s\": %s", boot, strerror(-ret));
		free(objs);
		return ret;
	}
	if (mm_cpu_attach(0)) {
		snprintf(err, errlen, "cannot attach CPU 0");
		ret = -EBUSY;
		goto shutdown;
	}
	for (size_t k = 0; k < NR_MIX_CACHES; k++) {
		caches[k] = kmem_cache_create(mix_caches[k].name, mix_caches[k].size, 0,
					      mix_caches[k].flags, NULL);
		if (!caches[k]) {
			snprintf(err, errlen, "kmem_cache_create(%s) failed", mix_caches[k].name);
			ret = -ENOMEM;
			goto destroy;
		}
	}
	slab_shrink_all();
	pages0 = pages_handed_out();
	slab0 = slab_pages();
	for (long i = 0; i < n; i++) {
		uint64_t z = mix_next(&x);
		unsigned int kind = (unsigned int)(z % 8);
		struct mix_obj *o = &objs[i];

		if (kind < 5) {
			o->cache = -1;
			o->size = mix_kmalloc_size(z >> 3);
			o->p = kmalloc(o->size, GFP_KERNEL);
		} else {
			o->cache = (int)(kind - 5);
			o->size = mix_caches[o->cache].size;
			o->p = kmem_cache_alloc(caches[o->cache], GFP_KERNEL);
		}
		if (!o->p) {
			snprintf(err, errlen, "allocation %ld of %u bytes failed", i, o->size);
			ret = -ENOMEM;
			goto free;
		}
		memset(o->p, 0x33, o->size);
		bytes += o->size;
	}
	mix_measure(full, bytes, pages0, slab0);
	for (long i = 1; i < n; i += 2) {
		struct mix_obj *o = &objs[i];

		if (o->cache < 0)
			kfree(o->p);
		else
			kmem_cache_free(caches[o->cache], o->p);
		o->p = NULL;
		bytes -= o->size;
	}
	mix_measure(half, bytes, pages0, slab0);
free:
	for (long i = 0; i < n; i++) {
		struct mix_obj *o = &objs[i];

		if (!o->p)
			continue;
		if (o->cache < 0)
			kfree(o->p);
		else
			kmem_cache_free(caches[o->cache], o->p);
	}
destroy:
	for (size_t k = 0; k < NR_MIX_CACHES; k++)
		if (caches[k])
			kmem_cache_destroy(caches[k]);
	mm_cpu_detach();
shutdown:
	mm_shutdown();
	free(objs);
	return ret;
}

/* One allocator's run on a thread of its own: a machine's task state
 * (current) starts fresh for each boot. */
struct mix_job {
	const char *alloc;
	long n;
	struct mix_step full, half;
	char err[160];
	int ret;
};

static void *mix_thread(void *arg)
{
	struct mix_job *job = arg;

	job->ret = mix_run(job->alloc, job->n, &job->full, &job->half, job->err,
			   sizeof(job->err));
	return NULL;
}

static void mix_print(const char *alloc, const char *what, const struct mix_step *st)
{
	double used = (double)st->pages * PAGE_SIZE;

	printf("%-5s %-11s %12llu %8ld %8ld %9.3f\n", alloc, what, st->bytes, st->pages,
	       st->slab_pages, st->bytes ? used / (double)st->bytes : 0.0);
}

int slab_memory_report(long n)
{
	static const char *const allocs[] = { "slab", "slub", "slob" };
	int failed = 0;

	printk_set_quiet(1);
	printf("slab memory: %ld live objects of a fixed mix (5/8 kmalloc 8..4096 B: 70%% up to "
	       "256, 20%% up to 1024; 3/8 of caches of 64, 192, 600 B), mem=256M cpus=1,\n"
	       "after slab_shrink_all(); pages: every zone's handed-out pages; slab: "
	       "/proc/meminfo Slab:; overhead: pages x %lu / bytes\n", n, (unsigned long)PAGE_SIZE);
	printf("%-5s %-11s %12s %8s %8s %9s\n", "slab=", "live", "bytes", "pages", "slab",
	       "overhead");
	for (size_t a = 0; a < sizeof(allocs) / sizeof(allocs[0]); a++) {
		struct mix_job job = { .alloc = allocs[a], .n = n };
		pthread_t tid;

		if (pthread_create(&tid, NULL, mix_thread, &job)) {
			snprintf(job.err, sizeof(job.err), "no thread");
			job.ret = -EAGAIN;
		} else {
			pthread_join(tid, NULL);
		}
		if (job.ret) {
			printf("%-5s skipped: %s\n", allocs[a], job.err);
			failed = 1;
			continue;
		}
		mix_print(allocs[a], "all", &job.full);
		mix_print(allocs[a], "every-other", &job.half);
	}
	return failed;
}
