/* SPDX-License-Identifier: MIT */
/*
 * libkipc's channel layer: one message interface over every IPC
 * mechanism, kipc's and the native ones. <kipc.h> includes it; a program
 * that only moves messages may include this header alone.
 */
#ifndef KIPC_CHAN_H
#define KIPC_CHAN_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Channels: one message interface over every IPC mechanism, kipc's and the
 * native ones, so a program (or kipc bench) picks the mechanism by name at
 * run time. A channel carries messages one way, from one or more senders to
 * one receiver. Make it before fork(); then each process says which end it
 * is with kipc_chan_attach(). Two channels make a request/reply pair; the
 * RPC mechanisms (KIPC_CHAN_CALL) also carry calls that the receiver
 * answers on the same channel, with kipc_chan_call() and kipc_chan_reply().
 *
 * Messages keep their boundaries on every mechanism: the byte streams
 * (pipe, fifo, unix-stream, tcp, kipc-pipe) put a 4-byte length in front of
 * each. kipc_chan_info() says how large a message each mechanism carries;
 * a larger one fails with EMSGSIZE and sends nothing.
 */
struct kipc_chan;

/* Flags of struct kipc_chan_info. */
#define KIPC_CHAN_STREAM	0x01	/* byte stream underneath, framed */
#define KIPC_CHAN_MULTI		0x02	/* several senders may share it (pipes:
					 * frames up to PIPE_BUF bytes) */
#define KIPC_CHAN_PRIO		0x04	/* honours send priorities */
#define KIPC_CHAN_KIPC		0x08	/* needs the kipc module */
#define KIPC_CHAN_NOTIFY	0x10	/* carries no payload, only the event */
#define KIPC_CHAN_CALL		0x20	/* request/reply is its own: an RPC
					 * system (kipc_chan_call()) */

struct kipc_chan_info {
	const char *name;	/* "pipe", "posix-mq", "kipc-shm", ... */
	const char *family;	/* the article's row: "pipe", "message queue", ... */
	const char *summary;	/* one line: what carries the bytes */
	unsigned flags;		/* KIPC_CHAN_* */
};

/*
 * The @i-th mechanism, in the order the comparison table lists them; NULL
 * past the last, so `for (i = 0; (m = kipc_chan_mech_at(i)); i++)` walks them.
 */
const struct kipc_chan_info *kipc_chan_mech_at(size_t i);
/* One mechanism by name; NULL with ENOENT if there is none. */
const struct kipc_chan_info *kipc_chan_info(const char *name);
/*
 * The largest message @name can carry on this machine, as far as can be
 * told without opening one (sysctls, privileges, the module's limits);
 * -1 with ENOENT for an unknown name.
 */
ssize_t kipc_chan_limit(const char *name);
/*
 * The largest message several senders (kipc_chan_opts.senders > 1) may
 * send on @name without their messages mixing: kipc_chan_limit() on the
 * message mechanisms, PIPE_BUF minus the 4-byte frame on the pipes; -1
 * with EINVAL where several senders cannot share it at all (the
 * byte-stream sockets), with ENOENT for an unknown name.
 */
ssize_t kipc_chan_shared_limit(const char *name);
/*
 * Why @name cannot run here, as a phrase ("no /dev/binder (binder_linux
 * not loaded)", "libzmq.so.5 cannot be loaded: ..."): a driver, daemon,
 * library or module it needs is missing, or this program cannot use it
 * (a statically linked program cannot load the RPC libraries). NULL if
 * nothing is known to stop it, and for an unknown name (errno ENOENT).
 */
const char *kipc_chan_unavailable(const char *name);

struct kipc_chan_opts {		/* zero means "default" for every field */
	size_t msg_size;	/* largest message the program will send */
	unsigned depth;		/* messages that may wait (queues, rings) */
	size_t capacity;	/* bytes buffered (pipes, sockets) */
	unsigned senders;	/* processes that will send; EINVAL if more
				 * than one and their messages could mix */
};

/*
 * A connected channel over @mech, or NULL with errno set: ENOENT for an
 * unknown name, ENODEV when a kipc mechanism has no module, EMSGSIZE when
 * @opts->msg_size exceeds what the mechanism can carry here, or the error
 * of the system call that failed.
 */
