// SPDX-License-Identifier: MIT
/*
 * The shared /dev/kipc descriptor.
 *
 * Opening the device once per process and caching the fd saves a system
 * call per object created. Threads race to open it; the loser closes its
 * copy. The fd is O_CLOEXEC and survives fork, which is what a child that
 * goes on using libkipc wants.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

static int kipc_dev_cached = -1;

const char *kipc_device_path(void)
{
	const char *path = getenv("KIPC_DEVICE");

	return path && *path ? path : KIPC_DEVICE_PATH;
}

int kipc_dev_fd(void)
{
	int expected = -1;
	int fd;

	fd = __atomic_load_n(&kipc_dev_cached, __ATOMIC_ACQUIRE);
	if (fd >= 0)
		return fd;

	fd = open(kipc_device_path(), O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;

	if (!__atomic_compare_exchange_n(&kipc_dev_cached, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		return expected;
	}
	return fd;
}
