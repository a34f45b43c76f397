// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers the subcommands share: strict number parsing, usage and option
 * errors, the /dev/kipc check, and error messages that name the object.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipc.h"
#include "subcommands.h"


#define STR_(x)	#x
#define STR(x)	STR_(x)

/* Longest --timeout, in seconds (68 years). */
#define SECONDS_MAX	2147483647ULL

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int usage_error(const char *subname, const char *fmt, ...)
{
	const struct subcommand *sub = find_subcommand(subname);
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (sub)
		fprintf(stderr, "usage: %s %s %s\n", prog, sub->name,
			sub->usage);
	return KIPC_EXIT_USAGE;
}

int option_error(const char *subname, int c, char *argv[])
{
	/*
	 * With a ':' first in optstring, getopt says ':' for a missing
	 * argument. Long options have values from OPT_FIRST up, so an optopt
	 * below it is a short option, possibly inside a cluster like -xy.
	 */
	if (c == ':')
		return usage_error(subname, "option '%s' needs an argument",
				   argv[optind - 1]);
	if (optopt > 0 && optopt < OPT_FIRST)
		return usage_error(subname, "invalid option '-%c'", optopt);
	return usage_error(subname, "invalid option '%s'", argv[optind - 1]);
}

int parse_u64(const char *opt, const char *arg, int base, uint64_t min,
	      uint64_t max, uint64_t *out)
{
	unsigned long long val;
	char *end;

	/* A digit first: no sign, no blanks, nothing empty. */
	if (!is_digit(arg[0]))
		goto invalid;
	errno = 0;
	val = strtoull(arg, &end, base);
	if (*end)
		goto invalid;
	if (errno == ERANGE || val < min || val > max) {
		fprintf(stderr, base == 8 ?
			"%s: %s: '%s' out of range (%#llo..%#llo)\n" :
			"%s: %s: '%s' out of range (%llu..%llu)\n",
			prog, opt, arg, (unsigned long long)min,
			(unsigned long long)max);
		return -1;
	}
	*out = val;
	return 0;

invalid:
	fprintf(stderr, "%s: %s: invalid number '%s'\n", prog, opt, arg);
	return -1;
}

int bytes_from_text(const char *arg, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!is_digit(arg[0]))
		return -1;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno == ERANGE)
		return -1;
	switch (*end) {
	case 'K': case 'k':
		shift = 10;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'G': case 'g':
		shift = 30;
		break;
	}
	if (shift)
		end++;
	if (*end || v > max >> shift)
		return -1;
	*out = v << shift;
	return 0;
}

int parse_bytes(const char *opt, const char *arg, uint64_t max, uint64_t *out)
{
	if (bytes_from_text(arg, max, out) == 0)
		return 0;
	fprintf(stderr, "%s: %s: invalid size '%s' (bytes, or with K, M or G; "
		"at most %llu)\n", prog, opt, arg, (unsigned long long)max);
	return -1;
}

