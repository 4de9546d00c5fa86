/* config.c — loading and resolving nextest's configuration (see config.h).
 *
 * Owns: the embedded built-in defaults, the order of the load (sources,
 * profile, run settings with the CLI > env > config precedence, groups,
 * overrides, scripts) and the queries on the result.  Each concern of the
 * load has its own file (loader.h lists them).  Never touches the process's
 * own environment (envp is passed in) so it is testable and side-effect free.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpus.h"
#include "duration.h"
#include "filterset.h"
#include "loader.h"
#include "toml.h"

/* Built-in defaults: the values of nextest-runner/default-config.toml
 * (0.9.143) that this module reads.  leak-timeout is "100ms" before 0.9.108
 * (default-config.toml@cargo-nextest-0.9.106 vs @0.9.108), and
 * profile.default-miri has test-threads = 1 up to 0.9.67 (gone at 0.9.68). */
static const char DEFAULT_CONFIG_FMT[] =
	"[profile.default]\n"
	"default-filter = \"all()\"\n"
	"retries = 0\n"
	"flaky-result = \"pass\"\n"
	"test-threads = \"num-cpus\"\n"
	"threads-required = 1\n"
	"status-level = \"pass\"\n"
	"final-status-level = \"flaky\"\n"
	"failure-output = \"immediate\"\n"
	"success-output = \"never\"\n"
	"fail-fast = true\n"
	"slow-timeout = { period = \"60s\", on-timeout = \"fail\" }\n"
	"bench.slow-timeout = { period = \"30y\" }\n"
	"leak-timeout = \"%s\"\n"
	"[profile.default-miri]\n"
	"%s";

unsigned nx_config_parse_version(const char *s)
{
	if (!s)
		return 0;
	while (*s && (*s < '0' || *s > '9'))
		s++;
	unsigned a, b, p;
	if (sscanf(s, "%u.%u.%u", &a, &b, &p) != 3 || b > 999 || p > 999 || a > 999)
		return 0;
	return NX_VERSION(a, b, p);
}

/* ---- the whole load ---- */

static int build_default_config(struct nx_config *c, struct nx_toml **out)
{
	char text[sizeof DEFAULT_CONFIG_FMT + 64];
	/* 200 ms from #2671 (dc6a40ed), first in the (unpublished) 0.9.107 tag's
	 * default-config.toml; the first published release with it is 0.9.108 */
	const char *leak = c->version >= NX_VERSION(0, 9, 107) ? "200ms" : "100ms";
	const char *miri = c->version < NX_VERSION(0, 9, 68) ? "test-threads = 1\n" : "";
	snprintf(text, sizeof text, DEFAULT_CONFIG_FMT, leak, miri);
	char msg[100];
	*out = nx_toml_parse(text, strlen(text), msg, sizeof msg);
	if (!*out)
		return nx_loader_err(c, "built-in defaults: %s", msg);
	return 0;
}

static int load_sources(struct loader *L, const struct nx_cmdline *cl)
{
	struct nx_config *c = L->c;
	const struct nx_toml *tools[NX_CMDLINE_MAX_TOOL_CONFIGS];
	for (int i = 0; i < cl->n_tool_config_files; i++) {
		const char *colon = strchr(cl->tool_config_files[i], ':');
		if (!colon || colon == cl->tool_config_files[i] || colon[1] != '/')
			return nx_loader_err(c, "--tool-config-file: expected TOOL:ABS_PATH");
		if (nx_files_load(c, colon + 1, 1, &tools[i]))
			return -1;
	}
	const struct nx_toml *main_cfg;
	if (cl->config_file) {
		char path[PATH_MAX * 2];
		if (cl->config_file[0] == '/')
			snprintf(path, sizeof path, "%s", cl->config_file);
		else {
			char cwd[PATH_MAX];
			snprintf(path, sizeof path, "%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".",
				 cl->config_file);
		}
		if (nx_files_load(c, path, 1, &main_cfg))
			return -1;
	} else {
		char path[PATH_MAX + 32];
		snprintf(path, sizeof path, "%s/.config/nextest.toml", c->workspace_root);
		if (nx_files_load(c, path, 0, &main_cfg))
			return -1;
	}
	/* priority: main config, then tool configs in the order given */
	L->nfiles = 0;
	if (main_cfg)
		L->files[L->nfiles++] = main_cfg;
	for (int i = 0; i < cl->n_tool_config_files; i++)
		L->files[L->nfiles++] = tools[i];
	/* merged: defaults, then tool configs lowest priority first, then main */
	struct nx_toml *merged;
	if (build_default_config(c, &merged))
		return -1;
	if (nx_loader_keep_tree(c, merged))
		return nx_loader_err(c, "out of memory");
	for (size_t i = L->nfiles; i-- > 0;)
		if (nx_toml_merge(merged, L->files[i]))
			return nx_loader_err(c, "out of memory merging config");
	L->merged = merged;
	return 0;
}

