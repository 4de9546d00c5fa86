/* errno_check.c — every hook leaves errno exactly as the real call left it.
 *
 * Owns: one case per hooked function (posix_spawn, posix_spawnp,
 * posix_spawn_file_actions_adddup2, fork, execve, execv, execvp, execvpe,
 * fexecve, execl, execle, execlp, waitpid, wait4, wait, waitid, kill, pipe,
 * pipe2, read, recv, close, write, writev, raise), each called in a way that
 * fails and in a way that succeeds with errno preset to a sentinel.  Each
 * case prints "<case>: rc=<r> errno=<name|sentinel>" and checks the expected
 * errno itself where libc's own value is certain (so the plain run asserts libc's behaviour, and the driver
 * compares the with/without-library outputs byte for byte).  The cases run
 * twice: first as an ordinary process (role unknown), then after spawning a
 * child that carries nextest's protocol, which makes the process a runner
 * (under a tracer the hooks then do their full bookkeeping).  Exec failures
 * are also checked inside a fork child (the fork-path role).  Exit 1 if any
 * self-check failed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SENTINEL 4242

extern char **environ;

static char out[65536];
static size_t outlen;
static int bad;
static const char *phase = "plain";

static const char *ename(int e)
{
	if (e == SENTINEL)
		return "sentinel";
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

/* expect: an errno value, SENTINEL for "unchanged", or ANY where libc itself
 * may leave a value behind (glibc's posix_spawn* set errno while searching
 * PATH); those rely on the with/without comparison alone. */
#define ANY (-1)
static void report(const char *name, long rc, int e, int expect)
{
	outlen += (size_t)snprintf(out + outlen, sizeof out - outlen, "%s/%s: rc=%ld errno=%s%s\n",
				   phase, name, rc, ename(e), e == expect || expect == ANY ? "" : "  <-- UNEXPECTED");
	if (e != expect && expect != ANY)
		bad = 1;
}

#define CASE(name, expect, call)                          \
	do {                                              \
		errno = SENTINEL;                         \
		long rc_ = (long)(call);                  \
		int e_ = errno;                           \
		report(name, rc_ < 0 ? -1 : rc_ > 0 ? 1 : 0, e_, expect); \
	} while (0)

static char *child_envp[] = { "NEXTEST_TEST_PHASE=run", "NEXTEST_EXECUTION_MODE=process-per-test",
			      "NEXTEST_RUN_ID=77777777-2222-3333-4444-555555555555",
			      "NEXTEST_BINARY_ID=errno-bin", "NEXTEST_TEST_NAME=errno::t",
			      "NEXTEST_ATTEMPT=1", "NEXTEST_TOTAL_ATTEMPTS=1",
			      "NEXTEST_ATTEMPT_ID=77777777-2222-3333-4444-555555555555:errno-bin$errno::t",
			      NULL };

static void reap(pid_t p)
{
	int st;
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
}

/* Exec failure inside a fork child: the child reports its errno through a
 * pipe (the parent reads it). */
static void exec_in_child(const char *name, int which)
{
	int p[2];
	if (pipe(p) != 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "nx-no-such-program", NULL };
		errno = SENTINEL;
		int rc;
		if (which == 0)
			rc = execve("/nonexistent/nx", argv, environ);
		else if (which == 1)
			rc = execvp("nx-no-such-program-xyz", argv);
		else
			rc = execl("/nonexistent/nx", "nx", (char *)NULL);
		int e[2] = { rc, errno };
		write(p[1], e, sizeof e);
		_exit(0);
	}
	close(p[1]);
	int e[2] = { 0, 0 };
	ssize_t r = read(p[0], e, sizeof e);
	close(p[0]);
	reap(pid);
	report(name, r == sizeof e ? e[0] : -99, e[1], ENOENT);
}

/* an address the kernel refuses (EFAULT), hidden from the compiler */
static int *volatile bad_fds = (int *)8;

