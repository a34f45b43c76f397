// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped rings (pipes made with KIPC_F_RING): the mapping's layout and
 * permissions, mapped and unmapped ends on the same bytes (read(2),
 * write(2), poll, epoll and cat against the mapped calls), end of file,
 * EPIPE and SIGPIPE, O_NONBLOCK, timeouts and signals, zero-copy calls,
 * several writers, a writer killed holding the lock or in the middle of
 * a record, wake-ups under load, and a hostile process scribbling on the
 * shared words while others use the ring.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "common.h"
#include "kselftest_harness.h"

#define SMALL	KIPC_PIPE_MIN_SIZE

static void on_signal(int sig)
{
	(void)sig;
}

/* The descriptor to mmap an end's ring through. */
static int mapfd(int fd)
{
	return ioctl(fd, KIPC_IOC_RING_MAPFD, 0);
}

/* Map one area of @fd's ring, as kipc_ring_map() does; errno kept. */
static void *map_area(int fd, off_t off, size_t len, int prot)
{
	int m = mapfd(fd), err;
	void *p;

	if (m < 0)
		return MAP_FAILED;
	p = mmap(NULL, len, prot, MAP_SHARED, m, off);
	err = errno;
	close(m);
	errno = err;
	return p;
}

/* A ring pipe and both ends mapped: r[0] the consumer, r[1] a producer. */
static int ring_pair(int fds[2], struct kipc_ring *r[2], size_t cap,
		     int flags)
{
	if (kipc_ring_pipe(fds, cap, flags))
		return -1;
	r[0] = kipc_ring_map(fds[0]);
	r[1] = kipc_ring_map(fds[1]);
	return r[0] && r[1] ? 0 : -1;
}

static void ring_close(int fds[2], struct kipc_ring *r[2])
{
	kipc_ring_unmap(r[0]);
	kipc_ring_unmap(r[1]);
	close(fds[0]);
	close(fds[1]);
}

/* A checkable message: @seq and @id repeated in every byte's pattern. */
static void fill_msg(unsigned char *buf, size_t len, uint32_t id, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(id * 31 + seq * 7 + i);
	if (len >= 8) {
		memcpy(buf, &id, 4);
		memcpy(buf + 4, &seq, 4);
	}
}

static int check_msg(const unsigned char *buf, size_t len, uint32_t *id,
		     uint32_t *seq)
{
	size_t i;

	if (len < 8)
		return -1;
	memcpy(id, buf, 4);
	memcpy(seq, buf + 4, 4);
	for (i = 8; i < len; i++)
		if (buf[i] != (unsigned char)(*id * 31 + *seq * 7 + i))
			return -1;
	return 0;
}

