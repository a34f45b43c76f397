// SPDX-License-Identifier: GPL-2.0
/*
 * kipc send/recv on a pipe: a byte stream from stdin into the pipe, or
 * from the pipe to stdout until every writer has gone, so that
 * `producer | kipc send p` and `kipc recv p | consumer` work across shells
 * the way a FIFO does. Opening follows FIFO rules: send waits for a
 * reader, recv for a writer.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

/*
 * Copy @in to @out until EOF, or with @until_empty until @in would block
 * too. Returns the bytes copied, or -1 with errno of the failing side in
 * *@failed_fd.
 */
static long long copy_stream(int in, int out, bool until_empty,
			     int *failed_fd)
{
	static char buf[1 << 16];
	long long total = 0;

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && until_empty)
			return total;
		if (n < 0) {
			*failed_fd = in;
			return -1;
		}
		if (n == 0)
			return total;
		if (write_all(out, buf, n)) {
			*failed_fd = out;
			return -1;
		}
		total += n;
	}
}

int pipe_send(const char *name, int fd)
{
	int failed = -1;

	/* A vanished reader is an error message, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (copy_stream(STDIN_FILENO, fd, false, &failed) >= 0)
		return KIPC_EXIT_OK;
	if (failed != fd) {
		fprintf(stderr, "%s: stdin: %s\n", prog, strerror(errno));
		return KIPC_EXIT_FAIL;
	}
	obj_error(KIPC_PIPE, name, errno);
	/* --try and the pipe is full: no room, like a full queue. */
	return exit_code_of(errno);
}

int pipe_recv(const char *name, int fd, bool try)
{
	int failed = -1;
	long long n = copy_stream(fd, STDOUT_FILENO, try, &failed);

	if (n == 0 && try) {
		fprintf(stderr, "%s: pipe '%s': nothing to receive\n", prog,
			name);
		return KIPC_EXIT_EMPTY;
	}
	if (n >= 0)
		return KIPC_EXIT_OK;
	if (failed == fd)
		obj_error(KIPC_PIPE, name, errno);
	else
		fprintf(stderr, "%s: stdout: %s\n", prog, strerror(errno));
	return KIPC_EXIT_FAIL;
}
