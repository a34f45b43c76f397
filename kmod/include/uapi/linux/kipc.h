/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc - IPC objects behind one character device, /dev/kipc.
 *
 * This header is the single definition of the ioctl ABI: the module, libkipc,
 * the kipc tool and the selftests all include it.
 *
 * Conventions (every struct below follows them):
 *  - only __u8..__u64; user pointers travel as __u64;
 *  - structs are padded explicitly to a multiple of 8 bytes and every pad or
 *    reserved field must be zero, otherwise the ioctl fails with EINVAL;
 *  - every flags field is checked: unknown bits fail with EINVAL;
 *  - an unknown command fails with ENOTTY;
 *  - structs that may grow carry their own size and are read with
 *    copy_struct_from_user() semantics (a larger struct from newer userspace
 *    is accepted if the bytes we do not know are zero); their commands
 *    (KIPC_IOC_OPEN, KIPC_IOC_STAT) are matched on type and number only,
 *    so the size encoded in the command does not matter.
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define KIPC_DEVICE_NAME	"kipc"

/*
 * Bumped on any incompatible change of this header. 2: deadlines and
 * KIPC_IOC_PIPE's descriptors travel as user pointers the module reads
 * and writes (EFAULT rather than a crash in the library).
 */
#define KIPC_ABI_VERSION	2

/* Feature bits reported by KIPC_IOC_VERSION; one per object type or ability. */
#define KIPC_FEAT_SEM		_BITULL(0)	/* KIPC_SEM objects */
#define KIPC_FEAT_PIPE		_BITULL(1)	/* KIPC_PIPE objects */
#define KIPC_FEAT_MQ		_BITULL(2)	/* KIPC_MQ objects */
#define KIPC_FEAT_SHM		_BITULL(3)	/* KIPC_SHM regions */
/* Abilities other than object types count down from bit 63. */
#define KIPC_FEAT_NETLINK	_BITULL(63)	/* the "kipc" genetlink family */
#define KIPC_FEAT_SEM_WORD	_BITULL(62)	/* KIPC_IOC_SEM_WAIT_WORD, _WAKE */
#define KIPC_FEAT_RING		_BITULL(61)	/* KIPC_F_RING: mappable pipes */
#define KIPC_FEATURES_ALL	(KIPC_FEAT_SEM | KIPC_FEAT_PIPE | KIPC_FEAT_MQ | \
				 KIPC_FEAT_SHM | KIPC_FEAT_NETLINK | \
				 KIPC_FEAT_SEM_WORD | KIPC_FEAT_RING)

/* Object types. */
enum kipc_type {
	KIPC_PIPE = 1,		/* byte-stream ring buffer (pipe/FIFO) */
	KIPC_MQ = 2,		/* priority message queue */
	KIPC_SHM = 3,		/* shareable mmap region */
	KIPC_SEM = 4,		/* counting semaphore */
};

#define KIPC_TYPE_MAX		KIPC_SEM

/*
 * Names: 1..KIPC_NAME_MAX bytes, no '/' and no NUL inside. A name is
 * visible in the network namespace it was created in.
 */
#define KIPC_NAME_MAX		255

/**
 * struct kipc_version - argument of KIPC_IOC_VERSION
 * @abi_version: out: KIPC_ABI_VERSION of the loaded module
 * @pad:         in: must be zero
 * @features:    out: KIPC_FEAT_* bits the module supports
 */
struct kipc_version {
	__u32 abi_version;
	__u32 pad;
	__u64 features;
};

/* 'k' 0x00-0x1f is taken by spidev; kipc uses 0x40-0x7f of 'k'. */
#define KIPC_IOC_MAGIC		'k'

/*
 * Flags of struct kipc_open.flags.
 *
 * KIPC_F_UNDO (KIPC_SEM, per handle): what this open file description takes
 * from the semaphore and has not given back is returned when it is closed
 * for the last time, also when its process is killed.
 */
#define KIPC_F_UNDO		_BITUL(0)
/*
 * KIPC_F_PACKET (KIPC_PIPE, at creation): each write of up to PIPE_BUF
 * bytes is one message, larger writes are split into PIPE_BUF messages,
 * and a read returns at most one message, the rest of a message too long
 * for the buffer being discarded (O_DIRECT pipe semantics, pipe(2)).
 */
#define KIPC_F_PACKET		_BITUL(1)
/*
 * KIPC_F_RING (KIPC_PIPE, at creation): the pipe's ring can be mapped by
 * its readers and writers, who then move data with no system call except
 * to sleep or to wake a sleeper; see "Mapped rings" below.
 */
#define KIPC_F_RING		_BITUL(2)
#define KIPC_F_ALL		(KIPC_F_UNDO | KIPC_F_PACKET | KIPC_F_RING)

/**
 * struct kipc_open - argument of KIPC_IOC_OPEN (on /dev/kipc)
 * @size:     in: sizeof(struct kipc_open) as the caller knows it
 * @type:     in: enum kipc_type
 * @oflag:    in: O_RDONLY, O_WRONLY or O_RDWR, plus O_CREAT, O_EXCL,
 *            O_NONBLOCK and O_CLOEXEC; anything else is EINVAL
 * @mode:     in: permission bits (0..0777, else EINVAL) of a new object;
 *            the umask is applied
 * @name:     in: user pointer to a NUL-terminated name, 0 for anonymous
 * @flags:    in: KIPC_F_*
 * @pad:      must be zero
 * @capacity: in: KIPC_PIPE ring size in bytes (0: default)
 * @size_bytes: in: KIPC_SHM region size in bytes, a multiple of the page
 *            size (0: the shm_default_bytes module parameter)
 * @maxmsg:   in: KIPC_MQ queue length in messages (0: default)
 * @msgsize:  in: KIPC_MQ largest message in bytes (0: default)
 * @value:    in: KIPC_SEM initial value
 * @max:      in: KIPC_SEM largest value (0: KIPC_SEM_VALUE_MAX)
 *
 * The attribute fields of the object's own type are used only when the call
 * creates the object; those of other types must be zero. Returns a new file
 * descriptor for the object. Errors besides EINVAL and EFAULT:
 *   ENOENT        no such name and no O_CREAT
 *   EEXIST        O_CREAT | O_EXCL and the name exists
 *   EMEDIUMTYPE   the name exists as an object of another type
 *   EACCES        the object's mode does not grant the access asked for
 *   ENAMETOOLONG  name longer than KIPC_NAME_MAX
 *   EMFILE        the creator has max_objects_per_user objects already
 *   ENOSPC        the module holds max_objects objects already
 *   ENOMEM        the creator's max_bytes_per_user would be exceeded, or
 *                 the kernel is out of memory
 *   EOPNOTSUPP    a type this module does not implement (see features)
 * The arguments are checked before the name is looked up, so EINVAL and
 * EOPNOTSUPP never depend on whether the name exists.
 */
