// SPDX-License-Identifier: GPL-2.0
/* kipc version: library version and the loaded module's ABI. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "kipc.h"
#include "subcommands.h"

int version_main(int argc, char *argv[])
{
	unsigned int abi;
	uint64_t features;

	if (argc != 1) {
		print_usage(find_subcommand(argv[0]), true);
		return KIPC_EXIT_USAGE;
	}

	printf("libkipc %s (ABI %u)\n", kipc_lib_version(), KIPC_ABI_VERSION);
	if (kipc_version(&abi, &features) < 0) {
		dev_error(errno);
		return KIPC_EXIT_FAIL;
	}
	printf("module ABI %u, features 0x%" PRIx64 "\n", abi, features);
	if (abi != KIPC_ABI_VERSION) {
		fprintf(stderr, "%s: module ABI %u differs from library ABI %u\n",
			prog, abi, KIPC_ABI_VERSION);
		return KIPC_EXIT_FAIL;
	}
	return KIPC_EXIT_OK;
}
