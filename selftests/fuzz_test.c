// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer for everything an unprivileged process can reach in kipc.
 *
 * A child drops to nobody in a network namespace of its own (so its
 * objects and names are its own) and runs several threads for a bounded
 * time. Each thread throws random and boundary arguments at every ioctl
 * of /dev/kipc and of each object type (and at command numbers nobody
 * defined), at read, write, pread, pwrite and poll, at the kipc generic
 * netlink family (random commands, flags and attributes), and maps
 * regions and rings to mprotect, mremap, madvise, ftruncate and touch
 * them, while the others close, dup and fork around it. Argument words
 * are boundary numbers or pointers to: nothing, an unmapped page, a
 * read-only page, the thread's own scratch page, the kernel's half.
 *
 * The test passes if the child ends by itself when its time is up (no
 * hang, no crash but the faults it catches on its own mappings), and,
 * once it is gone, its namespace's objects are gone with it; the VM
 * runner checks the kernel log (KASAN, lockdep, ...), kmemleak and rmmod.
 * Under the debug kernel, a second run has slab and page allocations and
 * user copies failing at random in the fuzzing process (fault injection
 * in debugfs) and prints how many faults it injected.
 *
 * KIPC_FUZZ_SEED replays a seed; KIPC_FUZZ_SECONDS sets the time (20 s,
 * 75 s on the debug kernel).
 */
#include <dirent.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "stress.h"
#include "kselftest_harness.h"

#define THREADS		4
#define POOL		48	/* descriptors the threads share */

static const unsigned long ioctls[] = {
	KIPC_IOC_VERSION, KIPC_IOC_OPEN, KIPC_IOC_UNLINK, KIPC_IOC_PIPE,
	KIPC_IOC_STAT, KIPC_IOC_PIPE_SETSIZE, KIPC_IOC_RING_WAIT,
	KIPC_IOC_RING_WAKE, KIPC_IOC_RING_MAPFD, KIPC_IOC_MQ_SEND,
	KIPC_IOC_MQ_RECEIVE, KIPC_IOC_MQ_GETATTR, KIPC_IOC_MQ_NOTIFY,
	KIPC_IOC_MQ_SEND_BATCH, KIPC_IOC_MQ_RECEIVE_BATCH, KIPC_IOC_SEM_WAIT,
	KIPC_IOC_SEM_POST, KIPC_IOC_SEM_GETVALUE, KIPC_IOC_SEM_WAIT_WORD,
	KIPC_IOC_SEM_WAKE, KIPC_IOC_SHM_RESIZE, KIPC_IOC_SHM_SEAL,
	KIPC_IOC_SHM_INFO,
};

/* Shared by the fuzzing process's threads and the parent test. */
struct fuzz_shared {
	uint64_t ioctls, rw, maps, netlink, opens, forks, caught;
	int ready;
	int broken;			/* threads that could not start */
};

struct fuzz {
	struct fuzz_shared *sh;
	uint64_t deadline;
	int pool[POOL];			/* -1 or a descriptor */
	int dev;
	int nl_family;
	/*
	 * Faults are injected: no signals (a signal frame whose copy is made
	 * to fail kills with SIGSEGV), so every descriptor is non-blocking
	 * instead and nothing touches a mapping.
	 */
	int faulty;
	uint8_t *unmapped, *readonly;
};

struct fuzz_thread {
	struct fuzz *f;
	unsigned int seed;
	uint8_t *scratch;		/* its own, for the kernel to write */
	uint64_t *arg;			/* ioctl arguments, a guard page after */
	int nl;				/* its generic netlink socket */
	char names[8][16];
};

static __thread sigjmp_buf *touch_jmp;

/* A fault on one of our own mappings (truncated, mprotected, moved). */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;

	if (touch_jmp)
		siglongjmp(*touch_jmp, 1);
	/* Anywhere else it is the fuzzer's own fault: say where, and end. */
	dprintf(2, "signal %d (code %d) at address %p, ip %#llx\n", sig,
		si->si_code, si->si_addr,
		(unsigned long long)u->uc_mcontext.gregs[REG_RIP]);
	_exit(99);
}

