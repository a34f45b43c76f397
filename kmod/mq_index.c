// SPDX-License-Identifier: GPL-2.0
/*
 * The priority index of a message queue; see mq_index.h for its shape.
 */
#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "mq_index.h"

int kipc_mq_index_init(struct kipc_mq_index *ix)
{
	ix->dir = kcalloc(KIPC_MQ_LEAVES, sizeof(*ix->dir), GFP_KERNEL_ACCOUNT);
	return ix->dir ? 0 : -ENOMEM;
}

/* Free the messages of one priority, @first and the circle behind it. */
static void kipc_mq_free_fifo(struct kipc_mq_message *first)
{
	struct kipc_mq_message *m, *next;

	list_for_each_entry_safe(m, next, &first->node, node)
		kvfree(m);
	kvfree(first);
}

/* Free the index with the messages it holds. */
void kipc_mq_index_destroy(struct kipc_mq_index *ix)
{
	struct kipc_mq_leaf *leaf;
	unsigned int li, bit;

	for_each_set_bit(li, ix->summary, KIPC_MQ_LEAVES) {
		leaf = ix->dir[li];
		for_each_set_bit(bit, &leaf->used, KIPC_MQ_LEAF_PRIOS)
			kipc_mq_free_fifo(leaf->first[bit]);
		kfree(leaf);
	}
	kfree(ix->spare);
	kfree(ix->dir);
}

/*
 * What the index of a queue of @maxmsg messages can pin, as the allocator
 * hands it out: the directory and the leaves (one per message at most,
 * one per leaf range at most, plus the kept spare).
 */
size_t kipc_mq_index_charge(u32 maxmsg)
{
	size_t leaves = min_t(size_t, maxmsg, KIPC_MQ_LEAVES) + 1;

	return kmalloc_size_roundup(KIPC_MQ_LEAVES *
				    sizeof(struct kipc_mq_leaf *)) +
	       leaves * kmalloc_size_roundup(sizeof(struct kipc_mq_leaf));
}

struct kipc_mq_leaf *kipc_mq_leaf_new(void)
{
	return kzalloc(sizeof(struct kipc_mq_leaf), GFP_KERNEL_ACCOUNT);
}

static bool kipc_mq_prio_used(const struct kipc_mq_index *ix, u32 prio)
{
	unsigned int li = prio / KIPC_MQ_LEAF_PRIOS;

	return test_bit(li, ix->summary) &&
	       test_bit(prio % KIPC_MQ_LEAF_PRIOS, &ix->dir[li]->used);
}

/* The highest priority not above @max that has a message, or -1. */
static int kipc_mq_highest(const struct kipc_mq_index *ix, u32 max)
{
	unsigned int li = max / KIPC_MQ_LEAF_PRIOS, below;
	unsigned long used;

	if (test_bit(li, ix->summary)) {
		used = ix->dir[li]->used & GENMASK(max % KIPC_MQ_LEAF_PRIOS, 0);
		if (used)
			return li * KIPC_MQ_LEAF_PRIOS + __fls(used);
	}
	below = find_last_bit(ix->summary, li);
	if (below >= li)
		return -1;
	return below * KIPC_MQ_LEAF_PRIOS + __fls(ix->dir[below]->used);
}

/* The priority a receiver with selector @sel would take from, or -1. */
int kipc_mq_index_find(const struct kipc_mq_index *ix, u32 sel, u32 sel_prio)
{
	switch (sel) {
	case KIPC_MQ_SEL_EXACT:
		return kipc_mq_prio_used(ix, sel_prio) ? sel_prio : -1;
	case KIPC_MQ_SEL_AT_MOST:
		return kipc_mq_highest(ix, sel_prio);
	default:
		return kipc_mq_highest(ix, KIPC_MQ_PRIO_MAX - 1);
	}
}

/*
 * Can @prio be added without allocating: its leaf is there, or the
 * index's spare or @spare can become it?
 */
bool kipc_mq_index_has_leaf(const struct kipc_mq_index *ix, u32 prio,
			    const struct kipc_mq_leaf *spare)
{
	return test_bit(prio / KIPC_MQ_LEAF_PRIOS, ix->summary) ||
	       ix->spare || spare;
}

/*
 * Add @m behind the other messages of its priority, which
 * kipc_mq_index_has_leaf() allows; a leaf needed comes from the index's
 * spare first, then from *@spare (which is then cleared).
 */
void kipc_mq_index_add(struct kipc_mq_index *ix, struct kipc_mq_message *m,
		       struct kipc_mq_leaf **spare)
{
	unsigned int li = m->prio / KIPC_MQ_LEAF_PRIOS;
	unsigned int bit = m->prio % KIPC_MQ_LEAF_PRIOS;
	struct kipc_mq_leaf *leaf = ix->dir[li];
	struct kipc_mq_message **first;

	if (!leaf) {
		if (ix->spare) {
			leaf = ix->spare;
			ix->spare = NULL;
		} else {
			leaf = *spare;
			*spare = NULL;
		}
		ix->dir[li] = leaf;
		__set_bit(li, ix->summary);
	}

	first = &leaf->first[bit];
	if (*first) {
		/* Before the first in the circle is after the last. */
		list_add_tail(&m->node, &(*first)->node);
	} else {
		INIT_LIST_HEAD(&m->node);
		*first = m;
		__set_bit(bit, &leaf->used);
	}
}

/*
 * Take the oldest message of @prio, which has one. A leaf it empties
 * becomes the spare or, if there is one, goes to *@free_leaf for the
 * caller to free after unlocking.
 */
struct kipc_mq_message *kipc_mq_index_take(struct kipc_mq_index *ix, u32 prio,
					   struct kipc_mq_leaf **free_leaf)
{
	unsigned int li = prio / KIPC_MQ_LEAF_PRIOS;
	unsigned int bit = prio % KIPC_MQ_LEAF_PRIOS;
	struct kipc_mq_leaf *leaf = ix->dir[li];
	struct kipc_mq_message *m = leaf->first[bit];

	if (!list_empty(&m->node)) {
		leaf->first[bit] = list_next_entry(m, node);
		list_del(&m->node);
		return m;
	}
	leaf->first[bit] = NULL;
	__clear_bit(bit, &leaf->used);
	if (!leaf->used) {
		ix->dir[li] = NULL;
		__clear_bit(li, ix->summary);
		if (!ix->spare)
			ix->spare = leaf;
		else
			*free_leaf = leaf;
	}
	return m;
}

/* Keep *@leaf, unused, as the spare if there is none (*@leaf is cleared). */
void kipc_mq_index_keep_spare(struct kipc_mq_index *ix,
			      struct kipc_mq_leaf **leaf)
{
	if (*leaf && !ix->spare) {
		ix->spare = *leaf;
		*leaf = NULL;
	}
}
