/* spans_reporter.c — the reporter parser's self-check (see spans.h). */
#include <stdlib.h>
#include <string.h>

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

int nx_reporter_fuzz_one(const uint8_t *data, size_t n)
{
	char scratch[4096];
	struct nx_reporter_line r;
	size_t i = 0;
	int parsed = 0;

	while (i <= n) {
		const uint8_t *nl = i < n ? memchr(data + i, '\n', n - i) : NULL;
		size_t len = nl ? (size_t)(nl - (data + i)) : n - i;
		if (nx_reporter_parse_raw((const char *)data + i, len, scratch, sizeof(scratch), &r) !=
		    NX_REPORTER_NONE) {
			check_line(&r, scratch, len);
			parsed++;
		}
		if (!nl)
			break;
		i += len + 1;
	}
	return parsed;
}
