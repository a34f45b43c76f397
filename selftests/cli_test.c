// SPDX-License-Identifier: GPL-2.0
/*
 * The kipc tool: exit codes (0 ok, 1 failure, 2 usage), help, error
 * messages that name the object, and that what it does to semaphores is
 * really done, checked through libkipc rather than the tool's own output.
 * The netlink side (ls, stat, rm, watch, limits): aligned columns, JSON
 * that a strict parser accepts with the right members, the kernel's
 * reasons in errors, and events in order.
 *
 * Runs the tool at KIPC_BIN (the environment variable of that name
 * overrides it) with the module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "kipc.h"
#include "kselftest_harness.h"
#include "tool.h"

#define NOBODY_UID	65534

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
		"create", "rm", "ls", "stat", "watch", "limits", "post", "wait",
		"send", "recv",
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
		{ { "wait", "n", "--timeout", "1", "--try" }, "--try" },
		{ { "send", "n", "--try", "--timeout", "1" }, "--try" },
		{ { "recv", "n", "--timeout", "1", "--try" }, "--try" },
		{ { "recv", "n", "--timeout", "x" }, "--timeout" },
		{ { "watch", "--count", "0" }, "--count" },
		{ { "watch", "--count", "x" }, "--count" },
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
		{ "ls", "extra" },
		{ "ls", "--type", "no-such-type" },
		{ "ls", "--no-such-option" },
		{ "watch", "extra" },
		{ "limits", "extra" },
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

	EXPECT_EQ(3, RUN(&r, "wait", self->name, "--try"));
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
	EXPECT_EQ(124, RUN(&r, "wait", self->name, "--timeout", "0.2"));
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

TEST_F(cli, create_on_existing_fails_unless_exist_ok)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "1"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "create", "sem", self->name, "--value", "5"));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "exists already")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "create", "sem", self->name, "--excl",
			 "--value", "5"));
	EXPECT_NE(NULL, strstr(r.err, "exists already")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, sem_value(self->name));
	/* With --exist-ok it is opened and left alone. */
	EXPECT_EQ(0, RUN(&r, "create", "sem", self->name, "--exist-ok",
			 "--value", "5")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, sem_value(self->name));
}

/* The owner's mode bits of the object called @name, or -1. */
static int mode_of(const char *name)
{
	struct kipc_stat st;

	return kipc_lookup(name, &st) ? -1 : (int)(st.mode & 0777);
}

TEST_F(cli, explicit_mode_is_exact_and_default_takes_the_umask)
{
	mode_t old = umask(022);
	struct run r;

	EXPECT_EQ(0, RUN(&r, "create", "sem", self->name, "--mode", "0666"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(0666, mode_of(self->name));
	kipc_unlink(self->name);
	umask(077);
	EXPECT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(0600, mode_of(self->name));
	kipc_unlink(self->name);
	umask(0066);
	EXPECT_EQ(0, RUN(&r, "create", "sem", self->name, "--mode", "0644"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(0644, mode_of(self->name));
	umask(old);
}

/* Refusals that say which value broke which limit, changing nothing. */
TEST_F(cli, create_says_which_value_broke_which_limit)
{
	struct run r;

	EXPECT_EQ(1, RUN(&r, "create", "mq", self->name, "--maxmsg", "100000"));
	EXPECT_NE(NULL, strstr(r.err, "maxmsg 100000 exceeds mq_maxmsg_max"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "create", "mq", self->name, "--msgsize", "2G"));
	EXPECT_NE(NULL, strstr(r.err, "msgsize 2147483648 exceeds "
			       "mq_msgsize_max")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN_AS(&r, NOBODY_UID, "create", "mq", self->name,
			    "--msgsize", "16K"));
	EXPECT_NE(NULL, strstr(r.err, "msgsize 16384 exceeds "
			       "mq_msgsize_user_max 8192, the most without "
			       "CAP_SYS_RESOURCE")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "create", "shm", self->name, "--size", "1000"));
	EXPECT_NE(NULL, strstr(r.err, "not a multiple of the page size"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "create", "pipe", self->name, "--capacity", "1G"));
	EXPECT_NE(NULL, strstr(r.err, "exceeds pipe_max_size"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "create", "sem", "a/b"));
	EXPECT_NE(NULL, strstr(r.err, "names cannot contain '/'"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(-1, mode_of(self->name));
	/* Sizes take K, M and G: 8K is two pages. */
	EXPECT_EQ(0, RUN(&r, "create", "shm", self->name, "--size", "8K"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(2, RUN(&r, "create", "sem", self->name, "extra"));
	EXPECT_NE(NULL, strstr(r.err, "unexpected argument 'extra'"))
		TH_LOG("%s", r.err);
}

TEST_F(cli, create_as_other_type_fails)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "create", "pipe", self->name));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "is a semaphore, not a pipe"))
		TH_LOG("%s", r.err);
	/* And wait on a queue says what the name is. */
	kipc_unlink(self->name);
	ASSERT_EQ(0, RUN(&r, "create", "mq", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "wait", self->name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, "is a message queue, not a semaphore"))
		TH_LOG("%s", r.err);
}

TEST_F(cli, create_applies_an_explicit_mode_exactly)
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
	EXPECT_EQ(0666, st.mode);
	EXPECT_EQ(getuid(), st.uid);
	close(fd);
	ASSERT_EQ(0, RUN(&r, "stat", self->name, "--json")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "\"mode\": \"0666\","))
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

/* ---- ls, stat, rm, watch, limits (netlink) ---------------------------- */

/* What the tool shows as the owner of @uid: the user name, or the number. */
static const char *owner_of(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned)uid);
	return buf;
}