static void cases(void)
{
	pid_t pid;
	int st, fds[2];
	char buf[16];
	char *argv_true[] = { "true", NULL };
	char *argv_none[] = { "nx-no-such-program", NULL };
	posix_spawn_file_actions_t fa;

	/* spawning: posix_spawn returns the error, errno is untouched */
	CASE("posix_spawn-fail", ANY, posix_spawn(&pid, "/nonexistent/nx", NULL, NULL, argv_none, environ));
	CASE("posix_spawn-ok", ANY, posix_spawn(&pid, "/bin/true", NULL, NULL, argv_true, environ));
	reap(pid);
	CASE("posix_spawnp-fail", ANY, posix_spawnp(&pid, "nx-no-such-program-xyz", NULL, NULL, argv_none, environ));
	CASE("posix_spawnp-ok", ANY, posix_spawnp(&pid, "true", NULL, NULL, argv_true, environ));
	reap(pid);
	posix_spawn_file_actions_init(&fa);
	CASE("adddup2-fail", SENTINEL, posix_spawn_file_actions_adddup2(&fa, -1, 1));
	CASE("adddup2-ok", SENTINEL, posix_spawn_file_actions_adddup2(&fa, 2, 2));
	posix_spawn_file_actions_destroy(&fa);

	/* fork: success in the parent; the child exits at once */
	errno = SENTINEL;
	pid = fork();
	if (pid == 0)
		_exit(0);
	report("fork-ok", pid > 0, errno, SENTINEL);
	reap(pid);

	/* exec family, failing in this process */
	char *argv[] = { "nx", NULL };
	int dirfd = open("/", O_RDONLY | O_CLOEXEC);
	CASE("execve-fail", ENOENT, execve("/nonexistent/nx", argv, environ));
	CASE("execv-fail", ENOENT, execv("/nonexistent/nx", argv));
	CASE("execvp-fail", ENOENT, execvp("nx-no-such-program-xyz", argv));
	CASE("execvpe-fail", ENOENT, execvpe("nx-no-such-program-xyz", argv, environ));
	CASE("fexecve-fail", EACCES, fexecve(dirfd, argv, environ));
	CASE("execl-fail", ENOENT, execl("/nonexistent/nx", "nx", (char *)NULL));
	CASE("execle-fail", ENOENT, execle("/nonexistent/nx", "nx", (char *)NULL, environ));
	CASE("execlp-fail", ENOENT, execlp("nx-no-such-program-xyz", "nx", (char *)NULL));
	close(dirfd);
	/* and inside a fork child (where a traced runner's hooks fill a slot) */
	exec_in_child("child-execve-fail", 0);
	exec_in_child("child-execvp-fail", 1);
	exec_in_child("child-execl-fail", 2);

	/* reaping */
	CASE("waitpid-fail", ECHILD, waitpid(999999, &st, 0));
	CASE("wait4-fail", ECHILD, wait4(999999, &st, 0, NULL));
	CASE("wait-fail", ECHILD, wait(&st));
	siginfo_t si;
	CASE("waitid-fail", ECHILD, waitid(P_PID, 999999, &si, WEXITED));
	posix_spawnp(&pid, "sleep", NULL, NULL, (char *[]){ "sleep", "0.2", NULL }, environ);
	CASE("waitpid-wnohang-none", SENTINEL, waitpid(pid, &st, WNOHANG));
	CASE("waitpid-ok", SENTINEL, waitpid(pid, &st, 0));
	posix_spawnp(&pid, "true", NULL, NULL, argv_true, environ);
	CASE("wait4-ok", SENTINEL, wait4(pid, &st, 0, NULL));
	posix_spawnp(&pid, "true", NULL, NULL, argv_true, environ);
	CASE("wait-ok", SENTINEL, wait(&st));
	posix_spawnp(&pid, "true", NULL, NULL, argv_true, environ);
	CASE("waitid-ok", SENTINEL, waitid(P_PID, (id_t)pid, &si, WEXITED));

	/* signals */
	CASE("kill-fail", ESRCH, kill(999999, 0));
	CASE("kill-ok", SENTINEL, kill(getpid(), 0));
	CASE("raise-fail", EINVAL, raise(-1));
	signal(SIGUSR1, SIG_IGN);
	CASE("raise-ok", SENTINEL, raise(SIGUSR1));
	/* raise(SIGSTOP): the pause path; a helper sends SIGCONT */
	pid_t helper = fork();
	if (helper == 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		kill(getppid(), SIGCONT);
		_exit(0);
	}
	CASE("raise-sigstop-ok", SENTINEL, raise(SIGSTOP));
	reap(helper);

	/* pipes and fds */
	CASE("pipe2-fail", EINVAL, pipe2(fds, 0x7fff0000));
	CASE("pipe-fail", EFAULT, pipe(bad_fds));
	CASE("pipe-ok", SENTINEL, pipe(fds));
	close(fds[0]);
	close(fds[1]);
	CASE("pipe2-ok", SENTINEL, pipe2(fds, O_CLOEXEC | O_NONBLOCK));
	CASE("read-fail-ebadf", EBADF, read(-1, buf, 1));
	CASE("read-fail-eagain", EAGAIN, read(fds[0], buf, 1));
	CASE("write-ok", SENTINEL, write(fds[1], "ab", 2));
	CASE("read-ok", SENTINEL, read(fds[0], buf, sizeof buf));
	struct iovec iov[2] = { { "c", 1 }, { "d", 1 } };
	CASE("writev-ok", SENTINEL, writev(fds[1], iov, 2));
	CASE("writev-fail", EBADF, writev(-1, iov, 2));
	CASE("write-fail", EBADF, write(-1, "x", 1));
	CASE("close-ok", SENTINEL, close(fds[1]));
	CASE("read-eof", SENTINEL, (read(fds[0], buf, sizeof buf), read(fds[0], buf, sizeof buf)));
	CASE("close-ok2", SENTINEL, close(fds[0]));
	CASE("close-fail", EBADF, close(fds[0]));
	/* fd 1 and 2: the runner's own output, which the hooks read */
	CASE("write-fd2-ok", SENTINEL, write(2, "errno_check: a line on stderr\n", 30));
	struct iovec line[2] = { { "errno_check: writev ", 20 }, { "on stderr\n", 10 } };
	CASE("writev-fd2-ok", SENTINEL, writev(2, line, 2));
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	CASE("recv-fail-enotsock", ENOTSOCK, recv(dirfd >= 0 ? 0 : 0, buf, 1, MSG_DONTWAIT) >= 0 ? 0 : -1);
	CASE("recv-fail-eagain", EAGAIN, recv(sv[0], buf, 1, MSG_DONTWAIT));
	send(sv[1], "z", 1, 0);
	CASE("recv-ok", SENTINEL, recv(sv[0], buf, 1, 0));
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	/* make fd 0 a non-socket regular descriptor for recv-fail-enotsock */
	int devnull = open("/dev/null", O_RDONLY);
	dup2(devnull, 0);
	close(devnull);

	cases();

	/* become a runner: spawn a child carrying nextest's protocol, with its
	 * stdout on a pipe, read to EOF and reap it */
	phase = "runner";
	int p[2];
	pipe2(p, O_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	pid_t pid;
	char *argv[] = { "true", "--exact", "errno::t", "--nocapture", NULL };
	errno = SENTINEL;
	int rc = posix_spawnp(&pid, "true", &fa, NULL, argv, child_envp);
	report("promote-spawn", rc, errno, ANY);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	char b[64];
	while (read(p[0], b, sizeof b) > 0)
		;
	int st;
	errno = SENTINEL;
	report("promote-reap", waitpid(pid, &st, 0) == pid, errno, SENTINEL);
	close(p[0]);

	cases();
	fwrite(out, 1, outlen, stdout);
	printf("%s\n", bad ? "errno_check: FAILED" : "errno_check: ok");
	return bad;
}
