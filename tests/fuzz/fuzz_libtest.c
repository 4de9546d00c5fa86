/* fuzz_libtest.c — libFuzzer target for the libtest-json line parser.
 *
 * Owns: feeding arbitrary bytes to nx_libtest_fuzz_one (spans.h), which
 * splits them on '\n', runs every line through a fresh nx_libtest_stream and
 * aborts if a span leaves its line.  The input is copied into a buffer of
 * exactly its size so ASan sees any read past the end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spans.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, n);
	nx_libtest_fuzz_one(copy, n);
	free(copy);
	return 0;
}