/* The line of @text containing @needle, copied into @line; false if none. */
static bool line_with(const char *text, const char *needle, char *line,
		      size_t len)
{
	const char *hit = strstr(text, needle), *start, *end;

	if (!hit)
		return false;
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	if (!end)
		end = hit + strlen(hit);
	snprintf(line, len, "%.*s", (int)(end - start), start);
	return true;
}

/* A tool run in the background, its stdout collected as it comes. */
struct bg {
	pid_t pid;
	int out;
	char buf[OUT_MAX];
	size_t len;
};

static int bg_start(struct bg *b, const char *const args[])
{
	const char *argv[16] = { kipc_bin() };
	int out[2], i;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	memset(b, 0, sizeof(*b));
	if (pipe2(out, O_CLOEXEC))
		return -1;
	b->pid = fork();
	if (b->pid < 0)
		return -1;
	if (b->pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	b->out = out[0];
	return 0;
}

/* Read output until it holds @needle (NULL: until EOF) or @ms pass. */
static bool bg_wait_for(struct bg *b, const char *needle, int ms)
{
	double end = now() + ms / 1000.0;

	while (!needle || !strstr(b->buf, needle)) {
		struct pollfd pfd = { .fd = b->out, .events = POLLIN };
		int left = (end - now()) * 1000;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return false;
		if (!drain(b->out, b->buf, &b->len))
			return !needle;
	}
	return true;
}

/* Stop it (if @sig), reap it; its exit status or -1. */
static int bg_finish(struct bg *b, int sig)
{
	int status;

	if (sig)
		kill(b->pid, sig);
	/* Output to its end; a tool that does not stop is killed. */
	if (!bg_wait_for(b, NULL, 10000))
		kill(b->pid, SIGKILL);
	close(b->out);
	if (waitpid(b->pid, &status, 0) != b->pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Until the watcher @b shows an event, make anonymous objects: then it is
 * listening. False if it never does.
 */
static bool bg_until_listening(struct bg *b)
{
	int i;

	for (i = 0; i < 100; i++) {
		int fd = kipc_open(NULL, KIPC_SEM, O_RDWR | O_CLOEXEC, 0, NULL);

		if (fd < 0)
			return false;
		close(fd);
		if (bg_wait_for(b, "\n", 100))
			return true;
	}
	return false;
}

TEST_F(cli, ls_shows_named_and_anonymous_objects_aligned)
{
	char want[160], line[512], header[512], owner[64], *p;
	const char *rows;
	struct kipc_stat st;
	size_t name_col, owner_col, len;
	int pfd[2];
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "3"))
		TH_LOG("%s", r.err);
	ASSERT_EQ(0, kipc_pipe(pfd, 0, O_CLOEXEC));
	ASSERT_EQ(0, kipc_stat(pfd[0], &st));

	ASSERT_EQ(0, RUN(&r, "ls")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.err);
	ASSERT_EQ(0, strncmp(r.out, "TYPE  ", 6)) TH_LOG("%s", r.out);
	ASSERT_TRUE(line_with(r.out, "TYPE", header, sizeof(header)));
	p = strstr(header, "NAME");
	ASSERT_NE(NULL, p);
	name_col = p - header;
	p = strstr(header, "OWNER");
	ASSERT_NE(NULL, p);
	owner_col = p - header;
	EXPECT_NE(NULL, strstr(header, " ID  NAME "));
	EXPECT_NE(NULL, strstr(header, "MODE"));
	EXPECT_NE(NULL, strstr(header, "SIZE"));
	EXPECT_NE(NULL, strstr(header, "USED"));
	EXPECT_NE(NULL, strstr(header, "HANDLES"));

	/* Every row as long as the header: right-aligned last column. */
	len = strlen(header);
	for (rows = r.out; *rows; rows = strchr(rows, '\n') + 1) {
		const char *nl = strchr(rows, '\n');

		ASSERT_NE(NULL, nl);
		EXPECT_EQ(len, (size_t)(nl - rows)) TH_LOG("%.*s",
			  (int)(nl - rows), rows);
	}

	/* Ours: the name and owner in their columns, the numbers right. */
	ASSERT_TRUE(line_with(r.out, self->name, line, sizeof(line)))
		TH_LOG("%s", r.out);
	EXPECT_EQ(0, strncmp(line, "sem ", 4)) TH_LOG("%s", line);
	EXPECT_EQ(0, strncmp(line + name_col, self->name, strlen(self->name)))
		TH_LOG("%s", line);
	owner_of(getuid(), owner, sizeof(owner));
	EXPECT_EQ(0, strncmp(line + owner_col, owner, strlen(owner)))
		TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "  0600  ")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "  2147483647  ")) TH_LOG("%s", line);

	/* The anonymous pipe, with both ends open. */
	snprintf(want, sizeof(want), " %llu  (anon)",
		 (unsigned long long)st.id);
	ASSERT_TRUE(line_with(r.out, want, line, sizeof(line)))
		TH_LOG("%s", r.out);
	EXPECT_EQ(0, strncmp(line, "pipe", 4)) TH_LOG("%s", line);
	EXPECT_EQ(0, strncmp(line + name_col, "(anon)", 6)) TH_LOG("%s", line);
	EXPECT_EQ('2', line[strlen(line) - 1]) TH_LOG("%s", line);

	/* --type keeps only that type. */
	ASSERT_EQ(0, RUN(&r, "ls", "--type", "pipe")) TH_LOG("%s", r.err);
	EXPECT_EQ(NULL, strstr(r.out, self->name));
	EXPECT_NE(NULL, strstr(r.out, want));
	EXPECT_EQ(NULL, strstr(r.out, "\nsem "));
	close(pfd[0]);
	close(pfd[1]);
}

