/* profiles.c — profile inheritance and per-profile lookups (see loader.h):
 * the `inherits` chain down to profile.default, the first profile in the
 * chain that sets a key, and the array-of-tables entries of a profile in
 * every file. */
#include "loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

static const struct nx_toml *profile_table(const struct loader *L, const char *name)
{
	return nx_toml_get(nx_toml_get(L->merged, "profile"), name);
}

/* The custom profile, its inheritance chain, then profile.default. */
int nx_profiles_resolve_chain(struct loader *L, const char *name)
{
	struct nx_config *c = L->c;
	L->nchain = 0;
	L->default_profile = profile_table(L, "default");
	if (!L->default_profile)
		return nx_loader_err(c, "profile.default missing");
	if (strcmp(name, "default") != 0) {
		const struct nx_toml *p = profile_table(L, name);
		if (!p)
			return nx_loader_err(c, "profile '%s' not found", name);
		const char *cur = name;
		while (p && strcmp(cur, "default") != 0) {
			for (size_t i = 0; i < L->nchain; i++)
				if (L->chain[i] == p)
					return nx_loader_err(c, "profile '%s': inheritance cycle", name);
			if (L->nchain == MAX_INHERIT_DEPTH)
				return nx_loader_err(c, "profile '%s': inheritance too deep", name);
			L->chain[L->nchain++] = p;
			if (c->version < NX_VERSION(0, 9, 115))
				break;	/* `inherits` arrived in 0.9.115 */
			const struct nx_toml *inh = nx_toml_get(p, "inherits");
			if (!inh)
				break;
			if (inh->type != NX_TOML_STRING)
				return nx_loader_err(c, "profile '%s': inherits must be a string", cur);
			cur = inh->str;
			if (!strcmp(cur, "default"))
				break;
			p = profile_table(L, cur);
			if (!p)
				return nx_loader_err(c, "profile '%s' inherits from unknown profile '%s'", name, cur);
		}
	}
	L->chain[L->nchain++] = L->default_profile;
	return 0;
}

/* profile_field!: first profile in the chain that sets key (key2 nested). */
const struct nx_toml *nx_profiles_field(const struct loader *L, const char *key, const char *key2)
{
	for (size_t i = 0; i < L->nchain; i++) {
		const struct nx_toml *v = nx_toml_get(L->chain[i], key);
		if (key2)
			v = nx_toml_get(v, key2);
		if (!v)
			continue;
		/* an empty slow-timeout string means "unset" and falls through */
		if (v->type == NX_TOML_STRING && !v->str[0] && !strcmp(key2 ? key2 : key, "slow-timeout"))
			continue;
		return v;
	}
	return NULL;
}

const char *nx_profiles_string(struct loader *L, const char *key)
{
	const struct nx_toml *v = nx_profiles_field(L, key, NULL);
	if (v && v->type != NX_TOML_STRING) {
		nx_loader_err(L->c, "%s: expected a string", key);
		return NULL;
	}
	return v ? v->str : NULL;
}

/* Appends the entries of array key `arr` of profile `pname` in every file
 * (highest priority first) via fn. */
typedef int (*entry_fn)(struct loader *L, const struct nx_toml *entry, void *arg);

int nx_profiles_for_entries(struct loader *L, const char *pname, const char *arr, entry_fn fn, void *arg)
{
	for (size_t f = 0; f < L->nfiles; f++) {
		const struct nx_toml *p = nx_toml_get(nx_toml_get(L->files[f], "profile"), pname);
		const struct nx_toml *a = nx_toml_get(p, arr);
		if (!a)
			continue;
		if (a->type != NX_TOML_ARRAY)
			return nx_loader_err(L->c, "profile.%s.%s: expected an array of tables", pname, arr);
		for (const struct nx_toml *e = a->head; e; e = e->next)
			if (fn(L, e, arg))
				return -1;
	}
	return 0;
}
