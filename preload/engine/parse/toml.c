/* toml.c — the bounded TOML parser, lookup and merge (see toml.h).
 *
 * Owns: a recursive-descent parser over the shared cursor (cursor.h; strings
 * are built in buf.h's buffer) with explicit bounds on input size, value
 * count and nesting depth.  Every failure path frees what was built and
 * returns NULL with a line-numbered message.
 */
#include "toml.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "utf8.h"

/* ---- nodes ---- */

static struct nx_toml *node_new(struct nx_cursor *p, enum nx_toml_type type)
{
	if (p && ++p->nodes > NX_TOML_MAX_NODES) {
		nx_cursor_fail(p, "too many values");
		return NULL;
	}
	struct nx_toml *t = calloc(1, sizeof *t);
	if (!t) {
		if (p)
			nx_cursor_fail(p, "out of memory");
		return NULL;
	}
	t->type = type;
	return t;
}

void nx_toml_free(struct nx_toml *t)
{
	while (t) {
		struct nx_toml *next = t->next;
		nx_toml_free(t->head);
		free(t->key);
		free(t->str);
		free(t);
		t = next;
	}
}

static void append(struct nx_toml *parent, struct nx_toml *child)
{
	child->next = NULL;
	if (parent->tail)
		parent->tail->next = child;
	else
		parent->head = child;
	parent->tail = child;
	parent->count++;
}

static struct nx_toml *find(const struct nx_toml *t, const char *key, size_t klen)
{
	for (struct nx_toml *c = t->head; c; c = c->next)
		if (c->key && strlen(c->key) == klen && memcmp(c->key, key, klen) == 0)
			return c;
	return NULL;
}

const struct nx_toml *nx_toml_get(const struct nx_toml *t, const char *key)
{
	if (!t || t->type != NX_TOML_TABLE || !key)
		return NULL;
	return find(t, key, strlen(key));
}

const struct nx_toml *nx_toml_at(const struct nx_toml *t, size_t i)
{
	if (!t || (t->type != NX_TOML_ARRAY && t->type != NX_TOML_TABLE))
		return NULL;
	const struct nx_toml *c = t->head;
	while (c && i--)
		c = c->next;
	return c;
}

const char *nx_toml_str(const struct nx_toml *v)
{
	return v && v->type == NX_TOML_STRING ? v->str : NULL;
}

/* ---- strings and keys are built in an nx_buf ---- */

static int buf_put(struct nx_cursor *p, struct nx_buf *b, const char *s, size_t n)
{
	if (nx_buf_put(b, s, n)) {
		nx_cursor_fail(p, "out of memory");
		return -1;
	}
	return 0;
}

static int buf_utf8(struct nx_cursor *p, struct nx_buf *b, unsigned long cp)
{
	char o[4];
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		nx_cursor_fail(p, "invalid unicode escape");
		return -1;
	}
	return buf_put(p, b, o, nx_utf8_encode((uint32_t)cp, o));
}

/* The buffer's text, trimmed to its length (kept in the tree). */
static char *buf_take(struct nx_buf *b)
{
	char *s = realloc(b->p, b->len + 1);
	return s ? s : b->p;
}

/* ---- lexing helpers ---- */

static void skip_ws(struct nx_cursor *p)
{
	while (nx_cursor_peek(p) == ' ' || nx_cursor_peek(p) == '\t')
		p->pos++;
}

static int at_newline(const struct nx_cursor *p)
{
	return nx_cursor_peek(p) == '\n' || (nx_cursor_peek(p) == '\r' && nx_cursor_peek_at(p, 1) == '\n');
}

static void eat_newline(struct nx_cursor *p)
{
	if (nx_cursor_peek(p) == '\r')
		p->pos++;
	if (nx_cursor_peek(p) == '\n') {
		p->pos++;
		p->line++;
	}
}

/* A comment runs to the end of the line; control characters are invalid. */
static int skip_comment(struct nx_cursor *p)
{
	if (nx_cursor_peek(p) != '#')
		return 0;
	while (p->pos < p->n && !at_newline(p)) {
		int c = nx_cursor_peek(p);
		if ((c < 0x20 && c != '\t') || c == 0x7F) {
			nx_cursor_fail(p, "control character in comment");
			return -1;
		}
		p->pos++;
	}
	return 0;
}

