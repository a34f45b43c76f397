// SPDX-License-Identifier: GPL-2.0
/*
 * What the waits of semaphores and queues share: the deadline of a timed
 * wait, and the sleep of a waiter whose waker settles its result.
 *
 * Callers pass a deadline as a pointer to a struct __kernel_timespec, and
 * the module reads it, as mq_timedsend(2) and futex(2) do: an unreadable
 * pointer is EFAULT here instead of a crash in the library that would
 * otherwise have to read it.
 */
#include <linux/sched.h>
#include <linux/spinlock.h>
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

/*
 * Sleep until *@done, a signal, or @deadline (absolute CLOCK_MONOTONIC,
 * NULL for none). Called with @lock held and the caller on a waiter list
 * that @lock guards. Returns 0 once done, with @lock released: the waker
 * took the caller off its list and settled everything under @lock before
 * kipc_set_done(), so a woken waiter that sees it needs no lock, as
 * ipc/mqueue.c's wq_sleep() with STATE_READY. Else returns -ERESTARTSYS or
 * -ETIMEDOUT with @lock held and the caller still on its list, to take
 * itself off. Being done wins over a signal or timeout arriving with it.
 */
int kipc_sleep_until_done(spinlock_t *lock, const bool *done,
			  ktime_t *deadline)
{
	int ret;

	lockdep_assert_held(lock);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(lock);
		kipc_schedule(deadline);
		/* Pairs with kipc_set_done(): all the waker settled is seen. */
		if (smp_load_acquire(done)) {
			__set_current_state(TASK_RUNNING);
			return 0;
		}
		spin_lock(lock);

		if (*done) {
			ret = 0;
			break;
		}
		ret = kipc_wait_ended(deadline);
		if (ret)
			break;
	}
	__set_current_state(TASK_RUNNING);
	if (!ret)
		spin_unlock(lock);
	return ret;
}
