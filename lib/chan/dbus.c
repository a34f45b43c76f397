// SPDX-License-Identifier: MIT
/*
 * D-Bus: method calls through a real dbus-daemon, one private bus per
 * channel, driven with libdbus-1 (the reference library, which the
 * daemon itself is built on; loaded on first use, rpc.c).
 *
 * Opening starts `dbus-daemon --nofork --print-address` on a config of
 * its own in the channel's private directory: a Unix socket there, the
 * EXTERNAL (uid) authentication, nothing of the system's or the session's
 * buses. The daemon dies with its opener (PR_SET_PDEATHSIG) and is stopped
 * and reaped at close; the directory goes with it.
 *
 * The receiver owns the name org.kipc.Chan; senders wait for it to have
 * an owner before their first message. Every message is a method call
 * whose one argument is the payload as a byte array (ay):
 *   Push  a message: answered at once with an empty return, which the
 *         sender collects later; it keeps at most opts.depth calls
 *         outstanding, the way a program pipelines asynchronous calls,
 *         so a slow receiver holds senders back instead of the daemon's
 *         queues growing
 *   Call  a request: kipc_chan_reply() returns the payload
 * A sender that closes does not wait for its outstanding answers; what
 * it sent is with the daemon and still arrives.
 */
#include <dbus/dbus.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"

#define DBUS_CHAN_MAX		(16u << 20)
/* The daemon's limit: the largest message, with room for the header. */
#define DBUS_BUS_MAX_MESSAGE	(2 * DBUS_CHAN_MAX)
#define DBUS_CHAN_NAME		"org.kipc.Chan"
#define DBUS_CHAN_PATH		"/org/kipc/Chan"
#define DBUS_CHAN_IFACE		"org.kipc.Chan"
/* How long to wait for the daemon's address, and for the receiver. */
#define DBUS_START_MS		20000
#define DBUS_WAIT_NS		(20 * 1000000000LL)

#define DBUS_SYMS(X) X(error_init) X(error_free) X(connection_open_private) \
	X(connection_close) X(connection_unref) X(connection_send) \
	X(connection_send_with_reply) X(connection_send_with_reply_and_block) \
	X(connection_flush) X(connection_read_write) X(connection_pop_message) \
	X(bus_register) X(bus_request_name) X(bus_name_has_owner) \
	X(message_new_method_call) X(message_new_method_return) \
	X(message_new_error) X(message_unref) X(message_append_args) \
	X(message_get_args) X(message_is_method_call) X(message_get_type) \
	X(message_get_error_name) X(pending_call_block) \
	X(pending_call_steal_reply) X(pending_call_unref) \
	X(message_set_auto_start)

static struct {
#define X(f) __typeof__(dbus_##f) *f;
	DBUS_SYMS(X)
#undef X
} dbus;

static const char *const dbus_names[] = {
#define X(f) "dbus_" #f,
	DBUS_SYMS(X)
#undef X
};

static struct chan_lib dbus_lib = CHAN_LIB("libdbus-1.so.3", dbus_names, &dbus);

struct dbus_chan {
	char dir[PATH_MAX - 32];
	char address[PATH_MAX];
	pid_t daemon;			/* in the opener */
	DBusConnection *conn;		/* this process's, once attached */
	int ready;			/* sender: the receiver owns the name */
	/* Sender: Push calls not yet answered, oldest first, a ring. */
	DBusPendingCall **pending;
	unsigned int head, nr_pending;
	DBusMessage *call;		/* receiver: the call being served */
};

/* The daemon from PATH, or Debian's place for it. */
static const char *daemon_path(void)
{
	static const char *const places[] = {
		"/usr/bin/dbus-daemon", "/bin/dbus-daemon", NULL,
	};
	int i;

	for (i = 0; places[i]; i++)
		if (!access(places[i], X_OK))
			return places[i];
	return NULL;
}

static const char *dbus_unavailable(void)
{
	const char *why = chan_lib_unavailable(&dbus_lib);

	if (why)
		return why;
	if (!daemon_path())
		return "no dbus-daemon (package dbus-daemon)";
	return NULL;
}

static size_t dbus_limit(void)
{
	return DBUS_CHAN_MAX;
}

