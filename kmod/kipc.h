/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the files of the kipc module.
 *
 * One file per concern:
 *   main.c  module init/exit ladder and parameters
 *   dev.c   the /dev/kipc misc device and its ioctl switch
 */
#ifndef _KIPC_H
#define _KIPC_H

#include <uapi/linux/kipc.h>

/* dev.c */
int kipc_dev_register(void);
void kipc_dev_unregister(void);

#endif /* _KIPC_H */
