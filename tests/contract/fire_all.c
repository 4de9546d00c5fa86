/* fire_all.c — fires each of the ten probes once with known values.
 *
 * Owns: the traced program of the live contract test (live_probes.py).  It is
 * linked from preload/thin/probe/probes.c, encode.c and buf.c, so its probes are the
 * library's.  It first reports every semaphore and exits 3 if any is zero:
 * the tracer attached by path before this process started must have raised
 * them all.  The values here are mirrored in live_probes.py.
 */
#include <stdint.h>
#include <stdio.h>

#include "../../preload/thin/probe/probes.h"

#define RUN "55459fda-13fe-406a-b4e3-0230fd52bb03"

int main(void)
{
	int missing = 0;
	for (int i = 0; i < NX_PROBE_COUNT; i++) {
		int on = nx_probe_enabled((enum nx_probe)i);
		printf("SEMA %s %d\n", nx_probe_name((enum nx_probe)i), on);
		missing += !on;
	}
	if (missing) {
		fprintf(stderr, "fire_all: %d semaphore(s) still zero\n", missing);
		return 3;
	}

	static const char *targs[] = { "--exact", "mod::t\"q\\", "--nocapture" };
	static const char *sargs[] = { "-c", "echo hi" };

	struct nx_run_start rs = { .run_id = RUN, .profile_name = "default", .total_tests = 3,
				   .filter_count = 2, .test_threads = 8 };
	nx_fire_run_start(&rs);

	struct nx_stress_sub_run_start srs = { .stress_sub_run_id = RUN ":@stress-4", .run_id = RUN,
					       .profile_name = "ci", .stress_current = 4,
					       .stress_total = { 1, 10 }, .elapsed_nanos = 77 };
	nx_fire_stress_sub_run_start(&srs);

	struct nx_setup_script_start ss = { .id = RUN ":db", .run_id = RUN, .script_id = "db",
					    .pid = 4000000001u, .program = "sh", .args = { sargs, 2 } };
	nx_fire_setup_script_start(&ss);

	struct nx_setup_script_slow ssl = { .id = RUN ":db", .run_id = RUN, .script_id = "db",
					    .program = "sh", .args = { sargs, 2 },
					    .elapsed_nanos = 5000000000ull, .will_terminate = 1 };
	nx_fire_setup_script_slow(&ssl);

	struct nx_setup_script_done ssd = { .id = RUN ":db", .run_id = RUN, .script_id = "db",
					    .program = "sh", .args = { sargs, 2 }, .result = "pass",
					    .exit_code = { 1, 0 }, .duration_nanos = 6000000000ull,
					    .stdout_len = { 1, 3 }, .stderr_len = { 1, 0 } };
	nx_fire_setup_script_done(&ssd);

	struct nx_test_attempt_start tas = {
		.attempt_id = RUN ":pkg::it$mod::t\"q\\#2", .run_id = RUN, .binary_id = "pkg::it",
		.test_name = "mod::t\"q\\", .pid = 4000000000u, .program = "/t/it-1",
		.args = { targs, 3 }, .attempt = 2, .total_attempts = 3, .global_slot = 5 };
	nx_fire_test_attempt_start(&tas);

	struct nx_test_attempt_slow tasl = {
		.attempt_id = tas.attempt_id, .run_id = RUN, .binary_id = "pkg::it",
		.test_name = tas.test_name, .attempt = 2, .total_attempts = 3,
		.elapsed_nanos = 60000000000ull, .will_terminate = 0 };
	nx_fire_test_attempt_slow(&tasl);

	struct nx_test_attempt_done tad = {
		.attempt_id = tas.attempt_id, .run_id = RUN, .binary_id = "pkg::it",
		.test_name = tas.test_name, .attempt = 2, .total_attempts = 3, .result = "timeout",
		.exit_code = { 0, 0 }, .duration_nanos = 18446744073709551615ull, .leaked = 1,
		.stdout_len = { 1, 10 }, .stderr_len = { 1, 20 } };
	nx_fire_test_attempt_done(&tad);

	struct nx_stress_sub_run_done srd = {
		.stress_sub_run_id = RUN ":@stress-4", .run_id = RUN, .profile_name = "ci",
		.stress_current = 4, .stress_total = { 1, 10 }, .elapsed_nanos = 99,
		.sub_run_duration_nanos = 22, .total_tests = 3, .passed = 2, .failed = 1 };
	nx_fire_stress_sub_run_done(&srd);

	struct nx_run_done rd = { .run_id = RUN, .profile_name = "default", .total_tests = 3,
				  .passed = 2, .failed = 1, .duration_nanos = 123456789,
				  .paused_nanos = 0 };
	nx_fire_run_done(&rd);

	printf("FIRED\n");
	return 0;
}
