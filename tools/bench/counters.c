// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel counters over one phase of one process: the costs that carry
 * over from an emulator to hardware.
 *
 *   perf_event_open   system calls (the raw_syscalls:sys_enter
 *                     tracepoint), context switches (a software event),
 *                     instructions and cycles (hardware events: only
 *                     where a PMU exists, never under QEMU TCG)
 *   getrusage         user and system time, voluntary and involuntary
 *                     context switches, minor and major page faults
 *
 * Every process of a cell counts itself: it opens its counters disabled
 * before its measured phase, starts them when the phase begins and stops
 * them when it ends (counters_start/stop; a start resets them), and hands
 * the counts to the cell's leader. The system-call counter is enabled last and disabled
 * first, so of the counting's own calls exactly one lies inside the
 * window, the ioctl that stops it, and that one is subtracted.
 *
 * A counter that cannot be opened is not read as zero: it is marked
 * unavailable, and counters_probe() says why once for the whole run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

const char *const counter_names[CNT_NR] = {
	[CNT_SYSCALLS] = "system calls",
	[CNT_CTXSW] = "context switches",
	[CNT_INSTRUCTIONS] = "instructions",
	[CNT_CYCLES] = "cycles",
};

/* Where tracefs may be: its own mount point, or under debugfs. */
static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static int perf_open(struct perf_event_attr *attr, pid_t pid)
{
	return syscall(SYS_perf_event_open, attr, pid, -1, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

/* The id of raw_syscalls:sys_enter, or -1 with the reason in @why. */
static long syscall_tracepoint(char *why, size_t len)
{
	char path[128], buf[32];
	bool tracefs = false;
	size_t i;
	ssize_t n;
	int fd;

	for (i = 0; i < sizeof(tracefs_dirs) / sizeof(*tracefs_dirs); i++) {
		snprintf(path, sizeof(path), "%s/events", tracefs_dirs[i]);
		if (access(path, F_OK) == 0)
			tracefs = true;
		snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_enter/id",
			 tracefs_dirs[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			return strtol(buf, NULL, 10);
		}
	}
	if (tracefs)
		snprintf(why, len, "the kernel has no syscall tracepoints "
			 "(CONFIG_FTRACE_SYSCALLS)");
	else
		snprintf(why, len, "tracefs is not mounted "
			 "(mount -t tracefs nodev /sys/kernel/tracing)");
	return -1;
}

static bool counter_attr(enum bench_counter i, struct perf_event_attr *attr,
			 long tracepoint)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->disabled = 1;
	attr->exclude_hv = 1;
	/* Hardware counters may be multiplexed: know for how long they ran. */
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			    PERF_FORMAT_TOTAL_TIME_RUNNING;
	switch (i) {
	case CNT_SYSCALLS:
		if (tracepoint < 0)
			return false;
		attr->type = PERF_TYPE_TRACEPOINT;
		attr->config = tracepoint;
		break;
	case CNT_CTXSW:
		attr->type = PERF_TYPE_SOFTWARE;
		attr->config = PERF_COUNT_SW_CONTEXT_SWITCHES;
		break;
	case CNT_INSTRUCTIONS:
		attr->type = PERF_TYPE_HARDWARE;
		attr->config = PERF_COUNT_HW_INSTRUCTIONS;
		break;
	case CNT_CYCLES:
		attr->type = PERF_TYPE_HARDWARE;
		attr->config = PERF_COUNT_HW_CPU_CYCLES;
		break;
	default:
		return false;
	}
	return true;
}

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int level = 2;

	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = 2;
		fclose(f);
	}
	return level;
}

/* Why opening counter @i failed with @err, in words. */
static void open_error(enum bench_counter i, int err, char *why, size_t len)
{
	if (err == EACCES || err == EPERM)
		snprintf(why, len, "perf_event_open refused (%s; "
			 "kernel.perf_event_paranoid is %d, run as root or "
			 "lower it)", strerror(err), paranoid_level());
	else if ((i == CNT_INSTRUCTIONS || i == CNT_CYCLES) &&
		 (err == ENOENT || err == EOPNOTSUPP || err == ENODEV))
		snprintf(why, len, "no PMU: this CPU exposes no hardware "
			 "performance counters (%s)", strerror(err));
	else if (err == ENOSYS)
		snprintf(why, len, "the kernel has no perf events");
	else
		snprintf(why, len, "perf_event_open: %s", strerror(err));
}

/*
 * The probe keeps one disabled event of each kind open until
 * counters_release(). While one exists, the kernel's static keys for
 * per-task events and for the syscall tracepoint stay on, so cells that
 * open and close their counters do not flip them: each flip live-patches
 * kernel text on every CPU (text_poke_bp), costly on hardware and, under
 * QEMU's multi-threaded TCG, a source of "Oops: int3" seen in this
 * project's VM when a cell came and went every few milliseconds.
 */
