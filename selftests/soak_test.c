// SPDX-License-Identifier: GPL-2.0
/*
 * Soak: several producer and consumer processes over each kipc type at
 * once, with random record sizes, for a while (8 s a type on the stock
 * kernels, 15 s on the debug kernel; KIPC_SOAK_SECONDS sets it). Every
 * record is checked byte for byte and marked in a shared map: at the end
 * each one sent was received exactly once, and for semaphores the units
 * posted are the units taken plus what is left.
 */
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>

#include "../lib/io_full.h"
#include "stress.h"
#include "kselftest_harness.h"

#define PRODUCERS_MAX	4
#define BATCH		8
#define SLOTS		16

/* Shared by the parent and every producer and consumer of a run. */
struct soak_shared {
	int stop;			/* producers: send no more */
	int producers_done;		/* consumers: all was sent */
	uint32_t sent[PRODUCERS_MAX];	/* records each producer sent */
	uint64_t received;
	uint64_t posted, taken;		/* semaphore units */
	unsigned int bad;
	char why[128];
};

struct soak {
	const char *what;
	unsigned int producers, consumers;
	/* Children: return 0 when done, anything else on an error. */
	int (*produce)(struct soak *s, unsigned int p, unsigned int seed);
	int (*consume)(struct soak *s, unsigned int c, unsigned int seed);
	int fd[3];
	struct soak_shared *sh;
	uint8_t *seen;
	uint8_t *region;		/* the shm run's slots */
};

static void soak_bad(struct soak_shared *sh, const char *why)
{
	if (__atomic_fetch_add(&sh->bad, 1, __ATOMIC_RELAXED) == 0)
		snprintf(sh->why, sizeof(sh->why), "%s", why);
}

static int stopping(struct soak *s)
{
	return __atomic_load_n(&s->sh->stop, __ATOMIC_ACQUIRE);
}

/*
 * Should producer @p send more? Not once told to stop, nor once it has
 * sent what the seen map can mark (a fast host could pass that within
 * the time).
 */
static int producing(struct soak *s, unsigned int p)
{
	return !stopping(s) && s->sh->sent[p] < SEEN_SEQ_MAX - BATCH;
}

static int all_sent(struct soak *s)
{
	return __atomic_load_n(&s->sh->producers_done, __ATOMIC_ACQUIRE);
}

/* A consumer got @n bytes at @r: check them and mark them seen. */
static void soak_take(struct soak *s, const void *r, size_t n)
{
	if (!rec_ok(r, n, s->producers))
		soak_bad(s->sh, "a broken record");
	else if (!seen_mark(s->seen, r))
		soak_bad(s->sh, "a record received twice");
	else
		__atomic_add_fetch(&s->sh->received, 1, __ATOMIC_RELAXED);
}

/*
 * Producer @p's record @ahead after those it sent, of a random length up
 * to @max; it counts as sent once the caller sent it (soak_sent()).
 */
static size_t soak_next(struct soak *s, unsigned int p, unsigned int ahead,
			unsigned int *seed, void *buf, size_t max)
{
	size_t len = rec_len(seed, max);

	rec_fill(buf, (uint16_t)p, s->sh->sent[p] + ahead, len);
	return len;
}

static void soak_sent(struct soak *s, unsigned int p)
{
	__atomic_add_fetch(&s->sh->sent[p], 1, __ATOMIC_RELEASE);
}

/*
 * Run @s for @seconds: consumers first, then producers; stop the
 * producers, tell the consumers, and check that every record arrived
 * once. @after_producers runs in the parent once they are gone (to close
 * a write end, say).
 */
