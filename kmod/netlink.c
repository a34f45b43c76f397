// SPDX-License-Identifier: GPL-2.0
/*
 * The "kipc" generic netlink family: dump, get, unlink, limits and the
 * events group. Written down in kmod/netlink.yaml; the ABI is at the end of
 * the uapi header.
 *
 * Every object type is described through struct kipc_type_ops->stat(), so
 * a new type shows up in dumps and events without a line here.
 *
 * Namespaces: the family is netnsok and everything is scoped to the
 * network namespace of the socket, like the names themselves. Owners are
 * shown in the user namespace of the requesting socket's opener (as
 * inet_diag does), and in events in the network namespace's own.
 *
 * Locking: requests run in parallel (parallel_ops) and take what they need.
 *   get     the namespace's registry lock to look up the name and take a
 *           reference; the reply is filled after unlocking
 *   dump    references to a batch of objects from kipc_registry_collect(),
 *           filled without any kipc lock held
 *   unlink  kipc_obj_unlink_name(), shared with the ioctl
 *   events  created and unlinked are sent under the registry lock,
 *           destroyed under kipc_objects_lock, which orders them per
 *           object; nothing is built unless someone listens. The
 *           destroyed event is built from a snapshot taken before
 *           kipc_objects_lock, so that lock never nests a type's own
 *           (a pipe's mutex is held across user copies, so it leads to
 *           mmap_lock)
 *
 * Validation: resv_start_op is 0, so on 6.1 and 6.12 alike every command
 * is strictly validated: no attribute the command's policy lacks (and none
 * at all for limits), exact lengths, genlmsghdr.reserved zero, no unknown
 * nlmsg_flags. Names are NLA_NUL_STRING of at most KIPC_NAME_MAX bytes, and
 * checked further here (not empty, no '/', no NUL inside).
 */
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "internal.h"

enum kipc_nl_groups {
	KIPC_NL_GRP_EVENTS,
};

/* Objects referenced at once while a dump fills its skb. */
#define KIPC_NL_DUMP_BATCH	16

/* get and unlink: a name, and optionally the type it must have. */
static const struct nla_policy kipc_nl_name_policy[KIPC_A_MAX + 1] = {
	[KIPC_A_TYPE]	= NLA_POLICY_RANGE(NLA_U32, KIPC_PIPE, KIPC_TYPE_MAX),
	[KIPC_A_NAME]	= { .type = NLA_NUL_STRING, .len = KIPC_NAME_MAX },
};

static struct genl_family kipc_nl_family;

/**
 * struct kipc_nl_field - a fixed-size attribute and where its value is
 * @attr:   KIPC_A_*
 * @len:    payload bytes: 4 (NLA_U32) or 8 (NLA_U64)
 * @offset: of the value in the struct its table is about
 *
 * The tables are built from the uapi's KIPC_NL_*_ATTRS, which libkipc's
 * policies and parsers are built from too.
 */
struct kipc_nl_field {
	u16 attr;
	u16 len;
	u16 offset;
};

#define KIPC_NL_FIELD(st, a, t, f)					\
	{ .attr = (a), .len = sizeof(t), .offset = offsetof(st, f) },
#define KIPC_NL_STAT_FIELD(a, t, f)	KIPC_NL_FIELD(struct kipc_stat, a, t, f)
#define KIPC_NL_SHM_FIELD(a, t, f)	KIPC_NL_FIELD(struct kipc_shm_info, a, t, f)
#define KIPC_NL_LIMITS_FIELD(a, t, f)	\
	KIPC_NL_FIELD(struct kipc_quota_info, a, t, f)

static const struct kipc_nl_field kipc_nl_stat_fields[] = {
	KIPC_NL_STAT_ATTRS(KIPC_NL_STAT_FIELD)
};

static const struct kipc_nl_field kipc_nl_shm_fields[] = {
	KIPC_NL_SHM_ATTRS(KIPC_NL_SHM_FIELD)
};

