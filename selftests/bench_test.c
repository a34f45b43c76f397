// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench, as a smoke test: --quick runs every mechanism and writes
 * JSON that a strict parser accepts, with a result for every mechanism
 * (kipc's too when the module is loaded, else a reason), sane numbers
 * (percentiles in order, one-way = RTT/2, sizes within the limits, rates
 * and CPU above zero), the table on stdout, the exit codes and the
 * refusals (several senders on a byte stream; bad options).
 *
 * Runs the tool at KIPC_BIN (see tool.h).
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "json.h"
#include "kipc.h"
#include "kselftest_harness.h"
#include "tool.h"

#define JSON_PATH	"/tmp/kipc-bench-test.json"
#define CSV_PATH	"/tmp/kipc-bench-test.csv"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (len = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET)) {
		buf = calloc(1, len + 1);
		if (buf && fread(buf, 1, len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* A number member; NAN if it is missing, null or not a number. */
static double json_num(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);

	return m && m->type == JSON_NUMBER ? strtod(m->text, NULL) : NAN;
}

static bool json_is_null(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);

	return m && m->type == JSON_NULL;
}

static bool module_loaded(void)
{
	return access(KIPC_DEVICE_PATH, F_OK) == 0;
}

/* Parse the bench's JSON file into @root, failing the test if it is bad. */
#define LOAD_JSON(root) do {						\
	char *text_ = slurp(JSON_PATH);					\
	const char *why_ = NULL;					\
	ASSERT_NE(NULL, text_);						\
	ASSERT_EQ(0, json_parse(text_, root, &why_))			\
		TH_LOG("bad JSON: %s", why_);				\
	free(text_);							\
} while (0)

static const struct json *find_result(const struct json *results,
				      const char *pattern, const char *mech)
{
	size_t i;

	for (i = 0; i < results->n; i++) {
		const char *p = json_str(&results->items[i], "pattern");
		const char *m = json_str(&results->items[i], "mech");

		if (p && m && !strcmp(p, pattern) && !strcmp(m, mech))
			return &results->items[i];
	}
	return NULL;
}

static const char *skip_reason(const struct json *skipped, const char *mech)
{
	size_t i;

	for (i = 0; i < skipped->n; i++) {
		const char *m = json_str(&skipped->items[i], "mech");

		if (m && !strcmp(m, mech))
			return json_str(&skipped->items[i], "reason");
	}
	return NULL;
}

/*
 * A counter is a number, or null where the machine says why it has none:
 * never a silent zero for something that was not read.
 */
static void check_counter(struct __test_metadata *_metadata,
			  const struct json *machine, const struct json *r,
			  const char *key, const char *counter)
{
	const struct json *why = json_get(json_get(machine, "counters"), counter);
	const char *name = json_str(r, "mech");

	ASSERT_NE(NULL, why) TH_LOG("machine.counters has no '%s'", counter);
	if (why->type == JSON_NULL) {
		EXPECT_FALSE(json_is_null(r, key)) TH_LOG("%s: %s", name, key);
		EXPECT_GE(json_num(r, key), 0) TH_LOG("%s: %s", name, key);
	} else {
		EXPECT_TRUE(json_is_null(r, key)) TH_LOG("%s: %s", name, key);
	}
}

static void check_counters(struct __test_metadata *_metadata,
			   const struct json *machine, const struct json *r)
{
	double user = json_num(r, "cpu_user_ns_per_msg");
	double sys = json_num(r, "cpu_sys_ns_per_msg");

	check_counter(_metadata, machine, r, "syscalls_per_msg", "system calls");
	check_counter(_metadata, machine, r, "ctxsw_per_msg", "context switches");
	check_counter(_metadata, machine, r, "instructions_per_msg", "instructions");
	check_counter(_metadata, machine, r, "cycles_per_msg", "cycles");
	/* getrusage is always there. */
	EXPECT_GE(json_num(r, "faults_per_msg"), 0);
	EXPECT_GE(json_num(r, "ctxsw_voluntary_per_msg"), 0);
	EXPECT_GE(json_num(r, "ctxsw_involuntary_per_msg"), 0);
	ASSERT_GE(user, 0);
	ASSERT_GE(sys, 0);
	EXPECT_GE(1.0, fabs(user + sys - json_num(r, "cpu_ns_per_msg")));
}

