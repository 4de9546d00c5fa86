/* calllog.c — an LD_PRELOAD call logger for the protocol check (tests/protocol).
 *
 * Owns: logging, from a nextest runner process only, the libc calls through
 * which a runner drives its children: posix_spawn/posix_spawnp (argv, the
 * environment it adds or changes, attribute flags, process group, signal
 * mask and defaults, file actions), fork and, in a fork child, the calls up
 * to exec (dup2, chdir, setpgid, signal dispositions, exec with argv and env);
 * waitpid/wait4/wait/waitid (function, arguments, options, result); kill and
 * the pidfd system calls; pipe/pipe2 and descriptor duplicates of their ends;
 * read/close on those ends; signal masks and dispositions; and the bytes
 * written to fd 1 and 2.
 *
 * Observation only: every hook calls the real function with the caller's
 * arguments, returns its result and preserves errno.  The log is one JSON
 * object per line, each written with one write(2) on a descriptor opened with
 * O_APPEND (moved above fd 900, close-on-exec, so the runner's own descriptor
 * numbers do not change), into the file named by CALLLOG_FILE.
 *
 * Role: decided once in the constructor from argv and envp.  The runner is
 * `cargo-nextest nextest run …` or `nextest-sim run …`; a process whose
 * environment says nextest started it (NEXTEST_TEST_PHASE, NEXTEST_ENV,
 * NEXTEST_EXECUTION_MODE) or whose argv[1] is `__double-spawn` is not.  A hook
 * can run in a fork child (before exec) of the runner: there the record
 * writer only uses write(2) and stack memory (no malloc, no stdio, no locks).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define LOG_FD_MIN 900
#define MAX_FD 4096
#define REC_MAX (48 * 1024) /* alloca'd only while logging, so hooks keep small frames */

extern char **environ;

/* ---- real functions, resolved once in the constructor ---- */
static int (*r_posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			    const posix_spawnattr_t *, char *const[], char *const[]);
static int (*r_posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			     const posix_spawnattr_t *, char *const[], char *const[]);
static pid_t (*r_fork)(void);
static int (*r_execve)(const char *, char *const[], char *const[]);
static int (*r_execv)(const char *, char *const[]);
static int (*r_execvp)(const char *, char *const[]);
static int (*r_execvpe)(const char *, char *const[], char *const[]);
static pid_t (*r_waitpid)(pid_t, int *, int);
static pid_t (*r_wait4)(pid_t, int *, int, struct rusage *);
static pid_t (*r_wait)(int *);
static int (*r_waitid)(idtype_t, id_t, siginfo_t *, int);
static int (*r_kill)(pid_t, int);
static long (*r_syscall)(long, long, long, long, long, long, long);
static int (*r_pipe)(int[2]);
static int (*r_pipe2)(int[2], int);
static ssize_t (*r_read)(int, void *, size_t);
static int (*r_close)(int);
static ssize_t (*r_write)(int, const void *, size_t);
static ssize_t (*r_writev)(int, const struct iovec *, int);
static int (*r_fcntl)(int, int, long);
static int (*r_fcntl64)(int, int, long);
static int (*r_ioctl)(int, unsigned long, long);
static int (*r_dup2)(int, int);
static int (*r_chdir)(const char *);
static int (*r_setpgid)(pid_t, pid_t);
static int (*r_pthread_sigmask)(int, const sigset_t *, sigset_t *);
static int (*r_sigprocmask)(int, const sigset_t *, sigset_t *);
static int (*r_sigaction)(int, const struct sigaction *, struct sigaction *);
static sighandler_t (*r_signal)(int, sighandler_t);

#define RESOLVE(name) (r_##name = (__typeof__(r_##name))dlsym(RTLD_NEXT, #name))

/* A hook can run before this library's constructor (another library's
 * constructor calling it): resolve on first use then. */
#define REAL(name) ({ if (!r_##name) RESOLVE(name); r_##name; })

