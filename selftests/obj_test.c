// SPDX-License-Identifier: GPL-2.0
/*
 * The object model: creating and opening by name, lifetimes, name rules,
 * argument checks, stat, permissions, network namespaces and quotas. The
 * objects are semaphores, the first type; the rules are the same for all.
 */
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "common.h"
#include "kselftest_harness.h"

TEST(anonymous_object_is_an_anon_inode_fd)
{
	char path[64], link[64] = "";
	int fd = raw_sem(NULL, O_RDWR, 0, 0);

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ASSERT_LT(0, readlink(path, link, sizeof(link) - 1));
	EXPECT_STREQ("anon_inode:[kipc-sem]", link);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* /proc/PID/fd/N of an object cannot be opened into a second handle. */
TEST(reopen_through_proc_is_enxio)
{
	char path[64];
	int fd = raw_sem(NULL, O_RDWR, 0, 0);

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	EXPECT_EQ(-1, open(path, O_RDWR));
	EXPECT_EQ(ENXIO, errno);
	close(fd);
}

TEST(o_cloexec_is_honoured)
{
	int fd = raw_sem(NULL, O_RDWR | O_CLOEXEC, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST(named_object_is_shared_and_outlives_its_fds)
{
	struct kipc_stat st1, st2;
	char name[64];
	int fd1, fd2;

	uniq_name(name, sizeof(name), "share");
	fd1 = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 3);
	ASSERT_LE(0, fd1);
	fd2 = raw_sem(name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, raw_stat(fd1, &st1));
	ASSERT_EQ(0, raw_stat(fd2, &st2));
	EXPECT_EQ(st1.id, st2.id);
	EXPECT_EQ(2, st2.handles);
	EXPECT_EQ(2, st2.opens);
	EXPECT_STREQ(name, st2.name);
	EXPECT_EQ(KIPC_STAT_NAMED, st2.flags);

	/* No fd left: the object and its value stay. */
	close(fd1);
	close(fd2);
	fd1 = raw_sem(name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd1);
	EXPECT_EQ(3, sem_value(fd1));
	ASSERT_EQ(0, raw_stat(fd1, &st2));
	EXPECT_EQ(st1.id, st2.id);
	EXPECT_EQ(1, st2.handles);
	EXPECT_EQ(3, st2.opens);
	close(fd1);
	EXPECT_EQ(0, raw_unlink(name));
}

TEST(unlink_removes_the_name_at_once_not_the_object)
{
	struct kipc_stat st;
	char name[64];
	int fd, fd2;

	uniq_name(name, sizeof(name), "unlink");
	fd = raw_sem(name, O_RDWR | O_CREAT, 0600, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_unlink(name));

	EXPECT_EQ(-1, raw_sem(name, O_RDWR, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, raw_unlink(name));
	EXPECT_EQ(ENOENT, errno);

	/* The old object still works and knows it lost its name. */
	EXPECT_EQ(1, sem_value(fd));
	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(KIPC_STAT_NAMED | KIPC_STAT_UNLINKED, st.flags);

	/* The name can be created anew: a different object. */
	fd2 = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, sem_value(fd2));
	EXPECT_EQ(1, sem_value(fd));
	close(fd);
	close(fd2);
	EXPECT_EQ(0, raw_unlink(name));
}

TEST(create_exclusive_on_existing_name_is_eexist)
{
	char name[64];
	int fd;

	uniq_name(name, sizeof(name), "excl");
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 0));
	EXPECT_EQ(EEXIST, errno);
	/* O_CREAT alone opens the existing object; its attributes stay. */
	close(fd);
	fd = raw_sem(name, O_RDWR | O_CREAT, 0600, 7);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sem_value(fd));
	close(fd);
	EXPECT_EQ(0, raw_unlink(name));
}

TEST(open_missing_name_is_enoent)
{
	char name[64];

	uniq_name(name, sizeof(name), "missing");
	EXPECT_EQ(-1, raw_sem(name, O_RDWR, 0, 0));
	EXPECT_EQ(ENOENT, errno);
}