/* Whitespace, newlines and comments (inside arrays). */
static int skip_ws_nl(struct nx_cursor *p)
{
	for (;;) {
		skip_ws(p);
		if (nx_cursor_peek(p) == '#') {
			if (skip_comment(p))
				return -1;
			continue;
		}
		if (at_newline(p)) {
			eat_newline(p);
			continue;
		}
		return 0;
	}
}

/* ---- strings ---- */

static int parse_escape(struct nx_cursor *p, struct nx_buf *b)
{
	int c = nx_cursor_peek(p);
	p->pos++;
	const char *rep = NULL;
	switch (c) {
	case 'b': rep = "\b"; break;
	case 't': rep = "\t"; break;
	case 'n': rep = "\n"; break;
	case 'f': rep = "\f"; break;
	case 'r': rep = "\r"; break;
	case 'e': rep = "\x1b"; break;
	case '"': rep = "\""; break;
	case '\\': rep = "\\"; break;
	case 'u':
	case 'U': {
		int digits = c == 'u' ? 4 : 8;
		unsigned long cp = 0;
		for (int i = 0; i < digits; i++) {
			int h = nx_cursor_hexval(nx_cursor_peek(p));
			if (h < 0) {
				nx_cursor_fail(p, "bad unicode escape");
				return -1;
			}
			cp = cp * 16 + (unsigned long)h;
			p->pos++;
		}
		return buf_utf8(p, b, cp);
	}
	default:
		nx_cursor_fail(p, "invalid escape");
		return -1;
	}
	return buf_put(p, b, rep, 1);
}

/* Checks one raw byte of string content; tab is the only control allowed. */
static int content_ok(struct nx_cursor *p, int c, int multiline)
{
	if (c < 0) {
		nx_cursor_fail(p, "unterminated string");
		return 0;
	}
	if ((c < 0x20 && c != '\t' && !(multiline && (c == '\n' || c == '\r'))) || c == 0x7F) {
		nx_cursor_fail(p, "control character in string");
		return 0;
	}
	return 1;
}

/* Parses a string of any of the four kinds at p->pos into a fresh buffer. */
static char *parse_string(struct nx_cursor *p, size_t *out_len, int allow_multi)
{
	struct nx_buf b = NX_BUF_INIT;
	int q = nx_cursor_peek(p);
	int literal = q == '\'';
	int multi = allow_multi && (literal ? nx_cursor_starts(p, "'''") : nx_cursor_starts(p, "\"\"\""));
	if (buf_put(p, &b, "", 0))
		return NULL;
	if (multi) {
		p->pos += 3;
		if (at_newline(p))
			eat_newline(p);	/* a newline right after the opener is trimmed */
		for (;;) {
			if (p->pos >= p->n) {
				nx_cursor_fail(p, "unterminated string");
				goto bad;
			}
			if (nx_cursor_peek(p) == q && nx_cursor_peek_at(p, 1) == q && nx_cursor_peek_at(p, 2) == q) {
				/* up to two extra quotes belong to the content */
				int extra = 0;
				while (extra < 2 && nx_cursor_peek_at(p, 3 + (size_t)extra) == q)
					extra++;
				char qs[2] = { (char)q, (char)q };
				if (extra && buf_put(p, &b, qs, (size_t)extra))
					goto bad;
				p->pos += 3 + (size_t)extra;
				break;
			}
			int c = nx_cursor_peek(p);
			if (!literal && c == '\\') {
				p->pos++;
				/* line-ending backslash: trim whitespace and newlines */
				size_t save = p->pos;
				skip_ws(p);
				if (at_newline(p)) {
					while (nx_cursor_peek(p) == ' ' || nx_cursor_peek(p) == '\t' || at_newline(p)) {
						if (at_newline(p))
							eat_newline(p);
						else
							p->pos++;
					}
					continue;
				}
				p->pos = save;
				if (parse_escape(p, &b))
					goto bad;
				continue;
			}
			if (!content_ok(p, c, 1))
				goto bad;
			if (c == '\r' && nx_cursor_peek_at(p, 1) != '\n') {
				nx_cursor_fail(p, "bare carriage return in string");
				goto bad;
			}
			if (c == '\n')
				p->line++;
			char ch = (char)c;
			if (buf_put(p, &b, &ch, 1))
				goto bad;
			p->pos++;
		}
	} else {
		p->pos++;
		for (;;) {
			int c = nx_cursor_peek(p);
			if (c == q) {
				p->pos++;
				break;
			}
			if (c == '\n' || c == '\r') {
				nx_cursor_fail(p, "newline in string");
				goto bad;
			}
			if (!literal && c == '\\') {
				p->pos++;
				if (parse_escape(p, &b))
					goto bad;
				continue;
			}
			if (!content_ok(p, c, 0))
				goto bad;
			char ch = (char)c;
			if (buf_put(p, &b, &ch, 1))
				goto bad;
			p->pos++;
		}
	}
	*out_len = b.len;
	return buf_take(&b);
bad:
	nx_buf_free(&b);
	return NULL;
}

