// SPDX-License-Identifier: GPL-2.0
/*
 * Message queues. The semantics of the kernel's selftests/mqueue
 * (mq_open_tests: defaults, limits, sizes past the quota) and of LTP's
 * mq_timedsend01, mq_timedreceive01 and mq_notify01..03, ported onto kipc
 * queues; then what kipc adds: receive by type, batches, stat, and a
 * many-producer, many-consumer stress test that checks every message.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "common.h"
#include "kselftest_harness.h"

#define PRIO_TOP	(KIPC_MQ_PRIO_MAX - 1)

static int new_mq(unsigned int maxmsg, size_t msgsize)
{
	struct kipc_attr attr = { .maxmsg = maxmsg, .msgsize = msgsize };

	return kipc_open(NULL, KIPC_MQ, O_RDWR, 0, &attr);
}

/* A named queue @name of @maxmsg x @msgsize, opened O_RDWR. */
static int new_named_mq(const char *name, unsigned int maxmsg, size_t msgsize)
{
	struct kipc_attr attr = { .maxmsg = maxmsg, .msgsize = msgsize };

	return kipc_open(name, KIPC_MQ, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
}

/* The ioctls themselves, so the tests pin down the ABI. */
static int raw_send(int fd, const void *msg, uint64_t len, uint32_t prio,
		    uint32_t flags, uint64_t timeout)
{
	struct kipc_mq_send a = {
		.msg = (uintptr_t)msg, .len = len, .prio = prio,
		.flags = flags, .timeout = timeout,
	};

	return ioctl(fd, KIPC_IOC_MQ_SEND, &a);
}

/* Returns the length; *@prio is pre-filled with garbage. */
static int raw_recv(int fd, void *buf, uint64_t len, uint32_t *prio,
		    uint32_t flags, uint32_t sel_prio, uint64_t timeout)
{
	struct kipc_mq_receive a = {
		.buf = (uintptr_t)buf, .len = len, .flags = flags,
		.sel_prio = sel_prio, .timeout = timeout,
	};
	int ret;

	memset(&a.prio, GARBAGE, sizeof(a.prio));
	ret = ioctl(fd, KIPC_IOC_MQ_RECEIVE, &a);
	if (prio)
		*prio = a.prio;
	return ret;
}

static int send_str(int fd, const char *s, unsigned int prio)
{
	return kipc_mq_send(fd, s, strlen(s), prio);
}

/* Receive without waiting into a fresh buffer; returns length or -1. */
static ssize_t recv_now(int fd, char *buf, size_t len, unsigned int *prio)
{
	memset(buf, GARBAGE, len);
	return raw_recv(fd, buf, len, prio, KIPC_MQ_NONBLOCK, 0, 0);
}

static struct kipc_mq_attr getattr(int fd)
{
	struct kipc_mq_attr a;

	memset(&a, GARBAGE, sizeof(a));
	if (kipc_mq_getattr(fd, &a))
		a.maxmsg = -1;
	return a;
}

static long curmsgs(int fd)
{
	return getattr(fd).curmsgs;
}

/* Fill @fd's queue of @n messages with "fill" at priority 0. */
static int fill(int fd, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (send_str(fd, "fill", 0))
			return -1;
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
}

static int catch_signal(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* Restore a module parameter whatever the test did. */
struct saved_param {
	const char *name;
	long long value;
};

static void restore_params(struct saved_param *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		param_set(p[i].name, p[i].value);
}

/*
 * Creation: defaults and limits (selftests/mqueue/mq_open_tests.c).
 */

TEST(anonymous_queue_is_an_anon_inode_fd)
{
	char path[64], link[64] = "";
	int fd = new_mq(0, 0);

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ASSERT_LT(0, readlink(path, link, sizeof(link) - 1));
	EXPECT_STREQ("anon_inode:[kipc-mq]", link);
	close(fd);
}

TEST(module_reports_the_mq_feature)
{
	uint64_t features = 0;

	ASSERT_EQ(0, kipc_version(NULL, &features));
	EXPECT_TRUE(features & KIPC_FEAT_MQ);
}

TEST(defaults_are_10_messages_of_8192_bytes)
{
	struct kipc_mq_info info;
	struct kipc_stat st;
	int fd = new_mq(0, 0);

	ASSERT_LE(0, fd);
	memset(&info, GARBAGE, sizeof(info));
	ASSERT_EQ(0, ioctl(fd, KIPC_IOC_MQ_GETATTR, &info));
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(KIPC_MQ_MAXMSG_DEFAULT, info.maxmsg);
	EXPECT_EQ(10, info.maxmsg);
	EXPECT_EQ(KIPC_MQ_MSGSIZE_DEFAULT, info.msgsize);
	EXPECT_EQ(8192, info.msgsize);
	EXPECT_EQ(0, info.curmsgs);
	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(KIPC_MQ, st.type);
	EXPECT_EQ(10, st.capacity);
	EXPECT_EQ(0, st.fill);
	close(fd);
}

TEST(attributes_are_used_on_creation_only)
{
	struct kipc_mq_attr a;
	char name[64];
	int fd, fd2;

	uniq_name(name, sizeof(name), "attr");
	fd = new_named_mq(name, 3, 100);
	ASSERT_LE(0, fd);
	a = getattr(fd);
	EXPECT_EQ(0, a.flags);
	EXPECT_EQ(3, a.maxmsg);
	EXPECT_EQ(100, a.msgsize);
	EXPECT_EQ(0, a.curmsgs);

	/* Opening the existing queue with other attributes changes nothing. */
	fd2 = kipc_open(name, KIPC_MQ, O_RDWR | O_CREAT, 0600,
			&(struct kipc_attr){ .maxmsg = 7, .msgsize = 7 });
	ASSERT_LE(0, fd2);
	EXPECT_EQ(3, getattr(fd2).maxmsg);
	EXPECT_EQ(100, getattr(fd2).msgsize);
	close(fd2);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST(maxmsg_above_the_limit_is_einval)
{
	long long max = param_get("mq_maxmsg_max");

	ASSERT_LT(0, max);
	EXPECT_EQ(-1, new_mq(max + 1, 16));
	EXPECT_EQ(EINVAL, errno);
	/* The limit itself is fine (its memory is within the quota). */
	int fd = new_mq(max, 16);

	EXPECT_LE(0, fd);
	close(fd);
}

TEST(msgsize_above_the_limit_is_einval)
{
	long long max = param_get("mq_msgsize_max");

	ASSERT_LT(0, max);
	EXPECT_EQ(-1, new_mq(1, max + 1));
	EXPECT_EQ(EINVAL, errno);
	int fd = new_mq(1, max);

	EXPECT_LE(0, fd);
	close(fd);
}

/* Defaults larger than the limits are cut to the limits, not refused. */
TEST(defaults_are_capped_by_lowered_limits)
{
	struct saved_param saved[] = {
		{ "mq_maxmsg_max", param_get("mq_maxmsg_max") },
		{ "mq_msgsize_max", param_get("mq_msgsize_max") },
	};
	struct kipc_mq_attr a;
	int fd;

	ASSERT_EQ(0, param_set("mq_maxmsg_max", 5));
	ASSERT_EQ(0, param_set("mq_msgsize_max", 100));
	fd = new_mq(0, 0);
	a = getattr(fd);
	restore_params(saved, 2);
	ASSERT_LE(0, fd);
	EXPECT_EQ(5, a.maxmsg);
	EXPECT_EQ(100, a.msgsize);
	close(fd);
}

/* "total size > 2GB" of mq_open_tests: more than the per-user quota. */
TEST(queue_larger_than_the_quota_is_enomem)
{
	EXPECT_EQ(-1, new_mq(65536, 65536));
	EXPECT_EQ(ENOMEM, errno);
}

/*
 * The charge is what the allocator hands out: a 64 KiB message and its
 * header take 128 KiB, so 3000 of them (187 MiB asked, 375 MiB pinned)
 * are past the default 256 MiB quota, while 1000 (125 MiB) are not.
 */
TEST(the_charge_is_what_is_allocated)
{
	long long quota = param_get("max_bytes_per_user");
	int fd;

	ASSERT_EQ(256LL << 20, quota) TH_LOG("the test assumes the default quota");
	EXPECT_EQ(-1, new_mq(3000, 65536));
	EXPECT_EQ(ENOMEM, errno);
	fd = new_mq(1000, 65536);
	EXPECT_LE(0, fd) TH_LOG("%s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Limits raised to the top cannot make the charge wrap around. */
TEST(size_overflow_is_einval)
{
	struct saved_param saved[] = {
		{ "mq_maxmsg_max", param_get("mq_maxmsg_max") },
		{ "mq_msgsize_max", param_get("mq_msgsize_max") },
	};
	int fd;

	ASSERT_EQ(0, param_set("mq_maxmsg_max", UINT32_MAX));
	ASSERT_EQ(0, param_set("mq_msgsize_max", UINT32_MAX));
	fd = new_mq(UINT32_MAX, INT_MAX);
	int err = errno;
	int fd2 = new_mq(1, (size_t)INT_MAX + 1);	/* past kvmalloc's limit */
	int err2 = errno;

	restore_params(saved, 2);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EINVAL, err);
	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(EINVAL, err2);
}

/*
 * Whatever an admin raises the limits to, no queue may take messages that
 * kvmalloc() refuses with a warning (a panic under panic_on_warn): a
 * message of INT_MAX bytes plus its header is past it. 1 GiB is the most.
 */
TEST(raised_limits_stop_short_of_kvmalloc_warning)
{
	struct saved_param saved[] = {
		{ "mq_msgsize_max", param_get("mq_msgsize_max") },
		{ "max_bytes_per_user", param_get("max_bytes_per_user") },
	};
	int fd, err, fd2, err2;

	if (param_set("mq_msgsize_max", UINT32_MAX) ||
	    param_set("max_bytes_per_user", 1LL << 34)) {
		restore_params(saved, 2);
		ASSERT_TRUE(false) TH_LOG("setting the limits failed");
	}
	fd = new_mq(1, INT_MAX);
	err = errno;
	fd2 = new_mq(1, (1 << 30) + 1);
	err2 = errno;
	restore_params(saved, 2);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EINVAL, err);
	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(EINVAL, err2);
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
}

static int limits_as_user(void *arg)
{
	long long *max = arg;
	int fd;

	if (new_mq(max[0] + 1, 10) != -1 || errno != EINVAL)
		return 1;
	/* Without CAP_SYS_RESOURCE, messages up to mq_msgsize_user_max. */
	if (new_mq(1, max[2] + 1) != -1 || errno != EINVAL)
		return 2;
	fd = new_mq(1, max[2]);
	if (fd < 0)
		return 5;
	close(fd);
	if (new_mq(65536, max[2]) != -1 || errno != ENOMEM)
		return 3;
	if (new_mq(0, 0) < 0)
		return 4;
	return 0;
}

/* As a user: open root's big queue with O_CREAT and its attributes. */
static int open_big_as_user(void *arg)
{
	struct kipc_attr attr = { .maxmsg = 1, .msgsize = 65536 };
	struct kipc_mq_attr got;
	int fd;

	fd = kipc_open(arg, KIPC_MQ, O_RDONLY | O_CREAT, 0666, &attr);
	if (fd < 0)
		return 1;
	if (kipc_mq_getattr(fd, &got) || got.msgsize != 65536)
		return 2;
	close(fd);
	/* A default queue is capped at mq_msgsize_user_max, not refused. */
	fd = kipc_open(NULL, KIPC_MQ, O_RDWR, 0, NULL);
	if (fd < 0)
		return 3;
	if (kipc_mq_getattr(fd, &got) || got.msgsize != 4096)
		return 4;
	close(fd);
	return 0;
}

/*
 * The limit is on creating: opening an existing queue ignores the
 * attributes, whatever they say, as mq_open() does.
 */
TEST(user_limit_applies_to_creation_only_and_caps_defaults)
{
	struct saved_param saved[] = {
		{ "mq_msgsize_user_max", param_get("mq_msgsize_user_max") },
	};
	char name[64];
	int fd, ret;

	uniq_name(name, sizeof(name), "big");
	fd = kipc_open(name, KIPC_MQ, O_RDWR | O_CREAT | O_EXCL, 0666,
		       &(struct kipc_attr){ .maxmsg = 1, .msgsize = 65536 });
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, param_set("mq_msgsize_user_max", 4096));
	ret = run_as(NOBODY, NOBODY, -1, open_big_as_user, name);
	restore_params(saved, 1);
	EXPECT_EQ(0, ret);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

/*
 * The euid = 99 half of mq_open_tests: maxmsg as for everyone, msgsize
 * up to mq_msgsize_user_max (8 KiB) as mq_open() up to msgsize_max: a
 * sender blocked on a full queue holds its message outside every quota.
 */
TEST(unprivileged_user_has_the_same_limits_but_msgsize)
{
	long long max[3] = {
		param_get("mq_maxmsg_max"), param_get("mq_msgsize_max"),
		param_get("mq_msgsize_user_max"),
	};
	int fd;

	ASSERT_EQ(8192, max[2]);
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, -1, limits_as_user, max));
	/* Root, with CAP_SYS_RESOURCE, may ask up to mq_msgsize_max. */
	fd = new_mq(1, max[2] + 1);
	EXPECT_LE(0, fd) TH_LOG("%s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

TEST(other_types_attributes_are_einval)
{
	struct kipc_open a;
	int i;

	for (i = 0; i < 5; i++) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = KIPC_MQ;
		a.oflag = O_RDWR;
		switch (i) {
		case 0: a.capacity = 4096; break;
		case 1: a.size_bytes = 4096; break;
		case 2: a.value = 1; break;
		case 3: a.max = 1; break;
		case 4: a.flags = KIPC_F_UNDO; break;
		}
		EXPECT_EQ(-1, raw_open(&a)) TH_LOG("case %d", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %d", i);
	}
}

/*
 * Sending and receiving (LTP mq_timedsend01, mq_timedreceive01).
 */

TEST(messages_of_0_1_and_msgsize_bytes_round_trip)
{
	size_t lens[] = { 0, 1, 8192 };
	char msg[8192], buf[8192];
	unsigned int prio;
	size_t i, j;
	int fd = new_mq(0, 0);

	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (j = 0; j < lens[i]; j++)
			msg[j] = j * 7 + i;
		ASSERT_EQ(0, kipc_mq_send(fd, msg, lens[i], 3));
		memset(buf, GARBAGE, sizeof(buf));
		prio = 12345;
		EXPECT_EQ(lens[i], kipc_mq_receive(fd, buf, sizeof(buf), &prio));
		EXPECT_EQ(3, prio);
		EXPECT_EQ(0, memcmp(msg, buf, lens[i]));
		/* Nothing past the message was written. */
		if (lens[i] < sizeof(buf))
			EXPECT_EQ((char)GARBAGE, buf[lens[i]]);
	}
	close(fd);
}

TEST(zero_length_message_with_null_pointer)
{
	char buf[16];
	uint32_t prio;
	int fd = new_mq(2, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_send(fd, NULL, 0, 9, 0, 0));
	EXPECT_EQ(1, curmsgs(fd));
	EXPECT_EQ(0, raw_recv(fd, buf, sizeof(buf), &prio, 0, 0, 0));
	EXPECT_EQ(9, prio);
	close(fd);
}

TEST(priorities_0_and_32767_are_valid)
{
	char buf[16];
	unsigned int prio = 1;
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "low", 0));
	ASSERT_EQ(0, send_str(fd, "high", PRIO_TOP));
	EXPECT_EQ(4, recv_now(fd, buf, sizeof(buf), &prio));
	EXPECT_EQ(32767, prio);
	EXPECT_EQ(0, memcmp(buf, "high", 4));
	EXPECT_EQ(3, recv_now(fd, buf, sizeof(buf), &prio));
	EXPECT_EQ(0, prio);
	close(fd);
}

