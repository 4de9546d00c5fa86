/* encode.c — serde_json-compatible encoding of the probe payloads (see
 * encode.h for the rules).  Allocates only through the nx_buf it is given. */
#include <stdio.h>
#include <string.h>

#include "encode.h"

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

/* The key, then null for an absent value (returns 0) or nothing (returns 1:
 * the caller writes the value). */
static int key_or_null(struct nx_buf *b, const char *name, int has)
{
	key(b, name);
	if (!has)
		nx_buf_puts(b, "null");
	return has;
}

static void f_opt_u32(struct nx_buf *b, const char *name, struct nx_opt_u32 v)
{
	if (key_or_null(b, name, v.has))
		nx_json_u64(b, v.v);
}

static void f_opt_u64(struct nx_buf *b, const char *name, struct nx_opt_u64 v)
{
	if (key_or_null(b, name, v.has))
		nx_json_u64(b, v.v);
}

static void f_opt_i32(struct nx_buf *b, const char *name, struct nx_opt_i32 v)
{
	if (key_or_null(b, name, v.has))
		nx_json_i64(b, v.v);
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