TEST(layout_and_permissions)
{
	long page = page_size();
	volatile unsigned char *data;	/* two addresses, one byte */
	struct kipc_stat st;
	int fds[2], plain[2], m[2];
	void *p;

	ASSERT_EQ(0, kipc_ring_pipe(fds, SMALL, 0));
	ASSERT_EQ(0, raw_stat(fds[0], &st));
	EXPECT_EQ(SMALL, st.capacity);
	EXPECT_EQ(KIPC_F_RING, st.handle_flags);
	m[0] = mapfd(fds[0]);
	m[1] = mapfd(fds[1]);
	ASSERT_LE(0, m[0]);
	ASSERT_LE(0, m[1]);
	EXPECT_EQ(FD_CLOEXEC, fcntl(m[0], F_GETFD));
	/* The ends themselves are not mapped: mmap(2) wants O_RDWR files. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, fds[0],
				   KIPC_RING_OFF_PROD));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(fds[0], KIPC_IOC_RING_MAPFD, 1));
	EXPECT_EQ(EINVAL, errno);

	/* The writer's data mapping shows its pages twice in a row. */
	data = mmap(NULL, 2 * SMALL, PROT_READ | PROT_WRITE, MAP_SHARED,
		    m[1], KIPC_RING_OFF_DATA);
	ASSERT_NE(MAP_FAILED, data);
	data[5] = 0x5a;
	data[SMALL - 1] = 0x77;
	EXPECT_EQ(0x5a, data[SMALL + 5]);
	EXPECT_EQ(0x77, data[2 * SMALL - 1]);
	/* Neither moved nor split nor grown. */
	EXPECT_EQ(-1, munmap((void *)data + page, page));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mremap((void *)data, 2 * SMALL, 4 * SMALL,
				     MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	p = mmap(NULL, 2 * SMALL, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, mremap((void *)data, 2 * SMALL, 2 * SMALL,
				     MREMAP_MAYMOVE | MREMAP_FIXED, p));
	EXPECT_EQ(EINVAL, errno);
	munmap(p, 2 * SMALL);
	EXPECT_EQ(0x77, data[2 * SMALL - 1]);	/* still where it was */
	EXPECT_EQ(0, munmap((void *)data, 2 * SMALL));

	/* The reader's data is read-only, and stays so. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * SMALL, PROT_READ | PROT_WRITE,
				   MAP_SHARED, m[0], KIPC_RING_OFF_DATA));
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, 2 * SMALL, PROT_READ, MAP_SHARED, m[0],
		 KIPC_RING_OFF_DATA);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, 2 * SMALL, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, 2 * SMALL);

	/* Each side writes only its own page. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ | PROT_WRITE,
				   MAP_SHARED, m[0], KIPC_RING_OFF_PROD));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ | PROT_WRITE,
				   MAP_SHARED, m[1], KIPC_RING_OFF_CONS));
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, m[0],
		 KIPC_RING_OFF_CONS);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, page);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, m[0], KIPC_RING_OFF_PROD);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(SMALL, ((struct kipc_ring_prod *)p)->size);
	EXPECT_EQ(0, ((struct kipc_ring_prod *)p)->flags);
	munmap(p, page);

	/* Bad requests. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_PRIVATE, m[0],
				   KIPC_RING_OFF_PROD));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * page, PROT_READ, MAP_SHARED,
				   m[0], KIPC_RING_OFF_PROD));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, SMALL, PROT_READ, MAP_SHARED, m[0],
				   KIPC_RING_OFF_DATA));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, m[0],
				   page));
	EXPECT_EQ(EINVAL, errno);

	/* A pipe made without KIPC_F_RING has nothing to map. */
	ASSERT_EQ(0, kipc_pipe(plain, SMALL, 0));
	EXPECT_EQ(-1, mapfd(plain[0]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, kipc_ring_map(plain[0]));
	EXPECT_EQ(EINVAL, errno);
	close(plain[0]);
	close(plain[1]);

	/* A ring keeps its size. */
	EXPECT_EQ(-1, kipc_pipe_setsize(fds[1], 2 * SMALL));
	EXPECT_EQ(EBUSY, errno);
	close(m[0]);
	close(m[1]);
	close(fds[0]);
	close(fds[1]);
}

TEST(mapped_and_unmapped_ends_share_bytes)
{
	struct kipc_ring *r[2];
	char buf[64] = "";
	int fds[2];
	int n = -1;

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, 0));
	EXPECT_EQ(SMALL, kipc_ring_size(r[0]));

	/* Mapped producer, read(2) consumer. */
	ASSERT_EQ(5, kipc_ring_send(r[1], "hello", 5, NULL));
	EXPECT_EQ(0, ioctl(fds[0], FIONREAD, &n));
	EXPECT_EQ(5, n);
	ASSERT_EQ(5, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));

	/* write(2) producer, mapped consumer; bytes, not messages. */
	ASSERT_EQ(3, write(fds[1], "abc", 3));
	ASSERT_EQ(3, write(fds[1], "def", 3));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(6, kipc_ring_recv(r[0], buf, sizeof(buf), NULL));
	EXPECT_STREQ("abcdef", buf);

	/* A short read leaves the rest. */
	ASSERT_EQ(6, kipc_ring_send(r[1], "123456", 6, NULL));
	ASSERT_EQ(2, kipc_ring_recv(r[0], buf, 2, NULL));
	EXPECT_EQ(0, memcmp(buf, "12", 2));
	ASSERT_EQ(4, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "3456", 4));
	ring_close(fds, r);
}

