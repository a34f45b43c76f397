// SPDX-License-Identifier: GPL-2.0
/*
 * The "kipc" generic netlink family: dumps (contents, every type, 10,000
 * objects, concurrent create/unlink), get, unlink and its permissions,
 * limits, events and their order, network namespaces (and objects that
 * outlive theirs), strict validation of malformed requests, and the
 * libkipc calls on top.
 *
 * Requests are built with libnl and answers read raw, so the test sees the
 * kernel's exact errno, extack message and datagrams, and checks every
 * attribute of every answer. Skips only if the family is absent.
 */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "common.h"
#include "kselftest_harness.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define RECV_MAX	65536
#define BIG_DUMP	10000

/* ---- connections ---------------------------------------------------- */

struct conn {
	struct nl_sock *sk;
	int fd;
	int family;
	uint32_t seq;
};

/* 0, -ENOENT if the family is absent, or another -errno. */
static int conn_open(struct conn *c)
{
	struct timeval tv = { .tv_sec = 20 };
	int one = 1, ret;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk)
		return -ENOMEM;
	if (genl_connect(c->sk) < 0) {
		nl_socket_free(c->sk);
		return -EIO;
	}
	c->fd = nl_socket_get_fd(c->sk);
	ret = genl_ctrl_resolve(c->sk, KIPC_GENL_NAME);
	if (ret < 0) {
		nl_socket_free(c->sk);
		return ret == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
	}
	c->family = ret;
	c->seq = 1000;
	setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* A missing answer fails the test instead of hanging it. */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

/*
 * A plain generic netlink socket for @family, never read with more than
 * @recvlen bytes: the kernel sizes dump messages by the largest read a
 * socket has done, and libnl's reads are large.
 */
static int conn_open_plain(struct conn *c, int family)
{
	struct timeval tv = { .tv_sec = 20 };
	int one = 1;

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (c->fd < 0)
		return -errno;
	c->family = family;
	c->seq = 1000;
	setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	else if (c->fd > 0)
		close(c->fd);
	c->sk = NULL;
	c->fd = -1;
}

/* Join the events group. */
static int conn_listen(struct conn *c)
{
	int grp = genl_ctrl_resolve_grp(c->sk, KIPC_GENL_NAME,
					KIPC_GENL_MCGRP_EVENTS);

	if (grp < 0)
		return -1;
	return nl_socket_add_membership(c->sk, grp) < 0 ? -1 : 0;
}

/* ---- answers ---------------------------------------------------------- */

struct obj {
	struct kipc_stat st;
	int cmd;
};

struct answer {
	bool done;		/* an ack, an error or NLMSG_DONE came */
	int error;		/* its errno, 0 for an ack or a clean end */
	char extack[256];
	int datagrams;
	struct obj *objs;	/* object messages, in order */
	size_t n, room;
	uint64_t attr[KIPC_A_MAX + 1];	/* the last limits reply */
	bool has[KIPC_A_MAX + 1];
	int bad;		/* malformed answers */
	char badwhy[160];
};

static void answer_free(struct answer *a)
{
	free(a->objs);
	memset(a, 0, sizeof(*a));
}

/* How each attribute must look in an answer: 4, 8 bytes, 's'tring, 'p'ad. */
static const int attr_kind[KIPC_A_MAX + 1] = {
	[KIPC_A_PAD] = 'p', [KIPC_A_ID] = 8, [KIPC_A_TYPE] = 4,
	[KIPC_A_NAME] = 's', [KIPC_A_UID] = 4, [KIPC_A_GID] = 4,
	[KIPC_A_MODE] = 4, [KIPC_A_FLAGS] = 4, [KIPC_A_CAPACITY] = 8,
	[KIPC_A_FILL] = 8, [KIPC_A_HIGH_WATER] = 8, [KIPC_A_IN_OPS] = 8,
	[KIPC_A_OUT_OPS] = 8, [KIPC_A_IN_BYTES] = 8, [KIPC_A_OUT_BYTES] = 8,
	[KIPC_A_HANDLES] = 8, [KIPC_A_OPENS] = 8, [KIPC_A_BLOCKED_IN] = 4,
	[KIPC_A_BLOCKED_OUT] = 4, [KIPC_A_CTIME] = 8,
	[KIPC_A_LIMIT_OBJECTS] = 4, [KIPC_A_LIMIT_OBJECTS_PER_USER] = 4,
	[KIPC_A_LIMIT_BYTES_PER_USER] = 8, [KIPC_A_OBJECTS] = 4,
	[KIPC_A_USER_OBJECTS] = 4, [KIPC_A_USER_BYTES] = 8,
	[KIPC_A_SHM_MAPPINGS] = 8, [KIPC_A_SHM_SEALS] = 4,
};

static void bad(struct answer *a, const char *why, int type)
{
	if (!a->bad++)
		snprintf(a->badwhy, sizeof(a->badwhy), "%s (attr %d)", why,
			 type);
}

/*
 * Every attribute of a family message, checked: known type, exact size,
 * names NUL-terminated with nothing after and no '/'. Fills @v/@has.
 */
static void parse_attrs(struct answer *a, struct nlmsghdr *nlh,
			uint64_t *v, bool *has, char *name)
{
	struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		int type = nla_type(nla), len = nla_len(nla);

		if (type <= 0 || type > KIPC_A_MAX || !attr_kind[type]) {
			bad(a, "unknown attribute", type);
			continue;
		}
		if (has[type] && type != KIPC_A_PAD)
			bad(a, "attribute twice", type);
		has[type] = true;
		switch (attr_kind[type]) {
		case 4:
			if (len != 4)
				bad(a, "u32 of wrong size", type);
			else
				v[type] = nla_get_u32(nla);
			break;
		case 8:
			if (len != 8)
				bad(a, "u64 of wrong size", type);
			else
				v[type] = nla_get_u64(nla);
			break;
		case 's':
			if (len < 2 || len > KIPC_NAME_MAX + 1 ||
			    strnlen(nla_data(nla), len) != (size_t)len - 1 ||
			    strchr(nla_data(nla), '/')) {
				bad(a, "malformed name", type);
			} else {
				memcpy(name, nla_data(nla), len);
			}
			break;
		}
	}
	if (rem)
		bad(a, "trailing bytes", rem);
}

static void add_obj(struct answer *a, struct nlmsghdr *nlh)
{
	static const int must[] = {
		KIPC_A_ID, KIPC_A_TYPE, KIPC_A_UID, KIPC_A_GID, KIPC_A_MODE,
		KIPC_A_FLAGS, KIPC_A_CAPACITY, KIPC_A_FILL, KIPC_A_HIGH_WATER,
		KIPC_A_IN_OPS, KIPC_A_OUT_OPS, KIPC_A_IN_BYTES,
		KIPC_A_OUT_BYTES, KIPC_A_HANDLES, KIPC_A_OPENS,
		KIPC_A_BLOCKED_IN, KIPC_A_BLOCKED_OUT, KIPC_A_CTIME,
	};
	uint64_t v[KIPC_A_MAX + 1] = { 0 };
	bool has[KIPC_A_MAX + 1] = { false };
	struct kipc_stat *st;
	bool want;
	size_t i;

	if (a->n == a->room) {
		a->room = a->room ? 2 * a->room : 256;
		a->objs = realloc(a->objs, a->room * sizeof(*a->objs));
		if (!a->objs)
			abort();
	}
	memset(&a->objs[a->n], 0, sizeof(a->objs[a->n]));
	a->objs[a->n].cmd = genlmsg_hdr(nlh)->cmd;
	st = &a->objs[a->n++].st;
	parse_attrs(a, nlh, v, has, st->name);
	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!has[must[i]])
			bad(a, "attribute missing", must[i]);
	for (i = KIPC_A_LIMIT_OBJECTS; i <= KIPC_A_USER_BYTES; i++)
		if (has[i])
			bad(a, "limits attribute in an object", i);
	/* A region's get and dump replies carry mappings and seals; only they. */
	want = v[KIPC_A_TYPE] == KIPC_SHM &&
	       genlmsg_hdr(nlh)->cmd == KIPC_CMD_GET;
	if (has[KIPC_A_SHM_MAPPINGS] != want || has[KIPC_A_SHM_SEALS] != want)
		bad(a, want ? "region attributes missing" :
			      "region attributes where they do not belong",
		    KIPC_A_SHM_MAPPINGS);
	st->size = sizeof(*st);
	st->id = v[KIPC_A_ID];
	st->type = v[KIPC_A_TYPE];
	st->uid = v[KIPC_A_UID];
	st->gid = v[KIPC_A_GID];
	st->mode = v[KIPC_A_MODE];
	st->flags = v[KIPC_A_FLAGS];
	st->capacity = v[KIPC_A_CAPACITY];
	st->fill = v[KIPC_A_FILL];
	st->high_water = v[KIPC_A_HIGH_WATER];
	st->in_ops = v[KIPC_A_IN_OPS];
	st->out_ops = v[KIPC_A_OUT_OPS];
	st->in_bytes = v[KIPC_A_IN_BYTES];
	st->out_bytes = v[KIPC_A_OUT_BYTES];
	st->handles = v[KIPC_A_HANDLES];
	st->opens = v[KIPC_A_OPENS];
	st->blocked_in = v[KIPC_A_BLOCKED_IN];
	st->blocked_out = v[KIPC_A_BLOCKED_OUT];
	st->ctime_ns = v[KIPC_A_CTIME];
	/* A name exactly when the object is named. */
	if (has[KIPC_A_NAME] != !!(st->flags & KIPC_STAT_NAMED))
		bad(a, "name and KIPC_STAT_NAMED disagree", KIPC_A_NAME);
}