/* Every member an object has in ls --json, and only those. */
static const char *const obj_keys[] = {
	"type", "name", "id", "uid", "gid", "owner", "mode", "flags",
	"capacity", "fill", "high_water", "in_ops", "in_bytes", "out_ops",
	"out_bytes", "handles", "opens", "blocked_in", "blocked_out",
	"ctime_ns", "created",
};

#define N_OBJ_KEYS	(sizeof(obj_keys) / sizeof(obj_keys[0]))

/* -o picks and orders columns, -n drops the header, -r drops alignment. */
TEST_F(cli, ls_columns_noheadings_and_raw)
{
	char line[160];
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "3"))
		TH_LOG("%s", r.err);
	ASSERT_EQ(0, RUN(&r, "ls", "--type", "sem", "-o", "used,NAME"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(0, strncmp(r.out, "USED  NAME", 10)) TH_LOG("%s", r.out);
	ASSERT_EQ(0, RUN(&r, "ls", "--type", "sem", "-o", "NAME,USED,MODE",
			 "--noheadings", "--raw")) TH_LOG("%s", r.err);
	EXPECT_EQ(NULL, strstr(r.out, "NAME")) TH_LOG("%s", r.out);
	snprintf(line, sizeof(line), "%s 3 0600\n", self->name);
	EXPECT_NE(NULL, strstr(r.out, line)) TH_LOG("%s", r.out);
	EXPECT_EQ(2, RUN(&r, "ls", "-o", "NAME,COLOUR"));
	EXPECT_NE(NULL, strstr(r.err, "unknown column 'COLOUR'"))
		TH_LOG("%s", r.err);
}

/*
 * stat --json has the keys of ls --json, owner included; a name that is
 * not UTF-8 is also given exactly, in hex.
 */
TEST_F(cli, json_keys_agree_and_names_that_are_not_utf8_are_exact)
{
	char name[96], hex[200];
	const char *why = NULL;
	struct json doc;
	struct run r;
	size_t k;
	int fd;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	ASSERT_EQ(0, RUN(&r, "stat", self->name, "--json")) TH_LOG("%s", r.err);
	ASSERT_EQ(0, json_parse(r.out, &doc, &why)) TH_LOG("%s: %s", why, r.out);
	EXPECT_EQ(N_OBJ_KEYS, doc.n);
	for (k = 0; k < N_OBJ_KEYS; k++)
		EXPECT_NE(NULL, json_get(&doc, obj_keys[k]))
			TH_LOG("%s missing", obj_keys[k]);
	json_free(&doc);

	snprintf(name, sizeof(name), "%s-\xff\xfe", self->name);
	fd = kipc_open(name, KIPC_SEM, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		       0600, NULL);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	close(fd);
	ASSERT_EQ(0, RUN(&r, "stat", name, "--json")) TH_LOG("%s", r.err);
	for (k = 0; name[k]; k++)
		snprintf(hex + 2 * k, 3, "%02x", (unsigned char)name[k]);
	ASSERT_EQ(0, json_parse(r.out, &doc, &why)) TH_LOG("%s: %s", why, r.out);
	EXPECT_STREQ(hex, json_str(&doc, "name_hex")) TH_LOG("%s", r.out);
	json_free(&doc);
	ASSERT_EQ(0, RUN(&r, "ls", "--json")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, hex)) TH_LOG("%s", r.out);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST_F(cli, ls_json_is_valid_and_complete)
{
	const struct json *mine = NULL, *anon = NULL;
	char name[96], owner[64];
	struct kipc_stat st;
	const char *why = NULL;
	struct json doc;
	struct run r;
	size_t i, k;
	int fd;

	/* A name that needs escaping, and an anonymous object. */
	snprintf(name, sizeof(name), "%s-\"q\\\t\xc3\xa9", self->name);
	ASSERT_EQ(0, RUN(&r, "create", "sem", name, "--value", "2"))
		TH_LOG("%s", r.err);
	fd = kipc_open(NULL, KIPC_SEM, O_RDWR | O_CLOEXEC, 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_stat(fd, &st));

	ASSERT_EQ(0, RUN(&r, "ls", "--json")) TH_LOG("%s", r.err);
	ASSERT_EQ(0, json_parse(r.out, &doc, &why)) TH_LOG("%s: %s", why,
							     r.out);
	ASSERT_EQ(JSON_ARRAY, doc.type);
	for (i = 0; i < doc.n; i++) {
		const struct json *o = &doc.items[i];

		ASSERT_EQ(JSON_OBJECT, o->type);
		EXPECT_EQ(N_OBJ_KEYS, o->n);
		for (k = 0; k < N_OBJ_KEYS; k++)
			EXPECT_NE(NULL, json_get(o, obj_keys[k]))
				TH_LOG("%s missing", obj_keys[k]);
		if (json_str(o, "name") && !strcmp(json_str(o, "name"), name))
			mine = o;
		if (json_uint(o, "id") == (long long)st.id)
			anon = o;
	}
	ASSERT_NE(NULL, mine) TH_LOG("%s", r.out);
	EXPECT_STREQ("sem", json_str(mine, "type"));
	EXPECT_EQ(2, json_uint(mine, "fill"));
	EXPECT_EQ(0, json_uint(mine, "handles"));
	EXPECT_EQ(getuid(), json_uint(mine, "uid"));
	EXPECT_STREQ(owner_of(getuid(), owner, sizeof(owner)),
		     json_str(mine, "owner"));
	EXPECT_STREQ("0600", json_str(mine, "mode"));
	ASSERT_EQ(JSON_ARRAY, json_get(mine, "flags")->type);
	ASSERT_EQ(1, json_get(mine, "flags")->n);
	EXPECT_STREQ("named", json_get(mine, "flags")->items[0].text);
	ASSERT_NE(NULL, anon);
	EXPECT_EQ(JSON_NULL, json_get(anon, "name")->type);
	EXPECT_EQ(0, json_get(anon, "flags")->n);
	EXPECT_EQ(1, json_uint(anon, "handles"));
	json_free(&doc);
	close(fd);

	/* Nothing of a type: an empty array. */
	ASSERT_EQ(0, RUN(&r, "ls", "--json", "--type", "shm"))
		TH_LOG("%s", r.err);
	ASSERT_EQ(0, json_parse(r.out, &doc, &why)) TH_LOG("%s", why);
	EXPECT_EQ(JSON_ARRAY, doc.type);
	json_free(&doc);
	EXPECT_EQ(0, kipc_unlink(name));
}

/* stat over netlink opens nothing: the counters stay as they were. */
TEST_F(cli, stat_json_opens_nothing)
{
	const char *why = NULL;
	struct json doc;
	struct run r;
	int i;

	/* A FIFO without peers: an open for stat would have to dodge it. */
	ASSERT_EQ(0, RUN(&r, "create", "pipe", self->name))
		TH_LOG("%s", r.err);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, RUN(&r, "stat", self->name, "--json"))
			TH_LOG("%s", r.err);
		ASSERT_EQ(0, json_parse(r.out, &doc, &why))
			TH_LOG("%s: %s", why, r.out);
		EXPECT_STREQ("pipe", json_str(&doc, "type"));
		EXPECT_STREQ(self->name, json_str(&doc, "name"));
		EXPECT_EQ(1, json_uint(&doc, "opens"));
		EXPECT_EQ(0, json_uint(&doc, "handles"));
		EXPECT_EQ(65536, json_uint(&doc, "capacity"));
		json_free(&doc);
	}
	EXPECT_EQ(1, RUN(&r, "stat", self->name, "--type", "sem"));
	EXPECT_NE(NULL, strstr(r.err, "is a pipe, not a semaphore"))
		TH_LOG("%s", r.err);
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
	/* recv takes queues, pipes and regions: it names none of them. */
	EXPECT_EQ(NULL, strstr(r.err, "mq '")) TH_LOG("%s", r.err);
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
	/* Above the module's limit: the error names the queue and limit. */
	kipc_unlink(self->name);
	EXPECT_EQ(1, RUN(&r, "create", "mq", self->name, "--maxmsg",
			 "4294967295"));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "exceeds mq_maxmsg_max"))
		TH_LOG("%s", r.err);
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
	EXPECT_EQ(3, RUN(&r, "recv", self->name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, "would block")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	start = now();
	EXPECT_EQ(124, RUN(&r, "recv", self->name, "--timeout", "0.2"));
	took = now() - start;
	EXPECT_NE(NULL, strstr(r.err, "timed out")) TH_LOG("%s", r.err);
	EXPECT_LE(0.2, took);
	EXPECT_GT(10.0, took);

	/* Two of three: the two are printed, and it still fails. */
	ASSERT_EQ(0, RUN(&r, "send", self->name, "x", "y")) TH_LOG("%s", r.err);
	EXPECT_EQ(3, RUN(&r, "recv", self->name, "--count", "3", "--try"));
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
	EXPECT_EQ(3, RUN(&r, "send", self->name, "--try", "more"));
	EXPECT_NE(NULL, strstr(r.err, "would block")) TH_LOG("%s", r.err);
	EXPECT_EQ(124, RUN(&r, "send", self->name, "--timeout", "0.1", "more"));
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
	EXPECT_NE(NULL, strstr(r.err, "apply to message queues"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(2, RUN(&r, "recv", self->name, "--try", "--count", "2"));
	EXPECT_NE(NULL, strstr(r.err, "apply to message queues"))
		TH_LOG("%s", r.err);
	close(rd);
}

/*
 * Options a pipe does not take are refused before the open, which would
 * wait for the other end: with nobody there these return at once (a
 * hang is the harness's timeout). --try on an empty pipe fails as on an
 * empty queue, and takes what is there otherwise.
 */
TEST_F(cli, pipe_options_are_checked_before_waiting_and_try_is_empty)
{
	struct run r;
	int wr;

	ASSERT_EQ(0, RUN(&r, "create", "pipe", self->name)) TH_LOG("%s", r.err);
	tool_input = "";
	EXPECT_EQ(2, RUN(&r, "send", self->name, "--prio", "3"));
	EXPECT_NE(NULL, strstr(r.err, "is a pipe")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, RUN(&r, "recv", self->name, "--timeout", "5"));
	EXPECT_NE(NULL, strstr(r.err, "is a pipe")) TH_LOG("%s", r.err);

	/* No writer, no data: nothing to receive. */
	EXPECT_EQ(3, RUN(&r, "recv", self->name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, "nothing to receive")) TH_LOG("%s", r.err);
	/* No reader: a --try send has nowhere to go. */
	tool_input = "x";
	EXPECT_EQ(3, RUN(&r, "send", self->name, "--try"));

	/* A writer that wrote: --try takes it and does not wait for more. */
	wr = kipc_open(self->name, KIPC_PIPE, O_RDWR | O_CLOEXEC, 0, NULL);
	ASSERT_LE(0, wr);
	ASSERT_EQ(5, write(wr, "hello", 5));
	EXPECT_EQ(0, RUN(&r, "recv", self->name, "--try")) TH_LOG("%s", r.err);
	EXPECT_STREQ("hello", r.out);
	EXPECT_EQ(3, RUN(&r, "recv", self->name, "--try"));
	close(wr);
}

TEST(version_names_the_features)
{
	struct run r;

	EXPECT_EQ(0, RUN(&r, "--version")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "libkipc ")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "features: sem pipe mq shm sem-word ring "
			       "netlink\n")) TH_LOG("%s", r.out);
	EXPECT_EQ(0, RUN(&r, "version")) TH_LOG("%s", r.err);
	EXPECT_EQ(NULL, strstr(r.out, "0x")) TH_LOG("%s", r.out);
}

