/* extras/xprobes.h — the extra provider's probe list, defined once.
 *
 * Owns: the probes of provider "nextest_extra" (everything nextest itself
 * does not fire): enum value, identifier (semaphore
 * __usdt_sema_nextest_extra_<ident>), note name and argument kinds.  Every
 * probe takes at most six arguments (bpftrace 0.17 reads only arg0..arg5 of
 * a USDT probe on x86_64: "x86_64 doesn't support arg6"):
 * P = pointer to a NUL-terminated string, U64, U32.  The sites live in
 * xprobes.c; they fire exactly what the caller passes, so callers build
 * arguments only after nx_x_enabled() said yes.  The note/semaphore template
 * is probes.c's (usdt's stapsdt template, semaphores on a page of their own);
 * only Linux x86_64 gets notes (elsewhere the probes are inert: no tracer can
 * raise a semaphore that no note names).
 */
#ifndef NX_XPROBES_H
#define NX_XPROBES_H

#include <stdint.h>

/* X(enum, ident, "note-name", k0 … k5).  Arguments (docs/extras.md):
 *   attempt-rusage  json, attempt_id, binary_id, test_name, struct nx_x_rusage *, pid
 *   crash           json, attempt_id, test_name, thread_name, signal, frames
 *   crash-frame     json, module, symbol, index, ip, module_offset
 *   hung-stacks     json, attempt_id, binary_id, test_name, pid, threads
 *   hung-thread     json, attempt_id, thread_name, tid, frames, syscall (-1: none)
 *   hung-frame      json, attempt_id, module, symbol, index, ip
 * json = {"ok":{…}} + NUL, like nextest's arg0. */
#define NX_XPROBE_LIST(X) \
	X(NX_X_ATTEMPT_RUSAGE, attempt__rusage, "attempt-rusage", P, P, P, P, P, U32) \
	X(NX_X_CRASH, crash, "crash", P, P, P, P, U32, U32) \
	X(NX_X_CRASH_FRAME, crash__frame, "crash-frame", P, P, P, U32, U64, U64) \
	X(NX_X_HUNG_STACKS, hung__stacks, "hung-stacks", P, P, P, P, U32, U32) \
	X(NX_X_HUNG_THREAD, hung__thread, "hung-thread", P, P, P, U32, U32, U64) \
	X(NX_X_HUNG_FRAME, hung__frame, "hung-frame", P, P, P, P, U32, U64)

/* What attempt-rusage's arg4 points to (7 little-endian u64, this order). */
struct nx_x_rusage {
	uint64_t user_cpu_nanos;
	uint64_t system_cpu_nanos;
	uint64_t max_rss_kib;
	uint64_t minor_faults;
	uint64_t major_faults;
	uint64_t voluntary_context_switches;
	uint64_t involuntary_context_switches;
};

enum nx_xprobe {
#define NX_XENUM(e, ident, name, k0, k1, k2, k3, k4, k5) e,
	NX_XPROBE_LIST(NX_XENUM)
#undef NX_XENUM
	NX_XPROBE_COUNT
};

/* Volatile read of the probe's semaphore: no system call. */
int nx_x_enabled(enum nx_xprobe p);

/* Fires probe p once with a[0..5] (unused slots ignored).  Pointers must
 * point to memory the caller has just written (resident for bpftrace's
 * str()).  Async-signal-safe: no allocation, no lock. */
void nx_x_fire(enum nx_xprobe p, const uint64_t a[6]);

#endif