/* For results that mean nothing here (warn_unused_result). */
static void ignore(long r)
{
	(void)r;
}

static uint64_t rnd64(struct fuzz_thread *t)
{
	return (uint64_t)rand_r(&t->seed) << 33 ^
	       (uint64_t)rand_r(&t->seed) << 11 ^ rand_r(&t->seed);
}

/* A boundary number, a pointer of one of the kinds above, or noise. */
static uint64_t word(struct fuzz_thread *t)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 4095,
		4096, 4097, 8192, 65535, 65536, 1 << 20, 1u << 31, ~0u,
		(1ull << 32) - 1, 1ull << 32, (uint64_t)INT64_MAX,
		(uint64_t)INT64_MAX + 1, ~0ull, ~0ull - 1,
		0xffff888000000000ull, 0xffffffffff600000ull,
	};

	switch (rand_r(&t->seed) % 8) {
	case 0:
	case 1:
	case 2:
		return edges[rand_r(&t->seed) % (sizeof(edges) / sizeof(edges[0]))];
	case 3:
		return rand_r(&t->seed) % 2 ? (uintptr_t)t->f->unmapped :
					      (uintptr_t)t->f->readonly;
	case 4:
		return (uintptr_t)t->scratch + rand_r(&t->seed) % 4096;
	case 5:
		/* A name the threads share, so names meet. */
		return (uintptr_t)t->names[rand_r(&t->seed) % 8];
	case 6:
		return (uint32_t)rand_r(&t->seed) % 8 |
		       (uint64_t)(rand_r(&t->seed) % 8) << 32;
	default:
		return rnd64(t);
	}
}

static int pick_fd(struct fuzz_thread *t)
{
	int fd = t->f->pool[rand_r(&t->seed) % POOL];

	return fd >= 0 && rand_r(&t->seed) % 16 ? fd : t->f->dev;
}

/* Put @fd in a random slot, closing what was there. */
static void keep_fd(struct fuzz_thread *t, int fd)
{
	int old;

	if (fd < 0)
		return;
	old = __atomic_exchange_n(&t->f->pool[rand_r(&t->seed) % POOL], fd,
				  __ATOMIC_ACQ_REL);
	if (old >= 0)
		close(old);
}

/* Objects made the proper way, so the random calls have targets. */
static void fuzz_open(struct fuzz_thread *t)
{
	struct kipc_attr a = { 0 };
	int type = 1 + rand_r(&t->seed) % 4, fds[2], oflag;
	const char *name = rand_r(&t->seed) % 2 ? NULL :
			   t->names[rand_r(&t->seed) % 8];

	__atomic_add_fetch(&t->f->sh->opens, 1, __ATOMIC_RELAXED);
	switch (rand_r(&t->seed) % 6) {
	case 0:
		if (kipc_pipe(fds, 8192 << rand_r(&t->seed) % 3,
			      (rand_r(&t->seed) % 2 ? O_DIRECT : 0) |
			      (t->f->faulty ? O_NONBLOCK : 0)) == 0) {
			keep_fd(t, fds[0]);
			keep_fd(t, fds[1]);
		}
		return;
	case 1:
		if (kipc_ring_pipe(fds, 8192, O_NONBLOCK |
				   (rand_r(&t->seed) % 2 ? O_DIRECT : 0)) == 0) {
			keep_fd(t, fds[0]);
			keep_fd(t, fds[1]);
			keep_fd(t, ioctl(fds[rand_r(&t->seed) % 2],
					 KIPC_IOC_RING_MAPFD));
		}
		return;
	}
	oflag = (int)(rand_r(&t->seed) % 3) | O_CREAT |
		(rand_r(&t->seed) % 2 ? O_NONBLOCK : 0);
	if ((type == KIPC_PIPE && name) || t->f->faulty)
		oflag |= O_NONBLOCK;	/* a FIFO open would wait for a peer */
	a.maxmsg = type == KIPC_MQ ? 1 + rand_r(&t->seed) % 8 : 0;
	a.msgsize = type == KIPC_MQ ? 1 + rand_r(&t->seed) % 8192 : 0;
	a.size = type == KIPC_SHM ? page_size() * (1 + rand_r(&t->seed) % 8) : 0;
	a.value = type == KIPC_SEM ? rand_r(&t->seed) % 4 : 0;
	a.flags = type == KIPC_SEM && rand_r(&t->seed) % 2 ? KIPC_F_UNDO : 0;
	keep_fd(t, kipc_open(name, type, oflag, 0600, &a));
}

