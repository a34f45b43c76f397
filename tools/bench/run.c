// SPDX-License-Identifier: GPL-2.0
/*
 * One benchmark cell: a mechanism, a pattern and a message size.
 *
 * The bench opens the cell's channels, as any program using them would
 * before fork(), and forks the cell's leader into a process group of its
 * own. The leader plays the parent's part below and forks the other side;
 * when the cell is done it sends the bench a report (the sums and every
 * round-trip time) over a pipe. A cell that does not report in time, or
 * reports nothing, is ended by killing its process group; the bench is
 * the group's subreaper, so it reaps every process of it, and then closes
 * the channels (removing what outlives processes), so nothing leaks and
 * no blocked call is ever interrupted from a signal handler.
 *
 * Every cell has a warm-up (its messages are checked but not timed) whose
 * speed picks how many messages fill --duration; the leader then tells
 * the children that count over a control pipe, so each side knows exactly
 * how many messages to move and nobody polls for "stop".
 *
 *   pingpong  the leader sends a request and waits for the reply of the
 *             same size, which the child checks and echoes; every round
 *             trip is timed on its own (CLOCK_MONOTONIC). The RPC systems
 *             do it as their users do, a call and its answer on one
 *             channel; the others send the reply on a second channel
 *   stream    producers send as fast as the channel takes it; the leader
 *             receives, checks and counts; the rate is messages over the
 *             time from the go signal to the last message
 *   prio      stream with a random priority per message (queues only)
 *
 * Each process counts its own measured phase (counters.c): from the
 * first measured message to the last, warm-up and setup excluded. The
 * children hand their counts to the leader over a pipe as they exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MIN_ITERS	8
#define MAX_ITERS	1000000u
#define MAX_PRODUCERS	64
/* Exit codes of the children. */
#define CHILD_BAD_DATA	3
#define CHILD_CHAN_ERR	4

/* The leader's own state: its children and where they send their counts. */
static pid_t children[MAX_PRODUCERS];
static unsigned int nr_children;
static int counts_pipe[2] = { -1, -1 };
static int report_fd = -1;		/* the leader's pipe to the bench */

/* What a cell's leader tells the bench, followed by nr_lat round trips. */
struct cell_report {
	char error[160];		/* empty if the cell went well */
	uint64_t iters, measured, nr_lat;
	double busy_ns;
	double p50_ns;			/* of this round's round trips */
	struct bench_counts counts;	/* every process added */
	bool has_death;			/* lock: holder death was measured */
	struct cell_death death;
};

/*
 * A cell that runs this long has stopped: a side hung, or died where the
 * mechanism cannot tell the other (queues, rings, signals). Generous, as
 * TCG can take 20 ms for one 1 MiB message.
 */
static unsigned int cell_timeout_s(const struct bench_config *cfg)
{
	const char *env = getenv("KIPC_BENCH_CELL_TIMEOUT");

	if (env && atoi(env) > 0)	/* for the tests of the timeout */
		return atoi(env);
	return 120 + (unsigned int)(50 * cfg->duration / cfg->rounds) +
	       (unsigned int)(cfg->iters / 50);
}

/*
 * Fault injection for the tests: KIPC_BENCH_HANG=MECH makes the pingpong
 * child of MECH stop answering once the measured phase begins, as a
 * process stuck in a page fault or a debugger would.
 */
static void maybe_hang(struct kipc_chan *c)
{
	const char *env = getenv("KIPC_BENCH_HANG");

	if (env && !strcmp(env, kipc_chan_mech(c)->name))
		for (;;)
			pause();
}

static uint64_t warmup_count(size_t size)
{
	if (size >= 256 * 1024)
		return 4;
	if (size >= 16 * 1024)
		return 16;
	return 64;
}

