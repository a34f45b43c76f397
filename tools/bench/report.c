// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench's text report: the header (machine, calibration, counters,
 * method), the tables (grouped by pattern and size, mechanisms in the
 * article's order, each with its ratio to the best of its group, then the
 * kernel counters per message), the kipc-against-native ratios and the
 * cells that did not run. The article's rules are rules.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "../subcommands.h"

/* @v in steps of 1000 through @units (four), three significant digits. */
static const char *fmt_scaled(char *buf, size_t len, double v,
			      const char *const units[4])
{
	int u = 0;

	while (v >= 1000 && u < 3) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.2f%s" : v < 100 ? "%.1f%s" : "%.0f%s",
		 v, units[u]);
	return buf;
}

const char *fmt_ns(char *buf, size_t len, double ns)
{
	static const char *const units[4] = { " ns", " us", " ms", " s" };

	return fmt_scaled(buf, len, ns, units);
}

const char *fmt_size(char *buf, size_t len, size_t bytes)
{
	if (bytes >= (1u << 20) && !(bytes & ((1u << 20) - 1)))
		snprintf(buf, len, "%zu MiB", bytes >> 20);
	else if (bytes >= 1024 && !(bytes & 1023))
		snprintf(buf, len, "%zu KiB", bytes >> 10);
	else
		snprintf(buf, len, "%zu B", bytes);
	return buf;
}

/* 1234567 -> "1.23M". */
const char *fmt_rate(char *buf, size_t len, double v)
{
	static const char *const units[4] = { "", "k", "M", "G" };

	return fmt_scaled(buf, len, v, units);
}

/* A count as a count: 1234567 -> "1234567". */
static const char *fmt_count(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* A per-message counter, or "-" where it could not be read. */
static const char *fmt_per(char *buf, size_t len, const struct bench_result *r,
			   enum bench_counter i, double scale)
{
	if (!result_has(r, i))
		snprintf(buf, len, "-");
	else if (i == CNT_INSTRUCTIONS || i == CNT_CYCLES)
		fmt_rate(buf, len, r->per_msg[i] * scale);
	else
		snprintf(buf, len, "%.2f", r->per_msg[i] * scale);
	return buf;
}

static void header_counters(FILE *f, const struct bench_machine *m)
{
	const struct counter_support *s = &m->counters;
	int i;

	fprintf(f, "counters: per message moved, over the measured phase, every "
		"process of the cell added\n"
		"          (perf_event_open: system calls, context switches%s; "
		"getrusage: CPU, faults)\n",
		s->ok & (1u << CNT_INSTRUCTIONS) ? ", instructions, cycles" : "");
	for (i = 0; i < CNT_NR; i++)
		if (!(s->ok & 1u << i))
			fprintf(f, "          unavailable, shown as '-': %s: %s\n",
				counter_names[i], s->why[i]);
}

void report_header(FILE *f, const struct bench_machine *m,
		   const struct bench_config *cfg)
{
	char a[32], b[32], c[32];

	fprintf(f, "kipc bench, %s\n", m->date);
	fprintf(f, "machine: %s, %u cores, %s, virtualization: %s\n", m->cpu,
		m->cores, m->kernel, m->virt);
	fprintf(f, "kipc module: %s\n", m->module);
	fprintf(f, "calibration: null system call %s, pipe round trip between "
		"two processes %s, memcpy %.0f MB/s\n",
		fmt_ns(a, sizeof(a), m->null_syscall_ns),
		fmt_ns(b, sizeof(b), m->pipe_rtt_ns), m->memcpy_mb_per_s);
	if (m->tcg)
		fprintf(f, "note: QEMU TCG emulates this CPU, so time is spent "
			"unlike on hardware (the calibration\n      says how): "
			"compare mechanisms within this run; the counters carry "
			"over to hardware.\n");
	header_counters(f, m);
	fprintf(f, "method: %s .. %s, %u producer%s, ", fmt_size(a, sizeof(a), cfg->sizes[0]),
		fmt_size(c, sizeof(c), cfg->sizes[cfg->nr_sizes - 1]),
		cfg->producers, cfg->producers == 1 ? "" : "s");
	if (cfg->iters)
		fprintf(f, "%llu messages per cell and round",
			(unsigned long long)cfg->iters);
	else
		fprintf(f, "%.3g s per cell", cfg->duration);
	fprintf(f, " in %u round%s, each after a warm-up;\n"
		"        every byte of every message checked by its receiver; "
		"processes sleep in\n        the mechanism, and only kipc-ring "
		"spins first (4096 looks at the word\n        it waits on, "
		"its design: see CPU/msg).\n",
		cfg->rounds, cfg->rounds == 1 ? "" : "s");
	fprintf(f, "columns: msg/s, MB/s and the counters are means over the "
		"measured phase; rtt columns\n"
		"        are percentiles (and the mean, sd, min) of every "
		"round trip, one-way = p50 / 2;\n"
		"        n = samples. rounds = slowest round over fastest; '!' "
		"marks a cell whose rounds\n"
		"        differ more than %.0fx (unstable: not ranked), '*' one "
		"with under 100 samples\n"
		"        (its p99 is its max; --duration gives more).\n",
		BENCH_UNSTABLE_FACTOR);
}

static bool shown(const struct bench_result *r)
{
	return !r->skip;
}

/* Lower is better: p50 for pingpong, time per message for the streams. */
double bench_cost(const struct bench_result *r)
{
	if (r->pattern == BENCH_PINGPONG && r->has_latency)
		return r->p50_ns;
	return r->msgs_per_s > 0 ? 1e9 / r->msgs_per_s : INFINITY;
}

/* A cell that ran, measured something and may be ranked. */
bool bench_rankable(const struct bench_result *r)
{
	return !r->skip && !r->error && r->iters && !r->unstable;
}

/*
 * Cells of one group of the table: a pattern, a size and messages per
 * call (lock: processes).
 */
static bool same_group(const struct bench_result *a, const struct bench_result *b)
{
	return a->pattern == b->pattern && a->size == b->size &&
	       a->batch == b->batch &&
	       (a->pattern != BENCH_LOCK || a->producers == b->producers);
}

static void print_lock_head(FILE *f)
{
	fprintf(f, "  %-14s %-14s %9s %9s %9s %9s %9s %9s %6s %7s  %s\n",
		"family", "lock", "n", "acq/s", "handoff", "p90", "p99",
		"CPU/acq", "rounds", "vs best", "when the holder is killed");
}

/* The same lock's holder-death result, measured in one of its cells. */
static const struct bench_result *death_of(const struct bench_result *res,
					   size_t n, const struct bench_result *r)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].mech == r->mech && res[i].pattern == BENCH_LOCK &&
		    res[i].has_death)
			return &res[i];
	return NULL;
}

