/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the files of the kipc module.
 *
 * One file per concern:
 *   main.c      module init/exit ladder
 *   dev.c       the /dev/kipc misc device and its ioctl switch
 *   obj.c       what every object has: identity, lifetime, permissions,
 *               handles (open file descriptions) and stat
 *   registry.c  names, one table per network namespace, and the list of
 *               every object of a namespace
 *   quota.c     limits and per-user accounting
 *   sem.c       semaphores
 *   pipe.c      ring-buffer pipes and FIFOs
 *   ring.c      the mappable ring of a pipe made with KIPC_F_RING: its
 *               protocol's kernel side (read, write, poll, waits, wakes)
 *   ring_map.c  its mappings (ring.h holds what the two share)
 *   shm.c       shareable mmap regions
 *   compat.h    what differs between the kernels we build for
 *   wait.c      what timed waits share: reading a deadline from user
 *               memory, and the sleep of a waiter its waker settles
 *   netlink.c   the "kipc" generic netlink family: dump, get, unlink,
 *               limits and events, for every type through ->stat()
 *   mq.c        priority message queues: sends, receives, waits,
 *               notification
 *   mq_index.c  their queued messages by priority (mq_index.h)
 *
 * Lifetime: a struct kipc_obj is reference counted. Every handle holds a
 * reference, and so does the registry while the object's name is linked.
 * An anonymous or unlinked object therefore dies with its last handle; a
 * named one outlives its handles until it is unlinked or the module goes.
 */
#ifndef _KIPC_INTERNAL_H
#define _KIPC_INTERNAL_H

#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ioctl.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/sched/signal.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include <uapi/linux/kipc.h>

struct kipc_obj;
struct kipc_handle;
struct kipc_stat;
struct kipc_user;
struct net;
struct sk_buff;
struct user_namespace;

/**
 * struct kipc_type_ops - what a mechanism (sem.c, ...) provides
 * @name:    "sem", ...
 * @inode_name: name of its anon inodes, "[kipc-sem]", ...
 * @fops:    file operations of its handles
 * @fmode:   FMODE_* bits its handles get besides the access mode
 *           (FMODE_PREAD | FMODE_PWRITE for a type with file positions)
 * @check:   validate the creation attributes (called for every open,
 *           creating or not, so bad input never depends on the name)
 * @create:  allocate and initialise an object from valid attributes;
 *           returns the embedded struct kipc_obj and its size in bytes
 *           (charged to the creator) in @charge
 * @destroy: free it; called once, when the last reference goes
 * @stat:    fill the type's fields of @st (capacity, fill, high_water,
 *           the in/out counters, blocked_in/out); may sleep. Called with
 *           a handle (ioctl) and without (netlink dumps and get, and the
 *           events: under the namespace's registry lock for created and
 *           unlinked, and once more on a dead object just before
 *           @destroy), never under kipc_objects_lock
 * @open:    optional: a new handle exists (counts readers and writers)
 * @open_wait: optional: after opening a named object, wait for what the
 *           type's open semantics require (a FIFO's peer); may sleep,
 *           returns 0 or a negative errno that fails the open
 * @release: a handle is going away (last close of its file description)
 * @nl_size: with @nl_put: the room its attributes need
 * @nl_put:  optional: the type's own attributes in a netlink get or dump
 *           reply (regions: mappings, seals); may sleep; not for events
 */
struct kipc_type_ops {
	const char *name;
	const char *inode_name;
	const struct file_operations *fops;
	fmode_t fmode;
	int (*check)(const struct kipc_open *args);
	struct kipc_obj *(*create)(const struct kipc_open *args, size_t *charge);
	void (*destroy)(struct kipc_obj *obj);
	void (*stat)(struct kipc_obj *obj, struct kipc_stat *st);
	void (*open)(struct kipc_handle *h);
	int (*open_wait)(struct file *file);
	void (*release)(struct kipc_handle *h);
	size_t (*nl_size)(void);
	int (*nl_put)(struct kipc_obj *obj, struct sk_buff *skb);
};

/**
 * struct kipc_obj - the part every kipc object shares
 *
 * Immutable after creation: @type, @ops, @flags, @id, @name, @uid, @gid,
 * @mode, @user, @ctime. @flags holds the KIPC_F_* bits that belong to the
 * object rather than to a handle (KIPC_F_OBJECT): those given when it was
 * created; an open of an existing object cannot change them. @charge
 * changes only through kipc_obj_recharge(), which the type serialises.
 *
 * @all and @net are protected by kipc_objects_lock (registry.c): the
 * object is on the list of @net's objects from creation until it is
 * freed, or until @net goes away, which sets @net to NULL.
 *
 * @published is set once, by kipc_obj_publish(), when the object becomes
 * visible (a name linked, an anonymous object's first handle made) and its
 * creation is announced; dumps and the destroyed event skip objects that
 * never were.
 */
