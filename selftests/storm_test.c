// SPDX-License-Identifier: GPL-2.0
/*
 * Kill storms: children loop in every blocking call kipc has (semaphore
 * wait, queue send and receive, pipe read and write in byte and packet
 * mode, FIFO open, first touch of a region's page) while the parent
 * SIGKILLs one of them at a random moment, again and again, and forks a
 * new one in its place. Afterwards every semaphore holds exactly what undo
 * promises, queues and pipes hold only whole records, no task is still
 * counted as blocked, and no object or descriptor is left over. The VM
 * runner then checks the kernel log, kmemleak and that rmmod succeeds.
 *
 * KIPC_STORM_KILLS sets the kills per storm and KIPC_STORM_SEED the seed
 * (printed, so that a failure can be replayed).
 */
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>

#include "stress.h"
#include "kselftest_harness.h"

#define WORKERS		6	/* children alive at once */
#define MQ_MSGSIZE	512
#define PIPE_CAP	8192
#define SHM_PAGES	64

/* What a storm's children share with the parent. */
struct storm_shared {
	unsigned int next_producer;	/* a number for each new child */
	unsigned int bad;		/* records found broken by a child */
	char why[128];			/* the first broken one */
};

struct storm_run {
	const char *what;
	int fd;				/* object the workers use */
	int fd2;			/* second end, if any */
	const char *name;		/* for workers that open by name */
	/* Runs in a fresh child until killed; returns only on error. */
	int (*worker)(struct storm_run *s, int idx, unsigned int seed);
	struct storm_shared *sh;
};

static void storm_bad(struct storm_shared *sh, const char *why)
{
	if (__atomic_fetch_add(&sh->bad, 1, __ATOMIC_RELAXED) == 0)
		snprintf(sh->why, sizeof(sh->why), "%s", why);
}

/*
 * Fork @s->worker @WORKERS times, then @kills times: sleep a random 0..2
 * ms, SIGKILL a random child and fork another. A child that ended by
 * itself failed (it returns only on error). Returns the kills made, or -1.
 */
static long storm(struct __test_metadata *_metadata, struct storm_run *s,
		  unsigned int seed, unsigned long kills)
{
	pid_t pids[WORKERS];
	unsigned long k;
	int i, status;

	for (i = 0; i < WORKERS; i++)
		pids[i] = -1;
	for (k = 0; k <= kills; k++) {
		for (i = 0; i < WORKERS; i++) {
			unsigned int child_seed = rand_r(&seed);

			if (pids[i] > 0)
				continue;
			pids[i] = fork();
			if (pids[i] == 0)
				_exit(s->worker(s, i, child_seed) ? 2 : 3);
			if (pids[i] < 0) {
				TH_LOG("%s: fork: %s", s->what, strerror(errno));
				kills = k;
				break;
			}
		}
		if (k == kills)
			break;
		usleep(rand_r(&seed) % 2000);
		i = rand_r(&seed) % WORKERS;
		kill(pids[i], SIGKILL);
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			TH_LOG("%s: a worker ended by itself (status %#x)",
			       s->what, status);
			storm_bad(s->sh, "a worker ended by itself");
		}
		pids[i] = -1;
	}
	for (i = 0; i < WORKERS; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
	return (long)k;
}

static int count_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

FIXTURE(storm) {
	struct storm_run s;
	unsigned int seed;
	unsigned long kills;
	int objects, fds;
	char name[64];
};

FIXTURE_SETUP(storm)
{
	self->seed = (unsigned int)env_or("KIPC_STORM_SEED",
					  (unsigned long)(mono_ns() | 1));
	self->kills = env_or("KIPC_STORM_KILLS", on_debug_kernel() ? 400 : 1000);
	self->s.sh = shared_zeroed(sizeof(*self->s.sh));
	ASSERT_NE(NULL, self->s.sh);
	self->s.fd = self->s.fd2 = -1;
	/* The library's /dev/kipc descriptor is opened before counting. */
	ASSERT_EQ(0, kipc_version(NULL, NULL));
	self->objects = ns_objects();
	ASSERT_LE(0, self->objects);
	self->fds = count_fds();
	uniq_name(self->name, sizeof(self->name), "storm");
	self->s.name = self->name;
	TH_LOG("seed %u (KIPC_STORM_SEED replays it), %lu kills",
	       self->seed, self->kills);
}

FIXTURE_TEARDOWN(storm)
{
	if (self->s.fd >= 0)
		close(self->s.fd);
	if (self->s.fd2 >= 0)
		close(self->s.fd2);
	kipc_unlink(self->name);
	EXPECT_EQ(0, self->s.sh->bad) TH_LOG("%s: %s", self->s.what,
					     self->s.sh->why);
	EXPECT_EQ(self->objects, ns_objects())
		TH_LOG("%s: objects left behind", self->s.what);
	EXPECT_EQ(self->fds, count_fds());
	munmap(self->s.sh, sizeof(*self->s.sh));
}

