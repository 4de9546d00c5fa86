/* scripts.c — setup scripts (see loader.h): [scripts.setup.<id>] (0.9.98+)
 * or [script.<id>], their commands, and the [[profile.<p>.scripts]] entries
 * that gate them. */
#include "loader.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "filterset.h"
#include "shellwords.h"
#include "toml.h"

/* ScriptCommand: string (shell-words), array, or
 * { command-line, env, relative-to } (relative-to 0.9.99+, env 0.9.131+). */
static int decode_command(struct loader *L, const struct nx_toml *v, struct nx_script *s)
{
	struct nx_config *c = L->c;
	const struct nx_toml *cmd = v, *env = NULL;
	const char *rel = NULL;
	if (v && v->type == NX_TOML_TABLE) {
		cmd = nx_toml_get(v, "command-line");
		env = nx_toml_get(v, "env");
		rel = nx_toml_str(nx_toml_get(v, "relative-to"));
		if (!cmd)
			return nx_loader_err(c, "script '%s': command table needs command-line", s->id);
		if (nx_toml_get(v, "relative-to") && !rel)
			return nx_loader_err(c, "script '%s': relative-to must be a string", s->id);
		if (rel && strcmp(rel, "none") && strcmp(rel, "workspace-root") && strcmp(rel, "target"))
			return nx_loader_err(c, "script '%s': unknown relative-to '%s'", s->id, rel);
	}
	const char **words = NULL;
	size_t nwords = 0;
	if (cmd && cmd->type == NX_TOML_STRING) {
		size_t len = cmd->len;
		char *out = nx_loader_keep(c, malloc(len + len / 2 + 2));
		words = (const char **)nx_loader_keep(c, malloc((len / 2 + 1) * sizeof *words));
		if (!out || !words)
			return nx_loader_err(c, "out of memory");
		long n = nx_shell_split(cmd->str, out, len + len / 2 + 2, words, len / 2 + 1);
		if (n < 0)
			return nx_loader_err(c, "script '%s': cannot split command '%s'", s->id, cmd->str);
		nwords = (size_t)n;
	} else if (cmd && cmd->type == NX_TOML_ARRAY) {
		words = (const char **)nx_loader_keep(c, malloc((cmd->count + 1) * sizeof *words));
		if (!words)
			return nx_loader_err(c, "out of memory");
		for (const struct nx_toml *w = cmd->head; w; w = w->next) {
			if (w->type != NX_TOML_STRING)
				return nx_loader_err(c, "script '%s': command array must hold strings", s->id);
			words[nwords++] = w->str;
		}
	} else {
		return nx_loader_err(c, "script '%s': missing or invalid command", s->id);
	}
	if (!nwords)
		return nx_loader_err(c, "script '%s': empty command", s->id);
	s->program = words[0];
	s->args = words + 1;
	s->nargs = nwords - 1;
	if (rel && strcmp(rel, "none") && s->program[0] != '/') {
		char path[PATH_MAX * 2];
		if (!strcmp(rel, "workspace-root")) {
			snprintf(path, sizeof path, "%s/%s", c->workspace_root, s->program);
		} else {
			/* the target dir: CARGO_TARGET_DIR (relative to the workspace
			 * root) or cargo's default <workspace>/target */
			const char *td = nx_loader_env(L->envp, "CARGO_TARGET_DIR");
			if (td && td[0] == '/')
				snprintf(path, sizeof path, "%s/%s", td, s->program);
			else
				snprintf(path, sizeof path, "%s/%s/%s", c->workspace_root, td ? td : "target",
					 s->program);
		}
		s->program = nx_loader_kdup(c, path);
		if (!s->program)
			return nx_loader_err(c, "out of memory");
	}
	if (env) {
		if (env->type != NX_TOML_TABLE)
			return nx_loader_err(c, "script '%s': env must be a table", s->id);
		s->env = (const char **)nx_loader_keep(c, malloc((env->count + 1) * sizeof *s->env));
		if (!s->env)
			return nx_loader_err(c, "out of memory");
		for (const struct nx_toml *e = env->head; e; e = e->next) {
			if (e->type != NX_TOML_STRING)
				return nx_loader_err(c, "script '%s': env values must be strings", s->id);
			size_t n = strlen(e->key) + e->len + 2;
			char *kv = nx_loader_keep(c, malloc(n));
			if (!kv)
				return nx_loader_err(c, "out of memory");
			snprintf(kv, n, "%s=%s", e->key, e->str);
			s->env[s->nenv++] = kv;
		}
	}
	return 0;
}

