// SPDX-License-Identifier: GPL-2.0
/*
 * kipc limits [--json]: every limit of the module (its parameters), with
 * the use of those that count something: the objects it holds in every
 * namespace and what the caller's user is charged.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
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

/*
 * Every module parameter, as lsipc -g lists System V's: the limits on what
 * all objects or a user's hold, with their use, and the limits on one
 * object, which have no use to show.
 */
enum use { USE_NONE, USE_OBJECTS, USE_USER_OBJECTS, USE_USER_BYTES };

static const struct {
	const char *param;
	const char *what;
	enum use use;
	bool bytes;
} limits[] = {
	{ "max_objects", "objects in every namespace (ENOSPC beyond)",
	  USE_OBJECTS, false },
	{ "max_objects_per_user", "objects of one user (EMFILE beyond)",
	  USE_USER_OBJECTS, false },
	{ "max_bytes_per_user", "kernel memory of one user (ENOMEM beyond)",
	  USE_USER_BYTES, true },
	{ "pipe_max_size", "largest pipe ring (EINVAL beyond)", USE_NONE, true },
	{ "mq_maxmsg_max", "longest message queue, in messages (EINVAL)",
	  USE_NONE, false },
	{ "mq_msgsize_max", "largest queue message (EINVAL beyond)",
	  USE_NONE, true },
	{ "mq_msgsize_user_max", "the same without CAP_SYS_RESOURCE",
	  USE_NONE, true },
	{ "shm_max_bytes", "largest region (EINVAL beyond)", USE_NONE, true },
	{ "shm_default_bytes", "size of a region asked with size 0", USE_NONE,
	  true },
};

#define NR_LIMITS	(sizeof(limits) / sizeof(limits[0]))

/* The use of limit @i in @l, or -1 if it has none. */
static long long limit_use(size_t i, const struct kipc_limits *l)
{
	switch (limits[i].use) {
	case USE_OBJECTS:
		return l->objects;
	case USE_USER_OBJECTS:
		return l->user_objects;
	case USE_USER_BYTES:
		return l->user_bytes;
	default:
		return -1;
	}
}

/* @v in bytes as "256M", "160K", or as it is when not a round size. */
static const char *fmt_bytes(char *buf, size_t len, long long v)
{
	if (v >= 1 << 30 && !(v & ((1 << 30) - 1)))
		snprintf(buf, len, "%lldG", v >> 30);
	else if (v >= 1 << 20 && !(v & ((1 << 20) - 1)))
		snprintf(buf, len, "%lldM", v >> 20);
	else if (v >= 1 << 10 && !(v & ((1 << 10) - 1)))
		snprintf(buf, len, "%lldK", v >> 10);
	else
		snprintf(buf, len, "%lld", v);
	return buf;
}

static void put_limits_json(const struct kipc_limits *l,
			    const long long *value)
{
	size_t i;

	printf("{\"max_objects\": %" PRIu64
	       ", \"max_objects_per_user\": %" PRIu64
	       ", \"max_bytes_per_user\": %" PRIu64
	       ", \"objects\": %" PRIu64 ", \"uid\": %u, \"owner\": ",
	       l->max_objects, l->max_objects_per_user,
	       l->max_bytes_per_user, l->objects, (unsigned)l->uid);
	put_json_string(owner_name(l->uid));
	printf(", \"user_objects\": %" PRIu64 ", \"user_bytes\": %" PRIu64,
	       l->user_objects, l->user_bytes);
	printf(", \"limits\": [");
	for (i = 0; i < NR_LIMITS; i++) {
		printf("%s{\"resource\": \"%s\", \"description\": ", i ? ", " : "",
		       limits[i].param);
		put_json_string(limits[i].what);
		if (value[i] < 0)
			printf(", \"limit\": null");
		else
			printf(", \"limit\": %lld", value[i]);
		if (limit_use(i, l) < 0)
			printf(", \"used\": null}");
		else
			printf(", \"used\": %lld}", limit_use(i, l));
	}
	printf("]}\n");
}

int limits_main(int argc, char *argv[])
{
	long long value[NR_LIMITS], used;
	char lim[32], use[32], pct[16];
	struct kipc_limits l;
	bool json = false;
	size_t i;
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
	for (i = 0; i < NR_LIMITS; i++)
		value[i] = module_param_value(limits[i].param);
	/* The quota's own answers, where the module gave them. */
	value[0] = l.max_objects;
	value[1] = l.max_objects_per_user;
	value[2] = l.max_bytes_per_user;

	if (json) {
		put_limits_json(&l, value);
		return KIPC_EXIT_OK;
	}
	printf("%-21s %-44s %6s %6s %6s\n", "RESOURCE", "DESCRIPTION", "LIMIT",
	       "USED", "USE%");
	for (i = 0; i < NR_LIMITS; i++) {
		used = limit_use(i, &l);
		if (value[i] < 0)
			snprintf(lim, sizeof(lim), "-");
		else if (limits[i].bytes)
			fmt_bytes(lim, sizeof(lim), value[i]);
		else
			snprintf(lim, sizeof(lim), "%lld", value[i]);
		snprintf(use, sizeof(use), "-");
		snprintf(pct, sizeof(pct), "-");
		if (used >= 0) {
			if (limits[i].bytes)
				fmt_bytes(use, sizeof(use), used);
			else
				snprintf(use, sizeof(use), "%lld", used);
			if (value[i] > 0)
				snprintf(pct, sizeof(pct), "%.2f%%",
					 100.0 * used / value[i]);
		}
		printf("%-21s %-44s %6s %6s %6s\n", limits[i].param,
		       limits[i].what, lim, use, pct);
	}
	printf("\nuser: %s (uid %u); the per-user use is this user's\n",
	       owner_name(l.uid), (unsigned)l.uid);
	return KIPC_EXIT_OK;
}
