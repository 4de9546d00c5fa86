/* lines.c — bounded line assembly (see lines.h). */
#include <stdlib.h>
#include <string.h>

#include "lines.h"

void nx_lines_init(struct nx_lines *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

/* Append up to the limit; past it, remember that the line is truncated. */
static void append(struct nx_lines *l, const char *p, size_t n)
{
	if (l->len + n > l->max) {
		l->truncated = 1;
		n = l->max - l->len;
	}
	if (n == 0)
		return;
	if (l->len + n > l->cap) {
		size_t cap = l->cap ? l->cap : 256;
		while (cap < l->len + n)
			cap *= 2;
		if (cap > l->max)
			cap = l->max;
		char *b = realloc(l->buf, cap);
		if (!b) {
			l->truncated = 1;
			return;
		}
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

static void emit(struct nx_lines *l, nx_line_fn fn, void *ctx)
{
	fn(ctx, l->buf ? l->buf : "", l->len, l->truncated);
	l->len = 0;
	l->truncated = 0;
	/* Give back memory a huge line took. */
	if (l->cap > 65536) {
		free(l->buf);
		l->buf = NULL;
		l->cap = 0;
	}
}

void nx_lines_feed(struct nx_lines *l, const char *data, size_t n, nx_line_fn fn, void *ctx)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t k = nl ? (size_t)(nl - data) : n;
		append(l, data, k);
		if (!nl)
			return;
		emit(l, fn, ctx);
		data += k + 1;
		n -= k + 1;
	}
}

void nx_lines_finish(struct nx_lines *l, nx_line_fn fn, void *ctx)
{
	if (l->len || l->truncated)
		emit(l, fn, ctx);
	free(l->buf);
	nx_lines_init(l, l->max);
}