/*
 * One ioctl: a known command or a made-up one, on a pool descriptor or
 * /dev/kipc. The argument is boundary words and pointers, or itself NULL,
 * unmapped or read-only. Calls that wait are cut short by the thread's
 * timer signal (EINTR), as any blocking call here.
 */
static void fuzz_ioctl(struct fuzz_thread *t)
{
	uint64_t *arg = t->arg;
	unsigned long cmd;
	void *p = arg;
	size_t i;
	int ret;

	__atomic_add_fetch(&t->f->sh->ioctls, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 64; i++)
		arg[i] = word(t);
	if (rand_r(&t->seed) % 4 == 0) {	/* the size word of open, stat */
		uint32_t size = (rand_r(&t->seed) % 2 ? KIPC_OPEN_SIZE_VER0 :
				 KIPC_STAT_SIZE_VER0) +
				(rand_r(&t->seed) % 3 - 1) * 8;

		memcpy(arg, &size, sizeof(size));
	}
	switch (rand_r(&t->seed) % 8) {
	case 0:
		cmd = _IOC(rand_r(&t->seed) % 4, KIPC_IOC_MAGIC,
			   0x40 + rand_r(&t->seed) % 0x40,
			   rand_r(&t->seed) % 512);
		break;
	case 1:
		cmd = (unsigned int)rand_r(&t->seed);
		break;
	default:
		cmd = ioctls[rand_r(&t->seed) % (sizeof(ioctls) / sizeof(ioctls[0]))];
	}
	/* A notification's signal would be ours: one we ignore, or none. */
	if (cmd == KIPC_IOC_MQ_NOTIFY) {
		uint32_t signo = rand_r(&t->seed) % 2 && !t->f->faulty ?
				 SIGURG : 0;

		memcpy((uint8_t *)arg + 4, &signo, sizeof(signo));
	}
	switch (rand_r(&t->seed) % 16) {
	case 0:
		p = NULL;
		break;
	case 1:
		p = t->f->unmapped;
		break;
	case 2:
		p = t->f->readonly;
		break;
	}
	/* struct kipc_open's and kipc_pipe_pair's oflag: both at byte 8 */
	if (t->f->faulty && (cmd == KIPC_IOC_OPEN || cmd == KIPC_IOC_PIPE)) {
		uint32_t oflag;

		memcpy(&oflag, (uint8_t *)arg + 8, sizeof(oflag));
		oflag |= O_NONBLOCK;
		memcpy((uint8_t *)arg + 8, &oflag, sizeof(oflag));
	}
	ret = ioctl(pick_fd(t), cmd, p);
	if (ret > 2 && (cmd == KIPC_IOC_OPEN || cmd == KIPC_IOC_RING_MAPFD))
		keep_fd(t, ret);
}

