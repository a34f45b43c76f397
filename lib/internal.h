/* SPDX-License-Identifier: MIT */
/* Helpers shared by the files of libkipc; not installed. */
#ifndef KIPC_INTERNAL_H
#define KIPC_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include <linux/time_types.h>

#include "kipc.h"

/*
 * A deadline as the ABI carries it: a pointer the module reads, so that
 * an unreadable one is EFAULT, as with mq_timedsend(2), not a crash here.
 * The module reads a struct __kernel_timespec; struct timespec is the
 * same on 64-bit targets (32-bit ones need -D_TIME_BITS=64).
 */
_Static_assert(sizeof(struct timespec) == sizeof(struct __kernel_timespec),
	       "libkipc needs a 64-bit time_t (-D_TIME_BITS=64)");

static inline __u64 kipc_timeout_ptr(const struct timespec *ts)
{
	return (uintptr_t)ts;
}

/*
 * The process-wide /dev/kipc descriptor, opened O_CLOEXEC on first use and
 * kept open. Returns -1 with errno set if the device cannot be opened.
 */
int kipc_dev_fd(void);

/*
 * The name as the kernel wants it: without the one optional leading '/'.
 * NULL with EINVAL if nothing is left; the kernel checks the rest.
 */
const char *kipc_kernel_name(const char *name);

#endif /* KIPC_INTERNAL_H */
