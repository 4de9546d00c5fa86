/* real.c — lazy dlsym(RTLD_NEXT) resolution of the real libc functions.
 *
 * Owns: the table of real function pointers, each resolved on the first call
 * that needs it (never at load: a process that never calls a hook never
 * pays a lookup).  A missing function is looked up once and remembered as
 * missing; callers fall back to a raw system call or
 * fail with ENOSYS.  Races between threads resolving the same entry are benign
 * (both store the same pointer).  Not used on macOS (real.h: NX_INTERPOSE).
 */
#include "symver.h"
#include <dlfcn.h>

#include "real.h"
#include "tls.h"

#if !NX_INTERPOSE

#define MISSING ((void *)1)

/* The names as one string, "posix_spawn\0posix_spawnp\0…": no pointer table
 * for the loader to relocate. */
#define NX_FN_NAME(name) #name "\0"
static const char names[] = NX_FN_LIST(NX_FN_NAME);

static const char *name_of(enum nx_fn fn)
{
	const char *s = names;
	for (int i = 0; i < (int)fn; i++)
		while (*s++)
			;
	return s;
}

static void *table[NX_FN_COUNT];

/* nx_tls.resolving is set while this thread is inside dlsym: dlsym may
 * allocate, and an allocator that writes or reads would re-enter a hook;
 * those calls get NULL and take the raw-syscall path instead of recursing. */

void *nx_real(enum nx_fn fn)
{
	void *p = __atomic_load_n(&table[fn], __ATOMIC_ACQUIRE);
	if (__builtin_expect(p == NULL, 0)) {
		if (nx_tls.resolving)
			return NULL;
		nx_tls.resolving = 1;
		p = dlsym(RTLD_NEXT, name_of(fn));
		nx_tls.resolving = 0;
		if (p == NULL)
			p = MISSING;
		__atomic_store_n(&table[fn], p, __ATOMIC_RELEASE);
	}
	return p == MISSING ? NULL : p;
}

void nx_real_prepare_exec(void)
{
	nx_real(NX_FN_execve);
	nx_real(NX_FN_execv);
	nx_real(NX_FN_execvp);
	nx_real(NX_FN_execvpe);
	nx_real(NX_FN_fexecve);
}
#endif