/* ---- keys ---- */

#define MAX_KEY_PARTS 32

struct key {
	char *part[MAX_KEY_PARTS];
	size_t len[MAX_KEY_PARTS];
	int n;
};

static void key_free(struct key *k)
{
	for (int i = 0; i < k->n; i++)
		free(k->part[i]);
	k->n = 0;
}

static int is_bare(int c)
{
	return nx_cursor_is_word(c) || c == '-';
}

static int parse_key(struct nx_cursor *p, struct key *k)
{
	k->n = 0;
	for (;;) {
		skip_ws(p);
		if (k->n == MAX_KEY_PARTS) {
			nx_cursor_fail(p, "key has too many parts");
			goto bad;
		}
		int c = nx_cursor_peek(p);
		char *part;
		size_t len;
		if (c == '"' || c == '\'') {
			part = parse_string(p, &len, 0);
			if (!part)
				goto bad;
		} else if (is_bare(c)) {
			size_t start = p->pos;
			while (is_bare(nx_cursor_peek(p)))
				p->pos++;
			len = p->pos - start;
			part = malloc(len + 1);
			if (!part) {
				nx_cursor_fail(p, "out of memory");
				goto bad;
			}
			memcpy(part, p->s + start, len);
			part[len] = 0;
		} else {
			nx_cursor_fail(p, "expected a key");
			goto bad;
		}
		if (strlen(part) != len) {
			free(part);
			nx_cursor_fail(p, "NUL in key");
			goto bad;
		}
		k->part[k->n] = part;
		k->len[k->n] = len;
		k->n++;
		skip_ws(p);
		if (nx_cursor_peek(p) != '.')
			return 0;
		p->pos++;
	}
bad:
	key_free(k);
	return -1;
}

/* ---- values ---- */

static struct nx_toml *parse_value(struct nx_cursor *p);

/* Copies the token of number/date characters into tok (bounded). */
static size_t scan_token(struct nx_cursor *p, char *tok, size_t cap)
{
	size_t k = 0;
	for (;;) {
		int c = nx_cursor_peek(p);
		int ok = nx_cursor_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 c == '_' || c == '+' || c == '-' || c == '.' || c == ':';
		/* a space inside a date-time ("1979-05-27 07:32:00") */
		if (c == ' ' && k == 10 && tok[4] == '-' && nx_cursor_is_digit(nx_cursor_peek_at(p, 1)))
			ok = 1;
		if (!ok)
			break;
		if (k + 1 >= cap)
			return 0;
		tok[k++] = (char)c;
		p->pos++;
	}
	tok[k] = 0;
	return k;
}

/* Validates TOML's underscore rule and strips underscores into out. */
static int strip_underscores(const char *in, char *out, int (*digit_ok)(int))
{
	size_t k = 0;
	int prev_digit = 0;
	for (const char *s = in; *s; s++) {
		if (*s == '_') {
			if (!prev_digit || !digit_ok((unsigned char)s[1]))
				return -1;
			prev_digit = 0;
			continue;
		}
		out[k++] = *s;
		prev_digit = digit_ok((unsigned char)*s);
	}
	out[k] = 0;
	return 0;
}

