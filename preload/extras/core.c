/* extras/core.c — the extra provider's entry points from the core.
 *
 * Owns: nx_extras_attempt_done / nx_extras_attempt_slow (extras.h).  The
 * probes they fire are defined in this folder (issue 6); until they exist the
 * calls do nothing.
 */
#include "../extras.h"

void nx_extras_attempt_done(const struct nx_test_attempt_done *d, pid_t pid,
			    const struct rusage *ru)
{
	(void)d;
	(void)pid;
	(void)ru;
}

void nx_extras_attempt_slow(const struct nx_test_attempt_slow *e, pid_t pid)
{
	(void)e;
	(void)pid;
}
