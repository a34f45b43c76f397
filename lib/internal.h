/* SPDX-License-Identifier: MIT */
/* Helpers shared by the files of libkipc; not installed. */
#ifndef KIPC_INTERNAL_H
#define KIPC_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "kipc.h"

#define KIPC_NSEC_PER_SEC	1000000000LL

/*
 * An absolute CLOCK_MONOTONIC @ts as the ABI's timeout_ns: 0 for a time
 * before the clock's epoch (already passed), INT64_MAX past what 64 bits
 * of nanoseconds hold (292 years of uptime: never). -1 with EINVAL for a
 * tv_nsec outside [0, 1e9).
 */
int kipc_deadline_ns(const struct timespec *ts, __u64 *ns);

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
