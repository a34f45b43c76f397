// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped rings: the ring of a pipe made with KIPC_F_RING, shared with the
 * processes that map it. The contract (layout, who writes which word, the
 * memory ordering, the lock and the wake-up rule) is in the uapi header,
 * under "Mapped rings"; this file is the kernel's side of it: read(2),
 * write(2) and poll(2) on such a pipe, the waits and wakes of the ring
 * ioctls, and the mappings. pipe.c keeps what every pipe has: its ends,
 * FIFO opens and the wait queues, which it lends to the ring.
 *
 * The data pages are vmap()ed twice in a row, as they are mapped into
 * user space, so a record at any position is contiguous here too and
 * every copy is one copy. The two control pages are lowmem pages used
 * through their direct mapping.
 *
 * Nothing in the shared pages is trusted. Every position the kernel uses
 * is checked against the ring's size (ring_check()) and every record
 * length against what the ring holds before a byte is copied, so a copy
 * never leaves the 2 * size bytes of the data mapping; a check that fails
 * breaks the ring for good (-EIO), which touches nothing but this pipe.
 * Every wait is interruptible and re-reads the words it waits on.
 *
 * Locking: @rd_lock serialises the kernel's readers (read(2)) so that two
 * of them never take the same bytes; the kernel's writers serialise with
 * every other writer through the shared lock word, as the mapped writers
 * do, never under a mutex, so a writer stalled in a user copy holds up
 * only this pipe's writers. @flags_lock orders the updates of the
 * kernel-owned flags words. No lock is held while sleeping.
 */
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pipe_fs_i.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "ring.h"

#define RING_REC	sizeof(struct kipc_ring_rec)

/* The bytes a payload of @len takes in the ring. */
static u64 ring_rec_bytes(const struct kipc_ring *r, u64 len)
{
	return r->packet ? ALIGN(RING_REC + len, KIPC_RING_ALIGN) : len;
}

static void ring_publish_flags(struct kipc_ring *r)
{
	u32 common = (r->packet ? KIPC_RING_PACKETS : 0) |
		     (READ_ONCE(r->broken) ? KIPC_RING_BROKEN : 0);
	u32 prod = common, cons = common;

	spin_lock(&r->flags_lock);
	if (!READ_ONCE(*r->ends->readers))
		prod |= KIPC_RING_NO_READERS;
	if (!READ_ONCE(*r->ends->writers))
		cons |= KIPC_RING_NO_WRITERS;
	WRITE_ONCE(r->prod->flags, prod);
	WRITE_ONCE(r->cons->flags, cons);
	spin_unlock(&r->flags_lock);
}

/* Give up on a ring whose shared words made no sense: -EIO from now on. */
static int ring_break(struct kipc_ring *r)
{
	if (!xchg(&r->broken, true)) {
		ring_publish_flags(r);
		wake_up_interruptible_all(r->ends->rd_wait);
		wake_up_interruptible_all(r->ends->wr_wait);
		wake_up_interruptible_all(&r->lock_wait);
	}
	return -EIO;
}

/*
 * The bytes held between @tail and @head, or -EIO if those cannot be a
 * ring's positions. Every position the kernel acts on passes here first.
 */
static s64 ring_check(struct kipc_ring *r, u64 head, u64 tail)
{
	u64 used = head - tail;

	if (READ_ONCE(r->broken))
		return -EIO;
	if (used > r->size)
		return ring_break(r);
	if (r->packet && ((head | tail) & (KIPC_RING_ALIGN - 1)))
		return ring_break(r);
	return used;
}

/* What the ring holds now, for FIONREAD, stat and poll; 0 if broken. */
static u64 ring_used(struct kipc_ring *r)
{
	/* Pairs with a producer's release store of head. */
	u64 head = smp_load_acquire(&r->prod->head);
	s64 used = ring_check(r, head, READ_ONCE(r->cons->tail));

	return used < 0 ? 0 : used;
}

/* Is what @what waits for there (or will it never come)? */
static bool ring_ready(struct kipc_ring *r, u32 what, u32 need)
{
	u64 head, tail;
	s64 used;
	u32 lock;

	if (READ_ONCE(r->broken))
		return true;
	switch (what) {
	case KIPC_RING_DATA:
		tail = READ_ONCE(r->cons->tail);
		/* Pairs with a producer's release store of head. */
		head = smp_load_acquire(&r->prod->head);
		used = ring_check(r, head, tail);
		return used != 0 || !READ_ONCE(*r->ends->writers);
	case KIPC_RING_ROOM:
		head = READ_ONCE(r->prod->head);
		/* Pairs with the consumer's release store of tail. */
		tail = smp_load_acquire(&r->cons->tail);
		used = ring_check(r, head, tail);
		return used < 0 || r->size - used >= need ||
		       !READ_ONCE(*r->ends->readers);
	default:
		lock = READ_ONCE(r->prod->lock);
		return !lock || !READ_ONCE(*r->ends->readers);
	}
}

