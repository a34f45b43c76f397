// SPDX-License-Identifier: MIT
/*
 * Channels: the table of mechanisms and the checks every call shares.
 *
 * The table's order is the article's comparison table: pipes, message
 * queues, shared memory, signals, sockets, the RPC systems layered on
 * them, then the notification-only eventfd; each kipc mechanism follows
 * the native one it mirrors.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "chan.h"
#include "../internal.h"

static const struct chan_mech *const mechs[] = {
	&chan_pipe, &chan_fifo, &chan_kipc_pipe, &chan_kipc_ring,
	&chan_posix_mq, &chan_sysv_msg, &chan_kipc_mq,
	&chan_shm, &chan_kipc_shm,
	&chan_signal,
	&chan_unix_stream, &chan_unix_dgram, &chan_unix_seqpacket, &chan_tcp,
	&chan_dbus, &chan_binder, &chan_grpc, &chan_zeromq,
	&chan_eventfd,
};

#define NR_MECHS (sizeof(mechs) / sizeof(mechs[0]))

const struct kipc_chan_info *kipc_chan_mech_at(size_t i)
{
	return i < NR_MECHS ? &mechs[i]->info : NULL;
}

static const struct chan_mech *mech_by_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < NR_MECHS; i++)
		if (!strcmp(mechs[i]->info.name, name))
			return mechs[i];
	errno = ENOENT;
	return NULL;
}

const struct kipc_chan_info *kipc_chan_info(const char *name)
{
	const struct chan_mech *m = mech_by_name(name);

	return m ? &m->info : NULL;
}

ssize_t kipc_chan_limit(const char *name)
{
	const struct chan_mech *m = mech_by_name(name);

	return m ? (ssize_t)m->limit() : -1;
}

ssize_t kipc_chan_shared_limit(const char *name)
{
	const struct chan_mech *m = mech_by_name(name);
	size_t limit;

	if (!m)
		return -1;
	if (!(m->info.flags & KIPC_CHAN_MULTI)) {
		errno = EINVAL;		/* a byte stream: frames would mix */
		return -1;
	}
	limit = m->limit();
	if (m->info.flags & KIPC_CHAN_STREAM && limit > CHAN_SHARED_FRAME_MAX)
		limit = CHAN_SHARED_FRAME_MAX;
	return (ssize_t)limit;
}

const char *kipc_chan_unavailable(const char *name)
{
	const struct chan_mech *m = mech_by_name(name);

	if (!m)
		return NULL;
	if (m->unavailable)
		return m->unavailable();
	if (m->info.flags & KIPC_CHAN_KIPC && chan_kipc_ready())
		return "no kipc device (the module is not loaded)";
	return NULL;
}

size_t chan_sysctl(const char *path, size_t fallback)
{
	unsigned long long v;
	FILE *f = fopen(path, "re");
	int n;

	if (!f)
		return fallback;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	return n == 1 ? (size_t)v : fallback;
}

int chan_capable(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return 0;
	return !!(data[cap / 32].effective & (1u << (cap % 32)));
}

int chan_kipc_ready(void)
{
	if (kipc_dev_fd() >= 0)
		return 0;
	errno = ENODEV;
	return -1;
}

void chan_close_fd(struct kipc_chan *c, int i)
{
	if (c->fd[i] >= 0)
		close(c->fd[i]);
	c->fd[i] = -1;
}

struct kipc_chan *kipc_chan_open(const char *name,
				 const struct kipc_chan_opts *opts)
{
	const struct chan_mech *m = mech_by_name(name);
	struct kipc_chan *c;
	size_t limit;
	int err;

	if (!m)
		return NULL;
	limit = m->limit();
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (opts)
		c->opts = *opts;
	if (!c->opts.msg_size)
		c->opts.msg_size = limit < CHAN_DEFAULT_MSG ? limit : CHAN_DEFAULT_MSG;
	if (!c->opts.depth)
		c->opts.depth = CHAN_DEFAULT_DEPTH;
	if (!c->opts.capacity)
		c->opts.capacity = CHAN_DEFAULT_CAPACITY;
	if (c->opts.msg_size > limit) {
		free(c);
		errno = EMSGSIZE;
		return NULL;
	}
	c->mech = m;
	c->max_msg = c->opts.msg_size;
	c->owner = getpid();
	c->fd[0] = c->fd[1] = -1;
	if (m->open(c) < 0) {
		err = errno;
		kipc_chan_close(c);
		errno = err;
		return NULL;
	}
	return c;
}

int kipc_chan_attach(struct kipc_chan *c, int role)
{
	if (role != KIPC_CHAN_SENDER && role != KIPC_CHAN_RECEIVER) {
		errno = EINVAL;
		return -1;
	}
	if (c->role) {
		errno = c->role == role ? EALREADY : EINVAL;
		return -1;
	}
	c->role = role;
	if (c->mech->attach)
		return c->mech->attach(c, role);
	/*
	 * Close the end this process will not use, so EOF and EPIPE work.
	 * Mechanisms with one descriptor for both ends (queues, eventfd) or
	 * none (rings) keep what they have.
	 */
	if (c->fd[0] >= 0 && c->fd[1] >= 0)
		chan_close_fd(c, role == KIPC_CHAN_SENDER ? 0 : 1);
	return 0;
}

