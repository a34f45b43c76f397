// SPDX-License-Identifier: GPL-2.0
/*
 * Counting semaphores on a FIFO of waiters.
 *
 * A post hands units straight to the oldest waiters and only what is left
 * over goes into the value, so waiters are served strictly in arrival order,
 * one unit each, and a newcomer can never overtake a sleeper. It follows
 * that while anyone waits the value is zero.
 *
 * A waiter that is granted a unit owns it even if a signal or its deadline
 * arrives at the same moment: it returns success, so no unit is ever lost.
 *
 * Undo: a handle opened with KIPC_F_UNDO counts what it took minus what it
 * posted; when its file description is released, a positive balance is
 * posted back (clamped at the maximum, like SEMVMX clamping of SysV semadj).
 * This is per open file description, so it also covers a process that is
 * killed while holding units.
 *
 * Waiting on a word: KIPC_IOC_SEM_WAIT_WORD sleeps only if a 32-bit word
 * of the caller's memory still holds what the caller expects, read under
 * the lock that posts and wakes take (futex(2)'s rule), and
 * KIPC_IOC_SEM_WAKE grants units to sleepers only, never to the value.
 * Together they let the units live in shared memory and the semaphore
 * hold only the sleepers (libkipc's kipc_benaphore): a waiter that
 * announced itself and then finds the word changed returns at once
 * instead of sleeping until a post's system call arrives. Both keep the
 * rules above: sleepers are still served oldest first, a grant is still
 * owned, and undo counts their units as it counts waits and posts.
 *
 * Access: waiting and posting change the value and need a handle opened for
 * writing (as SysV semop needs alter permission); reading the value, stat
 * and poll work on any handle.
 */
#include <linux/hrtimer.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "internal.h"

/**
 * struct kipc_sem - a semaphore
 * @obj:        the common part
 * @max:        largest value; immutable
 * @lock:       protects everything below it
 * @value:      units available
 * @waiters:    struct kipc_sem_waiter, oldest first
 * @nwaiters:   length of @waiters, for stat
 * @high_water: largest @value seen
 * @posts:      units posted
 * @waits:      units taken
 * @poll_wq:    woken when @value turns non-zero
 */
struct kipc_sem {
	struct kipc_obj obj;
	u32 max;

	spinlock_t lock;		/* protects the fields below */
	u32 value;
	struct list_head waiters;
	u32 nwaiters;
	u32 high_water;
	u64 posts;
	u64 waits;

	wait_queue_head_t poll_wq;
};

/**
 * struct kipc_sem_waiter - a task sleeping in kipc_sem_ioc_wait()
 * @node:    in kipc_sem.waiters while waiting
 * @task:    the sleeper
 * @h:       the handle it waits through, for undo
 * @granted: a poster gave it a unit and took it off the list
 *
 * Lives on the sleeper's stack; protected by the semaphore's lock. The
 * poster sets @granted last, with release semantics, once it has done
 * the waiter's bookkeeping: a woken sleeper that sees it returns without
 * the lock, and its frame may be gone the moment after.
 */
struct kipc_sem_waiter {
	struct list_head node;
	struct task_struct *task;
	struct kipc_handle *h;
	bool granted;
};

static struct kipc_sem *kipc_sem(struct kipc_obj *obj)
{
	return container_of(obj, struct kipc_sem, obj);
}

/* A unit was taken through @h: count it, and owe it back if undoing. */
static void kipc_sem_took(struct kipc_sem *sem, struct kipc_handle *h)
{
	lockdep_assert_held(&sem->lock);
	sem->waits++;
	if (h->flags & KIPC_F_UNDO)
		h->undo++;
}

/* @count units were given through @h: count them, and owe less back. */
static void kipc_sem_gave(struct kipc_sem *sem, struct kipc_handle *h,
			  u32 count)
{
	lockdep_assert_held(&sem->lock);
	sem->posts += count;
	if (h->flags & KIPC_F_UNDO)
		h->undo -= count;
}

