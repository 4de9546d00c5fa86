/* test_probes.c — Criterion tests of preload/thin/probe/probes.c that need no tracer:
 * the contract table (names, order), each enum reading its own semaphore,
 * fire functions being inert at zero and harmless (errno kept) when enabled. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "../../preload/thin/probe/probes.h"

/* The semaphores are hidden symbols of the object we link statically. */
#define SEMA_DECL(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	extern volatile unsigned short __usdt_sema_nextest_##ident;
NX_PROBE_LIST(SEMA_DECL)
#define SEMA_PTR(e, ident, name, n, k0, k1, k2, k3, k4, k5) [e] = &__usdt_sema_nextest_##ident,
static volatile unsigned short *const sema[NX_PROBE_COUNT] = { NX_PROBE_LIST(SEMA_PTR) };

Test(probes, names)
{
	static const char *want[] = { "run-start", "run-done", "test-attempt-start",
				      "test-attempt-done", "test-attempt-slow",
				      "setup-script-start", "setup-script-slow",
				      "setup-script-done", "stress-sub-run-start",
				      "stress-sub-run-done" };
	cr_assert_eq(NX_PROBE_COUNT, 10);
	for (int i = 0; i < NX_PROBE_COUNT; i++)
		cr_expect_str_eq(nx_probe_name((enum nx_probe)i), want[i]);
	cr_expect_null(nx_probe_name(NX_PROBE_COUNT));
	cr_expect_str_eq(nx_probe_name(NX_TEST_ATTEMPT_DONE), "test-attempt-done");
}

Test(probes, semaphores_are_distinct_even_and_page_separate)
{
	for (int i = 0; i < NX_PROBE_COUNT; i++) {
		cr_expect_eq((uintptr_t)sema[i] % 2, 0, "semaphore %d odd", i);
		for (int j = 0; j < i; j++)
			cr_expect_neq(sema[i], sema[j]);
		cr_expect_eq((uintptr_t)sema[i] / 4096, (uintptr_t)sema[0] / 4096);
	}
	cr_expect_eq((uintptr_t)sema[0] % 4096, 0, "first semaphore starts the page");
}

Test(probes, each_enum_reads_its_own_semaphore)
{
	cr_expect_not(nx_any_enabled());
	for (int i = 0; i < NX_PROBE_COUNT; i++) {
		*sema[i] = 1;
		for (int j = 0; j < NX_PROBE_COUNT; j++)
			cr_expect_eq(nx_probe_enabled((enum nx_probe)j), i == j, "sema %d probe %d", i, j);
		cr_expect(nx_any_enabled());
		*sema[i] = 0;
	}
	cr_expect_not(nx_any_enabled());
	cr_expect_not(nx_probe_enabled(NX_PROBE_COUNT));
}

Test(probes, fire_keeps_errno_enabled_or_not)
{
	static const char *args[] = { "--exact", "t" };
	struct nx_test_attempt_start s = { .attempt_id = "a", .run_id = "r", .binary_id = "b",
					   .test_name = "t", .pid = 1, .program = "p",
					   .args = { args, 2 } };
	struct nx_test_attempt_done d = { .attempt_id = "a", .result = "pass" };
	struct nx_test_attempt_slow sl = { 0 };
	struct nx_setup_script_start ss = { 0 };
	struct nx_setup_script_slow sss = { 0 };
	struct nx_setup_script_done ssd = { 0 };
	struct nx_run_start rs = { .run_id = "r" };
	struct nx_run_done rd = { 0 };
	struct nx_stress_sub_run_start srs = { 0 };
	struct nx_stress_sub_run_done srd = { 0 };
	for (int on = 0; on < 2; on++) {
		for (int i = 0; i < NX_PROBE_COUNT; i++)
			*sema[i] = (unsigned short)on;
		errno = 1234;
		nx_fire_test_attempt_start(&s);
		nx_fire_test_attempt_done(&d);
		nx_fire_test_attempt_slow(&sl);
		nx_fire_setup_script_start(&ss);
		nx_fire_setup_script_slow(&sss);
		nx_fire_setup_script_done(&ssd);
		nx_fire_run_start(&rs);
		nx_fire_run_done(&rd);
		nx_fire_stress_sub_run_start(&srs);
		nx_fire_stress_sub_run_done(&srd);
		cr_expect_eq(errno, 1234);
	}
	for (int i = 0; i < NX_PROBE_COUNT; i++)
		*sema[i] = 0;
}

/* Many threads firing every probe at once, semaphores on: no crash, no
 * interference (each thread's errno kept). */
#include <pthread.h>

static void *fire_loop(void *arg)
{
	static const char *args[] = { "a", "b\"c" };
	struct nx_test_attempt_start s = { .attempt_id = "a", .run_id = "r", .binary_id = "b",
					   .test_name = "t", .program = "p", .args = { args, 2 } };
	struct nx_test_attempt_done d = { .attempt_id = "a", .result = "fail" };
	struct nx_run_done rd = { .run_id = "r" };
	errno = (int)(intptr_t)arg;
	for (int i = 0; i < 2000; i++) {
		nx_fire_test_attempt_start(&s);
		nx_fire_test_attempt_done(&d);
		nx_fire_run_done(&rd);
	}
	return (void *)(intptr_t)(errno == (int)(intptr_t)arg);
}

Test(probes, concurrent_fires)
{
	pthread_t t[8];
	for (int i = 0; i < NX_PROBE_COUNT; i++)
		*sema[i] = 1;
	for (int i = 0; i < 8; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, fire_loop, (void *)(intptr_t)(100 + i)), 0);
	for (int i = 0; i < 8; i++) {
		void *ok;
		pthread_join(t[i], &ok);
		cr_expect(ok, "thread %d lost its errno", i);
	}
	for (int i = 0; i < NX_PROBE_COUNT; i++)
		*sema[i] = 0;
}
