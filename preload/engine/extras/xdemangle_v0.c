/* extras/xdemangle_v0.c — Rust v0 symbol names (_R…) made readable.
 *
 * Owns: a bounded, allocation-free reading of the v0 mangling (RFC 2603) for
 * frame names: paths (crate roots, nested names, inherent and trait impls,
 * back-references), with generic arguments left out and closures shown as
 * {closure}.  Types inside impl paths are read (basic types, references,
 * pointers, slices, arrays, tuples, paths); function-pointer and dyn types,
 * or anything unexpected, make it give up (the caller keeps the raw name).
 * Async-signal-safe.
 */
#include <stddef.h>
#include <string.h>

#include "xsym.h"

struct v0 {
	const char *s;	/* after "_R" */
	size_t n, pos;
	char *out;
	size_t o, cap;
	int depth, err, quiet;	/* quiet > 0: parse without printing */
};

static void put(struct v0 *p, const char *t, size_t n)
{
	if (p->quiet)
		return;
	for (size_t i = 0; i < n; i++) {
		if (p->o + 1 >= p->cap) {
			p->err = 1;
			return;
		}
		p->out[p->o++] = t[i];
	}
}

static void puts_(struct v0 *p, const char *t)
{
	put(p, t, strlen(t));
}

static int peek(struct v0 *p)
{
	return p->pos < p->n ? (unsigned char)p->s[p->pos] : 0;
}

static int eat(struct v0 *p, char c)
{
	if (peek(p) == c) {
		p->pos++;
		return 1;
	}
	return 0;
}

static size_t base62(struct v0 *p)
{
	if (eat(p, '_'))
		return 0;
	size_t v = 0;
	for (;;) {
		int c = peek(p);
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'Z')
			d = c - 'A' + 36;
		else if (c == '_') {
			p->pos++;
			return v + 1;
		} else {
			p->err = 1;
			return 0;
		}
		p->pos++;
		v = v * 62 + (size_t)d;	/* disambiguators are hashes: may wrap */
	}
}

static void ident(struct v0 *p, int print)
{
	if (eat(p, 's'))
		base62(p);
	int punycode = eat(p, 'u');
	size_t len = 0;
	if (peek(p) < '0' || peek(p) > '9') {
		p->err = 1;
		return;
	}
	while (peek(p) >= '0' && peek(p) <= '9')
		len = len * 10 + (size_t)(p->pos++, p->s[p->pos - 1] - '0');
	eat(p, '_');
	if (len > p->n - p->pos || punycode) {
		p->err = 1;
		return;
	}
	if (print)
		put(p, p->s + p->pos, len);
	p->pos += len;
}

static void path(struct v0 *p);
static void type(struct v0 *p);

static void backref(struct v0 *p, void (*fn)(struct v0 *))
{
	size_t at = p->pos - 1;
	size_t target = base62(p);
	if (p->err || target >= at) {
		p->err = 1;
		return;
	}
	size_t back = p->pos;
	p->pos = target;
	fn(p);
	p->pos = back;
}

static void konst(struct v0 *p)
{
	if (eat(p, 'B')) {
		backref(p, konst);
		return;
	}
	if (eat(p, 'p'))
		return;
	p->quiet++;
	type(p);
	p->quiet--;
	eat(p, 'n');
	while (peek(p) && peek(p) != '_')
		p->pos++;
	if (!eat(p, '_'))
		p->err = 1;
}

static void generic_args(struct v0 *p)
{
	p->quiet++;
	while (!p->err && !eat(p, 'E')) {
		if (!peek(p)) {
			p->err = 1;
			break;
		}
		if (eat(p, 'L'))
			base62(p);
		else if (eat(p, 'K'))
			konst(p);
		else
			type(p);
	}
	p->quiet--;
}