static void print_lock_row(FILE *f, const struct bench_result *res, size_t n,
			   const struct bench_result *r, double best)
{
	const struct bench_result *d = death_of(res, n, r);
	char s[8][32], death[160];

	fprintf(f, "  %-14s %-14s ", r->mech->family, r->mech->name);
	if (r->error) {
		fprintf(f, "FAILED: %s\n", r->error);
		return;
	}
	if (!d)
		snprintf(death, sizeof(death), "-");
	else if (isnan(d->death.next_ns))
		snprintf(death, sizeof(death), "%s", d->death.what);
	else
		snprintf(death, sizeof(death), "%s, %s after the kill",
			 d->death.what, fmt_ns(s[6], 32, d->death.next_ns));
	if (r->unstable)
		snprintf(s[7], 32, "!");
	else
		snprintf(s[7], 32, "%.2fx", bench_cost(r) / best);
	fprintf(f, "%9s %9s %9s %9s %9s %9s %5.2fx %7s  %s\n",
		fmt_count(s[0], 32, r->iters), fmt_rate(s[1], 32, r->msgs_per_s),
		r->has_latency ? fmt_ns(s[2], 32, r->p50_ns) : "-",
		r->has_latency ? fmt_ns(s[3], 32, r->p90_ns) : "-",
		r->has_latency ? fmt_ns(s[4], 32, r->p99_ns) : "-",
		fmt_ns(s[5], 32, r->cpu_ns_per_msg), r->spread, s[7], death);
}

static void print_timing_head(FILE *f, enum bench_pattern pat)
{
	if (pat == BENCH_PINGPONG)
		fprintf(f, "  %-14s %-14s %7s %7s %9s %9s %9s %9s %9s %9s %9s "
			"%9s %8s %9s %6s %7s\n", "family", "mechanism", "used",
			"n", "rtt p50", "mean", "sd", "min", "p90", "p99", "max",
			"one-way", "msg/s", "CPU/msg", "rounds", "vs best");
	else
		fprintf(f, "  %-14s %-14s %7s %8s %8s %8s %9s %6s %7s\n",
			"family", "mechanism", "used", "n", "msg/s", "MB/s",
			"CPU/msg", "rounds", "vs best");
}

