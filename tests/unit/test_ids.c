/* test_ids.c — Criterion tests of nextest's id formats (preload/engine/encode/encode.c):
 * attempt id, setup-script id, stress sub-run id, as nextest writes them. */
#include <criterion/criterion.h>
#include <string.h>

#include "format.h"

#define RUN "55459fda-13fe-406a-b4e3-0230fd52bb03"
static const struct nx_opt_u32 none = { 0, 0 };

Test(ids, attempt_first_try_has_no_suffix)
{
	char out[256];
	int n = nx_format_attempt_id(out, sizeof(out), RUN, "nextest-runner::integration",
				     "basic::retry", none, 1);
	cr_expect_str_eq(out, RUN ":nextest-runner::integration$basic::retry");
	cr_expect_eq(n, (int)strlen(out));
}

Test(ids, attempt_retry_and_stress)
{
	char out[256];
	nx_format_attempt_id(out, sizeof(out), RUN, "nextest-runner::integration",
			     "basic::retry", (struct nx_opt_u32){ 1, 3 }, 2);
	cr_expect_str_eq(out, RUN ":nextest-runner::integration@stress-3$basic::retry#2");
	nx_format_attempt_id(out, sizeof(out), RUN, "pkg::bin/foo", "t", (struct nx_opt_u32){ 1, 0 }, 1);
	cr_expect_str_eq(out, RUN ":pkg::bin/foo@stress-0$t");
	nx_format_attempt_id(out, sizeof(out), RUN, "pkg", "t", none, 4294967295u);
	cr_expect_str_eq(out, RUN ":pkg$t#4294967295");
}

Test(ids, attempt_truncates_like_snprintf)
{
	char out[8];
	int n = nx_format_attempt_id(out, sizeof(out), "run", "bin", "test", none, 2);
	cr_expect_eq(n, (int)strlen("run:bin$test#2"));
	cr_expect_str_eq(out, "run:bin");
}

Test(ids, setup_script)
{
	char out[256];
	nx_format_setup_script_id(out, sizeof(out), RUN, "db-setup", none);
	cr_expect_str_eq(out, RUN ":db-setup");
	nx_format_setup_script_id(out, sizeof(out), RUN, "db-setup", (struct nx_opt_u32){ 1, 12 });
	cr_expect_str_eq(out, RUN ":db-setup@stress-12");
}

Test(ids, stress_sub_run)
{
	char out[256];
	int n = nx_format_stress_sub_run_id(out, sizeof(out), RUN, 0);
	cr_expect_str_eq(out, RUN ":@stress-0");
	cr_expect_eq(n, (int)strlen(out));
	nx_format_stress_sub_run_id(out, sizeof(out), RUN, 4294967295u);
	cr_expect_str_eq(out, RUN ":@stress-4294967295");
}
