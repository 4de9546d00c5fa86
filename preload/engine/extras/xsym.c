/* extras/xsym.c — see xsym.h.  Async-signal-safe: raw syscalls and mmap. */
#if defined(__linux__)
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xsym.h"

static uint64_t hexnum(const char **s)
{
	uint64_t v = 0;
	for (;; (*s)++) {
		char c = **s;
		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

struct line {
	uint64_t start, end, off;
	int exec;
	const char *path;	/* points into maps, up to end of line */
	size_t path_len;
};

/* Parses one maps line; returns the start of the next line or NULL. */
static const char *next_line(const char *s, struct line *l)
{
	if (!s || !*s)
		return NULL;
	const char *p = s;
	l->start = hexnum(&p);
	if (*p == '-')
		p++;
	l->end = hexnum(&p);
	while (*p == ' ')
		p++;
	l->exec = 0;
	while (*p && *p != ' ' && *p != '\n') {	/* perms */
		if (*p == 'x')
			l->exec = 1;
		p++;
	}
	while (*p == ' ')
		p++;
	l->off = hexnum(&p);
	for (int field = 0; field < 2; field++) {	/* dev, inode */
		while (*p == ' ')
			p++;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	while (*p == ' ')
		p++;
	l->path = p;
	while (*p && *p != '\n')
		p++;
	l->path_len = (size_t)(p - l->path);
	return *p ? p + 1 : p;
}

static int same_path(const struct line *a, const struct line *b)
{
	return a->path_len == b->path_len && memcmp(a->path, b->path, a->path_len) == 0;
}

static void *map_file(struct nx_xsym_cache *c, const char *path)
{
	if (c->map && strcmp(c->path, path) == 0)
		return c->map;
	nx_xsym_release(c);
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *m = MAP_FAILED;
	if (syscall(SYS_fstat, fd, &st) == 0 && st.st_size >= (off_t)sizeof(Elf64_Ehdr))
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, (int)fd, 0);
	syscall(SYS_close, fd);
	if (m == MAP_FAILED)
		return NULL;
	size_t n = strlen(path);
	if (n >= sizeof c->path)
		n = sizeof c->path - 1;
	memcpy(c->path, path, n);
	c->path[n] = '\0';
	c->map = m;
	c->len = (size_t)st.st_size;
	return m;
}

void nx_xsym_release(struct nx_xsym_cache *c)
{
	if (c->map)
		munmap(c->map, c->len);
	c->map = NULL;
	c->len = 0;
	c->path[0] = '\0';
}

static const Elf64_Shdr *find_section(const char *m, size_t len, const Elf64_Ehdr *eh,
				      uint32_t type)
{
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff > len || (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > len - eh->e_shoff)
		return NULL;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(m + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == type && sh[i].sh_link < eh->e_shnum)
			return &sh[i];
	return NULL;
}

static int lookup(const char *m, size_t len, const Elf64_Ehdr *eh, uint32_t type,
		  uint64_t v, char *name, size_t cap, uint64_t *off)
{
	const Elf64_Shdr *st = find_section(m, len, eh, type);
	if (!st || st->sh_offset > len || st->sh_size > len - st->sh_offset ||
	    st->sh_entsize != sizeof(Elf64_Sym))
		return 0;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(m + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[st->sh_link];
	if (strs->sh_offset > len || strs->sh_size > len - strs->sh_offset)
		return 0;
	const Elf64_Sym *sym = (const Elf64_Sym *)(m + st->sh_offset);
	size_t n = st->sh_size / sizeof(Elf64_Sym);
	for (size_t i = 0; i < n; i++) {
		int t = ELF64_ST_TYPE(sym[i].st_info);
		if ((t != STT_FUNC && t != STT_GNU_IFUNC) || sym[i].st_shndx == SHN_UNDEF)
			continue;
		if (v < sym[i].st_value || v - sym[i].st_value >= (sym[i].st_size ? sym[i].st_size : 1))
			continue;
		if (sym[i].st_name >= strs->sh_size)
			continue;
		const char *s = m + strs->sh_offset + sym[i].st_name;
		size_t k = 0;
		while (k + 1 < cap && sym[i].st_name + k < strs->sh_size && s[k]) {
			name[k] = s[k];
			k++;
		}
		name[k] = '\0';
		*off = v - sym[i].st_value;
		return 1;
	}
	return 0;
}

int nx_xsym_is_code(const char *maps, uint64_t addr)
{
	struct line l;
	for (const char *s = maps; (s = next_line(s, &l));)
		if (addr >= l.start && addr < l.end)
			return l.exec;
	return 0;
}

void nx_xsym_describe(const char *maps, struct nx_xsym_cache *c, struct nx_xframe *f,
		      int is_return)
{
	uint64_t addr = is_return && f->ip ? f->ip - 1 : f->ip;
	struct line l, hit = { 0 }, base = { 0 };
	int found = 0;
	f->module[0] = f->symbol[0] = '\0';
	f->module_offset = f->symbol_offset = 0;
	for (const char *s = maps; (s = next_line(s, &l));) {
		if (addr >= l.start && addr < l.end) {
			hit = l;
			found = 1;
			break;
		}
	}
	if (!found || hit.path_len == 0 || hit.path[0] != '/')
		return;
	int have_base = 0;
	for (const char *s = maps; (s = next_line(s, &l));) {
		if (l.off == 0 && same_path(&l, &hit) && l.start <= hit.start) {
			base = l;
			have_base = 1;
		}
	}
	size_t n = hit.path_len < sizeof f->module - 1 ? hit.path_len : sizeof f->module - 1;
	memcpy(f->module, hit.path, n);
	f->module[n] = '\0';
	uint64_t b = have_base ? base.start : hit.start - hit.off;
	f->module_offset = f->ip - b;
	if (n != hit.path_len || strstr(f->module, " (deleted)"))
		return;
	const char *m = map_file(c, f->module);
	if (!m)
		return;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return;
	uint64_t v = eh->e_type == ET_DYN ? addr - b : addr;
	f->module_offset = eh->e_type == ET_DYN ? f->ip - b : f->ip;
	char raw[sizeof f->symbol];
	uint64_t off = 0;
	if (lookup(m, c->len, eh, SHT_SYMTAB, v, raw, sizeof raw, &off) ||
	    lookup(m, c->len, eh, SHT_DYNSYM, v, raw, sizeof raw, &off)) {
		if (!nx_xdemangle(raw, f->symbol, sizeof f->symbol) &&
		    !nx_xdemangle_v0(raw, f->symbol, sizeof f->symbol))
			memcpy(f->symbol, raw, sizeof raw);
		f->symbol_offset = off + (addr != f->ip ? 1 : 0);
	}
}

/* ---- legacy Rust demangling: _ZN <len><ident>… E, hash 17h<16 hex> dropped ---- */

static const struct { const char *esc, *out; } escapes[] = {
	{ "$SP$", "@" }, { "$BP$", "*" }, { "$RF$", "&" }, { "$LT$", "<" }, { "$GT$", ">" },
	{ "$LP$", "(" }, { "$RP$", ")" }, { "$C$", "," }, { "$u7e$", "~" }, { "$u20$", " " },
	{ "$u27$", "'" }, { "$u5b$", "[" }, { "$u5d$", "]" }, { "$u7b$", "{" }, { "$u7d$", "}" },
	{ "$u3b$", ";" }, { "$u2b$", "+" }, { "$u22$", "\"" },
};

static int is_hash(const char *s, size_t n)
{
	if (n != 17 || s[0] != 'h')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int nx_xdemangle(const char *in, char *out, size_t cap)
{
	if (cap == 0 || strncmp(in, "_ZN", 3) != 0)
		return 0;
	const char *p = in + 3;
	size_t o = 0;
	int first = 1;
	while (*p && *p != 'E') {
		size_t n = 0;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			n = n * 10 + (size_t)(*p++ - '0');
		if (n == 0 || strnlen(p, n) < n)
			return 0;
		const char *id = p;
		p += n;
		if (*p == 'E' && is_hash(id, n))
			break;
		if (!first) {
			if (o + 2 >= cap)
				return 0;
			out[o++] = ':';
			out[o++] = ':';
		}
		first = 0;
		if (n >= 2 && id[0] == '_' && id[1] == '$') {
			id++;
			n--;
		}
		for (size_t i = 0; i < n;) {
			const char *rep = NULL;
			size_t used = 1;
			if (id[i] == '.' && i + 1 < n && id[i + 1] == '.') {
				rep = "::";
				used = 2;
			} else if (id[i] == '$') {
				for (size_t k = 0; k < sizeof escapes / sizeof escapes[0]; k++) {
					size_t el = strlen(escapes[k].esc);
					if (el <= n - i && memcmp(id + i, escapes[k].esc, el) == 0) {
						rep = escapes[k].out;
						used = el;
						break;
					}
				}
			}
			if (rep) {
				for (; *rep; rep++) {
					if (o + 1 >= cap)
						return 0;
					out[o++] = *rep;
				}
			} else {
				if (o + 1 >= cap)
					return 0;
				out[o++] = id[i];
			}
			i += used;
		}
	}
	if (*p != 'E' || first)
		return 0;
	out[o] = '\0';
	return 1;
}

#else
typedef int nx_x_linux_only;	/* not an empty translation unit */
#endif