struct kipc_open {
	__u32 size;
	__u32 type;
	__u32 oflag;
	__u32 mode;
	__u64 name;
	__u32 flags;
	__u32 pad;
	__u64 capacity;
	__u64 size_bytes;
	__u32 maxmsg;
	__u32 msgsize;
	__u32 value;
	__u32 max;
};

#define KIPC_OPEN_SIZE_VER0	64

/**
 * struct kipc_unlink - argument of KIPC_IOC_UNLINK (on /dev/kipc)
 * @name:  in: user pointer to the NUL-terminated name
 * @flags: in: must be zero
 * @pad:   must be zero
 *
 * The name goes at once; the object lives on until its last descriptor is
 * closed. Only the owner (fsuid) or CAP_SYS_ADMIN may unlink: EPERM.
 */
struct kipc_unlink {
	__u64 name;
	__u32 flags;
	__u32 pad;
};

/* struct kipc_stat.flags */
#define KIPC_STAT_NAMED		_BITUL(0)	/* created with a name */
#define KIPC_STAT_UNLINKED	_BITUL(1)	/* named, and the name is gone */

/**
 * struct kipc_stat - argument of KIPC_IOC_STAT (on any object fd)
 * @size:       in: sizeof(struct kipc_stat) as the caller knows it, at
 *              least KIPC_STAT_SIZE_VER0; the kernel fills that much
 *              (zeroing what it does not know) and sets @size to what it
 *              filled in
 * @type:       out: enum kipc_type
 * @id:         out: unique id of the object (names anonymous objects)
 * @name:       out: the name, "" for anonymous objects
 * @uid, @gid:  out: owner
 * @mode:       out: permission bits
 * @flags:      out: KIPC_STAT_*
 * @oflag:      out: this handle's O_ACCMODE | O_NONBLOCK bits
 * @handle_flags: out: this handle's KIPC_F_UNDO, and the object's
 *              KIPC_F_PACKET and KIPC_F_RING as it was created (an open of
 *              an existing pipe cannot change those; what it asks of them
 *              is ignored, as are the other creation attributes)
 * @capacity:   out: pipe ring bytes, mq maxmsg, shm size, sem max value
 * @fill:       out: pipe bytes held, mq messages queued, shm resident
 *              bytes, sem value
 * @high_water: out: largest @fill seen (shm: as seen by write, resize
 *              and stat; pages faulted in count from the next of those)
 * @in_ops, @out_ops: out: writes/reads, messages sent/received, or units
 *              posted/taken
 * @in_bytes, @out_bytes: out: payload bytes moved in and out
 * @handles:    out: open file descriptions now
 * @opens:      out: file descriptions ever opened
 * @blocked_in, @blocked_out: out: tasks now blocked putting in (writers,
 *              senders) and taking out (readers, receivers, sem waiters)
 * @ctime_ns:   out: creation time, CLOCK_REALTIME nanoseconds
 * @reserved:   out: zero
 */
struct kipc_stat {
	__u32 size;
	__u32 type;
	__u64 id;
	char name[KIPC_NAME_MAX + 1];
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 flags;
	__u32 oflag;
	__u32 handle_flags;
	__u64 capacity;
	__u64 fill;
	__u64 high_water;
	__u64 in_ops;
	__u64 out_ops;
	__u64 in_bytes;
	__u64 out_bytes;
	__u64 handles;
	__u64 opens;
	__u32 blocked_in;
	__u32 blocked_out;
	__u64 ctime_ns;
	__u64 reserved[4];
};

#define KIPC_STAT_SIZE_VER0	416

/* Pipes. */
#define KIPC_PIPE_DEFAULT_SIZE	65536
#define KIPC_PIPE_MIN_SIZE	8192		/* two PIPE_BUF records */

/**
 * struct kipc_pipe_pair - argument of KIPC_IOC_PIPE (on /dev/kipc), like pipe2()
 * @capacity: in: ring size in bytes, 0 for KIPC_PIPE_DEFAULT_SIZE (or the
 *            largest power of two within pipe_max_size, if that is
 *            smaller); rounded up to a power of two, at least
 *            KIPC_PIPE_MIN_SIZE, at most the pipe_max_size module
 *            parameter (else EINVAL)
 * @oflag:    in: O_NONBLOCK and O_CLOEXEC, for both ends
 * @flags:    in: KIPC_F_PACKET and KIPC_F_RING, or 0
 * @fds:      in: user pointer to an int[2] that receives the read end and
 *            the write end, as pipe2(2) fills its array: EFAULT, and no
 *            descriptor is made, if it cannot be written
 */
struct kipc_pipe_pair {
	__u64 capacity;
	__u32 oflag;
	__u32 flags;
	__u64 fds;
};

/**
 * struct kipc_pipe_size - argument of KIPC_IOC_PIPE_SETSIZE
 * @size: in: new ring size, rounded like struct kipc_pipe_pair.capacity;
 *        out: the size now in force. EBUSY if smaller than what the pipe
 *        holds, ENOMEM past the owner's byte quota, EBADF on a handle
 *        not open for writing (resizing charges the owner). A mappable
 *        ring (KIPC_F_RING) keeps the size it was made with: EBUSY.
 */
struct kipc_pipe_size {
	__u64 size;
};