/* read, write, pread, pwrite or poll, with boundary lengths and buffers. */
static void fuzz_rw(struct fuzz_thread *t)
{
	size_t len = word(t) % (16384 + 1);
	void *buf = t->scratch;
	struct pollfd pfd[3];
	off_t off = (off_t)(word(t) % (1 << 16));
	int fd = pick_fd(t), i;

	__atomic_add_fetch(&t->f->sh->rw, 1, __ATOMIC_RELAXED);
	if (rand_r(&t->seed) % 8 == 0)
		buf = rand_r(&t->seed) % 2 ? t->f->unmapped : t->f->readonly;
	switch (rand_r(&t->seed) % 5) {
	case 0:
		ignore(read(fd, buf, len));
		break;
	case 1:
		ignore(write(fd, buf, len));
		break;
	case 2:
		ignore(pread(fd, buf, len, off));
		break;
	case 3:
		ignore(pwrite(fd, buf, len, off));
		break;
	default:
		for (i = 0; i < 3; i++) {
			pfd[i].fd = pick_fd(t);
			pfd[i].events = (short)word(t);
		}
		poll(pfd, 1 + rand_r(&t->seed) % 3, rand_r(&t->seed) % 2);
	}
}

/* Read or write the byte at @p; a fault there is caught and counted. */
static __attribute__((noinline)) void touch(struct fuzz_thread *t,
					    volatile uint8_t *p, int write)
{
	sigjmp_buf jb;

	touch_jmp = &jb;
	if (sigsetjmp(jb, 1) == 0) {
		if (write)
			*p = 0x5a;
		else
			(void)*p;
	} else {
		__atomic_add_fetch(&t->f->sh->caught, 1, __ATOMIC_RELAXED);
	}
	touch_jmp = NULL;
}

/*
 * Map a descriptor (a region, a ring's map descriptor, or anything) and
 * do random things to the mapping: touch it, mprotect, madvise, mremap,
 * ftruncate or resize what is under it. Our own touches may fault
 * (SIGBUS past a shrunk region, SIGSEGV after mprotect): caught.
 */
static void fuzz_map(struct fuzz_thread *t)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK,
		MADV_DOFORK, MADV_MERGEABLE, MADV_HUGEPAGE, MADV_DONTDUMP,
		MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE, MADV_WIPEONFORK,
	};
	size_t ps = page_size(), len = ps * (1 + rand_r(&t->seed) % 8);
	int prot = rand_r(&t->seed) % 4 == 0 ? PROT_READ :
		   PROT_READ | PROT_WRITE;
	int fd = pick_fd(t), i, n = 1 + rand_r(&t->seed) % 8;
	uint8_t *m;
	void *r;

	__atomic_add_fetch(&t->f->sh->maps, 1, __ATOMIC_RELAXED);
	r = mmap(NULL, len, prot, rand_r(&t->seed) % 4 ? MAP_SHARED : MAP_PRIVATE,
		 fd, (off_t)(rand_r(&t->seed) % 3) * (off_t)ps);
	if (r == MAP_FAILED)
		return;
	m = r;
	for (i = 0; i < n; i++) {
		size_t at = (size_t)rand_r(&t->seed) % len, newlen;
		void *moved;

		switch (rand_r(&t->seed) % 7) {
		case 0:
		case 1:
			if (!t->f->faulty)
				touch(t, m + at, rand_r(&t->seed) % 2);
			break;
		case 2:
			mprotect(r, len, rand_r(&t->seed) % 8);
			break;
		case 3:
			madvise(r, len, advice[rand_r(&t->seed) %
					       (sizeof(advice) / sizeof(advice[0]))]);
			break;
		case 4:
			newlen = ps * (1 + rand_r(&t->seed) % 8);
			moved = mremap(r, len, newlen, MREMAP_MAYMOVE);
			if (moved != MAP_FAILED) {
				r = moved;
				m = r;
				len = newlen;
			}
			break;
		case 5:
			ignore(ftruncate(fd, (off_t)(ps * (rand_r(&t->seed) % 9))));
			break;
		default:
			ioctl(fd, KIPC_IOC_SHM_RESIZE,
			      &(struct kipc_shm_resize){
				      .size = ps * (rand_r(&t->seed) % 9) });
		}
	}
	munmap(r, len);
}

/* --- Generic netlink ----------------------------------------------------- */

