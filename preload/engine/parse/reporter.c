/* reporter.c — parser for the human reporter's stderr lines (see reporter.h).
 *
 * The shared cursor (cursor.h) walks the line left to right; every helper either
 * consumes what it expects and returns 1, or returns 0 (the caller then
 * gives up or rewinds).  Nothing is allocated; every index stays < n.
 */
#include <stdlib.h>
#include <string.h>

#include "ansi.h"
#include "cursor.h"
#include "reporter.h"

static int peek_ch(const struct nx_cursor *c, char ch)
{
	return c->pos < c->n && c->s[c->pos] == ch;
}

/* Consume `lit` only if a space follows it (the space stays). */
static int word(struct nx_cursor *c, const char *lit)
{
	size_t save = c->pos;

	if (nx_cursor_eat(c, lit) && peek_ch(c, ' '))
		return 1;
	c->pos = save;
	return 0;
}

static size_t skip_spaces(struct nx_cursor *c)
{
	size_t k = 0;

	while (c->pos < c->n && c->s[c->pos] == ' ') {
		c->pos++;
		k++;
	}
	return k;
}

static int unum(struct nx_cursor *c, unsigned *v)
{
	uint64_t x;
	size_t save = c->pos;

	if (!nx_cursor_udec(c, &x) || x > 0xffffffffu) {
		c->pos = save;
		return 0;
	}
	*v = (unsigned)x;
	return 1;
}

static struct nx_reporter_span span(const struct nx_cursor *c, size_t from, size_t to)
{
	struct nx_reporter_span s = { c->s + from, to - from };
	return s;
}

int nx_reporter_secs_to_nanos(const char *p, size_t n, uint64_t *nanos)
{
	uint64_t secs = 0, frac = 0;
	size_t i = 0, k;

	if (n == 0 || !nx_cursor_is_digit(p[0]))
		return -1;
	for (; i < n && nx_cursor_is_digit(p[i]); i++) {
		if (secs > (UINT64_MAX / 1000000000u - 9) / 10)
			return -1;
		secs = secs * 10 + (uint64_t)(p[i] - '0');
	}
	if (i < n) {
		if (p[i] != '.' || i + 1 >= n)
			return -1;
		i++;
		/* First nine digits are ns; the tenth rounds half-up. */
		for (k = 0; i < n && nx_cursor_is_digit(p[i]); i++, k++) {
			if (k < 9)
				frac = frac * 10 + (uint64_t)(p[i] - '0');
			else if (k == 9 && p[i] >= '5')
				frac++;	/* may reach 1e9: carried below */
		}
		if (i < n)
			return -1;
		for (; k < 9; k++)
			frac *= 10;
		/* The rounding increment may have run before the padding
		 * (only when k >= 10, in which case no padding happened). */
	}
	*nanos = secs * 1000000000u + frac;
	return 0;
}

/* "12.345s" after optional spaces; leaves the cursor after 's'. */
static int secs_field(struct nx_cursor *c, uint64_t *nanos)
{
	size_t start;

	skip_spaces(c);
	start = c->pos;
	while (c->pos < c->n && (nx_cursor_is_digit(c->s[c->pos]) || c->s[c->pos] == '.'))
		c->pos++;
	if (c->pos == start || !peek_ch(c, 's'))
		return 0;
	if (nx_reporter_secs_to_nanos(c->s + start, c->pos - start, nanos) != 0)
		return 0;
	c->pos++;
	return 1;
}

/* --- status column -------------------------------------------------- */

/* Upper-case signal name such as SEGV, ABRT, USR1. */
static int signal_name(struct nx_cursor *c, struct nx_reporter_span *name)
{
	size_t start = c->pos;

	if (c->pos >= c->n || c->s[c->pos] < 'A' || c->s[c->pos] > 'Z')
		return 0;
	while (c->pos < c->n && c->pos - start < 12 &&
	       ((c->s[c->pos] >= 'A' && c->s[c->pos] <= 'Z') || nx_cursor_is_digit(c->s[c->pos])))
		c->pos++;
	if (c->pos - start < 2 || !peek_ch(c, ' ')) {
		c->pos = start;
		return 0;
	}
	*name = span(c, start, c->pos);
	return 1;
}

