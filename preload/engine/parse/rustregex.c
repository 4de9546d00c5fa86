/* rustregex.c — Rust regex syntax, checked and rewritten for PCRE2, and the
 * lazy loading of libpcre2-8 (see rustregex.h).
 *
 * Owns: one left-to-right pass over the pattern that rejects what the regex
 * crate rejects (regex-syntax's messages: src/ast/mod.rs at 0.8.11) and
 * writes the PCRE2 spelling of the rest; the PCRE2 function table.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rustregex.h"

#include <dlfcn.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "utf8.h"

/* ---- libpcre2-8, loaded on first use ---- */

struct pcre2_table {
	pcre2_code *(*compile)(PCRE2_SPTR, PCRE2_SIZE, uint32_t, int *, PCRE2_SIZE *,
			       pcre2_compile_context *);
	void (*code_free)(pcre2_code *);
	int (*dfa_match)(const pcre2_code *, PCRE2_SPTR, PCRE2_SIZE, PCRE2_SIZE, uint32_t,
			 pcre2_match_data *, pcre2_match_context *, int *, PCRE2_SIZE);
	pcre2_match_data *(*md_create)(uint32_t, pcre2_general_context *);
	void (*md_free)(pcre2_match_data *);
	int (*error_message)(int, PCRE2_UCHAR *, PCRE2_SIZE);
	pcre2_match_context *(*mc_create)(pcre2_general_context *);
	int (*set_match_limit)(pcre2_match_context *, uint32_t);
	pcre2_match_context *mctx;
};

#ifdef __APPLE__
static const char *soname = "libpcre2-8.0.dylib";
#else
static const char *soname = "libpcre2-8.so.0";
#endif
static struct pcre2_table P;
static int loaded;		/* 1 ok, -1 failed */
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Bound on the work of one match (PCRE2 counts DFA steps against it). */
#define MATCH_LIMIT 10000000u

static void load(void)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		loaded = -1;
		return;
	}
	*(void **)&P.compile = dlsym(h, "pcre2_compile_8");
	*(void **)&P.code_free = dlsym(h, "pcre2_code_free_8");
	*(void **)&P.dfa_match = dlsym(h, "pcre2_dfa_match_8");
	*(void **)&P.md_create = dlsym(h, "pcre2_match_data_create_8");
	*(void **)&P.md_free = dlsym(h, "pcre2_match_data_free_8");
	*(void **)&P.error_message = dlsym(h, "pcre2_get_error_message_8");
	*(void **)&P.mc_create = dlsym(h, "pcre2_match_context_create_8");
	*(void **)&P.set_match_limit = dlsym(h, "pcre2_set_match_limit_8");
	if (!P.compile || !P.code_free || !P.dfa_match || !P.md_create || !P.md_free ||
	    !P.error_message || !P.mc_create || !P.set_match_limit) {
		loaded = -1;
		return;
	}
	P.mctx = P.mc_create(NULL);
	if (!P.mctx) {
		loaded = -1;
		return;
	}
	P.set_match_limit(P.mctx, MATCH_LIMIT);
	loaded = 1;
}

void nx_rustregex_use_library(const char *name)
{
	soname = name;
}

/* ---- Rust syntax → PCRE2 syntax ---- */

#define NEST_LIMIT 250		/* regex-syntax's default nest limit */

struct xl {
	const char *s;		/* the Rust pattern */
	size_t i;
	struct nx_buf out;	/* the PCRE2 pattern */
	int have_atom;		/* a repeatable item precedes */
	size_t atom;		/* where it starts in out */
	int rep;		/* 0, 1 after a repetition, 2 after a lazy one */
	size_t groups[NEST_LIMIT + 1];
	int ngroups;
	const char *msg;	/* first error */
	int unsupported;
};

static int bad(struct xl *x, const char *msg)
{
	if (!x->msg)
		x->msg = msg;
	return -1;
}

static int unsup(struct xl *x, const char *msg)
{
	if (!x->msg) {
		x->msg = msg;
		x->unsupported = 1;
	}
	return -1;
}

static void put(struct xl *x, const char *s, size_t n)
{
	nx_buf_put(&x->out, s, n);
}

