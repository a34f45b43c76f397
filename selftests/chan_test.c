// SPDX-License-Identifier: GPL-2.0
/*
 * Channels (kipc_chan_*), over every mechanism: messages of every size
 * 0..max_msg arrive intact and in order, back-to-back frames stay apart,
 * what is too large fails with EMSGSIZE and sends nothing, priorities are
 * honoured or refused as the mechanism says, several senders share a
 * channel where it says they may, EOF is EPIPE where it can be told, roles
 * are checked, batches arrive as sent (in one receive call where the
 * mechanism has batch calls), calls are answered on the RPC mechanisms
 * and refused elsewhere, and nothing is left behind: descriptors, System V
 * queues, /dev/shm and /dev/mqueue names, FIFO and socket directories,
 * child processes (a bus daemon), threads (an RPC library's), the binder
 * driver's processes, threads, nodes and transactions, the signal mask.
 *
 * Each mechanism is a variant of the "chan" fixture; its kipc-* variants
 * are skipped when /dev/kipc is absent (a host that cannot load the
 * module), never when it is there, and the RPC ones when the library says
 * what they lack (the VM has it all: libraries, dbus-daemon, binder).
 *
 * Unlike the other selftests this one is linked dynamically: a static
 * program cannot load the RPC libraries.
 */
#include <dirent.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "common.h"
#include "kselftest_harness.h"

/* The mechanisms, in the library's order; the variants below follow it. */
static const char *const mech_names[] = {
	"pipe", "fifo", "kipc-pipe", "kipc-ring", "posix-mq", "sysv-msg",
	"kipc-mq",
	"shm", "kipc-shm", "signal", "unix-stream", "unix-dgram",
	"unix-seqpacket", "tcp", "dbus", "binder", "grpc", "zeromq", "eventfd",
};
#define NR_MECHS	(sizeof(mech_names) / sizeof(mech_names[0]))

#define BIG		65536u	/* msg_size of the main exchange */
#define NR_EXCHANGE	24	/* messages of the main exchange */
#define NR_QUEUED	10	/* fit every mechanism's default depth */
#define SMALL		100u	/* msg_size where the size does not matter */
#define PRODUCERS	4
#define PER_PRODUCER	40
#define TAG		8	/* producer and sequence number, 4 bytes each */
#define GUARD		64	/* bytes past the buffer that must stay garbage */

#define MIB		(1u << 20)

static int is(const char *name, const char *which)
{
	return !strcmp(name, which);
}

static int is_any(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (is(name, *list))
			return 1;
	return 0;
}

/* Mechanisms whose receiver learns that every sender has gone. */
static int tells_eof(const char *name)
{
	static const char *const eof[] = {
		"pipe", "fifo", "kipc-pipe", "kipc-ring", "unix-stream",
		"unix-seqpacket", "tcp", NULL,
	};

	return is_any(name, eof);
}

/* A seqpacket's empty read is end of file, so it refuses empty messages. */
static size_t min_len(const char *name)
{
	return is(name, "unix-seqpacket") ? 1 : 0;
}

static int capable(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return 0;
	return !!(data[cap / 32].effective & (1u << (cap % 32)));
}

static size_t sysctl_num(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/*
 * The largest message @name carries here, if the test knows it exactly;
 * 0 if it is only known to be large (the streams and rings).
 */
static int exact_limit(const char *name, size_t *limit)
{
	if (is(name, "signal"))
		*limit = 8;
	else if (is(name, "eventfd"))
		*limit = 0;
	else if (is(name, "sysv-msg"))
		*limit = sysctl_num("/proc/sys/kernel/msgmax");
	else if (is(name, "posix-mq"))	/* mqueue.c's HARD_MSGSIZEMAX */
		*limit = capable(CAP_SYS_RESOURCE) ? 16 * MIB :
			 sysctl_num("/proc/sys/fs/mqueue/msgsize_max");
	else if (is(name, "unix-dgram") || is(name, "unix-seqpacket"))
		*limit = capable(CAP_NET_ADMIN) ? 4 * MIB :	/* SO_SNDBUFFORCE */
			 2 * sysctl_num("/proc/sys/net/core/wmem_max") - 32;
	else if (is(name, "kipc-ring"))	/* a whole ring, less one header */
		*limit = param_get("pipe_max_size") - sizeof(struct kipc_ring_rec);
	else if (is(name, "kipc-mq"))	/* as posix-mq: CAP_SYS_RESOURCE */
		*limit = capable(CAP_SYS_RESOURCE) ||
			 param_get("mq_msgsize_user_max") > param_get("mq_msgsize_max") ?
			 param_get("mq_msgsize_max") : param_get("mq_msgsize_user_max");
	else
		return 0;
	return 1;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* @want, or less if the mechanism cannot carry that much. */
static size_t fit(const char *name, size_t want)
{
	size_t limit;

	return exact_limit(name, &limit) ? min_size(want, limit) : want;
}

/* Byte @off of message @key: changes with both, not periodic in @off. */
static uint8_t pat(uint32_t key, size_t off)
{
	uint32_t x = (key + 1) * 2654435761u ^ (uint32_t)off * 0x9e3779b1u;

	x ^= x >> 15;
	x ^= (uint32_t)(off >> 8);
	return (uint8_t)(x ^ x >> 8);
}

static void fill(void *buf, size_t from, size_t len, uint32_t key)
{
	size_t i;

	for (i = from; i < len; i++)
		((uint8_t *)buf)[i] = pat(key, i);
}

/* Offset of the first byte that is not the pattern, or -1. */
static ssize_t mismatch(const void *buf, size_t from, size_t len, uint32_t key)
{
	size_t i;

	for (i = from; i < len; i++)
		if (((const uint8_t *)buf)[i] != pat(key, i))
			return i;
	return -1;
}

/* Offset of the first guard byte that is not garbage, or -1. */
static ssize_t guard_hit(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = len; i < len + GUARD; i++)
		if (buf[i] != GARBAGE)
			return i;
	return -1;
}

/*
 * Length of message @i of @n in an exchange of messages up to @max: the
 * largest, one byte, empty and one short of the largest first, the largest
 * last, the rest spread over 0..max.
 */
static size_t exchange_len(size_t max, size_t min, unsigned int i,
			   unsigned int n)
{
	size_t len;

	if (i == 0 || i == n - 1)
		len = max;
	else if (i == 1)
		len = 1;
	else if (i == 2)
		len = 0;
	else if (i == 3 && max)
		len = max - 1;
	else
		len = ((i * 2654435761u) >> 7) % (max + 1);
	len = min_size(len, max);
	return len < min ? min : len;
}

/* Message @seq of producer @p in the several-senders test: tag, then bytes. */
static size_t producer_len(size_t max, unsigned int p, unsigned int seq)
{
	if (max <= TAG)
		return max;
	return TAG + (seq * 37 + p * 11) % (max - TAG + 1);
}

static uint32_t producer_key(unsigned int p, unsigned int seq)
{
	return p << 16 | seq;
}

/* A failed check in a child: say where on stderr, exit non-zero. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d, line %d: %s (errno %d, %s)\n", \
			(int)getpid(), __LINE__, #cond, errno,		\
			strerror(errno));				\
		return 1;						\
	}								\
} while (0)

/* Entries of directory @path but . and .., or -1. */
static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Threads of this process once they settle on @want, or after 5 s.
 * pthread_join() (zmq_ctx_term(), grpc_shutdown()) returns when the
 * kernel clears the thread's tid in exit_mm(), a moment before
 * exit_notify() unhashes the task: a joined thread can still be listed
 * in /proc/self/task for that moment, most often under TCG.
 */
static int count_threads_settled(int want)
{
	int n, tries;

	for (tries = 0; tries < 500; tries++) {
		n = count_entries("/proc/self/task");
		if (n == want)
			break;
		usleep(10 * 1000);
	}
	return n;
}

/*
 * Descriptors of this process. libgrpc keeps its poller, an epoll and an
 * eventfd descriptor, for the life of the process once it has run (and
 * a process that ran it cannot fork children that use it, so it cannot
 * be warmed up before counting): for grpc, those kinds are not counted.
 */
static int count_fds(const char *mech)
{
	char path[300], target[64];
	struct dirent *e;
	int n = 0;
	ssize_t len;
	DIR *d;

	if (strcmp(mech, "grpc"))
		return count_entries("/proc/self/fd");
	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		n += strcmp(target, "anon_inode:[eventpoll]") &&
		     strcmp(target, "anon_inode:[eventfd]");
	}
	closedir(d);
	return n;
}

