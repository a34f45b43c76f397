// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench output: the table (grouped by pattern and size, mechanisms in
 * the article's order, each with its ratio to the best of its group), the
 * kipc-versus-native ratios the project aims at, JSON, CSV and a gnuplot
 * script with the data inline.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "subcommands.h"

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
static const char *fmt_count(char *buf, size_t len, double v)
{
	static const char *const units[4] = { "", "k", "M", "G" };

	return fmt_scaled(buf, len, v, units);
}

void report_header(FILE *f, const struct bench_machine *m,
		   const struct bench_config *cfg)
{
	char a[32], b[32];

	fprintf(f, "kipc bench, %s\n", m->date);
	fprintf(f, "machine: %s, %u cores, %s, virtualization: %s\n", m->cpu,
		m->cores, m->kernel, m->virt);
	fprintf(f, "kipc module: %s\n", m->module);
	if (m->tcg)
		fprintf(f, "note: QEMU TCG emulates this CPU: system calls and "
			"context switches cost ~100x native,\n      memory copies "
			"~10x. Compare mechanisms within this run, not with other "
			"machines.\n");
	fprintf(f, "method: %s .. %s, %u producer%s, ", fmt_size(a, sizeof(a), cfg->sizes[0]),
		fmt_size(b, sizeof(b), cfg->sizes[cfg->nr_sizes - 1]),
		cfg->producers, cfg->producers == 1 ? "" : "s");
	if (cfg->iters)
		fprintf(f, "%llu messages per cell and round",
			(unsigned long long)cfg->iters);
	else
		fprintf(f, "%.3g s per cell", cfg->duration);
	fprintf(f, " in %u round%s, each after a warm-up;\n"
		"        every byte of every message checked by its receiver; "
		"processes sleep in\n        the mechanism, nothing spins.\n",
		cfg->rounds, cfg->rounds == 1 ? "" : "s");
}

static bool shown(const struct bench_result *r)
{
	return !r->skip;
}

/* Lower is better: p50 for pingpong, time per message for the streams. */
static double cost(const struct bench_result *r)
{
	if (r->has_latency)
		return r->p50_ns;
	return r->msgs_per_s > 0 ? 1e9 / r->msgs_per_s : INFINITY;
}

static void print_group(FILE *f, const struct bench_result *res, size_t n,
			enum bench_pattern pat, size_t size)
{
	double best = INFINITY;
	char s[9][32];
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].pattern == pat && res[i].size == size && shown(&res[i]) &&
		    !res[i].error && cost(&res[i]) < best)
			best = cost(&res[i]);
	fprintf(f, "\n%s, %s", bench_pattern_names[pat],
		fmt_size(s[0], sizeof(s[0]), size));
	for (i = 0; pat == BENCH_PRIO && i < n; i++)
		if (res[i].pattern == pat && res[i].size == size) {
			fprintf(f, ": random priorities 0..%d, queue depth %u",
				BENCH_PRIO_LEVELS - 1, res[i].depth);
			break;
		}
	fputc('\n', f);
	if (pat == BENCH_PINGPONG)
		fprintf(f, "  %-14s %-14s %8s %8s %9s %9s %9s %9s %9s %8s %8s %9s %7s\n",
			"family", "mechanism", "used", "iters", "rtt p50", "p90",
			"p99", "max", "one-way", "msg/s", "MB/s", "CPU/msg",
			"vs best");
	else
		fprintf(f, "  %-14s %-14s %8s %8s %8s %8s %9s %7s\n", "family",
			"mechanism", "used", "iters", "msg/s", "MB/s", "CPU/msg",
			"vs best");
	for (i = 0; i < n; i++) {
		const struct bench_result *r = &res[i];

		if (r->pattern != pat || r->size != size || !shown(r))
			continue;
		fprintf(f, "  %-14s %-14s %8s ", r->mech->family, r->mech->name,
			fmt_size(s[0], sizeof(s[0]), r->size_used));
		if (r->error) {
			fprintf(f, "FAILED: %s\n", r->error);
			continue;
		}
		fprintf(f, "%8s ", fmt_count(s[1], sizeof(s[1]), r->iters));
		if (pat == BENCH_PINGPONG)
			fprintf(f, "%9s %9s %9s %9s %9s ",
				fmt_ns(s[2], sizeof(s[2]), r->p50_ns),
				fmt_ns(s[3], sizeof(s[3]), r->p90_ns),
				fmt_ns(s[4], sizeof(s[4]), r->p99_ns),
				fmt_ns(s[5], sizeof(s[5]), r->max_ns),
				fmt_ns(s[6], sizeof(s[6]), r->p50_ns / 2));
		fprintf(f, "%8s %8.1f %9s %6.2fx\n",
			fmt_count(s[7], sizeof(s[7]), r->msgs_per_s), r->mb_per_s,
			fmt_ns(s[8], sizeof(s[8]), r->cpu_ns_per_msg),
			cost(r) / best);
	}
}