/* Messages that fill the configured time, judged from the warm-up. */
static uint64_t measured_count(const struct bench_config *cfg,
			       uint64_t warm_ns, uint64_t warm_msgs)
{
	double per_msg, n;

	if (cfg->iters)
		return cfg->iters;
	per_msg = warm_msgs ? (double)warm_ns / warm_msgs : 1e6;
	if (per_msg < 1)
		per_msg = 1;
	n = cfg->duration / cfg->rounds * 1e9 / per_msg;
	if (n < MIN_ITERS)
		return MIN_ITERS;
	return n > MAX_ITERS ? MAX_ITERS : (uint64_t)n;
}

static void child_fail(const char *what, int code)
{
	fprintf(stderr, "kipc bench: child: %s\n", what);
	_exit(code);
}

static void child_chan_fail(const char *what)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "%s: %s", what, strerror(errno));
	child_fail(buf, CHILD_CHAN_ERR);
}

/* The number of messages of phase @phase: the warm-up, then what we are told. */
static uint64_t phase_count(int phase, uint64_t warm, int ctl)
{
	uint64_t n;

	if (phase == 0)
		return warm;
	if (read_full(ctl, &n, sizeof(n)) != (ssize_t)sizeof(n))
		child_fail("no count from the parent", CHILD_CHAN_ERR);
	return n;
}

/* A child's counts go to the leader in one write (well under PIPE_BUF). */
void cell_worker_exit(struct bench_counters *bc, struct kipc_chan *chan)
{
	struct bench_counts counts;

	counters_stop(bc, &counts);
	kipc_chan_close(chan);
	if (write_all(counts_pipe[1], &counts, sizeof(counts)))
		child_chan_fail("reporting counts");
	_exit(0);
}

static void child_setup(const struct bench_config *cfg,
			struct bench_counters *bc)
{
	if (counters_open(bc, cfg->counters, 0))
		child_chan_fail("opening counters");
}

/*
 * Whether the pingpong runs as calls on one channel (the RPC systems,
 * KIPC_CHAN_CALL), else as requests on one channel, replies on another.
 */
static bool by_calls(const struct kipc_chan_info *m)
{
	return m->flags & KIPC_CHAN_CALL;
}

/*
 * The pingpong child: check each request and send it back unchanged, as
 * the answer to the call or on @rep.
 */
static void pingpong_child(const struct bench_config *cfg,
			   struct kipc_chan *req, struct kipc_chan *rep,
			   size_t size, uint64_t warm, int ctl)
{
	bool calls = by_calls(kipc_chan_mech(req));
	size_t cap = kipc_chan_max_msg(req);
	void *buf = malloc(cap ? cap : 1);
	struct bench_counters bc;
	struct bench_check ck;
	uint64_t i, n;
	char why[128];
	ssize_t len;
	int phase;

	if (!buf || check_init(&ck, 1, 0) ||
	    kipc_chan_attach(req, KIPC_CHAN_RECEIVER) ||
	    (!calls && kipc_chan_attach(rep, KIPC_CHAN_SENDER)))
		child_chan_fail("setup");
	child_setup(cfg, &bc);
	for (phase = 0; phase < 2; phase++) {
		n = phase_count(phase, warm, ctl);
		if (phase == 1) {
			maybe_hang(req);
			counters_start(&bc);
		}
		for (i = 0; i < n; i++) {
			len = kipc_chan_recv(req, buf, cap, NULL);
			if (len < 0)
				child_chan_fail("receive");
			if (payload_check(&ck, buf, len, size, false, 0, why,
					  sizeof(why)))
				child_fail(why, CHILD_BAD_DATA);
			if (calls ? kipc_chan_reply(req, buf, len) :
			    kipc_chan_send(rep, buf, len, 0))
				child_chan_fail("send");
		}
	}
	/*
	 * Close the end that sent the last answer: zeromq's reply is still in
	 * its I/O thread's queue until the socket is closed (linger).
	 */
	cell_worker_exit(&bc, calls ? req : rep);
}

/*
 * @batch message buffers of @size bytes each for kipc_chan_send_batch()
 * and kipc_chan_recv_batch(); exits the child (or returns NULL) if there
 * is no memory.
 */