static int sig_number(struct nx_cursor *c, int *sig)
{
	unsigned v;
	size_t save = c->pos;

	if (!unum(c, &v) || v > 1000 || !peek_ch(c, ' ')) {
		c->pos = save;
		return 0;
	}
	*sig = (int)v;
	return 1;
}

/* The short results shared by "TRY n X" and "SETUP X". */
static int short_result(struct nx_cursor *c, struct nx_reporter_status_line *st)
{
	static const struct {
		const char *w;
		enum nx_reporter_status s;
	} tab[] = {
		{ "PASS", NX_ST_PASS }, { "FAIL", NX_ST_FAIL }, { "FL+LK", NX_ST_FAIL_LEAK },
		{ "XFAIL", NX_ST_XFAIL }, { "LEAK", NX_ST_LEAK }, { "LKFAIL", NX_ST_LEAK_FAIL },
		{ "TMPASS", NX_ST_TIMEOUT_PASS }, { "TMT", NX_ST_TIMEOUT }, { "ABORT", NX_ST_ABORT },
	};
	size_t save = c->pos;

	for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++) {
		if (word(c, tab[k].w)) {
			st->status = tab[k].s;
			return 1;
		}
	}
	if (nx_cursor_eat(c, "SIG ") && sig_number(c, &st->signal)) {
		st->status = NX_ST_SIGNAL;
		return 1;
	}
	c->pos = save;
	if (signal_name(c, &st->signame)) {
		st->status = NX_ST_SIGNAL;
		return 1;
	}
	return 0;
}

static int fraction(struct nx_cursor *c, struct nx_reporter_status_line *st)
{
	size_t save = c->pos;

	if (unum(c, &st->frac_num) && nx_cursor_eat(c, "/") && unum(c, &st->frac_den) && peek_ch(c, ' '))
		return 1;
	c->pos = save;
	return 0;
}

