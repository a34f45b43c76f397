// SPDX-License-Identifier: MIT
/*
 * gRPC: HTTP/2 over a Unix socket in the channel's private directory,
 * through libgrpc's C core (loaded on first use, rpc.c) with local (UDS)
 * credentials and raw bytes for payloads, so no code generator is needed.
 * Two methods:
 *   /kipc.Chan/Push  a client stream: a sender opens it with its first
 *                    message and sends every message on it; closing the
 *                    sender half-closes it and waits for the status
 *   /kipc.Chan/Call  a unary call: a request and its reply
 *
 * gRPC runs its own threads, which fork() does not copy, so each process
 * starts it when it attaches. The receiver's server is pumped by a thread
 * of its own: it takes new calls and reads messages into an inbox of
 * opts.depth messages, which kipc_chan_recv() empties; a stream whose
 * next message finds the inbox over full waits (HTTP/2 flow control then
 * holds its sender back) until the receiver takes one. So a sender can
 * close, and its messages arrive, while nobody receives, as on a pipe.
 *
 * Locking: the inbox, the paused streams and the live calls are under
 * g->lock; gRPC's own calls are thread-safe. Once closing starts no
 * operation is started (g->stopping), as the completion queue is shut.
 */
#include <errno.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"

#define GRPC_CHAN_MAX		(16u << 20)
#define GRPC_SOCKET		"grpc.sock"
#define METHOD_PUSH		"/kipc.Chan/Push"
#define METHOD_CALL		"/kipc.Chan/Call"
/* Reconnect at once while the receiver is not listening yet (gRPC: 1 s). */
#define GRPC_BACKOFF_MS		10

#define GRPC_SYMS(X) X(init) X(shutdown_blocking) \
	X(completion_queue_create_for_next) X(completion_queue_create_for_pluck) \
	X(completion_queue_next) X(completion_queue_pluck) \
	X(completion_queue_shutdown) X(completion_queue_destroy) \
	X(server_create) X(server_register_completion_queue) \
	X(server_add_http2_port) X(server_start) X(server_request_call) \
	X(server_shutdown_and_notify) X(server_cancel_all_calls) \
	X(server_destroy) X(channel_create) X(channel_destroy) \
	X(channel_create_call) X(call_start_batch) X(call_unref) \
	X(local_credentials_create) X(local_server_credentials_create) \
	X(channel_credentials_release) X(server_credentials_release) \
	X(raw_byte_buffer_create) X(byte_buffer_destroy) \
	X(byte_buffer_length) X(byte_buffer_reader_init) \
	X(byte_buffer_reader_next) X(byte_buffer_reader_destroy) \
	X(slice_from_copied_buffer) X(slice_from_static_string) \
	X(slice_unref) X(slice_str_cmp) X(metadata_array_init) \
	X(metadata_array_destroy) X(call_details_init) X(call_details_destroy)

static struct {
#define X(f) __typeof__(grpc_##f) *f;
	GRPC_SYMS(X)
#undef X
	__typeof__(gpr_inf_future) *inf_future;
} grpc;

static const char *const grpc_names[] = {
#define X(f) "grpc_" #f,
	GRPC_SYMS(X)
#undef X
	"gpr_inf_future",
};

static struct chan_lib grpc_lib = CHAN_LIB("libgrpc.so.29", grpc_names, &grpc);

/* What a completion is for: the low bits of its tag. */
enum {
	TAG_NEW_CALL,		/* grpc_server_request_call() */
	TAG_RECV,		/* a message read, or none: the stream ended */
	TAG_FINISH,		/* the status sent, the call over */
	TAG_SHUTDOWN,		/* the server has stopped */
	TAG_MASK = 3,
};

struct grpc_chan;

/* A call at the server. */
struct rcall {
	struct grpc_chan *g;
	struct rcall *prev, *next;	/* g->calls */
	struct rcall *next_paused;	/* g->paused */
	grpc_call *call;
	grpc_call_details details;
	grpc_metadata_array md;
	grpc_byte_buffer *in;		/* what TAG_RECV read */
	grpc_byte_buffer *out;		/* the reply being sent */
	int unary;			/* METHOD_CALL, else a Push stream */
	int cancelled;
} __attribute__((aligned(8)));

