/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the kipc tool from a selftest: RUN(&r, "ls", "--json") runs
 * KIPC_BIN (the environment variable of that name overrides it) and
 * collects its stdout and stderr, truncated to OUT_MAX bytes each.
 */
#ifndef KIPC_SELFTEST_TOOL_H
#define KIPC_SELFTEST_TOOL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KIPC_BIN	"/bin/kipc"
#define OUT_MAX		8192

struct run {
	char out[OUT_MAX];	/* stdout, NUL-terminated, truncated */
	char err[OUT_MAX];	/* stderr, likewise */
};

static const char *kipc_bin(void)
{
	const char *bin = getenv("KIPC_BIN");

	return bin && *bin ? bin : KIPC_BIN;
}

/* Append what is ready on @fd to @buf; false once @fd is at EOF. */
static bool drain(int fd, char *buf, size_t *len)
{
	char tmp[1024];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	size_t room = OUT_MAX - 1 - *len;

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	if ((size_t)n < room)
		room = n;
	memcpy(buf + *len, tmp, room);
	*len += room;
	buf[*len] = '\0';
	return true;
}

/* What the next run_tool() feeds the tool's stdin (then reset); NULL: ours. */
static const char *tool_input;

/*
 * Run the tool with @args (NULL-terminated, without argv[0]) as @uid (-1:
 * as we are), collecting stdout and stderr in @r. Returns the exit status,
 * or -1 if it did not exit normally (or could not be run).
 */
static int run_tool_as(struct run *r, int uid, const char *const args[])
{
	const char *argv[32] = { kipc_bin() };
	const char *input = tool_input;
	int out[2], err[2], in[2] = { -1, -1 }, status, i;
	size_t out_len = 0, err_len = 0;
	struct pollfd pfd[2];
	pid_t pid;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	r->out[0] = r->err[0] = '\0';
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	tool_input = NULL;
	if (input) {
		/* Small inputs only: all of it must fit in the pipe now. */
		if (pipe2(in, O_CLOEXEC) ||
		    write(in[1], input, strlen(input)) != (ssize_t)strlen(input))
			return -1;
		close(in[1]);
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (input)
			dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (uid >= 0 && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
				 setresuid(uid, uid, uid)))
			_exit(126);
		execv(argv[0], (char *const *)argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (input)
		close(in[0]);

	pfd[0] = (struct pollfd){ .fd = out[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = err[0], .events = POLLIN };
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents && !drain(out[0], r->out, &out_len))
			pfd[0].fd = -1;
		if (pfd[1].revents && !drain(err[0], r->err, &err_len))
			pfd[1].fd = -1;
	}
	close(out[0]);
	close(err[0]);

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int run_tool(struct run *r, const char *const args[])
{
	return run_tool_as(r, -1, args);
}

#define RUN(r, ...) run_tool(r, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN_AS(r, uid, ...) \
	run_tool_as(r, uid, (const char *const[]){ __VA_ARGS__, NULL })

#endif /* KIPC_SELFTEST_TOOL_H */
