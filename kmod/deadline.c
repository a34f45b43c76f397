// SPDX-License-Identifier: GPL-2.0
/*
 * The deadline of a timed wait. Callers pass a pointer to a struct
 * __kernel_timespec, and the module reads it, as mq_timedsend(2) and
 * futex(2) do: an unreadable pointer is EFAULT here instead of a crash in
 * the library that would otherwise have to read it.
 */
#include <linux/time64.h>
#include <linux/uaccess.h>

#include "internal.h"

/*
 * If @timed, read the absolute CLOCK_MONOTONIC deadline at @utimeout into
 * *@buf and point *@deadline at it; if not, @utimeout must be zero and
 * *@deadline is NULL. -EINVAL for a tv_nsec outside [0, NSEC_PER_SEC) and,
 * unless @negative_passed, for a negative tv_sec; with it, a negative
 * tv_sec is a deadline that has passed. Far deadlines saturate at
 * KTIME_MAX (never).
 */
int kipc_deadline(bool timed, u64 utimeout, bool negative_passed,
		  ktime_t *buf, ktime_t **deadline)
{
	struct timespec64 ts;

	*deadline = NULL;
	if (!timed)
		return utimeout ? -EINVAL : 0;
	if (get_timespec64(&ts, u64_to_user_ptr(utimeout)))
		return -EFAULT;
	if (ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (ts.tv_sec < 0) {
		if (!negative_passed)
			return -EINVAL;
		ts.tv_sec = 0;
		ts.tv_nsec = 0;
	}
	*buf = timespec64_to_ktime(ts);
	*deadline = buf;
	return 0;
}
