/* envfile.c — the NEXTEST_ENV file check (see envfile.h).  Reads the file
 * with stdio, whose internal reads do not pass through our hooks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envfile.h"

static int alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int nx_envfile_line_ok(const char *line, size_t len, int key_chars)
{
	const char *eq = memchr(line, '=', len);
	if (!eq)
		return 0;
	size_t k = (size_t)(eq - line);
	if (key_chars) {
		if (k == 0 || (!alpha(line[0]) && line[0] != '_'))
			return 0;
		for (size_t i = 1; i < k; i++)
			if (!alpha(line[i]) && line[i] != '_' && !(line[i] >= '0' && line[i] <= '9'))
				return 0;
	}
	return !(k >= 7 && strncmp(line, "NEXTEST", 7) == 0);
}

int nx_envfile_ok(const char *path, int key_chars)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ok = 1;
	while (ok && (n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n;
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;	/* tokio's lines() strips "\r\n" too */
		ok = nx_envfile_line_ok(line, len, key_chars);
	}
	free(line);
	fclose(f);
	return ok;
}