/* A message the pump took, waiting for kipc_chan_recv(). */
struct inbox_msg {
	struct inbox_msg *next;
	grpc_byte_buffer *bb;
	struct rcall *call;		/* a call to answer, or NULL */
};

struct grpc_chan {
	char dir[PATH_MAX - 32];
	int started;			/* grpc_init() in this process */
	grpc_completion_queue *cq;
	/* Sender. */
	grpc_channel *channel;
	grpc_call *push;		/* the stream, once started */
	/* Receiver. */
	grpc_server *server;
	pthread_t pump;
	int pumping;
	pthread_mutex_t lock;		/* guards head..queued, paused and
					 * calls; stopping is set under it */
	pthread_cond_t more;		/* the inbox got a message */
	struct inbox_msg *head, **tail;
	unsigned int queued, depth;
	struct rcall *paused;
	struct rcall calls;		/* list head of live calls */
	struct rcall *serving;		/* the call kipc_chan_reply() answers */
	int started_server, stopping, broken;
};

static const char *grpc_unavailable(void)
{
	return chan_lib_unavailable(&grpc_lib);
}

static size_t grpc_limit(void)
{
	return GRPC_CHAN_MAX;
}

static gpr_timespec forever(void)
{
	return grpc.inf_future(GPR_CLOCK_REALTIME);
}

static int grpc_chan_open(struct kipc_chan *c)
{
	struct grpc_chan *g;

	if (grpc_unavailable()) {
		errno = ENODEV;
		return -1;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	c->priv = g;
	g->depth = c->opts.depth;
	g->tail = &g->head;
	g->calls.prev = g->calls.next = &g->calls;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->more, NULL);
	return chan_rundir_make(g->dir, sizeof(g->dir), "grpc");
}

/* The channel arguments both ends use: message sizes, quick reconnects. */
static grpc_channel_args *chan_args(struct kipc_chan *c, grpc_arg *a)
{
	static grpc_channel_args args;
	int max = (int)c->max_msg + 64;

	a[0] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
			   { .integer = max } };
	a[1] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
			   { .integer = max } };
	a[2] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
			   { .integer = GRPC_BACKOFF_MS } };
	a[3] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
			   { .integer = GRPC_BACKOFF_MS } };
	a[4] = (grpc_arg){ GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
			   { .integer = 10 * GRPC_BACKOFF_MS } };
	args.num_args = 5;
	args.args = a;
	return &args;
}

static void *tag_of(struct rcall *rc, int kind)
{
	return (void *)((uintptr_t)rc | kind);
}

/* A byte buffer holding a copy of @len bytes at @msg. */
static grpc_byte_buffer *buffer_of(const void *msg, size_t len)
{
	grpc_slice s = grpc.slice_from_copied_buffer(msg ? msg : "", len);
	grpc_byte_buffer *bb = grpc.raw_byte_buffer_create(&s, 1);

	grpc.slice_unref(s);
	return bb;
}

/* Copy @bb to @buf of @cap bytes and free it; its length, or -1. */
static ssize_t take_buffer(grpc_byte_buffer *bb, void *buf, size_t cap)
{
	size_t len = grpc.byte_buffer_length(bb), off = 0;
	grpc_byte_buffer_reader r;
	grpc_slice s;

	if (len > cap || !grpc.byte_buffer_reader_init(&r, bb)) {
		grpc.byte_buffer_destroy(bb);
		errno = len > cap ? EMSGSIZE : EPROTO;
		return -1;
	}
	while (grpc.byte_buffer_reader_next(&r, &s)) {
		memcpy((char *)buf + off, GRPC_SLICE_START_PTR(s),
		       GRPC_SLICE_LENGTH(s));
		off += GRPC_SLICE_LENGTH(s);
		grpc.slice_unref(s);
	}
	grpc.byte_buffer_reader_destroy(&r);
	grpc.byte_buffer_destroy(bb);
	return off;
}

/* ---- the receiver: a server and its pump ---- */

static void rcall_free(struct rcall *rc)
{
	struct grpc_chan *g = rc->g;

	pthread_mutex_lock(&g->lock);
	rc->prev->next = rc->next;
	rc->next->prev = rc->prev;
	pthread_mutex_unlock(&g->lock);
	if (rc->call)
		grpc.call_unref(rc->call);
	if (rc->in)
		grpc.byte_buffer_destroy(rc->in);
	if (rc->out)
		grpc.byte_buffer_destroy(rc->out);
	grpc.metadata_array_destroy(&rc->md);
	grpc.call_details_destroy(&rc->details);
	free(rc);
}

