/* test_rustregex.c — filterset regexes: Rust regex syntax and meaning, run
 * by PCRE2 (preload/engine/parse/rustregex.c).
 *
 * Owns: classes, escapes, anchors, Unicode, stacked repetitions, the
 * patterns the regex crate rejects (with its messages), the constructs this
 * module reports as unsupported, and a missing libpcre2-8.  Every expected
 * result was checked against regex 1.13.1 / regex-syntax 0.8.11, the
 * versions cargo-nextest-0.9.143 locks.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/engine/parse/filterset.h"
#include "../../preload/engine/parse/rustregex.h"

static int rx(const char *pattern, const char *subject)
{
	char err[200] = "";
	int unsup = -1;
	struct nx_rustregex *r = nx_rustregex_compile(pattern, err, sizeof err, &unsup);
	cr_assert_not_null(r, "compile /%s/: %s", pattern, err);
	cr_assert_eq(unsup, 0);
	int m = nx_rustregex_match(r, subject);
	nx_rustregex_free(r);
	return m;
}

#define YES(p, s) cr_assert_eq(rx(p, s), 1, "/%s/ should match '%s'", p, s)
#define NO(p, s) cr_assert_eq(rx(p, s), 0, "/%s/ should not match '%s'", p, s)

/* Rejected: NULL, a message containing want, and whether it is "unsupported". */
static void rejected(const char *pattern, const char *want, int unsupported)
{
	char err[200] = "";
	int unsup = -1;
	struct nx_rustregex *r = nx_rustregex_compile(pattern, err, sizeof err, &unsup);
	cr_assert_null(r, "/%s/ should be rejected", pattern);
	cr_assert(strstr(err, want), "/%s/: '%s' lacks '%s'", pattern, err, want);
	cr_assert_eq(unsup, unsupported, "/%s/: %s", pattern, err);
}

Test(rustregex, classes)
{
	YES("^a[\\d_]b$", "a1b");
	YES("^a[\\d_]b$", "a_b");
	NO("^a[\\d_]b$", "axb");
	YES("^[^\\d]$", "x");
	NO("^[^\\d]$", "\xd9\xa3");	/* ARABIC-INDIC DIGIT THREE is a \d */
	YES("^[\\w-]+$", "fx-basic_2");
	YES("^[[:alpha:]]+$", "abc");
	YES("^[[:^alpha:]]$", "1");
	YES("[]a]", "]");
	YES("[^]a]", "b");
	YES("[a\\]]", "]");
	YES("^[a-]$", "-");
	YES("^[:a]$", ":");	/* a plain class, not a POSIX name */
	NO("^[:a]$", "b");
	YES("^[\\p{Greek}]$", "\xce\xb1");
	YES("^[\\-\\[]+$", "-[");
}

/* POSIX classes are ASCII in Rust (PCRE2's are Unicode under UCP). */
Test(rustregex, posix_classes_are_ascii)
{
	NO("[[:alpha:]]", "\xc3\xa9");
	NO("[[:word:]]", "\xc3\xa9");
	NO("[[:space:]]", "\xc2\xa0");
	YES("^[[:^alpha:]]$", "\xc3\xa9");
	YES("^[^[:alpha:]]$", "\xc3\xa9");
	YES("^[[:alpha:][:digit:]]+$", "a1");
	YES("^[[:punct:]]+$", "!/:@[`{~");
	NO("^[[:punct:]]$", "a");
	YES("(?i)^[[:upper:]]$", "a");
	YES("^[[:xdigit:]]+$", "09afAF");
	NO("^[[:xdigit:]]$", "g");
}

