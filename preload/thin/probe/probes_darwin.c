/* probes_darwin.c — the probe sites on macOS: DTrace USDT through `dtrace -h`.
 *
 * Owns: the two functions probes.c calls when NX_DTRACE is on (probes.h):
 * nx_dtrace_enabled() asks the generated is-enabled probe
 * NEXTEST_<PROBE>_ENABLED() (ld64 makes it "return 0" until a tracer enables
 * the probe: the DTrace counterpart of the Linux semaphores), and
 * nx_dtrace_fire() fires NEXTEST_<PROBE>(…) with the arguments probes.c
 * built, converted back to the .d file's types (char*, uint32_t, uint64_t).
 * The header comes from preload/thin/probe/nextest_probes.d (`dtrace -h`, Makefile's
 * macOS branch); ld64 turns each probe call into a nop and emits the DOF
 * that dyld registers when the library loads.  Nothing here builds an
 * argument: the encoder and the {"ok":…} envelope are probes.c's, shared
 * with Linux.  Compiled only on macOS (or by darwin.mk's Linux-side check,
 * against a stand-in header with the same macros).
 */
#include <stdint.h>

#include "probes.h"

#if NX_DTRACE
#include "nextest_probes_dtrace.h"

#define S(a) ((char *)(uintptr_t)(a))
#define U32(a) ((uint32_t)(a))
#define U64(a) ((uint64_t)(a))

int nx_dtrace_enabled(enum nx_probe p)
{
	switch (p) {
	case NX_RUN_START:
		return NEXTEST_RUN_START_ENABLED();
	case NX_RUN_DONE:
		return NEXTEST_RUN_DONE_ENABLED();
	case NX_TEST_ATTEMPT_START:
		return NEXTEST_TEST_ATTEMPT_START_ENABLED();
	case NX_TEST_ATTEMPT_DONE:
		return NEXTEST_TEST_ATTEMPT_DONE_ENABLED();
	case NX_TEST_ATTEMPT_SLOW:
		return NEXTEST_TEST_ATTEMPT_SLOW_ENABLED();
	case NX_SETUP_SCRIPT_START:
		return NEXTEST_SETUP_SCRIPT_START_ENABLED();
	case NX_SETUP_SCRIPT_SLOW:
		return NEXTEST_SETUP_SCRIPT_SLOW_ENABLED();
	case NX_SETUP_SCRIPT_DONE:
		return NEXTEST_SETUP_SCRIPT_DONE_ENABLED();
	case NX_STRESS_SUB_RUN_START:
		return NEXTEST_STRESS_SUB_RUN_START_ENABLED();
	case NX_STRESS_SUB_RUN_DONE:
		return NEXTEST_STRESS_SUB_RUN_DONE_ENABLED();
	default:
		return 0;
	}
}

void nx_dtrace_fire(enum nx_probe p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5)
{
	switch (p) {
	case NX_RUN_START:
		NEXTEST_RUN_START(S(a0), S(a1));
		break;
	case NX_RUN_DONE:
		NEXTEST_RUN_DONE(S(a0), S(a1));
		break;
	case NX_TEST_ATTEMPT_START:
		NEXTEST_TEST_ATTEMPT_START(S(a0), S(a1), S(a2), S(a3), U32(a4));
		break;
	case NX_TEST_ATTEMPT_DONE:
		NEXTEST_TEST_ATTEMPT_DONE(S(a0), S(a1), S(a2), S(a3), S(a4), U64(a5));
		break;
	case NX_TEST_ATTEMPT_SLOW:
		NEXTEST_TEST_ATTEMPT_SLOW(S(a0), S(a1), S(a2), S(a3), U64(a4));
		break;
	case NX_SETUP_SCRIPT_START:
		NEXTEST_SETUP_SCRIPT_START(S(a0), S(a1), S(a2), U32(a3));
		break;
	case NX_SETUP_SCRIPT_SLOW:
		NEXTEST_SETUP_SCRIPT_SLOW(S(a0), S(a1), S(a2), U64(a3));
		break;
	case NX_SETUP_SCRIPT_DONE:
		NEXTEST_SETUP_SCRIPT_DONE(S(a0), S(a1), S(a2), S(a3), U64(a4));
		break;
	case NX_STRESS_SUB_RUN_START:
		NEXTEST_STRESS_SUB_RUN_START(S(a0), S(a1), U32(a2));
		break;
	case NX_STRESS_SUB_RUN_DONE:
		NEXTEST_STRESS_SUB_RUN_DONE(S(a0), S(a1), U32(a2));
		break;
	default:
		break;
	}
	(void)a2, (void)a3, (void)a4, (void)a5;
}
#endif
