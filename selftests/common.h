/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kipc selftests: raw ioctl wrappers (so the tests
 * pin down the ABI itself, not only the library), unique names, running a
 * function in a child with other credentials, and module parameters.
 */
#ifndef KIPC_SELFTEST_COMMON_H
#define KIPC_SELFTEST_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kipc.h"

#define GARBAGE		0xa5
#define NOBODY		65534

static inline int dev_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open(KIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return fd;
}

/* Fill in a struct kipc_open for a semaphore; name NULL is anonymous. */
static inline void sem_args(struct kipc_open *a, const char *name,
			    uint32_t oflag, uint32_t mode, uint32_t value)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = KIPC_SEM;
	a->oflag = oflag;
	a->mode = mode;
	a->name = (uintptr_t)name;
	a->value = value;
}

static inline int raw_open(struct kipc_open *a)
{
	return ioctl(dev_fd(), KIPC_IOC_OPEN, a);
}

static inline int raw_sem(const char *name, uint32_t oflag, uint32_t mode,
			  uint32_t value)
{
	struct kipc_open a;

	sem_args(&a, name, oflag, mode, value);
	return raw_open(&a);
}

static inline int raw_unlink(const char *name)
{
	struct kipc_unlink u = { .name = (uintptr_t)name };

	return ioctl(dev_fd(), KIPC_IOC_UNLINK, &u);
}

static inline int raw_stat(int fd, struct kipc_stat *st)
{
	memset(st, GARBAGE, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, KIPC_IOC_STAT, st);
}

/* Fill in a struct kipc_open for a region; name NULL is anonymous. */
static inline void shm_args(struct kipc_open *a, const char *name,
			    uint32_t oflag, uint32_t mode, uint64_t size)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = KIPC_SHM;
	a->oflag = oflag;
	a->mode = mode;
	a->name = (uintptr_t)name;
	a->size_bytes = size;
}

static inline int raw_shm(const char *name, uint32_t oflag, uint32_t mode,
			  uint64_t size)
{
	struct kipc_open a;

	shm_args(&a, name, oflag, mode, size);
	return raw_open(&a);
}

static inline size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static inline uint32_t sem_value(int fd)
{
	struct kipc_sem_value v;

	memset(&v, GARBAGE, sizeof(v));
	if (ioctl(fd, KIPC_IOC_SEM_GETVALUE, &v))
		return UINT32_MAX;
	return v.value;
}

/* A name no other test (or earlier run) uses. */
static inline const char *uniq_name(char *buf, size_t len, const char *tag)
{
	static unsigned int seq;

	snprintf(buf, len, "t-%s-%d-%u", tag, getpid(), seq++);
	return buf;
}

/*
 * Run fn(arg) in a child as uid/gid (with no supplementary groups, or the
 * one given if >= 0); returns what fn returned, or -1000 if the child died.
 */
static inline int run_as(uid_t uid, gid_t gid, int group,
			 int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1001;
	if (pid == 0) {
		gid_t g = group;

		if (setgroups(group >= 0 ? 1 : 0, &g) ||
		    setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			_exit(250);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1000;
	return WEXITSTATUS(status);
}

/* Read or write /sys/module/kipc/parameters/NAME. */
static inline long long param_get(const char *name)
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

static inline int param_set(const char *name, long long value)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%lld\n", value) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/* CLOCK_MONOTONIC now, in nanoseconds. */
static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The CLOCK_MONOTONIC time @ms milliseconds from now. */
static inline struct timespec mono_in_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

/*
 * Wait (up to ~60 s, TCG is slow) until the object behind @fd has exactly
 * @in tasks blocked putting in and @out blocked taking out (stat's
 * blocked_in and blocked_out). Returns 0, or -1 if that never happened.
 */
static inline int wait_blocked_tasks(int fd, unsigned int in, unsigned int out)
{
	struct kipc_stat st;
	int i;

	for (i = 0; i < 6000; i++) {
		if (raw_stat(fd, &st))
			return -1;
		if (st.blocked_in == in && st.blocked_out == out)
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * Processes (zombies too) for which @match(pid, @arg) is true, @pid being
 * its /proc directory's name; -1 if /proc cannot be read.
 */
static inline int count_processes(int (*match)(const char *pid, void *arg),
				  void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    match(e->d_name, arg))
			n++;
	closedir(d);
	return n;
}

/* Write @val to the file at @path (a /proc, /sys or debugfs knob). */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/* The exit status of child @pid, or 128 + signal if it was killed. */
static inline int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#endif /* KIPC_SELFTEST_COMMON_H */
