// SPDX-License-Identifier: GPL-2.0
/*
 * Ring-buffer pipes and FIFOs.
 *
 * A byte ring of power-of-two size with free-running head and tail, as in
 * fs/pipe.c: head - tail is what the ring holds, index & (size - 1) the
 * place in it. Data is copied straight between the caller's iov_iter and
 * the ring, under the pipe's mutex (copies may fault and sleep).
 *
 * Writes are cut into records of at most PIPE_BUF bytes and each record is
 * written whole or not at all, so a write of up to PIPE_BUF bytes is atomic
 * and larger writes from several writers interleave only at PIPE_BUF
 * boundaries of each write. A record waits for room for all of it. In
 * packet mode a record is a message: a u32 length, then the bytes.
 *
 * Readers and writers sleep on their own wait queues, exclusively, so one
 * write wakes one reader. Wake-ups happen after the mutex is dropped and
 * only on transitions: a reader is woken when the ring turns non-empty, a
 * writer when the room grows past one record. A woken task that leaves
 * data (or room) behind passes the wake-up on. Polled pipes wake readers on
 * every write, as edge-triggered epoll expects (fs/pipe.c's poll_usage).
 *
 * Ends are counted per open file description: FMODE_READ handles are
 * readers, FMODE_WRITE handles writers. With no writer left an empty pipe
 * reads as EOF; with no reader left a write fails with EPIPE and SIGPIPE.
 * A named pipe opens like a FIFO (fifo(7)): O_RDONLY waits for a writer
 * and O_WRONLY for a reader unless O_NONBLOCK is given, in which case a
 * lone reader opens at once and a lone writer fails with ENXIO; O_RDWR
 * never waits. Anonymous pipes (KIPC_IOC_PIPE) never wait.
 *
 * A pipe made with KIPC_F_RING keeps its bytes in a mapped ring (ring.c)
 * instead of @ring: reads, writes, poll and the ring ioctls go there, and
 * this file keeps the ends, FIFO opens and wait queues, which it lends to
 * the ring through @ends.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pipe_fs_i.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <asm/ioctls.h>
#include <linux/wait.h>

#include "internal.h"

static unsigned int pipe_max_size = 1 << 20;
module_param(pipe_max_size, uint, 0644);
MODULE_PARM_DESC(pipe_max_size, "Largest pipe ring in bytes (EINVAL beyond)");

/* Packet header: the length of the message that follows. */
#define KIPC_PIPE_HDR	sizeof(u32)

/**
 * struct kipc_pipe - a pipe
 * @obj:             the common part
 * @packet:          KIPC_F_PACKET; immutable
 * @lock:            protects the fields below it, up to @ends_lock; held
 *                   across user copies, so taken killably, and never
 *                   under the registry lock: ->open, ->release and
 *                   ->stat, which run under it, do without @lock
 * @ring:            the bytes
 * @size:            ring size, a power of two
 * @head:            free-running index of the next byte to write
 * @tail:            free-running index of the next byte to read
 * @held:            payload bytes in the ring (packet headers excluded)
 * @high_water:      largest @held seen
 * @poll_usage:      someone polled: wake readers on every write
 * @writes:          write calls that moved data
 * @reads:           read calls that moved data
 * @bytes_in:        payload written
 * @bytes_out:       payload read
 * @ends_lock:       protects the ends below it, and with them a FIFO
 *                   open's decision and snapshot (->open)
 * @readers:         handles open for reading
 * @writers:         handles open for writing
 * @r_counter:       readers ever opened (FIFO opens wait for it to move)
 * @w_counter:       writers ever opened
 * @blocked_readers: tasks asleep in read
 * @blocked_writers: tasks asleep in write
 * @rd_wait:         readers: data or hang-up
 * @wr_wait:         writers: room or no reader left
 * @open_wait:       FIFO opens waiting for a peer
 * @mapped:          KIPC_F_RING: the mapped ring, else NULL; immutable
 * @ends:            what @mapped borrows of the above; immutable
 *
 * @head, @tail, @size, @readers, @writers and the counters are also read
 * without the lock, with READ_ONCE(), by wait conditions and poll.
 */
