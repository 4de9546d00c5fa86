/* json.c — the JSON primitives serde_json writes (see json.h).  Allocates
 * only through the nx_buf it is given. */
#include <stdio.h>
#include <string.h>

#include "json.h"

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s (1-4), or minus the length of
 * its maximal invalid prefix (-1..-3), using Rust's core::str validation
 * ranges, so that replacement matches String::from_utf8_lossy. */
static int utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	unsigned lo = 0x80, hi = 0xbf;
	int n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return -1;
	if (s[1] < lo || s[1] > hi)
		return -1;
	for (int i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return -i;
	return n;
}

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

/* Appends s[0..n) with invalid UTF-8 replaced; `escape` also applies the
 * JSON string escapes. */
static int put_text(struct nx_buf *b, const char *str, int escape)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0;		/* bytes of s[...] copied verbatim, pending */

	while (s[run]) {
		unsigned c = s[run];
		const char *esc = NULL;
		char u[7];
		int len = 1;

		if (c >= 0x80) {
			len = utf8_seq(s + run);
			if (len > 0) {
				run += (size_t)len;
				continue;
			}
			esc = replacement;
			len = -len;
		} else if (escape && (c < 0x20 || c == '"' || c == '\\')) {
			switch (c) {
			case '"': esc = "\\\""; break;
			case '\\': esc = "\\\\"; break;
			case '\b': esc = "\\b"; break;
			case '\t': esc = "\\t"; break;
			case '\n': esc = "\\n"; break;
			case '\f': esc = "\\f"; break;
			case '\r': esc = "\\r"; break;
			default:
				memcpy(u, "\\u00", 4);
				u[4] = hex[c >> 4];
				u[5] = hex[c & 15];
				u[6] = '\0';
				esc = u;
			}
		} else {
			run++;
			continue;
		}
		nx_buf_put(b, s, run);
		nx_buf_puts(b, esc);
		s += run + (size_t)len;
		run = 0;
	}
	return nx_buf_put(b, s, run);
}

int nx_utf8_lossy(struct nx_buf *b, const char *s)
{
	return put_text(b, s ? s : "", 0);
}

/* ---- primitives ---- */

int nx_json_string(struct nx_buf *b, const char *s)
{
	if (!s)
		return nx_buf_puts(b, "null");
	nx_buf_putc(b, '"');
	put_text(b, s, 1);
	return nx_buf_putc(b, '"');
}

int nx_json_u64(struct nx_buf *b, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return nx_buf_put(b, d + i, sizeof(d) - i);
}

int nx_json_i64(struct nx_buf *b, int64_t v)
{
	if (v >= 0)
		return nx_json_u64(b, (uint64_t)v);
	nx_buf_putc(b, '-');
	return nx_json_u64(b, -(uint64_t)v);	/* well-defined for INT64_MIN */
}

int nx_json_bool(struct nx_buf *b, int v)
{
	return nx_buf_puts(b, v ? "true" : "false");
}

int nx_json_strv(struct nx_buf *b, struct nx_strv v)
{
	nx_buf_putc(b, '[');
	for (size_t i = 0; i < v.n; i++) {
		if (i)
			nx_buf_putc(b, ',');
		nx_json_string(b, v.v[i] ? v.v[i] : "");
	}
	return nx_buf_putc(b, ']');
}
