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
 *    is accepted if the bytes we do not know are zero).
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KIPC_DEVICE_NAME	"kipc"

/* Bumped on any incompatible change of this header. */
#define KIPC_ABI_VERSION	1

/* Feature bits reported by KIPC_IOC_VERSION; one per object type or ability. */
#define KIPC_FEATURES_ALL	0ULL

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

#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x40, struct kipc_version)

#endif /* _UAPI_LINUX_KIPC_H */
