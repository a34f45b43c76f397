// SPDX-License-Identifier: GPL-2.0
/*
 * kipc create TYPE NAME [OPTION]...: create a named object (or open an
 * existing one) and close it again; named objects persist until rm.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_MODE = OPT_FIRST,
	OPT_EXCL,
	/* Attributes, in the order of attr_opts[]. */
	OPT_VALUE,
	OPT_MAX,
	OPT_CAPACITY,
	OPT_MAXMSG,
	OPT_MSGSIZE,
	OPT_SIZE,
};

static const struct option options[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "excl", no_argument, NULL, OPT_EXCL },
	{ "value", required_argument, NULL, OPT_VALUE },
	{ "max", required_argument, NULL, OPT_MAX },
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "maxmsg", required_argument, NULL, OPT_MAXMSG },
	{ "msgsize", required_argument, NULL, OPT_MSGSIZE },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ NULL, 0, NULL, 0 },
};

/*
 * Each attribute option, indexed by OPT_* - OPT_VALUE: the type it applies
 * to and its largest value.
 */
static const struct {
	const char *opt;
	int type;
	uint64_t max;
} attr_opts[] = {
	{ "--value",	KIPC_SEM,	KIPC_SEM_VALUE_MAX },
	{ "--max",	KIPC_SEM,	KIPC_SEM_VALUE_MAX },
	{ "--capacity",	KIPC_PIPE,	SIZE_MAX },
	{ "--maxmsg",	KIPC_MQ,	UINT32_MAX },
	{ "--msgsize",	KIPC_MQ,	UINT32_MAX },
	{ "--size",	KIPC_SHM,	SIZE_MAX },
};

#define N_ATTR_OPTS	(sizeof(attr_opts) / sizeof(attr_opts[0]))

static void set_attr(struct kipc_attr *attr, int opt, uint64_t val)
{
	switch (opt) {
	case OPT_VALUE:
		attr->value = val;
		break;
	case OPT_MAX:
		attr->max = val;
		break;
	case OPT_CAPACITY:
		attr->capacity = val;
		break;
	case OPT_MAXMSG:
		attr->maxmsg = val;
		break;
	case OPT_MSGSIZE:
		attr->msgsize = val;
		break;
	case OPT_SIZE:
		attr->size = val;
		break;
	}
}

int create_main(int argc, char *argv[])
{
	struct kipc_attr attr = { 0 };
	bool given[N_ATTR_OPTS] = { false };
	int oflag = O_RDWR | O_CREAT;
	uint64_t mode = 0600, val;
	const char *name;
	size_t i;
	int c, fd, type;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_MODE:
			if (parse_u64("--mode", optarg, 8, 0, 0777, &mode))
				return KIPC_EXIT_USAGE;
			break;
		case OPT_EXCL:
			oflag |= O_EXCL;
			break;
		case OPT_VALUE ... OPT_SIZE:
			i = c - OPT_VALUE;
			if (parse_u64(attr_opts[i].opt, optarg, 10, 0,
				      attr_opts[i].max, &val))
				return KIPC_EXIT_USAGE;
			set_attr(&attr, c, val);
			given[i] = true;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (argc - optind != 2)
		return usage_error(argv[0], "expected TYPE and NAME");

	type = kipc_type_from_name(argv[optind]);
	if (type < 0)
		return usage_error(argv[0],
				   "unknown type '%s' (sem, pipe, mq or shm)",
				   argv[optind]);
	name = argv[optind + 1];
	for (i = 0; i < N_ATTR_OPTS; i++)
		if (given[i] && attr_opts[i].type != type)
			return usage_error(argv[0], "%s applies to %s only",
					   attr_opts[i].opt,
					   kipc_type_name(attr_opts[i].type));
	if (attr.max && attr.value > attr.max)
		return usage_error(argv[0], "--value %u is above --max %u",
				   attr.value, attr.max);

	fd = obj_open(name, type, oflag, mode, &attr);
	if (fd < 0)
		return KIPC_EXIT_FAIL;
	close(fd);
	return KIPC_EXIT_OK;
}
