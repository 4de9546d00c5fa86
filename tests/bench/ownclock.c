/* ownclock.c — runs a command and splits its process tree's CPU time into the
 * command's own (all its threads) and that of the children it reaped.
 *
 * Owns: the whole-tree benchmark's split.  `ownclock OUT PROG ARGS...` forks,
 * execs PROG, waits for it with WNOWAIT so that it stays a zombie, reads its
 * /proc/PID/stat (utime and stime: the process itself, every thread; cutime
 * and cstime: the descendants it waited for; minflt and cminflt likewise),
 * writes one line "own_ms children_ms own_minflt children_minflt own_user_ms"
 * to OUT (the last: utime alone, the runner's time in user space),
 * reaps it and exits with its exit status.  Under `perf stat` the tree's
 * total still comes from perf; this adds which part of it is the runner's. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int stat_fields(pid_t pid, unsigned long long *v)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');    /* the command name may hold spaces */
	if (!p)
		return -1;
	p += 2;                         /* field 3 (state) starts here */
	/* fields 3..17: state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime */
	char state;
	int ppid, pgrp, session, tty, tpgid;
	unsigned flags;
	if (sscanf(p, "%c %d %d %d %d %d %u %llu %llu %llu %llu %llu %llu %llu %llu",
		   &state, &ppid, &pgrp, &session, &tty, &tpgid, &flags,
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 15)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ownclock OUT PROG [ARGS...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	siginfo_t si;
	while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return 2;
	/* v: minflt cminflt majflt cmajflt utime stime cutime cstime */
	unsigned long long v[8];
	int ok = stat_fields(pid, v) == 0;
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 2;
	if (!ok)
		return 3;
	double tick_ms = 1000.0 / (double)sysconf(_SC_CLK_TCK);
	FILE *out = fopen(argv[1], "w");
	if (!out)
		return 2;
	fprintf(out, "%.0f %.0f %llu %llu %.0f\n", (double)(v[4] + v[5]) * tick_ms,
		(double)(v[6] + v[7]) * tick_ms, v[0], v[1], (double)v[4] * tick_ms);
	fclose(out);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
