// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench's plot: a gnuplot script with the data inline, drawing small
 * multiples against message size (log scale).
 *
 *   rows     pingpong one-way latency (p50 / 2), stream throughput,
 *            stream system calls per message, and a last row with the
 *            prio pattern, the lock pattern (acquisitions/s against the
 *            number of processes) and the notes
 *   columns  the article's families: pipes, queues, shared memory,
 *            sockets, notifications (signal, eventfd)
 *
 * Within a panel no colour is used twice, except that a kipc mechanism is
 * drawn in the colour of the native one it mirrors, dashed. Mechanisms
 * with nothing to draw in a panel (eventfd's 0-byte messages, cells that
 * did not run) are named in the notes, and the title says what machine it
 * was and whether QEMU emulated it.
 */
#include <string.h>

#include "bench.h"
#include "../subcommands.h"

static const char *const families[][2] = {
	{ "pipe" }, { "message queue" }, { "shared memory" }, { "socket" },
	{ "RPC" }, { "signal", "eventfd" },
};
#define NR_FAMILIES	(sizeof(families) / sizeof(*families))

static const char *const family_titles[NR_FAMILIES] = {
	"pipes", "message queues", "shared memory", "sockets", "RPC",
	"notifications",
};

static const char *const colours[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
	"#17becf",
};
#define NR_COLOURS	(sizeof(colours) / sizeof(*colours))

enum row { ROW_LATENCY, ROW_THROUGHPUT, ROW_SYSCALLS, ROW_PRIO, NR_ROWS };

static const struct row_info {
	enum bench_pattern pattern;
	const char *title, *ylabel;
	bool logy;
} rows[NR_ROWS] = {
	[ROW_LATENCY] = { BENCH_PINGPONG, "pingpong", "one-way p50, us (lower is better)", true },
	[ROW_THROUGHPUT] = { BENCH_STREAM, "stream", "MB/s (higher is better)", true },
	[ROW_SYSCALLS] = { BENCH_STREAM, "stream", "system calls per message", false },
	[ROW_PRIO] = { BENCH_PRIO, "prio", "messages/s (higher is better)", true },
};

static bool in_family(const struct kipc_chan_info *m, size_t fam)
{
	return !strcmp(m->family, families[fam][0]) ||
	       (families[fam][1] && !strcmp(m->family, families[fam][1]));
}

/* The native mechanism @m mirrors (a kipc one), or @m itself. */
static const struct kipc_chan_info *mirror(const struct kipc_chan_info *m)
{
	size_t i;

	for (i = 0; i < bench_nr_targets; i++)
		if (!strcmp(bench_targets[i].kipc, m->name))
			return kipc_chan_info(bench_targets[i].native);
	return m;
}

/* The colour of @m: its native mechanism's rank in the family. */
static const char *colour_of(const struct kipc_chan_info *m, size_t fam)
{
	const struct kipc_chan_info *native = mirror(m), *o;
	size_t i, rank = 0;

	for (i = 0; (o = kipc_chan_mech_at(i)); i++) {
		if (o == native)
			break;
		if (in_family(o, fam) && mirror(o) == o)
			rank++;
	}
	return colours[rank % NR_COLOURS];
}

/* The value row @row draws for @r, or false if it has none. */
static bool point(enum row row, const struct bench_result *r, double *y)
{
	/* The plot draws one message per call; batches are in the table. */
	if (r->pattern != rows[row].pattern || r->batch > 1 || r->skip ||
	    r->error || !r->iters || !r->size_used)
		return false;
	switch (row) {
	case ROW_LATENCY:
		*y = r->p50_ns / 2 / 1000;
		return r->has_latency;
	case ROW_THROUGHPUT:
		*y = r->mb_per_s;
		return true;
	case ROW_SYSCALLS:
		*y = r->per_msg[CNT_SYSCALLS];
		return result_has(r, CNT_SYSCALLS);
	case ROW_PRIO:
		*y = r->msgs_per_s;
		return true;
	default:
		return false;
	}
}

struct notes {
	char text[4096];
	size_t len;
};

/* Add "@what: @why" as a line of the notes, safe inside a gnuplot string. */
static void note(struct notes *n, const char *what, const char *why)
{
	char line[256], *p;
	int w;

	char text[240];

	/* Screen the text first, then end the line: a cut line still ends. */
	snprintf(text, sizeof(text), "%s: %s", what, why);
	for (p = text; *p; p++)
		if (*p == '"' || *p == '\\')
			*p = '\'';
	snprintf(line, sizeof(line), "%s\\n", text);
	/* Once for all the panels it is missing from. */
	if (strstr(n->text, line) || n->len >= sizeof(n->text) - 1)
		return;
	w = snprintf(n->text + n->len, sizeof(n->text) - n->len, "%s", line);
	if (w > 0)
		n->len += w;
	if (n->len >= sizeof(n->text))
		n->len = sizeof(n->text) - 1;
}

