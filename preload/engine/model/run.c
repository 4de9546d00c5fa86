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
 * Each handler updates the run's state under the run lock and leaves what
 * to fire in a struct fire; after the lock is released the probe's
 * semaphore is checked and only then are the ids formatted, the
 * configuration read and the probe fired.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "format.h"
#include "events.h"
#include "pause.h"
#include "probes.h"
#include "reporter.h"
#include "run.h"
#include "runcfg.h"
#include "spawned.h"

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
	uint64_t sub_start_elapsed;	/* the run's active time at the sub-run's start line */
	uint64_t drawn_elapsed;	/* progress bar: sum of the printed sub-run durations */
	uint64_t last_passed, last_failed, last_skipped;
	/* setup scripts: the id announced by the last SETUP [i/n] line */
	char pending_script[512];
	int have_pending_script;
	int drawn;		/* the reporter draws through a progress bar */
} R;

/* A probe to fire once the lock is released: the event, with copies of the
 * strings it names. */
struct fire {
	enum nx_probe probe;	/* NX_PROBE_COUNT = nothing */
	char run_id[64];
	char profile[256];	/* "" = the configuration's */
	char id[128];
	union {
		struct nx_run_start start;
		struct nx_run_done done;
		struct nx_stress_sub_run_start sub_start;
		struct nx_stress_sub_run_done sub_done;
	} u;
};

/* ---- helpers (run lock held) ---- */

