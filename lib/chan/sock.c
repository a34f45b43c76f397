// SPDX-License-Identifier: MIT
/*
 * Sockets: Unix stream, datagram and seqpacket pairs from socketpair(2),
 * and a TCP connection over loopback. The two stream kinds are framed
 * (stream.c); datagrams and seqpackets keep boundaries themselves, so a
 * message is one send(2) and one recv(2).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan.h"

/* unix_dgram_sendmsg() refuses a datagram within 32 bytes of sk_sndbuf. */
#define UNIX_DGRAM_OVERHEAD	32
/*
 * With CAP_NET_ADMIN, SO_SNDBUFFORCE lifts wmem_max; stay below kmalloc's
 * reach.
 */
#define UNIX_DGRAM_ROOT_MAX	(4u << 20)

static size_t stream_limit(void)
{
	return CHAN_STREAM_MAX;
}

static size_t dgram_limit(void)
{
	size_t wmem_max;

	if (chan_capable(CAP_NET_ADMIN))
		return UNIX_DGRAM_ROOT_MAX;
	/* setsockopt doubles what it is given, up to wmem_max. */
	wmem_max = chan_sysctl("/proc/sys/net/core/wmem_max", 212992);
	return 2 * wmem_max - UNIX_DGRAM_OVERHEAD;
}

/* Byte streams cannot be shared: frames of two senders would mix. */
static int check_one_sender(struct kipc_chan *c)
{
	if (c->opts.senders > 1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int unix_stream_open(struct kipc_chan *c)
{
	int sv[2];

	if (check_one_sender(c) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	c->fd[0] = sv[0];
	c->fd[1] = sv[1];
	return 0;
}

/*
 * A send buffer that holds the largest message (with SO_SNDBUFFORCE where
 * we may), or EMSGSIZE if the kernel would refuse it.
 */
static int dgram_size_buffer(struct kipc_chan *c)
{
	int want = (int)(c->max_msg + UNIX_DGRAM_OVERHEAD);
	int got;
	socklen_t len = sizeof(got);

	if (want < (int)c->opts.capacity / 2)
		want = (int)c->opts.capacity / 2;
	if (setsockopt(c->fd[1], SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) &&
	    setsockopt(c->fd[1], SOL_SOCKET, SO_SNDBUF, &want, sizeof(want)))
		return -1;
	if (getsockopt(c->fd[1], SOL_SOCKET, SO_SNDBUF, &got, &len))
		return -1;
	if ((size_t)got < c->max_msg + UNIX_DGRAM_OVERHEAD) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

static int unix_packet_open(struct kipc_chan *c, int type)
{
	int sv[2];

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv))
		return -1;
	c->fd[0] = sv[0];
	c->fd[1] = sv[1];
	return dgram_size_buffer(c);
}

static int unix_dgram_open(struct kipc_chan *c)
{
	return unix_packet_open(c, SOCK_DGRAM);
}

static int unix_seqpacket_open(struct kipc_chan *c)
{
	return unix_packet_open(c, SOCK_SEQPACKET);
}

static int packet_send(struct kipc_chan *c, const void *msg, size_t len,
		       unsigned int prio)
{
	ssize_t n;

	(void)prio;
	n = TEMP_FAILURE_RETRY(send(c->fd[1], msg, len, 0));
	return n < 0 ? -1 : 0;
}

static ssize_t packet_recv(struct kipc_chan *c, void *buf, size_t len,
			   unsigned int *prio)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	(void)prio;
	n = TEMP_FAILURE_RETRY(recvmsg(c->fd[0], &mh, 0));
	if (n >= 0 && mh.msg_flags & MSG_TRUNC) {
		errno = EBADMSG;
		return -1;
	}
	return n;
}

/* A seqpacket's zero-length read is end of file: no sender is left. */
static int seqpacket_send(struct kipc_chan *c, const void *msg, size_t len,
			  unsigned int prio)
{
	if (!len) {
		errno = EINVAL;
		return -1;
	}
	return packet_send(c, msg, len, prio);
}

static ssize_t seqpacket_recv(struct kipc_chan *c, void *buf, size_t len,
			      unsigned int *prio)
{
	ssize_t n = packet_recv(c, buf, len, prio);

	if (n == 0) {
		errno = EPIPE;
		return -1;
	}
	return n;
}

/*
 * Batches of datagrams and seqpackets: sendmmsg(2), and recvmmsg(2) with
 * MSG_WAITFORONE (wait for the first, take what else is queued), up to
 * PACKET_CHUNK messages a call, their headers on the stack.
 */
#define PACKET_CHUNK	64

struct packet_batch {
	struct mmsghdr mh[PACKET_CHUNK];
	struct iovec iov[PACKET_CHUNK];
};

static unsigned int packet_batch_init(struct packet_batch *b,
				      const struct kipc_chan_msg *msgs,
				      unsigned int count)
{
	unsigned int i;

	if (count > PACKET_CHUNK)
		count = PACKET_CHUNK;
	memset(b->mh, 0, count * sizeof(b->mh[0]));
	for (i = 0; i < count; i++) {
		b->iov[i].iov_base = msgs[i].buf;
		b->iov[i].iov_len = msgs[i].len;
		b->mh[i].msg_hdr.msg_iov = &b->iov[i];
		b->mh[i].msg_hdr.msg_iovlen = 1;
	}
	return count;
}

static int packet_send_batch(struct kipc_chan *c,
			     const struct kipc_chan_msg *msgs,
			     unsigned int count)
{
	struct packet_batch b;

	count = packet_batch_init(&b, msgs, count);
	return TEMP_FAILURE_RETRY(sendmmsg(c->fd[1], b.mh, count, 0));
}

/* The zero-length seqpacket that means end of file is not sent. */
static int seqpacket_send_batch(struct kipc_chan *c,
				const struct kipc_chan_msg *msgs,
				unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (!msgs[i].len) {
			errno = EINVAL;
			return -1;
		}
	}
	return packet_send_batch(c, msgs, count);
}

