// SPDX-License-Identifier: GPL-2.0
/*
 * The lock pattern: the article's fourth row, semaphores and mutexes,
 * which move no data but coordinate processes around shared memory.
 *
 * N processes each take the lock, add one to a counter in a shared
 * region and release it, as fast as they can, for the cell's time. The
 * cell reports acquisitions per second, the hand-off latency (from one
 * process's release to another's acquisition, counted only when that
 * other was already waiting: contended hand-offs), CPU and the kernel
 * counters per acquisition, and fails if the counter is not exactly the
 * number of acquisitions (a lost update).
 *
 * Then, once per lock, holder death: a process takes the lock and is
 * killed with SIGKILL while another waits for it. What the waiter gets
 * is measured, not assumed: the time from the kill to its acquisition
 * (and EOWNERDEAD, for the robust mutex), or that it got nothing within
 * DEATH_WAIT_MS, which is what a lock without undo does.
 *
 *   robust-mutex   pthread mutex, process-shared and robust, in the region
 *   posix-sem      a named POSIX semaphore (sem_open), value 1
 *   sysv-sem       a System V semaphore, semop with SEM_UNDO
 *   flock          flock(LOCK_EX) on a file, each process its own open
 *   kipc-sem       a kipc semaphore of max 1, one handle shared
 *   kipc-sem-undo  the same, each process its own handle with KIPC_F_UNDO
 *   benaphore      libkipc's kipc_benaphore in the region, as the
 *                  kipc-shm channel uses: the unit in shared memory, the
 *                  sleepers in a kipc semaphore, so the kernel is entered
 *                  only to sleep or to wake a sleeper
 *
 * The bench opens each lock before the cell's leader forks (as the
 * channels are), so it also removes what outlives processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

#define LOCK_WARMUP		16
#define LOCK_SAMPLES_MAX	100000	/* hand-offs kept per process */
#define DEATH_WAIT_MS		2000

/* The region every process of a lock cell maps. */
struct lock_shared {
	pthread_mutex_t mutex;		/* robust-mutex */
	struct kipc_benaphore bena;	/* benaphore */
	int32_t stop;			/* set by the leader: time is up */
	uint64_t counter;		/* the shared state the lock protects */
	uint64_t release_ns;		/* when the holder let go ... */
	int32_t release_pid;		/* ... and who it was */
	uint32_t nr_samples[BENCH_MAX_PROCS];
	uint64_t done[BENCH_MAX_PROCS];	/* measured acquisitions */
	uint64_t first_ns[BENCH_MAX_PROCS];	/* each worker's measured phase */
	uint64_t last_ns[BENCH_MAX_PROCS];
	uint64_t samples[BENCH_MAX_PROCS][LOCK_SAMPLES_MAX];
};

struct bench_lock {
	const struct lock_kind *kind;
	struct lock_shared *sh;
	sem_t *psem;			/* posix-sem */
	int semid;			/* sysv-sem */
	int fd;				/* flock, kipc-sem*, benaphore */
	char name[64];			/* kipc-sem-undo: the semaphore's name */
};

struct lock_kind {
	struct kipc_chan_info info;
	int (*open)(struct bench_lock *l);
	/* Optional: in each process that takes the lock, its own handle. */
	int (*attach)(struct bench_lock *l);
	/* 0, or EOWNERDEAD (the lock is taken, and made consistent), or -1. */
	int (*acquire)(struct bench_lock *l);
	int (*release)(struct bench_lock *l);
	void (*close)(struct bench_lock *l);
	const char *given_back;		/* how a dead holder's lock came free */
};

/* --- robust-mutex --- */

static int mutex_open(struct bench_lock *l)
{
	pthread_mutexattr_t a;
	int err;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	err = pthread_mutex_init(&l->sh->mutex, &a);
	pthread_mutexattr_destroy(&a);
	errno = err;
	return err ? -1 : 0;
}

static int mutex_acquire(struct bench_lock *l)
{
	int err = pthread_mutex_lock(&l->sh->mutex);

	if (err == EOWNERDEAD) {
		pthread_mutex_consistent(&l->sh->mutex);
		return EOWNERDEAD;
	}
	errno = err;
	return err ? -1 : 0;
}

static int mutex_release(struct bench_lock *l)
{
	errno = pthread_mutex_unlock(&l->sh->mutex);
	return errno ? -1 : 0;
}

