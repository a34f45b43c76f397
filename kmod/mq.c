// SPDX-License-Identifier: GPL-2.0
/*
 * Priority message queues.
 *
 * Index. The queued messages, by priority, oldest first within one, are
 * in a struct kipc_mq_index: see mq_index.h.
 *
 * Memory. An empty queue is the struct and its index's directory (one
 * pointer per leaf: 4 KiB); leaves come and go with their messages (see
 * mq_index.h). Messages are allocated at send time (kvmalloc, as
 * they may be large) so idle queues pin nothing but a few recycled small
 * ones (below); a queue can never hold more than maxmsg of them (plus
 * those) nor use more than min(maxmsg, leaves) + 1 leaves, and that
 * bound, in the sizes the allocator really hands out, is what the creator
 * is charged at creation (overflow-checked). Senders waiting on a full
 * queue hold their message, and a spare leaf, outside that bound, as
 * blocked mq_send() callers do in ipc/mqueue.c; it is accounted to their
 * memory cgroup, and, as mq_open() requires, a queue with messages over
 * mq_msgsize_user_max (8 KiB) needs CAP_SYS_RESOURCE to be made, so an
 * unprivileged user's queues make each blocked sender pin at most that.
 *
 * Recycling. A queue of small messages (msgsize up to KIPC_MQ_CACHE_MSGSIZE)
 * allocates each one at its full msgsize and keeps up to
 * KIPC_MQ_CACHE_SLOTS freed ones in @cache for the next sends, so a steady
 * flow allocates nothing: the per-message kvmalloc() and kvfree() (and
 * their memory cgroup charges) are what posix-mq pays on every message.
 * The slots are single words taken with xchg() and filled with cmpxchg(),
 * so there is no ABA and no lock; what they can hold is in the creation
 * charge. A recycled message stays charged to the cgroup that allocated
 * it.
 *
 * Copying. Message bodies are copied from user space before the lock is
 * taken and to user space after it is dropped. If the copy to user space
 * faults, the message has already left the queue and is lost, as with
 * Linux's mq_timedreceive(); an obviously bad buffer (NULL) is refused
 * before anything is taken.
 *
 * Waiting. Receivers wait on a FIFO list; a sender hands its message
 * straight to the oldest waiting receiver that accepts it (selectors), so
 * a queued message is never acceptable to a waiting receiver. Senders wait
 * on a FIFO list while the queue is full; a receiver that frees a slot
 * moves the oldest waiting sender's message in (or to a waiting receiver)
 * on the sender's behalf. Either way the waiter is marked done under the
 * lock and owns the result even if a signal or its deadline comes at the
 * same moment. Tasks, pollers and the notification are woken after the
 * lock is dropped.
 *
 * Notification (mq_notify). One registration per queue. It fires when a
 * send queues a message into an empty queue; a message handed to a
 * waiting receiver is not queued and fires nothing. Firing removes the
 * registration. The signal is sent with send_sig_info(), which modules
 * may use on both 6.1 and 6.12 (the process-directed do_send_sig_info()
 * that ipc/mqueue.c uses is not exported); see kipc_mq_notify_send().
 */
#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "mq_index.h"

static unsigned int mq_maxmsg_max = 65536;
module_param(mq_maxmsg_max, uint, 0644);
MODULE_PARM_DESC(mq_maxmsg_max, "Largest maxmsg of a new message queue (EINVAL)");

static unsigned int mq_msgsize_max = 1 << 20;
module_param(mq_msgsize_max, uint, 0644);
MODULE_PARM_DESC(mq_msgsize_max, "Largest msgsize of a new message queue, bytes (EINVAL)");

/*
 * What a queue's creator may ask without CAP_SYS_RESOURCE, as
 * fs.mqueue.msgsize_max for mq_open(): a sender blocked on a full queue
 * holds its message outside every quota (see Memory), so this bounds
 * what an unprivileged user's queues make each blocked sender pin.
 */
static unsigned int mq_msgsize_user_max = 8192;
module_param(mq_msgsize_user_max, uint, 0644);
MODULE_PARM_DESC(mq_msgsize_user_max, "Largest msgsize without CAP_SYS_RESOURCE, bytes (EINVAL)");

/* Freed messages a queue of small ones keeps for reuse (see Recycling). */
#define KIPC_MQ_CACHE_SLOTS	4
#define KIPC_MQ_CACHE_MSGSIZE	PAGE_SIZE

/* Tasks one locked section wakes after unlocking; more are woken inside. */
#define KIPC_MQ_WAKE_MAX	4

/**
 * struct kipc_mq_reg - a notification registration
 * @handle:  the handle it was made through; NULL if there is none
 * @tgid:    the registering process
 * @tid:     the registering thread
 * @exec_id: the process's self_exec_id when it registered
 * @signo:   the signal, 0 for KIPC_MQ_NOTIFY_NONE
 * @value:   the signal's si_value
 */
struct kipc_mq_reg {
	struct kipc_handle *handle;
	struct pid *tgid;
	struct pid *tid;
	u64 exec_id;
	int signo;
	u64 value;
};

