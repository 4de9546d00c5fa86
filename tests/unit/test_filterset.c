/* test_filterset.c — nextest filterset parsing and evaluation
 * (preload/engine/parse/filterset.c).
 *
 * Owns: each predicate × matcher, default matchers, operator spellings and
 * precedence, escapes, globs, derived package/kind/binary name, and the
 * expressions nextest rejects.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/engine/parse/filterset.h"

static struct nx_filter_query Q(const char *binary_id, const char *test)
{
	struct nx_filter_query q;
	memset(&q, 0, sizeof q);
	q.binary_id = binary_id;
	q.test_name = test;
	return q;
}

static int m(const char *expr, const struct nx_filter_query *q)
{
	char err[200];
	struct nx_filterset *f = nx_filterset_parse(expr, err, sizeof err);
	cr_assert_not_null(f, "parse '%s': %s", expr, err);
	int r = nx_filterset_match(f, q);
	nx_filterset_free(f);
	return r;
}

static void yes(const char *expr, const struct nx_filter_query *q)
{
	cr_assert_eq(m(expr, q), 1, "'%s' should match %s / %s", expr, q->binary_id, q->test_name);
}

static void no(const char *expr, const struct nx_filter_query *q)
{
	cr_assert_eq(m(expr, q), 0, "'%s' should not match %s / %s", expr, q->binary_id, q->test_name);
}

static void bad(const char *expr)
{
	char err[200] = "";
	struct nx_filterset *f = nx_filterset_parse(expr, err, sizeof err);
	cr_assert_null(f, "'%s' should be rejected", expr);
	cr_assert(err[0], "no message for '%s'", expr);
}

Test(filterset, all_none)
{
	struct nx_filter_query q = Q("fx-basic", "tests::a");
	yes("all()", &q);
	no("none()", &q);
	yes(" all( ) ", &q);
	yes("all\n()", &q);
}

Test(filterset, test_matchers)
{
	struct nx_filter_query q = Q("fx-basic::integration", "tests::slow_one");
	/* default matcher of test() is contains */
	yes("test(slow)", &q);
	no("test(fast)", &q);
	yes("test(~slow)", &q);
	yes("test(=tests::slow_one)", &q);
	no("test(=slow_one)", &q);
	yes("test(#tests::*)", &q);
	yes("test(#*one)", &q);
	no("test(#*two)", &q);
	yes("test(/^tests::slow_[a-z]+$/)", &q);
	no("test(/^slow/)", &q);
	yes("test(/slow_\\w+/)", &q);
	yes("test(/one$/)", &q);
	/* matcher text is not trimmed: trailing space is part of it */
	no("test(slow )", &q);
	yes("test( slow)", &q);	/* leading whitespace is skipped */
}

Test(filterset, binary_id_and_binary)
{
	struct nx_filter_query lib = Q("fx-basic", "t");
	struct nx_filter_query integ = Q("fx-basic::integration", "t");
	struct nx_filter_query bin = Q("fx-basic::bin/fx-tool", "t");
	/* binary_id(): default glob */
	yes("binary_id(fx-basic)", &lib);
	no("binary_id(fx-basic)", &integ);	/* glob is anchored */
	yes("binary_id(fx-basic::*)", &integ);
	yes("binary_id(*::bin/*)", &bin);
	yes("binary_id(=fx-basic::integration)", &integ);
	yes("binary_id(~integ)", &integ);
	yes("binary_id(/::bin\\//)", &bin);	/* \/ is a '/' in a regex */
	/* binary(): the binary name */
	yes("binary(fx_basic)", &lib);		/* lib: crate name with '_' */
	yes("binary(integration)", &integ);
	yes("binary(fx-tool)", &bin);
	no("binary(fx-basic)", &lib);
}

Test(filterset, package_kind_platform)
{
	struct nx_filter_query integ = Q("fx-basic::integration", "t");
	struct nx_filter_query bench = Q("fx-basic::bench/fx-bench", "t");
	struct nx_filter_query lib = Q("fx-macro", "t");
	yes("package(fx-basic)", &integ);
	yes("package(fx-*)", &integ);
	no("package(fx)", &integ);
	yes("package(~basic)", &integ);
	yes("deps(fx-basic)", &integ);
	yes("rdeps(fx-basic)", &integ);
	/* kind(): default matcher is equal */
	yes("kind(test)", &integ);
	no("kind(tes)", &integ);
	yes("kind(bench)", &bench);
	yes("kind(lib)", &lib);
	yes("kind(#b*)", &bench);
	/* explicit kind/package beat derivation */
	lib.kind = "proc-macro";
	lib.package = "other";
	yes("kind(proc-macro)", &lib);
	yes("package(other)", &lib);
	no("package(fx-macro)", &lib);
	/* platform */
	yes("platform(target)", &integ);
	no("platform(host)", &integ);
	integ.platform_is_host = 1;
	yes("platform( host )", &integ);
}

