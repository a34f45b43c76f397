// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench's machine-readable results: JSON (every figure of every
 * cell, the rounds one by one, the machine and its calibration, and why
 * each unavailable counter is) and CSV (one line per cell, the same
 * figures). A figure that was not measured is null in JSON and empty in
 * CSV, never 0.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "bench.h"
#include "../subcommands.h"

FILE *bench_open_out(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		fprintf(stderr, "%s: bench: %s: %s\n", prog, path, strerror(errno));
	return f;
}

int bench_close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "%s: bench: writing %s failed\n", prog, path);
		return -1;
	}
	return 0;
}

/*
 * The figures of a cell, in the order of the CSV columns: each with its
 * JSON key, whether it was measured, and how to print it.
 */
struct figure {
	const char *key;
	double v;
	bool valid;
};

#define FIGURES_MAX	32

static size_t cell_figures(const struct bench_result *r, struct figure *fig)
{
	bool ok = !r->skip && !r->error && r->rounds, lat = ok && r->has_latency;
	bool pp = r->pattern == BENCH_PINGPONG;
	size_t n = 0;

#define FIG(k, value, is_valid) \
	(fig[n++] = (struct figure){ (k), (value), (is_valid) })
	FIG("p50_ns", r->p50_ns, lat);
	FIG("p90_ns", r->p90_ns, lat);
	FIG("p99_ns", r->p99_ns, lat);
	FIG("max_ns", r->max_ns, lat);
	FIG("min_ns", r->min_ns, lat);
	FIG("mean_ns", r->mean_ns, lat);
	FIG("stddev_ns", r->stddev_ns, lat);
	FIG("oneway_p50_ns", r->p50_ns / 2, lat);
	FIG("msgs_per_s", r->msgs_per_s, ok);
	FIG("mb_per_s", r->mb_per_s, ok);
	FIG("cpu_ns_per_msg", r->cpu_ns_per_msg, ok);
	FIG("cpu_user_ns_per_msg", r->cpu_user_ns_per_msg, ok);
	FIG("cpu_sys_ns_per_msg", r->cpu_sys_ns_per_msg, ok);
	FIG("syscalls_per_msg", r->per_msg[CNT_SYSCALLS],
	    ok && result_has(r, CNT_SYSCALLS));
	FIG("syscalls_per_rtt", 2 * r->per_msg[CNT_SYSCALLS],
	    ok && pp && result_has(r, CNT_SYSCALLS));
	FIG("ctxsw_per_msg", r->per_msg[CNT_CTXSW], ok && result_has(r, CNT_CTXSW));
	FIG("ctxsw_per_rtt", 2 * r->per_msg[CNT_CTXSW],
	    ok && pp && result_has(r, CNT_CTXSW));
	FIG("ctxsw_voluntary_per_msg", r->ctxsw_vol_per_msg, ok);
	FIG("ctxsw_involuntary_per_msg", r->ctxsw_invol_per_msg, ok);
	FIG("faults_per_msg", r->faults_per_msg, ok);
	FIG("major_faults_per_msg", r->majflt_per_msg, ok);
	FIG("instructions_per_msg", r->per_msg[CNT_INSTRUCTIONS],
	    ok && result_has(r, CNT_INSTRUCTIONS));
	FIG("cycles_per_msg", r->per_msg[CNT_CYCLES],
	    ok && result_has(r, CNT_CYCLES));
	FIG("round_spread", r->spread, ok);
	FIG("holder_death_next_ns", r->death.next_ns, r->has_death);
#undef FIG
	return n;
}

/*
 * "@key": @v after @sep; times in ns with one decimal (RTT/2 stays
 * exact), the rest in full, null where nothing was measured.
 */
static void json_member(FILE *f, const char *key, double v, bool valid,
			const char *sep)
{
	if (!valid || !isfinite(v))
		fprintf(f, "%s\"%s\": null", sep, key);
	else if (strstr(key, "_ns"))
		fprintf(f, "%s\"%s\": %.1f", sep, key, v);
	else
		fprintf(f, "%s\"%s\": %.17g", sep, key, v);
}

static void json_num(FILE *f, const char *key, double v, bool valid)
{
	json_member(f, key, v, valid, ", ");
}

static void json_rounds(FILE *f, const char *key, const double *v,
			const struct bench_result *r, bool valid)
{
	unsigned int i;

	fprintf(f, ", \"%s\": [", key);
	for (i = 0; valid && i < r->rounds; i++)
		fprintf(f, "%s%.17g", i ? ", " : "", v[i]);
	fputc(']', f);
}

static void json_result(FILE *f, const struct bench_result *r)
{
	struct figure fig[FIGURES_MAX];
	bool ok = !r->error && r->rounds;
	size_t i, nr = cell_figures(r, fig);

	fprintf(f, "    {\"pattern\": \"%s\", \"mech\": ",
		bench_pattern_names[r->pattern]);
	fput_json_string(f, r->mech->name);
	fprintf(f, ", \"family\": ");
	fput_json_string(f, r->mech->family);
	fprintf(f, ", \"size\": %zu, \"size_used\": %zu, \"producers\": %u, "
		"\"depth\": %u, \"batch\": %u, \"rounds\": %u, \"iters\": %llu, "
		"\"warmup\": %llu, \"samples\": %llu",
		r->size, r->size_used, r->producers, r->depth, r->batch, r->rounds,
		(unsigned long long)r->iters, (unsigned long long)r->warmup,
		(unsigned long long)(ok ? r->nr_lat : 0));
	for (i = 0; i < nr; i++)
		json_num(f, fig[i].key, fig[i].v, fig[i].valid);
	if (r->pattern == BENCH_LOCK) {
		fprintf(f, ", \"procs\": %u, \"holder_death\": ", r->producers);
		if (r->has_death)
			fput_json_string(f, r->death.what);
		else
			fputs("null", f);
	}
	fprintf(f, ", \"low_samples\": %s, \"unstable\": %s",
		ok && r->low_samples ? "true" : "false",
		ok && r->unstable ? "true" : "false");
	json_rounds(f, "rounds_p50_ns", r->round_p50_ns, r, ok && r->has_latency);
	json_rounds(f, "rounds_msgs_per_s", r->round_rate, r, ok);
	fprintf(f, ", \"error\": ");
	if (r->error)
		fput_json_string(f, r->error);
	else
		fputs("null", f);
	fputc('}', f);
}

