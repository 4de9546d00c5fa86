/* fuzz_reporter.c — libFuzzer target for the human-reporter (stderr) line
 * parser.
 *
 * Owns: feeding arbitrary bytes to nx_reporter_fuzz_one (spans.h):
 * split on '\n', ANSI-stripped, parsed, every span checked to lie inside its
 * line.  The input is copied into an exact-size buffer for ASan. */
#include <stdint.h>

#include "spans.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	return nx_spans_fuzz_copy(nx_reporter_fuzz_one, data, n);
}
