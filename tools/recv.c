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

/* The types `recv` knows, tried in this order. */
static const int recv_types[] = { KIPC_MQ, KIPC_PIPE, KIPC_SHM };

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

int recv_main(int argc, char *argv[])
{
	struct wait_opts w = { 0 };
	bool count_given = false;
	uint64_t count = 1;
	const char *name;
	int c, fd, type, ret = KIPC_EXIT_FAIL;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_COUNT:
			if (parse_u64("--count", optarg, 10, 1, UINT32_MAX,
				      &count))
				return KIPC_EXIT_USAGE;
			count_given = true;
			break;
		case OPT_TIMEOUT:
		case OPT_TRY:
			if (wait_opt(&w, c, optarg))
				return KIPC_EXIT_USAGE;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (argc - optind != 1)
		return usage_error(argv[0], "expected one NAME");
	if (wait_opts_done(&w, argv[0]))
		return KIPC_EXIT_USAGE;
	name = argv[optind];
	/*
	 * Refuse what only queues take before opening: a pipe's open waits
	 * for a writer. (If the type cannot be told now, after opening.)
	 */
	type = obj_type_of(name);
	if (type >= 0 && type != KIPC_MQ && (count_given || w.timed))
		return usage_error(argv[0], "--count and --timeout apply to "
				   "message queues; '%s' is %s", name,
				   type_noun(type) ?: "not one");

	fd = obj_open_as(name, recv_types, sizeof(recv_types) /
			 sizeof(recv_types[0]),
			 O_RDONLY | (w.try ? O_NONBLOCK : 0), &type);
	if (fd < 0)
		return exit_code_of(errno);
	if (w.timed && deadline_from_now(&w.timeout) < 0) {
		perror(prog);
		close(fd);
		return KIPC_EXIT_FAIL;
	}

	switch (type) {
	case KIPC_MQ:
		ret = KIPC_EXIT_OK;
		if (recv_mq(fd, count, w.timed ? &w.timeout : NULL)) {
			obj_error(type, name, errno);
			ret = exit_code_of(errno);
		}
		break;
	case KIPC_PIPE:
	case KIPC_SHM:
		if (count_given || w.timed)
			ret = usage_error(argv[0], "--count and --timeout "
					  "apply to message queues only");
		else if (type == KIPC_PIPE)
			ret = pipe_recv(name, fd, w.try);
		else
			ret = shm_recv(name, fd);
		break;
	}
	close(fd);
	return ret;
}
