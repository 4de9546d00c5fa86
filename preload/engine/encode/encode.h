/* encode.h — arg0 JSON exactly as serde_json writes nextest's structs.
 *
 * Owns: serde_json-compatible compact encoding of the ten payload structs
 * (fields in nextest's declaration order, no whitespace, `null` for absent
 * options, integers in decimal, `true`/`false`), the JSON primitives, and the
 * nextest id formats.  The nx_encode_* functions write the bare struct
 * (serde_json::to_string of it); the probe layer adds the {"ok":…} envelope.
 *
 * Strings: serde_json escaping byte for byte — `"` `\` as \" \\, 0x08 0x09
 * 0x0a 0x0c 0x0d as \b \t \n \f \r, the other bytes below 0x20 as \u00xx
 * (lowercase hex); `/`, 0x7f and UTF-8 pass through.  Rust strings are
 * always valid UTF-8, so nextest never sees invalid sequences; we replace
 * each maximal invalid subsequence by U+FFFD exactly like Rust's
 * String::from_utf8_lossy, so our JSON is always valid UTF-8.  A NULL string
 * is `null` for Option<String> fields and "" for required ones.
 *
 * Every function returns 0, or -1 once the buffer has failed (see buf.h).
 */
#ifndef NX_ENCODE_H
#define NX_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "events.h"

int nx_json_string(struct nx_buf *b, const char *s);	/* NULL -> null */
int nx_json_u64(struct nx_buf *b, uint64_t v);
int nx_json_i64(struct nx_buf *b, int64_t v);
int nx_json_bool(struct nx_buf *b, int v);
int nx_json_strv(struct nx_buf *b, struct nx_strv v);	/* NULL elements -> "" */

/* Raw copy of s (no quoting), invalid UTF-8 replaced like from_utf8_lossy. */
int nx_utf8_lossy(struct nx_buf *b, const char *s);

int nx_encode_test_attempt_start(struct nx_buf *b, const struct nx_test_attempt_start *e);
int nx_encode_test_attempt_done(struct nx_buf *b, const struct nx_test_attempt_done *e);
int nx_encode_test_attempt_slow(struct nx_buf *b, const struct nx_test_attempt_slow *e);
int nx_encode_setup_script_start(struct nx_buf *b, const struct nx_setup_script_start *e);
int nx_encode_setup_script_slow(struct nx_buf *b, const struct nx_setup_script_slow *e);
int nx_encode_setup_script_done(struct nx_buf *b, const struct nx_setup_script_done *e);
int nx_encode_run_start(struct nx_buf *b, const struct nx_run_start *e);
int nx_encode_run_done(struct nx_buf *b, const struct nx_run_done *e);
int nx_encode_stress_sub_run_start(struct nx_buf *b, const struct nx_stress_sub_run_start *e);
int nx_encode_stress_sub_run_done(struct nx_buf *b, const struct nx_stress_sub_run_done *e);

/* nextest's id strings, snprintf-style: write at most cap bytes including
 * the NUL, return the full length (excluding the NUL), or -1 on error.
 *   attempt id   {run}:{binary}[@stress-{n}]${test}[#{attempt} if attempt > 1]
 *   setup id     {run}:{script}[@stress-{n}]
 *   sub-run id   {run}:@stress-{n}                                          */
int nx_format_attempt_id(char *out, size_t cap, const char *run_id, const char *binary_id,
			 const char *test_name, struct nx_opt_u32 stress_index, uint32_t attempt);
int nx_format_setup_script_id(char *out, size_t cap, const char *run_id, const char *script_id,
			      struct nx_opt_u32 stress_index);
int nx_format_stress_sub_run_id(char *out, size_t cap, const char *run_id, uint32_t stress_index);

#endif
