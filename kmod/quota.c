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
 */
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kipc.h"

static unsigned int max_objects = 65536;
module_param(max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects, "Most objects the module holds (ENOSPC)");

static unsigned int max_objects_per_user = 16384;
module_param(max_objects_per_user, uint, 0644);
MODULE_PARM_DESC(max_objects_per_user, "Most objects one user creates (EMFILE)");

static unsigned long max_bytes_per_user = 256UL << 20;
module_param(max_bytes_per_user, ulong, 0644);
MODULE_PARM_DESC(max_bytes_per_user,
		 "Most kernel memory one user's objects pin, bytes (ENOMEM)");

/**
 * struct kipc_user - what one user has been charged
 * @node:    in kipc_users
 * @uid:     the user
 * @objects: objects charged
 * @bytes:   bytes charged
 *
 * All fields, the table and kipc_objects are protected by kipc_users_lock.
 * An entry exists while the user has at least one object.
 */
struct kipc_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int objects;
	size_t bytes;
};

static DEFINE_HASHTABLE(kipc_users, 6);
static DEFINE_SPINLOCK(kipc_users_lock);
static unsigned int kipc_objects;

static struct kipc_user *kipc_user_find(kuid_t uid)
{
	struct kipc_user *user;

	lockdep_assert_held(&kipc_users_lock);

	hash_for_each_possible(kipc_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/**
 * kipc_quota_charge - charge one new object to a user
 * @uid:   the creator
 * @bytes: kernel memory the object pins
 *
 * Returns the user's accounting entry, to be given back to
 * kipc_quota_uncharge() with the same @bytes, or an ERR_PTR: nothing is
 * charged on failure.
 */
struct kipc_user *kipc_quota_charge(kuid_t uid, size_t bytes)
{
	unsigned long byte_limit = READ_ONCE(max_bytes_per_user);
	struct kipc_user *spare, *user;
	size_t used;
	int err = 0;

	/* Allocate before locking; freed again if the user has an entry. */
	spare = kzalloc(sizeof(*spare), GFP_KERNEL_ACCOUNT);
	if (!spare)
		return ERR_PTR(-ENOMEM);

	spin_lock(&kipc_users_lock);
	user = kipc_user_find(uid);
	used = user ? user->bytes : 0;
	if (kipc_objects >= READ_ONCE(max_objects))
		err = -ENOSPC;
	else if ((user ? user->objects : 0) >= READ_ONCE(max_objects_per_user))
		err = -EMFILE;
	else if (used > byte_limit || bytes > byte_limit - used)
		err = -ENOMEM;
	if (err) {
		spin_unlock(&kipc_users_lock);
		kfree(spare);
		return ERR_PTR(err);
	}

	if (!user) {
		user = spare;
		spare = NULL;
		user->uid = uid;
		hash_add(kipc_users, &user->node, __kuid_val(uid));
	}
	user->objects++;
	user->bytes += bytes;
	kipc_objects++;
	spin_unlock(&kipc_users_lock);

	kfree(spare);
	return user;
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
	int err = 0;

	spin_lock(&kipc_users_lock);
	WARN_ON_ONCE(user->bytes < old_bytes);
	if (new_bytes > old_bytes &&
	    (user->bytes > byte_limit || grow > byte_limit - user->bytes))
		err = -ENOMEM;
	else
		user->bytes = user->bytes - old_bytes + new_bytes;
	spin_unlock(&kipc_users_lock);
	return err;
}

void kipc_quota_uncharge(struct kipc_user *user, size_t bytes)
{
	bool last;

	spin_lock(&kipc_users_lock);
	WARN_ON_ONCE(!user->objects || user->bytes < bytes || !kipc_objects);
	user->objects--;
	user->bytes -= bytes;
	kipc_objects--;
	last = !user->objects;
	if (last)
		hash_del(&user->node);
	spin_unlock(&kipc_users_lock);

	if (last)
		kfree(user);
}

/**
 * kipc_quota_get - the limits, the module's object count and one user's usage
 * @uid:  the user asked about
 * @info: out
 *
 * A snapshot, for KIPC_CMD_LIMITS; the counts are read under the lock, so
 * they agree with each other.
 */
void kipc_quota_get(kuid_t uid, struct kipc_quota_info *info)
{
	struct kipc_user *user;

	info->max_objects = READ_ONCE(max_objects);
	info->max_objects_per_user = READ_ONCE(max_objects_per_user);
	info->max_bytes_per_user = READ_ONCE(max_bytes_per_user);

	spin_lock(&kipc_users_lock);
	user = kipc_user_find(uid);
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