/*
 * Mapped rings (pipes made with KIPC_F_RING).
 *
 * The ring is mapped through a descriptor that KIPC_IOC_RING_MAPFD (no
 * argument) returns for an end of the pipe: mmap(2) asks every shared
 * writable mapping's file to be open for reading and writing, which a
 * pipe's end is not, so the descriptor is, and carries the rights of the
 * end it was made from (O_CLOEXEC; it does nothing but mmap). It holds
 * that end open, and each mapping holds the descriptor, as a mapped file
 * does: a process with the ring mapped stays a reader or writer of the
 * pipe until it unmaps. The ring is three areas, each mapped on its own
 * at its offset with MAP_SHARED (EINVAL for another offset, a length
 * other than the area's, or MAP_PRIVATE):
 *
 *   KIPC_RING_OFF_PROD  one page, struct kipc_ring_prod: the producers'
 *                       words. Writable only through a handle open for
 *                       writing.
 *   KIPC_RING_OFF_CONS  one page, struct kipc_ring_cons: the consumer's
 *                       words. Writable only through a handle open for
 *                       reading.
 *   KIPC_RING_OFF_DATA  2 * size bytes: the ring's size bytes (the pipe's
 *                       capacity, a power of two), then the same pages
 *                       again, so that a record that wraps is contiguous
 *                       in the mapping (as BPF's ring buffer maps its
 *                       data). Writable only through a handle open for
 *                       writing whose opener may also read the pipe (the
 *                       hardware cannot map pages write-only, and a
 *                       writer must not read what others wrote beyond
 *                       what it could read with read(2)); readable by
 *                       any reader or such a writer; EACCES otherwise.
 * A mapping asking for more access than the end has fails with EACCES,
 * and mprotect(2) cannot add it later. Mappings cannot be moved, grown or
 * split: a partial munmap or mprotect and a moving mremap fail with
 * EINVAL, a growing mremap with EFAULT (VM_DONTEXPAND).
 *
 * Positions: head and tail are free-running byte counts; head - tail is
 * what the ring holds (at most size), and pos & (size - 1) is the place of
 * byte pos in the data area. Byte mode: the bytes, nothing else. Packet
 * mode (KIPC_F_PACKET): records of a struct kipc_ring_rec, then @len
 * payload bytes, padded with anything to a multiple of KIPC_RING_ALIGN;
 * head and tail stay multiples of KIPC_RING_ALIGN.
 *
 * Producing (every writer, write(2) included, the same way):
 *  1. take the lock: compare-and-swap @lock from 0 to the writer's
 *     process id (getpid(), as the kernel sees it in the writer's pid
 *     namespace); the kernel's own write(2) uses KIPC_RING_LOCK_KERNEL.
 *     While it is held, spin briefly, then sleep with KIPC_IOC_RING_WAIT
 *     KIPC_RING_LOCK (which sets KIPC_RING_LOCK_WAITERS in it) and retry;
 *  2. load @tail of the consumer page with acquire ordering; if the
 *     record does not fit (head - tail + its bytes > size), release the
 *     lock and wait for room (KIPC_IOC_RING_WAIT KIPC_RING_ROOM), or fail
 *     with EAGAIN;
 *  3. write the record at head, then store the new @head with release
 *     ordering;
 *  4. release the lock by exchanging @lock with 0; if the old value had
 *     KIPC_RING_LOCK_WAITERS, KIPC_IOC_RING_WAKE KIPC_RING_LOCK;
 *  5. a full barrier (seq_cst fence), then load the consumer page's
 *     @data_waiters; if it is not zero, KIPC_IOC_RING_WAKE KIPC_RING_DATA.
 * A record becomes visible only by step 3's store, so a writer that dies
 * before it leaves nothing behind; the kernel takes the lock back from a
 * holder whose process has exited (checked by a waiter in
 * KIPC_IOC_RING_WAIT KIPC_RING_LOCK, in the waiter's pid namespace).
 *
 * Consuming (one consumer at a time: a mapping's users serialise
 * themselves, as with io_uring's completion ring; read(2) serialises its
 * callers; mixing read(2) with a mapped consumer is the caller's race):
 *  1. load @head of the producer page with acquire ordering; nothing new
 *     (head == tail): spin briefly, then KIPC_IOC_RING_WAIT KIPC_RING_DATA
 *     (or EAGAIN), and look again;
 *  2. read the bytes or the record at tail, then store the new @tail with
 *     release ordering;
 *  3. a full barrier, then load the producer page's @room_waiters; if it
 *     is not zero, KIPC_IOC_RING_WAKE KIPC_RING_ROOM.
 *
 * Why no wake-up is lost: a sleeper's KIPC_IOC_RING_WAIT joins the wait
 * queue, then sets the waiters word, then (after a full barrier) checks
 * the positions; the other side stores its position, then (after a full
 * barrier) loads the waiters word. Of two stores each followed by a full
 * barrier and a load of the other's location, at least one load sees the
 * other's store: the sleeper sees the new position and does not sleep, or
 * the waker sees the word and wakes it (KIPC_IOC_RING_WAKE clears the
 * word and wakes every sleeper, who set it again if they go back to
 * sleep). poll(2) sets the word too when it finds the ring not ready.
 *
 * End of file and EPIPE: the kernel sets KIPC_RING_NO_WRITERS in the
 * consumer page's @flags while the pipe has no writer (an empty ring then
 * reads as end of file) and KIPC_RING_NO_READERS in the producer page's
 * while it has no reader (a producer then fails with EPIPE and raises
 * SIGPIPE, as write(2) does).
 *
 * The kernel trusts none of these words: whatever a process stores in
 * them, the kernel's reads, writes and waits stay within the ring and
 * end. A ring whose positions or records make no sense (head - tail above
 * size, a record longer than what is held) is broken: KIPC_RING_BROKEN
 * is set in both pages, every sleeper is woken, and read(2), write(2) and
 * the ring ioctls fail with EIO from then on; poll reports EPOLLERR. No
 * other pipe or object is affected.
 */
#define KIPC_RING_OFF_PROD	0x00000000ULL
#define KIPC_RING_OFF_CONS	0x10000000ULL
#define KIPC_RING_OFF_DATA	0x20000000ULL

/* Alignment of packet records and of head and tail in packet mode. */
#define KIPC_RING_ALIGN		8

/* struct kipc_ring_prod.lock */
#define KIPC_RING_LOCK_WAITERS	0x80000000U
#define KIPC_RING_LOCK_OWNER	0x7fffffffU
#define KIPC_RING_LOCK_KERNEL	0x7fffffffU	/* never a process id */

/* struct kipc_ring_prod.flags and struct kipc_ring_cons.flags (kernel) */
#define KIPC_RING_NO_READERS	_BITUL(0)	/* prod page: EPIPE */
#define KIPC_RING_NO_WRITERS	_BITUL(1)	/* cons page: end of file */
#define KIPC_RING_BROKEN	_BITUL(2)	/* both pages: EIO */
#define KIPC_RING_PACKETS	_BITUL(3)	/* both pages: packet mode */

