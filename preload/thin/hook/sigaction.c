/* sigaction.c — sigaction() and signal() as the program must see them.
 *
 * Owns: the two exported wrappers (they must be listed in exports.map).  For
 * a signal the engine's crash handler watches (engine/extras/crash.c: only in
 * a nextest test process with a crash probe attached, where the constructor
 * loaded the engine) they read and write the program's virtual disposition
 * through the engine, so
 * the program — and Rust's std deciding whether to install its stack-overflow
 * handler — sees exactly what it would see without us.  Everywhere else they
 * are the real functions: one load and a branch, no system call of ours.
 * signal() keeps glibc's BSD semantics (SA_RESTART, the signal blocked in
 * its handler) for watched signals.
 */
#if defined(__linux__)
#include "symver.h"
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "load.h"

#define NX_EXPORT __attribute__((visibility("default")))

/* glibc's public alias of the real sigaction (not interposable). */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* The engine, if it watches sig. */
static const struct nx_engine *watching(int sig)
{
	const struct nx_engine *e = nx_engine();
	return __builtin_expect(e != NULL, 0) && e->crash_watching(sig) ? e : NULL;
}

NX_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	const struct nx_engine *e = watching(sig);
	if (__builtin_expect(!e, 1))
		return __sigaction(sig, act, old);
	return e->crash_sigaction(sig, act, old);
}

/* Our own definition, whatever the symbol resolves to in this process
 * (load.c hands its address to the engine). */
extern __typeof__(sigaction) nx_xsigaction_ours
	__attribute__((copy(sigaction), alias("sigaction"), visibility("hidden")));

typedef void (*handler_fn)(int);

NX_EXPORT handler_fn signal(int sig, handler_fn h)
{
	const struct nx_engine *e = watching(sig);
	if (__builtin_expect(!e, 1)) {
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
	if (e->crash_sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}
#endif