TEST(priority_32768_is_einval)
{
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, send_str(fd, "x", KIPC_MQ_PRIO_MAX));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_send(fd, "x", 1, UINT32_MAX, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, curmsgs(fd));
	close(fd);
}

TEST(message_longer_than_msgsize_is_emsgsize)
{
	char msg[17] = "";
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kipc_mq_send(fd, msg, 16, 0));
	EXPECT_EQ(-1, kipc_mq_send(fd, msg, 17, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	/* A huge length is refused before anything is read or allocated. */
	EXPECT_EQ(-1, raw_send(fd, msg, UINT64_MAX, 0, 0, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(1, curmsgs(fd));
	close(fd);
}

/* As POSIX: the buffer must hold the largest message the queue allows. */
TEST(receive_buffer_smaller_than_msgsize_is_emsgsize)
{
	char buf[16];
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "a", 0));
	EXPECT_EQ(-1, kipc_mq_receive(fd, buf, 15, NULL));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(1, curmsgs(fd));
	EXPECT_EQ(1, kipc_mq_receive(fd, buf, 16, NULL));
	close(fd);
}

TEST(send_to_full_queue_nonblocking_is_eagain)
{
	char name[64];
	int fd, nb;

	uniq_name(name, sizeof(name), "fullnb");
	fd = new_named_mq(name, 2, 16);
	ASSERT_LE(0, fd);
	nb = kipc_open(name, KIPC_MQ, O_WRONLY | O_NONBLOCK, 0, NULL);
	ASSERT_LE(0, nb);
	ASSERT_EQ(0, fill(fd, 2));
	EXPECT_EQ(-1, send_str(nb, "x", 0));
	EXPECT_EQ(EAGAIN, errno);
	/* The per-call flag does the same on a blocking handle. */
	EXPECT_EQ(-1, raw_send(fd, "x", 1, 0, KIPC_MQ_NONBLOCK, 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(2, curmsgs(fd));
	close(nb);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST(receive_from_empty_queue_nonblocking_is_eagain)
{
	char buf[16];
	int fd = new_mq(2, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, raw_recv(fd, buf, sizeof(buf), NULL,
			       KIPC_MQ_NONBLOCK, 0, 0));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, kipc_mq_receive(fd, buf, sizeof(buf), NULL));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST(getattr_reports_the_handles_o_nonblock)
{
	int fd = new_mq(2, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, getattr(fd).flags);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(O_NONBLOCK, getattr(fd).flags);
	ASSERT_EQ(0, send_str(fd, "x", 0));
	EXPECT_EQ(1, getattr(fd).curmsgs);
	close(fd);
}

TEST(timedsend_to_full_queue_times_out)
{
	struct timespec ts;
	uint64_t start, elapsed;
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, 1));
	ts = mono_in_ms(200);
	start = mono_ns();
	EXPECT_EQ(-1, kipc_mq_timedsend(fd, "x", 1, 0, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	elapsed = mono_ns() - start;
	EXPECT_LE(150000000ull, elapsed);
	EXPECT_GT(30000000000ull, elapsed);
	/* A deadline in the past times out at once. */
	ts = (struct timespec){ 0, 999999999 };
	EXPECT_EQ(-1, kipc_mq_timedsend(fd, "x", 1, 0, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(1, curmsgs(fd));
	close(fd);
}

TEST(timedreceive_from_empty_queue_times_out)
{
	struct timespec ts;
	uint64_t start, elapsed;
	char buf[16];
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	ts = mono_in_ms(200);
	start = mono_ns();
	EXPECT_EQ(-1, kipc_mq_timedreceive(fd, buf, sizeof(buf), NULL, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	elapsed = mono_ns() - start;
	EXPECT_LE(150000000ull, elapsed);
	EXPECT_GT(30000000000ull, elapsed);
	close(fd);
}

/* Past deadlines do not matter when the call need not wait. */
TEST(past_deadline_succeeds_without_waiting)
{
	struct timespec ts = { 0, 0 };
	char buf[16];
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kipc_mq_timedsend(fd, "x", 1, 0, &ts));
	EXPECT_EQ(1, kipc_mq_timedreceive(fd, buf, sizeof(buf), NULL, &ts));
	close(fd);
}

TEST(bad_timespec_is_einval)
{
	struct timespec bad[] = {
		{ -1, 0 }, { 0, -1 }, { 0, 1000000000 },
	};
	char buf[16];
	size_t i;
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Even though neither call would have to wait. */
		EXPECT_EQ(-1, kipc_mq_timedsend(fd, "x", 1, 0, &bad[i]));
		EXPECT_EQ(EINVAL, errno);
		ASSERT_EQ(0, send_str(fd, "x", 0));
		EXPECT_EQ(-1, kipc_mq_timedreceive(fd, buf, sizeof(buf), NULL,
						   &bad[i]));
		EXPECT_EQ(EINVAL, errno);
		ASSERT_EQ(1, kipc_mq_receive(fd, buf, sizeof(buf), NULL));
	}
	close(fd);
}

/*
 * The module reads the deadline, as mq_timedsend(2) does: unreadable is
 * EFAULT, a bad one EINVAL (mq_timedsend(2)'s rule: a negative tv_sec
 * too), and a pointer without KIPC_MQ_TIMED EINVAL. Nothing is queued.
 */
TEST(deadlines_are_read_and_checked_by_the_module)
{
	static const struct timespec bad[] = {
		{ 0, -1 }, { 0, 1000000000 }, { -1, 0 },
	};
	struct timespec ok = { 0, 0 };
	char buf[16];
	int fd = new_mq(1, 16);
	void *none;
	size_t i;

	ASSERT_LE(0, fd);
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);

	EXPECT_EQ(-1, raw_send(fd, "x", 1, 0, 0, (uintptr_t)&ok));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_recv(fd, buf, sizeof(buf), NULL, 0, 0, 5));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_send(fd, "x", 1, 0, KIPC_MQ_TIMED, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, raw_send(fd, "x", 1, 0, KIPC_MQ_TIMED, (uintptr_t)none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, raw_recv(fd, buf, sizeof(buf), NULL, KIPC_MQ_TIMED, 0,
			       (uintptr_t)none));
	EXPECT_EQ(EFAULT, errno);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, raw_send(fd, "x", 1, 0, KIPC_MQ_TIMED,
				       (uintptr_t)&bad[i])) TH_LOG("%zu", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%zu", i);
	}
	EXPECT_EQ(0, curmsgs(fd));

	/* The library passes the pointer on: the same answers, no crash. */
	EXPECT_EQ(-1, kipc_mq_timedsend(fd, "x", 1, 0, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, kipc_mq_timedreceive(fd, buf, sizeof(buf), NULL, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, kipc_mq_timedsend(fd, "x", 1, 0, &bad[2]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, curmsgs(fd));

	/* A deadline past or far is fine: zero is past, the far one never. */
	EXPECT_EQ(0, kipc_mq_timedsend(fd, "x", 1, 0, &ok));
	ok.tv_sec = INT64_MAX;
	EXPECT_EQ(1, kipc_mq_timedreceive(fd, buf, sizeof(buf), NULL, &ok));
	munmap(none, 4096);
	close(fd);
}

TEST(unknown_flags_and_pad_are_einval)
{
	struct kipc_mq_receive r;
	char buf[16];
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	/* Selectors are for receiving. */
	EXPECT_EQ(-1, raw_send(fd, "x", 1, 0, KIPC_MQ_SEL_EXACT, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_send(fd, "x", 1, 0, 1u << 7, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, send_str(fd, "x", 0));

	EXPECT_EQ(-1, raw_recv(fd, buf, sizeof(buf), NULL, 1u << 7, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_recv(fd, buf, sizeof(buf), NULL, KIPC_MQ_SEL, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	/* A selector priority without a selector, or out of range. */
	EXPECT_EQ(-1, raw_recv(fd, buf, sizeof(buf), NULL, 0, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_recv(fd, buf, sizeof(buf), NULL, KIPC_MQ_SEL_EXACT,
			       KIPC_MQ_PRIO_MAX, 0));
	EXPECT_EQ(EINVAL, errno);
	memset(&r, 0, sizeof(r));
	r.buf = (uintptr_t)buf;
	r.len = sizeof(buf);
	r.pad = 1;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_RECEIVE, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, curmsgs(fd));
	close(fd);
}

TEST(unknown_ioctl_is_enotty)
{
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(KIPC_IOC_MAGIC, 0x5f)));
	EXPECT_EQ(ENOTTY, errno);
	/* A semaphore command on a queue. */
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_POST, &(struct kipc_sem_post){ .count = 1 }));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(bad_argument_pointers_are_efault)
{
	unsigned long cmds[] = {
		KIPC_IOC_MQ_SEND, KIPC_IOC_MQ_RECEIVE, KIPC_IOC_MQ_GETATTR,
		KIPC_IOC_MQ_NOTIFY, KIPC_IOC_MQ_SEND_BATCH,
		KIPC_IOC_MQ_RECEIVE_BATCH,
	};
	size_t i;
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(fd, cmds[i], NULL)) TH_LOG("cmd %zu", i);
		EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %zu", i);
	}
	close(fd);
}

TEST(null_message_pointer_is_efault_and_sends_nothing)
{
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, raw_send(fd, NULL, 4, 0, 0, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, curmsgs(fd));
	close(fd);
}

TEST(null_receive_buffer_is_efault_and_takes_nothing)
{
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "keep", 0));
	EXPECT_EQ(-1, raw_recv(fd, NULL, 16, NULL, 0, 0, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, curmsgs(fd));
	close(fd);
}

/*
 * A buffer that faults only when written: the message has left the queue
 * and is lost (documented; Linux's mq_timedreceive does the same).
 */
TEST(faulting_receive_buffer_loses_the_message)
{
	struct kipc_stat st;
	char *ro;
	int fd = new_mq(2, 16);

	ASSERT_LE(0, fd);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, send_str(fd, "lost", 5));
	ASSERT_EQ(0, send_str(fd, "next", 1));
	EXPECT_EQ(-1, raw_recv(fd, ro, 16, NULL, 0, 0, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, curmsgs(fd));
	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(2, st.in_ops);
	EXPECT_EQ(1, st.out_ops);
	munmap(ro, 4096);
	close(fd);
}

static int open_mode(const char *name, int oflag)
{
	return kipc_open(name, KIPC_MQ, oflag, 0, NULL);
}

TEST(read_only_handle_cannot_send_ebadf)
{
	char name[64];
	int fd, ro;

	uniq_name(name, sizeof(name), "ro");
	fd = new_named_mq(name, 2, 16);
	ASSERT_LE(0, fd);
	ro = open_mode(name, O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, send_str(ro, "x", 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, kipc_mq_send_batch(ro, &(struct kipc_mq_msg){ "x", 1, 0 },
					 1, NULL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, curmsgs(fd));
	/* It can receive, stat and poll. */
	ASSERT_EQ(0, send_str(fd, "y", 0));
	char buf[16];

	EXPECT_EQ(1, kipc_mq_receive(ro, buf, sizeof(buf), NULL));
	close(ro);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST(write_only_handle_cannot_receive_ebadf)
{
	struct kipc_mq_msg m;
	char name[64], buf[16];
	int fd, wo;

	uniq_name(name, sizeof(name), "wo");
	fd = new_named_mq(name, 2, 16);
	ASSERT_LE(0, fd);
	wo = open_mode(name, O_WRONLY);
	ASSERT_LE(0, wo);
	EXPECT_EQ(0, send_str(wo, "x", 0));
	EXPECT_EQ(-1, kipc_mq_receive(wo, buf, sizeof(buf), NULL));
	EXPECT_EQ(EBADF, errno);
	m = (struct kipc_mq_msg){ buf, sizeof(buf), 0 };
	EXPECT_EQ(-1, kipc_mq_receive_batch(wo, &m, 1, NULL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, curmsgs(fd));
	close(wo);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

/* LTP's FD_NONE, FD_NOT_EXIST and FD_FILE cases: EBADF from the library. */
TEST(descriptor_that_is_not_a_queue_is_ebadf)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	int fds[3], i;
	char buf[16];

	fds[0] = -1;
	fds[1] = INT_MAX - 1;
	fds[2] = open("/", O_RDONLY);
	ASSERT_LE(0, fds[2]);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-1, send_str(fds[i], "x", 0)) TH_LOG("fd %d", i);
		EXPECT_EQ(EBADF, errno) TH_LOG("fd %d", i);
		EXPECT_EQ(-1, kipc_mq_receive(fds[i], buf, 16, NULL));
		EXPECT_EQ(EBADF, errno);
		EXPECT_EQ(-1, kipc_mq_notify(fds[i], &sev));
		EXPECT_EQ(EBADF, errno);
	}
	close(fds[2]);

	/* A semaphore is no queue either: the ioctl says ENOTTY. */
	int sem = raw_sem(NULL, O_RDWR, 0, 0);

	ASSERT_LE(0, sem);
	EXPECT_EQ(-1, send_str(sem, "x", 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, raw_send(sem, "x", 1, 0, 0, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(sem);
}

/*
 * Order.
 */

/* Random priorities in; strictly by priority out, FIFO within one. */
TEST(highest_priority_first_and_fifo_within_a_priority)
{
	enum { N = 1000 };
	struct { uint32_t seq; } msg;
	unsigned int prio, last_prio = UINT_MAX;
	uint32_t last_seq[64];
	uint32_t prios[N];
	char buf[16];
	int fd = new_mq(N, 16), i;

	ASSERT_LE(0, fd);
	srand(1234);
	for (i = 0; i < N; i++) {
		/* Few distinct priorities, so each has a FIFO to keep. */
		prios[i] = (rand() % 64) * 511;
		msg.seq = i;
		ASSERT_EQ(0, kipc_mq_send(fd, &msg, sizeof(msg), prios[i]));
	}
	memset(last_seq, 0xff, sizeof(last_seq));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(sizeof(msg), recv_now(fd, buf, sizeof(buf), &prio));
		memcpy(&msg, buf, sizeof(msg));
		ASSERT_LE(prio, last_prio);
		ASSERT_EQ(prios[msg.seq], prio);
		if (prio == last_prio) {
			ASSERT_LT(last_seq[prio / 511], msg.seq);
		} else {
			ASSERT_EQ(UINT32_MAX, last_seq[prio / 511]);
		}
		last_seq[prio / 511] = msg.seq;
		last_prio = prio;
	}
	EXPECT_EQ(0, curmsgs(fd));
	close(fd);
}

FIXTURE(big) {
};

FIXTURE_SETUP(big)
{
}

FIXTURE_TEARDOWN(big)
{
}

/*
 * Every one of the 32768 priorities once, in a random order. 64k system
 * calls: more than the default 30 s under KASAN and lockdep in TCG.
 */
TEST_F_TIMEOUT(big, all_32768_priorities, 300)
{
	static uint32_t order[KIPC_MQ_PRIO_MAX];
	unsigned int prio;
	uint32_t i, j, t;
	char buf[8];
	int fd = new_mq(KIPC_MQ_PRIO_MAX, 8);

	ASSERT_LE(0, fd);
	for (i = 0; i < KIPC_MQ_PRIO_MAX; i++)
		order[i] = i;
	srand(42);
	for (i = KIPC_MQ_PRIO_MAX - 1; i > 0; i--) {
		j = rand() % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < KIPC_MQ_PRIO_MAX; i++)
		ASSERT_EQ(0, kipc_mq_send(fd, &order[i], 4, order[i]));
	for (i = 0; i < KIPC_MQ_PRIO_MAX; i++) {
		ASSERT_EQ(4, recv_now(fd, buf, sizeof(buf), &prio));
		ASSERT_EQ(PRIO_TOP - i, prio);
		memcpy(&t, buf, 4);
		ASSERT_EQ(prio, t);
	}
	close(fd);
}

/*
 * Receive by type (System V msgtyp semantics mapped onto priorities).
 */

/* A queue holding "a"@1, "b"@5, "c"@5, "d"@9 (in that send order). */
static int typed_queue(void)
{
	int fd = new_mq(8, 16);

	if (fd < 0 || send_str(fd, "a", 1) || send_str(fd, "b", 5) ||
	    send_str(fd, "c", 5) || send_str(fd, "d", 9))
		return -1;
	return fd;
}

TEST(receive_exact_priority)
{
	unsigned int prio;
	char buf[16];
	int fd = typed_queue();

	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(1, kipc_mq_receive_type(fd, buf, 16, &prio, 5, NULL));
	EXPECT_EQ(5, prio);
	EXPECT_STREQ("b", buf);
	EXPECT_EQ(1, raw_recv(fd, buf, 16, &prio, KIPC_MQ_SEL_EXACT, 5, 0));
	EXPECT_EQ(5, prio);
	EXPECT_EQ('c', buf[0]);
	EXPECT_EQ(-1, raw_recv(fd, buf, 16, &prio,
			       KIPC_MQ_SEL_EXACT | KIPC_MQ_NONBLOCK, 5, 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(2, curmsgs(fd));
	close(fd);
}

TEST(receive_highest_priority_at_most)
{
	unsigned int prio;
	char buf[16];
	int fd = typed_queue();

	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(1, kipc_mq_receive_type(fd, buf, 16, &prio, -8, NULL));
	EXPECT_EQ(5, prio);
	EXPECT_STREQ("b", buf);
	EXPECT_EQ(1, raw_recv(fd, buf, 16, &prio, KIPC_MQ_SEL_AT_MOST, 9, 0));
	EXPECT_EQ(9, prio);
	EXPECT_EQ(1, raw_recv(fd, buf, 16, &prio, KIPC_MQ_SEL_AT_MOST, 4, 0));
	EXPECT_EQ(1, prio);
	EXPECT_EQ(-1, raw_recv(fd, buf, 16, &prio,
			       KIPC_MQ_SEL_AT_MOST | KIPC_MQ_NONBLOCK, 4, 0));
	EXPECT_EQ(EAGAIN, errno);
	/* msgtyp 0: anything, highest first. */
	EXPECT_EQ(1, kipc_mq_receive_type(fd, buf, 16, &prio, 0, NULL));
	EXPECT_EQ('c', buf[0]);
	EXPECT_EQ(0, curmsgs(fd));
	close(fd);
}

/* The summary level: the answer is in a lower leaf than the limit's. */
TEST(receive_at_most_across_leaves)
{
	unsigned int prio;
	char buf[16];
	int fd = new_mq(8, 16);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "x", 3));
	ASSERT_EQ(0, send_str(fd, "y", 200));
	ASSERT_EQ(0, send_str(fd, "z", PRIO_TOP));
	EXPECT_EQ(1, raw_recv(fd, buf, 16, &prio, KIPC_MQ_SEL_AT_MOST, 20000, 0));
	EXPECT_EQ(200, prio);
	EXPECT_EQ(1, raw_recv(fd, buf, 16, &prio, KIPC_MQ_SEL_AT_MOST, 199, 0));
	EXPECT_EQ(3, prio);
	EXPECT_EQ(1, raw_recv(fd, buf, 16, &prio, KIPC_MQ_SEL_EXACT, PRIO_TOP, 0));
	EXPECT_EQ(PRIO_TOP, prio);
	close(fd);
}

TEST(receive_type_out_of_range_is_einval)
{
	char buf[16];
	int fd = typed_queue();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, kipc_mq_receive_type(fd, buf, 16, NULL,
					   KIPC_MQ_PRIO_MAX, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, kipc_mq_receive_type(fd, buf, 16, NULL,
					   -KIPC_MQ_PRIO_MAX, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(4, curmsgs(fd));
	close(fd);
}

/* A receiver waiting for priority 7 ignores 3 and gets 7 when it comes. */
TEST(selective_receiver_waits_for_its_priority)
{
	unsigned int prio;
	char buf[16];
	int fd = new_mq(4, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ssize_t n = kipc_mq_receive_type(fd, buf, 16, &prio, 7, NULL);

		_exit(n == 5 && prio == 7 && !memcmp(buf, "seven", 5) ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, send_str(fd, "three", 3));
	/* Queued: the waiter does not accept it. */
	EXPECT_EQ(1, curmsgs(fd));
	EXPECT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, send_str(fd, "seven", 7));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1, curmsgs(fd));
	EXPECT_EQ(5, recv_now(fd, buf, sizeof(buf), &prio));
	EXPECT_EQ(3, prio);
	close(fd);
}

/*
 * A full queue and a sender waiting with priority 7: a receiver for 7
 * takes the waiting sender's message, which frees the sender.
 */
TEST(selective_receiver_takes_from_a_waiting_sender)
{
	unsigned int prio;
	char buf[16];
	int fd = new_mq(1, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "one", 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_str(fd, "seven", 7) ? 1 : 0);
	ASSERT_EQ(0, wait_blocked_tasks(fd, 1, 0));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, raw_recv(fd, buf, 16, &prio,
			      KIPC_MQ_SEL_EXACT | KIPC_MQ_NONBLOCK, 7, 0));
	EXPECT_EQ(7, prio);
	EXPECT_STREQ("seven", buf);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1, curmsgs(fd));
	close(fd);
}

/*
 * Blocking, FIFO service, signals.
 */

TEST(blocked_receiver_gets_the_next_message)
{
	char buf[16];
	int fd = new_mq(4, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned int prio;
		ssize_t n = kipc_mq_receive(fd, buf, 16, &prio);

		_exit(n == 5 && prio == 2 && !memcmp(buf, "hello", 5) ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, send_str(fd, "hello", 2));
	EXPECT_EQ(0, reap(pid));
	/* Handed over, never queued. */
	EXPECT_EQ(0, curmsgs(fd));
	close(fd);
}

TEST(blocked_sender_completes_when_room_is_made)
{
	unsigned int prio;
	char buf[16];
	int fd = new_mq(2, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "a", 1));
	ASSERT_EQ(0, send_str(fd, "b", 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_str(fd, "c", 9) ? 1 : 0);
	ASSERT_EQ(0, wait_blocked_tasks(fd, 1, 0));
	EXPECT_EQ(1, recv_now(fd, buf, sizeof(buf), &prio));
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ(0, reap(pid));
	/* The waiting sender's message went in when "a" went out. */
	EXPECT_EQ(2, curmsgs(fd));
	EXPECT_EQ(1, recv_now(fd, buf, sizeof(buf), &prio));
	EXPECT_EQ('c', buf[0]);
	EXPECT_EQ(9, prio);
	close(fd);
}

TEST(waiting_receivers_are_served_fifo)
{
	enum { N = 4 };
	int fd = new_mq(4, 16), order[2], i, got;
	pid_t pids[N];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(order));
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			char buf[16];

			if (kipc_mq_receive(fd, buf, 16, NULL) != 1)
				_exit(1);
			got = i * 100 + buf[0];
			_exit(write(order[1], &got, sizeof(got)) == sizeof(got) ?
			      0 : 2);
		}
		ASSERT_EQ(0, wait_blocked_tasks(fd, 0, i + 1));
	}
	for (i = 0; i < N; i++) {
		char c = 'a' + i;

		ASSERT_EQ(0, kipc_mq_send(fd, &c, 1, 0));
		ASSERT_EQ(sizeof(got), read(order[0], &got, sizeof(got)));
		/* Receiver i, the oldest still waiting, got message i. */
		EXPECT_EQ(i * 100 + c, got);
		EXPECT_EQ(0, reap(pids[i]));
		EXPECT_EQ(0, wait_blocked_tasks(fd, 0, N - 1 - i));
	}
	close(order[0]);
	close(order[1]);
	close(fd);
}

TEST(waiting_senders_are_served_fifo)
{
	enum { N = 4 };
	unsigned int prio;
	char buf[16];
	int fd = new_mq(1, 16), i;
	pid_t pids[N];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "-", 0));
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			char c = 'a' + i;

			/* Different priorities: order is by arrival anyway. */
			_exit(kipc_mq_send(fd, &c, 1, N - i) ? 1 : 0);
		}
		ASSERT_EQ(0, wait_blocked_tasks(fd, i + 1, 0));
	}
	ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), &prio));
	EXPECT_EQ('-', buf[0]);
	for (i = 0; i < N; i++) {
		EXPECT_EQ(0, reap(pids[i]));
		ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), &prio));
		EXPECT_EQ('a' + i, buf[0]);
		EXPECT_EQ(N - i, prio);
	}
	close(fd);
}

