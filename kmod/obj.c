// SPDX-License-Identifier: GPL-2.0
/*
 * What every kipc object has: identity, lifetime, permissions, handles and
 * stat. The mechanisms (sem.c, ...) plug in through struct kipc_type_ops.
 *
 * Permissions follow ipc_perm: owner, group and other bits of the mode
 * against the caller's fsuid and groups, CAP_IPC_OWNER in the namespace's
 * user namespace overriding. A handle's access mode is the O_ACCMODE it was
 * opened with, as for files.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>

#include "internal.h"

#define KIPC_OFLAGS	(O_ACCMODE | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC)

static const struct kipc_type_ops *const kipc_types[KIPC_TYPE_MAX + 1] = {
	[KIPC_PIPE] = &kipc_pipe_ops,
	[KIPC_SHM] = &kipc_shm_ops,
	[KIPC_MQ] = &kipc_mq_ops,
	[KIPC_SEM] = &kipc_sem_ops,
};

static_assert(sizeof(struct kipc_open) == KIPC_OPEN_SIZE_VER0);
static_assert(sizeof(struct kipc_stat) == KIPC_STAT_SIZE_VER0);

/*
 * Copy and validate a name: 1..KIPC_NAME_MAX bytes without '/'. Returns a
 * KIPC_NAME_MAX + 1 byte buffer the caller owns, or an ERR_PTR.
 */
char *kipc_name_from_user(u64 uname)
{
	char *name;
	long len;
	int err;

	name = kmalloc(KIPC_NAME_MAX + 1, GFP_KERNEL_ACCOUNT);
	if (!name)
		return ERR_PTR(-ENOMEM);

	len = strncpy_from_user(name, u64_to_user_ptr(uname), KIPC_NAME_MAX + 1);
	/* Too long, the buffer holds no NUL: check that before strchr(). */
	if (len < 0)
		err = len;
	else if (len > KIPC_NAME_MAX)
		err = -ENAMETOOLONG;
	else if (len == 0 || strchr(name, '/'))
		err = -EINVAL;
	else
		return name;

	kfree(name);
	return ERR_PTR(err);
}

static void kipc_obj_free(struct kref *ref)
{
	struct kipc_obj *obj = container_of(ref, struct kipc_obj, ref);
	struct kipc_user *user = obj->user;
	size_t charge = obj->charge;
	char *name = obj->name;

	/* Off the namespace's list first: dumps never see it destroyed. */
	kipc_registry_remove(obj);
	obj->ops->destroy(obj);
	kfree(name);
	kipc_quota_uncharge(user, charge);
}

void kipc_obj_put(struct kipc_obj *obj)
{
	kref_put(&obj->ref, kipc_obj_free);
}