/**
 * struct kipc_ring_prod - the page at KIPC_RING_OFF_PROD
 * @head:         next byte to write; stored (release) by the lock holder
 * @lock:         0, or the holder's process id, | KIPC_RING_LOCK_WAITERS
 * @room_waiters: set by the kernel while a writer sleeps for room
 * @flags:        kernel: KIPC_RING_NO_READERS, _BROKEN, _PACKETS
 * @size:         kernel: the data area's size in bytes
 */
struct kipc_ring_prod {
	__u64 head;
	__u32 lock;
	__u32 room_waiters;
	__u32 flags;
	__u32 size;
};

/**
 * struct kipc_ring_cons - the page at KIPC_RING_OFF_CONS
 * @tail:         next byte to read; stored (release) by the consumer
 * @data_waiters: set by the kernel while a reader sleeps for data
 * @flags:        kernel: KIPC_RING_NO_WRITERS, _BROKEN, _PACKETS
 */
struct kipc_ring_cons {
	__u64 tail;
	__u32 data_waiters;
	__u32 flags;
};

/**
 * struct kipc_ring_rec - the head of a packet-mode record
 * @len: payload bytes that follow
 * @pad: zero
 */
struct kipc_ring_rec {
	__u32 len;
	__u32 pad;
};

/* struct kipc_ring_wait.what and struct kipc_ring_wake.what */
#define KIPC_RING_DATA		1	/* readers: the ring is not empty */
#define KIPC_RING_ROOM		2	/* writers: room for @need bytes */
#define KIPC_RING_LOCK		3	/* writers: the lock is free */

/* struct kipc_ring_wait.flags */
#define KIPC_RING_TIMED		_BITUL(0)	/* @timeout is a deadline */

/**
 * struct kipc_ring_wait - argument of KIPC_IOC_RING_WAIT
 * @timeout:    in: with KIPC_RING_TIMED, the deadline as in struct
 *              kipc_sem_wait (ETIMEDOUT); else zero
 * @what:       in: KIPC_RING_DATA (a reader), KIPC_RING_ROOM or
 *              KIPC_RING_LOCK (a writer); EBADF for the other end
 * @need:       in: KIPC_RING_ROOM: bytes of room to wait for, 1..size
 *              (EINVAL otherwise); else zero
 * @flags:      in: KIPC_RING_TIMED or 0
 * @pad:        must be zero
 *
 * Returns 0 as soon as what is waited for may hold (the caller looks
 * again: another may have taken it), or the pipe ended: data waits end
 * when no writer is left, room and lock waits when no reader is left.
 * A lock whose holder's process is gone is freed before returning. EAGAIN
 * on an O_NONBLOCK handle where it would sleep, EINTR (restarted with
 * SA_RESTART) on a signal, EIO on a broken ring, EINVAL on a pipe made
 * without KIPC_F_RING.
 */
struct kipc_ring_wait {
	__u64 timeout;
	__u32 what;
	__u32 need;
	__u32 flags;
	__u32 pad;
};

/**
 * struct kipc_ring_wake - argument of KIPC_IOC_RING_WAKE
 * @what: in: KIPC_RING_DATA (a writer), KIPC_RING_ROOM (a reader) or
 *        KIPC_RING_LOCK (a writer); EBADF for the other end
 * @pad:  must be zero
 *
 * Clears the matching waiters word and wakes every task waiting for it,
 * pollers included.
 */
struct kipc_ring_wake {
	__u32 what;
	__u32 pad;
};

/* Semaphores. */
#define KIPC_SEM_VALUE_MAX	0x7fffffffU	/* as SEM_VALUE_MAX */

/* struct kipc_sem_wait.flags */
#define KIPC_SEM_TRY		_BITUL(0)	/* never sleep: EAGAIN */
#define KIPC_SEM_TIMED		_BITUL(1)	/* @timeout is a deadline */
#define KIPC_SEM_WAIT_ALL	(KIPC_SEM_TRY | KIPC_SEM_TIMED)

/**
 * struct kipc_sem_wait - argument of KIPC_IOC_SEM_WAIT
 * @timeout:    in: with KIPC_SEM_TIMED, user pointer to a struct
 *              __kernel_timespec, the absolute CLOCK_MONOTONIC deadline
 *              (ETIMEDOUT when it passes; a negative tv_sec has passed,
 *              as sem_timedwait(3) answers; EINVAL for a tv_nsec outside
 *              0..999999999, EFAULT if it cannot be read); else zero
 * @flags:      in: KIPC_SEM_*
 * @pad:        must be zero
 *
 * Takes one unit, sleeping while the value is zero. Waiters are served in
 * FIFO order, one unit each. EAGAIN for KIPC_SEM_TRY or an O_NONBLOCK handle
 * when the value is zero; EINTR when a signal arrives first (restarted
 * with SA_RESTART; no unit is lost either way); EBADF on a handle opened
 * without write access.
 */
struct kipc_sem_wait {
	__u64 timeout;
	__u32 flags;
	__u32 pad;
};

/**
 * struct kipc_sem_post - argument of KIPC_IOC_SEM_POST
 * @count: in: units to add, at least 1
 * @pad:   must be zero
 *
 * EOVERFLOW (and nothing changes) if the value would pass the maximum;
 * EBADF on a handle opened without write access.
 */
struct kipc_sem_post {
	__u32 count;
	__u32 pad;
};

/**
 * struct kipc_sem_wait_word - argument of KIPC_IOC_SEM_WAIT_WORD
 * @timeout:    in: as in struct kipc_sem_wait
 * @uaddr:      in: a 32-bit word in the caller's memory, 4-byte aligned
 *              (EINVAL otherwise; EFAULT if it cannot be read)
 * @expected:   in: the value it must still hold for the caller to sleep
 * @flags:      in: KIPC_SEM_TIMED or 0
 *
 * As KIPC_IOC_SEM_WAIT, except that when it would sleep it first reads
 * the word at @uaddr and, if the word is not @expected, fails with EAGAIN
 * instead. The read and joining the waiters are one step under the
 * semaphore's lock, so a KIPC_IOC_SEM_POST or KIPC_IOC_SEM_WAKE made after
 * the word was changed either finds the caller waiting or is seen by it
 * (the futex(2) FUTEX_WAIT rule). With KIPC_IOC_SEM_WAKE this lets a
 * counter in shared memory carry the units and the semaphore only its
 * sleepers: see kipc_benaphore in libkipc. O_NONBLOCK: EAGAIN where it
 * would sleep.
 */
struct kipc_sem_wait_word {
	__u64 timeout;
	__u64 uaddr;
	__u32 expected;
	__u32 flags;
};