/* Is process @pid a child of this one (/proc/PID/stat)? */
static int is_my_child(const char *pid, void *arg)
{
	char path[300];
	int ppid, mine = 0;
	FILE *f;

	(void)arg;
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* pid (comm) state ppid: comm may hold spaces, not ')'. */
	if (fscanf(f, "%*d (%*[^)]) %*c %d", &ppid) == 1)
		mine = ppid == getpid();
	fclose(f);
	return mine;
}

/* Processes whose parent is this one, zombies too. */
static int count_children(void)
{
	return count_processes(is_my_child, NULL);
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	int n = 0, ch;

	if (!f)
		return -1;
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static int count_names(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

/*
 * What the channels of this process would leave behind, were they leaking:
 * POSIX shm and mq names (they carry the pid), FIFO directories in
 * $TMPDIR (private to each test, see the setup) and System V queues (in
 * a private IPC namespace for sysv-msg where we may make one).
 */
static int count_leftovers(void)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "kipc-chan-%d-", (int)getpid());
	return count_names("/dev/shm", prefix) +
	       count_names("/dev/mqueue", prefix) +
	       count_names(getenv("TMPDIR"), "kipc-fifo-") +
	       count_lines("/proc/sysvipc/msg");
}

/*
 * What the binder driver holds, for every process: the objects active, as
 * the first lines of its debugfs stats say them (drivers/android/binder.c,
 * stats_show(): "<object>: active N total M", printed once an object of
 * the kind was ever made; the per-process lines that follow are indented
 * or start "proc <pid>"). Written to @out as "proc N thread N ...", or ""
 * where debugfs has no binder stats.
 */
#define BINDER_STATS	"/sys/kernel/debug/binder/stats"

static void binder_objects(char *out, size_t size)
{
	static const char *const kinds[] = {
		"proc", "thread", "node", "ref", "death", "transaction",
		"transaction_complete",
	};
	int active[sizeof(kinds) / sizeof(kinds[0])] = { 0 };
	char line[256], kind[64];
	size_t i, len = 0;
	FILE *f;
	int n;

	out[0] = '\0';
	f = fopen(BINDER_STATS, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && strncmp(line, "proc ", 5)) {
		if (sscanf(line, "%63[a-z_]: active %d", kind, &n) != 2)
			continue;
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (is(kind, kinds[i]))
				active[i] = n;
	}
	fclose(f);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && len < size; i++)
		len += snprintf(out + len, size - len, "%s%s %d", i ? " " : "",
				kinds[i], active[i]);
}

/*
 * The driver's objects once they settle on @want, or after 5 s: a closed
 * binder descriptor's process, threads and nodes go in the driver's
 * deferred release (binder_deferred_release(), a work item), not at once.
 */
static void binder_objects_settled(const char *want, char *out, size_t size)
{
	int tries;

	for (tries = 0; tries < 500; tries++) {
		binder_objects(out, size);
		if (is(out, want))
			break;
		usleep(10 * 1000);
	}
}

static struct kipc_chan_opts opts_of(size_t msg_size)
{
	struct kipc_chan_opts o = { .msg_size = msg_size };

	return o;
}

/* ---- the table ---- */

TEST(table_lists_each_mechanism_once)
{
	static const char *const streams[] = {
		"pipe", "fifo", "kipc-pipe", "unix-stream", "tcp", NULL,
	};
	static const char *const prio[] = { "posix-mq", "kipc-mq", NULL };
	static const char *const single[] = { "unix-stream", "tcp", NULL };
	const struct kipc_chan_info *m;
	size_t i, j;

	for (i = 0; (m = kipc_chan_mech_at(i)); i++) {
		ASSERT_GT(NR_MECHS, i);
		ASSERT_NE(NULL, m->name);
		EXPECT_STREQ(mech_names[i], m->name);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(kipc_chan_mech_at(j)->name, m->name);
		ASSERT_NE(NULL, m->family);
		ASSERT_NE(NULL, m->summary);
		EXPECT_NE(0, strlen(m->family)) TH_LOG("%s", m->name);
		EXPECT_NE(0, strlen(m->summary)) TH_LOG("%s", m->name);
		EXPECT_EQ(m, kipc_chan_info(m->name)) TH_LOG("%s", m->name);
		EXPECT_EQ(0, m->flags & ~0x3fu) TH_LOG("%s", m->name);
		EXPECT_EQ(is(m->family, "RPC"), !!(m->flags & KIPC_CHAN_CALL))
			TH_LOG("%s", m->name);
		EXPECT_EQ(!strncmp(m->name, "kipc-", 5),
			  !!(m->flags & KIPC_CHAN_KIPC)) TH_LOG("%s", m->name);
		EXPECT_EQ(is(m->name, "eventfd"),
			  !!(m->flags & KIPC_CHAN_NOTIFY)) TH_LOG("%s", m->name);
		EXPECT_EQ(is_any(m->name, streams),
			  !!(m->flags & KIPC_CHAN_STREAM)) TH_LOG("%s", m->name);
		EXPECT_EQ(is_any(m->name, prio),
			  !!(m->flags & KIPC_CHAN_PRIO)) TH_LOG("%s", m->name);
		EXPECT_EQ(!is_any(m->name, single),
			  !!(m->flags & KIPC_CHAN_MULTI)) TH_LOG("%s", m->name);
	}
	EXPECT_EQ(NR_MECHS, i);
	EXPECT_EQ(NULL, kipc_chan_mech_at(NR_MECHS + 1));
	EXPECT_EQ(NULL, kipc_chan_mech_at(SIZE_MAX));
}

