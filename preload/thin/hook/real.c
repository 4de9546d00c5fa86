/* real.c — lazy dlsym(RTLD_NEXT) resolution of the real libc functions.
 *
 * Owns: the table of real function pointers.  A missing function is looked up
 * once and remembered as missing; callers fall back to a raw system call or
 * fail with ENOSYS.  Races between threads resolving the same entry are benign
 * (both store the same pointer).  Not used on macOS (real.h: NX_INTERPOSE).
 */
#include <dlfcn.h>

#include "real.h"

#if !NX_INTERPOSE

#define MISSING ((void *)1)

static const char *const names[NX_FN_COUNT] = {
	[NX_FN_posix_spawn] = "posix_spawn",
	[NX_FN_posix_spawnp] = "posix_spawnp",
	[NX_FN_posix_spawn_file_actions_adddup2] = "posix_spawn_file_actions_adddup2",
	[NX_FN_fork] = "fork",
	[NX_FN_execve] = "execve",
	[NX_FN_execv] = "execv",
	[NX_FN_execvp] = "execvp",
	[NX_FN_execvpe] = "execvpe",
	[NX_FN_fexecve] = "fexecve",
	[NX_FN_waitpid] = "waitpid",
	[NX_FN_wait4] = "wait4",
	[NX_FN_waitid] = "waitid",
	[NX_FN_wait] = "wait",
	[NX_FN_kill] = "kill",
	[NX_FN_pipe] = "pipe",
	[NX_FN_pipe2] = "pipe2",
	[NX_FN_read] = "read",
	[NX_FN_recv] = "recv",
	[NX_FN_close] = "close",
	[NX_FN_write] = "write",
	[NX_FN_writev] = "writev",
	[NX_FN_raise] = "raise",
	[NX_FN_pthread_sigmask] = "pthread_sigmask",
};

static void *table[NX_FN_COUNT];

/* Set while this thread is inside dlsym: dlsym may allocate, and an allocator
 * that writes or reads would re-enter a hook; those calls get NULL and take the
 * raw-syscall path instead of recursing. */
static __thread int resolving __attribute__((tls_model("initial-exec")));

void *nx_real(enum nx_fn fn)
{
	void *p = __atomic_load_n(&table[fn], __ATOMIC_ACQUIRE);
	if (__builtin_expect(p == NULL, 0)) {
		if (resolving)
			return NULL;
		resolving = 1;
		p = dlsym(RTLD_NEXT, names[fn]);
		resolving = 0;
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
