// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench: measure every mechanism the channel layer knows, kipc's and
 * the native ones, side by side in the same run.
 *
 * The plan is patterns x mechanisms x sizes. A size above a mechanism's
 * limit runs once at the limit (the "used" column) and not again; a
 * mechanism that cannot run here (no module, several senders on a byte
 * stream) is listed with the reason. Each cell is bench_run_cell().
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "../subcommands.h"

const char *const bench_pattern_names[BENCH_NR_PATTERNS] = {
	[BENCH_PINGPONG] = "pingpong",
	[BENCH_STREAM] = "stream",
	[BENCH_PRIO] = "prio",
	[BENCH_LOCK] = "lock",
};

/* 8 B, then powers of 4 from 16 B to 1 MiB. */
static const size_t default_sizes[] = {
	8, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
};
static const size_t quick_sizes[] = { 64, 4096 };

#define DEFAULT_DURATION	0.2
#define QUICK_DURATION		0.02
/*
 * Each cell runs once per round, the rounds one after the other, so a
 * slow spell of the machine (a TCG VM has many) is spread over every
 * mechanism instead of landing on a few.
 */
#define DEFAULT_ROUNDS		3
#define DEFAULT_DEPTH		10	/* POSIX mq's default msg_max */
#define PRIO_DEPTH_MAX		1024
#define PRIO_QUEUE_BYTES	(16u << 20)
#define DEFAULT_BATCH		32	/* messages per batch call */

enum {
	OPT_PATTERN = OPT_FIRST, OPT_SIZES, OPT_MECH, OPT_PRODUCERS, OPT_DEPTH,
	OPT_DURATION, OPT_ITERS, OPT_QUICK, OPT_JSON, OPT_CSV, OPT_PLOT,
	OPT_GNUPLOT, OPT_PROGRESS, OPT_LIST, OPT_ROUNDS, OPT_CROSS_CHECK,
	OPT_PROCS, OPT_BATCH,
};

static const struct option options[] = {
	{ "pattern",   required_argument, NULL, OPT_PATTERN },
	{ "sizes",     required_argument, NULL, OPT_SIZES },
	{ "mech",      required_argument, NULL, OPT_MECH },
	{ "producers", required_argument, NULL, OPT_PRODUCERS },
	{ "procs",     required_argument, NULL, OPT_PROCS },
	{ "depth",     required_argument, NULL, OPT_DEPTH },
	{ "batch",     required_argument, NULL, OPT_BATCH },
	{ "duration",  required_argument, NULL, OPT_DURATION },
	{ "iters",     required_argument, NULL, OPT_ITERS },
	{ "rounds",    required_argument, NULL, OPT_ROUNDS },
	{ "quick",     no_argument,       NULL, OPT_QUICK },
	{ "json",      required_argument, NULL, OPT_JSON },
	{ "csv",       required_argument, NULL, OPT_CSV },
	{ "plot",      required_argument, NULL, OPT_PLOT },
	{ "gnuplot",   required_argument, NULL, OPT_GNUPLOT },
	{ "progress",  no_argument,       NULL, OPT_PROGRESS },
	{ "list",      no_argument,       NULL, OPT_LIST },
	{ "cross-check", no_argument,     NULL, OPT_CROSS_CHECK },
	{ NULL, 0, NULL, 0 },
};

struct outputs {
	const char *json, *csv, *plot, *gnuplot;
};

static int parse_sizes(struct bench_config *cfg, char *arg)
{
	char *tok, *save = NULL;
	uint64_t v;

	cfg->nr_sizes = 0;
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (cfg->nr_sizes == BENCH_MAX_SIZES)
			return usage_error("bench", "--sizes: at most %d sizes",
					   BENCH_MAX_SIZES);
		if (bytes_from_text(tok, 64u << 20, &v))
			return usage_error("bench", "--sizes: invalid size '%s' "
					   "(bytes, or with K, M or G; at most "
					   "64M)", tok);
		cfg->sizes[cfg->nr_sizes++] = v;
	}
	if (!cfg->nr_sizes)
		return usage_error("bench", "--sizes: no size given");
	return 0;
}

