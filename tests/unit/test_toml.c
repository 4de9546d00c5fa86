/* test_toml.c — the bounded TOML parser (preload/engine/parse/toml.c).
 *
 * Owns: value types, keys, tables and arrays of tables as nextest configs
 * use them, string escapes, error cases (each must fail cleanly), limits,
 * and the layering merge.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/engine/parse/toml.h"

static struct nx_toml *parse(const char *s)
{
	char err[200];
	struct nx_toml *t = nx_toml_parse(s, strlen(s), err, sizeof err);
	cr_assert_not_null(t, "parse failed: %s\n---\n%s", err, s);
	return t;
}

static void reject(const char *s)
{
	char err[200] = "";
	struct nx_toml *t = nx_toml_parse(s, strlen(s), err, sizeof err);
	cr_assert_null(t, "should be rejected:\n%s", s);
	cr_assert(strncmp(err, "line ", 5) == 0, "error message '%s' for:\n%s", err, s);
}

static const struct nx_toml *path(const struct nx_toml *t, const char *a, const char *b, const char *c)
{
	t = nx_toml_get(t, a);
	if (b)
		t = nx_toml_get(t, b);
	if (c)
		t = nx_toml_get(t, c);
	return t;
}

Test(toml, nextest_profile_shapes)
{
	struct nx_toml *t = parse(
		"# nextest config\n"
		"[profile.default]\n"
		"retries = 2\n"
		"slow-timeout = { period = \"60s\", terminate-after = 3 }\n"
		"test-threads = \"num-cpus\"\n"
		"fail-fast = false\n"
		"\n"
		"[profile.ci]\n"
		"retries = { backoff = \"exponential\", count = 3, delay = \"1s\", jitter = true }\n"
		"leak-timeout = '500ms' # literal string\n"
		"[[profile.ci.overrides]]\n"
		"filter = 'test(/^flaky_/)'\n"
		"retries = 5\n"
		"[[profile.ci.overrides]]\n"
		"platform = { host = \"cfg(unix)\" }\n"
		"test-group = \"serial\"\n"
		"[test-groups]\n"
		"serial = { max-threads = 1 }\n");
	cr_assert_eq(path(t, "profile", "default", "retries")->i, 2);
	const struct nx_toml *st = path(t, "profile", "default", "slow-timeout");
	cr_assert_eq(st->type, NX_TOML_TABLE);
	cr_assert_str_eq(nx_toml_str(nx_toml_get(st, "period")), "60s");
	cr_assert_eq(nx_toml_get(st, "terminate-after")->i, 3);
	cr_assert_eq(path(t, "profile", "default", "fail-fast")->type, NX_TOML_BOOL);
	cr_assert_eq(path(t, "profile", "default", "fail-fast")->i, 0);
	const struct nx_toml *r = path(t, "profile", "ci", "retries");
	cr_assert_str_eq(nx_toml_str(nx_toml_get(r, "backoff")), "exponential");
	cr_assert_eq(nx_toml_get(r, "jitter")->i, 1);
	cr_assert_str_eq(nx_toml_str(path(t, "profile", "ci", "leak-timeout")), "500ms");
	const struct nx_toml *ov = path(t, "profile", "ci", "overrides");
	cr_assert_eq(ov->type, NX_TOML_ARRAY);
	cr_assert_eq(ov->count, 2);
	cr_assert_str_eq(nx_toml_str(nx_toml_get(nx_toml_at(ov, 0), "filter")), "test(/^flaky_/)");
	cr_assert_eq(nx_toml_get(nx_toml_at(ov, 0), "retries")->i, 5);
	cr_assert_str_eq(nx_toml_str(nx_toml_get(nx_toml_get(nx_toml_at(ov, 1), "platform"), "host")),
			 "cfg(unix)");
	cr_assert_eq(path(t, "test-groups", "serial", "max-threads")->i, 1);
	cr_assert_null(nx_toml_at(ov, 2));
	nx_toml_free(t);
}

Test(toml, keys_order_and_quoting)
{
	struct nx_toml *t = parse(
		"[scripts.setup.\"db-setup\"]\n"
		"command = ['cargo', 'run', '-p', 'setup']\n"
		"[scripts.setup.'second.one']\n"
		"command = \"echo hi\"\n"
		"[scripts.setup.third]\n"
		"command = { command-line = \"x\", relative-to = \"workspace-root\" }\n"
		"bench.slow-timeout = \"1s\"\n"
		"a . b . c = 1\n");
	const struct nx_toml *setup = path(t, "scripts", "setup", NULL);
	cr_assert_eq(setup->count, 3);
	cr_assert_str_eq(nx_toml_at(setup, 0)->key, "db-setup");
	cr_assert_str_eq(nx_toml_at(setup, 1)->key, "second.one");
	cr_assert_str_eq(nx_toml_at(setup, 2)->key, "third");
	const struct nx_toml *cmd = nx_toml_get(nx_toml_at(setup, 0), "command");
	cr_assert_eq(cmd->count, 4);
	cr_assert_str_eq(nx_toml_at(cmd, 3)->str, "setup");
	const struct nx_toml *third = nx_toml_at(setup, 2);
	cr_assert_str_eq(nx_toml_str(path(third, "bench", "slow-timeout", NULL)), "1s");
	cr_assert_eq(path(third, "a", "b", "c")->i, 1);
	nx_toml_free(t);
}

Test(toml, scalars)
{
	struct nx_toml *t = parse(
		"i1 = +99\ni2 = -17\ni3 = 1_000\ni4 = 0xDEAD_beef\ni5 = 0o755\ni6 = 0b1101\n"
		"i7 = 9223372036854775807\ni8 = 0\n"
		"f1 = 3.1415\nf2 = -0.01\nf3 = 5e+22\nf4 = 6.626e-34\nf5 = inf\nf6 = -inf\nf7 = nan\n"
		"b1 = true\nb2 = false\n"
		"d1 = 1979-05-27T07:32:00Z\nd2 = 1979-05-27 07:32:00\nd3 = 07:32:00\n");
	long long want[] = { 99, -17, 1000, 0xDEADBEEF, 0755, 13, 9223372036854775807LL, 0 };
	for (int i = 0; i < 8; i++) {
		char k[16];
		snprintf(k, sizeof k, "i%d", i + 1);
		cr_assert_eq(nx_toml_get(t, k)->type, NX_TOML_INT, "%s", k);
		cr_assert_eq(nx_toml_get(t, k)->i, want[i], "%s", k);
	}
	cr_assert_float_eq(nx_toml_get(t, "f1")->f, 3.1415, 1e-12);
	cr_assert_float_eq(nx_toml_get(t, "f2")->f, -0.01, 1e-12);
	cr_assert_float_eq(nx_toml_get(t, "f3")->f, 5e22, 1e9);
	cr_assert(isinf(nx_toml_get(t, "f5")->f) && nx_toml_get(t, "f5")->f > 0);
	cr_assert(isinf(nx_toml_get(t, "f6")->f) && nx_toml_get(t, "f6")->f < 0);
	cr_assert(isnan(nx_toml_get(t, "f7")->f));
	cr_assert_eq(nx_toml_get(t, "b1")->i, 1);
	cr_assert_eq(nx_toml_get(t, "b2")->i, 0);
	cr_assert_eq(nx_toml_get(t, "d1")->type, NX_TOML_DATETIME);
	cr_assert_str_eq(nx_toml_get(t, "d1")->str, "1979-05-27T07:32:00Z");
	cr_assert_str_eq(nx_toml_get(t, "d2")->str, "1979-05-27 07:32:00");
	cr_assert_str_eq(nx_toml_get(t, "d3")->str, "07:32:00");
	nx_toml_free(t);
}

Test(toml, strings)
{
	struct nx_toml *t = parse(
		"s1 = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600\"\n"
		"s2 = 'C:\\no\\escapes'\n"
		"s3 = \"\"\"\nline1\nline2\"\"\"\n"
		"s4 = \"\"\"one \\\n     two\"\"\"\n"
		"s5 = '''\nraw \\n text'''\n"
		"s6 = \"\"\"a\"\"\"\"\n"
		"s7 = \"\"\n");
	cr_assert_str_eq(nx_toml_get(t, "s1")->str, "tab\there \"q\" \\ \xc3\xa9 \xf0\x9f\x98\x80");
	cr_assert_str_eq(nx_toml_get(t, "s2")->str, "C:\\no\\escapes");
	cr_assert_str_eq(nx_toml_get(t, "s3")->str, "line1\nline2");
	cr_assert_str_eq(nx_toml_get(t, "s4")->str, "one two");
	cr_assert_str_eq(nx_toml_get(t, "s5")->str, "raw \\n text");
	cr_assert_str_eq(nx_toml_get(t, "s6")->str, "a\"");
	cr_assert_str_eq(nx_toml_get(t, "s7")->str, "");
	cr_assert_eq(nx_toml_get(t, "s7")->len, 0);
	nx_toml_free(t);
}

Test(toml, arrays_multiline_and_nested)
{
	struct nx_toml *t = parse(
		"a = [\n  1, # one\n  2,\n  # comment line\n  3,\n]\n"
		"b = [[1, 2], ['x'], []]\n"
		"c = [ { x = 1 }, { y = \"z\" } ]\n"
		"[[arr]]\nname = \"first\"\n[arr.sub]\nk = 1\n[[arr]]\nname = \"second\"\n");
	const struct nx_toml *a = nx_toml_get(t, "a");
	cr_assert_eq(a->count, 3);
	cr_assert_eq(nx_toml_at(a, 2)->i, 3);
	const struct nx_toml *b = nx_toml_get(t, "b");
	cr_assert_eq(nx_toml_at(b, 0)->count, 2);
	cr_assert_eq(nx_toml_at(b, 2)->count, 0);
	cr_assert_str_eq(nx_toml_at(nx_toml_at(b, 1), 0)->str, "x");
	cr_assert_eq(nx_toml_get(nx_toml_at(nx_toml_get(t, "c"), 0), "x")->i, 1);
	const struct nx_toml *arr = nx_toml_get(t, "arr");
	cr_assert_eq(arr->count, 2);
	cr_assert_eq(path(nx_toml_at(arr, 0), "sub", "k", NULL)->i, 1);
	cr_assert_str_eq(nx_toml_get(nx_toml_at(arr, 1), "name")->str, "second");
	cr_assert_null(nx_toml_get(nx_toml_at(arr, 1), "sub"));
	nx_toml_free(t);
}

Test(toml, crlf_bom_and_empty)
{
	struct nx_toml *t = parse("\xEF\xBB\xBF[profile.default]\r\nretries = 1\r\n");
	cr_assert_eq(path(t, "profile", "default", "retries")->i, 1);
	nx_toml_free(t);
	t = parse("");
	cr_assert_eq(t->type, NX_TOML_TABLE);
	cr_assert_eq(t->count, 0);
	nx_toml_free(t);
	t = parse("# only a comment");
	cr_assert_eq(t->count, 0);
	nx_toml_free(t);
}

Test(toml, errors)
{
	reject("a = 1\na = 2\n");			/* duplicate key */
	reject("[a]\n[a]\n");				/* table twice */
	reject("a = 1\n[a]\n");				/* value then table */
	reject("[[a]]\n[a]\n");				/* aot then table */
	reject("a = {x = 1}\n[a]\n");			/* inline table is frozen */
	reject("a = {x = 1}\na.y = 2\n");
	reject("[a]\nb = 1\n[a.b]\n");
	reject("a.b = 1\n[a.b]\n");
	reject("a = \"unterminated\n");
	reject("a = 'unterminated");
	reject("a = \"\"\"never closed");
	reject("a = \"bad \\q escape\"");
	reject("a = \"\\uD800\"");			/* surrogate */
	reject("a = \"\\u00\"");
	reject("a = [1, 2");
	reject("a = [1 2]");
	reject("a = { x = 1");
	reject("a = { x = 1, }");
	reject("a = ");
	reject("= 1");
	reject("a 1");
	reject("a = 1 2");
	reject("a = 01");
	reject("a = 1__0");
	reject("a = _1");
	reject("a = 0x");
	reject("a = +0x10");
	reject("a = 99999999999999999999");
	reject("a = 1.");
	reject("a = .5");
	reject("a = tru");
	reject("[a\n");
	reject("[[a]\n");
	reject("[]\n");
	reject("a = \"ctl\x01\"");
	reject("# ctl \x01 in comment\n");
	reject("a = \"x\" # ok\nb = c\n");
}

