/* attempts.h — the life of each traced child: test attempts and setup scripts.
 *
 * Owns: the table of traced children (pid -> record), the capture fds each
 * record owns, and their probes: test-attempt-start/-slow/-done and
 * setup-script-start/-slow/-done.  start fires right after the spawn
 * returned; done once the child is reaped and its capture pipes reached EOF
 * (or the runner closed them: a leak) — for a setup script that succeeded,
 * once the runner has read and closed its NEXTEST_ENV file.  Entry points run in the parent after
 * the real call returned (close: before), never in a vfork child, and never
 * hold the table lock across a real call or while firing.
 */
#ifndef NX_ATTEMPTS_H
#define NX_ATTEMPTS_H

#include <stdint.h>
#include <sys/types.h>

#include "pipes.h"

#define NX_MAX_FD 65536

/* Does the model keep records now (a probe of either provider attached)?
 * Asked before a spawn is classified. */
int nx_attempt_tracking(void);
/* A test attempt or a setup script was spawned (classified by
 * engine/observe/classify.c): start tracking it and fire its start. */
struct nx_spawn;
void nx_attempt_track(const struct nx_spawn *sp, uint64_t t_start, pid_t pid,
		      const struct nx_child_pipes *pipes);

/* Fast path for the fd hooks: is fd a capture pipe we track? */
int nx_attempt_fd_tracked(int fd);
void nx_attempt_read(int fd, ssize_t n, int err);
void nx_attempt_closing(int fd);

/* Setup scripts whose NEXTEST_ENV file the runner is still to read: is there
 * one (one load, for the close hook)?  The runner closes fd: if it is that
 * file, the script's done event fires (its clock stops now). */
int nx_attempt_env_waiting(void);
void nx_attempt_env_closing(int fd);
/* Fire the done events of those scripts now, their clocks stopped at the
 * exit and output (the runner moved on without a close we recognised).
 * Call without holding another room's lock. */
void nx_attempt_flush_env(void);

/* Reaping, as the runner's own wait returned it (ru: the child's rusage, or
 * NULL when the wait call did not report one). */
struct rusage;
void nx_attempt_reaped(pid_t pid, int status, const struct rusage *ru);
void nx_attempt_wait_failed(pid_t pid, int err);

/* The runner signalled a process (group). */
void nx_attempt_killed(pid_t target, int sig);

/* The reporter announced a slow (or terminating) test or script
 * (engine/observe/streams.c, when slow events come from its lines). */
void nx_attempt_test_slow(const char *binary_id, const char *test_name, int has_stress,
			  unsigned stress_printed, unsigned try_attempt, uint64_t elapsed,
			  int will_terminate);
void nx_attempt_script_slow(const char *script_id, uint64_t elapsed, int will_terminate);


#endif
