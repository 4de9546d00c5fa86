/* pause.c — the runner's paused time (see pause.h). */
#include <pthread.h>

#include "pause.h"

#define MAX_PAUSES 1024

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int paused;
static uint64_t pause_t0, paused_total;
static uint64_t pauses[MAX_PAUSES][2];
static unsigned npauses;

void nx_pause_begin(uint64_t t)
{
	pthread_mutex_lock(&lock);
	if (!paused) {
		paused = 1;
		pause_t0 = t;
	}
	pthread_mutex_unlock(&lock);
}

void nx_pause_end(uint64_t t)
{
	pthread_mutex_lock(&lock);
	if (paused) {
		paused = 0;
		paused_total += t - pause_t0;
		if (npauses < MAX_PAUSES) {
			pauses[npauses][0] = pause_t0;
			pauses[npauses][1] = t;
			npauses++;
		}
	}
	pthread_mutex_unlock(&lock);
}

uint64_t nx_pause_within(uint64_t from, uint64_t to)
{
	uint64_t sum = 0;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < npauses; i++) {
		uint64_t a = pauses[i][0] > from ? pauses[i][0] : from;
		uint64_t b = pauses[i][1] < to ? pauses[i][1] : to;
		if (b > a)
			sum += b - a;
	}
	if (paused && to > pause_t0)
		sum += to - (pause_t0 > from ? pause_t0 : from);
	pthread_mutex_unlock(&lock);
	return sum;
}

uint64_t nx_pause_total(uint64_t now)
{
	pthread_mutex_lock(&lock);
	uint64_t v = paused_total + (paused && now > pause_t0 ? now - pause_t0 : 0);
	pthread_mutex_unlock(&lock);
	return v;
}
