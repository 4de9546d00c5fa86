/* cursor.c — the shared parsing helpers (see cursor.h). */
#include "cursor.h"

#include <stdarg.h>
#include <stdio.h>

void nx_cur_fail(struct nx_cursor *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = 1;
	if (!c->err || !c->errcap)
		return;
	int k = c->line ? snprintf(c->err, c->errcap, "line %zu: ", c->line)
			: snprintf(c->err, c->errcap, "at %zu: ", c->pos);
	if (k < 0 || (size_t)k >= c->errcap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + k, c->errcap - (size_t)k, fmt, ap);
	va_end(ap);
}

size_t nx_udec(const char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		unsigned d = (unsigned)(p[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return 0;
		x = x * 10 + d;
	}
	if (i)
		*v = x;
	return i;
}

int nx_cur_udec(struct nx_cursor *c, uint64_t *v)
{
	size_t k = nx_udec(c->s + c->pos, c->n - c->pos, v);
	c->pos += k;
	return k != 0;
}

int nx_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t nx_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t nx_utf8_decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	uint32_t v = n == 4 ? s[0] & 7u : n == 3 ? s[0] & 15u : s[0] & 31u;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = s[0];
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (n == 1)
		v = s[0];
	*cp = v;
	return (size_t)n;
}
