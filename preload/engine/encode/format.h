/* format.h — nextest's id strings.
 *
 * Owns: the attempt, setup-script and stress sub-run ids, formatted as
 * nextest formats them (`nextest-runner/src/list/test_list.rs`,
 * `config/scripts/imp.rs`, `reporter/events.rs` at cargo-nextest-0.9.143).
 */
#ifndef NX_FORMAT_H
#define NX_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

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