/* Run the storm and check that every kill was made. */
#define STORM() do {							\
	long made = storm(_metadata, &self->s, self->seed, self->kills); \
	ASSERT_EQ((long)self->kills, made);				\
	TH_LOG("%s: %ld kills", self->s.what, made);			\
} while (0)

/* --- Semaphores ---------------------------------------------------------- */

/*
 * Take and give back through a handle of its own opened with KIPC_F_UNDO:
 * killed while waiting, holding or posting, the unit comes back.
 */
static int sem_undo_worker(struct storm_run *s, int idx, unsigned int seed)
{
	struct kipc_attr attr = { .flags = KIPC_F_UNDO };
	int fd = kipc_open(s->name, KIPC_SEM, O_RDWR, 0, &attr);
	struct timespec ts;

	(void)idx;
	if (fd < 0)
		return -1;
	for (;;) {
		if (rand_r(&seed) % 2) {
			if (kipc_sem_wait(fd))
				return -1;
		} else {
			ts = mono_in_ms(1 + rand_r(&seed) % 3);
			if (kipc_sem_timedwait(fd, &ts)) {
				if (errno != ETIMEDOUT)
					return -1;
				continue;
			}
		}
		if (rand_r(&seed) % 4 == 0)
			usleep(rand_r(&seed) % 500);
		if (kipc_sem_post(fd))
			return -1;
	}
}

TEST_F_TIMEOUT(storm, semaphore_units_come_back_by_undo, 600)
{
	struct kipc_stat st;
	unsigned int v;

	self->s.what = "semaphore with undo";
	self->s.worker = sem_undo_worker;
	self->s.fd = kipc_open(self->name, KIPC_SEM, O_RDWR | O_CREAT | O_EXCL,
			       0600, &(struct kipc_attr){ .value = 2 });
	ASSERT_LE(0, self->s.fd);
	STORM();
	ASSERT_EQ(0, kipc_sem_getvalue(self->s.fd, &v));
	EXPECT_EQ(2, v);
	ASSERT_EQ(0, kipc_stat(self->s.fd, &st));
	EXPECT_EQ(0, st.blocked_in + st.blocked_out);
	EXPECT_EQ(1, st.handles);
}

/* --- Queues -------------------------------------------------------------- */

/* Even workers send records, odd ones receive and check them. */
static int mq_worker(struct storm_run *s, int idx, unsigned int seed)
{
	uint8_t buf[MQ_MSGSIZE];
	struct rec *r = (struct rec *)buf;
	unsigned int producer;
	struct timespec ts;
	uint32_t seq = 0;
	ssize_t n;

	producer = __atomic_fetch_add(&s->sh->next_producer, 1,
				      __ATOMIC_RELAXED) % UINT16_MAX;
	for (;;) {
		ts = mono_in_ms(1 + rand_r(&seed) % 3);
		if (idx % 2 == 0) {
			size_t len = rec_len(&seed, sizeof(buf));

			rec_fill(r, (uint16_t)producer, seq++, len);
			n = rand_r(&seed) % 2 ?
			    kipc_mq_send(s->fd, buf, len, rand_r(&seed) % 8) :
			    kipc_mq_timedsend(s->fd, buf, len, 3, &ts);
		} else {
			n = rand_r(&seed) % 2 ?
			    kipc_mq_receive(s->fd, buf, sizeof(buf), NULL) :
			    kipc_mq_timedreceive(s->fd, buf, sizeof(buf),
						 NULL, &ts);
			if (n >= 0 && !rec_ok(r, (size_t)n, UINT16_MAX))
				storm_bad(s->sh, "a broken message received");
		}
		if (n < 0 && errno != ETIMEDOUT)
			return -1;
	}
}

TEST_F_TIMEOUT(storm, queues_hold_only_whole_messages, 600)
{
	struct kipc_attr attr = { .maxmsg = 4, .msgsize = MQ_MSGSIZE };
	uint8_t buf[MQ_MSGSIZE];
	struct kipc_mq_attr qa;
	struct kipc_stat st;
	ssize_t n;
	int left = 0;

	self->s.what = "message queue";
	self->s.worker = mq_worker;
	self->s.fd = kipc_open(NULL, KIPC_MQ, O_RDWR, 0600, &attr);
	ASSERT_LE(0, self->s.fd);
	STORM();
	while ((n = kipc_mq_timedreceive(self->s.fd, buf, sizeof(buf), NULL,
					 &(struct timespec){ 0, 0 })) >= 0) {
		EXPECT_TRUE(rec_ok((struct rec *)buf, (size_t)n, UINT16_MAX));
		left++;
	}
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_GE(4, left);
	ASSERT_EQ(0, kipc_mq_getattr(self->s.fd, &qa));
	EXPECT_EQ(0, qa.curmsgs);
	ASSERT_EQ(0, kipc_stat(self->s.fd, &st));
	EXPECT_EQ(0, st.blocked_in + st.blocked_out);
	/* Still a queue that works. */
	EXPECT_EQ(0, kipc_mq_send(self->s.fd, "ok", 2, 1));
	EXPECT_EQ(2, kipc_mq_receive(self->s.fd, buf, sizeof(buf), NULL));
}

