/* test_shellwords.c — Criterion tests of preload/engine/observe/shellwords.c against the
 * semantics of the shell-words crate's own test cases (split, quote, join,
 * join-then-split identity), plus arena bounds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shellwords.h"

#define MAXW 32
struct split_case {
	const char *in;
	long n;			/* expected count or error */
	const char *w[8];
};

static void check_split(const struct split_case *c)
{
	char out[512];
	const char *argv[MAXW];
	long n = nx_shell_split(c->in, out, sizeof(out), argv, MAXW);
	cr_assert_eq(n, c->n, "split(\"%s\") = %ld, want %ld", c->in, n, c->n);
	for (long i = 0; i < n; i++)
		cr_expect_str_eq(argv[i], c->w[i], "split(\"%s\") word %ld", c->in, i);
}

#define CHECK_ALL(cases) \
	for (size_t i_ = 0; i_ < sizeof(cases) / sizeof(cases[0]); i_++) \
		check_split(&cases[i_])

Test(split, empty_and_whitespace)
{
	static const struct split_case c[] = {
		{ "", 0, { 0 } },
		{ "   ", 0, { 0 } },
		{ "     a", 1, { "a" } },
		{ "\t\t\t\tbar", 1, { "bar" } },
		{ "\t \nc", 1, { "c" } },
		{ "a  ", 1, { "a" } },
		{ "b\t", 1, { "b" } },
		{ "c\t \n \n \n", 1, { "c" } },
		{ "d\n\n", 1, { "d" } },
		{ "foo bar baz", 3, { "foo", "bar", "baz" } },
		{ "a\nb\nc", 3, { "a", "b", "c" } },
	};
	CHECK_ALL(c);
}

Test(split, carriage_return_is_not_special)
{
	static const struct split_case c[] = {
		{ "c\ra\r'\r'\r", 1, { "c\ra\r\r\r" } },
	};
	CHECK_ALL(c);
}

Test(split, single_quotes)
{
	static const struct split_case c[] = {
		{ "''", 1, { "" } },
		{ "'a'", 1, { "a" } },
		{ "'\\'", 1, { "\\" } },
		{ "' \\ '", 1, { " \\ " } },
		{ "'#'", 1, { "#" } },
		{ "'it'\\''s'", 1, { "it's" } },
		{ "a'b c'd", 1, { "ab cd" } },
	};
	CHECK_ALL(c);
}

Test(split, double_quotes)
{
	static const struct split_case c[] = {
		{ "\"\"", 1, { "" } },
		{ "\"\"\"\"", 1, { "" } },
		{ "\"a b c' d\"", 1, { "a b c' d" } },
		{ "\"\\a\"", 1, { "\\a" } },
		{ "\"$\"", 1, { "$" } },
		{ "\"\\$\"", 1, { "$" } },
		{ "\"`\"", 1, { "`" } },
		{ "\"\\`\"", 1, { "`" } },
		{ "\"\\\"\"", 1, { "\"" } },
		{ "\"\\\\\"", 1, { "\\" } },
		{ "\"\n\"", 1, { "\n" } },
		{ "\"\\\n\"", 1, { "" } },
		{ "\"\\\xf0\x9f\xa6\x89\"", 1, { "\\\xf0\x9f\xa6\x89" } },
	};
	CHECK_ALL(c);
}

Test(split, unquoted_backslash)
{
	static const struct split_case c[] = {
		{ "\\|\\&\\;", 1, { "|&;" } },
		{ "\\<\\>", 1, { "<>" } },
		{ "\\(\\)", 1, { "()" } },
		{ "\\$", 1, { "$" } },
		{ "\\`", 1, { "`" } },
		{ "\\\"", 1, { "\"" } },
		{ "\\'", 1, { "'" } },
		{ "\\\n", 0, { 0 } },
		{ " \\\n \n", 0, { 0 } },
		{ "a\\\nb\\\nc", 1, { "abc" } },
		{ "\\\xf0\x9f\xa6\x89", 1, { "\xf0\x9f\xa6\x89" } },
		{ "\\ a", 1, { " a" } },
	};
	CHECK_ALL(c);
}

Test(split, trailing_backslash_is_kept)
{
	static const struct split_case c[] = {
		{ "\\", 1, { "\\" } },
		{ " \\", 1, { "\\" } },
		{ "a\\", 1, { "a\\" } },
	};
	CHECK_ALL(c);
}

Test(split, comments)
{
	static const struct split_case c[] = {
		{ " x # comment ", 1, { "x" } },
		{ " w1#w2 ", 1, { "w1#w2" } },
		{ "'not really a # comment'", 1, { "not really a # comment" } },
		{ " a # very long comment \n b # another comment", 2, { "a", "b" } },
		{ "#", 0, { 0 } },
		{ "# only\nx", 1, { "x" } },
	};
	CHECK_ALL(c);
}

Test(split, errors)
{
	static const struct split_case c[] = {
		{ "'abc", NX_SHELL_ESYNTAX, { 0 } },
		{ "\"", NX_SHELL_ESYNTAX, { 0 } },
		{ "'\\", NX_SHELL_ESYNTAX, { 0 } },
		{ "\"\\", NX_SHELL_ESYNTAX, { 0 } },
		{ "ok 'unterminated", NX_SHELL_ESYNTAX, { 0 } },
	};
	CHECK_ALL(c);
}

