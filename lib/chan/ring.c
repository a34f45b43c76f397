// SPDX-License-Identifier: MIT
/*
 * Shared-memory rings: opts.depth slots of max_msg bytes in memory both
 * processes map, with three counting semaphores, as in the textbook
 * bounded buffer: FREE counts empty slots, USED full ones, and LOCK keeps
 * two senders from claiming the same slot. Senders and the receiver sleep
 * in the semaphores; nothing spins.
 *
 *   shm       POSIX shared memory (shm_open) and POSIX semaphores
 *             (sem_t in the shared page, pshared)
 *   kipc-shm  a kipc region and three benaphores (kipc.h): the units
 *             in the shared page, the sleepers in kipc semaphores, so
 *             that, as with a futex, the kernel is entered only to sleep
 *             or to wake a sleeper
 *
 * A message is copied in by the sender and out by the receiver, as a pipe
 * copies it; the slot's length word says how much of the slot is used.
 * Only the receiver moves the tail and only the LOCK holder the head.
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chan.h"

enum { RING_FREE, RING_USED, RING_LOCK, RING_NR_SEMS };

#define RING_ALIGN	64

struct ring_hdr {
	uint32_t nslots;
	uint32_t stride;		/* bytes per slot, length word included */
	uint32_t head;			/* next slot to fill; LOCK holder only */
	uint32_t tail;			/* next slot to drain; receiver only */
	sem_t sems[RING_NR_SEMS];	/* shm only */
	struct kipc_benaphore bena[RING_NR_SEMS];	/* kipc-shm only */
} __attribute__((aligned(RING_ALIGN)));

struct ring {
	struct ring_hdr *hdr;
	size_t map_size;
	int locked;			/* senders take LOCK (opts.senders > 1) */
	int kipc_sems[RING_NR_SEMS];	/* kipc-shm only */
	int (*wait)(struct ring *r, int sem);
	int (*post)(struct ring *r, int sem);
};

static char *ring_slot(struct ring *r, uint32_t idx)
{
	return (char *)r->hdr + sizeof(*r->hdr) + (size_t)idx * r->hdr->stride;
}

/*
 * The slot after @idx. Indexes stay below nslots: free-running counters
 * taken modulo a depth that is not a power of two would jump back at 2^32
 * and land on slots still full.
 */
static uint32_t ring_next(struct ring *r, uint32_t idx)
{
	return idx + 1 < r->hdr->nslots ? idx + 1 : 0;
}

static size_t ring_bytes(struct kipc_chan *c, uint32_t *stride)
{
	size_t s = sizeof(uint64_t) + c->max_msg;

	s = (s + RING_ALIGN - 1) & ~(size_t)(RING_ALIGN - 1);
	*stride = (uint32_t)s;
	return sizeof(struct ring_hdr) + c->opts.depth * s;
}

/* The channel's ring state, with the shared header laid out at @mem. */
static struct ring *ring_init(struct kipc_chan *c, void *mem, size_t size,
			      uint32_t stride)
{
	struct ring *r = c->priv;

	r->hdr = mem;
	r->map_size = size;
	r->locked = c->opts.senders > 1;
	r->hdr->nslots = c->opts.depth;
	r->hdr->stride = stride;
	return r;
}

static int ring_send(struct kipc_chan *c, const void *msg, size_t len,
		     unsigned int prio)
{
	struct ring *r = c->priv;
	char *slot;

	(void)prio;
	if (r->wait(r, RING_FREE))
		return -1;
	if (r->locked && r->wait(r, RING_LOCK)) {
		r->post(r, RING_FREE);
		return -1;
	}
	slot = ring_slot(r, r->hdr->head);
	*(uint64_t *)slot = len;
	memcpy(slot + sizeof(uint64_t), msg, len);
	r->hdr->head = ring_next(r, r->hdr->head);
	/* Posting USED under LOCK keeps the count in step with the head. */
	r->post(r, RING_USED);
	if (r->locked)
		r->post(r, RING_LOCK);
	return 0;
}

static ssize_t ring_recv(struct kipc_chan *c, void *buf, size_t len,
			 unsigned int *prio)
{
	struct ring *r = c->priv;
	uint64_t n;
	char *slot;

	(void)len;
	(void)prio;
	if (r->wait(r, RING_USED))
		return -1;
	slot = ring_slot(r, r->hdr->tail);
	n = *(uint64_t *)slot;
	if (n > c->max_msg) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(buf, slot + sizeof(uint64_t), n);
	r->hdr->tail = ring_next(r, r->hdr->tail);
	r->post(r, RING_FREE);
	return n;
}

static int ring_alloc(struct kipc_chan *c)
{
	struct ring *r = calloc(1, sizeof(*r));
	int i;

	if (!r)
		return -1;
	for (i = 0; i < RING_NR_SEMS; i++)
		r->kipc_sems[i] = -1;
	c->priv = r;
	return 0;
}

