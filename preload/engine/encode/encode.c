/* encode.c — serde_json-compatible encoding of the probe payloads and the
 * nextest id formats (see encode.h for the rules).  Allocates only through
 * the nx_buf it is given. */
#include <stdio.h>
#include <string.h>

#include "encode.h"

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s (1-4), or minus the length of
 * its maximal invalid prefix (-1..-3), using Rust's core::str validation
 * ranges, so that replacement matches String::from_utf8_lossy. */
static int utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	unsigned lo = 0x80, hi = 0xbf;
	int n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return -1;
	if (s[1] < lo || s[1] > hi)
		return -1;
	for (int i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return -i;
	return n;
}

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

/* Appends s[0..n) with invalid UTF-8 replaced; `escape` also applies the
 * JSON string escapes. */
static int put_text(struct nx_buf *b, const char *str, int escape)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0;		/* bytes of s[...] copied verbatim, pending */

	while (s[run]) {
		unsigned c = s[run];
		const char *esc = NULL;
		char u[7];
		int len = 1;

		if (c >= 0x80) {
			len = utf8_seq(s + run);
			if (len > 0) {
				run += (size_t)len;
				continue;
			}
			esc = replacement;
			len = -len;
		} else if (escape && (c < 0x20 || c == '"' || c == '\\')) {
			switch (c) {
			case '"': esc = "\\\""; break;
			case '\\': esc = "\\\\"; break;
			case '\b': esc = "\\b"; break;
			case '\t': esc = "\\t"; break;
			case '\n': esc = "\\n"; break;
			case '\f': esc = "\\f"; break;
			case '\r': esc = "\\r"; break;
			default:
				memcpy(u, "\\u00", 4);
				u[4] = hex[c >> 4];
				u[5] = hex[c & 15];
				u[6] = '\0';
				esc = u;
			}
		} else {
			run++;
			continue;
		}
		nx_buf_put(b, s, run);
		nx_buf_puts(b, esc);
		s += run + (size_t)len;
		run = 0;
	}
	return nx_buf_put(b, s, run);
}

int nx_utf8_lossy(struct nx_buf *b, const char *s)
{
	return put_text(b, s ? s : "", 0);
}

/* ---- primitives ---- */

int nx_json_string(struct nx_buf *b, const char *s)
{
	if (!s)
		return nx_buf_puts(b, "null");
	nx_buf_putc(b, '"');
	put_text(b, s, 1);
	return nx_buf_putc(b, '"');
}

int nx_json_u64(struct nx_buf *b, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return nx_buf_put(b, d + i, sizeof(d) - i);
}

int nx_json_i64(struct nx_buf *b, int64_t v)
{
	if (v >= 0)
		return nx_json_u64(b, (uint64_t)v);
	nx_buf_putc(b, '-');
	return nx_json_u64(b, -(uint64_t)v);	/* well-defined for INT64_MIN */
}

int nx_json_bool(struct nx_buf *b, int v)
{
	return nx_buf_puts(b, v ? "true" : "false");
}

int nx_json_strv(struct nx_buf *b, struct nx_strv v)
{
	nx_buf_putc(b, '[');
	for (size_t i = 0; i < v.n; i++) {
		if (i)
			nx_buf_putc(b, ',');
		nx_json_string(b, v.v[i] ? v.v[i] : "");
	}
	return nx_buf_putc(b, ']');
}

/* ---- object fields: each writes `,"name":value` (no comma first) ---- */

static void key(struct nx_buf *b, const char *name)
{
	if (b->len && b->p[b->len - 1] != '{')
		nx_buf_putc(b, ',');
	nx_buf_putc(b, '"');
	nx_buf_puts(b, name);
	nx_buf_puts(b, "\":");
}

static void f_str(struct nx_buf *b, const char *name, const char *s)
{
	key(b, name);
	nx_json_string(b, s ? s : "");
}

static void f_opt_str(struct nx_buf *b, const char *name, const char *s)
{
	key(b, name);
	nx_json_string(b, s);
}

static void f_u64(struct nx_buf *b, const char *name, uint64_t v)
{
	key(b, name);
	nx_json_u64(b, v);
}

static void f_bool(struct nx_buf *b, const char *name, int v)
{
	key(b, name);
	nx_json_bool(b, v);
}

static void f_strv(struct nx_buf *b, const char *name, struct nx_strv v)
{
	key(b, name);
	nx_json_strv(b, v);
}

static void f_opt_u32(struct nx_buf *b, const char *name, struct nx_opt_u32 v)
{
	key(b, name);
	if (v.has)
		nx_json_u64(b, v.v);
	else
		nx_buf_puts(b, "null");
}

