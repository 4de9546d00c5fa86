/* libtest.c — parser for libtest-json / libtest-json-plus lines (see libtest.h). */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "libtest.h"
#include "reporter.h"	/* nx_reporter_secs_to_nanos: the one exact decimal converter */

static struct nx_libtest_span span(const char *base, size_t from, size_t to)
{
	struct nx_libtest_span s = { base + from, to - from };
	return s;
}

/* The line must end exactly at the cursor after "}". */
static int close_obj(struct nx_cursor *c)
{
	return nx_cursor_eat(c, "}") && c->pos == c->n;
}

/* f64 Display text up to ',' or '}'. */
static int exec_time(struct nx_cursor *c, struct nx_libtest_event *ev)
{
	size_t start = c->pos;

	while (c->pos < c->n && (nx_cursor_is_digit(c->s[c->pos]) || c->s[c->pos] == '.'))
		c->pos++;
	if (c->pos == start || nx_reporter_secs_to_nanos(c->s + start, c->pos - start, &ev->exec_nanos) != 0)
		return 0;
	ev->exec_time = span(c->s, start, c->pos);
	return 1;
}

/* Raw text from the cursor up to the first `delim`; cursor moves past it. */
static int upto(struct nx_cursor *c, const char *delim, struct nx_libtest_span *out)
{
	const char *hit = memmem(c->s + c->pos, c->n - c->pos, delim, strlen(delim));

	if (!hit)
		return 0;
	*out = span(c->s, c->pos, (size_t)(hit - c->s));
	c->pos = (size_t)(hit - c->s) + strlen(delim);
	return 1;
}

/* ,"nextest":{"crate":"…","test_binary":"…","kind":"…"[,"stress_index":i[,"stress_total":n]]} */
static int nextest_obj(struct nx_cursor *c, struct nx_libtest_event *ev)
{
	if (!nx_cursor_eat(c, ",\"nextest\":{\"crate\":\"") || !upto(c, "\",\"test_binary\":\"", &ev->nx_crate) ||
	    !upto(c, "\",\"kind\":\"", &ev->nx_binary) || !upto(c, "\"", &ev->nx_kind))
		return 0;
	if (nx_cursor_eat(c, ",\"stress_index\":")) {
		if (!nx_cursor_udec(c, &ev->stress_index))
			return 0;
		ev->has_stress_index = 1;
		if (nx_cursor_eat(c, ",\"stress_total\":")) {
			if (!nx_cursor_udec(c, &ev->stress_total))
				return 0;
			ev->has_stress_total = 1;
		}
	}
	if (!nx_cursor_eat(c, "}"))
		return 0;
	ev->has_nextest = 1;
	return 1;
}

static enum nx_libtest_kind suite(struct nx_cursor *c, struct nx_libtest_event *ev)
{
	if (nx_cursor_eat(c, "started\",\"test_count\":")) {
		if (!nx_cursor_udec(c, &ev->test_count))
			return NX_LIBTEST_NONE;
		if (c->pos < c->n && c->s[c->pos] == ',' && !nextest_obj(c, ev))
			return NX_LIBTEST_NONE;
		return close_obj(c) ? NX_LIBTEST_SUITE_STARTED : NX_LIBTEST_NONE;
	}
	if (nx_cursor_eat(c, "failed\","))
		ev->failed = 1;
	else if (!nx_cursor_eat(c, "ok\","))
		return NX_LIBTEST_NONE;
	if (!nx_cursor_eat(c, "\"passed\":") || !nx_cursor_udec(c, &ev->passed) ||
	    !nx_cursor_eat(c, ",\"failed\":") || !nx_cursor_udec(c, &ev->failed_count) ||
	    !nx_cursor_eat(c, ",\"ignored\":") || !nx_cursor_udec(c, &ev->ignored) ||
	    !nx_cursor_eat(c, ",\"measured\":") || !nx_cursor_udec(c, &ev->measured) ||
	    !nx_cursor_eat(c, ",\"filtered_out\":") || !nx_cursor_udec(c, &ev->filtered_out) ||
	    !nx_cursor_eat(c, ",\"exec_time\":") || !exec_time(c, ev))
		return NX_LIBTEST_NONE;
	if (c->pos < c->n && c->s[c->pos] == ',' && !nextest_obj(c, ev))
		return NX_LIBTEST_NONE;
	return close_obj(c) ? NX_LIBTEST_SUITE_DONE : NX_LIBTEST_NONE;
}

/* Split <crate>::<binary>[@stress-N]$<test>[#N]. */
static int split_name(struct nx_libtest_event *ev, int done)
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
		while (d > b0 && nx_cursor_is_digit(p[d - 1]))
			d--;
		if (d < b1 && d - b0 > tl && memcmp(p + d - tl, tag, tl) == 0 && b1 - d <= 19) {
			struct nx_cursor c = { .s = p, .n = b1, .pos = d };
			if (nx_cursor_udec(&c, &ev->stress)) {
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
		while (d > t0 && nx_cursor_is_digit(p[d - 1]))
			d--;
		if (d < n && d > t0 + 1 && p[d - 1] == '#' && p[d] != '0' && n - d <= 9) {
			struct nx_cursor c = { .s = p, .n = n, .pos = d };
			uint64_t a;
			if (nx_cursor_udec(&c, &a) && a >= 2) {
				ev->attempts = (unsigned)a;
				ev->test = span(p, t0, d - 1);
			}
		}
	}
	return 1;
}

