// SPDX-License-Identifier: MIT
/*
 * Benaphores: the units in shared memory, the sleepers in a kipc semaphore
 * (the name is BeOS's, for a counter in front of a kernel semaphore).
 *
 * The protocol is glibc's sem_t over futex(2) (nptl/sem_waitcommon.c: a
 * 64-bit word of value and waiters), with the kipc semaphore's
 * KIPC_IOC_SEM_WAIT_WORD and KIPC_IOC_SEM_WAKE in the futex's place. The
 * word holds the units in its low half and the announced sleepers in its
 * high half:
 *
 *   wait:  take a unit by compare-and-swap if there is one; else announce
 *          (sleepers + 1), and until a unit is taken, sleep in the kipc
 *          semaphore on the condition "no units" (the low half is 0); a
 *          unit is taken and the announcement withdrawn in one CAS.
 *   post:  add a unit; if the word said anyone was announced, wake one.
 *
 * No lost wake-up. A waiter sleeps only after its announcement and only
 * if the module, holding the semaphore's lock, still reads no units. Every
 * change of the word is an atomic read-modify-write of that one word, so
 * a post and an announcement are ordered: if the post comes first, the
 * announcing waiter sees its unit (in its own RMW's result or in the
 * module's read) and does not sleep; if the announcement comes first, the
 * post sees a sleeper and wakes, and its wake takes the lock after its
 * increment, so either the waiter is asleep on the list already (and is
 * granted the wake-up) or it reads the new units under the lock after
 * the wake (and does not sleep). A woken waiter whose unit a newcomer took
 * goes back to sleep on "no units", still announced, where the next post
 * finds it. Every post while anyone is announced wakes someone, so k posts
 * to k sleepers wake all k; a waiter withdraws its announcement in the
 * same step as it takes a unit, so posts after that do not call the
 * kernel for it (which a separate counter did).
 *
 * Units are never in the kipc semaphore itself: KIPC_IOC_SEM_WAKE does not
 * bank them, so its value stays 0 and a wait on it always checks the word.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

#define UNITS(w)	((uint32_t)(w))
#define ONE_SLEEPER	(1ull << 32)

/* The low half of the word, where the module looks. */
static const uint32_t *benaphore_units(const struct kipc_benaphore *b)
{
	return (const uint32_t *)&b->word + (__BYTE_ORDER == __BIG_ENDIAN);
}

int kipc_benaphore_init(struct kipc_benaphore *b, unsigned value)
{
	if (!b || value > KIPC_SEM_VALUE_MAX) {
		errno = EINVAL;
		return -1;
	}
	__atomic_store_n(&b->word, value, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Take a unit if the word @w (as last read) has one, withdrawing an
 * announcement with it if @announced; updates @w on failure. The acquire
 * pairs with post's release.
 */
static int benaphore_take(struct kipc_benaphore *b, uint64_t *w,
			  bool announced)
{
	while (UNITS(*w))
		if (__atomic_compare_exchange_n(&b->word, w,
						*w - 1 - (announced ? ONE_SLEEPER : 0),
						1, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
	return 0;
}

int kipc_benaphore_trywait(struct kipc_benaphore *b)
{
	uint64_t w = __atomic_load_n(&b->word, __ATOMIC_RELAXED);

	if (benaphore_take(b, &w, false))
		return 0;
	errno = EAGAIN;
	return -1;
}

int kipc_benaphore_wait(struct kipc_benaphore *b, int fd)
{
	uint64_t w = __atomic_load_n(&b->word, __ATOMIC_RELAXED);
	int slept;

	if (benaphore_take(b, &w, false))
		return 0;
	w = __atomic_add_fetch(&b->word, ONE_SLEEPER, __ATOMIC_SEQ_CST);
	while (!benaphore_take(b, &w, true)) {
		/* 0: woken with a unit to race for; EAGAIN: units came. */
		slept = kipc_sem_wait_word(fd, benaphore_units(b), 0, NULL);
		if (slept && errno != EAGAIN)
			goto fail;
		w = __atomic_load_n(&b->word, __ATOMIC_RELAXED);
		/*
		 * Still none after an EAGAIN: units came and went, or @fd is
		 * O_NONBLOCK and the module would not sleep. Only the second
		 * is worth a system call to tell, and it must not spin.
		 */
		if (slept && !UNITS(w) && (fcntl(fd, F_GETFL) & O_NONBLOCK)) {
			errno = EAGAIN;
			goto fail;
		}
	}
	return 0;

fail:
	__atomic_fetch_sub(&b->word, ONE_SLEEPER, __ATOMIC_RELAXED);
	return -1;
}

int kipc_benaphore_post(struct kipc_benaphore *b, int fd)
{
	uint64_t w = __atomic_load_n(&b->word, __ATOMIC_RELAXED);

	do {
		if (UNITS(w) >= KIPC_SEM_VALUE_MAX) {
			errno = EOVERFLOW;
			return -1;
		}
	} while (!__atomic_compare_exchange_n(&b->word, &w, w + 1, 1,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	/* @w is the word before our unit: its sleepers were announced. */
	if (w >= ONE_SLEEPER && kipc_sem_wake(fd, 1) < 0)
		return -1;
	return 0;
}
