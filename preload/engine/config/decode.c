/* decode.c — decoding one setting's TOML value as nextest does (see
 * loader.h): durations, slow-timeout, leak-timeout, retries, test-threads,
 * threads-required, flaky-result, fail-fast / --max-fail. */
#include "loader.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "toml.h"

static int get_duration(struct nx_config *c, const struct nx_toml *v, const char *what, uint64_t *ns)
{
	if (!v || v->type != NX_TOML_STRING)
		return nx_loader_err(c, "%s: expected a duration string", what);
	if (nx_duration_parse(v->str, ns))
		return nx_loader_err(c, "%s: invalid duration '%s'", what, v->str);
	return 0;
}

/* slow-timeout: "60s" or { period, terminate-after, grace-period, on-timeout }.
 * Returns 1 if set, 0 if absent (or ""), -1 on error. */
int nx_decode_slow(struct nx_config *c, const struct nx_toml *v, struct nx_slow_timeout *out)
{
	if (!v)
		return 0;
	struct nx_slow_timeout st = { 0, 0, 10 * NX_NS_PER_SEC, 0 };
	if (v->type == NX_TOML_STRING) {
		if (!v->str[0])
			return 0;	/* "" = not set (deserialize_slow_timeout) */
		if (get_duration(c, v, "slow-timeout", &st.period_ns))
			return -1;
	} else if (v->type == NX_TOML_TABLE) {
		for (const struct nx_toml *k = v->head; k; k = k->next)
			if (strcmp(k->key, "period") && strcmp(k->key, "terminate-after") &&
			    strcmp(k->key, "grace-period") && strcmp(k->key, "on-timeout"))
				return nx_loader_err(c, "slow-timeout: unknown field '%s'", k->key);
		const struct nx_toml *p = nx_toml_get(v, "period");
		if (!p)
			return nx_loader_err(c, "slow-timeout: missing field 'period'");
		if (get_duration(c, p, "slow-timeout.period", &st.period_ns))
			return -1;
		const struct nx_toml *ta = nx_toml_get(v, "terminate-after");
		if (ta) {
			if (ta->type != NX_TOML_INT || ta->i < 1 || ta->i > UINT32_MAX)
				return nx_loader_err(c, "slow-timeout.terminate-after: expected a positive integer");
			st.terminate_after = (uint32_t)ta->i;
		}
		const struct nx_toml *g = nx_toml_get(v, "grace-period");
		if (g && get_duration(c, g, "slow-timeout.grace-period", &st.grace_ns))
			return -1;
		const struct nx_toml *ot = nx_toml_get(v, "on-timeout");
		if (ot) {
			const char *s = nx_toml_str(ot);
			if (!s || (strcmp(s, "pass") && strcmp(s, "fail")))
				return nx_loader_err(c, "slow-timeout.on-timeout: expected \"pass\" or \"fail\"");
			/* on-timeout exists from 0.9.115 (#2742) */
			st.on_timeout_pass = !strcmp(s, "pass") && c->version >= NX_VERSION(0, 9, 115);
		}
	} else {
		return nx_loader_err(c, "slow-timeout: expected a string or a table");
	}
	*out = st;
	return 1;
}

int nx_decode_leak(struct nx_config *c, const struct nx_toml *v, struct nx_leak_timeout *out)
{
	if (!v)
		return 0;
	struct nx_leak_timeout lt = { 0, 0 };
	if (v->type == NX_TOML_STRING) {
		if (get_duration(c, v, "leak-timeout", &lt.period_ns))
			return -1;
	} else if (v->type == NX_TOML_TABLE && c->version >= NX_VERSION(0, 9, 95)) {
		const struct nx_toml *p = nx_toml_get(v, "period");
		if (!p)
			return nx_loader_err(c, "leak-timeout: missing field 'period'");
		if (get_duration(c, p, "leak-timeout.period", &lt.period_ns))
			return -1;
		const struct nx_toml *r = nx_toml_get(v, "result");
		if (r) {
			const char *s = nx_toml_str(r);
			if (!s || (strcmp(s, "pass") && strcmp(s, "fail")))
				return nx_loader_err(c, "leak-timeout.result: expected \"pass\" or \"fail\"");
			lt.fail = !strcmp(s, "fail");
		}
	} else {
		return nx_loader_err(c, "leak-timeout: expected a duration string%s",
			   c->version >= NX_VERSION(0, 9, 95) ? " or a table" : "");
	}
	*out = lt;
	return 1;
}

