// SPDX-License-Identifier: GPL-2.0
/*
 * Semaphores: take and give, limits, blocking hand-off between processes,
 * timeouts, signals, poll, FIFO order, exact wake-ups, undo on close and
 * on SIGKILL, fd passing, waiting on a word and waking, benaphores, and
 * mutual-exclusion stress tests.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>

#include "common.h"
#include "kselftest_harness.h"

static int new_sem(unsigned int value, unsigned int max, unsigned int flags)
{
	struct kipc_attr attr = { .value = value, .max = max, .flags = flags };

	return kipc_open(NULL, KIPC_SEM, O_RDWR, 0, &attr);
}

TEST(trywait_and_post)
{
	unsigned int v = 1234;
	int fd = new_sem(0, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, kipc_sem_trywait(fd));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(0, kipc_sem_getvalue(fd, &v));
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, kipc_sem_trywait(fd));
	EXPECT_EQ(0, kipc_sem_getvalue(fd, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(0, kipc_sem_post_n(fd, 5));
	EXPECT_EQ(5, sem_value(fd));
	close(fd);
}

TEST(post_past_max_is_eoverflow_and_changes_nothing)
{
	struct kipc_sem_value v;
	int fd = new_sem(2, 3, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, kipc_sem_post_n(fd, 2));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(2, sem_value(fd));
	EXPECT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(-1, kipc_sem_post(fd));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(-1, kipc_sem_post_n(fd, UINT32_MAX));
	EXPECT_EQ(EOVERFLOW, errno);
	memset(&v, GARBAGE, sizeof(v));
	ASSERT_EQ(0, ioctl(fd, KIPC_IOC_SEM_GETVALUE, &v));
	EXPECT_EQ(3, v.value);
	EXPECT_EQ(3, v.max);
	close(fd);

	/* The default maximum is KIPC_SEM_VALUE_MAX. */
	fd = new_sem(KIPC_SEM_VALUE_MAX, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, kipc_sem_post(fd));
	EXPECT_EQ(EOVERFLOW, errno);
	close(fd);
}

TEST(ioctl_argument_checks)
{
	struct kipc_sem_wait w;
	struct kipc_sem_post p;
	int fd = new_sem(1, 0, 0);

	ASSERT_LE(0, fd);
	memset(&w, 0, sizeof(w));
	w.flags = 1u << 7;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.flags = 0;
	w.pad = 1;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.pad = 0;
	w.timeout = 5;		/* a timeout without KIPC_SEM_TIMED */
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.flags = KIPC_SEM_TIMED;
	w.timeout = UINT64_MAX;	/* the module reads it: not user memory */
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAIT, &w));
	EXPECT_EQ(EFAULT, errno);

	memset(&p, 0, sizeof(p));
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_POST, &p));	/* count 0 */
	EXPECT_EQ(EINVAL, errno);
	p.count = 1;
	p.pad = 1;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_POST, &p));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAIT, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_POST, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_GETVALUE, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing of the above took or gave a unit. */
	EXPECT_EQ(1, sem_value(fd));
	close(fd);
}