struct kipc_pipe {
	struct kipc_obj obj;
	bool packet;

	struct mutex lock;		/* see above */
	char *ring;
	unsigned int size;
	unsigned int head;
	unsigned int tail;
	size_t held;
	size_t high_water;
	bool poll_usage;
	u64 writes, reads;
	u64 bytes_in, bytes_out;

	spinlock_t ends_lock;		/* see above */
	unsigned int readers;
	unsigned int writers;
	unsigned long r_counter;
	unsigned long w_counter;

	atomic_t blocked_readers;
	atomic_t blocked_writers;
	wait_queue_head_t rd_wait;
	wait_queue_head_t wr_wait;
	wait_queue_head_t open_wait;

	struct kipc_ring *mapped;
	struct kipc_ring_ends ends;
};

static struct kipc_pipe *kipc_pipe(struct kipc_obj *obj)
{
	return container_of(obj, struct kipc_pipe, obj);
}

static struct kipc_pipe *kipc_pipe_of(struct file *file)
{
	return kipc_pipe(kipc_file_handle(file)->obj);
}

/* The room a writer waits for, and that POLLOUT promises: one record. */
static unsigned int kipc_pipe_record(const struct kipc_pipe *p)
{
	return PIPE_BUF + (p->packet ? KIPC_PIPE_HDR : 0);
}

static unsigned int kipc_pipe_room(const struct kipc_pipe *p)
{
	return READ_ONCE(p->size) - (READ_ONCE(p->head) - READ_ONCE(p->tail));
}

/*
 * A requested capacity as a ring size: 0 is the default, the rest is
 * rounded up to a power of two of at least KIPC_PIPE_MIN_SIZE. 0 if it
 * would pass pipe_max_size. The default shrinks to fit a pipe_max_size
 * set below it (as mq's defaults follow its maxima), so lowering the
 * limit never makes a plain open fail.
 */
static unsigned int kipc_pipe_ring_size(u64 capacity)
{
	u64 max = READ_ONCE(pipe_max_size);

	if (!capacity)
		capacity = max >= KIPC_PIPE_MIN_SIZE ?
			   min_t(u64, KIPC_PIPE_DEFAULT_SIZE,
				 rounddown_pow_of_two(min_t(u64, max,
							    KIPC_ALLOC_MAX))) :
			   KIPC_PIPE_DEFAULT_SIZE;
	capacity = max_t(u64, capacity, KIPC_PIPE_MIN_SIZE);
	if (capacity > max || capacity > KIPC_ALLOC_MAX)
		return 0;
	capacity = roundup_pow_of_two(capacity);
	return capacity > max ? 0 : capacity;
}

/* Copy between the ring at free-running index @pos and kernel memory. */
static void kipc_ring_put(struct kipc_pipe *p, unsigned int pos,
			  const void *src, size_t len)
{
	unsigned int off = pos & (p->size - 1);
	size_t first = min_t(size_t, len, p->size - off);

	memcpy(p->ring + off, src, first);
	memcpy(p->ring, src + first, len - first);
}

static void kipc_ring_get(const struct kipc_pipe *p, unsigned int pos,
			  void *dst, size_t len)
{
	unsigned int off = pos & (p->size - 1);
	size_t first = min_t(size_t, len, p->size - off);

	memcpy(dst, p->ring + off, first);
	memcpy(dst + first, p->ring, len - first);
}

/* The same with user memory; returns the bytes copied. */
static size_t kipc_ring_from_iter(struct kipc_pipe *p, unsigned int pos,
				  size_t len, struct iov_iter *from)
{
	unsigned int off = pos & (p->size - 1);
	size_t first = min_t(size_t, len, p->size - off);
	size_t n = copy_from_iter(p->ring + off, first, from);

	if (n == first && len > first)
		n += copy_from_iter(p->ring, len - first, from);
	return n;
}

