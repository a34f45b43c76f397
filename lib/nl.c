// SPDX-License-Identifier: MIT
/*
 * The "kipc" generic netlink family from userspace: list, look up and
 * remove objects, read the limits, and follow events. libnl-3 and
 * libnl-genl-3 do the socket work; none of their types reach kipc.h.
 *
 * Each call opens its own socket and closes it again, so the calls are
 * thread-safe and leave nothing open behind (a watch keeps its socket
 * until kipc_watch_close()). Errors from the kernel arrive as the exact
 * errno, read from the NLMSG_ERROR (or a dump's NLMSG_DONE) ourselves
 * rather than through libnl's lossy error codes, together with the
 * extended ack message where the kernel gave one.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/*
 * Policies from the uapi's tables of fixed-size attributes, which the
 * module fills its messages from: each attribute checked before use.
 */
#define KIPC_NL_POLICY(a, t, f) \
	[a] = { .type = sizeof(t) == sizeof(uint64_t) ? NLA_U64 : NLA_U32 },

/* What an object message may carry. */
static const struct nla_policy kipc_obj_policy[KIPC_A_MAX + 1] = {
	[KIPC_A_NAME] = { .type = NLA_STRING, .maxlen = KIPC_NAME_MAX + 1 },
	KIPC_NL_STAT_ATTRS(KIPC_NL_POLICY)
	KIPC_NL_SHM_ATTRS(KIPC_NL_POLICY)
};

/* What the limits reply may carry. */
static const struct nla_policy kipc_limits_policy[KIPC_A_MAX + 1] = {
	KIPC_NL_LIMITS_ATTRS(KIPC_NL_POLICY)
};

/* errno for a libnl error code of something that failed on our side. */
static int kipc_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_INTR:
		return EINTR;
	case NLE_PERM:
		return EPERM;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_BAD_SOCK:
		return EBADF;
	case NLE_MSGSIZE:
		return EMSGSIZE;
	case NLE_OBJ_NOTFOUND:
		/* The family or its group is not registered. */
		return EPROTONOSUPPORT;
	case NLE_PROTO_MISMATCH:
		return EPROTONOSUPPORT;
	default:
		return EPROTO;
	}
}

/*
 * A generic netlink socket with extended acks on (and requests not echoed
 * back in errors), and the family's id. Returns NULL with errno set.
 */
static struct nl_sock *kipc_nl_connect(int *family)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, err;

	if (!sk) {
		errno = ENOMEM;
		return NULL;
	}
	err = genl_connect(sk);
	if (err < 0)
		goto fail;
	/* Best effort: a kernel without them still answers. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	err = genl_ctrl_resolve(sk, KIPC_GENL_NAME);
	if (err < 0)
		goto fail;
	*family = err;
	return sk;

fail:
	nl_socket_free(sk);
	errno = kipc_nl_errno(err);
	return NULL;
}

/* One request and its answers; see kipc_nl_transact(). */
struct kipc_nl_req {
	bool done;
	int err;		/* the kernel's errno, 0 if none */
	char *why;		/* the extack message goes here, if not NULL */
	size_t whylen;
	int (*parse)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	int stop;		/* what @parse returned to stop, 0 if it did not */
};

/* Keep the extack message in @attrs (@len bytes of attributes), if any. */
static void kipc_nl_extack(struct kipc_nl_req *req, struct nlattr *attrs,
			   int len)
{
	struct nlattr *msg;

	if (!req->why || !req->whylen || len <= 0)
		return;
	msg = nla_find(attrs, len, NLMSGERR_ATTR_MSG);
	if (msg && nla_len(msg) > 0)
		snprintf(req->why, req->whylen, "%.*s", nla_len(msg),
			 (const char *)nla_data(msg));
}

static int kipc_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct kipc_nl_req *req = arg;
	int ret;

	if (!req->parse)
		return NL_OK;
	ret = req->parse(nlmsg_hdr(msg), req->arg);
	if (ret) {
		req->stop = ret;
		req->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int kipc_nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct kipc_nl_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/* NLMSG_DONE; an error found after a dump started travels in it. */
static int kipc_nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct kipc_nl_req *req = arg;
	int len = nlh->nlmsg_len - NLMSG_HDRLEN;
	int error;

	req->done = true;
	if (len >= (int)sizeof(error)) {
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
		if (error < 0) {
			req->err = -error;
			if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
				kipc_nl_extack(req, (struct nlattr *)
					       ((char *)nlmsg_data(nlh) +
						NLA_ALIGN(sizeof(error))),
					       len - NLA_ALIGN(sizeof(error)));
		}
	}
	return NL_STOP;
}

