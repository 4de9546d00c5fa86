/* test_cursor.c — the shared parsing helpers (preload/engine/parse/cursor.c,
 * utf8.c).
 *
 * Owns: the unsigned decimal's bounds, the first-error message and its two
 * position forms, the cursor's literal helpers, UTF-8 round trips and the
 * lenient decoder always advancing.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../../preload/engine/parse/cursor.h"
#include "../../preload/engine/parse/utf8.h"

Test(cursor, decimal)
{
	uint64_t v = 7;
	cr_assert_eq(nx_cursor_decimal("18446744073709551615x", 21, &v), 20);
	cr_assert_eq(v, UINT64_MAX);
	v = 7;
	cr_assert_eq(nx_cursor_decimal("18446744073709551616", 20, &v), 0);	/* overflow */
	cr_assert_eq(v, 7, "nothing stored on overflow");
	cr_assert_eq(nx_cursor_decimal("x1", 2, &v), 0);
	cr_assert_eq(nx_cursor_decimal("123", 2, &v), 2, "stops at n");
	cr_assert_eq(v, 12);
	struct nx_cursor c = { .s = "42ms", .n = 4 };
	cr_assert(nx_cursor_udec(&c, &v));
	cr_assert_eq(v, 42);
	cr_assert_eq(c.pos, 2);
	cr_assert_not(nx_cursor_udec(&c, &v));
	cr_assert_eq(c.pos, 2, "nothing consumed without a digit");
	cr_assert(nx_cursor_eat(&c, "ms"));
	cr_assert(nx_cursor_at_end(&c));
	cr_assert_eq(nx_cursor_peek(&c), -1);
}

Test(cursor, first_error_with_position)
{
	char err[64];
	struct nx_cursor c = { .s = "abc", .n = 3, .pos = 2, .err = err, .errcap = sizeof err };
	nx_cursor_fail(&c, "bad %s", "thing");
	nx_cursor_fail(&c, "second");
	cr_assert(c.failed);
	cr_assert_str_eq(err, "at 2: bad thing");
	struct nx_cursor t = { .s = "x", .n = 1, .line = 4, .err = err, .errcap = sizeof err };
	nx_cursor_fail(&t, "oops");
	cr_assert_str_eq(err, "line 4: oops");
	char tiny[4];
	struct nx_cursor s = { .s = "x", .n = 1, .err = tiny, .errcap = sizeof tiny };
	nx_cursor_fail(&s, "long message");
	cr_assert_eq(strlen(tiny), 3, "truncated, terminated");
}

Test(cursor, utf8)
{
	static const uint32_t cps[] = { 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff };
	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		char b[5] = { 0 };
		size_t n = nx_utf8_encode(cps[i], b);
		uint32_t back;
		cr_assert_eq(nx_utf8_decode((const unsigned char *)b, &back), n);
		cr_assert_eq(back, cps[i]);
	}
	uint32_t cp;
	cr_assert_eq(nx_utf8_decode((const unsigned char *)"\xc3", &cp), 1, "truncated: one byte");
	cr_assert_eq(cp, 0xc3);
	cr_assert_eq(nx_utf8_decode((const unsigned char *)"\x80x", &cp), 1);
	cr_assert_eq(nx_utf8_decode((const unsigned char *)"\xe2\x98x", &cp), 1);
}
