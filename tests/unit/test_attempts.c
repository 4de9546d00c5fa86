/* test_attempts.c — Criterion tests of preload/engine/model/attempts.c: slow
 * events the runner handles after the attempt (or setup script) has ended.
 * nextest's executor fires test-attempt-done itself and sends the slow event to
 * the dispatcher, which fires test-attempt-slow and prints the SLOW line when
 * it gets to it (nextest-runner/src/runner/{executor,dispatcher}.rs at
 * cargo-nextest-0.9.143): after the done when the dispatcher was busy (a Ctrl-C
 * just after a slow-timeout).  attempts.c is linked with the id formats and
 * the pause clock; the rest of the engine (configuration, run state, probe
 * sites, extras) is replaced below by stubs that record what fires. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "attempts.h"
#include "config.h"
#include "events.h"
#include "probes.h"
#include "run.h"
#include "runcfg.h"
#include "slots.h"
#include "slowtimer.h"
#include "spawned.h"

/* ---- stubs: what attempts.c calls outside the model ---- */

#define MAX_FIRED 64
struct fired {
	char probe[32];
	char id[256];
	uint32_t attempt;
	uint64_t elapsed;
	int will_terminate;
};
static struct fired fired[MAX_FIRED];
static int nfired;

static void note(const char *probe, const char *id, uint32_t attempt, uint64_t elapsed,
		 int will_terminate)
{
	cr_assert_lt(nfired, MAX_FIRED);
	struct fired *f = &fired[nfired++];
	snprintf(f->probe, sizeof(f->probe), "%s", probe);
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->attempt = attempt;
	f->elapsed = elapsed;
	f->will_terminate = will_terminate;
}

static int count(const char *probe)
{
	int n = 0;
	for (int i = 0; i < nfired; i++)
		n += strcmp(fired[i].probe, probe) == 0;
	return n;
}

void nx_fire_test_attempt_start(const struct nx_test_attempt_start *e)
{
	note("test-attempt-start", e->attempt_id, e->attempt, 0, 0);
}
void nx_fire_test_attempt_done(const struct nx_test_attempt_done *e)
{
	note("test-attempt-done", e->attempt_id, e->attempt, e->duration_nanos, 0);
}
void nx_fire_test_attempt_slow(const struct nx_test_attempt_slow *e)
{
	cr_expect_str_eq(e->run_id, "run-1");
	cr_expect_str_eq(e->binary_id, "fx::bin");
	cr_expect_eq(e->total_attempts, 2);
	cr_expect_not(e->stress_current.has);
	note("test-attempt-slow", e->attempt_id, e->attempt, e->elapsed_nanos, e->will_terminate);
}
void nx_fire_setup_script_start(const struct nx_setup_script_start *e)
{
	note("setup-script-start", e->id, 0, 0, 0);
}
void nx_fire_setup_script_slow(const struct nx_setup_script_slow *e)
{
	cr_expect_str_eq(e->script_id, "db");
	cr_expect_str_eq(e->program, "/bin/setup");
	cr_expect_eq(e->args.n, 1);
	note("setup-script-slow", e->id, 0, e->elapsed_nanos, e->will_terminate);
}
void nx_fire_setup_script_done(const struct nx_setup_script_done *e)
{
	note("setup-script-done", e->id, 0, e->duration_nanos, 0);
}

int nx_any_enabled(void) { return 1; }
int nx_extras_runner_enabled(void) { return 0; }
void nx_extras_attempt_done(const struct nx_test_attempt_done *d, pid_t pid,
			    const struct rusage *ru) { (void)d; (void)pid; (void)ru; }
void nx_extras_attempt_slow(const struct nx_test_attempt_slow *e, pid_t pid)
{
	(void)e;
	(void)pid;
}

/* One configuration: slow-timeout 1 s, terminate after 2 periods, grace 10 s;
 * two attempts per test (one retry). */
