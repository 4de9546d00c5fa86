/* spans_reporter.c — the reporter parser's self-check (see spans.h). */
#include <stdlib.h>

#include "reporter.h"
#include "spans.h"

static void check_span(struct nx_reporter_span s, const char *base, size_t n)
{
	if (s.n == 0)
		return;
	if (s.p < base || s.p + s.n > base + n || s.n > n)
		abort();
}

static void check_line(const struct nx_reporter_line *r, const char *base, size_t n)
{
	switch (r->kind) {
	case NX_REPORTER_RUN_ID:
		check_span(r->u.run_id.run_id, base, n);
		check_span(r->u.run_id.profile, base, n);
		break;
	case NX_REPORTER_STARTING:
		check_span(r->u.starting.run_id, base, n);
		check_span(r->u.starting.profile, base, n);
		break;
	case NX_REPORTER_SETUP:
	case NX_REPORTER_TEST:
		check_span(r->u.st.status_text, base, n);
		check_span(r->u.st.signame, base, n);
		check_span(r->u.st.binary_id, base, n);
		check_span(r->u.st.test_name, base, n);
		check_span(r->u.st.script_id, base, n);
		check_span(r->u.st.command, base, n);
		if (r->kind == NX_REPORTER_TEST && (r->u.st.binary_id.n == 0 || r->u.st.test_name.n == 0))
			abort();
		break;
	case NX_REPORTER_CANCEL:
	case NX_REPORTER_PAUSE:
	case NX_REPORTER_CONTINUE:
		check_span(r->u.cancel.reason, base, n);
		break;
	case NX_REPORTER_SUMMARY:
		check_span(r->u.summary.cancel_reason, base, n);
		break;
	case NX_REPORTER_WARNING:
		check_span(r->u.warning.text, base, n);
		break;
	default:
		break;
	}
}

/* One line ANSI-stripped and parsed; 1 if it parsed to something (its spans checked). */
static int one_line(void *ctx, const char *line, size_t len)
{
	char scratch[4096];
	struct nx_reporter_line r;

	(void)ctx;
	if (nx_reporter_parse_raw(line, len, scratch, sizeof(scratch), &r) == NX_REPORTER_NONE)
		return 0;
	check_line(&r, scratch, len);
	return 1;
}

int nx_reporter_fuzz_one(const uint8_t *data, size_t n)
{
	return nx_spans_each_line(data, n, one_line, NULL);
}
