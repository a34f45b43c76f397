/* SPDX-License-Identifier: MIT */
/*
 * Whole reads and writes, for libkipc's stream channels, the kipc tool and
 * the selftests alike. Header-only, so that none of them has to link
 * another (the library does not link the tool, nor the tests the tool).
 */
#ifndef KIPC_IO_FULL_H
#define KIPC_IO_FULL_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

/* read() until @len bytes or end of file; the count, or -1 with errno. */
static inline ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* write() all of @buf to @fd, retrying after EINTR; 0, or -1 with errno. */
static inline int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#endif /* KIPC_IO_FULL_H */