/* The extack message among @len bytes of attributes at @attrs. */
static void take_extack(struct answer *a, void *attrs, int len)
{
	struct nlattr *msg;

	if (len <= 0)
		return;
	msg = nla_find(attrs, len, NLMSGERR_ATTR_MSG);
	if (msg)
		snprintf(a->extack, sizeof(a->extack), "%.*s", nla_len(msg),
			 (char *)nla_data(msg));
}

/* One message of the answer to request @seq. */
static void take_msg(struct conn *c, struct answer *a, struct nlmsghdr *nlh)
{
	int len = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = nlmsg_data(nlh);
		int off = sizeof(*e);

		a->done = true;
		a->error = -e->error;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
			if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len - NLMSG_HDRLEN;
			off = NLA_ALIGN(off);
			take_extack(a, (char *)e + off, len - off);
		}
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		int err = 0;

		a->done = true;
		if (len >= (int)sizeof(err))
			memcpy(&err, nlmsg_data(nlh), sizeof(err));
		a->error = -err;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			take_extack(a, (char *)nlmsg_data(nlh) + 4, len - 4);
	} else if (nlh->nlmsg_type == c->family) {
		struct genlmsghdr *g = nlmsg_data(nlh);

		if (len < (int)GENL_HDRLEN) {
			bad(a, "short genl message", 0);
		} else if (g->cmd == KIPC_CMD_LIMITS) {
			memset(a->has, 0, sizeof(a->has));
			parse_attrs(a, nlh, a->attr, a->has, NULL);
		} else {
			add_obj(a, nlh);
		}
	}
}

/*
 * Read the answer to request @seq until an ack, an error or the end of a
 * dump, reading at most @recvlen bytes at a time. -1 on a socket error.
 */
static int recv_answer(struct conn *c, uint32_t seq, struct answer *a,
		       size_t recvlen)
{
	static char buf[RECV_MAX];

	while (!a->done) {
		struct nlmsghdr *nlh;
		ssize_t n = recv(c->fd, buf, recvlen, MSG_TRUNC);
		int len;

		if (n < 0)
			return -1;
		if ((size_t)n > recvlen) {
			bad(a, "datagram truncated", (int)n);
			return -1;
		}
		a->datagrams++;
		len = n;
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* stale or an event */
			take_msg(c, a, nlh);
		}
	}
	return 0;
}

/* Send @msg (completed with our seq) and read the answer. */
static int transact(struct conn *c, struct nl_msg *msg, struct answer *a,
		    size_t recvlen)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	memset(a, 0, sizeof(*a));
	nlh->nlmsg_seq = ++c->seq;
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	if (send(c->fd, nlh, nlh->nlmsg_len, 0) != (ssize_t)nlh->nlmsg_len)
		return -1;
	return recv_answer(c, nlh->nlmsg_seq, a, recvlen);
}

static struct nl_msg *request(struct conn *c, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		abort();
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags,
			 cmd, KIPC_GENL_VERSION))
		abort();
	return msg;
}

/* Dump every object (of @type, 0 for all). */
static int dump(struct conn *c, int type, struct answer *a, size_t recvlen)
{
	struct nl_msg *msg = request(c, KIPC_CMD_GET, NLM_F_DUMP);
	int ret;

	if (type)
		nla_put_u32(msg, KIPC_A_TYPE, type);
	ret = transact(c, msg, a, recvlen);
	nlmsg_free(msg);
	return ret;
}

/* A do request naming @name (NULL: none); NLM_F_ACK. */
static int do_name(struct conn *c, int cmd, const char *name, int type,
		   struct answer *a)
{
	struct nl_msg *msg = request(c, cmd, NLM_F_ACK);
	int ret;

	if (name)
		nla_put_string(msg, KIPC_A_NAME, name);
	if (type)
		nla_put_u32(msg, KIPC_A_TYPE, type);
	ret = transact(c, msg, a, RECV_MAX);
	nlmsg_free(msg);
	return ret;
}

/* The object with @id in @a, or NULL; counts how often it is there. */
static const struct kipc_stat *find(const struct answer *a, uint64_t id,
				    int *times)
{
	const struct kipc_stat *found = NULL;
	size_t i;

	*times = 0;
	for (i = 0; i < a->n; i++)
		if (a->objs[i].st.id == id) {
			found = &a->objs[i].st;
			++*times;
		}
	return found;
}

/* ---- events ----------------------------------------------------------- */

/*
 * Events read until @quiet_ms pass without one, into @a (cmd and object).
 */
static void drain_events(struct conn *c, struct answer *a, int quiet_ms)
{
	static char buf[RECV_MAX];
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	memset(a, 0, sizeof(*a));
	while (poll(&pfd, 1, quiet_ms) > 0) {
		struct nlmsghdr *nlh;
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		int len = n;

		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			bad(a, "recv failed", errno);
			return;
		}
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == c->family)
				add_obj(a, nlh);
	}
}

/* The commands of the events about @id in @a, in order, as a string. */
static const char *event_seq(const struct answer *a, uint64_t id, char *buf,
			     size_t len)
{
	static const char letter[] = {
		[KIPC_CMD_CREATED] = 'C', [KIPC_CMD_UNLINKED] = 'U',
		[KIPC_CMD_DESTROYED] = 'D',
	};
	size_t i, n = 0;

	for (i = 0; i < a->n && n + 1 < len; i++)
		if (a->objs[i].st.id == id)
			buf[n++] = a->objs[i].cmd <= KIPC_CMD_DESTROYED ?
				   letter[a->objs[i].cmd] : '?';
	buf[n] = '\0';
	return buf;
}

static const struct kipc_stat *event_of(const struct answer *a, uint64_t id,
					int cmd)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->objs[i].st.id == id && a->objs[i].cmd == cmd)
			return &a->objs[i].st;
	return NULL;
}

/* ---- objects ---------------------------------------------------------- */

static uint64_t fd_id(int fd)
{
	struct kipc_stat st;

	return raw_stat(fd, &st) ? 0 : st.id;
}

static uint64_t features(void)
{
	uint64_t f = 0;

	kipc_version(NULL, &f);
	return f;
}

/* The fields netlink and KIPC_IOC_STAT must agree on. */
#define EXPECT_SAME_STAT(a, b) do {					\
	EXPECT_EQ((a)->id, (b)->id);					\
	EXPECT_EQ((a)->type, (b)->type);				\
	EXPECT_STREQ((a)->name, (b)->name);				\
	EXPECT_EQ((a)->uid, (b)->uid);					\
	EXPECT_EQ((a)->gid, (b)->gid);					\
	EXPECT_EQ((a)->mode, (b)->mode);				\
	EXPECT_EQ((a)->flags, (b)->flags);				\
	EXPECT_EQ((a)->capacity, (b)->capacity);			\
	EXPECT_EQ((a)->fill, (b)->fill);				\
	EXPECT_EQ((a)->high_water, (b)->high_water);			\
	EXPECT_EQ((a)->in_ops, (b)->in_ops);				\
	EXPECT_EQ((a)->out_ops, (b)->out_ops);				\
	EXPECT_EQ((a)->in_bytes, (b)->in_bytes);			\
	EXPECT_EQ((a)->out_bytes, (b)->out_bytes);			\
	EXPECT_EQ((a)->handles, (b)->handles);				\
	EXPECT_EQ((a)->opens, (b)->opens);				\
	EXPECT_EQ((a)->blocked_in, (b)->blocked_in);			\
	EXPECT_EQ((a)->blocked_out, (b)->blocked_out);			\
	EXPECT_EQ((a)->ctime_ns, (b)->ctime_ns);			\
} while (0)

