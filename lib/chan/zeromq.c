// SPDX-License-Identifier: MIT
/*
 * ZeroMQ: what many programs use instead of raw IPC. Messages go PUSH ->
 * PULL, calls REQ -> REP, both over ipc:// (Unix stream sockets) in the
 * channel's private directory. libzmq is loaded on first use (rpc.c).
 *
 * A zmq context has I/O threads, which fork() does not copy, so each
 * process makes its own when it attaches: the receiver binds, senders
 * connect (zmq retries until the bind is there). A sender's high-water
 * mark is the channel's depth, so it blocks once that many messages wait
 * in its queue. The receiver keeps zmq's default (1000 per sender): a
 * PULL socket at its mark drops what a closing PUSH still had in flight
 * (seen with libzmq 4.3.4: several senders each lost a few messages).
 * Closing a sender waits until what it sent has reached the socket
 * (linger -1), so messages outlive the sender as on a pipe;
 * zmq does not tell the receiver that its senders are gone.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "chan.h"

/* A frame is read into the caller's buffer whole: keep lengths sane. */
#define ZMQ_CHAN_MAX		CHAN_STREAM_MAX
/* Reconnect quickly while the receiver has not bound yet (default 100 ms). */
#define ZMQ_RECONNECT_MS	5
/* The smallest ZMQ_MAXMSGSIZE a handshake gets through with room to spare. */
#define ZMQ_HANDSHAKE_MIN	4096

#define ZMQ_SYMS(X) X(ctx_new) X(ctx_term) X(socket) X(close) X(setsockopt) \
		    X(bind) X(connect) X(send) X(recv) X(poll)

static struct {
#define X(f) __typeof__(zmq_##f) *f;
	ZMQ_SYMS(X)
#undef X
} zmq;

static const char *const zmq_names[] = {
#define X(f) "zmq_" #f,
	ZMQ_SYMS(X)
#undef X
};

static struct chan_lib zmq_lib = CHAN_LIB("libzmq.so.5", zmq_names, &zmq);

struct zmq_chan {
	char dir[PATH_MAX - 32];
	void *ctx;
	void *msgs;		/* PUSH (sender) or PULL (receiver) */
	void *calls;		/* REQ (sender) or REP (receiver) */
};

static const char *zeromq_unavailable(void)
{
	return chan_lib_unavailable(&zmq_lib);
}

static size_t zeromq_limit(void)
{
	return ZMQ_CHAN_MAX;
}

/* zmq's own errors (EFSM, ETERM, ...) mean the channel is broken. */
static int zmq_fail(void)
{
	if (errno >= ZMQ_HAUSNUMERO)
		errno = EPROTO;
	return -1;
}

static int zeromq_open(struct kipc_chan *c)
{
	struct zmq_chan *z;

	if (zeromq_unavailable())
		return -1;
	z = calloc(1, sizeof(*z));
	if (!z)
		return -1;
	c->priv = z;
	return chan_rundir_make(z->dir, sizeof(z->dir), "zmq");
}

static void *zmq_make_socket(struct kipc_chan *c, int type, const char *file,
			     int bind)
{
	struct zmq_chan *z = c->priv;
	int hwm = (int)c->opts.depth, linger = -1, ivl = ZMQ_RECONNECT_MS;
	/*
	 * zmq applies ZMQ_MAXMSGSIZE to the handshake's READY command too (its
	 * socket type and identity, some 40 bytes): below that no peer ever
	 * connects. Longer frames than the channel's limit are refused by
	 * zmq_take() instead.
	 */
	int64_t max = (int64_t)(c->max_msg < ZMQ_HANDSHAKE_MIN ?
				ZMQ_HANDSHAKE_MIN : c->max_msg);
	char ep[PATH_MAX];
	void *s;

	snprintf(ep, sizeof(ep), "ipc://%s/%s", z->dir, file);
	s = zmq.socket(z->ctx, type);
	if (!s)
		return NULL;
	if (zmq.setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    (!bind && zmq.setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm))) ||
	    zmq.setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq.setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl)) ||
	    (bind && zmq.setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof(max))) ||
	    (bind ? zmq.bind(s, ep) : zmq.connect(s, ep))) {
		zmq.close(s);
		return NULL;
	}
	return s;
}

