/* attempts.c — the attempt table and each attempt's lifecycle.
 *
 * Owns: records of traced attempts (spawned -> reaped -> pipes at EOF or
 * closed -> done), the fd -> record map used by the read/close hooks, and the
 * firing of test-attempt-start and test-attempt-done.  One mutex guards the
 * table; probes are fired outside it.  start always fires before done: a
 * record whose done condition is met while its start is still being fired is
 * marked, and the thread that fired start fires done too.
 *
 * Memory is bounded: at most MAX_ATTEMPTS records of at most MAX_RECORD bytes
 * each; an attempt that does not fit is not traced (its events are dropped).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "attempts.h"
#include "cargo.h"
#include "clock.h"
#include "events.h"
#include "probes.h"
#include "role.h"
#include "classify.h"

#define MAX_ATTEMPTS 4096
#define MAX_RECORD (256 * 1024)
#define NBUCKETS 256
/* Kills of distinct process groups with the same signal this close together
 * are one broadcast (shutdown, fail-fast), not a slow-timeout termination. */
#define BROADCAST_WINDOW_NS (50u * 1000 * 1000)

enum { STARTING, STARTED };

struct stream {
	int fd;
	int eof;
	int closed;
	uint64_t bytes;
};

struct attempt {
	struct attempt *next;
	pid_t pid;
	int state;
	int done_ready;
	uint64_t t_start;
	uint64_t t_complete;
	int capture;			/* enum nx_capture */
	int nstreams;
	struct stream s[2];		/* [0] stdout (or combined), [1] stderr */
	int reaped;
	int status;
	int wait_error;
	int read_error;
	int timeout_kill;
	struct nx_test_attempt_start start;	/* strings point into the record */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct attempt *buckets[NBUCKETS];
static unsigned nrecords;
static struct attempt *fd_owner[NX_MAX_FD];

/* The last group kill, to tell a broadcast from a single termination. */
static struct {
	uint64_t t;
	int sig;
	pid_t pgid;
	int shutdown;			/* SIGINT/SIGHUP/SIGQUIT forwarded: a shutdown */
} kills;

/* ---- small helpers ---- */

static unsigned hash(pid_t pid)
{
	return (unsigned)pid % NBUCKETS;
}

static struct attempt *find(pid_t pid)
{
	for (struct attempt *a = buckets[hash(pid)]; a; a = a->next)
		if (a->pid == pid)
			return a;
	return NULL;
}

static void unlink_record(struct attempt *a)
{
	struct attempt **pp = &buckets[hash(a->pid)];
	while (*pp && *pp != a)
		pp = &(*pp)->next;
	if (*pp)
		*pp = a->next;
	for (int i = 0; i < a->nstreams; i++)
		if (!a->s[i].closed && a->s[i].fd >= 0 && a->s[i].fd < NX_MAX_FD &&
		    fd_owner[a->s[i].fd] == a)
			__atomic_store_n(&fd_owner[a->s[i].fd], NULL, __ATOMIC_RELAXED);
	nrecords--;
}

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

/* ---- building a record ---- */

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

/* NUL-terminate what was appended since `from`; returns it ("" on overflow). */
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

/* attempt_id for runners that do not export NEXTEST_ATTEMPT_ID (< 0.9.116),
 * as nextest formats it (list/test_list.rs attempt_id):
 * {run_id}:{binary_id}[@stress-{n}]${test_name}[#{attempt}] */
static const char *put_attempt_id(struct builder *b, const struct nx_test_attempt_start *st)
{
	char *from = b->p;
	char num[32];
	append(b, st->run_id);
	append(b, ":");
	append(b, st->binary_id);
	if (st->stress_current.has) {
		snprintf(num, sizeof(num), "@stress-%u", st->stress_current.v);
		append(b, num);
	}
	append(b, "$");
	append(b, st->test_name);
	if (st->attempt > 1) {
		snprintf(num, sizeof(num), "#%u", st->attempt);
		append(b, num);
	}
	return terminate(b, from);
}

static struct attempt *make_test(uint64_t t_start, pid_t pid, const struct nx_spawn *sp,
				 const struct nx_child_pipes *pipes)
{
	const struct nx_spawn_env *e = &sp->env;
	size_t need = sizeof(struct attempt) + sp->nargs * sizeof(char *) + 256;
	const char *strs[] = { e->run_id, e->binary_id ? e->binary_id : sp->binary_path, e->test_name, sp->exact_name,
			       e->attempt_id, e->group, sp->program, sp->binary_path };
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		need += strs[i] ? strlen(strs[i]) * 2 + 1 : 0;
	for (size_t i = 0; i < sp->nargs; i++)
		need += strlen(sp->args[i]) + 1;
	if (need > MAX_RECORD)
		return NULL;

	struct attempt *a = calloc(1, need);
	if (!a)
		return NULL;
	const char **args = (const char **)(a + 1);
	struct builder b = { (char *)(args + sp->nargs), (char *)a + need };
	struct nx_test_attempt_start *st = &a->start;

	a->pid = pid;
	a->t_start = t_start;
	a->capture = pipes->capture;
	if (pipes->out_fd >= 0)
		a->s[a->nstreams++] = (struct stream){ .fd = pipes->out_fd };
	if (pipes->err_fd >= 0 && pipes->err_fd != pipes->out_fd)
		a->s[a->nstreams++] = (struct stream){ .fd = pipes->err_fd };

	st->run_id = put(&b, e->run_id ? e->run_id : "");
	char derived[1024];
	if (e->binary_id)
		st->binary_id = put(&b, e->binary_id);
	else if (sp->binary_path && nx_cargo_binary_id(sp->binary_path, derived, sizeof(derived)))
		st->binary_id = put(&b, derived);
	else
		st->binary_id = put(&b, "");
	st->test_name = put(&b, e->test_name ? e->test_name : sp->exact_name ? sp->exact_name : "");
	st->pid = (uint32_t)pid;
	st->program = put(&b, sp->program);
	for (size_t i = 0; i < sp->nargs; i++)
		args[i] = put(&b, sp->args[i]);
	st->args = (struct nx_strv){ args, sp->nargs };
	uint64_t v;
	st->attempt = parse_u64(e->attempt, &v) && v <= UINT32_MAX ? (uint32_t)v : 1;
	st->total_attempts = parse_u64(e->total_attempts, &v) && v <= UINT32_MAX ? (uint32_t)v
										 : st->attempt;
	st->stress_current = opt_u32(e->stress_current);
	st->stress_total = opt_u32(e->stress_total);
	st->global_slot = parse_u64(e->global_slot, &v) ? v : 0;
	st->group_slot = opt_u64(e->group_slot);
	st->test_group = e->group && strcmp(e->group, "@global") != 0 ? put(&b, e->group) : NULL;
	st->attempt_id = e->attempt_id ? put(&b, e->attempt_id) : put_attempt_id(&b, st);
	if (!b.p) {
		free(a);
		return NULL;
	}
	return a;
}

/* ---- firing ---- */

static const char *result_of(const struct attempt *a, int leaked)
{
	if (a->timeout_kill)
		return "timeout";
	if (a->read_error || a->wait_error)
		return "exec-fail";
	if (WIFEXITED(a->status) && WEXITSTATUS(a->status) == 0)
		return leaked ? "leak" : "pass";
	return "fail";
}

static void fire_done(struct attempt *a, uint64_t t_fire)
{
	const struct nx_test_attempt_start *st = &a->start;
	int leaked = 0;
	for (int i = 0; i < a->nstreams; i++)
		leaked |= a->s[i].closed && !a->s[i].eof;
	struct nx_test_attempt_done d = {
		.attempt_id = st->attempt_id,
		.run_id = st->run_id,
		.binary_id = st->binary_id,
		.test_name = st->test_name,
		.attempt = st->attempt,
		.total_attempts = st->total_attempts,
		.result = result_of(a, leaked),
		.duration_nanos = a->t_complete - a->t_start,
		.leaked = leaked,
		.stress_current = st->stress_current,
		.stress_total = st->stress_total,
	};
	if (!a->wait_error && WIFEXITED(a->status))
		d.exit_code = (struct nx_opt_i32){ 1, WEXITSTATUS(a->status) };
	if (!leaked)
		d.time_to_close_fds_nanos = (struct nx_opt_u64){ 1, t_fire - a->t_complete };
	switch (a->capture) {
	case NX_CAPTURE_SPLIT:
		d.stdout_len = (struct nx_opt_u64){ 1, a->s[0].bytes };
		d.stderr_len = (struct nx_opt_u64){ 1, a->s[1].bytes };
		break;
	case NX_CAPTURE_COMBINED:
		d.stdout_len = (struct nx_opt_u64){ 1, a->s[0].bytes };
		break;
	default:
		break;
	}
	nx_fire_test_attempt_done(&d);
}

/* Called with the lock held.  If the attempt is complete, take it out of the
 * table and return it for firing (after unlock); else NULL. */
static struct attempt *complete_locked(struct attempt *a, uint64_t now)
{
	if (!a->reaped)
		return NULL;
	for (int i = 0; i < a->nstreams; i++)
		if (!a->s[i].eof && !a->s[i].closed)
			return NULL;
	if (!a->t_complete)
		a->t_complete = now;
	if (a->state == STARTING) {
		a->done_ready = 1;
		return NULL;
	}
	unlink_record(a);
	return a;
}

static void finish(struct attempt *a)
{
	if (!a)
		return;
	fire_done(a, nx_now_ns());
	free(a);
}

/* ---- entry points ---- */

void nx_attempt_spawned(uint64_t t_start, pid_t pid, char *const argv[], char *const envp[],
			const struct nx_child_pipes *pipes)
{
	if (!nx_spawn_is_nextest_child(argv, envp))
		return;
	nx_role_promote_runner();
	if (!nx_any_enabled())
		return;

	struct nx_spawn sp;
	if (nx_spawn_classify(&sp, argv, envp) < 0)
		return;
	struct attempt *a = sp.kind == NX_SPAWN_TEST ? make_test(t_start, pid, &sp, pipes) : NULL;
	nx_spawn_free(&sp);
	if (!a)
		return;

	pthread_mutex_lock(&lock);
	if (nrecords >= MAX_ATTEMPTS || find(pid)) {
		pthread_mutex_unlock(&lock);
		free(a);
		return;
	}
	a->state = STARTING;
	a->next = buckets[hash(pid)];
	buckets[hash(pid)] = a;
	nrecords++;
	for (int i = 0; i < a->nstreams; i++)
		if (a->s[i].fd < NX_MAX_FD)
			__atomic_store_n(&fd_owner[a->s[i].fd], a, __ATOMIC_RELAXED);
		else
			a->s[i].closed = a->s[i].eof = 1;	/* untrackable fd */
	pthread_mutex_unlock(&lock);

	nx_fire_test_attempt_start(&a->start);

	pthread_mutex_lock(&lock);
	a->state = STARTED;
	struct attempt *done = NULL;
	if (a->done_ready) {
		unlink_record(a);
		done = a;
	}
	pthread_mutex_unlock(&lock);
	finish(done);
}

int nx_attempt_fd_tracked(int fd)
{
	return fd >= 0 && fd < NX_MAX_FD && __atomic_load_n(&fd_owner[fd], __ATOMIC_RELAXED);
}

static struct stream *stream_of(struct attempt *a, int fd)
{
	for (int i = 0; i < a->nstreams; i++)
		if (a->s[i].fd == fd && !a->s[i].closed)
			return &a->s[i];
	return NULL;
}

void nx_attempt_read(int fd, ssize_t n, int err)
{
	uint64_t now = nx_now_ns();
	struct attempt *done = NULL;
	pthread_mutex_lock(&lock);
	struct attempt *a = fd_owner[fd];
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
	finish(done);
}

void nx_attempt_closing(int fd)
{
	uint64_t now = nx_now_ns();
	struct attempt *done = NULL;
	pthread_mutex_lock(&lock);
	struct attempt *a = fd_owner[fd];
	struct stream *s = a ? stream_of(a, fd) : NULL;
	if (s) {
		s->closed = 1;
		__atomic_store_n(&fd_owner[fd], NULL, __ATOMIC_RELAXED);
		done = complete_locked(a, now);
	}
	pthread_mutex_unlock(&lock);
	finish(done);
}

void nx_attempt_reaped(pid_t pid, int status)
{
	if (!WIFEXITED(status) && !WIFSIGNALED(status))
		return;	/* stopped or continued: not an exit */
	uint64_t now = nx_now_ns();
	struct attempt *done = NULL;
	pthread_mutex_lock(&lock);
	struct attempt *a = find(pid);
	if (a && !a->reaped) {
		a->reaped = 1;
		a->status = status;
		done = complete_locked(a, now);
	}
	pthread_mutex_unlock(&lock);
	finish(done);
}

void nx_attempt_wait_failed(pid_t pid, int err)
{
	if (err == EINTR || pid <= 0)
		return;
	uint64_t now = nx_now_ns();
	struct attempt *done = NULL;
	pthread_mutex_lock(&lock);
	struct attempt *a = find(pid);
	if (a && !a->reaped) {
		a->reaped = 1;
		a->wait_error = 1;
		done = complete_locked(a, now);
	}
	pthread_mutex_unlock(&lock);
	finish(done);
}

void nx_attempt_killed(pid_t target, int sig)
{
	if (target >= -1)
		return;	/* nextest signals process groups: kill(-pgid, sig) */
	pid_t pgid = -target;
	uint64_t now = nx_now_ns();
	pthread_mutex_lock(&lock);
	if (sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)
		kills.shutdown = 1;
	struct attempt *a = find(pgid);
	if (sig == SIGTERM || sig == SIGKILL) {
		int broadcast = kills.sig == sig && kills.pgid != pgid &&
				now - kills.t < BROADCAST_WINDOW_NS;
		if (broadcast) {
			struct attempt *prev = find(kills.pgid);
			if (prev && prev->timeout_kill == 1)
				prev->timeout_kill = 0;
		}
		if (a && !a->timeout_kill && !broadcast && !kills.shutdown)
			a->timeout_kill = 1;
		kills.t = now;
		kills.sig = sig;
		kills.pgid = pgid;
	}
	pthread_mutex_unlock(&lock);
}
