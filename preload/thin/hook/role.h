/* role.h — what this process is, decided once and cheaply.
 *
 * Owns: the kill switch, the inert decision for non-runner processes, and the
 * promotion of a process to "runner" when it first spawns a child carrying
 * nextest's protocol.  Every hook reads nx_role first: one load and a branch.
 */
#ifndef NX_ROLE_H
#define NX_ROLE_H

enum nx_role {
	NX_ROLE_UNKNOWN = 0,	/* may still turn out to be a runner */
	NX_ROLE_RUNNER,		/* has spawned a nextest child: hooks active */
	NX_ROLE_INERT,		/* a test, a list child, a setup script, a double-spawn stub */
	NX_ROLE_FORK_CHILD,	/* a fork child of a (possible) runner, before exec */
	NX_ROLE_OFF,		/* kill switch, AT_SECURE, or unsupported */
};

extern int nx_role;

/* The environment variable that turns the library off in every process. */
#define NX_KILL_SWITCH "LIBNEXTEST_PROBES_DISABLE"

static inline int nx_role_runner(void)
{
	return __atomic_load_n(&nx_role, __ATOMIC_RELAXED) == NX_ROLE_RUNNER;
}

/* Hooks that can discover a runner (spawn, fork) run in these roles. */
static inline int nx_role_may_spawn_tests(void)
{
	int r = __atomic_load_n(&nx_role, __ATOMIC_RELAXED);
	return r == NX_ROLE_UNKNOWN || r == NX_ROLE_RUNNER;
}

void nx_role_promote_runner(void);

#endif
