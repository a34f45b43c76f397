/* SPDX-License-Identifier: MIT */
/*
 * libkipc - use kipc objects from programs.
 *
 * Every call returns -1 and sets errno on failure, like the POSIX call it
 * mirrors. The ioctl ABI underneath is <linux/kipc.h>.
 */
#ifndef KIPC_H
#define KIPC_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <linux/kipc.h>

/* The channel layer (kipc_chan_*) has a header of its own. */
#include "kipc_chan.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KIPC_LIB_VERSION_MAJOR	0
#define KIPC_LIB_VERSION_MINOR	5
#define KIPC_LIB_VERSION_PATCH	0

/* Path of the device; the KIPC_DEVICE environment variable overrides it. */
#define KIPC_DEVICE_PATH	"/dev/" KIPC_DEVICE_NAME

/* The device the library opens: $KIPC_DEVICE if set and not empty, else KIPC_DEVICE_PATH. */
const char *kipc_device_path(void);

/* Version of this library, e.g. "0.1.0". Never fails. */
const char *kipc_lib_version(void);

/*
 * Ask the loaded module for its ABI version and feature bits
 * (KIPC_FEAT_*). Either pointer may be NULL.
 * Fails with ENOENT (no device node: module not loaded) or the open/ioctl
 * error.
 */
int kipc_version(unsigned int *abi_version, uint64_t *features);

/*
 * Objects.
 *
 * Names are like mq_open(3)/sem_open(3) names: one leading '/' is optional
 * and ignored, so "/jobs" and "jobs" are the same object. What is left must
 * be 1..KIPC_NAME_MAX bytes without '/'. Named objects live until
 * kipc_unlink() and their last descriptor's close; anonymous ones until
 * their last close.
 */

/*
 * struct kipc_attr - attributes of a new object; zero means "default" for
 * every field, and fields of other types than the one created must be zero.
 * @capacity: KIPC_PIPE: ring size in bytes
 * @maxmsg:   KIPC_MQ: queue length in messages
 * @msgsize:  KIPC_MQ: largest message in bytes
 * @size:     KIPC_SHM: region size in bytes
 * @value:    KIPC_SEM: initial value
 * @max:      KIPC_SEM: largest value (0: KIPC_SEM_VALUE_MAX)
 * @flags:    KIPC_F_* (e.g. KIPC_F_UNDO: this semaphore handle gives back
 *            what it took when it is closed); per handle, used on any open
 */
struct kipc_attr {
	size_t   capacity;
	unsigned maxmsg;
	size_t   msgsize;
	size_t   size;
	unsigned value;
	unsigned max;
	unsigned flags;
};

/*
 * Open or create an object of @type (KIPC_PIPE, KIPC_MQ, KIPC_SHM, KIPC_SEM)
 * and return a new file descriptor for it.
 * @name:  the object's name (see above), or NULL for a new anonymous object
 * @oflag: O_RDONLY, O_WRONLY or O_RDWR, plus O_CREAT, O_EXCL, O_NONBLOCK,
 *         O_CLOEXEC, as for open(2)
 * @mode:  permission bits of a new object; the umask is applied
 * @attr:  attributes of a new object and per-handle flags; NULL: defaults
 *
 * The attributes are used only when the call creates the object. Errors:
 * ENOENT (no such name and no O_CREAT, or the module is not loaded),
 * EEXIST (O_CREAT | O_EXCL and the name exists), EMEDIUMTYPE (the name
 * belongs to an object of another type), EACCES, ENAMETOOLONG, EMFILE
 * (per-user object limit), ENOSPC (module object limit), ENOMEM (per-user
 * memory limit or out of memory), EOPNOTSUPP (the loaded module does not
 * implement @type), EINVAL (bad flags, name or attribute values, among
 * them attribute values too large for the ABI).
 */
int kipc_open(const char *name, int type, int oflag, mode_t mode,
	      const struct kipc_attr *attr);

/*
 * Remove @name at once; the object lives on until its last descriptor is
 * closed. EPERM unless the caller owns the object or has CAP_SYS_ADMIN;
 * ENOENT if there is no such name.
 */
int kipc_unlink(const char *name);

/*
 * Fill @st (the ABI's own struct, see <linux/kipc.h>) with the state and
 * counters of the object behind @fd. @st->size is set by this call.
 */
int kipc_stat(int fd, struct kipc_stat *st);

