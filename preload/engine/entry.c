/* entry.c — the engine's one entry point, and its side of the bridge.
 *
 * Owns: nx_engine_entry, the only symbol libnextest_probes_engine.so exports
 * (bridge.h), the engine's callbacks that the thin object's hooks call, and,
 * in the engine's own build (NX_ENGINE_DSO), the functions the engine's
 * sources call to read a semaphore, fire a site or promote the process, each
 * a read or a call through the struct nx_thin the thin object passed in.  The
 * engine thus links against no symbol of the thin object.  Linked into one
 * object with the thin part (macOS, NX_ENGINE_STATIC), those functions are
 * the thin part's own and only the entry and the callbacks are built here.
 */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "attempts.h"
#include "bridge.h"
#include "cargo.h"
#include "children.h"
#include "classify.h"
#include "nxchild.h"
#include "crash.h"
#include "probes.h"
#include "role.h"
#include "run.h"
#include "runcfg.h"
#include "streams.h"
#include "xprobes.h"

#define NX_EXPORT __attribute__((visibility("default")))

#if defined(NX_ENGINE_DSO) && NX_ENGINE_DSO
static const struct nx_thin *thin;
int *nx_role_ptr;

int nx_probe_enabled(enum nx_probe p)
{
	return (unsigned)p < NX_PROBE_COUNT && thin->semas[p] != 0;
}

int nx_any_enabled(void)
{
	unsigned v = 0;
	for (int i = 0; i < NX_PROBE_COUNT; i++)
		v |= thin->semas[i];
	return v != 0;
}

int nx_x_enabled(enum nx_xprobe p)
{
	return (unsigned)p < NX_XPROBE_COUNT && thin->semas[NX_PROBE_COUNT + p] != 0;
}

void nx_probe_fire(unsigned s, const uint64_t a[6])
{
	thin->fire(s, a);
}

void nx_x_fire(enum nx_xprobe p, const uint64_t a[6])
{
	if ((unsigned)p < NX_XPROBE_COUNT)
		thin->fire(NX_PROBE_COUNT + (unsigned)p, a);
}

void nx_role_promote_runner(void)
{
	thin->promote_runner();
}
#endif

/* ---- the callbacks ---- */

static void spawned(uint64_t t0, pid_t pid, char *const argv[], char *const envp[],
		    const struct nx_child_pipes *pipes)
{
	if (nx_is_nextest_child(argv, envp))
		nx_attempt_spawned(t0, pid, argv, envp, pipes);
	else
		nx_cargo_spawned(argv, pipes);
}

static int fd_tracked(int fd)
{
	return nx_attempt_fd_tracked(fd) || nx_cargo_fd(fd) || nx_attempt_env_waiting();
}

static void on_read(int fd, const void *buf, ssize_t r, int err)
{
	if (nx_attempt_fd_tracked(fd))
		nx_attempt_read(fd, r, err);
	else if (nx_cargo_fd(fd))
		nx_cargo_read(fd, buf, r);
}

static void closing(int fd)
{
	if (nx_attempt_fd_tracked(fd))
		nx_attempt_closing(fd);
	else if (nx_cargo_fd(fd))
		nx_cargo_closing(fd);
	else
		nx_attempt_env_closing(fd);
}

static const struct nx_engine table = {
	.abi = NX_BRIDGE_ABI,
	.spawned = spawned,
	.fd_tracked = fd_tracked,
	.read = on_read,
	.closing = closing,
	.reaped = nx_attempt_reaped,
	.wait_failed = nx_attempt_wait_failed,
	.killed = nx_attempt_killed,
	.write = nx_streams_write,
	.writev = nx_streams_writev,
	.pause_begin = nx_run_pause_begin,
	.pause_end = nx_run_pause_end,
	.crash_init = nx_xcrash_init,
	.crash_watching = nx_xcrash_watching,
#if defined(__linux__)
	.crash_sigaction = nx_xcrash_sigaction,
#endif
};

NX_EXPORT const struct nx_engine *nx_engine_entry(const struct nx_thin *t)
{
	if (!t || t->abi != NX_BRIDGE_ABI)
		return NULL;
#if defined(NX_ENGINE_DSO) && NX_ENGINE_DSO
	thin = t;
	nx_role_ptr = t->role;
#endif
	nx_run_set_argv(t->argc, t->argv);
	return &table;
}