TEST(unknown_mechanism_is_enoent)
{
	static const char *const bad[] = { "nope", "", "PIPE", "pipe ", "kipc" };
	struct kipc_chan_opts o = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(NULL, kipc_chan_info(bad[i])) TH_LOG("\"%s\"", bad[i]);
		EXPECT_EQ(ENOENT, errno) TH_LOG("\"%s\"", bad[i]);
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_shared_limit(bad[i])) TH_LOG("\"%s\"", bad[i]);
		EXPECT_EQ(ENOENT, errno) TH_LOG("\"%s\"", bad[i]);
		errno = 0;
		EXPECT_EQ(NULL, kipc_chan_open(bad[i], NULL)) TH_LOG("\"%s\"", bad[i]);
		EXPECT_EQ(ENOENT, errno) TH_LOG("\"%s\"", bad[i]);
		errno = 0;
		EXPECT_EQ(NULL, kipc_chan_open(bad[i], &o)) TH_LOG("\"%s\"", bad[i]);
		EXPECT_EQ(ENOENT, errno) TH_LOG("\"%s\"", bad[i]);
	}
	errno = 0;
	EXPECT_EQ(NULL, kipc_chan_info(NULL));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(NULL, kipc_chan_open(NULL, NULL));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * Run in a fresh image of this program (see below) with KIPC_DEVICE set
 * before any libkipc call: every kipc mechanism must fail with ENODEV and
 * say why, and every native one must still open (an RPC one that says
 * what it lacks fails with ENODEV too).
 */
static int nodev_child(void)
{
	const struct kipc_chan_info *m;
	struct kipc_chan *c;
	size_t i;
	int err;

	for (i = 0; (m = kipc_chan_mech_at(i)); i++) {
		errno = 0;
		c = kipc_chan_open(m->name, NULL);
		err = errno;
		if (m->flags & KIPC_CHAN_KIPC)
			CHECK(kipc_chan_unavailable(m->name) != NULL);
		if (kipc_chan_unavailable(m->name)) {
			CHECK(c == NULL);
			CHECK(err == ENODEV);
		} else {
			CHECK(c != NULL);
			kipc_chan_close(c);
		}
	}
	return 0;
}

#define NODEV_ENV	"KIPC_CHAN_TEST_NODEV"

static void __attribute__((constructor)) maybe_nodev_child(void)
{
	if (getenv(NODEV_ENV))
		_exit(nodev_child());
}

TEST(kipc_mechanisms_without_the_device_are_enodev)
{
	char *const argv[] = { "chan_test", NULL };
	char *const envp[] = {
		"KIPC_DEVICE=/nonexistent/kipc", NODEV_ENV "=1", NULL,
	};
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	EXPECT_EQ(0, reap(pid));
}

/* ---- every mechanism ---- */

FIXTURE(chan) {
	const char *name;
	const struct kipc_chan_info *info;
	struct kipc_chan *c;
	pid_t pids[PRODUCERS];
	int nr_pids;
	/* What the process held before the test, for the leak check. */
	int counted;
	int fds, leftovers, children, threads;
	char binder[256];		/* binder_objects(), binder only */
	char tmpdir[PATH_MAX];
	sigset_t mask;
};

FIXTURE_VARIANT(chan) {
	const char *name;
};

FIXTURE_VARIANT_ADD(chan, pipe) { .name = "pipe" };
FIXTURE_VARIANT_ADD(chan, fifo) { .name = "fifo" };
FIXTURE_VARIANT_ADD(chan, kipc_pipe) { .name = "kipc-pipe" };
FIXTURE_VARIANT_ADD(chan, kipc_ring) { .name = "kipc-ring" };
FIXTURE_VARIANT_ADD(chan, posix_mq) { .name = "posix-mq" };
FIXTURE_VARIANT_ADD(chan, sysv_msg) { .name = "sysv-msg" };
FIXTURE_VARIANT_ADD(chan, kipc_mq) { .name = "kipc-mq" };
FIXTURE_VARIANT_ADD(chan, shm) { .name = "shm" };
FIXTURE_VARIANT_ADD(chan, kipc_shm) { .name = "kipc-shm" };
FIXTURE_VARIANT_ADD(chan, signal) { .name = "signal" };
FIXTURE_VARIANT_ADD(chan, unix_stream) { .name = "unix-stream" };
FIXTURE_VARIANT_ADD(chan, unix_dgram) { .name = "unix-dgram" };
FIXTURE_VARIANT_ADD(chan, unix_seqpacket) { .name = "unix-seqpacket" };
FIXTURE_VARIANT_ADD(chan, tcp) { .name = "tcp" };
FIXTURE_VARIANT_ADD(chan, dbus) { .name = "dbus" };
FIXTURE_VARIANT_ADD(chan, binder) { .name = "binder" };
FIXTURE_VARIANT_ADD(chan, grpc) { .name = "grpc" };
FIXTURE_VARIANT_ADD(chan, zeromq) { .name = "zeromq" };
FIXTURE_VARIANT_ADD(chan, eventfd) { .name = "eventfd" };

FIXTURE_SETUP(chan)
{
	struct kipc_chan *warm;

	self->name = variant->name;
	self->info = kipc_chan_info(self->name);
	ASSERT_NE(NULL, self->info) TH_LOG("%s", self->name);
	if (!(self->info->flags & KIPC_CHAN_KIPC) &&
	    kipc_chan_unavailable(self->name))
		SKIP(return, "%s: %s", self->name,
		     kipc_chan_unavailable(self->name));
	if (self->info->flags & KIPC_CHAN_KIPC) {
		if (access(KIPC_DEVICE_PATH, F_OK))
			SKIP(return, "%s: no %s (module not loaded)",
			     self->name, KIPC_DEVICE_PATH);
		/* libkipc keeps /dev/kipc open: count it in the baseline. */
		warm = kipc_chan_open(self->name, NULL);
		ASSERT_NE(NULL, warm) TH_LOG("%s: %s", self->name, strerror(errno));
		kipc_chan_close(warm);
	}
	/* Only this test's FIFOs come and go here. */
	snprintf(self->tmpdir, sizeof(self->tmpdir), "%s/chan_test-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->tmpdir));
	ASSERT_EQ(0, setenv("TMPDIR", self->tmpdir, 1));
	/* Only this test's System V queues, if we may (CAP_SYS_ADMIN). */
	if (is(self->name, "sysv-msg") && unshare(CLONE_NEWIPC))
		TH_LOG("no IPC namespace (%s): counting every System V queue",
		       strerror(errno));
	self->fds = count_fds(self->name);
	self->leftovers = count_leftovers();
	self->children = count_children();
	self->threads = count_entries("/proc/self/task");
	if (is(self->name, "binder")) {
		binder_objects(self->binder, sizeof(self->binder));
		if (!self->binder[0])
			TH_LOG("no %s: the driver's objects are not counted",
			       BINDER_STATS);
	}
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, NULL, &self->mask));
	self->counted = 1;
}

