// SPDX-License-Identifier: MIT
/* Library and module versions. */
#include <sys/ioctl.h>

#include "internal.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

const char *kipc_lib_version(void)
{
	return STR(KIPC_LIB_VERSION_MAJOR) "." STR(KIPC_LIB_VERSION_MINOR)
	       "." STR(KIPC_LIB_VERSION_PATCH);
}

int kipc_version(unsigned int *abi_version, uint64_t *features)
{
	struct kipc_version ver = { 0 };
	int fd = kipc_dev_fd();

	if (fd < 0)
		return -1;
	if (ioctl(fd, KIPC_IOC_VERSION, &ver) < 0)
		return -1;

	if (abi_version)
		*abi_version = ver.abi_version;
	if (features)
		*features = ver.features;
	return 0;
}