int nx_decode_retries(struct nx_config *c, const struct nx_toml *v, struct nx_retry_policy *out)
{
	if (!v)
		return 0;
	struct nx_retry_policy rp = { 0 };
	if (v->type == NX_TOML_INT) {
		if (v->i < 0 || v->i > UINT32_MAX)
			return nx_loader_err(c, "retries: out of range");
		rp.count = (uint32_t)v->i;
	} else if (v->type == NX_TOML_TABLE) {
		const char *b = nx_toml_str(nx_toml_get(v, "backoff"));
		if (!b || (strcmp(b, "fixed") && strcmp(b, "exponential")))
			return nx_loader_err(c, "retries.backoff: expected \"fixed\" or \"exponential\"");
		rp.exponential = b[0] == 'e';
		for (const struct nx_toml *k = v->head; k; k = k->next)
			if (strcmp(k->key, "backoff") && strcmp(k->key, "count") && strcmp(k->key, "delay") &&
			    strcmp(k->key, "jitter") && (!rp.exponential || strcmp(k->key, "max-delay")))
				return nx_loader_err(c, "retries: unknown field '%s'", k->key);
		const struct nx_toml *n = nx_toml_get(v, "count");
		if (!n || n->type != NX_TOML_INT || n->i < 0 || n->i > UINT32_MAX)
			return nx_loader_err(c, "retries.count: expected a non-negative integer");
		rp.count = (uint32_t)n->i;
		const struct nx_toml *d = nx_toml_get(v, "delay");
		if (d && get_duration(c, d, "retries.delay", &rp.delay_ns))
			return -1;
		if (rp.exponential && !d)
			return nx_loader_err(c, "retries: exponential backoff needs a delay");
		if (rp.exponential && rp.delay_ns == 0)
			return nx_loader_err(c, "retries: exponential backoff delay must be non-zero");
		const struct nx_toml *j = nx_toml_get(v, "jitter");
		if (j) {
			if (j->type != NX_TOML_BOOL)
				return nx_loader_err(c, "retries.jitter: expected a bool");
			rp.jitter = (int)j->i;
		}
		const struct nx_toml *md = nx_toml_get(v, "max-delay");
		if (md && get_duration(c, md, "retries.max-delay", &rp.max_delay_ns))
			return -1;
		if (md && rp.max_delay_ns < rp.delay_ns)
			return nx_loader_err(c, "retries: max-delay is less than delay");
	} else {
		return nx_loader_err(c, "retries: expected an integer or a table");
	}
	*out = rp;
	return 1;
}

/* test-threads / max-threads: integer (negative = ncpus - n, at least 1) or
 * "num-cpus" (test_threads.rs). */
int nx_decode_threads(struct nx_config *c, const struct nx_toml *v, const char *what, uint32_t *out)
{
	if (!v)
		return 0;
	if (v->type == NX_TOML_STRING && !strcmp(v->str, "num-cpus")) {
		*out = c->ncpus;
		return 1;
	}
	if (v->type != NX_TOML_INT || v->i == 0)
		return nx_loader_err(c, "%s: expected a non-zero integer or \"num-cpus\"", what);
	if (v->i < 0) {
		long long n = (long long)c->ncpus + v->i;
		*out = n < 1 ? 1 : (uint32_t)n;
	} else {
		*out = v->i > UINT32_MAX ? UINT32_MAX : (uint32_t)v->i;
	}
	return 1;
}

