/* overrides.c — [[profile.<p>.overrides]] compiled, [test-groups], and the
 * filter and platform of an entry (see loader.h). */
#include "loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filterset.h"
#include "platform.h"
#include "toml.h"

int nx_overrides_compile_filter(struct nx_config *c, const struct nx_toml *v, const char *what,
			  struct nx_filterset **out)
{
	*out = NULL;
	if (!v)
		return 0;
	if (v->type != NX_TOML_STRING)
		return nx_loader_err(c, "%s: filter must be a string", what);
	char msg[160];
	*out = nx_filterset_parse(v->str, msg, sizeof msg);
	if (!*out)
		return nx_loader_err(c, "%s: invalid filter '%s': %s", what, v->str, msg);
	return 0;
}

static const struct nx_test_group *find_group(const struct nx_config *c, const char *name)
{
	for (size_t i = 0; i < c->ngroups; i++)
		if (!strcmp(c->groups[i].name, name))
			return &c->groups[i];
	return NULL;
}

static int compile_override(struct nx_config *c, const struct nx_toml *t, struct nx_override *o)
{
	memset(o, 0, sizeof *o);
	if (t->type != NX_TOML_TABLE)
		return nx_loader_err(c, "overrides: expected a table");
	const struct nx_toml *f = nx_toml_get(t, "filter"), *pl = nx_toml_get(t, "platform");
	if (!f && !pl)
		return nx_loader_err(c, "override: at least one of platform and filter must be specified");
	if (f && nx_toml_get(t, "default-filter"))
		return nx_loader_err(c, "override: filter and default-filter both specified");
	if (nx_overrides_compile_filter(c, f, "override", &o->filter) || nx_overrides_platform_ok(c, pl, &o->platform_ok))
		return -1;
	int r;
	if ((r = nx_decode_retries(c, nx_toml_get(t, "retries"), &o->retries)) < 0)
		return -1;
	o->has_retries = r;
	if ((r = nx_decode_slow(c, nx_toml_get(t, "slow-timeout"), &o->slow)) < 0)
		return -1;
	o->has_slow = r;
	if ((r = nx_decode_slow(c, nx_toml_get(nx_toml_get(t, "bench"), "slow-timeout"), &o->bench_slow)) < 0)
		return -1;
	o->has_bench_slow = r;
	if ((r = nx_decode_leak(c, nx_toml_get(t, "leak-timeout"), &o->leak)) < 0)
		return -1;
	o->has_leak = r;
	if ((r = nx_decode_threads_required(c, nx_toml_get(t, "threads-required"), &o->threads_required)) < 0)
		return -1;
	o->has_threads = r;
	if ((r = nx_decode_flaky(c, nx_toml_get(t, "flaky-result"), &o->flaky_fail)) < 0)
		return -1;
	o->has_flaky = r;
	const struct nx_toml *pr = nx_toml_get(t, "priority");
	if (pr) {
		if (pr->type != NX_TOML_INT || pr->i < -100 || pr->i > 100)
			return nx_loader_err(c, "priority: expected an integer in -100..=100");
		o->has_priority = 1;
		o->priority = (int)pr->i;
	}
	const struct nx_toml *g = nx_toml_get(t, "test-group");
	if (g) {
		if (g->type != NX_TOML_STRING)
			return nx_loader_err(c, "test-group: expected a string");
		o->has_group = 1;
		if (strcmp(g->str, "@global") != 0) {
			const struct nx_test_group *tg = find_group(c, g->str);
			if (!tg)
				return nx_loader_err(c, "override: unknown test group '%s'", g->str);
			o->group = tg->name;
		}
	}
	return 0;
}

int nx_overrides_add(struct loader *L, const struct nx_toml *e, void *arg)
{
	(void)arg;
	struct nx_config *c = L->c;
	struct nx_override *n = realloc(c->overrides, (c->noverrides + 1) * sizeof *n);
	if (!n)
		return nx_loader_err(c, "out of memory");
	c->overrides = n;
	if (compile_override(c, e, &c->overrides[c->noverrides])) {
		nx_filterset_free(c->overrides[c->noverrides].filter);
		return -1;
	}
	c->noverrides++;
	return 0;
}

int nx_overrides_load_groups(struct loader *L)
{
	struct nx_config *c = L->c;
	const struct nx_toml *tg = nx_toml_get(L->merged, "test-groups");
	if (!tg)
		return 0;
	if (tg->type != NX_TOML_TABLE)
		return nx_loader_err(c, "test-groups: expected a table");
	c->groups = calloc(tg->count ? tg->count : 1, sizeof *c->groups);
	if (!c->groups)
		return nx_loader_err(c, "out of memory");
	for (const struct nx_toml *g = tg->head; g; g = g->next) {
		struct nx_test_group *out = &c->groups[c->ngroups];
		out->name = g->key;
		if (g->key[0] == '@' && strncmp(g->key, "@tool:", 6) != 0)
			return nx_loader_err(c, "test group '%s': names starting with @ are reserved", g->key);
		int r = nx_decode_threads(c, nx_toml_get(g, "max-threads"), "max-threads", &out->max_threads);
		if (r < 0)
			return -1;
		if (r == 0)
			return nx_loader_err(c, "test group '%s': missing max-threads", g->key);
		c->ngroups++;
	}
	return 0;
}

/* A `platform` value: string (target spec) or { host, target }. */
int nx_overrides_platform_ok(struct nx_config *c, const struct nx_toml *v, int *ok)
{
	*ok = 1;
	if (!v)
		return 0;
	const char *specs[2] = { NULL, NULL };
	if (v->type == NX_TOML_STRING) {
		specs[0] = v->str;
	} else if (v->type == NX_TOML_TABLE) {
		specs[0] = nx_toml_str(nx_toml_get(v, "host"));
		specs[1] = nx_toml_str(nx_toml_get(v, "target"));
		if ((nx_toml_get(v, "host") && !specs[0]) || (nx_toml_get(v, "target") && !specs[1]))
			return nx_loader_err(c, "platform host/target must be strings");
	} else {
		return nx_loader_err(c, "platform must be a string or a table");
	}
	for (int i = 0; i < 2; i++) {
		if (!specs[i])
			continue;
		int r = nx_platform_eval(specs[i]);
		if (r < 0)
			return nx_loader_err(c, "invalid platform spec '%s'", specs[i]);
		*ok = *ok && r;
	}
	return 0;
}