static void ring_close(struct kipc_chan *c, int owner)
{
	struct ring *r = c->priv;
	int i;

	(void)owner;
	if (!r)
		return;
	if (r->hdr)
		munmap(r->hdr, r->map_size);
	for (i = 0; i < RING_NR_SEMS; i++)
		if (r->kipc_sems[i] >= 0)
			close(r->kipc_sems[i]);
	free(r);
}

/* --- shm: POSIX shared memory and POSIX semaphores --- */

static int posix_sem_wait(struct ring *r, int sem)
{
	return TEMP_FAILURE_RETRY(sem_wait(&r->hdr->sems[sem]));
}

static int posix_sem_post(struct ring *r, int sem)
{
	return sem_post(&r->hdr->sems[sem]);
}

static size_t shm_limit(void)
{
	return CHAN_STREAM_MAX;
}

static int shm_open_ring(struct kipc_chan *c)
{
	static unsigned int seq;
	struct ring *r;
	uint32_t stride;
	size_t size = ring_bytes(c, &stride);
	char name[64];
	void *mem;
	int fd, err;

	if (ring_alloc(c))
		return -1;
	snprintf(name, sizeof(name), "/kipc-chan-%d-%u", (int)getpid(),
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	shm_unlink(name);
	mem = MAP_FAILED;
	if (ftruncate(fd, size) == 0)
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	if (mem == MAP_FAILED) {
		errno = err;
		return -1;
	}
	r = ring_init(c, mem, size, stride);
	r->wait = posix_sem_wait;
	r->post = posix_sem_post;
	if (sem_init(&r->hdr->sems[RING_FREE], 1, c->opts.depth) ||
	    sem_init(&r->hdr->sems[RING_USED], 1, 0) ||
	    sem_init(&r->hdr->sems[RING_LOCK], 1, 1))
		return -1;
	return 0;
}

/* --- kipc-shm: a kipc region and kipc semaphores --- */

static int kipcshm_wait(struct ring *r, int sem)
{
	return TEMP_FAILURE_RETRY(kipc_benaphore_wait(&r->hdr->bena[sem],
						      r->kipc_sems[sem]));
}

static int kipcshm_post(struct ring *r, int sem)
{
	return kipc_benaphore_post(&r->hdr->bena[sem], r->kipc_sems[sem]);
}

static size_t kipcshm_limit(void)
{
	return CHAN_STREAM_MAX;
}

static int kipcshm_open(struct kipc_chan *c)
{
	struct kipc_attr attr = { 0 };
	struct ring *r;
	uint32_t stride;
	size_t size = ring_bytes(c, &stride);
	long page = sysconf(_SC_PAGESIZE);
	void *mem;
	int fd, i, err;

	if (chan_kipc_ready() || ring_alloc(c))
		return -1;
	r = c->priv;
	/* The kernel's side holds only sleepers: it starts at 0. */
	for (i = 0; i < RING_NR_SEMS; i++) {
		r->kipc_sems[i] = kipc_open(NULL, KIPC_SEM, O_RDWR | O_CLOEXEC,
					    0600, &attr);
		if (r->kipc_sems[i] < 0)
			return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = (size + page - 1) & ~(size_t)(page - 1);
	fd = kipc_open(NULL, KIPC_SHM, O_RDWR | O_CLOEXEC, 0600, &attr);
	if (fd < 0)
		return -1;
	mem = kipc_shm_map(fd, &size);
	err = errno;
	close(fd);		/* the mapping holds the region */
	if (mem == MAP_FAILED) {
		errno = err;
		return -1;
	}
	r = ring_init(c, mem, size, stride);
	r->wait = kipcshm_wait;
	r->post = kipcshm_post;
	kipc_benaphore_init(&r->hdr->bena[RING_FREE], c->opts.depth);
	kipc_benaphore_init(&r->hdr->bena[RING_USED], 0);
	kipc_benaphore_init(&r->hdr->bena[RING_LOCK], 1);
	return 0;
}

const struct chan_mech chan_shm = {
	.info = { "shm", "shared memory",
		  "POSIX shm ring, POSIX semaphores (futex)", KIPC_CHAN_MULTI },
	.limit = shm_limit,
	.open = shm_open_ring,
	.send = ring_send,
	.recv = ring_recv,
	.close = ring_close,
};

const struct chan_mech chan_kipc_shm = {
	.info = { "kipc-shm", "shared memory",
		  "kipc region ring, kipc semaphores (benaphore)",
		  KIPC_CHAN_MULTI | KIPC_CHAN_KIPC },
	.limit = kipcshm_limit,
	.open = kipcshm_open,
	.send = ring_send,
	.recv = ring_recv,
	.close = ring_close,
};