static void f_opt_u64(struct nx_buf *b, const char *name, struct nx_opt_u64 v)
{
	key(b, name);
	if (v.has)
		nx_json_u64(b, v.v);
	else
		nx_buf_puts(b, "null");
}

static void f_opt_i32(struct nx_buf *b, const char *name, struct nx_opt_i32 v)
{
	key(b, name);
	if (v.has)
		nx_json_i64(b, v.v);
	else
		nx_buf_puts(b, "null");
}

static int end(struct nx_buf *b)
{
	nx_buf_putc(b, '}');
	return b->failed ? -1 : 0;
}

/* ---- the ten structs, fields in nextest's declaration order ---- */

int nx_encode_test_attempt_start(struct nx_buf *b, const struct nx_test_attempt_start *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "attempt_id", e->attempt_id);
	f_str(b, "run_id", e->run_id);
	f_str(b, "binary_id", e->binary_id);
	f_str(b, "test_name", e->test_name);
	f_u64(b, "pid", e->pid);
	f_str(b, "program", e->program);
	f_strv(b, "args", e->args);
	f_u64(b, "attempt", e->attempt);
	f_u64(b, "total_attempts", e->total_attempts);
	f_opt_u32(b, "stress_current", e->stress_current);
	f_opt_u32(b, "stress_total", e->stress_total);
	f_u64(b, "global_slot", e->global_slot);
	f_opt_u64(b, "group_slot", e->group_slot);
	f_opt_str(b, "test_group", e->test_group);
	return end(b);
}

int nx_encode_test_attempt_done(struct nx_buf *b, const struct nx_test_attempt_done *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "attempt_id", e->attempt_id);
	f_str(b, "run_id", e->run_id);
	f_str(b, "binary_id", e->binary_id);
	f_str(b, "test_name", e->test_name);
	f_u64(b, "attempt", e->attempt);
	f_u64(b, "total_attempts", e->total_attempts);
	f_str(b, "result", e->result);
	f_opt_i32(b, "exit_code", e->exit_code);
	f_u64(b, "duration_nanos", e->duration_nanos);
	f_bool(b, "leaked", e->leaked);
	f_opt_u64(b, "time_to_close_fds_nanos", e->time_to_close_fds_nanos);
	f_opt_u32(b, "stress_current", e->stress_current);
	f_opt_u32(b, "stress_total", e->stress_total);
	f_opt_u64(b, "stdout_len", e->stdout_len);
	f_opt_u64(b, "stderr_len", e->stderr_len);
	return end(b);
}

int nx_encode_test_attempt_slow(struct nx_buf *b, const struct nx_test_attempt_slow *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "attempt_id", e->attempt_id);
	f_str(b, "run_id", e->run_id);
	f_str(b, "binary_id", e->binary_id);
	f_str(b, "test_name", e->test_name);
	f_u64(b, "attempt", e->attempt);
	f_u64(b, "total_attempts", e->total_attempts);
	f_u64(b, "elapsed_nanos", e->elapsed_nanos);
	f_bool(b, "will_terminate", e->will_terminate);
	f_opt_u32(b, "stress_current", e->stress_current);
	f_opt_u32(b, "stress_total", e->stress_total);
	return end(b);
}

int nx_encode_setup_script_start(struct nx_buf *b, const struct nx_setup_script_start *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "id", e->id);
	f_str(b, "run_id", e->run_id);
	f_str(b, "script_id", e->script_id);
	f_u64(b, "pid", e->pid);
	f_str(b, "program", e->program);
	f_strv(b, "args", e->args);
	f_opt_u32(b, "stress_current", e->stress_current);
	f_opt_u32(b, "stress_total", e->stress_total);
	return end(b);
}

int nx_encode_setup_script_slow(struct nx_buf *b, const struct nx_setup_script_slow *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "id", e->id);
	f_str(b, "run_id", e->run_id);
	f_str(b, "script_id", e->script_id);
	f_str(b, "program", e->program);
	f_strv(b, "args", e->args);
	f_u64(b, "elapsed_nanos", e->elapsed_nanos);
	f_bool(b, "will_terminate", e->will_terminate);
	f_opt_u32(b, "stress_current", e->stress_current);
	f_opt_u32(b, "stress_total", e->stress_total);
	return end(b);
}

