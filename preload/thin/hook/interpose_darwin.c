/* interpose_darwin.c — the macOS interpose table: which libSystem function
 * each hook replaces.
 *
 * Owns: the __DATA,__interpose section.  dyld reads it from every image
 * loaded through DYLD_INSERT_LIBRARIES and binds each `replacee` reference of
 * the *other* images to `replacement` (the DYLD_INTERPOSE pattern of dyld's
 * <mach-o/dyld-interposing.h>).  References made from this library itself
 * are left alone, which is why a hook reaches the real function simply by
 * calling its libc name (real.h: NX_REAL(name) is &name there).
 *
 * The list is every hook of preload/thin/hook/exports.map except the functions macOS
 * does not have (pipe2, execvpe, fexecve: the Makefile's DARWIN_NO_HOOK,
 * guarded with __APPLE__ in hooks.c).  `make darwin-static-check` keeps the
 * three in step.  Compiled only on macOS, or by that check on Linux with
 * -DNX_INTERPOSE=1 and an ELF section name.
 */
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "real.h"

#if NX_INTERPOSE

#ifndef NX_INTERPOSE_SECTION
#define NX_INTERPOSE_SECTION "__DATA,__interpose"
#endif

#define NX_INTERPOSED(X) \
	X(posix_spawn) \
	X(posix_spawnp) \
	X(posix_spawn_file_actions_adddup2) \
	X(fork) \
	X(execve) \
	X(execv) \
	X(execvp) \
	X(execl) \
	X(execle) \
	X(execlp) \
	X(waitpid) \
	X(wait4) \
	X(wait) \
	X(waitid) \
	X(kill) \
	X(pipe) \
	X(read) \
	X(recv) \
	X(close) \
	X(write) \
	X(writev) \
	X(raise) \
	X(pthread_sigmask)

/* Each hook has its libc function's type (hooks.c defines them). */
#define NX_HOOK_DECL(name) extern __typeof__(name) NX_HOOK(name);
NX_INTERPOSED(NX_HOOK_DECL)

struct nx_interpose {
	const void *replacement;
	const void *replacee;
};

#define NX_PAIR(name) { (const void *)&NX_HOOK(name), (const void *)&name },
__attribute__((used, section(NX_INTERPOSE_SECTION)))
static struct nx_interpose nx_interpose_table[] = { NX_INTERPOSED(NX_PAIR) };

#endif
