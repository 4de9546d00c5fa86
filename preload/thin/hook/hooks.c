/* hooks.c — the exported wrappers, and nothing else.
 *
 * Owns: the functions we interpose.  Each one calls the real function with the
 * caller's exact arguments, keeps errno exactly as the real call left it, and
 * hands what it saw to the engine (bridge.h) — after the real call returned,
 * in the parent.  The engine is loaded when this process starts a nextest
 * child or its cargo build (nx_engine_spawned); before that, and for good if
 * it cannot be loaded, the hooks only keep the library out of nextest's
 * children (childenv.h) and remember pipes and forks per thread.  The one
 * exception is close(), whose fd is released before the real call so that a
 * concurrent open() reusing the number is never mistaken for a capture pipe,
 * and kill(), recorded before the signal lands so that the reap it causes is
 * attributed correctly.
 *
 * In a fork child (role FORK_CHILD) only the exec wrappers do anything: they
 * note the exec into a shared slot with async-signal-safe code.  vfork is not
 * interposed: a C wrapper cannot return twice from one frame, and no nextest
 * build uses it (Rust std spawns with posix_spawnp or fork).
 *
 * macOS: the same wrappers under NX_HOOK names, listed in interpose_darwin.c;
 * libSystem has no pipe2, execvpe or fexecve, so those three are Linux-only
 * (execlp takes execvp there).  See real.h.
 */
#include "symver.h"
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "childenv.h"
#include "clock.h"
#include "forkslot.h"
#include "load.h"
#include "nxchild.h"
#include "pipes.h"
#include "probes.h"
#include "real.h"
#include "role.h"
#include "tls.h"
#include "xprobes.h"

#define NX_EXPORT __attribute__((visibility("default")))

#ifdef __APPLE__
#include <crt_externs.h>
#define environ (*_NSGetEnviron())	/* a dylib has no direct access to environ */
#else
extern char **environ;
#endif

__thread struct nx_tls nx_tls __attribute__((tls_model("initial-exec")));

/* nx_tls.busy is set while this thread runs the library's own work.  A libc
 * call made from inside it (the engine reading /proc or a config file, the
 * loader reading the engine, an allocator interposer that writes to fd 2, …)
 * goes straight to the real function instead of re-entering a part whose
 * lock this thread already holds. */
static int enter(void)
{
	if (nx_tls.busy)
		return 0;
	nx_tls.busy = 1;
	return 1;
}

static void leave(void)
{
	nx_tls.busy = 0;
}

/* Is any probe the runner side serves attached: nextest's ten, or the extra
 * provider's attempt-rusage and hung-*?  Volatile reads only. */
static int tracing(void)
{
	return nx_any_enabled() || nx_x_enabled(NX_X_ATTEMPT_RUSAGE) ||
	       nx_x_enabled(NX_X_HUNG_STACKS) || nx_x_enabled(NX_X_HUNG_THREAD) ||
	       nx_x_enabled(NX_X_HUNG_FRAME);
}

/* ---- spawning ---- */

static void after_spawn(uint64_t t0, pid_t pid, const posix_spawn_file_actions_t *fa,
			char *const argv[], char *const envp[])
{
	struct nx_child_pipes pipes = { NX_CAPTURE_NONE, -1, -1 };
	if (!enter())
		return;
	if (nx_is_nextest_child(argv, envp) ? tracing() : nx_is_cargo_build(argv))
		nx_pipes_for_spawn(fa, &pipes);
	nx_engine_spawned(t0, pid, argv, envp, &pipes);
	nx_pipes_reset();
	leave();
}

/* posix_spawn and posix_spawnp share their signature and everything else. */
typedef int spawn_fn(pid_t *, const char *, const posix_spawn_file_actions_t *,
		     const posix_spawnattr_t *, char *const[], char *const[]);

/* The real spawn, with the library left out of a nextest child's LD_PRELOAD
 * (childenv.h).  In the parent: the copy may live on the heap. */
