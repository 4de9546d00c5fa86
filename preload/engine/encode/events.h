/* events.h — the ten nextest probe payloads as C structs.
 *
 * Owns: one struct per nextest USDT struct (nextest-runner/src/usdt.rs at
 * b2a481b1), fields in nextest's declaration order, which is also the order the
 * encoder writes them.  Strings are NUL-terminated UTF-8 (NULL = absent, only
 * where nextest has Option<String>).  Optional integers carry a has_ flag
 * (0 = JSON null).  Nothing here allocates; the structs only borrow.
 */
#ifndef NX_EVENTS_H
#define NX_EVENTS_H

#include <stddef.h>
#include <stdint.h>

struct nx_opt_u32 { int has; uint32_t v; };
struct nx_opt_u64 { int has; uint64_t v; };
struct nx_opt_i32 { int has; int32_t v; };

/* A borrowed argv tail: program args after argv[0]. */
struct nx_strv { const char *const *v; size_t n; };

struct nx_test_attempt_start {
	const char *attempt_id;
	const char *run_id;		/* bare hyphenated uuid */
	const char *binary_id;
	const char *test_name;
	uint32_t pid;
	const char *program;
	struct nx_strv args;
	uint32_t attempt;
	uint32_t total_attempts;
	struct nx_opt_u32 stress_current;
	struct nx_opt_u32 stress_total;
	uint64_t global_slot;
	struct nx_opt_u64 group_slot;
	const char *test_group;		/* NULL = null */
};

struct nx_test_attempt_done {
	const char *attempt_id;
	const char *run_id;
	const char *binary_id;
	const char *test_name;
	uint32_t attempt;
	uint32_t total_attempts;
	const char *result;		/* pass|leak|fail|exec-fail|timeout */
	struct nx_opt_i32 exit_code;
	uint64_t duration_nanos;
	int leaked;
	struct nx_opt_u64 time_to_close_fds_nanos;
	struct nx_opt_u32 stress_current;
	struct nx_opt_u32 stress_total;
	struct nx_opt_u64 stdout_len;
	struct nx_opt_u64 stderr_len;
};

struct nx_test_attempt_slow {
	const char *attempt_id;
	const char *run_id;
	const char *binary_id;
	const char *test_name;
	uint32_t attempt;
	uint32_t total_attempts;
	uint64_t elapsed_nanos;
	int will_terminate;
	struct nx_opt_u32 stress_current;
	struct nx_opt_u32 stress_total;
};

struct nx_setup_script_start {
	const char *id;
	const char *run_id;
	const char *script_id;
	uint32_t pid;
	const char *program;
	struct nx_strv args;
	struct nx_opt_u32 stress_current;
	struct nx_opt_u32 stress_total;
};

struct nx_setup_script_slow {
	const char *id;
	const char *run_id;
	const char *script_id;
	const char *program;
	struct nx_strv args;
	uint64_t elapsed_nanos;
	int will_terminate;
	struct nx_opt_u32 stress_current;
	struct nx_opt_u32 stress_total;
};

struct nx_setup_script_done {
	const char *id;
	const char *run_id;
	const char *script_id;
	const char *program;
	struct nx_strv args;
	const char *result;
	struct nx_opt_i32 exit_code;
	uint64_t duration_nanos;
	struct nx_opt_u32 stress_current;
	struct nx_opt_u32 stress_total;
	struct nx_opt_u64 stdout_len;
	struct nx_opt_u64 stderr_len;
};

struct nx_run_start {
	const char *run_id;
	const char *profile_name;
	uint64_t total_tests;		/* usize */
	uint64_t filter_count;
	uint64_t test_threads;
	struct nx_opt_u32 stress_count;
	int stress_infinite;
	struct nx_opt_u64 stress_duration_nanos;
};

struct nx_run_done {
	const char *run_id;
	const char *profile_name;
	uint64_t total_tests;
	uint64_t passed;
	uint64_t failed;
	uint64_t skipped;
	uint64_t duration_nanos;
	uint64_t paused_nanos;
	struct nx_opt_u32 stress_completed;
	struct nx_opt_u32 stress_success;
	struct nx_opt_u32 stress_failed;
};

struct nx_stress_sub_run_start {
	const char *stress_sub_run_id;
	const char *run_id;
	const char *profile_name;
	uint32_t stress_current;
	struct nx_opt_u32 stress_total;
	uint64_t elapsed_nanos;
};

struct nx_stress_sub_run_done {
	const char *stress_sub_run_id;
	const char *run_id;
	const char *profile_name;
	uint32_t stress_current;
	struct nx_opt_u32 stress_total;
	uint64_t elapsed_nanos;
	uint64_t sub_run_duration_nanos;
	uint64_t total_tests;
	uint64_t passed;
	uint64_t failed;
	uint64_t skipped;
};

#endif
