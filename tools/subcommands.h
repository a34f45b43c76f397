/* SPDX-License-Identifier: GPL-2.0 */
/* The kipc tool's subcommands: one file each, listed in kipc.c. */
#ifndef KIPC_SUBCOMMANDS_H
#define KIPC_SUBCOMMANDS_H

#include <stdbool.h>

/* Exit codes of every subcommand. */
enum {
	KIPC_EXIT_OK	= 0,
	KIPC_EXIT_FAIL	= 1,
	KIPC_EXIT_USAGE	= 2,
};

struct subcommand {
	const char *name;
	const char *summary;
	const char *usage;	/* arguments after the name, "" if none */
	int (*run)(int argc, char *argv[]);
};

extern const char *prog;

/* True if argv asks for help (-h/--help anywhere before "--"). */
bool wants_help(int argc, char *argv[]);
/* Print "usage: kipc NAME USAGE" and the summary to stdout or stderr. */
void print_usage(const struct subcommand *sub, bool to_stderr);
const struct subcommand *find_subcommand(const char *name);

int version_main(int argc, char *argv[]);

#endif /* KIPC_SUBCOMMANDS_H */