/*
 * "pipe", "mq", "shm" or "sem" for a KIPC_* type; NULL for anything else.
 */
const char *kipc_type_name(int type);

/*
 * The KIPC_* type called @s ("pipe", "mq", "shm", "sem"); -1 with EINVAL
 * for anything else.
 */
int kipc_type_from_name(const char *s);

/*
 * Pipes (KIPC_PIPE), like pipe2(2): fds[0] is the read end, fds[1] the
 * write end. @capacity is the ring size in bytes (0: 64 KiB), rounded up to
 * a power of two of at least 8 KiB; EINVAL past the module's pipe_max_size.
 * @flags: O_NONBLOCK, O_CLOEXEC, and O_DIRECT for packet mode (each write
 * of up to PIPE_BUF bytes is one message; see pipe(2)). EFAULT, with no
 * pipe made, if @fds cannot be written (NULL too), as pipe2(2).
 */
int kipc_pipe(int fds[2], size_t capacity, int flags);

/*
 * Resize a pipe's ring, like fcntl(F_SETPIPE_SZ): returns the size now in
 * force. EBUSY if the pipe holds more than @size, ENOMEM past the owner's
 * byte quota, EINVAL for 0 or past pipe_max_size, EBADF on a handle not
 * open for writing (unlike F_SETPIPE_SZ, which either end may do: the
 * resize is charged to the pipe's owner).
 */
int kipc_pipe_setsize(int fd, size_t size);

/*
 * Mapped rings: a pipe whose ring both ends map, so that data moves with
 * no system call except to sleep on an empty or full ring or to wake a
 * sleeper (the protocol is in <linux/kipc.h>, "Mapped rings").
 *
 * kipc_ring_pipe() is kipc_pipe() for such a pipe: fds[0] reads, fds[1]
 * writes, and both work with read(2), write(2) and poll(2) as any pipe
 * (a plain program handed one end never knows). kipc_ring_map() maps the
 * ring as the end @fd is: a producer for a write end, the consumer for a
 * read end (an O_RDWR handle may do both). The mapping holds the end open
 * until kipc_ring_unmap(), as a mapped file does; @fd must stay open
 * while the ring is in use (it is used to sleep and wake). NULL with
 * EINVAL if @fd is not such a pipe, EACCES as mmap(2) says.
 *
 * Several processes and threads may produce at once (records stay whole
 * and in one order: a lock word in the shared page, taken back by the
 * kernel from a process that died holding it); kipc_ring_send() may be
 * called by any number of threads on one struct kipc_ring, its zero-copy
 * pair by one thread at a time (map the ring once per thread otherwise).
 * Consuming is for one thread at a time: callers of one ring's receive calls serialise them,
 * as io_uring's completion ring asks; read(2) by others at the same time
 * races with them.
 *
 * The waits take an absolute CLOCK_MONOTONIC @abs_timeout (NULL: wait as
 * long as it takes; ETIMEDOUT once it passes) and, on an O_NONBLOCK end,
 * fail with EAGAIN instead of sleeping. Errors are those of the pipe:
 * EPIPE (and SIGPIPE) with no reader left, EINTR on a signal, EIO once
 * the ring's shared words were found to make no sense.
 */
struct kipc_ring;

int kipc_ring_pipe(int fds[2], size_t capacity, int flags);
struct kipc_ring *kipc_ring_map(int fd);
void kipc_ring_unmap(struct kipc_ring *r);

/* The ring's data bytes (the pipe's capacity). */
size_t kipc_ring_size(const struct kipc_ring *r);

/*
 * Copy @len bytes in. In packet mode (O_DIRECT) they are one message
 * (EMSGSIZE if it cannot fit the ring with its 8-byte header); in byte
 * mode they go whole if the ring can hold them, else in ring-sized
 * pieces. Returns @len, or the bytes sent before an error, or -1.
 */
ssize_t kipc_ring_send(struct kipc_ring *r, const void *buf, size_t len,
		       const struct timespec *abs_timeout);

/*
 * Copy out what read(2) would: in packet mode one message (the part that
 * does not fit @len is discarded, as read(2) does), in byte mode up to
 * @len bytes. Returns the bytes copied, 0 at end of file, or -1. An empty
 * message also returns 0, as with read(2); kipc_ring_peek() tells the two
 * apart.
 */
