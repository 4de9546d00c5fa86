/* load.h — the engine, loaded when this process needs it.
 *
 * Owns: finding, loading and entering the engine (bridge.h), once per
 * process.  Until then, and for good if it cannot be loaded, nx_engine() is
 * NULL and every hook is a pass-through.
 */
#ifndef NX_LOAD_H
#define NX_LOAD_H

#include "bridge.h"

extern const struct nx_engine *nx_engine_table;

/* The engine's callbacks, or NULL: one load. */
static inline const struct nx_engine *nx_engine(void)
{
	return __atomic_load_n(&nx_engine_table, __ATOMIC_ACQUIRE);
}

/* Parent only, never between fork and exec.  Loads the engine the first
 * time (dlopen of NX_ENGINE_FILE next to this object, RTLD_NOW|RTLD_LOCAL,
 * with this thread's re-entrancy flag set so that the loader's own libc
 * calls go straight to libc) and returns its callbacks, or NULL if it is
 * missing or refuses this build; a thread arriving while another loads waits. */
const struct nx_engine *nx_engine_load(void);

/* Set when a load failed for want of a file descriptor (EMFILE, ENFILE):
 * the next nx_engine_load() tries again; close() does so right after it
 * freed one. */
extern int nx_engine_retry;

static inline int nx_engine_retry_due(void)
{
	return __builtin_expect(__atomic_load_n(&nx_engine_retry, __ATOMIC_RELAXED), 0);
}

/* A child was started (posix_spawn returned, or a fork child's exec was
 * collected from its slot), in the parent, with the re-entrancy flag set:
 * if it is a nextest child or the runner's cargo build, load the engine
 * (a nextest child makes this process a runner) and tell it. */
void nx_engine_spawned(uint64_t t0, pid_t pid, char *const argv[], char *const envp[],
		       const struct nx_child_pipes *pipes);

/* Constructor of a test process with a crash probe attached: load the
 * engine and let it arm the crash handler. */
void nx_engine_load_crash(void);

#endif