/* mq_timedsend01's SEND_SIGINT case, and the same for receive. */
TEST(signal_interrupts_send_and_receive_with_eintr)
{
	int fd = new_mq(1, 16), result[2], err;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd, 1));
	ASSERT_EQ(0, pipe(result));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[16];

		catch_signal(SIGUSR1, 0);
		err = send_str(fd, "x", 0) ? errno : 0;
		if (write(result[1], &err, sizeof(err)) != sizeof(err))
			_exit(2);
		if (kipc_mq_receive(fd, buf, 16, NULL) != 4)	/* "fill" */
			_exit(3);
		err = kipc_mq_receive(fd, buf, 16, NULL) < 0 ? errno : 0;
		_exit(err == EINTR ? 0 : 4);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 1, 0));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	err = -1;
	ASSERT_EQ(sizeof(err), read(result[0], &err, sizeof(err)));
	EXPECT_EQ(EINTR, err);
	/* Nothing was sent. */
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	EXPECT_EQ(0, curmsgs(fd));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, curmsgs(fd));
	close(result[0]);
	close(result[1]);
	close(fd);
}

TEST(sa_restart_restarts_a_blocked_receive)
{
	int fd = new_mq(1, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[16];

		catch_signal(SIGUSR1, SA_RESTART);
		_exit(kipc_mq_receive(fd, buf, 16, NULL) == 1 ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	usleep(100000);
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST(sigkill_of_blocked_senders_and_receivers_leaves_the_queue_sound)
{
	pid_t sender, receiver;
	char buf[16];
	int full = new_mq(1, 16), empty = new_mq(1, 16);

	ASSERT_LE(0, full);
	ASSERT_LE(0, empty);
	ASSERT_EQ(0, send_str(full, "kept", 4));
	sender = fork();
	ASSERT_LE(0, sender);
	if (sender == 0)
		_exit(send_str(full, "never", 0) ? 1 : 0);
	receiver = fork();
	ASSERT_LE(0, receiver);
	if (receiver == 0)
		_exit(kipc_mq_receive(empty, buf, 16, NULL) < 0 ? 1 : 0);
	ASSERT_EQ(0, wait_blocked_tasks(full, 1, 0));
	ASSERT_EQ(0, wait_blocked_tasks(empty, 0, 1));
	ASSERT_EQ(0, kill(sender, SIGKILL));
	ASSERT_EQ(0, kill(receiver, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, reap(sender));
	EXPECT_EQ(128 + SIGKILL, reap(receiver));
	EXPECT_EQ(0, wait_blocked_tasks(full, 0, 0));
	EXPECT_EQ(0, wait_blocked_tasks(empty, 0, 0));
	/* The killed sender's message was never queued; "kept" is there. */
	EXPECT_EQ(4, recv_now(full, buf, sizeof(buf), NULL));
	EXPECT_EQ(-1, recv_now(full, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, send_str(empty, "ok", 0));
	EXPECT_EQ(2, recv_now(empty, buf, sizeof(buf), NULL));
	close(full);
	close(empty);
}

/*
 * poll and epoll.
 */

TEST(poll_reports_pollin_when_not_empty_and_pollout_when_not_full)
{
	struct pollfd pfd;
	char buf[16];
	int fd = new_mq(2, 16);

	ASSERT_LE(0, fd);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(0, send_str(fd, "x", 0));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);
	ASSERT_EQ(0, send_str(fd, "y", 0));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), NULL));
	ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), NULL));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	close(fd);
}