void report_table(FILE *f, const struct bench_result *res, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!shown(&res[i]))
			continue;
		/* Print a group when its first row comes by. */
		for (j = 0; j < i; j++)
			if (res[j].pattern == res[i].pattern &&
			    res[j].size == res[i].size && shown(&res[j]))
				break;
		if (j == i)
			print_group(f, res, n, res[i].pattern, res[i].size);
	}
}

/* The comparisons issue #8 set as targets for kipc's own mechanisms. */
static const struct target {
	const char *kipc, *native;
	enum bench_pattern pattern;
	size_t size;
	bool latency;		/* compare p50 (lower is better), else rate */
	double goal;		/* kipc/native must be <= (latency) or >= */
} targets[] = {
	{ "kipc-pipe", "pipe", BENCH_STREAM, 65536, false, 1.0 },
	{ "kipc-pipe", "pipe", BENCH_PINGPONG, 64, true, 1.0 },
	{ "kipc-mq", "posix-mq", BENCH_PINGPONG, 64, true, 1.0 },
	{ "kipc-mq", "posix-mq", BENCH_PRIO, 64, false, 1.5 },
	{ "kipc-shm", "shm", BENCH_PINGPONG, 64, true, 1.0 },
	{ "kipc-shm", "shm", BENCH_STREAM, 1048576, false, 0.9 },
};

static const struct bench_result *find(const struct bench_result *res, size_t n,
				       const char *mech, enum bench_pattern pat,
				       size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].pattern == pat && res[i].size == size &&
		    !res[i].skip && !res[i].error && res[i].iters &&
		    !strcmp(res[i].mech->name, mech))
			return &res[i];
	return NULL;
}