static void copy_span(char *dst, size_t cap, struct nx_reporter_span s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static uint64_t active_since(uint64_t t0, uint64_t now)
{
	uint64_t paused = nx_pause_within(t0, now);
	return now > t0 + paused ? now - t0 - paused : 0;
}

/* Lock held: start filling f for probe p with the run's identity. */
static void fire_init(struct fire *f, enum nx_probe p)
{
	f->probe = p;
	snprintf(f->run_id, sizeof(f->run_id), "%s", R.run_id);
	snprintf(f->profile, sizeof(f->profile), "%s", R.profile);
}

/* The thread that starts the run holds start_gate from start_locked() until
 * its run-start has fired (fire() releases it); nx_run_child() passes the gate
 * before a child's attempt-start is built.  Firing happens after the run lock
 * is released, so without the gate another thread's attempt-start could reach
 * the tracer first (seen: 1.4 ms, while the first run-start read the
 * configuration).  The gate is a leaf: no thread waits for it holding a lock. */
static pthread_mutex_t start_gate = PTHREAD_MUTEX_INITIALIZER;

static void start_locked(struct fire *f)
{
	pthread_mutex_lock(&start_gate);
	R.started = 1;
	R.start_pending = 0;
	fire_init(f, NX_RUN_START);
	f->u.start = (struct nx_run_start){
		.total_tests = R.run_count + R.skipped,
		.filter_count = R.run_count,
	};
}

/* Lock not held. */
static void fire_now(struct fire *f)
{
	if (f->probe == NX_PROBE_COUNT || !nx_probe_enabled(f->probe))
		return;	/* lazy: nothing is built, the configuration is not read */
	/* nextest computes a stress sub-run's id after counting the sub-run as
	 * completed when it is done: one ahead of stress_current then
	 * (dispatcher.rs, events.rs unique_id). */
	if (f->probe == NX_STRESS_SUB_RUN_START &&
	    nx_format_stress_sub_run_id(f->id, sizeof(f->id), f->run_id,
					f->u.sub_start.stress_current) >= (int)sizeof(f->id))
		return;
	if (f->probe == NX_STRESS_SUB_RUN_DONE &&
	    nx_format_stress_sub_run_id(f->id, sizeof(f->id), f->run_id,
					f->u.sub_done.stress_current + 1) >= (int)sizeof(f->id))
		return;
	const struct nx_config *c = nx_runcfg();
	const char *profile = f->profile[0] ? f->profile : c && c->profile ? c->profile : "default";
	switch (f->probe) {
	case NX_RUN_START: {
		struct nx_run_start *e = &f->u.start;
		e->run_id = f->run_id;
		e->profile_name = profile;
		e->test_threads = c ? c->test_threads : 1;
		if (c) {
			switch (c->stress) {
			case NX_STRESS_COUNT:
				e->stress_count = (struct nx_opt_u32){ 1, (uint32_t)c->stress_count };
				break;
			case NX_STRESS_INFINITE:
				e->stress_infinite = 1;
				break;
			case NX_STRESS_DURATION:
				e->stress_duration_nanos = (struct nx_opt_u64){ 1, c->stress_duration_ns };
				break;
			default:
				break;
			}
		}
		nx_fire_run_start(e);
		break;
	}
	case NX_RUN_DONE:
		f->u.done.run_id = f->run_id;
		f->u.done.profile_name = profile;
		nx_fire_run_done(&f->u.done);
		break;
	case NX_STRESS_SUB_RUN_START:
		f->u.sub_start.stress_sub_run_id = f->id;
		f->u.sub_start.run_id = f->run_id;
		f->u.sub_start.profile_name = profile;
		nx_fire_stress_sub_run_start(&f->u.sub_start);
		break;
	case NX_STRESS_SUB_RUN_DONE:
		f->u.sub_done.stress_sub_run_id = f->id;
		f->u.sub_done.run_id = f->run_id;
		f->u.sub_done.profile_name = profile;
		nx_fire_stress_sub_run_done(&f->u.sub_done);
		break;
	default:
		break;
	}
}

static void fire(struct fire *f)
{
	fire_now(f);
	if (f->probe == NX_RUN_START)
		pthread_mutex_unlock(&start_gate);	/* taken by start_locked() */
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

static void on_starting(const struct nx_reporter_starting *s, uint64_t now, struct fire *f)
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
		start_locked(f);
	else
		R.start_pending = 1;
}

static void on_stress_start(const struct nx_reporter_stress *s, uint64_t now, struct fire *f)
{
	if (s->iteration == 0)
		return;
	R.stress_seen = 1;
	R.stress_completed = (uint32_t)(s->iteration - 1);
	R.stress_total_known = s->total != 0;
	R.stress_total = (uint32_t)s->total;
	R.in_sub_run = 1;
	R.t_sub_start = now;
	R.sub_start_elapsed = active_since(R.t_start, now);
	fire_init(f, NX_STRESS_SUB_RUN_START);
	f->u.sub_start = (struct nx_stress_sub_run_start){
		.stress_current = R.stress_completed,
		.stress_total = { R.stress_total_known, R.stress_total },
		.elapsed_nanos = active_since(R.t_start, now),
	};
	/* Behind a progress bar the line is printed up to a tick late: the run's
	 * active time is the sum of the sub-runs' printed durations. */
	if (R.drawn)
		f->u.sub_start.elapsed_nanos = R.drawn_elapsed;
}

static void on_stress_done(const struct nx_reporter_stress *s, uint64_t now, struct fire *f)
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
	fire_init(f, NX_STRESS_SUB_RUN_DONE);
	f->u.sub_done = (struct nx_stress_sub_run_done){
		.stress_current = completed - 1,
		.stress_total = { R.stress_total_known, R.stress_total },
		.elapsed_nanos = active_since(R.t_start, now),
		.sub_run_duration_nanos = active_since(R.t_sub_start, now),
		.total_tests = R.run_count,
		.passed = R.last_passed,
		.failed = R.last_failed,
		.skipped = R.last_skipped,
	};
	struct nx_stress_sub_run_done *e = &f->u.sub_done;
	uint64_t measured = e->sub_run_duration_nanos;
	e->sub_run_duration_nanos = within_printed(measured, s->nanos);
	/* This line came late (nextest's dispatcher fires its probe, then writes
	 * the line on the same thread: 16 ms later once): the run's active time
	 * is the one at the sub-run's start line plus the printed duration, not
	 * the time of this line.  (A start line that came late makes the
	 * measured duration short instead; the time of this line is right then.) */
	if (measured > e->sub_run_duration_nanos)
		e->elapsed_nanos = R.sub_start_elapsed + e->sub_run_duration_nanos;
	/* Behind a progress bar the lines are printed up to a tick late: the
	 * run's active time is the sum of the sub-runs' printed durations. */
	if (R.drawn)
		e->elapsed_nanos = R.drawn_elapsed;
}