TEST(packets_across_the_wrap)
{
	unsigned char msg[3000], buf[4096];
	struct kipc_ring *r[2];
	uint32_t id, seq, i;
	int fds[2];
	ssize_t n;

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, O_DIRECT));
	/* Sizes that land records on every offset, wrapping many times. */
	for (i = 0; i < 300; i++) {
		size_t len = 8 + (i * 37) % (sizeof(msg) - 8);

		fill_msg(msg, len, 1, i);
		switch (i % 3) {
		case 0:
			ASSERT_EQ((ssize_t)len, kipc_ring_send(r[1], msg, len, NULL));
			break;
		case 1:
			ASSERT_EQ((ssize_t)len, write(fds[1], msg, len));
			break;
		default: {
			void *at = kipc_ring_reserve(r[1], len, NULL);

			ASSERT_NE(NULL, at);
			memcpy(at, msg, len);
			ASSERT_EQ(0, kipc_ring_commit(r[1], len));
		}
		}
		if (i % 2) {
			n = read(fds[0], buf, sizeof(buf));
		} else {
			size_t got = 0;
			const void *at = kipc_ring_peek(r[0], &got, NULL);

			ASSERT_NE(NULL, at);
			memcpy(buf, at, got);
			n = got;
			ASSERT_EQ(0, kipc_ring_release(r[0], got));
		}
		ASSERT_EQ((ssize_t)len, n);
		ASSERT_EQ(0, check_msg(buf, n, &id, &seq));
		ASSERT_EQ(i, seq);
	}

	/* A message longer than the buffer: the rest is discarded. */
	fill_msg(msg, 100, 2, 0);
	ASSERT_EQ(100, kipc_ring_send(r[1], msg, 100, NULL));
	ASSERT_EQ(10, write(fds[1], msg, 10));
	ASSERT_EQ(20, kipc_ring_recv(r[0], buf, 20, NULL));
	ASSERT_EQ(10, read(fds[0], buf, sizeof(buf)));

	/* An empty message is one; peek tells it from end of file. */
	ASSERT_EQ(0, kipc_ring_send(r[1], msg, 0, NULL));
	ASSERT_EQ(1, kipc_ring_send(r[1], "z", 1, NULL));
	{
		size_t got = 99;

		EXPECT_NE(NULL, kipc_ring_peek(r[0], &got, NULL));
		EXPECT_EQ(0, got);
		EXPECT_EQ(0, kipc_ring_release(r[0], 0));
		ASSERT_EQ(1, read(fds[0], buf, sizeof(buf)));
		EXPECT_EQ('z', buf[0]);
	}

	/* What can never fit, and what makes no sense. */
	EXPECT_EQ(-1, kipc_ring_send(r[1], msg, SMALL, NULL));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(NULL, kipc_ring_reserve(r[0], 8, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, kipc_ring_commit(r[1], 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, kipc_ring_release(r[0], 8));
	EXPECT_EQ(EINVAL, errno);
	ring_close(fds, r);
}

TEST(end_of_file_and_epipe)
{
	struct kipc_ring *r[2];
	char buf[16];
	size_t len = 1;
	int fds[2];

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, 0));
	ASSERT_EQ(2, kipc_ring_send(r[1], "hi", 2, NULL));
	kipc_ring_unmap(r[1]);
	close(fds[1]);
	/* What was written before the close is read first. */
	ASSERT_EQ(2, kipc_ring_recv(r[0], buf, sizeof(buf), NULL));
	EXPECT_EQ(0, kipc_ring_recv(r[0], buf, sizeof(buf), NULL));
	EXPECT_EQ(NULL, kipc_ring_peek(r[0], &len, NULL));
	EXPECT_EQ(0, len);
	EXPECT_EQ(0, read(fds[0], buf, sizeof(buf)));
	kipc_ring_unmap(r[0]);
	close(fds[0]);

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, 0));
	kipc_ring_unmap(r[0]);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_EQ(-1, kipc_ring_send(r[1], "x", 1, NULL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(-1, write(fds[1], "x", 1));
	EXPECT_EQ(EPIPE, errno);
	signal(SIGPIPE, SIG_DFL);
	kipc_ring_unmap(r[1]);
	close(fds[1]);
}

/* The mapped producer raises SIGPIPE as write(2) does. */
TEST_SIGNAL(mapped_producer_gets_sigpipe, SIGPIPE)
{
	struct kipc_ring *w;
	int fds[2];

	ASSERT_EQ(0, kipc_ring_pipe(fds, SMALL, 0));
	w = kipc_ring_map(fds[1]);
	ASSERT_NE(NULL, w);
	close(fds[0]);
	kipc_ring_send(w, "x", 1, NULL);
}

TEST(nonblocking_and_timed)
{
	struct kipc_ring *r[2];
	struct timespec ts;
	char buf[PIPE_BUF];
	uint64_t t0;
	int fds[2];
	size_t n = 0;

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, O_NONBLOCK));
	EXPECT_EQ(-1, kipc_ring_recv(r[0], buf, sizeof(buf), NULL));
	EXPECT_EQ(EAGAIN, errno);
	memset(buf, 1, sizeof(buf));
	while (kipc_ring_send(r[1], buf, sizeof(buf), NULL) > 0)
		n += sizeof(buf);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(SMALL, n);
	EXPECT_EQ(-1, write(fds[1], buf, 1));
	EXPECT_EQ(EAGAIN, errno);
	ring_close(fds, r);

	/* A blocking end waits until its deadline. */
	ASSERT_EQ(0, ring_pair(fds, r, SMALL, 0));
	t0 = mono_ns();
	ts = mono_in_ms(100);
	EXPECT_EQ(-1, kipc_ring_recv(r[0], buf, sizeof(buf), &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(100000000ull, mono_ns() - t0);
	while (kipc_ring_send(r[1], buf, sizeof(buf), &ts) > 0)
		;
	EXPECT_EQ(ETIMEDOUT, errno);
	ts.tv_nsec = 1000000000;
	EXPECT_EQ(-1, kipc_ring_send(r[1], buf, 1, &ts));
	EXPECT_EQ(EINVAL, errno);
	ring_close(fds, r);
}

static void *recv_one(void *arg)
{
	static char buf[64];

	return (void *)(intptr_t)kipc_ring_recv(arg, buf, sizeof(buf), NULL);
}

TEST(signal_interrupts_a_wait)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct kipc_ring *r[2];
	pthread_t t;
	void *ret;
	int fds[2];

	sigaction(SIGUSR1, &sa, NULL);
	ASSERT_EQ(0, ring_pair(fds, r, SMALL, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, recv_one, r[0]));
	ASSERT_EQ(0, wait_blocked_tasks(fds[0], 0, 1));
	pthread_kill(t, SIGUSR1);
	pthread_join(t, &ret);
	EXPECT_EQ(-1, (intptr_t)ret);

	/* And a write wakes a sleeping mapped consumer. */
	ASSERT_EQ(0, pthread_create(&t, NULL, recv_one, r[0]));
	ASSERT_EQ(0, wait_blocked_tasks(fds[0], 0, 1));
	ASSERT_EQ(4, write(fds[1], "wake", 4));
	pthread_join(t, &ret);
	EXPECT_EQ(4, (intptr_t)ret);
	signal(SIGUSR1, SIG_DFL);
	ring_close(fds, r);
}