static void mutex_close(struct bench_lock *l)
{
	pthread_mutex_destroy(&l->sh->mutex);
}

/* --- posix-sem --- */

static int psem_open(struct bench_lock *l)
{
	snprintf(l->name, sizeof(l->name), "/kipc-bench-lock-%d", getpid());
	l->psem = sem_open(l->name, O_CREAT | O_EXCL, 0600, 1);
	if (l->psem == SEM_FAILED)
		return -1;
	/* Mapped by every process forked from here on; the name can go. */
	sem_unlink(l->name);
	return 0;
}

static int psem_acquire(struct bench_lock *l)
{
	return TEMP_FAILURE_RETRY(sem_wait(l->psem));
}

static int psem_release(struct bench_lock *l)
{
	return sem_post(l->psem);
}

static void psem_close(struct bench_lock *l)
{
	sem_close(l->psem);
}

/* --- sysv-sem --- */

static int sysv_open(struct bench_lock *l)
{
	l->semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (l->semid < 0)
		return -1;
	return semctl(l->semid, 0, SETVAL, 1);
}

static int sysv_op(struct bench_lock *l, short delta)
{
	struct sembuf op = { .sem_num = 0, .sem_op = delta, .sem_flg = SEM_UNDO };

	return TEMP_FAILURE_RETRY(semop(l->semid, &op, 1));
}

static int sysv_acquire(struct bench_lock *l)
{
	return sysv_op(l, -1);
}

static int sysv_release(struct bench_lock *l)
{
	return sysv_op(l, 1);
}

static void sysv_close(struct bench_lock *l)
{
	if (l->semid >= 0)
		semctl(l->semid, 0, IPC_RMID);
}

/* --- flock --- */

static int flock_open(struct bench_lock *l)
{
	char path[] = "/tmp/kipc-bench-lock-XXXXXX";

	l->fd = mkostemp(path, O_CLOEXEC);
	if (l->fd < 0)
		return -1;
	unlink(path);
	return 0;
}

/* flock belongs to the open file description: each process needs its own. */
static int flock_attach(struct bench_lock *l)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", l->fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	close(l->fd);
	l->fd = fd;
	return 0;
}

static int flock_acquire(struct bench_lock *l)
{
	return TEMP_FAILURE_RETRY(flock(l->fd, LOCK_EX));
}

static int flock_release(struct bench_lock *l)
{
	return flock(l->fd, LOCK_UN);
}

static void fd_close(struct bench_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
}

/* --- kipc-sem, kipc-sem-undo --- */

static int ksem_open(struct bench_lock *l)
{
	struct kipc_attr attr = { .value = 1, .max = 1 };

	l->fd = kipc_open(NULL, KIPC_SEM, O_RDWR | O_CLOEXEC, 0, &attr);
	return l->fd < 0 ? -1 : 0;
}

static int ksem_undo_open(struct bench_lock *l)
{
	struct kipc_attr attr = { .value = 1, .max = 1 };

	snprintf(l->name, sizeof(l->name), "kipc-bench-lock-%d", getpid());
	l->fd = kipc_open(l->name, KIPC_SEM, O_RDWR | O_CREAT | O_EXCL |
			  O_CLOEXEC, 0600, &attr);
	return l->fd < 0 ? -1 : 0;
}

/* Undo is per open file description: each process opens its own. */
static int ksem_undo_attach(struct bench_lock *l)
{
	struct kipc_attr attr = { .flags = KIPC_F_UNDO };
	int fd = kipc_open(l->name, KIPC_SEM, O_RDWR | O_CLOEXEC, 0, &attr);

	if (fd < 0)
		return -1;
	close(l->fd);
	l->fd = fd;
	return 0;
}

static int ksem_acquire(struct bench_lock *l)
{
	return TEMP_FAILURE_RETRY(kipc_sem_wait(l->fd));
}

static int ksem_release(struct bench_lock *l)
{
	return kipc_sem_post(l->fd);
}

static void ksem_undo_close(struct bench_lock *l)
{
	fd_close(l);
	kipc_unlink(l->name);
}

/* --- benaphore: the unit in the region, the sleepers in a kipc semaphore --- */

