// SPDX-License-Identifier: MIT
/*
 * numa/blockdev.c - simulated block devices (see blockdev.h).
 *
 * Who touches what: a device's fields are set by bdev_create() before
 * anyone uses it and read-only until bdev_destroy(); reads and writes are
 * relaxed atomic counters.  pread()/pwrite() on the memfd are the copies:
 * the host kernel orders them, so two I/Os to one range are serialised by
 * their callers (the page lock), as a real device's are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mmsim/sched.h>
#include "blockdev.h"
#include "machine.h"
#include "printk.h"

unsigned long long io_latency_ns = 50000;

int bdev_create(struct block_device *bdev, const char *name, unsigned long long size)
{
	memset(bdev, 0, sizeof(*bdev));
	snprintf(bdev->name, sizeof(bdev->name), "%s", name);
	bdev->fd = memfd_create(name, MFD_CLOEXEC);
	if (bdev->fd < 0) {
		int err = errno;

		pr_err("mm_boot: %s: memfd_create: %s\n", name, strerror(err));
		return -err;
	}
	if (ftruncate(bdev->fd, (off_t)size)) {
		int err = errno;

		pr_err("mm_boot: cannot size %s to %llu bytes: %s\n", name, size, strerror(err));
		close(bdev->fd);
		bdev->fd = -1;
		return -err;
	}
	bdev->size = size;
	return 0;
}

void bdev_destroy(struct block_device *bdev)
{
	if (bdev->fd >= 0)
		close(bdev->fd);
	bdev->fd = -1;
	bdev->size = 0;
}

static int bdev_rw(struct block_device *bdev, int write, unsigned long long off,
		   void *buf, size_t len)
{
	size_t done = 0;

	if (off > bdev->size || len > bdev->size - off)
		return -EIO;
	while (done < len) {
		ssize_t n = write ? pwrite(bdev->fd, (char *)buf + done, len - done,
					   (off_t)(off + done))
				  : pread(bdev->fd, (char *)buf + done, len - done,
					  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;	/* an IPI's signal */
		if (n <= 0)
			return -EIO;
		done += (size_t)n;
	}
	__atomic_fetch_add(write ? &bdev->writes : &bdev->reads, 1, __ATOMIC_RELAXED);
	return 0;
}

int bdev_write(struct block_device *bdev, unsigned long long off, const void *buf, size_t len)
{
	return bdev_rw(bdev, 1, off, (void *)buf, len);
}

int bdev_read(struct block_device *bdev, unsigned long long off, void *buf, size_t len)
{
	return bdev_rw(bdev, 0, off, buf, len);
}

/* The task's outermost plug, NULL if none (its thread's own). */
static __thread struct blk_plug *current_plug;

void blk_start_plug(struct blk_plug *plug)
{
	plug->pending = 0;
	if (!current_plug)
		current_plug = plug;
}

static void __bdev_wait_io(void);

void blk_finish_plug(struct blk_plug *plug)
{
	if (current_plug != plug)
		return;		/* an inner plug: the outer one waits */
	current_plug = NULL;
	if (plug->pending)
		__bdev_wait_io();
}

void bdev_wait_io(void)
{
	if (current_plug) {
		current_plug->pending = 1;
		return;
	}
	__bdev_wait_io();
}

static void __bdev_wait_io(void)
{
	unsigned long long end, now;
	int word = 0;

	if (!io_latency_ns || might_sleep())
		return;
	now = mm_clock_ns();
	end = now + io_latency_ns;
	/* a futex word nobody wakes: each slice times out, answering IPIs */
	while (now < end) {
		sched_sleep_slice(&word, 0, end - now);
		now = mm_clock_ns();
	}
}