static void puts_(struct xl *x, const char *s)
{
	nx_buf_puts(&x->out, s);
}

/* \x{…} for a hex code point (digits hex digits, or up to '}' if braced). */
static int hex_escape(struct xl *x, int digits)
{
	const char *s = x->s;
	size_t start, end;
	if (s[x->i] == '{') {
		start = ++x->i;
		while (s[x->i] && s[x->i] != '}') {
			if (nx_cursor_hexval((unsigned char)s[x->i]) < 0)
				return bad(x, "invalid hexadecimal digit");
			x->i++;
		}
		if (!s[x->i])
			return bad(x, "incomplete escape sequence, reached end of pattern prematurely");
		end = x->i++;
		if (end == start)
			return bad(x, "hexadecimal literal empty");
	} else {
		start = x->i;
		for (int k = 0; k < digits; k++, x->i++) {
			if (!s[x->i])
				return bad(x, "incomplete escape sequence, reached end of pattern prematurely");
			if (nx_cursor_hexval((unsigned char)s[x->i]) < 0)
				return bad(x, "invalid hexadecimal digit");
		}
		end = x->i;
	}
	if (end - start > 8)
		return bad(x, "hexadecimal literal is not a Unicode scalar value");
	uint32_t cp = 0;
	for (size_t k = start; k < end; k++)
		cp = cp * 16 + (uint32_t)nx_cursor_hexval((unsigned char)s[k]);
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return bad(x, "hexadecimal literal is not a Unicode scalar value");
	char tmp[24];
	snprintf(tmp, sizeof tmp, "\\x{%x}", (unsigned)cp);
	puts_(x, tmp);
	return 0;
}

/* Long general-category names, which Rust accepts and PCRE2 does not. */
static const char *const GC_NAMES[][2] = {
	{ "letter", "L" }, { "casedletter", "L&" }, { "uppercaseletter", "Lu" },
	{ "lowercaseletter", "Ll" }, { "titlecaseletter", "Lt" }, { "modifierletter", "Lm" },
	{ "otherletter", "Lo" }, { "mark", "M" }, { "nonspacingmark", "Mn" },
	{ "spacingmark", "Mc" }, { "enclosingmark", "Me" }, { "number", "N" },
	{ "decimalnumber", "Nd" }, { "letternumber", "Nl" }, { "othernumber", "No" },
	{ "punctuation", "P" }, { "connectorpunctuation", "Pc" }, { "dashpunctuation", "Pd" },
	{ "openpunctuation", "Ps" }, { "closepunctuation", "Pe" }, { "initialpunctuation", "Pi" },
	{ "finalpunctuation", "Pf" }, { "otherpunctuation", "Po" }, { "symbol", "S" },
	{ "mathsymbol", "Sm" }, { "currencysymbol", "Sc" }, { "modifiersymbol", "Sk" },
	{ "othersymbol", "So" }, { "separator", "Z" }, { "spaceseparator", "Zs" },
	{ "lineseparator", "Zl" }, { "paragraphseparator", "Zp" }, { "other", "C" },
	{ "control", "Cc" }, { "format", "Cf" }, { "surrogate", "Cs" },
	{ "privateuse", "Co" }, { "unassigned", "Cn" },
};

/* \pN, \p{…}, \PN, \P{…}: copied as is (PCRE2 spells them the same, and
 * matches names loosely as Rust does), but for the long category names. */