static size_t kipc_ring_to_iter(const struct kipc_pipe *p, unsigned int pos,
				size_t len, struct iov_iter *to)
{
	unsigned int off = pos & (p->size - 1);
	size_t first = min_t(size_t, len, p->size - off);
	size_t n = copy_to_iter(p->ring + off, first, to);

	if (n == first && len > first)
		n += copy_to_iter(p->ring, len - first, to);
	return n;
}

/*
 * Write one record of @len bytes from @from, which the ring has room for.
 * Nothing becomes visible unless all of it was copied: -EFAULT otherwise.
 */
static int kipc_pipe_put_record(struct kipc_pipe *p, size_t len,
				struct iov_iter *from)
{
	unsigned int pos = p->head;
	u32 hdr = len;

	lockdep_assert_held(&p->lock);

	if (p->packet) {
		kipc_ring_put(p, pos, &hdr, KIPC_PIPE_HDR);
		pos += KIPC_PIPE_HDR;
	}
	if (kipc_ring_from_iter(p, pos, len, from) != len)
		return -EFAULT;

	WRITE_ONCE(p->head, pos + len);
	p->held += len;
	p->high_water = max(p->high_water, p->held);
	p->bytes_in += len;
	return 0;
}

static bool kipc_pipe_writable(struct kipc_pipe *p, unsigned int need)
{
	return kipc_pipe_room(p) >= need || !READ_ONCE(p->readers);
}

static ssize_t kipc_pipe_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct kipc_pipe *p = kipc_pipe_of(iocb->ki_filp);
	bool nonblock = (iocb->ki_filp->f_flags & O_NONBLOCK) ||
			(iocb->ki_flags & IOCB_NOWAIT);
	size_t total = iov_iter_count(from), done = 0;
	bool wake_readers = false, wake_writer;
	unsigned int hdr = p->packet ? KIPC_PIPE_HDR : 0;
	ssize_t ret = 0;

	if (!total)
		return 0;
	if (p->mapped)
		return kipc_ring_write(p->mapped, from, nonblock);

	/* Killable: the holder may be stalled in a user copy (see above). */
	if (mutex_lock_killable(&p->lock))
		return -EINTR;
	while (done < total) {
		size_t len = min_t(size_t, total - done, PIPE_BUF);
		bool was_empty;

		if (!p->readers) {
			send_sig(SIGPIPE, current, 0);
			ret = -EPIPE;
			break;
		}
		if (kipc_pipe_room(p) >= len + hdr) {
			was_empty = p->head == p->tail;
			ret = kipc_pipe_put_record(p, len, from);
			if (ret)
				break;
			done += len;
			wake_readers |= was_empty || p->poll_usage;
			continue;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}

		/* Sleep for room; let the readers at what is there first. */
		mutex_unlock(&p->lock);
		if (wake_readers)
			wake_up_interruptible_sync_poll(&p->rd_wait,
							EPOLLIN | EPOLLRDNORM);
		wake_readers = false;
		atomic_inc(&p->blocked_writers);
		ret = wait_event_interruptible_exclusive(p->wr_wait,
							 kipc_pipe_writable(p, len + hdr));
		atomic_dec(&p->blocked_writers);
		if (mutex_lock_killable(&p->lock))
			return done ?: -EINTR;	/* dying: nothing to pass on */
		if (ret)
			break;
	}
	if (done)
		p->writes++;
	wake_writer = p->readers && kipc_pipe_room(p) >= kipc_pipe_record(p);
	mutex_unlock(&p->lock);

	if (wake_readers)
		wake_up_interruptible_sync_poll(&p->rd_wait, EPOLLIN | EPOLLRDNORM);
	/* Room left over: the next writer may use it. */
	if (wake_writer && wq_has_sleeper(&p->wr_wait))
		wake_up_interruptible_poll(&p->wr_wait, EPOLLOUT | EPOLLWRNORM);
	return done ?: ret;
}