/* The CLI / env form of test-threads (TestThreads::from_str). */
int nx_decode_threads_str(struct nx_config *c, const char *s, uint32_t *out)
{
	if (!strcmp(s, "num-cpus")) {
		*out = c->ncpus;
		return 0;
	}
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v == 0)
		return nx_loader_err(c, "invalid test-threads '%s'", s);
	if (v < 0) {
		long long n = (long long)c->ncpus + v;
		*out = n < 1 ? 1 : (uint32_t)n;
	} else {
		*out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	return 0;
}

/* threads-required: integer ≥ 1, "num-cpus" or "num-test-threads". */
int nx_decode_threads_required(struct nx_config *c, const struct nx_toml *v, uint32_t *out)
{
	if (!v)
		return 0;
	if (v->type == NX_TOML_STRING) {
		if (!strcmp(v->str, "num-cpus")) {
			*out = c->ncpus;
			return 1;
		}
		if (!strcmp(v->str, "num-test-threads")) {
			*out = c->test_threads;
			return 1;
		}
	} else if (v->type == NX_TOML_INT && v->i >= 1) {
		*out = v->i > UINT32_MAX ? UINT32_MAX : (uint32_t)v->i;
		return 1;
	}
	return nx_loader_err(c, "threads-required: expected a positive integer, \"num-cpus\" or \"num-test-threads\"");
}

int nx_decode_flaky(struct nx_config *c, const struct nx_toml *v, int *fail)
{
	if (!v)
		return 0;
	const char *s = nx_toml_str(v);
	if (!s || (strcmp(s, "pass") && strcmp(s, "fail")))
		return nx_loader_err(c, "flaky-result: expected \"pass\" or \"fail\"");
	*fail = !strcmp(s, "fail") && c->version >= NX_VERSION(0, 9, 131);
	return 1;
}

/* --max-fail / max-fail: "all" or N[:wait|:immediate]. */
int nx_decode_max_fail(struct nx_config *c, const char *s)
{
	if (!strcmp(s, "all")) {
		c->max_fail = 0;
		c->terminate_immediate = 0;
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || errno || v < 1 || v > INT32_MAX)
		return nx_loader_err(c, "invalid max-fail '%s'", s);
	int imm = 0;
	if (*end == ':') {
		if (!strcmp(end + 1, "immediate"))
			imm = 1;
		else if (strcmp(end + 1, "wait"))
			return nx_loader_err(c, "invalid max-fail mode '%s'", end + 1);
	} else if (*end) {
		return nx_loader_err(c, "invalid max-fail '%s'", s);
	}
	c->max_fail = (int)v;
	c->terminate_immediate = imm;
	return 0;
}

/* fail-fast: bool or { max-fail = N | "all", terminate = "wait" | "immediate" }. */
int nx_decode_fail_fast(struct nx_config *c, const struct nx_toml *v)
{
	if (v->type == NX_TOML_BOOL) {
		c->max_fail = v->i ? 1 : 0;
		c->terminate_immediate = 0;
		return 0;
	}
	if (v->type != NX_TOML_TABLE)
		return nx_loader_err(c, "fail-fast: expected a bool or a table");
	const struct nx_toml *mf = nx_toml_get(v, "max-fail");
	c->max_fail = 1;
	if (mf) {
		if (mf->type == NX_TOML_INT) {
			if (mf->i < 1 || mf->i > INT32_MAX)
				return nx_loader_err(c, "fail-fast.max-fail: out of range");
			c->max_fail = (int)mf->i;
		} else if (nx_toml_str(mf) && !strcmp(mf->str, "all")) {
			c->max_fail = 0;
		} else {
			return nx_loader_err(c, "fail-fast.max-fail: expected an integer or \"all\"");
		}
	}
	const char *t = nx_toml_str(nx_toml_get(v, "terminate"));
	c->terminate_immediate = t && !strcmp(t, "immediate");
	if (t && strcmp(t, "immediate") && strcmp(t, "wait"))
		return nx_loader_err(c, "fail-fast.terminate: expected \"wait\" or \"immediate\"");
	return 0;
}