int parse_seconds(const char *opt, const char *arg, struct timespec *out)
{
	const char *p = arg;
	uint64_t sec = 0;
	long nsec = 0, scale = 100000000;
	bool digits = false;

	for (; is_digit(*p); p++, digits = true) {
		sec = sec * 10 + (*p - '0');
		if (sec > SECONDS_MAX) {
			fprintf(stderr, "%s: %s: '%s' out of range (at most "
				"%llu seconds)\n", prog, opt, arg, SECONDS_MAX);
			return -1;
		}
	}
	if (*p == '.') {
		/* Digits past nanoseconds are dropped. */
		for (p++; is_digit(*p); p++, digits = true) {
			nsec += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (!digits || *p) {
		fprintf(stderr, "%s: %s: invalid number of seconds '%s'\n",
			prog, opt, arg);
		return -1;
	}
	out->tv_sec = sec;
	out->tv_nsec = nsec;
	return 0;
}

int deadline_from_now(struct timespec *ts)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return -1;
	/* parse_seconds() caps the timeout well below overflow. */
	ts->tv_sec += now.tv_sec;
	ts->tv_nsec += now.tv_nsec;
	if (ts->tv_nsec >= NSEC_PER_SEC) {
		ts->tv_sec++;
		ts->tv_nsec -= NSEC_PER_SEC;
	}
	return 0;
}

int wait_opt(struct wait_opts *w, int opt, const char *arg)
{
	if (opt == OPT_TRY) {
		w->try = true;
		return 0;
	}
	if (parse_seconds("--timeout", arg, &w->timeout))
		return KIPC_EXIT_USAGE;
	w->timed = true;
	return 0;
}

int wait_opts_done(const struct wait_opts *w, const char *subname)
{
	if (w->timed && w->try)
		return usage_error(subname, "--timeout and --try exclude each other");
	return 0;
}

void dev_error(int err)
{
	const char *why = "";

	if (err == ENOENT || err == ENXIO || err == ENODEV)
		why = ": the kipc module is not loaded";
	fprintf(stderr, "%s: %s: %s%s\n", prog, kipc_device_path(), strerror(err),
		why);
}

int dev_ready(void)
{
	unsigned int abi;

	if (kipc_version(&abi, NULL) < 0) {
		dev_error(errno);
		return -1;
	}
	if (abi != KIPC_ABI_VERSION) {
		fprintf(stderr, "%s: module ABI %u differs from library "
			"ABI %u\n", prog, abi, KIPC_ABI_VERSION);
		return -1;
	}
	return 0;
}

const char *obj_strerror(int err)
{
	switch (err) {
	case ENOENT:
		return "no such object";
	case EEXIST:
		return "already exists";
	case EMEDIUMTYPE:
		return "exists with another type";
	case EOPNOTSUPP:
		return "not supported by the loaded module";
	case EINVAL:
		return "invalid name or attributes";
	case ENAMETOOLONG:
		return "name longer than " STR(KIPC_NAME_MAX) " bytes";
	case EMFILE:
		return "per-user object limit reached";
	case ENOSPC:
		return "the module's object limit reached";
	case ENOMEM:
		return "out of memory or over the per-user memory limit";
	case EOVERFLOW:
		return "would exceed the maximum";
	case EAGAIN:
		return "would block";
	case ETIMEDOUT:
		return "timed out";
	case EPIPE:
		return "every reader has gone";
	case ENXIO:
		return "no reader has it open";
	case EPROTONOSUPPORT:
		return "the loaded kipc module has no netlink family";
	default:
		return strerror(err);
	}
}

long long module_param_value(const char *param)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", param);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int exit_code_of(int err)
{
	switch (err) {
	case EAGAIN:
	case ENXIO:
		return KIPC_EXIT_EMPTY;
	case ETIMEDOUT:
		return KIPC_EXIT_TIMEOUT;
	default:
		return KIPC_EXIT_FAIL;
	}
}

const char *type_noun(int type)
{
	switch (type) {
	case KIPC_SEM:
		return "a semaphore";
	case KIPC_PIPE:
		return "a pipe";
	case KIPC_MQ:
		return "a message queue";
	case KIPC_SHM:
		return "a region";
	default:
		return NULL;
	}
}

int obj_type_of(const char *name)
{
	struct kipc_stat st;

	if (kipc_lookup(name, &st) < 0)
		return -1;
	return st.type;
}

void obj_error(int type, const char *name, int err)
{
	const char *tname = kipc_type_name(type);
	int is = err == EMEDIUMTYPE ? obj_type_of(name) : -1;

	if (is >= 0 && type_noun(is) && type_noun(type))
		fprintf(stderr, "%s: '%s' is %s, not %s\n", prog, name,
			type_noun(is), type_noun(type));
	else
		fprintf(stderr, "%s: %s%s'%s': %s\n", prog, tname ? tname : "",
			tname ? " " : "", name, obj_strerror(err));
	/* The caller may still want the error: exit_code_of(). */
	errno = err;
}

void obj_error_why(int type, const char *name, int err, const char *why)
{
	const char *tname = kipc_type_name(type);

	if (!why || !*why) {
		obj_error(type, name, err);
		return;
	}
	fprintf(stderr, "%s: %s%s'%s': %s\n", prog, tname ? tname : "",
		tname ? " " : "", name, why);
}

int obj_open(const char *name, int type, int oflag, mode_t mode,
	     const struct kipc_attr *attr)
{
	int fd;

	if (dev_ready() < 0)
		return -1;
	fd = kipc_open(name, type, oflag | O_CLOEXEC, mode, attr);
	if (fd < 0)
		obj_error(type, name, errno);
	return fd;
}

/* "'x' is a semaphore, not a message queue, a pipe or a region". */
static void mismatch_error(const char *name, const int *types, size_t ntypes)
{
	int is = obj_type_of(name);
	size_t i;

	if (is < 0 || !type_noun(is)) {
		obj_error(0, name, EMEDIUMTYPE);
		return;
	}
	fprintf(stderr, "%s: '%s' is %s, not ", prog, name, type_noun(is));
	for (i = 0; i < ntypes; i++)
		fprintf(stderr, "%s%s", i == 0 ? "" : i + 1 < ntypes ? ", " :
			" or ", type_noun(types[i]));
	fputc('\n', stderr);
}

int obj_open_as(const char *name, const int *types, size_t ntypes, int oflag,
		int *type)
{
	size_t i;
	int fd = -1;

	if (dev_ready() < 0)
		return -1;
	for (i = 0; i < ntypes; i++) {
		fd = kipc_open(name, types[i], oflag | O_CLOEXEC, 0, NULL);
		if (fd >= 0) {
			*type = types[i];
			return fd;
		}
		if (errno != EMEDIUMTYPE && errno != EOPNOTSUPP)
			break;
	}
	if (i == ntypes && errno == EMEDIUMTYPE && ntypes > 1) {
		mismatch_error(name, types, ntypes);
		errno = EMEDIUMTYPE;
		return -1;
	}
	/* Name the type that failed, unless @name is missing: then none. */
	obj_error(i < ntypes && errno != ENOENT ? types[i] :
		  ntypes == 1 ? types[0] : 0, name, errno);
	return -1;
}

/* The types send and recv move data through, tried in this order. */
static const int transfer_types[] = { KIPC_MQ, KIPC_PIPE, KIPC_SHM };

static int queue_opts_error(const char *subname, const char *queue_opts,
			    const char *name, int type)
{
	return usage_error(subname, "%s apply to message queues; '%s' is %s",
			   queue_opts, name, type_noun(type) ?: "not one");
}

int transfer_open(const char *subname, const char *name, int oflag,
		  const char *queue_opts, bool queue_opts_given,
		  struct wait_opts *w, int *type)
{
	int fd, code;

	*type = obj_type_of(name);
	if (*type >= 0 && *type != KIPC_MQ && queue_opts_given)
		return -queue_opts_error(subname, queue_opts, name, *type);
	fd = obj_open_as(name, transfer_types,
			 sizeof(transfer_types) / sizeof(transfer_types[0]),
			 oflag | (w->try ? O_NONBLOCK : 0), type);
	if (fd < 0) {
		code = exit_code_of(errno);
		return code ? -code : -KIPC_EXIT_FAIL;
	}
	if (*type != KIPC_MQ && queue_opts_given) {
		close(fd);
		return -queue_opts_error(subname, queue_opts, name, *type);
	}
	if (w->timed && deadline_from_now(&w->timeout) < 0) {
		perror(prog);
		close(fd);
		return -KIPC_EXIT_FAIL;
	}
	return fd;
}



int parse_type(const char *subname, const char *arg)
{
	int type = kipc_type_from_name(arg);

	if (type < 0)
		usage_error(subname, "--type: unknown type '%s' (sem, pipe, mq "
			    "or shm)", arg);
	return type;
}
