// SPDX-License-Identifier: MIT
/*
 * Mapped rings: the user-space side of the protocol in the uapi header
 * ("Mapped rings"). A producer takes the ring's lock word, writes its
 * record after head and publishes it with one release store; a consumer
 * reads at tail and publishes its progress the same way. Each side enters
 * the kernel only to sleep (the ring is empty, full, or the lock taken)
 * or to wake a sleeper the other side announced in its waiters word.
 *
 * Before sleeping, each wait spins a little (RING_SPIN loads of the word
 * it waits on): a peer that is running will usually move within that
 * time, and a busy stream then makes no system call at all.
 *
 * Nothing read from the shared pages is trusted further than the mapping:
 * positions and record lengths are checked before use and a ring whose
 * words make no sense fails with EIO.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Loads of a word before sleeping on it. */
#define RING_SPIN	4096

#define RING_REC	sizeof(struct kipc_ring_rec)

struct kipc_ring {
	int fd;
	int readable;			/* mapped as the consumer */
	int writable;			/* mapped as a producer */
	int packet;
	uint32_t size;
	struct kipc_ring_prod *prod;
	struct kipc_ring_cons *cons;
	char *data;			/* 2 * size bytes */
	/*
	 * Zero copy, for one thread at a time (copying sends keep none of
	 * this and may come from any number of threads at once):
	 */
	int reserving;			/* between reserve() and commit() */
	size_t reserved;		/* the bytes reserve() asked for */
	uint64_t reserved_head;		/* where they go */
	size_t peeked;			/* ring bytes a peek() shows, 0 if none */
};

static inline void ring_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void ring_unlock(struct kipc_ring *r);

/* --- The lock word's owner: this process's id, without a system call --- */

static pid_t ring_pid;
static pthread_once_t ring_pid_once = PTHREAD_ONCE_INIT;

static void ring_pid_forget(void)
{
	ring_pid = 0;
}

static void ring_pid_setup(void)
{
	pthread_atfork(NULL, NULL, ring_pid_forget);
}

static uint32_t ring_owner(void)
{
	pthread_once(&ring_pid_once, ring_pid_setup);
	if (!ring_pid)
		ring_pid = getpid();
	return (uint32_t)ring_pid & KIPC_RING_LOCK_OWNER;
}

/* --- Mapping ------------------------------------------------------------ */

static void *ring_map_area(int fd, off_t off, size_t len, int writable)
{
	void *p = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
		       MAP_SHARED, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

struct kipc_ring *kipc_ring_map(int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	struct kipc_stat st;
	struct kipc_ring *r;
	int acc, err, mfd;

	acc = fcntl(fd, F_GETFL);
	if (acc < 0)
		return NULL;
	acc &= O_ACCMODE;
	if (kipc_stat(fd, &st) < 0)
		return NULL;
	if (st.type != KIPC_PIPE || st.capacity > UINT32_MAX) {
		errno = EINVAL;
		return NULL;
	}
	/* EINVAL for a pipe made without KIPC_F_RING. */
	mfd = ioctl(fd, KIPC_IOC_RING_MAPFD, 0);
	if (mfd < 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		close(mfd);
		return NULL;
	}
	r->fd = fd;
	r->readable = acc != O_WRONLY;
	r->writable = acc != O_RDONLY;
	r->size = (uint32_t)st.capacity;
	r->prod = ring_map_area(mfd, KIPC_RING_OFF_PROD, page, r->writable);
	r->cons = ring_map_area(mfd, KIPC_RING_OFF_CONS, page, r->readable);
	r->data = ring_map_area(mfd, KIPC_RING_OFF_DATA, 2 * (size_t)r->size,
				r->writable);
	err = errno;
	close(mfd);
	if (!r->prod || !r->cons || !r->data) {
		kipc_ring_unmap(r);
		errno = err;
		return NULL;
	}
	r->packet = !!(__atomic_load_n(&r->cons->flags, __ATOMIC_RELAXED) &
		       KIPC_RING_PACKETS);
	return r;
}

void kipc_ring_unmap(struct kipc_ring *r)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!r)
		return;
	/* A reservation never committed is dropped, and the lock with it. */
	if (r->reserving)
		ring_unlock(r);
	if (r->prod)
		munmap(r->prod, page);
	if (r->cons)
		munmap(r->cons, page);
	if (r->data)
		munmap(r->data, 2 * (size_t)r->size);
	free(r);
}