FIXTURE(nl) {
	struct conn c;
	struct answer a;
};

FIXTURE_SETUP(nl)
{
	int ret = conn_open(&self->c);

	if (ret == -ENOENT)
		SKIP(return, "no \"%s\" generic netlink family", KIPC_GENL_NAME);
	ASSERT_EQ(0, ret);
	memset(&self->a, 0, sizeof(self->a));
}

FIXTURE_TEARDOWN(nl)
{
	answer_free(&self->a);
	conn_close(&self->c);
}

TEST_F(nl, family_is_advertised_by_the_module)
{
	EXPECT_NE(0, features() & KIPC_FEAT_NETLINK);
	EXPECT_LT(0, self->c.family);
}

/*
 * A dump lists objects of every type the module has, named and anonymous,
 * with what KIPC_IOC_STAT says of them.
 */
TEST_F(nl, dump_lists_every_type_named_and_anonymous)
{
	struct {
		int type;
		bool named;
		uint64_t feat;
	} kinds[] = {
		{ KIPC_SEM, true, KIPC_FEAT_SEM },
		{ KIPC_SEM, false, KIPC_FEAT_SEM },
		{ KIPC_PIPE, true, KIPC_FEAT_PIPE },
		{ KIPC_PIPE, false, KIPC_FEAT_PIPE },
#ifdef KIPC_FEAT_MQ
		{ KIPC_MQ, true, KIPC_FEAT_MQ },
		{ KIPC_MQ, false, KIPC_FEAT_MQ },
#endif
#ifdef KIPC_FEAT_SHM
		{ KIPC_SHM, true, KIPC_FEAT_SHM },
		{ KIPC_SHM, false, KIPC_FEAT_SHM },
#endif
	};
	const size_t nk = sizeof(kinds) / sizeof(kinds[0]);
	char names[8][64];
	int fds[8], n_types = 0;
	uint64_t have = features();
	size_t i;

	ASSERT_GE(8, nk);
	for (i = 0; i < nk; i++) {
		struct kipc_attr attr = { 0 };
		const char *name = NULL;

		fds[i] = -1;
		if (!(have & kinds[i].feat))
			continue;
		if (kinds[i].named)
			name = uniq_name(names[i], sizeof(names[i]), "dump");
		if (kinds[i].type == KIPC_SHM)
			attr.size = 16384;
		if (kinds[i].type == KIPC_SEM)
			attr.value = i + 1;
		fds[i] = kipc_open(name, kinds[i].type,
				   O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640,
				   &attr);
		ASSERT_LE(0, fds[i]) TH_LOG("type %d: %s", kinds[i].type,
					    strerror(errno));
		n_types += kinds[i].named;
	}
	EXPECT_LE(2, n_types);

	ASSERT_EQ(0, dump(&self->c, 0, &self->a, RECV_MAX));
	EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
	EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
	for (i = 0; i < self->a.n; i++) {
		EXPECT_EQ(KIPC_CMD_GET, self->a.objs[i].cmd);
		if (i)
			EXPECT_LT(self->a.objs[i - 1].st.id,
				  self->a.objs[i].st.id);
	}

	for (i = 0; i < nk; i++) {
		const struct kipc_stat *got;
		struct kipc_stat want;
		int times;

		if (fds[i] < 0)
			continue;
		ASSERT_EQ(0, raw_stat(fds[i], &want));
		got = find(&self->a, want.id, &times);
		ASSERT_NE(NULL, got) TH_LOG("type %d named %d missing",
					    kinds[i].type, kinds[i].named);
		EXPECT_EQ(1, times);
		if (!kinds[i].named)
			EXPECT_STREQ("", got->name);
		EXPECT_EQ(kinds[i].named ? KIPC_STAT_NAMED : 0, got->flags);
		EXPECT_EQ(1, got->handles);
		EXPECT_EQ(getuid(), got->uid);
		EXPECT_SAME_STAT(got, &want);
		close(fds[i]);
		if (kinds[i].named)
			EXPECT_EQ(0, kipc_unlink(names[i]));
	}
}

/* A pipe's two ends, and a type filter done by the kernel. */
TEST_F(nl, dump_filters_by_type_and_counts_pipe_ends)
{
	struct kipc_stat st;
	const struct kipc_stat *got;
	int p[2], sfd, times;
	size_t i;

	ASSERT_EQ(0, kipc_pipe(p, 0, O_CLOEXEC));
	ASSERT_EQ(5, write(p[1], "hello", 5));
	sfd = raw_sem(NULL, O_RDWR, 0, 0);
	ASSERT_LE(0, sfd);

	ASSERT_EQ(0, dump(&self->c, KIPC_PIPE, &self->a, RECV_MAX));
	EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
	EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
	for (i = 0; i < self->a.n; i++)
		EXPECT_EQ(KIPC_PIPE, self->a.objs[i].st.type);
	ASSERT_EQ(0, raw_stat(p[0], &st));
	got = find(&self->a, st.id, &times);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(1, times);
	EXPECT_EQ(2, got->handles);
	EXPECT_EQ(5, got->fill);
	EXPECT_EQ(1, got->in_ops);
	EXPECT_EQ(5, got->in_bytes);
	EXPECT_EQ(KIPC_PIPE_DEFAULT_SIZE, got->capacity);
	find(&self->a, fd_id(sfd), &times);
	EXPECT_EQ(0, times);
	answer_free(&self->a);

	ASSERT_EQ(0, dump(&self->c, KIPC_SEM, &self->a, RECV_MAX));
	find(&self->a, fd_id(sfd), &times);
	EXPECT_EQ(1, times);
	find(&self->a, st.id, &times);
	EXPECT_EQ(0, times);
	close(p[0]);
	close(p[1]);
	close(sfd);
}

/* get finds a name without opening it: no handle, no open counted. */
TEST_F(nl, get_by_name_opens_nothing)
{
	struct kipc_stat want;
	char name[64];
	int fd;

	uniq_name(name, sizeof(name), "get");
	/* A FIFO nobody reads or writes: an open would wait or fail. */
	fd = kipc_open(name, KIPC_PIPE, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		       0600, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_stat(fd, &want));
	close(fd);
	want.handles = 0;

	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_GET, name, 0, &self->a));
	EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
	EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
	ASSERT_EQ(1, self->a.n);
	EXPECT_EQ(KIPC_CMD_GET, self->a.objs[0].cmd);
	EXPECT_SAME_STAT(&self->a.objs[0].st, &want);
	answer_free(&self->a);

	/* Twice more, with the right type: opens stays at 1. */
	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_GET, name, KIPC_PIPE,
			     &self->a));
	ASSERT_EQ(1, self->a.n);
	EXPECT_EQ(1, self->a.objs[0].st.opens);
	EXPECT_EQ(0, self->a.objs[0].st.handles);
	answer_free(&self->a);

	/* The wrong type is refused, with a reason. */
	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_GET, name, KIPC_SEM, &self->a));
	EXPECT_EQ(EMEDIUMTYPE, self->a.error);
	EXPECT_EQ(0, self->a.n);
	EXPECT_STREQ("the object has another type", self->a.extack);
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST_F(nl, get_missing_name_is_enoent_with_extack)
{
	char name[64];

	uniq_name(name, sizeof(name), "none");
	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_GET, name, 0, &self->a));
	EXPECT_EQ(ENOENT, self->a.error);
	EXPECT_EQ(0, self->a.n);
	EXPECT_STREQ("no such object in this network namespace",
		     self->a.extack);
}

