/* fuzz_filterset.c — libFuzzer target for the filterset parser and matcher
 * (preload/engine/parse/filterset.h), and the glob matcher on its own.
 *
 * Owns: input = EXPR [NUL PATTERN NUL STRING].  EXPR is parsed (a failure
 * must come with a message); a parsed filterset is evaluated against a few
 * test identities (results must be 0 or 1); PATTERN/STRING go to
 * nx_glob_match (result -1, 0 or 1); EXPR is also compiled on its own as a
 * Rust regex (rustregex.h: a failure must come with a message, a match
 * result must be 0 or 1), and as a `platform` target spec (platform.h:
 * -1, 0 or 1).  Violations abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filterset.h"
#include "platform.h"
#include "rustregex.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_filterset: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *text = malloc(n + 1);
	if (!text)
		return 0;
	memcpy(text, data, n);
	text[n] = '\0';
	size_t elen = strlen(text);

	char err[256] = "";
	struct nx_filterset *f = nx_filterset_parse(text, err, sizeof err);
	if (!f && !err[0])
		fail("NULL without an error message");
	if (f) {
		static const struct nx_filter_query qs[] = {
			{ "fx-basic", "basic::pass_quick", NULL, NULL, NULL, NULL, 0, NULL },
			{ "fx-basic::bin/fx-tool", "tests::tool_doubles", NULL, NULL, NULL, "serial", 0, NULL },
			{ "fx-hostile::names", "hostile \"q\" \\ $x #2 @stress-1", NULL, NULL, NULL, NULL, 1, NULL },
			{ "", "", NULL, NULL, NULL, NULL, 0, NULL },
		};
		for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
			int m = nx_filterset_match(f, &qs[i]);
			if (m != 0 && m != 1)
				fail("match returned neither 0 nor 1");
			struct nx_filter_query q = qs[i];
			q.default_filter = f;	/* default() evaluates to the same set */
			if (nx_filterset_match(f, &q) != 0 && nx_filterset_match(f, &q) != 1)
				fail("match with default() returned neither 0 nor 1");
		}
		nx_filterset_free(f);
	}
	err[0] = '\0';
	struct nx_rustregex *r = nx_rustregex_compile(text, err, sizeof err, NULL);
	if (!r && !err[0])
		fail("regex: NULL without an error message");
	if (r) {
		static const char *const subjects[] = { "", "a", "tests::slow_one", "na\xc3\xafve \xd9\xa3\n",
							"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" };
		for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
			int m = nx_rustregex_match(r, subjects[i]);
			if (m != 0 && m != 1)
				fail("regex match returned neither 0 nor 1");
		}
		nx_rustregex_free(r);
	}
	int pl = nx_platform_eval(text);
	if (pl < -1 || pl > 1)
		fail("platform spec returned an undocumented value");
	if (elen < n) {
		const char *pat = text + elen + 1;
		size_t plen = strlen(pat);
		const char *s = elen + 1 + plen < n ? pat + plen + 1 : "";
		int g = nx_glob_match(pat, s);
		if (g < -1 || g > 1)
			fail("glob returned an undocumented value");
	}
	free(text);
	return 0;
}
