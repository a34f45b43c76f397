// SPDX-License-Identifier: GPL-2.0
/* kipc version: library version, the loaded module's ABI and features. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "kipc.h"
#include "subcommands.h"

static const struct {
	uint64_t bit;
	const char *name;
} feature_names[] = {
	{ KIPC_FEAT_SEM, "sem" },
	{ KIPC_FEAT_PIPE, "pipe" },
	{ KIPC_FEAT_MQ, "mq" },
	{ KIPC_FEAT_SHM, "shm" },
	{ KIPC_FEAT_SEM_WORD, "sem-word" },
	{ KIPC_FEAT_RING, "ring" },
	{ KIPC_FEAT_NETLINK, "netlink" },
};

/* " sem pipe mq ...", then any bit without a name in hex. */
static void put_features(uint64_t features)
{
	size_t i;

	for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
		if (features & feature_names[i].bit)
			printf(" %s", feature_names[i].name);
		features &= ~feature_names[i].bit;
	}
	if (features)
		printf(" 0x%" PRIx64, features);
	putchar('\n');
}

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
	printf("module ABI %u, features:", abi);
	put_features(features);
	if (abi != KIPC_ABI_VERSION) {
		fprintf(stderr, "%s: module ABI %u differs from library ABI %u\n",
			prog, abi, KIPC_ABI_VERSION);
		return KIPC_EXIT_FAIL;
	}
	return KIPC_EXIT_OK;
}