FIXTURE_TEARDOWN(chan)
{
	sigset_t mask;
	int i, sig;

	/* After a failed ASSERT: stop what is still running. */
	for (i = 0; i < self->nr_pids; i++) {
		if (self->pids[i] > 0) {
			kill(self->pids[i], SIGKILL);
			waitpid(self->pids[i], NULL, 0);
		}
	}
	kipc_chan_close(self->c);
	if (!self->counted)
		return;
	EXPECT_EQ(self->fds, count_fds(self->name)) TH_LOG("%s: descriptors leaked", self->name);
	EXPECT_EQ(self->children, count_children())
		TH_LOG("%s: a process (a daemon) outlived the channel", self->name);
	EXPECT_EQ(self->threads, count_threads_settled(self->threads))
		TH_LOG("%s: a thread outlived the channel", self->name);
	EXPECT_EQ(self->leftovers, count_leftovers())
		TH_LOG("%s: names left in /dev/shm, /dev/mqueue or $TMPDIR, "
		       "or System V queues", self->name);
	if (self->binder[0]) {
		char now[sizeof(self->binder)];

		binder_objects_settled(self->binder, now, sizeof(now));
		EXPECT_STREQ(self->binder, now)
			TH_LOG("binder: the driver still holds a process, thread, "
			       "node or transaction of the channel");
	}
	EXPECT_EQ(0, rmdir(self->tmpdir)) TH_LOG("%s: %s", self->tmpdir,
						  strerror(errno));
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, NULL, &mask));
	for (sig = 1; sig < NSIG; sig++)
		EXPECT_EQ(sigismember(&self->mask, sig), sigismember(&mask, sig))
			TH_LOG("%s: signal %d's mask bit changed", self->name, sig);
}

/* The variant's body starts here unless setup skipped it. */
#define NEED_MECH() do { if (_metadata->skip) return; } while (0)

/* Open self->c over the variant's mechanism with @o. */
static void open_chan(struct __test_metadata *_metadata,
		      FIXTURE_DATA(chan) *self, const struct kipc_chan_opts *o)
{
	errno = 0;
	self->c = kipc_chan_open(self->name, o);
	ASSERT_NE(NULL, self->c) TH_LOG("%s: open: %s", self->name, strerror(errno));
	if (o && o->msg_size)
		ASSERT_EQ(o->msg_size, kipc_chan_max_msg(self->c));
	ASSERT_EQ(self->info, kipc_chan_mech(self->c));
}

/* Fork a sender running fn(channel, arg); the teardown kills it if need be. */
static void spawn(struct __test_metadata *_metadata, FIXTURE_DATA(chan) *self,
		  int (*fn)(struct kipc_chan *, unsigned int), unsigned int arg)
{
	pid_t parent = getpid(), pid;

	ASSERT_GT(PRODUCERS, self->nr_pids);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Not left blocked forever if the test is killed (timeout). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		_exit(fn(self->c, arg));
	}
	self->pids[self->nr_pids++] = pid;
}

/* Every child exited 0. */
static void reap_all(struct __test_metadata *_metadata, FIXTURE_DATA(chan) *self)
{
	int i;

	for (i = 0; i < self->nr_pids; i++) {
		EXPECT_EQ(0, reap(self->pids[i]))
			TH_LOG("%s: sender %d failed", self->name, i);
		self->pids[i] = 0;
	}
	self->nr_pids = 0;
}

static void close_chan(FIXTURE_DATA(chan) *self)
{
	kipc_chan_close(self->c);
	self->c = NULL;
}

/* A receive buffer for @max bytes followed by a guard, all garbage. */
static uint8_t *garbage_buf(uint8_t *buf, size_t max)
{
	memset(buf, GARBAGE, max + GUARD);
	return buf;
}

/* Receive one message and check its length, bytes, priority and guard. */
static void expect_msg(struct __test_metadata *_metadata,
		       FIXTURE_DATA(chan) *self, uint8_t *buf, size_t len,
		       uint32_t key, unsigned int want_prio, const char *what)
{
	size_t max = kipc_chan_max_msg(self->c);
	unsigned int prio = 0xa5a5a5a5;
	ssize_t n;

	garbage_buf(buf, max);
	n = kipc_chan_recv(self->c, buf, max, &prio);
	ASSERT_EQ((ssize_t)len, n)
		TH_LOG("%s: %s: %s", self->name, what, n < 0 ? strerror(errno) : "");
	EXPECT_EQ(-1, mismatch(buf, 0, len, key)) TH_LOG("%s: %s", self->name, what);
	EXPECT_EQ(-1, guard_hit(buf, max)) TH_LOG("%s: %s", self->name, what);
	EXPECT_EQ(want_prio, prio) TH_LOG("%s: %s", self->name, what);
}

static void expect_epipe(struct __test_metadata *_metadata,
			 FIXTURE_DATA(chan) *self, uint8_t *buf)
{
	int i;

	/* And it stays at end of file. */
	for (i = 0; i < 2; i++) {
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_recv(self->c, buf,
					     kipc_chan_max_msg(self->c), NULL))
			TH_LOG("%s", self->name);
		EXPECT_EQ(EPIPE, errno) TH_LOG("%s", self->name);
	}
}

TEST_F(chan, opens_with_defaults)
{
	struct kipc_chan_opts zero = { 0 };
	size_t limit, def = 8192;

	NEED_MECH();
	if (exact_limit(self->name, &limit))
		def = min_size(def, limit);
	open_chan(_metadata, self, NULL);
	EXPECT_EQ(def, kipc_chan_max_msg(self->c));
	close_chan(self);
	open_chan(_metadata, self, &zero);
	EXPECT_EQ(def, kipc_chan_max_msg(self->c));
	close_chan(self);
}

static int exchange_sender(struct kipc_chan *c, unsigned int n)
{
	size_t max = kipc_chan_max_msg(c);
	size_t min = min_len(kipc_chan_mech(c)->name);
	uint8_t *buf = malloc(max + 1);
	unsigned int i;
	size_t len;

	CHECK(buf);
	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	for (i = 0; i < n; i++) {
		len = exchange_len(max, min, i, n);
		fill(buf, 0, len, i);
		CHECK(kipc_chan_send(c, buf, len, 0) == 0);
	}
	kipc_chan_close(c);
	free(buf);
	return 0;
}

TEST_F_TIMEOUT(chan, every_size_arrives_intact_and_in_order, 120)
{
	struct kipc_chan_opts o;
	unsigned int i;
	uint8_t *buf;
	char what[32];
	size_t max;

	NEED_MECH();
	o = opts_of(fit(self->name, BIG));
	open_chan(_metadata, self, &o);
	max = kipc_chan_max_msg(self->c);
	buf = malloc(max + GUARD);
	ASSERT_NE(NULL, buf);
	spawn(_metadata, self, exchange_sender, NR_EXCHANGE);
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	for (i = 0; i < NR_EXCHANGE; i++) {
		snprintf(what, sizeof(what), "message %u", i);
		expect_msg(_metadata, self, buf,
			   exchange_len(max, min_len(self->name), i, NR_EXCHANGE),
			   i, 0, what);
	}
	reap_all(_metadata, self);
	if (tells_eof(self->name))
		expect_epipe(_metadata, self, buf);
	close_chan(self);
	free(buf);
}

/* Lengths of the small messages that pile up before anyone reads. */
static const size_t queued_lens[NR_QUEUED] = { 3, 0, 8, 1, 100, 5, 2, 7, 4, 33 };

static size_t queued_len(const char *name, size_t max, unsigned int i)
{
	size_t len = min_size(queued_lens[i], max);

	return len < min_len(name) ? min_len(name) : len;
}