int nx_encode_setup_script_done(struct nx_buf *b, const struct nx_setup_script_done *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "id", e->id);
	f_str(b, "run_id", e->run_id);
	f_str(b, "script_id", e->script_id);
	f_str(b, "program", e->program);
	f_strv(b, "args", e->args);
	f_str(b, "result", e->result);
	f_opt_i32(b, "exit_code", e->exit_code);
	f_u64(b, "duration_nanos", e->duration_nanos);
	f_opt_u32(b, "stress_current", e->stress_current);
	f_opt_u32(b, "stress_total", e->stress_total);
	f_opt_u64(b, "stdout_len", e->stdout_len);
	f_opt_u64(b, "stderr_len", e->stderr_len);
	return end(b);
}

int nx_encode_run_start(struct nx_buf *b, const struct nx_run_start *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "run_id", e->run_id);
	f_str(b, "profile_name", e->profile_name);
	f_u64(b, "total_tests", e->total_tests);
	f_u64(b, "filter_count", e->filter_count);
	f_u64(b, "test_threads", e->test_threads);
	f_opt_u32(b, "stress_count", e->stress_count);
	f_bool(b, "stress_infinite", e->stress_infinite);
	f_opt_u64(b, "stress_duration_nanos", e->stress_duration_nanos);
	return end(b);
}

int nx_encode_run_done(struct nx_buf *b, const struct nx_run_done *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "run_id", e->run_id);
	f_str(b, "profile_name", e->profile_name);
	f_u64(b, "total_tests", e->total_tests);
	f_u64(b, "passed", e->passed);
	f_u64(b, "failed", e->failed);
	f_u64(b, "skipped", e->skipped);
	f_u64(b, "duration_nanos", e->duration_nanos);
	f_u64(b, "paused_nanos", e->paused_nanos);
	f_opt_u32(b, "stress_completed", e->stress_completed);
	f_opt_u32(b, "stress_success", e->stress_success);
	f_opt_u32(b, "stress_failed", e->stress_failed);
	return end(b);
}

int nx_encode_stress_sub_run_start(struct nx_buf *b, const struct nx_stress_sub_run_start *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "stress_sub_run_id", e->stress_sub_run_id);
	f_str(b, "run_id", e->run_id);
	f_str(b, "profile_name", e->profile_name);
	f_u64(b, "stress_current", e->stress_current);
	f_opt_u32(b, "stress_total", e->stress_total);
	f_u64(b, "elapsed_nanos", e->elapsed_nanos);
	return end(b);
}

int nx_encode_stress_sub_run_done(struct nx_buf *b, const struct nx_stress_sub_run_done *e)
{
	nx_buf_putc(b, '{');
	f_str(b, "stress_sub_run_id", e->stress_sub_run_id);
	f_str(b, "run_id", e->run_id);
	f_str(b, "profile_name", e->profile_name);
	f_u64(b, "stress_current", e->stress_current);
	f_opt_u32(b, "stress_total", e->stress_total);
	f_u64(b, "elapsed_nanos", e->elapsed_nanos);
	f_u64(b, "sub_run_duration_nanos", e->sub_run_duration_nanos);
	f_u64(b, "total_tests", e->total_tests);
	f_u64(b, "passed", e->passed);
	f_u64(b, "failed", e->failed);
	f_u64(b, "skipped", e->skipped);
	return end(b);
}

/* ---- id formats (list/test_list.rs, config/scripts/imp.rs, reporter/events.rs) ---- */

int nx_format_attempt_id(char *out, size_t cap, const char *run_id, const char *binary_id,
			 const char *test_name, struct nx_opt_u32 stress_index, uint32_t attempt)
{
	char stress[24] = "", retry[16] = "";

	if (stress_index.has)
		snprintf(stress, sizeof(stress), "@stress-%u", (unsigned)stress_index.v);
	if (attempt > 1)
		snprintf(retry, sizeof(retry), "#%u", (unsigned)attempt);
	return snprintf(out, cap, "%s:%s%s$%s%s", run_id ? run_id : "", binary_id ? binary_id : "",
			stress, test_name ? test_name : "", retry);
}

int nx_format_setup_script_id(char *out, size_t cap, const char *run_id, const char *script_id,
			      struct nx_opt_u32 stress_index)
{
	if (stress_index.has)
		return snprintf(out, cap, "%s:%s@stress-%u", run_id ? run_id : "",
				script_id ? script_id : "", (unsigned)stress_index.v);
	return snprintf(out, cap, "%s:%s", run_id ? run_id : "", script_id ? script_id : "");
}

int nx_format_stress_sub_run_id(char *out, size_t cap, const char *run_id, uint32_t stress_index)
{
	return snprintf(out, cap, "%s:@stress-%u", run_id ? run_id : "", (unsigned)stress_index);
}
