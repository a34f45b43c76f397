// SPDX-License-Identifier: GPL-2.0
/*
 * kipc create TYPE NAME [OPTION]...: create a named object and close it
 * again; named objects persist until rm. An existing NAME is an error
 * unless --exist-ok, and then it is left as it is. An explicit --mode is
 * exact, as mkfifo -m: the umask does not apply to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_MODE = OPT_FIRST,
	OPT_EXCL,
	OPT_EXIST_OK,
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
	{ "exist-ok", no_argument, NULL, OPT_EXIST_OK },
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
	bool bytes;		/* a size: K, M and G suffixes */
} attr_opts[] = {
	{ "--value",	KIPC_SEM,	KIPC_SEM_VALUE_MAX,	false },
	{ "--max",	KIPC_SEM,	KIPC_SEM_VALUE_MAX,	false },
	{ "--capacity",	KIPC_PIPE,	SIZE_MAX,		true },
	{ "--maxmsg",	KIPC_MQ,	UINT32_MAX,		false },
	{ "--msgsize",	KIPC_MQ,	UINT32_MAX,		true },
	{ "--size",	KIPC_SHM,	SIZE_MAX,		true },
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

/* Is @val over the module's limit @param? Then say so in @why. */
static bool over_param(char *why, size_t len, const char *what, uint64_t val,
		       const char *param)
{
	long long max = module_param_value(param);

	if (max < 0 || val <= (uint64_t)max)
		return false;
	snprintf(why, len, "%s %llu exceeds %s %lld", what,
		 (unsigned long long)val, param, max);
	return true;
}

/*
 * The module refused @name or @a with EINVAL: put which value broke which
 * rule in @why, where it can be told from here; false if it cannot.
 */
static bool explain_einval(char *why, size_t len, int type, const char *name,
			   const struct kipc_attr *a)
{
	long page = sysconf(_SC_PAGESIZE);
	const char *n = *name == '/' ? name + 1 : name;

	if (!*n) {
		snprintf(why, len, "a name cannot be empty");
		return true;
	}
	if (strchr(n, '/')) {
		snprintf(why, len, "names cannot contain '/' (but for one at "
			 "the start)");
		return true;
	}
	switch (type) {
	case KIPC_MQ:
		if (over_param(why, len, "maxmsg", a->maxmsg, "mq_maxmsg_max") ||
		    over_param(why, len, "msgsize", a->msgsize, "mq_msgsize_max"))
			return true;
		/* The channel layer knows what this process may ask. */
		if (a->msgsize > (size_t)kipc_chan_limit("kipc-mq")) {
			snprintf(why, len, "msgsize %zu exceeds mq_msgsize_user_max "
				 "%zd, the most without CAP_SYS_RESOURCE",
				 a->msgsize, kipc_chan_limit("kipc-mq"));
			return true;
		}
		return false;
	case KIPC_PIPE:
		return over_param(why, len, "capacity", a->capacity,
				  "pipe_max_size");
	case KIPC_SHM:
		if (a->size % page) {
			snprintf(why, len, "size %zu is not a multiple of the "
				 "page size, %ld", a->size, page);
			return true;
		}
		return over_param(why, len, "size", a->size, "shm_max_bytes");
	}
	return false;
}

int create_main(int argc, char *argv[])
{
	struct kipc_attr attr = { 0 };
	bool given[N_ATTR_OPTS] = { false };
	bool mode_given = false, exist_ok = false;
	uint64_t mode = 0600, val;
	const char *name;
	mode_t mask = 0;
	char why[160];
	size_t i;
	int c, fd, type, err;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_MODE:
			if (parse_u64("--mode", optarg, 8, 0, 0777, &mode))
				return KIPC_EXIT_USAGE;
			mode_given = true;
			break;
		case OPT_EXCL:
			/* The default now; kept for scripts that say it. */
			break;
		case OPT_EXIST_OK:
			exist_ok = true;
			break;
		case OPT_VALUE ... OPT_SIZE:
			i = c - OPT_VALUE;
			if (attr_opts[i].bytes ?
			    parse_bytes(attr_opts[i].opt, optarg,
					attr_opts[i].max, &val) :
			    parse_u64(attr_opts[i].opt, optarg, 10, 0,
				      attr_opts[i].max, &val))
				return KIPC_EXIT_USAGE;
			set_attr(&attr, c, val);
			given[i] = true;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (argc - optind < 2)
		return usage_error(argv[0], "expected TYPE and NAME");
	if (argc - optind > 2)
		return usage_error(argv[0], "unexpected argument '%s' after "
				   "TYPE and NAME", argv[optind + 2]);

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

	if (dev_ready() < 0)
		return KIPC_EXIT_FAIL;
	/* An explicit mode is exact; the default 0600 takes the umask. */
	if (mode_given)
		mask = umask(0);
	fd = kipc_open(name, type, O_RDWR | O_CREAT | O_CLOEXEC |
		       (exist_ok ? 0 : O_EXCL), mode, &attr);
	err = errno;
	if (mode_given)
		umask(mask);
	if (fd >= 0) {
		close(fd);
		return KIPC_EXIT_OK;
	}
	/* O_EXCL comes first in the module: say if it is another type. */
	if (err == EEXIST && obj_type_of(name) >= 0 && obj_type_of(name) != type)
		obj_error(type, name, EMEDIUMTYPE);
	else if (err == EEXIST)
		obj_error_why(type, name, err, "exists already (--exist-ok "
			      "accepts it as it is)");
	else if (err == EINVAL && explain_einval(why, sizeof(why), type,
						 name, &attr))
		obj_error_why(type, name, err, why);
	else
		obj_error(type, name, err);
	return KIPC_EXIT_FAIL;
}