static int spawn_child(spawn_fn *real, pid_t *pid, const char *file,
		       const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		       char *const argv[], char *const envp[])
{
	struct nx_childenv_plan plan;
	if (!nx_childenv_wanted(argv, envp, &plan))
		return real(pid, file, fa, attr, argv, envp);
	if (plan.nvec * sizeof(char *) + plan.ntext <= NX_CHILDENV_STACK_MAX) {
		char *vec[plan.nvec], text[plan.ntext];
		return real(pid, file, fa, attr, argv, nx_childenv_build(envp, &plan, vec, text));
	}
	int e = errno;
	char **vec = malloc(plan.nvec * sizeof(char *) + plan.ntext);
	errno = e;
	if (!vec)
		return real(pid, file, fa, attr, argv, envp);
	int rc = real(pid, file, fa, attr, argv,
		      nx_childenv_build(envp, &plan, vec, (char *)(vec + plan.nvec)));
	e = errno;
	free(vec);
	errno = e;
	return rc;
}

static int spawn(spawn_fn *real, pid_t *pid, const char *file,
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		 char *const argv[], char *const envp[])
{
	if (!real)
		return ENOSYS;
	if (!nx_role_may_spawn_tests() || !nx_role_settle())
		return real(pid, file, fa, attr, argv, envp);
	pid_t child = 0, *pp = pid ? pid : &child;
	uint64_t t0 = nx_pipes_prepared_at();
	if (!t0)
		t0 = nx_now_ns();
	nx_childenv_prepare();
	int rc = spawn_child(real, pp, file, fa, attr, argv, envp);
	int e = errno;
	if (rc == 0)
		after_spawn(t0, *pp, fa, argv, envp);
	errno = e;
	return rc;
}

NX_EXPORT int NX_HOOK(posix_spawn)(pid_t *pid, const char *path,
				   const posix_spawn_file_actions_t *fa,
				   const posix_spawnattr_t *attr, char *const argv[],
				   char *const envp[])
{
	return spawn(NX_REAL(posix_spawn), pid, path, fa, attr, argv, envp);
}

NX_EXPORT int NX_HOOK(posix_spawnp)(pid_t *pid, const char *file,
				    const posix_spawn_file_actions_t *fa,
				    const posix_spawnattr_t *attr, char *const argv[],
				    char *const envp[])
{
	return spawn(NX_REAL(posix_spawnp), pid, file, fa, attr, argv, envp);
}

NX_EXPORT int NX_HOOK(posix_spawn_file_actions_adddup2)(posix_spawn_file_actions_t *fa, int fd,
							 int newfd)
{
	__typeof__(&posix_spawn_file_actions_adddup2) real =
		NX_REAL(posix_spawn_file_actions_adddup2);
	if (!real)
		return ENOSYS;
	int rc = real(fa, fd, newfd);
	if (rc == 0 && nx_role_may_spawn_tests()) {
		int e = errno;
		nx_pipes_note_dup2(fa, fd, newfd);
		errno = e;
	}
	return rc;
}

NX_EXPORT pid_t NX_HOOK(fork)(void)
{
	__typeof__(&fork) real = NX_REAL(fork);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (!nx_role_may_spawn_tests() || !nx_role_settle())
		return real();
	/* What the child's exec hook needs, resolved here in the parent: our
	 * path (childenv.c) and the real exec functions (no dlsym in the child). */
	int e = errno;
	nx_childenv_prepare();
	nx_real_prepare_exec();
	errno = e;
	if (!tracing())
		return real();
	uint64_t t0 = nx_now_ns();
	int slots = nx_forkslot_prepare() == 0;
	errno = e;
	pid_t p = real();
	e = errno;
	if (p == 0 && slots)
		__atomic_store_n(&nx_role, NX_ROLE_FORK_CHILD, __ATOMIC_RELAXED);
	else if (p > 0 && slots)
		nx_forkslot_forked(p, t0);
	errno = e;
	return p;
}

/* ---- exec: only a fork child notes anything ---- */

/* In a possible runner or its fork child: does this exec start a nextest
 * child that must not load the library (childenv.h)?  Its stripped envp goes
 * on the stack: this may run between fork and exec. */