/*
 * NLMSG_ERROR with a non-zero error. libnl hands over the struct nlmsgerr,
 * the payload of the message, whose header is just before it.
 */
static int kipc_nl_on_error(struct sockaddr_nl *who, struct nlmsgerr *e,
			    void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct kipc_nl_req *req = arg;
	int off = sizeof(*e);

	(void)who;
	req->err = e->error < 0 ? -e->error : EPROTO;
	req->done = true;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		kipc_nl_extack(req, (struct nlattr *)((char *)e + NLA_ALIGN(off)),
			       (int)(nlh->nlmsg_len - NLMSG_HDRLEN) -
			       NLA_ALIGN(off));
	}
	return NL_STOP;
}

/*
 * Send @msg and read the answers until the ack, the end of the dump or an
 * error, handing each reply to @req->parse. Returns 0, what @req->parse
 * returned to stop, or -1 with errno (the kernel's, or a socket error).
 */
static int kipc_nl_transact(struct nl_sock *sk, struct nl_msg *msg,
			    struct kipc_nl_req *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err, ret = 0;

	if (!cb) {
		errno = ENOMEM;
		return -1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kipc_nl_on_valid, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kipc_nl_on_ack, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, kipc_nl_on_finish, req);
	nl_cb_err(cb, NL_CB_CUSTOM, kipc_nl_on_error, req);
	if (req->why && req->whylen)
		req->why[0] = '\0';

	err = nl_send_auto(sk, msg);
	if (err < 0) {
		errno = kipc_nl_errno(err);
		ret = -1;
		goto out;
	}
	while (!req->done) {
		err = nl_recvmsgs(sk, cb);
		if (err < 0 && !req->done) {
			errno = kipc_nl_errno(err);
			ret = -1;
			goto out;
		}
	}
	if (req->stop) {
		ret = req->stop;
	} else if (req->err) {
		errno = req->err;
		ret = -1;
	}
out:
	nl_cb_put(cb);
	return ret;
}

/*
 * Connect, send @cmd with @flags and, if given, @name and @type, and run
 * it. Returns as kipc_nl_transact().
 */
static int kipc_nl_request(uint8_t cmd, int flags, const char *name,
			   int type, struct kipc_nl_req *req)
{
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret = -1, saved;

	sk = kipc_nl_connect(&family);
	if (!sk)
		return -1;
	msg = nlmsg_alloc();
	if (!msg) {
		errno = ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, KIPC_GENL_VERSION) ||
	    (name && nla_put_string(msg, KIPC_A_NAME, name) < 0) ||
	    (type && nla_put_u32(msg, KIPC_A_TYPE, type) < 0)) {
		errno = EMSGSIZE;
		goto out;
	}
	ret = kipc_nl_transact(sk, msg, req);
out:
	saved = errno;
	nlmsg_free(msg);
	nl_socket_free(sk);
	errno = saved;
	return ret;
}

/*
 * kipc_kernel_name(), and ENAMETOOLONG past KIPC_NAME_MAX as the ioctls
 * say (netlink's policy can only call it EINVAL).
 */