/*
 * Grant up to @count units to the oldest waiters, one each. Returns how
 * many were granted.
 *
 * The first waiter granted a unit is returned in *@first, with a
 * reference, for kipc_sem_wake() after the lock is dropped: woken under
 * the lock, it would run only to spin on it (as fs/pipe.c wakes after
 * unlock). Any further ones are woken here.
 */
static u32 kipc_sem_grant(struct kipc_sem *sem, u32 count,
			  struct task_struct **first)
{
	struct kipc_sem_waiter *w;
	u32 granted = 0;

	lockdep_assert_held(&sem->lock);

	*first = NULL;
	while (granted < count && !list_empty(&sem->waiters)) {
		w = list_first_entry(&sem->waiters, struct kipc_sem_waiter, node);
		list_del_init(&w->node);
		sem->nwaiters--;
		kipc_sem_took(sem, w->h);
		/*
		 * Before @granted: a waiter woken now finds the lock held
		 * and waits for it; once @granted is set, @w may be gone.
		 */
		if (!*first) {
			*first = w->task;
			get_task_struct(*first);
		} else {
			wake_up_process(w->task);
		}
		kipc_set_done(&w->granted);
		granted++;
	}
	return granted;
}

/*
 * Add @count units: to the oldest waiters first, the rest to the value.
 * The caller has checked that the value cannot pass the maximum. Returns
 * true if the value turned non-zero, i.e. pollers must be woken. *@first
 * is as for kipc_sem_grant().
 */
static bool kipc_sem_give(struct kipc_sem *sem, u32 count,
			  struct task_struct **first)
{
	bool was_zero = !sem->value;

	lockdep_assert_held(&sem->lock);

	sem->value += count - kipc_sem_grant(sem, count, first);
	sem->high_water = max(sem->high_water, sem->value);
	return was_zero && sem->value;
}

/* Wake what kipc_sem_grant() returned in *first, and drop the reference. */
static void kipc_sem_wake(struct task_struct *task)
{
	if (task) {
		wake_up_process(task);
		put_task_struct(task);
	}
}

/*
 * Sleep until granted a unit, a signal, or @deadline (absolute
 * CLOCK_MONOTONIC, NULL for none). Called with the lock held and the value
 * zero; returns with it released. A grant wins over a signal or timeout
 * arriving with it: the poster did our bookkeeping (see the struct).
 */
static int kipc_sem_sleep(struct kipc_sem *sem, struct kipc_handle *h,
			  ktime_t *deadline)
	__releases(&sem->lock)
{
	struct kipc_sem_waiter w = { .task = current, .h = h };
	int ret;

	lockdep_assert_held(&sem->lock);
	list_add_tail(&w.node, &sem->waiters);
	sem->nwaiters++;

	ret = kipc_sleep_until_done(&sem->lock, &w.granted, deadline);
	if (!ret)
		return 0;
	list_del(&w.node);
	sem->nwaiters--;
	spin_unlock(&sem->lock);
	return ret;
}

/*
 * Lock the semaphore and take a unit if there is one (true). Returns with
 * the lock held either way.
 */
static bool kipc_sem_take(struct kipc_sem *sem, struct kipc_handle *h)
	__acquires(&sem->lock)
{
	spin_lock(&sem->lock);
	if (!sem->value)
		return false;
	sem->value--;
	kipc_sem_took(sem, h);
	return true;
}

static int kipc_sem_ioc_wait(struct file *file, struct kipc_sem_wait __user *uw)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_sem *sem = kipc_sem(h->obj);
	struct kipc_sem_wait args;
	ktime_t buf, *deadline;
	int err;

	if (copy_from_user(&args, uw, sizeof(args)))
		return -EFAULT;
	if (args.pad || args.flags & ~KIPC_SEM_WAIT_ALL)
		return -EINVAL;
	err = kipc_deadline(args.flags & KIPC_SEM_TIMED, args.timeout,
			    KIPC_DEADLINE_NEGATIVE_PASSED, &buf, &deadline);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;

	if (kipc_sem_take(sem, h)) {
		spin_unlock(&sem->lock);
		return 0;
	}
	if ((args.flags & KIPC_SEM_TRY) || (file->f_flags & O_NONBLOCK)) {
		spin_unlock(&sem->lock);
		return -EAGAIN;
	}
	return kipc_sem_sleep(sem, h, deadline);
}

