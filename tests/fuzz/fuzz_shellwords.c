/* fuzz_shellwords.c — libFuzzer target for the shell-words splitter/joiner.
 *
 * Owns: two properties of preload/engine/observe/shellwords.h on arbitrary input:
 *   1. round trip: the input, cut at NUL bytes into words, survives
 *      split(join(words)) == words, word for word and byte for byte;
 *   2. the input as one command line (up to its first NUL) splits without
 *      crashing inside the documented buffer bound, and when it splits,
 *      split(join(split(s))) == split(s).
 * Any violation abort()s, which libFuzzer reports as a finding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shellwords.h"

#define MAX_WORDS 4096

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_shellwords: %s\n", what);
	abort();
}

/* Split s with exactly the documented buffer sizes (heap, exact size, so
 * ASan sees any overrun).  Returns the count; *outp / *argvp must be freed. */
static long split(const char *s, char **outp, const char ***argvp)
{
	size_t len = strlen(s);
	size_t cap = len + 1 + len / 2 + 1, max = len / 2 + 1;
	*outp = malloc(cap);
	*argvp = malloc(max * sizeof(char *));
	if (!*outp || !*argvp)
		abort();
	long r = nx_shell_split(s, *outp, cap, *argvp, max);
	if (r == NX_SHELL_ENOSPC)
		fail("split: documented buffer bound was not enough");
	return r;
}

static char *join(const char *const *words, size_t n)
{
	size_t need = nx_shell_join(words, n, NULL, 0);
	char *out = malloc(need + 1);
	if (!out)
		abort();
	size_t got = nx_shell_join(words, n, out, need + 1);
	if (got != need || strlen(out) != need)
		fail("join: length differs between the sizing and the real call");
	return out;
}

static void same_words(const char *const *a, size_t na, const char *const *b, long nb)
{
	if (nb < 0)
		fail("split(join(words)) failed");
	if ((size_t)nb != na)
		fail("split(join(words)) has a different word count");
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			fail("split(join(words)) changed a word");
}

static void round_trip(const char *const *words, size_t n)
{
	char *line = join(words, n);
	char *out;
	const char **argv;
	long got = split(line, &out, &argv);
	same_words(words, n, argv, got);
	free(out);
	free(argv);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	/* 1. words separated by NUL bytes */
	char *text = malloc(n + 1);
	const char **words = malloc(MAX_WORDS * sizeof(char *));
	if (!text || !words)
		abort();
	memcpy(text, data, n);
	text[n] = '\0';
	size_t nw = 0;
	for (size_t i = 0; i <= n && nw < MAX_WORDS;) {
		words[nw++] = text + i;
		i += strlen(text + i) + 1;
	}
	round_trip(words, nw);

	/* 2. the text up to the first NUL as a command line */
	char *out;
	const char **argv;
	long got = split(text, &out, &argv);
	if (got >= 0)
		round_trip(argv, (size_t)got);
	else if (got != NX_SHELL_ESYNTAX)
		fail("split returned an undocumented value");
	free(out);
	free(argv);
	free(words);
	free(text);
	return 0;
}
