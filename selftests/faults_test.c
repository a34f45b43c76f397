// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection (debug kernel): slab and page allocations fail at
 * random in one process (failslab and fail_page_alloc, scoped to it by
 * make-it-fail) while it works every kipc type, and each call either
 * does what it says or fails cleanly with ENOMEM and changes nothing: a
 * model of every object says what must be there, and is compared with
 * what is (a semaphore's value, a queue's and a packet pipe's records in
 * order, a region's bytes and size, a named object's existence, the
 * namespace's object list). No message or unit is lost or duplicated.
 * The VM runner checks the log and kmemleak afterwards. Prints how many
 * faults were injected. KIPC_FAULT_SECONDS sets the time (30 s).
 *
 * The stock kernels have no fault injection: the test is a skip there.
 */
#include <sched.h>
#include <sys/mman.h>

#include "stress.h"
#include "kselftest_harness.h"

#define MQ_DEPTH	8
#define MQ_MSGSIZE	256
#define PIPE_CAP	8192
#define SHM_PAGES	8
#define PERCENT		"10"

static const char *const injectors[] = { "failslab", "fail_page_alloc" };

/* What the child tells the parent. */
struct report {
	uint64_t calls, refused;	/* refused: ENOMEM (or ENOBUFS) */
	char why[256];			/* the first broken promise */
};

/* The objects and what they must hold. */
struct model {
	struct report *rep;
	unsigned int seed;
	int sem, mq, pipe[2], shm;
	unsigned int sem_value;
	uint32_t mq_seq[MQ_DEPTH], mq_head, mq_len, mq_next;
	uint32_t pipe_seq[PIPE_CAP / 16], pipe_head, pipe_len, pipe_next;
	uint8_t shadow[SHM_PAGES * 4096];
	size_t shm_size;
	int objects;			/* in this namespace */
	int draining;			/* take, never give */
	char name[32];
	int named;			/* whether @name exists */
};

#define BROKEN(m, ...) do {						\
	snprintf((m)->rep->why, sizeof((m)->rep->why), __VA_ARGS__);	\
	return -1;							\
} while (0)

/* A failed call may only have been refused for memory; count it. */
static int refused(struct model *m, const char *call)
{
	if (errno != ENOMEM && errno != ENOBUFS)
		BROKEN(m, "%s failed with %s", call, strerror(errno));
	m->rep->refused++;
	return 0;
}

static int sem_step(struct model *m)
{
	unsigned int v;

	if (rand_r(&m->seed) % 2) {
		if (kipc_sem_post(m->sem) == 0)
			m->sem_value++;
		else if (refused(m, "sem post"))
			return -1;
	} else if (kipc_sem_trywait(m->sem) == 0) {
		if (!m->sem_value)
			BROKEN(m, "sem trywait took a unit that was not there");
		m->sem_value--;
	} else if (errno == EAGAIN) {
		if (m->sem_value)
			BROKEN(m, "sem trywait found no unit of %u", m->sem_value);
	} else if (refused(m, "sem trywait")) {
		return -1;
	}
	if (kipc_sem_getvalue(m->sem, &v) == 0 && v != m->sem_value)
		BROKEN(m, "sem value %u, want %u", v, m->sem_value);
	return 0;
}

