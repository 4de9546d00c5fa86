/* filterset.c — parsing and evaluating nextest filtersets (see filterset.h).
 *
 * Owns: a recursive-descent parser mirroring nextest-filtering's grammar
 * (parse_expr → parse_and_or_difference_expr → parse_basic_expr), the
 * matchers (equal, contains, glob in glob.c, regex in rustregex.c) and
 * evaluation, over the shared cursor of cursor.h.  The first error ends
 * parsing (nextest reports every error; either way the expression is
 * rejected).
 */
#include "filterset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "glob.h"
#include "rustregex.h"
#include "utf8.h"

enum node_type { N_ALL, N_NONE, N_DEFAULT, N_LEAF, N_NOT, N_AND, N_OR, N_DIFF };
enum pred { P_PACKAGE, P_DEPS, P_RDEPS, P_KIND, P_BINARY, P_BINARY_ID, P_TEST, P_GROUP, P_PLATFORM };
enum matcher { M_EQUAL, M_CONTAINS, M_GLOB, M_REGEX };

struct node {
	enum node_type type;
	enum pred pred;
	enum matcher matcher;
	char *text;
	struct nx_rustregex *re;
	int platform_host;
	struct node *a, *b;
};

struct nx_filterset {
	struct node *root;
};

static void node_free(struct node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	nx_rustregex_free(n->re);
	free(n->text);
	free(n);
}

static struct node *node_new(struct nx_cursor *p, enum node_type t)
{
	if (++p->nodes > NX_FILTERSET_MAX_NODES) {
		nx_cursor_fail(p, "expression too large");
		return NULL;
	}
	struct node *n = calloc(1, sizeof *n);
	if (!n) {
		nx_cursor_fail(p, "out of memory");
		return NULL;
	}
	n->type = t;
	return n;
}

/* ---- lexing ---- */

static void ws(struct nx_cursor *p)
{
	for (;;) {
		if (nx_cursor_peek(p) == ' ' || nx_cursor_peek(p) == '\n')
			p->pos++;
		else if (nx_cursor_peek(p) == '\r' && p->pos + 1 < p->n && p->s[p->pos + 1] == '\n')
			p->pos += 2;
		else
			return;
	}
}

/* Literal lit at pos (after whitespace); with word=1 it must end a word. */
static int accept(struct nx_cursor *p, const char *lit, int word)
{
	size_t k = strlen(lit);
	if (p->pos + k > p->n || memcmp(p->s + p->pos, lit, k) != 0)
		return 0;
	if (word && p->pos + k < p->n && nx_cursor_is_word((unsigned char)p->s[p->pos + k]))
		return 0;
	p->pos += k;
	return 1;
}

/* Matcher text up to the next unescaped ',' or ')'. */
static char *matcher_text(struct nx_cursor *p)
{
	struct nx_buf out = NX_BUF_INIT;
	for (;;) {
		int c = nx_cursor_peek(p);
		if (c < 0 || c == ',' || c == ')')
			break;
		char tmp[4];
		size_t tl;
		if (c == '\\') {
			p->pos++;
			int e = nx_cursor_peek(p);
			p->pos++;
			switch (e) {
			case 'n': tmp[0] = '\n'; tl = 1; break;
			case 'r': tmp[0] = '\r'; tl = 1; break;
			case 't': tmp[0] = '\t'; tl = 1; break;
			case 'b': tmp[0] = '\b'; tl = 1; break;
			case 'f': tmp[0] = '\f'; tl = 1; break;
			case '\\': case '/': case ')': case ',':
				tmp[0] = (char)e; tl = 1; break;
			case 'u': {
				uint32_t cp = 0;
				int digits = 0;
				if (nx_cursor_peek(p) != '{')
					goto bad_escape;
				p->pos++;
				while (digits < 6 && nx_cursor_hexval(nx_cursor_peek(p)) >= 0) {
					cp = cp * 16 + (uint32_t)nx_cursor_hexval(nx_cursor_peek(p));
					p->pos++;
					digits++;
				}
				if (!digits || nx_cursor_peek(p) != '}' || cp > 0x10FFFF || cp == 0 ||
				    (cp >= 0xD800 && cp <= 0xDFFF))
					goto bad_escape;
				p->pos++;
				tl = nx_utf8_encode(cp, tmp);
				break;
			}
			default:
				goto bad_escape;
			}
		} else {
			tmp[0] = (char)c;
			tl = 1;
			p->pos++;
		}
		if (nx_buf_put(&out, tmp, tl)) {
			nx_buf_free(&out);
			nx_cursor_fail(p, "out of memory");
			return NULL;
		}
	}
	if (!out.len) {
		nx_buf_free(&out);
		nx_cursor_fail(p, "expected a non-empty string");
		return NULL;
	}
	return out.p;
bad_escape:
	nx_buf_free(&out);
	nx_cursor_fail(p, "invalid escape character");
	return NULL;
}

