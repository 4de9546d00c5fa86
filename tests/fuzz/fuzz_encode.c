/* fuzz_encode.c — libFuzzer target for the arg0 JSON encoder (preload/engine/encode/encode.h).
 *
 * Owns: building hostile payload structs from the fuzz input (strings with
 * any byte but NUL — quotes, backslashes, control bytes, invalid UTF-8 —
 * absent optional strings, u32/u64/i32 extremes, optional fields present or
 * absent, argv tails of 0..8 words), encoding them, parsing the result back
 * with Debian's cJSON and comparing field by field, in order:
 *   - the output parses, is an object, has exactly nextest's keys in
 *     nextest's order;
 *   - every string equals the input after an independent from_utf8_lossy
 *     (written here, not shared with encode.c); NULL optional -> null,
 *     NULL required -> "";
 *   - every integer equals the input (as a double, cJSON's only number type;
 *     exact below 2^53), every bool/null matches;
 *   - when all integers fit in an int32, cJSON's own compact re-print is
 *     byte-identical to ours (cJSON escapes exactly like serde_json).
 * Violations abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "encode.h"

static void fail(const char *what, const char *key)
{
	fprintf(stderr, "fuzz_encode: %s (field %s)\n", what, key ? key : "-");
	abort();
}

/* ---- reading the fuzz input ---- */

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t u64(struct in *in)
{
	/* small values are more interesting than uniform ones: a tag byte picks
	 * the width */
	uint8_t tag = byte(in);
	int width = (int[]){ 0, 1, 2, 4, 8 }[tag % 5];
	uint64_t v = 0;
	for (int i = 0; i < width; i++)
		v = v << 8 | byte(in);
	if (tag & 0x80)
		v = ~v;		/* near the top of the range */
	return v;
}

#define MAX_STRS 64
static char *owned[MAX_STRS];
static size_t nowned;

/* A string of up to 255 bytes (cut at the first NUL), or NULL when allowed. */
static const char *str(struct in *in, int may_be_null)
{
	uint8_t len = byte(in);
	if (may_be_null && len == 0xff)
		return NULL;
	size_t n = len < in->n ? len : in->n;
	char *s = malloc(n + 1);
	if (!s || nowned == MAX_STRS)
		abort();
	memcpy(s, in->p, n);
	s[n] = '\0';
	in->p += n;
	in->n -= n;
	owned[nowned++] = s;
	return s;
}

/* ---- independent from_utf8_lossy ---- */

static char *lossy(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str);
	char *out = malloc(3 * len + 1), *o = out;
	if (!out)
		abort();
	while (*s) {
		unsigned c = *s;
		int need;
		unsigned lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			*o++ = (char)*s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 2;
		else if (c == 0xe0)
			need = 3, lo = 0xa0;
		else if (c == 0xed)
			need = 3, hi = 0x9f;
		else if (c >= 0xe1 && c <= 0xef)
			need = 3;
		else if (c == 0xf0)
			need = 4, lo = 0x90;
		else if (c == 0xf4)
			need = 4, hi = 0x8f;
		else if (c >= 0xf1 && c <= 0xf3)
			need = 4;
		else
			need = 0;
		int got = 1;
		if (need && s[1] >= lo && s[1] <= hi) {
			got = 2;
			while (got < need && s[got] >= 0x80 && s[got] <= 0xbf)
				got++;
		}
		if (need && got == need) {
			memcpy(o, s, (size_t)need);
			o += need;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		}
		s += got;
	}
	*o = '\0';
	return out;
}

/* ---- expectations ---- */

enum kind { K_STR, K_OPTSTR, K_U64, K_I64, K_BOOL, K_NULL, K_STRV };

struct field {
	const char *key;
	enum kind kind;
	const char *s;
	int64_t i;
	uint64_t u;
	struct nx_strv v;
};

#define MAX_FIELDS 16
static struct field fields[MAX_FIELDS];
static size_t nfields;
static int big_number;		/* some integer does not fit in an int32 */

