/* loader.c — the loader's bookkeeping (see loader.h): the first error,
 * strings and trees kept until nx_config_free, environment lookups. */
#include "loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "toml.h"

int nx_loader_err(struct nx_config *c, const char *fmt, ...)
{
	if (c->error[0])
		return -1;	/* keep the first message */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);
	return -1;
}

char *nx_loader_keep(struct nx_config *c, char *s)
{
	if (!s)
		return NULL;
	if (c->nstrings == c->capstrings) {
		size_t cap = c->capstrings ? c->capstrings * 2 : 16;
		char **n = realloc(c->strings, cap * sizeof *n);
		if (!n) {
			free(s);
			return NULL;
		}
		c->strings = n;
		c->capstrings = cap;
	}
	c->strings[c->nstrings++] = s;
	return s;
}

char *nx_loader_kdup(struct nx_config *c, const char *s)
{
	return s ? nx_loader_keep(c, strdup(s)) : NULL;
}

int nx_loader_keep_tree(struct nx_config *c, struct nx_toml *t)
{
	struct nx_toml **n = realloc(c->trees, (c->ntrees + 1) * sizeof *n);
	if (!n) {
		nx_toml_free(t);
		return -1;
	}
	c->trees = n;
	c->trees[c->ntrees++] = t;
	return 0;
}

const char *nx_loader_env(char **envp, const char *name)
{
	if (!envp)
		return NULL;
	size_t n = strlen(name);
	for (char **e = envp; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return (*e)[n + 1] ? *e + n + 1 : NULL;	/* clap: empty = unset */
	return NULL;
}

/* clap's BoolishValueParser. */
int nx_loader_boolish(const char *s, int *out)
{
	static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" };
	static const char *const no[] = { "n", "no", "f", "false", "off", "0" };
	for (size_t i = 0; i < 6; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}