/* Unlinking by the owner: the name goes, the object lives on. */
TEST_F(nl, unlink_by_owner_keeps_the_object)
{
	struct kipc_stat st;
	char name[64];
	int fd;

	uniq_name(name, sizeof(name), "unl");
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 4);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_UNLINK, name, KIPC_SEM,
			     &self->a));
	EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
	EXPECT_EQ(0, self->a.n);
	EXPECT_EQ(-1, raw_sem(name, O_RDWR, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(4, sem_value(fd));
	ASSERT_EQ(0, raw_stat(fd, &st));
	EXPECT_EQ(KIPC_STAT_NAMED | KIPC_STAT_UNLINKED, st.flags);
	answer_free(&self->a);

	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_UNLINK, name, 0, &self->a));
	EXPECT_EQ(ENOENT, self->a.error);
	EXPECT_STREQ("no such object in this network namespace",
		     self->a.extack);
	close(fd);
}

struct unlink_arg {
	const char *name;
	char why[256];
};

/* In a child: unlink over netlink; 0, the errno, or 100+ on trouble. */
static int child_unlink(void *arg)
{
	struct unlink_arg *u = arg;
	struct answer a;
	struct conn c;
	int ret;

	if (conn_open(&c))
		return 100;
	if (do_name(&c, KIPC_CMD_UNLINK, u->name, 0, &a))
		return 101;
	ret = a.error;
	/* The reason travels back in the exit status's stead: check here. */
	if (ret == EPERM &&
	    strcmp(a.extack, "only the owner or CAP_SYS_ADMIN may unlink it"))
		ret = 102;
	answer_free(&a);
	conn_close(&c);
	return ret;
}

static int child_create(void *arg)
{
	int fd = raw_sem(arg, O_RDWR | O_CREAT | O_EXCL, 0600, 0);

	if (fd < 0)
		return 100;
	close(fd);
	return 0;
}

static int child_remove(void *arg)
{
	struct unlink_arg *u = arg;

	if (!kipc_remove(u->name, u->why, sizeof(u->why)))
		return 0;
	if (errno == EPERM &&
	    strcmp(u->why, "only the owner or CAP_SYS_ADMIN may unlink it"))
		return 102;
	return errno;
}

/* Someone else's object: EPERM with the reason, and the name stays. */
TEST_F(nl, unlink_by_other_user_is_eperm_with_extack)
{
	struct unlink_arg u;
	char name[64];
	int fd;

	u.name = uniq_name(name, sizeof(name), "perm");
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0666, 0);
	ASSERT_LE(0, fd);

	EXPECT_EQ(EPERM, run_as(NOBODY, NOBODY, -1, child_unlink, &u));
	close(fd);
	fd = raw_sem(name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd);
	close(fd);

	/* The library passes the kernel's words on. */
	EXPECT_EQ(EPERM, run_as(NOBODY, NOBODY, -1, child_remove, &u));
	EXPECT_EQ(0, kipc_unlink(name));
}

/*
 * The owner may unlink without privilege; CAP_SYS_ADMIN may unlink
 * anybody's; libkipc's kipc_remove() reports the kernel's reason.
 */
TEST_F(nl, unlink_owner_and_admin_may)
{
	struct unlink_arg u;
	char name[64];

	u.name = uniq_name(name, sizeof(name), "own");
	ASSERT_EQ(0, run_as(NOBODY, NOBODY, -1, child_create, name));
	EXPECT_EQ(0, run_as(NOBODY, NOBODY, -1, child_remove, &u));

	ASSERT_EQ(0, run_as(NOBODY, NOBODY, -1, child_create, name));
	EXPECT_EQ(EPERM, run_as(NOBODY + 1, NOBODY, -1, child_remove, &u));
	/* Root is not the owner, but has CAP_SYS_ADMIN. */
	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_UNLINK, name, 0, &self->a));
	EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
}

/*
 * CAP_SYS_ADMIN must be had by the socket's opener too: a socket opened
 * while unprivileged gains nothing from a privileged sender.
 */
TEST_F(nl, unlink_capability_is_checked_on_the_socket_opener)
{
	char name[64];
	int status;
	pid_t pid;

	uniq_name(name, sizeof(name), "opener");
	ASSERT_EQ(0, run_as(NOBODY, NOBODY, -1, child_create, name));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct answer a;
		struct conn c;

		/* Unprivileged for the socket, saved uid 0 to come back. */
		if (setresuid(NOBODY + 1, NOBODY + 1, 0))
			_exit(100);
		if (conn_open(&c))
			_exit(101);
		if (setresuid(0, 0, 0))
			_exit(102);
		if (do_name(&c, KIPC_CMD_UNLINK, name, 0, &a))
			_exit(103);
		_exit(a.error);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	EXPECT_EQ(0, kipc_unlink(name));
}

TEST_F(nl, limits_match_parameters_and_usage)
{
	uint64_t objects, bytes;
	char name[64];
	int fd;

	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_LIMITS, NULL, 0, &self->a));
	EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
	EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
	ASSERT_TRUE(self->a.has[KIPC_A_LIMIT_OBJECTS]);
	EXPECT_EQ(param_get("max_objects"),
		  (long long)self->a.attr[KIPC_A_LIMIT_OBJECTS]);
	EXPECT_EQ(param_get("max_objects_per_user"),
		  (long long)self->a.attr[KIPC_A_LIMIT_OBJECTS_PER_USER]);
	EXPECT_EQ(param_get("max_bytes_per_user"),
		  (long long)self->a.attr[KIPC_A_LIMIT_BYTES_PER_USER]);
	EXPECT_TRUE(self->a.has[KIPC_A_OBJECTS]);
	EXPECT_TRUE(self->a.has[KIPC_A_USER_OBJECTS]);
	EXPECT_TRUE(self->a.has[KIPC_A_USER_BYTES]);
	EXPECT_EQ(getuid(), self->a.attr[KIPC_A_UID]);
	EXPECT_LE(self->a.attr[KIPC_A_USER_OBJECTS],
		  self->a.attr[KIPC_A_OBJECTS]);
	objects = self->a.attr[KIPC_A_USER_OBJECTS];
	bytes = self->a.attr[KIPC_A_USER_BYTES];
	answer_free(&self->a);

	fd = raw_sem(uniq_name(name, sizeof(name), "lim"),
		     O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_LIMITS, NULL, 0, &self->a));
	EXPECT_EQ(objects + 1, self->a.attr[KIPC_A_USER_OBJECTS]);
	EXPECT_LT(bytes + KIPC_NAME_MAX, self->a.attr[KIPC_A_USER_BYTES]);
	close(fd);
	EXPECT_EQ(0, kipc_unlink(name));
}

/* created, unlinked, destroyed: in that order, with the object's state. */
TEST_F(nl, events_for_a_named_object_in_order)
{
	const struct kipc_stat *ev;
	struct kipc_sem_post post = { .count = 3 };
	struct conn w;
	char name[64], seq[16];
	uint64_t id;
	int fd, fd2;

	ASSERT_EQ(0, conn_open(&w));
	ASSERT_EQ(0, conn_listen(&w));

	umask(022);
	uniq_name(name, sizeof(name), "ev");
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0640, 0);
	ASSERT_LE(0, fd);
	id = fd_id(fd);
	/* Opening it again or failing to create it announces nothing. */
	fd2 = raw_sem(name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd2);
	close(fd2);
	EXPECT_EQ(-1, raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 0));
	ASSERT_EQ(0, ioctl(fd, KIPC_IOC_SEM_POST, &post));
	ASSERT_EQ(0, raw_unlink(name));
	close(fd);

	drain_events(&w, &self->a, 500);
	EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
	EXPECT_STREQ("CUD", event_seq(&self->a, id, seq, sizeof(seq)));
	ev = event_of(&self->a, id, KIPC_CMD_CREATED);
	ASSERT_NE(NULL, ev);
	EXPECT_STREQ(name, ev->name);
	EXPECT_EQ(KIPC_SEM, ev->type);
	EXPECT_EQ(KIPC_STAT_NAMED, ev->flags);
	EXPECT_EQ(1, ev->handles);
	EXPECT_EQ(0640, ev->mode);
	ev = event_of(&self->a, id, KIPC_CMD_UNLINKED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(KIPC_STAT_NAMED | KIPC_STAT_UNLINKED, ev->flags);
	ev = event_of(&self->a, id, KIPC_CMD_DESTROYED);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(0, ev->handles);
	EXPECT_EQ(3, ev->fill);
	EXPECT_EQ(3, ev->in_ops);
	EXPECT_STREQ(name, ev->name);
	conn_close(&w);
}