static struct nx_config cfg;
const struct nx_config *nx_runcfg(void) { return &cfg; }
unsigned nx_runcfg_version(void) { return NX_VERSION(0, 9, 143); }
int nx_config_test(const struct nx_config *c, const char *binary_id, const char *test_name,
		   const char *package, const char *kind, struct nx_test_settings *out)
{
	(void)c; (void)binary_id; (void)test_name; (void)package; (void)kind;
	*out = (struct nx_test_settings){
		.total_attempts = 2,
		.slow = { .period_ns = 1000000000, .terminate_after = 2, .grace_ns = 10000000000 },
	};
	return 0;
}
int nx_envfile_ok(const char *path, int key_chars) { (void)path; (void)key_chars; return 1; }
void nx_run_child(const struct nx_spawn *sp, struct nx_run_view *view)
{
	(void)sp;
	*view = (struct nx_run_view){ .run_id = "run-1" };
}
int nx_run_script_id(const struct nx_spawn *sp, char *out, size_t cap)
{
	(void)sp;
	snprintf(out, cap, "db");
	return 1;
}
void nx_slots_take(const char *key, const char *group, uint64_t *gs, uint64_t *grs)
{
	(void)key; (void)group;
	*gs = *grs = 0;
}
void nx_slots_release(const char *key) { (void)key; }
void nx_slowtimer_kick(nx_slowtimer_tick_fn *tick) { (void)tick; }

/* ---- driving the model as the hooks do ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Test `name`'s attempt `attempt`, spawned `ago` ns ago as pid, capture pipes
 * out_fd and out_fd + 1. */
static void start_test(const char *name, unsigned attempt, pid_t pid, int out_fd, uint64_t ago)
{
	static const char *args[] = { "--exact", "x", "--nocapture" };
	char attempt_s[16], id[256];
	snprintf(attempt_s, sizeof(attempt_s), "%u", attempt);
	snprintf(id, sizeof(id), "run-1:fx::bin$%s#%u", name, attempt);
	struct nx_spawn sp = {
		.kind = NX_SPAWN_TEST,
		.env = { .run_id = "run-1", .binary_id = "fx::bin", .test_name = name,
			 .attempt = attempt_s, .total_attempts = "2", .attempt_id = id,
			 .stress_current = "none", .stress_total = "none", .global_slot = "0",
			 .group = "@global", .group_slot = "none" },
		.program = "/bin/fx", .args = args, .nargs = 3,
	};
	struct nx_child_pipes p = { NX_CAPTURE_SPLIT, out_fd, out_fd + 1 };
	nx_attempt_track(&sp, now_ns() - ago, pid, &p);
}

/* The runner reaps pid and reads EOF on both of its pipes: its done fires. */
static void end(pid_t pid, int out_fd)
{
	nx_attempt_reaped(pid, 0, NULL);	/* exited 0 */
	nx_attempt_read(out_fd, 0, 0);
	nx_attempt_read(out_fd + 1, 0, 0);
}

static const struct fired *last(void)
{
	cr_assert_gt(nfired, 0);
	return &fired[nfired - 1];
}

Test(attempts, slow_line_after_the_attempt_ended_fires_its_slow_event)
{
	start_test("slow_2500ms", 1, 100, 10, 0);
	end(100, 10);
	cr_assert_eq(count("test-attempt-done"), 1);
	/* the SLOW line comes now, the attempt gone from the table */
	nx_attempt_test_slow("fx::bin", "slow_2500ms", 0, 0, 1, 1000000000, 0);
	cr_assert_eq(count("test-attempt-slow"), 1);
	cr_expect_str_eq(last()->id, "run-1:fx::bin$slow_2500ms#1");
	cr_expect_eq(last()->attempt, 1);
	cr_expect_eq(last()->elapsed, 1000000000);
	cr_expect_not(last()->will_terminate);
	/* each SLOW line is one event: nextest fires one per period */
	nx_attempt_test_slow("fx::bin", "slow_2500ms", 0, 0, 1, 2000000000, 0);
	cr_assert_eq(count("test-attempt-slow"), 2);
	cr_expect_eq(last()->elapsed, 2000000000);
	/* no such attempt, running or ended: nothing */
	nx_attempt_test_slow("fx::bin", "other", 0, 0, 1, 1000000000, 0);
	nx_attempt_test_slow("fx::bin", "slow_2500ms", 1, 1, 1, 1000000000, 0);
	cr_expect_eq(count("test-attempt-slow"), 2);
}

