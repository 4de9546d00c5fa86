/* fakeprobes.c — a stand-in probe library for the capture round-trip self-test.
 *
 * Owns: one function that fires any of nextest's ten probes (provider `nextest`, dashed
 * names, argument sizes as in probe-encoding.md §1.5) with caller-supplied values, through
 * <sys/sdt.h> (no semaphores: dashed names cannot have them there, so the probes are
 * always armed).  It is NOT the product library; it only lets the harness prove that the
 * capture reads every byte of every argument.
 */
#include <stdint.h>
#include <string.h>
#include <sys/sdt.h>

#define S(i) ((const char *)(uintptr_t)a[i])
#define U32(i) ((uint32_t)a[i])
#define U64(i) ((uint64_t)a[i])

__attribute__((visibility("default"), noinline))
int fakeprobes_fire(const char *probe, const uint64_t *a)
{
    if (!strcmp(probe, "test-attempt-start"))
        STAP_PROBE5(nextest, test-attempt-start, S(0), S(1), S(2), S(3), U32(4));
    else if (!strcmp(probe, "test-attempt-done"))
        STAP_PROBE6(nextest, test-attempt-done, S(0), S(1), S(2), S(3), S(4), U64(5));
    else if (!strcmp(probe, "test-attempt-slow"))
        STAP_PROBE5(nextest, test-attempt-slow, S(0), S(1), S(2), S(3), U64(4));
    else if (!strcmp(probe, "setup-script-start"))
        STAP_PROBE4(nextest, setup-script-start, S(0), S(1), S(2), U32(3));
    else if (!strcmp(probe, "setup-script-slow"))
        STAP_PROBE4(nextest, setup-script-slow, S(0), S(1), S(2), U64(3));
    else if (!strcmp(probe, "setup-script-done"))
        STAP_PROBE5(nextest, setup-script-done, S(0), S(1), S(2), S(3), U64(4));
    else if (!strcmp(probe, "run-start"))
        STAP_PROBE2(nextest, run-start, S(0), S(1));
    else if (!strcmp(probe, "run-done"))
        STAP_PROBE2(nextest, run-done, S(0), S(1));
    else if (!strcmp(probe, "stress-sub-run-start"))
        STAP_PROBE3(nextest, stress-sub-run-start, S(0), S(1), U32(2));
    else if (!strcmp(probe, "stress-sub-run-done"))
        STAP_PROBE3(nextest, stress-sub-run-done, S(0), S(1), U32(2));
    else
        return -1;
    return 0;
}
