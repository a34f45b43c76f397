// SPDX-License-Identifier: GPL-2.0
/*
 * The kipc tool: exit codes (0 ok, 1 failure, 2 usage), help, error
 * messages that name the object, and that what it does to semaphores is
 * really done, checked through libkipc rather than the tool's own output.
 *
 * Runs the tool at KIPC_BIN (the environment variable of that name
 * overrides it) with the module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kipc.h"
#include "kselftest_harness.h"

#define KIPC_BIN	"/bin/kipc"
#define OUT_MAX		8192

struct run {
	char out[OUT_MAX];	/* stdout, NUL-terminated, truncated */
	char err[OUT_MAX];	/* stderr, likewise */
};

static const char *kipc_bin(void)
{
	const char *bin = getenv("KIPC_BIN");

	return bin && *bin ? bin : KIPC_BIN;
}

/* Append what is ready on @fd to @buf; false once @fd is at EOF. */
static bool drain(int fd, char *buf, size_t *len)
{
	char tmp[1024];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	size_t room = OUT_MAX - 1 - *len;

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	if ((size_t)n < room)
		room = n;
	memcpy(buf + *len, tmp, room);
	*len += room;
	buf[*len] = '\0';
	return true;
}

/* What the next run_tool() feeds the tool's stdin (then reset); NULL: ours. */
static const char *tool_input;

/*
 * Run the tool with @args (NULL-terminated, without argv[0]), collecting
 * stdout and stderr in @r. Returns the exit status, or -1 if it did not
 * exit normally (or could not be run).
 */
static int run_tool(struct run *r, const char *const args[])
{
	const char *argv[32] = { kipc_bin() };
	const char *input = tool_input;
	int out[2], err[2], in[2] = { -1, -1 }, status, i;
	size_t out_len = 0, err_len = 0;
	struct pollfd pfd[2];
	pid_t pid;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	r->out[0] = r->err[0] = '\0';
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	tool_input = NULL;
	if (input) {
		/* Small inputs only: all of it must fit in the pipe now. */
		if (pipe2(in, O_CLOEXEC) ||
		    write(in[1], input, strlen(input)) != (ssize_t)strlen(input))
			return -1;
		close(in[1]);
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (input)
			dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (input)
		close(in[0]);

	pfd[0] = (struct pollfd){ .fd = out[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = err[0], .events = POLLIN };
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents && !drain(out[0], r->out, &out_len))
			pfd[0].fd = -1;
		if (pfd[1].revents && !drain(err[0], r->err, &err_len))
			pfd[1].fd = -1;
	}
	close(out[0]);
	close(err[0]);

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#define RUN(r, ...) run_tool(r, (const char *const[]){ __VA_ARGS__, NULL })

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The semaphore's value, read through libkipc; -1 if it cannot be. */
static long sem_value(const char *name)
{
	unsigned int value;
	int fd = kipc_open(name, KIPC_SEM, O_RDONLY | O_CLOEXEC, 0, NULL);
	long ret = -1;

	if (fd < 0)
		return -1;
	if (!kipc_sem_getvalue(fd, &value))
		ret = value;
	close(fd);
	return ret;
}

TEST(no_args_is_usage_error)
{
	struct run r;

	EXPECT_EQ(2, RUN(&r, NULL));
	EXPECT_NE(NULL, strstr(r.err, "usage:"));
}

TEST(help_lists_subcommands)
{
	static const char *const subs[] = {
		"create", "rm", "stat", "post", "wait", "send", "recv",
		"version", "help",
	};
	struct run r;
	size_t i;

	ASSERT_EQ(0, RUN(&r, "--help")) TH_LOG("%s", r.err);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		EXPECT_NE(NULL, strstr(r.out, subs[i]))
			TH_LOG("'%s' missing from: %s", subs[i], r.out);
}

TEST(help_for_one_subcommand)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "help", "wait")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "usage: kipc wait"));
	ASSERT_EQ(0, RUN(&r, "stat", "--help")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "usage: kipc stat"));
	/* --help wins over anything else on the line. */
	ASSERT_EQ(0, RUN(&r, "create", "sem", "--value", "x", "--help"));
	EXPECT_NE(NULL, strstr(r.out, "--value"));
	EXPECT_EQ(2, RUN(&r, "help", "no-such-subcommand"));
}