static int strip_wanted(char *const argv[], char *const envp[], struct nx_childenv_plan *plan)
{
#ifdef __APPLE__
	(void)argv, (void)envp, (void)plan;
	return 0;
#else
	int r = __atomic_load_n(&nx_role, __ATOMIC_RELAXED);
	if (r != NX_ROLE_UNKNOWN && r != NX_ROLE_RUNNER && r != NX_ROLE_FORK_CHILD)
		return 0;
	return nx_childenv_wanted(argv, envp, plan) &&
	       plan->nvec * sizeof(char *) + plan->ntext <= NX_CHILDENV_STACK_MAX;
#endif
}

/* Declares vec/text and sets env to envp or its stripped copy. */
#define CHILD_ENV(env, argv, envp)                                                  \
	struct nx_childenv_plan plan_;                                              \
	int strip_ = strip_wanted(argv, envp, &plan_);                              \
	char *vec_[strip_ ? plan_.nvec : 1], text_[strip_ ? plan_.ntext : 1];       \
	char *const *env = strip_ ? nx_childenv_build(envp, &plan_, vec_, text_) : (envp)

static int child_note(char *const argv[], char *const envp[])
{
	if (__atomic_load_n(&nx_role, __ATOMIC_RELAXED) != NX_ROLE_FORK_CHILD)
		return -1;
	int e = errno;
	int h = nx_forkslot_child_exec(argv, envp);
	errno = e;
	return h;
}

static void child_failed(int h)
{
	if (h >= 0) {
		int e = errno;
		nx_forkslot_child_failed(h);
		errno = e;
	}
}

static int do_execve(const char *path, char *const argv[], char *const envp[])
{
	__typeof__(&execve) real = NX_REAL(execve);
	int h = child_note(argv, envp);
	CHILD_ENV(env, argv, envp);
	int rc = real ? real(path, argv, env) : (int)NX_SYSCALL(SYS_execve, path, argv, env);
	child_failed(h);
	return rc;
}

#ifdef __APPLE__
/* No execvpe on macOS; its one caller here, execlp, passes environ. */
static int do_execvpe(const char *file, char *const argv[], char *const envp[])
{
	int h = child_note(argv, envp);
	int rc = NX_REAL(execvp)(file, argv);
	child_failed(h);
	return rc;
}
#else
static int do_execvpe(const char *file, char *const argv[], char *const envp[])
{
	__typeof__(&execvpe) real = NX_REAL(execvpe);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	int h = child_note(argv, envp);
	CHILD_ENV(env, argv, envp);
	int rc = real(file, argv, env);
	child_failed(h);
	return rc;
}
#endif

NX_EXPORT int NX_HOOK(execve)(const char *path, char *const argv[], char *const envp[])
{
	return do_execve(path, argv, envp);
}

NX_EXPORT int NX_HOOK(execv)(const char *path, char *const argv[])
{
	return do_execve(path, argv, environ);
}

#ifndef __APPLE__
NX_EXPORT int NX_HOOK(execvpe)(const char *file, char *const argv[], char *const envp[])
{
	return do_execvpe(file, argv, envp);
}
#endif

NX_EXPORT int NX_HOOK(execvp)(const char *file, char *const argv[])
{
	__typeof__(&execvp) real = NX_REAL(execvp);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	int h = child_note(argv, environ);
	int rc;
#ifndef __APPLE__
	struct nx_childenv_plan plan;
	__typeof__(&execvpe) vpe = NX_REAL(execvpe);
	if (vpe && strip_wanted(argv, environ, &plan)) {
		/* execvp is execvpe with environ (posix/execvp.c) */
		char *vec[plan.nvec], text[plan.ntext];
		rc = vpe(file, argv, nx_childenv_build(environ, &plan, vec, text));
	} else
#endif
		rc = real(file, argv);
	child_failed(h);
	return rc;
}

#ifndef __APPLE__
NX_EXPORT int NX_HOOK(fexecve)(int fd, char *const argv[], char *const envp[])
{
	__typeof__(&fexecve) real = NX_REAL(fexecve);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	int h = child_note(argv, envp);
	CHILD_ENV(env, argv, envp);
	int rc = real(fd, argv, env);
	child_failed(h);
	return rc;
}
#endif