/**
 * struct kipc_sem_wake - argument of KIPC_IOC_SEM_WAKE
 * @count: in: most waiters to wake, at least 1
 * @pad:   must be zero
 *
 * Gives one unit each to up to @count tasks sleeping in the semaphore,
 * oldest first, as a post would, but never adds to the value: with no
 * sleeper it does nothing. Returns how many it woke. EBADF on a handle
 * opened without write access.
 */
struct kipc_sem_wake {
	__u32 count;
	__u32 pad;
};

/**
 * struct kipc_sem_value - argument of KIPC_IOC_SEM_GETVALUE
 * @value: out: current value
 * @max:   out: largest value
 */
struct kipc_sem_value {
	__u32 value;
	__u32 max;
};

/*
 * Message queues.
 *
 * Messages of 0..msgsize bytes with a priority 0..KIPC_MQ_PRIO_MAX - 1;
 * receive takes the oldest message of the highest priority. A queue holds
 * at most maxmsg messages. Both are set at creation (struct kipc_open; 0
 * gives the defaults below) and capped by the module parameters
 * mq_maxmsg_max and mq_msgsize_max (EINVAL beyond them). The queue's
 * largest possible contents are charged to its creator up front.
 *
 * Sending needs a handle opened for writing and receiving one opened for
 * reading (else EBADF), as for mq_send(3) and mq_receive(3).
 */
#define KIPC_MQ_PRIO_MAX	32768		/* as Linux's MQ_PRIO_MAX */
#define KIPC_MQ_MAXMSG_DEFAULT	10
#define KIPC_MQ_MSGSIZE_DEFAULT	8192
#define KIPC_MQ_BATCH_MAX	1024		/* items of one batch call */

/*
 * Flags of struct kipc_mq_send, kipc_mq_receive and kipc_mq_batch.
 *
 * KIPC_MQ_TIMED:    @timeout is a user pointer to a struct
 *                   __kernel_timespec, the absolute CLOCK_MONOTONIC
 *                   deadline (ETIMEDOUT when it passes; EINVAL for a
 *                   negative tv_sec or a tv_nsec outside 0..999999999, as
 *                   mq_timedsend(2); EFAULT if it cannot be read); without
 *                   it @timeout must be zero
 * KIPC_MQ_NONBLOCK: never sleep (EAGAIN), as if the handle were O_NONBLOCK
 *
 * Receive only, the selector (System V msgrcv() msgtyp semantics mapped
 * onto priorities; at most one of the two):
 * KIPC_MQ_SEL_EXACT:   take only messages of priority @sel_prio, oldest
 *                      first (msgtyp > 0)
 * KIPC_MQ_SEL_AT_MOST: take the oldest message of the highest priority
 *                      that is at most @sel_prio (msgtyp < 0: System V
 *                      takes the lowest type <= |msgtyp| because low types
 *                      are urgent there; here high priorities are urgent)
 * Without a selector any message is taken (msgtyp == 0, but highest
 * priority first rather than System V's arrival order). A receiver with a
 * selector waits while no message it accepts is queued; a message sent
 * meanwhile goes to the oldest waiting receiver that accepts it.
 */
#define KIPC_MQ_TIMED		_BITUL(0)
#define KIPC_MQ_NONBLOCK	_BITUL(1)
#define KIPC_MQ_SEL_EXACT	_BITUL(2)
#define KIPC_MQ_SEL_AT_MOST	_BITUL(3)
#define KIPC_MQ_SEND_FLAGS	(KIPC_MQ_TIMED | KIPC_MQ_NONBLOCK)
#define KIPC_MQ_SEL		(KIPC_MQ_SEL_EXACT | KIPC_MQ_SEL_AT_MOST)
#define KIPC_MQ_RECEIVE_FLAGS	(KIPC_MQ_SEND_FLAGS | KIPC_MQ_SEL)

/**
 * struct kipc_mq_send - argument of KIPC_IOC_MQ_SEND
 * @msg:        in: user pointer to the message (may be 0 if @len is 0)
 * @len:        in: its length, 0..msgsize (EMSGSIZE beyond)
 * @timeout:    in: with KIPC_MQ_TIMED, the deadline; else zero
 * @prio:       in: priority, below KIPC_MQ_PRIO_MAX (else EINVAL)
 * @flags:      in: KIPC_MQ_TIMED, KIPC_MQ_NONBLOCK
 *
 * Queues the message, or hands it straight to the oldest receiver waiting
 * for it. While the queue is full the sender sleeps; waiting senders are
 * served in FIFO order. EAGAIN (O_NONBLOCK or KIPC_MQ_NONBLOCK) if the
 * queue is full; ETIMEDOUT; EINTR (restarted with SA_RESTART). The message
 * is sent exactly once or not at all.
 */
struct kipc_mq_send {
	__u64 msg;
	__u64 len;
	__u64 timeout;
	__u32 prio;
	__u32 flags;
};

/**
 * struct kipc_mq_receive - argument of KIPC_IOC_MQ_RECEIVE
 * @buf:        in: user pointer to the buffer
 * @len:        in: its size, at least msgsize (else EMSGSIZE, as POSIX)
 * @timeout:    in: with KIPC_MQ_TIMED, the deadline; else zero
 * @flags:      in: KIPC_MQ_TIMED, KIPC_MQ_NONBLOCK, one KIPC_MQ_SEL_*
 * @sel_prio:   in: with a selector, its priority (below
 *              KIPC_MQ_PRIO_MAX); else zero
 * @prio:       out: the message's priority
 * @pad:        must be zero
 *
 * Returns the message's length. Sleeps while there is no message (that the
 * selector accepts); waiting receivers are served in FIFO order. EAGAIN,
 * ETIMEDOUT and EINTR as for sending; no message is taken then. EFAULT for
 * a NULL @buf before anything is taken; if copying to @buf faults later,
 * the message is lost (as with Linux's mq_timedreceive).
 */
struct kipc_mq_receive {
	__u64 buf;
	__u64 len;
	__u64 timeout;
	__u32 flags;
	__u32 sel_prio;
	__u32 prio;
	__u32 pad;
};

/**
 * struct kipc_mq_item - one message of a batch call
 * @buf:  in: user pointer to the message (send) or buffer (receive)
 * @len:  in: send: the message's length; receive: the buffer's size, at
 *        least msgsize; out (receive): the message's length
 * @prio: in (send): priority; out (receive): priority
 * @pad:  must be zero
 */
