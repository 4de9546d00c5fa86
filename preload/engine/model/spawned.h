/* spawned.h — what the model is told about a spawned nextest child.
 *
 * Owns: the description of one spawn (its kind, the NEXTEST_* values of its
 * environment, the logical command) that engine/observe/classify.c fills in
 * and the model (attempts.c, run.c) reads.  Types only.
 */
#ifndef NX_SPAWNED_H
#define NX_SPAWNED_H

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
	/* The binary id learned from the cargo build when the environment
	 * carries none (nextest < 0.9.116); NULL if unknown. */
	const char *cargo_binary_id;
	/* Owned storage for the split args; free with nx_classify_free(). */
	void *arena;
};

#endif
