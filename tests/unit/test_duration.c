/* test_duration.c — humantime duration parsing (preload/engine/parse/duration.c).
 *
 * Owns: exact nanosecond values for every unit and spelling humantime
 * accepts, combinations, whitespace quirks, and the inputs it rejects.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "../../preload/engine/parse/duration.h"

static uint64_t ok(const char *s)
{
	uint64_t ns = 12345;
	cr_assert_eq(nx_duration_parse(s, &ns), 0, "should parse: '%s'", s);
	return ns;
}

static void bad(const char *s)
{
	uint64_t ns = 777;
	cr_assert_eq(nx_duration_parse(s, &ns), -1, "should reject: '%s'", s);
	cr_assert_eq(ns, 777, "output untouched on error for '%s'", s);
}

#define S 1000000000ull

Test(duration, units)
{
	cr_assert_eq(ok("17nsec"), 17);
	cr_assert_eq(ok("17nanos"), 17);
	cr_assert_eq(ok("33ns"), 33);
	cr_assert_eq(ok("3usec"), 3000);
	cr_assert_eq(ok("78us"), 78000);
	cr_assert_eq(ok("163\xc2\xb5s"), 163000);
	cr_assert_eq(ok("31msec"), 31000000);
	cr_assert_eq(ok("31millis"), 31000000);
	cr_assert_eq(ok("500ms"), 500000000);
	cr_assert_eq(ok("3000s"), 3000 * S);
	cr_assert_eq(ok("300sec"), 300 * S);
	cr_assert_eq(ok("300secs"), 300 * S);
	cr_assert_eq(ok("50seconds"), 50 * S);
	cr_assert_eq(ok("1second"), 1 * S);
	cr_assert_eq(ok("100m"), 6000 * S);
	cr_assert_eq(ok("12min"), 720 * S);
	cr_assert_eq(ok("12mins"), 720 * S);
	cr_assert_eq(ok("7minutes"), 420 * S);
	cr_assert_eq(ok("2h"), 7200 * S);
	cr_assert_eq(ok("7hr"), 25200 * S);
	cr_assert_eq(ok("7hrs"), 25200 * S);
	cr_assert_eq(ok("24hours"), 86400 * S);
	cr_assert_eq(ok("2days"), 172800 * S);
	cr_assert_eq(ok("365d"), 31536000 * S);
	cr_assert_eq(ok("52w"), 31449600 * S);
	cr_assert_eq(ok("1month"), 2630016 * S);
	cr_assert_eq(ok("12M"), 31560192 * S);
	cr_assert_eq(ok("1year"), 31557600 * S);
	cr_assert_eq(ok("17y"), 536479200 * S);
}

Test(duration, nextest_config_values)
{
	cr_assert_eq(ok("60s"), 60 * S);
	cr_assert_eq(ok("10s"), 10 * S);
	cr_assert_eq(ok("200ms"), 200000000ull);
	cr_assert_eq(ok("100ms"), 100000000ull);
	/* 30y as humantime counts it: 30 × 365.25 days */
	cr_assert_eq(ok("30y"), 30ull * 31557600 * S);
	cr_assert_eq(ok("0s"), 0);
}

Test(duration, combinations_and_whitespace)
{
	cr_assert_eq(ok("1m 30s"), 90 * S);
	cr_assert_eq(ok("1m30s"), 90 * S);
	cr_assert_eq(ok("2h 37min"), 9420 * S);
	cr_assert_eq(ok("20 min 17 nsec "), 1200 * S + 17);
	cr_assert_eq(ok("  5s"), 5 * S);
	/* humantime lets whitespace sit inside a number and before the unit */
	cr_assert_eq(ok("1 0s"), 10 * S);
	cr_assert_eq(ok("3 s"), 3 * S);
	cr_assert_eq(ok("999ms 1ms"), 1 * S);
	cr_assert_eq(ok("1500ms"), 1500000000ull);
}

Test(duration, rejects)
{
	bad("");
	bad("   ");
	bad("60");		/* no unit */
	bad("1.5s");		/* no fractions */
	bad("-1s");
	bad("s");
	bad("5 parsecs");
	bad("5sx");
	bad("5s,");
	bad("1h 30");		/* last number without unit */
	bad("m 5s");
	bad("100000000000000000000s");	/* u64 seconds overflow */
	bad("100000000000000ms");	/* humantime's nanosecond overflow */
	cr_assert_eq(nx_duration_parse(NULL, NULL), -1);
}

Test(duration, saturates_beyond_u64_nanoseconds)
{
	/* valid for humantime (u64 seconds) but > 2^64 ns */
	cr_assert_eq(ok("1000y"), UINT64_MAX);
	cr_assert_eq(ok("584y"), 584ull * 31557600 * S);
}
