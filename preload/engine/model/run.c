/* run.c — run-level state and the run / stress-sub-run probes (see run.h).
 *
 * Where each run-level probe fires, mirroring nextest's dispatcher:
 *   run-start            the reporter's Starting line (RunStarted is reported
 *                        right after the probe); if the run id is not known
 *                        yet (nextest < 0.9.68 prints none), just before the
 *                        first child carrying NEXTEST_RUN_ID is reported
 *   stress-sub-run-start the "Stress test iteration i…" line
 *   stress-sub-run-done  the "Stress test [t] iteration i…: …" line
 *   run-done             the Summary line (RunFinished follows the probe)
 * Lock order: stream lock (streams.c) → run lock → attempts lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attempts.h"
#include "classify.h"
#include "extras.h"
#include "clock.h"
#include "config.h"
#include "encode.h"
#include "events.h"
#include "probes.h"
#include "reporter.h"
#include "run.h"
#include "streams.h"
#include "slowtimer.h"
#include "version.h"

#define MAX_PAUSES 1024
#define SCRATCH 65536

extern char **environ;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
	char run_id[64];
	char profile[256];
	int start_pending;	/* Starting line seen, run id still unknown */
	int started;		/* run-start fired (or would have been) */
	int finished;
	uint64_t t_start;
	uint64_t run_count, skipped;
	/* stress */
	int stress_seen;
	uint32_t stress_completed;
	int stress_total_known;
	uint32_t stress_total;
	int in_sub_run;
	uint64_t t_sub_start;
	uint64_t drawn_elapsed;	/* progress bar: sum of the printed sub-run durations */
	uint64_t last_passed, last_failed, last_skipped;
	/* setup scripts: the id announced by the last SETUP [i/n] line */
	char pending_script[512];
	int have_pending_script;
	/* pauses */
	int paused;
	uint64_t pause_t0, paused_total;
	uint64_t pauses[MAX_PAUSES][2];
	unsigned npauses;
} R;

/* ---- configuration ---- */

static int saved_argc;
static char **saved_argv;
static struct nx_config config;
static int config_state;	/* 0 not loaded, 1 ok, -1 failed */
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;

void nx_run_set_argv(int argc, char **argv)
{
	saved_argc = argc;
	saved_argv = argv;
}

const struct nx_config *nx_run_config(void)
{
	pthread_mutex_lock(&config_lock);
	if (config_state == 0) {
		struct nx_config_opts o = { nx_version_detect(), NULL, 0 };
		config_state = saved_argv && nx_config_load_opts(&config, &o, saved_argc, saved_argv,
								 environ) == 0 ? 1 : -1;
	}
	pthread_mutex_unlock(&config_lock);
	return config_state == 1 ? &config : NULL;
}

/* ---- helpers (run lock held) ---- */

static void copy_span(char *dst, size_t cap, struct nx_rep_span s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static uint64_t paused_within_locked(uint64_t from, uint64_t to)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < R.npauses; i++) {
		uint64_t a = R.pauses[i][0] > from ? R.pauses[i][0] : from;
		uint64_t b = R.pauses[i][1] < to ? R.pauses[i][1] : to;
		if (b > a)
			sum += b - a;
	}
	if (R.paused && to > R.pause_t0)
		sum += to - (R.pause_t0 > from ? R.pause_t0 : from);
	return sum;
}

static uint64_t active_since(uint64_t t0, uint64_t now)
{
	uint64_t paused = paused_within_locked(t0, now);
	return now > t0 + paused ? now - t0 - paused : 0;
}

static const char *profile_locked(void)
{
	if (R.profile[0])
		return R.profile;
	const struct nx_config *c = nx_run_config();
	return c && c->profile ? c->profile : "default";
}

