/* test_encode.c — Criterion tests of preload/engine/encode/encode.c: exact serde_json bytes
 * for every payload struct and for hostile strings, plus a cJSON round trip
 * (validity, field order, values).  Expected strings are written by hand from
 * serde_json's rules (compact, declaration order, null options, escapes). */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <string.h>

#include "../../preload/engine/encode/encode.h"

#define RUN "55459fda-13fe-406a-b4e3-0230fd52bb03"

/* Encodes with fn and returns a heap copy of the bytes (caller frees). */
#define ENCODE(fn, ev) encoded(fn(&b_, ev), &b_)
static struct nx_buf b_;
static char *encoded(int rc, struct nx_buf *b)
{
	cr_assert_eq(rc, 0, "encoder failed");
	cr_assert_not(b->failed);
	char *s = strdup(b->p);
	cr_assert_eq(strlen(s), b->len, "embedded NUL in output");
	nx_buf_free(b);
	return s;
}

static char *json_of_string(const char *in)
{
	struct nx_buf b = NX_BUF_INIT;
	return encoded(nx_json_string(&b, in), &b);
}

static void expect_string(const char *in, const char *want)
{
	char *got = json_of_string(in);
	cr_expect_str_eq(got, want, "input %s", in);
	free(got);
}

/* ---- strings ---- */

Test(json_string, plain_and_empty)
{
	expect_string("", "\"\"");
	expect_string("abc", "\"abc\"");
	expect_string("a/b", "\"a/b\"");	/* serde_json does not escape '/' */
}

Test(json_string, quote_and_backslash)
{
	expect_string("\"", "\"\\\"\"");
	expect_string("\\", "\"\\\\\"");
	expect_string("a\\\"b", "\"a\\\\\\\"b\"");
	expect_string("'\\''", "\"'\\\\''\"");
}