TEST(poll_and_epoll_see_mapped_ends)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	struct kipc_ring *r[2];
	char buf[PIPE_BUF];
	struct pollfd pfd;
	int fds[2], ep;
	pid_t pid;

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, 0));
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* A child's mapped producer wakes an epoll sleeper. */
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(200000);
		_exit(kipc_ring_send(r[1], "ping", 4, NULL) == 4 ? 0 : 1);
	}
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 60000));
	EXPECT_TRUE(out.events & EPOLLIN);
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(4, kipc_ring_recv(r[0], buf, sizeof(buf), NULL));
	close(ep);

	/* Less room than PIPE_BUF: no POLLOUT until a consumer makes room. */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(PIPE_BUF, write(fds[1], buf, PIPE_BUF));
	pfd.fd = fds[1];
	pfd.events = POLLOUT;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(1, write(fds[1], buf, 1));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char sink[SMALL];

		usleep(200000);
		_exit(kipc_ring_recv(r[0], sink, sizeof(sink), NULL) > 0 ? 0 : 1);
	}
	EXPECT_EQ(1, poll(&pfd, 1, 60000));
	EXPECT_TRUE(pfd.revents & POLLOUT);
	EXPECT_EQ(0, reap(pid));

	/* Hang-up and error as for any pipe. */
	kipc_ring_unmap(r[1]);
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	kipc_ring_unmap(r[0]);
	close(fds[0]);
}

/* cat(1), handed the read end, copies what a mapped producer sends. */
TEST(cat_reads_a_mapped_producer)
{
	unsigned char msg[1000], got[1000 * 50];
	struct kipc_ring *w;
	int fds[2], out[2];
	size_t total = 0;
	ssize_t n;
	pid_t pid;
	int i;

	ASSERT_EQ(0, kipc_ring_pipe(fds, SMALL, 0));
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(fds[0], 0);
		dup2(out[1], 1);
		close(fds[0]);
		close(fds[1]);
		close(out[0]);
		close(out[1]);
		execlp("cat", "cat", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	close(out[1]);
	w = kipc_ring_map(fds[1]);
	ASSERT_NE(NULL, w);
	for (i = 0; i < 50; i++) {
		fill_msg(msg, sizeof(msg), 3, i);
		ASSERT_EQ((ssize_t)sizeof(msg), kipc_ring_send(w, msg, sizeof(msg), NULL));
	}
	kipc_ring_unmap(w);
	close(fds[1]);
	while ((n = read(out[0], got + total, sizeof(got) - total)) > 0)
		total += n;
	close(out[0]);
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(sizeof(got), total);
	for (i = 0; i < 50; i++) {
		fill_msg(msg, sizeof(msg), 3, i);
		ASSERT_EQ(0, memcmp(msg, got + i * sizeof(msg), sizeof(msg)));
	}
}

#define WRITERS		4
#define PER_WRITER	1500

/*
 * Several writers at once, three of them mapped and one with write(2),
 * into a small ring: every record arrives whole, each writer's in order.
 */
TEST(several_writers_keep_records_whole)
{
	uint32_t next[WRITERS] = { 0 }, id, seq;
	unsigned char buf[PIPE_BUF], msg[PIPE_BUF];
	struct kipc_ring *rd;
	pid_t pids[WRITERS];
	int fds[2], i, got = 0;
	ssize_t n;

	ASSERT_EQ(0, kipc_ring_pipe(fds, SMALL, O_DIRECT));
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			struct kipc_ring *w = i ? kipc_ring_map(fds[1]) : NULL;
			uint32_t s;

			close(fds[0]);
			if (i && !w)
				_exit(2);
			for (s = 0; s < PER_WRITER; s++) {
				size_t len = 8 + (s * 131 + i * 17) % 600;

				fill_msg(msg, len, i, s);
				n = w ? kipc_ring_send(w, msg, len, NULL) :
					write(fds[1], msg, len);
				if (n != (ssize_t)len)
					_exit(1);
			}
			_exit(0);
		}
	}
	close(fds[1]);
	rd = kipc_ring_map(fds[0]);
	ASSERT_NE(NULL, rd);
	while ((n = kipc_ring_recv(rd, buf, sizeof(buf), NULL)) > 0) {
		ASSERT_EQ(0, check_msg(buf, n, &id, &seq));
		ASSERT_GT(WRITERS, id);
		ASSERT_EQ(next[id], seq);
		ASSERT_EQ(8 + (seq * 131 + id * 17) % 600, (uint32_t)n);
		next[id]++;
		got++;
	}
	EXPECT_EQ(0, n);
	for (i = 0; i < WRITERS; i++) {
		EXPECT_EQ(0, reap(pids[i]));
		EXPECT_EQ(PER_WRITER, next[i]);
	}
	EXPECT_EQ(WRITERS * PER_WRITER, got);
	kipc_ring_unmap(rd);
	close(fds[0]);
}