static const struct kipc_nl_field kipc_nl_limits_fields[] = {
	KIPC_NL_LIMITS_ATTRS(KIPC_NL_LIMITS_FIELD)
};

/* Each field is as wide as its attribute, or this does not build. */
#define KIPC_NL_WIDTH(st, t, f)	BUILD_BUG_ON_ZERO(sizeof_field(st, f) != sizeof(t)),
#define KIPC_NL_STAT_WIDTH(a, t, f)	KIPC_NL_WIDTH(struct kipc_stat, t, f)
#define KIPC_NL_SHM_WIDTH(a, t, f)	KIPC_NL_WIDTH(struct kipc_shm_info, t, f)
#define KIPC_NL_LIMITS_WIDTH(a, t, f)	\
	KIPC_NL_WIDTH(struct kipc_quota_info, t, f)

static const int kipc_nl_widths_checked[] __maybe_unused = {
	KIPC_NL_STAT_ATTRS(KIPC_NL_STAT_WIDTH)
	KIPC_NL_SHM_ATTRS(KIPC_NL_SHM_WIDTH)
	KIPC_NL_LIMITS_ATTRS(KIPC_NL_LIMITS_WIDTH)
};

/* Room the @n attributes of @fields need. */
static size_t kipc_nl_fields_size(const struct kipc_nl_field *fields,
				  size_t n)
{
	size_t i, size = 0;

	for (i = 0; i < n; i++)
		size += fields[i].len == sizeof(u64) ?
			nla_total_size_64bit(sizeof(u64)) :
			nla_total_size(sizeof(u32));
	return size;
}

/* The @n attributes of @fields, their values read from @src. */
static int kipc_nl_put_fields(struct sk_buff *skb,
			      const struct kipc_nl_field *fields, size_t n,
			      const void *src)
{
	const void *value;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		value = src + fields[i].offset;
		if (fields[i].len == sizeof(u64))
			err = nla_put_u64_64bit(skb, fields[i].attr,
						*(const u64 *)value,
						KIPC_A_PAD);
		else
			err = nla_put_u32(skb, fields[i].attr,
					  *(const u32 *)value);
		if (err)
			return -EMSGSIZE;
	}
	return 0;
}

/* A region's own attributes, for its ->nl_size() and ->nl_put(). */
size_t kipc_nl_shm_size(void)
{
	return kipc_nl_fields_size(kipc_nl_shm_fields,
				   ARRAY_SIZE(kipc_nl_shm_fields));
}

int kipc_nl_put_shm(struct sk_buff *skb, const struct kipc_shm_info *info)
{
	return kipc_nl_put_fields(skb, kipc_nl_shm_fields,
				  ARRAY_SIZE(kipc_nl_shm_fields), info);
}

/* Room an object message needs, without the headers genlmsg_new() adds. */
static size_t kipc_nl_obj_size(const struct kipc_obj *obj)
{
	size_t size = kipc_nl_fields_size(kipc_nl_stat_fields,
					  ARRAY_SIZE(kipc_nl_stat_fields));

	if (obj->name)
		size += nla_total_size(strlen(obj->name) + 1);
	if (obj->ops->nl_put)
		size += obj->ops->nl_size();
	return size;
}

static int kipc_nl_put_obj(struct sk_buff *skb, const struct kipc_obj *obj,
			   const struct kipc_stat *st)
{
	if (kipc_nl_put_fields(skb, kipc_nl_stat_fields,
			       ARRAY_SIZE(kipc_nl_stat_fields), st) ||
	    (obj->name && nla_put_string(skb, KIPC_A_NAME, obj->name)))
		return -EMSGSIZE;
	return 0;
}

/*
 * An object message from @st, with the type's own attributes if @obj is
 * given (get and dump: they may sleep); -EMSGSIZE (and @skb as it was) if
 * too big.
 */
