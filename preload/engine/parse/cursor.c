/* cursor.c — the shared parsing helpers (see cursor.h). */
#include "cursor.h"

#include <stdarg.h>
#include <stdio.h>

void nx_cursor_fail(struct nx_cursor *c, const char *fmt, ...)
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

size_t nx_cursor_decimal(const char *p, size_t n, uint64_t *v)
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

int nx_cursor_udec(struct nx_cursor *c, uint64_t *v)
{
	size_t k = nx_cursor_decimal(c->s + c->pos, c->n - c->pos, v);
	c->pos += k;
	return k != 0;
}

int nx_cursor_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