static void soak(struct __test_metadata *_metadata, struct soak *s,
		 unsigned long seconds, void (*after_producers)(struct soak *))
{
	pid_t pids[2 * PRODUCERS_MAX];
	unsigned int i, n = 0, p;
	uint64_t sent = 0;
	uint32_t seq;
	int missing = 0;

	s->sh = shared_zeroed(sizeof(*s->sh));
	ASSERT_NE(NULL, s->sh);
	s->seen = shared_zeroed(seen_size(s->producers));
	ASSERT_NE(NULL, s->seen);
	for (i = 0; i < s->consumers + s->producers; i++) {
		int producer = i >= s->consumers;
		unsigned int seed = (unsigned int)mono_ns() + i;

		pids[n] = fork();
		ASSERT_LE(0, pids[n]);
		if (pids[n] == 0)
			_exit(producer ? s->produce(s, i - s->consumers, seed) :
					 s->consume(s, i, seed));
		n++;
	}
	sleep(seconds);
	__atomic_store_n(&s->sh->stop, 1, __ATOMIC_RELEASE);
	for (i = s->consumers; i < n; i++)
		EXPECT_EQ(0, reap(pids[i])) TH_LOG("%s: producer %u", s->what,
						   i - s->consumers);
	if (after_producers)
		after_producers(s);
	__atomic_store_n(&s->sh->producers_done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < s->consumers; i++)
		EXPECT_EQ(0, reap(pids[i])) TH_LOG("%s: consumer %u", s->what, i);

	EXPECT_EQ(0, s->sh->bad) TH_LOG("%s: %s", s->what, s->sh->why);
	for (p = 0; p < s->producers; p++) {
		sent += s->sh->sent[p];
		for (seq = 0; seq < s->sh->sent[p]; seq++)
			missing += !seen_has(s->seen, p, seq);
	}
	EXPECT_EQ(0, missing) TH_LOG("%s: records sent but never received",
				     s->what);
	EXPECT_EQ(sent, s->sh->received);
	if (sent)
		TH_LOG("%s: %u producers, %u consumers, %lu s: %llu records, "
		       "all received once", s->what, s->producers,
		       s->consumers, seconds, (unsigned long long)sent);
	munmap(s->seen, seen_size(s->producers));
}

FIXTURE(soak) {
	struct soak s;
	unsigned long seconds;
};

FIXTURE_SETUP(soak)
{
	self->seconds = env_or("KIPC_SOAK_SECONDS", on_debug_kernel() ? 15 : 8);
	self->s.fd[0] = self->s.fd[1] = self->s.fd[2] = -1;
}

FIXTURE_TEARDOWN(soak)
{
	int i;

	for (i = 0; i < 3; i++)
		if (self->s.fd[i] >= 0)
			close(self->s.fd[i]);
	if (self->s.sh) {
		EXPECT_EQ(0, self->s.sh->bad);
		munmap(self->s.sh, sizeof(*self->s.sh));
	}
}

/* --- Queues: single and batch calls, random priorities --------------- */

#define MQ_MSGSIZE	1024

static int mq_produce(struct soak *s, unsigned int p, unsigned int seed)
{
	uint8_t bufs[BATCH][MQ_MSGSIZE];
	struct kipc_mq_msg msgs[BATCH];
	int i, n, sent;

	while (producing(s, p)) {
		n = 1 + rand_r(&seed) % BATCH;
		for (i = 0; i < n; i++) {
			msgs[i].len = soak_next(s, p, i, &seed, bufs[i],
						MQ_MSGSIZE);
			msgs[i].buf = bufs[i];
			msgs[i].prio = rand_r(&seed) % 4;
		}
		if (n == 1) {
			if (kipc_mq_send(s->fd[0], bufs[0], msgs[0].len,
					 msgs[0].prio))
				return 1;
			soak_sent(s, p);
			continue;
		}
		sent = kipc_mq_send_batch(s->fd[0], msgs, n, NULL);
		if (sent < 1)
			return 1;
		/* What a batch did not send is made again, same numbers. */
		for (i = 0; i < sent; i++)
			soak_sent(s, p);
	}
	return 0;
}

static int mq_consume(struct soak *s, unsigned int c, unsigned int seed)
{
	uint8_t bufs[BATCH][MQ_MSGSIZE];
	struct kipc_mq_msg msgs[BATCH];
	struct timespec ts;
	int i, n, done;

	(void)c;
	for (;;) {
		done = all_sent(s);
		ts = mono_in_ms(50);
		if (rand_r(&seed) % 2) {
			for (i = 0; i < BATCH; i++) {
				msgs[i].buf = bufs[i];
				msgs[i].len = MQ_MSGSIZE;
			}
			n = kipc_mq_receive_batch(s->fd[0], msgs, BATCH, &ts);
			for (i = 0; i < n; i++)
				soak_take(s, bufs[i], msgs[i].len);
		} else {
			n = (int)kipc_mq_timedreceive(s->fd[0], bufs[0],
						      MQ_MSGSIZE, NULL, &ts);
			if (n >= 0)
				soak_take(s, bufs[0], (size_t)n);
		}
		if (n < 0 && errno != ETIMEDOUT)
			return 1;
		if (n < 0 && done)
			return 0;
	}
}

