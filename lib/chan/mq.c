// SPDX-License-Identifier: MIT
/*
 * Message queues: POSIX (mq_open(3)), System V (msgget(2)) and kipc's.
 * They keep message boundaries and hold up to opts.depth messages; POSIX
 * and kipc queues also order them by priority.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <unistd.h>

#include "chan.h"

/* mqueue.c's HARD_MSGSIZEMAX: the most CAP_SYS_RESOURCE may ask for. */
#define POSIX_MQ_HARD_MSGSIZE	(16u << 20)

/* mq_open() lets CAP_SYS_RESOURCE past msgsize_max; root may lack it. */
static size_t posix_mq_limit(void)
{
	if (chan_capable(CAP_SYS_RESOURCE))
		return POSIX_MQ_HARD_MSGSIZE;
	return chan_sysctl("/proc/sys/fs/mqueue/msgsize_max", 8192);
}

/*
 * A queue nobody else can find: create it under a name unique to this
 * process and remove the name at once; the descriptor keeps it alive.
 */
static int posix_mq_open(struct kipc_chan *c)
{
	static unsigned int seq;
	struct mq_attr attr = {
		.mq_maxmsg = c->opts.depth,
		.mq_msgsize = c->max_msg ? c->max_msg : 1,
	};
	char name[64];

	snprintf(name, sizeof(name), "/kipc-chan-%d-%u", (int)getpid(),
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	c->fd[0] = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600,
			   &attr);
	if (c->fd[0] < 0)
		return -1;
	mq_unlink(name);
	return 0;
}

static int posix_mq_send(struct kipc_chan *c, const void *msg, size_t len,
			 unsigned int prio)
{
	return TEMP_FAILURE_RETRY(mq_send(c->fd[0], msg, len, prio));
}

static ssize_t posix_mq_recv(struct kipc_chan *c, void *buf, size_t len,
			     unsigned int *prio)
{
	return TEMP_FAILURE_RETRY(mq_receive(c->fd[0], buf, len, prio));
}

/*
 * The module's own limit, if it is loaded (its default otherwise): a
 * process without CAP_SYS_RESOURCE may ask mq_msgsize_user_max, as
 * mq_open() allows it fs.mqueue.msgsize_max.
 */
static size_t kipcmq_limit(void)
{
	size_t max = chan_sysctl("/sys/module/kipc/parameters/mq_msgsize_max",
				 1u << 20);
	size_t user = chan_sysctl("/sys/module/kipc/parameters/mq_msgsize_user_max",
				  8192);

	return chan_capable(CAP_SYS_RESOURCE) || user > max ? max : user;
}

static int kipcmq_open(struct kipc_chan *c)
{
	struct kipc_attr attr = {
		.maxmsg = c->opts.depth,
		.msgsize = c->max_msg ? c->max_msg : 1,
	};

	if (chan_kipc_ready())
		return -1;
	c->fd[0] = kipc_open(NULL, KIPC_MQ, O_RDWR | O_CLOEXEC, 0600, &attr);
	return c->fd[0] < 0 ? -1 : 0;
}

static int kipcmq_send(struct kipc_chan *c, const void *msg, size_t len,
		       unsigned int prio)
{
	return TEMP_FAILURE_RETRY(kipc_mq_send(c->fd[0], msg, len, prio));
}

static ssize_t kipcmq_recv(struct kipc_chan *c, void *buf, size_t len,
			   unsigned int *prio)
{
	return TEMP_FAILURE_RETRY(kipc_mq_receive(c->fd[0], buf, len, prio));
}

/*
 * Batches: one kipc_mq_send_batch() or kipc_mq_receive_batch() call for
 * up to MQ_CHUNK messages, converted on the stack. A send batch stops
 * before a message that would wait (the channel layer sends the rest);
 * a receive batch waits for one and takes what else is queued, and the
 * module stops at an empty queue, so one message costs what a plain
 * receive does.
 */
#define MQ_CHUNK	64

static int kipcmq_send_batch(struct kipc_chan *c,
			     const struct kipc_chan_msg *msgs,
			     unsigned int count)
{
	struct kipc_mq_msg m[MQ_CHUNK];
	unsigned int i;

	if (count > MQ_CHUNK)
		count = MQ_CHUNK;
	for (i = 0; i < count; i++) {
		m[i].buf = msgs[i].buf;
		m[i].len = msgs[i].len;
		m[i].prio = msgs[i].prio;
	}
	return TEMP_FAILURE_RETRY(kipc_mq_send_batch(c->fd[0], m, count, NULL));
}

