/* ctorspawn.c — a preloaded library whose constructor spawns a child.
 *
 * Owns: the "constructor runs before ours" sabotage (libfaketime's library-
 * constructor snippets): its constructor posix_spawnp's a nextest-looking
 * child (NEXTEST_TEST_PHASE=run …, capture pipe on fd 1), reads it to EOF and
 * waitpid()s it, possibly before libnextest_probes' own constructor ran.  The
 * child's exit status and byte count go to $CTORSPAWN_LOG, so the test can
 * check that the early spawn itself worked. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((constructor)) static void spawn_early(void)
{
	const char *child = getenv("CTORSPAWN_CHILD");
	const char *log = getenv("CTORSPAWN_LOG");
	if (!child || !log)
		return;
	char *argv[] = { (char *)child, "--exact", "ctor::early", "--nocapture", NULL };
	char *envp[] = { "NEXTEST_TEST_PHASE=run", "NEXTEST_EXECUTION_MODE=process-per-test",
			 "NEXTEST_RUN_ID=99999999-2222-3333-4444-555555555555",
			 "NEXTEST_BINARY_ID=ctor-bin", "NEXTEST_TEST_NAME=ctor::early",
			 "NEXTEST_ATTEMPT=1", "NEXTEST_TOTAL_ATTEMPTS=1",
			 "NEXTEST_ATTEMPT_ID=99999999-2222-3333-4444-555555555555:ctor-bin$ctor::early",
			 NULL };
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	pid_t pid;
	int rc = posix_spawnp(&pid, child, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	size_t bytes = 0;
	int status = -1;
	if (rc == 0) {
		char buf[256];
		ssize_t r;
		while ((r = read(p[0], buf, sizeof buf)) > 0)
			bytes += (size_t)r;
		waitpid(pid, &status, 0);
	}
	close(p[0]);
	char line[128];
	int len = snprintf(line, sizeof line, "ctorspawn: rc=%d status=%d bytes=%zu\n", rc, status, bytes);
	int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		syscall(SYS_write, fd, line, (size_t)len);
		close(fd);
	}
}