struct kipc_obj {
	struct kref ref;
	u32 type;
	const struct kipc_type_ops *ops;
	u32 flags;
	u64 id;
	char *name;			/* NULL for anonymous objects */
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	struct kipc_user *user;		/* charged for @charge bytes */
	size_t charge;
	ktime_t ctime;			/* CLOCK_REALTIME */

	/* Protected by the owning registry's lock. */
	struct rhash_head node;
	bool linked;

	/* Protected by kipc_objects_lock. */
	struct list_head all;
	struct net *net;

	bool published;

	atomic_t handles;
	atomic64_t opens;
};

/* KIPC_F_* bits of the object, set at creation only (the rest: handles'). */
#define KIPC_F_OBJECT		(KIPC_F_PACKET | KIPC_F_RING)

/**
 * struct kipc_handle - one open file description of an object
 * @obj:   the object (a reference is held)
 * @flags: KIPC_F_* given at open that belong to the handle (KIPC_F_UNDO)
 * @fmode: the file's FMODE_READ/FMODE_WRITE; immutable
 * @undo:  KIPC_SEM with KIPC_F_UNDO: units taken and not given back;
 *         protected by the semaphore's lock
 * @seen:  KIPC_PIPE: the pipe's count of writers ever opened, as of when
 *         this handle opened
 *         (a reader sees hang-up only after a writer came and went)
 * @r_seen: KIPC_PIPE: the pipe's count of readers ever opened, as of when
 *         this handle opened (a FIFO writer waits for it to move)
 * @nonblock: the open asked O_NONBLOCK; immutable
 * @refused: KIPC_PIPE: a FIFO writer that found no reader and will fail
 *         with ENXIO: never counted as a writer; immutable after ->open
 * @may_read: the opener may read the object (opened for reading, or its
 *         mode would have let it): a mapped ring's data may be mapped
 *         for writing; immutable
 */
struct kipc_handle {
	struct kipc_obj *obj;
	u32 flags;
	fmode_t fmode;
	s64 undo;
	unsigned long seen;
	unsigned long r_seen;
	bool nonblock;
	bool refused;
	bool may_read;
};

/*
 * Does @cmd name the same ioctl as @ref, whatever size it encodes? For the
 * extensible structs, whose size travels in the struct itself.
 */
static inline bool kipc_ioc_match(unsigned int cmd, unsigned int ref)
{
	unsigned int size_bits = _IOC_SIZEMASK << _IOC_SIZESHIFT;

	return (cmd & ~size_bits) == (ref & ~size_bits);
}

/* wait.c: what a timed wait's deadline means (the uapi's @timeout). */
#define KIPC_DEADLINE_NEGATIVE_PASSED	true	/* sem_timedwait(3) */
#define KIPC_DEADLINE_NEGATIVE_EINVAL	false	/* mq_timedsend(2) */
int kipc_deadline(bool timed, u64 utimeout, bool negative_passed,
		  ktime_t *buf, ktime_t **deadline);

/*
 * The two halves of every kipc sleep loop (semaphores, queues, rings): in
 * the state the caller set, sleep until woken or until @deadline (absolute
 * CLOCK_MONOTONIC, NULL for none); and, once woken with the condition
 * still false, whether the wait must end: -ERESTARTSYS on a signal,
 * -ETIMEDOUT once @deadline has passed, else 0.
 */
static inline void kipc_schedule(ktime_t *deadline)
{
	if (deadline)
		schedule_hrtimeout_range_clock(deadline, 0, HRTIMER_MODE_ABS,
					       CLOCK_MONOTONIC);
	else
		schedule();
}

static inline int kipc_wait_ended(const ktime_t *deadline)
{
	if (signal_pending(current))
		return -ERESTARTSYS;
	if (deadline && ktime_compare(ktime_get(), *deadline) >= 0)
		return -ETIMEDOUT;
	return 0;
}

/*
 * wait.c: the sleep of semaphore and queue waiters, whose waker settles
 * their result under the object's lock and then tells them with
 * kipc_set_done(); see kipc_sleep_until_done().
 */
int kipc_sleep_until_done(spinlock_t *lock, const bool *done,
			  ktime_t *deadline);

/*
 * The last thing a waker does to a waiter, which lives on the waiter's
 * stack: once it sees @done it may return and its frame be gone. So the
 * waker first unlinks it, settles the counts and its result and takes
 * what it needs of it (its task, for the wake-up), all under the lock.
 */
static inline void kipc_set_done(bool *done)
{
	/* Pairs with smp_load_acquire() in kipc_sleep_until_done(). */
	smp_store_release(done, true);
}

/* obj.c */
static inline struct kipc_handle *kipc_file_handle(struct file *file)
{
	return file->private_data;
}

int kipc_obj_open(struct net *net, const struct kipc_open __user *uargs);
int kipc_obj_open_pair(struct net *net, const struct kipc_open *args,
		       const u32 acc[2], int __user *ufds);
int kipc_obj_unlink(struct net *net, const struct kipc_unlink __user *uargs);
int kipc_obj_unlink_name(struct net *net, const char *name, u32 type,
			 const struct sk_buff *skb);
