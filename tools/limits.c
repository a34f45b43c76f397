// SPDX-License-Identifier: GPL-2.0
/*
 * kipc limits [--json]: the module's limits (its parameters), the objects
 * it holds in every namespace, and what the caller's user is charged.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_JSON = OPT_FIRST,
};

static const struct option options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

int limits_main(int argc, char *argv[])
{
	struct kipc_limits l;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (optind != argc)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[optind]);

	if (dev_ready() < 0)
		return KIPC_EXIT_FAIL;
	if (kipc_limits(&l) < 0) {
		fprintf(stderr, "%s: cannot read the limits: %s\n", prog,
			obj_strerror(errno));
		return KIPC_EXIT_FAIL;
	}

	if (json) {
		printf("{\"max_objects\": %" PRIu64
		       ", \"max_objects_per_user\": %" PRIu64
		       ", \"max_bytes_per_user\": %" PRIu64
		       ", \"objects\": %" PRIu64 ", \"uid\": %u, \"owner\": ",
		       l.max_objects, l.max_objects_per_user,
		       l.max_bytes_per_user, l.objects, (unsigned)l.uid);
		put_json_string(owner_name(l.uid));
		printf(", \"user_objects\": %" PRIu64
		       ", \"user_bytes\": %" PRIu64 "}\n",
		       l.user_objects, l.user_bytes);
		return KIPC_EXIT_OK;
	}
	printf("max objects:           %" PRIu64 " (ENOSPC beyond)\n",
	       l.max_objects);
	printf("max objects per user:  %" PRIu64 " (EMFILE beyond)\n",
	       l.max_objects_per_user);
	printf("max bytes per user:    %" PRIu64 " (ENOMEM beyond)\n",
	       l.max_bytes_per_user);
	printf("objects:               %" PRIu64 " (all namespaces)\n",
	       l.objects);
	printf("user:                  %s (uid %u)\n", owner_name(l.uid),
	       (unsigned)l.uid);
	printf("user's objects:        %" PRIu64 "\n", l.user_objects);
	printf("user's bytes:          %" PRIu64 "\n", l.user_bytes);
	return KIPC_EXIT_OK;
}