static struct kipc_chan_msg *batch_alloc(unsigned int batch, size_t size)
{
	struct kipc_chan_msg *msgs = calloc(batch, sizeof(*msgs));
	char *bufs = malloc((size ? size : 1) * batch);
	unsigned int i;

	if (!msgs || !bufs) {
		free(msgs);
		free(bufs);
		return NULL;
	}
	for (i = 0; i < batch; i++)
		msgs[i].buf = bufs + i * (size ? size : 1);
	return msgs;
}

static void batch_free(struct kipc_chan_msg *msgs)
{
	if (msgs)
		free(msgs[0].buf);
	free(msgs);
}

/*
 * A stream producer: @warm messages, then the count it is told, @batch
 * per kipc_chan_send_batch() call (1: kipc_chan_send(), one each).
 */
static void stream_child(const struct bench_config *cfg, struct kipc_chan *c,
			 size_t size, uint32_t producer, uint64_t warm, int ctl,
			 bool prio, unsigned int batch)
{
	struct kipc_chan_msg *msgs = batch_alloc(batch, size);
	unsigned int seedp = producer * 7919 + 1, k, todo;
	struct bench_counters bc;
	uint64_t i, n, seq = 0;
	int phase;

	if (!msgs || kipc_chan_attach(c, KIPC_CHAN_SENDER))
		child_chan_fail("setup");
	child_setup(cfg, &bc);
	for (phase = 0; phase < 2; phase++) {
		n = phase_count(phase, warm, ctl);
		if (phase == 1)
			counters_start(&bc);
		for (i = 0; i < n; i += todo) {
			todo = n - i < batch ? n - i : batch;
			for (k = 0; k < todo; k++, seq++) {
				payload_fill(msgs[k].buf, size, producer, seq);
				msgs[k].len = size;
				msgs[k].prio = prio ?
					rand_r(&seedp) % BENCH_PRIO_LEVELS : 0;
			}
			if (batch == 1 ?
			    kipc_chan_send(c, msgs[0].buf, size, msgs[0].prio) :
			    kipc_chan_send_batch(c, msgs, todo) != (int)todo)
				child_chan_fail("send");
		}
	}
	batch_free(msgs);
	cell_worker_exit(&bc, c);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The @q quantile of @n sorted samples (nearest rank). */
static double percentile(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t i = (uint64_t)(q * n + 0.999999);

	return sorted[i ? i - 1 : 0];
}

void cell_set_error(struct bench_result *r, const char *what)
{
	if (!r->error) {
		snprintf(r->why, sizeof(r->why), "%s", what);
		r->error = r->why;
	}
}

static void set_errno_error(struct bench_result *r, const char *what)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "%s: %s", what, strerror(errno));
	cell_set_error(r, buf);
}

static int send_counts(struct bench_result *r, int ctl, uint64_t n,
		       unsigned int times)
{
	while (times--) {
		if (write(ctl, &n, sizeof(n)) != sizeof(n)) {
			set_errno_error(r, "control pipe");
			return -1;
		}
	}
	return 0;
}

/* The pingpong leader: time every round trip into @r->lat. */
static void pingpong_parent(const struct bench_config *cfg,
			    struct bench_result *r, struct kipc_chan *req,
			    struct kipc_chan *rep, int ctl,
			    struct bench_counters *bc)
{
	bool calls = by_calls(r->mech);
	size_t size = r->size_used, cap = kipc_chan_max_msg(req);
	void *out = malloc(size ? size : 1), *in = malloc(cap ? cap : 1);
	uint64_t i, n = 0, t0, total_ns = 0, warm = r->warmup;
	struct bench_check ck = { 0 };
	char why[128];
	ssize_t len;

