// SPDX-License-Identifier: GPL-2.0
/*
 * kipc bench, as a smoke test: --quick runs every mechanism and writes
 * JSON that a strict parser accepts, with a result for every mechanism
 * (kipc's too when the module is loaded, else a reason), sane numbers
 * (percentiles in order, one-way = RTT/2, sizes within the limits, rates
 * and CPU above zero), the table on stdout, the exit codes and the
 * refusals (several senders on a byte stream; bad options).
 *
 * Runs the tool at KIPC_BIN (see tool.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "kipc.h"
#include "kselftest_harness.h"
#include "tool.h"

#define JSON_PATH	"/tmp/kipc-bench-test.json"
#define CSV_PATH	"/tmp/kipc-bench-test.csv"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (len = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET)) {
		buf = calloc(1, len + 1);
		if (buf && fread(buf, 1, len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* A number member; NAN if it is missing, null or not a number. */
static double json_num(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);

	return m && m->type == JSON_NUMBER ? strtod(m->text, NULL) : NAN;
}

static bool json_is_null(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);

	return m && m->type == JSON_NULL;
}

static bool module_loaded(void)
{
	return access(KIPC_DEVICE_PATH, F_OK) == 0;
}

/* Parse the bench's JSON file into @root, failing the test if it is bad. */
#define LOAD_JSON(root) do {						\
	char *text_ = slurp(JSON_PATH);					\
	const char *why_ = NULL;					\
	ASSERT_NE(NULL, text_);						\
	ASSERT_EQ(0, json_parse(text_, root, &why_))			\
		TH_LOG("bad JSON: %s", why_);				\
	free(text_);							\
} while (0)

static const struct json *find_result(const struct json *results,
				      const char *pattern, const char *mech)
{
	size_t i;

	for (i = 0; i < results->n; i++) {
		const char *p = json_str(&results->items[i], "pattern");
		const char *m = json_str(&results->items[i], "mech");

		if (p && m && !strcmp(p, pattern) && !strcmp(m, mech))
			return &results->items[i];
	}
	return NULL;
}

static const char *skip_reason(const struct json *skipped, const char *mech)
{
	size_t i;

	for (i = 0; i < skipped->n; i++) {
		const char *m = json_str(&skipped->items[i], "mech");

		if (m && !strcmp(m, mech))
			return json_str(&skipped->items[i], "reason");
	}
	return NULL;
}

/* Under QEMU TCG a quick run takes a while: more than the default 30 s. */
FIXTURE(bench) {
	int unused;
};

FIXTURE_SETUP(bench)
{
	unlink(JSON_PATH);
}

FIXTURE_TEARDOWN(bench)
{
	unlink(JSON_PATH);
	unlink(CSV_PATH);
}

TEST_F_TIMEOUT(bench, quick_run_covers_every_mechanism, 600)
{
	const struct kipc_chan_info *mech;
	const struct json *machine, *results, *skipped, *r;
	struct json root;
	struct run run;
	size_t i;

	ASSERT_EQ(0, RUN(&run, "bench", "--quick", "--json", JSON_PATH,
			 "--csv", CSV_PATH))
		TH_LOG("stderr: %s", run.err);
	EXPECT_NE(NULL, strstr(run.out, "pingpong, 64 B"));
	EXPECT_NE(NULL, strstr(run.out, "machine: "));
	LOAD_JSON(&root);

	EXPECT_EQ(1, json_uint(&root, "kipc_bench"));
	machine = json_get(&root, "machine");
	ASSERT_NE(NULL, machine);
	EXPECT_NE(NULL, json_str(machine, "cpu"));
	EXPECT_NE(NULL, json_str(machine, "kernel"));
	EXPECT_NE(NULL, json_str(machine, "virt"));
	EXPECT_LT(0, json_uint(machine, "cores"));
	results = json_get(&root, "results");
	skipped = json_get(&root, "skipped");
	ASSERT_NE(NULL, results);
	ASSERT_NE(NULL, skipped);
	ASSERT_EQ(JSON_ARRAY, results->type);

	/* Every mechanism ran both patterns, or says why it did not. */
	for (i = 0; (mech = kipc_chan_mech_at(i)); i++) {
		bool absent = mech->flags & KIPC_CHAN_KIPC && !module_loaded();

		r = find_result(results, "pingpong", mech->name);
		if (absent) {
			EXPECT_EQ(NULL, r);
			EXPECT_NE(NULL, skip_reason(skipped, mech->name))
				TH_LOG("%s: no reason given", mech->name);
			continue;
		}
		EXPECT_NE(NULL, r) TH_LOG("%s: no pingpong result", mech->name);
		EXPECT_NE(NULL, find_result(results, "stream", mech->name))
			TH_LOG("%s: no stream result", mech->name);
		if (mech->flags & KIPC_CHAN_PRIO)
			EXPECT_NE(NULL, find_result(results, "prio", mech->name))
				TH_LOG("%s: no prio result", mech->name);
	}

	for (i = 0; i < results->n; i++) {
		const char *pattern, *name;
		double p50, p90, p99, max;

		r = &results->items[i];
		pattern = json_str(r, "pattern");
		name = json_str(r, "mech");
		ASSERT_NE(NULL, pattern);
		ASSERT_NE(NULL, name);
		EXPECT_TRUE(json_is_null(r, "error"))
			TH_LOG("%s %s: %s", pattern, name, json_str(r, "error"));
		EXPECT_LE(json_uint(r, "size_used"), json_uint(r, "size"));
		EXPECT_LE(json_uint(r, "size_used"), kipc_chan_limit(name));
		EXPECT_LT(0, json_uint(r, "iters"));
		EXPECT_LT(0, json_uint(r, "warmup"));
		EXPECT_GT(json_num(r, "msgs_per_s"), 0) TH_LOG("%s", name);
		EXPECT_GT(json_num(r, "cpu_ns_per_msg"), 0) TH_LOG("%s", name);
		EXPECT_GE(json_num(r, "mb_per_s"), 0);
		if (strcmp(pattern, "pingpong")) {
			EXPECT_TRUE(json_is_null(r, "p50_ns"));
			continue;
		}
		p50 = json_num(r, "p50_ns");
		p90 = json_num(r, "p90_ns");
		p99 = json_num(r, "p99_ns");
		max = json_num(r, "max_ns");
		EXPECT_GT(p50, 0) TH_LOG("%s", name);
		EXPECT_LE(p50, p90);
		EXPECT_LE(p90, p99);
		EXPECT_LE(p99, max);
		EXPECT_GE(0.05, fabs(p50 / 2 - json_num(r, "oneway_p50_ns")));
	}
	json_free(&root);
	EXPECT_EQ(0, access(CSV_PATH, R_OK));
}

