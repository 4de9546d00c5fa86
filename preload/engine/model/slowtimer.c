/* slowtimer.c — the slow timer thread (see slowtimer.h).
 *
 * The thread is ours: it is created with every signal blocked
 * (pthread_attr_setsigmask_np, so the creating thread's mask is never
 * touched) and so never runs one of the runner's signal handlers.  It sleeps
 * on a condition variable until the next deadline; nothing wakes it when no
 * attempt is slow-tracked.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "runcfg.h"
#include "slowtimer.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static int started, kicked;
static int mode = -1;		/* -1 undecided, 0 reporter lines, 1 timer */
static nx_slowtimer_tick_fn *tick_fn;	/* set before the thread starts */

int nx_slowtimer_active(void)
{
	int m = __atomic_load_n(&mode, __ATOMIC_ACQUIRE);
	if (m < 0) {
		m = nx_runcfg_slow_lines_hidden();
		__atomic_store_n(&mode, m, __ATOMIC_RELEASE);
	}
	return m;
}

static void *loop(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		kicked = 0;
		pthread_mutex_unlock(&lock);
		uint64_t now = nx_now_ns();
		uint64_t next = tick_fn(now);
		pthread_mutex_lock(&lock);
		if (kicked)
			continue;
		if (!next) {
			pthread_cond_wait(&cond, &lock);
		} else {
			struct timespec ts = { (time_t)(next / 1000000000u), (long)(next % 1000000000u) };
			pthread_cond_timedwait(&cond, &lock, &ts);
		}
	}
	return NULL;
}

static int start(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &ca);
	pthread_condattr_destroy(&ca);

	pthread_attr_t attr;
	sigset_t all;
	sigfillset(&all);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	int rc = pthread_attr_setsigmask_np(&attr, &all);
	pthread_t t;
	if (rc == 0)
		rc = pthread_create(&t, &attr, loop, NULL);
	pthread_attr_destroy(&attr);
	return rc == 0;
}

static nx_slowtimer_tick_fn *kicked_by;	/* the last tick function a kick handed over */

void nx_slowtimer_kick(nx_slowtimer_tick_fn *tick)
{
	pthread_mutex_lock(&lock);
	if (tick)
		kicked_by = tick;
	pthread_mutex_unlock(&lock);
	if (!nx_slowtimer_active())
		return;
	pthread_mutex_lock(&lock);
	if (!started && kicked_by) {
		tick_fn = kicked_by;
		started = start() ? 1 : -1;
	}
	kicked = 1;
	if (started == 1)
		pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

void nx_slowtimer_use_timer(void)
{
	if (nx_slowtimer_active())
		return;
	__atomic_store_n(&mode, 1, __ATOMIC_RELEASE);
	nx_slowtimer_kick(NULL);	/* attempts may already be running */
}