/* CLI > env > profile for a string setting. */
static const char *pick(const char *cli, char **envp, const char *env, const char *profile_value)
{
	if (cli)
		return cli;
	const char *e = env ? nx_loader_env(envp, env) : NULL;
	return e ? e : profile_value;
}

static int one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(v, *allowed))
			return 1;
	return 0;
}

static int resolve_run_settings(struct loader *L, const struct nx_cmdline *cl, char **envp)
{
	struct nx_config *c = L->c;
	static const char *const levels[] = { "none", "fail", "retry", "slow", "leak", "pass", "skip", "all", NULL };
	static const char *const flevels[] = { "none", "fail", "flaky", "retry", "slow", "leak", "pass", "skip", "all", NULL };
	static const char *const outputs[] = { "immediate", "immediate-final", "final", "never", NULL };
	static const char *const formats[] = { "human", "libtest-json", "libtest-json-plus", NULL };

	c->status_level = pick(cl->status_level, envp, "NEXTEST_STATUS_LEVEL", nx_profiles_string(L, "status-level"));
	c->final_status_level = pick(cl->final_status_level, envp, "NEXTEST_FINAL_STATUS_LEVEL",
				     nx_profiles_string(L, "final-status-level"));
	c->failure_output = pick(cl->failure_output, envp, "NEXTEST_FAILURE_OUTPUT", nx_profiles_string(L, "failure-output"));
	c->success_output = pick(cl->success_output, envp, "NEXTEST_SUCCESS_OUTPUT", nx_profiles_string(L, "success-output"));
	c->message_format = pick(cl->message_format, envp, "NEXTEST_MESSAGE_FORMAT", "human");
	if (c->error[0])
		return -1;
	if (!c->status_level || !one_of(c->status_level, levels))
		return nx_loader_err(c, "invalid status level '%s'", c->status_level ? c->status_level : "");
	if (!c->final_status_level || !one_of(c->final_status_level, flevels))
		return nx_loader_err(c, "invalid final status level '%s'", c->final_status_level ? c->final_status_level : "");
	if (!c->failure_output || !one_of(c->failure_output, outputs) || !c->success_output ||
	    !one_of(c->success_output, outputs))
		return nx_loader_err(c, "invalid failure-output / success-output");
	if (!one_of(c->message_format, formats))
		return nx_loader_err(c, "invalid message format '%s'", c->message_format);
	const char *lj = nx_loader_env(envp, "NEXTEST_EXPERIMENTAL_LIBTEST_JSON");
	c->libtest_json_enabled = lj && !strcmp(lj, "1");

	const char *hp = nx_loader_env(envp, "NEXTEST_HIDE_PROGRESS_BAR");
	c->hide_progress_bar = cl->hide_progress_bar;
	if (!c->hide_progress_bar && hp && nx_loader_boolish(hp, &c->hide_progress_bar))
		return nx_loader_err(c, "invalid NEXTEST_HIDE_PROGRESS_BAR '%s'", hp);

	/* no-capture: --no-capture, or `-- --nocapture` from 0.9.133 */
	c->no_capture = cl->no_capture || (cl->libtest_nocapture && c->version >= NX_VERSION(0, 9, 133));
	c->run_ignored = cl->run_ignored ? cl->run_ignored : "default";

	/* test threads (runner/imp.rs: None capture → 1; bench → 1) */
	uint32_t threads;
	const char *tt = pick(cl->test_threads, envp, "NEXTEST_TEST_THREADS", NULL);
	if (tt) {
		if (nx_decode_threads_str(c, tt, &threads))
			return -1;
	} else {
		int r = nx_decode_threads(c, nx_profiles_field(L, "test-threads", NULL), "test-threads", &threads);
		if (r < 0)
			return -1;
		if (r == 0)
			threads = c->ncpus;
	}
	c->test_threads = (c->no_capture || c->is_bench) ? 1 : threads;

	/* retries forced from the CLI or NEXTEST_RETRIES */
	if (cl->has_retries) {
		c->force_retries = 1;
		c->forced_retries = cl->retries;
	} else {
		const char *r = nx_loader_env(envp, "NEXTEST_RETRIES");
		if (r) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(r, &end, 10);
			if (*r == '-' || *end || errno || v > UINT32_MAX)
				return nx_loader_err(c, "invalid NEXTEST_RETRIES '%s'", r);
			c->force_retries = 1;
			c->forced_retries = (uint32_t)v;
		}
	}

	/* fail-fast: --max-fail, --no-fail-fast, --fail-fast, then the profile */
	const struct nx_toml *ff = nx_profiles_field(L, "fail-fast", NULL);
	if (ff && nx_decode_fail_fast(c, ff))
		return -1;
	if (cl->max_fail) {
		if (nx_decode_max_fail(c, cl->max_fail))
			return -1;
	} else if (cl->fail_fast >= 0) {
		c->max_fail = cl->fail_fast ? 1 : 0;
		c->terminate_immediate = 0;
	}

	c->stress = cl->stress;
	c->stress_count = cl->stress_count;
	c->stress_duration_ns = cl->stress_duration_ns;
	return 0;
}

