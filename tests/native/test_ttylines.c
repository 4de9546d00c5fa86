/* test_ttylines.c — Criterion tests of preload/engine/observe/ttylines.c: lines drawn through an
 * indicatif progress bar.  The frames are built the way indicatif 0.18 draws them
 * (`draw_target.rs`, `draw_to_term`): move up over the previous bar, '\r', clear each of
 * its rows, then every line followed by spaces up to the right edge (a line of exactly
 * the width gets none), all in one write.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ttylines.h"

#define MAXL 64

struct got {
	char *line[MAXL];
	int n;
};

static void on_line(void *ctx, const char *l, size_t n, int truncated)
{
	struct got *g = ctx;
	cr_assert_lt(g->n, MAXL);
	g->line[g->n] = truncated ? strdup("<truncated>") : strndup(l, n);
	g->n++;
}

static size_t cols(const char *s)
{
	size_t c = 0;
	int esc = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (esc) {
			if (*p >= 0x40 && *p <= 0x7e && *p != '[')
				esc = 0;
			continue;
		}
		if (*p == 0x1b && p[1] == ']') {	/* OSC: up to BEL or ESC '\' */
			for (p += 2; *p && *p != '\a' && !(*p == 0x1b && p[1] == '\\'); p++)
				;
			if (*p == 0x1b)
				p++;
			if (!*p)
				break;
			continue;
		}
		if (*p == 0x1b) {
			esc = 1;
			continue;
		}
		if ((*p & 0xc0) != 0x80)
			c++;
	}
	return c;
}

/* One indicatif draw of `lines` at `width`, after a bar of `prev_rows` rows. */
static size_t frame(char *out, const char *const *lines, int n, unsigned width, int prev_rows)
{
	size_t o = 0;
	if (prev_rows > 1)
		o += (size_t)sprintf(out + o, "\x1b[%dA", prev_rows - 1);
	for (int i = 0; i < prev_rows; i++)
		o += (size_t)sprintf(out + o, "\r\x1b[2K%s", i + 1 < prev_rows ? "\x1b[1B" : "");
	if (prev_rows > 1)
		o += (size_t)sprintf(out + o, "\x1b[%dA", prev_rows - 1);
	for (int i = 0; i < n; i++) {
		size_t w = cols(lines[i]);
		size_t last = w % width == 0 && w > 0 ? width : w % width;
		o += (size_t)sprintf(out + o, "%s", lines[i]);
		for (size_t k = last; k < width; k++)
			out[o++] = ' ';
	}
	out[o] = 0;
	return o;
}

static void feed_all(struct nx_ttylines *t, struct got *g, const char *b, size_t n, unsigned w)
{
	nx_ttylines_feed(t, b, n, w, on_line, g);
	nx_ttylines_end_write(t, on_line, g);
}

static void expect(const struct got *g, const char *const *want, int n)
{
	cr_assert_eq(g->n, n, "got %d lines, want %d (first: %s)", g->n, n, g->n ? g->line[0] : "-");
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(g->line[i], want[i], "line %d", i);
}

#define PASS_LINE "        PASS [   0.012s] fx-basic basic::pass_prints"
#define BAR "     Running [ 00:00:00]  1/5: 1 running, 0 passed, 0 skipped"
#define RULE "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80" \
	     "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"

