/* shellwords.c — shell_words::split and ::join semantics (see shellwords.h).
 * Works on bytes: every special character is ASCII, so multi-byte UTF-8
 * passes through exactly as the crate's char-based state machine does. */
#include <string.h>

#include "shellwords.h"

enum state {
	DELIMITER,		/* between words */
	BACKSLASH,		/* after a backslash, before a word started */
	UNQUOTED,
	UNQUOTED_BACKSLASH,
	SINGLE_QUOTED,
	DOUBLE_QUOTED,
	DOUBLE_QUOTED_BACKSLASH,
	COMMENT,
};

struct out {
	char *p;
	size_t cap, len;
	const char **argv;
	size_t max, n;
	size_t word;		/* offset where the current word starts */
	int full;
};

static void push(struct out *o, char c)
{
	if (o->len + 1 >= o->cap) {	/* keep room for the word's NUL */
		o->full = 1;
		return;
	}
	o->p[o->len++] = c;
}

static void finish_word(struct out *o)
{
	if (o->full || o->len >= o->cap || o->n >= o->max) {
		o->full = 1;
		return;
	}
	o->p[o->len++] = '\0';
	o->argv[o->n++] = o->p + o->word;
	o->word = o->len;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

long nx_shell_split(const char *s, char *out, size_t cap, const char **argv, size_t max_args)
{
	struct out o = { out, cap, 0, argv, max_args, 0, 0, 0 };
	enum state st = DELIMITER;

	for (;; s++) {
		char c = *s;
		switch (st) {
		case DELIMITER:
			if (!c)
				goto done;
			if (c == '\'')
				st = SINGLE_QUOTED;
			else if (c == '"')
				st = DOUBLE_QUOTED;
			else if (c == '\\')
				st = BACKSLASH;
			else if (c == '#')
				st = COMMENT;
			else if (!is_blank(c)) {
				push(&o, c);
				st = UNQUOTED;
			}
			break;
		case BACKSLASH:
			if (!c) {
				push(&o, '\\');
				finish_word(&o);
				goto done;
			}
			if (c == '\n')
				st = DELIMITER;
			else {
				push(&o, c);
				st = UNQUOTED;
			}
			break;
		case UNQUOTED:
			if (!c) {
				finish_word(&o);
				goto done;
			}
			if (c == '\'')
				st = SINGLE_QUOTED;
			else if (c == '"')
				st = DOUBLE_QUOTED;
			else if (c == '\\')
				st = UNQUOTED_BACKSLASH;
			else if (is_blank(c)) {
				finish_word(&o);
				st = DELIMITER;
			} else
				push(&o, c);
			break;
		case UNQUOTED_BACKSLASH:
			if (!c) {
				push(&o, '\\');
				finish_word(&o);
				goto done;
			}
			if (c != '\n')
				push(&o, c);
			st = UNQUOTED;
			break;
		case SINGLE_QUOTED:
			if (!c)
				return NX_SHELL_ESYNTAX;
			if (c == '\'')
				st = UNQUOTED;
			else
				push(&o, c);
			break;
		case DOUBLE_QUOTED:
			if (!c)
				return NX_SHELL_ESYNTAX;
			if (c == '"')
				st = UNQUOTED;
			else if (c == '\\')
				st = DOUBLE_QUOTED_BACKSLASH;
			else
				push(&o, c);
			break;
		case DOUBLE_QUOTED_BACKSLASH:
			if (!c)
				return NX_SHELL_ESYNTAX;
			if (c != '\n') {
				if (c != '$' && c != '`' && c != '"' && c != '\\')
					push(&o, '\\');
				push(&o, c);
			}
			st = DOUBLE_QUOTED;
			break;
		case COMMENT:
			if (!c)
				goto done;
			if (c == '\n')
				st = DELIMITER;
			break;
		}
	}
done:
	return o.full ? NX_SHELL_ENOSPC : (long)o.n;
}

/* ---- join ---- */

static int needs_quotes(const char *w)
{
	if (!*w)
		return 1;
	for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
		if (strchr("|&;<>()$`\\\" \t*?[#=%\n'", *p))
			return 1;
		if (p[0] == 0xcb && p[1] == 0x9c)	/* U+02DC SMALL TILDE */
			return 1;
	}
	return 0;
}

static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, (*len)++)
		if (*len + 1 < cap)
			out[*len] = s[i];
}

size_t nx_shell_join(const char *const *words, size_t n, char *out, size_t cap)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		const char *w = words[i] ? words[i] : "";
		if (i)
			put(out, cap, &len, " ", 1);
		if (!needs_quotes(w)) {
			put(out, cap, &len, w, strlen(w));
			continue;
		}
		put(out, cap, &len, "'", 1);
		for (; *w; w++) {
			if (*w == '\'')
				put(out, cap, &len, "'\\''", 4);
			else
				put(out, cap, &len, w, 1);
		}
		put(out, cap, &len, "'", 1);
	}
	if (cap)
		out[len < cap ? len : cap - 1] = '\0';
	return len;
}
