/* attempts.c — the table of traced children and their lifecycle.
 *
 * Owns: records of traced test attempts and setup scripts (spawned -> reaped
 * -> pipes at EOF or closed -> done), the fd -> record map used by the read
 * and close hooks, and the firing of their six probes.  One mutex guards the
 * table; probes are fired outside it.  start always fires before done: a
 * record whose done condition is met while its start is still being fired is
 * marked, and the thread that fired start fires done too.
 *
 * Memory is bounded: at most MAX_RECORDS records of at most MAX_RECORD bytes;
 * a child that does not fit is not traced (its events are dropped).  The
 * last ENDED_KEEP records whose done event fired are kept (a fixed ring) for
 * a slow event the runner handles after the attempt ended.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "attempts.h"
#include "clock.h"
#include "config.h"
#include "format.h"
#include "envfile.h"
#include "events.h"
#include "extras.h"
#include "pause.h"
#include "probes.h"
#include "run.h"
#include "runcfg.h"
#include "slots.h"
#include "slowtimer.h"
#include "spawned.h"

#define MAX_RECORDS 4096
#define MAX_RECORD (256 * 1024)
#define NBUCKETS 256
/* Kills of distinct process groups with the same signal this close together
 * are one broadcast (shutdown, fail-fast), not a slow-timeout termination. */
#define BROADCAST_WINDOW_NS (50u * 1000 * 1000)
/* Our clock starts a little after the runner's stopwatch (which starts before
 * the command is built; we first see the attempt when SIGTSTP is blocked or a
 * capture pipe is made), so our active time at the kill can trail the
 * runner's by that gap: microseconds normally, milliseconds on a loaded
 * machine.  A kill of the group this close to the terminate point, with no
 * shutdown signal forwarded, is the runner's slow-timeout termination. */
#define TIMER_SLACK_NS (20u * 1000 * 1000)
/* Ended records kept for a late slow event: nextest's executor sends the slow
 * event to the dispatcher, which fires test-attempt-slow (and prints the SLOW
 * line) when it gets to it — after the attempt's test-attempt-done, which the
 * executor fires itself, when the dispatcher was busy (a Ctrl-C handled just
 * after a slow-timeout: dispatcher.rs and executor.rs, nextest-runner/src/
 * runner/ at cargo-nextest-0.9.143).  At least the attempts that can end
 * together, one per test thread, when a run is cancelled. */
#define ENDED_KEEP 64

enum { STARTING, STARTED };
enum { KIND_TEST, KIND_SCRIPT };

struct stream {
	int fd;
	int eof;
	int closed;
	uint64_t bytes;
};

struct record {
	struct record *next;
	pid_t pid;
	int kind;
	int state;
	int done_ready;
	uint64_t t_start;
	uint64_t t_complete;
	int capture;			/* enum nx_capture */
	struct stream s[2];		/* [0] stdout (or combined), [1] stderr; fd -1 = none */
	int reaped;
	int status;
	int has_rusage;
	struct rusage ru;
	int wait_error;
	int read_error;
	int timeout_kill;
	/* slow-timeout termination point from the configuration: the runner
	 * kills the group once the active time reaches terminate-after × period */
	int slow_known;
	uint64_t terminate_ns;		/* 0 = never terminates */
	struct nx_slow_timeout slow;	/* for the slow timer (status level < slow) */
	uint32_t slow_hits;
	int terminate_fired;		/* the terminating slow event was fired at the kill */
	uint64_t paused_at_start;	/* nx_pause_total() at spawn */
	/* Job control as nextest's stopwatch of this unit sees it: the unit
	 * pauses its stopwatch right before kill(-pgid, SIGTSTP) and resumes it
	 * right before kill(-pgid, SIGCONT) (handle_signal_request in
	 * nextest-runner/src/runner/executor.rs at cargo-nextest-0.9.143;
	 * handle_forward_event in runner.rs at 0.9.85).  The runner's own
	 * raise(SIGSTOP) comes later: after every unit's ack from 0.9.86, and
	 * after a fixed 100 ms wait up to 0.9.85 (runner.rs there), which the
	 * units' stopwatches count as paused.  Without such kills (the child was
	 * gone) the run's pauses are used. */
	int own_pauses;			/* a SIGTSTP to this group was seen */
	int pausing;			/* between that SIGTSTP and its SIGCONT */
	uint64_t pause_t0;
	uint64_t own_paused;		/* closed pauses of this group */
	/* nextest < 0.9.90 exports no slots: they are rebuilt (slots.c) */
	const char *slot_key;		/* NULL = slots came from the environment */
	int on_timeout_pass, leak_fail;	/* what counts as success, for retries */
	struct nx_test_attempt_start t;	/* KIND_TEST; strings point into the record */
	struct nx_setup_script_start sc;	/* KIND_SCRIPT */
	const char *env_path;		/* KIND_SCRIPT: NEXTEST_ENV */
	int env_checked, env_bad;	/* the file's check, made once (env_file_bad) */
	dev_t env_dev;			/* the file, while the runner is to read it */
	ino_t env_ino;
};

static uint64_t slow_tick(uint64_t now);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct record *buckets[NBUCKETS];
static unsigned nrecords;
static struct record *fd_owner[NX_MAX_FD];
/* Setup scripts that have completed and whose NEXTEST_ENV file the runner is
 * still to read (settle()); out of the table.  nextest runs one script at a
 * time, so this list holds at most one record in practice. */