TEST(name_rules)
{
	char name[KIPC_NAME_MAX + 2];
	int fd;

	EXPECT_EQ(-1, raw_sem("", O_RDWR | O_CREAT, 0600, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_sem("a/b", O_RDWR | O_CREAT, 0600, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_sem("/a", O_RDWR | O_CREAT, 0600, 0));
	EXPECT_EQ(EINVAL, errno);

	memset(name, 'n', sizeof(name));
	name[KIPC_NAME_MAX + 1] = 0;
	EXPECT_EQ(-1, raw_sem(name, O_RDWR | O_CREAT, 0600, 0));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, raw_unlink(name));
	EXPECT_EQ(ENAMETOOLONG, errno);

	/* Exactly KIPC_NAME_MAX bytes is fine. */
	snprintf(name, 16, "%d-", getpid());
	name[strlen(name)] = 'n';
	name[KIPC_NAME_MAX] = 0;
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, raw_unlink(name));
}

TEST(bad_name_pointer_is_efault)
{
	struct kipc_open a;
	struct kipc_unlink u = { .name = 8 };

	sem_args(&a, NULL, O_RDWR | O_CREAT, 0600, 0);
	a.name = 8;
	EXPECT_EQ(-1, raw_open(&a));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_UNLINK, &u));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_OPEN, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_UNLINK, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* One malformed field at a time; each must fail with its errno. */
static const struct {
	const char *what;
	int err;
} open_cases[] = {
	{ "unknown flag", EINVAL },
	{ "pad", EINVAL },
	{ "O_TRUNC", EINVAL },
	{ "O_APPEND", EINVAL },
	{ "O_ACCMODE 3", EINVAL },
	{ "setuid mode bit", EINVAL },
	{ "type 0", EINVAL },
	{ "type 99", EINVAL },
	{ "size too small", EINVAL },
	{ "size 0", EINVAL },
	{ "size huge", E2BIG },
	{ "sem value > max", EINVAL },
	{ "sem max too big", EINVAL },
	{ "sem with capacity", EINVAL },
	{ "sem with size", EINVAL },
	{ "sem with maxmsg", EINVAL },
	{ "sem with msgsize", EINVAL },
};

static void spoil_open_args(struct kipc_open *a, size_t i)
{
	switch (i) {
	case 0: a->flags = 1u << 31; break;
	case 1: a->pad = 1; break;
	case 2: a->oflag |= O_TRUNC; break;
	case 3: a->oflag |= O_APPEND; break;
	case 4: a->oflag |= O_ACCMODE; break;
	case 5: a->mode = 04600; break;
	case 6: a->type = 0; break;
	case 7: a->type = 99; break;
	case 8: a->size = KIPC_OPEN_SIZE_VER0 - 8; break;
	case 9: a->size = 0; break;
	case 10: a->size = 1u << 20; break;
	case 11: a->max = 2; a->value = 3; break;
	case 12: a->max = KIPC_SEM_VALUE_MAX + 1u; break;
	case 13: a->capacity = 4096; break;
	case 14: a->size_bytes = 4096; break;
	case 15: a->maxmsg = 1; break;
	case 16: a->msgsize = 1; break;
	}
}

TEST(open_argument_checks)
{
	struct kipc_open a;
	size_t i;

	for (i = 0; i < sizeof(open_cases) / sizeof(open_cases[0]); i++) {
		sem_args(&a, NULL, O_RDWR, 0600, 0);
		spoil_open_args(&a, i);
		EXPECT_EQ(-1, raw_open(&a)) TH_LOG("%s", open_cases[i].what);
		EXPECT_EQ(open_cases[i].err, errno) TH_LOG("%s", open_cases[i].what);
	}
}

/* Newer userspace may pass a longer struct: zeros are fine, data is not. */
TEST(open_accepts_longer_struct_with_zero_tail)
{
	struct {
		struct kipc_open a;
		uint64_t tail[2];
	} big;
	int fd;

	sem_args(&big.a, NULL, O_RDWR, 0600, 0);
	big.a.size = sizeof(big);
	big.tail[0] = big.tail[1] = 0;
	fd = raw_open(&big.a);
	ASSERT_LE(0, fd);
	close(fd);

	big.tail[1] = 1;
	EXPECT_EQ(-1, raw_open(&big.a));
	EXPECT_EQ(E2BIG, errno);
}

