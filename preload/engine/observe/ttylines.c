/* ttylines.c — lines from a progress-bar terminal (see ttylines.h). */
#include <stdint.h>
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
	if (!c11 || !(c12 == ' ' || c12 == -1) || col < STATUS_COLS)
		return 0;
	/* The column's text: a capitalised status (PASS, TRY 2 FAIL, Summary,
	 * Nextest run, …) or an output header (`stdout ───`).  A wrapped row that
	 * merely has a space first and a word ending in column 12 (" 10 binaries")
	 * is neither. */
	size_t f = 0;
	while (f < n && p[f] == ' ')
		f++;
	if (p[f] >= 'A' && p[f] <= 'Z')
		return 1;
	size_t w = f;
	while (w < n && p[w] >= 'a' && p[w] <= 'z')
		w++;
	return w > f && w + 3 < n && p[w] == ' ' && p[w + 1] == 0xe2 && p[w + 2] == 0x94 && p[w + 3] == 0x80;
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

/* Columns of code point cp as indicatif counts them (unicode-width's
 * `UnicodeWidthChar::width`, control characters skipped): 0 for C0/C1
 * controls and combining or zero-width marks, 2 for East Asian Wide and
 * Fullwidth characters and emoji, else 1.  The ranges are the blocks those
 * tables cover; rarely used symbols at their edges may be off. */
static unsigned cp_width(uint32_t cp)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
		{ 0x064b, 0x065f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x200b, 0x200f },
		{ 0x2028, 0x202e }, { 0x2060, 0x2064 }, { 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f },
		{ 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff }, { 0xe0000, 0xe0fff },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
		{ 0x23f0, 0x23f0 }, { 0x23f3, 0x23f3 }, { 0x25fd, 0x25fe }, { 0x2614, 0x2615 },
		{ 0x2648, 0x2653 }, { 0x267f, 0x267f }, { 0x2693, 0x2693 }, { 0x26a1, 0x26a1 },
		{ 0x26aa, 0x26ab }, { 0x26bd, 0x26be }, { 0x26c4, 0x26c5 }, { 0x26ce, 0x26ce },
		{ 0x26d4, 0x26d4 }, { 0x26ea, 0x26ea }, { 0x26f2, 0x26f3 }, { 0x26f5, 0x26f5 },
		{ 0x26fa, 0x26fa }, { 0x26fd, 0x26fd }, { 0x2705, 0x2705 }, { 0x270a, 0x270b },
		{ 0x2728, 0x2728 }, { 0x274c, 0x274c }, { 0x274e, 0x274e }, { 0x2753, 0x2755 },
		{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27b0, 0x27b0 }, { 0x27bf, 0x27bf },
		{ 0x2b1b, 0x2b1c }, { 0x2b50, 0x2b50 }, { 0x2b55, 0x2b55 }, { 0x2e80, 0x303e },
		{ 0x3041, 0x33ff }, { 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xa960, 0xa97f }, { 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe10, 0xfe19 },
		{ 0xfe30, 0xfe6f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x16fe0, 0x16fe4 },
		{ 0x17000, 0x18cff }, { 0x1b000, 0x1b2ff }, { 0x1f004, 0x1f004 }, { 0x1f0cf, 0x1f0cf },
		{ 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a }, { 0x1f200, 0x1f251 }, { 0x1f300, 0x1f64f },
		{ 0x1f680, 0x1f6ff }, { 0x1f7e0, 0x1f7eb }, { 0x1f90c, 0x1f9ff }, { 0x1fa70, 0x1faff },
		{ 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
	};
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp < 0x300)
		return 1;
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (cp >= zero[i][0] && cp <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* The row reached the right edge: maybe the end of the line. */
static void edge(struct nx_ttylines *t, nx_line_fn fn, void *ctx)
{
	t->col = 0;
	if (t->cand_ok)
		decide(t, fn, ctx);
	if (!t->cand_ok) {
		t->cand = t->len;
		t->cand_ok = 1;
		t->cand_cols = 0;
	}
}

/* One whole character (its UTF-8 bytes), indicatif's wrap rule: a character
 * that does not fit in the columns left starts the next row. */
static void character(struct nx_ttylines *t, const unsigned char *b, size_t n, uint32_t cp,
		      unsigned width, nx_line_fn fn, void *ctx)
{
	unsigned w = cp_width(cp);
	int rows = t->drawn && width > STATUS_COLS;
	if (rows && w && t->col + w > width)
		edge(t, fn, ctx);
	for (size_t i = 0; i < n; i++)
		put(t, (char)b[i]);
	if (!w)
		return;
	if (t->cand_ok && ++t->cand_cols > STATUS_COLS)
		decide(t, fn, ctx);
	if (rows && (t->col += w) >= width)
		edge(t, fn, ctx);
}

static void visible(struct nx_ttylines *t, unsigned char c, unsigned width, nx_line_fn fn, void *ctx)
{
	if ((c & 0xc0) == 0x80 && t->u8need) {
		t->u8[t->u8n++] = c;
		t->cp = (t->cp << 6) | (c & 0x3f);
		if (--t->u8need == 0)
			character(t, t->u8, t->u8n, t->cp, width, fn, ctx);
		return;
	}
	if (t->u8need) {	/* a sequence cut short: its bytes as one character */
		t->u8need = 0;
		character(t, t->u8, t->u8n, 0xfffd, width, fn, ctx);
	}
	if (c < 0x80 || (c & 0xc0) == 0x80 || c >= 0xf8) {
		character(t, &c, 1, c < 0x80 ? c : 0xfffd, width, fn, ctx);
		return;
	}
	t->u8[0] = c;
	t->u8n = 1;
	t->u8need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
	t->cp = c & (c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f);
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
