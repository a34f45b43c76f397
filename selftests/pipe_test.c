// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes, held to pipe(7) and LTP's pipe tests: EOF, EPIPE/SIGPIPE, EAGAIN,
 * PIPE_BUF atomicity with concurrent writers, wake-ups, poll states,
 * resizing, FIONREAD, packet mode, FIFO opens, fd passing, integrity of
 * 64 MiB with random sizes, SIGKILL and signals mid-call, and bad input.
 */
#include <limits.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "common.h"
#include "kselftest_harness.h"

#define SMALL	KIPC_PIPE_MIN_SIZE

static int fionread(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) ? -1 : n;
}

/* Fill a non-blocking pipe; returns the bytes it took. */
static size_t fill(int fd)
{
	static char buf[PIPE_BUF];
	size_t total = 0;
	ssize_t n;

	while ((n = write(fd, buf, sizeof(buf))) > 0)
		total += n;
	return total;
}

static void on_signal(int sig)
{
	(void)sig;
}

TEST(data_in_equals_data_out)
{
	char buf[32] = "";
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(5, write(fds[1], "hello", 5));
	EXPECT_EQ(5, fionread(fds[0]));
	ASSERT_EQ(5, read(fds[0], buf, sizeof(buf)));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(0, fionread(fds[0]));
	/* The ends are what they say. */
	EXPECT_EQ(-1, write(fds[0], "x", 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, read(fds[1], buf, 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, lseek(fds[0], 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(eof_when_last_writer_closes)
{
	char buf[8];
	int fds[2], dupw;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	dupw = dup(fds[1]);
	ASSERT_EQ(3, write(fds[1], "abc", 3));
	close(fds[1]);
	/* A dup is the same writer: data, then still no EOF... */
	ASSERT_EQ(3, read(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(0, fcntl(fds[0], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	/* ...until it goes too. */
	close(dupw);
	EXPECT_EQ(0, read(fds[0], buf, sizeof(buf)));
	close(fds[0]);
}

TEST(write_without_reader_is_epipe_and_sigpipe)
{
	int fds[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	close(fds[0]);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(fds[1], "x", 1);
		_exit(0);
	}
	EXPECT_EQ(128 + SIGPIPE, reap(pid));

	signal(SIGPIPE, SIG_IGN);
	EXPECT_EQ(-1, write(fds[1], "x", 1));
	EXPECT_EQ(EPIPE, errno);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
}

TEST(full_nonblocking_pipe_is_eagain)
{
	char buf[PIPE_BUF];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, SMALL, O_NONBLOCK));
	EXPECT_EQ(SMALL, fill(fds[1]));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(SMALL, fionread(fds[0]));
	ASSERT_EQ(PIPE_BUF, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(PIPE_BUF, write(fds[1], buf, sizeof(buf)));
	close(fds[0]);
	close(fds[1]);
}

TEST(write_up_to_pipe_buf_is_all_or_nothing)
{
	static char buf[2 * PIPE_BUF];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, SMALL, O_NONBLOCK));
	/* Leave 100 bytes of room. */
	ASSERT_EQ(PIPE_BUF, write(fds[1], buf, PIPE_BUF));
	ASSERT_EQ(PIPE_BUF - 100, write(fds[1], buf, PIPE_BUF - 100));
	EXPECT_EQ(-1, write(fds[1], buf, 200));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(SMALL - 100, fionread(fds[0]));
	EXPECT_EQ(100, write(fds[1], buf, 100));
	close(fds[0]);
	close(fds[1]);
}

TEST(nonblocking_write_above_pipe_buf_is_partial)
{
	static char buf[10000];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, SMALL, O_NONBLOCK));
	EXPECT_EQ(SMALL, write(fds[1], buf, sizeof(buf)));
	close(fds[0]);
	close(fds[1]);
}

/*
 * Writers send records tagged (writer, sequence) through one pipe; every
 * PIPE_BUF-aligned block of the stream must come from one write of one
 * writer, and each writer's records must arrive in order.
 */
struct record {
	uint32_t writer;
	uint32_t seq;
	uint32_t fill[PIPE_BUF / 4 - 2];
};

static void make_record(struct record *r, uint32_t writer, uint32_t seq)
{
	size_t i;

	r->writer = writer;
	r->seq = seq;
	for (i = 0; i < sizeof(r->fill) / 4; i++)
		r->fill[i] = writer * 2654435761u ^ seq ^ i;
}

static int record_ok(const struct record *r)
{
	size_t i;

	for (i = 0; i < sizeof(r->fill) / 4; i++)
		if (r->fill[i] != (r->writer * 2654435761u ^ r->seq ^ i))
			return 0;
	return 1;
}

/* Each write() carries @per_write records; the reader checks the stream. */
static void concurrent_writers(struct __test_metadata *_metadata,
			       int writers, int records, int per_write)
{
	uint32_t next[16] = { 0 };
	struct record *batch, got;
	int fds[2], i, total;
	pid_t pids[16];

	ASSERT_EQ(0, kipc_pipe(fds, SMALL * 2, 0));
	for (i = 0; i < writers; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			close(fds[0]);
			batch = calloc(per_write, sizeof(*batch));
			for (int s = 0; s < records; s += per_write) {
				for (int k = 0; k < per_write; k++)
					make_record(&batch[k], i, s + k);
				if (write(fds[1], batch, per_write * sizeof(*batch)) !=
				    (ssize_t)(per_write * sizeof(*batch)))
					_exit(1);
			}
			_exit(0);
		}
	}
	close(fds[1]);

	for (total = 0;; total++) {
		size_t have = 0;
		ssize_t n;

		while (have < sizeof(got)) {
			n = read(fds[0], (char *)&got + have, sizeof(got) - have);
			if (n <= 0)
				break;
			have += n;
		}
		if (have == 0)
			break;
		ASSERT_EQ(sizeof(got), have);
		ASSERT_GT(writers, (int)got.writer);
		ASSERT_TRUE(record_ok(&got)) TH_LOG("torn record %d", total);
		ASSERT_EQ(next[got.writer], got.seq);
		next[got.writer]++;
	}
	EXPECT_EQ(writers * records, total);
	for (i = 0; i < writers; i++)
		EXPECT_EQ(0, reap(pids[i]));
	close(fds[0]);
}

FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, pipe_buf_writes_are_atomic_with_8_writers, 300)
{
	concurrent_writers(_metadata, 8, 256, 1);
}

TEST_F_TIMEOUT(slow, large_writes_interleave_only_at_pipe_buf, 300)
{
	concurrent_writers(_metadata, 4, 256, 16);
}

TEST(last_writer_close_wakes_every_reader)
{
	enum { N = 3 };
	int fds[2], i;
	pid_t pids[N];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			char c;

			close(fds[1]);
			_exit(read(fds[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	ASSERT_EQ(0, wait_blocked_tasks(fds[0], 0, N));
	close(fds[1]);
	for (i = 0; i < N; i++)
		EXPECT_EQ(0, reap(pids[i]));
	close(fds[0]);
}

static short revents(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&pfd, 1, 0) < 0 ? -1 : pfd.revents;
}

TEST(poll_states)
{
	char buf[PIPE_BUF];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, SMALL, O_NONBLOCK));
	EXPECT_EQ(0, revents(fds[0]));
	EXPECT_EQ(POLLOUT, revents(fds[1]));
	ASSERT_EQ(1, write(fds[1], "x", 1));
	EXPECT_EQ(POLLIN, revents(fds[0]));
	/* Less than PIPE_BUF of room: not writable. */
	fill(fds[1]);
	EXPECT_EQ(0, revents(fds[1]));
	ASSERT_EQ(PIPE_BUF, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(POLLOUT, revents(fds[1]));
	close(fds[1]);
	EXPECT_EQ(POLLIN | POLLHUP, revents(fds[0]));
	while (read(fds[0], buf, sizeof(buf)) > 0)
		;
	EXPECT_EQ(POLLHUP, revents(fds[0]));
	close(fds[0]);

	ASSERT_EQ(0, kipc_pipe(fds, SMALL, 0));
	close(fds[0]);
	EXPECT_EQ(POLLOUT | POLLERR, revents(fds[1]));
	close(fds[1]);
}

TEST(edge_triggered_epoll_fires_on_every_write)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int fds[2], ep;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(1, write(fds[1], "a", 1));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* New data without a read in between is a new edge. */
	ASSERT_EQ(1, write(fds[1], "b", 1));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	close(ep);
	close(fds[0]);
	close(fds[1]);
}

TEST(resize_rules)
{
	char buf[3 * PIPE_BUF], out[3 * PIPE_BUF];
	struct kipc_stat st;
	int fds[2];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7;
	ASSERT_EQ(0, kipc_pipe(fds, 4 * SMALL, O_NONBLOCK));
	ASSERT_EQ(sizeof(buf), write(fds[1], buf, sizeof(buf)));

	/* Smaller than what it holds. */
	EXPECT_EQ(-1, kipc_pipe_setsize(fds[1], SMALL));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, kipc_pipe_setsize(fds[1], 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, kipc_pipe_setsize(fds[1], param_get("pipe_max_size") + 1));
	EXPECT_EQ(EINVAL, errno);
	/* Resizing charges the owner: a write, refused to the read end. */
	EXPECT_EQ(-1, kipc_pipe_setsize(fds[0], 8 * SMALL));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, raw_stat(fds[0], &st));
	EXPECT_EQ(4 * SMALL, st.capacity);
	/* Rounded up to a power of two; data kept, in order. */
	EXPECT_EQ(2 * SMALL, kipc_pipe_setsize(fds[1], SMALL + 1));
	ASSERT_EQ(0, raw_stat(fds[0], &st));
	EXPECT_EQ(2 * SMALL, st.capacity);
	EXPECT_EQ(sizeof(buf), st.fill);
	EXPECT_EQ(8 * SMALL, kipc_pipe_setsize(fds[1], 8 * SMALL));
	ASSERT_EQ(sizeof(out), read(fds[0], out, sizeof(out)));
	EXPECT_EQ(0, memcmp(buf, out, sizeof(buf)));
	close(fds[0]);
	close(fds[1]);
}

/* A pipe_max_size below the default shrinks the default, not the opens. */
TEST(default_capacity_follows_a_lower_pipe_max_size)
{
	long long old_max = param_get("pipe_max_size");
	int fds[2] = { -1, -1 }, ret, err, ret2, err2, stat_ret = -1;
	struct kipc_stat st = { 0 };

	if (geteuid())
		SKIP(return, "setting pipe_max_size needs root");
	ASSERT_LT(0, old_max);
	ASSERT_EQ(0, param_set("pipe_max_size", 3 * SMALL));
	ret = kipc_pipe(fds, 0, 0);
	err = errno;
	if (ret == 0)
		stat_ret = raw_stat(fds[0], &st);
	/* An explicit capacity past the limit is still refused. */
	ret2 = kipc_pipe((int [2]){ -1, -1 }, 4 * SMALL, 0);
	err2 = errno;
	/* The limit goes back before anything is asserted. */
	ASSERT_EQ(0, param_set("pipe_max_size", old_max));
	EXPECT_EQ(0, ret) TH_LOG("%s", strerror(err));
	EXPECT_EQ(0, stat_ret);
	/* The largest power of two within the limit. */
	EXPECT_EQ(2 * SMALL, st.capacity);
	EXPECT_EQ(-1, ret2);
	EXPECT_EQ(EINVAL, err2);
	if (ret == 0) {
		close(fds[0]);
		close(fds[1]);
	}
}

/*
 * Raised limits cannot make a ring reach kvmalloc()'s warning past
 * INT_MAX (a panic under panic_on_warn): 2 GiB is refused, at creation
 * and on resize.
 */
TEST(raised_limits_stop_short_of_kvmalloc_warning)
{
	long long old_max = param_get("pipe_max_size");
	long long old_bytes = param_get("max_bytes_per_user");
	int fds[2] = { -1, -1 }, big[2] = { -1, -1 }, ret, err;

	int pair_ret, resize_ret = 0, resize_err = 0;

	if (geteuid())
		SKIP(return, "setting module parameters needs root");
	if (param_set("pipe_max_size", 1LL << 31) == 0 &&
	    param_set("max_bytes_per_user", 1LL << 34) == 0) {
		ret = kipc_pipe(big, 1UL << 31, 0);
		err = errno;
		pair_ret = kipc_pipe(fds, 0, 0);
		if (pair_ret == 0) {
			resize_ret = kipc_pipe_setsize(fds[1], 1UL << 31);
			resize_err = errno;
		}
	} else {
		ret = pair_ret = -2;
		err = errno;
	}
	/* The limits go back before anything is asserted. */
	param_set("pipe_max_size", old_max);
	param_set("max_bytes_per_user", old_bytes);
	ASSERT_NE(-2, ret) TH_LOG("setting the limits: %s", strerror(err));
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINVAL, err);
	ASSERT_EQ(0, pair_ret);
	EXPECT_EQ(-1, resize_ret);
	EXPECT_EQ(EINVAL, resize_err);
	close(fds[0]);
	close(fds[1]);
	if (ret == 0) {
		close(big[0]);
		close(big[1]);
	}
}

