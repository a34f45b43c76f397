// SPDX-License-Identifier: GPL-2.0
/*
 * Regions: one set of pages seen by every process that maps them (at
 * sizes from a page to 64 MiB, after fork, after SCM_RIGHTS), pread and
 * pwrite, read-only handles, the memfd sealing cases, resizing under live
 * mappings (SIGBUS past the end, zeros after regrowing), mappings that
 * outlive their fd and name, quotas, bad input (one errno per test), the
 * CLI, and a ring of a region and two semaphores moving 64 MiB.
 */
#include <inttypes.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "common.h"
#include "kselftest_harness.h"

#define MIB		(1024 * 1024ul)

static size_t pg;	/* the page size, set by every test that needs it */

static int new_shm(size_t size)
{
	pg = page_size();
	return raw_shm(NULL, O_RDWR, 0, size);
}

static int named_shm(const char *name, size_t size)
{
	pg = page_size();
	return raw_shm(name, O_RDWR | O_CREAT | O_EXCL, 0600, size);
}

static void *map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

static int shm_info(int fd, struct kipc_shm_info *info)
{
	memset(info, GARBAGE, sizeof(*info));
	return ioctl(fd, KIPC_IOC_SHM_INFO, info);
}

static uint64_t shm_size(int fd)
{
	struct kipc_shm_info info;

	return shm_info(fd, &info) ? UINT64_MAX : info.size;
}

static uint64_t shm_mappings(int fd)
{
	struct kipc_shm_info info;

	return shm_info(fd, &info) ? UINT64_MAX : info.mappings;
}

static int resize(int fd, uint64_t size)
{
	struct kipc_shm_resize r = { .size = size };

	return ioctl(fd, KIPC_IOC_SHM_RESIZE, &r);
}

static int seal(int fd, uint32_t seals)
{
	struct kipc_shm_seal s = { .seals = seals };

	return ioctl(fd, KIPC_IOC_SHM_SEAL, &s);
}

static int child_exit_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Touch one byte, catching SIGBUS: returns the byte read (after storing
 * @val if @write), or -1 if the access raised SIGBUS.
 */
static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static int touch(volatile unsigned char *p, bool write, unsigned char val)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile int ret;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1)) {
		ret = -1;
	} else {
		if (write)
			*p = val;
		ret = *p;
	}
	sigaction(SIGBUS, &old, NULL);
	return ret;
}

/* The PFN behind @addr (needs CAP_SYS_ADMIN), 0 if unknown. */
static uint64_t pfn_of(const void *addr)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (uintptr_t)addr / page_size() * sizeof(entry)) !=
	    sizeof(entry))
		entry = 0;
	close(fd);
	return entry >> 63 ? entry & ((1ull << 55) - 1) : 0;
}

/* Send @fd over a unix socket; receive one back. */
static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* One byte through a pipe, to take turns with a child. */
static int put_byte(int fd, char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -1;
}

static int get_byte(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? (unsigned char)c : -1;
}

/* A byte pattern that depends on the offset and a seed. */
static unsigned char pat(size_t off, unsigned int seed)
{
	return (unsigned char)((off * 131 + seed * 7 + (off >> 12)) | 1);
}

TEST(region_is_an_anon_inode_fd_and_a_feature)
{
	char path[64], link[64] = "";
	uint64_t features = 0;
	struct kipc_stat st;
	int fd = new_shm(4 * page_size());

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ASSERT_LT(0, readlink(path, link, sizeof(link) - 1));
	EXPECT_STREQ("anon_inode:[kipc-shm]", link);
	ASSERT_EQ(0, kipc_version(NULL, &features));
	EXPECT_EQ(KIPC_FEAT_SHM, features & KIPC_FEAT_SHM);

	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(KIPC_SHM, st.type);
	EXPECT_EQ(4 * pg, st.capacity);
	EXPECT_EQ(0, st.fill);
	EXPECT_EQ(0, st.blocked_in | st.blocked_out);
	EXPECT_EQ(0, st.reserved[0] | st.reserved[1] | st.reserved[2] |
		     st.reserved[3]);
	close(fd);
}

TEST(size_zero_means_the_module_default)
{
	long long def = param_get("shm_default_bytes");
	int fd = new_shm(0);

	ASSERT_LT(0, def);
	ASSERT_LE(0, fd);
	EXPECT_EQ((uint64_t)def, shm_size(fd));
	close(fd);
}

TEST(pages_read_as_zero)
{
	size_t len = 16 * page_size(), i;
	unsigned char *p, buf[256];
	int fd = new_shm(len);

	ASSERT_LE(0, fd);
	p = map(fd, len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < len; i += 512)
		ASSERT_EQ(0, p[i]) TH_LOG("offset %zu", i);
	memset(buf, GARBAGE, sizeof(buf));
	ASSERT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), len - sizeof(buf)));
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);
	munmap(p, len);
	close(fd);
}

TEST(stat_and_info_report_size_resident_and_mappings)
{
	struct kipc_shm_info info;
	struct kipc_stat st;
	char buf[3 * 4096];
	void *p1, *p2;
	pid_t pid;
	int fd = new_shm(8 * page_size()), ready[2];

	ASSERT_LE(0, fd);
	ASSERT_GE(sizeof(buf), 3 * pg);
	memset(buf, 7, sizeof(buf));
	ASSERT_EQ(3 * pg, pwrite(fd, buf, 3 * pg, pg));
	ASSERT_EQ(pg, pread(fd, buf, pg, 0));

	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(8 * pg, st.capacity);
	EXPECT_EQ(3 * pg, st.fill);
	EXPECT_EQ(3 * pg, st.high_water);
	EXPECT_EQ(1, st.in_ops);
	EXPECT_EQ(3 * pg, st.in_bytes);
	EXPECT_EQ(1, st.out_ops);
	EXPECT_EQ(pg, st.out_bytes);

	ASSERT_EQ(0, shm_info(fd, &info));
	EXPECT_EQ(8 * pg, info.size);
	EXPECT_EQ(3 * pg, info.resident);
	EXPECT_EQ(0, info.mappings);
	EXPECT_EQ(0, info.seals);
	EXPECT_EQ(0, info.pad);

	/* Every VMA counts, in every process. */
	p1 = map(fd, 8 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	p2 = map(fd, pg, PROT_READ, MAP_PRIVATE, 2 * pg);
	ASSERT_NE(MAP_FAILED, p1);
	ASSERT_NE(MAP_FAILED, p2);
	EXPECT_EQ(2, shm_mappings(fd));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		put_byte(ready[1], 'r');
		pause();
		_exit(0);
	}
	ASSERT_EQ('r', get_byte(ready[0]));
	EXPECT_EQ(4, shm_mappings(fd));
	kill(pid, SIGKILL);
	child_exit_status(pid);
	EXPECT_EQ(2, shm_mappings(fd));
	munmap(p2, pg);
	EXPECT_EQ(1, shm_mappings(fd));

	/* Faulting pages in through a mapping makes them resident. */
	memset(p1, 1, 8 * pg);
	ASSERT_EQ(0, shm_info(fd, &info));
	EXPECT_EQ(8 * pg, info.resident);
	munmap(p1, 8 * pg);
	EXPECT_EQ(0, shm_mappings(fd));
	close(ready[0]);
	close(ready[1]);
	close(fd);
}

/*
 * Two processes, each with its own handle and mapping, see each other's
 * writes at the start, the second page, the middle and the end, and map
 * the same physical page.
 */
FIXTURE(share) {
	char name[64];
	int fd;
};

FIXTURE_VARIANT(share) {
	size_t bytes;	/* 0: one page */
};

FIXTURE_VARIANT_ADD(share, one_page) { .bytes = 0 };
FIXTURE_VARIANT_ADD(share, two_pages) { .bytes = 8192 };
FIXTURE_VARIANT_ADD(share, one_mib) { .bytes = 1 * MIB };
FIXTURE_VARIANT_ADD(share, sixteen_mib) { .bytes = 16 * MIB };
FIXTURE_VARIANT_ADD(share, sixty_four_mib) { .bytes = 64 * MIB };

