// SPDX-License-Identifier: GPL-2.0
/*
 * kipc stat NAME [--type TYPE] [--json]: look a named object up over
 * netlink and print its struct kipc_stat as "key: value" lines or one JSON
 * object. No handle is opened: no permission on the object is needed, a
 * FIFO's peers are not disturbed and the opens counter stays as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

enum {
	OPT_TYPE = OPT_FIRST,
	OPT_JSON,
};

static const struct option options[] = {
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

/* What the generic counters mean for each type, for the human output. */
static const struct {
	const char *capacity, *fill, *in, *out;
} words[KIPC_TYPE_MAX + 1] = {
	[KIPC_PIPE] = { "bytes", "bytes held", "writes", "reads" },
	[KIPC_MQ] = { "messages", "messages queued", "sends", "receives" },
	[KIPC_SHM] = { "bytes", "resident bytes", "writes", "reads" },
	[KIPC_SEM] = { "max value", "value", "posts", "waits" },
};

/* Names of the KIPC_SEAL_* bits, lowest first. */
static const char *const seal_names[] = {
	"seal", "shrink", "grow", "write", "future-write",
};

/*
 * Region seals as "grow,write" (or "none"); with @json as the items of a
 * JSON array.
 */
static void print_seals(unsigned int seals, bool json)
{
	bool first = true;
	size_t i;

	for (i = 0; i < sizeof(seal_names) / sizeof(seal_names[0]); i++) {
		if (!(seals & (1u << i)))
			continue;
		printf(json ? "%s\"%s\"" : "%s%s", first ? "" : json ? ", " : ",",
		       seal_names[i]);
		first = false;
	}
	if (first && !json)
		printf("none");
}

/*
 * What only a region handle tells: mappings and seals. Opening one never
 * waits, but needs read permission: without it these lines are left out.
 */
static void print_json(const struct kipc_stat *st,
		       const struct kipc_shm_info *shm)
{
	printf("{\n  ");
	put_json_fields(st, ",\n  ");
	if (shm) {
		printf(",\n  \"mappings\": %" PRIu64 ",\n  \"seals\": [",
		       (uint64_t)shm->mappings);
		print_seals(shm->seals, true);
		printf("]");
	}
	printf("\n}\n");
}

static void print_text(const struct kipc_stat *st,
		       const struct kipc_shm_info *shm)
{
	const char *type = kipc_type_name(st->type);
	const char *what[4] = { "", "", "", "" };
	char created[64];

	if (type) {
		what[0] = words[st->type].capacity;
		what[1] = words[st->type].fill;
		what[2] = words[st->type].in;
		what[3] = words[st->type].out;
	}
	format_time(created, sizeof(created), st->ctime_ns, false);

	if (type)
		printf("type:        %s\n", type);
	else
		printf("type:        %u\n", st->type);
	printf("name:        ");
	put_text(st->name);
	printf("\nid:          %" PRIu64 "\n", (uint64_t)st->id);
	printf("owner:       uid %u, gid %u\n", st->uid, st->gid);
	printf("mode:        %04o\n", st->mode);
	printf("flags:       %s%s\n",
	       st->flags & KIPC_STAT_NAMED ? "named" : "anonymous",
	       st->flags & KIPC_STAT_UNLINKED ? ", unlinked" : "");
#define LINE(key, f, hint)						\
	printf("%-13s%" PRIu64 "%s%s%s\n", key, (uint64_t)st->f,	\
	       *(hint) ? " (" : "", hint, *(hint) ? ")" : "")
	LINE("capacity:", capacity, what[0]);
	LINE("fill:", fill, what[1]);
	LINE("high water:", high_water, "");
	LINE("in ops:", in_ops, what[2]);
	LINE("in bytes:", in_bytes, "");
	LINE("out ops:", out_ops, what[3]);
	LINE("out bytes:", out_bytes, "");
	LINE("handles:", handles, "");
	LINE("opens:", opens, "");
	LINE("blocked in:", blocked_in, "");
	LINE("blocked out:", blocked_out, "");
#undef LINE
	if (shm) {
		printf("mappings:    %" PRIu64 "\n", (uint64_t)shm->mappings);
		printf("seals:       ");
		print_seals(shm->seals, false);
		printf("\n");
	}
	printf("created:     %s\n", created);
}

int stat_main(int argc, char *argv[])
{
	struct kipc_shm_info info, *shm = NULL;
	struct kipc_stat st;
	bool json = false;
	const char *name;
	int c, type = 0;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
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
	if (argc - optind != 1)
		return usage_error(argv[0], "expected one NAME");
	name = argv[optind];

	if (dev_ready() < 0)
		return KIPC_EXIT_FAIL;
	if (kipc_lookup_shm(name, &st, &info) < 0) {
		obj_error(type, name, errno);
		return KIPC_EXIT_FAIL;
	}
	if (type && (int)st.type != type) {
		obj_error(type, name, EMEDIUMTYPE);
		return KIPC_EXIT_FAIL;
	}

	if (st.type == KIPC_SHM)
		shm = &info;

	st.name[sizeof(st.name) - 1] = '\0';
	if (json)
		print_json(&st, shm);
	else
		print_text(&st, shm);
	return KIPC_EXIT_OK;
}
