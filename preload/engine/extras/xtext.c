/* extras/xtext.c — see xtext.h.  Everything here is async-signal-safe. */
#if defined(__linux__)
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xtext.h"

void nx_xt_init(struct nx_xt *t, char *buf, size_t cap)
{
	t->p = buf;
	t->len = 0;
	t->cap = cap;
	t->cut = 0;
	if (cap)
		buf[0] = '\0';
}

void nx_xt_putc(struct nx_xt *t, char c)
{
	if (t->len + 1 >= t->cap) {
		t->cut = 1;
		return;
	}
	t->p[t->len++] = c;
	t->p[t->len] = '\0';
}

void nx_xt_puts(struct nx_xt *t, const char *s)
{
	while (s && *s)
		nx_xt_putc(t, *s++);
}

void nx_xt_u64(struct nx_xt *t, uint64_t v)
{
	char d[24];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		nx_xt_putc(t, d[--n]);
}

void nx_xt_i64(struct nx_xt *t, int64_t v)
{
	if (v < 0) {
		nx_xt_putc(t, '-');
		nx_xt_u64(t, (uint64_t)0 - (uint64_t)v);
	} else {
		nx_xt_u64(t, (uint64_t)v);
	}
}

void nx_xt_json(struct nx_xt *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	nx_xt_putc(t, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '"': nx_xt_puts(t, "\\\""); break;
		case '\\': nx_xt_puts(t, "\\\\"); break;
		case '\b': nx_xt_puts(t, "\\b"); break;
		case '\t': nx_xt_puts(t, "\\t"); break;
		case '\n': nx_xt_puts(t, "\\n"); break;
		case '\f': nx_xt_puts(t, "\\f"); break;
		case '\r': nx_xt_puts(t, "\\r"); break;
		default:
			if (c < 0x20) {
				nx_xt_puts(t, "\\u00");
				nx_xt_putc(t, hex[c >> 4]);
				nx_xt_putc(t, hex[c & 15]);
			} else {
				nx_xt_putc(t, (char)c);
			}
		}
	}
	nx_xt_putc(t, '"');
}

void nx_xt_nul(struct nx_xt *t)
{
	if (t->len + 1 >= t->cap) {
		t->cut = 1;
		return;
	}
	t->p[t->len++] = '\0';
	t->p[t->len] = '\0';
}

size_t nx_xt_str(struct nx_xt *t, const char *s)
{
	size_t off = t->len;
	nx_xt_puts(t, s);
	nx_xt_nul(t);
	return off;
}

ssize_t nx_xt_read_file(const char *path, char *buf, size_t cap)
{
	if (cap == 0)
		return -1;
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n + 1 < cap) {
		long r = syscall(SYS_read, fd, buf + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	syscall(SYS_close, fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

static void put_dec(struct nx_xt *t, long v)
{
	nx_xt_i64(t, v);
}

void nx_xt_proc_path(char *out, size_t cap, pid_t pid, pid_t tid, const char *leaf)
{
	struct nx_xt t;
	nx_xt_init(&t, out, cap);
	nx_xt_puts(&t, "/proc/");
	put_dec(&t, pid);
	if (tid > 0) {
		nx_xt_puts(&t, "/task/");
		put_dec(&t, tid);
	}
	nx_xt_putc(&t, '/');
	nx_xt_puts(&t, leaf);
}

static void key(struct nx_xt *t, const char *name)
{
	nx_xt_puts(t, ",\"");
	nx_xt_puts(t, name);
	nx_xt_puts(t, "\":");
}

void nx_xt_open(struct nx_xt *t, const char *attempt_id)
{
	nx_xt_puts(t, "{\"ok\":{\"attempt_id\":");
	nx_xt_json(t, attempt_id);
}

static void f_null(struct nx_xt *t, const char *name)
{
	key(t, name);
	nx_xt_puts(t, "null");
}

void nx_xt_f_json(struct nx_xt *t, const char *name, const char *s)
{
	key(t, name);
	nx_xt_json(t, s);
}

void nx_xt_f_u64(struct nx_xt *t, const char *name, uint64_t v)
{
	key(t, name);
	nx_xt_u64(t, v);
}

void nx_xt_f_i64(struct nx_xt *t, const char *name, int64_t v)
{
	key(t, name);
	nx_xt_i64(t, v);
}

void nx_xt_f_opt_u64(struct nx_xt *t, const char *name, int has, uint64_t v)
{
	if (has)
		nx_xt_f_u64(t, name, v);
	else
		f_null(t, name);
}

void nx_xt_f_opt_i64(struct nx_xt *t, const char *name, int has, int64_t v)
{
	if (has)
		nx_xt_f_i64(t, name, v);
	else
		f_null(t, name);
}

void nx_xt_close(struct nx_xt *t)
{
	nx_xt_puts(t, "}}");
	nx_xt_nul(t);
}

void nx_xt_frame_fields(struct nx_xt *t, uint64_t ip, const char *module, uint64_t module_offset,
			const char *symbol, uint64_t symbol_offset)
{
	nx_xt_f_u64(t, "ip", ip);
	nx_xt_f_json(t, "module", module);
	nx_xt_f_u64(t, "module_offset", module_offset);
	nx_xt_f_json(t, "symbol", symbol);
	nx_xt_f_u64(t, "symbol_offset", symbol_offset);
	nx_xt_close(t);
}

#else
typedef int nx_x_linux_only;	/* not an empty translation unit */

#endif
