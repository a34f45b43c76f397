// SPDX-License-Identifier: MIT
/*
 * Object calls common to every type: open/create, unlink, stat, and the
 * names of the types.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

static const char *const kipc_type_names[] = {
	[KIPC_PIPE]	= "pipe",
	[KIPC_MQ]	= "mq",
	[KIPC_SHM]	= "shm",
	[KIPC_SEM]	= "sem",
};

const char *kipc_type_name(int type)
{
	if (type <= 0 || type > KIPC_TYPE_MAX)
		return NULL;
	return kipc_type_names[type];
}

int kipc_type_from_name(const char *s)
{
	int type;

	for (type = 1; s && type <= KIPC_TYPE_MAX; type++)
		if (kipc_type_names[type] && !strcmp(s, kipc_type_names[type]))
			return type;
	errno = EINVAL;
	return -1;
}

const char *kipc_kernel_name(const char *name)
{
	if (name && name[0] == '/')
		name++;
	if (!name || !name[0]) {
		errno = EINVAL;
		return NULL;
	}
	return name;
}

/*
 * size_t fits the __u64 fields and unsigned the __u32 ones on every Linux
 * ABI; only msgsize (size_t into __u32) can be too large.
 */
_Static_assert(sizeof(size_t) <= sizeof(__u64), "size_t wider than __u64");
_Static_assert(sizeof(unsigned) <= sizeof(__u32), "unsigned wider than __u32");

/* Copy @attr into @args; EINVAL if a value does not fit its field. */
static int kipc_fill_attr(struct kipc_open *args, const struct kipc_attr *attr)
{
	if (!attr)
		return 0;
	if ((uint64_t)attr->msgsize > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	args->capacity = attr->capacity;
	args->size_bytes = attr->size;
	args->maxmsg = attr->maxmsg;
	args->msgsize = attr->msgsize;
	args->value = attr->value;
	args->max = attr->max;
	args->flags = attr->flags;
	return 0;
}

int kipc_open(const char *name, int type, int oflag, mode_t mode,
	      const struct kipc_attr *attr)
{
	struct kipc_open args;
	int dev;

	memset(&args, 0, sizeof(args));
	args.size = sizeof(args);
	args.type = type;
	args.oflag = oflag;
	args.mode = mode;
	if (name) {
		name = kipc_kernel_name(name);
		if (!name)
			return -1;
		args.name = (uintptr_t)name;
	}
	if (kipc_fill_attr(&args, attr) < 0)
		return -1;

	dev = kipc_dev_fd();
	if (dev < 0)
		return -1;
	return ioctl(dev, KIPC_IOC_OPEN, &args);
}

int kipc_unlink(const char *name)
{
	struct kipc_unlink args;
	int dev;

	name = kipc_kernel_name(name);
	if (!name)
		return -1;
	memset(&args, 0, sizeof(args));
	args.name = (uintptr_t)name;

	dev = kipc_dev_fd();
	if (dev < 0)
		return -1;
	return ioctl(dev, KIPC_IOC_UNLINK, &args) < 0 ? -1 : 0;
}

int kipc_stat(int fd, struct kipc_stat *st)
{
	if (!st) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * Zeroed, so that whatever the kernel reads besides @size is zero, as
	 * the ABI wants of pads and reserved fields.
	 */
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, KIPC_IOC_STAT, st) < 0 ? -1 : 0;
}