struct later {
	int fd;
	bool send;
};

static void *act_later(void *arg)
{
	struct later *l = arg;
	char buf[16];

	usleep(200000);
	if (l->send)
		send_str(l->fd, "x", 0);
	else
		recv_now(l->fd, buf, sizeof(buf), NULL);
	return NULL;
}

TEST(epoll_wakes_on_send_to_empty_and_receive_from_full)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct later l;
	pthread_t thread;
	int fd = new_mq(1, 16), ep;

	ASSERT_LE(0, fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	l = (struct later){ .fd = fd, .send = true };
	ASSERT_EQ(0, pthread_create(&thread, NULL, act_later, &l));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 60000));
	EXPECT_EQ(EPOLLIN, ev.events);
	pthread_join(thread, NULL);

	/* Now full: wait for room. */
	ev.events = EPOLLOUT | EPOLLET;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	l.send = false;
	ASSERT_EQ(0, pthread_create(&thread, NULL, act_later, &l));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 60000));
	EXPECT_EQ(EPOLLOUT, ev.events);
	pthread_join(thread, NULL);
	close(ep);
	close(fd);
}

/*
 * Notification (LTP mq_notify01..03).
 */

#define USER_DATA	0x12345678

/* Block @sig so the tests can collect it with sigtimedwait(). */
static void block_signal(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Wait up to @ms for @sig; returns 0 and fills @info, or -1. */
static int take_signal(int sig, siginfo_t *info, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	memset(info, GARBAGE, sizeof(*info));
	return sigtimedwait(&set, info, &ts) == sig ? 0 : -1;
}

static struct sigevent sig_event(int sig, int value)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_int = value;
	return sev;
}

