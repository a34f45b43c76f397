/* SPDX-License-Identifier: MIT */
/*
 * libkipc - use kipc objects from programs.
 *
 * Every call returns -1 and sets errno on failure, like the POSIX call it
 * mirrors. The ioctl ABI underneath is <linux/kipc.h>.
 */
#ifndef KIPC_H
#define KIPC_H

#include <stdint.h>

#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KIPC_LIB_VERSION_MAJOR	0
#define KIPC_LIB_VERSION_MINOR	1
#define KIPC_LIB_VERSION_PATCH	0

/* Path of the device; the KIPC_DEVICE environment variable overrides it. */
#define KIPC_DEVICE_PATH	"/dev/" KIPC_DEVICE_NAME

/* Version of this library, e.g. "0.1.0". Never fails. */
const char *kipc_lib_version(void);

/*
 * Ask the loaded module for its ABI version and feature bits
 * (KIPC_FEAT_*). Either pointer may be NULL.
 * Fails with ENOENT (no device node: module not loaded) or the open/ioctl
 * error.
 */
int kipc_version(unsigned int *abi_version, uint64_t *features);

#ifdef __cplusplus
}
#endif

#endif /* KIPC_H */
