/* SPDX-License-Identifier: GPL-2.0 */
/* The kipc tool's subcommands: one file each, listed in kipc.c. */
#ifndef KIPC_SUBCOMMANDS_H
#define KIPC_SUBCOMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "../lib/io_full.h"	/* read_full(), write_all() */

struct kipc_attr;

/* Exit codes of every subcommand (kipc(1), EXIT STATUS). */
enum {
	KIPC_EXIT_OK		= 0,
	KIPC_EXIT_FAIL		= 1,	/* an error */
	KIPC_EXIT_USAGE		= 2,	/* bad arguments: nothing was done */
	KIPC_EXIT_EMPTY		= 3,	/* --try: nothing there, or no room */
	KIPC_EXIT_TIMEOUT	= 124,	/* --timeout passed, as timeout(1) */
};

/*
 * The exit code for a wait, send or receive that failed with @err:
 * KIPC_EXIT_EMPTY for EAGAIN (and ENXIO, a pipe with no reader under
 * --try), KIPC_EXIT_TIMEOUT for ETIMEDOUT, else KIPC_EXIT_FAIL.
 */
int exit_code_of(int err);

/* The module parameter @param (/sys/module/kipc/parameters), or -1. */
long long module_param_value(const char *param);

struct subcommand {
	const char *name;
	const char *summary;
	const char *usage;	/* arguments after the name, "" if none */
	const char *options;	/* lines describing the options, or NULL */
	int (*run)(int argc, char *argv[]);
};

extern const char *prog;

/* True if argv asks for help (-h/--help anywhere before "--"). */
bool wants_help(int argc, char *argv[]);
/* Print "usage: kipc NAME USAGE", the summary and options to stdout/stderr. */
void print_usage(const struct subcommand *sub, bool to_stderr);
const struct subcommand *find_subcommand(const char *name);

/* tools/util.c */

/*
 * Values of long options (struct option.val) start here, above every
 * character, so that an error about one is not taken for a short option.
 */
#define OPT_FIRST	256

#define NSEC_PER_SEC	1000000000LL	/* the tool's and the bench's one */
/* Options several subcommands share take values from here on. */
#define OPT_SHARED	512
#define OPT_TIMEOUT	(OPT_SHARED + 0)	/* --timeout, see wait_opt() */
#define OPT_TRY		(OPT_SHARED + 1)	/* --try */

/*
 * Print "kipc: MESSAGE" and the subcommand's usage line to stderr; returns
 * KIPC_EXIT_USAGE.
 */
int usage_error(const char *subname, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* usage_error() for getopt_long()'s '?' or ':' (optstring starts with ':'). */
int option_error(const char *subname, int c, char *argv[]);

/*
 * Parse all of @arg as an unsigned number in @base between @min and @max:
 * no sign, blanks or trailing characters. On error print a message naming
 * option @opt and return -1.
 */
int parse_u64(const char *opt, const char *arg, int base, uint64_t min,
	      uint64_t max, uint64_t *out);
/*
 * Parse --type's argument (sem, pipe, mq, shm) for subcommand @subname:
 * the KIPC_* type, or -1 after a usage message.
 */
int parse_type(const char *subname, const char *arg);
/*
 * A size: "64", "4K", "1M", "2G" (powers of 1024), at most @max. 0 with
 * *@out, -1 if @arg is none or too large. parse_bytes() also prints why,
 * naming option @opt. The one size parser of the tool and the bench.
 */
int bytes_from_text(const char *arg, uint64_t max, uint64_t *out);
int parse_bytes(const char *opt, const char *arg, uint64_t max, uint64_t *out);
/* Parse a duration like "2", "0.5" or ".25" seconds, as parse_u64(). */
int parse_seconds(const char *opt, const char *arg, struct timespec *out);
/* Turn the relative @ts into an absolute CLOCK_MONOTONIC deadline. */
int deadline_from_now(struct timespec *ts);

/*
 * --timeout SECONDS and --try, which send, recv and wait share: list
 * WAIT_OPTIONS in the getopt table, pass OPT_TIMEOUT and OPT_TRY to
 * wait_opt() (KIPC_EXIT_USAGE after it printed why, else 0), and call
 * wait_opts_done() once the options are read (KIPC_EXIT_USAGE if both
 * were given, else 0); deadline_from_now() makes @timeout a deadline.
 */
struct wait_opts {
	struct timespec timeout;	/* relative, then a deadline */
	bool timed, try;
};

#define WAIT_OPTIONS							\
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },		\
	{ "try", no_argument, NULL, OPT_TRY }

int wait_opt(struct wait_opts *w, int opt, const char *arg);
int wait_opts_done(const struct wait_opts *w, const char *subname);

