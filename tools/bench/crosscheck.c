// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench --cross-check: right after the bench, on the same machine,
 * run the tools people already trust for the same costs and print their
 * figures beside kipc bench's closest cells. (rt-tests print whole
 * microseconds, so their figures are coarse below a few microseconds.)
 *
 *   perf bench sched pipe   two processes pass an int back and forth over
 *                           two pipes: the mean round trip (linux-perf)
 *   pmqtest                 POSIX message queue wake-up latency between
 *                           two threads, one way (rt-tests)
 *   ptsematest              the same through a POSIX mutex hand-off
 *   sigwaittest -f          a signal between two processes, one way
 *
 * Each tool runs with a bounded loop count under timeout(1), a minute at
 * most (they take seconds; sigwaittest -f has hung under TCG, and as it
 * blocks SIGTERM, -k kills it). A tool that is missing or fails is named with the reason, and the rest go on. The
 * tools measure bare mechanisms; kipc bench's cells also frame, fill and
 * check every message, so a ratio above 1 is expected: how far above is
 * the finding, explained in the README.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bench.h"

struct crosscheck {
	const char *tool;		/* the program, looked up in PATH */
	const char *args;
	const char *what;		/* what its figure is */
	const char *package;		/* where it comes from */
	bool rtt;			/* a round trip, else one way */
	const char *mech;		/* kipc bench's closest cell */
};

static const struct crosscheck checks[] = {
	{ "perf", "bench sched pipe -l 20000", "pipe round trip, processes",
	  "linux-perf", true, "pipe" },
	{ "pmqtest", "-l 2000 -i 100 -q", "POSIX mq wake-up, threads",
	  "rt-tests", false, "posix-mq" },
	{ "ptsematest", "-l 2000 -i 100 -q", "POSIX mutex hand-off, threads",
	  "rt-tests", false, "shm" },
	{ "sigwaittest", "-f -l 2000 -i 100 -q", "signal, processes",
	  "rt-tests", false, "signal" },
};

/* Run @c; its figure in ns (mean, and min if it gives one), or a reason. */
static int run_tool(const struct crosscheck *c, double *mean_ns, double *min_ns,
		    char *why, size_t len)
{
	char cmd[256], line[512];
	bool found = false;
	double v, mn, avg;
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", c->tool);
	if (system(cmd) != 0) {
		snprintf(why, len, "%s is not installed (Debian package %s)",
			 c->tool, c->package);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "timeout -k 5 60 %s %s 2>&1", c->tool, c->args);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(why, len, "cannot run %s", c->tool);
		return -1;
	}
	*min_ns = NAN;
	while (fgets(line, sizeof(line), p)) {
		if (c->rtt && strstr(line, "usecs/op") &&
		    sscanf(line, " %lf", &v) == 1) {
			*mean_ns = v * 1000;
			found = true;
		}
		/* rt-tests: "#1 -> #0, Min    3, Cur    5, Avg   26, Max 2170" */
		if (!c->rtt && strstr(line, "->") && strstr(line, "Min") &&
		    sscanf(strstr(line, "Min"), "Min %lf, Cur %*f, Avg %lf",
			   &mn, &avg) == 2) {
			*mean_ns = avg * 1000;
			*min_ns = mn * 1000;
			found = true;
		}
	}
	status = pclose(p);
	if (!found) {
		snprintf(why, len, "%s %s printed no figure (exit status %d)",
			 c->tool, c->args, WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

/* kipc bench's pingpong cell of @mech at the smallest size that ran. */
static const struct bench_result *closest(const struct bench_result *res,
					  size_t n, const char *mech)
{
	const struct bench_result *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].pattern == BENCH_PINGPONG && !res[i].skip &&
		    !res[i].error && res[i].has_latency &&
		    !strcmp(res[i].mech->name, mech) &&
		    (!best || res[i].size < best->size))
			best = &res[i];
	return best;
}

void report_crosscheck(FILE *f, const struct bench_machine *m,
		       const struct bench_result *res, size_t n)
{
	const struct crosscheck *c;
	const struct bench_result *r;
	double mean, min, perf_rtt = NAN;
	char a[32], b[32], d[32], e[32], sz[32], why[160];
	bool rtt;

	fprintf(f, "\ncross-check: the tools people trust, on this machine "
		"right after the bench\n"
		"  %-12s %-30s %9s %9s   %-22s %9s %9s %7s\n", "tool", "measures",
		"mean", "min", "kipc bench's cell", "mean", "min", "ratio");
	for (c = checks; c < checks + sizeof(checks) / sizeof(*checks); c++) {
		fprintf(stderr, "kipc bench: cross-check: %s %s\n", c->tool, c->args);
		if (run_tool(c, &mean, &min, why, sizeof(why))) {
			fprintf(f, "  %-12s not run: %s\n", c->tool, why);
			continue;
		}
		if (c->rtt)
			perf_rtt = mean;
		fprintf(f, "  %-12s %-30s %9s %9s   ", c->tool, c->what,
			fmt_ns(a, sizeof(a), mean),
			isnan(min) ? "-" : fmt_ns(b, sizeof(b), min));
		r = closest(res, n, c->mech);
		if (!r) {
			fprintf(f, "%s pingpong did not run\n", c->mech);
			continue;
		}
		rtt = c->rtt;
		snprintf(why, sizeof(why), "%s %s %s", c->mech,
			 fmt_size(sz, sizeof(sz), r->size_used),
			 rtt ? "rtt" : "one-way");
		fprintf(f, "%-22s %9s %9s %6.2fx\n", why,
			fmt_ns(d, sizeof(d), rtt ? r->mean_ns : r->mean_ns / 2),
			fmt_ns(e, sizeof(e), rtt ? r->min_ns : r->min_ns / 2),
			(rtt ? r->mean_ns : r->mean_ns / 2) / mean);
	}
	if (!isnan(perf_rtt))
		fprintf(f, "  the header's calibration, perf bench's bare loop "
			"with 1 byte: %s, %.2fx perf's\n",
			fmt_ns(a, sizeof(a), m->pipe_rtt_ns), m->pipe_rtt_ns / perf_rtt);
	fprintf(f, "  how they differ: kipc bench frames, fills and checks every "
		"message (a pipe message is\n"
		"  3 system calls: writev, then two reads); its one-way is half "
		"a round trip between two\n"
		"  processes, each already waiting, while rt-tests time one "
		"wake-up of a thread that slept\n"
		"  100 us (pmqtest, ptsematest: threads; sigwaittest -f: "
		"processes); ptsematest's mutex\n"
		"  stands in for the POSIX semaphores of the shm channel.\n");
}