static void fire_run_start_locked(void)
{
	R.started = 1;
	R.start_pending = 0;
	if (!nx_probe_enabled(NX_RUN_START))
		return;	/* lazy: nothing is built, the configuration is not read */
	const struct nx_config *c = nx_run_config();
	struct nx_run_start e = {
		.run_id = R.run_id,
		.profile_name = profile_locked(),
		.total_tests = R.run_count + R.skipped,
		.filter_count = R.run_count,
		.test_threads = c ? c->test_threads : 1,
	};
	if (c) {
		switch (c->stress) {
		case NX_STRESS_COUNT:
			e.stress_count = (struct nx_opt_u32){ 1, (uint32_t)c->stress_count };
			break;
		case NX_STRESS_INFINITE:
			e.stress_infinite = 1;
			break;
		case NX_STRESS_DURATION:
			e.stress_duration_nanos = (struct nx_opt_u64){ 1, c->stress_duration_ns };
			break;
		default:
			break;
		}
	}
	nx_fire_run_start(&e);
}

/* ---- the reporter's lines ---- */

/* A duration measured between two reporter lines, checked against the one
 * nextest printed in the second line (its own stopwatch reading, the same it
 * passes to the probe, `{:.3}` seconds: the truth lies within 0.5 ms of it).
 * The line can be written late — behind a progress bar at the bar's next
 * tick, on a loaded machine whenever the reporter thread runs again — and
 * then the printed value is the better one. */
static uint64_t within_printed(uint64_t measured, uint64_t printed)
{
	const uint64_t half_ms = 500000;
	if (measured + half_ms >= printed && measured <= printed + half_ms)
		return measured;
	return printed;
}

static void on_starting(const struct nx_rep_starting *s, uint64_t now)
{
	if (R.started || R.start_pending)
		return;
	R.run_count = s->tests;
	R.skipped = s->skipped_tests;
	R.t_start = now;
	if (s->run_id.n && !R.run_id[0])
		copy_span(R.run_id, sizeof(R.run_id), s->run_id);
	if (s->profile.n && !R.profile[0])
		copy_span(R.profile, sizeof(R.profile), s->profile);
	if (R.run_id[0])
		fire_run_start_locked();
	else
		R.start_pending = 1;
}

static void on_stress_start(const struct nx_rep_stress *s, uint64_t now)
{
	if (s->iteration == 0)
		return;
	R.stress_seen = 1;
	R.stress_completed = (uint32_t)(s->iteration - 1);
	R.stress_total_known = s->total != 0;
	R.stress_total = (uint32_t)s->total;
	R.in_sub_run = 1;
	R.t_sub_start = now;
	if (!nx_probe_enabled(NX_STRESS_SUB_RUN_START))
		return;
	char id[128];
	if (nx_format_stress_sub_run_id(id, sizeof(id), R.run_id, R.stress_completed) >= (int)sizeof(id))
		return;
	struct nx_stress_sub_run_start e = {
		.stress_sub_run_id = id,
		.run_id = R.run_id,
		.profile_name = profile_locked(),
		.stress_current = R.stress_completed,
		.stress_total = { R.stress_total_known, R.stress_total },
		.elapsed_nanos = active_since(R.t_start, now),
	};
	/* Behind a progress bar the line is printed up to a tick late: the run's
	 * active time is the sum of the sub-runs' printed durations. */
	if (nx_streams_drawn())
		e.elapsed_nanos = R.drawn_elapsed;
	nx_fire_stress_sub_run_start(&e);
}

static void on_stress_done(const struct nx_rep_stress *s, uint64_t now)
{
	if (s->iteration == 0)
		return;
	uint32_t completed = (uint32_t)s->iteration;
	R.stress_completed = completed;
	R.in_sub_run = 0;
	R.last_passed = s->stats.passed;
	R.last_failed = s->stats.failed + s->stats.exec_failed + s->stats.timed_out;
	R.last_skipped = s->stats.skipped;
	R.drawn_elapsed += s->nanos;
	if (!nx_probe_enabled(NX_STRESS_SUB_RUN_DONE))
		return;
	char id[128];
	/* nextest computes the id after counting this sub-run as completed: it
	 * is one ahead of stress_current (dispatcher.rs, events.rs unique_id). */
	if (nx_format_stress_sub_run_id(id, sizeof(id), R.run_id, completed) >= (int)sizeof(id))
		return;
	struct nx_stress_sub_run_done e = {
		.stress_sub_run_id = id,
		.run_id = R.run_id,
		.profile_name = profile_locked(),
		.stress_current = completed - 1,
		.stress_total = { R.stress_total_known, R.stress_total },
		.elapsed_nanos = active_since(R.t_start, now),
		.sub_run_duration_nanos = active_since(R.t_sub_start, now),
		.total_tests = R.run_count,
		.passed = R.last_passed,
		.failed = R.last_failed,
		.skipped = R.last_skipped,
	};
	e.sub_run_duration_nanos = within_printed(e.sub_run_duration_nanos, s->nanos);
	/* Behind a progress bar the lines are printed up to a tick late: the
	 * run's active time is the sum of the sub-runs' printed durations. */
	if (nx_streams_drawn())
		e.elapsed_nanos = R.drawn_elapsed;
	nx_fire_stress_sub_run_done(&e);
}

