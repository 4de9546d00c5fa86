/* nxchild.h — is a spawn one of nextest's children, or its cargo build?
 *
 * Owns: the two quick tests on a spawn's argv and envp that decide whether
 * this process is becoming a runner: a child carrying nextest's protocol
 * (the `__double-spawn` stub, or NEXTEST_TEST_PHASE, NEXTEST_EXECUTION_MODE
 * or NEXTEST_ENV in its environment: nextest-version-history.md §2.5), or the
 * runner's `cargo … --no-run --message-format json…` build, whose messages
 * give binary ids before 0.9.116.  String compares only, no call into libc:
 * usable between fork and exec, and free of imports.  Header-only, so the
 * engine asks the same two questions with the same code without linking
 * thin code (engine/entry.c, engine/observe/children.c and cargo.c; the full
 * classification is engine/observe/classify.c).
 */
#ifndef NX_NXCHILD_H
#define NX_NXCHILD_H

#include <stddef.h>

/* Does s start with p? */
static inline int nx_starts(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return 1;
}

static inline int nx_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* NAME=… with one of the three names that mark a nextest child. */
static inline int nx_nextest_marker(const char *e)
{
	return e[0] == 'N' && nx_starts(e, "NEXTEST_") &&
	       (nx_starts(e + 8, "TEST_PHASE=") || nx_starts(e + 8, "EXECUTION_MODE=") ||
		nx_starts(e + 8, "ENV="));
}

static inline int nx_is_nextest_child(char *const argv[], char *const envp[])
{
	if (argv && argv[0] && argv[1] && nx_streq(argv[1], "__double-spawn"))
		return 1;
	for (char *const *e = envp; e && *e; e++)
		if (nx_nextest_marker(*e))
			return 1;
	return 0;
}

static inline int nx_is_cargo_build(char *const argv[])
{
	int no_run = 0, json = 0;
	for (size_t i = 0; argv && argv[i]; i++) {
		if (nx_streq(argv[i], "--no-run"))
			no_run = 1;
		else if (nx_streq(argv[i], "--message-format") && argv[i + 1])
			json = json || nx_starts(argv[i + 1], "json");
		else if (nx_starts(argv[i], "--message-format=json"))
			json = 1;
	}
	return no_run && json;
}

#endif