static int hex_ok(int c) { return nx_cursor_hexval(c) >= 0; }
static int oct_ok(int c) { return c >= '0' && c <= '7'; }
static int bin_ok(int c) { return c == '0' || c == '1'; }

static int looks_like_datetime(const char *t)
{
	/* 1979-05-27…  or  07:32:00… */
	return (strlen(t) >= 10 && nx_cursor_is_digit(t[0]) && nx_cursor_is_digit(t[1]) && nx_cursor_is_digit(t[2]) &&
		nx_cursor_is_digit(t[3]) && t[4] == '-') ||
	       (strlen(t) >= 8 && nx_cursor_is_digit(t[0]) && nx_cursor_is_digit(t[1]) && t[2] == ':');
}

static struct nx_toml *parse_scalar(struct nx_cursor *p)
{
	char tok[128], clean[128];
	size_t k = scan_token(p, tok, sizeof tok);
	if (!k) {
		nx_cursor_fail(p, "expected a value");
		return NULL;
	}
	if (!strcmp(tok, "true") || !strcmp(tok, "false")) {
		struct nx_toml *v = node_new(p, NX_TOML_BOOL);
		if (v)
			v->i = tok[0] == 't';
		return v;
	}
	const char *body = tok;
	int neg = 0;
	if (*body == '+' || *body == '-') {
		neg = *body == '-';
		body++;
	}
	if (!strcmp(body, "inf") || !strcmp(body, "nan")) {
		struct nx_toml *v = node_new(p, NX_TOML_FLOAT);
		if (v)
			v->f = body[0] == 'i' ? (neg ? -INFINITY : INFINITY) : NAN;
		return v;
	}
	if (looks_like_datetime(tok)) {
		for (const char *s = tok; *s; s++)
			if (!(nx_cursor_is_digit(*s) || strchr("-:.TtZz+ ", *s))) {
				nx_cursor_fail(p, "invalid date-time");
				return NULL;
			}
		struct nx_toml *v = node_new(p, NX_TOML_DATETIME);
		if (!v)
			return NULL;
		v->str = strdup(tok);
		v->len = k;
		if (!v->str) {
			free(v);
			nx_cursor_fail(p, "out of memory");
			return NULL;
		}
		return v;
	}
	if (body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b')) {
		if (body != tok) {
			nx_cursor_fail(p, "sign on a prefixed integer");
			return NULL;
		}
		int base = body[1] == 'x' ? 16 : body[1] == 'o' ? 8 : 2;
		int (*ok)(int) = base == 16 ? hex_ok : base == 8 ? oct_ok : bin_ok;
		if (!body[2] || strip_underscores(body + 2, clean, ok)) {
			nx_cursor_fail(p, "invalid integer");
			return NULL;
		}
		for (const char *s = clean; *s; s++)
			if (!ok((unsigned char)*s)) {
				nx_cursor_fail(p, "invalid integer");
				return NULL;
			}
		errno = 0;
		unsigned long long u = strtoull(clean, NULL, base);
		if (errno || u > (unsigned long long)__LONG_LONG_MAX__) {
			nx_cursor_fail(p, "integer out of range");
			return NULL;
		}
		struct nx_toml *v = node_new(p, NX_TOML_INT);
		if (v)
			v->i = (long long)u;
		return v;
	}
	if (!nx_cursor_is_digit(body[0]) || strip_underscores(tok, clean, nx_cursor_is_digit)) {
		nx_cursor_fail(p, "invalid value '%s'", tok);
		return NULL;
	}
	const char *cb = clean + (clean[0] == '+' || clean[0] == '-');
	if (cb[0] == '0' && nx_cursor_is_digit(cb[1])) {
		nx_cursor_fail(p, "leading zero");
		return NULL;
	}
	int is_float = 0;
	for (const char *s = cb; *s; s++) {
		if (*s == '.' || *s == 'e' || *s == 'E') {
			is_float = 1;
		} else if (!nx_cursor_is_digit(*s) && !((*s == '+' || *s == '-') && (s[-1] == 'e' || s[-1] == 'E'))) {
			nx_cursor_fail(p, "invalid number '%s'", tok);
			return NULL;
		}
	}
	if (is_float) {
		const char *dot = strchr(cb, '.');
		if (dot && (!nx_cursor_is_digit(dot[1]) || dot == cb)) {
			nx_cursor_fail(p, "invalid float");
			return NULL;
		}
		char *end;
		errno = 0;
		double d = strtod(clean, &end);
		if (*end || errno == ERANGE) {
			nx_cursor_fail(p, "invalid float");
			return NULL;
		}
		struct nx_toml *v = node_new(p, NX_TOML_FLOAT);
		if (v)
			v->f = d;
		return v;
	}
	char *end;
	errno = 0;
	long long ll = strtoll(clean, &end, 10);
	if (*end || errno == ERANGE) {
		nx_cursor_fail(p, "integer out of range");
		return NULL;
	}
	struct nx_toml *v = node_new(p, NX_TOML_INT);
	if (v)
		v->i = ll;
	return v;
}