static int parse_patterns(struct bench_config *cfg, char *arg)
{
	char *tok, *save = NULL;
	int i;

	cfg->patterns = 0;
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < BENCH_NR_PATTERNS; i++)
			if (!strcmp(tok, bench_pattern_names[i]))
				break;
		if (i == BENCH_NR_PATTERNS)
			return usage_error("bench", "--pattern: unknown pattern "
					   "'%s' (pingpong, stream, prio, lock)", tok);
		cfg->patterns |= 1u << i;
	}
	return cfg->patterns ? 0 : usage_error("bench", "--pattern: none given");
}

/* 1,2,4: the numbers of contending processes of the lock pattern. */
static int parse_procs(struct bench_config *cfg, char *arg)
{
	char *tok, *save = NULL;
	uint64_t v;

	cfg->nr_procs = 0;
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (cfg->nr_procs == (int)(sizeof(cfg->procs) / sizeof(*cfg->procs)))
			return usage_error("bench", "--procs: at most %zu numbers",
					   sizeof(cfg->procs) / sizeof(*cfg->procs));
		if (parse_u64("--procs", tok, 10, 1, BENCH_MAX_PROCS, &v))
			return -1;
		cfg->procs[cfg->nr_procs++] = v;
	}
	return cfg->nr_procs ? 0 : usage_error("bench", "--procs: none given");
}

/* Every name in the comma-separated @list must be a mechanism or a lock. */
static int check_mechs(const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save))
		if (!kipc_chan_info(tok) && !bench_lock_info(tok))
			ret = usage_error("bench", "--mech: unknown mechanism '%s' "
					  "(see kipc bench --list)", tok);
	free(copy);
	return ret;
}

static bool mech_wanted(const struct bench_config *cfg, const char *name)
{
	const char *p = cfg->mechs;
	size_t len = strlen(name);

	if (!p)
		return true;
	for (; (p = strstr(p, name)); p += len)
		if ((p == cfg->mechs || p[-1] == ',') &&
		    (p[len] == ',' || !p[len]))
			return true;
	return false;
}

static int list_mechs(void)
{
	const struct kipc_chan_info *m;
	char buf[32];
	size_t i;

	printf("%-15s %-14s %-10s %s\n", "MECHANISM", "FAMILY", "LIMIT", "WHAT");
	for (i = 0; (m = kipc_chan_mech_at(i)); i++)
		printf("%-15s %-14s %-10s %s\n", m->name, m->family,
		       fmt_size(buf, sizeof(buf), kipc_chan_limit(m->name)),
		       m->summary);
	printf("\n%-15s %-14s %-10s %s\n", "LOCK", "FAMILY", "", "WHAT");
	for (i = 0; (m = bench_lock_at(i)); i++)
		printf("%-15s %-14s %-10s %s\n", m->name, m->family, "",
		       m->summary);
	return KIPC_EXIT_OK;
}

struct plan {
	struct bench_result *res;
	size_t n, cap;
};

/*
 * Results point into themselves (skip and error into why[]), so the
 * array is allocated once, for every cell there can be.
 */
static struct bench_result *plan_add(struct plan *p, enum bench_pattern pat,
				     const struct kipc_chan_info *m, size_t size,
				     unsigned int batch)
{
	struct bench_result *r;
	size_t nr_mechs = 0, nr_locks = 0;

	if (!p->res) {
		while (kipc_chan_mech_at(nr_mechs))
			nr_mechs++;
		while (bench_lock_at(nr_locks))
			nr_locks++;
		/* Stream and prio may run twice, unbatched and batched. */
		p->cap = (BENCH_NR_PATTERNS + 2) * nr_mechs * BENCH_MAX_SIZES +
			 nr_locks * sizeof(((struct bench_config *)0)->procs) /
			 sizeof(unsigned int);
		p->res = calloc(p->cap, sizeof(*p->res));
		if (!p->res) {
			perror("kipc bench");
			exit(KIPC_EXIT_FAIL);
		}
	}
	r = &p->res[p->n++];
	r->pattern = pat;
	r->mech = m;
	r->size = size;
	r->batch = batch;
	return r;
}

