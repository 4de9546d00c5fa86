/* real.h — the real libc functions behind our hooks.
 *
 * Owns: resolving each real function once, lazily, with dlsym(RTLD_NEXT) (so a
 * competing preload earlier in the chain is honoured), and raw-syscall
 * fallbacks where the kernel offers the same call.  Never allocates after the
 * first resolution of a function; the first resolution happens in the parent.
 *
 * macOS (NX_INTERPOSE): dyld interposes through the __DATA,__interpose table
 * (interpose_darwin.c), so each hook is named NX_HOOK(name) = nx_hook_<name>
 * and dyld does not rewrite this image's own references: the libc name *is*
 * the real function, NX_REAL(name) is &name, nothing is resolved and there is
 * no raw-syscall fallback (NX_SYSCALL is never reached).  On Linux a hook
 * keeps its libc name and NX_SYSCALL is syscall.  -DNX_INTERPOSE=1 selects
 * the macOS naming elsewhere (the Linux-side check in tests/contract/darwin.mk).
 */
#ifndef NX_REAL_H
#define NX_REAL_H

#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

enum nx_fn {
	NX_FN_posix_spawn,
	NX_FN_posix_spawnp,
	NX_FN_posix_spawn_file_actions_adddup2,
	NX_FN_fork,
	NX_FN_execve,
	NX_FN_execv,
	NX_FN_execvp,
	NX_FN_execvpe,
	NX_FN_fexecve,
	NX_FN_waitpid,
	NX_FN_wait4,
	NX_FN_waitid,
	NX_FN_wait,
	NX_FN_kill,
	NX_FN_pipe,
	NX_FN_pipe2,
	NX_FN_read,
	NX_FN_recv,
	NX_FN_close,
	NX_FN_write,
	NX_FN_writev,
	NX_FN_raise,
	NX_FN_pthread_sigmask,
	NX_FN_COUNT
};

#ifndef NX_INTERPOSE
#if defined(__APPLE__)
#define NX_INTERPOSE 1
#else
#define NX_INTERPOSE 0
#endif
#endif

#if !NX_INTERPOSE
/* The real function, or NULL if no later object defines it. */
void *nx_real(enum nx_fn fn);

/* Typed access: NX_REAL(read)(fd, buf, n). */
#define NX_REAL(name) ((__typeof__(&name))nx_real(NX_FN_##name))

/* Resolve the exec family now, in the parent, so that a fork child never has
 * to call dlsym. */
void nx_real_prepare_exec(void);

/* The name a hook is defined under, and the raw system call behind a missing
 * real function. */
#define NX_HOOK(name) name
#define NX_SYSCALL(...) syscall(__VA_ARGS__)
#else
#include <errno.h>

#define NX_REAL(name) (&name)
#define NX_HOOK(name) nx_hook_##name
#define NX_SYSCALL(...) (errno = ENOSYS, -1)
static inline void nx_real_prepare_exec(void)
{
}
#endif

#endif