static int resolve_profile_settings(struct loader *L)
{
	struct nx_config *c = L->c;
	struct nx_test_settings *s = &c->profile_settings;
	memset(s, 0, sizeof *s);
	if (nx_decode_retries(c, nx_profiles_field(L, "retries", NULL), &s->retries) < 0)
		return -1;
	const struct nx_toml *st = c->is_bench ? nx_profiles_field(L, "bench", "slow-timeout") : nx_profiles_field(L, "slow-timeout", NULL);
	int r = nx_decode_slow(c, st, &s->slow);
	if (r < 0)
		return -1;
	if (r == 0)
		s->slow = (struct nx_slow_timeout){ 60 * NX_NS_PER_SEC, 0, 10 * NX_NS_PER_SEC, 0 };
	if (nx_decode_leak(c, nx_profiles_field(L, "leak-timeout", NULL), &s->leak) < 0)
		return -1;
	s->threads_required = 1;
	if (nx_decode_threads_required(c, nx_profiles_field(L, "threads-required", NULL), &s->threads_required) < 0)
		return -1;
	if (nx_decode_flaky(c, nx_profiles_field(L, "flaky-result", NULL), &s->flaky_fail) < 0)
		return -1;
	s->total_attempts = s->retries.count + 1;
	return 0;
}

int nx_config_load_opts(struct nx_config *c, const struct nx_config_opts *o, int argc, char **argv,
			char **envp)
{
	memset(c, 0, sizeof *c);
	struct nx_cmdline cl;
	if (nx_cmdline_parse(&cl, argc, argv))
		return nx_loader_err(c, "malformed command line");
	c->is_run = cl.is_run;
	c->is_bench = cl.is_bench;
	/* the runner's version comes from version.c's detection (run.c) */
	c->version = o && o->version ? o->version : NX_VERSION_LATEST;
	c->ncpus = o && o->ncpus ? o->ncpus : nx_cpus_available();

	/* workspace root */
	char *root = NULL;
	if (o && o->workspace_root) {
		root = strdup(o->workspace_root);
	} else if (cl.workspace_dir) {
		root = nx_files_discover_root(cl.workspace_dir);
	} else if (cl.manifest_path) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", cl.manifest_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(dir, sizeof dir, ".");
		root = nx_files_discover_root(dir);
	} else {
		char cwd[PATH_MAX];
		root = nx_files_discover_root(getcwd(cwd, sizeof cwd) ? cwd : ".");
	}
	c->workspace_root = nx_loader_kdup(c, root);
	free(root);
	if (!c->workspace_root)
		return nx_loader_err(c, "out of memory");

	struct loader L = { .c = c, .envp = envp };
	if (load_sources(&L, &cl))
		return -1;

	/* profile: -P > NEXTEST_PROFILE > default(-miri) */
	const char *prof = pick(cl.profile, envp, "NEXTEST_PROFILE", NULL);
	if (!prof)
		prof = nx_loader_env(envp, "MIRI_SYSROOT") ? "default-miri" : "default";
	c->profile = nx_loader_kdup(c, prof);
	if (!c->profile)
		return nx_loader_err(c, "out of memory");
	if (nx_profiles_resolve_chain(&L, c->profile))
		return -1;

	if (resolve_run_settings(&L, &cl, envp) || resolve_profile_settings(&L) || nx_overrides_load_groups(&L) ||
	    nx_scripts_load(&L))
		return -1;

	/* default filter of the profile chain */
	const struct nx_toml *df = nx_profiles_field(&L, "default-filter", NULL);
	if (nx_overrides_compile_filter(c, df, "default-filter", &c->default_filter))
		return -1;

	/* overrides and profile scripts: the profile's, then default's */
	const char *names[2] = { c->profile, "default" };
	int nn = strcmp(c->profile, "default") ? 2 : 1;
	for (int i = 0; i < nn; i++)
		if (nx_profiles_for_entries(&L, names[i], "overrides", nx_overrides_add, NULL))
			return -1;
	/* [[profile.<p>.scripts]] arrived with setup scripts in 0.9.59 */
	for (int i = 0; i < nn && c->version >= NX_VERSION(0, 9, 59); i++)
		if (nx_profiles_for_entries(&L, names[i], "scripts", nx_scripts_add_profile_entry, NULL))
			return -1;
	return 0;
}