static void skip(struct bench_result *r, const char *why)
{
	snprintf(r->why, sizeof(r->why), "%s", why);
	r->skip = r->why;
}

/* Why @m cannot run @pat with @size here at all, or NULL. */
static const char *cell_obstacle(const struct bench_config *cfg,
				 enum bench_pattern pat,
				 const struct kipc_chan_info *m, size_t used,
				 const char *no_module)
{
	unsigned int senders = pat == BENCH_STREAM ? cfg->producers : 1;
	const char *missing;
	ssize_t shared;

	if (m->flags & KIPC_CHAN_KIPC && no_module)
		return no_module;
	/* A driver, daemon or library the RPC systems need. */
	missing = kipc_chan_unavailable(m->name);
	if (missing && !(m->flags & KIPC_CHAN_KIPC))
		return missing;
	if (!used && !strcmp(m->name, "unix-seqpacket"))
		return "cannot carry empty messages (they read as end of file)";
	if (pat == BENCH_PRIO && used && used < 8)
		return "prio needs 8-byte messages to number them";
	if (senders <= 1)
		return NULL;
	shared = kipc_chan_shared_limit(m->name);
	if (shared < 0)
		return "a byte stream: several senders' frames would interleave";
	if (used > (size_t)shared)
		return "frames over PIPE_BUF from several senders would interleave";
	if (used && used < 8)
		return "messages under 8 bytes cannot say which sender they are from";
	return NULL;
}

/*
 * The deepest queue @mech can have here for @size-byte messages, at most
 * @want: POSIX queues stop at fs.mqueue.msg_max (10) without
 * CAP_SYS_RESOURCE, which only opening one tells for sure.
 */
static unsigned int deepest_queue(const char *mech, size_t size,
				  unsigned int want)
{
	struct kipc_chan_opts opts = { .msg_size = size };
	struct kipc_chan *c;

	/* Any refusal (EINVAL over msg_max, EMFILE over the rlimit): halve. */
	for (opts.depth = want; opts.depth > DEFAULT_DEPTH; opts.depth /= 2) {
		c = kipc_chan_open(mech, &opts);
		if (c) {
			kipc_chan_close(c);
			break;
		}
	}
	return opts.depth < DEFAULT_DEPTH ? DEFAULT_DEPTH : opts.depth;
}

static unsigned int cell_depth(const struct bench_config *cfg,
			       enum bench_pattern pat, size_t size)
{
	size_t d;

	if (cfg->depth)
		return cfg->depth;
	if (pat != BENCH_PRIO)
		return DEFAULT_DEPTH;
	/*
	 * Deep enough for the priorities to sort something, within 16 MiB,
	 * and the same for every queue: as deep as POSIX's may be here.
	 */
	d = PRIO_QUEUE_BYTES / (size ? size : 1);
	d = d < DEFAULT_DEPTH ? DEFAULT_DEPTH : d > PRIO_DEPTH_MAX ? PRIO_DEPTH_MAX : d;
	return deepest_queue("posix-mq", size, d);
}