/* --- Pipes --------------------------------------------------------------- */

/*
 * Packet mode: even workers write one record per write(2), odd ones read
 * one per read(2) and check it. A killed reader loses whole records only.
 */
static int packet_worker(struct storm_run *s, int idx, unsigned int seed)
{
	uint8_t buf[REC_MAX];
	struct rec *r = (struct rec *)buf;
	unsigned int producer;
	uint32_t seq = 0;
	ssize_t n;

	producer = __atomic_fetch_add(&s->sh->next_producer, 1,
				      __ATOMIC_RELAXED) % UINT16_MAX;
	for (;;) {
		if (idx % 2 == 0) {
			size_t len = rec_len(&seed, sizeof(buf));

			rec_fill(r, (uint16_t)producer, seq++, len);
			n = write(s->fd2, buf, len);
			if (n != (ssize_t)len)
				return -1;
		} else {
			n = read(s->fd, buf, sizeof(buf));
			if (n <= 0)
				return -1;
			if (!rec_ok(r, (size_t)n, UINT16_MAX))
				storm_bad(s->sh, "a broken packet read");
		}
	}
}

/* Read what is left, record by record, as packets or as a byte stream. */
static int drain_records(int fd, int packets, int *count)
{
	uint8_t buf[REC_MAX];
	struct rec *r = (struct rec *)buf;
	ssize_t n;

	*count = 0;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		if (packets) {
			n = read(fd, buf, sizeof(buf));
		} else {
			n = read(fd, buf, sizeof(*r));
			if (n == (ssize_t)sizeof(*r) && r->len > sizeof(*r) &&
			    r->len <= sizeof(buf))
				n += read(fd, buf + n, r->len - n);
		}
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (!rec_ok(r, (size_t)n, UINT16_MAX))
			return -1;
		++*count;
	}
}

static void check_pipe_after(struct __test_metadata *_metadata,
			     FIXTURE_DATA(storm) *self, int packets)
{
	struct kipc_stat st;
	int left;

	ASSERT_EQ(0, kipc_stat(self->s.fd, &st));
	EXPECT_EQ(0, st.blocked_in + st.blocked_out);
	EXPECT_EQ(0, drain_records(self->s.fd, packets, &left));
	ASSERT_EQ(0, kipc_stat(self->s.fd, &st));
	EXPECT_EQ(0, st.fill);
	TH_LOG("%s: %d whole records left", self->s.what, left);
	/* Still a pipe that works. */
	EXPECT_EQ(2, write(self->s.fd2, "ok", 2));
	EXPECT_EQ(2, read(self->s.fd, (char[4]){ 0 }, 4));
}

TEST_F_TIMEOUT(storm, packet_pipes_hold_only_whole_packets, 600)
{
	int fds[2];

	self->s.what = "packet pipe";
	self->s.worker = packet_worker;
	ASSERT_EQ(0, kipc_pipe(fds, PIPE_CAP, O_DIRECT));
	self->s.fd = fds[0];
	self->s.fd2 = fds[1];
	STORM();
	check_pipe_after(_metadata, self, 1);
}

/*
 * Byte mode: every worker writes records of at most PIPE_BUF, which a
 * write(2) puts in whole or not at all, killed or not. Nobody reads
 * during a storm, so the writers soon sleep on the full pipe and are
 * killed there too; the parent drains the pipe between storms, record by
 * record, which would lose its place at the first torn write.
 */
static int byte_worker(struct storm_run *s, int idx, unsigned int seed)
{
	uint8_t buf[REC_MAX];
	struct rec *r = (struct rec *)buf;
	unsigned int producer;
	uint32_t seq = 0;

	(void)idx;
	producer = __atomic_fetch_add(&s->sh->next_producer, 1,
				      __ATOMIC_RELAXED) % UINT16_MAX;
	for (;;) {
		size_t len = rec_len(&seed, sizeof(buf));

		rec_fill(r, (uint16_t)producer, seq++, len);
		if (write(s->fd2, buf, len) != (ssize_t)len)
			return -1;
	}
}