static bool kipc_pipe_readable(struct kipc_pipe *p)
{
	return READ_ONCE(p->head) != READ_ONCE(p->tail) || !READ_ONCE(p->writers);
}

/* Read from a non-empty ring; returns bytes read or -EFAULT. */
static ssize_t kipc_pipe_get(struct kipc_pipe *p, struct iov_iter *to)
{
	size_t want = iov_iter_count(to), len, n;
	u32 msg;

	lockdep_assert_held(&p->lock);

	if (!p->packet) {
		len = min_t(size_t, want, p->head - p->tail);
		n = kipc_ring_to_iter(p, p->tail, len, to);
		WRITE_ONCE(p->tail, p->tail + n);
		p->held -= n;
		p->bytes_out += n;
		return n ?: -EFAULT;
	}

	/* One message; what does not fit the buffer is discarded. */
	kipc_ring_get(p, p->tail, &msg, KIPC_PIPE_HDR);
	len = min_t(size_t, want, msg);
	if (kipc_ring_to_iter(p, p->tail + KIPC_PIPE_HDR, len, to) != len)
		return -EFAULT;
	WRITE_ONCE(p->tail, p->tail + KIPC_PIPE_HDR + msg);
	p->held -= msg;
	p->bytes_out += len;
	return len;
}

static ssize_t kipc_pipe_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct kipc_pipe *p = kipc_pipe_of(iocb->ki_filp);
	bool nonblock = (iocb->ki_filp->f_flags & O_NONBLOCK) ||
			(iocb->ki_flags & IOCB_NOWAIT);
	bool wake_writers = false, wake_reader;
	ssize_t ret;

	if (!iov_iter_count(to))
		return 0;
	if (p->mapped)
		return kipc_ring_read(p->mapped, to, nonblock);

	if (mutex_lock_killable(&p->lock))
		return -EINTR;
	for (;;) {
		if (p->head != p->tail) {
			bool was_short = kipc_pipe_room(p) < kipc_pipe_record(p);

			ret = kipc_pipe_get(p, to);
			if (ret > 0)
				p->reads++;
			wake_writers = was_short &&
				kipc_pipe_room(p) >= kipc_pipe_record(p);
			break;
		}
		if (!p->writers) {
			ret = 0;	/* EOF */
			break;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&p->lock);
		atomic_inc(&p->blocked_readers);
		ret = wait_event_interruptible_exclusive(p->rd_wait,
							 kipc_pipe_readable(p));
		atomic_dec(&p->blocked_readers);
		if (mutex_lock_killable(&p->lock))
			return -EINTR;
		if (ret)
			break;
	}
	wake_reader = p->head != p->tail;
	mutex_unlock(&p->lock);

	if (wake_writers)
		wake_up_interruptible_sync_poll(&p->wr_wait, EPOLLOUT | EPOLLWRNORM);
	/* Data left over: the next reader may take it. */
	if (wake_reader && wq_has_sleeper(&p->rd_wait))
		wake_up_interruptible_poll(&p->rd_wait, EPOLLIN | EPOLLRDNORM);
	return ret;
}

static __poll_t kipc_pipe_poll(struct file *file, poll_table *wait)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_pipe *p = kipc_pipe(h->obj);
	__poll_t mask = 0;

	WRITE_ONCE(p->poll_usage, true);
	poll_wait(file, &p->rd_wait, wait);
	poll_wait(file, &p->wr_wait, wait);

	if (p->mapped) {
		/* POLLOUT: room for a whole PIPE_BUF record, as below. */
		mask = kipc_ring_poll(p->mapped, h->fmode, PIPE_BUF +
				      (p->packet ? sizeof(struct kipc_ring_rec) : 0));
	} else {
		if ((h->fmode & FMODE_READ) &&
		    READ_ONCE(p->head) != READ_ONCE(p->tail))
			mask |= EPOLLIN | EPOLLRDNORM;
		if ((h->fmode & FMODE_WRITE) &&
		    kipc_pipe_room(p) >= kipc_pipe_record(p))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	if ((h->fmode & FMODE_READ) && !READ_ONCE(p->writers) &&
	    READ_ONCE(p->w_counter) != h->seen)
		mask |= EPOLLHUP;
	if ((h->fmode & FMODE_WRITE) && !READ_ONCE(p->readers))
		mask |= EPOLLERR;
	return mask;
}

