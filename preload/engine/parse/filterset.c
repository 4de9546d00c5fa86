/* filterset.c — parsing and evaluating nextest filtersets (see filterset.h).
 *
 * Owns: a recursive-descent parser mirroring nextest-filtering's grammar
 * (parse_expr → parse_and_or_difference_expr → parse_basic_expr), the
 * matchers (equal, contains, glob, POSIX regex) and evaluation.  The first
 * error ends parsing (nextest reports every error; either way the
 * expression is rejected).
 */
#include "filterset.h"

#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum node_type { N_ALL, N_NONE, N_DEFAULT, N_LEAF, N_NOT, N_AND, N_OR, N_DIFF };
enum pred { P_PACKAGE, P_DEPS, P_RDEPS, P_KIND, P_BINARY, P_BINARY_ID, P_TEST, P_GROUP, P_PLATFORM };
enum matcher { M_EQUAL, M_CONTAINS, M_GLOB, M_REGEX };

struct node {
	enum node_type type;
	enum pred pred;
	enum matcher matcher;
	char *text;
	regex_t re;
	int has_re;
	int platform_host;
	struct node *a, *b;
};

struct nx_filterset {
	struct node *root;
};

struct parser {
	const char *s;
	size_t n, pos;
	int depth;
	size_t nodes;
	char *err;
	size_t errcap;
	int failed;
};

static void fail(struct parser *p, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = 1;
	if (!p->err || !p->errcap)
		return;
	int k = snprintf(p->err, p->errcap, "at %zu: ", p->pos);
	if (k < 0 || (size_t)k >= p->errcap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + k, p->errcap - (size_t)k, fmt, ap);
	va_end(ap);
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	if (n->has_re)
		regfree(&n->re);
	free(n->text);
	free(n);
}

static struct node *node_new(struct parser *p, enum node_type t)
{
	if (++p->nodes > NX_FILTERSET_MAX_NODES) {
		fail(p, "expression too large");
		return NULL;
	}
	struct node *n = calloc(1, sizeof *n);
	if (!n) {
		fail(p, "out of memory");
		return NULL;
	}
	n->type = t;
	return n;
}

/* ---- UTF-8 ---- */

static size_t u8dec(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	uint32_t v = n == 4 ? s[0] & 7u : n == 3 ? s[0] & 15u : s[0] & 31u;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = s[0];
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (n == 1)
		v = s[0];
	*cp = v;
	return (size_t)n;
}

static size_t u8enc(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- globs ---- */

#define GLOB_MAX_ALTS 256

/* Parses a [class] at *pp (just after '['), matching cp; advances *pp past
 * ']'.  Returns 1/0 for match, -1 if the class is unclosed. */
static int glob_class(const unsigned char **pp, uint32_t cp)
{
	const unsigned char *p = *pp;
	int neg = 0, hit = 0, first = 1;
	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	for (;;) {
		if (!*p)
			return -1;
		if (*p == ']' && !first)
			break;
		first = 0;
		uint32_t lo, hi;
		p += u8dec(p, &lo);
		hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			p++;
			p += u8dec(p, &hi);
		}
		if (cp >= lo && cp <= hi)
			hit = 1;
	}
	*pp = p + 1;
	return hit != neg;
}

/* Match one brace-free pattern against s: 1/0, -1 invalid. */
static int glob_simple(const unsigned char *p, const unsigned char *s)
{
	const unsigned char *star_p = NULL, *star_s = NULL;
	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		if (!*s)
			break;
		uint32_t cs;
		size_t sl = u8dec(s, &cs);
		int ok = 0;
		const unsigned char *np = p;
		if (*p == '?') {
			ok = 1;
			np = p + 1;
		} else if (*p == '[') {
			np = p + 1;
			ok = glob_class(&np, cs);
			if (ok < 0)
				return -1;
		} else if (*p) {
			uint32_t cp;
			np = p + u8dec(p, &cp);
			ok = cp == cs;
		}
		if (ok) {
			p = np;
			s += sl;
			continue;
		}
		if (!star_p)
			return 0;
		uint32_t skip;
		star_s += u8dec(star_s, &skip);
		p = star_p;
		s = star_s;
	}
	while (*p == '*')
		p++;
	return *p == 0;
}

/* Checks the classes of a brace-free pattern are closed. */
static int glob_valid_simple(const unsigned char *p)
{
	while (*p) {
		if (*p == '[') {
			const unsigned char *q = p + 1;
			if (glob_class(&q, 0) < 0)
				return 0;
			p = q;
		} else {
			p++;
		}
	}
	return 1;
}

