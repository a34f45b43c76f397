/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stress suites (storm, soak, fuzz, faults) share: records that
 * can be checked byte for byte, a map shared with children that marks
 * each record seen exactly once, how long to run, the namespace's object
 * count, and the kernel's fault injectors.
 */
#ifndef KIPC_STRESS_H
#define KIPC_STRESS_H

#include <limits.h>
#include <sys/mman.h>

#include "common.h"

#define REC_MAGIC	0x6b697063u	/* "kipc" */
#define REC_MAX		PIPE_BUF	/* whole record, header included */

/*
 * One message: who sent it, its number, its length and its bytes, each a
 * function of (producer, seq, offset), so a receiver can check every byte
 * without having seen the sender.
 */
struct rec {
	uint32_t magic;
	uint16_t producer;
	uint16_t len;		/* of the whole record */
	uint32_t seq;
	uint32_t pad;
	uint8_t data[];
};

static inline uint8_t rec_byte(const struct rec *r, size_t i)
{
	return (uint8_t)(r->seq * 31u + r->producer * 7u + i);
}

/* Fill @r as record @seq of @producer, @len bytes long in all. */
static inline void rec_fill(struct rec *r, uint16_t producer, uint32_t seq,
			    size_t len)
{
	size_t i;

	r->magic = REC_MAGIC;
	r->producer = producer;
	r->len = (uint16_t)len;
	r->seq = seq;
	r->pad = 0;
	for (i = 0; i < len - sizeof(*r); i++)
		r->data[i] = rec_byte(r, i);
}

/* A random record length, header included, up to @max. */
static inline size_t rec_len(unsigned int *seed, size_t max)
{
	return sizeof(struct rec) + rand_r(seed) % (max - sizeof(struct rec) + 1);
}

/* Is the @n bytes at @r one whole record of fewer than @producers? */
static inline int rec_ok(const struct rec *r, size_t n, unsigned int producers)
{
	size_t i;

	if (n < sizeof(*r) || r->magic != REC_MAGIC || r->len != n ||
	    r->producer >= producers || r->pad)
		return 0;
	for (i = 0; i < n - sizeof(*r); i++)
		if (r->data[i] != rec_byte(r, i))
			return 0;
	return 1;
}

/* Anonymous shared memory for parent and children, zeroed; NULL on failure. */
static inline void *shared_zeroed(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Which (producer, seq) were received: one bit each, set with an atomic
 * or, so a record received twice is seen as such.
 */
#define SEEN_SEQ_MAX	(1u << 21)	/* records one producer may send */

static inline size_t seen_size(unsigned int producers)
{
	return (size_t)producers * SEEN_SEQ_MAX / 8;
}

/* Mark @r seen; 0 if it was already (a duplicate) or out of range. */
static inline int seen_mark(uint8_t *seen, const struct rec *r)
{
	size_t bit = (size_t)r->producer * SEEN_SEQ_MAX + r->seq;
	uint8_t mask = (uint8_t)(1u << (bit % 8));

	if (r->seq >= SEEN_SEQ_MAX)
		return 0;
	return !(__atomic_fetch_or(&seen[bit / 8], mask, __ATOMIC_RELAXED) &
		 mask);
}

static inline int seen_has(const uint8_t *seen, unsigned int producer,
			   uint32_t seq)
{
	size_t bit = (size_t)producer * SEEN_SEQ_MAX + seq;

	return seen[bit / 8] >> (bit % 8) & 1;
}

/*
 * The debug kernel (tools/vm/debug.config) has fault injection in
 * debugfs; the stock ones don't. It is slower and meant for longer runs.
 */
static inline int on_debug_kernel(void)
{
	return access("/sys/kernel/debug/failslab", F_OK) == 0;
}

/* @name from the environment if set to a positive number, else @dflt. */
static inline unsigned long env_or(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);
	unsigned long n = v ? strtoul(v, NULL, 0) : 0;

	return n ? n : dflt;
}

/* Objects of the caller's network namespace, over netlink; -1 on error. */
static inline int stress_count_one(const struct kipc_stat *st, void *arg)
{
	(void)st;
	++*(int *)arg;
	return 0;
}

static inline int ns_objects(void)
{
	int n = 0;

	return kipc_list(0, stress_count_one, &n) ? -1 : n;
}

/*
 * The kernel's fault injectors (Documentation/fault-injection), in
 * debugfs on the debug kernel: each fails calls at random in the tasks
 * whose /proc/PID/make-it-fail is set (task-filter), at most @times
 * times, counting down as it injects.
 */
#define FAULT_TIMES	1000000

static inline int fault_knob(const char *injector, const char *file,
			     const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", injector, file);
	return write_file(path, val);
}

static inline long fault_knob_value(const char *injector, const char *file)
{
	char path[128], buf[32] = { 0 };
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", injector, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strtol(buf, NULL, 10);
}

/*
 * Arm each of the @n @injectors this kernel has to fail @percent% of the
 * marked tasks' calls, those that may sleep too ("0" disarms). Returns
 * how many it armed, or -1.
 */
static inline int fault_arm(const char *const *injectors, size_t n,
			    const char *percent)
{
	char times[24];
	int armed = 0;
	size_t i;

	snprintf(times, sizeof(times), "%d", strcmp(percent, "0") ? FAULT_TIMES : 0);
	for (i = 0; i < n; i++) {
		const char *d = injectors[i];

		if (fault_knob_value(d, "probability") < 0)
			continue;	/* this kernel lacks it */
		/* Knobs only some injectors have. */
		fault_knob(d, "ignore-gfp-wait", "N");
		fault_knob(d, "ignore-gfp-highmem", "N");
		fault_knob(d, "min-order", "0");
		if (fault_knob(d, "task-filter", "Y") ||
		    fault_knob(d, "verbose", "0") ||
		    fault_knob(d, "interval", "1") ||
		    fault_knob(d, "times", times) ||
		    fault_knob(d, "probability", percent))
			return -1;
		armed++;
	}
	return armed;
}

/* Faults @injector injected since it was armed, or -1 if it has none. */
static inline long fault_injected(const char *injector)
{
	long left = fault_knob_value(injector, "times");

	return left < 0 ? -1 : FAULT_TIMES - left;
}

#endif /* KIPC_STRESS_H */