TEST(bad_pipe_arguments)
{
	struct kipc_pipe_pair a;
	int fds[2] = { -1, -1 };

	EXPECT_EQ(-1, kipc_pipe(fds, (size_t)param_get("pipe_max_size") * 2, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, kipc_pipe(fds, 0, O_APPEND));
	EXPECT_EQ(EINVAL, errno);
	memset(&a, 0, sizeof(a));
	a.oflag = O_RDWR;
	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_PIPE, &a));
	EXPECT_EQ(EINVAL, errno);
	a.oflag = 0;
	a.flags = KIPC_F_UNDO;
	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_PIPE, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_PIPE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, fds[0]);
}

/*
 * The module writes the two descriptors where pipe2(2) would: an array it
 * cannot write, NULL included, is EFAULT, with no descriptor left open
 * and no pipe made (libkipc used to make the pair and crash storing it).
 */
TEST(pipe_fds_unwritable_is_efault_without_leak)
{
	int *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	struct kipc_pipe_pair a;
	int probe, after;

	ASSERT_NE(MAP_FAILED, ro);
	/* Both /dev/kipc descriptors opened before the probe, not during. */
	ASSERT_LE(0, dev_fd());
	ASSERT_EQ(0, kipc_version(NULL, NULL));
	probe = dup(0);
	close(probe);
	EXPECT_EQ(-1, kipc_pipe(ro, 0, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, kipc_pipe(NULL, 0, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, kipc_ring_pipe(ro, 0, 0));
	EXPECT_EQ(EFAULT, errno);
	memset(&a, 0, sizeof(a));
	a.fds = (uintptr_t)ro;
	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_PIPE, &a));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, ro[0]);
	after = dup(0);
	EXPECT_EQ(probe, after);
	close(after);
	munmap(ro, 4096);
}