static void want(const char *key, enum kind k, const char *s, uint64_t u, int64_t i, struct nx_strv v)
{
	fields[nfields++] = (struct field){ key, k, s, i, u, v };
	if (k == K_U64 && u > INT32_MAX)
		big_number = 1;
	if (k == K_I64 && (i > INT32_MAX || i < INT32_MIN))
		big_number = 1;
}

static void w_str(const char *k, const char *s) { want(k, K_STR, s, 0, 0, (struct nx_strv){ 0 }); }
static void w_ostr(const char *k, const char *s) { want(k, s ? K_OPTSTR : K_NULL, s, 0, 0, (struct nx_strv){ 0 }); }
static void w_u64(const char *k, uint64_t u) { want(k, K_U64, NULL, u, 0, (struct nx_strv){ 0 }); }
static void w_bool(const char *k, int b) { want(k, K_BOOL, NULL, (uint64_t)(b != 0), 0, (struct nx_strv){ 0 }); }
static void w_strv(const char *k, struct nx_strv v) { want(k, K_STRV, NULL, 0, 0, v); }

static void w_ou32(const char *k, struct nx_opt_u32 o)
{
	if (o.has)
		w_u64(k, o.v);
	else
		want(k, K_NULL, NULL, 0, 0, (struct nx_strv){ 0 });
}

static void w_ou64(const char *k, struct nx_opt_u64 o)
{
	if (o.has)
		w_u64(k, o.v);
	else
		want(k, K_NULL, NULL, 0, 0, (struct nx_strv){ 0 });
}

static void w_oi32(const char *k, struct nx_opt_i32 o)
{
	if (o.has)
		want(k, K_I64, NULL, 0, o.v, (struct nx_strv){ 0 });
	else
		want(k, K_NULL, NULL, 0, 0, (struct nx_strv){ 0 });
}

static void check_string(const cJSON *item, const char *expect_raw, const char *key)
{
	if (!cJSON_IsString(item))
		fail("not a string", key);
	char *expect = lossy(expect_raw ? expect_raw : "");
	if (strcmp(item->valuestring, expect) != 0)
		fail("string differs from from_utf8_lossy(input)", key);
	free(expect);
}

static void check_number(const cJSON *item, double expect, const char *key)
{
	if (!cJSON_IsNumber(item))
		fail("not a number", key);
	if (item->valuedouble != expect)
		fail("number differs", key);
}

static void check(const struct nx_buf *b)
{
	if (b->failed || !b->p)
		fail("encoder failed on a small input", NULL);
	if (strlen(b->p) != b->len)
		fail("output contains a NUL byte", NULL);
	cJSON *root = cJSON_ParseWithLength(b->p, b->len);
	if (!root || !cJSON_IsObject(root))
		fail("output does not parse as a JSON object", NULL);
	const cJSON *item = root->child;
	for (size_t i = 0; i < nfields; i++, item = item->next) {
		const struct field *f = &fields[i];
		if (!item)
			fail("field missing", f->key);
		if (!item->string || strcmp(item->string, f->key) != 0)
			fail("unexpected key or key order", f->key);
		switch (f->kind) {
		case K_STR:
		case K_OPTSTR:
			check_string(item, f->s, f->key);
			break;
		case K_U64:
			check_number(item, (double)f->u, f->key);
			break;
		case K_I64:
			check_number(item, (double)f->i, f->key);
			break;
		case K_BOOL:
			if (!(f->u ? cJSON_IsTrue(item) : cJSON_IsFalse(item)))
				fail("bool differs", f->key);
			break;
		case K_NULL:
			if (!cJSON_IsNull(item))
				fail("expected null", f->key);
			break;
		case K_STRV: {
			if (!cJSON_IsArray(item) || (size_t)cJSON_GetArraySize(item) != f->v.n)
				fail("args array of the wrong size", f->key);
			const cJSON *e = item->child;
			for (size_t j = 0; j < f->v.n; j++, e = e->next)
				check_string(e, f->v.v[j], f->key);
			break;
		}
		}
	}
	if (item)
		fail("extra field after the last expected one", item->string);
	if (!big_number) {
		char *again = cJSON_PrintUnformatted(root);
		if (!again || strcmp(again, b->p) != 0) {
			fprintf(stderr, "ours:  %s\ncjson: %s\n", b->p, again ? again : "(null)");
			fail("cJSON's compact re-print differs from our bytes", NULL);
		}
		free(again);
	}
	cJSON_Delete(root);
}