TEST(notify_sends_the_signal_with_si_value)
{
	struct sigevent sev = sig_event(SIGUSR1, USER_DATA);
	siginfo_t info;
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	block_signal(SIGUSR1);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	ASSERT_EQ(0, take_signal(SIGUSR1, &info, 10000));
	EXPECT_EQ(SIGUSR1, info.si_signo);
	EXPECT_EQ(SI_MESGQ, info.si_code);
	EXPECT_EQ(USER_DATA, info.si_value.sival_int);
	EXPECT_EQ(getpid(), info.si_pid);
	EXPECT_EQ(getuid(), info.si_uid);
	close(fd);
}

/*
 * Signal 0, as Linux's mq_notify takes it: a registration like any other
 * (the next one is EBUSY) that fires on the first message and sends
 * nothing, after which the queue can be registered again.
 */
TEST(notify_with_signal_zero_registers_and_sends_nothing)
{
	struct sigevent sev = sig_event(0, 0), other = sig_event(SIGUSR1, 0);
	siginfo_t info;
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	block_signal(SIGUSR1);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	EXPECT_EQ(-1, kipc_mq_notify(fd, &other));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, send_str(fd, "x", 0));
	/* It fired: the queue is free to register again, and fires that. */
	ASSERT_EQ(0, kipc_mq_notify(fd, &other));
	{
		char buf[16];

		ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), NULL));
	}
	ASSERT_EQ(0, send_str(fd, "y", 0));
	ASSERT_EQ(0, take_signal(SIGUSR1, &info, 10000));
	close(fd);
}

