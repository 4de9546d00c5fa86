/* probes.h — the probe contract, defined once.
 *
 * Owns: the list of nextest's ten USDT probes (provider "nextest"): enum
 * value, the Rust identifier nextest declares (it names the semaphore
 * __usdt_sema_nextest_<ident>), the note name (ident with "__" -> "-") and
 * the argument kinds, in nextest's order (nextest-runner/src/usdt.rs).  The
 * kinds are P = pointer to a NUL-terminated string, U64, U32; probes.c turns
 * them into the note's argument string for the target architecture
 * (x86_64: "8@%rdi … 4@%r8d", aarch64: "8@x0 … 4@x4", as usdt does).
 *
 * Each fire function returns at once if the probe's semaphore is zero; else
 * it encodes arg0 ({"ok":…} + NUL), copies every string argument into memory
 * it has just written, fires the probe once and frees.  On OOM it drops the
 * event.  Thread-safe.  Never call one in a vfork child (they allocate).
 */
#ifndef NX_PROBES_H
#define NX_PROBES_H

#include "events.h"

/* X(enum, rust_ident, "note-name", nargs, kind0, kind1, kind2, kind3, kind4, kind5) */
#define NX_PROBE_LIST(X) \
	X(NX_RUN_START, run__start, "run-start", 2, P, P, _, _, _, _) \
	X(NX_RUN_DONE, run__done, "run-done", 2, P, P, _, _, _, _) \
	X(NX_TEST_ATTEMPT_START, test__attempt__start, "test-attempt-start", 5, P, P, P, P, U32, _) \
	X(NX_TEST_ATTEMPT_DONE, test__attempt__done, "test-attempt-done", 6, P, P, P, P, P, U64) \
	X(NX_TEST_ATTEMPT_SLOW, test__attempt__slow, "test-attempt-slow", 5, P, P, P, P, U64, _) \
	X(NX_SETUP_SCRIPT_START, setup__script__start, "setup-script-start", 4, P, P, P, U32, _, _) \
	X(NX_SETUP_SCRIPT_SLOW, setup__script__slow, "setup-script-slow", 4, P, P, P, U64, _, _) \
	X(NX_SETUP_SCRIPT_DONE, setup__script__done, "setup-script-done", 5, P, P, P, P, U64, _) \
	X(NX_STRESS_SUB_RUN_START, stress__sub__run__start, "stress-sub-run-start", 3, P, P, U32, _, _, _) \
	X(NX_STRESS_SUB_RUN_DONE, stress__sub__run__done, "stress-sub-run-done", 3, P, P, U32, _, _, _)

enum nx_probe {
#define NX_ENUM(e, ident, name, n, k0, k1, k2, k3, k4, k5) e,
	NX_PROBE_LIST(NX_ENUM)
#undef NX_ENUM
	NX_PROBE_COUNT
};

int nx_probe_enabled(enum nx_probe p);	/* volatile read of its semaphore, no syscall */
int nx_any_enabled(void);		/* any of the ten semaphores non-zero */
const char *nx_probe_name(enum nx_probe p);	/* "test-attempt-start" …, NULL if out of range */

void nx_fire_test_attempt_start(const struct nx_test_attempt_start *e);
void nx_fire_test_attempt_done(const struct nx_test_attempt_done *e);
void nx_fire_test_attempt_slow(const struct nx_test_attempt_slow *e);
void nx_fire_setup_script_start(const struct nx_setup_script_start *e);
void nx_fire_setup_script_slow(const struct nx_setup_script_slow *e);
void nx_fire_setup_script_done(const struct nx_setup_script_done *e);
void nx_fire_run_start(const struct nx_run_start *e);
void nx_fire_run_done(const struct nx_run_done *e);
void nx_fire_stress_sub_run_start(const struct nx_stress_sub_run_start *e);
void nx_fire_stress_sub_run_done(const struct nx_stress_sub_run_done *e);

#endif