Test(rustregex, escapes)
{
	YES("^\\d+$", "0123");
	NO("^\\d+$", "12a");
	YES("^\\D$", "a");
	YES("^\\w+$", "na\xc3\xafve");	/* Unicode \w */
	NO("^\\w+$", "a b");
	YES("^\\W$", " ");
	YES("^\\s$", "\xc2\xa0");	/* NO-BREAK SPACE is a \s */
	YES("^a\\sb$", "a\tb");
	NO("^\\S$", " ");
	YES("\\bslow\\b", "tests::slow");
	NO("\\bslow\\b", "tests::slowly");
	YES("\\Bow", "slow");
	YES("\\b\xc3\xa9\\b", " \xc3\xa9 ");
	YES("\\<a", "a");
	NO("\\<a", "ba");
	YES("a\\>", "a b");
	YES("\\b{start}a", "a");
	YES("^\\x41\\x{263a}\\u263a\\U0001F600$", "A\xe2\x98\xba\xe2\x98\xba\xf0\x9f\x98\x80");
	YES("^\\v$", "\x0b");	/* a vertical tab, not PCRE2's class */
	NO("^\\v$", "\n");
	YES("^\\t\\n$", "\t\n");
	YES("^\\.\\-\\&\\~\\#\\ $", ".-&~# ");
	YES("^\\p{Lowercase_Letter}\\p{gc=Lu}\\P{Letter}\\pL$", "aB1x");
	YES("a/b", "a/b");
}

Test(rustregex, anchors_and_search)
{
	YES("slow", "tests::slow_one");	/* unanchored search */
	YES("^tests::", "tests::slow_one");
	NO("^slow", "tests::slow_one");
	YES("one$", "tests::slow_one");
	NO("a$", "a\n");	/* $ is the end of the text, not before a final \n */
	YES("(?m)^a$", "b\na");
	NO("^a$", "b\na");
	YES("\\Aab\\z", "ab");
	NO("(?s:.)x|^.$", "\n");
	YES("(?s)^.$", "\n");
	YES("^$", "");
	YES("", "anything");
}

Test(rustregex, unicode_and_case)
{
	YES("^.$", "\xc3\xa9");	/* one character, two bytes */
	YES("(?i)^\xc3\x89$", "\xc3\xa9");
	YES("(?i)k", "\xe2\x84\xaa");	/* KELVIN SIGN folds to k */
	NO("(?i)stra\xc3\x9f" "e", "STRASSE");	/* simple case folding only */
	YES("(?i:A)b", "ab");
	NO("(?i:A)b", "aB");
	YES("(?i)[a-z]", "K");
	YES("\\p{Han}", "\xe4\xb8\xad");
	YES("^\xc3\xa9+$", "\xc3\xa9\xc3\xa9");	/* a repetition repeats the character */
	NO("^\\w$", "\xff");	/* a subject that is not UTF-8 never matches */
}

Test(rustregex, repetitions)
{
	YES("^a**$", "aaa");
	YES("^a++a$", "aa");	/* (a+)+a, not a possessive a++ */
	YES("^a*+$", "");
	YES("^a{2}{3}$", "aaaaaa");
	NO("^a{2}{3}$", "aaaaa");
	YES("^(ab)+*c$", "ababc");
	YES("^a+?$", "aaa");
	YES("^x{2,}$", "xxx");
	YES("^x{0}$", "");
	YES("^(?:a|b)+$", "abba");
	YES("^(?<n>a)(?P<m>b)$", "ab");
	YES("^(?x) a b $", "ab");
	/* backtracking-heavy patterns stay fast: the DFA matcher never backtracks */
	char s[4001];
	memset(s, 'a', 4000);
	s[4000] = 0;
	NO("^(a+)+$b", s);
	NO("(a|aa)*c", s);
}