TEST_F_TIMEOUT(soak, queues_deliver_every_record_once, 600)
{
	struct kipc_attr attr = { .maxmsg = 16, .msgsize = MQ_MSGSIZE };

	self->s = (struct soak){ .what = "message queue", .producers = 4,
				 .consumers = 3, .produce = mq_produce,
				 .consume = mq_consume, .fd = { -1, -1, -1 } };
	self->s.fd[0] = kipc_open(NULL, KIPC_MQ, O_RDWR, 0600, &attr);
	ASSERT_LE(0, self->s.fd[0]);
	soak(_metadata, &self->s, self->seconds, NULL);
}

/* --- Pipes: packet and byte mode, and the mapped ring ---------------- */

static int pipe_produce(struct soak *s, unsigned int p, unsigned int seed)
{
	uint8_t buf[REC_MAX];
	size_t len;

	close(s->fd[0]);
	while (producing(s, p)) {
		len = soak_next(s, p, 0, &seed, buf, sizeof(buf));
		if (write(s->fd[1], buf, len) != (ssize_t)len)
			return 1;
		soak_sent(s, p);
	}
	return 0;
}

/* Packets: one record per read(2); end of file when the writers are gone. */
static int packet_consume(struct soak *s, unsigned int c, unsigned int seed)
{
	uint8_t buf[REC_MAX];
	ssize_t n;

	(void)c;
	(void)seed;
	close(s->fd[1]);
	while ((n = read(s->fd[0], buf, sizeof(buf))) > 0)
		soak_take(s, buf, (size_t)n);
	return n < 0;
}

/* Bytes: the one reader finds each record's length in its header. */
static int byte_consume(struct soak *s, unsigned int c, unsigned int seed)
{
	uint8_t buf[REC_MAX];
	struct rec *r = (struct rec *)buf;
	ssize_t n;

	(void)c;
	(void)seed;
	close(s->fd[1]);
	while ((n = read_full(s->fd[0], buf, sizeof(*r))) ==
	       (ssize_t)sizeof(*r)) {
		if (r->len < sizeof(*r) || r->len > sizeof(buf) ||
		    read_full(s->fd[0], r->data, r->len - sizeof(*r)) !=
		    (ssize_t)(r->len - sizeof(*r))) {
			soak_bad(s->sh, "a torn record in the byte stream");
			return 1;
		}
		soak_take(s, buf, r->len);
	}
	return n != 0;	/* an error, or a header torn at the end */
}

static void close_write_end(struct soak *s)
{
	close(s->fd[1]);
	s->fd[1] = -1;
}

static void pipe_soak(struct __test_metadata *_metadata,
		      FIXTURE_DATA(soak) *self, const char *what, int flags,
		      unsigned int consumers,
		      int (*consume)(struct soak *, unsigned int, unsigned int))
{
	int fds[2];

	self->s = (struct soak){ .what = what, .producers = 3,
				 .consumers = consumers,
				 .produce = pipe_produce, .consume = consume,
				 .fd = { -1, -1, -1 } };
	ASSERT_EQ(0, kipc_pipe(fds, 16384, flags));
	self->s.fd[0] = fds[0];
	self->s.fd[1] = fds[1];
	soak(_metadata, &self->s, self->seconds, close_write_end);
}

TEST_F_TIMEOUT(soak, packet_pipes_deliver_every_record_once, 600)
{
	pipe_soak(_metadata, self, "packet pipe", O_DIRECT, 3, packet_consume);
}

TEST_F_TIMEOUT(soak, byte_pipes_keep_small_writes_whole, 600)
{
	pipe_soak(_metadata, self, "byte pipe", 0, 1, byte_consume);
}