int nx_config_load(struct nx_config *c, const char *workspace_root, int argc, char **argv, char **envp)
{
	struct nx_config_opts o = { 0, workspace_root, 0 };
	return nx_config_load_opts(c, &o, argc, argv, envp);
}

void nx_config_free(struct nx_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->noverrides; i++)
		nx_filterset_free(c->overrides[i].filter);
	free(c->overrides);
	for (size_t i = 0; i < c->nscripts; i++) {
		for (size_t g = 0; g < c->scripts[i].ngates; g++)
			nx_filterset_free(c->scripts[i].gates[g].filter);
		free(c->scripts[i].gates);
	}
	free(c->scripts);
	free(c->groups);
	nx_filterset_free(c->default_filter);
	for (size_t i = 0; i < c->ntrees; i++)
		nx_toml_free(c->trees[i]);
	free(c->trees);
	for (size_t i = 0; i < c->nstrings; i++)
		free(c->strings[i]);
	free(c->strings);
	memset(c, 0, sizeof *c);
}


/* ---- queries ---- */

static void make_query(const struct nx_config *c, struct nx_filter_query *q, const char *binary_id,
		       const char *test_name, const char *package, const char *kind)
{
	memset(q, 0, sizeof *q);
	q->binary_id = binary_id;
	q->test_name = test_name;
	q->package = package;
	q->kind = kind;
	q->platform_is_host = kind && !strcmp(kind, "proc-macro");
	q->default_filter = c->default_filter;
}

int nx_config_test(const struct nx_config *c, const char *binary_id, const char *test_name,
		   const char *package, const char *kind, struct nx_test_settings *out)
{
	*out = c->profile_settings;
	struct nx_filter_query q;
	make_query(c, &q, binary_id, test_name, package, kind);
	int got_r = 0, got_s = 0, got_l = 0, got_g = 0, got_t = 0, got_p = 0, got_f = 0;
	for (size_t i = 0; i < c->noverrides; i++) {
		const struct nx_override *o = &c->overrides[i];
		if (!o->platform_ok || (o->filter && !nx_filterset_match(o->filter, &q)))
			continue;
		if (!got_r && o->has_retries) {
			out->retries = o->retries;
			got_r = 1;
		}
		int has_slow = c->is_bench ? o->has_bench_slow : o->has_slow;
		if (!got_s && has_slow) {
			out->slow = c->is_bench ? o->bench_slow : o->slow;
			got_s = 1;
		}
		if (!got_l && o->has_leak) {
			out->leak = o->leak;
			got_l = 1;
		}
		if (!got_g && o->has_group) {
			out->test_group = o->group;
			got_g = 1;
		}
		if (!got_t && o->has_threads) {
			out->threads_required = o->threads_required;
			got_t = 1;
		}
		if (!got_p && o->has_priority) {
			out->priority = o->priority;
			got_p = 1;
		}
		if (!got_f && o->has_flaky) {
			out->flaky_fail = o->flaky_fail;
			got_f = 1;
		}
	}
	if (c->force_retries)
		out->retries = (struct nx_retry_policy){ .count = c->forced_retries };
	out->total_attempts = out->retries.count + 1;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int nx_config_script_for(const struct nx_config *c, const char *program, const char *const *args,
			 size_t nargs)
{
	if (!c || !program)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->nscripts; i++) {
			const struct nx_script *s = &c->scripts[i];
			if (s->nargs != nargs)
				continue;
			if (pass == 0 ? strcmp(s->program, program) != 0
				      : strcmp(base_name(s->program), base_name(program)) != 0)
				continue;
			size_t k = 0;
			while (k < nargs && args && args[k] && !strcmp(args[k], s->args[k]))
				k++;
			if (k == nargs)
				return (int)i;
		}
	}
	return -1;
}

int nx_config_script_applies(const struct nx_config *c, size_t idx, const char *binary_id,
			     const char *test_name, const char *package, const char *kind)
{
	if (!c || idx >= c->nscripts)
		return 0;
	struct nx_filter_query q;
	make_query(c, &q, binary_id, test_name, package, kind);
	const struct nx_script *s = &c->scripts[idx];
	for (size_t g = 0; g < s->ngates; g++)
		if (s->gates[g].platform_ok && (!s->gates[g].filter || nx_filterset_match(s->gates[g].filter, &q)))
			return 1;
	return 0;
}