FIXTURE_SETUP(share)
{
	uniq_name(self->name, sizeof(self->name), "share");
	self->fd = -1;
}

FIXTURE_TEARDOWN(share)
{
	if (self->fd >= 0)
		close(self->fd);
	raw_unlink(self->name);
}

/*
 * netlink's get tells a region's mappings and seals as KIPC_IOC_SHM_INFO
 * does, without opening it: the opens counter stays where it was.
 */
/*
 * A page pinned for DMA outlives the mapping it was pinned through and
 * may still be written: KIPC_SEAL_WRITE refuses with EBUSY while it is,
 * and changes nothing, as memfd's F_SEAL_WRITE. io_uring's fixed buffers
 * are such a pin (FOLL_PIN | FOLL_LONGTERM), taken here with the raw
 * system calls.
 */
TEST(write_seal_is_ebusy_while_pages_are_pinned)
{
	struct io_uring_params params;
	struct iovec iov;
	int fd, ring;
	void *p;

	memset(&params, 0, sizeof(params));
	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		SKIP(return, "no io_uring here (%s)", strerror(errno));
	fd = new_shm(2 * page_size());
	ASSERT_LE(0, fd);
	p = map(fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, 2 * pg);
	iov.iov_base = p;
	iov.iov_len = 2 * pg;
	ASSERT_EQ(0, syscall(__NR_io_uring_register, ring,
			     IORING_REGISTER_BUFFERS, &iov, 1))
		TH_LOG("%s", strerror(errno));
	/* No writable mapping is left; the pin is. */
	ASSERT_EQ(0, munmap(p, 2 * pg));
	EXPECT_EQ(-1, seal(fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, kipc_shm_get_seals(fd));
	/* And a writable mapping is still allowed: nothing was denied. */
	p = map(fd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, pg));

	ASSERT_EQ(0, syscall(__NR_io_uring_register, ring,
			     IORING_UNREGISTER_BUFFERS, NULL, 0));
	EXPECT_EQ(0, seal(fd, KIPC_SEAL_WRITE)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(KIPC_SEAL_WRITE, kipc_shm_get_seals(fd));
	close(ring);
	close(fd);
}

/*
 * Many mappings of one page raise its refcount past what a pin adds
 * (GUP_PIN_COUNTING_BIAS, 1024) without any pin: the write seal must not
 * take them for one.
 */
TEST(many_read_only_mappings_are_not_a_pin)
{
	enum { N = 1100 };
	static void *maps[N];
	int fd, i;

	fd = new_shm(page_size());
	ASSERT_LE(0, fd);
	for (i = 0; i < N; i++) {
		/* Private: a shared one of a writable handle could write. */
		maps[i] = map(fd, pg, PROT_READ, MAP_PRIVATE, 0);
		ASSERT_NE(MAP_FAILED, maps[i]);
		(void)*(volatile char *)maps[i];
	}
	EXPECT_EQ(0, seal(fd, KIPC_SEAL_WRITE)) TH_LOG("%s", strerror(errno));
	for (i = 0; i < N; i++)
		munmap(maps[i], pg);
	close(fd);
}

TEST(lookup_tells_mappings_and_seals_without_opening)
{
	struct kipc_shm_info nl, io;
	struct kipc_stat st;
	char name[64];
	void *p;
	int fd;

	pg = page_size();
	uniq_name(name, sizeof(name), "nl-info");
	fd = named_shm(name, 2 * pg);
	ASSERT_LE(0, fd);
	p = map(fd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, seal(fd, KIPC_SEAL_GROW));

	memset(&nl, 0xa5, sizeof(nl));
	ASSERT_EQ(0, kipc_lookup_shm(name, &st, &nl));
	EXPECT_EQ(1, st.opens);
	ASSERT_EQ(0, kipc_lookup_shm(name, &st, &nl));
	EXPECT_EQ(1, st.opens);
	ASSERT_EQ(0, shm_info(fd, &io));
	EXPECT_EQ(io.size, nl.size);
	EXPECT_EQ(1, nl.mappings);
	EXPECT_EQ(io.mappings, nl.mappings);
	EXPECT_EQ(KIPC_SEAL_GROW, nl.seals);
	EXPECT_EQ(io.seals, nl.seals);
	munmap(p, pg);
	ASSERT_EQ(0, kipc_lookup_shm(name, &st, &nl));
	EXPECT_EQ(0, nl.mappings);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));

	/* Another type: the region part is zero. */
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	memset(&nl, 0xa5, sizeof(nl));
	ASSERT_EQ(0, kipc_lookup_shm(name, &st, &nl));
	EXPECT_EQ(KIPC_SEM, st.type);
	EXPECT_EQ(0, nl.size);
	EXPECT_EQ(0, nl.mappings);
	EXPECT_EQ(0, nl.seals);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