TEST(packet_mode_keeps_message_boundaries)
{
	static char big[10000];
	char buf[PIPE_BUF * 2];
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, O_DIRECT | O_NONBLOCK));
	ASSERT_EQ(10, write(fds[1], "0123456789", 10));
	ASSERT_EQ(3, write(fds[1], "abc", 3));
	ASSERT_EQ(10, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
	ASSERT_EQ(3, read(fds[0], buf, sizeof(buf)));

	/* A short buffer gets the start; the rest of the message is gone. */
	ASSERT_EQ(10, write(fds[1], "0123456789", 10));
	ASSERT_EQ(2, write(fds[1], "xy", 2));
	ASSERT_EQ(4, read(fds[0], buf, 4));
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	ASSERT_EQ(2, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "xy", 2));

	/* Larger writes are split into PIPE_BUF messages. */
	ASSERT_EQ(sizeof(big), write(fds[1], big, sizeof(big)));
	EXPECT_EQ(sizeof(big), fionread(fds[0]));
	EXPECT_EQ(PIPE_BUF, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(PIPE_BUF, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(sizeof(big) - 2 * PIPE_BUF, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(-1, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(o_cloexec_is_honoured)
{
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, O_CLOEXEC));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
	close(fds[0]);
	close(fds[1]);
	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	EXPECT_EQ(0, fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	close(fds[0]);
	close(fds[1]);
}

TEST(write_end_passed_over_scm_rights)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte, buf[8];
	struct iovec iov = { .iov_base = "w", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int sv[2], fds[2], got;

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fds[1], sizeof(int));
	ASSERT_EQ(1, sendmsg(sv[0], &msg, 0));
	close(fds[1]);

	iov.iov_base = &byte;
	msg.msg_controllen = sizeof(cbuf);
	ASSERT_EQ(1, recvmsg(sv[1], &msg, 0));
	cmsg = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cmsg);
	memcpy(&got, CMSG_DATA(cmsg), sizeof(int));
	ASSERT_EQ(4, write(got, "data", 4));
	close(got);
	ASSERT_EQ(4, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "data", 4));
	EXPECT_EQ(0, read(fds[0], buf, sizeof(buf)));	/* last writer gone */
	close(sv[0]);
	close(sv[1]);
	close(fds[0]);
}