/* Parses the status column.  Sets *setup for SETUP-prefixed statuses. */
static int status_column(struct nx_cursor *c, struct nx_reporter_status_line *st, int *setup)
{
	static const struct {
		const char *w;
		enum nx_reporter_status s;
	} longs[] = {
		{ "FAIL + LEAK", NX_ST_FAIL_LEAK }, { "SLOW + LEAK", NX_ST_SLOW_LEAK },
		{ "SLOW+TMPASS", NX_ST_SLOW_TMPASS }, { "TIMEOUT-PASS", NX_ST_TIMEOUT_PASS },
		{ "TIMEOUT", NX_ST_TIMEOUT }, { "TERMINATING", NX_ST_TERMINATING },
		{ "LEAK-FAIL", NX_ST_LEAK_FAIL }, { "LEAK", NX_ST_LEAK }, { "PASS", NX_ST_PASS },
		{ "FAIL", NX_ST_FAIL }, { "XFAIL", NX_ST_XFAIL }, { "SLOW", NX_ST_SLOW },
		{ "START", NX_ST_START }, { "SKIP", NX_ST_SKIP },
	};
	size_t save = c->pos;

	*setup = 0;
	if (nx_cursor_eat(c, "SETUP")) {
		*setup = 1;
		if (peek_ch(c, ' ') && c->pos + 1 < c->n && c->s[c->pos + 1] == '[') {
			st->status = NX_ST_START;
			return 1;
		}
		if (!nx_cursor_eat(c, " "))
			return 0;
		if (word(c, "SLOW")) {
			st->status = NX_ST_SLOW;
			return 1;
		}
		return short_result(c, st);
	}
	if (nx_cursor_eat(c, "TRY ")) {
		if (!unum(c, &st->try_attempt) || !nx_cursor_eat(c, " "))
			return 0;
		if (word(c, "SLOW"))
			st->status = NX_ST_SLOW;
		else if (word(c, "TRMNTG"))
			st->status = NX_ST_TERMINATING;
		else if (word(c, "START"))
			st->status = NX_ST_START;
		else if (!short_result(c, st))
			return 0;
		return 1;
	}
	if (nx_cursor_eat(c, "RETRY ")) {
		st->status = NX_ST_RETRY;
		return fraction(c, st);
	}
	if (nx_cursor_eat(c, "DELAY ")) {
		st->status = NX_ST_DELAY;
		return fraction(c, st);
	}
	if (nx_cursor_eat(c, "FLAKY ")) {
		st->status = NX_ST_FLAKY;
		return fraction(c, st);
	}
	if (nx_cursor_eat(c, "FLKY-FL ")) {
		st->status = NX_ST_FLAKY_FAIL;
		return fraction(c, st);
	}
	for (size_t k = 0; k < sizeof(longs) / sizeof(longs[0]); k++) {
		if (word(c, longs[k].w)) {
			st->status = longs[k].s;
			return 1;
		}
	}
	c->pos = save;
	if (nx_cursor_eat(c, "ABORT SIG ")) {
		if (!sig_number(c, &st->signal))
			return 0;
		st->status = NX_ST_SIGNAL;
		return 1;
	}
	c->pos = save;
	if (word(c, "ABORT")) {
		st->status = NX_ST_ABORT;
		return 1;
	}
	if (nx_cursor_eat(c, "SIG") && signal_name(c, &st->signame)) {
		st->status = NX_ST_SIGNAL;
		return 1;
	}
	c->pos = save;
	return 0;
}

/* --- field ------------------------------------------------------------ */

/* A bracketed or "by" field right at the cursor. */
static int field(struct nx_cursor *c, struct nx_reporter_status_line *st)
{
	size_t save = c->pos;

	if (nx_cursor_eat(c, "by ")) {
		if (!secs_field(c, &st->nanos))
			goto fail;
		st->field = NX_FIELD_DELAY;
		return 1;
	}
	if (!nx_cursor_eat(c, "["))
		return 0;
	if (nx_cursor_eat(c, ">")) {
		if (!secs_field(c, &st->nanos) || !nx_cursor_eat(c, "]"))
			goto fail;
		st->field = NX_FIELD_SLOW;
		return 1;
	}
	if (skip_spaces(c) > 0 && nx_cursor_eat(c, "]")) {
		st->field = NX_FIELD_BLANK;
		return 1;
	}
	{
		size_t at = c->pos;
		if (secs_field(c, &st->nanos) && nx_cursor_eat(c, "]")) {
			st->field = NX_FIELD_DURATION;
			return 1;
		}
		c->pos = at;
		if (unum(c, &st->index) && nx_cursor_eat(c, "/") && unum(c, &st->index_total) && nx_cursor_eat(c, "]")) {
			st->field = NX_FIELD_INDEX;
			return 1;
		}
	}
fail:
	c->pos = save;
	st->field = NX_FIELD_NONE;
	return 0;
}

/* Which fields each status may carry. */
static int field_ok(const struct nx_reporter_status_line *st, int setup)
{
	enum nx_reporter_field f = st->field;

	if (setup) {
		switch (st->status) {
		case NX_ST_START:
			return f == NX_FIELD_INDEX;
		case NX_ST_SLOW:
			return f == NX_FIELD_SLOW;
		default:	/* finish: duration (0.9.86+) or index (before) */
			return f == NX_FIELD_DURATION || f == NX_FIELD_INDEX;
		}
	}
	switch (st->status) {
	case NX_ST_SLOW:
		return f == NX_FIELD_SLOW || (f == NX_FIELD_DURATION && st->try_attempt == 0);
	case NX_ST_TERMINATING:
		return f == NX_FIELD_SLOW;
	case NX_ST_START:
		return f == NX_FIELD_BLANK || (f == NX_FIELD_NONE && st->try_attempt == 0);
	case NX_ST_SKIP:
	case NX_ST_RETRY:
		return f == NX_FIELD_BLANK;
	case NX_ST_DELAY:
		return f == NX_FIELD_DELAY;
	default:
		return f == NX_FIELD_DURATION;
	}
}

