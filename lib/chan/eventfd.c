// SPDX-License-Identifier: MIT
/*
 * eventfd(2) in semaphore mode: a message is an event with no payload.
 * Each send adds one to the counter and each receive takes one off, so
 * events are neither lost nor merged. The counter never fills in
 * practice (2^64 - 2), so a sender never waits.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "chan.h"

static size_t eventfd_limit(void)
{
	return 0;
}

static int eventfd_open(struct kipc_chan *c)
{
	c->fd[0] = eventfd(0, EFD_SEMAPHORE | EFD_CLOEXEC);
	return c->fd[0] < 0 ? -1 : 0;
}

static int eventfd_send(struct kipc_chan *c, const void *msg, size_t len,
			unsigned int prio)
{
	uint64_t one = 1;
	ssize_t n;

	(void)msg;
	(void)len;
	(void)prio;
	n = TEMP_FAILURE_RETRY(write(c->fd[0], &one, sizeof(one)));
	return n < 0 ? -1 : 0;
}

static ssize_t eventfd_recv(struct kipc_chan *c, void *buf, size_t len,
			    unsigned int *prio)
{
	uint64_t v;
	ssize_t n;

	(void)buf;
	(void)len;
	(void)prio;
	n = TEMP_FAILURE_RETRY(read(c->fd[0], &v, sizeof(v)));
	return n < 0 ? -1 : 0;
}

const struct chan_mech chan_eventfd = {
	.info = { "eventfd", "eventfd", "eventfd counter, semaphore mode",
		  KIPC_CHAN_MULTI | KIPC_CHAN_NOTIFY },
	.limit = eventfd_limit,
	.open = eventfd_open,
	.send = eventfd_send,
	.recv = eventfd_recv,
};