/* The byte at stream offset @i of the integrity tests. */
static inline unsigned char stream_byte(uint64_t i)
{
	uint64_t x = (i >> 3) * 0x9e3779b97f4a7c15ull;

	return (x ^ (x >> 29)) >> ((i & 7) * 8);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * 64 MiB from a child to the parent with random write and read sizes;
 * every byte is checked against the stream it must be.
 */
static void integrity(struct __test_metadata *_metadata, int nonblock)
{
	const uint64_t total = 64ull << 20;
	static unsigned char buf[1 << 16];
	uint64_t off = 0;
	uint32_t seed = 12345;
	int fds[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, 0, nonblock ? O_NONBLOCK : 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t s = 777;
		struct pollfd pfd = { .fd = fds[1], .events = POLLOUT };

		close(fds[0]);
		while (off < total) {
			size_t len = 1 + rnd(&s) % sizeof(buf), i;
			ssize_t n;

			len = len < total - off ? len : total - off;
			for (i = 0; i < len; i++)
				buf[i] = stream_byte(off + i);
			n = write(fds[1], buf, len);
			if (n < 0 && errno == EAGAIN) {
				poll(&pfd, 1, -1);
				continue;
			}
			if (n <= 0)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		size_t len = 1 + rnd(&seed) % sizeof(buf);
		ssize_t n = read(fds[0], buf, len), i;

		if (n < 0 && nonblock && errno == EAGAIN) {
			poll(&pfd, 1, -1);
			continue;
		}
		ASSERT_LE(0, n);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] != stream_byte(off + i))
				break;
		ASSERT_EQ(n, i) TH_LOG("bad byte at offset %llu",
				       (unsigned long long)(off + i));
		off += n;
	}
	EXPECT_EQ(total, off);
	EXPECT_EQ(0, reap(pid));
	close(fds[0]);
}