TEST_F_TIMEOUT(bench, many_producers_on_queues_and_refused_on_streams, 300)
{
	const struct json *results, *skipped, *r;
	struct json root;
	struct run run;
	const char *why;

	ASSERT_EQ(0, RUN(&run, "bench", "--pattern", "stream", "--producers",
			 "3", "--mech", "posix-mq,unix-stream,shm", "--sizes",
			 "64", "--iters", "50", "--rounds", "2", "--json",
			 JSON_PATH))
		TH_LOG("stderr: %s", run.err);
	LOAD_JSON(&root);
	results = json_get(&root, "results");
	skipped = json_get(&root, "skipped");
	ASSERT_NE(NULL, results);
	ASSERT_NE(NULL, skipped);

	/* 50 messages a round split over 3 producers: 17 each, twice. */
	r = find_result(results, "stream", "posix-mq");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(3, json_uint(r, "producers"));
	EXPECT_EQ(2, json_uint(r, "rounds"));
	EXPECT_EQ(102, json_uint(r, "iters"));
	r = find_result(results, "stream", "shm");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(102, json_uint(r, "iters"));

	EXPECT_EQ(NULL, find_result(results, "stream", "unix-stream"));
	why = skip_reason(skipped, "unix-stream");
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "interleave")) TH_LOG("reason: %s", why);
	EXPECT_NE(NULL, strstr(run.out, "unix-stream"));
	json_free(&root);
}

TEST(bad_options_are_usage_errors)
{
	struct run run;

	EXPECT_EQ(2, RUN(&run, "bench", "--mech", "carrier-pigeon"));
	EXPECT_NE(NULL, strstr(run.err, "carrier-pigeon"));
	EXPECT_EQ(2, RUN(&run, "bench", "--sizes", "12Q"));
	EXPECT_NE(NULL, strstr(run.err, "12Q"));
	EXPECT_EQ(2, RUN(&run, "bench", "--pattern", "relay"));
	EXPECT_EQ(2, RUN(&run, "bench", "--producers", "0"));
	EXPECT_EQ(2, RUN(&run, "bench", "extra"));
	EXPECT_EQ(0, RUN(&run, "bench", "--help"));
	EXPECT_NE(NULL, strstr(run.out, "--producers"));
}

TEST(list_names_every_mechanism_with_its_limit)
{
	const struct kipc_chan_info *mech;
	struct run run;
	size_t i;

	ASSERT_EQ(0, RUN(&run, "bench", "--list"));
	for (i = 0; (mech = kipc_chan_mech_at(i)); i++)
		EXPECT_NE(NULL, strstr(run.out, mech->name)) TH_LOG("%s", mech->name);
	EXPECT_NE(NULL, strstr(run.out, "8 B"));	/* signal's limit */
}

TEST_HARNESS_MAIN