/*
 * A writer killed holding the lock, halfway through a record: the reader
 * never sees that record, and the next writer, mapped or write(2), goes
 * on once the kernel has taken the lock back.
 */
TEST(killed_writer_leaves_no_torn_record)
{
	struct kipc_ring *r[2];
	unsigned char buf[512];
	int fds[2], done[2];
	uint32_t id, seq;
	char c;
	pid_t pid;

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, O_DIRECT));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *at = kipc_ring_reserve(r[1], 400, NULL);

		if (at)
			memset(at, 0xee, 200);
		write(done[1], "r", 1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, reap(pid));

	fill_msg(buf, 300, 7, 1);
	ASSERT_EQ(300, write(fds[1], buf, 300));
	fill_msg(buf, 200, 7, 2);
	ASSERT_EQ(200, kipc_ring_send(r[1], buf, 200, NULL));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(300, kipc_ring_recv(r[0], buf, sizeof(buf), NULL));
	ASSERT_EQ(0, check_msg(buf, 300, &id, &seq));
	EXPECT_EQ(1, seq);
	ASSERT_EQ(200, read(fds[0], buf, sizeof(buf)));
	ASSERT_EQ(0, check_msg(buf, 200, &id, &seq));
	EXPECT_EQ(2, seq);
	close(done[0]);
	close(done[1]);
	ring_close(fds, r);
}

struct sharer {
	struct kipc_ring *w;
	uint32_t id;
	int ok;
};

static void *share_send(void *arg)
{
	struct sharer *s = arg;
	unsigned char msg[256];
	uint32_t i;

	s->ok = 1;
	for (i = 0; i < 500; i++) {
		fill_msg(msg, 8 + i % 200, s->id, i);
		if (kipc_ring_send(s->w, msg, 8 + i % 200, NULL) != 8 + i % 200)
			s->ok = 0;
	}
	return NULL;
}

/* Threads may send through one mapping at once. */
TEST(threads_share_one_mapping)
{
	struct sharer sh[3];
	uint32_t next[3] = { 0 }, id, seq;
	struct kipc_ring *r[2];
	unsigned char buf[512];
	pthread_t t[3];
	int fds[2], i, got;
	ssize_t n;

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, O_DIRECT));
	for (i = 0; i < 3; i++) {
		sh[i].w = r[1];
		sh[i].id = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, share_send, &sh[i]));
	}
	for (got = 0; got < 1500; got++) {
		n = kipc_ring_recv(r[0], buf, sizeof(buf), NULL);
		ASSERT_EQ(0, check_msg(buf, n, &id, &seq));
		ASSERT_GT(3, id);
		ASSERT_EQ(next[id], seq);
		next[id]++;
	}
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(1, sh[i].ok);
	}
	ring_close(fds, r);
}

/* A reservation dropped by unmapping gives the lock back. */
TEST(unmap_drops_an_open_reservation)
{
	struct kipc_ring *r[2];
	char c;
	int fds[2];

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, O_NONBLOCK));
	ASSERT_NE(NULL, kipc_ring_reserve(r[1], 10, NULL));
	EXPECT_EQ(-1, write(fds[1], "x", 1));	/* the lock is taken */
	EXPECT_EQ(EAGAIN, errno);
	kipc_ring_unmap(r[1]);
	ASSERT_EQ(1, write(fds[1], "y", 1));
	ASSERT_EQ(1, kipc_ring_recv(r[0], &c, 1, NULL));
	EXPECT_EQ('y', c);
	kipc_ring_unmap(r[0]);
	close(fds[0]);
	close(fds[1]);
}

#define LOAD_MSGS	20000

/*
 * Wake-ups under load: a tiny ring between two processes that take turns
 * being faster, so both sleep and wake many times; nothing is lost.
 */