static void on_summary(const struct nx_rep_summary *s, uint64_t now)
{
	if (R.finished || !R.started)
		return;
	R.finished = 1;
	if (!nx_probe_enabled(NX_RUN_DONE))
		return;
	struct nx_run_done e = {
		.run_id = R.run_id,
		.profile_name = profile_locked(),
		.total_tests = R.run_count,
		.duration_nanos = active_since(R.t_start, now),
		.paused_nanos = paused_within_locked(R.t_start, now),
	};
	e.duration_nanos = within_printed(e.duration_nanos, s->nanos);
	if (s->stress) {
		e.passed = R.last_passed;
		e.failed = R.last_failed;
		e.skipped = R.last_skipped;
		e.stress_completed = (struct nx_opt_u32){ 1, (uint32_t)s->iter_done };
		e.stress_success = (struct nx_opt_u32){ 1, (uint32_t)s->iter_passed };
		e.stress_failed = (struct nx_opt_u32){ 1, (uint32_t)s->iter_failed };
	} else {
		e.passed = s->stats.passed;
		e.failed = s->stats.failed + s->stats.exec_failed + s->stats.timed_out;
		e.skipped = s->stats.skipped;
	}
	nx_fire_run_done(&e);
}

static void on_setup_line(const struct nx_rep_status_line *st)
{
	if (st->status == NX_ST_START && st->field == NX_FIELD_INDEX) {
		copy_span(R.pending_script, sizeof(R.pending_script), st->script_id);
		R.have_pending_script = 1;
	} else if (st->field == NX_FIELD_SLOW &&
		   (st->status == NX_ST_SLOW || st->status == NX_ST_TERMINATING) &&
		   nx_tracing() && !nx_slowtimer_active()) {
		char id[512];
		copy_span(id, sizeof(id), st->script_id);
		nx_attempt_script_slow(id, st->nanos, st->status == NX_ST_TERMINATING);
	}
}

static void on_test_line(const struct nx_rep_status_line *st)
{
	if (st->field != NX_FIELD_SLOW ||
	    (st->status != NX_ST_SLOW && st->status != NX_ST_TERMINATING))
		return;
	char bin[1024], test[4096];
	copy_span(bin, sizeof(bin), st->binary_id);
	copy_span(test, sizeof(test), st->test_name);
	nx_attempt_test_slow(bin, test, st->has_stress, st->stress_current, st->try_attempt,
			     st->nanos, st->status == NX_ST_TERMINATING);
}

void nx_run_stderr_line(const char *line, size_t len)
{
	static __thread char *scratch;
	if (!scratch && !(scratch = malloc(SCRATCH)))
		return;
	struct nx_rep_line l;
	if (nx_rep_parse_raw(line, len, scratch, SCRATCH, &l) == NX_REP_NONE)
		return;
	uint64_t now = nx_now_ns();
	pthread_mutex_lock(&lock);
	switch (l.kind) {
	case NX_REP_RUN_ID:
		if (!R.run_id[0])
			copy_span(R.run_id, sizeof(R.run_id), l.u.run_id.run_id);
		copy_span(R.profile, sizeof(R.profile), l.u.run_id.profile);
		break;
	case NX_REP_STARTING:
		on_starting(&l.u.starting, now);
		break;
	case NX_REP_STRESS_START:
		if (R.started)
			on_stress_start(&l.u.stress, now);
		break;
	case NX_REP_STRESS_DONE:
		if (R.started)
			on_stress_done(&l.u.stress, now);
		break;
	case NX_REP_SUMMARY:
		on_summary(&l.u.summary, now);
		break;
	case NX_REP_SETUP:
		on_setup_line(&l.u.st);
		break;
	case NX_REP_TEST:
		if (l.u.st.field == NX_FIELD_SLOW && nx_tracing() && !nx_slowtimer_active())
			on_test_line(&l.u.st);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&lock);
}

