/* toml.h — a small, bounded TOML parser for nextest configuration files.
 *
 * Owns: turning TOML text into a tree (tables, arrays, strings, integers,
 * floats, booleans, date-times kept as text), looking values up, and deep
 * merging one tree into another the way the `config` crate layers nextest's
 * config sources (tables merge key by key, anything else is replaced).
 * Supported: comments, bare/quoted/dotted keys, [tables], [[arrays of
 * tables]], inline tables, arrays, basic/literal strings and their multi-line
 * forms, decimal/hex/octal/binary integers with '_', floats, inf/nan, bools.
 * Input is limited to NX_TOML_MAX_INPUT bytes, NX_TOML_MAX_NODES values and
 * NX_TOML_MAX_DEPTH nesting; every malformed input is an error return, never
 * a crash.  Parent-process code: uses malloc.
 */
#ifndef NX_TOML_H
#define NX_TOML_H

#include <stddef.h>

#define NX_TOML_MAX_INPUT (1u << 20)
#define NX_TOML_MAX_NODES 100000
#define NX_TOML_MAX_DEPTH 64

enum nx_toml_type {
	NX_TOML_TABLE = 1,
	NX_TOML_ARRAY,
	NX_TOML_STRING,
	NX_TOML_INT,
	NX_TOML_FLOAT,
	NX_TOML_BOOL,
	NX_TOML_DATETIME,	/* text in str */
};

struct nx_toml {
	enum nx_toml_type type;
	char *key;		/* key in the parent table; NULL for array items and the root */
	struct nx_toml *next;	/* next sibling, in document order */
	struct nx_toml *head, *tail;	/* children of a table or array */
	size_t count;		/* number of children */
	char *str;		/* STRING / DATETIME, NUL-terminated */
	size_t len;		/* bytes in str (a string never contains NUL) */
	long long i;		/* INT; BOOL as 0/1 */
	double f;		/* FLOAT */
	unsigned char flags;	/* parser bookkeeping (NX_TOML_F_*) */
};

#define NX_TOML_F_DEFINED 1	/* table opened by a [header] */
#define NX_TOML_F_DOTTED 2	/* table created by a dotted key */
#define NX_TOML_F_INLINE 4	/* inline table / static array: frozen */
#define NX_TOML_F_AOT 8		/* array created by [[header]] */

/* Parse len bytes of text.  Returns the root table, or NULL with a message
 * ("line N: …") in err (if errcap > 0). */
struct nx_toml *nx_toml_parse(const char *text, size_t len, char *err, size_t errcap);
void nx_toml_free(struct nx_toml *t);

/* The value under key in a table (NULL if absent or t is not a table). */
const struct nx_toml *nx_toml_get(const struct nx_toml *t, const char *key);
/* Item i of an array or table, NULL if out of range. */
const struct nx_toml *nx_toml_at(const struct nx_toml *t, size_t i);
/* Convenience: the string of a STRING value, else NULL. */
const char *nx_toml_str(const struct nx_toml *v);

/* Deep copy.  NULL on allocation failure. */
struct nx_toml *nx_toml_clone(const struct nx_toml *t);
/* Merge table src into table dst (src wins): a key present in both whose
 * values are both tables is merged recursively, otherwise dst's value is
 * replaced (keeping its position); new keys are appended.  0 / -1. */
int nx_toml_merge(struct nx_toml *dst, const struct nx_toml *src);

#endif