Test(toml, embedded_nul_rejected)
{
	const char s[] = "a = \"x\0y\"\n";
	char err[100];
	cr_assert_null(nx_toml_parse(s, sizeof s - 1, err, sizeof err));
	cr_assert_null(nx_toml_parse("a = \"\\u0000\"", 12, err, sizeof err));
}

Test(toml, limits)
{
	/* nesting beyond the depth limit fails cleanly */
	size_t n = NX_TOML_MAX_DEPTH + 10;
	char *s = malloc(4 + 2 * n + 2);
	cr_assert_not_null(s);
	strcpy(s, "a = ");
	memset(s + 4, '[', n);
	memset(s + 4 + n, ']', n);
	s[4 + 2 * n] = 0;
	char err[200];
	cr_assert_null(nx_toml_parse(s, strlen(s), err, sizeof err));
	cr_assert(strstr(err, "deep") != NULL, "%s", err);
	/* just under the limit is fine */
	n = NX_TOML_MAX_DEPTH - 1;
	memset(s + 4, '[', n);
	memset(s + 4 + n, ']', n);
	s[4 + 2 * n] = 0;
	struct nx_toml *t = nx_toml_parse(s, strlen(s), err, sizeof err);
	cr_assert_not_null(t, "%s", err);
	nx_toml_free(t);
	free(s);
	/* too many values */
	size_t cnt = NX_TOML_MAX_NODES + 5;
	char *big = malloc(8 + cnt * 2 + 4);
	cr_assert_not_null(big);
	strcpy(big, "a = [");
	size_t k = 5;
	for (size_t i = 0; i < cnt; i++) {
		big[k++] = '1';
		big[k++] = ',';
	}
	big[k++] = ']';
	big[k] = 0;
	cr_assert_null(nx_toml_parse(big, k, err, sizeof err));
	cr_assert(strstr(err, "too many") != NULL, "%s", err);
	free(big);
	/* oversized input */
	cr_assert_null(nx_toml_parse("a = 1", NX_TOML_MAX_INPUT + 1, err, sizeof err));
}

