// SPDX-License-Identifier: GPL-2.0
/*
 * The article's rules for choosing a mechanism, answered from this run.
 *
 * The article ends with five rules of thumb. Each rule here names the
 * cells that test it (a pattern near a message size, and which mechanisms
 * may compete), the family the article picks, and then says which
 * mechanism won those cells, by how much, and whether that agrees with
 * the article. Unstable cells are not ranked; a rule whose cells did not
 * run says so.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bench.h"

struct rule {
	const char *text;		/* the article's rule */
	const char *pick[2];		/* the families it picks */
	enum bench_pattern pattern;
	size_t size;			/* the nearest size that ran */
	unsigned int need;		/* KIPC_CHAN_* the competitors must have */
	bool data;			/* competitors carry the whole size */
	const char *why;		/* what the cells stand for */
};

static const struct rule rules[] = {
	{ "large data, high frequency, one host -> shared memory + semaphores",
	  { "shared memory" }, BENCH_STREAM, 1048576, 0, true,
	  "stream of the largest messages" },
	{ "large data, high frequency, one host -> shared memory + semaphores",
	  { "shared memory" }, BENCH_STREAM, 65536, 0, true,
	  "stream of 64 KiB messages" },
	{ "a simple pipeline (output, logs) -> a pipe",
	  { "pipe" }, BENCH_STREAM, 256, 0, true,
	  "stream of log-line-sized messages" },
	{ "many processes, many message types -> a message queue",
	  { "message queue" }, BENCH_STREAM, 64, KIPC_CHAN_MULTI, true,
	  "small messages from senders that may share the channel" },
	{ "many processes, many message types -> a message queue",
	  { "message queue" }, BENCH_PRIO, 64, 0, true,
	  "messages of random priorities (only queues keep them)" },
	{ "services that may move across machines -> Unix or TCP sockets (+ RPC)",
	  { "socket", "RPC" }, BENCH_PINGPONG, 64, 0, true,
	  "request and reply of 64 B" },
	{ "notification only, no data -> a signal or an event",
	  { "signal", "eventfd" }, BENCH_PINGPONG, 0, 0, false,
	  "the smallest round trip" },
};

static bool picked(const struct rule *rl, const struct bench_result *r)
{
	return (rl->pick[0] && !strcmp(r->mech->family, rl->pick[0])) ||
	       (rl->pick[1] && !strcmp(r->mech->family, rl->pick[1]));
}

/* The size that ran for @pat closest to @want (by ratio), or 0 if none. */
static size_t nearest_size(const struct bench_result *res, size_t n,
			   enum bench_pattern pat, size_t want, bool *found)
{
	double best = INFINITY, d;
	size_t i, size = 0;

	*found = false;
	for (i = 0; i < n; i++) {
		if (res[i].pattern != pat || res[i].batch > 1 ||
		    !bench_rankable(&res[i]))
			continue;
		d = fabs(log2((res[i].size + 1.0) / (want + 1.0)));
		if (d < best) {
			best = d;
			size = res[i].size;
			*found = true;
		}
	}
	return size;
}

static void figure(char *buf, size_t len, const struct bench_result *r)
{
	char a[32];

	if (r->has_latency)
		snprintf(buf, len, "p50 %s", fmt_ns(a, sizeof(a), r->p50_ns));
	else if (r->size_used >= 4096)
		snprintf(buf, len, "%.0f MB/s", r->mb_per_s);
	else
		snprintf(buf, len, "%s msg/s", fmt_rate(a, sizeof(a), r->msgs_per_s));
}

/*
 * Judge rule @rl on the cells nearest its size; @last is the size the
 * previous cell of the same rule and pattern was judged at, or SIZE_MAX.
 * Returns the size judged.
 */
static size_t judge(FILE *f, const struct rule *rl,
		    const struct bench_result *res, size_t n, bool first,
		    size_t last)
{
	const struct bench_result *win = NULL, *pick = NULL, *r;
	char sz[32], w[48], p[48];
	size_t i, size;
	bool found;

	size = nearest_size(res, n, rl->pattern, rl->size, &found);
	if (found && size == last)
		return size;		/* this run has no other size for it */
	if (first)
		fprintf(f, "  %s\n", rl->text);
	if (!found) {
		fprintf(f, "    %s: not measured in this run\n", rl->why);
		return SIZE_MAX;
	}
	for (i = 0; i < n; i++) {
		r = &res[i];
		/* One message per call: the mechanisms as the article has them. */
		if (r->pattern != rl->pattern || r->size != size ||
		    r->batch > 1 || !bench_rankable(r) || (r->mech->flags & rl->need) != rl->need ||
		    (rl->data && r->size_used != size))
			continue;
		if (!win || bench_cost(r) < bench_cost(win))
			win = r;
		if (picked(rl, r) && (!pick || bench_cost(r) < bench_cost(pick)))
			pick = r;
	}
	if (!win)
		return size;
	figure(w, sizeof(w), win);
	fprintf(f, "    %s, %s %s: won by %s (%s)", rl->why,
		bench_pattern_names[rl->pattern], fmt_size(sz, sizeof(sz), size),
		win->mech->name, w);
	if (!pick) {
		fprintf(f, "; the article's pick did not run here\n");
	} else if (pick == win) {
		fprintf(f, ": agrees with the article\n");
	} else {
		figure(p, sizeof(p), pick);
		fprintf(f, "\n    DISAGREES: the article's pick at its best, %s "
			"(%s), is %.2fx slower\n", pick->mech->name, p,
			bench_cost(pick) / bench_cost(win));
	}
	return size;
}

