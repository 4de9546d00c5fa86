/* ttylines.c — lines from a progress-bar terminal (see ttylines.h). */
#include <stdlib.h>
#include <string.h>

#include "ttylines.h"

/* nextest's status column is 12 wide (`{:>12}`), followed by a space. */
#define STATUS_COLS 12

enum { S_TEXT, S_ESC, S_CSI, S_STR, S_STR_ESC };

void nx_ttylines_init(struct nx_ttylines *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->param = -1;
}

static void put(struct nx_ttylines *t, char c)
{
	if (t->len + 1 > t->max) {
		t->truncated = 1;
		return;
	}
	if (t->len + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		if (cap > t->max)
			cap = t->max;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->truncated = 1;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	t->buf[t->len++] = c;
}

static void clear(struct nx_ttylines *t, size_t keep_from)
{
	size_t rest = t->len - keep_from;
	if (rest && keep_from)
		memmove(t->buf, t->buf + keep_from, rest);
	t->len = rest;
	if (!rest)
		t->truncated = 0;
	t->cand_ok = 0;
	t->cand_cols = 0;
	if (t->cap > 65536 && !rest) {
		free(t->buf);
		t->buf = NULL;
		t->cap = 0;
	}
}

/* Hand over buf[0..end) with trailing spaces trimmed. */
static void emit(struct nx_ttylines *t, size_t end, nx_line_fn fn, void *ctx)
{
	size_t k = end;
	while (k > 0 && t->buf[k - 1] == ' ')
		k--;
	fn(ctx, t->buf ? t->buf : "", k, t->truncated);
}

/* The visible text from `from`: does it start a reporter line? */
static int starts_line(const struct nx_ttylines *t, size_t from)
{
	const unsigned char *p = (const unsigned char *)t->buf + from;
	size_t n = t->len - from, i = 0;
	unsigned col = 0;
	int c11 = 0, c12 = -1, blank = 1;

	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x94 && p[2] == 0x80)
		return 1;	/* the `─` rule */
	if (n == 0 || p[0] != ' ')
		return 0;
	while (i < n && col <= STATUS_COLS) {
		if (col == STATUS_COLS - 1)
			c11 = p[i] != ' ';
		if (col == STATUS_COLS)
			c12 = p[i];
		if (p[i] != ' ')
			blank = 0;
		i++;
		while (i < n && (p[i] & 0xc0) == 0x80)
			i++;
		col++;
	}
	if (blank && col > STATUS_COLS)
		return 1;	/* an empty status column: the bar before its first test */
	return c11 && (c12 == ' ' || c12 == -1) && col >= STATUS_COLS;
}

/* Decide the pending edge: a new line starts there, or the row wrapped. */
static void decide(struct nx_ttylines *t, nx_line_fn fn, void *ctx)
{
	if (!t->cand_ok)
		return;
	if (starts_line(t, t->cand)) {
		emit(t, t->cand, fn, ctx);
		clear(t, t->cand);
	} else {
		t->cand_ok = 0;
	}
}

static void newline(struct nx_ttylines *t, nx_line_fn fn, void *ctx)
{
	decide(t, fn, ctx);
	emit(t, t->len, fn, ctx);
	clear(t, t->len);
	t->col = 0;
}

/* Text that follows overwrites: a row completed at the edge is a finished
 * line, a partly drawn row is dropped. */
static void overwrite(struct nx_ttylines *t, nx_line_fn fn, void *ctx)
{
	t->drawn = 1;
	if (t->cand_ok && t->cand_cols == 0 && t->cand == t->len) {
		emit(t, t->cand, fn, ctx);
		clear(t, t->len);
	} else {
		if (t->cand_ok)
			decide(t, fn, ctx);
		clear(t, t->len);
	}
	t->col = 0;
}

static int csi_overwrites(char final, long param)
{
	switch (final) {
	case 'A': case 'B': case 'F': case 'G': case 'H': case 'f': case 'J':
		return 1;
	case 'K':
		return param == 1 || param == 2;
	default:
		return 0;
	}
}

static void visible(struct nx_ttylines *t, unsigned char c, unsigned width, nx_line_fn fn, void *ctx)
{
	put(t, (char)c);
	if ((c & 0xc0) == 0x80)
		return;		/* UTF-8 continuation: no column */
	if (t->cand_ok && ++t->cand_cols > STATUS_COLS)
		decide(t, fn, ctx);
	if (!t->drawn || width <= STATUS_COLS)
		return;
	if (++t->col >= width) {
		/* the row reached the edge: maybe the end of the line */
		t->col = 0;
		if (t->cand_ok)
			decide(t, fn, ctx);
		if (!t->cand_ok) {
			t->cand = t->len;
			t->cand_ok = 1;
			t->cand_cols = 0;
		}
	}
}

void nx_ttylines_feed(struct nx_ttylines *t, const char *data, size_t n, unsigned width,
		      nx_line_fn fn, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];
		switch (t->esc) {
		case S_ESC:
			if (c == '[') {
				t->esc = S_CSI;
				t->param = -1;
			} else if (c == ']' || c == 'P' || c == '^' || c == '_' || c == 'X') {
				t->esc = S_STR;
			} else if (c < 0x20 || c > 0x2f) {
				t->esc = S_TEXT;	/* two-byte ESC sequence ends */
			}
			continue;
		case S_CSI:
			if (c >= '0' && c <= '9') {
				if (t->param < 100000)
					t->param = (t->param < 0 ? 0 : t->param * 10) + (c - '0');
			} else if (c >= 0x40 && c <= 0x7e) {
				t->esc = S_TEXT;
				if (csi_overwrites((char)c, t->param))
					overwrite(t, fn, ctx);
			} else if (c < 0x20 || c > 0x3f) {
				t->esc = S_TEXT;	/* malformed: drop it */
			}
			continue;
		case S_STR:
			if (c == '\a')
				t->esc = S_TEXT;
			else if (c == 0x1b)
				t->esc = S_STR_ESC;
			continue;
		case S_STR_ESC:
			t->esc = c == '\\' ? S_TEXT : S_STR;
			continue;
		default:
			break;
		}
		if (c == 0x1b)
			t->esc = S_ESC;
		else if (c == '\n')
			newline(t, fn, ctx);
		else if (c == '\r')
			overwrite(t, fn, ctx);
		else if (c >= 0x20 && c != 0x7f)
			visible(t, c, width, fn, ctx);
		else if (c == '\t')
			visible(t, c, width, fn, ctx);
	}
}

void nx_ttylines_end_write(struct nx_ttylines *t, nx_line_fn fn, void *ctx)
{
	if (t->esc == S_TEXT && t->cand_ok && t->cand == t->len && t->len > 0) {
		emit(t, t->cand, fn, ctx);
		clear(t, t->len);
	}
}