Test(toml, garbage_never_crashes)
{
	/* deterministic pseudo-random byte soup drawn from TOML's punctuation */
	static const char alphabet[] = "[]{}=\"'.,#\n \t\\abc019-_+xeuU:";
	unsigned seed = 12345;
	char buf[256];
	int parsed = 0;
	for (int round = 0; round < 5000; round++) {
		size_t len = (size_t)(round % 200) + 1;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		struct nx_toml *t = nx_toml_parse(buf, len, NULL, 0);
		if (t) {
			cr_assert_eq(t->type, NX_TOML_TABLE);
			parsed++;
		}
		nx_toml_free(t);
	}
	/* the generator must also produce some valid documents, or the test is vacuous */
	cr_assert(parsed > 0);
	cr_assert(parsed < 5000);
}

Test(toml, merge_layers_like_config_crate)
{
	struct nx_toml *base = parse(
		"[profile.default]\n"
		"retries = 0\n"
		"slow-timeout = { period = \"60s\", on-timeout = \"fail\" }\n"
		"leak-timeout = \"200ms\"\n"
		"arr = [1, 2, 3]\n"
		"[scripts.setup.a]\ncommand = 'a'\n");
	struct nx_toml *over = parse(
		"[profile.default]\n"
		"retries = 3\n"
		"slow-timeout = { period = \"5s\", terminate-after = 2 }\n"
		"leak-timeout = { period = \"1s\" }\n"
		"arr = [9]\n"
		"[profile.ci]\nretries = 1\n"
		"[scripts.setup.b]\ncommand = 'b'\n"
		"[scripts.setup.a]\ncapture-stdout = true\n");
	cr_assert_eq(nx_toml_merge(base, over), 0);
	const struct nx_toml *d = path(base, "profile", "default", NULL);
	cr_assert_eq(nx_toml_get(d, "retries")->i, 3);
	const struct nx_toml *st = nx_toml_get(d, "slow-timeout");
	cr_assert_str_eq(nx_toml_get(st, "period")->str, "5s");
	cr_assert_str_eq(nx_toml_get(st, "on-timeout")->str, "fail");	/* kept from base */
	cr_assert_eq(nx_toml_get(st, "terminate-after")->i, 2);
	cr_assert_eq(nx_toml_get(d, "leak-timeout")->type, NX_TOML_TABLE);	/* string replaced */
	cr_assert_eq(nx_toml_get(d, "arr")->count, 1);				/* arrays replaced */
	cr_assert_eq(path(base, "profile", "ci", "retries")->i, 1);
	/* key order: existing keys keep their place, new ones are appended */
	const struct nx_toml *setup = path(base, "scripts", "setup", NULL);
	cr_assert_str_eq(nx_toml_at(setup, 0)->key, "a");
	cr_assert_str_eq(nx_toml_at(setup, 1)->key, "b");
	cr_assert_str_eq(nx_toml_get(nx_toml_at(setup, 0), "command")->str, "a");
	cr_assert_eq(nx_toml_get(nx_toml_at(setup, 0), "capture-stdout")->i, 1);
	/* the source tree is untouched */
	cr_assert_eq(path(over, "profile", "default", "retries")->i, 3);
	nx_toml_free(over);
	struct nx_toml *copy = nx_toml_clone(base);
	cr_assert_eq(path(copy, "profile", "ci", "retries")->i, 1);
	nx_toml_free(base);
	nx_toml_free(copy);
}