TEST(read_only_handle_cannot_wait_or_post)
{
	char name[64];
	int fd, ro;

	uniq_name(name, sizeof(name), "ro");
	fd = kipc_open(name, KIPC_SEM, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, fd);
	ro = kipc_open(name, KIPC_SEM, O_RDONLY, 0, NULL);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, kipc_sem_post(ro));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(-1, kipc_sem_trywait(ro));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, sem_value(ro));
	close(ro);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST(nonblocking_handle_never_sleeps)
{
	char name[64];
	int fd, nb;

	uniq_name(name, sizeof(name), "nb");
	fd = kipc_open(name, KIPC_SEM, O_RDWR | O_CREAT, 0600, NULL);
	ASSERT_LE(0, fd);
	nb = kipc_open(name, KIPC_SEM, O_RDWR | O_NONBLOCK, 0, NULL);
	ASSERT_LE(0, nb);
	EXPECT_EQ(-1, kipc_sem_wait(nb));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(0, kipc_sem_wait(nb));
	close(nb);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST(blocking_hand_off_between_processes)
{
	int fd = new_sem(0, 0, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(kipc_sem_wait(fd) ? 1 : 0);

	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	EXPECT_EQ(0, sem_value(fd));
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, sem_value(fd));
	close(fd);
}

TEST(timedwait_times_out)
{
	struct timespec ts;
	uint64_t start, elapsed;
	int fd = new_sem(0, 0, 0);

	ASSERT_LE(0, fd);
	ts = mono_in_ms(200);
	start = mono_ns();
	EXPECT_EQ(-1, kipc_sem_timedwait(fd, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	elapsed = mono_ns() - start;
	/* Never early; late only by what the VM's scheduling costs. */
	EXPECT_LE(150000000ull, elapsed);
	EXPECT_GT(30000000000ull, elapsed);

	/* A deadline already passed times out at once, unless a unit waits. */
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	EXPECT_EQ(-1, kipc_sem_timedwait(fd, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(0, kipc_sem_timedwait(fd, &ts));

	ts.tv_nsec = 1000000000;
	EXPECT_EQ(-1, kipc_sem_timedwait(fd, &ts));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/*
 * The module reads the deadline: NULL or unreadable is EFAULT (where
 * sem_timedwait(3) would crash reading it in user space), and no unit is
 * taken; a negative tv_sec has passed (glibc's sem_timedwait answers
 * ETIMEDOUT).
 */
TEST(timedwait_deadline_is_read_by_the_module)
{
	struct timespec past = { -1, 0 };
	int fd = new_sem(1, 0, 0);
	unsigned int value;
	uint32_t word = 0;
	void *none;

	ASSERT_LE(0, fd);
	none = mmap(NULL, page_size(), PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-1, kipc_sem_timedwait(fd, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, kipc_sem_timedwait(fd, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, kipc_sem_wait_word(fd, &word, 0, none));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, kipc_sem_getvalue(fd, &value));
	EXPECT_EQ(1, value);
	EXPECT_EQ(0, kipc_sem_timedwait(fd, &past));	/* a unit waits */
	EXPECT_EQ(-1, kipc_sem_timedwait(fd, &past));
	EXPECT_EQ(ETIMEDOUT, errno);
	munmap(none, page_size());
	close(fd);
}

TEST(timedwait_succeeds_when_posted_in_time)
{
	struct timespec ts;
	int fd = new_sem(0, 0, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ts = mono_in_ms(60000);
		_exit(kipc_sem_timedwait(fd, &ts) ? errno : 0);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(0, reap(pid));
	close(fd);
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

TEST(signal_interrupts_wait_without_losing_units)
{
	int fd = new_sem(0, 0, 0), result[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(result));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int err;

		catch_signal(SIGUSR1, 0);
		err = kipc_sem_wait(fd) ? errno : 0;
		if (write(result[1], &err, sizeof(err)) != sizeof(err))
			_exit(2);
		/* Then a plain wait for the unit the parent posts. */
		_exit(kipc_sem_wait(fd) ? 1 : 0);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	int err = -1;

	ASSERT_EQ(sizeof(err), read(result[0], &err, sizeof(err)));
	EXPECT_EQ(EINTR, err);
	EXPECT_EQ(0, sem_value(fd));
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, sem_value(fd));
	close(result[0]);
	close(result[1]);
	close(fd);
}

TEST(sa_restart_restarts_the_wait)
{
	int fd = new_sem(0, 0, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		catch_signal(SIGUSR1, SA_RESTART);
		_exit(kipc_sem_wait(fd) ? errno : 0);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	usleep(100000);
	/* Still (or again) waiting after the handler ran. */
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(0, reap(pid));
	close(fd);
}

TEST(poll_reports_pollin_while_value_positive)
{
	struct pollfd pfd;
	int fd = new_sem(0, 0, 0);

	ASSERT_LE(0, fd);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(0, kipc_sem_trywait(fd));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	close(fd);
}

static void *post_later(void *arg)
{
	usleep(200000);
	kipc_sem_post(*(int *)arg);
	return NULL;
}

TEST(epoll_wakes_on_post)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int fd = new_sem(0, 0, 0), ep;
	pthread_t thread;

	ASSERT_LE(0, fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, pthread_create(&thread, NULL, post_later, &fd));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 60000));
	EXPECT_EQ(EPOLLIN, ev.events);
	pthread_join(thread, NULL);
	close(ep);
	close(fd);
}

/* Waiters are served in the order they arrived, one unit each. */
TEST(waiters_are_served_fifo_one_per_unit)
{
	enum { N = 4 };
	int fd = new_sem(0, 0, 0), order[2], i, got;
	pid_t pids[N];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(order));
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			if (kipc_sem_wait(fd))
				_exit(1);
			_exit(write(order[1], &i, sizeof(i)) == sizeof(i) ? 0 : 2);
		}
		/* Child i is queued before child i + 1 starts. */
		ASSERT_EQ(0, wait_blocked_tasks(fd, 0, i + 1));
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, kipc_sem_post(fd));
		ASSERT_EQ(sizeof(got), read(order[0], &got, sizeof(got)));
		EXPECT_EQ(i, got);
		EXPECT_EQ(0, reap(pids[i]));
		/* Exactly one woke: the others still wait, the value is 0. */
		EXPECT_EQ(0, wait_blocked_tasks(fd, 0, N - 1 - i));
		EXPECT_EQ(0, sem_value(fd));
	}
	close(order[0]);
	close(order[1]);
	close(fd);
}

TEST(post_n_wakes_n_waiters_and_keeps_the_rest)
{
	enum { N = 3 };
	int fd = new_sem(0, 0, 0), i;
	pid_t pids[N];

	ASSERT_LE(0, fd);
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(kipc_sem_wait(fd) ? 1 : 0);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, N));
	ASSERT_EQ(0, kipc_sem_post_n(fd, N + 2));
	for (i = 0; i < N; i++)
		EXPECT_EQ(0, reap(pids[i]));
	EXPECT_EQ(2, sem_value(fd));
	close(fd);
}

