/* rustregex.h — regexes with the syntax and meaning of Rust's `regex` crate,
 * run by PCRE2.
 *
 * Owns: the regexes of filtersets (`test(/…/)`).  nextest builds them with
 * regex::Regex::new (nextest-filtering/src/parsing.rs at cargo-nextest-0.9.143):
 * unanchored search, Unicode by default, no backreferences or look-around.
 * A pattern is checked and rewritten from Rust's syntax into PCRE2's (the
 * constructs PCRE2 reads differently: \v \u \x \< \> \b{start}, stacked
 * repetitions, ASCII-only [:alpha:] classes, long category names, (?R) (?u)
 * flags) and compiled with UTF and UCP; what Rust
 * rejects is rejected with regex-syntax's own message.  Matching uses
 * PCRE2's DFA matcher, which never backtracks; a subject that is not UTF-8
 * never matches (Rust's &str always is).  Not translated, so reported as
 * unsupported: nested classes, class set operations (&& -- ~~), (?-u), a
 * negated POSIX class beside other class items ([a[:^digit:]]).
 * Debian's libpcre2-8 is dlopen()ed on first use, in the runner only (as
 * cjson.h does for cJSON); when it cannot be loaded, compiling reports the
 * regex as unsupported and nothing else changes.
 */
#ifndef NX_RUSTREGEX_H
#define NX_RUSTREGEX_H

#include <stddef.h>

struct nx_rustregex;

/* Compiles pattern.  NULL on failure with a message in err ("invalid regex:
 * …" for a pattern Rust rejects too, "unsupported regex: …" for one this
 * module cannot run); *unsupported (if non-NULL) tells the two apart. */
struct nx_rustregex *nx_rustregex_compile(const char *pattern, char *err, size_t errcap,
					  int *unsupported);
/* 1 if the regex matches somewhere in s, else 0 (also on a matcher error). */
int nx_rustregex_match(const struct nx_rustregex *r, const char *s);
void nx_rustregex_free(struct nx_rustregex *r);

/* Loads PCRE2 from soname instead of libpcre2-8.so.0; only before the first
 * compile (tests use it to see the library missing). */
void nx_rustregex_use_library(const char *soname);

#endif