static int queued_sender(struct kipc_chan *c, unsigned int n)
{
	const char *name = kipc_chan_mech(c)->name;
	size_t max = kipc_chan_max_msg(c);
	uint8_t buf[SMALL];
	unsigned int i;
	size_t len;

	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	if (is(name, "unix-seqpacket")) {
		errno = 0;
		CHECK(kipc_chan_send(c, buf, 0, 0) == -1);
		CHECK(errno == EINVAL);
	}
	for (i = 0; i < n; i++) {
		len = queued_len(name, max, i);
		fill(buf, 0, len, i);
		CHECK(kipc_chan_send(c, buf, len, 0) == 0);
	}
	kipc_chan_close(c);
	return 0;
}

/*
 * The sender sends everything and exits before the receiver reads: the
 * frames sit back to back in one buffer and must still come out one by
 * one, in order, and then (where it can be told) as end of file.
 */
TEST_F(chan, back_to_back_messages_stay_apart_and_outlive_the_sender)
{
	struct kipc_chan_opts o = opts_of(fit(self->name, SMALL));
	uint8_t buf[SMALL + GUARD];
	unsigned int i;
	char what[32];

	NEED_MECH();
	open_chan(_metadata, self, &o);
	spawn(_metadata, self, queued_sender, NR_QUEUED);
	/* First: the signal mechanism's senders wait for the receiver. */
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	reap_all(_metadata, self);
	for (i = 0; i < NR_QUEUED; i++) {
		snprintf(what, sizeof(what), "message %u", i);
		expect_msg(_metadata, self, buf,
			   queued_len(self->name, kipc_chan_max_msg(self->c), i),
			   i, 0, what);
	}
	if (tells_eof(self->name))
		expect_epipe(_metadata, self, buf);
	close_chan(self);
}

/* Mechanisms whose receive batch takes several messages in one call. */
static int batches_receive(const char *name)
{
	static const char *const list[] = {
		"kipc-mq", "unix-dgram", "unix-seqpacket", NULL,
	};

	return is_any(name, list);
}

/*
 * The queued messages in one kipc_chan_send_batch(), after a batch with
 * an oversized message in it was refused whole.
 */
static int batch_sender(struct kipc_chan *c, unsigned int n)
{
	const char *name = kipc_chan_mech(c)->name;
	size_t max = kipc_chan_max_msg(c);
	struct kipc_chan_msg msgs[NR_QUEUED];
	uint8_t bufs[NR_QUEUED][SMALL + 1];
	unsigned int i;

	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	for (i = 0; i < n; i++) {
		msgs[i].buf = bufs[i];
		msgs[i].len = queued_len(name, max, i);
		msgs[i].prio = 0;
		fill(bufs[i], 0, msgs[i].len, i);
	}
	msgs[n - 1].len = max + 1;
	errno = 0;
	CHECK(kipc_chan_send_batch(c, msgs, n) == -1);
	CHECK(errno == EMSGSIZE);
	msgs[n - 1].len = queued_len(name, max, n - 1);
	errno = 0;
	CHECK(kipc_chan_send_batch(c, msgs, 0) == -1);
	CHECK(errno == EINVAL);
	CHECK(kipc_chan_send_batch(c, msgs, KIPC_CHAN_BATCH_MAX + 1) == -1);
	CHECK(errno == EINVAL);
	CHECK(kipc_chan_send_batch(c, msgs, n) == (int)n);
	kipc_chan_close(c);
	return 0;
}

/*
 * What a batch sends arrives whole and in order through batch receives;
 * where the mechanism batches receives, one call takes everything queued.
 */
TEST_F(chan, batches_arrive_intact_and_in_order)
{
	struct kipc_chan_opts o = opts_of(fit(self->name, SMALL));
	uint8_t bufs[NR_QUEUED][SMALL + GUARD];
	struct kipc_chan_msg msgs[NR_QUEUED];
	unsigned int i, got = 0, calls = 0;
	size_t max;
	int n;

	NEED_MECH();
	open_chan(_metadata, self, &o);
	max = kipc_chan_max_msg(self->c);
	spawn(_metadata, self, batch_sender, NR_QUEUED);
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	reap_all(_metadata, self);

	for (i = 0; i < NR_QUEUED; i++) {
		msgs[i].buf = garbage_buf(bufs[i], max);
		msgs[i].len = max;
	}
	if (max) {
		msgs[1].len = max - 1;
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_recv_batch(self->c, msgs, NR_QUEUED));
		EXPECT_EQ(EMSGSIZE, errno);
	}
	while (got < NR_QUEUED) {
		for (i = 0; i < NR_QUEUED - got; i++)
			msgs[i].len = max;
		n = kipc_chan_recv_batch(self->c, msgs, NR_QUEUED - got);
		ASSERT_LT(0, n) TH_LOG("%s: %s", self->name, strerror(errno));
		ASSERT_GE(NR_QUEUED - got, (unsigned int)n);
		for (i = 0; i < (unsigned int)n; i++, got++) {
			EXPECT_EQ(queued_len(self->name, max, got), msgs[i].len)
				TH_LOG("%s: message %u", self->name, got);
			EXPECT_EQ(-1, mismatch(bufs[i], 0, msgs[i].len, got));
			EXPECT_EQ(-1, guard_hit(bufs[i], max));
			EXPECT_EQ(0, msgs[i].prio);
			garbage_buf(bufs[i], max);
		}
		calls++;
	}
	EXPECT_EQ(batches_receive(self->name) ? 1 : NR_QUEUED, calls)
		TH_LOG("%s: receive calls", self->name);
	if (tells_eof(self->name)) {
		msgs[0].len = max;
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_recv_batch(self->c, msgs, 1));
		EXPECT_EQ(EPIPE, errno) TH_LOG("%s", self->name);
	}
	close_chan(self);
}

static int oversize_sender(struct kipc_chan *c, unsigned int unused)
{
	size_t max = kipc_chan_max_msg(c);
	size_t min = min_len(kipc_chan_mech(c)->name);
	uint8_t buf[SMALL + 1];

	(void)unused;
	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	fill(buf, 0, sizeof(buf), 99);
	errno = 0;
	CHECK(kipc_chan_send(c, buf, max + 1, 0) == -1);
	CHECK(errno == EMSGSIZE);
	errno = 0;
	CHECK(kipc_chan_send(c, buf, SIZE_MAX, 0) == -1);
	CHECK(errno == EMSGSIZE);
	/* Then two good ones: the largest and the smallest. */
	fill(buf, 0, max, 1);
	CHECK(kipc_chan_send(c, buf, max, 0) == 0);
	fill(buf, 0, min, 2);
	CHECK(kipc_chan_send(c, buf, min, 0) == 0);
	kipc_chan_close(c);
	return 0;
}

/*
 * A channel of @msg_size carries its largest and smallest messages and
 * refuses one byte more.
 */
static void expect_limits_hold(struct __test_metadata *_metadata,
			       FIXTURE_DATA(chan) *self, size_t msg_size)
{
	struct kipc_chan_opts o = opts_of(fit(self->name, msg_size));
	uint8_t buf[SMALL + GUARD];

	open_chan(_metadata, self, &o);
	spawn(_metadata, self, oversize_sender, 0);
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	expect_msg(_metadata, self, buf, kipc_chan_max_msg(self->c), 1, 0,
		   "the largest");
	expect_msg(_metadata, self, buf, min_len(self->name), 2, 0,
		   "the smallest");
	reap_all(_metadata, self);
	if (tells_eof(self->name))
		expect_epipe(_metadata, self, buf);
	close_chan(self);
}