struct kipc_mq_item {
	__u64 buf;
	__u64 len;
	__u32 prio;
	__u32 pad;
};

/**
 * struct kipc_mq_batch - argument of KIPC_IOC_MQ_SEND_BATCH and
 * KIPC_IOC_MQ_RECEIVE_BATCH
 * @items:      in: user pointer to @count struct kipc_mq_item
 * @timeout:    in: with KIPC_MQ_TIMED, the deadline; else zero
 * @count:      in: 1..KIPC_MQ_BATCH_MAX
 * @flags:      in: as for a single send or receive (selectors: receive)
 * @sel_prio:   in: receive with a selector: its priority; else zero
 * @pad:        must be zero
 *
 * Sends or receives up to @count messages, item by item, and returns how
 * many it moved. Only the first item may wait (under the usual rules);
 * the call returns as soon as a later one would have to. As with
 * sendmmsg(2)/recvmmsg(2), an error after at least one message moved ends
 * the call with that count and the error is not reported; before any
 * moved, it is the call's error.
 */
struct kipc_mq_batch {
	__u64 items;
	__u64 timeout;
	__u32 count;
	__u32 flags;
	__u32 sel_prio;
	__u32 pad;
};

/**
 * struct kipc_mq_info - argument of KIPC_IOC_MQ_GETATTR
 * @flags:   out: O_NONBLOCK if this handle is non-blocking, else 0
 * @maxmsg:  out: most messages the queue holds
 * @msgsize: out: largest message in bytes
 * @curmsgs: out: messages queued now
 */
struct kipc_mq_info {
	__u32 flags;
	__u32 maxmsg;
	__u32 msgsize;
	__u32 curmsgs;
};

/* struct kipc_mq_notify.how */
enum kipc_mq_notify_how {
	KIPC_MQ_NOTIFY_OFF = 0,		/* remove the caller's registration */
	KIPC_MQ_NOTIFY_NONE = 1,	/* register; nothing is sent */
	KIPC_MQ_NOTIFY_SIGNAL = 2,	/* register; send @signo */
};

/**
 * struct kipc_mq_notify - argument of KIPC_IOC_MQ_NOTIFY
 * @how:   in: enum kipc_mq_notify_how
 * @signo: in: KIPC_MQ_NOTIFY_SIGNAL: the signal, 0.._NSIG - 1 (0: the
 *         registration fires and sends nothing, as Linux's mq_notify
 *         with sigev_signo 0); else zero
 * @value: in: KIPC_MQ_NOTIFY_SIGNAL: the signal's si_value, as sival_ptr
 *         (a union sigval's pointer member); else zero
 *
 * Like mq_notify(3): register the calling process to be told when a
 * message arrives in the empty queue and no receiver takes it at once
 * (a receiver waiting for it gets it instead, and nothing is sent). One
 * registration per queue: EBUSY while one exists, also for its own
 * process. The signal carries si_code SI_MESGQ, si_value, and the sender's
 * pid and uid. A registration ends when it fires (register again for the
 * next message), when its process removes it (KIPC_MQ_NOTIFY_OFF through
 * any handle of the queue; a no-op for other processes), when its process
 * closes any descriptor of the queue (as Linux's mq_notify: also at its
 * exit), or when the handle it was made through is closed for the last
 * time. A process that has called execve() since it registered gets no
 * signal.
 */
struct kipc_mq_notify {
	__u32 how;
	__u32 signo;
	__u64 value;
};

/*
 * Regions (KIPC_SHM): one set of shmem pages that every process opening
 * the region can mmap(MAP_SHARED) and pread/pwrite.
 *
 * Sizes are whole pages: 1..shm_max_bytes (a module parameter) and a
 * multiple of the page size, else EINVAL; nothing is rounded. The whole
 * size is charged to the creator's max_bytes_per_user whether or not the
 * pages have been touched (ENOMEM); pages read as zero until written.
 *
 * mmap: MAP_SHARED and MAP_PRIVATE (copy-on-write, as for a file) at
 * page-aligned offsets; a mapping that would reach past the current size
 * is ENXIO. Touching a mapped page that a later shrink cut off raises
 * SIGBUS. A read-only handle maps PROT_READ only (EACCES) and such a
 * mapping cannot be mprotect()ed writable (EACCES); a write-only handle
 * cannot map at all (EACCES).
 *
 * read/write/pread/pwrite/lseek work as on a block device of the region's
 * size: reads stop at the end (0 at or past it), writes never grow the
 * region (short at the end, ENOSPC at or past it), lseek cannot pass the
 * end (EINVAL).
 *
 * Lifetime: every mapping holds the region as a handle does, so a
 * mapping keeps working (and the region stays charged) after its fd is
 * closed and its name unlinked, until it is unmapped.
 */

/*
 * Seals (KIPC_IOC_SHM_SEAL), the values and meaning of memfd's F_SEAL_*.
 * They can only be added, never removed.
 */
#define KIPC_SEAL_SEAL		0x0001	/* no more seals (EPERM) */
#define KIPC_SEAL_SHRINK	0x0002	/* resize smaller: EPERM */
#define KIPC_SEAL_GROW		0x0004	/* resize larger: EPERM */
#define KIPC_SEAL_WRITE		0x0008	/* no writes at all, see below */
#define KIPC_SEAL_FUTURE_WRITE	0x0010	/* no new writers, see below */
#define KIPC_SEAL_ALL		(KIPC_SEAL_SEAL | KIPC_SEAL_SHRINK | \
				 KIPC_SEAL_GROW | KIPC_SEAL_WRITE | \
				 KIPC_SEAL_FUTURE_WRITE)

/**
 * struct kipc_shm_resize - argument of KIPC_IOC_SHM_RESIZE
 * @size:  in: the new size in bytes (the rules above)
 * @flags: in: must be zero
 * @pad:   must be zero
 *
 * Pages past a new, smaller size are freed (their contents are gone even
 * if the region grows again); pages added by growing read as zero. The
 * charge follows the size: growing past max_bytes_per_user is ENOMEM and
 * changes nothing. EPERM if KIPC_SEAL_SHRINK or KIPC_SEAL_GROW forbids
 * the change; EBADF on a handle opened without write access.
 */
struct kipc_shm_resize {
	__u64 size;
	__u32 flags;
	__u32 pad;
};

