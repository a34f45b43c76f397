// SPDX-License-Identifier: GPL-2.0
/*
 * kipc - IPC objects behind one character device.
 *
 * Module entry points: bring the parts up in order and take them down in
 * the reverse order, one label per step.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "internal.h"
#include "version.h"

static int __init kipc_init(void)
{
	int err;

	err = kipc_registry_init();
	if (err)
		goto err_registry;

	/* After the registry, whose per-net state the requests use. */
	err = kipc_nl_register();
	if (err)
		goto err_nl;

	err = kipc_dev_register();
	if (err)
		goto err_dev;

	pr_info("%s loaded (ABI %u)\n", KIPC_VERSION, KIPC_ABI_VERSION);
	return 0;

err_dev:
	kipc_nl_unregister();
err_nl:
	kipc_registry_exit();
err_registry:
	return err;
}

/*
 * Every handle pins the module, so no file is open here, and so does a
 * netlink dump in progress: dropping the names frees every object that is
 * left. The family goes before the registry; objects freed by that
 * announce nothing (see kipc_net_exit()).
 */
static void __exit kipc_exit(void)
{
	kipc_dev_unregister();
	kipc_nl_unregister();
	kipc_registry_exit();
	kipc_quota_exit();
	pr_info("unloaded\n");
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_DESCRIPTION("kipc: pipes, message queues, shared memory and semaphores behind /dev/kipc");
MODULE_AUTHOR("The kipc developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KIPC_VERSION);
