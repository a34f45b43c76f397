// SPDX-License-Identifier: MIT
/*
 * Binder: transactions through the kernel's own driver (drivers/android/
 * binder.c, Debian's binder_linux module), spoken directly: there is no
 * libbinder here, and the little of the protocol a channel needs fits in
 * this file.
 *
 * The receiver becomes the device's context manager, the node every
 * process reaches as handle 0, and loops on BINDER_WRITE_READ as a looper
 * thread. A send is a one-way transaction (TF_ONE_WAY) to handle 0; a call
 * is a two-way one whose BR_REPLY carries the answer. Each side maps 4 MiB
 * of the device, the most the driver uses: transactions land in the
 * receiver's map, replies in the caller's, and each buffer goes back with
 * BC_FREE_BUFFER, folded into the side's next ioctl.
 *
 * The rules of the driver this follows:
 *  - There is one context manager per device, and the first euid that
 *    takes it keeps the right for as long as the driver lives (EPERM for
 *    any other user). A second receiver at once gets EBUSY; a dead one's
 *    place frees when the driver's deferred release runs, which attach
 *    waits out.
 *  - One-way transactions to one node are delivered one at a time, in
 *    order, from half of the receiver's map; when that half is full the
 *    transaction fails (-ENOSPC, told by BINDER_GET_EXTENDED_ERROR) and
 *    the sender waits a little and sends it again, which keeps the order.
 *  - A sender that comes before the receiver has taken handle 0 gets
 *    BR_DEAD_REPLY and tries again until it got through once; after that
 *    BR_DEAD_REPLY means the receiver is gone: EPIPE.
 * Every transaction's code carries the channel's id, so a receiver left
 * over from another channel is never mistaken for this one's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"

#define BINDER_DEVICE		"/dev/binder"
/* What the driver maps at most (binder_alloc_mmap_handler()). */
#define BINDER_MAP_SIZE		(4u << 20)
/* Two-way needs the whole message in one map, one-way in half of it. */
#define BINDER_CHAN_MAX		(1u << 20)
/* How long a side waits for the other to be there, and the pause between tries. */
#define BINDER_WAIT_NS		(10 * 1000000000LL)
#define BINDER_RETRY_NS		(50 * 1000)

/* Transaction codes: the channel's id above, what it is in the low bits. */
#define CODE_MSG		1u
#define CODE_CALL		2u
#define CODE_KIND		3u

struct binder_chan {
	uint32_t id;			/* shifted left by 2: the codes' top */
	int fd;
	void *map;
	int connected;			/* sender: a transaction went through */
	binder_uintptr_t to_free;	/* a buffer to give back, or 0 */
	/* Commands for the next BINDER_WRITE_READ. */
	uint8_t out[256];
	size_t out_len;
};

/*
 * What one read turned up. The driver ends a read after one transaction
 * or reply, so there is at most one verdict, perhaps with the completion
 * of what this thread last sent before it.
 */
struct binder_event {
	int complete;			/* BR_TRANSACTION_COMPLETE came */
	uint32_t verdict;		/* BR_TRANSACTION, BR_REPLY, BR_*_REPLY */
	struct binder_transaction_data tr;
};

static const char *binder_unavailable(void)
{
	if (access(BINDER_DEVICE, R_OK | W_OK))
		return errno == ENOENT ?
		       "no " BINDER_DEVICE " (binder_linux is not loaded)" :
		       "cannot open " BINDER_DEVICE;
	return NULL;
}

