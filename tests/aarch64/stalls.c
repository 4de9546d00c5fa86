/* tests/aarch64/stalls.c — measures how late a sleeping thread of the
 * emulated machine gets to run (check-aarch64's e2e stage).
 *
 * Owns: the guest's stall log.  One thread sleeps to an absolute
 * CLOCK_MONOTONIC deadline every PERIOD and notes how late it woke.  Every
 * wake-up later than THRESHOLD is written to FILE as "BEGIN END" (ns, the
 * deadline and the instant it ran; the clock of bpftrace's nsecs and of both
 * sides' durations), one line per write().  Under TCG a virtual CPU is a host
 * thread: when the host does not run it, every thread of the guest that was
 * to run on it waits too, so a gap between two of a runner's clock readings
 * can grow by the stall.  tests/e2e/truthdiff.py reads the log
 * (NX_E2E_GUEST_STALLS) to allow a duration to come out shorter by the
 * stall time inside its window.  On SIGTERM or SIGINT: one summary line on
 * stdout (wake-ups, median, p99, largest, stalls logged, their total).
 * Usage: stalls FILE [PERIOD_US=1000] [THRESHOLD_US=2000]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* Late wake-ups in µs, bucketed: [0, 100 ms) by 10 µs, then one bucket. */
#define NB 10001
static uint64_t hist[NB];

static uint64_t percentile(uint64_t n, double p)
{
	uint64_t want = (uint64_t)(p * (double)n), seen = 0;
	for (int i = 0; i < NB; i++) {
		seen += hist[i];
		if (seen > want)
			return (uint64_t)i * 10;
	}
	return (NB - 1) * 10;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: stalls FILE [PERIOD_US] [THRESHOLD_US]\n");
		return 2;
	}
	uint64_t period = (argc > 2 ? strtoull(argv[2], NULL, 10) : 1000) * 1000;
	uint64_t threshold = (argc > 3 ? strtoull(argv[3], NULL, 10) : 2000) * 1000;
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	uint64_t n = 0, nstalls = 0, stalled = 0, worst = 0;
	struct timespec next, now;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop) {
		uint64_t deadline = ns_of(&next) + period;
		next.tv_sec = (time_t)(deadline / 1000000000u);
		next.tv_nsec = (long)(deadline % 1000000000u);
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) != 0)
			continue;	/* EINTR: the signal; the loop ends */
		clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t t = ns_of(&now), late = t > deadline ? t - deadline : 0;
		n++;
		hist[late / 10000 < NB ? late / 10000 : NB - 1]++;
		if (late > worst)
			worst = late;
		if (late > threshold) {
			char line[64];
			int len = snprintf(line, sizeof(line), "%llu %llu\n",
					   (unsigned long long)deadline, (unsigned long long)t);
			if (write(fd, line, (size_t)len) != len)
				return 1;
			nstalls++;
			stalled += late;
		}
		/* After a long stall the next deadline is from now: one stall, one line. */
		if (late > period)
			next = now;
	}
	close(fd);
	printf("stalls: %llu wake-ups every %llu us: late by median %llu us, p99 %llu us, "
	       "largest %.1f ms; %llu later than %.1f ms, %.1f ms in all\n",
	       (unsigned long long)n, (unsigned long long)(period / 1000),
	       (unsigned long long)percentile(n, 0.5), (unsigned long long)percentile(n, 0.99),
	       (double)worst / 1e6, (unsigned long long)nstalls, (double)threshold / 1e6,
	       (double)stalled / 1e6);
	return 0;
}
