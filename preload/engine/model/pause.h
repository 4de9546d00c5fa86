/* pause.h — the runner's paused time.
 *
 * Owns: the clock of pauses (SIGTSTP → raise(SIGSTOP) in the runner, seen by
 * thin/hook): when each pause began and ended, so that durations can leave
 * paused time out as nextest's stopwatches do.  Bounded: MAX_PAUSES pauses
 * are remembered one by one; the running total counts all of them.
 */
#ifndef NX_PAUSE_H
#define NX_PAUSE_H

#include <stdint.h>

void nx_pause_begin(uint64_t t);
void nx_pause_end(uint64_t t);
/* Paused time between from and to. */
uint64_t nx_pause_within(uint64_t from, uint64_t to);
/* All paused time up to now (a monotonic counter). */
uint64_t nx_pause_total(uint64_t now);

#endif