ssize_t kipc_ring_recv(struct kipc_ring *r, void *buf, size_t len,
		       const struct timespec *abs_timeout);

/*
 * Zero copy: reserve room for @len bytes and get where to write them,
 * then publish what was written (up to @len; an empty message is one in
 * packet mode, nothing in byte mode) with kipc_ring_commit(). Between the
 * two the ring's lock is held: other producers wait, so keep it short
 * (kipc_ring_unmap() drops a reservation never committed). NULL with errno as for send.
 */
void *kipc_ring_reserve(struct kipc_ring *r, size_t len,
			const struct timespec *abs_timeout);
int kipc_ring_commit(struct kipc_ring *r, size_t len);

/*
 * Zero copy: see the next message (packet mode) or every byte held (byte
 * mode) where it lies in the ring, *@len bytes, then give it back with
 * kipc_ring_release(): the whole message in packet mode, the first @len
 * bytes in byte mode. NULL with *@len 0 at end of file, NULL and errno on
 * an error. The bytes stay valid until the release.
 */
const void *kipc_ring_peek(struct kipc_ring *r, size_t *len,
			   const struct timespec *abs_timeout);
int kipc_ring_release(struct kipc_ring *r, size_t len);

/*
 * Semaphores (KIPC_SEM), like sem_wait(3) and friends. Waiting and posting
 * need a handle opened with write access (else EBADF).
 */

/*
 * Take one unit, sleeping while the value is zero. Waiters are served in
 * FIFO order. EAGAIN on an O_NONBLOCK handle when the value is zero; EINTR
 * if a signal handler without SA_RESTART runs first (no unit is taken).
 */
int kipc_sem_wait(int fd);

/* Take one unit if the value is above zero, else fail with EAGAIN. */
int kipc_sem_trywait(int fd);

/*
 * As kipc_sem_wait(), but fail with ETIMEDOUT once @abs_timeout passes.
 * Unlike sem_timedwait(3), @abs_timeout is an absolute time on
 * CLOCK_MONOTONIC (clock_gettime(CLOCK_MONOTONIC, ...) plus the delay), so
 * setting the wall clock does not move it. A deadline already passed still
 * takes a unit if one is there. EINVAL if tv_nsec is outside
 * [0, 1000000000); EFAULT if @abs_timeout cannot be read (NULL too): the
 * module reads it, so a bad pointer is an error, not a crash.
 */
int kipc_sem_timedwait(int fd, const struct timespec *abs_timeout);

/*
 * Add one unit, waking the first waiter. EOVERFLOW (and nothing changes) if
 * the value would pass the semaphore's maximum.
 */
int kipc_sem_post(int fd);

/* Add @count units at once (at least 1, else EINVAL); as kipc_sem_post(). */
int kipc_sem_post_n(int fd, unsigned count);

/* Store the semaphore's current value in *@value. */
int kipc_sem_getvalue(int fd, unsigned *value);

/*
 * Sleep in the semaphore as kipc_sem_timedwait() does (@abs_timeout NULL:
 * no deadline), but only while the 32-bit word at @word (4-byte aligned)
 * still holds @expected: the module reads it under the lock that posts
 * and wakes take, so a kipc_sem_wake() made after the word was changed
 * either finds this caller asleep or is seen by it, as with futex(2)'s
 * FUTEX_WAIT. EAGAIN at once if the word differs (or on an O_NONBLOCK
 * handle where it would sleep), EFAULT if it cannot be read. Returns 0
 * once it took a unit: one that was there, or one a post or wake gave it.
 */
int kipc_sem_wait_word(int fd, const uint32_t *word, uint32_t expected,
		       const struct timespec *abs_timeout);

/*
 * Give one unit each to up to @count (at least 1) tasks sleeping in the
 * semaphore, oldest first; unlike kipc_sem_post_n() nothing is added to
 * the value, so with no sleeper it does nothing. Returns how many woke.
 */
int kipc_sem_wake(int fd, unsigned count);

/*
 * A benaphore: a counting semaphore whose units live in memory that the
 * processes share (a kipc region, shm_open(), MAP_SHARED), with a kipc
 * semaphore of value 0 for its sleepers, opened by each process (any
 * handle of the same semaphore will do). While units are there, wait and
 * post are one atomic instruction and no system call; a waiter enters the
 * kernel only to sleep (kipc_sem_wait_word on @value), a poster only when
 * a waiter has announced itself in @sleepers. Unlike the kipc semaphore
 * it is not FIFO (a newcomer may take a unit a sleeper was woken for, as
 * with sem_wait(3)) and has no undo; a process killed while announced
 * costs later posts a useless wake-up each, nothing else.
 */
