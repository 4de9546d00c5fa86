/* duration.h — humantime durations ("60s", "500ms", "1m 30s", "30y") as
 * nextest's configuration and CLI parse them.
 *
 * Owns: parsing a duration string exactly like humantime 2.x's
 * parse_duration (the crate nextest uses through humantime-serde for every
 * duration in .config/nextest.toml and for --stress-duration): a sequence of
 * <integer><unit> spans, whitespace allowed between spans and even inside a
 * number, units ns/us/µs/ms/s/m/h/d/w/M/y and their long forms
 * (M = 30.44 days, y = 365.25 days).  No fractions, no bare numbers.
 * Never allocates.
 */
#ifndef NX_DURATION_H
#define NX_DURATION_H

#include <stdint.h>

#define NX_NS_PER_SEC 1000000000ull

/* Parse s into *out_ns.  Returns 0 on success, -1 on any error (empty
 * string, missing or unknown unit, bad character, overflow of humantime's
 * u64 seconds).  A valid duration too long for u64 nanoseconds (> ~584
 * years) saturates at UINT64_MAX. */
int nx_duration_parse(const char *s, uint64_t *out_ns);

#endif