/* Skips a [class] starting at p[0] == '['; returns the index after it or 0. */
static size_t skip_class(const char *p, size_t i)
{
	const unsigned char *q = (const unsigned char *)p + i + 1;
	if (glob_class(&q, 0) < 0)
		return 0;
	return (size_t)(q - (const unsigned char *)p);
}

/* Expands the first {a,b} group of pat recursively into out[]. */
static int glob_expand(const char *pat, char **out, size_t *n)
{
	size_t len = strlen(pat), open = len;
	for (size_t i = 0; i < len; i++) {
		if (pat[i] == '[') {
			size_t j = skip_class(pat, i);
			if (!j)
				return -1;
			i = j - 1;
		} else if (pat[i] == '{') {
			open = i;
			break;
		}
	}
	if (open == len) {
		if (*n >= GLOB_MAX_ALTS)
			return -1;
		if (!glob_valid_simple((const unsigned char *)pat))
			return -1;
		out[*n] = strdup(pat);
		if (!out[*n])
			return -1;
		(*n)++;
		return 0;
	}
	/* find the closing brace and the commas, skipping classes */
	size_t close = 0, commas[GLOB_MAX_ALTS], nc = 0;
	for (size_t i = open + 1; i < len; i++) {
		if (pat[i] == '[') {
			size_t j = skip_class(pat, i);
			if (!j)
				return -1;
			i = j - 1;
		} else if (pat[i] == '{') {
			return -1;	/* nested alternates */
		} else if (pat[i] == ',') {
			if (nc == GLOB_MAX_ALTS)
				return -1;
			commas[nc++] = i;
		} else if (pat[i] == '}') {
			close = i;
			break;
		}
	}
	if (!close)
		return -1;	/* unclosed alternate group */
	size_t start = open + 1;
	for (size_t k = 0; k <= nc; k++) {
		size_t end = k < nc ? commas[k] : close;
		size_t alen = end - start, rest = len - close - 1;
		char *t = malloc(open + alen + rest + 1);
		if (!t)
			return -1;
		memcpy(t, pat, open);
		memcpy(t + open, pat + start, alen);
		memcpy(t + open + alen, pat + close + 1, rest);
		t[open + alen + rest] = 0;
		int rc = glob_expand(t, out, n);
		free(t);
		if (rc)
			return -1;
		start = end + 1;
	}
	return 0;
}

int nx_glob_match(const char *pattern, const char *s)
{
	if (!pattern || !s)
		return -1;
	char *alts[GLOB_MAX_ALTS];
	size_t n = 0;
	int rc = glob_expand(pattern, alts, &n) ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && glob_simple((const unsigned char *)alts[i], (const unsigned char *)s) == 1)
			rc = 1;
		free(alts[i]);
	}
	return rc;
}

/* ---- lexing ---- */

static int peek(const struct parser *p)
{
	return p->pos < p->n ? (unsigned char)p->s[p->pos] : -1;
}

static void ws(struct parser *p)
{
	for (;;) {
		if (peek(p) == ' ' || peek(p) == '\n')
			p->pos++;
		else if (peek(p) == '\r' && p->pos + 1 < p->n && p->s[p->pos + 1] == '\n')
			p->pos += 2;
		else
			return;
	}
}

static int is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Literal lit at pos (after whitespace); with word=1 it must end a word. */
static int accept(struct parser *p, const char *lit, int word)
{
	size_t k = strlen(lit);
	if (p->pos + k > p->n || memcmp(p->s + p->pos, lit, k) != 0)
		return 0;
	if (word && p->pos + k < p->n && is_word((unsigned char)p->s[p->pos + k]))
		return 0;
	p->pos += k;
	return 1;
}