/**
 * struct kipc_shm_seal - argument of KIPC_IOC_SHM_SEAL
 * @seals: in: KIPC_SEAL_* to add (unknown bits: EINVAL)
 * @pad:   must be zero
 *
 * EPERM once KIPC_SEAL_SEAL is set (even for no seals); EBADF on a handle
 * opened without write access. KIPC_SEAL_WRITE is refused with EBUSY while
 * a shared mapping that can write exists (MAP_SHARED by a handle opened
 * for writing, whatever its current protection) or a page is pinned for
 * DMA (FOLL_PIN: io_uring fixed buffers, RDMA), as memfd's F_SEAL_WRITE. Once it is set, write()
 * is EPERM, a new MAP_SHARED mapping with PROT_WRITE is EPERM, and a new
 * MAP_SHARED read-only one cannot be made writable later (EACCES).
 * KIPC_SEAL_FUTURE_WRITE has the same effect on new writes and mappings
 * but leaves the writable mappings that exist working.
 */
struct kipc_shm_seal {
	__u32 seals;
	__u32 pad;
};

/**
 * struct kipc_shm_info - argument of KIPC_IOC_SHM_INFO (any handle)
 * @size:     out: the region's size in bytes
 * @resident: out: bytes of it now in memory
 * @mappings: out: VMAs mapping it, in all processes
 * @seals:    out: KIPC_SEAL_* set
 * @pad:      out: zero
 */
struct kipc_shm_info {
	__u64 size;
	__u64 resident;
	__u64 mappings;
	__u32 seals;
	__u32 pad;
};

#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x40, struct kipc_version)
#define KIPC_IOC_OPEN		_IOW(KIPC_IOC_MAGIC, 0x41, struct kipc_open)
#define KIPC_IOC_UNLINK		_IOW(KIPC_IOC_MAGIC, 0x42, struct kipc_unlink)
#define KIPC_IOC_PIPE		_IOWR(KIPC_IOC_MAGIC, 0x43, struct kipc_pipe_pair)

/* On any object fd. */
#define KIPC_IOC_STAT		_IOWR(KIPC_IOC_MAGIC, 0x48, struct kipc_stat)

/*
 * Command numbers by object type, so the mechanisms can grow apart:
 *   0x40-0x47 /dev/kipc    0x48-0x4f any object    0x50-0x57 pipes
 *   0x58-0x5f queues       0x60-0x67 semaphores    0x68-0x6f regions
 */

/* On pipe fds; FIONREAD works too. */
#define KIPC_IOC_PIPE_SETSIZE	_IOWR(KIPC_IOC_MAGIC, 0x50, struct kipc_pipe_size)
#define KIPC_IOC_RING_WAIT	_IOW(KIPC_IOC_MAGIC, 0x51, struct kipc_ring_wait)
#define KIPC_IOC_RING_WAKE	_IOW(KIPC_IOC_MAGIC, 0x52, struct kipc_ring_wake)
#define KIPC_IOC_RING_MAPFD	_IO(KIPC_IOC_MAGIC, 0x53)

#define KIPC_IOC_MQ_SEND	_IOW(KIPC_IOC_MAGIC, 0x58, struct kipc_mq_send)
#define KIPC_IOC_MQ_RECEIVE	_IOWR(KIPC_IOC_MAGIC, 0x59, struct kipc_mq_receive)
#define KIPC_IOC_MQ_GETATTR	_IOR(KIPC_IOC_MAGIC, 0x5a, struct kipc_mq_info)
#define KIPC_IOC_MQ_NOTIFY	_IOW(KIPC_IOC_MAGIC, 0x5b, struct kipc_mq_notify)
#define KIPC_IOC_MQ_SEND_BATCH	_IOW(KIPC_IOC_MAGIC, 0x5c, struct kipc_mq_batch)
#define KIPC_IOC_MQ_RECEIVE_BATCH _IOW(KIPC_IOC_MAGIC, 0x5d, struct kipc_mq_batch)

/* On semaphore fds. */
#define KIPC_IOC_SEM_WAIT	_IOW(KIPC_IOC_MAGIC, 0x60, struct kipc_sem_wait)
#define KIPC_IOC_SEM_POST	_IOW(KIPC_IOC_MAGIC, 0x61, struct kipc_sem_post)
#define KIPC_IOC_SEM_GETVALUE	_IOR(KIPC_IOC_MAGIC, 0x62, struct kipc_sem_value)
#define KIPC_IOC_SEM_WAIT_WORD	_IOW(KIPC_IOC_MAGIC, 0x63, struct kipc_sem_wait_word)
#define KIPC_IOC_SEM_WAKE	_IOW(KIPC_IOC_MAGIC, 0x64, struct kipc_sem_wake)

/* On region fds. */
#define KIPC_IOC_SHM_RESIZE	_IOW(KIPC_IOC_MAGIC, 0x68, struct kipc_shm_resize)
#define KIPC_IOC_SHM_SEAL	_IOW(KIPC_IOC_MAGIC, 0x69, struct kipc_shm_seal)
#define KIPC_IOC_SHM_INFO	_IOR(KIPC_IOC_MAGIC, 0x6a, struct kipc_shm_info)
/*
 * The generic netlink family "kipc" (written down in kmod/netlink.yaml).
 *
 * Everything is scoped to the network namespace of the socket: a dump lists
 * that namespace's objects, named and anonymous; get and unlink find names
 * there; events are about its objects only. Requests are strictly
 * validated, most errors with an extack message: EINVAL for unknown or
 * reply-only attributes, wrong lengths, a non-zero genlmsghdr.reserved,
 * unknown nlmsg_flags and bad names (missing, empty, with '/' or a NUL
 * inside, unterminated, or over-long: no NUL within KIPC_NAME_MAX + 1
 * bytes); ERANGE for a KIPC_A_TYPE out of range; EOPNOTSUPP for unknown
 * commands and the event commands.
 *
 *   KIPC_CMD_GET     do: KIPC_A_NAME (and optionally KIPC_A_TYPE, which
 *                    must match: EMEDIUMTYPE) -> one object, no handle
 *                    opened; ENOENT if absent.
 *                    dump: optional KIPC_A_TYPE filter -> every object, in
 *                    increasing KIPC_A_ID order; an object that exists
 *                    throughout the dump is listed exactly once.
 *   KIPC_CMD_UNLINK  do: KIPC_A_NAME (KIPC_A_TYPE as for get) -> the name
 *                    goes, as KIPC_IOC_UNLINK; EPERM unless the owner or
 *                    CAP_SYS_ADMIN, ENOENT if absent.
 *   KIPC_CMD_LIMITS  do: no attributes -> KIPC_A_LIMIT_*, KIPC_A_OBJECTS,
 *                    and KIPC_A_UID, KIPC_A_USER_* for the caller's fsuid.
 *   KIPC_CMD_CREATED, KIPC_CMD_UNLINKED, KIPC_CMD_DESTROYED: events on the
 *                    KIPC_GENL_MCGRP_EVENTS group, with the object's
 *                    attributes. CREATED when an object becomes visible (a
 *                    name linked, an anonymous object's first handle made),
 *                    UNLINKED when its name goes, DESTROYED when it is
 *                    freed (with its final counters). For one object they
 *                    arrive in that order.
 *
 * An object message carries KIPC_A_ID, KIPC_A_TYPE, KIPC_A_NAME (named
 * objects only), KIPC_A_UID .. KIPC_A_CTIME: the fields of struct
 * kipc_stat that do not depend on a handle, with the same meaning. A
 * get or dump reply about a region also carries KIPC_A_SHM_MAPPINGS and
 * KIPC_A_SHM_SEALS, as struct kipc_shm_info has them (events do not).
 */