TEST(undo_gives_back_on_close)
{
	struct kipc_attr undo = { .flags = KIPC_F_UNDO };
	struct kipc_stat st;
	char name[64];
	int fd, h;

	uniq_name(name, sizeof(name), "undo");
	fd = kipc_open(name, KIPC_SEM, O_RDWR | O_CREAT, 0600,
		       &(struct kipc_attr){ .value = 3 });
	ASSERT_LE(0, fd);

	h = kipc_open(name, KIPC_SEM, O_RDWR, 0, &undo);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, kipc_stat(h, &st));
	EXPECT_EQ(KIPC_F_UNDO, st.handle_flags);
	ASSERT_EQ(0, kipc_sem_wait(h));
	ASSERT_EQ(0, kipc_sem_wait(h));
	ASSERT_EQ(0, kipc_sem_post(h));	/* net: one taken */
	EXPECT_EQ(2, sem_value(fd));
	close(h);
	EXPECT_EQ(3, sem_value(fd));

	/* Posting more than it took gives nothing back (and takes nothing). */
	h = kipc_open(name, KIPC_SEM, O_RDWR, 0, &undo);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, kipc_sem_post(h));
	close(h);
	EXPECT_EQ(4, sem_value(fd));

	/* A handle without the flag keeps nothing. */
	h = kipc_open(name, KIPC_SEM, O_RDWR, 0, NULL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, kipc_sem_wait(h));
	close(h);
	EXPECT_EQ(3, sem_value(fd));
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST(undo_after_sigkill_restores_value_and_wakes_a_waiter)
{
	int fd, ready[2];
	pid_t holder, waiter;
	char name[64], c;

	uniq_name(name, sizeof(name), "kill");
	fd = kipc_open(name, KIPC_SEM, O_RDWR | O_CREAT, 0600,
		       &(struct kipc_attr){ .value = 2 });
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(ready));
	holder = fork();
	ASSERT_LE(0, holder);
	if (holder == 0) {
		struct kipc_attr undo = { .flags = KIPC_F_UNDO };
		int h = kipc_open(name, KIPC_SEM, O_RDWR, 0, &undo);

		if (h < 0 || kipc_sem_wait(h) || kipc_sem_wait(h))
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(2);
		pause();
		_exit(3);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(0, sem_value(fd));

	waiter = fork();
	ASSERT_LE(0, waiter);
	if (waiter == 0)
		_exit(kipc_sem_wait(fd) ? 1 : 0);
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));

	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, reap(holder));
	/* One unit went to the waiter, the other back into the value. */
	EXPECT_EQ(0, reap(waiter));
	EXPECT_EQ(1, sem_value(fd));
	close(ready[0]);
	close(ready[1]);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST(fd_passed_over_scm_rights_is_the_same_semaphore)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "s", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int sv[2], fd = new_sem(0, 0, 0), got;
	char byte;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	ASSERT_EQ(1, sendmsg(sv[0], &msg, 0));

	iov.iov_base = &byte;
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_controllen = sizeof(cbuf);
	ASSERT_EQ(1, recvmsg(sv[1], &msg, 0));
	cmsg = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cmsg);
	memcpy(&got, CMSG_DATA(cmsg), sizeof(int));
	ASSERT_NE(fd, got);

	ASSERT_EQ(0, kipc_sem_post(got));
	EXPECT_EQ(1, sem_value(fd));
	close(got);
	close(sv[0]);
	close(sv[1]);
	close(fd);
}

