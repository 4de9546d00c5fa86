/* resolved.h — the configuration as nextest resolves it: the types.
 *
 * Owns: struct nx_config and the settings it holds (timeouts, retry policy,
 * test groups, setup scripts, per-test settings), the version numbers they
 * depend on.  config.h declares the functions that fill
 * and query them (what each setting means is said there); the files of the
 * load (loader.h) include this header, not config.h, so that config.c may
 * call them without a cycle.
 */
#ifndef NX_RESOLVED_H
#define NX_RESOLVED_H

#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"

struct nx_toml;
struct nx_filterset;

/* nextest version as a number: NX_VERSION(0, 9, 143). */
#define NX_VERSION(maj, min, pat) ((unsigned)(maj) * 1000000u + (unsigned)(min) * 1000u + (unsigned)(pat))
#define NX_VERSION_LATEST NX_VERSION(0, 9, 143)

/* Far-future duration used for "never": SlowTimeout::VERY_LARGE,
 * 30 × 365 days (nextest-runner/src/time/pausable_sleep.rs). */
#define NX_FAR_FUTURE_NS (86400ull * 365 * 30 * 1000000000ull)

struct nx_slow_timeout {
	uint64_t period_ns;
	uint32_t terminate_after;	/* 0 = never terminate */
	uint64_t grace_ns;		/* SIGTERM → SIGKILL grace; 0 = SIGKILL at once */
	int on_timeout_pass;		/* on-timeout = "pass" (0.9.115+) */
};

struct nx_leak_timeout {
	uint64_t period_ns;
	int fail;			/* result = "fail" (0.9.95+) */
};

struct nx_retry_policy {
	uint32_t count;
	int exponential;		/* backoff = "exponential" */
	uint64_t delay_ns;
	int jitter;
	uint64_t max_delay_ns;		/* 0 = none */
};

/* Settings of one test, after overrides. */
struct nx_test_settings {
	struct nx_retry_policy retries;
	uint32_t total_attempts;	/* retries.count + 1 */
	struct nx_slow_timeout slow;	/* slow-timeout (bench.slow-timeout in bench mode) */
	struct nx_leak_timeout leak;
	const char *test_group;		/* NULL = @global; points into the config */
	uint32_t threads_required;
	int priority;
	int flaky_fail;			/* flaky-result = "fail" */
};

struct nx_test_group {
	const char *name;
	uint32_t max_threads;		/* computed (num-cpus / negative resolved) */
};

/* One [[profile.<p>.scripts]] entry naming a script. */
struct nx_script_gate {
	struct nx_filterset *filter;	/* NULL = all tests */
	int platform_ok;		/* its platform spec matches this host */
};

struct nx_script {
	const char *id;
	const char *program;		/* as spawned (relative-to applied) */
	const char **args;
	size_t nargs;
	const char **env;		/* command.env as "KEY=VALUE" (0.9.131+) */
	size_t nenv;
	int capture_stdout, capture_stderr;
	struct nx_slow_timeout slow;	/* default: never slow (VERY_LARGE) */
	struct nx_leak_timeout leak;	/* default: 100 ms */
	struct nx_script_gate *gates;	/* from the active profile, in order */
	size_t ngates;
};

struct nx_override;

struct nx_config {
	unsigned version;		/* NX_VERSION(…) as detected (version.h) */
	char *workspace_root;
	char *profile;
	int is_run, is_bench;
	unsigned ncpus;
	uint32_t test_threads;		/* computed; 1 for --no-capture and bench */
	int no_capture;
	enum nx_stress_kind stress;
	uint64_t stress_count;
	uint64_t stress_duration_ns;
	int max_fail;			/* 0 = no limit (fail-fast = false); else N */
	int terminate_immediate;	/* fail-fast terminate = "immediate" / N:immediate */
	const char *run_ignored;	/* "default" | "only" | "all" */
	const char *message_format;	/* "human" | "libtest-json" | "libtest-json-plus" */
	int libtest_json_enabled;	/* NEXTEST_EXPERIMENTAL_LIBTEST_JSON=1 */
	const char *status_level;	/* none fail retry slow leak pass skip all */
	const char *final_status_level;
	const char *failure_output;
	const char *success_output;
	int hide_progress_bar;
	int force_retries;		/* --retries / NEXTEST_RETRIES given */
	uint32_t forced_retries;
	/* profile-level values (what a test gets with no override) */
	struct nx_test_settings profile_settings;
	struct nx_test_group *groups;
	size_t ngroups;
	struct nx_script *scripts;	/* definition = run order */
	size_t nscripts;
	struct nx_override *overrides;
	size_t noverrides;
	struct nx_filterset *default_filter;
	char error[256];
	/* private */
	struct nx_toml **trees;
	size_t ntrees;
	char **strings;
	size_t nstrings, capstrings;
};

#endif
