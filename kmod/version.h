/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The package's version: the module's MODULE_VERSION, the DKMS package and
 * the install tree all read it here (the Makefile with sed).
 */
#ifndef KIPC_VERSION_H
#define KIPC_VERSION_H

#define KIPC_VERSION "0.5.0"

#endif /* KIPC_VERSION_H */