/* Finds or creates the table for the dotted-key prefix of k inside t (the
 * last part is left for the caller). */
static struct nx_toml *descend_dotted(struct nx_cursor *p, struct nx_toml *t, const struct key *k)
{
	for (int i = 0; i < k->n - 1; i++) {
		struct nx_toml *c = find(t, k->part[i], k->len[i]);
		if (!c) {
			c = node_new(p, NX_TOML_TABLE);
			if (!c)
				return NULL;
			c->key = strdup(k->part[i]);
			if (!c->key) {
				free(c);
				nx_cursor_fail(p, "out of memory");
				return NULL;
			}
			c->flags = NX_TOML_F_DOTTED;
			append(t, c);
		} else if (c->type != NX_TOML_TABLE || (c->flags & NX_TOML_F_INLINE) ||
			   (c->flags & NX_TOML_F_DEFINED)) {
			nx_cursor_fail(p, "cannot extend '%s' with a dotted key", k->part[i]);
			return NULL;
		}
		t = c;
	}
	return t;
}

/* key = value into t; the value is parsed here. */
static int parse_keyval(struct nx_cursor *p, struct nx_toml *t)
{
	struct key k;
	if (parse_key(p, &k))
		return -1;
	int rc = -1;
	skip_ws(p);
	if (nx_cursor_peek(p) != '=') {
		nx_cursor_fail(p, "expected '='");
		goto out;
	}
	p->pos++;
	skip_ws(p);
	struct nx_toml *dst = descend_dotted(p, t, &k);
	if (!dst)
		goto out;
	const char *last = k.part[k.n - 1];
	if (find(dst, last, k.len[k.n - 1])) {
		nx_cursor_fail(p, "duplicate key '%s'", last);
		goto out;
	}
	struct nx_toml *v = parse_value(p);
	if (!v)
		goto out;
	v->key = strdup(last);
	if (!v->key) {
		nx_toml_free(v);
		nx_cursor_fail(p, "out of memory");
		goto out;
	}
	append(dst, v);
	rc = 0;
out:
	key_free(&k);
	return rc;
}

