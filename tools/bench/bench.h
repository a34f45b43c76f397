/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc bench: the parts of the benchmark and what they share.
 *
 *   bench.c       options, the plan of cells, the run, the exit code
 *   run.c         one cell in its process group: fork, warm up, measure,
 *                 check every byte, report to the bench
 *   lock.c        the lock pattern: seven locks and holder death
 *   payload.c     what a message holds and how the receiver checks it
 *   counters.c    kernel counters (perf events, getrusage) over a phase
 *   machine.c     what the numbers were measured on, and its calibration
 *   report.c      the text tables and the kipc-against-native ratios
 *   rules.c       the article's rules for choosing, answered
 *   crosscheck.c  perf bench and rt-tests beside the closest cells
 *   export.c      JSON and CSV
 *   plot.c        the gnuplot script (small multiples)
 *   targets.c     kipc's goals against the native mechanisms
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include "kipc.h"
#include "kipc_chan.h"
#include "../subcommands.h"

enum bench_pattern {
	BENCH_PINGPONG,		/* request, reply of the same size: latency */
	BENCH_STREAM,		/* producers -> one consumer: throughput */
	BENCH_PRIO,		/* stream, random priorities: queues only */
	BENCH_LOCK,		/* processes contend for a lock: lock.c */
	BENCH_NR_PATTERNS,
};

extern const char *const bench_pattern_names[BENCH_NR_PATTERNS];

/* Priorities the prio pattern draws from: POSIX's MQ_PRIO_MAX on Linux. */
#define BENCH_PRIO_LEVELS	32768

#define BENCH_MAX_SIZES		32
#define BENCH_MAX_ROUNDS	100
#define BENCH_MAX_PROCS		16	/* lock: contending processes */

/*
 * Rounds of one cell whose results (p50 or rate) differ by more than this
 * factor mark the cell unstable. Rounds of a quiet run differ by 15-20%
 * under TCG; a busy host has made whole rounds 20-50x slower. A factor of
 * 2 is far outside the first and far inside the second.
 */
#define BENCH_UNSTABLE_FACTOR	2.0

/* Kernel counters (counters.c), read per process over its measured phase. */
enum bench_counter {
	CNT_SYSCALLS,		/* raw_syscalls:sys_enter */
	CNT_CTXSW,		/* PERF_COUNT_SW_CONTEXT_SWITCHES */
	CNT_INSTRUCTIONS,	/* PMU only */
	CNT_CYCLES,		/* PMU only */
	CNT_NR,
};

extern const char *const counter_names[CNT_NR];

/* Which counters this machine has (counters_probe), and why not the others. */
struct counter_support {
	unsigned int ok;		/* 1 << CNT_* */
	long tracepoint;		/* id of raw_syscalls:sys_enter, or -1 */
	int hold[CNT_NR];		/* see counters_probe() */
	char why[CNT_NR][160];
};

/* One process's open counters. */
struct bench_counters {
	int fd[CNT_NR];
	pid_t pid;			/* 0: this process, which also gets rusage */
	struct rusage ru0;
};

/* What one or several processes counted over their measured phases. */
struct bench_counts {
	uint64_t perf[CNT_NR];
	unsigned int valid;		/* 1 << CNT_* that every process read */
	bool rusage;			/* the fields below are set */
	uint64_t user_ns, sys_ns;
	uint64_t vcsw, ivcsw;		/* voluntary, involuntary switches */
	uint64_t minflt, majflt;
};

/* Find out which counters work; keeps one of each open until released. */
void counters_probe(struct counter_support *s);
void counters_release(struct counter_support *s);
/* Open @s's counters, disabled, for @pid (0: this process). */
int counters_open(struct bench_counters *c, const struct counter_support *s,
		  pid_t pid);
void counters_start(struct bench_counters *c);
void counters_stop(struct bench_counters *c, struct bench_counts *out);
void counters_close(struct bench_counters *c);
/* Add @x to @sum (or make @sum @x if @first). */
void counts_add(struct bench_counts *sum, const struct bench_counts *x,
		bool first);

struct bench_config {
	unsigned int patterns;		/* 1 << BENCH_* */
	size_t sizes[BENCH_MAX_SIZES];
	int nr_sizes;
	const char *mechs;		/* comma-separated names, NULL: all */
	unsigned int producers;		/* stream senders */
	unsigned int procs[8];		/* lock: contending processes */
	int nr_procs;
	unsigned int depth;		/* queue/ring depth, 0: per pattern */
	unsigned int batch;		/* stream and prio also in batches
					 * of this many (1: not) */
	double duration;		/* seconds measured per cell */
	uint64_t iters;			/* fixed count per round, 0: by duration */
	unsigned int rounds;		/* each cell runs once per round */
	bool progress;			/* progress lines on stderr */
	const struct counter_support *counters;
};