/*
 * Read the word at @uaddr with the lock held. Page faults are disabled
 * (a spinlock is held), so this fails with -EFAULT also when the page is
 * merely not present; the caller then faults it in unlocked and retries.
 */
static int kipc_sem_read_word_locked(u32 __user *uaddr, u32 *val)
{
	int ret;

	pagefault_disable();
	ret = __get_user(*val, uaddr);
	pagefault_enable();
	return ret;
}

static int kipc_sem_ioc_wait_word(struct file *file,
				  struct kipc_sem_wait_word __user *uw)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_sem *sem = kipc_sem(h->obj);
	struct kipc_sem_wait_word args;
	ktime_t buf, *deadline;
	u32 __user *uaddr;
	u32 val;
	int err;

	if (copy_from_user(&args, uw, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~KIPC_SEM_TIMED || args.uaddr % sizeof(u32))
		return -EINVAL;
	err = kipc_deadline(args.flags & KIPC_SEM_TIMED, args.timeout,
			    KIPC_DEADLINE_NEGATIVE_PASSED, &buf, &deadline);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	uaddr = u64_to_user_ptr(args.uaddr);
	if (!access_ok(uaddr, sizeof(u32)))
		return -EFAULT;

	for (;;) {
		if (kipc_sem_take(sem, h)) {
			spin_unlock(&sem->lock);
			return 0;
		}
		if (!kipc_sem_read_word_locked(uaddr, &val))
			break;
		spin_unlock(&sem->lock);
		/* Fault the page in, or fail if it is not there at all. */
		if (get_user(val, uaddr))
			return -EFAULT;
	}
	if (val != args.expected || (file->f_flags & O_NONBLOCK)) {
		spin_unlock(&sem->lock);
		return -EAGAIN;
	}
	return kipc_sem_sleep(sem, h, deadline);
}

static int kipc_sem_ioc_post(struct file *file, struct kipc_sem_post __user *up)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_sem *sem = kipc_sem(h->obj);
	struct kipc_sem_post args;
	struct task_struct *task;
	bool wake_pollers;

	if (copy_from_user(&args, up, sizeof(args)))
		return -EFAULT;
	if (args.pad || !args.count)
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;

	spin_lock(&sem->lock);
	if (args.count > sem->max - sem->value) {
		spin_unlock(&sem->lock);
		return -EOVERFLOW;
	}
	wake_pollers = kipc_sem_give(sem, args.count, &task);
	kipc_sem_gave(sem, h, args.count);
	spin_unlock(&sem->lock);

	kipc_sem_wake(task);
	if (wake_pollers)
		wake_up_interruptible_poll(&sem->poll_wq, EPOLLIN | EPOLLRDNORM);
	return 0;
}

static int kipc_sem_ioc_wake_waiters(struct file *file,
				     struct kipc_sem_wake __user *uw)
{
	struct kipc_handle *h = kipc_file_handle(file);
	struct kipc_sem *sem = kipc_sem(h->obj);
	struct kipc_sem_wake args;
	struct task_struct *task;
	u32 woken;

	if (copy_from_user(&args, uw, sizeof(args)))
		return -EFAULT;
	if (args.pad || !args.count)
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;

	spin_lock(&sem->lock);
	woken = kipc_sem_grant(sem, args.count, &task);
	kipc_sem_gave(sem, h, woken);
	spin_unlock(&sem->lock);

	kipc_sem_wake(task);
	return woken;
}

static int kipc_sem_ioc_getvalue(struct file *file,
				 struct kipc_sem_value __user *uv)
{
	struct kipc_sem *sem = kipc_sem(kipc_file_handle(file)->obj);
	struct kipc_sem_value v = { .max = sem->max };

