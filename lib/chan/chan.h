/* SPDX-License-Identifier: MIT */
/*
 * Inside the channel layer: each mechanism is a struct chan_mech of
 * callbacks over the common struct kipc_chan. chan.c does the argument
 * checks, the defaults and the bookkeeping; a mechanism only moves bytes.
 */
#ifndef KIPC_LIB_CHAN_H
#define KIPC_LIB_CHAN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "kipc.h"
#include "kipc_chan.h"

/* Default largest message: POSIX mq's default msgsize. */
#define CHAN_DEFAULT_MSG	8192
/* Default depth of queues and rings: POSIX mq's default msg_max. */
#define CHAN_DEFAULT_DEPTH	10
/* Default bytes buffered by pipes and sockets: a pipe's default. */
#define CHAN_DEFAULT_CAPACITY	65536
/* Largest frame the stream mechanisms accept: keeps lengths sane. */
#define CHAN_STREAM_MAX		(64u << 20)
/* A stream frame: a 4-byte length, then the message. */
#define CHAN_FRAME_HDR		sizeof(uint32_t)
/*
 * Largest message several senders may share a pipe with: a write of at
 * most PIPE_BUF bytes is atomic, so whole frames up to it never mix.
 */
#define CHAN_SHARED_FRAME_MAX	(PIPE_BUF - CHAN_FRAME_HDR)

struct chan_mech {
	struct kipc_chan_info info;
	/*
	 * Largest message this mechanism can carry on this machine, as far
	 * as can be told before opening (sysctls, the module's limits).
	 */
	size_t (*limit)(void);
	/*
	 * Optional: why it cannot run here (a driver, daemon or library is
	 * missing), or NULL. Without it, kipc mechanisms need the device.
	 */
	const char *(*unavailable)(void);
	/* Set up c->fd[] and c->priv for c->max_msg and c->opts. */
	int (*open)(struct kipc_chan *c);
	/*
	 * Optional: work after fork for @role instead of the default, which
	 * closes the fd of the other end if there are two.
	 */
	int (*attach)(struct kipc_chan *c, int role);
	int (*send)(struct kipc_chan *c, const void *msg, size_t len,
		    unsigned int prio);
	ssize_t (*recv)(struct kipc_chan *c, void *buf, size_t len,
			unsigned int *prio);
	/*
	 * Optional: several messages in fewer system calls. send_batch
	 * sends at least the first, in order, and may stop before one that
	 * would wait; recv_batch waits for one and takes what else is there.
	 * Both return how many, or -1. Without them, one send or recv each.
	 */
	int (*send_batch)(struct kipc_chan *c, const struct kipc_chan_msg *msgs,
			  unsigned int count);
	int (*recv_batch)(struct kipc_chan *c, struct kipc_chan_msg *msgs,
			  unsigned int count);
	/*
	 * KIPC_CHAN_CALL only: a request and its reply; and the receiver's
	 * answer to the request its last recv returned, which set
	 * c->reply_owed.
	 */
	ssize_t (*call)(struct kipc_chan *c, const void *req, size_t len,
			void *reply, size_t cap);
	int (*reply)(struct kipc_chan *c, const void *msg, size_t len);
	/* Optional: free c->priv; @owner is true in the opening process. */
	void (*close)(struct kipc_chan *c, int owner);
};

struct kipc_chan {
	const struct chan_mech *mech;
	struct kipc_chan_opts opts;	/* with the defaults filled in */
	size_t max_msg;
	pid_t owner;			/* the process that opened it */
	int role;			/* 0 until attached */
	int reply_owed;			/* recv returned a request */
	int fd[2];			/* [0] receive end, [1] send end, or -1 */
	void *priv;			/* the mechanism's own state */
};

/* CLOCK_MONOTONIC now in nanoseconds: the RPC channels' waits. */
static inline int64_t chan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Close fd @i of @c if it is open. */
void chan_close_fd(struct kipc_chan *c, int i);

/* Framing over a byte stream (stream.c): a 4-byte length, then the bytes. */
int chan_stream_send(struct kipc_chan *c, const void *msg, size_t len,
		     unsigned int prio);
ssize_t chan_stream_recv(struct kipc_chan *c, void *buf, size_t len,
			 unsigned int *prio);

/* 0 if /dev/kipc can be opened, else -1 with ENODEV. */
int chan_kipc_ready(void);

/*
 * Whether this process has capability @cap (CAP_*) in effect: what the
 * kernel checks, where root alone is no guarantee (containers).
 */
int chan_capable(int cap);

/*
 * A shared library an RPC channel loads on first use: its soname, the
 * symbols it needs (@names, in the order of the function pointers at
 * @funcs), and why it could not be loaded, once that is known.
 */
struct chan_lib {
	const char *soname;
	const char *const *names;
	void **funcs;
	size_t count;
	char why[160];
};

#define CHAN_LIB(so, names_, table) {					\
	.soname = (so), .names = (names_), .funcs = (void **)(table),	\
	.count = sizeof(names_) / sizeof((names_)[0]),			\
}

/*
 * Load @lib once per process: NULL, or the reason it cannot be loaded
 * (errno ENODEV), which then stays. A statically linked program cannot
 * load libraries: that is its reason.
 */
const char *chan_lib_unavailable(struct chan_lib *lib);

/*
 * A private directory for a channel's socket files: $TMPDIR (or /tmp)
 * /kipc-@tag-XXXXXX, made 0700; and its removal with every file in it,
 * which the opening process does at close however the others ended.
 */
int chan_rundir_make(char *dir, size_t len, const char *tag);
void chan_rundir_remove(const char *dir);

/* Read one number from a /proc file; @fallback if it cannot be read. */
size_t chan_sysctl(const char *path, size_t fallback);

/* The mechanisms, one per file. */
extern const struct chan_mech chan_pipe, chan_fifo, chan_kipc_pipe;
extern const struct chan_mech chan_kipc_ring;
extern const struct chan_mech chan_posix_mq, chan_kipc_mq, chan_sysv_msg;
extern const struct chan_mech chan_shm, chan_kipc_shm;
extern const struct chan_mech chan_unix_stream, chan_unix_dgram;
extern const struct chan_mech chan_unix_seqpacket, chan_tcp;
extern const struct chan_mech chan_signal, chan_eventfd;
extern const struct chan_mech chan_dbus, chan_binder, chan_grpc, chan_zeromq;

#endif /* KIPC_LIB_CHAN_H */