TEST(unlink_argument_checks)
{
	struct kipc_unlink u = { .name = (uintptr_t)"x", .flags = 1 };

	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	u.flags = 0;
	u.pad = 1;
	EXPECT_EQ(-1, ioctl(dev_fd(), KIPC_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
}

TEST(stat_reports_identity_and_handle)
{
	struct kipc_stat st;
	struct timespec now;
	char name[64];
	int fd, ro;

	uniq_name(name, sizeof(name), "stat");
	umask(022);
	fd = raw_sem(name, O_RDWR | O_CREAT, 0666, 5);
	ASSERT_LE(0, fd);
	ro = raw_sem(name, O_RDONLY | O_NONBLOCK, 0, 0);
	ASSERT_LE(0, ro);

	ASSERT_EQ(0, raw_stat(ro, &st));
	clock_gettime(CLOCK_REALTIME, &now);
	EXPECT_EQ(sizeof(st), st.size);
	EXPECT_EQ(KIPC_SEM, st.type);
	EXPECT_STREQ(name, st.name);
	EXPECT_EQ(0, st.uid);
	EXPECT_EQ(0, st.gid);
	EXPECT_EQ(0644, st.mode);
	EXPECT_EQ(O_RDONLY | O_NONBLOCK, st.oflag);
	EXPECT_EQ(0, st.handle_flags);
	EXPECT_EQ(KIPC_SEM_VALUE_MAX, st.capacity);
	EXPECT_EQ(5, st.fill);
	EXPECT_EQ(5, st.high_water);
	EXPECT_EQ(2, st.handles);
	EXPECT_EQ(0, st.blocked_in);
	EXPECT_EQ(0, st.blocked_out);
	EXPECT_LE(st.ctime_ns, now.tv_sec * 1000000000ull + now.tv_nsec);
	EXPECT_GT(st.ctime_ns + 600ull * 1000000000ull,
		  now.tv_sec * 1000000000ull + now.tv_nsec);
	EXPECT_EQ(0, st.reserved[0] | st.reserved[1] | st.reserved[2] |
		     st.reserved[3]);

	/* dup shares the open file description: still two handles. */
	int dupfd = dup(fd);

	ASSERT_EQ(0, raw_stat(dupfd, &st));
	EXPECT_EQ(2, st.handles);
	EXPECT_EQ(O_RDWR, st.oflag);
	close(dupfd);
	close(ro);
	close(fd);
	EXPECT_EQ(0, raw_unlink(name));
}

TEST(stat_size_checks)
{
	struct {
		struct kipc_stat st;
		unsigned char tail[16];
	} big;
	int fd = raw_sem(NULL, O_RDWR, 0, 0);

	ASSERT_LE(0, fd);
	memset(&big, GARBAGE, sizeof(big));
	big.st.size = sizeof(big.st) - 8;
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_STAT, &big.st));
	EXPECT_EQ(EINVAL, errno);
	/* A larger struct gets its unknown tail zeroed. */
	big.st.size = sizeof(big);
	ASSERT_EQ(0, ioctl(fd, KIPC_IOC_STAT, &big.st));
	EXPECT_EQ(sizeof(big.st), big.st.size);
	EXPECT_EQ(0, big.tail[0] | big.tail[15]);
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_STAT, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(KIPC_IOC_MAGIC, 0x7e), 0));
	EXPECT_EQ(ENOTTY, errno);
	/* Device ioctls mean nothing on an object. */
	EXPECT_EQ(-1, ioctl(fd, KIPC_IOC_VERSION, &big));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

/* The registry stays correct (and fast enough for TCG) at 10,000 names. */
FIXTURE(many) {
};

FIXTURE_SETUP(many)
{
}

FIXTURE_TEARDOWN(many)
{
}

