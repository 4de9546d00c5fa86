/* libtest.c — parser for libtest-json / libtest-json-plus lines (see libtest.h). */
#include <stdlib.h>
#include <string.h>

#include "libtest.h"
#include "reporter.h"	/* nx_rep_secs_to_nanos: the one exact decimal converter */

struct cur {
	const char *p;
	size_t n, i;
};

static int eat(struct cur *c, const char *lit)
{
	size_t k = strlen(lit);

	if (c->n - c->i < k || memcmp(c->p + c->i, lit, k) != 0)
		return 0;
	c->i += k;
	return 1;
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

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

static struct nx_lt_span span(const char *base, size_t from, size_t to)
{
	struct nx_lt_span s = { base + from, to - from };
	return s;
}

/* The line must end exactly at the cursor after "}". */
static int close_obj(struct cur *c)
{
	return eat(c, "}") && c->i == c->n;
}

/* f64 Display text up to ',' or '}'. */
static int exec_time(struct cur *c, struct nx_lt_event *ev)
{
	size_t start = c->i;

	while (c->i < c->n && (is_digit(c->p[c->i]) || c->p[c->i] == '.'))
		c->i++;
	if (c->i == start || nx_rep_secs_to_nanos(c->p + start, c->i - start, &ev->exec_nanos) != 0)
		return 0;
	ev->exec_time = span(c->p, start, c->i);
	return 1;
}

/* Raw text from the cursor up to the first `delim`; cursor moves past it. */
static int upto(struct cur *c, const char *delim, struct nx_lt_span *out)
{
	const char *hit = memmem(c->p + c->i, c->n - c->i, delim, strlen(delim));

	if (!hit)
		return 0;
	*out = span(c->p, c->i, (size_t)(hit - c->p));
	c->i = (size_t)(hit - c->p) + strlen(delim);
	return 1;
}

/* ,"nextest":{"crate":"…","test_binary":"…","kind":"…"[,"stress_index":i[,"stress_total":n]]} */
static int nextest_obj(struct cur *c, struct nx_lt_event *ev)
{
	if (!eat(c, ",\"nextest\":{\"crate\":\"") || !upto(c, "\",\"test_binary\":\"", &ev->nx_crate) ||
	    !upto(c, "\",\"kind\":\"", &ev->nx_binary) || !upto(c, "\"", &ev->nx_kind))
		return 0;
	if (eat(c, ",\"stress_index\":")) {
		if (!num(c, &ev->stress_index))
			return 0;
		ev->has_stress_index = 1;
		if (eat(c, ",\"stress_total\":")) {
			if (!num(c, &ev->stress_total))
				return 0;
			ev->has_stress_total = 1;
		}
	}
	if (!eat(c, "}"))
		return 0;
	ev->has_nextest = 1;
	return 1;
}

static enum nx_lt_kind suite(struct cur *c, struct nx_lt_event *ev)
{
	if (eat(c, "started\",\"test_count\":")) {
		if (!num(c, &ev->test_count))
			return NX_LT_NONE;
		if (c->i < c->n && c->p[c->i] == ',' && !nextest_obj(c, ev))
			return NX_LT_NONE;
		return close_obj(c) ? NX_LT_SUITE_STARTED : NX_LT_NONE;
	}
	if (eat(c, "failed\","))
		ev->failed = 1;
	else if (!eat(c, "ok\","))
		return NX_LT_NONE;
	if (!eat(c, "\"passed\":") || !num(c, &ev->passed) || !eat(c, ",\"failed\":") ||
	    !num(c, &ev->failed_count) || !eat(c, ",\"ignored\":") || !num(c, &ev->ignored) ||
	    !eat(c, ",\"measured\":") || !num(c, &ev->measured) || !eat(c, ",\"filtered_out\":") ||
	    !num(c, &ev->filtered_out) || !eat(c, ",\"exec_time\":") || !exec_time(c, ev))
		return NX_LT_NONE;
	if (c->i < c->n && c->p[c->i] == ',' && !nextest_obj(c, ev))
		return NX_LT_NONE;
	return close_obj(c) ? NX_LT_SUITE_DONE : NX_LT_NONE;
}

/* Split <crate>::<binary>[@stress-N]$<test>[#N]. */
static int split_name(struct nx_lt_event *ev, int done)
{
	const char *p = ev->name.p;
	size_t n = ev->name.n;
	const char *sep = memmem(p, n, "::", 2);
	const char *dollar;
	size_t b0, b1, t0;

	if (!sep || sep == p)
		return 0;
	ev->crate = span(p, 0, (size_t)(sep - p));
	b0 = (size_t)(sep - p) + 2;
	dollar = memchr(p + b0, '$', n - b0);
	if (!dollar)
		return 0;
	b1 = (size_t)(dollar - p);
	t0 = b1 + 1;
	if (b1 == b0 || t0 >= n)
		return 0;

	/* "@stress-<digits>" at the end of the binary segment. */
	{
		static const char tag[] = "@stress-";
		const size_t tl = sizeof(tag) - 1;
		size_t d = b1;
		while (d > b0 && is_digit(p[d - 1]))
			d--;
		if (d < b1 && d - b0 > tl && memcmp(p + d - tl, tag, tl) == 0 && b1 - d <= 19) {
			struct cur c = { p, b1, d };
			if (num(&c, &ev->stress)) {
				ev->has_stress = 1;
				b1 = d - tl;
			}
		}
	}
	ev->binary = span(p, b0, b1);
	ev->test_raw = span(p, t0, n);
	ev->test = ev->test_raw;
	ev->attempts = done ? 1 : 0;

	if (done) {
		size_t d = n;
		while (d > t0 && is_digit(p[d - 1]))
			d--;
		if (d < n && d > t0 + 1 && p[d - 1] == '#' && p[d] != '0' && n - d <= 9) {
			struct cur c = { p, n, d };
			uint64_t a;
			if (num(&c, &a) && a >= 2) {
				ev->attempts = (unsigned)a;
				ev->test = span(p, t0, d - 1);
			}
		}
	}
	return 1;
}

/* Escaped JSON string body from the cursor: returns 1 and moves past the
 * closing quote, or 0 (cursor at end) when the line ends inside it. */
static int string_body(struct cur *c)
{
	while (c->i < c->n) {
		char ch = c->p[c->i++];
		if (ch == '\\') {
			if (c->i < c->n)
				c->i++;
		} else if (ch == '"') {
			return 1;
		}
	}
	return 0;
}

static enum nx_lt_kind test(struct cur *c, struct nx_lt_event *ev)
{
	static const char et[] = "\",\"exec_time\":";
	enum nx_lt_kind kind;

	if (eat(c, "started\",\"name\":\""))
		kind = NX_LT_TEST_STARTED;
	else if (eat(c, "ignored\",\"name\":\""))
		kind = NX_LT_TEST_IGNORED;
	else if (eat(c, "ok\",\"name\":\""))
		kind = NX_LT_TEST_DONE;
	else if (eat(c, "failed\",\"name\":\"")) {
		kind = NX_LT_TEST_DONE;
		ev->failed = 1;
	} else
		return NX_LT_NONE;

	if (kind != NX_LT_TEST_DONE) {
		if (c->n - c->i < 2 || c->p[c->n - 2] != '"' || c->p[c->n - 1] != '}')
			return NX_LT_NONE;
		ev->name = span(c->p, c->i, c->n - 2);
		return split_name(ev, 0) ? kind : NX_LT_NONE;
	}

	/* Last `","exec_time":` in the line ends the name. */
	{
		const size_t el = sizeof(et) - 1;
		size_t k = c->n;
		const char *hit = NULL;
		while (k >= c->i + el) {
			if (c->p[k - el] == '"' && memcmp(c->p + k - el, et, el) == 0) {
				hit = c->p + k - el;
				break;
			}
			k--;
		}
		if (!hit)
			return NX_LT_NONE;
		ev->name = span(c->p, c->i, (size_t)(hit - c->p));
		c->i = (size_t)(hit - c->p) + el;
	}
	if (!split_name(ev, 1) || !exec_time(c, ev))
		return NX_LT_NONE;
	if (eat(c, ",\"reason\":\"")) {
		size_t start = c->i;
		if (!string_body(c))
			return NX_LT_NONE;
		ev->reason = span(c->p, start, c->i - 1);
		ev->has_reason = 1;
	} else if (eat(c, ",\"stdout\":\"")) {
		ev->has_stdout = 1;
		if (!string_body(c)) {
			ev->stdout_open = 1;
			return kind;
		}
	}
	return close_obj(c) ? kind : NX_LT_NONE;
}

enum nx_lt_kind nx_lt_parse(const char *line, size_t n, struct nx_lt_event *ev)
{
	struct cur c = { line, n, 0 };
	enum nx_lt_kind k = NX_LT_NONE;

	memset(ev, 0, sizeof(*ev));
	if (!line)
		return NX_LT_NONE;
	if (eat(&c, "{\"type\":\"suite\",\"event\":\""))
		k = suite(&c, ev);
	else if (eat(&c, "{\"type\":\"test\",\"event\":\""))
		k = test(&c, ev);
	if (k == NX_LT_NONE)
		memset(ev, 0, sizeof(*ev));
	ev->kind = k;
	return k;
}

enum nx_lt_kind nx_lt_stream_line(struct nx_lt_stream *s, const char *line, size_t n,
				  struct nx_lt_event *ev)
{
	static const char start[] = "{\"type\":\"";

	if (s->open && !(n >= sizeof(start) - 1 && memcmp(line, start, sizeof(start) - 1) == 0)) {
		struct cur c = { line, n, 0 };
		memset(ev, 0, sizeof(*ev));
		if (string_body(&c)) {
			s->open = 0;
			s->open_lines = 0;
		} else if (++s->open_lines >= NX_LT_MAX_CONTINUATION) {
			s->open = 0;
			s->open_lines = 0;
		}
		ev->kind = NX_LT_CONTINUATION;
		return NX_LT_CONTINUATION;
	}
	s->open = 0;
	s->open_lines = 0;
	if (nx_lt_parse(line, n, ev) == NX_LT_TEST_DONE && ev->stdout_open)
		s->open = 1;
	return ev->kind;
}

enum nx_lt_kind nx_lt_stream_truncated(struct nx_lt_stream *s, const char *line, size_t n,
				       struct nx_lt_event *ev)
{
	s->open = 0;
	s->open_lines = 0;
	if (nx_lt_parse(line, n, ev) == NX_LT_TEST_DONE && ev->stdout_open)
		return NX_LT_TEST_DONE;
	memset(ev, 0, sizeof(*ev));
	return NX_LT_NONE;
}

/* --- fuzz entry --------------------------------------------------------- */

static void check_span(struct nx_lt_span s, const char *base, size_t n)
{
	if (s.n == 0)
		return;
	if (s.p < base || s.n > n || s.p + s.n > base + n)
		abort();
}

int nx_lt_fuzz_one(const uint8_t *data, size_t n)
{
	struct nx_lt_stream st = { 0, 0 };
	struct nx_lt_event ev;
	size_t i = 0;
	int got = 0;

	while (i <= n) {
		const uint8_t *nl = i < n ? memchr(data + i, '\n', n - i) : NULL;
		size_t len = nl ? (size_t)(nl - (data + i)) : n - i;
		const char *line = (const char *)data + i;

		if (nx_lt_stream_line(&st, line, len, &ev) != NX_LT_NONE) {
			const struct nx_lt_span all[] = {
				ev.name, ev.crate, ev.binary, ev.test, ev.test_raw, ev.reason,
				ev.exec_time, ev.nx_crate, ev.nx_binary, ev.nx_kind,
			};
			for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
				check_span(all[k], line, len);
			if ((ev.kind == NX_LT_TEST_DONE || ev.kind == NX_LT_TEST_STARTED) &&
			    (ev.crate.n == 0 || ev.binary.n == 0 || ev.test.n == 0))
				abort();
			got++;
		}
		if (!nl)
			break;
		i += len + 1;
	}
	return got;
}