TEST(no_lost_wakeup_under_load)
{
	struct kipc_ring *r[2];
	unsigned char buf[PIPE_BUF];
	uint32_t id, seq, expect = 0;
	struct kipc_stat st;
	int fds[2];
	ssize_t n;
	pid_t pid;

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, O_DIRECT));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char msg[PIPE_BUF];
		uint32_t s;

		kipc_ring_unmap(r[0]);
		close(fds[0]);
		for (s = 0; s < LOAD_MSGS; s++) {
			size_t len = 8 + (s * 53) % 1000;

			fill_msg(msg, len, 9, s);
			if (kipc_ring_send(r[1], msg, len, NULL) != (ssize_t)len)
				_exit(1);
			/* Bursts and pauses: the reader catches up and sleeps. */
			if (s % 64 == 0)
				usleep(1000);
		}
		_exit(0);
	}
	kipc_ring_unmap(r[1]);
	close(fds[1]);
	while ((n = kipc_ring_recv(r[0], buf, sizeof(buf), NULL)) > 0) {
		ASSERT_EQ(0, check_msg(buf, n, &id, &seq));
		ASSERT_EQ(expect, seq);
		expect++;
		if (expect % 100 == 0)
			usleep(1500);	/* and now the writer fills up */
	}
	EXPECT_EQ(0, n);
	EXPECT_EQ(LOAD_MSGS, expect);
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(0, raw_stat(fds[0], &st));
	EXPECT_EQ(0, st.fill);
	kipc_ring_unmap(r[0]);
	close(fds[0]);
}

/* A ring whose positions make no sense fails alone with EIO. */
TEST(broken_ring_fails_alone)
{
	struct kipc_ring_prod *prod;
	struct kipc_ring *r[2];
	int fds[2], other[2];
	struct pollfd pfd;
	char buf[8];

	ASSERT_EQ(0, ring_pair(fds, r, SMALL, 0));
	ASSERT_EQ(0, kipc_pipe(other, 0, 0));
	prod = map_area(fds[1], KIPC_RING_OFF_PROD, page_size(),
			PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, prod);
	prod->head = 3 * SMALL;
	EXPECT_EQ(-1, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, write(fds[1], "x", 1));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, kipc_ring_recv(r[0], buf, sizeof(buf), NULL));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, kipc_ring_send(r[1], "x", 1, NULL));
	EXPECT_EQ(EIO, errno);
	EXPECT_TRUE(prod->flags & KIPC_RING_BROKEN);
	{
		struct kipc_ring_wait w = { .what = KIPC_RING_DATA };
		struct kipc_ring_wake k = { .what = KIPC_RING_DATA };

		EXPECT_EQ(-1, ioctl(fds[0], KIPC_IOC_RING_WAIT, &w));
		EXPECT_EQ(EIO, errno);
		EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAKE, &k));
		EXPECT_EQ(EIO, errno);
	}
	/* Putting the words back does not mend it. */
	prod->head = 0;
	EXPECT_EQ(-1, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLERR);
	/* Another pipe never noticed. */
	EXPECT_EQ(2, write(other[1], "ok", 2));
	EXPECT_EQ(2, read(other[0], buf, sizeof(buf)));
	munmap(prod, page_size());
	ring_close(fds, r);
	close(other[0]);
	close(other[1]);
}

static int map_data_rw(void *arg)
{
	const char *name = arg;
	void *p;
	int fd;

	fd = kipc_open(name, KIPC_PIPE, O_WRONLY | O_NONBLOCK, 0, NULL);
	if (fd < 0)
		return 10;
	/* May write the pipe but not read it: no data mapping at all. */
	p = map_area(fd, KIPC_RING_OFF_DATA, 2 * SMALL, PROT_READ | PROT_WRITE);
	if (p != MAP_FAILED || errno != EACCES)
		return 11;
	p = map_area(fd, KIPC_RING_OFF_DATA, 2 * SMALL, PROT_READ);
	if (p != MAP_FAILED || errno != EACCES)
		return 12;
	if (kipc_ring_map(fd) || errno != EACCES)
		return 13;
	/* write(2) still works, as for any writer. */
	if (write(fd, "w", 1) != 1)
		return 14;
	return 0;
}

TEST(write_only_opener_cannot_map_data)
{
	struct kipc_attr attr = { .capacity = SMALL, .flags = KIPC_F_RING };
	char name[64], c;
	int rd;

	mode_t old = umask(0);

	uniq_name(name, sizeof(name), "ring-perm");
	rd = kipc_open(name, KIPC_PIPE, O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK,
		       0622, &attr);
	umask(old);
	ASSERT_LE(0, rd);
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, -1, map_data_rw, name));
	EXPECT_EQ(1, read(rd, &c, 1));
	EXPECT_EQ('w', c);
	EXPECT_EQ(0, kipc_unlink(name));
	close(rd);
}

