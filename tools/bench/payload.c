// SPDX-License-Identifier: GPL-2.0
/*
 * What a benchmark message holds, so the receiver can prove it got every
 * byte of the right message:
 *
 *   size >= 16   u32 sequence, u32 producer, u64 checksum, then a body
 *                that depends on (producer, sequence); the checksum covers
 *                every body byte, so a stale, torn or short copy fails
 *   8 .. 15      sequence and producer, then pattern bytes checked one by one
 *   1 .. 7       pattern bytes of (producer, sequence), checked one by one
 *   0            nothing: only the count of messages is checked
 *
 * The sender computes every byte of every message; the receiver reads
 * every byte. Both are the same cost for every mechanism.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define HDR_SHORT	8
#define HDR_FULL	16

static uint64_t seed_of(uint32_t producer, uint64_t seq)
{
	return (seq + 1) * 0x9E3779B97F4A7C15ull ^
	       (producer + 1ull) * 0xC2B2AE3D27D4EB4Full;
}

static uint64_t rotl7(uint64_t x)
{
	return x << 7 | x >> 57;
}

/* Fill the body from @seed; returns its checksum. */
static uint64_t body_fill(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t w = seed, sum = 0;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		w += 0xD6E8FEB86659FD93ull;
		memcpy(p + i, &w, 8);
		sum = rotl7(sum) ^ w;
	}
	if (i < len) {
		uint64_t tail = 0;

		w += 0xD6E8FEB86659FD93ull;
		memcpy(p + i, &w, len - i);
		memcpy(&tail, p + i, len - i);
		sum = rotl7(sum) ^ tail;
	}
	return sum;
}

/* The checksum of a received body, reading every byte. */
static uint64_t body_sum(const unsigned char *p, size_t len)
{
	uint64_t w, sum = 0;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		sum = rotl7(sum) ^ w;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		sum = rotl7(sum) ^ w;
	}
	return sum;
}

void payload_fill(void *buf, size_t size, uint32_t producer, uint64_t seq)
{
	unsigned char *p = buf;
	uint32_t seq32 = (uint32_t)seq;
	uint64_t sum;

	if (size < HDR_SHORT) {
		body_fill(p, size, seed_of(producer, seq));
		return;
	}
	memcpy(p, &seq32, 4);
	memcpy(p + 4, &producer, 4);
	if (size < HDR_FULL) {
		body_fill(p + HDR_SHORT, size - HDR_SHORT, seed_of(producer, seq));
		return;
	}
	sum = body_fill(p + HDR_FULL, size - HDR_FULL, seed_of(producer, seq));
	memcpy(p + 8, &sum, 8);
}

int check_init(struct bench_check *ck, uint32_t producers, uint64_t total)
{
	memset(ck, 0, sizeof(*ck));
	ck->producers = producers;
	ck->next_seq = calloc(producers, sizeof(*ck->next_seq));
	ck->seen = calloc(total ? total : 1, 1);
	return ck->next_seq && ck->seen ? 0 : -1;
}

void check_free(struct bench_check *ck)
{
	free(ck->next_seq);
	free(ck->seen);
}

/* Compare short bytes with what (producer, seq) must have written. */
static int pattern_equal(const unsigned char *p, size_t len, uint32_t producer,
			 uint64_t seq)
{
	unsigned char want[HDR_FULL];

	body_fill(want, len, seed_of(producer, seq));
	return !memcmp(p, want, len);
}

int payload_check(struct bench_check *ck, const void *buf, size_t len,
		  size_t size, bool any_order, uint64_t total, char *why,
		  size_t whylen)
{
	const unsigned char *p = buf;
	uint32_t seq32, producer = 0;
	uint64_t seq, sum;

	if (len != size) {
		snprintf(why, whylen, "message %llu is %zu bytes, sent %zu",
			 (unsigned long long)ck->nr_seen, len, size);
		return -1;
	}
	if (size < HDR_SHORT) {
		/* No room for a header: one producer, in order, by count. */
		seq = ck->next_seq[0]++;
		ck->nr_seen++;
		if (!pattern_equal(p, size, 0, seq)) {
			snprintf(why, whylen, "message %llu: wrong bytes",
				 (unsigned long long)seq);
			return -1;
		}
		return 0;
	}
	memcpy(&seq32, p, 4);
	memcpy(&producer, p + 4, 4);
	if (producer >= ck->producers) {
		snprintf(why, whylen, "message from unknown producer %u", producer);
		return -1;
	}
	seq = any_order ? seq32 : (ck->next_seq[producer] & ~0xffffffffull) | seq32;
	if (size < HDR_FULL) {
		if (!pattern_equal(p + HDR_SHORT, size - HDR_SHORT, producer, seq))
			goto corrupt;
	} else {
		memcpy(&sum, p + 8, 8);
		if (body_sum(p + HDR_FULL, size - HDR_FULL) != sum)
			goto corrupt;
	}
	ck->nr_seen++;
	if (any_order) {
		if (seq >= total || ck->seen[seq]) {
			snprintf(why, whylen, "message %llu duplicated or unknown",
				 (unsigned long long)seq);
			return -1;
		}
		ck->seen[seq] = 1;
		return 0;
	}
	if (seq != ck->next_seq[producer]) {
		snprintf(why, whylen, "producer %u: got message %llu, expected %llu",
			 producer, (unsigned long long)seq,
			 (unsigned long long)ck->next_seq[producer]);
		return -1;
	}
	ck->next_seq[producer]++;
	return 0;
corrupt:
	snprintf(why, whylen, "producer %u message %llu: checksum mismatch",
		 producer, (unsigned long long)seq);
	return -1;
}