/* ---- the structs ---- */

static struct nx_opt_u32 ou32(struct in *in)
{
	uint8_t h = byte(in);
	return (struct nx_opt_u32){ h & 1, (uint32_t)u64(in) };
}

static struct nx_opt_u64 ou64(struct in *in)
{
	uint8_t h = byte(in);
	return (struct nx_opt_u64){ h & 1, u64(in) };
}

static struct nx_opt_i32 oi32(struct in *in)
{
	uint8_t h = byte(in);
	return (struct nx_opt_i32){ h & 1, (int32_t)(uint32_t)u64(in) };
}

static struct nx_strv strv(struct in *in, const char **space)
{
	size_t n = byte(in) % 9;
	for (size_t i = 0; i < n; i++)
		space[i] = str(in, 0);
	return (struct nx_strv){ space, n };
}

static void one(struct in *in, int which)
{
	struct nx_buf b = NX_BUF_INIT;
	const char *argspace[8];
	nfields = 0;
	big_number = 0;
	switch (which) {
	case 0: {
		struct nx_test_attempt_start e = { 0 };
		e.attempt_id = str(in, 0);
		e.run_id = str(in, 0);
		e.binary_id = str(in, 1);
		e.test_name = str(in, 0);
		e.pid = (uint32_t)u64(in);
		e.program = str(in, 0);
		e.args = strv(in, argspace);
		e.attempt = (uint32_t)u64(in);
		e.total_attempts = (uint32_t)u64(in);
		e.stress_current = ou32(in);
		e.stress_total = ou32(in);
		e.global_slot = u64(in);
		e.group_slot = ou64(in);
		e.test_group = str(in, 1);
		w_str("attempt_id", e.attempt_id);
		w_str("run_id", e.run_id);
		w_str("binary_id", e.binary_id);
		w_str("test_name", e.test_name);
		w_u64("pid", e.pid);
		w_str("program", e.program);
		w_strv("args", e.args);
		w_u64("attempt", e.attempt);
		w_u64("total_attempts", e.total_attempts);
		w_ou32("stress_current", e.stress_current);
		w_ou32("stress_total", e.stress_total);
		w_u64("global_slot", e.global_slot);
		w_ou64("group_slot", e.group_slot);
		w_ostr("test_group", e.test_group);
		nx_encode_test_attempt_start(&b, &e);
		break;
	}
	case 1: {
		struct nx_test_attempt_done e = { 0 };
		e.attempt_id = str(in, 0);
		e.run_id = str(in, 0);
		e.binary_id = str(in, 0);
		e.test_name = str(in, 0);
		e.attempt = (uint32_t)u64(in);
		e.total_attempts = (uint32_t)u64(in);
		e.result = str(in, 0);
		e.exit_code = oi32(in);
		e.duration_nanos = u64(in);
		e.leaked = byte(in) & 1;
		e.time_to_close_fds_nanos = ou64(in);
		e.stress_current = ou32(in);
		e.stress_total = ou32(in);
		e.stdout_len = ou64(in);
		e.stderr_len = ou64(in);
		w_str("attempt_id", e.attempt_id);
		w_str("run_id", e.run_id);
		w_str("binary_id", e.binary_id);
		w_str("test_name", e.test_name);
		w_u64("attempt", e.attempt);
		w_u64("total_attempts", e.total_attempts);
		w_str("result", e.result);
		w_oi32("exit_code", e.exit_code);
		w_u64("duration_nanos", e.duration_nanos);
		w_bool("leaked", e.leaked);
		w_ou64("time_to_close_fds_nanos", e.time_to_close_fds_nanos);
		w_ou32("stress_current", e.stress_current);
		w_ou32("stress_total", e.stress_total);
		w_ou64("stdout_len", e.stdout_len);
		w_ou64("stderr_len", e.stderr_len);
		nx_encode_test_attempt_done(&b, &e);
		break;
	}
	case 2: {
		struct nx_setup_script_done e = { 0 };
		e.id = str(in, 0);
		e.run_id = str(in, 0);
		e.script_id = str(in, 0);
		e.program = str(in, 0);
		e.args = strv(in, argspace);
		e.result = str(in, 0);
		e.exit_code = oi32(in);
		e.duration_nanos = u64(in);
		e.stress_current = ou32(in);
		e.stress_total = ou32(in);
		e.stdout_len = ou64(in);
		e.stderr_len = ou64(in);
		w_str("id", e.id);
		w_str("run_id", e.run_id);
		w_str("script_id", e.script_id);
		w_str("program", e.program);
		w_strv("args", e.args);
		w_str("result", e.result);
		w_oi32("exit_code", e.exit_code);
		w_u64("duration_nanos", e.duration_nanos);
		w_ou32("stress_current", e.stress_current);
		w_ou32("stress_total", e.stress_total);
		w_ou64("stdout_len", e.stdout_len);
		w_ou64("stderr_len", e.stderr_len);
		nx_encode_setup_script_done(&b, &e);
		break;
	}
	case 3: {
		struct nx_run_start e = { 0 };
		e.run_id = str(in, 0);
		e.profile_name = str(in, 0);
		e.total_tests = u64(in);
		e.filter_count = u64(in);
		e.test_threads = u64(in);
		e.stress_count = ou32(in);
		e.stress_infinite = byte(in) & 1;
		e.stress_duration_nanos = ou64(in);
		w_str("run_id", e.run_id);
		w_str("profile_name", e.profile_name);
		w_u64("total_tests", e.total_tests);
		w_u64("filter_count", e.filter_count);
		w_u64("test_threads", e.test_threads);
		w_ou32("stress_count", e.stress_count);
		w_bool("stress_infinite", e.stress_infinite);
		w_ou64("stress_duration_nanos", e.stress_duration_nanos);
		nx_encode_run_start(&b, &e);
		break;
	}
	default: {
		struct nx_stress_sub_run_done e = { 0 };
		e.stress_sub_run_id = str(in, 0);
		e.run_id = str(in, 0);
		e.profile_name = str(in, 0);
		e.stress_current = (uint32_t)u64(in);
		e.stress_total = ou32(in);
		e.elapsed_nanos = u64(in);
		e.sub_run_duration_nanos = u64(in);
		e.total_tests = u64(in);
		e.passed = u64(in);
		e.failed = u64(in);
		e.skipped = u64(in);
		w_str("stress_sub_run_id", e.stress_sub_run_id);
		w_str("run_id", e.run_id);
		w_str("profile_name", e.profile_name);
		w_u64("stress_current", e.stress_current);
		w_ou32("stress_total", e.stress_total);
		w_u64("elapsed_nanos", e.elapsed_nanos);
		w_u64("sub_run_duration_nanos", e.sub_run_duration_nanos);
		w_u64("total_tests", e.total_tests);
		w_u64("passed", e.passed);
		w_u64("failed", e.failed);
		w_u64("skipped", e.skipped);
		nx_encode_stress_sub_run_done(&b, &e);
		break;
	}
	}
	check(&b);
	nx_buf_free(&b);
	while (nowned)
		free(owned[--nowned]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct in in = { data, n };
	one(&in, byte(&in) % 5);
	return 0;
}
