/* test_libtest.c — Criterion tests of the libtest-json / -plus parser
 * (preload/engine/parse/libtest.c): every line the writer produces (0.9.66 → 0.9.143),
 * unescaped hostile names, exact exec_time, multi-line "stdout" objects,
 * split and merged writes through lines.h, huge lines and garbage.
 * Expected lines are built the way nextest's libtest.rs writes them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/spans.h"
#include "libtest/libtest.h"
#include "lines.h"
#include "linetests.h"

static void sig(const struct nx_libtest_event *e, char *buf, size_t cap)
{
	size_t o = 0;
	static const char *kinds[] = { "NONE", "SUITE_STARTED", "SUITE_DONE", "TEST_STARTED",
				       "TEST_DONE", "TEST_IGNORED", "CONTINUATION" };
	buf[0] = 0;
	APP("%s", kinds[e->kind]);
	switch (e->kind) {
	case NX_LIBTEST_TEST_STARTED:
	case NX_LIBTEST_TEST_IGNORED:
	case NX_LIBTEST_TEST_DONE:
		if (e->kind == NX_LIBTEST_TEST_DONE)
			APP(" %s", e->failed ? "failed" : "ok");
		APP(" crate=<%.*s> bin=<%.*s> test=<%.*s>", SP(e->crate), SP(e->binary), SP(e->test));
		if (e->has_stress)
			APP(" stress=%llu", (unsigned long long)e->stress);
		if (e->attempts)
			APP(" attempts=%u", e->attempts);
		if (e->exec_time.n)
			APP(" time=%.*s ns=%llu", SP(e->exec_time), (unsigned long long)e->exec_nanos);
		if (e->has_reason)
			APP(" reason=<%.*s>", SP(e->reason));
		if (e->has_stdout)
			APP(" stdout%s", e->stdout_open ? "(open)" : "");
		break;
	case NX_LIBTEST_SUITE_STARTED:
		APP(" count=%llu", (unsigned long long)e->test_count);
		break;
	case NX_LIBTEST_SUITE_DONE:
		APP(" %s p%llu f%llu i%llu m%llu fo%llu time=%.*s ns=%llu", e->failed ? "failed" : "ok",
		    (unsigned long long)e->passed, (unsigned long long)e->failed_count,
		    (unsigned long long)e->ignored, (unsigned long long)e->measured,
		    (unsigned long long)e->filtered_out, SP(e->exec_time),
		    (unsigned long long)e->exec_nanos);
		break;
	default:
		break;
	}
	if (e->has_nextest) {
		APP(" nextest=<%.*s|%.*s|%.*s>", SP(e->nx_crate), SP(e->nx_binary), SP(e->nx_kind));
		if (e->has_stress_index)
			APP(" si=%llu", (unsigned long long)e->stress_index);
		if (e->has_stress_total)
			APP(" st=%llu", (unsigned long long)e->stress_total);
	}
}

static const char *P(const char *line)
{
	static char out[2048];
	struct nx_libtest_event e;
	nx_libtest_parse(line, strlen(line), &e);
	sig(&e, out, sizeof(out));
	return out;
}

#define CHECK(line, expected) cr_assert_str_eq(P(line), expected, "line: [%s]", line)

static char L[4096];

/* The writer's name: "<crate>::<binary>[@stress-i]$<test>" */
static const char *test_line(const char *event, const char *name, const char *tail)
{
	snprintf(L, sizeof(L), "{\"type\":\"test\",\"event\":\"%s\",\"name\":\"%s\"%s}", event, name, tail);
	return L;
}

/* ---- suite lines ------------------------------------------------------- */

Test(suite, started_and_done_plain)
{
	CHECK("{\"type\":\"suite\",\"event\":\"started\",\"test_count\":2}", "SUITE_STARTED count=2");
	CHECK("{\"type\":\"suite\",\"event\":\"ok\",\"passed\":2,\"failed\":0,\"ignored\":0,\"measured\":0,"
	      "\"filtered_out\":19,\"exec_time\":0.012151415}",
	      "SUITE_DONE ok p2 f0 i0 m0 fo19 time=0.012151415 ns=12151415");
	CHECK("{\"type\":\"suite\",\"event\":\"failed\",\"passed\":1,\"failed\":3,\"ignored\":4,\"measured\":0,"
	      "\"filtered_out\":0,\"exec_time\":1.5}",
	      "SUITE_DONE failed p1 f3 i4 m0 fo0 time=1.5 ns=1500000000");
}