	if (!out || !in || check_init(&ck, 1, 0) ||
	    kipc_chan_attach(req, KIPC_CHAN_SENDER) ||
	    (!calls && kipc_chan_attach(rep, KIPC_CHAN_RECEIVER))) {
		set_errno_error(r, "setup");
		goto out;
	}
	for (i = 0; i < warm + n; i++) {
		payload_fill(out, size, 0, i);
		t0 = bench_now_ns();
		if (calls) {
			len = kipc_chan_call(req, out, size, in, cap);
		} else if (kipc_chan_send(req, out, size, 0)) {
			set_errno_error(r, "send");
			goto out;
		} else {
			len = kipc_chan_recv(rep, in, cap, NULL);
		}
		if (len < 0) {
			set_errno_error(r, "receive");
			goto out;
		}
		t0 = bench_now_ns() - t0;
		total_ns += t0;
		if (i >= warm)
			r->lat[i - warm] = t0;
		if (payload_check(&ck, in, len, size, false, 0, why, sizeof(why))) {
			cell_set_error(r, why);
			goto out;
		}
		if (i == warm - 1) {
			/* Warm-up done: size the measurement from its pace. */
			n = measured_count(cfg, total_ns, warm);
			r->lat = malloc(n * sizeof(*r->lat));
			if (!r->lat) {
				set_errno_error(r, "memory");
				goto out;
			}
			if (send_counts(r, ctl, n, 1))
				goto out;
			total_ns = 0;
			counters_start(bc);
		}
	}
	counters_stop(bc, &r->counts);
	if (!n) {
		cell_set_error(r, "no round trip was measured");
		goto out;
	}
	r->nr_lat = n;
	r->iters = n;
	r->measured = 2 * n;
	r->busy_ns = total_ns;
out:
	free(out);
	free(in);
	check_free(&ck);
}

/*
 * The consumer's next message: from the batch in hand, else from a new
 * receive of at most @left messages (@batch per kipc_chan_recv_batch()
 * call; 1: kipc_chan_recv()). Returns its length, or -1.
 */
struct stream_in {
	struct kipc_chan_msg *msgs;
	unsigned int batch, next, count;
	size_t cap;
};

static ssize_t stream_next(struct kipc_chan *c, struct stream_in *in,
			   uint64_t left, void **buf)
{
	unsigned int k;
	ssize_t len;
	int n;

	if (in->next == in->count) {
		if (in->batch == 1) {
			len = kipc_chan_recv(c, in->msgs[0].buf, in->cap, NULL);
			if (len < 0)
				return -1;
			in->msgs[0].len = len;
			n = 1;
		} else {
			for (k = 0; k < in->batch; k++)
				in->msgs[k].len = in->cap;
			n = kipc_chan_recv_batch(c, in->msgs, left < in->batch ?
						 left : in->batch);
			if (n < 0)
				return -1;
		}
		in->next = 0;
		in->count = n;
	}
	*buf = in->msgs[in->next].buf;
	return in->msgs[in->next++].len;
}

/* The stream consumer: receive, check, count. */
static void stream_parent(const struct bench_config *cfg,
			  struct bench_result *r, struct kipc_chan *c,
			  int ctl, bool any_order, struct bench_counters *bc)
{
	size_t size = r->size_used, cap = kipc_chan_max_msg(c);
	unsigned int p = r->producers;
	uint64_t warm = r->warmup * p, i, n = 0, t_first = 0, t_last = 0;
	uint64_t pace_from = warm / 4, pace_to = warm - 1, t0 = 0, t1;
	uint64_t queued = (uint64_t)r->depth * p;
	struct stream_in in = {
		.msgs = batch_alloc(r->batch, cap), .batch = r->batch, .cap = cap,
	};
	struct bench_check ck = { 0 };
	char why[128];
	ssize_t len;
	void *buf;

	/*
	 * Pace the warm-up while the producers are still sending: after the
	 * first quarter, and not the last depth * p messages, which may have
	 * been queued before they stopped to wait for the count.
	 */
	if (warm > queued + pace_from + 1)
		pace_to = warm - queued - 1;
	if (!in.msgs || check_init(&ck, p, any_order ? r->warmup + MAX_ITERS : 0) ||
	    kipc_chan_attach(c, KIPC_CHAN_RECEIVER)) {
		set_errno_error(r, "setup");
		goto out;
	}
	for (i = 0; i < warm + n * p; i++) {
		/* Never more than this phase has: the producers wait between. */
		len = stream_next(c, &in, (i < warm ? warm : warm + n * p) - i,
				  &buf);
		if (len < 0) {
			set_errno_error(r, "receive");
			goto out;
		}
		if (i == pace_from)
			t_first = bench_now_ns();
		if (payload_check(&ck, buf, len, size, any_order,
				  r->warmup + n, why, sizeof(why))) {
			cell_set_error(r, why);
			goto out;
		}
		if (i == pace_to)
			t_last = bench_now_ns();
		if (i == warm - 1) {
			/* Warm-up done: size the measurement from its pace. */
			n = measured_count(cfg, t_last - t_first,
					   pace_to - pace_from);
			n = (n + p - 1) / p;
			if (send_counts(r, ctl, n, p))
				goto out;
			counters_start(bc);
			t0 = bench_now_ns();
		}
	}
	t1 = bench_now_ns();
	counters_stop(bc, &r->counts);
	r->iters = n * p;
	r->measured = n * p;
	r->busy_ns = t1 - t0;
out:
	batch_free(in.msgs);
	check_free(&ck);
}

