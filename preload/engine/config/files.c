/* files.c — reading the config files and finding the workspace root (see
 * loader.h); every file read is bounded and parsed into a kept tree. */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "toml.h"

/* Reads a whole file (bounded).  1 = read, 0 = absent, -1 = error. */
static int read_file(struct nx_config *c, const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return nx_loader_err(c, "%s: %s", path, strerror(errno));
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return nx_loader_err(c, "out of memory");
	}
	for (;;) {
		if (n == cap) {
			if (cap > NX_TOML_MAX_INPUT) {
				free(buf);
				close(fd);
				return nx_loader_err(c, "%s: file too large", path);
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return nx_loader_err(c, "out of memory");
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			close(fd);
			return nx_loader_err(c, "%s: %s", path, strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 1;
}

static struct nx_toml *parse_kept(struct nx_config *c, const char *text, size_t len, const char *name)
{
	char msg[200];
	struct nx_toml *t = nx_toml_parse(text, len, msg, sizeof msg);
	if (!t) {
		nx_loader_err(c, "%s: %s", name, msg);
		return NULL;
	}
	if (nx_loader_keep_tree(c, t)) {
		nx_loader_err(c, "out of memory");
		return NULL;
	}
	return t;
}

/* Loads a file; *out = NULL if absent and optional. */
int nx_files_load(struct nx_config *c, const char *path, int required, const struct nx_toml **out)
{
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	int r = read_file(c, path, &text, &len);
	if (r < 0)
		return -1;
	if (r == 0)
		return required ? nx_loader_err(c, "%s: not found", path) : 0;
	const struct nx_toml *t = parse_kept(c, text, len, path);
	free(text);
	if (!t)
		return -1;
	*out = t;
	return 0;
}

static int has_workspace_table(const char *manifest)
{
	int fd = open(manifest, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	static const size_t max = 1u << 20;
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r;
	while (buf && n < max && ((r = read(fd, buf + n, max - n)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	close(fd);
	if (!buf)
		return 0;
	struct nx_toml *t = nx_toml_parse(buf, n, NULL, 0);
	free(buf);
	int ws = t && nx_toml_get(t, "workspace") != NULL;
	nx_toml_free(t);
	return ws;
}

/* Cargo's rule, simplified: the nearest Cargo.toml at or above dir is the
 * package; the nearest manifest at or above it with [workspace] is the
 * workspace root, else the package itself; no manifest at all → dir. */
char *nx_files_discover_root(const char *dir)
{
	char cur[PATH_MAX], pkg[PATH_MAX] = "", path[PATH_MAX + 16];
	if (!realpath(dir, cur))
		return strdup(dir);
	for (;;) {
		snprintf(path, sizeof path, "%s/Cargo.toml", cur);
		if (access(path, R_OK) == 0) {
			if (!pkg[0])
				snprintf(pkg, sizeof pkg, "%s", cur);
			if (has_workspace_table(path))
				return strdup(cur);
		}
		char *slash = strrchr(cur, '/');
		if (!slash)
			break;
		if (slash == cur) {
			if (!cur[1])
				break;
			cur[1] = 0;
		} else {
			*slash = 0;
		}
	}
	return strdup(pkg[0] ? pkg : dir);
}