/* --- instance ------------------------------------------------------------ */

/* "[ 1/10] " or "[3] " */
static int stress_prefix(struct nx_cursor *c, struct nx_reporter_status_line *st)
{
	size_t save = c->pos;

	if (!nx_cursor_eat(c, "["))
		return 0;
	skip_spaces(c);
	if (!unum(c, &st->stress_current))
		goto fail;
	if (nx_cursor_eat(c, "/") && !unum(c, &st->stress_total))
		goto fail;
	if (!nx_cursor_eat(c, "] "))
		goto fail;
	st->has_stress = 1;
	return 1;
fail:
	c->pos = save;
	st->stress_current = st->stress_total = 0;
	return 0;
}

/* "( 3/10) " or "(-----) " / "(─────) " */
static int counter_prefix(struct nx_cursor *c, struct nx_reporter_status_line *st)
{
	size_t save = c->pos;
	size_t k = 0;

	if (!nx_cursor_eat(c, "("))
		return 0;
	while (nx_cursor_eat(c, "-") || nx_cursor_eat(c, "\xe2\x94\x80"))
		k++;
	if (k > 0) {
		if (!nx_cursor_eat(c, ") "))
			goto fail;
		st->counter = NX_COUNTER_PLACEHOLDER;
		return 1;
	}
	skip_spaces(c);
	if (unum(c, &st->counter_current) && nx_cursor_eat(c, "/") && unum(c, &st->counter_total) &&
	    nx_cursor_eat(c, ") ")) {
		st->counter = NX_COUNTER_VALUE;
		return 1;
	}
fail:
	c->pos = save;
	st->counter_current = st->counter_total = 0;
	return 0;
}

/* "<script_id>: <command>" — script_id is the first token and ends in ':' */
static int script_instance(struct nx_cursor *c, struct nx_reporter_status_line *st)
{
	size_t start = c->pos;
	const char *sp = memchr(c->s + start, ' ', c->n - start);
	size_t end = sp ? (size_t)(sp - c->s) : c->n;

	if (end - start < 2 || c->s[end - 1] != ':' || !sp)
		return 0;
	st->script_id = span(c, start, end - 1);
	st->command = span(c, end + 1, c->n);
	c->pos = c->n;
	return 1;
}

static int test_instance(struct nx_cursor *c, struct nx_reporter_status_line *st)
{
	size_t start = c->pos;
	const char *sp = memchr(c->s + start, ' ', c->n - start);

	if (!sp)
		return 0;
	size_t end = (size_t)(sp - c->s);
	if (end == start || end + 1 >= c->n)
		return 0;
	/* A binary ID never starts with a prefix's bracket. */
	if (c->s[start] == '[' || c->s[start] == '(')
		return 0;
	st->binary_id = span(c, start, end);
	st->test_name = span(c, end + 1, c->n);
	c->pos = c->n;
	return 1;
}

static enum nx_reporter_kind status_line(struct nx_cursor *c, struct nx_reporter_line *out)
{
	struct nx_reporter_status_line *st = &out->u.st;
	size_t start = c->pos;
	int setup;