static void resolve_all(void)
{
	RESOLVE(posix_spawn); RESOLVE(posix_spawnp); RESOLVE(fork);
	RESOLVE(execve); RESOLVE(execv); RESOLVE(execvp); RESOLVE(execvpe);
	RESOLVE(waitpid); RESOLVE(wait4); RESOLVE(wait); RESOLVE(waitid);
	RESOLVE(kill); RESOLVE(syscall); RESOLVE(pipe); RESOLVE(pipe2);
	RESOLVE(read); RESOLVE(close); RESOLVE(write); RESOLVE(writev);
	RESOLVE(fcntl); RESOLVE(fcntl64); RESOLVE(ioctl); RESOLVE(dup2);
	RESOLVE(chdir); RESOLVE(setpgid); RESOLVE(pthread_sigmask);
	RESOLVE(sigprocmask); RESOLVE(sigaction); RESOLVE(signal);
}

/* ---- role and state ---- */
enum { ROLE_NONE, ROLE_RUNNER, ROLE_FORK_CHILD };
static int role = ROLE_NONE;
static int log_fd = -1;
static pid_t runner_pid;
/* label of each tracked descriptor: >0 pipe end (2*k = read, 2*k+1 = write end
 * of pipe k), <0 pidfd number; 0 untracked.  Updated with atomics only. */
static int fd_label[MAX_FD];
static int next_pipe = 1, next_pidfd = 1;

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

__attribute__((constructor)) static void calllog_init(int argc, char **argv, char **envp)
{
	resolve_all();
	const char *file = NULL;
	for (char **e = envp; e && *e; e++) {
		if (has_prefix(*e, "CALLLOG_FILE="))
			file = *e + 13;
		if (has_prefix(*e, "NEXTEST_TEST_PHASE=") || has_prefix(*e, "NEXTEST_ENV=") ||
		    has_prefix(*e, "NEXTEST_EXECUTION_MODE="))
			return;
	}
	if (!file || !*file || argc < 2 || !argv || !argv[1])
		return;
	if (strcmp(base_name(argv[0]), "cargo") == 0 || strcmp(argv[1], "__double-spawn") == 0)
		return;
	if (strcmp(argv[1], "run") != 0 &&
	    !(strcmp(argv[1], "nextest") == 0 && argc > 2 && strcmp(argv[2], "run") == 0))
		return;
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	int hi = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, LOG_FD_MIN);
	if (hi >= 0) {
		REAL(close)(fd);
		fd = hi;
	}
	log_fd = fd;
	runner_pid = getpid();
	role = ROLE_RUNNER;
}

static int logging(void)
{
	return __atomic_load_n(&role, __ATOMIC_RELAXED) != ROLE_NONE && log_fd >= 0;
}

static int label_of(int fd)
{
	return fd >= 0 && fd < MAX_FD ? __atomic_load_n(&fd_label[fd], __ATOMIC_RELAXED) : 0;
}

static void set_label(int fd, int label)
{
	if (fd >= 0 && fd < MAX_FD)
		__atomic_store_n(&fd_label[fd], label, __ATOMIC_RELAXED);
}

static int take_label(int fd)
{
	return fd >= 0 && fd < MAX_FD ? __atomic_exchange_n(&fd_label[fd], 0, __ATOMIC_RELAXED) : 0;
}

/* ---- async-signal-safe record builder (stack buffer, no libc formatting) ---- */
struct rec {
	char b[REC_MAX];
	size_t n;
	int trunc;
	int saved_errno;	/* the caller's errno, kept by begin() and given back by end() */
};

static void put(struct rec *r, const char *s, size_t n)
{
	if (r->n + n + 64 > sizeof r->b) {
		r->trunc = 1;
		return;
	}
	memcpy(r->b + r->n, s, n);
	r->n += n;
}

static void puts_(struct rec *r, const char *s)
{
	put(r, s, strlen(s));
}

