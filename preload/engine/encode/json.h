/* json.h — the JSON primitives, as serde_json writes them.
 *
 * Owns: strings (serde_json's escaping, invalid UTF-8 replaced like Rust's
 * String::from_utf8_lossy; rules in encode.h), integers, booleans and string
 * arrays, appended to an nx_buf.  Every function returns 0, or -1 once the
 * buffer has failed (see buf.h).
 */
#ifndef NX_JSON_H
#define NX_JSON_H

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

#endif