static size_t binder_limit(void)
{
	return BINDER_CHAN_MAX;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

static int binder_open(struct kipc_chan *c)
{
	static uint32_t seq;
	struct binder_chan *b;

	if (binder_unavailable()) {
		errno = ENODEV;
		return -1;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return -1;
	b->fd = -1;
	b->id = ((uint32_t)getpid() * 2654435761u +
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED)) << 2;
	c->priv = b;
	return 0;
}

/* Queue command @cmd with @len bytes of @arg for the next ioctl. */
static void queue_cmd(struct binder_chan *b, uint32_t cmd, const void *arg,
		      size_t len)
{
	memcpy(b->out + b->out_len, &cmd, sizeof(cmd));
	memcpy(b->out + b->out_len + sizeof(cmd), arg, len);
	b->out_len += sizeof(cmd) + len;
}

/* The buffer last received, given back with the next ioctl. */
static void queue_free(struct binder_chan *b)
{
	if (b->to_free) {
		queue_cmd(b, BC_FREE_BUFFER, &b->to_free, sizeof(b->to_free));
		b->to_free = 0;
	}
}

/*
 * One BINDER_WRITE_READ: the queued commands, then (with @in) whatever
 * the driver has for this thread, waiting for it if there is nothing.
 * The commands are written exactly once, across EINTR.
 */
static int binder_io(struct binder_chan *b, void *in, size_t in_len,
		     size_t *got)
{
	struct binder_write_read bwr = {
		.write_size = b->out_len,
		.write_buffer = (binder_uintptr_t)b->out,
		.read_size = in_len,
		.read_buffer = (binder_uintptr_t)in,
	};
	int ret;

	for (;;) {
		ret = ioctl(b->fd, BINDER_WRITE_READ, &bwr);
		if (!ret || errno != EINTR)
			break;
		/* The write part is done once consumed; only read again. */
	}
	/* What was consumed is gone, even on an error. */
	memmove(b->out, b->out + bwr.write_consumed,
		b->out_len - bwr.write_consumed);
	b->out_len -= bwr.write_consumed;
	if (got)
		*got = bwr.read_consumed;
	return ret;
}

/*
 * Parse all that a read returned into @ev, answering the driver's
 * reference counting requests.
 */
static int binder_parse(struct binder_chan *b, const uint8_t *p, size_t len,
			struct binder_event *ev)
{
	struct binder_ptr_cookie pc;
	uint32_t cmd;
	size_t size;
	int32_t err;

	memset(ev, 0, sizeof(*ev));
	while (len >= sizeof(cmd)) {
		memcpy(&cmd, p, sizeof(cmd));
		size = _IOC_SIZE(cmd);
		if (len < sizeof(cmd) + size) {
			errno = EPROTO;
			return -1;
		}
		p += sizeof(cmd);
		len -= sizeof(cmd) + size;
		switch (cmd) {
		case BR_NOOP:
		case BR_OK:
		case BR_SPAWN_LOOPER:	/* one looper is all a channel has */
		case BR_RELEASE:
		case BR_DECREFS:
		case BR_DEAD_BINDER:
		case BR_CLEAR_DEATH_NOTIFICATION_DONE:
			break;
		case BR_INCREFS:
		case BR_ACQUIRE:
			memcpy(&pc, p, sizeof(pc));
			queue_cmd(b, cmd == BR_INCREFS ? BC_INCREFS_DONE :
				  BC_ACQUIRE_DONE, &pc, sizeof(pc));
			break;
		case BR_TRANSACTION_COMPLETE:
			ev->complete = 1;
			break;
		case BR_TRANSACTION:
		case BR_REPLY:
			memcpy(&ev->tr, p, sizeof(ev->tr));
			/* fallthrough */
		case BR_DEAD_REPLY:
		case BR_FAILED_REPLY:
		case BR_FROZEN_REPLY:
			if (ev->verdict) {
				errno = EPROTO;
				return -1;
			}
			ev->verdict = cmd;
			break;
		case BR_ERROR:
			memcpy(&err, p, sizeof(err));
			errno = err < 0 ? -err : EPROTO;
			return -1;
		default:
			errno = EPROTO;
			return -1;
		}
		p += size;
	}
	return 0;
}

/* Write what is queued and read until the driver has something to say. */
static int binder_next(struct binder_chan *b, struct binder_event *ev)
{
	uint8_t in[256];
	size_t got;

	do {
		if (binder_io(b, in, sizeof(in), &got) ||
		    binder_parse(b, in, got, ev))
			return -1;
	} while (!ev->complete && !ev->verdict);
	return 0;
}

static int binder_attach(struct kipc_chan *c, int role)
{
	struct binder_chan *b = c->priv;
	struct binder_version v;
	int64_t until = chan_now_ns() + BINDER_WAIT_NS;
	uint32_t cmd = BC_ENTER_LOOPER;

	b->fd = open(BINDER_DEVICE, O_RDWR | O_CLOEXEC);
	if (b->fd < 0)
		return -1;
	if (ioctl(b->fd, BINDER_VERSION, &v))
		return -1;
	if (v.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	b->map = mmap(NULL, BINDER_MAP_SIZE, PROT_READ, MAP_PRIVATE, b->fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return -1;
	}
	if (role == KIPC_CHAN_SENDER)
		return 0;
	/* A dead receiver's place frees when the driver gets round to it. */
	while (ioctl(b->fd, BINDER_SET_CONTEXT_MGR, 0)) {
		if (errno != EBUSY || chan_now_ns() > until)
			return -1;
		sleep_ns(10 * BINDER_RETRY_NS);
	}
	queue_cmd(b, cmd, NULL, 0);
	return binder_io(b, NULL, 0, NULL);
}

/* Why the last transaction failed, as an errno. */
static int failed_errno(struct binder_chan *b)
{
	struct binder_extended_error ee = { 0 };

	if (ioctl(b->fd, BINDER_GET_EXTENDED_ERROR, &ee) || ee.param >= 0)
		return EPROTO;
	return -ee.param;
}

/*
 * Send one transaction to handle 0 and wait for the driver's verdict:
 * for one-way, BR_TRANSACTION_COMPLETE; for a call, the BR_REPLY, whose
 * data is then copied to @reply. Returns the reply's length (0 one-way).
 */
static ssize_t binder_transact(struct kipc_chan *c, uint32_t kind,
			       const void *msg, size_t len, void *reply,
			       size_t cap)
{
	struct binder_chan *b = c->priv;
	struct binder_transaction_data tr = {
		.target.handle = 0,
		.code = b->id | kind,
		.flags = kind == CODE_MSG ? TF_ONE_WAY : 0,
		.data_size = len,
		.data.ptr.buffer = (binder_uintptr_t)msg,
	};
	int64_t until = chan_now_ns() + BINDER_WAIT_NS;
	struct binder_event ev;
	int err;

	for (;;) {
		queue_free(b);
		queue_cmd(b, BC_TRANSACTION, &tr, sizeof(tr));
		do {
			if (binder_next(b, &ev))
				return -1;
		} while (!ev.verdict && kind == CODE_CALL);
		if (!ev.verdict || ev.verdict == BR_REPLY)
			break;
		if (ev.verdict == BR_DEAD_REPLY) {
			if (b->connected || chan_now_ns() > until) {
				errno = EPIPE;
				return -1;
			}
		} else if (ev.verdict == BR_FAILED_REPLY) {
			/* The one-way half of the receiver's map is full. */
			err = failed_errno(b);
			if (err != ENOSPC) {
				errno = err;
				return -1;
			}
		} else {
			errno = ev.verdict == BR_FROZEN_REPLY ? EAGAIN : EPROTO;
			return -1;
		}
		sleep_ns(BINDER_RETRY_NS);
	}
	b->connected = 1;
	if (ev.verdict != BR_REPLY)
		return 0;
	b->to_free = ev.tr.data.ptr.buffer;
	if (ev.tr.flags & TF_STATUS_CODE) {
		/* The receiver refused it: not this channel's receiver. */
		errno = EBADE;
		return -1;
	}
	if (ev.tr.data_size > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(reply, (const void *)(uintptr_t)ev.tr.data.ptr.buffer,
	       ev.tr.data_size);
	return ev.tr.data_size;
}

static int binder_send(struct kipc_chan *c, const void *msg, size_t len,
		       unsigned int prio)
{
	(void)prio;
	return binder_transact(c, CODE_MSG, msg, len, NULL, 0) < 0 ? -1 : 0;
}

static ssize_t binder_call(struct kipc_chan *c, const void *req, size_t len,
			   void *reply, size_t cap)
{
	return binder_transact(c, CODE_CALL, req, len, reply, cap);
}

/* Answer the call being served: @len bytes, or with @status a refusal. */
static int binder_answer(struct binder_chan *b, const void *msg, size_t len,
			 int32_t *status)
{
	struct binder_transaction_data tr = {
		.flags = status ? TF_STATUS_CODE : 0,
		.data_size = status ? sizeof(*status) : len,
		.data.ptr.buffer = (binder_uintptr_t)(status ? status : msg),
	};

	queue_free(b);
	queue_cmd(b, BC_REPLY, &tr, sizeof(tr));
	/* Its BR_TRANSACTION_COMPLETE comes with the next read. */
	return binder_io(b, NULL, 0, NULL);
}

static ssize_t binder_recv(struct kipc_chan *c, void *buf, size_t len,
			   unsigned int *prio)
{
	struct binder_chan *b = c->priv;
	int32_t refused = -EBADE;
	struct binder_event ev;
	uint32_t kind;

	(void)prio;
	for (;;) {
		queue_free(b);
		if (binder_next(b, &ev))
			return -1;
		/* Else our last reply's completion, or its caller died. */
		if (ev.verdict != BR_TRANSACTION)
			continue;
		b->to_free = ev.tr.data.ptr.buffer;
		kind = ev.tr.code & CODE_KIND;
		if ((ev.tr.code & ~CODE_KIND) == b->id &&
		    (kind == CODE_MSG) == !!(ev.tr.flags & TF_ONE_WAY))
			break;
		/* Someone else's: refuse a call, drop a message. */
		if (!(ev.tr.flags & TF_ONE_WAY) &&
		    binder_answer(b, NULL, 0, &refused))
			return -1;
	}
	if (kind == CODE_CALL)
		c->reply_owed = 1;
	if (ev.tr.data_size > len) {
		if (kind == CODE_CALL) {
			c->reply_owed = 0;
			binder_answer(b, NULL, 0, &refused);
		}
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(buf, (const void *)(uintptr_t)ev.tr.data.ptr.buffer,
	       ev.tr.data_size);
	return ev.tr.data_size;
}

static int binder_reply(struct kipc_chan *c, const void *msg, size_t len)
{
	return binder_answer(c->priv, msg, len, NULL);
}

static void binder_close(struct kipc_chan *c, int owner)
{
	struct binder_chan *b = c->priv;

	(void)owner;
	if (!b)
		return;
	/* Closing the device frees its buffers, threads and nodes. */
	if (b->map)
		munmap(b->map, BINDER_MAP_SIZE);
	if (b->fd >= 0)
		close(b->fd);
	free(b);
	c->priv = NULL;
}

const struct chan_mech chan_binder = {
	.info = { "binder", "RPC",
		  "Binder transactions to the context manager, one-way and two-way",
		  KIPC_CHAN_MULTI | KIPC_CHAN_CALL },
	.unavailable = binder_unavailable,
	.limit = binder_limit,
	.open = binder_open,
	.attach = binder_attach,
	.send = binder_send,
	.recv = binder_recv,
	.call = binder_call,
	.reply = binder_reply,
	.close = binder_close,
};
