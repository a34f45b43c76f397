// SPDX-License-Identifier: GPL-2.0
/*
 * Limits and per-user accounting.
 *
 * Every object is charged to the fsuid that created it: one object and the
 * bytes of kernel memory it pins. Like RLIMIT_MSGQUEUE for POSIX queues,
 * the limits hold for root too; an administrator raises them through the
 * module parameters (writable at run time in /sys/module/kipc/parameters).
 *
 *   max_objects           all objects of the module      -> ENOSPC
 *   max_objects_per_user  objects one user has created  -> EMFILE
 *   max_bytes_per_user    memory one user's objects pin -> ENOMEM
 *
 * The memory itself is also allocated with __GFP_ACCOUNT, so a memory
 * cgroup sees it too.
 *
 * User namespaces: like the kernel's ucounts, an entry is a user as seen
 * in one user namespace, (uid, ns), and it is charged with what that user
 * creates there and, through the entry of the namespace's owner in the
 * parent namespace, all the way up to the initial one. Each entry on the
 * way must stay within the per-user limits. So a user with a range of
 * subordinate ids, or a namespace full of them, shares one quota with the
 * user who made the namespace, and a handful of users cannot exhaust the
 * module for everyone by creating namespaces.
 */
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "internal.h"

static unsigned int max_objects = 65536;
module_param(max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects, "Most objects the module holds (ENOSPC)");

static unsigned int max_objects_per_user = 16384;
module_param(max_objects_per_user, uint, 0644);
MODULE_PARM_DESC(max_objects_per_user,
		 "Most objects one user creates, its user namespaces' included (EMFILE)");

static unsigned long max_bytes_per_user = 256UL << 20;
module_param(max_bytes_per_user, ulong, 0644);
MODULE_PARM_DESC(max_bytes_per_user,
		 "Most kernel memory one user's objects pin, its user namespaces' included, bytes (ENOMEM)");

/**
 * struct kipc_user - what one user, in one user namespace, has been charged
 * @node:    in kipc_users
 * @uid:     the user
 * @ns:      the namespace it created in (a reference is held)
 * @parent:  the entry of @ns's owner in @ns's parent, NULL in the initial
 *           namespace; it is charged with everything this one is, so it
 *           outlives it
 * @objects: objects charged, those of the namespaces it owns included
 * @bytes:   bytes charged, likewise
 *
 * All fields, the table and kipc_objects are protected by kipc_users_lock.
 * An entry exists while it has at least one object.
 */
struct kipc_user {
	struct hlist_node node;
	kuid_t uid;
	struct user_namespace *ns;
	struct kipc_user *parent;
	unsigned int objects;
	size_t bytes;
};

/* The initial namespace and the 32 the kernel allows below it. */
#define KIPC_NS_LEVELS	33

static DEFINE_HASHTABLE(kipc_users, 6);
static DEFINE_SPINLOCK(kipc_users_lock);
static unsigned int kipc_objects;

static u32 kipc_user_hash(kuid_t uid, const struct user_namespace *ns)
{
	return __kuid_val(uid) ^ hash_ptr(ns, 32);
}

static struct kipc_user *kipc_user_find(kuid_t uid,
					const struct user_namespace *ns)
{
	struct kipc_user *user;

	lockdep_assert_held(&kipc_users_lock);

	hash_for_each_possible(kipc_users, user, node, kipc_user_hash(uid, ns))
		if (uid_eq(user->uid, uid) && user->ns == ns)
			return user;
	return NULL;
}

/*
 * The entries a creation by @uid in @ns is charged to, creator first and
 * the initial namespace's last: (uid, ns), then (ns->owner, ns->parent),
 * and so on. Fills @keys (uids) and @nss; returns how many levels.
 */
static int kipc_chain_keys(kuid_t uid, struct user_namespace *ns,
			   kuid_t *keys, struct user_namespace **nss)
{
	int n = 0;

	for (;;) {
		keys[n] = uid;
		nss[n++] = ns;
		if (ns == &init_user_ns || n == KIPC_NS_LEVELS)
			return n;
		uid = ns->owner;
		ns = ns->parent;
	}
}

/**
 * kipc_quota_charge - charge one new object to the current user
 * @bytes: kernel memory the object pins
 *
 * The creator is current_fsuid() in current_user_ns(); the object is
 * charged to that entry and to its namespace owners' up to the initial
 * namespace, and each of them must stay within the per-user limits.
 * Returns the creator's entry, to be given back to kipc_quota_uncharge()
 * with the same @bytes, or an ERR_PTR: nothing is charged on failure.
 */
struct kipc_user *kipc_quota_charge(size_t bytes)
{
	unsigned long byte_limit = READ_ONCE(max_bytes_per_user);
	unsigned int obj_limit = READ_ONCE(max_objects_per_user);
	struct user_namespace *nss[KIPC_NS_LEVELS];
	struct kipc_user *spare[KIPC_NS_LEVELS] = { };
	struct kipc_user *user, *parent = NULL;
	kuid_t keys[KIPC_NS_LEVELS];
	int n, i, used = 0, err = 0;