TEST_F_TIMEOUT(storm, byte_pipes_hold_only_whole_small_writes, 600)
{
	int fds[2], rounds, count;

	self->s.what = "byte pipe";
	self->s.worker = byte_worker;
	ASSERT_EQ(0, kipc_pipe(fds, PIPE_CAP, 0));
	self->s.fd = fds[0];
	self->s.fd2 = fds[1];
	/* A storm per fill: drain between them so the writers get going. */
	self->kills /= 4;
	for (rounds = 0; rounds < 4; rounds++) {
		STORM();
		ASSERT_EQ(0, drain_records(self->s.fd, 0, &count));
		fcntl(self->s.fd, F_SETFL, 0);
	}
	check_pipe_after(_metadata, self, 0);
}

/*
 * FIFO opens: each worker opens the named pipe for reading or writing,
 * which waits for the other side, then closes it; killed while waiting
 * or while open, it must leave no reader or writer counted.
 */
static int fifo_worker(struct storm_run *s, int idx, unsigned int seed)
{
	int fd;

	(void)idx;
	for (;;) {
		int acc = rand_r(&seed) % 2 ? O_RDONLY : O_WRONLY;

		fd = kipc_open(s->name, KIPC_PIPE, acc, 0, NULL);
		if (fd < 0)
			return -1;
		if (rand_r(&seed) % 4 == 0)
			usleep(rand_r(&seed) % 300);
		close(fd);
	}
}

TEST_F_TIMEOUT(storm, fifo_opens_leave_no_peer_counted, 600)
{
	struct kipc_stat st;
	int fd;

	self->s.what = "FIFO open";
	self->s.worker = fifo_worker;
	/* A named pipe outlives its handles; an O_RDWR one would pair any open. */
	fd = kipc_open(self->name, KIPC_PIPE, O_RDWR | O_CREAT | O_EXCL, 0600,
		       NULL);
	ASSERT_LE(0, fd);
	close(fd);
	STORM();
	/* No reader is left: a non-blocking writer is refused. */
	EXPECT_EQ(-1, kipc_open(self->name, KIPC_PIPE, O_WRONLY | O_NONBLOCK,
				0, NULL));
	EXPECT_EQ(ENXIO, errno);
	self->s.fd = kipc_open(self->name, KIPC_PIPE, O_RDONLY | O_NONBLOCK, 0,
			       NULL);
	ASSERT_LE(0, self->s.fd);
	ASSERT_EQ(0, kipc_stat(self->s.fd, &st));
	EXPECT_EQ(1, st.handles);
	EXPECT_EQ(0, st.blocked_in + st.blocked_out);
	self->s.fd2 = kipc_open(self->name, KIPC_PIPE, O_WRONLY | O_NONBLOCK,
				0, NULL);
	ASSERT_LE(0, self->s.fd2);
	EXPECT_EQ(2, write(self->s.fd2, "ok", 2));
	EXPECT_EQ(2, read(self->s.fd, (char[4]){ 0 }, 4));
}

/* --- Regions ------------------------------------------------------------- */

static uint8_t page_mark(size_t page)
{
	return (uint8_t)(page % 251 + 1);
}

/*
 * Map the region and fill random pages with their mark, first touches
 * among them (the region starts empty), then unmap; killed anywhere.
 */
static int shm_worker(struct storm_run *s, int idx, unsigned int seed)
{
	size_t size, ps = page_size(), page;
	uint8_t *p;
	int i;

	(void)idx;
	for (;;) {
		p = kipc_shm_map(s->fd, &size);
		if (p == MAP_FAILED)
			return -1;
		for (i = 0; i < 8; i++) {
			page = rand_r(&seed) % (size / ps);
			memset(p + page * ps, page_mark(page), ps);
		}
		munmap(p, size);
	}
}

TEST_F_TIMEOUT(storm, region_pages_survive_their_writers, 600)
{
	struct kipc_attr attr = { .size = SHM_PAGES * page_size() };
	struct kipc_shm_info info;
	size_t size, i, ps = page_size();
	uint8_t *p;

	self->s.what = "region first touch";
	self->s.worker = shm_worker;
	self->s.fd = kipc_open(NULL, KIPC_SHM, O_RDWR, 0600, &attr);
	ASSERT_LE(0, self->s.fd);
	STORM();
	ASSERT_EQ(0, kipc_shm_info(self->s.fd, &info));
	EXPECT_EQ(0, info.mappings);
	EXPECT_GE(SHM_PAGES * ps, info.resident);
	p = kipc_shm_map(self->s.fd, &size);
	ASSERT_NE(MAP_FAILED, p);
	/* A page holds its mark where a writer got to, zeros after. */
	for (i = 0; i < size; i++) {
		uint8_t want = page_mark(i / ps);

		if (p[i] && p[i] != want) {
			EXPECT_EQ(want, p[i]) TH_LOG("byte %zu", i);
			break;
		}
	}
	munmap(p, size);
}

TEST_HARNESS_MAIN
