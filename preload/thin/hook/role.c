/* role.c — deciding, once, whether this process can be a nextest runner.
 *
 * Owns: the role decision the constructor (init.c) makes, the one piece of
 * the library that runs in every process it is preloaded into.  It makes one
 * pass over the environment the
 * loader handed it (the kill switch, LIBNEXTEST_PROBES_DISABLE, wins over
 * anything else found in that pass) and looks at argv[1]: no system call, no
 * allocation, no call into another object (each would cost a symbol lookup
 * at load).  A process whose own environment shows it was started by nextest
 * (a test, a list child, a setup script) or that is the `__double-spawn`
 * stub is inert for its whole life; in a test process, if a crash probe is
 * attached already, the constructor loads the engine for the crash handler.  AT_SECURE
 * is checked later, by the first spawn or fork (nx_role_settle): a process
 * that never spawns never needs the answer.
 *
 * macOS: dyld passes the same (argc, argv, envp) to an inserted library's
 * constructor, and issetugid() stands for AT_SECURE.  The double-spawn test
 * looks at argv[1] only: nextest re-executes itself through current_exe()
 * there, not /proc/self/exe.
 */
#include "symver.h"
#include <errno.h>
#ifdef __APPLE__
#include <unistd.h>
#define nx_secure() issetugid()
#else
#include <dlfcn.h>
#include <sys/auxv.h>

/* getauxval(AT_SECURE), looked up when first needed: an import of a newer
 * version than the base one costs every process a version match
 * (symver.h). */
static int nx_secure(void)
{
	unsigned long (*fn)(unsigned long);
	*(void **)&fn = dlsym(RTLD_DEFAULT, "getauxval");
	return fn ? fn(AT_SECURE) != 0 : 0;
}
#endif

#include "nxchild.h"
#include "probes.h"
#include "role.h"
#include "xprobes.h"

/* What the constructor writes, in .data: the page the loader has already
 * written (.got.plt is relocated at load) rather than a .bss page of its own
 * (one page fault less in every process). */
#define NX_CTOR_DATA __attribute__((section(".data")))
int nx_role NX_CTOR_DATA = NX_ROLE_UNKNOWN;
int nx_role_argc NX_CTOR_DATA;
char **nx_role_argv NX_CTOR_DATA, **nx_role_envp NX_CTOR_DATA;

static int settled;

/* LIBNEXTEST_PROBES_DISABLE set to anything but "" or "0". */
static int kill_switch(const char *e)
{
	if (!nx_starts(e, NX_KILL_SWITCH "="))
		return 0;
	const char *v = e + sizeof(NX_KILL_SWITCH);
	return v[0] != '\0' && !(v[0] == '0' && v[1] == '\0');
}

int nx_role_init(int argc, char **argv, char **envp)
{
	int off = 0, nextest = 0;
	for (char **e = envp; e && *e; e++) {
		/* 'L' (0x4c) and 'N' (0x4e) are the two first bytes that
		 * matter: one compare rejects every other entry. */
		unsigned char c = (unsigned char)**e;
		if (__builtin_expect((c | 2) != 'N', 1))
			continue;
		if (c == 'L')
			off |= kill_switch(*e);
		else
			nextest |= nx_nextest_marker(*e);
	}
	if (off) {
		nx_role = NX_ROLE_OFF;
		return 0;
	}
	nx_role_argc = argc;
	nx_role_argv = argv;
	nx_role_envp = envp;
	if (nextest || (argc > 1 && argv && argv[1] && nx_streq(argv[1], "__double-spawn"))) {
		nx_role = NX_ROLE_INERT;
		/* A test process: the crash handler is the engine's (it checks
		 * the rest: a test, not the list phase, not AT_SECURE). */
		return nextest && (nx_x_enabled(NX_X_CRASH) || nx_x_enabled(NX_X_CRASH_FRAME)) &&
		       !nx_secure();
	}
	return 0;
}

int nx_role_settle(void)
{
	if (!__atomic_load_n(&settled, __ATOMIC_ACQUIRE)) {
		int e = errno;
		int secure = nx_secure();
		errno = e;
		if (secure)
			__atomic_store_n(&nx_role, NX_ROLE_OFF, __ATOMIC_RELAXED);
		__atomic_store_n(&settled, 1, __ATOMIC_RELEASE);
	}
	return nx_role_may_spawn_tests();
}

void nx_role_promote_runner(void)
{
	int expect = NX_ROLE_UNKNOWN;
	__atomic_compare_exchange_n(&nx_role, &expect, NX_ROLE_RUNNER, 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