TEST_F_TIMEOUT(slow, integrity_64mib_blocking, 600)
{
	integrity(_metadata, 0);
}

TEST_F_TIMEOUT(slow, integrity_64mib_nonblocking_poll, 600)
{
	integrity(_metadata, 1);
}

TEST(killed_reader_or_writer_leaves_pipe_usable)
{
	char buf[PIPE_BUF];
	int fds[2];
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, SMALL, 0));
	/* A reader killed while asleep. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		read(fds[0], buf, 1);
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fds[0], 0, 1));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, reap(pid));
	ASSERT_EQ(3, write(fds[1], "abc", 3));
	ASSERT_EQ(3, read(fds[0], buf, sizeof(buf)));

	/* A writer killed while asleep on a full pipe. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char big[4 * SMALL];

		write(fds[1], big, sizeof(big));
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fds[1], 1, 0));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, reap(pid));
	/* What it wrote is whole records; the pipe goes on working. */
	EXPECT_EQ(SMALL, fionread(fds[0]));
	while (fionread(fds[0]) > 0)
		ASSERT_EQ(PIPE_BUF, read(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(2, write(fds[1], "ok", 2));
	ASSERT_EQ(2, read(fds[0], buf, sizeof(buf)));
	close(fds[0]);
	close(fds[1]);
}

TEST(signal_mid_write_returns_partial_count)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int fds[2], result[2];
	ssize_t n = 0;
	pid_t pid;

	ASSERT_EQ(0, kipc_pipe(fds, SMALL, 0));
	ASSERT_EQ(0, pipe(result));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char big[4 * SMALL];
		ssize_t w;

		sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
		w = write(fds[1], big, sizeof(big));
		write(result[1], &w, sizeof(w));
		/* And with nothing written yet: EINTR. */
		w = write(fds[1], big, 1) < 0 ? -errno : 0;
		write(result[1], &w, sizeof(w));
		_exit(0);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fds[1], 1, 0));
	kill(pid, SIGUSR1);
	ASSERT_EQ(sizeof(n), read(result[0], &n, sizeof(n)));
	EXPECT_EQ(SMALL, n);
	ASSERT_EQ(0, wait_blocked_tasks(fds[1], 1, 0));
	kill(pid, SIGUSR1);
	ASSERT_EQ(sizeof(n), read(result[0], &n, sizeof(n)));
	EXPECT_EQ(-EINTR, n);
	EXPECT_EQ(0, reap(pid));
	close(result[0]);
	close(result[1]);
	close(fds[0]);
	close(fds[1]);
}

