/* fuzz_toml.c — libFuzzer target for the TOML parser (preload/engine/parse/toml.h).
 *
 * Owns: parsing arbitrary bytes (exact-size heap copy, not NUL-terminated);
 * a parse error must come with a message; a parsed tree is walked, cloned,
 * merged into its clone and freed.  Checks that the clone has the same shape
 * as the original and that merging a tree into its own clone keeps every
 * top-level key.  Violations abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_toml: %s\n", what);
	abort();
}

/* Number of nodes, and a bound on depth as a sanity check. */
static size_t walk(const struct nx_toml *t, int depth)
{
	if (depth > NX_TOML_MAX_DEPTH + 2)
		fail("tree deeper than NX_TOML_MAX_DEPTH");
	size_t n = 1, kids = 0;
	for (const struct nx_toml *c = t->head; c; c = c->next, kids++)
		n += walk(c, depth + 1);
	if (kids != t->count)
		fail("count differs from the number of children");
	if ((t->type == NX_TOML_STRING || t->type == NX_TOML_DATETIME) &&
	    (!t->str || strlen(t->str) != t->len))
		fail("string length field wrong");
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, n);
	char err[256] = "";
	struct nx_toml *t = nx_toml_parse(copy, n, err, sizeof err);
	if (!t) {
		if (!err[0])
			fail("NULL without an error message");
		free(copy);
		return 0;
	}
	if (t->type != NX_TOML_TABLE)
		fail("root is not a table");
	size_t nodes = walk(t, 0);
	if (nodes > NX_TOML_MAX_NODES + 1)
		fail("more nodes than NX_TOML_MAX_NODES");
	for (size_t i = 0; i < t->count; i++) {
		const struct nx_toml *v = nx_toml_at(t, i);
		if (!v || !v->key || nx_toml_get(t, v->key) == NULL)
			fail("top-level key not found by nx_toml_get");
	}
	struct nx_toml *c = nx_toml_clone(t);
	if (c) {
		if (walk(c, 0) != nodes)
			fail("clone has a different node count");
		if (nx_toml_merge(c, t) == 0) {
			for (size_t i = 0; i < t->count; i++)
				if (!nx_toml_get(c, nx_toml_at(t, i)->key))
					fail("merge lost a key");
		}
		nx_toml_free(c);
	}
	nx_toml_free(t);
	free(copy);
	return 0;
}
