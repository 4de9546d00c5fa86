/* buf.c — the growable, bounded byte buffer (see buf.h). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int grow(struct nx_buf *b, size_t need)
{
	if (b->failed)
		return -1;
	if (need > NX_BUF_MAX) {
		b->failed = 1;
		return -1;
	}
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (cap > NX_BUF_MAX)
		cap = NX_BUF_MAX;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int nx_buf_put(struct nx_buf *b, const void *s, size_t n)
{
	if (n > NX_BUF_MAX || grow(b, b->len + n + 1) < 0)
		return b->failed = 1, -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int nx_buf_puts(struct nx_buf *b, const char *s)
{
	return nx_buf_put(b, s, strlen(s));
}

int nx_buf_putc(struct nx_buf *b, char c)
{
	return nx_buf_put(b, &c, 1);
}

int nx_buf_put_nul(struct nx_buf *b)
{
	if (grow(b, b->len + 2) < 0)
		return -1;
	b->p[b->len++] = '\0';
	b->p[b->len] = '\0';
	return 0;
}

void nx_buf_free(struct nx_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