/* A region: send copies stdin to its start, recv prints all of it. */
TEST_F(cli, send_and_recv_fill_and_dump_a_region)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "shm", self->name, "--size", "4096"))
		TH_LOG("%s", r.err);
	tool_input = "region data";
	ASSERT_EQ(0, RUN(&r, "send", self->name)) TH_LOG("%s", r.err);
	ASSERT_EQ(0, RUN(&r, "recv", self->name)) TH_LOG("%s", r.err);
	/* The rest of the page reads as zeros, so the text ends there. */
	EXPECT_STREQ("region data", r.out);
	EXPECT_EQ(2, RUN(&r, "send", self->name, "message"));
	EXPECT_EQ(2, RUN(&r, "recv", self->name, "--count", "1"));
}

TEST_F(cli, send_and_recv_refuse_other_types)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "send", self->name, "m"));
	EXPECT_NE(NULL, strstr(r.err, "is a semaphore, not a message queue, "
			       "a pipe or a region")) TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN(&r, "recv", self->name, "--try"));
	EXPECT_NE(NULL, strstr(r.err, "is a semaphore, not a message queue"))
		TH_LOG("%s", r.err);
}

/* stat needs no permission on the object: it is not opened. */
TEST_F(cli, stat_needs_no_access_to_the_object)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--mode", "0600"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(0, RUN_AS(&r, NOBODY_UID, "stat", self->name))
		TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, self->name)) TH_LOG("%s", r.out);
}