/* The bus's configuration: this channel's socket, its user only. */
static int write_config(const struct dbus_chan *d, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/bus.conf", d->dir);
	f = fopen(path, "wx");
	if (!f)
		return -1;
	fprintf(f,
		"<busconfig>\n"
		"  <type>kipc</type>\n"
		"  <listen>unix:path=%s/bus</listen>\n"
		"  <auth>EXTERNAL</auth>\n"
		"  <policy context=\"default\">\n"
		"    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
		"    <allow eavesdrop=\"true\"/>\n"
		"    <allow own=\"*\"/>\n"
		"  </policy>\n"
		"  <limit name=\"max_message_size\">%u</limit>\n"
		"  <limit name=\"reply_timeout\">%d</limit>\n"
		"</busconfig>\n",
		d->dir, DBUS_BUS_MAX_MESSAGE, DBUS_TIMEOUT_INFINITE);
	return fclose(f);
}

/* Read the daemon's address, a line on @fd, within DBUS_START_MS. */
static int read_address(struct dbus_chan *d, int fd)
{
	size_t len = 0;
	ssize_t n;
	char *nl;

	while (len < sizeof(d->address) - 1) {
		n = read(fd, d->address + len, sizeof(d->address) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		d->address[len] = '\0';
		nl = strchr(d->address, '\n');
		if (nl) {
			*nl = '\0';
			return 0;
		}
	}
	errno = ECHILD;		/* the daemon did not start */
	return -1;
}

static int start_daemon(struct dbus_chan *d)
{
	char conf[PATH_MAX], arg[32], conf_arg[PATH_MAX + 16];
	const char *path = daemon_path();
	pid_t parent = getpid();
	int fds[2], err, null;

	if (write_config(d, conf, sizeof(conf)) || pipe2(fds, O_CLOEXEC))
		return -1;
	snprintf(conf_arg, sizeof(conf_arg), "--config-file=%s", conf);
	d->daemon = fork();
	if (d->daemon < 0) {
		err = errno;
		close(fds[0]);
		close(fds[1]);
		errno = err;
		return -1;
	}
	if (d->daemon == 0) {
		/* The bus goes when its opener does, however that ends. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
			_exit(127);
		/* Only the address pipe, as fd 3: no other channel's ends. */
		if (fds[1] == 3 ? fcntl(3, F_SETFD, 0) : dup2(fds[1], 3) < 0)
			_exit(127);
		close_range(4, ~0u, 0);
		/*
		 * Quiet: as root outside a container it says it could not
		 * raise its descriptor limit, which does not matter here.
		 */
		null = open("/dev/null", O_RDWR);
		if (null >= 0 && (dup2(null, 0) < 0 || dup2(null, 2) < 0))
			_exit(127);
		snprintf(arg, sizeof(arg), "--print-address=3");
		execl(path, "dbus-daemon", "--nofork", "--nopidfile", conf_arg,
		      arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	err = read_address(d, fds[0]) ? errno : 0;
	close(fds[0]);
	errno = err;
	return err ? -1 : 0;
}

static void stop_daemon(struct dbus_chan *d)
{
	int err = errno;

	if (d->daemon <= 0)
		return;
	kill(d->daemon, SIGTERM);
	while (waitpid(d->daemon, NULL, 0) < 0 && errno == EINTR)
		;
	d->daemon = 0;
	errno = err;
}

static int dbus_open(struct kipc_chan *c)
{
	struct dbus_chan *d;

	if (dbus_unavailable()) {
		errno = ENODEV;
		return -1;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	c->priv = d;
	d->pending = calloc(c->opts.depth, sizeof(*d->pending));
	if (!d->pending || chan_rundir_make(d->dir, sizeof(d->dir), "dbus"))
		return -1;
	return start_daemon(d);
}

/* An errno for a D-Bus error name. */
static int error_errno(const char *name)
{
	if (!name)
		return EPROTO;
	if (!strcmp(name, DBUS_ERROR_NO_MEMORY))
		return ENOMEM;
	if (!strcmp(name, DBUS_ERROR_LIMITS_EXCEEDED))
		return ENOBUFS;
	if (!strcmp(name, DBUS_ERROR_NO_REPLY) ||
	    !strcmp(name, DBUS_ERROR_DISCONNECTED) ||
	    !strcmp(name, DBUS_ERROR_SERVICE_UNKNOWN) ||
	    !strcmp(name, DBUS_ERROR_NAME_HAS_NO_OWNER))
		return EPIPE;
	return EPROTO;
}

static int fail_with(DBusError *e)
{
	int err = error_errno(e->name);

	dbus.error_free(e);
	errno = err;
	return -1;
}

static int dbus_attach(struct kipc_chan *c, int role)
{
	struct dbus_chan *d = c->priv;
	DBusError e;
	int ret;

	dbus.error_init(&e);
	d->conn = dbus.connection_open_private(d->address, &e);
	if (!d->conn || !dbus.bus_register(d->conn, &e))
		return fail_with(&e);
	if (role == KIPC_CHAN_SENDER)
		return 0;
	ret = dbus.bus_request_name(d->conn, DBUS_CHAN_NAME,
				    DBUS_NAME_FLAG_DO_NOT_QUEUE, &e);
	if (ret == DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER)
		return 0;
	if (ret < 0)
		return fail_with(&e);
	errno = EBUSY;		/* another receiver has it */
	return -1;
}

/* Sender: before the first message, wait for the receiver's name. */
static int wait_for_receiver(struct dbus_chan *d)
{
	int64_t until = chan_now_ns() + DBUS_WAIT_NS;
	struct timespec pause = { 0, 1000000 };
	DBusError e;

	dbus.error_init(&e);
	while (!d->ready) {
		d->ready = dbus.bus_name_has_owner(d->conn, DBUS_CHAN_NAME, &e);
		if (e.name)
			return fail_with(&e);
		if (d->ready)
			break;
		if (chan_now_ns() > until) {
			errno = EPIPE;
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	return 0;
}

/* A call of @member carrying @len bytes at @msg. */
static DBusMessage *new_call(const char *member, const void *msg, size_t len)
{
	const unsigned char *bytes = msg ? msg : (const unsigned char *)"";
	DBusMessage *m;

	m = dbus.message_new_method_call(DBUS_CHAN_NAME, DBUS_CHAN_PATH,
					 DBUS_CHAN_IFACE, member);
	if (!m)
		goto nomem;
	dbus.message_set_auto_start(m, FALSE);
	if (dbus.message_append_args(m, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE, &bytes,
				     (int)len, DBUS_TYPE_INVALID))
		return m;
	dbus.message_unref(m);
nomem:
	errno = ENOMEM;
	return NULL;
}

/* The payload of @m, copied to @buf of @cap bytes; its length. */
static ssize_t take_payload(DBusMessage *m, void *buf, size_t cap)
{
	const unsigned char *bytes;
	DBusError e;
	int n;

	dbus.error_init(&e);
	if (dbus.message_get_type(m) == DBUS_MESSAGE_TYPE_ERROR) {
		errno = error_errno(dbus.message_get_error_name(m));
		return -1;
	}
	if (!dbus.message_get_args(m, &e, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE,
				   &bytes, &n, DBUS_TYPE_INVALID))
		return fail_with(&e);
	if ((size_t)n > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(buf, bytes, n);
	return n;
}

/* Collect the oldest outstanding Push answer, waiting for it. */
static int collect_oldest(struct kipc_chan *c)
{
	struct dbus_chan *d = c->priv;
	DBusPendingCall *p = d->pending[d->head];
	DBusMessage *r;
	int ret = 0;

	d->head = (d->head + 1) % c->opts.depth;
	d->nr_pending--;
	dbus.pending_call_block(p);
	r = dbus.pending_call_steal_reply(p);
	dbus.pending_call_unref(p);
	if (!r) {
		errno = EPIPE;
		return -1;
	}
	if (dbus.message_get_type(r) == DBUS_MESSAGE_TYPE_ERROR) {
		errno = error_errno(dbus.message_get_error_name(r));
		ret = -1;
	}
	dbus.message_unref(r);
	return ret;
}

static int dbus_send(struct kipc_chan *c, const void *msg, size_t len,
		     unsigned int prio)
{
	struct dbus_chan *d = c->priv;
	DBusPendingCall *p;
	DBusMessage *m;

	(void)prio;
	if (wait_for_receiver(d))
		return -1;
	if (d->nr_pending == c->opts.depth && collect_oldest(c))
		return -1;
	m = new_call("Push", msg, len);
	if (!m)
		return -1;
	if (!dbus.connection_send_with_reply(d->conn, m, &p,
					     DBUS_TIMEOUT_INFINITE) || !p) {
		dbus.message_unref(m);
		errno = p ? ENOMEM : EPIPE;
		return -1;
	}
	dbus.message_unref(m);
	d->pending[(d->head + d->nr_pending++) % c->opts.depth] = p;
	/* Out now, not when the next call happens to write. */
	dbus.connection_flush(d->conn);
	return 0;
}

static ssize_t dbus_call(struct kipc_chan *c, const void *req, size_t len,
			 void *reply, size_t cap)
{
	struct dbus_chan *d = c->priv;
	DBusMessage *m, *r;
	DBusError e;
	ssize_t n;

	if (wait_for_receiver(d))
		return -1;
	m = new_call("Call", req, len);
	if (!m)
		return -1;
	dbus.error_init(&e);
	r = dbus.connection_send_with_reply_and_block(d->conn, m,
						      DBUS_TIMEOUT_INFINITE, &e);
	dbus.message_unref(m);
	if (!r)
		return fail_with(&e);
	n = take_payload(r, reply, cap);
	dbus.message_unref(r);
	return n;
}

/* Answer @call with @len bytes at @msg (a Push gets none). */
static int answer(struct dbus_chan *d, DBusMessage *call, const void *msg,
		  size_t len, int with_payload)
{
	const unsigned char *bytes = msg ? msg : (const unsigned char *)"";
	DBusMessage *r = dbus.message_new_method_return(call);
	int ok;

	if (!r) {
		errno = ENOMEM;
		return -1;
	}
	ok = !with_payload ||
	     dbus.message_append_args(r, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE,
				      &bytes, (int)len, DBUS_TYPE_INVALID);
	ok = ok && dbus.connection_send(d->conn, r, NULL);
	dbus.message_unref(r);
	if (!ok) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static ssize_t dbus_recv(struct kipc_chan *c, void *buf, size_t len,
			 unsigned int *prio)
{
	struct dbus_chan *d = c->priv;
	DBusMessage *m;
	ssize_t n;
	int call;

	(void)prio;
	for (;;) {
		m = dbus.connection_pop_message(d->conn);
		if (!m) {
			/* Writes queued answers, then waits to read. */
			if (!dbus.connection_read_write(d->conn, -1)) {
				errno = EPIPE;	/* the bus is gone */
				return -1;
			}
			continue;
		}
		call = dbus.message_is_method_call(m, DBUS_CHAN_IFACE, "Call");
		if (call || dbus.message_is_method_call(m, DBUS_CHAN_IFACE, "Push"))
			break;
		dbus.message_unref(m);	/* NameAcquired and the like */
	}
	n = take_payload(m, buf, len);
	if (call && n >= 0) {
		d->call = m;
		c->reply_owed = 1;
		return n;
	}
	/* A Push is answered at once; the answer goes with the next read. */
	if (answer(d, m, NULL, 0, 0))
		n = -1;
	dbus.message_unref(m);
	return n;
}

static int dbus_reply(struct kipc_chan *c, const void *msg, size_t len)
{
	struct dbus_chan *d = c->priv;
	int ret;

	ret = answer(d, d->call, msg, len, 1);
	dbus.message_unref(d->call);
	d->call = NULL;
	if (!ret)
		dbus.connection_flush(d->conn);
	return ret;
}

static void dbus_close(struct kipc_chan *c, int owner)
{
	struct dbus_chan *d = c->priv;

	if (!d)
		return;
	while (d->nr_pending) {
		dbus.pending_call_unref(d->pending[d->head]);
		d->head = (d->head + 1) % c->opts.depth;
		d->nr_pending--;
	}
	if (d->call)
		dbus.message_unref(d->call);
	if (d->conn) {
		/*
		 * What this side sent must be routed before it goes: a daemon
		 * that sees the hang-up first may drop what it had not routed
		 * (seen with dbus-daemon 1.14: senders lost a few messages
		 * each). It handles a connection's messages in order, so its
		 * answer to a call of its own says all before it was routed.
		 */
		if (c->role == KIPC_CHAN_SENDER)
			dbus.bus_name_has_owner(d->conn, DBUS_CHAN_NAME, NULL);
		dbus.connection_flush(d->conn);
		dbus.connection_close(d->conn);
		dbus.connection_unref(d->conn);
	}
	if (owner) {
		stop_daemon(d);
		if (d->dir[0])
			chan_rundir_remove(d->dir);
	}
	free(d->pending);
	free(d);
	c->priv = NULL;
}

const struct chan_mech chan_dbus = {
	.info = { "dbus", "RPC",
		  "D-Bus method calls through a private dbus-daemon (libdbus)",
		  KIPC_CHAN_MULTI | KIPC_CHAN_CALL },
	.unavailable = dbus_unavailable,
	.limit = dbus_limit,
	.open = dbus_open,
	.attach = dbus_attach,
	.send = dbus_send,
	.recv = dbus_recv,
	.call = dbus_call,
	.reply = dbus_reply,
	.close = dbus_close,
};