TEST(unknown_subcommand_is_usage_error)
{
	struct run r;

	EXPECT_EQ(2, RUN(&r, "no-such-subcommand"));
	EXPECT_NE(NULL, strstr(r.err, "no-such-subcommand"));
}

TEST(version_reports_module_abi)
{
	char want[32];
	struct run r;

	snprintf(want, sizeof(want), "module ABI %d", KIPC_ABI_VERSION);
	ASSERT_EQ(0, RUN(&r, "version")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
}

TEST(bad_numbers_are_usage_errors)
{
	static const struct {
		const char *args[8];
		const char *opt;	/* the error must name it */
	} cases[] = {
		{ { "create", "sem", "n", "--value", "-1" }, "--value" },
		{ { "create", "sem", "n", "--value", "abc" }, "--value" },
		{ { "create", "sem", "n", "--value", "" }, "--value" },
		{ { "create", "sem", "n", "--value", " 1" }, "--value" },
		{ { "create", "sem", "n", "--value", "1x" }, "--value" },
		{ { "create", "sem", "n", "--value", "+1" }, "--value" },
		{ { "create", "sem", "n", "--value", "2147483648" },
		  "--value" },
		{ { "create", "sem", "n", "--value",
		    "99999999999999999999999" }, "--value" },
		{ { "create", "sem", "n", "--max", "-5" }, "--max" },
		{ { "create", "sem", "n", "--mode", "8" }, "--mode" },
		{ { "create", "sem", "n", "--mode", "01000" }, "--mode" },
		{ { "create", "sem", "n", "--value" }, "--value" },
		{ { "post", "n", "--count", "0" }, "--count" },
		{ { "post", "n", "--count", "-1" }, "--count" },
		{ { "wait", "n", "--timeout", "-1" }, "--timeout" },
		{ { "wait", "n", "--timeout", "1s" }, "--timeout" },
		{ { "wait", "n", "--timeout", "." }, "--timeout" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(2, run_tool(&r, cases[i].args))
			TH_LOG("case %zu: %s", i, r.err);
		EXPECT_NE(NULL, strstr(r.err, cases[i].opt))
			TH_LOG("case %zu: %s", i, r.err);
	}
}

TEST(bad_arguments_are_usage_errors)
{
	static const char *const cases[][8] = {
		{ "create", "sem" },
		{ "create", "no-such-type", "n" },
		{ "create", "sem", "n", "extra" },
		{ "create", "pipe", "n", "--value", "1" },
		{ "create", "sem", "n", "--value", "3", "--max", "2" },
		{ "create", "sem", "n", "--no-such-option" },
		{ "stat" },
		{ "stat", "n", "--type", "no-such-type" },
		{ "rm" },
		{ "post" },
		{ "wait" },
		{ "wait", "n", "--try", "--timeout", "1" },
		{ "version", "extra" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(2, run_tool(&r, cases[i]))
			TH_LOG("case %zu: %s", i, r.err);
		EXPECT_NE('\0', r.err[0]) TH_LOG("case %zu: no message", i);
	}
}

TEST(stat_missing_name_fails)
{
	char name[64];
	struct run r;

	snprintf(name, sizeof(name), "cli-missing-%d", getpid());
	EXPECT_EQ(1, RUN(&r, "stat", name));
	EXPECT_NE(NULL, strstr(r.err, name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "no such object")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "post", name));
	EXPECT_NE(NULL, strstr(r.err, name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "wait", name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, name)) TH_LOG("%s", r.err);
}

FIXTURE(cli) {
	char name[64];
};

FIXTURE_SETUP(cli)
{
	ASSERT_EQ(0, access(kipc_bin(), X_OK))
		TH_LOG("%s: %s", kipc_bin(), strerror(errno));
	/* Each test runs in its own process: the pid makes names unique. */
	snprintf(self->name, sizeof(self->name), "cli-test-%d", getpid());
}

FIXTURE_TEARDOWN(cli)
{
	kipc_unlink(self->name);
}

TEST_F(cli, create_then_stat_json)
{
	struct kipc_stat st;
	char want[128];
	struct run r;
	int fd;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "2"))
		TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ("", r.err);

	ASSERT_EQ(0, RUN(&r, "stat", self->name, "--json")) TH_LOG("%s", r.err);
	EXPECT_EQ('{', r.out[0]);
	EXPECT_NE(NULL, strstr(r.out, "\"type\": \"sem\","))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"fill\": 2,")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"flags\": [\"named\"],"))
		TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "\"name\": \"%s\",", self->name);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);

	/* The object is really there, as the tool said. */
	EXPECT_EQ(2, sem_value(self->name));
	fd = kipc_open(self->name, KIPC_SEM, O_RDONLY | O_CLOEXEC, 0, NULL);
	ASSERT_LE(0, fd) TH_LOG("kipc_open: %s", strerror(errno));
	ASSERT_EQ(0, kipc_stat(fd, &st));
	EXPECT_EQ(KIPC_SEM, st.type);
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(2, st.fill);
	EXPECT_EQ(KIPC_SEM_VALUE_MAX, st.capacity);
	close(fd);
}