TEST_F(chan, oversize_send_is_emsgsize_and_sends_nothing)
{
	NEED_MECH();
	expect_limits_hold(_metadata, self, SMALL);
}

/*
 * The smallest channels work too: zmq once let no peer connect below its
 * handshake's 40 bytes.
 */
TEST_F(chan, a_channel_of_eight_bytes_carries_them)
{
	NEED_MECH();
	expect_limits_hold(_metadata, self, 8);
}

static void expect_open_fails(struct __test_metadata *_metadata,
			      FIXTURE_DATA(chan) *self, size_t msg_size)
{
	struct kipc_chan_opts o = opts_of(msg_size);
	struct kipc_chan *c;

	errno = 0;
	c = kipc_chan_open(self->name, &o);
	EXPECT_EQ(NULL, c) TH_LOG("%s: msg_size %zu", self->name, msg_size);
	EXPECT_EQ(EMSGSIZE, errno) TH_LOG("%s: msg_size %zu", self->name, msg_size);
	kipc_chan_close(c);
}

TEST_F(chan, open_above_the_limit_is_emsgsize)
{
	struct kipc_chan_opts o = { .depth = 1 };
	size_t limit;

	NEED_MECH();
	expect_open_fails(_metadata, self, SIZE_MAX);
	expect_open_fails(_metadata, self, (size_t)1 << 40);
	if (!exact_limit(self->name, &limit))
		return;
	expect_open_fails(_metadata, self, limit + 1);
	/*
	 * The limit itself opens, where that is cheap. Not a POSIX queue with
	 * CAP_SYS_RESOURCE: 16 MiB is past RLIMIT_MSGQUEUE (EMFILE), which
	 * binds root too. Not eventfd: a msg_size of 0 means the default.
	 */
	if (!limit || (is(self->name, "posix-mq") && capable(CAP_SYS_RESOURCE)))
		return;
	o.msg_size = limit;
	open_chan(_metadata, self, &o);
	close_chan(self);
}

static int short_buffer_sender(struct kipc_chan *c, unsigned int unused)
{
	uint8_t byte = pat(5, 0);

	(void)unused;
	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	CHECK(kipc_chan_send(c, &byte, kipc_chan_max_msg(c) ? 1 : 0, 0) == 0);
	kipc_chan_close(c);
	return 0;
}

TEST_F(chan, short_receive_buffer_is_emsgsize_and_takes_nothing)
{
	struct kipc_chan_opts o = opts_of(fit(self->name, SMALL));
	uint8_t buf[SMALL + GUARD];
	size_t max;

	NEED_MECH();
	open_chan(_metadata, self, &o);
	max = kipc_chan_max_msg(self->c);
	spawn(_metadata, self, short_buffer_sender, 0);
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	reap_all(_metadata, self);
	errno = 0;
	EXPECT_EQ(-1, kipc_chan_recv(self->c, NULL, 5, NULL));
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s: no buffer", self->name);
	if (max) {
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_recv(self->c, garbage_buf(buf, max),
					     max - 1, NULL));
		EXPECT_EQ(EMSGSIZE, errno) TH_LOG("%s", self->name);
		EXPECT_EQ(-1, guard_hit(buf, 0)) TH_LOG("%s", self->name);
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_recv(self->c, buf, 0, NULL));
		EXPECT_EQ(EMSGSIZE, errno) TH_LOG("%s", self->name);
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_recv(self->c, NULL, 0, NULL));
		EXPECT_EQ(EMSGSIZE, errno) TH_LOG("%s", self->name);
		/* The message is still there, whole. */
		expect_msg(_metadata, self, buf, 1, 5, 0, "after EMSGSIZE");
	} else {
		/* Notifications only: no buffer is needed at all. */
		EXPECT_EQ(0, kipc_chan_recv(self->c, NULL, 0, NULL))
			TH_LOG("%s: %s", self->name, strerror(errno));
	}
	close_chan(self);
}

/* Priorities sent, and the order they must come out in (index, priority). */
static const unsigned int prios[] = { 0, 5, 1, 5, 9, 0, 3 };
static const unsigned int prio_order[] = { 4, 1, 3, 6, 2, 0, 5 };
#define NR_PRIOS	(sizeof(prios) / sizeof(prios[0]))

static int prio_sender(struct kipc_chan *c, unsigned int unused)
{
	size_t len = min_size(kipc_chan_max_msg(c), 1);
	uint8_t byte = 0;
	unsigned int i;

	(void)unused;
	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	if (!(kipc_chan_mech(c)->flags & KIPC_CHAN_PRIO)) {
		errno = 0;
		CHECK(kipc_chan_send(c, &byte, len, 1) == -1);
		CHECK(errno == EINVAL);
		errno = 0;
		CHECK(kipc_chan_send(c, &byte, len, UINT_MAX) == -1);
		CHECK(errno == EINVAL);
		byte = pat(0, 0);
		CHECK(kipc_chan_send(c, &byte, len, 0) == 0);
		kipc_chan_close(c);
		return 0;
	}
	/* MQ_PRIO_MAX, and the kipc module's KIPC_MQ_PRIO_MAX, are 32768. */
	errno = 0;
	CHECK(kipc_chan_send(c, &byte, len, 32768) == -1);
	CHECK(errno == EINVAL);
	for (i = 0; i < NR_PRIOS; i++) {
		byte = pat(i, 0);
		CHECK(kipc_chan_send(c, &byte, len, prios[i]) == 0);
	}
	byte = pat(NR_PRIOS, 0);
	CHECK(kipc_chan_send(c, &byte, len, 32767) == 0);
	kipc_chan_close(c);
	return 0;
}

TEST_F(chan, priorities_are_honoured_or_refused)
{
	struct kipc_chan_opts o = opts_of(fit(self->name, SMALL));
	uint8_t buf[SMALL + GUARD];
	size_t len;
	unsigned int i;
	char what[32];

	NEED_MECH();
	open_chan(_metadata, self, &o);
	len = min_size(kipc_chan_max_msg(self->c), 1);
	spawn(_metadata, self, prio_sender, 0);
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	/* All are queued before the first is taken. */
	reap_all(_metadata, self);
	if (!(self->info->flags & KIPC_CHAN_PRIO)) {
		expect_msg(_metadata, self, buf, len, 0, 0, "priority 0");
	} else {
		expect_msg(_metadata, self, buf, len, NR_PRIOS, 32767,
			   "priority 32767");
		for (i = 0; i < NR_PRIOS; i++) {
			snprintf(what, sizeof(what), "message %u, priority %u",
				 prio_order[i], prios[prio_order[i]]);
			expect_msg(_metadata, self, buf, len, prio_order[i],
				   prios[prio_order[i]], what);
		}
	}
	close_chan(self);
}