/*
 * @eof_at_zero: a zero-length seqpacket is end of file, EPIPE if it comes
 * first; after others it ends the batch there (the next call sees it).
 */
static int packet_recv_some(struct kipc_chan *c, struct kipc_chan_msg *msgs,
			    unsigned int count, bool eof_at_zero)
{
	struct packet_batch b;
	int n, i;

	count = packet_batch_init(&b, msgs, count);
	n = TEMP_FAILURE_RETRY(recvmmsg(c->fd[0], b.mh, count, MSG_WAITFORONE,
					NULL));
	for (i = 0; i < n; i++) {
		if (b.mh[i].msg_hdr.msg_flags & MSG_TRUNC) {
			errno = EBADMSG;
			return i ? i : -1;
		}
		if (eof_at_zero && !b.mh[i].msg_len) {
			errno = EPIPE;
			return i ? i : -1;
		}
		msgs[i].len = b.mh[i].msg_len;
	}
	return n;
}

static int packet_recv_batch(struct kipc_chan *c, struct kipc_chan_msg *msgs,
			     unsigned int count)
{
	return packet_recv_some(c, msgs, count, false);
}

static int seqpacket_recv_batch(struct kipc_chan *c,
				struct kipc_chan_msg *msgs, unsigned int count)
{
	return packet_recv_some(c, msgs, count, true);
}

/*
 * Loopback TCP: listen on an ephemeral port, connect, accept, and drop the
 * listener. Nagle is off, as for any request/response protocol.
 */
static int tcp_open(struct kipc_chan *c)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t alen = sizeof(addr);
	int one = 1, lfd, ret = -1, err;

	if (check_one_sender(c))
		return -1;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -1;
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen))
		goto out;
	c->fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd[1] < 0 ||
	    connect(c->fd[1], (struct sockaddr *)&addr, sizeof(addr)))
		goto out;
	c->fd[0] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c->fd[0] < 0 ||
	    setsockopt(c->fd[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		goto out;
	ret = 0;
out:
	err = errno;
	close(lfd);
	errno = err;
	return ret;
}

const struct chan_mech chan_unix_stream = {
	.info = { "unix-stream", "socket", "AF_UNIX SOCK_STREAM pair, framed",
		  KIPC_CHAN_STREAM },
	.limit = stream_limit,
	.open = unix_stream_open,
	.send = chan_stream_send,
	.recv = chan_stream_recv,
};

const struct chan_mech chan_unix_dgram = {
	.info = { "unix-dgram", "socket", "AF_UNIX SOCK_DGRAM pair",
		  KIPC_CHAN_MULTI },
	.limit = dgram_limit,
	.open = unix_dgram_open,
	.send = packet_send,
	.recv = packet_recv,
	.send_batch = packet_send_batch,
	.recv_batch = packet_recv_batch,
};

const struct chan_mech chan_unix_seqpacket = {
	.info = { "unix-seqpacket", "socket", "AF_UNIX SOCK_SEQPACKET pair",
		  KIPC_CHAN_MULTI },
	.limit = dgram_limit,
	.open = unix_seqpacket_open,
	.send = seqpacket_send,
	.recv = seqpacket_recv,
	.send_batch = seqpacket_send_batch,
	.recv_batch = seqpacket_recv_batch,
};

const struct chan_mech chan_tcp = {
	.info = { "tcp", "socket", "TCP over loopback, Nagle off, framed",
		  KIPC_CHAN_STREAM },
	.limit = stream_limit,
	.open = tcp_open,
	.send = chan_stream_send,
	.recv = chan_stream_recv,
};