Test(filterset, group_predicate)
{
	struct nx_filter_query q = Q("a", "t");
	yes("group(@global)", &q);
	q.group = "serial";
	yes("group(serial)", &q);
	yes("group(ser*)", &q);
	no("group(@global)", &q);
}

Test(filterset, operators_and_precedence)
{
	struct nx_filter_query q = Q("pkg::it", "mod::alpha");
	yes("test(alpha) and package(pkg)", &q);
	yes("test(alpha) & package(pkg)", &q);
	no("test(alpha) & package(zzz)", &q);
	yes("test(zzz) or package(pkg)", &q);
	yes("test(zzz) | package(pkg)", &q);
	yes("test(zzz) + package(pkg)", &q);
	no("test(zzz) or package(zzz)", &q);
	no("not test(alpha)", &q);
	no("!test(alpha)", &q);
	yes("!!test(alpha)", &q);
	yes("not not test(alpha)", &q);
	yes("not(test(zzz))", &q);
	yes("all() - test(zzz)", &q);
	no("all() - test(alpha)", &q);
	no("package(pkg)-test(alpha)", &q);
	/* and binds tighter than or: none() & all() | all() = (none & all) | all */
	yes("none() & all() | all()", &q);
	no("none() & (all() | all())", &q);
	yes("all() | none() & none()", &q);
	/* not binds tightest: not none() and none() = (not none) and none */
	no("not none() and none()", &q);
	yes("not (none() and none())", &q);
	/* difference is left-associative with and: all - all & none = (all - all) & none */
	no("all() - test(alpha) & all()", &q);
	yes("all() - (test(alpha) & none())", &q);
	/* operators need word boundaries, symbols don't need spaces */
	yes("test(alpha)&test(mod)|none()", &q);
	yes("(test(alpha))", &q);
	yes("\n test(alpha)\r\n and\n all()\n", &q);
}

Test(filterset, escapes)
{
	struct nx_filter_query q = Q("p", "weird(name), with\tstuff/é");
	yes("test(=weird(name\\)\\, with\\tstuff\\/\\u{e9})", &q);
	yes("test(name\\))", &q);
	yes("test(\\u{E9})", &q);
	no("test(=weird)", &q);
}

Test(filterset, default_filter)
{
	char err[100];
	struct nx_filterset *df = nx_filterset_parse("not test(slow)", err, sizeof err);
	cr_assert_not_null(df);
	struct nx_filter_query q = Q("p", "tests::slow");
	q.default_filter = df;
	no("default()", &q);
	yes("default() | test(slow)", &q);
	q.test_name = "tests::fast";
	yes("default()", &q);
	q.default_filter = NULL;
	q.test_name = "tests::slow";
	yes("default()", &q);	/* no default filter = all() */
	nx_filterset_free(df);
}

Test(filterset, globs)
{
	cr_assert_eq(nx_glob_match("a*c", "abbbc"), 1);
	cr_assert_eq(nx_glob_match("a*c", "ab/b::c"), 1);	/* no path semantics */
	cr_assert_eq(nx_glob_match("a?c", "abc"), 1);
	cr_assert_eq(nx_glob_match("a?c", "a\xc3\xa9" "c"), 1);	/* ? is one character */
	cr_assert_eq(nx_glob_match("a?c", "ac"), 0);
	cr_assert_eq(nx_glob_match("[abc]x", "bx"), 1);
	cr_assert_eq(nx_glob_match("[!abc]x", "bx"), 0);
	cr_assert_eq(nx_glob_match("[^abc]x", "dx"), 1);
	cr_assert_eq(nx_glob_match("[a-c]", "b"), 1);
	cr_assert_eq(nx_glob_match("[a-c]", "d"), 0);
	cr_assert_eq(nx_glob_match("[]]", "]"), 1);
	cr_assert_eq(nx_glob_match("foo.{exe,}", "foo."), 1);
	cr_assert_eq(nx_glob_match("foo.{exe,}", "foo.exe"), 1);
	cr_assert_eq(nx_glob_match("{a,b}{c,d}", "bd"), 1);
	cr_assert_eq(nx_glob_match("{a,b}{c,d}", "ba"), 0);
	cr_assert_eq(nx_glob_match("[{]x", "{x"), 1);
	cr_assert_eq(nx_glob_match("a\\b", "a\\b"), 1);	/* backslash is literal */
	cr_assert_eq(nx_glob_match("*", ""), 1);
	cr_assert_eq(nx_glob_match("**a**", "xxa"), 1);
	cr_assert_eq(nx_glob_match("[abc", "a"), -1);
	cr_assert_eq(nx_glob_match("{a,b", "a"), -1);
	cr_assert_eq(nx_glob_match("{a,{b}}", "a"), -1);
	/* pathological backtracking stays fast */
	char s[4001];
	memset(s, 'a', 4000);
	s[4000] = 0;
	cr_assert_eq(nx_glob_match("*a*a*a*a*a*a*a*a*b", s), 0);
}