/* Each round is kept: one figure per round, their spread, the verdict. */
static void check_rounds(struct __test_metadata *_metadata, const struct json *r)
{
	const struct json *rates = json_get(r, "rounds_msgs_per_s");
	const struct json *p50s = json_get(r, "rounds_p50_ns");
	const struct json *unstable = json_get(r, "unstable");
	double spread = json_num(r, "round_spread");

	ASSERT_NE(NULL, rates);
	ASSERT_NE(NULL, p50s);
	ASSERT_NE(NULL, unstable);
	EXPECT_EQ(json_uint(r, "rounds"), rates->n);
	if (!strcmp(json_str(r, "pattern"), "pingpong")) {
		EXPECT_EQ(json_uint(r, "rounds"), p50s->n);
	} else {
		EXPECT_EQ(0, p50s->n);
	}
	EXPECT_LE(1.0, spread);
	ASSERT_EQ(JSON_BOOL, unstable->type);
	EXPECT_EQ(spread > 2.0, unstable->boolean);
}

/* Moments and extremes of the round trips agree with the percentiles. */
static void check_moments(struct __test_metadata *_metadata, const struct json *r)
{
	double min = json_num(r, "min_ns"), mean = json_num(r, "mean_ns");
	const struct json *low = json_get(r, "low_samples");
	uint64_t samples = json_uint(r, "samples");

	EXPECT_LT(0, min);
	EXPECT_LE(min, json_num(r, "p50_ns"));
	EXPECT_LE(min, mean);
	EXPECT_GE(json_num(r, "max_ns"), mean);
	EXPECT_LE(0, json_num(r, "stddev_ns"));
	EXPECT_EQ(json_uint(r, "iters"), samples);
	ASSERT_NE(NULL, low);
	ASSERT_EQ(JSON_BOOL, low->type);
	EXPECT_EQ(samples < 100, low->boolean);
}

/* Under QEMU TCG a quick run takes a while: more than the default 30 s. */
FIXTURE(bench) {
	int unused;
};

FIXTURE_SETUP(bench)
{
	unlink(JSON_PATH);
}

FIXTURE_TEARDOWN(bench)
{
	unlink(JSON_PATH);
	unlink(CSV_PATH);
}

TEST_F_TIMEOUT(bench, quick_run_covers_every_mechanism, 600)
{
	const struct kipc_chan_info *mech;
	const struct json *machine, *results, *skipped, *r;
	struct json root;
	struct run run;
	size_t i;

	ASSERT_EQ(0, RUN(&run, "bench", "--quick", "--json", JSON_PATH,
			 "--csv", CSV_PATH))
		TH_LOG("stderr: %s", run.err);
	EXPECT_NE(NULL, strstr(run.out, "pingpong, 64 B"));
	EXPECT_NE(NULL, strstr(run.out, "machine: "));
	LOAD_JSON(&root);

	EXPECT_EQ(1, json_uint(&root, "kipc_bench"));
	machine = json_get(&root, "machine");
	ASSERT_NE(NULL, machine);
	EXPECT_NE(NULL, json_str(machine, "cpu"));
	EXPECT_NE(NULL, json_str(machine, "kernel"));
	EXPECT_NE(NULL, json_str(machine, "virt"));
	EXPECT_LT(0, json_uint(machine, "cores"));
	results = json_get(&root, "results");
	skipped = json_get(&root, "skipped");
	ASSERT_NE(NULL, results);
	ASSERT_NE(NULL, skipped);
	ASSERT_EQ(JSON_ARRAY, results->type);

	/* Every mechanism ran both patterns, or says why it did not. */
	for (i = 0; (mech = kipc_chan_mech_at(i)); i++) {
		bool absent = mech->flags & KIPC_CHAN_KIPC && !module_loaded();

		r = find_result(results, "pingpong", mech->name);
		if (absent) {
			EXPECT_EQ(NULL, r);
			EXPECT_NE(NULL, skip_reason(skipped, mech->name))
				TH_LOG("%s: no reason given", mech->name);
			continue;
		}
		EXPECT_NE(NULL, r) TH_LOG("%s: no pingpong result", mech->name);
		EXPECT_NE(NULL, find_result(results, "stream", mech->name))
			TH_LOG("%s: no stream result", mech->name);
		if (mech->flags & KIPC_CHAN_PRIO)
			EXPECT_NE(NULL, find_result(results, "prio", mech->name))
				TH_LOG("%s: no prio result", mech->name);
	}

	for (i = 0; i < results->n; i++) {
		const char *pattern, *name;
		double p50, p90, p99, max;

		r = &results->items[i];
		pattern = json_str(r, "pattern");
		name = json_str(r, "mech");
		ASSERT_NE(NULL, pattern);
		ASSERT_NE(NULL, name);
		EXPECT_TRUE(json_is_null(r, "error"))
			TH_LOG("%s %s: %s", pattern, name, json_str(r, "error"));
		if (!strcmp(pattern, "lock")) {
			/* Locks move no data; the lock test looks closer. */
			EXPECT_LT(0, json_uint(r, "procs"));
			EXPECT_GT(json_num(r, "msgs_per_s"), 0) TH_LOG("%s", name);
			check_counters(_metadata, machine, r);
			continue;
		}
		EXPECT_LE(json_uint(r, "size_used"), json_uint(r, "size"));
		EXPECT_LE(json_uint(r, "size_used"), kipc_chan_limit(name));
		EXPECT_LT(0, json_uint(r, "iters"));
		EXPECT_LT(0, json_uint(r, "warmup"));
		EXPECT_GT(json_num(r, "msgs_per_s"), 0) TH_LOG("%s", name);
		EXPECT_GT(json_num(r, "cpu_ns_per_msg"), 0) TH_LOG("%s", name);
		EXPECT_GE(json_num(r, "mb_per_s"), 0);
		check_counters(_metadata, machine, r);
		check_rounds(_metadata, r);
		if (strcmp(pattern, "pingpong")) {
			EXPECT_TRUE(json_is_null(r, "p50_ns"));
			EXPECT_TRUE(json_is_null(r, "mean_ns"));
			EXPECT_TRUE(json_is_null(r, "syscalls_per_rtt"));
			continue;
		}
		p50 = json_num(r, "p50_ns");
		p90 = json_num(r, "p90_ns");
		p99 = json_num(r, "p99_ns");
		max = json_num(r, "max_ns");
		EXPECT_GT(p50, 0) TH_LOG("%s", name);
		EXPECT_LE(p50, p90);
		EXPECT_LE(p90, p99);
		EXPECT_LE(p99, max);
		EXPECT_GE(0.05, fabs(p50 / 2 - json_num(r, "oneway_p50_ns")));
		check_moments(_metadata, r);
	}
	json_free(&root);
	EXPECT_EQ(0, access(CSV_PATH, R_OK));
}

