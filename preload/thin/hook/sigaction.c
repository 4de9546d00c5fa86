/* extras/sigaction.c — sigaction() and signal() as the program must see them.
 *
 * Owns: the two exported wrappers (they must be listed in exports.map).  For
 * a signal crash.c watches (only in a nextest test process with a crash
 * probe attached) they read and write the program's virtual disposition, so
 * the program — and Rust's std deciding whether to install its stack-overflow
 * handler — sees exactly what it would see without us.  Everywhere else they
 * are the real functions: one load and a branch, no system call of ours.
 * signal() keeps glibc's BSD semantics (SA_RESTART, the signal blocked in
 * its handler) for watched signals.
 */
#if defined(__linux__)
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "crash.h"

#define NX_EXPORT __attribute__((visibility("default")))

NX_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (__builtin_expect(!nx_xcrash_watching(sig), 1))
		return __sigaction(sig, act, old);
	return nx_xcrash_sigaction(sig, act, old);
}

/* Our own definition, whatever the symbol resolves to in this process. */
extern __typeof__(sigaction) nx_xsigaction_ours
	__attribute__((copy(sigaction), alias("sigaction"), visibility("hidden")));

typedef void (*handler_fn)(int);

NX_EXPORT handler_fn signal(int sig, handler_fn h)
{
	if (__builtin_expect(!nx_xcrash_watching(sig), 1)) {
		static handler_fn (*real)(int, handler_fn);
		handler_fn (*fn)(int, handler_fn) = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
		if (!fn) {
			*(void **)&fn = dlsym(RTLD_NEXT, "signal");
			if (!fn) {
				errno = ENOSYS;
				return SIG_ERR;
			}
			__atomic_store_n(&real, fn, __ATOMIC_RELEASE);
		}
		return fn(sig, h);
	}
	if (h == SIG_ERR) {
		errno = EINVAL;
		return SIG_ERR;
	}
	struct sigaction act, old;
	memset(&act, 0, sizeof act);
	act.sa_handler = h;
	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, sig);
	act.sa_flags = SA_RESTART;
	if (nx_xcrash_sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}
#endif