Test(filterset, errors)
{
	bad("");
	bad("   ");
	bad("test(a) &&  test(b)");
	bad("test(a) || test(b)");
	bad("test(a) AND test(b)");
	bad("test(a) OR test(b)");
	bad("NOT test(a)");
	bad("and test(a)");
	bad("test()");
	bad("test(=)");
	bad("test(a, b)");
	bad("test(a");
	bad("test a");
	bad("tests(a)");
	bad("test(/unclosed)");
	bad("test(/[/)");		/* invalid regex */
	bad("test(#[abc)");		/* invalid glob */
	bad("test(\\q)");		/* invalid escape */
	bad("test(\\u{110000})");
	bad("all(x)");
	bad("platform(moon)");
	bad("(all()");
	bad("all())");
	bad("all() test(a)");
	bad("notall()");
	bad("all() &");
	bad("! ");
	bad("unknown(x)");
	bad(NULL);
}

Test(filterset, limits)
{
	size_t n = NX_FILTERSET_MAX_DEPTH + 5;
	char *s = malloc(2 * n + 8);
	cr_assert_not_null(s);
	memset(s, '(', n);
	strcpy(s + n, "all()");
	memset(s + n + 5, ')', n);
	s[2 * n + 5] = 0;
	bad(s);
	memset(s, '!', n);
	strcpy(s + n, "all()");
	bad(s);
	free(s);
	/* a long flat chain hits the node limit, not the stack */
	size_t k = NX_FILTERSET_MAX_NODES + 10;
	char *c = malloc(k * 8 + 8);
	cr_assert_not_null(c);
	size_t len = 0;
	for (size_t i = 0; i < k; i++) {
		memcpy(c + len, i ? "|all()" : "all()", i ? 6 : 5);
		len += i ? 6 : 5;
	}
	c[len] = 0;
	bad(c);
	free(c);
}

Test(filterset, garbage_never_crashes)
{
	/* random token soup: mostly invalid, sometimes valid */
	static const char *const tokens[] = {
		"all()", "none()", "test(a)", "test(=a::b)", "test(/^a/)", "binary_id(#*)",
		"package(p*)", "kind(lib)", "platform(host)", " & ", " | ", " + ", " - ", " and ",
		" or ", "not ", "!", "(", ")", ",", "\\", "test(", "/", "#[", "{", "~", "=", " ",
		"\n", "&&", "default()", "group(x)", "\\u{41}",
	};
	size_t nt = sizeof tokens / sizeof tokens[0];
	unsigned seed = 99;
	char buf[512];
	int parsed = 0, rejected = 0;
	struct nx_filter_query q = Q("pkg::bin/x", "a::b");
	for (int round = 0; round < 20000; round++) {
		size_t len = 0, count = (size_t)(round % 12) + 1;
		for (size_t i = 0; i < count; i++) {
			seed = seed * 1103515245u + 12345u;
			const char *t = tokens[(seed >> 16) % nt];
			size_t tl = strlen(t);
			memcpy(buf + len, t, tl);
			len += tl;
		}
		buf[len] = 0;
		struct nx_filterset *f = nx_filterset_parse(buf, NULL, 0);
		if (f) {
			int r = nx_filterset_match(f, &q);
			cr_assert(r == 0 || r == 1);
			parsed++;
		} else {
			rejected++;
		}
		nx_filterset_free(f);
	}
	cr_assert(parsed > 100, "parsed %d", parsed);
	cr_assert(rejected > 100, "rejected %d", rejected);
}

/* Regexes follow Rust's regex crate (nextest-filtering builds them with
 * regex::Regex::new at cargo-nextest-0.9.143): an escape inside a class is a
 * class escape.  The cases below were checked against regex 1.13.1. */
Test(filterset, regex_class_escapes)
{
	struct nx_filter_query a1b = Q("fx", "a1b"), a_b = Q("fx", "a_b"), axb = Q("fx", "axb");
	yes("test(/^a[\\d_]b$/)", &a1b);
	yes("test(/^a[\\d_]b$/)", &a_b);
	no("test(/^a[\\d_]b$/)", &axb);
}
