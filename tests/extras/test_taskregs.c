/* test_taskregs.c — unit tests of preload/engine/extras/taskregs.c (tests/extras).
 *
 * Owns: checks, on threads of this very program, that nx_task_regs_read gives
 * a blocked thread's system call and registers and none for a thread on a CPU,
 * and that nx_task_regs_settle reads a thread found running again until it is
 * back in a system call — and gives up, in bounded time, on one that keeps
 * running.  Prints one line per check and `N passed, N failed`.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../preload/engine/extras/taskregs.h"

static int passed, failed;

static void check(const char *what, int ok, const char *got)
{
	printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", what, ok ? "" : ": got ", ok ? "" : got);
	ok ? passed++ : failed++;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct worker {
	int fd;			/* read end of a pipe: the thread blocks there */
	double spin_ms;		/* on a CPU this long first (< 0: until stop) */
	volatile int tid, spinning, stop;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	w->tid = (int)syscall(SYS_gettid);
	double until = now_ms() + w->spin_ms;
	w->spinning = 1;
	while (w->spin_ms < 0 ? !w->stop : now_ms() < until)
		;
	char c;
	if (w->spin_ms >= 0)
		(void)!read(w->fd, &c, 1);
	return NULL;
}

static void start(struct worker *w, pthread_t *th, int fd, double spin_ms)
{
	*w = (struct worker){ .fd = fd, .spin_ms = spin_ms };
	pthread_create(th, NULL, work, w);
	while (!w->spinning)
		;
}

int main(void)
{
	int p[2];
	if (pipe(p) != 0)
		return 2;
	pid_t pid = getpid();
	char got[128];
	struct worker w;
	pthread_t th;

	/* blocked: the system call and registers */
	start(&w, &th, p[0], 0);
	struct nx_task_regs r = { .tid = 0 };
	double t0 = now_ms();
	do {
		usleep(1000);
		r.tid = w.tid;
		nx_task_regs_read(pid, &r);
	} while (!r.has && now_ms() - t0 < 2000);
	snprintf(got, sizeof got, "has %d nr %ld sp %#llx pc %#llx", r.has, r.nr,
		 (unsigned long long)r.sp, (unsigned long long)r.pc);
	check("a thread blocked in read(): its system call, sp and pc", r.has && r.nr == SYS_read && r.sp && r.pc,
	      got);

	/* on a CPU for 30 ms, then blocked: running at first, settled within 200 ms */
	int q[2];
	if (pipe(q) != 0)
		return 2;
	struct worker w2;
	pthread_t th2;
	start(&w2, &th2, q[0], 30);
	struct nx_task_regs r2 = { .tid = w2.tid };
	nx_task_regs_read(pid, &r2);
	snprintf(got, sizeof got, "has %d nr %ld", r2.has, r2.nr);
	check("a thread on a CPU: no registers (\"running\")", !r2.has, got);
	struct nx_task_regs none = r2;
	nx_task_regs_settle(pid, &none, 1, 0, 1000000L);
	check("settle with no rounds leaves it without", !none.has, "registers");
	nx_task_regs_settle(pid, &r2, 1, 200, 1000000L);
	snprintf(got, sizeof got, "has %d nr %ld", r2.has, r2.nr);
	check("settle reads it again until it is back in read()", r2.has && r2.nr == SYS_read, got);

	/* on a CPU throughout: settle gives up after its rounds */
	struct worker w3;
	pthread_t th3;
	start(&w3, &th3, -1, -1);
	struct nx_task_regs r3 = { .tid = w3.tid };
	nx_task_regs_read(pid, &r3);
	t0 = now_ms();
	nx_task_regs_settle(pid, &r3, 1, 5, 1000000L);
	double took = now_ms() - t0;
	w3.stop = 1;
	pthread_join(th3, NULL);
	snprintf(got, sizeof got, "has %d after %.1f ms", r3.has, took);
	check("a thread that keeps running stays without registers, settle bounded", !r3.has && took < 500, got);

	/* a thread that is gone: no registers, no hang */
	struct nx_task_regs gone = { .tid = w3.tid };
	nx_task_regs_read(pid, &gone);
	check("a thread that is gone: no registers", !gone.has, "registers");

	(void)!write(p[1], "x", 1);
	(void)!write(q[1], "x", 1);
	pthread_join(th, NULL);
	pthread_join(th2, NULL);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