/* Regex text between '/' delimiters: \/ is '/', other backslashes stay. */
static char *regex_text(struct nx_cursor *p)
{
	size_t start = p->pos, len = 0;
	char *out = malloc(p->n - start + 1);
	if (!out) {
		nx_cursor_fail(p, "out of memory");
		return NULL;
	}
	for (;;) {
		int c = nx_cursor_peek(p);
		if (c < 0) {
			free(out);
			nx_cursor_fail(p, "expected closing '/'");
			return NULL;
		}
		if (c == '/')
			break;
		if (c == '\\' && p->pos + 1 < p->n && p->s[p->pos + 1] == '/') {
			out[len++] = '/';
			p->pos += 2;
			continue;
		}
		out[len++] = (char)c;
		p->pos++;
	}
	p->pos++;	/* closing '/' */
	out[len] = 0;
	return out;
}

/* Compiles the regex of a leaf (Rust syntax, see rustregex.h). */
static int compile_regex(struct nx_cursor *p, struct node *n)
{
	char msg[160];
	n->re = nx_rustregex_compile(n->text, msg, sizeof msg, NULL);
	if (!n->re) {
		nx_cursor_fail(p, "%s", msg);
		return -1;
	}
	return 0;
}

/* ---- grammar ---- */

static struct node *parse_expr(struct nx_cursor *p);

static int expect_char(struct nx_cursor *p, int c, const char *what)
{
	ws(p);
	if (nx_cursor_peek(p) != c) {
		nx_cursor_fail(p, "expected %s", what);
		return -1;
	}
	p->pos++;
	return 0;
}

struct set_def {
	const char *name;
	enum pred pred;
	enum matcher deflt;
};

/* Order matters: binary_id before binary (nextest's comment). */
static const struct set_def SETS[] = {
	{ "package", P_PACKAGE, M_GLOB },
	{ "deps", P_DEPS, M_GLOB },
	{ "rdeps", P_RDEPS, M_GLOB },
	{ "kind", P_KIND, M_EQUAL },
	{ "binary_id", P_BINARY_ID, M_GLOB },
	{ "binary", P_BINARY, M_GLOB },
	{ "test", P_TEST, M_CONTAINS },
	{ "group", P_GROUP, M_GLOB },
};

static struct node *parse_unary_set(struct nx_cursor *p, const struct set_def *d)
{
	if (expect_char(p, '(', "'('"))
		return NULL;
	struct node *n = node_new(p, N_LEAF);
	if (!n)
		return NULL;
	n->pred = d->pred;
	ws(p);
	int c = nx_cursor_peek(p);
	if (c == '/') {
		p->pos++;
		n->matcher = M_REGEX;
		n->text = regex_text(p);
		if (!n->text || compile_regex(p, n))
			goto bad;
		ws(p);
	} else {
		n->matcher = d->deflt;
		if (c == '#' || c == '=' || c == '~') {
			p->pos++;
			n->matcher = c == '#' ? M_GLOB : c == '=' ? M_EQUAL : M_CONTAINS;
		}
		n->text = matcher_text(p);
		if (!n->text)
			goto bad;
		if (n->matcher == M_GLOB && nx_glob_match(n->text, "") < 0) {
			nx_cursor_fail(p, "invalid glob");
			goto bad;
		}
	}
	ws(p);
	if (nx_cursor_peek(p) == ',') {
		nx_cursor_fail(p, "unexpected comma");
		goto bad;
	}
	if (expect_char(p, ')', "')'"))
		goto bad;
	return n;
bad:
	node_free(n);
	return NULL;
}

static struct node *parse_nullary(struct nx_cursor *p, enum node_type t)
{
	if (expect_char(p, '(', "'('"))
		return NULL;
	size_t start = p->pos;
	while (nx_cursor_peek(p) >= 0 && nx_cursor_peek(p) != ')')
		p->pos++;
	for (size_t i = start; i < p->pos; i++)
		if (p->s[i] != ' ' && p->s[i] != '\n' && p->s[i] != '\r' && p->s[i] != '\t') {
			nx_cursor_fail(p, "unexpected argument");
			return NULL;
		}
	if (expect_char(p, ')', "')'"))
		return NULL;
	return node_new(p, t);
}