static struct record *env_waiting;
static int n_env_waiting;
/* Records whose done event has fired, newest at ended[(ended_next - 1) %
 * ENDED_KEEP]; out of the table, for late slow events only. */
static struct record *ended[ENDED_KEEP];
static unsigned ended_next;

static struct {
	uint64_t t;
	int sig;
	pid_t pgid;
	int shutdown;		/* SIGINT/SIGHUP/SIGQUIT forwarded: a shutdown */
} kills;

/* ---- table ---- */

static unsigned hash(pid_t pid)
{
	return (unsigned)pid % NBUCKETS;
}

static struct record *find(pid_t pid)
{
	for (struct record *a = buckets[hash(pid)]; a; a = a->next)
		if (a->pid == pid)
			return a;
	return NULL;
}

static void unlink_record(struct record *a)
{
	struct record **pp = &buckets[hash(a->pid)];
	while (*pp && *pp != a)
		pp = &(*pp)->next;
	if (*pp)
		*pp = a->next;
	for (int i = 0; i < 2; i++) {
		int fd = a->s[i].fd;
		if (fd >= 0 && fd < NX_MAX_FD && fd_owner[fd] == a)
			__atomic_store_n(&fd_owner[fd], NULL, __ATOMIC_RELAXED);
	}
	nrecords--;
}

/* ---- values ---- */

static int parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return 0;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

static struct nx_opt_u32 opt_u32(const char *s)
{
	uint64_t v;
	if (parse_u64(s, &v) && v <= UINT32_MAX)
		return (struct nx_opt_u32){ 1, (uint32_t)v };
	return (struct nx_opt_u32){ 0, 0 };	/* absent, "none", "unknown" */
}

static struct nx_opt_u64 opt_u64(const char *s)
{
	uint64_t v;
	if (parse_u64(s, &v))
		return (struct nx_opt_u64){ 1, v };
	return (struct nx_opt_u64){ 0, 0 };
}

static uint32_t u32_or(const char *s, uint32_t dflt)
{
	uint64_t v;
	return parse_u64(s, &v) && v <= UINT32_MAX ? (uint32_t)v : dflt;
}

/* ---- building a record: one allocation, strings packed after it ---- */

struct builder {
	char *p, *end;		/* p == NULL once the record overflowed */
};

static void append(struct builder *b, const char *s)
{
	size_t n = strlen(s);
	if (!b->p || (size_t)(b->end - b->p) < n) {
		b->p = NULL;
		return;
	}
	memcpy(b->p, s, n);
	b->p += n;
}

/* NUL-terminate what was appended since `from`; "" once overflowed. */
static const char *terminate(struct builder *b, char *from)
{
	if (!b->p || b->p == b->end) {
		b->p = NULL;
		return "";
	}
	*b->p++ = '\0';
	return from;
}

static const char *put(struct builder *b, const char *s)
{
	char *from = b->p;
	append(b, s);
	return terminate(b, from);
}

/* The record new_record began, or NULL (freed) when its text did not fit. */
static struct record *built(struct record *a, const struct builder *b)
{
	if (!b->p) {
		free(a);
		return NULL;
	}
	return a;
}

static struct record *new_record(const struct nx_spawn *sp, size_t extra, const char ***args,
				 struct builder *b)
{
	size_t need = sizeof(struct record) + sp->nargs * sizeof(char *) + extra;
	need += strlen(sp->program) + 1;
	for (size_t i = 0; i < sp->nargs; i++)
		need += strlen(sp->args[i]) + 1;
	if (need > MAX_RECORD)
		return NULL;
	struct record *a = calloc(1, need);
	if (!a)
		return NULL;
	*args = (const char **)(a + 1);
	b->p = (char *)(*args + sp->nargs);
	b->end = (char *)a + need;
	return a;
}

static struct nx_strv put_args(struct builder *b, const char **args, const struct nx_spawn *sp)
{
	for (size_t i = 0; i < sp->nargs; i++)
		args[i] = put(b, sp->args[i]);
	return (struct nx_strv){ args, sp->nargs };
}

static void set_streams(struct record *a, const struct nx_child_pipes *p)
{
	a->capture = p->capture;
	a->s[0] = (struct stream){ .fd = p->out_fd };
	a->s[1] = (struct stream){ .fd = p->err_fd != p->out_fd ? p->err_fd : -1 };
}

