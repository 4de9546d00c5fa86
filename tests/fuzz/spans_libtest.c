/* spans_libtest.c — the libtest-json parser's self-check (see spans.h). */
#include <stdlib.h>

#include "../unit/libtest/libtest.h"
#include "spans.h"

static void check_span(struct nx_libtest_span s, const char *base, size_t n)
{
	if (s.n == 0)
		return;
	if (s.p < base || s.n > n || s.p + s.n > base + n)
		abort();
}

/* One line through the stream ctx; 1 if it yielded an event (its spans checked). */
static int one_line(void *ctx, const char *line, size_t len)
{
	struct nx_libtest_event ev;

	if (nx_libtest_stream_line(ctx, line, len, &ev) == NX_LIBTEST_NONE)
		return 0;
	const struct nx_libtest_span all[] = {
		ev.name, ev.crate, ev.binary, ev.test, ev.test_raw, ev.reason,
		ev.exec_time, ev.nx_crate, ev.nx_binary, ev.nx_kind,
	};
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		check_span(all[k], line, len);
	if ((ev.kind == NX_LIBTEST_TEST_DONE || ev.kind == NX_LIBTEST_TEST_STARTED) &&
	    (ev.crate.n == 0 || ev.binary.n == 0 || ev.test.n == 0))
		abort();
	return 1;
}

int nx_libtest_fuzz_one(const uint8_t *data, size_t n)
{
	struct nx_libtest_stream st = { 0, 0 };
	return nx_spans_each_line(data, n, one_line, &st);
}