static long kipc_pipe_ioc_setsize(struct kipc_pipe *p,
				  struct kipc_pipe_size __user *us)
{
	struct kipc_pipe_size args;
	unsigned int size, used;
	char *ring;
	int err = 0;

	if (copy_from_user(&args, us, sizeof(args)))
		return -EFAULT;
	size = args.size ? kipc_pipe_ring_size(args.size) : 0;
	if (!size)
		return -EINVAL;

	ring = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!ring)
		return -ENOMEM;

	mutex_lock(&p->lock);
	used = p->head - p->tail;
	if (used > size) {
		err = -EBUSY;
	} else if (size != p->size) {
		err = kipc_obj_recharge(&p->obj, p->size, size);
		if (!err) {
			kipc_ring_get(p, p->tail, ring, used);
			swap(p->ring, ring);
			WRITE_ONCE(p->size, size);
			WRITE_ONCE(p->tail, 0);
			WRITE_ONCE(p->head, used);
		}
	}
	args.size = p->size;
	mutex_unlock(&p->lock);

	/* The old ring, or the new one if it was not needed. */
	kvfree(ring);
	if (err)
		return err;
	wake_up_interruptible_poll(&p->wr_wait, EPOLLOUT | EPOLLWRNORM);
	return copy_to_user(us, &args, sizeof(args)) ? -EFAULT : 0;
}

static long kipc_pipe_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct kipc_pipe *p = kipc_pipe_of(file);
	int held;

	switch (cmd) {
	case FIONREAD:
		if (p->mapped)
			return put_user((int)min_t(u64, kipc_ring_held(p->mapped),
						   INT_MAX), (int __user *)arg);
		mutex_lock(&p->lock);
		held = min_t(size_t, p->held, INT_MAX);
		mutex_unlock(&p->lock);
		return put_user(held, (int __user *)arg);
	case KIPC_IOC_RING_WAIT:
	case KIPC_IOC_RING_WAKE:
	case KIPC_IOC_RING_MAPFD:
		if (!p->mapped)
			return -EINVAL;
		return kipc_ring_ioctl(p->mapped, file, cmd, arg);
	case KIPC_IOC_PIPE_SETSIZE:
		/*
		 * Resizing charges the pipe's owner: a write, as posting is
		 * for semaphores. (Linux lets either end of a pipe resize it;
		 * kipc does not let a reader of someone else's FIFO do so.)
		 */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		/* Its pages are in the mappings: the size stays. */
		if (p->mapped)
			return -EBUSY;
		return kipc_pipe_ioc_setsize(p, (void __user *)arg);
	default:
		return kipc_obj_ioctl(file, cmd, arg);
	}
}

/*
 * Count the new handle as a reader and/or a writer, under @ends_lock
 * only: this runs under the registry lock, and @lock may be held by a
 * write stalled in a user copy. A FIFO writer that will fail with ENXIO
 * (write-only, O_NONBLOCK, no reader) is decided here, under that lock,
 * and never counted, as fs/pipe.c's fifo_open()
 * fails before pipe->writers++: a reader opening meanwhile must not see
 * a writer that is about to vanish and read end of file.
 */