static void plan_mech(struct plan *p, const struct bench_config *cfg,
		      enum bench_pattern pat, const struct kipc_chan_info *m,
		      unsigned int batch, const char *no_module)
{
	ssize_t limit = kipc_chan_limit(m->name);
	size_t used, last_used = SIZE_MAX;
	struct bench_result *r;
	const char *why;
	char buf[120], sz[32];
	int i;

	for (i = 0; i < cfg->nr_sizes; i++) {
		r = plan_add(p, pat, m, cfg->sizes[i], batch);
		used = cfg->sizes[i] < (size_t)limit ? cfg->sizes[i] : (size_t)limit;
		r->size_used = used;
		/* prio checks each message arrives once: one producer. */
		r->producers = pat == BENCH_STREAM ? cfg->producers : 1;
		r->depth = cell_depth(cfg, pat, used);
		why = cell_obstacle(cfg, pat, m, used, no_module);
		if (why) {
			skip(r, why);
		} else if (used == last_used) {
			snprintf(buf, sizeof(buf), "sizes above its %s limit (ran once at it)",
				 fmt_size(sz, sizeof(sz), limit));
			skip(r, buf);
		}
		last_used = used;
	}
}

/* The lock pattern: every lock at every number of processes. */
static void plan_locks(struct plan *p, const struct bench_config *cfg,
		       const char *no_module)
{
	const struct kipc_chan_info *m;
	struct bench_result *r;
	size_t i;
	int k;

	for (i = 0; (m = bench_lock_at(i)); i++) {
		if (!mech_wanted(cfg, m->name))
			continue;
		for (k = 0; k < cfg->nr_procs; k++) {
			r = plan_add(p, BENCH_LOCK, m, 0, 1);
			r->producers = cfg->procs[k];
			r->depth = 0;
			if (m->flags & KIPC_CHAN_KIPC && no_module)
				skip(r, no_module);
		}
	}
}

/* Every mechanism that can run @pat, @batch messages per call. */
static void plan_pattern(struct plan *p, const struct bench_config *cfg,
			 enum bench_pattern pat, unsigned int batch,
			 const char *no_module)
{
	const struct kipc_chan_info *m;
	size_t i;

	for (i = 0; (m = kipc_chan_mech_at(i)); i++) {
		if (!mech_wanted(cfg, m->name))
			continue;
		/* Priorities mean something only to the queues. */
		if (pat == BENCH_PRIO && !(m->flags & KIPC_CHAN_PRIO))
			continue;
		plan_mech(p, cfg, pat, m, batch, no_module);
	}
}

static void plan_build(struct plan *p, const struct bench_config *cfg,
		       const char *no_module)
{
	int pat;

	for (pat = 0; pat < BENCH_NR_PATTERNS; pat++) {
		if (!(cfg->patterns & 1u << pat))
			continue;
		if (pat == BENCH_LOCK) {
			plan_locks(p, cfg, no_module);
			continue;
		}
		plan_pattern(p, cfg, pat, 1, no_module);
		/* Then stream and prio again, in batches: rows of their own. */
		if (cfg->batch > 1 && pat != BENCH_PINGPONG)
			plan_pattern(p, cfg, pat, cfg->batch, no_module);
	}
}

static void progress(const struct bench_config *cfg, size_t done, size_t total,
		     const struct bench_result *r)
{
	static int tty = -1;
	char sz[64];

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!cfg->progress && !tty)
		return;
	if (!r) {
		if (tty)
			fprintf(stderr, "\r\033[K");
		return;
	}
	if (r->pattern == BENCH_LOCK)
		snprintf(sz, sizeof(sz), "%u procs", r->producers);
	else
		fmt_size(sz, sizeof(sz), r->size_used);
	if (r->batch > 1)
		snprintf(sz + strlen(sz), sizeof(sz) - strlen(sz), ", batches of %u",
			 r->batch);
	fprintf(stderr, "%s[%3zu/%zu] round %u/%u %-8s %-14s %s%s",
		tty ? "\r\033[K" : "", done + 1, total, r->rounds + 1,
		cfg->rounds, bench_pattern_names[r->pattern], r->mech->name,
		sz, tty ? "" : "\n");
}

