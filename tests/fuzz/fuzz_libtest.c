/* fuzz_libtest.c — libFuzzer target for the libtest-json line parser.
 *
 * Owns: feeding arbitrary bytes to nx_libtest_fuzz_one (spans.h), which
 * splits them on '\n', runs every line through a fresh nx_libtest_stream and
 * aborts if a span leaves its line.  The input is copied into a buffer of
 * exactly its size so ASan sees any read past the end. */
#include <stdint.h>

#include "spans.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	return nx_spans_fuzz_copy(nx_libtest_fuzz_one, data, n);
}