/* The waiters word of @what, and the queue its sleepers are on. */
static u32 *ring_waiters(struct kipc_ring *r, u32 what,
			 wait_queue_head_t **wq)
{
	switch (what) {
	case KIPC_RING_DATA:
		*wq = r->ends->rd_wait;
		return &r->cons->data_waiters;
	case KIPC_RING_ROOM:
		*wq = r->ends->wr_wait;
		return &r->prod->room_waiters;
	default:
		*wq = &r->lock_wait;
		return NULL;
	}
}

/*
 * Is the process named in the lock word @lock gone, so that the lock can
 * be taken back? A process counts as gone once its last thread has
 * exited (signal->live, dropped in do_exit() before the mm and with it
 * the mapping goes). KIPC_RING_LOCK_KERNEL is held only while a kernel
 * writer says so; the id is looked up in the caller's pid namespace.
 */
static bool ring_owner_gone(struct kipc_ring *r, u32 lock)
{
	u32 owner = lock & KIPC_RING_LOCK_OWNER;
	struct task_struct *task;
	bool gone;

	if (owner == KIPC_RING_LOCK_KERNEL)
		return !atomic_read(&r->kernel_holds);
	rcu_read_lock();
	task = pid_task(find_vpid(owner), PIDTYPE_TGID);
	gone = !task || !atomic_read(&task->signal->live);
	rcu_read_unlock();
	return gone;
}

/*
 * While the lock is held: mark it as waited for, and take it back from a
 * holder that is gone. Returns true if it is free now (or was freed).
 */
static bool ring_lock_check(struct kipc_ring *r)
{
	u32 *word = &r->prod->lock;
	u32 lock = READ_ONCE(*word);

	if (!lock)
		return true;
	if (!(lock & KIPC_RING_LOCK_WAITERS)) {
		if (cmpxchg(word, lock, lock | KIPC_RING_LOCK_WAITERS) != lock)
			return true;	/* it moved: look again */
		lock |= KIPC_RING_LOCK_WAITERS;
	}
	if (ring_owner_gone(r, lock) && cmpxchg(word, lock, 0) == lock) {
		wake_up_interruptible_all(&r->lock_wait);
		return true;
	}
	return false;
}

/*
 * Sleep until @what may hold (see ring_ready()), a signal, or @deadline.
 * For DATA and ROOM the waiters word is set after joining the queue and
 * before the check, with a full barrier between: the wake-up rule of the
 * uapi header. A lock wait re-checks the holder every second besides
 * being woken when a writer unmaps or closes.
 */
static int ring_wait(struct kipc_ring *r, u32 what, u32 need, bool nonblock,
		     ktime_t *deadline)
{
	wait_queue_head_t *wq;
	u32 *waiters = ring_waiters(r, what, &wq);
	atomic_t *sleeping = what == KIPC_RING_DATA ? &r->sleeping_out :
						      &r->sleeping_in;
	DEFINE_WAIT(wait);
	ktime_t recheck;
	int ret = 0;

	atomic_inc(sleeping);
	for (;;) {
		prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
		if (waiters) {
			WRITE_ONCE(*waiters, 1);
			/* Waiters word set, then the positions read (uapi). */
			smp_mb();
		} else if (ring_lock_check(r)) {
			break;
		}
		if (ring_ready(r, what, need))
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = kipc_wait_ended(deadline);
		if (ret)
			break;
		/* A lock holder is looked at again every second at least. */
		if (!waiters) {
			recheck = ktime_add_ms(ktime_get(), MSEC_PER_SEC);
			if (deadline && ktime_before(*deadline, recheck))
				recheck = *deadline;
			kipc_schedule(&recheck);
		} else {
			kipc_schedule(deadline);
		}
	}
	finish_wait(wq, &wait);
	atomic_dec(sleeping);
	if (!ret && READ_ONCE(r->broken))
		ret = -EIO;
	return ret;
}

/* Clear @what's waiters word and wake every one of its sleepers. */
static void ring_wake(struct kipc_ring *r, u32 what)
{
	wait_queue_head_t *wq;
	u32 *waiters = ring_waiters(r, what, &wq);

	if (waiters)
		WRITE_ONCE(*waiters, 0);
	switch (what) {
	case KIPC_RING_DATA:
		wake_up_interruptible_poll(wq, EPOLLIN | EPOLLRDNORM);
		break;
	case KIPC_RING_ROOM:
		wake_up_interruptible_poll(wq, EPOLLOUT | EPOLLWRNORM);
		break;
	default:
		wake_up_interruptible_all(wq);
	}
}