void kipc_obj_fill_stat(struct kipc_obj *obj, struct kipc_stat *st,
			struct user_namespace *ns);
void kipc_obj_put(struct kipc_obj *obj);
int kipc_obj_recharge(struct kipc_obj *obj, size_t old_bytes, size_t new_bytes);
int kipc_obj_release(struct inode *inode, struct file *file);
long kipc_obj_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
char *kipc_name_from_user(u64 uname);

/* registry.c */
int kipc_registry_init(void);
void kipc_registry_exit(void);
struct mutex *kipc_registry_lock(struct net *net);
struct kipc_obj *kipc_registry_lookup(struct net *net, const char *name);
int kipc_registry_link(struct net *net, struct kipc_obj *obj);
void kipc_registry_unlink(struct net *net, struct kipc_obj *obj);
void kipc_registry_add(struct net *net, struct kipc_obj *obj);
void kipc_registry_remove(struct kipc_obj *obj);
int kipc_registry_collect(struct net *net, struct kipc_obj *cursor, u32 type,
			  struct kipc_obj **objs, int max);

/*
 * The largest buffer any object allocates in one piece (a pipe ring, a
 * queued message), whatever the module parameters say: kvmalloc() warns
 * past INT_MAX, which panic_on_warn turns into a panic, so no request an
 * admin's raised limits let through may get near it.
 */
#define KIPC_ALLOC_MAX		BIT(30)

/* quota.c */
struct kipc_user *kipc_quota_charge(size_t bytes);
int kipc_quota_recharge(struct kipc_user *user, size_t old_bytes,
			size_t new_bytes);
void kipc_quota_uncharge(struct kipc_user *user, size_t bytes);
void kipc_quota_exit(void);

/**
 * struct kipc_quota_info - limits and usage, for netlink
 * @max_objects, @max_objects_per_user, @max_bytes_per_user: the limits
 * @objects:      objects of the module, every namespace
 * @uid:          the user asked about, as netlink shows it (not filled by
 *                kipc_quota_get())
 * @user_objects: objects charged to that user
 * @user_bytes:   bytes charged to that user
 *
 * Each field as wide as its netlink attribute (KIPC_NL_LIMITS_ATTRS).
 */
struct kipc_quota_info {
	u32 max_objects;
	u32 max_objects_per_user;
	u64 max_bytes_per_user;
	u32 objects;
	u32 uid;
	u32 user_objects;
	u64 user_bytes;
};

void kipc_quota_get(kuid_t uid, struct kipc_quota_info *info);

/* sem.c */
extern const struct kipc_type_ops kipc_sem_ops;

/* pipe.c */
extern const struct kipc_type_ops kipc_pipe_ops;
int kipc_pipe_create(struct net *net, struct kipc_pipe_pair __user *uargs);

/* ring.c */
struct kipc_ring;

/**
 * struct kipc_ring_ends - what a mapped ring borrows from its pipe
 * @rd_wait: readers sleep here for data (and pollers)
 * @wr_wait: writers sleep here for room (and pollers)
 * @readers: the pipe's handles open for reading
 * @writers: the pipe's handles open for writing
 */
struct kipc_ring_ends {
	wait_queue_head_t *rd_wait;
	wait_queue_head_t *wr_wait;
	const unsigned int *readers;
	const unsigned int *writers;
};

size_t kipc_ring_charge(u32 size);
struct kipc_ring *kipc_ring_alloc(u32 size, bool packet,
				  const struct kipc_ring_ends *ends);
void kipc_ring_free(struct kipc_ring *r);
ssize_t kipc_ring_write(struct kipc_ring *r, struct iov_iter *from,
			bool nonblock);
ssize_t kipc_ring_read(struct kipc_ring *r, struct iov_iter *to,
		       bool nonblock);
__poll_t kipc_ring_poll(struct kipc_ring *r, fmode_t fmode, u32 record);
u64 kipc_ring_held(struct kipc_ring *r);
void kipc_ring_stat(struct kipc_ring *r, struct kipc_stat *st);
void kipc_ring_ends_changed(struct kipc_ring *r);
long kipc_ring_ioctl(struct kipc_ring *r, struct file *file, unsigned int cmd,
		     unsigned long arg);

/* netlink.c */
int kipc_nl_register(void);
void kipc_nl_unregister(void);
void kipc_nl_notify(struct net *net, struct kipc_obj *obj,
		    struct kipc_stat *st, u8 cmd);
size_t kipc_nl_shm_size(void);
int kipc_nl_put_shm(struct sk_buff *skb, const struct kipc_shm_info *info);

/* shm.c */
extern const struct kipc_type_ops kipc_shm_ops;

/* mq.c */
extern const struct kipc_type_ops kipc_mq_ops;

/* dev.c */
int kipc_dev_register(void);
void kipc_dev_unregister(void);

#endif /* _KIPC_INTERNAL_H */