/* Records of one producer (0), numbered; the model holds their numbers. */
static int mq_step(struct model *m)
{
	uint8_t buf[MQ_MSGSIZE];
	struct rec *r = (struct rec *)buf;
	struct kipc_mq_attr a;
	ssize_t n;

	if (!m->draining && rand_r(&m->seed) % 2) {
		size_t len = rec_len(&m->seed, sizeof(buf));

		rec_fill(r, 0, m->mq_next, len);
		if (kipc_mq_send(m->mq, buf, len, 0) == 0) {
			if (m->mq_len == MQ_DEPTH)
				BROKEN(m, "mq send went past a full queue");
			m->mq_seq[(m->mq_head + m->mq_len++) % MQ_DEPTH] =
				m->mq_next++;
		} else if (errno == EAGAIN) {
			if (m->mq_len < MQ_DEPTH)
				BROKEN(m, "mq send found %u of %u full",
				       m->mq_len, MQ_DEPTH);
		} else if (refused(m, "mq send")) {
			return -1;
		}
	} else if ((n = kipc_mq_receive(m->mq, buf, sizeof(buf), NULL)) >= 0) {
		if (!m->mq_len || !rec_ok(r, (size_t)n, 1) ||
		    r->seq != m->mq_seq[m->mq_head])
			BROKEN(m, "mq receive got record %u, want %u of %u",
			       r->seq, m->mq_seq[m->mq_head], m->mq_len);
		m->mq_head = (m->mq_head + 1) % MQ_DEPTH;
		m->mq_len--;
	} else if (errno == EAGAIN) {
		if (m->mq_len)
			BROKEN(m, "mq receive found none of %u", m->mq_len);
	} else if (refused(m, "mq receive")) {
		return -1;
	}
	if (kipc_mq_getattr(m->mq, &a) == 0 && a.curmsgs != m->mq_len)
		BROKEN(m, "mq holds %ld, want %u", a.curmsgs, m->mq_len);
	return 0;
}

/* A packet pipe: one record per write, taken whole by each read. */
static int pipe_step(struct model *m)
{
	uint8_t buf[REC_MAX];
	struct rec *r = (struct rec *)buf;
	size_t most = sizeof(m->pipe_seq) / sizeof(m->pipe_seq[0]);
	ssize_t n;

	if (!m->draining && rand_r(&m->seed) % 2) {
		size_t len = rec_len(&m->seed, 512);

		rec_fill(r, 0, m->pipe_next, len);
		n = write(m->pipe[1], buf, len);
		if (n == (ssize_t)len) {
			if (m->pipe_len == most)
				BROKEN(m, "pipe model overflow");
			m->pipe_seq[(m->pipe_head + m->pipe_len++) % most] =
				m->pipe_next++;
		} else if (n >= 0) {
			BROKEN(m, "pipe write of %zu wrote %zd", len, n);
		} else if (errno == EAGAIN) {
			if (!m->pipe_len)
				BROKEN(m, "pipe write found an empty pipe full");
		} else if (refused(m, "pipe write")) {
			return -1;
		}
	} else if ((n = read(m->pipe[0], buf, sizeof(buf))) >= 0) {
		if (!m->pipe_len || !rec_ok(r, (size_t)n, 1) ||
		    r->seq != m->pipe_seq[m->pipe_head])
			BROKEN(m, "pipe read got record %u, want %u of %u",
			       r->seq, m->pipe_seq[m->pipe_head], m->pipe_len);
		m->pipe_head = (m->pipe_head + 1) % most;
		m->pipe_len--;
	} else if (errno == EAGAIN) {
		if (m->pipe_len)
			BROKEN(m, "pipe read found none of %u", m->pipe_len);
	} else if (refused(m, "pipe read")) {
		return -1;
	}
	return 0;
}

