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

#include "resolved.h"

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

#endif