static int ring_produce(struct soak *s, unsigned int p, unsigned int seed)
{
	struct kipc_ring *r;
	uint8_t buf[REC_MAX];
	size_t len;

	close(s->fd[0]);
	r = kipc_ring_map(s->fd[1]);
	if (!r)
		return 1;
	while (producing(s, p)) {
		len = soak_next(s, p, 0, &seed, buf, sizeof(buf));
		if (kipc_ring_send(r, buf, len, NULL) != (ssize_t)len)
			return 1;
		soak_sent(s, p);
	}
	kipc_ring_unmap(r);
	return 0;
}

static int ring_consume(struct soak *s, unsigned int c, unsigned int seed)
{
	struct kipc_ring *r;
	uint8_t buf[REC_MAX];
	ssize_t n;

	(void)c;
	(void)seed;
	close(s->fd[1]);
	r = kipc_ring_map(s->fd[0]);
	if (!r)
		return 1;
	while ((n = kipc_ring_recv(r, buf, sizeof(buf), NULL)) > 0)
		soak_take(s, buf, (size_t)n);
	kipc_ring_unmap(r);
	return n < 0;
}

TEST_F_TIMEOUT(soak, mapped_rings_deliver_every_record_once, 600)
{
	int fds[2];

	self->s = (struct soak){ .what = "mapped ring", .producers = 3,
				 .consumers = 1, .produce = ring_produce,
				 .consume = ring_consume,
				 .fd = { -1, -1, -1 } };
	ASSERT_EQ(0, kipc_ring_pipe(fds, 16384, O_DIRECT));
	self->s.fd[0] = fds[0];
	self->s.fd[1] = fds[1];
	soak(_metadata, &self->s, self->seconds, close_write_end);
}

/* --- Semaphores: units posted are units taken plus what is left ------ */

static int sem_produce(struct soak *s, unsigned int p, unsigned int seed)
{
	unsigned int n;

	(void)p;
	while (!stopping(s)) {
		n = 1 + rand_r(&seed) % 4;
		if (kipc_sem_post_n(s->fd[0], n))
			return 1;
		__atomic_add_fetch(&s->sh->posted, n, __ATOMIC_RELAXED);
		if (rand_r(&seed) % 8 == 0)
			usleep(100);
	}
	return 0;
}

static int sem_consume(struct soak *s, unsigned int c, unsigned int seed)
{
	struct timespec ts;
	int done;

	(void)c;
	for (;;) {
		done = all_sent(s);
		ts = mono_in_ms(50);
		if (rand_r(&seed) % 2 ? kipc_sem_timedwait(s->fd[0], &ts) :
					kipc_sem_trywait(s->fd[0])) {
			if (errno != ETIMEDOUT && errno != EAGAIN)
				return 1;
			if (done && errno == ETIMEDOUT)
				return 0;
			continue;
		}
		__atomic_add_fetch(&s->sh->taken, 1, __ATOMIC_RELAXED);
	}
}

TEST_F_TIMEOUT(soak, semaphores_lose_and_make_no_unit, 600)
{
	unsigned int left;

	self->s = (struct soak){ .what = "semaphore", .producers = 3,
				 .consumers = 3, .produce = sem_produce,
				 .consume = sem_consume,
				 .fd = { -1, -1, -1 } };
	self->s.fd[0] = kipc_open(NULL, KIPC_SEM, O_RDWR, 0600, NULL);
	ASSERT_LE(0, self->s.fd[0]);
	soak(_metadata, &self->s, self->seconds, NULL);
	ASSERT_EQ(0, kipc_sem_getvalue(self->s.fd[0], &left));
	EXPECT_EQ(0, left);
	EXPECT_EQ(self->s.sh->posted, self->s.sh->taken + left);
	TH_LOG("semaphore: 3 producers, 3 consumers, %lu s: %llu units "
	       "posted and taken", self->seconds,
	       (unsigned long long)self->s.sh->posted);
}

