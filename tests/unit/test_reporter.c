/* test_reporter.c — Criterion tests of the stderr parsers (preload/engine/parse/ansi.c,
 * preload/engine/parse/reporter.c): every line kind in its 0.9.48 → 0.9.143 variants,
 * colour, progress-bar redraws, split/merged writes through lines.h, huge
 * lines and garbage.  Expected lines are built from nextest's own format
 * strings ("{:>12} ", "[{:>8.3}s] ", "[>{:>7.3}s] ", "by {:>7.3}s ").
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ansi.h"
#include "lines.h"
#include "linetests.h"
#include "reporter.h"
#include "../fuzz/spans.h"

/* ---- helpers -------------------------------------------------------- */

static const char *status_name(enum nx_reporter_status s)
{
	static const char *names[] = {
		"NONE", "PASS", "FAIL", "FAIL_LEAK", "SIGNAL", "ABORT", "XFAIL", "LEAK",
		"LEAK_FAIL", "TIMEOUT", "TIMEOUT_PASS", "SLOW", "SLOW_LEAK", "SLOW_TMPASS",
		"TERMINATING", "START", "SKIP", "RETRY", "DELAY", "FLAKY", "FLAKY_FAIL",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}


static void stats_sig(const struct nx_reporter_stats *s, char *buf, size_t cap, size_t o)
{
	APP(" %llu/%llu%s p%llu s%llu fl%llu lk%llu f%llu lf%llu x%llu t%llu sk%llu",
	    (unsigned long long)s->finished, (unsigned long long)s->initial,
	    s->benchmarks ? " bench" : "", (unsigned long long)s->passed,
	    (unsigned long long)s->slow, (unsigned long long)s->flaky,
	    (unsigned long long)s->leaky, (unsigned long long)s->failed,
	    (unsigned long long)s->leaky_failed, (unsigned long long)s->exec_failed,
	    (unsigned long long)s->timed_out, (unsigned long long)s->skipped);
}

/* A canonical one-line description of a parse result. */
static void sig(const struct nx_reporter_line *r, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = 0;
	switch (r->kind) {
	case NX_REPORTER_NONE:
		APP("NONE");
		break;
	case NX_REPORTER_RUN_ID:
		APP("RUN_ID %.*s %.*s", SP(r->u.run_id.run_id), SP(r->u.run_id.profile));
		break;
	case NX_REPORTER_STARTING: {
		const struct nx_reporter_starting *s = &r->u.starting;
		APP("STARTING %llu/%llu skip=%llu/%llu%s%s%s", (unsigned long long)s->tests,
		    (unsigned long long)s->binaries, (unsigned long long)s->skipped_tests,
		    (unsigned long long)s->skipped_binaries, s->benchmarks ? " bench" : "",
		    s->via_default_filter ? " via" : "", s->already_passed ? " passed" : "");
		if (s->run_id.n)
			APP(" id=%.*s profile=%.*s", SP(s->run_id), SP(s->profile));
		break;
	}
	case NX_REPORTER_SETUP:
	case NX_REPORTER_TEST: {
		const struct nx_reporter_status_line *st = &r->u.st;
		APP("%s %s", r->kind == NX_REPORTER_TEST ? "TEST" : "SETUP", status_name(st->status));
		if (st->try_attempt)
			APP(" try=%u", st->try_attempt);
		if (st->frac_den)
			APP(" %u/%u", st->frac_num, st->frac_den);
		if (st->signal)
			APP(" signal=%d", st->signal);
		if (st->signame.n)
			APP(" signame=%.*s", SP(st->signame));
		switch (st->field) {
		case NX_FIELD_NONE: APP(" [none]"); break;
		case NX_FIELD_DURATION: APP(" [dur %llu]", (unsigned long long)st->nanos); break;
		case NX_FIELD_SLOW: APP(" [slow %llu]", (unsigned long long)st->nanos); break;
		case NX_FIELD_DELAY: APP(" [by %llu]", (unsigned long long)st->nanos); break;
		case NX_FIELD_BLANK: APP(" [blank]"); break;
		case NX_FIELD_INDEX: APP(" [idx %u/%u]", st->index, st->index_total); break;
		}
		if (st->has_stress)
			APP(" stress=%u/%u", st->stress_current, st->stress_total);
		if (st->counter == NX_COUNTER_VALUE)
			APP(" ctr=%u/%u", st->counter_current, st->counter_total);
		if (st->counter == NX_COUNTER_PLACEHOLDER)
			APP(" ctr=-");
		if (r->kind == NX_REPORTER_TEST)
			APP(" bin=<%.*s> test=<%.*s>", SP(st->binary_id), SP(st->test_name));
		else
			APP(" script=<%.*s> cmd=<%.*s>", SP(st->script_id), SP(st->command));
		break;
	}
	case NX_REPORTER_CANCEL:
	case NX_REPORTER_PAUSE:
	case NX_REPORTER_CONTINUE: {
		const struct nx_reporter_cancel *k = &r->u.cancel;
		APP("%s%s reason=<%.*s> running=%llu%s%s",
		    r->kind == NX_REPORTER_CANCEL ? "CANCEL" : r->kind == NX_REPORTER_PAUSE ? "PAUSE" : "CONTINUE",
		    k->killing ? " kill" : "", SP(k->reason), (unsigned long long)k->running,
		    k->scripts ? " scripts" : "", k->immediate ? " immediate" : "");
		break;
	}
	case NX_REPORTER_STRESS_START:
		APP("STRESS_START %llu/%llu", (unsigned long long)r->u.stress.iteration,
		    (unsigned long long)r->u.stress.total);
		break;
	case NX_REPORTER_STRESS_DONE:
		APP("STRESS_DONE %llu/%llu ns=%llu", (unsigned long long)r->u.stress.iteration,
		    (unsigned long long)r->u.stress.total, (unsigned long long)r->u.stress.nanos);
		stats_sig(&r->u.stress.stats, buf, cap, o);
		break;
	case NX_REPORTER_SUMMARY: {
		const struct nx_reporter_summary *s = &r->u.summary;
		APP("SUMMARY ns=%llu", (unsigned long long)s->nanos);
		if (s->stress)
			APP(" stress %llu/%llu p%llu f%llu reason=<%.*s>",
			    (unsigned long long)s->iter_done, (unsigned long long)s->iter_total,
			    (unsigned long long)s->iter_passed, (unsigned long long)s->iter_failed,
			    SP(s->cancel_reason));
		else
			stats_sig(&s->stats, buf, cap, o);
		break;
	}
	case NX_REPORTER_WARNING:
		APP("WARNING %llu/%llu <%.*s>", (unsigned long long)r->u.warning.not_run,
		    (unsigned long long)r->u.warning.initial, SP(r->u.warning.text));
		break;
	}
}

/* Parse a raw (possibly coloured) line and return its signature. */
static const char *P(const char *raw)
{
	static char out[2048];
	char scratch[4096];
	struct nx_reporter_line r;
	nx_reporter_parse_raw(raw, strlen(raw), scratch, sizeof(scratch), &r);
	sig(&r, out, sizeof(out));
	return out;
}

#define CHECK(raw, expected) cr_assert_str_eq(P(raw), expected, "line: [%s]", raw)

static char L[4096];

/* "{:>12} " + rest, the way nextest writes every status line. */
static const char *status_fmt(const char *status, const char *rest)
{
	snprintf(L, sizeof(L), "%12s %s", status, rest);
	return L;
}

/* ---- ANSI stripping --------------------------------------------------- */

static const char *strip(const char *in)
{
	static char out[4096];
	size_t n = nx_ansi_strip(in, strlen(in), out);
	out[n] = 0;
	return out;
}

Test(ansi, sgr_removed)
{
	cr_assert_str_eq(strip("\x1b[32;1m        PASS\x1b[0m [   0.004s] \x1b[35;1mcrate\x1b[0m "
			       "\x1b[34mtests::\x1b[0m\x1b[1ma\x1b[0m"),
			 "        PASS [   0.004s] crate tests::a");
	cr_assert_str_eq(strip("\x1b[38;5;208mx\x1b[38;2;1;2;3my\x1b[m"), "xy");
}

Test(ansi, carriage_return_and_erase_replace_earlier_text)
{
	cr_assert_str_eq(strip("  Running [ 00:00:01] [====>   ] 3/10\r\x1b[2K        PASS ok"),
			 "        PASS ok");
	cr_assert_str_eq(strip("bar\x1b[1A\x1b[2Kline"), "line");
	cr_assert_str_eq(strip("old\rnew"), "new");
	cr_assert_str_eq(strip("a\x1b[Kb"), "ab");	/* erase to end: harmless */
	cr_assert_str_eq(strip("xx\x1b[1Gyy"), "yy");
}

Test(ansi, trailing_resets_keep_text)
{
	cr_assert_str_eq(strip("text\r"), "text");
	cr_assert_str_eq(strip("text\r\x1b[2K"), "text");
}

Test(ansi, osc_and_other_escapes)
{
	cr_assert_str_eq(strip("\x1b]9;4;1;30\x1b\\abc"), "abc");
	cr_assert_str_eq(strip("\x1b]0;title\adef"), "def");
	cr_assert_str_eq(strip("\x1b(Bg\x1b" "7h\x1b" "8"), "gh");
	cr_assert_str_eq(strip("tail\x1b"), "tail");
	cr_assert_str_eq(strip("tail\x1b[12;"), "tail");
	cr_assert_str_eq(strip("a\x01\x7f" "b\tc"), "ab\tc");
	cr_assert_str_eq(strip("\xe2\x94\x80\xe2\x94\x80"), "\xe2\x94\x80\xe2\x94\x80");
}

Test(ansi, in_place)
{
	char b[] = "\x1b[1mSummary\x1b[0m [   1.000s]";
	size_t n = nx_ansi_strip(b, strlen(b), b);
	b[n] = 0;
	cr_assert_str_eq(b, "Summary [   1.000s]");
}

/* ---- durations ---------------------------------------------------------- */

static uint64_t ns(const char *s)
{
	uint64_t v = 777;
	cr_assert_eq(nx_reporter_secs_to_nanos(s, strlen(s), &v), 0, "%s", s);
	return v;
}

Test(durations, exact_decimal)
{
	cr_assert_eq(ns("1.000"), 1000000000ull);
	cr_assert_eq(ns("0.004"), 4000000ull);
	cr_assert_eq(ns("12345.678"), 12345678000000ull);
	cr_assert_eq(ns("0.005941609"), 5941609ull);
	cr_assert_eq(ns("1"), 1000000000ull);
	cr_assert_eq(ns("0.30000000000000004"), 300000000ull);
	cr_assert_eq(ns("0.1234567895"), 123456790ull);
	cr_assert_eq(ns("0.9999999999"), 1000000000ull);
	cr_assert_eq(ns("0.0000001"), 100ull);
}

Test(durations, bad_text)
{
	uint64_t v;
	const char *bad[] = { "", ".5", "1.", "1.2.3", "a", "1e-7", "-1.0", "99999999999999999999.0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(nx_reporter_secs_to_nanos(bad[i], strlen(bad[i]), &v), -1, "%s", bad[i]);
}

/* ---- run start ---------------------------------------------------------- */

#define UUID "0b4fbf4a-3d7a-4c1e-8bd4-5a8a4c1f2e3d"

Test(start, run_id_line)
{
	CHECK(status_fmt("Nextest run", "ID " UUID " with nextest profile: default"),
	      "RUN_ID " UUID " default");
	CHECK(" \x1b[32;1mNextest run\x1b[0m ID \x1b[1m0b4f\x1b[0m\x1b[2mbf4a-3d7a-4c1e-8bd4-5a8a4c1f2e3d"
	      "\x1b[0m with nextest profile: \x1b[1mci\x1b[0m",
	      "RUN_ID " UUID " ci");
	CHECK(" Nextest run ID not-a-uuid with nextest profile: default", "NONE");
	CHECK(" Nextest run ID " UUID " with nextest profile: ", "NONE");
}

Test(start, starting_old_forms)
{
	CHECK("    Starting 3 tests across 2 binaries (1 skipped)", "STARTING 3/2 skip=1/0");
	CHECK("    Starting 3 tests across 2 binaries", "STARTING 3/2 skip=0/0");
	CHECK("    Starting 1 test across 1 binary", "STARTING 1/1 skip=0/0");
	CHECK("    Starting 3 tests across 2 binaries (1 skipped; run ID: " UUID
	      ", nextest profile: default)",
	      "STARTING 3/2 skip=1/0 id=" UUID " profile=default");
	CHECK("    Starting 3 tests across 2 binaries (run ID: " UUID ", nextest profile: my (odd))",
	      "STARTING 3/2 skip=0/0 id=" UUID " profile=my (odd)");
}

Test(start, starting_skip_suffixes)
{
	CHECK("    Starting 3 tests across 2 binaries (1 test skipped)", "STARTING 3/2 skip=1/0");
	CHECK("    Starting 3 tests across 2 binaries (5 tests and 2 binaries skipped)",
	      "STARTING 3/2 skip=5/2");
	CHECK("    Starting 3 tests across 2 binaries (1 test and 1 binary skipped)",
	      "STARTING 3/2 skip=1/1");
	CHECK("    Starting 3 tests across 2 binaries (2 binaries skipped)", "STARTING 3/2 skip=0/2");
	CHECK("    Starting 3 tests across 2 binaries (4 tests skipped via profile.default.default-filter)",
	      "STARTING 3/2 skip=4/0 via");
	CHECK("    Starting 3 tests across 2 binaries (4 tests skipped, including 2 tests that already "
	      "passed, and 1 test via profile.ci.default-filter)",
	      "STARTING 3/2 skip=4/0 via passed");
	CHECK("    Starting 3 tests across 2 binaries (2 tests skipped that already passed)",
	      "STARTING 3/2 skip=2/0 passed");
	CHECK("    Starting 2 benchmarks across 1 binary (3 benchmarks skipped)",
	      "STARTING 2/1 skip=3/0 bench");
	CHECK("    \x1b[32;1mStarting\x1b[0m \x1b[1m3\x1b[0m tests across \x1b[1m2\x1b[0m binaries "
	      "(\x1b[1m1\x1b[0m test \x1b[33;1mskipped\x1b[0m)",
	      "STARTING 3/2 skip=1/0");
	CHECK("    Starting 3 tests across 2 binaries (1 test skipped", "NONE");
	CHECK("    Starting many tests across 2 binaries", "NONE");
}

/* ---- setup scripts -------------------------------------------------------- */

Test(setup, start_slow_terminating_finish)
{
	snprintf(L, sizeof(L), "%12s [%9s] %s", "SETUP", "1/2", "db-setup: ./setup.sh --fast 'a b'");
	cr_assert_str_eq(P(L), "SETUP START [idx 1/2] script=<db-setup> cmd=<./setup.sh --fast 'a b'>");
	snprintf(L, sizeof(L), "%12s [%9s] [1/3] %s", "SETUP", "10/12", "s: x");
	cr_assert_str_eq(P(L), "SETUP START [idx 10/12] stress=1/3 script=<s> cmd=<x>");
	CHECK(status_fmt("SETUP SLOW", "[>  1.000s] db-setup: ./setup.sh"),
	      "SETUP SLOW [slow 1000000000] script=<db-setup> cmd=<./setup.sh>");
	CHECK(status_fmt("TERMINATING", "[> 30.000s] db-setup: ./setup.sh"),
	      "SETUP TERMINATING [slow 30000000000] script=<db-setup> cmd=<./setup.sh>");
	CHECK(status_fmt("SETUP PASS", "[   0.123s] db-setup: ./setup.sh"),
	      "SETUP PASS [dur 123000000] script=<db-setup> cmd=<./setup.sh>");
	CHECK(status_fmt("SETUP PASS", "[      1/2] db-setup: ./setup.sh"),
	      "SETUP PASS [idx 1/2] script=<db-setup> cmd=<./setup.sh>");
	CHECK(status_fmt("SETUP FAIL", "[   0.010s] s: false"),
	      "SETUP FAIL [dur 10000000] script=<s> cmd=<false>");
	CHECK(status_fmt("SETUP SEGV", "[   0.010s] s: crash"),
	      "SETUP SIGNAL signame=SEGV [dur 10000000] script=<s> cmd=<crash>");
	CHECK(status_fmt("SETUP SIG 34", "[   0.010s] s: rt"),
	      "SETUP SIGNAL signal=34 [dur 10000000] script=<s> cmd=<rt>");
	CHECK(status_fmt("SETUP LKFAIL", "[   0.010s] s: leak"),
	      "SETUP LEAK_FAIL [dur 10000000] script=<s> cmd=<leak>");
	CHECK(status_fmt("SETUP LEAK", "[   0.010s] s: leak"),
	      "SETUP LEAK [dur 10000000] script=<s> cmd=<leak>");
	CHECK(status_fmt("SETUP TMT", "[   5.000s] s: sleep 10"),
	      "SETUP TIMEOUT [dur 5000000000] script=<s> cmd=<sleep 10>");
	CHECK(status_fmt("SETUP XFAIL", "[   0.000s] @tool:t:s: /nonexistent"),
	      "SETUP XFAIL [dur 0] script=<@tool:t:s> cmd=</nonexistent>");
	CHECK(status_fmt("SETUP PASS", "[   0.123s] [2] s: x"),
	      "SETUP PASS [dur 123000000] stress=2/0 script=<s> cmd=<x>");
	/* A setup line must name a script. */
	CHECK(status_fmt("SETUP PASS", "[   0.123s] crate test"), "NONE");
	CHECK(status_fmt("SETUP SLOW", "[   0.123s] s: x"), "NONE");
}

/* ---- per-test lines ---------------------------------------------------------- */

Test(test_lines, results_with_duration)
{
	struct { const char *status, *expect; } t[] = {
		{ "PASS", "TEST PASS [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "FAIL", "TEST FAIL [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "FAIL + LEAK", "TEST FAIL_LEAK [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "SIGSEGV", "TEST SIGNAL signame=SEGV [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "ABORT SIG 34", "TEST SIGNAL signal=34 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "ABORT", "TEST ABORT [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "XFAIL", "TEST XFAIL [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "LEAK", "TEST LEAK [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "LEAK-FAIL", "TEST LEAK_FAIL [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TIMEOUT", "TEST TIMEOUT [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TIMEOUT-PASS", "TEST TIMEOUT_PASS [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "SLOW", "TEST SLOW [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "SLOW + LEAK", "TEST SLOW_LEAK [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "SLOW+TMPASS", "TEST SLOW_TMPASS [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 2 PASS", "TEST PASS try=2 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 1 FAIL", "TEST FAIL try=1 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 3 FL+LK", "TEST FAIL_LEAK try=3 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 2 SEGV", "TEST SIGNAL try=2 signame=SEGV [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 2 SIG 34", "TEST SIGNAL try=2 signal=34 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 2 LKFAIL", "TEST LEAK_FAIL try=2 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 2 TMT", "TEST TIMEOUT try=2 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 2 TMPASS", "TEST TIMEOUT_PASS try=2 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "TRY 2 XFAIL", "TEST XFAIL try=2 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "FLAKY 2/3", "TEST FLAKY 2/3 [dur 4000000] bin=<my-crate> test=<tests::a>" },
		{ "FLKY-FL 2/3", "TEST FLAKY_FAIL 2/3 [dur 4000000] bin=<my-crate> test=<tests::a>" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(L, sizeof(L), "%12s [%8.3fs] %s", t[i].status, 0.004, "my-crate tests::a");
		cr_assert_str_eq(P(L), t[i].expect, "line: [%s]", L);
	}
}

Test(test_lines, other_fields)
{
	snprintf(L, sizeof(L), "%12s [>%7.3fs] %s", "SLOW", 60.0, "my-crate tests::slow");
	cr_assert_str_eq(P(L), "TEST SLOW [slow 60000000000] bin=<my-crate> test=<tests::slow>");
	snprintf(L, sizeof(L), "%12s [>%7.3fs] %s", "TRY 2 SLOW", 1.5, "my-crate t");
	cr_assert_str_eq(P(L), "TEST SLOW try=2 [slow 1500000000] bin=<my-crate> test=<t>");
	snprintf(L, sizeof(L), "%12s [>%7.3fs] %s", "TERMINATING", 2.0, "my-crate t");
	cr_assert_str_eq(P(L), "TEST TERMINATING [slow 2000000000] bin=<my-crate> test=<t>");
	/* 13 characters: no leading space at all. */
	snprintf(L, sizeof(L), "%12s [>%7.3fs] %s", "TRY 10 TRMNTG", 2.0, "my-crate t");
	cr_assert_eq(L[0], 'T');
	cr_assert_str_eq(P(L), "TEST TERMINATING try=10 [slow 2000000000] bin=<my-crate> test=<t>");
	snprintf(L, sizeof(L), "%12s by %7.3fs %s", "DELAY 2/3", 0.5, "my-crate t");
	cr_assert_str_eq(P(L), "TEST DELAY 2/3 [by 500000000] bin=<my-crate> test=<t>");
	CHECK(status_fmt("RETRY 2/3", "[         ] my-crate t"), "TEST RETRY 2/3 [blank] bin=<my-crate> test=<t>");
	CHECK(status_fmt("TRY 2 START", "[         ] my-crate t"),
	      "TEST START try=2 [blank] bin=<my-crate> test=<t>");
	CHECK(status_fmt("SKIP", "[         ] my-crate t"), "TEST SKIP [blank] bin=<my-crate> test=<t>");
	/* Big durations overflow the width instead of being cut. */
	CHECK(status_fmt("PASS", "[123456.789s] my-crate t"), "TEST PASS [dur 123456789000000] bin=<my-crate> test=<t>");
}

Test(test_lines, start_forms)
{
	/* 0.9.48–0.9.107: "{:>12}             {inst}" */
	CHECK("       START             my-crate tests::a", "TEST START [none] bin=<my-crate> test=<tests::a>");
	/* 0.9.108 with counter width */
	CHECK("       START                   my-crate tests::a", "TEST START [none] bin=<my-crate> test=<tests::a>");
	/* 0.9.115: counter right after START */
	CHECK("       START ( 3/10) my-crate tests::a",
	      "TEST START [none] ctr=3/10 bin=<my-crate> test=<tests::a>");
	/* 0.9.116+ */
	CHECK("       START [         ] (3/3) my-crate tests::a",
	      "TEST START [blank] ctr=3/3 bin=<my-crate> test=<tests::a>");
	CHECK("       START [         ] [2/5] (3/3) my-crate tests::a",
	      "TEST START [blank] stress=2/5 ctr=3/3 bin=<my-crate> test=<tests::a>");
	CHECK("       START [1/5] my-crate tests::a",
	      "TEST START [none] stress=1/5 bin=<my-crate> test=<tests::a>");
}

Test(test_lines, instance_variants)
{
	/* pre-0.9.86: binary IDs right-aligned to the widest one */
	CHECK("        PASS [   0.004s]           my-crate tests::a",
	      "TEST PASS [dur 4000000] bin=<my-crate> test=<tests::a>");
	CHECK("        PASS [   0.004s] my-crate::bin/tool tests::a b c",
	      "TEST PASS [dur 4000000] bin=<my-crate::bin/tool> test=<tests::a b c>");
	/* counter (0.9.108+), placeholder (0.9.109+), stress prefix (0.9.103+) */
	CHECK("        PASS [   0.004s] ( 1/10) my-crate t", "TEST PASS [dur 4000000] ctr=1/10 bin=<my-crate> test=<t>");
	CHECK("        SLOW [>  1.000s] (-----) my-crate t", "TEST SLOW [slow 1000000000] ctr=- bin=<my-crate> test=<t>");
	CHECK("        SLOW [>  1.000s] (\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80) my-crate t",
	      "TEST SLOW [slow 1000000000] ctr=- bin=<my-crate> test=<t>");
	CHECK("        PASS [   0.004s] [ 3/10] (1/2) my-crate t",
	      "TEST PASS [dur 4000000] stress=3/10 ctr=1/2 bin=<my-crate> test=<t>");
	CHECK("        PASS [   0.004s] [7] my-crate t", "TEST PASS [dur 4000000] stress=7/0 bin=<my-crate> test=<t>");
	/* A test's TERMINATING with a counter placeholder is a test, not a script. */
	CHECK(" TERMINATING [>  2.000s] (---) my-crate t", "TEST TERMINATING [slow 2000000000] ctr=- bin=<my-crate> test=<t>");
	/* hostile test names: the rest of the line, verbatim */
	CHECK("        PASS [   0.004s] c \"q\" \\ [x] (1/2) PASS [ 1.000s]",
	      "TEST PASS [dur 4000000] bin=<c> test=<\"q\" \\ [x] (1/2) PASS [ 1.000s]>");
}

Test(test_lines, coloured_equals_plain)
{
	const char *pairs[][2] = {
		{ "        PASS [   0.004s] (1/3) my-crate tests::a",
		  "\x1b[32;1m        PASS\x1b[0m [   0.004s] (\x1b[1m1\x1b[0m/\x1b[1m3\x1b[0m) "
		  "\x1b[35;1mmy-crate\x1b[0m \x1b[36mtests::\x1b[0m\x1b[34;1ma\x1b[0m" },
		{ "  TRY 2 SLOW [>  1.000s] my-crate t",
		  "\x1b[33;1m  TRY 2 SLOW\x1b[0m [>  1.000s] \x1b[35;1mmy-crate\x1b[0m \x1b[1mt\x1b[0m" },
		{ "       SETUP [      1/1] s: x", "\x1b[32;1m       SETUP\x1b[0m [      1/1] \x1b[35;1ms\x1b[0m: x" },
		{ "     Summary [   0.010s] 3 tests run: 3 passed, 1 skipped",
		  "\x1b[32;1m     Summary\x1b[0m [   0.010s] \x1b[1m3\x1b[0m tests run: \x1b[1m3\x1b[0m "
		  "\x1b[32;1mpassed\x1b[0m, \x1b[1m1\x1b[0m \x1b[33;1mskipped\x1b[0m" },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char plain[2048];
		snprintf(plain, sizeof(plain), "%s", P(pairs[i][0]));
		cr_assert_str_neq(plain, "NONE", "%s", pairs[i][0]);
		cr_assert_str_eq(P(pairs[i][1]), plain, "coloured line %zu", i);
	}
}

Test(test_lines, progress_pollution)
{
	CHECK("\r\x1b[2K  Running [ 00:00:01] [=====>    ] 3/10: 2 running, 3 passed, 0 skipped"
	      "\r\x1b[2K\x1b[1A\x1b[2K\x1b[32;1m        PASS\x1b[0m [   0.004s] my-crate t",
	      "TEST PASS [dur 4000000] bin=<my-crate> test=<t>");
	/* indicatif's running-test rows are not status lines */
	CHECK("        SLOW [ 00:00:05] my-crate t", "NONE");
	CHECK("       DELAY [ 00:00:01] my-crate t", "NONE");
	CHECK("       RETRY [ 00:00:01] my-crate t", "NONE");
	CHECK("             [ 00:00:01] my-crate t", "NONE");
	CHECK("             ... and 3 more tests running", "NONE");
}

Test(test_lines, not_status_lines)
{
	const char *no[] = {
		"", "PASS", "        PASS [   0.004s]", "        PASS [   0.004s] my-crate",
		"        PASS [   0.004s] my-crate ", "        PASS [   0.004s]  ", "        PASS [0.004] c t",
		"        PASS [   0.004s]c t", "        PASS [>  0.004s] c t", "        SKIP [   0.004s] c t",
		"        PASS [         ] c t", "       DELAY 2/3 [   1.000s] c t", " TERMINATING [   1.000s] c t",
		"             command: /bin/x --exact t", "           - test configured to fail if flaky",
		"------------", "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80",
		"--- STDOUT:              my-crate t ---", "thread 'main' panicked at src/lib.rs:1:1:",
		"        PASSED [   0.004s] c t", "      TRY x PASS [   0.004s] c t", "   FLAKY 2 [   0.004s] c t",
		"    SIGsegv [   0.004s] c t", "   ABORT SIG x [   0.004s] c t", "test tests::a ... ok",
		"  Running [ 00:00:01] 3/10", "    Finished `test` profile [unoptimized + debuginfo]",
		"        PASS [   0.004s] [1/2 c t", "        PASS [   0.004s] (1/2 c t",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(no[i], "NONE");
}

/* ---- cancel, pause, summary, stress, warning ------------------------------------- */

Test(run_end, cancel_and_pause)
{
	CHECK("   Canceling due to test failure: 2 tests still running",
	      "CANCEL reason=<test failure> running=2");
	CHECK("  Cancelling due to interrupt: 1 test still running", "CANCEL reason=<interrupt> running=1");
	CHECK("  Cancelling due to test failure: immediately terminating 4 tests still running",
	      "CANCEL reason=<test failure> running=4 immediate");
	CHECK("  Cancelling due to setup script failure: 1 setup script still running",
	      "CANCEL reason=<setup script failure> running=1 scripts");
	CHECK("  Cancelling due to signal: ", "CANCEL reason=<signal> running=0");
	CHECK("  Cancelling ", "CANCEL reason=<> running=0");
	CHECK("     Killing due to second signal: : 3 tests still running",
	      "CANCEL kill reason=<second signal> running=3");
	CHECK("     Pausing 3 running tests due to signal", "PAUSE reason=<> running=3");
	CHECK("     Pausing due to signal: 3 tests running", "PAUSE reason=<signal> running=3");
	CHECK("  Continuing due to signal: 1 setup script running",
	      "CONTINUE reason=<signal> running=1 scripts");
	CHECK("  Cancelling soon", "NONE");
}

Test(run_end, summary)
{
	CHECK("     Summary [   0.010s] 3 tests run: 3 passed, 1 skipped",
	      "SUMMARY ns=10000000 3/3 p3 s0 fl0 lk0 f0 lf0 x0 t0 sk1");
	CHECK("     Summary [   0.010s] 1 test run: 1 passed, 0 skipped",
	      "SUMMARY ns=10000000 1/1 p1 s0 fl0 lk0 f0 lf0 x0 t0 sk0");
	CHECK("     Summary [  12.345s] 7/9 tests run: 2 passed (1 slow, 2 flaky, 1 leaky), 3 failed "
	      "(1 due to being leaky), 1 exec failed, 1 timed out, 4 skipped",
	      "SUMMARY ns=12345000000 7/9 p2 s1 fl2 lk1 f3 lf1 x1 t1 sk4");
	CHECK("     Summary [   0.010s] 2 benchmarks run: 2 passed, 0 skipped",
	      "SUMMARY ns=10000000 2/2 bench p2 s0 fl0 lk0 f0 lf0 x0 t0 sk0");
	CHECK("     Summary [   5.000s] 3/5 stress run iterations: 2 passed, 1 failed; cancelled due to interrupt",
	      "SUMMARY ns=5000000000 stress 3/5 p2 f1 reason=<interrupt>");
	CHECK("     Summary [   5.000s] 4 stress run iterations: 4 passed",
	      "SUMMARY ns=5000000000 stress 4/0 p4 f0 reason=<>");
	CHECK("     Summary [   0.010s] 3 tests run: 3 passed", "NONE");
	CHECK("     Summary [   0.010s] 3 tests run: 3 passed, 1 skipped, extra", "NONE");
	CHECK("     Summary [0.010] 3 tests run: 3 passed, 1 skipped", "NONE");
}

Test(run_end, stress_and_warning)
{
	CHECK("------------", "NONE");
	CHECK(" Stress test iteration 2/5 (00:00:01 elapsed so far, 3 iterations remaining)",
	      "STRESS_START 2/5");
	CHECK(" Stress test iteration 7 (00:00:03/00:01:00 elapsed so far, 00:00:57 remaining)",
	      "STRESS_START 7/0");
	CHECK(" Stress test [   1.234s] iteration 2/5: 3 tests run: 3 passed, 0 skipped",
	      "STRESS_DONE 2/5 ns=1234000000 3/3 p3 s0 fl0 lk0 f0 lf0 x0 t0 sk0");
	CHECK(" Stress test [   1.234s] iteration 3: 2/3 tests run: 1 passed, 1 failed, 0 skipped",
	      "STRESS_DONE 3/0 ns=1234000000 2/3 p1 s0 fl0 lk0 f1 lf0 x0 t0 sk0");
	CHECK("warning: 2/10 tests were not run due to signal", "WARNING 2/10 <2/10 tests were not run due to signal>");
	CHECK("\x1b[33;1mwarning\x1b[0m: \x1b[1m1\x1b[0m/\x1b[1m3\x1b[0m test was not run due to test failure "
	      "(run with --no-fail-fast to run all tests, or run with --max-fail)",
	      "WARNING 1/3 <1/3 test was not run due to test failure (run with --no-fail-fast to run all tests, or run with --max-fail)>");
	CHECK("  warning: indented is not ours", "NONE");
}

/* ---- streams through lines.h ------------------------------------------------------ */

static const char *stream_lines[] = {
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80",
	" \x1b[32;1mNextest run\x1b[0m ID " UUID " with nextest profile: default",
	"    Starting 3 tests across 2 binaries (1 test skipped)",
	"       SETUP [      1/1] db: ./setup.sh",
	"  SETUP PASS [   0.050s] db: ./setup.sh",
	"\r\x1b[2K    Running [ 00:00:00] [>      ] 0/3: 0 running\r\x1b[2K\x1b[32;1m        PASS\x1b[0m [   0.004s] (1/3) c t1",
	"\x1b[33;1m        SLOW\x1b[0m [>  1.000s] (---) c slow test",
	"  TRY 1 FAIL [   0.010s] (---) c flaky",
	"   TRY 2 PASS [   0.011s] (2/3) c flaky",
	"        FAIL [   0.020s] (3/3) c bad",
	"     Summary [   1.500s] 3 tests run: 2 passed (1 slow, 1 flaky), 1 failed, 1 skipped",
	"warning: 0/3 tests were not run due to signal",
};

struct collect {
	char sigs[64][512];
	int n;
};

static void on_line(void *ctx, const char *line, size_t len, int truncated)
{
	struct collect *c = ctx;
	char scratch[4096];
	struct nx_reporter_line r;

	if (truncated || c->n >= 64) {
		if (c->n < 64)
			snprintf(c->sigs[c->n++], 512, "TRUNCATED");
		return;
	}
	nx_reporter_parse_raw(line, len, scratch, sizeof(scratch), &r);
	sig(&r, c->sigs[c->n++], 512);
}

static size_t build_stream(char *buf, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < sizeof(stream_lines) / sizeof(stream_lines[0]); i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s\n", stream_lines[i]);
	return o;
}

Test(stream, same_result_whole_bytewise_and_chunked)
{
	static char buf[8192];
	size_t n = build_stream(buf, sizeof(buf));
	struct collect whole = { .n = 0 }, bytes = { .n = 0 }, chunks = { .n = 0 };

	feed(buf, n, 0, on_line, &whole);
	cr_assert_eq(whole.n, (int)(sizeof(stream_lines) / sizeof(stream_lines[0])));
	cr_assert_str_eq(whole.sigs[1], "RUN_ID " UUID " default");
	cr_assert_str_eq(whole.sigs[5], "TEST PASS [dur 4000000] ctr=1/3 bin=<c> test=<t1>");
	cr_assert_str_eq(whole.sigs[6], "TEST SLOW [slow 1000000000] ctr=- bin=<c> test=<slow test>");
	cr_assert_str_eq(whole.sigs[10], "SUMMARY ns=1500000000 3/3 p2 s1 fl1 lk0 f1 lf0 x0 t0 sk1");

	feed(buf, n, 1, on_line, &bytes);

	rng_state = 0x9e3779b97f4a7c15ull;
	for (int round = 0; round < 50; round++) {
		char what[32];
		chunks.n = 0;
		feed(buf, n, 97, on_line, &chunks);
		snprintf(what, sizeof(what), "round %d", round);
		same_sigs(chunks.sigs, chunks.n, whole.sigs, whole.n, what);
	}
	same_sigs(bytes.sigs, bytes.n, whole.sigs, whole.n, "bytewise");
}

Test(stream, huge_line_dropped_and_next_line_parsed)
{
	size_t big = 100000;
	char *buf = malloc(big + 256);
	struct collect c = { .n = 0 };
	struct nx_lines l;
	size_t o;

	cr_assert_not_null(buf);
	o = (size_t)sprintf(buf, "        PASS [   0.004s] c ");
	memset(buf + o, 'x', big);
	o += big;
	o += (size_t)sprintf(buf + o, "\n        PASS [   0.004s] c short\n");
	nx_lines_init(&l, 4096);
	nx_lines_feed(&l, buf, o, on_line, &c);
	nx_lines_finish(&l, on_line, &c);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.sigs[0], "TRUNCATED");
	cr_assert_str_eq(c.sigs[1], "TEST PASS [dur 4000000] bin=<c> test=<short>");

	/* Direct: a line longer than the scratch buffer is NONE, not a crash. */
	{
		char scratch[64];
		struct nx_reporter_line r;
		cr_assert_eq(nx_reporter_parse_raw(buf, 200, scratch, sizeof(scratch), &r), NX_REPORTER_NONE);
	}
	free(buf);
}

/* ---- garbage --------------------------------------------------------------------- */

Test(garbage, random_bytes_never_parse)
{
	char line[512], scratch[512];
	struct nx_reporter_line r;

	rng_state = 0x1234567887654321ull;
	for (int i = 0; i < 200000; i++) {
		size_t n = rnd() % sizeof(line);
		for (size_t k = 0; k < n; k++)
			line[k] = (char)(rnd() & 0xff);
		cr_assert_eq(nx_reporter_parse_raw(line, n, scratch, sizeof(scratch), &r), NX_REPORTER_NONE,
			     "iteration %d", i);
	}
}

Test(garbage, token_soup_and_mutations_keep_invariants)
{
	static const char *tok[] = {
		" ", "  ", "PASS", "FAIL", "TRY ", "2", "/", "[", "]", ">", "s", "0.004", "by ",
		"(", ")", "---", "\xe2\x94\x80", "SETUP", "SLOW", ":", "c", "t", "\x1b[", "1m", "\r",
		"Starting ", "tests", " across ", "binaries", "Summary ", "run: ", "passed", ", ",
		"skipped", "Cancelling ", "due to ", "warning: ", "\x1b]", "\x1b\\", "K", "A", "99999999999999999999",
	};
	char line[600];
	int parsed = 0;

	rng_state = 42;
	for (int i = 0; i < 100000; i++) {
		size_t n = soup(line, sizeof(line), tok, COUNT(tok), (int)(rnd() % 24));
		parsed += nx_reporter_fuzz_one((const uint8_t *)line, n);	/* aborts on a bad span */
	}
	/* Mutations of every real line: flip/insert/delete bytes. */
	for (size_t s = 0; s < sizeof(stream_lines) / sizeof(stream_lines[0]); s++) {
		for (int i = 0; i < 2000; i++) {
			size_t n = strlen(stream_lines[s]);
			memcpy(line, stream_lines[s], n);
			size_t at = rnd() % n;
			switch (rnd() % 3) {
			case 0: line[at] = (char)rnd(); break;
			case 1: memmove(line + at, line + at + 1, n - at - 1); n--; break;
			default: n = at; break;	/* truncation */
			}
			nx_reporter_fuzz_one((const uint8_t *)line, n);
		}
	}
	cr_assert_gt(parsed, 0, "the token soup should hit some real lines");
}

Test(garbage, every_prefix_of_a_status_line_is_none_or_shorter_test)
{
	const char *full = "  TRY 2 FAIL [   0.010s] [1/2] (3/4) my-crate tests::a";
	char scratch[256];
	struct nx_reporter_line r;

	for (size_t n = 0; n < strlen(full); n++) {
		enum nx_reporter_kind k = nx_reporter_parse_raw(full, n, scratch, sizeof(scratch), &r);
		/* Cutting the test name still leaves a (shorter) test line; any other
		 * cut must not parse. */
		if (n > strlen("  TRY 2 FAIL [   0.010s] [1/2] (3/4) my-crate ")) {
			cr_assert_eq(k, NX_REPORTER_TEST, "n=%zu", n);
			cr_assert_eq(r.u.st.test_name.n, n - strlen("  TRY 2 FAIL [   0.010s] [1/2] (3/4) my-crate "));
		} else {
			cr_assert_eq(k, NX_REPORTER_NONE, "n=%zu", n);
		}
	}
}

/* ---- seed corpus ---------------------------------------------------------------- */

Test(corpus, reporter_seeds_parse)
{
	static const char *const files[] = {
		"tests/fuzz/corpus/reporter/v0.9.48.txt", "tests/fuzz/corpus/reporter/v0.9.70.txt",
		"tests/fuzz/corpus/reporter/v0.9.143.txt", "tests/fuzz/corpus/reporter/colour-progress.txt",
	};
	seeds_parse(files, COUNT(files), nx_reporter_fuzz_one, 3);
}
