/* linetests.h — what the two line-parser test files (test_reporter.c, test_libtest.c) share.
 *
 * Owns: the xorshift generator their random cases draw from, token soup, feeding a text
 * to a line parser through lines.h whole, byte by byte or in random chunks, comparing two
 * runs' per-line signatures, and the seed-corpus check (tests/fuzz/corpus/).  Static
 * functions: each test file includes it once.
 */
#ifndef NX_TEST_LINETESTS_H
#define NX_TEST_LINETESTS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lines.h"

#define SP(s) (int)(s).n, (s).p
#define APP(...) (o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, __VA_ARGS__))
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* `words` random tokens of tok[ntok] into out, as many as fit in cap bytes; returns the
 * length. */
static size_t soup(char *out, size_t cap, const char *const *tok, size_t ntok, int words)
{
	size_t n = 0;
	for (int w = 0; w < words; w++) {
		const char *t = tok[rnd() % ntok];
		size_t k = strlen(t);
		if (n + k >= cap)
			break;
		memcpy(out + n, t, k);
		n += k;
	}
	return n;
}

/* text[n] through a fresh nx_lines (lines of up to 4096 bytes) into fn(ctx): in one write
 * (max_chunk 0), or in writes of 1 to max_chunk bytes (random lengths past 1). */
static void feed(const char *text, size_t n, size_t max_chunk, nx_line_fn fn, void *ctx)
{
	struct nx_lines l;
	nx_lines_init(&l, 4096);
	for (size_t i = 0; i < n;) {
		size_t k = max_chunk == 0 ? n : max_chunk == 1 ? 1 : 1 + rnd() % max_chunk;
		if (k > n - i)
			k = n - i;
		nx_lines_feed(&l, text + i, k, fn, ctx);
		i += k;
	}
	nx_lines_finish(&l, fn, ctx);
}

/* Two runs gave the same signature for every line (`what` names the run in a failure). */
static void same_sigs(char (*got)[512], int ngot, char (*want)[512], int nwant, const char *what)
{
	cr_assert_eq(ngot, nwant, "%s", what);
	for (int j = 0; j < nwant; j++)
		cr_assert_str_eq(got[j], want[j], "%s line %d", what, j);
}

/* Every seed file parses to more than `min` lines through fuzz_one (the fuzz self-check of
 * tests/fuzz/spans.h, which aborts on a span outside its line). */
static void seeds_parse(const char *const *files, size_t nfiles,
			int (*fuzz_one)(const uint8_t *, size_t), int min)
{
	static char buf[65536];
	for (size_t i = 0; i < nfiles; i++) {
		FILE *f = fopen(files[i], "rb");
		cr_assert_not_null(f, "missing %s (run from the repository root)", files[i]);
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		cr_assert_gt(fuzz_one((const uint8_t *)buf, n), min, "%s", files[i]);
	}
}

#endif
