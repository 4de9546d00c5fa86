/* buf.h — a growable, bounded byte buffer.
 *
 * Owns: the heap buffer the encoder writes into.  A write that would need
 * more than NX_BUF_MAX bytes, or a failed allocation, sets `failed` and every
 * later write is a no-op, so callers check once at the end.  The contents are
 * always NUL-terminated once anything has been written.  Never call it in a
 * vfork child (it allocates).
 */
#ifndef NX_BUF_H
#define NX_BUF_H

#include <stddef.h>

#define NX_BUF_MAX (4u * 1024 * 1024)	/* bound on one event's bytes */

struct nx_buf {
	char *p;		/* NULL until the first write */
	size_t len;		/* bytes written, excluding the trailing NUL */
	size_t cap;		/* bytes allocated */
	int failed;		/* allocation failed or NX_BUF_MAX exceeded */
};

#define NX_BUF_INIT { NULL, 0, 0, 0 }

/* Each returns 0, or -1 once the buffer has failed. */
int nx_buf_put(struct nx_buf *b, const void *s, size_t n);
int nx_buf_puts(struct nx_buf *b, const char *s);
int nx_buf_putc(struct nx_buf *b, char c);

/* Appends a NUL that is part of the contents (len grows by one): used to
 * pack several C strings into one buffer. */
int nx_buf_put_nul(struct nx_buf *b);

void nx_buf_free(struct nx_buf *b);

#endif