TEST_F(cli, stat_text_output)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "3",
			 "--max", "7")) TH_LOG("%s", r.err);
	ASSERT_EQ(0, RUN(&r, "stat", self->name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "type:        sem\n"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, self->name)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "fill:        3 (value)\n"))
		TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "capacity:    7 (max value)\n"))
		TH_LOG("%s", r.out);
	/* --type sem gives the same; another type is refused. */
	EXPECT_EQ(0, RUN(&r, "stat", self->name, "--type", "sem"));
	EXPECT_EQ(1, RUN(&r, "stat", self->name, "--type", "mq"));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
}

TEST_F(cli, wait_takes_units_then_would_block)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "2"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN(&r, "wait", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, sem_value(self->name));
	EXPECT_EQ(0, RUN(&r, "wait", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, sem_value(self->name));

	EXPECT_EQ(1, RUN(&r, "wait", self->name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, "would block")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, sem_value(self->name));
}

TEST_F(cli, wait_timeout_expires)
{
	double start, took;
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	start = now();
	EXPECT_EQ(1, RUN(&r, "wait", self->name, "--timeout", "0.2"));
	took = now() - start;
	EXPECT_NE(NULL, strstr(r.err, "timed out")) TH_LOG("%s", r.err);
	EXPECT_LE(0.2, took);
	EXPECT_GT(10.0, took);
	EXPECT_EQ(0, sem_value(self->name));

	/* With a unit there, a timed wait takes it at once. */
	ASSERT_EQ(0, RUN(&r, "post", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN(&r, "wait", self->name, "--timeout", "0"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(0, sem_value(self->name));
}

TEST_F(cli, blocked_wait_returns_on_post)
{
	struct run r;
	int status;
	pid_t pid;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(RUN(&r, "wait", self->name, "--timeout", "20"));
	usleep(200 * 1000);
	ASSERT_EQ(0, RUN(&r, "post", self->name)) TH_LOG("%s", r.err);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, sem_value(self->name));
}

TEST_F(cli, post_adds_units)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	ASSERT_EQ(0, RUN(&r, "post", self->name)) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	ASSERT_EQ(0, RUN(&r, "stat", self->name, "--json")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "\"fill\": 1,")) TH_LOG("%s", r.out);
	EXPECT_EQ(1, sem_value(self->name));

	ASSERT_EQ(0, RUN(&r, "post", self->name, "--count", "3"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(4, sem_value(self->name));
}

TEST_F(cli, post_past_max_fails)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "1",
			 "--max", "2")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "post", self->name, "--count", "2"));
	EXPECT_NE(NULL, strstr(r.err, "would exceed the maximum"))
		TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, sem_value(self->name));
	EXPECT_EQ(0, RUN(&r, "post", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(2, sem_value(self->name));
}

TEST_F(cli, create_excl_on_existing_fails)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "1"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "create", "sem", self->name, "--excl",
			 "--value", "5"));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "already exists")) TH_LOG("%s", r.err);
	/* Without --excl the existing object is opened and left alone. */
	EXPECT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "5"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(1, sem_value(self->name));
}

