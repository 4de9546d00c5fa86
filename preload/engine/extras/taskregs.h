/* extras/taskregs.h — a thread's registers as /proc gives them, without
 * stopping it: the system call it is blocked in, its user stack pointer and
 * program counter (/proc/PID/task/TID/syscall). */
#ifndef NX_TASKREGS_H
#define NX_TASKREGS_H

#include <stdint.h>
#include <sys/types.h>

struct nx_task_regs {
	pid_t tid;
	int has;	/* sp and pc known: the thread is blocked */
	long nr;	/* the system call it is blocked in, -1 when none */
	uint64_t sp, pc;
};

/* Reads thread t->tid of pid into *t: has = 0 when /proc says "running" (on
 * a CPU or runnable: no registers to offer) or the thread is gone. */
void nx_task_regs_read(pid_t pid, struct nx_task_regs *t);

/* Reads the threads of t[0..n) that have no registers again, up to `rounds`
 * times `pause_ns` apart, until each has them: a thread just woken from a
 * periodic sleep is back in its system call within a moment.  Sleeps in the
 * calling thread only. */
void nx_task_regs_settle(pid_t pid, struct nx_task_regs *t, int n, int rounds, long pause_ns);

#endif