	v.value = READ_ONCE(sem->value);
	if (copy_to_user(uv, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static long kipc_sem_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KIPC_IOC_SEM_WAIT:
		return kipc_sem_ioc_wait(file, argp);
	case KIPC_IOC_SEM_POST:
		return kipc_sem_ioc_post(file, argp);
	case KIPC_IOC_SEM_GETVALUE:
		return kipc_sem_ioc_getvalue(file, argp);
	case KIPC_IOC_SEM_WAIT_WORD:
		return kipc_sem_ioc_wait_word(file, argp);
	case KIPC_IOC_SEM_WAKE:
		return kipc_sem_ioc_wake_waiters(file, argp);
	default:
		return kipc_obj_ioctl(file, cmd, arg);
	}
}

static __poll_t kipc_sem_poll(struct file *file, poll_table *wait)
{
	struct kipc_sem *sem = kipc_sem(kipc_file_handle(file)->obj);

	poll_wait(file, &sem->poll_wq, wait);
	return READ_ONCE(sem->value) ? EPOLLIN | EPOLLRDNORM : 0;
}

/* Give back what an undo handle still holds. */
static void kipc_sem_release(struct kipc_handle *h)
{
	struct kipc_sem *sem = kipc_sem(h->obj);
	struct task_struct *task;
	bool wake_pollers;
	u32 count;

	if (!(h->flags & KIPC_F_UNDO))
		return;

	spin_lock(&sem->lock);
	if (h->undo <= 0) {
		spin_unlock(&sem->lock);
		return;
	}
	count = min_t(s64, h->undo, sem->max - sem->value);
	h->undo = 0;
	wake_pollers = kipc_sem_give(sem, count, &task);
	spin_unlock(&sem->lock);

	kipc_sem_wake(task);
	if (wake_pollers)
		wake_up_interruptible_poll(&sem->poll_wq, EPOLLIN | EPOLLRDNORM);
}

static int kipc_sem_check(const struct kipc_open *args)
{
	u32 max = args->max ?: KIPC_SEM_VALUE_MAX;

	if (args->flags & ~KIPC_F_UNDO)
		return -EINVAL;
	if (args->capacity || args->size_bytes || args->maxmsg || args->msgsize)
		return -EINVAL;
	if (max > KIPC_SEM_VALUE_MAX || args->value > max)
		return -EINVAL;
	return 0;
}

static struct kipc_obj *kipc_sem_create(const struct kipc_open *args,
					size_t *charge)
{
	struct kipc_sem *sem;

	sem = kzalloc(sizeof(*sem), GFP_KERNEL_ACCOUNT);
	if (!sem)
		return ERR_PTR(-ENOMEM);

	sem->max = args->max ?: KIPC_SEM_VALUE_MAX;
	spin_lock_init(&sem->lock);
	sem->value = args->value;
	sem->high_water = args->value;
	INIT_LIST_HEAD(&sem->waiters);
	init_waitqueue_head(&sem->poll_wq);

	*charge = sizeof(*sem);
	return &sem->obj;
}

static void kipc_sem_destroy(struct kipc_obj *obj)
{
	struct kipc_sem *sem = kipc_sem(obj);

	WARN_ON(!list_empty(&sem->waiters));
	kfree(sem);
}

static void kipc_sem_stat(struct kipc_obj *obj, struct kipc_stat *st)
{
	struct kipc_sem *sem = kipc_sem(obj);

	spin_lock(&sem->lock);
	st->capacity = sem->max;
	st->fill = sem->value;
	st->high_water = sem->high_water;
	st->in_ops = sem->posts;
	st->out_ops = sem->waits;
	st->blocked_out = sem->nwaiters;
	spin_unlock(&sem->lock);
}

static const struct file_operations kipc_sem_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_obj_release,
	.poll		= kipc_sem_poll,
	.unlocked_ioctl	= kipc_sem_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

const struct kipc_type_ops kipc_sem_ops = {
	.name		= "sem",
	.inode_name	= "[kipc-sem]",
	.fops		= &kipc_sem_fops,
	.check		= kipc_sem_check,
	.create		= kipc_sem_create,
	.destroy	= kipc_sem_destroy,
	.stat		= kipc_sem_stat,
	.release	= kipc_sem_release,
};
