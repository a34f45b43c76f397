// SPDX-License-Identifier: GPL-2.0
/* kipc post NAME [--count N]: add units to a semaphore, like sem_post. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_COUNT = OPT_FIRST,
};

static const struct option options[] = {
	{ "count", required_argument, NULL, OPT_COUNT },
	{ NULL, 0, NULL, 0 },
};

int post_main(int argc, char *argv[])
{
	uint64_t count = 1;
	const char *name;
	int c, fd, ret = KIPC_EXIT_OK;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_COUNT:
			if (parse_u64("--count", optarg, 10, 1,
				      KIPC_SEM_VALUE_MAX, &count))
				return KIPC_EXIT_USAGE;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (argc - optind != 1)
		return usage_error(argv[0], "expected one NAME");
	name = argv[optind];

	fd = obj_open(name, KIPC_SEM, O_WRONLY, 0, NULL);
	if (fd < 0)
		return KIPC_EXIT_FAIL;
	if (kipc_sem_post_n(fd, count) < 0) {
		obj_error(KIPC_SEM, name, errno);
		ret = KIPC_EXIT_FAIL;
	}
	close(fd);
	return ret;
}
