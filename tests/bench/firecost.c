/* firecost.c — the CPU time one USDT probe firing costs the process that fires it.
 *
 * Owns: the traced half of the bench's cost estimate.  `firecost N [wait]`
 * fires the probe benchfire:fire (two arguments: a string and a u64, like
 * nextest's probes' JSON and id) N times in a loop, guarded by its semaphore
 * as the library's probes are, and prints "NS_PER_ITERATION FIRED" — the
 * process's CPU time (CLOCK_PROCESS_CPUTIME_ID, user + system: the uprobe trap
 * and the tracer's program run in the kernel on the firing thread's time)
 * divided by N.  With `wait` it first waits (up to 60 s) for a tracer to raise
 * the semaphore, so bench.py can attach bpftrace by path before the loop.
 * Without a tracer the guarded site costs a load and a branch; the difference
 * is the cost of one firing.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>
#include <unistd.h>

__extension__ unsigned short benchfire_fire_semaphore __attribute__((section(".probes"), used));

static double cpu_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: firecost N [wait]\n");
		return 2;
	}
	long n = atol(argv[1]);
	if (argc > 2 && strcmp(argv[2], "wait") == 0) {
		for (int i = 0; i < 6000 && !*(volatile unsigned short *)&benchfire_fire_semaphore; i++)
			usleep(10000);
		if (!*(volatile unsigned short *)&benchfire_fire_semaphore) {
			fprintf(stderr, "firecost: no tracer attached\n");
			return 1;
		}
	}
	static const char json[] = "{\"ok\":{\"id\":\"bench\"}}";
	long fired = 0;
	double t0 = cpu_ns();
	for (long i = 0; i < n; i++) {
		if (*(volatile unsigned short *)&benchfire_fire_semaphore) {
			STAP_PROBE2(benchfire, fire, json, (unsigned long long)i);
			fired++;
		}
		__asm__ volatile("" ::: "memory");
	}
	double t1 = cpu_ns();
	printf("%.1f %ld\n", (t1 - t0) / (double)n, fired);
	return 0;
}