TEST_F_TIMEOUT(many, ten_thousand_names, 600)
{
	enum { N = 10000 };
	static uint64_t ids[N];
	struct kipc_stat st;
	char name[64];
	int i, fd;

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "many-%d-%d", getpid(), i);
		fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, i % 7);
		ASSERT_LE(0, fd) TH_LOG("create %d: %s", i, strerror(errno));
		ASSERT_EQ(0, raw_stat(fd, &st));
		ids[i] = st.id;
		close(fd);
	}
	for (i = N - 1; i >= 0; i--) {
		snprintf(name, sizeof(name), "many-%d-%d", getpid(), i);
		fd = raw_sem(name, O_RDONLY, 0, 0);
		ASSERT_LE(0, fd) TH_LOG("open %d: %s", i, strerror(errno));
		ASSERT_EQ(0, raw_stat(fd, &st));
		ASSERT_EQ(ids[i], st.id);
		ASSERT_EQ(i % 7, st.fill);
		close(fd);
	}
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "many-%d-%d", getpid(), i);
		ASSERT_EQ(0, raw_unlink(name)) TH_LOG("unlink %d", i);
	}
	snprintf(name, sizeof(name), "many-%d-%d", getpid(), 0);
	EXPECT_EQ(-1, raw_sem(name, O_RDONLY, 0, 0));
	EXPECT_EQ(ENOENT, errno);
}

/* Permissions: run the open in a child with other credentials. */
struct perm_case {
	const char *name;
	uint32_t oflag;
};

static int open_errno(void *arg)
{
	struct perm_case *c = arg;
	int fd = raw_sem(c->name, c->oflag, 0, 0);

	return fd >= 0 ? 0 : errno;
}

static int unlink_errno(void *arg)
{
	return raw_unlink(arg) ? errno : 0;
}

TEST(permissions_follow_mode_bits)
{
	char private[64], public[64], group[64], ro[64];
	struct perm_case c;
	int fds[4];

	umask(0);
	fds[0] = raw_sem(uniq_name(private, 64, "p600"), O_RDWR | O_CREAT, 0600, 0);
	fds[1] = raw_sem(uniq_name(public, 64, "p666"), O_RDWR | O_CREAT, 0666, 0);
	fds[2] = raw_sem(uniq_name(group, 64, "p060"), O_RDWR | O_CREAT, 0060, 0);
	fds[3] = raw_sem(uniq_name(ro, 64, "p644"), O_RDWR | O_CREAT, 0644, 0);
	ASSERT_LE(0, fds[0] | fds[1] | fds[2] | fds[3]);

	c = (struct perm_case){ private, O_RDWR };
	EXPECT_EQ(EACCES, run_as(NOBODY, NOBODY, -1, open_errno, &c));
	c.oflag = O_RDONLY;
	EXPECT_EQ(EACCES, run_as(NOBODY, NOBODY, -1, open_errno, &c));

	c = (struct perm_case){ public, O_RDWR };
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, -1, open_errno, &c));

	/* Group bits: granted through a supplementary group only. */
	c = (struct perm_case){ group, O_RDWR };
	EXPECT_EQ(EACCES, run_as(NOBODY, NOBODY, -1, open_errno, &c));
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, 0, open_errno, &c));

	/* Other may read but not write. */
	c = (struct perm_case){ ro, O_RDONLY };
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, -1, open_errno, &c));
	c.oflag = O_WRONLY;
	EXPECT_EQ(EACCES, run_as(NOBODY, NOBODY, -1, open_errno, &c));
	c.oflag = O_RDWR;
	EXPECT_EQ(EACCES, run_as(NOBODY, NOBODY, -1, open_errno, &c));

	/* Root has CAP_IPC_OWNER: a 0000 object opens anyway. */
	c = (struct perm_case){ group, O_RDWR };
	EXPECT_EQ(0, open_errno(&c));

	/* Only the owner (or CAP_SYS_ADMIN) may unlink. */
	EXPECT_EQ(EPERM, run_as(NOBODY, NOBODY, -1, unlink_errno, public));
	EXPECT_EQ(0, raw_unlink(private));
	EXPECT_EQ(0, raw_unlink(public));
	EXPECT_EQ(0, raw_unlink(group));
	EXPECT_EQ(0, raw_unlink(ro));
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

