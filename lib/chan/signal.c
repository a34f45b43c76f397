// SPDX-License-Identifier: MIT
/*
 * Signals: each message is one queued real-time signal, sent as sigqueue(3)
 * sends it (rt_sigqueueinfo(2), si_code SI_QUEUE). The payload rides in
 * the 8-byte sigval and the length in si_errno, which the kernel passes on
 * untouched. A channel owns one real-time signal: instances of one signal
 * queue in order, while pending signals of different numbers are taken
 * lowest first, which would reorder messages of different lengths. The
 * receiver blocks it and takes it with sigwaitinfo(2), so nothing runs in a
 * handler.
 *
 * Signals are sent to a process, and the receiver is known only after
 * fork: the receiver publishes its pid in a shared page and posts READY,
 * which senders wait for. Real-time signals queue up to RLIMIT_SIGPENDING
 * per user; CREDITS (opts.depth) keeps senders below it, so a full channel
 * blocks the sender instead of failing with EAGAIN.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "chan.h"

#define SIG_PAYLOAD	sizeof(union sigval)

struct sig_shared {
	pid_t receiver;
	sem_t ready;
	sem_t credits;
};

struct sig_chan {
	struct sig_shared *sh;
	int base;
	sigset_t set;			/* base */
	sigset_t saved;			/* the receiver's mask before attach */
};

/* Real-time signals taken by the open channels of this process. */
static uint64_t sigs_taken;		/* bit n: SIGRTMIN + n; sigs_lock */
static pthread_mutex_t sigs_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t sig_bit(int sig)
{
	return 1ull << (sig - SIGRTMIN);
}

/* The lowest free real-time signal, or EBUSY. */
static int sig_take(void)
{
	int sig, found = -1;

	pthread_mutex_lock(&sigs_lock);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++) {
		if (!(sigs_taken & sig_bit(sig))) {
			sigs_taken |= sig_bit(sig);
			found = sig;
			break;
		}
	}
	pthread_mutex_unlock(&sigs_lock);
	if (found < 0)
		errno = EBUSY;
	return found;
}

static void sig_give_back(int base)
{
	pthread_mutex_lock(&sigs_lock);
	sigs_taken &= ~sig_bit(base);
	pthread_mutex_unlock(&sigs_lock);
}

static size_t sig_limit(void)
{
	return SIG_PAYLOAD;
}

/*
 * Credits: opts.depth, but at most half of RLIMIT_SIGPENDING, which every
 * process of the user shares; if others use the rest, a send can still
 * fail with EAGAIN.
 */
static unsigned int sig_credits(unsigned int depth)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_SIGPENDING, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return depth;
	if (depth > rl.rlim_cur / 2)
		depth = rl.rlim_cur / 2;
	return depth ? depth : 1;
}

static int sig_open(struct kipc_chan *c)
{
	struct sig_chan *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	s->base = -1;
	c->priv = s;
	s->sh = mmap(NULL, sizeof(*s->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->sh == MAP_FAILED) {
		s->sh = NULL;
		return -1;
	}
	s->base = sig_take();
	if (s->base < 0)
		return -1;
	sigemptyset(&s->set);
	sigaddset(&s->set, s->base);
	if (sem_init(&s->sh->ready, 1, 0) ||
	    sem_init(&s->sh->credits, 1, sig_credits(c->opts.depth)))
		return -1;
	return 0;
}

static int sem_wait_intr(sem_t *sem)
{
	return TEMP_FAILURE_RETRY(sem_wait(sem));
}

static int sig_attach(struct kipc_chan *c, int role)
{
	struct sig_chan *s = c->priv;

	if (role == KIPC_CHAN_RECEIVER) {
		/* Blocked before anyone may send: never a default action. */
		if (pthread_sigmask(SIG_BLOCK, &s->set, &s->saved))
			return -1;
		s->sh->receiver = getpid();
		return sem_post(&s->sh->ready);
	}
	/* Pass the gate and leave it open for the next sender. */
	if (sem_wait_intr(&s->sh->ready))
		return -1;
	return sem_post(&s->sh->ready);
}

/* sigqueue(3), with the length in si_errno. */
static int sig_queue(pid_t pid, int sig, union sigval val, size_t len)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_errno = (int)len;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	info.si_value = val;
	return syscall(SYS_rt_sigqueueinfo, pid, sig, &info) ? -1 : 0;
}

static int sig_send(struct kipc_chan *c, const void *msg, size_t len,
		    unsigned int prio)
{
	struct sig_chan *s = c->priv;
	union sigval val = { 0 };

	(void)prio;
	if (c->role != KIPC_CHAN_SENDER) {
		errno = EINVAL;		/* the receiver's pid is not known */
		return -1;
	}
	memcpy(&val, msg, len);
	if (sem_wait_intr(&s->sh->credits))
		return -1;
	if (sig_queue(s->sh->receiver, s->base, val, len)) {
		if (errno == ESRCH)
			errno = EPIPE;
		sem_post(&s->sh->credits);
		return -1;
	}
	return 0;
}

static ssize_t sig_recv(struct kipc_chan *c, void *buf, size_t len,
			unsigned int *prio)
{
	struct sig_chan *s = c->priv;
	siginfo_t info;
	size_t n;
	int sig;

	(void)len;
	(void)prio;
	if (c->role != KIPC_CHAN_RECEIVER) {
		errno = EINVAL;		/* the signals are not blocked here */
		return -1;
	}
	sig = TEMP_FAILURE_RETRY(sigwaitinfo(&s->set, &info));
	if (sig < 0)
		return -1;
	if (info.si_code != SI_QUEUE || info.si_errno < 0 ||
	    (size_t)info.si_errno > c->max_msg) {
		errno = EBADMSG;	/* not from a sender of this channel */
		return -1;		/* and it took no credit */
	}
	n = info.si_errno;
	memcpy(buf, &info.si_value, n);
	sem_post(&s->sh->credits);
	return n;
}

/*
 * A real-time signal's default action kills: drain what is queued and
 * ignore the signal before unblocking it, so that a message a sender
 * still sends after the close is dropped. A later channel that takes the
 * same signal blocks it again, and blocked signals are queued whatever
 * their disposition.
 */
static void sig_close(struct kipc_chan *c, int owner)
{
	struct sig_chan *s = c->priv;
	const struct timespec zero = { 0 };

	(void)owner;
	if (!s)
		return;
	if (c->role == KIPC_CHAN_RECEIVER) {
		while (sigtimedwait(&s->set, NULL, &zero) > 0)
			;
		signal(s->base, SIG_IGN);
		pthread_sigmask(SIG_SETMASK, &s->saved, NULL);
	}
	if (s->base >= 0)
		sig_give_back(s->base);
	if (s->sh)
		munmap(s->sh, sizeof(*s->sh));
	free(s);
}

const struct chan_mech chan_signal = {
	.info = { "signal", "signal",
		  "sigqueue: 8-byte sigval, length in si_errno",
		  KIPC_CHAN_MULTI },
	.limit = sig_limit,
	.open = sig_open,
	.attach = sig_attach,
	.send = sig_send,
	.recv = sig_recv,
	.close = sig_close,
};
