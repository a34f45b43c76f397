// SPDX-License-Identifier: MIT
/*
 * Semaphores: wait (blocking, try, timed, on a word), post, wake and get
 * value, each one ioctl on the semaphore's fd.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

static int kipc_sem_do_wait(int fd, uint32_t flags,
			    const struct timespec *abs_timeout)
{
	struct kipc_sem_wait args;

	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.timeout = kipc_timeout_ptr(abs_timeout);
	return ioctl(fd, KIPC_IOC_SEM_WAIT, &args) < 0 ? -1 : 0;
}

int kipc_sem_wait(int fd)
{
	return kipc_sem_do_wait(fd, 0, NULL);
}

int kipc_sem_trywait(int fd)
{
	return kipc_sem_do_wait(fd, KIPC_SEM_TRY, NULL);
}

/* The module reads @abs_timeout: NULL or unreadable is EFAULT. */
int kipc_sem_timedwait(int fd, const struct timespec *abs_timeout)
{
	return kipc_sem_do_wait(fd, KIPC_SEM_TIMED, abs_timeout);
}

int kipc_sem_wait_word(int fd, const uint32_t *word, uint32_t expected,
		       const struct timespec *abs_timeout)
{
	struct kipc_sem_wait_word args;

	memset(&args, 0, sizeof(args));
	if (abs_timeout) {
		args.timeout = kipc_timeout_ptr(abs_timeout);
		args.flags = KIPC_SEM_TIMED;
	}
	args.uaddr = (uintptr_t)word;
	args.expected = expected;
	return ioctl(fd, KIPC_IOC_SEM_WAIT_WORD, &args) < 0 ? -1 : 0;
}

int kipc_sem_wake(int fd, unsigned count)
{
	struct kipc_sem_wake args;

	if (!count) {
		errno = EINVAL;
		return -1;
	}
	memset(&args, 0, sizeof(args));
	args.count = count;
	return ioctl(fd, KIPC_IOC_SEM_WAKE, &args);
}

int kipc_sem_post_n(int fd, unsigned count)
{
	struct kipc_sem_post args;

	if (!count) {
		errno = EINVAL;
		return -1;
	}
	memset(&args, 0, sizeof(args));
	args.count = count;
	return ioctl(fd, KIPC_IOC_SEM_POST, &args) < 0 ? -1 : 0;
}

int kipc_sem_post(int fd)
{
	return kipc_sem_post_n(fd, 1);
}

int kipc_sem_getvalue(int fd, unsigned *value)
{
	struct kipc_sem_value args;

	if (!value) {
		errno = EINVAL;
		return -1;
	}
	memset(&args, 0, sizeof(args));
	if (ioctl(fd, KIPC_IOC_SEM_GETVALUE, &args) < 0)
		return -1;
	*value = args.value;
	return 0;
}