/*
 * Anonymous objects: created with the first handle (a pipe with both),
 * destroyed with the last; a name unlinked over netlink, with no handle
 * left, is destroyed at once.
 */
TEST_F(nl, events_for_anonymous_objects_and_netlink_unlink)
{
	struct answer a2;
	struct conn w;
	char name[64], seq[16];
	uint64_t sid, pid_, nid;
	int sfd, p[2], fd;

	ASSERT_EQ(0, conn_open(&w));
	ASSERT_EQ(0, conn_listen(&w));

	sfd = raw_sem(NULL, O_RDWR, 0, 0);
	ASSERT_LE(0, sfd);
	sid = fd_id(sfd);
	ASSERT_EQ(0, kipc_pipe(p, 0, O_CLOEXEC));
	pid_ = fd_id(p[0]);
	fd = raw_sem(uniq_name(name, sizeof(name), "evn"),
		     O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	nid = fd_id(fd);
	close(fd);
	close(sfd);
	close(p[1]);
	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_UNLINK, name, 0, &a2));
	EXPECT_EQ(0, a2.error);
	answer_free(&a2);

	drain_events(&w, &self->a, 500);
	EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
	EXPECT_STREQ("CD", event_seq(&self->a, sid, seq, sizeof(seq)));
	EXPECT_STREQ("C", event_seq(&self->a, pid_, seq, sizeof(seq)));
	EXPECT_STREQ("CUD", event_seq(&self->a, nid, seq, sizeof(seq)));
	ASSERT_NE(NULL, event_of(&self->a, pid_, KIPC_CMD_CREATED));
	EXPECT_EQ(2, event_of(&self->a, pid_, KIPC_CMD_CREATED)->handles);
	EXPECT_STREQ("", event_of(&self->a, sid, KIPC_CMD_CREATED)->name);
	answer_free(&self->a);

	close(p[0]);
	drain_events(&w, &self->a, 500);
	EXPECT_STREQ("D", event_seq(&self->a, pid_, seq, sizeof(seq)));
	conn_close(&w);
}

/*
 * 10,000 objects: the dump spans many messages, and lists each of them
 * exactly once, in increasing id order.
 */
TEST_F_TIMEOUT(nl, dump_of_10000_objects_is_complete_and_exact, 600)
{
	uint64_t *ids = calloc(BIG_DUMP, sizeof(*ids));
	char (*names)[48] = calloc(BIG_DUMP, sizeof(*names));
	size_t i, j, matched = 0;

	ASSERT_NE(NULL, ids);
	ASSERT_NE(NULL, names);
	for (i = 0; i < BIG_DUMP; i++) {
		int fd;

		snprintf(names[i], sizeof(names[i]), "t-big-%d-%zu",
			 getpid(), i);
		fd = raw_sem(names[i], O_RDWR | O_CREAT | O_EXCL, 0600, 0);
		ASSERT_LE(0, fd) TH_LOG("object %zu: %s", i, strerror(errno));
		ids[i] = fd_id(fd);
		close(fd);
	}

	ASSERT_EQ(0, dump(&self->c, 0, &self->a, RECV_MAX));
	EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
	EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
	EXPECT_LT(10, self->a.datagrams);
	/* Both lists are in increasing id order: one merge pass. */
	for (i = 0, j = 0; i < self->a.n; i++) {
		if (i)
			ASSERT_LT(self->a.objs[i - 1].st.id,
				  self->a.objs[i].st.id);
		while (j < BIG_DUMP && ids[j] < self->a.objs[i].st.id)
			j++;
		if (j < BIG_DUMP && ids[j] == self->a.objs[i].st.id) {
			EXPECT_STREQ(names[j], self->a.objs[i].st.name);
			matched++;
		}
	}
	EXPECT_EQ(BIG_DUMP, matched);

	for (i = 0; i < BIG_DUMP; i++)
		ASSERT_EQ(0, raw_unlink(names[i]));
	free(ids);
	free(names);
}

/*
 * A dump keeps a reference to the last object it sent, to resume there:
 * a dump abandoned halfway (its socket closed) must give it back, so that
 * every object goes once its descriptors do and a later dump lists none.
 */
TEST_F(nl, abandoned_dump_lets_its_objects_go)
{
	enum { N = 300 };
	struct nl_msg *msg;
	struct nlmsghdr *nlh;
	struct conn c;
	uint64_t ids[N];
	char buf[8192];
	int fds[N], i, j;

	for (i = 0; i < N; i++) {
		fds[i] = raw_sem(NULL, O_RDWR, 0, 0);
		ASSERT_LE(0, fds[i]);
		ids[i] = fd_id(fds[i]);
	}
	ASSERT_EQ(0, conn_open(&c));
	msg = request(&c, KIPC_CMD_GET, NLM_F_DUMP);
	nlh = nlmsg_hdr(msg);
	nlh->nlmsg_seq = ++c.seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	ASSERT_EQ((ssize_t)nlh->nlmsg_len, send(c.fd, nlh, nlh->nlmsg_len, 0));
	nlmsg_free(msg);
	/* One datagram of the dump, not the end of it: then walk away. */
	ASSERT_LT(0, recv(c.fd, buf, sizeof(buf), 0));
	conn_close(&c);
	for (i = 0; i < N; i++)
		close(fds[i]);

	ASSERT_EQ(0, dump(&self->c, 0, &self->a, RECV_MAX));
	EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
	for (i = 0; i < (int)self->a.n; i++)
		for (j = 0; j < N; j++)
			ASSERT_NE(ids[j], self->a.objs[i].st.id)
				TH_LOG("object %d outlived its descriptors", j);
}

/*
 * While another process creates and unlinks objects as fast as it can,
 * dumps in small pieces list every object that exists throughout exactly
 * once, and no object twice.
 */
TEST_F_TIMEOUT(nl, dump_during_concurrent_create_unlink, 600)
{
	enum { STABLE = 1000, DUMPS = 5 };
	uint64_t ids[STABLE];
	char names[STABLE][48];
	struct conn small;
	int d, status;
	size_t i, j;
	pid_t churn;

	ASSERT_EQ(0, conn_open_plain(&small, self->c.family));

	for (i = 0; i < STABLE; i++) {
		int fd;

		snprintf(names[i], sizeof(names[i]), "t-stable-%d-%zu",
			 getpid(), i);
		fd = raw_sem(names[i], O_RDWR | O_CREAT | O_EXCL, 0600, 0);
		ASSERT_LE(0, fd);
		ids[i] = fd_id(fd);
		close(fd);
	}

	churn = fork();
	ASSERT_LE(0, churn);
	if (churn == 0) {
		char name[64];
		unsigned long n;

		/* Gone with the test, even if it fails half-way. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (n = 0;; n++) {
			int fd, anon;

			snprintf(name, sizeof(name), "t-churn-%d-%lu",
				 getpid(), n % 64);
			fd = raw_sem(name, O_RDWR | O_CREAT, 0600, 0);
			anon = raw_sem(NULL, O_RDWR, 0, 0);
			if (fd >= 0)
				close(fd);
			if (n % 2)
				raw_unlink(name);
			if (anon >= 0)
				close(anon);
		}
	}

	for (d = 0; d < DUMPS; d++) {
		/* 8 KiB reads keep the kernel's dump skbs small. */
		ASSERT_EQ(0, dump(&small, 0, &self->a, 8192));
		EXPECT_EQ(0, self->a.error) TH_LOG("%s", self->a.extack);
		EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
		EXPECT_LT(20, self->a.datagrams);
		for (i = 1; i < self->a.n; i++)
			ASSERT_LT(self->a.objs[i - 1].st.id,
				  self->a.objs[i].st.id);
		for (i = 0, j = 0; i < STABLE; i++) {
			while (j < self->a.n && self->a.objs[j].st.id < ids[i])
				j++;
			ASSERT_LT(j, self->a.n) TH_LOG("dump %d: %s missing",
						      d, names[i]);
			ASSERT_EQ(ids[i], self->a.objs[j].st.id)
				TH_LOG("dump %d: %s missing", d, names[i]);
		}
		answer_free(&self->a);
	}

	kill(churn, SIGKILL);
	ASSERT_EQ(churn, waitpid(churn, &status, 0));
	for (i = 0; i < 64; i++) {
		char name[64];

		snprintf(name, sizeof(name), "t-churn-%d-%zu", churn, i);
		raw_unlink(name);
	}
	for (i = 0; i < STABLE; i++)
		ASSERT_EQ(0, raw_unlink(names[i]));
	conn_close(&small);
}