static void putnum(struct rec *r, long long v)
{
	char tmp[24];
	int i = sizeof tmp;
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
	do {
		tmp[--i] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	put(r, tmp + i, sizeof tmp - i);
}

/* JSON string; bytes >= 0x80 are copied raw (the reader decodes with
 * surrogateescape), control bytes as \u00XX. */
static void putstrn(struct rec *r, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	put(r, "\"", 1);
	for (size_t i = 0; i < n && !r->trunc; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			put(r, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			put(r, e, 6);
		} else {
			put(r, (const char *)&c, 1);
		}
	}
	put(r, "\"", 1);
}

static void putstr(struct rec *r, const char *s)
{
	if (!s)
		puts_(r, "null");
	else
		putstrn(r, s, strlen(s));
}

static void key(struct rec *r, const char *k)
{
	put(r, ",\"", 2);
	puts_(r, k);
	put(r, "\":", 2);
}

static void kv_num(struct rec *r, const char *k, long long v)
{
	key(r, k);
	putnum(r, v);
}

static void kv_str(struct rec *r, const char *k, const char *v)
{
	key(r, k);
	putstr(r, v);
}

static void kv_fd(struct rec *r, const char *k, int fd)
{
	kv_num(r, k, fd);
	int l = label_of(fd);
	if (l) {
		char lk[32];
		size_t n = strlen(k);
		memcpy(lk, k, n);
		memcpy(lk + n, "_label", 7);
		kv_num(r, lk, l);
	}
}

/* A record named ev in *r; what a hook calls from here to end() may set errno:
 * end() gives the caller's back. */
static void begin(struct rec *r, const char *ev)
{
	struct timespec ts;
	r->saved_errno = errno;
	r->n = 0;
	r->trunc = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	puts_(r, "{\"t\":");
	putnum(r, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	kv_num(r, "tid", syscall(SYS_gettid));
	if (__atomic_load_n(&role, __ATOMIC_RELAXED) == ROLE_FORK_CHILD)
		kv_num(r, "child", getpid());
	kv_str(r, "ev", ev);
}

static void end(struct rec *r)
{
	if (r->trunc)
		puts_(r, ",\"truncated\":true");
	put(r, "}\n", 2);
	ssize_t w = REAL(write)(log_fd, r->b, r->n);
	(void)w;
	errno = r->saved_errno;
}

/* Declares struct rec *rp on the stack, only where a hook logs (hooks keep
 * small frames), and begins record ev in it. */
#define BEGIN(rp, ev)                                        \
	struct rec *rp = __builtin_alloca(sizeof *rp);       \
	begin(rp, ev)

static void put_argv(struct rec *r, const char *k, char *const argv[])
{
	key(r, k);
	put(r, "[", 1);
	for (int i = 0; argv && argv[i]; i++) {
		if (i)
			put(r, ",", 1);
		putstr(r, argv[i]);
	}
	put(r, "]", 1);
}

static const char *env_lookup(char *const env[], const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t n = eq ? (size_t)(eq - entry) + 1 : strlen(entry);
	for (int i = 0; env && env[i]; i++)
		if (strncmp(env[i], entry, n) == 0)
			return env[i];
	return NULL;
}

/* The child's environment as a difference from the runner's own: entries
 * added or changed ("env"), keys removed ("env_removed"). */
static void put_env_delta(struct rec *r, char *const envp[])
{
	if (!envp)
		return;
	key(r, "env");
	put(r, "[", 1);
	int first = 1;
	for (int i = 0; envp[i]; i++) {
		const char *mine = env_lookup(environ, envp[i]);
		if (mine && strcmp(mine, envp[i]) == 0)
			continue;
		if (!first)
			put(r, ",", 1);
		first = 0;
		putstr(r, envp[i]);
	}
	put(r, "]", 1);
	key(r, "env_removed");
	put(r, "[", 1);
	first = 1;
	for (int i = 0; environ && environ[i]; i++) {
		if (env_lookup(envp, environ[i]))
			continue;
		const char *eq = strchr(environ[i], '=');
		if (!first)
			put(r, ",", 1);
		first = 0;
		putstrn(r, environ[i], eq ? (size_t)(eq - environ[i]) : strlen(environ[i]));
	}
	put(r, "]", 1);
}

static void put_sigset(struct rec *r, const char *k, const sigset_t *set)
{
	key(r, k);
	put(r, "[", 1);
	int first = 1;
	for (int s = 1; s < 65; s++) {
		if (sigismember(set, s) == 1) {
			if (!first)
				put(r, ",", 1);
			first = 0;
			putnum(r, s);
		}
	}
	put(r, "]", 1);
}

/* glibc's file-action list (posix/spawn_int.h, stable since 2.29). */
struct gl_action {
	enum { A_CLOSE, A_DUP2, A_OPEN, A_CHDIR, A_FCHDIR, A_CLOSEFROM, A_TCSETPGRP } tag;
	union {
		struct { int fd; } close_action;
		struct { int fd; int newfd; } dup2_action;
		struct { int fd; char *path; int oflag; mode_t mode; } open_action;
		struct { char *path; } chdir_action;
		struct { int fd; } fchdir_action;
		struct { int from; } closefrom_action;
		struct { int fd; } setpgrp_action;
	} action;
};

static void put_file_actions(struct rec *r, const posix_spawn_file_actions_t *fa)
{
	key(r, "file_actions");
	if (!fa) {
		puts_(r, "null");
		return;
	}
	put(r, "[", 1);
	int used = fa->__used, alloc = fa->__allocated;
	const struct gl_action *a = (const struct gl_action *)fa->__actions;
	for (int i = 0; a && i < used && i < alloc && i < 64; i++) {
		if (i)
			put(r, ",", 1);
		put(r, "{\"op\":", 6);
		switch (a[i].tag) {
		case A_CLOSE:
			putstr(r, "close");
			kv_fd(r, "fd", a[i].action.close_action.fd);
			break;
		case A_DUP2:
			putstr(r, "dup2");
			kv_fd(r, "fd", a[i].action.dup2_action.fd);
			kv_num(r, "newfd", a[i].action.dup2_action.newfd);
			break;
		case A_OPEN:
			putstr(r, "open");
			kv_num(r, "fd", a[i].action.open_action.fd);
			kv_str(r, "path", a[i].action.open_action.path);
			kv_num(r, "oflag", a[i].action.open_action.oflag);
			break;
		case A_CHDIR:
			putstr(r, "chdir");
			kv_str(r, "path", a[i].action.chdir_action.path);
			break;
		case A_FCHDIR:
			putstr(r, "fchdir");
			kv_num(r, "fd", a[i].action.fchdir_action.fd);
			break;
		case A_CLOSEFROM:
			putstr(r, "closefrom");
			kv_num(r, "fd", a[i].action.closefrom_action.from);
			break;
		default:
			putstr(r, "other");
			kv_num(r, "tag", a[i].tag);
		}
		put(r, "}", 1);
	}
	put(r, "]", 1);
}

static void put_attr(struct rec *r, const posix_spawnattr_t *at)
{
	key(r, "attr");
	if (!at) {
		puts_(r, "null");
		return;
	}
	short flags = 0;
	pid_t pg = 0;
	sigset_t s;
	posix_spawnattr_getflags(at, &flags);
	puts_(r, "{\"flags\":");
	putnum(r, flags);
	if (flags & POSIX_SPAWN_SETPGROUP) {
		posix_spawnattr_getpgroup(at, &pg);
		kv_num(r, "pgroup", pg);
	}
	if (flags & POSIX_SPAWN_SETSIGMASK) {
		posix_spawnattr_getsigmask(at, &s);
		put_sigset(r, "sigmask", &s);
	}
	if (flags & POSIX_SPAWN_SETSIGDEF) {
		posix_spawnattr_getsigdefault(at, &s);
		put_sigset(r, "sigdefault", &s);
	}
	put(r, "}", 1);
}

/* the calling thread's signal mask, which a spawned child inherits */
static void put_thread_mask(struct rec *r)
{
	sigset_t cur;
	if (REAL(pthread_sigmask)(SIG_BLOCK, NULL, &cur) == 0)
		put_sigset(r, "thread_mask", &cur);
}

/* ---- spawn ---- */
static int spawn_common(const char *fn, int (*real)(pid_t *, const char *,
			const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
			char *const[], char *const[]),
			pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
	int rc = real(pid, path, fa, at, argv, envp);
	if (logging()) {
		BEGIN(rp, fn);
		kv_str(rp, "path", path);
		put_argv(rp, "argv", argv);
		put_attr(rp, at);
		put_file_actions(rp, fa);
		put_thread_mask(rp);
		put_env_delta(rp, envp);
		kv_num(rp, "rc", rc);
		if (rc == 0 && pid)
			kv_num(rp, "pid", *pid);
		end(rp);
	}
	return rc;
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		       const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
	return spawn_common("posix_spawn", r_posix_spawn, pid, path, fa, at, argv, envp);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
	return spawn_common("posix_spawnp", r_posix_spawnp, pid, file, fa, at, argv, envp);
}

EXPORT pid_t fork(void)
{
	pid_t p = REAL(fork)();
	if (logging()) {
		if (p == 0)
			__atomic_store_n(&role, ROLE_FORK_CHILD, __ATOMIC_RELAXED);
		BEGIN(rp, "fork");
		kv_num(rp, "rc", p);
		if (p == 0)
			put_thread_mask(rp);
		end(rp);
	}
	return p;
}

static void log_exec(const char *fn, const char *path, char *const argv[], char *const envp[])
{
	BEGIN(rp, fn);
	kv_str(rp, "path", path);
	put_argv(rp, "argv", argv);
	put_thread_mask(rp);
	put_env_delta(rp, envp ? envp : environ);
	end(rp);
}

static void log_exec_failed(const char *fn)
{
	BEGIN(rp, "exec_failed");
	kv_str(rp, "fn", fn);
	kv_num(rp, "errno", rp->saved_errno);
	end(rp);
}

#define EXEC_HOOK(fn, call, p, a, e)           \
	if (logging())                         \
		log_exec(#fn, p, a, e);        \
	int rc_ = call;                        \
	if (logging())                         \
		log_exec_failed(#fn);          \
	return rc_;

EXPORT int execve(const char *p, char *const a[], char *const e[]) { EXEC_HOOK(execve, REAL(execve)(p, a, e), p, a, e) }
EXPORT int execv(const char *p, char *const a[]) { EXEC_HOOK(execv, REAL(execv)(p, a), p, a, NULL) }
EXPORT int execvp(const char *p, char *const a[]) { EXEC_HOOK(execvp, REAL(execvp)(p, a), p, a, NULL) }
EXPORT int execvpe(const char *p, char *const a[], char *const e[]) { EXEC_HOOK(execvpe, REAL(execvpe)(p, a, e), p, a, e) }

/* ---- wait ---- */
static void put_status(struct rec *r, int st)
{
	if (WIFEXITED(st))
		kv_num(r, "exited", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		kv_num(r, "signaled", WTERMSIG(st));
	else if (WIFSTOPPED(st))
		kv_num(r, "stopped", WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		kv_num(r, "continued", 1);
}

EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
	pid_t rc = REAL(waitpid)(pid, status, options);
	if (logging()) {
		BEGIN(rp, "waitpid");
		kv_num(rp, "arg", pid);
		kv_num(rp, "options", options);
		kv_num(rp, "rc", rc);
		if (rc > 0 && status)
			put_status(rp, *status);
		if (rc < 0)
			kv_num(rp, "errno", rp->saved_errno);
		end(rp);
	}
	return rc;
}

EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	pid_t rc = REAL(wait4)(pid, status, options, ru);
	if (logging()) {
		BEGIN(rp, "wait4");
		kv_num(rp, "arg", pid);
		kv_num(rp, "options", options);
		kv_num(rp, "rusage", ru != NULL);
		kv_num(rp, "rc", rc);
		if (rc > 0 && status)
			put_status(rp, *status);
		if (rc < 0)
			kv_num(rp, "errno", rp->saved_errno);
		end(rp);
	}
	return rc;
}

EXPORT pid_t wait(int *status)
{
	pid_t rc = REAL(wait)(status);
	if (logging()) {
		BEGIN(rp, "wait");
		kv_num(rp, "rc", rc);
		if (rc > 0 && status)
			put_status(rp, *status);
		end(rp);
	}
	return rc;
}

EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	int rc = REAL(waitid)(idtype, id, info, options);
	if (logging()) {
		BEGIN(rp, "waitid");
		kv_num(rp, "idtype", idtype);
		if (idtype == P_PIDFD)
			kv_fd(rp, "arg", (int)id);
		else
			kv_num(rp, "arg", id);
		kv_num(rp, "options", options);
		kv_num(rp, "rc", rc);
		if (rc == 0 && info) {
			kv_num(rp, "si_pid", info->si_pid);
			kv_num(rp, "si_code", info->si_code);
			kv_num(rp, "si_status", info->si_status);
		}
		end(rp);
	}
	return rc;
}

/* ---- signals sent ---- */
/* Logged before the call: the child can die and be reaped (and logged by
 * another thread) before kill() returns, and the log must keep cause first. */
EXPORT int kill(pid_t pid, int sig)
{
	if (logging()) {
		BEGIN(rp, "kill");
		kv_num(rp, "arg", pid);
		kv_num(rp, "sig", sig);
		end(rp);
	}
	return REAL(kill)(pid, sig);
}

/* syscall(2): pidfd_open and pidfd_send_signal are made through it (std and
 * tokio have no libc wrapper for them).  x86_64/aarch64 pass six longs. */
EXPORT long syscall(long n, ...)
{
	va_list ap;
	va_start(ap, n);
	long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
	long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
	va_end(ap);
	long rc = REAL(syscall)(n, a1, a2, a3, a4, a5, a6);
	if (logging() && (n == SYS_pidfd_open || n == SYS_pidfd_send_signal)) {
		if (n == SYS_pidfd_open && rc >= 0)
			set_label((int)rc, -__atomic_fetch_add(&next_pidfd, 1, __ATOMIC_RELAXED));
		BEGIN(rp, n == SYS_pidfd_open ? "pidfd_open" : "pidfd_send_signal");
		if (n == SYS_pidfd_open) {
			kv_num(rp, "arg", a1);
			kv_num(rp, "flags", a2);
			if (rc >= 0)
				kv_fd(rp, "rc", (int)rc);
			else
				kv_num(rp, "rc", rc);
		} else {
			kv_fd(rp, "fd", (int)a1);
			kv_num(rp, "sig", a2);
			kv_num(rp, "rc", rc);
		}
		end(rp);
	}
	return rc;
}

/* ---- pipes and their descriptors ---- */
static void log_pipe(const char *fn, int fds[2], int flags, int rc)
{
	if (rc == 0) {
		int k = __atomic_fetch_add(&next_pipe, 1, __ATOMIC_RELAXED);
		set_label(fds[0], 2 * k);
		set_label(fds[1], 2 * k + 1);
	}
	BEGIN(rp, fn);
	kv_num(rp, "flags", flags);
	kv_num(rp, "rc", rc);
	if (rc == 0) {
		kv_fd(rp, "r", fds[0]);
		kv_fd(rp, "w", fds[1]);
	}
	end(rp);
}

EXPORT int pipe(int fds[2])
{
	int rc = REAL(pipe)(fds);
	if (logging())
		log_pipe("pipe", fds, 0, rc);
	return rc;
}

EXPORT int pipe2(int fds[2], int flags)
{
	int rc = REAL(pipe2)(fds, flags);
	if (logging())
		log_pipe("pipe2", fds, flags, rc);
	return rc;
}

EXPORT ssize_t read(int fd, void *buf, size_t count)
{
	ssize_t rc = REAL(read)(fd, buf, count);
	if (__builtin_expect(label_of(fd) != 0, 0) && logging()) {
		BEGIN(rp, "read");
		kv_fd(rp, "fd", fd);
		kv_num(rp, "count", (long long)count);
		kv_num(rp, "rc", rc);
		if (rc < 0)
			kv_num(rp, "errno", rp->saved_errno);
		end(rp);
	}
	return rc;
}

EXPORT int close(int fd)
{
	int label = label_of(fd) ? take_label(fd) : 0;
	int rc = REAL(close)(fd);
	if (label && logging()) {
		BEGIN(rp, "close");
		kv_num(rp, "fd", fd);
		kv_num(rp, "fd_label", label);
		kv_num(rp, "rc", rc);
		end(rp);
	}
	return rc;
}

static void log_fcntl(int fd, int cmd, long arg, int rc)
{
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && rc >= 0)
		set_label(rc, label_of(fd));
	BEGIN(rp, "fcntl");
	kv_fd(rp, "fd", fd);
	kv_num(rp, "cmd", cmd);
	kv_num(rp, "arg", arg);
	kv_num(rp, "rc", rc);
	end(rp);
}

static int fcntl_logged(int cmd)
{
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFL || cmd == F_SETFD;
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	int rc = REAL(fcntl)(fd, cmd, arg);
	if (label_of(fd) && fcntl_logged(cmd) && logging())
		log_fcntl(fd, cmd, arg, rc);
	return rc;
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	int rc = REAL(fcntl64)(fd, cmd, arg);
	if (label_of(fd) && fcntl_logged(cmd) && logging())
		log_fcntl(fd, cmd, arg, rc);
	return rc;
}

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	long arg = va_arg(ap, long);
	va_end(ap);
	int rc = REAL(ioctl)(fd, req, arg);
	if (req == FIONBIO && label_of(fd) && logging()) {
		BEGIN(rp, "ioctl_fionbio");
		kv_fd(rp, "fd", fd);
		kv_num(rp, "on", arg ? *(int *)arg : -1);
		kv_num(rp, "rc", rc);
		end(rp);
	}
	return rc;
}

/* ---- the fork child's calls before exec ---- */
static int in_fork_child(void)
{
	return __atomic_load_n(&role, __ATOMIC_RELAXED) == ROLE_FORK_CHILD && log_fd >= 0;
}

EXPORT int dup2(int fd, int newfd)
{
	int rc = REAL(dup2)(fd, newfd);
	if (in_fork_child()) {
		BEGIN(rp, "dup2");
		kv_fd(rp, "fd", fd);
		kv_num(rp, "newfd", newfd);
		kv_num(rp, "rc", rc);
		end(rp);
	}
	return rc;
}

EXPORT int chdir(const char *path)
{
	int rc = REAL(chdir)(path);
	if (in_fork_child()) {
		BEGIN(rp, "chdir");
		kv_str(rp, "path", path);
		kv_num(rp, "rc", rc);
		end(rp);
	}
	return rc;
}

EXPORT int setpgid(pid_t pid, pid_t pgid)
{
	int rc = REAL(setpgid)(pid, pgid);
	if (in_fork_child()) {
		BEGIN(rp, "setpgid");
		kv_num(rp, "arg", pid);
		kv_num(rp, "pgid", pgid);
		kv_num(rp, "rc", rc);
		end(rp);
	}
	return rc;
}

/* ---- signal masks and dispositions ---- */
static void log_mask(const char *fn, int how, const sigset_t *set, int rc)
{
	BEGIN(rp, fn);
	kv_num(rp, "how", how);
	put_sigset(rp, "set", set);
	kv_num(rp, "rc", rc);
	end(rp);
}

EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	int rc = REAL(pthread_sigmask)(how, set, old);
	if (set && logging())
		log_mask("pthread_sigmask", how, set, rc);
	return rc;
}

EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int rc = REAL(sigprocmask)(how, set, old);
	if (set && logging())
		log_mask("sigprocmask", how, set, rc);
	return rc;
}

static void put_handler(struct rec *r, void (*h)(int))
{
	key(r, "handler");
	puts_(r, h == SIG_DFL ? "\"default\"" : h == SIG_IGN ? "\"ignore\"" : "\"function\"");
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	int rc = REAL(sigaction)(sig, act, old);
	if (act && logging()) {
		BEGIN(rp, "sigaction");
		kv_num(rp, "sig", sig);
		put_handler(rp, act->sa_handler);
		kv_num(rp, "flags", act->sa_flags);
		kv_num(rp, "rc", rc);
		end(rp);
	}
	return rc;
}

EXPORT sighandler_t signal(int sig, sighandler_t h)
{
	sighandler_t rc = REAL(signal)(sig, h);
	if (logging()) {
		BEGIN(rp, "signal");
		kv_num(rp, "sig", sig);
		put_handler(rp, h);
		end(rp);
	}
	return rc;
}

/* ---- the runner's output streams ---- */
static void log_out(int fd, const char *buf, ssize_t n)
{
	/* long writes become several records of at most 8 KiB each */
	for (ssize_t off = 0; off < n; off += 8192) {
		ssize_t len = n - off < 8192 ? n - off : 8192;
		BEGIN(rp, "out");
		kv_num(rp, "fd", fd);
		key(rp, "data");
		putstrn(rp, buf + off, (size_t)len);
		end(rp);
	}
}

EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
	ssize_t rc = REAL(write)(fd, buf, count);
	if (__builtin_expect((fd == 1 || fd == 2) && rc > 0, 0) && logging())
		log_out(fd, buf, rc);
	return rc;
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	ssize_t rc = REAL(writev)(fd, iov, cnt);
	if (__builtin_expect((fd == 1 || fd == 2) && rc > 0, 0) && logging()) {
		ssize_t left = rc;
		for (int i = 0; i < cnt && left > 0; i++) {
			ssize_t n = (ssize_t)iov[i].iov_len < left ? (ssize_t)iov[i].iov_len : left;
			if (n > 0)
				log_out(fd, iov[i].iov_base, n);
			left -= n;
		}
	}
	return rc;
}