static int bena_open(struct bench_lock *l)
{
	struct kipc_attr attr = { 0 };

	kipc_benaphore_init(&l->sh->bena, 1);
	l->fd = kipc_open(NULL, KIPC_SEM, O_RDWR | O_CLOEXEC, 0, &attr);
	return l->fd < 0 ? -1 : 0;
}

static int bena_acquire(struct bench_lock *l)
{
	return TEMP_FAILURE_RETRY(kipc_benaphore_wait(&l->sh->bena, l->fd));
}

static int bena_release(struct bench_lock *l)
{
	return kipc_benaphore_post(&l->sh->bena, l->fd);
}

static const struct lock_kind kinds[] = {
	{ { "robust-mutex", "semaphore/lock",
	    "pthread mutex, process-shared, robust, in shared memory", 0 },
	  mutex_open, NULL, mutex_acquire, mutex_release, mutex_close,
	  "the next locker got EOWNERDEAD" },
	{ { "posix-sem", "semaphore/lock", "named POSIX semaphore (sem_open)", 0 },
	  psem_open, NULL, psem_acquire, psem_release, psem_close, NULL },
	{ { "sysv-sem", "semaphore/lock", "System V semaphore, SEM_UNDO", 0 },
	  sysv_open, NULL, sysv_acquire, sysv_release, sysv_close,
	  "SEM_UNDO gave the unit back" },
	{ { "flock", "semaphore/lock", "flock(2) on a file, LOCK_EX", 0 },
	  flock_open, flock_attach, flock_acquire, flock_release, fd_close,
	  "released when its file was closed" },
	{ { "kipc-sem", "semaphore/lock", "kipc semaphore, max 1, no undo",
	    KIPC_CHAN_KIPC },
	  ksem_open, NULL, ksem_acquire, ksem_release, fd_close, NULL },
	{ { "kipc-sem-undo", "semaphore/lock",
	    "kipc semaphore, max 1, KIPC_F_UNDO per process", KIPC_CHAN_KIPC },
	  ksem_undo_open, ksem_undo_attach, ksem_acquire, ksem_release,
	  ksem_undo_close, "undo gave the unit back" },
	{ { "benaphore", "semaphore/lock",
	    "shared counter + kipc semaphore (kipc-shm's)", KIPC_CHAN_KIPC },
	  bena_open, NULL, bena_acquire, bena_release, fd_close, NULL },
};

#define NR_KINDS	(sizeof(kinds) / sizeof(*kinds))

const struct kipc_chan_info *bench_lock_at(size_t i)
{
	return i < NR_KINDS ? &kinds[i].info : NULL;
}

const struct kipc_chan_info *bench_lock_info(const char *name)
{
	size_t i;

	for (i = 0; i < NR_KINDS; i++)
		if (!strcmp(kinds[i].info.name, name))
			return &kinds[i].info;
	return NULL;
}

