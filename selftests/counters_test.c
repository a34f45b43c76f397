// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench's kernel counters count: the bench's own counting code
 * (tools/bench/counters.c), pointed at processes whose calls we know,
 * reads what they did. System calls: a child making exactly N getppid()
 * calls reads N, counted from outside (a counter on the child's pid) and
 * from inside (the child counting itself, as the bench's processes do).
 * Context switches: a child that blocks N times in read() switches at
 * least N times, by the perf counter and by getrusage. A counter this
 * kernel lacks must come with a reason, and is never read as zero.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "kselftest_harness.h"

#define N_CALLS		1000
#define N_SWITCHES	100

static void make_getppid_calls(unsigned int n)
{
	while (n--)
		syscall(SYS_getppid);
}

static bool have(const struct counter_support *s, enum bench_counter i)
{
	return s->ok & 1u << i;
}

TEST(every_counter_works_or_says_why)
{
	struct counter_support s;
	int i;

	counters_probe(&s);
	for (i = 0; i < CNT_NR; i++) {
		if (have(&s, i))
			continue;
		EXPECT_NE(0, strlen(s.why[i])) TH_LOG("%s: no reason", counter_names[i]);
		TH_LOG("%s unavailable: %s", counter_names[i], s.why[i]);
	}
	/* Software events exist wherever perf events do. */
	EXPECT_TRUE(have(&s, CNT_CTXSW)) TH_LOG("%s", s.why[CNT_CTXSW]);
	counters_release(&s);
}

TEST(counts_the_system_calls_of_a_child_it_points_at)
{
	struct counter_support s;
	struct bench_counters c;
	struct bench_counts n;
	int go[2], status;
	char byte = 0;
	pid_t pid;

	counters_probe(&s);
	if (!have(&s, CNT_SYSCALLS))
		SKIP(return, "%s", s.why[CNT_SYSCALLS]);
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &byte, 1) != 1)
			_exit(1);
		make_getppid_calls(N_CALLS);
		_exit(0);
	}
	close(go[0]);
	ASSERT_EQ(0, counters_open(&c, &s, pid));
	counters_start(&c);
	ASSERT_EQ(1, write(go[1], &byte, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	counters_stop(&c, &n);
	counters_close(&c);
	close(go[1]);

	ASSERT_TRUE(n.valid & 1u << CNT_SYSCALLS);
	/*
	 * Besides the calls: the read() that let it go (if it was not yet
	 * blocked in it when counting began) and exit_group().
	 */
	EXPECT_LE(N_CALLS, n.perf[CNT_SYSCALLS]);
	EXPECT_GE(N_CALLS + 8, n.perf[CNT_SYSCALLS]);
	TH_LOG("counted %llu system calls for %d getppid()",
	       (unsigned long long)n.perf[CNT_SYSCALLS], N_CALLS);
	counters_release(&s);
}

TEST(a_child_counting_itself_reads_exactly_its_calls)
{
	struct counter_support s;
	struct bench_counts got[2];
	int out[2], status;
	pid_t pid;

	counters_probe(&s);
	if (!have(&s, CNT_SYSCALLS))
		SKIP(return, "%s", s.why[CNT_SYSCALLS]);
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct bench_counters c;
		struct bench_counts n[2];

		if (counters_open(&c, &s, 0))
			_exit(1);
		/* Nothing, then N: the window holds only what is inside it. */
		counters_start(&c);
		counters_stop(&c, &n[0]);
		counters_start(&c);
		make_getppid_calls(N_CALLS);
		counters_stop(&c, &n[1]);
		_exit(write(out[1], n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	close(out[1]);
	ASSERT_EQ(sizeof(got), read(out[0], got, sizeof(got)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(out[0]);

	ASSERT_TRUE(got[0].valid & got[1].valid & 1u << CNT_SYSCALLS);
	EXPECT_EQ(0, got[0].perf[CNT_SYSCALLS]);
	EXPECT_EQ(N_CALLS, got[1].perf[CNT_SYSCALLS]);
	EXPECT_TRUE(got[1].rusage);
	counters_release(&s);
}

TEST(counts_the_switches_of_a_child_that_blocks)
{
	struct counter_support s;
	struct bench_counts n;
	int down[2], up[2], status, i;
	char byte = 0;
	pid_t pid;

	counters_probe(&s);
	if (!have(&s, CNT_CTXSW))
		SKIP(return, "%s", s.why[CNT_CTXSW]);
	ASSERT_EQ(0, pipe(down));
	ASSERT_EQ(0, pipe(up));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct bench_counters c;

		close(down[1]);
		close(up[0]);
		if (counters_open(&c, &s, 0))
			_exit(1);
		counters_start(&c);
		/*
		 * Each read finds the pipe empty: the parent writes only after
		 * the child's byte and a pause, so the child sleeps every time.
		 */
		for (i = 0; i < N_SWITCHES; i++)
			if (write(up[1], &byte, 1) != 1 || read(down[0], &byte, 1) != 1)
				_exit(1);
		counters_stop(&c, &n);
		_exit(write(up[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	close(down[0]);
	close(up[1]);
	for (i = 0; i < N_SWITCHES; i++) {
		ASSERT_EQ(1, read(up[0], &byte, 1));
		usleep(200);	/* let it block first */
		ASSERT_EQ(1, write(down[1], &byte, 1));
	}
	ASSERT_EQ(sizeof(n), read(up[0], &n, sizeof(n)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ASSERT_TRUE(n.valid & 1u << CNT_CTXSW);
	EXPECT_LE(N_SWITCHES, n.perf[CNT_CTXSW]);
	ASSERT_TRUE(n.rusage);
	/*
	 * Voluntary, except when a preemption lands between the child
	 * setting itself to sleep and sleeping: that one is involuntary.
	 */
	EXPECT_LE(N_SWITCHES, n.vcsw + n.ivcsw);
	EXPECT_LE(N_SWITCHES - 5, n.vcsw);
	close(down[1]);
	close(up[0]);
	counters_release(&s);
}

TEST(a_counter_that_is_missing_is_not_read)
{
	struct counter_support none = {
		.ok = 0, .tracepoint = -1, .hold = { -1, -1, -1, -1 },
	};
	struct bench_counters c;
	struct bench_counts n;

	ASSERT_EQ(0, counters_open(&c, &none, 0));
	counters_start(&c);
	make_getppid_calls(10);
	counters_stop(&c, &n);
	counters_close(&c);
	EXPECT_EQ(0, n.valid);
	/* getrusage always works for the process itself. */
	EXPECT_TRUE(n.rusage);
}

TEST_HARNESS_MAIN
