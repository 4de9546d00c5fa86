/* streams.c — line assembly of the runner's fd 1 and fd 2 (see streams.h). */
#include <pthread.h>
#include <sys/ioctl.h>

#include "lines.h"
#include "run.h"
#include "slowtimer.h"
#include "streams.h"
#include "ttylines.h"

/* The longest line kept: a libtest-json failure line embeds the test's whole
 * output; longer lines are dropped (their events are lost, nothing else). */
#define MAX_LINE (4u * 1024 * 1024)

struct stream {
	pthread_mutex_t lock;
	struct nx_lines lines;
	struct nx_ttylines tty;	/* fd 2 on a terminal: lines drawn through a progress bar */
	int ready;
	int is_tty;
	int drawn;		/* is_tty and a redraw was seen (read without the lock) */
};

static struct stream streams[3] = {
	[1] = { .lock = PTHREAD_MUTEX_INITIALIZER },
	[2] = { .lock = PTHREAD_MUTEX_INITIALIZER },
};

static void on_line(void *ctx, const char *line, size_t len, int truncated)
{
	int fd = (int)(long)ctx;
	if (truncated)
		return;
	if (fd == 2)
		nx_run_stderr_line(line, len);
	else
		nx_run_stdout_line(line, len);
}

static struct stream *lock_stream(int fd)
{
	if (fd != 1 && fd != 2)
		return NULL;
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
		if (s->tty.drawn && !s->drawn) {
			__atomic_store_n(&s->drawn, 1, __ATOMIC_RELAXED);
			nx_slowtimer_use_timer();
		}
	}
}

int nx_streams_drawn(void)
{
	return __atomic_load_n(&streams[2].drawn, __ATOMIC_RELAXED);
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

void nx_streams_write(int fd, const void *buf, ssize_t n)
{
	struct stream *s;
	if (n <= 0 || !(s = lock_stream(fd)))
		return;
	feed(s, fd, buf, (size_t)n, tty_width(s, fd));
	end_write(s, fd);
	pthread_mutex_unlock(&s->lock);
}

void nx_streams_writev(int fd, const struct iovec *iov, int iovcnt, ssize_t n)
{
	struct stream *s;
	if (n <= 0 || !(s = lock_stream(fd)))
		return;
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
