// SPDX-License-Identifier: GPL-2.0
/*
 * kipc - drive kipc objects and compare them with native Linux IPC.
 *
 * A table of subcommands, each in its own file, in the manner of wg(8).
 */
#include <stdio.h>
#include <string.h>

#include "subcommands.h"

const char *prog = "kipc";

static int help_main(int argc, char *argv[]);

static const struct subcommand subcommands[] = {
	{ "create", "Create a named object",
	  "TYPE NAME [OPTION]...",
	  "TYPE is sem, pipe, mq or shm; NAME may start with one '/'. If NAME\n"
	  "exists already, that is an error unless --exist-ok is given; then\n"
	  "the object is left as it is. BYTES take K, M or G (powers of 1024).\n"
	  "\n"
	  "  --mode MODE       permission bits in octal, up to 0777, exactly\n"
	  "                    (default 0600, less the umask)\n"
	  "  --exist-ok        accept an existing object of TYPE as it is\n"
	  "  --excl            fail if NAME exists already (the default)\n"
	  "  --value N         sem: initial value (default 0)\n"
	  "  --max N           sem: largest value (default 2147483647)\n"
	  "  --capacity BYTES  pipe: ring size\n"
	  "  --maxmsg N        mq: queue length in messages\n"
	  "  --msgsize BYTES   mq: largest message\n"
	  "  --size BYTES      shm: region size, whole pages (default: the\n"
	  "                    module's shm_default_bytes)\n",
	  create_main },
	{ "rm", "Remove names; objects live on until their last close",
	  "NAME...",
	  "Only the owner or CAP_SYS_ADMIN may remove a name; a failure is\n"
	  "explained in the kernel's words.\n", rm_main },
	{ "ls", "List the objects of this network namespace",
	  "[--type TYPE] [-o LIST] [-n] [-r] [--json]",
	  "  --type TYPE        only objects of TYPE (sem, pipe, mq, shm)\n"
	  "  -o, --output LIST  these columns, in this order (e.g.\n"
	  "                     NAME,TYPE,USED; any case)\n"
	  "  -n, --noheadings   no header line\n"
	  "  -r, --raw          no alignment: cells one space apart, a space\n"
	  "                     in one written \\x20\n"
	  "  --json             print a JSON array of objects, with the keys\n"
	  "                     of stat --json\n"
	  "\n"
	  "Named and anonymous objects, oldest first: TYPE, ID, NAME\n"
	  "(\"(anon)\" for anonymous ones), OWNER, MODE, SIZE (capacity: ring\n"
	  "bytes, queue length, region size, largest sem value), USED (bytes\n"
	  "held, messages queued, resident bytes, sem value) and HANDLES\n"
	  "(open file descriptions). Each network namespace sees its own.\n",
	  ls_main },
	{ "stat", "Show an object's attributes and counters",
	  "NAME [--type TYPE] [--json]",
	  "  --type TYPE  fail unless NAME is of TYPE (sem, pipe, mq, shm)\n"
	  "  --json       print one JSON object\n"
	  "\n"
	  "Asks the module over netlink: NAME is not opened, so no permission\n"
	  "on it is needed and its counters do not change (a region's\n"
	  "mappings and seals come over netlink too).\n",
	  stat_main },
	{ "watch", "Show objects being created, unlinked and destroyed",
	  "[--json] [--count N]",
	  "  --json     one JSON object per line\n"
	  "  --count N  stop after N events\n"
	  "\n"
	  "One line per event of this network namespace, as it happens, until\n"
	  "interrupted (exit 0).\n", watch_main },
	{ "limits", "Show the module's limits and usage",
	  "[--json]",
	  "  --json  print one JSON object\n"
	  "\n"
	  "Every module parameter, as lsipc -g: RESOURCE, DESCRIPTION, LIMIT,\n"
	  "and for the limits that count something USED and USE% (the objects\n"
	  "held in every namespace, and what your user is charged); the\n"
	  "limits on one object show '-' there.\n", limits_main },
	{ "bench", "Measure every IPC mechanism, kipc's and the native ones",
	  "[OPTION]...",
	  "Latency (pingpong), throughput (stream) and priority queues (prio)\n"
	  "for each mechanism of libkipc's channels and each message size, and\n"
	  "locks (lock: semaphores and mutexes, with what each does when its\n"
	  "holder is killed), in one run; kipc-* and the benaphore need the\n"
	  "module and are listed as not run without it.\n"
	  "\n"
	  "  --pattern LIST   pingpong,stream,prio,lock (default: all four)\n"
	  "  --sizes LIST     message sizes, e.g. 64,4K,1M (default 8 B, then\n"
	  "                   powers of 4 from 16 B to 1 MiB)\n"
	  "  --mech LIST      only these mechanisms (see --list)\n"
	  "  --producers N    stream senders into one receiver (default 1)\n"
	  "  --procs LIST     lock: numbers of contending processes\n"
	  "                   (default 1,2,4; at most 16)\n"
	  "  --depth N        queue and ring depth in messages (default 10;\n"
	  "                   prio: up to 1024, within 16 MiB)\n"
	  "  --batch N        stream and prio also with N messages per call\n"
	  "                   (sendmmsg, kipc_mq_send_batch, ...; a loop where\n"
	  "                   a mechanism has none), as rows of their own\n"
	  "                   (default 32; 1: only one message per call)\n"
	  "  --duration SECS  time measured per cell, over all rounds\n"
	  "                   (default 0.2)\n"
	  "  --iters N        messages per cell and round instead\n"
	  "  --rounds N       run every cell N times, interleaved, and pool\n"
	  "                   the samples (default 3)\n"
	  "  --quick          64 B and 4 KiB, 0.02 s per cell, one round: a\n"
	  "                   smoke test\n"
	  "  --json FILE      write every result as JSON\n"
	  "  --csv FILE       write every result as CSV\n"
	  "  --plot FILE.svg  draw every family and pattern against size\n"
	  "                   (gnuplot; FILE.png for a PNG)\n"
	  "  --gnuplot FILE   write the gnuplot script instead (data inline;\n"
	  "                   it draws FILE's name with .svg)\n"
	  "  --cross-check    then run perf bench sched pipe, pmqtest,\n"
	  "                   ptsematest and sigwaittest, and print their\n"
	  "                   figures beside the closest cells\n"
	  "  --progress       progress lines on stderr even if it is no tty\n"
	  "  --list           list the mechanisms and their message limits\n"
	  "\n"
	  "Every cell also reports kernel counters per message over its\n"
	  "measured phase: system calls and context switches (perf events;\n"
	  "system calls need tracefs mounted), page faults and user/system CPU\n"
	  "(getrusage), instructions and cycles where a PMU exists. A counter\n"
	  "that cannot be read is shown as '-' (JSON null), with the reason in\n"
	  "the header.\n"
	  "\n"
	  "Exit 1 if any cell failed, e.g. a message arrived damaged.\n",
	  bench_main },
	{ "post", "Add units to a semaphore", "NAME [--count N]",
	  "  --count N  units to add (default 1)\n", post_main },
	{ "wait", "Take one unit from a semaphore, waiting while it is zero",
	  "NAME [--timeout SECONDS | --try]",
	  "  --timeout SECONDS  give up after SECONDS (e.g. 0.5); exit 124\n"
	  "  --try              do not wait at all; exit 3 if the value is 0\n",
	  wait_main },
	{ "send", "Send messages to a queue, or stdin to a pipe or region",
	  "NAME [--prio P] [--timeout SECONDS | --try] [MESSAGE...]",
	  "To a message queue, each MESSAGE is one message (its bytes, without\n"
	  "a NUL), sent in order; without MESSAGEs each line of stdin is one.\n"
	  "Put '--' before messages that start with '-'. To a pipe, stdin is\n"
	  "copied in; opening waits for a reader, as for a FIFO. To a region,\n"
	  "stdin is copied to its start (more than its size fails).\n"
	  "\n"
	  "  --prio P           queue: priority 0..32767 (default 0); higher is\n"
	  "                     received first\n"
	  "  --timeout SECONDS  queue: give up if they have not all been sent\n"
	  "                     within SECONDS (e.g. 0.5); exit 124\n"
	  "  --try              do not wait at all: exit 3 if the queue is full\n"
	  "                     (or the pipe has no reader or no room)\n",
	  send_main },
	{ "recv", "Receive messages from a queue, or a pipe's or region's data",
	  "NAME [--count N] [--timeout SECONDS | --try]",
	  "From a message queue, prints one line per message: the priority,\n"
	  "a tab, and the payload with '\\' as \\\\ and control bytes as \\xHH;\n"
	  "highest priority first, oldest first within a priority. From a\n"
	  "pipe, copies the data to stdout until the last writer closes;\n"
	  "opening waits for a writer, as for a FIFO. From a region, copies\n"
	  "all of it to stdout.\n"
	  "\n"
	  "  --count N          queue: receive N messages (default 1)\n"
	  "  --timeout SECONDS  queue: give up if they have not all come\n"
	  "                     within SECONDS (e.g. 0.5); exit 124\n"
	  "  --try              do not wait at all: exit 3 if a message is\n"
	  "                     missing (or the pipe has no data)\n",
	  recv_main },
	{ "version", "Show the library and module ABI versions", "", NULL,
	  version_main },
	{ "help", "Show help for the tool or one subcommand", "[SUBCOMMAND]",
	  NULL, help_main },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

const struct subcommand *find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < N_SUBCOMMANDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

bool wants_help(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

void print_usage(const struct subcommand *sub, bool to_stderr)
{
	FILE *out = to_stderr ? stderr : stdout;

	fprintf(out, "usage: %s %s%s%s\n\n%s\n", prog, sub->name,
		*sub->usage ? " " : "", sub->usage, sub->summary);
	if (sub->options)
		fprintf(out, "\n%s", sub->options);
}

static void show_main_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s SUBCOMMAND [ARGS]...\n\n", prog);
	fprintf(out, "Subcommands:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out, "\n'%s help SUBCOMMAND' or '%s SUBCOMMAND --help' "
		"shows a subcommand's usage; '%s --version' is '%s version'.\n"
		"Exit status: 0 done, 1 failed, 2 bad arguments, 3 --try found "
		"nothing (or no room), 124 --timeout passed.\n", prog, prog,
		prog, prog);
}

static int help_main(int argc, char *argv[])
{
	const struct subcommand *sub;

	if (argc == 1) {
		show_main_usage(stdout);
		return KIPC_EXIT_OK;
	}
	if (argc > 2 || wants_help(argc, argv)) {
		print_usage(find_subcommand("help"), argc > 2);
		return argc > 2 ? KIPC_EXIT_USAGE : KIPC_EXIT_OK;
	}
	sub = find_subcommand(argv[1]);
	if (!sub) {
		fprintf(stderr, "%s: unknown subcommand '%s'\n", prog, argv[1]);
		return KIPC_EXIT_USAGE;
	}
	print_usage(sub, false);
	return KIPC_EXIT_OK;
}

int main(int argc, char *argv[])
{
	const struct subcommand *sub;

	if (argc < 2) {
		show_main_usage(stderr);
		return KIPC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		show_main_usage(stdout);
		return KIPC_EXIT_OK;
	}
	/* As every other tool: the same as "kipc version". */
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return version_main(1, (char *[]){ "version", NULL });

	sub = find_subcommand(argv[1]);
	if (!sub) {
		fprintf(stderr, "%s: unknown subcommand '%s'; try '%s --help'\n",
			prog, argv[1], prog);
		return KIPC_EXIT_USAGE;
	}
	if (sub->run != help_main && wants_help(argc - 1, argv + 1)) {
		print_usage(sub, false);
		return KIPC_EXIT_OK;
	}
	return sub->run(argc - 1, argv + 1);
}