TEST_F_TIMEOUT(bench, many_producers_on_queues_and_refused_on_streams, 300)
{
	const struct json *results, *skipped, *r;
	struct json root;
	struct run run;
	const char *why;

	ASSERT_EQ(0, RUN(&run, "bench", "--pattern", "stream", "--producers",
			 "3", "--mech", "posix-mq,unix-stream,shm", "--sizes",
			 "64", "--iters", "50", "--rounds", "2", "--json",
			 JSON_PATH))
		TH_LOG("stderr: %s", run.err);
	LOAD_JSON(&root);
	results = json_get(&root, "results");
	skipped = json_get(&root, "skipped");
	ASSERT_NE(NULL, results);
	ASSERT_NE(NULL, skipped);

	/* 50 messages a round split over 3 producers: 17 each, twice. */
	r = find_result(results, "stream", "posix-mq");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(3, json_uint(r, "producers"));
	EXPECT_EQ(2, json_uint(r, "rounds"));
	EXPECT_EQ(102, json_uint(r, "iters"));
	r = find_result(results, "stream", "shm");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(102, json_uint(r, "iters"));

	EXPECT_EQ(NULL, find_result(results, "stream", "unix-stream"));
	why = skip_reason(skipped, "unix-stream");
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "interleave")) TH_LOG("reason: %s", why);
	EXPECT_NE(NULL, strstr(run.out, "unix-stream"));
	json_free(&root);
}

/*
 * The counters explain a pipe round trip: the channel frames each message
 * with a writev and reads it with two reads, so a round trip takes at
 * least two writes and two reads, and each side sleeps once per message.
 */