/* Ask for the next incoming call. */
static int request_call(struct grpc_chan *g)
{
	struct rcall *rc = calloc(1, sizeof(*rc));

	if (!rc)
		return -1;
	rc->g = g;
	grpc.call_details_init(&rc->details);
	grpc.metadata_array_init(&rc->md);
	pthread_mutex_lock(&g->lock);
	rc->next = g->calls.next;
	rc->prev = &g->calls;
	rc->next->prev = rc;
	g->calls.next = rc;
	pthread_mutex_unlock(&g->lock);
	if (grpc.server_request_call(g->server, &rc->call, &rc->details, &rc->md,
				     g->cq, g->cq, tag_of(rc, TAG_NEW_CALL))) {
		rcall_free(rc);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static void start_recv(struct rcall *rc)
{
	grpc_op op = { .op = GRPC_OP_RECV_MESSAGE };

	op.data.recv_message.recv_message = &rc->in;
	grpc.call_start_batch(rc->call, &op, 1, tag_of(rc, TAG_RECV), NULL);
}

/* End the call: @out (if any) as its message, then @status. */
static void finish(struct rcall *rc, grpc_byte_buffer *out,
		   grpc_status_code status)
{
	grpc_op ops[4] = {
		{ .op = GRPC_OP_SEND_INITIAL_METADATA },
		{ .op = GRPC_OP_SEND_STATUS_FROM_SERVER },
		{ .op = GRPC_OP_RECV_CLOSE_ON_SERVER },
		{ .op = GRPC_OP_SEND_MESSAGE },
	};

	rc->out = out;
	ops[1].data.send_status_from_server.status = status;
	ops[2].data.recv_close_on_server.cancelled = &rc->cancelled;
	ops[3].data.send_message.send_message = out;
	grpc.call_start_batch(rc->call, ops, out ? 4 : 3,
			      tag_of(rc, TAG_FINISH), NULL);
}

/* A message of @rc was read: into the inbox. Under g->lock. */
static void inbox_add(struct grpc_chan *g, struct rcall *rc)
{
	struct inbox_msg *m = malloc(sizeof(*m));

	if (!m) {
		g->broken = ENOMEM;
		return;
	}
	m->next = NULL;
	m->bb = rc->in;
	m->call = rc->unary ? rc : NULL;
	rc->in = NULL;
	*g->tail = m;
	g->tail = &m->next;
	g->queued++;
	pthread_cond_signal(&g->more);
	/* A stream reads on while there is room, else waits for some. */
	if (rc->unary)
		return;
	if (g->queued <= g->depth) {
		start_recv(rc);
	} else {
		rc->next_paused = g->paused;
		g->paused = rc;
	}
}

/*
 * The pump reads g->stopping without g->lock (it is set under it, and the
 * queue is shut right after, so a late read only costs one more event):
 * an atomic load, so that the read is not a data race.
 */
static int stopping(struct grpc_chan *g)
{
	return __atomic_load_n(&g->stopping, __ATOMIC_ACQUIRE);
}

static void on_new_call(struct grpc_chan *g, struct rcall *rc, int ok)
{
	if (!ok || stopping(g)) {
		rcall_free(rc);
		return;
	}
	if (request_call(g)) {
		pthread_mutex_lock(&g->lock);
		g->broken = errno;
		pthread_cond_signal(&g->more);
		pthread_mutex_unlock(&g->lock);
	}
	rc->unary = !grpc.slice_str_cmp(rc->details.method, METHOD_CALL);
	if (!rc->unary && grpc.slice_str_cmp(rc->details.method, METHOD_PUSH))
		finish(rc, NULL, GRPC_STATUS_UNIMPLEMENTED);
	else
		start_recv(rc);
}

static void on_recv(struct grpc_chan *g, struct rcall *rc, int ok)
{
	if (stopping(g)) {
		rcall_free(rc);
		return;
	}
	if (ok && rc->in) {
		pthread_mutex_lock(&g->lock);
		inbox_add(g, rc);
		pthread_mutex_unlock(&g->lock);
		return;
	}
	/* The stream's end (or a call without its message): the status. */
	finish(rc, NULL, rc->unary ? GRPC_STATUS_INVALID_ARGUMENT : GRPC_STATUS_OK);
}

static void *pump(void *arg)
{
	struct grpc_chan *g = arg;
	struct rcall *rc;
	grpc_event ev;

	for (;;) {
		ev = grpc.completion_queue_next(g->cq, forever(), NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		rc = (struct rcall *)((uintptr_t)ev.tag & ~(uintptr_t)TAG_MASK);
		switch ((uintptr_t)ev.tag & TAG_MASK) {
		case TAG_NEW_CALL:
			on_new_call(g, rc, ev.success);
			break;
		case TAG_RECV:
			on_recv(g, rc, ev.success);
			break;
		case TAG_FINISH:
			rcall_free(rc);
			break;
		case TAG_SHUTDOWN:
			grpc.completion_queue_shutdown(g->cq);
			break;
		}
	}
	return NULL;
}

static int serve(struct kipc_chan *c)
{
	struct grpc_chan *g = c->priv;
	grpc_server_credentials *creds;
	char addr[PATH_MAX];
	grpc_arg a[5];
	int port;

	g->server = grpc.server_create(chan_args(c, a), NULL);
	if (!g->server)
		goto fail;
	grpc.server_register_completion_queue(g->server, g->cq, NULL);
	snprintf(addr, sizeof(addr), "unix:%s/" GRPC_SOCKET, g->dir);
	creds = grpc.local_server_credentials_create(UDS);
	port = grpc.server_add_http2_port(g->server, addr, creds);
	grpc.server_credentials_release(creds);
	if (!port)
		goto fail;
	grpc.server_start(g->server);
	g->started_server = 1;
	if (request_call(g))
		return -1;
	errno = pthread_create(&g->pump, NULL, pump, g);
	if (errno)
		return -1;
	g->pumping = 1;
	return 0;
fail:
	errno = EPROTO;
	return -1;
}

static int grpc_chan_attach(struct kipc_chan *c, int role)
{
	struct grpc_chan *g = c->priv;
	grpc_channel_credentials *creds;
	char target[PATH_MAX];
	grpc_arg a[5];

	grpc.init();
	g->started = 1;
	if (role == KIPC_CHAN_RECEIVER) {
		g->cq = grpc.completion_queue_create_for_next(NULL);
		return g->cq ? serve(c) : -1;
	}
	g->cq = grpc.completion_queue_create_for_pluck(NULL);
	snprintf(target, sizeof(target), "unix:%s/" GRPC_SOCKET, g->dir);
	creds = grpc.local_credentials_create(UDS);
	g->channel = grpc.channel_create(target, creds, chan_args(c, a));
	grpc.channel_credentials_release(creds);
	if (!g->cq || !g->channel) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static ssize_t grpc_chan_recv(struct kipc_chan *c, void *buf, size_t len,
			      unsigned int *prio)
{
	struct grpc_chan *g = c->priv;
	grpc_byte_buffer *bb;
	struct inbox_msg *m;
	struct rcall *rc;
	ssize_t n;

	(void)prio;
	pthread_mutex_lock(&g->lock);
	while (!g->head && !g->broken)
		pthread_cond_wait(&g->more, &g->lock);
	m = g->head;
	if (!m) {
		pthread_mutex_unlock(&g->lock);
		errno = g->broken;
		return -1;
	}
	g->head = m->next;
	if (!g->head)
		g->tail = &g->head;
	g->queued--;
	/* Room again: the waiting streams read on. */
	while (g->paused && g->queued <= g->depth) {
		rc = g->paused;
		g->paused = rc->next_paused;
		start_recv(rc);
	}
	pthread_mutex_unlock(&g->lock);
	rc = m->call;
	bb = m->bb;
	free(m);
	n = take_buffer(bb, buf, len);
	if (rc && n >= 0) {
		g->serving = rc;
		c->reply_owed = 1;
	} else if (rc) {
		finish(rc, NULL, GRPC_STATUS_RESOURCE_EXHAUSTED);
	}
	return n;
}

static int grpc_chan_reply(struct kipc_chan *c, const void *msg, size_t len)
{
	struct grpc_chan *g = c->priv;
	grpc_byte_buffer *bb = buffer_of(msg, len);
	struct rcall *rc = g->serving;

	g->serving = NULL;
	if (!bb) {
		finish(rc, NULL, GRPC_STATUS_RESOURCE_EXHAUSTED);
		errno = ENOMEM;
		return -1;
	}
	finish(rc, bb, GRPC_STATUS_OK);
	return 0;
}

/* ---- the sender: a channel, a stream and calls ---- */

/* Run @n ops on @call and wait for them: 0, or -1 if they failed. */
static int run_batch(struct grpc_chan *g, grpc_call *call, const grpc_op *ops,
		     size_t n)
{
	grpc_event ev;
	int tag;

	if (grpc.call_start_batch(call, ops, n, &tag, NULL)) {
		errno = EPROTO;
		return -1;
	}
	ev = grpc.completion_queue_pluck(g->cq, &tag, forever(), NULL);
	if (ev.type != GRPC_OP_COMPLETE || !ev.success) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}

static grpc_call *new_call(struct grpc_chan *g, const char *method)
{
	return grpc.channel_create_call(g->channel, NULL, GRPC_PROPAGATE_DEFAULTS,
					g->cq,
					grpc.slice_from_static_string(method),
					NULL, forever(), NULL);
}

/* The status of a finished call as an errno (0 for OK). */
static int status_errno(grpc_status_code st)
{
	switch (st) {
	case GRPC_STATUS_OK:
		return 0;
	case GRPC_STATUS_RESOURCE_EXHAUSTED:
		return EMSGSIZE;
	case GRPC_STATUS_UNAVAILABLE:
	case GRPC_STATUS_CANCELLED:
		return EPIPE;
	default:
		return EPROTO;
	}
}

static int grpc_chan_send(struct kipc_chan *c, const void *msg, size_t len,
			  unsigned int prio)
{
	struct grpc_chan *g = c->priv;
	grpc_op op = { .op = GRPC_OP_SEND_INITIAL_METADATA,
		       .flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY };
	grpc_byte_buffer *bb;
	int ret;

	(void)prio;
	if (!g->push) {
		g->push = new_call(g, METHOD_PUSH);
		if (!g->push || run_batch(g, g->push, &op, 1))
			return -1;
	}
	bb = buffer_of(msg, len);
	if (!bb) {
		errno = ENOMEM;
		return -1;
	}
	op = (grpc_op){ .op = GRPC_OP_SEND_MESSAGE };
	op.data.send_message.send_message = bb;
	ret = run_batch(g, g->push, &op, 1);
	grpc.byte_buffer_destroy(bb);
	return ret;
}

static ssize_t grpc_chan_call(struct kipc_chan *c, const void *req, size_t len,
			      void *reply, size_t cap)
{
	struct grpc_chan *g = c->priv;
	grpc_metadata_array md, trailers;
	grpc_byte_buffer *out = buffer_of(req, len), *in = NULL;
	grpc_status_code status = GRPC_STATUS_UNKNOWN;
	grpc_call *call = new_call(g, METHOD_CALL);
	grpc_slice details = { 0 };	/* empty */
	grpc_op ops[6] = {
		{ .op = GRPC_OP_SEND_INITIAL_METADATA,
		  .flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY },
		{ .op = GRPC_OP_SEND_MESSAGE },
		{ .op = GRPC_OP_SEND_CLOSE_FROM_CLIENT },
		{ .op = GRPC_OP_RECV_INITIAL_METADATA },
		{ .op = GRPC_OP_RECV_MESSAGE },
		{ .op = GRPC_OP_RECV_STATUS_ON_CLIENT },
	};
	ssize_t n = -1;

	grpc.metadata_array_init(&md);
	grpc.metadata_array_init(&trailers);
	if (!out || !call) {
		errno = ENOMEM;
		goto out;
	}
	ops[1].data.send_message.send_message = out;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &md;
	ops[4].data.recv_message.recv_message = &in;
	ops[5].data.recv_status_on_client.trailing_metadata = &trailers;
	ops[5].data.recv_status_on_client.status = &status;
	ops[5].data.recv_status_on_client.status_details = &details;
	if (run_batch(g, call, ops, 6))
		goto out;
	errno = status_errno(status);
	if (!errno && !in)
		errno = EPROTO;
	if (!errno) {
		n = take_buffer(in, reply, cap);
		in = NULL;
	}
out:
	if (in)
		grpc.byte_buffer_destroy(in);
	if (out)
		grpc.byte_buffer_destroy(out);
	if (call)
		grpc.call_unref(call);
	grpc.slice_unref(details);
	grpc.metadata_array_destroy(&md);
	grpc.metadata_array_destroy(&trailers);
	return n;
}

/* Half-close the stream and wait for its status: all was read. */
static void end_stream(struct grpc_chan *g)
{
	grpc_status_code status;
	grpc_slice details = { 0 };	/* empty */
	grpc_metadata_array md, trailers;
	grpc_op ops[3] = {
		{ .op = GRPC_OP_SEND_CLOSE_FROM_CLIENT },
		{ .op = GRPC_OP_RECV_INITIAL_METADATA },
		{ .op = GRPC_OP_RECV_STATUS_ON_CLIENT },
	};

	grpc.metadata_array_init(&md);
	grpc.metadata_array_init(&trailers);
	ops[1].data.recv_initial_metadata.recv_initial_metadata = &md;
	ops[2].data.recv_status_on_client.trailing_metadata = &trailers;
	ops[2].data.recv_status_on_client.status = &status;
	ops[2].data.recv_status_on_client.status_details = &details;
	run_batch(g, g->push, ops, 3);
	grpc.slice_unref(details);
	grpc.metadata_array_destroy(&md);
	grpc.metadata_array_destroy(&trailers);
	grpc.call_unref(g->push);
	g->push = NULL;
}

/* ---- closing ---- */

/* Receiver: stop the server, let the pump drain, free what is left. */
static void stop_server(struct grpc_chan *g)
{
	struct inbox_msg *m;

	pthread_mutex_lock(&g->lock);
	__atomic_store_n(&g->stopping, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&g->lock);
	if (g->started_server) {
		grpc.server_shutdown_and_notify(g->server, g->cq,
						tag_of(&g->calls, TAG_SHUTDOWN));
		grpc.server_cancel_all_calls(g->server);
	} else {
		grpc.completion_queue_shutdown(g->cq);
	}
	/* The pump ends when the queue is shut and drained. */
	if (g->pumping)
		pthread_join(g->pump, NULL);
	else
		pump(g);
	while ((m = g->head)) {
		g->head = m->next;
		grpc.byte_buffer_destroy(m->bb);
		free(m);
	}
	/* Calls with no operation left: paused, waiting for an answer. */
	while (g->calls.next != &g->calls)
		rcall_free(g->calls.next);
	grpc.server_destroy(g->server);
}

static void grpc_chan_close(struct kipc_chan *c, int owner)
{
	struct grpc_chan *g = c->priv;

	if (!g)
		return;
	if (g->push)
		end_stream(g);
	if (g->channel)
		grpc.channel_destroy(g->channel);
	if (g->server)
		stop_server(g);
	if (g->cq) {
		/* A sender's queue has nothing left; shut it and destroy it. */
		if (!g->server) {
			grpc.completion_queue_shutdown(g->cq);
			while ((c->role == KIPC_CHAN_RECEIVER ?
				grpc.completion_queue_next(g->cq, forever(), NULL) :
				grpc.completion_queue_pluck(g->cq, NULL, forever(),
							    NULL)).type !=
			       GRPC_QUEUE_SHUTDOWN)
				;
		}
		grpc.completion_queue_destroy(g->cq);
	}
	if (g->started)
		grpc.shutdown_blocking();
	if (owner && g->dir[0])
		chan_rundir_remove(g->dir);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->more);
	free(g);
	c->priv = NULL;
}

const struct chan_mech chan_grpc = {
	.info = { "grpc", "RPC",
		  "gRPC C core over a Unix socket: a client stream, unary calls",
		  KIPC_CHAN_MULTI | KIPC_CHAN_CALL },
	.unavailable = grpc_unavailable,
	.limit = grpc_limit,
	.open = grpc_chan_open,
	.attach = grpc_chan_attach,
	.send = grpc_chan_send,
	.recv = grpc_chan_recv,
	.call = grpc_chan_call,
	.reply = grpc_chan_reply,
	.close = grpc_chan_close,
};
