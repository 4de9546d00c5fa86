/* classify.h — what a spawned child is, seen from its argv and envp.
 *
 * Owns: classifying a spawn as a test attempt, a list child, a setup script or
 * something else, for every nextest version from 0.9.48 on, and unwrapping the
 * double-spawn argv into nextest's logical program and args.
 */
#ifndef NX_CLASSIFY_H
#define NX_CLASSIFY_H

#include <stddef.h>

enum nx_spawn_kind {
	NX_SPAWN_OTHER = 0,
	NX_SPAWN_LIST,
	NX_SPAWN_TEST,
	NX_SPAWN_SCRIPT,
};

/* The NEXTEST_* values a spawn carries (NULL = not set). */
struct nx_spawn_env {
	const char *run_id;		/* NEXTEST_RUN_ID */
	const char *binary_id;		/* NEXTEST_BINARY_ID (0.9.116+; list 0.9.138+) */
	const char *test_name;		/* NEXTEST_TEST_NAME (0.9.116+) */
	const char *attempt;		/* NEXTEST_ATTEMPT, or __NEXTEST_ATTEMPT before 0.9.116 */
	const char *total_attempts;	/* NEXTEST_TOTAL_ATTEMPTS */
	const char *attempt_id;		/* NEXTEST_ATTEMPT_ID */
	const char *stress_current;	/* NEXTEST_STRESS_CURRENT: n | none */
	const char *stress_total;	/* NEXTEST_STRESS_TOTAL: n | unknown | none */
	const char *global_slot;	/* NEXTEST_TEST_GLOBAL_SLOT (0.9.90+) */
	const char *group;		/* NEXTEST_TEST_GROUP: name | @global */
	const char *group_slot;		/* NEXTEST_TEST_GROUP_SLOT: n | none */
	const char *phase;		/* NEXTEST_TEST_PHASE: list | run (0.9.98+) */
	const char *execution_mode;	/* NEXTEST_EXECUTION_MODE */
	const char *nextest_env;	/* NEXTEST_ENV (setup scripts) */
	const char *profile;		/* NEXTEST_PROFILE (0.9.89+) */
	const char *test_threads;	/* NEXTEST_TEST_THREADS (0.9.130+) */
};

struct nx_spawn {
	enum nx_spawn_kind kind;
	int double_spawn;		/* argv was [exe, __double-spawn, --, prog, joined] */
	struct nx_spawn_env env;
	/* The logical command (unwrapped): program and its args. */
	const char *program;
	const char **args;		/* points into arena */
	size_t nargs;
	/* Test attempts: the name after --exact, the path before it, --ignored. */
	const char *exact_name;
	const char *binary_path;
	int ignored;
	/* Owned storage for the split args; free with nx_spawn_free(). */
	void *arena;
};

/* Quick test on envp alone: does this child carry nextest's protocol?  No
 * allocation; used to decide whether the full classification is worth it. */
int nx_spawn_is_nextest_child(char *const argv[], char *const envp[]);

/* Full classification.  Allocates (in the parent only).  Returns 0, or -1 if
 * the double-spawn args could not be split (the event is then dropped). */
int nx_spawn_classify(struct nx_spawn *s, char *const argv[], char *const envp[]);
void nx_spawn_free(struct nx_spawn *s);

#endif