static int property(struct xl *x)
{
	const char *s = x->s;
	size_t start = x->i - 2;
	if (s[x->i] == '{') {
		size_t open = x->i;
		while (s[x->i] && s[x->i] != '}')
			x->i++;
		if (!s[x->i])
			return bad(x, "invalid Unicode character class");
		char key[40];
		size_t k = 0;
		for (size_t j = open + 1; j < x->i && k + 1 < sizeof key; j++)
			if (s[j] != ' ' && s[j] != '_' && s[j] != '-')
				key[k++] = (char)((s[j] >= 'A' && s[j] <= 'Z') ? s[j] + 32 : s[j]);
		key[k] = 0;
		x->i++;
		if (strchr(key, '&'))
			return bad(x, "Unicode property not found");
		const char *v = key;
		if (!strncmp(v, "gc=", 3) || !strncmp(v, "gc:", 3))
			v += 3;
		else if (!strncmp(v, "generalcategory=", 16) || !strncmp(v, "generalcategory:", 16))
			v += 16;
		if (v != key && strlen(v) <= 2) {	/* gc=L → \p{L} */
			char tmp[48];
			snprintf(tmp, sizeof tmp, "\\%c{%s}", s[start + 1], v);
			puts_(x, tmp);
			return 0;
		}
		for (size_t g = 0; g < sizeof GC_NAMES / sizeof GC_NAMES[0]; g++)
			if (!strcmp(v, GC_NAMES[g][0])) {
				char tmp[16];
				snprintf(tmp, sizeof tmp, "\\%c{%s}", s[start + 1], GC_NAMES[g][1]);
				puts_(x, tmp);
				return 0;
			}
	} else if (s[x->i] && (unsigned char)s[x->i] < 0x80) {
		x->i++;
	} else {
		return bad(x, "incomplete escape sequence, reached end of pattern prematurely");
	}
	put(x, s + start, x->i - start);
	return 0;
}

/* One escape after '\' (x->i at the character after it).  in_class: inside
 * [...].  Sets *assertion for the zero-width ones. */
static int escape(struct xl *x, int in_class)
{
	int c = (unsigned char)x->s[x->i];
	if (!c)
		return bad(x, "incomplete escape sequence, reached end of pattern prematurely");
	x->i++;
	switch (c) {
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
		put(x, x->s + x->i - 2, 2);
		return 0;
	case 'p': case 'P':
		return property(x);
	case 'x':
		return hex_escape(x, 2);
	case 'u':
		return hex_escape(x, 4);
	case 'U':
		return hex_escape(x, 8);
	case 'n': puts_(x, "\\n"); return 0;
	case 't': puts_(x, "\\t"); return 0;
	case 'r': puts_(x, "\\r"); return 0;
	case 'f': puts_(x, "\\f"); return 0;
	case 'a': puts_(x, "\\x{7}"); return 0;
	case 'v': puts_(x, "\\x{b}"); return 0;	/* PCRE2's \v is a class */
	}
	if (c >= '0' && c <= '9')
		return bad(x, "backreferences are not supported");
	if (c == 'b' || c == 'B' || c == 'A' || c == 'z' || c == '<' || c == '>') {
		if (in_class)
			return bad(x, "invalid escape sequence found in character class");
		if (c == '<') {
			puts_(x, "\\b(?=\\w)");
		} else if (c == '>') {
			puts_(x, "\\b(?<=\\w)");
		} else if (c == 'b' && x->s[x->i] == '{' &&
			   (x->s[x->i + 1] < '0' || x->s[x->i + 1] > '9')) {
			static const char *const names[][2] = {
				{ "{start}", "\\b(?=\\w)" }, { "{end}", "\\b(?<=\\w)" },
				{ "{start-half}", "(?<!\\w)" }, { "{end-half}", "(?!\\w)" },
			};
			size_t k;
			for (k = 0; k < 4; k++) {
				size_t l = strlen(names[k][0]);
				if (!strncmp(x->s + x->i, names[k][0], l)) {
					puts_(x, names[k][1]);
					x->i += l;
					break;
				}
			}
			if (k == 4)
				return bad(x, "unrecognized special word boundary assertion, valid "
					      "choices are: start, end, start-half or end-half");
		} else {
			char e[2] = { '\\', (char)c };
			put(x, e, 2);
		}
		return 0;
	}
	if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && c >= ' ') {
		char e[2] = { '\\', (char)c };	/* an escaped punctuation mark */
		put(x, e, 2);
		return 0;
	}
	return bad(x, "unrecognized escape sequence");
}

/* Rust's POSIX classes are ASCII-only; under UCP PCRE2's would be Unicode,
 * so each is written as its ASCII ranges. */