static struct node *parse_platform(struct nx_cursor *p)
{
	if (expect_char(p, '(', "'('"))
		return NULL;
	ws(p);
	char *t = matcher_text(p);
	if (!t)
		return NULL;
	/* nextest trims the argument */
	char *b = t, *e = t + strlen(t);
	while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	int host = (size_t)(e - b) == 4 && !memcmp(b, "host", 4);
	int target = (size_t)(e - b) == 6 && !memcmp(b, "target", 6);
	free(t);
	if (!host && !target) {
		nx_cursor_fail(p, "platform() takes host or target");
		return NULL;
	}
	if (expect_char(p, ')', "')'"))
		return NULL;
	struct node *n = node_new(p, N_LEAF);
	if (n) {
		n->pred = P_PLATFORM;
		n->platform_host = host;
	}
	return n;
}

static struct node *parse_basic(struct nx_cursor *p)
{
	if (++p->depth > NX_FILTERSET_MAX_DEPTH) {
		nx_cursor_fail(p, "expression nested too deeply");
		return NULL;
	}
	struct node *res = NULL;
	ws(p);
	for (size_t i = 0; i < sizeof SETS / sizeof SETS[0]; i++)
		if (accept(p, SETS[i].name, 0)) {
			res = parse_unary_set(p, &SETS[i]);
			goto out;
		}
	if (accept(p, "platform", 0)) {
		res = parse_platform(p);
	} else if (accept(p, "default", 0)) {
		res = parse_nullary(p, N_DEFAULT);
	} else if (accept(p, "all", 0)) {
		res = parse_nullary(p, N_ALL);
	} else if (accept(p, "none", 0)) {
		res = parse_nullary(p, N_NONE);
	} else if (accept(p, "not", 1) || accept(p, "!", 0)) {
		struct node *inner = parse_basic(p);
		if (inner) {
			res = node_new(p, N_NOT);
			if (res)
				res->a = inner;
			else
				node_free(inner);
		}
	} else if (accept(p, "(", 0)) {
		res = parse_expr(p);
		if (res && expect_char(p, ')', "')'")) {
			node_free(res);
			res = NULL;
		}
	} else if (accept(p, "and", 1) || accept(p, "or", 1) || accept(p, "AND", 1) ||
		   accept(p, "OR", 1) || accept(p, "&&", 0) || accept(p, "||", 0)) {
		nx_cursor_fail(p, "binary operator in prefix position");
	} else if (accept(p, "NOT", 1)) {
		nx_cursor_fail(p, "use 'not' instead of 'NOT'");
	} else {
		nx_cursor_fail(p, "expected an expression");
	}
out:
	p->depth--;
	return res;
}

static struct node *combine(struct nx_cursor *p, enum node_type t, struct node *a, struct node *b)
{
	struct node *n = node_new(p, t);
	if (!n) {
		node_free(a);
		node_free(b);
		return NULL;
	}
	n->a = a;
	n->b = b;
	return n;
}

static struct node *parse_and(struct nx_cursor *p)
{
	struct node *left = parse_basic(p);
	while (left) {
		ws(p);
		enum node_type t;
		if (accept(p, "&&", 0) || accept(p, "AND", 1)) {
			nx_cursor_fail(p, "use '&' or 'and'");
			node_free(left);
			return NULL;
		}
		if (accept(p, "and", 1) || accept(p, "&", 0))
			t = N_AND;
		else if (accept(p, "-", 0))
			t = N_DIFF;
		else
			break;
		struct node *right = parse_basic(p);
		if (!right) {
			node_free(left);
			return NULL;
		}
		left = combine(p, t, left, right);
	}
	return left;
}

static struct node *parse_expr(struct nx_cursor *p)
{
	if (++p->depth > NX_FILTERSET_MAX_DEPTH) {
		nx_cursor_fail(p, "expression nested too deeply");
		return NULL;
	}
	struct node *left = parse_and(p);
	while (left) {
		ws(p);
		if (accept(p, "||", 0) || accept(p, "OR", 1)) {
			nx_cursor_fail(p, "use '|' or 'or'");
			node_free(left);
			left = NULL;
			break;
		}
		if (!(accept(p, "or", 1) || accept(p, "|", 0) || accept(p, "+", 0)))
			break;
		struct node *right = parse_and(p);
		if (!right) {
			node_free(left);
			left = NULL;
			break;
		}
		left = combine(p, N_OR, left, right);
	}
	p->depth--;
	return left;
}

