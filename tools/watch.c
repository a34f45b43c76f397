// SPDX-License-Identifier: GPL-2.0
/*
 * kipc watch [--json] [--count N]: follow objects of this network
 * namespace being created, unlinked and destroyed, one line per event
 * (a JSON object per line with --json), flushed at once. Stops after N
 * events, or on SIGINT/SIGTERM (exit 0).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_JSON = OPT_FIRST,
	OPT_COUNT,
};

static const struct option options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_text(const struct kipc_event *ev)
{
	const struct kipc_stat *st = &ev->obj;
	const char *type = kipc_type_name(st->type);

	printf("%-9s %-4s %" PRIu64 " ", kipc_event_name(ev->kind),
	       type ? type : "?", (uint64_t)st->id);
	if (st->flags & KIPC_STAT_NAMED)
		put_text(st->name);
	else
		fputs("(anon)", stdout);
	printf(" owner=%s mode=%04o size=%" PRIu64 " used=%" PRIu64
	       " handles=%" PRIu64 "\n", owner_name(st->uid), st->mode,
	       (uint64_t)st->capacity, (uint64_t)st->fill,
	       (uint64_t)st->handles);
}

static void print_json(const struct kipc_event *ev)
{
	printf("{\"event\": \"%s\", ", kipc_event_name(ev->kind));
	put_json_fields(&ev->obj, ", ");
	printf("}\n");
}

/* Parse argv: -1 to go on, else the exit code to stop with. */
static int parse_args(int argc, char *argv[], bool *json, uint64_t *count)
{
	int c;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			*json = true;
			break;
		case OPT_COUNT:
			if (parse_u64("--count", optarg, 10, 1, UINT64_MAX,
				      count) < 0)
				return KIPC_EXIT_USAGE;
			break;
		default:
			return option_error(argv[0], c, argv);
		}
	}
	if (optind != argc)
		return usage_error(argv[0], "unexpected argument '%s'",
				   argv[optind]);
	return -1;
}

/*
 * Print events until @count of them (0: no end) or a signal; an exit
 * code. Lost events are said on stderr and do not stop it.
 */
static int print_events(struct kipc_watch *w, bool json, uint64_t count)
{
	struct kipc_event ev;
	uint64_t seen = 0;
	int n;

	while (!stop && (!count || seen < count)) {
		/*
		 * A signal between the check of stop and the wait would be
		 * missed by a wait for ever: wait a quarter second at a time.
		 */
		n = kipc_watch_next(w, &ev, 250);
		if (n < 0 && errno == ENOBUFS)
			fprintf(stderr, "%s: events were lost (they came "
				"faster than they were read)\n", prog);
		if (n < 0 && errno != EINTR && errno != ENOBUFS) {
			fprintf(stderr, "%s: watching events: %s\n", prog,
				strerror(errno));
			return KIPC_EXIT_FAIL;
		}
		if (n <= 0)
			continue;
		if (json)
			print_json(&ev);
		else
			print_text(&ev);
		fflush(stdout);
		seen++;
	}
	return KIPC_EXIT_OK;
}

int watch_main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct kipc_watch *w;
	uint64_t count = 0;
	bool json = false;
	int ret;

	ret = parse_args(argc, argv, &json, &count);
	if (ret >= 0)
		return ret;
	if (dev_ready() < 0)
		return KIPC_EXIT_FAIL;
	/* No SA_RESTART: the wait for an event ends with EINTR. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	w = kipc_watch_open();
	if (!w) {
		fprintf(stderr, "%s: cannot watch events: %s\n", prog,
			obj_strerror(errno));
		return KIPC_EXIT_FAIL;
	}
	ret = print_events(w, json, count);
	kipc_watch_close(w);
	return ret;
}
