/* spans.h — the parsers' self-checks, shared by the fuzz targets and the
 * unit tests.
 *
 * Owns: feeding arbitrary bytes to a parser, line by line, and checking that
 * every span it returns lies inside its line (abort() if not).  Test code
 * only: the library never calls abort().
 */
#ifndef NX_TEST_SPANS_H
#define NX_TEST_SPANS_H

#include <stddef.h>
#include <stdint.h>

/* Human-reporter lines (preload/engine/parse/reporter.h): split on '\n',
 * each piece ANSI-stripped and parsed.  Returns the number of lines that
 * parsed to something. */
int nx_reporter_fuzz_one(const uint8_t *data, size_t n);

/* libtest-json lines (tests/unit/libtest/libtest.h) through a fresh
 * nx_libtest_stream.  Returns the number of lines that yielded an event. */
int nx_libtest_fuzz_one(const uint8_t *data, size_t n);

#endif
