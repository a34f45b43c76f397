// SPDX-License-Identifier: GPL-2.0
/*
 * kipc rm NAME...: unlink names, like ipcrm, over netlink. Objects still
 * open live on until their last close. Goes on past a failure, saying why
 * in the kernel's own words; exit 1 if any failed.
 */
#include <errno.h>
#include <getopt.h>

#include "kipc.h"
#include "subcommands.h"

static const struct option options[] = {
	{ NULL, 0, NULL, 0 },
};

int rm_main(int argc, char *argv[])
{
	int c, ret = KIPC_EXIT_OK;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1)
		return option_error(argv[0], c, argv);
	if (optind == argc)
		return usage_error(argv[0], "expected at least one NAME");

	if (dev_ready() < 0)
		return KIPC_EXIT_FAIL;
	for (; optind < argc; optind++) {
		char why[256];

		if (kipc_remove(argv[optind], why, sizeof(why)) < 0) {
			obj_error_why(0, argv[optind], errno, why);
			ret = KIPC_EXIT_FAIL;
		}
	}
	return ret;
}