static int zeromq_attach(struct kipc_chan *c, int role)
{
	struct zmq_chan *z = c->priv;
	int rx = role == KIPC_CHAN_RECEIVER;

	z->ctx = zmq.ctx_new();
	if (!z->ctx)
		return zmq_fail();
	z->msgs = zmq_make_socket(c, rx ? ZMQ_PULL : ZMQ_PUSH, "msgs", rx);
	if (z->msgs)
		z->calls = zmq_make_socket(c, rx ? ZMQ_REP : ZMQ_REQ, "calls", rx);
	return z->calls ? 0 : zmq_fail();
}

static int zeromq_send(struct kipc_chan *c, const void *msg, size_t len,
		       unsigned int prio)
{
	struct zmq_chan *z = c->priv;

	(void)prio;
	while (zmq.send(z->msgs, msg, len, 0) < 0)
		if (errno != EINTR)
			return zmq_fail();
	return 0;
}

/* One frame from @s, which is readable or will be. */
static ssize_t zmq_take(void *s, void *buf, size_t cap, int flags)
{
	int n = zmq.recv(s, buf, cap, flags);

	if (n < 0)
		return n;
	/* Longer than the channel allows (ZMQ_MAXMSGSIZE stops that). */
	if ((size_t)n > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

static ssize_t zeromq_recv(struct kipc_chan *c, void *buf, size_t len,
			   unsigned int *prio)
{
	struct zmq_chan *z = c->priv;
	zmq_pollitem_t items[2] = {
		{ .socket = z->msgs, .events = ZMQ_POLLIN },
		{ .socket = z->calls, .events = ZMQ_POLLIN },
	};
	ssize_t n;

	(void)prio;
	for (;;) {
		/* What is there already, before sleeping in zmq_poll(). */
		n = zmq_take(z->msgs, buf, len, ZMQ_DONTWAIT);
		if (n >= 0 || errno != EAGAIN)
			break;
		n = zmq_take(z->calls, buf, len, ZMQ_DONTWAIT);
		if (n >= 0) {
			c->reply_owed = 1;
			break;
		}
		if (errno != EAGAIN)
			break;
		if (zmq.poll(items, 2, -1) < 0 && errno != EINTR)
			break;
	}
	return n < 0 ? zmq_fail() : n;
}

static ssize_t zeromq_call(struct kipc_chan *c, const void *req, size_t len,
			   void *reply, size_t cap)
{
	struct zmq_chan *z = c->priv;
	ssize_t n;

	while (zmq.send(z->calls, req, len, 0) < 0)
		if (errno != EINTR)
			return zmq_fail();
	do
		n = zmq_take(z->calls, reply, cap, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? zmq_fail() : n;
}

static int zeromq_reply(struct kipc_chan *c, const void *msg, size_t len)
{
	struct zmq_chan *z = c->priv;

	while (zmq.send(z->calls, msg, len, 0) < 0)
		if (errno != EINTR)
			return zmq_fail();
	return 0;
}

static void zeromq_close(struct kipc_chan *c, int owner)
{
	struct zmq_chan *z = c->priv;

	if (!z)
		return;
	if (z->msgs)
		zmq.close(z->msgs);
	if (z->calls)
		zmq.close(z->calls);
	/* Waits for the I/O threads, and for what senders still hold. */
	if (z->ctx)
		while (zmq.ctx_term(z->ctx) && errno == EINTR)
			;
	if (owner && z->dir[0])
		chan_rundir_remove(z->dir);
	free(z);
	c->priv = NULL;
}

const struct chan_mech chan_zeromq = {
	.info = { "zeromq", "RPC", "libzmq PUSH/PULL, REQ/REP over ipc://",
		  KIPC_CHAN_MULTI | KIPC_CHAN_CALL },
	.unavailable = zeromq_unavailable,
	.limit = zeromq_limit,
	.open = zeromq_open,
	.attach = zeromq_attach,
	.send = zeromq_send,
	.recv = zeromq_recv,
	.call = zeromq_call,
	.reply = zeromq_reply,
	.close = zeromq_close,
};