TEST_F_TIMEOUT(bench, pipe_pingpong_counts_its_system_calls, 300)
{
	const struct json *machine, *results, *r, *why;
	struct json root;
	struct run run;
	double rtt;

	ASSERT_EQ(0, RUN(&run, "bench", "--pattern", "pingpong", "--mech",
			 "pipe", "--sizes", "64", "--iters", "200", "--rounds",
			 "1", "--json",
			 JSON_PATH))
		TH_LOG("stderr: %s", run.err);
	EXPECT_NE(NULL, strstr(run.out, "syscalls"));
	EXPECT_NE(NULL, strstr(run.out, "calibration: null system call"));
	LOAD_JSON(&root);
	machine = json_get(&root, "machine");
	results = json_get(&root, "results");
	ASSERT_NE(NULL, machine);
	ASSERT_NE(NULL, results);
	EXPECT_LT(0, json_num(json_get(machine, "calibration"), "null_syscall_ns"));
	EXPECT_LT(0, json_num(json_get(machine, "calibration"), "pipe_rtt_ns"));
	EXPECT_LT(0, json_num(json_get(machine, "calibration"), "memcpy_mb_per_s"));
	r = find_result(results, "pingpong", "pipe");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(200, json_uint(r, "samples"));
	why = json_get(json_get(machine, "counters"), "system calls");
	ASSERT_NE(NULL, why);
	if (why->type != JSON_NULL) {
		json_free(&root);
		SKIP(return, "no system call counter: %s", json_str(json_get(machine, "counters"), "system calls"));
	}
	rtt = json_num(r, "syscalls_per_rtt");
	EXPECT_LE(4, rtt);
	/* 2 x (writev + 2 reads), with a little slack for a wake-up retry. */
	EXPECT_GE(8, rtt);
	EXPECT_GE(0.01, fabs(rtt - 2 * json_num(r, "syscalls_per_msg")));
	EXPECT_LE(1.0, json_num(r, "ctxsw_per_rtt"));
	json_free(&root);
}

static const struct json *find_batch(const struct json *results,
				     const char *pattern, const char *mech,
				     unsigned int batch)
{
	size_t i;

	for (i = 0; i < results->n; i++) {
		const struct json *r = &results->items[i];
		const char *p = json_str(r, "pattern");
		const char *m = json_str(r, "mech");

		if (p && m && !strcmp(p, pattern) && !strcmp(m, mech) &&
		    json_uint(r, "batch") == batch)
			return r;
	}
	return NULL;
}

/*
 * --batch adds stream and prio rows of their own, and a mechanism with
 * batch calls needs fewer system calls per message in them; one without
 * (posix-mq: a loop) does not.
 */
TEST_F_TIMEOUT(bench, batches_are_rows_of_their_own, 300)
{
	const char *mechs = module_loaded() ? "unix-dgram,posix-mq,kipc-mq" :
					      "unix-dgram,posix-mq";
	const struct json *results, *r;
	struct json root;
	struct run run;
	bool counted;

	ASSERT_EQ(0, RUN(&run, "bench", "--pattern", "stream,prio", "--mech",
			 mechs, "--sizes", "64", "--iters", "640", "--rounds",
			 "1", "--batch", "32", "--json", JSON_PATH))
		TH_LOG("stderr: %s", run.err);
	EXPECT_NE(NULL, strstr(run.out, "stream, 64 B, batches of 32"));
	EXPECT_NE(NULL, strstr(run.out, "prio, 64 B, batches of 32"));
	LOAD_JSON(&root);
	results = json_get(&root, "results");
	ASSERT_NE(NULL, results);
	EXPECT_EQ(32, json_uint(json_get(&root, "config"), "batch"));
	r = find_batch(results, "stream", "unix-dgram", 1);
	ASSERT_NE(NULL, r);
	counted = !json_is_null(r, "syscalls_per_msg");
	if (counted)
		EXPECT_LE(2.0, json_num(r, "syscalls_per_msg"));
	r = find_batch(results, "stream", "unix-dgram", 32);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(640, json_uint(r, "iters"));
	if (counted)
		EXPECT_GT(1.0, json_num(r, "syscalls_per_msg"));
	r = find_batch(results, "prio", "posix-mq", 32);
	ASSERT_NE(NULL, r);
	if (counted)
		EXPECT_LE(2.0, json_num(r, "syscalls_per_msg"));
	if (module_loaded()) {
		r = find_batch(results, "prio", "kipc-mq", 32);
		ASSERT_NE(NULL, r);
		if (counted)
			EXPECT_GT(1.0, json_num(r, "syscalls_per_msg"));
		EXPECT_NE(NULL, strstr(run.out, "prio 64 B batch rate"));
	}
	json_free(&root);
}

/* Is process @pid a kipc tool (/proc/PID/comm)? */
static int is_kipc(const char *pid, void *arg)
{
	char path[300], comm[64];
	int kipc = 0;
	FILE *f;

	(void)arg;
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	kipc = fgets(comm, sizeof(comm), f) && !strcmp(comm, "kipc\n");
	fclose(f);
	return kipc;
}