#define KIPC_GENL_NAME		"kipc"
#define KIPC_GENL_VERSION	1
#define KIPC_GENL_MCGRP_EVENTS	"events"

enum kipc_cmd {
	KIPC_CMD_UNSPEC,
	KIPC_CMD_GET,
	KIPC_CMD_UNLINK,
	KIPC_CMD_LIMITS,
	KIPC_CMD_CREATED,
	KIPC_CMD_UNLINKED,
	KIPC_CMD_DESTROYED,

	__KIPC_CMD_MAX
};

#define KIPC_CMD_MAX		(__KIPC_CMD_MAX - 1)

/*
 * Not "enum kipc_attr": libkipc's struct kipc_attr has that tag. Payload
 * types are in the tables below; KIPC_A_NAME is a NUL-terminated string.
 */
enum kipc_nl_attr {
	KIPC_A_UNSPEC,
	KIPC_A_PAD,
	KIPC_A_ID,
	KIPC_A_TYPE,			/* enum kipc_type */
	KIPC_A_NAME,
	KIPC_A_UID,
	KIPC_A_GID,
	KIPC_A_MODE,
	KIPC_A_FLAGS,			/* KIPC_STAT_* */
	KIPC_A_CAPACITY,
	KIPC_A_FILL,
	KIPC_A_HIGH_WATER,
	KIPC_A_IN_OPS,
	KIPC_A_OUT_OPS,
	KIPC_A_IN_BYTES,
	KIPC_A_OUT_BYTES,
	KIPC_A_HANDLES,
	KIPC_A_OPENS,
	KIPC_A_BLOCKED_IN,
	KIPC_A_BLOCKED_OUT,
	KIPC_A_CTIME,			/* CLOCK_REALTIME ns */
	KIPC_A_LIMIT_OBJECTS,		/* max_objects */
	KIPC_A_LIMIT_OBJECTS_PER_USER,	/* max_objects_per_user */
	KIPC_A_LIMIT_BYTES_PER_USER,	/* max_bytes_per_user */
	KIPC_A_OBJECTS,			/* objects of every namespace */
	KIPC_A_USER_OBJECTS,		/* the caller's objects */
	KIPC_A_USER_BYTES,		/* bytes charged to the caller */
	KIPC_A_SHM_MAPPINGS,		/* regions: VMAs that map it */
	KIPC_A_SHM_SEALS,		/* regions: KIPC_SEAL_* */

	__KIPC_A_MAX
};

#define KIPC_A_MAX		(__KIPC_A_MAX - 1)

/*
 * The fixed-size attributes, each as X(attribute, payload type, field),
 * one table that both the module (sizes and fills) and libkipc (policy
 * and parse) are built from, so the two cannot disagree.
 *
 * KIPC_NL_STAT_ATTRS: of every object message; field is struct
 * kipc_stat's. KIPC_NL_SHM_ATTRS: of a get or dump reply about a region;
 * field is struct kipc_shm_info's. KIPC_NL_LIMITS_ATTRS: of the limits
 * reply; field names the value (libkipc's struct kipc_limits has them).
 */
#define KIPC_NL_STAT_ATTRS(X)				\
	X(KIPC_A_ID,		__u64,	id)		\
	X(KIPC_A_TYPE,		__u32,	type)		\
	X(KIPC_A_UID,		__u32,	uid)		\
	X(KIPC_A_GID,		__u32,	gid)		\
	X(KIPC_A_MODE,		__u32,	mode)		\
	X(KIPC_A_FLAGS,		__u32,	flags)		\
	X(KIPC_A_CAPACITY,	__u64,	capacity)	\
	X(KIPC_A_FILL,		__u64,	fill)		\
	X(KIPC_A_HIGH_WATER,	__u64,	high_water)	\
	X(KIPC_A_IN_OPS,	__u64,	in_ops)		\
	X(KIPC_A_OUT_OPS,	__u64,	out_ops)	\
	X(KIPC_A_IN_BYTES,	__u64,	in_bytes)	\
	X(KIPC_A_OUT_BYTES,	__u64,	out_bytes)	\
	X(KIPC_A_HANDLES,	__u64,	handles)	\
	X(KIPC_A_OPENS,		__u64,	opens)		\
	X(KIPC_A_BLOCKED_IN,	__u32,	blocked_in)	\
	X(KIPC_A_BLOCKED_OUT,	__u32,	blocked_out)	\
	X(KIPC_A_CTIME,		__u64,	ctime_ns)

#define KIPC_NL_SHM_ATTRS(X)				\
	X(KIPC_A_SHM_MAPPINGS,	__u64,	mappings)	\
	X(KIPC_A_SHM_SEALS,	__u32,	seals)

#define KIPC_NL_LIMITS_ATTRS(X)					\
	X(KIPC_A_LIMIT_OBJECTS,		 __u32,	max_objects)		\
	X(KIPC_A_LIMIT_OBJECTS_PER_USER, __u32,	max_objects_per_user)	\
	X(KIPC_A_LIMIT_BYTES_PER_USER,	 __u64,	max_bytes_per_user)	\
	X(KIPC_A_OBJECTS,		 __u32,	objects)		\
	X(KIPC_A_UID,			 __u32,	uid)			\
	X(KIPC_A_USER_OBJECTS,		 __u32,	user_objects)		\
	X(KIPC_A_USER_BYTES,		 __u64,	user_bytes)

#endif /* _UAPI_LINUX_KIPC_H */