struct kipc_benaphore {
	/*
	 * Units available in the low 32 bits, waiters announced for the
	 * kipc semaphore in the high 32: one word, so that taking a unit
	 * and withdrawing the announcement are one atomic step.
	 */
	uint64_t word;
};

/* Set *@b to @value units and no sleepers (EINVAL above KIPC_SEM_VALUE_MAX). */
int kipc_benaphore_init(struct kipc_benaphore *b, unsigned value);

/*
 * Take a unit, sleeping in the kipc semaphore @fd while there is none.
 * EINTR if a signal handler without SA_RESTART runs first (restart it, as
 * with sem_wait(3)); EAGAIN instead of sleeping if @fd is O_NONBLOCK.
 */
int kipc_benaphore_wait(struct kipc_benaphore *b, int fd);

/* Take a unit if there is one, else fail with EAGAIN; never a system call. */
int kipc_benaphore_trywait(struct kipc_benaphore *b);

/*
 * Add a unit and, if a waiter announced itself, wake one through @fd.
 * EOVERFLOW (and nothing changes) at KIPC_SEM_VALUE_MAX. If the wake-up
 * fails (a bad @fd: EBADF, ENOTTY), the unit stays added and -1 says so.
 */
int kipc_benaphore_post(struct kipc_benaphore *b, int fd);

/*
 * Regions (KIPC_SHM): a sized set of shared pages to mmap, pread and
 * pwrite. Sizes are whole pages (sysconf(_SC_PAGESIZE)); attr->size 0
 * creates one of the module's default size. See <linux/kipc.h> for the
 * full rules.
 */

/*
 * Change the region's size to @size bytes (a multiple of the page size).
 * Pages cut off are freed, and touching them through a mapping raises
 * SIGBUS; pages added read as zero. EPERM if a seal forbids it, ENOMEM
 * over the owner's memory limit, EINVAL for a bad size, EBADF on a handle
 * without write access.
 */
int kipc_shm_resize(int fd, size_t size);

/*
 * Add KIPC_SEAL_* seals, like fcntl(F_ADD_SEALS) on a memfd. EBUSY for
 * KIPC_SEAL_WRITE while a writable shared mapping exists, EPERM after
 * KIPC_SEAL_SEAL, EINVAL for unknown bits, EBADF on a handle without
 * write access.
 */
int kipc_shm_seal(int fd, unsigned seals);

/* The region's KIPC_SEAL_* seals (>= 0), like fcntl(F_GET_SEALS). */
int kipc_shm_get_seals(int fd);

/* Size, resident bytes, number of mappings and seals of the region. */
int kipc_shm_info(int fd, struct kipc_shm_info *info);

/*
 * Map the whole region MAP_SHARED and store its length in *@size:
 * read-write if @fd was opened O_RDWR and the region is not write-sealed,
 * else read-only. Returns MAP_FAILED with errno set on failure, like
 * mmap(2); undo with munmap(addr, *size).
 */
void *kipc_shm_map(int fd, size_t *size);

/*
 * Seeing what is inside: the "kipc" generic netlink family.
 *
 * These calls ask the module over generic netlink (libnl-genl-3 does the
 * work; nothing of it shows here) about the objects of the caller's network
 * namespace, named and anonymous. They open no handle, so an object's
 * counters (opens) and a FIFO's peers are left alone. Besides the errors
 * listed, EPROTONOSUPPORT means there is no "kipc" family (the module is
 * not loaded, or too old), and a netlink socket's own errors can occur.
 *
 * The struct kipc_stat they fill is that of kipc_stat(), with "" as the
 * name of anonymous objects and zero for what only a handle has (oflag,
 * handle_flags).
 */

/*
 * Call @fn for every object of the caller's network namespace (@type 0),
 * or every one of @type, in increasing id order. An object that exists
 * for the whole listing is passed exactly once, whatever is created or
 * removed meanwhile. @fn returns 0 to go on; anything else stops the
 * listing, and kipc_list() returns it. Otherwise returns 0, or -1 with
 * errno (EINVAL for a @type out of range or no @fn).
 */