/*
 * In a new process: die with @parent. A cell's processes live in a group
 * of their own, out of reach of a ^C to the bench or a kill of its group,
 * so each is tied to the one that forked it instead; if that one is gone
 * already, go now.
 */
void cell_die_with(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
}

pid_t cell_spawn(void)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid > 0)
		children[nr_children++] = pid;
	if (pid == 0) {
		cell_die_with(parent);
		/* Only the leader reports: its end of file must mean its end. */
		if (report_fd >= 0)
			close(report_fd);
	}
	return pid;
}

void cell_kill_workers(void)
{
	unsigned int i;

	for (i = 0; i < nr_children; i++)
		kill(children[i], SIGKILL);
}

/*
 * Reap the leader's children; add the counts they sent to @r's (which
 * hold the leader's own if @leader_counted, else nothing yet).
 */
void cell_reap_workers(struct bench_result *r, bool leader_counted)
{
	struct bench_counts counts;
	unsigned int reported = 0;
	int status;
	char buf[80];

	while (nr_children) {
		pid_t pid = children[--nr_children];

		if (waitpid(pid, &status, 0) < 0)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_BAD_DATA)
			snprintf(buf, sizeof(buf), "child found bad data");
		else if (WIFEXITED(status))
			snprintf(buf, sizeof(buf), "child failed (exit %d)",
				 WEXITSTATUS(status));
		else
			snprintf(buf, sizeof(buf), "child killed by signal %d",
				 WTERMSIG(status));
		cell_set_error(r, buf);
	}
	close(counts_pipe[1]);
	while (read_full(counts_pipe[0], &counts, sizeof(counts)) ==
	       (ssize_t)sizeof(counts)) {
		counts_add(&r->counts, &counts, !leader_counted && !reported);
		reported++;
	}
	if (!r->error && !reported)
		cell_set_error(r, "the children reported no counts");
}

/*
 * The cell's leader runs in its own process group: it plays the parent
 * side, then reports to the bench on @out. It starts from this round's
 * figures only: the sums of the other rounds stay with the bench.
 */
static void leader_begin(const struct bench_result *cell, struct bench_result *r)
{
	*r = *cell;
	r->error = NULL;
	r->lat = NULL;
	r->nr_lat = r->iters = r->measured = 0;
	r->busy_ns = 0;
	memset(&r->counts, 0, sizeof(r->counts));
	if (pipe2(counts_pipe, O_CLOEXEC))
		set_errno_error(r, "pipe");
}