void nx_run_stdout_line(const char *line, size_t len)
{
	/* The human reporter on fd 2 carries everything the run-level probes
	 * need on every version; libtest-json lines add nothing they lack. */
	(void)line;
	(void)len;
}

/* ---- children ---- */

void nx_run_child(const struct nx_spawn *sp, struct nx_run_view *view)
{
	memset(view, 0, sizeof(*view));
	pthread_mutex_lock(&lock);
	if (!R.run_id[0] && sp->env.run_id)
		snprintf(R.run_id, sizeof(R.run_id), "%s", sp->env.run_id);
	if (!R.profile[0] && sp->env.profile)
		snprintf(R.profile, sizeof(R.profile), "%s", sp->env.profile);
	if (R.start_pending && R.run_id[0])
		fire_run_start_locked();
	snprintf(view->run_id, sizeof(view->run_id), "%s", R.run_id);
	if (R.stress_seen) {
		view->stress_known = 1;
		view->in_stress = 1;
		view->stress_current = R.stress_completed;
		view->stress_total_known = R.stress_total_known;
		view->stress_total = R.stress_total;
	}
	pthread_mutex_unlock(&lock);
}

/* The configured script whose command this spawn runs, into out; 0 if none. */
static int script_by_command(const struct nx_spawn *sp, char *out, size_t cap)
{
	const struct nx_config *c = nx_run_config();
	int idx = c ? nx_config_script_for(c, sp->program, sp->args, sp->nargs) : -1;
	if (idx < 0 || strlen(c->scripts[idx].id) >= cap)
		return 0;
	strcpy(out, c->scripts[idx].id);
	return 1;
}

int nx_run_script_id(const struct nx_spawn *sp, char *out, size_t cap)
{
	int ok = 0;
	/* Behind a progress bar the `SETUP [i/n] <id>` line reaches the terminal
	 * at the bar's next tick, after the spawn: the line pending now belongs
	 * to an earlier script.  The configuration decides there. */
	if (nx_streams_drawn() && script_by_command(sp, out, cap)) {
		pthread_mutex_lock(&lock);
		R.have_pending_script = 0;
		pthread_mutex_unlock(&lock);
		return 1;
	}
	pthread_mutex_lock(&lock);
	if (R.have_pending_script && strlen(R.pending_script) < cap) {
		strcpy(out, R.pending_script);
		R.have_pending_script = 0;
		ok = 1;
	}
	pthread_mutex_unlock(&lock);
	if (ok)
		return 1;
	return script_by_command(sp, out, cap);
}

/* ---- pauses ---- */

void nx_run_pause_begin(uint64_t t)
{
	pthread_mutex_lock(&lock);
	if (!R.paused) {
		R.paused = 1;
		R.pause_t0 = t;
	}
	pthread_mutex_unlock(&lock);
}

void nx_run_pause_end(uint64_t t)
{
	pthread_mutex_lock(&lock);
	if (R.paused) {
		R.paused = 0;
		R.paused_total += t - R.pause_t0;
		if (R.npauses < MAX_PAUSES) {
			R.pauses[R.npauses][0] = R.pause_t0;
			R.pauses[R.npauses][1] = t;
			R.npauses++;
		}
	}
	pthread_mutex_unlock(&lock);
}

uint64_t nx_run_paused_within(uint64_t from, uint64_t to)
{
	pthread_mutex_lock(&lock);
	uint64_t v = paused_within_locked(from, to);
	pthread_mutex_unlock(&lock);
	return v;
}

uint64_t nx_run_paused_total(uint64_t now)
{
	pthread_mutex_lock(&lock);
	uint64_t v = R.paused_total + (R.paused && now > R.pause_t0 ? now - R.pause_t0 : 0);
	pthread_mutex_unlock(&lock);
	return v;
}