/* Write @n ids to @fd. */
static int put_ids(int fd, const uint64_t *ids, size_t n)
{
	return write(fd, ids, n * sizeof(*ids)) == (ssize_t)(n * sizeof(*ids))
		? 0 : -1;
}

/*
 * In a child in a new network namespace: what it sees. Exit 0 if all is
 * as it should be, else the number of the failed check.
 */
static int netns_child(const char *outer, int idfd)
{
	char seq[8], name[96];
	struct answer a, ev;
	struct conn c, w;
	uint64_t ids[2];
	int fd, anon;

	if (unshare(CLONE_NEWNET))
		return 10;
	/* The family is there in every namespace (netnsok). */
	if (conn_open(&c) || conn_open(&w) || conn_listen(&w))
		return 11;
	if (dump(&c, 0, &a, RECV_MAX) || a.error || a.n)
		return 12;		/* a new namespace has no objects */
	answer_free(&a);
	snprintf(name, sizeof(name), "%s-inner", outer);
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	anon = raw_sem(NULL, O_RDWR, 0, 0);
	if (fd < 0 || anon < 0)
		return 13;
	ids[0] = fd_id(fd);
	ids[1] = fd_id(anon);
	if (dump(&c, 0, &a, RECV_MAX) || a.error || a.n != 2 ||
	    a.objs[0].st.id != ids[0] || a.objs[1].st.id != ids[1] ||
	    strcmp(a.objs[0].st.name, name))
		return 14;
	answer_free(&a);
	/* The outer namespace's name is not here. */
	if (do_name(&c, KIPC_CMD_GET, outer, 0, &a) || a.error != ENOENT)
		return 15;
	answer_free(&a);
	if (do_name(&c, KIPC_CMD_UNLINK, outer, 0, &a) || a.error != ENOENT)
		return 16;
	answer_free(&a);
	/* Its own events, only. */
	drain_events(&w, &ev, 300);
	if (strcmp(event_seq(&ev, ids[0], seq, sizeof(seq)), "C") ||
	    strcmp(event_seq(&ev, ids[1], seq, sizeof(seq)), "C") ||
	    ev.n != 2)
		return 17;
	answer_free(&ev);
	if (put_ids(idfd, ids, 2))
		return 18;
	close(anon);
	/* The name stays linked: it goes with the namespace. */
	close(fd);
	return 0;
}

/*
 * A child in a new network namespace sees only its own objects and
 * events, and the parent none of the child's.
 */
TEST_F(nl, netns_child_sees_only_its_own)
{
	struct conn w;
	char outer[64], seq[8];
	uint64_t ids[2];
	int fd, anon, pfd[2], status, times;
	pid_t pid;

	ASSERT_EQ(0, conn_open(&w));
	ASSERT_EQ(0, conn_listen(&w));
	uniq_name(outer, sizeof(outer), "outer");
	fd = raw_sem(outer, O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	anon = raw_sem(NULL, O_RDWR, 0, 0);
	ASSERT_LE(0, anon);
	drain_events(&w, &self->a, 200);
	answer_free(&self->a);

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(pfd[0]);
		_exit(netns_child(outer, pfd[1]));
	}
	close(pfd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(sizeof(ids), read(pfd[0], ids, sizeof(ids)));
	close(pfd[0]);

	ASSERT_EQ(0, dump(&self->c, 0, &self->a, RECV_MAX));
	find(&self->a, ids[0], &times);
	EXPECT_EQ(0, times);
	find(&self->a, ids[1], &times);
	EXPECT_EQ(0, times);
	find(&self->a, fd_id(fd), &times);
	EXPECT_EQ(1, times);
	find(&self->a, fd_id(anon), &times);
	EXPECT_EQ(1, times);
	answer_free(&self->a);

	drain_events(&w, &self->a, 300);
	EXPECT_STREQ("", event_seq(&self->a, ids[0], seq, sizeof(seq)));
	EXPECT_STREQ("", event_seq(&self->a, ids[1], seq, sizeof(seq)));
	close(fd);
	close(anon);
	EXPECT_EQ(0, raw_unlink(outer));
	conn_close(&w);
}

/* Send @fds over the unix socket @sock. */
static int send_fds(int sock, const int *fds, int n)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
	return 0;
}

/*
 * Objects handed out of a namespace that then dies live on, unnamed and
 * unlisted, and their end is announced nowhere.
 */
TEST_F(nl, objects_outlive_their_namespace)
{
	struct kipc_stat st;
	struct conn w;
	char name[64], seq[8];
	uint64_t ids[2];
	int sv[2], fds[2], status, times, tries;
	pid_t pid;

	ASSERT_EQ(0, conn_open(&w));
	ASSERT_EQ(0, conn_listen(&w));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	uniq_name(name, sizeof(name), "gone");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int f[2];

		if (unshare(CLONE_NEWNET))
			_exit(10);
		f[0] = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 1);
		f[1] = raw_sem(NULL, O_RDWR, 0, 2);
		if (f[0] < 0 || f[1] < 0)
			_exit(11);
		_exit(send_fds(sv[1], f, 2) ? 12 : 0);
	}
	ASSERT_EQ(0, recv_fds(sv[0], fds, 2));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ids[0] = fd_id(fds[0]);
	ids[1] = fd_id(fds[1]);

	/* The namespace is cleaned up asynchronously: wait for its names. */
	for (tries = 0; tries < 500; tries++) {
		ASSERT_EQ(0, raw_stat(fds[0], &st));
		if (st.flags & KIPC_STAT_UNLINKED)
			break;
		usleep(10000);
	}
	EXPECT_EQ(KIPC_STAT_NAMED | KIPC_STAT_UNLINKED, st.flags);
	EXPECT_EQ(1, sem_value(fds[0]));
	EXPECT_EQ(2, sem_value(fds[1]));

	ASSERT_EQ(0, dump(&self->c, 0, &self->a, RECV_MAX));
	find(&self->a, ids[0], &times);
	EXPECT_EQ(0, times);
	find(&self->a, ids[1], &times);
	EXPECT_EQ(0, times);
	answer_free(&self->a);

	close(fds[0]);
	close(fds[1]);
	drain_events(&w, &self->a, 300);
	EXPECT_STREQ("", event_seq(&self->a, ids[0], seq, sizeof(seq)));
	EXPECT_STREQ("", event_seq(&self->a, ids[1], seq, sizeof(seq)));
	close(sv[0]);
	close(sv[1]);
	conn_close(&w);
}

/* ---- malformed requests ------------------------------------------------ */

struct raw {
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len;
};

static void raw_start(struct raw *m, int family, int cmd, int flags)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(m, 0, sizeof(*m));
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g->cmd = cmd;
	g->version = KIPC_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* An attribute with @len bytes of @data, or a lying header if @fake. */
static void raw_attr(struct raw *m, int type, const void *data, int len)
{
	struct nlattr *nla = (struct nlattr *)(m->buf + m->len);

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
}

static int raw_send(struct conn *c, struct raw *m, struct answer *a)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;

	memset(a, 0, sizeof(*a));
	if (!nlh->nlmsg_len)
		nlh->nlmsg_len = m->len;
	nlh->nlmsg_seq = ++c->seq;
	if (send(c->fd, m->buf, m->len, 0) != (ssize_t)m->len)
		return -1;
	return recv_answer(c, nlh->nlmsg_seq, a, RECV_MAX);
}

enum mangle { NONE, NO_TERM, TWO_NULS, SLASH, EMPTY, LONG, MAXLEN, AS_U32,
	      TYPE_SHORT, TYPE_LONG, TYPE_ZERO, TYPE_BIG, REPLY_ATTR,
	      UNKNOWN_ATTR, ATTR_ZERO, NESTED_FLAG, OVERRUN, SHORT_NLA,
	      RESERVED, BAD_FLAGS, SHORT_GENL };