static void __attribute__((noreturn))
leader_report(struct bench_result *r, const struct cell_death *death, int out)
{
	struct cell_report rep;

	memset(&rep, 0, sizeof(rep));
	if (r->error)
		snprintf(rep.error, sizeof(rep.error), "%s", r->error);
	rep.iters = r->iters;
	rep.measured = r->measured;
	rep.busy_ns = r->busy_ns;
	rep.counts = r->counts;
	if (death) {
		rep.has_death = true;
		rep.death = *death;
	}
	if (!r->error && r->nr_lat) {
		qsort(r->lat, r->nr_lat, sizeof(*r->lat), cmp_u64);
		rep.p50_ns = percentile(r->lat, r->nr_lat, 0.50);
		rep.nr_lat = r->nr_lat;
	}
	if (write_all(out, &rep, sizeof(rep)) ||
	    write_all(out, r->lat, rep.nr_lat * sizeof(*r->lat)))
		_exit(1);
	_exit(0);
}

static void __attribute__((noreturn))
chan_leader(const struct bench_config *cfg, const struct bench_result *cell,
	    struct kipc_chan *a, struct kipc_chan *b, int out)
{
	unsigned int i, nr = cell->pattern == BENCH_PINGPONG ? 1 : cell->producers;
	struct bench_counters bc;
	struct bench_result r;
	int ctl[2];
	pid_t pid;

	leader_begin(cell, &r);
	if (r.error)
		leader_report(&r, NULL, out);
	if (pipe2(ctl, O_CLOEXEC)) {
		set_errno_error(&r, "pipe");
		leader_report(&r, NULL, out);
	}
	if (counters_open(&bc, cfg->counters, 0)) {
		set_errno_error(&r, "opening counters");
		leader_report(&r, NULL, out);
	}
	for (i = 0; i < nr; i++) {
		pid = cell_spawn();
		if (pid < 0) {
			set_errno_error(&r, "fork");
			cell_kill_workers();
			break;
		}
		if (pid)
			continue;
		close(ctl[1]);
		close(counts_pipe[0]);
		counters_close(&bc);
		if (r.pattern == BENCH_PINGPONG)
			pingpong_child(cfg, a, b, r.size_used, r.warmup, ctl[0]);
		stream_child(cfg, a, r.size_used, i, r.warmup, ctl[0],
			     r.pattern == BENCH_PRIO, r.batch);
	}
	close(ctl[0]);
	if (!r.error && r.pattern == BENCH_PINGPONG)
		pingpong_parent(cfg, &r, a, b, ctl[1], &bc);
	else if (!r.error)
		stream_parent(cfg, &r, a, ctl[1], r.pattern == BENCH_PRIO, &bc);
	if (r.error)
		cell_kill_workers();
	/* Children waiting for their count see end of file and exit. */
	close(ctl[1]);
	cell_reap_workers(&r, true);
	leader_report(&r, NULL, out);
}

static void __attribute__((noreturn))
lock_leader(const struct bench_config *cfg, const struct bench_result *cell,
	    struct bench_lock *l, bool death, int out)
{
	struct cell_death d = { .next_ns = NAN };
	struct bench_result r;

	leader_begin(cell, &r);
	if (!r.error)
		bench_lock_leader(cfg, &r, l, death, &d);
	leader_report(&r, death && !r.error ? &d : NULL, out);
}

/*
 * Read @len bytes from @fd by @deadline (CLOCK_MONOTONIC ns): 0, or -1
 * with errno ETIMEDOUT, or EPIPE at end of file.
 */
static int read_by(int fd, void *buf, size_t len, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t now;
	ssize_t got;
	int ret;

	while (len) {
		now = bench_now_ns();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		ret = poll(&pfd, 1, (deadline - now) / 1000000 + 1);
		if (ret < 0 && errno != EINTR)
			return -1;
		if (ret <= 0)
			continue;
		got = read(fd, buf, len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0) {
			errno = EPIPE;
			return -1;
		}
		buf = (char *)buf + got;
		len -= got;
	}
	return 0;
}

