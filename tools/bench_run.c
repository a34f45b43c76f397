// SPDX-License-Identifier: GPL-2.0
/*
 * One benchmark cell: a mechanism, a pattern and a message size.
 *
 * The channels are opened before fork(), as any program using them would.
 * Every cell has a warm-up (its messages are checked but not timed) whose
 * speed picks how many messages fill --duration; the parent then tells the
 * children that count over a control pipe, so each side knows exactly how
 * many messages to move and nobody polls for "stop".
 *
 *   pingpong  the parent sends a request and waits for the reply of the
 *             same size, which the child checks and echoes; every round
 *             trip is timed on its own (CLOCK_MONOTONIC)
 *   stream    producers send as fast as the channel takes it; the parent
 *             receives, checks and counts; the rate is messages over the
 *             time from the go signal to the last message
 *   prio      stream with a random priority per message (queues only)
 *
 * CPU time is user+sys of the parent (getrusage) and the children
 * (wait4), warm-up included, divided by every message moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static pid_t children[MAX_PRODUCERS];
static unsigned int nr_children;

/*
 * What a cell holds, where a timeout can find it: the watchdog jumps
 * back into bench_run_cell() from inside a blocked channel call, after
 * which only these (not the cell's locals) are trusted.
 */
static struct {
	struct kipc_chan *a, *b;
	int ctl[2];
	uint64_t moved;			/* messages, warm-ups included */
	double cpu_ns;
} cell;
static sigjmp_buf cell_timeout;

static void watchdog(int sig)
{
	(void)sig;
	siglongjmp(cell_timeout, 1);
}

/*
 * A cell that runs this long has stopped: a side hung, or died where the
 * mechanism cannot tell the other (queues, rings, signals). Generous, as
 * TCG can take 20 ms for one 1 MiB message.
 */