static void kipc_pipe_open(struct kipc_handle *h)
{
	struct kipc_pipe *p = kipc_pipe(h->obj);

	spin_lock(&p->ends_lock);
	if ((h->fmode & (FMODE_READ | FMODE_WRITE)) == FMODE_WRITE &&
	    h->nonblock && h->obj->name && !p->readers) {
		h->refused = true;
		spin_unlock(&p->ends_lock);
		return;
	}
	if (h->fmode & FMODE_READ) {
		WRITE_ONCE(p->readers, p->readers + 1);
		WRITE_ONCE(p->r_counter, p->r_counter + 1);
	}
	if (h->fmode & FMODE_WRITE) {
		WRITE_ONCE(p->writers, p->writers + 1);
		WRITE_ONCE(p->w_counter, p->w_counter + 1);
	}
	h->seen = p->w_counter;
	h->r_seen = p->r_counter;
	if (p->mapped)
		kipc_ring_ends_changed(p->mapped);
	spin_unlock(&p->ends_lock);

	/* A FIFO open may be waiting for this peer. */
	wake_up_interruptible_all(&p->open_wait);
}

/*
 * Wait for a peer, like fs/pipe.c's FIFO open: return at once if one is
 * open, else sleep until @counter moves past @seen (one opened, even if
 * it has gone again). @seen is the counter as this handle's ->open found
 * it under the pipe's lock, not as it is now: a peer that opened after
 * us, and closed again before we got here, has still been our peer.
 */
static int kipc_pipe_wait_peer(struct kipc_pipe *p, unsigned int *peers,
			       unsigned long *counter, unsigned long seen,
			       bool nonblock, int err)
{
	if (READ_ONCE(*peers) || READ_ONCE(*counter) != seen)
		return 0;
	if (nonblock)
		return err;
	if (wait_event_interruptible(p->open_wait, READ_ONCE(*counter) != seen))
		return -ERESTARTSYS;
	return 0;
}

static int kipc_pipe_open_wait(struct file *file)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_pipe *p = kipc_pipe(h->obj);
	bool nonblock = file->f_flags & O_NONBLOCK;

	switch (h->fmode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ:	/* a lone non-blocking reader is fine */
		return kipc_pipe_wait_peer(p, &p->writers, &p->w_counter,
					   h->seen, nonblock, 0);
	case FMODE_WRITE:	/* a lone non-blocking writer is not */
		if (h->refused)
			return -ENXIO;
		return kipc_pipe_wait_peer(p, &p->readers, &p->r_counter,
					   h->r_seen, nonblock, -ENXIO);
	default:
		return 0;
	}
}

static void kipc_pipe_release(struct kipc_handle *h)
{
	struct kipc_pipe *p = kipc_pipe(h->obj);
	bool last_reader = false, last_writer = false;

	if (h->refused)
		return;		/* never counted */
	spin_lock(&p->ends_lock);
	if (h->fmode & FMODE_READ) {
		WRITE_ONCE(p->readers, p->readers - 1);
		last_reader = !p->readers;
	}
	if (h->fmode & FMODE_WRITE) {
		WRITE_ONCE(p->writers, p->writers - 1);
		last_writer = !p->writers;
	}
	if (p->mapped)
		kipc_ring_ends_changed(p->mapped);
	spin_unlock(&p->ends_lock);

	/* Every sleeper must see EOF or EPIPE, not just one. */
	if (last_writer)
		wake_up_interruptible_all(&p->rd_wait);
	if (last_reader)
		wake_up_interruptible_all(&p->wr_wait);
}

static int kipc_pipe_check(const struct kipc_open *args)
{
	if (args->flags & ~(KIPC_F_PACKET | KIPC_F_RING))
		return -EINVAL;
	if (args->size_bytes || args->maxmsg || args->msgsize ||
	    args->value || args->max)
		return -EINVAL;
	if (!kipc_pipe_ring_size(args->capacity))
		return -EINVAL;
	return 0;
}