/* Print why /dev/kipc could not be used (errno @err). */
void dev_error(int err);
/*
 * Check that the module is there with our ABI, printing the reason if not.
 * Afterwards ENOENT from libkipc means a missing name, not a missing device.
 */
int dev_ready(void);

/* Reason for errno @err from an object call, e.g. "no such object". */
const char *obj_strerror(int err);
/*
 * Print "kipc: TYPE 'NAME': reason"; the type is left out if not KIPC_*.
 * For EMEDIUMTYPE it says what NAME is instead: "'jobs' is a message
 * queue, not a semaphore".
 */
void obj_error(int type, const char *name, int err);
/* "a semaphore", "a pipe", "a message queue", "a region"; NULL else. */
const char *type_noun(int type);
/*
 * The KIPC_* type of the object called @name, asked over netlink without
 * opening it; -1 (errno set) if that cannot be told.
 */
int obj_type_of(const char *name);
/* obj_error(), with the kernel's words @why instead if there are any. */
void obj_error_why(int type, const char *name, int err, const char *why);
/*
 * dev_ready() and kipc_open() (adding O_CLOEXEC); on failure print what
 * went wrong and return -1.
 */
int obj_open(const char *name, int type, int oflag, mode_t mode,
	     const struct kipc_attr *attr);
/*
 * Open the existing @name as whichever of @types (tried in order) it is,
 * storing that in *@type; as obj_open() otherwise.
 */
int obj_open_as(const char *name, const int *types, size_t ntypes, int oflag,
		int *type);

/*
 * send and recv: open @name as a queue, pipe or region (tried in that
 * order) with @oflag, plus O_NONBLOCK for --try, storing its type in
 * *@type. Options only queues take (@queue_opts names them, as "--prio
 * and --timeout"; @queue_opts_given says one was given) are refused on
 * the others: before opening when the type can be told, as a pipe's open
 * waits for its peer, else once open. A --timeout becomes a deadline
 * once open. Returns the descriptor, or the negated exit code after
 * printing why.
 */
int transfer_open(const char *subname, const char *name, int oflag,
		  const char *queue_opts, bool queue_opts_given,
		  struct wait_opts *w, int *type);

/* tools/output.c */

struct kipc_stat;

/*
 * @ns since the epoch as local time, "2024-05-01 12:00:00.000000001 +0200"
 * or, with @iso, "2024-05-01T12:00:00.000000001+02:00".
 */
void format_time(char *buf, size_t len, uint64_t ns, bool iso);
/*
 * @s as a JSON string on stdout. Names are bytes, JSON is Unicode: a byte
 * that is not part of valid UTF-8 becomes U+FFFD.
 */
void put_json_string(const char *s);
/* put_json_string() to @f. */
void fput_json_string(FILE *f, const char *s);
/*
 * @s into @buf (@len bytes with the NUL) with control characters as
 * \xHH, so a name cannot garble a terminal. Returns its width in
 * characters.
 */
size_t text_escape(char *buf, size_t len, const char *s);
/* text_escape() of @s, on stdout. */
void put_text(const char *s);
/* The user name of @uid, or the number if it has none. */
const char *owner_name(uint32_t uid);
/*
 * The fields of @st as JSON members ("type": ... "created": ...) with @sep
 * between them and no braces: the same keys for ls, stat and watch. An
 * anonymous object's name is null; a name that is not UTF-8 (shown with
 * U+FFFD) comes exact as "name_hex" too; "owner" is owner_name().
 */
void put_json_fields(const struct kipc_stat *st, const char *sep);


/*
 * kipc send/recv on a pipe (pipe_io.c): stdin -> pipe, pipe -> stdout.
 * With @try (the pipe opened O_NONBLOCK), recv takes what is there and
 * exits KIPC_EXIT_EMPTY if that was nothing. Both return an exit code.
 */
int pipe_send(const char *name, int fd);
int pipe_recv(const char *name, int fd, bool try);

/*
 * kipc send/recv on a region (shm_io.c): stdin -> region from offset 0
 * (input longer than the region fails), whole region -> stdout. @fd is
 * the region opened for writing (send) or reading (recv); @name is for
 * messages. Both return an exit code.
 */
int shm_send(const char *name, int fd);
int shm_recv(const char *name, int fd);

/* The subcommands, one file each. */
int create_main(int argc, char *argv[]);
int rm_main(int argc, char *argv[]);
int stat_main(int argc, char *argv[]);
int post_main(int argc, char *argv[]);
int wait_main(int argc, char *argv[]);
int send_main(int argc, char *argv[]);
int recv_main(int argc, char *argv[]);
int version_main(int argc, char *argv[]);
int ls_main(int argc, char *argv[]);
int watch_main(int argc, char *argv[]);
int limits_main(int argc, char *argv[]);
int bench_main(int argc, char *argv[]);

#endif /* KIPC_SUBCOMMANDS_H */