struct nl_msg {
	struct nlmsghdr n;
	struct genlmsghdr g;
	uint8_t attrs[512];
};

/* The kipc family's id, asked of the controller; -1 if it has none. */
static int nl_family_id(void)
{
	struct nl_msg m = { 0 };
	struct nlattr *a = (struct nlattr *)m.attrs;
	uint8_t buf[4096];
	struct nlmsghdr *r = (struct nlmsghdr *)buf;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int id = -1, len;

	if (fd < 0)
		return -1;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(KIPC_GENL_NAME);
	memcpy(a + 1, KIPC_GENL_NAME, sizeof(KIPC_GENL_NAME));
	m.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + NLA_ALIGN(a->nla_len));
	m.n.nlmsg_type = GENL_ID_CTRL;
	m.n.nlmsg_flags = NLM_F_REQUEST;
	m.g.cmd = CTRL_CMD_GETFAMILY;
	m.g.version = 1;
	if (send(fd, &m, m.n.nlmsg_len, 0) < 0)
		goto out;
	len = (int)recv(fd, buf, sizeof(buf), 0);
	if (len < (int)NLMSG_LENGTH(GENL_HDRLEN) || r->nlmsg_type == NLMSG_ERROR)
		goto out;
	len = (int)r->nlmsg_len - (int)NLMSG_LENGTH(GENL_HDRLEN);
	a = (struct nlattr *)((uint8_t *)NLMSG_DATA(r) + GENL_HDRLEN);
	while (len >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			id = *(uint16_t *)(a + 1);
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
out:
	close(fd);
	return id;
}

/*
 * A request of random command, version, flags and attributes (types in
 * and past the family's, lengths that lie, nesting), then whatever the
 * kernel answers, read without waiting.
 */
static void fuzz_netlink(struct fuzz_thread *t)
{
	struct nl_msg m;
	uint8_t reply[8192];
	size_t off = 0;
	int i, n = rand_r(&t->seed) % 6;

	__atomic_add_fetch(&t->f->sh->netlink, 1, __ATOMIC_RELAXED);
	memset(&m, 0, sizeof(m));
	m.n.nlmsg_type = rand_r(&t->seed) % 16 ? t->f->nl_family : GENL_ID_CTRL;
	m.n.nlmsg_flags = NLM_F_REQUEST |
			  (rand_r(&t->seed) % 3 == 0 ? NLM_F_DUMP : 0) |
			  (rand_r(&t->seed) % 2 ? NLM_F_ACK : 0);
	m.n.nlmsg_seq = (uint32_t)rand_r(&t->seed);
	m.g.cmd = (uint8_t)(rand_r(&t->seed) % 10);
	m.g.version = (uint8_t)(rand_r(&t->seed) % 3);
	for (i = 0; i < n; i++) {
		struct nlattr *a = (struct nlattr *)(m.attrs + off);
		size_t len = (size_t)rand_r(&t->seed) % 40;
		uint64_t w;
		size_t k;

		if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m.attrs))
			break;
		a->nla_type = (uint16_t)(rand_r(&t->seed) % 40) |
			      (rand_r(&t->seed) % 8 ? 0 : NLA_F_NESTED);
		a->nla_len = (uint16_t)(NLA_HDRLEN + len);
		for (k = 0; k < len; k += 8) {
			w = word(t);
			memcpy((uint8_t *)(a + 1) + k, &w,
			       len - k < 8 ? len - k : 8);
		}
		if (rand_r(&t->seed) % 4 == 0 && len)	/* a string's NUL */
			((uint8_t *)(a + 1))[len - 1] = 0;
		if (rand_r(&t->seed) % 16 == 0)		/* a length that lies */
			a->nla_len = (uint16_t)rand_r(&t->seed);
		off += NLA_HDRLEN + NLA_ALIGN(len);
	}
	m.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + off);
	if (rand_r(&t->seed) % 16 == 0)
		m.n.nlmsg_len = (uint32_t)(rand_r(&t->seed) % sizeof(m));
	ignore(send(t->nl, &m, m.n.nlmsg_len, MSG_DONTWAIT));
	for (i = 0; i < 64; i++)
		if (recv(t->nl, reply, sizeof(reply), MSG_DONTWAIT) <= 0)
			break;
}