static struct kipc_obj *kipc_pipe_create_obj(const struct kipc_open *args,
					     size_t *charge)
{
	unsigned int size = kipc_pipe_ring_size(args->capacity);
	struct kipc_pipe *p;

	if (!size)
		return ERR_PTR(-EINVAL);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->size = size;
	p->packet = args->flags & KIPC_F_PACKET;
	p->ends.rd_wait = &p->rd_wait;
	p->ends.wr_wait = &p->wr_wait;
	p->ends.readers = &p->readers;
	p->ends.writers = &p->writers;
	if (args->flags & KIPC_F_RING)
		p->mapped = kipc_ring_alloc(size, p->packet, &p->ends);
	else
		p->ring = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!p->ring && !p->mapped) {
		kfree(p);
		return ERR_PTR(-ENOMEM);
	}
	mutex_init(&p->lock);
	spin_lock_init(&p->ends_lock);
	atomic_set(&p->blocked_readers, 0);
	atomic_set(&p->blocked_writers, 0);
	init_waitqueue_head(&p->rd_wait);
	init_waitqueue_head(&p->wr_wait);
	init_waitqueue_head(&p->open_wait);

	*charge = sizeof(*p) + (p->mapped ? kipc_ring_charge(size) : size);
	return &p->obj;
}

static void kipc_pipe_destroy(struct kipc_obj *obj)
{
	struct kipc_pipe *p = kipc_pipe(obj);

	if (p->mapped)
		kipc_ring_free(p->mapped);
	kvfree(p->ring);
	mutex_destroy(&p->lock);
	kfree(p);
}

static void kipc_pipe_stat(struct kipc_obj *obj, struct kipc_stat *st)
{
	struct kipc_pipe *p = kipc_pipe(obj);

	if (p->mapped) {
		kipc_ring_stat(p->mapped, st);
		return;
	}
	/*
	 * Without the lock, which a write stalled in a user copy may hold:
	 * stat runs under the registry lock for events. Word-sized fields
	 * read once each; a write in progress may be half counted.
	 */
	st->capacity = READ_ONCE(p->size);
	st->fill = READ_ONCE(p->held);
	st->high_water = READ_ONCE(p->high_water);
	st->in_ops = READ_ONCE(p->writes);
	st->out_ops = READ_ONCE(p->reads);
	st->in_bytes = READ_ONCE(p->bytes_in);
	st->out_bytes = READ_ONCE(p->bytes_out);
	st->blocked_in = atomic_read(&p->blocked_writers);
	st->blocked_out = atomic_read(&p->blocked_readers);
}

/*
 * KIPC_IOC_PIPE: an anonymous pipe's read and write ends, like pipe2(); the
 * pipe is one of @net's objects.
 */
int kipc_pipe_create(struct net *net, struct kipc_pipe_pair __user *uargs)
{
	static const u32 acc[2] = { O_RDONLY, O_WRONLY };
	struct kipc_pipe_pair args;
	struct kipc_open open = {
		.size = sizeof(open),
		.type = KIPC_PIPE,
	};

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.oflag & ~(O_NONBLOCK | O_CLOEXEC) ||
	    args.flags & ~(KIPC_F_PACKET | KIPC_F_RING))
		return -EINVAL;

	open.oflag = args.oflag;
	open.flags = args.flags;
	open.capacity = args.capacity;
	return kipc_obj_open_pair(net, &open, acc, u64_to_user_ptr(args.fds));
}

static const struct file_operations kipc_pipe_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_obj_release,
	.read_iter	= kipc_pipe_read_iter,
	.write_iter	= kipc_pipe_write_iter,
	.poll		= kipc_pipe_poll,
	.unlocked_ioctl	= kipc_pipe_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

const struct kipc_type_ops kipc_pipe_ops = {
	.name		= "pipe",
	.inode_name	= "[kipc-pipe]",
	.fops		= &kipc_pipe_fops,
	.check		= kipc_pipe_check,
	.create		= kipc_pipe_create_obj,
	.destroy	= kipc_pipe_destroy,
	.stat		= kipc_pipe_stat,
	.open		= kipc_pipe_open,
	.open_wait	= kipc_pipe_open_wait,
	.release	= kipc_pipe_release,
};