Test(suite, plus_object)
{
	CHECK("{\"type\":\"suite\",\"event\":\"started\",\"test_count\":2,\"nextest\":{\"crate\":\"nextest-filtering\","
	      "\"test_binary\":\"match\",\"kind\":\"test\",\"stress_index\":0,\"stress_total\":2}}",
	      "SUITE_STARTED count=2 nextest=<nextest-filtering|match|test> si=0 st=2");
	CHECK("{\"type\":\"suite\",\"event\":\"started\",\"test_count\":5,\"nextest\":{\"crate\":\"c\","
	      "\"test_binary\":\"c\",\"kind\":\"lib\"}}",
	      "SUITE_STARTED count=5 nextest=<c|c|lib>");
	CHECK("{\"type\":\"suite\",\"event\":\"ok\",\"passed\":2,\"failed\":0,\"ignored\":0,\"measured\":0,"
	      "\"filtered_out\":0,\"exec_time\":0.25,\"nextest\":{\"crate\":\"c\",\"test_binary\":\"b\","
	      "\"kind\":\"bin\",\"stress_index\":7}}",
	      "SUITE_DONE ok p2 f0 i0 m0 fo0 time=0.25 ns=250000000 nextest=<c|b|bin> si=7");
}

Test(suite, malformed)
{
	const char *no[] = {
		"{\"type\":\"suite\",\"event\":\"started\",\"test_count\":}",
		"{\"type\":\"suite\",\"event\":\"started\",\"test_count\":2",
		"{\"type\":\"suite\",\"event\":\"started\",\"test_count\":2}x",
		"{\"type\":\"suite\",\"event\":\"started\",\"test_count\":2,\"nextest\":{\"crate\":\"c\"}}",
		"{\"type\":\"suite\",\"event\":\"ok\",\"passed\":2,\"failed\":0,\"ignored\":0,\"measured\":0,\"filtered_out\":0}",
		"{\"type\":\"suite\",\"event\":\"ok\",\"passed\":2,\"failed\":0,\"ignored\":0,\"measured\":0,\"filtered_out\":0,\"exec_time\":1e-7}",
		"{\"type\":\"suite\",\"event\":\"bench\",\"passed\":2}",
		"{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 2 }",
		"{\"reason\":\"compiler-artifact\",\"package_id\":\"x\"}",
		"{\"type\":\"suite\",\"event\":\"started\",\"test_count\":99999999999999999999999}",
		"", "{", "}", "running 1 test", "test tests::a ... ok",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(no[i], "NONE");
}

/* ---- test lines ------------------------------------------------------------ */

Test(tests, started_ignored_done)
{
	CHECK(test_line("started", "nextest-filtering::match@stress-0$test_expr_package_regex", ""),
	      "TEST_STARTED crate=<nextest-filtering> bin=<match> test=<test_expr_package_regex> stress=0");
	CHECK(test_line("started", "my-crate::my_crate$tests::a", ""),
	      "TEST_STARTED crate=<my-crate> bin=<my_crate> test=<tests::a>");
	CHECK(test_line("ignored", "my-crate::my_crate$tests::ign", ""),
	      "TEST_IGNORED crate=<my-crate> bin=<my_crate> test=<tests::ign>");
	CHECK(test_line("ok", "nextest-filtering::match@stress-12$test_expr_deps", ",\"exec_time\":0.005941609"),
	      "TEST_DONE ok crate=<nextest-filtering> bin=<match> test=<test_expr_deps> stress=12 attempts=1 "
	      "time=0.005941609 ns=5941609");
	CHECK(test_line("failed", "c::b$t#3", ",\"exec_time\":0.1,\"stdout\":\"[src/index.rs:185] \\\"boop\\\" = \\\"boop\\\"\\nthis is stdout\\n\""),
	      "TEST_DONE failed crate=<c> bin=<b> test=<t> attempts=3 time=0.1 ns=100000000 stdout");
	CHECK(test_line("failed", "c::b$t", ",\"exec_time\":30.000512,\"reason\":\"time limit exceeded\""),
	      "TEST_DONE failed crate=<c> bin=<b> test=<t> attempts=1 time=30.000512 ns=30000512000 reason=<time limit exceeded>");
	CHECK(test_line("failed", "c::b$t#2", ",\"exec_time\":0.5,\"reason\":\"flaky test treated as failure\""),
	      "TEST_DONE failed crate=<c> bin=<b> test=<t> attempts=2 time=0.5 ns=500000000 reason=<flaky test treated as failure>");
	CHECK(test_line("failed", "c::b$t", ",\"exec_time\":0"),
	      "TEST_DONE failed crate=<c> bin=<b> test=<t> attempts=1 time=0 ns=0");
	CHECK(test_line("ok", "c::b$t", ",\"exec_time\":1"),
	      "TEST_DONE ok crate=<c> bin=<b> test=<t> attempts=1 time=1 ns=1000000000");
	CHECK(test_line("ok", "c::b$t", ",\"exec_time\":0.30000000000000004"),
	      "TEST_DONE ok crate=<c> bin=<b> test=<t> attempts=1 time=0.30000000000000004 ns=300000000");
	CHECK(test_line("ok", "c::b$t", ",\"exec_time\":2.0000000015"),
	      "TEST_DONE ok crate=<c> bin=<b> test=<t> attempts=1 time=2.0000000015 ns=2000000002");
}

Test(tests, hostile_names)
{
	/* quotes, backslashes, '$', '#', '@stress-', '::' and the delimiters themselves */
	CHECK(test_line("started", "c::b$a\"b\\c$d#2@stress-1::e", ""),
	      "TEST_STARTED crate=<c> bin=<b> test=<a\"b\\c$d#2@stress-1::e>");
	CHECK(test_line("started", "c::b$x\"}", ""), "TEST_STARTED crate=<c> bin=<b> test=<x\"}>");
	CHECK(test_line("ok", "c::b$x\",\"exec_time\":9}", ",\"exec_time\":0.5"),
	      "TEST_DONE ok crate=<c> bin=<b> test=<x\",\"exec_time\":9}> attempts=1 time=0.5 ns=500000000");
	CHECK(test_line("failed", "c::b$x\",\"exec_time\":9,\"stdout\":\"", ",\"exec_time\":0.5,\"stdout\":\"a\\\"b\""),
	      "TEST_DONE failed crate=<c> bin=<b> test=<x\",\"exec_time\":9,\"stdout\":\"> attempts=1 time=0.5 ns=500000000 stdout");
	/* '#1' and '#07' are not attempt counts; started lines never carry one */
	CHECK(test_line("ok", "c::b$t#1", ",\"exec_time\":0.5"),
	      "TEST_DONE ok crate=<c> bin=<b> test=<t#1> attempts=1 time=0.5 ns=500000000");
	CHECK(test_line("ok", "c::b$t#07", ",\"exec_time\":0.5"),
	      "TEST_DONE ok crate=<c> bin=<b> test=<t#07> attempts=1 time=0.5 ns=500000000");
	CHECK(test_line("started", "c::b$t#3", ""), "TEST_STARTED crate=<c> bin=<b> test=<t#3>");
	CHECK(test_line("ok", "c::b@stress-x$t", ",\"exec_time\":0.5"),
	      "TEST_DONE ok crate=<c> bin=<b@stress-x> test=<t> attempts=1 time=0.5 ns=500000000");
	/* names nextest never writes */
	CHECK(test_line("started", "c$b::t", ""), "NONE");
	CHECK(test_line("started", "::b$t", ""), "NONE");
	CHECK(test_line("started", "c::$t", ""), "NONE");
	CHECK(test_line("started", "c::b$", ""), "NONE");
	CHECK(test_line("started", "c::b", ""), "NONE");
	CHECK(test_line("ok", "c::b$#2", ",\"exec_time\":1"),
	      "TEST_DONE ok crate=<c> bin=<b> test=<#2> attempts=1 time=1 ns=1000000000");
}

Test(tests, malformed)
{
	const char *no[] = {
		"{\"type\":\"test\",\"event\":\"ok\",\"name\":\"c::b$t\"}",
		"{\"type\":\"test\",\"event\":\"ok\",\"name\":\"c::b$t\",\"exec_time\":}",
		"{\"type\":\"test\",\"event\":\"ok\",\"name\":\"c::b$t\",\"exec_time\":abc}",
		"{\"type\":\"test\",\"event\":\"ok\",\"name\":\"c::b$t\",\"exec_time\":0.1",
		"{\"type\":\"test\",\"event\":\"ok\",\"name\":\"c::b$t\",\"exec_time\":0.1,\"reason\":\"x",
		"{\"type\":\"test\",\"event\":\"ok\",\"name\":\"c::b$t\",\"exec_time\":0.1,\"stdout\":\"x\"} ",
		"{\"type\":\"test\",\"event\":\"started\",\"name\":\"c::b$t\"",
		"{\"type\":\"test\",\"event\":\"started\",\"name\":\"c::b$t\"} ",
		"{\"type\":\"test\",\"event\":\"timeout\",\"name\":\"c::b$t\"}",
		"{\"type\":\"test\",\"name\":\"c::b$t\",\"event\":\"started\"}",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(no[i], "NONE");
}

/* ---- multi-line objects ------------------------------------------------------ */

static const char *stream_sig(struct nx_libtest_stream *s, const char *line)
{
	static char out[2048];
	struct nx_libtest_event e;
	nx_libtest_stream_line(s, line, strlen(line), &e);
	sig(&e, out, sizeof(out));
	return out;
}

Test(multiline, no_capture_failure_spans_two_lines)
{
	struct nx_libtest_stream s = { 0, 0 };
	const char *l1 = "{\"type\":\"test\",\"event\":\"failed\",\"name\":\"c::b$t\",\"exec_time\":0.01,"
			 "\"stdout\":\"(stdout not captured)\\n(stderr not captured)";
	cr_assert_str_eq(stream_sig(&s, l1),
			 "TEST_DONE failed crate=<c> bin=<b> test=<t> attempts=1 time=0.01 ns=10000000 stdout(open)");
	cr_assert_eq(s.open, 1);
	cr_assert_str_eq(stream_sig(&s, "\"}"), "CONTINUATION");
	cr_assert_eq(s.open, 0);
	cr_assert_str_eq(stream_sig(&s, "{\"type\":\"suite\",\"event\":\"started\",\"test_count\":1}"),
			 "SUITE_STARTED count=1");
	/* the stateless parser reports the same first line and rejects the tail */
	cr_assert_str_eq(P(l1), "TEST_DONE failed crate=<c> bin=<b> test=<t> attempts=1 time=0.01 ns=10000000 stdout(open)");
	cr_assert_str_eq(P("\"}"), "NONE");
}

Test(multiline, lost_continuation_does_not_eat_events)
{
	struct nx_libtest_stream s = { 0, 0 };
	cr_assert_str_eq(stream_sig(&s, "{\"type\":\"test\",\"event\":\"failed\",\"name\":\"c::b$t\",\"exec_time\":1,\"stdout\":\"x"),
			 "TEST_DONE failed crate=<c> bin=<b> test=<t> attempts=1 time=1 ns=1000000000 stdout(open)");
	cr_assert_str_eq(stream_sig(&s, "still \\\" inside"), "CONTINUATION");
	cr_assert_eq(s.open, 1);
	cr_assert_str_eq(stream_sig(&s, "{\"type\":\"test\",\"event\":\"started\",\"name\":\"c::b$u\"}"),
			 "TEST_STARTED crate=<c> bin=<b> test=<u>");
	cr_assert_eq(s.open, 0);
}

Test(multiline, bounded_continuation)
{
	struct nx_libtest_stream s = { 0, 0 };
	stream_sig(&s, "{\"type\":\"test\",\"event\":\"failed\",\"name\":\"c::b$t\",\"exec_time\":1,\"stdout\":\"x");
	for (int i = 0; i < NX_LIBTEST_MAX_CONTINUATION; i++)
		cr_assert_str_eq(stream_sig(&s, "no quote here"), "CONTINUATION");
	cr_assert_eq(s.open, 0);
	cr_assert_str_eq(stream_sig(&s, "no quote here"), "NONE");
}

/* ---- streams through lines.h ----------------------------------------------------- */

static const char *stream_text =
	"{\"type\":\"suite\",\"event\":\"started\",\"test_count\":3,\"nextest\":{\"crate\":\"c\",\"test_binary\":\"b\",\"kind\":\"test\"}}\n"
	"{\"type\":\"test\",\"event\":\"started\",\"name\":\"c::b$t1\"}\n"
	"{\"type\":\"test\",\"event\":\"ok\",\"name\":\"c::b$t1\",\"exec_time\":0.004}\n"
	"{\"type\":\"test\",\"event\":\"started\",\"name\":\"c::b$we\\\"ird\"}\n"
	"{\"type\":\"test\",\"event\":\"ignored\",\"name\":\"c::b$ign\"}\n"
	"{\"type\":\"test\",\"event\":\"failed\",\"name\":\"c::b$we\\\"ird#2\",\"exec_time\":0.5,\"stdout\":\"(stdout not captured)\\n(stderr not captured)\n\"}\n"
	"{\"type\":\"suite\",\"event\":\"failed\",\"passed\":1,\"failed\":1,\"ignored\":1,\"measured\":0,\"filtered_out\":0,\"exec_time\":0.504,\"nextest\":{\"crate\":\"c\",\"test_binary\":\"b\",\"kind\":\"test\"}}\n";

struct collect {
	char sigs[32][512];
	int n;
	struct nx_libtest_stream st;
};

static void on_line(void *ctx, const char *line, size_t len, int truncated)
{
	struct collect *c = ctx;
	struct nx_libtest_event e;
	if (c->n >= 32)
		return;
	if (truncated) {
		snprintf(c->sigs[c->n++], 512, "TRUNCATED");
		return;
	}
	nx_libtest_stream_line(&c->st, line, len, &e);
	sig(&e, c->sigs[c->n++], 512);
}

Test(stream, whole_bytewise_chunked_agree)
{
	size_t n = strlen(stream_text);
	struct collect whole, bytes, chunks;

	memset(&whole, 0, sizeof(whole));
	feed(stream_text, n, 0, on_line, &whole);
	cr_assert_eq(whole.n, 8);
	cr_assert_str_eq(whole.sigs[3], "TEST_STARTED crate=<c> bin=<b> test=<we\\\"ird>");
	cr_assert_str_eq(whole.sigs[5], "TEST_DONE failed crate=<c> bin=<b> test=<we\\\"ird> attempts=2 time=0.5 ns=500000000 stdout(open)");
	cr_assert_str_eq(whole.sigs[6], "CONTINUATION");
	cr_assert_str_eq(whole.sigs[7], "SUITE_DONE failed p1 f1 i1 m0 fo0 time=0.504 ns=504000000 nextest=<c|b|test>");

	memset(&bytes, 0, sizeof(bytes));
	feed(stream_text, n, 1, on_line, &bytes);
	same_sigs(bytes.sigs, bytes.n, whole.sigs, whole.n, "bytewise");

	rng_state = 7;
	for (int round = 0; round < 50; round++) {
		char what[32];
		memset(&chunks, 0, sizeof(chunks));
		feed(stream_text, n, 150, on_line, &chunks);
		snprintf(what, sizeof(what), "round %d", round);
		same_sigs(chunks.sigs, chunks.n, whole.sigs, whole.n, what);
	}
}

Test(stream, huge_line_is_dropped)
{
	size_t big = 200000;
	char *buf = malloc(big + 512);
	struct collect c;
	struct nx_lines l;
	size_t o;

	cr_assert_not_null(buf);
	memset(&c, 0, sizeof(c));
	o = (size_t)sprintf(buf, "{\"type\":\"test\",\"event\":\"failed\",\"name\":\"c::b$t\",\"exec_time\":1,\"stdout\":\"");
	memset(buf + o, 'y', big);
	o += big;
	o += (size_t)sprintf(buf + o, "\"}\n{\"type\":\"test\",\"event\":\"started\",\"name\":\"c::b$u\"}\n");
	nx_lines_init(&l, 8192);
	nx_lines_feed(&l, buf, o, on_line, &c);
	nx_lines_finish(&l, on_line, &c);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.sigs[0], "TRUNCATED");
	cr_assert_str_eq(c.sigs[1], "TEST_STARTED crate=<c> bin=<b> test=<u>");
	/* The parser itself copes with the whole line too. */
	{
		struct nx_libtest_event e;
		const char *nl = memchr(buf, '\n', o);
		cr_assert_eq(nx_libtest_parse(buf, (size_t)(nl - buf), &e), NX_LIBTEST_TEST_DONE);
		cr_assert_eq(e.stdout_open, 0);
	}
	free(buf);
}

static void on_line_keep_truncated(void *ctx, const char *line, size_t len, int truncated)
{
	struct collect *c = ctx;
	struct nx_libtest_event e;
	if (c->n >= 32)
		return;
	if (truncated)
		nx_libtest_stream_truncated(&c->st, line, len, &e);
	else
		nx_libtest_stream_line(&c->st, line, len, &e);
	sig(&e, c->sigs[c->n++], 512);
}

Test(stream, truncated_failure_keeps_its_event)
{
	size_t big = 100000;
	char *buf = malloc(big + 20000);
	struct collect c;
	struct nx_lines l;
	size_t o, p0, fill;

	cr_assert_not_null(buf);
	memset(&c, 0, sizeof(c));
	o = (size_t)sprintf(buf, "{\"type\":\"test\",\"event\":\"failed\",\"name\":\"c::b$t#2\",\"exec_time\":1.25,\"stdout\":\"");
	for (size_t k = 0; k < big; k++)
		buf[o++] = (k % 3) ? 'y' : '\\';	/* escapes all the way */
	o += (size_t)sprintf(buf + o, "\"}\n");
	/* A started line whose very long hostile name is cut right after a '"}'. */
	p0 = o;
	o += (size_t)sprintf(buf + o, "{\"type\":\"test\",\"event\":\"started\",\"name\":\"c::b$");
	fill = 8192 - 2 - (o - p0);	/* the cut (8192 bytes) falls right after the '"}' */
	memset(buf + o, 'n', fill);
	o += fill;
	o += (size_t)sprintf(buf + o, "\"}ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ\"}\n");
	o += (size_t)sprintf(buf + o, "{\"type\":\"test\",\"event\":\"started\",\"name\":\"c::b$u\"}\n");
	nx_lines_init(&l, 8192);
	nx_lines_feed(&l, buf, o, on_line_keep_truncated, &c);
	nx_lines_finish(&l, on_line_keep_truncated, &c);
	cr_assert_eq(c.n, 3);
	cr_assert_str_eq(c.sigs[0], "TEST_DONE failed crate=<c> bin=<b> test=<t> attempts=2 time=1.25 ns=1250000000 stdout(open)");
	cr_assert_str_eq(c.sigs[1], "NONE");
	cr_assert_str_eq(c.sigs[2], "TEST_STARTED crate=<c> bin=<b> test=<u>");
	cr_assert_eq(c.st.open, 0);
	free(buf);
}

/* ---- garbage ---------------------------------------------------------------------- */

Test(garbage, random_bytes_never_parse)
{
	char line[600];
	struct nx_libtest_event e;

	rng_state = 0xdeadbeefcafef00dull;
	for (int i = 0; i < 200000; i++) {
		size_t n = rnd() % sizeof(line);
		for (size_t k = 0; k < n; k++)
			line[k] = (char)(rnd() & 0xff);
		cr_assert_eq(nx_libtest_parse(line, n, &e), NX_LIBTEST_NONE, "iteration %d", i);
	}
}

Test(garbage, every_proper_prefix_of_a_closed_line_is_none)
{
	const char *lines[] = {
		"{\"type\":\"suite\",\"event\":\"started\",\"test_count\":2,\"nextest\":{\"crate\":\"c\",\"test_binary\":\"b\",\"kind\":\"test\",\"stress_index\":0,\"stress_total\":2}}",
		"{\"type\":\"suite\",\"event\":\"ok\",\"passed\":2,\"failed\":0,\"ignored\":0,\"measured\":0,\"filtered_out\":19,\"exec_time\":0.012151415}",
		"{\"type\":\"test\",\"event\":\"ok\",\"name\":\"c::b@stress-0$t#2\",\"exec_time\":0.005941609}",
		"{\"type\":\"test\",\"event\":\"failed\",\"name\":\"c::b$t\",\"exec_time\":1,\"reason\":\"time limit exceeded\"}",
	};
	struct nx_libtest_event e;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t n = strlen(lines[i]);
		cr_assert_neq(nx_libtest_parse(lines[i], n, &e), NX_LIBTEST_NONE, "full line %zu", i);
		for (size_t k = 0; k < n; k++)
			cr_assert_eq(nx_libtest_parse(lines[i], k, &e), NX_LIBTEST_NONE, "line %zu prefix %zu", i, k);
	}
}

