/* config.h — nextest's resolved configuration, seen from inside the runner.
 *
 * Owns: the settings nextest never (or not on every version) puts into a
 * child's environment, computed the way nextest computes them:
 *   sources   nextest-runner/default-config.toml (built-in values, embedded
 *             in config.c), tool config files (--tool-config-file, lowest
 *             priority first), the workspace's .config/nextest.toml or
 *             --config-file, layered like the `config` crate (tables merge
 *             key by key, other values are replaced)
 *   profile   -P / NEXTEST_PROFILE / "default" ("default-miri" when
 *             MIRI_SYSROOT is set); a custom profile falls back through its
 *             `inherits` chain (0.9.115+) to profile.default
 *   precedence CLI > environment (NEXTEST_*) > profile, per setting
 *   per test  [[profile.<p>.overrides]]: the active profile's overrides, then
 *             profile.default's; within a profile the main config file's
 *             before the tool configs'; for each setting the first matching
 *             override wins (nextest-runner/src/config/overrides/imp.rs,
 *             TestSettings::new); --retries / NEXTEST_RETRIES beats them all
 *   scripts   [scripts.setup.<id>] (0.9.98+) or [script.<id>] (0.9.59–),
 *             in definition order, with the [[profile.<p>.scripts]] entries
 *             that gate them
 * Parent-process code: allocates; everything is freed by nx_config_free.
 * Every parse failure is an error return (message in c->error).
 */
#ifndef NX_CONFIG_H
#define NX_CONFIG_H

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

struct nx_config_opts {
	unsigned version;		/* 0 = NX_VERSION_LATEST (the runner's: version.h) */
	const char *workspace_root;	/* NULL = discover (see config.c) */
	unsigned ncpus;			/* 0 = detect like available_parallelism() */
};

/* Load everything for the runner whose argv/envp are given.  envp may be
 * NULL (no environment).  Returns 0, or -1 with c->error set (c is then
 * still safe to free).  workspace_root NULL = discover. */
int nx_config_load(struct nx_config *c, const char *workspace_root, int argc, char **argv, char **envp);
int nx_config_load_opts(struct nx_config *c, const struct nx_config_opts *o, int argc, char **argv,
			char **envp);
void nx_config_free(struct nx_config *c);

/* Settings for one test.  package/kind may be NULL (derived from the binary
 * id, see filterset.h).  Thread-safe (reads only).  Returns 0. */
int nx_config_test(const struct nx_config *c, const char *binary_id, const char *test_name,
		   const char *package, const char *kind, struct nx_test_settings *out);

/* Index of the setup script whose command is (program, args), or -1.
 * program is matched exactly, else by basename; args exactly. */
int nx_config_script_for(const struct nx_config *c, const char *program, const char *const *args,
			 size_t nargs);

/* 1 if script idx is enabled for this test (some gate matches). */
int nx_config_script_applies(const struct nx_config *c, size_t idx, const char *binary_id,
			     const char *test_name, const char *package, const char *kind);

/* Parse "0.9.143" (or "cargo-nextest 0.9.143") into NX_VERSION form; 0 on error. */
unsigned nx_config_parse_version(const char *s);

/* available_parallelism(): sched_getaffinity CPUs, capped by a cgroup v2
 * cpu.max quota; at least 1. */
unsigned nx_ncpus(void);

#endif