static int share_child(const char *name, size_t len, const size_t *offs,
		       int n, int to_parent, int from_parent)
{
	unsigned char *p;
	uint64_t pfn;
	int fd, i;

	fd = raw_shm(name, O_RDWR, 0, 0);
	if (fd < 0)
		return 10;
	p = map(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return 11;
	close(fd);
	for (i = 0; i < n; i++)
		p[offs[i]] = pat(offs[i], 1);
	pfn = pfn_of(p + offs[n - 1]);
	if (write(to_parent, &pfn, sizeof(pfn)) != sizeof(pfn))
		return 12;
	/* The parent's turn. */
	if (get_byte(from_parent) != 'p')
		return 13;
	for (i = 0; i < n; i++)
		if (p[offs[i]] != pat(offs[i], 2))
			return 20 + i;
	return 0;
}

TEST_F_TIMEOUT(share, writes_are_seen_through_separate_mappings, 120)
{
	size_t len = variant->bytes ?: page_size(), offs[6];
	int to_parent[2], from_parent[2], i, n = 0;
	unsigned char *p;
	uint64_t pfn = 0;
	pid_t pid;

	self->fd = named_shm(self->name, len);
	ASSERT_LE(0, self->fd);
	p = map(self->fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);

	offs[n++] = 0;
	if (len > pg)
		offs[n++] = pg + 17;
	offs[n++] = len / 2 + 5;
	offs[n++] = len - pg;
	offs[n++] = len - 1;

	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(from_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(share_child(self->name, len, offs, n, to_parent[1],
				  from_parent[0]));

	ASSERT_EQ(sizeof(pfn), read(to_parent[0], &pfn, sizeof(pfn)));
	for (i = 0; i < n; i++)
		EXPECT_EQ(pat(offs[i], 1), p[offs[i]]) TH_LOG("offset %zu", offs[i]);
	/* Root sees PFNs: both mappings hold the very same page. */
	if (geteuid() == 0)
		EXPECT_NE(0, pfn);
	if (pfn)
		EXPECT_EQ(pfn, pfn_of(p + offs[n - 1]));
	for (i = 0; i < n; i++)
		p[offs[i]] = pat(offs[i], 2);
	ASSERT_EQ(0, put_byte(from_parent[1], 'p'));
	EXPECT_EQ(0, child_exit_status(pid));

	/* pread sees the mapped writes too: one page cache. */
	for (i = 0; i < n; i++) {
		unsigned char c = 0;

		ASSERT_EQ(1, pread(self->fd, &c, 1, offs[i]));
		EXPECT_EQ(pat(offs[i], 2), c);
	}
	munmap(p, len);
	close(to_parent[0]);
	close(to_parent[1]);
	close(from_parent[0]);
	close(from_parent[1]);
}

TEST(writes_are_seen_across_fork)
{
	int fd = new_shm(4 * page_size());
	volatile unsigned char *p;
	pid_t pid;

	ASSERT_LE(0, fd);
	p = map(fd, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[pg] = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (p[pg] != 1)
			_exit(1);
		p[3 * pg + 9] = 42;
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_status(pid));
	EXPECT_EQ(42, p[3 * pg + 9]);
	munmap((void *)p, 4 * pg);
	close(fd);
}

TEST(fd_passed_over_scm_rights_maps_the_same_pages)
{
	int sv[2], fd, status;
	unsigned char *p;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	/* The child exists before the region: it can only get it by fd. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int got = recv_fd(sv[1]);
		unsigned char *q;

		if (got < 0)
			_exit(1);
		q = map(got, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		if (q == MAP_FAILED)
			_exit(2);
		if (q[5] != 5)
			_exit(3);
		q[6] = 6;
		_exit(0);
	}
	fd = new_shm(page_size());
	ASSERT_LE(0, fd);
	p = map(fd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[5] = 5;
	ASSERT_EQ(0, send_fd(sv[0], fd));
	status = child_exit_status(pid);
	EXPECT_EQ(0, status);
	EXPECT_EQ(6, p[6]);
	munmap(p, pg);
	close(sv[0]);
	close(sv[1]);
	close(fd);
}

TEST(pread_pwrite_read_write_and_lseek)
{
	char buf[64], out[64];
	struct iovec iov[2];
	int fd = new_shm(2 * page_size());
	size_t size;

	ASSERT_LE(0, fd);
	size = 2 * pg;
	memset(buf, 'a', sizeof(buf));
	EXPECT_EQ(10, pwrite(fd, buf, 10, 100));
	memset(out, GARBAGE, sizeof(out));
	EXPECT_EQ(12, pread(fd, out, 12, 99));
	EXPECT_EQ(0, out[0]);
	EXPECT_EQ('a', out[1]);
	EXPECT_EQ('a', out[10]);
	EXPECT_EQ(0, out[11]);

	/* The file position: write, lseek, read. */
	EXPECT_EQ(0, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(3, write(fd, "xyz", 3));
	EXPECT_EQ(3, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(1, lseek(fd, 1, SEEK_SET));
	memset(out, GARBAGE, sizeof(out));
	EXPECT_EQ(2, read(fd, out, 2));
	EXPECT_EQ(0, memcmp(out, "yz", 2));
	EXPECT_EQ((off_t)size, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(0, read(fd, out, sizeof(out)));	/* EOF */
	EXPECT_EQ((off_t)size - 4, lseek(fd, -4, SEEK_END));
	EXPECT_EQ(4, read(fd, out, sizeof(out)));	/* short at the end */

	/* Vectors, and a write cut at the end. */
	iov[0] = (struct iovec){ .iov_base = "12", .iov_len = 2 };
	iov[1] = (struct iovec){ .iov_base = "34", .iov_len = 2 };
	EXPECT_EQ(4, pwritev(fd, iov, 2, 200));
	EXPECT_EQ(4, pread(fd, out, 4, 200));
	EXPECT_EQ(0, memcmp(out, "1234", 4));
	EXPECT_EQ(3, pwrite(fd, buf, sizeof(buf), size - 3));
	EXPECT_EQ(size, shm_size(fd));

	/* fsync and msync are accepted (there is nothing to write back). */
	EXPECT_EQ(0, fsync(fd));
	close(fd);
}

TEST(write_at_or_past_the_end_is_enospc)
{
	int fd = new_shm(page_size());

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, pwrite(fd, "x", 1, pg));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(fd, "x", 1, 1ll << 40));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ((off_t)pg, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(ENOSPC, errno);
	/* O_APPEND has nowhere to append. */
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_APPEND));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(ENOSPC, errno);
	/* Nothing grew. */
	EXPECT_EQ(pg, shm_size(fd));
	close(fd);
}

TEST(read_past_the_end_is_eof)
{
	char c = 'g';
	int fd = new_shm(page_size());

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, pread(fd, &c, 1, pg));
	EXPECT_EQ(0, pread(fd, &c, 1, 1ll << 50));
	EXPECT_EQ('g', c);
	close(fd);
}

TEST(overflowing_or_negative_file_offsets_are_einval)
{
	char c = 0, buf[16] = "";
	int fd = new_shm(page_size());

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, pwrite(fd, &c, 1, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(fd, &c, 1, -1));
	EXPECT_EQ(EINVAL, errno);
	/* pos + count past the largest offset. */
	EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), INT64_MAX - 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, pg + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_DATA));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* Read-only enforcement. */
FIXTURE(ro) {
	char name[64];
	int fd, ro;
};

FIXTURE_SETUP(ro)
{
	uniq_name(self->name, sizeof(self->name), "ro");
	self->fd = named_shm(self->name, 4 * page_size());
	ASSERT_LE(0, self->fd);
	self->ro = raw_shm(self->name, O_RDONLY, 0, 0);
	ASSERT_LE(0, self->ro);
	ASSERT_EQ(3, pwrite(self->fd, "abc", 3, 0));
}

FIXTURE_TEARDOWN(ro)
{
	close(self->ro);
	close(self->fd);
	raw_unlink(self->name);
}