TEST(notify_with_a_pointer_value)
{
	struct sigevent sev = sig_event(SIGUSR2, 0);
	siginfo_t info;
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	sev.sigev_value.sival_ptr = &sev;
	block_signal(SIGUSR2);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	ASSERT_EQ(0, take_signal(SIGUSR2, &info, 10000));
	EXPECT_EQ(&sev, info.si_value.sival_ptr);
	close(fd);
}

/* The sender is named in si_pid, from the registrant's point of view. */
TEST(notify_names_the_sending_process)
{
	struct sigevent sev = sig_event(SIGUSR1, 7);
	siginfo_t info;
	int fd = new_mq(4, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	block_signal(SIGUSR1);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_str(fd, "x", 0) ? 1 : 0);
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, take_signal(SIGUSR1, &info, 10000));
	EXPECT_EQ(pid, info.si_pid);
	close(fd);
}

TEST(second_registration_is_ebusy)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	int fd = new_mq(4, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	/* Also for the registered process itself. */
	EXPECT_EQ(-1, kipc_mq_notify(fd, &sev));
	EXPECT_EQ(EBUSY, errno);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sigevent s = sig_event(SIGUSR1, 0);

		_exit(kipc_mq_notify(fd, &s) == -1 && errno == EBUSY ? 0 : 1);
	}
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST(notify_not_sent_when_a_receiver_takes_the_message)
{
	struct sigevent sev = sig_event(SIGUSR1, 1);
	siginfo_t info;
	char buf[16];
	int fd = new_mq(4, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	block_signal(SIGUSR1);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(kipc_mq_receive(fd, buf, 16, NULL) == 1 ? 0 : 1);
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(-1, take_signal(SIGUSR1, &info, 300));
	/* Still registered: the next message into the empty queue fires. */
	ASSERT_EQ(0, send_str(fd, "y", 0));
	EXPECT_EQ(0, take_signal(SIGUSR1, &info, 10000));
	close(fd);
}

TEST(notify_fires_once_then_can_be_registered_again)
{
	struct sigevent sev = sig_event(SIGUSR1, 3);
	siginfo_t info;
	char buf[16];
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	block_signal(SIGUSR1);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	ASSERT_EQ(0, send_str(fd, "a", 0));
	ASSERT_EQ(0, take_signal(SIGUSR1, &info, 10000));
	/* Gone after firing: emptying and filling again sends nothing. */
	ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, send_str(fd, "b", 0));
	EXPECT_EQ(-1, take_signal(SIGUSR1, &info, 300));

	/* Only the empty -> non-empty transition fires. */
	sev.sigev_value.sival_int = 4;
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	ASSERT_EQ(0, send_str(fd, "c", 0));
	EXPECT_EQ(-1, take_signal(SIGUSR1, &info, 300));
	ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), NULL));
	ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, send_str(fd, "d", 0));
	ASSERT_EQ(0, take_signal(SIGUSR1, &info, 10000));
	EXPECT_EQ(4, info.si_value.sival_int);
	close(fd);
}

/*
 * Linux's mq_notify: the registration is the process's and ends when the
 * process closes any descriptor of the queue (mqueue_flush_file()), a
 * dup or another open of it included; a child closing an inherited copy
 * does not end its parent's.
 */
TEST(notify_ends_when_its_process_closes_any_descriptor)
{
	struct sigevent sev = sig_event(SIGUSR1, 6);
	char name[64];
	siginfo_t info;
	int fd, other;
	pid_t pid;

	block_signal(SIGUSR1);
	fd = new_named_mq(uniq_name(name, sizeof(name), "mq-flush"), 4, 16);
	ASSERT_LE(0, fd);

	/* A child closing the inherited descriptor leaves it in place. */
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(fd);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(-1, kipc_mq_notify(fd, &sev));
	EXPECT_EQ(EBUSY, errno);

	/* Closing a dup ends it: nothing fires, and the queue is free. */
	close(dup(fd));
	ASSERT_EQ(0, send_str(fd, "a", 0));
	EXPECT_EQ(-1, take_signal(SIGUSR1, &info, 300));
	{
		char buf[16];

		ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), NULL));
	}
	/* So does closing another open of the same name. */
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	other = kipc_open(name, KIPC_MQ, O_RDONLY, 0, NULL);
	ASSERT_LE(0, other);
	close(other);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	ASSERT_EQ(0, send_str(fd, "b", 0));
	ASSERT_EQ(0, take_signal(SIGUSR1, &info, 10000));
	EXPECT_EQ(6, info.si_value.sival_int);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

/* As mq_notify(2): the sigevent is looked at before the descriptor. */
TEST(bad_sigevent_is_einval_before_a_bad_descriptor)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD };

	EXPECT_EQ(-1, kipc_mq_notify(-1, &sev));
	EXPECT_EQ(EINVAL, errno);
	sev = sig_event(_NSIG + 1, 0);
	EXPECT_EQ(-1, kipc_mq_notify(-1, &sev));
	EXPECT_EQ(EINVAL, errno);
	sev = sig_event(SIGUSR1, 0);
	EXPECT_EQ(-1, kipc_mq_notify(-1, &sev));
	EXPECT_EQ(EBADF, errno);
}

TEST(sigev_none_registers_without_sending)
{
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	struct sigevent sev = sig_event(SIGUSR1, 5);
	siginfo_t info;
	int fd = new_mq(4, 16);

	ASSERT_LE(0, fd);
	block_signal(SIGUSR1);
	ASSERT_EQ(0, kipc_mq_notify(fd, &none));
	EXPECT_EQ(-1, kipc_mq_notify(fd, &sev));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, send_str(fd, "x", 0));
	EXPECT_EQ(-1, take_signal(SIGUSR1, &info, 300));
	/* It fired (silently) and is gone. */
	EXPECT_EQ(0, kipc_mq_notify(fd, &sev));
	close(fd);
}

/* mq_notify03: register, unregister, register again, and it fires. */
TEST(unregister_then_register_again)
{
	struct sigevent sev = sig_event(SIGUSR1, 6);
	siginfo_t info;
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	block_signal(SIGUSR1);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	ASSERT_EQ(0, kipc_mq_notify(fd, NULL));
	/* Unregistering when nothing is registered is fine too. */
	ASSERT_EQ(0, kipc_mq_notify(fd, NULL));
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	ASSERT_EQ(0, send_str(fd, "hello", 1));
	ASSERT_EQ(0, take_signal(SIGUSR1, &info, 10000));
	EXPECT_EQ(6, info.si_value.sival_int);
	close(fd);
}

TEST(only_the_registered_process_can_unregister)
{
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	int fd = new_mq(1, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_mq_notify(fd, &none));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A no-op for another process, as for mq_notify(NULL). */
		if (kipc_mq_notify(fd, NULL))
			_exit(1);
		_exit(kipc_mq_notify(fd, &none) == -1 && errno == EBUSY ? 0 : 2);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, kipc_mq_notify(fd, NULL));
	EXPECT_EQ(0, kipc_mq_notify(fd, &none));
	close(fd);
}

TEST(closing_the_registering_handle_removes_the_registration)
{
	struct sigevent sev = sig_event(SIGUSR1, 8);
	siginfo_t info;
	char name[64];
	int fd, h, dupd;

	uniq_name(name, sizeof(name), "nclose");
	fd = new_named_mq(name, 2, 16);
	ASSERT_LE(0, fd);
	block_signal(SIGUSR1);
	h = kipc_open(name, KIPC_MQ, O_RDONLY, 0, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, kipc_mq_notify(h, &sev));
	/*
	 * Closing the handle ends it: the first close by this process,
	 * here of a dup (see notify_ends_when_its_process_closes_any_descriptor),
	 * and in any case the last one.
	 */
	dupd = dup(h);
	ASSERT_LE(0, dupd);
	close(dupd);
	close(h);
	/* Gone: nothing fires, and another registration is accepted. */
	ASSERT_EQ(0, send_str(fd, "x", 0));
	EXPECT_EQ(-1, take_signal(SIGUSR1, &info, 300));
	EXPECT_EQ(0, kipc_mq_notify(fd, &sev));
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

/* mq_notify02 and more: bad sigevents and raw arguments. */
TEST(bad_notification_is_einval)
{
	struct kipc_mq_notify n;
	struct sigevent sev;
	int fd = new_mq(1, 16);

	ASSERT_LE(0, fd);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = -1;
	EXPECT_EQ(-1, kipc_mq_notify(fd, &sev));
	EXPECT_EQ(EINVAL, errno);
	sev = sig_event(_NSIG + 1, 0);
	EXPECT_EQ(-1, kipc_mq_notify(fd, &sev));
	EXPECT_EQ(EINVAL, errno);
	sev = sig_event(-1, 0);
	EXPECT_EQ(-1, kipc_mq_notify(fd, &sev));
	EXPECT_EQ(EINVAL, errno);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	EXPECT_EQ(-1, kipc_mq_notify(fd, &sev));
	EXPECT_EQ(EINVAL, errno);

	struct { uint32_t how, signo; uint64_t value; } cases[] = {
		{ 3, 0, 0 },				/* unknown how */
		{ KIPC_MQ_NOTIFY_SIGNAL, _NSIG, 0 },
		{ KIPC_MQ_NOTIFY_NONE, SIGUSR1, 0 },	/* signal unused */
		{ KIPC_MQ_NOTIFY_NONE, 0, 1 },
		{ KIPC_MQ_NOTIFY_OFF, SIGUSR1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = (struct kipc_mq_notify){ cases[i].how, cases[i].signo,
					     cases[i].value };
		EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_NOTIFY, &n)) TH_LOG("%zu", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%zu", i);
	}
	/* None of that registered anything. */
	EXPECT_EQ(0, kipc_mq_notify(fd, &(struct sigevent){
		.sigev_notify = SIGEV_NONE }));
	close(fd);
}

static volatile pid_t handler_tid;
static volatile int handler_value;

static void record_handler(int sig, siginfo_t *info, void *ctx)
{
	(void)sig;
	(void)ctx;
	handler_value = info->si_value.sival_int;
	handler_tid = syscall(SYS_gettid);
}

static void *unblocked_thread(void *arg)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	*(pid_t *)arg = syscall(SYS_gettid);
	while (!handler_tid)
		usleep(1000);
	return NULL;
}

