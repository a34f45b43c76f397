/* SPDX-License-Identifier: MIT */
/* Helpers shared by the files of libkipc; not installed. */
#ifndef KIPC_INTERNAL_H
#define KIPC_INTERNAL_H

#include "kipc.h"

/*
 * The process-wide /dev/kipc descriptor, opened O_CLOEXEC on first use and
 * kept open. Returns -1 with errno set if the device cannot be opened.
 */
int kipc_dev_fd(void);

/*
 * The name as the kernel wants it: without the one optional leading '/'.
 * NULL with EINVAL if nothing is left; the kernel checks the rest.
 */
const char *kipc_kernel_name(const char *name);

#endif /* KIPC_INTERNAL_H */
