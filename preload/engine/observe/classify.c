/* classify.c — classifying a child from its argv and envp.
 *
 * Owns: the rules of nextest-version-history.md §2.5.  In order of trust:
 * NEXTEST_TEST_PHASE (0.9.98+); NEXTEST_ENV without NEXTEST_EXECUTION_MODE
 * (setup scripts, 0.9.59+); NEXTEST_EXECUTION_MODE plus the inner argv
 * (`--list --format terse` or `--exact NAME --nocapture`, every version).
 * Runs in the parent after the real spawn returned; may allocate.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "shellwords.h"

static const char *after_prefix(const char *e, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(e, name, n) == 0 && e[n] == '=')
		return e + n + 1;
	return NULL;
}

struct env_key {
	const char *name;
	size_t off;
};

#define K(n, f) { n, offsetof(struct nx_spawn_env, f) }
static const struct env_key keys[] = {
	K("NEXTEST_RUN_ID", run_id),
	K("NEXTEST_BINARY_ID", binary_id),
	K("NEXTEST_TEST_NAME", test_name),
	K("NEXTEST_ATTEMPT", attempt),
	K("NEXTEST_TOTAL_ATTEMPTS", total_attempts),
	K("NEXTEST_ATTEMPT_ID", attempt_id),
	K("NEXTEST_STRESS_CURRENT", stress_current),
	K("NEXTEST_STRESS_TOTAL", stress_total),
	K("NEXTEST_TEST_GLOBAL_SLOT", global_slot),
	K("NEXTEST_TEST_GROUP", group),
	K("NEXTEST_TEST_GROUP_SLOT", group_slot),
	K("NEXTEST_TEST_PHASE", phase),
	K("NEXTEST_EXECUTION_MODE", execution_mode),
	K("NEXTEST_ENV", nextest_env),
	K("NEXTEST_PROFILE", profile),
	K("NEXTEST_TEST_THREADS", test_threads),
};
#undef K

static void scan_env(struct nx_spawn_env *env, char *const envp[])
{
	const char *old_attempt = NULL;
	memset(env, 0, sizeof(*env));
	for (char *const *e = envp; e && *e; e++) {
		const char *s = *e;
		if (s[0] == '_' && strncmp(s, "__NEXTEST_ATTEMPT=", 18) == 0) {
			old_attempt = s + 18;
			continue;
		}
		if (strncmp(s, "NEXTEST_", 8) != 0)
			continue;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *v = after_prefix(s, keys[i].name);
			if (v) {
				/* The last definition wins, as in execve's view of envp
				 * (std never passes duplicates). */
				*(const char **)((char *)env + keys[i].off) = v;
				break;
			}
		}
	}
	if (!env->attempt)
		env->attempt = old_attempt;
}

static int is_double_spawn(char *const argv[])
{
	return argv && argv[0] && argv[1] && strcmp(argv[1], "__double-spawn") == 0 &&
	       argv[2] && strcmp(argv[2], "--") == 0 && argv[3] && argv[4] && !argv[5];
}

static int has_arg(const struct nx_spawn *s, const char *a)
{
	for (size_t i = 0; i < s->nargs; i++)
		if (strcmp(s->args[i], a) == 0)
			return 1;
	return 0;
}

/* Fill program/args, unwrapping the double-spawn stub. */
static int unwrap(struct nx_spawn *s, char *const argv[])
{
	if (is_double_spawn(argv)) {
		const char *joined = argv[4];
		size_t len = strlen(joined);
		size_t max_words = len / 2 + 2;
		size_t cap = len + 1 + max_words;
		size_t text = (cap + 7) & ~(size_t)7;	/* keep the word array aligned */
		char *arena = malloc(text + max_words * sizeof(char *));
		if (!arena)
			return -1;
		const char **words = (const char **)(void *)(arena + text);
		long n = nx_shell_split(joined, arena, cap, words, max_words);
		if (n < 0) {
			free(arena);
			return -1;
		}
		s->double_spawn = 1;
		s->arena = arena;
		s->program = argv[3];
		s->args = words;
		s->nargs = (size_t)n;
		return 0;
	}
	size_t n = 0;
	while (argv && argv[n])
		n++;
	s->program = n ? argv[0] : "";
	s->args = (const char **)(argv && n ? argv + 1 : NULL);
	s->nargs = n ? n - 1 : 0;
	return 0;
}

static void find_test_name(struct nx_spawn *s)
{
	for (size_t i = 0; i < s->nargs; i++) {
		if (strcmp(s->args[i], "--exact") == 0 && i + 1 < s->nargs) {
			s->exact_name = s->args[i + 1];
			s->binary_path = i == 0 ? s->program : s->args[i - 1];
			break;
		}
	}
	s->ignored = has_arg(s, "--ignored");
}

int nx_classify_spawn(struct nx_spawn *s, char *const argv[], char *const envp[])
{
	memset(s, 0, sizeof(*s));
	scan_env(&s->env, envp);
	if (unwrap(s, argv) < 0)
		return -1;

	const struct nx_spawn_env *e = &s->env;
	if (e->phase && strcmp(e->phase, "run") == 0)
		s->kind = NX_SPAWN_TEST;
	else if (e->phase && strcmp(e->phase, "list") == 0)
		s->kind = NX_SPAWN_LIST;
	else if (e->nextest_env && !e->execution_mode)
		s->kind = NX_SPAWN_SCRIPT;
	else if (e->execution_mode && has_arg(s, "--list"))
		s->kind = NX_SPAWN_LIST;
	else if (e->execution_mode && has_arg(s, "--exact"))
		s->kind = NX_SPAWN_TEST;
	else
		s->kind = NX_SPAWN_OTHER;

	if (s->kind == NX_SPAWN_TEST)
		find_test_name(s);
	return 0;
}

void nx_classify_free(struct nx_spawn *s)
{
	free(s->arena);
	s->arena = NULL;
}