void counters_probe(struct counter_support *s)
{
	struct perf_event_attr attr;
	enum bench_counter i;
	int fd;

	memset(s, 0, sizeof(*s));
	memset(s->hold, -1, sizeof(s->hold));
	s->tracepoint = syscall_tracepoint(s->why[CNT_SYSCALLS],
					   sizeof(s->why[CNT_SYSCALLS]));
	for (i = 0; i < CNT_NR; i++) {
		if (!counter_attr(i, &attr, s->tracepoint))
			continue;
		fd = perf_open(&attr, 0);
		if (fd < 0) {
			open_error(i, errno, s->why[i], sizeof(s->why[i]));
			continue;
		}
		s->hold[i] = fd;
		s->ok |= 1u << i;
	}
}

void counters_release(struct counter_support *s)
{
	enum bench_counter i;

	for (i = 0; i < CNT_NR; i++) {
		if (s->hold[i] >= 0)
			close(s->hold[i]);
		s->hold[i] = -1;
	}
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return tv->tv_sec * (uint64_t)NSEC_PER_SEC + tv->tv_usec * 1000ull;
}

int counters_open(struct bench_counters *c, const struct counter_support *s,
		  pid_t pid)
{
	struct perf_event_attr attr;
	enum bench_counter i;

	memset(c, 0, sizeof(*c));
	c->pid = pid;
	for (i = 0; i < CNT_NR; i++) {
		c->fd[i] = -1;
		if (!(s->ok & 1u << i) || !counter_attr(i, &attr, s->tracepoint))
			continue;
		c->fd[i] = perf_open(&attr, pid);
		if (c->fd[i] < 0)
			return -1;
	}
	return 0;
}

void counters_close(struct bench_counters *c)
{
	enum bench_counter i;

	for (i = 0; i < CNT_NR; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	memset(c->fd, -1, sizeof(c->fd));
}

void counters_start(struct bench_counters *c)
{
	int i;

	if (!c->pid)
		getrusage(RUSAGE_SELF, &c->ru0);
	/* The system calls last: the ioctls before it are not counted. */
	for (i = CNT_NR - 1; i >= 0; i--) {
		if (c->fd[i] < 0)
			continue;
		ioctl(c->fd[i], PERF_EVENT_IOC_RESET, 0);
		ioctl(c->fd[i], PERF_EVENT_IOC_ENABLE, 0);
	}
}

void counters_stop(struct bench_counters *c, struct bench_counts *out)
{
	struct rusage ru;
	uint64_t v[3];
	int i;

	memset(out, 0, sizeof(*out));
	/* The system calls first: only this ioctl of ours is counted. */
	for (i = 0; i < CNT_NR; i++)
		if (c->fd[i] >= 0)
			ioctl(c->fd[i], PERF_EVENT_IOC_DISABLE, 0);
	if (!c->pid && !getrusage(RUSAGE_SELF, &ru)) {
		out->user_ns = tv_ns(&ru.ru_utime) - tv_ns(&c->ru0.ru_utime);
		out->sys_ns = tv_ns(&ru.ru_stime) - tv_ns(&c->ru0.ru_stime);
		out->vcsw = ru.ru_nvcsw - c->ru0.ru_nvcsw;
		out->ivcsw = ru.ru_nivcsw - c->ru0.ru_nivcsw;
		out->minflt = ru.ru_minflt - c->ru0.ru_minflt;
		out->majflt = ru.ru_majflt - c->ru0.ru_majflt;
		out->rusage = true;
	}
	for (i = 0; i < CNT_NR; i++) {
		/* The count, the time enabled and the time it really counted. */
		if (c->fd[i] < 0 || read(c->fd[i], v, sizeof(v)) != sizeof(v))
			continue;
		if (v[1] && !v[2])
			continue;	/* enabled but never scheduled: unknown */
		if (v[2] < v[1])	/* multiplexed: scale, as perf stat does */
			v[0] = (uint64_t)((double)v[0] * v[1] / v[2]);
		if (i == CNT_SYSCALLS && !c->pid && v[0])
			v[0]--;
		out->perf[i] = v[0];
		out->valid |= 1u << i;
	}
}

void counts_add(struct bench_counts *sum, const struct bench_counts *x,
		bool first)
{
	int i;

	if (first) {
		*sum = *x;
		return;
	}
	for (i = 0; i < CNT_NR; i++)
		sum->perf[i] += x->perf[i];
	/* A counter counts for the cell only if every process had it. */
	sum->valid &= x->valid;
	sum->rusage &= x->rusage;
	sum->user_ns += x->user_ns;
	sum->sys_ns += x->sys_ns;
	sum->vcsw += x->vcsw;
	sum->ivcsw += x->ivcsw;
	sum->minflt += x->minflt;
	sum->majflt += x->majflt;
}
