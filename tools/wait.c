// SPDX-License-Identifier: GPL-2.0
/*
 * kipc wait NAME [--timeout SECONDS | --try]: take one unit from a
 * semaphore, like sem_wait, sem_timedwait and sem_trywait.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

static const struct option options[] = {
	WAIT_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

int wait_main(int argc, char *argv[])
{
	struct wait_opts w = { 0 };
	const char *name;
	int c, fd, err;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
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

	/* Waiting takes from the semaphore: it needs write access. */
	fd = obj_open(name, KIPC_SEM, O_WRONLY, 0, NULL);
	if (fd < 0)
		return KIPC_EXIT_FAIL;
	if (w.try)
		err = kipc_sem_trywait(fd);
	else if (w.timed)
		err = deadline_from_now(&w.timeout) ?:
		      kipc_sem_timedwait(fd, &w.timeout);
	else
		err = kipc_sem_wait(fd);
	if (err < 0) {
		obj_error(KIPC_SEM, name, errno);
		err = exit_code_of(errno);
	}
	close(fd);
	return err;
}