/* Processes whose name is "kipc": what a bench left behind, if anything. */
static int count_kipc_processes(void)
{
	return count_processes(is_kipc, NULL);
}

static int count_sysv(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512];
	int n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;		/* less the header */
	fclose(f);
	return n;
}

static int count_sysv_queues(void)
{
	return count_sysv("/proc/sysvipc/msg");
}

static int count_sysv_sems(void)
{
	return count_sysv("/proc/sysvipc/sem");
}

static bool bench_needs_module(const char *lock)
{
	return !strncmp(lock, "kipc-", 5) || !strcmp(lock, "benaphore");
}

static const struct json *find_lock(const struct json *results,
				    const char *lock, unsigned int procs)
{
	size_t i;

	for (i = 0; i < results->n; i++) {
		const struct json *r = &results->items[i];
		const char *p = json_str(r, "pattern"), *m = json_str(r, "mech");

		if (p && m && !strcmp(p, "lock") && !strcmp(m, lock) &&
		    json_uint(r, "procs") == procs)
			return r;
	}
	return NULL;
}

/*
 * A cell that hangs is ended by killing its process group: the run goes
 * on, says which cell timed out, exits 1, and leaves no process and no
 * System V queue behind.
 */
TEST_F_TIMEOUT(bench, a_hung_cell_is_killed_and_leaves_nothing, 300)
{
	const struct json *results, *r;
	int queues = count_sysv_queues();
	struct json root;
	struct run run;
	const char *err;

	ASSERT_LE(0, queues);
	setenv("KIPC_BENCH_HANG", "sysv-msg", 1);
	setenv("KIPC_BENCH_CELL_TIMEOUT", "3", 1);
	EXPECT_EQ(1, RUN(&run, "bench", "--pattern", "pingpong", "--mech",
			 "sysv-msg,posix-mq", "--sizes", "64", "--iters", "20",
			 "--rounds", "1", "--json", JSON_PATH));
	unsetenv("KIPC_BENCH_HANG");
	unsetenv("KIPC_BENCH_CELL_TIMEOUT");
	EXPECT_NE(NULL, strstr(run.err, "timed out")) TH_LOG("stderr: %s", run.err);
	LOAD_JSON(&root);
	results = json_get(&root, "results");
	ASSERT_NE(NULL, results);
	r = find_result(results, "pingpong", "sysv-msg");
	ASSERT_NE(NULL, r);
	err = json_str(r, "error");
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err, "timed out")) TH_LOG("error: %s", err);
	/* The next cell ran as if nothing had happened. */
	r = find_result(results, "pingpong", "posix-mq");
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(json_is_null(r, "error"));
	EXPECT_EQ(20, json_uint(r, "samples"));
	json_free(&root);
	EXPECT_EQ(0, count_kipc_processes());
	EXPECT_EQ(queues, count_sysv_queues());
}

/*
 * A cell's processes are in a group of their own, out of reach of a kill
 * of the bench's group or a ^C: they must die with the bench all the same.
 */
TEST_F_TIMEOUT(bench, a_killed_bench_takes_its_cell_with_it, 300)
{
	int i, n = 0, devnull;
	pid_t pid;

	ASSERT_EQ(0, count_kipc_processes());
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		setenv("KIPC_BENCH_HANG", "posix-mq", 1);
		execl(kipc_bin(), "kipc", "bench", "--pattern", "pingpong",
		      "--mech", "posix-mq", "--sizes", "64", "--iters", "20",
		      "--rounds", "1", (char *)NULL);
		_exit(127);
	}
	/* The bench, the cell's leader and the hung echo child. */
	for (i = 0; i < 600 && n < 3; i++) {
		usleep(100000);
		n = count_kipc_processes();
	}
	EXPECT_LE(3, n) TH_LOG("the cell never started");
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	for (i = 0; i < 100 && count_kipc_processes(); i++)
		usleep(100000);
	EXPECT_EQ(0, count_kipc_processes());
}

/*
 * The lock pattern: every lock runs at 1 and 2 processes without a lost
 * update (the bench fails the cell otherwise), contended hand-offs are
 * timed, and holder death does what each lock is known to do.
 */