struct nx_filterset *nx_filterset_parse(const char *expr, char *err, size_t errcap)
{
	struct nx_cursor p = { .s = expr, .err = err, .errcap = errcap };
	if (err && errcap)
		err[0] = 0;
	if (!expr) {
		nx_cursor_fail(&p, "no expression");
		return NULL;
	}
	p.n = strlen(expr);
	if (p.n > NX_FILTERSET_MAX_LEN) {
		nx_cursor_fail(&p, "expression too long");
		return NULL;
	}
	struct node *root = parse_expr(&p);
	if (root) {
		ws(&p);
		if (p.pos != p.n)
			nx_cursor_fail(&p, "expected end of expression");
	}
	if (p.failed || !root) {
		if (!p.failed)
			nx_cursor_fail(&p, "invalid expression");
		node_free(root);
		return NULL;
	}
	struct nx_filterset *f = malloc(sizeof *f);
	if (!f) {
		node_free(root);
		return NULL;
	}
	f->root = root;
	return f;
}

void nx_filterset_free(struct nx_filterset *f)
{
	if (!f)
		return;
	node_free(f->root);
	free(f);
}

/* ---- evaluation ---- */

struct derived {
	char package[256];
	char kind[64];
	char binary_name[256];
};

static void copy_n(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void derive(const struct nx_filter_query *q, struct derived *d)
{
	const char *id = q->binary_id ? q->binary_id : "";
	const char *sep = strstr(id, "::");
	copy_n(d->package, sizeof d->package, id, sep ? (size_t)(sep - id) : strlen(id));
	if (!sep) {
		copy_n(d->kind, sizeof d->kind, "lib", 3);
		copy_n(d->binary_name, sizeof d->binary_name, d->package, strlen(d->package));
		for (char *c = d->binary_name; *c; c++)
			if (*c == '-')
				*c = '_';
		return;
	}
	const char *rest = sep + 2, *slash = strchr(rest, '/');
	if (slash) {
		copy_n(d->kind, sizeof d->kind, rest, (size_t)(slash - rest));
		copy_n(d->binary_name, sizeof d->binary_name, slash + 1, strlen(slash + 1));
	} else {
		copy_n(d->kind, sizeof d->kind, "test", 4);
		copy_n(d->binary_name, sizeof d->binary_name, rest, strlen(rest));
	}
}

static int name_match(const struct node *n, const char *s)
{
	switch (n->matcher) {
	case M_EQUAL:
		return strcmp(n->text, s) == 0;
	case M_CONTAINS:
		return strstr(s, n->text) != NULL;
	case M_GLOB:
		return nx_glob_match(n->text, s) == 1;
	case M_REGEX:
		return nx_rustregex_match(n->re, s);
	}
	return 0;
}

static int eval(const struct node *n, const struct nx_filter_query *q, const struct derived *d, int depth)
{
	switch (n->type) {
	case N_ALL:
		return 1;
	case N_NONE:
		return 0;
	case N_DEFAULT:
		/* the default filter never contains default() itself; guard anyway */
		if (!q->default_filter || depth > 0)
			return 1;
		return eval(q->default_filter->root, q, d, depth + 1);
	case N_NOT:
		return !eval(n->a, q, d, depth);
	case N_AND:
		return eval(n->a, q, d, depth) && eval(n->b, q, d, depth);
	case N_OR:
		return eval(n->a, q, d, depth) || eval(n->b, q, d, depth);
	case N_DIFF:
		return eval(n->a, q, d, depth) && !eval(n->b, q, d, depth);
	case N_LEAF:
		break;
	}
	switch (n->pred) {
	case P_PACKAGE:
	case P_DEPS:
	case P_RDEPS:
		return name_match(n, q->package ? q->package : d->package);
	case P_KIND:
		return name_match(n, q->kind ? q->kind : d->kind);
	case P_BINARY:
		return name_match(n, q->binary_name ? q->binary_name : d->binary_name);
	case P_BINARY_ID:
		return name_match(n, q->binary_id ? q->binary_id : "");
	case P_TEST:
		return name_match(n, q->test_name ? q->test_name : "");
	case P_GROUP:
		return name_match(n, q->group ? q->group : "@global");
	case P_PLATFORM:
		return n->platform_host == (q->platform_is_host != 0);
	}
	return 0;
}

int nx_filterset_match(const struct nx_filterset *f, const struct nx_filter_query *q)
{
	if (!f || !q)
		return 0;
	struct derived d;
	derive(q, &d);
	return eval(f->root, q, &d, 0);
}
