/* extras/taskregs.c — a thread's system-call registers from /proc.
 *
 * Owns: reading and parsing /proc/PID/task/TID/syscall ("nr a1 … a6 sp pc",
 * "-1 sp pc" or "running"), and reading again the threads found running.
 * Reading /proc neither stops nor signals the thread.  Raw syscalls and no
 * allocation: callable from the extras' helper thread at any time.
 */
#include "taskregs.h"

#ifdef __linux__
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xtext.h"

/* Returns 1 with nr, sp and pc; 0 for "running" or an unreadable line. */
static int parse(const char *s, long *nr, uint64_t *sp, uint64_t *pc)
{
	char *end;
	if (strncmp(s, "running", 7) == 0)
		return 0;
	*nr = strtol(s, &end, 10);
	uint64_t v[8];
	int k = 0;
	for (const char *p = end; k < 8;) {
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		v[k++] = strtoull(p, &end, 0);
		if (end == p)
			break;
		p = end;
	}
	if (k < 2)
		return 0;
	*sp = v[k - 2];
	*pc = v[k - 1];
	return 1;
}

void nx_task_regs_read(pid_t pid, struct nx_task_regs *t)
{
	char path[96], sc[512];
	nx_xt_proc_path(path, sizeof path, pid, t->tid, "syscall");
	t->nr = -1;
	t->sp = t->pc = 0;
	t->has = nx_xt_read_file(path, sc, sizeof sc) > 0 && parse(sc, &t->nr, &t->sp, &t->pc);
}

void nx_task_regs_settle(pid_t pid, struct nx_task_regs *t, int n, int rounds, long pause_ns)
{
	for (int round = 0; round < rounds; round++) {
		int left = 0;
		for (int i = 0; i < n; i++)
			left += !t[i].has;
		if (!left)
			return;
		struct timespec pause = { pause_ns / 1000000000L, pause_ns % 1000000000L };
		nanosleep(&pause, NULL);
		for (int i = 0; i < n; i++)
			if (!t[i].has)
				nx_task_regs_read(pid, &t[i]);
	}
}

#else

void nx_task_regs_read(pid_t pid, struct nx_task_regs *t)
{
	(void)pid;
	t->has = 0;
	t->nr = -1;
	t->sp = t->pc = 0;
}

void nx_task_regs_settle(pid_t pid, struct nx_task_regs *t, int n, int rounds, long pause_ns)
{
	(void)pid, (void)t, (void)n, (void)rounds, (void)pause_ns;
}

#endif