/* Every cell once per round; returns how many failed. */
static int run_rounds(const struct bench_config *cfg, struct plan *p)
{
	size_t i, done = 0, total = 0;
	struct bench_result *r;
	unsigned int round;
	int failed = 0;

	for (i = 0; i < p->n; i++)
		total += p->res[i].skip ? 0 : cfg->rounds;
	for (round = 0; round < cfg->rounds; round++) {
		for (i = 0; i < p->n; i++) {
			r = &p->res[i];
			if (r->skip || r->error)
				continue;
			progress(cfg, done++, total, r);
			bench_run_cell(cfg, r);
			if (!r->error)
				continue;
			progress(cfg, 0, 0, NULL);
			fprintf(stderr, "%s: bench: %s %s %zu B: %s\n", prog,
				bench_pattern_names[r->pattern], r->mech->name,
				r->size_used, r->error);
			failed++;
		}
	}
	progress(cfg, 0, 0, NULL);
	for (i = 0; i < p->n; i++)
		bench_finish_cell(&p->res[i]);
	return failed;
}

/* The queues' memory is charged to RLIMIT_MSGQUEUE: lift what we may. */
static void raise_limits(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MSGQUEUE, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	if (geteuid() == 0)
		rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	setrlimit(RLIMIT_MSGQUEUE, &rl);
}

static int write_outputs(const struct outputs *out,
			 const struct bench_machine *mach,
			 const struct bench_config *cfg,
			 const struct plan *p)
{
	char gp[PATH_MAX], cmd[PATH_MAX + 32];
	int ret = 0;

	if (out->json && report_json(out->json, mach, cfg, p->res, p->n))
		ret = -1;
	if (out->csv && report_csv(out->csv, p->res, p->n))
		ret = -1;
	if (out->gnuplot && report_gnuplot(out->gnuplot, NULL, mach, p->res, p->n))
		ret = -1;
	if (out->plot) {
		snprintf(gp, sizeof(gp), "%s.gp", out->plot);
		if (report_gnuplot(gp, out->plot, mach, p->res, p->n))
			return -1;
		snprintf(cmd, sizeof(cmd), "gnuplot '%s' 2>/dev/null", gp);
		if (system(cmd) != 0) {
			fprintf(stderr, "%s: bench: gnuplot failed; the script is "
				"%s\n", prog, gp);
			ret = -1;
		} else {
			unlink(gp);
		}
	}
	return ret;
}

/* What the command line asks: the configuration, and what it leaves to defaults. */
struct bench_args {
	struct bench_config cfg;
	struct outputs out;
	bool quick, sizes_given, duration_given, cross_check;
};

/* A count option, --name N with N in [1, @max], into *@field. */
static int parse_count(const char *name, const char *arg, uint64_t max,
		       unsigned int *field)
{
	uint64_t v;

	if (parse_u64(name, arg, 10, 1, max, &v))
		return -1;
	*field = v;
	return 0;
}

/*
 * Parse the options into @a. Returns -1 to go on, or the exit code to
 * stop with: a usage error, or what --list printed.
 */
