// SPDX-License-Identifier: MIT
/*
 * Benaphores: the units in shared memory, the sleepers in a kipc semaphore
 * (the name is BeOS's, for a counter in front of a kernel semaphore).
 *
 * The protocol is glibc's sem_t over futex(2), with the kipc semaphore's
 * KIPC_IOC_SEM_WAIT_WORD and KIPC_IOC_SEM_WAKE in the futex's place:
 *
 *   wait:  take a unit by compare-and-swap if value > 0; else announce
 *          (sleepers++), and until a take succeeds, sleep in the kipc
 *          semaphore on the condition value == 0; then sleepers--.
 *   post:  value++; if sleepers > 0, wake one sleeper.
 *
 * No lost wake-up. A waiter sleeps only after its sleepers++ and only if
 * the module, holding the semaphore's lock, still reads value == 0. A
 * poster's value++ is followed by its read of sleepers. Both pairs are
 * sequentially consistent atomics (full barriers), so of the waiter's
 * announce and the poster's increment one comes first: if the increment
 * does, the waiter's read in the module sees it and it does not sleep; if
 * the announce does, the poster sees sleepers > 0 and wakes, and its wake
 * takes the lock after its increment, so either the waiter is already
 * asleep on the list (and is granted the wake-up) or it reads the new
 * value under the lock after the wake (and does not sleep). A woken
 * waiter whose unit a newcomer took goes back to sleep on value == 0,
 * where the next post finds it. Every post while anyone is announced
 * wakes someone, so k posts to k sleepers wake all k.
 *
 * Units are never in the kipc semaphore itself: KIPC_IOC_SEM_WAKE does not
 * bank them, so its value stays 0 and a wait on it always checks the word.
 */
#include <errno.h>
#include <stdint.h>

#include "internal.h"

int kipc_benaphore_init(struct kipc_benaphore *b, unsigned value)
{
	if (!b || value > KIPC_SEM_VALUE_MAX) {
		errno = EINVAL;
		return -1;
	}
	__atomic_store_n(&b->sleepers, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&b->value, value, __ATOMIC_RELEASE);
	return 0;
}

/* Take a unit if there is one: the acquire pairs with post's release. */
static int benaphore_take(struct kipc_benaphore *b)
{
	uint32_t v = __atomic_load_n(&b->value, __ATOMIC_SEQ_CST);

	while (v)
		if (__atomic_compare_exchange_n(&b->value, &v, v - 1, 1,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
	return 0;
}

int kipc_benaphore_trywait(struct kipc_benaphore *b)
{
	if (benaphore_take(b))
		return 0;
	errno = EAGAIN;
	return -1;
}

int kipc_benaphore_wait(struct kipc_benaphore *b, int fd)
{
	int ret = 0;

	if (benaphore_take(b))
		return 0;
	__atomic_fetch_add(&b->sleepers, 1, __ATOMIC_SEQ_CST);
	while (!benaphore_take(b)) {
		/* 0: woken with a unit to race for; EAGAIN: value moved. */
		if (kipc_sem_wait_word(fd, &b->value, 0, NULL) &&
		    errno != EAGAIN) {
			ret = -1;
			break;
		}
	}
	__atomic_fetch_sub(&b->sleepers, 1, __ATOMIC_RELEASE);
	return ret;
}

int kipc_benaphore_post(struct kipc_benaphore *b, int fd)
{
	uint32_t v = __atomic_load_n(&b->value, __ATOMIC_RELAXED);

	do {
		if (v >= KIPC_SEM_VALUE_MAX) {
			errno = EOVERFLOW;
			return -1;
		}
	} while (!__atomic_compare_exchange_n(&b->value, &v, v + 1, 1,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	if (__atomic_load_n(&b->sleepers, __ATOMIC_SEQ_CST) &&
	    kipc_sem_wake(fd, 1) < 0)
		return -1;
	return 0;
}