static const char *const POSIX[][2] = {
	{ "alnum", "0-9A-Za-z" }, { "alpha", "A-Za-z" }, { "ascii", "\\x{0}-\\x{7f}" },
	{ "blank", "\\t " }, { "cntrl", "\\x{0}-\\x{1f}\\x{7f}" }, { "digit", "0-9" },
	{ "graph", "\\x{21}-\\x{7e}" }, { "lower", "a-z" }, { "print", "\\x{20}-\\x{7e}" },
	{ "punct", "\\x{21}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{60}\\x{7b}-\\x{7e}" },
	{ "space", "\\t\\n\\x{b}\\f\\r " }, { "upper", "A-Z" }, { "word", "0-9A-Za-z_" },
	{ "xdigit", "0-9A-Fa-f" },
};

/* A [:name:] or [:^name:] at s: its ranges, *neg, *len; NULL if it is none. */
static const char *posix_class(const char *s, int *neg, size_t *len)
{
	if (s[0] != '[' || s[1] != ':')
		return NULL;
	*neg = s[2] == '^';
	const char *name = s + 2 + *neg, *end = strstr(name, ":]");
	if (!end)
		return NULL;
	for (size_t k = 0; k < sizeof POSIX / sizeof POSIX[0]; k++)
		if (strlen(POSIX[k][0]) == (size_t)(end - name) && !strncmp(name, POSIX[k][0], (size_t)(end - name))) {
			*len = (size_t)(end + 2 - s);
			return POSIX[k][1];
		}
	return NULL;
}

/* A [class] (x->i just after '['). */
static int class(struct xl *x)
{
	const char *s = x->s;
	int neg, negated = s[x->i] == '^';
	size_t plen;
	const char *r = posix_class(s + x->i, &neg, &plen);
	if (!negated && r && neg && s[x->i + plen] == ']') {	/* [[:^alpha:]] */
		puts_(x, "[^");
		puts_(x, r);
		puts_(x, "]");
		x->i += plen + 1;
		return 0;
	}
	puts_(x, "[");
	if (negated)
		put(x, s + x->i++, 1);
	if (s[x->i] == ']' || s[x->i] == ':' || s[x->i] == '.' || s[x->i] == '=') {
		/* a literal; PCRE2 would read "]" as the end, "[:…:]" as a POSIX class */
		char e[2] = { '\\', s[x->i++] };
		put(x, e, 2);
	}
	for (;;) {
		int c = (unsigned char)s[x->i];
		if (!c)
			return bad(x, "unclosed character class");
		if (c == ']') {
			x->i++;
			puts_(x, "]");
			return 0;
		}
		if (c == '[') {
			r = posix_class(s + x->i, &neg, &plen);
			if (!r)
				return unsup(x, "nested character classes are not supported");
			if (neg)
				return unsup(x, "a negated POSIX class inside a larger class is not supported");
			puts_(x, r);
			x->i += plen;
			continue;
		}
		if ((c == '&' || c == '-' || c == '~') && s[x->i + 1] == c)
			return unsup(x, "character class set operations (&&, --, ~~) are not supported");
		if (c == '\\') {
			x->i++;
			if (escape(x, 1))
				return -1;
			continue;
		}
		uint32_t cp;
		size_t l = nx_utf8_decode((const unsigned char *)s + x->i, &cp);
		put(x, s + x->i, l);
		x->i += l;
	}
}