static int parse_options(int argc, char *argv[], struct bench_args *a)
{
	struct bench_config *cfg = &a->cfg;
	struct timespec ts = { 0 };
	int c, err;

	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		err = 0;
		switch (c) {
		case OPT_PATTERN:
			err = parse_patterns(cfg, optarg);
			break;
		case OPT_SIZES:
			err = parse_sizes(cfg, optarg);
			a->sizes_given = true;
			break;
		case OPT_MECH:
			err = check_mechs(optarg);
			cfg->mechs = optarg;
			break;
		case OPT_PRODUCERS:
			err = parse_count("--producers", optarg, 64, &cfg->producers);
			break;
		case OPT_PROCS:
			err = parse_procs(cfg, optarg);
			break;
		case OPT_DEPTH:
			err = parse_count("--depth", optarg, 65536, &cfg->depth);
			break;
		case OPT_BATCH:
			err = parse_count("--batch", optarg, KIPC_CHAN_BATCH_MAX, &cfg->batch);
			break;
		case OPT_DURATION:
			err = parse_seconds("--duration", optarg, &ts);
			cfg->duration = ts.tv_sec + ts.tv_nsec / 1e9;
			a->duration_given = true;
			break;
		case OPT_ITERS:
			err = parse_u64("--iters", optarg, 10, 1, 1000000, &cfg->iters);
			break;
		case OPT_ROUNDS:
			err = parse_count("--rounds", optarg, 100, &cfg->rounds);
			break;
		case OPT_QUICK:
			a->quick = true;
			break;
		case OPT_JSON:
			a->out.json = optarg;
			break;
		case OPT_CSV:
			a->out.csv = optarg;
			break;
		case OPT_PLOT:
			a->out.plot = optarg;
			break;
		case OPT_GNUPLOT:
			a->out.gnuplot = optarg;
			break;
		case OPT_PROGRESS:
			cfg->progress = true;
			break;
		case OPT_LIST:
			return list_mechs();
		case OPT_CROSS_CHECK:
			a->cross_check = true;
			break;
		default:
			return option_error("bench", c, argv);
		}
		if (err)
			return KIPC_EXIT_USAGE;
	}
	if (optind < argc)
		return usage_error("bench", "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* Sizes, duration and rounds that were not given: --quick's or the full run's. */
static void apply_defaults(struct bench_args *a)
{
	struct bench_config *cfg = &a->cfg;

	if (!a->sizes_given) {
		const size_t *s = a->quick ? quick_sizes : default_sizes;
		size_t n = a->quick ? sizeof(quick_sizes) / sizeof(*s) :
				      sizeof(default_sizes) / sizeof(*s);

		memcpy(cfg->sizes, s, n * sizeof(*s));
		cfg->nr_sizes = n;
	}
	if (a->quick && !a->duration_given)
		cfg->duration = QUICK_DURATION;
	if (!cfg->rounds)
		cfg->rounds = a->quick ? 1 : DEFAULT_ROUNDS;
}

/* Measure the machine, run every cell, report; the number of failures. */
static int run_and_report(struct bench_config *cfg, const struct outputs *out,
			  bool cross_check)
{
	struct bench_machine mach;
	struct plan plan = { 0 };
	int failed;

	signal(SIGPIPE, SIG_IGN);
	/* A cell's processes are reaped here even when its leader is gone. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	raise_limits();
	bench_machine_probe(&mach);
	bench_machine_calibrate(&mach);
	cfg->counters = &mach.counters;
	plan_build(&plan, cfg, strncmp(mach.module, "loaded", 6) ?
		   "the kipc module is not loaded" : NULL);
	failed = run_rounds(cfg, &plan);

	report_header(stdout, &mach, cfg);
	report_table(stdout, plan.res, plan.n);
	report_kipc_ratios(stdout, plan.res, plan.n);
	report_rules(stdout, cfg, plan.res, plan.n);
	report_skips(stdout, plan.res, plan.n);
	if (cross_check)
		report_crosscheck(stdout, &mach, plan.res, plan.n);
	if (write_outputs(out, &mach, cfg, &plan))
		failed++;
	free(plan.res);
	return failed;
}

int bench_main(int argc, char *argv[])
{
	struct bench_args a = {
		.cfg = {
			.patterns = (1u << BENCH_NR_PATTERNS) - 1,
			.producers = 1,
			.procs = { 1, 2, 4 },
			.nr_procs = 3,
			.duration = DEFAULT_DURATION,
			.batch = DEFAULT_BATCH,
		},
	};
	int ret, failed;

	ret = parse_options(argc, argv, &a);
	if (ret >= 0)
		return ret;
	apply_defaults(&a);
	failed = run_and_report(&a.cfg, &a.out, a.cross_check);
	if (failed)
		fprintf(stderr, "%s: bench: %d failure%s\n", prog, failed,
			failed == 1 ? "" : "s");
	return failed ? KIPC_EXIT_FAIL : KIPC_EXIT_OK;
}
