/* filterset.h — nextest filterset expressions, parsed and evaluated in C.
 *
 * Owns: the filterset DSL subset the shim needs to decide which overrides and
 * setup scripts apply to a test (nextest-filtering/src/parsing.rs at
 * 0.9.143):
 *   predicates  all() none() default() test() binary() binary_id() package()
 *               deps() rdeps() kind() platform(host|target) group()
 *   matchers    =exact  ~contains  /regex/  #glob, and the default matcher of
 *               each predicate: test → contains, kind → equal, every other
 *               name predicate → glob
 *   operators   not / !  (tightest), and / & / - (difference, left to right),
 *               or / | / + (loosest); parentheses.  && || AND OR NOT are
 *               errors, as in nextest.
 * Whitespace is ' ' and newlines only (as nextest's ws()).  Matcher text runs
 * to the next unescaped ',' or ')' with escapes \n \r \t \b \f \\ \/ \) \,
 * \u{…}; it is not trimmed.  Regexes have Rust's regex syntax and meaning
 * (rustregex.h: PCRE2, loaded on first use; without it a regex is an
 * "unsupported regex" error); globs are glob.h's.
 * Approximations (no cargo package graph here): deps(x) and rdeps(x) match
 * the test's own package only.
 * Bounded: expressions up to NX_FILTERSET_MAX_LEN bytes, NX_FILTERSET_MAX_NODES
 * nodes, nesting NX_FILTERSET_MAX_DEPTH.  Errors are returns, never crashes.
 */
#ifndef NX_FILTERSET_H
#define NX_FILTERSET_H

#include <stddef.h>

#include "glob.h"	/* nx_glob_match, the glob matcher on its own */

#define NX_FILTERSET_MAX_LEN 65536
#define NX_FILTERSET_MAX_NODES 2048
#define NX_FILTERSET_MAX_DEPTH 128

struct nx_filterset;

/* What a test is, for evaluation.  NULL fields are derived from binary_id
 * ("pkg", "pkg::name", "pkg::kind/name"): package = text before "::";
 * kind = "lib" (no "::"), "test" (no '/'), else the text before '/';
 * binary_name = text after the '/' or "::", or for a lib the package name
 * with '-' replaced by '_'.  group NULL = "@global". */
struct nx_filter_query {
	const char *binary_id;
	const char *test_name;
	const char *package;
	const char *kind;
	const char *binary_name;
	const char *group;
	int platform_is_host;	/* 1 = the binary runs on the host platform (proc-macro) */
	/* what default() evaluates to; NULL = all() */
	const struct nx_filterset *default_filter;
};

/* Parse; NULL on error with a message in err. */
struct nx_filterset *nx_filterset_parse(const char *expr, char *err, size_t errcap);
/* 1 if the test matches, 0 if not. */
int nx_filterset_match(const struct nx_filterset *f, const struct nx_filter_query *q);
void nx_filterset_free(struct nx_filterset *f);

#endif
