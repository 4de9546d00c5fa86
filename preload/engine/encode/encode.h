/* encode.h — arg0 JSON exactly as serde_json writes nextest's structs.
 *
 * Owns: serde_json-compatible compact encoding of the ten payload structs
 * (fields in nextest's declaration order, no whitespace, `null` for absent
 * options, integers in decimal, `true`/`false`), on the JSON primitives of
 * json.h.  The nx_encode_* functions write the bare struct
 * (serde_json::to_string of it); the probe layer adds the {"ok":…} envelope.
 *
 * Strings (json.h): serde_json escaping byte for byte — `"` `\` as \" \\, 0x08 0x09
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
#include "json.h"

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

#endif