/* What the sockets' flexibility costs: loopback TCP against Unix. */
static void socket_note(FILE *f, const struct bench_result *res, size_t n)
{
	const struct bench_result *tcp, *unx;

	tcp = bench_find(res, n, "tcp", BENCH_PINGPONG, 64, false);
	unx = bench_find(res, n, "unix-stream", BENCH_PINGPONG, 64, false);
	if (tcp && unx && !tcp->unstable && !unx->unstable)
		fprintf(f, "    the network's price on one host: TCP over loopback "
			"takes %.2fx the p50 of a Unix stream socket\n",
			tcp->p50_ns / unx->p50_ns);
}

/*
 * What an RPC system costs over the mechanism beneath it, 64 B round
 * trips: D-Bus and gRPC over a Unix stream socket, ZeroMQ over its ipc://
 * Unix socket, and Binder against the kernel's other message carriers.
 */
static void rpc_note(FILE *f, const struct bench_result *res, size_t n)
{
	static const char *const pairs[][2] = {
		{ "dbus", "unix-stream" }, { "grpc", "unix-stream" },
		{ "zeromq", "unix-stream" }, { "binder", "unix-seqpacket" },
		{ "binder", "kipc-mq" },
	};
	const struct bench_result *rpc, *base;
	size_t i, shown = 0;

	for (i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		rpc = bench_find(res, n, pairs[i][0], BENCH_PINGPONG, 64, false);
		base = bench_find(res, n, pairs[i][1], BENCH_PINGPONG, 64, false);
		if (!rpc || !base || !bench_rankable(rpc) || !bench_rankable(base))
			continue;
		fprintf(f, "%s%s %.2fx %s", shown++ ? ", " :
			"    what RPC costs over what carries it (p50 of 64 B calls): ",
			pairs[i][0], rpc->p50_ns / base->p50_ns, pairs[i][1]);
	}
	if (shown)
		fprintf(f, "\n");
}

/*
 * "Shared memory + semaphores" needs a lock: the lock table's fastest at
 * the most processes that contended, and which locks survive a holder's
 * death.
 */
static void lock_note(FILE *f, const struct bench_result *res, size_t n)
{
	const struct bench_result *win = NULL;
	unsigned int procs = 0, given;
	char a[32], b[32];
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].pattern == BENCH_LOCK && bench_rankable(&res[i]) &&
		    res[i].producers > procs)
			procs = res[i].producers;
	for (i = 0; i < n; i++)
		if (res[i].pattern == BENCH_LOCK && bench_rankable(&res[i]) &&
		    res[i].producers == procs &&
		    (!win || res[i].msgs_per_s > win->msgs_per_s))
			win = &res[i];
	if (!win)
		return;
	fprintf(f, "    the lock it needs (the lock table), %u process%s "
		"contending: fastest %s, %s acquisitions/s", procs,
		procs == 1 ? "" : "es", win->mech->name,
		fmt_rate(a, sizeof(a), win->msgs_per_s));
	if (win->has_latency)
		fprintf(f, ", hand-off p50 %s", fmt_ns(b, sizeof(b), win->p50_ns));
	fprintf(f, "\n    a holder killed while holding it: ");
	for (i = 0, given = 0; i < n; i++)
		if (res[i].pattern == BENCH_LOCK && res[i].has_death &&
		    !isnan(res[i].death.next_ns))
			fprintf(f, "%s %s", given++ ? "," : "given back by",
				res[i].mech->name);
	fprintf(f, given ? "; the others stay taken\n" :
		"every lock of this run stays taken\n");
}

void report_rules(FILE *f, const struct bench_config *cfg,
		  const struct bench_result *res, size_t n)
{
	const char *printed = NULL;	/* the rule whose text is out */
	size_t i, last = SIZE_MAX;
	bool first;

	if (!(cfg->patterns & ~(1u << BENCH_LOCK)))
		return;		/* no rule is about locks alone */
	fprintf(f, "\nthe article's rules, measured (cells of this run; "
		"unstable cells not ranked)\n");
	for (i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		if (!(cfg->patterns & 1u << rules[i].pattern))
			continue;
		first = !printed || strcmp(rules[i].text, printed);
		if (first || rules[i].pattern != rules[i - 1].pattern)
			last = SIZE_MAX;
		last = judge(f, &rules[i], res, n, first, last);
		printed = rules[i].text;
		if (rules[i].pattern == BENCH_PINGPONG && rules[i].size == 64) {
			socket_note(f, res, n);
			rpc_note(f, res, n);
		}
		if (!strcmp(rules[i].pick[0], "shared memory") &&
		    (i + 1 == sizeof(rules) / sizeof(*rules) ||
		     strcmp(rules[i + 1].text, rules[i].text)))
			lock_note(f, res, n);
		if (rules[i].need & KIPC_CHAN_MULTI && cfg->producers == 1)
			fprintf(f, "    (one producer in this run: --producers 4 "
				"measures several)\n");
	}
}