static int kipc_open_check(const struct kipc_open *args)
{
	if (args->pad || args->flags & ~KIPC_F_ALL)
		return -EINVAL;
	if (args->oflag & ~KIPC_OFLAGS ||
	    (args->oflag & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	if (args->mode & ~0777)
		return -EINVAL;
	if (!args->type || args->type > KIPC_TYPE_MAX)
		return -EINVAL;
	if (!kipc_types[args->type])
		return -EOPNOTSUPP;
	return kipc_types[args->type]->check(args);
}

static int kipc_obj_permission(struct net *net, struct kipc_obj *obj,
			       u32 oflag)
{
	int need = 0, granted;

	if ((oflag & O_ACCMODE) != O_WRONLY)
		need |= MAY_READ;
	if ((oflag & O_ACCMODE) != O_RDONLY)
		need |= MAY_WRITE;

	if (uid_eq(current_fsuid(), obj->uid))
		granted = obj->mode >> 6;
	else if (in_group_p(obj->gid))
		granted = obj->mode >> 3;
	else
		granted = obj->mode;

	if (!(need & ~granted & 07))
		return 0;
	if (ns_capable(net->user_ns, CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}

/*
 * A new object of @net owned by the caller, holding one reference for the
 * caller. Takes over @name (NULL for anonymous) in every case.
 */
static struct kipc_obj *kipc_obj_create(struct net *net,
					const struct kipc_open *args,
					char *name)
{
	const struct kipc_type_ops *ops = kipc_types[args->type];
	struct kipc_user *user;
	struct kipc_obj *obj;
	size_t charge;

	obj = ops->create(args, &charge);
	if (IS_ERR(obj)) {
		kfree(name);
		return obj;
	}
	if (name)
		charge += KIPC_NAME_MAX + 1;

	user = kipc_quota_charge(charge);
	if (IS_ERR(user)) {
		ops->destroy(obj);
		kfree(name);
		return ERR_CAST(user);
	}

	kref_init(&obj->ref);
	obj->type = args->type;
	obj->flags = args->flags & KIPC_F_OBJECT;
	obj->ops = ops;
	obj->name = name;
	obj->uid = current_fsuid();
	obj->gid = current_fsgid();
	obj->mode = args->mode & ~current_umask() & 0777;
	obj->user = user;
	obj->charge = charge;
	obj->ctime = ktime_get_real();
	atomic_set(&obj->handles, 0);
	atomic64_set(&obj->opens, 0);
	obj->published = false;
	kipc_registry_add(net, obj);
	return obj;
}

/*
 * @obj has become visible: its name is linked, or its first handle made.
 * The caller still holds its reference, so the destroyed event, which
 * depends on @published, can only come after the created one.
 */
static void kipc_obj_publish(struct net *net, struct kipc_obj *obj)
{
	WRITE_ONCE(obj->published, true);
	kipc_nl_notify(net, obj, NULL, KIPC_CMD_CREATED);
}

/*
 * A new open file description of @obj with access @oflag; takes over the
 * caller's reference.
 */
static struct file *kipc_handle_file(struct kipc_obj *obj,
				     const struct kipc_open *args, u32 oflag)
{
	struct kipc_handle *h;
	struct file *file;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return ERR_PTR(-ENOMEM);
	h->obj = obj;
	/* The object's own flags are its, whatever a later open asks. */
	h->flags = args->flags & ~KIPC_F_OBJECT;
	h->nonblock = oflag & O_NONBLOCK;

	file = anon_inode_getfile(obj->ops->inode_name, obj->ops->fops, h,
				  oflag & (O_ACCMODE | O_NONBLOCK));
	if (IS_ERR(file)) {
		kfree(h);
		return file;
	}
	file->f_mode |= obj->ops->fmode;
	h->fmode = file->f_mode;
	h->may_read = (h->fmode & FMODE_READ) ||
		      !kipc_obj_permission(current->nsproxy->net_ns, obj,
					   O_RDONLY);
	atomic_inc(&obj->handles);
	atomic64_inc(&obj->opens);
	if (obj->ops->open)
		obj->ops->open(h);
	return file;
}

/*
 * Open or create @name in @net, returning a file for it; *@created says
 * whether this open made the object.
 */
static struct file *kipc_obj_open_named(struct net *net,
					const struct kipc_open *args,
					char *name, bool *created)
{
	struct mutex *lock = kipc_registry_lock(net);
	struct kipc_obj *obj;
	struct file *file;
	int err;

	*created = false;
	mutex_lock(lock);
	obj = kipc_registry_lookup(net, name);
	if (obj) {
		kfree(name);
		if ((args->oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			err = -EEXIST;
		else if (obj->type != args->type)
			err = -EMEDIUMTYPE;
		else
			err = kipc_obj_permission(net, obj, args->oflag);
		if (err)
			goto err_unlock;
		kref_get(&obj->ref);
		file = kipc_handle_file(obj, args, args->oflag);
		if (IS_ERR(file))
			kipc_obj_put(obj);
		mutex_unlock(lock);
		return file;
	}

	if (!(args->oflag & O_CREAT)) {
		kfree(name);
		err = -ENOENT;
		goto err_unlock;
	}
	obj = kipc_obj_create(net, args, name);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		goto err_unlock;
	}
	/* The file first: once linked, the object must be complete. */
	file = kipc_handle_file(obj, args, args->oflag);
	if (IS_ERR(file)) {
		kipc_obj_put(obj);
		err = PTR_ERR(file);
		goto err_unlock;
	}
	kref_get(&obj->ref);
	err = kipc_registry_link(net, obj);
	if (err) {
		kipc_obj_put(obj);
		mutex_unlock(lock);
		fput(file);
		return ERR_PTR(err);
	}
	/* Under the registry lock: created comes before any unlinked. */
	kipc_obj_publish(net, obj);
	mutex_unlock(lock);
	*created = true;
	return file;

err_unlock:
	mutex_unlock(lock);
	return ERR_PTR(err);
}

/*
 * A named open that created @file's object and then failed in its wait
 * for a peer (ENXIO, a signal) takes the name back, so that a refused
 * creation leaves nothing behind and a restarted O_CREAT | O_EXCL open
 * does not find its own object. Only if nobody else ever opened it:
 * named opens are counted under the registry lock, so one open is ours.
 * Returns whether the name went.
 */
static bool kipc_obj_open_undo(struct net *net, struct file *file)
{
	struct kipc_obj *obj = kipc_file_handle(file)->obj;
	struct mutex *lock = kipc_registry_lock(net);
	bool unlinked = false;

	mutex_lock(lock);
	if (READ_ONCE(obj->linked) && atomic64_read(&obj->opens) == 1) {
		kipc_registry_unlink(net, obj);
		kipc_nl_notify(net, obj, NULL, KIPC_CMD_UNLINKED);
		unlinked = true;
	}
	mutex_unlock(lock);
	if (unlinked)
		kipc_obj_put(obj);	/* the registry's reference */
	return unlinked;
}

/* KIPC_IOC_OPEN: returns a new file descriptor or a negative errno. */
int kipc_obj_open(struct net *net, const struct kipc_open __user *uargs)
{
	struct kipc_open args;
	struct kipc_obj *obj;
	struct file *file;
	char *name = NULL;
	bool created;
	u32 size;
	int fd, err;

	if (get_user(size, &uargs->size))
		return -EFAULT;
	if (size < KIPC_OPEN_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(&args, sizeof(args), uargs, size);
	if (err)
		return err;
	err = kipc_open_check(&args);
	if (err)
		return err;

	if (args.name) {
		name = kipc_name_from_user(args.name);
		if (IS_ERR(name))
			return PTR_ERR(name);
	}

	fd = get_unused_fd_flags(args.oflag & O_CLOEXEC);
	if (fd < 0) {
		kfree(name);
		return fd;
	}

	if (name) {
		file = kipc_obj_open_named(net, &args, name, &created);
		/* Like a FIFO, a named object may wait for a peer. */
		if (!IS_ERR(file) && kipc_types[args.type]->open_wait) {
			err = kipc_types[args.type]->open_wait(file);
			/*
			 * A restart would find the name still there if others
			 * opened it meanwhile: then EINTR, not EEXIST later.
			 */
			if (err && created && !kipc_obj_open_undo(net, file) &&
			    err == -ERESTARTSYS && args.oflag & O_EXCL)
				err = -EINTR;
			if (err) {
				fput(file);
				file = ERR_PTR(err);
			}
		}
	} else {
		obj = kipc_obj_create(net, &args, NULL);
		if (IS_ERR(obj)) {
			file = ERR_CAST(obj);
		} else {
			file = kipc_handle_file(obj, &args, args.oflag);
			if (IS_ERR(file))
				kipc_obj_put(obj);
			else
				kipc_obj_publish(net, obj);
		}
	}
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

/**
 * kipc_obj_open_pair - a new anonymous object with two handles
 * @net:  the namespace it belongs to (listed and announced in)
 * @args: creation arguments; O_NONBLOCK and O_CLOEXEC of @args->oflag
 *        apply to both handles
 * @acc:  access mode (O_RDONLY, ...) of each handle
 * @ufds: out: the two file descriptors, stored before they are installed
 *
 * For pipe(2)-like calls, which need both ends of one anonymous object.
 * Return: 0 or a negative errno, with nothing left behind.
 */
int kipc_obj_open_pair(struct net *net, const struct kipc_open *args,
		       const u32 acc[2], int __user *ufds)
{
	u32 common = args->oflag & (O_NONBLOCK | O_CLOEXEC);
	struct file *files[2] = { NULL, NULL };
	struct kipc_obj *obj;
	int fds[2], i, err;

	err = kipc_open_check(args);
	if (err)
		return err;
	obj = kipc_obj_create(net, args, NULL);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	fds[0] = -1;
	fds[1] = -1;
	for (i = 0; i < 2; i++) {
		fds[i] = get_unused_fd_flags(common & O_CLOEXEC);
		if (fds[i] < 0) {
			err = fds[i];
			/* Our reference went to the first handle, if any. */
			if (!i)
				kipc_obj_put(obj);
			goto err;
		}
		/* Each handle holds a reference: the first takes ours. */
		if (i)
			kref_get(&obj->ref);
		files[i] = kipc_handle_file(obj, args, acc[i] | common);
		if (IS_ERR(files[i])) {
			err = PTR_ERR(files[i]);
			files[i] = NULL;
			kipc_obj_put(obj);
			goto err;
		}
	}
	kipc_obj_publish(net, obj);
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		err = -EFAULT;
		goto err;
	}
	fd_install(fds[0], files[0]);
	fd_install(fds[1], files[1]);
	return 0;

err:
	for (i = 0; i < 2; i++) {
		if (files[i])
			fput(files[i]);
		if (fds[i] >= 0)
			put_unused_fd(fds[i]);
	}
	return err;
}

/*
 * May the caller remove @obj's name? Its owner may, and so may
 * CAP_SYS_ADMIN in @net's user namespace: for a netlink request (@skb)
 * both the sender and the socket's opener must have it, as
 * netlink_ns_capable() checks, so a privileged socket handed to an
 * unprivileged process confers nothing.
 */
static bool kipc_obj_may_unlink(struct net *net, struct kipc_obj *obj,
				const struct sk_buff *skb)
{
	if (uid_eq(current_fsuid(), obj->uid))
		return true;
	if (skb)
		return netlink_ns_capable(skb, net->user_ns, CAP_SYS_ADMIN);
	return ns_capable(net->user_ns, CAP_SYS_ADMIN);
}

/**
 * kipc_obj_unlink_name - remove a name, for the ioctl and for netlink
 * @net:  the namespace the name is in
 * @name: a valid name
 * @type: the type the object must have (else -EMEDIUMTYPE), or 0
 * @skb:  the netlink request, or NULL for the ioctl
 *
 * Return: 0, -ENOENT (no such name) or -EPERM (neither the owner nor
 * CAP_SYS_ADMIN).
 */
int kipc_obj_unlink_name(struct net *net, const char *name, u32 type,
			 const struct sk_buff *skb)
{
	struct mutex *lock = kipc_registry_lock(net);
	struct kipc_obj *obj;
	int err = 0;

	mutex_lock(lock);
	obj = kipc_registry_lookup(net, name);
	if (!obj)
		err = -ENOENT;
	else if (type && obj->type != type)
		err = -EMEDIUMTYPE;
	else if (!kipc_obj_may_unlink(net, obj, skb))
		err = -EPERM;
	if (!err) {
		kipc_registry_unlink(net, obj);
		kipc_nl_notify(net, obj, NULL, KIPC_CMD_UNLINKED);
	}
	mutex_unlock(lock);

	if (!err)
		kipc_obj_put(obj);
	return err;
}

/* KIPC_IOC_UNLINK: the owner or CAP_SYS_ADMIN may remove a name. */
int kipc_obj_unlink(struct net *net, const struct kipc_unlink __user *uargs)
{
	struct kipc_unlink args;
	char *name;
	int err;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.pad)
		return -EINVAL;
	name = kipc_name_from_user(args.name);
	if (IS_ERR(name))
		return PTR_ERR(name);

	err = kipc_obj_unlink_name(net, name, 0, NULL);
	kfree(name);
	return err;
}

/**
 * kipc_obj_recharge - charge @obj's creator for a new size
 * @obj:       the object; the caller serialises resizes of it
 * @old_bytes: what the resized part was charged
 * @new_bytes: what it is charged from now on
 *
 * Return: 0, or -ENOMEM (nothing changed) if growing passes the quota.
 */
int kipc_obj_recharge(struct kipc_obj *obj, size_t old_bytes, size_t new_bytes)
{
	int err;

	err = kipc_quota_recharge(obj->user, old_bytes, new_bytes);
	if (!err)
		obj->charge = obj->charge - old_bytes + new_bytes;
	return err;
}

/* The release of every object type's files. */
int kipc_obj_release(struct inode *inode, struct file *file)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_obj *obj = h->obj;

	if (obj->ops->release)
		obj->ops->release(h);
	atomic_dec(&obj->handles);
	kipc_obj_put(obj);
	kfree(h);
	return 0;
}

/**
 * kipc_obj_fill_stat - what @obj is, whoever asks
 * @obj: the object; the caller holds a reference
 * @st:  zeroed; gets every field but @size, @oflag and @handle_flags
 *       (those belong to a handle)
 * @ns:  the user namespace @st->uid and @st->gid are shown in
 *
 * For KIPC_IOC_STAT and for netlink. May sleep (the type's ->stat()).
 */
void kipc_obj_fill_stat(struct kipc_obj *obj, struct kipc_stat *st,
			struct user_namespace *ns)
{
	st->type = obj->type;
	st->id = obj->id;
	if (obj->name) {
		strscpy(st->name, obj->name, sizeof(st->name));
		st->flags |= KIPC_STAT_NAMED;
		if (!READ_ONCE(obj->linked))
			st->flags |= KIPC_STAT_UNLINKED;
	}
	st->uid = from_kuid_munged(ns, obj->uid);
	st->gid = from_kgid_munged(ns, obj->gid);
	st->mode = obj->mode;
	st->handles = atomic_read(&obj->handles);
	st->opens = atomic64_read(&obj->opens);
	st->ctime_ns = ktime_to_ns(obj->ctime);
	obj->ops->stat(obj, st);
}

static int kipc_obj_ioc_stat(struct file *file, struct kipc_stat __user *ust)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_obj *obj = h->obj;
	struct kipc_stat *st;
	u32 size;
	int err = 0;

	if (get_user(size, &ust->size))
		return -EFAULT;
	if (size < KIPC_STAT_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	kipc_obj_fill_stat(obj, st, current_user_ns());
	st->oflag = file->f_flags & (O_ACCMODE | O_NONBLOCK);
	st->handle_flags = h->flags | obj->flags;

	/* Old callers get what they know of; new ones a zeroed tail. */
	st->size = min_t(u32, size, sizeof(*st));
	if (copy_to_user(ust, st, st->size) ||
	    (size > sizeof(*st) &&
	     clear_user((char __user *)ust + sizeof(*st), size - sizeof(*st))))
		err = -EFAULT;
	kfree(st);
	return err;
}

/* Ioctls every object type answers; the types' switches fall back here. */
long kipc_obj_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (kipc_ioc_match(cmd, KIPC_IOC_STAT))
		return kipc_obj_ioc_stat(file, (struct kipc_stat __user *)arg);
	return -ENOTTY;
}
