/* real.h — the real libc functions behind our hooks.
 *
 * Owns: resolving each real function once, lazily, with dlsym(RTLD_NEXT) (so a
 * competing preload earlier in the chain is honoured), and raw-syscall
 * fallbacks where the kernel offers the same call.  Never allocates after the
 * first resolution of a function; the first resolution happens in the parent.
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
	NX_FN_COUNT
};

/* The real function, or NULL if no later object defines it. */
void *nx_real(enum nx_fn fn);

/* Typed access: NX_REAL(read)(fd, buf, n). */
#define NX_REAL(name) ((__typeof__(&name))nx_real(NX_FN_##name))

/* Resolve the exec family now, in the parent, so that a fork child never has
 * to call dlsym. */
void nx_real_prepare_exec(void);

#endif