static void *volatile null_buf;

TEST(bad_buffers_are_efault_and_change_nothing)
{
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fds[2];

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page + 4096, 4096));
	ASSERT_EQ(0, kipc_pipe(fds, 0, O_NONBLOCK));
	EXPECT_EQ(0, write(fds[1], NULL, 0));
	EXPECT_EQ(0, read(fds[0], NULL, 0));
	/* Through a volatile so the compiler lets a NULL buffer pass. */
	EXPECT_EQ(-1, write(fds[1], null_buf, 10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, fionread(fds[0]));
	/* A record crossing into the hole is not written at all. */
	EXPECT_EQ(-1, write(fds[1], page + 4000, 200));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, fionread(fds[0]));
	/* Whole records before the hole are kept; the count says so. */
	EXPECT_EQ(PIPE_BUF, write(fds[1], page, 1 << 30));
	EXPECT_EQ(PIPE_BUF, fionread(fds[0]));
	/* A read into the hole fails and leaves the data. */
	EXPECT_EQ(-1, read(fds[0], page + 4096, 100));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(PIPE_BUF, fionread(fds[0]));
	EXPECT_EQ(PIPE_BUF, read(fds[0], page, PIPE_BUF));
	close(fds[0]);
	close(fds[1]);
	munmap(page, 4096);
}

TEST(stat_counts_traffic)
{
	char buf[64];
	struct kipc_stat st;
	int fds[2];

	ASSERT_EQ(0, kipc_pipe(fds, 0, 0));
	ASSERT_EQ(5, write(fds[1], "hello", 5));
	ASSERT_EQ(6, write(fds[1], " world", 6));
	ASSERT_EQ(11, read(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(2, write(fds[1], "!!", 2));
	ASSERT_EQ(0, raw_stat(fds[1], &st));
	EXPECT_EQ(KIPC_PIPE, st.type);
	EXPECT_EQ(KIPC_PIPE_DEFAULT_SIZE, st.capacity);
	EXPECT_EQ(2, st.fill);
	EXPECT_EQ(11, st.high_water);
	EXPECT_EQ(3, st.in_ops);
	EXPECT_EQ(1, st.out_ops);
	EXPECT_EQ(13, st.in_bytes);
	EXPECT_EQ(11, st.out_bytes);
	EXPECT_EQ(2, st.handles);
	EXPECT_EQ(O_WRONLY, st.oflag);
	close(fds[0]);
	close(fds[1]);
}

/* Named pipes open like FIFOs. */
TEST(named_pipe_opens_like_a_fifo)
{
	char name[64], buf[8];
	int r, w, rw;
	pid_t pid;

	uniq_name(name, sizeof(name), "fifo");
	/* Create it without becoming a peer: O_RDWR never waits. */
	rw = kipc_open(name, KIPC_PIPE, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, rw);
	close(rw);

	/* A lone non-blocking writer is refused; a lone reader is not. */
	EXPECT_EQ(-1, kipc_open(name, KIPC_PIPE, O_WRONLY | O_NONBLOCK, 0, NULL));
	EXPECT_EQ(ENXIO, errno);
	r = kipc_open(name, KIPC_PIPE, O_RDONLY | O_NONBLOCK, 0, NULL);
	ASSERT_LE(0, r);
	EXPECT_EQ(0, read(r, buf, sizeof(buf)));	/* no writer: EOF */
	w = kipc_open(name, KIPC_PIPE, O_WRONLY | O_NONBLOCK, 0, NULL);
	ASSERT_LE(0, w);
	close(w);
	close(r);

	/* A blocking reader waits for a writer. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(300000);
		w = kipc_open(name, KIPC_PIPE, O_WRONLY, 0, NULL);
		_exit(w >= 0 && write(w, "fifo", 4) == 4 ? 0 : 1);
	}
	r = kipc_open(name, KIPC_PIPE, O_RDONLY, 0, NULL);
	ASSERT_LE(0, r);
	EXPECT_EQ(4, read(r, buf, sizeof(buf)));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, read(r, buf, sizeof(buf)));
	close(r);

	/* Opened as the wrong type. */
	EXPECT_EQ(-1, kipc_open(name, KIPC_SEM, O_RDWR, 0, NULL));
	EXPECT_EQ(EMEDIUMTYPE, errno);
	EXPECT_EQ(0, kipc_unlink(name));
}

/* The state letter of /proc/@pid/stat ('S' sleeping, 'T' stopped...). */
static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] == ' ' ? p[2] : 0;
}