TEST_F(cli, create_as_other_type_fails)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	/* EMEDIUMTYPE, or EOPNOTSUPP while the module lacks pipes. */
	EXPECT_EQ(1, RUN(&r, "create", "pipe", self->name));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_TRUE(strstr(r.err, "exists with another type") ||
		    strstr(r.err, "not supported by the loaded module"))
		TH_LOG("%s", r.err);
}

TEST_F(cli, create_applies_mode_and_umask)
{
	struct kipc_stat st;
	struct run r;
	int fd;

	umask(022);
	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--mode", "0666"))
		TH_LOG("%s", r.err);
	fd = kipc_open(self->name, KIPC_SEM, O_RDONLY | O_CLOEXEC, 0, NULL);
	ASSERT_LE(0, fd) TH_LOG("kipc_open: %s", strerror(errno));
	ASSERT_EQ(0, kipc_stat(fd, &st));
	EXPECT_EQ(0644, st.mode);
	EXPECT_EQ(getuid(), st.uid);
	close(fd);
	ASSERT_EQ(0, RUN(&r, "stat", self->name, "--json")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "\"mode\": \"0644\","))
		TH_LOG("%s", r.out);
}

TEST_F(cli, leading_slash_is_the_same_name)
{
	char slashed[80];
	struct run r;

	snprintf(slashed, sizeof(slashed), "/%s", self->name);
	ASSERT_EQ(0, RUN(&r, "create", "sem", slashed, "--value", "4"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(4, sem_value(self->name));
	EXPECT_EQ(0, RUN(&r, "wait", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(3, sem_value(slashed));
	EXPECT_EQ(0, RUN(&r, "rm", slashed)) TH_LOG("%s", r.err);
	EXPECT_EQ(-1, sem_value(self->name));
}

TEST_F(cli, rm_removes_and_reports_missing)
{
	struct run r;
	int fd;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN(&r, "rm", self->name)) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	fd = kipc_open(self->name, KIPC_SEM, O_RDONLY | O_CLOEXEC, 0, NULL);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENOENT, errno);

	EXPECT_EQ(1, RUN(&r, "rm", self->name));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "no such object")) TH_LOG("%s", r.err);
}