/* The variadic forms gather their arguments on the stack (no allocation: they
 * may run in a fork child) and take the vector path. */

/* How many pointers arg0 and the arguments after it take up to and with the
 * terminating NULL; envp (or NULL): set to the argument after that NULL
 * (execle's environment). */
static size_t count_args(const char *arg0, va_list ap, char *const **envp)
{
	size_t n = 1;
	for (const char *a = arg0; a; a = va_arg(ap, const char *))
		n++;
	if (envp)
		*envp = va_arg(ap, char *const *);
	return n;
}

/* Declares char *argv[] on the caller's stack (a variable-length array)
 * holding arg0, the caller's variadic arguments and their NULL. */
#define ARGV_ON_STACK(argv, arg0, envp)                                       \
	va_list ap_;                                                          \
	va_start(ap_, arg0);                                                  \
	size_t n_ = count_args(arg0, ap_, envp);                              \
	va_end(ap_);                                                          \
	char *argv[n_];                                                       \
	va_start(ap_, arg0);                                                  \
	argv[0] = (char *)(arg0);                                             \
	for (size_t i_ = 1; i_ < n_; i_++)                                    \
		argv[i_] = va_arg(ap_, char *);                               \
	va_end(ap_)

NX_EXPORT int NX_HOOK(execl)(const char *path, const char *arg0, ...)
{
	ARGV_ON_STACK(argv, arg0, NULL);
	return do_execve(path, argv, environ);
}

NX_EXPORT int NX_HOOK(execle)(const char *path, const char *arg0, ...)
{
	char *const *envp;
	ARGV_ON_STACK(argv, arg0, &envp);
	return do_execve(path, argv, envp);
}

NX_EXPORT int NX_HOOK(execlp)(const char *file, const char *arg0, ...)
{
	ARGV_ON_STACK(argv, arg0, NULL);
	return do_execvpe(file, argv, environ);
}

/* ---- reaping: observe the runner's own wait; never wait ourselves ---- */

static void after_wait(pid_t asked, pid_t got, int status, int err, const struct rusage *ru)
{
	const struct nx_engine *e = nx_engine();
	if (!e || !enter())
		return;
	if (got > 0)
		e->reaped(got, status, ru);
	else if (got < 0 && asked > 0)
		e->wait_failed(asked, err);
	leave();
}

/* In a runner every wait is made as wait4 with a rusage buffer: glibc's
 * waitpid(p, s, o) is wait4(p, s, o, NULL), so the call, its pid, options and
 * result are the same, and the child's resource usage comes for free. */
static pid_t runner_wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	__typeof__(&wait4) real = NX_REAL(wait4);
	int st = 0, *sp = status ? status : &st;
	struct rusage own, *rp = ru ? ru : &own;
	pid_t r = real ? real(pid, sp, options, rp) : (pid_t)NX_SYSCALL(SYS_wait4, pid, sp, options, rp);
	int e = errno;
	after_wait(pid, r, r > 0 ? *sp : 0, e, r > 0 ? rp : NULL);
	errno = e;
	return r;
}

NX_EXPORT pid_t NX_HOOK(waitpid)(pid_t pid, int *status, int options)
{
	if (nx_role_runner())
		return runner_wait4(pid, status, options, NULL);
	__typeof__(&waitpid) real = NX_REAL(waitpid);
	return real ? real(pid, status, options)
		    : (pid_t)NX_SYSCALL(SYS_wait4, pid, status, options, NULL);
}

NX_EXPORT pid_t NX_HOOK(wait4)(pid_t pid, int *status, int options, struct rusage *ru)
{
	if (nx_role_runner())
		return runner_wait4(pid, status, options, ru);
	__typeof__(&wait4) real = NX_REAL(wait4);
	return real ? real(pid, status, options, ru)
		    : (pid_t)NX_SYSCALL(SYS_wait4, pid, status, options, ru);
}

