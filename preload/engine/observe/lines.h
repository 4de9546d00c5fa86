/* lines.h — assembling lines from a byte stream, bounded.
 *
 * Owns: one line buffer per stream.  Bytes arrive in arbitrary pieces (partial
 * writes, several lines per write); each complete line is handed to a callback
 * without its '\n'.  A line longer than the stream's limit is dropped whole
 * (the callback sees it with `truncated` set and only its first `max` bytes),
 * so memory stays bounded on any input.
 */
#ifndef NX_LINES_H
#define NX_LINES_H

#include <stddef.h>

struct nx_lines {
	char *buf;
	size_t len, cap, max;
	int truncated;		/* the current line already exceeded max */
};

typedef void (*nx_line_fn)(void *ctx, const char *line, size_t len, int truncated);

void nx_lines_init(struct nx_lines *l, size_t max);
void nx_lines_feed(struct nx_lines *l, const char *data, size_t n, nx_line_fn fn, void *ctx);
/* Hand over a final unterminated line, if any, and free the buffer. */
void nx_lines_finish(struct nx_lines *l, nx_line_fn fn, void *ctx);

#endif
