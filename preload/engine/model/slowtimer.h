/* slowtimer.h — slow events the reporter does not print.
 *
 * Owns: one background thread in the runner, started on first need, that
 * fires test-attempt-slow and setup-script-slow at k × period when the
 * reporter's status level hides SLOW/TERMINATING lines (status level below
 * `slow`), or when the reporter draws through a progress bar (its lines then
 * come up to a tick late).  Otherwise the reporter's lines drive those probes
 * and the thread is never started.  The timer knows nothing of attempts: it
 * calls the tick function the model hands it.
 */
#ifndef NX_SLOWTIMER_H
#define NX_SLOWTIMER_H

#include <stdint.h>

/* One pass of the timer: fire the slow events due at now, return the next
 * deadline (0 = none).  The model's, handed over with the first kick. */
typedef uint64_t nx_slowtimer_tick_fn(uint64_t now);

/* A traced attempt with a finite slow period was added: start or wake the
 * timer if slow events come from it; it calls tick from then on. */
void nx_slowtimer_kick(nx_slowtimer_tick_fn *tick);
/* 1 if slow events come from the timer (reporter lines are ignored). */
int nx_slowtimer_active(void);
/* The reporter's lines come late (drawn through a progress bar, at its next
 * tick, when the attempt may already be done): from now on the timer fires
 * slow events, whatever the status level. */
void nx_slowtimer_use_timer(void);

#endif