Test(ttylines, frames_at_every_width)
{
	const char *lines[] = {
		RULE,
		" Nextest run ID 5d489da9-c67d-4cbe-877f-17b9ba960119 with nextest profile: default",
		"    Starting 5 tests across 10 binaries (1049 tests skipped)",
		"\x1b[32;1m        PASS\x1b[0m [   0.012s] \x1b[35;1mfx-basic\x1b[0m basic::pass_prints",
		"        SLOW [>  1.000s] fx-basic::timing slow_2500ms",
		"  stdout \xe2\x94\x80\xe2\x94\x80\xe2\x94\x80",
		"",
		"running 1 test",
		"     Summary [   2.803s] 5 tests run: 5 passed (1 slow), 1049 skipped",
		"\x1b[32;1m     Running\x1b[0m [ 00:00:02]  5/5: 0 running",
	};
	const char *want[] = {
		RULE,
		" Nextest run ID 5d489da9-c67d-4cbe-877f-17b9ba960119 with nextest profile: default",
		"    Starting 5 tests across 10 binaries (1049 tests skipped)",
		PASS_LINE,
		"        SLOW [>  1.000s] fx-basic::timing slow_2500ms",
		"  stdout \xe2\x94\x80\xe2\x94\x80\xe2\x94\x80",
		/* an output line that starts without a status column joins the line before
		 * it when that ended at the edge: output lines are not reporter lines */
		"running 1 test",
		"     Summary [   2.803s] 5 tests run: 5 passed (1 slow), 1049 skipped",
		"     Running [ 00:00:02]  5/5: 0 running",
	};
	for (unsigned w = 16; w <= 140; w++) {
		char buf[8192];
		struct got g = { 0 };
		struct nx_ttylines t;
		nx_ttylines_init(&t, 1 << 20);
		/* the first redraw of an empty bar, then the frame */
		size_t n = frame(buf, NULL, 0, w, 1);
		feed_all(&t, &g, buf, n, w);
		n = frame(buf, lines, 10, w, 1);
		feed_all(&t, &g, buf, n, w);
		/* the reporter lines come out exactly; the test's output lines ("" and
		 * "running 1 test") may join each other (no status column starts them) */
		int k = 0;
		for (int i = 0; i < g.n; i++) {
			const char *l = g.line[i] + strspn(g.line[i], " ");
			if (!*l || !strcmp(l, "running 1 test"))
				continue;
			if (k < 8 && strcmp(g.line[i], want[k == 6 ? 7 : k < 6 ? k : k + 1]) != 0)
				for (int j = 0; j < g.n; j++)
					fprintf(stderr, "width %u line %d: [%s]\n", w, j, g.line[j]);
			cr_assert_lt(k, 8, "width %u: extra line %s", w, g.line[i]);
			cr_assert_str_eq(g.line[i], want[k == 6 ? 7 : k < 6 ? k : k + 1], "width %u line %d", w, i);
			k++;
		}
		cr_assert_eq(k, 8, "width %u", w);
	}
}

Test(ttylines, wrapped_line_with_space_at_the_edge)
{
	/* at 16 columns "        PASS [   0.012s]…" has a space in column 15 */
	const char *lines[] = { PASS_LINE, BAR };
	const char *want[] = { PASS_LINE, BAR };
	char buf[4096];
	struct got g = { 0 };
	struct nx_ttylines t;
	nx_ttylines_init(&t, 1 << 20);
	size_t n = frame(buf, NULL, 0, 16, 1);
	feed_all(&t, &g, buf, n, 16);
	n = frame(buf, lines, 2, 16, 1);
	feed_all(&t, &g, buf, n, 16);
	expect(&g, want, 2);
}

Test(ttylines, line_exactly_as_wide_as_the_terminal)
{
	const char *lines[] = { PASS_LINE, PASS_LINE, BAR };
	const char *want[] = { PASS_LINE, PASS_LINE, BAR };
	unsigned w = (unsigned)strlen(PASS_LINE);
	char buf[4096];
	struct got g = { 0 };
	struct nx_ttylines t;
	nx_ttylines_init(&t, 1 << 20);
	size_t n = frame(buf, NULL, 0, w, 1);
	feed_all(&t, &g, buf, n, w);
	n = frame(buf, lines, 3, w, 1);
	feed_all(&t, &g, buf, n, w);
	expect(&g, want, 3);
}

Test(ttylines, bar_before_its_prefix_is_set)
{
	/* indicatif's `{prefix:>12}` is 12 spaces until the first test starts */
	const char *lines[] = { "    Starting 18 tests across 10 binaries (1036 tests skipped)",
				"             [ 00:00:00]   0/18: 0 running" };
	const char *want[] = { "    Starting 18 tests across 10 binaries (1036 tests skipped)",
			       "             [ 00:00:00]   0/18: 0 running" };
	char buf[4096];
	struct got g = { 0 };
	struct nx_ttylines t;
	nx_ttylines_init(&t, 1 << 20);
	size_t n = frame(buf, NULL, 0, 16, 1);
	feed_all(&t, &g, buf, n, 16);
	n = frame(buf, lines, 2, 16, 1);
	feed_all(&t, &g, buf, n, 16);
	expect(&g, want, 2);
}

Test(ttylines, split_writes_give_the_same_lines)
{
	const char *lines[] = { "\x1b[33;1m  TRY 2 PASS\x1b[0m [   0.021s] fx-basic::retry retry_flaky_twice",
				"\x1b]9;4;1;40\x1b\\" BAR };
	char buf[4096];
	size_t n0 = frame(buf, NULL, 0, 40, 1);
	size_t n = frame(buf + n0, lines, 2, 40, 1) + n0;
	for (size_t cut = 0; cut <= n; cut++) {
		struct got g = { 0 };
		struct nx_ttylines t;
		nx_ttylines_init(&t, 1 << 20);
		/* no end_write in between: a write never ends inside an indicatif draw */
		nx_ttylines_feed(&t, buf, cut, 40, on_line, &g);
		nx_ttylines_feed(&t, buf + cut, n - cut, 40, on_line, &g);
		nx_ttylines_end_write(&t, on_line, &g);
		if (g.n != 2)
			for (int i = 0; i < g.n; i++)
				fprintf(stderr, "cut %zu line %d: [%s]\n", cut, i, g.line[i]);
		cr_assert_eq(g.n, 2, "cut %zu: %d lines", cut, g.n);
		cr_assert_str_eq(g.line[0], "  TRY 2 PASS [   0.021s] fx-basic::retry retry_flaky_twice", "cut %zu", cut);
		cr_assert_str_eq(g.line[1], BAR, "cut %zu", cut);
	}
}

