// SPDX-License-Identifier: GPL-2.0
/*
 * kipc stat NAME [--type TYPE] [--json]: open a named object read-only and
 * print its struct kipc_stat as "key: value" lines or one JSON object.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kipc.h"
#include "subcommands.h"

#define NSEC_PER_SEC	1000000000ULL

enum {
	OPT_TYPE = OPT_FIRST,
	OPT_JSON,
};

static const struct option options[] = {
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

/* Without --type, NAME is opened as each of these until one fits. */
static const int try_types[] = { KIPC_SEM, KIPC_PIPE, KIPC_MQ, KIPC_SHM };

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
 * @ns since the epoch as local time, "2024-05-01 12:00:00.000000001 +0200"
 * or, with @iso, "2024-05-01T12:00:00.000000001+02:00".
 */
static void format_time(char *buf, size_t len, uint64_t ns, bool iso)
{
	time_t sec = ns / NSEC_PER_SEC;
	struct tm tm;
	char zone[8];
	size_t n;

	if (!localtime_r(&sec, &tm) ||
	    !strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S",
		      &tm) ||
	    !strftime(zone, sizeof(zone), "%z", &tm)) {
		snprintf(buf, len, "%" PRIu64 " ns", ns);
		return;
	}
	n = strlen(buf);
	if (iso && strlen(zone) == 5)
		snprintf(buf + n, len - n, ".%09u%.3s:%s",
			 (unsigned)(ns % NSEC_PER_SEC), zone, zone + 3);
	else
		snprintf(buf + n, len - n, ".%09u %s",
			 (unsigned)(ns % NSEC_PER_SEC), zone);
}

/* Length of the valid UTF-8 sequence at @s, 0 if there is none. */
static int utf8_len(const unsigned char *s)
{
	unsigned int cp;
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/*
 * @s as a JSON string. Names are bytes, JSON is Unicode: a byte that is
 * not part of valid UTF-8 becomes U+FFFD.
 */
static void put_json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	putchar('"');
	while (*s) {
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", stdout);
			s++;
		} else if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
		} else if (*s == '\n') {
			fputs("\\n", stdout);
			s++;
		} else if (*s == '\t') {
			fputs("\\t", stdout);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			printf("\\u%04x", *s++);
		} else {
			fwrite(s, 1, n, stdout);
			s += n;
		}
	}
	putchar('"');
}

/* @s with control characters as \xHH, so a name cannot garble a terminal. */
static void put_text(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			printf("\\x%02x", *s);
		else
			putchar(*s);
	}
}

static void print_json(const struct kipc_stat *st,
		       const struct kipc_shm_info *shm)
{
	const char *type = kipc_type_name(st->type);
	char created[64];

	format_time(created, sizeof(created), st->ctime_ns, true);
	printf("{\n  \"type\": ");
	if (type)
		printf("\"%s\"", type);
	else
		printf("%u", st->type);
	printf(",\n  \"name\": ");
	put_json_string(st->name);
	printf(",\n  \"id\": %" PRIu64 ",\n", (uint64_t)st->id);
	printf("  \"uid\": %u,\n  \"gid\": %u,\n", st->uid, st->gid);
	printf("  \"mode\": \"%04o\",\n", st->mode);
	printf("  \"flags\": [%s%s%s],\n",
	       st->flags & KIPC_STAT_NAMED ? "\"named\"" : "",
	       (st->flags & KIPC_STAT_NAMED) &&
	       (st->flags & KIPC_STAT_UNLINKED) ? ", " : "",
	       st->flags & KIPC_STAT_UNLINKED ? "\"unlinked\"" : "");
#define FIELD(f) printf("  \"" #f "\": %" PRIu64 ",\n", (uint64_t)st->f)
	FIELD(capacity);
	FIELD(fill);
	FIELD(high_water);
	FIELD(in_ops);
	FIELD(in_bytes);
	FIELD(out_ops);
	FIELD(out_bytes);
	FIELD(handles);
	FIELD(opens);
	FIELD(blocked_in);
	FIELD(blocked_out);
	FIELD(ctime_ns);
#undef FIELD
	if (shm) {
		printf("  \"mappings\": %" PRIu64 ",\n  \"seals\": [",
		       (uint64_t)shm->mappings);
		print_seals(shm->seals, true);
		printf("],\n");
	}
	printf("  \"created\": \"%s\"\n}\n", created);
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

/*
 * Read-only and non-blocking: a FIFO's lone non-blocking reader opens at
 * once, where a blocking one would wait for a writer.
 */
#define STAT_OFLAG	(O_RDONLY | O_NONBLOCK | O_CLOEXEC)

/* Open @name as @type, or as each type in turn if @type is 0. */
static int open_any(const char *name, int type)
{
	size_t i;
	int fd = -1;

	if (type)
		return kipc_open(name, type, STAT_OFLAG, 0, NULL);
	for (i = 0; i < sizeof(try_types) / sizeof(try_types[0]); i++) {
		fd = kipc_open(name, try_types[i], STAT_OFLAG, 0, NULL);
		if (fd >= 0 || (errno != EMEDIUMTYPE && errno != EOPNOTSUPP))
			break;
	}
	return fd;
}

int stat_main(int argc, char *argv[])
{
	struct kipc_shm_info shm_info, *shm = NULL;
	struct kipc_stat st;
	bool json = false;
	const char *name;
	int c, fd, type = 0;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case OPT_TYPE:
			type = kipc_type_from_name(optarg);
			if (type < 0)
				return usage_error(argv[0], "--type: unknown "
						   "type '%s' (sem, pipe, mq "
						   "or shm)", optarg);
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
	fd = open_any(name, type);
	if (fd < 0 || kipc_stat(fd, &st) < 0) {
		obj_error(type, name, errno);
		if (fd >= 0)
			close(fd);
		return KIPC_EXIT_FAIL;
	}
	if (st.type == KIPC_SHM && kipc_shm_info(fd, &shm_info) == 0)
		shm = &shm_info;
	close(fd);

	st.name[sizeof(st.name) - 1] = '\0';
	if (json)
		print_json(&st, shm);
	else
		print_text(&st, shm);
	return KIPC_EXIT_OK;
}
