// SPDX-License-Identifier: MIT
/*
 * Regions: resize, seals and info, each one ioctl on the region's fd, and
 * a convenience that maps the whole region.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "internal.h"

int kipc_shm_resize(int fd, size_t size)
{
	struct kipc_shm_resize args;

	memset(&args, 0, sizeof(args));
	args.size = size;
	return ioctl(fd, KIPC_IOC_SHM_RESIZE, &args) < 0 ? -1 : 0;
}

int kipc_shm_seal(int fd, unsigned seals)
{
	struct kipc_shm_seal args;

	memset(&args, 0, sizeof(args));
	args.seals = seals;
	return ioctl(fd, KIPC_IOC_SHM_SEAL, &args) < 0 ? -1 : 0;
}

int kipc_shm_info(int fd, struct kipc_shm_info *info)
{
	if (!info) {
		errno = EINVAL;
		return -1;
	}
	memset(info, 0, sizeof(*info));
	return ioctl(fd, KIPC_IOC_SHM_INFO, info) < 0 ? -1 : 0;
}

int kipc_shm_get_seals(int fd)
{
	struct kipc_shm_info info;

	if (kipc_shm_info(fd, &info) < 0)
		return -1;
	return info.seals;
}

void *kipc_shm_map(int fd, size_t *size)
{
	struct kipc_shm_info info;
	struct kipc_stat st;
	int prot = PROT_READ;
	void *addr;

	if (!size) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (kipc_stat(fd, &st) < 0)
		return MAP_FAILED;
	if (st.type != KIPC_SHM) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (kipc_shm_info(fd, &info) < 0)
		return MAP_FAILED;
	if ((st.oflag & O_ACCMODE) == O_RDWR &&
	    !(info.seals & (KIPC_SEAL_WRITE | KIPC_SEAL_FUTURE_WRITE)))
		prot |= PROT_WRITE;
	if (info.size > SIZE_MAX) {
		errno = EOVERFLOW;
		return MAP_FAILED;
	}
	addr = mmap(NULL, info.size, prot, MAP_SHARED, fd, 0);
	if (addr != MAP_FAILED)
		*size = info.size;
	return addr;
}