/* A named pipe that an open created and then refused leaves no name. */
TEST(refused_fifo_creation_leaves_nothing_behind)
{
	char name[64];
	int fd;

	uniq_name(name, sizeof(name), "fifo-refused");
	EXPECT_EQ(-1, kipc_open(name, KIPC_PIPE, O_WRONLY | O_NONBLOCK | O_CREAT,
				0600, NULL));
	EXPECT_EQ(ENXIO, errno);
	fd = kipc_open(name, KIPC_PIPE, O_RDWR, 0, NULL);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENOENT, errno);
	if (fd >= 0) {
		close(fd);
		kipc_unlink(name);
	}
}

/* A page whose first touch waits in userfaultfd until it is resolved. */
struct stall {
	int uffd;
	char *page;
	int fd;
	ssize_t written;
};

static int stall_setup(struct stall *s)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	s->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (s->uffd < 0 || ioctl(s->uffd, UFFDIO_API, &api))
		return -1;
	s->page = mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->page == MAP_FAILED)
		return -1;
	reg.range.start = (uintptr_t)s->page;
	reg.range.len = page_size();
	return ioctl(s->uffd, UFFDIO_REGISTER, &reg);
}

static void *stalled_write(void *arg)
{
	struct stall *s = arg;

	s->written = write(s->fd, s->page, 100);
	return NULL;
}

static int open_and_unlink(void *arg)
{
	const char *name = arg;
	char other[96];
	int fd;

	/* The stalled pipe itself: its ->open and, on unlink, ->stat. */
	fd = kipc_open(name, KIPC_PIPE, O_RDWR, 0, NULL);
	if (fd < 0)
		return 1;
	close(fd);
	if (kipc_unlink(name))
		return 2;
	/* And the namespace's other names. */
	snprintf(other, sizeof(other), "%s-other", name);
	fd = kipc_open(other, KIPC_SEM, O_RDWR | O_CREAT, 0600, NULL);
	if (fd < 0)
		return 3;
	close(fd);
	return kipc_unlink(other) ? 4 : 0;
}

/*
 * A write whose user buffer never faults in (userfaultfd, as a FUSE or
 * a lazily restored page would) holds up only its own pipe: opening the
 * pipe by name, unlinking it and using other names of the namespace all
 * go on (before, the first of them waited under the registry lock for the
 * stalled write's pipe lock, and every named open and unlink behind it).
 */