static int kipc_nl_put(struct sk_buff *skb, struct kipc_obj *obj,
		       const struct kipc_stat *st, u32 portid, u32 seq,
		       int flags, u8 cmd, bool type_attrs)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipc_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (kipc_nl_put_obj(skb, obj, st) ||
	    (type_attrs && obj->ops->nl_put && obj->ops->nl_put(obj, skb))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * One object message, its owner shown in @ns; a get or dump reply also
 * has the type's own attributes. May sleep (->stat(), ->nl_put()).
 */
static int kipc_nl_fill(struct sk_buff *skb, struct kipc_obj *obj,
			struct user_namespace *ns, u32 portid, u32 seq,
			int flags, u8 cmd)
{
	struct kipc_stat st;

	memset(&st, 0, sizeof(st));
	kipc_obj_fill_stat(obj, &st, ns);
	return kipc_nl_put(skb, obj, &st, portid, seq, flags, cmd,
			   cmd == KIPC_CMD_GET);
}

/**
 * kipc_nl_notify - announce @obj's creation, unlinking or destruction
 * @net: the namespace whose listeners hear it; alive for the call
 * @obj: the object; not yet destroyed
 * @st:  NULL to ask @obj for its state now, or a snapshot of it from
 *       kipc_obj_fill_stat() (any user namespace): the destroyed event is
 *       sent under kipc_objects_lock, which must not nest the type's lock
 * @cmd: KIPC_CMD_CREATED, KIPC_CMD_UNLINKED or KIPC_CMD_DESTROYED
 *
 * Nothing is built when no one listens. A listener that misses an event
 * because memory is short or its socket is full learns of it from the
 * socket (ENOBUFS), as for every netlink multicast.
 */
void kipc_nl_notify(struct net *net, struct kipc_obj *obj,
		    struct kipc_stat *st, u8 cmd)
{
	struct sk_buff *msg;
	int err;

	if (!genl_has_listeners(&kipc_nl_family, net, KIPC_NL_GRP_EVENTS))
		return;

	msg = genlmsg_new(kipc_nl_obj_size(obj), GFP_KERNEL);
	if (!msg)
		return;
	if (st) {
		st->uid = from_kuid_munged(net->user_ns, obj->uid);
		st->gid = from_kgid_munged(net->user_ns, obj->gid);
		err = kipc_nl_put(msg, obj, st, 0, 0, 0, cmd, false);
	} else {
		err = kipc_nl_fill(msg, obj, net->user_ns, 0, 0, 0, cmd);
	}
	if (err) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&kipc_nl_family, net, msg, 0,
				KIPC_NL_GRP_EVENTS, GFP_KERNEL);
}

/*
 * The request's name, checked beyond what the policy can: not empty, no
 * '/', and the attribute is exactly the name and its NUL.
 */
static const char *kipc_nl_name(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KIPC_A_NAME];
	const char *name;
	size_t len;

	if (GENL_REQ_ATTR_CHECK(info, KIPC_A_NAME)) {
		GENL_SET_ERR_MSG(info, "the object's name (KIPC_A_NAME) is missing");
		return ERR_PTR(-EINVAL);
	}
	name = nla_data(attr);
	len = strnlen(name, nla_len(attr));
	if (!len) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "empty name");
		return ERR_PTR(-EINVAL);
	}
	if (len + 1 != nla_len(attr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "bytes after the name's NUL");
		return ERR_PTR(-EINVAL);
	}
	if (strchr(name, '/')) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a name cannot contain '/'");
		return ERR_PTR(-EINVAL);
	}
	return name;
}

static u32 kipc_nl_type(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KIPC_A_TYPE];

	return attr ? nla_get_u32(attr) : 0;
}

/* Why a name could not be used, for the extack. */
static void kipc_nl_name_error(struct genl_info *info, int err)
{
	struct nlattr *attr = info->attrs[KIPC_A_NAME];

	switch (err) {
	case -ENOENT:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no such object in this network namespace");
		break;
	case -EMEDIUMTYPE:
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KIPC_A_TYPE],
				    "the object has another type");
		break;
	case -EPERM:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "only the owner or CAP_SYS_ADMIN may unlink it");
		break;
	}
}

