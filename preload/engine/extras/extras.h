/* extras.h — where the core hands events to the extra provider.
 *
 * Owns: the two calls the runner-side core makes into preload/extras/ (the
 * second provider: per-attempt resource usage, stacks of hung tests).  The
 * crash-backtrace part lives entirely in test processes and needs no call
 * from the core.  Both calls run in the runner's parent process, outside any
 * lock of the core, right after nextest's own probe fired.
 */
#ifndef NX_EXTRAS_H
#define NX_EXTRAS_H

#include <sys/resource.h>
#include <sys/types.h>

#include "events.h"
#include "probes.h"

/* After test-attempt-done.  ru is the child's rusage as the runner's own
 * reap returned it (wait4 in place of waitpid), or NULL if the reap did not
 * provide one (waitid). */
void nx_extras_attempt_done(const struct nx_test_attempt_done *d, pid_t pid,
			    const struct rusage *ru);

/* After test-attempt-slow, while the test still runs. */
void nx_extras_attempt_slow(const struct nx_test_attempt_slow *e, pid_t pid);

/* attempt-rusage or a hung-* probe attached (extras/xprobes.c): volatile
 * reads, no system call. */
int nx_extras_runner_enabled(void);

/* Is any probe the runner side serves attached, nextest's ten or the extra
 * provider's?  What the core checks before it does any bookkeeping. */
static inline int nx_tracing(void)
{
	return nx_any_enabled() || nx_extras_runner_enabled();
}

#endif
