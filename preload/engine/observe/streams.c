/* streams.c — line assembly and hand-off of the runner's fd 2 (see streams.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "attempts.h"
#include "lines.h"
#include "reporter.h"
#include "run.h"
#include "slowtimer.h"
#include "streams.h"
#include "ttylines.h"

/* The longest line kept: longer lines are dropped (their events are lost,
 * nothing else). */
#define MAX_LINE (4u * 1024 * 1024)
/* The longest line parsed (ANSI-stripped into a per-thread scratch). */
#define SCRATCH 65536

struct stream {
	pthread_mutex_t lock;
	struct nx_lines lines;
	struct nx_ttylines tty;	/* fd 2 on a terminal: lines drawn through a progress bar */
	int ready;
	int is_tty;
	int drawn;		/* is_tty and a redraw was seen */
	uint64_t t_write;	/* when the current write began: its lines' time */
};

static struct stream streams[3] = {
	[2] = { .lock = PTHREAD_MUTEX_INITIALIZER },
};

static void copy_span(char *dst, size_t cap, struct nx_reporter_span s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

/* A SLOW or TERMINATING line: the attempts', when slow events come from the
 * reporter's lines (else the slow timer fires them and the line is not
 * used). */
static void slow_line(const struct nx_reporter_line *l)
{
	const struct nx_reporter_status_line *st = &l->u.st;
	if (st->status != NX_ST_SLOW && st->status != NX_ST_TERMINATING)
		return;
	if (!nx_attempt_tracking() || nx_slowtimer_active())
		return;	/* checked in this order: the second reads the configuration */
	int terminating = st->status == NX_ST_TERMINATING;
	if (l->kind == NX_REPORTER_SETUP) {
		char id[512];
		copy_span(id, sizeof(id), st->script_id);
		nx_attempt_script_slow(id, st->nanos, terminating);
	} else {
		char bin[1024], test[4096];
		copy_span(bin, sizeof(bin), st->binary_id);
		copy_span(test, sizeof(test), st->test_name);
		nx_attempt_test_slow(bin, test, st->has_stress, st->stress_current,
				     st->try_attempt, st->nanos, terminating);
	}
}

static void on_line(void *ctx, const char *line, size_t len, int truncated)
{
	static __thread char *scratch;
	(void)ctx;
	if (truncated)
		return;
	if (!scratch && !(scratch = malloc(SCRATCH)))
		return;
	struct nx_reporter_line l;
	if (nx_reporter_parse_raw(line, len, scratch, SCRATCH, &l) == NX_REPORTER_NONE)
		return;
	uint64_t now = streams[2].t_write;
	/* A setup script's result line or the summary: nextest is past the
	 * script's stopwatch, so a script still waiting for the runner to read its
	 * NEXTEST_ENV file (attempts.h) fires now, before this line's events. */
	if (l.kind == NX_REPORTER_SUMMARY ||
	    (l.kind == NX_REPORTER_SETUP && l.u.st.status != NX_ST_START &&
	     l.u.st.status != NX_ST_SLOW && l.u.st.status != NX_ST_TERMINATING))
		nx_attempt_flush_env();
	switch (l.kind) {
	case NX_REPORTER_SETUP:
	case NX_REPORTER_TEST:
		if (l.u.st.field == NX_FIELD_SLOW)
			slow_line(&l);
		else if (l.kind == NX_REPORTER_SETUP)
			nx_run_reporter_line(&l, now);	/* SETUP [i/n]: the next script's id */
		break;
	case NX_REPORTER_RUN_ID:
	case NX_REPORTER_STARTING:
	case NX_REPORTER_STRESS_START:
	case NX_REPORTER_STRESS_DONE:
	case NX_REPORTER_SUMMARY:
		nx_run_reporter_line(&l, now);
		break;
	default:
		break;	/* nothing a probe needs */
	}
}

static struct stream *lock_stream(int fd)
{
	if (fd != 2)
		return NULL;	/* fd 1: nothing the probes need (streams.h) */
	struct stream *s = &streams[fd];
	pthread_mutex_lock(&s->lock);
	if (!s->ready) {
		nx_lines_init(&s->lines, MAX_LINE);
		nx_ttylines_init(&s->tty, MAX_LINE);
		/* decided once: is the reporter's stream a terminal (where nextest may
		 * draw a progress bar)? */
		struct winsize ws;
		s->is_tty = fd == 2 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0;
		s->ready = 1;
	}
	return s;
}

/* Bytes of one write: split into lines the way they were drawn. */
static void feed(struct stream *s, int fd, const char *p, size_t n, unsigned width)
{
	if (s->is_tty)
		nx_ttylines_feed(&s->tty, p, n, width, on_line, (void *)(long)fd);
	else
		nx_lines_feed(&s->lines, p, n, on_line, (void *)(long)fd);
}

static void end_write(struct stream *s, int fd)
{
	if (s->is_tty) {
		nx_ttylines_end_write(&s->tty, on_line, (void *)(long)fd);
		/* The runner has redrawn a progress bar on its stderr terminal: its
		 * reporter lines now reach the terminal at the bar's next tick (every
		 * 50 ms, `nextest-runner/src/runner/dispatcher.rs` at
		 * cargo-nextest-0.9.143), not when the event happened.  The model is
		 * told once. */
		if (s->tty.drawn && !s->drawn) {
			s->drawn = 1;
			nx_run_drawn();
			nx_slowtimer_use_timer();
		}
	}
}

/* The terminal's width now, as indicatif asks for it on every draw
 * (console's `Term::size`, TIOCGWINSZ on stderr); 0 if unknown. */
static unsigned tty_width(const struct stream *s, int fd)
{
	struct winsize ws;
	if (!s->is_tty || ioctl(fd, TIOCGWINSZ, &ws) != 0)
		return 0;
	return ws.ws_col;
}

void nx_streams_write(int fd, const void *buf, ssize_t n, uint64_t t_write)
{
	struct stream *s;
	if (n <= 0 || !(s = lock_stream(fd)))
		return;
	s->t_write = t_write;
	feed(s, fd, buf, (size_t)n, tty_width(s, fd));
	end_write(s, fd);
	pthread_mutex_unlock(&s->lock);
}

void nx_streams_writev(int fd, const struct iovec *iov, int iovcnt, ssize_t n, uint64_t t_write)
{
	struct stream *s;
	if (n <= 0 || !(s = lock_stream(fd)))
		return;
	s->t_write = t_write;
	size_t left = (size_t)n;
	unsigned width = tty_width(s, fd);
	for (int i = 0; i < iovcnt && left > 0; i++) {
		size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;
		feed(s, fd, iov[i].iov_base, k, width);
		left -= k;
	}
	end_write(s, fd);
	pthread_mutex_unlock(&s->lock);
}
