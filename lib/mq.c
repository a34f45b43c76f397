// SPDX-License-Identifier: MIT
/*
 * Message queues: send and receive (blocking, timed, by type, in
 * batches), attributes and notification, each one ioctl on the queue's fd.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

/* Items a batch call converts on the stack; more are malloc()ed. */
#define BATCH_STACK	32

/*
 * An ioctl on a queue fd. A descriptor that is not a kipc queue answers
 * ENOTTY; as mq_send(3) does, say EBADF.
 */
static long mq_ioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	if (ret < 0 && errno == ENOTTY)
		errno = EBADF;
	return ret;
}

/*
 * @ts as the ABI's flags and deadline: NULL is no deadline. The module
 * reads and checks it (EINVAL for a negative tv_sec or a tv_nsec outside
 * [0, 1e9), as mq_timedsend(2); EFAULT if it cannot be read).
 */
static void mq_deadline(const struct timespec *ts, __u32 *flags, __u64 *timeout)
{
	*timeout = kipc_timeout_ptr(ts);
	if (ts)
		*flags |= KIPC_MQ_TIMED;
}

int kipc_mq_timedsend(int fd, const void *msg, size_t len, unsigned prio,
		      const struct timespec *abs_timeout)
{
	struct kipc_mq_send args;

	memset(&args, 0, sizeof(args));
	mq_deadline(abs_timeout, &args.flags, &args.timeout);
	args.msg = (uintptr_t)msg;
	args.len = len;
	args.prio = prio;
	return mq_ioctl(fd, KIPC_IOC_MQ_SEND, &args) < 0 ? -1 : 0;
}

int kipc_mq_send(int fd, const void *msg, size_t len, unsigned prio)
{
	return kipc_mq_timedsend(fd, msg, len, prio, NULL);
}

/* Receive with selector flags @sel for priority @sel_prio. */
static ssize_t mq_receive_sel(int fd, void *buf, size_t len, unsigned *prio,
			      uint32_t sel, uint32_t sel_prio,
			      const struct timespec *abs_timeout)
{
	struct kipc_mq_receive args;
	long ret;

	memset(&args, 0, sizeof(args));
	mq_deadline(abs_timeout, &args.flags, &args.timeout);
	args.buf = (uintptr_t)buf;
	args.len = len;
	args.flags |= sel;
	args.sel_prio = sel_prio;
	ret = mq_ioctl(fd, KIPC_IOC_MQ_RECEIVE, &args);
	if (ret < 0)
		return -1;
	if (prio)
		*prio = args.prio;
	return ret;
}

ssize_t kipc_mq_timedreceive(int fd, void *buf, size_t len, unsigned *prio,
			     const struct timespec *abs_timeout)
{
	return mq_receive_sel(fd, buf, len, prio, 0, 0, abs_timeout);
}

ssize_t kipc_mq_receive(int fd, void *buf, size_t len, unsigned *prio)
{
	return mq_receive_sel(fd, buf, len, prio, 0, 0, NULL);
}

ssize_t kipc_mq_receive_type(int fd, void *buf, size_t len, unsigned *prio,
			     long msgtyp, const struct timespec *abs_timeout)
{
	if (msgtyp <= -KIPC_MQ_PRIO_MAX || msgtyp >= KIPC_MQ_PRIO_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (msgtyp > 0)
		return mq_receive_sel(fd, buf, len, prio, KIPC_MQ_SEL_EXACT,
				      msgtyp, abs_timeout);
	if (msgtyp < 0)
		return mq_receive_sel(fd, buf, len, prio, KIPC_MQ_SEL_AT_MOST,
				      -msgtyp, abs_timeout);
	return mq_receive_sel(fd, buf, len, prio, 0, 0, abs_timeout);
}

int kipc_mq_getattr(int fd, struct kipc_mq_attr *attr)
{
	struct kipc_mq_info info;

	if (!attr) {
		errno = EINVAL;
		return -1;
	}
	memset(&info, 0, sizeof(info));
	if (mq_ioctl(fd, KIPC_IOC_MQ_GETATTR, &info) < 0)
		return -1;
	attr->flags = info.flags;
	attr->maxmsg = info.maxmsg;
	attr->msgsize = info.msgsize;
	attr->curmsgs = info.curmsgs;
	return 0;
}

int kipc_mq_notify(int fd, const struct sigevent *sev)
{
	struct kipc_mq_notify args;

	memset(&args, 0, sizeof(args));
	if (!sev) {
		args.how = KIPC_MQ_NOTIFY_OFF;
	} else if (sev->sigev_notify == SIGEV_NONE) {
		args.how = KIPC_MQ_NOTIFY_NONE;
	} else if (sev->sigev_notify == SIGEV_SIGNAL) {
		/*
		 * 0 registers and sends nothing, as Linux's mq_notify, which
		 * also checks this before the descriptor (EINVAL, not EBADF).
		 */
		if (sev->sigev_signo < 0 || sev->sigev_signo >= _NSIG) {
			errno = EINVAL;
			return -1;
		}
		args.how = KIPC_MQ_NOTIFY_SIGNAL;
		args.signo = sev->sigev_signo;
		/* The whole union: sival_int shares its bytes. */
		args.value = (uintptr_t)sev->sigev_value.sival_ptr;
	} else {
		errno = EINVAL;
		return -1;
	}
	return mq_ioctl(fd, KIPC_IOC_MQ_NOTIFY, &args) < 0 ? -1 : 0;
}

/*
 * One batch ioctl over @count of @msgs, converted to the ABI's items and,
 * for a receive, back again.
 */
static int mq_batch(int fd, unsigned long cmd, struct kipc_mq_msg *msgs,
		    unsigned count, const struct timespec *abs_timeout)
{
	struct kipc_mq_item stack[BATCH_STACK], *items = stack;
	struct kipc_mq_batch args;
	unsigned i;
	long ret;

	memset(&args, 0, sizeof(args));
	mq_deadline(abs_timeout, &args.flags, &args.timeout);
	if (!msgs || !count || count > KIPC_MQ_BATCH_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (count > BATCH_STACK) {
		items = calloc(count, sizeof(*items));
		if (!items)
			return -1;
	}
	for (i = 0; i < count; i++) {
		memset(&items[i], 0, sizeof(items[i]));
		items[i].buf = (uintptr_t)msgs[i].buf;
		items[i].len = msgs[i].len;
		items[i].prio = msgs[i].prio;
	}
	args.items = (uintptr_t)items;
	args.count = count;

	ret = mq_ioctl(fd, cmd, &args);
	if (ret > 0 && cmd == KIPC_IOC_MQ_RECEIVE_BATCH) {
		for (i = 0; i < ret; i++) {
			msgs[i].len = items[i].len;
			msgs[i].prio = items[i].prio;
		}
	}
	if (items != stack) {
		int err = errno;

		free(items);
		errno = err;
	}
	return ret < 0 ? -1 : (int)ret;
}

int kipc_mq_send_batch(int fd, const struct kipc_mq_msg *msgs, unsigned count,
		       const struct timespec *abs_timeout)
{
	/* Not written to for a send. */
	return mq_batch(fd, KIPC_IOC_MQ_SEND_BATCH, (struct kipc_mq_msg *)msgs,
			count, abs_timeout);
}

int kipc_mq_receive_batch(int fd, struct kipc_mq_msg *msgs, unsigned count,
			  const struct timespec *abs_timeout)
{
	return mq_batch(fd, KIPC_IOC_MQ_RECEIVE_BATCH, msgs, count,
			abs_timeout);
}
