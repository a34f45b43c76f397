// SPDX-License-Identifier: MIT
/*
 * Pipes: an anonymous pair like pipe2(2), and resizing like F_SETPIPE_SZ.
 * Named pipes are opened with kipc_open(name, KIPC_PIPE, ...) and then used
 * with read(2), write(2) and poll(2) like a FIFO.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

int kipc_pipe(int fds[2], size_t capacity, int flags)
{
	struct kipc_pipe_pair args;
	int dev;

	if (!fds || flags & ~(O_NONBLOCK | O_CLOEXEC | O_DIRECT)) {
		errno = EINVAL;
		return -1;
	}
	memset(&args, 0, sizeof(args));
	args.capacity = capacity;
	args.oflag = flags & (O_NONBLOCK | O_CLOEXEC);
	if (flags & O_DIRECT)
		args.flags = KIPC_F_PACKET;

	dev = kipc_dev_fd();
	if (dev < 0)
		return -1;
	if (ioctl(dev, KIPC_IOC_PIPE, &args) < 0)
		return -1;
	fds[0] = args.fds[0];
	fds[1] = args.fds[1];
	return 0;
}

int kipc_pipe_setsize(int fd, size_t size)
{
	struct kipc_pipe_size args = { .size = size };

	if (ioctl(fd, KIPC_IOC_PIPE_SETSIZE, &args) < 0)
		return -1;
	return (int)args.size;
}