Test(rustregex, invalid_patterns)
{
	rejected("(a)\\1", "invalid regex: backreferences are not supported", 0);
	rejected("\\0", "backreferences are not supported", 0);
	rejected("(?=a)", "look-around, including look-ahead and look-behind, is not supported", 0);
	rejected("(?!a)", "look-around", 0);
	rejected("(?<=a)b", "look-around", 0);
	rejected("(?<!a)b", "look-around", 0);
	rejected("(?>a)", "unrecognized flag", 0);
	rejected("(?1)", "unrecognized flag", 0);
	rejected("(?#c)a", "unrecognized flag", 0);
	rejected("\\Qa\\E", "unrecognized escape sequence", 0);
	rejected("\\K", "unrecognized escape sequence", 0);
	rejected("\\Z", "unrecognized escape sequence", 0);
	rejected("\\h", "unrecognized escape sequence", 0);
	rejected("(*FAIL)", "repetition operator missing expression", 0);
	rejected("*", "repetition operator missing expression", 0);
	rejected("a|*", "repetition operator missing expression", 0);
	rejected("a{,3}", "repetition quantifier expects a valid decimal", 0);
	rejected("a{", "unclosed counted repetition", 0);
	rejected("a{3,1}", "the start must be <= the end", 0);
	rejected("\\", "incomplete escape sequence", 0);
	rejected("(", "unclosed group", 0);
	rejected(")", "unopened group", 0);
	rejected("[", "unclosed character class", 0);
	rejected("[[:alpha:]", "unclosed character class", 0);
	rejected("[\\b]", "invalid escape sequence found in character class", 0);
	rejected("(?ii)a", "duplicate flag", 0);
	rejected("(?i-)a", "dangling flag negation operator", 0);
	rejected("\\b{foo}", "unrecognized special word boundary assertion", 0);
	rejected("\\p{L&}", "Unicode property not found", 0);
	rejected("[z-a]", "invalid regex", 0);
	rejected("[\\d-z]", "invalid regex", 0);
	rejected("\\p{NoSuchScript}", "invalid regex", 0);
}

Test(rustregex, unsupported_constructs)
{
	/* valid for the regex crate, not translated here: reported, not guessed */
	rejected("[a-z&&[^b]]", "unsupported regex: character class set operations", 1);
	rejected("[[a]]", "unsupported regex: nested character classes", 1);
	rejected("(?-u)\\w", "unsupported regex: (?-u)", 1);
	rejected("[a[:^digit:]]", "unsupported regex: a negated POSIX class", 1);
}

Test(rustregex, in_filtersets)
{
	char err[200] = "";
	struct nx_filterset *f = nx_filterset_parse("test(/^a[\\d_]b$/) - test(/(?i)^A1/)", err, sizeof err);
	cr_assert_not_null(f, "%s", err);
	struct nx_filter_query q = { "fx", "a_b", NULL, NULL, NULL, NULL, 0, NULL };
	cr_assert_eq(nx_filterset_match(f, &q), 1);
	q.test_name = "a1b";
	cr_assert_eq(nx_filterset_match(f, &q), 0);
	nx_filterset_free(f);
	cr_assert_null(nx_filterset_parse("test(/(?=x)/)", err, sizeof err));
	cr_assert(strstr(err, "invalid regex: look-around"), "%s", err);
}

/* Without libpcre2-8 a regex is reported unsupported; everything else works. */
Test(rustregex, library_missing)
{
	nx_rustregex_use_library("libpcre2-8-not-installed.so.0");
	rejected("^a$", "unsupported regex: libpcre2-8-not-installed.so.0 could not be loaded", 1);
	char err[200] = "";
	cr_assert_null(nx_filterset_parse("test(/a/) | all()", err, sizeof err));
	cr_assert(strstr(err, "unsupported regex"), "%s", err);
	struct nx_filterset *f = nx_filterset_parse("test(~a) | package(#fx-*)", err, sizeof err);
	cr_assert_not_null(f, "%s", err);
	struct nx_filter_query q = { "fx-basic", "b", NULL, NULL, NULL, NULL, 0, NULL };
	cr_assert_eq(nx_filterset_match(f, &q), 1);
	nx_filterset_free(f);
	/* a pattern Rust rejects is still "invalid", checked before loading */
	rejected("(a)\\1", "invalid regex: backreferences", 0);
}
