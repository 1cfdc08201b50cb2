/* SPDX-License-Identifier: MIT */
/*
 * numa/blockdev.h - the simulated machine's block devices: a disk for
 * files and a swap device, each a memfd (touched lazily, as RAM is).
 *
 * An I/O is a copy between a kernel address and the device, then the
 * device's latency (io_latency_us=, a boot parameter) waited by the task
 * that started it, sleeping in slices that answer IPIs.  So the model's
 * I/O is synchronous: the submitter is the one who waits for completion.
 */
#ifndef NUMA_BLOCKDEV_H
#define NUMA_BLOCKDEV_H

#include <stddef.h>

struct block_device {
	char name[16];			/* read-only */
	int fd;				/* read-only: the memfd */
	unsigned long long size;	/* bytes, read-only */
	unsigned long reads, writes;	/* atomic (relaxed): I/Os done */
};

/* The latency each I/O waits after its copy, in ns (boot: io_latency_us). */
extern unsigned long long io_latency_ns;

/* A device of size bytes (zeros): 0, or -errno with a message. */
int bdev_create(struct block_device *bdev, const char *name, unsigned long long size);
void bdev_destroy(struct block_device *bdev);
/* Copy len bytes at off from (write) or to (read) buf: 0, or -EIO if the
 * range is not on the device or the host refused.  Never sleeps: callable
 * under a spinlock.  bdev_wait_io() is the latency, outside any lock. */
int bdev_write(struct block_device *bdev, unsigned long long off, const void *buf, size_t len);
int bdev_read(struct block_device *bdev, unsigned long long off, void *buf, size_t len);
/* The device's latency: sleeps io_latency_ns answering IPIs (may_sleep
 * context; from atomic context it is reported and does not wait). */
void bdev_wait_io(void);

/*
 * The kernel's block plug: between blk_start_plug() and blk_finish_plug()
 * the I/Os a task starts are in flight together, and the task waits for
 * the device's latency once, at the finish (if it started any), instead
 * of after each.  Reclaim plugs each batch it writes, as v4.19's
 * shrink_page_list() does under its caller's plug.  Nests; per task.
 */
struct blk_plug {
	int pending;			/* an I/O was started under it */
};
void blk_start_plug(struct blk_plug *plug);
void blk_finish_plug(struct blk_plug *plug);

#endif /* NUMA_BLOCKDEV_H */