struct bad_case {
	const char *what;
	int cmd, flags;
	enum mangle how;
	int error;
	const char *extack;	/* a substring, or NULL */
};

static void build_bad(struct raw *m, int family, const struct bad_case *bc)
{
	char name[300];
	uint32_t u32 = KIPC_SEM;
	uint64_t u64 = 1;
	struct nlattr *nla;

	raw_start(m, family, bc->cmd, bc->flags);
	switch (bc->how) {
	case NONE:
		break;
	case NO_TERM:
		raw_attr(m, KIPC_A_NAME, "abc", 3);
		break;
	case TWO_NULS:
		raw_attr(m, KIPC_A_NAME, "a\0b", 4);
		break;
	case SLASH:
		raw_attr(m, KIPC_A_NAME, "a/b", 4);
		break;
	case EMPTY:
		raw_attr(m, KIPC_A_NAME, "", 1);
		break;
	case LONG:
		memset(name, 'x', KIPC_NAME_MAX + 1);
		name[KIPC_NAME_MAX + 1] = '\0';
		raw_attr(m, KIPC_A_NAME, name, KIPC_NAME_MAX + 2);
		break;
	case MAXLEN:
		memset(name, 'y', KIPC_NAME_MAX);
		name[KIPC_NAME_MAX] = '\0';
		raw_attr(m, KIPC_A_NAME, name, KIPC_NAME_MAX + 1);
		break;
	case AS_U32:
		u32 = 0x41414141;
		raw_attr(m, KIPC_A_NAME, &u32, 4);
		break;
	case TYPE_SHORT:
		raw_attr(m, KIPC_A_NAME, "n", 2);
		raw_attr(m, KIPC_A_TYPE, &u32, 2);
		break;
	case TYPE_LONG:
		raw_attr(m, KIPC_A_NAME, "n", 2);
		raw_attr(m, KIPC_A_TYPE, &u64, 8);
		break;
	case TYPE_ZERO:
		u32 = 0;
		raw_attr(m, KIPC_A_TYPE, &u32, 4);
		break;
	case TYPE_BIG:
		u32 = KIPC_TYPE_MAX + 1;
		raw_attr(m, KIPC_A_TYPE, &u32, 4);
		break;
	case REPLY_ATTR:
		raw_attr(m, KIPC_A_NAME, "n", 2);
		raw_attr(m, KIPC_A_ID, &u64, 8);
		break;
	case UNKNOWN_ATTR:
		raw_attr(m, KIPC_A_NAME, "n", 2);
		raw_attr(m, KIPC_A_MAX + 1, &u32, 4);
		break;
	case ATTR_ZERO:
		raw_attr(m, 0, &u32, 4);
		break;
	case NESTED_FLAG:
		raw_attr(m, KIPC_A_NAME | NLA_F_NESTED, "n", 2);
		break;
	case OVERRUN:
		raw_attr(m, KIPC_A_NAME, "name", 5);
		nla = (struct nlattr *)(m->buf + NLMSG_HDRLEN + GENL_HDRLEN);
		nla->nla_len += 64;	/* past the end of the message */
		break;
	case SHORT_NLA:
		raw_attr(m, KIPC_A_NAME, "n", 2);
		nla = (struct nlattr *)(m->buf + NLMSG_HDRLEN + GENL_HDRLEN);
		nla->nla_len = 2;	/* shorter than its own header */
		break;
	case RESERVED:
		raw_attr(m, KIPC_A_NAME, "n", 2);
		((struct genlmsghdr *)NLMSG_DATA(m->buf))->reserved = 1;
		break;
	case BAD_FLAGS:
		raw_attr(m, KIPC_A_NAME, "n", 2);
		((struct nlmsghdr *)m->buf)->nlmsg_flags |= NLM_F_REPLACE;
		break;
	case SHORT_GENL:
		m->len = NLMSG_HDRLEN + 2;
		break;
	}
}

/*
 * Every malformed request gets its exact error (and a reason where the
 * kernel gives one); nothing crashes and the socket goes on working.
 */
TEST_F(nl, malformed_requests_get_exact_errors)
{
	static const struct bad_case cases[] = {
		{ "get without a name", KIPC_CMD_GET, 0, NONE, EINVAL,
		  "name (KIPC_A_NAME) is missing" },
		{ "unlink without a name", KIPC_CMD_UNLINK, 0, NONE, EINVAL,
		  "is missing" },
		{ "unterminated name", KIPC_CMD_GET, 0, NO_TERM, EINVAL, NULL },
		{ "name with a NUL inside", KIPC_CMD_GET, 0, TWO_NULS, EINVAL,
		  "bytes after the name's NUL" },
		{ "name with a slash", KIPC_CMD_UNLINK, 0, SLASH, EINVAL,
		  "cannot contain '/'" },
		{ "empty name", KIPC_CMD_GET, 0, EMPTY, EINVAL, "empty name" },
		/* No NUL within KIPC_NAME_MAX + 1 bytes, for NLA_NUL_STRING. */
		{ "name of 256 bytes", KIPC_CMD_GET, 0, LONG, EINVAL, NULL },
		{ "name of 255 bytes", KIPC_CMD_GET, 0, MAXLEN, ENOENT,
		  "no such object" },
		{ "name as a u32", KIPC_CMD_UNLINK, 0, AS_U32, EINVAL, NULL },
		{ "type of 2 bytes", KIPC_CMD_GET, 0, TYPE_SHORT, EINVAL,
		  "invalid attribute length" },
		{ "type of 8 bytes", KIPC_CMD_GET, 0, TYPE_LONG, EINVAL,
		  "invalid attribute length" },
		{ "type 0 in a dump", KIPC_CMD_GET, NLM_F_DUMP, TYPE_ZERO,
		  ERANGE, NULL },
		{ "type past the last", KIPC_CMD_GET, NLM_F_DUMP, TYPE_BIG,
		  ERANGE, NULL },
		{ "reply attribute in a request", KIPC_CMD_GET, 0, REPLY_ATTR,
		  EINVAL, "Unsupported attribute" },
		{ "unknown attribute", KIPC_CMD_GET, 0, UNKNOWN_ATTR, EINVAL,
		  NULL },
		{ "attribute type 0", KIPC_CMD_GET, 0, ATTR_ZERO, EINVAL,
		  NULL },
		{ "name flagged nested", KIPC_CMD_GET, 0, NESTED_FLAG, EINVAL,
		  NULL },
		{ "attribute past the end", KIPC_CMD_GET, 0, OVERRUN, EINVAL,
		  NULL },
		{ "attribute shorter than its header", KIPC_CMD_GET, 0,
		  SHORT_NLA, EINVAL, NULL },
		{ "limits with an attribute", KIPC_CMD_LIMITS, 0, EMPTY,
		  EINVAL, NULL },
		{ "dump with a name", KIPC_CMD_GET, NLM_F_DUMP, MAXLEN, EINVAL,
		  "a dump takes no name" },
		{ "unknown command", 99, 0, NONE, EOPNOTSUPP, NULL },
		{ "command 0", KIPC_CMD_UNSPEC, 0, NONE, EOPNOTSUPP, NULL },
		{ "an event as a request", KIPC_CMD_CREATED, 0, NONE,
		  EOPNOTSUPP, NULL },
		{ "dump of limits", KIPC_CMD_LIMITS, NLM_F_DUMP, NONE,
		  EOPNOTSUPP, NULL },
		{ "dump of unlink", KIPC_CMD_UNLINK, NLM_F_DUMP, NONE,
		  EOPNOTSUPP, NULL },
		{ "reserved header byte", KIPC_CMD_GET, 0, RESERVED, EINVAL,
		  "reserved" },
		{ "unknown nlmsg_flags", KIPC_CMD_GET, 0, BAD_FLAGS, EINVAL,
		  "nlmsg_flags" },
		{ "no room for the genl header", KIPC_CMD_GET, 0, SHORT_GENL,
		  EINVAL, NULL },
	};
	struct raw m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *bc = &cases[i];

		build_bad(&m, self->c.family, bc);
		ASSERT_EQ(0, raw_send(&self->c, &m, &self->a))
			TH_LOG("%s: no answer", bc->what);
		EXPECT_EQ(bc->error, self->a.error)
			TH_LOG("%s: %s (%s)", bc->what,
			       strerror(self->a.error), self->a.extack);
		EXPECT_EQ(0, self->a.n) TH_LOG("%s: answered", bc->what);
		if (bc->extack)
			EXPECT_NE(NULL, strstr(self->a.extack, bc->extack))
				TH_LOG("%s: extack '%s'", bc->what,
				       self->a.extack);
		answer_free(&self->a);
	}

	/* Still answering. */
	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_LIMITS, NULL, 0, &self->a));
	EXPECT_EQ(0, self->a.error);
	EXPECT_TRUE(self->a.has[KIPC_A_LIMIT_OBJECTS]);
}