NX_EXPORT pid_t NX_HOOK(wait)(int *status)
{
	if (nx_role_runner())
		return runner_wait4(-1, status, 0, NULL);
	__typeof__(&wait) real = NX_REAL(wait);
	return real ? real(status) : (pid_t)NX_SYSCALL(SYS_wait4, -1, status, 0, NULL);
}

NX_EXPORT int NX_HOOK(waitid)(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	__typeof__(&waitid) real = NX_REAL(waitid);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	int rc = real(idtype, id, info, options);
	if (!nx_role_runner() || rc != 0 || !info || (options & WNOWAIT) || info->si_pid <= 0)
		return rc;
	int e = errno, status;
	switch (info->si_code) {
	case CLD_EXITED:
		status = (info->si_status & 0xff) << 8;
		break;
	case CLD_KILLED:
		status = info->si_status & 0x7f;
		break;
	case CLD_DUMPED:
		status = (info->si_status & 0x7f) | 0x80;
		break;
	default:
		return rc;
	}
	const struct nx_engine *en = nx_engine();
	if (en && enter()) {
		en->reaped(info->si_pid, status, NULL);
		leave();
	}
	errno = e;
	return rc;
}

/* ---- signals the runner sends ---- */

NX_EXPORT int NX_HOOK(kill)(pid_t pid, int sig)
{
	__typeof__(&kill) real = NX_REAL(kill);
	const struct nx_engine *en;
	if (nx_role_runner() && (en = nx_engine()) && enter()) {
		int e = errno;
		en->killed(pid, sig);
		errno = e;
		leave();
	}
	return real ? real(pid, sig) : (int)NX_SYSCALL(SYS_kill, pid, sig);
}

/* ---- capture pipes ---- */

static void note_pipe(const int fds[2])
{
	if (nx_role_may_spawn_tests()) {
		nx_pipes_note_prepare(nx_now_ns());
		nx_pipes_note_pipe(fds[0], fds[1]);
	}
}

/* nextest blocks SIGTSTP on the spawning thread while it builds a
 * double-spawn command (DoubleSpawnContext); that is the earliest sign of an
 * attempt the library can see.  Observed only: the caller's mask change is
 * made exactly as asked. */
NX_EXPORT int NX_HOOK(pthread_sigmask)(int how, const sigset_t *set, sigset_t *old)
{
	__typeof__(&pthread_sigmask) real = NX_REAL(pthread_sigmask);
	if (!real)
		return ENOSYS;
	if (how == SIG_BLOCK && set && nx_role_may_spawn_tests() && sigismember(set, SIGTSTP) == 1) {
		int e = errno;
		nx_pipes_note_prepare(nx_now_ns());
		errno = e;
	}
	return real(how, set, old);
}

#ifndef __APPLE__
NX_EXPORT int NX_HOOK(pipe2)(int fds[2], int flags)
{
	__typeof__(&pipe2) real = NX_REAL(pipe2);
	int rc = real ? real(fds, flags) : (int)NX_SYSCALL(SYS_pipe2, fds, flags);
	if (rc == 0)
		note_pipe(fds);
	return rc;
}
#endif

NX_EXPORT int NX_HOOK(pipe)(int fds[2])
{
	__typeof__(&pipe) real = NX_REAL(pipe);
	int rc = real ? real(fds) : (int)NX_SYSCALL(SYS_pipe2, fds, 0);
	if (rc == 0)
		note_pipe(fds);
	return rc;
}

/* After a blocking read/recv on the forking thread, std's wait for the exec
 * result is over: the fork slots it produced are final. */
static void after_io(int fd, const void *buf, ssize_t r, int e)
{
	/* The common case costs a few loads: nothing of ours is involved. */
	const struct nx_engine *en = nx_engine();
	int tracked = en && en->fd_tracked(fd);
	if (!tracked && !nx_forkslot_pending())
		return;
	if (!enter())
		return;
	if (tracked)
		en->read(fd, buf, r, e);
	if (nx_forkslot_pending())
		nx_forkslot_collect();
	leave();
}

