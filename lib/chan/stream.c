// SPDX-License-Identifier: MIT
/*
 * Byte-stream framing, and the pipe mechanisms that use it: pipe(2), a
 * FIFO (mkfifo(3)) and a kipc pipe. A message is a 4-byte length in host
 * order followed by its bytes, written with one writev() so that, on a
 * pipe, a frame of at most PIPE_BUF bytes is atomic and several senders
 * may share it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "chan.h"
#include "../io_full.h"

int chan_stream_send(struct kipc_chan *c, const void *msg, size_t len,
		     unsigned int prio)
{
	uint32_t hdr = (uint32_t)len;
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = CHAN_FRAME_HDR },
		{ .iov_base = (void *)msg, .iov_len = len },
	};
	struct iovec *v = iov;
	int nr = 2;
	ssize_t n;

	(void)prio;
	while (nr) {
		n = writev(c->fd[1], v, nr);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (nr && (size_t)n >= v->iov_len) {
			n -= v->iov_len;
			v++;
			nr--;
		}
		if (nr) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= n;
		}
	}
	return 0;
}

ssize_t chan_stream_recv(struct kipc_chan *c, void *buf, size_t len,
			 unsigned int *prio)
{
	uint32_t hdr;
	ssize_t n;

	(void)len;
	(void)prio;
	n = read_full(c->fd[0], &hdr, CHAN_FRAME_HDR);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = EPIPE;		/* every sender has closed */
		return -1;
	}
	if ((size_t)n < CHAN_FRAME_HDR || hdr > c->max_msg) {
		errno = EBADMSG;
		return -1;
	}
	n = read_full(c->fd[0], buf, hdr);
	if (n < 0)
		return -1;
	if ((size_t)n < hdr) {
		errno = EBADMSG;	/* the sender died inside a frame */
		return -1;
	}
	return n;
}

/* Frames of at most PIPE_BUF bytes are written atomically. */
static int pipe_check_senders(struct kipc_chan *c)
{
	if (c->opts.senders > 1 && c->max_msg > CHAN_SHARED_FRAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static size_t stream_limit(void)
{
	return CHAN_STREAM_MAX;
}

static int pipe_set_capacity(struct kipc_chan *c)
{
	return fcntl(c->fd[1], F_SETPIPE_SZ, (int)c->opts.capacity) < 0 ? -1 : 0;
}

static int pipe_open(struct kipc_chan *c)
{
	if (pipe_check_senders(c) || pipe2(c->fd, O_CLOEXEC))
		return -1;
	return pipe_set_capacity(c);
}

/*
 * A FIFO in a private directory: open the read end without blocking, then
 * the write end (which now has a reader), and remove the name, so nothing
 * is left behind however the program ends.
 */
static int fifo_open(struct kipc_chan *c)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX - 16], path[PATH_MAX];
	int ret = -1, err;

	if (pipe_check_senders(c))
		return -1;
	snprintf(dir, sizeof(dir), "%s/kipc-fifo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600))
		goto out_dir;
	c->fd[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd[0] < 0)
		goto out_fifo;
	c->fd[1] = open(path, O_WRONLY | O_CLOEXEC);
	if (c->fd[1] < 0 || fcntl(c->fd[0], F_SETFL, 0))
		goto out_fifo;
	ret = pipe_set_capacity(c);
out_fifo:
	err = errno;
	unlink(path);
	errno = err;
out_dir:
	err = errno;
	rmdir(dir);
	errno = err;
	return ret;
}

static int kipcpipe_open(struct kipc_chan *c)
{
	if (pipe_check_senders(c))
		return -1;
	if (chan_kipc_ready())
		return -1;
	return kipc_pipe(c->fd, c->opts.capacity, O_CLOEXEC);
}

#define PIPE_FLAGS (KIPC_CHAN_STREAM | KIPC_CHAN_MULTI)

const struct chan_mech chan_pipe = {
	.info = { "pipe", "pipe", "pipe(2): kernel ring of pages, framed",
		  PIPE_FLAGS },
	.limit = stream_limit,
	.open = pipe_open,
	.send = chan_stream_send,
	.recv = chan_stream_recv,
};

const struct chan_mech chan_fifo = {
	.info = { "fifo", "pipe", "named pipe (mkfifo), framed", PIPE_FLAGS },
	.limit = stream_limit,
	.open = fifo_open,
	.send = chan_stream_send,
	.recv = chan_stream_recv,
};

const struct chan_mech chan_kipc_pipe = {
	.info = { "kipc-pipe", "pipe", "kipc pipe: module's byte ring, framed",
		  PIPE_FLAGS | KIPC_CHAN_KIPC },
	.limit = stream_limit,
	.open = kipcpipe_open,
	.send = chan_stream_send,
	.recv = chan_stream_recv,
};