/* Random requests: each gets an answer, and the kernel stays well. */
TEST_F_TIMEOUT(nl, random_requests_are_answered, 300)
{
	unsigned int seed = 12345;
	struct raw m;
	int i;

	for (i = 0; i < 3000; i++) {
		static const int flags[] = { 0, NLM_F_DUMP, NLM_F_ECHO };
		int nattrs = rand_r(&seed) % 4, j;

		raw_start(&m, self->c.family, rand_r(&seed) % 8,
			  flags[rand_r(&seed) % 3]);
		for (j = 0; j < nattrs; j++) {
			char data[300];
			int len = rand_r(&seed) % (j ? 12 : 270), k;

			for (k = 0; k < len; k++)
				data[k] = rand_r(&seed) % 4 ? 'a' + k % 26 :
					  rand_r(&seed);
			raw_attr(&m, rand_r(&seed) % (KIPC_A_MAX + 3),
				 data, len);
		}
		ASSERT_EQ(0, raw_send(&self->c, &m, &self->a))
			TH_LOG("request %d: no answer", i);
		EXPECT_EQ(0, self->a.bad) TH_LOG("%s", self->a.badwhy);
		answer_free(&self->a);
	}
	ASSERT_EQ(0, do_name(&self->c, KIPC_CMD_LIMITS, NULL, 0, &self->a));
	EXPECT_EQ(0, self->a.error);
}

/* ---- libkipc ------------------------------------------------------------ */

struct seen {
	uint64_t id;
	int times;
	struct kipc_stat st;
	int stop_after;
	int calls;
};

static int see(const struct kipc_stat *st, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	if (st->id == s->id) {
		s->times++;
		s->st = *st;
	}
	if (s->stop_after && s->calls == s->stop_after)
		return 42;
	return 0;
}

TEST_F(nl, library_list_lookup_remove_limits)
{
	struct kipc_limits lim;
	struct kipc_stat st, want;
	struct seen s = { 0 };
	char name[64], slashed[80], why[128], longname[KIPC_NAME_MAX + 2];
	int fd, fd2;

	uniq_name(name, sizeof(name), "lib");
	fd = raw_sem(name, O_RDWR | O_CREAT | O_EXCL, 0600, 7);
	ASSERT_LE(0, fd);
	fd2 = raw_sem(NULL, O_RDWR, 0, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, raw_stat(fd, &want));

	s.id = want.id;
	ASSERT_EQ(0, kipc_list(0, see, &s));
	EXPECT_EQ(1, s.times);
	EXPECT_SAME_STAT(&s.st, &want);
	EXPECT_EQ(0, s.st.oflag);
	EXPECT_EQ(0, s.st.handle_flags);
	EXPECT_EQ(sizeof(st), s.st.size);

	/* The type filter, and a callback that stops the listing. */
	memset(&s, 0, sizeof(s));
	s.id = want.id;
	ASSERT_EQ(0, kipc_list(KIPC_PIPE, see, &s));
	EXPECT_EQ(0, s.times);
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	EXPECT_EQ(42, kipc_list(0, see, &s));
	EXPECT_EQ(1, s.calls);
	EXPECT_EQ(-1, kipc_list(KIPC_TYPE_MAX + 1, see, &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, kipc_list(0, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);

	snprintf(slashed, sizeof(slashed), "/%s", name);
	memset(&st, GARBAGE, sizeof(st));
	ASSERT_EQ(0, kipc_lookup(slashed, &st));
	EXPECT_SAME_STAT(&st, &want);
	EXPECT_EQ(-1, kipc_lookup("t-no-such-name", &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, kipc_lookup("a/b", &st));
	EXPECT_EQ(EINVAL, errno);
	memset(longname, 'z', KIPC_NAME_MAX + 1);
	longname[KIPC_NAME_MAX + 1] = '\0';
	EXPECT_EQ(-1, kipc_lookup(longname, &st));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, kipc_remove(longname, why, sizeof(why)));
	EXPECT_EQ(ENAMETOOLONG, errno);

	ASSERT_EQ(0, kipc_limits(&lim));
	EXPECT_EQ(param_get("max_objects"), (long long)lim.max_objects);
	EXPECT_EQ(getuid(), lim.uid);
	EXPECT_LE(2, lim.user_objects);

	EXPECT_EQ(0, kipc_remove(slashed, why, sizeof(why)));
	EXPECT_STREQ("", why);
	EXPECT_EQ(-1, kipc_remove(name, why, sizeof(why)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("no such object in this network namespace", why);
	EXPECT_EQ(-1, kipc_remove(name, NULL, 0));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
	close(fd2);
}

TEST_F(nl, library_watch_in_order_with_timeouts)
{
	struct kipc_event ev;
	struct kipc_watch *w;
	struct pollfd pfd;
	char name[64];
	uint64_t id;
	int fd, kinds[3], n = 0;

	w = kipc_watch_open();
	ASSERT_NE(NULL, w) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, kipc_watch_next(w, &ev, 0));
	EXPECT_EQ(0, kipc_watch_next(w, &ev, 50));

	fd = raw_sem(uniq_name(name, sizeof(name), "libw"),
		     O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	id = fd_id(fd);
	pfd = (struct pollfd){ .fd = kipc_watch_fd(w), .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_EQ(0, kipc_remove(name, NULL, 0));
	close(fd);

	while (n < 3) {
		int r = kipc_watch_next(w, &ev, 5000);

		ASSERT_EQ(1, r) TH_LOG("%s", r < 0 ? strerror(errno) : "timeout");
		if (ev.obj.id != id)
			continue;
		kinds[n++] = ev.kind;
		EXPECT_STREQ(name, ev.obj.name);
		EXPECT_EQ(KIPC_SEM, ev.obj.type);
	}
	EXPECT_EQ(KIPC_EVENT_CREATED, kinds[0]);
	EXPECT_EQ(KIPC_EVENT_UNLINKED, kinds[1]);
	EXPECT_EQ(KIPC_EVENT_DESTROYED, kinds[2]);
	EXPECT_STREQ("created", kipc_event_name(kinds[0]));
	EXPECT_STREQ("destroyed", kipc_event_name(kinds[2]));
	EXPECT_EQ(NULL, kipc_event_name(0));
	kipc_watch_close(w);
}

/* A watcher that falls behind is told (ENOBUFS), and then goes on. */
TEST_F(nl, library_watch_reports_lost_events)
{
	struct kipc_event ev;
	struct kipc_watch *w;
	int small = 1, fd, i, r, lost = 0;
	char name[64];
	uint64_t id;

	w = kipc_watch_open();
	ASSERT_NE(NULL, w);
	/* The kernel's minimum receive buffer: a handful of events. */
	ASSERT_EQ(0, setsockopt(kipc_watch_fd(w), SOL_SOCKET, SO_RCVBUF,
				&small, sizeof(small)));
	for (i = 0; i < 200; i++) {
		fd = raw_sem(NULL, O_RDWR, 0, 0);
		ASSERT_LE(0, fd);
		close(fd);
	}
	do {
		r = kipc_watch_next(w, &ev, 0);
		if (r < 0) {
			ASSERT_EQ(ENOBUFS, errno);
			lost++;
		}
	} while (r);
	EXPECT_LE(1, lost);

	fd = raw_sem(uniq_name(name, sizeof(name), "lost"),
		     O_RDWR | O_CREAT | O_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	id = fd_id(fd);
	do {
		r = kipc_watch_next(w, &ev, 5000);
		ASSERT_EQ(1, r);
	} while (ev.obj.id != id);
	EXPECT_EQ(KIPC_EVENT_CREATED, ev.kind);
	close(fd);
	EXPECT_EQ(0, raw_unlink(name));
	kipc_watch_close(w);
}

TEST_HARNESS_MAIN
