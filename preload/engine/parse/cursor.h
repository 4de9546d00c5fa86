/* cursor.h — the one text-parsing idiom of engine/parse.
 *
 * Owns: the cursor every hand-written parser here walks text with (the
 * reporter and libtest line parsers, TOML, filtersets, cfg() platform
 * specs): the text, the position, the first error with its position, the
 * nesting depth and value count the tree parsers bound; plus the small
 * helpers they all need: an unsigned decimal without overflow, digits, hex
 * digits, identifier characters.  UTF-8 is utf8.h's; growable output goes
 * to engine/encode/buf.h.
 * Nothing here allocates.
 */
#ifndef NX_CURSOR_H
#define NX_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct nx_cursor {
	const char *s;
	size_t n, pos;		/* every read stays below n */
	size_t line;		/* 0: errors say "at <pos>: "; else "line <line>: " */
	int depth;		/* nesting, for the parsers that bound it */
	size_t nodes;		/* values built, for the parsers that bound them */
	char *err;		/* first error message (may be NULL) */
	size_t errcap;
	int failed;
};

/* The byte at pos (+off), or -1 at the end. */
static inline int nx_cursor_peek(const struct nx_cursor *c)
{
	return c->pos < c->n ? (unsigned char)c->s[c->pos] : -1;
}

static inline int nx_cursor_peek_at(const struct nx_cursor *c, size_t off)
{
	return c->pos + off < c->n ? (unsigned char)c->s[c->pos + off] : -1;
}

static inline int nx_cursor_at_end(const struct nx_cursor *c)
{
	return c->pos >= c->n;
}

/* 1 if lit comes next (nothing consumed). */
static inline int nx_cursor_starts(const struct nx_cursor *c, const char *lit)
{
	size_t k = strlen(lit);
	return c->n - c->pos >= k && memcmp(c->s + c->pos, lit, k) == 0;
}

/* Consumes lit if it comes next: 1, else 0. */
static inline int nx_cursor_eat(struct nx_cursor *c, const char *lit)
{
	size_t k = strlen(lit);
	if (c->n - c->pos < k || memcmp(c->s + c->pos, lit, k) != 0)
		return 0;
	c->pos += k;
	return 1;
}

static inline int nx_cursor_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A letter, digit or '_' (ASCII): identifiers of filtersets and cfg(). */
static inline int nx_cursor_is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || nx_cursor_is_digit(c) || c == '_';
}

/* Records the first error ("at <pos>: …" or "line <line>: …") and sets
 * failed; later calls keep the first message. */
void nx_cursor_fail(struct nx_cursor *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An unsigned decimal of at least one digit at p (at most n bytes): the
 * number of bytes it spans, or 0 (nothing stored) if there is no digit or
 * the value overflows 64 bits. */
size_t nx_cursor_decimal(const char *p, size_t n, uint64_t *v);

/* nx_cursor_decimal at the cursor, consuming the digits: 1, or 0 (nothing consumed). */
int nx_cursor_udec(struct nx_cursor *c, uint64_t *v);

/* The value of a hex digit, or -1. */
int nx_cursor_hexval(int c);

#endif