	n = kipc_chain_keys(current_fsuid(), current_user_ns(), keys, nss);
	/* A spare entry per level, allocated before locking. */
	for (i = 0; i < n; i++) {
		spare[i] = kzalloc(sizeof(*spare[i]), GFP_KERNEL_ACCOUNT);
		if (!spare[i]) {
			err = -ENOMEM;
			goto out;
		}
	}

	spin_lock(&kipc_users_lock);
	if (kipc_objects >= READ_ONCE(max_objects))
		err = -ENOSPC;
	for (i = 0; i < n && !err; i++) {
		user = kipc_user_find(keys[i], nss[i]);
		if (!user)
			continue;	/* nothing charged there yet */
		if (user->objects >= obj_limit)
			err = -EMFILE;
		else if (user->bytes > byte_limit ||
			 bytes > byte_limit - user->bytes)
			err = -ENOMEM;
	}
	if (!err && bytes > byte_limit)
		err = -ENOMEM;
	if (!err && !obj_limit)
		err = -EMFILE;
	/* It fits every level: charge them, making entries top down. */
	for (i = n - 1; i >= 0 && !err; i--) {
		user = kipc_user_find(keys[i], nss[i]);
		if (!user) {
			user = spare[used];
			spare[used++] = NULL;
			user->uid = keys[i];
			user->ns = get_user_ns(nss[i]);
			user->parent = parent;
			hash_add(kipc_users, &user->node,
				 kipc_user_hash(keys[i], nss[i]));
		}
		user->objects++;
		user->bytes += bytes;
		parent = user;
	}
	if (!err)
		kipc_objects++;
	spin_unlock(&kipc_users_lock);
out:
	for (i = 0; i < n; i++)
		kfree(spare[i]);
	return err ? ERR_PTR(err) : parent;
}

/**
 * kipc_quota_recharge - change what one of @user's objects is charged
 * @user:      from kipc_quota_charge()
 * @old_bytes: what the object is charged now
 * @new_bytes: what it will be charged
 *
 * For objects that grow or shrink (a pipe resized, a region truncated).
 * Shrinking always succeeds; growing past max_bytes_per_user is -ENOMEM
 * and changes nothing.
 */
int kipc_quota_recharge(struct kipc_user *user, size_t old_bytes,
			size_t new_bytes)
{
	unsigned long byte_limit = READ_ONCE(max_bytes_per_user);
	size_t grow = new_bytes - old_bytes;
	struct kipc_user *u;
	int err = 0;

	spin_lock(&kipc_users_lock);
	for (u = user; u && new_bytes > old_bytes; u = u->parent)
		if (u->bytes > byte_limit || grow > byte_limit - u->bytes)
			err = -ENOMEM;
	for (u = user; u && !err; u = u->parent) {
		WARN_ON_ONCE(u->bytes < old_bytes);
		u->bytes = u->bytes - old_bytes + new_bytes;
	}
	spin_unlock(&kipc_users_lock);
	return err;
}

void kipc_quota_uncharge(struct kipc_user *user, size_t bytes)
{
	struct kipc_user *u, *next, *gone = NULL;

	spin_lock(&kipc_users_lock);
	WARN_ON_ONCE(!kipc_objects);
	kipc_objects--;
	for (u = user; u; u = next) {
		next = u->parent;
		WARN_ON_ONCE(!u->objects || u->bytes < bytes);
		u->objects--;
		u->bytes -= bytes;
		if (!u->objects) {
			/* Its children are gone: they count in it. */
			hash_del(&u->node);
			u->parent = gone;
			gone = u;
		}
	}
	spin_unlock(&kipc_users_lock);

	for (u = gone; u; u = next) {
		next = u->parent;
		put_user_ns(u->ns);
		kfree(u);
	}
}

/**
 * kipc_quota_get - the limits, the module's object count and one user's usage
 * @uid:  the user asked about, in the caller's user namespace (its usage
 *        includes that of the namespaces it owns)
 * @info: out
 *
 * A snapshot, for KIPC_CMD_LIMITS; the counts are read under the lock, so
 * they agree with each other.
 */
void kipc_quota_get(kuid_t uid, struct kipc_quota_info *info)
{
	struct user_namespace *ns = current_user_ns();
	struct kipc_user *user;

	info->max_objects = READ_ONCE(max_objects);
	info->max_objects_per_user = READ_ONCE(max_objects_per_user);
	info->max_bytes_per_user = READ_ONCE(max_bytes_per_user);

	spin_lock(&kipc_users_lock);
	user = kipc_user_find(uid, ns);
	info->objects = kipc_objects;
	info->user_objects = user ? user->objects : 0;
	info->user_bytes = user ? user->bytes : 0;
	spin_unlock(&kipc_users_lock);
}

/* Everything must have been uncharged by the time the module goes. */
void kipc_quota_exit(void)
{
	WARN_ON(kipc_objects || !hash_empty(kipc_users));
}
