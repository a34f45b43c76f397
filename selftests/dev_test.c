// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/kipc device and its version query: the node exists with the
 * advertised mode, KIPC_IOC_VERSION answers, and every malformed request
 * fails with its documented errno and changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "kipc.h"
#include "kselftest_harness.h"

#define GARBAGE 0xa5

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(KIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", KIPC_DEVICE_PATH,
				      strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST(node_is_world_rw_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(KIPC_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
	/*
	 * Misc major 10, the fixed minor 249 that modules.devname names, so
	 * a node made before the module loads is this device.
	 */
	EXPECT_EQ(10, major(st.st_rdev));
	EXPECT_EQ(249, minor(st.st_rdev));
}

TEST(unprivileged_user_can_open)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		/* Exit with the errno that failed, 0 on success. */
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100 + errno);
		fd = open(KIPC_DEVICE_PATH, O_RDWR);
		_exit(fd >= 0 ? 0 : errno);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(dev, version_reports_abi_and_known_features)
{
	struct kipc_version ver;

	memset(&ver, GARBAGE, sizeof(ver));
	ver.pad = 0;
	ASSERT_EQ(0, ioctl(self->fd, KIPC_IOC_VERSION, &ver));
	EXPECT_EQ(KIPC_ABI_VERSION, ver.abi_version);
	EXPECT_EQ(0, ver.pad);
	EXPECT_EQ(0, ver.features & ~KIPC_FEATURES_ALL);
}

TEST_F(dev, version_nonzero_pad_is_einval)
{
	struct kipc_version ver;

	memset(&ver, GARBAGE, sizeof(ver));
	ver.pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, &ver));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing was written back. */
	EXPECT_EQ(1, ver.pad);
	EXPECT_EQ(0xa5a5a5a5u, ver.abi_version);
}

TEST_F(dev, version_bad_pointer_is_efault)
{
	void *unmapped = mmap(NULL, 4096, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, unmapped);
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, unmapped));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
	munmap(unmapped, 4096);
}

TEST_F(dev, version_read_only_struct_is_efault)
{
	struct kipc_version *ver = mmap(NULL, 4096, PROT_READ,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ver);
	/* The kernel can read the zeroed page but must not write it. */
	EXPECT_EQ(-1, ioctl(self->fd, KIPC_IOC_VERSION, ver));
	EXPECT_EQ(EFAULT, errno);
	munmap(ver, 4096);
}

TEST_F(dev, unknown_command_is_enotty)
{
	struct kipc_version ver = { 0 };
	/* Unknown number, our magic. */
	unsigned long unknown_nr = _IOWR(KIPC_IOC_MAGIC, 0x7f, struct kipc_version);
	/* Known number, wrong size: a different command to the kernel. */
	unsigned long wrong_size = _IOWR(KIPC_IOC_MAGIC, 0x40, __u64);
	/* Known number, wrong direction. */
	unsigned long wrong_dir = _IOR(KIPC_IOC_MAGIC, 0x40, struct kipc_version);

	EXPECT_EQ(-1, ioctl(self->fd, unknown_nr, &ver));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, wrong_size, &ver));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, wrong_dir, &ver));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO('T', 0x01), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, 0, 0));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, device_is_not_seekable_or_readable)
{
	char buf[8];

	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
}

TEST(library_version_matches_module)
{
	struct kipc_version ver = { 0 };
	unsigned int abi = 0xdeadbeef;
	uint64_t features = ~0ULL;
	int fd = open(KIPC_DEVICE_PATH, O_RDWR);
	char want[32], modver[32];
	FILE *f;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, KIPC_IOC_VERSION, &ver));
	close(fd);

	ASSERT_EQ(0, kipc_version(&abi, &features));
	EXPECT_EQ(ver.abi_version, abi);
	EXPECT_EQ(ver.features, features);
	EXPECT_EQ(0, kipc_version(NULL, NULL));
	snprintf(want, sizeof(want), "%d.%d.%d", KIPC_LIB_VERSION_MAJOR,
		 KIPC_LIB_VERSION_MINOR, KIPC_LIB_VERSION_PATCH);
	EXPECT_STREQ(want, kipc_lib_version());
	/* One tree, one version: the module's MODULE_VERSION is the same. */
	f = fopen("/sys/module/kipc/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(modver, sizeof(modver), f));
	fclose(f);
	modver[strcspn(modver, "\n")] = 0;
	EXPECT_STREQ(want, modver);
}

TEST(device_path_follows_kipc_device)
{
	unsetenv("KIPC_DEVICE");
	EXPECT_STREQ("/dev/kipc", kipc_device_path());
	setenv("KIPC_DEVICE", "", 1);
	EXPECT_STREQ("/dev/kipc", kipc_device_path());
	setenv("KIPC_DEVICE", "/tmp/elsewhere", 1);
	EXPECT_STREQ("/tmp/elsewhere", kipc_device_path());
	unsetenv("KIPC_DEVICE");
}

TEST(library_reports_missing_device)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A fresh process: the device fd is not cached yet. */
		setenv("KIPC_DEVICE", "/dev/kipc-does-not-exist", 1);
		_exit(kipc_version(NULL, NULL) == -1 && errno == ENOENT ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