/* Like a process-directed signal: a thread that does not block it gets it. */
TEST(notify_goes_to_a_thread_that_does_not_block_the_signal)
{
	struct sigaction sa = { .sa_sigaction = record_handler,
				.sa_flags = SA_SIGINFO };
	struct sigevent sev = sig_event(SIGUSR2, 99);
	volatile pid_t tid = 0;
	pthread_t thread;
	int fd = new_mq(1, 16), i;

	ASSERT_LE(0, fd);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	block_signal(SIGUSR2);
	ASSERT_EQ(0, pthread_create(&thread, NULL, unblocked_thread,
				    (void *)&tid));
	while (!tid)
		usleep(1000);
	ASSERT_EQ(0, kipc_mq_notify(fd, &sev));
	ASSERT_EQ(0, send_str(fd, "x", 0));
	for (i = 0; i < 6000 && !handler_tid; i++)
		usleep(10000);
	pthread_join(thread, NULL);
	EXPECT_EQ(tid, handler_tid);
	EXPECT_EQ(99, handler_value);
	close(fd);
}

/*
 * Batches.
 */

TEST(batch_send_and_receive_round_trip)
{
	enum { N = 40 };
	struct kipc_mq_msg out[N], in[N + 5];
	char payload[N][16], bufs[N + 5][16];
	int fd = new_mq(64, 16), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < N; i++) {
		snprintf(payload[i], 16, "m%d", i);
		out[i] = (struct kipc_mq_msg){ payload[i], strlen(payload[i]),
					       i % 3 };
	}
	EXPECT_EQ(N, kipc_mq_send_batch(fd, out, N, NULL));
	EXPECT_EQ(N, curmsgs(fd));
	for (i = 0; i < N + 5; i++) {
		memset(bufs[i], GARBAGE, 16);
		in[i] = (struct kipc_mq_msg){ bufs[i], 16, 0xdead };
	}
	/* Asking for more than there is returns what there is. */
	EXPECT_EQ(N, kipc_mq_receive_batch(fd, in, N + 5, NULL));
	/* Priority 2 first (m2, m5, ...), then 1, then 0. */
	int k = 0, prio, j;

	for (prio = 2; prio >= 0; prio--) {
		for (j = prio; j < N; j += 3, k++) {
			EXPECT_EQ(prio, in[k].prio);
			EXPECT_EQ(strlen(payload[j]), in[k].len);
			EXPECT_EQ(0, memcmp(bufs[k], payload[j], in[k].len));
		}
	}
	/* Items past the count are left alone. */
	EXPECT_EQ(16, in[N].len);
	EXPECT_EQ(0xdead, in[N].prio);
	close(fd);
}

TEST(batch_send_stops_when_the_queue_is_full)
{
	struct kipc_mq_msg m[10];
	int fd = new_mq(4, 16), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 10; i++)
		m[i] = (struct kipc_mq_msg){ "x", 1, 0 };
	/* Blocking: only the first item may wait, the rest do not. */
	EXPECT_EQ(4, kipc_mq_send_batch(fd, m, 10, NULL));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, kipc_mq_send_batch(fd, m, 10, NULL));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST(batch_receive_waits_for_the_first_message_only)
{
	int fd = new_mq(4, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char bufs[8][16];
		struct kipc_mq_msg m[8];
		int i;

		for (i = 0; i < 8; i++)
			m[i] = (struct kipc_mq_msg){ bufs[i], 16, 0 };
		_exit(kipc_mq_receive_batch(fd, m, 8, NULL) == 1 &&
		      m[0].len == 3 && m[0].prio == 4 ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, send_str(fd, "one", 4));
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST(batch_receive_by_type)
{
	struct kipc_mq_item items[4];
	struct kipc_mq_batch b;
	char bufs[4][16];
	int fd = typed_queue(), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 4; i++) {
		items[i] = (struct kipc_mq_item){
			.buf = (uintptr_t)bufs[i], .len = 16,
		};
		memset(&items[i].prio, GARBAGE, sizeof(items[i].prio));
	}
	b = (struct kipc_mq_batch){
		.items = (uintptr_t)items, .count = 4,
		.flags = KIPC_MQ_SEL_AT_MOST | KIPC_MQ_NONBLOCK, .sel_prio = 5,
	};
	EXPECT_EQ(3, ioctl(fd, KIPC_IOC_MQ_RECEIVE_BATCH, &b));
	EXPECT_EQ(5, items[0].prio);
	EXPECT_EQ('b', bufs[0][0]);
	EXPECT_EQ(5, items[1].prio);
	EXPECT_EQ('c', bufs[1][0]);
	EXPECT_EQ(1, items[2].prio);
	EXPECT_EQ(1, items[2].len);
	EXPECT_EQ(1, curmsgs(fd));	/* "d" at 9 */
	close(fd);
}

TEST(batch_argument_checks)
{
	struct kipc_mq_item items[2] = {
		{ .buf = (uintptr_t)"ab", .len = 2, .prio = 1 },
		{ .buf = (uintptr_t)"cd", .len = 2, .prio = 1 },
	};
	struct kipc_mq_batch b;
	int fd = new_mq(8, 16), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 6; i++) {
		b = (struct kipc_mq_batch){ .items = (uintptr_t)items,
					    .count = 2 };
		switch (i) {
		case 0: b.count = 0; break;
		case 1: b.count = KIPC_MQ_BATCH_MAX + 1; break;
		case 2: b.pad = 1; break;
		case 3: b.flags = KIPC_MQ_SEL_EXACT; break;
		case 4: b.sel_prio = 1; break;
		case 5: b.timeout = 1; break;
		}
		EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_SEND_BATCH, &b)) TH_LOG("%d", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%d", i);
	}
	EXPECT_EQ(0, curmsgs(fd));

	/* A bad first item fails the call; a bad later one ends it. */
	b = (struct kipc_mq_batch){ .items = (uintptr_t)items, .count = 2 };
	items[0].prio = KIPC_MQ_PRIO_MAX;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_SEND_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	items[0].prio = 1;
	items[1].pad = 1;
	EXPECT_EQ(1, ioctl(fd, KIPC_IOC_MQ_SEND_BATCH, &b));
	items[1].pad = 0;
	items[1].len = 17;
	EXPECT_EQ(1, ioctl(fd, KIPC_IOC_MQ_SEND_BATCH, &b));
	items[1].len = 2;
	items[1].buf = 0;
	EXPECT_EQ(1, ioctl(fd, KIPC_IOC_MQ_SEND_BATCH, &b));
	b.items = 0;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_SEND_BATCH, &b));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(3, curmsgs(fd));

	/* Receive: buffers too small, NULL, pad. */
	char buf[16];

	items[0] = (struct kipc_mq_item){ .buf = (uintptr_t)buf, .len = 15 };
	b = (struct kipc_mq_batch){ .items = (uintptr_t)items, .count = 1 };
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_RECEIVE_BATCH, &b));
	EXPECT_EQ(EMSGSIZE, errno);
	items[0] = (struct kipc_mq_item){ .buf = 0, .len = 16 };
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_RECEIVE_BATCH, &b));
	EXPECT_EQ(EFAULT, errno);
	items[0] = (struct kipc_mq_item){ .buf = (uintptr_t)buf, .len = 16,
					  .pad = 1 };
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_RECEIVE_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.flags = KIPC_MQ_SEL;
	items[0].pad = 0;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_MQ_RECEIVE_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(3, curmsgs(fd));
	close(fd);
}

/*
 * Stat.
 */