/* --- Descriptors, processes, and the threads' loop --------------------- */

/* Close or dup a pool descriptor, or fork a child that calls a few. */
static void fuzz_fds(struct fuzz_thread *t)
{
	int slot = rand_r(&t->seed) % POOL, fd, i;
	pid_t pid;

	switch (rand_r(&t->seed) % 8) {
	case 0:
	case 1:
	case 2:
		fd = __atomic_exchange_n(&t->f->pool[slot], -1, __ATOMIC_ACQ_REL);
		if (fd >= 0)
			close(fd);
		break;
	case 3:
		keep_fd(t, dup(pick_fd(t)));
		break;
	case 5:
		/*
		 * A descriptor number at random: what KIPC_IOC_PIPE wrote into
		 * scratch memory, a pool one, a socket; never /dev/kipc.
		 */
		fd = 3 + rand_r(&t->seed) % 1021;
		if (fd != t->f->dev)
			close(fd);
		break;
	case 4:
		__atomic_add_fetch(&t->f->sh->forks, 1, __ATOMIC_RELAXED);
		pid = fork();
		if (pid == 0) {
			/* The threads are not here: no timers, so an alarm. */
			alarm(2);
			for (i = 0; i < 4; i++)
				fuzz_ioctl(t);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		break;
	default:
		fuzz_open(t);
	}
}

static void on_tick(int sig)
{
	(void)sig;
}

/*
 * A timer of the thread's own that signals it every 20 ms, so no call
 * sleeps long (kipc's waits end with EINTR; no SA_RESTART).
 */
static int thread_ticks(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID,
				.sigev_signo = SIGRTMIN };
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	timer_t timer;

	sev._sigev_un._tid = (int)gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer))
		return -1;
	return timer_settime(timer, 0, &its, NULL);
}

/*
 * The monotonic clock, read until the read works: under TCG it is a
 * system call, whose copy out fail_usercopy may fail (mono_ns() would
 * then return garbage and end the run at once).
 */
static uint64_t fuzz_now(void)
{
	struct timespec ts;

	while (clock_gettime(CLOCK_MONOTONIC, &ts))
		;
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Unregister the thread's rseq area (glibc registers one per thread):
 * the kernel updates it on the way back to user space and answers a
 * failed copy, which fail_usercopy makes happen, with SIGSEGV.
 */
static int rseq_off(void)
{
	struct rseq *rs = (struct rseq *)((char *)__builtin_thread_pointer() +
					  __rseq_offset);

	if (!__rseq_size)
		return 0;	/* glibc did not register one */
	if (!syscall(SYS_rseq, rs, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG))
		return 0;
	/* glibc may register the whole area but report its used size. */
	return syscall(SYS_rseq, rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) ? -1 : 0;
}

static void *fuzz_thread(void *arg)
{
	struct fuzz_thread *t = arg;
	unsigned int i;

	if (t->f->faulty ? rseq_off() : thread_ticks()) {
		__atomic_add_fetch(&t->f->sh->broken, 1, __ATOMIC_RELAXED);
		return (void *)1;
	}
	t->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	for (i = 0; i < 8; i++)
		snprintf(t->names[i], sizeof(t->names[i]), "fz%u", i);
	while (fuzz_now() < t->f->deadline) {
		switch (rand_r(&t->seed) % 10) {
		case 0:
		case 1:
		case 2:
			fuzz_ioctl(t);
			break;
		case 3:
		case 4:
			fuzz_rw(t);
			break;
		case 5:
			fuzz_map(t);
			break;
		case 6:
			fuzz_netlink(t);
			break;
		default:
			fuzz_fds(t);
		}
	}
	close(t->nl);
	return NULL;
}

/*
 * A thread's memory for the kernel to write: ARG_BYTES of ioctl argument
 * and SCRATCH_BYTES of buffers, each followed by a guard page, so that a
 * length the kernel is told (a stat's size word: it clears the rest) ends
 * in EFAULT rather than in another thread's stack.
 */
#define ARG_BYTES	65536
#define SCRATCH_BYTES	20480

static int thread_memory(struct fuzz_thread *t)
{
	size_t ps = page_size(), len = ARG_BYTES + SCRATCH_BYTES + 2 * ps;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED ||
	    mprotect(m + ARG_BYTES, ps, PROT_NONE) ||
	    mprotect(m + len - ps, ps, PROT_NONE))
		return -1;
	t->arg = (uint64_t *)m;
	t->scratch = m + ARG_BYTES + ps;
	return 0;
}

