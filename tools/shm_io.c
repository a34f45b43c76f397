// SPDX-License-Identifier: GPL-2.0
/*
 * kipc send/recv on a region: the part of those subcommands that knows
 * regions. A region has no message boundaries and no reader position, so
 * it behaves like a small disk:
 *
 *   send  writes stdin into the region from offset 0; what follows the
 *         input in the region is left as it was. Input longer than the
 *         region is an error, after the part that fits is written.
 *   recv  writes the whole region (its current size) to stdout.
 *
 * The caller opens the region (send: for writing, recv: for reading) and
 * passes the descriptor and the name it was given, for messages.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

#define SHM_IO_CHUNK	(64 * 1024)

/* pwrite() all of @buf at @off; -1 with errno on failure. */
static int pwrite_all(int fd, const char *buf, size_t len, uint64_t off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= n;
		off += n;
	}
	return 0;
}

int shm_send(const char *name, int fd)
{
	struct kipc_shm_info info;
	static char buf[SHM_IO_CHUNK];
	uint64_t off = 0;
	ssize_t n;
	size_t room;
	char extra;

	if (kipc_shm_info(fd, &info) < 0) {
		obj_error(KIPC_SHM, name, errno);
		return KIPC_EXIT_FAIL;
	}
	for (;;) {
		room = info.size - off < sizeof(buf) ? info.size - off :
			sizeof(buf);
		if (!room)
			break;
		n = read_full(STDIN_FILENO, buf, room);
		if (n < 0) {
			fprintf(stderr, "%s: stdin: %s\n", prog, strerror(errno));
			return KIPC_EXIT_FAIL;
		}
		if (n == 0)
			return KIPC_EXIT_OK;
		if (pwrite_all(fd, buf, n, off) < 0) {
			obj_error(KIPC_SHM, name, errno);
			return KIPC_EXIT_FAIL;
		}
		off += n;
	}

	/* The region is full: fine if the input ends here too. */
	n = read_full(STDIN_FILENO, &extra, 1);
	if (n < 0) {
		fprintf(stderr, "%s: stdin: %s\n", prog, strerror(errno));
		return KIPC_EXIT_FAIL;
	}
	if (n == 0)
		return KIPC_EXIT_OK;
	fprintf(stderr, "%s: shm '%s': input is longer than the region "
		"(%" PRIu64 " bytes)\n", prog, name, (uint64_t)info.size);
	return KIPC_EXIT_FAIL;
}

int shm_recv(const char *name, int fd)
{
	struct kipc_shm_info info;
	static char buf[SHM_IO_CHUNK];
	uint64_t off = 0;
	ssize_t n;

	if (kipc_shm_info(fd, &info) < 0) {
		obj_error(KIPC_SHM, name, errno);
		return KIPC_EXIT_FAIL;
	}
	/* Stops early, at the new end, if the region shrinks meanwhile. */
	while (off < info.size) {
		n = pread(fd, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			obj_error(KIPC_SHM, name, errno);
			return KIPC_EXIT_FAIL;
		}
		if (n == 0)
			break;
		if (write_all(STDOUT_FILENO, buf, n) < 0) {
			fprintf(stderr, "%s: stdout: %s\n", prog,
				strerror(errno));
			return KIPC_EXIT_FAIL;
		}
		off += n;
	}
	return KIPC_EXIT_OK;
}