/* After "(?": a group kind or flags. */
static int group_open(struct xl *x)
{
	const char *s = x->s + x->i;
	if (*s == '=' || *s == '!' || !strncmp(s, "<=", 2) || !strncmp(s, "<!", 2))
		return bad(x, "look-around, including look-ahead and look-behind, is not supported");
	if (*s == ':' || *s == '<' || !strncmp(s, "P<", 2)) {
		puts_(x, "(?");
		return 1;	/* a group; the rest is copied as plain text */
	}
	/* flags: (?flags) or (?flags:…) */
	char on[8], off[8];
	size_t non = 0, noff = 0;
	int neg = 0;
	size_t k = 0;
	for (;; k++) {
		int c = (unsigned char)s[k];
		if (c == ')' || c == ':')
			break;
		if (!c)
			return bad(x, "expected flag but got end of regex");
		if (c == '-') {
			if (neg)
				return bad(x, "flag negation operator repeated");
			neg = 1;
			continue;
		}
		if (!strchr("imsxUuR", c))
			return bad(x, "unrecognized flag");
		if (c == 'u' && neg)
			return unsup(x, "(?-u) (ASCII-only classes) is not supported");
		if (c == 'u' || c == 'R')
			continue;	/* Unicode is always on; CRLF mode: test names have no \r */
		char *set = neg ? off : on;
		size_t *n = neg ? &noff : &non;
		if (memchr(on, c, non) || memchr(off, c, noff))
			return bad(x, "duplicate flag");
		set[(*n)++] = (char)c;
	}
	if (neg && k > 0 && s[k - 1] == '-')
		return bad(x, "dangling flag negation operator");
	int is_group = s[k] == ':';
	x->i += k + 1;
	if (non || noff) {
		puts_(x, "(?");
		put(x, on, non);
		if (noff) {
			puts_(x, "-");
			put(x, off, noff);
		}
		puts_(x, is_group ? ":" : ")");
	} else if (is_group) {
		puts_(x, "(?:");
	}
	return is_group ? 2 : 0;
}

/* A repetition operator at x->i ('*', '+', '?' or '{'). */
static int repetition(struct xl *x)
{
	const char *s = x->s;
	int c = (unsigned char)s[x->i];
	if (c == '?' && x->rep == 1) {	/* lazy */
		x->i++;
		puts_(x, "?");
		x->rep = 2;
		return 0;
	}
	if (!x->have_atom)
		return bad(x, "repetition operator missing expression");
	if (x->rep) {
		/* Rust stacks repetitions (a** is (?:a*)*); PCRE2 reads a second
		 * one as possessive or an error: make the nesting explicit. */
		size_t at = x->atom, len = x->out.len;
		if (nx_buf_put(&x->out, "(?:", 3) == 0) {
			memmove(x->out.p + at + 3, x->out.p + at, len - at);
			memcpy(x->out.p + at, "(?:", 3);
		}
		puts_(x, ")");
	}
	if (c != '{') {
		put(x, s + x->i++, 1);
	} else {
		x->i++;
		uint64_t m = 0, n = 0;
		size_t k = nx_cursor_decimal(s + x->i, (size_t)-1, &m);	/* stops at the NUL */
		if (!k)
			return bad(x, s[x->i] ? "repetition quantifier expects a valid decimal"
					       : "unclosed counted repetition");
		x->i += k;
		int comma = s[x->i] == ',', has_n = 0;
		if (comma) {
			x->i++;
			k = nx_cursor_decimal(s + x->i, (size_t)-1, &n);
			has_n = k != 0;
			x->i += k;
		}
		if (s[x->i] != '}')
			return bad(x, "unclosed counted repetition");
		x->i++;
		if (has_n && m > n)
			return bad(x, "invalid repetition count range, the start must be <= the end");
		if (m > 65535 || n > 65535)
			return unsup(x, "repetition count above 65535");
		char tmp[48];
		if (!comma)
			snprintf(tmp, sizeof tmp, "{%u}", (unsigned)m);
		else if (!has_n)
			snprintf(tmp, sizeof tmp, "{%u,}", (unsigned)m);
		else
			snprintf(tmp, sizeof tmp, "{%u,%u}", (unsigned)m, (unsigned)n);
		puts_(x, tmp);
	}
	x->rep = 1;
	return 0;
}