static int create_own_and_unlink(void *arg)
{
	int fd = raw_sem(arg, O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	struct kipc_stat st;

	if (fd < 0)
		return 1;
	if (raw_stat(fd, &st) || st.uid != NOBODY || st.gid != NOBODY)
		return 2;
	close(fd);
	return raw_unlink(arg) ? 3 : 0;
}

TEST(unprivileged_user_owns_what_it_creates)
{
	char name[64];

	uniq_name(name, sizeof(name), "own");
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, -1, create_own_and_unlink, name));
}

/* Names live in the network namespace they were created in. */
TEST(network_namespaces_do_not_share_names)
{
	char name[64];
	int fd, status;
	pid_t pid;

	uniq_name(name, sizeof(name), "netns");
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 1);
	ASSERT_LE(0, fd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd;

		if (unshare(CLONE_NEWNET))
			_exit(10);
		if (raw_sem(name, O_RDWR, 0, 0) != -1 || errno != ENOENT)
			_exit(11);
		cfd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 5);
		if (cfd < 0)
			_exit(12);
		if (sem_value(cfd) != 5)
			_exit(13);
		/* Left linked: it must go with the namespace. */
		close(cfd);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Ours is untouched by the child's object of the same name. */
	close(fd);
	fd = raw_sem(name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, sem_value(fd));
	close(fd);
	EXPECT_EQ(0, raw_unlink(name));
}

/* Quotas: set tiny limits, check the refusals, put the limits back. */
FIXTURE(quota) {
	long long max_objects, per_user, bytes;
};

FIXTURE_SETUP(quota)
{
	self->max_objects = param_get("max_objects");
	self->per_user = param_get("max_objects_per_user");
	self->bytes = param_get("max_bytes_per_user");
	ASSERT_LT(0, self->max_objects);
	ASSERT_LT(0, self->per_user);
	ASSERT_LT(0, self->bytes);
}

FIXTURE_TEARDOWN(quota)
{
	param_set("max_objects", self->max_objects);
	param_set("max_objects_per_user", self->per_user);
	param_set("max_bytes_per_user", self->bytes);
}

static int create_until_refused(void *arg)
{
	int limit = *(int *)arg, fds[64], i, err = 0;

	for (i = 0; i < limit; i++) {
		fds[i] = raw_sem(NULL, O_RDWR, 0, 0);
		if (fds[i] < 0)
			return 100 + i;
	}
	if (raw_sem(NULL, O_RDWR, 0, 0) != -1)
		return 99;
	err = errno;
	/* Refusals left nothing behind: freeing one makes room for one. */
	close(fds[0]);
	fds[0] = raw_sem(NULL, O_RDWR, 0, 0);
	if (fds[0] < 0)
		return 98;
	for (i = 0; i < limit; i++)
		close(fds[i]);
	return err;
}

TEST_F(quota, objects_per_user_limit_is_emfile)
{
	int limit = 3;

	ASSERT_EQ(0, param_set("max_objects_per_user", limit));
	EXPECT_EQ(EMFILE, run_as(NOBODY, NOBODY, -1, create_until_refused, &limit));
	/* Another user is not affected. */
	EXPECT_EQ(EMFILE, run_as(NOBODY - 1, NOBODY, -1, create_until_refused, &limit));
}

/*
 * In a user namespace whose ids 0..USERNS_IDS-1 are real ids 200000...,
 * made by @owner: create objects as each id in turn (setfsuid: the
 * namespace's root may be any of them) until refused, keeping them all.
 * Returns how many were made, or 200 + a step that failed.
 */
#define USERNS_IDS	8
#define USERNS_BASE	200000

static int userns_fill(int ready_fd, int go_fd, int limit)
{
	int made = 0, id, err = 0;
	char c;

	if (unshare(CLONE_NEWUSER))
		return 200;
	/* The parent writes our id maps, then says go. */
	if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 1)
		return 201;
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return 202;
	for (id = 0; id < USERNS_IDS; id++) {
		setfsuid(id);
		/* Each kept open until exit: they all count at once. */
		while (made < 64) {
			if (raw_sem(NULL, O_RDWR, 0, 0) < 0) {
				err = errno;
				break;
			}
			made++;
		}
	}
	/* Refused by the owner's quota, not by each id's. */
	if (err != EMFILE)
		return 203;
	return made > limit * USERNS_IDS ? 204 : made;
}

