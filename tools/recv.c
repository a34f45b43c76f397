// SPDX-License-Identifier: GPL-2.0
/*
 * kipc recv NAME [--count N] [--timeout SECONDS | --try]: receive from the
 * object NAME, whichever type it is.
 *
 *   message queue  print one line per message: its priority, a tab, and
 *                  the payload with backslashes and control bytes escaped
 *                  (\\, \xHH), so that any payload stays on one line
 *   pipe           copy the byte stream to stdout until every writer has
 *                  gone (pipe_io.c)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_COUNT = OPT_FIRST,
};

static const struct option options[] = {
	{ "count", required_argument, NULL, OPT_COUNT },
	WAIT_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void put_payload(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\\')
			fputs("\\\\", stdout);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			printf("\\x%02x", p[i]);
		else
			putchar(p[i]);
	}
	putchar('\n');
}

/*
 * Receive and print @count messages from the queue @fd, each waiting
 * until @deadline (NULL: for ever). Returns 0, or -1 with errno set.
 */
static int recv_mq(int fd, uint64_t count, const struct timespec *deadline)
{
	struct kipc_mq_attr attr;
	unsigned int prio;
	uint64_t i;
	ssize_t len;
	char *buf;

	if (kipc_mq_getattr(fd, &attr) < 0)
		return -1;
	buf = malloc(attr.msgsize);
	if (!buf)
		return -1;
	for (i = 0; i < count; i++) {
		len = kipc_mq_timedreceive(fd, buf, attr.msgsize, &prio,
					   deadline);
		if (len < 0)
			break;
		printf("%u\t", prio);
		put_payload((unsigned char *)buf, len);
		/* A reader of a pipe sees each message as it comes. */
		fflush(stdout);
	}
	free(buf);
	return i == count ? 0 : -1;
}

/* What the command line asks of recv. */
struct recv_args {
	struct wait_opts w;
	uint64_t count;
	bool count_given;
	const char *name;
};

/* Parse argv into @a: -1 to go on, else the exit code to stop with. */
static int parse_args(int argc, char *argv[], struct recv_args *a)
{
	int c;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_COUNT:
			if (parse_u64("--count", optarg, 10, 1, UINT32_MAX,
				      &a->count))
				return KIPC_EXIT_USAGE;
			a->count_given = true;
			break;
		case OPT_TIMEOUT:
		case OPT_TRY:
			if (wait_opt(&a->w, c, optarg))
				return KIPC_EXIT_USAGE;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (argc - optind != 1)
		return usage_error(argv[0], "expected one NAME");
	if (wait_opts_done(&a->w, argv[0]))
		return KIPC_EXIT_USAGE;
	a->name = argv[optind];
	return -1;
}

int recv_main(int argc, char *argv[])
{
	struct recv_args a = { .count = 1 };
	int fd, type, ret;

	ret = parse_args(argc, argv, &a);
	if (ret >= 0)
		return ret;
	fd = transfer_open(argv[0], a.name, O_RDONLY, "--count and --timeout",
			   a.count_given || a.w.timed, &a.w, &type);
	if (fd < 0)
		return -fd;

	if (type == KIPC_PIPE) {
		ret = pipe_recv(a.name, fd, a.w.try);
	} else if (type == KIPC_SHM) {
		ret = shm_recv(a.name, fd);
	} else if (recv_mq(fd, a.count, a.w.timed ? &a.w.timeout : NULL)) {
		obj_error(type, a.name, errno);
		ret = exit_code_of(errno);
	} else {
		ret = KIPC_EXIT_OK;
	}
	close(fd);
	return ret;
}