/*
 * --- Regions: slots in a shared region, counted by two semaphores -----
 *
 * The region starts with two counters; producers claim the next slot
 * with an atomic add on one, consumers on the other. "free" and "full"
 * semaphores count the slots. A slot's state is its lap and whether its
 * record is written (2 * lap + 1) or read (2 * lap + 2, the next lap's
 * empty), stored with release and loaded with acquire, so that the
 * producer of lap L + 1 waits for the reader of lap L, not only for a
 * zero (Vyukov's bounded queue uses such sequence numbers).
 */
struct slot {
	uint32_t state;
	uint32_t pad;
	uint8_t rec[REC_MAX];
};

#define SLOT_OFF	64

/* Claim the next slot of @counter; *@lap is the lap it is claimed for. */
static struct slot *slot_at(struct soak *s, uint32_t *counter,
			    uint32_t *lap)
{
	uint32_t i = __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);

	*lap = i / SLOTS;
	return (struct slot *)(s->region + SLOT_OFF) + i % SLOTS;
}

static void slot_wait(struct slot *sl, uint32_t state)
{
	while (__atomic_load_n(&sl->state, __ATOMIC_ACQUIRE) != state)
		sched_yield();
}

static int shm_produce(struct soak *s, unsigned int p, unsigned int seed)
{
	uint32_t *head = (uint32_t *)s->region, lap;
	struct slot *sl;

	while (producing(s, p)) {
		if (kipc_sem_wait(s->fd[1]))
			return 1;
		sl = slot_at(s, head, &lap);
		slot_wait(sl, 2 * lap);
		soak_next(s, p, 0, &seed, sl->rec, sizeof(sl->rec));
		__atomic_store_n(&sl->state, 2 * lap + 1, __ATOMIC_RELEASE);
		soak_sent(s, p);
		if (kipc_sem_post(s->fd[2]))
			return 1;
	}
	return 0;
}

static int shm_consume(struct soak *s, unsigned int c, unsigned int seed)
{
	uint32_t *tail = (uint32_t *)s->region + 1, lap;
	struct timespec ts;
	struct slot *sl;
	size_t len;
	int done;

	(void)c;
	(void)seed;
	for (;;) {
		done = all_sent(s);
		ts = mono_in_ms(50);
		if (kipc_sem_timedwait(s->fd[2], &ts)) {
			if (errno != ETIMEDOUT)
				return 1;
			if (done)
				return 0;
			continue;
		}
		sl = slot_at(s, tail, &lap);
		slot_wait(sl, 2 * lap + 1);
		len = ((struct rec *)sl->rec)->len;
		if (len > sizeof(sl->rec))
			soak_bad(s->sh, "a slot's record has no length");
		else
			soak_take(s, sl->rec, len);
		__atomic_store_n(&sl->state, 2 * lap + 2, __ATOMIC_RELEASE);
		if (kipc_sem_post(s->fd[1]))
			return 1;
	}
}

TEST_F_TIMEOUT(soak, region_slots_deliver_every_record_once, 600)
{
	size_t ps = page_size();
	struct kipc_attr attr = {
		.size = (SLOT_OFF + SLOTS * sizeof(struct slot) + ps - 1) /
			ps * ps,
	};
	size_t size;

	self->s = (struct soak){ .what = "region slots", .producers = 3,
				 .consumers = 2, .produce = shm_produce,
				 .consume = shm_consume,
				 .fd = { -1, -1, -1 } };
	self->s.fd[0] = kipc_open(NULL, KIPC_SHM, O_RDWR, 0600, &attr);
	ASSERT_LE(0, self->s.fd[0]);
	self->s.fd[1] = kipc_open(NULL, KIPC_SEM, O_RDWR, 0600,
				  &(struct kipc_attr){ .value = SLOTS });
	ASSERT_LE(0, self->s.fd[1]);
	self->s.fd[2] = kipc_open(NULL, KIPC_SEM, O_RDWR, 0600, NULL);
	ASSERT_LE(0, self->s.fd[2]);
	self->s.region = kipc_shm_map(self->s.fd[0], &size);
	ASSERT_NE(MAP_FAILED, self->s.region);
	soak(_metadata, &self->s, self->seconds, NULL);
	munmap(self->s.region, size);
}

TEST_HARNESS_MAIN