/*
 * Ids inside a user namespace count against the user who made it, as
 * ucounts do: without that, a user with a range of subordinate ids got a
 * full quota per id and a few of them could exhaust the module.
 */
TEST_F(quota, user_namespace_ids_count_against_their_owner)
{
	int limit = 5, ready[2], go[2], status;
	char path[64], map[64];
	pid_t pid;

	ASSERT_EQ(0, param_set("max_objects_per_user", limit));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The namespace's owner is an ordinary user. */
		if (setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(250);
		prctl(PR_SET_DUMPABLE, 1);
		_exit(userns_fill(ready[1], go[0], limit));
	}
	close(ready[1]);
	{
		char c;

		/* Nothing to read: the child failed before unsharing. */
		if (read(ready[0], &c, 1) != 1) {
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
			ASSERT_TRUE(WIFEXITED(status));
			if (WEXITSTATUS(status) == 200)
				SKIP(return, "an ordinary user cannot make a user namespace here");
			ASSERT_EQ(0, WEXITSTATUS(status));
		}
	}
	snprintf(map, sizeof(map), "0 %d %d\n", USERNS_BASE, USERNS_IDS);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	EXPECT_EQ(0, write_file(path, map));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	EXPECT_EQ(0, write_file(path, map));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 200)
		SKIP(return, "an ordinary user cannot make a user namespace here");
	/* The owner's limit, not USERNS_IDS times it. */
	EXPECT_EQ(limit, WEXITSTATUS(status));
	close(ready[0]);
	close(go[0]);
	close(go[1]);
}

TEST_F(quota, global_object_limit_is_enospc)
{
	enum { LIMIT = 32 };
	int fds[LIMIT + 1], n, fd;

	/*
	 * Objects other tests left behind (a namespace is torn down
	 * asynchronously) count too, so fill up to the limit, whatever it
	 * takes, and check the refusal is exact and leaves nothing behind.
	 */
	ASSERT_EQ(0, param_set("max_objects", LIMIT));
	for (n = 0; n <= LIMIT; n++) {
		fds[n] = raw_sem(NULL, O_RDWR, 0, 0);
		if (fds[n] < 0)
			break;
	}
	ASSERT_LT(0, n);
	ASSERT_GE(LIMIT, n);
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, raw_sem(NULL, O_RDWR, 0, 0));
	EXPECT_EQ(ENOSPC, errno);
	close(fds[--n]);
	fd = raw_sem(NULL, O_RDWR, 0, 0);
	EXPECT_LE(0, fd);
	close(fd);
	while (n--)
		close(fds[n]);
}

TEST_F(quota, bytes_per_user_limit_is_enomem)
{
	char name[64];
	int fd;

	ASSERT_EQ(0, param_set("max_bytes_per_user", 16));
	EXPECT_EQ(-1, raw_sem(NULL, O_RDWR, 0, 0));
	EXPECT_EQ(ENOMEM, errno);
	/* A named refusal leaves no name behind. */
	uniq_name(name, sizeof(name), "quota");
	EXPECT_EQ(-1, raw_sem(name, O_RDWR | O_CREAT, 0600, 0));
	EXPECT_EQ(ENOMEM, errno);
	ASSERT_EQ(0, param_set("max_bytes_per_user", self->bytes));
	EXPECT_EQ(-1, raw_sem(name, O_RDWR, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	fd = raw_sem(NULL, O_RDWR, 0, 0);
	EXPECT_LE(0, fd);
	close(fd);
}

/*
 * The module cannot go while a handle is open; named objects with no
 * handle do not hold it. Leaves one named object for the runner's rmmod
 * (and kmemleak) to deal with.
 */
TEST(module_is_pinned_by_handles_not_by_names)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "left-for-rmmod-%d", getpid());
	fd = raw_sem(name, O_RDWR | O_CREAT, 0600, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, syscall(__NR_delete_module, "kipc", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(fd);
}

TEST_HARNESS_MAIN
