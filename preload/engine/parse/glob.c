/* glob.c — globset-style glob matching (see glob.h).
 *
 * Owns: expanding {a,b} alternatives (at most GLOB_MAX_ALTS, not nested),
 * [..] [!..] classes, and the matcher of * and ? over UTF-8 characters,
 * which remembers only the last star (no exponential backtracking).
 */
#include "glob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

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
		p += nx_utf8_decode(p, &lo);
		hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			p++;
			p += nx_utf8_decode(p, &hi);
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
		size_t sl = nx_utf8_decode(s, &cs);
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
			np = p + nx_utf8_decode(p, &cp);
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
		star_s += nx_utf8_decode(star_s, &skip);
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

/* The index of the first byte of pat at or after i, outside any [class],
 * that is one of stops; len when there is none; -1 for a malformed class. */
static long next_of(const char *pat, size_t i, size_t len, const char *stops)
{
	for (; i < len; i++) {
		if (pat[i] == '[') {
			size_t j = skip_class(pat, i);
			if (!j)
				return -1;
			i = j - 1;
		} else if (strchr(stops, pat[i])) {
			return (long)i;
		}
	}
	return (long)len;
}

/* Expands the first {a,b} group of pat recursively into out[]. */
static int glob_expand(const char *pat, char **out, size_t *n)
{
	size_t len = strlen(pat);
	long o = next_of(pat, 0, len, "{");
	if (o < 0)
		return -1;
	size_t open = (size_t)o;
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
	size_t close, commas[GLOB_MAX_ALTS], nc = 0;
	for (long i = next_of(pat, open + 1, len, "{,}");; i = next_of(pat, (size_t)i + 1, len, "{,}")) {
		/* a malformed class, an unclosed group, nested alternates */
		if (i < 0 || (size_t)i == len || pat[i] == '{')
			return -1;
		if (pat[i] == '}') {
			close = (size_t)i;
			break;
		}
		if (nc == GLOB_MAX_ALTS)
			return -1;
		commas[nc++] = (size_t)i;
	}
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