static unsigned int cell_timeout_s(const struct bench_config *cfg)
{
	return 120 + (unsigned int)(50 * cfg->duration / cfg->rounds) +
	       (unsigned int)(cfg->iters / 50);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static double tv_ns(const struct timeval *tv)
{
	return tv->tv_sec * 1e9 + tv->tv_usec * 1e3;
}

static double rusage_ns(const struct rusage *ru)
{
	return tv_ns(&ru->ru_utime) + tv_ns(&ru->ru_stime);
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

static int read_count(int fd, uint64_t *n)
{
	ssize_t got;

	do
		got = read(fd, n, sizeof(*n));
	while (got < 0 && errno == EINTR);
	return got == sizeof(*n) ? 0 : -1;
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
	if (read_count(ctl, &n))
		child_fail("no count from the parent", CHILD_CHAN_ERR);
	return n;
}

/* The pingpong child: check each request and send it back unchanged. */
static void pingpong_child(struct kipc_chan *req, struct kipc_chan *rep,
			   size_t size, uint64_t warm, int ctl)
{
	size_t cap = kipc_chan_max_msg(req);
	void *buf = malloc(cap ? cap : 1);
	struct bench_check ck;
	uint64_t i, n;
	char why[128];
	ssize_t len;
	int phase;

	if (!buf || check_init(&ck, 1, 0) ||
	    kipc_chan_attach(req, KIPC_CHAN_RECEIVER) ||
	    kipc_chan_attach(rep, KIPC_CHAN_SENDER))
		child_chan_fail("setup");
	for (phase = 0; phase < 2; phase++) {
		n = phase_count(phase, warm, ctl);
		for (i = 0; i < n; i++) {
			len = kipc_chan_recv(req, buf, cap, NULL);
			if (len < 0)
				child_chan_fail("receive");
			if (payload_check(&ck, buf, len, size, false, 0, why,
					  sizeof(why)))
				child_fail(why, CHILD_BAD_DATA);
			if (kipc_chan_send(rep, buf, len, 0))
				child_chan_fail("send");
		}
	}
	_exit(0);
}

/* A stream producer: @warm messages, then the count it is told. */
static void stream_child(struct kipc_chan *c, size_t size, uint32_t producer,
			 uint64_t warm, int ctl, bool prio)
{
	void *buf = malloc(size ? size : 1);
	unsigned int seedp = producer * 7919 + 1, pr;
	uint64_t i, n, seq = 0;
	int phase;

	if (!buf || kipc_chan_attach(c, KIPC_CHAN_SENDER))
		child_chan_fail("setup");
	for (phase = 0; phase < 2; phase++) {
		n = phase_count(phase, warm, ctl);
		for (i = 0; i < n; i++, seq++) {
			payload_fill(buf, size, producer, seq);
			pr = prio ? rand_r(&seedp) % BENCH_PRIO_LEVELS : 0;
			if (kipc_chan_send(c, buf, size, pr))
				child_chan_fail("send");
		}
	}
	_exit(0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double percentile(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t i = (uint64_t)(q * n + 0.999999);

	return sorted[i ? i - 1 : 0];
}

void bench_finish_cell(struct bench_result *r)
{
	uint64_t n = r->nr_lat;

	if (!r->error && r->measured && r->busy_ns > 0) {
		r->msgs_per_s = r->measured * 1e9 / r->busy_ns;
		r->mb_per_s = r->msgs_per_s * r->size_used / 1e6;
		r->cpu_ns_per_msg = r->moved ? r->cpu_ns / r->moved : 0;
	}
	if (!r->error && n) {
		qsort(r->lat, n, sizeof(*r->lat), cmp_u64);
		r->has_latency = true;
		r->p50_ns = percentile(r->lat, n, 0.50);
		r->p90_ns = percentile(r->lat, n, 0.90);
		r->p99_ns = percentile(r->lat, n, 0.99);
		r->max_ns = r->lat[n - 1];
	}
	free(r->lat);
	r->lat = NULL;
}

static void set_error(struct bench_result *r, const char *what)
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
	set_error(r, buf);
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

/* The pingpong parent: time every round trip. Returns messages moved. */
static uint64_t pingpong_parent(const struct bench_config *cfg,
				struct bench_result *r, struct kipc_chan *req,
				struct kipc_chan *rep, int ctl)
{
	size_t size = r->size_used, cap = kipc_chan_max_msg(rep);
	void *out = malloc(size ? size : 1), *in = malloc(cap ? cap : 1);
	uint64_t *lat = NULL, *all, i, n = 0, t0, total_ns = 0, warm = r->warmup;
	struct bench_check ck;
	char why[128];
	ssize_t len;

	if (!out || !in || check_init(&ck, 1, 0) ||
	    kipc_chan_attach(req, KIPC_CHAN_SENDER) ||
	    kipc_chan_attach(rep, KIPC_CHAN_RECEIVER)) {
		set_errno_error(r, "setup");
		goto out;
	}
	for (i = 0; i < warm + n; i++) {
		payload_fill(out, size, 0, i);
		t0 = now_ns();
		if (kipc_chan_send(req, out, size, 0)) {
			set_errno_error(r, "send");
			goto out;
		}
		len = kipc_chan_recv(rep, in, cap, NULL);
		if (len < 0) {
			set_errno_error(r, "receive");
			goto out;
		}
		t0 = now_ns() - t0;
		total_ns += t0;
		if (i >= warm)
			lat[i - warm] = t0;
		if (payload_check(&ck, in, len, size, false, 0, why, sizeof(why))) {
			set_error(r, why);
			goto out;
		}
		if (i == warm - 1) {
			/* Warm-up done: size the measurement from its pace. */
			n = measured_count(cfg, total_ns, warm);
			lat = malloc(n * sizeof(*lat));
			if (!lat) {
				set_errno_error(r, "memory");
				goto out;
			}
			if (send_counts(r, ctl, n, 1))
				goto out;
			total_ns = 0;
		}
	}
	if (!lat || !n) {
		set_error(r, "no round trip was measured");
		goto out;
	}
	all = realloc(r->lat, (r->nr_lat + n) * sizeof(*all));
	if (!all) {
		set_errno_error(r, "memory");
		goto out;
	}
	memcpy(all + r->nr_lat, lat, n * sizeof(*lat));
	r->lat = all;
	r->nr_lat += n;
	r->iters += n;
	r->measured += 2 * n;
	r->busy_ns += total_ns;
out:
	free(lat);
	free(out);
	free(in);
	check_free(&ck);
	return 2 * (warm + n);
}

/* The stream consumer: receive, check, count. Returns messages moved. */
static uint64_t stream_parent(const struct bench_config *cfg,
			      struct bench_result *r, struct kipc_chan *c,
			      int ctl, bool any_order)
{
	size_t size = r->size_used, cap = kipc_chan_max_msg(c);
	unsigned int p = r->producers;
	uint64_t warm = r->warmup * p, i, n = 0, t_first = 0, t_last = 0;
	uint64_t pace_from = warm / 4, pace_to = warm - 1, t0 = 0, t1;
	uint64_t queued = (uint64_t)r->depth * p;
	void *in = malloc(cap ? cap : 1);
	struct bench_check ck;
	char why[128];
	ssize_t len;

	/*
	 * Pace the warm-up while the producers are still sending: after the
	 * first quarter, and not the last depth * p messages, which may have
	 * been queued before they stopped to wait for the count.
	 */
	if (warm > queued + pace_from + 1)
		pace_to = warm - queued - 1;
	if (!in || check_init(&ck, p, any_order ? r->warmup + MAX_ITERS : 0) ||
	    kipc_chan_attach(c, KIPC_CHAN_RECEIVER)) {
		set_errno_error(r, "setup");
		goto out;
	}
	for (i = 0; i < warm + n * p; i++) {
		len = kipc_chan_recv(c, in, cap, NULL);
		if (len < 0) {
			set_errno_error(r, "receive");
			goto out;
		}
		if (i == pace_from)
			t_first = now_ns();
		if (payload_check(&ck, in, len, size, any_order,
				  r->warmup + n, why, sizeof(why))) {
			set_error(r, why);
			goto out;
		}
		if (i == pace_to)
			t_last = now_ns();
		if (i == warm - 1) {
			/* Warm-up done: size the measurement from its pace. */
			n = measured_count(cfg, t_last - t_first,
					   pace_to - pace_from);
			n = (n + p - 1) / p;
			if (send_counts(r, ctl, n, p))
				goto out;
			t0 = now_ns();
		}
	}
	t1 = now_ns();
	r->iters += n * p;
	r->measured += n * p;
	r->busy_ns += t1 - t0;
out:
	free(in);
	check_free(&ck);
	return warm + n * p;
}

static pid_t spawn(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid > 0)
		children[nr_children++] = pid;
	return pid;
}

/* Reap every child; their CPU time goes into *@cpu_ns. */
static void reap(struct bench_result *r, double *cpu_ns)
{
	struct rusage ru;
	int status;
	char buf[80];

	while (nr_children) {
		pid_t pid = children[--nr_children];

		if (wait4(pid, &status, 0, &ru) < 0)
			continue;
		*cpu_ns += rusage_ns(&ru);
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
		set_error(r, buf);
	}
}

static void kill_children(void)
{
	unsigned int i;

	for (i = 0; i < nr_children; i++)
		kill(children[i], SIGKILL);
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
	struct rusage before, after;
	unsigned int i;
	pid_t pid;

	r->warmup = warmup_count(r->size_used);
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
		set_error(r, "too many producers");
		return;
	}
	getrusage(RUSAGE_SELF, &before);
	cell.a = cell.b = NULL;
	cell.ctl[0] = cell.ctl[1] = -1;
	cell.moved = 0;
	cell.cpu_ns = 0;
	if (sigsetjmp(cell_timeout, 1)) {
		set_error(r, "timed out: a side hung, or died where the "
			  "mechanism cannot tell the other");
		kill_children();
		goto reap;
	}
	signal(SIGALRM, watchdog);
	alarm(cell_timeout_s(cfg));
	cell.a = kipc_chan_open(r->mech->name, &opts);
	if (r->pattern == BENCH_PINGPONG && cell.a)
		cell.b = kipc_chan_open(r->mech->name, &opts);
	if (!cell.a || (r->pattern == BENCH_PINGPONG && !cell.b)) {
		open_failed(r);
		goto out;
	}
	if (pipe2(cell.ctl, O_CLOEXEC)) {
		set_errno_error(r, "control pipe");
		goto out;
	}
	for (i = 0; i < (r->pattern == BENCH_PINGPONG ? 1 : r->producers); i++) {
		pid = spawn();
		if (pid < 0) {
			set_errno_error(r, "fork");
			kill_children();
			goto reap;
		}
		if (pid)
			continue;
		close(cell.ctl[1]);
		if (r->pattern == BENCH_PINGPONG)
			pingpong_child(cell.a, cell.b, r->size_used, r->warmup,
				       cell.ctl[0]);
		stream_child(cell.a, r->size_used, i, r->warmup, cell.ctl[0],
			     r->pattern == BENCH_PRIO);
	}
	close(cell.ctl[0]);
	cell.ctl[0] = -1;
	if (r->pattern == BENCH_PINGPONG)
		cell.moved = pingpong_parent(cfg, r, cell.a, cell.b, cell.ctl[1]);
	else
		cell.moved = stream_parent(cfg, r, cell.a, cell.ctl[1],
				      r->pattern == BENCH_PRIO);
	if (r->error)
		kill_children();
reap:
	/* Children waiting for their count see end of file and exit. */
	if (cell.ctl[1] >= 0)
		close(cell.ctl[1]);
	cell.ctl[1] = -1;
	reap(r, &cell.cpu_ns);
	alarm(0);
	getrusage(RUSAGE_SELF, &after);
	cell.cpu_ns += rusage_ns(&after) - rusage_ns(&before);
	r->cpu_ns += cell.cpu_ns;
	r->moved += cell.moved;
	r->rounds++;
out:
	alarm(0);
	for (i = 0; i < 2; i++)
		if (cell.ctl[i] >= 0)
			close(cell.ctl[i]);
	kipc_chan_close(cell.a);
	kipc_chan_close(cell.b);
}
