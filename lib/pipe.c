// SPDX-License-Identifier: MIT
/*
 * Pipes: an anonymous pair like pipe2(2), or one whose ring both ends can
 * map (kipc_ring_pipe(); the mapped calls are in ring.c), and resizing
 * like F_SETPIPE_SZ.
 * Named pipes are opened with kipc_open(name, KIPC_PIPE, ...) and then used
 * with read(2), write(2) and poll(2) like a FIFO.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

/* KIPC_IOC_PIPE: O_DIRECT asks packet mode, @kflags adds the rest. */
static int pipe_pair(int fds[2], size_t capacity, int flags, __u32 kflags)
{
	struct kipc_pipe_pair args;
	int dev;

	if (flags & ~(O_NONBLOCK | O_CLOEXEC | O_DIRECT)) {
		errno = EINVAL;
		return -1;
	}
	memset(&args, 0, sizeof(args));
	args.capacity = capacity;
	args.oflag = flags & (O_NONBLOCK | O_CLOEXEC);
	args.flags = kflags | (flags & O_DIRECT ? KIPC_F_PACKET : 0);

	dev = kipc_dev_fd();
	if (dev < 0)
		return -1;
	/* The module fills @fds, as pipe2(2): EFAULT, and no pipe, if it can't. */
	args.fds = (uintptr_t)fds;
	return ioctl(dev, KIPC_IOC_PIPE, &args) < 0 ? -1 : 0;
}

int kipc_pipe(int fds[2], size_t capacity, int flags)
{
	return pipe_pair(fds, capacity, flags, 0);
}

int kipc_ring_pipe(int fds[2], size_t capacity, int flags)
{
	return pipe_pair(fds, capacity, flags, KIPC_F_RING);
}

int kipc_pipe_setsize(int fd, size_t size)
{
	struct kipc_pipe_size args = { .size = size };

	if (ioctl(fd, KIPC_IOC_PIPE_SETSIZE, &args) < 0)
		return -1;
	return (int)args.size;
}