/* The object named in the request, with a reference; or an ERR_PTR. */
static struct kipc_obj *kipc_nl_lookup(struct net *net, struct genl_info *info)
{
	struct mutex *lock = kipc_registry_lock(net);
	const char *name = kipc_nl_name(info);
	u32 type = kipc_nl_type(info);
	struct kipc_obj *obj;
	int err = 0;

	if (IS_ERR(name))
		return ERR_CAST(name);

	mutex_lock(lock);
	obj = kipc_registry_lookup(net, name);
	if (!obj)
		err = -ENOENT;
	else if (type && obj->type != type)
		err = -EMEDIUMTYPE;
	else
		kref_get(&obj->ref);
	mutex_unlock(lock);

	if (err) {
		kipc_nl_name_error(info, err);
		return ERR_PTR(err);
	}
	return obj;
}

/* KIPC_CMD_GET do: one object by name, without opening a handle. */
static int kipc_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct kipc_obj *obj;
	struct sk_buff *msg;
	int err;

	obj = kipc_nl_lookup(net, info);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	msg = genlmsg_new(kipc_nl_obj_size(obj), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = kipc_nl_fill(msg, obj, sk_user_ns(NETLINK_CB(skb).sk),
			   info->snd_portid, info->snd_seq, 0, KIPC_CMD_GET);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	kipc_obj_put(obj);
	return err;
}

/**
 * struct kipc_nl_dump_ctx - where a dump is, in netlink_callback.ctx
 * @cursor:  the last object sent, with a reference (dropped by the next
 *           round or by kipc_nl_get_done()); the next round starts after it
 * @type:    only objects of this type, 0 for all
 * @started: the request has been looked at
 */
struct kipc_nl_dump_ctx {
	struct kipc_obj *cursor;
	u32 type;
	bool started;
};

static_assert(sizeof(struct kipc_nl_dump_ctx) <=
	      sizeof_field(struct netlink_callback, ctx));

/*
 * The first round of a dump: take the type filter. A dump lists every
 * object, so a name is refused rather than ignored.
 */
static int kipc_nl_dump_start(struct netlink_callback *cb,
			      struct kipc_nl_dump_ctx *ctx)
{
	const struct nlattr *attr;

	attr = nlmsg_find_attr(cb->nlh, GENL_HDRLEN, KIPC_A_NAME);
	if (attr) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attr,
				    "a dump takes no name; get one object without NLM_F_DUMP");
		return -EINVAL;
	}
	/* Validated by the policy already. */
	attr = nlmsg_find_attr(cb->nlh, GENL_HDRLEN, KIPC_A_TYPE);
	ctx->type = attr ? nla_get_u32(attr) : 0;
	ctx->started = true;
	return 0;
}

/*
 * KIPC_CMD_GET dump: every object of the namespace in increasing id
 * order, resuming after the last object sent, so that an object that
 * exists throughout the dump is sent exactly once.
 */
static int kipc_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kipc_nl_dump_ctx *ctx = (struct kipc_nl_dump_ctx *)cb->ctx;
	struct user_namespace *ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	struct kipc_obj *objs[KIPC_NL_DUMP_BATCH];
	struct net *net = sock_net(skb->sk);
	int n, i, err = 0;

	if (!ctx->started) {
		err = kipc_nl_dump_start(cb, ctx);
		if (err)
			return err;
	}

	do {
		n = kipc_registry_collect(net, ctx->cursor, ctx->type, objs,
					  ARRAY_SIZE(objs));
		for (i = 0; i < n && !err; i++) {
			err = kipc_nl_fill(skb, objs[i], ns,
					   NETLINK_CB(cb->skb).portid,
					   cb->nlh->nlmsg_seq, NLM_F_MULTI,
					   KIPC_CMD_GET);
			if (err)
				break;
			/* The new cursor keeps the reference collect took. */
			if (ctx->cursor)
				kipc_obj_put(ctx->cursor);
			ctx->cursor = objs[i];
			objs[i] = NULL;
		}
		for (i = 0; i < n; i++)
			if (objs[i])
				kipc_obj_put(objs[i]);
	} while (n == ARRAY_SIZE(objs) && !err);

	/* A full skb ends this round; an object no skb can hold ends all. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* The dump is over or abandoned: let its cursor go. */