/* Lock: what the next process got when the holder was killed. */
struct cell_death {
	double next_ns;			/* kill to next acquisition, NAN: none */
	char what[96];			/* "the next locker got EOWNERDEAD", ... */
};

/*
 * One cell's results. A lock cell (BENCH_LOCK) uses it too: producers is
 * the number of contending processes, iters and msgs_per_s count
 * acquisitions, lat holds contended hand-offs.
 */
struct bench_result {
	enum bench_pattern pattern;
	const struct kipc_chan_info *mech;
	size_t size;			/* asked for */
	size_t size_used;		/* min(size, the mechanism's limit) */
	unsigned int producers;
	unsigned int depth;
	unsigned int batch;		/* messages per call; 1: one each */
	uint64_t iters;			/* measured round trips or messages */
	uint64_t warmup;		/* the same, before measuring */
	/* Pingpong round-trip times: percentiles and moments of every sample. */
	bool has_latency;
	double p50_ns, p90_ns, p99_ns, max_ns;
	double min_ns, mean_ns, stddev_ns;
	bool low_samples;		/* too few samples for p99 */
	double msgs_per_s;		/* one-way messages per second (mean) */
	double mb_per_s;		/* payload bytes (10^6) per second */
	/* Per one-way message, over the measured phase, every process added. */
	double cpu_ns_per_msg;		/* user + sys */
	double cpu_user_ns_per_msg, cpu_sys_ns_per_msg;
	double ctxsw_vol_per_msg, ctxsw_invol_per_msg;
	double faults_per_msg, majflt_per_msg;
	double per_msg[CNT_NR];		/* valid where counts.valid says */
	/* The rounds, each on its own: shown, not averaged away. */
	double round_p50_ns[BENCH_MAX_ROUNDS];
	double round_rate[BENCH_MAX_ROUNDS];
	double spread;			/* largest / smallest round result */
	bool unstable;			/* spread > BENCH_UNSTABLE_FACTOR */
	/* Sums over the rounds; bench_finish_cell() makes the figures. */
	uint64_t *lat;			/* every measured round trip */
	uint64_t nr_lat;
	double busy_ns;			/* time the measured messages took */
	uint64_t measured;		/* one-way messages measured */
	struct bench_counts counts;
	unsigned int rounds;
	const char *skip;		/* why it did not run, or NULL */
	const char *error;		/* why it failed, or NULL */
	char why[160];			/* storage for skip/error */
	bool has_death;			/* lock: holder death measured */
	struct cell_death death;
};

/* CLOCK_MONOTONIC now, in nanoseconds: every time the bench takes. */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * (uint64_t)NSEC_PER_SEC + ts.tv_nsec;
}

/* Whether counter @i of @r was read (in every process, every round). */
static inline bool result_has(const struct bench_result *r,
			      enum bench_counter i)
{
	return r->rounds && (r->counts.valid & 1u << i);
}

struct bench_machine {
	char cpu[128];
	unsigned int cores;
	char kernel[160];
	char virt[64];			/* "none", "qemu-tcg", "kvm", ... */
	bool tcg;			/* numbers distorted by emulation */
	char module[96];		/* "loaded (ABI 1)" or why not */
	char date[40];
	/* Calibration: what this machine's basic operations cost. */
	double null_syscall_ns;		/* getppid() */
	double pipe_rtt_ns;		/* two processes, one byte each way */
	double memcpy_mb_per_s;		/* 8 MiB copies */
	struct counter_support counters;
};

/*
 * run.c: run one round of a cell, adding to the sums of @r; then,
 * after the last round, turn the sums into the figures.
 */
void bench_run_cell(const struct bench_config *cfg, struct bench_result *r);
void bench_finish_cell(struct bench_result *r);

/* For a cell's leader (run.c): its workers and their counts. */
void cell_die_with(pid_t parent);
pid_t cell_spawn(void);
void cell_kill_workers(void);
void cell_reap_workers(struct bench_result *r, bool leader_counted);
/*
 * A worker's end: stop @bc, close @chan (unless NULL: what a sender's
 * library still holds, zeromq's queue or gRPC's stream, goes out), send
 * its counts to the leader, exit.
 */
void cell_worker_exit(struct bench_counters *bc, struct kipc_chan *chan)
	__attribute__((noreturn));
