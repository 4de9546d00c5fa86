/* clock.h — the one clock every timestamp in the library uses.
 *
 * Owns: nx_now_ns(), CLOCK_MONOTONIC in nanoseconds (the clock nextest's
 * Instant and bpftrace's nsecs both use).  vDSO: no system call.
 */
#ifndef NX_CLOCK_H
#define NX_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t nx_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
