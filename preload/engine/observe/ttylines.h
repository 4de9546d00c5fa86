/* ttylines.h — the reporter's lines as drawn on a terminal with a progress bar.
 *
 * Owns: turning what a runner writes to a terminal while an indicatif
 * progress bar is shown back into lines.  There nextest prints its reporter
 * lines through the bar (`ProgressBar::println`), and indicatif draws every
 * line — text line or bar line — followed by spaces up to the right edge
 * instead of a '\n' (indicatif `draw_target.rs`, `draw_to_term`), after
 * moving the cursor up and clearing the previous bar.  So a line ends at a
 * multiple of the terminal width; whether a row that reaches the edge ends
 * its line or wraps is told by the row after it: a new reporter line starts
 * with nextest's 12-column right-aligned status column (a space first,
 * column 12 not a space, then a space; its text capitalised, `PASS`,
 * `Summary`, or an output header, `stdout ───`), with an empty status column
 * (13 spaces: the bar before its prefix is set) or with the `─` rule.
 *
 * Model, per byte: escape sequences take no columns (CSI, OSC/DCS strings,
 * two-byte ESC); characters take the columns indicatif counts (unicode-width:
 * controls and combining marks none, wide and emoji two, others one; a
 * character that does not fit in the row starts the next one);
 * '\n' ends a line; '\r' and cursor-moving or line-erasing CSI (A B F G H J,
 * K with 1 or 2) mean the text that follows overwrites: a row just completed
 * at the edge is a finished line, a partly drawn row is discarded (the bar
 * being redrawn).  Lines are handed over as visible text, trailing spaces
 * trimmed.  Until the first such redraw the bytes are split at '\n' only.
 * A write that ends exactly at the edge ends its line too (one write is one
 * indicatif draw).  Memory is bounded by `max` per line, like lines.c.
 */
#ifndef NX_TTYLINES_H
#define NX_TTYLINES_H

#include <stddef.h>
#include <stdint.h>

#include "lines.h"

struct nx_ttylines {
	char *buf;
	size_t len, cap, max;
	int truncated;
	unsigned col;		/* column in the current row */
	size_t cand;		/* start of the row after an edge, when cand_ok */
	int cand_ok;
	unsigned cand_cols;	/* columns drawn since cand */
	int drawn;		/* a redraw was seen: rows end at the edge */
	int esc;		/* escape-sequence state */
	unsigned char u8[4];	/* the UTF-8 character being read */
	unsigned u8n, u8need;
	uint32_t cp;
	long param;		/* CSI: first numeric parameter, -1 if none */
};

void nx_ttylines_init(struct nx_ttylines *t, size_t max);
/* Feed bytes written while the terminal was `width` columns wide. */
void nx_ttylines_feed(struct nx_ttylines *t, const char *data, size_t n, unsigned width,
		      nx_line_fn fn, void *ctx);
/* The end of one write: indicatif flushes each draw as one write that ends
 * with a whole row, so a row that just reached the edge ends its line. */
void nx_ttylines_end_write(struct nx_ttylines *t, nx_line_fn fn, void *ctx);

#endif