static int kipc_nl_get_done(struct netlink_callback *cb)
{
	struct kipc_nl_dump_ctx *ctx = (struct kipc_nl_dump_ctx *)cb->ctx;

	if (ctx->cursor)
		kipc_obj_put(ctx->cursor);
	ctx->cursor = NULL;
	return 0;
}

/* KIPC_CMD_UNLINK: remove a name, as KIPC_IOC_UNLINK does. */
static int kipc_nl_unlink_doit(struct sk_buff *skb, struct genl_info *info)
{
	const char *name = kipc_nl_name(info);
	int err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = kipc_obj_unlink_name(genl_info_net(info), name,
				   kipc_nl_type(info), skb);
	if (err)
		kipc_nl_name_error(info, err);
	return err;
}

/* KIPC_CMD_LIMITS: the module's limits and usage, and the caller's. */
static int kipc_nl_limits_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct user_namespace *ns = sk_user_ns(NETLINK_CB(skb).sk);
	kuid_t uid = current_fsuid();
	struct kipc_quota_info q;
	struct sk_buff *msg;
	void *hdr;

	kipc_quota_get(uid, &q);
	q.uid = from_kuid_munged(ns, uid);

	msg = genlmsg_new(kipc_nl_fields_size(kipc_nl_limits_fields,
					      ARRAY_SIZE(kipc_nl_limits_fields)),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kipc_nl_family, 0,
				KIPC_CMD_LIMITS);
	if (!hdr ||
	    kipc_nl_put_fields(msg, kipc_nl_limits_fields,
			       ARRAY_SIZE(kipc_nl_limits_fields), &q))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * struct genl_ops rather than genl_small_ops for the policy per command
 * (both exist in 6.1 and 6.12): limits has none, so it takes no attribute
 * at all. The notification commands have no op: sending one is
 * EOPNOTSUPP, like any unknown command.
 */
static const struct genl_ops kipc_nl_ops[] = {
	{
		.cmd		= KIPC_CMD_GET,
		.doit		= kipc_nl_get_doit,
		.dumpit		= kipc_nl_get_dumpit,
		.done		= kipc_nl_get_done,
		.policy		= kipc_nl_name_policy,
		.maxattr	= KIPC_A_MAX,
	},
	{
		.cmd		= KIPC_CMD_UNLINK,
		.doit		= kipc_nl_unlink_doit,
		.policy		= kipc_nl_name_policy,
		.maxattr	= KIPC_A_MAX,
	},
	{
		.cmd		= KIPC_CMD_LIMITS,
		.doit		= kipc_nl_limits_doit,
	},
};

static const struct genl_multicast_group kipc_nl_mcgrps[] = {
	[KIPC_NL_GRP_EVENTS] = { .name = KIPC_GENL_MCGRP_EVENTS },
};

static struct genl_family kipc_nl_family __ro_after_init = {
	.name		= KIPC_GENL_NAME,
	.version	= KIPC_GENL_VERSION,
	.maxattr	= KIPC_A_MAX,
	.netnsok	= true,
	.parallel_ops	= true,
	/* Every command from 0 up is strictly validated (see above). */
	.resv_start_op	= 0,
	.module		= THIS_MODULE,
	.ops		= kipc_nl_ops,
	.n_ops		= ARRAY_SIZE(kipc_nl_ops),
	.mcgrps		= kipc_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kipc_nl_mcgrps),
};

int kipc_nl_register(void)
{
	return genl_register_family(&kipc_nl_family);
}

void kipc_nl_unregister(void)
{
	genl_unregister_family(&kipc_nl_family);
}