TEST(bad_ring_ioctls)
{
	struct timespec ts = { 0, 0 };
	struct kipc_ring_wait w;
	struct kipc_ring_wake k;
	int fds[2], plain[2], sem;

	ASSERT_EQ(0, kipc_ring_pipe(fds, SMALL, 0));
	ASSERT_EQ(0, kipc_pipe(plain, SMALL, 0));
	memset(&w, 0, sizeof(w));
	memset(&k, 0, sizeof(k));

	w.what = KIPC_RING_DATA;
	EXPECT_EQ(-1, ioctl(plain[0], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EBADF, errno);
	w.what = KIPC_RING_ROOM;
	EXPECT_EQ(-1, ioctl(fds[0], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);	/* need 0 */
	w.need = SMALL + 1;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.need = 1;
	EXPECT_EQ(-1, ioctl(fds[0], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));	/* room */
	w.pad = 1;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.pad = 0;
	w.what = 9;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.what = KIPC_RING_LOCK;
	w.need = 0;
	w.flags = 0x10;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.flags = 0;
	w.timeout = (uintptr_t)&ts;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);	/* a deadline without KIPC_RING_TIMED */
	w.flags = KIPC_RING_TIMED;
	w.timeout = 0;			/* the module reads it: EFAULT */
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EFAULT, errno);
	ts.tv_nsec = 1000000000;
	w.timeout = (uintptr_t)&ts;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	ts.tv_sec = -1;			/* passed, as sem_timedwait(3) */
	ts.tv_nsec = 0;
	EXPECT_EQ(0, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));	/* free */
	w.flags = 0;
	w.timeout = 0;
	EXPECT_EQ(0, ioctl(fds[1], KIPC_IOC_RING_WAIT, &w));	/* free */
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAIT, NULL));
	EXPECT_EQ(EFAULT, errno);

	k.what = KIPC_RING_ROOM;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAKE, &k));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, ioctl(fds[0], KIPC_IOC_RING_WAKE, &k));
	k.what = KIPC_RING_DATA;
	EXPECT_EQ(-1, ioctl(fds[0], KIPC_IOC_RING_WAKE, &k));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, ioctl(fds[1], KIPC_IOC_RING_WAKE, &k));
	k.pad = 1;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAKE, &k));
	EXPECT_EQ(EINVAL, errno);
	k.pad = 0;
	k.what = 0;
	EXPECT_EQ(-1, ioctl(fds[1], KIPC_IOC_RING_WAKE, &k));
	EXPECT_EQ(EINVAL, errno);

	/* KIPC_F_RING is for pipes. */
	sem = kipc_open(NULL, KIPC_SEM, O_RDWR, 0600,
			&(struct kipc_attr){ .flags = KIPC_F_RING });
	EXPECT_EQ(-1, sem);
	EXPECT_EQ(EINVAL, errno);
	close(fds[0]);
	close(fds[1]);
	close(plain[0]);
	close(plain[1]);
}

/* --- A hostile process against the kernel's side ----------------------- */

struct hostile {
	int fds[2];
	struct kipc_ring_prod *prod;
	struct kipc_ring_cons *cons;
	int plausible;		/* only values a ring could hold */
	int packet;
	volatile int stop;
	unsigned long calls, moved;
	unsigned int seed;
};

/*
 * A value for a position: with @plausible, one within the ring's size of
 * @near, on the side @sign says (aligned as records are), which keeps the
 * ring checkable but wrong; otherwise anything, which usually breaks it.
 */
static uint64_t hostile_value(struct hostile *h, unsigned int *seed,
			      uint64_t near, int sign)
{
	uint64_t step = h->packet ? KIPC_RING_ALIGN : 1;

	if (h->plausible)
		return near + sign * step * (rand_r(seed) % (SMALL / step + 1));
	switch (rand_r(seed) % 4) {
	case 0:
		return near + SMALL + rand_r(seed) % 3;
	case 1:
		return ((uint64_t)rand_r(seed) << 33) ^ rand_r(seed);
	case 2:
		return UINT64_MAX - rand_r(seed) % 16;
	default:
		return near + rand_r(seed) % 7;
	}
}

static void *scribble(void *arg)
{
	struct hostile *h = arg;
	unsigned int seed = h->seed;

	while (!h->stop) {
		switch (rand_r(&seed) % 7) {
		case 0:
			h->prod->head = hostile_value(h, &seed, h->cons->tail, 1);
			break;
		case 1:
			h->cons->tail = hostile_value(h, &seed, h->prod->head, -1);
			break;
		case 2:
			h->prod->lock = rand_r(&seed) % 3 ? 0 : rand_r(&seed);
			break;
		case 3:
			h->prod->room_waiters = rand_r(&seed);
			h->cons->data_waiters = rand_r(&seed);
			break;
		case 4:
			h->prod->flags = rand_r(&seed);
			h->cons->flags = rand_r(&seed);
			break;
		default:
			usleep(rand_r(&seed) % 200);
		}
	}
	return NULL;
}