Test(garbage, mutations_and_token_soup_keep_invariants)
{
	static const char *tok[] = {
		"{\"type\":\"test\",\"event\":\"", "{\"type\":\"suite\",\"event\":\"", "started", "ok", "failed",
		"ignored", "\",\"name\":\"", "::", "$", "#", "2", "@stress-", "\",\"exec_time\":", "0.5", "}",
		"\"}", ",\"stdout\":\"", ",\"reason\":\"", "\\", "\"", "\n", "c", ",\"test_count\":",
		",\"nextest\":{\"crate\":\"", "\",\"test_binary\":\"", "\",\"kind\":\"",
	};
	char buf[800];
	int got = 0;

	static const char *events[] = { "started", "ignored", "ok", "failed" };
	static const char *tails[] = {
		"", ",\"exec_time\":0.5", ",\"exec_time\":1,\"stdout\":\"x\\\"y\"",
		",\"exec_time\":2,\"reason\":\"time limit exceeded\"", ",\"exec_time\":3,\"stdout\":\"open",
	};
	char name[400];

	rng_state = 99;
	for (int i = 0; i < 100000; i++) {
		int words = (int)(rnd() % 20);
		/* Half the time a valid frame around a hostile name, else pure soup. */
		int framed = (int)(rnd() & 1);
		size_t n = soup(name, sizeof(name) - 1, tok, COUNT(tok), words);
		name[n] = 0;
		if (framed) {
			int len = snprintf(buf, sizeof(buf), "{\"type\":\"test\",\"event\":\"%s\",\"name\":\"c::b$%s\"%s}",
					   events[rnd() % 4], name, tails[rnd() % 5]);
			n = (size_t)len < sizeof(buf) ? (size_t)len : sizeof(buf) - 1;
		} else {
			memcpy(buf, name, n);
		}
		got += nx_libtest_fuzz_one((const uint8_t *)buf, n);	/* aborts on a bad span */
	}
	{
		size_t n0 = strlen(stream_text);
		for (int i = 0; i < 20000; i++) {
			size_t n = n0;
			memcpy(buf, stream_text, n0);
			size_t at = rnd() % n;
			if (rnd() & 1)
				buf[at] = (char)rnd();
			else
				n = at;
			nx_libtest_fuzz_one((const uint8_t *)buf, n);
		}
	}
	cr_assert_gt(got, 0, "the token soup should hit some real lines");
}

/* ---- seed corpus ------------------------------------------------------------------- */

Test(corpus, libtest_seeds_parse)
{
	static const char *const files[] = {
		"tests/fuzz/corpus/libtest/plain.jsonl", "tests/fuzz/corpus/libtest/plus-stress.jsonl",
		"tests/fuzz/corpus/libtest/no-capture-failure.jsonl", "tests/fuzz/corpus/libtest/hostile-names.jsonl",
	};
	seeds_parse(files, COUNT(files), nx_libtest_fuzz_one, 2);
}