static void print_timing_row(FILE *f, const struct bench_result *r,
			     double best)
{
	char s[12][32], vs[16];

	if (r->unstable)
		snprintf(vs, sizeof(vs), "!");
	else
		snprintf(vs, sizeof(vs), "%.2fx", bench_cost(r) / best);
	fprintf(f, "  %-14s %-14s %7s ", r->mech->family, r->mech->name,
		fmt_size(s[0], sizeof(s[0]), r->size_used));
	if (r->error) {
		fprintf(f, "FAILED: %s\n", r->error);
		return;
	}
	if (r->pattern == BENCH_PINGPONG)
		fprintf(f, "%6s%s %9s %9s %9s %9s %9s %9s %9s %9s %8s %9s %5.2fx "
			"%7s\n", fmt_count(s[1], sizeof(s[1]), r->iters),
			r->low_samples ? "*" : " ",
			fmt_ns(s[2], sizeof(s[2]), r->p50_ns),
			fmt_ns(s[3], sizeof(s[3]), r->mean_ns),
			fmt_ns(s[4], sizeof(s[4]), r->stddev_ns),
			fmt_ns(s[5], sizeof(s[5]), r->min_ns),
			fmt_ns(s[6], sizeof(s[6]), r->p90_ns),
			fmt_ns(s[7], sizeof(s[7]), r->p99_ns),
			fmt_ns(s[8], sizeof(s[8]), r->max_ns),
			fmt_ns(s[9], sizeof(s[9]), r->p50_ns / 2),
			fmt_rate(s[10], sizeof(s[10]), r->msgs_per_s),
			fmt_ns(s[11], sizeof(s[11]), r->cpu_ns_per_msg),
			r->spread, vs);
	else
		fprintf(f, "%8s %8s %8.1f %9s %5.2fx %7s\n",
			fmt_count(s[1], sizeof(s[1]), r->iters),
			fmt_rate(s[2], sizeof(s[2]), r->msgs_per_s), r->mb_per_s,
			fmt_ns(s[3], sizeof(s[3]), r->cpu_ns_per_msg), r->spread,
			vs);
}

/* The kernel counters of one group: what each message cost the kernel. */
static void print_counters(FILE *f, const struct bench_result *res, size_t n,
			   const struct bench_result *first)
{
	bool rtt = first->pattern == BENCH_PINGPONG;
	char s[10][32];
	size_t i;

	fprintf(f, "  %-29s %8s %8s %8s %8s %8s %9s %9s %8s %8s\n",
		first->pattern == BENCH_LOCK ? "per acquisition (counters)" :
		"per message (counters)", "syscalls", rtt ? "per rtt" : "",
		"ctxsw", "vol", "invol", "user", "sys", "faults", "instr");
	for (i = 0; i < n; i++) {
		const struct bench_result *r = &res[i];

		if (!same_group(r, first) || !shown(r) || r->error || !r->rounds)
			continue;
		fprintf(f, "  %-29s %8s %8s %8s %8.2f %8.2f %9s %9s %8.3f %8s\n",
			r->mech->name, fmt_per(s[0], 32, r, CNT_SYSCALLS, 1),
			rtt ? fmt_per(s[1], 32, r, CNT_SYSCALLS, 2) : "",
			fmt_per(s[2], 32, r, CNT_CTXSW, 1),
			r->ctxsw_vol_per_msg, r->ctxsw_invol_per_msg,
			fmt_ns(s[3], 32, r->cpu_user_ns_per_msg),
			fmt_ns(s[4], 32, r->cpu_sys_ns_per_msg),
			r->faults_per_msg,
			fmt_per(s[5], 32, r, CNT_INSTRUCTIONS, 1));
	}
}

static void print_group(FILE *f, const struct bench_result *res, size_t n,
			const struct bench_result *first)
{
	enum bench_pattern pat = first->pattern;
	double best = INFINITY;
	char sz[32];
	size_t i;

	for (i = 0; i < n; i++)
		if (same_group(&res[i], first) && bench_rankable(&res[i]) &&
		    bench_cost(&res[i]) < best)
			best = bench_cost(&res[i]);
	if (pat == BENCH_LOCK)
		fprintf(f, "\nlock, %u process%s: take it, add 1 to a shared "
			"counter, release it\n", first->producers,
			first->producers == 1 ? "" : "es");
	else
		fprintf(f, "\n%s, %s", bench_pattern_names[pat],
			fmt_size(sz, sizeof(sz), first->size));
	if (first->batch > 1)
		fprintf(f, ", batches of %u (one call sends or receives up "
			"to %u)", first->batch, first->batch);
	if (pat == BENCH_PRIO)
		fprintf(f, ": random priorities 0..%d, queue depth %u",
			BENCH_PRIO_LEVELS - 1, first->depth);
	if (pat != BENCH_LOCK)
		fputc('\n', f);
	if (pat == BENCH_LOCK)
		print_lock_head(f);
	else
		print_timing_head(f, pat);
	for (i = 0; i < n; i++) {
		if (!same_group(&res[i], first) || !shown(&res[i]))
			continue;
		if (pat == BENCH_LOCK)
			print_lock_row(f, res, n, &res[i], best);
		else
			print_timing_row(f, &res[i], best);
	}
	print_counters(f, res, n, first);
}

