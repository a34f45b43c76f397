/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, strict JSON parser (RFC 8259) for checking the tool's --json
 * output in the VM, which has no python: the whole text must be one value
 * (whitespace around it allowed), strings valid UTF-8 with valid escapes
 * and no raw control characters, numbers in JSON's grammar, no duplicate
 * keys. Parsed into a tree the tests can walk.
 */
#ifndef KIPC_SELFTEST_JSON_H
#define KIPC_SELFTEST_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
		 JSON_OBJECT };

struct json {
	enum json_type type;
	bool boolean;
	char *text;		/* number: as written; string: decoded */
	size_t n;		/* array or object: members */
	struct json *items;
	char **keys;		/* object: the members' keys, decoded */
};

struct json_parser {
	const char *p;
	const char *err;	/* why parsing stopped */
	int depth;
};

static void json_free(struct json *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		json_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

static void json_ws(struct json_parser *jp)
{
	while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' ||
	       *jp->p == '\r')
		jp->p++;
}

static int json_fail(struct json_parser *jp, const char *why)
{
	if (!jp->err)
		jp->err = why;
	return -1;
}

static int json_hex4(const char *s, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t json_put_utf8(char *d, unsigned int cp)
{
	if (cp < 0x80) {
		d[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = 0xc0 | cp >> 6;
		d[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = 0xe0 | cp >> 12;
		d[1] = 0x80 | (cp >> 6 & 0x3f);
		d[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	d[0] = 0xf0 | cp >> 18;
	d[1] = 0x80 | (cp >> 12 & 0x3f);
	d[2] = 0x80 | (cp >> 6 & 0x3f);
	d[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* Length of the valid UTF-8 sequence at @s, 0 if there is none. */
static int json_utf8_len(const unsigned char *s)
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
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static int json_string(struct json_parser *jp, char **out)
{
	const char *s = jp->p + 1;
	char *d = malloc(strlen(s) + 1);
	size_t n = 0;

	if (!d)
		return json_fail(jp, "out of memory");
	for (;;) {
		unsigned char c = *s;

		if (c == '"')
			break;
		if (!c) {
			free(d);
			return json_fail(jp, "unterminated string");
		}
		if (c < 0x20) {
			free(d);
			return json_fail(jp, "control character in a string");
		}
		if (c == '\\') {
			unsigned int cp, lo;

			switch (s[1]) {
			case '"': case '\\': case '/':
				d[n++] = s[1];
				s += 2;
				continue;
			case 'b': d[n++] = '\b'; s += 2; continue;
			case 'f': d[n++] = '\f'; s += 2; continue;
			case 'n': d[n++] = '\n'; s += 2; continue;
			case 'r': d[n++] = '\r'; s += 2; continue;
			case 't': d[n++] = '\t'; s += 2; continue;
			case 'u':
				if (json_hex4(s + 2, &cp))
					break;
				s += 6;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					break;
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (s[0] != '\\' || s[1] != 'u' ||
					    json_hex4(s + 2, &lo) ||
					    lo < 0xdc00 || lo > 0xdfff)
						break;
					s += 6;
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				}
				n += json_put_utf8(d + n, cp);
				continue;
			}
			free(d);
			return json_fail(jp, "bad escape in a string");
		}
		{
			int l = json_utf8_len((const unsigned char *)s);

			if (!l) {
				free(d);
				return json_fail(jp, "invalid UTF-8 in a string");
			}
			memcpy(d + n, s, l);
			n += l;
			s += l;
		}
	}
	d[n] = '\0';
	*out = d;
	jp->p = s + 1;
	return 0;
}

static int json_number(struct json_parser *jp, struct json *v)
{
	const char *s = jp->p, *start = s;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return json_fail(jp, "bad number");
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return json_fail(jp, "bad fraction");
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return json_fail(jp, "bad exponent");
		while (*s >= '0' && *s <= '9')
			s++;
	}
	v->type = JSON_NUMBER;
	v->text = strndup(start, s - start);
	jp->p = s;
	return v->text ? 0 : json_fail(jp, "out of memory");
}

static int json_value(struct json_parser *jp, struct json *v);

static int json_add(struct json_parser *jp, struct json *v)
{
	struct json *items = realloc(v->items, (v->n + 1) * sizeof(*items));

	if (!items)
		return json_fail(jp, "out of memory");
	v->items = items;
	memset(&items[v->n], 0, sizeof(items[v->n]));
	if (v->type == JSON_OBJECT) {
		char **keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));

		if (!keys)
			return json_fail(jp, "out of memory");
		v->keys = keys;
		keys[v->n] = NULL;
	}
	v->n++;
	return 0;
}

static int json_container(struct json_parser *jp, struct json *v, char close)
{
	jp->p++;
	json_ws(jp);
	if (*jp->p == close) {
		jp->p++;
		return 0;
	}
	for (;;) {
		if (json_add(jp, v))
			return -1;
		if (v->type == JSON_OBJECT) {
			size_t i;

			if (*jp->p != '"')
				return json_fail(jp, "expected a key");
			if (json_string(jp, &v->keys[v->n - 1]))
				return -1;
			for (i = 0; i + 1 < v->n; i++)
				if (!strcmp(v->keys[i], v->keys[v->n - 1]))
					return json_fail(jp, "duplicate key");
			json_ws(jp);
			if (*jp->p != ':')
				return json_fail(jp, "expected ':'");
			jp->p++;
		}
		if (json_value(jp, &v->items[v->n - 1]))
			return -1;
		json_ws(jp);
		if (*jp->p == close) {
			jp->p++;
			return 0;
		}
		if (*jp->p != ',')
			return json_fail(jp, "expected ',' or the end");
		jp->p++;
		json_ws(jp);
	}
}

static int json_value(struct json_parser *jp, struct json *v)
{
	int ret;

	if (++jp->depth > 64)
		return json_fail(jp, "nested too deeply");
	json_ws(jp);
	switch (*jp->p) {
	case '{':
		v->type = JSON_OBJECT;
		ret = json_container(jp, v, '}');
		break;
	case '[':
		v->type = JSON_ARRAY;
		ret = json_container(jp, v, ']');
		break;
	case '"':
		v->type = JSON_STRING;
		ret = json_string(jp, &v->text);
		break;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(jp->p, "true", 4)) {
			v->type = JSON_BOOL;
			v->boolean = true;
			jp->p += 4;
		} else if (!strncmp(jp->p, "false", 5)) {
			v->type = JSON_BOOL;
			jp->p += 5;
		} else if (!strncmp(jp->p, "null", 4)) {
			v->type = JSON_NULL;
			jp->p += 4;
		} else {
			return json_fail(jp, "unknown literal");
		}
		ret = 0;
		break;
	default:
		ret = json_number(jp, v);
	}
	jp->depth--;
	return ret;
}

/*
 * Parse all of @text into @v. Returns 0, or -1 with the reason in @why
 * (and @v freed).
 */
static int json_parse(const char *text, struct json *v, const char **why)
{
	struct json_parser jp = { .p = text };

	memset(v, 0, sizeof(*v));
	if (!json_value(&jp, v)) {
		json_ws(&jp);
		if (!*jp.p)
			return 0;
		json_fail(&jp, "text after the value");
	}
	if (why)
		*why = jp.err;
	json_free(v);
	return -1;
}

/* The member @key of object @v, or NULL. */
static const struct json *json_get(const struct json *v, const char *key)
{
	size_t i;

	if (v->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

/* A non-negative integer member, exactly; -1 if it is not one. */
static long long json_uint(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);
	char *end;
	unsigned long long n;

	if (!m || m->type != JSON_NUMBER || m->text[0] == '-')
		return -1;
	n = strtoull(m->text, &end, 10);
	if (*end || n > INT64_MAX)
		return -1;
	return n;
}

/* A string member, or NULL. */
static const char *json_str(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);

	return m && m->type == JSON_STRING ? m->text : NULL;
}

#endif /* KIPC_SELFTEST_JSON_H */
