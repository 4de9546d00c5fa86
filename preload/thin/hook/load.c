/* load.c — loading the engine and handing it the thin object's side.
 *
 * Owns: the struct nx_thin (bridge.h) and the one-time load.  The engine is
 * the file NX_ENGINE_FILE in this object's own directory (dladdr: the path
 * the loader recorded for us), loaded with RTLD_NOW|RTLD_LOCAL so that none
 * of its symbols can interpose anything and nothing is resolved later, in a
 * hook.  A missing or refusing engine is tried once: the hooks then stay
 * pass-through for the life of the process.  Loading needs one free file
 * descriptor for a moment; a runner at its RLIMIT_NOFILE when it spawns its
 * first test (its capture pipes take the last ones) cannot have it then:
 * that failure (EMFILE, ENFILE) is retried at the next spawn, or right after
 * the process's next close() (nx_engine_retry_due), so only the children
 * spawned before the engine could load go unobserved.
 *
 * macOS (NX_ENGINE_STATIC): the engine is linked into the one dylib
 * (docs/macos.md); loading it is calling its entry.
 */
#include "symver.h"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <pthread.h>
#include <string.h>

#include "bridge.h"
#include "load.h"
#include "nxchild.h"
#include "probes.h"
#include "role.h"
#include "tls.h"

#ifndef NX_ENGINE_STATIC
#if defined(__APPLE__)
#define NX_ENGINE_STATIC 1
#else
#define NX_ENGINE_STATIC 0
#endif
#endif

const struct nx_engine *nx_engine_table;

enum { NOT_TRIED = 0, LOADED, FAILED };
static int state;
int nx_engine_retry;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* sigaction.c's definition, whatever "sigaction" resolves to here. */
#if defined(__linux__)
extern __typeof__(sigaction) nx_xsigaction_ours;
#endif

static struct nx_thin thin;

#if NX_ENGINE_STATIC
extern nx_engine_entry_fn nx_engine_entry;
#else
/* "<directory of this object>/" NX_ENGINE_FILE, or the bare name. */
static int engine_path(char *out, size_t cap)
{
	Dl_info info;
	const char *dir = "";
	size_t n = 0;
	if (dladdr((void *)engine_path, &info) && info.dli_fname) {
		const char *slash = strrchr(info.dli_fname, '/');
		if (slash) {
			dir = info.dli_fname;
			n = (size_t)(slash - dir) + 1;
		}
	}
	if (n + sizeof(NX_ENGINE_FILE) > cap)
		return -1;
	memcpy(out, dir, n);
	memcpy(out + n, NX_ENGINE_FILE, sizeof(NX_ENGINE_FILE));
	return 0;
}

/* After a failed dlopen: was it for want of a file descriptor?  (dlopen's
 * errno is not reliable; asking open() itself is.)  Raw system calls: close
 * is one of our own hooks. */
static int out_of_fds(const char *path)
{
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		syscall(SYS_close, (int)fd);
		return 0;
	}
	return errno == EMFILE || errno == ENFILE;
}
#endif

static const struct nx_engine *enter_engine(void)
{
	thin.abi = NX_BRIDGE_ABI;
	thin.semas = nx_probe_semas();
	thin.fire = nx_probe_fire;
	thin.role = &nx_role;
	thin.promote_runner = nx_role_promote_runner;
	thin.argc = nx_role_argc;
	thin.argv = nx_role_argv;
	thin.envp = nx_role_envp;
#if defined(__linux__)
	thin.sigaction_ours = (void *)nx_xsigaction_ours;
#endif
#if NX_ENGINE_STATIC
	return nx_engine_entry(&thin);
#else
	char path[4096];
	if (engine_path(path, sizeof path) != 0)
		return NULL;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		if (out_of_fds(path))
			__atomic_store_n(&nx_engine_retry, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	nx_engine_entry_fn *entry;
	*(void **)&entry = dlsym(h, NX_ENGINE_ENTRY);
	const struct nx_engine *e = entry ? entry(&thin) : NULL;
	if (!e || e->abi != NX_BRIDGE_ABI)
		return NULL;	/* the handle stays open: dlclose could run its destructors */
	return e;
#endif
}

const struct nx_engine *nx_engine_load(void)
{
	if (__builtin_expect(__atomic_load_n(&state, __ATOMIC_ACQUIRE) == LOADED, 1))
		return nx_engine_table;
	/* Threads spawning while the first one loads wait for it: each of them
	 * may be starting an attempt the engine must see. */
	pthread_mutex_lock(&lock);
	int s = __atomic_load_n(&state, __ATOMIC_RELAXED);
	if (s == NOT_TRIED || (s == FAILED && __atomic_load_n(&nx_engine_retry, __ATOMIC_RELAXED))) {
		int busy = nx_tls.busy, e0 = errno;
		nx_tls.busy = 1;
		__atomic_store_n(&nx_engine_retry, 0, __ATOMIC_RELAXED);
		const struct nx_engine *e = enter_engine();
		nx_tls.busy = busy;
		errno = e0;
		if (e)
			__atomic_store_n(&nx_engine_table, e, __ATOMIC_RELEASE);
		__atomic_store_n(&state, e ? LOADED : FAILED, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lock);
	return nx_engine();
}

void nx_engine_spawned(uint64_t t0, pid_t pid, char *const argv[], char *const envp[],
		       const struct nx_child_pipes *pipes)
{
	int child = nx_is_nextest_child(argv, envp);
	if (!child && !nx_is_cargo_build(argv))
		return;
	const struct nx_engine *e = nx_engine_load();
	if (!e)
		return;
	if (child)
		nx_role_promote_runner();
	e->spawned(t0, pid, argv, envp, pipes);
}

void nx_engine_load_crash(void)
{
	const struct nx_engine *e = nx_engine_load();
	if (e && e->crash_init) {
		int busy = nx_tls.busy;
		nx_tls.busy = 1;
		e->crash_init(nx_role_argc, nx_role_argv, nx_role_envp, thin.sigaction_ours);
		nx_tls.busy = busy;
	}
}