/* Whether the run had @m at all (--mech may leave it out). */
static bool in_run(const struct kipc_chan_info *m,
		   const struct bench_result *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].mech == m)
			return true;
	return false;
}

/* Why @m has nothing in row @row, in a few words. */
static const char *why_empty(const struct kipc_chan_info *m, enum row row,
			     const struct bench_result *res, size_t n)
{
	size_t i;

	if (m->flags & KIPC_CHAN_NOTIFY)
		return "0-byte messages, not on a log axis";
	for (i = 0; i < n; i++)
		if (res[i].mech == m && res[i].pattern == rows[row].pattern &&
		    res[i].skip)
			return res[i].skip;
	return "no result";
}

/*
 * One panel: a data block per mechanism of family @fam with points in
 * row @row, then the plot command. Notes what it could not draw.
 */
static void gp_panel(FILE *f, enum row row, size_t fam,
		     const struct bench_result *res, size_t n, struct notes *nt,
		     bool counted)
{
	const struct kipc_chan_info *m, *drawn[16];
	int nr = 0, k;
	size_t i, j;
	double y;

	for (i = 0; (m = kipc_chan_mech_at(i)) && nr < 16; i++) {
		bool any = false, ran = false;

		if (!in_family(m, fam) || !in_run(m, res, n))
			continue;
		for (j = 0; j < n; j++) {
			if (res[j].mech != m || res[j].pattern != rows[row].pattern ||
			    res[j].batch > 1)
				continue;
			ran = true;
			/* Drawn, but not at every size: say why once. */
			if (res[j].skip && strstr(res[j].skip, "limit") &&
			    !(m->flags & KIPC_CHAN_NOTIFY))
				note(nt, m->name, res[j].skip);
			if (!point(row, &res[j], &y))
				continue;
			if (!any)
				fprintf(f, "$r%df%zum%d << EOD\n", row, fam, nr);
			fprintf(f, "%zu %.6g\n", res[j].size_used, y);
			any = true;
		}
		if (any) {
			fprintf(f, "EOD\n");
			drawn[nr++] = m;
		} else if ((ran || row != ROW_PRIO) &&
			   (counted || row != ROW_SYSCALLS)) {
			note(nt, m->name, why_empty(m, row, res, n));
		}
	}
	fprintf(f, "set title '%s: %s' font ',10'\n", family_titles[fam],
		rows[row].title);
	fprintf(f, "set ylabel '%s' font ',9'\n", fam ? "" : rows[row].ylabel);
	fprintf(f, rows[row].logy ? "set logscale y\n" : "unset logscale y\n"
		"set yrange [0:*]\n");
	if (!nr) {
		fprintf(f, "set label 1 'no data' at graph 0.5,0.5 center\n"
			"plot [1:2] [1:2] NaN notitle\nunset label 1\n"
			"set autoscale y\n");
		return;
	}
	fprintf(f, "plot ");
	for (k = 0; k < nr; k++)
		fprintf(f, "%s$r%df%zum%d using 1:2 with linespoints lw 1.5 "
			"pt %d ps 0.6 lc rgb '%s' dt %d title '%s'",
			k ? ", \\\n     " : "", row, fam, k, k + 4,
			colour_of(drawn[k], fam), mirror(drawn[k]) == drawn[k] ? 1 : 2,
			drawn[k]->name);
	fprintf(f, "\nset autoscale y\n");
}

/*
 * The lock pattern: acquisitions per second against contending processes,
 * a line per lock, kipc's dashed. Its own x axis, restored afterwards.
 */
static void gp_lock_panel(FILE *f, const struct bench_result *res, size_t n)
{
	const struct kipc_chan_info *m, *drawn[16];
	int nr = 0, k;
	size_t i, j;

	for (i = 0; (m = bench_lock_at(i)) && nr < 16; i++) {
		bool any = false;

		for (j = 0; j < n; j++) {
			if (res[j].mech != m || res[j].skip || res[j].error ||
			    !res[j].iters)
				continue;
			if (!any)
				fprintf(f, "$lock%d << EOD\n", nr);
			fprintf(f, "%u %.6g\n", res[j].producers, res[j].msgs_per_s);
			any = true;
		}
		if (any) {
			fprintf(f, "EOD\n");
			drawn[nr++] = m;
		}
	}
	fprintf(f, "set title 'semaphores and locks: lock' font ',10'\n"
		"set ylabel 'acquisitions/s (higher is better)' font ',9'\n"
		"set xlabel 'contending processes' font ',8'\n"
		"set logscale y\nunset logscale x\nset xrange [0.5:*]\n"
		"set xtics 1 font ',8'\n");
	if (!nr) {
		fprintf(f, "set label 1 'no data' at graph 0.5,0.5 center\n"
			"plot [1:2] [1:2] NaN notitle\nunset label 1\n");
	} else {
		fprintf(f, "plot ");
		for (k = 0; k < nr; k++)
			fprintf(f, "%s$lock%d using 1:2 with linespoints lw 1.5 "
				"pt %d ps 0.6 lc rgb '%s' dt %d title '%s'",
				k ? ", \\\n     " : "", k, k + 4,
				colours[k % NR_COLOURS],
				drawn[k]->flags & KIPC_CHAN_KIPC ? 2 : 1,
				drawn[k]->name);
		fputc('\n', f);
	}
	fprintf(f, "set logscale x\nset xrange [5:1600000]\n"
		"set xlabel 'message size, bytes' font ',8'\n"
		"set xtics ('8' 8, '64' 64, '512' 512, '4K' 4096, '32K' 32768, "
		"'256K' 262144, '1M' 1048576) font ',8'\n");
}

