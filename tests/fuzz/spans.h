/* spans.h — the parsers' self-checks, shared by the fuzz targets and the
 * unit tests.
 *
 * Owns: feeding arbitrary bytes to a parser, line by line, and checking that
 * every span it returns lies inside its line (abort() if not); the line
 * splitting and the fuzz targets' exact-size copy they share.  Test code
 * only: the library never calls abort().
 */
#ifndef NX_TEST_SPANS_H
#define NX_TEST_SPANS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Human-reporter lines (preload/engine/parse/reporter.h): split on '\n',
 * each piece ANSI-stripped and parsed.  Returns the number of lines that
 * parsed to something. */
int nx_reporter_fuzz_one(const uint8_t *data, size_t n);

/* libtest-json lines (tests/unit/libtest/libtest.h) through a fresh
 * nx_libtest_stream.  Returns the number of lines that yielded an event. */
int nx_libtest_fuzz_one(const uint8_t *data, size_t n);

/* Calls line(ctx, p, len) on every '\n'-separated piece of data[n] (the last one may be
 * empty) and returns how many of the calls returned nonzero. */
static inline int nx_spans_each_line(const uint8_t *data, size_t n,
				     int (*line)(void *ctx, const char *p, size_t len), void *ctx)
{
	size_t i = 0;
	int got = 0;

	while (i <= n) {
		const uint8_t *nl = i < n ? memchr(data + i, '\n', n - i) : NULL;
		size_t len = nl ? (size_t)(nl - (data + i)) : n - i;
		got += line(ctx, (const char *)data + i, len) != 0;
		if (!nl)
			break;
		i += len + 1;
	}
	return got;
}

/* A libFuzzer target's body: fuzz_one on a copy of data in a buffer of exactly n bytes,
 * so ASan sees any read past the end. */
static inline int nx_spans_fuzz_copy(int (*fuzz_one)(const uint8_t *, size_t),
				     const uint8_t *data, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, n);
	fuzz_one(copy, n);
	free(copy);
	return 0;
}

#endif
