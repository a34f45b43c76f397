// SPDX-License-Identifier: GPL-2.0
/*
 * What kipc's own mechanisms aim at against the native mechanism each one
 * mirrors, measured in the same run: the one place these goals are kept.
 * The report prints each with the ratio it found and whether it was met.
 */
#include "bench.h"

const struct bench_target bench_targets[] = {
	{ "kipc-pipe", "pipe", BENCH_STREAM, 65536, false, false, 1.0, false },
	{ "kipc-pipe", "pipe", BENCH_PINGPONG, 64, false, true, 1.0, false },
	{ "kipc-mq", "posix-mq", BENCH_PINGPONG, 64, false, true, 1.0, false },
	{ "kipc-mq", "posix-mq", BENCH_PRIO, 64, false, false, 1.0, false },
	{ "kipc-mq", "posix-mq", BENCH_PRIO, 64, true, false, 1.5, false },
	{ "kipc-shm", "shm", BENCH_PINGPONG, 0, false, true, 1.0, false },
	{ "kipc-shm", "shm", BENCH_STREAM, 0, false, false, 1.0, false },
	/* The mapped ring: faster than every native mechanism on its turf. */
	{ "kipc-ring", "pipe", BENCH_STREAM, 64, false, false, 10.0, false },
	{ "kipc-ring", "shm", BENCH_STREAM, 64, false, false, 1.2, false },
	{ "kipc-ring", "shm", BENCH_STREAM, 65536, false, false, 1.0, false },
	{ "kipc-ring", "pipe", BENCH_PINGPONG, 64, false, true, 1.0, false },
	{ "kipc-ring", "pipe", BENCH_STREAM, 64, false, false, 0.05, true },
};

const size_t bench_nr_targets = sizeof(bench_targets) / sizeof(*bench_targets);