static void json_machine(FILE *f, const struct bench_machine *m)
{
	int i;

	fprintf(f, "  \"machine\": {\"cpu\": ");
	fput_json_string(f, m->cpu);
	fprintf(f, ", \"cores\": %u, \"kernel\": ", m->cores);
	fput_json_string(f, m->kernel);
	fprintf(f, ", \"virt\": ");
	fput_json_string(f, m->virt);
	fprintf(f, ", \"tcg\": %s, \"module\": ", m->tcg ? "true" : "false");
	fput_json_string(f, m->module);
	/* A calibration that failed (0) is null, not a measurement. */
	fprintf(f, ",\n    \"calibration\": {");
	json_member(f, "null_syscall_ns", m->null_syscall_ns,
		    m->null_syscall_ns > 0, "");
	json_member(f, "pipe_rtt_ns", m->pipe_rtt_ns, m->pipe_rtt_ns > 0, ", ");
	json_member(f, "memcpy_mb_per_s", m->memcpy_mb_per_s,
		    m->memcpy_mb_per_s > 0, ", ");
	fprintf(f, "},\n    \"counters\": {");
	/* Each counter: null if it works, else why it does not. */
	for (i = 0; i < CNT_NR; i++) {
		fprintf(f, "%s", i ? ", " : "");
		fput_json_string(f, counter_names[i]);
		fprintf(f, ": ");
		if (m->counters.ok & 1u << i)
			fputs("null", f);
		else
			fput_json_string(f, m->counters.why[i]);
	}
	fprintf(f, "}},\n");
}

int report_json(const char *path, const struct bench_machine *m,
		const struct bench_config *cfg,
		const struct bench_result *res, size_t n)
{
	FILE *f = bench_open_out(path);
	const char *sep = "";
	size_t i;
	int p;

	if (!f)
		return -1;
	fprintf(f, "{\n  \"kipc_bench\": 1,\n  \"date\": \"%s\",\n", m->date);
	json_machine(f, m);
	fprintf(f, "  \"config\": {\"patterns\": [");
	for (p = 0; p < BENCH_NR_PATTERNS; p++)
		if (cfg->patterns & 1u << p) {
			fprintf(f, "%s\"%s\"", sep, bench_pattern_names[p]);
			sep = ", ";
		}
	fprintf(f, "], \"sizes\": [");
	for (p = 0; p < cfg->nr_sizes; p++)
		fprintf(f, "%s%zu", p ? ", " : "", cfg->sizes[p]);
	fprintf(f, "], \"producers\": %u, \"batch\": %u, \"duration_s\": %.6g, "
		"\"iters\": %llu, \"rounds\": %u, \"unstable_factor\": %.6g},\n",
		cfg->producers, cfg->batch, cfg->duration, (unsigned long long)cfg->iters, cfg->rounds,
		BENCH_UNSTABLE_FACTOR);
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
	return bench_close_out(f, path);
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
	static const struct bench_result no_result;
	struct figure fig[FIGURES_MAX];
	FILE *f = bench_open_out(path);
	size_t i, k, nr;

	if (!f)
		return -1;
	fprintf(f, "pattern,mech,family,size,size_used,producers,depth,batch,"
		"rounds,iters,warmup,samples");
	nr = cell_figures(&no_result, fig);
	for (k = 0; k < nr; k++)
		fprintf(f, ",%s", fig[k].key);
	fprintf(f, ",low_samples,unstable,holder_death,status\n");
	for (i = 0; i < n; i++) {
		const struct bench_result *r = &res[i];
		bool ok = !r->skip && !r->error && r->rounds;

		fprintf(f, "%s,%s,", bench_pattern_names[r->pattern], r->mech->name);
		csv_text(f, r->mech->family);
		fprintf(f, ",%zu,%zu,%u,%u,%u,%u,%llu,%llu,%llu", r->size,
			r->size_used, r->producers, r->depth, r->batch, r->rounds,
			(unsigned long long)r->iters,
			(unsigned long long)r->warmup,
			(unsigned long long)(ok ? r->nr_lat : 0));
		nr = cell_figures(r, fig);
		for (k = 0; k < nr; k++)
			if (fig[k].valid && isfinite(fig[k].v))
				fprintf(f, ",%.6g", fig[k].v);
			else
				fputc(',', f);
		fprintf(f, ",%d,%d,", ok && r->low_samples, ok && r->unstable);
		if (r->has_death)
			csv_text(f, r->death.what);
		fputc(',', f);
		if (ok)
			fputs("ok", f);
		else
			csv_text(f, r->skip ? r->skip : r->error ? r->error :
				 "not run");
		fputc('\n', f);
	}
	return bench_close_out(f, path);
}
