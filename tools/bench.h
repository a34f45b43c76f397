/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc bench: the parts of the benchmark and what they share.
 *
 *   bench.c          options, the plan of cells, the run, the exit code
 *   bench_run.c      one cell: fork, warm up, measure, check every byte
 *   bench_payload.c  what a message holds and how the receiver checks it
 *   bench_report.c   the table, JSON, CSV and the gnuplot script
 *   bench_machine.c  what the numbers were measured on
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kipc.h"

enum bench_pattern {
	BENCH_PINGPONG,		/* request, reply of the same size: latency */
	BENCH_STREAM,		/* producers -> one consumer: throughput */
	BENCH_PRIO,		/* stream, random priorities: queues only */
	BENCH_NR_PATTERNS,
};

extern const char *const bench_pattern_names[BENCH_NR_PATTERNS];

/* Priorities the prio pattern draws from: POSIX's MQ_PRIO_MAX on Linux. */
#define BENCH_PRIO_LEVELS	32768

#define BENCH_MAX_SIZES		32

struct bench_config {
	unsigned int patterns;		/* 1 << BENCH_* */
	size_t sizes[BENCH_MAX_SIZES];
	int nr_sizes;
	const char *mechs;		/* comma-separated names, NULL: all */
	unsigned int producers;		/* stream senders */
	unsigned int depth;		/* queue/ring depth, 0: per pattern */
	double duration;		/* seconds measured per cell */
	uint64_t iters;			/* fixed count per round, 0: by duration */
	unsigned int rounds;		/* each cell runs once per round */
	bool progress;			/* progress lines on stderr */
};

struct bench_result {
	enum bench_pattern pattern;
	const struct kipc_chan_info *mech;
	size_t size;			/* asked for */
	size_t size_used;		/* min(size, the mechanism's limit) */
	unsigned int producers;
	unsigned int depth;
	uint64_t iters;			/* measured round trips or messages */
	uint64_t warmup;		/* the same, before measuring */
	bool has_latency;		/* pingpong: the percentiles are set */
	double p50_ns, p90_ns, p99_ns, max_ns;	/* round-trip time */
	double msgs_per_s;		/* one-way messages per second */
	double mb_per_s;		/* payload bytes (10^6) per second */
	double cpu_ns_per_msg;		/* user+sys of every process */
	/* Sums over the rounds; bench_finish_cell() makes the figures. */
	uint64_t *lat;			/* every measured round trip */
	uint64_t nr_lat;
	double busy_ns;			/* time the measured messages took */
	uint64_t measured;		/* one-way messages measured */
	double cpu_ns;			/* CPU of both sides, warm-ups included */
	uint64_t moved;			/* every message, warm-ups included */
	unsigned int rounds;
	const char *skip;		/* why it did not run, or NULL */
	const char *error;		/* why it failed, or NULL */
	char why[160];			/* storage for skip/error */
};

struct bench_machine {
	char cpu[128];
	unsigned int cores;
	char kernel[160];
	char virt[64];			/* "none", "qemu-tcg", "kvm", ... */
	bool tcg;			/* numbers distorted by emulation */
	char module[96];		/* "loaded (ABI 1)" or why not */
	char date[40];
};

/*
 * bench_run.c: run one round of a cell, adding to the sums of @r; then,
 * after the last round, turn the sums into the figures.
 */
void bench_run_cell(const struct bench_config *cfg, struct bench_result *r);
void bench_finish_cell(struct bench_result *r);

/* bench_payload.c */
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

/* bench_machine.c */
void bench_machine_probe(struct bench_machine *m);

/* bench_report.c */
void report_header(FILE *f, const struct bench_machine *m,
		   const struct bench_config *cfg);
void report_table(FILE *f, const struct bench_result *res, size_t n);
void report_kipc_ratios(FILE *f, const struct bench_result *res, size_t n);
void report_skips(FILE *f, const struct bench_result *res, size_t n);
int report_json(const char *path, const struct bench_machine *m,
		const struct bench_config *cfg,
		const struct bench_result *res, size_t n);
int report_csv(const char *path, const struct bench_result *res, size_t n);
/* A gnuplot script with the data inline, drawing @svg. */
int report_gnuplot(const char *path, const char *svg,
		   const struct bench_result *res, size_t n);
/* Human units: "12.3 us", "1.05 ms". */
const char *fmt_ns(char *buf, size_t len, double ns);
const char *fmt_size(char *buf, size_t len, size_t bytes);

#endif /* KIPC_BENCH_H */