TEST_F_TIMEOUT(bench, locks_contend_and_survive_their_holders_or_not, 600)
{
	static const struct {
		const char *lock;
		bool given_back;	/* the next process gets it */
		const char *what;	/* in what the bench says */
	} expect[] = {
		{ "robust-mutex", true, "EOWNERDEAD" },
		{ "posix-sem", false, "stays taken" },
		{ "sysv-sem", true, "SEM_UNDO" },
		{ "flock", true, "closed" },
		{ "kipc-sem", false, "stays taken" },
		{ "kipc-sem-undo", true, "undo" },
		{ "benaphore", false, "stays taken" },
	};
	const struct json *results, *r, *one;
	struct json root;
	struct run run;
	size_t i;
	int queues = count_sysv_sems();

	ASSERT_EQ(0, RUN(&run, "bench", "--pattern", "lock", "--procs", "1,2",
			 "--iters", "400", "--rounds", "1", "--json", JSON_PATH))
		TH_LOG("stderr: %s", run.err);
	EXPECT_NE(NULL, strstr(run.out, "lock, 2 processes"));
	EXPECT_NE(NULL, strstr(run.out, "when the holder is killed"));
	LOAD_JSON(&root);
	results = json_get(&root, "results");
	ASSERT_NE(NULL, results);
	for (i = 0; i < sizeof(expect) / sizeof(*expect); i++) {
		const char *death;

		if (!module_loaded() && bench_needs_module(expect[i].lock))
			continue;
		one = find_lock(results, expect[i].lock, 1);
		r = find_lock(results, expect[i].lock, 2);
		ASSERT_NE(NULL, one) TH_LOG("%s: no 1-process cell", expect[i].lock);
		ASSERT_NE(NULL, r) TH_LOG("%s: no 2-process cell", expect[i].lock);
		EXPECT_TRUE(json_is_null(r, "error"))
			TH_LOG("%s: %s", expect[i].lock, json_str(r, "error"));
		/* 400 acquisitions split over 2 processes; alone, 400. */
		EXPECT_EQ(400, json_uint(r, "iters"));
		EXPECT_EQ(400, json_uint(one, "iters"));
		EXPECT_GT(json_num(r, "msgs_per_s"), 0);
		/* Alone it never waits for another: no hand-off to time. */
		EXPECT_EQ(0, json_uint(one, "samples"));
		EXPECT_TRUE(json_is_null(one, "p50_ns"));
		/* Measured once per lock, in its 1-process cell. */
		death = json_str(one, "holder_death");
		ASSERT_NE(NULL, death) TH_LOG("%s: no holder death", expect[i].lock);
		EXPECT_NE(NULL, strstr(death, expect[i].what))
			TH_LOG("%s: '%s'", expect[i].lock, death);
		EXPECT_EQ(expect[i].given_back,
			  !json_is_null(one, "holder_death_next_ns"))
			TH_LOG("%s: '%s'", expect[i].lock, death);
	}
	json_free(&root);
	EXPECT_EQ(0, count_kipc_processes());
	EXPECT_EQ(queues, count_sysv_sems());
}

TEST(bad_options_are_usage_errors)
{
	struct run run;

	EXPECT_EQ(2, RUN(&run, "bench", "--mech", "carrier-pigeon"));
	EXPECT_NE(NULL, strstr(run.err, "carrier-pigeon"));
	EXPECT_EQ(2, RUN(&run, "bench", "--sizes", "12Q"));
	EXPECT_NE(NULL, strstr(run.err, "12Q"));
	EXPECT_EQ(2, RUN(&run, "bench", "--pattern", "relay"));
	EXPECT_EQ(2, RUN(&run, "bench", "--producers", "0"));
	EXPECT_EQ(2, RUN(&run, "bench", "--procs", "0"));
	EXPECT_EQ(2, RUN(&run, "bench", "--procs", "17"));
	EXPECT_EQ(2, RUN(&run, "bench", "--batch", "0"));
	EXPECT_EQ(2, RUN(&run, "bench", "--batch", "1025"));
	EXPECT_EQ(2, RUN(&run, "bench", "--pattern", "lock", "--mech", "mutex"));
	EXPECT_EQ(2, RUN(&run, "bench", "extra"));
	EXPECT_EQ(0, RUN(&run, "bench", "--help"));
	EXPECT_NE(NULL, strstr(run.out, "--producers"));
}

TEST(list_names_every_mechanism_with_its_limit)
{
	const struct kipc_chan_info *mech;
	struct run run;
	size_t i;

	ASSERT_EQ(0, RUN(&run, "bench", "--list"));
	for (i = 0; (mech = kipc_chan_mech_at(i)); i++)
		EXPECT_NE(NULL, strstr(run.out, mech->name)) TH_LOG("%s", mech->name);
	EXPECT_NE(NULL, strstr(run.out, "8 B"));	/* signal's limit */
}

TEST_HARNESS_MAIN