/* @s inside a gnuplot double-quoted string: quotes and backslashes go. */
static const char *gp_safe(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = s[i] == '"' || s[i] == '\\' ? '\'' : s[i];
	buf[i] = '\0';
	return buf;
}

static void gp_title(FILE *f, const struct bench_machine *m)
{
	char cpu[sizeof(m->cpu)], kernel[sizeof(m->kernel)], virt[sizeof(m->virt)];

	fprintf(f, "set multiplot layout %d,%zu title \"kipc bench: %s, %u cores, "
		"%s, virtualization %s%s\" font ',13'\n", NR_ROWS, NR_FAMILIES,
		gp_safe(cpu, sizeof(cpu), m->cpu), m->cores,
		gp_safe(kernel, sizeof(kernel), m->kernel),
		gp_safe(virt, sizeof(virt), m->virt),
		m->tcg ? "\\nQEMU TCG emulates this CPU: absolute times are "
		"distorted; compare mechanisms within this run" : "");
}

int report_gnuplot(const char *path, const char *svg,
		   const struct bench_machine *mach,
		   const struct bench_result *res, size_t n)
{
	char out[4096];
	const char *base, *dot;
	bool counted = mach->counters.ok & 1u << CNT_SYSCALLS;
	struct notes nt = { .len = 0 };
	size_t fam;
	int row;
	FILE *f;

	if (svg) {
		snprintf(out, sizeof(out), "%s", svg);
	} else {
		/*
		 * Named after the script, x.gp draws x.svg; without a
		 * directory, so that it lands beside the script when gnuplot
		 * runs there (as make bench does) and wherever it is run.
		 */
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		dot = strrchr(base, '.');
		snprintf(out, sizeof(out), "%.*s.svg",
			 (int)(dot ? dot - base : (long)strlen(base)), base);
	}
	if (strpbrk(out, "'\\")) {
		fprintf(stderr, "%s: bench: %s: no quotes or backslashes in plot "
			"names, please\n", prog, out);
		return -1;
	}
	f = bench_open_out(path);
	if (!f)
		return -1;
	fprintf(f, "# kipc bench: small multiples against message size.\n"
		"# Set 'out' (gnuplot -e \"out='x.png'\") for a PNG instead.\n"
		"if (!exists('out')) out = '%s'\n"
		"if (out[strlen(out)-2:] eq 'png') "
		"set terminal pngcairo size 2000,1500 font 'sans,10'; "
		"else set terminal svg size 2000,1500 dynamic font 'sans,10'\n"
		"set output out\n", out);
	gp_title(f, mach);
	fprintf(f, "set logscale x\nset xrange [5:1600000]\nset grid\nset key top left font ',8' "
		"samplen 3 spacing 0.9 opaque\n"
		"set xtics ('8' 8, '64' 64, '512' 512, '4K' 4096, '32K' 32768, "
		"'256K' 262144, '1M' 1048576) font ',8'\n"
		"set xlabel 'message size, bytes' font ',8'\n");
	if (!counted)
		note(&nt, "system calls", mach->counters.why[CNT_SYSCALLS]);
	for (row = 0; row < NR_ROWS; row++) {
		if (row == ROW_PRIO) {
			gp_panel(f, row, 1, res, n, &nt, counted);
			gp_lock_panel(f, res, n);
			break;
		}
		for (fam = 0; fam < NR_FAMILIES; fam++)
			gp_panel(f, row, fam, res, n, &nt, counted);
	}
	/* The rest of the last row: the notes, as text. */
	fprintf(f, "unset title\nunset xlabel\nunset ylabel\nunset border\n"
		"unset tics\nunset grid\nunset key\nunset logscale\n"
		"set label 2 \"dashed: kipc's own mechanism, in the colour of "
		"the native one it mirrors (locks: kipc's dashed)\\n\\nnot drawn, or not at every "
		"size:\\n%s\" at screen 0.43,0.23 "
		"left font ',9'\nplot [0:1] [0:1] NaN notitle\n"
		"unset multiplot\n", nt.len ? nt.text : "nothing\\n");
	return bench_close_out(f, path);
}