void cell_set_error(struct bench_result *r, const char *what);

/* lock.c: the locks of the lock pattern. */
struct bench_lock;
/* The @i-th lock, NULL past the last; one by name, or NULL. */
const struct kipc_chan_info *bench_lock_at(size_t i);
const struct kipc_chan_info *bench_lock_info(const char *name);
/* Made by the bench before a cell's leader forks; closed after. */
struct bench_lock *bench_lock_open(const struct kipc_chan_info *kind);
void bench_lock_close(struct bench_lock *l);
/* Acquisitions before measuring, all @procs processes together. */
uint64_t bench_lock_warmup(unsigned int procs);
/* In the leader: one round of @r; with @death, the holder-death test. */
void bench_lock_leader(const struct bench_config *cfg, struct bench_result *r,
		       struct bench_lock *l, bool death, struct cell_death *d);

/* payload.c */
struct bench_check {
	uint32_t producers;
	uint64_t *next_seq;		/* per producer, in-order mechanisms */
	uint8_t *seen;			/* per message, reordering (prio) */
	uint64_t nr_seen;
};

/* Fill @buf with message @seq of @producer, every byte of it. */
void payload_fill(void *buf, size_t size, uint32_t producer, uint64_t seq);
/*
 * Check message @buf of @len bytes (expected @size): its length, header and
 * checksum over every byte, and that it is the next of its producer (or,
 * with @any_order, one not seen before out of @total). 0 if it is right,
 * else -1 with a reason in @why.
 */
int payload_check(struct bench_check *ck, const void *buf, size_t len,
		  size_t size, bool any_order, uint64_t total, char *why,
		  size_t whylen);
int check_init(struct bench_check *ck, uint32_t producers, uint64_t total);
void check_free(struct bench_check *ck);

/* machine.c: the machine, its counters and its calibration. */
void bench_machine_probe(struct bench_machine *m);
/* Which counters work, and what a system call, a switch and a copy cost. */
void bench_machine_calibrate(struct bench_machine *m);

/* targets.c: kipc's goals against the native mechanisms. */
struct bench_target {
	const char *kipc, *native;
	enum bench_pattern pattern;
	size_t size;		/* 0: every size both ran */
	bool batched;		/* the --batch rows, else one per call */
	bool latency;		/* compare p50 (lower is better), else rate */
	double goal;		/* kipc/native must be <= (latency) or >= */
	bool syscalls;		/* instead: kipc's system calls per message
				 * (both processes) must be <= goal; @native
				 * is only the row it is printed beside */
};

extern const struct bench_target bench_targets[];
extern const size_t bench_nr_targets;

/* report.c: the text report. */
void report_header(FILE *f, const struct bench_machine *m,
		   const struct bench_config *cfg);
void report_table(FILE *f, const struct bench_result *res, size_t n);
void report_kipc_ratios(FILE *f, const struct bench_result *res, size_t n);
void report_skips(FILE *f, const struct bench_result *res, size_t n);
int report_json(const char *path, const struct bench_machine *m,
		const struct bench_config *cfg,
		const struct bench_result *res, size_t n);
int report_csv(const char *path, const struct bench_result *res, size_t n);
/* plot.c: a gnuplot script with the data inline, drawing @svg. */
int report_gnuplot(const char *path, const char *svg,
		   const struct bench_machine *m,
		   const struct bench_result *res, size_t n);
/* Human units: "12.3 us", "1.05 ms"; "4 KiB"; "1.23M". */
const char *fmt_ns(char *buf, size_t len, double ns);
const char *fmt_size(char *buf, size_t len, size_t bytes);
const char *fmt_rate(char *buf, size_t len, double v);
/* Lower is better: p50 for pingpong, time per message otherwise. */
double bench_cost(const struct bench_result *r);
/* Ran, measured, and stable enough to rank against others. */
bool bench_rankable(const struct bench_result *r);
const struct bench_result *bench_find(const struct bench_result *res, size_t n,
				      const char *mech, enum bench_pattern pat,
				      size_t size, bool batched);

/* rules.c: the article's rules for choosing, judged on this run. */
void report_rules(FILE *f, const struct bench_config *cfg,
		  const struct bench_result *res, size_t n);

/* crosscheck.c: perf bench and rt-tests beside kipc bench's cells. */
void report_crosscheck(FILE *f, const struct bench_machine *m,
		       const struct bench_result *res, size_t n);

/* export.c: JSON and CSV, and the files they go to. */
FILE *bench_open_out(const char *path);
int bench_close_out(FILE *f, const char *path);

#endif /* KIPC_BENCH_H */
