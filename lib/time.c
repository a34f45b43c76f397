// SPDX-License-Identifier: MIT
/* Deadlines as the ABI carries them. */
#include <errno.h>
#include <stdint.h>

#include "internal.h"

int kipc_deadline_ns(const struct timespec *ts, __u64 *ns)
{
	if (ts->tv_nsec < 0 || ts->tv_nsec >= KIPC_NSEC_PER_SEC) {
		errno = EINVAL;
		return -1;
	}
	if (ts->tv_sec < 0)
		*ns = 0;
	else if ((uint64_t)ts->tv_sec >
		 (uint64_t)(INT64_MAX - ts->tv_nsec) / KIPC_NSEC_PER_SEC)
		*ns = INT64_MAX;
	else
		*ns = (uint64_t)ts->tv_sec * KIPC_NSEC_PER_SEC + ts->tv_nsec;
	return 0;
}