/* After storing a position: wake the other side if it sleeps (step 5). */
static void ring_wake_if_waited(struct kipc_ring *r, u32 what)
{
	wait_queue_head_t *wq;
	u32 *waiters = ring_waiters(r, what, &wq);

	/* Position stored, then the waiters word loaded (uapi). */
	smp_mb();
	if (READ_ONCE(*waiters))
		ring_wake(r, what);
}

/*
 * Take the lock word for a kernel writer. O_NONBLOCK callers fail with
 * EAGAIN rather than wait for a holder that is alive.
 */
static int ring_lock(struct kipc_ring *r, bool nonblock)
{
	int ret;

	for (;;) {
		if (READ_ONCE(r->broken))
			return -EIO;
		atomic_inc(&r->kernel_holds);
		if (!cmpxchg(&r->prod->lock, 0, KIPC_RING_LOCK_KERNEL))
			return 0;
		atomic_dec(&r->kernel_holds);
		ret = ring_wait(r, KIPC_RING_LOCK, 0, nonblock, NULL);
		if (ret)
			return ret;
	}
}

static void ring_unlock(struct kipc_ring *r)
{
	u32 old = xchg(&r->prod->lock, 0);

	atomic_dec(&r->kernel_holds);
	if (old & KIPC_RING_LOCK_WAITERS)
		ring_wake(r, KIPC_RING_LOCK);
}

/*
 * Write one record of @len bytes (at most PIPE_BUF) at @head, which has
 * room for it. Nothing becomes visible unless all of it was copied.
 */
static int ring_put(struct kipc_ring *r, u64 head, size_t len,
		    struct iov_iter *from)
{
	char *at = r->data + (head & (r->size - 1));
	struct kipc_ring_rec rec = { .len = len };

	if (r->packet) {
		memcpy(at, &rec, RING_REC);
		at += RING_REC;
	}
	if (copy_from_iter(at, len, from) != len)
		return -EFAULT;
	/* Publishes the record: pairs with the consumer's acquire. */
	smp_store_release(&r->prod->head, head + ring_rec_bytes(r, len));
	return 0;
}

