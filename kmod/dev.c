// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/kipc misc device: the one entry point of the module.
 *
 * The device itself holds no state. Its ioctls answer a query
 * (KIPC_IOC_VERSION), open or create an object and return it as a new
 * anon-inode file descriptor (KIPC_IOC_OPEN), or remove a name
 * (KIPC_IOC_UNLINK), all in the caller's network namespace. Access control
 * happens per object, so the node is world read/writable.
 *
 * No .llseek: a file without one is not seekable (ESPIPE) on 6.1, where
 * do_dentry_open() drops FMODE_LSEEK, and on 6.12, which removed no_llseek.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "internal.h"

static int kipc_dev_version(void __user *argp)
{
	struct kipc_version ver;

	if (copy_from_user(&ver, argp, sizeof(ver)))
		return -EFAULT;
	if (ver.pad)
		return -EINVAL;

	ver.abi_version = KIPC_ABI_VERSION;
	ver.features = KIPC_FEATURES_ALL;

	if (copy_to_user(argp, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

static long kipc_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct net *net = current->nsproxy->net_ns;
	void __user *argp = (void __user *)arg;

	if (kipc_ioc_match(cmd, KIPC_IOC_OPEN))
		return kipc_obj_open(net, argp);

	switch (cmd) {
	case KIPC_IOC_VERSION:
		return kipc_dev_version(argp);
	case KIPC_IOC_UNLINK:
		return kipc_obj_unlink(net, argp);
	case KIPC_IOC_PIPE:
		return kipc_pipe_create(net, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kipc_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= kipc_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/*
 * A fixed minor (devices.txt reserves misc 243-254 for local use) lets
 * kmod list /dev/kipc in modules.devname, so the node exists before the
 * module loads and its first open loads it (the aliases below). If a
 * local device took the minor already, a dynamic one works for opens
 * through the node udev makes, but a node made at boot from
 * modules.devname is 10:249 and opens that other device: the warning
 * says so.
 */
#define KIPC_MISC_MINOR	249

MODULE_ALIAS_MISCDEV(KIPC_MISC_MINOR);
MODULE_ALIAS("devname:" KIPC_DEVICE_NAME);

static struct miscdevice kipc_misc = {
	.minor		= KIPC_MISC_MINOR,
	.name		= KIPC_DEVICE_NAME,
	.fops		= &kipc_dev_fops,
	.mode		= 0666,
};

int kipc_dev_register(void)
{
	int err = misc_register(&kipc_misc);

	if (err != -EBUSY)
		return err;
	pr_warn("misc minor %d is taken by another driver: using a dynamic one; a /dev/%s made from modules.devname (10:%d) opens that driver instead\n",
		KIPC_MISC_MINOR, KIPC_DEVICE_NAME, KIPC_MISC_MINOR);
	kipc_misc.minor = MISC_DYNAMIC_MINOR;
	return misc_register(&kipc_misc);
}

void kipc_dev_unregister(void)
{
	misc_deregister(&kipc_misc);
}
