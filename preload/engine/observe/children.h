/* children.h — a spawn returned: what the model learns of it.
 *
 * Owns: the hand-off of each spawn the runner made (posix_spawn, or fork +
 * exec seen through the fork slot) to the model: the process becomes a
 * runner when the child carries nextest's protocol (role.h); when the model
 * keeps records, the child is classified (classify.h), its environment noted
 * for version detection (version.h), a test's binary id completed from the
 * cargo build (cargo.h), and a test attempt or a setup script handed to the
 * model (attempts.h).  Runs in the parent after the real call returned.
 */
#ifndef NX_CHILDREN_H
#define NX_CHILDREN_H

#include <stdint.h>
#include <sys/types.h>

#include "pipes.h"

void nx_children_spawned(uint64_t t_start, pid_t pid, char *const argv[], char *const envp[],
			 const struct nx_child_pipes *pipes);
/* thin/hook calls it by its earlier name. */
#define nx_attempt_spawned nx_children_spawned

#endif