/**
 * struct kipc_mq - a message queue
 * @obj:         the common part
 * @maxmsg:      most messages held; immutable
 * @msgsize:     largest message; immutable
 * @cache:       freed messages for reuse, or NULL; atomic, not under @lock
 * @lock:        protects everything below it
 * @curmsgs:     messages queued
 * @index:       the queued messages by priority (its directory pointer
 *               is immutable)
 * @senders:     struct kipc_mq_sender waiting for room, oldest first;
 *               not empty only while the queue is full
 * @receivers:   struct kipc_mq_receiver waiting for a message, oldest first
 * @nsenders:    length of @senders, for stat
 * @nreceivers:  length of @receivers, for stat
 * @high_water:  largest @curmsgs seen
 * @sends:       messages sent
 * @receives:    messages received
 * @in_bytes:    bytes sent
 * @out_bytes:   bytes received
 * @reg:         the notification registration
 * @poll_wq:     woken when the queue turns non-empty or not full
 */
struct kipc_mq {
	struct kipc_obj obj;
	u32 maxmsg;
	u32 msgsize;
	struct kipc_mq_message *cache[KIPC_MQ_CACHE_SLOTS];

	spinlock_t lock;		/* protects the fields below */
	u32 curmsgs;
	struct kipc_mq_index index;
	struct list_head senders;
	struct list_head receivers;
	u32 nsenders;
	u32 nreceivers;
	u32 high_water;
	u64 sends;
	u64 receives;
	u64 in_bytes;
	u64 out_bytes;
	struct kipc_mq_reg reg;

	wait_queue_head_t poll_wq;
};

/**
 * struct kipc_mq_sender - a task sleeping in send while the queue is full
 * @node:  in kipc_mq.senders while waiting
 * @task:  the sleeper
 * @msg:   its message
 * @spare: a leaf for @msg's priority in case it has none when @msg is
 *         moved in; whoever moves @msg in may take it
 * @done:  @msg was moved in (or handed to a receiver) and @node unlinked
 *
 * Lives on the sleeper's stack; protected by the queue's lock.
 */
struct kipc_mq_sender {
	struct list_head node;
	struct task_struct *task;
	struct kipc_mq_message *msg;
	struct kipc_mq_leaf *spare;
	bool done;
};

/**
 * struct kipc_mq_receiver - a task sleeping in receive
 * @node:     in kipc_mq.receivers while waiting
 * @task:     the sleeper
 * @sel:      its selector, 0 or one KIPC_MQ_SEL_* flag
 * @sel_prio: the selector's priority
 * @msg:      the message handed to it, once @done
 * @done:     a sender gave it @msg and unlinked @node
 *
 * Lives on the sleeper's stack; protected by the queue's lock.
 */
struct kipc_mq_receiver {
	struct list_head node;
	struct task_struct *task;
	u32 sel;
	u32 sel_prio;
	struct kipc_mq_message *msg;
	bool done;
};

/**
 * struct kipc_mq_wake - what a locked section leaves to do after unlocking
 * @tasks:     waiters to wake, each with a task reference
 * @ntasks:    entries of @tasks in use
 * @poll:      events to wake pollers with
 * @fire:      a registration that fired (its @tgid is NULL if none did)
 * @free_leaf: a leaf to free
 */
struct kipc_mq_wake {
	struct task_struct *tasks[KIPC_MQ_WAKE_MAX];
	unsigned int ntasks;
	__poll_t poll;
	struct kipc_mq_reg fire;
	struct kipc_mq_leaf *free_leaf;
};

static struct kipc_mq *kipc_mq(struct kipc_obj *obj)
{
	return container_of(obj, struct kipc_mq, obj);
}

static struct kipc_mq *kipc_mq_file(struct file *file)
{
	return kipc_mq(kipc_file_handle(file)->obj);
}

/* Locking and waking. */

/* Wake @task after unlocking (or now, under the lock, if the list is full). */
static void kipc_mq_wake_task(struct kipc_mq_wake *wk, struct task_struct *task)
{
	if (wk->ntasks == KIPC_MQ_WAKE_MAX) {
		/* Safe under the lock: the waiter re-takes it to look. */
		wake_up_process(task);
		return;
	}
	get_task_struct(task);
	wk->tasks[wk->ntasks++] = task;
}

static void kipc_mq_notify_send(struct kipc_mq_reg *reg);

static void kipc_mq_wake_up(struct kipc_mq *mq, struct kipc_mq_wake *wk)
{
	unsigned int i;

	for (i = 0; i < wk->ntasks; i++) {
		wake_up_process(wk->tasks[i]);
		put_task_struct(wk->tasks[i]);
	}
	if (wk->poll)
		wake_up_interruptible_poll(&mq->poll_wq, wk->poll);
	if (wk->fire.tgid)
		kipc_mq_notify_send(&wk->fire);
	kfree(wk->free_leaf);
}

/* The index, and the count of queued messages beside it. */

/* The priority a receiver with selector @sel would take from, or -1. */
static int kipc_mq_find(const struct kipc_mq *mq, u32 sel, u32 sel_prio)
{
	lockdep_assert_held(&mq->lock);
	if (!mq->curmsgs)
		return -1;
	return kipc_mq_index_find(&mq->index, sel, sel_prio);
}

/* Queue @m, as kipc_mq_index_add(); the queue has room. */
static void kipc_mq_enqueue(struct kipc_mq *mq, struct kipc_mq_message *m,
			    struct kipc_mq_leaf **spare)
{
	lockdep_assert_held(&mq->lock);
	kipc_mq_index_add(&mq->index, m, spare);
	mq->curmsgs++;
	mq->high_water = max(mq->high_water, mq->curmsgs);
}

/* Take the oldest message of @prio, which has one. */
static struct kipc_mq_message *kipc_mq_dequeue(struct kipc_mq *mq, u32 prio,
					       struct kipc_mq_wake *wk)
{
	lockdep_assert_held(&mq->lock);
	mq->curmsgs--;
	return kipc_mq_index_take(&mq->index, prio, &wk->free_leaf);
}