/* A region: pwrite within a page, resize, and compare it all. */
static int shm_step(struct model *m)
{
	static uint8_t now[SHM_PAGES * 4096], src[4096];
	size_t ps = page_size(), at, len;
	struct kipc_shm_info info;
	ssize_t n;

	switch (m->draining ? 2 : rand_r(&m->seed) % 3) {
	case 0:
		at = rand_r(&m->seed) % m->shm_size;
		len = 1 + rand_r(&m->seed) % (ps - at % ps);
		memset(src, rand_r(&m->seed), ps);
		n = pwrite(m->shm, src, len, at);
		if (n > 0)
			memcpy(m->shadow + at, src, (size_t)n);
		else if (n == 0)
			BROKEN(m, "region pwrite of %zu wrote nothing", len);
		else if (refused(m, "region pwrite"))
			return -1;
		break;
	case 1:
		len = ps * (1 + rand_r(&m->seed) % (SHM_PAGES - 1));
		if (kipc_shm_resize(m->shm, len) == 0) {
			if (len > m->shm_size)
				memset(m->shadow + m->shm_size, 0,
				       len - m->shm_size);
			m->shm_size = len;
		} else if (refused(m, "region resize")) {
			return -1;
		}
		break;
	default:
		if (kipc_shm_info(m->shm, &info) == 0 &&
		    info.size != m->shm_size)
			BROKEN(m, "region is %llu bytes, want %zu",
			       (unsigned long long)info.size, m->shm_size);
		n = pread(m->shm, now, m->shm_size, 0);
		if (n == (ssize_t)m->shm_size &&
		    memcmp(now, m->shadow, m->shm_size))
			BROKEN(m, "region bytes differ from what was written");
		if (n >= 0 && n != (ssize_t)m->shm_size)
			BROKEN(m, "region read %zd of %zu", n, m->shm_size);
		if (n < 0 && refused(m, "region pread"))
			return -1;
	}
	return 0;
}

/*
 * A named semaphore made and removed: a refused creation leaves no name,
 * a made one is there. Opening to look may itself be refused: retried.
 */
static int exists(struct model *m)
{
	int i, fd;

	for (i = 0; i < 1000; i++) {
		fd = kipc_open(m->name, KIPC_SEM, O_RDWR, 0, NULL);
		if (fd >= 0) {
			close(fd);
			return 1;
		}
		if (errno == ENOENT)
			return 0;
		if (refused(m, "looking up a name"))
			return -1;
	}
	BROKEN(m, "a name could not be looked up 1000 times");
}

static int name_step(struct model *m)
{
	int fd, there;

	if (!m->named) {
		fd = kipc_open(m->name, KIPC_SEM, O_RDWR | O_CREAT | O_EXCL,
			       0600, NULL);
		if (fd >= 0) {
			close(fd);
			m->named = 1;
			m->objects++;
		} else if (refused(m, "creating a name")) {
			return -1;
		}
	} else if (kipc_unlink(m->name) == 0) {
		m->named = 0;
		m->objects--;
	} else if (refused(m, "unlinking a name")) {
		return -1;
	}
	there = exists(m);
	if (there < 0)
		return -1;
	if (there != m->named)
		BROKEN(m, "the name is %s, want %s", there ? "there" : "gone",
		       m->named ? "there" : "gone");
	return 0;
}

/* The namespace's objects, over netlink (which may be refused too). */
static int list_step(struct model *m)
{
	int n = ns_objects();

	if (n < 0)
		return 0;	/* libnl's own errors mean nothing here */
	if (n != m->objects)
		BROKEN(m, "netlink lists %d objects, want %d", n, m->objects);
	return 0;
}

static int model_open(struct model *m)
{
	struct kipc_attr q = { .maxmsg = MQ_DEPTH, .msgsize = MQ_MSGSIZE };
	struct kipc_attr r = { .size = SHM_PAGES * page_size() };

	if (page_size() != 4096)
		return -1;
	m->sem = kipc_open(NULL, KIPC_SEM, O_RDWR, 0600, NULL);
	m->mq = kipc_open(NULL, KIPC_MQ, O_RDWR | O_NONBLOCK, 0600, &q);
	m->shm = kipc_open(NULL, KIPC_SHM, O_RDWR, 0600, &r);
	if (m->sem < 0 || m->mq < 0 || m->shm < 0 ||
	    kipc_pipe(m->pipe, PIPE_CAP, O_DIRECT | O_NONBLOCK))
		return -1;
	m->shm_size = r.size;
	m->objects = 4;
	snprintf(m->name, sizeof(m->name), "faults-%d", (int)getpid());
	return 0;
}