void report_table(FILE *f, const struct bench_result *res, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!shown(&res[i]))
			continue;
		/* Print a group when its first row comes by. */
		for (j = 0; j < i; j++)
			if (same_group(&res[j], &res[i]) && shown(&res[j]))
				break;
		if (j == i)
			print_group(f, res, n, &res[i]);
	}
}

const struct bench_result *bench_find(const struct bench_result *res, size_t n,
				      const char *mech, enum bench_pattern pat,
				      size_t size, bool batched)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].pattern == pat && res[i].size == size &&
		    (res[i].batch > 1) == batched &&
		    !res[i].skip && !res[i].error && res[i].iters &&
		    !strcmp(res[i].mech->name, mech))
			return &res[i];
	return NULL;
}

/* One target at one size, if both cells ran; *@header once printed. */
static void report_target(FILE *f, const struct bench_result *res, size_t n,
			  const struct bench_target *t, size_t size,
			  bool *header)
{
	const struct bench_result *k, *nat;
	char sz[32], what[64];
	const char *verdict;
	double ratio;

	k = bench_find(res, n, t->kipc, t->pattern, size, t->batched);
	nat = bench_find(res, n, t->native, t->pattern, size, t->batched);
	if (!k || !nat)
		return;
	if (!*header) {
		fprintf(f, "\nkipc against the native mechanism (same run)\n");
		fprintf(f, "  %-22s %-26s %8s %8s  %s\n", "kipc / native",
			"measure", "ratio", "target", "");
		*header = true;
	}
	snprintf(what, sizeof(what), "%s %s%s %s", bench_pattern_names[t->pattern],
		 fmt_size(sz, sizeof(sz), size), t->batched ? " batch" : "",
		 t->syscalls ? "syscalls/msg" : t->latency ? "p50" : "rate");
	if (t->syscalls) {
		/* A count, not a ratio: no rerun makes it noisy. */
		if (!result_has(k, CNT_SYSCALLS))
			return;
		ratio = k->per_msg[CNT_SYSCALLS];
		fprintf(f, "  %-22s %-26s %8.3f %s%5.2f   %s (%s: %.3f)\n",
			t->kipc, what, ratio, "<=", t->goal,
			ratio <= t->goal ? "met" : "MISSED", t->native,
			result_has(nat, CNT_SYSCALLS) ?
			nat->per_msg[CNT_SYSCALLS] : 0.0);
		return;
	}
	ratio = t->latency ? k->p50_ns / nat->p50_ns :
			     k->msgs_per_s / nat->msgs_per_s;
	if (k->unstable || nat->unstable)
		verdict = "unstable: not judged (rerun)";
	else if (t->latency ? ratio <= t->goal : ratio >= t->goal)
		verdict = "met";
	else
		verdict = "MISSED";
	fprintf(f, "  %-22s %-26s %7.3fx %s%5.2fx  %s\n",
		t->kipc, what, ratio, t->latency ? "<=" : ">=", t->goal,
		verdict);
}

void report_kipc_ratios(FILE *f, const struct bench_result *res, size_t n)
{
	const struct bench_target *t;
	bool header = false;
	size_t i, j;

	for (t = bench_targets; t < bench_targets + bench_nr_targets; t++) {
		if (t->size) {
			report_target(f, res, n, t, t->size, &header);
			continue;
		}
		/* Every size the kipc side ran, each once. */
		for (i = 0; i < n; i++) {
			if (res[i].pattern != t->pattern ||
			    (res[i].batch > 1) != t->batched ||
			    strcmp(res[i].mech->name, t->kipc))
				continue;
			for (j = 0; j < i; j++)
				if (res[j].mech == res[i].mech &&
				    res[j].pattern == res[i].pattern &&
				    res[j].batch == res[i].batch &&
				    res[j].size == res[i].size)
					break;
			if (j == i)
				report_target(f, res, n, t, res[i].size, &header);
		}
	}
}

void report_skips(FILE *f, const struct bench_result *res, size_t n)
{
	bool header = false;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!res[i].skip)
			continue;
		for (j = 0; j < i; j++)
			if (res[j].skip && res[j].mech == res[i].mech &&
			    !strcmp(res[j].skip, res[i].skip))
				break;
		if (j < i)
			continue;
		if (!header) {
			fprintf(f, "\nnot run\n");
			header = true;
		}
		fprintf(f, "  %-14s %s\n", res[i].mech->name, res[i].skip);
	}
}