/* Statistics. */

static void kipc_mq_account_in(struct kipc_mq *mq, struct kipc_mq_message *m)
{
	lockdep_assert_held(&mq->lock);
	mq->sends++;
	mq->in_bytes += m->len;
}

static void kipc_mq_account_out(struct kipc_mq *mq, struct kipc_mq_message *m)
{
	lockdep_assert_held(&mq->lock);
	mq->receives++;
	mq->out_bytes += m->len;
}

/* Moving messages between senders, the queue and receivers. */

/*
 * Give @m, which is being sent, to the oldest waiting receiver that
 * accepts it, counting it in first if @count_in (a sender that has not
 * yet). Returns false if there is none. Once the receiver is done it may
 * free @m without the lock: @m is not touched after that.
 */
static bool kipc_mq_hand_off(struct kipc_mq *mq, struct kipc_mq_message *m,
			     bool count_in, struct kipc_mq_wake *wk)
{
	struct kipc_mq_receiver *r;

	lockdep_assert_held(&mq->lock);
	list_for_each_entry(r, &mq->receivers, node) {
		if (!kipc_mq_accepts(r->sel, r->sel_prio, m->prio))
			continue;
		list_del_init(&r->node);
		mq->nreceivers--;
		r->msg = m;
		if (count_in)
			kipc_mq_account_in(mq, m);
		kipc_mq_account_out(mq, m);
		kipc_mq_wake_task(wk, r->task);
		kipc_set_done(&r->done);
		return true;
	}
	return false;
}

/* While there is room, move the oldest waiting senders' messages in. */
static void kipc_mq_pull_senders(struct kipc_mq *mq, struct kipc_mq_wake *wk)
{
	struct kipc_mq_sender *s;

	lockdep_assert_held(&mq->lock);
	while (mq->curmsgs < mq->maxmsg && !list_empty(&mq->senders)) {
		s = list_first_entry(&mq->senders, struct kipc_mq_sender, node);
		list_del_init(&s->node);
		mq->nsenders--;
		kipc_mq_account_in(mq, s->msg);
		if (!kipc_mq_hand_off(mq, s->msg, false, wk))
			kipc_mq_enqueue(mq, s->msg, &s->spare);
		kipc_mq_wake_task(wk, s->task);
		kipc_set_done(&s->done);
	}
}

/*
 * Take a message for a receiver with selector @sel from the queue, or
 * else from the oldest waiting sender whose message it accepts. Returns
 * NULL if there is none.
 */
static struct kipc_mq_message *kipc_mq_take(struct kipc_mq *mq, u32 sel,
					    u32 sel_prio,
					    struct kipc_mq_wake *wk)
{
	bool was_full = mq->curmsgs == mq->maxmsg;
	struct kipc_mq_message *m;
	struct kipc_mq_sender *s;
	int prio;

	lockdep_assert_held(&mq->lock);
	prio = kipc_mq_find(mq, sel, sel_prio);
	if (prio >= 0) {
		m = kipc_mq_dequeue(mq, prio, wk);
		kipc_mq_account_out(mq, m);
		kipc_mq_pull_senders(mq, wk);
		if (was_full && mq->curmsgs < mq->maxmsg)
			wk->poll |= EPOLLOUT | EPOLLWRNORM;
		return m;
	}

	/*
	 * Senders wait only while the queue is full, so this matters only
	 * to selectors that accept none of the queued messages.
	 */
	list_for_each_entry(s, &mq->senders, node) {
		if (!kipc_mq_accepts(sel, sel_prio, s->msg->prio))
			continue;
		list_del_init(&s->node);
		mq->nsenders--;
		m = s->msg;
		kipc_mq_account_in(mq, m);
		kipc_mq_account_out(mq, m);
		kipc_mq_wake_task(wk, s->task);
		kipc_set_done(&s->done);
		return m;
	}
	return NULL;
}

/* Notification. */

/* Take the registration out of the queue, to be fired or dropped. */
static void kipc_mq_reg_take(struct kipc_mq *mq, struct kipc_mq_reg *out)
{
	lockdep_assert_held(&mq->lock);
	*out = mq->reg;
	memset(&mq->reg, 0, sizeof(mq->reg));
}

static void kipc_mq_reg_put(struct kipc_mq_reg *reg)
{
	put_pid(reg->tgid);
	put_pid(reg->tid);
}

/*
 * The thread of @leader's process to send @sig to: send_sig_info() queues
 * the signal on one thread, so pick one the way the kernel does for
 * process-directed signals: one that is not exiting and does not block
 * @sig. If all block it, the thread that registered (if it lives on),
 * else the main thread, where it stays pending until unblocked. Reading
 * ->blocked without the siglock only risks picking a thread that has just
 * blocked @sig, which then holds it pending the same way.
 */
static struct task_struct *kipc_mq_notify_target(struct task_struct *leader,
						 struct pid *tid, int sig)
{
	struct task_struct *t;

	for_each_thread(leader, t)
		if (!(t->flags & PF_EXITING) && !sigismember(&t->blocked, sig))
			return t;
	t = pid_task(tid, PIDTYPE_PID);
	return t && same_thread_group(t, leader) ? t : leader;
}