TEST(stat_counts_messages_bytes_and_blocked_tasks)
{
	struct kipc_stat st;
	char buf[16];
	int fd = new_mq(3, 16);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "abc", 1));
	ASSERT_EQ(0, send_str(fd, "de", 2));
	ASSERT_EQ(0, send_str(fd, "f", 3));
	ASSERT_EQ(3, recv_now(fd, buf, sizeof(buf), NULL) +
		     recv_now(fd, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(3, st.capacity);
	EXPECT_EQ(1, st.fill);
	EXPECT_EQ(3, st.high_water);
	EXPECT_EQ(3, st.in_ops);
	EXPECT_EQ(6, st.in_bytes);
	EXPECT_EQ(2, st.out_ops);
	EXPECT_EQ(3, st.out_bytes);
	EXPECT_EQ(0, st.blocked_in);
	EXPECT_EQ(0, st.blocked_out);

	ASSERT_EQ(0, fill(fd, 2));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(send_str(fd, "blocked", 0) ? 1 : 0);
	EXPECT_EQ(0, wait_blocked_tasks(fd, 1, 0));
	ASSERT_EQ(3, recv_now(fd, buf, sizeof(buf), NULL));	/* "abc" */
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(3, st.fill);
	EXPECT_EQ(6, st.in_ops);
	EXPECT_EQ(0, st.blocked_in);
	close(fd);
}

/* A named queue: one process sends, another opens it by name. */
TEST(named_queue_between_processes)
{
	char name[64], buf[16];
	unsigned int prio;
	int fd;
	pid_t pid;

	uniq_name(name, sizeof(name), "named");
	fd = new_named_mq(name, 4, 16);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int w = kipc_open(name, KIPC_MQ, O_WRONLY, 0, NULL);

		_exit(w >= 0 && !send_str(w, "from child", 11) ? 0 : 1);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(10, kipc_mq_receive(fd, buf, sizeof(buf), &prio));
	EXPECT_EQ(11, prio);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

/*
 * Left behind on purpose: a named queue holding messages in several
 * leaves, with a spare leaf. The module unload at the end of the run must
 * free it all (kmemleak checks that on the debug kernel).
 */
TEST(named_queue_with_messages_is_left_for_the_unload)
{
	char name[64], buf[16];
	int fd;

	uniq_name(name, sizeof(name), "left");
	fd = new_named_mq(name, 8, 16);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_str(fd, "a", 0));
	ASSERT_EQ(0, send_str(fd, "b", 0));
	ASSERT_EQ(0, send_str(fd, "c", 1000));
	ASSERT_EQ(0, send_str(fd, "d", PRIO_TOP));
	ASSERT_EQ(1, recv_now(fd, buf, sizeof(buf), NULL));	/* a spare leaf */
	EXPECT_EQ(3, curmsgs(fd));
	close(fd);
}

/*
 * Stress: P producers and C consumers over a small queue, so both sides
 * keep blocking. 100k messages, the number: under TCG (no KVM) on
 * a loaded 2-core host 20k took 1-2 s, so 100k stays well under two
 * minutes there, and under the debug kernel's KASAN and lockdep too. Each
 * message carries its producer, sequence number, priority and a checksum
 * of a payload of varying length. Checked: every message arrives exactly
 * once and intact, and each consumer sees each producer's messages of one
 * priority in the order they were sent. Half the producers and consumers
 * use the batch calls.
 */
#define STRESS_TOTAL	100000
#define STRESS_P	4
#define STRESS_C	4
#define STRESS_PER_P	(STRESS_TOTAL / STRESS_P)
#define STRESS_MSGSIZE	64

struct stress_msg {
	uint16_t producer;
	uint16_t prio;
	uint32_t seq;
	uint32_t sum;
	uint8_t len;
	uint8_t data[STRESS_MSGSIZE - 13];
} __attribute__((packed));

struct stress_shared {
	uint32_t seen[STRESS_P][STRESS_PER_P];
	uint32_t received;
	uint32_t bad;
};

static uint32_t stress_sum(const struct stress_msg *m)
{
	uint32_t sum = m->producer * 31 + m->prio * 7 + m->seq;
	int i;

	for (i = 0; i < m->len; i++)
		sum = sum * 33 + m->data[i];
	return sum;
}

static int stress_produce(int fd, int p)
{
	struct kipc_mq_msg batch[8];
	struct stress_msg msgs[8];
	uint32_t seq = 0, state = p * 2654435761u + 1;
	int n, i, sent;

	while (seq < STRESS_PER_P) {
		n = p % 2 ? 8 : 1;
		if (n > STRESS_PER_P - (int)seq)
			n = STRESS_PER_P - seq;
		for (i = 0; i < n; i++) {
			struct stress_msg *m = &msgs[i];

			state = state * 1103515245 + 12345;
			m->producer = p;
			/* Mostly a few priorities (FIFO matters), some spread. */
			m->prio = state % 16 ? (state >> 8) % 4 : (state >> 8) % 32768;
			m->seq = seq + i;
			m->len = (state >> 16) % sizeof(m->data);
			memset(m->data, m->seq & 0xff, m->len);
			m->sum = stress_sum(m);
			batch[i] = (struct kipc_mq_msg){
				m, offsetof(struct stress_msg, data) + m->len,
				m->prio,
			};
		}
		if (n == 1) {
			if (kipc_mq_send(fd, batch[0].buf, batch[0].len,
					 batch[0].prio))
				return 1;
			sent = 1;
		} else {
			sent = kipc_mq_send_batch(fd, batch, n, NULL);
			if (sent <= 0)
				return 2;
		}
		seq += sent;
	}
	return 0;
}

static int stress_check(struct stress_shared *sh, const struct stress_msg *m,
			size_t len, unsigned int prio,
			int64_t last[STRESS_P][4])
{
	if (len < offsetof(struct stress_msg, data) ||
	    len != offsetof(struct stress_msg, data) + m->len ||
	    m->producer >= STRESS_P || m->seq >= STRESS_PER_P ||
	    m->prio != prio || m->sum != stress_sum(m))
		return -1;
	__atomic_fetch_add(&sh->seen[m->producer][m->seq], 1, __ATOMIC_RELAXED);
	/* Order per producer within the small priorities, for this consumer. */
	if (prio < 4) {
		if ((int64_t)m->seq <= last[m->producer][prio])
			return -1;
		last[m->producer][prio] = m->seq;
	}
	__atomic_fetch_add(&sh->received, 1, __ATOMIC_RELAXED);
	return 0;
}

static int stress_consume(int fd, int c, struct stress_shared *sh)
{
	int64_t last[STRESS_P][4];
	char bufs[8][STRESS_MSGSIZE];
	struct kipc_mq_msg batch[8];
	struct timespec ts;
	int n, i;

	/* A producer that died would leave the others waiting for ever. */
	uint64_t give_up = mono_ns() + 400 * 1000000000ull;

	memset(last, 0xff, sizeof(last));	/* -1 */
	while (__atomic_load_n(&sh->received, __ATOMIC_RELAXED) < STRESS_TOTAL) {
		if (mono_ns() > give_up)
			return 3;
		ts = mono_in_ms(100);
		if (c % 2) {
			for (i = 0; i < 8; i++)
				batch[i] = (struct kipc_mq_msg){
					bufs[i], STRESS_MSGSIZE, 0 };
			n = kipc_mq_receive_batch(fd, batch, 8, &ts);
		} else {
			n = kipc_mq_timedreceive(fd, bufs[0], STRESS_MSGSIZE,
						 &batch[0].prio, &ts);
			batch[0].len = n;
			n = n < 0 ? -1 : 1;
		}
		if (n < 0) {
			if (errno == ETIMEDOUT)
				continue;
			return 1;
		}
		for (i = 0; i < n; i++) {
			struct stress_msg m;

			memset(&m, 0, sizeof(m));
			memcpy(&m, bufs[i], batch[i].len);
			if (stress_check(sh, &m, batch[i].len, batch[i].prio,
					 last)) {
				__atomic_fetch_add(&sh->bad, 1, __ATOMIC_RELAXED);
				return 2;
			}
		}
	}
	return 0;
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, producers_and_consumers_lose_and_duplicate_nothing, 600)
{
	struct stress_shared *sh;
	pid_t pids[STRESS_P + STRESS_C];
	struct kipc_stat st;
	uint64_t start;
	int fd = new_mq(16, STRESS_MSGSIZE), i, p, s;

	ASSERT_LE(0, fd);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	start = mono_ns();
	for (i = 0; i < STRESS_P + STRESS_C; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(i < STRESS_P ? stress_produce(fd, i) :
			      stress_consume(fd, i - STRESS_P, sh));
	}
	for (i = 0; i < STRESS_P + STRESS_C; i++)
		EXPECT_EQ(0, reap(pids[i])) TH_LOG("child %d", i);
	TH_LOG("%d messages in %.1f s", STRESS_TOTAL,
	       (mono_ns() - start) / 1e9);

	EXPECT_EQ(0, sh->bad);
	EXPECT_EQ(STRESS_TOTAL, sh->received);
	for (p = 0; p < STRESS_P; p++)
		for (s = 0; s < STRESS_PER_P; s++)
			if (sh->seen[p][s] != 1) {
				EXPECT_EQ(1, sh->seen[p][s])
					TH_LOG("producer %d seq %d", p, s);
				goto out;
			}
out:
	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(STRESS_TOTAL, st.in_ops);
	EXPECT_EQ(STRESS_TOTAL, st.out_ops);
	EXPECT_EQ(0, st.fill);
	EXPECT_EQ(16, st.high_water);
	munmap(sh, sizeof(*sh));
	close(fd);
}

TEST_HARNESS_MAIN
