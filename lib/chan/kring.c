// SPDX-License-Identifier: MIT
/*
 * kipc-ring: a kipc pipe whose ring both ends map (kipc_ring_map()), in
 * packet mode, so each message is one record and needs no framing. The
 * sender copies in with kipc_ring_send(); the receiver looks at the
 * record in place with kipc_ring_peek() (which also tells an empty
 * message from the end of the pipe) and copies it out. Neither enters
 * the kernel while the ring is neither empty nor full.
 *
 * The ring is sized like the other pipes' buffers (opts.capacity), and
 * to hold at least opts.depth of the largest messages with their headers
 * as the shared-memory rings do, as a power of two within the module's
 * pipe_max_size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"

#define KRING_REC	sizeof(struct kipc_ring_rec)

struct kring {
	struct kipc_ring *rx;		/* mapped fd[0], or NULL */
	struct kipc_ring *tx;		/* mapped fd[1], or NULL */
};

static size_t kring_max_size(void)
{
	return chan_sysctl("/sys/module/kipc/parameters/pipe_max_size",
			   1u << 20);
}

static size_t kring_limit(void)
{
	size_t max = kring_max_size();

	return max > KRING_REC ? max - KRING_REC : 0;
}

static size_t kring_size(const struct kipc_chan *c)
{
	size_t want = c->opts.depth * (c->max_msg + KRING_REC);
	size_t size = KIPC_PIPE_MIN_SIZE;
	size_t max = kring_max_size();

	if (want < c->opts.capacity)
		want = c->opts.capacity;
	while (size < want && size < max)
		size <<= 1;
	return size;
}

static int kring_open(struct kipc_chan *c)
{
	struct kring *k;

	if (chan_kipc_ready())
		return -1;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	c->priv = k;
	if (kipc_ring_pipe(c->fd, kring_size(c), O_CLOEXEC | O_DIRECT))
		return -1;
	k->rx = kipc_ring_map(c->fd[0]);
	k->tx = kipc_ring_map(c->fd[1]);
	return k->rx && k->tx ? 0 : -1;
}

/* Keep only this role's end and its mapping, so EOF and EPIPE work. */
static int kring_attach(struct kipc_chan *c, int role)
{
	struct kring *k = c->priv;

	if (role == KIPC_CHAN_SENDER) {
		kipc_ring_unmap(k->rx);
		k->rx = NULL;
		chan_close_fd(c, 0);
	} else {
		kipc_ring_unmap(k->tx);
		k->tx = NULL;
		chan_close_fd(c, 1);
	}
	return 0;
}

static int kring_send(struct kipc_chan *c, const void *msg, size_t len,
		      unsigned int prio)
{
	struct kring *k = c->priv;
	ssize_t n;

	(void)prio;
	do
		n = kipc_ring_send(k->tx, msg, len, NULL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

static ssize_t kring_recv(struct kipc_chan *c, void *buf, size_t len,
			  unsigned int *prio)
{
	struct kring *k = c->priv;
	const void *at;
	size_t held;

	(void)prio;
	do {
		held = 1;
		at = kipc_ring_peek(k->rx, &held, NULL);
	} while (!at && held && errno == EINTR);
	if (!at) {
		if (!held)
			errno = EPIPE;	/* every sender has gone */
		return -1;
	}
	if (held > len) {
		/* Longer than any sender of the channel sends: not ours. */
		kipc_ring_release(k->rx, held);
		errno = EBADMSG;
		return -1;
	}
	memcpy(buf, at, held);
	kipc_ring_release(k->rx, held);
	return (ssize_t)held;
}

static void kring_close(struct kipc_chan *c, int owner)
{
	struct kring *k = c->priv;

	(void)owner;
	if (!k)
		return;
	kipc_ring_unmap(k->rx);
	kipc_ring_unmap(k->tx);
	free(k);
	c->priv = NULL;
}

const struct chan_mech chan_kipc_ring = {
	.info = { "kipc-ring", "pipe",
		  "kipc pipe with its ring mapped by both ends: no syscall "
		  "unless empty or full",
		  KIPC_CHAN_MULTI | KIPC_CHAN_KIPC },
	.limit = kring_limit,
	.open = kring_open,
	.attach = kring_attach,
	.send = kring_send,
	.recv = kring_recv,
	.close = kring_close,
};