TEST_F(ro, read_only_handle_cannot_map_writable)
{
	EXPECT_EQ(MAP_FAILED, map(self->ro, pg, PROT_READ | PROT_WRITE,
				  MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, map(self->ro, pg, PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
}

TEST_F(ro, read_only_mapping_cannot_be_mprotected_writable)
{
	unsigned char *p = map(self->ro, 4 * pg, PROT_READ, MAP_SHARED, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('a', p[0]);
	EXPECT_EQ(-1, mprotect(p, 4 * pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(p, pg, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, 4 * pg);
}

TEST_F(ro, read_only_handle_cannot_write_resize_or_seal)
{
	char c = 'z';

	EXPECT_EQ(-1, pwrite(self->ro, &c, 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, resize(self->ro, 8 * pg));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, seal(self->ro, KIPC_SEAL_GROW));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(4 * pg, shm_size(self->fd));
	EXPECT_EQ(0, kipc_shm_get_seals(self->fd));
	EXPECT_EQ(1, pread(self->ro, &c, 1, 0));
	EXPECT_EQ('a', c);
}

/* MAP_PRIVATE of a read-only handle is copy-on-write, as for a file. */
TEST_F(ro, private_mapping_writes_stay_private)
{
	unsigned char *p = map(self->ro, pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE, 0);
	char c = 0;

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('a', p[0]);
	p[0] = 'Z';
	EXPECT_EQ(1, pread(self->fd, &c, 1, 0));
	EXPECT_EQ('a', c);
	munmap(p, pg);
}

TEST_F(ro, write_only_handle_cannot_map_or_read)
{
	int wo = raw_shm(self->name, O_WRONLY, 0, 0);
	char c;

	ASSERT_LE(0, wo);
	EXPECT_EQ(MAP_FAILED, map(wo, pg, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, pread(wo, &c, 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, pwrite(wo, "q", 1, 0));
	close(wo);
}

TEST_F(ro, kipc_shm_map_maps_by_access_mode)
{
	unsigned char *p;
	size_t len = 0;

	p = kipc_shm_map(self->fd, &len);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(4 * pg, len);
	p[1] = 'B';
	munmap(p, len);

	len = 0;
	p = kipc_shm_map(self->ro, &len);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(4 * pg, len);
	EXPECT_EQ('B', p[1]);
	EXPECT_EQ(-1, mprotect(p, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, len);

	/* Write-sealed, a read-write handle gets a read-only mapping. */
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_WRITE));
	p = kipc_shm_map(self->fd, &len);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, len);

	EXPECT_EQ(MAP_FAILED, kipc_shm_map(self->fd, NULL));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * Seals: the cases of the kernel's memfd_test.c, with kipc_shm_resize()
 * in place of ftruncate() (there is no fallocate() on a region).
 */
static bool can_read(int fd, size_t len)
{
	char buf[16];
	void *p;

	if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
		return false;
	p = map(fd, len, PROT_READ, MAP_PRIVATE, 0);
	if (p == MAP_FAILED)
		return false;
	munmap(p, len);
	/* MAP_PRIVATE is always allowed, even writable. */
	p = map(fd, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	if (p == MAP_FAILED)
		return false;
	munmap(p, len);
	return true;
}

static bool can_map_read_shared(int fd, size_t len)
{
	void *p = map(fd, len, PROT_READ, MAP_SHARED, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, len);
	return true;
}

/* Every way to write works. */
static bool can_write(int fd, size_t len)
{
	char *p;

	if (pwrite(fd, "\0\0\0\0", 4, 0) != 4)
		return false;
	p = map(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return false;
	*p = 0;
	munmap(p, len);
	p = map(fd, len, PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return false;
	*p = 0;
	munmap(p, len);
	/* PROT_READ and MAP_SHARED, then mprotect() to write. */
	p = map(fd, len, PROT_READ, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return false;
	if (mprotect(p, len, PROT_READ | PROT_WRITE)) {
		munmap(p, len);
		return false;
	}
	*p = 0;
	munmap(p, len);
	return true;
}

/* Every way to write fails, each with its errno. */
static int cannot_write(int fd, size_t len)
{
	void *p;

	if (pwrite(fd, "data", 4, 0) != -1 || errno != EPERM)
		return 1;
	p = map(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p != MAP_FAILED || errno != EPERM)
		return 2;
	p = map(fd, len, PROT_WRITE, MAP_SHARED, 0);
	if (p != MAP_FAILED || errno != EPERM)
		return 3;
	/* Read-only shared is fine, but cannot become writable. */
	p = map(fd, len, PROT_READ, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return 4;
	if (mprotect(p, len, PROT_READ | PROT_WRITE) != -1 || errno != EACCES) {
		munmap(p, len);
		return 5;
	}
	munmap(p, len);
	return 0;
}

FIXTURE(seals) {
	int fd;
	size_t len;
};

FIXTURE_SETUP(seals)
{
	self->len = 4 * page_size();
	self->fd = new_shm(self->len);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(seals)
{
	close(self->fd);
}

TEST_F(seals, basic)
{
	int fd = self->fd;

	EXPECT_EQ(0, kipc_shm_get_seals(fd));
	EXPECT_EQ(0, seal(fd, KIPC_SEAL_SHRINK | KIPC_SEAL_WRITE));
	EXPECT_EQ(KIPC_SEAL_SHRINK | KIPC_SEAL_WRITE, kipc_shm_get_seals(fd));
	/* Again: nothing changes. */
	EXPECT_EQ(0, seal(fd, KIPC_SEAL_SHRINK | KIPC_SEAL_WRITE));
	EXPECT_EQ(KIPC_SEAL_SHRINK | KIPC_SEAL_WRITE, kipc_shm_get_seals(fd));
	EXPECT_EQ(0, seal(fd, KIPC_SEAL_GROW | KIPC_SEAL_SEAL));
	EXPECT_EQ(KIPC_SEAL_SHRINK | KIPC_SEAL_GROW | KIPC_SEAL_WRITE |
		  KIPC_SEAL_SEAL, kipc_shm_get_seals(fd));
	/* Sealed against sealing: even no seals at all. */
	EXPECT_EQ(-1, seal(fd, KIPC_SEAL_FUTURE_WRITE));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, seal(fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(KIPC_SEAL_SHRINK | KIPC_SEAL_GROW | KIPC_SEAL_WRITE |
		  KIPC_SEAL_SEAL, kipc_shm_get_seals(fd));
}

TEST_F(seals, write)
{
	ASSERT_EQ(0, kipc_shm_seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(KIPC_SEAL_WRITE, kipc_shm_get_seals(self->fd));
	EXPECT_TRUE(can_read(self->fd, self->len));
	EXPECT_EQ(0, cannot_write(self->fd, self->len));
	/* Resizing is not writing (memfd agrees). */
	EXPECT_EQ(0, resize(self->fd, self->len / 2));
	EXPECT_EQ(0, resize(self->fd, self->len * 2));
	EXPECT_EQ(self->len * 2, shm_size(self->fd));
	EXPECT_EQ(-1, pwrite(self->fd, "x", 1, self->len));
	EXPECT_EQ(EPERM, errno);
}

TEST_F(seals, future_write_leaves_existing_mappings_writable)
{
	volatile unsigned char *p;
	char name[64];
	pid_t pid;
	int fd2;
	char c;

	p = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_FUTURE_WRITE));
	EXPECT_EQ(KIPC_SEAL_FUTURE_WRITE, kipc_shm_get_seals(self->fd));
	EXPECT_TRUE(can_read(self->fd, self->len));
	EXPECT_TRUE(can_map_read_shared(self->fd, self->len));
	EXPECT_EQ(0, cannot_write(self->fd, self->len));

	/* A second handle (dup here; by name below) is bound too. */
	fd2 = dup(self->fd);
	EXPECT_EQ(0, cannot_write(fd2, self->len));
	close(fd2);

	/* The old mapping still writes; the write is real. */
	p[10] = 'w';
	ASSERT_EQ(1, pread(self->fd, &c, 1, 10));
	EXPECT_EQ('w', c);

	/* Private mappings stay copy-on-write across fork. */
	{
		int *q = map(self->fd, self->len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE, 0);

		ASSERT_NE(MAP_FAILED, q);
		q[0] = 22;
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			q[0] = 33;
			_exit(0);
		}
		EXPECT_EQ(0, child_exit_status(pid));
		EXPECT_EQ(22, q[0]);
		munmap(q, self->len);
	}
	munmap((void *)p, self->len);

	/* Reopened by name: still sealed. */
	uniq_name(name, sizeof(name), "fw");
	fd2 = named_shm(name, self->len);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, seal(fd2, KIPC_SEAL_FUTURE_WRITE));
	close(fd2);
	fd2 = raw_shm(name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(KIPC_SEAL_FUTURE_WRITE, kipc_shm_get_seals(fd2));
	EXPECT_EQ(0, cannot_write(fd2, self->len));
	close(fd2);
	EXPECT_EQ(0, raw_unlink(name));
}

TEST_F(seals, write_then_map_read_shared)
{
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_TRUE(can_map_read_shared(self->fd, self->len));
	EXPECT_TRUE(can_read(self->fd, self->len));
	EXPECT_EQ(0, cannot_write(self->fd, self->len));
}

TEST_F(seals, shrink)
{
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_SHRINK));
	EXPECT_EQ(KIPC_SEAL_SHRINK, kipc_shm_get_seals(self->fd));
	EXPECT_TRUE(can_read(self->fd, self->len));
	EXPECT_TRUE(can_write(self->fd, self->len));
	EXPECT_EQ(-1, resize(self->fd, self->len / 2));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, resize(self->fd, self->len * 2));
	EXPECT_EQ(self->len * 2, shm_size(self->fd));
}

TEST_F(seals, grow)
{
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_GROW));
	EXPECT_TRUE(can_read(self->fd, self->len));
	EXPECT_TRUE(can_write(self->fd, self->len));
	EXPECT_EQ(0, resize(self->fd, self->len / 2));
	EXPECT_EQ(-1, resize(self->fd, self->len));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(self->len / 2, shm_size(self->fd));
}

TEST_F(seals, resize)
{
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_SHRINK | KIPC_SEAL_GROW));
	EXPECT_TRUE(can_read(self->fd, self->len));
	EXPECT_TRUE(can_write(self->fd, self->len));
	EXPECT_EQ(-1, resize(self->fd, self->len / 2));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, resize(self->fd, self->len * 2));
	EXPECT_EQ(EPERM, errno);
	/* The same size is no change, so no seal forbids it. */
	EXPECT_EQ(0, resize(self->fd, self->len));
	EXPECT_EQ(self->len, shm_size(self->fd));
}

TEST_F(seals, shared_by_dup)
{
	int fd2 = dup(self->fd);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(KIPC_SEAL_WRITE, kipc_shm_get_seals(fd2));
	ASSERT_EQ(0, seal(fd2, KIPC_SEAL_SHRINK));
	EXPECT_EQ(KIPC_SEAL_WRITE | KIPC_SEAL_SHRINK,
		  kipc_shm_get_seals(self->fd));
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_SEAL));
	EXPECT_EQ(-1, seal(fd2, KIPC_SEAL_GROW));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, seal(fd2, KIPC_SEAL_SEAL));
	EXPECT_EQ(EPERM, errno);
	close(fd2);
	EXPECT_EQ(-1, seal(self->fd, KIPC_SEAL_GROW));
	EXPECT_EQ(EPERM, errno);
}

/* A shared mapping that may write blocks the write seal, not others. */
TEST_F(seals, writable_shared_mapping_makes_write_seal_ebusy)
{
	void *p = map(self->fd, self->len, PROT_READ | PROT_WRITE,
		      MAP_SHARED, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, kipc_shm_get_seals(self->fd));
	EXPECT_EQ(0, seal(self->fd, KIPC_SEAL_SHRINK));
	munmap(p, self->len);

	/* PROT_READ, but it could be mprotect()ed: still blocks. */
	p = map(self->fd, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(EBUSY, errno);
	munmap(p, self->len);

	/* Private mappings do not write the region: no obstacle. */
	p = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(KIPC_SEAL_WRITE | KIPC_SEAL_SHRINK,
		  kipc_shm_get_seals(self->fd));
	munmap(p, self->len);
}

/* A read-only handle's shared mapping can never write: no obstacle. */
TEST_F(seals, read_only_handle_mapping_allows_write_seal)
{
	char name[64];
	int fd, ro;
	void *p;

	uniq_name(name, sizeof(name), "sealro");
	fd = named_shm(name, self->len);
	ASSERT_LE(0, fd);
	ro = raw_shm(name, O_RDONLY, 0, 0);
	ASSERT_LE(0, ro);
	p = map(ro, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, seal(fd, KIPC_SEAL_WRITE));
	munmap(p, self->len);
	close(ro);
	close(fd);
	EXPECT_EQ(0, raw_unlink(name));
}

/* An inherited mapping blocks until the child lets go of it. */
TEST_F(seals, mapping_in_a_child_blocks_write_seal)
{
	int ready[2], go[2];
	void *p;
	pid_t pid;

	p = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		put_byte(ready[1], 'r');
		get_byte(go[0]);
		_exit(0);
	}
	ASSERT_EQ('r', get_byte(ready[0]));
	munmap(p, self->len);
	EXPECT_EQ(-1, seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(EBUSY, errno);
	put_byte(go[1], 'g');
	EXPECT_EQ(0, child_exit_status(pid));
	EXPECT_EQ(0, seal(self->fd, KIPC_SEAL_WRITE));
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

TEST_F(seals, shared_by_name)
{
	char name[64];
	int fd, fd2;

	uniq_name(name, sizeof(name), "sealname");
	fd = named_shm(name, self->len);
	ASSERT_LE(0, fd);
	fd2 = raw_shm(name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, seal(fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(KIPC_SEAL_WRITE, kipc_shm_get_seals(fd2));
	ASSERT_EQ(0, seal(fd2, KIPC_SEAL_SHRINK));
	EXPECT_EQ(KIPC_SEAL_WRITE | KIPC_SEAL_SHRINK, kipc_shm_get_seals(fd));
	close(fd);

	/* A read-only handle cannot seal. */
	fd = raw_shm(name, O_RDONLY, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, seal(fd, KIPC_SEAL_SEAL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(KIPC_SEAL_WRITE | KIPC_SEAL_SHRINK, kipc_shm_get_seals(fd));
	close(fd2);
	fd2 = raw_shm(name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, seal(fd2, KIPC_SEAL_SEAL));
	EXPECT_EQ(KIPC_SEAL_WRITE | KIPC_SEAL_SHRINK | KIPC_SEAL_SEAL,
		  kipc_shm_get_seals(fd));
	close(fd2);
	close(fd);
	EXPECT_EQ(0, raw_unlink(name));
}

TEST_F(seals, shared_with_a_child)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, seal(self->fd, KIPC_SEAL_SEAL));
	EXPECT_EQ(-1, seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(EPERM, errno);
	kill(pid, SIGKILL);
	child_exit_status(pid);
	EXPECT_EQ(-1, seal(self->fd, KIPC_SEAL_WRITE));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(KIPC_SEAL_SEAL, kipc_shm_get_seals(self->fd));
}

TEST_F(seals, unknown_seals_are_einval)
{
	struct kipc_shm_seal s = { .seals = KIPC_SEAL_GROW, .pad = 1 };

	EXPECT_EQ(-1, seal(self->fd, 0x20));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, seal(self->fd, KIPC_SEAL_GROW | (1u << 31)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_SHM_SEAL, &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, kipc_shm_get_seals(self->fd));
}

/* Resizing under live mappings. */
TEST(shrink_cuts_off_mapped_pages_with_sigbus_and_regrowth_reads_zero)
{
	volatile unsigned char *p;
	int fd = new_shm(4 * page_size());
	struct kipc_shm_info info;
	size_t i;

	ASSERT_LE(0, fd);
	p = map(fd, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++)
		p[i * pg + 1] = 0x10 + i;

	ASSERT_EQ(0, kipc_shm_resize(fd, 2 * pg));
	EXPECT_EQ(0x10, touch(p + 1, false, 0));
	EXPECT_EQ(0x11, touch(p + pg + 1, false, 0));
	EXPECT_EQ(-1, touch(p + 2 * pg + 1, false, 0));
	EXPECT_EQ(-1, touch(p + 3 * pg + 1, true, 0x55));
	ASSERT_EQ(0, shm_info(fd, &info));
	EXPECT_EQ(2 * pg, info.size);
	EXPECT_EQ(2 * pg, info.resident);

	/* Back to four pages: the cut-off ones come back as zeros. */
	ASSERT_EQ(0, kipc_shm_resize(fd, 4 * pg));
	EXPECT_EQ(0, touch(p + 2 * pg + 1, false, 0));
	EXPECT_EQ(0, touch(p + 3 * pg + 1, false, 0));
	EXPECT_EQ(0x11, touch(p + pg + 1, false, 0));
	EXPECT_EQ(0x77, touch(p + 3 * pg, true, 0x77));
	munmap((void *)p, 4 * pg);
	close(fd);
}

TEST(shrink_also_cuts_off_private_copies)
{
	volatile unsigned char *p;
	int fd = new_shm(2 * page_size());

	ASSERT_LE(0, fd);
	p = map(fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[pg] = 9;	/* a private copy of page 1 */
	ASSERT_EQ(0, resize(fd, pg));
	EXPECT_EQ(-1, touch(p + pg, false, 0));
	EXPECT_EQ(0, touch(p, false, 0));
	munmap((void *)p, 2 * pg);
	close(fd);
}

TEST(shrink_is_seen_by_another_process)
{
	int fd = new_shm(4 * page_size()), turn[2], done[2];
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(turn));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile unsigned char *q = map(fd, 4 * pg, PROT_READ |
						PROT_WRITE, MAP_SHARED, 0);

		if (q == MAP_FAILED)
			_exit(1);
		q[3 * pg] = 3;
		put_byte(done[1], 'm');
		if (get_byte(turn[0]) != 's')
			_exit(2);
		if (touch(q + 3 * pg, false, 0) != -1)
			_exit(3);
		if (touch(q, true, 1) != 1)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ('m', get_byte(done[0]));
	ASSERT_EQ(0, resize(fd, pg));
	ASSERT_EQ(0, put_byte(turn[1], 's'));
	EXPECT_EQ(0, child_exit_status(pid));
	close(turn[0]);
	close(turn[1]);
	close(done[0]);
	close(done[1]);
	close(fd);
}

TEST(grow_adds_zero_pages_that_can_be_mapped)
{
	unsigned char *p, *q;
	int fd = new_shm(2 * page_size());

	ASSERT_LE(0, fd);
	p = map(fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 'k';
	EXPECT_EQ(MAP_FAILED, map(fd, pg, PROT_READ, MAP_SHARED, 4 * pg));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, resize(fd, 8 * pg));
	q = map(fd, 8 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ('k', q[0]);
	EXPECT_EQ(0, q[7 * pg + 100]);
	q[7 * pg] = 'e';
	EXPECT_EQ(8 * pg, shm_size(fd));
	munmap(p, 2 * pg);
	munmap(q, 8 * pg);
	close(fd);
}

/* pwrite() racing with resizes never leaves the region bigger. */
struct race {
	int fd;
	size_t small, large;
	volatile int stop;
};

static void *race_writer(void *arg)
{
	struct race *r = arg;
	static char buf[2 * 4096];

	memset(buf, 0x5a, sizeof(buf));
	while (!r->stop)
		pwrite(r->fd, buf, sizeof(buf), r->large - sizeof(buf) / 2);
	return NULL;
}

TEST(writes_racing_resizes_never_grow_the_region)
{
	struct race r = { .small = 4 * page_size(), .large = 64 * page_size() };
	struct kipc_shm_info info;
	pthread_t thread;
	char c = 1;
	int i;

	ASSERT_GE(8192, 2 * page_size());
	r.fd = new_shm(r.large);
	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, pthread_create(&thread, NULL, race_writer, &r));
	for (i = 0; i < 400; i++) {
		ASSERT_EQ(0, resize(r.fd, i % 2 ? r.large : r.small));
		ASSERT_EQ(0, shm_info(r.fd, &info));
		ASSERT_EQ(i % 2 ? r.large : r.small, info.size);
	}
	r.stop = 1;
	pthread_join(thread, NULL);
	/* Ends small: nothing past it, and nothing resident past it. */
	ASSERT_EQ(0, shm_info(r.fd, &info));
	EXPECT_EQ(r.large, info.size);
	ASSERT_EQ(0, resize(r.fd, r.small));
	ASSERT_EQ(0, shm_info(r.fd, &info));
	EXPECT_EQ(r.small, info.size);
	EXPECT_GE(r.small, info.resident);
	EXPECT_EQ(0, pread(r.fd, &c, 1, r.small));
	close(r.fd);
}

/* Lifetime: a mapping holds the region after its fd and name are gone. */
TEST(mapping_outlives_close_and_unlink)
{
	volatile unsigned char *p;
	char name[64];
	pid_t pid;
	int fd;

	uniq_name(name, sizeof(name), "outlive");
	fd = named_shm(name, 4 * page_size());
	ASSERT_LE(0, fd);
	p = map(fd, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 'o';
	close(fd);
	ASSERT_EQ(0, raw_unlink(name));
	EXPECT_EQ(-1, raw_shm(name, O_RDWR, 0, 0));
	EXPECT_EQ(ENOENT, errno);

	/* Still the same working pages, also in a child. */
	EXPECT_EQ('o', p[0]);
	p[3 * pg + 1] = 'x';
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (p[0] != 'o' || p[3 * pg + 1] != 'x')
			_exit(1);
		p[1] = 'c';
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_status(pid));
	EXPECT_EQ('c', p[1]);
	munmap((void *)p, 4 * pg);
}

TEST(anonymous_region_mapping_outlives_close)
{
	volatile unsigned char *p;
	int fd = new_shm(page_size());

	ASSERT_LE(0, fd);
	p = map(fd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	p[1] = 2;
	EXPECT_EQ(2, p[1]);
	/* msync goes to the mapping's own file: accepted. */
	EXPECT_EQ(0, msync((void *)p, pg, MS_SYNC));
	munmap((void *)p, pg);
}

/*
 * The module cannot go while a mapping exists, even with no handle left.
 * (Had it gone, the rest of this file would fail.)
 */
TEST(mapping_pins_the_module)
{
	void *p;
	int fd = new_shm(page_size());

	ASSERT_LE(0, fd);
	p = map(fd, pg, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	EXPECT_EQ(-1, syscall(__NR_delete_module, "kipc", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	munmap(p, pg);
}

/* Bad input: each errno in its own test. */
TEST(open_bad_sizes_are_einval)
{
	uint64_t sizes[] = {
		1, 4095, 4097, 3 * 4096 + 1, 1ull << 62, UINT64_MAX,
		UINT64_MAX & ~4095ull, (uint64_t)INT64_MAX + 1,
	};
	size_t i;

	ASSERT_EQ(4096, page_size());
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		EXPECT_EQ(-1, raw_shm(NULL, O_RDWR, 0, sizes[i]))
			TH_LOG("size %" PRIu64, sizes[i]);
		EXPECT_EQ(EINVAL, errno);
	}
}

/* The size check does not depend on the name existing. */
TEST(open_existing_with_bad_size_is_einval)
{
	char name[64];
	int fd;

	uniq_name(name, sizeof(name), "badsize");
	fd = named_shm(name, page_size());
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, raw_shm(name, O_RDWR, 0, 100));
	EXPECT_EQ(EINVAL, errno);
	/* A valid size is ignored for an existing region. */
	close(fd);
	fd = raw_shm(name, O_RDWR, 0, 8 * pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(pg, shm_size(fd));
	close(fd);
	EXPECT_EQ(0, raw_unlink(name));
}

TEST(open_with_other_types_attributes_is_einval)
{
	struct kipc_open a;
	int i;

	for (i = 0; i < 6; i++) {
		shm_args(&a, NULL, O_RDWR, 0, page_size());
		switch (i) {
		case 0: a.capacity = 4096; break;
		case 1: a.maxmsg = 1; break;
		case 2: a.msgsize = 1; break;
		case 3: a.value = 1; break;
		case 4: a.max = 1; break;
		case 5: a.flags = KIPC_F_UNDO; break;
		}
		EXPECT_EQ(-1, raw_open(&a)) TH_LOG("case %d", i);
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST(resize_bad_sizes_are_einval)
{
	struct kipc_shm_resize r = { .size = 0 };
	int fd = new_shm(2 * page_size());

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, resize(fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, resize(fd, pg + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, resize(fd, pg - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, resize(fd, 1ull << 62));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, resize(fd, UINT64_MAX & ~4095ull));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, resize(fd, UINT64_MAX));
	EXPECT_EQ(EINVAL, errno);
	r.size = pg;
	r.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SHM_RESIZE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.flags = 0;
	r.pad = 1;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SHM_RESIZE, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(2 * pg, shm_size(fd));
	close(fd);
}

TEST(mmap_past_the_end_is_enxio)
{
	int fd = new_shm(4 * page_size());

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, map(fd, 5 * pg, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, map(fd, 2 * pg, PROT_READ, MAP_SHARED, 3 * pg));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, map(fd, pg, PROT_READ, MAP_SHARED, 4 * pg));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, map(fd, pg, PROT_READ, MAP_PRIVATE, 1ll << 50));
	EXPECT_EQ(ENXIO, errno);
	/* Up to the end exactly is fine. */
	void *p = map(fd, pg, PROT_READ, MAP_SHARED, 3 * pg);

	EXPECT_NE(MAP_FAILED, p);
	munmap(p, pg);
	close(fd);
}

TEST(mmap_unaligned_or_empty_is_einval)
{
	int fd = new_shm(4 * page_size());

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, map(fd, pg, PROT_READ, MAP_SHARED, 100));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map(fd, 0, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* An offset whose page number overflows with the length. */
TEST(mmap_overflowing_offset_is_eoverflow)
{
	int fd = new_shm(4 * page_size());

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, map(fd, 2 * pg, PROT_READ, MAP_SHARED,
				  -(off_t)pg));
	EXPECT_EQ(EOVERFLOW, errno);
	close(fd);
}

/* Hidden from the compiler, which knows the address is bad. */
static volatile uintptr_t bad_addr = 8;

TEST(bad_pointers_are_efault)
{
	void *bad = (void *)bad_addr;
	int fd = new_shm(page_size());

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SHM_RESIZE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SHM_SEAL, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SHM_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(fd, bad, 16, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pread(fd, bad, 16, 0));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST(other_types_ioctls_are_enotty)
{
	struct kipc_sem_post post = { .count = 1 };
	struct kipc_shm_info info;
	int fd = new_shm(page_size()), sem;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_SEM_POST, &post));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(KIPC_IOC_MAGIC, 0x6f), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_VERSION, &info));
	EXPECT_EQ(ENOTTY, errno);
	sem = raw_sem(NULL, O_RDWR, 0, 0);
	ASSERT_LE(0, sem);
	EXPECT_EQ(-1, shm_info(sem, &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, resize(sem, page_size()));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(MAP_FAILED, kipc_shm_map(sem, &(size_t){ 0 }));
	EXPECT_EQ(EINVAL, errno);
	close(sem);
	close(fd);
}

/* Limits: tiny module parameters, put back afterwards. */
FIXTURE(limits) {
	long long max, def, bytes;
};

FIXTURE_SETUP(limits)
{
	pg = page_size();
	self->max = param_get("shm_max_bytes");
	self->def = param_get("shm_default_bytes");
	self->bytes = param_get("max_bytes_per_user");
	ASSERT_LT(0, self->max);
	ASSERT_LT(0, self->def);
	ASSERT_LT(0, self->bytes);
}

FIXTURE_TEARDOWN(limits)
{
	param_set("shm_max_bytes", self->max);
	param_set("shm_default_bytes", self->def);
	param_set("max_bytes_per_user", self->bytes);
}

TEST_F(limits, size_above_shm_max_bytes_is_einval)
{
	int fd;

	ASSERT_EQ(0, param_set("shm_max_bytes", 4 * pg));
	fd = raw_shm(NULL, O_RDWR, 0, 4 * pg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, resize(fd, 5 * pg));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_shm(NULL, O_RDWR, 0, 5 * pg));
	EXPECT_EQ(EINVAL, errno);
	/* The default is bound by the maximum too. */
	ASSERT_EQ(0, param_set("shm_default_bytes", 8 * pg));
	EXPECT_EQ(-1, raw_shm(NULL, O_RDWR, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(limits, parameters_must_be_whole_pages)
{
	EXPECT_EQ(-1, param_set("shm_max_bytes", 4 * pg + 1));
	EXPECT_EQ(-1, param_set("shm_default_bytes", 0));
	EXPECT_EQ(self->max, param_get("shm_max_bytes"));
	EXPECT_EQ(self->def, param_get("shm_default_bytes"));
}

TEST_F(limits, create_over_quota_is_enomem)
{
	char name[64];
	int fd;

	ASSERT_EQ(0, param_set("max_bytes_per_user", 1 * MIB));
	EXPECT_EQ(-1, raw_shm(NULL, O_RDWR, 0, 1 * MIB));
	EXPECT_EQ(ENOMEM, errno);
	uniq_name(name, sizeof(name), "quota");
	EXPECT_EQ(-1, named_shm(name, 2 * MIB));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(-1, raw_shm(name, O_RDWR, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	fd = raw_shm(NULL, O_RDWR, 0, 512 * 1024);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(limits, resize_over_quota_is_enomem_and_changes_nothing)
{
	int fd;

	ASSERT_EQ(0, param_set("max_bytes_per_user", 2 * MIB));
	fd = raw_shm(NULL, O_RDWR, 0, 1 * MIB);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, resize(fd, 2 * MIB));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(1 * MIB, shm_size(fd));
	/* Shrinking gives the charge back; growing again takes it. */
	ASSERT_EQ(0, resize(fd, 64 * 1024));
	ASSERT_EQ(0, resize(fd, 1 * MIB + 512 * 1024));
	EXPECT_EQ(-1, resize(fd, 2 * MIB));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(1 * MIB + 512 * 1024, shm_size(fd));
	close(fd);
	/* All of it came back with the region. */
	fd = raw_shm(NULL, O_RDWR, 0, 1 * MIB + 512 * 1024);
	EXPECT_LE(0, fd);
	close(fd);
}

/* The charge stays while a mapping holds the region, and goes with it. */
TEST_F(limits, mapping_keeps_the_region_charged)
{
	char name[64];
	void *p;
	int fd;

	ASSERT_EQ(0, param_set("max_bytes_per_user", 1 * MIB + 512 * 1024));
	uniq_name(name, sizeof(name), "charged");
	fd = named_shm(name, 1 * MIB);
	ASSERT_LE(0, fd);
	p = map(fd, 1 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	ASSERT_EQ(0, raw_unlink(name));
	EXPECT_EQ(-1, raw_shm(NULL, O_RDWR, 0, 1 * MIB));
	EXPECT_EQ(ENOMEM, errno);
	munmap(p, 1 * MIB);
	fd = raw_shm(NULL, O_RDWR, 0, 1 * MIB);
	EXPECT_LE(0, fd);
	close(fd);
}

/*
 * The CLI: kipc create/stat on a region, and the region half of kipc
 * send/recv (tools/shm_io.c, built in here with the two things it takes
 * from the rest of the tool, beside lib/io_full.h; the tool itself is tested in cli_test).
 */
const char *prog = "kipc";

void obj_error(int type, const char *name, int err)
{
	fprintf(stderr, "%s: %s '%s': %s\n", prog, kipc_type_name(type), name,
		strerror(err));
}

#include "../tools/shm_io.c"

/* A memfd holding @len bytes of @data, at offset 0. */
static int memfd_with(const void *data, size_t len)
{
	int fd = memfd_create("io", MFD_CLOEXEC);

	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len) ||
	    lseek(fd, 0, SEEK_SET))
		return -1;
	return fd;
}

/* Run @fn(@fd) in a child with stdin @in and stdout @out (or -1). */
static int run_io(int (*fn)(const char *, int), int fd, int in, int out)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if ((in >= 0 && dup2(in, STDIN_FILENO) < 0) ||
		    (out >= 0 && dup2(out, STDOUT_FILENO) < 0))
			_exit(100);
		_exit(fn("io", fd));
	}
	return child_exit_status(pid);
}

TEST(send_writes_stdin_from_offset_zero_and_recv_writes_it_all)
{
	size_t len = 2 * page_size();
	char *buf = malloc(len), *out = malloc(len + 1);
	int fd = new_shm(len), in, outfd;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, out);
	memset(buf, 'z', len);
	ASSERT_EQ(len, pwrite(fd, buf, len, 0));

	in = memfd_with("hello", 5);
	ASSERT_LE(0, in);
	EXPECT_EQ(KIPC_EXIT_OK, run_io(shm_send, fd, in, -1));
	close(in);

	outfd = memfd_with(NULL, 0);
	ASSERT_LE(0, outfd);
	EXPECT_EQ(KIPC_EXIT_OK, run_io(shm_recv, fd, -1, outfd));
	EXPECT_EQ(len, pread(outfd, out, len + 1, 0));
	EXPECT_EQ(0, memcmp(out, "hellozz", 7));
	EXPECT_EQ('z', out[len - 1]);
	close(outfd);
	free(buf);
	free(out);
	close(fd);
}

TEST(send_of_exactly_the_size_works_and_more_fails)
{
	size_t len = page_size();
	char *buf = malloc(len + 1), c = 0;
	int fd = new_shm(len), in;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	memset(buf, 'f', len + 1);
	in = memfd_with(buf, len);
	ASSERT_LE(0, in);
	EXPECT_EQ(KIPC_EXIT_OK, run_io(shm_send, fd, in, -1));
	close(in);

	buf[len] = 'L';
	in = memfd_with(buf, len + 1);
	ASSERT_LE(0, in);
	EXPECT_EQ(KIPC_EXIT_FAIL, run_io(shm_send, fd, in, -1));
	close(in);
	EXPECT_EQ(1, pread(fd, &c, 1, len - 1));
	EXPECT_EQ('f', c);
	free(buf);
	close(fd);
}

/* Run the kipc tool; its stdout goes into @out (NUL-terminated). */
static int run_kipc(char *out, size_t len, const char *const args[])
{
	const char *bin = getenv("KIPC_BIN");
	const char *argv[16] = { bin && *bin ? bin : "/bin/kipc" };
	int outfd = memfd_with(NULL, 0), errfd = memfd_with(NULL, 0), i;
	ssize_t n;
	pid_t pid;

	if (outfd < 0 || errfd < 0)
		return -1;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(outfd, STDOUT_FILENO);
		dup2(errfd, STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	i = child_exit_status(pid);
	n = pread(outfd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(outfd);
	close(errfd);
	return i;
}

#define KIPC(out, ...) \
	run_kipc(out, sizeof(out), (const char *const[]){ __VA_ARGS__, NULL })

TEST(cli_creates_and_stats_a_region)
{
	char name[64], out[4096];
	struct kipc_shm_info info;
	int fd;

	uniq_name(name, sizeof(name), "cli");
	ASSERT_EQ(0, KIPC(out, "create", "shm", name, "--size", "65536"));
	fd = kipc_open(name, KIPC_SHM, O_RDONLY, 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shm_info(fd, &info));
	EXPECT_EQ(65536, info.size);
	close(fd);

	ASSERT_EQ(0, KIPC(out, "stat", name));
	EXPECT_NE(NULL, strstr(out, "type:        shm\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "capacity:    65536 (bytes)\n"));
	EXPECT_NE(NULL, strstr(out, "fill:        0 (resident bytes)\n"));
	EXPECT_NE(NULL, strstr(out, "mappings:    0\n"));
	EXPECT_NE(NULL, strstr(out, "seals:       none\n"));

	fd = kipc_open(name, KIPC_SHM, O_RDWR, 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kipc_shm_seal(fd, KIPC_SEAL_GROW | KIPC_SEAL_WRITE));
	close(fd);
	ASSERT_EQ(0, KIPC(out, "stat", name, "--json"));
	EXPECT_NE(NULL, strstr(out, "\"capacity\": 65536,\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"seals\": [\"grow\", \"write\"]"));
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST(cli_refuses_a_size_that_is_not_whole_pages)
{
	char name[64], out[4096];

	uniq_name(name, sizeof(name), "clibad");
	EXPECT_EQ(1, KIPC(out, "create", "shm", name, "--size", "1000"));
	EXPECT_EQ(-1, kipc_open(name, KIPC_SHM, O_RDONLY, 0, NULL));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * The shared ring: a region of SLOTS slots and two semaphores (free and
 * full slots) between a producer and a consumer, moving 64 MiB. Every
 * slot carries its sequence number and a checksum; the consumer also
 * checks every word against the generator, so stale or torn data shows.
 */
#define RING_TOTAL	(64 * MIB)
#define RING_SLOTS	8
#define RING_SLOT	(256 * 1024ul)
#define RING_PAYLOAD	(RING_SLOT - 64)

struct slot {
	uint64_t seq;
	uint64_t len;
	uint64_t sum;
	uint64_t pad[5];
	uint64_t data[RING_PAYLOAD / 8];
};

static uint64_t gen(uint64_t i)
{
	i += 0x9e3779b97f4a7c15ull;
	i = (i ^ (i >> 30)) * 0xbf58476d1ce4e5b9ull;
	return i ^ (i >> 27);
}

static int ring_consume(const char *name, const char *free_name,
			const char *full_name, uint64_t *total)
{
	int fd = kipc_open(name, KIPC_SHM, O_RDWR, 0, NULL);
	int free_fd = kipc_open(free_name, KIPC_SEM, O_RDWR, 0, NULL);
	int full_fd = kipc_open(full_name, KIPC_SEM, O_RDWR, 0, NULL);
	uint64_t seq, word = 0, sum, moved = 0;
	struct slot *ring;
	size_t len, i;

	if (fd < 0 || free_fd < 0 || full_fd < 0)
		return 1;
	ring = kipc_shm_map(fd, &len);
	if (ring == MAP_FAILED || len != RING_SLOTS * RING_SLOT)
		return 2;
	close(fd);
	*total = 0;
	for (seq = 0; moved < RING_TOTAL; seq++) {
		struct slot *s = &ring[seq % RING_SLOTS];

		if (kipc_sem_wait(full_fd))
			return 3;
		if (s->seq != seq || !s->len || s->len > RING_PAYLOAD)
			return 4;
		sum = 0;
		for (i = 0; i < s->len / 8; i++, word++) {
			if (s->data[i] != gen(word))
				return 5;
			sum = sum * 31 + s->data[i];
		}
		if (sum != s->sum)
			return 6;
		*total ^= sum;
		moved += s->len;
		if (kipc_sem_post(free_fd))
			return 7;
	}
	munmap(ring, len);
	return 0;
}

FIXTURE(ring) {
	char name[64], free_name[64], full_name[64];
};

FIXTURE_SETUP(ring)
{
	uniq_name(self->name, sizeof(self->name), "ring");
	uniq_name(self->free_name, sizeof(self->free_name), "ring-free");
	uniq_name(self->full_name, sizeof(self->full_name), "ring-full");
}

FIXTURE_TEARDOWN(ring)
{
	kipc_unlink(self->name);
	kipc_unlink(self->free_name);
	kipc_unlink(self->full_name);
}

TEST_F_TIMEOUT(ring, moves_64_mib_with_two_semaphores, 300)
{
	struct kipc_attr ring_attr = { .size = RING_SLOTS * RING_SLOT };
	struct kipc_attr free_attr = { .value = RING_SLOTS };
	uint64_t seq, word = 0, moved = 0, total = 0, theirs = 0;
	int fd, free_fd, full_fd, result[2];
	struct slot *ring;
	size_t len, i, n;
	pid_t pid;

	fd = kipc_open(self->name, KIPC_SHM, O_RDWR | O_CREAT | O_EXCL, 0600,
		       &ring_attr);
	free_fd = kipc_open(self->free_name, KIPC_SEM, O_RDWR | O_CREAT |
			    O_EXCL, 0600, &free_attr);
	full_fd = kipc_open(self->full_name, KIPC_SEM, O_RDWR | O_CREAT |
			    O_EXCL, 0600, NULL);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, free_fd);
	ASSERT_LE(0, full_fd);
	ASSERT_EQ(0, pipe(result));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = ring_consume(self->name, self->free_name,
				       self->full_name, &theirs);

		if (write(result[1], &theirs, sizeof(theirs)) != sizeof(theirs))
			_exit(9);
		_exit(ret);
	}

	ring = kipc_shm_map(fd, &len);
	ASSERT_NE(MAP_FAILED, ring);
	ASSERT_EQ(RING_SLOTS * RING_SLOT, len);
	for (seq = 0; moved < RING_TOTAL; seq++) {
		struct slot *s = &ring[seq % RING_SLOTS];
		uint64_t sum = 0;

		ASSERT_EQ(0, kipc_sem_wait(free_fd));
		n = RING_TOTAL - moved < RING_PAYLOAD ? RING_TOTAL - moved :
			RING_PAYLOAD;
		for (i = 0; i < n / 8; i++, word++) {
			s->data[i] = gen(word);
			sum = sum * 31 + s->data[i];
		}
		s->seq = seq;
		s->len = n;
		s->sum = sum;
		total ^= sum;
		moved += n;
		ASSERT_EQ(0, kipc_sem_post(full_fd));
	}
	EXPECT_EQ(0, child_exit_status(pid));
	ASSERT_EQ(sizeof(theirs), read(result[0], &theirs, sizeof(theirs)));
	EXPECT_EQ(total, theirs);
	EXPECT_EQ(RING_SLOTS, sem_value(free_fd));
	EXPECT_EQ(0, sem_value(full_fd));
	munmap(ring, len);
	close(result[0]);
	close(result[1]);
	close(fd);
	close(free_fd);
	close(full_fd);
}

TEST_HARNESS_MAIN