static int translate(struct xl *x)
{
	const char *s = x->s;
	while (s[x->i]) {
		int c = (unsigned char)s[x->i];
		if (c == '*' || c == '+' || c == '?' || c == '{') {
			if (repetition(x))
				return -1;
			continue;
		}
		size_t start = x->out.len;
		x->rep = 0;
		x->have_atom = 1;
		x->atom = start;
		if (c == '\\') {
			x->i++;
			if (escape(x, 0))
				return -1;
		} else if (c == '[') {
			x->i++;
			if (class(x))
				return -1;
		} else if (c == '(') {
			if (x->ngroups >= NEST_LIMIT)
				return bad(x, "exceed the maximum number of nested parentheses/brackets (250)");
			x->i++;
			int kind = 1;
			if (s[x->i] == '?') {
				x->i++;
				kind = group_open(x);
				if (kind < 0)
					return -1;
			} else {
				puts_(x, "(");
			}
			x->have_atom = 0;
			if (kind)
				x->groups[x->ngroups++] = start;
		} else if (c == ')') {
			if (!x->ngroups)
				return bad(x, "unopened group");
			x->i++;
			puts_(x, ")");
			x->atom = x->groups[--x->ngroups];
		} else if (c == '|') {
			x->i++;
			puts_(x, "|");
			x->have_atom = 0;
		} else {
			uint32_t cp;
			size_t l = nx_utf8_decode((const unsigned char *)s + x->i, &cp);
			put(x, s + x->i, l);
			x->i += l;
		}
	}
	if (x->ngroups)
		return bad(x, "unclosed group");
	return 0;
}

/* ---- compile and match ---- */

struct nx_rustregex {
	pcre2_code *code;
};

static void say(char *err, size_t errcap, const char *fmt, ...)
{
	if (!err || !errcap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
}

struct nx_rustregex *nx_rustregex_compile(const char *pattern, char *err, size_t errcap,
					  int *unsupported)
{
	int dummy;
	if (!unsupported)
		unsupported = &dummy;
	*unsupported = 0;
	struct xl *x = calloc(1, sizeof *x);
	if (!x) {
		say(err, errcap, "out of memory");
		return NULL;
	}
	x->s = pattern;
	nx_buf_puts(&x->out, "");
	struct nx_rustregex *r = NULL;
	if (translate(x)) {
		*unsupported = x->unsupported;
		say(err, errcap, "%s regex: %s", x->unsupported ? "unsupported" : "invalid", x->msg);
		goto out;
	}
	if (x->out.failed) {
		say(err, errcap, "out of memory");
		goto out;
	}
	pthread_once(&once, load);
	if (loaded != 1) {
		*unsupported = 1;
		say(err, errcap, "unsupported regex: %s could not be loaded", soname);
		goto out;
	}
	int code;
	PCRE2_SIZE off;
	pcre2_code *pc = P.compile((PCRE2_SPTR)x->out.p, x->out.len,
				   PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C,
				   &code, &off, NULL);
	if (!pc) {
		PCRE2_UCHAR msg[160];
		if (P.error_message(code, msg, sizeof msg) < 0)
			strcpy((char *)msg, "error");
		say(err, errcap, "invalid regex: %s", (const char *)msg);
		goto out;
	}
	r = malloc(sizeof *r);
	if (!r) {
		P.code_free(pc);
		say(err, errcap, "out of memory");
		goto out;
	}
	r->code = pc;
out:
	nx_buf_free(&x->out);
	free(x);
	return r;
}

int nx_rustregex_match(const struct nx_rustregex *r, const char *s)
{
	if (!r || !s || loaded != 1)
		return 0;
	pcre2_match_data *md = P.md_create(1, NULL);
	if (!md)
		return 0;
	int small[256], *ws = small, rc;
	size_t wscount = sizeof small / sizeof small[0];
	for (;;) {
		/* PCRE2_DFA_SHORTEST: stop at the first match, all we ask */
		rc = P.dfa_match(r->code, (PCRE2_SPTR)s, strlen(s), 0, PCRE2_DFA_SHORTEST, md, P.mctx,
				 ws, wscount);
		if (rc != PCRE2_ERROR_DFA_WSSIZE || wscount >= (1u << 20))
			break;
		wscount *= 4;
		int *bigger = ws == small ? malloc(wscount * sizeof *ws) : realloc(ws, wscount * sizeof *ws);
		if (!bigger)
			break;
		ws = bigger;
	}
	if (ws != small)
		free(ws);
	P.md_free(md);
	return rc >= 0;
}

void nx_rustregex_free(struct nx_rustregex *r)
{
	if (!r)
		return;
	if (loaded == 1)
		P.code_free(r->code);
	free(r);
}