/* A page of MAP_SHARED memory for words and benaphores, zeroed. */
static void *shared_page(void)
{
	void *p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int wait_word_raw(int fd, uint64_t uaddr, uint32_t expected,
			 uint32_t flags, uint64_t timeout)
{
	struct kipc_sem_wait_word w = {
		.timeout = timeout, .uaddr = uaddr,
		.expected = expected, .flags = flags,
	};

	return ioctl(fd, KIPC_IOC_SEM_WAIT_WORD, &w);
}

TEST(wait_word_fails_at_once_when_the_word_moved)
{
	uint32_t word = 5;
	int fd = new_sem(0, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, kipc_sem_wait_word(fd, &word, 4, NULL));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, wait_blocked_tasks(fd, 0, 0));
	EXPECT_EQ(0, sem_value(fd));

	/* A unit that is there is taken whatever the word says. */
	ASSERT_EQ(0, kipc_sem_post(fd));
	EXPECT_EQ(0, kipc_sem_wait_word(fd, &word, 4, NULL));
	EXPECT_EQ(0, sem_value(fd));
	close(fd);
}

TEST(wait_word_argument_checks)
{
	uint32_t words[2] = { 0, 0 };
	struct kipc_sem_wake k;
	int fd = new_sem(0, 0, 0);
	void *gone;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, wait_word_raw(fd, (uintptr_t)words + 1, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, wait_word_raw(fd, (uintptr_t)words, 0, KIPC_SEM_TRY, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, wait_word_raw(fd, (uintptr_t)words, 0, 1u << 9, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, wait_word_raw(fd, (uintptr_t)words, 0, 0, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, wait_word_raw(fd, (uintptr_t)words, 0, KIPC_SEM_TIMED,
				    (uint64_t)INT64_MAX + 1));
	EXPECT_EQ(EFAULT, errno);	/* the deadline is not user memory */
	EXPECT_EQ(-1, wait_word_raw(fd, 0, 0, 0, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, wait_word_raw(fd, 0xffff888000000000ull, 0, 0, 0));
	EXPECT_EQ(EFAULT, errno);
	gone = shared_page();
	ASSERT_NE(NULL, gone);
	ASSERT_EQ(0, munmap(gone, page_size()));
	EXPECT_EQ(-1, kipc_sem_wait_word(fd, gone, 0, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAIT_WORD, NULL));
	EXPECT_EQ(EFAULT, errno);

	EXPECT_EQ(-1, kipc_sem_wake(fd, 0));
	EXPECT_EQ(EINVAL, errno);
	memset(&k, 0, sizeof(k));
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAKE, &k));
	EXPECT_EQ(EINVAL, errno);
	k.count = 1;
	k.pad = 1;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAKE, &k));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_WAKE, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* Nobody slept, nothing was given. */
	EXPECT_EQ(0, wait_blocked_tasks(fd, 0, 0));
	EXPECT_EQ(0, sem_value(fd));
	close(fd);
}

