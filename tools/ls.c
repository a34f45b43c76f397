// SPDX-License-Identifier: GPL-2.0
/*
 * kipc ls [--type TYPE] [-o LIST] [-n] [-r] [--json]: every object of this
 * network namespace, named and anonymous, like lsipc(1): one aligned row
 * per object (the columns -o picks, in its order; -n without the header;
 * -r unaligned, one space apart, for scripts), or a JSON array with
 * stat's keys. Over netlink: nothing is opened, nothing is disturbed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_TYPE = OPT_FIRST,
	OPT_JSON,
};

static const struct option options[] = {
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	{ "noheadings", no_argument, NULL, 'n' },
	{ "raw", no_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

enum { COL_TYPE, COL_ID, COL_NAME, COL_OWNER, COL_MODE, COL_SIZE, COL_USED,
       COL_HANDLES, NR_COLS };

static const struct {
	const char *title;
	bool right;		/* numbers are aligned right */
} cols[NR_COLS] = {
	[COL_TYPE]	= { "TYPE", false },
	[COL_ID]	= { "ID", true },
	[COL_NAME]	= { "NAME", false },
	[COL_OWNER]	= { "OWNER", false },
	[COL_MODE]	= { "MODE", false },
	[COL_SIZE]	= { "SIZE", true },
	[COL_USED]	= { "USED", true },
	[COL_HANDLES]	= { "HANDLES", true },
};

/* The longest cell: a name with every byte escaped as \xHH. */
#define CELL_MAX	(4 * KIPC_NAME_MAX + 1)

struct listing {
	struct kipc_stat *objs;
	size_t n, room;
};

/* What to print: these columns in this order, with or without a header. */
struct layout {
	int col[NR_COLS];
	int ncols;
	bool headings;
	bool raw;
};

/* -o LIST: column titles, any case, comma-separated; -1 after a message. */
static int parse_columns(struct layout *lo, char *arg)
{
	char *tok, *save = NULL;
	int c;

	lo->ncols = 0;
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (c = 0; c < NR_COLS; c++)
			if (!strcasecmp(tok, cols[c].title))
				break;
		if (c == NR_COLS) {
			usage_error("ls", "-o: unknown column '%s' (TYPE, ID, "
				    "NAME, OWNER, MODE, SIZE, USED, HANDLES)",
				    tok);
			return -1;
		}
		if (lo->ncols == NR_COLS) {
			usage_error("ls", "-o: at most %d columns", NR_COLS);
			return -1;
		}
		lo->col[lo->ncols++] = c;
	}
	if (!lo->ncols) {
		usage_error("ls", "-o: no column given");
		return -1;
	}
	return 0;
}

static int collect(const struct kipc_stat *st, void *arg)
{
	struct listing *l = arg;

	if (l->n == l->room) {
		size_t room = l->room ? 2 * l->room : 64;
		struct kipc_stat *objs = realloc(l->objs, room * sizeof(*objs));

		if (!objs)
			return ENOMEM;
		l->objs = objs;
		l->room = room;
	}
	l->objs[l->n++] = *st;
	return 0;
}

/* Cell @col of @st into @buf; returns its width on a terminal. */
static size_t cell(char *buf, size_t len, const struct kipc_stat *st, int col)
{
	const char *type = kipc_type_name(st->type);

	switch (col) {
	case COL_TYPE:
		if (type)
			snprintf(buf, len, "%s", type);
		else
			snprintf(buf, len, "%u", st->type);
		break;
	case COL_ID:
		snprintf(buf, len, "%" PRIu64, (uint64_t)st->id);
		break;
	case COL_NAME:
		if (!(st->flags & KIPC_STAT_NAMED)) {
			snprintf(buf, len, "(anon)");
			break;
		}
		return text_escape(buf, len, st->name);
	case COL_OWNER:
		snprintf(buf, len, "%s", owner_name(st->uid));
		break;
	case COL_MODE:
		snprintf(buf, len, "%04o", st->mode);
		break;
	case COL_SIZE:
		snprintf(buf, len, "%" PRIu64, (uint64_t)st->capacity);
		break;
	case COL_USED:
		snprintf(buf, len, "%" PRIu64, (uint64_t)st->fill);
		break;
	case COL_HANDLES:
		snprintf(buf, len, "%" PRIu64, (uint64_t)st->handles);
		break;
	}
	return strlen(buf);
}

/* Cell @k of a row of @lo: padded to @col_width, or raw. */
static void put_cell(const struct layout *lo, const char *text, size_t width,
		     size_t col_width, int k)
{
	int col = lo->col[k];
	bool last = k == lo->ncols - 1;
	size_t pad = col_width - width;
	const char *p;

	if (lo->raw) {
		/* One space apart: a space in a cell is written \x20. */
		for (p = text; *p; p++)
			if (*p == ' ')
				fputs("\\x20", stdout);
			else
				putchar(*p);
		putchar(last ? '\n' : ' ');
		return;
	}
	if (cols[col].right)
		printf("%*s", (int)pad, "");
	fputs(text, stdout);
	if (last)
		putchar('\n');
	else
		printf("%*s", (int)(cols[col].right ? 2 : pad + 2), "");
}

static void print_table(const struct listing *l, const struct layout *lo)
{
	size_t width[NR_COLS];
	char buf[CELL_MAX];
	size_t i, w;
	int k;

	for (k = 0; k < lo->ncols; k++)
		width[k] = strlen(cols[lo->col[k]].title);
	for (i = 0; i < l->n; i++)
		for (k = 0; k < lo->ncols; k++) {
			w = cell(buf, sizeof(buf), &l->objs[i], lo->col[k]);
			if (w > width[k])
				width[k] = w;
		}

	if (lo->headings)
		for (k = 0; k < lo->ncols; k++)
			put_cell(lo, cols[lo->col[k]].title,
				 strlen(cols[lo->col[k]].title), width[k], k);
	for (i = 0; i < l->n; i++)
		for (k = 0; k < lo->ncols; k++) {
			w = cell(buf, sizeof(buf), &l->objs[i], lo->col[k]);
			put_cell(lo, buf, w, width[k], k);
		}
}

static void print_json(const struct listing *l)
{
	size_t i;

	if (!l->n) {
		printf("[]\n");
		return;
	}
	printf("[\n");
	for (i = 0; i < l->n; i++) {
		printf("  {");
		put_json_fields(&l->objs[i], ", ");
		printf("}%s\n", i + 1 < l->n ? "," : "");
	}
	printf("]\n");
}

int ls_main(int argc, char *argv[])
{
	struct listing l = { NULL, 0, 0 };
	struct layout lo = { .ncols = NR_COLS, .headings = true };
	bool json = false;
	int c, ret, type = 0;

	for (c = 0; c < NR_COLS; c++)
		lo.col[c] = c;
	while ((c = getopt_long(argc, argv, ":o:nr", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (parse_columns(&lo, optarg))
				return KIPC_EXIT_USAGE;
			break;
		case 'n':
			lo.headings = false;
			break;
		case 'r':
			lo.raw = true;
			break;
		case OPT_TYPE:
			type = parse_type(argv[0], optarg);
			if (type < 0)
				return KIPC_EXIT_USAGE;
			break;
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
	ret = kipc_list(type, collect, &l);
	if (ret) {
		fprintf(stderr, "%s: cannot list objects: %s\n", prog,
			obj_strerror(ret < 0 ? errno : ret));
		free(l.objs);
		return KIPC_EXIT_FAIL;
	}
	if (json)
		print_json(&l);
	else
		print_table(&l, &lo);
	free(l.objs);
	return KIPC_EXIT_OK;
}