Test(attempts, late_slow_line_goes_to_the_attempt_it_names)
{
	start_test("flaky", 1, 100, 10, 0);
	end(100, 10);
	start_test("flaky", 2, 101, 12, 0);	/* the retry runs */
	nx_attempt_test_slow("fx::bin", "flaky", 0, 0, 1, 1000000000, 0);	/* TRY 1 SLOW */
	cr_assert_eq(count("test-attempt-slow"), 1);
	cr_expect_str_eq(last()->id, "run-1:fx::bin$flaky#1");
	nx_attempt_test_slow("fx::bin", "flaky", 0, 0, 2, 1000000000, 0);	/* TRY 2 SLOW */
	cr_assert_eq(count("test-attempt-slow"), 2);
	cr_expect_str_eq(last()->id, "run-1:fx::bin$flaky#2");
	end(101, 12);
	nx_attempt_test_slow("fx::bin", "flaky", 0, 0, 2, 2000000000, 0);
	cr_assert_eq(count("test-attempt-slow"), 3);
	cr_expect_str_eq(last()->id, "run-1:fx::bin$flaky#2");
	cr_expect_eq(last()->attempt, 2);
}

Test(attempts, late_terminating_line_after_the_kill_fired_it_fires_nothing)
{
	/* 2.1 s of active time: the runner's SIGTERM is its slow-timeout's
	 * termination, and the terminating slow event fires at the kill */
	start_test("hang", 1, 200, 20, 2100000000);
	nx_attempt_killed(-200, SIGTERM);
	cr_assert_eq(count("test-attempt-slow"), 1);
	cr_expect(last()->will_terminate);
	cr_expect_eq(last()->elapsed, 2000000000);
	nx_attempt_reaped(200, SIGTERM, NULL);	/* killed by SIGTERM */
	nx_attempt_read(20, 0, 0);
	nx_attempt_read(21, 0, 0);
	cr_assert_eq(count("test-attempt-done"), 1);
	nx_attempt_test_slow("fx::bin", "hang", 0, 0, 1, 2000000000, 1);	/* TERMINATING */
	cr_expect_eq(count("test-attempt-slow"), 1);
}

Test(attempts, slow_line_after_the_script_ended_fires_its_slow_event)
{
	static const char *args[] = { "--init" };
	struct nx_spawn sp = {
		.kind = NX_SPAWN_SCRIPT,
		.env = { .run_id = "run-1" },
		.program = "/bin/setup", .args = args, .nargs = 1,
	};
	struct nx_child_pipes p = { NX_CAPTURE_SPLIT, 30, 31 };
	nx_attempt_track(&sp, now_ns(), 300, &p);
	end(300, 30);
	cr_assert_eq(count("setup-script-done"), 1);
	nx_attempt_script_slow("db", 1000000000, 0);
	cr_assert_eq(count("setup-script-slow"), 1);
	cr_expect_eq(last()->elapsed, 1000000000);
	cr_expect_not(last()->will_terminate);
}

Test(attempts, ended_attempts_kept_are_bounded)
{
	start_test("first", 1, 100, 10, 0);
	end(100, 10);
	/* a thousand attempts end after it: the first is forgotten, the last kept */
	for (int i = 0; i < 1000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "t%d", i);
		start_test(name, 1, 1000 + i, 40, 0);
		end(1000 + i, 40);
		nfired = 0;
	}
	nx_attempt_test_slow("fx::bin", "first", 0, 0, 1, 1000000000, 0);
	cr_expect_eq(count("test-attempt-slow"), 0);
	nfired = 0;
	nx_attempt_test_slow("fx::bin", "t999", 0, 0, 1, 1000000000, 0);
	cr_expect_eq(count("test-attempt-slow"), 1);
}