/* Take the leader's report of one round into @r's sums. */
static int collect(const struct bench_config *cfg, struct bench_result *r,
		   int fd)
{
	uint64_t deadline = bench_now_ns() + cell_timeout_s(cfg) * (uint64_t)NSEC_PER_SEC;
	struct cell_report rep;
	uint64_t *all;

	if (read_by(fd, &rep, sizeof(rep), deadline))
		return -1;
	if (rep.error[0]) {
		cell_set_error(r, rep.error);
		return 0;
	}
	all = realloc(r->lat, (r->nr_lat + rep.nr_lat) * sizeof(*all) + 1);
	if (!all) {
		set_errno_error(r, "memory");
		return 0;
	}
	r->lat = all;
	if (read_by(fd, r->lat + r->nr_lat, rep.nr_lat * sizeof(*all), deadline))
		return -1;
	r->round_p50_ns[r->rounds] = rep.p50_ns;
	r->round_rate[r->rounds] = rep.busy_ns > 0 ?
				   rep.measured * 1e9 / rep.busy_ns : 0;
	r->nr_lat += rep.nr_lat;
	r->iters += rep.iters;
	r->measured += rep.measured;
	r->busy_ns += rep.busy_ns;
	counts_add(&r->counts, &rep.counts, r->rounds == 0);
	if (rep.has_death) {
		r->has_death = true;
		r->death = rep.death;
	}
	r->rounds++;
	return 0;
}

/* Reap the leader and, the bench being their subreaper, all its group. */
static void reap_group(pid_t leader, struct bench_result *r)
{
	char buf[80];
	int status;
	pid_t pid;

	while ((pid = waitpid(-leader, &status, 0)) > 0 || errno == EINTR) {
		if (pid != leader)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && r->error)
			continue;
		snprintf(buf, sizeof(buf), "the cell's leader %s %d",
			 WIFEXITED(status) ? "exited" : "was killed by signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		cell_set_error(r, buf);
	}
}

/*
 * The mechanism refused these settings (a size, a depth, a limit of this
 * machine): the cell is not run, which is not a failure of the bench.
 */
static void open_failed(struct bench_result *r)
{
	int err = errno;

	if (err == EINVAL || err == EMSGSIZE || err == EMFILE ||
	    err == ENOSPC || err == ENOMEM || err == ENODEV) {
		snprintf(r->why, sizeof(r->why), "refused these settings: %s",
			 strerror(err));
		r->skip = r->why;
		return;
	}
	set_errno_error(r, "open");
}

void bench_run_cell(const struct bench_config *cfg, struct bench_result *r)
{
	struct kipc_chan_opts opts = {
		.msg_size = r->size_used,
		.depth = r->depth,
		.senders = r->producers,
	};
	struct kipc_chan *a = NULL, *b = NULL;
	struct bench_lock *lock = NULL;
	bool lock_cell = r->pattern == BENCH_LOCK;
	pid_t pid, bench = getpid();
	int rep[2];

	r->warmup = lock_cell ? bench_lock_warmup(r->producers) :
		    warmup_count(r->size_used);
	/*
	 * A stream's warm-up fills the queue, so the pace is the steady one;
	 * any warm-up goes once round a ring, so no slot is first touched
	 * (and faulted in) while measuring.
	 */
	if (r->pattern != BENCH_PINGPONG && r->warmup < 2 * r->depth)
		r->warmup = 2 * r->depth;
	if (r->warmup < r->depth + 1)
		r->warmup = r->depth + 1;
	if (r->producers > MAX_PRODUCERS) {
		cell_set_error(r, "too many producers");
		return;
	}
	if (r->rounds >= BENCH_MAX_ROUNDS) {
		cell_set_error(r, "too many rounds");
		return;
	}
	if (lock_cell) {
		lock = bench_lock_open(r->mech);
		if (!lock) {
			open_failed(r);
			goto out;
		}
	} else {
		a = kipc_chan_open(r->mech->name, &opts);
		if (r->pattern == BENCH_PINGPONG && !by_calls(r->mech) && a)
			b = kipc_chan_open(r->mech->name, &opts);
		if (!a || (r->pattern == BENCH_PINGPONG && !by_calls(r->mech) &&
			   !b)) {
			open_failed(r);
			goto out;
		}
	}
	if (pipe2(rep, O_CLOEXEC)) {
		set_errno_error(r, "report pipe");
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		set_errno_error(r, "fork");
		close(rep[0]);
		close(rep[1]);
		goto out;
	}
	if (pid == 0) {
		setpgid(0, 0);
		cell_die_with(bench);
		close(rep[0]);
		report_fd = rep[1];
		if (lock_cell)
			/* Holder death once per lock: its first round, fewest processes. */
			lock_leader(cfg, r, lock, !r->rounds &&
				    r->producers == cfg->procs[0], rep[1]);
		chan_leader(cfg, r, a, b, rep[1]);
	}
	/* Both sides set the group, so it exists whoever runs first. */
	setpgid(pid, pid);
	close(rep[1]);
	if (collect(cfg, r, rep[0])) {
		if (errno == ETIMEDOUT)
			cell_set_error(r, "timed out: a side hung, or died where the "
				  "mechanism cannot tell the other");
		else
			set_errno_error(r, "the cell's report");
		kill(-pid, SIGKILL);
	}
	close(rep[0]);
	reap_group(pid, r);
out:
	kipc_chan_close(a);
	kipc_chan_close(b);
	bench_lock_close(lock);
}

