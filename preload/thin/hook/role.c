/* role.c — deciding, once, whether this process can be a nextest runner.
 *
 * Owns: the constructor.  It reads the kill switch before anything else, then
 * looks only at memory the loader already handed us (argv, envp, auxv): no
 * system call, no allocation, no dlsym.  A process whose own environment shows
 * it was started by nextest (a test, a list child, a setup script) or that is
 * the `__double-spawn` stub is inert for its whole life.
 *
 * macOS: dyld passes the same (argc, argv, envp) to an inserted library's
 * constructor, and issetugid() stands for AT_SECURE.  The double-spawn test
 * looks at argv[1] only: nextest re-executes itself through current_exe()
 * there, not /proc/self/exe.
 */
#include <string.h>
#ifdef __APPLE__
#include <unistd.h>
#define nx_secure() issetugid()
#else
#include <sys/auxv.h>
#define nx_secure() getauxval(AT_SECURE)
#endif

#include "role.h"
#include "runcfg.h"

int nx_role = NX_ROLE_UNKNOWN;

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int env_on(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return (*e)[n + 1] != '\0' && strcmp(*e + n + 1, "0") != 0;
	return 0;
}

static int started_by_nextest(char **envp)
{
	for (char **e = envp; e && *e; e++) {
		if (**e != 'N')
			continue;
		if (has_prefix(*e, "NEXTEST_EXECUTION_MODE=") ||
		    has_prefix(*e, "NEXTEST_TEST_PHASE=") ||
		    has_prefix(*e, "NEXTEST_ENV="))
			return 1;
	}
	return 0;
}

__attribute__((constructor)) static void nx_role_init(int argc, char **argv, char **envp)
{
	if (env_on(envp, NX_KILL_SWITCH) || nx_secure()) {
		nx_role = NX_ROLE_OFF;
		return;
	}
	if (argc > 1 && argv && argv[1] && strcmp(argv[1], "__double-spawn") == 0) {
		nx_role = NX_ROLE_INERT;
		return;
	}
	if (started_by_nextest(envp)) {
		nx_role = NX_ROLE_INERT;
		return;
	}
	nx_run_set_argv(argc, argv);
}

void nx_role_promote_runner(void)
{
	int expect = NX_ROLE_UNKNOWN;
	__atomic_compare_exchange_n(&nx_role, &expect, NX_ROLE_RUNNER, 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
