/* compete.c — a competing LD_PRELOAD interposer for the sabotage tests.
 *
 * Owns: its own wrappers of posix_spawnp, read and write that count their
 * calls and forward through dlsym(RTLD_NEXT), the way another tracing or
 * sandboxing preload would.  Placed before or after libnextest_probes in
 * LD_PRELOAD; either way both chains must reach libc exactly once per call.
 * At exit it appends "compete: spawnp=N read=N write=N" to $COMPETE_LOG
 * (never to the runner's own output). */
#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long n_spawnp, n_read, n_write;

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	static __typeof__(&posix_spawnp) real;
	if (!real)
		real = (__typeof__(&posix_spawnp))dlsym(RTLD_NEXT, "posix_spawnp");
	__atomic_add_fetch(&n_spawnp, 1, __ATOMIC_RELAXED);
	return real(pid, file, fa, attr, argv, envp);
}

ssize_t read(int fd, void *buf, size_t n)
{
	static __typeof__(&read) real;
	if (!real)
		real = (__typeof__(&read))dlsym(RTLD_NEXT, "read");
	__atomic_add_fetch(&n_read, 1, __ATOMIC_RELAXED);
	return real(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static __typeof__(&write) real;
	if (!real)
		real = (__typeof__(&write))dlsym(RTLD_NEXT, "write");
	__atomic_add_fetch(&n_write, 1, __ATOMIC_RELAXED);
	return real(fd, buf, n);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("COMPETE_LOG");
	if (!path)
		return;
	char line[128];
	int len = snprintf(line, sizeof line, "compete: pid=%d spawnp=%ld read=%ld write=%ld\n",
			   getpid(), n_spawnp, n_read, n_write);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		syscall(SYS_write, fd, line, (size_t)len);
		close(fd);
	}
}