static int decode_script(struct loader *L, const struct nx_toml *t, struct nx_script *s)
{
	struct nx_config *c = L->c;
	s->id = t->key;
	s->slow = (struct nx_slow_timeout){ NX_FAR_FUTURE_NS, 0, 10 * NX_NS_PER_SEC, 0 };
	s->leak = (struct nx_leak_timeout){ 100 * 1000000ull, 0 };	/* LeakTimeout::default() */
	if (t->type != NX_TOML_TABLE)
		return nx_loader_err(c, "script '%s': expected a table", s->id);
	if (decode_command(L, nx_toml_get(t, "command"), s))
		return -1;
	if (nx_decode_slow(c, nx_toml_get(t, "slow-timeout"), &s->slow) < 0 ||
	    nx_decode_leak(c, nx_toml_get(t, "leak-timeout"), &s->leak) < 0)
		return -1;
	const struct nx_toml *b;
	if ((b = nx_toml_get(t, "capture-stdout"))) {
		if (b->type != NX_TOML_BOOL)
			return nx_loader_err(c, "script '%s': capture-stdout must be a bool", s->id);
		s->capture_stdout = (int)b->i;
	}
	if ((b = nx_toml_get(t, "capture-stderr"))) {
		if (b->type != NX_TOML_BOOL)
			return nx_loader_err(c, "script '%s': capture-stderr must be a bool", s->id);
		s->capture_stderr = (int)b->i;
	}
	return 0;
}

/* `experimental = ["x", …]` or `[experimental] x = true`
 * (nextest-runner/src/config/core/nextest_version.rs). */
static int experimental_enabled(const struct nx_toml *root, const char *feature)
{
	const struct nx_toml *e = nx_toml_get(root, "experimental");
	if (!e)
		return 0;
	if (e->type == NX_TOML_TABLE) {
		const struct nx_toml *v = nx_toml_get(e, feature);
		return v && v->type == NX_TOML_BOOL && v->i;
	}
	if (e->type != NX_TOML_ARRAY)
		return 0;
	for (const struct nx_toml *x = e->head; x; x = x->next)
		if (x->type == NX_TOML_STRING && !strcmp(x->str, feature))
			return 1;
	return 0;
}

int nx_scripts_load(struct loader *L)
{
	struct nx_config *c = L->c;
	if (c->version < NX_VERSION(0, 9, 59))
		return 0;
	const struct nx_toml *newer = NULL;
	if (c->version >= NX_VERSION(0, 9, 98))
		newer = nx_toml_get(nx_toml_get(L->merged, "scripts"), "setup");
	const struct nx_toml *older = nx_toml_get(L->merged, "script");
	if (newer && newer->count && older && older->count)
		return nx_loader_err(c, "both [script.*] and [scripts.setup.*] are defined");
	const struct nx_toml *defs = newer && newer->count ? newer : older;
	if (!defs)
		return 0;
	if (defs->count && !experimental_enabled(L->merged, "setup-scripts"))
		return nx_loader_err(c, "setup scripts are experimental: add experimental = [\"setup-scripts\"]");
	if (defs->type != NX_TOML_TABLE)
		return nx_loader_err(c, "setup scripts: expected a table");
	c->scripts = calloc(defs->count ? defs->count : 1, sizeof *c->scripts);
	if (!c->scripts)
		return nx_loader_err(c, "out of memory");
	for (const struct nx_toml *t = defs->head; t; t = t->next) {
		if (decode_script(L, t, &c->scripts[c->nscripts]))
			return -1;
		c->nscripts++;
	}
	return 0;
}

static int find_script(const struct nx_config *c, const char *id)
{
	for (size_t i = 0; i < c->nscripts; i++)
		if (!strcmp(c->scripts[i].id, id))
			return (int)i;
	return -1;
}

static int add_gate(struct nx_config *c, const char *id, struct nx_filterset *f, int pok)
{
	int idx = find_script(c, id);
	if (idx < 0)
		return nx_loader_err(c, "profile scripts: unknown setup script '%s'", id);
	struct nx_script *s = &c->scripts[idx];
	struct nx_script_gate *g = realloc(s->gates, (s->ngates + 1) * sizeof *g);
	if (!g)
		return nx_loader_err(c, "out of memory");
	s->gates = g;
	g[s->ngates].filter = f;	/* each gate owns its own compiled filter */
	g[s->ngates].platform_ok = pok;
	s->ngates++;
	return 0;
}

int nx_scripts_add_profile_entry(struct loader *L, const struct nx_toml *e, void *arg)
{
	(void)arg;
	struct nx_config *c = L->c;
	if (e->type != NX_TOML_TABLE)
		return nx_loader_err(c, "profile scripts: expected a table");
	const struct nx_toml *f = nx_toml_get(e, "filter"), *pl = nx_toml_get(e, "platform");
	if (!f && !pl)
		return nx_loader_err(c, "profile scripts: at least one of platform and filter must be specified");
	int pok;
	if (nx_overrides_platform_ok(c, pl, &pok))
		return -1;
	const struct nx_toml *setup = nx_toml_get(e, "setup");
	if (!setup)
		return 0;	/* wrapper-only entry */
	const struct nx_toml *one = setup->type == NX_TOML_STRING ? setup : NULL;
	if (!one && setup->type != NX_TOML_ARRAY)
		return nx_loader_err(c, "profile scripts: setup must be a string or an array");
	for (const struct nx_toml *id = one ? one : setup->head; id; id = one ? NULL : id->next) {
		if (id->type != NX_TOML_STRING)
			return nx_loader_err(c, "profile scripts: setup ids must be strings");
		struct nx_filterset *fs;
		if (nx_overrides_compile_filter(c, f, "profile scripts", &fs))
			return -1;
		if (add_gate(c, id->str, fs, pok)) {
			nx_filterset_free(fs);
			return -1;
		}
	}
	return 0;
}