	if (!status_column(c, st, &setup))
		return NX_REPORTER_NONE;
	st->status_text = span(c, start, c->pos);
	if (!nx_cursor_eat(c, " "))
		return NX_REPORTER_NONE;
	if (st->status == NX_ST_START && !setup) {
		size_t at = c->pos;
		skip_spaces(c);
		if (!(field(c, st) && st->field == NX_FIELD_BLANK && nx_cursor_eat(c, " "))) {
			c->pos = at;
			st->field = NX_FIELD_NONE;
			skip_spaces(c);
		}
	} else {
		if (!field(c, st) || !nx_cursor_eat(c, " "))
			return NX_REPORTER_NONE;
	}
	if (!field_ok(st, setup))
		return NX_REPORTER_NONE;

	stress_prefix(c, st);
	if (!setup)
		counter_prefix(c, st);
	skip_spaces(c);	/* binary IDs were right-aligned before 0.9.86 */

	if (setup) {
		if (!script_instance(c, st))
			return NX_REPORTER_NONE;
		return NX_REPORTER_SETUP;
	}
	if (st->status == NX_ST_TERMINATING && st->try_attempt == 0 &&
	    st->counter == NX_COUNTER_NONE) {
		size_t at = c->pos;
		if (script_instance(c, st))
			return NX_REPORTER_SETUP;
		c->pos = at;
	}
	if (!test_instance(c, st))
		return NX_REPORTER_NONE;
	return NX_REPORTER_TEST;
}

/* --- run start -------------------------------------------------------- */