size_t kipc_ring_size(const struct kipc_ring *r)
{
	return r->size;
}

/* --- Waiting and waking ------------------------------------------------ */

static int ring_ioc_wait(struct kipc_ring *r, uint32_t what, uint32_t need,
			 const struct timespec *abs_timeout)
{
	struct kipc_ring_wait args;

	memset(&args, 0, sizeof(args));
	args.what = what;
	args.need = need;
	if (abs_timeout) {
		args.timeout = kipc_timeout_ptr(abs_timeout);
		args.flags = KIPC_RING_TIMED;
	}
	return ioctl(r->fd, KIPC_IOC_RING_WAIT, &args) < 0 ? -1 : 0;
}

static void ring_ioc_wake(struct kipc_ring *r, uint32_t what)
{
	struct kipc_ring_wake args = { .what = what };

	ioctl(r->fd, KIPC_IOC_RING_WAKE, &args);
}

/*
 * Step 5 of producing, step 3 of consuming: wake a sleeper if announced.
 * The full barrier the protocol asks between the position's store and
 * this load is the seq_cst exchange just before it (the lock's release
 * for a producer, the store of tail for the consumer): a locked
 * instruction on x86, and on arm64 a store-release the seq_cst load
 * after it cannot pass; cheaper than a fence of its own.
 */
static void ring_wake_peer(struct kipc_ring *r, uint32_t *waiters,
			   uint32_t what)
{
	if (__atomic_load_n(waiters, __ATOMIC_SEQ_CST))
		ring_ioc_wake(r, what);
}

/* Spin until *@word differs from @old; 0 if it did, -1 if it did not. */
static int ring_spin_u64(const __u64 *word, uint64_t old)
{
	int i;

	for (i = 0; i < RING_SPIN; i++) {
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != old)
			return 0;
		ring_relax();
	}
	return -1;
}

static int ring_broken(const uint32_t *flags)
{
	if (__atomic_load_n(flags, __ATOMIC_ACQUIRE) & KIPC_RING_BROKEN) {
		errno = EIO;
		return 1;
	}
	return 0;
}

/* --- Producing --------------------------------------------------------- */