static size_t len0(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static void set_slow(struct record *a, const struct nx_slow_timeout *slow)
{
	a->slow_known = 1;
	a->slow = *slow;
	a->terminate_ns = slow->terminate_after ? slow->period_ns * slow->terminate_after : 0;
}

static struct record *make_test(const struct nx_spawn *sp, const struct nx_run_view *run)
{
	const struct nx_spawn_env *e = &sp->env;
	const char *binary_id = e->binary_id ? e->binary_id : sp->cargo_binary_id;
	const char *run_id = e->run_id ? e->run_id : run->run_id;
	const char *test_name = e->test_name ? e->test_name : sp->exact_name ? sp->exact_name : "";

	struct nx_opt_u32 stress_current = opt_u32(e->stress_current);
	struct nx_opt_u32 stress_total = opt_u32(e->stress_total);
	if (!e->stress_current && run->in_stress) {	/* nextest < 0.9.116 */
		stress_current = (struct nx_opt_u32){ 1, run->stress_current };
		stress_total = (struct nx_opt_u32){ run->stress_total_known, run->stress_total };
	}
	uint32_t attempt = u32_or(e->attempt, 1);
	const struct nx_config *cfg = nx_runcfg();
	struct nx_test_settings ts;
	int have_ts = cfg && nx_config_test(cfg, binary_id ? binary_id : "", test_name, NULL, NULL,
					    &ts) == 0;

	char idbuf[8192];
	const char *attempt_id = e->attempt_id;
	if (!attempt_id) {
		int n = nx_format_attempt_id(idbuf, sizeof(idbuf), run_id,
					     binary_id ? binary_id : "", test_name,
					     stress_current, attempt);
		if (n < 0 || (size_t)n >= sizeof(idbuf))
			return NULL;
		attempt_id = idbuf;
	}

	const char **args;
	struct builder b;
	const char *group = e->group;
	if (!group && have_ts && ts.test_group)
		group = ts.test_group;	/* nextest < 0.9.90: from the configuration */
	size_t extra = len0(attempt_id) + len0(run_id) + 2 * len0(binary_id) + 2 * len0(test_name) +
		       len0(group) + 48;
	struct record *a = new_record(sp, extra, &args, &b);
	if (!a)
		return NULL;
	a->kind = KIND_TEST;
	struct nx_test_attempt_start *t = &a->t;
	t->attempt_id = put(&b, attempt_id);
	t->run_id = put(&b, run_id);
	t->binary_id = put(&b, binary_id ? binary_id : "");
	t->test_name = put(&b, test_name);
	t->program = put(&b, sp->program);
	t->args = put_args(&b, args, sp);
	t->attempt = attempt;
	/* NEXTEST_TOTAL_ATTEMPTS from 0.9.116; before, retries + 1 from the
	 * configuration (overrides, --retries, NEXTEST_RETRIES). */
	t->total_attempts = u32_or(e->total_attempts, have_ts ? ts.total_attempts : attempt);
	if (have_ts)
		set_slow(a, &ts.slow);
	t->stress_current = stress_current;
	t->stress_total = stress_total;
	uint64_t v;
	t->global_slot = parse_u64(e->global_slot, &v) ? v : 0;
	t->group_slot = opt_u64(e->group_slot);
	t->test_group = group && strcmp(group, "@global") != 0 ? put(&b, group) : NULL;
	if (!e->global_slot) {
		/* the test instance: binary, stress index, name */
		char *from = b.p;
		char mid[32];
		snprintf(mid, sizeof(mid), "\x1f%u\x1f", stress_current.has ? stress_current.v + 1 : 0);
		append(&b, binary_id ? binary_id : "");
		append(&b, mid);
		append(&b, test_name);
		a->slot_key = terminate(&b, from);
	}
	if (have_ts) {
		a->on_timeout_pass = ts.slow.on_timeout_pass;
		a->leak_fail = ts.leak.fail;
	}
	return built(a, &b);
}

static struct record *make_script(const struct nx_spawn *sp, const struct nx_run_view *run)
{
	char script_id[512];
	if (!nx_run_script_id(sp, script_id, sizeof(script_id)))
		return NULL;
	const char *run_id = sp->env.run_id ? sp->env.run_id : run->run_id;
	struct nx_opt_u32 stress_current = { run->in_stress, run->stress_current };
	struct nx_opt_u32 stress_total = { run->in_stress && run->stress_total_known,
					   run->stress_total };
	char id[1024];
	int n = nx_format_setup_script_id(id, sizeof(id), run_id, script_id, stress_current);
	if (n < 0 || (size_t)n >= sizeof(id))
		return NULL;

	const char **args;
	struct builder b;
	size_t extra = len0(id) + len0(run_id) + len0(script_id) + len0(sp->env.nextest_env) + 8;
	struct record *a = new_record(sp, extra, &args, &b);
	if (!a)
		return NULL;
	a->kind = KIND_SCRIPT;
	struct nx_setup_script_start *s = &a->sc;
	s->id = put(&b, id);
	s->run_id = put(&b, run_id);
	s->script_id = put(&b, script_id);
	s->program = put(&b, sp->program);
	s->args = put_args(&b, args, sp);
	s->stress_current = stress_current;
	s->stress_total = stress_total;
	a->env_path = sp->env.nextest_env ? put(&b, sp->env.nextest_env) : NULL;
	const struct nx_config *cfg = nx_runcfg();
	for (size_t i = 0; cfg && i < cfg->nscripts; i++)
		if (strcmp(cfg->scripts[i].id, script_id) == 0)
			set_slow(a, &cfg->scripts[i].slow);
	return built(a, &b);
}

/* ---- firing ---- */

static int leaked_of(const struct record *a)
{
	int leaked = 0;
	for (int i = 0; i < 2; i++)
		leaked |= a->s[i].fd >= 0 && a->s[i].closed && !a->s[i].eof;
	return leaked;
}

/* nextest's create_execution_result, plus Timeout when the runner killed the
 * group for its slow-timeout (executor.rs). */
static const char *result_of(const struct record *a, int leaked)
{
	if (a->timeout_kill)
		return "timeout";
	if (a->read_error || a->wait_error)
		return "exec-fail";
	if (WIFEXITED(a->status) && WEXITSTATUS(a->status) == 0)
		return leaked ? "leak" : "pass";
	return "fail";
}

/* Paused time of a's stopwatch up to `now` (run_paused_now =
 * nx_pause_total(now), used when the group saw no SIGTSTP). */
static uint64_t paused_of(const struct record *a, uint64_t now, uint64_t run_paused_now)
{
	if (!a->own_pauses)
		return run_paused_now - a->paused_at_start;
	return a->own_paused + (a->pausing && now > a->pause_t0 ? now - a->pause_t0 : 0);
}

static uint64_t active_duration(const struct record *a)
{
	uint64_t d = a->t_complete - a->t_start;
	uint64_t p = a->own_pauses ? paused_of(a, a->t_complete, 0)
				   : nx_pause_within(a->t_start, a->t_complete);
	return d > p ? d - p : 0;
}

static void fire_test_done(struct record *a, uint64_t t_fire)
{
	const struct nx_test_attempt_start *t = &a->t;
	int leaked = leaked_of(a);
	struct nx_test_attempt_done d = {
		.attempt_id = t->attempt_id,
		.run_id = t->run_id,
		.binary_id = t->binary_id,
		.test_name = t->test_name,
		.attempt = t->attempt,
		.total_attempts = t->total_attempts,
		.result = result_of(a, leaked),
		.duration_nanos = active_duration(a),
		.leaked = leaked,
		.stress_current = t->stress_current,
		.stress_total = t->stress_total,
	};
	if (!a->wait_error && WIFEXITED(a->status))
		d.exit_code = (struct nx_opt_i32){ 1, WEXITSTATUS(a->status) };
	if (!leaked)
		d.time_to_close_fds_nanos = (struct nx_opt_u64){ 1, t_fire - a->t_complete };
	if (a->capture == NX_CAPTURE_COMBINED) {
		d.stdout_len = (struct nx_opt_u64){ 1, a->s[0].bytes };
	} else {
		d.stdout_len = (struct nx_opt_u64){ a->s[0].fd >= 0, a->s[0].bytes };
		d.stderr_len = (struct nx_opt_u64){ a->s[1].fd >= 0, a->s[1].bytes };
	}
	nx_fire_test_attempt_done(&d);
	nx_extras_attempt_done(&d, a->pid, a->has_rusage ? &a->ru : NULL);
}

/* nextest's ExecutionResult::is_success for a script's result: only then
 * does it read the NEXTEST_ENV file. */
static int script_success(const char *result)
{
	return strcmp(result, "pass") == 0 || strcmp(result, "leak") == 0;
}

/* After a successful exit nextest parses the env file; from 0.9.129 a bad one
 * turns the result into exec-fail (executor.rs, run_setup_script_inner), before
 * it was only logged.  Checked once: settle() checks it while the file
 * certainly exists (the runner deletes it after reading it). */
static int env_file_bad(struct record *a)
{
	if (!a->env_checked) {
		unsigned ver = nx_runcfg_version();
		a->env_bad = a->env_path && ver >= NX_VERSION(0, 9, 129) &&
			     !nx_envfile_ok(a->env_path, ver >= NX_VERSION(0, 9, 131));
		a->env_checked = 1;
	}
	return a->env_bad;
}

static void fire_script_done(struct record *a)
{
	const struct nx_setup_script_start *s = &a->sc;
	int leaked = leaked_of(a);
	const char *result = result_of(a, leaked);
	if (script_success(result) && env_file_bad(a))
		result = "exec-fail";
	struct nx_setup_script_done d = {
		.id = s->id,
		.run_id = s->run_id,
		.script_id = s->script_id,
		.program = s->program,
		.args = s->args,
		.result = result,
		.duration_nanos = active_duration(a),
		.stress_current = s->stress_current,
		.stress_total = s->stress_total,
	};
	/* exit_code only for a failure with an exit code (dispatcher.rs). */
	if (strcmp(result, "fail") == 0 && !a->wait_error && WIFEXITED(a->status))
		d.exit_code = (struct nx_opt_i32){ 1, WEXITSTATUS(a->status) };
	if (a->capture == NX_CAPTURE_COMBINED) {
		d.stdout_len = (struct nx_opt_u64){ 1, a->s[0].bytes };
	} else {
		d.stdout_len = (struct nx_opt_u64){ a->s[0].fd >= 0, a->s[0].bytes };
		d.stderr_len = (struct nx_opt_u64){ a->s[1].fd >= 0, a->s[1].bytes };
	}
	nx_fire_setup_script_done(&d);
}

static void fire_start(struct record *a)
{
	if (a->kind == KIND_TEST)
		nx_fire_test_attempt_start(&a->t);
	else
		nx_fire_setup_script_start(&a->sc);
}

/* Will nextest run another attempt of this test?  Iff this one did not
 * succeed and attempts are left (pass, leak with result pass and timeout with
 * on-timeout pass are successes). */
static int will_retry(const struct record *a)
{
	const char *r = result_of(a, leaked_of(a));
	int success = strcmp(r, "pass") == 0 || (strcmp(r, "leak") == 0 && !a->leak_fail) ||
		      (strcmp(r, "timeout") == 0 && a->on_timeout_pass);
	return !success && a->t.attempt < a->t.total_attempts;
}

/* Called with the lock held.  If the child is complete, take it out of the
 * table and return it for firing (after unlock); else NULL. */
static struct record *complete_locked(struct record *a, uint64_t now)
{
	if (!a->reaped)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (a->s[i].fd >= 0 && !a->s[i].eof && !a->s[i].closed)
			return NULL;
	if (!a->t_complete)
		a->t_complete = now;
	if (a->kind == KIND_TEST && a->slot_key && !will_retry(a))
		nx_slots_release(a->slot_key);
	if (a->state == STARTING) {
		a->done_ready = 1;
		return NULL;
	}
	unlink_record(a);
	return a;
}

/* Keep a record whose done event fired in the ring of ended ones; the oldest
 * one leaves it. */
static void keep_ended(struct record *a)
{
	pthread_mutex_lock(&lock);
	struct record *old = ended[ended_next % ENDED_KEEP];
	ended[ended_next % ENDED_KEEP] = a;
	ended_next++;
	pthread_mutex_unlock(&lock);
	free(old);
}

static void finish(struct record *a)
{
	if (!a)
		return;
	if (a->kind == KIND_TEST)
		fire_test_done(a, nx_now_ns());
	else
		fire_script_done(a);
	keep_ended(a);
}

/* A record complete_locked() took out of the table, the lock released: fire
 * its done event — or, for a setup script that succeeded, wait until the
 * runner has read its NEXTEST_ENV file.  nextest reads that file after the
 * script's exit and output (parse_env_file, nextest-runner/src/runner/
 * script_helpers.rs at cargo-nextest-0.9.143) and stops the script's
 * stopwatch right after closing it (run_setup_script_inner, executor.rs).  The
 * read goes through tokio's blocking pool: tens of microseconds on an idle
 * machine, milliseconds when a pool thread must be started or waits for a CPU
 * — time inside nextest's duration.  So the script's clock stops where the
 * runner closes that file (nx_attempt_env_closing, by the file's identity: the
 * fd number is often one just released).  If no such close comes (another
 * way of reading it, the file gone), the next nextest child's spawn, the
 * reporter's line for the script, or the run's summary fires the event with
 * the clock stopped at the exit and output, as for a failed script. */
static void settle(struct record *a)
{
	struct stat st;
	if (a && a->kind == KIND_SCRIPT && a->env_path &&
	    script_success(result_of(a, leaked_of(a))) && stat(a->env_path, &st) == 0) {
		env_file_bad(a);	/* now, while the file certainly exists */
		a->env_dev = st.st_dev;
		a->env_ino = st.st_ino;
		pthread_mutex_lock(&lock);
		a->next = env_waiting;
		env_waiting = a;
		__atomic_add_fetch(&n_env_waiting, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&lock);
		return;
	}
	finish(a);
}

int nx_attempt_env_waiting(void)
{
	return __atomic_load_n(&n_env_waiting, __ATOMIC_RELAXED) != 0;
}

void nx_attempt_env_closing(int fd)
{
	uint64_t now = nx_now_ns();
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	struct record *done = NULL;
	pthread_mutex_lock(&lock);
	for (struct record **pp = &env_waiting; *pp; pp = &(*pp)->next) {
		if ((*pp)->env_dev == st.st_dev && (*pp)->env_ino == st.st_ino) {
			done = *pp;
			*pp = done->next;
			__atomic_sub_fetch(&n_env_waiting, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (done) {
		done->t_complete = now;
		finish(done);
	}
}

void nx_attempt_flush_env(void)
{
	if (!nx_attempt_env_waiting())
		return;
	pthread_mutex_lock(&lock);
	struct record *list = env_waiting;
	env_waiting = NULL;
	__atomic_store_n(&n_env_waiting, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock);
	while (list) {
		struct record *next = list->next;
		finish(list);
		list = next;
	}
}

/* ---- entry points ---- */

int nx_attempt_tracking(void)
{
	return nx_tracing();
}

void nx_attempt_track(const struct nx_spawn *sp, uint64_t t_start, pid_t pid,
		      const struct nx_child_pipes *pipes)
{
	nx_attempt_flush_env();	/* the runner moved on without reading it */
	struct nx_run_view run;
	nx_run_child(sp, &run);
	struct record *a = sp->kind == NX_SPAWN_TEST ? make_test(sp, &run) : make_script(sp, &run);
	if (!a)
		return;
	a->pid = pid;
	if (a->kind == KIND_TEST)
		a->t.pid = (uint32_t)pid;
	else
		a->sc.pid = (uint32_t)pid;
	a->t_start = t_start;
	a->paused_at_start = nx_pause_total(t_start);
	set_streams(a, pipes);

	pthread_mutex_lock(&lock);
	if (nrecords >= MAX_RECORDS || find(pid)) {
		pthread_mutex_unlock(&lock);
		free(a);
		return;
	}
	if (a->kind == KIND_TEST && a->slot_key) {
		uint64_t gs, grs;
		nx_slots_take(a->slot_key, a->t.test_group, &gs, &grs);
		a->t.global_slot = gs;
		a->t.group_slot = (struct nx_opt_u64){ a->t.test_group != NULL, grs };
	}
	a->state = STARTING;
	a->next = buckets[hash(pid)];
	buckets[hash(pid)] = a;
	nrecords++;
	for (int i = 0; i < 2; i++) {
		int fd = a->s[i].fd;
		if (fd >= NX_MAX_FD)
			a->s[i].closed = a->s[i].eof = 1;	/* untrackable fd */
		else if (fd >= 0)
			__atomic_store_n(&fd_owner[fd], a, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&lock);
	if (a->slow_known && a->slow.period_ns < NX_FAR_FUTURE_NS)
		nx_slowtimer_kick(slow_tick);

	fire_start(a);

	pthread_mutex_lock(&lock);
	a->state = STARTED;
	struct record *done = NULL;
	if (a->done_ready) {
		unlink_record(a);
		done = a;
	}
	pthread_mutex_unlock(&lock);
	settle(done);
}

int nx_attempt_fd_tracked(int fd)
{
	return fd >= 0 && fd < NX_MAX_FD && __atomic_load_n(&fd_owner[fd], __ATOMIC_RELAXED);
}

static struct stream *stream_of(struct record *a, int fd)
{
	for (int i = 0; i < 2; i++)
		if (a->s[i].fd == fd && !a->s[i].closed)
			return &a->s[i];
	return NULL;
}

void nx_attempt_read(int fd, ssize_t n, int err)
{
	uint64_t now = nx_now_ns();
	struct record *done = NULL;
	pthread_mutex_lock(&lock);
	struct record *a = fd_owner[fd];
	struct stream *s = a ? stream_of(a, fd) : NULL;
	if (s && !s->eof) {
		if (n > 0) {
			s->bytes += (uint64_t)n;
		} else if (n == 0) {
			s->eof = 1;
			done = complete_locked(a, now);
		} else if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR) {
			a->read_error = 1;
		}
	}
	pthread_mutex_unlock(&lock);
	settle(done);
}

void nx_attempt_closing(int fd)
{
	uint64_t now = nx_now_ns();
	struct record *done = NULL;
	pthread_mutex_lock(&lock);
	struct record *a = fd_owner[fd];
	struct stream *s = a ? stream_of(a, fd) : NULL;
	if (s) {
		s->closed = 1;
		__atomic_store_n(&fd_owner[fd], NULL, __ATOMIC_RELAXED);
		done = complete_locked(a, now);
	}
	pthread_mutex_unlock(&lock);
	settle(done);
}

void nx_attempt_reaped(pid_t pid, int status, const struct rusage *ru)
{
	if (!WIFEXITED(status) && !WIFSIGNALED(status))
		return;	/* stopped or continued: not an exit */
	uint64_t now = nx_now_ns();
	struct record *done = NULL;
	pthread_mutex_lock(&lock);
	struct record *a = find(pid);
	if (a && !a->reaped) {
		a->reaped = 1;
		a->status = status;
		if (ru) {
			a->ru = *ru;
			a->has_rusage = 1;
		}
		done = complete_locked(a, now);
	}
	pthread_mutex_unlock(&lock);
	settle(done);
}

void nx_attempt_wait_failed(pid_t pid, int err)
{
	if (err == EINTR || pid <= 0)
		return;
	uint64_t now = nx_now_ns();
	struct record *done = NULL;
	pthread_mutex_lock(&lock);
	struct record *a = find(pid);
	if (a && !a->reaped) {
		a->reaped = 1;
		a->wait_error = 1;
		done = complete_locked(a, now);
	}
	pthread_mutex_unlock(&lock);
	settle(done);
}

/* ---- slow events: copied under the lock, fired after it ---- */

struct slow_copy {
	char attempt_id[8192], run_id[64], binary_id[1024], test_name[4096];
	struct nx_test_attempt_slow e;
	pid_t pid;
};

/* Lock held. */
static int copy_test_slow(struct record *a, uint64_t elapsed, int will_terminate,
			  struct slow_copy *c)
{
	const struct nx_test_attempt_start *t = &a->t;
	if (strlen(t->attempt_id) >= sizeof(c->attempt_id) ||
	    strlen(t->binary_id) >= sizeof(c->binary_id) ||
	    strlen(t->test_name) >= sizeof(c->test_name))
		return 0;
	strcpy(c->attempt_id, t->attempt_id);
	snprintf(c->run_id, sizeof(c->run_id), "%s", t->run_id);
	strcpy(c->binary_id, t->binary_id);
	strcpy(c->test_name, t->test_name);
	c->pid = a->pid;
	c->e = (struct nx_test_attempt_slow){
		.attempt_id = c->attempt_id, .run_id = c->run_id, .binary_id = c->binary_id,
		.test_name = c->test_name, .attempt = t->attempt,
		.total_attempts = t->total_attempts, .elapsed_nanos = elapsed,
		.will_terminate = will_terminate, .stress_current = t->stress_current,
		.stress_total = t->stress_total,
	};
	return 1;
}

static void fire_test_slow(const struct slow_copy *c)
{
	nx_fire_test_attempt_slow(&c->e);
	nx_extras_attempt_slow(&c->e, c->pid);
}

/* A setup-script-slow event with its own copy of every string: the
 * record's strings may be freed once the lock is released. */
struct script_slow {
	struct script_slow *next;
	struct nx_setup_script_slow e;
};

static char *copy_str(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = memcpy(*p, s, n);
	*p += n;
	return d;
}

/* Lock held: copy; NULL if out of memory (the event is dropped). */
static struct script_slow *copy_script_slow(const struct record *a, uint64_t elapsed,
					    int will_terminate)
{
	const struct nx_setup_script_start *s = &a->sc;
	size_t need = sizeof(struct script_slow) + s->args.n * sizeof(char *) + strlen(s->id) +
		      strlen(s->run_id) + strlen(s->script_id) + strlen(s->program) + 4;
	for (size_t i = 0; i < s->args.n; i++)
		need += strlen(s->args.v[i]) + 1;
	struct script_slow *c = malloc(need);
	if (!c)
		return NULL;
	const char **args = (const char **)(c + 1);
	char *p = (char *)(args + s->args.n);
	for (size_t i = 0; i < s->args.n; i++)
		args[i] = copy_str(&p, s->args.v[i]);
	c->next = NULL;
	c->e = (struct nx_setup_script_slow){
		.id = copy_str(&p, s->id), .run_id = copy_str(&p, s->run_id),
		.script_id = copy_str(&p, s->script_id), .program = copy_str(&p, s->program),
		.args = { args, s->args.n }, .elapsed_nanos = elapsed,
		.will_terminate = will_terminate, .stress_current = s->stress_current,
		.stress_total = s->stress_total,
	};
	return c;
}

/* Lock not held: fire each and free the list. */
static void fire_script_slows(struct script_slow *c)
{
	while (c) {
		struct script_slow *next = c->next;
		nx_fire_setup_script_slow(&c->e);
		free(c);
		c = next;
	}
}

/* Was this kill the runner terminating the child for its slow-timeout?
 * With the configuration known: iff the child's active time has reached
 * terminate-after × period (nextest kills right when its timer fires, and our
 * clock started before its stopwatch did) and no shutdown was forwarded.
 * Without it: iff the kill is not part of a broadcast to several groups. */
void nx_attempt_killed(pid_t target, int sig)
{
	if (target >= -1)
		return;	/* nextest signals process groups: kill(-pgid, sig) */
	pid_t pgid = -target;
	uint64_t now = nx_now_ns();
	uint64_t paused_now = nx_pause_total(now);
	struct slow_copy *slow = NULL;
	struct script_slow *script_slow = NULL;
	pthread_mutex_lock(&lock);
	if (sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)
		kills.shutdown = 1;
	struct record *a = find(pgid);
	if (a && sig == SIGTSTP && !a->pausing) {
		a->own_pauses = 1;
		a->pausing = 1;
		a->pause_t0 = now;
	} else if (a && sig == SIGCONT && a->pausing) {
		a->pausing = 0;
		a->own_paused += now - a->pause_t0;
	}
	if (sig == SIGTERM || sig == SIGKILL) {
		int broadcast = kills.sig == sig && kills.pgid != pgid &&
				now - kills.t < BROADCAST_WINDOW_NS;
		if (a && a->slow_known) {
			uint64_t active = now - a->t_start - paused_of(a, now, paused_now);
			if (a->terminate_ns && active + TIMER_SLACK_NS >= a->terminate_ns &&
			    !kills.shutdown && !a->timeout_kill) {
				a->timeout_kill = 1;
				/* nextest sends the terminating slow event right before this
				 * kill (executor.rs), unless the grace period is 0 */
				if (a->slow.grace_ns) {
					a->terminate_fired = 1;
					if (a->kind == KIND_SCRIPT)
						script_slow = copy_script_slow(a, a->terminate_ns, 1);
					else if ((slow = malloc(sizeof(*slow))) &&
						 !copy_test_slow(a, a->terminate_ns, 1, slow)) {
						free(slow);
						slow = NULL;
					}
				}
			}
		} else {
			if (broadcast) {
				struct record *prev = find(kills.pgid);
				if (prev && !prev->slow_known)
					prev->timeout_kill = 0;
			}
			if (a && !a->timeout_kill && !broadcast && !kills.shutdown)
				a->timeout_kill = 1;
		}
		kills.t = now;
		kills.sig = sig;
		kills.pgid = pgid;
	}
	pthread_mutex_unlock(&lock);
	/* nextest pauses the run's stopwatch when it handles SIGTSTP, before it
	 * asks the units to stop (dispatcher.rs), so the first SIGTSTP it sends
	 * a group starts the run's pause too; its raise(SIGSTOP) comes later. */
	if (sig == SIGTSTP)
		nx_pause_begin(now);
	if (slow) {
		fire_test_slow(slow);
		free(slow);
	}
	fire_script_slows(script_slow);
}

/* ---- slow ---- */

/* Lock held.  The ended record (newest first) that matches, or NULL. */
static struct record *find_ended(int (*match)(const struct record *, const void *),
				 const void *key)
{
	for (unsigned i = 1; i <= ENDED_KEEP && i <= ended_next; i++) {
		struct record *a = ended[(ended_next - i) % ENDED_KEEP];
		if (a && match(a, key))
			return a;
	}
	return NULL;
}

struct test_key {
	const char *binary_id, *test_name;
	int has_stress;
	unsigned stress_printed, try_attempt;
};

static int test_matches(const struct record *a, const void *key)
{
	const struct test_key *k = key;
	const struct nx_test_attempt_start *t = &a->t;
	if (a->kind != KIND_TEST || strcmp(t->binary_id, k->binary_id) != 0 ||
	    strcmp(t->test_name, k->test_name) != 0)
		return 0;
	if (k->has_stress &&
	    (!t->stress_current.has || t->stress_current.v + 1 != k->stress_printed))
		return 0;
	return !k->try_attempt || t->attempt == k->try_attempt;
}

static int script_matches(const struct record *a, const void *key)
{
	return a->kind == KIND_SCRIPT && strcmp(a->sc.script_id, key) == 0;
}

/* Lock held.  The record a SLOW or TERMINATING line speaks of: a running one
 * (*running = 1), a setup script whose NEXTEST_ENV file the runner is still
 * to read, or one that has ended (the runner handled its slow event after
 * the end: ENDED_KEEP). */
static struct record *find_slow(int (*match)(const struct record *, const void *),
				const void *key, int *running)
{
	*running = 1;
	for (unsigned bkt = 0; bkt < NBUCKETS; bkt++)
		for (struct record *a = buckets[bkt]; a; a = a->next)
			if (match(a, key))
				return a;
	*running = 0;
	for (struct record *a = env_waiting; a; a = a->next)
		if (match(a, key))
			return a;
	return find_ended(match, key);
}

/* Copy what a slow probe needs while holding the lock; fire after.  For an
 * attempt that has ended nextest fires the same event (the dispatcher builds
 * it from the executor's message: elapsed = k × period, will_terminate), so
 * it is fired the same way; only the attempt's result is no longer changed
 * (its done event has fired). */
void nx_attempt_test_slow(const char *binary_id, const char *test_name, int has_stress,
			  unsigned stress_printed, unsigned try_attempt, uint64_t elapsed,
			  int will_terminate)
{
	struct slow_copy *c = malloc(sizeof(*c));
	if (!c)
		return;
	const struct test_key key = { binary_id, test_name, has_stress, stress_printed,
				      try_attempt };
	int running, fire = 0;
	pthread_mutex_lock(&lock);
	struct record *a = find_slow(test_matches, &key, &running);
	/* a terminating event already fired at the kill is not fired again */
	if (a && !(will_terminate && a->terminate_fired)) {
		if (running && will_terminate && !kills.shutdown)
			a->timeout_kill = 1;	/* TERMINATING: killed for slow-timeout */
		fire = copy_test_slow(a, elapsed, will_terminate, c);
	}
	pthread_mutex_unlock(&lock);
	if (fire)
		fire_test_slow(c);
	free(c);
}

void nx_attempt_script_slow(const char *script_id, uint64_t elapsed, int will_terminate)
{
	struct script_slow *c = NULL;
	int running;
	pthread_mutex_lock(&lock);
	struct record *a = find_slow(script_matches, script_id, &running);
	if (a && !(will_terminate && a->terminate_fired)) {
		if (running && will_terminate && !kills.shutdown)
			a->timeout_kill = 1;
		c = copy_script_slow(a, elapsed, will_terminate);
	}
	pthread_mutex_unlock(&lock);
	fire_script_slows(c);
}

/* ---- slow events when the reporter does not print them ---- */

/* One pass of the slow timer (registered by the first kick): fire the slow events that are due (nextest's
 * interval: k × period of active time after the attempt's stopwatch started;
 * none when the grace period is 0; none after the terminating one).  Returns
 * the time of the next deadline, or 0 if none. */
static uint64_t slow_tick(uint64_t now)
{
	enum { BATCH = 16 };
	static struct slow_copy due[BATCH];	/* only the timer thread calls this */
	unsigned ndue = 0;
	struct script_slow *scripts = NULL, **tail = &scripts;
	uint64_t next = 0;
	uint64_t paused_now = nx_pause_total(now);
	pthread_mutex_lock(&lock);
	for (unsigned bkt = 0; bkt < NBUCKETS; bkt++) {
		for (struct record *a = buckets[bkt]; a; a = a->next) {
			if (!a->slow_known || a->reaped || a->slow.period_ns >= NX_FAR_FUTURE_NS ||
			    a->slow.period_ns == 0 ||
			    (a->slow.terminate_after && a->slow_hits + 1 >= a->slow.terminate_after))
				continue;	/* the terminating event fires at the kill */
			uint64_t active = now - a->t_start - paused_of(a, now, paused_now);
			uint64_t at = ((uint64_t)a->slow_hits + 1) * a->slow.period_ns;
			if (active < at || ndue == BATCH) {
				uint64_t when = now + (active < at ? at - active : 0);
				if (!next || when < next)
					next = when;
				continue;
			}
			a->slow_hits++;
			uint64_t when = now + (at + a->slow.period_ns - active);
			if (!next || when < next)
				next = when;
			if (a->slow.grace_ns == 0)
				continue;	/* nextest sends no slow event then */
			if (a->kind == KIND_SCRIPT) {
				if ((*tail = copy_script_slow(a, at, 0)))
					tail = &(*tail)->next;
			} else if (copy_test_slow(a, at, 0, &due[ndue])) {
				ndue++;
			}
		}
	}
	pthread_mutex_unlock(&lock);
	fire_script_slows(scripts);
	for (unsigned i = 0; i < ndue; i++)
		fire_test_slow(&due[i]);
	return next;
}
