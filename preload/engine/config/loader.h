/* loader.h — what the files of engine/config share while loading.
 *
 * Owns: the loader's state (the layered files, the profile chain), the
 * compiled override entry, and the functions one concern of the load offers
 * the others: loader.c (first error, kept strings and trees, environment),
 * decode.c (settings), files.c (reading and finding config files),
 * profiles.c (inheritance, per-profile lookups), overrides.c (overrides,
 * test groups, platform filters), scripts.c (setup scripts).  cpus.c has
 * its own header.  Private to engine/config: the runner sees config.h only.
 */
#ifndef NX_CONFIG_LOADER_H
#define NX_CONFIG_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"
#include "resolved.h"

struct nx_toml;
struct nx_filterset;

#define MAX_CONFIG_FILES (NX_CMDLINE_MAX_TOOL_CONFIGS + 1)
#define MAX_INHERIT_DEPTH 32

/* One [[profile.<p>.overrides]] entry, compiled. */
struct nx_override {
	struct nx_filterset *filter;
	int platform_ok;
	int has_retries, has_slow, has_bench_slow, has_leak, has_group, has_threads, has_priority,
	    has_flaky;
	struct nx_retry_policy retries;
	struct nx_slow_timeout slow, bench_slow;
	struct nx_leak_timeout leak;
	const char *group;	/* NULL with has_group = "@global" */
	uint32_t threads_required;
	int priority;
	int flaky_fail;
};

struct loader {
	struct nx_config *c;
	char **envp;
	const struct nx_toml *merged;
	const struct nx_toml *files[MAX_CONFIG_FILES];	/* highest priority first */
	size_t nfiles;
	const struct nx_toml *chain[MAX_INHERIT_DEPTH + 2];	/* custom … default */
	size_t nchain;
	const struct nx_toml *default_profile;
};

/* loader.c */
int nx_loader_err(struct nx_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *nx_loader_keep(struct nx_config *c, char *s);	/* c frees s; NULL if s is */
char *nx_loader_kdup(struct nx_config *c, const char *s);
int nx_loader_keep_tree(struct nx_config *c, struct nx_toml *t);
const char *nx_loader_env(char **envp, const char *name);
int nx_loader_boolish(const char *s, int *out);

/* decode.c: each returns 1 if set, 0 if absent, -1 on error (message in c) */
int nx_decode_slow(struct nx_config *c, const struct nx_toml *v, struct nx_slow_timeout *out);
int nx_decode_leak(struct nx_config *c, const struct nx_toml *v, struct nx_leak_timeout *out);
int nx_decode_retries(struct nx_config *c, const struct nx_toml *v, struct nx_retry_policy *out);
int nx_decode_threads(struct nx_config *c, const struct nx_toml *v, const char *what, uint32_t *out);
int nx_decode_threads_str(struct nx_config *c, const char *s, uint32_t *out);
int nx_decode_threads_required(struct nx_config *c, const struct nx_toml *v, uint32_t *out);
int nx_decode_flaky(struct nx_config *c, const struct nx_toml *v, int *fail);
int nx_decode_max_fail(struct nx_config *c, const char *s);
int nx_decode_fail_fast(struct nx_config *c, const struct nx_toml *v);

/* files.c */
int nx_files_load(struct nx_config *c, const char *path, int required, const struct nx_toml **out);
char *nx_files_discover_root(const char *dir);

/* profiles.c */
typedef int (*entry_fn)(struct loader *L, const struct nx_toml *entry, void *arg);
int nx_profiles_resolve_chain(struct loader *L, const char *name);
const struct nx_toml *nx_profiles_field(const struct loader *L, const char *key, const char *key2);
const char *nx_profiles_string(struct loader *L, const char *key);
int nx_profiles_for_entries(struct loader *L, const char *pname, const char *arr, entry_fn fn,
			    void *arg);

/* overrides.c */
int nx_overrides_compile_filter(struct nx_config *c, const struct nx_toml *v, const char *what,
				struct nx_filterset **out);
int nx_overrides_platform_ok(struct nx_config *c, const struct nx_toml *v, int *ok);
int nx_overrides_add(struct loader *L, const struct nx_toml *e, void *arg);
int nx_overrides_load_groups(struct loader *L);

/* scripts.c */
int nx_scripts_load(struct loader *L);
int nx_scripts_add_profile_entry(struct loader *L, const struct nx_toml *e, void *arg);

#endif