TEST_F(cli, rm_keeps_going_past_failures)
{
	char missing[80];
	struct run r;

	snprintf(missing, sizeof(missing), "%s-missing", self->name);
	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "rm", missing, self->name));
	EXPECT_NE(NULL, strstr(r.err, missing)) TH_LOG("%s", r.err);
	EXPECT_EQ(-1, sem_value(self->name));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(cli, stat_json_escapes_name)
{
	char name[80], want[96];
	struct run r;

	/* Names may hold anything but '/' and NUL. */
	snprintf(name, sizeof(name), "%s-q\"b\\s\tt", self->name);
	snprintf(want, sizeof(want), "\"name\": \"%s-q\\\"b\\\\s\\tt\",",
		 self->name);
	ASSERT_EQ(0, RUN(&r, "create", "sem", name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN(&r, "stat", name, "--json")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	EXPECT_EQ(0, kipc_unlink(name));
}

/*
 * Message queues: create mq, send, recv.
 */

TEST(mq_bad_arguments_are_usage_errors)
{
	static const char *const cases[][8] = {
		{ "send" },
		{ "send", "n", "--prio", "32768", "m" },
		{ "send", "n", "--prio", "-1", "m" },
		{ "send", "n", "--try", "--timeout", "1", "m" },
		{ "send", "n", "--no-such-option", "m" },
		{ "recv" },
		{ "recv", "n", "extra" },
		{ "recv", "n", "--count", "0" },
		{ "recv", "n", "--try", "--timeout", "1" },
		{ "create", "sem", "n", "--maxmsg", "4" },
		{ "create", "mq", "n", "--value", "1" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(2, run_tool(&r, cases[i]))
			TH_LOG("case %zu: %s", i, r.err);
		EXPECT_NE('\0', r.err[0]) TH_LOG("case %zu: no message", i);
	}
}

TEST(mq_missing_name_fails)
{
	char name[64];
	struct run r;

	snprintf(name, sizeof(name), "cli-missing-mq-%d", getpid());
	EXPECT_EQ(1, RUN(&r, "send", name, "m"));
	EXPECT_NE(NULL, strstr(r.err, name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "no such object")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "recv", name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, "no such object")) TH_LOG("%s", r.err);
}

/* The queue's attributes, read through libkipc; maxmsg -1 if it cannot be. */
static struct kipc_mq_attr mq_attr(const char *name)
{
	struct kipc_mq_attr a = { .maxmsg = -1 };
	int fd = kipc_open(name, KIPC_MQ, O_RDONLY | O_CLOEXEC, 0, NULL);

	if (fd >= 0) {
		if (kipc_mq_getattr(fd, &a))
			a.maxmsg = -1;
		close(fd);
	}
	return a;
}

TEST_F(cli, create_mq_with_sizes)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "mq", self->name, "--maxmsg", "4",
			 "--msgsize", "32")) TH_LOG("%s", r.err);
	EXPECT_EQ(4, mq_attr(self->name).maxmsg);
	EXPECT_EQ(32, mq_attr(self->name).msgsize);
	EXPECT_EQ(0, mq_attr(self->name).curmsgs);
	/* Above the module's limit: the error names the queue. */
	kipc_unlink(self->name);
	EXPECT_EQ(1, RUN(&r, "create", "mq", self->name, "--maxmsg",
			 "4294967295"));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "invalid")) TH_LOG("%s", r.err);
}

TEST_F(cli, send_then_recv_by_priority)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "mq", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN(&r, "send", self->name, "--prio", "3", "first",
			 "second")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	EXPECT_EQ(0, RUN(&r, "send", self->name, "--prio", "32767", "urgent"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN(&r, "send", self->name, "--", "-dash", ""))
		TH_LOG("%s", r.err);
	EXPECT_EQ(5, mq_attr(self->name).curmsgs);
	EXPECT_EQ(0, RUN(&r, "recv", self->name, "--count", "4"))
		TH_LOG("%s", r.err);
	EXPECT_STREQ("32767\turgent\n3\tfirst\n3\tsecond\n0\t-dash\n", r.out);
	/* The empty message. */
	EXPECT_EQ(0, RUN(&r, "recv", self->name)) TH_LOG("%s", r.err);
	EXPECT_STREQ("0\t\n", r.out);
}

TEST_F(cli, recv_escapes_the_payload)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "mq", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN(&r, "send", self->name, "a\tb\\c\nd"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN(&r, "recv", self->name)) TH_LOG("%s", r.err);
	EXPECT_STREQ("0\ta\\x09b\\\\c\\x0ad\n", r.out);
}