static int kipcmq_recv_batch(struct kipc_chan *c,
			     struct kipc_chan_msg *msgs,
			     unsigned int count)
{
	struct kipc_mq_msg m[MQ_CHUNK];
	unsigned int i;
	int n;

	if (count > MQ_CHUNK)
		count = MQ_CHUNK;
	for (i = 0; i < count; i++) {
		m[i].buf = msgs[i].buf;
		m[i].len = msgs[i].len;
	}
	n = TEMP_FAILURE_RETRY(kipc_mq_receive_batch(c->fd[0], m, count, NULL));
	for (i = 0; n > 0 && i < (unsigned int)n; i++) {
		msgs[i].len = m[i].len;
		msgs[i].prio = m[i].prio;
	}
	return n;
}

/*
 * System V: msgsnd/msgrcv take a struct msgbuf (a long type, then the
 * text), so the channel keeps one to copy through.
 */
struct sysv_msg {
	int id;
	struct msgbuf *buf;
};

static size_t sysv_msg_limit(void)
{
	return chan_sysctl("/proc/sys/kernel/msgmax", 8192);
}

/* Room for depth messages, at least one whole one (else msgsnd hangs). */
static int sysv_msg_size_queue(struct kipc_chan *c, int id)
{
	struct msqid_ds ds;
	size_t want = c->opts.depth * c->max_msg;

	if (msgctl(id, IPC_STAT, &ds))
		return -1;
	if (want <= ds.msg_qbytes)
		return 0;
	ds.msg_qbytes = want;
	if (msgctl(id, IPC_SET, &ds) == 0)
		return 0;
	return c->max_msg <= ds.msg_qbytes ? 0 : -1;
}

static int sysv_msg_open(struct kipc_chan *c)
{
	struct sysv_msg *q = calloc(1, sizeof(*q));

	if (!q)
		return -1;
	q->id = -1;
	c->priv = q;
	q->buf = malloc(sizeof(*q->buf) + c->max_msg);
	if (!q->buf)
		return -1;
	q->id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (q->id < 0)
		return -1;
	return sysv_msg_size_queue(c, q->id);
}

static int sysv_msg_send(struct kipc_chan *c, const void *msg, size_t len,
			 unsigned int prio)
{
	struct sysv_msg *q = c->priv;

	(void)prio;
	q->buf->mtype = 1;
	memcpy(q->buf->mtext, msg, len);
	return TEMP_FAILURE_RETRY(msgsnd(q->id, q->buf, len, 0));
}

static ssize_t sysv_msg_recv(struct kipc_chan *c, void *buf, size_t len,
			     unsigned int *prio)
{
	struct sysv_msg *q = c->priv;
	ssize_t n;

	(void)len;
	(void)prio;
	n = TEMP_FAILURE_RETRY(msgrcv(q->id, q->buf, c->max_msg, 0, 0));
	if (n > 0)
		memcpy(buf, q->buf->mtext, n);
	return n;
}

static void sysv_msg_close(struct kipc_chan *c, int owner)
{
	struct sysv_msg *q = c->priv;

	if (!q)
		return;
	if (owner && q->id >= 0)
		msgctl(q->id, IPC_RMID, NULL);
	free(q->buf);
	free(q);
}

const struct chan_mech chan_posix_mq = {
	.info = { "posix-mq", "message queue", "POSIX mq_send/mq_receive",
		  KIPC_CHAN_MULTI | KIPC_CHAN_PRIO },
	.limit = posix_mq_limit,
	.open = posix_mq_open,
	.send = posix_mq_send,
	.recv = posix_mq_recv,
};

const struct chan_mech chan_sysv_msg = {
	.info = { "sysv-msg", "message queue", "System V msgsnd/msgrcv",
		  KIPC_CHAN_MULTI },
	.limit = sysv_msg_limit,
	.open = sysv_msg_open,
	.send = sysv_msg_send,
	.recv = sysv_msg_recv,
	.close = sysv_msg_close,
};

const struct chan_mech chan_kipc_mq = {
	.info = { "kipc-mq", "message queue",
		  "kipc queue: per-priority FIFOs, batch calls",
		  KIPC_CHAN_MULTI | KIPC_CHAN_PRIO | KIPC_CHAN_KIPC },
	.limit = kipcmq_limit,
	.open = kipcmq_open,
	.send = kipcmq_send,
	.recv = kipcmq_recv,
	.send_batch = kipcmq_send_batch,
	.recv_batch = kipcmq_recv_batch,
};