static int roles_sender(struct kipc_chan *c, unsigned int unused)
{
	uint8_t buf[SMALL];
	size_t max = kipc_chan_max_msg(c);

	(void)unused;
	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	errno = 0;
	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == -1);
	CHECK(errno == EALREADY);
	errno = 0;
	CHECK(kipc_chan_attach(c, KIPC_CHAN_RECEIVER) == -1);
	CHECK(errno == EINVAL);
	errno = 0;
	CHECK(kipc_chan_recv(c, buf, max, NULL) == -1);
	CHECK(errno == EINVAL);
	errno = 0;
	CHECK(kipc_chan_send(c, NULL, 1, 0) == -1);
	CHECK(errno == EINVAL);
	/* The failures changed nothing: it still sends. */
	fill(buf, 0, min_size(max, 1), 3);
	CHECK(kipc_chan_send(c, buf, min_size(max, 1), 0) == 0);
	kipc_chan_close(c);
	return 0;
}

TEST_F(chan, roles_are_checked)
{
	static const int bad_roles[] = {
		0, -1, 3, KIPC_CHAN_SENDER | KIPC_CHAN_RECEIVER | 4, INT_MIN,
	};
	struct kipc_chan_opts o = opts_of(fit(self->name, SMALL));
	uint8_t buf[SMALL + GUARD];
	size_t i, max;

	NEED_MECH();
	open_chan(_metadata, self, &o);
	max = kipc_chan_max_msg(self->c);
	for (i = 0; i < sizeof(bad_roles) / sizeof(bad_roles[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_attach(self->c, bad_roles[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: role %d", self->name, bad_roles[i]);
	}
	/* Still unattached: the child attaches as sender, we as receiver. */
	spawn(_metadata, self, roles_sender, 0);
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	errno = 0;
	EXPECT_EQ(-1, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	EXPECT_EQ(EALREADY, errno) TH_LOG("%s", self->name);
	errno = 0;
	EXPECT_EQ(-1, kipc_chan_attach(self->c, KIPC_CHAN_SENDER));
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s", self->name);
	errno = 0;
	EXPECT_EQ(-1, kipc_chan_send(self->c, buf, 0, 0));
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s", self->name);
	expect_msg(_metadata, self, buf, min_size(max, 1), 3, 0, "the message");
	reap_all(_metadata, self);
	close_chan(self);
}

/* ---- calls: the RPC mechanisms answer on the same channel ---- */

#define CALL_SIZE	1000u	/* msg_size of the call test */
#define PER_CALLER	25

/* Call @seq of caller @p is answered with other bytes, of another length. */
static size_t answer_len(size_t max, unsigned int p, unsigned int seq)
{
	return TAG + (seq * 53 + p * 7) % (max - TAG + 1);
}

static uint32_t answer_key(unsigned int p, unsigned int seq)
{
	return 0x8000u | producer_key(p, seq);
}

/* Tag @p, @seq and the pattern of @key in @len bytes at @buf. */
static void fill_tagged(uint8_t *buf, size_t len, unsigned int p,
			unsigned int seq, uint32_t key)
{
	uint32_t tag[2] = { p, seq };

	memcpy(buf, tag, TAG);
	fill(buf, TAG, len, key);
}

static int caller(struct kipc_chan *c, unsigned int p)
{
	size_t max = kipc_chan_max_msg(c), len;
	uint8_t *req = malloc(max + 1), *rep = malloc(max + GUARD);
	unsigned int seq;
	uint32_t tag[2];
	ssize_t n;

	CHECK(req && rep);
	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	/* Refused before anything is sent. */
	errno = 0;
	CHECK(kipc_chan_call(c, req, max + 1, rep, max) == -1);
	CHECK(errno == EMSGSIZE);
	CHECK(kipc_chan_call(c, req, 1, rep, max - 1) == -1);
	CHECK(errno == EMSGSIZE);
	errno = 0;
	CHECK(kipc_chan_call(c, NULL, 1, rep, max) == -1);
	CHECK(errno == EINVAL);
	CHECK(kipc_chan_reply(c, req, 1) == -1);
	CHECK(errno == EINVAL);
	for (seq = 0; seq < PER_CALLER; seq++) {
		len = producer_len(max, p, seq);
		fill_tagged(req, len, p, seq, producer_key(p, seq));
		memset(rep, GARBAGE, max + GUARD);
		n = kipc_chan_call(c, req, len, rep, max);
		CHECK(n == (ssize_t)answer_len(max, p, seq));
		memcpy(tag, rep, TAG);
		CHECK(tag[0] == p && tag[1] == seq);
		CHECK(mismatch(rep, TAG, n, answer_key(p, seq)) == -1);
		CHECK(guard_hit(rep, max) == -1);
	}
	kipc_chan_close(c);
	free(req);
	free(rep);
	return 0;
}

/*
 * Several callers call at once; each gets the answer to its own call, in
 * its order. The receiver must answer before it receives again, and an
 * answer is refused when no call waits for one. Mechanisms without calls
 * refuse both with EOPNOTSUPP.
 */
TEST_F_TIMEOUT(chan, calls_are_answered_or_refused, 120)
{
	struct kipc_chan_opts o = { .msg_size = 0, .senders = PRODUCERS };
	unsigned int next[PRODUCERS] = { 0 };
	uint8_t *buf, *ans;
	uint32_t tag[2];
	size_t max;
	ssize_t n;
	int i;

	NEED_MECH();
	o.msg_size = fit(self->name, CALL_SIZE);
	if (!(self->info->flags & KIPC_CHAN_CALL)) {
		o.senders = 1;
		open_chan(_metadata, self, &o);
		buf = malloc(o.msg_size + 1);
		ASSERT_NE(NULL, buf);
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_call(self->c, buf, 0, buf, o.msg_size));
		EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("%s", self->name);
		errno = 0;
		EXPECT_EQ(-1, kipc_chan_reply(self->c, buf, 0));
		EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("%s", self->name);
		close_chan(self);
		free(buf);
		return;
	}
	open_chan(_metadata, self, &o);
	max = kipc_chan_max_msg(self->c);
	buf = malloc(max + GUARD);
	ans = malloc(max + 1);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, ans);
	for (i = 0; i < PRODUCERS; i++)
		spawn(_metadata, self, caller, i);
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	errno = 0;
	EXPECT_EQ(-1, kipc_chan_reply(self->c, ans, 1));
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s: nothing to answer", self->name);
	errno = 0;
	EXPECT_EQ(-1, kipc_chan_call(self->c, ans, 1, buf, max));
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s: the receiver calls", self->name);
	for (i = 0; i < PRODUCERS * PER_CALLER; i++) {
		garbage_buf(buf, max);
		n = kipc_chan_recv(self->c, buf, max, NULL);
		ASSERT_LE(TAG, n) TH_LOG("%s: call %d: %s", self->name, i,
					 n < 0 ? strerror(errno) : "short");
		EXPECT_EQ(-1, guard_hit(buf, max)) TH_LOG("%s", self->name);
		memcpy(tag, buf, TAG);
		ASSERT_GT(PRODUCERS, tag[0]) TH_LOG("%s: call %d", self->name, i);
		ASSERT_EQ(next[tag[0]], tag[1])
			TH_LOG("%s: caller %u out of order", self->name, tag[0]);
		ASSERT_EQ((ssize_t)producer_len(max, tag[0], tag[1]), n);
		ASSERT_EQ(-1, mismatch(buf, TAG, n, producer_key(tag[0], tag[1])))
			TH_LOG("%s: caller %u call %u", self->name, tag[0], tag[1]);
		if (i == 0) {
			/* Owed: no receiving, no oversize answer; still owed. */
			errno = 0;
			EXPECT_EQ(-1, kipc_chan_recv(self->c, buf, max, NULL));
			EXPECT_EQ(EINVAL, errno) TH_LOG("%s", self->name);
			errno = 0;
			EXPECT_EQ(-1, kipc_chan_reply(self->c, ans, max + 1));
			EXPECT_EQ(EMSGSIZE, errno) TH_LOG("%s", self->name);
		}
		fill_tagged(ans, answer_len(max, tag[0], tag[1]), tag[0], tag[1],
			    answer_key(tag[0], tag[1]));
		ASSERT_EQ(0, kipc_chan_reply(self->c, ans,
					     answer_len(max, tag[0], tag[1])))
			TH_LOG("%s: %s", self->name, strerror(errno));
		next[tag[0]]++;
	}
	reap_all(_metadata, self);
	errno = 0;
	EXPECT_EQ(-1, kipc_chan_reply(self->c, ans, 1));
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s: answered twice", self->name);
	close_chan(self);
	free(buf);
	free(ans);
}

static int producer(struct kipc_chan *c, unsigned int p)
{
	size_t max = kipc_chan_max_msg(c);
	uint8_t *buf = malloc(max + 1);
	unsigned int seq;
	uint32_t tag[2];
	size_t len;

	CHECK(buf);
	CHECK(kipc_chan_attach(c, KIPC_CHAN_SENDER) == 0);
	for (seq = 0; seq < PER_PRODUCER; seq++) {
		len = producer_len(max, p, seq);
		tag[0] = p;
		tag[1] = seq;
		memcpy(buf, tag, min_size(len, TAG));
		fill(buf, TAG, len, producer_key(p, seq));
		CHECK(kipc_chan_send(c, buf, len, 0) == 0);
	}
	kipc_chan_close(c);
	free(buf);
	return 0;
}

/*
 * Several processes send tagged messages (producer, sequence) at once; the
 * receiver sees each producer's in order, none lost, none twice, none torn.
 * On the mechanisms that cannot be shared, asking for two senders is EINVAL;
 * pipes can be shared only while a frame fits in PIPE_BUF.
 */
TEST_F_TIMEOUT(chan, several_senders_lose_and_mix_nothing, 120)
{
	struct kipc_chan_opts o = { .senders = PRODUCERS };
	unsigned int next[PRODUCERS] = { 0 };
	uint32_t tag[2];
	uint8_t *buf;
	size_t max, len;
	ssize_t n;
	int i;

	NEED_MECH();
	/* What the library says several senders may share is what open allows. */
	errno = 0;
	n = kipc_chan_shared_limit(self->name);
	if (!(self->info->flags & KIPC_CHAN_MULTI)) {
		EXPECT_EQ(-1, n) TH_LOG("%s", self->name);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", self->name);
	} else if (self->info->flags & KIPC_CHAN_STREAM) {
		EXPECT_EQ(PIPE_BUF - 4, n) TH_LOG("%s", self->name);
	} else {
		EXPECT_EQ(kipc_chan_limit(self->name), n) TH_LOG("%s", self->name);
	}
	if (!(self->info->flags & KIPC_CHAN_MULTI)) {
		for (o.senders = 2; o.senders <= PRODUCERS; o.senders++) {
			errno = 0;
			EXPECT_EQ(NULL, kipc_chan_open(self->name, &o));
			EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %u senders",
							 self->name, o.senders);
			o.msg_size = 1;
		}
		o.senders = 1;
		open_chan(_metadata, self, &o);
		close_chan(self);
		return;
	}
	if (self->info->flags & KIPC_CHAN_STREAM) {
		/* A frame is a 4-byte length and the message. */
		o.msg_size = PIPE_BUF - 4 + 1;
		errno = 0;
		EXPECT_EQ(NULL, kipc_chan_open(self->name, &o));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", self->name);
		o.msg_size = 0;
		errno = 0;
		EXPECT_EQ(NULL, kipc_chan_open(self->name, &o))
			TH_LOG("%s: the default msg_size is over PIPE_BUF",
			       self->name);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", self->name);
	}
	o.msg_size = fit(self->name, PIPE_BUF - 4);
	open_chan(_metadata, self, &o);
	max = kipc_chan_max_msg(self->c);
	buf = malloc(max + GUARD);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < PRODUCERS; i++)
		spawn(_metadata, self, producer, i);
	ASSERT_EQ(0, kipc_chan_attach(self->c, KIPC_CHAN_RECEIVER));
	for (i = 0; i < PRODUCERS * PER_PRODUCER; i++) {
		garbage_buf(buf, max);
		n = kipc_chan_recv(self->c, buf, max, NULL);
		ASSERT_LE(0, n) TH_LOG("%s: message %d: %s", self->name, i,
				       strerror(errno));
		EXPECT_EQ(-1, guard_hit(buf, max)) TH_LOG("%s", self->name);
		if (!max)
			continue;	/* eventfd: counting them is all */
		ASSERT_EQ(TAG, min_size(n, TAG)) TH_LOG("%s: message %d", self->name, i);
		memcpy(tag, buf, TAG);
		ASSERT_GT(PRODUCERS, tag[0]) TH_LOG("%s: message %d", self->name, i);
		ASSERT_EQ(next[tag[0]], tag[1])
			TH_LOG("%s: producer %u out of order", self->name, tag[0]);
		len = producer_len(max, tag[0], tag[1]);
		ASSERT_EQ((ssize_t)len, n)
			TH_LOG("%s: producer %u message %u", self->name,
			       tag[0], tag[1]);
		ASSERT_EQ(-1, mismatch(buf, TAG, len, producer_key(tag[0], tag[1])))
			TH_LOG("%s: producer %u message %u torn", self->name,
			       tag[0], tag[1]);
		next[tag[0]]++;
	}
	reap_all(_metadata, self);
	for (i = 0; max && i < PRODUCERS; i++)
		EXPECT_EQ(PER_PRODUCER, next[i]) TH_LOG("%s: producer %d", self->name, i);
	if (tells_eof(self->name))
		expect_epipe(_metadata, self, buf);
	close_chan(self);
	free(buf);
}

/* Open and close many channels: the teardown's leak check does the rest. */
TEST_F(chan, closing_leaves_nothing_behind)
{
	struct kipc_chan_opts o = { .depth = 3, .senders = 1 };
	struct kipc_chan *c[4];
	int round, i;

	NEED_MECH();
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++) {
			c[i] = kipc_chan_open(self->name, &o);
			ASSERT_NE(NULL, c[i]) TH_LOG("%s: %s", self->name,
						     strerror(errno));
		}
		/* Each role closes its own way; unattached is a third. */
		ASSERT_EQ(0, kipc_chan_attach(c[0], KIPC_CHAN_RECEIVER));
		if (!is(self->name, "signal"))	/* would wait for a receiver */
			ASSERT_EQ(0, kipc_chan_attach(c[1], KIPC_CHAN_SENDER));
		for (i = 3; i >= 0; i--)
			kipc_chan_close(c[i]);
	}
	kipc_chan_close(NULL);
}

TEST_HARNESS_MAIN
