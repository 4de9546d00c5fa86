/* forkslot.h — learning what a fork child exec'd, for the fork + execvp path.
 *
 * Owns: a MAP_SHARED anonymous area, created in the parent before its first
 * traced fork and inherited by fork children.  The child's exec hook writes
 * its argv, its NEXTEST_* environment and the identity of its fd 1 and 2 into
 * a slot (no malloc, no lock: atomics only, async-signal-safe), then execs;
 * if the exec returns, it marks the slot failed.  The parent collects the slot
 * on the forking thread once the runner's own wait for the exec result (a
 * blocking read/recv of std's CLOEXEC error channel) has returned.
 */
#ifndef NX_FORKSLOT_H
#define NX_FORKSLOT_H

#include <stdint.h>
#include <sys/types.h>

/* Parent, before the real fork (traced only).  Returns 0 if slots exist. */
int nx_forkslot_prepare(void);
/* Parent, after the real fork returned pid > 0. */
void nx_forkslot_forked(pid_t pid, uint64_t t_start);
/* Parent, on the forking thread, after a read/recv returned. */
void nx_forkslot_collect(void);
/* Does this thread have forks whose exec result is pending? */
int nx_forkslot_pending(void);

/* Child (fork child of a possible runner), right before the real exec.
 * Returns a slot handle (>= 0) or -1. */
int nx_forkslot_child_exec(char *const argv[], char *const envp[]);
/* Child: the real exec returned (failed). */
void nx_forkslot_child_failed(int handle);

#endif
