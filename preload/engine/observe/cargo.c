/* cargo.c — the test-binary registry fed by cargo's JSON messages. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cargo.h"
#include "cjson.h"
#include "lines.h"
#include "nxchild.h"

#define MAX_BINARIES 4096
#define MAX_LINE (1024 * 1024)

struct binary {
	char *path;
	char *id;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct binary binaries[MAX_BINARIES];
static size_t nbinaries;
static int cargo_fd = -1;		/* read end of the cargo build's stdout */
static struct nx_lines cargo_lines;

void nx_cargo_spawned(char *const argv[], const struct nx_child_pipes *pipes)
{
	if (pipes->out_fd < 0 || !nx_is_cargo_build(argv))
		return;
	pthread_mutex_lock(&lock);
	if (cargo_fd < 0) {
		cargo_fd = pipes->out_fd;
		nx_lines_init(&cargo_lines, MAX_LINE);
	}
	pthread_mutex_unlock(&lock);
}

int nx_cargo_fd(int fd)
{
	return fd >= 0 && fd == __atomic_load_n(&cargo_fd, __ATOMIC_RELAXED);
}

static void on_line(void *ctx, const char *line, size_t len, int truncated)
{
	(void)ctx;
	if (!truncated)
		nx_cargo_line(line, len);
}

void nx_cargo_read(int fd, const void *buf, ssize_t n)
{
	pthread_mutex_lock(&lock);
	if (fd == cargo_fd) {
		if (n > 0) {
			nx_lines_feed(&cargo_lines, buf, (size_t)n, on_line, NULL);
		} else if (n == 0) {
			nx_lines_finish(&cargo_lines, on_line, NULL);
			cargo_fd = -1;
		}
	}
	pthread_mutex_unlock(&lock);
}

void nx_cargo_closing(int fd)
{
	pthread_mutex_lock(&lock);
	if (fd == cargo_fd) {
		nx_lines_finish(&cargo_lines, on_line, NULL);
		cargo_fd = -1;
	}
	pthread_mutex_unlock(&lock);
}

/* Package name from a cargo package id: `name version (source)` (old cargo)
 * or `source#name@version` / `source#version` (cargo >= 1.77, where the name
 * is then the last path segment of the source URL). */
static int package_name(const char *id, char *out, size_t cap)
{
	const char *b, *e;
	const char *hash = strchr(id, '#');
	if (!hash) {
		b = id;
		e = strchr(id, ' ');
		if (!e)
			e = id + strlen(id);
	} else {
		const char *at = strchr(hash + 1, '@');
		if (at) {
			b = hash + 1;
			e = at;
		} else {
			e = hash;
			b = e;
			while (b > id && b[-1] != '/')
				b--;
		}
	}
	size_t n = (size_t)(e - b);
	if (n == 0 || n + 1 > cap)
		return 0;
	memcpy(out, b, n);
	out[n] = '\0';
	return 1;
}

static int is_lib_kind(const char *k)
{
	static const char *const libs[] = { "lib", "rlib", "dylib", "cdylib", "staticlib" };
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (strcmp(k, libs[i]) == 0)
			return 1;
	return 0;
}

int nx_cargo_format_id(const char *package_id, const char *const *kinds, size_t nkinds,
		       const char *target_name, char *out, size_t cap)
{
	if (nkinds == 0 || !package_name(package_id, out, cap))
		return 0;
	int lib = 0;
	for (size_t i = 0; i < nkinds; i++)
		lib |= is_lib_kind(kinds[i]);
	if (lib || strcmp(kinds[0], "proc-macro") == 0)
		return 1;
	size_t n = strlen(out);
	const char *kind = kinds[0];
	size_t need = n + 2 + strlen(target_name) + 1 +
		      (strcmp(kind, "test") == 0 ? 0 : strlen(kind) + 1);
	if (need > cap)
		return 0;
	if (strcmp(kind, "test") == 0)
		strcat(strcat(out, "::"), target_name);
	else
		strcat(strcat(strcat(strcat(out, "::"), kind), "/"), target_name);
	return 1;
}

static void remember(const char *path, const char *id)
{
	for (size_t i = 0; i < nbinaries; i++)
		if (strcmp(binaries[i].path, path) == 0)
			return;
	if (nbinaries == MAX_BINARIES)
		return;
	char *p = strdup(path), *d = strdup(id);
	if (!p || !d) {
		free(p);
		free(d);
		return;
	}
	binaries[nbinaries++] = (struct binary){ p, d };
}

/* Called with the lock held (from nx_cargo_read) or alone (tests). */
void nx_cargo_line(const char *line, size_t len)
{
	if (len == 0 || line[0] != '{' || !memmem(line, len, "compiler-artifact", 17))
		return;
	const struct nx_cjson *j = nx_cjson();
	if (!j)
		return;
	cJSON *msg = j->parse(line, len);
	if (!msg)
		return;
	const char *reason = nx_cjson_str(j, msg, "reason");
	const char *exe = nx_cjson_str(j, msg, "executable");
	const char *pkg = nx_cjson_str(j, msg, "package_id");
	const cJSON *target = j->get(msg, "target");
	const cJSON *profile = j->get(msg, "profile");
	const cJSON *test = profile ? j->get(profile, "test") : NULL;
	const char *name = nx_cjson_str(j, target, "name");
	const cJSON *kind = target ? j->get(target, "kind") : NULL;
	if (reason && strcmp(reason, "compiler-artifact") == 0 && exe && pkg && name && kind &&
	    test && (test->type & 0xff) == cJSON_True && (kind->type & 0xff) == cJSON_Array) {
		const char *kinds[16];
		size_t nk = 0;
		for (const cJSON *k = kind->child; k && nk < 16; k = k->next)
			if ((k->type & 0xff) == cJSON_String)
				kinds[nk++] = k->valuestring;
		char id[1024];
		if (nx_cargo_format_id(pkg, kinds, nk, name, id, sizeof(id)))
			remember(exe, id);
	}
	j->del(msg);
}

int nx_cargo_binary_id(const char *path, char *out, size_t cap)
{
	int found = 0;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nbinaries && !found; i++) {
		if (strcmp(binaries[i].path, path) == 0 && strlen(binaries[i].id) < cap) {
			strcpy(out, binaries[i].id);
			found = 1;
		}
	}
	pthread_mutex_unlock(&lock);
	return found;
}