ssize_t kipc_ring_write(struct kipc_ring *r, struct iov_iter *from,
			bool nonblock)
{
	size_t total = iov_iter_count(from), done = 0, len;
	u64 head, tail, need;
	ssize_t ret;
	s64 used;

	ret = ring_lock(r, nonblock);
	if (ret)
		return ret;
	while (done < total) {
		if (!READ_ONCE(*r->ends->readers)) {
			send_sig(SIGPIPE, current, 0);
			ret = -EPIPE;
			break;
		}
		len = min_t(size_t, total - done, PIPE_BUF);
		need = ring_rec_bytes(r, len);
		head = READ_ONCE(r->prod->head);
		/* Pairs with the consumer's release store of tail. */
		tail = smp_load_acquire(&r->cons->tail);
		used = ring_check(r, head, tail);
		if (used < 0) {
			ret = used;
			break;
		}
		if (r->size - used >= need) {
			ret = ring_put(r, head, len, from);
			if (ret)
				break;
			done += len;
			ring_wake_if_waited(r, KIPC_RING_DATA);
			continue;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		/* Let other writers and the consumer at it while we sleep. */
		ring_unlock(r);
		ret = ring_wait(r, KIPC_RING_ROOM, need, false, NULL);
		if (!ret)
			ret = ring_lock(r, false);
		if (ret)
			goto out;
	}
	ring_unlock(r);
out:
	if (done) {
		atomic64_inc(&r->writes);
		atomic64_add(done, &r->bytes_in);
	}
	return done ?: ret;
}

/* Read from @tail, below @head, into @to; returns bytes read or -errno. */
static ssize_t ring_get(struct kipc_ring *r, u64 head, u64 tail,
			struct iov_iter *to)
{
	size_t want = iov_iter_count(to), n;
	const char *at = r->data + (tail & (r->size - 1));
	u64 len, step;

	if (!r->packet) {
		n = copy_to_iter(at, min_t(u64, want, head - tail), to);
		if (!n)
			return -EFAULT;
		/* Our reads of the bytes before the producers may reuse them. */
		smp_store_release(&r->cons->tail, tail + n);
		return n;
	}

	/* One record; what does not fit the buffer is discarded. */
	len = READ_ONCE(((const struct kipc_ring_rec *)at)->len);
	step = ring_rec_bytes(r, len);
	if (step > head - tail)
		return ring_break(r);
	n = min_t(u64, want, len);
	if (copy_to_iter(at + RING_REC, n, to) != n)
		return -EFAULT;
	/* Our reads of the record before the producers may reuse it. */
	smp_store_release(&r->cons->tail, tail + step);
	return n;
}

ssize_t kipc_ring_read(struct kipc_ring *r, struct iov_iter *to,
		       bool nonblock)
{
	u64 head, tail;
	ssize_t ret;
	s64 used;

	if (mutex_lock_interruptible(&r->rd_lock))
		return -ERESTARTSYS;
	for (;;) {
		tail = READ_ONCE(r->cons->tail);
		/* Pairs with a producer's release store of head. */
		head = smp_load_acquire(&r->prod->head);
		used = ring_check(r, head, tail);
		if (used < 0) {
			ret = used;
			break;
		}
		if (used) {
			ret = ring_get(r, head, tail, to);
			break;
		}
		if (!READ_ONCE(*r->ends->writers)) {
			/* A last write may have come just before the close. */
			/* The end count was read before head is read again. */
			smp_rmb();
			/* Pairs with the writer's release store of head. */
			if (smp_load_acquire(&r->prod->head) != tail)
				continue;
			ret = 0;
			break;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&r->rd_lock);
		ret = ring_wait(r, KIPC_RING_DATA, 0, false, NULL);
		if (ret)
			return ret;
		if (mutex_lock_interruptible(&r->rd_lock))
			return -ERESTARTSYS;
	}
	mutex_unlock(&r->rd_lock);
	if (ret > 0) {
		atomic64_inc(&r->reads);
		atomic64_add(ret, &r->bytes_out);
		ring_wake_if_waited(r, KIPC_RING_ROOM);
	}
	return ret;
}

/* Does the ring hold data (DATA), or room for @need bytes (ROOM)? */
static bool ring_has(struct kipc_ring *r, u32 what, u32 need)
{
	u64 used = ring_used(r);

	return what == KIPC_RING_DATA ? used : r->size - used >= need;
}

/*
 * One side of poll. A side found not ready sets its waiters word, so that
 * the mapped peer's next store wakes the poller (the wake-up rule; the
 * poll table entry is on the queue before the word is set), and looks
 * again.
 */
static bool ring_poll_side(struct kipc_ring *r, u32 what, u32 need)
{
	wait_queue_head_t *wq;
	u32 *waiters = ring_waiters(r, what, &wq);

	if (ring_has(r, what, need))
		return true;
	WRITE_ONCE(*waiters, 1);
	/* Announce, then look again: the wake-up rule (uapi). */
	smp_mb();
	return ring_has(r, what, need);
}

/* poll: as for any pipe, with the positions read from the shared pages. */
__poll_t kipc_ring_poll(struct kipc_ring *r, fmode_t fmode, u32 record)
{
	__poll_t mask = 0;

	if ((fmode & FMODE_READ) && ring_poll_side(r, KIPC_RING_DATA, 0))
		mask |= EPOLLIN | EPOLLRDNORM;
	if ((fmode & FMODE_WRITE) && ring_poll_side(r, KIPC_RING_ROOM, record))
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (READ_ONCE(r->broken))
		mask |= EPOLLERR;
	return mask;
}

u64 kipc_ring_held(struct kipc_ring *r)
{
	return ring_used(r);
}

void kipc_ring_stat(struct kipc_ring *r, struct kipc_stat *st)
{
	st->capacity = r->size;
	st->fill = ring_used(r);
	st->in_ops = atomic64_read(&r->writes);
	st->out_ops = atomic64_read(&r->reads);
	st->in_bytes = atomic64_read(&r->bytes_in);
	st->out_bytes = atomic64_read(&r->bytes_out);
	st->blocked_in = atomic_read(&r->sleeping_in);
	st->blocked_out = atomic_read(&r->sleeping_out);
}

/*
 * The pipe's ends changed: publish the end-of-file and no-reader flags and
 * let lock waiters look again (a writer that went may have held the lock;
 * with no reader left they must fail with EPIPE).
 */
void kipc_ring_ends_changed(struct kipc_ring *r)
{
	ring_publish_flags(r);
	wake_up_interruptible_all(&r->lock_wait);
}

/* Which end may wait for each thing, and which may wake its sleepers. */
static const struct {
	fmode_t waits, wakes;
} ring_sides[] = {
	[KIPC_RING_DATA] = { FMODE_READ, FMODE_WRITE },
	[KIPC_RING_ROOM] = { FMODE_WRITE, FMODE_READ },
	[KIPC_RING_LOCK] = { FMODE_WRITE, FMODE_WRITE },
};

static long kipc_ring_ioc_wait(struct kipc_ring *r, fmode_t fmode,
			       bool nonblock,
			       const struct kipc_ring_wait __user *uw)
{
	struct kipc_ring_wait args;
	ktime_t buf, *deadline;
	int ret;

	if (copy_from_user(&args, uw, sizeof(args)))
		return -EFAULT;
	if (args.pad || args.flags & ~KIPC_RING_TIMED)
		return -EINVAL;
	ret = kipc_deadline(args.flags & KIPC_RING_TIMED, args.timeout,
			    KIPC_DEADLINE_NEGATIVE_PASSED, &buf, &deadline);
	if (ret)
		return ret;
	if (!args.what || args.what >= ARRAY_SIZE(ring_sides))
		return -EINVAL;
	if (args.what == KIPC_RING_ROOM ? !args.need || args.need > r->size :
					  args.need)
		return -EINVAL;
	if (!(fmode & ring_sides[args.what].waits))
		return -EBADF;
	if (READ_ONCE(r->broken))
		return -EIO;
	return ring_wait(r, args.what, args.need, nonblock, deadline);
}

static long kipc_ring_ioc_wake(struct kipc_ring *r, fmode_t fmode,
			       const struct kipc_ring_wake __user *uw)
{
	struct kipc_ring_wake args;

	if (copy_from_user(&args, uw, sizeof(args)))
		return -EFAULT;
	if (args.pad)
		return -EINVAL;
	if (!args.what || args.what >= ARRAY_SIZE(ring_sides))
		return -EINVAL;
	if (!(fmode & ring_sides[args.what].wakes))
		return -EBADF;
	if (READ_ONCE(r->broken))
		return -EIO;
	ring_wake(r, args.what);
	return 0;
}

long kipc_ring_ioctl(struct kipc_ring *r, struct file *file, unsigned int cmd,
		     unsigned long arg)
{
	struct kipc_handle *h = kipc_file_handle(file);
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KIPC_IOC_RING_WAIT:
		return kipc_ring_ioc_wait(r, h->fmode,
					  file->f_flags & O_NONBLOCK, argp);
	case KIPC_IOC_RING_WAKE:
		return kipc_ring_ioc_wake(r, h->fmode, argp);
	default:
		return arg ? -EINVAL : kipc_ring_mapfd(r, file);
	}
}