/*
 * Send a fired registration's signal and drop it. Called without the
 * queue's lock, by the task whose send fired it.
 *
 * Like ipc/mqueue.c this skips the kill permission check: the signal
 * comes from the kernel, to a process that asked for it on a queue it
 * could open; and, also like mqueue.c, a process that has exec'd since it
 * registered (perhaps into a set-id program) gets nothing. The task is
 * found and signalled under rcu_read_lock(), which keeps it from being
 * freed; the registration's pid references keep the pids valid.
 */
static void kipc_mq_notify_send(struct kipc_mq_reg *reg)
{
	struct task_struct *leader, *target;
	struct kernel_siginfo info;

	if (!reg->signo)
		goto out;

	clear_siginfo(&info);
	info.si_signo = reg->signo;
	info.si_code = SI_MESGQ;
	info.si_value.sival_ptr = u64_to_user_ptr(reg->value);

	rcu_read_lock();
	leader = pid_task(reg->tgid, PIDTYPE_TGID);
	if (leader && leader->self_exec_id == reg->exec_id) {
		/* The sender, as the registrant's namespaces see it. */
		info.si_pid = task_tgid_nr_ns(current, ns_of_pid(reg->tgid));
		info.si_uid = from_kuid_munged(task_cred_xxx(leader, user_ns),
					       current_uid());
		target = kipc_mq_notify_target(leader, reg->tid, reg->signo);
		send_sig_info(reg->signo, &info, target);
	}
	rcu_read_unlock();
out:
	kipc_mq_reg_put(reg);
}

/* A message is being queued into the empty queue: fire, if registered. */
static void kipc_mq_turned_nonempty(struct kipc_mq *mq, struct kipc_mq_wake *wk)
{
	lockdep_assert_held(&mq->lock);
	wk->poll |= EPOLLIN | EPOLLRDNORM;
	if (mq->reg.handle)
		kipc_mq_reg_take(mq, &wk->fire);
}

/* Send. */

/* The deadline of KIPC_MQ_TIMED: kipc_deadline() by mq_timedsend(2)'s rule. */
static int kipc_mq_deadline(u32 flags, u64 utimeout, ktime_t *buf,
			    ktime_t **deadline)
{
	return kipc_deadline(flags & KIPC_MQ_TIMED, utimeout,
			     KIPC_DEADLINE_NEGATIVE_EINVAL, buf, deadline);
}

/* Whether a queue of @msgsize-byte messages recycles them. */
static bool kipc_mq_recycles(u32 msgsize)
{
	return msgsize <= KIPC_MQ_CACHE_MSGSIZE;
}

/* Room for a message of @len bytes: a recycled one, or a new one. */
static struct kipc_mq_message *kipc_mq_message_alloc(struct kipc_mq *mq,
						     u32 len)
{
	struct kipc_mq_message *m;
	unsigned int i;

	if (kipc_mq_recycles(mq->msgsize)) {
		for (i = 0; i < KIPC_MQ_CACHE_SLOTS; i++) {
			if (!READ_ONCE(mq->cache[i]))
				continue;
			m = xchg(&mq->cache[i], NULL);
			if (m)
				return m;
		}
		len = mq->msgsize;	/* whole, to be reusable */
	}
	return kvmalloc(struct_size(m, data, len), GFP_KERNEL_ACCOUNT);
}

/* Done with @m: into a free slot, else freed. */
static void kipc_mq_message_free(struct kipc_mq *mq, struct kipc_mq_message *m)
{
	unsigned int i;

	if (kipc_mq_recycles(mq->msgsize)) {
		for (i = 0; i < KIPC_MQ_CACHE_SLOTS; i++)
			if (!READ_ONCE(mq->cache[i]) &&
			    !cmpxchg(&mq->cache[i], NULL, m))
				return;
	}
	kvfree(m);
}

/* A new message of @len bytes copied from @ubuf, or an ERR_PTR. */
static struct kipc_mq_message *kipc_mq_message_new(struct kipc_mq *mq,
						   u64 ubuf, u32 len, u32 prio)
{
	struct kipc_mq_message *m = kipc_mq_message_alloc(mq, len);

	if (!m)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(m->data, u64_to_user_ptr(ubuf), len)) {
		kipc_mq_message_free(mq, m);
		return ERR_PTR(-EFAULT);
	}
	m->len = len;
	m->prio = prio;
	return m;
}

/*
 * Wait for room as a sender, holding @spare for whoever moves @m in.
 * Returns with the lock held: 0 once @m is sent, else an error (@m is
 * still ours). *@spare is whatever the mover left of it.
 */
static int kipc_mq_send_wait(struct kipc_mq *mq, struct kipc_mq_message *m,
			     struct kipc_mq_leaf **spare, ktime_t *deadline)
	__must_hold(&mq->lock)
{
	struct kipc_mq_sender s = {
		.task = current, .msg = m, .spare = *spare,
	};
	int ret;

	lockdep_assert_held(&mq->lock);
	list_add_tail(&s.node, &mq->senders);
	mq->nsenders++;
	ret = kipc_sleep_until_done(&mq->lock, &s.done, deadline);
	if (!ret) {
		spin_lock(&mq->lock);	/* for the caller's spare leaf */
	} else {
		list_del(&s.node);
		mq->nsenders--;
	}
	*spare = s.spare;
	return ret;
}

/*
 * Send @m: to a waiting receiver, into the queue, or after waiting for
 * room. On success @m belongs to the queue; on error it is still the
 * caller's.
 */