TEST(wait_word_and_wake_need_write_access)
{
	uint32_t word = 0;
	char name[64];
	int fd, ro;

	uniq_name(name, sizeof(name), "word-ro");
	fd = kipc_open(name, KIPC_SEM, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, fd);
	ro = kipc_open(name, KIPC_SEM, O_RDONLY, 0, NULL);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-1, kipc_sem_wait_word(ro, &word, 0, NULL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, kipc_sem_wake(ro, 1));
	EXPECT_EQ(EBADF, errno);
	close(ro);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

/*
 * The word is on a page never touched: the read under the lock faults,
 * the module faults it in unlocked and reads again. Then a deadline, and
 * an O_NONBLOCK handle, where it would sleep.
 */
TEST(wait_word_on_an_untouched_page_times_out)
{
	struct timespec ts = mono_in_ms(50);
	uint32_t *word = shared_page();
	int fd = new_sem(0, 0, 0);

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, word);
	EXPECT_EQ(-1, kipc_sem_wait_word(fd, word, 0, &ts));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(0, wait_blocked_tasks(fd, 0, 0));

	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, kipc_sem_wait_word(fd, word, 0, NULL));
	EXPECT_EQ(EAGAIN, errno);
	munmap(word, page_size());
	close(fd);
}

TEST(wake_gives_sleepers_units_fifo_and_never_banks)
{
	enum { N = 3 };
	uint32_t *word = shared_page();
	int fd = new_sem(0, 0, 0), order[2], i, got, seen;
	pid_t pids[N];

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, word);
	ASSERT_EQ(0, pipe(order));
	EXPECT_EQ(0, kipc_sem_wake(fd, 4));
	EXPECT_EQ(0, sem_value(fd));

	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			if (kipc_sem_wait_word(fd, word, 0, NULL))
				_exit(1);
			_exit(write(order[1], &i, sizeof(i)) == sizeof(i) ? 0 : 2);
		}
		ASSERT_EQ(0, wait_blocked_tasks(fd, 0, i + 1));
	}
	/* One wake: the oldest sleeper, and only it. */
	EXPECT_EQ(1, kipc_sem_wake(fd, 1));
	ASSERT_EQ(sizeof(got), read(order[0], &got, sizeof(got)));
	EXPECT_EQ(0, got);
	EXPECT_EQ(0, reap(pids[0]));
	EXPECT_EQ(0, wait_blocked_tasks(fd, 0, 2));
	/* More than there are: both, and it says so (they run in any order). */
	EXPECT_EQ(2, kipc_sem_wake(fd, 5));
	for (i = 0, seen = 0; i < 2; i++) {
		ASSERT_EQ(sizeof(got), read(order[0], &got, sizeof(got)));
		seen |= 1 << got;
	}
	EXPECT_EQ(6, seen);
	EXPECT_EQ(0, reap(pids[1]));
	EXPECT_EQ(0, reap(pids[2]));
	EXPECT_EQ(0, sem_value(fd));
	close(order[0]);
	close(order[1]);
	munmap(word, page_size());
	close(fd);
}

TEST(signal_interrupts_wait_word)
{
	uint32_t *word = shared_page();
	int fd = new_sem(0, 0, 0);
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, word);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		catch_signal(SIGUSR1, 0);
		if (kipc_sem_wait_word(fd, word, 0, NULL) == 0)
			_exit(1);
		_exit(errno == EINTR ? 0 : 2);
	}
	ASSERT_EQ(0, wait_blocked_tasks(fd, 0, 1));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, wait_blocked_tasks(fd, 0, 0));
	EXPECT_EQ(0, kipc_sem_wake(fd, 1));
	munmap(word, page_size());
	close(fd);
}

/* The two halves of a benaphore's word (kipc.h). */
static uint32_t bena_units(const struct kipc_benaphore *b)
{
	return (uint32_t)b->word;
}

static uint32_t bena_sleepers(const struct kipc_benaphore *b)
{
	return b->word >> 32;
}

TEST(benaphore_takes_and_gives_without_the_kernel)
{
	struct kipc_benaphore b;
	int fd = new_sem(0, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, kipc_benaphore_init(&b, KIPC_SEM_VALUE_MAX + 1u));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, kipc_benaphore_init(&b, 1));
	EXPECT_EQ(0, kipc_benaphore_wait(&b, fd));
	EXPECT_EQ(-1, kipc_benaphore_trywait(&b));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, kipc_benaphore_post(&b, fd));
	EXPECT_EQ(0, kipc_benaphore_trywait(&b));
	EXPECT_EQ(0, bena_units(&b));
	EXPECT_EQ(0, bena_sleepers(&b));

	ASSERT_EQ(0, kipc_benaphore_init(&b, KIPC_SEM_VALUE_MAX));
	EXPECT_EQ(-1, kipc_benaphore_post(&b, fd));
	EXPECT_EQ(EOVERFLOW, errno);
	EXPECT_EQ(KIPC_SEM_VALUE_MAX, bena_units(&b));
	/* The kipc semaphore never holds a unit. */
	EXPECT_EQ(0, sem_value(fd));

	/* On an O_NONBLOCK handle a wait with no unit fails, never spins. */
	ASSERT_EQ(0, kipc_benaphore_init(&b, 0));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, kipc_benaphore_wait(&b, fd));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, bena_units(&b));
	EXPECT_EQ(0, bena_sleepers(&b));
	close(fd);
}

