// SPDX-License-Identifier: GPL-2.0
/*
 * Names, one table per network namespace, and the list of every object of
 * a namespace.
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
 *
 * Every object, named or anonymous, is also on its namespace's list of
 * objects, for netlink dumps. The lists are protected by one global mutex,
 * kipc_objects_lock, not one per namespace: an object can outlive its
 * namespace, and its free path must take it off the list (or learn that
 * the namespace has gone) without holding a reference to the namespace.
 * Ids are handed out under the same lock as objects are added at the
 * tail, so each list is in increasing id order, and a dump resumes at
 * the last object it sent, which it holds a reference to (so it stays on
 * the list): an object that exists throughout a dump is seen exactly
 * once, whatever is created or freed meanwhile, and no batch walks what
 * the ones before it did.
 *
 * Lock order: a namespace's registry lock -> kipc_objects_lock. An
 * object's own lock (taken by its type's ->stat()) is never taken under
 * kipc_objects_lock: dumps fill their messages after dropping it, and the
 * destroyed event is built from a snapshot taken before it. (Under the
 * registry lock it is: created and unlinked events read the object.)
 */
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "internal.h"

/**
 * struct kipc_net - per network namespace state
 * @lock:    protects @names and the objects' @node and @linked
 * @names:   name -> struct kipc_obj
 * @objects: every object of the namespace by struct kipc_obj.all, in
 *           increasing id order; protected by kipc_objects_lock
 */
struct kipc_net {
	struct mutex lock;		/* see above */
	struct rhashtable names;
	struct list_head objects;
};

static unsigned int kipc_net_id __read_mostly;

/* Protects every kipc_net.objects, the objects' @all and @net, and this. */
static DEFINE_MUTEX(kipc_objects_lock);
static u64 kipc_last_id;

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

/**
 * kipc_registry_add - give a new object its id and put it on @net's list
 * @net: the namespace it is created in
 * @obj: the object, complete but for @id, @net and @all
 */
void kipc_registry_add(struct net *net, struct kipc_obj *obj)
{
	struct kipc_net *kn = kipc_net(net);

	mutex_lock(&kipc_objects_lock);
	obj->id = ++kipc_last_id;
	obj->net = net;
	list_add_tail(&obj->all, &kn->objects);
	mutex_unlock(&kipc_objects_lock);
}

/**
 * kipc_registry_remove - take an object that is being freed off its list
 * @obj: the object; its last reference is gone, ->destroy() not yet called
 *
 * Announces the destruction to @obj's namespace if its creation was
 * announced: a reference to the namespace is taken under
 * kipc_objects_lock (none if it is already going away), and the message
 * built and sent after dropping it. A dump never sees @obj afterwards.
 *
 * The final state is read before the lock: ->stat() takes the object's
 * own lock, which must not nest inside kipc_objects_lock (see the lock
 * order above). Nobody else can change a dead object anyway.
 */
void kipc_registry_remove(struct kipc_obj *obj)
{
	bool announce = READ_ONCE(obj->published);
	struct kipc_stat st;
	struct net *net;

	if (announce) {
		memset(&st, 0, sizeof(st));
		kipc_obj_fill_stat(obj, &st, &init_user_ns);
	}

	mutex_lock(&kipc_objects_lock);
	list_del_init(&obj->all);
	/* A namespace on its way out has no listener left to tell. */
	net = obj->net && announce ? maybe_get_net(obj->net) : NULL;
	obj->net = NULL;
	mutex_unlock(&kipc_objects_lock);

	/* Built and sent outside the lock, which every create takes. */
	if (net) {
		kipc_nl_notify(net, obj, &st, KIPC_CMD_DESTROYED);
		put_net(net);
	}
}

/**
 * kipc_registry_collect - references to the next objects of a namespace
 * @net:    the namespace
 * @cursor: the object the last batch ended with, NULL to start; the
 *          caller holds a reference to it, which keeps it on the list
 * @type:   only objects of this type; 0 for any
 * @objs:   out: the objects after @cursor, in increasing id order, each
 *          with a reference the caller drops with kipc_obj_put()
 * @max:    room in @objs
 *
 * Objects not yet published, and objects whose last reference has gone
 * (waiting in kipc_obj_free() for kipc_objects_lock), are skipped. The
 * walk resumes at @cursor, so a batch costs what it collects, not what
 * the list holds before it; a @cursor off the list (its namespace went)
 * ends the dump. The caller fills its messages without
 * kipc_objects_lock: ->stat() may sleep, and that must not stall every
 * creation and destruction in the module.
 *
 * Return: the number of objects stored, 0 at the end.
 */
int kipc_registry_collect(struct net *net, struct kipc_obj *cursor, u32 type,
			  struct kipc_obj **objs, int max)
{
	struct kipc_net *kn = kipc_net(net);
	struct kipc_obj *obj;
	int n = 0;

	mutex_lock(&kipc_objects_lock);
	if (cursor && cursor->net != net)
		goto out;
	obj = cursor ? list_next_entry(cursor, all) :
		       list_first_entry(&kn->objects, struct kipc_obj, all);
	list_for_each_entry_from(obj, &kn->objects, all) {
		if ((type && obj->type != type) || !READ_ONCE(obj->published))
			continue;
		if (!kref_get_unless_zero(&obj->ref))
			continue;
		objs[n++] = obj;
		if (n == max)
			break;
	}
out:
	mutex_unlock(&kipc_objects_lock);
	return n;
}

static int __net_init kipc_net_init(struct net *net)
{
	struct kipc_net *kn = kipc_net(net);

	mutex_init(&kn->lock);
	INIT_LIST_HEAD(&kn->objects);
	return rhashtable_init(&kn->names, &kipc_name_params);
}

static void kipc_net_drop_name(void *ptr, void *arg)
{
	struct kipc_obj *obj = ptr;

	WRITE_ONCE(obj->linked, false);
	kipc_obj_put(obj);
}

/*
 * The namespace (or the module) is going: every name goes with it, and the
 * objects still open elsewhere (passed on with SCM_RIGHTS, or inherited by
 * a process that moved to another namespace) live on without one.
 *
 * They are detached first, before the names are dropped: then no object
 * freed here announces its destruction. A dying namespace has no listener
 * left, and at module unload the family is already unregistered.
 */
static void __net_exit kipc_net_exit(struct net *net)
{
	struct kipc_net *kn = kipc_net(net);
	struct kipc_obj *obj, *tmp;

	mutex_lock(&kipc_objects_lock);
	list_for_each_entry_safe(obj, tmp, &kn->objects, all) {
		obj->net = NULL;
		list_del_init(&obj->all);
	}
	mutex_unlock(&kipc_objects_lock);

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