/*
 * The fuzzing process: nobody, in its own network namespace, with @seed
 * split among @threads threads for @seconds. Exits 0 when the time is
 * up, 1 if it could not start.
 */
static int fuzz_process(struct fuzz_shared *sh, unsigned int seed,
			unsigned int threads, unsigned long seconds, int log,
			int faulty)
{
	struct fuzz_thread ts[THREADS];
	pthread_t tid[THREADS];
	struct sigaction sa = { 0 };
	struct fuzz f = { .sh = sh, .faulty = faulty };
	size_t ps = page_size();
	unsigned int i;
	int null;

	/* Nothing to write on: a random ioctl on a terminal could harm it. */
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(log, 2) < 0)
		return 1;
	close(log);
	if (unshare(CLONE_NEWNET) || setgroups(0, NULL) ||
	    setgid(NOBODY) || setuid(NOBODY))
		return 1;
	sa.sa_handler = on_tick;
	sigaction(SIGRTMIN, &sa, NULL);
	sigaction(SIGURG, &sa, NULL);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_NODEFER | SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	f.dev = open(KIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	f.nl_family = nl_family_id();
	f.unmapped = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	f.readonly = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (f.dev < 0 || f.nl_family < 0 || f.unmapped == MAP_FAILED ||
	    f.readonly == MAP_FAILED)
		return 1;
	for (i = 0; i < POOL; i++)
		f.pool[i] = -1;
	f.deadline = mono_ns() + seconds * 1000000000ull;
	for (i = 0; i < threads; i++) {
		ts[i].f = &f;
		ts[i].seed = seed + i * 0x9e3779b9u;
		if (thread_memory(&ts[i]) ||
		    pthread_create(&tid[i], NULL, fuzz_thread, &ts[i]))
			return 1;
	}
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	return sh->broken ? 1 : 0;
}

/* --- Fault injection (debug kernel) ------------------------------------ */

static const char *const injectors[] = {
	"failslab", "fail_page_alloc", "fail_usercopy",
};
#define INJECTORS	(sizeof(injectors) / sizeof(injectors[0]))

/* Set make-it-fail on every thread of @pid (inherited by what they fork). */
static int make_it_fail(pid_t pid)
{
	char path[300];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/make-it-fail",
			 (int)pid, e->d_name);
		n += write_file(path, "1") == 0;
	}
	closedir(d);
	return n;
}

/* --- The tests ----------------------------------------------------------- */

/* Objects nobody is charged for and objects in every namespace. */
static int nobody_charged(void *arg)
{
	struct kipc_limits l;

	(void)arg;
	if (kipc_limits(&l))
		return -1;
	return l.user_objects || l.user_bytes;
}

static uint64_t objects_everywhere(void)
{
	struct kipc_limits l;

	return kipc_limits(&l) ? UINT64_MAX : l.objects;
}

FIXTURE(fuzz) {
	struct fuzz_shared *sh;
	unsigned int seed;
	unsigned long seconds;
	uint64_t objects;
};