static const char *kipc_nl_name(const char *name)
{
	name = kipc_kernel_name(name);
	if (name && strlen(name) > KIPC_NAME_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return name;
}

/* A fixed-size attribute of @len bytes (its policy checked it), 0 if absent. */
static uint64_t get_attr(struct nlattr **tb, int attr, size_t len)
{
	if (!tb[attr])
		return 0;
	return len == sizeof(uint64_t) ? nla_get_u64(tb[attr]) : nla_get_u32(tb[attr]);
}

/*
 * An object message into @st, and a region's own attributes into @shm if
 * it is not NULL (its size and resident bytes are @st's capacity and
 * fill); -1 with EPROTO if it is not one.
 */
static int kipc_nl_parse_obj(struct nlmsghdr *nlh, struct kipc_stat *st,
			     struct kipc_shm_info *shm)
{
	struct nlattr *tb[KIPC_A_MAX + 1];

	if (genlmsg_parse(nlh, 0, tb, KIPC_A_MAX, kipc_obj_policy) < 0 ||
	    !tb[KIPC_A_ID] || !tb[KIPC_A_TYPE]) {
		errno = EPROTO;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
#define KIPC_NL_GET_STAT(a, t, f)	st->f = get_attr(tb, a, sizeof(t));
	KIPC_NL_STAT_ATTRS(KIPC_NL_GET_STAT)
	if (tb[KIPC_A_NAME])
		snprintf(st->name, sizeof(st->name), "%s",
			 nla_get_string(tb[KIPC_A_NAME]));
	if (shm)
		memset(shm, 0, sizeof(*shm));
	if (shm && st->type == KIPC_SHM) {
		shm->size = st->capacity;
		shm->resident = st->fill;
#define KIPC_NL_GET_SHM(a, t, f)	shm->f = get_attr(tb, a, sizeof(t));
		KIPC_NL_SHM_ATTRS(KIPC_NL_GET_SHM)
	}
	return 0;
}

struct kipc_list_ctx {
	int (*fn)(const struct kipc_stat *st, void *arg);
	void *arg;
	struct kipc_stat st;
};

static int kipc_list_one(struct nlmsghdr *nlh, void *arg)
{
	struct kipc_list_ctx *ctx = arg;

	if (genlmsg_hdr(nlh)->cmd != KIPC_CMD_GET)
		return 0;
	if (kipc_nl_parse_obj(nlh, &ctx->st, NULL) < 0)
		return 0;	/* not ours to judge: skip it */
	return ctx->fn(&ctx->st, ctx->arg);
}

int kipc_list(int type, int (*fn)(const struct kipc_stat *st, void *arg),
	      void *arg)
{
	struct kipc_list_ctx ctx = { .fn = fn, .arg = arg };
	struct kipc_nl_req req = { .parse = kipc_list_one, .arg = &ctx };

	if (!fn || type < 0 || type > KIPC_TYPE_MAX) {
		errno = EINVAL;
		return -1;
	}
	return kipc_nl_request(KIPC_CMD_GET, NLM_F_DUMP, NULL, type, &req);
}

/* A reply to a do request, and whether it came. */
struct kipc_reply_ctx {
	void *out;
	struct kipc_shm_info *shm;	/* get: a region's attributes */
	bool got;
};

static int kipc_lookup_one(struct nlmsghdr *nlh, void *arg)
{
	struct kipc_reply_ctx *ctx = arg;

	if (genlmsg_hdr(nlh)->cmd == KIPC_CMD_GET &&
	    !kipc_nl_parse_obj(nlh, ctx->out, ctx->shm))
		ctx->got = true;
	return 0;
}

int kipc_lookup(const char *name, struct kipc_stat *st)
{
	return kipc_lookup_shm(name, st, NULL);
}

int kipc_lookup_shm(const char *name, struct kipc_stat *st,
		    struct kipc_shm_info *shm)
{
	struct kipc_reply_ctx ctx = { .out = st, .shm = shm };
	struct kipc_nl_req req = { .parse = kipc_lookup_one, .arg = &ctx };

	name = kipc_nl_name(name);
	if (!name)
		return -1;
	if (!st) {
		errno = EINVAL;
		return -1;
	}
	if (kipc_nl_request(KIPC_CMD_GET, 0, name, 0, &req) < 0)
		return -1;
	if (!ctx.got) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int kipc_remove(const char *name, char *why, size_t whylen)
{
	struct kipc_nl_req req = { .why = why, .whylen = whylen };

	if (why && whylen)
		why[0] = '\0';
	name = kipc_nl_name(name);
	if (!name)
		return -1;
	return kipc_nl_request(KIPC_CMD_UNLINK, 0, name, 0, &req) < 0 ? -1 : 0;
}

static int kipc_limits_one(struct nlmsghdr *nlh, void *arg)
{
	struct kipc_reply_ctx *ctx = arg;
	struct nlattr *tb[KIPC_A_MAX + 1];
	struct kipc_limits *l = ctx->out;

	if (genlmsg_hdr(nlh)->cmd != KIPC_CMD_LIMITS ||
	    genlmsg_parse(nlh, 0, tb, KIPC_A_MAX, kipc_limits_policy) < 0 ||
	    !tb[KIPC_A_LIMIT_OBJECTS])
		return 0;
#define KIPC_NL_GET_LIMIT(a, t, f)	l->f = get_attr(tb, a, sizeof(t));
	KIPC_NL_LIMITS_ATTRS(KIPC_NL_GET_LIMIT)
	ctx->got = true;
	return 0;
}

int kipc_limits(struct kipc_limits *limits)
{
	struct kipc_reply_ctx ctx = { .out = limits };
	struct kipc_nl_req req = { .parse = kipc_limits_one, .arg = &ctx };

	if (!limits) {
		errno = EINVAL;
		return -1;
	}
	memset(limits, 0, sizeof(*limits));
	if (kipc_nl_request(KIPC_CMD_LIMITS, 0, NULL, 0, &req) < 0)
		return -1;
	if (!ctx.got) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

const char *kipc_event_name(int kind)
{
	switch (kind) {
	case KIPC_EVENT_CREATED:
		return "created";
	case KIPC_EVENT_UNLINKED:
		return "unlinked";
	case KIPC_EVENT_DESTROYED:
		return "destroyed";
	default:
		return NULL;
	}
}

/*
 * Events. One multicast message is one datagram, but the buffer is read
 * as a sequence of messages all the same.
 */
#define KIPC_WATCH_BUF		65536
#define KIPC_WATCH_RCVBUF	(1 << 20)

struct kipc_watch {
	struct nl_sock *sk;
	int family;
	size_t len, off;	/* unread messages in @buf */
	char buf[KIPC_WATCH_BUF];
};

struct kipc_watch *kipc_watch_open(void)
{
	struct kipc_watch *w = calloc(1, sizeof(*w));
	int grp, err, saved;

	if (!w)
		return NULL;
	w->sk = kipc_nl_connect(&w->family);
	if (!w->sk)
		goto fail;
	grp = genl_ctrl_resolve_grp(w->sk, KIPC_GENL_NAME,
				    KIPC_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		errno = kipc_nl_errno(grp);
		goto fail;
	}
	/* Events carry no sequence numbers of ours. */
	nl_socket_disable_seq_check(w->sk);
	/* Room for bursts; capped by net.core.rmem_max for most users. */
	nl_socket_set_buffer_size(w->sk, KIPC_WATCH_RCVBUF, 0);
	err = nl_socket_add_membership(w->sk, grp);
	if (!err)
		err = nl_socket_set_nonblocking(w->sk);
	if (err < 0) {
		errno = kipc_nl_errno(err);
		goto fail;
	}
	return w;

fail:
	saved = errno;
	if (w->sk)
		nl_socket_free(w->sk);
	free(w);
	errno = saved;
	return NULL;
}

int kipc_watch_fd(const struct kipc_watch *w)
{
	if (!w) {
		errno = EINVAL;
		return -1;
	}
	return nl_socket_get_fd(w->sk);
}

/* The next event in @w->buf, if any: 1 with @ev filled, else 0. */
static int kipc_watch_take(struct kipc_watch *w, struct kipc_event *ev)
{
	while (w->off < w->len) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(w->buf + w->off);
		int left = w->len - w->off;
		int kind = 0;

		if (!NLMSG_OK(nlh, left)) {
			w->off = w->len;
			break;
		}
		w->off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (nlh->nlmsg_type != w->family ||
		    !genlmsg_valid_hdr(nlh, 0))
			continue;
		switch (genlmsg_hdr(nlh)->cmd) {
		case KIPC_CMD_CREATED:
			kind = KIPC_EVENT_CREATED;
			break;
		case KIPC_CMD_UNLINKED:
			kind = KIPC_EVENT_UNLINKED;
			break;
		case KIPC_CMD_DESTROYED:
			kind = KIPC_EVENT_DESTROYED;
			break;
		}
		if (!kind || kipc_nl_parse_obj(nlh, &ev->obj, NULL) < 0)
			continue;
		ev->kind = kind;
		return 1;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kipc_watch_next(struct kipc_watch *w, struct kipc_event *ev,
		    int timeout_ms)
{
	int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
	struct pollfd pfd;
	ssize_t n;
	int wait;

	if (!w || !ev) {
		errno = EINVAL;
		return -1;
	}
	pfd.fd = nl_socket_get_fd(w->sk);
	pfd.events = POLLIN;
	for (;;) {
		if (kipc_watch_take(w, ev))
			return 1;

		n = recv(pfd.fd, w->buf, sizeof(w->buf), MSG_TRUNC);
		if (n > (ssize_t)sizeof(w->buf))
			continue;	/* no event is that big: not ours */
		if (n >= 0) {
			w->len = n;
			w->off = 0;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;	/* ENOBUFS: events were lost */

		wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			wait = left > 0 ? (left > 1 << 30 ? 1 << 30 : left) : 0;
		}
		n = poll(&pfd, 1, wait);
		if (n < 0)
			return -1;
		if (n == 0 && deadline >= 0 && now_ms() >= deadline)
			return 0;
	}
}

void kipc_watch_close(struct kipc_watch *w)
{
	if (!w)
		return;
	nl_socket_free(w->sk);
	free(w);
}