/* --- Life ---------------------------------------------------------------- */

/* The bytes a ring of @size costs besides its pipe. */
size_t kipc_ring_charge(u32 size)
{
	return size + 2 * PAGE_SIZE;
}

struct kipc_ring *kipc_ring_alloc(u32 size, bool packet,
				  const struct kipc_ring_ends *ends)
{
	unsigned int nr = size >> PAGE_SHIFT, i;
	struct page **twice;
	struct kipc_ring *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	r->size = size;
	r->packet = packet;
	r->nr_pages = nr;
	r->ends = ends;
	mutex_init(&r->rd_lock);
	spin_lock_init(&r->flags_lock);
	init_waitqueue_head(&r->lock_wait);

	r->pages = kvcalloc(nr, sizeof(*r->pages), GFP_KERNEL_ACCOUNT);
	twice = kvcalloc(2 * nr, sizeof(*twice), GFP_KERNEL);
	if (!r->pages || !twice)
		goto err;
	for (i = 0; i < nr; i++) {
		r->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!r->pages[i])
			goto err;
		twice[i] = r->pages[i];
		twice[nr + i] = r->pages[i];
	}
	r->data = vmap(twice, 2 * nr, VM_MAP, PAGE_KERNEL);
	if (!r->data)
		goto err;
	kvfree(twice);
	twice = NULL;

	r->prod = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	r->cons = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!r->prod || !r->cons)
		goto err;
	r->prod->size = size;
	ring_publish_flags(r);
	return r;

err:
	kvfree(twice);
	kipc_ring_free(r);
	return NULL;
}

void kipc_ring_free(struct kipc_ring *r)
{
	unsigned int i;

	if (r->data)
		vunmap(r->data);
	for (i = 0; r->pages && i < r->nr_pages; i++)
		if (r->pages[i])
			__free_page(r->pages[i]);
	kvfree(r->pages);
	free_page((unsigned long)r->prod);
	free_page((unsigned long)r->cons);
	mutex_destroy(&r->rd_lock);
	kfree(r);
}