static void *hostile_user(void *arg)
{
	struct hostile *h = arg;
	struct kipc_ring_wait w;
	char buf[PIPE_BUF];
	struct pollfd pfd[2];
	struct timespec ts;
	uint64_t deadline;
	unsigned int seed = h->seed * 7 + 1;

	memset(buf, 'z', sizeof(buf));
	while (!h->stop) {
		ssize_t n = 0;

		switch (rand_r(&seed) % 4) {
		case 0:
			n = write(h->fds[1], buf, 1 + rand_r(&seed) % sizeof(buf));
			break;
		case 1:
			n = read(h->fds[0], buf, 1 + rand_r(&seed) % sizeof(buf));
			break;
		case 2:
			pfd[0].fd = h->fds[0];
			pfd[0].events = POLLIN;
			pfd[1].fd = h->fds[1];
			pfd[1].events = POLLOUT;
			poll(pfd, 2, rand_r(&seed) % 3);
			break;
		default:
			memset(&w, 0, sizeof(w));
			w.what = 1 + rand_r(&seed) % 3;
			w.need = w.what == KIPC_RING_ROOM ? 1 + rand_r(&seed) % SMALL : 0;
			w.flags = KIPC_RING_TIMED;
			deadline = mono_ns() + 2000000;
			ts.tv_sec = deadline / 1000000000;
			ts.tv_nsec = deadline % 1000000000;
			w.timeout = (uintptr_t)&ts;
			ioctl(h->fds[w.what == KIPC_RING_DATA ? 0 : 1],
			      KIPC_IOC_RING_WAIT, &w);
		}
		__atomic_add_fetch(&h->calls, 1, __ATOMIC_RELAXED);
		if (n > 0)
			__atomic_add_fetch(&h->moved, n, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * One thread stores random values into every shared word while others
 * read, write, poll and wait on the same pipe (O_NONBLOCK, or with
 * deadlines: a lock word naming a live process must not hang them): the
 * kernel stays within the ring and every call ends; the pipe either still
 * works or fails with EIO, and nothing else is touched. Half the rounds
 * store only values a ring could hold (positions within its size of the
 * other), so the kernel keeps working on wrong but checkable words; the
 * others store anything.
 */
TEST(hostile_page_cannot_hurt_the_kernel)
{
	struct hostile h = { .seed = (unsigned int)mono_ns() };
	pthread_t scribbler, users[3];
	int other[2], i, round, broken;
	char buf[8];

	ASSERT_EQ(0, kipc_pipe(other, 0, 0));
	for (round = 0; round < 4; round++) {
		h.packet = round & 1;
		h.plausible = !(round & 2);
		ASSERT_EQ(0, kipc_ring_pipe(h.fds, SMALL, O_NONBLOCK |
					    (h.packet ? O_DIRECT : 0)));
		h.prod = map_area(h.fds[1], KIPC_RING_OFF_PROD, page_size(),
				  PROT_READ | PROT_WRITE);
		h.cons = map_area(h.fds[0], KIPC_RING_OFF_CONS, page_size(),
				  PROT_READ | PROT_WRITE);
		ASSERT_NE(MAP_FAILED, h.prod);
		ASSERT_NE(MAP_FAILED, h.cons);
		h.stop = 0;
		h.calls = 0;
		h.moved = 0;
		h.seed += round;
		ASSERT_EQ(0, pthread_create(&scribbler, NULL, scribble, &h));
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, pthread_create(&users[i], NULL,
						    hostile_user, &h));
		usleep(1500000);
		h.stop = 1;
		pthread_join(scribbler, NULL);
		for (i = 0; i < 3; i++)
			pthread_join(users[i], NULL);
		/* Either still a pipe, or broken for good: nothing between. */
		h.prod->lock = 0;
		broken = write(h.fds[1], "x", 1) < 0 && errno == EIO;
		if (!broken)
			EXPECT_NE(-1, read(h.fds[0], buf, 1));
		TH_LOG("round %d (%s, %s values, seed %u): %lu calls, %lu bytes moved, %s",
		       round, h.packet ? "packets" : "bytes",
		       h.plausible ? "plausible" : "any", h.seed, h.calls,
		       h.moved, broken ? "broken (EIO)" : "still a pipe");
		EXPECT_LT(100, h.calls);
		munmap(h.prod, page_size());
		munmap(h.cons, page_size());
		close(h.fds[0]);
		close(h.fds[1]);
	}
	EXPECT_EQ(2, write(other[1], "ok", 2));
	EXPECT_EQ(2, read(other[0], buf, sizeof(buf)));
	close(other[0]);
	close(other[1]);
}

TEST_HARNESS_MAIN
