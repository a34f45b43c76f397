/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The priority index of a message queue (mq_index.c): the queued messages,
 * oldest first within each priority, found by priority in O(1).
 *
 * Priorities run 0..KIPC_MQ_PRIO_MAX - 1 (32768). They are split into
 * leaves of BITS_PER_LONG priorities; a leaf holds, per priority, the
 * oldest message of that priority (the messages of one priority form a
 * circular list through that first message, so a FIFO costs one pointer)
 * and a word with a bit per non-empty priority. A directory points at the
 * leaves in use and a summary bitmap has a bit per leaf in use. Finding
 * the highest non-empty priority (or the highest one not above a limit)
 * is a find_last_bit() over the summary (8 words on 64-bit) and an __fls()
 * of one leaf word; adding and taking a message are O(1). Nothing is ever
 * O(number of queued messages) or O(number of priorities in use).
 *
 * A leaf is allocated (by the caller, outside its lock) when the first
 * message of its range of priorities arrives and goes when its last one
 * leaves; one empty leaf is kept for reuse so a queue that empties and
 * fills again does not allocate every time.
 *
 * Locking: none of its own. Every function but init, destroy, charge and
 * kipc_mq_leaf_new() (which may sleep: call it unlocked) is called with
 * the queue's lock held, which protects the whole index but the
 * directory pointer (immutable).
 */
#ifndef _KIPC_MQ_INDEX_H
#define _KIPC_MQ_INDEX_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/types.h>

#include <uapi/linux/kipc.h>

#define KIPC_MQ_LEAF_PRIOS	BITS_PER_LONG
#define KIPC_MQ_LEAVES		(KIPC_MQ_PRIO_MAX / KIPC_MQ_LEAF_PRIOS)

/**
 * struct kipc_mq_message - a message in a queue or on its way
 * @node: in the circular list of its priority's messages
 * @len:  bytes in @data
 * @prio: priority
 * @data: the body
 *
 * Allocated with kvmalloc() by the queue; the index frees those it holds
 * at kipc_mq_index_destroy().
 */
struct kipc_mq_message {
	struct list_head node;
	u32 len;
	u32 prio;
	u8 data[];
};

/**
 * struct kipc_mq_leaf - BITS_PER_LONG consecutive priorities
 * @used:  bit i set iff @first[i] is not NULL
 * @first: the oldest message of each priority, NULL if it has none
 *
 * A leaf in the directory has at least one message; an unused one is all
 * zeroes.
 */
struct kipc_mq_leaf {
	unsigned long used;
	struct kipc_mq_message *first[KIPC_MQ_LEAF_PRIOS];
};

/**
 * struct kipc_mq_index - a queue's messages by priority
 * @dir:     the leaves in use, by priority / KIPC_MQ_LEAF_PRIOS
 * @summary: bit i set iff @dir[i] is not NULL
 * @spare:   an unused leaf kept for reuse, or NULL
 */
struct kipc_mq_index {
	struct kipc_mq_leaf **dir;
	unsigned long summary[BITS_TO_LONGS(KIPC_MQ_LEAVES)];
	struct kipc_mq_leaf *spare;
};

int kipc_mq_index_init(struct kipc_mq_index *ix);
void kipc_mq_index_destroy(struct kipc_mq_index *ix);
size_t kipc_mq_index_charge(u32 maxmsg);
struct kipc_mq_leaf *kipc_mq_leaf_new(void);

int kipc_mq_index_find(const struct kipc_mq_index *ix, u32 sel, u32 sel_prio);
bool kipc_mq_index_has_leaf(const struct kipc_mq_index *ix, u32 prio,
			    const struct kipc_mq_leaf *spare);
void kipc_mq_index_add(struct kipc_mq_index *ix, struct kipc_mq_message *m,
		       struct kipc_mq_leaf **spare);
struct kipc_mq_message *kipc_mq_index_take(struct kipc_mq_index *ix, u32 prio,
					   struct kipc_mq_leaf **free_leaf);
void kipc_mq_index_keep_spare(struct kipc_mq_index *ix,
			      struct kipc_mq_leaf **leaf);

/* Does a receiver with selector @sel (0 or one KIPC_MQ_SEL_*) take @prio? */
static inline bool kipc_mq_accepts(u32 sel, u32 sel_prio, u32 prio)
{
	switch (sel) {
	case KIPC_MQ_SEL_EXACT:
		return prio == sel_prio;
	case KIPC_MQ_SEL_AT_MOST:
		return prio <= sel_prio;
	default:
		return true;
	}
}

#endif /* _KIPC_MQ_INDEX_H */