Test(split, arena_too_small)
{
	char out[4];
	const char *argv[4];
	cr_expect_eq(nx_shell_split("abcd", out, sizeof(out), argv, 4), NX_SHELL_ENOSPC);
	cr_expect_eq(nx_shell_split("abc", out, sizeof(out), argv, 4), 1);
	cr_expect_str_eq(argv[0], "abc");
	cr_expect_eq(nx_shell_split("a b c", out, 16 > sizeof(out) ? sizeof(out) : 16, argv, 4),
		     NX_SHELL_ENOSPC);
	char big[64];
	cr_expect_eq(nx_shell_split("a b c", big, sizeof(big), argv, 2), NX_SHELL_ENOSPC);
	cr_expect_eq(nx_shell_split("a b", big, sizeof(big), argv, 2), 2);
}

/* The documented worst case: many one-byte and empty words. */
Test(split, documented_bound_suffices)
{
	static const char *ins[] = { "a b c d e f g", "'' '' '' ''", "a", "", "ab\\ ", "x\\" };
	for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
		size_t len = strlen(ins[i]);
		size_t cap = len + 1 + len / 2 + 1, max = len / 2 + 1;
		char *out = malloc(cap);
		const char **argv = malloc(max * sizeof(*argv));
		cr_expect_geq(nx_shell_split(ins[i], out, cap, argv, max), 0, "%s", ins[i]);
		free(out);
		free(argv);
	}
}

/* ---- quote / join ---- */

static void expect_join(const char *const *w, size_t n, const char *want)
{
	char out[512];
	size_t len = nx_shell_join(w, n, out, sizeof(out));
	cr_expect_str_eq(out, want);
	cr_expect_eq(len, strlen(want));
}

#define JOIN1(word, want) do { const char *w_[] = { word }; expect_join(w_, 1, want); } while (0)

Test(join, quote_rules)
{
	JOIN1("", "''");
	JOIN1("'", "''\\'''");
	JOIN1("abc", "abc");
	JOIN1("a \n  b", "'a \n  b'");
	JOIN1("X'\nY", "'X'\\''\nY'");
	JOIN1("~user", "~user");		/* the crate lists U+02DC, not '~' */
	JOIN1("\xcb\x9c", "'\xcb\x9c'");	/* U+02DC is quoted */
	JOIN1("a=b", "'a=b'");
	JOIN1("50%", "'50%'");
	JOIN1("-_./:,+@^!{}]", "-_./:,+@^!{}]");	/* not in the crate's list */
	JOIN1("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
	JOIN1("\r", "\r");			/* CR is not special */
	static const char specials[] = "|&;<>()$`\\\" \t*?[#=%";
	for (const char *p = specials; *p; p++) {
		char w[2] = { *p, 0 }, want[8];
		snprintf(want, sizeof(want), "'%c'", *p);
		JOIN1(w, want);
	}
}

Test(join, words)
{
	const char *a[] = { "a", "b", "c" };
	expect_join(a, 3, "a b c");
	const char *b[] = { " ", "$", "\n" };
	expect_join(b, 3, "' ' '$' '\n'");
	expect_join(NULL, 0, "");
}

Test(join, truncates_like_snprintf)
{
	const char *a[] = { "hello", "wor ld" };
	char out[6];
	size_t n = nx_shell_join(a, 2, out, sizeof(out));
	cr_expect_eq(n, strlen("hello 'wor ld'"));
	cr_expect_str_eq(out, "hello");
}

static void roundtrip(const char *const *w, size_t n)
{
	char line[1024], out[2048];
	const char *argv[MAXW];
	size_t len = nx_shell_join(w, n, line, sizeof(line));
	cr_assert_lt(len, sizeof(line));
	long got = nx_shell_split(line, out, sizeof(out), argv, MAXW);
	cr_assert_eq(got, (long)n, "join->split of %zu words gave %ld: %s", n, got, line);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(argv[i], w[i], "word %zu of %s", i, line);
}

#define RT(...) do { const char *w_[] = { __VA_ARGS__ }; roundtrip(w_, sizeof(w_) / sizeof(w_[0])); } while (0)

Test(join, then_split_is_identity)
{
	RT("a");
	RT("python", "-c", "print('Hello world!')");
	RT("echo", " arg with spaces ", "arg ' with \" quotes");
	RT("even newlines are quoted correctly\n", "\n", "\n\n\t ");
	RT("$", "`test`");
	RT("cat", "~user/log*");
	RT("test", "'a \"b", "\"X'");
	RT("empty", "", "", "");
	RT("#comment", "a#b", "#");
	RT("\\", "\\\\", "\\'", "'\\", "a\\\nb");
	RT("\r\r", "\x01\x1f\x7f", "\xc3\xa9\xf0\x9f\x98\x80", "\xcb\x9c~");
	RT("--exact", "mod::tests::it_works", "--nocapture", "--test-threads=1");
}