void report_kipc_ratios(FILE *f, const struct bench_result *res, size_t n)
{
	const struct target *t;
	const struct bench_result *k, *nat;
	bool header = false;
	char sz[32], what[64];
	double ratio;
	bool met;

	for (t = targets; t < targets + sizeof(targets) / sizeof(*t); t++) {
		k = find(res, n, t->kipc, t->pattern, t->size);
		nat = find(res, n, t->native, t->pattern, t->size);
		if (!k || !nat)
			continue;
		if (!header) {
			fprintf(f, "\nkipc against the native mechanism (same run)\n");
			fprintf(f, "  %-22s %-22s %8s %8s  %s\n", "kipc / native",
				"measure", "ratio", "target", "");
			header = true;
		}
		ratio = t->latency ? k->p50_ns / nat->p50_ns :
				     k->msgs_per_s / nat->msgs_per_s;
		met = t->latency ? ratio <= t->goal : ratio >= t->goal;
		snprintf(what, sizeof(what), "%s %s %s", bench_pattern_names[t->pattern],
			 fmt_size(sz, sizeof(sz), t->size),
			 t->latency ? "p50" : "rate");
		fprintf(f, "  %-22s %-22s %7.3fx %s%5.2fx  %s\n",
			t->kipc, what, ratio, t->latency ? "<=" : ">=", t->goal,
			met ? "met" : "MISSED");
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

/* Times in ns with one decimal (RTT/2 stays exact); rates in full. */
static void json_num(FILE *f, const char *key, double v, bool valid)
{
	if (!valid || !isfinite(v))
		fprintf(f, ", \"%s\": null", key);
	else if (strstr(key, "_ns"))
		fprintf(f, ", \"%s\": %.1f", key, v);
	else
		fprintf(f, ", \"%s\": %.17g", key, v);
}

static void json_result(FILE *f, const struct bench_result *r)
{
	bool ok = !r->error, lat = ok && r->has_latency;

	fprintf(f, "    {\"pattern\": \"%s\", \"mech\": ",
		bench_pattern_names[r->pattern]);
	fput_json_string(f, r->mech->name);
	fprintf(f, ", \"family\": ");
	fput_json_string(f, r->mech->family);
	fprintf(f, ", \"size\": %zu, \"size_used\": %zu, \"producers\": %u, "
		"\"depth\": %u, \"rounds\": %u, \"iters\": %llu, \"warmup\": %llu",
		r->size, r->size_used, r->producers, r->depth, r->rounds,
		(unsigned long long)r->iters, (unsigned long long)r->warmup);
	json_num(f, "p50_ns", r->p50_ns, lat);
	json_num(f, "p90_ns", r->p90_ns, lat);
	json_num(f, "p99_ns", r->p99_ns, lat);
	json_num(f, "max_ns", r->max_ns, lat);
	json_num(f, "oneway_p50_ns", r->p50_ns / 2, lat);
	json_num(f, "msgs_per_s", r->msgs_per_s, ok);
	json_num(f, "mb_per_s", r->mb_per_s, ok);
	json_num(f, "cpu_ns_per_msg", r->cpu_ns_per_msg, ok);
	fprintf(f, ", \"error\": ");
	if (r->error)
		fput_json_string(f, r->error);
	else
		fputs("null", f);
	fputc('}', f);
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		fprintf(stderr, "%s: bench: %s: %s\n", prog, path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "%s: bench: writing %s failed\n", prog, path);
		return -1;
	}
	return 0;
}

int report_json(const char *path, const struct bench_machine *m,
		const struct bench_config *cfg,
		const struct bench_result *res, size_t n)
{
	FILE *f = open_out(path);
	const char *sep = "";
	size_t i;
	int p;

	if (!f)
		return -1;
	fprintf(f, "{\n  \"kipc_bench\": 1,\n  \"date\": \"%s\",\n  \"machine\": {\"cpu\": ",
		m->date);
	fput_json_string(f, m->cpu);
	fprintf(f, ", \"cores\": %u, \"kernel\": ", m->cores);
	fput_json_string(f, m->kernel);
	fprintf(f, ", \"virt\": ");
	fput_json_string(f, m->virt);
	fprintf(f, ", \"tcg\": %s, \"module\": ", m->tcg ? "true" : "false");
	fput_json_string(f, m->module);
	fprintf(f, "},\n  \"config\": {\"patterns\": [");
	for (p = 0; p < BENCH_NR_PATTERNS; p++)
		if (cfg->patterns & 1u << p) {
			fprintf(f, "%s\"%s\"", sep, bench_pattern_names[p]);
			sep = ", ";
		}
	fprintf(f, "], \"sizes\": [");
	for (p = 0; p < cfg->nr_sizes; p++)
		fprintf(f, "%s%zu", p ? ", " : "", cfg->sizes[p]);
	fprintf(f, "], \"producers\": %u, \"duration_s\": %.6g, \"iters\": %llu, "
		"\"rounds\": %u},\n", cfg->producers, cfg->duration,
		(unsigned long long)cfg->iters, cfg->rounds);
	fprintf(f, "  \"results\": [\n");
	for (i = 0, sep = ""; i < n; i++) {
		if (res[i].skip)
			continue;
		fputs(sep, f);
		json_result(f, &res[i]);
		sep = ",\n";
	}
	fprintf(f, "\n  ],\n  \"skipped\": [\n");
	for (i = 0, sep = ""; i < n; i++) {
		if (!res[i].skip)
			continue;
		fprintf(f, "%s    {\"pattern\": \"%s\", \"mech\": ", sep,
			bench_pattern_names[res[i].pattern]);
		fput_json_string(f, res[i].mech->name);
		fprintf(f, ", \"size\": %zu, \"reason\": ", res[i].size);
		fput_json_string(f, res[i].skip);
		fputc('}', f);
		sep = ",\n";
	}
	fprintf(f, "\n  ]\n}\n");
	return close_out(f, path);
}

/* A CSV field: quoted, with quotes doubled. */
static void csv_text(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int report_csv(const char *path, const struct bench_result *res, size_t n)
{
	FILE *f = open_out(path);
	size_t i;

	if (!f)
		return -1;
	fprintf(f, "pattern,mech,family,size,size_used,producers,depth,iters,"
		"warmup,p50_ns,p90_ns,p99_ns,max_ns,oneway_p50_ns,msgs_per_s,"
		"mb_per_s,cpu_ns_per_msg,status\n");
	for (i = 0; i < n; i++) {
		const struct bench_result *r = &res[i];
		bool ok = !r->skip && !r->error;

		fprintf(f, "%s,%s,", bench_pattern_names[r->pattern], r->mech->name);
		csv_text(f, r->mech->family);
		fprintf(f, ",%zu,%zu,%u,%u,%llu,%llu,", r->size, r->size_used,
			r->producers, r->depth, (unsigned long long)r->iters,
			(unsigned long long)r->warmup);
		if (ok && r->has_latency)
			fprintf(f, "%.0f,%.0f,%.0f,%.0f,%.0f,", r->p50_ns,
				r->p90_ns, r->p99_ns, r->max_ns, r->p50_ns / 2);
		else
			fprintf(f, ",,,,,");
		if (ok)
			fprintf(f, "%.6g,%.6g,%.0f,ok\n", r->msgs_per_s,
				r->mb_per_s, r->cpu_ns_per_msg);
		else {
			fprintf(f, ",,,");
			csv_text(f, r->skip ? r->skip : r->error);
			fputc('\n', f);
		}
	}
	return close_out(f, path);
}

/* One inline data block per mechanism; returns how many were written. */
static int gp_blocks(FILE *f, const char *prefix, const struct bench_result *res,
		     size_t n, enum bench_pattern pat, const char **names,
		     int max)
{
	const struct kipc_chan_info *m;
	int nr = 0;
	size_t i, k;

	for (k = 0; (m = kipc_chan_mech_at(k)) && nr < max; k++) {
		bool any = false;

		for (i = 0; i < n; i++) {
			const struct bench_result *r = &res[i];
			double y;

			if (r->pattern != pat || r->mech != m || r->skip ||
			    r->error || !r->size_used || !r->iters)
				continue;
			y = pat == BENCH_PINGPONG ? r->p50_ns / 2 / 1000 : r->mb_per_s;
			if (!any)
				fprintf(f, "$%s%d << EOD\n", prefix, nr);
			fprintf(f, "%zu %.6g\n", r->size_used, y);
			any = true;
		}
		if (any) {
			fprintf(f, "EOD\n");
			names[nr++] = m->name;
		}
	}
	return nr;
}

static void gp_plot(FILE *f, const char *prefix, const char **names, int nr)
{
	int i;

	fprintf(f, "plot ");
	for (i = 0; i < nr; i++)
		fprintf(f, "%s$%s%d using 1:2 with linespoints title '%s'",
			i ? ", \\\n     " : "", prefix, i, names[i]);
	fputc('\n', f);
}

int report_gnuplot(const char *path, const char *svg,
		   const struct bench_result *res, size_t n)
{
	const char *lat_names[64], *tput_names[64];
	int nr_lat, nr_tput;
	char out[4096];
	const char *base, *dot;
	FILE *f;

	if (svg) {
		snprintf(out, sizeof(out), "%s", svg);
	} else {
		/* Beside the script, named after it: x.gp draws x.svg. */
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		dot = strrchr(base, '.');
		snprintf(out, sizeof(out), "%.*s.svg",
			 (int)(dot ? dot - base : (long)strlen(base)), base);
	}
	if (strchr(out, '\'')) {
		fprintf(stderr, "%s: bench: %s: no quotes in plot names, please\n",
			prog, out);
		return -1;
	}
	f = open_out(path);
	if (!f)
		return -1;
	/*
	 * One panel per pattern with data: gnuplot refuses to plot nothing.
	 * The data blocks come first; the panels are counted from them.
	 */
	fprintf(f, "# kipc bench: latency and throughput against message size.\n");
	nr_lat = gp_blocks(f, "lat", res, n, BENCH_PINGPONG, lat_names, 64);
	nr_tput = gp_blocks(f, "tput", res, n, BENCH_STREAM, tput_names, 64);
	fprintf(f, "set terminal svg size %d,560 dynamic font 'sans,11'\n"
		"set output '%s'\n",
		(nr_lat && nr_tput) ? 1400 : 760, out);
	if (!nr_lat && !nr_tput) {
		fprintf(f, "unset border\nunset tics\n"
			"set label 'no latency or throughput results' at graph 0.5,0.5 center\n"
			"plot [0:1] [0:1] 2 notitle\n");
		return close_out(f, path);
	}
	fprintf(f, "set multiplot layout 1,%d title 'kipc bench (log-log; sizes as used)'\n"
		"set logscale xy\nset grid\nset key outside right top font ',9'\n"
		"set xtics ('8' 8, '64' 64, '512' 512, "
		"'4K' 4096, '32K' 32768, '256K' 262144, '1M' 1048576)\n"
		"set xlabel 'message size (bytes)'\n", (nr_lat && nr_tput) ? 2 : 1);
	if (nr_lat) {
		fprintf(f, "set title 'pingpong: one-way latency, p50 RTT / 2'\n"
			"set ylabel 'microseconds (lower is better)'\n");
		gp_plot(f, "lat", lat_names, nr_lat);
	}
	if (nr_tput) {
		fprintf(f, "set title 'stream: throughput'\n"
			"set ylabel 'MB/s (higher is better)'\n");
		gp_plot(f, "tput", tput_names, nr_tput);
	}
	fprintf(f, "unset multiplot\n");
	return close_out(f, path);
}