/*
 * N processes each do M wait/post pairs around a non-atomic increment of
 * a shared counter: with a binary semaphore the count must come out exact.
 */
FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, mutual_exclusion_is_exact, 600)
{
	enum { N = 4, M = 2000 };
	volatile unsigned long *counter;
	int fd = new_sem(1, 1, 0), i;
	pid_t pids[N];

	ASSERT_LE(0, fd);
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, counter);
	*counter = 0;
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			for (int j = 0; j < M; j++) {
				unsigned long v;

				if (kipc_sem_wait(fd))
					_exit(1);
				v = *counter;
				if (j % 64 == 0)
					sched_yield();
				*counter = v + 1;
				if (kipc_sem_post(fd))
					_exit(2);
			}
			_exit(0);
		}
	}
	for (i = 0; i < N; i++)
		EXPECT_EQ(0, reap(pids[i]));
	EXPECT_EQ(N * M, *counter);
	EXPECT_EQ(1, sem_value(fd));
	munmap((void *)counter, 4096);
	close(fd);
}

/*
 * Two benaphores bounce a token between two processes many times; each
 * side sleeps and is woken on most turns, so a lost wake-up hangs the
 * test (the harness's timeout fails it).
 */
TEST_F_TIMEOUT(stress, benaphore_ping_pong_loses_no_wake_up, 600)
{
	enum { TURNS = 3000 };
	struct kipc_benaphore *b = shared_page();
	int fd = new_sem(0, 0, 0);
	pid_t pid;
	int i;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, b);
	kipc_benaphore_init(&b[0], 0);
	kipc_benaphore_init(&b[1], 0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (i = 0; i < TURNS; i++)
			if (kipc_benaphore_wait(&b[0], fd) ||
			    kipc_benaphore_post(&b[1], fd))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < TURNS; i++) {
		ASSERT_EQ(0, kipc_benaphore_post(&b[0], fd));
		ASSERT_EQ(0, kipc_benaphore_wait(&b[1], fd));
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, bena_units(&b[0]));
	EXPECT_EQ(0, bena_units(&b[1]));
	EXPECT_EQ(0, bena_sleepers(&b[0]));
	EXPECT_EQ(0, bena_sleepers(&b[1]));
	EXPECT_EQ(0, sem_value(fd));
	munmap(b, page_size());
	close(fd);
}

TEST_F_TIMEOUT(stress, benaphore_mutual_exclusion_is_exact, 600)
{
	enum { N = 4, M = 2000 };
	struct {
		struct kipc_benaphore lock;
		unsigned long counter;
	} *sh = shared_page();
	int fd = new_sem(0, 0, 0), i;
	pid_t pids[N];

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, sh);
	kipc_benaphore_init(&sh->lock, 1);
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			for (int j = 0; j < M; j++) {
				unsigned long v;

				if (kipc_benaphore_wait(&sh->lock, fd))
					_exit(1);
				v = *(volatile unsigned long *)&sh->counter;
				if (j % 64 == 0)
					sched_yield();
				*(volatile unsigned long *)&sh->counter = v + 1;
				if (kipc_benaphore_post(&sh->lock, fd))
					_exit(2);
			}
			_exit(0);
		}
	}
	for (i = 0; i < N; i++)
		EXPECT_EQ(0, reap(pids[i]));
	EXPECT_EQ(N * M, sh->counter);
	EXPECT_EQ(1, bena_units(&sh->lock));
	EXPECT_EQ(0, bena_sleepers(&sh->lock));
	EXPECT_EQ(0, wait_blocked_tasks(fd, 0, 0));
	EXPECT_EQ(0, sem_value(fd));
	munmap(sh, page_size());
	close(fd);
}

TEST_HARNESS_MAIN