FIXTURE_SETUP(fuzz)
{
	self->seed = (unsigned int)env_or("KIPC_FUZZ_SEED",
					  (unsigned long)(mono_ns() | 1));
	self->seconds = env_or("KIPC_FUZZ_SECONDS", on_debug_kernel() ? 75 : 20);
	self->sh = shared_zeroed(sizeof(*self->sh));
	ASSERT_NE(NULL, self->sh);
	self->objects = objects_everywhere();
	ASSERT_NE(UINT64_MAX, self->objects);
}

FIXTURE_TEARDOWN(fuzz)
{
	munmap(self->sh, sizeof(*self->sh));
}

/*
 * Run the fuzzing process and check that it ended by itself in its time
 * and took everything it made with it. @faulty: with the fault injectors
 * armed on its threads.
 */
static void fuzz(struct __test_metadata *_metadata, FIXTURE_DATA(fuzz) *self,
		 int faulty)
{
	struct fuzz_shared *sh = self->sh;
	uint64_t start = mono_ns(), objects = UINT64_MAX;
	pid_t pid;
	int status, i, threads, log;
	size_t k;

	TH_LOG("seed %u (KIPC_FUZZ_SEED replays it), %lu s, %d threads",
	       self->seed, self->seconds, THREADS);
	/* What glibc says if it aborts the fuzzer ends up here. */
	log = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	ASSERT_LE(0, log);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(fuzz_process(sh, self->seed, THREADS, self->seconds, log,
				   faulty));
	if (faulty) {
		while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE) &&
		       waitpid(pid, &status, WNOHANG) == 0)
			usleep(1000);
		threads = make_it_fail(pid);
		EXPECT_LE(THREADS, threads);
	}
	/* Its time, plus what TCG and a debug kernel may need to wind down. */
	for (i = 0; i < 600; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (mono_ns() - start > (self->seconds + 300) * 1000000000ull) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ASSERT_TRUE(0) TH_LOG("the fuzzer hung: killed");
		}
		sleep(1);
	}
	if (faulty) {
		for (k = 0; k < INJECTORS; k++)
			if (fault_injected(injectors[k]) >= 0)
				TH_LOG("%s: %ld faults injected", injectors[k],
				       fault_injected(injectors[k]));
		fault_arm(injectors, INJECTORS, "0");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char said[1024] = { 0 };

		ignore(pread(log, said, sizeof(said) - 1, 0));
		TH_LOG("the fuzzer's stderr: %s", said);
	}
	close(log);
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("the fuzzer died of signal %d",
					      WTERMSIG(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the fuzzer could not start");
	TH_LOG("%llu ioctls, %llu reads/writes/polls, %llu mappings, "
	       "%llu netlink requests, %llu opens, %llu forks, %llu faults "
	       "caught on its own mappings",
	       (unsigned long long)sh->ioctls, (unsigned long long)sh->rw,
	       (unsigned long long)sh->maps, (unsigned long long)sh->netlink,
	       (unsigned long long)sh->opens, (unsigned long long)sh->forks,
	       (unsigned long long)sh->caught);
	EXPECT_LT(1000, sh->ioctls);

	/* Its namespace goes with it, asynchronously: give it 60 s. */
	for (i = 0; i < 600; i++) {
		objects = objects_everywhere();
		if (objects == self->objects)
			break;
		usleep(100000);
	}
	EXPECT_EQ(self->objects, objects) TH_LOG("objects outlived the fuzzer");
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, -1, nobody_charged, NULL))
		TH_LOG("nobody is still charged for objects or bytes");
}

TEST_F_TIMEOUT(fuzz, every_call_with_random_arguments, 900)
{
	fuzz(_metadata, self, 0);
}

TEST_F_TIMEOUT(fuzz, every_call_while_allocations_and_copies_fail, 900)
{
	if (!on_debug_kernel())
		SKIP(return, "no fault injection in debugfs (the debug kernel has it)");
	ASSERT_LT(0, fault_arm(injectors, INJECTORS, "5"));
	fuzz(_metadata, self, 1);
}

TEST_HARNESS_MAIN
