/* test_run.c — Criterion tests of preload/engine/model/run.c: a stress
 * sub-run's times when the reporter writes its line late.  nextest's
 * dispatcher fires stress-sub-run-done, then writes the sub-run's line on the
 * same thread (nextest-runner/src/runner/dispatcher.rs at
 * cargo-nextest-0.9.143); run.c fires its event at that line.  run.c is
 * linked with the id formats and the pause clock; the configuration and the
 * probe sites are replaced below by stubs that record what fires. */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "events.h"
#include "probes.h"
#include "reporter.h"
#include "run.h"
#include "runcfg.h"

/* ---- stubs ---- */

static struct nx_stress_sub_run_start sub_start;
static struct nx_stress_sub_run_done sub_done;
static int n_sub_start, n_sub_done;

int nx_probe_enabled(enum nx_probe p) { (void)p; return 1; }
const struct nx_config *nx_runcfg(void) { return NULL; }
int nx_config_script_for(const struct nx_config *c, const char *program, const char *const *args,
			 size_t nargs)
{
	(void)c; (void)program; (void)args; (void)nargs;
	return -1;
}
void nx_fire_run_start(const struct nx_run_start *e) { (void)e; }
void nx_fire_run_done(const struct nx_run_done *e) { (void)e; }
void nx_fire_stress_sub_run_start(const struct nx_stress_sub_run_start *e)
{
	sub_start = *e;
	n_sub_start++;
}
void nx_fire_stress_sub_run_done(const struct nx_stress_sub_run_done *e)
{
	sub_done = *e;
	n_sub_done++;
}

/* ---- the reporter's lines, as engine/parse/reporter.c hands them over ---- */

#define MS 1000000ull
#define T0 (1000 * MS)	/* the Starting line */

static void line(struct nx_reporter_line l, uint64_t now)
{
	nx_run_reporter_line(&l, now);
}

static void start_run(void)
{
	static const char id[] = "6a9012bd-cafe-4bee-8d0f-0123456789ab";
	struct nx_reporter_line l = { .kind = NX_REPORTER_RUN_ID };
	l.u.run_id.run_id = (struct nx_reporter_span){ id, sizeof(id) - 1 };
	l.u.run_id.profile = (struct nx_reporter_span){ "default", 7 };
	line(l, T0 - MS);
	line((struct nx_reporter_line){ .kind = NX_REPORTER_STARTING,
					.u.starting = { .tests = 1, .binaries = 1 } }, T0);
}

static void stress_start(uint64_t iteration, uint64_t now)
{
	line((struct nx_reporter_line){ .kind = NX_REPORTER_STRESS_START,
					.u.stress = { .iteration = iteration } }, now);
}

static void stress_done(uint64_t iteration, uint64_t printed, uint64_t now)
{
	line((struct nx_reporter_line){ .kind = NX_REPORTER_STRESS_DONE,
					.u.stress = { .iteration = iteration, .nanos = printed,
						      .stats = { .finished = 1, .initial = 1,
								 .passed = 1 } } }, now);
}

/* The n-th stress-sub-run-done fired, with these times. */
static void expect_done(int n, uint64_t duration, uint64_t elapsed)
{
	cr_assert_eq(n_sub_done, n);
	cr_expect_eq(sub_done.sub_run_duration_nanos, duration, "duration %llu",
		     (unsigned long long)sub_done.sub_run_duration_nanos);
	cr_expect_eq(sub_done.elapsed_nanos, elapsed, "elapsed %llu",
		     (unsigned long long)sub_done.elapsed_nanos);
}

Test(run, sub_run_line_on_time)
{
	start_run();
	stress_start(1, T0 + 10 * MS);
	cr_assert_eq(n_sub_start, 1);
	cr_expect_eq(sub_start.elapsed_nanos, 10 * MS);
	stress_done(1, 27 * MS, T0 + 37 * MS + 200000);	/* within the printed value's 0.5 ms */
	expect_done(1, 27 * MS + 200000, 37 * MS + 200000);
}

Test(run, sub_run_done_line_written_late)
{
	start_run();
	stress_start(1, T0 + 10 * MS);
	/* nextest's sub-run took 27 ms; its line is written 16 ms after that */
	stress_done(1, 27 * MS, T0 + 53 * MS);
	expect_done(1, 27 * MS, 37 * MS);
	/* the next sub-run's times start from where the run is */
	stress_start(2, T0 + 54 * MS);
	cr_expect_eq(sub_start.elapsed_nanos, 54 * MS);
	stress_done(2, 5 * MS, T0 + 59 * MS);
	expect_done(2, 5 * MS, 59 * MS);
}

Test(run, sub_run_start_line_written_late)
{
	start_run();
	/* the start line 8 ms late, the done line on time: the time of the done
	 * line is the run's elapsed time */
	stress_start(1, T0 + 18 * MS);
	stress_done(1, 27 * MS, T0 + 37 * MS);
	expect_done(1, 27 * MS, 37 * MS);
}