size_t kipc_chan_max_msg(const struct kipc_chan *c)
{
	return c->max_msg;
}

const struct kipc_chan_info *kipc_chan_mech(const struct kipc_chan *c)
{
	return &c->mech->info;
}

/* What every send checks of a message before anything is sent. */
static int chan_check_send(const struct kipc_chan *c, const void *msg,
			   size_t len, unsigned int prio)
{
	if (c->role == KIPC_CHAN_RECEIVER ||
	    (prio && !(c->mech->info.flags & KIPC_CHAN_PRIO)) ||
	    (len && !msg)) {
		errno = EINVAL;
		return -1;
	}
	if (len > c->max_msg) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* What every receive checks of a buffer before anything is taken. */
static int chan_check_recv(const struct kipc_chan *c, const void *buf,
			   size_t len)
{
	if (c->role == KIPC_CHAN_SENDER || c->reply_owed || (len && !buf)) {
		errno = EINVAL;
		return -1;
	}
	if (len < c->max_msg) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int kipc_chan_send(struct kipc_chan *c, const void *msg, size_t len,
		   unsigned int prio)
{
	if (chan_check_send(c, msg, len, prio))
		return -1;
	return c->mech->send(c, msg, len, prio);
}

ssize_t kipc_chan_recv(struct kipc_chan *c, void *buf, size_t len,
		       unsigned int *prio)
{
	if (chan_check_recv(c, buf, len))
		return -1;
	if (prio)
		*prio = 0;
	return c->mech->recv(c, buf, len, prio);
}

ssize_t kipc_chan_call(struct kipc_chan *c, const void *req, size_t len,
		       void *reply, size_t cap)
{
	if (!c->mech->call) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (chan_check_send(c, req, len, 0))
		return -1;
	if (!reply && cap) {
		errno = EINVAL;
		return -1;
	}
	if (cap < c->max_msg) {
		errno = EMSGSIZE;
		return -1;
	}
	return c->mech->call(c, req, len, reply, cap);
}

int kipc_chan_reply(struct kipc_chan *c, const void *msg, size_t len)
{
	if (!c->mech->reply) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (c->role == KIPC_CHAN_SENDER || !c->reply_owed || (len && !msg)) {
		errno = EINVAL;
		return -1;
	}
	if (len > c->max_msg) {
		errno = EMSGSIZE;
		return -1;
	}
	/* Answered, or failed for good: either way nothing is owed. */
	c->reply_owed = 0;
	return c->mech->reply(c, msg, len);
}

static int chan_check_batch(const struct kipc_chan_msg *msgs,
			    unsigned int count)
{
	if (!msgs || !count || count > KIPC_CHAN_BATCH_MAX) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int kipc_chan_send_batch(struct kipc_chan *c, const struct kipc_chan_msg *msgs,
			 unsigned int count)
{
	unsigned int i, sent = 0;
	int n;

	if (chan_check_batch(msgs, count))
		return -1;
	for (i = 0; i < count; i++)
		if (chan_check_send(c, msgs[i].buf, msgs[i].len, msgs[i].prio))
			return -1;
	/* A mechanism's batch may stop short (it would have to wait): go on. */
	while (sent < count) {
		if (c->mech->send_batch)
			n = c->mech->send_batch(c, msgs + sent, count - sent);
		else
			n = c->mech->send(c, msgs[sent].buf, msgs[sent].len,
					  msgs[sent].prio) ? -1 : 1;
		if (n < 0)
			return sent ? (int)sent : -1;
		sent += n;
	}
	return sent;
}

int kipc_chan_recv_batch(struct kipc_chan *c, struct kipc_chan_msg *msgs,
			 unsigned int count)
{
	ssize_t len;
	unsigned int i;

	if (chan_check_batch(msgs, count))
		return -1;
	for (i = 0; i < count; i++) {
		if (chan_check_recv(c, msgs[i].buf, msgs[i].len))
			return -1;
		msgs[i].prio = 0;
	}
	if (c->mech->recv_batch)
		return c->mech->recv_batch(c, msgs, count);
	len = c->mech->recv(c, msgs[0].buf, msgs[0].len, &msgs[0].prio);
	if (len < 0)
		return -1;
	msgs[0].len = len;
	return 1;
}

void kipc_chan_close(struct kipc_chan *c)
{
	int err = errno;

	if (!c)
		return;
	if (c->mech && c->mech->close)
		c->mech->close(c, c->owner == getpid());
	chan_close_fd(c, 0);
	chan_close_fd(c, 1);
	free(c);
	errno = err;
}
