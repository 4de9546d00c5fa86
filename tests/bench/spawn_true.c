/* spawn_true.c — spawns a program N times in a row and waits for each.
 *
 * Owns: the load-cost benchmark's driver: `spawn_true N PROG` runs PROG
 * (no arguments) N times with posix_spawn + waitpid, inheriting the
 * environment (so LD_PRELOAD reaches every child), and exits non-zero if any
 * child failed.  The timing is done by the caller. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int n = atoi(argv[1]);
	char *args[] = { argv[2], NULL };
	for (int i = 0; i < n; i++) {
		pid_t pid;
		int st;
		if (posix_spawn(&pid, argv[2], NULL, NULL, args, environ) != 0)
			return 1;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return 1;
	}
	return 0;
}