Test(json_string, every_control_char)
{
	char in[32];
	for (int i = 1; i < 32; i++)
		in[i - 1] = (char)i;
	in[31] = '\0';
	expect_string(in,
		      "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
		      "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
		      "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
}

Test(json_string, del_and_space_pass_through)
{
	expect_string("\x7f", "\"\x7f\"");
	expect_string(" ~`!", "\" ~`!\"");
}

Test(json_string, utf8_passes_through)
{
	/* é (2 bytes), € (3), 😀 (4), U+02DC, U+FFFF, U+10FFFF */
	expect_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xcb\x9c\xef\xbf\xbf\xf4\x8f\xbf\xbf",
		      "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xcb\x9c\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
	/* U+2028/U+2029: serde_json leaves them raw */
	expect_string("\xe2\x80\xa8\xe2\x80\xa9", "\"\xe2\x80\xa8\xe2\x80\xa9\"");
}

/* Invalid UTF-8 never reaches serde_json (Rust strings are valid); we
 * replace it like String::from_utf8_lossy: one U+FFFD per maximal invalid
 * subsequence. */
#define FFFD "\xef\xbf\xbd"
Test(json_string, invalid_utf8_becomes_replacement_like_from_utf8_lossy)
{
	expect_string("\xff", "\"" FFFD "\"");
	expect_string("a\xc3", "\"a" FFFD "\"");		/* truncated at end */
	expect_string("\xe2\x82x", "\"" FFFD "x\"");		/* 2-byte prefix of 3 */
	expect_string("\xf0\x9f\x98!", "\"" FFFD "!\"");	/* 3-byte prefix of 4 */
	expect_string("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");	/* surrogate */
	expect_string("\xc0\x80", "\"" FFFD FFFD "\"");		/* overlong */
	expect_string("\xe0\x80\x80", "\"" FFFD FFFD FFFD "\"");	/* overlong */
	expect_string("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");	/* > U+10FFFF */
	expect_string("\xf5\x80", "\"" FFFD FFFD "\"");
	expect_string("\x80\"", "\"" FFFD "\\\"\"");		/* lone continuation, then escape */
}

Test(json_string, null_is_null)
{
	expect_string(NULL, "null");
}

Test(utf8_lossy, raw_copy)
{
	struct nx_buf b = NX_BUF_INIT;
	char *s = encoded(nx_utf8_lossy(&b, "a\"\\\n\xff" "b"), &b);
	cr_expect_str_eq(s, "a\"\\\n" FFFD "b");
	free(s);
}

/* ---- numbers ---- */

Test(json_number, extremes)
{
	struct nx_buf b = NX_BUF_INIT;
	nx_json_u64(&b, 0);
	nx_buf_putc(&b, ' ');
	nx_json_u64(&b, UINT64_MAX);
	nx_buf_putc(&b, ' ');
	nx_json_i64(&b, INT32_MIN);
	nx_buf_putc(&b, ' ');
	nx_json_i64(&b, INT64_MIN);
	nx_buf_putc(&b, ' ');
	nx_json_i64(&b, -1);
	nx_buf_putc(&b, ' ');
	nx_json_i64(&b, INT64_MAX);
	nx_buf_putc(&b, ' ');
	nx_json_bool(&b, 1);
	nx_buf_putc(&b, ' ');
	nx_json_bool(&b, 0);
	char *s = encoded(0, &b);
	cr_expect_str_eq(s, "0 18446744073709551615 -2147483648 -9223372036854775808 -1 "
			    "9223372036854775807 true false");
	free(s);
}

Test(json_strv, empty_and_many)
{
	struct nx_buf b = NX_BUF_INIT;
	nx_json_strv(&b, (struct nx_strv){ NULL, 0 });
	char *s = encoded(0, &b);
	cr_expect_str_eq(s, "[]");
	free(s);
	const char *v[] = { "", "a b", "\"", NULL };
	nx_json_strv(&b, (struct nx_strv){ v, 4 });
	s = encoded(0, &b);
	cr_expect_str_eq(s, "[\"\",\"a b\",\"\\\"\",\"\"]");
	free(s);
}

/* ---- the ten structs ---- */

static const char *args3[] = { "--exact", "mod::t", "--nocapture" };

Test(encode, test_attempt_start_nulls)
{
	struct nx_test_attempt_start e = {
		.attempt_id = RUN ":my-pkg::tests$mod::t#2", .run_id = RUN,
		.binary_id = "my-pkg::tests", .test_name = "mod::t", .pid = UINT32_MAX,
		.program = "/p/tests-abc", .args = { args3, 3 }, .attempt = 2,
		.total_attempts = 3, .global_slot = UINT64_MAX,
	};
	char *s = ENCODE(nx_encode_test_attempt_start, &e);
	cr_expect_str_eq(s,
		"{\"attempt_id\":\"" RUN ":my-pkg::tests$mod::t#2\",\"run_id\":\"" RUN "\","
		"\"binary_id\":\"my-pkg::tests\",\"test_name\":\"mod::t\",\"pid\":4294967295,"
		"\"program\":\"/p/tests-abc\",\"args\":[\"--exact\",\"mod::t\",\"--nocapture\"],"
		"\"attempt\":2,\"total_attempts\":3,\"stress_current\":null,\"stress_total\":null,"
		"\"global_slot\":18446744073709551615,\"group_slot\":null,\"test_group\":null}");
	free(s);
}

Test(encode, test_attempt_start_all_set)
{
	struct nx_test_attempt_start e = {
		.attempt_id = RUN ":p@stress-0$t", .run_id = RUN, .binary_id = "p",
		.test_name = "t\"q", .pid = 0, .program = "", .args = { NULL, 0 }, .attempt = 1,
		.total_attempts = 1, .stress_current = { 1, 0 }, .stress_total = { 1, 5 },
		.global_slot = 0, .group_slot = { 1, 7 }, .test_group = "serial\\x",
	};
	char *s = ENCODE(nx_encode_test_attempt_start, &e);
	cr_expect_str_eq(s,
		"{\"attempt_id\":\"" RUN ":p@stress-0$t\",\"run_id\":\"" RUN "\","
		"\"binary_id\":\"p\",\"test_name\":\"t\\\"q\",\"pid\":0,\"program\":\"\",\"args\":[],"
		"\"attempt\":1,\"total_attempts\":1,\"stress_current\":0,\"stress_total\":5,"
		"\"global_slot\":0,\"group_slot\":7,\"test_group\":\"serial\\\\x\"}");
	free(s);
}

Test(encode, test_attempt_done)
{
	struct nx_test_attempt_done e = {
		.attempt_id = "a", .run_id = RUN, .binary_id = "b", .test_name = "t",
		.attempt = 1, .total_attempts = 2, .result = "exec-fail",
		.exit_code = { 1, INT32_MIN }, .duration_nanos = 1234567890123ull, .leaked = 1,
		.time_to_close_fds_nanos = { 0, 0 }, .stress_current = { 1, 4294967295u },
		.stress_total = { 0, 9 }, .stdout_len = { 1, 0 }, .stderr_len = { 1, UINT64_MAX },
	};
	char *s = ENCODE(nx_encode_test_attempt_done, &e);
	cr_expect_str_eq(s,
		"{\"attempt_id\":\"a\",\"run_id\":\"" RUN "\",\"binary_id\":\"b\",\"test_name\":\"t\","
		"\"attempt\":1,\"total_attempts\":2,\"result\":\"exec-fail\","
		"\"exit_code\":-2147483648,\"duration_nanos\":1234567890123,\"leaked\":true,"
		"\"time_to_close_fds_nanos\":null,\"stress_current\":4294967295,\"stress_total\":null,"
		"\"stdout_len\":0,\"stderr_len\":18446744073709551615}");
	free(s);
}

Test(encode, test_attempt_done_nulls)
{
	struct nx_test_attempt_done e = {
		.attempt_id = "a", .run_id = RUN, .binary_id = "b", .test_name = "t",
		.attempt = 1, .total_attempts = 1, .result = "pass", .exit_code = { 1, 0 },
		.duration_nanos = 0, .leaked = 0, .time_to_close_fds_nanos = { 1, 15 },
	};
	char *s = ENCODE(nx_encode_test_attempt_done, &e);
	cr_expect_str_eq(s,
		"{\"attempt_id\":\"a\",\"run_id\":\"" RUN "\",\"binary_id\":\"b\",\"test_name\":\"t\","
		"\"attempt\":1,\"total_attempts\":1,\"result\":\"pass\",\"exit_code\":0,"
		"\"duration_nanos\":0,\"leaked\":false,\"time_to_close_fds_nanos\":15,"
		"\"stress_current\":null,\"stress_total\":null,\"stdout_len\":null,\"stderr_len\":null}");
	free(s);
}

Test(encode, test_attempt_slow)
{
	struct nx_test_attempt_slow e = {
		.attempt_id = "a", .run_id = RUN, .binary_id = "b", .test_name = "t",
		.attempt = 3, .total_attempts = 3, .elapsed_nanos = 60000000000ull,
		.will_terminate = 1, .stress_current = { 1, 2 }, .stress_total = { 1, 10 },
	};
	char *s = ENCODE(nx_encode_test_attempt_slow, &e);
	cr_expect_str_eq(s,
		"{\"attempt_id\":\"a\",\"run_id\":\"" RUN "\",\"binary_id\":\"b\",\"test_name\":\"t\","
		"\"attempt\":3,\"total_attempts\":3,\"elapsed_nanos\":60000000000,"
		"\"will_terminate\":true,\"stress_current\":2,\"stress_total\":10}");
	free(s);
}

static const char *script_args[] = { "-c", "echo 'hi' > \"$OUT\"" };

Test(encode, setup_script_start)
{
	struct nx_setup_script_start e = {
		.id = RUN ":db-setup", .run_id = RUN, .script_id = "db-setup", .pid = 77,
		.program = "sh", .args = { script_args, 2 },
	};
	char *s = ENCODE(nx_encode_setup_script_start, &e);
	cr_expect_str_eq(s,
		"{\"id\":\"" RUN ":db-setup\",\"run_id\":\"" RUN "\",\"script_id\":\"db-setup\","
		"\"pid\":77,\"program\":\"sh\",\"args\":[\"-c\",\"echo 'hi' > \\\"$OUT\\\"\"],"
		"\"stress_current\":null,\"stress_total\":null}");
	free(s);
}

Test(encode, setup_script_slow)
{
	struct nx_setup_script_slow e = {
		.id = "i", .run_id = RUN, .script_id = "s", .program = "p", .args = { NULL, 0 },
		.elapsed_nanos = 5, .will_terminate = 0, .stress_current = { 1, 1 },
	};
	char *s = ENCODE(nx_encode_setup_script_slow, &e);
	cr_expect_str_eq(s,
		"{\"id\":\"i\",\"run_id\":\"" RUN "\",\"script_id\":\"s\",\"program\":\"p\","
		"\"args\":[],\"elapsed_nanos\":5,\"will_terminate\":false,\"stress_current\":1,"
		"\"stress_total\":null}");
	free(s);
}

Test(encode, setup_script_done)
{
	struct nx_setup_script_done e = {
		.id = "i", .run_id = RUN, .script_id = "s", .program = "p",
		.args = { script_args, 1 }, .result = "timeout", .exit_code = { 0, 0 },
		.duration_nanos = 9, .stress_total = { 1, 3 }, .stdout_len = { 1, 12 },
		.stderr_len = { 0, 0 },
	};
	char *s = ENCODE(nx_encode_setup_script_done, &e);
	cr_expect_str_eq(s,
		"{\"id\":\"i\",\"run_id\":\"" RUN "\",\"script_id\":\"s\",\"program\":\"p\","
		"\"args\":[\"-c\"],\"result\":\"timeout\",\"exit_code\":null,\"duration_nanos\":9,"
		"\"stress_current\":null,\"stress_total\":3,\"stdout_len\":12,\"stderr_len\":null}");
	free(s);
}

Test(encode, run_start)
{
	struct nx_run_start e = {
		.run_id = RUN, .profile_name = "default", .total_tests = 120, .filter_count = 100,
		.test_threads = 2, .stress_count = { 0, 0 }, .stress_infinite = 0,
		.stress_duration_nanos = { 1, 3600000000000ull },
	};
	char *s = ENCODE(nx_encode_run_start, &e);
	cr_expect_str_eq(s,
		"{\"run_id\":\"" RUN "\",\"profile_name\":\"default\",\"total_tests\":120,"
		"\"filter_count\":100,\"test_threads\":2,\"stress_count\":null,"
		"\"stress_infinite\":false,\"stress_duration_nanos\":3600000000000}");
	free(s);
}

Test(encode, run_done)
{
	struct nx_run_done e = {
		.run_id = RUN, .profile_name = "ci", .total_tests = 3, .passed = 1, .failed = 1,
		.skipped = 1, .duration_nanos = 10, .paused_nanos = 0,
		.stress_completed = { 1, 4 }, .stress_success = { 1, 3 }, .stress_failed = { 1, 1 },
	};
	char *s = ENCODE(nx_encode_run_done, &e);
	cr_expect_str_eq(s,
		"{\"run_id\":\"" RUN "\",\"profile_name\":\"ci\",\"total_tests\":3,\"passed\":1,"
		"\"failed\":1,\"skipped\":1,\"duration_nanos\":10,\"paused_nanos\":0,"
		"\"stress_completed\":4,\"stress_success\":3,\"stress_failed\":1}");
	free(s);
}

Test(encode, stress_sub_run_start)
{
	struct nx_stress_sub_run_start e = {
		.stress_sub_run_id = RUN ":@stress-0", .run_id = RUN, .profile_name = "default",
		.stress_current = 0, .stress_total = { 0, 0 }, .elapsed_nanos = 1,
	};
	char *s = ENCODE(nx_encode_stress_sub_run_start, &e);
	cr_expect_str_eq(s,
		"{\"stress_sub_run_id\":\"" RUN ":@stress-0\",\"run_id\":\"" RUN "\","
		"\"profile_name\":\"default\",\"stress_current\":0,\"stress_total\":null,"
		"\"elapsed_nanos\":1}");
	free(s);
}

Test(encode, stress_sub_run_done)
{
	struct nx_stress_sub_run_done e = {
		.stress_sub_run_id = "x", .run_id = RUN, .profile_name = "p",
		.stress_current = UINT32_MAX, .stress_total = { 1, UINT32_MAX },
		.elapsed_nanos = 2, .sub_run_duration_nanos = 3, .total_tests = 4, .passed = 5,
		.failed = 6, .skipped = 7,
	};
	char *s = ENCODE(nx_encode_stress_sub_run_done, &e);
	cr_expect_str_eq(s,
		"{\"stress_sub_run_id\":\"x\",\"run_id\":\"" RUN "\",\"profile_name\":\"p\","
		"\"stress_current\":4294967295,\"stress_total\":4294967295,\"elapsed_nanos\":2,"
		"\"sub_run_duration_nanos\":3,\"total_tests\":4,\"passed\":5,\"failed\":6,"
		"\"skipped\":7}");
	free(s);
}

Test(encode, required_null_string_is_empty)
{
	struct nx_run_start e = { .run_id = NULL, .profile_name = NULL };
	char *s = ENCODE(nx_encode_run_start, &e);
	cr_expect(strncmp(s, "{\"run_id\":\"\",\"profile_name\":\"\",", 31) == 0, "%s", s);
	free(s);
}

/* ---- cJSON round trip: valid JSON, keys in order, hostile values intact ---- */

static const char hostile[] =
	"q\"b\\s/\x01\x1f\x7f\b\t\n\f\r \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'$`#";

Test(roundtrip, hostile_attempt_start_through_cjson)
{
	const char *args[] = { hostile, "", "--exact" };
	struct nx_test_attempt_start e = {
		.attempt_id = hostile, .run_id = RUN, .binary_id = hostile, .test_name = hostile,
		.pid = 42, .program = hostile, .args = { args, 3 }, .attempt = 1,
		.total_attempts = 1, .global_slot = 3, .group_slot = { 1, 1 }, .test_group = hostile,
	};
	char *s = ENCODE(nx_encode_test_attempt_start, &e);
	cJSON *j = cJSON_Parse(s);
	cr_assert_not_null(j, "cJSON rejected: %s", s);
	static const char *keys[] = { "attempt_id", "run_id", "binary_id", "test_name", "pid",
				      "program", "args", "attempt", "total_attempts",
				      "stress_current", "stress_total", "global_slot",
				      "group_slot", "test_group" };
	size_t i = 0;
	for (cJSON *c = j->child; c; c = c->next, i++) {
		cr_assert_lt(i, sizeof(keys) / sizeof(keys[0]));
		cr_expect_str_eq(c->string, keys[i]);
	}
	cr_expect_eq(i, sizeof(keys) / sizeof(keys[0]));
	cr_expect_str_eq(cJSON_GetObjectItem(j, "test_name")->valuestring, hostile);
	cr_expect_str_eq(cJSON_GetObjectItem(j, "test_group")->valuestring, hostile);
	cJSON *a = cJSON_GetObjectItem(j, "args");
	cr_expect_eq(cJSON_GetArraySize(a), 3);
	cr_expect_str_eq(cJSON_GetArrayItem(a, 0)->valuestring, hostile);
	cr_expect_str_eq(cJSON_GetArrayItem(a, 1)->valuestring, "");
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(j, "stress_current")));
	cr_expect_eq(cJSON_GetObjectItem(j, "pid")->valueint, 42);
	cJSON_Delete(j);
	free(s);
}