TEST_F(cli, recv_try_and_timeout_on_empty_queue)
{
	double start, took;
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "mq", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "recv", self->name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, "would block")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	start = now();
	EXPECT_EQ(1, RUN(&r, "recv", self->name, "--timeout", "0.2"));
	took = now() - start;
	EXPECT_NE(NULL, strstr(r.err, "timed out")) TH_LOG("%s", r.err);
	EXPECT_LE(0.2, took);
	EXPECT_GT(10.0, took);

	/* Two of three: the two are printed, and it still fails. */
	ASSERT_EQ(0, RUN(&r, "send", self->name, "x", "y")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "recv", self->name, "--count", "3", "--try"));
	EXPECT_STREQ("0\tx\n0\ty\n", r.out);
}

TEST_F(cli, send_to_full_queue_and_too_long_message_fail)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "mq", self->name, "--maxmsg", "1",
			 "--msgsize", "4")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "send", self->name, "12345"));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, mq_attr(self->name).curmsgs);
	EXPECT_EQ(0, RUN(&r, "send", self->name, "1234")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "send", self->name, "--try", "more"));
	EXPECT_NE(NULL, strstr(r.err, "would block")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "send", self->name, "--timeout", "0.1", "more"));
	EXPECT_NE(NULL, strstr(r.err, "timed out")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, mq_attr(self->name).curmsgs);
}

TEST_F(cli, blocked_recv_returns_on_send)
{
	struct run r;
	int status;
	pid_t pid;

	ASSERT_EQ(0, RUN(&r, "create", "mq", self->name)) TH_LOG("%s", r.err);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (RUN(&r, "recv", self->name, "--timeout", "20"))
			_exit(1);
		_exit(strcmp(r.out, "9\thello\n") ? 2 : 0);
	}
	usleep(200 * 1000);
	ASSERT_EQ(0, RUN(&r, "send", self->name, "--prio", "9", "hello"))
		TH_LOG("%s", r.err);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(cli, send_without_messages_sends_stdin_lines)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "mq", self->name)) TH_LOG("%s", r.err);
	tool_input = "one\ntwo\n\nthree";
	EXPECT_EQ(0, RUN(&r, "send", self->name, "--prio", "2"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(4, mq_attr(self->name).curmsgs);
	EXPECT_EQ(0, RUN(&r, "recv", self->name, "--count", "4"))
		TH_LOG("%s", r.err);
	EXPECT_STREQ("2\tone\n2\ttwo\n2\t\n2\tthree\n", r.out);
}

/* The same two subcommands copy a pipe's byte stream, as for a FIFO. */
TEST_F(cli, send_and_recv_copy_a_pipes_stream)
{
	struct run r;
	int status, rd;
	pid_t pid;

	ASSERT_EQ(0, RUN(&r, "create", "pipe", self->name)) TH_LOG("%s", r.err);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (RUN(&r, "recv", self->name))
			_exit(1);
		_exit(strcmp(r.out, "no\tescapes\n\\here\n") ? 2 : 0);
	}
	tool_input = "no\tescapes\n\\here\n";
	EXPECT_EQ(0, RUN(&r, "send", self->name)) TH_LOG("%s", r.err);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Queue-only options are refused (with a reader there to open). */
	rd = kipc_open(self->name, KIPC_PIPE, O_RDONLY | O_NONBLOCK | O_CLOEXEC,
		       0, NULL);
	ASSERT_LE(0, rd);
	EXPECT_EQ(2, RUN(&r, "send", self->name, "message"));
	EXPECT_NE(NULL, strstr(r.err, "stdin")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, RUN(&r, "send", self->name, "--prio", "1"));
	EXPECT_NE(NULL, strstr(r.err, "message queues only")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, RUN(&r, "recv", self->name, "--try", "--count", "2"));
	EXPECT_NE(NULL, strstr(r.err, "message queues only")) TH_LOG("%s", r.err);
	close(rd);
}

TEST_F(cli, send_and_recv_refuse_other_types)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "send", self->name, "m"));
	EXPECT_NE(NULL, strstr(r.err, "exists with another type"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "recv", self->name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, "exists with another type"))
		TH_LOG("%s", r.err);
}

TEST_HARNESS_MAIN
