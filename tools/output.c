// SPDX-License-Identifier: GPL-2.0
/*
 * Output the subcommands share: times, names made safe for a terminal or
 * for JSON, owners as user names, and an object's fields as JSON.
 */
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kipc.h"
#include "subcommands.h"


void format_time(char *buf, size_t len, uint64_t ns, bool iso)
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

void fput_json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	fputc('"', f);
	while (*s) {
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", f);
			s++;
		} else if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s == '\n') {
			fputs("\\n", f);
			s++;
		} else if (*s == '\t') {
			fputs("\\t", f);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else {
			fwrite(s, 1, n, f);
			s += n;
		}
	}
	fputc('"', f);
}

void put_json_string(const char *str)
{
	fput_json_string(stdout, str);
}

size_t text_escape(char *buf, size_t len, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0, width = 0;
	int l;

	if (!len)
		return 0;
	for (; *s; s += l) {
		char tmp[8];

		l = utf8_len(s);
		if (*s < 0x20 || *s == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", *s);
			l = 1;
			width += 4;
		} else {
			/* A character, or one byte that is not one. */
			if (!l)
				l = 1;
			memcpy(tmp, s, l);
			tmp[l] = '\0';
			width++;
		}
		if (n + strlen(tmp) >= len)
			break;
		memcpy(buf + n, tmp, strlen(tmp));
		n += strlen(tmp);
	}
	buf[n] = '\0';
	return width;
}

void put_text(const char *str)
{
	char buf[4 * (KIPC_NAME_MAX + 1) + 1];

	text_escape(buf, sizeof(buf), str);
	fputs(buf, stdout);
}

/* A few owners are enough for any listing; lookups can be slow (NSS). */
#define OWNER_CACHE	16

const char *owner_name(uint32_t uid)
{
	static struct {
		uint32_t uid;
		char name[64];
	} cache[OWNER_CACHE];
	static unsigned int used, next;
	struct passwd pw, *res = NULL;
	char buf[1024];
	unsigned int i, slot;

	for (i = 0; i < used; i++)
		if (cache[i].uid == uid)
			return cache[i].name;

	slot = used < OWNER_CACHE ? used++ : next++ % OWNER_CACHE;
	cache[slot].uid = uid;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) || !res ||
	    strlen(res->pw_name) >= sizeof(cache[slot].name))
		snprintf(cache[slot].name, sizeof(cache[slot].name), "%u", uid);
	else
		snprintf(cache[slot].name, sizeof(cache[slot].name), "%s",
			 res->pw_name);
	return cache[slot].name;
}

/* Whether all of @s is valid UTF-8, which JSON strings carry as it is. */
static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	for (; *p; p += n) {
		n = utf8_len(p);
		if (!n)
			return false;
	}
	return true;
}

void put_json_fields(const struct kipc_stat *st, const char *sep)
{
	const char *type = kipc_type_name(st->type);
	char created[64];

	format_time(created, sizeof(created), st->ctime_ns, true);
	printf("\"type\": ");
	if (type)
		printf("\"%s\"", type);
	else
		printf("%u", st->type);
	printf("%s\"name\": ", sep);
	if (st->flags & KIPC_STAT_NAMED)
		put_json_string(st->name);
	else
		printf("null");
	/* Names are bytes: one that is not UTF-8 also comes exact, in hex. */
	if (st->flags & KIPC_STAT_NAMED && !utf8_valid(st->name)) {
		const unsigned char *p = (const unsigned char *)st->name;

		printf("%s\"name_hex\": \"", sep);
		for (; *p; p++)
			printf("%02x", *p);
		putchar('"');
	}
	printf("%s\"id\": %" PRIu64, sep, (uint64_t)st->id);
	printf("%s\"uid\": %u%s\"gid\": %u", sep, st->uid, sep, st->gid);
	printf("%s\"owner\": ", sep);
	put_json_string(owner_name(st->uid));
	printf("%s\"mode\": \"%04o\"", sep, st->mode);
	printf("%s\"flags\": [%s%s%s]", sep,
	       st->flags & KIPC_STAT_NAMED ? "\"named\"" : "",
	       (st->flags & KIPC_STAT_NAMED) &&
	       (st->flags & KIPC_STAT_UNLINKED) ? ", " : "",
	       st->flags & KIPC_STAT_UNLINKED ? "\"unlinked\"" : "");
#define FIELD(f) printf("%s\"" #f "\": %" PRIu64, sep, (uint64_t)st->f)
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
	printf("%s\"created\": \"%s\"", sep, created);
}