Test(ttylines, newline_lines_and_overwritten_rows)
{
	/* before any redraw: '\n' only, however long the line */
	const char *in = "info: experimental features enabled: setup-scripts and a long tail of text\n"
			 "error: test run failed\n";
	struct got g = { 0 };
	struct nx_ttylines t;
	nx_ttylines_init(&t, 1 << 20);
	feed_all(&t, &g, in, strlen(in), 20);
	const char *want[] = { "info: experimental features enabled: setup-scripts and a long tail of text",
			       "error: test run failed" };
	expect(&g, want, 2);
	/* a partly drawn row that '\r' overwrites is not a line */
	const char *bar = "     Running [ 00:00:00] 0/5:\r\x1b[2K     Running [ 00:00:00] 1/5:\r\x1b[2K";
	feed_all(&t, &g, bar, strlen(bar), 80);
	cr_assert_eq(g.n, 2);
}

Test(ttylines, bounded)
{
	struct got g = { 0 };
	struct nx_ttylines t;
	nx_ttylines_init(&t, 100);
	char big[1000];
	memset(big, 'x', sizeof(big));
	nx_ttylines_feed(&t, big, sizeof(big), 80, on_line, &g);
	nx_ttylines_feed(&t, "\nok\n", 4, 80, on_line, &g);
	cr_assert_eq(g.n, 2);
	cr_assert_str_eq(g.line[0], "<truncated>");
	cr_assert_str_eq(g.line[1], "ok");
	cr_assert_leq(t.cap, 100u);
}

/* indicatif's last_line_width for a plain (no escapes) UTF-8 line: controls 0, CJK and
 * emoji 2, others 1; a character that does not fit starts the next row. */
static size_t last_line_width(const char *s, unsigned width)
{
	size_t col = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp = *p;
		int extra = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : 0;
		if (extra)
			cp &= 0x3f >> extra;
		p++;
		while (extra-- && *p) {
			cp = (cp << 6) | (*p & 0x3f);
			p++;
		}
		unsigned w = cp < 0x20 ? 0 : (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x1f300 && cp <= 0x1faff) ? 2 : 1;
		col += w;
		if (col > width)
			col = w;
	}
	return col;
}

Test(ttylines, wide_characters_tabs_and_controls)
{
	const char *lines[] = {
		"        PASS [   0.005s] fx-hostile::names hostile::unicod\xc3\xa9::\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e::\xf0\x9f\xa6\x80",
		"        PASS [   0.005s] fx-hostile::names hostile::tab\there",
		"        PASS [   0.005s] fx-hostile::names hostile::ctrl\x01" "char",
		"     Summary [   3.249s] 18 tests run: 17 passed (1 slow), 1 failed, 1036 skipped",
	};
	for (unsigned w = 16; w <= 90; w++) {
		char buf[8192];
		size_t o = (size_t)sprintf(buf, "\r\x1b[2K");
		for (int i = 0; i < 4; i++) {
			o += (size_t)sprintf(buf + o, "%s", lines[i]);
			for (size_t k = last_line_width(lines[i], w); k < w; k++)
				buf[o++] = ' ';
		}
		struct got g = { 0 };
		struct nx_ttylines t;
		nx_ttylines_init(&t, 1 << 20);
		feed_all(&t, &g, buf, o, w);
		if (g.n != 4)
			for (int i = 0; i < g.n; i++)
				fprintf(stderr, "width %u line %d: [%s]\n", w, i, g.line[i]);
		cr_assert_eq(g.n, 4, "width %u: %d lines", w, g.n);
		cr_assert_str_eq(g.line[0], lines[0], "width %u", w);
		cr_assert_str_eq(g.line[1], lines[1], "width %u", w);
		/* the control byte takes no column and is not kept */
		cr_assert_str_eq(g.line[2], "        PASS [   0.005s] fx-hostile::names hostile::ctrlchar", "width %u", w);
		cr_assert_str_eq(g.line[3], lines[3], "width %u", w);
	}
}