NX_EXPORT ssize_t NX_HOOK(read)(int fd, void *buf, size_t n)
{
	__typeof__(&read) real = NX_REAL(read);
	ssize_t r = real ? real(fd, buf, n) : NX_SYSCALL(SYS_read, fd, buf, n);
	if (__builtin_expect(nx_role_may_spawn_tests(), 0)) {
		int e = errno;
		after_io(fd, buf, r, e);
		errno = e;
	}
	return r;
}

NX_EXPORT ssize_t NX_HOOK(recv)(int fd, void *buf, size_t n, int flags)
{
	__typeof__(&recv) real = NX_REAL(recv);
	ssize_t r = real ? real(fd, buf, n, flags)
			 : NX_SYSCALL(SYS_recvfrom, fd, buf, n, flags, NULL, NULL);
	if (nx_role_may_spawn_tests() && nx_forkslot_pending() && enter()) {
		int e = errno;
		nx_forkslot_collect();
		errno = e;
		leave();
	}
	return r;
}

NX_EXPORT int NX_HOOK(close)(int fd)
{
	__typeof__(&close) real = NX_REAL(close);
	const struct nx_engine *en;
	if (nx_role_may_spawn_tests() && (en = nx_engine()) && en->fd_tracked(fd) && enter()) {
		int e = errno;
		en->closing(fd);
		errno = e;
		leave();
	}
	int rc = real ? real(fd) : (int)NX_SYSCALL(SYS_close, fd);
	if (nx_engine_retry_due() && rc == 0 && nx_role_may_spawn_tests() && enter()) {
		nx_engine_load();	/* the engine wanted the descriptor just freed */
		leave();
	}
	return rc;
}

/* ---- what the runner writes to its own stdout/stderr ---- */

NX_EXPORT ssize_t NX_HOOK(write)(int fd, const void *buf, size_t n)
{
	__typeof__(&write) real = NX_REAL(write);
	/* The clock before the write: a reader that drains the pipe late (a loaded
	 * terminal, `| less`) blocks the write, and nextest read its clock before. */
	uint64_t t = __builtin_expect((fd == 1 || fd == 2) && nx_role_runner(), 0) ? nx_now_ns() : 0;
	ssize_t r = real ? real(fd, buf, n) : NX_SYSCALL(SYS_write, fd, buf, n);
	const struct nx_engine *en;
	if (__builtin_expect(t && r > 0, 0) && (en = nx_engine())) {
		int e = errno;
		if (enter()) {
			en->write(fd, buf, r, t);
			leave();
		}
		errno = e;
	}
	return r;
}

NX_EXPORT ssize_t NX_HOOK(writev)(int fd, const struct iovec *iov, int iovcnt)
{
	__typeof__(&writev) real = NX_REAL(writev);
	uint64_t t = __builtin_expect((fd == 1 || fd == 2) && nx_role_runner(), 0) ? nx_now_ns() : 0;
	ssize_t r = real ? real(fd, iov, iovcnt) : NX_SYSCALL(SYS_writev, fd, iov, iovcnt);
	const struct nx_engine *en;
	if (__builtin_expect(t && r > 0, 0) && (en = nx_engine())) {
		int e = errno;
		if (enter()) {
			en->writev(fd, iov, iovcnt, r, t);
			leave();
		}
		errno = e;
	}
	return r;
}

/* nextest pauses itself with raise(SIGSTOP) after sending SIGTSTP to its
 * children; the time until raise returns is paused time. */
NX_EXPORT int NX_HOOK(raise)(int sig)
{
	__typeof__(&raise) real = NX_REAL(raise);
	const struct nx_engine *en = sig == SIGSTOP && nx_role_runner() ? nx_engine() : NULL;
	if (en)
		en->pause_begin(nx_now_ns());
	int rc = real ? real(sig) : (int)NX_SYSCALL(SYS_tgkill, getpid(), (pid_t)NX_SYSCALL(SYS_gettid), sig);
	if (en) {
		int e = errno;
		en->pause_end(nx_now_ns());
		errno = e;
	}
	return rc;
}
