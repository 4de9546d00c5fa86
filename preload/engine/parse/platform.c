/* platform.c — the cfg() parser and the host's triple (see platform.h). */
#include "platform.h"

#include <string.h>

#include "cursor.h"

#if defined(__x86_64__)
#define HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define HOST_ARCH "aarch64"
#elif defined(__riscv)
#define HOST_ARCH "riscv64gc"
#else
#define HOST_ARCH "unknown"
#endif
#if defined(__GLIBC__)
#define HOST_ENV "gnu"
#else
#define HOST_ENV "musl"
#endif
#define HOST_TRIPLE HOST_ARCH "-unknown-linux-" HOST_ENV

#define MAX_DEPTH 33	/* nesting levels of all() any() not() */
#define MAX_WORD 64

static void ws(struct nx_cursor *p)
{
	while (nx_cursor_peek(p) == ' ' || nx_cursor_peek(p) == '\t')
		p->pos++;
}

static int expect(struct nx_cursor *p, int c)
{
	ws(p);
	if (nx_cursor_peek(p) != c) {
		p->failed = 1;
		return -1;
	}
	p->pos++;
	return 0;
}

static int ident(struct nx_cursor *p, char *out, size_t cap)
{
	ws(p);
	size_t k = 0;
	while (nx_cursor_is_word(nx_cursor_peek(p))) {
		if (k + 1 >= cap) {
			p->failed = 1;
			return -1;
		}
		out[k++] = p->s[p->pos++];
	}
	out[k] = 0;
	if (!k)
		p->failed = 1;
	return k ? 0 : -1;
}

static int pred(const char *key, const char *val)
{
	static const char *const kv[][2] = {
		{ "target_os", "linux" }, { "target_family", "unix" },
		{ "target_arch", HOST_ARCH }, { "target_env", HOST_ENV },
		{ "target_vendor", "unknown" }, { "target_endian", "little" },
		{ "target_pointer_width", "64" },
	};
	if (!val)
		return !strcmp(key, "unix");
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		if (!strcmp(key, kv[i][0]))
			return !strcmp(val, kv[i][1]);
	return 0;
}

static int expr(struct nx_cursor *p);

/* all(…) / any(…): a comma-separated list, a trailing comma allowed. */
static int list(struct nx_cursor *p, int all)
{
	if (expect(p, '('))
		return 0;
	int acc = all;
	for (;;) {
		ws(p);
		if (nx_cursor_eat(p, ")"))
			return acc;
		int v = expr(p);
		if (p->failed)
			return 0;
		acc = all ? (acc && v) : (acc || v);
		ws(p);
		if (nx_cursor_eat(p, ","))
			continue;
		if (nx_cursor_peek(p) != ')') {
			p->failed = 1;
			return 0;
		}
	}
}

static int expr(struct nx_cursor *p)
{
	char id[MAX_WORD];
	if (++p->depth > MAX_DEPTH || ident(p, id, sizeof id)) {
		p->failed = 1;
		return 0;
	}
	int v;
	if (!strcmp(id, "all") || !strcmp(id, "any")) {
		v = list(p, id[1] == 'l');
	} else if (!strcmp(id, "not")) {
		v = 0;
		if (!expect(p, '(')) {
			v = !expr(p);
			expect(p, ')');
		}
	} else {
		ws(p);
		if (!nx_cursor_eat(p, "=")) {
			v = pred(id, NULL);
		} else {
			v = 0;
			if (!expect(p, '"')) {
				size_t start = p->pos;
				while (nx_cursor_peek(p) >= 0 && nx_cursor_peek(p) != '"')
					p->pos++;
				char val[MAX_WORD];
				if (nx_cursor_at_end(p) || p->pos - start >= sizeof val) {
					p->failed = 1;
				} else {
					memcpy(val, p->s + start, p->pos - start);
					val[p->pos - start] = 0;
					p->pos++;
					v = pred(id, val);
				}
			}
		}
	}
	p->depth--;
	return v;
}

int nx_platform_eval(const char *spec)
{
	if (!strncmp(spec, "cfg(", 4)) {
		struct nx_cursor p = { .s = spec, .n = strlen(spec), .pos = 4 };
		int v = expr(&p);
		if (p.failed || expect(&p, ')'))
			return -1;
		ws(&p);
		return nx_cursor_at_end(&p) ? v : -1;
	}
	for (const char *s = spec; *s; s++)
		if (!(nx_cursor_is_word((unsigned char)*s) || *s == '-' || *s == '.'))
			return -1;
	return !strcmp(spec, HOST_TRIPLE);
}