int kipc_list(int type, int (*fn)(const struct kipc_stat *st, void *arg),
	      void *arg);

/*
 * Fill @st for the object called @name, without opening it (so no
 * permission on the object is needed). ENOENT if there is no such name;
 * EINVAL or ENAMETOOLONG for a name that cannot be one.
 */
int kipc_lookup(const char *name, struct kipc_stat *st);

/*
 * As kipc_lookup(), and for a region also what kipc_shm_info() tells (its
 * mappings and seals) into @shm, still without opening it; @shm is
 * zeroed for other types and may be NULL. Modules before 0.2 send no
 * mappings and seals: they read as 0.
 */
int kipc_lookup_shm(const char *name, struct kipc_stat *st,
		    struct kipc_shm_info *shm);

/*
 * kipc_unlink() over netlink: EPERM unless the caller owns the object or
 * has CAP_SYS_ADMIN, ENOENT if there is no such name. On failure the
 * kernel's explanation, if it gave one, is copied into @why (@whylen bytes
 * with the NUL; "" if none). @why may be NULL.
 */
int kipc_remove(const char *name, char *why, size_t whylen);

/*
 * The module's limits (its parameters), how many objects it holds in all
 * namespaces, and what the caller's fsuid (@uid) is charged.
 */
struct kipc_limits {
	uint64_t max_objects;		/* max_objects: ENOSPC beyond */
	uint64_t max_objects_per_user;	/* max_objects_per_user: EMFILE */
	uint64_t max_bytes_per_user;	/* max_bytes_per_user: ENOMEM */
	uint64_t objects;		/* objects now, every namespace */
	uid_t    uid;			/* the caller's fsuid */
	uint64_t user_objects;		/* objects charged to @uid */
	uint64_t user_bytes;		/* bytes charged to @uid */
};

int kipc_limits(struct kipc_limits *limits);

/*
 * Events: objects of the caller's network namespace being created (a name
 * linked, or an anonymous object's first handle made), unlinked (the name
 * removed) and destroyed (freed; @obj holds its last counters). For one
 * object they come in that order; a destroyed event comes for every object
 * whose creation was announced, unless its namespace went away first.
 */
#define KIPC_EVENT_CREATED	1
#define KIPC_EVENT_UNLINKED	2
#define KIPC_EVENT_DESTROYED	3

struct kipc_event {
	int kind;			/* KIPC_EVENT_* */
	struct kipc_stat obj;
};

/* "created", "unlinked", "destroyed"; NULL for anything else. */
const char *kipc_event_name(int kind);

struct kipc_watch;

/* Start receiving events; NULL with errno on failure. */
struct kipc_watch *kipc_watch_open(void);

/*
 * A descriptor that polls readable when an event may be there, for an
 * event loop; then call kipc_watch_next() with a timeout of 0.
 */
int kipc_watch_fd(const struct kipc_watch *w);

/*
 * Wait up to @timeout_ms milliseconds (-1: for ever, 0: not at all) for
 * the next event. Returns 1 with @ev filled, 0 on timeout, or -1 with
 * errno: EINTR if a signal came, ENOBUFS if events were lost because they
 * came faster than they were read (the watch goes on; a listing tells
 * what is there now).
 */
int kipc_watch_next(struct kipc_watch *w, struct kipc_event *ev,
		    int timeout_ms);

void kipc_watch_close(struct kipc_watch *w);

/*
 * Message queues (KIPC_MQ), like mq_send(3) and friends. Sending needs a
 * handle opened with write access, receiving one with read access (else
 * EBADF, which is also the error for a descriptor that is not a kipc
 * queue). Priorities run 0..KIPC_MQ_PRIO_MAX - 1; receive takes the
 * oldest message of the highest priority. Timeouts are absolute times on
 * CLOCK_MONOTONIC (unlike mq_timedsend(3)'s CLOCK_REALTIME), so setting
 * the clock does not move them; EINVAL if tv_sec is negative or tv_nsec
 * is outside [0, 1000000000), also when the call would not have waited;
 * EFAULT if the module cannot read it.
 * Errors: EAGAIN (the handle is O_NONBLOCK and the call would wait),
 * ETIMEDOUT, EINTR (a signal handler without SA_RESTART ran; nothing was
 * sent or taken), EMSGSIZE, EINVAL (bad priority), EFAULT.
 */

