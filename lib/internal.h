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

#endif /* KIPC_INTERNAL_H */
