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

/* The module's own limit, if it is loaded; its default otherwise. */
static size_t kipc_mq_limit(void)
{
	return chan_sysctl("/sys/module/kipc/parameters/mq_msgsize_max", 1u << 20);
}

/*
 * The receiving end takes what is queued in batches (one system call for
 * up to KIPC_BATCH messages, kipc_mq_receive_batch) and hands them out one
 * by one, as a consumer of a kipc queue would. Messages in the batch are
 * already off the queue: a higher priority sent meanwhile waits for the
 * next batch, and whatever is left in it is lost if the receiver closes.
 * Large messages are not batched (the buffer stays under BATCH_BYTES).
 */
#define KIPC_BATCH	32
#define BATCH_BYTES	(256u << 10)

struct mq_batch {
	unsigned int size;		/* messages per call */
	unsigned int next, count;	/* handed out, received */
	struct kipc_mq_msg msgs[KIPC_BATCH];
	char data[];			/* size slots of max_msg bytes */
};

static int kipc_mq_open(struct kipc_chan *c)
{
	struct kipc_attr attr = {
		.maxmsg = c->opts.depth,
		.msgsize = c->max_msg ? c->max_msg : 1,
	};
	size_t slot = c->max_msg ? c->max_msg : 1;
	unsigned int size = BATCH_BYTES / slot;
	struct mq_batch *b;

	if (chan_kipc_ready())
		return -1;
	c->fd[0] = kipc_open(NULL, KIPC_MQ, O_RDWR | O_CLOEXEC, 0600, &attr);
	if (c->fd[0] < 0)
		return -1;
	if (size > KIPC_BATCH)
		size = KIPC_BATCH;
	if (size < 2)
		return 0;
	b = calloc(1, sizeof(*b) + size * slot);
	if (!b)
		return -1;
	b->size = size;
	c->priv = b;
	return 0;
}

static void kipc_mq_close(struct kipc_chan *c, int owner)
{
	(void)owner;
	free(c->priv);
}

static int kipc_mq_chan_send(struct kipc_chan *c, const void *msg, size_t len,
			     unsigned int prio)
{
	return TEMP_FAILURE_RETRY(kipc_mq_send(c->fd[0], msg, len, prio));
}

static ssize_t kipc_mq_chan_recv(struct kipc_chan *c, void *buf, size_t len,
				 unsigned int *prio)
{
	struct mq_batch *b = c->priv;
	size_t slot = c->max_msg ? c->max_msg : 1;
	struct kipc_mq_msg *m;
	unsigned int i;
	int n;

	if (!b)
		return TEMP_FAILURE_RETRY(kipc_mq_receive(c->fd[0], buf, len, prio));
	if (b->next == b->count) {
		for (i = 0; i < b->size; i++) {
			b->msgs[i].buf = b->data + i * slot;
			b->msgs[i].len = slot;
		}
		n = TEMP_FAILURE_RETRY(kipc_mq_receive_batch(c->fd[0], b->msgs,
							      b->size, NULL));
		if (n < 0)
			return -1;
		b->next = 0;
		b->count = n;
	}
	m = &b->msgs[b->next++];
	memcpy(buf, m->buf, m->len);
	if (prio)
		*prio = m->prio;
	return m->len;
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
		  "kipc queue: per-priority FIFOs, batched receive",
		  KIPC_CHAN_MULTI | KIPC_CHAN_PRIO | KIPC_CHAN_KIPC },
	.limit = kipc_mq_limit,
	.open = kipc_mq_open,
	.send = kipc_mq_chan_send,
	.recv = kipc_mq_chan_recv,
	.close = kipc_mq_close,
};