/* The attributes of a queue, as struct mq_attr. */
struct kipc_mq_attr {
	long flags;	/* O_NONBLOCK if this handle is non-blocking, else 0 */
	long maxmsg;	/* most messages the queue holds */
	long msgsize;	/* largest message in bytes */
	long curmsgs;	/* messages queued now */
};

/*
 * Send @len bytes at @msg with priority @prio, waiting while the queue is
 * full. @len may be 0; EMSGSIZE if it is above the queue's msgsize.
 */
int kipc_mq_send(int fd, const void *msg, size_t len, unsigned prio);

/* As kipc_mq_send(), but fail with ETIMEDOUT once @abs_timeout passes. */
int kipc_mq_timedsend(int fd, const void *msg, size_t len, unsigned prio,
		      const struct timespec *abs_timeout);

/*
 * Take the oldest message of the highest priority into @buf and return
 * its length; store its priority in *@prio unless @prio is NULL. @len must
 * be at least the queue's msgsize (else EMSGSIZE, as POSIX wants). Waits
 * while the queue is empty.
 */
ssize_t kipc_mq_receive(int fd, void *buf, size_t len, unsigned *prio);

/* As kipc_mq_receive(), but fail with ETIMEDOUT once @abs_timeout passes. */
ssize_t kipc_mq_timedreceive(int fd, void *buf, size_t len, unsigned *prio,
			     const struct timespec *abs_timeout);

/*
 * Receive by type, like msgrcv(2)'s msgtyp mapped onto priorities:
 *   @msgtyp == 0: any message (as kipc_mq_receive())
 *   @msgtyp  > 0: only messages of priority @msgtyp, oldest first
 *   @msgtyp  < 0: the oldest message of the highest priority that is at
 *                 most -@msgtyp (System V takes the lowest type there,
 *                 its most urgent; here the highest priority is)
 * Waits while no such message is queued; @abs_timeout NULL waits for
 * ever. EINVAL if |@msgtyp| is not below KIPC_MQ_PRIO_MAX.
 */
ssize_t kipc_mq_receive_type(int fd, void *buf, size_t len, unsigned *prio,
			     long msgtyp, const struct timespec *abs_timeout);

/* Fill @attr with the queue's attributes and this handle's O_NONBLOCK. */
int kipc_mq_getattr(int fd, struct kipc_mq_attr *attr);

/*
 * Like mq_notify(3): with @sev NULL, remove the calling process's
 * registration (nothing happens if another process holds it); else
 * register the calling process to be told when a message arrives in the
 * empty queue and no waiting receiver takes it. @sev->sigev_notify is
 * SIGEV_SIGNAL (send sigev_signo with si_code SI_MESGQ and si_value
 * sigev_value; sigev_signo 0 fires and sends nothing, as on Linux) or
 * SIGEV_NONE; SIGEV_THREAD is not supported (EINVAL).
 * EBUSY if the queue has a registration already. It ends when it fires,
 * when the registering process closes any descriptor of the queue (also
 * at its exit), and when the handle it was made through is closed for the
 * last time.
 */
int kipc_mq_notify(int fd, const struct sigevent *sev);

/* One message of a batch call. */
struct kipc_mq_msg {
	void *buf;	/* the message (send) or a buffer for it (receive) */
	size_t len;	/* its length (send); in: buffer size, out: message
			 * length (receive) */
	unsigned prio;	/* its priority: in (send), out (receive) */
};

/*
 * Send up to @count (1..KIPC_MQ_BATCH_MAX) messages in one system call and
 * return how many were sent. Only the first may wait for room (until
 * @abs_timeout if not NULL); the call returns as soon as a later one would
 * have to wait. As with sendmmsg(2), an error after at least one message
 * was sent ends the call with that count; before any, it is reported.
 */
int kipc_mq_send_batch(int fd, const struct kipc_mq_msg *msgs, unsigned count,
		       const struct timespec *abs_timeout);

/*
 * Receive up to @count messages in one system call into @msgs[i].buf,
 * setting @msgs[i].len and .prio, and return how many were received. Only
 * the first may wait; so a consumer drains a queue with one call.
 */
int kipc_mq_receive_batch(int fd, struct kipc_mq_msg *msgs, unsigned count,
			  const struct timespec *abs_timeout);

#ifdef __cplusplus
}
#endif

#endif /* KIPC_H */