struct kipc_chan *kipc_chan_open(const char *mech,
				 const struct kipc_chan_opts *opts);

#define KIPC_CHAN_SENDER	1
#define KIPC_CHAN_RECEIVER	2
/*
 * After fork(), tell the channel which end this process is; it closes what
 * that end does not need. The receiver must attach for senders to proceed
 * on mechanisms that address a process (signal).
 */
int kipc_chan_attach(struct kipc_chan *c, int role);

/* Largest message this channel carries, in bytes (0: notifications only). */
size_t kipc_chan_max_msg(const struct kipc_chan *c);
const struct kipc_chan_info *kipc_chan_mech(const struct kipc_chan *c);

/*
 * Send one message; blocks while the channel is full. @prio must be 0
 * unless the mechanism has KIPC_CHAN_PRIO (EINVAL); EMSGSIZE if @len is
 * over the limit. EPIPE if the receiver is gone and the
 * mechanism can tell (on pipes and sockets after SIGPIPE, as write(2)).
 */
int kipc_chan_send(struct kipc_chan *c, const void *msg, size_t len,
		   unsigned prio);
/*
 * Receive one message into @buf and return its length; blocks while the
 * channel is empty. EMSGSIZE if @len is smaller than kipc_chan_max_msg()
 * (as mq_receive); EPIPE once every sender has closed, on the mechanisms
 * that can tell (pipes, FIFOs, sockets); EBADMSG if a stream's framing is
 * broken. @prio, if not NULL, receives the priority.
 */
ssize_t kipc_chan_recv(struct kipc_chan *c, void *buf, size_t len,
		       unsigned *prio);

/*
 * A call on a KIPC_CHAN_CALL mechanism: send @len bytes at @req as a
 * request and wait for the receiver's reply, which is put in @reply (@cap
 * at least kipc_chan_max_msg(), else EMSGSIZE) and whose length is
 * returned. Checks and errors as kipc_chan_send() and kipc_chan_recv();
 * EOPNOTSUPP on the other mechanisms, where two channels make a pair.
 * The receiver takes a request with kipc_chan_recv() like any message and
 * must answer it with kipc_chan_reply() before it receives again (EINVAL
 * otherwise, as for a reply when no request is waiting for one).
 */
ssize_t kipc_chan_call(struct kipc_chan *c, const void *req, size_t len,
		       void *reply, size_t cap);
int kipc_chan_reply(struct kipc_chan *c, const void *msg, size_t len);

/* One message of a channel batch. */
struct kipc_chan_msg {
	void *buf;	/* the message (send), or room for it (receive) */
	size_t len;	/* its length (send); in: room, out: length (receive) */
	unsigned prio;	/* its priority: in (send), out (receive) */
};

#define KIPC_CHAN_BATCH_MAX	1024	/* messages of one batch call */

/*
 * Send @count (1..KIPC_CHAN_BATCH_MAX) messages in order, in as few
 * system calls as the mechanism has: kipc_mq_send_batch() on kipc-mq,
 * sendmmsg(2) on the datagram sockets, one send each elsewhere. Blocks as
 * kipc_chan_send() does. Every message is checked first (EINVAL,
 * EMSGSIZE: nothing is sent). Returns @count, or, if an error stopped it
 * after some were sent, how many (errno says why); -1 if none was.
 */
int kipc_chan_send_batch(struct kipc_chan *c, const struct kipc_chan_msg *msgs,
			 unsigned count);

/*
 * Wait for one message, then take what else is queued, up to @count, in
 * as few system calls as the mechanism has (kipc_mq_receive_batch(),
 * recvmmsg(2) with MSG_WAITFORONE); a mechanism that cannot take several
 * at once returns one. Each @msgs[i].len must be at least
 * kipc_chan_max_msg() (EMSGSIZE); it is set to the message's length, and
 * .prio to its priority. Returns how many were received; errors as
 * kipc_chan_recv().
 */
int kipc_chan_recv_batch(struct kipc_chan *c, struct kipc_chan_msg *msgs,
			 unsigned count);

/*
 * Close this process's end and free @c. The process that opened the
 * channel also removes what outlives processes (SysV queue ids).
 */
void kipc_chan_close(struct kipc_chan *c);

#ifdef __cplusplus
}
#endif

#endif /* KIPC_CHAN_H */