/*
 * The child: its own network namespace, memory locked (so that a user
 * copy never takes a page fault that an injected failure would turn
 * into EFAULT), then make-it-fail and random steps for @seconds.
 */
static int faulty_child(struct report *rep, unsigned int seed,
			unsigned long seconds)
{
	static int (*const steps[])(struct model *) = {
		sem_step, mq_step, pipe_step, shm_step, name_step, list_step,
	};
	static struct model m;
	uint64_t end;

	m.rep = rep;
	m.seed = seed;
	if (unshare(CLONE_NEWNET) || mlockall(MCL_CURRENT | MCL_FUTURE) ||
	    model_open(&m)) {
		snprintf(rep->why, sizeof(rep->why), "setup: %s", strerror(errno));
		return 1;
	}
	if (write_file("/proc/self/make-it-fail", "1")) {
		snprintf(rep->why, sizeof(rep->why), "make-it-fail: %s",
			 strerror(errno));
		return 1;
	}
	end = mono_ns() + seconds * 1000000000ull;
	while (mono_ns() < end) {
		rep->calls++;
		if (steps[rand_r(&m.seed) % (sizeof(steps) / sizeof(steps[0]))](&m))
			return 1;
	}
	write_file("/proc/self/make-it-fail", "0");
	/* Without faults, all that is there is what the model says. */
	m.draining = 1;
	while (m.mq_len)
		if (mq_step(&m))
			return 1;
	while (m.pipe_len)
		if (pipe_step(&m))
			return 1;
	if (mq_step(&m) || pipe_step(&m) || shm_step(&m) || list_step(&m))
		return 1;
	return 0;
}

FIXTURE(faults) {
	int unused;
};

FIXTURE_SETUP(faults)
{
}

FIXTURE_TEARDOWN(faults)
{
}

TEST_F_TIMEOUT(faults, every_call_succeeds_or_changes_nothing, 600)
{
	unsigned long seconds = env_or("KIPC_FAULT_SECONDS", 30);
	unsigned int seed = (unsigned int)env_or("KIPC_FAULT_SEED",
						 (unsigned long)(mono_ns() | 1));
	struct report *rep;
	struct kipc_limits before, after;
	long injected[2];
	size_t i;
	pid_t pid;
	int status;

	if (!on_debug_kernel())
		SKIP(return, "no fault injection in debugfs (the debug kernel has it)");
	rep = shared_zeroed(sizeof(*rep));
	ASSERT_NE(NULL, rep);
	ASSERT_EQ(0, kipc_limits(&before));
	ASSERT_EQ(2, fault_arm(injectors, 2, PERCENT));
	TH_LOG("seed %u (KIPC_FAULT_SEED), %lu s, %s%% of allocations fail",
	       seed, seconds, PERCENT);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(faulty_child(rep, seed, seconds));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	for (i = 0; i < 2; i++)
		injected[i] = fault_injected(injectors[i]);
	fault_arm(injectors, 2, "0");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("%s (status %#x)", rep->why, status);
	for (i = 0; i < 2; i++)
		TH_LOG("%s: %ld faults injected", injectors[i], injected[i]);
	TH_LOG("%llu calls, %llu refused with ENOMEM, none broke a promise",
	       (unsigned long long)rep->calls, (unsigned long long)rep->refused);
	EXPECT_LT(0, injected[0]);
	EXPECT_LT(0, rep->refused);

	/* The child's namespace, and its objects, go away asynchronously. */
	for (i = 0; i < 600; i++) {
		ASSERT_EQ(0, kipc_limits(&after));
		if (after.objects == before.objects)
			break;
		usleep(100000);
	}
	EXPECT_EQ(before.objects, after.objects);
	EXPECT_EQ(before.user_bytes, after.user_bytes);
	munmap(rep, sizeof(*rep));
}

TEST_HARNESS_MAIN