/* rm says why, in the kernel's words, and leaves the name. */
TEST_F(cli, rm_of_someone_elses_object_shows_the_kernels_reason)
{
	struct run r;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--mode", "0666"))
		TH_LOG("%s", r.err);
	EXPECT_EQ(1, RUN_AS(&r, NOBODY_UID, "rm", self->name));
	EXPECT_NE(NULL, strstr(r.err, self->name)) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "only the owner or CAP_SYS_ADMIN may "
			       "unlink it")) TH_LOG("%s", r.err);
	EXPECT_EQ(0, sem_value(self->name));

	EXPECT_EQ(1, RUN(&r, "rm", "a/b"));
	EXPECT_NE(NULL, strstr(r.err, "'a/b': a name cannot contain '/'"))
		TH_LOG("%s", r.err);
}

/* watch --json: one valid JSON object per line, events in order. */
TEST_F(cli, watch_json_shows_events_in_order)
{
	static const char *const order[] = { "created", "unlinked",
					     "destroyed" };
	char needle[160], *line, *save = NULL;
	const char *why = NULL;
	size_t seen = 0;
	struct bg b;
	struct run r;

	ASSERT_EQ(0, bg_start(&b, (const char *const[]){ "watch", "--json",
							  NULL }));
	ASSERT_TRUE(bg_until_listening(&b));

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name, "--value", "1"))
		TH_LOG("%s", r.err);
	ASSERT_EQ(0, RUN(&r, "rm", self->name)) TH_LOG("%s", r.err);
	snprintf(needle, sizeof(needle),
		 "{\"event\": \"destroyed\", \"type\": \"sem\", \"name\": \"%s\"",
		 self->name);
	EXPECT_TRUE(bg_wait_for(&b, needle, 10000)) TH_LOG("%s", b.buf);
	EXPECT_EQ(0, bg_finish(&b, SIGTERM));

	for (line = strtok_r(b.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct json ev;

		ASSERT_EQ(0, json_parse(line, &ev, &why)) TH_LOG("%s: %s",
								 why, line);
		ASSERT_EQ(JSON_OBJECT, ev.type);
		EXPECT_EQ(N_OBJ_KEYS + 1, ev.n);
		EXPECT_NE(NULL, json_str(&ev, "event"));
		if (json_str(&ev, "name") &&
		    !strcmp(json_str(&ev, "name"), self->name)) {
			ASSERT_GT(3, seen);
			EXPECT_STREQ(order[seen], json_str(&ev, "event"));
			EXPECT_EQ(1, json_uint(&ev, "fill"));
			seen++;
		}
		json_free(&ev);
	}
	EXPECT_EQ(3, seen);
}