static int hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Matcher text up to the next unescaped ',' or ')'. */
static char *matcher_text(struct parser *p)
{
	size_t cap = 64, len = 0;
	char *out = malloc(cap);
	if (!out) {
		fail(p, "out of memory");
		return NULL;
	}
	for (;;) {
		int c = peek(p);
		if (c < 0 || c == ',' || c == ')')
			break;
		char tmp[4];
		size_t tl;
		if (c == '\\') {
			p->pos++;
			int e = peek(p);
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
				if (peek(p) != '{')
					goto bad_escape;
				p->pos++;
				while (digits < 6 && hexv(peek(p)) >= 0) {
					cp = cp * 16 + (uint32_t)hexv(peek(p));
					p->pos++;
					digits++;
				}
				if (!digits || peek(p) != '}' || cp > 0x10FFFF || cp == 0 ||
				    (cp >= 0xD800 && cp <= 0xDFFF))
					goto bad_escape;
				p->pos++;
				tl = u8enc(cp, tmp);
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
		if (len + tl + 1 > cap) {
			cap *= 2;
			char *o = realloc(out, cap);
			if (!o) {
				free(out);
				fail(p, "out of memory");
				return NULL;
			}
			out = o;
		}
		memcpy(out + len, tmp, tl);
		len += tl;
	}
	out[len] = 0;
	if (!len) {
		free(out);
		fail(p, "expected a non-empty string");
		return NULL;
	}
	return out;
bad_escape:
	free(out);
	fail(p, "invalid escape character");
	return NULL;
}

/* Regex text between '/' delimiters: \/ is '/', other backslashes stay. */
static char *regex_text(struct parser *p)
{
	size_t start = p->pos, len = 0;
	char *out = malloc(p->n - start + 1);
	if (!out) {
		fail(p, "out of memory");
		return NULL;
	}
	for (;;) {
		int c = peek(p);
		if (c < 0) {
			free(out);
			fail(p, "expected closing '/'");
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

/* Rust's regex rejects a repetition of a repetition (`a**`, `a+{2}`) and
 * reads `?` right after one as "lazy"; POSIX ERE stacks them instead, and
 * glibc's regcomp duplicates the subtree for each, so `a` followed by 24 `+`
 * needs gigabytes.  In place: drop a lazy `?` (lazy and greedy match the same
 * strings, and we only ask whether there is a match), reject any other
 * stacked repetition and {m,n} counts above MAX_REPEAT (Rust's size limit
 * rejects far smaller patterns than glibc would try to build).  -1 = reject. */
#define MAX_REPEAT 1000

static int bound_repetitions(char *re)
{
	char *w = re;
	int prev_rep = 0, lazy = 0;
	for (const char *r = re; *r;) {
		if (*r == '\\' && r[1]) {
			*w++ = *r++;
			*w++ = *r++;
			prev_rep = 0;
			continue;
		}
		if (*r == '[') {	/* bracket expression: copied as is */
			*w++ = *r++;
			if (*r == '^')
				*w++ = *r++;
			if (*r == ']')
				*w++ = *r++;
			while (*r && *r != ']') {
				if (*r == '[' && (r[1] == ':' || r[1] == '.' || r[1] == '=')) {
					char close = r[1];
					*w++ = *r++;
					*w++ = *r++;
					while (*r && !(r[0] == close && r[1] == ']'))
						*w++ = *r++;
					if (*r) {
						*w++ = *r++;
						*w++ = *r++;
					}
					continue;
				}
				*w++ = *r++;
			}
			if (*r)
				*w++ = *r++;
			prev_rep = 0;
			continue;
		}
		if (*r == '*' || *r == '+' || *r == '?') {
			if (prev_rep) {
				if (*r == '?' && !lazy) {
					lazy = 1;
					r++;
					continue;
				}
				return -1;
			}
			*w++ = *r++;
			prev_rep = 1;
			lazy = 0;
			continue;
		}
		if (*r == '{') {
			const char *q = r + 1;
			unsigned long m = 0, n = 0;
			int digits = 0;
			while (*q >= '0' && *q <= '9' && m <= MAX_REPEAT)
				m = m * 10 + (unsigned long)(*q++ - '0'), digits++;
			n = m;
			if (*q == ',') {
				q++;
				n = 0;
				while (*q >= '0' && *q <= '9' && n <= MAX_REPEAT)
					n = n * 10 + (unsigned long)(*q++ - '0');
			}
			if (digits && *q == '}') {	/* a counted repetition */
				if (prev_rep || m > MAX_REPEAT || n > MAX_REPEAT)
					return -1;
				while (r <= q)
					*w++ = *r++;
				prev_rep = 1;
				lazy = 0;
				continue;
			}
		}
		*w++ = *r++;
		prev_rep = 0;
	}
	*w = 0;
	return 0;
}

/* Compiles a Rust-regex-ish pattern with regcomp. */
static int compile_regex(struct parser *p, struct node *n)
{
	const char *src = n->text;
	int flags = REG_EXTENDED | REG_NOSUB;
	if (!strncmp(src, "(?i)", 4)) {
		flags |= REG_ICASE;
		src += 4;
	}
	size_t cap = strlen(src) * 14 + 1;
	char *ere = malloc(cap);
	if (!ere) {
		fail(p, "out of memory");
		return -1;
	}
	size_t k = 0;
	for (const char *s = src; *s; s++) {
		const char *rep = NULL;
		if (s[0] == '\\' && s[1]) {
			switch (s[1]) {
			case 'd': rep = "[0-9]"; break;
			case 'D': rep = "[^0-9]"; break;
			case 'w': rep = "[[:alnum:]_]"; break;
			case 'W': rep = "[^[:alnum:]_]"; break;
			case 's': rep = "[[:space:]]"; break;
			case 'S': rep = "[^[:space:]]"; break;
			}
		}
		if (rep) {
			size_t rl = strlen(rep);
			memcpy(ere + k, rep, rl);
			k += rl;
			s++;
		} else {
			ere[k++] = *s;
		}
	}
	ere[k] = 0;
	if (bound_repetitions(ere) < 0) {
		free(ere);
		fail(p, "invalid regex: repetition of a repetition or too large a count");
		return -1;
	}
	int rc = regcomp(&n->re, ere, flags);
	free(ere);
	if (rc) {
		fail(p, "invalid regex");
		return -1;
	}
	n->has_re = 1;
	return 0;
}

/* ---- grammar ---- */

static struct node *parse_expr(struct parser *p);

static int expect_char(struct parser *p, int c, const char *what)
{
	ws(p);
	if (peek(p) != c) {
		fail(p, "expected %s", what);
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

static struct node *parse_unary_set(struct parser *p, const struct set_def *d)
{
	if (expect_char(p, '(', "'('"))
		return NULL;
	struct node *n = node_new(p, N_LEAF);
	if (!n)
		return NULL;
	n->pred = d->pred;
	ws(p);
	int c = peek(p);
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
			fail(p, "invalid glob");
			goto bad;
		}
	}
	ws(p);
	if (peek(p) == ',') {
		fail(p, "unexpected comma");
		goto bad;
	}
	if (expect_char(p, ')', "')'"))
		goto bad;
	return n;
bad:
	node_free(n);
	return NULL;
}

static struct node *parse_nullary(struct parser *p, enum node_type t)
{
	if (expect_char(p, '(', "'('"))
		return NULL;
	size_t start = p->pos;
	while (peek(p) >= 0 && peek(p) != ')')
		p->pos++;
	for (size_t i = start; i < p->pos; i++)
		if (p->s[i] != ' ' && p->s[i] != '\n' && p->s[i] != '\r' && p->s[i] != '\t') {
			fail(p, "unexpected argument");
			return NULL;
		}
	if (expect_char(p, ')', "')'"))
		return NULL;
	return node_new(p, t);
}

static struct node *parse_platform(struct parser *p)
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
		fail(p, "platform() takes host or target");
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

static struct node *parse_basic(struct parser *p)
{
	if (++p->depth > NX_FILTERSET_MAX_DEPTH) {
		fail(p, "expression nested too deeply");
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
		fail(p, "binary operator in prefix position");
	} else if (accept(p, "NOT", 1)) {
		fail(p, "use 'not' instead of 'NOT'");
	} else {
		fail(p, "expected an expression");
	}
out:
	p->depth--;
	return res;
}

static struct node *combine(struct parser *p, enum node_type t, struct node *a, struct node *b)
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

static struct node *parse_and(struct parser *p)
{
	struct node *left = parse_basic(p);
	while (left) {
		ws(p);
		enum node_type t;
		if (accept(p, "&&", 0) || accept(p, "AND", 1)) {
			fail(p, "use '&' or 'and'");
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

static struct node *parse_expr(struct parser *p)
{
	if (++p->depth > NX_FILTERSET_MAX_DEPTH) {
		fail(p, "expression nested too deeply");
		return NULL;
	}
	struct node *left = parse_and(p);
	while (left) {
		ws(p);
		if (accept(p, "||", 0) || accept(p, "OR", 1)) {
			fail(p, "use '|' or 'or'");
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
	struct parser p = { .s = expr, .err = err, .errcap = errcap };
	if (err && errcap)
		err[0] = 0;
	if (!expr) {
		fail(&p, "no expression");
		return NULL;
	}
	p.n = strlen(expr);
	if (p.n > NX_FILTERSET_MAX_LEN) {
		fail(&p, "expression too long");
		return NULL;
	}
	struct node *root = parse_expr(&p);
	if (root) {
		ws(&p);
		if (p.pos != p.n)
			fail(&p, "expected end of expression");
	}
	if (p.failed || !root) {
		if (!p.failed)
			fail(&p, "invalid expression");
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
		return regexec(&n->re, s, 0, NULL, 0) == 0;
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
