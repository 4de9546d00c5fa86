/* reporter.c — parser for the human reporter's stderr lines (see reporter.h).
 *
 * A small cursor walks the line left to right; every helper either
 * consumes what it expects and returns 1, or returns 0 (the caller then
 * gives up or rewinds).  Nothing is allocated; every index stays < n.
 */
#include <stdlib.h>
#include <string.h>

#include "ansi.h"
#include "reporter.h"

struct cur {
	const char *p;
	size_t n, i;
};

static int at_end(const struct cur *c)
{
	return c->i >= c->n;
}

static int peek_ch(const struct cur *c, char ch)
{
	return c->i < c->n && c->p[c->i] == ch;
}

/* Consume the literal `lit` if it is next. */
static int eat(struct cur *c, const char *lit)
{
	size_t k = strlen(lit);

	if (c->n - c->i < k || memcmp(c->p + c->i, lit, k) != 0)
		return 0;
	c->i += k;
	return 1;
}

/* Consume `lit` only if a space follows it (the space stays). */
static int word(struct cur *c, const char *lit)
{
	size_t save = c->i;

	if (eat(c, lit) && peek_ch(c, ' '))
		return 1;
	c->i = save;
	return 0;
}

static size_t skip_spaces(struct cur *c)
{
	size_t k = 0;

	while (c->i < c->n && c->p[c->i] == ' ') {
		c->i++;
		k++;
	}
	return k;
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Unsigned decimal, at least one digit, no overflow. */
static int num(struct cur *c, uint64_t *v)
{
	uint64_t x = 0;
	size_t start = c->i;

	while (c->i < c->n && is_digit(c->p[c->i])) {
		unsigned d = (unsigned)(c->p[c->i] - '0');
		if (x > (UINT64_MAX - d) / 10) {
			c->i = start;
			return 0;
		}
		x = x * 10 + d;
		c->i++;
	}
	if (c->i == start)
		return 0;
	*v = x;
	return 1;
}

static int unum(struct cur *c, unsigned *v)
{
	uint64_t x;
	size_t save = c->i;

	if (!num(c, &x) || x > 0xffffffffu) {
		c->i = save;
		return 0;
	}
	*v = (unsigned)x;
	return 1;
}

static struct nx_rep_span span(const struct cur *c, size_t from, size_t to)
{
	struct nx_rep_span s = { c->p + from, to - from };
	return s;
}

int nx_rep_secs_to_nanos(const char *p, size_t n, uint64_t *nanos)
{
	uint64_t secs = 0, frac = 0;
	size_t i = 0, k;

	if (n == 0 || !is_digit(p[0]))
		return -1;
	for (; i < n && is_digit(p[i]); i++) {
		if (secs > (UINT64_MAX / 1000000000u - 9) / 10)
			return -1;
		secs = secs * 10 + (uint64_t)(p[i] - '0');
	}
	if (i < n) {
		if (p[i] != '.' || i + 1 >= n)
			return -1;
		i++;
		/* First nine digits are ns; the tenth rounds half-up. */
		for (k = 0; i < n && is_digit(p[i]); i++, k++) {
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
static int secs_field(struct cur *c, uint64_t *nanos)
{
	size_t start;

	skip_spaces(c);
	start = c->i;
	while (c->i < c->n && (is_digit(c->p[c->i]) || c->p[c->i] == '.'))
		c->i++;
	if (c->i == start || !peek_ch(c, 's'))
		return 0;
	if (nx_rep_secs_to_nanos(c->p + start, c->i - start, nanos) != 0)
		return 0;
	c->i++;
	return 1;
}

/* --- status column -------------------------------------------------- */

/* Upper-case signal name such as SEGV, ABRT, USR1. */
static int signal_name(struct cur *c, struct nx_rep_span *name)
{
	size_t start = c->i;

	if (c->i >= c->n || c->p[c->i] < 'A' || c->p[c->i] > 'Z')
		return 0;
	while (c->i < c->n && c->i - start < 12 &&
	       ((c->p[c->i] >= 'A' && c->p[c->i] <= 'Z') || is_digit(c->p[c->i])))
		c->i++;
	if (c->i - start < 2 || !peek_ch(c, ' ')) {
		c->i = start;
		return 0;
	}
	*name = span(c, start, c->i);
	return 1;
}

static int sig_number(struct cur *c, int *sig)
{
	unsigned v;
	size_t save = c->i;

	if (!unum(c, &v) || v > 1000 || !peek_ch(c, ' ')) {
		c->i = save;
		return 0;
	}
	*sig = (int)v;
	return 1;
}

/* The short results shared by "TRY n X" and "SETUP X". */
static int short_result(struct cur *c, struct nx_rep_status_line *st)
{
	static const struct {
		const char *w;
		enum nx_rep_status s;
	} tab[] = {
		{ "PASS", NX_ST_PASS }, { "FAIL", NX_ST_FAIL }, { "FL+LK", NX_ST_FAIL_LEAK },
		{ "XFAIL", NX_ST_XFAIL }, { "LEAK", NX_ST_LEAK }, { "LKFAIL", NX_ST_LEAK_FAIL },
		{ "TMPASS", NX_ST_TIMEOUT_PASS }, { "TMT", NX_ST_TIMEOUT }, { "ABORT", NX_ST_ABORT },
	};
	size_t save = c->i;

	for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++) {
		if (word(c, tab[k].w)) {
			st->status = tab[k].s;
			return 1;
		}
	}
	if (eat(c, "SIG ") && sig_number(c, &st->signal)) {
		st->status = NX_ST_SIGNAL;
		return 1;
	}
	c->i = save;
	if (signal_name(c, &st->signame)) {
		st->status = NX_ST_SIGNAL;
		return 1;
	}
	return 0;
}

static int fraction(struct cur *c, struct nx_rep_status_line *st)
{
	size_t save = c->i;

	if (unum(c, &st->frac_num) && eat(c, "/") && unum(c, &st->frac_den) && peek_ch(c, ' '))
		return 1;
	c->i = save;
	return 0;
}

/* Parses the status column.  Sets *setup for SETUP-prefixed statuses. */
static int status_column(struct cur *c, struct nx_rep_status_line *st, int *setup)
{
	static const struct {
		const char *w;
		enum nx_rep_status s;
	} longs[] = {
		{ "FAIL + LEAK", NX_ST_FAIL_LEAK }, { "SLOW + LEAK", NX_ST_SLOW_LEAK },
		{ "SLOW+TMPASS", NX_ST_SLOW_TMPASS }, { "TIMEOUT-PASS", NX_ST_TIMEOUT_PASS },
		{ "TIMEOUT", NX_ST_TIMEOUT }, { "TERMINATING", NX_ST_TERMINATING },
		{ "LEAK-FAIL", NX_ST_LEAK_FAIL }, { "LEAK", NX_ST_LEAK }, { "PASS", NX_ST_PASS },
		{ "FAIL", NX_ST_FAIL }, { "XFAIL", NX_ST_XFAIL }, { "SLOW", NX_ST_SLOW },
		{ "START", NX_ST_START }, { "SKIP", NX_ST_SKIP },
	};
	size_t save = c->i;

	*setup = 0;
	if (eat(c, "SETUP")) {
		*setup = 1;
		if (peek_ch(c, ' ') && c->i + 1 < c->n && c->p[c->i + 1] == '[') {
			st->status = NX_ST_START;
			return 1;
		}
		if (!eat(c, " "))
			return 0;
		if (word(c, "SLOW")) {
			st->status = NX_ST_SLOW;
			return 1;
		}
		return short_result(c, st);
	}
	if (eat(c, "TRY ")) {
		if (!unum(c, &st->try_attempt) || !eat(c, " "))
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
	if (eat(c, "RETRY ")) {
		st->status = NX_ST_RETRY;
		return fraction(c, st);
	}
	if (eat(c, "DELAY ")) {
		st->status = NX_ST_DELAY;
		return fraction(c, st);
	}
	if (eat(c, "FLAKY ")) {
		st->status = NX_ST_FLAKY;
		return fraction(c, st);
	}
	if (eat(c, "FLKY-FL ")) {
		st->status = NX_ST_FLAKY_FAIL;
		return fraction(c, st);
	}
	for (size_t k = 0; k < sizeof(longs) / sizeof(longs[0]); k++) {
		if (word(c, longs[k].w)) {
			st->status = longs[k].s;
			return 1;
		}
	}
	c->i = save;
	if (eat(c, "ABORT SIG ")) {
		if (!sig_number(c, &st->signal))
			return 0;
		st->status = NX_ST_SIGNAL;
		return 1;
	}
	c->i = save;
	if (word(c, "ABORT")) {
		st->status = NX_ST_ABORT;
		return 1;
	}
	if (eat(c, "SIG") && signal_name(c, &st->signame)) {
		st->status = NX_ST_SIGNAL;
		return 1;
	}
	c->i = save;
	return 0;
}

/* --- field ------------------------------------------------------------ */

/* A bracketed or "by" field right at the cursor. */
static int field(struct cur *c, struct nx_rep_status_line *st)
{
	size_t save = c->i;

	if (eat(c, "by ")) {
		if (!secs_field(c, &st->nanos))
			goto fail;
		st->field = NX_FIELD_DELAY;
		return 1;
	}
	if (!eat(c, "["))
		return 0;
	if (eat(c, ">")) {
		if (!secs_field(c, &st->nanos) || !eat(c, "]"))
			goto fail;
		st->field = NX_FIELD_SLOW;
		return 1;
	}
	if (skip_spaces(c) > 0 && eat(c, "]")) {
		st->field = NX_FIELD_BLANK;
		return 1;
	}
	{
		size_t at = c->i;
		if (secs_field(c, &st->nanos) && eat(c, "]")) {
			st->field = NX_FIELD_DURATION;
			return 1;
		}
		c->i = at;
		if (unum(c, &st->index) && eat(c, "/") && unum(c, &st->index_total) && eat(c, "]")) {
			st->field = NX_FIELD_INDEX;
			return 1;
		}
	}
fail:
	c->i = save;
	st->field = NX_FIELD_NONE;
	return 0;
}

/* Which fields each status may carry. */
static int field_ok(const struct nx_rep_status_line *st, int setup)
{
	enum nx_rep_field f = st->field;

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
static int stress_prefix(struct cur *c, struct nx_rep_status_line *st)
{
	size_t save = c->i;

	if (!eat(c, "["))
		return 0;
	skip_spaces(c);
	if (!unum(c, &st->stress_current))
		goto fail;
	if (eat(c, "/") && !unum(c, &st->stress_total))
		goto fail;
	if (!eat(c, "] "))
		goto fail;
	st->has_stress = 1;
	return 1;
fail:
	c->i = save;
	st->stress_current = st->stress_total = 0;
	return 0;
}

/* "( 3/10) " or "(-----) " / "(─────) " */
static int counter_prefix(struct cur *c, struct nx_rep_status_line *st)
{
	size_t save = c->i;
	size_t k = 0;

	if (!eat(c, "("))
		return 0;
	while (eat(c, "-") || eat(c, "\xe2\x94\x80"))
		k++;
	if (k > 0) {
		if (!eat(c, ") "))
			goto fail;
		st->counter = NX_COUNTER_PLACEHOLDER;
		return 1;
	}
	skip_spaces(c);
	if (unum(c, &st->counter_current) && eat(c, "/") && unum(c, &st->counter_total) &&
	    eat(c, ") ")) {
		st->counter = NX_COUNTER_VALUE;
		return 1;
	}
fail:
	c->i = save;
	st->counter_current = st->counter_total = 0;
	return 0;
}

/* "<script_id>: <command>" — script_id is the first token and ends in ':' */
static int script_instance(struct cur *c, struct nx_rep_status_line *st)
{
	size_t start = c->i;
	const char *sp = memchr(c->p + start, ' ', c->n - start);
	size_t end = sp ? (size_t)(sp - c->p) : c->n;

	if (end - start < 2 || c->p[end - 1] != ':' || !sp)
		return 0;
	st->script_id = span(c, start, end - 1);
	st->command = span(c, end + 1, c->n);
	c->i = c->n;
	return 1;
}

static int test_instance(struct cur *c, struct nx_rep_status_line *st)
{
	size_t start = c->i;
	const char *sp = memchr(c->p + start, ' ', c->n - start);

	if (!sp)
		return 0;
	size_t end = (size_t)(sp - c->p);
	if (end == start || end + 1 >= c->n)
		return 0;
	/* A binary ID never starts with a prefix's bracket. */
	if (c->p[start] == '[' || c->p[start] == '(')
		return 0;
	st->binary_id = span(c, start, end);
	st->test_name = span(c, end + 1, c->n);
	c->i = c->n;
	return 1;
}

static enum nx_rep_kind status_line(struct cur *c, struct nx_rep_line *out)
{
	struct nx_rep_status_line *st = &out->u.st;
	size_t start = c->i;
	int setup;

	if (!status_column(c, st, &setup))
		return NX_REP_NONE;
	st->status_text = span(c, start, c->i);
	if (!eat(c, " "))
		return NX_REP_NONE;
	if (st->status == NX_ST_START && !setup) {
		size_t at = c->i;
		skip_spaces(c);
		if (!(field(c, st) && st->field == NX_FIELD_BLANK && eat(c, " "))) {
			c->i = at;
			st->field = NX_FIELD_NONE;
			skip_spaces(c);
		}
	} else {
		if (!field(c, st) || !eat(c, " "))
			return NX_REP_NONE;
	}
	if (!field_ok(st, setup))
		return NX_REP_NONE;

	stress_prefix(c, st);
	if (!setup)
		counter_prefix(c, st);
	skip_spaces(c);	/* binary IDs were right-aligned before 0.9.86 */

	if (setup) {
		if (!script_instance(c, st))
			return NX_REP_NONE;
		return NX_REP_SETUP;
	}
	if (st->status == NX_ST_TERMINATING && st->try_attempt == 0 &&
	    st->counter == NX_COUNTER_NONE) {
		size_t at = c->i;
		if (script_instance(c, st))
			return NX_REP_SETUP;
		c->i = at;
	}
	if (!test_instance(c, st))
		return NX_REP_NONE;
	return NX_REP_TEST;
}

/* --- run start -------------------------------------------------------- */

static int is_hex(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int uuid(struct cur *c, struct nx_rep_span *out)
{
	if (c->n - c->i < 36)
		return 0;
	for (size_t k = 0; k < 36; k++) {
		char ch = c->p[c->i + k];
		if (k == 8 || k == 13 || k == 18 || k == 23) {
			if (ch != '-')
				return 0;
		} else if (!is_hex(ch)) {
			return 0;
		}
	}
	*out = span(c, c->i, c->i + 36);
	c->i += 36;
	return 1;
}

static enum nx_rep_kind run_id_line(struct cur *c, struct nx_rep_line *out)
{
	struct nx_rep_run_id *r = &out->u.run_id;

	if (!uuid(c, &r->run_id) || !eat(c, " with nextest profile: ") || at_end(c))
		return NX_REP_NONE;
	r->profile = span(c, c->i, c->n);
	return NX_REP_RUN_ID;
}

/* "tests"/"test"/"benchmarks"/"benchmark" */
static int tests_word(struct cur *c, int *bench)
{
	if (eat(c, "tests") || eat(c, "test"))
		return 1;
	if (eat(c, "benchmarks") || eat(c, "benchmark")) {
		*bench = 1;
		return 1;
	}
	return 0;
}

static int binaries_word(struct cur *c)
{
	return eat(c, "binaries") || eat(c, "binary");
}

/* "<uuid>, nextest profile: <p>)" to the end of the line (0.9.68–0.9.74) */
static int run_id_tail(struct cur *c, struct nx_rep_starting *s)
{
	if (!uuid(c, &s->run_id) || !eat(c, ", nextest profile: "))
		return 0;
	if (c->n - c->i < 2 || c->p[c->n - 1] != ')')
		return 0;
	s->profile = span(c, c->i, c->n - 1);
	c->i = c->n;
	return 1;
}

static int contains(const struct cur *c, const char *lit)
{
	return memmem(c->p + c->i, c->n - c->i, lit, strlen(lit)) != NULL;
}

static enum nx_rep_kind starting_line(struct cur *c, struct nx_rep_line *out)
{
	struct nx_rep_starting *s = &out->u.starting;
	uint64_t k;

	if (!num(c, &s->tests) || !eat(c, " ") || !tests_word(c, &s->benchmarks) ||
	    !eat(c, " across ") || !num(c, &s->binaries) || !eat(c, " ") || !binaries_word(c))
		return NX_REP_NONE;
	if (at_end(c))
		return NX_REP_STARTING;
	if (!eat(c, " ("))
		return NX_REP_NONE;
	if (eat(c, "run ID: "))
		return run_id_tail(c, s) ? NX_REP_STARTING : NX_REP_NONE;
	if (!num(c, &k))
		return NX_REP_NONE;
	if (eat(c, " skipped")) {	/* before 0.9.75 */
		s->skipped_tests = k;
		if (eat(c, ")"))
			return at_end(c) ? NX_REP_STARTING : NX_REP_NONE;
		if (eat(c, "; run ID: "))
			return run_id_tail(c, s) ? NX_REP_STARTING : NX_REP_NONE;
		return NX_REP_NONE;
	}
	if (!eat(c, " "))
		return NX_REP_NONE;
	if (tests_word(c, &s->benchmarks)) {
		s->skipped_tests = k;
		if (eat(c, " and ")) {
			if (!num(c, &s->skipped_binaries) || !eat(c, " ") || !binaries_word(c))
				return NX_REP_NONE;
		}
	} else if (binaries_word(c)) {
		s->skipped_binaries = k;
	} else {
		return NX_REP_NONE;
	}
	if (!eat(c, " skipped") || c->p[c->n - 1] != ')')
		return NX_REP_NONE;
	s->already_passed = contains(c, "that already passed");
	s->via_default_filter = contains(c, " via ");
	return NX_REP_STARTING;
}

/* --- summary and stress ------------------------------------------------ */

/* "3 passed (1 slow, 2 flaky), 1 failed (1 due to being leaky), 0 skipped" */
static int stats_list(struct cur *c, struct nx_rep_stats *s)
{
	int in_paren = 0, seen_passed = 0, seen_skipped = 0;

	for (int guard = 0; guard < 32; guard++) {
		uint64_t v;
		if (!num(c, &v) || !eat(c, " "))
			return 0;
		if (in_paren) {
			if (eat(c, "slow"))
				s->slow = v;
			else if (eat(c, "flaky"))
				s->flaky = v;
			else if (eat(c, "leaky"))
				s->leaky = v;
			else if (eat(c, "due to being leaky"))
				s->leaky_failed = v;
			else
				return 0;
			if (eat(c, ", "))
				continue;
			if (!eat(c, ")"))
				return 0;
			in_paren = 0;
		} else {
			if (eat(c, "passed")) {
				s->passed = v;
				seen_passed = 1;
			} else if (eat(c, "failed")) {
				s->failed = v;
			} else if (eat(c, "exec failed")) {
				s->exec_failed = v;
			} else if (eat(c, "timed out")) {
				s->timed_out = v;
			} else if (eat(c, "skipped")) {
				s->skipped = v;
				seen_skipped = 1;
			} else {
				return 0;
			}
			if (eat(c, " (")) {
				in_paren = 1;
				continue;
			}
		}
		if (at_end(c))
			return seen_passed && seen_skipped;
		if (!eat(c, ", "))
			return 0;
	}
	return 0;
}

/* "{finished}[/{initial}] test[s] run: <list>" */
static int tests_run(struct cur *c, struct nx_rep_stats *s)
{
	if (!num(c, &s->finished))
		return 0;
	s->initial = s->finished;
	if (eat(c, "/") && !num(c, &s->initial))
		return 0;
	if (!eat(c, " ") || !tests_word(c, &s->benchmarks) || !eat(c, " run: "))
		return 0;
	return stats_list(c, s);
}

static int bracketed_secs(struct cur *c, uint64_t *nanos)
{
	return eat(c, "[") && secs_field(c, nanos) && eat(c, "] ");
}

static enum nx_rep_kind summary_line(struct cur *c, struct nx_rep_line *out)
{
	struct nx_rep_summary *s = &out->u.summary;
	size_t at;

	if (!bracketed_secs(c, &s->nanos))
		return NX_REP_NONE;
	at = c->i;
	if (tests_run(c, &s->stats))
		return NX_REP_SUMMARY;
	c->i = at;
	memset(&s->stats, 0, sizeof(s->stats));
	s->stress = 1;
	if (!num(c, &s->iter_done))
		return NX_REP_NONE;
	if (eat(c, "/") && !num(c, &s->iter_total))
		return NX_REP_NONE;
	if (!(eat(c, " stress run iterations: ") || eat(c, " stress run iteration: ")))
		return NX_REP_NONE;
	if (!num(c, &s->iter_passed) || !eat(c, " passed"))
		return NX_REP_NONE;
	if (eat(c, ", ") && !(num(c, &s->iter_failed) && eat(c, " failed")))
		return NX_REP_NONE;
	if (eat(c, "; cancelled due to ")) {
		s->cancel_reason = span(c, c->i, c->n);
		c->i = c->n;
	}
	return at_end(c) ? NX_REP_SUMMARY : NX_REP_NONE;
}

static enum nx_rep_kind stress_line(struct cur *c, struct nx_rep_line *out)
{
	struct nx_rep_stress *s = &out->u.stress;
	int done = 0;

	if (peek_ch(c, '[')) {
		if (!bracketed_secs(c, &s->nanos))
			return NX_REP_NONE;
		done = 1;
	}
	if (!eat(c, "iteration ") || !num(c, &s->iteration))
		return NX_REP_NONE;
	if (eat(c, "/") && !num(c, &s->total))
		return NX_REP_NONE;
	if (!done)
		return (eat(c, " (") && c->p[c->n - 1] == ')') ? NX_REP_STRESS_START : NX_REP_NONE;
	if (!eat(c, ": ") || !tests_run(c, &s->stats))
		return NX_REP_NONE;
	return NX_REP_STRESS_DONE;
}

/* --- cancel / pause / warning ------------------------------------------- */

static enum nx_rep_kind cancel_line(struct cur *c, struct nx_rep_line *out, enum nx_rep_kind kind)
{
	struct nx_rep_cancel *k = &out->u.cancel;

	if (at_end(c))
		return kind;
	if (eat(c, "due to ")) {
		size_t start = c->i;
		const char *colon = memchr(c->p + start, ':', c->n - start);
		size_t end = colon ? (size_t)(colon - c->p) : c->n;
		k->reason = span(c, start, end);
		c->i = end;
		if (at_end(c))
			return kind;
		eat(c, ":");
		skip_spaces(c);
		eat(c, ": ");	/* "Killing due to R: : N …" */
	}
	if (eat(c, "immediately terminating "))
		k->immediate = 1;
	if (at_end(c))
		return kind;
	if (!num(c, &k->running) || !eat(c, " "))
		return kind == NX_REP_CANCEL ? NX_REP_NONE : kind;
	if (eat(c, "setup scripts") || eat(c, "setup script"))
		k->scripts = 1;
	else if (!(eat(c, "tests") || eat(c, "test") || eat(c, "benchmarks") ||
		   eat(c, "benchmark") || eat(c, "running tests")))
		return NX_REP_NONE;
	return kind;
}

static enum nx_rep_kind warning_line(struct cur *c, struct nx_rep_line *out)
{
	struct nx_rep_warning *w = &out->u.warning;
	size_t at = c->i;
	uint64_t a, b;

	w->text = span(c, c->i, c->n);
	if (num(c, &a) && eat(c, "/") && num(c, &b) && eat(c, " ")) {
		w->not_run = a;
		w->initial = b;
	}
	c->i = at;
	return NX_REP_WARNING;
}

enum nx_rep_kind nx_rep_parse(const char *text, size_t n, struct nx_rep_line *out)
{
	struct cur c = { text, n, 0 };
	enum nx_rep_kind k;
	size_t lead;

	memset(out, 0, sizeof(*out));
	if (!text || n == 0)
		return NX_REP_NONE;
	lead = skip_spaces(&c);
	if (lead == 0 && eat(&c, "warning: "))
		k = warning_line(&c, out);
	else if (eat(&c, "Nextest run ID "))
		k = run_id_line(&c, out);
	else if (eat(&c, "Starting "))
		k = starting_line(&c, out);
	else if (eat(&c, "Summary "))
		k = summary_line(&c, out);
	else if (eat(&c, "Stress test "))
		k = stress_line(&c, out);
	else if (eat(&c, "Cancelling ") || eat(&c, "Canceling ") || (eat(&c, "Cancelling") && at_end(&c)))
		k = cancel_line(&c, out, NX_REP_CANCEL);
	else if (eat(&c, "Killing ")) {
		out->u.cancel.killing = 1;
		k = cancel_line(&c, out, NX_REP_CANCEL);
	} else if (eat(&c, "Pausing "))
		k = cancel_line(&c, out, NX_REP_PAUSE);
	else if (eat(&c, "Continuing "))
		k = cancel_line(&c, out, NX_REP_CONTINUE);
	else
		k = status_line(&c, out);
	if (k == NX_REP_NONE)
		memset(out, 0, sizeof(*out));
	out->kind = k;
	return k;
}

enum nx_rep_kind nx_rep_parse_raw(const char *raw, size_t n, char *scratch, size_t cap,
				  struct nx_rep_line *out)
{
	if (!raw || !scratch || n > cap) {
		memset(out, 0, sizeof(*out));
		return NX_REP_NONE;
	}
	return nx_rep_parse(scratch, nx_ansi_strip(raw, n, scratch), out);
}

/* --- fuzz entry --------------------------------------------------------- */

static void check_span(struct nx_rep_span s, const char *base, size_t n)
{
	if (s.n == 0)
		return;
	if (s.p < base || s.p + s.n > base + n || s.n > n)
		abort();
}

static void check_line(const struct nx_rep_line *r, const char *base, size_t n)
{
	switch (r->kind) {
	case NX_REP_RUN_ID:
		check_span(r->u.run_id.run_id, base, n);
		check_span(r->u.run_id.profile, base, n);
		break;
	case NX_REP_STARTING:
		check_span(r->u.starting.run_id, base, n);
		check_span(r->u.starting.profile, base, n);
		break;
	case NX_REP_SETUP:
	case NX_REP_TEST:
		check_span(r->u.st.status_text, base, n);
		check_span(r->u.st.signame, base, n);
		check_span(r->u.st.binary_id, base, n);
		check_span(r->u.st.test_name, base, n);
		check_span(r->u.st.script_id, base, n);
		check_span(r->u.st.command, base, n);
		if (r->kind == NX_REP_TEST && (r->u.st.binary_id.n == 0 || r->u.st.test_name.n == 0))
			abort();
		break;
	case NX_REP_CANCEL:
	case NX_REP_PAUSE:
	case NX_REP_CONTINUE:
		check_span(r->u.cancel.reason, base, n);
		break;
	case NX_REP_SUMMARY:
		check_span(r->u.summary.cancel_reason, base, n);
		break;
	case NX_REP_WARNING:
		check_span(r->u.warning.text, base, n);
		break;
	default:
		break;
	}
}

int nx_rep_fuzz_one(const uint8_t *data, size_t n)
{
	char scratch[4096];
	struct nx_rep_line r;
	size_t i = 0;
	int parsed = 0;

	while (i <= n) {
		const uint8_t *nl = i < n ? memchr(data + i, '\n', n - i) : NULL;
		size_t len = nl ? (size_t)(nl - (data + i)) : n - i;
		if (nx_rep_parse_raw((const char *)data + i, len, scratch, sizeof(scratch), &r) !=
		    NX_REP_NONE) {
			check_line(&r, scratch, len);
			parsed++;
		}
		if (!nl)
			break;
		i += len + 1;
	}
	return parsed;
}