static void type(struct v0 *p)
{
	static const char *const basic[26] = {
		['a' - 'a'] = "i8", ['b' - 'a'] = "bool", ['c' - 'a'] = "char", ['d' - 'a'] = "f64",
		['e' - 'a'] = "str", ['f' - 'a'] = "f32", ['h' - 'a'] = "u8", ['i' - 'a'] = "isize",
		['j' - 'a'] = "usize", ['l' - 'a'] = "i32", ['m' - 'a'] = "u32", ['n' - 'a'] = "i128",
		['o' - 'a'] = "u128", ['s' - 'a'] = "i16", ['t' - 'a'] = "u16", ['u' - 'a'] = "()",
		['v' - 'a'] = "...", ['x' - 'a'] = "i64", ['y' - 'a'] = "u64", ['z' - 'a'] = "!",
		['p' - 'a'] = "_",
	};
	if (++p->depth > 64) {
		p->err = 1;
		return;
	}
	int c = peek(p);
	if (c >= 'a' && c <= 'z' && basic[c - 'a']) {
		p->pos++;
		puts_(p, basic[c - 'a']);
	} else if (eat(p, 'R') || eat(p, 'Q')) {
		puts_(p, p->s[p->pos - 1] == 'R' ? "&" : "&mut ");
		if (eat(p, 'L'))
			base62(p);
		type(p);
	} else if (eat(p, 'P') || eat(p, 'O')) {
		puts_(p, p->s[p->pos - 1] == 'P' ? "*const " : "*mut ");
		type(p);
	} else if (eat(p, 'S')) {
		puts_(p, "[");
		type(p);
		puts_(p, "]");
	} else if (eat(p, 'A')) {
		puts_(p, "[");
		type(p);
		puts_(p, "; _]");
		konst(p);
	} else if (eat(p, 'T')) {
		puts_(p, "(");
		for (int first = 1; !p->err && !eat(p, 'E'); first = 0) {
			if (!peek(p)) {
				p->err = 1;
				break;
			}
			if (!first)
				puts_(p, ", ");
			type(p);
		}
		puts_(p, ")");
	} else if (eat(p, 'B')) {
		backref(p, type);
	} else if (c == 'C' || c == 'M' || c == 'X' || c == 'Y' || c == 'N' || c == 'I') {
		path(p);
	} else {
		p->err = 1;	/* fn pointers, dyn, …: give up */
	}
	p->depth--;
}

static void path(struct v0 *p)
{
	if (++p->depth > 64) {
		p->err = 1;
		return;
	}
	if (eat(p, 'C')) {
		ident(p, 1);
	} else if (eat(p, 'N')) {
		int ns = peek(p);
		p->pos++;
		path(p);
		if (ns >= 'A' && ns <= 'Z') {
			puts_(p, ns == 'C' ? "::{closure}" : "::{shim}");
			ident(p, 0);
		} else {
			size_t mark = p->o;
			puts_(p, "::");
			size_t before = p->o;
			ident(p, 1);
			if (p->o == before)
				p->o = mark;	/* empty name */
		}
	} else if (eat(p, 'M')) {
		if (eat(p, 's'))
			base62(p);
		p->quiet++;
		path(p);
		p->quiet--;
		puts_(p, "<");
		type(p);
		puts_(p, ">");
	} else if (eat(p, 'X')) {
		if (eat(p, 's'))
			base62(p);
		p->quiet++;
		path(p);
		p->quiet--;
		puts_(p, "<");
		type(p);
		puts_(p, " as ");
		path(p);
		puts_(p, ">");
	} else if (eat(p, 'Y')) {
		puts_(p, "<");
		type(p);
		puts_(p, " as ");
		path(p);
		puts_(p, ">");
	} else if (eat(p, 'I')) {
		path(p);
		generic_args(p);
	} else if (eat(p, 'B')) {
		backref(p, path);
	} else {
		p->err = 1;
	}
	p->depth--;
}

int nx_xdemangle_v0(const char *in, char *out, size_t cap)
{
	if (cap == 0 || strncmp(in, "_R", 2) != 0)
		return 0;
	struct v0 p = { in + 2, strlen(in + 2), 0, out, 0, cap, 0, 0, 0 };
	while (peek(&p) >= '0' && peek(&p) <= '9')	/* encoding version */
		p.pos++;
	path(&p);
	if (p.err || p.o == 0)
		return 0;
	out[p.o] = '\0';
	return 1;
}
