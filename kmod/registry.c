// SPDX-License-Identifier: GPL-2.0
/*
 * Names, one table per network namespace.
 *
 * A module cannot hold IPC-namespace references (put_ipc_ns() is not
 * exported), so names are scoped by network namespace instead: containers
 * get their own, and a netns is what "ip netns" and unshare(CLONE_NEWNET)
 * give a test. When a namespace goes away its names are unlinked; objects
 * still open elsewhere live on, unnamed.
 *
 * Locking: each namespace's mutex serialises lookup, link and unlink, so
 * "look up, then create and link if absent" is atomic for O_CREAT|O_EXCL.
 * The table is an rhashtable keyed by the name string: O(1) lookups that
 * stay so as it grows to any number of names.
 */
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "kipc.h"

/**
 * struct kipc_net - per network namespace state
 * @lock:  protects @names and the objects' @node and @linked
 * @names: name -> struct kipc_obj
 */
struct kipc_net {
	struct mutex lock;		/* see above */
	struct rhashtable names;
};

static unsigned int kipc_net_id __read_mostly;

static u32 kipc_name_hashfn(const void *key, u32 len, u32 seed)
{
	const char *name = key;

	return jhash(name, strlen(name), seed);
}

static u32 kipc_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct kipc_obj *obj = data;

	return kipc_name_hashfn(obj->name, len, seed);
}

static int kipc_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *data)
{
	const struct kipc_obj *obj = data;

	return strcmp(arg->key, obj->name);
}

static const struct rhashtable_params kipc_name_params = {
	.head_offset		= offsetof(struct kipc_obj, node),
	.hashfn			= kipc_name_hashfn,
	.obj_hashfn		= kipc_obj_hashfn,
	.obj_cmpfn		= kipc_obj_cmpfn,
	.automatic_shrinking	= true,
};

static struct kipc_net *kipc_net(struct net *net)
{
	return net_generic(net, kipc_net_id);
}

struct mutex *kipc_registry_lock(struct net *net)
{
	return &kipc_net(net)->lock;
}

/* Returns the object linked under @name, without taking a reference. */
struct kipc_obj *kipc_registry_lookup(struct net *net, const char *name)
{
	struct kipc_net *kn = kipc_net(net);

	lockdep_assert_held(&kn->lock);
	return rhashtable_lookup_fast(&kn->names, name, kipc_name_params);
}

/* Link @obj under its name; the registry takes over one reference. */
int kipc_registry_link(struct net *net, struct kipc_obj *obj)
{
	struct kipc_net *kn = kipc_net(net);
	int err;

	lockdep_assert_held(&kn->lock);
	err = rhashtable_lookup_insert_key(&kn->names, obj->name, &obj->node,
					   kipc_name_params);
	if (!err)
		WRITE_ONCE(obj->linked, true);
	return err;
}

/*
 * Unlink @obj; the caller must drop the registry's reference with
 * kipc_obj_put() after unlocking.
 */
void kipc_registry_unlink(struct net *net, struct kipc_obj *obj)
{
	struct kipc_net *kn = kipc_net(net);

	lockdep_assert_held(&kn->lock);
	WARN_ON(rhashtable_remove_fast(&kn->names, &obj->node,
				       kipc_name_params));
	WRITE_ONCE(obj->linked, false);
}

static int __net_init kipc_net_init(struct net *net)
{
	struct kipc_net *kn = kipc_net(net);

	mutex_init(&kn->lock);
	return rhashtable_init(&kn->names, &kipc_name_params);
}

static void kipc_net_drop_name(void *ptr, void *arg)
{
	struct kipc_obj *obj = ptr;

	WRITE_ONCE(obj->linked, false);
	kipc_obj_put(obj);
}

/* The namespace (or the module) is going: every name goes with it. */
static void __net_exit kipc_net_exit(struct net *net)
{
	struct kipc_net *kn = kipc_net(net);

	mutex_lock(&kn->lock);
	rhashtable_free_and_destroy(&kn->names, kipc_net_drop_name, NULL);
	mutex_unlock(&kn->lock);
	mutex_destroy(&kn->lock);
}

static struct pernet_operations kipc_net_ops = {
	.init	= kipc_net_init,
	.exit	= kipc_net_exit,
	.id	= &kipc_net_id,
	.size	= sizeof(struct kipc_net),
};

int kipc_registry_init(void)
{
	return register_pernet_subsys(&kipc_net_ops);
}

void kipc_registry_exit(void)
{
	unregister_pernet_subsys(&kipc_net_ops);
}