static int is_hex(char ch)
{
	return nx_cursor_is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int uuid(struct nx_cursor *c, struct nx_reporter_span *out)
{
	if (c->n - c->pos < 36)
		return 0;
	for (size_t k = 0; k < 36; k++) {
		char ch = c->s[c->pos + k];
		if (k == 8 || k == 13 || k == 18 || k == 23) {
			if (ch != '-')
				return 0;
		} else if (!is_hex(ch)) {
			return 0;
		}
	}
	*out = span(c, c->pos, c->pos + 36);
	c->pos += 36;
	return 1;
}

static enum nx_reporter_kind run_id_line(struct nx_cursor *c, struct nx_reporter_line *out)
{
	struct nx_reporter_run_id *r = &out->u.run_id;

	if (!uuid(c, &r->run_id) || !nx_cursor_eat(c, " with nextest profile: ") || nx_cursor_at_end(c))
		return NX_REPORTER_NONE;
	r->profile = span(c, c->pos, c->n);
	return NX_REPORTER_RUN_ID;
}

/* "tests"/"test"/"benchmarks"/"benchmark" */
static int tests_word(struct nx_cursor *c, int *bench)
{
	if (nx_cursor_eat(c, "tests") || nx_cursor_eat(c, "test"))
		return 1;
	if (nx_cursor_eat(c, "benchmarks") || nx_cursor_eat(c, "benchmark")) {
		*bench = 1;
		return 1;
	}
	return 0;
}

static int binaries_word(struct nx_cursor *c)
{
	return nx_cursor_eat(c, "binaries") || nx_cursor_eat(c, "binary");
}

/* "<uuid>, nextest profile: <p>)" to the end of the line (0.9.68–0.9.74) */
static int run_id_tail(struct nx_cursor *c, struct nx_reporter_starting *s)
{
	if (!uuid(c, &s->run_id) || !nx_cursor_eat(c, ", nextest profile: "))
		return 0;
	if (c->n - c->pos < 2 || c->s[c->n - 1] != ')')
		return 0;
	s->profile = span(c, c->pos, c->n - 1);
	c->pos = c->n;
	return 1;
}

static int contains(const struct nx_cursor *c, const char *lit)
{
	return memmem(c->s + c->pos, c->n - c->pos, lit, strlen(lit)) != NULL;
}

static enum nx_reporter_kind starting_line(struct nx_cursor *c, struct nx_reporter_line *out)
{
	struct nx_reporter_starting *s = &out->u.starting;
	uint64_t k;

	if (!nx_cursor_udec(c, &s->tests) || !nx_cursor_eat(c, " ") || !tests_word(c, &s->benchmarks) ||
	    !nx_cursor_eat(c, " across ") || !nx_cursor_udec(c, &s->binaries) || !nx_cursor_eat(c, " ") || !binaries_word(c))
		return NX_REPORTER_NONE;
	if (nx_cursor_at_end(c))
		return NX_REPORTER_STARTING;
	if (!nx_cursor_eat(c, " ("))
		return NX_REPORTER_NONE;
	if (nx_cursor_eat(c, "run ID: "))
		return run_id_tail(c, s) ? NX_REPORTER_STARTING : NX_REPORTER_NONE;
	if (!nx_cursor_udec(c, &k))
		return NX_REPORTER_NONE;
	if (nx_cursor_eat(c, " skipped")) {	/* before 0.9.75 */
		s->skipped_tests = k;
		if (nx_cursor_eat(c, ")"))
			return nx_cursor_at_end(c) ? NX_REPORTER_STARTING : NX_REPORTER_NONE;
		if (nx_cursor_eat(c, "; run ID: "))
			return run_id_tail(c, s) ? NX_REPORTER_STARTING : NX_REPORTER_NONE;
		return NX_REPORTER_NONE;
	}
	if (!nx_cursor_eat(c, " "))
		return NX_REPORTER_NONE;
	if (tests_word(c, &s->benchmarks)) {
		s->skipped_tests = k;
		if (nx_cursor_eat(c, " and ")) {
			if (!nx_cursor_udec(c, &s->skipped_binaries) || !nx_cursor_eat(c, " ") || !binaries_word(c))
				return NX_REPORTER_NONE;
		}
	} else if (binaries_word(c)) {
		s->skipped_binaries = k;
	} else {
		return NX_REPORTER_NONE;
	}
	if (!nx_cursor_eat(c, " skipped") || c->s[c->n - 1] != ')')
		return NX_REPORTER_NONE;
	s->already_passed = contains(c, "that already passed");
	s->via_default_filter = contains(c, " via ");
	return NX_REPORTER_STARTING;
}

/* --- summary and stress ------------------------------------------------ */

/* "3 passed (1 slow, 2 flaky), 1 failed (1 due to being leaky), 0 skipped" */
static int stats_list(struct nx_cursor *c, struct nx_reporter_stats *s)
{
	int in_paren = 0, seen_passed = 0, seen_skipped = 0;

	for (int guard = 0; guard < 32; guard++) {
		uint64_t v;
		if (!nx_cursor_udec(c, &v) || !nx_cursor_eat(c, " "))
			return 0;
		if (in_paren) {
			if (nx_cursor_eat(c, "slow"))
				s->slow = v;
			else if (nx_cursor_eat(c, "flaky"))
				s->flaky = v;
			else if (nx_cursor_eat(c, "leaky"))
				s->leaky = v;
			else if (nx_cursor_eat(c, "due to being leaky"))
				s->leaky_failed = v;
			else
				return 0;
			if (nx_cursor_eat(c, ", "))
				continue;
			if (!nx_cursor_eat(c, ")"))
				return 0;
			in_paren = 0;
		} else {
			if (nx_cursor_eat(c, "passed")) {
				s->passed = v;
				seen_passed = 1;
			} else if (nx_cursor_eat(c, "failed")) {
				s->failed = v;
			} else if (nx_cursor_eat(c, "exec failed")) {
				s->exec_failed = v;
			} else if (nx_cursor_eat(c, "timed out")) {
				s->timed_out = v;
			} else if (nx_cursor_eat(c, "skipped")) {
				s->skipped = v;
				seen_skipped = 1;
			} else {
				return 0;
			}
			if (nx_cursor_eat(c, " (")) {
				in_paren = 1;
				continue;
			}
		}
		if (nx_cursor_at_end(c))
			return seen_passed && seen_skipped;
		if (!nx_cursor_eat(c, ", "))
			return 0;
	}
	return 0;
}

/* "{finished}[/{initial}] test[s] run: <list>" */
static int tests_run(struct nx_cursor *c, struct nx_reporter_stats *s)
{
	if (!nx_cursor_udec(c, &s->finished))
		return 0;
	s->initial = s->finished;
	if (nx_cursor_eat(c, "/") && !nx_cursor_udec(c, &s->initial))
		return 0;
	if (!nx_cursor_eat(c, " ") || !tests_word(c, &s->benchmarks) || !nx_cursor_eat(c, " run: "))
		return 0;
	return stats_list(c, s);
}

static int bracketed_secs(struct nx_cursor *c, uint64_t *nanos)
{
	return nx_cursor_eat(c, "[") && secs_field(c, nanos) && nx_cursor_eat(c, "] ");
}

static enum nx_reporter_kind summary_line(struct nx_cursor *c, struct nx_reporter_line *out)
{
	struct nx_reporter_summary *s = &out->u.summary;
	size_t at;

	if (!bracketed_secs(c, &s->nanos))
		return NX_REPORTER_NONE;
	at = c->pos;
	if (tests_run(c, &s->stats))
		return NX_REPORTER_SUMMARY;
	c->pos = at;
	memset(&s->stats, 0, sizeof(s->stats));
	s->stress = 1;
	if (!nx_cursor_udec(c, &s->iter_done))
		return NX_REPORTER_NONE;
	if (nx_cursor_eat(c, "/") && !nx_cursor_udec(c, &s->iter_total))
		return NX_REPORTER_NONE;
	if (!(nx_cursor_eat(c, " stress run iterations: ") || nx_cursor_eat(c, " stress run iteration: ")))
		return NX_REPORTER_NONE;
	if (!nx_cursor_udec(c, &s->iter_passed) || !nx_cursor_eat(c, " passed"))
		return NX_REPORTER_NONE;
	if (nx_cursor_eat(c, ", ") && !(nx_cursor_udec(c, &s->iter_failed) && nx_cursor_eat(c, " failed")))
		return NX_REPORTER_NONE;
	if (nx_cursor_eat(c, "; cancelled due to ")) {
		s->cancel_reason = span(c, c->pos, c->n);
		c->pos = c->n;
	}
	return nx_cursor_at_end(c) ? NX_REPORTER_SUMMARY : NX_REPORTER_NONE;
}

static enum nx_reporter_kind stress_line(struct nx_cursor *c, struct nx_reporter_line *out)
{
	struct nx_reporter_stress *s = &out->u.stress;
	int done = 0;

	if (peek_ch(c, '[')) {
		if (!bracketed_secs(c, &s->nanos))
			return NX_REPORTER_NONE;
		done = 1;
	}
	if (!nx_cursor_eat(c, "iteration ") || !nx_cursor_udec(c, &s->iteration))
		return NX_REPORTER_NONE;
	if (nx_cursor_eat(c, "/") && !nx_cursor_udec(c, &s->total))
		return NX_REPORTER_NONE;
	if (!done)
		return (nx_cursor_eat(c, " (") && c->s[c->n - 1] == ')') ? NX_REPORTER_STRESS_START : NX_REPORTER_NONE;
	if (!nx_cursor_eat(c, ": ") || !tests_run(c, &s->stats))
		return NX_REPORTER_NONE;
	return NX_REPORTER_STRESS_DONE;
}

/* --- cancel / pause / warning ------------------------------------------- */

static enum nx_reporter_kind cancel_line(struct nx_cursor *c, struct nx_reporter_line *out, enum nx_reporter_kind kind)
{
	struct nx_reporter_cancel *k = &out->u.cancel;

	if (nx_cursor_at_end(c))
		return kind;
	if (nx_cursor_eat(c, "due to ")) {
		size_t start = c->pos;
		const char *colon = memchr(c->s + start, ':', c->n - start);
		size_t end = colon ? (size_t)(colon - c->s) : c->n;
		k->reason = span(c, start, end);
		c->pos = end;
		if (nx_cursor_at_end(c))
			return kind;
		nx_cursor_eat(c, ":");
		skip_spaces(c);
		nx_cursor_eat(c, ": ");	/* "Killing due to R: : N …" */
	}
	if (nx_cursor_eat(c, "immediately terminating "))
		k->immediate = 1;
	if (nx_cursor_at_end(c))
		return kind;
	if (!nx_cursor_udec(c, &k->running) || !nx_cursor_eat(c, " "))
		return kind == NX_REPORTER_CANCEL ? NX_REPORTER_NONE : kind;
	if (nx_cursor_eat(c, "setup scripts") || nx_cursor_eat(c, "setup script"))
		k->scripts = 1;
	else if (!(nx_cursor_eat(c, "tests") || nx_cursor_eat(c, "test") || nx_cursor_eat(c, "benchmarks") ||
		   nx_cursor_eat(c, "benchmark") || nx_cursor_eat(c, "running tests")))
		return NX_REPORTER_NONE;
	return kind;
}

static enum nx_reporter_kind warning_line(struct nx_cursor *c, struct nx_reporter_line *out)
{
	struct nx_reporter_warning *w = &out->u.warning;
	size_t at = c->pos;
	uint64_t a, b;

	w->text = span(c, c->pos, c->n);
	if (nx_cursor_udec(c, &a) && nx_cursor_eat(c, "/") && nx_cursor_udec(c, &b) && nx_cursor_eat(c, " ")) {
		w->not_run = a;
		w->initial = b;
	}
	c->pos = at;
	return NX_REPORTER_WARNING;
}

enum nx_reporter_kind nx_reporter_parse(const char *text, size_t n, struct nx_reporter_line *out)
{
	struct nx_cursor c = { .s = text, .n = n, .pos = 0 };
	enum nx_reporter_kind k;
	size_t lead;

	memset(out, 0, sizeof(*out));
	if (!text || n == 0)
		return NX_REPORTER_NONE;
	lead = skip_spaces(&c);
	if (lead == 0 && nx_cursor_eat(&c, "warning: "))
		k = warning_line(&c, out);
	else if (nx_cursor_eat(&c, "Nextest run ID "))
		k = run_id_line(&c, out);
	else if (nx_cursor_eat(&c, "Starting "))
		k = starting_line(&c, out);
	else if (nx_cursor_eat(&c, "Summary "))
		k = summary_line(&c, out);
	else if (nx_cursor_eat(&c, "Stress test "))
		k = stress_line(&c, out);
	else if (nx_cursor_eat(&c, "Cancelling ") || nx_cursor_eat(&c, "Canceling ") ||
		 (nx_cursor_eat(&c, "Cancelling") && nx_cursor_at_end(&c)))
		k = cancel_line(&c, out, NX_REPORTER_CANCEL);
	else if (nx_cursor_eat(&c, "Killing ")) {
		out->u.cancel.killing = 1;
		k = cancel_line(&c, out, NX_REPORTER_CANCEL);
	} else if (nx_cursor_eat(&c, "Pausing "))
		k = cancel_line(&c, out, NX_REPORTER_PAUSE);
	else if (nx_cursor_eat(&c, "Continuing "))
		k = cancel_line(&c, out, NX_REPORTER_CONTINUE);
	else
		k = status_line(&c, out);
	if (k == NX_REPORTER_NONE)
		memset(out, 0, sizeof(*out));
	out->kind = k;
	return k;
}

enum nx_reporter_kind nx_reporter_parse_raw(const char *raw, size_t n, char *scratch, size_t cap,
				  struct nx_reporter_line *out)
{
	if (!raw || !scratch || n > cap) {
		memset(out, 0, sizeof(*out));
		return NX_REPORTER_NONE;
	}
	return nx_reporter_parse(scratch, nx_ansi_strip(raw, n, scratch), out);
}