TEST(stalled_user_copy_holds_up_only_its_pipe)
{
	struct stall s = { .uffd = -1 };
	struct uffdio_zeropage zero;
	struct uffd_msg msg;
	struct pollfd pfd;
	char name[64];
	pthread_t t;
	int i, status = -1;
	pid_t pid;

	if (stall_setup(&s))
		SKIP(return, "no userfaultfd here: %s", strerror(errno));
	uniq_name(name, sizeof(name), "pipe-stall");
	s.fd = kipc_open(name, KIPC_PIPE, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, s.fd);
	ASSERT_EQ(0, pthread_create(&t, NULL, stalled_write, &s));
	/* The write is inside its copy once userfaultfd reports the fault. */
	pfd.fd = s.uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 60000));
	ASSERT_EQ(sizeof(msg), read(s.uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(open_and_unlink(name));
	/* 20 s, within the harness's 30 s, for an open that takes ms. */
	for (i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	/* Let the write go on, so that a failed check still ends. */
	zero.range.start = (uintptr_t)s.page;
	zero.range.len = page_size();
	zero.mode = 0;
	EXPECT_EQ(0, ioctl(s.uffd, UFFDIO_ZEROPAGE, &zero));
	if (i == 200) {
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		TH_LOG("the open waited for the stalled write");
	}
	EXPECT_LT(i, 200);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	pthread_join(t, NULL);
	EXPECT_EQ(100, s.written);
	close(s.fd);
	close(s.uffd);
	munmap(s.page, page_size());
}

/*
 * Packet mode and the mapped ring are the pipe's, set when it was made:
 * an open of the existing pipe asking otherwise changes nothing, and stat
 * says what the pipe is, not what the open asked.
 */
TEST(creation_flags_belong_to_the_pipe)
{
	struct kipc_attr packet = { .flags = KIPC_F_PACKET };
	struct kipc_attr ring = { .flags = KIPC_F_RING };
	char name[64], buf[16];
	struct kipc_stat st;
	int fd, w;

	uniq_name(name, sizeof(name), "pipe-flags");
	fd = kipc_open(name, KIPC_PIPE, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, fd);
	w = kipc_open(name, KIPC_PIPE, O_RDWR, 0, &packet);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, raw_stat(w, &st));
	EXPECT_EQ(0, st.handle_flags);
	/* Still bytes: two writes read as one. */
	ASSERT_EQ(3, write(w, "abc", 3));
	ASSERT_EQ(3, write(w, "def", 3));
	EXPECT_EQ(6, read(fd, buf, sizeof(buf)));
	close(w);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));

	/* And the other way: a ring opened by name says it is one. */
	uniq_name(name, sizeof(name), "pipe-ring");
	fd = kipc_open(name, KIPC_PIPE, O_RDWR | O_CREAT | O_EXCL, 0600, &ring);
	ASSERT_LE(0, fd);
	w = kipc_open(name, KIPC_PIPE, O_RDWR, 0, &packet);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, raw_stat(w, &st));
	EXPECT_EQ(KIPC_F_RING, st.handle_flags);
	close(w);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

/*
 * A blocking O_CREAT | O_EXCL open that a stop and continue interrupts is
 * restarted by the kernel: it must not then find its own object (EEXIST).
 */
TEST(stopped_and_continued_fifo_creation_restarts_cleanly)
{
	char name[64], buf[8] = "";
	int w = -1, i, status;
	pid_t pid;

	uniq_name(name, sizeof(name), "fifo-restart");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r = kipc_open(name, KIPC_PIPE, O_RDONLY | O_CREAT | O_EXCL,
				  0600, NULL);

		_exit(r >= 0 && read(r, buf, 2) == 2 && !memcmp(buf, "ok", 2) ?
		      0 : r < 0 ? 10 + errno % 100 : 2);
	}
	/* Blocked in its open, waiting for a writer. */
	for (i = 0; i < 200 && proc_state(pid) != 'S'; i++)
		usleep(20000);
	usleep(100000);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	/* Stopped: its open has returned, given the name back, and will restart. */
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	/* Its restarted open makes the name again; then a writer lets it go. */
	for (i = 0; i < 100 && w < 0; i++) {
		w = kipc_open(name, KIPC_PIPE, O_WRONLY | O_NONBLOCK, 0, NULL);
		if (w < 0)
			usleep(50000);
	}
	if (w < 0)
		kill(pid, SIGKILL);
	ASSERT_LE(0, w) TH_LOG("no writer could open: %s", strerror(errno));
	EXPECT_EQ(2, write(w, "ok", 2));
	EXPECT_EQ(0, reap(pid)) TH_LOG("the restarted open failed");
	close(w);
	kipc_unlink(name);
}

TEST(pipe_creation_argument_checks)
{
	struct kipc_open a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = KIPC_PIPE;
	a.oflag = O_RDWR;
	a.value = 1;
	EXPECT_EQ(-1, raw_open(&a));
	EXPECT_EQ(EINVAL, errno);
	a.value = 0;
	a.flags = KIPC_F_UNDO;
	EXPECT_EQ(-1, raw_open(&a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = 0;
	a.capacity = 1ull << 40;
	EXPECT_EQ(-1, raw_open(&a));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
