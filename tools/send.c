// SPDX-License-Identifier: GPL-2.0
/*
 * kipc send NAME [--prio P] [--timeout SECONDS | --try] MESSAGE...: send
 * each MESSAGE (its bytes, without the NUL) to the object NAME, in order.
 *
 * NAME is opened as whichever type it is (message queues for now); each
 * type has its own way to send below.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_PRIO = OPT_FIRST,
	OPT_TIMEOUT,
	OPT_TRY,
};

static const struct option options[] = {
	{ "prio", required_argument, NULL, OPT_PRIO },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "try", no_argument, NULL, OPT_TRY },
	{ NULL, 0, NULL, 0 },
};

/* The types `send` knows, tried in this order. */
static const int send_types[] = { KIPC_MQ };

struct send_opts {
	unsigned int prio;
	const struct timespec *deadline;	/* NULL: wait for ever */
};

static int send_mq(int fd, const char *msg, const struct send_opts *o)
{
	return kipc_mq_timedsend(fd, msg, strlen(msg), o->prio, o->deadline);
}

int send_main(int argc, char *argv[])
{
	struct send_opts o = { 0 };
	struct timespec timeout;
	bool timed = false, try = false;
	uint64_t prio = 0;
	const char *name;
	int c, fd, type, err = 0, i;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_PRIO:
			if (parse_u64("--prio", optarg, 10, 0,
				      KIPC_MQ_PRIO_MAX - 1, &prio))
				return KIPC_EXIT_USAGE;
			break;
		case OPT_TIMEOUT:
			if (parse_seconds("--timeout", optarg, &timeout))
				return KIPC_EXIT_USAGE;
			timed = true;
			break;
		case OPT_TRY:
			try = true;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (argc - optind < 2)
		return usage_error(argv[0], "expected NAME and MESSAGE");
	if (timed && try)
		return usage_error(argv[0], "--timeout and --try exclude "
				   "each other");
	name = argv[optind];
	o.prio = prio;

	fd = obj_open_as(name, send_types, sizeof(send_types) /
			 sizeof(send_types[0]),
			 O_WRONLY | (try ? O_NONBLOCK : 0), &type);
	if (fd < 0)
		return KIPC_EXIT_FAIL;
	if (timed) {
		if (deadline_from_now(&timeout) < 0) {
			perror(prog);
			close(fd);
			return KIPC_EXIT_FAIL;
		}
		o.deadline = &timeout;
	}

	for (i = optind + 1; i < argc && !err; i++) {
		switch (type) {
		case KIPC_MQ:
			err = send_mq(fd, argv[i], &o);
			break;
		}
		if (err)
			obj_error(type, name, errno);
	}
	close(fd);
	return err ? KIPC_EXIT_FAIL : KIPC_EXIT_OK;
}