/* watch --count N stops by itself after N events, text lines. */
TEST_F(cli, watch_count_stops_after_n_events)
{
	char *nl;
	struct bg b;
	int fd;

	ASSERT_EQ(0, bg_start(&b, (const char *const[]){ "watch", "--count",
							  "2", NULL }));
	ASSERT_TRUE(bg_until_listening(&b));
	/* One more object: a second event even if the first was a probe's end. */
	fd = kipc_open(NULL, KIPC_SEM, O_RDWR | O_CLOEXEC, 0, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, bg_finish(&b, 0)) TH_LOG("%s", b.buf);
	nl = strchr(b.buf, '\n');
	ASSERT_NE(NULL, nl);
	ASSERT_NE(NULL, strchr(nl + 1, '\n'));
	EXPECT_EQ('\0', strchr(nl + 1, '\n')[1]) TH_LOG("%s", b.buf);
	EXPECT_NE(NULL, strstr(b.buf, " sem ")) TH_LOG("%s", b.buf);
	EXPECT_NE(NULL, strstr(b.buf, " (anon) owner=")) TH_LOG("%s", b.buf);
	EXPECT_TRUE(!strncmp(b.buf, "created   ", 10) ||
		    !strncmp(b.buf, "destroyed ", 10)) TH_LOG("%s", b.buf);
}