static void on_summary(const struct nx_reporter_summary *s, uint64_t now, struct fire *f)
{
	if (R.finished || !R.started)
		return;
	R.finished = 1;
	fire_init(f, NX_RUN_DONE);
	struct nx_run_done *e = &f->u.done;
	*e = (struct nx_run_done){
		.total_tests = R.run_count,
		.duration_nanos = active_since(R.t_start, now),
		.paused_nanos = nx_pause_within(R.t_start, now),
	};
	e->duration_nanos = within_printed(e->duration_nanos, s->nanos);
	if (s->stress) {
		e->passed = R.last_passed;
		e->failed = R.last_failed;
		e->skipped = R.last_skipped;
		e->stress_completed = (struct nx_opt_u32){ 1, (uint32_t)s->iter_done };
		e->stress_success = (struct nx_opt_u32){ 1, (uint32_t)s->iter_passed };
		e->stress_failed = (struct nx_opt_u32){ 1, (uint32_t)s->iter_failed };
	} else {
		e->passed = s->stats.passed;
		e->failed = s->stats.failed + s->stats.exec_failed + s->stats.timed_out;
		e->skipped = s->stats.skipped;
	}
}

void nx_run_reporter_line(const struct nx_reporter_line *l, uint64_t now)
{
	struct fire f = { .probe = NX_PROBE_COUNT };
	pthread_mutex_lock(&lock);
	switch (l->kind) {
	case NX_REPORTER_RUN_ID:
		if (!R.run_id[0])
			copy_span(R.run_id, sizeof(R.run_id), l->u.run_id.run_id);
		copy_span(R.profile, sizeof(R.profile), l->u.run_id.profile);
		break;
	case NX_REPORTER_STARTING:
		on_starting(&l->u.starting, now, &f);
		break;
	case NX_REPORTER_STRESS_START:
		if (R.started)
			on_stress_start(&l->u.stress, now, &f);
		break;
	case NX_REPORTER_STRESS_DONE:
		if (R.started)
			on_stress_done(&l->u.stress, now, &f);
		break;
	case NX_REPORTER_SUMMARY:
		on_summary(&l->u.summary, now, &f);
		break;
	case NX_REPORTER_SETUP:
		if (l->u.st.status == NX_ST_START && l->u.st.field == NX_FIELD_INDEX) {
			copy_span(R.pending_script, sizeof(R.pending_script), l->u.st.script_id);
			R.have_pending_script = 1;
		}
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&lock);
	fire(&f);
}

void nx_run_drawn(void)
{
	pthread_mutex_lock(&lock);
	__atomic_store_n(&R.drawn, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock);
}

/* ---- children ---- */

void nx_run_child(const struct nx_spawn *sp, struct nx_run_view *view)
{
	struct fire f = { .probe = NX_PROBE_COUNT };
	memset(view, 0, sizeof(*view));
	pthread_mutex_lock(&lock);
	if (!R.run_id[0] && sp->env.run_id)
		snprintf(R.run_id, sizeof(R.run_id), "%s", sp->env.run_id);
	if (!R.profile[0] && sp->env.profile)
		snprintf(R.profile, sizeof(R.profile), "%s", sp->env.profile);
	if (R.start_pending && R.run_id[0])
		start_locked(&f);
	snprintf(view->run_id, sizeof(view->run_id), "%s", R.run_id);
	if (R.stress_seen) {
		view->stress_known = 1;
		view->in_stress = 1;
		view->stress_current = R.stress_completed;
		view->stress_total_known = R.stress_total_known;
		view->stress_total = R.stress_total;
	}
	pthread_mutex_unlock(&lock);
	if (f.probe == NX_RUN_START) {
		fire(&f);
	} else {	/* a run-start another thread is firing comes first */
		pthread_mutex_lock(&start_gate);
		pthread_mutex_unlock(&start_gate);
	}
}

/* The configured script whose command this spawn runs, into out; 0 if none. */
static int script_by_command(const struct nx_spawn *sp, char *out, size_t cap)
{
	const struct nx_config *c = nx_runcfg();
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
	if (__atomic_load_n(&R.drawn, __ATOMIC_RELAXED) && script_by_command(sp, out, cap)) {
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
