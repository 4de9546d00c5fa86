/* hooks.h — what the rest of the thin object hands to the hooks. */
#ifndef NX_HOOKS_H
#define NX_HOOKS_H

#include <stdint.h>
#include <sys/types.h>

#include "pipes.h"

/* A child was started (posix_spawn returned, or a fork child's exec was
 * collected from its slot), in the parent, with the re-entrancy flag set:
 * if it is a nextest child or the runner's cargo build, load the engine
 * (this process becomes a runner with a nextest child) and tell it. */
void nx_hooks_spawned(uint64_t t0, pid_t pid, char *const argv[], char *const envp[],
		      const struct nx_child_pipes *pipes);

#endif