static long long param(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoll(buf, NULL, 10);
}

TEST_F(cli, limits_json_matches_the_module)
{
	static const char *const params[] = {
		"max_objects", "max_objects_per_user", "max_bytes_per_user",
		"pipe_max_size", "mq_maxmsg_max", "mq_msgsize_max",
		"mq_msgsize_user_max", "shm_max_bytes", "shm_default_bytes",
	};
	const struct json *lims;
	const char *why = NULL;
	struct json doc;
	struct run r;
	size_t i;

	ASSERT_EQ(0, RUN(&r, "create", "sem", self->name)) TH_LOG("%s", r.err);
	ASSERT_EQ(0, RUN(&r, "limits", "--json")) TH_LOG("%s", r.err);
	ASSERT_EQ(0, json_parse(r.out, &doc, &why)) TH_LOG("%s: %s", why,
							     r.out);
	ASSERT_EQ(JSON_OBJECT, doc.type);
	EXPECT_EQ(9, doc.n);
	EXPECT_EQ(param("max_objects"), json_uint(&doc, "max_objects"));
	EXPECT_EQ(param("max_objects_per_user"),
		  json_uint(&doc, "max_objects_per_user"));
	EXPECT_EQ(param("max_bytes_per_user"),
		  json_uint(&doc, "max_bytes_per_user"));
	EXPECT_EQ(getuid(), json_uint(&doc, "uid"));
	EXPECT_LE(1, json_uint(&doc, "user_objects"));
	EXPECT_LE(json_uint(&doc, "user_objects"), json_uint(&doc, "objects"));
	EXPECT_LT(0, json_uint(&doc, "user_bytes"));
	EXPECT_NE(NULL, json_str(&doc, "owner"));
	/* Every module parameter, with its value and use (or null). */
	lims = json_get(&doc, "limits");
	ASSERT_NE(NULL, lims);
	ASSERT_EQ(9, lims->n);
	for (i = 0; i < lims->n; i++) {
		const struct json *e = &lims->items[i];
		const char *res = json_str(e, "resource");

		ASSERT_NE(NULL, res);
		EXPECT_EQ(param(res), json_uint(e, "limit")) TH_LOG("%s", res);
		if (!strcmp(res, "max_objects_per_user"))
			EXPECT_EQ(json_uint(&doc, "user_objects"),
				  json_uint(e, "used"));
		if (!strcmp(res, "pipe_max_size")) {
			ASSERT_NE(NULL, json_get(e, "used"));
			EXPECT_EQ(JSON_NULL, json_get(e, "used")->type);
		}
	}
	json_free(&doc);

	ASSERT_EQ(0, RUN(&r, "limits")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "RESOURCE")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "USE%")) TH_LOG("%s", r.out);
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		EXPECT_NE(NULL, strstr(r.out, params[i])) TH_LOG("%s", r.out);
}

/* The parser itself refuses what is not JSON. */
TEST(json_parser_is_strict)
{
	static const char *const bad[] = {
		"", "[", "{\"a\": 1,}", "[1,]", "{\"a\" 1}", "{a: 1}",
		"\"\t\"", "\"\\x\"", "01", "1.", "-", "[1] [2]", "tru",
		"{\"a\": 1, \"a\": 2}", "\"\xc3\"", "\"\\ud800\"",
	};
	static const char *const good[] = {
		"[]", "{}", " [1, -2.5e+3, \"\\u00e9\\n\", true, null] ",
		"{\"a\": {\"b\": [false]}}", "\"\\ud83d\\ude00\"",
	};
	struct json v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, json_parse(bad[i], &v, NULL)) TH_LOG("%s", bad[i]);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		EXPECT_EQ(0, json_parse(good[i], &v, NULL)) TH_LOG("%s",
								  good[i]);
		json_free(&v);
	}
	ASSERT_EQ(0, json_parse("\"a\\u00e9\\ud83d\\ude00\"", &v, NULL));
	EXPECT_STREQ("a\xc3\xa9\xf0\x9f\x98\x80", v.text);
	json_free(&v);
}

TEST_HARNESS_MAIN