static int kipc_mq_send_message(struct kipc_mq *mq, struct kipc_mq_message *m,
				bool nonblock, ktime_t *deadline)
{
	struct kipc_mq_leaf *spare = NULL;
	struct kipc_mq_wake wk = { };
	int ret;

	spin_lock(&mq->lock);
	for (;;) {
		/* Counted in by the hand-off: after it, @m is the receiver's. */
		if (kipc_mq_hand_off(mq, m, true, &wk)) {
			ret = 0;
			break;
		}
		if (mq->curmsgs < mq->maxmsg &&
		    kipc_mq_index_has_leaf(&mq->index, m->prio, spare)) {
			if (!mq->curmsgs)
				kipc_mq_turned_nonempty(mq, &wk);
			kipc_mq_account_in(mq, m);
			kipc_mq_enqueue(mq, m, &spare);
			ret = 0;
			break;
		}
		if (mq->curmsgs == mq->maxmsg && nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (mq->curmsgs == mq->maxmsg && spare) {
			ret = kipc_mq_send_wait(mq, m, &spare, deadline);
			break;
		}
		/* A leaf, to queue @m now or to wait with: allocate, retry. */
		spin_unlock(&mq->lock);
		spare = kipc_mq_leaf_new();
		if (!spare)
			return -ENOMEM;
		spin_lock(&mq->lock);
	}
	kipc_mq_index_keep_spare(&mq->index, &spare);
	spin_unlock(&mq->lock);

	kipc_mq_wake_up(mq, &wk);
	kfree(spare);
	return ret;
}

static bool kipc_mq_nonblock(struct file *file, u32 flags)
{
	return (flags & KIPC_MQ_NONBLOCK) || (file->f_flags & O_NONBLOCK);
}

static int kipc_mq_ioc_send(struct file *file, struct kipc_mq_send __user *us)
{
	struct kipc_mq *mq = kipc_mq_file(file);
	struct kipc_mq_message *m;
	struct kipc_mq_send args;
	ktime_t buf, *deadline;
	int err;

	if (copy_from_user(&args, us, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~KIPC_MQ_SEND_FLAGS || args.prio >= KIPC_MQ_PRIO_MAX)
		return -EINVAL;
	err = kipc_mq_deadline(args.flags, args.timeout, &buf, &deadline);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (args.len > mq->msgsize)
		return -EMSGSIZE;

	m = kipc_mq_message_new(mq, args.msg, args.len, args.prio);
	if (IS_ERR(m))
		return PTR_ERR(m);
	err = kipc_mq_send_message(mq, m, kipc_mq_nonblock(file, args.flags),
				   deadline);
	if (err)
		kipc_mq_message_free(mq, m);
	return err;
}

/* Receive. */

/*
 * Take a message for a receiver with selector @sel, waiting for one
 * unless @nonblock. Returns it, or an ERR_PTR.
 */
static struct kipc_mq_message *
kipc_mq_receive_message(struct kipc_mq *mq, u32 sel, u32 sel_prio,
			bool nonblock, ktime_t *deadline)
{
	struct kipc_mq_receiver r = {
		.task = current, .sel = sel, .sel_prio = sel_prio,
	};
	struct kipc_mq_message *m;
	struct kipc_mq_wake wk = { };
	int ret;

	spin_lock(&mq->lock);
	m = kipc_mq_take(mq, sel, sel_prio, &wk);
	if (!m && nonblock) {
		m = ERR_PTR(-EAGAIN);
	} else if (!m) {
		list_add_tail(&r.node, &mq->receivers);
		mq->nreceivers++;
		ret = kipc_sleep_until_done(&mq->lock, &r.done, deadline);
		if (!ret) {
			kipc_mq_wake_up(mq, &wk);	/* the lock is released */
			return r.msg;
		}
		list_del(&r.node);
		mq->nreceivers--;
		m = ERR_PTR(ret);
	}
	spin_unlock(&mq->lock);

	kipc_mq_wake_up(mq, &wk);
	return m;
}

/* Check the selector part of receive flags. */
static int kipc_mq_check_sel(u32 flags, u32 sel_prio)
{
	u32 sel = flags & KIPC_MQ_SEL;

	if (flags & ~KIPC_MQ_RECEIVE_FLAGS || sel == KIPC_MQ_SEL)
		return -EINVAL;
	if (sel ? sel_prio >= KIPC_MQ_PRIO_MAX : sel_prio)
		return -EINVAL;
	return 0;
}

/*
 * The checks every receive makes of a buffer, before taking anything:
 * EMSGSIZE if it is smaller than the largest message, EFAULT if it is
 * NULL or not user memory.
 */
static int kipc_mq_check_buf(struct kipc_mq *mq, u64 ubuf, u64 len)
{
	if (len < mq->msgsize)
		return -EMSGSIZE;
	if (!ubuf || !access_ok(u64_to_user_ptr(ubuf), mq->msgsize))
		return -EFAULT;
	return 0;
}

/* Copy @m's body to @ubuf and free it (lost if the copy faults). */
static int kipc_mq_deliver(struct kipc_mq *mq, struct kipc_mq_message *m,
			   u64 ubuf)
{
	int err = 0;

	if (copy_to_user(u64_to_user_ptr(ubuf), m->data, m->len))
		err = -EFAULT;
	kipc_mq_message_free(mq, m);
	return err;
}

static int kipc_mq_ioc_receive(struct file *file,
			       struct kipc_mq_receive __user *ur)
{
	struct kipc_mq *mq = kipc_mq_file(file);
	struct kipc_mq_receive args;
	struct kipc_mq_message *m;
	ktime_t buf, *deadline;
	u32 len, prio;
	int err;

	if (copy_from_user(&args, ur, sizeof(args)))
		return -EFAULT;
	if (args.pad)
		return -EINVAL;
	err = kipc_mq_check_sel(args.flags, args.sel_prio) ?:
	      kipc_mq_deadline(args.flags, args.timeout, &buf, &deadline);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	err = kipc_mq_check_buf(mq, args.buf, args.len);
	if (err)
		return err;

	m = kipc_mq_receive_message(mq, args.flags & KIPC_MQ_SEL, args.sel_prio,
				    kipc_mq_nonblock(file, args.flags),
				    deadline);
	if (IS_ERR(m))
		return PTR_ERR(m);
	len = m->len;
	prio = m->prio;
	err = kipc_mq_deliver(mq, m, args.buf);
	if (!err && put_user(prio, &ur->prio))
		err = -EFAULT;
	return err ?: len;
}

/* Batches. */

/*
 * What both batch calls check before the first item, in this order: the
 * argument, its flags (@flags_ok; send's are receive's without a
 * selector, so its sel_prio must be 0) and count, the deadline, and that
 * @file was opened for @mode. 0 with *@args and *@deadline set.
 */
static int kipc_mq_batch_args(struct file *file,
			      struct kipc_mq_batch __user *ub, u32 flags_ok,
			      fmode_t mode, struct kipc_mq_batch *args,
			      ktime_t *buf, ktime_t **deadline)
{
	int err;

	if (copy_from_user(args, ub, sizeof(*args)))
		return -EFAULT;
	if (args->pad || args->flags & ~flags_ok)
		return -EINVAL;
	if (!args->count || args->count > KIPC_MQ_BATCH_MAX)
		return -EINVAL;
	err = kipc_mq_check_sel(args->flags, args->sel_prio) ?:
	      kipc_mq_deadline(args->flags, args->timeout, buf, deadline);
	if (err)
		return err;
	return file->f_mode & mode ? 0 : -EBADF;
}

static int kipc_mq_send_item(struct file *file, struct kipc_mq_item __user *ui,
			     bool nonblock, ktime_t *deadline)
{
	struct kipc_mq *mq = kipc_mq_file(file);
	struct kipc_mq_message *m;
	struct kipc_mq_item item;
	int err;

	if (copy_from_user(&item, ui, sizeof(item)))
		return -EFAULT;
	if (item.pad || item.prio >= KIPC_MQ_PRIO_MAX)
		return -EINVAL;
	if (item.len > mq->msgsize)
		return -EMSGSIZE;
	m = kipc_mq_message_new(mq, item.buf, item.len, item.prio);
	if (IS_ERR(m))
		return PTR_ERR(m);
	err = kipc_mq_send_message(mq, m, nonblock, deadline);
	if (err)
		kipc_mq_message_free(mq, m);
	return err;
}

static int kipc_mq_receive_item(struct file *file,
				struct kipc_mq_item __user *ui,
				const struct kipc_mq_batch *args, bool nonblock,
				ktime_t *deadline)
{
	struct kipc_mq *mq = kipc_mq_file(file);
	struct kipc_mq_message *m;
	struct kipc_mq_item item;
	int err;

	if (copy_from_user(&item, ui, sizeof(item)))
		return -EFAULT;
	if (item.pad)
		return -EINVAL;
	err = kipc_mq_check_buf(mq, item.buf, item.len);
	if (err)
		return err;

	m = kipc_mq_receive_message(mq, args->flags & KIPC_MQ_SEL,
				    args->sel_prio, nonblock, deadline);
	if (IS_ERR(m))
		return PTR_ERR(m);
	item.len = m->len;
	item.prio = m->prio;
	err = kipc_mq_deliver(mq, m, item.buf);
	if (!err && copy_to_user(ui, &item, sizeof(item)))
		err = -EFAULT;
	return err;
}

/*
 * KIPC_IOC_MQ_SEND_BATCH (@send) and KIPC_IOC_MQ_RECEIVE_BATCH: the items
 * in order, of which only the first may wait. Returns how many were
 * done, or the error that stopped the first.
 */
static int kipc_mq_ioc_batch(struct file *file,
			     struct kipc_mq_batch __user *ub, bool send)
{
	struct kipc_mq_item __user *items;
	struct kipc_mq_batch args;
	ktime_t buf, *deadline;
	bool nonblock;
	u32 i;
	int err;

	err = kipc_mq_batch_args(file, ub, send ? KIPC_MQ_SEND_FLAGS :
				 KIPC_MQ_RECEIVE_FLAGS,
				 send ? FMODE_WRITE : FMODE_READ, &args, &buf,
				 &deadline);
	if (err)
		return err;

	items = u64_to_user_ptr(args.items);
	nonblock = kipc_mq_nonblock(file, args.flags);
	for (i = 0; i < args.count; i++) {
		/*
		 * After the first receive, stop at an empty queue without
		 * looking: a batch that finds one message costs what a
		 * receive does. (Senders wait only while it is full.) Racy
		 * by design: a message arriving now is left for the next call.
		 */
		if (!send && i && !READ_ONCE(kipc_mq_file(file)->curmsgs))
			break;
		if (send)
			err = kipc_mq_send_item(file, &items[i], nonblock || i,
						deadline);
		else
			err = kipc_mq_receive_item(file, &items[i], &args,
						   nonblock || i, deadline);
		if (err)
			break;
	}
	return i ?: err;
}

/* Attributes and notification. */

static int kipc_mq_ioc_getattr(struct file *file, struct kipc_mq_info __user *ui)
{
	struct kipc_mq *mq = kipc_mq_file(file);
	struct kipc_mq_info info = {
		.flags = file->f_flags & O_NONBLOCK,
		.maxmsg = mq->maxmsg,
		.msgsize = mq->msgsize,
		.curmsgs = READ_ONCE(mq->curmsgs),
	};

	if (copy_to_user(ui, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static int kipc_mq_ioc_notify(struct file *file, struct kipc_mq_notify __user *un)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_mq *mq = kipc_mq(h->obj);
	struct kipc_mq_reg old = { }, reg = { };
	struct kipc_mq_notify args;
	int err = 0;

	if (copy_from_user(&args, un, sizeof(args)))
		return -EFAULT;
	switch (args.how) {
	case KIPC_MQ_NOTIFY_OFF:
	case KIPC_MQ_NOTIFY_NONE:
		if (args.signo || args.value)
			return -EINVAL;
		break;
	case KIPC_MQ_NOTIFY_SIGNAL:
		/* 0 is valid_signal(): it fires and sends nothing (Linux). */
		if (!valid_signal(args.signo))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	if (args.how != KIPC_MQ_NOTIFY_OFF) {
		reg.handle = h;
		reg.tgid = get_pid(task_tgid(current));
		reg.tid = get_task_pid(current, PIDTYPE_PID);
		reg.exec_id = current->self_exec_id;
		reg.signo = args.signo;
		reg.value = args.value;
	}

	spin_lock(&mq->lock);
	if (args.how == KIPC_MQ_NOTIFY_OFF) {
		if (mq->reg.handle && mq->reg.tgid == task_tgid(current))
			kipc_mq_reg_take(mq, &old);
	} else if (mq->reg.handle) {
		err = -EBUSY;
		old = reg;
	} else {
		mq->reg = reg;
	}
	spin_unlock(&mq->lock);

	kipc_mq_reg_put(&old);
	return err;
}

static long kipc_mq_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KIPC_IOC_MQ_SEND:
		return kipc_mq_ioc_send(file, argp);
	case KIPC_IOC_MQ_RECEIVE:
		return kipc_mq_ioc_receive(file, argp);
	case KIPC_IOC_MQ_GETATTR:
		return kipc_mq_ioc_getattr(file, argp);
	case KIPC_IOC_MQ_NOTIFY:
		return kipc_mq_ioc_notify(file, argp);
	case KIPC_IOC_MQ_SEND_BATCH:
		return kipc_mq_ioc_batch(file, argp, true);
	case KIPC_IOC_MQ_RECEIVE_BATCH:
		return kipc_mq_ioc_batch(file, argp, false);
	default:
		return kipc_obj_ioctl(file, cmd, arg);
	}
}

static __poll_t kipc_mq_poll(struct file *file, poll_table *wait)
{
	struct kipc_mq *mq = kipc_mq_file(file);
	__poll_t events = 0;
	u32 curmsgs;

	poll_wait(file, &mq->poll_wq, wait);
	curmsgs = READ_ONCE(mq->curmsgs);
	if (curmsgs)
		events |= EPOLLIN | EPOLLRDNORM;
	if (curmsgs < mq->maxmsg)
		events |= EPOLLOUT | EPOLLWRNORM;
	return events;
}

/* A handle goes: so does a registration made through it. */
static void kipc_mq_release(struct kipc_handle *h)
{
	struct kipc_mq *mq = kipc_mq(h->obj);
	struct kipc_mq_reg old = { };

	spin_lock(&mq->lock);
	if (mq->reg.handle == h)
		kipc_mq_reg_take(mq, &old);
	spin_unlock(&mq->lock);
	kipc_mq_reg_put(&old);
}

/* Creation and destruction. */

/*
 * What a queue of @maxmsg messages of @msgsize bytes can pin: itself, its
 * index (kipc_mq_index_charge()) and the messages. Each as the
 * allocator hands it out, not as asked: kmalloc rounds a message of
 * 64 KiB plus its header up to 128 KiB, and that is what stays pinned.
 * (kvmalloc may fall back to vmalloc, which rounds to pages only: then
 * the charge is an upper bound.) -EINVAL if that does not fit a size_t
 * (with room for obj.c's name charge).
 */
static int kipc_mq_charge(u32 maxmsg, u32 msgsize, size_t *charge)
{
	size_t per_msg = kmalloc_size_roundup(sizeof(struct kipc_mq_message) +
					      (size_t)msgsize);
	size_t maxmsg_held = maxmsg, msgs, total;

	total = kmalloc_size_roundup(sizeof(struct kipc_mq)) +
		kipc_mq_index_charge(maxmsg);
	/* The recycled ones are allocated beside the queued ones. */
	if (kipc_mq_recycles(msgsize))
		maxmsg_held += KIPC_MQ_CACHE_SLOTS;
	if (check_mul_overflow(per_msg, maxmsg_held, &msgs) ||
	    check_add_overflow(total, msgs, &total) || total > SIZE_MAX / 2)
		return -EINVAL;
	*charge = total;
	return 0;
}

/* maxmsg and msgsize of a new queue: 0 is the default, capped at the max. */
static void kipc_mq_sizes(const struct kipc_open *args, u32 *maxmsg,
			  u32 *msgsize)
{
	u32 max_maxmsg = READ_ONCE(mq_maxmsg_max);
	/* A message is allocated whole, with its header: stay clear of INT_MAX. */
	u32 max_msgsize = min_t(u32, READ_ONCE(mq_msgsize_max),
				KIPC_ALLOC_MAX - sizeof(struct kipc_mq_message));

	*maxmsg = args->maxmsg ?: min_t(u32, KIPC_MQ_MAXMSG_DEFAULT, max_maxmsg);
	*msgsize = args->msgsize ?:
		   min_t(u32, KIPC_MQ_MSGSIZE_DEFAULT, max_msgsize);
	if (*maxmsg > max_maxmsg)
		*maxmsg = 0;
	if (*msgsize > max_msgsize)
		*msgsize = 0;
}

static int kipc_mq_check(const struct kipc_open *args)
{
	u32 maxmsg, msgsize;
	size_t charge;

	if (args->flags)
		return -EINVAL;
	if (args->capacity || args->size_bytes || args->value || args->max)
		return -EINVAL;
	kipc_mq_sizes(args, &maxmsg, &msgsize);
	if (!maxmsg || !msgsize)
		return -EINVAL;
	return kipc_mq_charge(maxmsg, msgsize, &charge);
}

/*
 * Without CAP_SYS_RESOURCE, as mq_open(): an explicit msgsize over
 * mq_msgsize_user_max is refused and a default one capped there. Only
 * when creating (opening an existing queue ignores the attributes), so
 * the capability is asked only then.
 */
static int kipc_mq_user_msgsize(const struct kipc_open *args, u32 *msgsize)
{
	u32 user_max = READ_ONCE(mq_msgsize_user_max) ?: 1;

	if (*msgsize <= user_max || capable(CAP_SYS_RESOURCE))
		return 0;
	if (args->msgsize)
		return -EINVAL;
	*msgsize = user_max;
	return 0;
}

static struct kipc_obj *kipc_mq_create(const struct kipc_open *args,
				       size_t *charge)
{
	struct kipc_mq *mq;
	int err;

	mq = kzalloc(sizeof(*mq), GFP_KERNEL_ACCOUNT);
	if (!mq)
		return ERR_PTR(-ENOMEM);
	if (kipc_mq_index_init(&mq->index)) {
		kfree(mq);
		return ERR_PTR(-ENOMEM);
	}

	kipc_mq_sizes(args, &mq->maxmsg, &mq->msgsize);
	err = kipc_mq_user_msgsize(args, &mq->msgsize) ?:
	      kipc_mq_charge(mq->maxmsg, mq->msgsize, charge);
	/*
	 * check() passed: a msgsize this creator may not ask, or a module
	 * parameter lowered since, fails here.
	 */
	if (err || !mq->maxmsg || !mq->msgsize) {
		kipc_mq_index_destroy(&mq->index);
		kfree(mq);
		return ERR_PTR(-EINVAL);
	}
	spin_lock_init(&mq->lock);
	INIT_LIST_HEAD(&mq->senders);
	INIT_LIST_HEAD(&mq->receivers);
	init_waitqueue_head(&mq->poll_wq);
	return &mq->obj;
}

static void kipc_mq_destroy(struct kipc_obj *obj)
{
	struct kipc_mq *mq = kipc_mq(obj);
	unsigned int i;

	/* Waiters and registrations hold handles, so none are left. */
	WARN_ON(!list_empty(&mq->senders) || !list_empty(&mq->receivers));
	WARN_ON(mq->reg.handle);

	kipc_mq_index_destroy(&mq->index);
	for (i = 0; i < KIPC_MQ_CACHE_SLOTS; i++)
		kvfree(mq->cache[i]);
	kfree(mq);
}

static void kipc_mq_stat(struct kipc_obj *obj, struct kipc_stat *st)
{
	struct kipc_mq *mq = kipc_mq(obj);

	spin_lock(&mq->lock);
	st->capacity = mq->maxmsg;
	st->fill = mq->curmsgs;
	st->high_water = mq->high_water;
	st->in_ops = mq->sends;
	st->out_ops = mq->receives;
	st->in_bytes = mq->in_bytes;
	st->out_bytes = mq->out_bytes;
	st->blocked_in = mq->nsenders;
	st->blocked_out = mq->nreceivers;
	spin_unlock(&mq->lock);
}

/*
 * close() of any descriptor of the queue: a registration of the closing
 * process ends with it, as Linux's mqueue_flush_file() ends it (POSIX:
 * the registration is the process's, and closing the queue removes it).
 * Another process's registration, or one of a parent that shares the
 * descriptor with a child that closes it, stays.
 */
static int kipc_mq_flush(struct file *file, fl_owner_t id)
{
	struct kipc_mq *mq = kipc_mq_file(file);
	struct kipc_mq_reg old = { };

	spin_lock(&mq->lock);
	if (mq->reg.handle && mq->reg.tgid == task_tgid(current))
		kipc_mq_reg_take(mq, &old);
	spin_unlock(&mq->lock);
	kipc_mq_reg_put(&old);
	return 0;
}

static const struct file_operations kipc_mq_fops = {
	.owner		= THIS_MODULE,
	.flush		= kipc_mq_flush,
	.release	= kipc_obj_release,
	.poll		= kipc_mq_poll,
	.unlocked_ioctl	= kipc_mq_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

const struct kipc_type_ops kipc_mq_ops = {
	.name		= "mq",
	.inode_name	= "[kipc-mq]",
	.fops		= &kipc_mq_fops,
	.check		= kipc_mq_check,
	.create		= kipc_mq_create,
	.destroy	= kipc_mq_destroy,
	.stat		= kipc_mq_stat,
	.release	= kipc_mq_release,
};