/* The moments of @n samples, in one pass over them. */
static void moments(const uint64_t *x, uint64_t n, double *mean, double *sd)
{
	double m = 0, m2 = 0, d;
	uint64_t i;

	/* Welford's update: stable for a million samples. */
	for (i = 0; i < n; i++) {
		d = x[i] - m;
		m += d / (i + 1);
		m2 += d * (x[i] - m);
	}
	*mean = m;
	*sd = n > 1 ? sqrt(m2 / (n - 1)) : 0;
}

/* Largest over smallest of the rounds' results (p50, or rate). */
static double round_spread(const double *v, unsigned int n)
{
	double lo = v[0], hi = v[0];
	unsigned int i;

	for (i = 1; i < n; i++) {
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	/* A round that measured nothing makes the cell as unstable as can be. */
	return lo > 0 ? hi / lo : INFINITY;
}

void bench_finish_cell(struct bench_result *r)
{
	const struct bench_counts *c = &r->counts;
	double per = r->measured ? 1.0 / r->measured : 0;
	uint64_t n = r->nr_lat;
	int i;

	if (!r->error && r->measured && r->busy_ns > 0) {
		r->msgs_per_s = r->measured * 1e9 / r->busy_ns;
		r->mb_per_s = r->msgs_per_s * r->size_used / 1e6;
		r->cpu_user_ns_per_msg = c->user_ns * per;
		r->cpu_sys_ns_per_msg = c->sys_ns * per;
		r->cpu_ns_per_msg = (c->user_ns + c->sys_ns) * per;
		r->ctxsw_vol_per_msg = c->vcsw * per;
		r->ctxsw_invol_per_msg = c->ivcsw * per;
		r->faults_per_msg = (c->minflt + c->majflt) * per;
		r->majflt_per_msg = c->majflt * per;
		for (i = 0; i < CNT_NR; i++)
			r->per_msg[i] = c->perf[i] * per;
		r->spread = round_spread(r->pattern == BENCH_PINGPONG ?
					 r->round_p50_ns : r->round_rate,
					 r->rounds);
		r->unstable = r->spread > BENCH_UNSTABLE_FACTOR;
	}
	if (!r->error && n) {
		qsort(r->lat, n, sizeof(*r->lat), cmp_u64);
		r->has_latency = true;
		r->p50_ns = percentile(r->lat, n, 0.50);
		r->p90_ns = percentile(r->lat, n, 0.90);
		r->p99_ns = percentile(r->lat, n, 0.99);
		r->max_ns = r->lat[n - 1];
		r->min_ns = r->lat[0];
		moments(r->lat, n, &r->mean_ns, &r->stddev_ns);
		/* p99 needs 100 samples to be more than the maximum. */
		r->low_samples = n < 100;
	}
	free(r->lat);
	r->lat = NULL;
}
