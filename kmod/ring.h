/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside a mapped ring: shared by ring.c (the protocol's kernel side) and
 * ring_map.c (the mappings). Everything else sees struct kipc_ring only
 * through the functions in internal.h.
 */
#ifndef _KIPC_RING_H
#define _KIPC_RING_H

#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "internal.h"

/**
 * struct kipc_ring - a mappable ring
 * @size:       data bytes, a power of two; immutable
 * @packet:     records (KIPC_F_PACKET); immutable
 * @nr_pages:   @size in pages; immutable
 * @pages:      the data pages; immutable
 * @data:       the data pages mapped twice in a row
 * @prod:       the producer page (shared)
 * @cons:       the consumer page (shared)
 * @broken:     the shared words made no sense once: every call is -EIO
 * @kernel_holds: the kernel's writers hold the lock word (a process that
 *              stores KIPC_RING_LOCK_KERNEL in it does not)
 * @rd_lock:    serialises the kernel's readers
 * @flags_lock: serialises updates of the flags words
 * @lock_wait:  writers waiting for the lock word
 * @ends:       the pipe's wait queues and end counts (pipe.c)
 * @sleeping_in:  tasks asleep for room or for the lock (stat's blocked_in)
 * @sleeping_out: tasks asleep for data (stat's blocked_out)
 * @writes:     write(2) calls that moved data (mapped writers are unseen)
 * @reads:      read(2) calls that moved data (mapped readers are unseen)
 * @bytes_in:   bytes write(2) moved
 * @bytes_out:  bytes read(2) moved
 */
struct kipc_ring {
	u32 size;
	bool packet;
	unsigned int nr_pages;
	struct page **pages;
	void *data;
	struct kipc_ring_prod *prod;
	struct kipc_ring_cons *cons;
	bool broken;
	atomic_t kernel_holds;
	struct mutex rd_lock;		/* kernel readers */
	spinlock_t flags_lock;		/* the flags words */
	wait_queue_head_t lock_wait;
	const struct kipc_ring_ends *ends;
	atomic_t sleeping_in, sleeping_out;
	atomic64_t writes, reads, bytes_in, bytes_out;
};

/* ring_map.c */
long kipc_ring_mapfd(struct kipc_ring *r, struct file *end);

#endif /* _KIPC_RING_H */