/* Every encoder's output parses, for a fully-null and a fully-set event. */
Test(roundtrip, all_structs_parse)
{
	struct nx_test_attempt_done d = { .result = "leak" };
	struct nx_test_attempt_slow sl = { 0 };
	struct nx_setup_script_start ss = { .args = { args3, 3 } };
	struct nx_setup_script_slow sss = { 0 };
	struct nx_setup_script_done ssd = { .result = "fail", .exit_code = { 1, -1 } };
	struct nx_run_start rs = { .stress_count = { 1, 1 }, .stress_infinite = 1 };
	struct nx_run_done rd = { 0 };
	struct nx_stress_sub_run_start srs = { 0 };
	struct nx_stress_sub_run_done srd = { 0 };
	char *out[9] = {
		ENCODE(nx_encode_test_attempt_done, &d),
		ENCODE(nx_encode_test_attempt_slow, &sl),
		ENCODE(nx_encode_setup_script_start, &ss),
		ENCODE(nx_encode_setup_script_slow, &sss),
		ENCODE(nx_encode_setup_script_done, &ssd),
		ENCODE(nx_encode_run_start, &rs),
		ENCODE(nx_encode_run_done, &rd),
		ENCODE(nx_encode_stress_sub_run_start, &srs),
		ENCODE(nx_encode_stress_sub_run_done, &srd),
	};
	static const int nfields[9] = { 15, 10, 8, 9, 12, 8, 11, 6, 11 };
	for (int i = 0; i < 9; i++) {
		cJSON *j = cJSON_Parse(out[i]);
		cr_assert_not_null(j, "cJSON rejected: %s", out[i]);
		cr_expect_eq(cJSON_GetArraySize(j), nfields[i], "%s", out[i]);
		cJSON_Delete(j);
		free(out[i]);
	}
}

/* ---- buffer bound ---- */

Test(buf, bounded)
{
	struct nx_buf b = NX_BUF_INIT;
	static char big[NX_BUF_MAX / 2 + 1];
	memset(big, 'a', sizeof(big) - 1);
	cr_expect_eq(nx_buf_puts(&b, big), 0);
	cr_expect_eq(nx_buf_puts(&b, big), -1);
	cr_expect(b.failed);
	cr_expect_eq(nx_buf_putc(&b, 'x'), -1, "writes after failure stay failed");
	cr_expect_eq(b.len, sizeof(big) - 1);
	nx_buf_free(&b);
}