static int ring_lock(struct kipc_ring *r, const struct timespec *abs_timeout)
{
	uint32_t me = ring_owner(), free_word;
	int i;

	for (;;) {
		for (i = 0; i < RING_SPIN; i++) {
			free_word = 0;
			if (!__atomic_load_n(&r->prod->lock, __ATOMIC_RELAXED) &&
			    __atomic_compare_exchange_n(&r->prod->lock,
							&free_word, me, 0,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return 0;
			ring_relax();
		}
		if (ring_broken(&r->prod->flags))
			return -1;
		if (ring_ioc_wait(r, KIPC_RING_LOCK, 0, abs_timeout) < 0)
			return -1;
	}
}

static void ring_unlock(struct kipc_ring *r)
{
	uint32_t old = __atomic_exchange_n(&r->prod->lock, 0, __ATOMIC_SEQ_CST);

	if (old & KIPC_RING_LOCK_WAITERS)
		ring_ioc_wake(r, KIPC_RING_LOCK);
}

/* No reader left: what write(2) does, EPIPE and SIGPIPE. */
static int ring_no_readers(struct kipc_ring *r)
{
	uint32_t flags = __atomic_load_n(&r->prod->flags, __ATOMIC_ACQUIRE);

	if (flags & KIPC_RING_BROKEN) {
		errno = EIO;
		return 1;
	}
	if (flags & KIPC_RING_NO_READERS) {
		pthread_kill(pthread_self(), SIGPIPE);
		errno = EPIPE;
		return 1;
	}
	return 0;
}

static uint64_t ring_rec_bytes(const struct kipc_ring *r, size_t len)
{
	return r->packet ? (RING_REC + len + KIPC_RING_ALIGN - 1) &
			   ~(uint64_t)(KIPC_RING_ALIGN - 1) : len;
}

/*
 * With the lock held, wait until @need bytes are free after head, which
 * goes to *@headp: 0, or -1 with the lock released.
 */
static int ring_room(struct kipc_ring *r, uint64_t need,
		     const struct timespec *abs_timeout, uint64_t *headp)
{
	uint64_t head, tail;

	for (;;) {
		if (ring_no_readers(r))
			break;
		head = __atomic_load_n(&r->prod->head, __ATOMIC_RELAXED);
		tail = __atomic_load_n(&r->cons->tail, __ATOMIC_ACQUIRE);
		if (head - tail > r->size) {
			errno = EIO;
			break;
		}
		if (r->size - (head - tail) >= need) {
			*headp = head;
			return 0;
		}
		/* Full: let the others at the lock while waiting for room. */
		ring_unlock(r);
		if (ring_spin_u64(&r->cons->tail, tail) < 0 &&
		    ring_ioc_wait(r, KIPC_RING_ROOM, (uint32_t)need,
				  abs_timeout) < 0)
			return -1;
		if (ring_lock(r, abs_timeout) < 0)
			return -1;
	}
	ring_unlock(r);
	return -1;
}

/*
 * Take the lock and wait for room for a record of @len: where its payload
 * goes, with the lock held and head in *@headp; NULL with it released.
 */
static void *ring_begin(struct kipc_ring *r, size_t len,
			const struct timespec *abs_timeout, uint64_t *headp)
{
	uint64_t need = ring_rec_bytes(r, len);
	char *at;

	if (need > r->size) {
		errno = EMSGSIZE;
		return NULL;
	}
	if (ring_lock(r, abs_timeout) < 0)
		return NULL;
	if (ring_room(r, need, abs_timeout, headp) < 0)
		return NULL;
	at = r->data + (*headp & (r->size - 1));
	return r->packet ? at + RING_REC : at;
}

/* Publish @len bytes written at @head (steps 3 to 5 of producing). */
static void ring_publish(struct kipc_ring *r, uint64_t head, size_t len)
{
	struct kipc_ring_rec *rec;

	if (r->packet) {
		rec = (struct kipc_ring_rec *)(r->data + (head & (r->size - 1)));
		rec->len = (uint32_t)len;
		rec->pad = 0;
	}
	__atomic_store_n(&r->prod->head, head + ring_rec_bytes(r, len),
			 __ATOMIC_RELEASE);
	ring_unlock(r);
	ring_wake_peer(r, &r->cons->data_waiters, KIPC_RING_DATA);
}

void *kipc_ring_reserve(struct kipc_ring *r, size_t len,
			const struct timespec *abs_timeout)
{
	void *at;

	if (!r->writable || r->reserving || (!len && !r->packet)) {
		errno = EINVAL;
		return NULL;
	}
	at = ring_begin(r, len, abs_timeout, &r->reserved_head);
	if (at) {
		r->reserving = 1;
		r->reserved = len;
	}
	return at;
}

int kipc_ring_commit(struct kipc_ring *r, size_t len)
{
	if (!r->reserving || len > r->reserved) {
		errno = EINVAL;
		return -1;
	}
	r->reserving = 0;
	ring_publish(r, r->reserved_head, len);
	return 0;
}

ssize_t kipc_ring_send(struct kipc_ring *r, const void *buf, size_t len,
		       const struct timespec *abs_timeout)
{
	size_t done = 0, n;
	uint64_t head;
	void *at;

	if (!r->writable || (len && !buf)) {
		errno = EINVAL;
		return -1;
	}
	if (!len && !r->packet)
		return 0;
	/* Packets go whole; bytes go whole if the ring can hold them. */
	do {
		n = len - done;
		if (!r->packet && n > r->size)
			n = r->size;
		at = ring_begin(r, n, abs_timeout, &head);
		if (!at)
			return done ? (ssize_t)done : -1;
		memcpy(at, (const char *)buf + done, n);
		ring_publish(r, head, n);
		done += n;
	} while (done < len);
	return (ssize_t)done;
}

/* --- Consuming --------------------------------------------------------- */

/*
 * Wait until the ring holds something; returns the bytes held (> 0), 0 at
 * end of file, or -1.
 */
static int64_t ring_data(struct kipc_ring *r, uint64_t *tailp,
			 const struct timespec *abs_timeout)
{
	uint64_t tail = __atomic_load_n(&r->cons->tail, __ATOMIC_RELAXED);
	uint64_t head;
	uint32_t flags;

	for (;;) {
		head = __atomic_load_n(&r->prod->head, __ATOMIC_ACQUIRE);
		if (head - tail > r->size) {
			errno = EIO;
			return -1;
		}
		if (head != tail) {
			*tailp = tail;
			return (int64_t)(head - tail);
		}
		flags = __atomic_load_n(&r->cons->flags, __ATOMIC_ACQUIRE);
		if (ring_broken(&r->cons->flags))
			return -1;
		if (flags & KIPC_RING_NO_WRITERS) {
			/* A last record may have come just before the close. */
			if (__atomic_load_n(&r->prod->head,
					    __ATOMIC_ACQUIRE) != tail)
				continue;
			return 0;
		}
		if (ring_spin_u64(&r->prod->head, head) < 0 &&
		    ring_ioc_wait(r, KIPC_RING_DATA, 0, abs_timeout) < 0)
			return -1;
	}
}

const void *kipc_ring_peek(struct kipc_ring *r, size_t *len,
			   const struct timespec *abs_timeout)
{
	const struct kipc_ring_rec *rec;
	uint64_t tail = 0, step;
	int64_t held;
	const char *at;

	if (!r->readable || !len || r->peeked) {
		errno = EINVAL;
		return NULL;
	}
	held = ring_data(r, &tail, abs_timeout);
	if (held <= 0) {
		if (!held)
			*len = 0;
		return NULL;
	}
	at = r->data + (tail & (r->size - 1));
	if (!r->packet) {
		r->peeked = (size_t)held;
		*len = (size_t)held;
		return at;
	}
	rec = (const struct kipc_ring_rec *)at;
	step = ring_rec_bytes(r, rec->len);
	if (step > (uint64_t)held || (tail & (KIPC_RING_ALIGN - 1))) {
		errno = EIO;
		return NULL;
	}
	r->peeked = step;
	*len = rec->len;
	return at + RING_REC;
}

int kipc_ring_release(struct kipc_ring *r, size_t len)
{
	uint64_t tail, step = r->packet ? r->peeked : len;

	if (!r->peeked || step > r->peeked) {
		errno = EINVAL;
		return -1;
	}
	tail = __atomic_load_n(&r->cons->tail, __ATOMIC_RELAXED);
	r->peeked = 0;
	/* A release store, and with the exchange the barrier of step 3. */
	__atomic_exchange_n(&r->cons->tail, tail + step, __ATOMIC_SEQ_CST);
	ring_wake_peer(r, &r->prod->room_waiters, KIPC_RING_ROOM);
	return 0;
}

ssize_t kipc_ring_recv(struct kipc_ring *r, void *buf, size_t len,
		       const struct timespec *abs_timeout)
{
	size_t held = SIZE_MAX;
	const void *at;

	if (len && !buf) {
		errno = EINVAL;
		return -1;
	}
	if (!len)
		return 0;	/* as read(2): nothing asked, nothing taken */
	at = kipc_ring_peek(r, &held, abs_timeout);
	if (!at)
		return held ? -1 : 0;
	if (held > len)
		held = len;	/* packets: the rest is discarded */
	memcpy(buf, at, held);
	if (kipc_ring_release(r, held) < 0)
		return -1;
	return (ssize_t)held;
}