/* Escaped JSON string body from the cursor: returns 1 and moves past the
 * closing quote, or 0 (cursor at end) when the line ends inside it. */
static int string_body(struct nx_cursor *c)
{
	while (c->pos < c->n) {
		char ch = c->s[c->pos++];
		if (ch == '\\') {
			if (c->pos < c->n)
				c->pos++;
		} else if (ch == '"') {
			return 1;
		}
	}
	return 0;
}

static enum nx_libtest_kind test(struct nx_cursor *c, struct nx_libtest_event *ev)
{
	static const char et[] = "\",\"exec_time\":";
	enum nx_libtest_kind kind;

	if (nx_cursor_eat(c, "started\",\"name\":\""))
		kind = NX_LIBTEST_TEST_STARTED;
	else if (nx_cursor_eat(c, "ignored\",\"name\":\""))
		kind = NX_LIBTEST_TEST_IGNORED;
	else if (nx_cursor_eat(c, "ok\",\"name\":\""))
		kind = NX_LIBTEST_TEST_DONE;
	else if (nx_cursor_eat(c, "failed\",\"name\":\"")) {
		kind = NX_LIBTEST_TEST_DONE;
		ev->failed = 1;
	} else
		return NX_LIBTEST_NONE;

	if (kind != NX_LIBTEST_TEST_DONE) {
		if (c->n - c->pos < 2 || c->s[c->n - 2] != '"' || c->s[c->n - 1] != '}')
			return NX_LIBTEST_NONE;
		ev->name = span(c->s, c->pos, c->n - 2);
		return split_name(ev, 0) ? kind : NX_LIBTEST_NONE;
	}

	/* Last `","exec_time":` in the line ends the name. */
	{
		const size_t el = sizeof(et) - 1;
		size_t k = c->n;
		const char *hit = NULL;
		while (k >= c->pos + el) {
			if (c->s[k - el] == '"' && memcmp(c->s + k - el, et, el) == 0) {
				hit = c->s + k - el;
				break;
			}
			k--;
		}
		if (!hit)
			return NX_LIBTEST_NONE;
		ev->name = span(c->s, c->pos, (size_t)(hit - c->s));
		c->pos = (size_t)(hit - c->s) + el;
	}
	if (!split_name(ev, 1) || !exec_time(c, ev))
		return NX_LIBTEST_NONE;
	if (nx_cursor_eat(c, ",\"reason\":\"")) {
		size_t start = c->pos;
		if (!string_body(c))
			return NX_LIBTEST_NONE;
		ev->reason = span(c->s, start, c->pos - 1);
		ev->has_reason = 1;
	} else if (nx_cursor_eat(c, ",\"stdout\":\"")) {
		ev->has_stdout = 1;
		if (!string_body(c)) {
			ev->stdout_open = 1;
			return kind;
		}
	}
	return close_obj(c) ? kind : NX_LIBTEST_NONE;
}

enum nx_libtest_kind nx_libtest_parse(const char *line, size_t n, struct nx_libtest_event *ev)
{
	struct nx_cursor c = { .s = line, .n = n, .pos = 0 };
	enum nx_libtest_kind k = NX_LIBTEST_NONE;

	memset(ev, 0, sizeof(*ev));
	if (!line)
		return NX_LIBTEST_NONE;
	if (nx_cursor_eat(&c, "{\"type\":\"suite\",\"event\":\""))
		k = suite(&c, ev);
	else if (nx_cursor_eat(&c, "{\"type\":\"test\",\"event\":\""))
		k = test(&c, ev);
	if (k == NX_LIBTEST_NONE)
		memset(ev, 0, sizeof(*ev));
	ev->kind = k;
	return k;
}

enum nx_libtest_kind nx_libtest_stream_line(struct nx_libtest_stream *s, const char *line, size_t n,
				  struct nx_libtest_event *ev)
{
	static const char start[] = "{\"type\":\"";

	if (s->open && !(n >= sizeof(start) - 1 && memcmp(line, start, sizeof(start) - 1) == 0)) {
		struct nx_cursor c = { .s = line, .n = n, .pos = 0 };
		memset(ev, 0, sizeof(*ev));
		if (string_body(&c)) {
			s->open = 0;
			s->open_lines = 0;
		} else if (++s->open_lines >= NX_LIBTEST_MAX_CONTINUATION) {
			s->open = 0;
			s->open_lines = 0;
		}
		ev->kind = NX_LIBTEST_CONTINUATION;
		return NX_LIBTEST_CONTINUATION;
	}
	s->open = 0;
	s->open_lines = 0;
	if (nx_libtest_parse(line, n, ev) == NX_LIBTEST_TEST_DONE && ev->stdout_open)
		s->open = 1;
	return ev->kind;
}

enum nx_libtest_kind nx_libtest_stream_truncated(struct nx_libtest_stream *s, const char *line, size_t n,
				       struct nx_libtest_event *ev)
{
	s->open = 0;
	s->open_lines = 0;
	if (nx_libtest_parse(line, n, ev) == NX_LIBTEST_TEST_DONE && ev->stdout_open)
		return NX_LIBTEST_TEST_DONE;
	memset(ev, 0, sizeof(*ev));
	return NX_LIBTEST_NONE;
}