struct bench_lock *bench_lock_open(const struct kipc_chan_info *info)
{
	const struct lock_kind *kind = container_of(info, struct lock_kind, info);
	struct bench_lock *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return NULL;
	l->kind = kind;
	l->fd = l->semid = -1;
	l->sh = mmap(NULL, sizeof(*l->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (l->sh == MAP_FAILED || kind->open(l)) {
		err = errno;
		if (l->sh != MAP_FAILED)
			munmap(l->sh, sizeof(*l->sh));
		free(l);
		errno = err;
		return NULL;
	}
	return l;
}

void bench_lock_close(struct bench_lock *l)
{
	if (!l)
		return;
	l->kind->close(l);
	munmap(l->sh, sizeof(*l->sh));
	free(l);
}

/* --- the cell --- */

static void worker_fail(const char *what)
{
	fprintf(stderr, "kipc bench: lock worker: %s: %s\n", what, strerror(errno));
	_exit(4);
}

uint64_t bench_lock_warmup(unsigned int procs)
{
	return (uint64_t)LOCK_WARMUP * procs;
}

/*
 * One of the cell's processes, number @w: warm up, say so on @ready, wait
 * for go, then run. The leader gives go only when every worker is ready,
 * so no worker's start-up falls into another's measured phase.
 */
static void worker(const struct bench_config *cfg, struct bench_lock *l,
		   unsigned int w, uint64_t quota, int ready, int go)
{
	struct lock_shared *sh = l->sh;
	struct bench_counters bc;
	uint64_t t0, t1, n = 0;
	pid_t me = getpid();
	char byte;
	int i;

	if ((l->kind->attach && l->kind->attach(l)) ||
	    counters_open(&bc, cfg->counters, 0))
		worker_fail("setup");
	for (i = 0; i < LOCK_WARMUP; i++) {
		if (l->kind->acquire(l) < 0)
			worker_fail("acquire");
		sh->counter++;
		sh->release_pid = 0;
		if (l->kind->release(l))
			worker_fail("release");
	}
	if (write(ready, "r", 1) != 1 || read(go, &byte, 1) != 1)
		worker_fail("no go from the leader");
	counters_start(&bc);
	sh->first_ns[w] = bench_now_ns();
	while (quota ? n < quota : !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		t0 = bench_now_ns();
		if (l->kind->acquire(l) < 0)
			worker_fail("acquire");
		t1 = bench_now_ns();
		/* Handed over by another while we were waiting: a sample. */
		if (sh->release_pid && sh->release_pid != me &&
		    sh->release_ns > t0 && sh->nr_samples[w] < LOCK_SAMPLES_MAX)
			sh->samples[w][sh->nr_samples[w]++] = t1 - sh->release_ns;
		sh->counter++;
		n++;
		sh->release_pid = me;
		sh->release_ns = bench_now_ns();
		if (l->kind->release(l))
			worker_fail("release");
	}
	sh->done[w] = n;
	sh->last_ns[w] = bench_now_ns();
	cell_worker_exit(&bc, NULL);
}

/* Sleep @ms in poll(), which no signal of ours restarts wrongly. */
static void nap_ms(int ms)
{
	uint64_t end = bench_now_ns() + ms * 1000000ull, t;

	while ((t = bench_now_ns()) < end)
		poll(NULL, 0, (end - t) / 1000000 + 1);
}

/* The run's figures and samples into @r. */
static void lock_sums(struct bench_result *r, struct lock_shared *sh,
		      unsigned int procs)
{
	uint64_t total = 0, first = UINT64_MAX, last = 0, k = 0;
	unsigned int w;

	/* From the first worker's start to the last one's end. */
	for (w = 0; w < procs; w++) {
		total += sh->done[w];
		k += sh->nr_samples[w];
		if (sh->first_ns[w] < first)
			first = sh->first_ns[w];
		if (sh->last_ns[w] > last)
			last = sh->last_ns[w];
	}
	if (!total || last <= first) {
		cell_set_error(r, "no acquisition was measured (raise --duration)");
		return;
	}
	if (sh->counter != total + (uint64_t)procs * LOCK_WARMUP) {
		char why[128];

		snprintf(why, sizeof(why), "lost update: the counter is %llu "
			 "after %llu acquisitions",
			 (unsigned long long)sh->counter,
			 (unsigned long long)(total + procs * LOCK_WARMUP));
		cell_set_error(r, why);
		return;
	}
	r->iters = total;
	r->measured = total;
	r->busy_ns = last - first;
	r->lat = malloc((k ? k : 1) * sizeof(*r->lat));
	if (!r->lat) {
		cell_set_error(r, "memory");
		return;
	}
	for (w = 0; w < procs; w++) {
		memcpy(r->lat + r->nr_lat, sh->samples[w],
		       sh->nr_samples[w] * sizeof(*r->lat));
		r->nr_lat += sh->nr_samples[w];
	}
}

/*
 * Holder death: a holder takes the lock and says so; a waiter starts to
 * wait; the holder is killed; how long until the waiter has the lock?
 */
static void holder_death(struct bench_lock *l, struct cell_death *d)
{
	int held[2], got[2], status, outcome = -1;
	uint64_t t_kill, t_got = 0;
	pid_t holder, waiter, leader = getpid();
	char byte = 0;
	struct pollfd pfd;

	d->next_ns = NAN;
	if (pipe2(held, O_CLOEXEC) || pipe2(got, O_CLOEXEC)) {
		snprintf(d->what, sizeof(d->what), "not measured: pipe: %s",
			 strerror(errno));
		return;
	}
	holder = fork();
	if (holder == 0) {
		cell_die_with(leader);
		if ((l->kind->attach && l->kind->attach(l)) ||
		    l->kind->acquire(l) < 0 || write(held[1], &byte, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (holder < 0 || read(held[0], &byte, 1) != 1) {
		snprintf(d->what, sizeof(d->what), "not measured: the holder "
			 "did not take the lock");
		goto out;
	}
	waiter = fork();
	if (waiter < 0) {
		snprintf(d->what, sizeof(d->what), "not measured: fork: %s",
			 strerror(errno));
		goto out;
	}
	if (waiter == 0) {
		cell_die_with(leader);
		if ((l->kind->attach && l->kind->attach(l)) ||
		    write(held[1], &byte, 1) != 1)
			_exit(1);
		outcome = l->kind->acquire(l);
		if (outcome < 0)
			outcome = -errno;
		t_got = bench_now_ns();
		if (write(got[1], &outcome, sizeof(outcome)) != sizeof(outcome) ||
		    write(got[1], &t_got, sizeof(t_got)) != sizeof(t_got))
			_exit(1);
		l->kind->release(l);
		_exit(0);
	}
	/* The waiter is about to wait; give it time to block. */
	if (read(held[0], &byte, 1) != 1) {
		snprintf(d->what, sizeof(d->what), "not measured: the waiter "
			 "did not start");
		goto out_waiter;
	}
	nap_ms(50);
	t_kill = bench_now_ns();
	kill(holder, SIGKILL);
	waitpid(holder, &status, 0);
	holder = -1;
	pfd = (struct pollfd){ .fd = got[0], .events = POLLIN };
	if (poll(&pfd, 1, DEATH_WAIT_MS) != 1) {
		snprintf(d->what, sizeof(d->what), "stays taken: no acquisition "
			 "within %d s", DEATH_WAIT_MS / 1000);
	} else if (read(got[0], &outcome, sizeof(outcome)) != sizeof(outcome) ||
		   read(got[0], &t_got, sizeof(t_got)) != sizeof(t_got)) {
		snprintf(d->what, sizeof(d->what), "not measured: the waiter "
			 "died");
	} else if (outcome < 0) {
		snprintf(d->what, sizeof(d->what), "not measured: the waiter's "
			 "acquire failed: %s", strerror(-outcome));
	} else {
		d->next_ns = t_got - t_kill;
		snprintf(d->what, sizeof(d->what), "%s",
			 outcome == EOWNERDEAD ? "the next locker got EOWNERDEAD" :
			 l->kind->given_back ? l->kind->given_back :
			 "came free");
	}
out_waiter:
	kill(waiter, SIGKILL);
	waitpid(waiter, &status, 0);
out:
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, &status, 0);
	}
	close(held[0]);
	close(held[1]);
	close(got[0]);
	close(got[1]);
}

void bench_lock_leader(const struct bench_config *cfg, struct bench_result *r,
		       struct bench_lock *l, bool death, struct cell_death *d)
{
	unsigned int procs = r->producers, w;
	uint64_t quota = cfg->iters ? (cfg->iters + procs - 1) / procs : 0;
	int go[2], ready[2];
	char byte;
	pid_t pid;

	if (procs > BENCH_MAX_PROCS) {
		cell_set_error(r, "too many processes");
		return;
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(ready, O_CLOEXEC)) {
		cell_set_error(r, "pipe");
		return;
	}
	for (w = 0; w < procs; w++) {
		pid = cell_spawn();
		if (pid < 0) {
			cell_set_error(r, "fork");
			break;
		}
		if (pid == 0) {
			close(go[1]);
			close(ready[0]);
			worker(cfg, l, w, quota, ready[1], go[0]);
		}
	}
	close(go[0]);
	close(ready[1]);
	/* Every worker warmed up and waiting; a dead one is end of file. */
	for (w = 0; !r->error && w < procs; w++)
		if (read(ready[0], &byte, 1) != 1)
			cell_set_error(r, "a worker died before it was ready");
	close(ready[0]);
	for (w = 0; !r->error && w < procs; w++)
		if (write(go[1], "g", 1) != 1)
			cell_set_error(r, "go pipe");
	if (!r->error && !quota) {
		nap_ms(cfg->duration / cfg->rounds * 1000);
		__atomic_store_n(&l->sh->stop, 1, __ATOMIC_RELAXED);
	}
	close(go[1]);
	if (r->error)
		cell_kill_workers();
	cell_reap_workers(r, false);
	if (!r->error)
		lock_sums(r, l->sh, procs);
	if (!r->error && death)
		holder_death(l, d);
}
