/* bridge.h — the one interface between the two objects.
 *
 * Owns: what the thin object (libnextest_probes.so: hooks, role, probe sites)
 * and the engine (libnextest_probes_engine.so: everything that gives a hooked
 * call its meaning) hand each other.  The thin object dlopen's the engine
 * (load.c) at the moment a process becomes a runner, or in a test process
 * whose crash probes are attached, and calls its one exported symbol,
 * nx_engine_entry, with a struct nx_thin; the entry returns a struct
 * nx_engine.  Nothing else crosses: the engine links against no symbol of the
 * thin object, and the thin object against none of the engine's.
 *
 * Both tables are filled once and never change.  NX_BRIDGE_ABI changes with
 * any change of either struct; a thin object and an engine of different
 * builds refuse each other (the hooks then stay pass-through).
 */
#ifndef NX_BRIDGE_H
#define NX_BRIDGE_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "pipes.h"

#define NX_BRIDGE_ABI 2
#define NX_ENGINE_ENTRY "nx_engine_entry"
#define NX_ENGINE_FILE "libnextest_probes_engine.so"

struct rusage;

/* thin → engine */
struct nx_thin {
	unsigned abi;
	/* The semaphores of both providers, nextest's ten then nextest_extra's
	 * (probes.h: NX_SEMA_COUNT); the engine reads them directly. */
	const volatile unsigned short *semas;
	/* Fires site s (nextest's probes: 0..9, nextest_extra's: 10..) with
	 * a[0..5]; probes.h, nx_probe_fire. */
	void (*fire)(unsigned s, const uint64_t a[6]);
	/* The process's role (role.h) and its promotion to runner. */
	int *role;
	void (*promote_runner)(void);
	/* The process's own argv and environment, as the constructor saw them. */
	int argc;
	char **argv;
	char **envp;
	/* The address of the exported sigaction() (sigaction.c), for the crash
	 * handler's check that the program calls ours. */
	void *sigaction_ours;
};

/* engine → thin.  Every callback runs in the parent, after the real call
 * returned (closing: before), with the thin object's re-entrancy flag set. */
struct nx_engine {
	unsigned abi;
	/* A spawn returned: a nextest child (test, list, script, double-spawn
	 * stub) or the runner's cargo build.  t0: when its preparation was first
	 * seen; pipes: the read ends of its stdout/stderr, when resolved. */
	void (*spawned)(uint64_t t0, pid_t pid, char *const argv[], char *const envp[],
			const struct nx_child_pipes *pipes);
	/* Does the engine want to see this fd's reads and its close: a capture
	 * pipe of a tracked child, the cargo build's stdout, or any close while a
	 * setup script's NEXTEST_ENV file is awaited? */
	int (*fd_tracked)(int fd);
	void (*read)(int fd, const void *buf, ssize_t r, int err);
	void (*closing)(int fd);
	void (*reaped)(pid_t pid, int status, const struct rusage *ru);
	void (*wait_failed)(pid_t pid, int err);
	void (*killed)(pid_t pid, int sig);
	/* What the runner wrote to fd 1 or 2; t: the clock read before the
	 * real write (a slow reader blocks the write). */
	void (*write)(int fd, const void *buf, ssize_t n, uint64_t t);
	void (*writev)(int fd, const struct iovec *iov, int iovcnt, ssize_t n, uint64_t t);
	void (*pause_begin)(uint64_t t);
	void (*pause_end)(uint64_t t);
	/* Test processes: arm the crash handler (once), and the program's view
	 * of the dispositions of the signals it watches (sigaction.c). */
	void (*crash_init)(int argc, char **argv, char **envp, void *sigaction_ours);
	int (*crash_watching)(int sig);
	int (*crash_sigaction)(int sig, const struct sigaction *act, struct sigaction *old);
};

typedef const struct nx_engine *nx_engine_entry_fn(const struct nx_thin *thin);

#endif
