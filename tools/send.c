// SPDX-License-Identifier: GPL-2.0
/*
 * kipc send NAME [--prio P] [--timeout SECONDS | --try] [MESSAGE...]:
 * send to the object NAME, whichever type it is.
 *
 *   message queue  each MESSAGE (its bytes, without the NUL) is one
 *                  message; without MESSAGEs, each line of stdin is one
 *   pipe           stdin is copied in as a byte stream (pipe_io.c)
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
	OPT_PRIO = OPT_FIRST,
};

static const struct option options[] = {
	{ "prio", required_argument, NULL, OPT_PRIO },
	WAIT_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct send_opts {
	bool prio_given;
	unsigned int prio;
	const struct timespec *deadline;	/* NULL: wait for ever */
	char **msgs;				/* the MESSAGE arguments */
	int nmsgs;
};

static int send_mq(const char *name, int fd, const struct send_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int i, err = 0;

	for (i = 0; i < o->nmsgs && !err; i++)
		err = kipc_mq_timedsend(fd, o->msgs[i], strlen(o->msgs[i]),
					o->prio, o->deadline);
	if (!o->nmsgs) {
		while (!err && (len = getline(&line, &cap, stdin)) >= 0) {
			if (len && line[len - 1] == '\n')
				len--;
			err = kipc_mq_timedsend(fd, line, len, o->prio,
						o->deadline);
		}
		free(line);
		if (!err && ferror(stdin)) {
			fprintf(stderr, "%s: stdin: %s\n", prog, strerror(errno));
			return KIPC_EXIT_FAIL;
		}
	}
	if (err) {
		obj_error(KIPC_MQ, name, errno);
		return exit_code_of(errno);
	}
	return KIPC_EXIT_OK;
}

/* Pipes and regions take stdin as it is: a stream, or the region's bytes. */
static int send_stream(const char *name, int fd, int type,
		       const struct send_opts *o)
{
	if (o->nmsgs)
		return usage_error("send", "'%s' is a %s: it sends stdin, "
				   "not MESSAGE arguments", name,
				   kipc_type_name(type));
	return type == KIPC_PIPE ? pipe_send(name, fd) : shm_send(name, fd);
}

/* Parse argv into @o, @w and *@name: -1 to go on, else the exit code. */
static int parse_args(int argc, char *argv[], struct send_opts *o,
		      struct wait_opts *w, const char **name)
{
	uint64_t prio = 0;
	int c;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_PRIO:
			if (parse_u64("--prio", optarg, 10, 0,
				      KIPC_MQ_PRIO_MAX - 1, &prio))
				return KIPC_EXIT_USAGE;
			o->prio_given = true;
			break;
		case OPT_TIMEOUT:
		case OPT_TRY:
			if (wait_opt(w, c, optarg))
				return KIPC_EXIT_USAGE;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (argc - optind < 1)
		return usage_error(argv[0], "expected NAME");
	if (wait_opts_done(w, argv[0]))
		return KIPC_EXIT_USAGE;
	*name = argv[optind];
	o->prio = prio;
	o->msgs = argv + optind + 1;
	o->nmsgs = argc - optind - 1;
	return -1;
}

int send_main(int argc, char *argv[])
{
	struct send_opts o = { 0 };
	struct wait_opts w = { 0 };
	const char *name = NULL;
	int fd, type, ret;

	ret = parse_args(argc, argv, &o, &w, &name);
	if (ret >= 0)
		return ret;
	fd = transfer_open(argv[0], name, O_WRONLY, "--prio and --timeout",
			   o.prio_given || w.timed, &w, &type);
	if (fd < 0)
		return -fd;
	if (w.timed)
		o.deadline = &w.timeout;
	ret = type == KIPC_MQ ? send_mq(name, fd, &o) :
				send_stream(name, fd, type, &o);
	close(fd);
	return ret;
}
