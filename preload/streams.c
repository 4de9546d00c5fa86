/* streams.c — line assembly of the runner's fd 1 and fd 2 (see streams.h). */
#include <pthread.h>

#include "lines.h"
#include "run.h"
#include "streams.h"

/* The longest line kept: a libtest-json failure line embeds the test's whole
 * output; longer lines are dropped (their events are lost, nothing else). */
#define MAX_LINE (4u * 1024 * 1024)

struct stream {
	pthread_mutex_t lock;
	struct nx_lines lines;
	int ready;
};

static struct stream streams[3] = {
	[1] = { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0 },
	[2] = { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0 },
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
		s->ready = 1;
	}
	return s;
}

void nx_streams_write(int fd, const void *buf, ssize_t n)
{
	struct stream *s;
	if (n <= 0 || !(s = lock_stream(fd)))
		return;
	nx_lines_feed(&s->lines, buf, (size_t)n, on_line, (void *)(long)fd);
	pthread_mutex_unlock(&s->lock);
}

void nx_streams_writev(int fd, const struct iovec *iov, int iovcnt, ssize_t n)
{
	struct stream *s;
	if (n <= 0 || !(s = lock_stream(fd)))
		return;
	size_t left = (size_t)n;
	for (int i = 0; i < iovcnt && left > 0; i++) {
		size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;
		nx_lines_feed(&s->lines, iov[i].iov_base, k, on_line, (void *)(long)fd);
		left -= k;
	}
	pthread_mutex_unlock(&s->lock);
}