static struct nx_toml *parse_array(struct nx_cursor *p)
{
	struct nx_toml *a = node_new(p, NX_TOML_ARRAY);
	if (!a)
		return NULL;
	a->flags = NX_TOML_F_INLINE;
	p->pos++;	/* '[' */
	for (;;) {
		if (skip_ws_nl(p))
			goto bad;
		if (nx_cursor_peek(p) == ']') {
			p->pos++;
			return a;
		}
		struct nx_toml *v = parse_value(p);
		if (!v)
			goto bad;
		append(a, v);
		if (skip_ws_nl(p))
			goto bad;
		if (nx_cursor_peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (nx_cursor_peek(p) == ']') {
			p->pos++;
			return a;
		}
		nx_cursor_fail(p, "expected ',' or ']' in array");
		goto bad;
	}
bad:
	nx_toml_free(a);
	return NULL;
}

static struct nx_toml *parse_inline_table(struct nx_cursor *p)
{
	struct nx_toml *t = node_new(p, NX_TOML_TABLE);
	if (!t)
		return NULL;
	p->pos++;	/* '{' */
	skip_ws(p);
	if (nx_cursor_peek(p) == '}') {
		p->pos++;
		t->flags = NX_TOML_F_INLINE;
		return t;
	}
	for (;;) {
		skip_ws(p);
		if (parse_keyval(p, t))
			goto bad;
		skip_ws(p);
		if (nx_cursor_peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (nx_cursor_peek(p) == '}') {
			p->pos++;
			break;
		}
		nx_cursor_fail(p, "expected ',' or '}' in inline table");
		goto bad;
	}
	/* freeze the table and every table inside it made by dotted keys */
	t->flags = NX_TOML_F_INLINE;
	for (struct nx_toml *c = t->head; c; c = c->next)
		if (c->type == NX_TOML_TABLE)
			c->flags |= NX_TOML_F_INLINE;
	return t;
bad:
	nx_toml_free(t);
	return NULL;
}

static struct nx_toml *parse_value(struct nx_cursor *p)
{
	if (++p->depth > NX_TOML_MAX_DEPTH) {
		nx_cursor_fail(p, "nesting too deep");
		p->depth--;
		return NULL;
	}
	struct nx_toml *v = NULL;
	int c = nx_cursor_peek(p);
	if (c == '"' || c == '\'') {
		size_t len;
		char *s = parse_string(p, &len, 1);
		if (s) {
			if (strlen(s) != len) {
				nx_cursor_fail(p, "NUL in string");
				free(s);
			} else if ((v = node_new(p, NX_TOML_STRING))) {
				v->str = s;
				v->len = len;
			} else {
				free(s);
			}
		}
	} else if (c == '[') {
		v = parse_array(p);
	} else if (c == '{') {
		v = parse_inline_table(p);
	} else {
		v = parse_scalar(p);
	}
	p->depth--;
	return v;
}

/* ---- table headers ---- */

static struct nx_toml *new_table_named(struct nx_cursor *p, const char *name)
{
	struct nx_toml *t = node_new(p, NX_TOML_TABLE);
	if (!t)
		return NULL;
	t->key = strdup(name);
	if (!t->key) {
		free(t);
		nx_cursor_fail(p, "out of memory");
		return NULL;
	}
	return t;
}

/* Walks the header path's prefix from root, creating implicit tables and
 * stepping into the last element of arrays of tables. */
static struct nx_toml *header_parent(struct nx_cursor *p, struct nx_toml *root, const struct key *k)
{
	struct nx_toml *t = root;
	for (int i = 0; i < k->n - 1; i++) {
		struct nx_toml *c = find(t, k->part[i], k->len[i]);
		if (!c) {
			c = new_table_named(p, k->part[i]);
			if (!c)
				return NULL;
			append(t, c);
		} else if (c->type == NX_TOML_ARRAY && (c->flags & NX_TOML_F_AOT) && c->tail) {
			c = c->tail;
		} else if (c->type != NX_TOML_TABLE || (c->flags & NX_TOML_F_INLINE)) {
			nx_cursor_fail(p, "'%s' is not a table", k->part[i]);
			return NULL;
		}
		t = c;
	}
	return t;
}

static struct nx_toml *parse_header(struct nx_cursor *p, struct nx_toml *root)
{
	int aot = nx_cursor_starts(p, "[[");
	p->pos += aot ? 2 : 1;
	struct key k;
	if (parse_key(p, &k))
		return NULL;
	struct nx_toml *res = NULL;
	if (aot ? !nx_cursor_starts(p, "]]") : nx_cursor_peek(p) != ']') {
		nx_cursor_fail(p, "unterminated table header");
		goto out;
	}
	p->pos += aot ? 2 : 1;
	struct nx_toml *parent = header_parent(p, root, &k);
	if (!parent)
		goto out;
	const char *last = k.part[k.n - 1];
	struct nx_toml *c = find(parent, last, k.len[k.n - 1]);
	if (aot) {
		if (!c) {
			c = node_new(p, NX_TOML_ARRAY);
			if (!c)
				goto out;
			c->key = strdup(last);
			if (!c->key) {
				free(c);
				nx_cursor_fail(p, "out of memory");
				goto out;
			}
			c->flags = NX_TOML_F_AOT;
			append(parent, c);
		} else if (c->type != NX_TOML_ARRAY || !(c->flags & NX_TOML_F_AOT)) {
			nx_cursor_fail(p, "'%s' is not an array of tables", last);
			goto out;
		}
		struct nx_toml *t = node_new(p, NX_TOML_TABLE);
		if (!t)
			goto out;
		t->flags = NX_TOML_F_DEFINED;
		append(c, t);
		res = t;
	} else {
		if (!c) {
			c = new_table_named(p, last);
			if (!c)
				goto out;
			append(parent, c);
		} else if (c->type != NX_TOML_TABLE ||
			   (c->flags & (NX_TOML_F_DEFINED | NX_TOML_F_DOTTED | NX_TOML_F_INLINE))) {
			nx_cursor_fail(p, "table '%s' defined twice", last);
			goto out;
		}
		c->flags |= NX_TOML_F_DEFINED;
		res = c;
	}
out:
	key_free(&k);
	return res;
}

/* After a header or key/value: only whitespace, a comment, a newline. */
static int end_of_line(struct nx_cursor *p)
{
	skip_ws(p);
	if (skip_comment(p))
		return -1;
	if (p->pos >= p->n)
		return 0;
	if (!at_newline(p)) {
		nx_cursor_fail(p, "unexpected text after value");
		return -1;
	}
	eat_newline(p);
	return 0;
}

struct nx_toml *nx_toml_parse(const char *text, size_t len, char *err, size_t errcap)
{
	struct nx_cursor p = { .s = text, .n = len, .line = 1, .err = err, .errcap = errcap };
	if (err && errcap)
		err[0] = 0;
	if (!text || len > NX_TOML_MAX_INPUT) {
		nx_cursor_fail(&p, "input too large");
		return NULL;
	}
	if (memchr(text, 0, len)) {
		nx_cursor_fail(&p, "NUL byte in input");
		return NULL;
	}
	/* a UTF-8 byte-order mark is allowed */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p.pos = 3;
	struct nx_toml *root = node_new(&p, NX_TOML_TABLE);
	if (!root)
		return NULL;
	struct nx_toml *cur = root;
	while (p.pos < p.n && !p.failed) {
		skip_ws(&p);
		int c = nx_cursor_peek(&p);
		if (c < 0)
			break;
		if (c == '#') {
			if (skip_comment(&p))
				break;
			continue;
		}
		if (at_newline(&p)) {
			eat_newline(&p);
			continue;
		}
		if (c == '[') {
			cur = parse_header(&p, root);
			if (!cur)
				break;
		} else if (parse_keyval(&p, cur)) {
			break;
		}
		if (end_of_line(&p))
			break;
	}
	if (p.failed) {
		nx_toml_free(root);
		return NULL;
	}
	return root;
}

/* ---- clone and merge ---- */

struct nx_toml *nx_toml_clone(const struct nx_toml *t)
{
	struct nx_toml *c = node_new(NULL, t->type);
	if (!c)
		return NULL;
	c->i = t->i;
	c->f = t->f;
	c->len = t->len;
	c->flags = t->flags;
	if ((t->key && !(c->key = strdup(t->key))) || (t->str && !(c->str = strdup(t->str)))) {
		nx_toml_free(c);
		return NULL;
	}
	for (const struct nx_toml *k = t->head; k; k = k->next) {
		struct nx_toml *kc = nx_toml_clone(k);
		if (!kc) {
			nx_toml_free(c);
			return NULL;
		}
		append(c, kc);
	}
	return c;
}

int nx_toml_merge(struct nx_toml *dst, const struct nx_toml *src)
{
	if (!dst || !src || dst->type != NX_TOML_TABLE || src->type != NX_TOML_TABLE)
		return -1;
	for (const struct nx_toml *s = src->head; s; s = s->next) {
		struct nx_toml *d = find(dst, s->key, strlen(s->key));
		if (d && d->type == NX_TOML_TABLE && s->type == NX_TOML_TABLE) {
			if (nx_toml_merge(d, s))
				return -1;
			continue;
		}
		struct nx_toml *c = nx_toml_clone(s);
		if (!c)
			return -1;
		if (!d) {
			append(dst, c);
			continue;
		}
		/* replace d in place, keeping its position */
		struct nx_toml *keep_next = d->next;
		nx_toml_free(d->head);
		free(d->key);
		free(d->str);
		*d = *c;
		d->next = keep_next;
		free(c);
	}
	return 0;
}
