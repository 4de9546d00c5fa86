/* fakechild.c — the "test binary" the hardening runners spawn.
 *
 * Owns: behaving like one libtest test under `--exact NAME --nocapture`:
 * prints one line to stdout and one to stderr, then exits with
 * $FAKE_EXIT (default 0).  No library code; deterministic output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *name = "?";
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--exact") == 0)
			name = argv[i + 1];
	const char *code = getenv("FAKE_EXIT");
	printf("running %s\n", name);
	fprintf(stderr, "stderr of %s\n", name);
	return code ? atoi(code) : 0;
}
